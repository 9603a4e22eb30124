//! ProcAmp (`mfxExtVPPProcAmp`): brightness, contrast, hue and saturation of a YCbCr picture, in
//! place, by the video processing amplifier's formula (the DXVA ProcAmp that Intel's runtimes
//! implement), on 8-bit code values:
//!
//! ```text
//! Y' = (Y - 16) * contrast + 16 + brightness
//! U' = ((U - 128) * cos(hue) + (V - 128) * sin(hue)) * contrast * saturation + 128
//! V' = ((V - 128) * cos(hue) - (U - 128) * sin(hue)) * contrast * saturation + 128
//! ```
//!
//! rounded to the nearest code and clamped. 10-bit formats (P010) scale the offsets by 4. RGB
//! pictures have no luma and chroma to amplify: they are refused.

use vplrs_memory::{FourCc, FrameView, FrameViewMut, Rect};

use crate::error::KernelError;

/// The amplifier's settings, in the ranges and with the defaults of `mfxExtVPPProcAmp`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ProcAmp {
    /// Added to luma, -100.0 to 100.0 (8-bit code values); default 0.
    pub brightness: f64,
    /// Luma and chroma gain, 0.0 to 10.0; default 1.
    pub contrast: f64,
    /// Chroma rotation in degrees, -180.0 to 180.0; default 0.
    pub hue: f64,
    /// Chroma gain, 0.0 to 10.0; default 1.
    pub saturation: f64,
}

impl Default for ProcAmp {
    fn default() -> Self {
        Self { brightness: 0.0, contrast: 1.0, hue: 0.0, saturation: 1.0 }
    }
}

/// The documented range of each setting: (brightness, contrast, hue, saturation).
pub const PROCAMP_RANGES: [(f64, f64); 4] = [(-100.0, 100.0), (0.0, 10.0), (-180.0, 180.0), (0.0, 10.0)];

impl ProcAmp {
    /// True when the settings leave every sample as it is.
    pub fn is_identity(&self) -> bool {
        *self == Self::default()
    }

    /// These settings brought into their ranges (NaN becomes the default), and whether anything
    /// changed.
    pub fn clamped(&self) -> (Self, bool) {
        let defaults = Self::default();
        let fit = |value: f64, (low, high): (f64, f64), default: f64| {
            if value.is_nan() {
                default
            } else {
                value.clamp(low, high)
            }
        };
        let clamped = Self {
            brightness: fit(self.brightness, PROCAMP_RANGES[0], defaults.brightness),
            contrast: fit(self.contrast, PROCAMP_RANGES[1], defaults.contrast),
            hue: fit(self.hue, PROCAMP_RANGES[2], defaults.hue),
            saturation: fit(self.saturation, PROCAMP_RANGES[3], defaults.saturation),
        };
        let changed = clamped.brightness.to_bits() != self.brightness.to_bits()
            || clamped.contrast.to_bits() != self.contrast.to_bits()
            || clamped.hue.to_bits() != self.hue.to_bits()
            || clamped.saturation.to_bits() != self.saturation.to_bits();
        (clamped, changed)
    }

    /// True when pictures of `fourcc` can be amplified (YCbCr formats).
    pub fn supports(fourcc: FourCc) -> bool {
        layout(fourcc).is_some()
    }

    /// The luma table of 8-bit samples.
    fn luma_table(&self) -> [u8; 256] {
        let mut table = [0u8; 256];
        for (y, out) in table.iter_mut().enumerate() {
            *out = ((y as f64 - 16.0) * self.contrast + 16.0 + self.brightness).round().clamp(0.0, 255.0) as u8;
        }
        table
    }

    /// The chroma transform: (U', V') of centred (U, V), as a 2x2 matrix.
    fn chroma_matrix(&self) -> [f64; 4] {
        let (sin, cos) = self.hue.to_radians().sin_cos();
        let gain = self.contrast * self.saturation;
        [cos * gain, sin * gain, -sin * gain, cos * gain]
    }
}

