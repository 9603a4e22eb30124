//! `mfxVideoParam` (the `mfx` member, for encode) to and from the encode component's
//! [`EncodeParams`], and the answers of `MFXVideoENCODE_Query`.
//!
//! vplrs encodes H.264 (libx264), H.265 (libx265), AV1 (SVT-AV1 or libaom) and JPEG (FFmpeg's
//! MJPEG) from system memory, with CBR, VBR and CQP rate control (JPEG: Quality). Extension
//! buffers of the coding-option family are accepted and their fields left to the encoder's
//! defaults; other buffers are refused.

use crate::status::Status;
use vplrs_encode::{EncodeCodec, EncodeParams, RateControl};
use vplrs_memory::{AllocationHints, FourCc, Rect};
use vplrs_runtime::IoPattern;

use crate::bindings::*;
use crate::decode::params::mfx;
use crate::ext::{ext_as, ext_buffers};
use crate::ffi::Outcome;
use crate::fields::{frame_info_from_c, frame_info_to_c};
use crate::vpp::hints_from_c;

/// Extension buffers whose presence is accepted (their options take the encoder's defaults). The
/// SPS/PPS/VPS buffers are accepted empty only: vplrs does not import parameter sets.
const TOLERATED_BUFFERS: [u32; 9] = [
    MFX_EXTBUFF_CODING_OPTION,
    MFX_EXTBUFF_CODING_OPTION2,
    MFX_EXTBUFF_CODING_OPTION3,
    MFX_EXTBUFF_VIDEO_SIGNAL_INFO,
    MFX_EXTBUFF_HEVC_PARAM,
    MFX_EXTBUFF_ENCODER_RESET_OPTION,
    MFX_EXTBUFF_CODING_OPTION_SPSPPS,
    MFX_EXTBUFF_CODING_OPTION_VPS,
    MFX_EXTBUFF_AV1_BITSTREAM_PARAM,
];

/// The encode members of `mfxInfoMFX`'s union.
fn coding(info: &mfxInfoMFX) -> mfxInfoMFX__bindgen_ty_1__bindgen_ty_1 {
    // SAFETY: every member of the union is a plain integer structure.
    unsafe { info.__bindgen_anon_1.__bindgen_anon_1 }
}

/// The JPEG encode members of `mfxInfoMFX`'s union.
fn jpeg(info: &mfxInfoMFX) -> mfxInfoMFX__bindgen_ty_1__bindgen_ty_4 {
    // SAFETY: as above.
    unsafe { info.__bindgen_anon_1.__bindgen_anon_4 }
}

/// The encoder parameters of a C `mfxVideoParam`: `MFX_ERR_UNSUPPORTED` for a codec or rate
/// control vplrs does not encode, `MFX_ERR_INVALID_VIDEO_PARAM` for the rest that is wrong.
pub(crate) fn params_from_c(par: &mfxVideoParam) -> Outcome<EncodeParams> {
    let info = mfx(par);
    let codec = EncodeCodec::from_code(info.CodecId).ok_or(Status::ERR_UNSUPPORTED)?;
    if par.Protected != 0 {
        return Err(Status::ERR_UNSUPPORTED);
    }
    let mut frame = info.FrameInfo;
    if frame.FourCC == 0 {
        frame.FourCC = MFX_FOURCC_NV12;
    }
    let mut input = frame_info_from_c(&frame).map_err(|status| {
        tracing::debug!(status = status.0, "encode frame info refused");
        if status == Status::ERR_UNSUPPORTED {
            status
        } else {
            Status::ERR_INVALID_VIDEO_PARAM
        }
    })?;
    if input.crop.width == 0 || input.crop.height == 0 {
        input.crop = Rect { x: 0, y: 0, width: input.width, height: input.height };
    }
    let multiplier = u32::from(info.BRCParamMultiplier.max(1));
    let coding = coding(&info);
    let rate_control = if codec == EncodeCodec::Jpeg {
        RateControl::JpegQuality(jpeg(&info).Quality)
    } else {
        // SAFETY: the three are unions of plain u16s; any bit pattern is a valid value.
        let (first, target, max) = unsafe {
            (coding.__bindgen_anon_1.QPI, coding.__bindgen_anon_2.TargetKbps, coding.__bindgen_anon_3.MaxKbps)
        };
        match u32::from(coding.RateControlMethod) {
            MFX_RATECONTROL_CBR => RateControl::Cbr { kbps: u32::from(target) * multiplier },
            // 0: the application left it to the implementation: VBR, as Intel's encoders choose.
            MFX_RATECONTROL_VBR | 0 => {
                RateControl::Vbr { kbps: u32::from(target) * multiplier, max_kbps: u32::from(max) * multiplier }
            }
            MFX_RATECONTROL_CQP => RateControl::Cqp { qpi: first, qpp: target, qpb: max },
            other => {
                tracing::debug!(method = other, "rate control method not supported");
                return Err(Status::ERR_UNSUPPORTED);
            }
        }
    };
    let mut params = EncodeParams::new(codec, input, rate_control);
    if codec != EncodeCodec::Jpeg {
        params.target_usage = coding.TargetUsage;
        params.gop_pic_size = coding.GopPicSize;
        params.gop_ref_dist = coding.GopRefDist;
        params.idr_interval = coding.IdrInterval;
        params.num_ref_frame = coding.NumRefFrame;
        params.buffer_size_kb = u32::from(coding.BufferSizeInKB) * multiplier;
        if matches!(params.rate_control, RateControl::Cbr { .. } | RateControl::Vbr { .. }) {
            // SAFETY: a union of plain u16s; InitialDelayInKB with a bitrate.
            params.initial_delay_kb = u32::from(unsafe { coding.__bindgen_anon_1.InitialDelayInKB }) * multiplier;
        }
    }
    params.profile = info.CodecProfile;
    params.level = info.CodecLevel;
    params.async_depth = par.AsyncDepth;
    params.io_pattern = IoPattern::from_bits_truncate(par.IOPattern);
    params.hints = hints_of(par)?;
    Ok(params)
}

