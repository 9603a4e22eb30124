//! Vulkan export and import on the machine's Vulkan (lavapipe in CI): a transfer's writes seen
//! through Map (shared is the same memory), copies independent, images of the right format.
//! Without Vulkan the tests say so and pass, unless `VPLRS_REQUIRE_VULKAN` is set (CI sets it).
#![cfg(feature = "vulkan")]

use ash::vk::{self, Handle};
use vplrs_memory::{FourCc, FrameInfo, LayoutOptions, MemType, PoolConfig, Surface, SurfacePool};
use vplrs_sharing::vulkan::{export, import, VulkanFrame, VulkanTarget};
use vplrs_sharing::{SharedAs, Sharing, SharingError};

/// The application's instance and device (with `VK_EXT_external_memory_host`), as an
/// application sets them up.
struct App {
    _entry: ash::Entry,
    instance: ash::Instance,
    physical: vk::PhysicalDevice,
    device: ash::Device,
}

impl Drop for App {
    fn drop(&mut self) {
        // SAFETY: made in `app`, idle, destroyed once.
        unsafe {
            self.device.destroy_device(None);
            self.instance.destroy_instance(None);
        }
    }
}

fn app() -> Option<App> {
    // SAFETY: the system's loader; plain instance and device create infos.
    let made = unsafe {
        (|| {
            let entry = ash::Entry::load().ok()?;
            let application = vk::ApplicationInfo::default().api_version(vk::API_VERSION_1_1);
            let instance =
                entry.create_instance(&vk::InstanceCreateInfo::default().application_info(&application), None).ok()?;
            let physical = *instance.enumerate_physical_devices().ok()?.first()?;
            let extensions = [ash::ext::external_memory_host::NAME.as_ptr()];
            let priorities = [1.0f32];
            let queues = [vk::DeviceQueueCreateInfo::default().queue_family_index(0).queue_priorities(&priorities)];
            let info = vk::DeviceCreateInfo::default().queue_create_infos(&queues).enabled_extension_names(&extensions);
            let device = instance.create_device(physical, &info, None).ok()?;
            Some(App { _entry: entry, instance, physical, device })
        })()
    };
    if made.is_none() {
        assert!(
            std::env::var_os("VPLRS_REQUIRE_VULKAN").is_none(),
            "VPLRS_REQUIRE_VULKAN is set and there is no Vulkan device"
        );
        eprintln!("no Vulkan device with VK_EXT_external_memory_host: test skipped");
    }
    made
}

fn target(app: &App) -> VulkanTarget {
    // SAFETY: the application's live, related objects.
    unsafe {
        VulkanTarget::from_raw(app.instance.handle().as_raw(), app.physical.as_raw(), app.device.handle().as_raw())
    }
    .expect("the application's target")
}

fn patterned(fourcc: FourCc) -> Surface {
    let surface = Surface::new(FrameInfo::new(fourcc, 320, 240), LayoutOptions::default()).unwrap();
    let mut pixels = surface.map_write().unwrap();
    for plane in pixels.view_mut().planes_mut() {
        for y in 0..plane.rows() {
            for (x, byte) in plane.row_mut(y).iter_mut().enumerate() {
                *byte = (x * 5 + y * 3) as u8;
            }
        }
    }
    drop(pixels);
    surface
}

/// The rows of an exported image (row_bytes each), read through a mapping of its memory.
fn read_back(app: &App, image: u64, memory: u64, row_bytes: usize, rows: usize) -> Vec<u8> {
    let subresource = vk::ImageSubresource { aspect_mask: vk::ImageAspectFlags::COLOR, mip_level: 0, array_layer: 0 };
    // SAFETY: a linear image of this device and its host-visible memory, mapped once here.
    unsafe {
        let placed = app.device.get_image_subresource_layout(vk::Image::from_raw(image), subresource);
        let memory = vk::DeviceMemory::from_raw(memory);
        let base = app.device.map_memory(memory, 0, vk::WHOLE_SIZE, vk::MemoryMapFlags::empty()).unwrap().cast::<u8>();
        let mut out = Vec::with_capacity(row_bytes * rows);
        for y in 0..rows {
            let row =
                std::slice::from_raw_parts(base.add(placed.offset as usize + y * placed.row_pitch as usize), row_bytes);
            out.extend_from_slice(row);
        }
        app.device.unmap_memory(memory);
        out
    }
}

