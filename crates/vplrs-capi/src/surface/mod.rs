//! Runtime surfaces as C sees them: an `mfxFrameSurface1` with a complete
//! `mfxFrameSurfaceInterface`, kept at a stable address for the surface's life.
//!
//! Each runtime surface (a `SurfaceCore`) gets a [`Shell`]: the C structures plus a pointer back to
//! the core. Shells are never returned to the system allocator: when a surface is freed its shell
//! is marked dead and reused for a later surface, so a stale pointer from the application still
//! points at a shell (a late `Release` answers `MFX_ERR_UNDEFINED_BEHAVIOR`, not a crash), and
//! [`SHELLS`] knows every `mfxFrameSurface1` the runtime ever made, so an unknown pointer is never
//! taken for one.
//!
//! Every interface function returns exactly the codes its doc comment in `mfxstructures.h` lists.

pub(crate) mod array;
pub(crate) mod foreign;

use std::cell::UnsafeCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

use crate::status::Status;
use vplrs_memory::{MapError, Surface, SurfaceCore, SyncError};

use crate::bindings::*;
use crate::contract::Violation;
use crate::ffi::lock;
use crate::ffi::{guard, non_null, write_out, Outcome};
use crate::fields::{clear_plane_pointers, frame_info_to_c, set_plane_pointers, struct_version};

/// The C face of one runtime surface.
pub(crate) struct Shell {
    surface: UnsafeCell<mfxFrameSurface1>,
    iface: UnsafeCell<mfxFrameSurfaceInterface>,
    /// The surface this shell stands for; NULL while the shell is unused.
    core: AtomicPtr<SurfaceCore>,
    /// The application's references (`AddRef`/`Release`), and the one Rust handle that keeps the
    /// surface alive while there are any: the C count lives here, beside the Rust handles, so a
    /// stray C `Release` can only end what C was given.
    application: Mutex<ApplicationRefs>,
    /// The runtime input of the last operation that produced this surface: its Locked counter is
    /// refreshed when this surface is synchronised (the completion hook may run after a waiter
    /// wakes).
    last_input: AtomicPtr<Shell>,
    /// The other runtime inputs that operation held from earlier calls (composition's streams,
    /// frame interpolation's previous frame), refreshed likewise.
    held_inputs: Mutex<Vec<&'static Shell>>,
    /// Serialises the runtime's writes to the C structures.
    fields: Mutex<()>,
}

// SAFETY: the C structures are written by the runtime only under `fields`; the application reads
// (and may write) them as the API allows, which is the same sharing every oneVPL runtime has.
// `core` is atomic.
unsafe impl Sync for Shell {}
// SAFETY: as above; a shell holds no thread-bound data.
unsafe impl Send for Shell {}

#[derive(Default)]
struct ApplicationRefs {
    count: u32,
    handle: Option<Surface>,
}

/// AddRef / Release misuse by the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefError {
    /// The application holds no reference any more.
    AlreadyZero,
    Overflow,
}

/// Every shell ever made, by the address of its `mfxFrameSurface1`.
static SHELLS: LazyLock<Mutex<HashMap<usize, &'static Shell>>> = LazyLock::new(Mutex::default);
/// Shells whose surface is gone, ready for reuse.
static FREE_SHELLS: LazyLock<Mutex<Vec<&'static Shell>>> = LazyLock::new(Mutex::default);

/// Frees every shell (the library is being unloaded: no C pointer to one can be used any more).
pub(crate) fn release_all() {
    let shells = std::mem::take(&mut *lock(&SHELLS));
    // Surfaces the application never released: nobody can release them once the library is gone.
    for shell in shells.values() {
        let handle = {
            let mut application = lock(&shell.application);
            application.count = 0;
            application.handle.take()
        };
        drop(handle);
    }
    drop(std::mem::take(&mut *lock(&FREE_SHELLS)));
    for shell in shells.into_values() {
        // SAFETY: every shell was made by `Box::leak` in `new_shell` and is in `SHELLS` once; the
        // library is being unloaded, so no code of it runs on the shell after this.
        drop(unsafe { Box::from_raw(std::ptr::from_ref(shell).cast_mut()) });
    }
}

