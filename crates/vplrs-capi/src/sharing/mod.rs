//! Surface sharing (API 2.10) as C sees it: `mfxFrameSurfaceInterface::Export` on every runtime
//! surface, the session's `mfxMemoryInterface` with `ImportFrameSurface`, and the exported objects
//! (`exported`). What a shared or copied frame is lives in `vplrs_sharing`; this module checks the
//! C structures and translates. The 2.10 structures are declared in `abi`.
//!
//! Built: `MFX_SURFACE_TYPE_OPENCL_IMG2D` and `MFX_SURFACE_TYPE_VULKAN_IMG2D`, export from every
//! runtime surface, import for `MFX_SURFACE_COMPONENT_ENCODE` and
//! `MFX_SURFACE_COMPONENT_VPP_INPUT`. Every other surface type (D3D11, VA-API, D3D12: no such
//! driver here) and component answers `MFX_ERR_UNSUPPORTED`.

pub(crate) mod abi;
pub(crate) mod caps;
pub(crate) mod exported;
mod import;

pub(crate) use import::{memory_interface, session_closed};

/// Frees the exported objects and memory interfaces (the library is being unloaded).
pub(crate) fn release_all() {
    exported::release_all();
    import::release_all();
    vplrs_sharing::release_runtime_objects();
}

use vplrs_sharing::opencl::OpenClTarget;
use vplrs_sharing::vulkan::VulkanTarget;
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

/// The one export description an export header may carry (`id`, a structure `T`), or none.
///
/// # Safety
/// As [`ext_buffers`]; each buffer must be readable for its `BufferSz`.
unsafe fn export_description<T: Copy>(header: &mfxSurfaceHeader, id: u32) -> Outcome<Option<T>> {
    let mut described = None;
    // SAFETY: per this function's contract.
    for buffer in unsafe { ext_buffers(header) }? {
        // SAFETY: checked non-null; an mfxExtBuffer header is readable.
        let ext = unsafe { buffer.read() };
        if ext.BufferId != id || ext.BufferSz as usize != std::mem::size_of::<T>() {
            return Err(Status::ERR_UNSUPPORTED);
        }
        // SAFETY: the buffer says it is this structure, of its size.
        described = Some(unsafe { buffer.cast::<T>().read() });
    }
    Ok(described)
}

/// The OpenCL context and queue an export header names (`mfxExtSurfaceOpenCLImg2DExportDescription`),
/// or the runtime's own when it names none.
///
/// # Safety
/// As [`export_description`].
unsafe fn opencl_target(header: &mfxSurfaceHeader) -> Outcome<OpenClTarget> {
    // SAFETY: per this function's contract.
    let described = unsafe {
        export_description::<mfxExtSurfaceOpenCLImg2DExportDescription>(header, MFX_EXTBUFF_EXPORT_SHARING_DESC_OCL)
    }?;
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

/// The Vulkan instance, physical device and device an export header names
/// (`mfxExtSurfaceVulkanImg2DExportDescription`), or the runtime's own when it names none.
///
/// # Safety
/// As [`export_description`].
unsafe fn vulkan_target(header: &mfxSurfaceHeader) -> Outcome<VulkanTarget> {
    // SAFETY: per this function's contract.
    let described = unsafe {
        export_description::<mfxExtSurfaceVulkanImg2DExportDescription>(header, MFX_EXTBUFF_EXPORT_SHARING_DESC_VULKAN)
    }?;
    let target = match described {
        Some(desc) if !(desc.instance.is_null() && desc.physicalDevice.is_null() && desc.device.is_null()) => {
            // SAFETY: the application passes its live, related objects (NULLs are refused).
            unsafe { vulkan_objects(desc.instance, desc.physicalDevice, desc.device) }
        }
        _ => VulkanTarget::runtime(),
    };
    target.map_err(|error| error.status())
}

/// # Safety
/// The handles must be the application's live, related Vulkan objects, or NULL.
pub(crate) unsafe fn vulkan_objects(
    instance: mfxHDL,
    physical: mfxHDL,
    device: mfxHDL,
) -> Result<VulkanTarget, vplrs_sharing::SharingError> {
    // SAFETY: per this function's contract.
    unsafe { VulkanTarget::from_raw(instance as u64, physical as u64, device as u64) }
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
        let refused = |error: vplrs_sharing::SharingError| {
            tracing::debug!(%error, "Export refused");
            error.status()
        };
        let export = match export_header.SurfaceType {
            MFX_SURFACE_TYPE_OPENCL_IMG2D => {
                // SAFETY: the application passes a header whose ExtParam array holds NumExtParam
                // buffers.
                let target = unsafe { opencl_target(&export_header) }?;
                vplrs_sharing::Exported::OpenCl(
                    vplrs_sharing::opencl::export(&frame, target, sharing).map_err(refused)?,
                )
            }
            MFX_SURFACE_TYPE_VULKAN_IMG2D => {
                // SAFETY: as above.
                let target = unsafe { vulkan_target(&export_header) }?;
                vplrs_sharing::Exported::Vulkan(
                    vplrs_sharing::vulkan::export(&frame, target, sharing).map_err(refused)?,
                )
            }
            // D3D11, VA-API, D3D12: no such driver here.
            _ => return Err(Status::ERR_UNSUPPORTED),
        };
        let object = exported::hand_out(export);
        // SAFETY: checked non-null; the caller passes a valid output pointer.
        unsafe { write_out(exported, object) }?;
        Ok(Status::ERR_NONE)
    })
}
