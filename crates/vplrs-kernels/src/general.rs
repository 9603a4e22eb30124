//! The general path: any format to any format, any colour spec, any geometry.
//!
//! Each source component is unpacked into an `f32` plane of normalised values at its own
//! resolution, resampled straight to the destination rect at 4:4:4 (subsampled chroma is read at
//! its true position, so odd rects and offsets need no special case), colour-converted with one
//! 3x3 matrix, and packed, averaging 2x2 or 2x1 blocks where the destination subsamples chroma.
//! It is the reference the fast paths are tested against, not a speed path.

use vplrs_memory::{FrameView, FrameViewMut, Rect};

use crate::color::{code_to_normalised, transform, ColorSpec, IDENTITY};
use crate::components::{components, Component};
use crate::resize_f32;
use crate::taps::{axis_map, footprint, TapsCache};

/// Buffers reused across frames.
#[derive(Debug, Default)]
pub(crate) struct GeneralScratch {
    /// Source components at their own resolution.
    src: [Vec<f32>; 4],
    /// Destination components, on the grid `Grid` says.
    dst: [Vec<f32>; 4],
    /// Chroma at luma resolution, for the luma of a matrix change on the chroma grid.
    full_chroma: [Vec<f32>; 2],
    row: Vec<f32>,
    block: Vec<f32>,
}

fn normaliser(c: &Component, spec: ColorSpec) -> (f32, f32) {
    code_to_normalised(c.meaning, spec.range, c.bits())
}

/// Where a destination component is computed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Grid {
    /// One value per pixel of the destination rect (averaged into subsampled samples at the end).
    Full,
    /// One value per sample of the destination plane: for chroma when both sides are YCbCr with
    /// the same subsampling, so that chroma is resampled once, as the fast paths do, instead of
    /// being upsampled and averaged back (which blurs it).
    Native,
}

/// Resamples source component `c` (unpacked in `buf`) onto the grid of destination component
/// `d` (or the full destination grid) into `out`.
fn resample(
    c: &Component,
    src_rect: Rect,
    buf: &[f32],
    (d, grid): (&Component, Grid),
    dst_rect: Rect,
    out: &mut Vec<f32>,
    (cache, row): (&mut TapsCache, &mut Vec<f32>),
) {
    let (dsx, dsy) = if grid == Grid::Native { (d.sub_x, d.sub_y) } else { (0, 0) };
    let h = axis_map((src_rect.x, src_rect.width), c.sub_x, (dst_rect.x, dst_rect.width), dsx);
    let v = axis_map((src_rect.y, src_rect.height), c.sub_y, (dst_rect.y, dst_rect.height), dsy);
    let (src_width, out_width) = ((h.hi - h.lo) as usize, h.out_len as usize);
    out.clear();
    out.resize(out_width * v.out_len as usize, 0.0);
    let (h, v) = cache.pair(&h.relative().to_origin(), &v.relative().to_origin());
    resize_f32::resize(buf, src_width, out, out_width, h, v, row);
}

