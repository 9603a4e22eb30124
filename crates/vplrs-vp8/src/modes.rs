//! Macroblock prediction records: segment ids, skip flags, intra modes with
//! key-frame contexts (section 11), inter modes with the near-mv search,
//! split motion vectors and motion vector decoding (sections 16 and 17).
//!
//! Neighbour information lives in the `CONTEXT` segment as fixed-size byte
//! records ([`CTX_STRIDE`] bytes per macroblock column plus one record for
//! the left neighbour); [`Neighbor`] is their decoded form.

use crate::bool_decoder::BoolDecoder;
use crate::header::{FrameHeader, Segmentation};
use crate::tables::{BMODE_PROBS_DEFAULT, KF_BMODE_PROBS, MODE_CONTEXTS, SUB_MV_REF_PROBS};

// Macroblock luma modes; inter modes follow the intra ones.
pub(crate) const DC_PRED: u8 = 0;
pub(crate) const V_PRED: u8 = 1;
pub(crate) const H_PRED: u8 = 2;
pub(crate) const TM_PRED: u8 = 3;
pub(crate) const B_PRED: u8 = 4;
pub(crate) const NEARESTMV: u8 = 5;
pub(crate) const NEARMV: u8 = 6;
pub(crate) const ZEROMV: u8 = 7;
pub(crate) const NEWMV: u8 = 8;
pub(crate) const SPLITMV: u8 = 9;

// Subblock intra modes.
pub(crate) const B_DC_PRED: u8 = 0;
pub(crate) const B_TM_PRED: u8 = 1;
pub(crate) const B_VE_PRED: u8 = 2;
pub(crate) const B_HE_PRED: u8 = 3;

// Reference frames (altref is GOLDEN_FRAME + 1).
pub(crate) const INTRA_FRAME: u8 = 0;
pub(crate) const LAST_FRAME: u8 = 1;
pub(crate) const GOLDEN_FRAME: u8 = 2;

const KF_YMODE_TREE: [i8; 8] = [-(B_PRED as i8), 2, 4, 6, 0, -1, -2, -3];
const KF_YMODE_PROBS: [u8; 4] = [145, 156, 163, 128];
const YMODE_TREE: [i8; 8] = [0, 2, 4, 6, -1, -2, -3, -(B_PRED as i8)];
const UV_MODE_TREE: [i8; 6] = [0, 2, -1, 4, -2, -3];
const KF_UV_MODE_PROBS: [u8; 3] = [142, 114, 183];
const BMODE_TREE: [i8; 18] = [0, 2, -1, 4, -2, 6, 8, 12, -3, 10, -5, -6, -4, 14, -7, 16, -8, -9];
const SMALL_MV_TREE: [i8; 14] = [2, 8, 4, 6, 0, -1, -2, -3, 10, 12, -4, -5, -6, -7];

/// Split partitionings: 16x8, 8x16, 8x8, 4x4. Maps each subblock to its
/// partition index.
const SPLIT_MAPS: [[u8; 16]; 4] = [
    [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1],
    [0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1],
    [0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3],
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
];
const SPLIT_COUNTS: [usize; 4] = [2, 2, 4, 16];

/// A motion vector in quarter-pel units scaled by two (i.e. 1/8 pel, even).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Mv {
    pub row: i16,
    pub col: i16,
}

impl Mv {
    const ZERO: Mv = Mv { row: 0, col: 0 };
    #[inline]
    fn is_zero(self) -> bool {
        self.row == 0 && self.col == 0
    }
    #[inline]
    fn to_bytes(self) -> [u8; 4] {
        let r = self.row.to_le_bytes();
        let c = self.col.to_le_bytes();
        [r[0], r[1], c[0], c[1]]
    }
    #[inline]
    fn from_bytes(b: &[u8]) -> Mv {
        Mv { row: i16::from_le_bytes([b[0], b[1]]), col: i16::from_le_bytes([b[2], b[3]]) }
    }
}

