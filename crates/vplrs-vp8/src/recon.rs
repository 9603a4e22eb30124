//! Macroblock reconstruction (prediction plus residual) into the frame
//! being decoded, and the single-threaded frame loop that interleaves
//! parsing, reconstruction and the loop filter one macroblock row apart.

use crate::bool_decoder::BoolDecoder;
use crate::frame::{FrameGeom, Planes};
use crate::inter::{clamp_chroma_mv, clamp_luma_mv, predict, Dst, Filter, RefPlane};
use crate::intra::{predict_block, predict_subblock};
use crate::loopfilter::{filter_row, FrameFilter};
use crate::modes::{MbEdges, MbInfo, B_PRED, INTRA_FRAME, SPLITMV};
use crate::parse::{MbParser, ParsedMb, COEFF_BYTES};
use crate::tokens::{BLK_AC, BLK_EMPTY};
use crate::transform::{dc_add, idct_add, inverse_wht, load_block};

/// Reference frame buffers indexed by reference frame (1: last,
/// 2: golden, 3: altref).
#[derive(Clone, Copy)]
pub(crate) struct Refs<'a> {
    pub by_ref: [&'a [u8]; 4],
}

/// Reconstruction state of one frame (one per thread that reconstructs).
pub(crate) struct MbRecon<'a> {
    pub geom: FrameGeom,
    pub bilinear: bool,
    pub full_pixel: bool,
    pub refs: Refs<'a>,
    /// Interpolation temporaries (at least `PRED_SCRATCH_LEN` bytes).
    pub scratch: &'a mut [u8],
}