/// The 8-bit chroma transform as tables in 16.16 fixed point: U' = (uu[U] + uv[V] + bias) >> 16,
/// V' = (vu[U] + vv[V] + bias) >> 16, the bias adding 128 and the half for rounding. Each table
/// entry is rounded on its own, so a result can differ from the exact formula only where it
/// falls within 2^-15 of a half: by one code, at most.
struct ChromaTables {
    uu: [i32; 256],
    uv: [i32; 256],
    vu: [i32; 256],
    vv: [i32; 256],
}

impl ChromaTables {
    const BIAS: i32 = (128 << 16) + (1 << 15);

    fn new(matrix: &[f64; 4]) -> Self {
        let table = |gain: f64| {
            let mut t = [0i32; 256];
            for (code, entry) in t.iter_mut().enumerate() {
                *entry = ((code as f64 - 128.0) * gain * 65536.0).round() as i32;
            }
            t
        };
        Self { uu: table(matrix[0]), uv: table(matrix[1]), vu: table(matrix[2]), vv: table(matrix[3]) }
    }

    #[inline]
    fn apply(&self, u: u8, v: u8) -> (u8, u8) {
        let (u, v) = (usize::from(u), usize::from(v));
        let fit = |value: i32| (value >> 16).clamp(0, 255) as u8;
        (fit(self.uu[u] + self.uv[v] + Self::BIAS), fit(self.vu[u] + self.vv[v] + Self::BIAS))
    }
}

/// Where a format keeps its samples: 8 or 16 bits, and the planes' layouts.
#[derive(Clone, Copy)]
enum Layout {
    /// Y plane, then U and V planes (I420; YV12 swaps them, which the transform tolerates by
    /// swapping roles).
    Planar { v_first: bool },
    /// Y plane, then interleaved UV (NV12: 8 bits; P010: 16 bits, value in the high 10).
    SemiPlanar { wide: bool },
    /// Y0 U Y1 V.
    Yuy2,
    /// V U Y A.
    Ayuv,
}

fn layout(fourcc: FourCc) -> Option<Layout> {
    Some(match fourcc {
        FourCc::I420 => Layout::Planar { v_first: false },
        FourCc::Yv12 => Layout::Planar { v_first: true },
        FourCc::Nv12 => Layout::SemiPlanar { wide: false },
        FourCc::P010 => Layout::SemiPlanar { wide: true },
        FourCc::Yuy2 => Layout::Yuy2,
        FourCc::Ayuv => Layout::Ayuv,
        _ => return None,
    })
}

fn chroma(matrix: &[f64; 4], u: f64, v: f64) -> (f64, f64) {
    (matrix[0] * u + matrix[1] * v, matrix[2] * u + matrix[3] * v)
}

