//! Loop filter (section 15): the normal and simple filters, per-macroblock
//! filter levels from segment and reference/mode deltas, and sharpness.

use crate::frame::FrameGeom;
use crate::header::{FrameHeader, LfDeltas, Segmentation};
use crate::modes::{B_PRED, INTRA_FRAME, SPLITMV, ZEROMV};

/// Per-frame table of filter levels indexed by segment, reference frame
/// and mode class (0: B_PRED, 1: other intra / ZEROMV, 2: other inter,
/// 3: SPLITMV).
pub(crate) struct LevelTable {
    lvl: [[[u8; 4]; 4]; 4],
}

impl LevelTable {
    pub fn new(hdr: &FrameHeader, seg: &Segmentation, deltas: &LfDeltas) -> Self {
        let mut lvl = [[[0u8; 4]; 4]; 4];
        for (s, seg_lvl) in lvl.iter_mut().enumerate() {
            let mut base = i32::from(hdr.filter_level);
            if seg.enabled {
                base = if seg.abs_delta { i32::from(seg.lf[s]) } else { base + i32::from(seg.lf[s]) };
                base = base.clamp(0, 63);
            }
            if !deltas.enabled {
                *seg_lvl = [[base as u8; 4]; 4];
                continue;
            }
            let intra = base + i32::from(deltas.ref_deltas[0]);
            seg_lvl[0][0] = (intra + i32::from(deltas.mode_deltas[0])).clamp(0, 63) as u8;
            seg_lvl[0][1] = intra.clamp(0, 63) as u8;
            for r in 1..4 {
                let lr = base + i32::from(deltas.ref_deltas[r]);
                for m in 1..4 {
                    seg_lvl[r][m] = (lr + i32::from(deltas.mode_deltas[m])).clamp(0, 63) as u8;
                }
            }
        }
        LevelTable { lvl }
    }

    /// Filter level of a macroblock.
    #[inline]
    pub fn level(&self, segment: u8, ref_frame: u8, ymode: u8) -> u8 {
        let class = if ref_frame == INTRA_FRAME {
            usize::from(ymode != B_PRED)
        } else if ymode == ZEROMV {
            1
        } else if ymode == SPLITMV {
            3
        } else {
            2
        };
        self.lvl[usize::from(segment & 3)][usize::from(ref_frame & 3)][class]
    }
}

/// Edge limits derived from a filter level.
#[derive(Clone, Copy)]
struct Limits {
    /// Edge limit for macroblock edges.
    mb_edge: i32,
    /// Edge limit for subblock edges.
    sub_edge: i32,
    /// Interior limit.
    interior: i32,
    /// High edge variance threshold.
    hev: i32,
}

fn limits(level: u8, sharpness: u8, key_frame: bool) -> Limits {
    let level = i32::from(level);
    let mut interior = level;
    if sharpness > 0 {
        interior >>= if sharpness > 4 { 2 } else { 1 };
        interior = interior.min(9 - i32::from(sharpness));
    }
    interior = interior.max(1);
    let hev = match (level, key_frame) {
        (40.., true) => 2,
        (40.., false) => 3,
        (20.., true) => 1,
        (20.., false) => 2,
        (15.., _) => 1,
        _ => 0,
    };
    Limits { mb_edge: (level + 2) * 2 + interior, sub_edge: level * 2 + interior, interior, hev }
}

/// Which filter to run across an edge.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Normal filter, macroblock edge.
    MbEdge,
    /// Normal filter, subblock edge.
    SubEdge,
    /// Simple filter (either edge; the limit differs).
    Simple,
}

