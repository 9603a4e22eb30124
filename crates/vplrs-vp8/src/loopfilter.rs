//! Loop filter (section 15): the normal and simple filters, per-macroblock
//! filter levels from segment and reference/mode deltas, and sharpness.
//!
//! The filters run on 16 positions of an edge at once, in `wide` vectors
//! (SSE2 on any x86-64). Vertical edges are filtered on transposed blocks:
//! a macroblock with only its edges to filter (most of an inter frame)
//! transposes just the 16x8 block around its left edge, one with inner
//! edges its whole 16x16 block plus the four columns to its left.

use bytemuck::cast;
use wide::{i16x8, i8x16, u16x8, u8x16};

use crate::frame::{FilterRows, FrameGeom, BORDER, UV_BORDER};
use crate::header::{FrameHeader, LfDeltas, Segmentation};
use crate::memory::MB_INFO_STRIDE;
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
// The scalar limits are read by the scalar reference filter of the tests;
// the kernel uses their vector forms.
#[cfg_attr(not(test), allow(dead_code))]
struct Limits {
    /// Edge limit for macroblock edges.
    mb_edge: i32,
    /// Edge limit for subblock edges.
    sub_edge: i32,
    /// Interior limit.
    interior: i32,
    /// High edge variance threshold.
    hev: i32,
    /// The four limits above in every lane, as the kernel uses them.
    v_mb_edge: V,
    v_sub_edge: V,
    v_interior: V,
    v_hev: V,
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
    let (mb_edge, sub_edge) = ((level + 2) * 2 + interior, level * 2 + interior);
    let v = |x: i32| V::splat(x as u8);
    Limits {
        mb_edge,
        sub_edge,
        interior,
        hev,
        v_mb_edge: v(mb_edge),
        v_sub_edge: v(sub_edge),
        v_interior: v(interior),
        v_hev: v(hev),
    }
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

/// Filters 16 positions of one edge at once. `px` holds p3, p2, p1, p0,
/// q0, q1, q2, q3 (one vector each, one position per lane). The arithmetic
/// is that of section 15 on saturating 8-bit lanes, which gives results
/// identical to the clamped wide arithmetic of the specification (the test
/// below checks it against a scalar transcription).
///
/// Returns whether any pixel may have changed: when the filter value is
/// zero in every lane (flat or masked-off edges, common in smooth areas)
/// nothing changes and the caller can skip writing the pixels back.
#[inline(always)]
#[must_use]
fn run(px: &mut [V; 8], kind: Kind, l: &Limits) -> bool {
    let [p3, p2, p1, p0, q0, q1, q2, q3] = *px;
    // Where p1 == q1 and p0 == q0 the filter value is zero whatever the
    // masks: an edge that is flat across in every lane needs nothing more.
    if ((p0 ^ q0) | (p1 ^ q1)).cmp_eq(V::splat(0)).all() {
        return false;
    }
    let ones = V::splat(0xff);
    let d_p1p0 = absd(p1, p0);
    let d_q1q0 = absd(q1, q0);
    let half = shr_u8::<1>(absd(p1, q1));
    let d0 = absd(p0, q0);
    let edge = if kind == Kind::SubEdge { l.v_sub_edge } else { l.v_mb_edge };
    let mut mask = le(d0.saturating_add(d0).saturating_add(half), edge);
    if kind != Kind::Simple {
        let m = absd(p3, p2).max(absd(p2, p1)).max(d_p1p0).max(d_q1q0).max(absd(q2, q1)).max(absd(q3, q2));
        mask &= le(m, l.v_interior);
    }
    let hev: I = cast(le(d_p1p0.max(d_q1q0), l.v_hev) ^ ones);
    let mask: I = cast(mask);
    let (ps1, ps0, qs0, qs1) = (flip(p1), flip(p0), flip(q0), flip(q1));
    let outer = ps1.saturating_sub(qs1);
    let outer = if kind == Kind::SubEdge { outer & hev } else { outer };
    let x = qs0.saturating_sub(ps0);
    let w = outer.saturating_add(x).saturating_add(x).saturating_add(x) & mask;
    if cast::<I, V>(w).cmp_eq(V::splat(0)).all() {
        return false;
    }
    match kind {
        Kind::Simple | Kind::SubEdge => {
            let f1 = sra::<3>(w.saturating_add(I::splat(4)));
            let f2 = sra::<3>(w.saturating_add(I::splat(3)));
            px[4] = unflip(qs0.saturating_sub(f1));
            px[3] = unflip(ps0.saturating_add(f2));
            if kind == Kind::SubEdge {
                let a = sra::<1>(f1 + I::splat(1)) & (hev ^ I::splat(-1));
                px[5] = unflip(qs1.saturating_sub(a));
                px[2] = unflip(ps1.saturating_add(a));
            }
        }
        Kind::MbEdge => {
            let wh = w & hev;
            let f1 = sra::<3>(wh.saturating_add(I::splat(4)));
            let f2 = sra::<3>(wh.saturating_add(I::splat(3)));
            // The wide part: w * 27, 18, 9 (rounded, >> 7) on 16-bit lanes.
            let wn: V = cast(w & (hev ^ I::splat(-1)));
            let lo: i16x8 = cast::<V, i16x8>(V::unpack_low(wn, wn)) >> 8;
            let hi: i16x8 = cast::<V, i16x8>(V::unpack_high(wn, wn)) >> 8;
            let tap = |m: i16| -> I {
                let r = |v: i16x8| ((v * m + i16x8::splat(63)) >> 7) & i16x8::splat(0xff);
                // Results lie in -27..=27: their low bytes are the values.
                cast(V::narrow_i16x8(r(lo), r(hi)))
            };
            let (a0, a1, a2) = (tap(27), tap(18), tap(9));
            px[4] = unflip(qs0.saturating_sub(f1).saturating_sub(a0));
            px[3] = unflip(ps0.saturating_add(f2).saturating_add(a0));
            px[5] = unflip(qs1.saturating_sub(a1));
            px[2] = unflip(ps1.saturating_add(a1));
            px[6] = unflip(flip(q2).saturating_sub(a2));
            px[1] = unflip(flip(p2).saturating_add(a2));
        }
    }
    true
}

type I = i8x16;

/// `|a - b|` per lane.
#[inline(always)]
fn absd(a: V, b: V) -> V {
    a.saturating_sub(b) | b.saturating_sub(a)
}

/// All ones where `a <= t`.
#[inline(always)]
fn le(a: V, t: V) -> V {
    a.saturating_sub(t).cmp_eq(V::splat(0))
}

/// Unsigned shift right of each byte.
#[inline(always)]
fn shr_u8<const S: i32>(a: V) -> V {
    let w: u16x8 = cast(a);
    cast::<u16x8, V>(w >> S) & V::splat(0xff >> S)
}

/// Arithmetic shift right of each signed byte.
#[inline(always)]
fn sra<const S: i32>(a: I) -> I {
    let sign = V::splat(0x80 >> S);
    cast((shr_u8::<S>(cast(a)) ^ sign) - sign)
}

/// Pixel to signed value (`v - 128`).
#[inline(always)]
fn flip(a: V) -> I {
    cast(a ^ V::splat(0x80))
}

#[inline(always)]
fn unflip(a: I) -> V {
    cast::<I, V>(a) ^ V::splat(0x80)
}

type V = u8x16;

#[cfg(test)]
fn edge_limit(kind: Kind, l: &Limits) -> u8 {
    (if kind == Kind::SubEdge { l.sub_edge } else { l.mb_edge }) as u8
}

// Row access. Rows are visited with `chunks_exact`, so that the only bounds
// check per row is one the compiler can hoist (`x + W <= stride`).

/// Loads `W` bytes at column `x` of consecutive rows of `buf` into the low
/// lanes of `out` (one vector per row, as many rows as `out` holds).
#[inline(always)]
fn load_rows<const W: usize>(buf: &[u8], stride: usize, x: usize, out: &mut [V]) {
    // `next()` by hand rather than `zip`, whose set-up is not inlined.
    let mut rows = buf.chunks_exact(stride);
    for o in out.iter_mut() {
        let Some(row) = rows.next() else { return };
        let mut a = [0u8; 16];
        a[..W].copy_from_slice(&row[x..x + W]);
        *o = V::from(a);
    }
}

/// Stores lanes `from..from + W` of each vector of `v` at column `x` of
/// consecutive rows of `buf`.
#[inline(always)]
fn store_rows<const W: usize>(buf: &mut [u8], stride: usize, x: usize, v: &[V], from: usize) {
    let mut rows = buf.chunks_exact_mut(stride);
    for w in v {
        let Some(row) = rows.next() else { return };
        row[x..x + W].copy_from_slice(&w.as_array_ref()[from..from + W]);
    }
}

/// Stores `W` bytes of each half of each vector of `v` (as returned by
/// [`transpose_back8`]: low half row `2k`, high half row `2k + 1`) at
/// column `x` of consecutive rows of `buf`.
#[inline(always)]
fn store_row_pairs<const W: usize>(buf: &mut [u8], stride: usize, x: usize, v: &[V]) {
    let mut pairs = buf.chunks_exact_mut(2 * stride);
    for w in v {
        let Some(rows) = pairs.next() else { return };
        let (r0, r1) = rows.split_at_mut(stride);
        let a = w.as_array_ref();
        r0[x..x + W].copy_from_slice(&a[..W]);
        r1[x..x + W].copy_from_slice(&a[8..8 + W]);
    }
}

/// Pairs the low halves of `a[i]` and `b[i]` into one vector.
#[inline(always)]
fn pair_halves(a: V, b: V) -> V {
    let (a, b): ([u64; 2], [u64; 2]) = (cast(a), cast(b));
    cast([a[0], b[0]])
}

/// Transposes a 16x16 byte matrix (one vector per row). Each round
/// interleaves row `i` with row `i + 8`, which rotates the 8-bit
/// (row, column) index left by one bit; four rounds swap row and column.
/// Lanes that do not feed a used output are dropped by the compiler, so
/// narrower blocks (16x4, 16x8) cost proportionally less.
#[inline(always)]
fn transpose16(v: [V; 16]) -> [V; 16] {
    #[inline(always)]
    fn round(v: &[V; 16]) -> [V; 16] {
        let (lo, hi) = (V::unpack_low, V::unpack_high);
        [
            lo(v[0], v[8]),
            hi(v[0], v[8]),
            lo(v[1], v[9]),
            hi(v[1], v[9]),
            lo(v[2], v[10]),
            hi(v[2], v[10]),
            lo(v[3], v[11]),
            hi(v[3], v[11]),
            lo(v[4], v[12]),
            hi(v[4], v[12]),
            lo(v[5], v[13]),
            hi(v[5], v[13]),
            lo(v[6], v[14]),
            hi(v[6], v[14]),
            lo(v[7], v[15]),
            hi(v[7], v[15]),
        ]
    }
    round(&round(&round(&round(&v))))
}

/// `N` consecutive vectors of `v` starting at `at`.
#[inline(always)]
fn take<const N: usize, const M: usize>(v: &[V; M], at: usize) -> [V; N] {
    let mut out = [V::default(); N];
    out.copy_from_slice(&v[at..at + N]);
    out
}

/// Transposes eight column vectors (one lane per row, 16 rows) back into
/// rows: vector `k` of the result holds row `2k` in its low eight lanes and
/// row `2k + 1` in its high eight. Each round interleaves vector `i` with
/// vector `i + 4`, rotating the 7-bit (vector, lane) index left by one bit;
/// three rounds bring the row bits up front.
#[inline(always)]
fn transpose_back8(v: [V; 8]) -> [V; 8] {
    #[inline(always)]
    fn round(v: &[V; 8]) -> [V; 8] {
        let (lo, hi) = (V::unpack_low, V::unpack_high);
        [
            lo(v[0], v[4]),
            hi(v[0], v[4]),
            lo(v[1], v[5]),
            hi(v[1], v[5]),
            lo(v[2], v[6]),
            hi(v[2], v[6]),
            lo(v[3], v[7]),
            hi(v[3], v[7]),
        ]
    }
    round(&round(&round(&v)))
}

/// Filters the vertical edges of a block given as 16 rows (`rows[r]`
/// holds columns `x..x + 16` of row `r`; when the left edge is filtered,
/// `left.0[r]` holds columns `x - 4..x` in its low lanes and `left.1`
/// receives them back as by [`transpose_back8`]). `inner` lists the
/// positions of the inner edges within the 16 columns.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn vertical_edges(
    rows: &mut [V; 16],
    left: Option<(&[V; 16], &mut [V; 8])>,
    inner: &[usize],
    ek: Kind,
    ik: Kind,
    l: &Limits,
    il: &Limits,
) {
    let mut cols = transpose16(*rows);
    if let Some((left, back_out)) = left {
        let lc = transpose16(*left);
        let mut px = [lc[0], lc[1], lc[2], lc[3], cols[0], cols[1], cols[2], cols[3]];
        let _ = run(&mut px, ek, l);
        cols[..4].copy_from_slice(&px[4..]);
        let mut back = [V::default(); 8];
        back[..4].copy_from_slice(&px[..4]);
        *back_out = transpose_back8(back);
    }
    for &e in inner {
        let mut px: [V; 8] = take(&cols, e - 4);
        if run(&mut px, ik, il) {
            cols[e - 4..e + 4].copy_from_slice(&px);
        }
    }
    *rows = transpose16(cols);
}

