//! Encoder parameters (`mfxVideoParam` with `mfxInfoMFX` for encode): their checks, the
//! corrections `Query` reports, and how they map onto a libavcodec encoder.

use vplrs_ffmpeg::{EncoderCodec, EncoderConfig, InputLayout, RateControl as FfRateControl};
use vplrs_memory::allocator::MemType;
use vplrs_memory::sizing::SurfaceRequest;
use vplrs_memory::{AllocationHints, FourCc, FrameInfo, PicStruct};
use vplrs_runtime::IoPattern;

use crate::EncodeError;

/// The coding standards vplrs encodes, with their `MFX_CODEC_*` codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EncodeCodec {
    /// H.264 (libx264).
    Avc,
    /// H.265 (libx265).
    Hevc,
    /// AV1 (SVT-AV1).
    Av1,
    /// JPEG (FFmpeg's MJPEG encoder).
    Jpeg,
}

impl EncodeCodec {
    /// Every codec vplrs encodes.
    pub const ALL: [EncodeCodec; 4] = [Self::Avc, Self::Hevc, Self::Av1, Self::Jpeg];

    /// Its `MFX_CODEC_*` value.
    pub fn code(self) -> u32 {
        let fourcc = |s: &[u8; 4]| u32::from_le_bytes(*s);
        match self {
            Self::Avc => fourcc(b"AVC "),
            Self::Hevc => fourcc(b"HEVC"),
            Self::Av1 => fourcc(b"AV1 "),
            Self::Jpeg => fourcc(b"JPEG"),
        }
    }

    /// The codec of an `MFX_CODEC_*` value.
    pub fn from_code(code: u32) -> Option<Self> {
        Self::ALL.into_iter().find(|codec| codec.code() == code)
    }

    pub(crate) fn backend(self) -> EncoderCodec {
        match self {
            Self::Avc => EncoderCodec::H264,
            Self::Hevc => EncoderCodec::Hevc,
            Self::Av1 => EncoderCodec::Av1,
            Self::Jpeg => EncoderCodec::Mjpeg,
        }
    }

    /// True when this FFmpeg build has an encoder for the codec.
    pub fn is_available(self) -> bool {
        self.backend().is_available()
    }

    /// The libavcodec encoder that does the work.
    pub fn encoder_name(self) -> Option<&'static str> {
        self.backend().encoder_name()
    }

    /// Input FourCCs: 8-bit 4:2:0 everywhere, 10-bit (P010) where the encoder has 10-bit profiles.
    pub fn input_fourccs(self) -> &'static [FourCc] {
        match self {
            Self::Hevc | Self::Av1 => &[FourCc::Nv12, FourCc::I420, FourCc::Yv12, FourCc::P010],
            Self::Avc | Self::Jpeg => &[FourCc::Nv12, FourCc::I420, FourCc::Yv12],
        }
    }

    /// Pictures the libavcodec encoder may keep referenced after the call that took them. The
    /// x264, x265 and SVT-AV1 wrappers copy pictures into the library's own look-ahead and let go
    /// at once; FFmpeg's MJPEG encoder (mpegvideo) may keep the last picture or two.
    fn held_frames(self) -> u16 {
        match self {
            Self::Avc | Self::Hevc | Self::Av1 => 0,
            Self::Jpeg => 2,
        }
    }
}

/// `mfxInfoMFX.RateControlMethod` with its parameters (kbps are 1000 bits per second).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RateControl {
    /// Constant bitrate.
    Cbr {
        /// Target kbps.
        kbps: u32,
    },
    /// Variable bitrate.
    Vbr {
        /// Target kbps.
        kbps: u32,
        /// The most kbps over the rate-control buffer.
        max_kbps: u32,
    },
    /// Constant quantisers, one per frame type.
    Cqp {
        /// I frames' QP.
        qpi: u16,
        /// P frames' QP.
        qpp: u16,
        /// B frames' QP.
        qpb: u16,
    },
    /// JPEG: `mfxInfoMFX.Quality`, 1 to 100.
    JpegQuality(u16),
}

/// `MFX_TARGETUSAGE_BALANCED`.
pub const TARGET_USAGE_BALANCED: u16 = 4;

