//! Rotation and mirroring: every sample lands where the geometry says, for every format that
//! has it, and the compositions agree (four quarter turns are none, a horizontal mirror and a
//! 270° turn are a transpose, 180° is both mirrors).

mod common;

use common::Frame;
use vplrs_kernels::{orient, KernelError, Mirror, Orientation, Rect, Rotation};
use vplrs_memory::FourCc;

const ROTATIONS: [Rotation; 4] = [Rotation::None, Rotation::Quarter, Rotation::Half, Rotation::ThreeQuarters];
const MIRRORS: [Mirror; 3] = [Mirror::None, Mirror::Horizontal, Mirror::Vertical];
const FORMATS: [FourCc; 9] = [
    FourCc::I420,
    FourCc::Yv12,
    FourCc::Nv12,
    FourCc::P010,
    FourCc::Ayuv,
    FourCc::Rgb4,
    FourCc::Bgr4,
    FourCc::A2Rgb10,
    FourCc::Y410,
];

/// A surface-shaped test frame (`common::Frame`) filled from a simple generator.
fn random_frame(fourcc: FourCc, width: u32, height: u32, seed: u32) -> Frame {
    let mut frame = Frame::surface(fourcc, width, height);
    let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
    for byte in &mut frame.buf {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        *byte = state as u8;
    }
    frame
}

/// The picture's bytes, plane by plane, row by row (no padding).
fn picture(frame: &Frame) -> Vec<u8> {
    let mut out = Vec::new();
    for &(offset, pitch, row_bytes, rows) in &frame.planes {
        for row in 0..rows {
            out.extend_from_slice(&frame.buf[offset + row * pitch..][..row_bytes]);
        }
    }
    out
}

/// The bytes of element (x, y) of plane `plane`, `size` bytes an element.
fn element(frame: &Frame, plane: usize, x: usize, y: usize, size: usize) -> &[u8] {
    let (offset, pitch, _, _) = frame.planes[plane];
    &frame.buf[offset + y * pitch + x * size..][..size]
}

/// (bytes per element, horizontal and vertical subsampling) of each plane.
fn grids(fourcc: FourCc) -> Vec<(usize, usize, usize)> {
    match fourcc {
        FourCc::I420 | FourCc::Yv12 => vec![(1, 1, 1), (1, 2, 2), (1, 2, 2)],
        FourCc::Nv12 => vec![(1, 1, 1), (2, 2, 2)],
        FourCc::P010 => vec![(2, 1, 1), (4, 2, 2)],
        _ => vec![(4, 1, 1)],
    }
}

fn apply(src: &Frame, orientation: Orientation) -> Frame {
    apply_to(src, orientation, src.width, src.height)
}

/// Orients the top-left `w` x `h` of `src` into a new frame.
fn apply_to(src: &Frame, orientation: Orientation, w: u32, h: u32) -> Frame {
    let (ow, oh) = orientation.oriented(w, h);
    let mut dst = random_frame(src.fourcc, ow, oh, 0);
    let src_rect = Rect { x: 0, y: 0, width: w, height: h };
    let dst_rect = Rect { x: 0, y: 0, width: ow, height: oh };
    orient(&src.view(), src_rect, &mut dst.view_mut(), dst_rect, orientation).unwrap();
    dst
}

#[test]
fn every_sample_lands_where_the_geometry_says() {
    for fourcc in FORMATS {
        for rotation in ROTATIONS {
            for mirror in MIRRORS {
                let orientation = Orientation { mirror, rotation };
                // Frames are 16-aligned: 52x38 is a crop of a 64x48 frame, whose 8x8 blocks do not
                // tile it.
                for (width, height) in [(48usize, 32usize), (52, 38)] {
                    let src = random_frame(fourcc, width as u32, height as u32, 7);
                    let dst = apply_to(&src, orientation, width as u32, height as u32);
                    for (plane, &(size, sx, sy)) in grids(fourcc).iter().enumerate() {
                        let (w, h) = (width / sx, height / sy);
                        let (ow, oh) = orientation.oriented(w as u32, h as u32);
                        for y in 0..oh as usize {
                            for x in 0..ow as usize {
                                // The rotation undone (clockwise turns), then the mirror.
                                let (mx, my) = match rotation {
                                    Rotation::None => (x, y),
                                    Rotation::Quarter => (y, h - 1 - x),
                                    Rotation::Half => (w - 1 - x, h - 1 - y),
                                    Rotation::ThreeQuarters => (w - 1 - y, x),
                                };
                                let (ix, iy) = match mirror {
                                    Mirror::None => (mx, my),
                                    Mirror::Horizontal => (w - 1 - mx, my),
                                    Mirror::Vertical => (mx, h - 1 - my),
                                };
                                assert_eq!(
                                    element(&dst, plane, x, y, size),
                                    element(&src, plane, ix, iy, size),
                                    "{fourcc} {orientation:?} {width}x{height} plane {plane} at ({x}, {y})"
                                );
                            }
                        }
                    }
                }
            }
        }
    }
}

#[test]
fn compositions_agree() {
    let turn = |rotation| Orientation { mirror: Mirror::None, rotation };
    for fourcc in [FourCc::I420, FourCc::Nv12, FourCc::Rgb4] {
        let src = random_frame(fourcc, 64, 32, 3);
        let once = apply(&src, turn(Rotation::Quarter));
        let twice = apply(&once, turn(Rotation::Quarter));
        let thrice = apply(&twice, turn(Rotation::Quarter));
        let four = apply(&thrice, turn(Rotation::Quarter));
        assert!(picture(&four) == picture(&src), "{fourcc}: four quarter turns");
        let half = apply(&src, turn(Rotation::Half));
        assert!(picture(&half) == picture(&twice), "{fourcc}: 180 is two quarter turns");
        let horizontal = apply(&src, Orientation { mirror: Mirror::Horizontal, rotation: Rotation::None });
        let both = apply(&horizontal, Orientation { mirror: Mirror::Vertical, rotation: Rotation::None });
        assert!(picture(&both) == picture(&half), "{fourcc}: 180 is both mirrors");
        let transpose = apply(&src, Orientation { mirror: Mirror::Horizontal, rotation: Rotation::ThreeQuarters });
        for (row, col) in [(0usize, 5usize), (7, 3), (63, 31)] {
            let size = grids(fourcc)[0].0;
            assert_eq!(
                element(&transpose, 0, col, row, size),
                element(&src, 0, row, col, size),
                "{fourcc}: a horizontal mirror then 270 is a transpose"
            );
        }
    }
}

#[test]
fn packed_422_and_mismatched_rects_are_refused() {
    let quarter = Orientation { mirror: Mirror::None, rotation: Rotation::Quarter };
    let attempt = |fourcc, (w, h): (u32, u32), (ow, oh): (u32, u32)| {
        let (src, mut dst) = (Frame::surface(fourcc, w, h), Frame::surface(fourcc, ow, oh));
        let (src_rect, dst_rect) = (src.rect(), dst.rect());
        orient(&src.view(), src_rect, &mut dst.view_mut(), dst_rect, quarter)
    };
    for fourcc in [FourCc::Yuy2, FourCc::Y210] {
        assert!(!quarter.supports(fourcc));
        let result = attempt(fourcc, (32, 16), (16, 32));
        assert!(matches!(result, Err(KernelError::Unsupported { .. })), "{fourcc}: {result:?}");
    }
    assert!(attempt(FourCc::I420, (32, 16), (32, 16)).is_err(), "a quarter turn swaps the sizes");
}
