//! `mfxVideoParam` (the `mfx` member, for decode) to and from the decode component's
//! [`DecodeParams`], and the answers of `MFXVideoDECODE_Query`.
//!
//! vplrs decodes VP8 (its own decoder), H.264, H.265, VP9, AV1 and JPEG (libavcodec); any other
//! `CodecId` is `MFX_ERR_UNSUPPORTED`. Outputs are in system memory, in the formats of the
//! stream's profile (see [`output_fourccs`]): 8-bit 4:2:0 as NV12 (the default when FourCC is
//! 0), I420 or YV12; 10-bit 4:2:0 (H.264 High 10, H.265 Main10, VP9 profile 2, AV1) as P010;
//! 4:2:2 as YUY2 (Y210 for 10 bits) and 4:4:4 as AYUV (Y410) (the samples repacked, never
//! resampled).

use crate::status::Status;
use vplrs_decode::{Codec, DecodeParams};
use vplrs_memory::info::{align_up, MAX_DIMENSION};
use vplrs_memory::{AllocationHints, FourCc, Rect};
use vplrs_runtime::IoPattern;

use crate::bindings::*;
use crate::ext::{ext_as, ext_buffers};
use crate::ffi::Outcome;
use crate::fields::{frame_info_from_c, frame_info_to_c, frame_size, set_frame_size};
use crate::vpp::hints_from_c;

/// The 8-bit 4:2:0 output formats every decoder writes.
pub(crate) const OUTPUT_FOURCCS: [u32; 3] = [MFX_FOURCC_NV12, MFX_FOURCC_I420, MFX_FOURCC_YV12];

/// The output format of 10-bit 4:2:0 profiles.
const OUTPUT_FOURCCS_10: [u32; 1] = [MFX_FOURCC_P010];

/// AV1 Main: 8-bit or 10-bit 4:2:0.
const OUTPUT_FOURCCS_8_10: [u32; 4] = [MFX_FOURCC_NV12, MFX_FOURCC_I420, MFX_FOURCC_YV12, MFX_FOURCC_P010];

/// JPEG: 4:2:0 pictures as NV12/I420/YV12, 4:2:2 as YUY2, 4:4:4 as AYUV.
const OUTPUT_FOURCCS_JPEG: [u32; 5] =
    [MFX_FOURCC_NV12, MFX_FOURCC_I420, MFX_FOURCC_YV12, MFX_FOURCC_YUY2, MFX_FOURCC_AYUV];

/// The 4:2:2/4:4:4 profiles of the video codecs, 8 or 10 bits: JPEG's formats, and 10-bit
/// 4:2:0 as P010, 4:2:2 as Y210, 4:4:4 as Y410.
const OUTPUT_FOURCCS_CHROMA: [u32; 8] = [
    MFX_FOURCC_NV12,
    MFX_FOURCC_I420,
    MFX_FOURCC_YV12,
    MFX_FOURCC_YUY2,
    MFX_FOURCC_AYUV,
    MFX_FOURCC_P010,
    MFX_FOURCC_Y210,
    MFX_FOURCC_Y410,
];

/// `MFX_PROFILE_JPEG_BASELINE` (`mfxjpeg.h`, which `mfx.h` does not include).
pub(crate) const MFX_PROFILE_JPEG_BASELINE: u32 = 1;

/// VP8 profiles (`MFX_PROFILE_VP8_0..3`, the bitstream's version + 1).
pub(crate) const VP8_PROFILES: [u32; 4] = [MFX_PROFILE_VP8_0, MFX_PROFILE_VP8_1, MFX_PROFILE_VP8_2, MFX_PROFILE_VP8_3];

/// H.264's High 4:4:4 Predictive profile (`profile_idc` 244; mfxstructures.h names none).
const AVC_HIGH_444: u32 = 244;

/// H.264 profiles decoded: 8-bit 4:2:0, High 10 (P010), High 4:2:2 and High 4:4:4 Predictive
/// (8-bit 4:2:2 as YUY2, 4:4:4 as AYUV); the constraint flags are ignored.
pub(crate) const AVC_PROFILES: [u32; 6] = [
    MFX_PROFILE_AVC_BASELINE,
    MFX_PROFILE_AVC_MAIN,
    MFX_PROFILE_AVC_HIGH,
    MFX_PROFILE_AVC_HIGH10,
    MFX_PROFILE_AVC_HIGH_422,
    AVC_HIGH_444,
];

