//! Sessions: the registry that turns `mfxSession` values into live sessions, and the session
//! exports (`MFXInit*`, `MFXInitialize`, `MFXClose`, queries, join, priority).
//!
//! An `mfxSession` handed to C is an opaque key into [`SESSIONS`]; it is never dereferenced, so a
//! handle that is not (or no longer) a session answers `MFX_ERR_INVALID_HANDLE`.

pub(crate) mod channels;
mod core;

use std::collections::HashMap;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use crate::status::{Status, ToStatus};
use vplrs::Synchronized;
use vplrs_runtime::SyncPoint;

use crate::bindings::*;
use crate::ffi::{guard, lock, non_null, write_out, Outcome};
use crate::fields::{version, version_parts};

/// The API version vplrs implements.
pub(crate) const API_MAJOR: u16 = 2;
pub(crate) const API_MINOR: u16 = 10;

/// One session: the Rust session it translates, and what only the C API has.
pub(crate) struct Session {
    pub(crate) rust: vplrs::Session,
    /// The decode+VPP channels as the application described them (for GetChannelParam).
    pub(crate) channel_requests: Mutex<Vec<channels::ChannelRequest>>,
    /// The application's allocator, also used to lock the mem ids of its own 1.x surfaces.
    pub(crate) allocator: Mutex<Option<Arc<crate::allocator::CAllocator>>>,
    handles: Mutex<HashMap<mfxHandleType, usize>>,
    priority: AtomicI32,
    /// The session this one is joined to as a child.
    parent: Mutex<Option<usize>>,
    /// Children joined to this session.
    children: Mutex<Vec<usize>>,
    /// The runtime surfaces VPP holds between calls (composition's streams before the last, frame
    /// interpolation's previous frame): their C Locked counters are refreshed when the next output
    /// is done.
    pub(crate) held_inputs: Mutex<Vec<&'static crate::surface::Shell>>,
}

impl Session {
    /// Remembers a component's pool; the pools closed since (a component's Close) lose their C
    /// pool interfaces now, so that Init/Close cycles keep nothing.
    pub(crate) fn track_pool(&self, pool: &vplrs_memory::SurfacePool) {
        crate::pool_iface::session_closed(&self.rust.track_pool(pool));
    }

    /// Cleans up after the pools a component closed (the Rust session tracked its new ones).
    pub(crate) fn track_pool_changes(&self) {
        crate::pool_iface::session_closed(&self.rust.forget_closed_pools());
    }

    fn new() -> Self {
        Self {
            rust: vplrs::Session::new(),
            channel_requests: Mutex::default(),
            allocator: Mutex::new(None),
            handles: Mutex::default(),
            priority: AtomicI32::new(MFX_PRIORITY_NORMAL as i32),
            parent: Mutex::new(None),
            children: Mutex::new(Vec::new()),
            held_inputs: Mutex::new(Vec::new()),
        }
    }

    /// Registers an operation's sync point and returns the `mfxSyncPoint` value for it.
    pub(crate) fn register_sync(&self, sync: SyncPoint) -> mfxSyncPoint {
        self.rust.register(sync) as usize as mfxSyncPoint
    }

    /// `SyncOperation`: waits up to `wait` for the operation behind `syncp`.
    pub(crate) fn sync_operation(&self, syncp: mfxSyncPoint, wait: Duration) -> Outcome<Status> {
        match self.rust.synchronize(syncp as usize as u64, wait) {
            // An id this session never handed out.
            None => Err(Status::ERR_NOT_FOUND),
            Some(Synchronized::InExecution) => Ok(Status::WRN_IN_EXECUTION),
            Some(Synchronized::Finished(Ok(()))) => Ok(Status::ERR_NONE),
            Some(Synchronized::Finished(Err(error))) => Err(error.status()),
        }
    }

    pub(crate) fn set_handle(&self, kind: mfxHandleType, handle: usize) -> Outcome {
        let mut handles = lock(&self.handles);
        if handles.contains_key(&kind) {
            return Err(Status::ERR_UNDEFINED_BEHAVIOR);
        }
        handles.insert(kind, handle);
        Ok(())
    }

    pub(crate) fn handle(&self, kind: mfxHandleType) -> Outcome<usize> {
        lock(&self.handles).get(&kind).copied().ok_or(Status::ERR_UNDEFINED_BEHAVIOR)
    }

    /// Closes the components and the pools; surfaces the application still holds stay valid
    /// until their last Release.
    fn close(&self) {
        lock(&self.channel_requests).clear();
        crate::pool_iface::session_closed(&self.rust.close());
    }
}

