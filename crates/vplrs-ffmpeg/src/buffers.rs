//! `get_buffer2`: libavcodec decodes into the planes of a vplrs surface.
//!
//! The contract with libavcodec (FFmpeg 5.1, `AVCodecContext::get_buffer2`):
//! - the planes must hold a picture of the size `avcodec_align_dimensions2` gives (the surfaces
//!   are allocated that large, with spare rows below for the over-reads of SIMD code), each row
//!   aligned to the `linesize_align` it gives (vplrs pitches are multiples of 64, plane starts too);
//! - `buf[0]` is an `AVBufferRef` whose free callback runs when libavcodec and every reference
//!   taken from the frame let go, on whichever thread drops the last reference;
//! - the callback may run on several threads at once under frame threading (its state here is
//!   behind mutexes and atomics).
//!
//! The buffer's opaque owns: a counted reference to the surface (so it stays out of its pool), a
//! [`LockedHold`] (Locked > 0 while libavcodec holds the picture: the application may read but
//! not write), and the surface's [`OutputGuard`] until the picture is handed out — then a
//! [`ReadGuard`], which keeps mapped memory (an external allocator's frames) locked and the plane
//! pointers valid for as long as libavcodec reads the picture as a reference.

use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use vplrs_memory::{FourCc, LockedHold, OutputGuard, ReadGuard, Surface};

use crate::damage::ContextState;
use crate::sys;

/// How long a worker thread waits for a pool surface the application has not yet released.
const POOL_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Surfaces libavcodec decodes into.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirectTarget {
    /// I420 or YV12 (8-bit 4:2:0 planar: libavcodec's `yuv420p` with the chroma planes in order).
    pub fourcc: FourCc,
}

/// The state `get_buffer2` shares with the [`Decoder`](crate::Decoder).
pub(crate) struct BufferShared {
    pub target: DirectTarget,
    /// The surface the next picture goes into.
    pub slot: Mutex<Option<Surface>>,
    /// Frame threads: where `get_buffer2` takes surfaces itself when none is offered.
    pub pool: Option<vplrs_memory::SurfacePool>,
    /// Owners of the buffers alive now (their addresses): tells our buffers from others.
    pub live: Mutex<HashSet<usize>>,
    /// A picture that did not fit the offered surface.
    pub incompatible: Mutex<Option<(u32, u32)>>,
    pub direct_pictures: AtomicU64,
    /// Pictures put in libavcodec's own buffers because the offered surface's rows were not
    /// aligned as libavcodec needs.
    pub fallback_pictures: AtomicU64,
    /// Set at the first surface that does not suit libavcodec: every later picture goes into
    /// libavcodec's own memory too. A picture from there is copied into the call's work surface
    /// when it is handed out, which must then still be on offer: were later pictures decoded into
    /// offered surfaces again, one could take the work surface in the very call that hands out an
    /// earlier picture, which would find no surface to go to.
    pub fallback_only: std::sync::atomic::AtomicBool,
}

impl BufferShared {
    pub fn new(target: DirectTarget, pool: Option<vplrs_memory::SurfacePool>) -> Self {
        Self {
            target,
            slot: Mutex::new(None),
            pool,
            live: Mutex::new(HashSet::new()),
            incompatible: Mutex::new(None),
            direct_pictures: AtomicU64::new(0),
            fallback_pictures: AtomicU64::new(0),
            fallback_only: std::sync::atomic::AtomicBool::new(false),
        }
    }
}

/// What one `AVBuffer` keeps alive.
pub(crate) struct Owner {
    pub surface: Surface,
    /// Plane 0 as given to libavcodec.
    pub luma: usize,
    pub output: Mutex<Option<OutputGuard>>,
    pub read: Mutex<Option<ReadGuard>>,
    _hold: LockedHold,
    shared: Arc<BufferShared>,
}

impl Drop for Owner {
    fn drop(&mut self) {
        self.shared.live.lock().remove(&(self as *const Owner as usize));
    }
}

/// The `get_buffer2` callback.
///
/// # Safety
/// Called by libavcodec with the context whose `opaque` is a `ContextState` set by `Decoder::new`
/// and a frame whose `format`, `width` and `height` are set.
pub(crate) unsafe extern "C" fn get_buffer2(
    ctx: *mut sys::AVCodecContext,
    frame: *mut sys::AVFrame,
    flags: libc::c_int,
) -> libc::c_int {
    let result = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: `opaque` holds a counted `ContextState` for the context's whole life.
        let state = unsafe { &*((*ctx).opaque as *const ContextState) };
        let status = match &state.buffers {
            // SAFETY: the caller's contract (libavcodec's) above.
            Some(shared) => unsafe { get_buffer(shared, ctx, frame, flags) },
            // SAFETY: as above.
            None => match unsafe { sys::avcodec_default_get_buffer2(ctx, frame, flags) } {
                status if status < 0 => Err(status),
                _ => Ok(()),
            },
        };
        if status.is_ok() {
            // SAFETY: `frame` was just allocated by the call above.
            unsafe { state.damage.picture_started(ctx, frame) };
        }
        status
    }));
    match result {
        Ok(Ok(())) => 0,
        Ok(Err(code)) => code,
        Err(_) => {
            tracing::error!("get_buffer2 panicked");
            sys::AVERROR(libc::ENOMEM)
        }
    }
}

