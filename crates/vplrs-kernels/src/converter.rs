//! `Converter`: checks a conversion once, picks the fastest path that handles it exactly, runs it.

use vplrs_memory::{FourCc, FrameView, FrameViewMut, Rect};

use crate::color::ColorSpec;
use crate::components::components;
use crate::error::{KernelError, Side};
use crate::general::{self, GeneralScratch};
use crate::p010::{self, P010Mut, P010};
use crate::resize_u8::{DstU8, SrcU8};
use crate::rgb::{self, Region};
use crate::taps::{axis_map, footprint, AxisMap, TapsCache};
use crate::yuv420::{self, is_yuv420_8, maps, Chroma, Nv12Buf, Nv16Buf, Yuv420, Yuv420Mut};

/// Which implementation a conversion takes (see [`Converter::path`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Path {
    /// NV12/I420/YV12 to NV12/I420/YV12, same colour spec: 8-bit fixed-point crop and resize.
    Yuv420Scale,
    /// NV12/I420/YV12 to P010, same colour spec (resizing first in 8 bits).
    Yuv420ToP010,
    /// P010 to NV12/I420/YV12, same colour spec (resizing after narrowing to 8 bits).
    P010ToYuv420,
    /// NV12/I420/YV12 to RGB4/BGR4, colour by yuvutils-rs. Same size: each chroma sample is used
    /// for its 2x2 pixels (as swscale's unscaled converters and libyuv do), where the general
    /// path would interpolate it. Resized: in 8-bit YCbCr first, chroma to half the output's width
    /// and its full height (as swscale's one-step scale to RGB), each sample then used for two
    /// pixels.
    Yuv420ToRgba,
    /// RGB4/BGR4 to NV12/I420/YV12 with an even destination origin (resizing first in RGBA).
    RgbaToYuv420,
    /// RGB4/BGR4 to RGB4/BGR4.
    RgbaToRgba,
    /// Everything else: `f32` intermediate, any format pair, colour spec and geometry. Also the
    /// pairs above with a colour spec change (YCbCr to YCbCr), or an odd rect origin where a
    /// path would stage through a scratch frame.
    General,
}

/// Crops, resizes and converts frames, keeping its scratch buffers and filter taps between calls:
/// after the first call with a given geometry, converting allocates nothing.
///
/// Resizing uses a triangle (bilinear) filter widened by the downscale factor, like swscale's
/// `bilinear`. Subsampled chroma is taken to be centred between the luma samples it covers.
#[derive(Debug, Default)]
pub struct Converter {
    cache: TapsCache,
    yuv: yuv420::Scratch,
    nv12: Nv12Buf,
    nv16: Nv16Buf,
    rgba: Vec<u8>,
    tail: rgb::Tail,
    general: GeneralScratch,
    general_only: bool,
}

fn even(r: Rect) -> bool {
    r.x % 2 == 0 && r.y % 2 == 0
}

fn origin(width: u32, height: u32) -> Rect {
    Rect { x: 0, y: 0, width, height }
}

fn all_copy(m: &[AxisMap; 4]) -> bool {
    m.iter().all(AxisMap::is_copy)
}

fn is_rgba(f: FourCc) -> bool {
    matches!(f, FourCc::Rgb4 | FourCc::Bgr4)
}

impl Converter {
    /// A converter with empty scratch buffers (they grow to the largest frame converted).
    pub fn new() -> Self {
        Self::default()
    }

    /// A converter that always takes [`Path::General`]: the reference the fast paths are
    /// checked against.
    pub fn general_only() -> Self {
        Self { general_only: true, ..Self::default() }
    }

    /// The path [`convert`](Self::convert) takes for these arguments (once they pass its checks).
    pub fn path(
        &self,
        src: FourCc,
        src_rect: Rect,
        src_color: ColorSpec,
        dst: FourCc,
        dst_rect: Rect,
        dst_color: ColorSpec,
    ) -> Path {
        if self.general_only {
            return Path::General;
        }
        let same_spec = src_color == dst_color;
        let copy = all_copy(&maps(src_rect, dst_rect));
        match (src, dst) {
            (s, d) if is_yuv420_8(s) && is_yuv420_8(d) && same_spec => Path::Yuv420Scale,
            (s, FourCc::P010) if is_yuv420_8(s) && same_spec && (copy || even(dst_rect)) => Path::Yuv420ToP010,
            (FourCc::P010, d) if is_yuv420_8(d) && same_spec && (copy || even(src_rect)) => Path::P010ToYuv420,
            (s, d) if is_yuv420_8(s) && is_rgba(d) => Path::Yuv420ToRgba,
            (s, d) if is_rgba(s) && is_yuv420_8(d) && even(dst_rect) => Path::RgbaToYuv420,
            (s, d) if is_rgba(s) && is_rgba(d) => Path::RgbaToRgba,
            _ => Path::General,
        }
    }

