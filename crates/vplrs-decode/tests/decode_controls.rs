//! What the C API's decode adds around the pictures, in Rust, with VP8: Reset, key-frame gating,
//! skip modes, statistics. (libavcodec's codecs: `stream_controls.rs`.)

use std::time::Duration;

mod common;

use common::picture_md5;
use vplrs_decode::{Codec, Decode, DecodeError, SkipLevel, SkipMode};
use vplrs_memory::FourCc;
use vplrs_runtime::Core;

fn vector(name: &str) -> (Vec<Vec<u8>>, Vec<String>) {
    common::vp8_vector(name)
}

fn decoded(decode: &mut Decode, frame: &[u8]) -> Result<String, DecodeError> {
    let picture = decode.decode_frame_async(Some(frame), None, 0)?;
    picture.sync.wait(Duration::from_secs(10)).unwrap();
    Ok(picture_md5(&picture.surface))
}

#[test]
fn frames_before_a_key_frame_are_skipped_taken_and_counted() {
    let (frames, md5s) = vector("vp80-00-comprehensive-001.ivf");
    let params = Decode::decode_header(Codec::Vp8, &frames[0]).unwrap();
    assert_eq!(params.profile, 1, "MFX_PROFILE_VP8_0: version 0 + 1");
    let mut decode = Decode::new(Core::new());
    decode.init(&params).unwrap();
    // An inter frame first: skipped whole, no picture, counted.
    assert_eq!(decoded(&mut decode, &frames[1]).unwrap_err(), DecodeError::MoreData);
    assert_eq!(decode.consumed(), frames[1].len(), "the skipped frame's data is taken");
    assert_eq!(decode.stats().unwrap().skipped, 1);
    for (frame, md5) in frames.iter().zip(&md5s).take(5) {
        assert_eq!(&decoded(&mut decode, frame).unwrap(), md5);
    }
    let stats = decode.stats().unwrap();
    assert_eq!((stats.decoded, stats.shown, stats.skipped), (5, 5, 1));
}

#[test]
fn reset_restarts_at_a_key_frame_within_the_surfaces_of_init() {
    let (frames, md5s) = vector("vp80-00-comprehensive-001.ivf");
    let params = Decode::decode_header(Codec::Vp8, &frames[0]).unwrap();
    let mut decode = Decode::new(Core::new());
    decode.init(&params).unwrap();
    for frame in &frames[..3] {
        decoded(&mut decode, frame).unwrap();
    }
    let pool = decode.pool().unwrap().clone();
    let mut larger = params;
    larger.output.width += 16;
    assert_eq!(decode.reset(&larger).unwrap_err(), DecodeError::ResetIncompatible);
    let mut other_format = params;
    other_format.output.fourcc = FourCc::I420;
    assert_eq!(decode.reset(&other_format).unwrap_err(), DecodeError::ResetIncompatible);
    assert!(decode.is_initialized(), "a refused Reset leaves the decoder running");

    decode.reset(&params).unwrap();
    assert!(pool.is_closed(), "Reset restarts the decoder with new surfaces of Init's size");
    assert_eq!(decode.params().unwrap().output.width, params.output.width);
    // After Reset the next frame must be a key frame again.
    assert_eq!(decoded(&mut decode, &frames[3]).unwrap_err(), DecodeError::MoreData);
    assert_eq!(decode.stats().unwrap().skipped, 1);
    assert_eq!(decoded(&mut decode, &frames[0]).unwrap(), md5s[0]);
    assert_eq!(decoded(&mut decode, &frames[1]).unwrap(), md5s[1]);

    let mut closed = Decode::new(Core::new());
    assert_eq!(closed.reset(&params).unwrap_err(), DecodeError::NotInitialized);
}

#[test]
fn skip_modes_step_within_the_range_of_the_codec() {
    let (frames, _) = vector("vp80-00-comprehensive-001.ivf");
    let mut decode = Decode::new(Core::new());
    assert_eq!(decode.set_skip_mode(SkipMode::More).unwrap_err(), DecodeError::NotInitialized);
    decode.init(&Decode::decode_header(Codec::Vp8, &frames[0]).unwrap()).unwrap();
    // VP8 has a single level: More and Less are both at an end.
    assert_eq!(decode.set_skip_mode(SkipMode::More).unwrap(), SkipLevel { level: 0, changed: false });
    assert_eq!(decode.set_skip_mode(SkipMode::Less).unwrap(), SkipLevel { level: 0, changed: false });
    assert_eq!(decode.set_skip_mode(SkipMode::NoSkip).unwrap(), SkipLevel { level: 0, changed: true });
}

/// Built without the `ffmpeg` feature, libavcodec's codecs are refused with a clear error.
#[test]
#[cfg(not(feature = "ffmpeg"))]
fn libavcodec_codecs_are_unsupported_without_ffmpeg() {
    let mut params = Decode::decode_header(Codec::Vp8, &vector("vp80-00-comprehensive-001.ivf").0[0]).unwrap();
    params.codec = Codec::Avc;
    let unsupported = |error: DecodeError| matches!(error, DecodeError::Unsupported(why) if why.contains("ffmpeg"));
    assert!(unsupported(Decode::decode_header(Codec::Avc, &[0, 0, 0, 1, 0x67]).unwrap_err()));
    assert!(unsupported(Decode::query_io_surf(&params).unwrap_err()));
    assert!(unsupported(Decode::new(Core::new()).init(&params).unwrap_err()));
}
