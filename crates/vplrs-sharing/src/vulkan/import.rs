//! An application's Vulkan image as a runtime surface.

use ash::vk::{self, Handle};
use vplrs_memory::surface::ForeignMemory;
use vplrs_memory::{FrameInfo, FrameLayout, LayoutOptions, PlanePointers, Surface};

use super::{format_of, refused, VulkanTarget};
use crate::{ImportError, SharedAs, Sharing, SharingError};

/// An application's image and the memory bound to it. Vulkan objects have no reference count:
/// the application keeps both until the imported surface is released and its Locked counter is 0.
pub struct VulkanFrame {
    target: VulkanTarget,
    image: vk::Image,
    memory: vk::DeviceMemory,
}

impl VulkanFrame {
    /// # Safety
    /// `image` must be a linear-tiling image of `target`'s device with `memory` (host visible)
    /// bound at offset 0, or NULL; both must outlive what is imported from them.
    pub unsafe fn from_raw(target: VulkanTarget, image: u64, memory: u64) -> Result<Self, SharingError> {
        if image == 0 {
            return Err(SharingError::NullHandle("VkImage"));
        }
        if memory == 0 {
            return Err(SharingError::NullHandle("VkDeviceMemory"));
        }
        Ok(Self { target, image: vk::Image::from_raw(image), memory: vk::DeviceMemory::from_raw(memory) })
    }
}

/// The image's memory, mapped while a surface is made over it.
struct Mapping {
    target: VulkanTarget,
    memory: vk::DeviceMemory,
    planes: PlanePointers,
}

// SAFETY: the mapped pointer stays valid until Drop unmaps it; Vulkan allows unmapping from any
// thread as long as no other thread uses the memory object at once (the surface is gone then).
unsafe impl Send for Mapping {}
// SAFETY: as above; the pointers are only read.
unsafe impl Sync for Mapping {}

// SAFETY: the plane pointer is a mapping of the whole memory, valid until Drop; the pitch is the
// image's row pitch, checked to hold the layout's rows.
unsafe impl ForeignMemory for Mapping {
    fn planes(&self) -> PlanePointers {
        self.planes
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: mapped in `map`, unmapped once.
        unsafe { self.target.0.device.unmap_memory(self.memory) };
    }
}

/// Maps the memory and finds the image's rows in it.
fn map(frame: &VulkanFrame, layout: &FrameLayout) -> Result<Mapping, SharingError> {
    let target = &frame.target;
    let subresource = vk::ImageSubresource { aspect_mask: vk::ImageAspectFlags::COLOR, mip_level: 0, array_layer: 0 };
    // SAFETY: a linear image of this device (the caller's contract of `from_raw`).
    let placed = unsafe { target.0.device.get_image_subresource_layout(frame.image, subresource) };
    let plane = layout.planes()[0];
    if placed.row_pitch < plane.row_bytes as u64
        || placed.size < placed.row_pitch * (plane.rows as u64 - 1) + plane.row_bytes as u64
    {
        return Err(SharingError::Mismatch("the image is smaller than the component's frame".into()));
    }
    // SAFETY: host-visible memory of this device, bound to the image (the caller's contract).
    let pointer = unsafe { target.0.device.map_memory(frame.memory, 0, vk::WHOLE_SIZE, vk::MemoryMapFlags::empty()) }
        .map_err(refused("vkMapMemory"))?;
    let mut planes = PlanePointers::default();
    // SAFETY: the subresource's offset lies inside the mapped allocation.
    planes.ptr[0] = unsafe { pointer.cast::<u8>().add(placed.offset as usize) };
    planes.pitch[0] = placed.row_pitch as usize;
    Ok(Mapping { target: target.clone(), memory: frame.memory, planes })
}

/// Imports `frame` as a frame of `component` (its format and size) as `sharing` allows. A copy
/// goes into a surface `acquire` takes from the component's pool.
pub fn import<E>(
    frame: VulkanFrame,
    component: &FrameInfo,
    sharing: Sharing,
    acquire: impl FnOnce() -> Result<Surface, E>,
) -> Result<(Surface, SharedAs), ImportError<E>> {
    format_of(component.fourcc)?;
    let layout = FrameLayout::new(component, LayoutOptions::default())
        .map_err(|error| SharingError::Mismatch(format!("the component's frame: {error}")))?;
    let mapping = map(&frame, &layout)?;
    if sharing != Sharing::Copy {
        return match Surface::from_foreign(*component, layout, Box::new(mapping)) {
            Ok(surface) => Ok((surface, SharedAs::Shared)),
            Err(error) => Err(SharingError::Mismatch(format!("the mapping does not hold the frame: {error}")).into()),
        };
    }
    let surface = acquire().map_err(ImportError::Acquire)?;
    {
        let mut pixels = surface.map_write().map_err(SharingError::from)?;
        let mut view = pixels.view_mut();
        let plane = view.plane_mut(0);
        let (pitch, row_bytes, rows) = (plane.pitch(), plane.row_bytes(), plane.rows());
        let data = plane.data_mut();
        for y in 0..rows {
            // SAFETY: the mapping holds `rows` rows of `row_bytes` at its pitch (checked in `map`);
            // `data` holds them at `pitch`.
            let source = unsafe {
                std::slice::from_raw_parts(mapping.planes.ptr[0].add(y * mapping.planes.pitch[0]), row_bytes)
            };
            data[y * pitch..y * pitch + row_bytes].copy_from_slice(source);
        }
    }
    Ok((surface, SharedAs::Copied))
}
