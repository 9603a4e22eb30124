//! Packed raw frames (as `ffmpeg -f rawvideo` reads and writes them) to and from surface views.
//!
//! A raw frame is the crop rectangle of every plane, rows back to back without padding; chroma of
//! odd sizes rounds up, as FFmpeg does.

use std::io::Write;

use vplrs::{FourCc, FrameView, FrameViewMut, Rect};

/// Where one plane's part of the crop lies: byte column, byte width, first row, row count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PlaneWindow {
    x_bytes: usize,
    width_bytes: usize,
    y: usize,
    rows: usize,
}

fn windows(fourcc: FourCc, crop: Rect) -> Vec<PlaneWindow> {
    let (x, y, w, h) = (crop.x as usize, crop.y as usize, crop.width as usize, crop.height as usize);
    let luma = |bytes: usize| PlaneWindow { x_bytes: x * bytes, width_bytes: w * bytes, y, rows: h };
    let half_w = w.div_ceil(2);
    let half_rows = (y + h).div_ceil(2) - y / 2;
    let chroma = |bytes: usize, interleaved: bool| {
        let per = if interleaved { 2 * bytes } else { bytes };
        PlaneWindow { x_bytes: (x / 2) * per, width_bytes: half_w * per, y: y / 2, rows: half_rows }
    };
    match fourcc {
        FourCc::Nv12 => vec![luma(1), chroma(1, true)],
        FourCc::P010 => vec![luma(2), chroma(2, true)],
        FourCc::I420 | FourCc::Yv12 => vec![luma(1), chroma(1, false), chroma(1, false)],
        FourCc::Yuy2 => vec![PlaneWindow { x_bytes: (x / 2) * 4, width_bytes: half_w * 4, y, rows: h }],
        FourCc::Y210 => vec![PlaneWindow { x_bytes: (x / 2) * 8, width_bytes: half_w * 8, y, rows: h }],
        _ => vec![luma(4)],
    }
}

/// Bytes of one raw frame of `fourcc` cropped to `crop`.
pub fn frame_bytes(fourcc: FourCc, crop: Rect) -> usize {
    windows(fourcc, crop).iter().map(|w| w.width_bytes * w.rows).sum()
}

/// Writes the crop of `view` as a raw frame.
pub fn write_frame(view: &FrameView<'_>, crop: Rect, out: &mut impl Write) -> std::io::Result<()> {
    for (plane, window) in view.planes().iter().zip(windows(view.fourcc, crop)) {
        for row in window.y..window.y + window.rows {
            out.write_all(&plane.row(row)[window.x_bytes..window.x_bytes + window.width_bytes])?;
        }
    }
    Ok(())
}

/// Fills the crop of `view` from a raw frame.
pub fn read_frame(view: &mut FrameViewMut<'_>, crop: Rect, mut data: &[u8]) {
    let fourcc = view.fourcc;
    for (plane, window) in view.planes_mut().iter_mut().zip(windows(fourcc, crop)) {
        for row in window.y..window.y + window.rows {
            let (line, rest) = data.split_at(window.width_bytes);
            plane.row_mut(row)[window.x_bytes..window.x_bytes + window.width_bytes].copy_from_slice(line);
            data = rest;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_sizes_match_ffmpeg() {
        let crop = |w, h| Rect { x: 0, y: 0, width: w, height: h };
        assert_eq!(frame_bytes(FourCc::Nv12, crop(1920, 1080)), 1920 * 1080 * 3 / 2);
        assert_eq!(frame_bytes(FourCc::I420, crop(175, 143)), 175 * 143 + 2 * 88 * 72);
        assert_eq!(frame_bytes(FourCc::Nv12, crop(175, 143)), 175 * 143 + 176 * 72);
        assert_eq!(frame_bytes(FourCc::Rgb4, crop(7, 3)), 7 * 3 * 4);
        assert_eq!(frame_bytes(FourCc::Yuy2, crop(7, 3)), 8 * 2 * 3);
        assert_eq!(frame_bytes(FourCc::P010, crop(4, 4)), 4 * 4 * 2 + 4 * 2 * 2);
    }
}
