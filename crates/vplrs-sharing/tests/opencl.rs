//! OpenCL export and import on the machine's OpenCL (PoCL in CI): pixels compared both ways,
//! shared means the same memory, references given back. Without OpenCL the tests say so and pass,
//! unless `VPLRS_REQUIRE_OPENCL` is set (CI sets it).
#![cfg(feature = "opencl")]

use std::time::Duration;

use opencl3::command_queue::CommandQueue;
use opencl3::context::Context;
use opencl3::device::{Device, CL_DEVICE_TYPE_ALL};
use opencl3::kernel::{ExecuteKernel, Kernel};
use opencl3::memory::{ClMem, Image, CL_MEM_OBJECT_IMAGE2D, CL_MEM_READ_WRITE, CL_R, CL_UNORM_INT8};
use opencl3::platform::get_platforms;
use opencl3::program::Program;
use opencl3::types::{cl_image_desc, cl_image_format, CL_BLOCKING};
use vplrs_memory::{FourCc, FrameInfo, LayoutOptions, MemType, PoolConfig, Surface, SurfacePool};
use vplrs_sharing::opencl::{export, import, ImportError, OpenClFrame, OpenClTarget};
use vplrs_sharing::{SharedAs, Sharing, SharingError};

struct App {
    queue: CommandQueue,
    context: Context,
    /// One test at a time: PoCL 3.1's clCreateImage now and then answers CL_INVALID_BUFFER_SIZE
    /// while other threads create images in other contexts.
    _serial: std::sync::MutexGuard<'static, ()>,
}

static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The application's own context and queue, or None (and a note) without OpenCL.
fn app() -> Option<App> {
    let serial = SERIAL.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let found = get_platforms().ok().and_then(|platforms| {
        let device = platforms.first()?.get_devices(CL_DEVICE_TYPE_ALL).ok()?.into_iter().next()?;
        let context = Context::from_device(&Device::new(device)).ok()?;
        #[allow(deprecated)]
        let queue = CommandQueue::create_default(&context, 0).ok()?;
        Some(App { queue, context, _serial: serial })
    });
    if found.is_none() {
        assert!(
            std::env::var_os("VPLRS_REQUIRE_OPENCL").is_none(),
            "VPLRS_REQUIRE_OPENCL is set and there is no OpenCL device"
        );
        eprintln!("no OpenCL device: test skipped");
    }
    found
}

fn target(app: &App) -> OpenClTarget {
    // SAFETY: the application's live context and queue.
    unsafe { OpenClTarget::from_raw(app.context.get(), app.queue.get()) }.expect("the application's target")
}

/// A 320x240 NV12 surface with a pattern in every plane.
fn patterned_nv12() -> Surface {
    let surface = Surface::new(FrameInfo::new(FourCc::Nv12, 320, 240), LayoutOptions::default()).unwrap();
    let mut pixels = surface.map_write().unwrap();
    let mut view = pixels.view_mut();
    for (index, plane) in view.planes_mut().iter_mut().enumerate() {
        for y in 0..plane.rows() {
            for (x, byte) in plane.row_mut(y).iter_mut().enumerate() {
                *byte = (x * 3 + y * 7 + index * 50) as u8;
            }
        }
    }
    drop(pixels);
    surface
}

/// The bytes of an image (width x height texels of `texel` bytes), read by OpenCL.
fn read_image(app: &App, image: opencl3::types::cl_mem, width: usize, height: usize, texel: usize) -> Vec<u8> {
    let mut bytes = vec![0u8; width * height * texel];
    let image = std::mem::ManuallyDrop::new(Image::new(image));
    // SAFETY: `bytes` holds the whole region; blocking read.
    unsafe {
        app.queue
            .enqueue_read_image(
                &image,
                CL_BLOCKING,
                [0, 0, 0].as_ptr(),
                [width, height, 1].as_ptr(),
                width * texel,
                0,
                bytes.as_mut_ptr().cast(),
                &[],
            )
            .unwrap();
    }
    bytes
}

/// The rows of plane `index` of `surface`, packed.
fn surface_plane(surface: &Surface, index: usize) -> Vec<u8> {
    let pixels = surface.map_read().unwrap();
    let plane = pixels.view().plane(index);
    plane.rows_iter().flatten().copied().collect()
}

