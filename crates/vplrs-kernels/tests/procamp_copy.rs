//! ProcAmp in the copy's pass (`apply_procamp_copy`) gives what a copy followed by the amplifier
//! in place gives, byte for byte, for the 8-bit 4:2:0 formats, at 1080p (luma and chroma on their
//! own threads) and at a small offset crop; it declines what it does not do.

mod common;

use common::Frame;
use vplrs_kernels::{apply_procamp, apply_procamp_copy, ColorSpec, Converter, ProcAmp, Rect};
use vplrs_memory::FourCc;

fn noise(frame: &mut Frame, seed: u32) {
    let mut state = seed.wrapping_mul(2_654_435_761) | 1;
    for byte in &mut frame.buf {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        *byte = state as u8;
    }
}

#[test]
fn amplifying_in_the_copy_equals_copying_then_amplifying() {
    let amp = ProcAmp { brightness: 12.5, contrast: 1.3, hue: -40.0, saturation: 1.7 };
    let spec = ColorSpec::default();
    for fourcc in [FourCc::Nv12, FourCc::I420, FourCc::Yv12] {
        for (width, height, src_rect, dst_rect) in [
            (
                1920,
                1080,
                Rect { x: 0, y: 0, width: 1920, height: 1080 },
                Rect { x: 0, y: 0, width: 1920, height: 1080 },
            ),
            (176, 144, Rect { x: 4, y: 2, width: 96, height: 64 }, Rect { x: 40, y: 60, width: 96, height: 64 }),
        ] {
            let mut source = Frame::surface(fourcc, width, height);
            noise(&mut source, width);
            let mut fused = Frame::surface(fourcc, width, height);
            let mut reference = Frame::surface(fourcc, width, height);
            let done = apply_procamp_copy(&source.view(), src_rect, &mut fused.view_mut(), dst_rect, &amp).unwrap();
            assert!(done, "{fourcc} {width}x{height}");
            let mut converter = Converter::new();
            converter.convert(&source.view(), src_rect, spec, &mut reference.view_mut(), dst_rect, spec).unwrap();
            apply_procamp(&mut reference.view_mut(), dst_rect, &amp).unwrap();
            assert!(fused.buf == reference.buf, "{fourcc} {width}x{height}: the fused pass differs");
        }
    }
    // Not a plain copy: declined.
    let source = Frame::surface(FourCc::Nv12, 64, 64);
    let mut other = Frame::surface(FourCc::I420, 64, 64);
    let whole = Rect { x: 0, y: 0, width: 64, height: 64 };
    assert!(!apply_procamp_copy(&source.view(), whole, &mut other.view_mut(), whole, &amp).unwrap());
    let mut same = Frame::surface(FourCc::Nv12, 64, 64);
    let half = Rect { x: 0, y: 0, width: 32, height: 32 };
    assert!(!apply_procamp_copy(&source.view(), whole, &mut same.view_mut(), half, &amp).unwrap(), "a resize");
}
