//! `FrameInfo`: what a surface holds (the analog of `mfxFrameInfo`) and the rules it must obey.

use crate::format::{ChromaFormat, FourCc};

bitflags::bitflags! {
    /// Picture structure, with the bit values of `MFX_PICSTRUCT_*`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    pub struct PicStruct: u16 {
        /// A progressive frame.
        const PROGRESSIVE = 0x01;
        /// Two fields, the top one first.
        const FIELD_TFF = 0x02;
        /// Two fields, the bottom one first.
        const FIELD_BFF = 0x04;
        /// The first field shown again after the second (3:2 pull-down).
        const FIELD_REPEATED = 0x10;
        /// The frame shown twice.
        const FRAME_DOUBLING = 0x20;
        /// The frame shown three times.
        const FRAME_TRIPLING = 0x40;
        /// One field alone in the surface.
        const FIELD_SINGLE = 0x100;
        /// A single field paired with the previous one.
        const FIELD_PAIRED_PREV = 0x200;
        /// A single field paired with the next one.
        const FIELD_PAIRED_NEXT = 0x400;
    }
}

impl PicStruct {
    /// True when the surface holds fields (a complementary pair or a single field), which makes
    /// the allocated height a multiple of 32.
    pub fn has_fields(self) -> bool {
        self.intersects(Self::FIELD_TFF | Self::FIELD_BFF | Self::FIELD_SINGLE)
    }
}

/// A rectangle inside the allocated frame: the part that holds the picture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Rect {
    /// Left edge, in pixels.
    pub x: u32,
    /// Top edge, in pixels.
    pub y: u32,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// Frame rate as a fraction, like `FrameRateExtN / FrameRateExtD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FrameRate {
    /// Frames per `den` seconds (`FrameRateExtN`).
    pub num: u32,
    /// Seconds per `num` frames (`FrameRateExtD`).
    pub den: u32,
}

impl Default for FrameRate {
    fn default() -> Self {
        Self { num: 30, den: 1 }
    }
}

impl FrameRate {
    /// Frames per second (0 for an unknown rate).
    pub fn as_f64(self) -> f64 {
        if self.den == 0 {
            0.0
        } else {
            f64::from(self.num) / f64::from(self.den)
        }
    }
}

/// Everything about a frame but its pixels.
///
/// `width`/`height` are the allocated size (multiples of 16, of 32 in height for fields); `crop`
/// is the picture inside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FrameInfo {
    /// The pixel format.
    pub fourcc: FourCc,
    /// Allocated width (`Width`).
    pub width: u32,
    /// Allocated height (`Height`).
    pub height: u32,
    /// The picture inside the allocation (`CropX/Y/W/H`).
    pub crop: Rect,
    /// Progressive, or fields and their order.
    pub pic_struct: PicStruct,
    /// The frame rate (0/0: unknown).
    pub frame_rate: FrameRate,
    /// Pixel aspect ratio (0:0 when unknown).
    pub aspect: (u16, u16),
    /// Samples of more than 8 bits sit in the low bits of their 16-bit words (`mfxFrameInfo.Shift`
    /// 0); by default P010 holds them in the high bits (Shift 1), as the FourCC defines.
    pub lsb_aligned: bool,
}

/// Why a `FrameInfo` was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameInfoError {
    #[error("frame size {width}x{height} is empty")]
    /// A zero width or height.
    Empty {
        /// The width given.
        width: u32,
        /// The height given.
        height: u32,
    },
    #[error("allocated size {width}x{height} is not a multiple of {align_w}x{align_h}")]
    /// A size that is not a multiple of the alignment the API requires.
    Misaligned {
        /// The width given.
        width: u32,
        /// The height given.
        height: u32,
        /// The alignment the width needs.
        align_w: u32,
        /// The alignment the height needs.
        align_h: u32,
    },
    #[error("frame size {width}x{height} exceeds the limit of {max}x{max}")]
    /// A size past the largest frame.
    TooLarge {
        /// The width given.
        width: u32,
        /// The height given.
        height: u32,
        /// The largest width or height.
        max: u32,
    },
    #[error("crop {crop:?} does not fit in {width}x{height}")]
    /// A crop rectangle outside the frame.
    CropOutside {
        /// The crop given.
        crop: Rect,
        /// The frame's width.
        width: u32,
        /// The frame's height.
        height: u32,
    },
    #[error("unsupported FourCC {0:#010x}")]
    /// A FourCC vplrs does not lay out.
    UnsupportedFourCc(u32),
    #[error("chroma format {chroma:?} / bit depth {bit_depth} do not match {fourcc}")]
    /// A ChromaFormat or bit depth that contradicts the FourCC.
    FormatMismatch {
        /// The FourCC.
        fourcc: FourCc,
        /// The chroma format given.
        chroma: ChromaFormat,
        /// The bit depth given.
        bit_depth: u16,
    },
}

