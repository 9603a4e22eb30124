//! The session's `mfxMemoryInterface` and `ImportFrameSurface`.

use std::sync::{Arc, LazyLock, Mutex};

use vplrs_sharing::opencl::OpenClFrame;
use vplrs_sharing::vulkan::VulkanFrame;
use vplrs_sharing::ImportError;
use vplrs_sharing::SharedAs;

use super::abi::*;
use crate::bindings::*;
use crate::ffi::{guard, lock, non_null, Outcome};
use crate::fields::struct_version;
use crate::session::Session;
use crate::status::{Status, ToStatus};

/// The interface of each session, at a stable address for the session's life and after (a late
/// call through it finds no session: `MFX_ERR_INVALID_HANDLE`). Freed at unload.
static INTERFACES: LazyLock<Mutex<Vec<Interface>>> = LazyLock::new(Mutex::default);

struct Interface(Box<mfxMemoryInterface>);

// SAFETY: the structure holds the session's address and function pointers; it is written only
// under `INTERFACES`' lock.
unsafe impl Send for Interface {}

/// The `mfxMemoryInterface` of `session` (`MFXVideoCORE_GetHandle(MFX_HANDLE_MEMORY_INTERFACE)`),
/// made on first use.
pub(crate) fn memory_interface(session: mfxSession) -> *mut mfxMemoryInterface {
    let mut interfaces = lock(&INTERFACES);
    if let Some(existing) = interfaces.iter_mut().find(|iface| iface.0.Context == session.cast()) {
        return &mut *existing.0;
    }
    let mut iface = Box::new(mfxMemoryInterface {
        Context: session.cast(),
        // 1.1: with GetBitstreamBuffer (API 2.17), which answers MFX_ERR_UNSUPPORTED here.
        Version: struct_version(1, 1),
        ImportFrameSurface: Some(import_frame_surface),
        GetBitstreamBuffer: Some(get_bitstream_buffer),
        reserved: [std::ptr::null_mut(); 15],
    });
    let pointer: *mut mfxMemoryInterface = &mut *iface;
    interfaces.push(Interface(iface));
    pointer
}

/// Forgets the interface of a closed session (its address may be reused by a new session).
pub(crate) fn session_closed(session: mfxSession) {
    let mut interfaces = lock(&INTERFACES);
    for iface in interfaces.iter_mut().filter(|iface| iface.0.Context == session.cast()) {
        iface.0.Context = std::ptr::null_mut();
    }
}

pub(crate) fn release_all() {
    drop(std::mem::take(&mut *lock(&INTERFACES)));
}

/// The session an interface pointer stands for.
fn session_of(iface: *mut mfxMemoryInterface) -> Outcome<Arc<Session>> {
    non_null(iface)?;
    let known = lock(&INTERFACES).iter().any(|mine| std::ptr::eq(&*mine.0, iface));
    if !known {
        return Err(Status::ERR_INVALID_HANDLE);
    }
    // SAFETY: one of the runtime's interfaces, alive until unload; Context is read only.
    let context = unsafe { (*iface).Context };
    crate::session::session(context.cast())
}

extern "C" fn import_frame_surface(
    memory_interface: *mut mfxMemoryInterface,
    surf_component: mfxSurfaceComponent,
    external_surface: *mut mfxSurfaceHeader,
    imported_surface: *mut *mut mfxFrameSurface1,
) -> mfxStatus {
    guard("mfxMemoryInterface::ImportFrameSurface", || {
        non_null(external_surface)?;
        non_null(imported_surface)?;
        let session = session_of(memory_interface)?;
        if !matches!(surf_component, MFX_SURFACE_COMPONENT_ENCODE | MFX_SURFACE_COMPONENT_VPP_INPUT) {
            return Err(Status::ERR_UNSUPPORTED);
        }
        // SAFETY: non-null; the application passes a valid header.
        let header = unsafe { external_surface.read() };
        let size = match header.SurfaceType {
            MFX_SURFACE_TYPE_OPENCL_IMG2D => std::mem::size_of::<mfxSurfaceOpenCLImg2D>(),
            MFX_SURFACE_TYPE_VULKAN_IMG2D => std::mem::size_of::<mfxSurfaceVulkanImg2D>(),
            // D3D11, VA-API, D3D12: no such driver here.
            _ => return Err(Status::ERR_UNSUPPORTED),
        };
        if header.StructSize as usize != size {
            return Err(Status::ERR_UNSUPPORTED);
        }
        let sharing =
            super::sharing(header.SurfaceFlags, MFX_SURFACE_FLAG_IMPORT_SHARED, MFX_SURFACE_FLAG_IMPORT_COPY)?;
        // SAFETY: the application passes its header's ExtParam array as NumExtParam says; none
        // is defined for an import, so any is refused.
        if !unsafe { super::ext_buffers(&header) }?.is_empty() {
            return Err(Status::ERR_UNSUPPORTED);
        }
        let source = if header.SurfaceType == MFX_SURFACE_TYPE_OPENCL_IMG2D {
            // SAFETY: the header says it is an mfxSurfaceOpenCLImg2D of its size.
            Source::OpenCl(unsafe { opencl_frame(external_surface.cast()) }?)
        } else {
            // SAFETY: the header says it is an mfxSurfaceVulkanImg2D of its size.
            Source::Vulkan(unsafe { vulkan_frame(external_surface.cast()) }?)
        };
        let imported = match surf_component {
            MFX_SURFACE_COMPONENT_ENCODE => {
                let info = session.rust.encode().params().map_err(|error| error.status())?.input;
                source.import(&info, sharing, || session.rust.encode().surface())
            }
            _ => {
                let info = session.rust.vpp().params().map_err(|error| error.status())?.input;
                source.import(&info, sharing, || session.rust.vpp().input_surface())
            }
        };
        let (surface, shared_as) = imported?;
        let flags = match shared_as {
            SharedAs::Shared => MFX_SURFACE_FLAG_IMPORT_SHARED,
            SharedAs::Copied => MFX_SURFACE_FLAG_IMPORT_COPY,
        };
        let pointer = crate::surface::expose(surface)?;
        // SAFETY: checked non-null; the caller passes a valid output pointer.
        unsafe { crate::ffi::write_out(imported_surface, pointer) }?;
        // SAFETY: non-null; the application's header, written as the document says on success.
        unsafe { (*external_surface).SurfaceFlags = flags };
        Ok(Status::ERR_NONE)
    })
}

