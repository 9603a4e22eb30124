//! Pool policies, waits, recycling, and the external allocator with failure injection.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use vplrs_memory::allocator::{AllocRequest, AllocResponse, AllocatorError, ExternalAllocator, MemId, NativeHandle};
use vplrs_memory::{
    AcquireError, AllocError, AllocationHints, AllocationPolicy, FourCc, FrameInfo, MemType, PlanePointers, PoolConfig,
    PoolWarning, SurfacePool,
};

fn info() -> FrameInfo {
    FrameInfo::new(FourCc::Nv12, 64, 32)
}

fn pool(policy: AllocationPolicy, pre: u32, delta: u32, wait_ms: u32, suggested: u32) -> SurfacePool {
    let hints = AllocationHints { policy, pre_allocate: pre, delta_on_the_fly: delta, wait_ms };
    SurfacePool::new(PoolConfig::new(info(), MemType::FROM_VPPOUT).with_hints(hints).with_suggested(suggested)).unwrap()
}

#[test]
fn released_surfaces_are_recycled_not_reallocated() {
    let pool = pool(AllocationPolicy::Unlimited, 2, 0, 0, 0);
    assert_eq!(pool.current_size(), 2, "pre-allocated at creation");
    assert_eq!(pool.max_size(), u32::MAX);
    let ids: Vec<u64> = (0..100)
        .map(|_| {
            let s = pool.acquire().unwrap();
            assert_eq!(s.ref_count(), 1);
            assert_eq!(s.locked(), 0);
            s.id()
        })
        .collect();
    assert!(ids.iter().all(|&id| id == ids[0]), "one surface serves a sequential loop");
    let stats = pool.stats();
    assert_eq!(stats.allocations, 2);
    assert_eq!(stats.reuses, 100);
    assert_eq!(stats.peak_in_use, 1);
    assert_eq!(stats.in_use, 0);
    assert_eq!(stats.bytes, 2 * pool.layout().size as u64);
    let (a, b, c) = (pool.acquire().unwrap(), pool.acquire().unwrap(), pool.acquire().unwrap());
    assert_eq!(pool.current_size(), 3, "unlimited grows on demand");
    assert!(a.pool().unwrap().ptr_eq(&pool));
    drop((a, b, c));
    assert_eq!(pool.stats().peak_in_use, 3);
}

#[test]
fn limited_pool_waits_then_times_out() {
    let pool = pool(AllocationPolicy::Limited, 1, 1, 30, 0);
    assert_eq!(pool.max_size(), 2);
    let a = pool.acquire().unwrap();
    let b = pool.acquire().unwrap();
    let start = Instant::now();
    let error = pool.acquire().unwrap_err();
    assert!(start.elapsed() >= Duration::from_millis(30));
    assert_eq!(error, AcquireError::Timeout(30));
    assert_eq!(pool.stats().timeouts, 1);

    // A release during the wait hands the surface to the waiter.
    let waiter = {
        let pool = pool.clone();
        std::thread::spawn(move || pool.acquire_timeout(Duration::from_secs(5)).map(|s| s.id()))
    };
    std::thread::sleep(Duration::from_millis(20));
    let freed = a.id();
    drop(a);
    assert_eq!(waiter.join().unwrap().unwrap(), freed);
    assert!(pool.stats().waits >= 2);
    drop(b);
}

#[test]
fn optimal_pool_follows_set_and_revoke() {
    let pool = pool(AllocationPolicy::Optimal, 0, 0, 0, 3);
    assert_eq!(pool.max_size(), 3);
    let held: Vec<_> = (0..3).map(|_| pool.acquire().unwrap()).collect();
    assert!(matches!(pool.acquire(), Err(AcquireError::Timeout(0))));
    assert_eq!(pool.set_num_surfaces(2), None);
    assert_eq!(pool.max_size(), 5);
    let more: Vec<_> = (0..2).map(|_| pool.acquire().unwrap()).collect();
    assert_eq!(pool.revoke_surfaces(7), Some(PoolWarning::OutOfRange));
    assert_eq!(pool.revoke_surfaces(2), None);
    assert_eq!(pool.max_size(), 3);
    drop(more);
    assert_eq!(pool.current_size(), 3, "surfaces above the maximum are freed on release");
    drop(held);

    let unlimited = self::pool(AllocationPolicy::Unlimited, 0, 0, 0, 3);
    assert_eq!(unlimited.set_num_surfaces(2), Some(PoolWarning::IncompatiblePolicy));
    assert_eq!(unlimited.revoke_surfaces(2), Some(PoolWarning::IncompatiblePolicy));
    let limited = self::pool(AllocationPolicy::Limited, 1, 0, 0, 3);
    assert_eq!(limited.set_num_surfaces(2), Some(PoolWarning::IncompatiblePolicy));
}