/// What an encoder is initialised with.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EncodeParams {
    /// The codec.
    pub codec: EncodeCodec,
    /// Input surfaces: FourCC, allocated size, crop (the coded picture), frame rate, aspect.
    pub input: FrameInfo,
    /// Rate control and its parameters.
    pub rate_control: RateControl,
    /// 1 (best quality) to 7 (best speed); 0: balanced.
    pub target_usage: u16,
    /// Frames from one I-frame to the next; 0: the encoder's default.
    pub gop_pic_size: u16,
    /// Distance between anchor frames (B-frames + 1); 0: the encoder's default.
    pub gop_ref_dist: u16,
    /// IDR every this many I frames (0: every I frame is an IDR).
    pub idr_interval: u16,
    /// Reference frames (0: the encoder's default).
    pub num_ref_frame: u16,
    /// `MFX_PROFILE_*`; 0: chosen from the input.
    pub profile: u16,
    /// `MFX_LEVEL_*`; 0: the encoder's choice.
    pub level: u16,
    /// `BufferSizeInKB`: the rate-control buffer with a bitrate, else the largest compressed
    /// picture, in KB of 1000 bytes; 0: the default, filled in at Init.
    pub buffer_size_kb: u32,
    /// `InitialDelayInKB`: how full the rate-control buffer starts (CBR, VBR); 0: the default,
    /// half the buffer, filled in at Init.
    pub initial_delay_kb: u32,
    /// Operations in flight before `MFX_WRN_DEVICE_BUSY` (0: the default).
    pub async_depth: u16,
    /// Where the input frames live (system memory).
    pub io_pattern: IoPattern,
    /// `mfxExtAllocationHints` for the encode pool (`MFXMemory_GetSurfaceForEncode`).
    pub hints: AllocationHints,
}

impl EncodeParams {
    /// Balanced, VBR at `kbps`, progressive input of `input`'s size.
    pub fn new(codec: EncodeCodec, input: FrameInfo, rate_control: RateControl) -> Self {
        Self {
            codec,
            input,
            rate_control,
            target_usage: TARGET_USAGE_BALANCED,
            gop_pic_size: 0,
            gop_ref_dist: 0,
            idr_interval: 0,
            num_ref_frame: 0,
            profile: 0,
            level: 0,
            buffer_size_kb: 0,
            initial_delay_kb: 0,
            async_depth: 0,
            io_pattern: IoPattern::IN_SYSTEM_MEMORY,
            hints: AllocationHints::default(),
        }
    }

    /// The coded picture: the input's crop.
    pub fn coded_size(&self) -> (u32, u32) {
        let crop = self.input.effective_crop();
        (crop.width, crop.height)
    }

    /// Fills `BufferSizeInKB` and (with a bitrate) `InitialDelayInKB` the application left at 0,
    /// as GetVideoParam reports them.
    pub fn fill_buffer_defaults(&mut self) {
        if self.buffer_size_kb == 0 {
            self.buffer_size_kb = self.default_buffer_size_kb();
        }
        let with_bitrate = matches!(self.rate_control, RateControl::Cbr { .. } | RateControl::Vbr { .. });
        if with_bitrate {
            self.initial_delay_kb = match self.initial_delay_kb {
                0 => self.buffer_size_kb / 2,
                delay => delay.min(self.buffer_size_kb),
            };
        }
    }

    /// `BufferSizeInKB` when the application leaves it to the implementation: with a bitrate
    /// (CBR, VBR), the rate-control (VBV/HRD) buffer, one second of the peak rate, which bounds
    /// every compressed picture; without one (CQP, JPEG), the size of an uncompressed picture
    /// (no compressed picture is larger in practice).
    pub fn default_buffer_size_kb(&self) -> u32 {
        let peak_kbps = match self.rate_control {
            RateControl::Cbr { kbps } => kbps,
            RateControl::Vbr { kbps, max_kbps } => kbps.max(max_kbps),
            RateControl::Cqp { .. } | RateControl::JpegQuality(_) => 0,
        };
        if peak_kbps != 0 {
            // KB are 1000 bytes: kbit/s over 8 is one second in KB.
            return peak_kbps.div_ceil(8);
        }
        let (width, height) = self.coded_size();
        let bytes_per_sample = if self.input.fourcc == FourCc::P010 { 2 } else { 1 };
        let bytes = u64::from(width) * u64::from(height) * 3 / 2 * bytes_per_sample;
        u32::try_from(bytes.div_ceil(1000) + 64).unwrap_or(u32::MAX)
    }
}