/// Stored in a surface's attachment: ties the shell's life to the surface's.
struct ShellLink(&'static Shell);

impl Drop for ShellLink {
    fn drop(&mut self) {
        let shell = self.0;
        {
            let _fields = lock(&shell.fields);
            shell.core.store(std::ptr::null_mut(), Ordering::Release);
            // SAFETY: the runtime's write under `fields`; the surface is gone, so nobody else
            // holds a valid reference to it.
            unsafe {
                clear_plane_pointers(&mut (*shell.surface.get()).Data);
                // A decode+VPP channel's id must not follow the shell to its next surface.
                (*shell.surface.get()).Info.ChannelId = 0;
            }
        }
        lock(&FREE_SHELLS).push(shell);
    }
}

fn new_shell() -> &'static Shell {
    if let Some(shell) = lock(&FREE_SHELLS).pop() {
        return shell;
    }
    let shell: &'static Shell = Box::leak(Box::new(Shell {
        surface: UnsafeCell::new(mfxFrameSurface1::default()),
        iface: UnsafeCell::new(mfxFrameSurfaceInterface::default()),
        core: AtomicPtr::new(std::ptr::null_mut()),
        application: Mutex::default(),
        last_input: AtomicPtr::new(std::ptr::null_mut()),
        held_inputs: Mutex::new(Vec::new()),
        fields: Mutex::new(()),
    }));
    {
        let _fields = lock(&shell.fields);
        // SAFETY: the shell was just made; nothing else can see it yet.
        unsafe {
            let iface = &mut *shell.iface.get();
            iface.Context = shell as *const Shell as mfxHDL;
            // 1.1: with the API 2.10 `Export` in the first `reserved2` slot.
            iface.Version = struct_version(1, 1);
            iface.AddRef = Some(add_ref);
            iface.Release = Some(release);
            iface.GetRefCounter = Some(get_ref_counter);
            iface.Map = Some(map);
            iface.Unmap = Some(unmap);
            iface.GetNativeHandle = Some(get_native_handle);
            iface.GetDeviceHandle = Some(get_device_handle);
            iface.Synchronize = Some(synchronize);
            iface.OnComplete = Some(on_complete);
            iface.QueryInterface = Some(query_interface);
            iface.reserved2[0] = crate::sharing::export_slot();
        }
    }
    lock(&SHELLS).insert(shell.surface.get() as usize, shell);
    shell
}

impl Shell {
    pub(crate) fn surface_ptr(&self) -> *mut mfxFrameSurface1 {
        self.surface.get()
    }

    /// The live surface, or `None` for a dead shell.
    fn core(&self) -> Option<&SurfaceCore> {
        let core = self.core.load(Ordering::Acquire);
        // SAFETY: a non-null pointer is set while the surface lives: the shell link in the
        // surface's attachment clears it before the surface is freed. Using a surface while
        // releasing its last reference on another thread is an application error.
        unsafe { core.as_ref() }
    }

    /// The application takes one more reference (`expose` hands `surface` over, `AddRef` passes
    /// `None`, refused once the application holds none).
    fn add_application_ref(&self, surface: Option<Surface>) -> Result<(), RefError> {
        let mut application = lock(&self.application);
        if application.count == 0 {
            application.handle = Some(surface.ok_or(RefError::AlreadyZero)?);
        }
        application.count = application.count.checked_add(1).ok_or(RefError::Overflow)?;
        Ok(())
    }

    /// The application gives back one reference; at its last the shell's handle goes, which may
    /// return the surface to its pool or free it (after the lock is released).
    pub(crate) fn release_application_ref(&self) -> Result<(), RefError> {
        let handle = {
            let mut application = lock(&self.application);
            application.count = application.count.checked_sub(1).ok_or(RefError::AlreadyZero)?;
            if application.count > 0 {
                return Ok(());
            }
            application.handle.take()
        };
        drop(handle);
        Ok(())
    }

    /// The count `GetRefCounter` reports: the application's references and the runtime's own
    /// handles (a decoder's reference frame, a surface in flight), as in Intel's runtime.
    fn reference_count(&self) -> u32 {
        let application = lock(&self.application);
        let runtime = self.core().map_or(0, SurfaceCore::ref_count);
        application.count + runtime - u32::from(application.handle.is_some())
    }

