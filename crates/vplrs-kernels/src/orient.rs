//! Rotation by quarter turns and mirroring (`mfxExtVPPRotation`, `mfxExtVPPMirroring`): exact
//! operations that move samples and compute none. The mirror applies first, then the clockwise
//! rotation, the order Intel's runtimes follow (FFmpeg's `vpp_qsv` builds its `transpose` modes on
//! it: `cclock_flip` is a horizontal mirror then 270°).
//!
//! Planar and semi-planar formats move each plane on its own grid (NV12's UV pairs and P010's
//! sample pairs as single elements). Packed 4:2:2 (YUY2, Y210) cannot: a macropixel holds two luma
//! samples and one chroma pair, which a quarter turn or a mirror would have to split.

use vplrs_memory::{FourCc, FrameView, FrameViewMut, Rect};

use crate::error::{KernelError, Side};

/// Quarter turns, clockwise.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Rotation {
    /// None.
    #[default]
    None,
    /// 90° clockwise (`MFX_ANGLE_90`).
    Quarter,
    /// 180° (`MFX_ANGLE_180`).
    Half,
    /// 270° clockwise, 90° counter-clockwise (`MFX_ANGLE_270`).
    ThreeQuarters,
}

/// Mirroring.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mirror {
    /// None.
    #[default]
    None,
    /// Left and right swapped (`MFX_MIRRORING_HORIZONTAL`).
    Horizontal,
    /// Top and bottom swapped (`MFX_MIRRORING_VERTICAL`).
    Vertical,
}

/// A mirror, then a rotation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Orientation {
    /// Applied first.
    pub mirror: Mirror,
    /// Applied to the mirrored picture.
    pub rotation: Rotation,
}

impl Orientation {
    /// True when the picture comes out as it went in.
    pub fn is_identity(&self) -> bool {
        self.mirror == Mirror::None && self.rotation == Rotation::None
    }

    /// True when width and height trade places (a quarter turn either way).
    pub fn swaps_axes(&self) -> bool {
        matches!(self.rotation, Rotation::Quarter | Rotation::ThreeQuarters)
    }

    /// The size of the picture this orientation makes of a `width` x `height` one.
    pub fn oriented(&self, width: u32, height: u32) -> (u32, u32) {
        if self.swaps_axes() {
            (height, width)
        } else {
            (width, height)
        }
    }

    /// True when `fourcc`'s planes can be moved this way.
    pub fn supports(&self, fourcc: FourCc) -> bool {
        self.is_identity() || grids(fourcc).is_some()
    }

    /// The source element of output element (`x`, `y`), in a `width` x `height` source.
    fn source(&self, x: usize, y: usize, width: usize, height: usize) -> (usize, usize) {
        // The rotation undone first (into the mirrored picture), then the mirror.
        let (mx, my) = match self.rotation {
            Rotation::None => (x, y),
            Rotation::Quarter => (y, height - 1 - x),
            Rotation::Half => (width - 1 - x, height - 1 - y),
            Rotation::ThreeQuarters => (width - 1 - y, x),
        };
        match self.mirror {
            Mirror::None => (mx, my),
            Mirror::Horizontal => (width - 1 - mx, my),
            Mirror::Vertical => (mx, height - 1 - my),
        }
    }
}

/// A plane's element grid: bytes per element, and log2 of its subsampling against luma.
#[derive(Clone, Copy, Debug)]
struct Grid {
    bytes: usize,
    x_shift: u32,
    y_shift: u32,
}

const fn grid(bytes: usize, x_shift: u32, y_shift: u32) -> Grid {
    Grid { bytes, x_shift, y_shift }
}

fn grids(fourcc: FourCc) -> Option<&'static [Grid]> {
    const YUV420: [Grid; 3] = [grid(1, 0, 0), grid(1, 1, 1), grid(1, 1, 1)];
    const NV12: [Grid; 2] = [grid(1, 0, 0), grid(2, 1, 1)];
    const P010: [Grid; 2] = [grid(2, 0, 0), grid(4, 1, 1)];
    const PACKED32: [Grid; 1] = [grid(4, 0, 0)];
    match fourcc {
        FourCc::I420 | FourCc::Yv12 => Some(&YUV420),
        FourCc::Nv12 => Some(&NV12),
        FourCc::P010 => Some(&P010),
        FourCc::Ayuv | FourCc::Rgb4 | FourCc::Bgr4 | FourCc::A2Rgb10 | FourCc::Y410 => Some(&PACKED32),
        FourCc::Yuy2 | FourCc::Y210 => None,
    }
}