pub(crate) fn convert(
    src: &FrameView<'_>,
    src_rect: Rect,
    src_spec: ColorSpec,
    dst: &mut FrameViewMut<'_>,
    dst_rect: Rect,
    dst_spec: ColorSpec,
    (cache, s): (&mut TapsCache, &mut GeneralScratch),
) {
    let (src_comps, dst_comps) = (components(src.fourcc), components(dst.fourcc));
    let chroma_grid = match (src_comps[1], dst_comps[1]) {
        (Some(a), Some(b)) => !src.fourcc.is_rgb() && !dst.fourcc.is_rgb() && (a.sub_x, a.sub_y) == (b.sub_x, b.sub_y),
        _ => false,
    };
    let grid = |slot: usize| if chroma_grid && (slot == 1 || slot == 2) { Grid::Native } else { Grid::Full };
    for slot in 0..4 {
        let (Some(c), Some(d)) = (src_comps[slot], dst_comps[slot]) else { continue };
        let (x0, x1) = footprint(src_rect.x, src_rect.width, c.sub_x);
        let (y0, y1) = footprint(src_rect.y, src_rect.height, c.sub_y);
        let width = (x1 - x0) as usize;
        let buf = &mut s.src[slot];
        buf.clear();
        buf.resize(width * (y1 - y0) as usize, 0.0);
        let plane = src.plane(c.plane);
        let norm = normaliser(&c, src_spec);
        for (y, out) in (y0..y1).zip(buf.chunks_exact_mut(width)) {
            c.read_row(plane.row(y as usize), x0 as usize, out, norm);
        }
        resample(&c, src_rect, buf, (&d, grid(slot)), dst_rect, &mut s.dst[slot], (cache, &mut s.row));
    }

    let m = transform(src.fourcc, src_spec, dst.fourcc, dst_spec);
    if m != IDENTITY {
        let m = m.map(|row| row.map(|v| v as f32));
        let [a, b, c, _] = &mut s.dst;
        if chroma_grid {
            // YCbCr to YCbCr: new chroma depends on chroma only (m[1][0] = m[2][0] = 0); new
            // luma on luma plus chroma, which it needs at luma resolution.
            for (b, c) in b.iter_mut().zip(c.iter_mut()) {
                (*b, *c) = (m[1][1] * *b + m[1][2] * *c, m[2][1] * *b + m[2][2] * *c);
            }
            if m[0][1] != 0.0 || m[0][2] != 0.0 {
                let luma = dst_comps[0].unwrap_or_else(|| unreachable!("YCbCr has luma"));
                for (k, slot) in [1, 2].into_iter().enumerate() {
                    let Some(c) = src_comps[slot] else { continue };
                    let full = &mut s.full_chroma[k];
                    resample(&c, src_rect, &s.src[slot], (&luma, Grid::Full), dst_rect, full, (cache, &mut s.row));
                }
                let [cb, cr] = &s.full_chroma;
                for ((y, &cb), &cr) in a.iter_mut().zip(cb).zip(cr) {
                    *y = m[0][0] * *y + m[0][1] * cb + m[0][2] * cr;
                }
            }
        } else {
            for ((a, b), c) in a.iter_mut().zip(b.iter_mut()).zip(c.iter_mut()) {
                let (x, y, z) = (*a, *b, *c);
                *a = m[0][0] * x + m[0][1] * y + m[0][2] * z;
                *b = m[1][0] * x + m[1][1] * y + m[1][2] * z;
                *c = m[2][0] * x + m[2][1] * y + m[2][2] * z;
            }
        }
    }

    for (slot, c) in dst_comps.iter().enumerate() {
        let Some(c) = c else { continue };
        let opaque = src_comps[slot].is_none();
        pack(c, grid(slot), dst, dst_rect, dst_spec, opaque.then_some(1.0), &s.dst[slot], &mut s.block);
    }
}

/// Writes one component of the destination rect from its values on `grid`, or from the
/// constant `fill` (alpha from a format without alpha: opaque). Values on the full grid are
/// averaged over the pixels each subsampled sample covers.
#[allow(clippy::too_many_arguments)]
fn pack(
    c: &Component,
    grid: Grid,
    dst: &mut FrameViewMut<'_>,
    rect: Rect,
    spec: ColorSpec,
    fill: Option<f32>,
    values: &[f32],
    block: &mut Vec<f32>,
) {
    let (x0, x1) = footprint(rect.x, rect.width, c.sub_x);
    let (y0, y1) = footprint(rect.y, rect.height, c.sub_y);
    let norm = code_to_normalised(c.meaning, spec.range, c.bits());
    let width = rect.width as usize;
    let samples = (x1 - x0) as usize;
    block.clear();
    block.resize(samples, fill.unwrap_or(0.0));
    let plane = dst.plane_mut(c.plane);
    for cy in y0..y1 {
        match (fill, grid) {
            (Some(_), _) => {}
            (None, Grid::Native) => {
                let at = (cy - y0) as usize * samples;
                block.copy_from_slice(&values[at..at + samples]);
            }
            (None, Grid::Full) => {
                // The rect rows and columns this sample covers (fewer at an odd rect edge).
                let rows = span(cy, c.sub_y, rect.y, rect.height);
                for (cx, out) in (x0..x1).zip(block.iter_mut()) {
                    let cols = span(cx, c.sub_x, rect.x, rect.width);
                    let mut sum = 0.0;
                    for r in rows.clone() {
                        sum += values[r * width + cols.start..r * width + cols.end].iter().sum::<f32>();
                    }
                    *out = sum / (rows.len() * cols.len()) as f32;
                }
            }
        }
        c.write_row(plane.row_mut(cy as usize), x0 as usize, block, norm);
    }
}

/// The indices, relative to the rect, of the luma samples that subsampled sample `i` covers.
fn span(i: u32, shift: u8, rect_start: u32, rect_len: u32) -> std::ops::Range<usize> {
    let first = (i << shift).max(rect_start);
    let last = ((i + 1) << shift).min(rect_start + rect_len);
    (first - rect_start) as usize..(last - rect_start) as usize
}
