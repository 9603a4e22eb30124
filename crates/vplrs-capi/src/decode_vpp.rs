//! `MFXVideoDECODE_VPP_*` (API 2.1): decode with VPP channels, internal memory (the 2.x model).
//!
//! The component is the session's decoder plus one VPP per channel. The decoder is the session's
//! own decode component, initialised through `MFXVideoDECODE_Init`, so the aliases the header
//! defines (`MFXVideoDECODE_VPP_DecodeHeader`, `_GetVideoParam`, `_GetDecodeStat`, ...) answer
//! for it; each channel is a `vplrs_vpp::Vpp` with its own output pool (`mfxExtAllocationHints`
//! with `MFX_VPP_POOL_OUT` on the channel sizes it; unlimited otherwise), reading the decoded
//! picture in place.
//!
//! - `Init`: channel parameters are checked first ([`crate::decode_vpp_params`]); then the decoder
//!   and the channels. Channel 0 is the decoder's output and no VPP channel may use it.
//!   `MFX_ERR_UNDEFINED_BEHAVIOR` when already initialised (also when the session's decoder was
//!   initialised on its own). `mfxInfoMFX::SkipOutput` ON leaves the decoder's channel out.
//! - `DecodeFrameAsync`: one decoded picture (the decoder's statuses, `MFX_ERR_MORE_DATA` at the
//!   end of a drain with a NULL bitstream, pass through) becomes one `mfxSurfaceArray`
//!   ([`crate::surface_array`]): the decoder's surface (ChannelId 0) first, then one surface per
//!   channel in the order of Init, minus the skipped channels. Each surface carries a reference
//!   for the application, which releases it, and one the array holds. A call whose every channel
//!   is skipped returns `MFX_ERR_NONE` with a NULL array. VPP work may still run when the call
//!   returns: the application synchronises each surface.
//! - `Reset`: the decoder's parameters (if given) through `MFXVideoDECODE_Reset`, then each
//!   channel's new parameters (same FourCC, frames no larger than at Init: otherwise
//!   `MFX_ERR_INCOMPATIBLE_VIDEO_PARAM`; an unknown ChannelId is `MFX_ERR_INVALID_VIDEO_PARAM`).
//!   Every channel is checked before anything changes.
//! - `GetChannelParam`: the channel's parameters as running (`MFX_ERR_NOT_FOUND` for an id that
//!   is no VPP channel, 0 included).
//! - `Close`: the channels (after their work in flight) and the decoder. Surfaces and arrays the
//!   application still holds stay valid until released.
//!
//! Every function checks its session first (`MFX_ERR_INVALID_HANDLE`), then its pointers
//! (`MFX_ERR_NULL_PTR`), then that the component is initialised (`MFX_ERR_NOT_INITIALIZED`).

use std::sync::Arc;
use std::time::Duration;

use vplrs_memory::{FrameInfo, Status, Surface, ToStatus};
use vplrs_runtime::SyncPoint;
use vplrs_vpp::{Vpp, VppError};

use crate::bindings::*;
use crate::decode::{MFXVideoDECODE_Close, MFXVideoDECODE_DecodeFrameAsync, MFXVideoDECODE_Init, MFXVideoDECODE_Reset};
use crate::decode_vpp_params::{read_channels, vpp_params, ChannelRequest};
use crate::ffi::{guard, non_null, Outcome};
use crate::fields::frame_info_to_c;
use crate::session::{lock, session, Session};
use crate::surface::{expose, lookup, notify_complete, runtime_surface, shell_of, Shell};

/// How long a call waits for the decoder's picture or a channel's previous frame.
const WAIT: Duration = Duration::from_secs(60);

/// One VPP channel.
struct Channel {
    request: ChannelRequest,
    vpp: Vpp,
    /// The channel's last operation: the next one waits for it, so a channel has at most one
    /// frame in flight and its lane is never full.
    in_flight: Option<SyncPoint>,
}

