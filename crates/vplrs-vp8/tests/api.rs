//! Output API: planes, strides, cropping, I420 writing, scaling bits,
//! hidden frames and `Send`.

mod common;

use common::*;
use vplrs_vp8::{Decoder, Frame};

#[test]
fn decoder_is_send() {
    fn assert_send<T: Send>() {}
    assert_send::<Decoder>();
}

fn check_frame(frame: &Frame<'_>) {
    let (w, h) = (frame.width() as usize, frame.height() as usize);
    let (cw, ch) = (frame.chroma_width() as usize, frame.chroma_height() as usize);
    assert_eq!((cw, ch), (w.div_ceil(2), h.div_ceil(2)));
    // I420 writing equals copying, and equals walking the planes by hand.
    let mut written = Vec::new();
    frame.write_i420(&mut written).unwrap();
    let mut copied = vec![0u8; frame.i420_len()];
    assert_eq!(frame.copy_i420(&mut copied), Some(copied.len()));
    assert!(frame.copy_i420(&mut [0u8; 3]).is_none());
    assert_eq!(written, copied);
    let mut manual = Vec::new();
    for (p, (pw, ph)) in [(w, h), (cw, ch), (cw, ch)].into_iter().enumerate() {
        let plane = frame.plane(p);
        let stride = frame.stride(p);
        assert!(stride >= pw);
        for y in 0..ph {
            manual.extend_from_slice(&plane[y * stride..y * stride + pw]);
        }
    }
    assert_eq!(manual, written);
    assert_eq!(frame.y().as_ptr(), frame.plane(0).as_ptr());
    assert_eq!(frame.u().as_ptr(), frame.plane(1).as_ptr());
    assert_eq!(frame.v().as_ptr(), frame.plane(2).as_ptr());
}

#[test]
fn frames_are_cropped_and_consistent() {
    // Includes the odd-sized vectors.
    for path in vector_files().iter().filter(|p| {
        let s = p.to_string_lossy();
        s.contains("1425") || s.contains("comprehensive-008") || s.contains("1416")
    }) {
        let frames = read_ivf(path);
        let mut dec = Decoder::new();
        let mut shown = 0;
        for f in &frames {
            if let Some(frame) = dec.decode(f).unwrap() {
                check_frame(&frame);
                shown += 1;
            }
        }
        assert_eq!(shown, expected_md5s(path).len());
        let last = dec.last_frame().unwrap();
        assert_eq!(frame_md5(&last), *expected_md5s(path).last().unwrap());
    }
}

#[test]
fn scale_bits_are_reported() {
    let path = &vector_files()[0];
    let mut frames = read_ivf(path);
    // Set horizontal scale 2 and vertical scale 3 on the key frame.
    frames[0][7] |= 2 << 6;
    frames[0][9] |= 3 << 6;
    let mut dec = Decoder::new();
    let frame = dec.decode(&frames[0]).unwrap().unwrap();
    assert_eq!((frame.horizontal_scale(), frame.vertical_scale()), (2, 3));
    assert_eq!((frame.width(), frame.height()), (176, 144));
    assert!(frame.is_keyframe());
}

#[test]
fn hidden_frames_are_not_returned() {
    // Hide every inter frame by clearing its show_frame bit: they still
    // decode (and update references) but are not returned.
    let path = &vector_files()[0];
    let mut frames = read_ivf(path);
    for f in frames.iter_mut().skip(1) {
        f[0] &= !0x10;
    }
    let mut dec = Decoder::new();
    assert!(dec.decode(&frames[0]).unwrap().is_some());
    for f in frames.iter().skip(1) {
        assert!(dec.decode(f).unwrap().is_none());
    }
    // The last shown frame is still the key frame.
    let first = expected_md5s(path)[0].clone();
    assert_eq!(frame_md5(&dec.last_frame().unwrap()), first);
}
