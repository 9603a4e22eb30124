//! Composition (`mfxExtVPPComposite`): the pictures of several streams laid on one frame over a
//! background colour, in stream order, each scaled to its destination rectangle and drawn opaque
//! or blended.
//!
//! Blending follows the three cases of the oneVPL documentation, and combines them when asked:
//! - **global alpha** `g` (0 transparent to 255 opaque) for the whole picture;
//! - **per-pixel alpha**, from the alpha channel of an RGB4/BGR4 picture;
//! - **luma key**: the picture's pixels whose luma, once scaled into the output (NV12), lies in
//!   `[min, max]` are transparent.
//!
//! A pixel of alpha `a` gives `(picture * a + below * (255 - a) + 127) / 255`. An NV12 chroma
//! sample blends with the mean alpha of the four luma samples it covers. Outputs are NV12 and
//! RGB4/BGR4, the formats the documentation allows.

use vplrs_memory::{FourCc, FrameInfo, FrameLayout, FrameView, FrameViewMut, LayoutOptions, Rect};

use crate::color::ColorSpec;
use crate::converter::Converter;
use crate::error::{KernelError, Side};

/// How a picture covers what is below it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Blend {
    /// Alpha for the whole picture (`GlobalAlphaEnable`/`GlobalAlpha`); `None`: opaque.
    pub global_alpha: Option<u8>,
    /// Luma values drawn transparent, inclusive (`LumaKeyEnable`/`LumaKeyMin`/`LumaKeyMax`); NV12
    /// outputs only.
    pub luma_key: Option<(u8, u8)>,
    /// Alpha from each pixel of an RGB4/BGR4 picture (`PixelAlphaEnable`); pictures without an
    /// alpha channel are opaque.
    pub pixel_alpha: bool,
}

impl Blend {
    /// True when the picture simply replaces what is below it.
    pub fn is_opaque(&self) -> bool {
        self.global_alpha.is_none_or(|alpha| alpha == 255) && self.luma_key.is_none() && !self.pixel_alpha
    }
}

/// True when frames of `fourcc` can be composed into.
pub fn compose_supports(fourcc: FourCc) -> bool {
    matches!(fourcc, FourCc::Nv12 | FourCc::Rgb4 | FourCc::Bgr4)
}

fn is_rgba(fourcc: FourCc) -> bool {
    matches!(fourcc, FourCc::Rgb4 | FourCc::Bgr4)
}

fn byte(value: u16) -> u8 {
    value.min(255) as u8
}

/// Paints all of `frame` with `color`: Y, U, V for NV12, R, G, B for the RGB formats (8-bit
/// values; alpha opaque).
pub fn paint_background(frame: &mut FrameViewMut<'_>, color: [u16; 3]) -> Result<(), KernelError> {
    let [first, second, third] = color.map(byte);
    let (width, height) = (frame.width as usize, frame.height as usize);
    match frame.fourcc {
        FourCc::Nv12 => {
            let luma = frame.plane_mut(0);
            for y in 0..height.min(luma.rows()) {
                luma.row_mut(y)[..width].fill(first);
            }
            let chroma = frame.plane_mut(1);
            for y in 0..height.div_ceil(2).min(chroma.rows()) {
                for pair in chroma.row_mut(y)[..width.div_ceil(2) * 2].chunks_exact_mut(2) {
                    pair.copy_from_slice(&[second, third]);
                }
            }
        }
        FourCc::Rgb4 | FourCc::Bgr4 => {
            // RGB4 is B, G, R, A in memory; BGR4 is R, G, B, A.
            let pixel =
                if frame.fourcc == FourCc::Rgb4 { [third, second, first, 255] } else { [first, second, third, 255] };
            let plane = frame.plane_mut(0);
            for y in 0..height.min(plane.rows()) {
                plane.row_mut(y)[..width * 4].chunks_exact_mut(4).for_each(|p| p.copy_from_slice(&pixel));
            }
        }
        other => return Err(KernelError::Unsupported { from: other, to: other }),
    }
    Ok(())
}

fn intersect(a: Rect, b: Rect) -> Option<Rect> {
    let x0 = a.x.max(b.x);
    let y0 = a.y.max(b.y);
    let x1 = a.x.saturating_add(a.width).min(b.x.saturating_add(b.width));
    let y1 = a.y.saturating_add(a.height).min(b.y.saturating_add(b.height));
    (x1 > x0 && y1 > y0).then_some(Rect { x: x0, y: y0, width: x1 - x0, height: y1 - y0 })
}

