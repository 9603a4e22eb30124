//! `DecodeHeader` for libavcodec's codecs: a probe decode of the first picture.

use vplrs_memory::{AllocationHints, FourCc, FrameInfo};
use vplrs_runtime::IoPattern;

use super::codec_id;
use crate::backend::Codec;
use crate::error::DecodeError;
use crate::params::DecodeParams;

/// `DecodeHeader` for libavcodec codecs.
pub(crate) fn stream_header(codec: Codec, data: &[u8]) -> Result<DecodeParams, DecodeError> {
    let id = codec_id(codec).ok_or(DecodeError::Unsupported("not a libavcodec codec"))?;
    let info = vplrs_ffmpeg::probe(id, data)?.ok_or(DecodeError::MoreData)?;
    // The format pictures come out in without resampling: 4:2:0 (NV12, or P010 for 10 bits),
    // 8-bit 4:2:2 (YUY2) and 4:4:4 (AYUV) repacked.
    let fourcc = match info.format {
        vplrs_ffmpeg::PixelFormat::Yuv420p => FourCc::Nv12,
        vplrs_ffmpeg::PixelFormat::Yuv420p10 => FourCc::P010,
        vplrs_ffmpeg::PixelFormat::Yuv422p => FourCc::Yuy2,
        vplrs_ffmpeg::PixelFormat::Yuv444p => FourCc::Ayuv,
        vplrs_ffmpeg::PixelFormat::Yuv422p10 => FourCc::Y210,
        vplrs_ffmpeg::PixelFormat::Yuv444p10 => FourCc::Y410,
        vplrs_ffmpeg::PixelFormat::Other(_) => {
            return Err(DecodeError::Unsupported("only 4:2:0, 4:2:2 and 4:4:4 of 8 or 10 bits are decoded"))
        }
    };
    // The size reported is the picture's, aligned to 16 (32 in height for fields), as Intel's
    // runtimes report it: applications size encoders and VPP from it. QueryIOSurf asks for the
    // larger surfaces libavcodec decodes into in place; smaller ones cost a copy.
    let mut output = FrameInfo::new(fourcc, info.width, info.height);
    if info.frame_rate != (0, 0) {
        output.frame_rate = vplrs_memory::FrameRate { num: info.frame_rate.0, den: info.frame_rate.1 };
    }
    output.aspect = (clamp_u16(info.aspect.0), clamp_u16(info.aspect.1));
    if info.interlaced {
        let pic_struct =
            if info.top_field_first { vplrs_memory::PicStruct::FIELD_TFF } else { vplrs_memory::PicStruct::FIELD_BFF };
        output = output.with_pic_struct(pic_struct);
    }
    Ok(DecodeParams {
        codec,
        output,
        async_depth: 0,
        io_pattern: IoPattern::OUT_SYSTEM_MEMORY,
        hints: AllocationHints::default(),
        held_frames: Some(held_frames(codec, &info)),
        profile: mfx_profile(codec, info.profile),
        level: mfx_level(codec, info.level),
    })
}

fn clamp_u16(value: u32) -> u16 {
    u16::try_from(value).unwrap_or(u16::MAX)
}

/// Frames libavcodec keeps at once, from what the headers say.
fn held_frames(codec: Codec, info: &vplrs_ffmpeg::StreamInfo) -> u16 {
    let worst = codec.worst_case_held_frames();
    let held = match codec {
        // References and reordered pictures, the picture being decoded, and the previous picture
        // the H.264 decoder keeps for error concealment.
        Codec::Avc if info.refs > 0 => info.refs + info.reorder + 2,
        _ => return worst,
    };
    u16::try_from(held).unwrap_or(worst).min(worst)
}

/// libavcodec's profile (`FF_PROFILE_*`) as `MFX_PROFILE_*` (0: unknown, or left to the C layer).
fn mfx_profile(codec: Codec, profile: i32) -> u16 {
    match codec {
        _ if profile < 0 => 0,
        // MFX_PROFILE_VP9_0..3 and MFX_PROFILE_AV1_MAIN/HIGH/PRO are libavcodec's plus one.
        Codec::Vp9 | Codec::Av1 => clamp_u16(profile as u32 + 1),
        // Huffman baseline and extended sequential DCT: MFX_PROFILE_JPEG_BASELINE.
        Codec::Jpeg if profile == 0xc0 || profile == 0xc1 => 1,
        _ => 0,
    }
}

/// libavcodec's level as `MFX_LEVEL_*`: AV1's `seq_level_idx` becomes major * 10 + minor.
fn mfx_level(codec: Codec, level: i32) -> u16 {
    match codec {
        Codec::Av1 if (0..24).contains(&level) => ((2 + level / 4) * 10 + level % 4) as u16,
        _ => 0,
    }
}
