//! A runtime surface as a Vulkan image.

use std::time::Duration;

use ash::vk::{self, Handle};
use vplrs_memory::{FrameLayout, Surface, SyncError};

use super::{format_of, refused, VulkanTarget};
use crate::{SharedAs, Sharing, SharingError};

/// An image and its memory, destroyed together when dropped.
pub(super) struct Owned {
    target: VulkanTarget,
    pub(super) image: vk::Image,
    pub(super) memory: vk::DeviceMemory,
    /// Size and memory type of a copy's own allocation, which may be reused.
    reusable: Option<(u64, u32)>,
}

impl Drop for Owned {
    fn drop(&mut self) {
        // SAFETY: both were made on this device (or are null, which Vulkan ignores) and are no
        // longer used: the export is gone, and the application was told to synchronise first.
        unsafe { self.target.0.device.destroy_image(self.image, None) };
        match self.reusable {
            Some((size, type_index)) if self.memory != vk::DeviceMemory::null() => {
                self.target.give_back(self.memory, size, type_index);
            }
            // SAFETY: as above.
            _ => unsafe { self.target.0.device.free_memory(self.memory, None) },
        }
    }
}

/// A surface exported as a Vulkan image. A shared export keeps the frame alive (the surface may be
/// released first) and its memory is that frame's; a copy stands alone.
pub struct VulkanExport {
    owned: Owned,
    shared_as: SharedAs,
    frame: Option<Surface>,
}

impl std::fmt::Debug for VulkanExport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VulkanExport").field("image", &self.image()).field("shared_as", &self.shared_as).finish()
    }
}

impl VulkanExport {
    /// The instance and device the image belongs to.
    pub fn target(&self) -> &VulkanTarget {
        &self.owned.target
    }

    /// The `VkImage` (linear tiling, `VK_IMAGE_LAYOUT_PREINITIALIZED`).
    pub fn image(&self) -> u64 {
        self.owned.image.as_raw()
    }

    /// The `VkDeviceMemory` bound to the image at offset 0.
    pub fn memory(&self) -> u64 {
        self.owned.memory.as_raw()
    }

    /// Whether the image's memory is the surface's or a copy.
    pub fn shared_as(&self) -> SharedAs {
        self.shared_as
    }

    /// The frame a shared export works on (a copy has none).
    pub fn frame(&self) -> Option<Surface> {
        self.frame.clone()
    }

    /// Waits until the operation producing the frame is done (a copy always is).
    pub fn synchronize(&self, timeout: Duration) -> Result<(), SyncError> {
        self.frame.as_ref().map_or(Ok(()), |frame| frame.synchronize(timeout))
    }
}

/// Exports `surface` onto `target` as `sharing` allows. A copy waits for the operation producing
/// the surface; a shared export does not (see [`VulkanExport::synchronize`]).
pub fn export(surface: &Surface, target: VulkanTarget, sharing: Sharing) -> Result<VulkanExport, SharingError> {
    let layout = *surface.layout();
    let format = format_of(layout.fourcc)?;
    // SAFETY: the target's live physical device.
    let features = unsafe { target.0.instance.get_physical_device_format_properties(target.0.physical, format) };
    let needed = vk::FormatFeatureFlags::TRANSFER_SRC | vk::FormatFeatureFlags::TRANSFER_DST;
    if !features.linear_tiling_features.contains(needed) {
        return Err(SharingError::Unsupported(format!(
            "the device has no linear images of format {}",
            format.as_raw()
        )));
    }
    let shared = if sharing == Sharing::Copy {
        Err(SharingError::NotShareable("a copy was asked for".into()))
    } else {
        share(surface, &target, format, &layout)
    };
    match shared {
        Ok(owned) => Ok(VulkanExport { owned, shared_as: SharedAs::Shared, frame: Some(surface.clone()) }),
        Err(error) if sharing == Sharing::Shared => Err(error),
        Err(_) => {
            let owned = copy(surface, &target, format, &layout)?;
            Ok(VulkanExport { owned, shared_as: SharedAs::Copied, frame: None })
        }
    }
}

