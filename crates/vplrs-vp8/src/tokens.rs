//! DCT/WHT coefficient token decoding (section 13) with dequantization.
//!
//! Coefficients are written, already dequantized (with the reference
//! decoder's 16-bit wrap-around), into the scratch segment as
//! little-endian `i16`: 25 blocks of 16 values (Y 0..16, U 16..20,
//! V 20..24, Y2 24), in raster order within each block.

use crate::bool_decoder::BoolDecoder;

/// Zigzag scan order: position in scan -> raster index.
const ZIGZAG: [usize; 16] = [0, 1, 4, 8, 5, 2, 3, 6, 9, 12, 13, 10, 7, 11, 14, 15];
/// Coefficient band of each scan position (with a sentinel).
const BANDS: [usize; 17] = [0, 1, 2, 3, 6, 4, 5, 6, 6, 6, 6, 6, 6, 6, 6, 7, 0];

const CAT3: &[u8] = &[173, 148, 140];
const CAT4: &[u8] = &[176, 155, 140, 135];
const CAT5: &[u8] = &[180, 157, 141, 134, 130];
const CAT6: &[u8] = &[254, 254, 243, 230, 196, 177, 153, 140, 133, 130, 129];

/// Block types selecting the probability plane.
const TYPE_Y_AFTER_Y2: usize = 0;
const TYPE_Y2: usize = 1;
const TYPE_CHROMA: usize = 2;
const TYPE_Y_WITH_DC: usize = 3;

/// Bytes of probabilities per block type (8 bands x 3 contexts x 11).
const TYPE_LEN: usize = 8 * 3 * 11;

/// What a block turned out to contain.
pub(crate) const BLK_EMPTY: u8 = 0;
/// Only the first (DC) coefficient may be non-zero.
pub(crate) const BLK_DC: u8 = 1;
/// Some AC coefficient may be non-zero.
pub(crate) const BLK_AC: u8 = 2;

/// Dequantization factors of one segment: [y1 dc, y1 ac, y2 dc, y2 ac,
/// uv dc, uv ac].
pub(crate) type Dequant = [i16; 6];

#[inline(always)]
fn probs_at(p: &[u8; TYPE_LEN], band: usize, ctx: usize) -> &[u8; 11] {
    // Masking lets the compiler prove the range is in bounds.
    let o = ((band & 7) * 3 + ctx.min(2)) * 11;
    p[o..o + 11].try_into().unwrap_or(&[128; 11])
}

/// Decodes one block. Returns the scan position after the last decoded
/// token (0 when the block is empty). Inlined into the macroblock loop so
/// that the decoder state stays in registers.
#[inline(always)]
fn read_block(
    bd: &mut BoolDecoder<'_>,
    probs: &[u8; TYPE_LEN],
    ctx: usize,
    first: usize,
    dc_q: i32,
    ac_q: i32,
    out: &mut [u8],
) -> usize {
    let Some(out) = out.first_chunk_mut::<32>() else {
        return 0;
    };
    let mut n = first;
    let mut p = probs_at(probs, BANDS[n & 15], ctx);
    if !bd.read_bool(p[0]) {
        return 0;
    }
    loop {
        if !bd.read_bool(p[1]) {
            // DCT_0: the next token cannot be end-of-block.
            n += 1;
            if n == 16 {
                return 16;
            }
            p = probs_at(probs, BANDS[n & 15], 0);
            continue;
        }
        let (v, next_ctx) = if !bd.read_bool(p[2]) {
            (1, 1)
        } else {
            let v = if !bd.read_bool(p[3]) {
                if !bd.read_bool(p[4]) {
                    2
                } else {
                    3 + i32::from(bd.read_bool(p[5]))
                }
            } else if !bd.read_bool(p[6]) {
                if !bd.read_bool(p[7]) {
                    5 + i32::from(bd.read_bool(159))
                } else {
                    7 + 2 * i32::from(bd.read_bool(165)) + i32::from(bd.read_bool(145))
                }
            } else {
                let b1 = usize::from(bd.read_bool(p[8]));
                let b0 = usize::from(bd.read_bool(p[9 + b1]));
                let cat = 2 * b1 + b0;
                let tab = [CAT3, CAT4, CAT5, CAT6][cat];
                let mut e = 0;
                for &t in tab {
                    e = e + e + i32::from(bd.read_bool(t));
                }
                e + 3 + (8 << cat)
            };
            (v, 2)
        };
        let v = if bd.read_flag() { -v } else { v };
        let q = if n == 0 { dc_q } else { ac_q };
        let j = (ZIGZAG[n & 15] & 15) * 2;
        let dq = ((v * q) as i16).to_le_bytes();
        out[j] = dq[0];
        out[j + 1] = dq[1];
        n += 1;
        if n == 16 {
            return 16;
        }
        p = probs_at(probs, BANDS[n & 15], next_ctx);
        if !bd.read_bool(p[0]) {
            return n;
        }
    }
}