/// The state of an initialised decode+VPP component (a session field).
pub(crate) struct DecodeVpp {
    channels: Vec<Channel>,
    /// `SkipOutput` ON: the decoder's own channel is not output.
    skip_decoder_output: bool,
}

/// A status of the C functions this component calls: the error, or the success/warning.
fn outcome(status: mfxStatus) -> Outcome<Status> {
    let status = Status(status);
    if status.is_error() {
        Err(status)
    } else {
        Ok(status)
    }
}

/// Status of a VPP error for calls that document `MFX_ERR_INVALID_VIDEO_PARAM` for parameters
/// they cannot use.
fn params_status(error: &VppError) -> Status {
    match error {
        VppError::Unsupported(_) => Status::ERR_INVALID_VIDEO_PARAM,
        other => other.status(),
    }
}

/// The pictures the decoder outputs (the input of every channel).
fn decoded_info(this: &Session) -> Outcome<FrameInfo> {
    let state = lock(&this.decode);
    state.params().map(|params| params.output).map_err(|error| error.status())
}

/// Creates a channel; returns it and whether VPP corrected its parameters.
fn open_channel(this: &Session, request: ChannelRequest, decoded: &FrameInfo) -> Outcome<(Channel, bool)> {
    let params = vpp_params(&request, decoded)?;
    let mut vpp = Vpp::new(this.core.clone());
    let corrected = vpp.init(&params).map_err(|error| params_status(&error))?;
    if let Ok(pool) = vpp.output_pool() {
        this.track_pool(pool);
    }
    Ok((Channel { request, vpp, in_flight: None }, corrected))
}

fn init(
    handle: mfxSession,
    decode_par: *mut mfxVideoParam,
    array: *mut *mut mfxVideoChannelParam,
    count: u32,
) -> Outcome<Status> {
    let this = session(handle)?;
    non_null(decode_par)?;
    non_null(array)?;
    let mut slot = lock(&this.decode_vpp);
    if slot.is_some() {
        return Err(Status::ERR_UNDEFINED_BEHAVIOR);
    }
    // SAFETY: checked non-null; the API requires `count` valid channel pointers.
    let requests = unsafe { read_channels(array, count, None) }?;
    // SAFETY: checked non-null; the caller passes a valid structure.
    let mfx = crate::decode_params::mfx(unsafe { &*decode_par });
    // SAFETY: the union's members are structures of u16 fields; a decoder reads its options.
    let skip_output = unsafe { mfx.__bindgen_anon_1.__bindgen_anon_2.SkipOutput };
    let mut status = outcome(MFXVideoDECODE_Init(handle, decode_par))?;
    let opened = decoded_info(&this).and_then(|decoded| {
        let mut channels = Vec::with_capacity(requests.len());
        let mut corrected = false;
        for request in requests {
            let (channel, fixed) = open_channel(&this, request, &decoded)?;
            corrected |= fixed;
            channels.push(channel);
        }
        Ok((channels, corrected))
    });
    let (channels, corrected) = match opened {
        Ok(opened) => opened,
        Err(error) => {
            // Nothing stays initialised after a failed Init.
            let _ = MFXVideoDECODE_Close(handle);
            return Err(error);
        }
    };
    if corrected && status == Status::ERR_NONE {
        status = Status::WRN_INCOMPATIBLE_VIDEO_PARAM;
    }
    *slot = Some(DecodeVpp { channels, skip_decoder_output: skip_output == MFX_CODINGOPTION_ON as u16 });
    Ok(status)
}

#[no_mangle]
pub extern "C" fn MFXVideoDECODE_VPP_Init(
    session: mfxSession,
    decode_par: *mut mfxVideoParam,
    vpp_par_array: *mut *mut mfxVideoChannelParam,
    num_vpp_par: mfxU32,
) -> mfxStatus {
    guard("MFXVideoDECODE_VPP_Init", || init(session, decode_par, vpp_par_array, num_vpp_par))
}