    /// Converts the `src_rect` part of `src` into the `dst_rect` part of `dst`: crop, resize and
    /// format/colour conversion in one pass. Pixels of `dst` outside `dst_rect` are left alone,
    /// except the chroma samples a subsampled format shares across an odd `dst_rect` edge.
    ///
    /// The colour specs say how YCbCr samples are coded; for RGB formats they are ignored (RGB is
    /// full range). Alpha is carried over where both formats have it, and opaque otherwise.
    pub fn convert(
        &mut self,
        src: &FrameView<'_>,
        src_rect: Rect,
        src_color: ColorSpec,
        dst: &mut FrameViewMut<'_>,
        dst_rect: Rect,
        dst_color: ColorSpec,
    ) -> Result<(), KernelError> {
        check(Side::Source, src, src_rect)?;
        check(Side::Destination, &dst.as_view(), dst_rect)?;
        let path = self.path(src.fourcc, src_rect, src_color, dst.fourcc, dst_rect, dst_color);
        let same_size = src_rect.width == dst_rect.width && src_rect.height == dst_rect.height;
        let (dw, dh) = (dst_rect.width, dst_rect.height);
        let unsupported = KernelError::Unsupported { from: src.fourcc, to: dst.fourcc };
        let Self { cache, yuv, nv12, nv16, rgba, tail, general, .. } = self;
        match path {
            Path::Yuv420Scale => {
                let (Some(s), Some(d)) = (Yuv420::of(src), Yuv420Mut::of(dst)) else { return Err(unsupported) };
                yuv420::scale(&s, src_rect, d, dst_rect, cache, yuv);
            }
            Path::Yuv420ToP010 => {
                let (Some(s), Some(d)) = (Yuv420::of(src), P010Mut::of(dst)) else { return Err(unsupported) };
                if all_copy(&maps(src_rect, dst_rect)) {
                    p010::widen(&s, src_rect, d, dst_rect, dst_color.range);
                } else {
                    yuv420::scale(&s, src_rect, nv12.frame(dw, dh), origin(dw, dh), cache, yuv);
                    p010::widen(&nv12.view(), origin(dw, dh), d, dst_rect, dst_color.range);
                }
            }
            Path::P010ToYuv420 => {
                let s = P010::of(src);
                let Some(d) = Yuv420Mut::of(dst) else { return Err(unsupported) };
                if all_copy(&maps(src_rect, dst_rect)) {
                    p010::narrow(&s, src_rect, d, dst_rect, src_color.range);
                } else {
                    let (sw, sh) = (src_rect.width, src_rect.height);
                    p010::narrow(&s, src_rect, nv12.frame(sw, sh), origin(sw, sh), src_color.range);
                    yuv420::scale(&nv12.view(), origin(sw, sh), d, dst_rect, cache, yuv);
                }
            }
            Path::Yuv420ToRgba => {
                let Some(s) = Yuv420::of(src) else { return Err(unsupported) };
                let fourcc = dst.fourcc;
                let plane = dst.plane_mut(0);
                let pitch = plane.pitch();
                let out = &mut plane.data_mut()[dst_rect.y as usize * pitch + dst_rect.x as usize * 4..];
                match s.chroma {
                    Chroma::Interleaved(uv) if same_size && even(src_rect) => {
                        let r = Region { x: src_rect.x as usize, y: src_rect.y as usize, width: dw, height: dh };
                        rgb::nv12_region_to_rgba((s.y, uv), r, src_color, out, pitch, fourcc, tail)?;
                    }
                    _ if same_size => {
                        // Repack I420/YV12 (or an odd crop) into NV12 first.
                        yuv420::scale(&s, src_rect, nv12.frame(dw, dh), origin(dw, dh), cache, yuv);
                        let staged = nv12.view();
                        let Chroma::Interleaved(uv) = staged.chroma else {
                            return Err(KernelError::Internal("staging"));
                        };
                        let r = Region { x: 0, y: 0, width: dw, height: dh };
                        rgb::nv12_region_to_rgba((staged.y, uv), r, src_color, out, pitch, fourcc, tail)?;
                    }
                    _ => {
                        // Resized: luma to the output's size, chroma to half its width and its
                        // full height (4:2:2), each chroma pair then serving two pixels. That is
                        // what swscale's one-step scale to RGB does; scaling in 4:2:0 first would
                        // halve the chroma rows too.
                        let frame = nv16.frame(dw, dh);
                        yuv420::scale_to_422(&s, src_rect, frame, cache, yuv);
                        let (y, uv) = nv16.planes();
                        rgb::nv16_to_rgba((y, uv), (dw, dh), src_color, out, pitch, fourcc, tail)?;
                    }
                }
            }
            Path::RgbaToYuv420 => {
                let plane = src.plane(0);
                let fourcc = src.fourcc;
                let Some(d) = Yuv420Mut::of(dst) else { return Err(unsupported) };
                let r = Region { x: dst_rect.x as usize, y: dst_rect.y as usize, width: dw, height: dh };
                if same_size {
                    let at = src_rect.y as usize * plane.pitch() + src_rect.x as usize * 4;
                    rgb::rgba_to_yuv420(&plane.data()[at..], plane.pitch(), fourcc, d, r, dst_color, tail)?;
                } else {
                    let src = SrcU8 { data: plane.data(), pitch: plane.pitch() };
                    rgba.resize(dw as usize * dh as usize * 4, 0);
                    let out = DstU8 { data: rgba, pitch: dw as usize * 4 };
                    let h = axis_map((src_rect.x, src_rect.width), 0, (0, dw), 0);
                    let v = axis_map((src_rect.y, src_rect.height), 0, (0, dh), 0);
                    yuv420::plane::<4>(src, out, h, v, cache, &mut yuv.rows);
                    rgb::rgba_to_yuv420(rgba, dw as usize * 4, fourcc, d, r, dst_color, tail)?;
                }
            }
            Path::RgbaToRgba => {
                let plane = src.plane(0);
                let swap = src.fourcc != dst.fourcc;
                let out = dst.plane_mut(0);
                let pitch = out.pitch();
                let mut out = DstU8 { data: out.data_mut(), pitch };
                let h = axis_map((src_rect.x, src_rect.width), 0, (dst_rect.x, dw), 0);
                let v = axis_map((src_rect.y, src_rect.height), 0, (dst_rect.y, dh), 0);
                let src = SrcU8 { data: plane.data(), pitch: plane.pitch() };
                yuv420::plane::<4>(src, DstU8 { data: &mut *out.data, pitch }, h, v, cache, &mut yuv.rows);
                if swap {
                    rgb::swap_red_blue(&mut out, dst_rect.x as usize, dst_rect.y as usize, dw as usize, dh as usize);
                }
            }
            Path::General => general::convert(src, src_rect, src_color, dst, dst_rect, dst_color, (cache, general)),
        }
        Ok(())
    }
}

