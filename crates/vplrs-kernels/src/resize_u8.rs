//! Separable resize of 8-bit planes with `N` interleaved channels (1: luma, 2: NV12 chroma,
//! 4: RGBA), in fixed point.
//!
//! The vertical pass runs first, one output row at a time, into one row of 16-bit intermediates
//! (value x 128) per channel: a weighted sum of whole source rows, 16 bytes at a time with
//! `pmulhuw`. The horizontal pass then reads those rows, which stay in L1, gathering each
//! output's window and weighting it with `pmaddwd`, four outputs per step. Vertical-first keeps
//! the horizontal pass (the costlier one: it gathers) at output height, not source height.
//! SIMD is SSE2 through `wide` (NEON/WASM on other targets, scalar elsewhere), in safe code.

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
    /// Vertical pass output, one row per channel, zero-padded at the end so that padded taps
    /// may read past the last sample.
    channels: [Vec<i16>; 4],
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
    let width = h_hi - h_lo;
    let cols = width * N;
    let col0 = h_lo * N;
    for c in 0..N {
        rows.channels[c].clear();
        rows.channels[c].resize(width + BLOCK, 0);
        rows.filtered[c].resize(h_out_len, 0);
    }
    let out_bytes = h_out_len * N;
    let vt = v.taps;
    for (y, (&first, weights)) in v.starts.iter().zip(v.q15.chunks_exact(vt)).enumerate() {
        let first = v_lo + first as usize;
        let src_row = |k: usize| {
            let at = (first + k) * src.pitch + col0;
            &src.data[at..at + cols]
        };
        vertical::<N>(&mut rows.channels, width, weights, src_row);
        let at = (v_out0 + y) * dst.pitch + h_out0 * N;
        let out = &mut dst.data[at..at + out_bytes];
        if N == 1 {
            horizontal(&rows.channels[0], h, out);
        } else {
            // Filter each channel into a contiguous row (vector stores), then interleave.
            for (row, filtered) in rows.channels.iter().zip(rows.filtered.iter_mut()).take(N) {
                horizontal(row, h, filtered);
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
    // (s << 8) * w >> 16 == s * w / 256: the sample in Q8 times a Q15 weight, truncated to Q7.
    (((u32::from(sample) << 8) * u32::from(weight_q15)) >> 16) as u16
}

/// Sixteen bytes as eight little-endian `u16` lanes: an NV12 chroma pair per lane.
#[inline(always)]
fn pairs(bytes: &[u8]) -> u16x8 {
    let b: [u8; 16] = bytes.try_into().unwrap_or([0; 16]);
    u16x8::new(std::array::from_fn(|i| u16::from_le_bytes([b[2 * i], b[2 * i + 1]])))
}

/// `channels[c][x] = sum_k weights[k] * src_row(k)[x * N + c]`, in Q7 (at most 255 * 128, so it
/// fits an `i16`), for the `width` pixels of the region.
fn vertical<'a, const N: usize>(
    channels: &mut [Vec<i16>; 4],
    width: usize,
    weights: &[u16],
    src_row: impl Fn(usize) -> &'a [u8],
) {
    let taps: [(&[u8], u16x8); MAX_VERTICAL_SIMD] =
        std::array::from_fn(|k| weights.get(k).map_or((&[][..], u16x8::ZERO), |&w| (src_row(k), u16x8::splat(w))));
    let taps = &taps[..weights.len().min(MAX_VERTICAL_SIMD)];
    let simd = weights.len() <= MAX_VERTICAL_SIMD && N <= 2;
    let blocks = if simd { width * N / 16 } else { 0 };
    // 16 bytes at a time: samples to Q8 in `u16` lanes, `pmulhuw` by the Q15 weight, accumulate.
    // Luma widens low and high halves; NV12 chroma splits each lane into its two bytes, which
    // de-interleaves U and V for free.
    let [first, second, ..] = channels;
    for i in 0..blocks {
        let (mut a, mut b) = (u16x8::ZERO, u16x8::ZERO);
        for (r, w) in taps {
            let bytes = &r[i * 16..i * 16 + 16];
            let (x, y) = if N == 1 {
                let v = u8x16::new(bytes.try_into().unwrap_or([0; 16]));
                (u16x8::from_u8x16_low(v) << 8u32, u16x8::from_u8x16_high(v) << 8u32)
            } else {
                let p = pairs(bytes);
                (p << 8u32, p & u16x8::splat(0xff00))
            };
            a += x.mul_keep_high(*w);
            b += y.mul_keep_high(*w);
        }
        let (a, b) = (a.to_array().map(|v| v as i16), b.to_array().map(|v| v as i16));
        if N == 1 {
            first[i * 16..i * 16 + 8].copy_from_slice(&a);
            first[i * 16 + 8..i * 16 + 16].copy_from_slice(&b);
        } else {
            first[i * 8..i * 8 + 8].copy_from_slice(&a);
            second[i * 8..i * 8 + 8].copy_from_slice(&b);
        }
    }
    let rows: [&[u8]; MAX_VERTICAL_SIMD] = std::array::from_fn(|k| if k < weights.len() { src_row(k) } else { &[] });
    for x in blocks * 16..width * N {
        let acc = if weights.len() <= MAX_VERTICAL_SIMD {
            weights.iter().zip(&rows).map(|(&w, r)| mulhi(r[x], w)).sum::<u16>()
        } else {
            weights.iter().enumerate().map(|(k, &w)| mulhi(src_row(k)[x], w)).sum::<u16>()
        };
        channels[x % N][x / N] = acc as i16;
    }
}

/// Vertical taps held in registers; wider filters (downscales past 1/4) take the scalar loop.
const MAX_VERTICAL_SIMD: usize = 8;

/// Q7 intermediate times Q14 weight is Q21; add a half and shift back to 8 bits.
const ROUND: i32 = 1 << 20;

#[inline(always)]
fn finish(acc: i32) -> u8 {
    // Weights are non-negative and sum to one, so `acc` is in 0..=255.5 * 2^21: no lower clamp.
    (acc >> 21).min(255) as u8
}

/// Samples a group of four outputs may read from its base: offsets are below 256 and windows
/// at most 8 long, so indexing a `&[i16; BLOCK]` with them needs no bounds check.
const BLOCK: usize = 256 + 8;

/// Filters one channel (`row`, one sample per pixel, padded by `BLOCK`) into `out`.
fn horizontal(row: &[i16], h: &Taps, out: &mut [u8]) {
    let w = &h.q14_padded;
    let groups = out.chunks_exact_mut(4).zip(h.group_base.iter().zip(h.group_offsets.chunks_exact(4)));
    let done = match (h.padded_taps, h.grouped) {
        // Each `pmaddwd` (`dot`) multiplies eight sample/weight pairs and adds them in twos.
        (2, true) => {
            // Four outputs per vector: their sums come out whole.
            for ((o, (&base, d)), w) in groups.zip(w.chunks_exact(8)) {
                let Ok(block) = <&[i16; BLOCK]>::try_from(&row[base as usize..][..BLOCK]) else { break };
                let mut x = [0i16; 8];
                for j in 0..4 {
                    x[2 * j..2 * j + 2].copy_from_slice(&block[d[j] as usize..][..2]);
                }
                let sums = i16x8::new(x).dot(i16x8::new(w.try_into().unwrap_or([0; 8]))).to_array();
                for j in 0..4 {
                    o[j] = finish(sums[j] + ROUND);
                }
            }
            out.len() / 4 * 4
        }
        (4, true) => {
            // Two outputs per vector: each sum comes out as two halves, which the compiler adds
            // with one shuffle across both vectors.
            for ((o, (&base, d)), w) in groups.zip(w.chunks_exact(16)) {
                let Ok(block) = <&[i16; BLOCK]>::try_from(&row[base as usize..][..BLOCK]) else { break };
                let (mut x, mut y) = ([0i16; 8], [0i16; 8]);
                x[..4].copy_from_slice(&block[d[0] as usize..][..4]);
                x[4..].copy_from_slice(&block[d[1] as usize..][..4]);
                y[..4].copy_from_slice(&block[d[2] as usize..][..4]);
                y[4..].copy_from_slice(&block[d[3] as usize..][..4]);
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