/// The decoder's next picture: its C pointer (holding the application's reference) and a Rust
/// handle; `Err` for every call that gives no picture (`MFX_ERR_MORE_DATA`...), `Ok(Err)` for a
/// warning without one.
fn decode_picture(
    this: &Session,
    handle: mfxSession,
    bs: *mut mfxBitstream,
) -> Outcome<Result<(&'static Shell, Surface), Status>> {
    let mut pointer: *mut mfxFrameSurface1 = std::ptr::null_mut();
    let mut syncp: mfxSyncPoint = std::ptr::null_mut();
    let status = outcome(MFXVideoDECODE_DecodeFrameAsync(handle, bs, std::ptr::null_mut(), &mut pointer, &mut syncp))?;
    let Some(shell) = lookup(pointer) else {
        // A warning (device busy, new parameters) that comes without a picture.
        return Ok(Err(status));
    };
    let surface = runtime_surface(shell)?;
    // The picture is complete before it goes to the channels; waiting also retires its sync
    // point from the session's table.
    let decoded = if syncp.is_null() {
        Ok(Status::ERR_NONE)
    } else {
        this.sync_operation(syncp, WAIT).and_then(|status| match status {
            // Still running after the whole wait: the decoder is stuck.
            Status::WRN_IN_EXECUTION => Err(Status::ERR_UNKNOWN),
            other => Ok(other),
        })
    };
    if let Err(error) = decoded {
        // Gives back the application's reference too: nobody will see this surface.
        let _ = shell.release_application_ref();
        drop(surface);
        return Err(error);
    }
    shell.with_c(|c| c.Info.ChannelId = 0);
    Ok(Ok((shell, surface)))
}

/// Submits the decoded picture to one channel; returns the channel's output surface as C sees it
/// (with the application's reference) and the array's handle to it.
fn run_channel(
    channel: &mut Channel,
    input_shell: &'static Shell,
    input: &Surface,
) -> Outcome<(*mut mfxFrameSurface1, Surface)> {
    if let Some(previous) = channel.in_flight.take() {
        // The result belongs to whoever synchronises that surface.
        let _ = previous.wait(WAIT);
    }
    let output = channel.vpp.output_surface().map_err(|error| match error {
        VppError::Acquire(vplrs_memory::AcquireError::Timeout(_)) => Status::WRN_ALLOC_TIMEOUT_EXPIRED,
        other => other.status(),
    })?;
    let shell = shell_of(output.core())?;
    output.set_on_complete(Some(Arc::new(move |status: Status| {
        shell.publish_live();
        input_shell.refresh_locked();
        notify_complete(shell, status);
    })));
    shell.set_last_input(Some(input_shell));
    let sync = match channel.vpp.run_frame_async(Some(input), &output) {
        Ok(sync) => sync,
        Err(error) => {
            output.set_on_complete(None);
            return Err(error.status());
        }
    };
    // The input's Locked counter is raised while the channel reads it.
    input_shell.refresh_locked();
    channel.in_flight = Some(sync);
    let held = output.clone();
    let pointer = expose(output)?;
    shell.with_c(|c| c.Info.ChannelId = channel.request.id);
    Ok((pointer, held))
}

/// Gives back the application's references of surfaces never handed out (the array's handles go
/// with `outputs`).
fn abandon(outputs: Vec<(*mut mfxFrameSurface1, Surface)>) {
    for (pointer, surface) in outputs {
        if let Some(shell) = crate::surface::lookup(pointer) {
            let _ = shell.release_application_ref();
        }
        drop(surface);
    }
}

