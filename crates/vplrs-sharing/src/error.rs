use vplrs_memory::{AcquireError, MapError};

/// Why an export or import could not be done.
#[derive(Debug, thiserror::Error)]
pub enum SharingError {
    /// The framework's library or a device for it is missing on this machine.
    #[error("{api} is not available here: {reason}")]
    Unavailable {
        /// "OpenCL" or "Vulkan".
        api: &'static str,
        /// What is missing.
        reason: String,
    },
    /// The frame's format or layout has no counterpart in the framework (or on its device).
    #[error("not supported: {0}")]
    Unsupported(String),
    /// Only a shared export or import was allowed, and the device cannot work on this memory.
    #[error("cannot be shared without a copy: {0}")]
    NotShareable(String),
    /// The application's objects do not describe a frame the component takes.
    #[error("the images do not fit: {0}")]
    Mismatch(String),
    /// A handle the application had to give is NULL.
    #[error("{0} is NULL")]
    NullHandle(&'static str),
    /// The framework refused a call.
    #[error("{call} failed with {code}")]
    Framework {
        /// The refused call.
        call: &'static str,
        /// Its error code (`cl_int`, `VkResult`).
        code: i32,
    },
    /// The surface could not be read or written.
    #[error(transparent)]
    Map(#[from] MapError),
    /// No surface for a copy: the component is not initialised, or its pool is exhausted.
    #[error(transparent)]
    Acquire(#[from] AcquireError),
}
