//! Where each plane of a frame lives inside its single allocation.
//!
//! Computed once per pool from the `FrameInfo`; every surface of the pool shares it. All planes of a
//! frame sit in one buffer, as the spec recommends for system memory. The luma pitch is aligned so
//! that every plane's rows start on a SIMD-friendly boundary (I420's chroma pitch is half the luma
//! pitch, as oneVPL's single `Pitch` field implies, so the luma pitch is aligned twice as much).

use crate::format::FourCc;
use crate::info::{FrameInfo, FrameInfoError};

/// The default row alignment: a cache line, enough for AVX-512 loads.
pub const DEFAULT_PITCH_ALIGN: usize = 64;

/// How rows are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayoutOptions {
    /// Alignment of every plane's pitch and start, a power of two of at least 64.
    pub pitch_align: usize,
}

impl Default for LayoutOptions {
    fn default() -> Self {
        Self { pitch_align: DEFAULT_PITCH_ALIGN }
    }
}

/// One plane's place in the frame buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct PlaneLayout {
    /// Byte offset of the first row from the start of the buffer.
    pub offset: usize,
    /// Bytes from one row to the next.
    pub pitch: usize,
    /// Bytes of pixel data in a row.
    pub row_bytes: usize,
    /// Rows of the plane.
    pub rows: usize,
}

impl PlaneLayout {
    /// Bytes a slice needs to hold every row: the last row need not be padded.
    pub fn span(&self) -> usize {
        if self.rows == 0 {
            0
        } else {
            self.pitch * (self.rows - 1) + self.row_bytes
        }
    }
}

/// At most this many planes (I420 has three).
pub const MAX_PLANES: usize = 3;

/// The layout of a whole frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameLayout {
    /// The pixel format.
    pub fourcc: FourCc,
    /// Allocated width in pixels.
    pub width: u32,
    /// Allocated height in pixels.
    pub height: u32,
    planes: [PlaneLayout; MAX_PLANES],
    plane_count: usize,
    /// Bytes the buffer must have.
    pub size: usize,
    /// Alignment the buffer start must have.
    pub align: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
/// Why a frame has no layout.
pub enum LayoutError {
    #[error(transparent)]
    /// The frame info is invalid.
    Info(#[from] FrameInfoError),
    #[error("pitch alignment {0} is not a power of two of at least 64")]
    /// The pitch alignment asked for is not a power of two of at least 64.
    PitchAlign(usize),
}

impl FrameLayout {
    /// The layout of frames of `info`, rows aligned as `options` says.
    pub fn new(info: &FrameInfo, options: LayoutOptions) -> Result<Self, LayoutError> {
        // Components check the API's alignment of the sizes they are initialised with; memory
        // itself may have any size (application surfaces are laid out as allocated).
        info.validate_memory()?;
        let align = options.pitch_align;
        if !align.is_power_of_two() || align < DEFAULT_PITCH_ALIGN {
            return Err(LayoutError::PitchAlign(align));
        }
        let formats = info.fourcc.planes();
        let max_pitch_shift = formats.iter().map(|p| p.pitch_shift).max().unwrap_or(0);
        let luma_row_bytes = info.width as usize * usize::from(formats[0].bytes_per_pixel);
        let luma_pitch = luma_row_bytes.next_multiple_of(align << max_pitch_shift);

        let mut planes = [PlaneLayout::default(); MAX_PLANES];
        let mut offset = 0usize;
        for (slot, format) in planes.iter_mut().zip(formats) {
            let pitch = luma_pitch >> format.pitch_shift;
            let row_bytes = luma_row_bytes >> format.pitch_shift;
            let rows = (info.height as usize) >> format.vertical_shift;
            *slot = PlaneLayout { offset, pitch, row_bytes, rows };
            offset = (offset + pitch * rows).next_multiple_of(align);
        }
        Ok(Self {
            fourcc: info.fourcc,
            width: info.width,
            height: info.height,
            planes,
            plane_count: formats.len(),
            size: offset,
            align,
        })
    }

    /// The planes in memory order (Y, UV for NV12; Y, U, V for I420; Y, V, U for YV12).
    pub fn planes(&self) -> &[PlaneLayout] {
        &self.planes[..self.plane_count]
    }

    /// How many planes the format has.
    pub fn plane_count(&self) -> usize {
        self.plane_count
    }

    /// The luma pitch, i.e. `mfxFrameData::Pitch`.
    pub fn pitch(&self) -> usize {
        self.planes[0].pitch
    }

    /// The frame this layout places in `buffer`, to read (see [`view_mut`](Self::view_mut)).
    pub fn view<'a>(&self, buffer: &'a [u8]) -> Option<crate::view::FrameView<'a>> {
        if buffer.len() < self.size {
            return None;
        }
        let mut planes = [crate::view::Plane::default(); MAX_PLANES];
        for (slot, plane) in planes.iter_mut().zip(self.planes()) {
            let data = &buffer[plane.offset..plane.offset + plane.pitch * plane.rows];
            *slot = crate::view::Plane::new(data, plane.pitch, plane.row_bytes, plane.rows)?;
        }
        crate::view::FrameView::new(self.fourcc, self.width, self.height, &planes[..self.plane_count])
    }

    /// The frame this layout places in `buffer` (at least [`size`](Self::size) bytes): for
    /// frames that are no surface, such as a component's scratch frame. `None` if it is smaller.
    pub fn view_mut<'a>(&self, buffer: &'a mut [u8]) -> Option<crate::view::FrameViewMut<'a>> {
        if buffer.len() < self.size {
            return None;
        }
        let mut planes: [crate::view::PlaneMut<'a>; MAX_PLANES] = Default::default();
        let mut rest = buffer;
        let mut at = 0;
        for (slot, plane) in planes.iter_mut().zip(self.planes()) {
            let (_, tail) = std::mem::take(&mut rest).split_at_mut(plane.offset - at);
            let (data, tail) = tail.split_at_mut(plane.pitch * plane.rows);
            *slot = crate::view::PlaneMut::new(data, plane.pitch, plane.row_bytes, plane.rows)?;
            rest = tail;
            at = plane.offset + plane.pitch * plane.rows;
        }
        Some(crate::view::FrameViewMut::from_array(self.fourcc, self.width, self.height, planes, self.plane_count))
    }
}