    /// A new Rust handle to the surface the application holds references to.
    fn application_handle(&self) -> Option<Surface> {
        lock(&self.application).handle.clone()
    }

    /// Runs `update` on the C surface under the runtime's lock.
    pub(crate) fn with_c<R>(&self, update: impl FnOnce(&mut mfxFrameSurface1) -> R) -> R {
        let _fields = lock(&self.fields);
        // SAFETY: the runtime writes the C structures only here, under `fields`.
        update(unsafe { &mut *self.surface.get() })
    }

    /// Copies the Rust surface's state into the C structure: Info, timestamps, Locked.
    pub(crate) fn publish(&self, core: &SurfaceCore) {
        let meta = core.meta();
        let locked = core.locked();
        self.with_c(|c| {
            frame_info_to_c(&meta.info, &mut c.Info);
            c.Data.TimeStamp = meta.timestamp;
            c.Data.FrameOrder = meta.frame_order;
            c.Data.Corrupted = meta.corrupted;
            c.Data.DataFlag = meta.data_flag;
            c.Data.Locked = locked;
        });
    }

    /// [`publish`](Self::publish) for the surface this shell stands for, if it is alive.
    pub(crate) fn publish_live(&self) {
        if let Some(core) = self.core() {
            self.publish(core);
        }
    }

    /// Copies the surface's current Locked counter into the C structure. The counter is read under
    /// the runtime's lock, so concurrent refreshes never leave a stale value behind.
    pub(crate) fn refresh_locked(&self) {
        let _fields = lock(&self.fields);
        if let Some(core) = self.core() {
            // SAFETY: the runtime writes the C structures only under `fields`.
            unsafe { (*self.surface.get()).Data.Locked = core.locked() };
        }
    }

    /// Records the runtime input of the operation producing this surface (None: not a runtime one).
    pub(crate) fn set_last_input(&self, input: Option<&'static Shell>) {
        let pointer = input.map_or(std::ptr::null_mut(), |shell| shell as *const Shell as *mut Shell);
        self.last_input.store(pointer, Ordering::Release);
    }

    /// Records the runtime inputs, held from earlier calls, of the operation producing this surface.
    pub(crate) fn set_held_inputs(&self, inputs: Vec<&'static Shell>) {
        *lock(&self.held_inputs) = inputs;
    }

    /// The runtime input of the operation producing this surface, if any.
    pub(crate) fn last_input(&self) -> Option<&'static Shell> {
        // SAFETY: shells are never freed (see the module documentation).
        unsafe { self.last_input.load(Ordering::Acquire).as_ref() }
    }

    /// The producing operation is over: the input it held shows its Locked counter lowered.
    fn refresh_last_input(&self) {
        let input = self.last_input.load(Ordering::Acquire);
        // SAFETY: shells are never freed (see the module documentation).
        if let Some(input) = unsafe { input.as_ref() } {
            input.refresh_locked();
        }
        for held in lock(&self.held_inputs).iter() {
            held.refresh_locked();
        }
    }

    /// Copies what the application may set in the C structure (timestamps, crop) into the Rust
    /// surface, before the runtime reads it as an input.
    pub(crate) fn absorb(&self, core: &SurfaceCore) {
        let (timestamp, frame_order, corrupted, data_flag, crop) = self.with_c(|c| {
            let size = crate::fields::frame_size(&c.Info);
            (c.Data.TimeStamp, c.Data.FrameOrder, c.Data.Corrupted, c.Data.DataFlag, size)
        });
        core.update_meta(|meta| {
            meta.timestamp = timestamp;
            meta.frame_order = frame_order;
            meta.corrupted = corrupted;
            meta.data_flag = data_flag;
            meta.info.crop = vplrs_memory::Rect {
                x: crop.CropX.into(),
                y: crop.CropY.into(),
                width: crop.CropW.into(),
                height: crop.CropH.into(),
            };
        });
    }
}

