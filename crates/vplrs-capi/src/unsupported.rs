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

// ---- ENCODE ----

#[no_mangle]
pub extern "C" fn MFXVideoENCODE_Query(
    session: mfxSession,
    _in: *mut mfxVideoParam,
    _out: *mut mfxVideoParam,
) -> mfxStatus {
    unsupported("MFXVideoENCODE_Query", session)
}

#[no_mangle]
pub extern "C" fn MFXVideoENCODE_QueryIOSurf(
    session: mfxSession,
    _par: *mut mfxVideoParam,
    _request: *mut mfxFrameAllocRequest,
) -> mfxStatus {
    unsupported("MFXVideoENCODE_QueryIOSurf", session)
}

#[no_mangle]
pub extern "C" fn MFXVideoENCODE_Init(session: mfxSession, _par: *mut mfxVideoParam) -> mfxStatus {
    unsupported("MFXVideoENCODE_Init", session)
}

#[no_mangle]
pub extern "C" fn MFXVideoENCODE_Reset(session: mfxSession, _par: *mut mfxVideoParam) -> mfxStatus {
    not_initialized("MFXVideoENCODE_Reset", session)
}

#[no_mangle]
pub extern "C" fn MFXVideoENCODE_Close(session: mfxSession) -> mfxStatus {
    not_initialized("MFXVideoENCODE_Close", session)
}

#[no_mangle]
pub extern "C" fn MFXVideoENCODE_GetVideoParam(session: mfxSession, _par: *mut mfxVideoParam) -> mfxStatus {
    not_initialized("MFXVideoENCODE_GetVideoParam", session)
}

#[no_mangle]
pub extern "C" fn MFXVideoENCODE_GetEncodeStat(session: mfxSession, _stat: *mut mfxEncodeStat) -> mfxStatus {
    not_initialized("MFXVideoENCODE_GetEncodeStat", session)
}

#[no_mangle]
pub extern "C" fn MFXVideoENCODE_EncodeFrameAsync(
    session: mfxSession,
    _ctrl: *mut mfxEncodeCtrl,
    _surface: *mut mfxFrameSurface1,
    _bs: *mut mfxBitstream,
    _syncp: *mut mfxSyncPoint,
) -> mfxStatus {
    not_initialized("MFXVideoENCODE_EncodeFrameAsync", session)
}

#[no_mangle]
pub extern "C" fn MFXMemory_GetSurfaceForEncode(
    session: mfxSession,
    _surface: *mut *mut mfxFrameSurface1,
) -> mfxStatus {
    // "MFX_ERR_NOT_INITIALIZED If encoder was not initialized".
    not_initialized("MFXMemory_GetSurfaceForEncode", session)
}
