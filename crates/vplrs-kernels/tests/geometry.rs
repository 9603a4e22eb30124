//! Crop, resize and edge cases: the right pixels land in the right place, gradients stay
//! gradients, nothing outside the destination rect is touched, odd geometry never panics, bad
//! arguments are refused, and the fast paths agree with the general path.

mod common;

use common::{alpha_max, Frame};
use vplrs_kernels::{ColorSpec, Converter, KernelError, Path, Rect, Side};
use vplrs_memory::{FourCc, FrameView, Plane};

const fn rect(x: u32, y: u32, width: u32, height: u32) -> Rect {
    Rect { x, y, width, height }
}

/// A pattern where every pixel differs from its neighbours, in codes valid for `f`.
fn pattern(f: FourCc, w: u32, h: u32) -> Frame {
    let mut frame = Frame::tight(f, w, h);
    let max: usize = if f.bit_depth() == 10 { 1023 } else { 255 };
    for y in 0..h as usize {
        for x in 0..w as usize {
            let v = |k: usize| (((x * 7 + y * 13 + k * 50) % 200 + 20) * max / 255) as u16;
            frame.set(x, y, [v(0), v(1), v(2)], alpha_max(f));
        }
    }
    frame
}

#[test]
fn crop_copies_exactly_the_rect_in_every_format() {
    for f in FourCc::ALL {
        for conv in [&mut Converter::new(), &mut Converter::general_only()] {
            let src = pattern(f, 24, 16);
            let mut dst = Frame::tight(f, 16, 12);
            let (sr, dr) = (rect(6, 4, 10, 8), rect(2, 2, 10, 8));
            let spec = ColorSpec::BT601_LIMITED;
            conv.convert(&src.view(), sr, spec, &mut dst.view_mut(), dr, spec).unwrap();
            for y in 0..8 {
                for x in 0..10 {
                    let (want, got) = (src.get(6 + x, 4 + y), dst.get(2 + x, 2 + y));
                    assert_eq!(got, want, "{f} pixel ({x}, {y}) of the crop");
                }
            }
        }
    }
}

#[test]
fn pixels_outside_the_destination_rect_are_left_alone() {
    for (sf, df) in [
        (FourCc::Nv12, FourCc::Nv12),
        (FourCc::Nv12, FourCc::Rgb4),
        (FourCc::Rgb4, FourCc::I420),
        (FourCc::Ayuv, FourCc::Y410),
    ] {
        let src = pattern(sf, 32, 32);
        let mut dst = Frame::tight(df, 20, 20);
        dst.buf.fill(7);
        let before = dst.buf.clone();
        let dr = rect(4, 6, 10, 8);
        let spec = ColorSpec::BT709_LIMITED;
        Converter::new().convert(&src.view(), src.rect(), spec, &mut dst.view_mut(), dr, spec).unwrap();
        let untouched = Frame { buf: before, ..Frame::tight(df, 20, 20) };
        for y in 0..20 {
            for x in 0..20 {
                let inside = (4..14).contains(&x) && (6..14).contains(&y);
                if !inside {
                    assert_eq!(dst.get(x, y), untouched.get(x, y), "{sf}->{df} ({x}, {y}) changed");
                }
            }
        }
    }
}

/// A horizontal luma ramp, resized: each output must be the ramp at the output's centre.
#[test]
fn gradients_survive_scaling() {
    let (sw, sh) = (96u32, 8u32);
    let ramp = |x: f64| 16.0 + 2.0 * x; // 16 ..= 206 across 96 columns
    for (f, conv) in [
        (FourCc::Nv12, Converter::new()),
        (FourCc::I420, Converter::new()),
        (FourCc::Rgb4, Converter::new()),
        (FourCc::Y410, Converter::new()),
        (FourCc::Nv12, Converter::general_only()),
    ] {
        let mut conv = conv;
        let mut src = Frame::tight(f, sw, sh);
        let scale = if f.bit_depth() == 10 { 4.0 } else { 1.0 };
        for y in 0..sh as usize {
            for x in 0..sw as usize {
                let v = (ramp(x as f64) * scale).round() as u16;
                src.set(x, y, [v, (128.0 * scale) as u16, (128.0 * scale) as u16], alpha_max(f));
            }
        }
        for dw in [32u32, 64, 95, 144, 192, 301] {
            let mut dst = Frame::tight(f, dw, 6);
            common::convert_whole(&mut conv, &src, ColorSpec::BT601_LIMITED, &mut dst, ColorSpec::BT601_LIMITED);
            let ratio = f64::from(sw) / f64::from(dw);
            for x in 0..dw as usize {
                let centre = (x as f64 + 0.5) * ratio - 0.5;
                // Away from the edges, where clamping bends the ramp.
                if centre < 2.0 * ratio.max(1.0) || centre > f64::from(sw) - 1.0 - 2.0 * ratio.max(1.0) {
                    continue;
                }
                let got = f64::from(dst.get(x, 3).0[0]) / scale;
                let want = ramp(centre);
                assert!((got - want).abs() <= 1.0, "{f} {sw}->{dw}: x {x} got {got}, want {want:.2}");
            }
        }
    }
}

