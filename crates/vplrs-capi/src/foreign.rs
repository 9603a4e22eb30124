//! Application-allocated 1.x surfaces (`mfxFrameSurface1` with plane pointers, or a `MemId` of the
//! session's allocator) wrapped as runtime `Surface`s for as long as the runtime uses them: one
//! operation, or longer for a decoder that keeps a picture as a reference.
//!
//! The wrapper uses the application's own `Data.Locked` as the surface's Locked counter, so the
//! runtime raises it while it keeps the frame, as the memory model requires. A mem-id surface is
//! locked through the allocator when wrapped and unlocked when the operation lets it go.

use std::collections::HashMap;
use std::sync::atomic::AtomicU16;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use crate::status::Status;
use vplrs_memory::surface::ForeignMemory;
use vplrs_memory::{FrameLayout, LayoutOptions, MemId, PlanePointers, Surface, SurfaceCore};
use vplrs_runtime::SyncPoint;

use crate::allocator::CAllocator;
use crate::bindings::*;
use crate::ffi::{OrStatus, Outcome};
use crate::fields::{frame_info_from_c, frame_size, plane_pointers_from_c, set_frame_size};
use crate::session::lock;

/// Operations writing application (1.x) surfaces, by surface address: a decode or a VPP whose
/// output is an application surface runs after the call returns, on the component's worker, in
/// a wrapper of its own. Any component given that surface as its input (VPP after decode, encode
/// after VPP, in this session or another) waits for the write first, as the API's task
/// dependencies require: its own wrapper cannot see the writer's.
static APP_WRITES: LazyLock<Mutex<HashMap<usize, SyncPoint>>> = LazyLock::new(Mutex::default);

/// Notes that the operation of `sync` writes the application surface at `surface`.
pub(crate) fn note_write(surface: *const mfxFrameSurface1, sync: &SyncPoint) {
    if !sync.is_done() {
        lock(&APP_WRITES).insert(surface as usize, sync.clone());
    }
}

/// Waits until an operation writing the application surface at `surface` is complete (at most
/// 60 s: an operation that never completes is the runtime's fault, reported by the caller's
/// own synchronisation).
pub(crate) fn wait_for_write(surface: *const mfxFrameSurface1) {
    let pending = lock(&APP_WRITES).get(&(surface as usize)).cloned();
    if let Some(sync) = pending {
        if let Err(error) = sync.wait(Duration::from_secs(60)) {
            tracing::warn!(?error, "an operation writing an application surface did not complete");
        }
        let mut writes = lock(&APP_WRITES);
        if writes.get(&(surface as usize)).is_some_and(SyncPoint::is_done) {
            writes.remove(&(surface as usize));
        }
    }
}

/// Forgets the writes in flight (the library is being unloaded).
pub(crate) fn release_all() {
    drop(std::mem::take(&mut *lock(&APP_WRITES)));
}

/// The pixels and Locked counter of one application surface.
struct AppSurface {
    surface: *mut mfxFrameSurface1,
    planes: PlanePointers,
    /// The allocator and mem id this wrapper locked, to unlock when done.
    locked_through: Option<(Arc<CAllocator>, MemId)>,
}

// SAFETY: the application's surface and its pixels must stay valid and unmoved while the runtime
// uses them (until the operation is synchronised), from whichever thread runs the operation: that
// is the API's contract for 1.x surfaces.
unsafe impl Send for AppSurface {}
// SAFETY: as above; the only field the runtime writes is Locked, atomically.
unsafe impl Sync for AppSurface {}

// SAFETY: `planes` come from the application's `Data` (or its allocator's Lock) and were checked
// by `Surface::from_foreign` to hold a frame of the surface's layout; the API requires them to stay
// valid until the operation completes (and the allocator until Unlock, which runs on drop).
unsafe impl ForeignMemory for AppSurface {
    fn planes(&self) -> PlanePointers {
        self.planes
    }

    fn locked_counter(&self) -> Option<&AtomicU16> {
        // SAFETY: `Data.Locked` is a naturally aligned u16 inside the application's surface,
        // valid while this wrapper lives (see the Send impl); the API requires atomic updates
        // of it from everybody who changes it.
        Some(unsafe { AtomicU16::from_ptr(&raw mut (*self.surface).Data.Locked) })
    }
}

impl Drop for AppSurface {
    fn drop(&mut self) {
        if let Some((allocator, mid)) = self.locked_through.take() {
            if let Err(error) = vplrs_memory::ExternalAllocator::unlock(&*allocator, mid) {
                tracing::warn!(%error, "the application's allocator failed to unlock a surface");
            }
        }
    }
}

