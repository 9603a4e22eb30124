//! Hot-path costs of the memory model: acquire+release from a warm pool, map+unmap.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use vplrs_memory::{AllocationHints, FourCc, FrameInfo, MapFlags, MemType, PoolConfig, SurfacePool};

fn warm_pool() -> SurfacePool {
    let hints = AllocationHints { pre_allocate: 4, ..Default::default() };
    let config = PoolConfig::new(FrameInfo::new(FourCc::Nv12, 1920, 1080), MemType::FROM_VPPIN).with_hints(hints);
    SurfacePool::new(config).expect("pool")
}

fn surface_ops(c: &mut Criterion) {
    let pool = warm_pool();
    c.bench_function("pool acquire+release (warm, 1080p NV12)", |b| {
        b.iter(|| drop(black_box(pool.acquire().expect("surface"))))
    });
    let surface = pool.acquire().expect("surface");
    c.bench_function("surface map+unmap (C-style, read)", |b| {
        b.iter(|| {
            black_box(surface.map(MapFlags::READ.bits()).expect("map"));
            // SAFETY: the access taken just above, whose pointers are not used.
            unsafe { surface.unmap() }.expect("unmap");
        })
    });
    c.bench_function("surface map+unmap (C-style, write)", |b| {
        b.iter(|| {
            black_box(surface.map(MapFlags::WRITE.bits()).expect("map"));
            // SAFETY: the access taken just above, whose pointers are not used.
            unsafe { surface.unmap() }.expect("unmap");
        })
    });
    c.bench_function("surface read guard (Rust)", |b| b.iter(|| drop(black_box(surface.map_read().expect("map")))));
    c.bench_function("surface AddRef+Release (clone+drop)", |b| b.iter(|| drop(black_box(surface.clone()))));
}

criterion_group!(benches, surface_ops);
criterion_main!(benches);
