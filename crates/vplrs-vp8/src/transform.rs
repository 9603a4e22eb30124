//! Inverse transforms (section 14): the Walsh-Hadamard transform of the
//! second-order luma DC block and the 4x4 inverse DCT, plus summation of
//! predictor and residue.
//!
//! Intermediate results are stored as 16-bit values between passes, as
//! the reference decoder does, so that overflowing (corrupt) input gives
//! the same output. The inverse DCT runs in `wide` vectors; the tests
//! check it against a scalar transcription on random (also extreme) input.

use bytemuck::cast;
use wide::{i16x8, i32x4, i32x8, u8x16};

/// Loads 16 little-endian `i16` coefficients from a 32-byte block.
#[inline]
pub(crate) fn load_block(bytes: &[u8]) -> [i16; 16] {
    let mut out = [0i16; 16];
    for (o, b) in out.iter_mut().zip(bytes[..32].chunks_exact(2)) {
        *o = i16::from_le_bytes([b[0], b[1]]);
    }
    out
}

/// Inverse Walsh-Hadamard transform of the Y2 block. Returns the DC
/// values of the 16 luma blocks in raster order.
pub(crate) fn inverse_wht(input: &[i16; 16]) -> [i16; 16] {
    let mut tmp = [0i16; 16];
    for i in 0..4 {
        let a1 = i32::from(input[i]) + i32::from(input[12 + i]);
        let b1 = i32::from(input[4 + i]) + i32::from(input[8 + i]);
        let c1 = i32::from(input[4 + i]) - i32::from(input[8 + i]);
        let d1 = i32::from(input[i]) - i32::from(input[12 + i]);
        tmp[i] = (a1 + b1) as i16;
        tmp[4 + i] = (c1 + d1) as i16;
        tmp[8 + i] = (a1 - b1) as i16;
        tmp[12 + i] = (d1 - c1) as i16;
    }
    let mut out = [0i16; 16];
    for (o, t) in out.chunks_exact_mut(4).zip(tmp.chunks_exact(4)) {
        let a1 = i32::from(t[0]) + i32::from(t[3]);
        let b1 = i32::from(t[1]) + i32::from(t[2]);
        let c1 = i32::from(t[1]) - i32::from(t[2]);
        let d1 = i32::from(t[0]) - i32::from(t[3]);
        o[0] = ((a1 + b1 + 3) >> 3) as i16;
        o[1] = ((c1 + d1 + 3) >> 3) as i16;
        o[2] = ((a1 - b1 + 3) >> 3) as i16;
        o[3] = ((d1 - c1 + 3) >> 3) as i16;
    }
    out
}

/// `(x * 20091) >> 16`: the fractional part of cos(pi/8) * sqrt(2).
#[cfg(test)]
fn mul_c1(x: i16) -> i16 {
    ((i32::from(x) * 20091) >> 16) as i16
}

/// `(x * 35468) >> 16` (sin(pi/8) * sqrt(2)), computed as
/// `x + ((x * (35468 - 65536)) >> 16)` so that it stays in 16 bits.
#[cfg(test)]
fn mul_s1(x: i16) -> i16 {
    x.wrapping_add(((i32::from(x) * (35468 - 65536)) >> 16) as i16)
}