/// Filters `N` positions of one edge. `px[0..8]` hold p3, p2, p1, p0, q0,
/// q1, q2, q3 for each position. The arithmetic is that of section 15,
/// done on saturating 8-bit lanes (which gives results identical to the
/// clamped wide arithmetic of the specification), in simple branch-free
/// passes over the lanes so that each compiles to vector code.
#[inline(always)]
fn filter_kernel<const N: usize>(px: &mut [[u8; N]; 8], kind: Kind, edge: u8, interior: u8, hev_t: u8) {
    let [p3a, p2a, p1a, p0a, q0a, q1a, q2a, q3a] = px;
    // Lane masks: -1 where set, 0 elsewhere.
    let mut mask = [0i8; N];
    let mut hev = [0i8; N];
    for i in 0..N {
        let d0 = p0a[i].abs_diff(q0a[i]);
        let e = d0.saturating_add(d0).saturating_add(p1a[i].abs_diff(q1a[i]) >> 1);
        let mut m = e <= edge;
        if kind != Kind::Simple {
            let dmax = p3a[i]
                .abs_diff(p2a[i])
                .max(p2a[i].abs_diff(p1a[i]))
                .max(p1a[i].abs_diff(p0a[i]))
                .max(q1a[i].abs_diff(q0a[i]))
                .max(q2a[i].abs_diff(q1a[i]))
                .max(q3a[i].abs_diff(q2a[i]));
            m &= dmax <= interior;
        }
        mask[i] = -i8::from(m);
        let h = p1a[i].abs_diff(p0a[i]).max(q1a[i].abs_diff(q0a[i])) > hev_t;
        hev[i] = -i8::from(h);
    }
    let sg = |v: u8| (v ^ 0x80) as i8;
    let us = |v: i8| (v as u8) ^ 0x80;
    // Filter value w = clamp(clamp(p1 - q1) + 3 * (q0 - p0)), masked.
    let mut w = [0i8; N];
    for i in 0..N {
        let outer = sg(p1a[i]).saturating_sub(sg(q1a[i]));
        let outer = if kind == Kind::SubEdge { outer & hev[i] } else { outer };
        let x = sg(q0a[i]).saturating_sub(sg(p0a[i]));
        w[i] = outer.saturating_add(x).saturating_add(x).saturating_add(x) & mask[i];
    }
    match kind {
        Kind::Simple | Kind::SubEdge => {
            let mut f1a = [0i8; N];
            for i in 0..N {
                let f1 = w[i].saturating_add(4) >> 3;
                let f2 = w[i].saturating_add(3) >> 3;
                q0a[i] = us(sg(q0a[i]).saturating_sub(f1));
                p0a[i] = us(sg(p0a[i]).saturating_add(f2));
                f1a[i] = f1;
            }
            if kind == Kind::SubEdge {
                for i in 0..N {
                    let a = ((f1a[i] + 1) >> 1) & !hev[i];
                    q1a[i] = us(sg(q1a[i]).saturating_sub(a));
                    p1a[i] = us(sg(p1a[i]).saturating_add(a));
                }
            }
        }
        Kind::MbEdge => {
            let mut a0 = [0i8; N];
            let mut a1 = [0i8; N];
            let mut a2 = [0i8; N];
            for i in 0..N {
                let wn = i16::from(w[i] & !hev[i]);
                let t = 9 * wn;
                a2[i] = ((t + 63) >> 7) as i8;
                a1[i] = ((2 * t + 63) >> 7) as i8;
                a0[i] = ((3 * t + 63) >> 7) as i8;
            }
            for i in 0..N {
                let wh = w[i] & hev[i];
                let f1 = wh.saturating_add(4) >> 3;
                let f2 = wh.saturating_add(3) >> 3;
                q0a[i] = us(sg(q0a[i]).saturating_sub(f1).saturating_sub(a0[i]));
                p0a[i] = us(sg(p0a[i]).saturating_add(f2).saturating_add(a0[i]));
                q1a[i] = us(sg(q1a[i]).saturating_sub(a1[i]));
                p1a[i] = us(sg(p1a[i]).saturating_add(a1[i]));
                q2a[i] = us(sg(q2a[i]).saturating_sub(a2[i]));
                p2a[i] = us(sg(p2a[i]).saturating_add(a2[i]));
            }
        }
    }
}

/// Runs the kernel for `kind` on 16 lanes. Each kind gets its own
/// out-of-line, separately vectorized copy.
#[inline(always)]
fn run_kernel(px: &mut [[u8; 16]; 8], kind: Kind, l: &Limits) {
    #[inline(never)]
    fn mb(px: &mut [[u8; 16]; 8], e: u8, i: u8, h: u8) {
        filter_kernel::<16>(px, Kind::MbEdge, e, i, h);
    }
    #[inline(never)]
    fn sub(px: &mut [[u8; 16]; 8], e: u8, i: u8, h: u8) {
        filter_kernel::<16>(px, Kind::SubEdge, e, i, h);
    }
    #[inline(never)]
    fn simple(px: &mut [[u8; 16]; 8], e: u8, i: u8, h: u8) {
        filter_kernel::<16>(px, Kind::Simple, e, i, h);
    }
    let (e, i, h) = (edge_limit(kind, l), l.interior as u8, l.hev as u8);
    match kind {
        Kind::MbEdge => mb(px, e, i, h),
        Kind::SubEdge => sub(px, e, i, h),
        Kind::Simple => simple(px, e, i, h),
    }
}