/// Size in bytes of one neighbour record in the `CONTEXT` segment.
pub(crate) const CTX_STRIDE: usize = 40;
const C_REF: usize = 0;
const C_MODE: usize = 1;
const C_MV: usize = 2;
const C_BMODES: usize = 6;
const C_BMVS: usize = 10;
/// Offset of the 9 non-zero coefficient flags (Y0..3, U0..1, V0..1, Y2).
pub(crate) const C_NZ: usize = 26;

/// What a macroblock exposes to its right and lower neighbours.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Neighbor {
    pub ref_frame: u8,
    pub mode: u8,
    pub mv: Mv,
    /// Subblock modes along the shared edge.
    pub bmodes: [u8; 4],
    /// Subblock motion vectors along the shared edge.
    pub bmvs: [Mv; 4],
}

impl Neighbor {
    /// Decodes a record.
    #[inline]
    pub fn load(rec: &[u8]) -> Neighbor {
        let rec = &rec[..C_NZ];
        let mut n = Neighbor {
            ref_frame: rec[C_REF],
            mode: rec[C_MODE],
            mv: Mv::from_bytes(&rec[C_MV..C_MV + 4]),
            ..Neighbor::default()
        };
        n.bmodes.copy_from_slice(&rec[C_BMODES..C_BMODES + 4]);
        for (m, b) in n.bmvs.iter_mut().zip(rec[C_BMVS..C_BMVS + 16].chunks_exact(4)) {
            *m = Mv::from_bytes(b);
        }
        n
    }

    /// Encodes a record (leaving the coefficient flags untouched).
    #[inline]
    pub fn store(&self, rec: &mut [u8]) {
        let rec = &mut rec[..C_NZ];
        rec[C_REF] = self.ref_frame;
        rec[C_MODE] = self.mode;
        rec[C_MV..C_MV + 4].copy_from_slice(&self.mv.to_bytes());
        rec[C_BMODES..C_BMODES + 4].copy_from_slice(&self.bmodes);
        for (m, b) in self.bmvs.iter().zip(rec[C_BMVS..C_BMVS + 16].chunks_exact_mut(4)) {
            b.copy_from_slice(&m.to_bytes());
        }
    }
}

/// Decoded prediction record of the current macroblock.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct MbInfo {
    pub ymode: u8,
    pub uv_mode: u8,
    pub ref_frame: u8,
    pub segment: u8,
    /// `mb_skip_coeff` as coded (true: no residual coded).
    pub skip: bool,
    pub mv: Mv,
    pub bmodes: [u8; 16],
    pub bmvs: [Mv; 16],
    /// Split partitioning (0..=3) when `ymode == SPLITMV`.
    pub partitioning: u8,
}

impl MbInfo {
    /// The record seen by the macroblock below.
    #[inline]
    pub fn below_edge(&self) -> Neighbor {
        let mut n = self.base_neighbor();
        n.bmodes.copy_from_slice(&self.bmodes[12..16]);
        n.bmvs.copy_from_slice(&self.bmvs[12..16]);
        n
    }
    /// The record seen by the macroblock to the right.
    #[inline]
    pub fn right_edge(&self) -> Neighbor {
        let mut n = self.base_neighbor();
        for i in 0..4 {
            n.bmodes[i] = self.bmodes[i * 4 + 3];
            n.bmvs[i] = self.bmvs[i * 4 + 3];
        }
        n
    }
    #[inline]
    fn base_neighbor(&self) -> Neighbor {
        Neighbor { ref_frame: self.ref_frame, mode: self.ymode, mv: self.mv, ..Neighbor::default() }
    }
}

/// Position of a macroblock, for motion vector clamping.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MbEdges {
    /// Distances to the frame edges in 1/8 pel (left/top are <= 0).
    pub to_left: i32,
    pub to_right: i32,
    pub to_top: i32,
    pub to_bottom: i32,
}

