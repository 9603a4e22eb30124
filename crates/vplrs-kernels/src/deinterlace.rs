//! Deinterlacing by field interpolation ("bob" at the input's frame rate,
//! `MFX_DEINTERLACING_BOB`): the first field's rows are kept, each row of the other field becomes
//! the rounded average of the kept rows above and below it (at the frame's edge, the one kept
//! neighbour). Every plane is treated alike, chroma rows belonging to the fields in turn as the
//! 4:2:0 interlaced layout has them.

use vplrs_memory::{FourCc, FrameView, FrameViewMut};

use crate::error::KernelError;

/// Which field of an interlaced frame comes first in time (and is kept).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FirstField {
    /// The even rows (`MFX_PICSTRUCT_FIELD_TFF`).
    Top,
    /// The odd rows (`MFX_PICSTRUCT_FIELD_BFF`).
    Bottom,
}

/// Bytes per sample, for formats whose samples average byte-wise (8 bits) or as 16-bit words;
/// `None` for 10-bit fields packed in 32-bit words (A2RGB10, Y410).
fn sample_bytes(fourcc: FourCc) -> Option<usize> {
    match fourcc {
        FourCc::Nv12 | FourCc::I420 | FourCc::Yv12 | FourCc::Yuy2 | FourCc::Ayuv | FourCc::Rgb4 | FourCc::Bgr4 => {
            Some(1)
        }
        FourCc::P010 | FourCc::Y210 => Some(2),
        FourCc::A2Rgb10 | FourCc::Y410 => None,
    }
}

/// True when frames of `fourcc` can be deinterlaced.
pub fn deinterlace_supports(fourcc: FourCc) -> bool {
    sample_bytes(fourcc).is_some()
}

/// Writes the progressive frame of interlaced `src` into `dst` (same format and size): the rows
/// of the picture, whose last row is `picture_bottom` - 1 (rows below it, the allocation's padding,
/// are no neighbours).
pub fn bob(
    src: &FrameView<'_>,
    dst: &mut FrameViewMut<'_>,
    first: FirstField,
    picture_bottom: u32,
) -> Result<(), KernelError> {
    let unsupported = KernelError::Unsupported { from: src.fourcc, to: dst.fourcc };
    if src.fourcc != dst.fourcc || src.width != dst.width || src.height != dst.height {
        return Err(unsupported);
    }
    let wide = sample_bytes(src.fourcc).ok_or(unsupported)? == 2;
    let kept = match first {
        FirstField::Top => 0,
        FirstField::Bottom => 1,
    };
    for (index, source) in src.planes().iter().enumerate() {
        let target = dst.plane_mut(index);
        let bytes = source.row_bytes().min(target.row_bytes());
        let plane_rows = source.rows().min(target.rows());
        // The picture's rows on this plane (4:2:0 chroma: half as many, rounded up).
        let rows = (picture_bottom.min(src.height) as usize * source.rows()).div_ceil(src.height.max(1) as usize);
        let rows = rows.min(plane_rows);
        for y in 0..rows {
            let out = &mut target.row_mut(y)[..bytes];
            if y % 2 == kept {
                out.copy_from_slice(&source.row(y)[..bytes]);
                continue;
            }
            // The kept rows around this one (one of them at an edge).
            let above = if y > 0 { y - 1 } else { y + 1 };
            let below = if y + 1 < rows { y + 1 } else { y - 1 };
            if above >= rows || below >= rows {
                // A frame of one row: nothing to interpolate from.
                out.copy_from_slice(&source.row(y)[..bytes]);
                continue;
            }
            let (a, b) = (&source.row(above)[..bytes], &source.row(below)[..bytes]);
            if wide {
                for ((o, a), b) in out.chunks_exact_mut(2).zip(a.chunks_exact(2)).zip(b.chunks_exact(2)) {
                    // 10-bit values in the high bits of the words (P010, Y210).
                    let value = |w: &[u8]| u32::from(u16::from_le_bytes([w[0], w[1]]) >> 6);
                    let average = ((value(a) + value(b) + 1) >> 1) as u16;
                    o.copy_from_slice(&(average << 6).to_le_bytes());
                }
            } else {
                for ((o, &a), &b) in out.iter_mut().zip(a).zip(b) {
                    *o = ((u16::from(a) + u16::from(b) + 1) >> 1) as u8;
                }
            }
        }
    }
    Ok(())
}

/// Field processing (`mfxExtVPPFieldProcessing`): rows moved between the fields of frames of one
/// format and size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldProcessing {
    /// The whole frame (`MFX_VPP_COPY_FRAME`).
    CopyFrame,
    /// One field of the input into one field of the output, the output's other field untouched
    /// (`MFX_VPP_COPY_FIELD`).
    CopyField {
        /// The input field read.
        from: FirstField,
        /// The output field written.
        to: FirstField,
    },
    /// The top field becomes the bottom one and the bottom the top (`MFX_VPP_SWAP_FIELDS`).
    SwapFields,
}

/// Moves rows of `src` into `dst` (same format and size) as `mode` says.
pub fn process_fields(
    src: &FrameView<'_>,
    dst: &mut FrameViewMut<'_>,
    mode: FieldProcessing,
) -> Result<(), KernelError> {
    if src.fourcc != dst.fourcc || src.width != dst.width || src.height != dst.height {
        return Err(KernelError::Unsupported { from: src.fourcc, to: dst.fourcc });
    }
    let parity = |field: FirstField| match field {
        FirstField::Top => 0,
        FirstField::Bottom => 1,
    };
    for (index, source) in src.planes().iter().enumerate() {
        let target = dst.plane_mut(index);
        let bytes = source.row_bytes().min(target.row_bytes());
        let rows = source.rows().min(target.rows());
        for y in 0..rows {
            // The input row that output row `y` takes, if it takes one.
            let from = match mode {
                FieldProcessing::CopyFrame => Some(y),
                FieldProcessing::CopyField { from, to } => (y % 2 == parity(to)).then(|| y - parity(to) + parity(from)),
                FieldProcessing::SwapFields => Some(y ^ 1),
            };
            if let Some(from) = from.filter(|&row| row < rows) {
                target.row_mut(y)[..bytes].copy_from_slice(&source.row(from)[..bytes]);
            }
        }
    }
    Ok(())
}
