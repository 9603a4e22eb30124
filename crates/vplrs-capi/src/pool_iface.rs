//! `mfxSurfacePoolInterface` (mfxsurfacepool.h): what `QueryInterface(MFX_GUID_SURFACE_POOL)`
//! returns for a runtime surface.
//!
//! One interface object per pool, reference counted by the application. It stays allocated while
//! the session that owns the pool is open (so a Release past zero answers
//! `MFX_ERR_UNDEFINED_BEHAVIOR`), and after the session closes until its last Release.

use std::cell::UnsafeCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{LazyLock, Mutex};

use crate::status::Status;
use vplrs_memory::{PoolWarning, SurfacePool};

use crate::bindings::*;
use crate::ffi::lock;
use crate::ffi::{guard, non_null, write_out, Outcome};

struct PoolIface {
    iface: UnsafeCell<mfxSurfacePoolInterface>,
    pool: SurfacePool,
    refs: AtomicU32,
    /// The owning session is open: keep the object at zero references.
    owner_open: AtomicBool,
}

// SAFETY: the interface structure is written once, before the object is published in REGISTRY;
// afterwards it is only read. The other fields are thread-safe.
unsafe impl Sync for PoolIface {}
// SAFETY: as above.
unsafe impl Send for PoolIface {}

/// Live pool interfaces by the address of their `mfxSurfacePoolInterface`.
static REGISTRY: LazyLock<Mutex<HashMap<usize, Box<PoolIface>>>> = LazyLock::new(Mutex::default);

/// Frees every pool interface still registered (the library is being unloaded).
pub(crate) fn release_all() {
    drop(std::mem::take(&mut *lock(&REGISTRY)));
}

/// The pool interface of `pool` with one more reference, made on first use.
pub(crate) fn acquire(pool: &SurfacePool) -> Outcome<*mut mfxSurfacePoolInterface> {
    let mut registry = lock(&REGISTRY);
    if let Some((&key, existing)) = registry.iter().find(|(_, entry)| entry.pool.ptr_eq(pool)) {
        existing.refs.fetch_add(1, Ordering::AcqRel);
        return Ok(key as *mut mfxSurfacePoolInterface);
    }
    let entry = Box::new(PoolIface {
        iface: UnsafeCell::new(mfxSurfacePoolInterface::default()),
        pool: pool.clone(),
        refs: AtomicU32::new(1),
        owner_open: AtomicBool::new(true),
    });
    let pointer = entry.iface.get();
    // SAFETY: the entry is not shared yet.
    unsafe {
        let iface = &mut *pointer;
        iface.Context = pointer.cast();
        iface.AddRef = Some(add_ref);
        iface.Release = Some(release);
        iface.GetRefCounter = Some(get_ref_counter);
        iface.SetNumSurfaces = Some(set_num_surfaces);
        iface.RevokeSurfaces = Some(revoke_surfaces);
        iface.GetAllocationPolicy = Some(get_allocation_policy);
        iface.GetMaximumPoolSize = Some(get_maximum_pool_size);
        iface.GetCurrentPoolSize = Some(get_current_pool_size);
    }
    registry.insert(pointer as usize, entry);
    Ok(pointer)
}

/// A session closed: the interfaces of its `pools` nobody references any more are freed, the
/// others at their last Release. The pools themselves are closed by the core.
pub(crate) fn session_closed(pools: &[SurfacePool]) {
    let mut registry = lock(&REGISTRY);
    registry.retain(|_, entry| {
        if pools.iter().any(|pool| pool.ptr_eq(&entry.pool)) {
            entry.owner_open.store(false, Ordering::Release);
            entry.refs.load(Ordering::Acquire) > 0
        } else {
            true
        }
    });
}

/// Runs `body` with the live pool interface behind `pool`.
fn with_pool(pool: *mut mfxSurfacePoolInterface, body: impl FnOnce(&PoolIface) -> Outcome<Status>) -> Outcome<Status> {
    non_null(pool)?;
    let registry = lock(&REGISTRY);
    let entry = registry.get(&(pool as usize)).ok_or(Status::ERR_INVALID_HANDLE)?;
    // SAFETY: the registry's entry is alive while the registry lock is held.
    if unsafe { (*entry.iface.get()).Context } != pool.cast() {
        return Err(Status::ERR_INVALID_HANDLE);
    }
    body(entry)
}

