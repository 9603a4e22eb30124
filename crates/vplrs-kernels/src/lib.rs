//! VPP pixel kernels: colour conversion, crop and resize between vplrs frame formats.
//!
//! This crate owns the pixel arithmetic of video processing and nothing else: it reads and writes
//! the borrowed plane views of `vplrs-memory` ([`FrameView`](vplrs_memory::FrameView),
//! [`FrameViewMut`](vplrs_memory::FrameViewMut)) and never allocates frames, touches surfaces or
//! knows about sessions. One call, [`Converter::convert`], crops a rect of the source, resizes it
//! to a rect of the destination and converts format, bit depth, matrix (BT.601/BT.709) and range
//! (limited/full), between every pair of [`FourCc`](vplrs_memory::FourCc)s.
//!
//! - [`converter`]: the entry point; checks arguments once, then dispatches to a fast path or to
//!   the general path.
//! - Fast paths: 8-bit 4:2:0 crop/resize/repack (NV12, I420, YV12) in fixed point, 8-bit <->
//!   P010, and YCbCr <-> RGBA through `yuvutils-rs`'s SIMD kernels.
//! - [`orient`](mod@orient): rotation by quarter turns and mirroring, exact, for every format
//!   but packed 4:2:2.
//! - [`procamp`]: brightness, contrast, hue and saturation of YCbCr pictures, in place.
//! - [`blend`]: two frames mixed by weight (frame interpolation).
//! - [`compose`]: pictures of several streams laid on one frame, opaque or blended
//!   (composition).
//! - [`denoise`]: spatial and temporal noise reduction (hqdn3d's algorithm), in place.
//! - [`detail`]: an unsharp mask on luma (detail enhancement), in place.
//! - [`fill`]: black around the picture rectangle (colour fill).
//! - [`deinterlace`]: interlaced frames made progressive by field interpolation (bob), and fields
//!   copied or swapped.
//! - General path: every format through an `f32` intermediate (4:4:4, or the chroma grid when
//!   both sides subsample chroma alike); the reference the fast paths are tested against.
//!
//! The resizer is our own (triangle filter, taps cached per geometry, SIMD through `wide`) rather
//! than `fast_image_resize`: it reads pitched planes and interleaved chroma in place and allocates
//! nothing per frame, which that crate's API (contiguous images, or an `unsafe` trait to
//! implement; filter coefficients allocated on every call) does not allow.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod blend;
mod color;
mod components;
pub mod compose;
pub mod converter;
pub mod deinterlace;
pub mod denoise;
pub mod detail;
mod error;
pub mod fill;
mod general;
pub mod orient;
mod p010;
pub mod parallel;
pub mod procamp;
mod resize_f32;
mod resize_u8;
mod rgb;
mod taps;
mod yuv420;

pub use blend::{blend_frames, blend_supports};
pub use color::{ColorSpec, Matrix, Range};
pub use compose::{compose_supports, paint_background, Blend, Compositor};
pub use converter::{Converter, Path};
pub use deinterlace::{bob, deinterlace_supports, process_fields, FieldProcessing, FirstField};
pub use denoise::{denoise_supports, Denoiser};
pub use detail::{detail_amount, detail_supports, sharpen};
pub use error::{KernelError, Side};
pub use fill::fill_outside;
pub use orient::{orient, Mirror, Orientation, Rotation};
pub use procamp::{apply_procamp, apply_procamp_copy, ProcAmp, PROCAMP_RANGES};
pub use vplrs_memory::Rect;
