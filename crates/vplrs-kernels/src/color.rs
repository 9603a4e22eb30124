//! Colour spaces: the YCbCr matrices and quantisation ranges a frame's samples are coded with.
//!
//! Internally the general path works on *normalised* samples: luma and RGB in `[0, 1]`, chroma in
//! `[-0.5, 0.5]`. In that form every conversion between YCbCr (any matrix) and RGB is a plain 3x3
//! matrix with no offsets, and the range only changes how codes map to normalised values.

use vplrs_memory::FourCc;

/// The YCbCr matrix (ITU-R BT.601 or BT.709 luma coefficients).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Matrix {
    #[default]
    /// ITU-R BT.601 (standard definition).
    Bt601,
    /// ITU-R BT.709 (high definition).
    Bt709,
}

/// The quantisation range of YCbCr samples.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Range {
    /// "TV" range: 8-bit luma 16..=235, chroma 16..=240 (times 4 at 10 bits).
    #[default]
    Limited,
    /// "PC" range: every code, chroma centred on 128 (512 at 10 bits).
    Full,
}

/// How the samples of a YCbCr frame are to be read or written.
///
/// RGB frames are always full range and have no matrix: the spec passed for an RGB side is
/// ignored, as swscale does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct ColorSpec {
    /// The luma coefficients.
    pub matrix: Matrix,
    /// Limited (16-235) or full (0-255) range.
    pub range: Range,
}

impl ColorSpec {
    /// BT.601, limited range: the default of standard-definition video.
    pub const BT601_LIMITED: Self = Self::new(Matrix::Bt601, Range::Limited);
    /// BT.601, full range (JPEG).
    pub const BT601_FULL: Self = Self::new(Matrix::Bt601, Range::Full);
    /// BT.709, limited range: the default of high-definition video.
    pub const BT709_LIMITED: Self = Self::new(Matrix::Bt709, Range::Limited);
    /// BT.709, full range.
    pub const BT709_FULL: Self = Self::new(Matrix::Bt709, Range::Full);

    /// A colour description of `matrix` and `range`.
    pub const fn new(matrix: Matrix, range: Range) -> Self {
        Self { matrix, range }
    }
}

impl Matrix {
    /// The luma weights of red and blue (Kr, Kb).
    pub const fn kr_kb(self) -> (f64, f64) {
        match self {
            Matrix::Bt601 => (0.299, 0.114),
            Matrix::Bt709 => (0.2126, 0.0722),
        }
    }

    pub(crate) fn to_yuvutils(self) -> yuvutils_rs::YuvStandardMatrix {
        match self {
            Matrix::Bt601 => yuvutils_rs::YuvStandardMatrix::Bt601,
            Matrix::Bt709 => yuvutils_rs::YuvStandardMatrix::Bt709,
        }
    }
}

impl Range {
    pub(crate) fn to_yuvutils(self) -> yuvutils_rs::YuvRange {
        match self {
            Range::Limited => yuvutils_rs::YuvRange::Limited,
            Range::Full => yuvutils_rs::YuvRange::Full,
        }
    }
}

/// 3x3 matrix applied to normalised (Y, Cb, Cr) or (R, G, B) column vectors.
pub(crate) type Mat3 = [[f64; 3]; 3];

pub(crate) const IDENTITY: Mat3 = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];

fn ycbcr_to_rgb(m: Matrix) -> Mat3 {
    let (kr, kb) = m.kr_kb();
    let kg = 1.0 - kr - kb;
    [
        [1.0, 0.0, 2.0 * (1.0 - kr)],
        [1.0, -2.0 * kb * (1.0 - kb) / kg, -2.0 * kr * (1.0 - kr) / kg],
        [1.0, 2.0 * (1.0 - kb), 0.0],
    ]
}

fn rgb_to_ycbcr(m: Matrix) -> Mat3 {
    let (kr, kb) = m.kr_kb();
    let kg = 1.0 - kr - kb;
    let (cb, cr) = (2.0 * (1.0 - kb), 2.0 * (1.0 - kr));
    [[kr, kg, kb], [-kr / cb, -kg / cb, (1.0 - kb) / cb], [(1.0 - kr) / cr, -kg / cr, -kb / cr]]
}

fn mul(a: &Mat3, b: &Mat3) -> Mat3 {
    let mut out = [[0.0; 3]; 3];
    for (i, row) in out.iter_mut().enumerate() {
        for (j, cell) in row.iter_mut().enumerate() {
            *cell = (0..3).map(|k| a[i][k] * b[k][j]).sum();
        }
    }
    out
}

/// The matrix taking normalised samples of `from` (coded with `from_spec`) to those of `to`.
pub(crate) fn transform(from: FourCc, from_spec: ColorSpec, to: FourCc, to_spec: ColorSpec) -> Mat3 {
    match (from.is_rgb(), to.is_rgb()) {
        (true, true) => IDENTITY,
        (false, true) => ycbcr_to_rgb(from_spec.matrix),
        (true, false) => rgb_to_ycbcr(to_spec.matrix),
        (false, false) if from_spec.matrix == to_spec.matrix => IDENTITY,
        (false, false) => mul(&rgb_to_ycbcr(to_spec.matrix), &ycbcr_to_rgb(from_spec.matrix)),
    }
}

/// What a component holds, which decides how its codes are normalised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Meaning {
    Luma,
    Chroma,
    /// R, G, B or alpha: always full range.
    Unsigned,
}

/// `normalised = code * scale + offset` for a component of `bits` bits (YCbCr components have 8
/// or 10; alpha can have 2).
pub(crate) fn code_to_normalised(meaning: Meaning, range: Range, bits: u8) -> (f32, f32) {
    let max = f64::from((1u32 << bits) - 1);
    // One 8-bit code step, in codes of this depth.
    let unit = f64::from(1u32 << bits.saturating_sub(8));
    let (scale, offset) = match (meaning, range) {
        (Meaning::Unsigned, _) => (1.0 / max, 0.0),
        (Meaning::Luma, Range::Limited) => (1.0 / (219.0 * unit), -16.0 / 219.0),
        (Meaning::Chroma, Range::Limited) => (1.0 / (224.0 * unit), -128.0 / 224.0),
        (Meaning::Luma, Range::Full) => (1.0 / max, 0.0),
        (Meaning::Chroma, Range::Full) => (1.0 / max, -f64::from(1u32 << bits.saturating_sub(1)) / max),
    };
    (scale as f32, offset as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rgb_round_trips_through_each_matrix() {
        for m in [Matrix::Bt601, Matrix::Bt709] {
            let p = mul(&ycbcr_to_rgb(m), &rgb_to_ycbcr(m));
            for (i, row) in p.iter().enumerate() {
                for (j, v) in row.iter().enumerate() {
                    let want = if i == j { 1.0 } else { 0.0 };
                    assert!((v - want).abs() < 1e-12, "{m:?} {p:?}");
                }
            }
        }
    }

    #[test]
    fn limited_codes_normalise_to_unit_interval() {
        let (s, o) = code_to_normalised(Meaning::Luma, Range::Limited, 10);
        assert!((64.0 * s + o).abs() < 1e-6 && (940.0 * s + o - 1.0).abs() < 1e-6);
        let (s, o) = code_to_normalised(Meaning::Chroma, Range::Full, 8);
        assert!((128.0 * s + o).abs() < 1e-6);
    }
}
