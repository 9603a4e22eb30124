//! `DecodeHeader`: where the stream's first sequence starts, and the parameters it sets.

use vplrs_memory::{AllocationHints, FourCc, FrameInfo};
use vplrs_runtime::IoPattern;

use crate::backend::Codec;
use crate::component::{Decode, DecodeError, DecodeParams};
use crate::parameter_sets;
use crate::vp8::peek_frame;

/// What a header scan found in the caller's data.
#[derive(Debug)]
pub struct HeaderScan {
    /// Bytes at the start of the data that hold no sequence header: the API skips them (the
    /// application moves its data past them).
    pub skipped: usize,
    /// The stream's parameters, or [`DecodeError::MoreData`] while the data holds no complete
    /// first picture (it stays: more may be appended).
    pub params: Result<DecodeParams, DecodeError>,
}

impl Decode {
    /// `DecodeHeader` on an application's data: skips what comes before the first sequence header
    /// (H.264/H.265 parameter sets, a JPEG start-of-image marker; VP9 and AV1 data starts with a
    /// frame; a VP8 frame that is no key frame is skipped whole) and reads the stream's parameters
    /// without taking the data, profile and level included. The start of a new sequence the
    /// decoder took but did not decode ([`Self::pending_sequence`]) is read first.
    pub fn scan_header(&self, codec: Codec, data: &[u8]) -> HeaderScan {
        if codec == Codec::Vp8 {
            return match Self::decode_header(codec, data) {
                Ok(params) => HeaderScan { skipped: 0, params: Ok(params) },
                Err(_) => HeaderScan { skipped: data.len(), params: Err(DecodeError::MoreData) },
            };
        }
        let pending = self.pending_sequence(codec);
        let joined;
        let data = if pending.is_empty() {
            data
        } else {
            joined = [pending, data].concat();
            joined.as_slice()
        };
        let Some(start) = parameter_sets::sequence_start(codec, data) else {
            let skipped = parameter_sets::skippable(data).saturating_sub(pending.len());
            return HeaderScan { skipped, params: Err(DecodeError::MoreData) };
        };
        let skipped = start.saturating_sub(pending.len());
        let data = &data[start..];
        let params = match Self::decode_header(codec, data) {
            Ok(mut params) => {
                if matches!(codec, Codec::Avc | Codec::Hevc) {
                    (params.profile, params.level) = parameter_sets::profile_and_level(codec, data);
                }
                Ok(params)
            }
            // No complete first picture yet (or one libavcodec cannot read): more data is needed.
            Err(DecodeError::MoreData | DecodeError::Bitstream(_)) => Err(DecodeError::MoreData),
            Err(other) => Err(other),
        };
        HeaderScan { skipped, params }
    }

    /// Stream parameters from the first frame, which must be a key frame (VP8), or from the first
    /// picture (libavcodec codecs).
    ///
    /// For libavcodec codecs a probe context decodes up to the first picture (in its own memory,
    /// nothing is kept): size, crop, bit depth (8-bit: NV12, 10-bit: P010), frame rate, aspect,
    /// picture structure and the frames the decoder will hold. The allocated size is what
    /// libavcodec needs to decode in place (`avcodec_align_dimensions2` plus spare rows).
    pub fn decode_header(codec: Codec, data: &[u8]) -> Result<DecodeParams, DecodeError> {
        match codec {
            Codec::Avc | Codec::Hevc | Codec::Av1 | Codec::Vp9 | Codec::Jpeg => {
                crate::avcodec::stream_header(codec, data)
            }
            Codec::Vp8 => {
                let peek = peek_frame(data)?;
                let Some((width, height)) = peek.size else {
                    return Err(DecodeError::MoreData);
                };
                Ok(DecodeParams {
                    codec,
                    output: FrameInfo::new(FourCc::Nv12, width, height),
                    async_depth: 0,
                    io_pattern: IoPattern::OUT_SYSTEM_MEMORY,
                    hints: AllocationHints::default(),
                    held_frames: Some(0),
                    profile: vp8_profile(data),
                    level: 0,
                })
            }
        }
    }
}

/// The VP8 profile (`MFX_PROFILE_VP8_*`) of a frame: its version field + 1.
fn vp8_profile(frame: &[u8]) -> u16 {
    frame.first().map_or(0, |tag| u16::from((tag >> 1) & 7) + 1)
}