fn mix(picture: u8, below: u8, alpha: u32) -> u8 {
    ((u32::from(picture) * alpha + u32::from(below) * (255 - alpha) + 127) / 255) as u8
}

/// A scratch frame of `fourcc`, `width` x `height`, in `buffer` (grown as needed).
fn scratch<'b>(
    buffer: &'b mut Vec<u8>,
    fourcc: FourCc,
    width: u32,
    height: u32,
) -> Result<FrameViewMut<'b>, KernelError> {
    let info = FrameInfo::new(fourcc, width.next_multiple_of(2), height.next_multiple_of(2));
    let layout =
        FrameLayout::new(&info, LayoutOptions::default()).map_err(|_| KernelError::Internal("composition layer"))?;
    if buffer.len() < layout.size {
        buffer.resize(layout.size, 0);
    }
    layout.view_mut(buffer).ok_or(KernelError::Internal("composition layer"))
}

/// Draws pictures onto a frame, keeping its scratch frames between calls.
#[derive(Debug, Default)]
pub struct Compositor {
    /// The picture scaled to its destination size (in the output's format, or RGBA for alpha).
    layer: Vec<u8>,
    /// The RGBA layer converted to the output's format, when they differ.
    converted: Vec<u8>,
}

impl Compositor {
    /// A compositor with empty scratch frames.
    pub fn new() -> Self {
        Self::default()
    }

