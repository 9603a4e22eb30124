//! Frame header parsing (RFC 6386 sections 9 and 19.2).
//!
//! The uncompressed data chunk is parsed by [`parse_frame_tag`]; the
//! compressed part of the header, which lives at the start of the first
//! partition, by [`parse_compressed_header`]. State that persists between
//! frames (segmentation, loop-filter deltas, probabilities) is updated in
//! place.

use crate::bool_decoder::BoolDecoder;
use crate::error::{DecodeError, PeekError};
use crate::probs::Probs;
use crate::tables::{COEFF_UPDATE_PROBS, MV_UPDATE_PROBS};

/// Information about a stream, obtained from a key frame header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamInfo {
    /// Frame width in pixels.
    pub width: u32,
    /// Frame height in pixels.
    pub height: u32,
    /// Whether the peeked frame is a key frame (always true on success).
    pub is_keyframe: bool,
}

impl StreamInfo {
    /// Stream information describing a maximum frame size, for creating an
    /// XMA decoder before any data has been seen.
    pub fn with_max_size(width: u32, height: u32) -> Self {
        StreamInfo { width, height, is_keyframe: true }
    }
}

/// Key frame start code.
const START_CODE: [u8; 3] = [0x9d, 0x01, 0x2a];

/// Reads the stream information from a key frame without a decoder.
pub fn peek_stream_info(data: &[u8]) -> Result<StreamInfo, PeekError> {
    let first = *data.first().ok_or(PeekError::Empty)?;
    if first & 1 != 0 {
        return Err(PeekError::NotKeyFrame);
    }
    if data.len() < 10 {
        // Judge the start code on what is there so that garbage is reported
        // as such rather than as truncation.
        let have = &data[3.min(data.len())..6.min(data.len())];
        if have.iter().zip(START_CODE.iter()).any(|(a, b)| a != b) {
            return Err(PeekError::BadStartCode);
        }
        return Err(PeekError::Truncated);
    }
    if data[3..6] != START_CODE {
        return Err(PeekError::BadStartCode);
    }
    let width = u32::from(u16::from_le_bytes([data[6], data[7]]) & 0x3fff);
    let height = u32::from(u16::from_le_bytes([data[8], data[9]]) & 0x3fff);
    if width == 0 || height == 0 {
        return Err(PeekError::ZeroDimension);
    }
    Ok(StreamInfo { width, height, is_keyframe: true })
}

/// The uncompressed frame tag (and key frame dimensions).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct FrameTag {
    pub key_frame: bool,
    pub version: u8,
    pub show_frame: bool,
    pub first_part_size: usize,
    /// Offset of the first partition in the frame.
    pub header_len: usize,
    pub width: u32,
    pub height: u32,
    pub h_scale: u8,
    pub v_scale: u8,
}

/// Parses the 3-byte frame tag and, for key frames, the 7-byte start code
/// and dimensions.
pub(crate) fn parse_frame_tag(data: &[u8]) -> Result<FrameTag, DecodeError> {
    if data.len() < 3 {
        return Err(DecodeError::Truncated("frame tag"));
    }
    let raw = u32::from(data[0]) | u32::from(data[1]) << 8 | u32::from(data[2]) << 16;
    let mut tag = FrameTag {
        key_frame: raw & 1 == 0,
        version: ((raw >> 1) & 7) as u8,
        show_frame: (raw >> 4) & 1 == 1,
        first_part_size: (raw >> 5) as usize,
        header_len: 3,
        ..FrameTag::default()
    };
    if tag.first_part_size == 0 {
        return Err(DecodeError::Corrupt("zero first partition size"));
    }
    if tag.key_frame {
        if data.len() < 10 {
            return Err(DecodeError::Truncated("key frame header"));
        }
        if data[3..6] != START_CODE {
            return Err(DecodeError::BadStartCode);
        }
        let w = u16::from_le_bytes([data[6], data[7]]);
        let h = u16::from_le_bytes([data[8], data[9]]);
        tag.width = u32::from(w & 0x3fff);
        tag.h_scale = (w >> 14) as u8;
        tag.height = u32::from(h & 0x3fff);
        tag.v_scale = (h >> 14) as u8;
        if tag.width == 0 || tag.height == 0 {
            return Err(DecodeError::Corrupt("zero frame dimension"));
        }
        tag.header_len = 10;
    }
    if data.len() - tag.header_len < tag.first_part_size {
        return Err(DecodeError::Truncated("first partition"));
    }
    Ok(tag)
}

