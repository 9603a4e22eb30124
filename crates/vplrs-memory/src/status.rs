//! Status codes with the numeric values of `mfxStatus`.
//!
//! Every typed error of this crate names the status it stands for, so the C ABI maps errors one to
//! one without a table of its own. The values are the ones in `mfxdefs.h`.

/// A `mfxStatus` value: negative is an error, zero success, positive a warning.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[repr(transparent)]
pub struct Status(pub i32);

macro_rules! statuses {
    ($($name:ident = $value:expr),* $(,)?) => {
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

    pub fn is_warning(self) -> bool {
        self.0 > 0
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

/// Implemented by every error type that crosses the C boundary.
pub trait ToStatus {
    fn status(&self) -> Status;
}
