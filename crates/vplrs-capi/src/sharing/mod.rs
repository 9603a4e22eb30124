//! Surface sharing (API 2.10) as C sees it: `mfxFrameSurfaceInterface::Export` on every runtime
//! surface, the session's `mfxMemoryInterface` with `ImportFrameSurface`, and the exported objects
//! (`exported`). What a shared or copied frame is lives in `vplrs_sharing`; this module checks the
//! C structures and translates. The 2.10 structures are declared in `abi`.
//!
//! Built: `MFX_SURFACE_TYPE_OPENCL_IMG2D`, export from every runtime surface, import for
//! `MFX_SURFACE_COMPONENT_ENCODE` and `MFX_SURFACE_COMPONENT_VPP_INPUT`. Every other surface type
//! and component answers `MFX_ERR_UNSUPPORTED`.

pub(crate) mod abi;
pub(crate) mod caps;
pub(crate) mod exported;
mod import;

pub(crate) use import::{memory_interface, session_closed};

/// Frees the exported objects and memory interfaces (the library is being unloaded).
pub(crate) fn release_all() {
    exported::release_all();
    import::release_all();
}

use vplrs_sharing::opencl::OpenClTarget;
use vplrs_sharing::Sharing;

use crate::bindings::*;
use crate::ffi::{guard, non_null, write_out, Outcome};
use crate::status::{Status, ToStatus};
use abi::*;

/// What to put in the first `reserved2` slot of a surface interface (the 2.10 `Export`).
pub(crate) fn export_slot() -> mfxHDL {
    let export: ExportFn = export;
    export as *const () as mfxHDL
}

/// The modes a header's flags allow: `MFX_SURFACE_FLAG_DEFAULT` is shared; a flag of the other
/// direction, or an unknown one, is a request this runtime does not support.
fn sharing(flags: u32, shared_flag: u32, copy_flag: u32) -> Outcome<Sharing> {
    if flags & !(shared_flag | copy_flag) != 0 {
        return Err(Status::ERR_UNSUPPORTED);
    }
    Ok(Sharing::from_flags(flags & shared_flag != 0, flags & copy_flag != 0))
}

/// The extension buffers of a header, checked: NULL_PTR for a missing array or entry.
///
/// # Safety
/// `header.ExtParam` must point to `NumExtParam` readable pointers (or be NULL).
unsafe fn ext_buffers(header: &mfxSurfaceHeader) -> Outcome<Vec<*mut mfxExtBuffer>> {
    if header.NumExtParam == 0 {
        return Ok(Vec::new());
    }
    non_null(header.ExtParam)?;
    // SAFETY: per this function's contract.
    let buffers = unsafe { std::slice::from_raw_parts(header.ExtParam, header.NumExtParam.into()) }.to_vec();
    for &buffer in &buffers {
        non_null(buffer)?;
    }
    Ok(buffers)
}

/// The OpenCL context and queue an export header names (`mfxExtSurfaceOpenCLImg2DExportDescription`),
/// or the runtime's own when it names none.
///
/// # Safety
/// As [`ext_buffers`]; each buffer must be readable for its `BufferSz`.
unsafe fn opencl_target(header: &mfxSurfaceHeader) -> Outcome<OpenClTarget> {
    let mut described = None;
    // SAFETY: per this function's contract.
    for buffer in unsafe { ext_buffers(header) }? {
        // SAFETY: checked non-null; an mfxExtBuffer header is readable.
        let ext = unsafe { buffer.read() };
        let size = std::mem::size_of::<mfxExtSurfaceOpenCLImg2DExportDescription>();
        if ext.BufferId != MFX_EXTBUFF_EXPORT_SHARING_DESC_OCL || ext.BufferSz as usize != size {
            return Err(Status::ERR_UNSUPPORTED);
        }
        // SAFETY: the buffer says it is this structure, of its size.
        described = Some(unsafe { buffer.cast::<mfxExtSurfaceOpenCLImg2DExportDescription>().read() });
    }
    let target = match described {
        None => OpenClTarget::runtime(),
        Some(desc) if desc.ocl_context.is_null() && desc.ocl_command_queue.is_null() => OpenClTarget::runtime(),
        Some(desc) => {
            non_null(desc.ocl_context)?;
            non_null(desc.ocl_command_queue)?;
            // SAFETY: the application passes its live context and queue.
            unsafe { OpenClTarget::from_raw(desc.ocl_context.cast(), desc.ocl_command_queue.cast()) }
        }
    };
    target.map_err(|error| error.status())
}

/// `mfxFrameSurfaceInterface::Export`.
extern "C" fn export(
    surface: *mut mfxFrameSurface1,
    export_header: mfxSurfaceHeader,
    exported: *mut *mut mfxSurfaceHeader,
) -> mfxStatus {
    guard("mfxFrameSurfaceInterface::Export", || {
        non_null(surface)?;
        non_null(exported)?;
        let shell = crate::surface::lookup(surface).ok_or(Status::ERR_INVALID_HANDLE)?;
        let frame = crate::surface::runtime_surface(shell)?;
        let sharing =
            sharing(export_header.SurfaceFlags, MFX_SURFACE_FLAG_EXPORT_SHARED, MFX_SURFACE_FLAG_EXPORT_COPY)?;
        if export_header.SurfaceType != MFX_SURFACE_TYPE_OPENCL_IMG2D {
            // D3D11, VA-API, D3D12: no such driver here; Vulkan: not built yet.
            return Err(Status::ERR_UNSUPPORTED);
        }
        // SAFETY: the application passes a header whose ExtParam array holds NumExtParam buffers.
        let target = unsafe { opencl_target(&export_header) }?;
        shell.publish_live();
        let export = vplrs_sharing::opencl::export(&frame, target, sharing).map_err(|error| {
            tracing::debug!(%error, "Export refused");
            error.status()
        })?;
        let object = exported::hand_out(export);
        // SAFETY: checked non-null; the caller passes a valid output pointer.
        unsafe { write_out(exported, object) }?;
        Ok(Status::ERR_NONE)
    })
}
