//! Macroblock-level decoding loop: reads modes and tokens and reconstructs
//! each macroblock (prediction plus residual) into the current frame.

use crate::bool_decoder::BoolDecoder;
use crate::frame::FrameGeom;
use crate::header::{FrameHeader, Segmentation};
use crate::inter::{clamp_chroma_mv, clamp_luma_mv, predict, Dst, Filter, RefPlane};
use crate::intra::{predict_block, predict_subblock};
use crate::loopfilter::{filter_row, FrameFilter, LevelTable};
use crate::memory::{MB_INFO_STRIDE, SCRATCH_PRED_OFF};
use crate::modes::{read_mb_modes, MbEdges, MbInfo, ModeCtx, Neighbor, B_PRED, CTX_STRIDE, C_NZ, INTRA_FRAME, SPLITMV};
use crate::probs::Probs;
use crate::tokens::{read_mb_tokens, reset_mb_contexts, Dequant, BLK_AC, BLK_EMPTY};
use crate::transform::{dc_add, idct_add, inverse_wht, load_block};

/// Reference frame buffers indexed by reference frame (1: last,
/// 2: golden, 3: altref).
pub(crate) struct Refs<'a> {
    pub by_ref: [&'a [u8]; 4],
}

/// Everything needed to decode the macroblocks of one frame.
pub(crate) struct MbDecoder<'a, 'p> {
    pub geom: FrameGeom,
    pub key_frame: bool,
    pub hdr: &'a FrameHeader,
    pub seg: &'a Segmentation,
    pub probs: &'a Probs<'p>,
    pub sign_bias: [bool; 4],
    pub dequant: [Dequant; 4],
    pub levels: &'a LevelTable,
    pub bilinear: bool,
    pub full_pixel: bool,
    pub cur: &'a mut [u8],
    pub refs: Refs<'a>,
    pub ctx: &'a mut [u8],
    pub scratch: &'a mut [u8],
    pub mb_info: &'a mut [u8],
    /// Loop filter parameters, `None` when the frame is not filtered.
    pub filter: Option<FrameFilter>,
}

