//! The work of `MFXVideoDECODE_DecodeFrameAsync` (the export is in [`crate::decode`]): resolving
//! the work surface (runtime or application 1.x), the Locked counter an application surface shows
//! while the decoder writes it, and one decode for framed (VP8) and stream (libavcodec) codecs.

use std::sync::{Arc, Mutex};

use crate::status::Status;
use vplrs_decode::{Decode, DecodeError, DecodedFrame};
use vplrs_memory::{LockedHold, Surface, SurfaceCore};
use vplrs_runtime::SyncPoint;

use crate::bindings::*;
use crate::decode::{advance, bitstream_data, status};
use crate::ffi::lock;
use crate::ffi::Outcome;
use crate::session::Session;
use crate::surface::foreign::{AppSurfacePtr, CorePtr};
use crate::surface::{expose, lookup, notify_complete, runtime_surface, shell_of, Shell};

/// The work surface of one call.
enum Work {
    /// A runtime surface: from the decode pool (NULL work surface) or the application's.
    Runtime(&'static Shell, Surface),
    /// An application 1.x surface, wrapped for this operation.
    Application(*mut mfxFrameSurface1, Surface),
}

impl Work {
    fn surface(&self) -> &Surface {
        match self {
            Work::Runtime(_, surface) | Work::Application(_, surface) => surface,
        }
    }
}

/// The Locked counter an application surface shows while the decoder writes it: raised after the
/// component took the surface, lowered by the completion (whichever comes first wins the race).
#[derive(Default)]
struct HoldState {
    completed: bool,
    hold: Option<LockedHold>,
}

/// Installs the completion that publishes the picture to C. Returns the Locked state of an
/// application surface.
fn install_completion(work: &Work) -> Option<Arc<Mutex<HoldState>>> {
    match work {
        Work::Runtime(shell, surface) => {
            let shell: &'static Shell = shell;
            surface.set_on_complete(Some(Arc::new(move |outcome: Result<(), vplrs_memory::OperationError>| {
                let status = crate::status::ToStatus::status(&outcome);
                shell.publish_live();
                notify_complete(shell, status);
            })));
            None
        }
        Work::Application(pointer, surface) => {
            let state = Arc::new(Mutex::new(HoldState::default()));
            let hook_state = state.clone();
            let app = AppSurfacePtr(*pointer);
            let core = CorePtr(surface.core() as *const SurfaceCore);
            surface.set_on_complete(Some(Arc::new(move |_outcome: Result<(), vplrs_memory::OperationError>| {
                // SAFETY: called by this surface's own `finish_output`: it is alive.
                let meta = unsafe { core.get() }.meta();
                // SAFETY: the application's surface is valid until synchronised (AppSurfacePtr).
                unsafe { app.publish(&meta) };
                let mut hold = lock(&hook_state);
                hold.completed = true;
                // Lowers the application's Locked counter.
                hold.hold = None;
            })));
            Some(state)
        }
    }
}

/// Resolves the work surface: NULL takes one from the decode pool.
///
/// # Safety
/// A non-null `work` must point to a valid `mfxFrameSurface1` that stays valid until the operation
/// completes.
unsafe fn resolve_work(this: &Session, decode: &Decode, work: *mut mfxFrameSurface1) -> Result<Work, DecodeError> {
    if work.is_null() {
        let surface = decode.surface()?;
        let shell = shell_of(surface.core()).map_err(|_| DecodeError::InvalidParams("surface"))?;
        return Ok(Work::Runtime(shell, surface));
    }
    if let Some(shell) = lookup(work) {
        let surface = runtime_surface(shell).map_err(|_| DecodeError::InvalidParams("released surface"))?;
        return Ok(Work::Runtime(shell, surface));
    }
    let allocator = lock(&this.allocator).clone();
    // SAFETY: per this function's contract.
    let wrapped = unsafe { crate::surface::foreign::wrap(work, allocator) }
        .map_err(|_| DecodeError::InvalidParams("the work surface has no usable memory"))?;
    Ok(Work::Application(work, wrapped))
}

/// What a failed call answers: an undecodable frame was skipped (its data taken).
fn refused(error: DecodeError) -> Status {
    match error {
        DecodeError::Bitstream(_) => Status::ERR_MORE_DATA,
        other => status(&other),
    }
}

/// One `DecodeFrameAsync` of a framed codec (VP8) with data: the output pointer and the sync
/// point, and the bytes of the data taken.
pub(crate) fn decode_one(
    this: &Session,
    decode: &mut Decode,
    data: &[u8],
    timestamp: u64,
    work: *mut mfxFrameSurface1,
) -> (Outcome<(*mut mfxFrameSurface1, SyncPoint)>, usize) {
    // SAFETY: the API requires a valid work surface that lives until synchronised.
    let work = match unsafe { resolve_work(this, decode, work) } {
        Ok(work) => work,
        Err(error) => return (Err(refused(error)), 0),
    };
    let hold_state = install_completion(&work);
    let outcome = decode.decode_frame_async(Some(data), Some(work.surface()), timestamp);
    let consumed = match &outcome {
        // An undecodable frame is skipped whole.
        Err(DecodeError::Bitstream(_)) => data.len(),
        _ => decode.consumed(),
    };
    let DecodedFrame { surface, sync } = match outcome {
        Ok(frame) => frame,
        Err(error) => {
            // No picture will come: the completion must not stay on a pooled surface.
            work.surface().set_on_complete(None);
            return (Err(refused(error)), consumed);
        }
    };
    let pointer = match &work {
        Work::Runtime(..) => match expose(surface) {
            Ok(pointer) => pointer,
            Err(status) => return (Err(status), consumed),
        },
        Work::Application(pointer, wrapped) => {
            if let Some(hold_state) = hold_state {
                let mut hold = lock(&hold_state);
                if !hold.completed {
                    hold.hold = wrapped.hold_by("the decoder (a 1.x work surface)").ok();
                }
            }
            *pointer
        }
    };
    (Ok((pointer, sync)), consumed)
}

/// Resolves the work surface of a libavcodec codec's call: `None` for NULL (the decoder takes a
/// decode pool surface), a runtime surface, or an application 1.x surface wrapped for the call.
///
/// # Safety
/// A non-null `work` must point to a valid `mfxFrameSurface1` that stays valid until the operation
/// completes.
unsafe fn stream_work(this: &Session, work: *mut mfxFrameSurface1) -> Outcome<Option<Surface>> {
    if work.is_null() {
        return Ok(None);
    }
    if let Some(shell) = lookup(work) {
        return Ok(Some(runtime_surface(shell)?));
    }
    let allocator = lock(&this.allocator).clone();
    // SAFETY: per this function's contract.
    Ok(Some(unsafe { crate::surface::foreign::wrap(work, allocator) }?))
}

/// `DecodeFrameAsync` for libavcodec's codecs (see the module documentation); `DataOffset`
/// moves past what the decoder took.
pub(crate) fn decode_stream(
    this: &Session,
    decode: &mut Decode,
    bs: Option<&mut mfxBitstream>,
    work: *mut mfxFrameSurface1,
) -> Outcome<(*mut mfxFrameSurface1, SyncPoint)> {
    // SAFETY: the API requires a valid work surface that lives until synchronised.
    let work = unsafe { stream_work(this, work) }?;
    let (data, timestamp) = match &bs {
        // SAFETY: the bitstream's buffer holds its data, per the API.
        Some(bs) => (Some(unsafe { bitstream_data(bs) }?), bs.TimeStamp),
        None => (None, vplrs_memory::surface::TIMESTAMP_UNKNOWN),
    };
    let result = decode.decode_frame_async(data, work.as_ref(), timestamp);
    let consumed = decode.consumed();
    if let Some(bs) = bs {
        match &result {
            // A picture libavcodec cannot read at all: its data is skipped.
            Err(DecodeError::Bitstream(_)) if consumed == 0 => advance(bs, data.map_or(0, <[u8]>::len)),
            _ => advance(bs, consumed),
        }
    }
    let DecodedFrame { surface, sync } = result.map_err(refused)?;
    // An application 1.x surface: the call's work surface, or (libavcodec in place) an earlier
    // call's that the decoder kept for reordering.
    let pointer = if surface.is_application_memory() {
        let pointer = crate::surface::foreign::application_surface(&surface).ok_or(Status::ERR_UNKNOWN)?;
        let meta = surface.meta();
        drop(surface);
        drop(work);
        // SAFETY: the application's surface is valid until synchronised (the API's contract).
        unsafe { AppSurfacePtr(pointer).publish(&meta) };
        pointer
    } else {
        let shell = shell_of(surface.core())?;
        let pointer = expose(surface)?;
        notify_complete(shell, Status::ERR_NONE);
        pointer
    };
    Ok((pointer, sync))
}
