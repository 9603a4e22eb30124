//! Denoise (`mfxExtVPPDenoise`, `mfxExtVPPDenoise2`): a high-quality 3D denoiser, spatial and
//! temporal, of the kind FFmpeg's `hqdn3d` made the reference (the algorithm of MPlayer's
//! denoise3d): every sample is low-passed against its left neighbour, the sample above it (both
//! already filtered) and the same sample of the previous output frame, each step moving the
//! sample towards its neighbour by a fraction that falls as their difference grows, so edges stay
//! sharp while small differences (noise) are smoothed away.
//!
//! Samples are carried with 8 fractional bits; each step's movement comes from a table indexed by
//! the difference (16 bins per code value). A strength `s` (0 to 255) sets the table: the
//! movement is `d · (1 − |d|/255)^γ` with `γ = ln 0.25 / ln(1 − s/255)`, so a difference of `s`
//! codes keeps a quarter of its weight. The strength of each of the four steps (luma spatial,
//! luma temporal, chroma spatial, chroma temporal) follows from one strength `L` as `hqdn3d=L`
//! sets them: `L`, `1.5 L`, `0.75 L`, `1.125 L`. Works on 8-bit YCbCr 4:2:0 (NV12, I420, YV12),
//! in place, on a rectangle of the frame; the previous output is kept between frames.

use vplrs_memory::{FourCc, FrameViewMut, Plane, PlaneMut, Rect};

use crate::error::KernelError;

/// Fractional bits of the difference the tables are indexed by.
const LUT_BITS: u32 = 4;
/// Index of the table entry for a difference of zero.
const MIDDLE: usize = 256 << LUT_BITS;

/// True for the formats the denoiser works on.
pub fn denoise_supports(fourcc: FourCc) -> bool {
    matches!(fourcc, FourCc::Nv12 | FourCc::I420 | FourCc::Yv12)
}

/// The movement table of one step for strength `strength` (`None`: the step is off).
fn table(strength: f64) -> Option<Box<Table>> {
    if strength <= 0.0 {
        return None;
    }
    let gamma = 0.25f64.ln() / (1.0 - strength.min(252.0) / 255.0 - 0.00001).ln();
    (0..2 * MIDDLE)
        .map(|index| {
            let bin = index as i64 - MIDDLE as i64;
            // The middle of the bin, in code values.
            let difference = ((bin << (9 - LUT_BITS)) + (1 << (8 - LUT_BITS)) - 1) as f64 / 512.0;
            let similarity = (1.0 - difference.abs() / 255.0).max(0.0);
            (similarity.powf(gamma) * 256.0 * difference).round_ties_even() as i16
        })
        .collect::<Vec<i16>>()
        .into_boxed_slice()
        .try_into()
        .ok()
}

/// A step's movement for each difference bin.
type Table = [i16; 2 * MIDDLE];

/// `current` moved towards `previous` as `table` says.
#[inline(always)]
fn lowpass(previous: u32, current: u32, table: &Table) -> u32 {
    // Values may dip a few units below zero near black (the tables round away from it): the
    // arithmetic wraps as hqdn3d's unsigned arithmetic does, never overflows.
    let difference = (previous as i32).wrapping_sub(current as i32) >> (8 - LUT_BITS);
    // Differences of 8-bit samples stay within the table; the mask only spares the bounds check.
    (current as i32)
        .wrapping_add(i32::from(table[(MIDDLE as i32).wrapping_add(difference) as usize & (2 * MIDDLE - 1)])) as u32
}

/// One component of a picture: its samples `step` bytes apart from `offset` in each row.
#[derive(Clone, Copy)]
struct Component {
    plane: usize,
    offset: usize,
    step: usize,
    x: usize,
    y: usize,
    width: usize,
    height: usize,
}

