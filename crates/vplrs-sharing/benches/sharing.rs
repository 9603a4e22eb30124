//! Export and import costs against what an application does without sharing (Map, then memcpy
//! into its own buffer), at 320x240, 1920x1080 and 3840x2160, on the machine's OpenCL and Vulkan.
//!
//! Shared exports and imports copy no pixel: their time per call should stay flat across sizes.
//! Copies should run near memcpy's bandwidth (criterion prints bytes/s for every case: one frame).
//! Run: `cargo bench -p vplrs-sharing`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use vplrs_memory::{FourCc, FrameInfo, LayoutOptions, MemType, PoolConfig, Surface, SurfacePool};
use vplrs_sharing::opencl::{self, OpenClFrame, OpenClTarget};
use vplrs_sharing::vulkan::{self, VulkanTarget};
use vplrs_sharing::Sharing;

const SIZES: [(u32, u32); 3] = [(320, 240), (1920, 1080), (3840, 2160)];

fn surface(fourcc: FourCc, width: u32, height: u32) -> Surface {
    Surface::new(FrameInfo::new(fourcc, width, height), LayoutOptions::default()).expect("surface")
}

/// Map, then copy every plane into the application's buffer: the path without sharing.
fn map_and_copy(surface: &Surface, into: &mut Vec<u8>) {
    into.clear();
    let pixels = surface.map_read().expect("map");
    for plane in pixels.view().planes() {
        for row in plane.rows_iter() {
            into.extend_from_slice(row);
        }
    }
}

fn frame_bytes(surface: &Surface) -> u64 {
    surface.layout().planes().iter().map(|plane| (plane.row_bytes * plane.rows) as u64).sum()
}

fn opencl_sharing(c: &mut Criterion) {
    if OpenClTarget::runtime().is_err() {
        eprintln!("no OpenCL: OpenCL cases skipped");
        return;
    }
    let mut group = c.benchmark_group("opencl NV12");
    for (width, height) in SIZES {
        let frame = surface(FourCc::Nv12, width, height);
        let size = format!("{width}x{height}");
        group.throughput(Throughput::Bytes(frame_bytes(&frame)));
        let mut buffer = Vec::new();
        group.bench_function(BenchmarkId::new("map + memcpy (no sharing)", &size), |b| {
            b.iter(|| map_and_copy(&frame, &mut buffer))
        });
        group.bench_function(BenchmarkId::new("export shared", &size), |b| {
            b.iter(|| {
                let target = OpenClTarget::runtime().expect("target");
                black_box(opencl::export(&frame, target, Sharing::Shared).expect("export"))
            })
        });
        group.bench_function(BenchmarkId::new("export copy", &size), |b| {
            b.iter(|| {
                let target = OpenClTarget::runtime().expect("target");
                black_box(opencl::export(&frame, target, Sharing::Copy).expect("export"))
            })
        });
        // The application's images: a copy export's, imported back.
        let images = opencl::export(&frame, OpenClTarget::runtime().expect("target"), Sharing::Copy).expect("export");
        let raw: Vec<_> = images.images().iter().map(|image| image.raw()).collect();
        let (context, queue) = (images.target().context().raw(), images.target().queue().raw());
        // Copies go into a warm pool's surfaces, as a component's do.
        let pool = SurfacePool::new(PoolConfig::new(frame.info(), MemType::SYSTEM_MEMORY)).expect("pool");
        for (name, sharing) in [("import shared", Sharing::Shared), ("import copy", Sharing::Copy)] {
            group.bench_function(BenchmarkId::new(name, &size), |b| {
                b.iter(|| {
                    // SAFETY: live objects of the runtime's own context.
                    let source = unsafe { OpenClFrame::from_raw(context, queue, &raw) }.expect("frame");
                    let into = || pool.acquire();
                    black_box(opencl::import(source, &frame.info(), sharing, into).expect("import"))
                })
            });
        }
    }
    group.finish();
}

fn vulkan_sharing(c: &mut Criterion) {
    if VulkanTarget::runtime().is_err() {
        eprintln!("no Vulkan: Vulkan cases skipped");
        return;
    }
    let mut group = c.benchmark_group("vulkan RGB4");
    for (width, height) in SIZES {
        let frame = surface(FourCc::Rgb4, width, height);
        let size = format!("{width}x{height}");
        group.throughput(Throughput::Bytes(frame_bytes(&frame)));
        let mut buffer = Vec::new();
        group.bench_function(BenchmarkId::new("map + memcpy (no sharing)", &size), |b| {
            b.iter(|| map_and_copy(&frame, &mut buffer))
        });
        for (name, sharing) in [("export shared", Sharing::Shared), ("export copy", Sharing::Copy)] {
            group.bench_function(BenchmarkId::new(name, &size), |b| {
                b.iter(|| {
                    let target = VulkanTarget::runtime().expect("target");
                    black_box(vulkan::export(&frame, target, sharing).expect("export"))
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, opencl_sharing, vulkan_sharing);
criterion_main!(benches);