static SESSIONS: LazyLock<Mutex<HashMap<usize, Arc<Session>>>> = LazyLock::new(Mutex::default);

/// Drops every session still registered (the library is being unloaded).
pub(crate) fn release_all() {
    let sessions = std::mem::take(&mut *lock(&SESSIONS));
    drop(sessions);
}

/// The live session behind `handle`, or `MFX_ERR_INVALID_HANDLE`.
/// The pool reports of every pool of every open session (`vplrs_pool_report`).
pub(crate) fn pool_reports() -> String {
    let sessions: Vec<Arc<Session>> = lock(&SESSIONS).values().cloned().collect();
    let mut text = String::new();
    for (index, session) in sessions.iter().enumerate() {
        let pools = session.rust.pools();
        text.push_str(&format!("session {index}: {} pools\n", pools.len()));
        for pool in &pools {
            text.push_str(&pool.report().to_string());
        }
    }
    text
}

pub(crate) fn session(handle: mfxSession) -> Outcome<Arc<Session>> {
    if handle.is_null() {
        return Err(Status::ERR_INVALID_HANDLE);
    }
    lock(&SESSIONS).get(&(handle as usize)).cloned().ok_or(Status::ERR_INVALID_HANDLE)
}

fn open() -> mfxSession {
    let session = Arc::new(Session::new());
    let key = Arc::as_ptr(&session) as usize;
    lock(&SESSIONS).insert(key, session);
    tracing::debug!(session = key, "session opened");
    key as mfxSession
}

/// Accepts the requested minimum API version: 1.x and 2.x up to 2.8 (0.0: unspecified).
fn check_version(requested: &mfxVersion) -> Outcome {
    let (major, minor) = version_parts(requested);
    let wanted = (u32::from(major) << 16) | u32::from(minor);
    if wanted > (u32::from(API_MAJOR) << 16 | u32::from(API_MINOR)) {
        return Err(Status::ERR_UNSUPPORTED);
    }
    Ok(())
}

/// Accepts the implementations a software runtime is: software, auto, auto-any; any "via" but a
/// specific hardware acceleration stack.
fn check_impl(implementation: mfxIMPL) -> Outcome {
    let base = implementation & 0xff;
    if ![MFX_IMPL_AUTO, MFX_IMPL_SOFTWARE, MFX_IMPL_AUTO_ANY].into_iter().any(|accepted| base == accepted as mfxIMPL) {
        return Err(Status::ERR_UNSUPPORTED);
    }
    let via = implementation & 0x0f00;
    if via != 0 && via != MFX_IMPL_VIA_ANY as mfxIMPL {
        return Err(Status::ERR_UNSUPPORTED);
    }
    Ok(())
}

#[no_mangle]
pub extern "C" fn MFXInit(implementation: mfxIMPL, ver: *mut mfxVersion, session: *mut mfxSession) -> mfxStatus {
    guard("MFXInit", || {
        non_null(session)?;
        check_impl(implementation)?;
        if !ver.is_null() {
            // SAFETY: non-null; the caller passes a valid mfxVersion.
            check_version(unsafe { &*ver })?;
        }
        // SAFETY: checked non-null; the caller passes a valid output pointer.
        unsafe { write_out(session, open()) }?;
        Ok(Status::ERR_NONE)
    })
}

#[no_mangle]
pub extern "C" fn MFXInitEx(par: mfxInitParam, session: *mut mfxSession) -> mfxStatus {
    guard("MFXInitEx", || {
        non_null(session)?;
        check_impl(par.Implementation)?;
        check_version(&par.Version)?;
        if par.ExternalThreads != 0 {
            // vplrs runs its components on its own threads.
            return Err(Status::ERR_UNSUPPORTED);
        }
        // SAFETY: checked non-null; the caller passes a valid output pointer.
        unsafe { write_out(session, open()) }?;
        Ok(Status::ERR_NONE)
    })
}

#[no_mangle]
pub extern "C" fn MFXInitialize(par: mfxInitializationParam, session: *mut mfxSession) -> mfxStatus {
    guard("MFXInitialize", || {
        non_null(session)?;
        if par.AccelerationMode != MFX_ACCEL_MODE_NA {
            return Err(Status::ERR_UNSUPPORTED);
        }
        if par.VendorImplID != 0 {
            // vplrs has one implementation, index 0.
            return Err(Status::ERR_UNSUPPORTED);
        }
        // Extension buffers (mfxExtThreadsParam from the dispatcher) are accepted and ignored.
        // SAFETY: checked non-null; the caller passes a valid output pointer.
        unsafe { write_out(session, open()) }?;
        Ok(Status::ERR_NONE)
    })
}