/// H.265 profiles decoded: Main and Main Still Picture (8-bit), Main10 (P010), and the range
/// extensions' 8-bit 4:2:2 (YUY2) and 4:4:4 (AYUV).
pub(crate) const HEVC_PROFILES: [u32; 4] =
    [MFX_PROFILE_HEVC_MAIN, MFX_PROFILE_HEVC_MAINSP, MFX_PROFILE_HEVC_MAIN10, MFX_PROFILE_HEVC_REXT];

/// VP9 profiles decoded: 0 (8-bit 4:2:0), 1 (8-bit 4:2:2 and 4:4:4), 2 (10-bit 4:2:0, P010) and
/// 3 (10-bit 4:2:2 and 4:4:4, Y210 and Y410).
pub(crate) const VP9_PROFILES: [u32; 4] = [MFX_PROFILE_VP9_0, MFX_PROFILE_VP9_1, MFX_PROFILE_VP9_2, MFX_PROFILE_VP9_3];

/// AV1 profiles decoded: Main (4:2:0, 8 or 10 bits).
pub(crate) const AV1_PROFILES: [u32; 1] = [MFX_PROFILE_AV1_MAIN];

/// JPEG profiles decoded: baseline (libavcodec also reads extended and progressive pictures,
/// which DecodeHeader reports with profile 0).
pub(crate) const JPEG_PROFILES: [u32; 1] = [MFX_PROFILE_JPEG_BASELINE];

/// The codecs the C API decodes.
pub(crate) const CODECS: [Codec; 6] = [Codec::Vp8, Codec::Avc, Codec::Hevc, Codec::Vp9, Codec::Av1, Codec::Jpeg];

pub(crate) fn mfx(par: &mfxVideoParam) -> mfxInfoMFX {
    // SAFETY: the members of the union are plain integer structures; decode reads `mfx`.
    unsafe { par.__bindgen_anon_1.mfx }
}

/// The codec `par` asks for, if vplrs decodes it through the C API.
pub(crate) fn codec_of(par: &mfxVideoParam) -> Option<Codec> {
    codec_of_id(mfx(par).CodecId)
}

fn codec_of_id(id: u32) -> Option<Codec> {
    Codec::from_code(id).filter(|codec| CODECS.contains(codec))
}

/// The profiles of a codec (`MFX_PROFILE_*`), as the implementation description lists them.
pub(crate) fn profiles(codec: Codec) -> &'static [u32] {
    match codec {
        Codec::Vp8 => &VP8_PROFILES,
        Codec::Avc => &AVC_PROFILES,
        Codec::Hevc => &HEVC_PROFILES,
        Codec::Vp9 => &VP9_PROFILES,
        Codec::Av1 => &AV1_PROFILES,
        Codec::Jpeg => &JPEG_PROFILES,
    }
}

/// True for libavcodec's codecs: bitstream in any chunking, pictures reordered.
pub(crate) fn is_stream_codec(codec: Codec) -> bool {
    codec.is_stream()
}

/// The output formats of a codec's profile, as the implementation description lists them.
pub(crate) fn output_fourccs(codec: Codec, profile: u32) -> &'static [u32] {
    match (codec, profile) {
        (Codec::Hevc, MFX_PROFILE_HEVC_MAIN10)
        | (Codec::Vp9, MFX_PROFILE_VP9_2)
        | (Codec::Avc, MFX_PROFILE_AVC_HIGH10) => &OUTPUT_FOURCCS_10,
        (Codec::Av1, _) => &OUTPUT_FOURCCS_8_10,
        (Codec::Jpeg, _) => &OUTPUT_FOURCCS_JPEG,
        (Codec::Avc, MFX_PROFILE_AVC_HIGH_422 | AVC_HIGH_444)
        | (Codec::Hevc, MFX_PROFILE_HEVC_REXT)
        | (Codec::Vp9, MFX_PROFILE_VP9_1 | MFX_PROFILE_VP9_3) => &OUTPUT_FOURCCS_CHROMA,
        _ => &OUTPUT_FOURCCS,
    }
}

