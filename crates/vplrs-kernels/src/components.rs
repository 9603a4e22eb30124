//! Where each colour component of each `FourCc` lives: plane, byte offset, step, bit field and
//! subsampling, with the byte orders `vplrs_memory::format` documents. The general path reads
//! and writes every format through this table, and the rect checks use it to know which bytes a
//! rect touches.

use vplrs_memory::FourCc;

use crate::color::Meaning;

/// How one sample of a component is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sample {
    /// A byte at `offset + x * step`.
    U8 { offset: u8, step: u8 },
    /// A little-endian `u16` at `offset + x * step` with the 10-bit value in its high bits (P010).
    U16High { offset: u8, step: u8 },
    /// The bits `shift..shift + bits` of the little-endian `u32` at `x * 4`.
    Packed { shift: u8, bits: u8 },
}

/// One component of a format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Component {
    pub plane: usize,
    pub sample: Sample,
    /// log2 of the horizontal and vertical subsampling.
    pub sub_x: u8,
    pub sub_y: u8,
    pub meaning: Meaning,
}

impl Component {
    pub fn bits(&self) -> u8 {
        match self.sample {
            Sample::U8 { .. } => 8,
            Sample::U16High { .. } => 10,
            Sample::Packed { bits, .. } => bits,
        }
    }

    /// Bytes `start..end` of a row that samples `x0..x1` occupy (`x1 > x0`).
    pub fn byte_extent(&self, x0: usize, x1: usize) -> (usize, usize) {
        let (offset, step, size) = match self.sample {
            Sample::U8 { offset, step } => (offset, step, 1),
            Sample::U16High { offset, step } => (offset, step, 2),
            Sample::Packed { .. } => (0, 4, 4),
        };
        let (offset, step) = (usize::from(offset), usize::from(step));
        (offset + x0 * step, offset + (x1 - 1) * step + size)
    }

    /// Reads samples `x0..x0 + out.len()` of `row` as normalised values.
    pub fn read_row(&self, row: &[u8], x0: usize, out: &mut [f32], (scale, offset): (f32, f32)) {
        let norm = |code: u32| code as f32 * scale + offset;
        match self.sample {
            Sample::U8 { offset: o, step } => {
                let (o, step) = (usize::from(o), usize::from(step));
                let bytes = row[x0 * step + o..].iter().step_by(step);
                out.iter_mut().zip(bytes).for_each(|(v, &b)| *v = norm(u32::from(b)));
            }
            Sample::U16High { offset: o, step } => {
                let (o, step) = (usize::from(o), usize::from(step));
                let words = row[x0 * step + o..].chunks(step);
                for (v, w) in out.iter_mut().zip(words) {
                    *v = norm(u32::from(u16::from_le_bytes([w[0], w[1]]) >> 6));
                }
            }
            Sample::Packed { shift, bits } => {
                let mask = (1u32 << bits) - 1;
                for (v, w) in out.iter_mut().zip(row[x0 * 4..].chunks_exact(4)) {
                    let word = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
                    *v = norm((word >> shift) & mask);
                }
            }
        }
    }

    /// Writes normalised `values` as samples `x0..` of `row`, rounding and clamping.
    pub fn write_row(&self, row: &mut [u8], x0: usize, values: &[f32], (scale, offset): (f32, f32)) {
        let max = ((1u32 << self.bits()) - 1) as f32;
        let code = |v: f32| ((v - offset) / scale).round().clamp(0.0, max) as u32;
        match self.sample {
            Sample::U8 { offset: o, step } => {
                let (o, step) = (usize::from(o), usize::from(step));
                let bytes = row[x0 * step + o..].iter_mut().step_by(step);
                bytes.zip(values).for_each(|(b, &v)| *b = code(v) as u8);
            }
            Sample::U16High { offset: o, step } => {
                let (o, step) = (usize::from(o), usize::from(step));
                for (w, &v) in row[x0 * step + o..].chunks_mut(step).zip(values) {
                    w[..2].copy_from_slice(&((code(v) << 6) as u16).to_le_bytes());
                }
            }
            Sample::Packed { shift, bits } => {
                let mask = ((1u32 << bits) - 1) << shift;
                for (w, &v) in row[x0 * 4..].chunks_exact_mut(4).zip(values) {
                    let word = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
                    let word = (word & !mask) | (code(v) << shift);
                    w.copy_from_slice(&word.to_le_bytes());
                }
            }
        }
    }
}

