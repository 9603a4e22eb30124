//! What a decode call hands out (the picture on its way, the statistics), and what a work surface
//! must be to receive a picture.

use vplrs_memory::{FrameInfo, Surface};
use vplrs_runtime::SyncPoint;

use crate::error::DecodeError;

/// A picture on its way: the surface it will be in, and the operation producing it.
#[derive(Debug)]
pub struct DecodedFrame {
    /// The picture, being produced until `sync` completes.
    pub surface: Surface,
    /// Completes when `surface` holds the picture.
    pub sync: SyncPoint,
}

/// `mfxDecodeStat` and copy accounting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DecodeStats {
    /// Frames decoded (shown and hidden).
    pub decoded: u64,
    /// Pictures handed out.
    pub shown: u64,
    /// Pictures marked `MFX_CORRUPTION_*`.
    pub corrupted: u64,
    /// Frames whose data the codec refused.
    pub errors: u64,
    /// Frames skipped: undecodable, or before the first key frame.
    pub skipped: u64,
    /// Pixel copies made (one per picture for backends that decode into their own memory, or
    /// that convert to the output format).
    pub copies: u64,
}

impl DecodeStats {
    /// Pixel copies per picture handed out (0 when pictures are decoded in place).
    pub fn copies_per_frame(&self) -> f64 {
        if self.shown == 0 {
            0.0
        } else {
            self.copies as f64 / self.shown as f64
        }
    }
}

pub(crate) fn check_work_surface(work: &Surface, expected: &FrameInfo) -> Result<(), DecodeError> {
    let layout = work.layout();
    // An application's surface needs to hold the pictures (libavcodec decodes in place only into
    // one as large as QueryIOSurf asks for; smaller ones get a copy); the runtime's are the
    // decoder's own size.
    let (width, height) = if work.is_application_memory() {
        let crop = expected.effective_crop();
        (crop.x + crop.width, crop.y + crop.height)
    } else {
        (expected.width, expected.height)
    };
    if layout.fourcc != expected.fourcc || layout.width < width || layout.height < height {
        return Err(DecodeError::InvalidParams("work surface does not match the decode parameters"));
    }
    if work.locked() > 0 || work.is_accessed() {
        return Err(DecodeError::MoreSurface);
    }
    Ok(())
}
