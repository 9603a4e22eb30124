//! The VPP component (`MFXVideoVPP_*`): colour conversion between the frame formats, crop, resize,
//! rotation and mirroring, ProcAmp, denoise, detail, and picture-structure passthrough, from input surfaces to output surfaces, asynchronously.
//!
//! - `VppError` ([`error`]): the answers of failed calls;
//! - [`params`]: `VppParams` (the `mfxVideoParam` of VPP), Query and QueryIOSurf;
//! - [`component`]: the `Vpp` life cycle (Init, Reset, Close) and the two ways to run a frame:
//!   `run_frame_async` into a surface the application gives (1.x), and `process_frame_async`
//!   into a surface from the component's output pool (2.x);
//! - `rate`: frame-rate conversion (frames repeated or dropped);
//! - composition ([`Composition`]): a frame of each of several streams drawn on one output;
//! - `worker`: what runs on the component's lane — the pixel work itself is `vplrs-kernels`'.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod component;
mod composing;
pub mod error;
mod interpolate;
pub mod params;
mod rate;
mod worker;

pub use component::{FrameControl, Vpp, VppStats};
pub use error::VppError;
pub use params::{
    ComposedStream, Composition, Deinterlacing, Fields, QueryOutcome, VppParams, DEFAULT_DENOISE_FACTOR,
    DEFAULT_DETAIL_FACTOR, MAX_COMPOSED_STREAMS,
};
pub use vplrs_kernels::{
    compose_supports, deinterlace_supports, denoise_supports, detail_supports, Blend, ColorSpec, FieldProcessing,
    FirstField, Matrix, Mirror, Orientation, ProcAmp, Range, Rotation, PROCAMP_RANGES,
};
