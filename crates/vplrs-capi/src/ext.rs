//! Extension buffers (`mfxVideoParam::ExtParam`), validated once at the C edge: the array must
//! be there when `NumExtParam` says so, every pointer set, and every buffer at least as large as
//! the structure its id names (a smaller `BufferSz` would make the runtime read past it).

use crate::bindings::*;
use crate::contract::Violation;
use crate::ffi::Outcome;
use crate::status::Status;

/// The size of the structures of the buffer ids vplrs reads or writes (others: the header).
fn expected_size(id: u32) -> usize {
    use std::mem::size_of;
    match id {
        MFX_EXTBUFF_ALLOCATION_HINTS => size_of::<mfxExtAllocationHints>(),
        MFX_EXTBUFF_VPP_VIDEO_SIGNAL_INFO => size_of::<mfxExtVPPVideoSignalInfo>(),
        MFX_EXTBUFF_VIDEO_SIGNAL_INFO_IN | MFX_EXTBUFF_VIDEO_SIGNAL_INFO_OUT | MFX_EXTBUFF_VIDEO_SIGNAL_INFO => {
            size_of::<mfxExtVideoSignalInfo>()
        }
        MFX_EXTBUFF_VPP_SCALING => size_of::<mfxExtVPPScaling>(),
        MFX_EXTBUFF_VPP_COLOR_CONVERSION => size_of::<mfxExtColorConversion>(),
        MFX_EXTBUFF_VPP_DONOTUSE => size_of::<mfxExtVPPDoNotUse>(),
        MFX_EXTBUFF_VPP_DOUSE => size_of::<mfxExtVPPDoUse>(),
        MFX_EXTBUFF_VPP_ROTATION => size_of::<mfxExtVPPRotation>(),
        MFX_EXTBUFF_VPP_MIRRORING => size_of::<mfxExtVPPMirroring>(),
        MFX_EXTBUFF_VPP_PROCAMP => size_of::<mfxExtVPPProcAmp>(),
        MFX_EXTBUFF_VPP_COLORFILL => size_of::<mfxExtVPPColorFill>(),
        MFX_EXTBUFF_VPP_DEINTERLACING => size_of::<mfxExtVPPDeinterlacing>(),
        MFX_EXTBUFF_VPP_FRAME_RATE_CONVERSION => size_of::<mfxExtVPPFrameRateConversion>(),
        MFX_EXTBUFF_VPP_FIELD_PROCESSING => size_of::<mfxExtVPPFieldProcessing>(),
        MFX_EXTBUFF_CODING_OPTION => size_of::<mfxExtCodingOption>(),
        MFX_EXTBUFF_CODING_OPTION2 => size_of::<mfxExtCodingOption2>(),
        MFX_EXTBUFF_CODING_OPTION3 => size_of::<mfxExtCodingOption3>(),
        MFX_EXTBUFF_HEVC_PARAM => size_of::<mfxExtHEVCParam>(),
        MFX_EXTBUFF_ENCODER_RESET_OPTION => size_of::<mfxExtEncoderResetOption>(),
        MFX_EXTBUFF_CODING_OPTION_SPSPPS => size_of::<mfxExtCodingOptionSPSPPS>(),
        MFX_EXTBUFF_CODING_OPTION_VPS => size_of::<mfxExtCodingOptionVPS>(),
        MFX_EXTBUFF_AV1_BITSTREAM_PARAM => size_of::<mfxExtAV1BitstreamParam>(),
        _ => size_of::<mfxExtBuffer>(),
    }
}

/// The extension buffers of `par`, checked: `ExtParam` NULL with `NumExtParam` > 0, or a NULL
/// entry, is `MFX_ERR_NULL_PTR`; a buffer smaller than its id's structure is
/// `MFX_ERR_INVALID_VIDEO_PARAM`.
pub(crate) fn ext_buffers(par: &mfxVideoParam) -> Outcome<Vec<*mut mfxExtBuffer>> {
    if par.NumExtParam == 0 {
        return Ok(Vec::new());
    }
    if par.ExtParam.is_null() {
        let object = format!("mfxVideoParam (NumExtParam {}, ExtParam NULL)", par.NumExtParam);
        crate::contract::report_here(Violation::BadExtBuffers, object);
        return Err(Status::ERR_NULL_PTR);
    }
    // SAFETY: the API requires `ExtParam` to hold `NumExtParam` buffer pointers.
    let buffers = unsafe { std::slice::from_raw_parts(par.ExtParam, par.NumExtParam.into()) }.to_vec();
    for &buffer in &buffers {
        // SAFETY: the API requires each pointer to be NULL or a valid buffer header.
        let Some(header) = (unsafe { buffer.as_ref() }) else {
            crate::contract::report_here(Violation::BadExtBuffers, "a NULL extension buffer");
            return Err(Status::ERR_NULL_PTR);
        };
        let expected = expected_size(header.BufferId);
        if (header.BufferSz as usize) < expected {
            let object =
                format!("extension buffer {:#010x} of {} bytes ({expected} needed)", header.BufferId, header.BufferSz);
            crate::contract::report_here(Violation::BadExtBuffers, object);
            return Err(Status::ERR_INVALID_VIDEO_PARAM);
        }
    }
    Ok(buffers)
}

/// Reads a buffer of type `T` if its header says it is one (id and size).
///
/// # Safety
/// `buffer` must be NULL or point to a valid extension buffer of `Header.BufferSz` bytes.
pub(crate) unsafe fn ext_as<T: Copy>(buffer: *mut mfxExtBuffer, id: u32) -> Option<T> {
    // SAFETY: per the caller's contract.
    let header = unsafe { buffer.as_ref()? };
    if header.BufferId != id || (header.BufferSz as usize) < std::mem::size_of::<T>() {
        return None;
    }
    // SAFETY: the header says the buffer is a `T` of at least its size.
    Some(unsafe { buffer.cast::<T>().read_unaligned() })
}