/// `MFX_PROFILE_*` values the encoders understand.
pub mod profiles {
    /// H.264 Baseline.
    pub const AVC_BASELINE: u16 = 66;
    /// H.264 Main.
    pub const AVC_MAIN: u16 = 77;
    /// H.264 High.
    pub const AVC_HIGH: u16 = 100;
    /// H.264 Constrained Baseline.
    pub const AVC_CONSTRAINED_BASELINE: u16 = 66 + 0x200;
    /// H.265 Main.
    pub const HEVC_MAIN: u16 = 1;
    /// H.265 Main 10.
    pub const HEVC_MAIN10: u16 = 2;
    /// H.265 Main Still Picture.
    pub const HEVC_MAINSP: u16 = 3;
    /// AV1 Main.
    pub const AV1_MAIN: u16 = 1;
    /// JPEG Baseline.
    pub const JPEG_BASELINE: u16 = 1;
}

/// The profiles vplrs encodes for `codec` (the implementation description lists them).
pub fn supported_profiles(codec: EncodeCodec) -> &'static [u16] {
    use profiles::*;
    match codec {
        EncodeCodec::Avc => &[AVC_BASELINE, AVC_MAIN, AVC_HIGH],
        EncodeCodec::Hevc => &[HEVC_MAIN, HEVC_MAIN10],
        EncodeCodec::Av1 => &[AV1_MAIN],
        EncodeCodec::Jpeg => &[JPEG_BASELINE],
    }
}

/// The answer to `Query`: the parameters as vplrs would use them, and whether any was changed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QueryOutcome {
    /// The parameters as the encoder would take them.
    pub params: EncodeParams,
    /// Something was changed to a supported value (`MFX_WRN_INCOMPATIBLE_VIDEO_PARAM`).
    pub corrected: bool,
}

/// Checks `params` and corrects what can be corrected (`Query`, `Init`).
pub fn query(params: &EncodeParams) -> Result<QueryOutcome, EncodeError> {
    let mut out = *params;
    let mut corrected = false;
    if !params.codec.is_available() {
        return Err(EncodeError::Unsupported("no encoder for this codec in the installed FFmpeg"));
    }
    if params.io_pattern.contains(IoPattern::IN_VIDEO_MEMORY) {
        return Err(EncodeError::Unsupported("video memory: vplrs runs on the CPU, use system memory"));
    }
    if !params.io_pattern.contains(IoPattern::IN_SYSTEM_MEMORY) {
        return Err(EncodeError::InvalidParams("IOPattern must ask for system memory input"));
    }
    if !params.codec.input_fourccs().contains(&params.input.fourcc) {
        return Err(EncodeError::Unsupported("input FourCC: NV12, I420, YV12 (P010 for HEVC and AV1)"));
    }
    if params.input.pic_struct.has_fields() {
        return Err(EncodeError::Unsupported("field (interlaced) encoding"));
    }
    params.input.validate_memory().map_err(|_| EncodeError::InvalidParams("frame size or crop"))?;
    // libavcodec refuses pictures whose padded area reaches INT_MAX / 8 (av_image_check_size):
    // 16384x16384 is past it, 16384x16000 not.
    let padded = (u64::from(params.input.width) + 128) * (u64::from(params.input.height) + 128);
    if padded >= i32::MAX as u64 / 8 {
        return Err(EncodeError::Unsupported(
            "frame size: libavcodec's encoders take (width + 128) x (height + 128) below 268,435,455",
        ));
    }
    // Width and Height equal to the picture (640x360), as Intel's software runtime accepted:
    // corrected to the allocation the API requires, the picture kept as the crop.
    if params.input.validate().is_err() {
        out.input = params.input.aligned();
        corrected = true;
    }
    let crop = params.input.effective_crop();
    if crop.width < 2 || crop.height < 2 || crop.width % 2 != 0 || crop.height % 2 != 0 || crop.x % 2 != 0 {
        return Err(EncodeError::InvalidParams("4:2:0 pictures need even sizes and offsets"));
    }
    if crop.y % 2 != 0 {
        return Err(EncodeError::InvalidParams("4:2:0 pictures need an even vertical offset"));
    }
    if params.input.frame_rate.num == 0 || params.input.frame_rate.den == 0 {
        return Err(EncodeError::InvalidParams("the frame rate is required"));
    }
    if params.target_usage > 7 {
        out.target_usage = TARGET_USAGE_BALANCED;
        corrected = true;
    }
    if params.profile != 0 && !supported_profiles(params.codec).contains(&base_profile(params.codec, params.profile)) {
        return Err(EncodeError::Unsupported("codec profile"));
    }
    let ten_bit = params.input.fourcc == FourCc::P010;
    if params.codec == EncodeCodec::Hevc && params.profile != 0 {
        let wants_ten = params.profile == profiles::HEVC_MAIN10;
        if wants_ten != ten_bit {
            out.profile = if ten_bit { profiles::HEVC_MAIN10 } else { profiles::HEVC_MAIN };
            corrected = true;
        }
    }
    match params.rate_control {
        // No bitrate: the implementation's default for the size and rate (not a correction).
        RateControl::Cbr { kbps: 0 } => out.rate_control = RateControl::Cbr { kbps: default_kbps(params) },
        RateControl::Vbr { kbps: 0, max_kbps } => {
            let kbps = default_kbps(params);
            out.rate_control = RateControl::Vbr { kbps, max_kbps: if max_kbps == 0 { 0 } else { max_kbps.max(kbps) } };
        }
        RateControl::Vbr { kbps, max_kbps } if max_kbps != 0 && max_kbps < kbps => {
            out.rate_control = RateControl::Vbr { kbps, max_kbps: kbps };
            corrected = true;
        }
        RateControl::Cqp { qpi, qpp, qpb } => {
            let max = qp_max(params.codec);
            let clamp = |qp: u16| if qp == 0 { qp } else { qp.min(max) };
            let fixed = RateControl::Cqp { qpi: clamp(qpi), qpp: clamp(qpp), qpb: clamp(qpb) };
            if fixed != params.rate_control {
                out.rate_control = fixed;
                corrected = true;
            }
        }
        RateControl::JpegQuality(quality) if params.codec != EncodeCodec::Jpeg => {
            let _ = quality;
            return Err(EncodeError::Unsupported("Quality rate control is for JPEG"));
        }
        RateControl::JpegQuality(quality) if quality == 0 || quality > 100 => {
            out.rate_control = RateControl::JpegQuality(quality.clamp(1, 100));
            corrected = true;
        }
        _ => {}
    }
    if params.codec == EncodeCodec::Jpeg && !matches!(out.rate_control, RateControl::JpegQuality(_)) {
        return Err(EncodeError::Unsupported("JPEG is encoded at a Quality"));
    }
    if params.codec == EncodeCodec::Jpeg && (params.gop_ref_dist > 1) {
        out.gop_ref_dist = 1;
        corrected = true;
    }
    Ok(QueryOutcome { params: out, corrected })
}

