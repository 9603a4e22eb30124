//! `mfxStatus` at the edge: the status codes (the values of `mfxdefs.h`), and the one place where
//! each typed error and outcome of the Rust core is given the status the C API documents for it.
//! The Rust crates know nothing of `mfxStatus`.

use vplrs_decode::DecodeError;
use vplrs_encode::EncodeError;
use vplrs_memory::allocator::AllocatorError;
use vplrs_memory::copies::CopyForbidden;
use vplrs_memory::info::FrameInfoError;
use vplrs_memory::layout::LayoutError;
use vplrs_memory::{AcquireError, AllocError, HandleError, LockedError, MapError, OperationError, SyncError};
use vplrs_runtime::{Accepted, SubmitError, SyncPointError};
use vplrs_vpp::VppError;

/// A `mfxStatus` value: negative is an error, zero success, positive a warning.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct Status(pub i32);

macro_rules! statuses {
    ($($name:ident = $value:expr),* $(,)?) => {
        // The whole table of mfxdefs.h: `name` reads every value, not all are answered.
        #[allow(dead_code)]
        impl Status {
            $(pub const $name: Status = Status($value);)*

            /// The `mfxStatus` enumerator name, for logs and error messages.
            pub fn name(self) -> &'static str {
                match self.0 {
                    $($value => stringify!($name),)*
                    _ => "MFX_STATUS_UNKNOWN_VALUE",
                }
            }
        }
    };
}

statuses! {
    ERR_NONE = 0,
    ERR_UNKNOWN = -1,
    ERR_NULL_PTR = -2,
    ERR_UNSUPPORTED = -3,
    ERR_MEMORY_ALLOC = -4,
    ERR_NOT_ENOUGH_BUFFER = -5,
    ERR_INVALID_HANDLE = -6,
    ERR_LOCK_MEMORY = -7,
    ERR_NOT_INITIALIZED = -8,
    ERR_NOT_FOUND = -9,
    ERR_MORE_DATA = -10,
    ERR_MORE_SURFACE = -11,
    ERR_ABORTED = -12,
    ERR_DEVICE_LOST = -13,
    ERR_INCOMPATIBLE_VIDEO_PARAM = -14,
    ERR_INVALID_VIDEO_PARAM = -15,
    ERR_UNDEFINED_BEHAVIOR = -16,
    ERR_DEVICE_FAILED = -17,
    ERR_MORE_BITSTREAM = -18,
    ERR_GPU_HANG = -21,
    ERR_REALLOC_SURFACE = -22,
    ERR_RESOURCE_MAPPED = -23,
    ERR_NOT_IMPLEMENTED = -24,
    WRN_IN_EXECUTION = 1,
    WRN_DEVICE_BUSY = 2,
    WRN_VIDEO_PARAM_CHANGED = 3,
    WRN_PARTIAL_ACCELERATION = 4,
    WRN_INCOMPATIBLE_VIDEO_PARAM = 5,
    WRN_VALUE_NOT_CHANGED = 6,
    WRN_OUT_OF_RANGE = 7,
    WRN_FILTER_SKIPPED = 10,
    ERR_NONE_PARTIAL_OUTPUT = 12,
    WRN_ALLOC_TIMEOUT_EXPIRED = 13,
}

impl Status {
    pub fn is_error(self) -> bool {
        self.0 < 0
    }
}

impl std::fmt::Debug for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}({})", self.name(), self.0)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The `mfxStatus` a typed error or outcome of the Rust core stands for.
pub trait ToStatus {
    fn status(&self) -> Status;
}

