//! What `DecodeHeader` reads from the bitstream itself: where the first sequence header starts
//! (the data before it is skipped, as the API documents) — the first parameter set of H.264 and
//! H.265 Annex B byte streams, a JPEG picture's start-of-image marker; VP9 and AV1 chunks are whole
//! frames (temporal units) and start where they are — and the profile and level of the first
//! H.264/H.265 sequence parameter set. The picture parameters come from libavcodec.

use crate::backend::Codec;

/// `MFX_PROFILE_AVC_BASELINE`.
const AVC_BASELINE: u16 = 66;
/// `MFX_PROFILE_AVC_CONSTRAINED_BASELINE`: Baseline with constraint_set1_flag.
const AVC_CONSTRAINED_BASELINE: u16 = AVC_BASELINE + 0x200;

/// NAL units of an Annex B byte stream: (offset of the start code, the unit's payload).
fn nal_units(data: &[u8]) -> impl Iterator<Item = (usize, &[u8])> {
    let mut starts = Vec::new();
    let mut i = 0;
    while i + 3 <= data.len() {
        if data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1 {
            // A four-byte start code begins at the zero before.
            let code = if i > 0 && data[i - 1] == 0 { i - 1 } else { i };
            starts.push((code, i + 3));
            i += 3;
        } else {
            i += 1;
        }
    }
    let ends: Vec<usize> = starts.iter().skip(1).map(|&(code, _)| code).chain(std::iter::once(data.len())).collect();
    starts.into_iter().zip(ends).map(move |((code, payload), end)| (code, &data[payload..end.max(payload)]))
}

/// The NAL unit type of a unit's first byte(s).
fn nal_type(codec: Codec, unit: &[u8]) -> Option<u8> {
    let first = *unit.first()?;
    Some(match codec {
        Codec::Hevc => (first >> 1) & 0x3f,
        _ => first & 0x1f,
    })
}

/// True for the parameter sets a stream starts with (H.264 SPS; H.265 VPS or SPS).
fn starts_sequence(codec: Codec, unit: &[u8]) -> bool {
    matches!((codec, nal_type(codec, unit)), (Codec::Hevc, Some(32 | 33)) | (Codec::Avc, Some(7)))
}

/// The offset of the start of the first sequence header, if the data holds one.
pub fn sequence_start(codec: Codec, data: &[u8]) -> Option<usize> {
    match codec {
        Codec::Avc | Codec::Hevc => {
            nal_units(data).find(|(_, unit)| starts_sequence(codec, unit)).map(|(offset, _)| offset)
        }
        // SOI followed by the next marker's 0xFF.
        Codec::Jpeg => data.windows(3).position(|w| w == [0xff, 0xd8, 0xff]),
        _ => (!data.is_empty()).then_some(0),
    }
}

/// The bytes a scan may skip when no sequence header was found: all but a possible partial start
/// code (or marker) at the end.
pub fn skippable(data: &[u8]) -> usize {
    data.len().saturating_sub(3)
}

/// The first `count` bytes of a unit's payload with emulation prevention bytes removed.
fn unescape(unit: &[u8], count: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(count);
    let mut zeros = 0;
    for &byte in unit {
        if out.len() == count {
            break;
        }
        if zeros >= 2 && byte == 3 {
            zeros = 0;
            continue;
        }
        zeros = if byte == 0 { zeros + 1 } else { 0 };
        out.push(byte);
    }
    out
}

/// `(CodecProfile, CodecLevel)` in `MFX_PROFILE_*` / `MFX_LEVEL_*` terms, from the first SPS
/// (`(0, 0)` when there is none).
pub fn profile_and_level(codec: Codec, data: &[u8]) -> (u16, u16) {
    let sps_type = if codec == Codec::Hevc { 33 } else { 7 };
    let Some((_, unit)) = nal_units(data).find(|(_, unit)| nal_type(codec, unit) == Some(sps_type)) else {
        return (0, 0);
    };
    match codec {
        Codec::Hevc => {
            // NAL header (2), VPS id / max sub-layers / nesting (1), profile space, tier and
            // profile (1), compatibility flags (4), constraint flags (6), level (1).
            let bytes = unescape(unit, 15);
            if bytes.len() < 15 {
                return (0, 0);
            }
            let profile = u16::from(bytes[3] & 0x1f);
            // general_level_idc is 30 times the level; MFX_LEVEL_HEVC_x is 10 times it.
            let level = u16::from(bytes[14]) / 3;
            (profile, level)
        }
        _ => {
            // NAL header (1), profile_idc (1), constraint flags (1), level_idc (1).
            let bytes = unescape(unit, 4);
            if bytes.len() < 4 {
                return (0, 0);
            }
            let mut profile = u16::from(bytes[1]);
            if profile == AVC_BASELINE && bytes[2] & 0x40 != 0 {
                profile = AVC_CONSTRAINED_BASELINE;
            }
            (profile, u16::from(bytes[3]))
        }
    }
}
