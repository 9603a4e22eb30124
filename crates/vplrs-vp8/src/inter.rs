//! Inter prediction (section 18): motion vector clamping, six-tap and
//! bilinear sub-pixel interpolation and whole-pixel copies.
//!
//! Reference planes carry a replicated border. Motion vectors are clamped
//! as the reference decoder does, which keeps every read inside that
//! border; should a read still fall outside, the block is fetched through
//! a coordinate-clamping copy instead, which gives the same result as an
//! infinitely replicated border and cannot go out of bounds.

use crate::tables::SUBPEL_FILTERS;

const BILINEAR: [[i32; 2]; 8] = [[128, 0], [112, 16], [96, 32], [80, 48], [64, 64], [48, 80], [32, 96], [16, 112]];

/// Size of the scratch area [`predict`] needs.
pub(crate) const PRED_SCRATCH_LEN: usize = 2 * 21 * 21 + 64;

/// A reference plane.
#[derive(Clone, Copy)]
pub(crate) struct RefPlane<'a> {
    pub data: &'a [u8],
    /// Offset of pixel (0, 0).
    pub origin: usize,
    pub stride: usize,
    /// Decoded (macroblock-aligned) size of the plane.
    pub width: i32,
    pub height: i32,
    /// Replicated border on each side, in pixels.
    pub border: i32,
}

/// Interpolation filter family.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Filter {
    SixTap,
    Bilinear,
}

/// Destination of a prediction.
pub(crate) struct Dst<'a> {
    pub data: &'a mut [u8],
    pub off: usize,
    pub stride: usize,
}

/// Predicts a `w`x`h` block (16, 8 or 4 square) whose top-left corner is
/// at plane position (`x`, `y`), displaced by (`mv_col`, `mv_row`) in 1/8
/// pel.
#[allow(clippy::too_many_arguments)]
pub(crate) fn predict(
    r: &RefPlane<'_>,
    x: i32,
    y: i32,
    mv_row: i32,
    mv_col: i32,
    size: usize,
    filter: Filter,
    dst: &mut Dst<'_>,
    scratch: &mut [u8],
) {
    let x0 = x + (mv_col >> 3);
    let y0 = y + (mv_row >> 3);
    let fx = (mv_col & 7) as usize;
    let fy = (mv_row & 7) as usize;
    let n = size as i32;
    // Region read: two pixels before and three after for the six-tap
    // filter (bilinear needs a subset of that).
    let (rx0, ry0, rx1, ry1) = (x0 - 2, y0 - 2, x0 + n + 3, y0 + n + 3);
    let inside = rx0 >= -r.border && ry0 >= -r.border && rx1 <= r.width + r.border && ry1 <= r.height + r.border;
    let (emu, work) = scratch.split_at_mut(21 * 21);
    let (src, off, stride): (&[u8], usize, usize) = if inside {
        let off = (r.origin as isize + y0 as isize * r.stride as isize + x0 as isize) as usize;
        (r.data, off, r.stride)
    } else {
        // Coordinate-clamping fetch of the (n + 5) x (n + 5) region.
        let es = size + 5;
        for (j, row) in emu.chunks_exact_mut(es).take(es).enumerate() {
            let sy = (ry0 + j as i32).clamp(0, r.height - 1);
            let base = r.origin as isize + sy as isize * r.stride as isize;
            for (i, p) in row.iter_mut().enumerate() {
                let sx = (rx0 + i as i32).clamp(0, r.width - 1);
                *p = r.data[(base + sx as isize) as usize];
            }
        }
        (&*emu, 2 * es + 2, es)
    };
    match size {
        16 => filter_block::<16>(src, off, stride, fx, fy, filter, dst, work),
        8 => filter_block::<8>(src, off, stride, fx, fy, filter, dst, work),
        _ => filter_block::<4>(src, off, stride, fx, fy, filter, dst, work),
    }
}