#[no_mangle]
pub extern "C" fn MFXClose(session: mfxSession) -> mfxStatus {
    guard("MFXClose", || {
        let this = self::session(session)?;
        if !lock(&this.children).is_empty() {
            // "All child sessions must be disjoined before closing a parent session."
            return Err(Status::ERR_UNDEFINED_BEHAVIOR);
        }
        if let Some(parent) = lock(&this.parent).take() {
            if let Some(parent) = lock(&SESSIONS).get(&parent) {
                lock(&parent.children).retain(|&child| child != session as usize);
            }
        }
        lock(&SESSIONS).remove(&(session as usize));
        crate::sharing::session_closed(session);
        this.close();
        tracing::debug!(session = session as usize, "session closed");
        Ok(Status::ERR_NONE)
    })
}

#[no_mangle]
pub extern "C" fn MFXQueryIMPL(session: mfxSession, implementation: *mut mfxIMPL) -> mfxStatus {
    guard("MFXQueryIMPL", || {
        self::session(session)?;
        // SAFETY: write_out checks for NULL; the caller passes a valid output pointer.
        unsafe { write_out(implementation, MFX_IMPL_SOFTWARE as mfxIMPL) }?;
        Ok(Status::ERR_NONE)
    })
}

#[no_mangle]
pub extern "C" fn MFXQueryVersion(session: mfxSession, ver: *mut mfxVersion) -> mfxStatus {
    guard("MFXQueryVersion", || {
        self::session(session)?;
        // SAFETY: write_out checks for NULL; the caller passes a valid output pointer.
        unsafe { write_out(ver, version(API_MAJOR, API_MINOR)) }?;
        Ok(Status::ERR_NONE)
    })
}

#[no_mangle]
pub extern "C" fn MFXJoinSession(session: mfxSession, child: mfxSession) -> mfxStatus {
    guard("MFXJoinSession", || {
        let parent = self::session(session)?;
        let joined = self::session(child)?;
        if session == child {
            return Err(Status::ERR_UNSUPPORTED);
        }
        // Joining two parents, or a session that is already a child, is not supported.
        if !lock(&joined.children).is_empty() || lock(&joined.parent).is_some() || lock(&parent.parent).is_some() {
            return Err(Status::ERR_UNSUPPORTED);
        }
        *lock(&joined.parent) = Some(session as usize);
        lock(&parent.children).push(child as usize);
        Ok(Status::ERR_NONE)
    })
}

#[no_mangle]
pub extern "C" fn MFXDisjoinSession(session: mfxSession) -> mfxStatus {
    guard("MFXDisjoinSession", || {
        let this = self::session(session)?;
        // "The session is independent, or this session is the parent of all joined sessions."
        let parent = lock(&this.parent).take().ok_or(Status::ERR_UNDEFINED_BEHAVIOR)?;
        if let Some(parent) = lock(&SESSIONS).get(&parent) {
            lock(&parent.children).retain(|&child| child != session as usize);
        }
        Ok(Status::ERR_NONE)
    })
}

#[no_mangle]
pub extern "C" fn MFXCloneSession(session: mfxSession, clone: *mut mfxSession) -> mfxStatus {
    guard("MFXCloneSession", || {
        self::session(session)?;
        non_null(clone)?;
        // A clean, independent session: no allocator, no handles.
        // SAFETY: checked non-null; the caller passes a valid output pointer.
        unsafe { write_out(clone, open()) }?;
        Ok(Status::ERR_NONE)
    })
}

#[no_mangle]
pub extern "C" fn MFXSetPriority(session: mfxSession, priority: mfxPriority) -> mfxStatus {
    guard("MFXSetPriority", || {
        let this = self::session(session)?;
        // Recorded and reported; vplrs schedules every session alike.
        this.priority.store(priority as i32, Ordering::Relaxed);
        Ok(Status::ERR_NONE)
    })
}

#[no_mangle]
pub extern "C" fn MFXGetPriority(session: mfxSession, priority: *mut mfxPriority) -> mfxStatus {
    guard("MFXGetPriority", || {
        let this = self::session(session)?;
        let value = this.priority.load(Ordering::Relaxed) as mfxPriority;
        // SAFETY: write_out checks for NULL; the caller passes a valid output pointer.
        unsafe { write_out(priority, value) }?;
        Ok(Status::ERR_NONE)
    })
}
