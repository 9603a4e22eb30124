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
        /// Frames a component uses internally.
        const INTERNAL_FRAME = 0x0001;
        /// Frames a component shares with the application or another component.
        const EXTERNAL_FRAME = 0x0002;
        /// Frames to export (shared with other APIs).
        const EXPORT_FRAME = 0x0008;
        /// Video memory for a decoder's output.
        const VIDEO_MEMORY_DECODER_TARGET = 0x0010;
        /// Video memory for VPP.
        const VIDEO_MEMORY_PROCESSOR_TARGET = 0x0020;
        /// System memory.
        const SYSTEM_MEMORY = 0x0040;
        /// Asked by an encoder.
        const FROM_ENCODE = 0x0100;
        /// Asked by a decoder.
        const FROM_DECODE = 0x0200;
        /// Asked for VPP input.
        const FROM_VPPIN = 0x0400;
        /// Asked for VPP output.
        const FROM_VPPOUT = 0x0800;
        /// Video memory for an encoder's input.
        const VIDEO_MEMORY_ENCODER_TARGET = 0x1000;
        /// Asked by ENC.
        const FROM_ENC = 0x2000;
        /// Asked by PAK.
        const FROM_PAK = 0x4000;
    }
}

impl MemType {
    /// True for `MFX_MEMTYPE_SYSTEM_MEMORY`.
    pub fn is_system_memory(self) -> bool {
        self.contains(Self::SYSTEM_MEMORY)
    }

    /// True for any of the video-memory target types.
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
    /// `AllocId`: which request this is (a component may send several).
    pub alloc_id: u32,
    /// The frames asked for.
    pub info: FrameInfo,
    /// `Type`: memory type and which component asks (`FROM_*`).
    pub mem_type: MemType,
    /// The fewest frames the component can work with.
    pub num_frame_min: u16,
    /// The frames it asks for.
    pub num_frame_suggested: u16,
}

/// `mfxFrameAllocResponse`: what `alloc` returned, handed back to `free`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllocResponse {
    /// The request's `AllocId`.
    pub alloc_id: u32,
    /// One memory id per frame allocated.
    pub mids: Vec<MemId>,
    /// The memory type of the frames.
    pub mem_type: MemType,
    /// Opaque to the runtime: what a C allocator needs back in `Free` (its `mfxFrameAllocResponse`).
    pub cookie: usize,
}

impl AllocResponse {
    /// `NumFrameActual`: how many frames were allocated.
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
    /// The allocator does not serve this memory type (`MFX_ERR_UNSUPPORTED`).
    Unsupported,
    #[error("the allocator ran out of memory")]
    /// No memory for the frames (`MFX_ERR_MEMORY_ALLOC`).
    OutOfMemory,
    #[error("the allocator does not know this memory id")]
    /// A memory id it did not hand out (`MFX_ERR_INVALID_HANDLE`).
    UnknownMemId,
    #[error("the request's frame description is invalid")]
    /// A request it cannot make sense of (`MFX_ERR_INVALID_VIDEO_PARAM`).
    InvalidRequest,
    #[error("the memory could not be locked, or was not locked")]
    /// Lock failed (`MFX_ERR_LOCK_MEMORY`).
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
    /// `Alloc`: frames for `request`.
    fn alloc(&self, request: &AllocRequest) -> Result<AllocResponse, AllocatorError>;
    /// `Lock`: the plane pointers of `mid`, valid until `unlock`.
    fn lock(&self, mid: MemId) -> Result<PlanePointers, AllocatorError>;
    /// `Unlock`: ends a `lock` of `mid`.
    fn unlock(&self, mid: MemId) -> Result<(), AllocatorError>;
    /// `GetHDL`: the native handle of `mid`.
    fn get_hdl(&self, mid: MemId) -> Result<NativeHandle, AllocatorError>;
    /// `Free`: gives back every frame of `response`.
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

    /// The allocator that made the frames.
    pub fn allocator(&self) -> &Arc<dyn ExternalAllocator> {
        &self.allocator
    }

    /// What the allocator answered.
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
