//! A decoded picture, borrowed from its decoder until dropped.

use vplrs_memory::{MapError, Surface};

use crate::buffers::{owner_of, BufferShared};
use crate::sys;

/// Pixel formats vplrs converts from (others are reported as `Other`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PixelFormat {
    /// 8-bit 4:2:0 planar (`yuv420p`, or `yuvj420p` with `full_range`).
    Yuv420p,
    /// 10-bit 4:2:0 planar, little-endian 16-bit samples (`yuv420p10le`).
    Yuv420p10,
    /// 8-bit 4:2:2 planar (`yuv422p`, or JPEG's `yuvj422p`).
    Yuv422p,
    /// 8-bit 4:4:4 planar (`yuv444p`, or JPEG's `yuvj444p`).
    Yuv444p,
    /// 10-bit 4:2:2 planar, little-endian 16-bit samples (`yuv422p10le`).
    Yuv422p10,
    /// 10-bit 4:4:4 planar, little-endian 16-bit samples (`yuv444p10le`).
    Yuv444p10,
    /// Any other `AVPixelFormat` (its number).
    Other(i32),
}

impl PixelFormat {
    pub(crate) fn from_raw(format: i32) -> (Self, bool) {
        use sys::AVPixelFormat as F;
        if format == F::AV_PIX_FMT_YUV420P as i32 {
            (Self::Yuv420p, false)
        } else if format == F::AV_PIX_FMT_YUVJ420P as i32 {
            (Self::Yuv420p, true)
        } else if format == F::AV_PIX_FMT_YUV420P10LE as i32 {
            (Self::Yuv420p10, false)
        } else if format == F::AV_PIX_FMT_YUV422P as i32 || format == F::AV_PIX_FMT_YUVJ422P as i32 {
            (Self::Yuv422p, format == F::AV_PIX_FMT_YUVJ422P as i32)
        } else if format == F::AV_PIX_FMT_YUV444P as i32 || format == F::AV_PIX_FMT_YUVJ444P as i32 {
            (Self::Yuv444p, format == F::AV_PIX_FMT_YUVJ444P as i32)
        } else if format == F::AV_PIX_FMT_YUV422P10LE as i32 {
            (Self::Yuv422p10, false)
        } else if format == F::AV_PIX_FMT_YUV444P10LE as i32 {
            (Self::Yuv444p10, false)
        } else {
            (Self::Other(format), false)
        }
    }

    /// Bits per sample (8 or 10).
    pub fn bit_depth(self) -> u16 {
        match self {
            Self::Yuv420p10 | Self::Yuv422p10 | Self::Yuv444p10 => 10,
            _ => 8,
        }
    }
}

/// A picture out of the decoder; the decoder's frame is unreferenced on drop.
pub struct Picture<'a> {
    frame: *mut sys::AVFrame,
    shared: Option<&'a BufferShared>,
    /// libavcodec logged errors while decoding it.
    damaged: bool,
}

impl<'a> Picture<'a> {
    /// # Safety
    /// `frame` holds a picture just returned by `avcodec_receive_frame`, owned by the caller, which
    /// does not touch it while the `Picture` lives.
    pub(crate) unsafe fn new(frame: *mut sys::AVFrame, shared: Option<&'a BufferShared>, damaged: bool) -> Self {
        Self { frame, shared, damaged }
    }

    fn raw(&self) -> &sys::AVFrame {
        // SAFETY: valid while `self` lives (constructor's contract).
        unsafe { &*self.frame }
    }

    /// Picture width.
    pub fn width(&self) -> u32 {
        self.raw().width.max(0) as u32
    }

    /// Picture height.
    pub fn height(&self) -> u32 {
        self.raw().height.max(0) as u32
    }

    /// Pixel format.
    pub fn format(&self) -> PixelFormat {
        PixelFormat::from_raw(self.raw().format).0
    }

    /// Full-range samples (JPEG).
    pub fn full_range(&self) -> bool {
        PixelFormat::from_raw(self.raw().format).1 || self.raw().color_range == sys::AVColorRange::AVCOL_RANGE_JPEG
    }