/// A bitrate for applications that leave it to the implementation: bits per pixel per second
/// that give good quality at the encoders' default presets (0.1 for H.264, less for the newer
/// codecs).
pub fn default_kbps(params: &EncodeParams) -> u32 {
    let (width, height) = params.coded_size();
    let bits_per_pixel = match params.codec {
        EncodeCodec::Avc => 0.10,
        EncodeCodec::Hevc => 0.07,
        EncodeCodec::Av1 | EncodeCodec::Jpeg => 0.06,
    };
    let kbps = f64::from(width) * f64::from(height) * params.input.frame_rate.as_f64() * bits_per_pixel / 1000.0;
    (kbps.round() as u32).max(100)
}

/// The profile without AVC's constraint flags.
fn base_profile(codec: EncodeCodec, profile: u16) -> u16 {
    if codec == EncodeCodec::Avc {
        profile & 0xff
    } else {
        profile
    }
}

fn qp_max(codec: EncodeCodec) -> u16 {
    match codec {
        EncodeCodec::Avc | EncodeCodec::Hevc => 51,
        EncodeCodec::Av1 => 255,
        EncodeCodec::Jpeg => 100,
    }
}

/// `QueryIOSurf`: input surfaces of the coded size; the encoder keeps none beyond the call for the
/// codecs whose libraries copy their input (see [`EncodeCodec`]).
pub fn query_io_surf(params: &EncodeParams) -> Result<SurfaceRequest, EncodeError> {
    let checked = query(params)?.params;
    let mem_type = MemType::SYSTEM_MEMORY | MemType::EXTERNAL_FRAME | MemType::FROM_ENCODE;
    let mut info = checked.input;
    info.pic_struct = PicStruct::PROGRESSIVE;
    Ok(SurfaceRequest::for_component(info, mem_type, checked.codec.held_frames(), checked.async_depth))
}