fn decode_frame(
    handle: mfxSession,
    bs: *mut mfxBitstream,
    skip: *mut mfxU32,
    skip_count: u32,
    out: *mut *mut mfxSurfaceArray,
) -> Outcome<Status> {
    let this = session(handle)?;
    non_null(out)?;
    // SAFETY: checked non-null; the caller passes a valid output pointer.
    unsafe { out.write(std::ptr::null_mut()) };
    let skipped: &[u32] = if skip_count == 0 {
        &[]
    } else {
        non_null(skip)?;
        // SAFETY: checked non-null; the API requires `num_skip_channels` ids there.
        unsafe { std::slice::from_raw_parts(skip, skip_count as usize) }
    };
    let mut slot = lock(&this.decode_vpp);
    let state = slot.as_mut().ok_or(Status::ERR_NOT_INITIALIZED)?;
    let (input_shell, input) = match decode_picture(&this, handle, bs)? {
        Ok(picture) => picture,
        Err(warning) => return Ok(warning),
    };
    let input_pointer = input_shell.surface_ptr();
    let mut outputs = Vec::with_capacity(state.channels.len() + 1);
    let keep_decoded = !state.skip_decoder_output && !skipped.contains(&0);
    for channel in state.channels.iter_mut().filter(|channel| !skipped.contains(&u32::from(channel.request.id))) {
        match run_channel(channel, input_shell, &input) {
            Ok(output) => outputs.push(output),
            Err(error) => {
                abandon(outputs);
                abandon(vec![(input_pointer, input)]);
                return Err(error);
            }
        }
    }
    if keep_decoded {
        outputs.insert(0, (input_pointer, input));
    } else {
        abandon(vec![(input_pointer, input)]);
    }
    if !outputs.is_empty() {
        let array = crate::surface_array::publish(outputs);
        // SAFETY: checked non-null; the caller passes a valid output pointer.
        unsafe { out.write(array) };
    }
    Ok(Status::ERR_NONE)
}

#[no_mangle]
pub extern "C" fn MFXVideoDECODE_VPP_DecodeFrameAsync(
    session: mfxSession,
    bs: *mut mfxBitstream,
    skip_channels: *mut mfxU32,
    num_skip_channels: mfxU32,
    surf_array_out: *mut *mut mfxSurfaceArray,
) -> mfxStatus {
    guard("MFXVideoDECODE_VPP_DecodeFrameAsync", || {
        decode_frame(session, bs, skip_channels, num_skip_channels, surf_array_out)
    })
}

/// Checks that `params` can replace the running parameters of `vpp` (what `Vpp::reset` accepts).
fn check_reset(vpp: &Vpp, params: &vplrs_vpp::VppParams) -> Outcome {
    let current = vpp.params().map_err(|error| error.status())?;
    let checked = Vpp::query(params).map_err(|error| params_status(&error))?.params;
    let fits = |new: &FrameInfo, old: &FrameInfo| {
        new.fourcc == old.fourcc && new.width <= old.width && new.height <= old.height
    };
    if !fits(&checked.input, &current.input) || !fits(&checked.output, &current.output) {
        return Err(Status::ERR_INCOMPATIBLE_VIDEO_PARAM);
    }
    Ok(())
}

/// The decoder's output after a Reset with `info`: the surfaces keep the size of Init; the FourCC,
/// crop and frame rate are the new ones.
fn predicted_info(current: &FrameInfo, info: &mfxFrameInfo) -> Outcome<FrameInfo> {
    let new = crate::fields::frame_info_from_c(info).map_err(|_| Status::ERR_INVALID_VIDEO_PARAM)?;
    let mut predicted = *current;
    predicted.fourcc = new.fourcc;
    if new.crop.width != 0 && new.crop.height != 0 {
        predicted.crop = new.crop;
    }
    predicted.frame_rate = new.frame_rate;
    Ok(predicted)
}

