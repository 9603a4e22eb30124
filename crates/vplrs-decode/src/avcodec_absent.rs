//! Built without the `ffmpeg` feature: no libavcodec. Only VP8 (vplrs' own decoder) decodes; the
//! other codecs answer [`DecodeError::Unsupported`] at DecodeHeader, QueryIOSurf and Init.

use vplrs_memory::{FourCc, FrameInfo, SurfacePool};

use crate::backend::Codec;
use crate::error::DecodeError;
use crate::params::DecodeParams;
use crate::stream::StreamBackend;

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

pub(crate) fn stream_backend(
    _codec: Codec,
    _output: FrameInfo,
    _pool: SurfacePool,
) -> Result<Box<dyn StreamBackend>, DecodeError> {
    Err(ABSENT)
}