#[test]
fn closing_keeps_referenced_surfaces_valid() {
    let pool = pool(AllocationPolicy::Unlimited, 4, 0, 0, 0);
    let kept = pool.acquire().unwrap();
    pool.close();
    assert_eq!(pool.acquire().unwrap_err(), AcquireError::Closed);
    assert_eq!(pool.current_size(), 1);
    let guard = kept.map_read().unwrap();
    assert_eq!(guard.view().plane(0).row(0).len(), 64);
    drop(guard);
    drop(kept);
    assert_eq!(pool.current_size(), 0);
}

/// An allocator double in the style of the spec's example (system-memory NV12 only), which fails
/// the k-th alloc call and records everything.
#[derive(Default)]
struct TestAllocator {
    fail_at: Option<usize>,
    calls: AtomicUsize,
    next_mid: AtomicUsize,
    frames: Mutex<HashMap<usize, Box<[u8]>>>,
    live_responses: Mutex<Vec<usize>>,
    frees: AtomicUsize,
    locks: AtomicUsize,
    unlocks: AtomicUsize,
    locked_now: Mutex<Vec<usize>>,
}

const PITCH: usize = 128;

// SAFETY: `lock` returns pointers into boxed buffers that live until `free`, sized for the
// request (PITCH >= width, height * 3 / 2 rows).
unsafe impl ExternalAllocator for TestAllocator {
    fn alloc(&self, request: &AllocRequest) -> Result<AllocResponse, AllocatorError> {
        let call = self.calls.fetch_add(1, Ordering::SeqCst);
        if Some(call) == self.fail_at {
            return Err(AllocatorError::OutOfMemory);
        }
        if !request.mem_type.is_system_memory() || request.info.fourcc != FourCc::Nv12 {
            return Err(AllocatorError::Unsupported);
        }
        assert!(request.info.width as usize <= PITCH);
        let mut frames = self.frames.lock().unwrap();
        let mids = (0..request.num_frame_min)
            .map(|_| {
                let mid = self.next_mid.fetch_add(1, Ordering::SeqCst) + 1;
                frames.insert(mid, vec![0u8; PITCH * request.info.height as usize * 3 / 2].into_boxed_slice());
                MemId(mid)
            })
            .collect();
        let cookie = call + 1000;
        self.live_responses.lock().unwrap().push(cookie);
        Ok(AllocResponse { alloc_id: request.alloc_id, mids, mem_type: request.mem_type, cookie })
    }

    fn lock(&self, mid: MemId) -> Result<PlanePointers, AllocatorError> {
        let mut frames = self.frames.lock().unwrap();
        let frame = frames.get_mut(&mid.0).ok_or(AllocatorError::UnknownMemId)?;
        self.locks.fetch_add(1, Ordering::SeqCst);
        self.locked_now.lock().unwrap().push(mid.0);
        let rows = frame.len() / PITCH * 2 / 3;
        let base = frame.as_mut_ptr();
        let mut pointers = PlanePointers::default();
        pointers.ptr[0] = base;
        pointers.ptr[1] = base.wrapping_add(PITCH * rows);
        pointers.pitch = [PITCH, PITCH, 0];
        Ok(pointers)
    }

    fn unlock(&self, mid: MemId) -> Result<(), AllocatorError> {
        self.unlocks.fetch_add(1, Ordering::SeqCst);
        let mut locked = self.locked_now.lock().unwrap();
        let index = locked.iter().position(|&m| m == mid.0).expect("unlock of a locked mid");
        locked.remove(index);
        Ok(())
    }

