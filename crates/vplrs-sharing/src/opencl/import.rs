//! An application's OpenCL images as a runtime surface.

use std::ffi::c_void;

use cl3::command_queue::CL_BLOCKING;
use cl3::memory::{CL_IMAGE_FORMAT, CL_IMAGE_HEIGHT, CL_IMAGE_WIDTH, CL_MAP_READ, CL_MAP_WRITE};
use cl3::types::{cl_command_queue, cl_context, cl_image_format, cl_mem};
use vplrs_memory::surface::ForeignMemory;
use vplrs_memory::{FrameInfo, FrameLayout, LayoutOptions, PlanePointers, Surface};

use super::handles::{drop_event, info_value, refused, Image, Queue};
use super::planes::{plane_images, PlaneImage};
use crate::{ImportError, SharedAs, Sharing, SharingError};

/// The application's images of one frame and the queue to reach them with, each retained while
/// this lives (the application may release its own references after the import).
#[derive(Debug)]
pub struct OpenClFrame {
    queue: Queue,
    images: Vec<Image>,
    /// What each image is, asked once.
    described: Vec<ImageDesc>,
}

/// An image's format, bytes per texel and size.
#[derive(Clone, Copy, Debug)]
struct ImageDesc {
    format: cl_image_format,
    texel_bytes: usize,
    width: usize,
    height: usize,
}

impl OpenClFrame {
    /// Takes references to `images` (one per plane, in memory order) and `queue`; `context`, if
    /// not NULL, must be the queue's.
    ///
    /// # Safety
    /// Every handle must be a valid OpenCL object or NULL.
    pub unsafe fn from_raw(
        context: cl_context,
        queue: cl_command_queue,
        images: &[cl_mem],
    ) -> Result<Self, SharingError> {
        super::library()?;
        // SAFETY: valid or NULL per this function's contract.
        let queue = unsafe { Queue::retain(queue) }?;
        if !context.is_null() && queue.context()? != context {
            return Err(SharingError::Mismatch("the command queue belongs to another context".into()));
        }
        // SAFETY: as above.
        let images: Vec<Image> =
            images.iter().map(|&image| unsafe { Image::retain(image) }).collect::<Result<_, _>>()?;
        let described = images.iter().map(describe).collect::<Result<_, _>>()?;
        Ok(Self { queue, images, described })
    }

    /// The images, one per plane.
    pub fn images(&self) -> &[Image] {
        &self.images
    }
}

/// Imports `frame` as a frame of `component` (the component's input frame info: format, and the
/// crop the images must cover) as `sharing` allows. A copy goes into a surface `acquire` takes
/// from the component's pool.
pub fn import<E>(
    frame: OpenClFrame,
    component: &FrameInfo,
    sharing: Sharing,
    acquire: impl FnOnce() -> Result<Surface, E>,
) -> Result<(Surface, SharedAs), ImportError<E>> {
    let info = frame_info(&frame, component)?;
    let layout = FrameLayout::new(&info, LayoutOptions::default())
        .map_err(|error| SharingError::Mismatch(format!("the images make no frame: {error}")))?;
    let shared = if sharing == Sharing::Copy {
        Err(SharingError::NotShareable("a copy was asked for".into()))
    } else {
        share(&frame, info, layout)
    };
    match shared {
        Ok(surface) => Ok((surface, SharedAs::Shared)),
        Err(error) if sharing == Sharing::Shared => Err(error.into()),
        Err(_) => {
            let surface = acquire().map_err(ImportError::Acquire)?;
            copy_into(&frame, &layout, &surface)?;
            surface.update_meta(|meta| meta.info = FrameInfo { crop: info.crop, ..meta.info });
            Ok((surface, SharedAs::Copied))
        }
    }
}

/// The frame info the images describe: the component's format and crop, the images' size.
fn frame_info(frame: &OpenClFrame, component: &FrameInfo) -> Result<FrameInfo, SharingError> {
    let first = frame.described.first().ok_or(SharingError::NullHandle("ocl_image[0]"))?;
    let texels_to_pixels = if matches!(component.fourcc, vplrs_memory::FourCc::Rgb4 | vplrs_memory::FourCc::Bgr4) {
        1
    } else {
        usize::from(first.format.image_channel_order == cl3::memory::CL_RG) + 1
    };
    let (width, height) = (first.width, first.height);
    let width = u32::try_from(width * texels_to_pixels).map_err(|_| SharingError::Mismatch("too wide".into()))?;
    let height = u32::try_from(height).map_err(|_| SharingError::Mismatch("too tall".into()))?;
    let info = FrameInfo { width, height, ..*component };
    let crop = component.crop;
    if crop.x + crop.width > width || crop.y + crop.height > height {
        return Err(SharingError::Mismatch(format!(
            "{width}x{height} images do not cover the component's {}x{} picture at ({}, {})",
            crop.width, crop.height, crop.x, crop.y
        )));
    }
    let layout = FrameLayout::new(&info, LayoutOptions::default())
        .map_err(|error| SharingError::Mismatch(format!("the images make no frame: {error}")))?;
    let fits = |chroma_pairs| -> Result<bool, SharingError> {
        let expected = plane_images(&layout, chroma_pairs)?;
        Ok(expected.len() == frame.described.len()
            && expected.iter().zip(&frame.described).all(|(want, image)| matches(want, image)))
    };
    if fits(true)? || fits(false)? {
        Ok(info)
    } else {
        Err(SharingError::Mismatch(format!(
            "{} images do not hold a {width}x{height} {:?} frame (see the plane formats of vplrs_sharing::opencl::planes)",
            frame.images.len(),
            component.fourcc
        )))
    }
}

