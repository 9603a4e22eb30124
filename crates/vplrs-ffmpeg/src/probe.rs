//! Stream parameters for `DecodeHeader`: a probe context decodes up to the first picture (in
//! libavcodec's own memory) and reports what the sequence headers and that picture say.

use crate::codec::{CodecId, FfmpegError};
use crate::decoder::{Decoder, DecoderConfig};
use crate::picture::PixelFormat;

/// What a stream's headers and first picture tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamInfo {
    /// Picture width.
    pub width: u32,
    /// Picture height.
    pub height: u32,
    /// Pixel format.
    pub format: PixelFormat,
    /// Full (JPEG) range rather than limited.
    pub full_range: bool,
    /// What libavcodec allocates for such a picture (`avcodec_align_dimensions2`), and the row
    /// alignment it needs.
    pub aligned_width: u32,
    /// See `aligned_width`.
    pub aligned_height: u32,
    /// See `aligned_width`.
    pub row_align: u32,
    /// Frame rate from the headers (0/0 when they say nothing).
    pub frame_rate: (u32, u32),
    /// Sample aspect ratio (0/0 when unknown).
    pub aspect: (u32, u32),
    /// Interlaced pictures.
    pub interlaced: bool,
    /// Their top field first.
    pub top_field_first: bool,
    /// Pictures the decoder may hold back for reordering (`has_b_frames`).
    pub reorder: u32,
    /// Reference frames the headers announce (`refs`; H.264's `max_num_ref_frames`; 0 when the
    /// decoder does not export it).
    pub refs: u32,
    /// libavcodec's `profile` and `level` (`FF_PROFILE_*`; negative when unknown).
    pub profile: i32,
    /// See `profile`.
    pub level: i32,
    /// Bytes of the input the probe used up to the first picture.
    pub consumed: usize,
}

/// Decodes `data` up to its first picture. `Ok(None)`: the data holds no complete picture.
pub fn probe(codec: CodecId, data: &[u8]) -> Result<Option<StreamInfo>, FfmpegError> {
    let mut decoder = Decoder::new(DecoderConfig::new(codec, None, 1))?;
    let mut offset = 0;
    let mut drained = false;
    loop {
        let first = decoder.receive()?.map(|picture| {
            (
                picture.format(),
                picture.full_range(),
                picture.width(),
                picture.height(),
                picture.is_interlaced(),
                picture.top_field_first(),
            )
        });
        if let Some((format, full_range, width, height, interlaced, top_field_first)) = first {
            let (aligned_width, aligned_height, row_align) = decoder.aligned_dimensions(width, height);
            let ctx = decoder.context();
            let rational = |r: ffmpeg_sys_next::AVRational| {
                if r.num > 0 && r.den > 0 {
                    (r.num as u32, r.den as u32)
                } else {
                    (0, 0)
                }
            };
            return Ok(Some(StreamInfo {
                width,
                height,
                format,
                full_range,
                aligned_width,
                aligned_height,
                row_align,
                frame_rate: rational(ctx.framerate),
                aspect: rational(ctx.sample_aspect_ratio),
                interlaced,
                top_field_first,
                reorder: ctx.has_b_frames.max(0) as u32,
                refs: ctx.refs.max(0) as u32,
                profile: ctx.profile,
                level: ctx.level,
                consumed: offset,
            }));
        }
        if drained {
            return Ok(None);
        }
        if offset >= data.len() {
            // The parser holds the last packet until it sees the end of the stream.
            let _ = decoder.send_eof();
            drained = true;
            continue;
        }
        let fed = decoder.feed(&data[offset..], None)?;
        offset += fed.consumed;
        if let Some(Err(error)) = &fed.sent {
            tracing::debug!(%error, "probe: packet refused");
        }
        if fed.consumed == 0 && fed.sent.is_none() {
            offset = data.len();
        }
    }
}
