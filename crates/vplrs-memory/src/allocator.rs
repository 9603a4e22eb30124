//! Allocators: the internal system-memory allocator and the application's external allocator
//! (the Rust mirror of `mfxFrameAllocator`).
//!
//! ## The external allocator contract
//! - `alloc` answers a request for `num_frame_min..=num_frame_suggested` frames of one `FrameInfo`
//!   and memory type with one memory id per frame (`num_frame_actual` of them). It answers
//!   [`AllocatorError::Unsupported`] for memory types or formats it does not serve; the runtime then
//!   falls back to its internal allocator for that request.
//! - `lock(mid)` returns plane pointers and pitches valid until the matching `unlock(mid)`. The
//!   runtime locks a mem-id surface only while its pixels are accessed (mapped), and unlocks it after.
//! - `free(response)` is called exactly once for every successful `alloc`, when the last surface of
//!   that allocation is gone (at the latest when the session that owns it closes and the
//!   application has released its surfaces).
//! - All methods may be called from any thread, never concurrently for the same mem id.

use std::sync::Arc;

use crate::arena::PlanePointers;
use crate::info::FrameInfo;

bitflags::bitflags! {
    /// Memory type of an allocation request, with the values of `MFX_MEMTYPE_*`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
    pub struct MemType: u16 {
        const INTERNAL_FRAME = 0x0001;
        const EXTERNAL_FRAME = 0x0002;
        const EXPORT_FRAME = 0x0008;
        const VIDEO_MEMORY_DECODER_TARGET = 0x0010;
        const VIDEO_MEMORY_PROCESSOR_TARGET = 0x0020;
        const SYSTEM_MEMORY = 0x0040;
        const FROM_ENCODE = 0x0100;
        const FROM_DECODE = 0x0200;
        const FROM_VPPIN = 0x0400;
        const FROM_VPPOUT = 0x0800;
        const VIDEO_MEMORY_ENCODER_TARGET = 0x1000;
        const FROM_ENC = 0x2000;
        const FROM_PAK = 0x4000;
    }
}

impl MemType {
    pub fn is_system_memory(self) -> bool {
        self.contains(Self::SYSTEM_MEMORY)
    }

    pub fn is_video_memory(self) -> bool {
        self.intersects(
            Self::VIDEO_MEMORY_DECODER_TARGET | Self::VIDEO_MEMORY_PROCESSOR_TARGET | Self::VIDEO_MEMORY_ENCODER_TARGET,
        )
    }
}

/// An opaque memory id chosen by the external allocator (`mfxMemId`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MemId(pub usize);

/// `mfxFrameAllocRequest`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AllocRequest {
    pub alloc_id: u32,
    pub info: FrameInfo,
    pub mem_type: MemType,
    pub num_frame_min: u16,
    pub num_frame_suggested: u16,
}

/// `mfxFrameAllocResponse`: what `alloc` returned, handed back to `free`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllocResponse {
    pub alloc_id: u32,
    pub mids: Vec<MemId>,
    pub mem_type: MemType,
    /// Opaque to the runtime: what a C allocator needs back in `Free` (its `mfxFrameAllocResponse`).
    pub cookie: usize,
}

impl AllocResponse {
    pub fn num_frame_actual(&self) -> usize {
        self.mids.len()
    }
}

/// A native handle returned by `get_hdl` (`mfxHDL`, or an `mfxHDLPair`'s first member).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NativeHandle(pub usize);

/// What an external allocator answered instead of success.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AllocatorError {
    #[error("the allocator does not serve this request")]
    Unsupported,
    #[error("the allocator ran out of memory")]
    OutOfMemory,
    #[error("the allocator does not know this memory id")]
    UnknownMemId,
    #[error("the request's frame description is invalid")]
    InvalidRequest,
    #[error("the memory could not be locked, or was not locked")]
    Lock,
    /// Any other answer of an application's allocator: its own status code.
    #[error("the allocator failed with status {0}")]
    Failed(i32),
}

/// The application's frame allocator (`mfxFrameAllocator`).
///
/// # Safety
/// The plane pointers `lock` returns must be valid for reads and writes of a frame of the request's
/// `FrameInfo` (every row of every plane, at the returned pitch, planes not overlapping) until the
/// matching `unlock`, and the memory must be initialised. See the module documentation for the rest
/// of the contract.
#[allow(unsafe_code)]
pub unsafe trait ExternalAllocator: Send + Sync {
    fn alloc(&self, request: &AllocRequest) -> Result<AllocResponse, AllocatorError>;
    fn lock(&self, mid: MemId) -> Result<PlanePointers, AllocatorError>;
    fn unlock(&self, mid: MemId) -> Result<(), AllocatorError>;
    fn get_hdl(&self, mid: MemId) -> Result<NativeHandle, AllocatorError>;
    fn free(&self, response: &AllocResponse) -> Result<(), AllocatorError>;
}

/// One successful `alloc`: freed through the allocator when the last surface using it is gone.
pub struct ExternalAllocation {
    allocator: Arc<dyn ExternalAllocator>,
    response: AllocResponse,
}

impl ExternalAllocation {
    /// Asks `allocator` for frames; `Ok(None)` when it answers "unsupported".
    pub fn request(
        allocator: &Arc<dyn ExternalAllocator>,
        request: &AllocRequest,
    ) -> Result<Option<Arc<Self>>, AllocatorError> {
        match allocator.alloc(request) {
            Ok(response) if response.mids.is_empty() => {
                // Nothing to use: give it straight back so it is still freed exactly once.
                let _ = allocator.free(&response);
                Err(AllocatorError::OutOfMemory)
            }
            Ok(response) => Ok(Some(Arc::new(Self { allocator: allocator.clone(), response }))),
            Err(AllocatorError::Unsupported) => Ok(None),
            Err(other) => Err(other),
        }
    }

    pub fn allocator(&self) -> &Arc<dyn ExternalAllocator> {
        &self.allocator
    }

    pub fn response(&self) -> &AllocResponse {
        &self.response
    }
}

impl Drop for ExternalAllocation {
    fn drop(&mut self) {
        if let Err(error) = self.allocator.free(&self.response) {
            tracing::warn!(%error, alloc_id = self.response.alloc_id, "external allocator failed to free");
        }
    }
}

impl std::fmt::Debug for ExternalAllocation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ExternalAllocation").field("response", &self.response).finish()
    }
}
