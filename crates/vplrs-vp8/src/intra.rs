//! Intra prediction (section 12).
//!
//! Predictions are written straight into the frame being reconstructed.
//! Edge pixels are read from the frame too: before decoding, the row above
//! the picture is filled with 127 and the column to its left with 129
//! (see `frame::prepare_intra_borders`), which yields exactly the edge
//! values the specification prescribes for V, H, TM and subblock modes.
//! DC prediction instead averages only the edges that really exist.

use crate::modes::{B_PRED, DC_PRED, H_PRED, TM_PRED, V_PRED};

/// Predicts an `N`x`N` block (16 for luma, 8 for chroma) at `off`.
pub(crate) fn predict_block<const N: usize>(
    plane: &mut [u8],
    off: usize,
    stride: usize,
    mode: u8,
    have_above: bool,
    have_left: bool,
) {
    let mut above = [0u8; N];
    above.copy_from_slice(&plane[off - stride..off - stride + N]);
    let mut left = [0u8; N];
    for (r, l) in left.iter_mut().enumerate() {
        *l = plane[off + r * stride - 1];
    }
    match mode {
        V_PRED => {
            for r in 0..N {
                plane[off + r * stride..off + r * stride + N].copy_from_slice(&above);
            }
        }
        H_PRED => {
            for (r, &l) in left.iter().enumerate() {
                plane[off + r * stride..off + r * stride + N].fill(l);
            }
        }
        TM_PRED => {
            let p = i32::from(plane[off - stride - 1]);
            for (r, &l) in left.iter().enumerate() {
                let row = &mut plane[off + r * stride..off + r * stride + N];
                let d = i32::from(l) - p;
                for (o, &a) in row.iter_mut().zip(above.iter()) {
                    *o = (i32::from(a) + d).clamp(0, 255) as u8;
                }
            }
        }
        _ => {
            // DC_PRED (and, defensively, anything else).
            debug_assert!(mode == DC_PRED || mode == B_PRED);
            let shift = N.trailing_zeros();
            let sum_a: u32 = above.iter().map(|&v| u32::from(v)).sum();
            let sum_l: u32 = left.iter().map(|&v| u32::from(v)).sum();
            let v = match (have_above, have_left) {
                (true, true) => (sum_a + sum_l + N as u32) >> (shift + 1),
                (true, false) => (sum_a + (N as u32 >> 1)) >> shift,
                (false, true) => (sum_l + (N as u32 >> 1)) >> shift,
                (false, false) => 128,
            } as u8;
            for r in 0..N {
                plane[off + r * stride..off + r * stride + N].fill(v);
            }
        }
    }
}

#[inline(always)]
fn avg3(x: u8, y: u8, z: u8) -> u8 {
    ((u32::from(x) + 2 * u32::from(y) + u32::from(z) + 2) >> 2) as u8
}

#[inline(always)]
fn avg2(x: u8, y: u8) -> u8 {
    ((u32::from(x) + u32::from(y) + 1) >> 1) as u8
}

