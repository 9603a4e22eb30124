//! An external allocator that serves system memory through mem ids, as an application's
//! `mfxFrameAllocator` would: the reference implementation for tests, the CLI's
//! `--memory external`, and the spec's example allocator (`SystemAllocator::nv12_only`).
#![allow(unsafe_code)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

use crate::allocator::{AllocRequest, AllocResponse, AllocatorError, ExternalAllocator, MemId, NativeHandle};
use crate::arena::{FrameBuffer, PlanePointers};
use crate::format::FourCc;
use crate::layout::{FrameLayout, LayoutOptions};

/// Counters of what the runtime asked of the allocator.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AllocatorCounters {
    /// Alloc calls served.
    pub allocs: u64,
    /// Alloc calls refused.
    pub refused: u64,
    /// Free calls.
    pub frees: u64,
    /// Lock calls.
    pub locks: u64,
    /// Unlock calls.
    pub unlocks: u64,
    /// Frames allocated and not yet freed.
    pub live_frames: u64,
}

struct Frame {
    buffer: FrameBuffer,
    layout: FrameLayout,
    locks: u32,
}

/// Allocates each frame as one aligned buffer in system memory.
pub struct SystemAllocator {
    only: Option<FourCc>,
    frames: Mutex<HashMap<usize, Frame>>,
    next_mid: AtomicUsize,
    allocs: AtomicU64,
    refused: AtomicU64,
    frees: AtomicU64,
    locks: AtomicU64,
    unlocks: AtomicU64,
}

impl SystemAllocator {
    /// Serves every system-memory request.
    pub fn new() -> Self {
        Self::serving(None)
    }

    /// Serves system-memory NV12 only and answers "unsupported" to the rest, like the spec's
    /// example allocator.
    pub fn nv12_only() -> Self {
        Self::serving(Some(FourCc::Nv12))
    }

    fn serving(only: Option<FourCc>) -> Self {
        Self {
            only,
            frames: Mutex::new(HashMap::new()),
            next_mid: AtomicUsize::new(1),
            allocs: AtomicU64::new(0),
            refused: AtomicU64::new(0),
            frees: AtomicU64::new(0),
            locks: AtomicU64::new(0),
            unlocks: AtomicU64::new(0),
        }
    }

    fn frames(&self) -> std::sync::MutexGuard<'_, HashMap<usize, Frame>> {
        self.frames.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// What the allocator did so far.
    pub fn counters(&self) -> AllocatorCounters {
        AllocatorCounters {
            allocs: self.allocs.load(Ordering::Relaxed),
            refused: self.refused.load(Ordering::Relaxed),
            frees: self.frees.load(Ordering::Relaxed),
            locks: self.locks.load(Ordering::Relaxed),
            unlocks: self.unlocks.load(Ordering::Relaxed),
            live_frames: self.frames().len() as u64,
        }
    }
}

impl Default for SystemAllocator {
    fn default() -> Self {
        Self::new()
    }
}

// SAFETY: `lock` returns the plane pointers of a `FrameBuffer` built for the request's layout;
// the buffer is zero-initialised and lives in `frames` until `free` removes it, which the runtime
// does only after the last unlock.
unsafe impl ExternalAllocator for SystemAllocator {
    fn alloc(&self, request: &AllocRequest) -> Result<AllocResponse, AllocatorError> {
        let served = request.mem_type.is_system_memory() && self.only.is_none_or(|f| f == request.info.fourcc);
        if !served {
            self.refused.fetch_add(1, Ordering::Relaxed);
            return Err(AllocatorError::Unsupported);
        }
        let layout =
            FrameLayout::new(&request.info, LayoutOptions::default()).map_err(|_| AllocatorError::InvalidRequest)?;
        let count = request.num_frame_suggested.max(request.num_frame_min).max(1);
        let mut made = Vec::with_capacity(usize::from(count));
        for _ in 0..count {
            let Some(buffer) = FrameBuffer::zeroed(layout.size, layout.align) else {
                return Err(AllocatorError::OutOfMemory);
            };
            made.push(Frame { buffer, layout, locks: 0 });
        }
        let mut frames = self.frames();
        let mids = made
            .into_iter()
            .map(|frame| {
                let mid = self.next_mid.fetch_add(1, Ordering::Relaxed);
                frames.insert(mid, frame);
                MemId(mid)
            })
            .collect();
        self.allocs.fetch_add(1, Ordering::Relaxed);
        Ok(AllocResponse { alloc_id: request.alloc_id, mids, mem_type: request.mem_type, cookie: 0 })
    }

    fn lock(&self, mid: MemId) -> Result<PlanePointers, AllocatorError> {
        let mut frames = self.frames();
        let frame = frames.get_mut(&mid.0).ok_or(AllocatorError::UnknownMemId)?;
        frame.locks += 1;
        self.locks.fetch_add(1, Ordering::Relaxed);
        Ok(frame.buffer.plane_pointers(&frame.layout))
    }

    fn unlock(&self, mid: MemId) -> Result<(), AllocatorError> {
        let mut frames = self.frames();
        let frame = frames.get_mut(&mid.0).ok_or(AllocatorError::UnknownMemId)?;
        frame.locks = frame.locks.checked_sub(1).ok_or(AllocatorError::Lock)?;
        self.unlocks.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    fn get_hdl(&self, _mid: MemId) -> Result<NativeHandle, AllocatorError> {
        Err(AllocatorError::Unsupported)
    }

    fn free(&self, response: &AllocResponse) -> Result<(), AllocatorError> {
        let mut frames = self.frames();
        for mid in &response.mids {
            frames.remove(&mid.0);
        }
        self.frees.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}