fn surface_rows(surface: &Surface) -> Vec<u8> {
    let pixels = surface.map_read().unwrap();
    pixels.view().plane(0).rows_iter().flatten().copied().collect()
}

/// Clears an image to `color` with a transfer command on the device's queue, and waits.
fn clear_with_transfer(app: &App, image: u64, color: [f32; 4]) {
    let device = &app.device;
    // SAFETY: one command buffer on queue family 0, submitted and waited for; the image is this
    // device's, moved from PREINITIALIZED to GENERAL (a linear image keeps its memory there).
    unsafe {
        let pool =
            device.create_command_pool(&vk::CommandPoolCreateInfo::default().queue_family_index(0), None).unwrap();
        let buffers = device
            .allocate_command_buffers(
                &vk::CommandBufferAllocateInfo::default().command_pool(pool).command_buffer_count(1),
            )
            .unwrap();
        let commands = buffers[0];
        device.begin_command_buffer(commands, &vk::CommandBufferBeginInfo::default()).unwrap();
        let range = vk::ImageSubresourceRange {
            aspect_mask: vk::ImageAspectFlags::COLOR,
            base_mip_level: 0,
            level_count: 1,
            base_array_layer: 0,
            layer_count: 1,
        };
        let to_general = vk::ImageMemoryBarrier::default()
            .old_layout(vk::ImageLayout::PREINITIALIZED)
            .new_layout(vk::ImageLayout::GENERAL)
            .dst_access_mask(vk::AccessFlags::TRANSFER_WRITE)
            .image(vk::Image::from_raw(image))
            .subresource_range(range);
        device.cmd_pipeline_barrier(
            commands,
            vk::PipelineStageFlags::TOP_OF_PIPE,
            vk::PipelineStageFlags::TRANSFER,
            vk::DependencyFlags::empty(),
            &[],
            &[],
            &[to_general],
        );
        let clear = vk::ClearColorValue { float32: color };
        device.cmd_clear_color_image(commands, vk::Image::from_raw(image), vk::ImageLayout::GENERAL, &clear, &[range]);
        let to_host = vk::MemoryBarrier::default()
            .src_access_mask(vk::AccessFlags::TRANSFER_WRITE)
            .dst_access_mask(vk::AccessFlags::HOST_READ);
        device.cmd_pipeline_barrier(
            commands,
            vk::PipelineStageFlags::TRANSFER,
            vk::PipelineStageFlags::HOST,
            vk::DependencyFlags::empty(),
            &[to_host],
            &[],
            &[],
        );
        device.end_command_buffer(commands).unwrap();
        let queue = device.get_device_queue(0, 0);
        let fence = device.create_fence(&vk::FenceCreateInfo::default(), None).unwrap();
        device.queue_submit(queue, &[vk::SubmitInfo::default().command_buffers(&buffers)], fence).unwrap();
        device.wait_for_fences(&[fence], true, u64::MAX).unwrap();
        device.destroy_fence(fence, None);
        device.destroy_command_pool(pool, None);
    }
}

#[test]
fn a_shared_export_is_the_surface_memory_and_a_transfer_shows_through_map() {
    let Some(app) = app() else { return };
    let surface = patterned(FourCc::Rgb4);
    let exported = export(&surface, target(&app), Sharing::SharedOrCopy).unwrap();
    assert_eq!(exported.shared_as(), SharedAs::Shared, "lavapipe imports host memory");
    assert_eq!(read_back(&app, exported.image(), exported.memory(), 320 * 4, 240), surface_rows(&surface));
    // R, G, B, A = 0.2, 0.4, 0.6, 1.0: bytes B, G, R, A in a B8G8R8A8 image.
    clear_with_transfer(&app, exported.image(), [0.2, 0.4, 0.6, 1.0]);
    let rows = surface_rows(&surface);
    assert_eq!(&rows[..4], &[153, 102, 51, 255], "the transfer wrote the surface's own memory");
    assert!(rows.chunks(4).all(|pixel| pixel == [153, 102, 51, 255]));
    // The export keeps the frame: the surface may go first.
    drop(surface);
    assert_eq!(&read_back(&app, exported.image(), exported.memory(), 320 * 4, 1)[..4], &[153, 102, 51, 255]);
}

