//! The codec backend contract.

use vplrs_memory::{FourCc, FrameViewMut};

/// Codecs, with the values of `MFX_CODEC_*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Codec {
    /// Pure-Rust VP8 (`vplrs-vp8`), on the component's lane.
    Vp8,
    /// H.264 through libavcodec (`MFX_CODEC_AVC`).
    Avc,
    /// H.265 through libavcodec (`MFX_CODEC_HEVC`).
    Hevc,
    /// AV1 through libavcodec's libdav1d (or libaom) wrapper (`MFX_CODEC_AV1`).
    Av1,
    /// VP9 through libavcodec (`MFX_CODEC_VP9`).
    Vp9,
    /// Motion JPEG through libavcodec (`MFX_CODEC_JPEG`).
    Jpeg,
}

impl Codec {
    /// Every codec vplrs decodes.
    pub const ALL: [Codec; 6] = [Self::Vp8, Self::Avc, Self::Hevc, Self::Av1, Self::Vp9, Self::Jpeg];

    /// The `MFX_CODEC_*` FourCC.
    pub const fn code(self) -> u32 {
        use vplrs_memory::format::make_fourcc;
        match self {
            Self::Vp8 => make_fourcc(b"VP8 "),
            Self::Avc => make_fourcc(b"AVC "),
            Self::Hevc => make_fourcc(b"HEVC"),
            Self::Av1 => make_fourcc(b"AV1 "),
            Self::Vp9 => make_fourcc(b"VP9 "),
            Self::Jpeg => make_fourcc(b"JPEG"),
        }
    }

    /// The codec of an `MFX_CODEC_*` value.
    pub fn from_code(code: u32) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    /// A short name ("VP8", "H.264", ...).
    pub fn name(self) -> &'static str {
        match self {
            Self::Vp8 => "VP8",
            Self::Avc => "H.264",
            Self::Hevc => "H.265",
            Self::Av1 => "AV1",
            Self::Vp9 => "VP9",
            Self::Jpeg => "JPEG",
        }
    }

    /// True for the codecs libavcodec decodes, fed as a byte stream in any chunking (VP8, vplrs'
    /// own decoder, takes one frame per call).
    pub fn is_stream(self) -> bool {
        self != Self::Vp8
    }

    /// True when libavcodec's decoder can write pictures into our surfaces (`AV_CODEC_CAP_DR1`):
    /// the libdav1d and libaom wrappers cannot, so AV1 pictures are copied.
    pub fn decodes_in_place(self) -> bool {
        matches!(self, Self::Avc | Self::Hevc | Self::Vp9 | Self::Jpeg)
    }

    /// The highest skip level (`SetSkipMode`) the codec's decoder honours: libavcodec's H.264,
    /// H.265 and VP9 decoders skip loop filtering, then non-reference pictures (see
    /// `vplrs_ffmpeg::Decoder::set_skip_level`); the others decode everything.
    pub fn max_skip_level(self) -> u8 {
        match self {
            Self::Avc | Self::Hevc | Self::Vp9 => 4,
            Self::Vp8 | Self::Av1 | Self::Jpeg => 0,
        }
    }

    /// The most frames the codec may keep (references, reordering, the picture being decoded)
    /// when the stream's headers are not known.
    pub fn worst_case_held_frames(self) -> u16 {
        match self {
            Self::Vp8 => 0,
            Self::Avc | Self::Hevc => 16 + 2,
            Self::Av1 | Self::Vp9 => 8 + 2,
            Self::Jpeg => 2,
        }
    }
}

/// What a frame will do, known before it is decoded: it decides whether the call hands out an
/// output surface.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FramePeek {
    /// The frame produces a picture (a hidden frame only updates references).
    pub shown: bool,
    /// The frame is a key frame (decodable on its own).
    pub key_frame: bool,
    /// Picture size, for key frames (inter frames keep the last key frame's).
    pub size: Option<(u32, u32)>,
}

/// A decoded picture's facts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Picture {
    /// Its width in pixels.
    pub width: u32,
    /// Its height in pixels.
    pub height: u32,
    /// Data ran out or was damaged and the picture was concealed (`MFX_CORRUPTION_MAJOR`).
    pub corrupted: bool,
}

/// Why a backend could not decode a frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BackendError {
    #[error("undecodable frame: {0}")]
    /// The frame's data cannot be decoded (why, in the backend's words).
    Bitstream(String),
    #[error("frame {width}x{height} does not fit the {max_width}x{max_height} surfaces")]
    /// The frame is larger than the surfaces of Init.
    TooLarge {
        /// The frame's width.
        width: u32,
        /// The frame's height.
        height: u32,
        /// The surfaces' width.
        max_width: u32,
        /// The surfaces' height.
        max_height: u32,
    },
}

/// A codec implementation, run on the decode component's lane.
pub trait DecoderBackend: Send + 'static {
    /// The codec it decodes.
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
