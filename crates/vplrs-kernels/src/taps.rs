//! Filter taps for one axis of a resize, computed once per geometry and cached.
//!
//! The filter is a triangle ("bilinear") whose width grows with the downscale factor, as
//! swscale's and fast_image_resize's bilinear filters do, so downscaling averages every source
//! sample instead of skipping some. Samples outside the readable range are clamped to its edge,
//! so a crop never pulls in pixels from outside its rect.

/// One axis of a resize, in the sample units of the plane being read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct AxisMap {
    /// Source samples that may be read: `lo..hi`.
    pub lo: u32,
    pub hi: u32,
    /// The source interval the outputs span: `start..start + len` (sample `i` covers `i..i + 1`).
    pub start: f64,
    pub len: f64,
    /// Index of the first output sample in the destination plane.
    pub out_start: u32,
    pub out_len: u32,
}

impl AxisMap {
    /// The same map read from a buffer whose first sample is source sample `lo`.
    pub fn relative(self) -> Self {
        let lo = f64::from(self.lo);
        Self { lo: 0, hi: self.hi - self.lo, start: self.start - lo, ..self }
    }

    /// The same map written to a buffer whose first sample is output sample `out_start`.
    pub fn to_origin(self) -> Self {
        Self { out_start: 0, ..self }
    }

    /// True when every output is exactly one source sample (a plain copy along this axis).
    pub fn is_copy(&self) -> bool {
        self.len == f64::from(self.out_len)
            && self.start.fract() == 0.0
            && self.start >= f64::from(self.lo)
            && self.start + self.len <= f64::from(self.hi)
    }
}

/// Maps one axis of a rect (in luma units) to the samples of a plane subsampled by `1 << shift`.
///
/// Returns the map from the source plane (subsampled by `src_shift`) to the destination plane
/// (subsampled by `dst_shift`). A subsampled sample is centred on the luma samples it covers.
pub(crate) fn axis_map(src: (u32, u32), src_shift: u8, dst: (u32, u32), dst_shift: u8) -> AxisMap {
    let (lo, hi) = footprint(src.0, src.1, src_shift);
    let (o0, o1) = footprint(dst.0, dst.1, dst_shift);
    let ratio = f64::from(src.1) / f64::from(dst.1);
    // Destination plane samples o0..o1 cover these luma coordinates, relative to the dst rect.
    let d0 = f64::from(o0 << dst_shift) - f64::from(dst.0);
    let d1 = f64::from(o1 << dst_shift) - f64::from(dst.0);
    let unit = f64::from(1u32 << src_shift);
    let s0 = (f64::from(src.0) + d0 * ratio) / unit;
    let s1 = (f64::from(src.0) + d1 * ratio) / unit;
    AxisMap { lo, hi, start: s0, len: s1 - s0, out_start: o0, out_len: o1 - o0 }
}

/// The samples `off..off + len` of a luma axis touch in a plane subsampled by `1 << shift`.
pub(crate) fn footprint(off: u32, len: u32, shift: u8) -> (u32, u32) {
    let end = (u64::from(off) + u64::from(len)).div_ceil(1 << shift);
    (off >> shift, end as u32)
}

/// Taps of one axis: output `i` reads source samples `lo + starts[i] .. + taps`.
#[derive(Debug, Default)]
pub(crate) struct Taps {
    pub map: Option<AxisMap>,
    key: Option<AxisMapKey>,
    pub taps: usize,
    /// First source sample of each output, relative to `map.lo`.
    pub starts: Vec<u32>,
    pub weights: Vec<f32>,
    /// The weights in Q15 (sum 32768), for the 8-bit vertical pass.
    pub q15: Vec<u16>,
    /// The weights in Q14 (sum 16384), for the 8-bit horizontal pass.
    pub q14: Vec<u16>,
    /// `q14` with each output's taps zero-padded to `padded_taps` (2 or a multiple of 4), so
    /// the horizontal pass runs a fixed-width, vectorisable dot product.
    pub q14_padded: Vec<i16>,
    pub padded_taps: usize,
    /// Outputs in groups of four: the first start of each group, and each output's start
    /// relative to it. Valid when `grouped` (every group spans less than 256 samples), which
    /// lets the horizontal pass check bounds once per group instead of once per output.
    pub group_base: Vec<u32>,
    pub group_offsets: Vec<u8>,
    pub grouped: bool,
    scratch: Vec<(u32, f64)>,
}