    fn get_hdl(&self, _mid: MemId) -> Result<NativeHandle, AllocatorError> {
        Err(AllocatorError::Unsupported)
    }

    fn free(&self, response: &AllocResponse) -> Result<(), AllocatorError> {
        self.frees.fetch_add(1, Ordering::SeqCst);
        let mut live = self.live_responses.lock().unwrap();
        let index = live.iter().position(|&c| c == response.cookie).expect("free of a live response, once");
        live.remove(index);
        let mut frames = self.frames.lock().unwrap();
        for mid in &response.mids {
            frames.remove(&mid.0).expect("mid allocated");
        }
        Ok(())
    }
}

fn external_pool(
    allocator: &Arc<TestAllocator>,
    fourcc: FourCc,
    pre: u32,
) -> Result<SurfacePool, vplrs_memory::AllocError> {
    let hints = AllocationHints { policy: AllocationPolicy::Unlimited, pre_allocate: pre, ..Default::default() };
    let allocator: Arc<dyn ExternalAllocator> = allocator.clone();
    SurfacePool::new(
        PoolConfig::new(FrameInfo::new(fourcc, 64, 32), MemType::FROM_DECODE | MemType::INTERNAL_FRAME)
            .with_hints(hints)
            .with_allocator(Some(allocator)),
    )
}

#[test]
fn external_surfaces_are_locked_only_while_mapped() {
    let allocator = Arc::new(TestAllocator::default());
    let pool = external_pool(&allocator, FourCc::Nv12, 2).unwrap();
    let s = pool.acquire().unwrap();
    assert!(s.mem_id().is_some());
    assert_eq!(allocator.locks.load(Ordering::SeqCst), 0, "not locked until accessed");
    {
        let mut w = s.map_write().unwrap();
        w.view_mut().plane_mut(0).fill(200);
        assert_eq!(allocator.locked_now.lock().unwrap().len(), 1);
    }
    assert_eq!(allocator.unlocks.load(Ordering::SeqCst), 1, "unlocked after access");
    {
        let r1 = s.map_read().unwrap();
        let r2 = s.map_read().unwrap();
        assert_eq!(r1.view().plane(0).row(5)[3], 200);
        assert_eq!(r2.view().plane(0).pitch(), PITCH);
        assert_eq!(allocator.locks.load(Ordering::SeqCst), 2, "two readers share one lock");
    }
    assert!(allocator.locked_now.lock().unwrap().is_empty());
    assert_eq!(s.native_handle().unwrap_err(), vplrs_memory::HandleError::SystemMemory);
    drop(s);
    drop(pool);
    assert_eq!(allocator.frees.load(Ordering::SeqCst), 1);
    assert!(allocator.live_responses.lock().unwrap().is_empty());
}

#[test]
fn refused_requests_fall_back_to_internal_memory() {
    let allocator = Arc::new(TestAllocator::default());
    let pool = external_pool(&allocator, FourCc::Rgb4, 1).unwrap();
    let s = pool.acquire().unwrap();
    assert!(s.mem_id().is_none(), "RGB4 is refused by the allocator and served internally");
    assert_eq!(pool.stats().fallbacks, 1);
    drop(s.map_write().unwrap());
    assert_eq!(allocator.locks.load(Ordering::SeqCst), 0);
}

#[test]
fn alloc_failing_at_every_k_is_clean_and_leak_free() {
    for k in 0..6 {
        let allocator = Arc::new(TestAllocator { fail_at: Some(k), ..Default::default() });
        let result = external_pool(&allocator, FourCc::Nv12, 2).map(|pool| {
            let mut held = Vec::new();
            for _ in 0..5 {
                match pool.acquire() {
                    Ok(surface) => held.push(surface),
                    Err(error) => {
                        assert!(matches!(error, AcquireError::Alloc(AllocError::Allocator(_))), "{error}");
                        break;
                    }
                }
            }
            held.len()
        });
        if k == 0 {
            assert!(matches!(result, Err(AllocError::Allocator(_))), "pre-allocation fails");
        } else {
            assert!(result.is_ok());
        }
        assert_eq!(
            allocator.frees.load(Ordering::SeqCst),
            allocator.calls.load(Ordering::SeqCst) - usize::from(k < allocator.calls.load(Ordering::SeqCst)),
            "every successful alloc freed exactly once (k = {k})"
        );
        assert!(allocator.live_responses.lock().unwrap().is_empty(), "k = {k}");
        assert!(allocator.frames.lock().unwrap().is_empty(), "k = {k}");
    }
}