/// Segmentation state (section 9.3); persists across frames.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Segmentation {
    pub enabled: bool,
    pub update_map: bool,
    pub abs_delta: bool,
    pub quant: [i8; 4],
    pub lf: [i8; 4],
    pub tree_probs: [u8; 3],
}

/// Loop filter delta state (section 9.4); persists across frames.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct LfDeltas {
    pub enabled: bool,
    pub ref_deltas: [i8; 4],
    pub mode_deltas: [i8; 4],
}

/// Quantizer indices (section 9.6).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct QuantIndices {
    pub y_ac: i32,
    pub y_dc_delta: i32,
    pub y2_dc_delta: i32,
    pub y2_ac_delta: i32,
    pub uv_dc_delta: i32,
    pub uv_ac_delta: i32,
}

/// Per-frame values from the compressed header.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct FrameHeader {
    pub color_space: u8,
    pub clamping_type: u8,
    pub simple_filter: bool,
    pub filter_level: u8,
    pub sharpness: u8,
    pub log2_partitions: u8,
    pub quant: QuantIndices,
    pub refresh_golden: bool,
    pub refresh_alt: bool,
    pub copy_to_golden: u8,
    pub copy_to_alt: u8,
    pub sign_bias_golden: bool,
    pub sign_bias_alt: bool,
    pub refresh_entropy: bool,
    pub refresh_last: bool,
    pub mb_no_coeff_skip: bool,
    pub prob_skip_false: u8,
    pub prob_intra: u8,
    pub prob_last: u8,
    pub prob_golden: u8,
}

/// Persistent state the header updates.
pub(crate) struct HeaderState<'s> {
    pub seg: &'s mut Segmentation,
    pub lf: &'s mut LfDeltas,
}

