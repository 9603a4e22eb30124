//! The libavcodec FFI of vplrs: this crate owns every call into FFmpeg (5.1, through
//! `ffmpeg-sys-next` bindings generated at build time from the installed headers), and all of the
//! workspace's `unsafe` for it. Every `unsafe` block says why it is sound (`// SAFETY:`), and no
//! panic crosses into libavcodec: each `extern "C"` callback runs under `catch_unwind`.
//!
//! - [`decoder`]: a decoding context with its bitstream parser: bytes in, pictures out;
//! - [`buffers`]: the `get_buffer2` callback that hands libavcodec the planes of a vplrs
//!   [`Surface`](vplrs_memory::Surface), so pictures are decoded straight into surface memory. While
//!   libavcodec holds a picture (as a reference or for reordering) the surface's Locked counter is
//!   raised; the `AVBufferRef` free callback lowers it and releases the surface;
//! - [`picture`]: a decoded picture, readable as plane slices, or handed over as its surface;
//! - [`encoder`]: an encoding context: pictures borrowed from their owners (surfaces) without a
//!   copy, released by libavcodec's buffer free callback when the encoder lets go, packets out;
//! - [`probe`](mod@probe): stream parameters from the first decoded picture (what `DecodeHeader` reports);
//! - [`shape`]: the size and format of a sequence as the parser reads it, before decoding;
//! - `damage`: which pictures libavcodec logged errors about (they are marked corrupt);
//! - [`codec`]: what they share: codec ids, the error type, the parser call, the log level.
//!
//! Threading: with slice threads `get_buffer2` runs on the thread that calls
//! [`Decoder::feed`]/[`Decoder::receive`]; with frame threads (a decode pool to draw on) on
//! libavcodec's workers. The callback is thread-safe either way (its state is behind mutexes and
//! atomics).
#![deny(missing_docs)]

pub mod buffers;
pub mod codec;
pub(crate) mod damage;
pub mod decoder;
pub mod encoder;
pub mod picture;
pub mod probe;
pub mod shape;

pub(crate) use ffmpeg_sys_next as sys;

pub use buffers::DirectTarget;
pub use codec::{CodecId, FfmpegError};
pub use decoder::{Decoder, DecoderConfig, FeedResult, HeldPacket};
pub use encoder::Encoder;
pub use encoder::{
    EncoderCodec, EncoderConfig, FrameOwner, InputLayout, InputPicture, Packet, PictureType, RateControl,
};
pub use picture::{Picture, PixelFormat};
pub use probe::{probe, StreamInfo};
pub use shape::ShapeProbe;
pub use shape::{StreamLimits, StreamShape};