fn components(fourcc: FourCc, rect: Rect) -> Vec<(Component, bool)> {
    let (x, y, w, h) = (rect.x as usize, rect.y as usize, rect.width as usize, rect.height as usize);
    let luma = Component { plane: 0, offset: 0, step: 1, x, y, width: w, height: h };
    // The chroma samples the rectangle touches.
    let (cx, cy) = (x / 2, y / 2);
    let (cw, ch) = ((x + w).div_ceil(2) - cx, (y + h).div_ceil(2) - cy);
    let chroma = Component { plane: 1, offset: 0, step: 1, x: cx, y: cy, width: cw, height: ch };
    match fourcc {
        FourCc::Nv12 => vec![
            (luma, true),
            (Component { step: 2, ..chroma }, false),
            (Component { offset: 1, step: 2, ..chroma }, false),
        ],
        _ => vec![(luma, true), (chroma, false), (Component { plane: 2, ..chroma }, false)],
    }
}

/// The denoiser's settings and the previous output frame.
#[derive(Debug, Default)]
pub struct Denoiser {
    strength: f64,
    /// Luma spatial, luma temporal, chroma spatial, chroma temporal.
    tables: [Option<Box<Table>>; 4],
    /// The horizontal pass's output of the component being filtered.
    chain: Vec<u32>,
    /// Each component's previous output (8 fractional bits), and the geometry it is for.
    previous: Vec<Vec<u32>>,
    geometry: Option<(FourCc, Rect)>,
}

impl Denoiser {
    /// A denoiser of strength `strength` (`hqdn3d=strength`; 0 leaves pictures alone).
    pub fn new(strength: f64) -> Self {
        let luma = strength.max(0.0);
        let tables = [table(luma), table(luma * 1.5), table(luma * 0.75), table(luma * 1.125)];
        Self { strength: luma, tables, ..Self::default() }
    }

    /// The strength this denoiser was made with.
    pub fn strength(&self) -> f64 {
        self.strength
    }

    /// Forgets the previous frame (a new sequence starts).
    pub fn reset(&mut self) {
        self.geometry = None;
    }

    /// Denoises `rect` of `frame` in place, against the previous frame denoised (the first frame,
    /// or one of another size, only against itself).
    pub fn apply(&mut self, frame: &mut FrameViewMut<'_>, rect: Rect) -> Result<(), KernelError> {
        if !denoise_supports(frame.fourcc) {
            return Err(KernelError::Unsupported { from: frame.fourcc, to: frame.fourcc });
        }
        if rect.x + rect.width > frame.width
            || rect.y + rect.height > frame.height
            || rect.width == 0
            || rect.height == 0
        {
            return Err(KernelError::RectOutsideFrame {
                side: crate::error::Side::Destination,
                rect,
                width: frame.width,
                height: frame.height,
            });
        }
        if self.strength <= 0.0 {
            return Ok(());
        }
        let fresh = self.geometry != Some((frame.fourcc, rect));
        let parts = components(frame.fourcc, rect);
        if fresh {
            self.previous = parts.iter().map(|(c, _)| vec![0; c.width * c.height]).collect();
            self.geometry = Some((frame.fourcc, rect));
        }
        let Self { tables, chain, previous, .. } = self;
        let (Some(luma_tables), Some(chroma_tables)) = (pair(&tables[0], &tables[1]), pair(&tables[2], &tables[3]))
        else {
            return Ok(());
        };
        // Each pass of each component shares its work between the threads: the first by rows,
        // the second by columns.
        let threads = crate::parallel::threads_for(rect.width as usize * rect.height as usize);
        for ((component, is_luma), previous) in parts.into_iter().zip(previous.iter_mut()) {
            let tables = if is_luma { luma_tables } else { chroma_tables };
            let plane = frame.plane_mut(component.plane);
            horizontal_chains(&plane.as_plane(), component, tables.0, chain, threads);
            vertical_and_temporal(plane, component, tables, chain, previous, threads, fresh);
        }
        Ok(())
    }
}

/// Both tables of a component (spatial, temporal), when both steps are on.
fn pair<'t>(spatial: &'t Option<Box<Table>>, temporal: &'t Option<Box<Table>>) -> Option<(&'t Table, &'t Table)> {
    Some((spatial.as_deref()?, temporal.as_deref()?))
}

