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
#![deny(missing_docs)]

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
    /// `MFX_FRAMETYPE_I`.
    pub const I: Self = Self(0x0001);
    /// `MFX_FRAMETYPE_P`.
    pub const P: Self = Self(0x0002);
    /// `MFX_FRAMETYPE_B`.
    pub const B: Self = Self(0x0004);
    /// `MFX_FRAMETYPE_REF`: later pictures may predict from it.
    pub const REF: Self = Self(0x0040);
    /// `MFX_FRAMETYPE_IDR`.
    pub const IDR: Self = Self(0x0080);

    /// The `MFX_FRAMETYPE_*` bits.
    pub fn bits(self) -> u16 {
        self.0
    }

    /// True if every bit of `other` is set.
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
    /// A call before Init or after Close.
    NotInitialized,
    #[error("the encoder is already initialized")]
    /// Init while initialised: Close first.
    AlreadyInitialized,
    /// The input was taken (or the stream is drained) and no compressed picture is ready.
    #[error("more data needed")]
    MoreData,
    /// The next compressed picture needs `needed` bytes; nothing was taken.
    #[error("the bitstream buffer is too small: {needed} bytes needed")]
    NotEnoughBuffer {
        /// Bytes the picture needs.
        needed: usize,
    },
    #[error("unsupported encode parameters: {0}")]
    /// Valid parameters this encoder does not do (`MFX_ERR_UNSUPPORTED`).
    Unsupported(&'static str),
    #[error("invalid encode parameters: {0}")]
    /// The parameters contradict themselves or the API (`MFX_ERR_INVALID_VIDEO_PARAM`).
    InvalidParams(&'static str),
    #[error("parameters incompatible with the initialized encoder: {0}")]
    /// A Reset that needs Close and Init (`MFX_ERR_INCOMPATIBLE_VIDEO_PARAM`).
    Incompatible(&'static str),
    #[error("invalid input surface: {0}")]
    /// An input surface of another format or size than the parameters.
    InvalidSurface(&'static str),
    #[error("the encoder refused its parameters: {0}")]
    /// libavcodec would not open the encoder with these parameters.
    Open(vplrs_ffmpeg::FfmpegError),
    #[error("encoding failed: {0}")]
    /// libavcodec's encoder failed on a frame.
    Encoder(vplrs_ffmpeg::FfmpegError),
    #[error(transparent)]
    /// No input surface from the pool.
    Acquire(#[from] AcquireError),
    #[error(transparent)]
    /// The pool could not be allocated.
    Alloc(#[from] AllocError),
    #[error(transparent)]
    /// An input surface could not be mapped.
    Map(#[from] MapError),
    #[error(transparent)]
    /// A copy was needed and `VPLRS_COPIES=forbid` is set.
    CopyForbidden(#[from] vplrs_memory::copies::CopyForbidden),
}