/// The libavcodec encoder configuration for checked parameters.
pub(crate) fn encoder_config(params: &EncodeParams, layout: InputLayout) -> EncoderConfig {
    let (width, height) = params.coded_size();
    let kbps = |kbps: u32| u64::from(kbps) * 1000;
    let buffer_kb = if params.buffer_size_kb != 0 { params.buffer_size_kb } else { params.default_buffer_size_kb() };
    let initial_kb = match params.initial_delay_kb {
        0 => buffer_kb / 2,
        delay => delay.min(buffer_kb),
    };
    let initial_bits = u64::from(initial_kb) * 8000;
    let rate_control = match params.rate_control {
        // The application's BufferSizeInKB as the VBV buffer, else one second of the peak rate.
        RateControl::Cbr { kbps: rate } => {
            FfRateControl::Cbr { bitrate: kbps(rate), buffer_bits: u64::from(buffer_kb) * 8000, initial_bits }
        }
        RateControl::Vbr { kbps: rate, max_kbps } => FfRateControl::Vbr {
            bitrate: kbps(rate),
            max_bitrate: kbps(max_kbps),
            buffer_bits: u64::from(buffer_kb) * 8000,
            initial_bits,
        },
        RateControl::Cqp { qpi, qpp, qpb } => {
            let (default_p, default_offset) = default_qp(params.codec);
            let p = if qpp == 0 { default_p } else { u32::from(qpp) };
            let i = if qpi == 0 { p.saturating_sub(default_offset) } else { u32::from(qpi) };
            let b = if qpb == 0 { p + default_offset } else { u32::from(qpb) };
            FfRateControl::Cqp { i, p, b }
        }
        RateControl::JpegQuality(quality) => FfRateControl::Quality(u32::from(quality)),
    };
    let b_frames = match (params.codec, params.gop_ref_dist) {
        (EncodeCodec::Jpeg, _) => None,
        (_, 0) => None,
        (_, distance) => Some(u32::from(distance) - 1),
    };
    EncoderConfig {
        codec: params.codec.backend(),
        layout,
        width,
        height,
        frame_rate: (params.input.frame_rate.num, params.input.frame_rate.den),
        aspect: (u32::from(params.input.aspect.0), u32::from(params.input.aspect.1)),
        rate_control,
        gop_size: u32::from(params.gop_pic_size),
        b_frames,
        refs: u32::from(params.num_ref_frame),
        preset: preset(params.codec, params.target_usage),
        profile: profile_name(params.codec, params.profile),
        threads: 0,
        global_header: false,
    }
}

/// A default P-frame QP and the I/B offset, when the application leaves them to the encoder.
fn default_qp(codec: EncodeCodec) -> (u32, u32) {
    match codec {
        EncodeCodec::Avc | EncodeCodec::Hevc => (26, 2),
        EncodeCodec::Av1 => (35, 0),
        EncodeCodec::Jpeg => (8, 0),
    }
}

/// TargetUsage as an encoder preset: 1 is the slowest preset, 4 (balanced) the encoder's
/// default, 7 the fastest (the mapping FFmpeg's QSV wrappers use in reverse).
fn preset(codec: EncodeCodec, target_usage: u16) -> Option<String> {
    let usage = if target_usage == 0 { TARGET_USAGE_BALANCED } else { target_usage.min(7) };
    let index = usize::from(usage - 1);
    match codec {
        EncodeCodec::Avc | EncodeCodec::Hevc => {
            const X26X: [&str; 7] = ["veryslow", "slower", "slow", "medium", "fast", "faster", "veryfast"];
            Some(X26X[index].to_owned())
        }
        EncodeCodec::Av1 => {
            const SVT: [u8; 7] = [2, 4, 6, 8, 10, 11, 12];
            match params_av1_encoder() {
                Some("libsvtav1") => Some(SVT[index].to_string()),
                _ => None,
            }
        }
        EncodeCodec::Jpeg => None,
    }
}

fn params_av1_encoder() -> Option<&'static str> {
    EncodeCodec::Av1.encoder_name()
}

fn profile_name(codec: EncodeCodec, profile: u16) -> Option<String> {
    let name = match (codec, base_profile(codec, profile)) {
        (EncodeCodec::Avc, profiles::AVC_BASELINE) => "baseline",
        (EncodeCodec::Avc, profiles::AVC_MAIN) => "main",
        (EncodeCodec::Avc, profiles::AVC_HIGH) => "high",
        (EncodeCodec::Hevc, profiles::HEVC_MAIN) => "main",
        (EncodeCodec::Hevc, profiles::HEVC_MAIN10) => "main10",
        _ => return None,
    };
    Some(name.to_owned())
}
