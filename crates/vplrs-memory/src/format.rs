//! Pixel formats: which planes a FourCC has, how many bytes a sample takes, how chroma is subsampled.
//!
//! The byte orders are those `mfxstructures.h` documents, so a surface handed to C has the layout a
//! oneVPL application expects.

use std::fmt;

/// Builds a FourCC code the way `MFX_MAKEFOURCC` does (first character in the low byte).
pub const fn make_fourcc(code: &[u8; 4]) -> u32 {
    code[0] as u32 | (code[1] as u32) << 8 | (code[2] as u32) << 16 | (code[3] as u32) << 24
}

/// Chroma subsampling, with the values of `MFX_CHROMAFORMAT_*`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u16)]
pub enum ChromaFormat {
    /// `MFX_CHROMAFORMAT_MONOCHROME`: luma only.
    Monochrome = 0,
    /// `MFX_CHROMAFORMAT_YUV420`.
    Yuv420 = 1,
    /// `MFX_CHROMAFORMAT_YUV422`.
    Yuv422 = 2,
    /// `MFX_CHROMAFORMAT_YUV444` (and RGB).
    Yuv444 = 3,
}

impl ChromaFormat {
    /// The chroma format of an `MFX_CHROMAFORMAT_*` value.
    pub fn from_raw(value: u16) -> Option<Self> {
        Some(match value {
            0 => Self::Monochrome,
            1 => Self::Yuv420,
            2 => Self::Yuv422,
            3 => Self::Yuv444,
            _ => return None,
        })
    }
}

/// The frame formats vplrs stores in surfaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FourCc {
    /// 8-bit 4:2:0, Y plane then interleaved UV plane.
    Nv12,
    /// 8-bit 4:2:0, Y, U, V planes (`MFX_FOURCC_IYUV`).
    I420,
    /// 8-bit 4:2:0, Y, V, U planes.
    Yv12,
    /// 10-bit 4:2:0 like NV12, 16-bit little-endian samples with the value in the 10 high bits.
    P010,
    /// 8-bit 4:2:2 packed Y0 U Y1 V.
    Yuy2,
    /// 8-bit 4:4:4 packed; bytes V, U, Y, A in memory.
    Ayuv,
    /// 8-bit RGB with alpha; bytes B, G, R, A in memory (`MFX_FOURCC_RGB4`, alias BGRA).
    Rgb4,
    /// 8-bit RGB with alpha; bytes R, G, B, A in memory.
    Bgr4,
    /// 10-bit RGB packed in a little-endian u32: B in bits 0..10, G 10..20, R 20..30, A 30..32.
    A2Rgb10,
    /// 10-bit 4:4:4 packed in a little-endian u32: U 0..10, Y 10..20, V 20..30, A 30..32.
    Y410,
    /// 10-bit 4:2:2 packed like YUY2 (Y0 U Y1 V), 16-bit little-endian samples with the value in
    /// the 10 high bits.
    Y210,
}

/// One plane of a format: bytes per sample group and subsampling relative to luma.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlaneFormat {
    /// Bytes one luma-column of this plane occupies (NV12's UV plane: 1, as two chroma bytes
    /// cover two luma columns).
    pub bytes_per_pixel: u8,
    /// log2 of the vertical subsampling (1 for 4:2:0 chroma).
    pub vertical_shift: u8,
    /// log2 of the horizontal subsampling of the pitch relative to the luma pitch (1 for the U and
    /// V planes of I420, whose pitch is half the luma pitch).
    pub pitch_shift: u8,
}

const fn plane(bytes_per_pixel: u8, vertical_shift: u8, pitch_shift: u8) -> PlaneFormat {
    PlaneFormat { bytes_per_pixel, vertical_shift, pitch_shift }
}

impl FourCc {
    /// Every format vplrs lays out.
    pub const ALL: [FourCc; 11] = [
        Self::Nv12,
        Self::I420,
        Self::Yv12,
        Self::P010,
        Self::Yuy2,
        Self::Ayuv,
        Self::Rgb4,
        Self::Bgr4,
        Self::A2Rgb10,
        Self::Y410,
        Self::Y210,
    ];

    /// The `MFX_FOURCC_*` value.
    pub const fn code(self) -> u32 {
        match self {
            Self::Nv12 => make_fourcc(b"NV12"),
            Self::I420 => make_fourcc(b"IYUV"),
            Self::Yv12 => make_fourcc(b"YV12"),
            Self::P010 => make_fourcc(b"P010"),
            Self::Yuy2 => make_fourcc(b"YUY2"),
            Self::Ayuv => make_fourcc(b"AYUV"),
            Self::Rgb4 => make_fourcc(b"RGB4"),
            Self::Bgr4 => make_fourcc(b"BGR4"),
            Self::A2Rgb10 => make_fourcc(b"RG10"),
            Self::Y410 => make_fourcc(b"Y410"),
            Self::Y210 => make_fourcc(b"Y210"),
        }
    }