impl MbEdges {
    #[inline]
    pub fn new(mb_col: usize, mb_row: usize, mb_cols: usize, mb_rows: usize) -> Self {
        MbEdges {
            to_left: -((mb_col as i32 * 16) << 3),
            to_right: ((mb_cols as i32 - 1 - mb_col as i32) * 16) << 3,
            to_top: -((mb_row as i32 * 16) << 3),
            to_bottom: ((mb_rows as i32 - 1 - mb_row as i32) * 16) << 3,
        }
    }

    /// Clamps a near/nearest/best vector so that the block lies at most
    /// 16 pixels (plus filter taps) outside the frame.
    fn clamp(&self, mv: Mv) -> Mv {
        const MARGIN: i32 = 16 << 3;
        let col = i32::from(mv.col).clamp(self.to_left - MARGIN, self.to_right + MARGIN);
        let row = i32::from(mv.row).clamp(self.to_top - MARGIN, self.to_bottom + MARGIN);
        Mv { row: row as i16, col: col as i16 }
    }
}

/// Implied subblock mode of a whole-macroblock intra mode, for contexts.
#[inline]
fn implied_bmode(ymode: u8) -> u8 {
    match ymode {
        V_PRED => B_VE_PRED,
        H_PRED => B_HE_PRED,
        TM_PRED => B_TM_PRED,
        _ => B_DC_PRED,
    }
}

/// Frame-level inputs to mode parsing.
pub(crate) struct ModeCtx<'a> {
    pub key_frame: bool,
    pub hdr: &'a FrameHeader,
    pub seg: &'a Segmentation,
    pub ymode_probs: [u8; 4],
    pub uv_mode_probs: [u8; 3],
    pub mv_probs: [[u8; 19]; 2],
    /// Sign bias indexed by reference frame.
    pub sign_bias: [bool; 4],
}

/// Reads the per-macroblock header: segment id, skip flag and modes.
/// `segment` holds the persistent segment id and is updated in place.
#[allow(clippy::too_many_arguments)]
pub(crate) fn read_mb_modes(
    bd: &mut BoolDecoder<'_>,
    cx: &ModeCtx<'_>,
    above: &Neighbor,
    left: &Neighbor,
    above_left: &Neighbor,
    edges: &MbEdges,
    segment: &mut u8,
    mb: &mut MbInfo,
) {
    if cx.seg.update_map {
        let p = &cx.seg.tree_probs;
        *segment = if bd.read_bool(p[0]) { 2 + u8::from(bd.read_bool(p[2])) } else { u8::from(bd.read_bool(p[1])) };
    } else if cx.key_frame {
        *segment = 0;
    }
    mb.segment = *segment;
    mb.skip = cx.hdr.mb_no_coeff_skip && bd.read_bool(cx.hdr.prob_skip_false);

    if cx.key_frame {
        read_kf_modes(bd, above, left, mb);
    } else if bd.read_bool(cx.hdr.prob_intra) {
        mb.ref_frame = if bd.read_bool(cx.hdr.prob_last) {
            GOLDEN_FRAME + u8::from(bd.read_bool(cx.hdr.prob_golden))
        } else {
            LAST_FRAME
        };
        mb.uv_mode = DC_PRED;
        read_inter_modes(bd, cx, above, left, above_left, edges, mb);
    } else {
        read_intra_modes(bd, cx, mb);
    }
}

fn read_kf_modes(bd: &mut BoolDecoder<'_>, above: &Neighbor, left: &Neighbor, mb: &mut MbInfo) {
    mb.ref_frame = INTRA_FRAME;
    mb.mv = Mv::ZERO;
    mb.bmvs = [Mv::ZERO; 16];
    mb.ymode = bd.read_tree(&KF_YMODE_TREE, &KF_YMODE_PROBS);
    if mb.ymode == B_PRED {
        for i in 0..16 {
            let a = if i < 4 { above.bmodes[i] } else { mb.bmodes[i - 4] };
            let l = if i & 3 == 0 { left.bmodes[i >> 2] } else { mb.bmodes[i - 1] };
            let probs = &KF_BMODE_PROBS[usize::from(a.min(9))][usize::from(l.min(9))];
            mb.bmodes[i] = bd.read_tree(&BMODE_TREE, probs);
        }
    } else {
        mb.bmodes = [implied_bmode(mb.ymode); 16];
    }
    mb.uv_mode = bd.read_tree(&UV_MODE_TREE, &KF_UV_MODE_PROBS);
}