fn image_info<'a>(format: vk::Format, layout: &FrameLayout) -> vk::ImageCreateInfo<'a> {
    vk::ImageCreateInfo::default()
        .image_type(vk::ImageType::TYPE_2D)
        .format(format)
        .extent(vk::Extent3D { width: layout.width, height: layout.height, depth: 1 })
        .mip_levels(1)
        .array_layers(1)
        .samples(vk::SampleCountFlags::TYPE_1)
        .tiling(vk::ImageTiling::LINEAR)
        .usage(vk::ImageUsageFlags::TRANSFER_SRC | vk::ImageUsageFlags::TRANSFER_DST)
        .sharing_mode(vk::SharingMode::EXCLUSIVE)
        // Linear images keep their memory's content in this layout.
        .initial_layout(vk::ImageLayout::PREINITIALIZED)
}

fn row_pitch(target: &VulkanTarget, image: vk::Image) -> vk::SubresourceLayout {
    let subresource = vk::ImageSubresource { aspect_mask: vk::ImageAspectFlags::COLOR, mip_level: 0, array_layer: 0 };
    // SAFETY: a linear image of the target's device.
    unsafe { target.0.device.get_image_subresource_layout(image, subresource) }
}

/// A linear image over the frame's own memory, imported as host memory.
fn share(
    surface: &Surface,
    target: &VulkanTarget,
    format: vk::Format,
    layout: &FrameLayout,
) -> Result<Owned, SharingError> {
    let host = target
        .0
        .host_import
        .ok_or_else(|| SharingError::NotShareable("the device was made without VK_EXT_external_memory_host".into()))?;
    let (base, length) = surface
        .host_allocation()
        .ok_or_else(|| SharingError::NotShareable("the frame is not in the runtime's own memory".into()))?;
    let alignment = usize::try_from(host.alignment).unwrap_or(usize::MAX);
    if base as usize % alignment != 0 || length % alignment != 0 {
        return Err(SharingError::NotShareable(format!("the frame is not aligned to {alignment} bytes")));
    }
    let mut external = vk::ExternalMemoryImageCreateInfo::default()
        .handle_types(vk::ExternalMemoryHandleTypeFlags::HOST_ALLOCATION_EXT);
    let info = image_info(format, layout).push_next(&mut external);
    // SAFETY: a valid create info on the target's device.
    let image = unsafe { target.0.device.create_image(&info, None) }.map_err(refused("vkCreateImage"))?;
    let mut owned = Owned { target: target.clone(), image, memory: vk::DeviceMemory::null(), reusable: None };
    let placed = row_pitch(target, image);
    let plane = layout.planes()[0];
    if placed.offset != plane.offset as u64 || placed.row_pitch != plane.pitch as u64 {
        return Err(SharingError::NotShareable(format!(
            "the device lays rows {} bytes apart, the frame {}",
            placed.row_pitch, plane.pitch
        )));
    }
    // SAFETY: the image just made.
    let requirements = unsafe { target.0.device.get_image_memory_requirements(image) };
    if requirements.size > length as u64 {
        return Err(SharingError::NotShareable("the image needs more memory than the frame has".into()));
    }
    let mut pointer_properties = vk::MemoryHostPointerPropertiesEXT::default();
    // SAFETY: the extension's function for this device; `base` is host memory the frame owns.
    let result = unsafe {
        (host.properties)(
            target.0.device.handle(),
            vk::ExternalMemoryHandleTypeFlags::HOST_ALLOCATION_EXT,
            base.cast_const().cast(),
            &mut pointer_properties,
        )
    };
    result.result().map_err(refused("vkGetMemoryHostPointerPropertiesEXT"))?;
    let memory_type = target
        .memory_type(
            requirements.memory_type_bits & pointer_properties.memory_type_bits,
            vk::MemoryPropertyFlags::empty(),
        )
        .ok_or_else(|| SharingError::NotShareable("no memory type takes both the image and host memory".into()))?;
    let mut import = vk::ImportMemoryHostPointerInfoEXT::default()
        .handle_type(vk::ExternalMemoryHandleTypeFlags::HOST_ALLOCATION_EXT)
        .host_pointer(base.cast());
    let allocation = vk::MemoryAllocateInfo::default()
        .allocation_size(length as u64)
        .memory_type_index(memory_type)
        .push_next(&mut import);
    // SAFETY: the frame's whole allocation, aligned as the device asks; the export keeps the frame
    // (and so the allocation) alive longer than the memory object.
    owned.memory =
        unsafe { target.0.device.allocate_memory(&allocation, None) }.map_err(refused("vkAllocateMemory"))?;
    // SAFETY: image and memory of this device; the memory fits the image's requirements.
    unsafe { target.0.device.bind_image_memory(image, owned.memory, 0) }.map_err(refused("vkBindImageMemory"))?;
    Ok(owned)
}