fn hints_of(par: &mfxVideoParam) -> Outcome<AllocationHints> {
    let mut hints = AllocationHints::default();
    for buffer in ext_buffers(par)? {
        // SAFETY: the API requires every attached buffer pointer to be valid.
        let header = unsafe { buffer.as_ref() }.ok_or(Status::ERR_NULL_PTR)?;
        match header.BufferId {
            MFX_EXTBUFF_ALLOCATION_HINTS => {
                // SAFETY: a valid buffer, per the API.
                let c = unsafe { ext_as::<mfxExtAllocationHints>(buffer, header.BufferId) }
                    .ok_or(Status::ERR_INVALID_VIDEO_PARAM)?;
                hints = hints_from_c(&c)?;
            }
            MFX_EXTBUFF_CODING_OPTION_SPSPPS => {
                // SAFETY: a valid buffer, per the API.
                let c = unsafe { ext_as::<mfxExtCodingOptionSPSPPS>(buffer, header.BufferId) };
                if c.is_some_and(|c| {
                    (!c.SPSBuffer.is_null() && c.SPSBufSize > 0) || (!c.PPSBuffer.is_null() && c.PPSBufSize > 0)
                }) {
                    tracing::debug!("imported parameter sets are not supported");
                    return Err(Status::ERR_UNSUPPORTED);
                }
            }
            id if TOLERATED_BUFFERS.contains(&id) => {}
            id => {
                tracing::debug!(buffer = format_args!("{id:#010x}"), "extension buffer not supported by encode");
                return Err(Status::ERR_INVALID_VIDEO_PARAM);
            }
        }
    }
    Ok(hints)
}

