//! After the first call with a given geometry, `Converter::convert` allocates nothing: a counting
//! global allocator watches the converting thread while it converts the same frames again.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::Frame;
use vplrs_kernels::{ColorSpec, Converter, Rect};
use vplrs_memory::FourCc;

struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    // `const` and destructor-free, so reading it never allocates (inside the allocator).
    static WATCHED: Cell<bool> = const { Cell::new(false) };
}

fn note() {
    if WATCHED.try_with(Cell::get).unwrap_or(false) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    }
}

// SAFETY: forwards every call to `System` unchanged; counting has no effect on the memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: the caller's contract for `alloc` is passed on as is.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note();
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note();
        // SAFETY: as for `alloc`; `ptr` came from this allocator, hence from `System`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator, hence from `System`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Converts `src` (whole) into `dst` (whole) three times with one converter, and returns how
/// many allocations the calls after the first made.
fn allocations_after_warm_up(conv: &mut Converter, src: &Frame, dst: &mut Frame, spec: ColorSpec) -> usize {
    let (sr, dr) = (src.rect(), dst.rect());
    // Views are built once: making a `FrameViewMut` allocates (its constructor takes a `Vec`).
    let src_view = src.view();
    let mut dst_view = dst.view_mut();
    conv.convert(&src_view, sr, spec, &mut dst_view, dr, spec).unwrap();
    ALLOCATIONS.store(0, Ordering::Relaxed);
    WATCHED.with(|w| w.set(true));
    for _ in 0..2 {
        conv.convert(&src_view, sr, spec, &mut dst_view, dr, spec).unwrap();
    }
    WATCHED.with(|w| w.set(false));
    ALLOCATIONS.load(Ordering::Relaxed)
}

#[test]
fn converting_again_allocates_nothing() {
    // The counter itself works.
    WATCHED.with(|w| w.set(true));
    drop(std::hint::black_box(Vec::<u8>::with_capacity(64)));
    WATCHED.with(|w| w.set(false));
    assert!(ALLOCATIONS.load(Ordering::Relaxed) > 0, "the counting allocator saw nothing");

    let spec = ColorSpec::BT709_LIMITED;
    let mut conv = Converter::new();
    let nv12 = Frame::surface(FourCc::Nv12, 1920, 1080);
    let cases = [
        (FourCc::Nv12, 1280, 720),
        (FourCc::Rgb4, 1920, 1080),
        (FourCc::Rgb4, 1280, 720),
        (FourCc::I420, 1280, 720),
        (FourCc::P010, 1920, 1080),
        (FourCc::P010, 1280, 720),
    ];
    // The same converter for every case, round and round: each geometry keeps its taps cached.
    for round in 0..2 {
        for (fourcc, w, h) in cases {
            let mut dst = Frame::surface(fourcc, w, h);
            let n = allocations_after_warm_up(&mut conv, &nv12, &mut dst, spec);
            assert_eq!(n, 0, "NV12 1080p -> {fourcc} {w}x{h} allocated {n} times (round {round})");
        }
    }
    // The other fast paths and the general path, smaller.
    let rgb = Frame::surface(FourCc::Rgb4, 640, 360);
    for (fourcc, w, h) in [(FourCc::Nv12, 320, 180), (FourCc::Nv12, 640, 360), (FourCc::Y410, 300, 200)] {
        let mut dst = Frame::surface(fourcc, w, h);
        let n = allocations_after_warm_up(&mut conv, &rgb, &mut dst, spec);
        assert_eq!(n, 0, "RGB4 -> {fourcc} {w}x{h} allocated {n} times");
    }
}

#[test]
fn a_cropped_odd_geometry_allocates_nothing_either() {
    let mut conv = Converter::new();
    let src = Frame::tight(FourCc::Nv12, 333, 201);
    let mut dst = Frame::tight(FourCc::Bgr4, 101, 77);
    let spec = ColorSpec::BT601_FULL;
    let (sr, dr) = (Rect { x: 3, y: 5, width: 301, height: 190 }, Rect { x: 1, y: 2, width: 99, height: 75 });
    let src_view = src.view();
    let mut dst_view = dst.view_mut();
    conv.convert(&src_view, sr, spec, &mut dst_view, dr, spec).unwrap();
    ALLOCATIONS.store(0, Ordering::Relaxed);
    WATCHED.with(|w| w.set(true));
    conv.convert(&src_view, sr, spec, &mut dst_view, dr, spec).unwrap();
    WATCHED.with(|w| w.set(false));
    assert_eq!(ALLOCATIONS.load(Ordering::Relaxed), 0);
}
