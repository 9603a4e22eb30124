//! Test frames and an independent reading of each format's byte layout (written from
//! `vplrs_memory::format`'s docs, not from the crate's component table), plus reference colour math.
#![allow(dead_code)]

use vplrs_kernels::{ColorSpec, Matrix, Range, Rect};
use vplrs_memory::{FourCc, FrameInfo, FrameLayout, FrameView, FrameViewMut, LayoutOptions, Plane, PlaneMut};

/// A frame in one buffer: either laid out as surfaces are (pitch aligned, size rounded up to 16)
/// or tightly (pitch = bytes of a row, odd sizes kept).
pub struct Frame {
    pub fourcc: FourCc,
    pub width: u32,
    pub height: u32,
    /// (offset, pitch, row_bytes, rows) per plane.
    pub planes: Vec<(usize, usize, usize, usize)>,
    pub buf: Vec<u8>,
}

/// Samples a plane row of `w` pixels needs, and its rows, per plane of `fourcc`.
fn tight_planes(fourcc: FourCc, w: usize, h: usize) -> Vec<(usize, usize)> {
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    match fourcc {
        FourCc::Nv12 => vec![(w, h), (cw * 2, ch)],
        FourCc::P010 => vec![(w * 2, h), (cw * 4, ch)],
        FourCc::I420 | FourCc::Yv12 => vec![(w, h), (cw, ch), (cw, ch)],
        FourCc::Yuy2 => vec![(cw * 4, h)],
        FourCc::Y210 => vec![(cw * 8, h)],
        _ => vec![(w * 4, h)],
    }
}

impl Frame {
    /// As a surface pool would allocate it.
    pub fn surface(fourcc: FourCc, width: u32, height: u32) -> Self {
        let info = FrameInfo::new(fourcc, width, height);
        let layout = FrameLayout::new(&info, LayoutOptions::default()).expect("layout");
        let planes = layout.planes().iter().map(|p| (p.offset, p.pitch, p.row_bytes, p.rows)).collect();
        Self { fourcc, width: layout.width, height: layout.height, planes, buf: vec![0; layout.size] }
    }

    /// Rows exactly as long as the pixels need, no padding: catches any read past a row.
    pub fn tight(fourcc: FourCc, width: u32, height: u32) -> Self {
        let mut planes = Vec::new();
        let mut offset = 0;
        for (row_bytes, rows) in tight_planes(fourcc, width as usize, height as usize) {
            planes.push((offset, row_bytes, row_bytes, rows));
            offset += row_bytes * rows;
        }
        Self { fourcc, width, height, planes, buf: vec![0; offset] }
    }

    pub fn rect(&self) -> Rect {
        Rect { x: 0, y: 0, width: self.width, height: self.height }
    }

