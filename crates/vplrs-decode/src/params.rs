//! The decoder's parameters.

use vplrs_memory::{AllocationHints, FrameInfo};
use vplrs_runtime::IoPattern;

use crate::backend::Codec;

/// Decoder parameters (`mfxVideoParam` with `mfxInfoMFX` for decode).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DecodeParams {
    /// The codec.
    pub codec: Codec,
    /// Output surfaces: FourCC, allocated size (the largest picture), crop of the first picture.
    pub output: FrameInfo,
    /// Operations in flight before `MFX_WRN_DEVICE_BUSY` (0: the default).
    pub async_depth: u16,
    /// Where the output frames live (system memory).
    pub io_pattern: IoPattern,
    /// `mfxExtAllocationHints` for the decode pool (used with no work surface).
    pub hints: AllocationHints,
    /// Frames the codec keeps at once (references, pictures held for reordering, the one being
    /// decoded), as `DecodeHeader` read them from the stream; `None`: the codec's worst case.
    pub held_frames: Option<u16>,
    /// `MFX_PROFILE_*` and `MFX_LEVEL_*` as `DecodeHeader` read them (0: not known here; the C
    /// layer reads H.264 and H.265 sequence parameter sets itself).
    pub profile: u16,
    /// See `profile`.
    pub level: u16,
}