/// # Safety
/// As [`get_buffer2`].
unsafe fn get_buffer(
    shared: &Arc<BufferShared>,
    ctx: *mut sys::AVCodecContext,
    frame: *mut sys::AVFrame,
    flags: libc::c_int,
) -> Result<(), i32> {
    // SAFETY: libavcodec passes a valid frame with its format and size set.
    let (format, width, height) = unsafe { ((*frame).format, (*frame).width, (*frame).height) };
    let eight_bit_420 = format == sys::AVPixelFormat::AV_PIX_FMT_YUV420P as i32
        || format == sys::AVPixelFormat::AV_PIX_FMT_YUVJ420P as i32;
    let (mut w, mut h) = (width, height);
    let mut align = [0 as libc::c_int; 8];
    // SAFETY: the context is open (we are inside its decode call); out-parameters are valid.
    unsafe { sys::avcodec_align_dimensions2(ctx, &mut w, &mut h, align.as_mut_ptr()) };
    let incompatible = |shared: &BufferShared| {
        *shared.incompatible.lock() = Some((width.max(0) as u32, height.max(0) as u32));
        sys::AVERROR(libc::EINVAL)
    };
    if !eight_bit_420 || width <= 0 || height <= 0 {
        return Err(incompatible(shared));
    }
    if shared.fallback_only.load(Ordering::Acquire) {
        return fallback(shared, ctx, frame, flags);
    }
    let offered = shared.slot.lock().take();
    let surface = match (offered, &shared.pool) {
        (Some(surface), _) => surface,
        // A worker thread decoding ahead: the pool's policy and Wait decide.
        (None, Some(pool)) => pool.acquire_timeout(POOL_WAIT).map_err(|error| {
            tracing::warn!(%error, "get_buffer2: no surface in the decode pool");
            sys::AVERROR(libc::ENOMEM)
        })?,
        (None, None) => {
            tracing::warn!("get_buffer2: no surface on offer");
            return Err(sys::AVERROR(libc::ENOMEM));
        }
    };
    let layout = *surface.layout();
    let needed = required_size(w as u32, h as u32);
    if layout.fourcc != shared.target.fourcc || layout.width < width as u32 || layout.height < height as u32 {
        *shared.slot.lock() = Some(surface);
        return Err(incompatible(shared));
    }
    // A surface that holds the picture but not libavcodec's padded decoding area (an application
    // allocated it at DecodeHeader's size): decoded in libavcodec's memory, copied out.
    let roomy = layout.width >= needed.0 && layout.height >= needed.1;
    if surface.locked() > 0 {
        // Never write a frame somebody holds: the component checks, this is the last line.
        tracing::error!(surface = surface.id(), "get_buffer2: offered a Locked surface");
        return Err(sys::AVERROR(libc::EBUSY));
    }
    let mut guard = surface.begin_output().map_err(|_| sys::AVERROR(libc::EBUSY))?;
    let hold = surface.hold_by("the decoder (a picture libavcodec keeps)").map_err(|_| sys::AVERROR(libc::EBUSY))?;
    let mut pointers = [(std::ptr::null_mut::<u8>(), 0usize); 3];
    for (slot, plane) in pointers.iter_mut().zip(guard.view_mut().planes_mut()) {
        *slot = (plane.data_mut().as_mut_ptr(), plane.pitch());
    }
    // Memory order is Y, U, V for I420 and Y, V, U for YV12; libavcodec wants Y, U, V.
    let order = if layout.fourcc == FourCc::Yv12 { [0, 2, 1] } else { [0, 1, 2] };
    let aligned = order.iter().enumerate().all(|(i, &plane)| {
        let (ptr, pitch) = pointers[plane];
        let row_align = align[i].max(1) as usize;
        !ptr.is_null() && pitch % row_align == 0 && (ptr as usize) % row_align == 0
    });
    if !aligned || !roomy {
        // An application allocator's surface (its pitches or plane starts are not what
        // libavcodec's SIMD code needs, or it lacks the padding rows): the picture goes into
        // libavcodec's own memory and is copied out when it is handed out; the surface stays on
        // offer.
        drop(hold);
        drop(guard);
        *shared.slot.lock() = Some(surface);
        tracing::debug!(
            aligned,
            roomy,
            pitches = ?pointers.map(|(_, pitch)| pitch),
            starts_mod_64 = ?pointers.map(|(ptr, _)| ptr as usize % 64),
            size = ?(layout.width, layout.height),
            needed = ?needed,
            row_align = align[0],
            "get_buffer2: a surface libavcodec cannot decode into: pictures are copied from now on"
        );
        shared.fallback_only.store(true, Ordering::Release);
        return fallback(shared, ctx, frame, flags);
    }
    let base = pointers[0].0;
    let owner = Box::new(Owner {
        surface: surface.clone(),
        luma: base as usize,
        output: Mutex::new(Some(guard)),
        read: Mutex::new(None),
        _hold: hold,
        shared: shared.clone(),
    });
    let owner = Box::into_raw(owner);
    shared.live.lock().insert(owner as usize);
    // SAFETY: `base` starts the surface's single allocation of `layout.size` bytes, valid while the
    // owner (which holds the surface and its access) lives; the free callback gets the owner back.
    let buffer = unsafe { sys::av_buffer_create(base, layout.size, Some(free_buffer), owner.cast(), 0) };
    if buffer.is_null() {
        // SAFETY: the owner was leaked above and nothing else references it.
        drop(unsafe { Box::from_raw(owner) });
        return Err(sys::AVERROR(libc::ENOMEM));
    }
    // SAFETY: the frame is libavcodec's, handed to us to fill: planes, pitches, the buffer.
    unsafe {
        for (i, &plane) in order.iter().enumerate() {
            (*frame).data[i] = pointers[plane].0;
            (*frame).linesize[i] = pointers[plane].1 as libc::c_int;
        }
        (*frame).buf[0] = buffer;
        (*frame).extended_data = (*frame).data.as_mut_ptr();
    }
    shared.direct_pictures.fetch_add(1, Ordering::Relaxed);
    Ok(())
}