fn matches(want: &PlaneImage, image: &ImageDesc) -> bool {
    image.format.image_channel_order == want.order
        && image.format.image_channel_data_type == want.data_type
        && image.texel_bytes == want.texel_bytes
        && image.width == want.width
        && image.height == want.height
}

/// What an image is, asked of OpenCL.
fn describe(image: &Image) -> Result<ImageDesc, SharingError> {
    let query = |what| cl3::memory::get_image_data(image.raw(), what).map_err(refused("clGetImageInfo"));
    let format_bytes = query(CL_IMAGE_FORMAT)?;
    let format = cl_image_format {
        image_channel_order: info_value(&format_bytes),
        image_channel_data_type: info_value(format_bytes.get(4..).unwrap_or_default()),
    };
    Ok(ImageDesc {
        format,
        texel_bytes: info_value(&query(cl3::memory::CL_IMAGE_ELEMENT_SIZE)?),
        width: info_value(&query(CL_IMAGE_WIDTH)?),
        height: info_value(&query(CL_IMAGE_HEIGHT)?),
    })
}

/// Maps the whole of `image` (`width` x `height`) on `queue`, blocking: the host pointer and the
/// row pitch, valid until unmapped.
fn map_image(
    queue: &Queue,
    image: &Image,
    flags: cl3::types::cl_map_flags,
    width: usize,
    height: usize,
) -> Result<(cl_mem, usize), SharingError> {
    let origin = [0usize; 3];
    let region = [width, height, 1];
    let mut row_pitch = 0usize;
    let mut pointer: cl_mem = std::ptr::null_mut();
    // SAFETY: the queue and image are retained by the caller; origin and region lie inside the
    // image; the pointers given for the outputs are valid. Blocking: the pointer is usable on
    // return.
    let event = unsafe {
        cl3::command_queue::enqueue_map_image(
            queue.raw(),
            image.raw(),
            CL_BLOCKING,
            flags,
            origin.as_ptr(),
            region.as_ptr(),
            &mut row_pitch,
            std::ptr::null_mut(),
            &mut pointer,
            0,
            std::ptr::null(),
        )
    }
    .map_err(refused("clEnqueueMapImage"))?;
    drop_event(event);
    Ok((pointer, row_pitch))
}

/// The images mapped, and the mapping wrapped as a surface: no pixel copied.
fn share(frame: &OpenClFrame, info: FrameInfo, layout: FrameLayout) -> Result<Surface, SharingError> {
    if !super::shares_host_memory(frame.queue.device()?)? {
        return Err(SharingError::NotShareable("the device does not work on host memory in place".into()));
    }
    let mut mapping = Mapping {
        queue: frame.queue.try_clone()?,
        images: Vec::new(),
        mapped: Vec::new(),
        planes: PlanePointers::default(),
    };
    for (index, (image, described)) in frame.images.iter().zip(&frame.described).enumerate() {
        let plane = &layout.planes()[index];
        let ImageDesc { texel_bytes, width, height, .. } = *described;
        let retained = image.try_clone()?;
        let (pointer, row_pitch) = map_image(&mapping.queue, image, CL_MAP_READ | CL_MAP_WRITE, width, height)?;
        mapping.images.push(retained);
        mapping.mapped.push(pointer);
        if width * texel_bytes < plane.row_bytes || row_pitch < plane.row_bytes {
            return Err(SharingError::Mismatch("a mapped row is shorter than the plane's".into()));
        }
        mapping.planes.ptr[index] = pointer.cast();
        mapping.planes.pitch[index] = row_pitch;
    }
    // One `mfxFrameData::Pitch` tells C where every plane's rows are: the mapping must agree.
    let luma = mapping.planes.pitch[0];
    let one_pitch = layout.planes().iter().enumerate().all(|(index, plane)| {
        let expected = luma * plane.pitch / layout.planes()[0].pitch;
        mapping.planes.pitch[index] == expected
    });
    if !one_pitch {
        return Err(SharingError::NotShareable("the mapped planes' pitches do not follow one luma pitch".into()));
    }
    Surface::from_foreign(info, layout, Box::new(mapping))
        .map_err(|error| SharingError::Mismatch(format!("the mapping does not hold the frame: {error}")))
}