/// Per-frame loop filter parameters.
pub(crate) struct FrameFilter {
    simple: bool,
    /// Limits for each filter level.
    limits: [Limits; 64],
}

impl FrameFilter {
    pub fn new(simple: bool, sharpness: u8, key_frame: bool) -> Self {
        FrameFilter { simple, limits: core::array::from_fn(|lvl| limits(lvl as u8, sharpness, key_frame)) }
    }
}

/// Filters the luma of one macroblock whose top-left pixel is at `x` in
/// `cur` (16 rows `stride` apart); `above` holds the four rows above.
#[inline(always)]
fn luma_mb<const SIMPLE: bool>(
    above: Option<&mut [u8]>,
    cur: &mut [u8],
    stride: usize,
    x: usize,
    has_left: bool,
    inner: bool,
    l: &Limits,
) {
    let (ek, ik) = if SIMPLE { (Kind::Simple, Kind::Simple) } else { (Kind::MbEdge, Kind::SubEdge) };
    // The simple filter uses the edge limit as its only limit.
    let il = if SIMPLE { Limits { mb_edge: l.sub_edge, v_mb_edge: l.v_sub_edge, ..*l } } else { *l };
    if !inner {
        // Macroblock edges only (the common case in inter frames): the left
        // edge needs just columns -4..4, the top edge rows -4..4.
        if has_left {
            let mut blk = [V::default(); 16];
            load_rows::<8>(cur, stride, x - 4, &mut blk);
            let mut px: [V; 8] = take(&transpose16(blk), 0);
            if run(&mut px, ek, l) {
                store_row_pairs::<8>(cur, stride, x - 4, &transpose_back8(px));
            }
        }
        if let Some(a) = above {
            let mut px = [V::default(); 8];
            load_rows::<16>(a, stride, x, &mut px[..4]);
            load_rows::<16>(cur, stride, x, &mut px[4..]);
            if run(&mut px, ek, l) {
                store_rows::<16>(&mut a[stride..], stride, x, &px[1..4], 0);
                store_rows::<16>(cur, stride, x, &px[4..7], 0);
            }
        }
        return;
    }
    let edges = [4, 8, 12];
    let mut rows = [V::default(); 16];
    load_rows::<16>(cur, stride, x, &mut rows);
    if has_left {
        let mut left = [V::default(); 16];
        load_rows::<4>(cur, stride, x - 4, &mut left);
        let mut back = [V::default(); 8];
        vertical_edges(&mut rows, Some((&left, &mut back)), &edges, ek, ik, l, &il);
        store_row_pairs::<4>(cur, stride, x - 4, &back);
    } else {
        vertical_edges(&mut rows, None, &edges, ek, ik, l, &il);
    }
    if let Some(a) = above {
        let mut px = [V::default(); 8];
        load_rows::<16>(a, stride, x, &mut px[..4]);
        px[4..].copy_from_slice(&rows[..4]);
        if run(&mut px, ek, l) {
            store_rows::<16>(&mut a[stride..], stride, x, &px[1..4], 0);
            rows[..4].copy_from_slice(&px[4..]);
        }
    }
    for e in edges {
        let mut px: [V; 8] = take(&rows, e - 4);
        if run(&mut px, ik, &il) {
            rows[e - 4..e + 4].copy_from_slice(&px);
        }
    }
    store_rows::<16>(cur, stride, x, &rows, 0);
}