/// The output format `code` asks for, if one of the codec's profiles writes it (0: NV12).
fn output_fourcc(codec: Codec, code: u32) -> Option<FourCc> {
    if code == 0 {
        return Some(FourCc::Nv12);
    }
    let known = profiles(codec).iter().any(|&profile| output_fourccs(codec, profile).contains(&code));
    known.then(|| FourCc::from_code(code)).flatten()
}

fn profile_supported(codec: Codec, profile: u16) -> bool {
    // H.264's constraint flags ride above the profile_idc.
    let base = if codec == Codec::Avc { profile & 0xff } else { profile };
    profile == 0 || profiles(codec).contains(&u32::from(base))
}

/// The decoder parameters of a C `mfxVideoParam`. A codec vplrs does not decode is
/// `MFX_ERR_UNSUPPORTED` (checked before anything else is read); everything else that is wrong is
/// `MFX_ERR_INVALID_VIDEO_PARAM` (`Init` and `QueryIOSurf` document that code).
///
/// For H.264 and H.265, `MaxDecFrameBuffering` (which `DecodeHeader` fills) is the number of
/// frames the decoder keeps at once; 0 means the codec's worst case.
pub(crate) fn params_from_c(par: &mfxVideoParam) -> Outcome<DecodeParams> {
    let codec = codec_of(par).ok_or(Status::ERR_UNSUPPORTED)?;
    let mfx = mfx(par);
    if par.Protected != 0 || !profile_supported(codec, mfx.CodecProfile) {
        return Err(Status::ERR_INVALID_VIDEO_PARAM);
    }
    let fourcc = output_fourcc(codec, mfx.FrameInfo.FourCC).ok_or(Status::ERR_INVALID_VIDEO_PARAM)?;
    let mut info = mfx.FrameInfo;
    info.FourCC = fourcc.code();
    let mut output = frame_info_from_c(&info).map_err(|_| Status::ERR_INVALID_VIDEO_PARAM)?;
    if output.crop.width == 0 || output.crop.height == 0 {
        output.crop = Rect { x: 0, y: 0, width: output.width, height: output.height };
    }
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
            _ => return Err(Status::ERR_INVALID_VIDEO_PARAM),
        }
    }
    let held_frames = match codec {
        // VP8 keeps its references in its own memory: no surface is held.
        Codec::Vp8 => Some(0),
        // JPEG's options share the union with MaxDecFrameBuffering: the codec's worst case.
        Codec::Jpeg => {
            // SAFETY: the JPEG decoding options of the union are plain integers.
            if unsafe { mfx.__bindgen_anon_1.__bindgen_anon_3.Rotation } != MFX_ROTATION_0 as u16 {
                return Err(Status::ERR_INVALID_VIDEO_PARAM);
            }
            None
        }
        _ => {
            // SAFETY: the decoding options of the union are plain integers.
            let buffering = unsafe { mfx.__bindgen_anon_1.__bindgen_anon_2.MaxDecFrameBuffering };
            (buffering != 0).then_some(buffering)
        }
    };
    Ok(DecodeParams {
        codec,
        output,
        async_depth: par.AsyncDepth,
        io_pattern: IoPattern::from_bits_truncate(par.IOPattern),
        hints,
        held_frames,
        profile: mfx.CodecProfile,
        level: mfx.CodecLevel,
    })
}

/// Writes decoder parameters into a C `mfxVideoParam` (ExtParam is left as the caller set it).
pub(crate) fn params_to_c(params: &DecodeParams, profile: u16, out: &mut mfxVideoParam) {
    let mut mfx = mfx(out);
    mfx.CodecId = params.codec.code();
    mfx.CodecProfile = profile;
    frame_info_to_c(&params.output, &mut mfx.FrameInfo);
    out.__bindgen_anon_1.mfx = mfx;
    out.IOPattern = params.io_pattern.bits();
    out.AsyncDepth = params.async_depth;
}

