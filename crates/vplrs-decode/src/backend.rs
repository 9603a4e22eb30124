//! The codec backend contract.

use vplrs_memory::{FourCc, FrameViewMut};

/// Codecs, with the values of `MFX_CODEC_*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Codec {
    Vp8,
}

impl Codec {
    /// The `MFX_CODEC_*` FourCC.
    pub const fn code(self) -> u32 {
        match self {
            Self::Vp8 => vplrs_memory::format::make_fourcc(b"VP8 "),
        }
    }

    pub fn from_code(code: u32) -> Option<Self> {
        (code == Self::Vp8.code()).then_some(Self::Vp8)
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Vp8 => "VP8",
        }
    }
}

/// What a frame will do, known before it is decoded: it decides whether the call hands out an
/// output surface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FramePeek {
    /// The frame produces a picture (a hidden frame only updates references).
    pub shown: bool,
    pub key_frame: bool,
    /// Picture size, for key frames (inter frames keep the last key frame's).
    pub size: Option<(u32, u32)>,
}

/// A decoded picture's facts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Picture {
    pub width: u32,
    pub height: u32,
    /// Data ran out or was damaged and the picture was concealed (`MFX_CORRUPTION_MAJOR`).
    pub corrupted: bool,
}

/// Why a backend could not decode a frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    #[error("undecodable frame: {0}")]
    Bitstream(String),
    #[error("frame {width}x{height} does not fit the {max_width}x{max_height} surfaces")]
    TooLarge { width: u32, height: u32, max_width: u32, max_height: u32 },
}

/// A codec implementation, run on the decode component's lane.
pub trait DecoderBackend: Send + 'static {
    fn codec(&self) -> Codec;
    /// The FourCCs it can write pictures in.
    fn output_formats(&self) -> &'static [FourCc];
    /// Reads a frame's header, without decoding and without changing any state.
    fn peek(&self, data: &[u8]) -> Result<FramePeek, BackendError>;
    /// Decodes one frame. A shown frame's picture is written into `output` (cropped at the top
    /// left); hidden frames get no output.
    fn decode(&mut self, data: &[u8], output: Option<&mut FrameViewMut<'_>>) -> Result<Option<Picture>, BackendError>;
    /// Pixel copies made so far (a picture copied from codec memory into a surface counts one).
    fn copies(&self) -> u64;
}
