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
        let walk = Walk::new(orientation, sw, sh);
        let area = Area { sx, sy, dx, dy, cols, rows };
        match grid.bytes {
            1 => move_plane::<1>(&source, target, area, &walk),
            2 => move_plane::<2>(&source, target, area, &walk),
            _ => move_plane::<4>(&source, target, area, &walk),
        }
    }
    Ok(())
}

/// Where output element (x, y) comes from, as steps: source column `x_step.0 * x + x_step.1 * y +
/// x_step.2`, source row likewise (each coefficient -1, 0 or 1).
struct Walk {
    column: (isize, isize, isize),
    row: (isize, isize, isize),
}

impl Walk {
    fn new(orientation: Orientation, width: usize, height: usize) -> Self {
        let (w, h) = (width as isize - 1, height as isize - 1);
        // The rotation undone, into the mirrored picture.
        let (column, row) = match orientation.rotation {
            Rotation::None => ((1, 0, 0), (0, 1, 0)),
            Rotation::Quarter => ((0, 1, 0), (-1, 0, h)),
            Rotation::Half => ((-1, 0, w), (0, -1, h)),
            Rotation::ThreeQuarters => ((0, -1, w), (1, 0, 0)),
        };
        // Then the mirror undone.
        let flip = |(a, b, c): (isize, isize, isize), extent| (-a, -b, extent - c);
        match orientation.mirror {
            Mirror::None => Self { column, row },
            Mirror::Horizontal => Self { column: flip(column, w), row },
            Mirror::Vertical => Self { column, row: flip(row, h) },
        }
    }
}

/// The part of a plane that moves: the source's first element, the target's, and the target's
/// columns and rows.
#[derive(Clone, Copy)]
struct Area {
    sx: usize,
    sy: usize,
    dx: usize,
    dy: usize,
    cols: usize,
    rows: usize,
}

/// Output tiles this many elements square: a quarter turn walks down source columns, and a tile
/// keeps the rows it walks in cache.
const TILE: usize = 64;

fn move_plane<const B: usize>(
    source: &vplrs_memory::Plane<'_>,
    target: &mut vplrs_memory::PlaneMut<'_>,
    area: Area,
    walk: &Walk,
) {
    let (data, pitch) = (source.data(), source.pitch() as isize);
    let origin = area.sy as isize * pitch + (area.sx * B) as isize;
    if walk.row.0 == 0 {
        // Each output row is one source row, forwards or backwards: whole rows at a time.
        for y in 0..area.rows {
            let y0 = y as isize;
            let row = walk.row.1 * y0 + walk.row.2;
            let first = walk.column.1 * y0 + walk.column.2;
            let start = (area.dx * B, origin + row * pitch);
            let out = &mut target.row_mut(area.dy + y)[start.0..start.0 + area.cols * B];
            if walk.column.0 == 1 {
                let from = (start.1 + first * B as isize) as usize;
                out.copy_from_slice(&data[from..from + area.cols * B]);
            } else {
                // Backwards: the last source element of the span comes first.
                let last = (start.1 + first * B as isize) as usize;
                let span = &data[last + B - area.cols * B..last + B];
                for (element, from) in out.chunks_exact_mut(B).zip(span.chunks_exact(B).rev()) {
                    element.copy_from_slice(from);
                }
            }
        }
        return;
    }
    if B == 1 {
        quarter_turn_bytes(data, pitch, origin, target, area, walk);
        return;
    }
    // Per output column, the source offset moves by this much.
    let step = walk.column.0 * B as isize + walk.row.0 * pitch;
    for tile_y in (0..area.rows).step_by(TILE) {
        for tile_x in (0..area.cols).step_by(TILE) {
            let tile_cols = TILE.min(area.cols - tile_x);
            for y in tile_y..(tile_y + TILE).min(area.rows) {
                let (x0, y0) = (tile_x as isize, y as isize);
                let column = walk.column.0 * x0 + walk.column.1 * y0 + walk.column.2;
                let row = walk.row.0 * x0 + walk.row.1 * y0 + walk.row.2;
                let mut at = origin + row * pitch + column * B as isize;
                let start = (area.dx + tile_x) * B;
                let out = &mut target.row_mut(area.dy + y)[start..start + tile_cols * B];
                for element in out.chunks_exact_mut(B) {
                    let from = at as usize;
                    element.copy_from_slice(&data[from..from + B]);
                    at += step;
                }
            }
        }
    }
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

/// A quarter turn of a plane of bytes (luma, I420 chroma), 8x8 blocks at a time: eight source
/// rows read as eight words, transposed in registers, written as eight output rows. The edges
/// that make no whole block go element by element.
fn quarter_turn_bytes(
    data: &[u8],
    pitch: isize,
    origin: isize,
    target: &mut vplrs_memory::PlaneMut<'_>,
    area: Area,
    walk: &Walk,
) {
    let source_at = |x: usize, y: usize| {
        let (x, y) = (x as isize, y as isize);
        let column = walk.column.1 * y + walk.column.2;
        let row = walk.row.0 * x + walk.row.2;
        (origin + row * pitch + column) as usize
    };
    let (whole_cols, whole_rows) = (area.cols / 8 * 8, area.rows / 8 * 8);
    // Source columns run with the output rows, forwards or backwards.
    let backwards = walk.column.1 < 0;
    // Blocks in tiles of 64x64: the 64 source rows a tile reads stay in cache across its blocks.
    let tiles = (0..whole_rows).step_by(TILE).flat_map(|ty| (0..whole_cols).step_by(TILE).map(move |tx| (tx, ty)));
    for (tile_x, tile_y) in tiles {
        let blocks = (tile_y..(tile_y + TILE).min(whole_rows))
            .step_by(8)
            .flat_map(|by| (tile_x..(tile_x + TILE).min(whole_cols)).step_by(8).map(move |bx| (bx, by)));
        for (bx, by) in blocks {
            let mut block = [0u64; 8];
            for (i, word) in block.iter_mut().enumerate() {
                // Output column bx + i reads one source row; its 8 bytes cover output rows by..by+8.
                let first = if backwards { source_at(bx + i, by + 7) } else { source_at(bx + i, by) };
                *word = u64::from_le_bytes(data[first..first + 8].try_into().unwrap_or_default());
            }
            transpose8(&mut block);
            for (j, word) in block.iter().enumerate() {
                let y = if backwards { by + 7 - j } else { by + j };
                let start = area.dx + bx;
                target.row_mut(area.dy + y)[start..start + 8].copy_from_slice(&word.to_le_bytes());
            }
        }
    }
    // The right and bottom edges.
    for y in 0..area.rows {
        let from_x = if y < whole_rows { whole_cols } else { 0 };
        for x in from_x..area.cols {
            target.row_mut(area.dy + y)[area.dx + x] = data[source_at(x, y)];
        }
    }
}

/// Transposes an 8x8 block of bytes held as eight little-endian rows.
fn transpose8(rows: &mut [u64; 8]) {
    const LOW32: u64 = 0x0000_0000_FFFF_FFFF;
    const LOW16: u64 = 0x0000_FFFF_0000_FFFF;
    const LOW8: u64 = 0x00FF_00FF_00FF_00FF;
    for (half, mask, pairs) in [(32, LOW32, [0, 1, 2, 3]), (16, LOW16, [0, 1, 4, 5]), (8, LOW8, [0, 2, 4, 6])] {
        let distance = half / 8;
        for i in pairs {
            let (a, b) = (rows[i], rows[i + distance]);
            rows[i] = (a & mask) | ((b & mask) << half);
            rows[i + distance] = ((a >> half) & mask) | (b & !mask);
        }
    }
}