/// The shell of a runtime surface, made on first use.
pub(crate) fn shell_of(core: &SurfaceCore) -> Outcome<&'static Shell> {
    let link = core.attachment().get_or_init(|| {
        let shell = new_shell();
        shell.core.store(core as *const SurfaceCore as *mut SurfaceCore, Ordering::Release);
        Box::new(ShellLink(shell))
    });
    // Another layer attached something else: this surface cannot be shown to C.
    link.downcast_ref::<ShellLink>().map(|link| link.0).ok_or(Status::ERR_UNKNOWN)
}

/// Hands a runtime surface to C: the reference `surface` holds becomes the application's, to be
/// released through the interface.
pub(crate) fn expose(surface: Surface) -> Outcome<*mut mfxFrameSurface1> {
    let shell = shell_of(surface.core())?;
    shell.publish(surface.core());
    let mem_id = surface.core().mem_id().map_or(std::ptr::null_mut(), |mid| mid.0 as mfxMemId);
    let mem_type = surface.core().mem_type().bits();
    shell.with_c(|c| {
        c.__bindgen_anon_1.FrameInterface = shell.iface.get();
        c.Version = struct_version(1, 1);
        c.Data.MemId = mem_id;
        c.Data.MemType = mem_type;
        clear_plane_pointers(&mut c.Data);
    });
    shell.add_application_ref(Some(surface)).map_err(|_| Status::ERR_UNKNOWN)?;
    Ok(shell.surface_ptr())
}

/// The answer of `MFXMemory_GetSurfaceFor*`: the acquired surface handed to C through `out`, or
/// NULL there and the status of the failure (`MFX_WRN_ALLOC_TIMEOUT_EXPIRED` when a pool's Wait
/// expired, `MFX_ERR_NOT_INITIALIZED` before Init, `MFX_ERR_MEMORY_ALLOC` otherwise).
///
/// # Safety
/// `out` must be non-null and valid for a write.
pub(crate) unsafe fn hand_out<E: crate::status::ToStatus>(
    acquired: Result<Surface, E>,
    out: *mut *mut mfxFrameSurface1,
) -> Outcome<Status> {
    let (pointer, status) = match acquired {
        Ok(surface) => (expose(surface)?, Status::ERR_NONE),
        Err(error) => (std::ptr::null_mut(), error.status()),
    };
    // SAFETY: per this function's contract.
    unsafe { write_out(out, pointer) }?;
    if status.is_error() {
        Err(status)
    } else {
        Ok(status)
    }
}

/// The shell of a pointer the application passes, if it is a runtime surface.
pub(crate) fn lookup(surface: *const mfxFrameSurface1) -> Option<&'static Shell> {
    lock(&SHELLS).get(&(surface as usize)).copied()
}

/// A new Rust handle (an AddRef) to the runtime surface behind `surface`.
pub(crate) fn runtime_surface(shell: &Shell) -> Outcome<Surface> {
    shell.core().ok_or(Status::ERR_INVALID_HANDLE)?;
    // The application passes a surface it holds no reference to any more.
    shell.application_handle().ok_or(Status::ERR_UNDEFINED_BEHAVIOR)
}

/// The checks every interface function starts with: NULL, a runtime surface, its Context intact.
fn shell_checked(surface: *mut mfxFrameSurface1) -> Outcome<&'static Shell> {
    non_null(surface)?;
    let shell = lookup(surface).ok_or(Status::ERR_INVALID_HANDLE)?;
    // SAFETY: the interface structure is the shell's own memory, alive forever.
    let context = unsafe { (*shell.iface.get()).Context };
    if context != shell as *const Shell as mfxHDL {
        return Err(Status::ERR_INVALID_HANDLE);
    }
    Ok(shell)
}

fn live(shell: &Shell) -> Outcome<&SurfaceCore> {
    shell.core().ok_or(Status::ERR_INVALID_HANDLE)
}

extern "C" fn add_ref(surface: *mut mfxFrameSurface1) -> mfxStatus {
    guard("mfxFrameSurfaceInterface::AddRef", || {
        let shell = shell_checked(surface)?;
        live(shell)?;
        match shell.add_application_ref(None) {
            Ok(()) => Ok(Status::ERR_NONE),
            // A surface nobody references is no valid object any more.
            Err(RefError::AlreadyZero) => Err(Status::ERR_INVALID_HANDLE),
            Err(RefError::Overflow) => Err(Status::ERR_UNKNOWN),
        }
    })
}

