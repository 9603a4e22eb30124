//! The encode component (`MFXVideoENCODE_*`): pictures in runtime surfaces in, compressed
//! pictures out, through libavcodec's encoders (libx264, libx265, SVT-AV1 or libaom, MJPEG).
//!
//! - [`params`]: the parameters, `Query`'s checks and corrections, `QueryIOSurf`, and how
//!   `mfxInfoMFX` maps onto an encoder (rate control, GOP, TargetUsage as presets, profiles);
//! - `input`: a surface as encoder input, read in place (no copy: libavcodec holds a read mapping
//!   and the surface's Locked counter until it lets go) or converted once where the encoder
//!   cannot read the layout (counted);
//! - `headers`: the parameter sets out of band, for `GetVideoParam`'s SPS/PPS/VPS buffers;
//! - [`component`]: `Encode` — Init, Reset, Close, GetVideoParam, GetEncodeStat,
//!   `MFXMemory_GetSurfaceForEncode` and EncodeFrameAsync with its drain.
#![forbid(unsafe_code)]

pub mod component;
mod headers;
mod input;
pub mod params;

pub use component::{Encode, EncodeStats, EncodedFrame, FrameControl};
pub use headers::ParameterSets;
pub use params::{query, query_io_surf, EncodeCodec, EncodeParams, QueryOutcome, RateControl};

use vplrs_memory::{AcquireError, AllocError, MapError};

/// `mfxBitstream.FrameType` (`MFX_FRAMETYPE_*`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct FrameType(pub u16);

impl FrameType {
    pub const I: Self = Self(0x0001);
    pub const P: Self = Self(0x0002);
    pub const B: Self = Self(0x0004);
    pub const REF: Self = Self(0x0040);
    pub const IDR: Self = Self(0x0080);

    pub fn bits(self) -> u16 {
        self.0
    }

    pub fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }
}

impl std::ops::BitOr for FrameType {
    type Output = Self;
    fn bitor(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }
}

/// Why an encode call produced no picture.
#[derive(Debug, thiserror::Error)]
pub enum EncodeError {
    #[error("the encoder is not initialized")]
    NotInitialized,
    #[error("the encoder is already initialized")]
    AlreadyInitialized,
    /// The input was taken (or the stream is drained) and no compressed picture is ready.
    #[error("more data needed")]
    MoreData,
    /// The next compressed picture needs `needed` bytes; nothing was taken.
    #[error("the bitstream buffer is too small: {needed} bytes needed")]
    NotEnoughBuffer { needed: usize },
    #[error("unsupported encode parameters: {0}")]
    Unsupported(&'static str),
    #[error("invalid encode parameters: {0}")]
    InvalidParams(&'static str),
    #[error("parameters incompatible with the initialized encoder: {0}")]
    Incompatible(&'static str),
    #[error("invalid input surface: {0}")]
    InvalidSurface(&'static str),
    #[error("the encoder refused its parameters: {0}")]
    Open(vplrs_ffmpeg::FfmpegError),
    #[error("encoding failed: {0}")]
    Encoder(vplrs_ffmpeg::FfmpegError),
    #[error(transparent)]
    Acquire(#[from] AcquireError),
    #[error(transparent)]
    Alloc(#[from] AllocError),
    #[error(transparent)]
    Map(#[from] MapError),
    #[error(transparent)]
    CopyForbidden(#[from] vplrs_memory::copies::CopyForbidden),
}
