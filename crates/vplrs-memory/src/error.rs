//! The typed errors of surface operations (the C ABI maps each to the `mfxStatus` it stands for).

use crate::allocator::AllocatorError;
use crate::layout::LayoutError;

/// Misuse of the Locked counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LockedError {
    #[error("the Locked counter is already zero")]
    /// A decrement of a counter already at zero.
    Underflow,
    #[error("the Locked counter would overflow")]
    /// An increment past `u16::MAX`.
    Overflow,
}

/// Why a Map, Unmap or output reservation was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    #[error("invalid map flags {0:#x}")]
    /// Flags that are not `MFX_MAP_*`, or neither READ nor WRITE.
    InvalidFlags(u32),
    #[error("the surface is not mapped")]
    /// An Unmap without a Map.
    NotMapped,
    #[error("write access refused: the surface's Locked counter is {0}")]
    /// A write while components hold the frame (its Locked counter).
    Locked(u16),
    #[error("write access refused: the surface is mapped or being written")]
    /// A write while the surface is mapped or written.
    Busy,
    #[error("read access with NOWAIT refused: the surface is being written")]
    /// A NOWAIT read of a surface still being produced.
    WouldWait,
    #[error("the external allocator failed to lock the surface: {0}")]
    /// The application's allocator failed to Lock.
    AllocatorLock(AllocatorError),
    #[error("the external allocator returned plane pointers that cannot hold the frame")]
    /// The allocator's plane pointers cannot hold the frame.
    BadPlanePointers,
}

/// What `Synchronize` reports instead of readiness.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SyncError {
    #[error("the surface is not ready yet")]
    /// The wait ended first (`MFX_WRN_IN_EXECUTION`).
    Timeout,
    #[error("the operation producing the surface failed: {0}")]
    /// The producing operation failed, and how.
    Failed(OperationError),
}

/// Native or device handle queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HandleError {
    #[error("the surface is in system memory and has no native handle")]
    /// System memory has no native handle.
    SystemMemory,
    #[error("the allocator has no handle for this surface: {0}")]
    /// The application's allocator gave none.
    Allocator(AllocatorError),
}

/// Why frame memory could not be allocated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AllocError {
    #[error(transparent)]
    /// The frame info has no layout.
    Layout(#[from] LayoutError),
    #[error("out of memory allocating {0} bytes")]
    /// The system has no memory for this many bytes.
    OutOfMemory(usize),
    #[error("the external allocator failed: {0}")]
    /// The application's allocator failed.
    Allocator(AllocatorError),
}

/// Why a pool handed out no surface.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AcquireError {
    #[error("no surface became free within {0} ms")]
    /// The pool's Wait (ms) expired with every surface in use (`MFX_WRN_ALLOC_TIMEOUT_EXPIRED`).
    Timeout(u32),
    #[error("the pool is closed")]
    /// The pool was closed (its component's Close).
    Closed,
    #[error(transparent)]
    /// A new surface could not be allocated.
    Alloc(#[from] AllocError),
}

/// How an asynchronous operation failed (what its sync point and the surfaces it produced report).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OperationError {
    /// Abandoned before it finished, or an input's producer failed.
    #[error("the operation was aborted (abandoned, or an input's producer failed)")]
    Aborted,
    /// An input surface could not be mapped for reading.
    #[error("an input surface could not be read")]
    InputUnreadable,
    /// The work itself failed (a conversion the kernels refused).
    #[error("the operation failed")]
    Failed,
    /// The worker running it panicked.
    #[error("the worker running the operation panicked")]
    Panicked,
}
