//! Application-allocated 1.x surfaces (`mfxFrameSurface1` with plane pointers, or a `MemId` of the
//! session's allocator) wrapped as runtime `Surface`s.
//!
//! One lasting wrapper per application surface: a surface passed again (to the same component or
//! another, in this session or a joined one) is found again by its address while anybody still
//! holds its wrapper, as long as its memory is the same (plane pointers, or memory id, FourCC and
//! size). So the operation reading a surface waits for the one writing it the way every runtime
//! surface does — its read map waits for the writer's output access — and a decoder that keeps a
//! picture as a reference keeps that very wrapper. The table holds no wrapper alive: each lives
//! while an operation, a component or the application's call holds it.
//!
//! The wrapper uses the application's own `Data.Locked` as the surface's Locked counter, so the
//! runtime raises it while it keeps the frame, as the memory model requires. A mem-id surface is
//! locked through the allocator when wrapped and unlocked when its wrapper goes.

use std::collections::HashMap;
use std::sync::atomic::AtomicU16;
use std::sync::{Arc, LazyLock, Mutex};

use vplrs_memory::surface::ForeignMemory;
use vplrs_memory::{FourCc, FrameLayout, LayoutOptions, MemId, PlanePointers, Surface, SurfaceCore, WeakSurface};

use crate::allocator::CAllocator;
use crate::bindings::*;
use crate::ffi::lock;
use crate::ffi::{OrStatus, Outcome};
use crate::fields::{frame_info_from_c, frame_size, plane_pointers_from_c, set_frame_size};
use crate::status::Status;

/// What makes a wrapper stand for an application surface: its memory as the C structure gives it.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Memory {
    planes: Option<PlanePointers>,
    mem_id: usize,
    fourcc: FourCc,
    size: (u32, u32),
}

/// The wrappers made, by the address of the application's surface.
static WRAPPERS: LazyLock<Mutex<HashMap<usize, (Memory, WeakSurface)>>> = LazyLock::new(Mutex::default);

/// Forgets every wrapper (the library is being unloaded).
pub(crate) fn release_all() {
    drop(std::mem::take(&mut *lock(&WRAPPERS)));
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

/// The wrapper of an application surface: the one made before while it lives and the memory is
/// the same, else a new one. `allocator` serves its `MemId` when it has no plane pointers. What
/// the application may set (frame info and crop, timestamp, frame order, flags) is taken from the
/// C structure, unless an operation is producing the surface (its producer sets them).
///
/// # Safety
/// `surface` must point to a valid `mfxFrameSurface1` that stays valid (with its pixels) until the
/// operations it is used for have completed.
pub(crate) unsafe fn wrap(surface: *mut mfxFrameSurface1, allocator: Option<Arc<CAllocator>>) -> Outcome<Surface> {
    // SAFETY: valid per the caller's contract; copied out.
    let c = unsafe { surface.read() };
    let info = frame_info_from_c(&c.Info).map_err(|_| Status::ERR_INVALID_VIDEO_PARAM)?;
    let planes = plane_pointers_from_c(&c.Data, info.fourcc);
    let memory = Memory { planes, mem_id: c.Data.MemId as usize, fourcc: info.fourcc, size: (info.width, info.height) };
    let known = lock(&WRAPPERS)
        .get(&(surface as usize))
        .filter(|(made_for, _)| *made_for == memory)
        .and_then(|(_, weak)| weak.upgrade());
    let wrapped = match known {
        Some(wrapped) => wrapped,
        None => {
            // SAFETY: per this function's contract.
            let wrapped = unsafe { new_wrapper(surface, &c, info, planes, allocator) }?;
            let mut table = lock(&WRAPPERS);
            table.retain(|_, (_, weak)| weak.is_alive());
            table.insert(surface as usize, (memory, wrapped.downgrade()));
            wrapped
        }
    };
    if !wrapped.is_pending() {
        wrapped.update_meta(|meta| {
            meta.info = info;
            meta.timestamp = c.Data.TimeStamp;
            meta.frame_order = c.Data.FrameOrder;
            meta.corrupted = c.Data.Corrupted;
            meta.data_flag = c.Data.DataFlag;
        });
    }
    Ok(wrapped)
}

/// A new wrapper of an application surface.
///
/// # Safety
/// As [`wrap`]; `c` is the surface's structure as read now, `info` and `planes` what it says.
unsafe fn new_wrapper(
    surface: *mut mfxFrameSurface1,
    c: &mfxFrameSurface1,
    info: vplrs_memory::FrameInfo,
    planes: Option<PlanePointers>,
    allocator: Option<Arc<CAllocator>>,
) -> Outcome<Surface> {
    let layout = FrameLayout::new(&info, LayoutOptions::default()).map_err(|_| Status::ERR_INVALID_VIDEO_PARAM)?;
    let (planes, locked_through) = match planes {
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
