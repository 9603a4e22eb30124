//! Decoding performs no heap allocation once the decoder's memory exists:
//! after the first frame in internal mode, and at all in XMA mode.
//!
//! A counting global allocator records allocations made by the current
//! thread only, so tests running in parallel do not disturb each other.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use common::*;
use vplrs_vp8::Decoder;

struct Counting;

thread_local! {
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
}

fn bump() {
    let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: every method forwards to the system allocator unchanged; the
// counter is a thread-local `Cell` that needs no allocation.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        bump();
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        bump();
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        bump();
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocs() -> usize {
    ALLOCS.with(|c| c.get())
}

/// Decodes `frames`, returning the number of allocations made while
/// decoding frames `skip..`.
fn count_allocs(dec: &mut Decoder, frames: &[Vec<u8>], skip: usize) -> usize {
    let mut total = 0;
    let mut shown = 0usize;
    for (i, f) in frames.iter().enumerate() {
        let before = allocs();
        let res = dec.decode(f);
        if let Ok(Some(frame)) = &res {
            shown += frame.width() as usize;
        }
        let n = allocs() - before;
        assert!(res.is_ok(), "frame {i} failed");
        if i >= skip {
            total += n;
        }
    }
    assert!(shown > 0);
    total
}

fn selected() -> Vec<std::path::PathBuf> {
    // A spread of vectors covering intra, inter, segmentation, partitions,
    // odd sizes, all versions and the size-changing streams.
    vector_files().into_iter().step_by(5).collect()
}

#[test]
fn internal_mode_allocates_only_for_the_first_frame() {
    for path in selected() {
        let frames = read_ivf(&path);
        let name = path.to_string_lossy().into_owned();
        let mut dec = Decoder::new();
        if name.contains("1425") || name.contains("1436") {
            // Size changes may reallocate on key frames; skip those here.
            continue;
        }
        assert_eq!(count_allocs(&mut dec, &frames, 1), 0, "{name}");
    }
}

#[test]
fn xma_mode_never_allocates_while_decoding() {
    let mut paths = selected();
    paths.extend(
        vector_files()
            .into_iter()
            .filter(|p| p.to_string_lossy().contains("1425") || p.to_string_lossy().contains("1436")),
    );
    for path in paths {
        let frames = read_ivf(&path);
        let mut dec = xma_decoder(&frames);
        assert_eq!(count_allocs(&mut dec, &frames, 0), 0, "{}", path.display());
    }
}

#[test]
fn error_paths_do_not_allocate() {
    let frames = read_ivf(&vector_files()[0]);
    let mut dec = xma_decoder(&frames);
    dec.decode(&frames[0]).unwrap();
    let before = allocs();
    for f in frames.iter().skip(1).take(5) {
        let _ = dec.decode(&f[..f.len() / 3]);
        let _ = dec.decode(&[]);
        let _ = dec.decode(&f[..2]);
    }
    assert_eq!(allocs() - before, 0);
}