/// Inverse DCT of one block, added to the 4x4 predictor at `dst[off..]`.
///
/// The first (vertical) pass stores 16-bit results, so it is computed in
/// wrapping 16-bit lanes; the second keeps 32-bit sums before the final
/// rounding shift, exactly as the reference decoder. The multiplications
/// by the two constants are 16x16 -> high-16 products (`pmulhw`), which
/// is what `(x * k) >> 16` computes; they are applied to all 16 values
/// before the transpose, since they are element-wise. Checked against
/// the scalar transcription in the tests below.
#[inline]
pub(crate) fn idct_add(input: &[i16; 16], dst: &mut [u8], off: usize, stride: usize) {
    let half = |i: usize| {
        let mut a = [0i16; 8];
        a.copy_from_slice(&input[i..i + 8]);
        i16x8::from(a)
    };
    // Pass 1, lanes = columns: a = [row 0 | row 1], b = [row 2 | row 3].
    let (a, b) = (half(0), half(8));
    let c1 = |x: i16x8| i16x8::mul_keep_high(x, i16x8::splat(20091));
    let s1 = |x: i16x8| x + i16x8::mul_keep_high(x, i16x8::splat((35468 - 65536) as i16));
    let sum = a + b; // low: a1 = x0 + x2
    let diff = a - b; // low: b1 = x0 - x2
    let e = s1(a) - (b + c1(b)); // high: c1 = s1(x1) - (x3 + c1(x3))
    let f = (a + c1(a)) + s1(b); // high: d1 = x1 + c1(x1) + s1(x3)
    let lo_lo = |x: i16x8, y: i16x8| -> i16x8 {
        let (x, y): ([u64; 2], [u64; 2]) = (cast(x), cast(y));
        cast([x[0], y[0]])
    };
    let hi_hi = |x: i16x8, y: i16x8| -> i16x8 {
        let (x, y): ([u64; 2], [u64; 2]) = (cast(x), cast(y));
        cast([x[1], y[1]])
    };
    let g = lo_lo(sum, diff); // [a1 | b1]
    let h = hi_hi(f, e); // [d1 | c1]
    let t01 = g + h; // rows 0 and 1 of the intermediate block
    let t32 = g - h; // rows 3 and 2
                     // Pass 2, lanes = rows: widen, transpose to columns.
    let columns = |t01: i16x8, t32: i16x8| -> [i32x4; 4] {
        let [r0, r1]: [i32x4; 2] = cast(i32x8::from_i16x8(t01));
        let [r3, r2]: [i32x4; 2] = cast(i32x8::from_i16x8(t32));
        i32x4::transpose([r0, r1, r2, r3])
    };
    let [x0, x1, x2, x3] = columns(t01, t32);
    let [_, mc1, _, mc3] = columns(c1(t01), c1(t32));
    let [_, ms1, _, ms3] = columns(s1(t01), s1(t32));
    let a1 = x0 + x2;
    let b1 = x0 - x2;
    let c = ms1 - (x3 + mc3);
    let d = x1 + mc1 + ms3;
    let round = |v: i32x4| (v + i32x4::splat(4)) >> 3;
    let [o0, o1, o2, o3] = i32x4::transpose([round(a1 + d), round(b1 + c), round(b1 - c), round(a1 - d)]);
    // Residue rows as 16 bits (truncated, as stored by the reference
    // decoder), added to the predictor with saturation to 0..=255.
    let r01 = i16x8::from_i32x8_truncate(cast([o0, o1]));
    let r23 = i16x8::from_i32x8_truncate(cast([o2, o3]));
    let mut p = [0u8; 16];
    for (r, chunk) in p.chunks_exact_mut(4).enumerate() {
        chunk.copy_from_slice(&dst[off + r * stride..off + r * stride + 4]);
    }
    let p = u8x16::from(p);
    let out01 = i16x8::from_u8x16_low(p).saturating_add(r01);
    let out23 = i16x8::from_u8x16_high(p).saturating_add(r23);
    let out = u8x16::narrow_i16x8(out01, out23);
    for (r, chunk) in out.as_array_ref().chunks_exact(4).enumerate() {
        dst[off + r * stride..off + r * stride + 4].copy_from_slice(chunk);
    }
}

