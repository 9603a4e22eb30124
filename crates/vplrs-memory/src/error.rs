//! The typed errors of surface operations, each naming the `mfxStatus` it stands for.

use crate::allocator::AllocatorError;
use crate::layout::LayoutError;
use crate::status::{Status, ToStatus};

/// Misuse of the Locked counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LockedError {
    #[error("the Locked counter is already zero")]
    Underflow,
    #[error("the Locked counter would overflow")]
    Overflow,
}

impl ToStatus for LockedError {
    fn status(&self) -> Status {
        Status::ERR_UNDEFINED_BEHAVIOR
    }
}

/// Why a Map, Unmap or output reservation was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    #[error("invalid map flags {0:#x}")]
    InvalidFlags(u32),
    #[error("the surface is not mapped")]
    NotMapped,
    #[error("write access refused: the surface's Locked counter is {0}")]
    Locked(u16),
    #[error("write access refused: the surface is mapped or being written")]
    Busy,
    #[error("read access with NOWAIT refused: the surface is being written")]
    WouldWait,
    #[error("the external allocator failed to lock the surface: {0}")]
    AllocatorLock(AllocatorError),
    #[error("the external allocator returned plane pointers that cannot hold the frame")]
    BadPlanePointers,
}

impl ToStatus for MapError {
    fn status(&self) -> Status {
        match self {
            Self::InvalidFlags(_) | Self::NotMapped => Status::ERR_UNSUPPORTED,
            // Map's doc comment lists MFX_ERR_LOCK_MEMORY for every refused access, NOWAIT
            // included; MFX_ERR_RESOURCE_MAPPED is not among its codes.
            Self::Locked(_) | Self::Busy | Self::WouldWait | Self::AllocatorLock(_) | Self::BadPlanePointers => {
                Status::ERR_LOCK_MEMORY
            }
        }
    }
}

/// What `Synchronize` reports instead of readiness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    #[error("the surface is not ready yet")]
    Timeout,
    #[error("the operation producing the surface failed: {0}")]
    Failed(Status),
}

impl ToStatus for SyncError {
    fn status(&self) -> Status {
        match self {
            Self::Timeout => Status::WRN_IN_EXECUTION,
            Self::Failed(status) => *status,
        }
    }
}

/// Native or device handle queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HandleError {
    #[error("the surface is in system memory and has no native handle")]
    SystemMemory,
    #[error("the allocator has no handle for this surface: {0}")]
    Allocator(AllocatorError),
}

impl ToStatus for HandleError {
    fn status(&self) -> Status {
        match self {
            Self::SystemMemory => Status::ERR_UNSUPPORTED,
            Self::Allocator(error) => error.status(),
        }
    }
}

/// Why frame memory could not be allocated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllocError {
    #[error(transparent)]
    Layout(#[from] LayoutError),
    #[error("out of memory allocating {0} bytes")]
    OutOfMemory(usize),
    #[error("the external allocator failed: {0}")]
    Allocator(AllocatorError),
}

impl ToStatus for AllocError {
    fn status(&self) -> Status {
        match self {
            Self::Layout(LayoutError::Info(error)) => error.status(),
            Self::Layout(LayoutError::PitchAlign(_)) => Status::ERR_INVALID_VIDEO_PARAM,
            Self::OutOfMemory(_) => Status::ERR_MEMORY_ALLOC,
            Self::Allocator(_) => Status::ERR_MEMORY_ALLOC,
        }
    }
}

/// Why a pool handed out no surface.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AcquireError {
    #[error("no surface became free within {0} ms")]
    Timeout(u32),
    #[error("the pool is closed")]
    Closed,
    #[error(transparent)]
    Alloc(#[from] AllocError),
}

impl ToStatus for AcquireError {
    fn status(&self) -> Status {
        match self {
            Self::Timeout(_) => Status::WRN_ALLOC_TIMEOUT_EXPIRED,
            Self::Closed => Status::ERR_NOT_INITIALIZED,
            Self::Alloc(error) => error.status(),
        }
    }
}