/// Decodes all macroblocks of a frame on the calling thread: each row is
/// parsed and reconstructed macroblock by macroblock, and the previous
/// row is loop-filtered once nothing needs its unfiltered pixels any more
/// (section 15: filtering in raster order after reconstruction; intra
/// prediction of a row uses the unfiltered pixels above). Returns whether
/// the data ran out (the frame is then complete but damaged, exactly as
/// the reference decoder would have reconstructed it).
#[allow(clippy::too_many_arguments)]
pub(crate) fn decode_rows(
    parser: &mut MbParser<'_>,
    recon: &mut MbRecon<'_>,
    planes: &mut Planes<'_>,
    coeffs: &mut [u8],
    filter: Option<&FrameFilter>,
    first: &mut BoolDecoder<'_>,
    parts: &mut [BoolDecoder<'_>],
) -> bool {
    let g = recon.geom;
    let mut damaged = false;
    let nparts = parts.len();
    for mb_row in 0..g.mb_rows {
        let part = &mut parts[mb_row % nparts];
        parser.start_row();
        for mb_col in 0..g.mb_cols {
            let (p, d) = parser.parse(first, part, mb_col, mb_row, coeffs);
            damaged |= d;
            recon.reconstruct(planes, mb_col, mb_row, &p, coeffs);
        }
        g.extend_row_right(planes, mb_row);
        if let Some(ff) = filter {
            if mb_row > 0 {
                filter_row(g.filter_rows(planes, mb_row - 1), &g, ff, parser.row_info(mb_row - 1));
            }
        }
    }
    if let Some(ff) = filter {
        let last = g.mb_rows - 1;
        filter_row(g.filter_rows(planes, last), &g, ff, parser.row_info(last));
    }
    damaged || first.overrun()
}

impl MbRecon<'_> {
    /// Reconstructs one parsed macroblock; `coeffs` holds its residual
    /// ([`COEFF_BYTES`]) and is left all zero.
    pub fn reconstruct(
        &mut self,
        planes: &mut Planes<'_>,
        mb_col: usize,
        mb_row: usize,
        p: &ParsedMb,
        coeffs: &mut [u8],
    ) {
        let g = self.geom;
        let edges = MbEdges::new(mb_col, mb_row, g.mb_cols, g.mb_rows);
        let coeffs = &mut coeffs[..COEFF_BYTES];
        self.reconstruct_mb(planes, coeffs, mb_col, mb_row, &p.mb, &edges, &p.flags, p.has_y2);
    }

    #[allow(clippy::too_many_arguments)]
    #[inline(always)]
    fn reconstruct_mb(
        &mut self,
        planes: &mut Planes<'_>,
        coeffs: &mut [u8],
        mb_col: usize,
        mb_row: usize,
        mb: &MbInfo,
        edges: &MbEdges,
        flags: &[u8; 25],
        has_y2: bool,
    ) {
        let g = self.geom;
        let ys = g.y_stride;
        let (ybuf, ybase) = planes.plane(0);
        let yoff = g.origin[0] + mb_row * 16 * ys + mb_col * 16 - ybase;
        if mb.ref_frame == INTRA_FRAME {
            let (have_above, have_left) = (mb_row > 0, mb_col > 0);
            if mb.ymode == B_PRED {
                // Above-right pixels of the macroblock, shared by the
                // right column of subblocks.
                let mut ar = [0u8; 4];
                ar.copy_from_slice(&ybuf[yoff - ys + 16..yoff - ys + 20]);
                for i in 0..16 {
                    let off = yoff + (i >> 2) * 4 * ys + (i & 3) * 4;
                    let above_right = if i & 3 == 3 {
                        ar
                    } else {
                        let mut a = [0u8; 4];
                        a.copy_from_slice(&ybuf[off - ys + 4..off - ys + 8]);
                        a
                    };
                    predict_subblock(ybuf, off, ys, mb.bmodes[i], above_right);
                    if flags[i] != BLK_EMPTY {
                        add_residual_block(coeffs, ybuf, i, off, ys, flags[i], None);
                    }
                }
            } else {
                predict_block::<16>(ybuf, yoff, ys, mb.ymode, have_above, have_left);
            }
            for p in 1..3 {
                let (buf, base) = planes.plane(p);
                let off = g.origin[p] + mb_row * 8 * g.uv_stride + mb_col * 8 - base;
                predict_block::<8>(buf, off, g.uv_stride, mb.uv_mode, have_above, have_left);
            }
        } else {
            self.predict_inter(planes, mb_col, mb_row, mb, edges);
        }
        if !flags.iter().any(|&f| f != BLK_EMPTY) {
            // No residual at all (common in inter frames).
            return;
        }
        if mb.ymode != B_PRED {
            let (ybuf, _) = planes.plane(0);
            if has_y2 {
                let dcs = if flags[24] == BLK_EMPTY {
                    [0i16; 16]
                } else {
                    let y2 = load_block(&coeffs[24 * 32..25 * 32]);
                    coeffs[24 * 32..25 * 32].fill(0);
                    inverse_wht(&y2)
                };
                for (i, &dc) in dcs.iter().enumerate() {
                    if flags[i] != BLK_EMPTY || dc != 0 {
                        let off = yoff + (i >> 2) * 4 * ys + (i & 3) * 4;
                        add_residual_block(coeffs, ybuf, i, off, ys, flags[i], Some(dc));
                    }
                }
            } else {
                for i in 0..16 {
                    if flags[i] != BLK_EMPTY {
                        let off = yoff + (i >> 2) * 4 * ys + (i & 3) * 4;
                        add_residual_block(coeffs, ybuf, i, off, ys, flags[i], None);
                    }
                }
            }
        }
        for i in 16..24 {
            if flags[i] == BLK_EMPTY {
                continue;
            }
            let p = if i < 20 { 1 } else { 2 };
            let k = (i - 16) & 3;
            let (buf, base) = planes.plane(p);
            let off = g.origin[p] + (mb_row * 8 + (k >> 1) * 4) * g.uv_stride + mb_col * 8 + (k & 1) * 4 - base;
            add_residual_block(coeffs, buf, i, off, g.uv_stride, flags[i], None);
        }
    }

    fn predict_inter(&mut self, planes: &mut Planes<'_>, mb_col: usize, mb_row: usize, mb: &MbInfo, edges: &MbEdges) {
        let g = self.geom;
        let filter = if self.bilinear { Filter::Bilinear } else { Filter::SixTap };
        let reference = self.refs.by_ref[usize::from(mb.ref_frame & 3)];
        let plane = |p: usize| {
            let (w, h) = g.plane_size(p);
            RefPlane {
                data: reference,
                origin: g.origin[p],
                stride: g.stride(p),
                width: w as i32,
                height: h as i32,
                border: g.border(p) as i32,
            }
        };
        let (yp, up, vp) = (plane(0), plane(1), plane(2));
        let scratch = &mut *self.scratch;
        let (x, y) = ((mb_col * 16) as i32, (mb_row * 16) as i32);
        let (cx, cy) = ((mb_col * 8) as i32, (mb_row * 8) as i32);
        let mask = if self.full_pixel { !7 } else { !0 };
        let ys = g.y_stride;
        let uvs = g.uv_stride;
        let base = planes.base;
        let [ycur, ucur, vcur] = &mut planes.bufs;
        if mb.ymode != SPLITMV {
            let (r, c) = clamp_luma_mv(i32::from(mb.mv.row), i32::from(mb.mv.col), edges);
            // Chroma vector: average of the (clamped) luma vector, rounded
            // away from zero.
            let derive = |v: i32| ((v + if v < 0 { -1 } else { 1 }) / 2) & mask;
            let (ur, uc) = (derive(r), derive(c));
            let whole = (r | c | ur | uc) & 7 == 0;
            let mut d = Dst { data: ycur, off: yp.origin + y as usize * ys + x as usize - base[0], stride: ys };
            if !(whole && copy_block::<16>(&yp, x + (c >> 3), y + (r >> 3), &mut d)) {
                predict(&yp, x, y, r, c, 16, filter, &mut d, scratch);
            }
            for (pl, buf, b) in [(&up, &mut *ucur, base[1]), (&vp, &mut *vcur, base[2])] {
                let mut d = Dst { data: buf, off: pl.origin + cy as usize * uvs + cx as usize - b, stride: uvs };
                if !(whole && copy_block::<8>(pl, cx + (uc >> 3), cy + (ur >> 3), &mut d)) {
                    predict(pl, cx, cy, ur, uc, 8, filter, &mut d, scratch);
                }
            }
            return;
        }
        if mb.partitioning < 3 {
            for (b, bx, by) in [(0usize, 0i32, 0i32), (2, 8, 0), (8, 0, 8), (10, 8, 8)] {
                let mv = mb.bmvs[b];
                let (r, c) = clamp_luma_mv(i32::from(mv.row), i32::from(mv.col), edges);
                let off = yp.origin + (y + by) as usize * ys + (x + bx) as usize - base[0];
                let mut d = Dst { data: ycur, off, stride: ys };
                predict(&yp, x + bx, y + by, r, c, 8, filter, &mut d, scratch);
            }
        } else {
            for (b, mv) in mb.bmvs.iter().enumerate() {
                let (bx, by) = ((b & 3) as i32 * 4, (b >> 2) as i32 * 4);
                let (r, c) = clamp_luma_mv(i32::from(mv.row), i32::from(mv.col), edges);
                let off = yp.origin + (y + by) as usize * ys + (x + bx) as usize - base[0];
                let mut d = Dst { data: ycur, off, stride: ys };
                predict(&yp, x + bx, y + by, r, c, 4, filter, &mut d, scratch);
            }
        }
        for i in 0..2 {
            for j in 0..2 {
                let b = i * 8 + j * 2;
                let sum = |f: fn(&crate::modes::Mv) -> i16| -> i32 {
                    [b, b + 1, b + 4, b + 5].iter().map(|&k| i32::from(f(&mb.bmvs[k]))).sum()
                };
                let avg = |t: i32| ((t + if t < 0 { -4 } else { 4 }) / 8) & mask;
                let r = avg(sum(|m| m.row));
                let c = avg(sum(|m| m.col));
                let (r, c) = clamp_chroma_mv(r, c, edges);
                let (bx, by) = (cx + j as i32 * 4, cy + i as i32 * 4);
                for (pl, buf, b) in [(&up, &mut *ucur, base[1]), (&vp, &mut *vcur, base[2])] {
                    let mut d = Dst { data: buf, off: pl.origin + by as usize * uvs + bx as usize - b, stride: uvs };
                    predict(pl, bx, by, r, c, 4, filter, &mut d, scratch);
                }
            }
        }
    }
}

