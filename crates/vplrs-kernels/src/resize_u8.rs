//! Separable resize of 8-bit planes with `N` interleaved channels (1: luma, 2: NV12 chroma,
//! 4: RGBA), in fixed point.
//!
//! The vertical pass runs first, one output row at a time, into a row of 16-bit intermediates
//! (value x 64): it is a weighted sum of whole source rows, which the compiler vectorises
//! (`pmulhuw`). The horizontal pass then reads that row, which stays in L1, with per-output taps.
//! Vertical-first keeps the (unvectorised) horizontal pass at output height, not source height.

use wide::{i16x8, u16x8, u8x16};

use crate::taps::Taps;

/// A plane region to read: sample `(x, y)` channel `c` is at `y * pitch + x * N + c`.
#[derive(Clone, Copy)]
pub(crate) struct SrcU8<'a> {
    pub data: &'a [u8],
    pub pitch: usize,
}

/// A plane to write, with the same addressing.
pub(crate) struct DstU8<'a> {
    pub data: &'a mut [u8],
    pub pitch: usize,
}

/// Scratch rows of the resizer.
#[derive(Debug, Default)]
pub(crate) struct Rows {
    /// Vertical pass output, `N` channels interleaved.
    mixed: Vec<i16>,
    /// One channel of `mixed`, zero-padded so that padded taps may read past the last sample.
    channel: Vec<i16>,
    /// Horizontal pass output of each channel, before interleaving.
    filtered: [Vec<u8>; 4],
}

/// Resizes the region `h.map` x `v.map` of `src` into `dst` at `(h.out_start, v.out_start)`.
///
/// The caller has checked that every row and column the taps name exists in both planes.
pub(crate) fn resize<const N: usize>(src: SrcU8<'_>, dst: DstU8<'_>, h: &Taps, v: &Taps, rows: &mut Rows) {
    let (Some(hm), Some(vm)) = (h.map, v.map) else { return };
    let (h_lo, h_hi, h_out0, h_out_len) = (hm.lo as usize, hm.hi as usize, hm.out_start as usize, hm.out_len as usize);
    let (v_lo, v_out0) = (vm.lo as usize, vm.out_start as usize);
    let cols = (h_hi - h_lo) * N;
    let col0 = h_lo * N;
    rows.mixed.clear();
    rows.mixed.resize(cols, 0);
    rows.channel.clear();
    rows.channel.resize(h_hi - h_lo + h.padded_taps, 0);
    let out_bytes = h_out_len * N;
    let vt = v.taps;
    for (y, (&first, weights)) in v.starts.iter().zip(v.q15.chunks_exact(vt)).enumerate() {
        let first = v_lo + first as usize;
        let src_row = |k: usize| {
            let at = (first + k) * src.pitch + col0;
            &src.data[at..at + cols]
        };
        vertical(&mut rows.mixed, weights, src_row);
        let at = (v_out0 + y) * dst.pitch + h_out0 * N;
        let out = &mut dst.data[at..at + out_bytes];
        if N == 1 {
            rows.channel[..cols].copy_from_slice(&rows.mixed);
            horizontal(&rows.channel, h, out);
        } else {
            // Filter each channel into a contiguous row (vector stores), then interleave.
            for (c, filtered) in rows.filtered[..N].iter_mut().enumerate() {
                let lane = rows.mixed[c..].iter().step_by(N);
                rows.channel.iter_mut().zip(lane).for_each(|(d, &s)| *d = s);
                filtered.resize(h_out_len, 0);
                horizontal(&rows.channel, h, filtered);
            }
            interleave::<N>(&rows.filtered, out);
        }
    }
}

