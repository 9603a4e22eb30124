//! Separable resize of one `f32` plane, for the general path. Same filter and order (vertical,
//! then horizontal) as the 8-bit resizer, without the fixed-point bookkeeping.

use crate::taps::Taps;

/// Resizes `src` (`src_width` samples a row, indexed from `h.map.lo`/`v.map.lo`) into `dst`
/// (`dst_width` a row, indexed from `out_start`).
pub(crate) fn resize(
    src: &[f32],
    src_width: usize,
    dst: &mut [f32],
    dst_width: usize,
    h: &Taps,
    v: &Taps,
    row: &mut Vec<f32>,
) {
    let (Some(hm), Some(vm)) = (h.map, v.map) else { return };
    let (lo, hi) = (hm.lo as usize, hm.hi as usize);
    let (h_out0, h_len) = (hm.out_start as usize, hm.out_len as usize);
    row.clear();
    row.resize(hi - lo, 0.0);
    for (y, (&first, weights)) in v.starts.iter().zip(v.weights.chunks_exact(v.taps)).enumerate() {
        let first = vm.lo as usize + first as usize;
        row.fill(0.0);
        for (k, &w) in weights.iter().enumerate() {
            let at = (first + k) * src_width;
            for (o, &s) in row.iter_mut().zip(&src[at + lo..at + hi]) {
                *o += w * s;
            }
        }
        let at = (vm.out_start as usize + y) * dst_width + h_out0;
        let out = &mut dst[at..at + h_len];
        for ((o, &start), w) in out.iter_mut().zip(&h.starts).zip(h.weights.chunks_exact(h.taps)) {
            let window = &row[start as usize..start as usize + h.taps];
            *o = window.iter().zip(w).map(|(&s, &w)| s * w).sum();
        }
    }
}