fn read_intra_modes(bd: &mut BoolDecoder<'_>, cx: &ModeCtx<'_>, mb: &mut MbInfo) {
    mb.ref_frame = INTRA_FRAME;
    mb.mv = Mv::ZERO;
    mb.bmvs = [Mv::ZERO; 16];
    mb.ymode = bd.read_tree(&YMODE_TREE, &cx.ymode_probs);
    if mb.ymode == B_PRED {
        for m in mb.bmodes.iter_mut() {
            *m = bd.read_tree(&BMODE_TREE, &BMODE_PROBS_DEFAULT);
        }
    } else {
        mb.bmodes = [implied_bmode(mb.ymode); 16];
    }
    mb.uv_mode = bd.read_tree(&UV_MODE_TREE, &cx.uv_mode_probs);
}

/// Reads one motion vector component (section 17.1).
fn read_mv_component(bd: &mut BoolDecoder<'_>, p: &[u8; 19]) -> i32 {
    const IS_SHORT: usize = 0;
    const SIGN: usize = 1;
    const SHORT: usize = 2;
    const LONG: usize = 9;
    let mut x: i32;
    if bd.read_bool(p[IS_SHORT]) {
        x = 0;
        for i in 0..3 {
            x += i32::from(bd.read_bool(p[LONG + i])) << i;
        }
        for i in (4..10).rev() {
            x += i32::from(bd.read_bool(p[LONG + i])) << i;
        }
        if x & 0xfff0 == 0 || bd.read_bool(p[LONG + 3]) {
            x += 8;
        }
    } else {
        x = i32::from(bd.read_tree(&SMALL_MV_TREE, &p[SHORT..SHORT + 7]));
    }
    if x != 0 && bd.read_bool(p[SIGN]) {
        x = -x;
    }
    x
}

/// Reads a motion vector difference (row then column) in 1/8 pel.
fn read_mv(bd: &mut BoolDecoder<'_>, probs: &[[u8; 19]; 2]) -> Mv {
    let row = read_mv_component(bd, &probs[0]) * 2;
    let col = read_mv_component(bd, &probs[1]) * 2;
    Mv { row: row as i16, col: col as i16 }
}

#[inline]
fn add_mv(a: Mv, b: Mv) -> Mv {
    Mv { row: a.row.wrapping_add(b.row), col: a.col.wrapping_add(b.col) }
}