/// The application's frame, of either kind.
enum Source {
    OpenCl(OpenClFrame),
    Vulkan(VulkanFrame),
}

impl Source {
    fn import<E: ToStatus>(
        self,
        info: &vplrs_memory::FrameInfo,
        sharing: vplrs_sharing::Sharing,
        acquire: impl FnOnce() -> Result<vplrs_memory::Surface, E>,
    ) -> Outcome<(vplrs_memory::Surface, SharedAs)> {
        match self {
            Self::OpenCl(frame) => vplrs_sharing::opencl::import(frame, info, sharing, acquire),
            Self::Vulkan(frame) => vplrs_sharing::vulkan::import(frame, info, sharing, acquire),
        }
        .map_err(import_status)
    }
}

/// The images an `mfxSurfaceOpenCLImg2D` names, retained.
///
/// # Safety
/// `described` must point to a readable `mfxSurfaceOpenCLImg2D` naming live OpenCL objects.
unsafe fn opencl_frame(described: *const mfxSurfaceOpenCLImg2D) -> Outcome<OpenClFrame> {
    // SAFETY: per this function's contract.
    let described = unsafe { described.read() };
    let count = described.ocl_image_num as usize;
    if !(1..=described.ocl_image.len()).contains(&count) {
        return Err(Status::ERR_UNSUPPORTED);
    }
    let images: Vec<_> = described.ocl_image[..count].iter().map(|image| image.cast()).collect();
    for &image in &images {
        non_null::<std::ffi::c_void>(image)?;
    }
    non_null(described.ocl_command_queue)?;
    // SAFETY: the application passes its live context, queue and images.
    unsafe { OpenClFrame::from_raw(described.ocl_context.cast(), described.ocl_command_queue.cast(), &images) }
        .map_err(|error| error.status())
}

/// The image and memory an `mfxSurfaceVulkanImg2D` names, on the objects it names.
///
/// # Safety
/// `described` must point to a readable `mfxSurfaceVulkanImg2D` naming live, related Vulkan
/// objects: a linear image with host-visible memory bound at offset 0.
unsafe fn vulkan_frame(described: *const mfxSurfaceVulkanImg2D) -> Outcome<VulkanFrame> {
    // SAFETY: per this function's contract.
    let described = unsafe { described.read() };
    for handle in
        [described.instance, described.physicalDevice, described.device, described.image2D, described.image2DMemory]
    {
        non_null::<std::ffi::c_void>(handle)?;
    }
    // SAFETY: per this function's contract.
    let target = unsafe { super::vulkan_objects(described.instance, described.physicalDevice, described.device) }
        .map_err(|error| error.status())?;
    // SAFETY: per this function's contract.
    unsafe { VulkanFrame::from_raw(target, described.image2D as u64, described.image2DMemory as u64) }
        .map_err(|error| error.status())
}

/// `mfxMemoryInterface::GetBitstreamBuffer` (API 2.17): runtime-allocated bitstream buffers are not
/// built; the application's own buffers serve every component.
extern "C" fn get_bitstream_buffer(
    memory_interface: *mut mfxMemoryInterface,
    bitstream: *mut mfxBitstream,
) -> mfxStatus {
    guard("mfxMemoryInterface::GetBitstreamBuffer", || {
        non_null(bitstream)?;
        session_of(memory_interface)?;
        Err(Status::ERR_UNSUPPORTED)
    })
}

fn import_status<E: ToStatus>(error: ImportError<E>) -> Status {
    match error {
        ImportError::Sharing(error) => {
            tracing::debug!(%error, "ImportFrameSurface refused");
            error.status()
        }
        ImportError::Acquire(error) => error.status(),
    }
}
