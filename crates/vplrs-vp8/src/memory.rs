//! XMA (external memory allocation) types: segment identifiers, flags,
//! requests, application-supplied memory and its destructor.
//!
//! # Segment table
//!
//! | id (constant)                  | value   | size (W x H max, M = macroblocks) | align | flags  |
//! |--------------------------------|---------|-----------------------------------|-------|--------|
//! | [`SegmentId::PROBS`]           | `0x040` | 2208                              | 16    | `FAST` |
//! | [`SegmentId::CONTEXT`]         | `0x080` | (mb_cols + 1) x 40                | 16    | `FAST` |
//! | [`SegmentId::SCRATCH`]         | `0x0c0` | 2048                              | 16    | `FAST` |
//! | [`SegmentId::MB_INFO`]         | `0x100` | M x 4                             | 16    | `ZERO` |
//! | [`SegmentId::FRAME_BUFFER_0`]  | `0x200` | see [`SegmentId::FRAME_BUFFER_0`] | 16    | none   |
//! | [`SegmentId::FRAME_BUFFER_1`]  | `0x201` | same                              | 16    | none   |
//! | [`SegmentId::FRAME_BUFFER_2`]  | `0x202` | same                              | 16    | none   |
//! | [`SegmentId::FRAME_BUFFER_3`]  | `0x203` | same                              | 16    | none   |
//!
//! The requests come in this order. (The decoder's kernels are portable
//! Rust and need no more than 16-byte alignment, which the system
//! allocator provides, so `vec![0; size].into_boxed_slice()` is normally
//! acceptable memory; [`AlignedBuffer`] guarantees it.) The decoder holds nothing else that
//! grows with the picture: everything it touches while decoding lives in
//! these segments or in small fixed-size values.

use crate::frame::FrameGeom;
use crate::inter::PRED_SCRATCH_LEN;
use crate::modes::CTX_STRIDE;
use crate::probs::PROBS_SEGMENT_LEN;
pub use crate::segment_id::SegmentId;

/// Requirements or wishes attached to a segment request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct SegmentFlags(pub u32);

impl SegmentFlags {
    /// No special requirement.
    pub const NONE: SegmentFlags = SegmentFlags(0);
    /// The application MUST zero the memory before setting it. The decoder
    /// verifies this and rejects non-zero memory with
    /// [`XmaError::NotZeroed`](crate::XmaError::NotZeroed).
    pub const ZERO: SegmentFlags = SegmentFlags(1);
    /// The decoder only writes the segment and never reads it back, so it
    /// may live in write-only memory. This decoder reads back every
    /// segment it uses, so it never sets this flag; an application may
    /// treat it as "readable memory not required".
    pub const WRONLY: SegmentFlags = SegmentFlags(2);
    /// The segment is accessed very frequently (on every symbol or every
    /// macroblock) and benefits from fast memory. Advisory only: the
    /// decoder works the same wherever the memory is.
    pub const FAST: SegmentFlags = SegmentFlags(4);

    /// Whether all flags of `other` are set.
    pub fn contains(self, other: SegmentFlags) -> bool {
        self.0 & other.0 == other.0
    }
}

impl core::ops::BitOr for SegmentFlags {
    type Output = SegmentFlags;
    fn bitor(self, rhs: SegmentFlags) -> SegmentFlags {
        SegmentFlags(self.0 | rhs.0)
    }
}

/// A memory segment the decoder asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegmentRequest {
    /// Segment identifier.
    pub id: SegmentId,
    /// Size in bytes.
    pub size: usize,
    /// Required alignment of the base address (a power of two).
    pub align: usize,
    /// Flags.
    pub flags: SegmentFlags,
}

/// Memory supplied by the application for one segment.
///
/// The base address used for the alignment check is that of
/// [`as_slice`](Self::as_slice); both methods must always return the same
/// memory.
pub trait XmaMemory: Send {
    /// The memory.
    fn as_slice(&self) -> &[u8];
    /// The memory, writable.
    fn as_mut_slice(&mut self) -> &mut [u8];
}

impl XmaMemory for Box<[u8]> {
    fn as_slice(&self) -> &[u8] {
        self
    }
    fn as_mut_slice(&mut self) -> &mut [u8] {
        self
    }
}

impl XmaMemory for Vec<u8> {
    fn as_slice(&self) -> &[u8] {
        self
    }
    fn as_mut_slice(&mut self) -> &mut [u8] {
        self
    }
}

/// A heap buffer whose usable part starts at a requested alignment.
#[derive(Debug)]
pub struct AlignedBuffer {
    storage: Vec<u8>,
    start: usize,
    len: usize,
}

impl AlignedBuffer {
    /// Allocates `len` zeroed bytes aligned to `align` (a power of two).
    pub fn new(len: usize, align: usize) -> Self {
        let align = align.max(1);
        let storage = vec![0u8; len + align - 1];
        let addr = storage.as_ptr() as usize;
        let start = addr.next_multiple_of(align) - addr;
        AlignedBuffer { storage, start, len }
    }