    pub fn view(&self) -> FrameView<'_> {
        let planes: Vec<Plane<'_>> = self
            .planes
            .iter()
            .map(|&(off, pitch, row_bytes, rows)| Plane::new(&self.buf[off..], pitch, row_bytes, rows).unwrap())
            .collect();
        FrameView::new(self.fourcc, self.width, self.height, &planes).unwrap()
    }

    pub fn view_mut(&mut self) -> FrameViewMut<'_> {
        let mut rest: &mut [u8] = &mut self.buf;
        let mut consumed = 0;
        let mut planes = Vec::new();
        for &(off, pitch, row_bytes, rows) in &self.planes {
            let (_, tail) = std::mem::take(&mut rest).split_at_mut(off - consumed);
            let len = if rows == 0 { 0 } else { pitch * (rows - 1) + row_bytes };
            let (mine, tail) = tail.split_at_mut(len);
            consumed = off + len;
            rest = tail;
            planes.push(PlaneMut::new(mine, pitch, row_bytes, rows).unwrap());
        }
        FrameViewMut::new(self.fourcc, self.width, self.height, planes).unwrap()
    }

    fn byte(&self, plane: usize, x: usize, y: usize) -> usize {
        let (off, pitch, _, _) = self.planes[plane];
        off + y * pitch + x
    }

    fn u16_at(&self, i: usize) -> u16 {
        u16::from_le_bytes([self.buf[i], self.buf[i + 1]])
    }

    fn u32_at(&self, i: usize) -> u32 {
        u32::from_le_bytes(self.buf[i..i + 4].try_into().unwrap())
    }

    /// The codes of pixel (x, y): [Y, Cb, Cr, A] or [R, G, B, A]; alpha is `None` when the format
    /// has none.
    pub fn get(&self, x: usize, y: usize) -> ([u16; 3], Option<u16>) {
        let (cx, cy) = (x / 2, y / 2);
        let b = |plane, x, y| u16::from(self.buf[self.byte(plane, x, y)]);
        match self.fourcc {
            FourCc::Nv12 => ([b(0, x, y), b(1, cx * 2, cy), b(1, cx * 2 + 1, cy)], None),
            FourCc::I420 => ([b(0, x, y), b(1, cx, cy), b(2, cx, cy)], None),
            FourCc::Yv12 => ([b(0, x, y), b(2, cx, cy), b(1, cx, cy)], None),
            FourCc::P010 => {
                let w = |plane, x, y| self.u16_at(self.byte(plane, x, y)) >> 6;
                ([w(0, x * 2, y), w(1, cx * 4, cy), w(1, cx * 4 + 2, cy)], None)
            }
            FourCc::Yuy2 => ([b(0, x * 2, y), b(0, cx * 4 + 1, y), b(0, cx * 4 + 3, y)], None),
            FourCc::Y210 => {
                let w = |x| self.u16_at(self.byte(0, x, y)) >> 6;
                ([w(x * 4), w(cx * 8 + 2), w(cx * 8 + 6)], None)
            }
            FourCc::Ayuv => ([b(0, x * 4 + 2, y), b(0, x * 4 + 1, y), b(0, x * 4, y)], Some(b(0, x * 4 + 3, y))),
            FourCc::Rgb4 => ([b(0, x * 4 + 2, y), b(0, x * 4 + 1, y), b(0, x * 4, y)], Some(b(0, x * 4 + 3, y))),
            FourCc::Bgr4 => ([b(0, x * 4, y), b(0, x * 4 + 1, y), b(0, x * 4 + 2, y)], Some(b(0, x * 4 + 3, y))),
            FourCc::A2Rgb10 => {
                let v = self.u32_at(self.byte(0, x * 4, y));
                let f = |s: u32| ((v >> s) & 1023) as u16;
                ([f(20), f(10), f(0)], Some((v >> 30) as u16))
            }
            FourCc::Y410 => {
                let v = self.u32_at(self.byte(0, x * 4, y));
                let f = |s: u32| ((v >> s) & 1023) as u16;
                ([f(10), f(0), f(20)], Some((v >> 30) as u16))
            }
        }
    }

    /// Sets pixel (x, y) (shared chroma of subsampled formats included) to `codes`.
    pub fn set(&mut self, x: usize, y: usize, codes: [u16; 3], alpha: u16) {
        let (cx, cy) = (x / 2, y / 2);
        let [c0, c1, c2] = codes;
        let fourcc = self.fourcc;
        let mut put = |plane, bx, by, v: u16| {
            let i = self.byte(plane, bx, by);
            self.buf[i] = v as u8;
        };
        match fourcc {
            FourCc::Nv12 => {
                put(0, x, y, c0);
                put(1, cx * 2, cy, c1);
                put(1, cx * 2 + 1, cy, c2);
            }
            FourCc::I420 | FourCc::Yv12 => {
                let (u, v) = if fourcc == FourCc::I420 { (1, 2) } else { (2, 1) };
                put(0, x, y, c0);
                put(u, cx, cy, c1);
                put(v, cx, cy, c2);
            }
            FourCc::Yuy2 => {
                put(0, x * 2, y, c0);
                put(0, cx * 4 + 1, y, c1);
                put(0, cx * 4 + 3, y, c2);
            }
            FourCc::Ayuv => [c2, c1, c0, alpha].iter().enumerate().for_each(|(i, &v)| put(0, x * 4 + i, y, v)),
            FourCc::Rgb4 => [c2, c1, c0, alpha].iter().enumerate().for_each(|(i, &v)| put(0, x * 4 + i, y, v)),
            FourCc::Bgr4 => [c0, c1, c2, alpha].iter().enumerate().for_each(|(i, &v)| put(0, x * 4 + i, y, v)),
            FourCc::P010 | FourCc::Y210 => {
                let words = if fourcc == FourCc::P010 {
                    [(0, x * 2, y, c0), (1, cx * 4, cy, c1), (1, cx * 4 + 2, cy, c2)]
                } else {
                    [(0, x * 4, y, c0), (0, cx * 8 + 2, y, c1), (0, cx * 8 + 6, y, c2)]
                };
                for (plane, bx, by, v) in words {
                    let i = self.byte(plane, bx, by);
                    self.buf[i..i + 2].copy_from_slice(&(v << 6).to_le_bytes());
                }
            }
            FourCc::A2Rgb10 | FourCc::Y410 => {
                let word = if self.fourcc == FourCc::A2Rgb10 {
                    u32::from(c2) | u32::from(c1) << 10 | u32::from(c0) << 20
                } else {
                    u32::from(c1) | u32::from(c0) << 10 | u32::from(c2) << 20
                } | u32::from(alpha) << 30;
                let i = self.byte(0, x * 4, y);
                self.buf[i..i + 4].copy_from_slice(&word.to_le_bytes());
            }
        }
    }

    pub fn fill(&mut self, codes: [u16; 3], alpha: u16) {
        for y in 0..self.height as usize {
            for x in 0..self.width as usize {
                self.set(x, y, codes, alpha);
            }
        }
    }
}

