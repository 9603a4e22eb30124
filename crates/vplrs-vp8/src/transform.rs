//! Inverse transforms (section 14): the Walsh-Hadamard transform of the
//! second-order luma DC block and the 4x4 inverse DCT, plus summation of
//! predictor and residue.
//!
//! Intermediate results are stored as 16-bit values between passes, as
//! the reference decoder does, so that overflowing (corrupt) input gives
//! the same output.

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
#[inline(always)]
fn mul_c1(x: i16) -> i16 {
    ((i32::from(x) * 20091) >> 16) as i16
}

/// `(x * 35468) >> 16` (sin(pi/8) * sqrt(2)), computed as
/// `x + ((x * (35468 - 65536)) >> 16)` so that it stays in 16 bits.
#[inline(always)]
fn mul_s1(x: i16) -> i16 {
    x.wrapping_add(((i32::from(x) * (35468 - 65536)) >> 16) as i16)
}

/// Inverse DCT of one block, added to the 4x4 predictor at `dst[off..]`.
///
/// The first (vertical) pass stores 16-bit results, so it is computed in
/// wrapping 16-bit arithmetic; the second keeps 32-bit sums before the
/// final rounding shift, exactly as the reference decoder.
#[inline]
pub(crate) fn idct_add(input: &[i16; 16], dst: &mut [u8], off: usize, stride: usize) {
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