/// Adds the residual of block `b` (if any) at `off`, then clears the
/// block's coefficients. `dc` overrides the DC coefficient (from Y2).
#[inline(never)]
fn add_residual_block(
    coeffs: &mut [u8],
    dst: &mut [u8],
    b: usize,
    off: usize,
    stride: usize,
    flag: u8,
    dc: Option<i16>,
) {
    let bytes = &mut coeffs[b * 32..b * 32 + 32];
    if flag == BLK_AC {
        let mut blk = load_block(bytes);
        bytes.fill(0);
        if let Some(dc) = dc {
            blk[0] = dc;
        }
        idct_add(&blk, dst, off, stride);
    } else {
        let v = match dc {
            Some(d) => d,
            None if flag == BLK_EMPTY => return,
            None => {
                let v = i16::from_le_bytes([bytes[0], bytes[1]]);
                bytes[0] = 0;
                bytes[1] = 0;
                v
            }
        };
        if v != 0 {
            dc_add(v, dst, off, stride);
        }
    }
}

/// Copies the `N`x`N` block at plane position (`x`, `y`) of a reference to
/// `dst` (a whole-pixel prediction, the commonest kind, without the set-up
/// of [`predict`]). Returns `false`, copying nothing, if the block is not
/// within the reference's replicated border; [`predict`] then handles it.
#[inline(always)]
fn copy_block<const N: usize>(r: &RefPlane<'_>, x: i32, y: i32, dst: &mut Dst<'_>) -> bool {
    let n = N as i32;
    if x < -r.border || y < -r.border || x + n > r.width + r.border || y + n > r.height + r.border {
        return false;
    }
    let off = (r.origin as isize + y as isize * r.stride as isize + x as isize) as usize;
    let (s, d) = (r.data.get(off..off + N * r.stride), dst.data.get_mut(dst.off..dst.off + N * dst.stride));
    let (Some(s), Some(d)) = (s, d) else {
        return false;
    };
    // `next()` by hand rather than `zip`, whose set-up is not inlined.
    let mut drows = d.chunks_exact_mut(dst.stride);
    for s in s.chunks_exact(r.stride) {
        let Some(d) = drows.next() else { break };
        d[..N].copy_from_slice(&s[..N]);
    }
    true
}