/// Checks that `rect` is non-empty, inside the frame, and that every plane holds the rows and
/// bytes the rect touches (a view's planes can be smaller than its frame size claims).
fn check(side: Side, view: &FrameView<'_>, rect: Rect) -> Result<(), KernelError> {
    if rect.width == 0 || rect.height == 0 {
        return Err(KernelError::EmptyRect { side, rect });
    }
    let fits = |off: u32, len: u32, size: u32| u64::from(off) + u64::from(len) <= u64::from(size);
    if !fits(rect.x, rect.width, view.width) || !fits(rect.y, rect.height, view.height) {
        return Err(KernelError::RectOutsideFrame { side, rect, width: view.width, height: view.height });
    }
    for c in components(view.fourcc).iter().flatten() {
        let (_, rows) = footprint(rect.y, rect.height, c.sub_y);
        let (x0, x1) = footprint(rect.x, rect.width, c.sub_x);
        let (_, bytes) = c.byte_extent(x0 as usize, x1 as usize);
        let plane = view.plane(c.plane);
        if rows as usize > plane.rows() || bytes > plane.row_bytes() {
            return Err(KernelError::PlaneTooSmall {
                side,
                fourcc: view.fourcc,
                plane: c.plane,
                rows: plane.rows(),
                row_bytes: plane.row_bytes(),
                needed_rows: rows as usize,
                needed_bytes: bytes,
            });
        }
    }
    Ok(())
}
