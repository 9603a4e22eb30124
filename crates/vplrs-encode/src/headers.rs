//! The stream's parameter sets out of band (`mfxExtCodingOptionSPSPPS`, `mfxExtCodingOptionVPS`
//! in `GetVideoParam`).
//!
//! The encoder writes its parameter sets into the stream (with every IDR). To hand them out before
//! the first picture, a second encoder with the same configuration is opened with libavcodec's
//! global-header flag, which makes x264/x265 put the very same VPS/SPS/PPS into the context's
//! extradata (Annex B, start codes included), and closed again.

use vplrs_ffmpeg::{Encoder, EncoderConfig};

use crate::{EncodeCodec, EncodeError};

/// VPS (H.265 only), SPS and PPS, each an Annex B NAL unit with its start code.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParameterSets {
    /// The video parameter set (H.265; empty for H.264).
    pub vps: Vec<u8>,
    /// The sequence parameter set.
    pub sps: Vec<u8>,
    /// The picture parameter set.
    pub pps: Vec<u8>,
}

pub(crate) fn parameter_sets(codec: EncodeCodec, config: &EncoderConfig) -> Result<ParameterSets, EncodeError> {
    if !matches!(codec, EncodeCodec::Avc | EncodeCodec::Hevc) {
        return Err(EncodeError::Unsupported("parameter sets are an H.264/H.265 notion"));
    }
    let mut config = config.clone();
    config.global_header = true;
    let probe = Encoder::new(config).map_err(EncodeError::Open)?;
    let mut sets = ParameterSets::default();
    for nal in split_annex_b(probe.extradata()) {
        let Some(&header) = nal.get(start_code_len(nal)) else { continue };
        let kind = match codec {
            EncodeCodec::Avc => match header & 0x1f {
                7 => &mut sets.sps,
                8 => &mut sets.pps,
                _ => continue,
            },
            _ => match (header >> 1) & 0x3f {
                32 => &mut sets.vps,
                33 => &mut sets.sps,
                34 => &mut sets.pps,
                _ => continue,
            },
        };
        if kind.is_empty() {
            kind.extend_from_slice(nal);
        }
    }
    if sets.sps.is_empty() || sets.pps.is_empty() {
        return Err(EncodeError::Unsupported("the encoder gave no parameter sets"));
    }
    Ok(sets)
}

fn start_code_len(nal: &[u8]) -> usize {
    if nal.starts_with(&[0, 0, 0, 1]) {
        4
    } else {
        3
    }
}

/// NAL units of an Annex B byte stream, each with its start code.
fn split_annex_b(data: &[u8]) -> Vec<&[u8]> {
    let mut starts = Vec::new();
    let mut i = 0;
    while i + 3 <= data.len() {
        if data[i..].starts_with(&[0, 0, 1]) {
            // A four-byte start code begins one byte earlier.
            starts.push(if i > 0 && data[i - 1] == 0 { i - 1 } else { i });
            i += 3;
        } else {
            i += 1;
        }
    }
    starts
        .iter()
        .enumerate()
        .map(|(n, &start)| &data[start..starts.get(n + 1).copied().unwrap_or(data.len())])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::split_annex_b;

    #[test]
    fn annex_b_units_keep_their_start_codes() {
        let data = [0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3];
        let units = split_annex_b(&data);
        assert_eq!(units, vec![&data[..7], &data[7..]]);
    }
}
