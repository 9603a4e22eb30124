//! The picture size and format of a frame, read by libavcodec's parser before the frame is
//! decoded: how a decoder fed one frame per call (AV1) sees a new sequence coming before it
//! decodes into surfaces that cannot hold it.

use std::ptr;

use crate::codec::CodecId;
use crate::picture::PixelFormat;
use crate::sys;

/// A parser used only to read frames' shapes (it cuts nothing: each call is one whole frame).
pub struct ShapeProbe {
    parser: *mut sys::AVCodecParserContext,
    ctx: *mut sys::AVCodecContext,
    /// The frame with the zeroed padding the parser may read past it.
    padded: Vec<u8>,
}

// SAFETY: the parser and context are owned by this value alone and used through `&mut self`.
unsafe impl Send for ShapeProbe {}

impl ShapeProbe {
    /// A probe for `codec`; `None` when libavcodec has no parser that reads its shapes.
    pub fn new(codec: CodecId) -> Option<Self> {
        let id = match codec {
            CodecId::Av1 => sys::AVCodecID::AV_CODEC_ID_AV1,
            _ => return None,
        };
        // SAFETY: plain constructors; null on failure, checked below.
        let (parser, ctx) =
            unsafe { (sys::av_parser_init(id as libc::c_int), sys::avcodec_alloc_context3(ptr::null())) };
        let probe = Self { parser, ctx, padded: Vec::new() };
        if parser.is_null() || ctx.is_null() {
            return None;
        }
        // SAFETY: a valid parser context: whole frames go in, the parser cuts nothing.
        unsafe { (*parser).flags |= sys::PARSER_FLAG_COMPLETE_FRAMES };
        Some(probe)
    }

    /// The shape of the pictures of `frame` (one whole frame or temporal unit), when the parser
    /// reads one from it.
    pub fn shape(&mut self, frame: &[u8]) -> Option<StreamShape> {
        let size = libc::c_int::try_from(frame.len()).ok()?;
        self.padded.clear();
        self.padded.extend_from_slice(frame);
        self.padded.resize(frame.len() + sys::AV_INPUT_BUFFER_PADDING_SIZE as usize, 0);
        // SAFETY: valid parser and context; the input is `size` bytes followed by the padding.
        unsafe { crate::codec::parse(self.parser, self.ctx, self.padded.as_ptr(), size, sys::AV_NOPTS_VALUE) };
        // SAFETY: a valid parser context.
        unsafe { parsed_shape(self.parser) }
    }
}

impl Drop for ShapeProbe {
    fn drop(&mut self) {
        // SAFETY: owned here, freed once (both functions accept null).
        unsafe {
            sys::av_parser_close(self.parser);
            sys::avcodec_free_context(&mut self.ctx);
        }
    }
}

/// The picture size and format a parser read for its last packet, if it reads them.
///
/// # Safety
/// `parser` must be a valid parser context.
pub(crate) unsafe fn parsed_shape(parser: *const sys::AVCodecParserContext) -> Option<StreamShape> {
    // SAFETY: per the contract; plain integer fields.
    let (width, height, format) = unsafe { ((*parser).width, (*parser).height, (*parser).format) };
    (width > 0 && height > 0 && format >= 0).then(|| StreamShape {
        width: width as u32,
        height: height as u32,
        format: PixelFormat::from_raw(format).0,
    })
}

/// The pictures a decoder's surfaces can hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamLimits {
    /// The widest picture.
    pub max_width: u32,
    /// The tallest picture.
    pub max_height: u32,
    /// Their pixel format.
    pub format: PixelFormat,
}

/// What the parser read of a packet's sequence: the picture size and format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StreamShape {
    /// Picture width.
    pub width: u32,
    /// Picture height.
    pub height: u32,
    /// Pixel format.
    pub format: PixelFormat,
}

impl StreamShape {
    pub(crate) fn fits(&self, limits: &StreamLimits) -> bool {
        self.width <= limits.max_width && self.height <= limits.max_height && self.format == limits.format
    }
}