/// The largest width or height vplrs allocates (the limit of 16-bit `mfxFrameInfo` fields,
/// aligned down to 32).
pub const MAX_DIMENSION: u32 = 16384;

/// Rounds `value` up to a multiple of `align` (a power of two).
pub const fn align_up(value: u32, align: u32) -> u32 {
    (value + align - 1) & !(align - 1)
}

impl FrameInfo {
    /// A progressive frame whose picture is `width` x `height`, allocated at the next multiple of 16.
    pub fn new(fourcc: FourCc, width: u32, height: u32) -> Self {
        Self {
            fourcc,
            width: align_up(width.max(1), 16),
            height: align_up(height.max(1), 16),
            crop: Rect { x: 0, y: 0, width, height },
            pic_struct: PicStruct::PROGRESSIVE,
            frame_rate: FrameRate::default(),
            aspect: (1, 1),
            lsb_aligned: false,
        }
    }

    /// The same picture, for fields: the allocated height becomes a multiple of 32.
    pub fn with_pic_struct(mut self, pic_struct: PicStruct) -> Self {
        self.pic_struct = pic_struct;
        if pic_struct.has_fields() {
            self.height = align_up(self.height, 32);
        }
        self
    }

    /// This frame info with the rate `num`/`den`.
    pub fn with_frame_rate(mut self, num: u32, den: u32) -> Self {
        self.frame_rate = FrameRate { num, den };
        self
    }

    /// The chroma format of the FourCC.
    pub fn chroma_format(&self) -> ChromaFormat {
        self.fourcc.chroma_format()
    }

    /// Bits per sample of the FourCC (8 or 10).
    pub fn bit_depth(&self) -> u16 {
        self.fourcc.bit_depth()
    }

    /// The alignment the allocated height must have for this picture structure.
    pub fn height_alignment(&self) -> u32 {
        if self.pic_struct.has_fields() {
            32
        } else {
            16
        }
    }

    /// Checks the rules a component's frame info must obey: [`Self::validate_memory`], and an
    /// allocated size that is a multiple of 16 (32 in height for fields), as the API requires.
    pub fn validate(&self) -> Result<(), FrameInfoError> {
        self.validate_memory()?;
        let (width, height) = (self.width, self.height);
        let align_h = self.height_alignment();
        if width % 16 != 0 || height % align_h != 0 {
            return Err(FrameInfoError::Misaligned { width, height, align_w: 16, align_h });
        }
        Ok(())
    }

    /// The same picture in a frame allocated at the API's alignment (16, 32 in height for
    /// fields); an empty crop becomes the picture the unaligned size described.
    pub fn aligned(&self) -> Self {
        let mut aligned = *self;
        aligned.crop = self.effective_crop();
        aligned.width = align_up(self.width.max(1), 16);
        aligned.height = align_up(self.height.max(1), self.height_alignment());
        aligned
    }

    /// Checks what a frame in memory must obey (a size within limits, the crop inside it), but
    /// not the API's alignment of the allocated size: an application's own surface may be
    /// allocated at the picture's size (Intel's samples allocate 640x360 for a 640x360 encode).
    pub fn validate_memory(&self) -> Result<(), FrameInfoError> {
        let (width, height) = (self.width, self.height);
        if width == 0 || height == 0 {
            return Err(FrameInfoError::Empty { width, height });
        }
        if width > MAX_DIMENSION || height > MAX_DIMENSION {
            return Err(FrameInfoError::TooLarge { width, height, max: MAX_DIMENSION });
        }
        // Whole chroma samples (4:2:0 and 4:2:2 share them between two columns, 4:2:0 between
        // two rows) and whole field pairs.
        if width % 2 != 0 || height % 2 != 0 {
            return Err(FrameInfoError::Misaligned { width, height, align_w: 2, align_h: 2 });
        }
        let crop = self.crop;
        let fits = u64::from(crop.x) + u64::from(crop.width) <= u64::from(width)
            && u64::from(crop.y) + u64::from(crop.height) <= u64::from(height);
        if !fits {
            return Err(FrameInfoError::CropOutside { crop, width, height });
        }
        Ok(())
    }

    /// The crop rectangle, or the whole frame when the crop is empty (as oneVPL treats 0x0 crops).
    pub fn effective_crop(&self) -> Rect {
        if self.crop.width == 0 || self.crop.height == 0 {
            Rect { x: 0, y: 0, width: self.width, height: self.height }
        } else {
            self.crop
        }
    }
}
