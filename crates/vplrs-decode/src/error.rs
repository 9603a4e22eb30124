//! Why a decode call produced no picture.

use vplrs_memory::{AcquireError, AllocError, MapError};
use vplrs_runtime::SubmitError;

use crate::backend::BackendError;

/// Why a decode call produced no frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("the decoder is not initialized")]
    /// A call before Init or after Close.
    NotInitialized,
    #[error("the decoder is already initialized")]
    /// Init while initialised: Close first.
    AlreadyInitialized,
    /// More bitstream is needed: the data held no picture to show (a hidden frame, which was
    /// consumed), or the stream is drained.
    #[error("more data needed")]
    MoreData,
    /// The work surface cannot be written now; give another one (the data was not consumed).
    #[error("the work surface is in use; another surface is needed")]
    MoreSurface,
    #[error("unsupported decode parameters: {0}")]
    /// Valid parameters this decoder does not do (`MFX_ERR_UNSUPPORTED`).
    Unsupported(&'static str),
    #[error("invalid decode parameters: {0}")]
    /// The parameters contradict themselves or the API (`MFX_ERR_INVALID_VIDEO_PARAM`).
    InvalidParams(&'static str),
    /// The stream changed to pictures the surfaces cannot hold.
    #[error("the stream's pictures ({0}x{1}) no longer fit the initialized surfaces")]
    Incompatible(u32, u32),
    /// `Reset` asked for another output format or larger pictures than Init: Close and Init.
    #[error("Reset cannot change the output format or enlarge the pictures of Init")]
    ResetIncompatible,
    #[error(transparent)]
    /// A frame the codec could not decode.
    Bitstream(#[from] BackendError),
    #[error(transparent)]
    /// `AsyncDepth` operations are in flight (`MFX_WRN_DEVICE_BUSY`), or the lane is closed.
    Busy(#[from] SubmitError),
    #[error(transparent)]
    /// No surface from the pool (a Wait hint that expired, or a closed pool).
    Acquire(#[from] AcquireError),
    #[error(transparent)]
    /// The pool could not be allocated.
    Alloc(#[from] AllocError),
    #[error(transparent)]
    /// A surface could not be mapped.
    Map(#[from] MapError),
    #[error("could not start the decode worker: {0}")]
    /// The worker thread could not start.
    Thread(String),
    #[error(transparent)]
    /// A copy was needed and `VPLRS_COPIES=forbid` is set.
    CopyForbidden(#[from] vplrs_memory::copies::CopyForbidden),
}

impl DecodeError {
    /// True when the call took the data (the application moves on to the next frame).
    pub fn consumed_data(&self) -> bool {
        matches!(self, Self::MoreData | Self::Bitstream(_))
    }
}
