//! `MFXVideoCORE_*`: the allocator, device handles, synchronisation, platform.

use std::sync::Arc;
use std::time::Duration;

use crate::status::Status;
use vplrs_memory::ExternalAllocator;

use crate::allocator::CAllocator;
use crate::bindings::*;
use crate::ffi::lock;
use crate::ffi::{guard, non_null, write_out};
use crate::session::session;

/// The handle types of `mfxHandleType` (API 2.8).
const HANDLE_TYPES: std::ops::RangeInclusive<mfxHandleType> =
    MFX_HANDLE_DIRECT3D_DEVICE_MANAGER9..=MFX_HANDLE_PXP_CONTEXT;

#[no_mangle]
pub extern "C" fn MFXVideoCORE_SetFrameAllocator(session: mfxSession, allocator: *mut mfxFrameAllocator) -> mfxStatus {
    guard("MFXVideoCORE_SetFrameAllocator", || {
        let this = self::session(session)?;
        if allocator.is_null() {
            // Back to the internal allocator.
            this.rust.set_allocator(None);
            *lock(&this.allocator) = None;
            return Ok(Status::ERR_NONE);
        }
        // SAFETY: non-null; the caller passes a valid mfxFrameAllocator, copied here.
        let table = unsafe { &*allocator };
        // An incompletely defined allocator is refused rather than called.
        let wrapped = Arc::new(CAllocator::new(table).ok_or(Status::ERR_NULL_PTR)?);
        let shared: Arc<dyn ExternalAllocator> = wrapped.clone();
        this.rust.set_allocator(Some(shared));
        *lock(&this.allocator) = Some(wrapped);
        Ok(Status::ERR_NONE)
    })
}

#[no_mangle]
pub extern "C" fn MFXVideoCORE_SetHandle(session: mfxSession, kind: mfxHandleType, hdl: mfxHDL) -> mfxStatus {
    guard("MFXVideoCORE_SetHandle", || {
        let this = self::session(session)?;
        non_null(hdl)?;
        if !HANDLE_TYPES.contains(&kind) {
            return Err(Status::ERR_INVALID_VIDEO_PARAM);
        }
        // vplrs uses no device: the handle is recorded (GetHandle returns it) and never used.
        this.set_handle(kind, hdl as usize)?;
        Ok(Status::ERR_NONE)
    })
}

#[no_mangle]
pub extern "C" fn MFXVideoCORE_GetHandle(session: mfxSession, kind: mfxHandleType, hdl: *mut mfxHDL) -> mfxStatus {
    guard("MFXVideoCORE_GetHandle", || {
        let this = self::session(session)?;
        non_null(hdl)?;
        if kind == crate::sharing::abi::MFX_HANDLE_MEMORY_INTERFACE {
            let iface = crate::sharing::memory_interface(session);
            // SAFETY: checked non-null; the caller passes a valid output pointer.
            unsafe { write_out(hdl, iface.cast()) }?;
            return Ok(Status::ERR_NONE);
        }
        // "MFX_ERR_UNDEFINED_BEHAVIOR: Specified handle type not found": a CPU runtime creates
        // none of its own, so only handles the application set are found.
        let handle = this.handle(kind)?;
        // SAFETY: checked non-null; the caller passes a valid output pointer.
        unsafe { write_out(hdl, handle as mfxHDL) }?;
        Ok(Status::ERR_NONE)
    })
}

#[no_mangle]
pub extern "C" fn MFXVideoCORE_SyncOperation(session: mfxSession, syncp: mfxSyncPoint, wait: mfxU32) -> mfxStatus {
    guard("MFXVideoCORE_SyncOperation", || {
        let this = self::session(session)?;
        non_null(syncp)?;
        this.sync_operation(syncp, Duration::from_millis(wait.into()))
    })
}

#[no_mangle]
pub extern "C" fn MFXVideoCORE_QueryPlatform(session: mfxSession, platform: *mut mfxPlatform) -> mfxStatus {
    guard("MFXVideoCORE_QueryPlatform", || {
        self::session(session)?;
        let answer = mfxPlatform {
            CodeName: MFX_PLATFORM_UNKNOWN as mfxU16,
            DeviceId: 0,
            MediaAdapterType: MFX_MEDIA_UNKNOWN as mfxU16,
            reserved: [0; 13],
        };
        // SAFETY: write_out checks for NULL; the caller passes a valid output pointer.
        unsafe { write_out(platform, answer) }?;
        Ok(Status::ERR_NONE)
    })
}
