//! Borrowed views of a frame's planes: rows with a pitch, for reading or for writing.
//!
//! Views are what kernels (VPP, codecs) work on, whatever memory backs the surface. A frame that
//! holds a complementary field pair gives a view of each field: the top field is on the odd lines
//! (1, 3, 5, ... counting from one, i.e. rows 0, 2, 4, ...), the bottom field on the even lines.

use crate::format::FourCc;
use crate::layout::MAX_PLANES;

/// One plane, read-only.
#[derive(Clone, Copy, Debug, Default)]
pub struct Plane<'a> {
    data: &'a [u8],
    pitch: usize,
    row_bytes: usize,
    rows: usize,
}

/// One plane, writable.
#[derive(Debug, Default)]
pub struct PlaneMut<'a> {
    data: &'a mut [u8],
    pitch: usize,
    row_bytes: usize,
    rows: usize,
}

/// Which field of an interlaced frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// The top field: even rows.
    Top,
    /// The bottom field: odd rows.
    Bottom,
}

impl Field {
    fn first_row(self) -> usize {
        match self {
            Field::Top => 0,
            Field::Bottom => 1,
        }
    }
}

fn field_rows(rows: usize, field: Field) -> usize {
    match field {
        Field::Top => rows.div_ceil(2),
        Field::Bottom => rows / 2,
    }
}

fn span(pitch: usize, row_bytes: usize, rows: usize) -> usize {
    if rows == 0 {
        0
    } else {
        pitch * (rows - 1) + row_bytes
    }
}

impl<'a> Plane<'a> {
    /// A plane over `data`, which must hold `rows` rows of `row_bytes` bytes `pitch` apart.
    pub fn new(data: &'a [u8], pitch: usize, row_bytes: usize, rows: usize) -> Option<Self> {
        let fits = row_bytes <= pitch || rows <= 1;
        (fits && data.len() >= span(pitch, row_bytes, rows)).then_some(Self { data, pitch, row_bytes, rows })
    }

    /// Bytes from one row to the next.
    #[inline]
    pub fn pitch(&self) -> usize {
        self.pitch
    }

    /// Bytes of pixels in a row.
    #[inline]
    pub fn row_bytes(&self) -> usize {
        self.row_bytes
    }

    /// Rows of the plane.
    #[inline]
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The plane's bytes from the first row to the end of the last row (padding included).
    #[inline]
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Row `y`, without padding.
    #[inline]
    pub fn row(&self, y: usize) -> &'a [u8] {
        let start = y * self.pitch;
        &self.data[start..start + self.row_bytes]
    }

    /// Every row, top to bottom.
    pub fn rows_iter(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let (pitch, row_bytes, data) = (self.pitch, self.row_bytes, self.data);
        (0..self.rows).map(move |y| &data[y * pitch..y * pitch + row_bytes])
    }

    /// The rows of one field.
    pub fn field(&self, field: Field) -> Plane<'a> {
        let rows = field_rows(self.rows, field);
        let start = (field.first_row() * self.pitch).min(self.data.len());
        let pitch = self.pitch * 2;
        let data = &self.data[start..start + span(pitch, self.row_bytes, rows)];
        Plane { data, pitch, row_bytes: self.row_bytes, rows }
    }
}

impl<'a> PlaneMut<'a> {
    /// A plane over `data`: `rows` rows of `row_bytes` at `pitch`; None if `data` is too short.
    pub fn new(data: &'a mut [u8], pitch: usize, row_bytes: usize, rows: usize) -> Option<Self> {
        let fits = row_bytes <= pitch || rows <= 1;
        (fits && data.len() >= span(pitch, row_bytes, rows)).then_some(Self { data, pitch, row_bytes, rows })
    }

    /// Bytes from one row to the next.
    #[inline]
    pub fn pitch(&self) -> usize {
        self.pitch
    }

    /// Bytes of pixels in a row.
    #[inline]
    pub fn row_bytes(&self) -> usize {
        self.row_bytes
    }

    /// Rows of the plane.
    #[inline]
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// The plane's bytes from the first row to the end of the last, the padding between rows included.
    #[inline]
    pub fn data_mut(&mut self) -> &mut [u8] {
        self.data
    }

