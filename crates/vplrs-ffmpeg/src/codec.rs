//! What the decoder, the parser probe and the encoder share: libavcodec's codec ids, its errors,
//! the parser call and the logging level.

use std::ffi::CStr;
use std::ptr;

use crate::sys;

/// One `av_parser_parse2` call without timestamps of its own: the bytes used, and the packet
/// cut (a null pointer and 0 when none).
///
/// # Safety
/// `parser` and `ctx` must be valid; `data` must be readable for `size` bytes followed by
/// AV_INPUT_BUFFER_PADDING_SIZE more (or null with size 0: the flush request).
pub(crate) unsafe fn parse(
    parser: *mut sys::AVCodecParserContext,
    ctx: *mut sys::AVCodecContext,
    data: *const u8,
    size: libc::c_int,
    pts: i64,
) -> (libc::c_int, *mut u8, libc::c_int) {
    let mut out: *mut u8 = ptr::null_mut();
    let mut out_size: libc::c_int = 0;
    // SAFETY: per the contract.
    let used =
        unsafe { sys::av_parser_parse2(parser, ctx, &mut out, &mut out_size, data, size, pts, sys::AV_NOPTS_VALUE, 0) };
    (used, out, out_size)
}

/// The codecs vplrs decodes through libavcodec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CodecId {
    /// H.264.
    H264,
    /// H.265.
    Hevc,
    /// AV1.
    Av1,
    /// VP9.
    Vp9,
    /// Motion JPEG.
    Mjpeg,
}

impl CodecId {
    pub(crate) fn av_id(self) -> sys::AVCodecID {
        match self {
            Self::H264 => sys::AVCodecID::AV_CODEC_ID_H264,
            Self::Hevc => sys::AVCodecID::AV_CODEC_ID_HEVC,
            Self::Av1 => sys::AVCodecID::AV_CODEC_ID_AV1,
            Self::Vp9 => sys::AVCodecID::AV_CODEC_ID_VP9,
            Self::Mjpeg => sys::AVCodecID::AV_CODEC_ID_MJPEG,
        }
    }

    /// Decoders by preference: AV1's native decoder needs hardware in FFmpeg 5.1.
    pub(crate) fn decoder_names(self) -> &'static [&'static CStr] {
        match self {
            Self::Av1 => &[c"libdav1d", c"libaom-av1"],
            _ => &[],
        }
    }

    /// True when the stream is cut into packets by a parser (else a chunk is a packet).
    pub(crate) fn parsed(self) -> bool {
        matches!(self, Self::H264 | Self::Hevc | Self::Mjpeg)
    }
}

/// What went wrong in libavcodec.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FfmpegError {
    #[error("no libavcodec decoder for {0:?}")]
    /// This libavcodec has no decoder for the codec.
    NoDecoder(CodecId),
    #[error("no libavcodec encoder for {0:?}")]
    /// This libavcodec has no such encoder (its name).
    NoEncoder(&'static str),
    #[error("libavcodec could not allocate {0}")]
    /// An allocation in libavcodec failed (of what).
    Alloc(&'static str),
    #[error("{call} failed: {message} ({code})")]
    /// A libavcodec call failed.
    Call {
        /// The function.
        call: &'static str,
        /// Its `AVERROR` code.
        code: i32,
        /// `av_strerror`'s text for it.
        message: String,
    },
    #[error("the input chunk is larger than libavcodec accepts")]
    /// An input chunk past `i32::MAX` bytes.
    TooLarge,
}

impl FfmpegError {
    pub(crate) fn call(call: &'static str, code: i32) -> Self {
        let mut text = [0 as libc::c_char; 128];
        // SAFETY: the buffer is writable for its length, which we pass; av_strerror NUL-terminates.
        unsafe { sys::av_strerror(code, text.as_mut_ptr(), text.len()) };
        // SAFETY: NUL-terminated by av_strerror (or by our zero initialisation).
        let message = unsafe { CStr::from_ptr(text.as_ptr()) }.to_string_lossy().into_owned();
        Self::Call { call, code, message }
    }

    /// True for `AVERROR_INVALIDDATA` and friends: the bitstream, not the runtime, is at fault.
    pub fn is_bitstream(&self) -> bool {
        matches!(self, Self::Call { code, .. } if *code == sys::AVERROR_INVALIDDATA || *code == sys::AVERROR_PATCHWELCOME)
    }
}

/// libavcodec logs to stderr: only fatal messages unless `VPLRS_FFMPEG_LOG` is set (errors in a
/// stream are reported through statistics and surface flags instead).
pub(crate) fn quiet_logs() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if std::env::var_os("VPLRS_FFMPEG_LOG").is_none() {
            // SAFETY: sets a global integer in libavutil.
            unsafe { sys::av_log_set_level(sys::AV_LOG_FATAL) };
        }
    });
}