fn read_inter_modes(
    bd: &mut BoolDecoder<'_>,
    cx: &ModeCtx<'_>,
    above: &Neighbor,
    left: &Neighbor,
    above_left: &Neighbor,
    edges: &MbEdges,
    mb: &mut MbInfo,
) {
    // Near mv census (section 16.3).
    let mut near = [Mv::ZERO; 4];
    let mut cnt = [0u8; 4];
    let mut idx = 0usize;
    let bias = |n: &Neighbor| -> Mv {
        let mut mv = n.mv;
        if cx.sign_bias[usize::from(n.ref_frame & 3)] != cx.sign_bias[usize::from(mb.ref_frame)] {
            mv.row = mv.row.wrapping_neg();
            mv.col = mv.col.wrapping_neg();
        }
        mv
    };
    if above.ref_frame != INTRA_FRAME {
        if !above.mv.is_zero() {
            idx += 1;
            near[idx] = bias(above);
        }
        cnt[idx] += 2;
    }
    for (n, weight) in [(left, 2u8), (above_left, 1u8)] {
        if n.ref_frame != INTRA_FRAME {
            if !n.mv.is_zero() {
                let mv = bias(n);
                if mv != near[idx] {
                    idx += 1;
                    near[idx] = mv;
                }
                cnt[idx] += weight;
            } else {
                cnt[0] += weight;
            }
        }
    }

    mb.bmodes = [B_DC_PRED; 16];
    if !bd.read_bool(MODE_CONTEXTS[usize::from(cnt[0])][0]) {
        mb.ymode = ZEROMV;
        mb.mv = Mv::ZERO;
        mb.bmvs = [Mv::ZERO; 16];
        return;
    }
    // Merge above-left with nearest when all three were distinct.
    if cnt[3] > 0 && near[idx] == near[1] {
        cnt[1] += 1;
    }
    if cnt[2] > cnt[1] {
        cnt.swap(1, 2);
        near.swap(1, 2);
    }
    if !bd.read_bool(MODE_CONTEXTS[usize::from(cnt[1].min(5))][1]) {
        mb.ymode = NEARESTMV;
        mb.mv = edges.clamp(near[1]);
        mb.bmvs = [mb.mv; 16];
        return;
    }
    if !bd.read_bool(MODE_CONTEXTS[usize::from(cnt[2].min(5))][2]) {
        mb.ymode = NEARMV;
        mb.mv = edges.clamp(near[2]);
        mb.bmvs = [mb.mv; 16];
        return;
    }
    let best = if cnt[1] >= cnt[0] { edges.clamp(near[1]) } else { Mv::ZERO };
    let split_cnt =
        2 * (u8::from(above.mode == SPLITMV) + u8::from(left.mode == SPLITMV)) + u8::from(above_left.mode == SPLITMV);
    if bd.read_bool(MODE_CONTEXTS[usize::from(split_cnt)][3]) {
        mb.ymode = SPLITMV;
        read_split_mv(bd, cx, above, left, best, mb);
        mb.mv = mb.bmvs[15];
    } else {
        mb.ymode = NEWMV;
        mb.mv = add_mv(read_mv(bd, &cx.mv_probs), best);
        mb.bmvs = [mb.mv; 16];
    }
}

fn read_split_mv(
    bd: &mut BoolDecoder<'_>,
    cx: &ModeCtx<'_>,
    above: &Neighbor,
    left: &Neighbor,
    best: Mv,
    mb: &mut MbInfo,
) {
    let s = if bd.read_bool(110) {
        if bd.read_bool(111) {
            usize::from(bd.read_bool(150))
        } else {
            2
        }
    } else {
        3
    };
    mb.partitioning = s as u8;
    let map = &SPLIT_MAPS[s];
    for part in 0..SPLIT_COUNTS[s] {
        // First subblock of this partition.
        let k = map.iter().position(|&p| usize::from(p) == part).unwrap_or(0);
        let left_mv = if k & 3 == 0 { left.bmvs[k >> 2] } else { mb.bmvs[k - 1] };
        let above_mv = if k < 4 { above.bmvs[k] } else { mb.bmvs[k - 4] };
        let ctx = if left_mv == above_mv {
            if above_mv.is_zero() {
                4
            } else {
                3
            }
        } else if above_mv.is_zero() {
            2
        } else if left_mv.is_zero() {
            1
        } else {
            0
        };
        let p = &SUB_MV_REF_PROBS[ctx];
        let mv = if !bd.read_bool(p[0]) {
            left_mv
        } else if !bd.read_bool(p[1]) {
            above_mv
        } else if !bd.read_bool(p[2]) {
            Mv::ZERO
        } else {
            add_mv(read_mv(bd, &cx.mv_probs), best)
        };
        for (b, &pi) in mb.bmvs.iter_mut().zip(map.iter()) {
            if usize::from(pi) == part {
                *b = mv;
            }
        }
    }
}
