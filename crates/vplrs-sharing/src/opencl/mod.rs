//! OpenCL sharing (`MFX_SURFACE_TYPE_OPENCL_IMG2D`): a frame as one 2D image per plane (see
//! [`planes`] for the formats).
//!
//! - [`export`]: a runtime surface onto an application's context and queue ([`OpenClTarget`]), or
//!   the runtime's own ([`OpenClTarget::runtime`]). Shared: the images are the surface's memory
//!   (`CL_MEM_USE_HOST_PTR`), on a device that shares host memory (`CL_DEVICE_HOST_UNIFIED_MEMORY`:
//!   CPU devices such as PoCL, integrated GPUs); copy: new images holding the frame's pixels.
//! - [`import`]: an application's images as a runtime surface for encode or VPP input. Shared: the
//!   images are mapped (`clEnqueueMapImage`) and the mapping is the surface's memory, on a device
//!   sharing host memory and where the mapping's pitches fit one `mfxFrameData::Pitch`; copy: the
//!   images are read into a surface of the component's pool.
//!
//! Coherence follows OpenCL's rules for host memory: the application finishes the work on its
//! queue before the runtime reads a shared frame (before Import, before passing the surface on),
//! and synchronises an exported surface before enqueueing work on its images.
//!
//! The OpenCL library is loaded at run time: without an ICD loader, or without a platform with an
//! image-capable device, every call answers [`SharingError::Unavailable`].
#![allow(unsafe_code)]

mod export;
mod handles;
mod import;
pub mod planes;

use std::sync::Mutex;

use cl3::device::{CL_DEVICE_HOST_UNIFIED_MEMORY, CL_DEVICE_IMAGE_SUPPORT, CL_DEVICE_TYPE_ALL};
use cl3::memory::{CL_MEM_OBJECT_IMAGE2D, CL_MEM_READ_WRITE};
use cl3::types::{cl_bool, cl_command_queue, cl_context, cl_device_id, cl_image_format};

pub use crate::ImportError;
pub use export::{export, OpenClExport};
pub use handles::{Context, Image, Queue};
pub use import::{import, OpenClFrame};

use crate::SharingError;
use handles::{info_value, refused};

fn unavailable(reason: impl Into<String>) -> SharingError {
    SharingError::Unavailable { api: "OpenCL", reason: reason.into() }
}

/// Where exported images live: a context and the queue the runtime uses for them.
#[derive(Debug)]
pub struct OpenClTarget {
    context: Context,
    queue: Queue,
}

impl OpenClTarget {
    /// The application's context and queue (each retained while the target lives). The queue must
    /// belong to the context.
    ///
    /// # Safety
    /// Both must be valid OpenCL objects or NULL.
    pub unsafe fn from_raw(context: cl_context, queue: cl_command_queue) -> Result<Self, SharingError> {
        library()?;
        // SAFETY: valid or NULL per this function's contract.
        let (context, queue) = unsafe { (Context::retain(context)?, Queue::retain(queue)?) };
        if queue.context()? != context.raw() {
            return Err(SharingError::Mismatch("the command queue belongs to another context".into()));
        }
        Ok(Self { context, queue })
    }

    /// The runtime's own context and queue, made on first use on the first device with image
    /// support, and kept until [`release_runtime`].
    pub fn runtime() -> Result<Self, SharingError> {
        let mut runtime = RUNTIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let made = runtime.get_or_insert_with(|| make_runtime_target().map_err(|error| error.to_string()));
        match made {
            Ok(target) => Ok(Self { context: target.context.try_clone()?, queue: target.queue.try_clone()? }),
            Err(reason) => Err(unavailable(reason.clone())),
        }
    }

    /// The context the images are made in.
    pub fn context(&self) -> &Context {
        &self.context
    }

    /// The queue the runtime uses for the images.
    pub fn queue(&self) -> &Queue {
        &self.queue
    }

    /// True if the queue's device works on host memory in place (no copy behind a host pointer).
    pub fn shares_host_memory(&self) -> Result<bool, SharingError> {
        shares_host_memory(self.queue.device()?)
    }

    /// The 2D image formats the context supports for reading and writing.
    pub fn image_formats(&self) -> Result<Vec<cl_image_format>, SharingError> {
        image_formats(self.context.raw())
    }
}

/// The runtime's own target, once made.
static RUNTIME: Mutex<Option<Result<OpenClTarget, String>>> = Mutex::new(None);

/// Releases the runtime's own context and queue (a library being unloaded gives back what it
/// made); exports made on them keep their own references.
pub fn release_runtime() {
    let taken = RUNTIME.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
    drop(taken);
}

fn library() -> Result<(), SharingError> {
    cl3::load_library().as_ref().map(|_| ()).map_err(|error| unavailable(format!("no OpenCL library: {error}")))
}

fn shares_host_memory(device: cl_device_id) -> Result<bool, SharingError> {
    let bytes = cl3::device::get_device_data(device, CL_DEVICE_HOST_UNIFIED_MEMORY)
        .map_err(refused("clGetDeviceInfo(CL_DEVICE_HOST_UNIFIED_MEMORY)"))?;
    Ok(info_value::<cl_bool>(&bytes) != 0)
}

fn image_formats(context: cl_context) -> Result<Vec<cl_image_format>, SharingError> {
    cl3::memory::get_supported_image_formats(context, CL_MEM_READ_WRITE, CL_MEM_OBJECT_IMAGE2D)
        .map_err(refused("clGetSupportedImageFormats"))
}

/// The first device with image support, on the first platform that has one.
fn image_device() -> Result<cl_device_id, SharingError> {
    library()?;
    let platforms = cl3::platform::get_platform_ids().map_err(|code| unavailable(format!("no platform ({code})")))?;
    for platform in platforms {
        let Ok(devices) = cl3::device::get_device_ids(platform, CL_DEVICE_TYPE_ALL) else { continue };
        for device in devices {
            let images = cl3::device::get_device_data(device, CL_DEVICE_IMAGE_SUPPORT)
                .map(|bytes| info_value::<cl_bool>(&bytes) != 0)
                .unwrap_or(false);
            if images {
                return Ok(device);
            }
        }
    }
    Err(unavailable("no device with image support"))
}

fn make_runtime_target() -> Result<OpenClTarget, SharingError> {
    let device = image_device()?;
    let context = cl3::context::create_context(&[device], std::ptr::null(), None, std::ptr::null_mut())
        .map_err(refused("clCreateContext"))?;
    let context = Context::adopt(context);
    // SAFETY: a context and device just made and found; no properties.
    let queue =
        unsafe { cl3::command_queue::create_command_queue_with_properties(context.raw(), device, std::ptr::null()) }
            .or_else(|_| {
                // An OpenCL 1.2 platform has only the older call.
                // SAFETY: as above.
                #[allow(deprecated)]
                unsafe {
                    cl3::command_queue::create_command_queue(context.raw(), device, 0)
                }
            })
            .map_err(refused("clCreateCommandQueue"))?;
    Ok(OpenClTarget { context, queue: Queue::adopt(queue) })
}

/// What this machine's OpenCL can do, for the capability report: `None` without OpenCL, else
/// whether the runtime's device shares host memory (shared export and import) or only copies.
pub fn capabilities() -> Option<bool> {
    let target = OpenClTarget::runtime().ok()?;
    target.shares_host_memory().ok()
}
