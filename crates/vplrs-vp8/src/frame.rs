//! Frame buffers: geometry of the three planes inside a frame-buffer
//! segment, border preparation and extension, and the decoded-frame view
//! handed to the application.

use std::io::{self, Write};

/// Luma border in pixels (chroma uses half). Motion vectors are clamped so
/// that the sub-pixel filters never read further out than this.
pub(crate) const BORDER: usize = 32;
pub(crate) const UV_BORDER: usize = BORDER / 2;

/// Layout of one frame inside a frame-buffer segment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct FrameGeom {
    pub width: u32,
    pub height: u32,
    pub mb_cols: usize,
    pub mb_rows: usize,
    pub y_stride: usize,
    pub uv_stride: usize,
    /// Offsets of pixel (0, 0) of each plane within the segment.
    pub origin: [usize; 3],
}

impl FrameGeom {
    pub fn new(width: u32, height: u32) -> Self {
        let mb_cols = (width as usize).div_ceil(16);
        let mb_rows = (height as usize).div_ceil(16);
        let y_stride = mb_cols * 16 + 2 * BORDER;
        let uv_stride = mb_cols * 8 + 2 * UV_BORDER;
        let y_rows = mb_rows * 16 + 2 * BORDER;
        let uv_rows = mb_rows * 8 + 2 * UV_BORDER;
        let y_size = y_stride * y_rows;
        let uv_size = uv_stride * uv_rows;
        FrameGeom {
            width,
            height,
            mb_cols,
            mb_rows,
            y_stride,
            uv_stride,
            origin: [
                BORDER * y_stride + BORDER,
                y_size + UV_BORDER * uv_stride + UV_BORDER,
                y_size + uv_size + UV_BORDER * uv_stride + UV_BORDER,
            ],
        }
    }

    /// Bytes of a frame-buffer segment for this geometry.
    pub fn buffer_len(&self) -> usize {
        let y_rows = self.mb_rows * 16 + 2 * BORDER;
        let uv_rows = self.mb_rows * 8 + 2 * UV_BORDER;
        self.y_stride * y_rows + 2 * self.uv_stride * uv_rows
    }

    #[inline]
    pub fn stride(&self, plane: usize) -> usize {
        if plane == 0 {
            self.y_stride
        } else {
            self.uv_stride
        }
    }

    /// Decoded (macroblock-aligned) size of a plane.
    #[inline]
    pub fn plane_size(&self, plane: usize) -> (usize, usize) {
        if plane == 0 {
            (self.mb_cols * 16, self.mb_rows * 16)
        } else {
            (self.mb_cols * 8, self.mb_rows * 8)
        }
    }

    #[inline]
    pub fn border(&self, plane: usize) -> usize {
        if plane == 0 {
            BORDER
        } else {
            UV_BORDER
        }
    }

    /// Offset within the frame buffer of the first byte of plane `p`'s
    /// region (its top border).
    pub fn plane_start(&self, p: usize) -> usize {
        self.origin[p] - self.border(p) * self.stride(p) - self.border(p)
    }

    /// Offset within the frame buffer of the first byte (left border
    /// included) of the pixel rows of macroblock row `mb_row` in plane `p`.
    pub fn row_start(&self, p: usize, mb_row: usize) -> usize {
        let size = if p == 0 { 16 } else { 8 };
        self.origin[p] - self.border(p) + mb_row * size * self.stride(p)
    }

    /// The pixels the loop filter of macroblock row `mb_row` works on,
    /// taken from `planes` (see [`FilterRows`]), which must hold the row
    /// and, unless it is the first, the four pixel rows above it.
    pub fn filter_rows<'b>(&self, planes: &'b mut Planes<'_>, mb_row: usize) -> FilterRows<'b> {
        let mut above: [&mut [u8]; 3] = Default::default();
        let mut cur: [&mut [u8]; 3] = Default::default();
        for (p, buf) in planes.bufs.iter_mut().enumerate() {
            let size = if p == 0 { 16 } else { 8 };
            let s = self.stride(p);
            let row0 = self.row_start(p, mb_row) - planes.base[p];
            let top = if mb_row > 0 { row0 - 4 * s } else { row0 };
            let (a, c) = buf[top..row0 + size * s].split_at_mut(row0 - top);
            above[p] = a;
            cur[p] = c;
        }
        FilterRows { above: (mb_row > 0).then_some(above), cur }
    }