/// Amplifies `src_rect` of `source` into `dst_rect` of `frame`, both 8-bit 4:2:0 of one format
/// and the rectangles of one size at even origins: the copy a conversion would make and the
/// amplifier in one pass over the samples. `Ok(false)` when that does not apply (the caller
/// converts, then amplifies in place with [`apply_procamp`]); the result is the same.
pub fn apply_procamp_copy(
    source: &FrameView<'_>,
    src_rect: Rect,
    frame: &mut FrameViewMut<'_>,
    dst_rect: Rect,
    amp: &ProcAmp,
) -> Result<bool, KernelError> {
    let fourcc = frame.fourcc;
    let eight_bit_420 = matches!(fourcc, FourCc::Nv12 | FourCc::I420 | FourCc::Yv12);
    let even = |r: Rect| r.x % 2 == 0 && r.y % 2 == 0 && r.width % 2 == 0 && r.height % 2 == 0;
    let fits = |r: Rect, width: u32, height: u32| r.x + r.width <= width && r.y + r.height <= height;
    if source.fourcc != fourcc
        || !eight_bit_420
        || (src_rect.width, src_rect.height) != (dst_rect.width, dst_rect.height)
        || !even(src_rect)
        || !even(dst_rect)
        || !fits(src_rect, source.width, source.height)
        || !fits(dst_rect, frame.width, frame.height)
        || dst_rect.width == 0
        || dst_rect.height == 0
    {
        return Ok(false);
    }
    let table = amp.luma_table();
    let tables = ChromaTables::new(&amp.chroma_matrix());
    let (w, h) = (dst_rect.width as usize, dst_rect.height as usize);
    let (sx, sy, dx, dy) = (src_rect.x as usize, src_rect.y as usize, dst_rect.x as usize, dst_rect.y as usize);
    let threads = crate::parallel::threads_for(w * h);
    let (luma_plane, chroma_planes) = frame.planes_mut().split_at_mut(1);
    let luma_source = source.plane(0);
    let luma_plane = &mut luma_plane[0];
    let luma = move || {
        for y in 0..h {
            let from = &luma_source.row(sy + y)[sx..sx + w];
            for (out, &sample) in luma_plane.row_mut(dy + y)[dx..dx + w].iter_mut().zip(from) {
                *out = table[usize::from(sample)];
            }
        }
    };
    let tables = &tables;
    let chroma = move || {
        let (cw, ch) = (w / 2, h / 2);
        if fourcc == FourCc::Nv12 {
            let from_plane = source.plane(1);
            for y in 0..ch {
                let from = &from_plane.row(sy / 2 + y)[sx..sx + 2 * cw];
                let to = &mut chroma_planes[0].row_mut(dy / 2 + y)[dx..dx + 2 * cw];
                for (out, pair) in to.chunks_exact_mut(2).zip(from.chunks_exact(2)) {
                    (out[0], out[1]) = tables.apply(pair[0], pair[1]);
                }
            }
        } else {
            // I420 and YV12 alike: the first chroma plane with the second (YV12's are V, U, which
            // the transform takes in its own order below).
            let (first, second) = chroma_planes.split_at_mut(1);
            let (u_index, v_index) = if fourcc == FourCc::Yv12 { (1, 0) } else { (0, 1) };
            let (u_from, v_from) = (source.plane(1 + u_index), source.plane(1 + v_index));
            let (u_plane, v_plane) =
                if fourcc == FourCc::Yv12 { (&mut second[0], &mut first[0]) } else { (&mut first[0], &mut second[0]) };
            for y in 0..ch {
                let (us, vs) =
                    (&u_from.row(sy / 2 + y)[sx / 2..sx / 2 + cw], &v_from.row(sy / 2 + y)[sx / 2..sx / 2 + cw]);
                let u_out = &mut u_plane.row_mut(dy / 2 + y)[dx / 2..dx / 2 + cw];
                let v_out = &mut v_plane.row_mut(dy / 2 + y)[dx / 2..dx / 2 + cw];
                for (((uo, vo), &u), &v) in u_out.iter_mut().zip(v_out.iter_mut()).zip(us).zip(vs) {
                    (*uo, *vo) = tables.apply(u, v);
                }
            }
        }
    };
    crate::parallel::both(threads, luma, chroma);
    Ok(true)
}