extern "C" fn release(surface: *mut mfxFrameSurface1) -> mfxStatus {
    guard("mfxFrameSurfaceInterface::Release", || {
        let shell = shell_checked(surface)?;
        // A dead shell's surface was freed: its counter was zero before this call.
        let id = shell.core().ok_or(Status::ERR_UNDEFINED_BEHAVIOR)?.id();
        // The last release may return the surface to its pool or free it: `core` is not used
        // after it.
        match shell.release_application_ref() {
            Ok(()) => Ok(Status::ERR_NONE),
            Err(RefError::AlreadyZero) => {
                let object = format!("surface {id}");
                crate::contract::report(Violation::ReleasePastZero, "mfxFrameSurfaceInterface::Release", object);
                Err(Status::ERR_UNDEFINED_BEHAVIOR)
            }
            Err(RefError::Overflow) => Err(Status::ERR_UNKNOWN),
        }
    })
}

extern "C" fn get_ref_counter(surface: *mut mfxFrameSurface1, counter: *mut mfxU32) -> mfxStatus {
    guard("mfxFrameSurfaceInterface::GetRefCounter", || {
        non_null(counter)?;
        let shell = shell_checked(surface)?;
        let count = shell.reference_count();
        // SAFETY: checked non-null; the caller passes a valid output pointer.
        unsafe { write_out(counter, count) }?;
        Ok(Status::ERR_NONE)
    })
}

extern "C" fn map(surface: *mut mfxFrameSurface1, flags: mfxU32) -> mfxStatus {
    guard("mfxFrameSurfaceInterface::Map", || {
        let shell = shell_checked(surface)?;
        let core = live(shell)?;
        let planes = core.map(flags).map_err(|error| match error {
            MapError::InvalidFlags(_) => Status::ERR_UNSUPPORTED,
            // A NOWAIT read of a surface still being produced: refused at once. The header lists
            // MFX_ERR_LOCK_MEMORY as Map's "access refused" answer.
            MapError::WouldWait => Status::ERR_LOCK_MEMORY,
            MapError::NotMapped => Status::ERR_UNKNOWN,
            _ => {
                if flags & MFX_MAP_WRITE as mfxU32 != 0 {
                    let object = format!("surface {}", core.id());
                    crate::contract::report(Violation::WriteWhileBusy, "mfxFrameSurfaceInterface::Map", object);
                }
                Status::ERR_LOCK_MEMORY
            }
        })?;
        let fourcc = core.layout().fourcc;
        let locked = core.locked();
        shell.with_c(|c| {
            set_plane_pointers(&mut c.Data, fourcc, &planes);
            c.Data.Locked = locked;
        });
        if flags & MFX_MAP_READ as mfxU32 != 0 {
            // A read map is an implicit synchronisation: the metadata is final now.
            shell.publish(core);
            shell.refresh_last_input();
        }
        Ok(Status::ERR_NONE)
    })
}

extern "C" fn unmap(surface: *mut mfxFrameSurface1) -> mfxStatus {
    guard("mfxFrameSurfaceInterface::Unmap", || {
        let shell = shell_checked(surface)?;
        let core = live(shell)?;
        // Unmap of a surface not mapped: MFX_ERR_UNSUPPORTED.
        // SAFETY: the application ends an access it took through this interface's Map; the C
        // contract makes it stop using that access's plane pointers.
        unsafe { core.unmap() }.map_err(|_| {
            let object = format!("surface {}", core.id());
            crate::contract::report(Violation::UnmapNotMapped, "mfxFrameSurfaceInterface::Unmap", object);
            Status::ERR_UNSUPPORTED
        })?;
        shell.with_c(|c| clear_plane_pointers(&mut c.Data));
        Ok(Status::ERR_NONE)
    })
}

