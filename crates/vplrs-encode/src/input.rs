//! Surfaces handed to libavcodec as encoder input.
//!
//! Where the encoder takes the surface's layout (I420 and YV12 everywhere, NV12 for libx264) the
//! picture's planes point into the surface: a read mapping keeps them valid and unchanged and a
//! Locked hold tells the application the encoder still has the frame, both owned by the picture
//! and dropped by libavcodec's buffer free callback. Otherwise (NV12 for x265, SVT-AV1 and MJPEG;
//! P010, whose samples sit in the high bits) the surface is converted once into a recycled buffer,
//! and the copy is counted.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use vplrs_ffmpeg::{EncoderCodec, InputLayout, InputPicture};
use vplrs_memory::{FourCc, FrameView, LockedHold, ReadGuard, Rect, Surface};

use crate::EncodeError;

/// How pictures of one FourCC reach one encoder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum InputPath {
    /// The encoder reads the surface in place.
    InPlace(InputLayout),
    /// The surface is converted to this layout first.
    Convert(InputLayout),
}

impl InputPath {
    pub fn choose(fourcc: FourCc, codec: EncoderCodec) -> Self {
        match fourcc {
            FourCc::I420 | FourCc::Yv12 => Self::InPlace(InputLayout::Yuv420p),
            FourCc::Nv12 if InputLayout::Nv12.accepted_by(codec) => Self::InPlace(InputLayout::Nv12),
            FourCc::P010 => Self::Convert(InputLayout::Yuv420p10),
            _ => Self::Convert(InputLayout::Yuv420p),
        }
    }

    pub fn layout(self) -> InputLayout {
        match self {
            Self::InPlace(layout) | Self::Convert(layout) => layout,
        }
    }
}

/// Conversion buffers, recycled once libavcodec lets go of the picture in them.
#[derive(Default)]
pub(crate) struct Scratch {
    spare: Mutex<Vec<Vec<u8>>>,
    pub copies: AtomicU64,
}

/// What a picture read in place keeps alive.
struct SurfaceOwner {
    _read: ReadGuard,
    _hold: LockedHold,
}

/// A conversion buffer that goes back to its [`Scratch`] when dropped.
struct ScratchOwner {
    buffer: Vec<u8>,
    scratch: Arc<Scratch>,
}

impl Drop for ScratchOwner {
    fn drop(&mut self) {
        let buffer = std::mem::take(&mut self.buffer);
        self.scratch.spare.lock().push(buffer);
    }
}

/// Where a picture stands in the encoder's input.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Stamp {
    pub pts: i64,
    /// Code it as a key frame.
    pub force_key: bool,
    /// The encoder's count of input pictures, from 1 (named in pool reports while it holds it).
    pub operation: u64,
}

/// The picture of `surface` for the encoder, `crop` being the coded part of it.
pub(crate) fn picture(
    surface: &Surface,
    crop: Rect,
    path: InputPath,
    scratch: &Arc<Scratch>,
    stamp: Stamp,
    lsb_aligned: bool,
) -> Result<InputPicture, EncodeError> {
    let Stamp { pts, force_key, operation } = stamp;
    let read = surface.map_read()?;
    let hold = surface
        .hold_for_operation("the encoder (an input picture)", operation)
        .map_err(|_| EncodeError::InvalidSurface("the surface's Locked counter is full"))?;
    let fourcc = surface.layout().fourcc;
    match path {
        InputPath::InPlace(_) => {
            let planes = {
                let view = read.view();
                in_place_planes(&view, fourcc, crop)?
            };
            let owner = Box::new(SurfaceOwner { _read: read, _hold: hold });
            Ok(InputPicture { planes, pts, force_key, owner })
        }
        InputPath::Convert(layout) => {
            let mut buffer = scratch.spare.lock().pop().unwrap_or_default();
            let planes = convert(&read.view(), fourcc, crop, layout, lsb_aligned, &mut buffer)?;
            scratch.copies.fetch_add(1, Ordering::Relaxed);
            drop(hold);
            drop(read);
            let owner = Box::new(ScratchOwner { buffer, scratch: scratch.clone() });
            // The planes point into the buffer's heap allocation, which moving the Vec into the
            // owner does not move.
            let base = owner.buffer.as_ptr();
            let planes = planes.map(|(offset, pitch)| (base.wrapping_add(offset), pitch));
            Ok(InputPicture { planes, pts, force_key, owner })
        }
    }
}