/// Filters both chroma planes of one macroblock at `x`: the eight rows of
/// U and the eight of V form the 16 lanes of the vertical edges, and each
/// row of U next to the same row of V those of the horizontal edges.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn chroma_mb<const INNER: bool>(
    above: Option<(&mut [u8], &mut [u8])>,
    u: &mut [u8],
    v: &mut [u8],
    stride: usize,
    x: usize,
    has_left: bool,
    l: &Limits,
) {
    // A constant, so that each variant only computes the columns it uses.
    let inner = INNER;
    if has_left || inner {
        // Columns -4..12 of the eight U rows and eight V rows (only -4..8
        // are used when the inner edge is filtered, -4..4 otherwise).
        let mut blk = [V::default(); 16];
        load_rows::<16>(u, stride, x - 4, &mut blk[..8]);
        load_rows::<16>(v, stride, x - 4, &mut blk[8..]);
        let mut cols = transpose16(blk);
        let (mut left_changed, mut inner_changed) = (false, false);
        if has_left {
            let mut px: [V; 8] = take(&cols, 0);
            left_changed = run(&mut px, Kind::MbEdge, l);
            cols[..8].copy_from_slice(&px);
        }
        if inner {
            let mut px: [V; 8] = take(&cols, 4);
            inner_changed = run(&mut px, Kind::SubEdge, l);
            cols[4..12].copy_from_slice(&px);
        }
        // Rows 0..8 of the block are U, 8..16 V: row pairs 0..4 are in U.
        if left_changed || inner_changed {
            let back = transpose_back8(take(&cols, 0));
            store_row_pairs::<8>(u, stride, x - 4, &back[..4]);
            store_row_pairs::<8>(v, stride, x - 4, &back[4..]);
        }
        if inner_changed {
            let mut rest = [V::default(); 8];
            rest[..4].copy_from_slice(&cols[8..12]);
            let back = transpose_back8(rest);
            store_row_pairs::<4>(u, stride, x + 4, &back[..4]);
            store_row_pairs::<4>(v, stride, x + 4, &back[4..]);
        }
    }
    if above.is_none() && !inner {
        return;
    }
    // Rows 0..4 take part in the top edge, all eight in the inner one.
    let n = if inner { 8 } else { 4 };
    let (mut ru, mut rv) = ([V::default(); 8], [V::default(); 8]);
    load_rows::<8>(u, stride, x, &mut ru[..n]);
    load_rows::<8>(v, stride, x, &mut rv[..n]);
    let mut rows = [V::default(); 8];
    for r in 0..8 {
        rows[r] = pair_halves(ru[r], rv[r]);
    }
    let mut changed = false;
    if let Some((au, av)) = above {
        let (mut tu, mut tv) = ([V::default(); 4], [V::default(); 4]);
        load_rows::<8>(au, stride, x, &mut tu);
        load_rows::<8>(av, stride, x, &mut tv);
        let mut px = [V::default(); 8];
        for k in 0..4 {
            px[k] = pair_halves(tu[k], tv[k]);
            px[k + 4] = rows[k];
        }
        if run(&mut px, Kind::MbEdge, l) {
            store_rows::<8>(&mut au[stride..], stride, x, &px[1..4], 0);
            store_rows::<8>(&mut av[stride..], stride, x, &px[1..4], 8);
            rows[..4].copy_from_slice(&px[4..]);
            changed = true;
        }
    }
    if inner {
        changed |= run(&mut rows, Kind::SubEdge, l);
    }
    if changed {
        store_rows::<8>(u, stride, x, &rows[..n], 0);
        store_rows::<8>(v, stride, x, &rows[..n], 8);
    }
}