/// Writes `value` to every texel of a CL_R image with a kernel.
fn fill_with_kernel(app: &App, image: opencl3::types::cl_mem, width: usize, height: usize, value: f32) {
    let source = "__kernel void fill(__write_only image2d_t dst, float v) {
        write_imagef(dst, (int2)(get_global_id(0), get_global_id(1)), (float4)(v, 0, 0, 1)); }";
    let program = Program::create_and_build_from_source(&app.context, source, "").unwrap();
    let kernel = Kernel::create(&program, "fill").unwrap();
    // SAFETY: the kernel's arguments are an image and a float.
    let event = unsafe {
        ExecuteKernel::new(&kernel)
            .set_arg(&image)
            .set_arg(&value)
            .set_global_work_sizes(&[width, height])
            .enqueue_nd_range(&app.queue)
    }
    .unwrap();
    event.wait().unwrap();
    app.queue.finish().unwrap();
}

#[test]
fn a_shared_export_is_the_surface_memory_both_ways_and_outlives_the_surface() {
    let Some(app) = app() else { return };
    let surface = patterned_nv12();
    let exported = export(&surface, target(&app), Sharing::SharedOrCopy).unwrap();
    assert_eq!(exported.shared_as(), SharedAs::Shared, "PoCL works on host memory in place");
    assert_eq!(exported.images().len(), 2);
    exported.synchronize(Duration::from_secs(1)).unwrap();
    // What the images hold is what Map reads.
    assert_eq!(read_image(&app, exported.images()[0].raw(), 320, 240, 1), surface_plane(&surface, 0));
    // PoCL has no CL_RG: the chroma plane is CL_R twice as wide, bytes as in memory.
    assert_eq!(read_image(&app, exported.images()[1].raw(), 320, 120, 1), surface_plane(&surface, 1));
    // What a kernel writes is what Map reads: the images are the surface's memory.
    fill_with_kernel(&app, exported.images()[0].raw(), 320, 240, 1.0);
    assert!(surface_plane(&surface, 0).iter().all(|&byte| byte == 255));
    // The application may release the surface first: the export keeps the frame.
    let chroma = surface_plane(&surface, 1);
    drop(surface);
    assert_eq!(read_image(&app, exported.images()[1].raw(), 320, 120, 1), chroma);
}

#[test]
fn a_copy_export_stands_alone_and_shared_only_is_refused_where_it_cannot_be() {
    let Some(app) = app() else { return };
    let surface = patterned_nv12();
    let copied = export(&surface, target(&app), Sharing::Copy).unwrap();
    assert_eq!(copied.shared_as(), SharedAs::Copied);
    let before = surface_plane(&surface, 0);
    surface.map_write().unwrap().view_mut().plane_mut(0).fill(9);
    assert_eq!(read_image(&app, copied.images()[0].raw(), 320, 240, 1), before, "a copy does not follow the surface");
    // A format without OpenCL images here.
    let yuy2 = Surface::new(FrameInfo::new(FourCc::Yuy2, 64, 64), LayoutOptions::default()).unwrap();
    assert!(matches!(export(&yuy2, target(&app), Sharing::SharedOrCopy), Err(SharingError::Unsupported(_))));
}

/// The application's NV12 frame as two CL_R images (PoCL has no CL_RG), filled with a kernel.
fn app_images(app: &App, width: usize, height: usize) -> (Image, Image) {
    let format = cl_image_format { image_channel_order: CL_R, image_channel_data_type: CL_UNORM_INT8 };
    let make = |w: usize, h: usize| {
        // SAFETY: all-zero is the plain descriptor; no host pointer.
        let mut desc: cl_image_desc = unsafe { std::mem::zeroed() };
        desc.image_type = CL_MEM_OBJECT_IMAGE2D;
        desc.image_width = w;
        desc.image_height = h;
        // SAFETY: valid format and descriptor, no host pointer.
        unsafe { Image::create(&app.context, CL_MEM_READ_WRITE, &format, &desc, std::ptr::null_mut()) }.unwrap()
    };
    let (luma, chroma) = (make(width, height), make(width, height / 2));
    fill_with_kernel(app, luma.get(), width, height, 100.0 / 255.0);
    fill_with_kernel(app, chroma.get(), width, height / 2, 200.0 / 255.0);
    (luma, chroma)
}