/// A tiny deterministic generator, so that failures reproduce.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u32) -> u32 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) % u64::from(n.max(1))) as u32
    }

    fn rect_in(&mut self, w: u32, h: u32) -> Rect {
        let (x, y) = (self.below(w), self.below(h));
        rect(x, y, 1 + self.below(w - x), 1 + self.below(h - y))
    }
}

#[test]
fn odd_sizes_and_edge_rects_never_panic() {
    let mut rng = Lcg(42);
    let mut fast = Converter::new();
    let mut general = Converter::general_only();
    for sf in FourCc::ALL {
        for df in FourCc::ALL {
            for _ in 0..6 {
                let (sw, sh, dw, dh) = (1 + rng.below(19), 1 + rng.below(19), 1 + rng.below(19), 1 + rng.below(19));
                let src = pattern(sf, sw, sh);
                let mut dst = Frame::tight(df, dw, dh);
                let (sr, dr) = (rng.rect_in(sw, sh), rng.rect_in(dw, dh));
                for spec in common::SPECS {
                    for conv in [&mut fast, &mut general] {
                        conv.convert(&src.view(), sr, spec, &mut dst.view_mut(), dr, spec)
                            .unwrap_or_else(|e| panic!("{sf} {sw}x{sh} {sr:?} -> {df} {dw}x{dh} {dr:?}: {e}"));
                    }
                }
            }
            // One pixel to one pixel, and a whole frame into one pixel at the far corner.
            let src = pattern(sf, 1, 1);
            let mut dst = Frame::tight(df, 1, 1);
            fast.convert(
                &src.view(),
                rect(0, 0, 1, 1),
                ColorSpec::default(),
                &mut dst.view_mut(),
                rect(0, 0, 1, 1),
                ColorSpec::default(),
            )
            .unwrap();
            let src = pattern(sf, 7, 5);
            let mut dst = Frame::tight(df, 9, 3);
            fast.convert(
                &src.view(),
                src.rect(),
                ColorSpec::default(),
                &mut dst.view_mut(),
                rect(8, 2, 1, 1),
                ColorSpec::default(),
            )
            .unwrap();
        }
    }
}

#[test]
fn bad_rects_and_short_planes_are_refused() {
    let mut conv = Converter::new();
    let src = Frame::tight(FourCc::Nv12, 16, 16);
    let mut dst = Frame::tight(FourCc::Nv12, 16, 16);
    let spec = ColorSpec::default();
    let mut run = |sr: Rect, dr: Rect| conv.convert(&src.view(), sr, spec, &mut dst.view_mut(), dr, spec);
    let whole = rect(0, 0, 16, 16);
    assert!(matches!(run(rect(0, 0, 0, 4), whole), Err(KernelError::EmptyRect { side: Side::Source, .. })));
    assert!(matches!(run(whole, rect(1, 1, 4, 0)), Err(KernelError::EmptyRect { side: Side::Destination, .. })));
    assert!(matches!(run(rect(8, 0, 9, 16), whole), Err(KernelError::RectOutsideFrame { side: Side::Source, .. })));
    assert!(matches!(run(whole, rect(0, 15, 1, 2)), Err(KernelError::RectOutsideFrame { .. })));
    assert!(matches!(run(rect(u32::MAX, 0, 2, 2), whole), Err(KernelError::RectOutsideFrame { .. })));

    // A view that claims 16x16 but whose chroma plane holds only 4 rows.
    let luma = vec![0u8; 256];
    let chroma = vec![0u8; 64];
    let planes = [Plane::new(&luma, 16, 16, 16).unwrap(), Plane::new(&chroma, 16, 16, 4).unwrap()];
    let short = FrameView::new(FourCc::Nv12, 16, 16, &planes).unwrap();
    let err = conv.convert(&short, whole, spec, &mut dst.view_mut(), whole, spec).unwrap_err();
    assert!(matches!(err, KernelError::PlaneTooSmall { side: Side::Source, plane: 1, needed_rows: 8, .. }), "{err}");
    // Default (empty) planes, as a view of an unmappable surface would have.
    let empty = FrameView::new(FourCc::Nv12, 16, 16, &[Plane::default(), Plane::default()]).unwrap();
    assert!(matches!(
        conv.convert(&empty, whole, spec, &mut dst.view_mut(), whole, spec),
        Err(KernelError::PlaneTooSmall { .. })
    ));
}