/// `Query(NULL, out)`: a non-zero value marks each field `Init` configures.
pub(crate) fn mark_configurable(out: &mut mfxVideoParam) {
    let mut marks = mfxFrameInfo { FourCC: 1, FrameRateExtN: 1, FrameRateExtD: 1, PicStruct: 1, ..Default::default() };
    marks.ChromaFormat = 1;
    marks.AspectRatioW = 1;
    marks.AspectRatioH = 1;
    set_frame_size(
        &mut marks,
        mfxFrameInfo__bindgen_ty_1__bindgen_ty_1 { Width: 1, Height: 1, CropX: 1, CropY: 1, CropW: 1, CropH: 1 },
    );
    let mut mfx = mfxInfoMFX { FrameInfo: marks, CodecId: 1, CodecProfile: 1, ..Default::default() };
    mfx.CodecLevel = 0;
    out.__bindgen_anon_1.mfx = mfx;
    out.IOPattern = 1;
    out.AsyncDepth = 1;
    out.Protected = 0;
}

/// `Query(in, out)`: `out` gets `in` corrected. Returns the status to report.
///
/// - not VP8, H.264, H.265, VP9, AV1 or JPEG: CodecId zeroed, `MFX_ERR_UNSUPPORTED`;
/// - unknown profile, an output FourCC none of the codec's profiles writes, a chroma format other
///   than the FourCC's, a JPEG rotation,
///   video memory output, protected content, a size beyond 16384: that field zeroed,
///   `MFX_ERR_UNSUPPORTED`;
/// - Width/Height not multiples of 16, or a crop outside the frame: corrected,
///   `MFX_WRN_INCOMPATIBLE_VIDEO_PARAM`.
pub(crate) fn query(input: &mfxVideoParam, out: &mut mfxVideoParam) -> Status {
    let (ext, num_ext) = (out.ExtParam, out.NumExtParam);
    *out = *input;
    out.ExtParam = ext;
    out.NumExtParam = num_ext;
    let mut mfx = mfx(input);
    let Some(codec) = codec_of_id(mfx.CodecId) else {
        mfx.CodecId = 0;
        out.__bindgen_anon_1.mfx = mfx;
        return Status::ERR_UNSUPPORTED;
    };
    let mut unsupported = false;
    let mut corrected = false;
    if !profile_supported(codec, mfx.CodecProfile) {
        mfx.CodecProfile = 0;
        unsupported = true;
    }
    let info = &mut mfx.FrameInfo;
    if output_fourcc(codec, info.FourCC).is_none() {
        info.FourCC = 0;
        unsupported = true;
    }
    // The chroma format must be the output format's (4:2:0 when the FourCC is not supported).
    let chroma = output_fourcc(codec, info.FourCC).map_or(MFX_CHROMAFORMAT_YUV420, |f| f.chroma_format() as u32);
    if info.ChromaFormat != 0 && u32::from(info.ChromaFormat) != chroma {
        info.ChromaFormat = 0;
        unsupported = true;
    }
    let mut size = frame_size(info);
    for dimension in [&mut size.Width, &mut size.Height] {
        let value = u32::from(*dimension);
        if value > MAX_DIMENSION {
            *dimension = 0;
            unsupported = true;
        } else if value % 16 != 0 {
            *dimension = align_up(value, 16) as u16;
            corrected = true;
        }
    }
    if u32::from(size.CropX) + u32::from(size.CropW) > u32::from(size.Width) {
        size.CropX = 0;
        size.CropW = size.CropW.min(size.Width);
        corrected = true;
    }
    if u32::from(size.CropY) + u32::from(size.CropH) > u32::from(size.Height) {
        size.CropY = 0;
        size.CropH = size.CropH.min(size.Height);
        corrected = true;
    }
    set_frame_size(info, size);
    out.__bindgen_anon_1.mfx = mfx;
    if input.IOPattern & MFX_IOPATTERN_OUT_VIDEO_MEMORY as u16 != 0 {
        out.IOPattern = 0;
        unsupported = true;
    }
    if input.Protected != 0 {
        out.Protected = 0;
        unsupported = true;
    }
    if unsupported {
        Status::ERR_UNSUPPORTED
    } else if corrected {
        Status::WRN_INCOMPATIBLE_VIDEO_PARAM
    } else {
        Status::ERR_NONE
    }
}