/// Filters one macroblock row. `info` holds each macroblock's
/// [`MB_INFO_STRIDE`]-byte record: filter level (byte 1, 0 for none) and
/// whether the inner edges are filtered (byte 2).
pub(crate) fn filter_row(rows: FilterRows<'_>, g: &FrameGeom, ff: &FrameFilter, info: &[u8]) {
    let FilterRows { above, cur: [y, u, v] } = rows;
    let (mut ay, mut auv) = match above {
        Some([a, b, c]) => (Some(a), Some((b, c))),
        None => (None, None),
    };
    let (ys, uvs) = (g.y_stride, g.uv_stride);
    for (mb_col, rec) in info.chunks_exact(MB_INFO_STRIDE).take(g.mb_cols).enumerate() {
        let level = rec[1];
        if level == 0 {
            continue;
        }
        let l = &ff.limits[usize::from(level & 63)];
        let inner = rec[2] != 0;
        let x = BORDER + 16 * mb_col;
        let ay = ay.as_deref_mut();
        if ff.simple {
            luma_mb::<true>(ay, y, ys, x, mb_col > 0, inner, l);
        } else {
            luma_mb::<false>(ay, y, ys, x, mb_col > 0, inner, l);
            let auv = auv.as_mut().map(|(a, b)| (&mut **a, &mut **b));
            let x = UV_BORDER + 8 * mb_col;
            if inner {
                chroma_mb::<true>(auv, u, v, uvs, x, mb_col > 0, l);
            } else {
                chroma_mb::<false>(auv, u, v, uvs, x, mb_col > 0, l);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The scalar transcription the vector kernel is checked against.
    /// Filters `N` positions of one edge. `px[0..8]` hold p3, p2, p1, p0, q0,
    /// q1, q2, q3 for each position. The arithmetic is that of section 15,
    /// done on saturating 8-bit lanes (which gives results identical to the
    /// clamped wide arithmetic of the specification), in simple branch-free
    /// passes over the lanes so that each compiles to vector code.
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

    #[test]
    fn vector_kernel_matches_scalar() {
        let mut seed = 0x1234_5678u32;
        let mut next = move || {
            seed = seed.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (seed >> 24) as u8
        };
        for round in 0..20_000 {
            let level = (round % 64) as u8;
            let l = limits(level, (round / 64 % 8) as u8, round % 2 == 0);
            // Mostly smooth edges (so that the filters engage), some noise.
            let spread = [2u8, 8, 40, 255][round % 4];
            let base = next();
            let mut a = [[0u8; 16]; 8];
            for row in a.iter_mut() {
                for v in row.iter_mut() {
                    *v = base.wrapping_add(next() % spread);
                }
            }
            for kind in [Kind::MbEdge, Kind::SubEdge, Kind::Simple] {
                let mut want = a;
                filter_kernel::<16>(&mut want, kind, edge_limit(kind, &l), l.interior as u8, l.hev as u8);
                let mut got = a.map(V::from);
                let changed = run(&mut got, kind, &l);
                assert!(changed || got.map(V::to_array) == a, "unchanged pixels reported as such");
                assert_eq!(got.map(V::to_array), want, "level {level} kind {}", kind as u8);
            }
        }
    }

    #[test]
    fn transpose_is_correct() {
        let m: [V; 16] = core::array::from_fn(|r| V::from(core::array::from_fn::<u8, 16, _>(|c| (r * 16 + c) as u8)));
        let t = transpose16(m);
        for (c, v) in t.iter().enumerate() {
            for (r, b) in v.to_array().iter().enumerate() {
                assert_eq!(usize::from(*b), r * 16 + c);
            }
        }
    }
}