/// Every fast path against the general path on smooth content: at most one code apart (two for
/// the yuvutils RGB kernels, which round differently from `f32` math, and for P010, in 10-bit
/// codes: 0.5 of an 8-bit code).
#[test]
fn fast_paths_agree_with_the_general_path() {
    let geometries = [
        ((64, 48), rect(0, 0, 64, 48), (64, 48), rect(0, 0, 64, 48)),
        ((64, 48), rect(0, 0, 64, 48), (40, 30), rect(0, 0, 40, 30)),
        ((64, 48), rect(4, 2, 50, 40), (100, 70), rect(2, 4, 90, 61)),
        ((33, 17), rect(1, 1, 31, 15), (20, 11), rect(3, 1, 17, 9)),
    ];
    let pairs = [
        (FourCc::Nv12, FourCc::Nv12),
        (FourCc::Nv12, FourCc::I420),
        (FourCc::I420, FourCc::Nv12),
        (FourCc::Yv12, FourCc::I420),
        (FourCc::Nv12, FourCc::P010),
        (FourCc::P010, FourCc::Nv12),
        (FourCc::Nv12, FourCc::Rgb4),
        (FourCc::I420, FourCc::Bgr4),
        (FourCc::Rgb4, FourCc::Nv12),
        (FourCc::Bgr4, FourCc::Yv12),
        (FourCc::Rgb4, FourCc::Bgr4),
    ];
    let (mut fast, mut general) = (Converter::new(), Converter::general_only());
    for (sf, df) in pairs {
        let mut worst = 0;
        for ((sw, sh), sr, (dw, dh), dr) in geometries {
            let mut src = Frame::tight(sf, sw, sh);
            let max = if sf.bit_depth() == 10 { 4.0 } else { 1.0 };
            for y in 0..sh as usize {
                for x in 0..sw as usize {
                    let (fx, fy) = (x as f64, y as f64);
                    let v = |a: f64, b: f64| ((120.0 + 60.0 * (fx / a).sin() * (fy / b).cos()) * max) as u16;
                    // YCbCr to RGB fast paths replicate chroma (yuvutils, like swscale's unscaled
                    // converters) where the general path interpolates it: compare them on flat
                    // chroma, which tells rounding and matrix errors apart from that choice.
                    let (cb, cr) = if !sf.is_rgb() && df.is_rgb() {
                        ((100.0 * max) as u16, (150.0 * max) as u16)
                    } else {
                        (v(13.0, 11.0), v(17.0, 5.0))
                    };
                    src.set(x, y, [v(9.0, 7.0), cb, cr], alpha_max(sf));
                }
            }
            let spec = ColorSpec::BT709_LIMITED;
            // Odd origins send some pairs (those staged through scratch frames) to the general path.
            let even = [sr, dr].iter().all(|r| r.x % 2 == 0 && r.y % 2 == 0);
            if even {
                assert_ne!(fast.path(sf, sr, spec, df, dr, spec), Path::General, "{sf}->{df} {sr:?} {dr:?}");
            }
            let mut a = Frame::tight(df, dw, dh);
            let mut b = Frame::tight(df, dw, dh);
            fast.convert(&src.view(), sr, spec, &mut a.view_mut(), dr, spec).unwrap();
            general.convert(&src.view(), sr, spec, &mut b.view_mut(), dr, spec).unwrap();
            for y in dr.y..dr.y + dr.height {
                for x in dr.x..dr.x + dr.width {
                    let (pa, pb) = (a.get(x as usize, y as usize).0, b.get(x as usize, y as usize).0);
                    worst = worst.max(pa.iter().zip(pb).map(|(p, q)| p.abs_diff(q)).max().unwrap_or(0));
                }
            }
        }
        let limit = if df.bit_depth() == 10 {
            4
        } else if sf.is_rgb() != df.is_rgb() {
            2
        } else {
            1
        };
        println!("{sf} -> {df}: fast vs general within {worst}");
        assert!(worst <= limit, "{sf} -> {df}: fast and general paths differ by {worst} > {limit}");
    }
}