#[allow(clippy::too_many_arguments)]
#[inline]
fn filter_block<const N: usize>(
    src: &[u8],
    off: usize,
    stride: usize,
    fx: usize,
    fy: usize,
    filter: Filter,
    dst: &mut Dst<'_>,
    tmp: &mut [u8],
) {
    if fx == 0 && fy == 0 {
        // Whole-pixel copy (the most common prediction). Taking the N rows
        // as one slice each side and walking them with `chunks_exact`
        // leaves one hoisted bounds check instead of four per row.
        let (d_off, d_stride) = (dst.off, dst.stride);
        if let (Some(s), Some(d)) = (src.get(off..off + N * stride), dst.data.get_mut(d_off..d_off + N * d_stride)) {
            let mut drows = d.chunks_exact_mut(d_stride);
            for s in s.chunks_exact(stride) {
                let Some(d) = drows.next() else { break };
                d[..N].copy_from_slice(&s[..N]);
            }
            return;
        }
        for r in 0..N {
            let s = &src[off + r * stride..off + r * stride + N];
            let d = dst.off + r * dst.stride;
            dst.data[d..d + N].copy_from_slice(s);
        }
        return;
    }
    match filter {
        Filter::SixTap => sixtap::<N>(src, off, stride, fx, fy, dst, tmp),
        Filter::Bilinear => bilinear::<N>(src, off, stride, fx, fy, dst, tmp),
    }
}

/// One six-tap output from taps `t0..t5` (products pixel x coefficient).
///
/// Computed on 16-bit lanes: the two outer and two negative taps cannot
/// overflow, and the two large centre taps are non-negative and added with
/// saturation, which only ever saturates when the exact result would clamp
/// to 255 anyway.
#[inline(always)]
fn six(t: [i16; 6]) -> u8 {
    let v = (t[0] + t[1] + t[4] + t[5]).saturating_add(t[2]).saturating_add(t[3]).saturating_add(64) >> 7;
    v.clamp(0, 255) as u8
}

/// Applies the horizontal six-tap filter to `rows` rows of `N` pixels.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn sixtap_h<const N: usize>(
    src: &[u8],
    off: usize,
    stride: usize,
    rows: usize,
    f: &[i32; 6],
    out: &mut [u8],
    out_off: usize,
    out_stride: usize,
) {
    let f: [i16; 6] = [f[0] as i16, f[1] as i16, f[2] as i16, f[3] as i16, f[4] as i16, f[5] as i16];
    for r in 0..rows {
        let s = &src[off + r * stride - 2..off + r * stride + N + 3];
        let o = &mut out[out_off + r * out_stride..out_off + r * out_stride + N];
        let mut acc = [0u8; N];
        for (c, a) in acc.iter_mut().enumerate() {
            let p = |k: usize| i16::from(s[c + k]) * f[k];
            *a = six([p(0), p(1), p(2), p(3), p(4), p(5)]);
        }
        o.copy_from_slice(&acc);
    }
}

/// Applies the vertical six-tap filter, producing `N` rows.
#[inline(always)]
fn sixtap_v<const N: usize>(
    src: &[u8],
    off: usize,
    stride: usize,
    f: &[i32; 6],
    out: &mut [u8],
    out_off: usize,
    out_stride: usize,
) {
    let f: [i16; 6] = [f[0] as i16, f[1] as i16, f[2] as i16, f[3] as i16, f[4] as i16, f[5] as i16];
    for r in 0..N {
        let base = off + r * stride - 2 * stride;
        let row =
            |t: usize| -> &[u8; N] { src[base + t * stride..base + t * stride + N].try_into().unwrap_or(&[0; N]) };
        let (r0, r1, r2, r3, r4, r5) = (row(0), row(1), row(2), row(3), row(4), row(5));
        let mut acc = [0u8; N];
        for c in 0..N {
            acc[c] = six([
                i16::from(r0[c]) * f[0],
                i16::from(r1[c]) * f[1],
                i16::from(r2[c]) * f[2],
                i16::from(r3[c]) * f[3],
                i16::from(r4[c]) * f[4],
                i16::from(r5[c]) * f[5],
            ]);
        }
        out[out_off + r * out_stride..out_off + r * out_stride + N].copy_from_slice(&acc);
    }
}

