//! Pool sizing: what `QueryIOSurf` answers, and the spec's rule for pools shared by two components.
//!
//! A component side needs the frames it keeps for itself (`held`: reference frames, look-ahead,
//! reordering) plus one frame per operation in flight. `NumFrameMin` counts one operation in flight,
//! `NumFrameSuggested` counts `AsyncDepth` of them. When component A's output feeds component B's
//! input through one pool, the application adds both suggestions and subtracts `AsyncDepth`, which
//! both counted (the "Na + Nb" rule of the spec).

use crate::allocator::MemType;
use crate::info::FrameInfo;

/// The `AsyncDepth` a component uses when the application leaves it at 0.
pub const DEFAULT_ASYNC_DEPTH: u16 = 1;

/// `AsyncDepth` with 0 meaning "runtime default".
pub fn effective_async_depth(async_depth: u16) -> u16 {
    if async_depth == 0 {
        DEFAULT_ASYNC_DEPTH
    } else {
        async_depth
    }
}

/// One answer of `QueryIOSurf` (`mfxFrameAllocRequest`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SurfaceRequest {
    /// The frames asked for.
    pub info: FrameInfo,
    /// Their memory type and which component asks (`FROM_*`).
    pub mem_type: MemType,
    /// `NumFrameMin`.
    pub num_frame_min: u16,
    /// `NumFrameSuggested`.
    pub num_frame_suggested: u16,
}

impl SurfaceRequest {
    /// The request of a component side that keeps `held` frames itself.
    pub fn for_component(info: FrameInfo, mem_type: MemType, held: u16, async_depth: u16) -> Self {
        let in_flight = effective_async_depth(async_depth);
        Self {
            info,
            mem_type,
            num_frame_min: held.saturating_add(1),
            num_frame_suggested: held.saturating_add(in_flight),
        }
    }
}

/// Surfaces for one pool shared by the output of component A and the input of component B, both
/// initialised with the same `async_depth`: `Na + Nb - AsyncDepth`, and never below what the two
/// need at the minimum.
pub fn shared_pool_size(a_output: &SurfaceRequest, b_input: &SurfaceRequest, async_depth: u16) -> u32 {
    let suggested = u32::from(a_output.num_frame_suggested) + u32::from(b_input.num_frame_suggested);
    let minimum = u32::from(a_output.num_frame_min) + u32::from(b_input.num_frame_min) - 1;
    suggested.saturating_sub(u32::from(effective_async_depth(async_depth))).max(minimum)
}
