//! The channels of decode+VPP as the application describes them (`mfxVideoChannelParam`): reading
//! and checking them, and the VPP parameters of each channel.
//!
//! A channel is valid when its ChannelId is not 0 (reserved for the decoder's own output) and
//! unique, `Protected` is 0, its output is in system memory and its FourCC is one vplrs knows. It
//! may carry `mfxExtAllocationHints` (`MFX_VPP_POOL_OUT`: its output pool), `mfxExtVPPScaling`
//! (vplrs has one scaling mode) and `mfxExtInCrops` (letterboxing: the part of the decoded picture
//! the channel scales into its output crop). Anything else is `MFX_ERR_INVALID_VIDEO_PARAM`, a
//! NULL where a structure is required `MFX_ERR_NULL_PTR`.

use std::collections::HashSet;

use crate::status::Status;
use vplrs_memory::{AllocationHints, Rect};
use vplrs_runtime::IoPattern;

use crate::bindings::*;
use crate::ext::ext_as;
use crate::ffi::{non_null, Outcome};
use crate::fields::frame_info_from_c;
pub(crate) use crate::session::channels::ChannelRequest;
use crate::vpp::hints_from_c;

/// Reads `count` channel descriptions (their ids are checked by the component: not 0 at Init,
/// known at Reset, each once).
///
/// # Safety
/// `array` must be NULL or point to `count` pointers, each NULL or to a valid
/// `mfxVideoChannelParam` whose extension buffers are valid.
pub(crate) unsafe fn read_channels(array: *mut *mut mfxVideoChannelParam, count: u32) -> Outcome<Vec<ChannelRequest>> {
    if count == 0 {
        return Ok(Vec::new());
    }
    non_null(array)?;
    // SAFETY: per this function's contract.
    let pointers = unsafe { std::slice::from_raw_parts(array, count as usize) };
    let mut channels = Vec::with_capacity(pointers.len());
    for &pointer in pointers {
        // SAFETY: per this function's contract.
        let par = unsafe { pointer.as_ref() }.ok_or(Status::ERR_NULL_PTR)?;
        // SAFETY: per this function's contract.
        channels.push(unsafe { read_channel(par) }?);
    }
    Ok(channels)
}

/// Reads one channel description.
///
/// # Safety
/// The structure's extension buffer array and buffers must be valid (or NULL).
unsafe fn read_channel(par: &mfxVideoChannelParam) -> Outcome<ChannelRequest> {
    if par.Protected != 0 {
        return Err(Status::ERR_INVALID_VIDEO_PARAM);
    }
    let io = IoPattern::from_bits_truncate(par.IOPattern);
    if io.intersects(IoPattern::IN_VIDEO_MEMORY | IoPattern::OUT_VIDEO_MEMORY)
        || !io.contains(IoPattern::OUT_SYSTEM_MEMORY)
    {
        // vplrs decodes and processes in system memory only.
        return Err(Status::ERR_INVALID_VIDEO_PARAM);
    }
    let output = frame_info_from_c(&par.VPP).map_err(|_| Status::ERR_INVALID_VIDEO_PARAM)?;
    let mut request = ChannelRequest {
        id: par.VPP.ChannelId,
        info: par.VPP,
        io_pattern: par.IOPattern,
        output,
        hints: AllocationHints::default(),
        in_crop: None,
    };
    if par.NumExtParam == 0 {
        return Ok(request);
    }
    non_null(par.ExtParam)?;
    // SAFETY: the API requires `ExtParam` to hold `NumExtParam` buffer pointers.
    let buffers = unsafe { std::slice::from_raw_parts(par.ExtParam, par.NumExtParam.into()) };
    let mut ids = HashSet::new();
    for &buffer in buffers {
        // SAFETY: the API requires every attached buffer pointer to be valid.
        let header = unsafe { buffer.as_ref() }.ok_or(Status::ERR_NULL_PTR)?;
        if !ids.insert(header.BufferId) {
            return Err(Status::ERR_INVALID_VIDEO_PARAM);
        }
        match header.BufferId {
            MFX_EXTBUFF_ALLOCATION_HINTS => {
                // SAFETY: a valid buffer, per the API.
                let hints = unsafe { ext_as::<mfxExtAllocationHints>(buffer, header.BufferId) }
                    .ok_or(Status::ERR_INVALID_VIDEO_PARAM)?;
                // SAFETY: both union members are u32.
                if unsafe { hints.__bindgen_anon_1.VPPPoolType } != MFX_VPP_POOL_OUT {
                    return Err(Status::ERR_INVALID_VIDEO_PARAM);
                }
                request.hints = hints_from_c(&hints)?;
            }
            MFX_EXTBUFF_CROPS => {
                // SAFETY: a valid buffer, per the API.
                let crops = unsafe { ext_as::<mfxExtInCrops>(buffer, header.BufferId) }
                    .ok_or(Status::ERR_INVALID_VIDEO_PARAM)?;
                let rect = crops.Crops;
                if rect.Right <= rect.Left || rect.Bottom <= rect.Top {
                    return Err(Status::ERR_INVALID_VIDEO_PARAM);
                }
                request.in_crop = Some(Rect {
                    x: rect.Left.into(),
                    y: rect.Top.into(),
                    width: u32::from(rect.Right - rect.Left),
                    height: u32::from(rect.Bottom - rect.Top),
                });
            }
            // One scaling method: any mode is served by it.
            MFX_EXTBUFF_VPP_SCALING => {}
            _ => return Err(Status::ERR_INVALID_VIDEO_PARAM),
        }
    }
    Ok(request)
}
