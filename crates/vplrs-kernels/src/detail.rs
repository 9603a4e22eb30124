//! Detail enhancement (`mfxExtVPPDetail`): an unsharp mask on luma. Each luma sample gets
//! `amount` times its difference from a blurred picture added:
//!
//! ```text
//! Y' = Y + floor((Y - blur) · amount)        (amount in 16.16 fixed point, clamped to 0..255)
//! ```
//!
//! The blur is the 5x5 binomial filter (1 4 6 4 1 by 1 4 6 4 1, over 256, rounded), samples past
//! the picture's edges repeating the edge: the mask FFmpeg's `unsharp` filter computes with a 5x5
//! luma matrix. `DetailFactor` 0 to 100 maps to amount 0 to 2 (50: `unsharp`'s default, 1).
//! Chroma is left alone. 8-bit YCbCr (NV12, I420, YV12, YUY2's luma is interleaved and not
//! handled), in place, on a rectangle of the frame.

use vplrs_memory::{FourCc, FrameViewMut, Rect};

use crate::error::{KernelError, Side};
use crate::parallel;

/// True for the formats detail enhancement works on.
pub fn detail_supports(fourcc: FourCc) -> bool {
    matches!(fourcc, FourCc::Nv12 | FourCc::I420 | FourCc::Yv12)
}

/// The unsharp amount of a `DetailFactor` (0 to 100).
pub fn detail_amount(factor: u16) -> f64 {
    f64::from(factor.min(100)) / 50.0
}

const TAPS: [u32; 5] = [1, 4, 6, 4, 1];

/// The horizontal 1 4 6 4 1 sums of `row` (the edge samples repeated).
fn horizontal(row: &[u8], out: &mut [u32]) {
    let width = row.len();
    let at = |x: isize| u32::from(row[x.clamp(0, width as isize - 1) as usize]);
    let edge = |x: usize| TAPS.iter().enumerate().map(|(k, &tap)| tap * at(x as isize + k as isize - 2)).sum();
    if width < 5 {
        for (x, sum) in out.iter_mut().enumerate() {
            *sum = edge(x);
        }
        return;
    }
    for x in [0, 1, width - 2, width - 1] {
        out[x] = edge(x);
    }
    for (sum, w) in out[2..width - 2].iter_mut().zip(row.windows(5)) {
        *sum = u32::from(w[0]) + 4 * u32::from(w[1]) + 6 * u32::from(w[2]) + 4 * u32::from(w[3]) + u32::from(w[4]);
    }
}

/// Sharpens the luma of `rect` of `frame` by `amount`, keeping its scratch rows in `scratch`.
pub fn sharpen(
    frame: &mut FrameViewMut<'_>,
    rect: Rect,
    amount: f64,
    scratch: &mut Vec<u32>,
) -> Result<(), KernelError> {
    if !detail_supports(frame.fourcc) {
        return Err(KernelError::Unsupported { from: frame.fourcc, to: frame.fourcc });
    }
    if rect.x + rect.width > frame.width || rect.y + rect.height > frame.height {
        return Err(KernelError::RectOutsideFrame {
            side: Side::Destination,
            rect,
            width: frame.width,
            height: frame.height,
        });
    }
    let fixed = (amount * 65536.0) as i64;
    if fixed == 0 || rect.width == 0 || rect.height == 0 {
        return Ok(());
    }
    let (x0, y0, width, height) = (rect.x as usize, rect.y as usize, rect.width as usize, rect.height as usize);
    let plane = frame.plane_mut(0);
    let pitch = plane.pitch();
    // The horizontal blur of every row (weights summing to 16), then the vertical one as each
    // output row is written: rows are blurred from the original samples, so all of them first.
    // Each pass is split in bands of rows across threads.
    scratch.clear();
    scratch.resize(width * height, 0);
    let bands = parallel::bands(height, parallel::threads_for(width * height));
    {
        let source = plane.as_plane();
        let mut rest: &mut [u32] = scratch;
        let mut parts = Vec::with_capacity(bands.len());
        for band in &bands {
            let (part, tail) = rest.split_at_mut(band.len() * width);
            parts.push((band.clone(), part));
            rest = tail;
        }
        parallel::run_all(parts, |(band, out)| {
            for (y, out_row) in band.zip(out.chunks_exact_mut(width)) {
                horizontal(&source.row(y0 + y)[x0..x0 + width], out_row);
            }
        });
    }
    let blurred: &[u32] = scratch;
    let mut rest = &mut plane.data_mut()[y0 * pitch..];
    let mut parts = Vec::with_capacity(bands.len());
    for band in &bands {
        // The band's rows; the last row of the plane may be shorter than the pitch.
        let length = (band.len() * pitch).min(rest.len());
        let (part, tail) = std::mem::take(&mut rest).split_at_mut(length);
        parts.push((band.clone(), part));
        rest = tail;
    }
    parallel::run_all(parts, |(band, rows)| {
        for (index, y) in band.enumerate() {
            let row = &mut rows[index * pitch + x0..][..width];
            // The five blurred rows around this one, the edge rows repeated.
            let at = |k: usize| &blurred[(y + k).saturating_sub(2).min(height - 1) * width..][..width];
            let (r0, r1, r2, r3, r4) = (at(0), at(1), at(2), at(3), at(4));
            for (x, sample) in row.iter_mut().enumerate() {
                let sum = r0[x] + 4 * r1[x] + 6 * r2[x] + 4 * r3[x] + r4[x];
                let blur = ((sum + 128) >> 8) as i32;
                let original = i32::from(*sample);
                let sharpened = i64::from(original) + ((i64::from(original - blur) * fixed) >> 16);
                *sample = sharpened.clamp(0, 255) as u8;
            }
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use vplrs_memory::{FrameInfo, FrameLayout, LayoutOptions};

    #[test]
    fn edges_are_steepened_and_flat_areas_kept() {
        let layout = FrameLayout::new(&FrameInfo::new(FourCc::Nv12, 32, 16), LayoutOptions::default()).unwrap();
        let mut buffer = vec![128; layout.size];
        {
            let mut view = layout.view_mut(&mut buffer).unwrap();
            for y in 0..16 {
                for (x, sample) in view.plane_mut(0).row_mut(y)[..32].iter_mut().enumerate() {
                    *sample = if x < 16 { 100 } else { 150 };
                }
            }
        }
        let original = buffer.clone();
        let rect = Rect { x: 0, y: 0, width: 32, height: 16 };
        let mut scratch = Vec::new();
        sharpen(&mut layout.view_mut(&mut buffer).unwrap(), rect, 1.0, &mut scratch).unwrap();
        let view = layout.view(&buffer).unwrap();
        let row = view.plane(0).row(8);
        assert_eq!((row[4], row[27]), (100, 150), "flat areas stay");
        assert!(row[15] < 100 && row[16] > 150, "the edge overshoots: {} {}", row[15], row[16]);
        // Blur at x = 15: (100·11 + 150·5) / 16 = 115.6 -> 116; 100 + (100 - 116) = 84.
        assert_eq!(row[15], 84);
        let chroma_unchanged = view.plane(1).data() == layout.view(&original).unwrap().plane(1).data();
        assert!(chroma_unchanged);
        let mut copy = original.clone();
        sharpen(&mut layout.view_mut(&mut copy).unwrap(), rect, 0.0, &mut scratch).unwrap();
        assert_eq!(copy, original, "amount 0");
    }
}