fn sixtap<const N: usize>(
    src: &[u8],
    off: usize,
    stride: usize,
    fx: usize,
    fy: usize,
    dst: &mut Dst<'_>,
    tmp: &mut [u8],
) {
    if fy == 0 {
        sixtap_h::<N>(src, off, stride, N, &SUBPEL_FILTERS[fx], dst.data, dst.off, dst.stride);
    } else if fx == 0 {
        sixtap_v::<N>(src, off, stride, &SUBPEL_FILTERS[fy], dst.data, dst.off, dst.stride);
    } else {
        // First pass over rows -2 .. N + 3 into `tmp` (stride N), then the
        // vertical pass.
        sixtap_h::<N>(src, off - 2 * stride, stride, N + 5, &SUBPEL_FILTERS[fx], tmp, 0, N);
        sixtap_v::<N>(tmp, 2 * N, N, &SUBPEL_FILTERS[fy], dst.data, dst.off, dst.stride);
    }
}

fn bilinear<const N: usize>(
    src: &[u8],
    off: usize,
    stride: usize,
    fx: usize,
    fy: usize,
    dst: &mut Dst<'_>,
    tmp: &mut [u8],
) {
    let [h0, h1] = BILINEAR[fx].map(|v| v as u16);
    let [v0, v1] = BILINEAR[fy].map(|v| v as u16);
    // Horizontal pass over N + 1 rows.
    for r in 0..=N {
        let s = &src[off + r * stride..off + r * stride + N + 1];
        let o = &mut tmp[r * N..r * N + N];
        for (c, px) in o.iter_mut().enumerate() {
            *px = ((u16::from(s[c]) * h0 + u16::from(s[c + 1]) * h1 + 64) >> 7) as u8;
        }
    }
    for r in 0..N {
        let (a, b) = (&tmp[r * N..r * N + N], &tmp[(r + 1) * N..(r + 1) * N + N]);
        let d = dst.off + r * dst.stride;
        let o = &mut dst.data[d..d + N];
        for ((px, &p), &q) in o.iter_mut().zip(a).zip(b) {
            *px = ((u16::from(p) * v0 + u16::from(q) * v1 + 64) >> 7) as u8;
        }
    }
}

/// Clamps a luma block vector so that the reference block lies no further
/// than 16 pixels outside the frame when it would otherwise read only
/// border pixels (the result is identical, the reads stay in the border).
#[inline]
pub(crate) fn clamp_luma_mv(row: i32, col: i32, e: &crate::modes::MbEdges) -> (i32, i32) {
    let col = if col < e.to_left - (19 << 3) {
        e.to_left - (16 << 3)
    } else if col > e.to_right + (18 << 3) {
        e.to_right + (16 << 3)
    } else {
        col
    };
    let row = if row < e.to_top - (19 << 3) {
        e.to_top - (16 << 3)
    } else if row > e.to_bottom + (18 << 3) {
        e.to_bottom + (16 << 3)
    } else {
        row
    };
    (row, col)
}

/// Chroma counterpart of [`clamp_luma_mv`] (vectors in chroma 1/8 pel).
#[inline]
pub(crate) fn clamp_chroma_mv(row: i32, col: i32, e: &crate::modes::MbEdges) -> (i32, i32) {
    let col = if 2 * col < e.to_left - (19 << 3) {
        (e.to_left - (16 << 3)) >> 1
    } else if 2 * col > e.to_right + (18 << 3) {
        (e.to_right + (16 << 3)) >> 1
    } else {
        col
    };
    let row = if 2 * row < e.to_top - (19 << 3) {
        (e.to_top - (16 << 3)) >> 1
    } else if 2 * row > e.to_bottom + (18 << 3) {
        (e.to_bottom + (16 << 3)) >> 1
    } else {
        row
    };
    (row, col)
}