/// Adds a DC-only residue (`(dc + 4) >> 3`) to a 4x4 predictor.
#[inline]
pub(crate) fn dc_add(dc: i16, dst: &mut [u8], off: usize, stride: usize) {
    let v = (i32::from(dc) + 4) >> 3;
    for r in 0..4 {
        let row = &mut dst[off + r * stride..off + r * stride + 4];
        for p in row.iter_mut() {
            *p = (i32::from(*p) + v).clamp(0, 255) as u8;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inverse DCT of one block, added to the 4x4 predictor at `dst[off..]`.
    ///
    /// The first (vertical) pass stores 16-bit results, so it is computed in
    /// wrapping 16-bit arithmetic; the second keeps 32-bit sums before the
    /// final rounding shift, exactly as the reference decoder.
    fn idct_add_scalar(input: &[i16; 16], dst: &mut [u8], off: usize, stride: usize) {
        // Pass 1: columns are independent lanes.
        let mut t = [[0i16; 4]; 4]; // t[row][col]
        for c in 0..4 {
            let (x0, x1, x2, x3) = (input[c], input[4 + c], input[8 + c], input[12 + c]);
            let a1 = x0.wrapping_add(x2);
            let b1 = x0.wrapping_sub(x2);
            let c1 = mul_s1(x1).wrapping_sub(x3.wrapping_add(mul_c1(x3)));
            let d1 = x1.wrapping_add(mul_c1(x1)).wrapping_add(mul_s1(x3));
            t[0][c] = a1.wrapping_add(d1);
            t[1][c] = b1.wrapping_add(c1);
            t[2][c] = b1.wrapping_sub(c1);
            t[3][c] = a1.wrapping_sub(d1);
        }
        // Pass 2: rows are independent lanes.
        let mut out = [[0i16; 4]; 4]; // out[row][col]
        for r in 0..4 {
            let [x0, x1, x2, x3] = t[r];
            let a1 = i32::from(x0) + i32::from(x2);
            let b1 = i32::from(x0) - i32::from(x2);
            let c1 = i32::from(mul_s1(x1)) - (i32::from(x3) + i32::from(mul_c1(x3)));
            let d1 = i32::from(x1) + i32::from(mul_c1(x1)) + i32::from(mul_s1(x3));
            out[r][0] = ((a1 + d1 + 4) >> 3) as i16;
            out[r][1] = ((b1 + c1 + 4) >> 3) as i16;
            out[r][2] = ((b1 - c1 + 4) >> 3) as i16;
            out[r][3] = ((a1 - d1 + 4) >> 3) as i16;
        }
        for (r, o) in out.iter().enumerate() {
            let row = &mut dst[off + r * stride..off + r * stride + 4];
            for (p, &v) in row.iter_mut().zip(o.iter()) {
                *p = (i32::from(*p) + i32::from(v)).clamp(0, 255) as u8;
            }
        }
    }

    #[test]
    fn vector_idct_matches_scalar() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for round in 0..100_000 {
            // Small values (real residue), then anything at all (corrupt
            // streams, where wrapping and truncation matter).
            let range = [64u64, 2048, 65536][round % 3];
            let input: [i16; 16] = core::array::from_fn(|_| (next() % range) as i64 as i16 - (range / 2) as i16);
            let pred: [u8; 16] = core::array::from_fn(|_| next() as u8);
            let (mut a, mut b) = (pred, pred);
            idct_add(&input, &mut a, 0, 4);
            idct_add_scalar(&input, &mut b, 0, 4);
            assert_eq!(a, b, "input {input:?}");
        }
    }

    #[test]
    fn dc_only_matches_full_idct() {
        for dc in [-2048i16, -100, -5, 0, 3, 4, 77, 2047] {
            let mut a = [100u8; 16];
            let mut b = [100u8; 16];
            let mut blk = [0i16; 16];
            blk[0] = dc;
            idct_add(&blk, &mut a, 0, 4);
            dc_add(dc, &mut b, 0, 4);
            assert_eq!(a, b);
        }
    }

    #[test]
    fn wht_dc_only() {
        let mut blk = [0i16; 16];
        blk[0] = 85;
        let out = inverse_wht(&blk);
        assert!(out.iter().all(|&v| v == (85 + 3) >> 3));
    }
}