fn warning(answer: Option<PoolWarning>) -> Outcome<Status> {
    Ok(match answer {
        None => Status::ERR_NONE,
        Some(PoolWarning::IncompatiblePolicy) => Status::WRN_INCOMPATIBLE_VIDEO_PARAM,
        Some(PoolWarning::OutOfRange) => Status::WRN_OUT_OF_RANGE,
    })
}

extern "C" fn add_ref(pool: *mut mfxSurfacePoolInterface) -> mfxStatus {
    guard("mfxSurfacePoolInterface::AddRef", || {
        with_pool(pool, |entry| {
            entry.refs.fetch_add(1, Ordering::AcqRel);
            Ok(Status::ERR_NONE)
        })
    })
}

extern "C" fn release(pool: *mut mfxSurfacePoolInterface) -> mfxStatus {
    guard("mfxSurfacePoolInterface::Release", || {
        non_null(pool)?;
        let mut registry = lock(&REGISTRY);
        let entry = registry.get(&(pool as usize)).ok_or(Status::ERR_INVALID_HANDLE)?;
        let previous = entry
            .refs
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
            .map_err(|_| Status::ERR_UNDEFINED_BEHAVIOR)?;
        if previous == 1 && !entry.owner_open.load(Ordering::Acquire) {
            registry.remove(&(pool as usize));
        }
        Ok(Status::ERR_NONE)
    })
}

extern "C" fn get_ref_counter(pool: *mut mfxSurfacePoolInterface, counter: *mut mfxU32) -> mfxStatus {
    guard("mfxSurfacePoolInterface::GetRefCounter", || {
        non_null(counter)?;
        with_pool(pool, |entry| {
            // SAFETY: checked non-null; the caller passes a valid output pointer.
            unsafe { write_out(counter, entry.refs.load(Ordering::Acquire)) }?;
            Ok(Status::ERR_NONE)
        })
    })
}

extern "C" fn set_num_surfaces(pool: *mut mfxSurfacePoolInterface, num_surfaces: mfxU32) -> mfxStatus {
    guard("mfxSurfacePoolInterface::SetNumSurfaces", || {
        with_pool(pool, |entry| warning(entry.pool.set_num_surfaces(num_surfaces)))
    })
}

extern "C" fn revoke_surfaces(pool: *mut mfxSurfacePoolInterface, num_surfaces: mfxU32) -> mfxStatus {
    guard("mfxSurfacePoolInterface::RevokeSurfaces", || {
        with_pool(pool, |entry| warning(entry.pool.revoke_surfaces(num_surfaces)))
    })
}

extern "C" fn get_allocation_policy(
    pool: *mut mfxSurfacePoolInterface,
    policy: *mut mfxPoolAllocationPolicy,
) -> mfxStatus {
    guard("mfxSurfacePoolInterface::GetAllocationPolicy", || {
        non_null(policy)?;
        with_pool(pool, |entry| {
            let value = entry.pool.policy() as u32 as mfxPoolAllocationPolicy;
            // SAFETY: checked non-null; the caller passes a valid output pointer.
            unsafe { write_out(policy, value) }?;
            Ok(Status::ERR_NONE)
        })
    })
}

extern "C" fn get_maximum_pool_size(pool: *mut mfxSurfacePoolInterface, size: *mut mfxU32) -> mfxStatus {
    guard("mfxSurfacePoolInterface::GetMaximumPoolSize", || {
        non_null(size)?;
        with_pool(pool, |entry| {
            // SAFETY: checked non-null; the caller passes a valid output pointer.
            unsafe { write_out(size, entry.pool.max_size()) }?;
            Ok(Status::ERR_NONE)
        })
    })
}

extern "C" fn get_current_pool_size(pool: *mut mfxSurfacePoolInterface, size: *mut mfxU32) -> mfxStatus {
    guard("mfxSurfacePoolInterface::GetCurrentPoolSize", || {
        non_null(size)?;
        with_pool(pool, |entry| {
            // SAFETY: checked non-null; the caller passes a valid output pointer.
            unsafe { write_out(size, entry.pool.current_size()) }?;
            Ok(Status::ERR_NONE)
        })
    })
}