    /// `pts` of the packet the picture came from.
    pub fn pts(&self) -> Option<i64> {
        let frame = self.raw();
        [frame.pts, frame.best_effort_timestamp].into_iter().find(|&t| t != sys::AV_NOPTS_VALUE)
    }

    /// The decoder met errors in this picture (it may be concealed): it says so in the frame, or
    /// it logged them while decoding it (vplrs's log callback, see the crate's `damage` module).
    pub fn is_corrupt(&self) -> bool {
        let frame = self.raw();
        self.damaged || frame.decode_error_flags != 0 || frame.flags & sys::AV_FRAME_FLAG_CORRUPT != 0
    }

    /// An intra picture that starts a new chain of references (`key_frame`).
    pub fn is_key_frame(&self) -> bool {
        self.raw().key_frame != 0
    }

    /// True for an interlaced picture.
    pub fn is_interlaced(&self) -> bool {
        self.raw().interlaced_frame != 0
    }

    /// True if its top field comes first.
    pub fn top_field_first(&self) -> bool {
        self.raw().top_field_first != 0
    }

    /// Plane `index` (Y, U, V): its bytes from the first row to the end of the last, and its pitch.
    pub fn plane(&self, index: usize) -> Option<(&[u8], usize)> {
        let (format, _) = PixelFormat::from_raw(self.raw().format);
        // Bytes per sample, and the chroma planes' horizontal and vertical subsampling.
        let (bytes, sub_x, sub_y) = match format {
            PixelFormat::Yuv420p => (1, 2, 2),
            PixelFormat::Yuv420p10 => (2, 2, 2),
            PixelFormat::Yuv422p => (1, 2, 1),
            PixelFormat::Yuv444p => (1, 1, 1),
            PixelFormat::Yuv422p10 => (2, 2, 1),
            PixelFormat::Yuv444p10 => (2, 1, 1),
            PixelFormat::Other(_) => return None,
        };
        let frame = self.raw();
        let (w, h) = (self.width() as usize, self.height() as usize);
        let (row_bytes, rows) = match index {
            0 => (w * bytes, h),
            1 | 2 => (w.div_ceil(sub_x) * bytes, h.div_ceil(sub_y)),
            _ => return None,
        };
        let data = frame.data[index];
        let pitch = usize::try_from(frame.linesize[index]).ok()?;
        if data.is_null() || pitch < row_bytes || rows == 0 {
            return None;
        }
        let len = pitch * (rows - 1) + row_bytes;
        // SAFETY: the frame holds the buffer behind this plane, which covers `rows` rows of `pitch`
        // bytes of a `format` picture of this size; the decoder no longer writes a picture it
        // returned, and the slice's lifetime is tied to `self`, which keeps the frame referenced.
        Some((unsafe { std::slice::from_raw_parts(data, len) }, pitch))
    }

    /// The surface this picture was decoded into (direct mode), with production finished: its
    /// output guard is completed and a read guard keeps its memory mapped for libavcodec's
    /// references. `None` when the picture is in libavcodec's own memory.
    pub fn take_surface(&self) -> Option<Result<Surface, MapError>> {
        // SAFETY: the frame is valid and holds its buffers while `self` lives; the owner reference
        // does not outlive this call.
        let owner = unsafe { owner_of(self.frame, self.shared?) }?;
        let guard = owner.output.lock().take();
        if let Some(guard) = guard {
            guard.finish(Ok(()));
            match owner.surface.map_read() {
                Ok(read) => {
                    let luma = read.view().plane(0).data().as_ptr() as usize;
                    if luma != owner.luma {
                        tracing::error!("a surface's memory moved while libavcodec referenced it");
                    }
                    *owner.read.lock() = Some(read);
                }
                Err(error) => return Some(Err(error)),
            }
        }
        Some(Ok(owner.surface.clone()))
    }
}

impl Drop for Picture<'_> {
    fn drop(&mut self) {
        // SAFETY: the frame is the decoder's, referenced by this picture only.
        unsafe { sys::av_frame_unref(self.frame) };
    }
}
