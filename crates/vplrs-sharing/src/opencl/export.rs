//! A runtime surface as OpenCL images.

use std::time::Duration;

use cl3::memory::{CL_MEM_COPY_HOST_PTR, CL_MEM_OBJECT_IMAGE2D, CL_MEM_READ_WRITE, CL_MEM_USE_HOST_PTR};
use cl3::types::{cl_image_desc, cl_mem_flags};
use vplrs_memory::{Surface, SyncError};

use super::handles::{refused, Image};
use super::planes::{all_supported, has_chroma_pairs, plane_images, PlaneImage};
use super::OpenClTarget;
use crate::{SharedAs, Sharing, SharingError};

/// A surface exported as OpenCL images. A shared export keeps the frame alive (the surface may be
/// released first) and its images are that frame's memory; a copy stands alone.
#[derive(Debug)]
pub struct OpenClExport {
    images: Vec<Image>,
    shared_as: SharedAs,
    target: OpenClTarget,
    frame: Option<Surface>,
}

impl OpenClExport {
    /// One image per plane, in the planes' memory order.
    pub fn images(&self) -> &[Image] {
        &self.images
    }

    /// Whether the images are the surface's memory or a copy.
    pub fn shared_as(&self) -> SharedAs {
        self.shared_as
    }

    /// The context and queue the images belong to.
    pub fn target(&self) -> &OpenClTarget {
        &self.target
    }

    /// The frame a shared export works on (a copy has none).
    pub fn frame(&self) -> Option<Surface> {
        self.frame.clone()
    }

    /// Waits until the operation producing the frame is done: the images hold the final pixels
    /// (a copy always does: it was made from them).
    pub fn synchronize(&self, timeout: Duration) -> Result<(), SyncError> {
        match &self.frame {
            Some(frame) => frame.synchronize(timeout),
            None => Ok(()),
        }
    }
}

/// Exports `surface` onto `target`'s context as `sharing` allows. A copy waits for the operation
/// producing the surface; a shared export does not (see [`OpenClExport::synchronize`]).
pub fn export(surface: &Surface, target: OpenClTarget, sharing: Sharing) -> Result<OpenClExport, SharingError> {
    let layout = *surface.layout();
    let formats = target.image_formats()?;
    let images = plane_images(&layout, has_chroma_pairs(layout.fourcc, &formats))?;
    if !all_supported(&images, &formats) {
        return Err(SharingError::Unsupported(format!("the device has no images for {:?} planes", layout.fourcc)));
    }
    let shareable = match (surface.host_memory(), target.shares_host_memory()?) {
        (Some(_), true) => Ok(()),
        (None, _) => Err("the frame is in an application allocator's memory"),
        (_, false) => Err("the device does not work on host memory in place"),
    };
    match shareable {
        Ok(()) if sharing != Sharing::Copy => {
            let memory = surface.host_memory().ok_or_else(|| SharingError::NotShareable("no host memory".into()))?;
            let planes = images
                .iter()
                .enumerate()
                .map(|(index, image)| {
                    // SAFETY: the plane's memory belongs to `surface`, which the export keeps alive,
                    // and holds `height` rows of `pitch` bytes (the surface's layout).
                    unsafe { create(&target, image, CL_MEM_USE_HOST_PTR, memory.ptr[index], memory.pitch[index]) }
                })
                .collect::<Result<_, _>>()?;
            Ok(OpenClExport { images: planes, shared_as: SharedAs::Shared, target, frame: Some(surface.clone()) })
        }
        Err(reason) if sharing == Sharing::Shared => Err(SharingError::NotShareable(reason.into())),
        _ => {
            let pixels = surface.map_read()?;
            let view = pixels.view();
            let planes = images
                .iter()
                .enumerate()
                .map(|(index, image)| {
                    let plane = view.plane(index);
                    // SAFETY: the plane's rows are readable while `pixels` is held (to the end of
                    // this function); OpenCL copies them at creation (COPY_HOST_PTR, read only).
                    unsafe {
                        create(&target, image, CL_MEM_COPY_HOST_PTR, plane.data().as_ptr().cast_mut(), plane.pitch())
                    }
                })
                .collect::<Result<_, _>>()?;
            Ok(OpenClExport { images: planes, shared_as: SharedAs::Copied, target, frame: None })
        }
    }
}

/// A 2D image over (`USE_HOST_PTR`) or copied from (`COPY_HOST_PTR`) host memory.
///
/// # Safety
/// `host` must point to `image.height` rows of `pitch` bytes, each holding `image.width` texels,
/// valid for as long as OpenCL may use them (the image's life for `USE_HOST_PTR`).
unsafe fn create(
    target: &OpenClTarget,
    image: &PlaneImage,
    host_flag: cl_mem_flags,
    host: *mut u8,
    pitch: usize,
) -> Result<Image, SharingError> {
    // SAFETY: an all-zero cl_image_desc is its documented "no buffer, no mip levels" value.
    let mut desc: cl_image_desc = unsafe { std::mem::zeroed() };
    desc.image_type = CL_MEM_OBJECT_IMAGE2D;
    desc.image_width = image.width;
    desc.image_height = image.height;
    desc.image_row_pitch = pitch;
    let format = image.format();
    // SAFETY: format and desc are valid for the call; `host` per this function's contract.
    let raw = unsafe {
        cl3::memory::create_image(target.context().raw(), CL_MEM_READ_WRITE | host_flag, &format, &desc, host.cast())
    }
    .map_err(refused("clCreateImage"))?;
    Ok(Image::adopt(raw))
}
