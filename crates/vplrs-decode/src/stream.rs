//! Decoders fed a byte stream in any chunking: libavcodec's codecs (`avcodec`), or an
//! application's or a test's own, given to [`Decode::init_with_stream_backend`](crate::Decode).

use vplrs_memory::Surface;

use crate::error::DecodeError;
use crate::output::DecodeStats;

/// A decoder fed a byte stream: it takes what it can of the data it is given, and hands out a
/// picture when one is ready (pictures may be reordered, so that is not known before decoding).
/// The component calls it in `DecodeFrameAsync`; the picture it returns is complete.
pub trait StreamBackend: Send {
    /// One call. Takes bytes of `data` (adding how many to `consumed`, which starts at 0; bytes
    /// of an incomplete packet may stay with the backend) until a picture comes out, into `work`
    /// when one is given (the 1.x model; when it is used up and another packet needs a surface:
    /// [`DecodeError::MoreSurface`]) or a surface of the decode pool the backend was made with.
    /// `None` drains the pictures still held. [`DecodeError::MoreData`] when all the data was
    /// taken and no picture is ready, or the drain is over.
    fn decode(
        &mut self,
        data: Option<&[u8]>,
        work: Option<&Surface>,
        timestamp: u64,
        consumed: &mut usize,
    ) -> Result<Surface, DecodeError>;

    /// What the backend did so far.
    fn stats(&self) -> DecodeStats;

    /// `SetSkipMode`'s level (0: decode everything), within the codec's range.
    fn set_skip_level(&mut self, level: u8) {
        let _ = level;
    }

    /// True when pictures are decoded straight into the surfaces (no copy).
    fn is_in_place(&self) -> bool {
        false
    }

    /// True once after a new sequence of another size or format that still fits the surfaces.
    fn take_params_changed(&mut self) -> bool {
        false
    }

    /// After [`DecodeError::Incompatible`]: the bytes taken but not decoded (the new sequence's
    /// start), for the decoder made next.
    fn take_undecoded(&mut self) -> Vec<u8> {
        Vec::new()
    }
}
