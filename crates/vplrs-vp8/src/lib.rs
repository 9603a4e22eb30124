//! A pure-Rust, bit-exact VP8 decoder (RFC 6386) designed for XMA:
//! all working memory can be supplied by the application.
//!
//! # Overview
//!
//! * [`Decoder::new`] creates a decoder that allocates its own memory
//!   (internal mode). [`Decoder::new_xma`] creates one whose memory the
//!   application supplies, segment by segment ([`Decoder::get_mem_map`],
//!   [`Decoder::set_segment`]); see [`memory`] for the segment table.
//!   Both modes run the same code: internal mode simply allocates the
//!   segments itself.
//! * [`peek_stream_info`] reads the size of a stream from a key frame
//!   without a decoder, e.g. to size an XMA decoder.
//! * [`Decoder::decode`] decodes one compressed frame and returns a
//!   [`Frame`] (Y/U/V planes with strides, cropped size, scaling bits) when
//!   the frame is meant to be shown. [`Frame::write_i420`] writes the
//!   cropped I420 image as `vpxdec --i420` does.
//! * [`ivf`] reads IVF container files.
//!
//! Decoding a frame performs no heap allocation (in internal mode, except
//! when a key frame needs larger buffers, or with threads). Corrupt or truncated input
//! yields a [`DecodeError`]; it never panics or reads out of bounds.
//!
//! # Conformance and error behaviour
//!
//! Output is bit-exact with libvpx (`vpxdec --i420`) on the VP8 test
//! vectors and follows libvpx where the specification leaves room:
//! partitions are implicitly padded with zero bits (some encoders rely on
//! it), a token partition that runs dry stops contributing residual, and
//! references are updated even for damaged frames, so that decoding goes
//! on exactly as with `vpxdec`. Such frames are reported as
//! [`DecodeError::Damaged`] (the picture is available from
//! [`Decoder::last_frame`]). Zero-length frames return
//! [`DecodeError::EmptyFrame`] and change nothing, as in `vpxdec`.
//!
//! # Modules by specification stage
//!
//! `bool_decoder` (section 7), `header` (9, 19.2), `modes` (11, 16, 17),
//! `tokens` (13), `transform` (14), `intra` (12), `inter` (18),
//! `loopfilter` (15), `frame` (buffers and borders), `parse` (modes and
//! tokens of a macroblock), `recon` (reconstruction and the
//! single-threaded macroblock loop), `threads` (the threaded pipeline),
//! `decoder` (frame flow, references, segments), `memory` (XMA), [`ivf`]
//! (container).
//!
//! # Threads
//!
//! [`Decoder::set_threads`] lets an internal-mode decoder decode each
//! frame with a pipeline of up to three threads (parsing, reconstruction,
//! loop filter over macroblock rows); the output is bit-exact whatever the
//! thread count. XMA decoders are single-threaded (see
//! [`Decoder::set_threads`]).
//!
//! # XMA example
//!
//! ```
//! use vplrs_vp8::{AlignedBuffer, Decoder, MemMapCursor, Segment, StreamInfo};
//!
//! let info = StreamInfo::with_max_size(176, 144);
//! let mut dec = Decoder::new_xma(&info).unwrap();
//! let mut cursor = MemMapCursor::default();
//! while let Some(req) = dec.get_mem_map(&mut cursor) {
//!     let mem = AlignedBuffer::for_request(&req);
//!     dec.set_segment(Segment::new(req.id, Box::new(mem))).unwrap();
//! }
//! assert!(dec.segments_complete());
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]
// Index loops over several fixed-size arrays at once are deliberate in the
// pixel kernels: they keep the code close to the specification and let the
// compiler vectorize.
#![allow(clippy::needless_range_loop)]

mod bool_decoder;
mod decoder;
mod error;
mod frame;
mod header;
mod inter;
mod intra;
pub mod ivf;
mod loopfilter;
pub mod memory;
mod modes;
mod parse;
mod probs;
mod recon;
mod segment_id;
mod tables;
mod threads;
mod tokens;
mod transform;

pub use decoder::{AllocMode, Decoder};
pub use error::{DecodeError, IvfError, PeekError, XmaError};
pub use frame::Frame;
pub use header::{peek_stream_info, StreamInfo};
pub use memory::{
    AlignedBuffer, MemMapCursor, RejectedSegment, Segment, SegmentDtor, SegmentFlags, SegmentId, SegmentRequest,
    XmaMemory,
};
