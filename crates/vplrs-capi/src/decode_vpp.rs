//! `MFXVideoDECODE_VPP_*` (API 2.1): decode with VPP channels. Not implemented yet, and the
//! implementation description does not list these functions.
//!
//! Every function checks its session first (`MFX_ERR_INVALID_HANDLE`). Functions that would
//! configure or create the component (`Query`, `QueryIOSurf`, `Init`) answer
//! `MFX_ERR_UNSUPPORTED`, the status for a configuration the implementation does not support;
//! functions that need an initialised component answer `MFX_ERR_NOT_INITIALIZED`, as they do before
//! a successful `Init`.

use vplrs_memory::Status;

use crate::bindings::*;
use crate::ffi::guard;
use crate::session::session;

fn unsupported(name: &'static str, session: mfxSession) -> mfxStatus {
    guard(name, || {
        self::session(session)?;
        Err(Status::ERR_UNSUPPORTED)
    })
}

fn not_initialized(name: &'static str, session: mfxSession) -> mfxStatus {
    guard(name, || {
        self::session(session)?;
        Err(Status::ERR_NOT_INITIALIZED)
    })
}

#[no_mangle]
pub extern "C" fn MFXVideoDECODE_VPP_Init(
    session: mfxSession,
    _decode_par: *mut mfxVideoParam,
    _vpp_par_array: *mut *mut mfxVideoChannelParam,
    _num_vpp_par: mfxU32,
) -> mfxStatus {
    unsupported("MFXVideoDECODE_VPP_Init", session)
}

#[no_mangle]
pub extern "C" fn MFXVideoDECODE_VPP_DecodeFrameAsync(
    session: mfxSession,
    _bs: *mut mfxBitstream,
    _skip_channels: *mut mfxU32,
    _num_skip_channels: mfxU32,
    _surf_array_out: *mut *mut mfxSurfaceArray,
) -> mfxStatus {
    not_initialized("MFXVideoDECODE_VPP_DecodeFrameAsync", session)
}

#[no_mangle]
pub extern "C" fn MFXVideoDECODE_VPP_Reset(
    session: mfxSession,
    _decode_par: *mut mfxVideoParam,
    _vpp_par_array: *mut *mut mfxVideoChannelParam,
    _num_vpp_par: mfxU32,
) -> mfxStatus {
    not_initialized("MFXVideoDECODE_VPP_Reset", session)
}

#[no_mangle]
pub extern "C" fn MFXVideoDECODE_VPP_GetChannelParam(
    session: mfxSession,
    _par: *mut mfxVideoChannelParam,
    _channel_id: mfxU32,
) -> mfxStatus {
    not_initialized("MFXVideoDECODE_VPP_GetChannelParam", session)
}

#[no_mangle]
pub extern "C" fn MFXVideoDECODE_VPP_Close(session: mfxSession) -> mfxStatus {
    not_initialized("MFXVideoDECODE_VPP_Close", session)
}
