//! Exported surfaces as C sees them: an `mfxSurfaceOpenCLImg2D` or `mfxSurfaceVulkanImg2D` whose
//! `mfxSurfaceInterface` counts the application's references to a `vplrs_sharing` export.
//!
//! As with surface shells, the C objects are never returned to the system allocator: one whose
//! last reference is released is emptied (the export, with its images and frame, is dropped) and
//! kept for reuse, so a late call on it answers a status, not a crash, and [`OBJECTS`] knows every
//! pointer the runtime handed out.

use std::cell::UnsafeCell;
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};
use std::time::Duration;

use vplrs_sharing::{Exported as Export, SharedAs};

use super::abi::*;
use crate::bindings::*;
use crate::ffi::{guard, lock, non_null, write_out, Outcome};
use crate::fields::struct_version;
use crate::status::Status;

/// The C structure of an exported object: both kinds begin with the `mfxSurfaceInterface`.
#[repr(C)]
union CObject {
    opencl: mfxSurfaceOpenCLImg2D,
    vulkan: mfxSurfaceVulkanImg2D,
}

/// One exported object.
pub(crate) struct Exported {
    c: UnsafeCell<CObject>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    references: u32,
    export: Option<Export>,
}

// SAFETY: the C structure is written by the runtime only while it hands the object out (under
// `OBJECTS`' lock, before the application has the pointer); the application reads it.
unsafe impl Sync for Exported {}
// SAFETY: as above.
unsafe impl Send for Exported {}

static OBJECTS: LazyLock<Mutex<HashMap<usize, &'static Exported>>> = LazyLock::new(Mutex::default);
static FREE: LazyLock<Mutex<Vec<&'static Exported>>> = LazyLock::new(Mutex::default);

/// Hands `export` to C with one reference; returns the object's header.
pub(crate) fn hand_out(export: Export) -> *mut mfxSurfaceHeader {
    let object = lock(&FREE).pop().unwrap_or_else(|| {
        Box::leak(Box::new(Exported {
            // SAFETY: an all-zero C object is NULLs and zeros, a valid value.
            c: UnsafeCell::new(unsafe { std::mem::zeroed() }),
            state: Mutex::default(),
        }))
    });
    let pointer = object.c.get();
    // SAFETY: as above.
    let mut interface: mfxSurfaceInterface = unsafe { std::mem::zeroed() };
    interface.Header.SurfaceFlags = match export.shared_as() {
        SharedAs::Shared => MFX_SURFACE_FLAG_EXPORT_SHARED,
        SharedAs::Copied => MFX_SURFACE_FLAG_EXPORT_COPY,
    };
    interface.Version = struct_version(1, 0);
    interface.Context = pointer.cast();
    interface.AddRef = Some(add_ref);
    interface.Release = Some(release);
    interface.GetRefCounter = Some(get_ref_counter);
    interface.Synchronize = Some(synchronize);
    let c = match &export {
        Export::OpenCl(export) => {
            // SAFETY: as above.
            let mut c: mfxSurfaceOpenCLImg2D = unsafe { std::mem::zeroed() };
            interface.Header.SurfaceType = MFX_SURFACE_TYPE_OPENCL_IMG2D;
            interface.Header.StructSize = std::mem::size_of::<mfxSurfaceOpenCLImg2D>() as mfxU32;
            c.SurfaceInterface = interface;
            c.ocl_context = export.target().context().raw().cast();
            c.ocl_command_queue = export.target().queue().raw().cast();
            for (slot, image) in c.ocl_image.iter_mut().zip(export.images()) {
                *slot = image.raw().cast();
            }
            c.ocl_image_num = export.images().len() as mfxU32;
            CObject { opencl: c }
        }
        Export::Vulkan(export) => {
            // SAFETY: as above.
            let mut c: mfxSurfaceVulkanImg2D = unsafe { std::mem::zeroed() };
            interface.Header.SurfaceType = MFX_SURFACE_TYPE_VULKAN_IMG2D;
            interface.Header.StructSize = std::mem::size_of::<mfxSurfaceVulkanImg2D>() as mfxU32;
            c.SurfaceInterface = interface;
            c.instance = export.target().instance() as mfxHDL;
            c.physicalDevice = export.target().physical_device() as mfxHDL;
            c.device = export.target().device() as mfxHDL;
            c.image2D = export.image() as mfxHDL;
            c.image2DMemory = export.memory() as mfxHDL;
            CObject { vulkan: c }
        }
    };
    {
        let mut state = lock(&object.state);
        state.references = 1;
        state.export = Some(export);
        // SAFETY: the object is not in `OBJECTS` yet (new or freed), so nobody else uses it.
        unsafe { pointer.write(c) };
    }
    lock(&OBJECTS).insert(pointer as usize, object);
    pointer.cast()
}