/// Plane starts (at the crop) and pitches, in libavcodec's order (Y, U, V or Y, UV).
fn in_place_planes(view: &FrameView<'_>, fourcc: FourCc, crop: Rect) -> Result<[(*const u8, usize); 3], EncodeError> {
    let at = |index: usize, x: usize, y: usize| {
        let plane = view.plane(index);
        let offset = y * plane.pitch() + x;
        if offset >= plane.data().len() {
            return Err(EncodeError::InvalidSurface("the crop lies outside the surface"));
        }
        Ok((plane.data()[offset..].as_ptr(), plane.pitch()))
    };
    let (x, y) = (crop.x as usize, crop.y as usize);
    Ok(match fourcc {
        FourCc::I420 => [at(0, x, y)?, at(1, x / 2, y / 2)?, at(2, x / 2, y / 2)?],
        // YV12 keeps V before U.
        FourCc::Yv12 => [at(0, x, y)?, at(2, x / 2, y / 2)?, at(1, x / 2, y / 2)?],
        FourCc::Nv12 => [at(0, x, y)?, at(1, x, y / 2)?, (std::ptr::null(), 0)],
        _ => return Err(EncodeError::InvalidSurface("no in-place path for this FourCC")),
    })
}

/// Converts the crop of `view` into `buffer` as `layout`; returns plane offsets and pitches.
fn convert(
    view: &FrameView<'_>,
    fourcc: FourCc,
    crop: Rect,
    layout: InputLayout,
    lsb_aligned: bool,
    buffer: &mut Vec<u8>,
) -> Result<[(usize, usize); 3], EncodeError> {
    let (width, height) = (crop.width as usize, crop.height as usize);
    let (x, y) = (crop.x as usize, crop.y as usize);
    let sample = if layout == InputLayout::Yuv420p10 { 2 } else { 1 };
    // Pitches padded to 64 bytes: SIMD readers in the encoders like aligned rows.
    let luma_pitch = (width * sample).next_multiple_of(64);
    let chroma_pitch = (width / 2 * sample).next_multiple_of(64);
    let luma_size = luma_pitch * height;
    let chroma_size = chroma_pitch * (height / 2);
    buffer.clear();
    buffer.resize(luma_size + 2 * chroma_size + 64, 0);
    // Plane starts aligned to 64 inside the buffer.
    let misalign = buffer.as_ptr().align_offset(64);
    let offsets = [misalign, misalign + luma_size, misalign + luma_size + chroma_size];
    let (luma, chroma) = buffer[offsets[0]..].split_at_mut(luma_size);
    let (u_out, v_out) = chroma.split_at_mut(chroma_size);
    match (fourcc, layout) {
        (FourCc::Nv12, InputLayout::Yuv420p) => {
            let (y_in, uv_in) = (view.plane(0), view.plane(1));
            for row in 0..height {
                let src = &y_in.row(y + row)[x..x + width];
                luma[row * luma_pitch..row * luma_pitch + width].copy_from_slice(src);
            }
            for row in 0..height / 2 {
                let src = &uv_in.row(y / 2 + row)[x..x + width];
                let u = &mut u_out[row * chroma_pitch..row * chroma_pitch + width / 2];
                let v = &mut v_out[row * chroma_pitch..row * chroma_pitch + width / 2];
                for ((pair, u), v) in src.chunks_exact(2).zip(u.iter_mut()).zip(v.iter_mut()) {
                    *u = pair[0];
                    *v = pair[1];
                }
            }
        }
        (FourCc::P010, InputLayout::Yuv420p10) => {
            let (y_in, uv_in) = (view.plane(0), view.plane(1));
            // P010 holds samples in the high bits unless the parameters say Shift 0.
            let down = if lsb_aligned { 0 } else { 6 };
            let sample_at = |row: &[u8], i: usize| u16::from_le_bytes([row[2 * i], row[2 * i + 1]]) >> down;
            for row in 0..height {
                let src = y_in.row(y + row);
                let dst = &mut luma[row * luma_pitch..row * luma_pitch + 2 * width];
                for (i, out) in dst.chunks_exact_mut(2).enumerate() {
                    out.copy_from_slice(&sample_at(src, x + i).to_le_bytes());
                }
            }
            for row in 0..height / 2 {
                let src = uv_in.row(y / 2 + row);
                let u = &mut u_out[row * chroma_pitch..row * chroma_pitch + width];
                let v = &mut v_out[row * chroma_pitch..row * chroma_pitch + width];
                for (i, (u, v)) in u.chunks_exact_mut(2).zip(v.chunks_exact_mut(2)).enumerate() {
                    u.copy_from_slice(&sample_at(src, x + 2 * i).to_le_bytes());
                    v.copy_from_slice(&sample_at(src, x + 2 * i + 1).to_le_bytes());
                }
            }
        }
        _ => return Err(EncodeError::InvalidSurface("no conversion for this FourCC")),
    }
    Ok([(offsets[0], luma_pitch), (offsets[1], chroma_pitch), (offsets[2], chroma_pitch)])
}
