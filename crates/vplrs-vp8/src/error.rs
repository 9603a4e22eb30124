//! Typed errors returned by the decoder, the XMA interface, stream peeking
//! and the IVF reader.

use crate::segment_id::SegmentId;

/// Errors from [`peek_stream_info`](crate::peek_stream_info).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PeekError {
    /// The buffer holds no bytes at all.
    #[error("empty input")]
    Empty,
    /// The frame is an inter frame; only key frames carry stream information.
    #[error("not a key frame")]
    NotKeyFrame,
    /// The key frame start code (0x9d 0x01 0x2a) is missing.
    #[error("invalid key frame start code")]
    BadStartCode,
    /// The buffer ends before the key frame header is complete.
    #[error("truncated frame header")]
    Truncated,
    /// The key frame declares a zero width or height.
    #[error("zero frame dimension")]
    ZeroDimension,
}

/// Errors from the XMA memory interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum XmaError {
    /// A segment was set before an earlier segment of the memory map.
    #[error("segment {got:?} set out of order (expected {expected:?})")]
    OutOfOrder {
        /// The segment the decoder expects next.
        expected: SegmentId,
        /// The segment that was supplied.
        got: SegmentId,
    },
    /// The segment has already been set.
    #[error("segment {0:?} was already set")]
    Duplicate(SegmentId),
    /// The identifier is not part of this decoder's memory map.
    #[error("unknown segment id {0:?}")]
    UnknownId(SegmentId),
    /// The supplied memory is smaller than requested.
    #[error("segment {id:?} too small: {provided} < {required} bytes")]
    TooSmall {
        /// Segment identifier.
        id: SegmentId,
        /// Size requested by the decoder.
        required: usize,
        /// Size supplied by the application.
        provided: usize,
    },
    /// The supplied memory does not honour the requested alignment.
    #[error("segment {id:?} misaligned: base {base:#x} is not a multiple of {align}")]
    Misaligned {
        /// Segment identifier.
        id: SegmentId,
        /// Requested alignment.
        align: usize,
        /// Base address supplied.
        base: usize,
    },
    /// No memory (a NULL base) was supplied.
    #[error("segment {0:?} has a null base")]
    NullBase(SegmentId),
    /// A segment flagged `ZERO` was not zero-filled.
    #[error("segment {0:?} must be zero-filled")]
    NotZeroed(SegmentId),
    /// The decoder was created in internal mode; its segments are its own.
    #[error("decoder is not in XMA mode")]
    NotXmaMode,
    /// The stream information describes an unusable size.
    #[error("invalid maximum dimensions {width}x{height}")]
    BadDimensions {
        /// Width requested.
        width: u32,
        /// Height requested.
        height: u32,
    },
}

/// Errors from [`Decoder::decode`](crate::Decoder::decode).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// A zero-length frame. Like `vpxdec`, nothing is decoded or shown and
    /// the decoder state is left untouched; decoding may continue.
    #[error("empty (zero-length) frame")]
    EmptyFrame,
    /// The frame is shorter than its headers or partitions declare.
    #[error("truncated frame: {0}")]
    Truncated(&'static str),
    /// The frame's data ran out while its macroblocks were being
    /// reconstructed. The frame was nevertheless completed exactly as the
    /// reference decoder (libvpx) completes it, and reference buffers were
    /// updated as signalled, so that later frames decode as they would
    /// with `vpxdec`. If `shown`, the damaged frame is available from
    /// [`Decoder::last_frame`](crate::Decoder::last_frame).
    #[error("frame data ran out during reconstruction (frame concealed)")]
    Damaged {
        /// Whether the frame was meant to be shown.
        shown: bool,
    },
    /// The bitstream is inconsistent.
    #[error("corrupt frame: {0}")]
    Corrupt(&'static str),
    /// The key frame start code is wrong.
    #[error("invalid key frame start code")]
    BadStartCode,
    /// An inter frame arrived before any key frame.
    #[error("stream must start with a key frame")]
    NoKeyFrame,
    /// The frame is larger than the maximum configured for an XMA decoder.
    #[error("frame {width}x{height} exceeds configured maximum {max_width}x{max_height}")]
    TooLarge {
        /// Frame width.
        width: u32,
        /// Frame height.
        height: u32,
        /// Configured maximum width.
        max_width: u32,
        /// Configured maximum height.
        max_height: u32,
    },
    /// Internal mode: the memory for a new frame size could not be
    /// allocated.
    #[error("out of memory allocating decoder buffers")]
    OutOfMemory,
    /// An XMA decoder was used before all memory segments were set.
    #[error("not all XMA segments have been set")]
    SegmentsNotSet,
}

/// Errors from the IVF reader.
#[derive(Debug, thiserror::Error)]
pub enum IvfError {
    /// The file does not start with the `DKIF` signature.
    #[error("bad IVF signature")]
    BadSignature,
    /// The header declares an unsupported version or header size.
    #[error("unsupported IVF header (version {version}, header size {header_size})")]
    BadHeader {
        /// Declared version.
        version: u16,
        /// Declared header length.
        header_size: u16,
    },
    /// The file ends inside the file header.
    #[error("truncated IVF file header")]
    TruncatedHeader,
    /// The file ends inside a frame header or frame payload.
    #[error("truncated IVF frame (declared {declared} bytes, {available} available)")]
    TruncatedFrame {
        /// Declared payload size.
        declared: u64,
        /// Bytes actually available.
        available: u64,
    },
    /// A frame declares a size above the reader's limit.
    #[error("IVF frame of {0} bytes exceeds the size limit")]
    FrameTooLarge(u64),
    /// An I/O error from the underlying reader.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}
