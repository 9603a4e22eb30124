//! Why a VPP call failed.

use vplrs_memory::{AcquireError, AllocError, MapError};
use vplrs_runtime::SubmitError;

/// Why a VPP call failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VppError {
    #[error("invalid VPP parameters: {0}")]
    /// The parameters contradict themselves or the API (`MFX_ERR_INVALID_VIDEO_PARAM`).
    InvalidParams(&'static str),
    #[error("unsupported VPP parameters: {0}")]
    /// Valid parameters this VPP does not do (`MFX_ERR_UNSUPPORTED`).
    Unsupported(&'static str),
    #[error("Reset cannot change this without Close and Init: {0}")]
    /// A Reset that needs Close and Init (`MFX_ERR_INCOMPATIBLE_VIDEO_PARAM`).
    Incompatible(&'static str),
    #[error("VPP is not initialized")]
    /// A call before Init or after Close.
    NotInitialized,
    #[error("VPP is already initialized")]
    /// Init while initialised: Close first.
    AlreadyInitialized,
    #[error("no input: VPP holds no frames to drain")]
    /// Draining with nothing held (`MFX_ERR_MORE_DATA`).
    MoreData,
    #[error("surface does not match the VPP parameters: {0}")]
    /// A surface of another format or too small for the parameters.
    SurfaceMismatch(&'static str),
    #[error("the output surface is Locked by another component")]
    /// The output is still Locked by a component that reads it.
    OutputLocked,
    /// One frame as both input and output: the job would wait for itself.
    #[error("the same surface is given as input and output")]
    SameSurface,
    #[error(transparent)]
    /// `AsyncDepth` operations are in flight (`MFX_WRN_DEVICE_BUSY`), or the lane is closed.
    Busy(#[from] SubmitError),
    #[error(transparent)]
    /// A surface could not be mapped.
    Map(#[from] MapError),
    #[error(transparent)]
    /// No output surface from the pool.
    Acquire(#[from] AcquireError),
    #[error(transparent)]
    /// The pools could not be allocated.
    Alloc(#[from] AllocError),
    #[error("could not start the VPP worker: {0}")]
    /// The worker thread could not start.
    Thread(String),
}