fn reset(
    handle: mfxSession,
    decode_par: *mut mfxVideoParam,
    array: *mut *mut mfxVideoChannelParam,
    count: u32,
) -> Outcome<Status> {
    let this = session(handle)?;
    if decode_par.is_null() && array.is_null() {
        return Err(Status::ERR_NULL_PTR);
    }
    let mut slot = lock(&this.decode_vpp);
    let state = slot.as_mut().ok_or(Status::ERR_NOT_INITIALIZED)?;
    let ids: Vec<u16> = state.channels.iter().map(|channel| channel.request.id).collect();
    // SAFETY: the API requires `count` valid channel pointers in a non-null array.
    let requests = if array.is_null() { Vec::new() } else { unsafe { read_channels(array, count, Some(&ids)) }? };
    let current = decoded_info(&this)?;
    let predicted = if decode_par.is_null() {
        current
    } else {
        // SAFETY: checked non-null; the caller passes a valid structure.
        let info = crate::decode_params::mfx(unsafe { &*decode_par }).FrameInfo;
        predicted_info(&current, &info)?
    };
    // Every channel's new parameters, checked before anything changes.
    let mut plans = Vec::with_capacity(state.channels.len());
    for channel in &state.channels {
        let request = requests.iter().find(|r| r.id == channel.request.id).copied().unwrap_or(channel.request);
        check_reset(&channel.vpp, &vpp_params(&request, &predicted)?)?;
        plans.push(request);
    }
    let mut status = Status::ERR_NONE;
    if !decode_par.is_null() {
        status = outcome(MFXVideoDECODE_Reset(handle, decode_par))?;
    }
    let decoded = decoded_info(&this)?;
    for (channel, request) in state.channels.iter_mut().zip(plans) {
        channel.in_flight = None;
        let params = vpp_params(&request, &decoded)?;
        let corrected = channel.vpp.reset(&params).map_err(|error| params_status(&error))?;
        if corrected && status == Status::ERR_NONE {
            status = Status::WRN_INCOMPATIBLE_VIDEO_PARAM;
        }
        channel.request = request;
    }
    Ok(status)
}

#[no_mangle]
pub extern "C" fn MFXVideoDECODE_VPP_Reset(
    session: mfxSession,
    decode_par: *mut mfxVideoParam,
    vpp_par_array: *mut *mut mfxVideoChannelParam,
    num_vpp_par: mfxU32,
) -> mfxStatus {
    guard("MFXVideoDECODE_VPP_Reset", || reset(session, decode_par, vpp_par_array, num_vpp_par))
}

#[no_mangle]
pub extern "C" fn MFXVideoDECODE_VPP_GetChannelParam(
    session: mfxSession,
    par: *mut mfxVideoChannelParam,
    channel_id: mfxU32,
) -> mfxStatus {
    guard("MFXVideoDECODE_VPP_GetChannelParam", || {
        let this = self::session(session)?;
        non_null(par)?;
        let slot = lock(&this.decode_vpp);
        let state = slot.as_ref().ok_or(Status::ERR_NOT_INITIALIZED)?;
        let channel = state
            .channels
            .iter()
            .find(|channel| u32::from(channel.request.id) == channel_id)
            .ok_or(Status::ERR_NOT_FOUND)?;
        let running = channel.vpp.params().map_err(|error| error.status())?;
        let mut info = channel.request.info;
        frame_info_to_c(&running.output, &mut info);
        info.ChannelId = channel.request.id;
        // SAFETY: checked non-null; the caller passes a valid structure. Its extension buffers
        // stay as the application set them.
        let out = unsafe { &mut *par };
        out.VPP = info;
        out.Protected = 0;
        out.IOPattern = channel.request.io_pattern;
        Ok(Status::ERR_NONE)
    })
}

#[no_mangle]
pub extern "C" fn MFXVideoDECODE_VPP_Close(session: mfxSession) -> mfxStatus {
    guard("MFXVideoDECODE_VPP_Close", || {
        let this = self::session(session)?;
        let state = lock(&this.decode_vpp).take().ok_or(Status::ERR_NOT_INITIALIZED)?;
        // Each channel finishes its work in flight and closes its pool.
        drop(state);
        // The decoder may have been closed on its own already: nothing more to do then.
        let _ = MFXVideoDECODE_Close(session);
        Ok(Status::ERR_NONE)
    })
}
