//! The frame arena: raw, aligned pixel memory, and the only place this crate turns raw plane
//! pointers into slices.
//!
//! Pixel memory is shared with C code (mapped `mfxFrameSurface1::Data` pointers, an application's
//! allocator), so it is addressed by raw pointers. Exclusivity is not enforced by the borrow checker
//! but by a surface's access state (readers / one writer, see `surface`), which every caller of the
//! `unsafe fn`s here must hold for the lifetime of the slices it makes.
#![allow(unsafe_code)]

use std::alloc::Layout;
use std::ptr::NonNull;

use crate::layout::{FrameLayout, MAX_PLANES};
use crate::view::{FrameView, FrameViewMut, Plane, PlaneMut};

/// Where each plane of a frame starts and its pitch: what `mfxFrameData` carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlanePointers {
    /// Where each plane's first row starts (NULL past the format's planes).
    pub ptr: [*mut u8; MAX_PLANES],
    /// Bytes from one row of each plane to the next.
    pub pitch: [usize; MAX_PLANES],
}

// SAFETY: `PlanePointers` is plain data (addresses); dereferencing them is what needs
// synchronisation, and every dereference goes through the surface access rules.
unsafe impl Send for PlanePointers {}
// SAFETY: as above, sharing the addresses themselves is harmless.
unsafe impl Sync for PlanePointers {}

impl Default for PlanePointers {
    fn default() -> Self {
        Self { ptr: [std::ptr::null_mut(); MAX_PLANES], pitch: [0; MAX_PLANES] }
    }
}

/// A zero-initialised, aligned allocation holding every plane of one frame.
#[derive(Debug)]
pub struct FrameBuffer {
    ptr: NonNull<u8>,
    layout: Layout,
}

// SAFETY: the buffer owns its allocation exclusively; access to the bytes is governed by the
// owning surface's map state.
unsafe impl Send for FrameBuffer {}
// SAFETY: as above.
unsafe impl Sync for FrameBuffer {}

/// Frame buffers start on a page and fill whole pages, so a device can take a frame's memory as it
/// is: Vulkan's `VK_EXT_external_memory_host` imports host memory at
/// `minImportedHostPointerAlignment` (one page on common drivers) in multiples of it.
pub const FRAME_BUFFER_ALIGN: usize = 4096;

impl FrameBuffer {
    /// Allocates at least `size` zeroed bytes aligned to `align`, rounded to whole pages (see
    /// [`FRAME_BUFFER_ALIGN`]); `None` if the system has no memory or the request is not
    /// representable.
    pub fn zeroed(size: usize, align: usize) -> Option<Self> {
        let size = size.max(1).checked_next_multiple_of(FRAME_BUFFER_ALIGN)?;
        let layout = Layout::from_size_align(size, align.max(FRAME_BUFFER_ALIGN)).ok()?;
        // SAFETY: the layout has a non-zero size.
        let raw = unsafe { std::alloc::alloc_zeroed(layout) };
        NonNull::new(raw).map(|ptr| Self { ptr, layout })
    }

    /// Bytes allocated (whole pages).
    pub fn len(&self) -> usize {
        self.layout.size()
    }

    /// Always false: a buffer has at least one page.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The first byte of the allocation.
    pub fn base(&self) -> *mut u8 {
        self.ptr.as_ptr()
    }

    /// The plane pointers of a frame with `layout` stored in this buffer.
    pub fn plane_pointers(&self, layout: &FrameLayout) -> PlanePointers {
        debug_assert!(layout.size <= self.len());
        let mut out = PlanePointers::default();
        for (i, plane) in layout.planes().iter().enumerate() {
            // SAFETY: the layout's offsets are inside the buffer (debug-asserted above; pools build
            // buffers from the same layout).
            out.ptr[i] = unsafe { self.base().add(plane.offset) };
            out.pitch[i] = plane.pitch;
        }
        out
    }
}

impl Drop for FrameBuffer {
    fn drop(&mut self) {
        // SAFETY: allocated in `zeroed` with this very layout.
        unsafe { std::alloc::dealloc(self.ptr.as_ptr(), self.layout) }
    }
}

/// Checks that `pointers` can describe a frame of `layout`: non-null planes whose pitch holds a row.
pub fn pointers_fit(pointers: &PlanePointers, layout: &FrameLayout) -> bool {
    layout
        .planes()
        .iter()
        .enumerate()
        .all(|(i, plane)| !pointers.ptr[i].is_null() && pointers.pitch[i] >= plane.row_bytes)
}

/// Makes a read view of a frame.
///
/// # Safety
/// `pointers` must satisfy [`pointers_fit`] for `layout`, point to initialised memory that stays
/// valid for `'a`, and nobody may write to it during `'a` (the caller holds read access).
pub unsafe fn frame_view<'a>(pointers: &PlanePointers, layout: &FrameLayout) -> FrameView<'a> {
    let mut planes = [Plane::default(); MAX_PLANES];
    for (i, plane) in layout.planes().iter().enumerate() {
        let len = span(pointers.pitch[i], plane);
        // SAFETY: guaranteed by the caller: valid, initialised, not written during 'a.
        let data = unsafe { std::slice::from_raw_parts(pointers.ptr[i], len) };
        planes[i] = Plane::new(data, pointers.pitch[i], plane.row_bytes, plane.rows).unwrap_or_default();
    }
    FrameView::from_array(layout.fourcc, layout.width, layout.height, planes, layout.plane_count())
}

/// Makes a write view of a frame.
///
/// # Safety
/// As [`frame_view`], and nobody else may read or write the memory during `'a` (the caller holds
/// exclusive write access). The planes must not overlap.
pub unsafe fn frame_view_mut<'a>(pointers: &PlanePointers, layout: &FrameLayout) -> FrameViewMut<'a> {
    let mut planes: [PlaneMut<'a>; MAX_PLANES] = Default::default();
    for (i, plane) in layout.planes().iter().enumerate() {
        let len = span(pointers.pitch[i], plane);
        // SAFETY: guaranteed by the caller: valid, exclusive for 'a, planes disjoint.
        let data = unsafe { std::slice::from_raw_parts_mut(pointers.ptr[i], len) };
        planes[i] = PlaneMut::new(data, pointers.pitch[i], plane.row_bytes, plane.rows).unwrap_or_default();
    }
    FrameViewMut::from_array(layout.fourcc, layout.width, layout.height, planes, layout.plane_count())
}

fn span(pitch: usize, plane: &crate::layout::PlaneLayout) -> usize {
    if plane.rows == 0 {
        0
    } else {
        pitch * (plane.rows - 1) + plane.row_bytes
    }
}