fn interleave<const N: usize>(channels: &[Vec<u8>; 4], out: &mut [u8]) {
    match N {
        2 => {
            let pairs = out.chunks_exact_mut(2).zip(channels[0].iter().zip(&channels[1]));
            pairs.for_each(|(o, (&a, &b))| o.copy_from_slice(&[a, b]));
        }
        _ => {
            for (i, o) in out.chunks_exact_mut(N).enumerate() {
                for (c, o) in o.iter_mut().enumerate() {
                    *o = channels[c][i];
                }
            }
        }
    }
}

#[inline(always)]
fn mulhi(sample: u8, weight_q15: u16) -> u16 {
    // (s << 7) * w >> 16 == s * w / 512: the sample in Q6 times a Q15 weight, truncated to Q6.
    ((u32::from(sample) << 7) * u32::from(weight_q15) >> 16) as u16
}

/// `row = sum_k weights[k] * src_row(k)`, in Q6 (at most 255 * 64, so it fits an `i16`).
fn vertical<'a>(row: &mut [i16], weights: &[u16], src_row: impl Fn(usize) -> &'a [u8]) {
    let taps: [(&[u8], u16x8); MAX_VERTICAL_SIMD] =
        std::array::from_fn(|k| weights.get(k).map_or((&[][..], u16x8::ZERO), |&w| (src_row(k), u16x8::splat(w))));
    let simd_cols = if weights.len() <= MAX_VERTICAL_SIMD { row.len() / 16 * 16 } else { 0 };
    // 16 columns at a time: widen, shift to Q7, `pmulhuw` by the Q15 weight, accumulate.
    for (i, out) in row[..simd_cols].chunks_exact_mut(16).enumerate() {
        let (mut lo, mut hi) = (u16x8::ZERO, u16x8::ZERO);
        for (r, w) in &taps[..weights.len()] {
            let v = u8x16::new(r[i * 16..i * 16 + 16].try_into().unwrap_or([0; 16]));
            lo += (u16x8::from_u8x16_low(v) << 7u32).mul_keep_high(*w);
            hi += (u16x8::from_u8x16_high(v) << 7u32).mul_keep_high(*w);
        }
        for (o, v) in out.iter_mut().zip(lo.to_array().into_iter().chain(hi.to_array())) {
            *o = v as i16;
        }
    }
    for (x, o) in row.iter_mut().enumerate().skip(simd_cols) {
        let acc = weights.iter().enumerate().map(|(k, &w)| mulhi(src_row(k)[x], w)).sum::<u16>();
        *o = acc as i16;
    }
}

/// Vertical taps held in registers; wider filters (downscales past 1/4) take the scalar loop.
const MAX_VERTICAL_SIMD: usize = 8;

/// Q6 intermediate times Q14 weight is Q20; add a half and shift back to 8 bits.
const ROUND: i32 = 1 << 19;

#[inline(always)]
fn finish(acc: i32) -> u8 {
    // Weights are non-negative and sum to one, so `acc` is in 0..=255.5 * 2^20: no lower clamp.
    (acc >> 20).min(255) as u8
}

/// `K` samples of `row` from `start`. Starts are always in range (the row is padded for the
/// widest window); clamping them anyway turns four bounds checks per output into one `cmov`.
#[inline(always)]
fn window<const K: usize>(row: &[i16], start: u32) -> [i16; K] {
    let last = row.len().saturating_sub(K);
    let s = (start as usize).min(last);
    row[s..s + K].try_into().unwrap_or([0; K])
}