/// A linear image in host-visible device memory, filled with the frame's pixels.
fn copy(
    surface: &Surface,
    target: &VulkanTarget,
    format: vk::Format,
    layout: &FrameLayout,
) -> Result<Owned, SharingError> {
    let info = image_info(format, layout);
    // SAFETY: a valid create info on the target's device.
    let image = unsafe { target.0.device.create_image(&info, None) }.map_err(refused("vkCreateImage"))?;
    let mut owned = Owned { target: target.clone(), image, memory: vk::DeviceMemory::null(), reusable: None };
    // SAFETY: the image just made.
    let requirements = unsafe { target.0.device.get_image_memory_requirements(image) };
    let visible = vk::MemoryPropertyFlags::HOST_VISIBLE | vk::MemoryPropertyFlags::HOST_COHERENT;
    let memory_type = target
        .memory_type(requirements.memory_type_bits, visible)
        .ok_or_else(|| SharingError::Unsupported("no host-visible memory for a linear image".into()))?;
    owned.memory = match target.take_spare(requirements.size, memory_type) {
        Some(memory) => memory,
        None => {
            let allocation =
                vk::MemoryAllocateInfo::default().allocation_size(requirements.size).memory_type_index(memory_type);
            // SAFETY: a plain allocation on the target's device.
            unsafe { target.0.device.allocate_memory(&allocation, None) }.map_err(refused("vkAllocateMemory"))?
        }
    };
    owned.reusable = Some((requirements.size, memory_type));
    // SAFETY: as in `share`.
    unsafe { target.0.device.bind_image_memory(image, owned.memory, 0) }.map_err(refused("vkBindImageMemory"))?;
    let placed = row_pitch(target, image);
    let pixels = surface.map_read()?;
    let plane = pixels.view().plane(0);
    // SAFETY: host-visible memory of this device, not mapped elsewhere (just made).
    let mapped = unsafe { target.0.device.map_memory(owned.memory, 0, vk::WHOLE_SIZE, vk::MemoryMapFlags::empty()) }
        .map_err(refused("vkMapMemory"))?
        .cast::<u8>();
    for y in 0..plane.rows() {
        let row = plane.row(y);
        let at = placed.offset as usize + y * placed.row_pitch as usize;
        if at + row.len() > requirements.size as usize {
            break;
        }
        // SAFETY: `at + row.len()` lies inside the mapped allocation (checked), which nothing else
        // touches; the row is a readable slice.
        unsafe { std::ptr::copy_nonoverlapping(row.as_ptr(), mapped.add(at), row.len()) };
    }
    // SAFETY: mapped above.
    unsafe { target.0.device.unmap_memory(owned.memory) };
    Ok(owned)
}
