//! Many threads acquire, map, produce, read and release: no leak, no surface handed out twice.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use vplrs_memory::{AllocationHints, AllocationPolicy, FourCc, FrameInfo, MemType, PoolConfig, SurfacePool};

#[test]
fn concurrent_acquire_map_release_hands_out_each_surface_once() {
    const THREADS: usize = 8;
    const ROUNDS: usize = 2000;
    const MAX: u32 = 5;
    let hints = AllocationHints {
        policy: AllocationPolicy::Limited,
        pre_allocate: 2,
        delta_on_the_fly: MAX - 2,
        wait_ms: 5000,
    };
    let pool =
        SurfacePool::new(PoolConfig::new(FrameInfo::new(FourCc::Nv12, 32, 32), MemType::FROM_DECODE).with_hints(hints))
            .unwrap();
    let in_use = Arc::new(Mutex::new(HashSet::new()));
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let pool = pool.clone();
            let in_use = in_use.clone();
            std::thread::spawn(move || {
                for round in 0..ROUNDS {
                    let surface = pool.acquire().expect("a surface within the wait");
                    assert!(in_use.lock().unwrap().insert(surface.id()), "surface handed out twice");
                    assert_eq!(surface.ref_count(), 1);
                    let stamp = (t * 31 + round) as u8;
                    // Produce the frame on another thread, as a component would.
                    let mut output = surface.begin_output().expect("free surface is writable");
                    let producer = std::thread::spawn(move || {
                        output.view_mut().plane_mut(0).fill(stamp);
                        output.finish(Ok(()));
                    });
                    let extra = surface.clone();
                    {
                        // The read waits for the producer.
                        let read = extra.map_read().expect("read");
                        assert!(read.view().plane(0).rows_iter().all(|row| row.iter().all(|&b| b == stamp)));
                    }
                    producer.join().unwrap();
                    surface.synchronize(Duration::from_secs(5)).unwrap();
                    assert!(in_use.lock().unwrap().remove(&surface.id()));
                    drop(extra);
                    drop(surface);
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }
    let stats = pool.stats();
    assert_eq!(stats.in_use, 0, "every surface came back");
    assert!(stats.surfaces <= MAX, "never more than the limit");
    assert_eq!(stats.allocations, u64::from(stats.surfaces), "recycled, not reallocated");
    // Pre-allocated surfaces are served from the free list (a reuse); growth is an allocation.
    let growth = stats.allocations - u64::from(hints.pre_allocate);
    assert_eq!(stats.reuses + growth, (THREADS * ROUNDS) as u64, "every acquire accounted for");
}