/// Fills `par` from a VP8 key frame's header, as `DecodeHeader` does: codec, profile, an NV12 (or
/// the I420/YV12 the application already asked for) frame info of the picture's size; VP8 carries
/// no frame rate, so 30/1 when the application set none.
pub(crate) fn header_to_c(params: &DecodeParams, profile: u16, par: &mut mfxVideoParam) {
    let previous = mfx(par).FrameInfo;
    let mut params = *params;
    if let Some(fourcc @ (FourCc::I420 | FourCc::Yv12)) = FourCc::from_code(previous.FourCC) {
        params.output.fourcc = fourcc;
    }
    if previous.FrameRateExtN != 0 && previous.FrameRateExtD != 0 {
        params.output.frame_rate.num = previous.FrameRateExtN;
        params.output.frame_rate.den = previous.FrameRateExtD;
    } else {
        params.output.frame_rate.num = 30;
        params.output.frame_rate.den = 1;
    }
    let (io_pattern, async_depth) = (par.IOPattern, par.AsyncDepth);
    params_to_c(&params, profile, par);
    // DecodeHeader reports the stream; the memory pattern and depth stay the application's.
    par.IOPattern = io_pattern;
    par.AsyncDepth = async_depth;
}

/// Fills `par` from a libavcodec codec's stream headers, as `DecodeHeader` does: codec, profile,
/// level, the picture's size (allocated as libavcodec needs to decode in place) and crop, frame
/// rate (the application's, or 30/1, when the stream has none), aspect ratio and picture
/// structure. 8-bit 4:2:0 pictures are reported as I420 (the CPU's native format, decoded in
/// place) unless the application asked for NV12 or YV12 before the call; 10-bit 4:2:0 as P010,
/// JPEG 4:2:2 as YUY2 and 4:4:4 as AYUV (with `JPEGChromaFormat` and `JPEGColorFormat`).
/// `MaxDecFrameBuffering` gets the frames the decoder keeps at once (for `QueryIOSurf` and `Init`;
/// not for JPEG, whose options share that union).
pub(crate) fn stream_header_to_c(params: &DecodeParams, profile: u16, level: u16, par: &mut mfxVideoParam) {
    let previous = mfx(par).FrameInfo;
    let mut params = *params;
    if params.output.fourcc == FourCc::Nv12 {
        params.output.fourcc = match FourCc::from_code(previous.FourCC) {
            Some(fourcc @ (FourCc::Nv12 | FourCc::Yv12)) => fourcc,
            _ => FourCc::I420,
        };
    }
    if params.output.frame_rate.num == 0 || params.output.frame_rate.den == 0 {
        let (num, den) = match (previous.FrameRateExtN, previous.FrameRateExtD) {
            (0, _) | (_, 0) => (30, 1),
            known => known,
        };
        params.output.frame_rate.num = num;
        params.output.frame_rate.den = den;
    }
    let (io_pattern, async_depth) = (par.IOPattern, par.AsyncDepth);
    params_to_c(&params, profile, par);
    let mut mfx = mfx(par);
    mfx.CodecLevel = level;
    if params.codec == Codec::Jpeg {
        // SAFETY: the options of the union are plain integers (any bits are a valid value).
        let mut jpeg = unsafe { mfx.__bindgen_anon_1.__bindgen_anon_3 };
        jpeg.JPEGChromaFormat = params.output.fourcc.chroma_format() as u16;
        // MFX_JPEG_COLORFORMAT_YCbCr: libavcodec converts nothing, pictures are Y, Cb, Cr.
        jpeg.JPEGColorFormat = 1;
        jpeg.Rotation = MFX_ROTATION_0 as u16;
        mfx.__bindgen_anon_1.__bindgen_anon_3 = jpeg;
    } else {
        mfx.__bindgen_anon_1.__bindgen_anon_2.MaxDecFrameBuffering = params.held_frames.unwrap_or(0);
    }
    par.__bindgen_anon_1.mfx = mfx;
    // DecodeHeader reports the stream; the memory pattern and depth stay the application's.
    par.IOPattern = io_pattern;
    par.AsyncDepth = async_depth;
}
