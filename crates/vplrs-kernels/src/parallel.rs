//! One frame's work shared between threads: the kernels that filter large pictures in place
//! (denoise, detail) split it into independent parts run on scoped threads. How many threads:
//! `VPLRS_VPP_THREADS` (1 to 16), else the machine's parallelism (at most 4). Pictures under
//! [`MIN_PIXELS`] stay on the calling thread, where starting threads would cost more than it saves.

use std::sync::OnceLock;

/// The smallest picture (in luma samples) worth splitting: 640x360.
pub const MIN_PIXELS: usize = 640 * 360;

/// The threads a frame's work may use.
pub fn threads() -> usize {
    static THREADS: OnceLock<usize> = OnceLock::new();
    *THREADS.get_or_init(|| {
        let asked = std::env::var("VPLRS_VPP_THREADS").ok().and_then(|value| value.parse::<usize>().ok());
        match asked {
            Some(count) => count.clamp(1, 16),
            None => std::thread::available_parallelism().map_or(1, |n| n.get().min(4)),
        }
    })
}

/// The threads for a picture of `pixels` luma samples.
pub fn threads_for(pixels: usize) -> usize {
    if pixels < MIN_PIXELS {
        1
    } else {
        threads()
    }
}

/// Runs `work` on every item of `parts`, the first on the calling thread and the others on
/// scoped threads.
pub fn run_all<T: Send>(parts: Vec<T>, work: impl Fn(T) + Sync) {
    let mut parts = parts.into_iter();
    let Some(first) = parts.next() else { return };
    std::thread::scope(|scope| {
        for part in parts {
            let work = &work;
            scope.spawn(move || work(part));
        }
        work(first);
    });
}

/// Runs `first` on a scoped thread and `second` on the calling one when `threads` allows, else
/// one after the other.
pub fn both(threads: usize, first: impl FnOnce() + Send, second: impl FnOnce()) {
    if threads > 1 {
        std::thread::scope(|scope| {
            scope.spawn(first);
            second();
        });
    } else {
        first();
        second();
    }
}

/// `rows` rows split into at most `bands` consecutive ranges of nearly equal length.
pub fn bands(rows: usize, bands: usize) -> Vec<std::ops::Range<usize>> {
    let bands = bands.clamp(1, rows.max(1));
    (0..bands).map(|i| rows * i / bands..rows * (i + 1) / bands).filter(|r| !r.is_empty()).collect()
}
