//! The picture size and format of a VP9 key frame or intra-only frame, read from its uncompressed
//! header (VP9 Bitstream & Decoding Process Specification, 6.2) before the frame is decoded: how
//! the decoder sees a new sequence coming before it writes into surfaces that cannot hold it.
//! Inter frames (whose size follows their references) and shown-existing frames give nothing.

use vplrs_ffmpeg::PixelFormat;

/// The size and format of a frame's pictures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Vp9Shape {
    pub width: u32,
    pub height: u32,
    pub format: PixelFormat,
}

/// Reads bits most significant first.
struct Bits<'a> {
    data: &'a [u8],
    position: usize,
}

impl Bits<'_> {
    fn bit(&mut self) -> Option<u32> {
        let byte = *self.data.get(self.position / 8)?;
        let bit = (byte >> (7 - self.position % 8)) & 1;
        self.position += 1;
        Some(u32::from(bit))
    }

    fn bits(&mut self, count: u32) -> Option<u32> {
        (0..count).try_fold(0, |value, _| Some((value << 1) | self.bit()?))
    }
}

const SYNC_CODE: u32 = 0x49_83_42;
const CS_RGB: u32 = 7;

/// The shape of the first frame in `data` (a frame, or a superframe whose first frame is read).
pub(crate) fn frame_shape(data: &[u8]) -> Option<Vp9Shape> {
    let mut r = Bits { data, position: 0 };
    if r.bits(2)? != 2 {
        return None; // frame_marker
    }
    let profile_low = r.bit()?;
    let profile = (r.bit()? << 1) | profile_low;
    if profile == 3 {
        r.bit()?; // reserved_zero
    }
    if r.bit()? == 1 {
        return None; // show_existing_frame
    }
    let key_frame = r.bit()? == 0;
    let show_frame = r.bit()?;
    let error_resilient = r.bit()?;
    let format = if key_frame {
        if r.bits(24)? != SYNC_CODE {
            return None;
        }
        color_config(&mut r, profile)?
    } else {
        let intra_only = if show_frame == 1 { 0 } else { r.bit()? };
        if error_resilient == 0 {
            r.bits(2)?; // reset_frame_context
        }
        if intra_only == 0 || r.bits(24)? != SYNC_CODE {
            return None;
        }
        let format = if profile > 0 { color_config(&mut r, profile)? } else { PixelFormat::Yuv420p };
        r.bits(8)?; // refresh_frame_flags
        format
    };
    let width = r.bits(16)? + 1;
    let height = r.bits(16)? + 1;
    Some(Vp9Shape { width, height, format })
}

/// `color_config()`: the bit depth and chroma subsampling, as libavcodec's pixel format.
fn color_config(r: &mut Bits<'_>, profile: u32) -> Option<PixelFormat> {
    let bit_depth = if profile >= 2 {
        if r.bit()? == 1 {
            12
        } else {
            10
        }
    } else {
        8
    };
    let subsampling = if r.bits(3)? != CS_RGB {
        r.bit()?; // color_range
        if profile == 1 || profile == 3 {
            let x = r.bit()?;
            let y = r.bit()?;
            r.bit()?; // reserved_zero
            (x, y)
        } else {
            (1, 1)
        }
    } else {
        if profile == 1 || profile == 3 {
            r.bit()?; // reserved_zero
        }
        (0, 0)
    };
    Some(match (bit_depth, subsampling) {
        (8, (1, 1)) => PixelFormat::Yuv420p,
        (10, (1, 1)) => PixelFormat::Yuv420p10,
        (8, (1, 0)) => PixelFormat::Yuv422p,
        (8, (0, 0)) => PixelFormat::Yuv444p,
        (10, (1, 0)) => PixelFormat::Yuv422p10,
        (10, (0, 0)) => PixelFormat::Yuv444p10,
        // Formats vplrs does not decode into: a value no limit matches.
        _ => PixelFormat::Other(-1),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A key frame header: marker, profile 0, not shown-existing, key, shown, not resilient, sync
    /// code, BT.601 limited range, then 352x288.
    fn key_frame(width: u32, height: u32) -> Vec<u8> {
        let mut bits: Vec<u32> = vec![1, 0, 0, 0, 0, 0, 1, 0];
        let mut push = |value: u32, count: u32| (0..count).rev().for_each(|i| bits.push((value >> i) & 1));
        push(SYNC_CODE, 24);
        push(2, 3); // color_space BT.601
        push(0, 1); // color_range
        push(width - 1, 16);
        push(height - 1, 16);
        bits.chunks(8).map(|byte| byte.iter().fold(0u8, |acc, &b| (acc << 1) | b as u8) << (8 - byte.len())).collect()
    }

    #[test]
    fn key_frame_sizes_are_read() {
        assert_eq!(
            frame_shape(&key_frame(352, 288)),
            Some(Vp9Shape { width: 352, height: 288, format: PixelFormat::Yuv420p })
        );
        assert_eq!(frame_shape(&key_frame(1920, 1080)).map(|s| (s.width, s.height)), Some((1920, 1080)));
        // Truncated or not a frame: nothing.
        assert_eq!(frame_shape(&key_frame(352, 288)[..4]), None);
        assert_eq!(frame_shape(&[0u8; 16]), None);
    }
}
