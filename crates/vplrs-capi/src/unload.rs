//! Gives back what the library keeps in its global registries when it is unloaded.
//!
//! The dispatcher `dlclose`s a runtime at `MFXUnload`; whatever the library's statics still hold
//! then (registry tables, the surface shells kept for stale-pointer safety, sessions the
//! application never closed) would outlive the code that owns it. After unloading, nobody can call
//! into the library again, so everything can go.

use std::sync::atomic::{AtomicBool, Ordering};

/// Runs at `dlclose` and at process exit.
#[used]
#[link_section = ".fini_array"]
static RELEASE_AT_UNLOAD: extern "C" fn() = release_at_unload;

static RELEASED: AtomicBool = AtomicBool::new(false);

extern "C" fn release_at_unload() {
    if RELEASED.swap(true, Ordering::AcqRel) {
        return;
    }
    // Nothing may unwind out of a destructor the loader calls.
    let _ = std::panic::catch_unwind(|| {
        crate::session::release_all();
        crate::surface::foreign::release_all();
        crate::pool_iface::release_all();
        crate::description::release_all();
        crate::sharing::release_all();
        // Arrays hold surface references: they go before the surfaces' own clean-up.
        crate::surface::array::release_all();
        crate::surface::release_all();
    });
}