/// Decodes the residual tokens of one macroblock.
///
/// `above` and `left` are the 9 non-zero flags (Y0..3, U0..1, V0..1, Y2)
/// shared with the neighbours; `coeffs` receives the 25 blocks and
/// `flags` what each block contains. Returns whether any token was coded.
#[allow(clippy::too_many_arguments)]
pub(crate) fn read_mb_tokens(
    bd: &mut BoolDecoder<'_>,
    coeff_probs: &[u8],
    above: &mut [u8],
    left: &mut [u8],
    has_y2: bool,
    dq: &Dequant,
    coeffs: &mut [u8],
    flags: &mut [u8; 25],
) -> bool {
    // Work on a local copy of the decoder state so that it stays in
    // registers across the whole macroblock.
    let mut local = bd.clone();
    let any = read_mb_tokens_inner(&mut local, coeff_probs, above, left, has_y2, dq, coeffs, flags);
    *bd = local;
    any
}

#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn read_mb_tokens_inner(
    bd: &mut BoolDecoder<'_>,
    coeff_probs: &[u8],
    above: &mut [u8],
    left: &mut [u8],
    has_y2: bool,
    dq: &Dequant,
    coeffs: &mut [u8],
    flags: &mut [u8; 25],
) -> bool {
    let above = &mut above[..9];
    let left = &mut left[..9];
    let coeffs = &mut coeffs[..25 * 32];
    const FALLBACK: [u8; TYPE_LEN] = [128; TYPE_LEN];
    let plane = |t: usize| -> &[u8; TYPE_LEN] {
        coeff_probs.get(t * TYPE_LEN..(t + 1) * TYPE_LEN).and_then(|s| s.try_into().ok()).unwrap_or(&FALLBACK)
    };
    let mut any = false;
    let (y_type, first) = if has_y2 {
        let ctx = usize::from(above[8] + left[8]);
        let n = read_block(bd, plane(TYPE_Y2), ctx, 0, i32::from(dq[2]), i32::from(dq[3]), &mut coeffs[24 * 32..]);
        let nz = u8::from(n > 0);
        above[8] = nz;
        left[8] = nz;
        flags[24] = block_flag(n);
        any |= n > 0;
        (TYPE_Y_AFTER_Y2, 1)
    } else {
        (TYPE_Y_WITH_DC, 0)
    };
    let yp = plane(y_type);
    for i in 0..16 {
        let (ax, ly) = (i & 3, i >> 2);
        let ctx = usize::from(above[ax] + left[ly]);
        let n = read_block(bd, yp, ctx, first, i32::from(dq[0]), i32::from(dq[1]), &mut coeffs[i * 32..]);
        let nz = u8::from(n > 0);
        above[ax] = nz;
        left[ly] = nz;
        flags[i] = block_flag(n);
        any |= n > 0;
    }
    let cp = plane(TYPE_CHROMA);
    for i in 16..24 {
        let base = if i < 20 { 4 } else { 6 };
        let k = (i - 16) & 3;
        let (ax, ly) = (base + (k & 1), base + (k >> 1));
        let ctx = usize::from(above[ax] + left[ly]);
        let n = read_block(bd, cp, ctx, 0, i32::from(dq[4]), i32::from(dq[5]), &mut coeffs[i * 32..]);
        let nz = u8::from(n > 0);
        above[ax] = nz;
        left[ly] = nz;
        flags[i] = block_flag(n);
        any |= n > 0;
    }
    any
}

/// Classifies a block from its token count.
#[inline]
fn block_flag(n: usize) -> u8 {
    match n {
        0 => BLK_EMPTY,
        1 => BLK_DC,
        _ => BLK_AC,
    }
}

/// Clears the non-zero flags of a macroblock without coded residual. The
/// Y2 flag is only reset for macroblocks that have a Y2 block.
#[inline]
pub(crate) fn reset_mb_contexts(above: &mut [u8], left: &mut [u8], has_y2: bool) {
    let n = if has_y2 { 9 } else { 8 };
    above[..n].fill(0);
    left[..n].fill(0);
}
