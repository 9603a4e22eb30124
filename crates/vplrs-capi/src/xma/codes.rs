//! The return codes of the `vplrs_vp8_*` XMA interface (`include/vplrs_xma.h`) and the mapping of
//! the decoder's typed errors to them. The first codes keep libvpx's `vpx_codec_err_t` values;
//! every XMA rule and stream condition has its own code from 100 on.

use std::ffi::{c_char, c_int};

use vplrs_vp8::{DecodeError, PeekError, XmaError};

/// `vplrs_codec_err_t`: an integer, never a Rust enum read from C.
#[repr(transparent)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CodecErr(pub c_int);

impl CodecErr {
    pub const OK: Self = Self(0);
    pub const ERROR: Self = Self(1);
    pub const MEM_ERROR: Self = Self(2);
    pub const ABI_MISMATCH: Self = Self(3);
    pub const CORRUPT_FRAME: Self = Self(7);
    pub const INVALID_PARAM: Self = Self(8);
    pub const LIST_END: Self = Self(9);
    pub const EMPTY_INPUT: Self = Self(100);
    pub const NOT_KEYFRAME: Self = Self(101);
    pub const BAD_START_CODE: Self = Self(102);
    pub const TRUNCATED: Self = Self(103);
    pub const FRAME_CONCEALED: Self = Self(104);
    pub const FRAME_TOO_LARGE: Self = Self(105);
    pub const MEM_NOT_SET: Self = Self(110);
    pub const MEM_OUT_OF_ORDER: Self = Self(111);
    pub const MEM_DUPLICATE: Self = Self(112);
    pub const MEM_NULL_BASE: Self = Self(113);
    pub const MEM_MISALIGNED: Self = Self(114);
    pub const MEM_TOO_SMALL: Self = Self(115);
    pub const MEM_NOT_ZEROED: Self = Self(116);
    pub const MEM_UNKNOWN_ID: Self = Self(117);

    /// A static, NUL-terminated description.
    pub fn describe(self) -> &'static [u8] {
        match self {
            Self::OK => b"success\0",
            Self::ERROR => b"internal error\0",
            Self::MEM_ERROR => b"out of memory\0",
            Self::ABI_MISMATCH => b"structure size (sz) does not match this library\0",
            Self::CORRUPT_FRAME => b"corrupt frame\0",
            Self::INVALID_PARAM => b"invalid parameter\0",
            Self::LIST_END => b"end of list\0",
            Self::EMPTY_INPUT => b"empty input\0",
            Self::NOT_KEYFRAME => b"not a key frame\0",
            Self::BAD_START_CODE => b"invalid key frame start code\0",
            Self::TRUNCATED => b"truncated frame\0",
            Self::FRAME_CONCEALED => b"frame data ran out; frame concealed\0",
            Self::FRAME_TOO_LARGE => b"frame larger than the decoder's maximum size\0",
            Self::MEM_NOT_SET => b"not all memory segments are set\0",
            Self::MEM_OUT_OF_ORDER => b"segment set out of order\0",
            Self::MEM_DUPLICATE => b"segment already set\0",
            Self::MEM_NULL_BASE => b"segment base is NULL\0",
            Self::MEM_MISALIGNED => b"segment base misaligned\0",
            Self::MEM_TOO_SMALL => b"segment too small\0",
            Self::MEM_NOT_ZEROED => b"segment flagged ZERO is not zero-filled\0",
            Self::MEM_UNKNOWN_ID => b"unknown segment id\0",
            _ => b"unknown error code\0",
        }
    }

    pub fn as_c_str(self) -> *const c_char {
        self.describe().as_ptr().cast()
    }
}

impl From<PeekError> for CodecErr {
    fn from(error: PeekError) -> Self {
        match error {
            PeekError::Empty => Self::EMPTY_INPUT,
            PeekError::NotKeyFrame => Self::NOT_KEYFRAME,
            PeekError::BadStartCode => Self::BAD_START_CODE,
            PeekError::Truncated => Self::TRUNCATED,
            PeekError::ZeroDimension => Self::CORRUPT_FRAME,
        }
    }
}

impl From<XmaError> for CodecErr {
    fn from(error: XmaError) -> Self {
        match error {
            XmaError::OutOfOrder { .. } => Self::MEM_OUT_OF_ORDER,
            XmaError::Duplicate(_) => Self::MEM_DUPLICATE,
            XmaError::UnknownId(_) => Self::MEM_UNKNOWN_ID,
            XmaError::TooSmall { .. } => Self::MEM_TOO_SMALL,
            XmaError::Misaligned { .. } => Self::MEM_MISALIGNED,
            XmaError::NullBase(_) => Self::MEM_NULL_BASE,
            XmaError::NotZeroed(_) => Self::MEM_NOT_ZEROED,
            XmaError::BadDimensions { .. } => Self::INVALID_PARAM,
            // Every decoder made through this interface is in XMA mode.
            XmaError::NotXmaMode => Self::ERROR,
        }
    }
}

impl From<&DecodeError> for CodecErr {
    fn from(error: &DecodeError) -> Self {
        match error {
            DecodeError::EmptyFrame => Self::EMPTY_INPUT,
            DecodeError::Truncated(_) => Self::TRUNCATED,
            DecodeError::Damaged { .. } => Self::FRAME_CONCEALED,
            DecodeError::Corrupt(_) => Self::CORRUPT_FRAME,
            DecodeError::BadStartCode => Self::BAD_START_CODE,
            DecodeError::NoKeyFrame => Self::NOT_KEYFRAME,
            DecodeError::TooLarge { .. } => Self::FRAME_TOO_LARGE,
            DecodeError::SegmentsNotSet => Self::MEM_NOT_SET,
            DecodeError::OutOfMemory => Self::MEM_ERROR,
            #[allow(unreachable_patterns)]
            _ => Self::ERROR,
        }
    }
}