/// Filters 16 positions of a horizontal edge (between rows): eight
/// pixels starting at `at[0]` and eight starting at `at[1]` (the two halves
/// of a luma edge, or the same edge of the U and V planes).
#[inline(always)]
fn horizontal_edge(buf: &mut [u8], at: [usize; 2], stride: usize, kind: Kind, l: &Limits) {
    let mut px = [[0u8; 16]; 8];
    let contiguous = at[1] == at[0] + 8;
    for (k, row) in px.iter_mut().enumerate() {
        if contiguous {
            let o = at[0] + k * stride - 4 * stride;
            row.copy_from_slice(&buf[o..o + 16]);
        } else {
            for (h, &pos) in at.iter().enumerate() {
                let o = pos + k * stride - 4 * stride;
                row[8 * h..8 * h + 8].copy_from_slice(&buf[o..o + 8]);
            }
        }
    }
    run_kernel(&mut px, kind, l);
    let (first, last) = if kind == Kind::MbEdge { (1, 7) } else { (2, 6) };
    for k in first..last {
        if contiguous {
            let o = at[0] + k * stride - 4 * stride;
            buf[o..o + 16].copy_from_slice(&px[k]);
        } else {
            for (h, &pos) in at.iter().enumerate() {
                let o = pos + k * stride - 4 * stride;
                buf[o..o + 8].copy_from_slice(&px[k][8 * h..8 * h + 8]);
            }
        }
    }
}

/// Transposes an 8x8 byte matrix held as eight little-endian rows
/// (three rounds of masked swaps on 64-bit words).
#[inline(always)]
fn transpose8x8(x: &mut [u64; 8]) {
    const M1: u64 = 0x00ff_00ff_00ff_00ff;
    const M2: u64 = 0x0000_ffff_0000_ffff;
    const M3: u64 = 0x0000_0000_ffff_ffff;
    for i in (0..8).step_by(2) {
        let t = ((x[i] >> 8) ^ x[i + 1]) & M1;
        x[i + 1] ^= t;
        x[i] ^= t << 8;
    }
    for i in [0, 1, 4, 5] {
        let t = ((x[i] >> 16) ^ x[i + 2]) & M2;
        x[i + 2] ^= t;
        x[i] ^= t << 16;
    }
    for i in 0..4 {
        let t = ((x[i] >> 32) ^ x[i + 4]) & M3;
        x[i + 4] ^= t;
        x[i] ^= t << 32;
    }
}

#[inline(always)]
fn load_u64(buf: &[u8], o: usize) -> u64 {
    let b: [u8; 8] = buf[o..o + 8].try_into().unwrap_or([0; 8]);
    u64::from_le_bytes(b)
}

/// Filters 16 positions of a vertical edge (between columns): eight rows
/// starting at `at[0]` and eight starting at `at[1]`, by transposing 8x8
/// tiles so that the kernel sees rows of pixels.
#[inline(always)]
fn vertical_edge(buf: &mut [u8], at: [usize; 2], stride: usize, kind: Kind, l: &Limits) {
    let mut px = [[0u8; 16]; 8];
    for (t, &pos) in at.iter().enumerate() {
        let mut x = [0u64; 8];
        for (r, v) in x.iter_mut().enumerate() {
            *v = load_u64(buf, pos - 4 + r * stride);
        }
        transpose8x8(&mut x);
        for (k, v) in x.iter().enumerate() {
            px[k][8 * t..8 * t + 8].copy_from_slice(&v.to_le_bytes());
        }
    }
    run_kernel(&mut px, kind, l);
    for (t, &pos) in at.iter().enumerate() {
        let mut x = [0u64; 8];
        for (k, v) in x.iter_mut().enumerate() {
            *v = load_u64(&px[k], 8 * t);
        }
        transpose8x8(&mut x);
        for (r, v) in x.iter().enumerate() {
            let o = pos - 4 + r * stride;
            buf[o..o + 8].copy_from_slice(&v.to_le_bytes());
        }
    }
}

