//! Rotation and mirroring: every sample lands where the geometry says, for every format that
//! has it, and the compositions agree (four quarter turns are none, a horizontal mirror and a
//! 270° turn are a transpose, 180° is both mirrors).

use vplrs_kernels::{orient, KernelError, Mirror, Orientation, Rect, Rotation};
use vplrs_memory::{FourCc, FrameInfo, FrameLayout, LayoutOptions};

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

/// A frame buffer with its layout, bytes from a simple generator.
struct Frame {
    layout: FrameLayout,
    bytes: Vec<u8>,
}

impl Frame {
    fn new(fourcc: FourCc, width: u32, height: u32, seed: u32) -> Self {
        let layout = FrameLayout::new(&FrameInfo::new(fourcc, width, height), LayoutOptions::default()).unwrap();
        let mut state = seed.wrapping_mul(2_654_435_761).wrapping_add(1);
        let bytes = (0..layout.size)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                state as u8
            })
            .collect();
        Self { layout, bytes }
    }

    /// The picture's bytes, plane by plane, row by row (no padding).
    fn picture(&self) -> Vec<u8> {
        let mut out = Vec::new();
        for p in self.layout.planes() {
            for row in 0..p.rows {
                out.extend_from_slice(&self.bytes[p.offset + row * p.pitch..][..p.row_bytes]);
            }
        }
        out
    }

    /// The bytes of element (x, y) of plane `plane`, `size` bytes an element.
    fn element(&self, plane: usize, x: usize, y: usize, size: usize) -> &[u8] {
        let p = self.layout.planes()[plane];
        let at = p.offset + y * p.pitch + x * size;
        &self.bytes[at..at + size]
    }
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

fn apply(src: &mut Frame, orientation: Orientation) -> Frame {
    apply_to(src, orientation, src.layout.width, src.layout.height)
}

/// Orients the top-left `w` x `h` of `src` into a new frame.
fn apply_to(src: &mut Frame, orientation: Orientation, w: u32, h: u32) -> Frame {
    let (ow, oh) = orientation.oriented(w, h);
    let mut dst = Frame::new(src.layout.fourcc, ow, oh, 0);
    let layout = src.layout;
    let source = layout.view_mut(&mut src.bytes).unwrap();
    let dst_layout = dst.layout;
    let mut target = dst_layout.view_mut(&mut dst.bytes).unwrap();
    let src_rect = Rect { x: 0, y: 0, width: w, height: h };
    let dst_rect = Rect { x: 0, y: 0, width: ow, height: oh };
    orient(&source.as_view(), src_rect, &mut target, dst_rect, orientation).unwrap();
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
                    let mut src = Frame::new(fourcc, width as u32, height as u32, 7);
                    let dst = apply_to(&mut src, orientation, width as u32, height as u32);
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
                                    dst.element(plane, x, y, size),
                                    src.element(plane, ix, iy, size),
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
        let mut src = Frame::new(fourcc, 64, 32, 3);
        let mut once = apply(&mut src, turn(Rotation::Quarter));
        let mut twice = apply(&mut once, turn(Rotation::Quarter));
        let mut thrice = apply(&mut twice, turn(Rotation::Quarter));
        let four = apply(&mut thrice, turn(Rotation::Quarter));
        assert!(four.picture() == src.picture(), "{fourcc}: four quarter turns");
        let half = apply(&mut src, turn(Rotation::Half));
        assert!(half.picture() == twice.picture(), "{fourcc}: 180 is two quarter turns");
        let mut horizontal = apply(&mut src, Orientation { mirror: Mirror::Horizontal, rotation: Rotation::None });
        let both = apply(&mut horizontal, Orientation { mirror: Mirror::Vertical, rotation: Rotation::None });
        assert!(both.picture() == half.picture(), "{fourcc}: 180 is both mirrors");
        let transpose = apply(&mut src, Orientation { mirror: Mirror::Horizontal, rotation: Rotation::ThreeQuarters });
        let y = &transpose.layout.planes()[0];
        for (row, col) in [(0usize, 5usize), (7, 3), (63, 31)] {
            let size = grids(fourcc)[0].0;
            assert_eq!(
                &transpose.bytes[y.offset + row * y.pitch + col * size..][..size],
                src.element(0, row, col, size),
                "{fourcc}: a horizontal mirror then 270 is a transpose"
            );
        }
    }
}

#[test]
fn packed_422_and_mismatched_rects_are_refused() {
    let quarter = Orientation { mirror: Mirror::None, rotation: Rotation::Quarter };
    for fourcc in [FourCc::Yuy2, FourCc::Y210] {
        assert!(!quarter.supports(fourcc));
        let mut src = Frame::new(fourcc, 32, 16, 1);
        let mut dst = Frame::new(fourcc, 16, 32, 1);
        let (sl, dl) = (src.layout, dst.layout);
        let source = sl.view_mut(&mut src.bytes).unwrap();
        let mut target = dl.view_mut(&mut dst.bytes).unwrap();
        let result = orient(
            &source.as_view(),
            Rect { x: 0, y: 0, width: 32, height: 16 },
            &mut target,
            Rect { x: 0, y: 0, width: 16, height: 32 },
            quarter,
        );
        assert!(matches!(result, Err(KernelError::Unsupported { .. })), "{fourcc}: {result:?}");
    }
    let mut src = Frame::new(FourCc::I420, 32, 16, 1);
    let mut dst = Frame::new(FourCc::I420, 32, 16, 1);
    let (sl, dl) = (src.layout, dst.layout);
    let source = sl.view_mut(&mut src.bytes).unwrap();
    let mut target = dl.view_mut(&mut dst.bytes).unwrap();
    let whole = Rect { x: 0, y: 0, width: 32, height: 16 };
    assert!(orient(&source.as_view(), whole, &mut target, whole, quarter).is_err(), "a quarter turn swaps the sizes");
}
