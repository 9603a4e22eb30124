//! The work of `MFXVideoDECODE_DecodeFrameAsync` (the export is in [`crate::decode`]): resolving
//! the work surface (runtime or application 1.x), the Locked counter an application surface shows
//! while the decoder writes it, and one decode for framed (VP8) and stream (libavcodec) codecs.

use std::sync::{Arc, Mutex};

use vplrs_decode::{Decode, DecodeError, DecodeParams, DecodedFrame};
use vplrs_memory::{LockedHold, Status, Surface, SurfaceCore, ToStatus};
use vplrs_runtime::SyncPoint;

use crate::bindings::*;
use crate::decode::{advance, bitstream_data, status, DecodeState};
use crate::ffi::Outcome;
use crate::foreign::{AppSurfacePtr, CorePtr};
use crate::session::{lock, Session};
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
            surface.set_on_complete(Some(Arc::new(move |status: Status| {
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
            surface.set_on_complete(Some(Arc::new(move |_status: Status| {
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
    let wrapped = unsafe { crate::foreign::wrap(work, allocator) }
        .map_err(|_| DecodeError::InvalidParams("the work surface has no usable memory"))?;
    Ok(Work::Application(work, wrapped))
}

/// A failed call: the status, and whether the data was taken.
pub(crate) struct Refusal {
    pub(crate) status: Status,
    pub(crate) consumed: bool,
}

fn refusal(state: &mut DecodeState, error: DecodeError) -> Refusal {
    match error {
        DecodeError::Bitstream(error) => {
            tracing::debug!(%error, "undecodable frame skipped");
            state.skipped += 1;
            Refusal { status: Status::ERR_MORE_DATA, consumed: true }
        }
        other => Refusal { status: other.status(), consumed: other.consumed_data() },
    }
}

/// One `DecodeFrameAsync` with data: the output pointer and the sync point on success.
pub(crate) fn decode_one(
    this: &Session,
    state: &mut DecodeState,
    data: &[u8],
    timestamp: u64,
    work: *mut mfxFrameSurface1,
) -> Result<(*mut mfxFrameSurface1, SyncPoint), Refusal> {
    let key_frame = vplrs_vp8::peek_stream_info(data).is_ok();
    if !state.seen_key && !key_frame {
        // "The function skips any bitstreams before it encounters the new sequence header."
        state.skipped += 1;
        return Err(Refusal { status: Status::ERR_MORE_DATA, consumed: true });
    }
    // SAFETY: the API requires a valid work surface that lives until synchronised.
    let work = unsafe { resolve_work(this, &state.decode, work) }.map_err(|e| refusal(state, e))?;
    let hold_state = install_completion(&work);
    let outcome = state.decode.decode_frame_async(Some(data), Some(work.surface()), timestamp);
    let DecodedFrame { surface, sync } = match outcome {
        Ok(frame) => frame,
        Err(error) => {
            // No picture will come: the completion must not stay on a pooled surface.
            work.surface().set_on_complete(None);
            if key_frame && matches!(error, DecodeError::MoreData) {
                state.seen_key = true;
            }
            return Err(refusal(state, error));
        }
    };
    state.seen_key |= key_frame;
    let pointer = match &work {
        Work::Runtime(..) => expose(surface).map_err(|status| Refusal { status, consumed: true })?,
        Work::Application(pointer, wrapped) => {
            if let Some(hold_state) = hold_state {
                let mut hold = lock(&hold_state);
                if !hold.completed {
                    hold.hold = wrapped.hold().ok();
                    crate::foreign::note_write(*pointer, &sync);
                }
            }
            *pointer
        }
    };
    Ok((pointer, sync))
}

/// Copies a picture from a decode pool surface into an application surface of the same format:
/// the one copy of the 1.x path of libavcodec codecs decoding in place.
fn copy_picture(source: &Surface, target: &Surface) -> Outcome {
    let read = source.map_read().map_err(|_| Status::ERR_LOCK_MEMORY)?;
    let mut output = target.begin_output().map_err(|_| Status::ERR_MORE_SURFACE)?;
    let from = read.view();
    let mut to = output.view_mut();
    if from.fourcc != to.fourcc {
        return Err(Status::ERR_INVALID_VIDEO_PARAM);
    }
    for (to, from) in to.planes_mut().iter_mut().zip(from.planes()) {
        let bytes = to.row_bytes().min(from.row_bytes());
        for y in 0..to.rows().min(from.rows()) {
            to.row_mut(y)[..bytes].copy_from_slice(&from.row(y)[..bytes]);
        }
    }
    output.finish(Status::ERR_NONE);
    Ok(())
}

/// The work surface of a libavcodec codec's call.
struct StreamWork {
    /// What the decoder is given: a runtime surface, or the application's surface when the
    /// decoder converts into it (NV12).
    decoder: Option<Surface>,
    /// An application 1.x surface: the output surface of the call.
    application: Option<(*mut mfxFrameSurface1, Surface)>,
}

/// Resolves the work surface of a libavcodec codec's call.
///
/// # Safety
/// A non-null `work` must point to a valid `mfxFrameSurface1` that stays valid until the operation
/// completes.
unsafe fn stream_work(
    this: &Session,
    params: &DecodeParams,
    in_place: bool,
    work: *mut mfxFrameSurface1,
) -> Outcome<StreamWork> {
    if work.is_null() {
        return Ok(StreamWork { decoder: None, application: None });
    }
    if let Some(shell) = lookup(work) {
        return Ok(StreamWork { decoder: Some(runtime_surface(shell)?), application: None });
    }
    let allocator = lock(&this.allocator).clone();
    // SAFETY: per this function's contract.
    let wrapped = unsafe { crate::foreign::wrap(work, allocator) }?;
    if wrapped.locked() > 0 {
        return Err(Status::ERR_MORE_SURFACE);
    }
    let layout = wrapped.layout();
    let crop = params.output.effective_crop();
    if layout.fourcc != params.output.fourcc
        || layout.width < crop.x + crop.width
        || layout.height < crop.y + crop.height
    {
        return Err(Status::ERR_INVALID_VIDEO_PARAM);
    }
    let decoder = (!in_place).then(|| wrapped.clone());
    Ok(StreamWork { decoder, application: Some((work, wrapped)) })
}

/// `DecodeFrameAsync` for libavcodec's codecs (see the module documentation).
pub(crate) fn decode_stream(
    this: &Session,
    state: &mut DecodeState,
    bs: Option<&mut mfxBitstream>,
    work: *mut mfxFrameSurface1,
) -> Outcome<(*mut mfxFrameSurface1, SyncPoint)> {
    let params = state.decode.params().map_err(|e| status(&e))?;
    let in_place = state.decode.decodes_in_place();
    // SAFETY: the API requires a valid work surface that lives until synchronised.
    let work = unsafe { stream_work(this, &params, in_place, work) }?;
    let frame = decode_bitstream(state, &work, bs)?;
    let DecodedFrame { surface, sync } = frame;
    let pointer = match work.application {
        Some((pointer, wrapped)) => {
            let meta = surface.meta();
            if !surface.ptr_eq(&wrapped) {
                vplrs_memory::copies::allow("decode into an application (1.x) surface", || {
                    "libavcodec keeps its references beyond the call, so pictures are decoded into the runtime's own \
                     surfaces and copied into the work surface (use a NULL work surface: 2.x)"
                        .to_owned()
                })
                .map_err(|error| vplrs_memory::ToStatus::status(&error))?;
                copy_picture(&surface, &wrapped)?;
                state.copies += 1;
            }
            // The decode pool surface goes back to its pool when libavcodec lets go of it too.
            drop(surface);
            drop(wrapped);
            // SAFETY: the application's surface is valid until synchronised (the API's contract).
            unsafe { AppSurfacePtr(pointer).publish(&meta) };
            pointer
        }
        None => {
            let shell = shell_of(surface.core())?;
            let pointer = expose(surface)?;
            notify_complete(shell, Status::ERR_NONE);
            pointer
        }
    };
    Ok((pointer, sync))
}

/// One decode call on `data` with the call's work surface.
fn decode_call(
    state: &mut DecodeState,
    work: &StreamWork,
    data: Option<&[u8]>,
    timestamp: u64,
) -> Result<DecodedFrame, DecodeError> {
    match (&work.decoder, &work.application) {
        // In place, the picture is decoded into a surface only the runtime uses and copied into
        // the application's surface: never into the decode pool, which the application's
        // allocator may have filled with the application's own surfaces.
        (None, Some(_)) => state.decode.decode_frame_for_copy(data, timestamp),
        (decoder, _) => state.decode.decode_frame_async(data, decoder.as_ref(), timestamp),
    }
}

/// What a failed call answers (at a new sequence the surfaces cannot hold the decoder keeps the
/// bytes of it it took, for the decoder initialised next: see `Decode::pending_sequence`).
fn refused(state: &mut DecodeState, error: DecodeError) -> Status {
    match error {
        DecodeError::Bitstream(error) => {
            tracing::debug!(%error, "undecodable data skipped");
            state.skipped += 1;
            Status::ERR_MORE_DATA
        }
        other => status(&other),
    }
}

/// One call on the application's bitstream (`None`: the drain); `DataOffset` moves past what
/// the decoder took.
fn decode_bitstream(
    state: &mut DecodeState,
    work: &StreamWork,
    bs: Option<&mut mfxBitstream>,
) -> Outcome<DecodedFrame> {
    let (data, timestamp) = match &bs {
        // SAFETY: the bitstream's buffer holds its data, per the API.
        Some(bs) => (Some(unsafe { bitstream_data(bs) }?), bs.TimeStamp),
        None => (None, vplrs_memory::surface::TIMESTAMP_UNKNOWN),
    };
    let result = decode_call(state, work, data, timestamp);
    let consumed = state.decode.consumed();
    let length = data.map_or(0, <[u8]>::len);
    if let Some(bs) = bs {
        match &result {
            // A picture libavcodec cannot read at all: its data is skipped.
            Err(DecodeError::Bitstream(_)) if consumed == 0 => advance(bs, length),
            _ => advance(bs, consumed),
        }
    }
    result.map_err(|error| refused(state, error))
}