/// The picture goes into libavcodec's own memory; the offered surface stays on offer.
fn fallback(
    shared: &BufferShared,
    ctx: *mut sys::AVCodecContext,
    frame: *mut sys::AVFrame,
    flags: libc::c_int,
) -> Result<(), i32> {
    shared.fallback_pictures.fetch_add(1, Ordering::Relaxed);
    // SAFETY: the caller's contract (libavcodec's): the same context, frame and flags.
    let status = unsafe { sys::avcodec_default_get_buffer2(ctx, frame, flags) };
    if status < 0 {
        Err(status)
    } else {
        Ok(())
    }
}

/// The `AVBuffer` free callback: libavcodec let go of the picture.
unsafe extern "C" fn free_buffer(opaque: *mut libc::c_void, _data: *mut u8) {
    let result = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: `opaque` is the owner leaked in `get_buffer`, freed here exactly once.
        drop(unsafe { Box::from_raw(opaque as *mut Owner) });
    }));
    if result.is_err() {
        tracing::error!("releasing a decoded picture panicked");
    }
}

/// The surface size (multiples of 16) for a picture libavcodec allocates `aligned_width` x
/// `aligned_height` for: with at least 4 spare luma rows (2 chroma rows, at least 128 bytes), more
/// than the `16 + STRIDE_ALIGN - 1` bytes libavcodec's own pools leave after each plane.
pub fn required_size(aligned_width: u32, aligned_height: u32) -> (u32, u32) {
    let width = aligned_width.next_multiple_of(16);
    let mut height = aligned_height.next_multiple_of(16);
    if height - aligned_height < 4 {
        height += 16;
    }
    (width, height)
}

/// The owner of a frame's first buffer, if it is one of ours.
///
/// # Safety
/// `frame` must be a valid frame holding its buffers for as long as the returned reference lives.
pub(crate) unsafe fn owner_of<'a>(frame: *const sys::AVFrame, shared: &BufferShared) -> Option<&'a Owner> {
    // SAFETY: the frame is valid (caller's contract).
    let buffer = unsafe { (*frame).buf[0] };
    if buffer.is_null() {
        return None;
    }
    // SAFETY: a valid buffer reference.
    let opaque = unsafe { sys::av_buffer_get_opaque(buffer) } as usize;
    if !shared.live.lock().contains(&opaque) {
        return None;
    }
    // SAFETY: the address is a live owner (registered and not yet freed), and the frame's
    // reference keeps it alive for the caller's lifetime.
    Some(unsafe { &*(opaque as *const Owner) })
}
