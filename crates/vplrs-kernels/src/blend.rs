//! Two frames mixed sample by sample: the frame between two others that frame-rate conversion by
//! interpolation (`MFX_FRCALGM_FRAME_INTERPOLATION`) shows. `weight` (0 to 256) is the second
//! frame's share: `(a · (256 − weight) + b · weight + 128) / 256`, on 8-bit samples, and on the
//! 10-bit values of P010 and Y210.

use vplrs_memory::{FourCc, FrameView, FrameViewMut};

use crate::error::KernelError;

/// True for the formats whose frames can be mixed (not the 10-bit ones packed in 32 bits).
pub fn blend_supports(fourcc: FourCc) -> bool {
    !matches!(fourcc, FourCc::A2Rgb10 | FourCc::Y410)
}

/// Mixes `a` and `b` (one format and size) into `out`: `weight` / 256 of `b`.
pub fn blend_frames(
    a: &FrameView<'_>,
    b: &FrameView<'_>,
    weight: u32,
    out: &mut FrameViewMut<'_>,
) -> Result<(), KernelError> {
    let fourcc = out.fourcc;
    let same = |f: &FrameView<'_>| f.fourcc == fourcc && (f.width, f.height) == (out.width, out.height);
    if !blend_supports(fourcc) || !same(a) || !same(b) {
        return Err(KernelError::Unsupported { from: a.fourcc, to: fourcc });
    }
    let weight = weight.min(256);
    let wide = matches!(fourcc, FourCc::P010 | FourCc::Y210);
    for (index, plane) in out.planes_mut().iter_mut().enumerate() {
        let (pa, pb) = (a.plane(index), b.plane(index));
        let rows = plane.rows().min(pa.rows()).min(pb.rows());
        let bytes = plane.row_bytes().min(pa.row_bytes()).min(pb.row_bytes());
        for y in 0..rows {
            let (ra, rb) = (&pa.row(y)[..bytes], &pb.row(y)[..bytes]);
            let ro = &mut plane.row_mut(y)[..bytes];
            if wide {
                for ((o, x), z) in ro.chunks_exact_mut(2).zip(ra.chunks_exact(2)).zip(rb.chunks_exact(2)) {
                    let (p, q) = (
                        u32::from(u16::from_le_bytes([x[0], x[1]]) >> 6),
                        u32::from(u16::from_le_bytes([z[0], z[1]]) >> 6),
                    );
                    let mixed = ((p * (256 - weight) + q * weight + 128) >> 8) as u16;
                    o.copy_from_slice(&(mixed << 6).to_le_bytes());
                }
            } else {
                for ((o, &p), &q) in ro.iter_mut().zip(ra).zip(rb) {
                    *o = ((u32::from(p) * (256 - weight) + u32::from(q) * weight + 128) >> 8) as u8;
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use vplrs_memory::{FrameInfo, FrameLayout, LayoutOptions};

    #[test]
    fn frames_mix_by_weight() {
        for fourcc in [FourCc::Nv12, FourCc::P010, FourCc::Rgb4] {
            let layout = FrameLayout::new(&FrameInfo::new(fourcc, 32, 16), LayoutOptions::default()).unwrap();
            let wide = fourcc == FourCc::P010;
            let filled = |value: u16| {
                let mut buffer = vec![0u8; layout.size];
                if wide {
                    buffer.chunks_exact_mut(2).for_each(|s| s.copy_from_slice(&(value << 6).to_le_bytes()));
                } else {
                    buffer.fill(value as u8);
                }
                buffer
            };
            let (a, b) = (filled(100), filled(200));
            let mut out = vec![0u8; layout.size];
            for (weight, expected) in [(0u32, 100u16), (64, 125), (128, 150), (256, 200)] {
                let (va, vb) = (layout.view(&a).unwrap(), layout.view(&b).unwrap());
                blend_frames(&va, &vb, weight, &mut layout.view_mut(&mut out).unwrap()).unwrap();
                let first = if wide { u16::from_le_bytes([out[0], out[1]]) >> 6 } else { u16::from(out[0]) };
                assert_eq!(first, expected, "{fourcc} weight {weight}");
            }
        }
        let y410 = FrameLayout::new(&FrameInfo::new(FourCc::Y410, 16, 16), LayoutOptions::default()).unwrap();
        let buffer = vec![0u8; y410.size];
        let mut out = buffer.clone();
        let view = y410.view(&buffer).unwrap();
        assert!(blend_frames(&view, &view, 10, &mut y410.view_mut(&mut out).unwrap()).is_err());
    }
}