/// `AxisMap` compared bit for bit (it holds floats), for the cache.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct AxisMapKey([u64; 4]);

impl AxisMapKey {
    fn of(m: &AxisMap) -> Self {
        let ints = u64::from(m.lo) | u64::from(m.hi) << 32;
        let outs = u64::from(m.out_start) | u64::from(m.out_len) << 32;
        Self([ints, m.start.to_bits(), m.len.to_bits(), outs])
    }
}

impl Taps {
    fn compute(&mut self, m: &AxisMap) {
        let out_len = m.out_len as usize;
        let scale = m.len / out_len as f64;
        let radius = scale.max(1.0);
        let (lo, hi) = (i64::from(m.lo), i64::from(m.hi) - 1);
        let mut per_output = std::mem::take(&mut self.scratch);
        per_output.clear();
        // First pass: each output's clamped window, to find the widest one.
        let mut widest = 1;
        let window = |i: usize| {
            let centre = m.start + (i as f64 + 0.5) * scale;
            // Samples strictly inside the triangle: |j + 0.5 - centre| < radius.
            let first = (centre - radius - 0.5).floor() as i64 + 1;
            let last = (centre + radius - 0.5).ceil() as i64 - 1;
            (centre, first, last)
        };
        for i in 0..out_len {
            let (_, first, last) = window(i);
            let (a, b) = (first.clamp(lo, hi), last.clamp(lo, hi));
            widest = widest.max((b - a + 1) as usize);
        }
        let taps = widest;
        self.taps = taps;
        self.starts.clear();
        self.weights.clear();
        for i in 0..out_len {
            let (centre, first, last) = window(i);
            per_output.clear();
            let mut sum = 0.0;
            for j in first..=last {
                let w = 1.0 - ((j as f64 + 0.5 - centre).abs() / radius);
                if w > 1e-9 {
                    let j = j.clamp(lo, hi) as u32;
                    sum += w;
                    match per_output.last_mut() {
                        Some((last_j, acc)) if *last_j == j => *acc += w,
                        _ => per_output.push((j, w)),
                    }
                }
            }
            if per_output.is_empty() {
                // Cannot happen with radius >= 1, but a degenerate map must still write something.
                per_output.push(((centre.floor() as i64).clamp(lo, hi) as u32, 1.0));
                sum = 1.0;
            }
            let first_j = per_output[0].0;
            // Slide the fixed-width window left where it would run past the last sample.
            let start = first_j.min((hi + 1) as u32 - taps as u32).max(m.lo);
            self.starts.push(start - m.lo);
            let base = self.weights.len();
            self.weights.resize(base + taps, 0.0);
            for &(j, w) in &per_output {
                self.weights[base + (j - start) as usize] += (w / sum) as f32;
            }
        }
        self.scratch = per_output;
        quantise(&self.weights, taps, 1 << 15, &mut self.q15);
        quantise(&self.weights, taps, 1 << 14, &mut self.q14);
        self.padded_taps = if taps <= 2 { 2 } else { taps.next_multiple_of(4) };
        self.q14_padded.clear();
        for group in self.q14.chunks_exact(taps) {
            self.q14_padded.extend(group.iter().map(|&w| w as i16));
            self.q14_padded.extend(std::iter::repeat_n(0, self.padded_taps - taps));
        }
        self.group_base.clear();
        self.group_offsets.clear();
        self.grouped = true;
        for group in self.starts.chunks_exact(4) {
            self.group_base.push(group[0]);
            for &start in group {
                let offset = u8::try_from(start - group[0]);
                self.grouped &= offset.is_ok();
                self.group_offsets.push(offset.unwrap_or(0));
            }
        }
        self.map = Some(*m);
        self.key = Some(AxisMapKey::of(m));
    }
}

