//! vplrs: the oneVPL memory model and its components, for Rust video pipelines.
//!
//! A [`Session`] owns a [`Core`] (the application's allocator, if any, and the pools made from
//! it), the components that use it (each behind its own lock: a session is shared between
//! threads), and the operations in flight. The C ABI (`libvplrs.so`) is a translation of it. Frames live in refcounted [`Surface`]s from
//! [`SurfacePool`]s; components run asynchronously and report through [`SyncPoint`]s.
//!
//! Features: `ffmpeg` (on by default) brings libavcodec's decoders (H.264, H.265, VP9, AV1, JPEG)
//! and every encoder. Without it (`default-features = false`) vplrs is the memory model, VPP,
//! decode+VPP and the pure-Rust VP8 decoder (with XMA), and links no FFmpeg. `opencl` and
//! `vulkan` (on by default) bring surface sharing with OpenCL and Vulkan images ([`sharing`]),
//! their libraries loaded at run time.
//!
//! ```
//! use vplrs::{FourCc, FrameInfo, Session, VppParams};
//! use std::time::Duration;
//!
//! let session = Session::new();
//! let params = VppParams::new(FrameInfo::new(FourCc::Nv12, 320, 240), FrameInfo::new(FourCc::Rgb4, 160, 120));
//! session.vpp().init(&params).unwrap();
//! let input = session.vpp().input_surface().unwrap();
//! input.map_write().unwrap().view_mut().planes_mut().iter_mut().for_each(|p| p.fill(128));
//! let output = session.vpp().process_frame_async(&input).unwrap();
//! output.synchronize(Duration::from_secs(1)).unwrap();
//! let pixels = output.map_read().unwrap();
//! assert_eq!(pixels.view().plane(0).row(0).len(), 160 * 4);
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod decode_vpp;
mod session;

pub use decode_vpp::{ChannelParams, DecodeVpp, DecodeVppError, DecodedPictures};
pub use session::{Session, Synchronized};
pub use vplrs_decode::{
    vp8::Vp8Backend, Codec, Decode, DecodeError, DecodeParams, DecodeStats, DecodedFrame, HeaderScan, SkipLevel,
    SkipMode,
};
#[cfg(feature = "ffmpeg")]
pub use vplrs_encode::{
    Encode, EncodeCodec, EncodeError, EncodeParams, EncodeStats, EncodedFrame, FrameControl, FrameType, RateControl,
};
pub use vplrs_memory::{
    allocator, sizing, AcquireError, AllocError, AllocationHints, AllocationPolicy, ChromaFormat, ExternalAllocator,
    Field, FourCc, FrameInfo, FrameLayout, FrameMeta, FrameRate, FrameView, FrameViewMut, LayoutOptions, MapError,
    MapFlags, MemType, OperationError, PicStruct, Plane, PlaneMut, PoolStats, Rect, Surface, SurfacePool, SyncError,
    SystemAllocator,
};
pub use vplrs_runtime::{Accepted, Core, IoPattern, SyncPoint, SyncPointError};
/// Surface sharing (API 2.10): export to and import from OpenCL images and Vulkan images
/// (features `opencl` and `vulkan`, on by default).
pub use vplrs_sharing as sharing;
/// The pure-Rust VP8 decoder, with its XMA interface.
pub use vplrs_vp8 as vp8;
pub use vplrs_vpp::{
    compose_supports, Blend, ColorSpec, ComposedStream, Composition, Matrix, Mirror, Orientation, ProcAmp, Range,
    Rotation, Vpp, VppError, VppParams, VppStats, PROCAMP_RANGES,
};

/// The name the implementation reports.
pub const IMPLEMENTATION_NAME: &str = "vplrs";