    /// Like [`new`](Self::new), but returns `None` instead of aborting when
    /// the memory cannot be allocated.
    pub fn try_new(len: usize, align: usize) -> Option<Self> {
        let align = align.max(1);
        let total = len.checked_add(align - 1)?;
        let mut storage = Vec::new();
        storage.try_reserve_exact(total).ok()?;
        storage.resize(total, 0);
        let addr = storage.as_ptr() as usize;
        let start = addr.next_multiple_of(align) - addr;
        Some(AlignedBuffer { storage, start, len })
    }

    /// Allocates a buffer for `req`.
    pub fn for_request(req: &SegmentRequest) -> Self {
        Self::new(req.size, req.align)
    }
}

impl XmaMemory for AlignedBuffer {
    fn as_slice(&self) -> &[u8] {
        &self.storage[self.start..self.start + self.len]
    }
    fn as_mut_slice(&mut self) -> &mut [u8] {
        &mut self.storage[self.start..self.start + self.len]
    }
}

/// Destructor called when the decoder releases a segment; it receives the
/// memory back.
pub type SegmentDtor = Box<dyn FnOnce(SegmentId, Box<dyn XmaMemory>) + Send>;

/// A segment handed to [`Decoder::set_segment`](crate::Decoder::set_segment).
pub struct Segment {
    /// Which request this satisfies.
    pub id: SegmentId,
    /// The memory; `None` (or an empty buffer) stands for a NULL base.
    pub memory: Option<Box<dyn XmaMemory>>,
    /// Called with the memory when the decoder is dropped, in reverse
    /// order of setting.
    pub dtor: Option<SegmentDtor>,
}

impl Segment {
    /// A segment without a destructor.
    pub fn new(id: SegmentId, memory: Box<dyn XmaMemory>) -> Self {
        Segment { id, memory: Some(memory), dtor: None }
    }

    /// Adds a destructor.
    pub fn with_dtor(mut self, dtor: SegmentDtor) -> Self {
        self.dtor = Some(dtor);
        self
    }
}

impl core::fmt::Debug for Segment {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Segment")
            .field("id", &self.id)
            .field("len", &self.memory.as_ref().map(|m| m.as_slice().len()))
            .field("dtor", &self.dtor.is_some())
            .finish()
    }
}

/// A segment the decoder refused, handed back with the reason.
#[derive(Debug)]
pub struct RejectedSegment {
    /// Why it was refused.
    pub error: crate::XmaError,
    /// The segment, returned to the application unchanged.
    pub segment: Segment,
}

impl core::fmt::Display for RejectedSegment {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for RejectedSegment {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

/// Cursor for [`Decoder::get_mem_map`](crate::Decoder::get_mem_map); start
/// with `MemMapCursor::default()`.
#[derive(Clone, Copy, Debug, Default)]
pub struct MemMapCursor(pub(crate) usize);

/// Number of segments.
pub(crate) const NUM_SEGMENTS: usize = 8;
/// Index of frame buffer 0 within the segment list.
pub(crate) const FIRST_FRAME_SEG: usize = 4;

/// Bytes of the scratch segment.
pub(crate) const SCRATCH_LEN: usize = 2048;
/// Offset of the inter-prediction scratch inside `SCRATCH`.
pub(crate) const SCRATCH_PRED_OFF: usize = 1024;
/// Bytes per macroblock in `MB_INFO`.
pub(crate) const MB_INFO_STRIDE: usize = 4;

const _: () = assert!(SCRATCH_PRED_OFF + PRED_SCRATCH_LEN <= SCRATCH_LEN);
const _: () = assert!(25 * 32 <= SCRATCH_PRED_OFF);

/// The memory map for a maximum picture size.
pub(crate) fn requests_for(width: u32, height: u32) -> [SegmentRequest; NUM_SEGMENTS] {
    let g = FrameGeom::new(width, height);
    let mbs = g.mb_cols * g.mb_rows;
    let fb = |id| SegmentRequest { id, size: g.buffer_len(), align: 16, flags: SegmentFlags::NONE };
    [
        SegmentRequest { id: SegmentId::PROBS, size: PROBS_SEGMENT_LEN, align: 16, flags: SegmentFlags::FAST },
        SegmentRequest {
            id: SegmentId::CONTEXT,
            size: (g.mb_cols + 1) * CTX_STRIDE,
            align: 16,
            flags: SegmentFlags::FAST,
        },
        SegmentRequest { id: SegmentId::SCRATCH, size: SCRATCH_LEN, align: 16, flags: SegmentFlags::FAST },
        SegmentRequest { id: SegmentId::MB_INFO, size: mbs * MB_INFO_STRIDE, align: 16, flags: SegmentFlags::ZERO },
        fb(SegmentId::FRAME_BUFFER_0),
        fb(SegmentId::FRAME_BUFFER_1),
        fb(SegmentId::FRAME_BUFFER_2),
        fb(SegmentId::FRAME_BUFFER_3),
    ]
}
