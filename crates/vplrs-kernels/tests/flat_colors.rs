//! A flat colour must come out of every conversion as the same colour: every format pair, every
//! colour spec pair, with and without resize and crop, on fast and general paths alike.

mod common;

use common::{alpha_max, bits, convert_whole, from_rgb, to_rgb, Frame, SPECS};
use vplrs_kernels::{ColorSpec, Converter, Rect};
use vplrs_memory::FourCc;

const COLOURS: [[f64; 3]; 8] = [
    [0.0, 0.0, 0.0],
    [1.0, 1.0, 1.0],
    [1.0, 0.0, 0.0],
    [0.0, 1.0, 0.0],
    [0.0, 0.0, 1.0],
    [0.5, 0.5, 0.5],
    [0.2, 0.6, 0.9],
    [0.9, 0.3, 0.1],
];

/// (source size, source rect, destination size, destination rect)
type Geometry = ((u32, u32), Rect, (u32, u32), Rect);

const GEOMETRIES: [Geometry; 4] = [
    ((9, 5), rect(0, 0, 9, 5), (9, 5), rect(0, 0, 9, 5)),
    ((16, 12), rect(0, 0, 16, 12), (7, 5), rect(0, 0, 7, 5)),
    ((16, 12), rect(3, 1, 11, 9), (20, 14), rect(2, 4, 17, 9)),
    ((6, 4), rect(1, 1, 1, 1), (5, 3), rect(4, 2, 1, 1)),
];

const fn rect(x: u32, y: u32, width: u32, height: u32) -> Rect {
    Rect { x, y, width, height }
}

/// Largest difference seen, in codes of the destination's bit depth.
fn run(converter: &mut Converter) -> Vec<(FourCc, FourCc, u16)> {
    let mut worst = Vec::new();
    for src_f in FourCc::ALL {
        for dst_f in FourCc::ALL {
            let mut max_err = 0;
            // RGB ignores the spec: one is enough.
            let src_specs = if src_f.is_rgb() { &SPECS[..1] } else { &SPECS[..] };
            let dst_specs = if dst_f.is_rgb() { &SPECS[..1] } else { &SPECS[..] };
            for (&ss, &ds) in src_specs.iter().flat_map(|s| dst_specs.iter().map(move |d| (s, d))) {
                for colour in COLOURS {
                    for ((sw, sh), sr, (dw, dh), dr) in GEOMETRIES {
                        max_err =
                            max_err.max(check(converter, (src_f, ss, sw, sh, sr), (dst_f, ds, dw, dh, dr), colour));
                    }
                }
            }
            worst.push((src_f, dst_f, max_err));
        }
    }
    worst
}

fn check(
    converter: &mut Converter,
    (src_f, ss, sw, sh, sr): (FourCc, ColorSpec, u32, u32, Rect),
    (dst_f, ds, dw, dh, dr): (FourCc, ColorSpec, u32, u32, Rect),
    colour: [f64; 3],
) -> u16 {
    let codes = from_rgb(src_f, ss, colour);
    let mut src = Frame::tight(src_f, sw, sh);
    src.fill(codes, alpha_max(src_f));
    let mut dst = Frame::tight(dst_f, dw, dh);
    converter.convert(&src.view(), sr, ss, &mut dst.view_mut(), dr, ds).unwrap();
    // The exact conversion of the source codes, not of `colour`: quantisation is not our error.
    let want = from_rgb(dst_f, ds, to_rgb(src_f, ss, codes));
    let mut max_err = 0;
    for y in dr.y..dr.y + dr.height {
        for x in dr.x..dr.x + dr.width {
            let (got, alpha) = dst.get(x as usize, y as usize);
            for (g, w) in got.iter().zip(want) {
                max_err = max_err.max(g.abs_diff(w));
            }
            if let Some(a) = alpha {
                assert_eq!(a, alpha_max(dst_f), "{src_f}->{dst_f} alpha");
            }
        }
    }
    max_err
}

