//! The encoder half of the implementation description: each codec whose encoder the installed
//! FFmpeg has, its profiles, and for each profile the system-memory input formats.

use vplrs_encode::params::supported_profiles;
use vplrs_encode::EncodeCodec;
use vplrs_memory::FourCc;

use crate::bindings::*;

/// The description's arrays, kept alive with it.
pub(crate) struct EncoderStorage {
    pub codecs: Vec<mfxEncoderDescription_encoder>,
    _profiles: Vec<Vec<mfxEncoderDescription_encoder_encprofile>>,
    _memdescs: Vec<Vec<mfxEncoderDescription_encoder_encprofile_encmemdesc>>,
    _formats: Vec<Vec<u32>>,
}

/// Input formats by profile: 10-bit profiles take P010, the others 8-bit 4:2:0.
fn input_formats(codec: EncodeCodec, profile: u16) -> Vec<u32> {
    let ten_bit_profile = codec == EncodeCodec::Hevc && profile == vplrs_encode::params::profiles::HEVC_MAIN10;
    codec
        .input_fourccs()
        .iter()
        .filter(|&&fourcc| match codec {
            EncodeCodec::Hevc => (fourcc == FourCc::P010) == ten_bit_profile,
            _ => true,
        })
        .map(|fourcc| fourcc.code())
        .collect()
}

fn limits(codec: EncodeCodec) -> (mfxRange32U, u32, u16) {
    let (min, max, level) = match codec {
        EncodeCodec::Avc => (16, 8192, MFX_LEVEL_AVC_62),
        EncodeCodec::Hevc => (16, 8192, MFX_LEVEL_HEVC_62),
        // SVT-AV1 needs pictures of at least 64x64.
        EncodeCodec::Av1 => (64, 8192, MFX_LEVEL_AV1_73),
        EncodeCodec::Jpeg => (16, 8192, 0),
    };
    (mfxRange32U { Min: min, Max: max, Step: 2 }, max, level as u16)
}

pub(crate) fn build_encoders() -> EncoderStorage {
    let mut all_formats = Vec::new();
    let mut all_memdescs = Vec::new();
    let mut all_profiles = Vec::new();
    let mut codecs = Vec::new();
    for codec in EncodeCodec::ALL.into_iter().filter(|codec| codec.is_available()) {
        let (range, _, max_level) = limits(codec);
        let mut memdescs: Vec<mfxEncoderDescription_encoder_encprofile_encmemdesc> = supported_profiles(codec)
            .iter()
            .map(|&profile| {
                let mut formats = input_formats(codec, profile);
                let memdesc = mfxEncoderDescription_encoder_encprofile_encmemdesc {
                    MemHandleType: MFX_RESOURCE_SYSTEM_SURFACE,
                    Width: range,
                    Height: range,
                    reserved: [0; 7],
                    NumColorFormats: formats.len() as mfxU16,
                    // The Vec's buffer does not move when the Vec is moved into `all_formats`.
                    ColorFormats: formats.as_mut_ptr(),
                };
                all_formats.push(formats);
                memdesc
            })
            .collect();
        let mut profiles: Vec<mfxEncoderDescription_encoder_encprofile> = supported_profiles(codec)
            .iter()
            .zip(memdescs.iter_mut())
            .map(|(&profile, memdesc)| mfxEncoderDescription_encoder_encprofile {
                Profile: u32::from(profile),
                reserved: [0; 7],
                NumMemTypes: 1,
                MemDesc: memdesc,
            })
            .collect();
        codecs.push(mfxEncoderDescription_encoder {
            CodecID: codec.code(),
            MaxcodecLevel: max_level,
            BiDirectionalPrediction: u16::from(codec != EncodeCodec::Jpeg),
            reserved: [0; 7],
            NumProfiles: profiles.len() as mfxU16,
            Profiles: profiles.as_mut_ptr(),
        });
        all_memdescs.push(memdescs);
        all_profiles.push(profiles);
    }
    EncoderStorage { codecs, _profiles: all_profiles, _memdescs: all_memdescs, _formats: all_formats }
}