/// Predicts a 4x4 luma subblock at `off` with subblock mode `mode`.
/// `above_right` supplies the four pixels above and to the right, which
/// for the right column of a macroblock come from the row above the
/// macroblock rather than from the frame next to the subblock.
pub(crate) fn predict_subblock(plane: &mut [u8], off: usize, stride: usize, mode: u8, above_right: [u8; 4]) {
    // Edge array: E[0..4] = L[3], L[2], L[1], L[0]; E[4] = P (above-left);
    // E[5..13] = A[0..8] (above row followed by above-right).
    let mut e = [0u8; 13];
    for i in 0..4 {
        e[3 - i] = plane[off + i * stride - 1];
    }
    e[4] = plane[off - stride - 1];
    e[5..9].copy_from_slice(&plane[off - stride..off - stride + 4]);
    e[9..13].copy_from_slice(&above_right);
    let a = |i: usize| e[5 + i];
    let l = |i: usize| e[3 - i];
    let p = e[4];
    let mut b = [[0u8; 4]; 4];
    match mode {
        0 => {
            // B_DC_PRED
            let s: u32 = (0..4).map(|i| u32::from(a(i)) + u32::from(l(i))).sum();
            b = [[((s + 4) >> 3) as u8; 4]; 4];
        }
        1 => {
            // B_TM_PRED
            for (r, row) in b.iter_mut().enumerate() {
                for (c, v) in row.iter_mut().enumerate() {
                    *v = (i32::from(l(r)) + i32::from(a(c)) - i32::from(p)).clamp(0, 255) as u8;
                }
            }
        }
        2 => {
            // B_VE_PRED
            for c in 0..4 {
                let v = avg3(e[4 + c], e[5 + c], e[6 + c]);
                for row in b.iter_mut() {
                    row[c] = v;
                }
            }
        }
        3 => {
            // B_HE_PRED
            b[0] = [avg3(p, l(0), l(1)); 4];
            b[1] = [avg3(l(0), l(1), l(2)); 4];
            b[2] = [avg3(l(1), l(2), l(3)); 4];
            b[3] = [avg3(l(2), l(3), l(3)); 4];
        }
        4 => {
            // B_LD_PRED: diagonal down-left, from the above row.
            for (r, row) in b.iter_mut().enumerate() {
                for (c, v) in row.iter_mut().enumerate() {
                    let i = r + c;
                    *v = if i < 6 { avg3(a(i), a(i + 1), a(i + 2)) } else { avg3(a(6), a(7), a(7)) };
                }
            }
        }
        5 => {
            // B_RD_PRED: diagonal down-right over the edge array.
            for (r, row) in b.iter_mut().enumerate() {
                for (c, v) in row.iter_mut().enumerate() {
                    let i = 4 + c - r; // centre in E
                    *v = avg3(e[i - 1], e[i], e[i + 1]);
                }
            }
        }
        6 => {
            // B_VR_PRED
            let avg3e = |i: usize| avg3(e[i - 1], e[i], e[i + 1]);
            let avg2e = |i: usize| avg2(e[i], e[i + 1]);
            b[3][0] = avg3e(2);
            b[2][0] = avg3e(3);
            b[3][1] = avg3e(4);
            b[1][0] = b[3][1];
            b[2][1] = avg2e(4);
            b[0][0] = b[2][1];
            b[3][2] = avg3e(5);
            b[1][1] = b[3][2];
            b[2][2] = avg2e(5);
            b[0][1] = b[2][2];
            b[3][3] = avg3e(6);
            b[1][2] = b[3][3];
            b[2][3] = avg2e(6);
            b[0][2] = b[2][3];
            b[1][3] = avg3e(7);
            b[0][3] = avg2e(7);
        }
        7 => {
            // B_VL_PRED
            let avg3a = |i: usize| avg3(a(i - 1), a(i), a(i + 1));
            let avg2a = |i: usize| avg2(a(i), a(i + 1));
            b[0][0] = avg2a(0);
            b[1][0] = avg3a(1);
            b[2][0] = avg2a(1);
            b[0][1] = b[2][0];
            b[1][1] = avg3a(2);
            b[3][0] = b[1][1];
            b[2][1] = avg2a(2);
            b[0][2] = b[2][1];
            b[3][1] = avg3a(3);
            b[1][2] = b[3][1];
            b[2][2] = avg2a(3);
            b[0][3] = b[2][2];
            b[3][2] = avg3a(4);
            b[1][3] = b[3][2];
            b[2][3] = avg3a(5);
            b[3][3] = avg3a(6);
        }
        8 => {
            // B_HD_PRED
            let avg3e = |i: usize| avg3(e[i - 1], e[i], e[i + 1]);
            let avg2e = |i: usize| avg2(e[i], e[i + 1]);
            b[3][0] = avg2e(0);
            b[3][1] = avg3e(1);
            b[2][0] = avg2e(1);
            b[3][2] = b[2][0];
            b[2][1] = avg3e(2);
            b[3][3] = b[2][1];
            b[2][2] = avg2e(2);
            b[1][0] = b[2][2];
            b[2][3] = avg3e(3);
            b[1][1] = b[2][3];
            b[1][2] = avg2e(3);
            b[0][0] = b[1][2];
            b[1][3] = avg3e(4);
            b[0][1] = b[1][3];
            b[0][2] = avg3e(5);
            b[0][3] = avg3e(6);
        }
        _ => {
            // B_HU_PRED
            b[0][0] = avg2(l(0), l(1));
            b[0][1] = avg3(l(0), l(1), l(2));
            b[0][2] = avg2(l(1), l(2));
            b[1][0] = b[0][2];
            b[0][3] = avg3(l(1), l(2), l(3));
            b[1][1] = b[0][3];
            b[1][2] = avg2(l(2), l(3));
            b[2][0] = b[1][2];
            b[1][3] = avg3(l(2), l(3), l(3));
            b[2][1] = b[1][3];
            b[2][2] = l(3);
            b[2][3] = l(3);
            b[3] = [l(3); 4];
        }
    }
    for (r, row) in b.iter().enumerate() {
        plane[off + r * stride..off + r * stride + 4].copy_from_slice(row);
    }
}
