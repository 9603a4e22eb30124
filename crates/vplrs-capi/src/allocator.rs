//! The application's `mfxFrameAllocator`, as the runtime's [`ExternalAllocator`].
//!
//! The runtime calls Alloc, Lock, Unlock, GetHDL and Free exactly as the memory model describes:
//! one Free per successful Alloc (with the very response Alloc filled), and Lock/Unlock around each
//! access to a mem-id surface's pixels. The callbacks may be called from the runtime's threads.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::status::Status;
use vplrs_memory::{
    AllocRequest, AllocResponse, AllocatorError, ExternalAllocator, FourCc, MemId, MemType, NativeHandle, PlanePointers,
};

use crate::bindings::*;
use crate::ffi::lock;
use crate::fields::{frame_info_to_c, plane_pointers_from_c};

/// A copy of the application's allocator structure (the application may free its own after
/// `SetFrameAllocator`; `pthis` must stay valid, as the API requires).
pub(crate) struct CAllocator {
    table: mfxFrameAllocator,
    /// The FourCC of each mem id this allocator handed out through the runtime, to interpret
    /// what Lock returns.
    formats: Mutex<HashMap<usize, FourCc>>,
}

// SAFETY: the allocator's callbacks are documented to be callable from any thread of the
// runtime; `pthis` is the application's object, only ever passed back to those callbacks.
unsafe impl Send for CAllocator {}
// SAFETY: as above; the struct itself is only read after construction.
unsafe impl Sync for CAllocator {}

fn check(status: mfxStatus) -> Result<(), AllocatorError> {
    if status == Status::ERR_NONE.0 {
        Ok(())
    } else {
        Err(crate::status::allocator_error(Status(status)))
    }
}

impl CAllocator {
    /// Wraps the application's table; `None` if any callback is missing.
    pub(crate) fn new(table: &mfxFrameAllocator) -> Option<Self> {
        let complete = table.Alloc.is_some()
            && table.Lock.is_some()
            && table.Unlock.is_some()
            && table.GetHDL.is_some()
            && table.Free.is_some();
        complete.then(|| Self { table: *table, formats: Mutex::default() })
    }

    /// Locks `mid` and reads the plane pointers of a frame of `fourcc`.
    pub(crate) fn lock_as(&self, mid: MemId, fourcc: FourCc) -> Result<PlanePointers, AllocatorError> {
        let lock = self.table.Lock.ok_or(AllocatorError::Unsupported)?;
        let mut data = mfxFrameData::default();
        // SAFETY: the application's callback, called as the API specifies, with a zeroed frame
        // data structure for it to fill.
        check(unsafe { lock(self.table.pthis, mid.0 as mfxMemId, &mut data) })?;
        match plane_pointers_from_c(&data, fourcc) {
            Some(planes) => Ok(planes),
            None => {
                let _ = self.unlock(mid);
                Err(AllocatorError::Lock)
            }
        }
    }
}

// SAFETY: the plane pointers come from the application's Lock, which the API requires to be valid
// for the frame until the matching Unlock; `lock_as` rejects NULL planes.
unsafe impl ExternalAllocator for CAllocator {
    fn alloc(&self, request: &AllocRequest) -> Result<AllocResponse, AllocatorError> {
        let alloc = self.table.Alloc.ok_or(AllocatorError::Unsupported)?;
        let mut c_request = mfxFrameAllocRequest::default();
        c_request.__bindgen_anon_1.AllocId = request.alloc_id;
        frame_info_to_c(&request.info, &mut c_request.Info);
        c_request.Type = request.mem_type.bits();
        c_request.NumFrameMin = request.num_frame_min;
        c_request.NumFrameSuggested = request.num_frame_suggested;
        // The response lives on the heap until Free: allocators may keep pointers into it.
        let response = Box::into_raw(Box::new(mfxFrameAllocResponse::default()));
        // SAFETY: the application's callback with a valid request and a response it fills.
        let status = unsafe { alloc(self.table.pthis, &mut c_request, response) };
        if let Err(error) = check(status) {
            // SAFETY: made by Box::into_raw above, not handed to Free.
            drop(unsafe { Box::from_raw(response) });
            return Err(error);
        }
        // SAFETY: `response` is ours and was filled by a successful Alloc.
        let filled = unsafe { &*response };
        let count = usize::from(filled.NumFrameActual);
        let mids: Vec<MemId> = if filled.mids.is_null() {
            Vec::new()
        } else {
            // SAFETY: Alloc returned `NumFrameActual` mem ids in `mids`.
            unsafe { std::slice::from_raw_parts(filled.mids, count) }.iter().map(|&mid| MemId(mid as usize)).collect()
        };
        let mut formats = lock(&self.formats);
        for mid in &mids {
            formats.insert(mid.0, request.info.fourcc);
        }
        Ok(AllocResponse {
            alloc_id: request.alloc_id,
            mids,
            mem_type: MemType::from_bits_truncate(request.mem_type.bits()),
            cookie: response as usize,
        })
    }

    fn lock(&self, mid: MemId) -> Result<PlanePointers, AllocatorError> {
        let fourcc = lock(&self.formats).get(&mid.0).copied().ok_or(AllocatorError::Lock)?;
        self.lock_as(mid, fourcc)
    }

    fn unlock(&self, mid: MemId) -> Result<(), AllocatorError> {
        let unlock = self.table.Unlock.ok_or(AllocatorError::Unsupported)?;
        let mut data = mfxFrameData::default();
        // SAFETY: the application's callback for a mem id it locked before.
        check(unsafe { unlock(self.table.pthis, mid.0 as mfxMemId, &mut data) })
    }

    fn get_hdl(&self, mid: MemId) -> Result<NativeHandle, AllocatorError> {
        let get_hdl = self.table.GetHDL.ok_or(AllocatorError::Unsupported)?;
        let mut handle: mfxHDL = std::ptr::null_mut();
        // SAFETY: the application's callback with a valid output location.
        check(unsafe { get_hdl(self.table.pthis, mid.0 as mfxMemId, &mut handle) })?;
        Ok(NativeHandle(handle as usize))
    }

    fn free(&self, response: &AllocResponse) -> Result<(), AllocatorError> {
        let free = self.table.Free.ok_or(AllocatorError::Unsupported)?;
        {
            let mut formats = lock(&self.formats);
            for mid in &response.mids {
                formats.remove(&mid.0);
            }
        }
        let c_response = response.cookie as *mut mfxFrameAllocResponse;
        // SAFETY: the cookie is the response Box made in `alloc`; the memory model calls `free`
        // exactly once per successful `alloc`, so it is handed to Free and dropped once.
        let status = unsafe { free(self.table.pthis, c_response) };
        // SAFETY: as above: made by Box::into_raw in `alloc`, released here once.
        drop(unsafe { Box::from_raw(c_response) });
        check(status)
    }
}