#[test]
fn a_copy_export_stands_alone_and_formats_without_images_are_refused() {
    let Some(app) = app() else { return };
    let surface = patterned(FourCc::Bgr4);
    let copied = export(&surface, target(&app), Sharing::Copy).unwrap();
    assert_eq!(copied.shared_as(), SharedAs::Copied);
    let before = surface_rows(&surface);
    surface.map_write().unwrap().view_mut().plane_mut(0).fill(7);
    assert_eq!(read_back(&app, copied.image(), copied.memory(), 320 * 4, 240), before);
    let nv12 = patterned(FourCc::Nv12);
    assert!(matches!(export(&nv12, target(&app), Sharing::SharedOrCopy), Err(SharingError::Unsupported(_))));
}

#[test]
fn an_imported_linear_image_is_shared_or_copied_into_the_pool() {
    let Some(app) = app() else { return };
    let info = vk::ImageCreateInfo::default()
        .image_type(vk::ImageType::TYPE_2D)
        .format(vk::Format::B8G8R8A8_UNORM)
        .extent(vk::Extent3D { width: 320, height: 240, depth: 1 })
        .mip_levels(1)
        .array_layers(1)
        .samples(vk::SampleCountFlags::TYPE_1)
        .tiling(vk::ImageTiling::LINEAR)
        .usage(vk::ImageUsageFlags::TRANSFER_SRC | vk::ImageUsageFlags::TRANSFER_DST)
        .initial_layout(vk::ImageLayout::PREINITIALIZED);
    // SAFETY: a linear image in host-visible memory on the application's device.
    let (image, memory) = unsafe {
        let image = app.device.create_image(&info, None).unwrap();
        let requirements = app.device.get_image_memory_requirements(image);
        let types = app.instance.get_physical_device_memory_properties(app.physical);
        let visible = vk::MemoryPropertyFlags::HOST_VISIBLE | vk::MemoryPropertyFlags::HOST_COHERENT;
        let index = (0..types.memory_type_count)
            .find(|&i| {
                requirements.memory_type_bits & (1 << i) != 0
                    && types.memory_types[i as usize].property_flags.contains(visible)
            })
            .unwrap();
        let allocation = vk::MemoryAllocateInfo::default().allocation_size(requirements.size).memory_type_index(index);
        let memory = app.device.allocate_memory(&allocation, None).unwrap();
        app.device.bind_image_memory(image, memory, 0).unwrap();
        (image, memory)
    };
    clear_with_transfer(&app, image.as_raw(), [1.0, 0.0, 0.2, 1.0]);
    let pool =
        SurfacePool::new(PoolConfig::new(FrameInfo::new(FourCc::Rgb4, 320, 240), MemType::SYSTEM_MEMORY)).unwrap();
    // SAFETY: the application's linear image and its host-visible memory, alive to the end.
    let frame = |app: &App| unsafe { VulkanFrame::from_raw(target(app), image.as_raw(), memory.as_raw()) }.unwrap();
    let (shared, how) = import(frame(&app), pool.info(), Sharing::SharedOrCopy, || pool.acquire()).unwrap();
    assert_eq!(how, SharedAs::Shared);
    assert!(surface_rows(&shared).chunks(4).all(|pixel| pixel == [51, 0, 255, 255]));
    drop(shared);
    let (copied, how) = import(frame(&app), pool.info(), Sharing::Copy, || pool.acquire()).unwrap();
    assert_eq!(how, SharedAs::Copied);
    assert_eq!(pool.stats().allocations, 1);
    assert!(surface_rows(&copied).chunks(4).all(|pixel| pixel == [51, 0, 255, 255]));
    drop(copied);
    // SAFETY: nothing uses them any more.
    unsafe {
        app.device.destroy_image(image, None);
        app.device.free_memory(memory, None);
    }
}
