//! `mfxSurfaceArray`: the reference-counted array of surfaces `MFXVideoDECODE_VPP_DecodeFrameAsync`
//! returns.
//!
//! An array holds one reference to each of its surfaces, besides the one each surface carries for
//! the application: the application releases every surface it takes out (as it does any output
//! surface) and the array; the array's references go when its counter reaches zero. Every surface
//! is therefore alive as long as the array is, whatever the application does with its own
//! references.
//!
//! Like surface shells, arrays are never returned to the system allocator while the library is
//! loaded: one whose counter reached zero is kept (reused by a later call, with its vectors'
//! capacity), so a late `Release` answers `MFX_ERR_UNDEFINED_BEHAVIOR` and a pointer that is no
//! array answers `MFX_ERR_INVALID_HANDLE` instead of crashing. The functions return exactly the
//! codes their doc comments in `mfxstructures.h` list.

use std::cell::UnsafeCell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{LazyLock, Mutex};

use crate::status::Status;
use vplrs_memory::Surface;

use crate::bindings::*;
use crate::ffi::lock;
use crate::ffi::{guard, non_null, write_out, Outcome};
use crate::fields::struct_version;

/// What an array holds: the C pointers it shows and the references behind them.
#[derive(Default)]
struct Contents {
    pointers: Vec<*mut mfxFrameSurface1>,
    held: Vec<Surface>,
}

/// One array: the C structure at a stable address, its counter and its surfaces.
struct ArrayBox {
    c: UnsafeCell<mfxSurfaceArray>,
    refs: AtomicU32,
    contents: Mutex<Contents>,
}

// SAFETY: the C structure is written by the runtime only while the array is private (counter at
// zero, before it is handed out); afterwards the application reads it. `Contents` holds surface
// pointers that are only compared and handed back to C, under its mutex; the counter is atomic.
unsafe impl Sync for ArrayBox {}
// SAFETY: as above; nothing in an array is bound to a thread.
unsafe impl Send for ArrayBox {}

/// Every array ever made, by the address of its `mfxSurfaceArray`.
static ARRAYS: LazyLock<Mutex<HashMap<usize, &'static ArrayBox>>> = LazyLock::new(Mutex::default);
/// Arrays whose counter reached zero, ready for reuse.
static FREE_ARRAYS: LazyLock<Mutex<Vec<&'static ArrayBox>>> = LazyLock::new(Mutex::default);

fn new_array() -> &'static ArrayBox {
    if let Some(array) = lock(&FREE_ARRAYS).pop() {
        return array;
    }
    let array: &'static ArrayBox = Box::leak(Box::new(ArrayBox {
        c: UnsafeCell::new(mfxSurfaceArray::default()),
        refs: AtomicU32::new(0),
        contents: Mutex::default(),
    }));
    lock(&ARRAYS).insert(array.c.get() as usize, array);
    array
}

/// Hands `surfaces` (each pointer with the reference the array keeps) to C as a new array with
/// one reference, the application's.
pub(crate) fn publish(surfaces: Vec<(*mut mfxFrameSurface1, Surface)>) -> *mut mfxSurfaceArray {
    let array = new_array();
    let mut contents = lock(&array.contents);
    contents.pointers.clear();
    contents.held.clear();
    for (pointer, surface) in surfaces {
        contents.pointers.push(pointer);
        contents.held.push(surface);
    }
    let count = u32::try_from(contents.pointers.len()).unwrap_or(u32::MAX);
    let c = array.c.get();
    // SAFETY: the array is private until this function returns it (its counter is zero, so no
    // valid application reference exists); `pointers` is not touched again until the counter
    // returns to zero, so the buffer `Surfaces` points to stays put.
    unsafe {
        c.write(mfxSurfaceArray {
            Context: c.cast(),
            Version: struct_version(1, 0),
            AddRef: Some(add_ref),
            Release: Some(release),
            GetRefCounter: Some(get_ref_counter),
            Surfaces: contents.pointers.as_mut_ptr(),
            NumSurfaces: count,
            ..Default::default()
        });
    }
    array.refs.store(1, Ordering::Release);
    c
}

/// Frees every array (the library is being unloaded: no C pointer to one can be used any more).
/// Runs before the surfaces' own clean-up, so the references arrays hold are released normally.
pub(crate) fn release_all() {
    let arrays = std::mem::take(&mut *lock(&ARRAYS));
    drop(std::mem::take(&mut *lock(&FREE_ARRAYS)));
    for array in arrays.into_values() {
        // SAFETY: every array was made by `Box::leak` in `new_array` and is in `ARRAYS` once; the
        // library is being unloaded, so no code of it runs on the array after this.
        drop(unsafe { Box::from_raw(std::ptr::from_ref(array).cast_mut()) });
    }
}

/// The checks every function starts with: NULL, an array of the runtime, its Context intact.
fn checked(array: *mut mfxSurfaceArray) -> Outcome<&'static ArrayBox> {
    non_null(array)?;
    let found = lock(&ARRAYS).get(&(array as usize)).copied().ok_or(Status::ERR_INVALID_HANDLE)?;
    // SAFETY: the structure is the array's own memory, alive while the library is loaded; the
    // application may have written Context, which is what this checks.
    let context = unsafe { std::ptr::read_volatile(&raw const (*found.c.get()).Context) };
    if context != array.cast() {
        return Err(Status::ERR_INVALID_HANDLE);
    }
    Ok(found)
}

extern "C" fn add_ref(array: *mut mfxSurfaceArray) -> mfxStatus {
    guard("mfxSurfaceArray::AddRef", || {
        let found = checked(array)?;
        // An array nobody references is no valid object any more.
        found
            .refs
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| if n == 0 { None } else { n.checked_add(1) })
            .map_err(|n| if n == 0 { Status::ERR_INVALID_HANDLE } else { Status::ERR_UNKNOWN })?;
        Ok(Status::ERR_NONE)
    })
}

extern "C" fn release(array: *mut mfxSurfaceArray) -> mfxStatus {
    guard("mfxSurfaceArray::Release", || {
        let found = checked(array)?;
        let previous = found
            .refs
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
            .map_err(|_| Status::ERR_UNDEFINED_BEHAVIOR)?;
        if previous == 1 {
            // The array's references go back; the surfaces the application still holds stay.
            // (Cleared in place: the vector keeps its capacity for the array's next use.)
            lock(&found.contents).held.clear();
            lock(&FREE_ARRAYS).push(found);
        }
        Ok(Status::ERR_NONE)
    })
}

extern "C" fn get_ref_counter(array: *mut mfxSurfaceArray, counter: *mut mfxU32) -> mfxStatus {
    guard("mfxSurfaceArray::GetRefCounter", || {
        non_null(counter)?;
        let found = checked(array)?;
        // SAFETY: checked non-null; the caller passes a valid output pointer.
        unsafe { write_out(counter, found.refs.load(Ordering::Acquire)) }?;
        Ok(Status::ERR_NONE)
    })
}
