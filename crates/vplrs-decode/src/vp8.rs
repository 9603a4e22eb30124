//! The VP8 backend: `vplrs-vp8` decodes into its own reference frames (internal memory, or XMA
//! segments the application supplied) and the shown picture is copied into the output surface —
//! one counted copy per picture, since VP8 references must outlive the surface handed out.

use vplrs_memory::{FourCc, FrameViewMut};
use vplrs_vp8::{DecodeError as Vp8Error, Decoder, Frame};

use crate::backend::{BackendError, Codec, DecoderBackend, FramePeek, Picture};

/// The pure-Rust VP8 decoder as a decode backend (its frames copied into the output surfaces).
pub struct Vp8Backend {
    decoder: Decoder,
    copies: u64,
}

impl Vp8Backend {
    /// A decoder that allocates its own working memory.
    pub fn new() -> Self {
        Self::with_decoder(Decoder::new())
    }

    /// Wraps a decoder made elsewhere, e.g. one in XMA mode whose segments are set.
    pub fn with_decoder(decoder: Decoder) -> Self {
        Self { decoder, copies: 0 }
    }
}

impl Default for Vp8Backend {
    fn default() -> Self {
        Self::new()
    }
}

/// Parses the frame tag (RFC 6386 section 9.1) and, for key frames, the size.
pub fn peek_frame(data: &[u8]) -> Result<FramePeek, BackendError> {
    let [b0, ..] = data else {
        return Err(BackendError::Bitstream("empty frame".into()));
    };
    let key_frame = b0 & 1 == 0;
    let shown = (b0 >> 4) & 1 == 1;
    let size = if key_frame {
        let info = vplrs_vp8::peek_stream_info(data).map_err(|e| BackendError::Bitstream(e.to_string()))?;
        Some((info.width, info.height))
    } else {
        None
    };
    Ok(FramePeek { shown, key_frame, size })
}

fn copy_picture(frame: &Frame<'_>, output: &mut FrameViewMut<'_>) -> Result<(), BackendError> {
    let (w, h) = (frame.width() as usize, frame.height() as usize);
    let (cw, ch) = (frame.chroma_width() as usize, frame.chroma_height() as usize);
    let fits = output.width as usize >= w && output.height as usize >= h;
    if !fits {
        return Err(BackendError::TooLarge {
            width: frame.width(),
            height: frame.height(),
            max_width: output.width,
            max_height: output.height,
        });
    }
    let fourcc = output.fourcc;
    let planes = output.planes_mut();
    for (dst, src) in planes[0].rows_mut().zip(frame.rows(0)) {
        dst[..w].copy_from_slice(src);
    }
    match fourcc {
        FourCc::Nv12 => {
            let uv = &mut planes[1];
            for ((dst, u), v) in uv.rows_mut().take(ch).zip(frame.rows(1)).zip(frame.rows(2)) {
                for ((pair, &u), &v) in dst[..2 * cw].chunks_exact_mut(2).zip(u).zip(v) {
                    pair[0] = u;
                    pair[1] = v;
                }
            }
        }
        _ => {
            let (u_index, v_index) = if fourcc == FourCc::Yv12 { (2, 1) } else { (1, 2) };
            for (index, source) in [(u_index, 1), (v_index, 2)] {
                for (dst, src) in planes[index].rows_mut().take(ch).zip(frame.rows(source)) {
                    dst[..cw].copy_from_slice(src);
                }
            }
        }
    }
    Ok(())
}

impl DecoderBackend for Vp8Backend {
    fn codec(&self) -> Codec {
        Codec::Vp8
    }

    fn output_formats(&self) -> &'static [FourCc] {
        &[FourCc::Nv12, FourCc::I420, FourCc::Yv12]
    }

    fn peek(&self, data: &[u8]) -> Result<FramePeek, BackendError> {
        peek_frame(data)
    }

    fn decode(&mut self, data: &[u8], output: Option<&mut FrameViewMut<'_>>) -> Result<Option<Picture>, BackendError> {
        let (shown, corrupted) = match self.decoder.decode(data) {
            Ok(frame) => (frame.is_some(), false),
            Err(Vp8Error::Damaged { shown }) => (shown, true),
            Err(error) => return Err(BackendError::Bitstream(error.to_string())),
        };
        // The picture just shown is the decoder's last shown frame.
        let (true, Some(frame), Some(output)) = (shown, self.decoder.last_frame(), output) else {
            return Ok(None);
        };
        copy_picture(&frame, output)?;
        self.copies += 1;
        Ok(Some(Picture { width: frame.width(), height: frame.height(), corrupted }))
    }

    fn copies(&self) -> u64 {
        self.copies
    }
}
