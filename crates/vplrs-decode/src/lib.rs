//! The decode component (`MFXVideoDECODE_*`): compressed frames in, pictures out in runtime
//! surfaces, asynchronously, in either memory model.
//!
//! - [`backend`]: what a codec backend provides (a peek at a frame before it is queued, and the
//!   decode itself into a surface view);
//! - [`vp8`]: the pure-Rust VP8 backend (`vplrs-vp8`), in internal or XMA memory;
//! - `avcodec`: the libavcodec stream backend (H.264, H.265, VP9, MJPEG, AV1) through
//!   `vplrs-ffmpeg`, decoding in place into surfaces (I420/YV12) or converting (NV12, P010), with
//!   the `ffmpeg` feature (on by default); without it only VP8 decodes and nothing links FFmpeg;
//! - [`stream`]: `StreamBackend`, what a decoder fed a byte stream provides;
//! - [`capabilities`]: the codecs, profiles and output formats decoded;
//! - [`component`]: `Decode` — QueryIOSurf, Init, Reset, DecodeFrameAsync with an application
//!   work surface (1.x) or none (2.x, from the decode pool), key-frame gating, skip modes, Close,
//!   statistics;
//! - [`header`]: DecodeHeader — the first sequence in the data, with [`parameter_sets`] (where
//!   H.264/H.265/JPEG sequences start, profile and level of the SPS).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "ffmpeg")]
mod avcodec;
#[cfg(not(feature = "ffmpeg"))]
#[path = "avcodec_absent.rs"]
mod avcodec;
pub mod backend;
pub mod capabilities;
pub mod component;
mod error;
pub mod header;
mod output;
pub mod parameter_sets;
mod params;
pub mod stream;
pub mod vp8;
mod worker;

pub use backend::{Codec, DecoderBackend, FramePeek, Picture};
pub use component::{Decode, DecodeError, DecodeParams, DecodeStats, DecodedFrame, SkipLevel, SkipMode};
pub use header::HeaderScan;
pub use stream::StreamBackend;
