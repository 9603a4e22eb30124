//! Why a VPP call failed.

use vplrs_memory::{AcquireError, AllocError, MapError};
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
