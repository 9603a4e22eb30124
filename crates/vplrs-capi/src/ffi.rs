//! The edge of every export: panics are caught here, typed errors become `mfxStatus`.
//!
//! Every `extern "C"` function of this crate is `guard(|| ...)` around safe Rust that returns
//! `Result<_, Status>`; no panic unwinds into C (a caught one answers `MFX_ERR_UNKNOWN`).
//!
//! Diagnostics: with `VPLRS_LOG` set (a `tracing` filter such as `debug` or `vplrs_encode=debug`)
//! the library logs to stderr, including every error status an export returns and why.

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::status::{Status, ToStatus};

use crate::bindings::mfxStatus;

/// What the safe layer returns: success, or the status to report.
pub(crate) type Outcome<T = ()> = Result<T, Status>;

thread_local! {
    /// The export running on this thread (the innermost, when an application's callback calls
    /// back into the runtime): what contract violations name.
    static CURRENT_EXPORT: std::cell::Cell<&'static str> = const { std::cell::Cell::new("") };
}

/// The export the calling thread is in ("" outside any).
pub(crate) fn current_export() -> &'static str {
    CURRENT_EXPORT.try_with(std::cell::Cell::get).unwrap_or("")
}

/// Runs `body` and returns its status; a panic becomes `MFX_ERR_UNKNOWN`.
pub(crate) fn guard(name: &'static str, body: impl FnOnce() -> Outcome<Status>) -> mfxStatus {
    init_logging();
    // `try_with`: a call from a thread whose thread-locals are being torn down still runs (and
    // `with` would panic there, outside the catch).
    let outer = CURRENT_EXPORT.try_with(|current| current.replace(name)).unwrap_or("");
    let result = catch_unwind(AssertUnwindSafe(body));
    let _ = CURRENT_EXPORT.try_with(|current| current.set(outer));
    match result {
        Ok(Ok(status)) => status.0,
        Ok(Err(status)) => {
            tracing::debug!(function = name, status = status.0, "error returned");
            status.0
        }
        Err(_) => {
            panic_caught(name);
            Status::ERR_UNKNOWN.0
        }
    }
}

/// A panic stopped at the C boundary: logged, and the call answers an error; with
/// `VPLRS_PANIC=abort` the process aborts instead, so that a fuzzer or a debugger stops at it.
fn panic_caught(name: &'static str) {
    tracing::error!(function = name, "panic caught at the C boundary");
    if std::env::var_os("VPLRS_PANIC").is_some_and(|value| value == "abort") {
        std::process::abort();
    }
}

/// Installs a stderr logger once, if `VPLRS_LOG` asks for one.
fn init_logging() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if let Ok(filter) = std::env::var("VPLRS_LOG") {
            let filter = tracing_subscriber::EnvFilter::try_new(filter).unwrap_or_default();
            // Another subscriber (the application's) wins: ours is only a fallback.
            let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
        }
    });
}

/// As [`guard`] for the few exports that return something other than a status.
pub(crate) fn guard_value<T>(name: &'static str, fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|_| {
        panic_caught(name);
        fallback
    })
}

/// Converts any typed error of the other crates to its status.
pub(crate) trait OrStatus<T> {
    fn or_status(self) -> Outcome<T>;
}

impl<T, E: ToStatus> OrStatus<T> for Result<T, E> {
    fn or_status(self) -> Outcome<T> {
        self.map_err(|error| error.status())
    }
}

/// `Ok(())` for a non-null pointer, `MFX_ERR_NULL_PTR` otherwise.
pub(crate) fn non_null<T>(pointer: *const T) -> Outcome {
    if pointer.is_null() {
        Err(Status::ERR_NULL_PTR)
    } else {
        Ok(())
    }
}

/// Writes `value` through an output pointer the caller checked is non-null.
///
/// # Safety
/// `out` must be valid for a write of `T` (possibly unaligned is not allowed: C pointers to `T`).
pub(crate) unsafe fn write_out<T>(out: *mut T, value: T) -> Outcome {
    non_null(out)?;
    // SAFETY: non-null checked above; validity is the caller's contract.
    unsafe { out.write(value) };
    Ok(())
}

/// Locks a mutex of the C layer's bookkeeping; a panic elsewhere (caught at the export) does not
/// make it unusable.
pub(crate) fn lock<T>(mutex: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
