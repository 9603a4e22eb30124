//! What the decoders decode: the codecs, their profiles (`MFX_PROFILE_*` values, as
//! [`DecodeParams::profile`](crate::DecodeParams) carries them) and the output formats of each
//! profile. The implementation description and Query answer from these tables.
//!
//! Outputs: 8-bit 4:2:0 as NV12 (the default), I420 or YV12; 10-bit 4:2:0 as P010; 4:2:2 as YUY2
//! (Y210 for 10 bits) and 4:4:4 as AYUV (Y410): the samples repacked, never resampled.

use vplrs_memory::FourCc;

use crate::backend::Codec;

/// The codecs decoded.
pub const CODECS: [Codec; 6] = [Codec::Vp8, Codec::Avc, Codec::Hevc, Codec::Vp9, Codec::Av1, Codec::Jpeg];

/// `MFX_PROFILE_*` values of the profiles decoded.
pub mod profile {
    /// VP8 profile 0.
    pub const VP8_0: u16 = 1;
    /// VP8 profile 1.
    pub const VP8_1: u16 = 2;
    /// VP8 profile 2.
    pub const VP8_2: u16 = 3;
    /// VP8 profile 3.
    pub const VP8_3: u16 = 4;
    /// H.264 Baseline.
    pub const AVC_BASELINE: u16 = 66;
    /// H.264 Main.
    pub const AVC_MAIN: u16 = 77;
    /// H.264 High.
    pub const AVC_HIGH: u16 = 100;
    /// H.264 High 10.
    pub const AVC_HIGH10: u16 = 110;
    /// H.264 High 4:2:2.
    pub const AVC_HIGH_422: u16 = 122;
    /// High 4:4:4 Predictive (`profile_idc` 244; `mfxstructures.h` names none).
    pub const AVC_HIGH_444: u16 = 244;
    /// H.265 Main.
    pub const HEVC_MAIN: u16 = 1;
    /// H.265 Main 10.
    pub const HEVC_MAIN10: u16 = 2;
    /// H.265 Main Still Picture.
    pub const HEVC_MAINSP: u16 = 3;
    /// H.265 Range Extensions (4:2:2, 4:4:4, 12-bit).
    pub const HEVC_REXT: u16 = 4;
    /// VP9 profile 0 (8-bit 4:2:0).
    pub const VP9_0: u16 = 1;
    /// VP9 profile 1 (8-bit 4:2:2, 4:4:4).
    pub const VP9_1: u16 = 2;
    /// VP9 profile 2 (10/12-bit 4:2:0).
    pub const VP9_2: u16 = 3;
    /// VP9 profile 3 (10/12-bit 4:2:2, 4:4:4).
    pub const VP9_3: u16 = 4;
    /// AV1 Main.
    pub const AV1_MAIN: u16 = 1;
    /// `MFX_PROFILE_JPEG_BASELINE` (`mfxjpeg.h`).
    pub const JPEG_BASELINE: u16 = 1;
}

use profile::*;

const EIGHT_BIT_420: &[FourCc] = &[FourCc::Nv12, FourCc::I420, FourCc::Yv12];
const TEN_BIT_420: &[FourCc] = &[FourCc::P010];
/// AV1 Main: 8-bit or 10-bit 4:2:0.
const EIGHT_OR_TEN_BIT_420: &[FourCc] = &[FourCc::Nv12, FourCc::I420, FourCc::Yv12, FourCc::P010];
/// JPEG: 4:2:0 pictures as NV12/I420/YV12, 4:2:2 as YUY2, 4:4:4 as AYUV.
const JPEG: &[FourCc] = &[FourCc::Nv12, FourCc::I420, FourCc::Yv12, FourCc::Yuy2, FourCc::Ayuv];
/// The 4:2:2/4:4:4 profiles of the video codecs, 8 or 10 bits.
const CHROMA: &[FourCc] =
    &[FourCc::Nv12, FourCc::I420, FourCc::Yv12, FourCc::Yuy2, FourCc::Ayuv, FourCc::P010, FourCc::Y210, FourCc::Y410];

/// The profiles of a codec: VP8 0-3 (the bitstream's version + 1); H.264 Baseline, Main, High,
/// High 10, High 4:2:2 and High 4:4:4 Predictive (the constraint flags ignored); H.265 Main, Main
/// Still Picture, Main10 and the range extensions; VP9 0-3; AV1 Main; JPEG baseline (libavcodec
/// also reads extended and progressive pictures, which DecodeHeader reports with profile 0).
pub fn profiles(codec: Codec) -> &'static [u16] {
    match codec {
        Codec::Vp8 => &[VP8_0, VP8_1, VP8_2, VP8_3],
        Codec::Avc => &[AVC_BASELINE, AVC_MAIN, AVC_HIGH, AVC_HIGH10, AVC_HIGH_422, AVC_HIGH_444],
        Codec::Hevc => &[HEVC_MAIN, HEVC_MAINSP, HEVC_MAIN10, HEVC_REXT],
        Codec::Vp9 => &[VP9_0, VP9_1, VP9_2, VP9_3],
        Codec::Av1 => &[AV1_MAIN],
        Codec::Jpeg => &[JPEG_BASELINE],
    }
}

/// The output formats of a codec's profile.
pub fn output_formats(codec: Codec, profile: u16) -> &'static [FourCc] {
    match (codec, profile) {
        (Codec::Hevc, HEVC_MAIN10) | (Codec::Vp9, VP9_2) | (Codec::Avc, AVC_HIGH10) => TEN_BIT_420,
        (Codec::Av1, _) => EIGHT_OR_TEN_BIT_420,
        (Codec::Jpeg, _) => JPEG,
        (Codec::Avc, AVC_HIGH_422 | AVC_HIGH_444) | (Codec::Hevc, HEVC_REXT) | (Codec::Vp9, VP9_1 | VP9_3) => CHROMA,
        _ => EIGHT_BIT_420,
    }
}

/// True when one of the codec's profiles writes `fourcc`.
pub fn writes(codec: Codec, fourcc: FourCc) -> bool {
    profiles(codec).iter().any(|&profile| output_formats(codec, profile).contains(&fourcc))
}

/// True for 0 (not given) and the codec's profiles; H.264's constraint flags, which ride above
/// its `profile_idc`, are ignored.
pub fn profile_supported(codec: Codec, profile: u16) -> bool {
    let base = if codec == Codec::Avc { profile & 0xff } else { profile };
    profile == 0 || profiles(codec).contains(&base)
}