/// The application's images, mapped for the life of the surface made over them.
struct Mapping {
    queue: Queue,
    images: Vec<Image>,
    mapped: Vec<*mut c_void>,
    planes: PlanePointers,
}

// SAFETY: the mapped pointers are host memory that stays valid until unmapped in Drop; OpenCL
// objects may be used from any thread.
unsafe impl Send for Mapping {}
// SAFETY: as above; the pointers are only read here.
unsafe impl Sync for Mapping {}

// SAFETY: every plane pointer is a blocking map of the whole image for reading and writing,
// valid until `Drop` unmaps it; the pitches are the mapping's (checked to hold the layout's rows).
unsafe impl ForeignMemory for Mapping {
    fn planes(&self) -> PlanePointers {
        self.planes
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        for (image, &pointer) in self.images.iter().zip(&self.mapped) {
            // SAFETY: `pointer` is this image's mapping, unmapped once.
            let unmapped = unsafe {
                cl3::command_queue::enqueue_unmap_mem_object(
                    self.queue.raw(),
                    image.raw(),
                    pointer,
                    0,
                    std::ptr::null(),
                )
            };
            match unmapped {
                Ok(event) => drop_event(event),
                Err(code) => tracing::warn!(code, "OpenCL refused to unmap an imported image"),
            }
        }
        // The images are released (below, by their handles) only once the unmaps are done.
        if let Err(error) = self.queue.finish() {
            tracing::warn!(%error, "OpenCL could not finish unmapping imported images");
        }
    }
}

/// A copy of the images into `surface`, whose layout must hold them.
fn copy_into(frame: &OpenClFrame, layout: &FrameLayout, surface: &Surface) -> Result<(), SharingError> {
    let target = *surface.layout();
    if target.fourcc != layout.fourcc || target.width < layout.width || target.height < layout.height {
        return Err(SharingError::Mismatch(format!(
            "{}x{} images do not fit the component's {}x{} surfaces",
            layout.width, layout.height, target.width, target.height
        )));
    }
    // On a device working on host memory a map is free and memcpy beats the driver's image read.
    let by_map = super::shares_host_memory(frame.queue.device()?)?;
    let mut pixels = surface.map_write()?;
    let mut view = pixels.view_mut();
    for (index, (image, described)) in frame.images.iter().zip(&frame.described).enumerate() {
        let (width, height) = (described.width, described.height);
        let plane = view.plane_mut(index);
        let pitch = plane.pitch();
        let row_bytes = layout.planes()[index].row_bytes;
        let data = plane.data_mut();
        if height == 0 || data.len() < pitch * (height - 1) + row_bytes {
            return Err(SharingError::Mismatch("an image is larger than the surface's plane".into()));
        }
        let origin = [0usize; 3];
        let region = [width, height, 1];
        if by_map {
            let (pointer, row_pitch) = map_image(&frame.queue, image, CL_MAP_READ, width, height)?;
            if row_pitch >= row_bytes {
                for y in 0..height {
                    // SAFETY: the mapping holds `height` rows of `row_pitch` bytes, each with
                    // `row_bytes` of the plane (the image matched the layout); it lives until the
                    // unmap below.
                    let row = unsafe { std::slice::from_raw_parts(pointer.cast::<u8>().add(y * row_pitch), row_bytes) };
                    data[y * pitch..y * pitch + row_bytes].copy_from_slice(row);
                }
            }
            // SAFETY: the mapping made above, unmapped once.
            let unmapped = unsafe {
                cl3::command_queue::enqueue_unmap_mem_object(
                    frame.queue.raw(),
                    image.raw(),
                    pointer,
                    0,
                    std::ptr::null(),
                )
            }
            .map_err(refused("clEnqueueUnmapMemObject"))?;
            drop_event(unmapped);
            if row_pitch < row_bytes {
                return Err(SharingError::Mismatch("a mapped row is shorter than the plane's".into()));
            }
            continue;
        }
        // SAFETY: the queue and image are retained; `data` is writable for `height` rows of
        // `pitch` bytes (checked above) while `pixels` is held; the read is blocking.
        let event = unsafe {
            cl3::command_queue::enqueue_read_image(
                frame.queue.raw(),
                image.raw(),
                CL_BLOCKING,
                origin.as_ptr(),
                region.as_ptr(),
                pitch,
                0,
                data.as_mut_ptr().cast(),
                0,
                std::ptr::null(),
            )
        }
        .map_err(refused("clEnqueueReadImage"))?;
        drop_event(event);
    }
    frame.queue.finish()?;
    Ok(())
}