#[inline(always)]
fn edge_limit(kind: Kind, l: &Limits) -> u8 {
    (if kind == Kind::SubEdge { l.sub_edge } else { l.mb_edge }) as u8
}

/// Per-frame loop filter parameters.
pub(crate) struct FrameFilter {
    pub simple: bool,
    pub sharpness: u8,
    pub key_frame: bool,
}

/// Filters one macroblock of the frame in `buf` (laid out as `g`).
/// `level` is its filter level (non-zero), `inner` whether its interior
/// (subblock) edges are filtered.
pub(crate) fn filter_mb(
    buf: &mut [u8],
    g: &FrameGeom,
    ff: &FrameFilter,
    mb_col: usize,
    mb_row: usize,
    level: u8,
    inner: bool,
) {
    let l = limits(level, ff.sharpness, ff.key_frame);
    let ys = g.y_stride;
    let yoff = g.origin[0] + mb_row * 16 * ys + mb_col * 16;
    // Luma edges as two halves: rows 0..8 and 8..16 (vertical edges),
    // columns 0..8 and 8..16 (horizontal edges).
    let yv = |x: usize| [yoff + x, yoff + x + 8 * ys];
    let yh = |y: usize| [yoff + y * ys, yoff + y * ys + 8];
    if ff.simple {
        let sub = Limits { mb_edge: l.sub_edge, ..l };
        if mb_col > 0 {
            vertical_edge(buf, yv(0), ys, Kind::Simple, &l);
        }
        if inner {
            for x in [4, 8, 12] {
                vertical_edge(buf, yv(x), ys, Kind::Simple, &sub);
            }
        }
        if mb_row > 0 {
            horizontal_edge(buf, yh(0), ys, Kind::Simple, &l);
        }
        if inner {
            for y in [4, 8, 12] {
                horizontal_edge(buf, yh(y), ys, Kind::Simple, &sub);
            }
        }
        return;
    }
    let uvs = g.uv_stride;
    let uoff = g.origin[1] + mb_row * 8 * uvs + mb_col * 8;
    let voff = g.origin[2] + mb_row * 8 * uvs + mb_col * 8;
    // Chroma edges: the U and V halves are filtered together.
    let uvv = |x: usize| [uoff + x, voff + x];
    let uvh = |y: usize| [uoff + y * uvs, voff + y * uvs];
    if mb_col > 0 {
        vertical_edge(buf, yv(0), ys, Kind::MbEdge, &l);
        vertical_edge(buf, uvv(0), uvs, Kind::MbEdge, &l);
    }
    if inner {
        for x in [4, 8, 12] {
            vertical_edge(buf, yv(x), ys, Kind::SubEdge, &l);
        }
        vertical_edge(buf, uvv(4), uvs, Kind::SubEdge, &l);
    }
    if mb_row > 0 {
        horizontal_edge(buf, yh(0), ys, Kind::MbEdge, &l);
        horizontal_edge(buf, uvh(0), uvs, Kind::MbEdge, &l);
    }
    if inner {
        for y in [4, 8, 12] {
            horizontal_edge(buf, yh(y), ys, Kind::SubEdge, &l);
        }
        horizontal_edge(buf, uvh(4), uvs, Kind::SubEdge, &l);
    }
}

/// Filters one macroblock row; `mb_info` holds each macroblock's level
/// (byte 1) and inner-edge flag (byte 2).
pub(crate) fn filter_row(buf: &mut [u8], g: &FrameGeom, ff: &FrameFilter, mb_info: &[u8], mb_row: usize) {
    use crate::memory::MB_INFO_STRIDE;
    let row = &mb_info[mb_row * g.mb_cols * MB_INFO_STRIDE..(mb_row + 1) * g.mb_cols * MB_INFO_STRIDE];
    for (mb_col, info) in row.chunks_exact(MB_INFO_STRIDE).enumerate() {
        if info[1] != 0 {
            filter_mb(buf, g, ff, mb_col, mb_row, info[1], info[2] != 0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpose_is_correct() {
        let mut x: [u64; 8] = core::array::from_fn(|r| u64::from_le_bytes(core::array::from_fn(|c| (r * 8 + c) as u8)));
        transpose8x8(&mut x);
        for (c, v) in x.iter().enumerate() {
            for (r, b) in v.to_le_bytes().iter().enumerate() {
                assert_eq!(usize::from(*b), r * 8 + c);
            }
        }
    }
}