/// Component slots: 0 = Y or R, 1 = Cb or G, 2 = Cr or B, 3 = alpha.
pub(crate) type Components = [Option<Component>; 4];

const fn comp(plane: usize, sample: Sample, sub: (u8, u8), meaning: Meaning) -> Option<Component> {
    Some(Component { plane, sample, sub_x: sub.0, sub_y: sub.1, meaning })
}

const fn byte(offset: u8, step: u8) -> Sample {
    Sample::U8 { offset, step }
}

const fn field(shift: u8, bits: u8) -> Sample {
    Sample::Packed { shift, bits }
}

/// The components of `fourcc`.
pub(crate) const fn components(fourcc: FourCc) -> Components {
    use Meaning::{Chroma as C, Luma as L, Unsigned as U};
    const FULL: (u8, u8) = (0, 0);
    const HALF: (u8, u8) = (1, 1);
    const HALF_X: (u8, u8) = (1, 0);
    match fourcc {
        FourCc::Nv12 => {
            [comp(0, byte(0, 1), FULL, L), comp(1, byte(0, 2), HALF, C), comp(1, byte(1, 2), HALF, C), None]
        }
        FourCc::I420 => {
            [comp(0, byte(0, 1), FULL, L), comp(1, byte(0, 1), HALF, C), comp(2, byte(0, 1), HALF, C), None]
        }
        FourCc::Yv12 => {
            [comp(0, byte(0, 1), FULL, L), comp(2, byte(0, 1), HALF, C), comp(1, byte(0, 1), HALF, C), None]
        }
        FourCc::P010 => [
            comp(0, Sample::U16High { offset: 0, step: 2 }, FULL, L),
            comp(1, Sample::U16High { offset: 0, step: 4 }, HALF, C),
            comp(1, Sample::U16High { offset: 2, step: 4 }, HALF, C),
            None,
        ],
        FourCc::Yuy2 => {
            [comp(0, byte(0, 2), FULL, L), comp(0, byte(1, 4), HALF_X, C), comp(0, byte(3, 4), HALF_X, C), None]
        }
        FourCc::Ayuv => [
            comp(0, byte(2, 4), FULL, L),
            comp(0, byte(1, 4), FULL, C),
            comp(0, byte(0, 4), FULL, C),
            comp(0, byte(3, 4), FULL, U),
        ],
        FourCc::Rgb4 => [
            comp(0, byte(2, 4), FULL, U),
            comp(0, byte(1, 4), FULL, U),
            comp(0, byte(0, 4), FULL, U),
            comp(0, byte(3, 4), FULL, U),
        ],
        FourCc::Bgr4 => [
            comp(0, byte(0, 4), FULL, U),
            comp(0, byte(1, 4), FULL, U),
            comp(0, byte(2, 4), FULL, U),
            comp(0, byte(3, 4), FULL, U),
        ],
        FourCc::A2Rgb10 => [
            comp(0, field(20, 10), FULL, U),
            comp(0, field(10, 10), FULL, U),
            comp(0, field(0, 10), FULL, U),
            comp(0, field(30, 2), FULL, U),
        ],
        FourCc::Y210 => [
            comp(0, Sample::U16High { offset: 0, step: 4 }, FULL, L),
            comp(0, Sample::U16High { offset: 2, step: 8 }, HALF_X, C),
            comp(0, Sample::U16High { offset: 6, step: 8 }, HALF_X, C),
            None,
        ],
        FourCc::Y410 => [
            comp(0, field(10, 10), FULL, L),
            comp(0, field(0, 10), FULL, C),
            comp(0, field(20, 10), FULL, C),
            comp(0, field(30, 2), FULL, U),
        ],
    }
}