    /// The plane, to read.
    #[inline]
    pub fn as_plane(&self) -> Plane<'_> {
        Plane { data: self.data, pitch: self.pitch, row_bytes: self.row_bytes, rows: self.rows }
    }

    /// Row `y`, to write.
    #[inline]
    pub fn row_mut(&mut self, y: usize) -> &mut [u8] {
        let start = y * self.pitch;
        &mut self.data[start..start + self.row_bytes]
    }

    /// Every row, top to bottom, to write.
    pub fn rows_mut(&mut self) -> impl Iterator<Item = &mut [u8]> + '_ {
        let (pitch, row_bytes, rows) = (self.pitch, self.row_bytes, self.rows);
        self.data.chunks_mut(pitch).take(rows).map(move |row| &mut row[..row_bytes])
    }

    /// Fills every row with `value`, leaving the padding alone.
    pub fn fill(&mut self, value: u8) {
        self.rows_mut().for_each(|row| row.fill(value));
    }

    /// The rows of one field, to write.
    pub fn field_mut(&mut self, field: Field) -> PlaneMut<'_> {
        let rows = field_rows(self.rows, field);
        let start = (field.first_row() * self.pitch).min(self.data.len());
        let pitch = self.pitch * 2;
        let len = span(pitch, self.row_bytes, rows);
        PlaneMut { data: &mut self.data[start..start + len], pitch, row_bytes: self.row_bytes, rows }
    }
}

/// A frame's planes for reading.
#[derive(Clone, Copy, Debug)]
pub struct FrameView<'a> {
    /// The pixel format.
    pub fourcc: FourCc,
    /// Allocated width and height in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    planes: [Plane<'a>; MAX_PLANES],
    count: usize,
}

/// A frame's planes for writing.
#[derive(Debug)]
pub struct FrameViewMut<'a> {
    /// The pixel format.
    pub fourcc: FourCc,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    planes: [PlaneMut<'a>; MAX_PLANES],
    count: usize,
}

impl<'a> FrameView<'a> {
    /// A view over planes given in memory order; `None` if their number does not match the format.
    pub fn new(fourcc: FourCc, width: u32, height: u32, planes: &[Plane<'a>]) -> Option<Self> {
        if planes.len() != fourcc.planes().len() {
            return None;
        }
        let mut all = [Plane::default(); MAX_PLANES];
        all[..planes.len()].copy_from_slice(planes);
        Some(Self { fourcc, width, height, planes: all, count: planes.len() })
    }

    /// The planes in memory order.
    pub fn planes(&self) -> &[Plane<'a>] {
        &self.planes[..self.count]
    }

    /// Plane `index`.
    pub fn plane(&self, index: usize) -> Plane<'a> {
        self.planes()[index]
    }

    /// The view of one field of a complementary field pair.
    pub fn field(&self, field: Field) -> FrameView<'a> {
        let mut planes = self.planes;
        planes[..self.count].iter_mut().for_each(|p| *p = p.field(field));
        let height = field_rows(self.height as usize, field) as u32;
        FrameView { planes, height, ..*self }
    }
}

impl<'a> FrameViewMut<'a> {
    /// A frame view over `planes`; None if they do not fit the format and size.
    pub fn new(fourcc: FourCc, width: u32, height: u32, planes: Vec<PlaneMut<'a>>) -> Option<Self> {
        if planes.len() != fourcc.planes().len() {
            return None;
        }
        let count = planes.len();
        let mut all: [PlaneMut<'a>; MAX_PLANES] = Default::default();
        for (slot, plane) in all.iter_mut().zip(planes) {
            *slot = plane;
        }
        Some(Self { fourcc, width, height, planes: all, count })
    }

    pub(crate) fn from_array(
        fourcc: FourCc,
        width: u32,
        height: u32,
        planes: [PlaneMut<'a>; MAX_PLANES],
        count: usize,
    ) -> Self {
        Self { fourcc, width, height, planes, count }
    }

    /// The planes in memory order, to write.
    pub fn planes_mut(&mut self) -> &mut [PlaneMut<'a>] {
        &mut self.planes[..self.count]
    }

    /// Plane `index`, to write.
    pub fn plane_mut(&mut self, index: usize) -> &mut PlaneMut<'a> {
        &mut self.planes_mut()[index]
    }

    /// The frame, to read.
    pub fn as_view(&self) -> FrameView<'_> {
        let mut planes = [Plane::default(); MAX_PLANES];
        for (dst, src) in planes.iter_mut().zip(&self.planes[..self.count]) {
            *dst = src.as_plane();
        }
        FrameView { fourcc: self.fourcc, width: self.width, height: self.height, planes, count: self.count }
    }

    /// The writable view of one field.
    pub fn field_mut(&mut self, field: Field) -> FrameViewMut<'_> {
        let mut planes: [PlaneMut<'_>; MAX_PLANES] = Default::default();
        for (dst, src) in planes.iter_mut().zip(self.planes[..self.count].iter_mut()) {
            *dst = src.field_mut(field);
        }
        let height = field_rows(self.height as usize, field) as u32;
        FrameViewMut { fourcc: self.fourcc, width: self.width, height, planes, count: self.count }
    }
}

impl<'a> FrameView<'a> {
    pub(crate) fn from_array(
        fourcc: FourCc,
        width: u32,
        height: u32,
        planes: [Plane<'a>; MAX_PLANES],
        count: usize,
    ) -> Self {
        Self { fourcc, width, height, planes, count }
    }
}