/// Converts the whole of `src` into the whole of `dst`.
pub fn convert_whole(conv: &mut vplrs_kernels::Converter, src: &Frame, ss: ColorSpec, dst: &mut Frame, ds: ColorSpec) {
    let (sr, dr) = (src.rect(), dst.rect());
    conv.convert(&src.view(), sr, ss, &mut dst.view_mut(), dr, ds).unwrap();
}

pub fn bits(f: FourCc) -> u32 {
    u32::from(f.bit_depth())
}

pub fn alpha_max(f: FourCc) -> u16 {
    match f {
        FourCc::A2Rgb10 | FourCc::Y410 => 3,
        _ => 255,
    }
}

fn kr_kb(m: Matrix) -> (f64, f64) {
    match m {
        Matrix::Bt601 => (0.299, 0.114),
        Matrix::Bt709 => (0.2126, 0.0722),
    }
}

/// Codes of `fourcc` (coded with `spec` if YCbCr) to RGB in [0, 1], unclamped.
pub fn to_rgb(fourcc: FourCc, spec: ColorSpec, codes: [u16; 3]) -> [f64; 3] {
    let max = f64::from((1u32 << bits(fourcc)) - 1);
    let c = codes.map(f64::from);
    if fourcc.is_rgb() {
        return c.map(|v| v / max);
    }
    let unit = f64::from(1u32 << (bits(fourcc) - 8));
    let (y, cb, cr) = match spec.range {
        Range::Limited => ((c[0] / unit - 16.0) / 219.0, (c[1] / unit - 128.0) / 224.0, (c[2] / unit - 128.0) / 224.0),
        Range::Full => {
            let half = f64::from(1u32 << (bits(fourcc) - 1));
            (c[0] / max, (c[1] - half) / max, (c[2] - half) / max)
        }
    };
    let (kr, kb) = kr_kb(spec.matrix);
    let kg = 1.0 - kr - kb;
    let r = y + 2.0 * (1.0 - kr) * cr;
    let b = y + 2.0 * (1.0 - kb) * cb;
    let g = (y - kr * r - kb * b) / kg;
    [r, g, b]
}

/// RGB in [0, 1] to rounded, clamped codes of `fourcc`.
pub fn from_rgb(fourcc: FourCc, spec: ColorSpec, rgb: [f64; 3]) -> [u16; 3] {
    let max = f64::from((1u32 << bits(fourcc)) - 1);
    let q = |v: f64| v.round().clamp(0.0, max) as u16;
    if fourcc.is_rgb() {
        return rgb.map(|v| q(v * max));
    }
    let [r, g, b] = rgb;
    let (kr, kb) = kr_kb(spec.matrix);
    let y = kr * r + (1.0 - kr - kb) * g + kb * b;
    let (cb, cr) = ((b - y) / (2.0 * (1.0 - kb)), (r - y) / (2.0 * (1.0 - kr)));
    let unit = f64::from(1u32 << (bits(fourcc) - 8));
    match spec.range {
        Range::Limited => {
            [q((16.0 + 219.0 * y) * unit), q((128.0 + 224.0 * cb) * unit), q((128.0 + 224.0 * cr) * unit)]
        }
        Range::Full => {
            let half = f64::from(1u32 << (bits(fourcc) - 1));
            [q(y * max), q(cb * max + half), q(cr * max + half)]
        }
    }
}

pub const SPECS: [ColorSpec; 4] =
    [ColorSpec::BT601_LIMITED, ColorSpec::BT601_FULL, ColorSpec::BT709_LIMITED, ColorSpec::BT709_FULL];

/// PSNR in dB of two equally long byte or sample sequences with peak `peak`.
pub fn psnr(a: &[f64], b: &[f64], peak: f64) -> f64 {
    assert_eq!(a.len(), b.len());
    let mse = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>() / a.len() as f64;
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (peak * peak / mse).log10()
    }
}