/// The first pass, row by row (rows are independent, so bands of them run on threads): each
/// sample low-passed against its left neighbour, already filtered. `chain[y * width + x]` is what
/// the vertical step of sample `(x, y)` takes: on the first row the chain after sample `x`, on
/// the others the chain up to the sample before (the first sample itself at `x = 0`).
fn horizontal_chains(plane: &Plane<'_>, component: Component, spatial: &Table, chain: &mut Vec<u32>, threads: usize) {
    let (width, height) = (component.width, component.height);
    let (first, step) = (component.offset + component.x * component.step, component.step);
    let span = first..first + (width - 1) * step + 1;
    chain.clear();
    chain.resize(width * height, 0);
    let mut parts = Vec::new();
    let mut rest: &mut [u32] = chain;
    for band in crate::parallel::bands(height, threads) {
        let (part, tail) = std::mem::take(&mut rest).split_at_mut(band.len() * width);
        parts.push((band, part));
        rest = tail;
    }
    crate::parallel::run_all(parts, |(band, out)| {
        // Two rows at a time: their chains are independent, so their latencies overlap.
        let mut rows = band.clone().zip(out.chunks_exact_mut(width));
        loop {
            match (rows.next(), rows.next()) {
                (Some((ya, a)), Some((yb, b))) => {
                    let (ra, rb) =
                        (&plane.row(component.y + ya)[span.clone()], &plane.row(component.y + yb)[span.clone()]);
                    let (mut left_a, mut left_b) = (u32::from(ra[0]) << 8, u32::from(rb[0]) << 8);
                    if ya == 0 {
                        left_a = lowpass(left_a, left_a, spatial);
                    }
                    a[0] = left_a;
                    b[0] = left_b;
                    let pairs = ra.iter().step_by(step).zip(rb.iter().step_by(step)).skip(1);
                    for ((&sa, &sb), (oa, ob)) in pairs.zip(a[1..].iter_mut().zip(b[1..].iter_mut())) {
                        left_a = lowpass(left_a, u32::from(sa) << 8, spatial);
                        left_b = lowpass(left_b, u32::from(sb) << 8, spatial);
                        *oa = left_a;
                        *ob = left_b;
                    }
                }
                (Some((y, a)), None) => {
                    let row = &plane.row(component.y + y)[span.clone()];
                    let mut left = u32::from(row[0]) << 8;
                    if y == 0 {
                        left = lowpass(left, left, spatial);
                    }
                    a[0] = left;
                    for (&sample, out) in row.iter().step_by(step).skip(1).zip(a[1..].iter_mut()) {
                        left = lowpass(left, u32::from(sample) << 8, spatial);
                        *out = left;
                    }
                }
                _ => break,
            }
        }
    });
}

/// The second pass, row by row: the vertical step against the filtered row above, the temporal
/// step against the previous output, and the store. Columns are independent here, so bands of
/// columns run on threads, each band down every row.
fn vertical_and_temporal(
    plane: &mut PlaneMut<'_>,
    component: Component,
    tables: (&Table, &Table),
    chain: &[u32],
    previous: &mut [u32],
    threads: usize,
    fresh: bool,
) {
    let (width, height) = (component.width, component.height);
    let (first, step) = (component.offset + component.x * component.step, component.step);
    let pitch = plane.pitch();
    let span = (width - 1) * step + 1;
    let bands = crate::parallel::bands(width, threads);
    // Each band's part of every row of samples, and of the previous output.
    let mut parts: Vec<ColumnBand<'_>> =
        bands.iter().map(|band| (band.clone(), Vec::with_capacity(height), Vec::with_capacity(height))).collect();
    let rows = plane.data_mut()[component.y * pitch..].chunks_mut(pitch).take(height);
    for (row, past) in rows.zip(previous.chunks_exact_mut(width)) {
        let (mut samples, mut past) = (&mut row[first..first + span], past);
        for (index, part) in parts.iter_mut().enumerate() {
            let columns = part.0.len();
            let last = index + 1 == bands.len();
            let bytes = if last { samples.len() } else { columns * step };
            let (mine, rest) = std::mem::take(&mut samples).split_at_mut(bytes);
            let (mine_past, rest_past) = std::mem::take(&mut past).split_at_mut(columns);
            part.1.push(mine);
            part.2.push(mine_past);
            (samples, past) = (rest, rest_past);
        }
    }
    crate::parallel::run_all(parts, |(columns, rows, pasts)| {
        filter_columns(columns, rows, pasts, chain, width, step, tables, fresh);
    });
}

