//! Fast paths between 8-bit 4:2:0 YCbCr and 8-bit RGBA (RGB4 = BGRA bytes, BGR4 = RGBA bytes),
//! one-to-one, through yuvutils-rs (runtime-dispatched SSE4.1/AVX2/NEON, BT.601/709, both ranges),
//! and RGBA to RGBA. Resizes are done before (YCbCr side) or after (RGBA side) by the caller.

use vplrs_memory::FourCc;
use yuvutils_rs::{BufferStoreMut, YuvBiPlanarImage, YuvBiPlanarImageMut, YuvConversionMode, YuvPlanarImageMut};

use crate::color::ColorSpec;
use crate::error::KernelError;
use crate::resize_u8::{DstU8, SrcU8};
use crate::yuv420::{ChromaMut, Yuv420Mut};

/// `Balanced` is yuvutils' default: fixed point with enough bits to stay within a code value of
/// the exact result, at close to its fastest speed.
const MODE: YuvConversionMode = YuvConversionMode::Professional;

/// A `width` x `height` region at `(x, y)` (even) of a plane, as yuvutils wants it.
#[derive(Clone, Copy)]
pub(crate) struct Region {
    pub x: usize,
    pub y: usize,
    pub width: u32,
    pub height: u32,
}

fn at(p: SrcU8<'_>, x: usize, y: usize) -> &'_ [u8] {
    &p.data[y * p.pitch + x..]
}

fn at_mut<'a>(p: &'a mut DstU8<'_>, x: usize, y: usize) -> &'a mut [u8] {
    &mut p.data[y * p.pitch + x..]
}

fn stride(pitch: usize) -> u32 {
    // Plane pitches come from `usize` slices of frames at most 16384 wide: they fit.
    u32::try_from(pitch).unwrap_or(u32::MAX)
}

/// Tight buffers for the last rows of a region (see [`body_rows`]).
#[derive(Debug, Default)]
pub(crate) struct Tail {
    y: Vec<u8>,
    uv: Vec<u8>,
    rgba: Vec<u8>,
}

/// How many rows (even) yuvutils can take in place: it walks planes in whole strides (two luma
/// rows per chroma row) and finds an odd last row from the slice's end, so every slice it gets
/// must hold whole strides and end at the region's end. Frame planes do not pad their last row,
/// so the rows past this count go through the tight [`Tail`] buffers instead.
fn body_rows(height: u32, per_row: &[(usize, usize)], per_chroma_row: &[(usize, usize)]) -> usize {
    let mut pairs = height as usize / 2;
    for &(len, stride) in per_row {
        pairs = pairs.min(len / (2 * stride).max(1));
    }
    for &(len, stride) in per_chroma_row {
        pairs = pairs.min(len / stride.max(1));
    }
    pairs * 2
}

fn nv12_to_rgba(
    image: &YuvBiPlanarImage<'_, u8>,
    dst: &mut [u8],
    pitch: usize,
    spec: ColorSpec,
    bgra: bool,
) -> Result<(), KernelError> {
    let (range, matrix) = (spec.range.to_yuvutils(), spec.matrix.to_yuvutils());
    let result = if bgra {
        yuvutils_rs::yuv_nv12_to_bgra(image, dst, stride(pitch), range, matrix, MODE)
    } else {
        yuvutils_rs::yuv_nv12_to_rgba(image, dst, stride(pitch), range, matrix, MODE)
    };
    result.map_err(|_| KernelError::Internal("yuvutils NV12 to RGB"))
}

fn rgba_to_nv12(
    src: &[u8],
    pitch: usize,
    image: &mut YuvBiPlanarImageMut<'_, u8>,
    spec: ColorSpec,
    bgra: bool,
) -> Result<(), KernelError> {
    let (range, matrix) = (spec.range.to_yuvutils(), spec.matrix.to_yuvutils());
    let result = if bgra {
        yuvutils_rs::bgra_to_yuv_nv12(image, src, stride(pitch), range, matrix, MODE)
    } else {
        yuvutils_rs::rgba_to_yuv_nv12(image, src, stride(pitch), range, matrix, MODE)
    };
    result.map_err(|_| KernelError::Internal("yuvutils RGB to NV12"))
}

/// Converts region `r` (even origin) of the NV12 planes `y`, `uv` into the RGBA bytes `dst`
/// (first pixel at `dst[0]`, rows `pitch` apart). I420/YV12 sources are staged through NV12 by
/// the caller: yuvutils' planar 4:2:0 decoder has no high-precision mode (it is off by up to 2).
pub(crate) fn nv12_region_to_rgba(
    (y, uv): (SrcU8<'_>, SrcU8<'_>),
    r: Region,
    spec: ColorSpec,
    dst: &mut [u8],
    pitch: usize,
    fourcc: FourCc,
    tail: &mut Tail,
) -> Result<(), KernelError> {
    let (cx, cy) = (r.x / 2, r.y / 2);
    let bgra = fourcc == FourCc::Rgb4;
    let y_plane = at(y, r.x, r.y);
    let uv_plane = at(uv, cx * 2, cy);
    let body = body_rows(r.height, &[(y_plane.len(), y.pitch), (dst.len(), pitch)], &[(uv_plane.len(), uv.pitch)]);
    // yuvutils 0.8 insists on a tight interleaved chroma stride; else go a row pair at a time.
    let cw2 = (r.width as usize).div_ceil(2) * 2;
    let (step, uv_stride) = if uv.pitch == cw2 { (body, uv.pitch) } else { (2, cw2) };
    for first in (0..body).step_by(step.max(1)) {
        let image = YuvBiPlanarImage {
            y_plane: &y_plane[first * y.pitch..][..step * y.pitch],
            y_stride: stride(y.pitch),
            uv_plane: &uv_plane[first / 2 * uv.pitch..][..(step / 2 - 1) * uv.pitch + uv_stride],
            uv_stride: stride(uv_stride),
            width: r.width,
            height: step as u32,
        };
        nv12_to_rgba(&image, &mut dst[first * pitch..][..step * pitch], pitch, spec, bgra)?;
    }
    let rest = r.height as usize - body;
    if rest == 0 {
        return Ok(());
    }
    // The last rows: gathered into a tight NV12 frame, converted, scattered back.
    let w = r.width as usize;
    let Tail { y: ty, uv: tuv, rgba } = tail;
    ty.clear();
    for row in body..r.height as usize {
        ty.extend_from_slice(&y_plane[row * y.pitch..][..w]);
    }
    tuv.clear();
    for row in body / 2..r.height.div_ceil(2) as usize {
        tuv.extend_from_slice(&uv_plane[row * uv.pitch..][..cw2]);
    }
    rgba.resize(rest * w * 4, 0);
    let image = YuvBiPlanarImage {
        y_plane: ty,
        y_stride: stride(w),
        uv_plane: tuv,
        uv_stride: stride(cw2),
        width: r.width,
        height: rest as u32,
    };
    nv12_to_rgba(&image, rgba, w * 4, spec, bgra)?;
    for (i, row) in rgba.chunks_exact(w * 4).enumerate() {
        dst[(body + i) * pitch..][..w * 4].copy_from_slice(row);
    }
    Ok(())
}

/// Converts a tight NV16 frame (`width` x `height`) into the RGBA bytes `dst` (first pixel at
/// `dst[0]`, rows `pitch` apart). The last row goes through a tight buffer: yuvutils walks whole
/// strides, and a frame's last row has no padding after it.
pub(crate) fn nv16_to_rgba(
    (y, uv): (SrcU8<'_>, SrcU8<'_>),
    (width, height): (u32, u32),
    spec: ColorSpec,
    dst: &mut [u8],
    pitch: usize,
    fourcc: FourCc,
    tail: &mut Tail,
) -> Result<(), KernelError> {
    let (range, matrix) = (spec.range.to_yuvutils(), spec.matrix.to_yuvutils());
    let convert = |image: &YuvBiPlanarImage<'_, u8>, out: &mut [u8], out_pitch: usize| {
        let result = if fourcc == FourCc::Rgb4 {
            yuvutils_rs::yuv_nv16_to_bgra(image, out, stride(out_pitch), range, matrix, MODE)
        } else {
            yuvutils_rs::yuv_nv16_to_rgba(image, out, stride(out_pitch), range, matrix, MODE)
        };
        result.map_err(|_| KernelError::Internal("yuvutils NV16 to RGB"))
    };
    let (w, h) = (width as usize, height as usize);
    let image = |first: usize, rows: usize| YuvBiPlanarImage {
        y_plane: &y.data[first * y.pitch..][..rows * y.pitch],
        y_stride: stride(y.pitch),
        uv_plane: &uv.data[first * uv.pitch..][..rows * uv.pitch],
        uv_stride: stride(uv.pitch),
        width,
        height: rows as u32,
    };
    let body = h.saturating_sub(1).min(dst.len() / pitch.max(1));
    if body > 0 {
        convert(&image(0, body), &mut dst[..body * pitch], pitch)?;
    }
    let rgba = &mut tail.rgba;
    for row in body..h {
        rgba.resize(w * 4, 0);
        convert(&image(row, 1), rgba, w * 4)?;
        dst[row * pitch..][..w * 4].copy_from_slice(rgba);
    }
    Ok(())
}