impl ToStatus for LockedError {
    fn status(&self) -> Status {
        Status::ERR_UNDEFINED_BEHAVIOR
    }
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

impl ToStatus for SyncError {
    fn status(&self) -> Status {
        match self {
            Self::Timeout => Status::WRN_IN_EXECUTION,
            Self::Failed(error) => error.status(),
        }
    }
}

impl ToStatus for OperationError {
    fn status(&self) -> Status {
        match self {
            Self::Aborted => Status::ERR_ABORTED,
            Self::InputUnreadable => Status::ERR_LOCK_MEMORY,
            Self::Failed => Status::ERR_UNDEFINED_BEHAVIOR,
            Self::Panicked => Status::ERR_UNKNOWN,
        }
    }
}

/// Parameters taken as given, or corrected (`MFX_WRN_INCOMPATIBLE_VIDEO_PARAM`).
impl ToStatus for Accepted {
    fn status(&self) -> Status {
        match self {
            Accepted::AsGiven => Status::ERR_NONE,
            Accepted::Corrected => Status::WRN_INCOMPATIBLE_VIDEO_PARAM,
        }
    }
}

impl ToStatus for Result<(), OperationError> {
    fn status(&self) -> Status {
        match self {
            Ok(()) => Status::ERR_NONE,
            Err(error) => error.status(),
        }
    }
}

impl ToStatus for HandleError {
    fn status(&self) -> Status {
        match self {
            Self::SystemMemory => Status::ERR_UNSUPPORTED,
            Self::Allocator(error) => error.status(),
        }
    }
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

impl ToStatus for AcquireError {
    fn status(&self) -> Status {
        match self {
            Self::Timeout(_) => Status::WRN_ALLOC_TIMEOUT_EXPIRED,
            Self::Closed => Status::ERR_NOT_INITIALIZED,
            Self::Alloc(error) => error.status(),
        }
    }
}

impl ToStatus for AllocatorError {
    fn status(&self) -> Status {
        match self {
            Self::Unsupported => Status::ERR_UNSUPPORTED,
            Self::OutOfMemory => Status::ERR_MEMORY_ALLOC,
            Self::UnknownMemId => Status::ERR_INVALID_HANDLE,
            Self::InvalidRequest => Status::ERR_INVALID_VIDEO_PARAM,
            Self::Lock => Status::ERR_LOCK_MEMORY,
            Self::Failed(code) => Status(*code),
        }
    }
}

impl ToStatus for FrameInfoError {
    fn status(&self) -> Status {
        match self {
            Self::UnsupportedFourCc(_) | Self::FormatMismatch { .. } => Status::ERR_UNSUPPORTED,
            _ => Status::ERR_INVALID_VIDEO_PARAM,
        }
    }
}

impl ToStatus for CopyForbidden {
    fn status(&self) -> Status {
        Status::ERR_UNSUPPORTED
    }
}

impl ToStatus for SyncPointError {
    fn status(&self) -> Status {
        match self {
            Self::InExecution => Status::WRN_IN_EXECUTION,
            Self::Failed(error) => error.status(),
        }
    }
}

impl ToStatus for SubmitError {
    fn status(&self) -> Status {
        match self {
            Self::Busy(_) => Status::WRN_DEVICE_BUSY,
            Self::Closed => Status::ERR_NOT_INITIALIZED,
        }
    }
}

impl ToStatus for DecodeError {
    fn status(&self) -> Status {
        match self {
            Self::NotInitialized => Status::ERR_NOT_INITIALIZED,
            Self::AlreadyInitialized => Status::ERR_UNDEFINED_BEHAVIOR,
            Self::MoreData => Status::ERR_MORE_DATA,
            Self::MoreSurface => Status::ERR_MORE_SURFACE,
            Self::Unsupported(_) => Status::ERR_UNSUPPORTED,
            Self::InvalidParams(_) => Status::ERR_INVALID_VIDEO_PARAM,
            Self::Incompatible(..) | Self::ResetIncompatible => Status::ERR_INCOMPATIBLE_VIDEO_PARAM,
            Self::Bitstream(_) => Status::ERR_UNDEFINED_BEHAVIOR,
            Self::Busy(error) => error.status(),
            Self::Acquire(error) => error.status(),
            Self::Alloc(error) => error.status(),
            Self::Map(error) => error.status(),
            Self::Thread(_) => Status::ERR_MEMORY_ALLOC,
            Self::CopyForbidden(error) => error.status(),
        }
    }
}

impl ToStatus for vplrs_sharing::SharingError {
    fn status(&self) -> Status {
        use vplrs_sharing::SharingError;
        match self {
            // "MFX_ERR_UNSUPPORTED: the requested export/import is not supported": no such
            // framework here, a format or layout it has no images for, shared-only where sharing
            // is impossible, objects that do not hold the component's frame.
            SharingError::Unavailable { .. }
            | SharingError::Unsupported(_)
            | SharingError::NotShareable(_)
            | SharingError::Mismatch(_) => Status::ERR_UNSUPPORTED,
            SharingError::NullHandle(_) => Status::ERR_NULL_PTR,
            SharingError::Framework { .. } | SharingError::Map(_) => Status::ERR_UNKNOWN,
            SharingError::Acquire(error) => error.status(),
        }
    }
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

impl ToStatus for EncodeError {
    fn status(&self) -> Status {
        match self {
            Self::NotInitialized => Status::ERR_NOT_INITIALIZED,
            Self::AlreadyInitialized => Status::ERR_UNDEFINED_BEHAVIOR,
            Self::MoreData => Status::ERR_MORE_DATA,
            Self::NotEnoughBuffer { .. } => Status::ERR_NOT_ENOUGH_BUFFER,
            Self::Unsupported(_) => Status::ERR_UNSUPPORTED,
            Self::InvalidParams(_) | Self::Open(_) => Status::ERR_INVALID_VIDEO_PARAM,
            Self::Incompatible(_) => Status::ERR_INCOMPATIBLE_VIDEO_PARAM,
            Self::InvalidSurface(_) => Status::ERR_UNDEFINED_BEHAVIOR,
            Self::Encoder(_) => Status::ERR_UNDEFINED_BEHAVIOR,
            Self::Acquire(error) => error.status(),
            Self::Alloc(error) => error.status(),
            Self::Map(error) => error.status(),
            Self::CopyForbidden(error) => error.status(),
        }
    }
}

/// Classifies the status an application's allocator returned.
pub(crate) fn allocator_error(status: Status) -> AllocatorError {
    match status {
        Status::ERR_UNSUPPORTED => AllocatorError::Unsupported,
        Status::ERR_MEMORY_ALLOC => AllocatorError::OutOfMemory,
        Status::ERR_INVALID_HANDLE => AllocatorError::UnknownMemId,
        Status::ERR_LOCK_MEMORY => AllocatorError::Lock,
        other => AllocatorError::Failed(other.0),
    }
}
