//! `VPLRS_COPIES=forbid`: every pixel copy the runtime would make becomes an error that names the
//! path and why the copy could not be avoided, so that a pipeline can prove it is zero-copy. The
//! variable is read once per process.

use std::sync::OnceLock;

/// A copy the runtime would have made while copies are forbidden.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("pixel copy forbidden (VPLRS_COPIES=forbid): {path}: {reason}")]
pub struct CopyForbidden {
    /// Where: "decode", "decode into an application surface", "encode input", ...
    pub path: &'static str,
    /// Why the copy cannot be avoided there.
    pub reason: String,
}

/// True when `VPLRS_COPIES=forbid`.
pub fn forbidden() -> bool {
    static FORBIDDEN: OnceLock<bool> = OnceLock::new();
    *FORBIDDEN.get_or_init(|| std::env::var("VPLRS_COPIES").is_ok_and(|value| value.eq_ignore_ascii_case("forbid")))
}

/// `Ok` unless copies are forbidden; then the error (also logged) for a copy on `path`.
pub fn allow(path: &'static str, reason: impl FnOnce() -> String) -> Result<(), CopyForbidden> {
    if !forbidden() {
        return Ok(());
    }
    let error = CopyForbidden { path, reason: reason() };
    tracing::warn!(%error);
    Err(error)
}