/// `rect` on a plane's grid: first column and row, columns and rows.
fn on_grid(rect: Rect, grid: Grid) -> (usize, usize, usize, usize) {
    let (x0, y0) = ((rect.x >> grid.x_shift) as usize, (rect.y >> grid.y_shift) as usize);
    let x1 = (rect.x + rect.width).div_ceil(1 << grid.x_shift) as usize;
    let y1 = (rect.y + rect.height).div_ceil(1 << grid.y_shift) as usize;
    (x0, y0, x1 - x0, y1 - y0)
}

fn check_rect(side: Side, rect: Rect, width: u32, height: u32) -> Result<(), KernelError> {
    if rect.width == 0 || rect.height == 0 {
        return Err(KernelError::EmptyRect { side, rect });
    }
    if rect.x + rect.width > width || rect.y + rect.height > height {
        return Err(KernelError::RectOutsideFrame { side, rect, width, height });
    }
    Ok(())
}

/// Writes `src_rect` of `src`, mirrored and rotated, into `dst_rect` of `dst`: both frames of one
/// format, `dst_rect` the size of the oriented `src_rect`.
pub fn orient(
    src: &FrameView<'_>,
    src_rect: Rect,
    dst: &mut FrameViewMut<'_>,
    dst_rect: Rect,
    orientation: Orientation,
) -> Result<(), KernelError> {
    let unsupported = KernelError::Unsupported { from: src.fourcc, to: dst.fourcc };
    if src.fourcc != dst.fourcc {
        return Err(unsupported);
    }
    let grids = grids(src.fourcc).ok_or(unsupported)?;
    check_rect(Side::Source, src_rect, src.width, src.height)?;
    check_rect(Side::Destination, dst_rect, dst.width, dst.height)?;
    if orientation.oriented(src_rect.width, src_rect.height) != (dst_rect.width, dst_rect.height) {
        return Err(KernelError::Internal("orientation: the rects' sizes do not match"));
    }
    let fourcc = dst.fourcc;
    for (index, &grid) in grids.iter().enumerate() {
        let (sx, sy, sw, sh) = on_grid(src_rect, grid);
        let (dx, dy, dw, dh) = on_grid(dst_rect, grid);
        let source = src.plane(index);
        let target = dst.plane_mut(index);
        let fits = |rows: usize, row_bytes: usize, x: usize, y: usize, w: usize, h: usize| {
            rows >= y + h && row_bytes >= (x + w) * grid.bytes
        };
        if !fits(source.rows(), source.row_bytes(), sx, sy, sw, sh) {
            return Err(plane_too_small(Side::Source, src.fourcc, index, &source, sx, sy, sw, sh, grid));
        }
        if !fits(target.rows(), target.row_bytes(), dx, dy, dw, dh) {
            let plane = target.as_plane();
            return Err(plane_too_small(Side::Destination, fourcc, index, &plane, dx, dy, dw, dh, grid));
        }
        // Subsampled grids of odd-sized rects may differ by one element between the sides: the
        // common part moves.
        let (ow, oh) = if orientation.swaps_axes() { (sh, sw) } else { (sw, sh) };
        let (cols, rows) = (dw.min(ow), dh.min(oh));
        let bytes = grid.bytes;
        for y in 0..rows {
            let row = &mut target.row_mut(dy + y)[dx * bytes..(dx + cols) * bytes];
            for (x, element) in row.chunks_exact_mut(bytes).enumerate() {
                let (ix, iy) = orientation.source(x, y, sw, sh);
                let from = (sx + ix) * bytes;
                element.copy_from_slice(&source.row(sy + iy)[from..from + bytes]);
            }
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn plane_too_small(
    side: Side,
    fourcc: FourCc,
    plane: usize,
    view: &vplrs_memory::Plane<'_>,
    x: usize,
    y: usize,
    w: usize,
    h: usize,
    grid: Grid,
) -> KernelError {
    KernelError::PlaneTooSmall {
        side,
        fourcc,
        plane,
        rows: view.rows(),
        row_bytes: view.row_bytes(),
        needed_rows: y + h,
        needed_bytes: (x + w) * grid.bytes,
    }
}