    /// Sets the row above and the column left of each plane to the values
    /// intra prediction assumes outside the picture (127 above, 129 left).
    pub fn prepare_intra_borders(&self, buf: &mut [u8]) {
        for p in 0..3 {
            let (w, h) = self.plane_size(p);
            let s = self.stride(p);
            let o = self.origin[p];
            buf[o - s - 1..o - s + w + 4].fill(127);
            for y in 0..h {
                buf[o + y * s - 1] = 129;
            }
        }
    }

    /// After a macroblock row is reconstructed, replicates its last pixel
    /// into the four pixels to its right on the bottom two rows, which the
    /// next row uses as above-right pixels of its last macroblock.
    pub fn extend_row_right(&self, planes: &mut Planes<'_>, mb_row: usize) {
        for p in 0..3 {
            let (w, _) = self.plane_size(p);
            let s = self.stride(p);
            let size = if p == 0 { 16 } else { 8 };
            let (buf, base) = planes.plane(p);
            for y in [mb_row * size + size - 2, mb_row * size + size - 1] {
                let row = self.origin[p] + y * s - base;
                let v = buf[row + w - 1];
                buf[row + w..row + w + 4].fill(v);
            }
        }
    }

    /// Replicates the decoded picture into the border on all sides.
    pub fn extend_borders(&self, buf: &mut [u8]) {
        for p in 0..3 {
            let (w, h) = self.plane_size(p);
            let s = self.stride(p);
            let b = self.border(p);
            let o = self.origin[p];
            for y in 0..h {
                let row = o + y * s;
                let (l, r) = (buf[row], buf[row + w - 1]);
                buf[row - b..row].fill(l);
                buf[row + w..row + w + b].fill(r);
            }
            let first = o - b;
            let last = o + (h - 1) * s - b;
            for y in 1..=b {
                buf.copy_within(first..first + s, first - y * s);
                buf.copy_within(last..last + s, last + y * s);
            }
        }
    }
}

/// Writable parts of the three planes of the frame being decoded: all of
/// each plane's region, or (when several threads share the frame) the
/// rows one thread owns. Offsets used with them are offsets within the
/// whole frame buffer, as in [`FrameGeom`]; `base[p]` is the offset of
/// `bufs[p][0]`.
pub(crate) struct Planes<'a> {
    pub bufs: [&'a mut [u8]; 3],
    pub base: [usize; 3],
}

impl<'a> Planes<'a> {
    /// Splits a whole frame buffer into its plane regions.
    pub fn whole(buf: &'a mut [u8], g: &FrameGeom) -> Self {
        let (y, rest) = buf.split_at_mut(g.plane_start(1));
        let (u, v) = rest.split_at_mut(g.plane_start(2) - g.plane_start(1));
        Planes { bufs: [y, u, v], base: [0, g.plane_start(1), g.plane_start(2)] }
    }

    /// Plane `p` and the frame offset of its first byte.
    #[inline]
    pub fn plane(&mut self, p: usize) -> (&mut [u8], usize) {
        (&mut *self.bufs[p], self.base[p])
    }
}

/// A decoded frame, borrowed from the decoder.
#[derive(Clone, Copy, Debug)]
pub struct Frame<'a> {
    planes: [&'a [u8]; 3],
    strides: [usize; 3],
    width: u32,
    height: u32,
    h_scale: u8,
    v_scale: u8,
    key_frame: bool,
}

