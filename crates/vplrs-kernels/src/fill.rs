//! Colour fill (`mfxExtVPPColorFill`): the area of a frame outside its picture rectangle painted
//! black, in the frame's format and range (limited-range luma 16 or full-range 0, chroma at its
//! midpoint, opaque alpha).

use vplrs_memory::{FourCc, FrameViewMut, Rect};

use crate::color::{ColorSpec, Range};
use crate::error::{KernelError, Side};

/// One plane's black element: its bytes, and the log2 of its horizontal and vertical
/// subsampling (in luma columns a packed 4:2:2 macropixel covers two).
struct BlackPlane {
    element: Vec<u8>,
    x_shift: u32,
    y_shift: u32,
}

fn le16(value: u16) -> [u8; 2] {
    value.to_le_bytes()
}

fn black_planes(fourcc: FourCc, color: ColorSpec) -> Vec<BlackPlane> {
    let full = color.range == Range::Full;
    let (y8, y10) = if full { (0u8, 0u16) } else { (16u8, 64u16) };
    let plane = |element: Vec<u8>, x_shift, y_shift| BlackPlane { element, x_shift, y_shift };
    match fourcc {
        FourCc::I420 | FourCc::Yv12 => vec![plane(vec![y8], 0, 0), plane(vec![128], 1, 1), plane(vec![128], 1, 1)],
        FourCc::Nv12 => vec![plane(vec![y8], 0, 0), plane(vec![128, 128], 1, 1)],
        FourCc::P010 => {
            let (y, c) = (le16(y10 << 6), le16(512 << 6));
            vec![plane(y.to_vec(), 0, 0), plane([c, c].concat(), 1, 1)]
        }
        FourCc::Yuy2 => vec![plane(vec![y8, 128, y8, 128], 1, 0)],
        FourCc::Y210 => {
            let (y, c) = (le16(y10 << 6), le16(512 << 6));
            vec![plane([y, c, y, c].concat(), 1, 0)]
        }
        FourCc::Ayuv => vec![plane(vec![128, 128, y8, 255], 0, 0)],
        FourCc::Rgb4 | FourCc::Bgr4 => vec![plane(vec![0, 0, 0, 255], 0, 0)],
        FourCc::A2Rgb10 => vec![plane((3u32 << 30).to_le_bytes().to_vec(), 0, 0)],
        FourCc::Y410 => {
            let word = 512u32 | u32::from(y10) << 10 | 512 << 20 | 3 << 30;
            vec![plane(word.to_le_bytes().to_vec(), 0, 0)]
        }
    }
}

/// Paints everything of `frame` outside `keep` black (`color`: the frame's matrix and range).
pub fn fill_outside(frame: &mut FrameViewMut<'_>, keep: Rect, color: ColorSpec) -> Result<(), KernelError> {
    let (width, height) = (frame.width, frame.height);
    if keep.x + keep.width > width || keep.y + keep.height > height {
        return Err(KernelError::RectOutsideFrame { side: Side::Destination, rect: keep, width, height });
    }
    for (index, black) in black_planes(frame.fourcc, color).iter().enumerate() {
        let bytes = black.element.len();
        let plane = frame.plane_mut(index);
        // The kept rectangle on this plane's grid (a partly covered element is kept).
        let (kx0, ky0) = ((keep.x >> black.x_shift) as usize, (keep.y >> black.y_shift) as usize);
        let kx1 = (keep.x + keep.width).div_ceil(1 << black.x_shift) as usize;
        let ky1 = (keep.y + keep.height).div_ceil(1 << black.y_shift) as usize;
        let columns = (plane.row_bytes() / bytes).min(width.div_ceil(1 << black.x_shift) as usize);
        let rows = plane.rows().min(height.div_ceil(1 << black.y_shift) as usize);
        for y in 0..rows {
            let row = &mut plane.row_mut(y)[..columns * bytes];
            let paint = |span: &mut [u8]| span.chunks_exact_mut(bytes).for_each(|e| e.copy_from_slice(&black.element));
            if y < ky0 || y >= ky1 {
                paint(row);
            } else {
                paint(&mut row[..kx0.min(columns) * bytes]);
                paint(&mut row[kx1.min(columns) * bytes..]);
            }
        }
    }
    Ok(())
}
