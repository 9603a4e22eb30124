//! The identifiers of the XMA memory segments (the table is in [`crate::memory`]).

/// Identifier of a memory segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SegmentId(pub u32);

impl SegmentId {
    /// Adaptive probabilities: the live set and the copy saved when a frame
    /// does not refresh entropy probabilities. Read on every symbol.
    pub const PROBS: SegmentId = SegmentId(0x040);
    /// Above/left neighbour records: modes, motion vectors and
    /// non-zero-coefficient flags of the macroblock row above and of the
    /// macroblock to the left.
    pub const CONTEXT: SegmentId = SegmentId(0x080);
    /// Residual coefficients of the current macroblock and interpolation
    /// temporaries.
    pub const SCRATCH: SegmentId = SegmentId(0x0c0);
    /// Per-macroblock information kept across frames (segment map) and the
    /// loop-filter level of each macroblock of the current frame. The
    /// segment map must start as all zeroes, hence the `ZERO` flag.
    pub const MB_INFO: SegmentId = SegmentId(0x100);
    /// Frame buffer 0 of 4 (current / last / golden / altref rotate among
    /// them without copies). Each holds Y, U and V planes of the
    /// macroblock-aligned picture with a 32-pixel (chroma 16) border:
    /// `(16 * mb_cols + 64) * (16 * mb_rows + 64) + 2 * (8 * mb_cols + 32) * (8 * mb_rows + 32)`
    /// bytes.
    pub const FRAME_BUFFER_0: SegmentId = SegmentId(0x200);
    /// Frame buffer 1 of 4.
    pub const FRAME_BUFFER_1: SegmentId = SegmentId(0x201);
    /// Frame buffer 2 of 4.
    pub const FRAME_BUFFER_2: SegmentId = SegmentId(0x202);
    /// Frame buffer 3 of 4.
    pub const FRAME_BUFFER_3: SegmentId = SegmentId(0x203);
}