fn assert_within(worst: &[(FourCc, FourCc, u16)]) {
    let mut failures = Vec::new();
    for &(s, d, err) in worst {
        // One 8-bit code, or its 10-bit equivalent (4 codes) when the destination is 10-bit.
        let limit = if bits(d) == 10 { 4 } else { 1 };
        if err > limit {
            failures.push(format!("{s}->{d}: {err} > {limit}"));
        }
    }
    let max8 = worst.iter().filter(|w| bits(w.1) == 8).map(|w| w.2).max();
    let max10 = worst.iter().filter(|w| bits(w.1) == 10).map(|w| w.2).max();
    println!("largest error: {max8:?} (8-bit destinations), {max10:?} (10-bit destinations)");
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn flat_colours_survive_every_pair_on_the_fast_paths() {
    assert_within(&run(&mut Converter::new()));
}

#[test]
fn flat_colours_survive_every_pair_on_the_general_path() {
    assert_within(&run(&mut Converter::general_only()));
}

#[test]
fn alpha_is_carried_where_both_sides_have_it() {
    let mut conv = Converter::new();
    let mut src = Frame::tight(FourCc::Ayuv, 4, 4);
    src.fill([100, 120, 140], 77);
    for (dst_f, want) in [(FourCc::Rgb4, 77), (FourCc::Bgr4, 77), (FourCc::Ayuv, 77), (FourCc::A2Rgb10, 1)] {
        let mut dst = Frame::tight(dst_f, 4, 4);
        convert_whole(&mut conv, &src, ColorSpec::BT601_LIMITED, &mut dst, ColorSpec::BT601_LIMITED);
        assert_eq!(dst.get(1, 2).1, Some(want), "AYUV -> {dst_f}");
    }
}

/// Textbook values: 8-bit RGB primaries and white in each matrix and range (rounded from
/// Y = Kr R + Kg G + Kb B; limited Y = 16 + 219 Y, C = 128 + 224 C; full Y = 255 Y, C = 128 + 255 C).
#[test]
fn rgb_primaries_match_reference_ycbcr() {
    #[rustfmt::skip]
    let table: [(ColorSpec, [[u16; 3]; 4]); 4] = [
        //                          red             green           blue            white
        (ColorSpec::BT601_LIMITED, [[81, 90, 240], [145, 54, 34], [41, 240, 110], [235, 128, 128]]),
        (ColorSpec::BT709_LIMITED, [[63, 102, 240], [173, 42, 26], [32, 240, 118], [235, 128, 128]]),
        (ColorSpec::BT601_FULL, [[76, 85, 255], [150, 44, 21], [29, 255, 107], [255, 128, 128]]),
        (ColorSpec::BT709_FULL, [[54, 99, 255], [182, 30, 12], [18, 255, 116], [255, 128, 128]]),
    ];
    let rgb = [[255, 0, 0], [0, 255, 0], [0, 0, 255], [255, 255, 255]];
    for conv in [Converter::new(), Converter::general_only()].iter_mut() {
        for (spec, yuv) in table {
            for (rgb, want) in rgb.into_iter().zip(yuv) {
                let mut src = Frame::tight(FourCc::Rgb4, 8, 8);
                src.fill(rgb, 255);
                let mut dst = Frame::tight(FourCc::Nv12, 8, 8);
                convert_whole(conv, &src, spec, &mut dst, spec);
                let got = dst.get(3, 3).0;
                assert!(got.iter().zip(want).all(|(g, w)| g.abs_diff(w) <= 1), "{spec:?} {rgb:?}: {got:?} vs {want:?}");
                // And back: within 2 of the original (the YCbCr codes are themselves rounded).
                let mut back = Frame::tight(FourCc::Rgb4, 8, 8);
                convert_whole(conv, &dst, spec, &mut back, spec);
                let got = back.get(3, 3).0;
                assert!(got.iter().zip(rgb).all(|(g, w)| g.abs_diff(w) <= 2), "{spec:?} back: {got:?} vs {rgb:?}");
            }
        }
    }
}