/// Amplifies `rect` of `frame` in place.
pub fn apply_procamp(frame: &mut FrameViewMut<'_>, rect: Rect, amp: &ProcAmp) -> Result<(), KernelError> {
    let fourcc = frame.fourcc;
    let layout = layout(fourcc).ok_or(KernelError::Unsupported { from: fourcc, to: fourcc })?;
    if rect.width == 0 || rect.height == 0 {
        return Err(KernelError::EmptyRect { side: crate::Side::Destination, rect });
    }
    if rect.x + rect.width > frame.width || rect.y + rect.height > frame.height {
        let (width, height) = (frame.width, frame.height);
        return Err(KernelError::RectOutsideFrame { side: crate::Side::Destination, rect, width, height });
    }
    let (x0, y0, w, h) = (rect.x as usize, rect.y as usize, rect.width as usize, rect.height as usize);
    let matrix = amp.chroma_matrix();
    let table = amp.luma_table();
    let tables = ChromaTables::new(&matrix);
    // 4:2:0 chroma covering the rect.
    let (cx0, cy0, cx1, cy1) = (x0 / 2, y0 / 2, (x0 + w).div_ceil(2), (y0 + h).div_ceil(2));
    match layout {
        Layout::Planar { .. } | Layout::SemiPlanar { wide: false } => {
            // Luma and chroma are separate planes: each on its own thread at large sizes.
            let threads = crate::parallel::threads_for(w * h);
            let (luma_plane, chroma_planes) = frame.planes_mut().split_at_mut(1);
            let luma_plane = &mut luma_plane[0];
            let luma = move || {
                for y in y0..y0 + h {
                    for sample in &mut luma_plane.row_mut(y)[x0..x0 + w] {
                        *sample = table[usize::from(*sample)];
                    }
                }
            };
            let tables = &tables;
            let chroma = move || match layout {
                Layout::Planar { v_first } => {
                    let (first, second) = chroma_planes.split_at_mut(1);
                    let (u_plane, v_plane) =
                        if v_first { (&mut second[0], &mut first[0]) } else { (&mut first[0], &mut second[0]) };
                    for y in cy0..cy1 {
                        let us = &mut u_plane.row_mut(y)[cx0..cx1];
                        let vs = &mut v_plane.row_mut(y)[cx0..cx1];
                        for (u, v) in us.iter_mut().zip(vs.iter_mut()) {
                            (*u, *v) = tables.apply(*u, *v);
                        }
                    }
                }
                _ => {
                    for y in cy0..cy1 {
                        for pair in chroma_planes[0].row_mut(y)[cx0 * 2..cx1 * 2].chunks_exact_mut(2) {
                            (pair[0], pair[1]) = tables.apply(pair[0], pair[1]);
                        }
                    }
                }
            };
            crate::parallel::both(threads, luma, chroma);
        }
        Layout::SemiPlanar { wide: true } => {
            // 10-bit values in the high bits of little-endian 16-bit samples.
            let read = |bytes: &[u8]| f64::from(u16::from_le_bytes([bytes[0], bytes[1]]) >> 6);
            let write = |bytes: &mut [u8], value: f64| {
                let code = value.round().clamp(0.0, 1023.0) as u16;
                bytes.copy_from_slice(&(code << 6).to_le_bytes());
            };
            for y in y0..y0 + h {
                for sample in frame.plane_mut(0).row_mut(y)[x0 * 2..(x0 + w) * 2].chunks_exact_mut(2) {
                    let value = (read(sample) - 64.0) * amp.contrast + 64.0 + amp.brightness * 4.0;
                    write(sample, value);
                }
            }
            for y in cy0..cy1 {
                for pair in frame.plane_mut(1).row_mut(y)[cx0 * 4..cx1 * 4].chunks_exact_mut(4) {
                    let (nu, nv) = chroma(&matrix, read(&pair[0..2]) - 512.0, read(&pair[2..4]) - 512.0);
                    write(&mut pair[0..2], nu + 512.0);
                    write(&mut pair[2..4], nv + 512.0);
                }
            }
        }
        Layout::Yuy2 => {
            let (px0, px1) = (x0 / 2, (x0 + w).div_ceil(2));
            for y in y0..y0 + h {
                for group in frame.plane_mut(0).row_mut(y)[px0 * 4..px1 * 4].chunks_exact_mut(4) {
                    group[0] = table[usize::from(group[0])];
                    group[2] = table[usize::from(group[2])];
                    (group[1], group[3]) = tables.apply(group[1], group[3]);
                }
            }
        }
        Layout::Ayuv => {
            for y in y0..y0 + h {
                for pixel in frame.plane_mut(0).row_mut(y)[x0 * 4..(x0 + w) * 4].chunks_exact_mut(4) {
                    pixel[2] = table[usize::from(pixel[2])];
                    (pixel[1], pixel[0]) = tables.apply(pixel[1], pixel[0]);
                }
            }
        }
    }
    Ok(())
}