/// A band of columns: its range, its part of every row of samples and of the previous output.
type ColumnBand<'a> = (std::ops::Range<usize>, Vec<&'a mut [u8]>, Vec<&'a mut [u32]>);

/// [`vertical_and_temporal`] on one band of columns.
#[allow(clippy::too_many_arguments)]
fn filter_columns(
    columns: std::ops::Range<usize>,
    rows: Vec<&mut [u8]>,
    pasts: Vec<&mut [u32]>,
    chain: &[u32],
    width: usize,
    step: usize,
    (spatial, temporal): (&Table, &Table),
    fresh: bool,
) {
    let mut line = vec![0u32; columns.len()];
    for (y, (row, past)) in rows.into_iter().zip(pasts).enumerate() {
        let chain_row = &chain[y * width + columns.start..][..columns.len()];
        if fresh {
            for (value, &sample) in past.iter_mut().zip(row.iter().step_by(step)) {
                *value = u32::from(sample) << 8;
            }
        }
        if y == 0 {
            line.copy_from_slice(chain_row);
        }
        let samples = line.iter_mut().zip(chain_row).zip(past.iter_mut()).zip(row.iter_mut().step_by(step));
        for (((above, &left), past), sample) in samples {
            let filtered = if y == 0 { *above } else { lowpass(*above, left, spatial) };
            *above = filtered;
            let value = lowpass(*past, filtered, temporal);
            *past = value;
            *sample = (value.wrapping_add(127) >> 8).min(255) as u8;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vplrs_memory::{FrameInfo, FrameLayout, LayoutOptions};

    #[test]
    fn noise_is_smoothed_edges_are_kept_and_the_past_counts() {
        let layout = FrameLayout::new(&FrameInfo::new(FourCc::I420, 64, 32), LayoutOptions::default()).unwrap();
        let noisy = |buffer: &mut Vec<u8>, seed: u32| {
            let mut view = layout.view_mut(buffer).unwrap();
            let luma = view.plane_mut(0);
            for y in 0..32 {
                for (x, sample) in luma.row_mut(y)[..64].iter_mut().enumerate() {
                    // Left half 60, right half 200 (an edge), with +-3 of noise.
                    let noise = ((x as u32 * 3 + y as u32 * 5 + seed) % 7) as i32 - 3;
                    *sample = ((if x < 32 { 60 } else { 200 }) + noise) as u8;
                }
            }
        };
        let rect = Rect { x: 0, y: 0, width: 64, height: 32 };
        let spread = |buffer: &[u8]| {
            let view = layout.view(buffer).unwrap();
            let row = view.plane(0).row(16);
            let left = &row[4..28];
            left.iter().max().unwrap() - left.iter().min().unwrap()
        };
        let mut denoiser = Denoiser::new(4.0);
        let mut buffer = vec![128; layout.size];
        noisy(&mut buffer, 0);
        let before = spread(&buffer);
        denoiser.apply(&mut layout.view_mut(&mut buffer).unwrap(), rect).unwrap();
        let after = spread(&buffer);
        assert!(after < before, "noise spread {before} -> {after}");
        let view = layout.view(&buffer).unwrap();
        let row = view.plane(0).row(16);
        assert!(row[30] < 70 && row[34] > 190, "the edge stays sharp: {} {}", row[30], row[34]);
        // A second frame with other noise is pulled towards the first output.
        let first = buffer.clone();
        noisy(&mut buffer, 3);
        let alone = {
            let mut copy = buffer.clone();
            Denoiser::new(4.0).apply(&mut layout.view_mut(&mut copy).unwrap(), rect).unwrap();
            copy
        };
        denoiser.apply(&mut layout.view_mut(&mut buffer).unwrap(), rect).unwrap();
        let distance = |a: &[u8], b: &[u8]| a.iter().zip(b).map(|(p, q)| u32::from(p.abs_diff(*q))).sum::<u32>();
        assert!(distance(&buffer, &first) < distance(&alone, &first), "temporal filtering");
        // Strength 0 leaves the picture alone.
        let mut untouched = buffer.clone();
        Denoiser::new(0.0).apply(&mut layout.view_mut(&mut untouched).unwrap(), rect).unwrap();
        assert_eq!(untouched, buffer);
    }
}