impl<'a> Frame<'a> {
    pub(crate) fn new(buf: &'a [u8], g: &FrameGeom, scale: (u8, u8), key_frame: bool) -> Self {
        let planes = [0, 1, 2].map(|p| &buf[g.origin[p]..]);
        Frame {
            planes,
            strides: [g.y_stride, g.uv_stride, g.uv_stride],
            width: g.width,
            height: g.height,
            h_scale: scale.0,
            v_scale: scale.1,
            key_frame,
        }
    }

    /// Display width in pixels.
    pub fn width(&self) -> u32 {
        self.width
    }
    /// Display height in pixels.
    pub fn height(&self) -> u32 {
        self.height
    }
    /// Width of the chroma planes.
    pub fn chroma_width(&self) -> u32 {
        self.width.div_ceil(2)
    }
    /// Height of the chroma planes.
    pub fn chroma_height(&self) -> u32 {
        self.height.div_ceil(2)
    }
    /// Horizontal scaling mode from the key frame header (0: none, 1: 5/4,
    /// 2: 5/3, 3: 2). The decoder does not scale; this is informational.
    pub fn horizontal_scale(&self) -> u8 {
        self.h_scale
    }
    /// Vertical scaling mode from the key frame header.
    pub fn vertical_scale(&self) -> u8 {
        self.v_scale
    }
    /// Whether the frame was coded as a key frame.
    pub fn is_keyframe(&self) -> bool {
        self.key_frame
    }
    /// Plane `i` (0: Y, 1: U, 2: V) starting at its top-left visible pixel.
    /// Rows are [`stride`](Self::stride) bytes apart; the slice extends
    /// past the visible area.
    pub fn plane(&self, i: usize) -> &'a [u8] {
        self.planes[i]
    }
    /// Stride of plane `i` in bytes.
    pub fn stride(&self, i: usize) -> usize {
        self.strides[i]
    }
    /// The Y plane.
    pub fn y(&self) -> &'a [u8] {
        self.planes[0]
    }
    /// The U plane.
    pub fn u(&self) -> &'a [u8] {
        self.planes[1]
    }
    /// The V plane.
    pub fn v(&self) -> &'a [u8] {
        self.planes[2]
    }

    /// Visible rows of plane `i`.
    pub fn rows(&self, i: usize) -> impl Iterator<Item = &'a [u8]> + 'a {
        let (w, h) = if i == 0 {
            (self.width as usize, self.height as usize)
        } else {
            (self.chroma_width() as usize, self.chroma_height() as usize)
        };
        let s = self.strides[i];
        let p = self.planes[i];
        (0..h).map(move |y| &p[y * s..y * s + w])
    }

    /// Size of the cropped I420 image in bytes.
    pub fn i420_len(&self) -> usize {
        let (w, h) = (self.width as usize, self.height as usize);
        w * h + 2 * (w.div_ceil(2) * h.div_ceil(2))
    }

    /// Writes the cropped I420 image (Y, then U, then V, without padding),
    /// as `vpxdec --i420` does.
    pub fn write_i420<W: Write + ?Sized>(&self, out: &mut W) -> io::Result<()> {
        for p in 0..3 {
            for row in self.rows(p) {
                out.write_all(row)?;
            }
        }
        Ok(())
    }

    /// Copies the cropped I420 image into `dst`, which must hold at least
    /// [`i420_len`](Self::i420_len) bytes. Returns the bytes written, or
    /// `None` if `dst` is too small.
    pub fn copy_i420(&self, dst: &mut [u8]) -> Option<usize> {
        let len = self.i420_len();
        let dst = dst.get_mut(..len)?;
        let mut pos = 0;
        for p in 0..3 {
            for row in self.rows(p) {
                dst[pos..pos + row.len()].copy_from_slice(row);
                pos += row.len();
            }
        }
        Some(pos)
    }
}

/// One macroblock row of a frame, as filtered: each plane's rows of the
/// macroblock row (16 luma, 8 chroma), starting with the first byte of the
/// row's left border, and optionally the last four rows of the macroblock
/// row above (which the top edge filter reads and changes).
pub(crate) struct FilterRows<'a> {
    pub above: Option<[&'a mut [u8]; 3]>,
    pub cur: [&'a mut [u8]; 3],
}
