//! Why a decode call produced no picture.

use vplrs_memory::{AcquireError, AllocError, MapError};
use vplrs_runtime::SubmitError;

use crate::backend::BackendError;

/// Why a decode call produced no frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("the decoder is not initialized")]
    NotInitialized,
    #[error("the decoder is already initialized")]
    AlreadyInitialized,
    /// More bitstream is needed: the data held no picture to show (a hidden frame, which was
    /// consumed), or the stream is drained.
    #[error("more data needed")]
    MoreData,
    /// The work surface cannot be written now; give another one (the data was not consumed).
    #[error("the work surface is in use; another surface is needed")]
    MoreSurface,
    #[error("unsupported decode parameters: {0}")]
    Unsupported(&'static str),
    #[error("invalid decode parameters: {0}")]
    InvalidParams(&'static str),
    /// The stream changed to pictures the surfaces cannot hold.
    #[error("the stream's pictures ({0}x{1}) no longer fit the initialized surfaces")]
    Incompatible(u32, u32),
    /// `Reset` asked for another output format or larger pictures than Init: Close and Init.
    #[error("Reset cannot change the output format or enlarge the pictures of Init")]
    ResetIncompatible,
    #[error(transparent)]
    Bitstream(#[from] BackendError),
    #[error(transparent)]
    Busy(#[from] SubmitError),
    #[error(transparent)]
    Acquire(#[from] AcquireError),
    #[error(transparent)]
    Alloc(#[from] AllocError),
    #[error(transparent)]
    Map(#[from] MapError),
    #[error("could not start the decode worker: {0}")]
    Thread(String),
    #[error(transparent)]
    CopyForbidden(#[from] vplrs_memory::copies::CopyForbidden),
}

impl DecodeError {
    /// True when the call took the data (the application moves on to the next frame).
    pub fn consumed_data(&self) -> bool {
        matches!(self, Self::MoreData | Self::Bitstream(_))
    }
}