/// Rounds each output's weights to integers summing exactly to `one`.
fn quantise(weights: &[f32], taps: usize, one: i32, out: &mut Vec<u16>) {
    out.clear();
    for group in weights.chunks_exact(taps) {
        let base = out.len();
        let mut sum = 0;
        let mut biggest = 0;
        for (k, &w) in group.iter().enumerate() {
            let q = (w * one as f32).round() as i32;
            sum += q;
            out.push(q as u16);
            if w > group[biggest] {
                biggest = k;
            }
        }
        let fixed = i32::from(out[base + biggest]) + one - sum;
        out[base + biggest] = fixed.clamp(0, one) as u16;
    }
}

/// A few `Taps` kept across frames, so a stable geometry never recomputes (nor allocates) them.
#[derive(Debug, Default)]
pub(crate) struct TapsCache {
    entries: Vec<(u64, Taps)>,
    clock: u64,
}

/// Enough for the widest conversion (four components, two axes each) without evicting.
const CACHE_SLOTS: usize = 12;

impl TapsCache {
    /// The index of the taps for `m`, computing them if needed. Valid until the next call.
    pub fn prepare(&mut self, m: &AxisMap) -> usize {
        self.clock += 1;
        let key = AxisMapKey::of(m);
        if let Some(i) = self.entries.iter().position(|(_, t)| t.key == Some(key)) {
            self.entries[i].0 = self.clock;
            return i;
        }
        let slot = if self.entries.len() < CACHE_SLOTS {
            self.entries.push((0, Taps::default()));
            self.entries.len() - 1
        } else {
            let oldest = self.entries.iter().enumerate().min_by_key(|(_, (used, _))| *used);
            oldest.map_or(0, |(i, _)| i)
        };
        self.entries[slot].0 = self.clock;
        self.entries[slot].1.compute(m);
        slot
    }

    /// Two axes at once; the second `prepare` cannot evict the first (it was used last).
    pub fn pair(&mut self, h: &AxisMap, v: &AxisMap) -> (&Taps, &Taps) {
        let hi = self.prepare(h);
        let vi = self.prepare(v);
        (&self.entries[hi].1, &self.entries[vi].1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taps_of(m: AxisMap) -> Taps {
        let mut t = Taps::default();
        t.compute(&m);
        t
    }

    #[test]
    fn identity_is_one_tap() {
        let t = taps_of(AxisMap { lo: 0, hi: 8, start: 0.0, len: 8.0, out_start: 0, out_len: 8 });
        assert_eq!(t.taps, 1);
        assert_eq!(t.starts, (0..8).collect::<Vec<_>>());
        assert!(t.q14.iter().all(|&w| w == 1 << 14));
    }

    #[test]
    fn weights_sum_to_one_and_stay_in_range() {
        for (len, out) in [(1920.0, 1280), (7.0, 3), (3.0, 11), (1.0, 5), (5.0, 1)] {
            let m = AxisMap { lo: 2, hi: 2 + len as u32, start: 2.0, len, out_start: 0, out_len: out };
            let t = taps_of(m);
            for (i, w) in t.q14.chunks_exact(t.taps).enumerate() {
                assert_eq!(w.iter().map(|&w| u32::from(w)).sum::<u32>(), 1 << 14);
                assert!(t.starts[i] as usize + t.taps <= len as usize);
            }
        }
    }

    #[test]
    fn half_sample_shift_averages_neighbours() {
        let t = taps_of(AxisMap { lo: 0, hi: 4, start: 0.5, len: 2.0, out_start: 0, out_len: 2 });
        assert_eq!(t.taps, 2);
        assert_eq!(&t.q14[..2], &[8192, 8192]);
    }
}