impl MbDecoder<'_, '_> {
    /// Decodes all macroblocks. Returns whether the data ran out (the
    /// frame is then complete but damaged, exactly as the reference
    /// decoder would have reconstructed it).
    pub fn decode_all(&mut self, first: &mut BoolDecoder<'_>, parts: &mut [BoolDecoder<'_>]) -> bool {
        let mut damaged = false;
        let g = self.geom;
        let mcx = ModeCtx {
            key_frame: self.key_frame,
            hdr: self.hdr,
            seg: self.seg,
            ymode_probs: self.probs.ymode(),
            uv_mode_probs: self.probs.uv_mode(),
            mv_probs: self.probs.mv(),
            sign_bias: self.sign_bias,
        };
        self.ctx[..(g.mb_cols + 1) * CTX_STRIDE].fill(0);
        g.prepare_intra_borders(self.cur);
        let coeff_probs = self.probs.coeff();
        let nparts = parts.len();
        for mb_row in 0..g.mb_rows {
            let part = &mut parts[mb_row % nparts];
            // Reset the left context.
            let left_off = g.mb_cols * CTX_STRIDE;
            self.ctx[left_off..left_off + CTX_STRIDE].fill(0);
            let mut above_left = Neighbor::default();
            for mb_col in 0..g.mb_cols {
                let (above_part, left_part) = self.ctx.split_at_mut(left_off);
                let arec = &mut above_part[mb_col * CTX_STRIDE..(mb_col + 1) * CTX_STRIDE];
                let lrec = &mut left_part[..CTX_STRIDE];
                let above = Neighbor::load(arec);
                let left = Neighbor::load(lrec);
                let edges = MbEdges::new(mb_col, mb_row, g.mb_cols, g.mb_rows);
                let info_off = (mb_row * g.mb_cols + mb_col) * MB_INFO_STRIDE;
                let mut mb = MbInfo::default();
                read_mb_modes(first, &mcx, &above, &left, &above_left, &edges, &mut self.mb_info[info_off], &mut mb);
                let has_y2 = mb.ymode != B_PRED && mb.ymode != SPLITMV;
                let mut flags = [BLK_EMPTY; 25];
                let coded = if mb.skip {
                    reset_mb_contexts(&mut arec[C_NZ..], &mut lrec[C_NZ..], has_y2);
                    false
                } else if part.padding_bits_used() > 0 {
                    damaged = true;
                    // The partition is exhausted: like the reference
                    // decoder, read no more residual from it. The
                    // macroblock keeps its "has residual" status (so its
                    // inner edges are filtered) and the contexts are left
                    // as they are.
                    true
                } else {
                    read_mb_tokens(
                        part,
                        coeff_probs,
                        &mut arec[C_NZ..],
                        &mut lrec[C_NZ..],
                        has_y2,
                        &self.dequant[usize::from(mb.segment & 3)],
                        &mut self.scratch[..25 * 32],
                        &mut flags,
                    )
                };
                above_left = above;
                mb.below_edge().store(arec);
                mb.right_edge().store(lrec);

                self.reconstruct(mb_col, mb_row, &mb, &edges, &flags, has_y2);

                let level = self.levels.level(mb.segment, mb.ref_frame, mb.ymode);
                self.mb_info[info_off + 1] = level;
                self.mb_info[info_off + 2] = u8::from(!has_y2 || coded);
            }
            g.extend_row_right(self.cur, mb_row);
            // Loop-filter the previous row now that nothing needs its
            // unfiltered pixels any more (section 15: filtering in raster
            // order after reconstruction; intra prediction of this row
            // used the unfiltered pixels).
            if let Some(ff) = &self.filter {
                if mb_row > 0 {
                    filter_row(g.filter_rows(self.cur, mb_row - 1), &g, ff, row_info(self.mb_info, &g, mb_row - 1));
                }
            }
        }
        if let Some(ff) = &self.filter {
            let last = g.mb_rows - 1;
            filter_row(g.filter_rows(self.cur, last), &g, ff, row_info(self.mb_info, &g, last));
        }
        damaged || first.overrun()
    }

    fn reconstruct(
        &mut self,
        mb_col: usize,
        mb_row: usize,
        mb: &MbInfo,
        edges: &MbEdges,
        flags: &[u8; 25],
        has_y2: bool,
    ) {
        let g = self.geom;
        let ys = g.y_stride;
        let yoff = g.origin[0] + mb_row * 16 * ys + mb_col * 16;
        if mb.ref_frame == INTRA_FRAME {
            let (have_above, have_left) = (mb_row > 0, mb_col > 0);
            if mb.ymode == B_PRED {
                // Above-right pixels of the macroblock, shared by the
                // right column of subblocks.
                let mut ar = [0u8; 4];
                ar.copy_from_slice(&self.cur[yoff - ys + 16..yoff - ys + 20]);
                for i in 0..16 {
                    let off = yoff + (i >> 2) * 4 * ys + (i & 3) * 4;
                    let above_right = if i & 3 == 3 {
                        ar
                    } else {
                        let mut a = [0u8; 4];
                        a.copy_from_slice(&self.cur[off - ys + 4..off - ys + 8]);
                        a
                    };
                    predict_subblock(self.cur, off, ys, mb.bmodes[i], above_right);
                    if flags[i] != BLK_EMPTY {
                        self.add_residual_block(i, off, ys, flags[i], None);
                    }
                }
            } else {
                predict_block::<16>(self.cur, yoff, ys, mb.ymode, have_above, have_left);
            }
            for p in 1..3 {
                let off = g.origin[p] + mb_row * 8 * g.uv_stride + mb_col * 8;
                predict_block::<8>(self.cur, off, g.uv_stride, mb.uv_mode, have_above, have_left);
            }
        } else {
            self.predict_inter(mb_col, mb_row, mb, edges);
        }
        if !flags.iter().any(|&f| f != BLK_EMPTY) {
            // No residual at all (common in inter frames).
            return;
        }
        if mb.ymode != B_PRED {
            if has_y2 {
                let dcs = if flags[24] == BLK_EMPTY {
                    [0i16; 16]
                } else {
                    let y2 = load_block(&self.scratch[24 * 32..25 * 32]);
                    self.scratch[24 * 32..25 * 32].fill(0);
                    inverse_wht(&y2)
                };
                for (i, &dc) in dcs.iter().enumerate() {
                    if flags[i] != BLK_EMPTY || dc != 0 {
                        let off = yoff + (i >> 2) * 4 * ys + (i & 3) * 4;
                        self.add_residual_block(i, off, ys, flags[i], Some(dc));
                    }
                }
            } else {
                for i in 0..16 {
                    if flags[i] != BLK_EMPTY {
                        let off = yoff + (i >> 2) * 4 * ys + (i & 3) * 4;
                        self.add_residual_block(i, off, ys, flags[i], None);
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
            let off = g.origin[p] + (mb_row * 8 + (k >> 1) * 4) * g.uv_stride + mb_col * 8 + (k & 1) * 4;
            self.add_residual_block(i, off, g.uv_stride, flags[i], None);
        }
    }

    /// Adds the residual of block `b` (if any) at `off`, then clears the
    /// block's coefficients. `dc` overrides the DC coefficient (from Y2).
    #[inline(never)]
    fn add_residual_block(&mut self, b: usize, off: usize, stride: usize, flag: u8, dc: Option<i16>) {
        let bytes = &mut self.scratch[b * 32..b * 32 + 32];
        if flag == BLK_AC {
            let mut blk = load_block(bytes);
            bytes.fill(0);
            if let Some(dc) = dc {
                blk[0] = dc;
            }
            idct_add(&blk, self.cur, off, stride);
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
                dc_add(v, self.cur, off, stride);
            }
        }
    }

    fn predict_inter(&mut self, mb_col: usize, mb_row: usize, mb: &MbInfo, edges: &MbEdges) {
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
        let scratch = &mut self.scratch[SCRATCH_PRED_OFF..];
        let (x, y) = ((mb_col * 16) as i32, (mb_row * 16) as i32);
        let (cx, cy) = ((mb_col * 8) as i32, (mb_row * 8) as i32);
        let mask = if self.full_pixel { !7 } else { !0 };
        let ys = g.y_stride;
        let uvs = g.uv_stride;
        let cur = &mut *self.cur;
        if mb.ymode != SPLITMV {
            let (r, c) = clamp_luma_mv(i32::from(mb.mv.row), i32::from(mb.mv.col), edges);
            let mut d = Dst { data: cur, off: yp.origin + y as usize * ys + x as usize, stride: ys };
            predict(&yp, x, y, r, c, 16, filter, &mut d, scratch);
            // Chroma vector: average of the (clamped) luma vector, rounded
            // away from zero.
            let derive = |v: i32| ((v + if v < 0 { -1 } else { 1 }) / 2) & mask;
            let (ur, uc) = (derive(r), derive(c));
            for pl in [&up, &vp] {
                let mut d = Dst { data: cur, off: pl.origin + cy as usize * uvs + cx as usize, stride: uvs };
                predict(pl, cx, cy, ur, uc, 8, filter, &mut d, scratch);
            }
            return;
        }
        if mb.partitioning < 3 {
            for (b, bx, by) in [(0usize, 0i32, 0i32), (2, 8, 0), (8, 0, 8), (10, 8, 8)] {
                let mv = mb.bmvs[b];
                let (r, c) = clamp_luma_mv(i32::from(mv.row), i32::from(mv.col), edges);
                let mut d = Dst { data: cur, off: yp.origin + (y + by) as usize * ys + (x + bx) as usize, stride: ys };
                predict(&yp, x + bx, y + by, r, c, 8, filter, &mut d, scratch);
            }
        } else {
            for (b, mv) in mb.bmvs.iter().enumerate() {
                let (bx, by) = ((b & 3) as i32 * 4, (b >> 2) as i32 * 4);
                let (r, c) = clamp_luma_mv(i32::from(mv.row), i32::from(mv.col), edges);
                let mut d = Dst { data: cur, off: yp.origin + (y + by) as usize * ys + (x + bx) as usize, stride: ys };
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
                for pl in [&up, &vp] {
                    let mut d = Dst { data: cur, off: pl.origin + by as usize * uvs + bx as usize, stride: uvs };
                    predict(pl, bx, by, r, c, 4, filter, &mut d, scratch);
                }
            }
        }
    }
}

/// The `MB_INFO` records of one macroblock row.
fn row_info<'a>(mb_info: &'a [u8], g: &FrameGeom, mb_row: usize) -> &'a [u8] {
    let n = g.mb_cols * MB_INFO_STRIDE;
    &mb_info[mb_row * n..(mb_row + 1) * n]
}