    /// Draws `src_rect` of `src`, scaled to `dst`, onto `target` as `blend` says; only the part
    /// inside `clip` (the output's picture rectangle) is drawn. `dst` may reach past `clip` and
    /// the frame; NV12 outputs need an even `dst`.
    #[allow(clippy::too_many_arguments)]
    pub fn draw(
        &mut self,
        converter: &mut Converter,
        src: &FrameView<'_>,
        src_rect: Rect,
        src_color: ColorSpec,
        target: &mut FrameViewMut<'_>,
        dst: Rect,
        clip: Rect,
        dst_color: ColorSpec,
        blend: Blend,
    ) -> Result<(), KernelError> {
        if !compose_supports(target.fourcc) {
            return Err(KernelError::Unsupported { from: src.fourcc, to: target.fourcc });
        }
        if dst.width == 0 || dst.height == 0 {
            return Err(KernelError::EmptyRect { side: Side::Destination, rect: dst });
        }
        let subsampled = target.fourcc == FourCc::Nv12;
        if subsampled && (dst.x % 2 != 0 || dst.y % 2 != 0 || dst.width % 2 != 0 || dst.height % 2 != 0) {
            return Err(KernelError::RectOutsideFrame {
                side: Side::Destination,
                rect: dst,
                width: target.width,
                height: target.height,
            });
        }
        let frame = Rect { x: 0, y: 0, width: target.width, height: target.height };
        let Some(visible) = intersect(clip, frame).and_then(|c| intersect(c, dst)) else {
            return Ok(());
        };
        let alpha_source = blend.pixel_alpha && is_rgba(src.fourcc);
        if blend.is_opaque() && visible == dst {
            // Straight into the output: no layer, no blend.
            return converter.convert(src, src_rect, src_color, target, dst, dst_color);
        }
        let origin = Rect { x: 0, y: 0, width: dst.width, height: dst.height };
        let layer_fourcc = if alpha_source { src.fourcc } else { target.fourcc };
        let Self { layer, converted } = self;
        let mut layer_frame = scratch(layer, layer_fourcc, dst.width, dst.height)?;
        converter.convert(src, src_rect, src_color, &mut layer_frame, origin, dst_color)?;
        let layer_view = layer_frame.as_view();
        let mut converted_frame;
        let picture = if layer_fourcc == target.fourcc {
            layer_view
        } else {
            converted_frame = scratch(converted, target.fourcc, dst.width, dst.height)?;
            converter.convert(&layer_view, origin, dst_color, &mut converted_frame, origin, dst_color)?;
            converted_frame.as_view()
        };
        let alpha_plane = alpha_source.then(|| layer_view.plane(0));
        // The alpha of each pixel of the layer, at layer coordinates.
        let alpha_at = |x: usize, y: usize| -> u32 {
            let mut alpha = alpha_plane.map_or(255, |plane| u32::from(plane.row(y)[x * 4 + 3]));
            if let Some(global) = blend.global_alpha {
                alpha = (alpha * u32::from(global) + 127) / 255;
            }
            if let Some((min, max)) = blend.luma_key {
                let luma = picture.plane(0).row(y)[x];
                if (min..=max).contains(&luma) {
                    alpha = 0;
                }
            }
            alpha
        };
        let (lx0, ly0) = ((visible.x - dst.x) as usize, (visible.y - dst.y) as usize);
        let (vw, vh) = (visible.width as usize, visible.height as usize);
        let (tx0, ty0) = (visible.x as usize, visible.y as usize);
        if subsampled {
            let luma_in = picture.plane(0);
            let luma_out = target.plane_mut(0);
            for y in 0..vh {
                let (src_row, dst_row) = (luma_in.row(ly0 + y), luma_out.row_mut(ty0 + y));
                for x in 0..vw {
                    let alpha = alpha_at(lx0 + x, ly0 + y);
                    let out = &mut dst_row[tx0 + x];
                    *out = mix(src_row[lx0 + x], *out, alpha);
                }
            }
            // Chroma: the samples whose 2x2 luma block meets the visible part (dst is even, so
            // each block lies inside the layer).
            let (cx0, cy0) = (lx0 / 2, ly0 / 2);
            let (cx1, cy1) = ((lx0 + vw).div_ceil(2), (ly0 + vh).div_ceil(2));
            let (tcx, tcy) = (tx0 / 2 - cx0, ty0 / 2 - cy0);
            let chroma_in = picture.plane(1);
            let chroma_out = target.plane_mut(1);
            for cy in cy0..cy1 {
                let (src_row, dst_row) = (chroma_in.row(cy), chroma_out.row_mut(tcy + cy));
                for cx in cx0..cx1 {
                    let (x, y) = (cx * 2, cy * 2);
                    let alpha =
                        (alpha_at(x, y) + alpha_at(x + 1, y) + alpha_at(x, y + 1) + alpha_at(x + 1, y + 1) + 2) / 4;
                    for k in 0..2 {
                        let out = &mut dst_row[(tcx + cx) * 2 + k];
                        *out = mix(src_row[cx * 2 + k], *out, alpha);
                    }
                }
            }
        } else {
            let pixels_in = picture.plane(0);
            let pixels_out = target.plane_mut(0);
            for y in 0..vh {
                let (src_row, dst_row) = (pixels_in.row(ly0 + y), pixels_out.row_mut(ty0 + y));
                for x in 0..vw {
                    let alpha = alpha_at(lx0 + x, ly0 + y);
                    let (from, to) = ((lx0 + x) * 4, (tx0 + x) * 4);
                    for k in 0..3 {
                        dst_row[to + k] = mix(src_row[from + k], dst_row[to + k], alpha);
                    }
                    dst_row[to + 3] = 255;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::color::ColorSpec;

    fn frame(fourcc: FourCc, width: u32, height: u32) -> (FrameLayout, Vec<u8>) {
        let layout = FrameLayout::new(&FrameInfo::new(fourcc, width, height), LayoutOptions::default()).unwrap();
        let buffer = vec![0; layout.size];
        (layout, buffer)
    }

    fn solid_nv12(width: u32, height: u32, yuv: [u16; 3]) -> (FrameLayout, Vec<u8>) {
        let (layout, mut buffer) = frame(FourCc::Nv12, width, height);
        paint_background(&mut layout.view_mut(&mut buffer).unwrap(), yuv).unwrap();
        (layout, buffer)
    }

    fn rect(x: u32, y: u32, width: u32, height: u32) -> Rect {
        Rect { x, y, width, height }
    }

    fn sample(layout: &FrameLayout, buffer: &[u8], x: usize, y: usize) -> [u8; 3] {
        let view = layout.view(buffer).unwrap();
        let chroma = view.plane(1).row(y / 2);
        [view.plane(0).row(y)[x], chroma[x / 2 * 2], chroma[x / 2 * 2 + 1]]
    }

    #[test]
    fn opaque_global_alpha_and_luma_key_layers() {
        let spec = ColorSpec::default();
        let (out_layout, mut out) = solid_nv12(64, 48, [16, 128, 128]);
        let (a_layout, a) = solid_nv12(32, 32, [200, 60, 190]);
        let (b_layout, b) = solid_nv12(16, 16, [100, 150, 100]);
        let mut converter = Converter::new();
        let mut compositor = Compositor::new();
        let full = rect(0, 0, 64, 48);
        let mut target = out_layout.view_mut(&mut out).unwrap();
        // Opaque, scaled 32x32 -> 20x10, partly off the right edge.
        let a_view = a_layout.view(&a).unwrap();
        compositor
            .draw(
                &mut converter,
                &a_view,
                rect(0, 0, 32, 32),
                spec,
                &mut target,
                rect(50, 4, 20, 10),
                full,
                spec,
                Blend::default(),
            )
            .unwrap();
        // Half transparent.
        let b_view = b_layout.view(&b).unwrap();
        let half = Blend { global_alpha: Some(128), ..Blend::default() };
        compositor
            .draw(&mut converter, &b_view, rect(0, 0, 16, 16), spec, &mut target, rect(0, 20, 16, 16), full, spec, half)
            .unwrap();
        // Keyed out entirely: its luma 200 is in the key's range.
        let keyed = Blend { luma_key: Some((190, 210)), ..Blend::default() };
        compositor
            .draw(&mut converter, &a_view, rect(0, 0, 32, 32), spec, &mut target, rect(20, 0, 8, 8), full, spec, keyed)
            .unwrap();
        assert_eq!(sample(&out_layout, &out, 0, 0), [16, 128, 128], "background");
        assert_eq!(sample(&out_layout, &out, 55, 8), [200, 60, 190], "opaque layer");
        assert_eq!(sample(&out_layout, &out, 63, 13), [200, 60, 190], "opaque layer at the frame's edge");
        assert_eq!(sample(&out_layout, &out, 55, 14), [16, 128, 128], "below the opaque layer");
        let mixed = |p: u8, b: u8| ((u32::from(p) * 128 + u32::from(b) * 127 + 127) / 255) as u8;
        assert_eq!(sample(&out_layout, &out, 8, 28), [mixed(100, 16), mixed(150, 128), mixed(100, 128)]);
        assert_eq!(sample(&out_layout, &out, 22, 4), [16, 128, 128], "keyed out");
    }

    #[test]
    fn pixel_alpha_from_rgba_onto_nv12_and_rgba() {
        let spec = ColorSpec::default();
        let (src_layout, mut src) = frame(FourCc::Rgb4, 8, 8);
        {
            let mut view = src_layout.view_mut(&mut src).unwrap();
            let plane = view.plane_mut(0);
            for y in 0..8 {
                for (x, pixel) in plane.row_mut(y)[..32].chunks_exact_mut(4).enumerate() {
                    // White; the left half transparent, the right half opaque.
                    pixel.copy_from_slice(&[255, 255, 255, if x < 4 { 0 } else { 255 }]);
                }
            }
        }
        let src_view = src_layout.view(&src).unwrap();
        let blend = Blend { pixel_alpha: true, ..Blend::default() };
        let mut converter = Converter::new();
        let mut compositor = Compositor::new();
        for target_fourcc in [FourCc::Nv12, FourCc::Rgb4] {
            let (layout, mut out) = frame(target_fourcc, 16, 8);
            let mut target = layout.view_mut(&mut out).unwrap();
            paint_background(&mut target, if target_fourcc == FourCc::Nv12 { [16, 128, 128] } else { [0, 0, 0] })
                .unwrap();
            let whole = rect(0, 0, 16, 8);
            compositor
                .draw(
                    &mut converter,
                    &src_view,
                    rect(0, 0, 8, 8),
                    spec,
                    &mut target,
                    rect(0, 0, 8, 8),
                    whole,
                    spec,
                    blend,
                )
                .unwrap();
            let view = layout.view(&out).unwrap();
            let row = view.plane(0).row(3);
            if target_fourcc == FourCc::Nv12 {
                assert_eq!((row[1], row[6]), (16, 235), "transparent and opaque white on black");
            } else {
                assert_eq!((&row[4..8], &row[24..28]), (&[0, 0, 0, 255][..], &[255, 255, 255, 255][..]));
            }
        }
    }
}
