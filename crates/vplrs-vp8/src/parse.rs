//! Macroblock parsing: the prediction record from the first partition
//! and the residual tokens from a token partition, for one macroblock at a
//! time in raster order. Parsing is independent of the pixels, so it can
//! run ahead of reconstruction (on another thread, see `threads`).

use crate::bool_decoder::BoolDecoder;
use crate::frame::FrameGeom;
use crate::loopfilter::LevelTable;
use crate::memory::MB_INFO_STRIDE;
use crate::modes::{read_mb_modes, MbEdges, MbInfo, ModeCtx, Neighbor, B_PRED, CTX_STRIDE, C_NZ, SPLITMV};
use crate::tokens::{read_mb_tokens, reset_mb_contexts, Dequant, BLK_EMPTY};

/// Bytes of residual coefficients of one macroblock: 25 blocks of 16
/// little-endian `i16`. Kept all zero between macroblocks: parsing writes
/// only the coefficients it decodes, reconstruction clears what it reads.
pub(crate) const COEFF_BYTES: usize = 25 * 32;

/// What reconstruction needs to know about a parsed macroblock.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ParsedMb {
    pub mb: MbInfo,
    /// What each of the 25 blocks contains (`BLK_*`).
    pub flags: [u8; 25],
    /// Whether the macroblock has a Y2 (second order) block.
    pub has_y2: bool,
}

/// Parsing state of one frame: the neighbour contexts and the per-frame
/// tables.
pub(crate) struct MbParser<'a> {
    pub geom: FrameGeom,
    pub modes: ModeCtx<'a>,
    pub coeff_probs: &'a [u8],
    pub dequant: [Dequant; 4],
    pub levels: &'a LevelTable,
    /// The `CONTEXT` segment: one record per macroblock column (the row
    /// above), then the left neighbour's.
    pub ctx: &'a mut [u8],
    /// The `MB_INFO` segment: segment map, filter level, inner-edge flag.
    pub mb_info: &'a mut [u8],
    above_left: Neighbor,
}

impl<'a> MbParser<'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        geom: FrameGeom,
        modes: ModeCtx<'a>,
        coeff_probs: &'a [u8],
        dequant: [Dequant; 4],
        levels: &'a LevelTable,
        ctx: &'a mut [u8],
        mb_info: &'a mut [u8],
    ) -> Self {
        ctx[..(geom.mb_cols + 1) * CTX_STRIDE].fill(0);
        MbParser { geom, modes, coeff_probs, dequant, levels, ctx, mb_info, above_left: Neighbor::default() }
    }

    /// Prepares for the first macroblock of a row.
    pub fn start_row(&mut self) {
        let left_off = self.geom.mb_cols * CTX_STRIDE;
        self.ctx[left_off..left_off + CTX_STRIDE].fill(0);
        self.above_left = Neighbor::default();
    }

    /// Parses one macroblock; its coefficients go to `coeffs` (at least
    /// [`COEFF_BYTES`], all zero on entry). Records the filter level and
    /// inner-edge flag in `MB_INFO`. Returns the record and whether the
    /// token partition had run dry (the macroblock is then damaged).
    pub fn parse(
        &mut self,
        first: &mut BoolDecoder<'_>,
        part: &mut BoolDecoder<'_>,
        mb_col: usize,
        mb_row: usize,
        coeffs: &mut [u8],
    ) -> (ParsedMb, bool) {
        let g = self.geom;
        let left_off = g.mb_cols * CTX_STRIDE;
        let (above_part, left_part) = self.ctx.split_at_mut(left_off);
        let arec = &mut above_part[mb_col * CTX_STRIDE..(mb_col + 1) * CTX_STRIDE];
        let lrec = &mut left_part[..CTX_STRIDE];
        let above = Neighbor::load(arec);
        let left = Neighbor::load(lrec);
        let edges = MbEdges::new(mb_col, mb_row, g.mb_cols, g.mb_rows);
        let info_off = (mb_row * g.mb_cols + mb_col) * MB_INFO_STRIDE;
        let mut p = ParsedMb::default();
        let mb = &mut p.mb;
        let mut bd = first.clone();
        read_mb_modes(&mut bd, &self.modes, &above, &left, &self.above_left, &edges, &mut self.mb_info[info_off], mb);
        *first = bd;
        p.has_y2 = mb.ymode != B_PRED && mb.ymode != SPLITMV;
        let mut damaged = false;
        let coded = if mb.skip {
            reset_mb_contexts(&mut arec[C_NZ..], &mut lrec[C_NZ..], p.has_y2);
            false
        } else if part.padding_bits_used() > 0 {
            damaged = true;
            // The partition is exhausted: like the reference decoder, read
            // no more residual from it. The macroblock keeps its "has
            // residual" status (so its inner edges are filtered) and the
            // contexts are left as they are.
            true
        } else {
            read_mb_tokens(
                part,
                self.coeff_probs,
                &mut arec[C_NZ..],
                &mut lrec[C_NZ..],
                p.has_y2,
                &self.dequant[usize::from(mb.segment & 3)],
                &mut coeffs[..COEFF_BYTES],
                &mut p.flags,
            )
        };
        if !coded {
            p.flags = [BLK_EMPTY; 25];
        }
        self.above_left = above;
        mb.below_edge().store(arec);
        mb.right_edge().store(lrec);
        self.mb_info[info_off + 1] = self.levels.level(mb.segment, mb.ref_frame, mb.ymode);
        self.mb_info[info_off + 2] = u8::from(!p.has_y2 || coded);
        (p, damaged)
    }

    /// The `MB_INFO` records of one macroblock row.
    pub fn row_info(&self, mb_row: usize) -> &[u8] {
        let n = self.geom.mb_cols * MB_INFO_STRIDE;
        &self.mb_info[mb_row * n..(mb_row + 1) * n]
    }
}