/// Parses the compressed frame header from the first partition. On key
/// frames the caller has already reset the persistent state to defaults.
/// `probs` is the live probability set; when `refresh_entropy_probs` is 0
/// the caller-visible `saved` copy is taken before any probability update.
pub(crate) fn parse_compressed_header(
    bd: &mut BoolDecoder<'_>,
    key_frame: bool,
    state: HeaderState<'_>,
    probs: &mut Probs<'_>,
) -> Result<FrameHeader, DecodeError> {
    let mut h = FrameHeader::default();
    if key_frame {
        h.color_space = bd.read_literal(1) as u8;
        h.clamping_type = bd.read_literal(1) as u8;
    }

    // Segmentation (9.3).
    let seg = state.seg;
    seg.enabled = bd.read_flag();
    if seg.enabled {
        seg.update_map = bd.read_flag();
        let update_data = bd.read_flag();
        if update_data {
            seg.abs_delta = bd.read_flag();
            for q in seg.quant.iter_mut() {
                *q = bd.read_optional_signed(7) as i8;
            }
            for l in seg.lf.iter_mut() {
                *l = bd.read_optional_signed(6) as i8;
            }
        }
        if seg.update_map {
            for p in seg.tree_probs.iter_mut() {
                *p = if bd.read_flag() { bd.read_literal(8) as u8 } else { 255 };
            }
        }
    } else {
        seg.update_map = false;
    }

    // Loop filter (9.4).
    h.simple_filter = bd.read_flag();
    h.filter_level = bd.read_literal(6) as u8;
    h.sharpness = bd.read_literal(3) as u8;
    let lf = state.lf;
    lf.enabled = bd.read_flag();
    if lf.enabled && bd.read_flag() {
        for d in lf.ref_deltas.iter_mut() {
            if bd.read_flag() {
                *d = bd.read_optional_signed_value(6);
            }
        }
        for d in lf.mode_deltas.iter_mut() {
            if bd.read_flag() {
                *d = bd.read_optional_signed_value(6);
            }
        }
    }

    // Partitions (9.5).
    h.log2_partitions = bd.read_literal(2) as u8;

    // Quantizer indices (9.6).
    h.quant.y_ac = bd.read_literal(7) as i32;
    h.quant.y_dc_delta = bd.read_optional_signed(4);
    h.quant.y2_dc_delta = bd.read_optional_signed(4);
    h.quant.y2_ac_delta = bd.read_optional_signed(4);
    h.quant.uv_dc_delta = bd.read_optional_signed(4);
    h.quant.uv_ac_delta = bd.read_optional_signed(4);

    // Reference updates (9.7, 9.8).
    if key_frame {
        h.refresh_golden = true;
        h.refresh_alt = true;
        h.refresh_entropy = bd.read_flag();
        h.refresh_last = true;
    } else {
        h.refresh_golden = bd.read_flag();
        h.refresh_alt = bd.read_flag();
        if !h.refresh_golden {
            h.copy_to_golden = bd.read_literal(2) as u8;
        }
        if !h.refresh_alt {
            h.copy_to_alt = bd.read_literal(2) as u8;
        }
        h.sign_bias_golden = bd.read_flag();
        h.sign_bias_alt = bd.read_flag();
        h.refresh_entropy = bd.read_flag();
        h.refresh_last = bd.read_flag();
    }
    if !h.refresh_entropy {
        probs.save();
    }

    // Coefficient probability updates (9.9, 13.4).
    let coeff = probs.coeff_mut();
    let mut idx = 0;
    for plane in COEFF_UPDATE_PROBS.iter() {
        for band in plane.iter() {
            for ctx in band.iter() {
                for &up in ctx.iter() {
                    if bd.read_bool(up) {
                        coeff[idx] = bd.read_literal(8) as u8;
                    }
                    idx += 1;
                }
            }
        }
    }

    // Remaining header (9.10, 9.11).
    h.mb_no_coeff_skip = bd.read_flag();
    if h.mb_no_coeff_skip {
        h.prob_skip_false = bd.read_literal(8) as u8;
    }
    if !key_frame {
        h.prob_intra = bd.read_literal(8) as u8;
        h.prob_last = bd.read_literal(8) as u8;
        h.prob_golden = bd.read_literal(8) as u8;
        if bd.read_flag() {
            for p in probs.ymode_mut().iter_mut() {
                *p = bd.read_literal(8) as u8;
            }
        }
        if bd.read_flag() {
            for p in probs.uv_mode_mut().iter_mut() {
                *p = bd.read_literal(8) as u8;
            }
        }
        let mv = probs.mv_mut();
        for (comp, ups) in MV_UPDATE_PROBS.iter().enumerate() {
            for (i, &up) in ups.iter().enumerate() {
                if bd.read_bool(up) {
                    let x = bd.read_literal(7) as u8;
                    mv[comp * 19 + i] = if x != 0 { x << 1 } else { 1 };
                }
            }
        }
    }
    if bd.overrun() {
        return Err(DecodeError::Truncated("frame header"));
    }
    Ok(h)
}

impl BoolDecoder<'_> {
    /// Magnitude then sign, without a leading presence flag.
    fn read_optional_signed_value(&mut self, n: u32) -> i8 {
        let v = self.read_literal(n) as i32;
        (if self.read_flag() { -v } else { v }) as i8
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peek_errors() {
        assert_eq!(peek_stream_info(&[]), Err(PeekError::Empty));
        assert_eq!(peek_stream_info(&[1, 0, 0]), Err(PeekError::NotKeyFrame));
        assert_eq!(peek_stream_info(&[0, 0, 0, 0x9d, 0x01]), Err(PeekError::Truncated));
        assert_eq!(peek_stream_info(&[0, 0, 0, 1, 2, 3, 0, 0, 0, 0]), Err(PeekError::BadStartCode));
        assert_eq!(peek_stream_info(&[0, 0, 0, 0x9d, 0x01, 0x2a, 0, 0, 5, 0]), Err(PeekError::ZeroDimension));
        let si = peek_stream_info(&[0, 0, 0, 0x9d, 0x01, 0x2a, 176, 0x40, 144, 0]).unwrap();
        assert_eq!((si.width, si.height, si.is_keyframe), (176, 144, true));
    }
}
