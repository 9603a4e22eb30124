//! The errors of VPP calls, each naming the `mfxStatus` it stands for.

use vplrs_memory::{AcquireError, AllocError, MapError, Status, ToStatus};
use vplrs_runtime::SubmitError;

/// Why a VPP call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VppError {
    #[error("invalid VPP parameters: {0}")]
    InvalidParams(&'static str),
    #[error("unsupported VPP parameters: {0}")]
    Unsupported(&'static str),
    #[error("Reset cannot change this without Close and Init: {0}")]
    Incompatible(&'static str),
    #[error("VPP is not initialized")]
    NotInitialized,
    #[error("VPP is already initialized")]
    AlreadyInitialized,
    #[error("no input: VPP holds no frames to drain")]
    MoreData,
    #[error("surface does not match the VPP parameters: {0}")]
    SurfaceMismatch(&'static str),
    #[error("the output surface is Locked by another component")]
    OutputLocked,
    /// One frame as both input and output: the job would wait for itself.
    #[error("the same surface is given as input and output")]
    SameSurface,
    #[error(transparent)]
    Busy(#[from] SubmitError),
    #[error(transparent)]
    Map(#[from] MapError),
    #[error(transparent)]
    Acquire(#[from] AcquireError),
    #[error(transparent)]
    Alloc(#[from] AllocError),
    #[error("could not start the VPP worker: {0}")]
    Thread(String),
}

impl ToStatus for VppError {
    fn status(&self) -> Status {
        match self {
            Self::InvalidParams(_) | Self::SurfaceMismatch(_) => Status::ERR_INVALID_VIDEO_PARAM,
            Self::Unsupported(_) => Status::ERR_UNSUPPORTED,
            Self::Incompatible(_) => Status::ERR_INCOMPATIBLE_VIDEO_PARAM,
            Self::NotInitialized => Status::ERR_NOT_INITIALIZED,
            Self::AlreadyInitialized => Status::ERR_UNDEFINED_BEHAVIOR,
            Self::MoreData => Status::ERR_MORE_DATA,
            Self::OutputLocked => Status::ERR_LOCK_MEMORY,
            Self::SameSurface => Status::ERR_UNDEFINED_BEHAVIOR,
            Self::Busy(error) => error.status(),
            Self::Map(error) => error.status(),
            Self::Acquire(error) => error.status(),
            Self::Alloc(error) => error.status(),
            Self::Thread(_) => Status::ERR_MEMORY_ALLOC,
        }
    }
}