#[test]
fn the_report_names_every_holder_of_an_exhausted_pool() {
    let pool = pool(AllocationPolicy::Limited, 1, 2, 0, 0);
    let held = pool.acquire().unwrap();
    let mapped = pool.acquire().unwrap();
    let locked = pool.acquire().unwrap();
    let reading = mapped.map_read().unwrap();
    let hold = locked.hold_for_operation("VPP (its input)", 7).unwrap();
    let second_hold = locked.hold_by("the decoder (a picture libavcodec keeps)").unwrap();
    let _second = held.clone();
    assert!(matches!(pool.acquire(), Err(AcquireError::Timeout(_))));
    let report = pool.report();
    assert_eq!((report.surfaces.len(), report.in_use(), report.free, report.max_size), (3, 3, 0, 3));
    let usage = |surface: &vplrs_memory::Surface| report.surfaces.iter().find(|u| u.id == surface.id()).unwrap();
    assert_eq!(usage(&held).references, 2);
    assert_eq!(usage(&mapped).readers, 1);
    assert_eq!(usage(&locked).locked, 2);
    let holders: Vec<_> = usage(&locked).holders.iter().map(|h| (h.who, h.operation)).collect();
    assert_eq!(
        holders,
        [("VPP (its input)", Some(7)), ("the decoder (a picture libavcodec keeps)", None)],
        "the report says who holds the Locked counter, and for which operation"
    );
    assert!(report.surfaces.iter().all(|u| u.held_for.is_some()));
    let text = report.to_string();
    assert!(text.contains("limited policy, at most 3") && text.contains("3 in use"), "{text}");
    assert!(text.starts_with("VPP output pool of NV12"), "the report names what the pool serves: {text}");
    assert!(text.contains(&format!("surface {}: 2 reference(s)", held.id())), "{text}");
    assert!(text.contains("Locked 2 (by VPP (its input) for operation 7 since 0.0"), "{text}");
    assert!(text.contains("; the decoder (a picture libavcodec keeps) since 0.0"), "{text}");
    assert!(text.contains("mapped for reading 1 time(s)"), "{text}");
    drop(reading);
    drop(hold);
    assert_eq!(pool.report().surfaces.iter().find(|u| u.id == locked.id()).unwrap().holders.len(), 1);
    drop(second_hold);
    drop((held, mapped, locked, _second));
    let after = pool.report();
    assert_eq!((after.in_use(), after.free), (0, 3));
    assert!(after.surfaces.iter().all(|u| u.holders.is_empty()), "holds end with their guards");
}

/// Hints asking for more surfaces than the machine holds (`NumberToPreAllocate` is a u32) are an
/// allocation error at once, not an out-of-memory death (found by fuzzing the C ABI).
#[test]
fn impossible_pre_allocations_are_refused_before_allocating() {
    for count in [4097, 1_000_000, u32::MAX] {
        let hints = AllocationHints { policy: AllocationPolicy::Unlimited, pre_allocate: count, ..Default::default() };
        let refused = SurfacePool::new(PoolConfig::new(info(), MemType::FROM_DECODE).with_hints(hints));
        assert!(matches!(refused, Err(AllocError::OutOfMemory(_))), "{count} surfaces");
    }
    let fine = AllocationHints { policy: AllocationPolicy::Unlimited, pre_allocate: 64, ..Default::default() };
    assert!(SurfacePool::new(PoolConfig::new(info(), MemType::FROM_DECODE).with_hints(fine)).is_ok());
}