/// Filters one channel (`row`, one sample per pixel) into `out`.
fn horizontal(row: &[i16], h: &Taps, out: &mut [u8]) {
    let w = &h.q14_padded;
    let done = match h.padded_taps {
        // Each `pmaddwd` (`dot`) multiplies eight sample/weight pairs and adds them in twos.
        2 => {
            // Four outputs per vector: their sums come out whole.
            let groups = out.chunks_exact_mut(4).zip(h.starts.chunks_exact(4)).zip(w.chunks_exact(8));
            for ((o, s), w) in groups {
                let mut x = [0i16; 8];
                for j in 0..4 {
                    x[2 * j..2 * j + 2].copy_from_slice(&window::<2>(row, s[j]));
                }
                let sums = i16x8::new(x).dot(i16x8::new(w.try_into().unwrap_or([0; 8]))).to_array();
                for j in 0..4 {
                    o[j] = finish(sums[j] + ROUND);
                }
            }
            out.len() / 4 * 4
        }
        4 => {
            // Four outputs per step, two per vector: each sum comes out as two halves, which
            // the compiler adds with one shuffle across both vectors.
            let groups = out.chunks_exact_mut(4).zip(h.starts.chunks_exact(4)).zip(w.chunks_exact(16));
            for ((o, s), w) in groups {
                let (mut x, mut y) = ([0i16; 8], [0i16; 8]);
                x[..4].copy_from_slice(&window::<4>(row, s[0]));
                x[4..].copy_from_slice(&window::<4>(row, s[1]));
                y[..4].copy_from_slice(&window::<4>(row, s[2]));
                y[4..].copy_from_slice(&window::<4>(row, s[3]));
                let (wx, wy) = w.split_at(8);
                let a = i16x8::new(x).dot(i16x8::new(wx.try_into().unwrap_or([0; 8]))).to_array();
                let b = i16x8::new(y).dot(i16x8::new(wy.try_into().unwrap_or([0; 8]))).to_array();
                let sums = [a[0] + a[1], a[2] + a[3], b[0] + b[1], b[2] + b[3]];
                for j in 0..4 {
                    o[j] = finish(sums[j] + ROUND);
                }
            }
            out.len() / 4 * 4
        }
        _ => 0,
    };
    // The outputs left over (and every output of wide filters): one at a time.
    let taps = h.padded_taps;
    let rest = h.starts[done..].iter().zip(w[done * taps..].chunks_exact(taps));
    for (i, (&s, w)) in rest.enumerate() {
        let win = &row[s as usize..][..taps];
        let acc = win.chunks(8).zip(w.chunks(8)).fold(ROUND, |acc, (x, w)| {
            let mut xs = [0i16; 8];
            let mut ws = [0i16; 8];
            xs[..x.len()].copy_from_slice(x);
            ws[..w.len()].copy_from_slice(w);
            acc + i16x8::new(xs).dot(i16x8::new(ws)).reduce_add()
        });
        out[done + i] = finish(acc);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taps::{axis_map, TapsCache};

    fn run<const N: usize>(src: &[u8], sw: u32, sh: u32, dw: u32, dh: u32) -> Vec<u8> {
        let mut cache = TapsCache::default();
        let hm = axis_map((0, sw), 0, (0, dw), 0);
        let vm = axis_map((0, sh), 0, (0, dh), 0);
        let (h, v) = cache.pair(&hm, &vm);
        let mut out = vec![0; (dw * dh) as usize * N];
        let dst = DstU8 { data: &mut out, pitch: dw as usize * N };
        resize::<N>(SrcU8 { data: src, pitch: sw as usize * N }, dst, h, v, &mut Rows::default());
        out
    }

    #[test]
    fn flat_planes_stay_flat() {
        for (sw, sh, dw, dh) in [(7, 5, 3, 2), (3, 2, 11, 9), (1, 1, 4, 4), (64, 48, 64, 48), (9, 9, 1, 1)] {
            let src = vec![200u8; (sw * sh * 2) as usize];
            let out = run::<2>(&src, sw, sh, dw, dh);
            assert!(out.iter().all(|&v| v == 200), "{sw}x{sh}->{dw}x{dh}: {out:?}");
        }
    }

    #[test]
    fn halving_averages_pairs() {
        let src: Vec<u8> = (0..8).map(|x| x * 10).collect();
        let out = run::<1>(&src, 8, 1, 4, 1);
        // A 2x triangle spans four samples weighted 1:3:3:1 (edges clamped).
        assert_eq!(out, vec![6, 25, 45, 64]);
    }
}