/// Wraps an application surface. `allocator` serves its `MemId` when it has no plane pointers.
///
/// # Safety
/// `surface` must point to a valid `mfxFrameSurface1` that stays valid (with its pixels) until the
/// operation it is used for has completed.
pub(crate) unsafe fn wrap(surface: *mut mfxFrameSurface1, allocator: Option<Arc<CAllocator>>) -> Outcome<Surface> {
    // SAFETY: valid per the caller's contract; copied out.
    let c = unsafe { surface.read() };
    let info = frame_info_from_c(&c.Info).map_err(|_| Status::ERR_INVALID_VIDEO_PARAM)?;
    let layout = FrameLayout::new(&info, LayoutOptions::default()).map_err(|_| Status::ERR_INVALID_VIDEO_PARAM)?;
    let (planes, locked_through) = match plane_pointers_from_c(&c.Data, info.fourcc) {
        Some(planes) => (planes, None),
        None if !c.Data.MemId.is_null() => {
            let allocator = allocator.ok_or(Status::ERR_NULL_PTR)?;
            let mid = MemId(c.Data.MemId as usize);
            let planes = allocator.lock_as(mid, info.fourcc).map_err(|_| Status::ERR_LOCK_MEMORY)?;
            (planes, Some((allocator, mid)))
        }
        // Neither pixels nor a memory id.
        None => return Err(Status::ERR_NULL_PTR),
    };
    let memory = AppSurface { surface, planes, locked_through };
    let wrapped = Surface::from_foreign(info, layout, Box::new(memory)).or_status()?;
    // A fresh wrapper has nothing attached yet: the set cannot fail.
    let _ = wrapped.attachment().set(Box::new(AppSurfacePtr(surface)));
    wrapped.update_meta(|meta| {
        meta.timestamp = c.Data.TimeStamp;
        meta.frame_order = c.Data.FrameOrder;
        meta.corrupted = c.Data.Corrupted;
        meta.data_flag = c.Data.DataFlag;
    });
    Ok(wrapped)
}

/// The application surface a wrapper stands for (a decoder may hand out a picture in the work
/// surface of an earlier call).
pub(crate) fn application_surface(wrapped: &Surface) -> Option<*mut mfxFrameSurface1> {
    wrapped.attachment().get()?.downcast_ref::<AppSurfacePtr>().map(|pointer| pointer.0)
}

/// An application's surface, whose fields a completion publishes the picture's metadata to.
#[derive(Clone, Copy)]
pub(crate) struct AppSurfacePtr(pub(crate) *mut mfxFrameSurface1);
// SAFETY: the application's surface stays valid until the operation writing it is synchronised
// (the API's contract); the completion writes its fields before the sync point completes.
unsafe impl Send for AppSurfacePtr {}
// SAFETY: as above.
unsafe impl Sync for AppSurfacePtr {}

impl AppSurfacePtr {
    /// Publishes a finished picture's metadata to the application's surface.
    ///
    /// # Safety
    /// The application's surface must be valid (until synchronised, per the API).
    pub(crate) unsafe fn publish(self, meta: &vplrs_memory::FrameMeta) {
        let surface = self.0;
        // SAFETY: per the contract; written through raw pointers, without references.
        unsafe {
            (&raw mut (*surface).Data.TimeStamp).write(meta.timestamp);
            (&raw mut (*surface).Data.FrameOrder).write(meta.frame_order);
            (&raw mut (*surface).Data.Corrupted).write(meta.corrupted);
            (&raw mut (*surface).Data.DataFlag).write(meta.data_flag);
            let info = &raw mut (*surface).Info;
            let mut size = frame_size(&info.read());
            size.CropX = meta.info.crop.x as u16;
            size.CropY = meta.info.crop.y as u16;
            size.CropW = meta.info.crop.width as u16;
            size.CropH = meta.info.crop.height as u16;
            let mut updated = info.read();
            set_frame_size(&mut updated, size);
            info.write(updated);
        }
    }
}

/// A `SurfaceCore` pointer that may travel to a component thread (a `Surface` there would keep the
/// surface alive through its own hook).
#[derive(Clone, Copy)]
pub(crate) struct CorePtr(pub(crate) *const SurfaceCore);
// SAFETY: only dereferenced inside the completion hook of that very surface, which its
// `finish_output` calls while the surface is alive.
unsafe impl Send for CorePtr {}
// SAFETY: as above.
unsafe impl Sync for CorePtr {}

impl CorePtr {
    /// # Safety
    /// The surface must be alive for `'a` (true inside its own completion hook).
    pub(crate) unsafe fn get<'a>(self) -> &'a SurfaceCore {
        // SAFETY: per the contract.
        unsafe { &*self.0 }
    }
}
