//! `MFXVideoDECODE_VPP_*` (API 2.1): decode with VPP channels, internal memory (the 2.x model).
//! The component is `vplrs::DecodeVpp` over the session's decoder; this module translates.
//!
//! The aliases the header defines (`MFXVideoDECODE_VPP_DecodeHeader`, `_GetVideoParam`,
//! `_GetDecodeStat`, ...) answer for the session's decoder. Each channel has its own output pool
//! (`mfxExtAllocationHints` with `MFX_VPP_POOL_OUT` on the channel sizes it; unlimited otherwise),
//! reading the decoded picture in place, with up to AsyncDepth frames in flight.
//!
//! - `Init`: channel parameters are checked first ([`crate::decode_vpp::params`]); then the decoder
//!   and the channels. Channel 0 is the decoder's output and no VPP channel may use it.
//!   `MFX_ERR_UNDEFINED_BEHAVIOR` when already initialised (also when the session's decoder was
//!   initialised on its own). `mfxInfoMFX::SkipOutput` ON leaves the decoder's channel out.
//! - `DecodeFrameAsync`: one decoded picture (the decoder's statuses, `MFX_ERR_MORE_DATA` at the
//!   end of a drain with a NULL bitstream, pass through) becomes one `mfxSurfaceArray`
//!   ([`crate::surface::array`]): the decoder's surface (ChannelId 0) first, then one surface per
//!   channel in the order of Init, minus the skipped channels. Each surface carries a reference
//!   for the application, which releases it, and one the array holds. A call whose every channel
//!   is skipped returns `MFX_ERR_NONE` with a NULL array. Decode and VPP work may still run when
//!   the call returns: the application synchronises each surface.
//! - `Reset`: the decoder's parameters (if given), then each channel's new parameters (same
//!   FourCC, frames no larger than at Init: otherwise `MFX_ERR_INCOMPATIBLE_VIDEO_PARAM`; an
//!   unknown ChannelId is `MFX_ERR_INVALID_VIDEO_PARAM`). Every channel is checked before anything
//!   changes.
//! - `GetChannelParam`: the channel's parameters as running (`MFX_ERR_NOT_FOUND` for an id that
//!   is no VPP channel, 0 included).
//! - `Close`: the channels (after their work in flight) and the decoder. Surfaces and arrays the
//!   application still holds stay valid until released.
//!
//! Every function checks its session first (`MFX_ERR_INVALID_HANDLE`), then its pointers
//! (`MFX_ERR_NULL_PTR`), then that the component is initialised (`MFX_ERR_NOT_INITIALIZED`).

pub(crate) mod params;

use std::sync::Arc;

use crate::status::{Status, ToStatus};
use vplrs::decode_vpp::{DecodeVppError, Produced};
use vplrs_decode::DecodeError;
use vplrs_memory::Surface;
use vplrs_vpp::VppError;

use crate::bindings::*;
use crate::decode::params::params_from_c;
use crate::decode::{advance, bitstream_data};
use crate::decode_vpp::params::{read_channels, ChannelRequest};
use crate::ffi::lock;
use crate::ffi::{guard, non_null, Outcome};
use crate::fields::frame_info_to_c;
use crate::session::session;
use crate::surface::{expose, notify_complete, shell_of};

fn status(error: &DecodeVppError) -> Status {
    match error {
        DecodeVppError::NotInitialized => Status::ERR_NOT_INITIALIZED,
        DecodeVppError::AlreadyInitialized => Status::ERR_UNDEFINED_BEHAVIOR,
        DecodeVppError::InvalidChannel(..) | DecodeVppError::UnknownChannel(_) => Status::ERR_INVALID_VIDEO_PARAM,
        DecodeVppError::ResetIncompatible(_) => Status::ERR_INCOMPATIBLE_VIDEO_PARAM,
        DecodeVppError::Decode(DecodeError::Unsupported(_) | DecodeError::InvalidParams(_)) => {
            Status::ERR_INVALID_VIDEO_PARAM
        }
        // An undecodable picture is skipped, its data taken.
        DecodeVppError::Decode(DecodeError::Bitstream(_)) => Status::ERR_MORE_DATA,
        DecodeVppError::Decode(other) => other.status(),
        DecodeVppError::Vpp { error: VppError::Unsupported(_), .. } => Status::ERR_INVALID_VIDEO_PARAM,
        DecodeVppError::Vpp { error: VppError::Acquire(vplrs_memory::AcquireError::Timeout(_)), .. } => {
            Status::WRN_ALLOC_TIMEOUT_EXPIRED
        }
        DecodeVppError::Vpp { error, .. } => error.status(),
    }
}