/// Writes encoder parameters into a C `mfxVideoParam` (ExtParam is left as the caller set it).
/// Rates are written in kbps with the smallest `BRCParamMultiplier` that fits them in 16 bits.
pub(crate) fn params_to_c(params: &EncodeParams, out: &mut mfxVideoParam) {
    let mut info = mfx(out);
    info.CodecId = params.codec.code();
    info.CodecProfile = effective_profile(params);
    info.CodecLevel = params.level;
    frame_info_to_c(&params.input, &mut info.FrameInfo);
    if params.codec == EncodeCodec::Jpeg {
        let mut jpeg = jpeg(&info);
        jpeg.Interleaved = 1;
        if let RateControl::JpegQuality(quality) = params.rate_control {
            jpeg.Quality = quality;
        }
        info.__bindgen_anon_1.__bindgen_anon_4 = jpeg;
        info.BRCParamMultiplier = 0;
    } else {
        let mut coding = coding(&info);
        let largest = match params.rate_control {
            RateControl::Cbr { kbps } => kbps.max(params.buffer_size_kb),
            RateControl::Vbr { kbps, max_kbps } => kbps.max(max_kbps).max(params.buffer_size_kb),
            _ => params.buffer_size_kb,
        };
        let multiplier = largest.div_ceil(u32::from(u16::MAX)).max(1);
        let scaled = |value: u32| u16::try_from(value.div_ceil(multiplier)).unwrap_or(u16::MAX);
        coding.TargetUsage = params.target_usage;
        coding.GopPicSize = params.gop_pic_size;
        coding.GopRefDist = params.gop_ref_dist;
        coding.IdrInterval = params.idr_interval;
        coding.NumRefFrame = params.num_ref_frame;
        coding.BufferSizeInKB = scaled(params.buffer_size_kb);
        let (method, first, second, third) = match params.rate_control {
            RateControl::Cbr { kbps } => {
                (MFX_RATECONTROL_CBR, scaled(params.initial_delay_kb), scaled(kbps), scaled(kbps))
            }
            RateControl::Vbr { kbps, max_kbps } => {
                (MFX_RATECONTROL_VBR, scaled(params.initial_delay_kb), scaled(kbps), scaled(max_kbps))
            }
            RateControl::Cqp { qpi, qpp, qpb } => (MFX_RATECONTROL_CQP, qpi, qpp, qpb),
            RateControl::JpegQuality(_) => (0, 0, 0, 0),
        };
        coding.RateControlMethod = method as u16;
        coding.__bindgen_anon_1.QPI = first;
        coding.__bindgen_anon_2.TargetKbps = second;
        coding.__bindgen_anon_3.MaxKbps = third;
        info.__bindgen_anon_1.__bindgen_anon_1 = coding;
        info.BRCParamMultiplier = if multiplier > 1 { multiplier as u16 } else { 0 };
    }
    out.__bindgen_anon_1.mfx = info;
    out.IOPattern = params.io_pattern.bits();
    out.AsyncDepth = params.async_depth;
}

/// The profile the encoder produces when the application left it open.
fn effective_profile(params: &EncodeParams) -> u16 {
    use vplrs_encode::params::profiles;
    if params.profile != 0 {
        return params.profile;
    }
    match params.codec {
        EncodeCodec::Avc => profiles::AVC_HIGH,
        EncodeCodec::Hevc if params.input.fourcc == FourCc::P010 => profiles::HEVC_MAIN10,
        EncodeCodec::Hevc => profiles::HEVC_MAIN,
        EncodeCodec::Av1 => profiles::AV1_MAIN,
        EncodeCodec::Jpeg => profiles::JPEG_BASELINE,
    }
}

/// The marks `Query(NULL, out)` sets on the fields the encoder configures.
pub(crate) fn mark_configurable(out: &mut mfxVideoParam) {
    let mut marks = mfxFrameInfo { FourCC: 1, FrameRateExtN: 1, FrameRateExtD: 1, PicStruct: 1, ..Default::default() };
    marks.ChromaFormat = 1;
    marks.AspectRatioW = 1;
    marks.AspectRatioH = 1;
    marks.__bindgen_anon_1.__bindgen_anon_1 =
        mfxFrameInfo__bindgen_ty_1__bindgen_ty_1 { Width: 1, Height: 1, CropX: 1, CropY: 1, CropW: 1, CropH: 1 };
    let mut info = mfx(out);
    info.FrameInfo = marks;
    info.CodecId = 1;
    info.CodecProfile = 1;
    info.CodecLevel = 1;
    info.BRCParamMultiplier = 1;
    let mut coding = coding(&info);
    coding.TargetUsage = 1;
    coding.GopPicSize = 1;
    coding.GopRefDist = 1;
    coding.IdrInterval = 1;
    coding.RateControlMethod = 1;
    coding.BufferSizeInKB = 1;
    coding.NumRefFrame = 1;
    coding.__bindgen_anon_1.QPI = 1;
    coding.__bindgen_anon_2.TargetKbps = 1;
    coding.__bindgen_anon_3.MaxKbps = 1;
    info.__bindgen_anon_1.__bindgen_anon_1 = coding;
    out.__bindgen_anon_1.mfx = info;
    out.IOPattern = 1;
    out.AsyncDepth = 1;
    out.Protected = 0;
}
