//! Colour fill: black, in each format's own terms, around the kept rectangle; nothing inside it
//! touched.

mod common;

use common::Frame;
use vplrs_kernels::{fill_outside, ColorSpec, Matrix, Range, Rect};
use vplrs_memory::FourCc;

#[test]
fn black_surrounds_the_kept_rectangle_in_every_format() {
    // (format, range, the first plane's black element).
    let cases: [(FourCc, Range, &[u8]); 8] = [
        (FourCc::I420, Range::Limited, &[16]),
        (FourCc::Nv12, Range::Full, &[0]),
        (FourCc::P010, Range::Limited, &[0x00, 0x10]),
        (FourCc::Yuy2, Range::Limited, &[16, 128, 16, 128]),
        (FourCc::Ayuv, Range::Limited, &[128, 128, 16, 255]),
        (FourCc::Rgb4, Range::Full, &[0, 0, 0, 255]),
        (FourCc::A2Rgb10, Range::Full, &[0, 0, 0, 0xc0]),
        (FourCc::Y410, Range::Limited, &((512u32 | 64 << 10 | 512 << 20 | 3 << 30).to_le_bytes())),
    ];
    for (fourcc, range, black) in cases {
        let mut frame = Frame::surface(fourcc, 64, 32);
        frame.buf.fill(0xab);
        let keep = Rect { x: 16, y: 8, width: 32, height: 16 };
        fill_outside(&mut frame.view_mut(), keep, ColorSpec::new(Matrix::Bt709, range)).unwrap();
        let (offset, pitch, _, _) = frame.planes[0];
        let element = black.len();
        let at = |x: usize, y: usize| &frame.buf[offset + y * pitch + x * element..][..element];
        // Packed 4:2:2: an element is a macropixel of two columns.
        let per = if matches!(fourcc, FourCc::Yuy2) { 2 } else { 1 };
        assert_eq!(at(0, 0), black, "{fourcc}: top-left corner");
        assert_eq!(at(63 / per, 31), black, "{fourcc}: bottom-right corner");
        assert_eq!(at(15 / per, 10), black, "{fourcc}: left of the rectangle");
        assert!(at(16 / per, 8).iter().all(|&b| b == 0xab), "{fourcc}: the rectangle is kept");
        assert!(at(47 / per, 23).iter().all(|&b| b == 0xab), "{fourcc}: the rectangle is kept");
    }
}