/// An error, or a warning that comes without output.
fn refusal(error: &DecodeVppError) -> Outcome<Status> {
    let status = status(error);
    if status.is_error() {
        Err(status)
    } else {
        Ok(status)
    }
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
    if this.rust.decode_vpp_initialized() {
        return Err(Status::ERR_UNDEFINED_BEHAVIOR);
    }
    // SAFETY: checked non-null; the API requires `count` valid channel pointers.
    let requests = unsafe { read_channels(array, count) }?;
    // SAFETY: checked non-null; the caller passes a valid structure.
    let decode_par = unsafe { &*decode_par };
    let mfx = crate::decode::params::mfx(decode_par);
    // SAFETY: the union's members are structures of u16 fields; a decoder reads its options.
    let skip_output = unsafe { mfx.__bindgen_anon_1.__bindgen_anon_2.SkipOutput } == MFX_CODINGOPTION_ON as u16;
    let params = params_from_c(decode_par)?;
    let channels: Vec<_> = requests.iter().map(ChannelRequest::params).collect();
    let corrected = this.rust.init_decode_vpp(&params, &channels, skip_output).map_err(|error| status(&error))?;
    this.track_pool_changes();
    *lock(&this.channel_requests) = requests;
    Ok(corrected.status())
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

/// Shows a surface to C before its work is queued: its completion publishes it (and lowers the
/// input's Locked counter as C sees it).
fn install_completion(produced: Produced, surface: &Surface, input: Option<&Surface>) {
    let Ok(shell) = shell_of(surface.core()) else { return };
    let input_shell = input.and_then(|input| shell_of(input.core()).ok());
    shell.set_last_input(input_shell);
    let channel = match produced {
        Produced::Decoded => 0,
        Produced::Channel(id) => id,
    };
    shell.with_c(|c| c.Info.ChannelId = channel);
    surface.set_on_complete(Some(Arc::new(move |outcome: Result<(), vplrs_memory::OperationError>| {
        let status = crate::status::ToStatus::status(&outcome);
        shell.publish_live();
        if let Some(input_shell) = input_shell {
            input_shell.refresh_locked();
        }
        notify_complete(shell, status);
    })));
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
    // Ids above u16 name no channel.
    let skipped: Vec<u16> = skipped.iter().filter_map(|&id| u16::try_from(id).ok()).collect();
    if !this.rust.decode_vpp_initialized() {
        return Err(Status::ERR_NOT_INITIALIZED);
    }
    // SAFETY: a non-null bitstream is valid, per the API.
    let bs = unsafe { bs.as_mut() };
    let (data, timestamp) = match &bs {
        // SAFETY: the bitstream's buffer holds its data, per the API.
        Some(bs) => (Some(unsafe { bitstream_data(bs) }?), bs.TimeStamp),
        None => (None, vplrs_memory::surface::TIMESTAMP_UNKNOWN),
    };
    let mut decoded_hooked = false;
    let mut before = |produced: Produced, surface: &Surface, input: Option<&Surface>| {
        decoded_hooked |= produced == Produced::Decoded;
        install_completion(produced, surface, input);
    };
    let result = this.rust.decode_vpp_frame(data, timestamp, &skipped, &mut before);
    let mut decode = this.rust.decode();
    let consumed = decode.consumed();
    if let Some(bs) = bs {
        match &result {
            // A picture the decoder cannot read at all: its data is skipped.
            Err(DecodeVppError::Decode(DecodeError::Bitstream(_))) if consumed == 0 => {
                advance(bs, data.map_or(0, <[u8]>::len))
            }
            _ => advance(bs, consumed),
        }
    }
    // A new sequence that still fits the surfaces is decoded on without a word here.
    decode.take_params_changed();
    drop(decode);
    let pictures = match result {
        Ok(pictures) => pictures,
        Err(error) => return refusal(&error),
    };
    let mut outputs = Vec::with_capacity(pictures.channels.len() + 1);
    if let Some(picture) = pictures.decoded {
        let shell = shell_of(picture.surface.core())?;
        if !decoded_hooked {
            // libavcodec's pictures are complete already.
            shell.with_c(|c| c.Info.ChannelId = 0);
            shell.publish(picture.surface.core());
            notify_complete(shell, Status::ERR_NONE);
        }
        outputs.push((expose(picture.surface.clone())?, picture.surface));
    }
    for output in pictures.channels {
        if let Some(input) = shell_of(output.surface.core())?.last_input() {
            // The input's Locked counter is raised while the channel reads it.
            input.refresh_locked();
        }
        outputs.push((expose(output.surface.clone())?, output.surface));
    }
    if !outputs.is_empty() {
        let array = crate::surface::array::publish(outputs);
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
    if !this.rust.decode_vpp_initialized() {
        return Err(Status::ERR_NOT_INITIALIZED);
    }
    // SAFETY: the API requires `count` valid channel pointers in a non-null array.
    let requests = if array.is_null() { Vec::new() } else { unsafe { read_channels(array, count) }? };
    // SAFETY: a non-null structure is valid, per the API.
    let decode_params = match unsafe { decode_par.as_ref() } {
        Some(par) => Some(params_from_c(par).map_err(|_| Status::ERR_INVALID_VIDEO_PARAM)?),
        None => None,
    };
    let channels: Vec<_> = requests.iter().map(ChannelRequest::params).collect();
    let corrected = this.rust.reset_decode_vpp(decode_params.as_ref(), &channels).map_err(|error| status(&error))?;
    this.track_pool_changes();
    let mut kept = lock(&this.channel_requests);
    for request in requests {
        if let Some(kept) = kept.iter_mut().find(|kept| kept.id == request.id) {
            *kept = request;
        }
    }
    Ok(corrected.status())
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
        if !this.rust.decode_vpp_initialized() {
            return Err(Status::ERR_NOT_INITIALIZED);
        }
        let id = u16::try_from(channel_id).map_err(|_| Status::ERR_NOT_FOUND)?;
        let (_, running) = this.rust.decode_vpp_channel(id).ok().flatten().ok_or(Status::ERR_NOT_FOUND)?;
        let requests = lock(&this.channel_requests);
        let request = requests.iter().find(|request| request.id == id).ok_or(Status::ERR_NOT_FOUND)?;
        let mut info = request.info;
        frame_info_to_c(&running.output, &mut info);
        info.ChannelId = id;
        // SAFETY: checked non-null; the caller passes a valid structure. Its extension buffers
        // stay as the application set them.
        let out = unsafe { &mut *par };
        out.VPP = info;
        out.Protected = 0;
        out.IOPattern = request.io_pattern;
        Ok(Status::ERR_NONE)
    })
}

#[no_mangle]
pub extern "C" fn MFXVideoDECODE_VPP_Close(session: mfxSession) -> mfxStatus {
    guard("MFXVideoDECODE_VPP_Close", || {
        let this = self::session(session)?;
        // Each channel finishes its work in flight and closes its pool; the decoder closes too
        // (it may have been closed on its own already).
        this.rust.close_decode_vpp().map_err(|error| status(&error))?;
        lock(&this.channel_requests).clear();
        this.track_pool_changes();
        Ok(Status::ERR_NONE)
    })
}
