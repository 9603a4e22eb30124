//! Application-allocated 1.x surfaces (`mfxFrameSurface1` with plane pointers, or a `MemId` of the
//! session's allocator) wrapped as runtime `Surface`s for the time of one operation.
//!
//! The wrapper uses the application's own `Data.Locked` as the surface's Locked counter, so the
//! runtime raises it while it keeps the frame, as the memory model requires. A mem-id surface is
//! locked through the allocator when wrapped and unlocked when the operation lets it go.

use std::sync::atomic::AtomicU16;
use std::sync::Arc;

use vplrs_memory::surface::ForeignMemory;
use vplrs_memory::{FrameLayout, LayoutOptions, MemId, PlanePointers, Status, Surface};

use crate::allocator::CAllocator;
use crate::bindings::*;
use crate::ffi::{OrStatus, Outcome};
use crate::fields::{frame_info_from_c, plane_pointers_from_c};

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
    wrapped.update_meta(|meta| {
        meta.timestamp = c.Data.TimeStamp;
        meta.frame_order = c.Data.FrameOrder;
        meta.corrupted = c.Data.Corrupted;
        meta.data_flag = c.Data.DataFlag;
    });
    Ok(wrapped)
}