extern "C" fn get_native_handle(
    surface: *mut mfxFrameSurface1,
    resource: *mut mfxHDL,
    resource_type: *mut mfxResourceType,
) -> mfxStatus {
    guard("mfxFrameSurfaceInterface::GetNativeHandle", || {
        non_null(resource)?;
        non_null(resource_type)?;
        let core = live(shell_checked(surface)?)?;
        // System memory has no native handle: MFX_ERR_UNSUPPORTED. vplrs allocates nothing else.
        let handle = core.native_handle().map_err(|_| Status::ERR_UNSUPPORTED)?;
        // SAFETY: checked non-null; the caller passes valid output pointers.
        unsafe {
            write_out(resource, handle.0 as mfxHDL)?;
            write_out(resource_type, MFX_RESOURCE_SYSTEM_SURFACE)?;
        }
        Ok(Status::ERR_NONE)
    })
}

extern "C" fn get_device_handle(
    surface: *mut mfxFrameSurface1,
    device_handle: *mut mfxHDL,
    device_type: *mut mfxHandleType,
) -> mfxStatus {
    guard("mfxFrameSurfaceInterface::GetDeviceHandle", || {
        non_null(device_handle)?;
        non_null(device_type)?;
        let core = live(shell_checked(surface)?)?;
        // A CPU runtime creates no device: MFX_ERR_UNSUPPORTED for system memory.
        core.device_handle().map_err(|_| Status::ERR_UNSUPPORTED)?;
        Err(Status::ERR_UNSUPPORTED)
    })
}

extern "C" fn synchronize(surface: *mut mfxFrameSurface1, wait: mfxU32) -> mfxStatus {
    guard("mfxFrameSurfaceInterface::Synchronize", || {
        let shell = shell_checked(surface)?;
        let core = live(shell)?;
        let outcome = core.synchronize(Duration::from_millis(wait.into()));
        shell.publish(core);
        if outcome.is_ok() {
            shell.refresh_last_input();
        }
        match outcome {
            Ok(()) => Ok(Status::ERR_NONE),
            Err(SyncError::Timeout) => Ok(Status::WRN_IN_EXECUTION),
            Err(SyncError::Failed(vplrs_memory::OperationError::Aborted)) => Err(Status::ERR_ABORTED),
            // Any other failure of the producing operation is an internal error for this call.
            Err(SyncError::Failed(_)) => Err(Status::ERR_UNKNOWN),
        }
    })
}

/// The default `OnComplete`: the runtime calls the interface's `OnComplete` when an operation
/// producing the surface completes; an application may put its own function there.
extern "C" fn on_complete(_status: mfxStatus) {}

extern "C" fn query_interface(surface: *mut mfxFrameSurface1, guid: mfxGUID, iface: *mut mfxHDL) -> mfxStatus {
    guard("mfxFrameSurfaceInterface::QueryInterface", || {
        non_null(surface)?;
        non_null(iface)?;
        // Not a live runtime surface: the interface is "not available (already deleted)".
        let shell = lookup(surface).ok_or(Status::ERR_NOT_INITIALIZED)?;
        let core = shell.core().ok_or(Status::ERR_NOT_INITIALIZED)?;
        if guid.Data != MFX_GUID_SURFACE_POOL.Data {
            return Err(Status::ERR_UNSUPPORTED);
        }
        let pool = core.pool().ok_or(Status::ERR_NOT_INITIALIZED)?;
        let handle = crate::pool_iface::acquire(&pool)?;
        // SAFETY: checked non-null; the caller passes a valid output pointer.
        unsafe { write_out(iface, handle as mfxHDL) }?;
        Ok(Status::ERR_NONE)
    })
}

/// Calls the `OnComplete` the interface of `shell` holds, if the application replaced the default.
pub(crate) fn notify_complete(shell: &Shell, status: Status) {
    // SAFETY: the interface structure is the shell's own memory; reading the function pointer
    // races only with an application writing it, which the API leaves to the application.
    let callback = unsafe { std::ptr::read_volatile(&raw const (*shell.iface.get()).OnComplete) };
    if let Some(callback) = callback {
        // SAFETY: the runtime's no-op default, or the application's callback, called as the
        // header specifies.
        unsafe { callback(status.0) };
    }
}