fn pool(width: u32, height: u32) -> SurfacePool {
    SurfacePool::new(PoolConfig::new(FrameInfo::new(FourCc::Nv12, width, height), MemType::SYSTEM_MEMORY)).unwrap()
}

fn frame(app: &App, luma: &Image, chroma: &Image) -> OpenClFrame {
    // SAFETY: the application's live objects.
    unsafe { OpenClFrame::from_raw(app.context.get(), app.queue.get(), &[luma.get(), chroma.get()]) }.unwrap()
}

#[test]
fn an_import_shares_the_images_holds_them_while_the_surface_lives_and_copies_when_asked() {
    let Some(app) = app() else { return };
    let (luma, chroma) = app_images(&app, 320, 240);
    let references = luma.reference_count().unwrap();
    let pool = pool(320, 240);
    let (surface, shared_as) =
        import(frame(&app, &luma, &chroma), pool.info(), Sharing::SharedOrCopy, || pool.acquire()).unwrap();
    assert_eq!(shared_as, SharedAs::Shared);
    assert_eq!(pool.stats().allocations, 0, "a shared import takes no pool surface");
    assert!(surface_plane(&surface, 0).iter().all(|&byte| byte == 100));
    assert!(surface_plane(&surface, 1).iter().all(|&byte| byte == 200));
    // The runtime's reference (PoCL counts the mapping as one more).
    let held_count = luma.reference_count().unwrap();
    assert!(held_count > references, "the runtime holds the image");
    let held = surface.hold().unwrap();
    drop(surface);
    assert_eq!(luma.reference_count().unwrap(), held_count, "Locked keeps the image");
    drop(held);
    assert_eq!(luma.reference_count().unwrap(), references, "given back at the last reference and Locked");

    let (copy, shared_as) = import(frame(&app, &luma, &chroma), pool.info(), Sharing::Copy, || pool.acquire()).unwrap();
    assert_eq!(shared_as, SharedAs::Copied);
    assert_eq!(luma.reference_count().unwrap(), references, "a copy holds nothing");
    assert!(surface_plane(&copy, 1).iter().all(|&byte| byte == 200));
}

#[test]
fn an_import_refuses_images_that_do_not_hold_the_components_frame() {
    let Some(app) = app() else { return };
    let (luma, chroma) = app_images(&app, 160, 120);
    let pool = pool(320, 240);
    let outcome = import(frame(&app, &luma, &chroma), pool.info(), Sharing::SharedOrCopy, || pool.acquire());
    assert!(matches!(outcome, Err(ImportError::Sharing(SharingError::Mismatch(_)))), "images smaller than the picture");
    // SAFETY: NULL is allowed and refused.
    let null = unsafe { OpenClFrame::from_raw(app.context.get(), app.queue.get(), &[std::ptr::null_mut()]) };
    assert!(matches!(null, Err(SharingError::NullHandle(_))));
}

#[test]
fn ten_bit_planes_are_sixteen_bit_images_and_rgb_one_bgra_image() {
    let Some(app) = app() else { return };
    for (fourcc, planes) in [(FourCc::P010, vec![(320, 240, 2), (320, 120, 2)]), (FourCc::Rgb4, vec![(320, 240, 4)])] {
        let surface = Surface::new(FrameInfo::new(fourcc, 320, 240), LayoutOptions::default()).unwrap();
        {
            let mut pixels = surface.map_write().unwrap();
            for plane in pixels.view_mut().planes_mut() {
                for y in 0..plane.rows() {
                    for (x, byte) in plane.row_mut(y).iter_mut().enumerate() {
                        *byte = (x * 7 + y) as u8;
                    }
                }
            }
        }
        let exported = export(&surface, target(&app), Sharing::Shared).unwrap();
        assert_eq!(exported.images().len(), planes.len(), "{fourcc:?}");
        for (index, (width, height, texel)) in planes.into_iter().enumerate() {
            let image = exported.images()[index].raw();
            assert_eq!(
                read_image(&app, image, width, height, texel),
                surface_plane(&surface, index),
                "{fourcc:?} plane {index}"
            );
        }
    }
}