/// The object behind an interface pointer the application passes: NULL_PTR for NULL,
/// INVALID_HANDLE for anything the runtime did not hand out or whose Context was changed.
fn object(surface: *mut mfxSurfaceInterface) -> Outcome<&'static Exported> {
    non_null(surface)?;
    let object = lock(&OBJECTS).get(&(surface as usize)).copied().ok_or(Status::ERR_INVALID_HANDLE)?;
    // SAFETY: the object's own memory, alive forever; the application may have written it. Both
    // kinds of the union begin with the same interface, so either view reads its Context.
    let context = unsafe { std::ptr::read_volatile(&raw const (*object.c.get()).opencl.SurfaceInterface.Context) };
    if context != object.c.get().cast() {
        return Err(Status::ERR_INVALID_HANDLE);
    }
    Ok(object)
}

extern "C" fn add_ref(surface: *mut mfxSurfaceInterface) -> mfxStatus {
    guard("mfxSurfaceInterface::AddRef", || {
        let object = object(surface)?;
        let mut state = lock(&object.state);
        if state.references == 0 {
            // Released for good: no valid object any more.
            return Err(Status::ERR_INVALID_HANDLE);
        }
        state.references = state.references.checked_add(1).ok_or(Status::ERR_UNKNOWN)?;
        Ok(Status::ERR_NONE)
    })
}

extern "C" fn release(surface: *mut mfxSurfaceInterface) -> mfxStatus {
    guard("mfxSurfaceInterface::Release", || {
        let object = object(surface)?;
        let export = {
            let mut state = lock(&object.state);
            if state.references == 0 {
                crate::contract::report(
                    crate::contract::Violation::ReleasePastZero,
                    "mfxSurfaceInterface::Release",
                    String::from("an exported surface"),
                );
                return Err(Status::ERR_UNDEFINED_BEHAVIOR);
            }
            state.references -= 1;
            if state.references > 0 {
                return Ok(Status::ERR_NONE);
            }
            state.export.take()
        };
        // The images and the frame go outside the lock.
        drop(export);
        lock(&FREE).push(object);
        Ok(Status::ERR_NONE)
    })
}

extern "C" fn get_ref_counter(surface: *mut mfxSurfaceInterface, counter: *mut mfxU32) -> mfxStatus {
    guard("mfxSurfaceInterface::GetRefCounter", || {
        non_null(counter)?;
        let references = lock(&object(surface)?.state).references;
        // SAFETY: checked non-null; the caller passes a valid output pointer.
        unsafe { write_out(counter, references) }?;
        Ok(Status::ERR_NONE)
    })
}

extern "C" fn synchronize(surface: *mut mfxSurfaceInterface, wait: mfxU32) -> mfxStatus {
    guard("mfxSurfaceInterface::Synchronize", || {
        let object = object(surface)?;
        // A handle to the frame is taken out, so a long wait holds no lock.
        let frame = lock(&object.state).export.as_ref().ok_or(Status::ERR_INVALID_HANDLE)?.frame();
        let outcome = match frame {
            Some(frame) => frame.synchronize(Duration::from_millis(wait.into())),
            // A copy was made from the final pixels.
            None => Ok(()),
        };
        match outcome {
            Ok(()) => Ok(Status::ERR_NONE),
            Err(vplrs_memory::SyncError::Timeout) => Ok(Status::WRN_IN_EXECUTION),
            Err(vplrs_memory::SyncError::Failed(vplrs_memory::OperationError::Aborted)) => Err(Status::ERR_ABORTED),
            Err(vplrs_memory::SyncError::Failed(_)) => Err(Status::ERR_UNKNOWN),
        }
    })
}

/// Frees every object (the library is being unloaded).
pub(crate) fn release_all() {
    let objects = std::mem::take(&mut *lock(&OBJECTS));
    drop(std::mem::take(&mut *lock(&FREE)));
    for object in objects.into_values() {
        drop(lock(&object.state).export.take());
        // SAFETY: made by `Box::leak` in `hand_out`, in `OBJECTS` once; the library is being
        // unloaded, so no code of it runs on the object after this.
        drop(unsafe { Box::from_raw(std::ptr::from_ref(object).cast_mut()) });
    }
}