/// Converts `r.width` x `r.height` RGBA bytes `src` into region `r` (even origin) of `dst`.
pub(crate) fn rgba_to_yuv420(
    src: &[u8],
    pitch: usize,
    fourcc: FourCc,
    dst: Yuv420Mut<'_>,
    r: Region,
    spec: ColorSpec,
    tail: &mut Tail,
) -> Result<(), KernelError> {
    let (range, matrix) = (spec.range.to_yuvutils(), spec.matrix.to_yuvutils());
    let (cx, cy) = (r.x / 2, r.y / 2);
    let bgra = fourcc == FourCc::Rgb4;
    let Yuv420Mut { y: mut luma, mut chroma } = dst;
    let y_pitch = luma.pitch;
    let y_plane = at_mut(&mut luma, r.x, r.y);
    let rows = [(src.len(), pitch), (y_plane.len(), y_pitch)];
    let body = match &mut chroma {
        ChromaMut::Interleaved(uv) => {
            let uv_pitch = uv.pitch;
            let uv_plane = at_mut(uv, cx * 2, cy);
            let body = body_rows(r.height, &rows, &[(uv_plane.len(), uv_pitch)]);
            // yuvutils 0.8 insists on a tight interleaved chroma stride; else go a row pair at a time.
            let cw2 = (r.width as usize).div_ceil(2) * 2;
            let (step, uv_stride) = if uv_pitch == cw2 { (body, uv_pitch) } else { (2, cw2) };
            for first in (0..body).step_by(step.max(1)) {
                let mut image = YuvBiPlanarImageMut {
                    y_plane: BufferStoreMut::Borrowed(&mut y_plane[first * y_pitch..][..step * y_pitch]),
                    y_stride: stride(y_pitch),
                    uv_plane: BufferStoreMut::Borrowed(
                        &mut uv_plane[first / 2 * uv_pitch..][..(step / 2 - 1) * uv_pitch + uv_stride],
                    ),
                    uv_stride: stride(uv_stride),
                    width: r.width,
                    height: step as u32,
                };
                rgba_to_nv12(&src[first * pitch..][..step * pitch], pitch, &mut image, spec, bgra)?;
            }
            body
        }
        ChromaMut::Planar { u, v } => {
            let (u_pitch, v_pitch) = (u.pitch, v.pitch);
            let (u_plane, v_plane) = (at_mut(u, cx, cy), at_mut(v, cx, cy));
            let body = body_rows(r.height, &rows, &[(u_plane.len(), u_pitch), (v_plane.len(), v_pitch)]);
            if body > 0 {
                let mut image = YuvPlanarImageMut {
                    y_plane: BufferStoreMut::Borrowed(&mut y_plane[..body * y_pitch]),
                    y_stride: stride(y_pitch),
                    u_plane: BufferStoreMut::Borrowed(&mut u_plane[..body / 2 * u_pitch]),
                    u_stride: stride(u_pitch),
                    v_plane: BufferStoreMut::Borrowed(&mut v_plane[..body / 2 * v_pitch]),
                    v_stride: stride(v_pitch),
                    width: r.width,
                    height: body as u32,
                };
                let src = &src[..body * pitch];
                let result = if bgra {
                    yuvutils_rs::bgra_to_yuv420(&mut image, src, stride(pitch), range, matrix, MODE)
                } else {
                    yuvutils_rs::rgba_to_yuv420(&mut image, src, stride(pitch), range, matrix, MODE)
                };
                result.map_err(|_| KernelError::Internal("yuvutils RGB to I420"))?;
            }
            body
        }
    };
    let rest = r.height as usize - body;
    if rest == 0 {
        return Ok(());
    }
    // The last rows: gathered into tight RGBA, converted to tight NV12, scattered back.
    let (w, cw) = (r.width as usize, (r.width as usize).div_ceil(2));
    let Tail { y, uv, rgba } = tail;
    rgba.clear();
    for row in body..r.height as usize {
        rgba.extend_from_slice(&src[row * pitch..][..w * 4]);
    }
    y.resize(rest * w, 0);
    uv.resize(rest.div_ceil(2) * cw * 2, 0);
    let mut image = YuvBiPlanarImageMut {
        y_plane: BufferStoreMut::Borrowed(y),
        y_stride: stride(w),
        uv_plane: BufferStoreMut::Borrowed(uv),
        uv_stride: stride(cw * 2),
        width: r.width,
        height: rest as u32,
    };
    rgba_to_nv12(rgba, w * 4, &mut image, spec, bgra)?;
    for (i, row) in y.chunks_exact(w).enumerate() {
        y_plane[(body + i) * y_pitch..][..w].copy_from_slice(row);
    }
    for (i, row) in uv.chunks_exact(cw * 2).enumerate() {
        let crow = cy + body / 2 + i;
        match &mut chroma {
            ChromaMut::Interleaved(p) => at_mut(p, cx * 2, crow)[..cw * 2].copy_from_slice(row),
            ChromaMut::Planar { u, v } => {
                let pairs = row.chunks_exact(2);
                at_mut(u, cx, crow)[..cw].iter_mut().zip(pairs.clone()).for_each(|(d, p)| *d = p[0]);
                at_mut(v, cx, crow)[..cw].iter_mut().zip(pairs).for_each(|(d, p)| *d = p[1]);
            }
        }
    }
    Ok(())
}

/// Swaps the first and third byte of each pixel of `width` pixels in each row (BGRA <-> RGBA).
pub(crate) fn swap_red_blue(dst: &mut DstU8<'_>, x: usize, y: usize, width: usize, height: usize) {
    for row in dst.data[y * dst.pitch..].chunks_mut(dst.pitch).take(height) {
        row[x * 4..(x + width) * 4].chunks_exact_mut(4).for_each(|p| p.swap(0, 2));
    }
}
