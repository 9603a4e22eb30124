//! After warm-up, a VPP loop allocates nothing per frame.

use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use vplrs_memory::{AllocationHints, AllocationPolicy, FourCc, FrameInfo};
use vplrs_runtime::Core;
use vplrs_vpp::{Vpp, VppParams};

struct CountingAllocator;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards to the system allocator, only counting calls.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as ours.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as ours.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as ours.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        // SAFETY: same contract as ours.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

fn run_frames(vpp: &mut Vpp, frames: usize, depth: usize, pending: &mut VecDeque<vplrs_memory::Surface>) {
    for _ in 0..frames {
        let input = vpp.input_surface().unwrap();
        drop(input.map_write().unwrap());
        if pending.len() >= depth {
            let output = pending.pop_front().unwrap();
            output.synchronize(Duration::from_secs(5)).unwrap();
            drop(output.map_read().unwrap());
        }
        pending.push_back(vpp.process_frame_async(&input).unwrap());
    }
    for output in pending.drain(..) {
        output.synchronize(Duration::from_secs(5)).unwrap();
    }
}

#[test]
fn vpp_loop_allocates_nothing_per_frame_after_warm_up() {
    for (output, depth) in
        [(FrameInfo::new(FourCc::Nv12, 640, 360), 3usize), (FrameInfo::new(FourCc::Rgb4, 960, 540), 2)]
    {
        let mut vpp = Vpp::new(Core::new());
        let mut params = VppParams::new(FrameInfo::new(FourCc::Nv12, 960, 540), output).with_async_depth(depth as u16);
        // Pools that never grow, so that any allocation counted is a per-frame one. (How many
        // inputs are in flight at once depends on timing: an unlimited pool may still grow by a
        // surface during the run, which is not a per-frame cost.)
        let fixed = AllocationHints {
            policy: AllocationPolicy::Limited,
            pre_allocate: depth as u32 + 2,
            delta_on_the_fly: 0,
            wait_ms: 5000,
        };
        params.input_hints = fixed;
        params.output_hints = fixed;
        vpp.init(&params).unwrap();
        let mut pending = VecDeque::with_capacity(depth + 1);
        run_frames(&mut vpp, 20, depth, &mut pending);
        ALLOCATIONS.store(0, Ordering::SeqCst);
        COUNTING.store(true, Ordering::SeqCst);
        run_frames(&mut vpp, 100, depth, &mut pending);
        COUNTING.store(false, Ordering::SeqCst);
        let allocations = ALLOCATIONS.load(Ordering::SeqCst);
        assert_eq!(allocations, 0, "{allocations} heap allocations in 100 frames to {:?}", output.fourcc);
        vpp.close().unwrap();
    }
}
