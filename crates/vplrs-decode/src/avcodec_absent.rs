//! Built without the `ffmpeg` feature: no libavcodec. Only VP8 (vplrs' own decoder) decodes; the
//! other codecs answer [`DecodeError::Unsupported`] at DecodeHeader, QueryIOSurf and Init.

use vplrs_memory::{FourCc, FrameInfo, Surface, SurfacePool};

use crate::backend::Codec;
use crate::error::DecodeError;
use crate::output::DecodeStats;
use crate::params::DecodeParams;

const ABSENT: DecodeError = DecodeError::Unsupported("vplrs was built without the ffmpeg feature: VP8 only");

pub(crate) fn in_place(_codec: Codec, _fourcc: FourCc) -> bool {
    false
}

pub(crate) fn surface_size(_codec: Codec, _width: u32, _height: u32) -> Result<(u32, u32), DecodeError> {
    Err(ABSENT)
}

pub(crate) fn decode_threads() -> u32 {
    1
}

pub(crate) fn stream_header(_codec: Codec, _data: &[u8]) -> Result<DecodeParams, DecodeError> {
    Err(ABSENT)
}

/// No stream engine can be made: the type has no values.
pub(crate) enum StreamEngine {}

impl StreamEngine {
    pub fn new(_codec: Codec, _output: FrameInfo, _pool: SurfacePool) -> Result<Self, DecodeError> {
        Err(ABSENT)
    }

    pub fn decode(
        &mut self,
        _data: Option<&[u8]>,
        _work: Option<&Surface>,
        _timestamp: u64,
        _consumed: &mut usize,
    ) -> Result<Surface, DecodeError> {
        match *self {}
    }

    pub fn stats(&self) -> DecodeStats {
        match *self {}
    }

    pub fn set_skip_level(&mut self, _level: u8) {
        match *self {}
    }

    pub fn is_in_place(&self) -> bool {
        match *self {}
    }

    pub fn take_params_changed(&mut self) -> bool {
        match *self {}
    }

    pub fn take_undecoded(&mut self) -> Vec<u8> {
        match *self {}
    }
}
