//! `mfxVideoParam` (the `mfx` member, for decode) to and from the decode component's
//! [`DecodeParams`], and the answers of `MFXVideoDECODE_Query`.
//!
//! vplrs decodes VP8 (its own decoder), H.264, H.265, VP9, AV1 and JPEG (libavcodec); any other
//! `CodecId` is `MFX_ERR_UNSUPPORTED`. Outputs are in system memory, in the formats of the
//! stream's profile (`vplrs_decode::capabilities`; NV12 when FourCC is 0).

use crate::status::Status;
use vplrs_decode::{capabilities, Codec, DecodeParams};
use vplrs_memory::info::{align_up, MAX_DIMENSION};
use vplrs_memory::{AllocationHints, FourCc, Rect};
use vplrs_runtime::IoPattern;

use crate::bindings::*;
use crate::ext::{ext_as, ext_buffers};
use crate::ffi::Outcome;
use crate::fields::{frame_info_from_c, frame_info_to_c, frame_size, set_frame_size};
use crate::vpp::hints_from_c;

pub(crate) fn mfx(par: &mfxVideoParam) -> mfxInfoMFX {
    // SAFETY: the members of the union are plain integer structures; decode reads `mfx`.
    unsafe { par.__bindgen_anon_1.mfx }
}

/// The codec `par` asks for, if vplrs decodes it through the C API.
pub(crate) fn codec_of(par: &mfxVideoParam) -> Option<Codec> {
    codec_of_id(mfx(par).CodecId)
}

fn codec_of_id(id: u32) -> Option<Codec> {
    Codec::from_code(id).filter(|codec| capabilities::CODECS.contains(codec))
}

/// True for libavcodec's codecs: bitstream in any chunking, pictures reordered.
pub(crate) fn is_stream_codec(codec: Codec) -> bool {
    codec.is_stream()
}

/// The output format `code` asks for, if one of the codec's profiles writes it (0: NV12).
fn output_fourcc(codec: Codec, code: u32) -> Option<FourCc> {
    if code == 0 {
        return Some(FourCc::Nv12);
    }
    FourCc::from_code(code).filter(|&fourcc| capabilities::writes(codec, fourcc))
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
    if par.Protected != 0 || !capabilities::profile_supported(codec, mfx.CodecProfile) {
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
    if !capabilities::profile_supported(codec, mfx.CodecProfile) {
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