    /// Parses an `MFX_FOURCC_*` value (`I420` is accepted as the alias of `IYUV`).
    pub fn from_code(code: u32) -> Option<Self> {
        if code == make_fourcc(b"I420") {
            return Some(Self::I420);
        }
        Self::ALL.into_iter().find(|f| f.code() == code)
    }

    /// Parses a name as the CLI and y4m headers write it (`nv12`, `i420`, `bgra`, ...).
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name.to_ascii_lowercase().as_str() {
            "nv12" => Self::Nv12,
            "i420" | "iyuv" | "yuv420p" => Self::I420,
            "yv12" => Self::Yv12,
            "p010" => Self::P010,
            "yuy2" | "yuyv" => Self::Yuy2,
            "ayuv" => Self::Ayuv,
            "rgb4" | "bgra" => Self::Rgb4,
            "bgr4" | "rgba" => Self::Bgr4,
            "a2rgb10" | "rg10" => Self::A2Rgb10,
            "y410" => Self::Y410,
            "y210" => Self::Y210,
            _ => return None,
        })
    }

    /// The format's lower-case name ("nv12", "i420", ...).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Nv12 => "NV12",
            Self::I420 => "I420",
            Self::Yv12 => "YV12",
            Self::P010 => "P010",
            Self::Yuy2 => "YUY2",
            Self::Ayuv => "AYUV",
            Self::Rgb4 => "RGB4",
            Self::Bgr4 => "BGR4",
            Self::A2Rgb10 => "A2RGB10",
            Self::Y410 => "Y410",
            Self::Y210 => "Y210",
        }
    }

    /// The chroma format `mfxFrameInfo::ChromaFormat` must say for it.
    pub const fn chroma_format(self) -> ChromaFormat {
        match self {
            Self::Nv12 | Self::I420 | Self::Yv12 | Self::P010 => ChromaFormat::Yuv420,
            Self::Yuy2 | Self::Y210 => ChromaFormat::Yuv422,
            Self::Ayuv | Self::Y410 | Self::Rgb4 | Self::Bgr4 | Self::A2Rgb10 => ChromaFormat::Yuv444,
        }
    }

    /// Bits per component sample.
    pub const fn bit_depth(self) -> u16 {
        match self {
            Self::P010 | Self::A2Rgb10 | Self::Y410 | Self::Y210 => 10,
            _ => 8,
        }
    }

    /// `mfxFrameInfo::Shift`: 1 where 10-bit samples sit in the high bits of 16-bit words.
    pub const fn shift(self) -> u16 {
        matches!(self, Self::P010 | Self::Y210) as u16
    }

    /// True for the RGB formats.
    pub const fn is_rgb(self) -> bool {
        matches!(self, Self::Rgb4 | Self::Bgr4 | Self::A2Rgb10)
    }

    /// The planes in memory order.
    pub const fn planes(self) -> &'static [PlaneFormat] {
        const SEMI_PLANAR_8: [PlaneFormat; 2] = [plane(1, 0, 0), plane(1, 1, 0)];
        const SEMI_PLANAR_16: [PlaneFormat; 2] = [plane(2, 0, 0), plane(2, 1, 0)];
        const PLANAR_420: [PlaneFormat; 3] = [plane(1, 0, 0), plane(1, 1, 1), plane(1, 1, 1)];
        const PACKED_2: [PlaneFormat; 1] = [plane(2, 0, 0)];
        const PACKED_4: [PlaneFormat; 1] = [plane(4, 0, 0)];
        match self {
            Self::Nv12 => &SEMI_PLANAR_8,
            Self::P010 => &SEMI_PLANAR_16,
            Self::I420 | Self::Yv12 => &PLANAR_420,
            Self::Yuy2 => &PACKED_2,
            Self::Ayuv | Self::Rgb4 | Self::Bgr4 | Self::A2Rgb10 | Self::Y410 | Self::Y210 => &PACKED_4,
        }
    }

    /// Horizontal and vertical alignment a frame of this format needs so that every plane has a
    /// whole number of rows and samples.
    pub const fn size_alignment(self) -> (u32, u32) {
        match self.chroma_format() {
            ChromaFormat::Yuv420 => (2, 2),
            ChromaFormat::Yuv422 => (2, 1),
            _ => (1, 1),
        }
    }
}

impl fmt::Display for FourCc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
