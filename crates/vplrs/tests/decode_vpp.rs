//! Decode+VPP in Rust: the decoder's pictures bit-exact (VP8 conformance MD5s), every channel's
//! frames equal to a VPP of their own on the same picture, skipped channels, AsyncDepth frames in
//! flight per channel, Reset, and the documented refusals.

use std::time::Duration;

// The decode crate's test helpers (VP8 vectors, picture MD5s) serve these tests too.
#[path = "../../vplrs-decode/tests/common/mod.rs"]
mod common;

use common::picture_md5;

use vplrs::decode_vpp::{ChannelParams, DecodeVpp, DecodeVppError, DecodedPictures, Produced};
use vplrs::{Codec, Core, Decode, DecodeError, DecodeParams, FourCc, FrameInfo, Rect, Surface, Vpp};

fn vector(name: &str) -> (Vec<Vec<u8>>, Vec<String>) {
    common::vp8_vector(name)
}

/// Every byte of the frame's crop, for comparing two frames of one format.
fn crop_bytes(surface: &Surface) -> Vec<u8> {
    let crop = surface.info().crop;
    let guard = surface.map_read().unwrap();
    let view = guard.view();
    let mut bytes = Vec::new();
    for plane in view.planes() {
        let rows = plane.rows() * crop.height as usize / surface.layout().height as usize;
        for y in 0..rows {
            bytes.extend_from_slice(plane.row(y));
        }
    }
    bytes
}

/// One call, again while the decoder answers busy (its AsyncDepth frames are in flight: the
/// application waits and calls again, as with `MFX_WRN_DEVICE_BUSY`).
fn decode_frame(
    component: &mut DecodeVpp,
    decode: &mut Decode,
    frame: Option<&[u8]>,
    timestamp: u64,
    skip: &[u16],
    before: &mut dyn FnMut(Produced, &Surface, Option<&Surface>),
) -> Result<DecodedPictures, DecodeVppError> {
    loop {
        match component.decode_frame(decode, frame, timestamp, skip, before) {
            Err(DecodeVppError::Decode(DecodeError::Busy(_))) => std::thread::sleep(Duration::from_millis(1)),
            other => return other,
        }
    }
}

fn decode_params(frames: &[Vec<u8>], async_depth: u16) -> DecodeParams {
    let mut params = Decode::decode_header(Codec::Vp8, &frames[0]).unwrap();
    params.output.fourcc = FourCc::I420;
    params.async_depth = async_depth;
    params
}

fn channels() -> Vec<ChannelParams> {
    let mut small = ChannelParams::new(1, FrameInfo::new(FourCc::Nv12, 96, 80));
    small.output.crop = Rect { x: 0, y: 0, width: 88, height: 72 };
    let mut rgb = ChannelParams::new(2, FrameInfo::new(FourCc::Rgb4, 176, 144));
    rgb.in_crop = Some(Rect { x: 16, y: 16, width: 128, height: 96 });
    vec![small, rgb]
}

#[test]
fn every_picture_reaches_every_channel_in_flight_up_to_async_depth() {
    let (frames, md5s) = vector("vp80-00-comprehensive-001.ivf");
    let core = Core::new();
    let mut decode = Decode::new(core.clone());
    let params = decode_params(&frames, 3);
    let (mut component, corrected) = DecodeVpp::init(&core, &mut decode, &params, &channels(), false).unwrap();
    assert_eq!(corrected, vplrs::Accepted::AsGiven);
    // A VPP of its own per channel, run afterwards on the same pictures, is the reference.
    let references: Vec<Vpp> = channels()
        .iter()
        .map(|channel| {
            let mut vpp = Vpp::new(core.clone());
            vpp.init(&channel.vpp_params(&decode.params().unwrap().output, 0).unwrap()).unwrap();
            vpp
        })
        .collect();
    let mut references = references;
    let mut most_in_flight = 0;
    let mut calls = Vec::new();
    for (index, frame) in frames.iter().enumerate().take(12) {
        let mut shown = Vec::new();
        let pictures =
            decode_frame(&mut component, &mut decode, Some(frame), index as u64, &[], &mut |produced, _, _| {
                shown.push(produced)
            })
            .unwrap();
        assert!(shown.ends_with(&[Produced::Decoded, Produced::Channel(1), Produced::Channel(2)]), "{shown:?}");
        let in_flight = pictures.channels.iter().filter(|output| !output.sync.is_done()).count();
        most_in_flight = most_in_flight.max(in_flight);
        calls.push(pictures);
    }
    for (index, pictures) in calls.into_iter().enumerate() {
        let decoded = pictures.decoded.expect("channel 0");
        decoded.sync.wait(Duration::from_secs(10)).unwrap();
        assert_eq!(picture_md5(&decoded.surface), md5s[index], "picture {index}");
        assert_eq!(decoded.surface.meta().timestamp, index as u64);
        assert_eq!(pictures.channels.len(), 2);
        for (output, reference) in pictures.channels.iter().zip(&mut references) {
            output.sync.wait(Duration::from_secs(10)).unwrap();
            let expected = reference.process_frame_async(&decoded.surface).unwrap();
            expected.synchronize(Duration::from_secs(10)).unwrap();
            assert_eq!(output.surface.info().crop, expected.info().crop);
            assert!(crop_bytes(&output.surface) == crop_bytes(&expected), "channel {} frame {index}", output.channel);
            assert_eq!(output.surface.meta().timestamp, index as u64, "the picture's timestamp travels");
        }
    }
    eprintln!("most channel frames in flight after a call: {most_in_flight}");
    component.close(&mut decode);
    assert!(!decode.is_initialized(), "Close closes the decoder too");
}

#[test]
fn skipped_channels_and_skip_output_leave_those_frames_out() {
    let (frames, md5s) = vector("vp80-00-comprehensive-001.ivf");
    let core = Core::new();
    let mut decode = Decode::new(core.clone());
    let (mut component, _) =
        DecodeVpp::init(&core, &mut decode, &decode_params(&frames, 1), &channels(), false).unwrap();
    let pictures = decode_frame(&mut component, &mut decode, Some(&frames[0]), 0, &[0, 2], &mut |_, _, _| {}).unwrap();
    assert!(pictures.decoded.is_none());
    assert_eq!(pictures.channels.iter().map(|output| output.channel).collect::<Vec<_>>(), [1]);
    component.close(&mut decode);

    let mut decode = Decode::new(core.clone());
    let (mut component, _) =
        DecodeVpp::init(&core, &mut decode, &decode_params(&frames, 1), &channels(), true).unwrap();
    let pictures = decode_frame(&mut component, &mut decode, Some(&frames[0]), 0, &[], &mut |_, _, _| {}).unwrap();
    assert!(pictures.decoded.is_none(), "SkipOutput leaves the decoder's channel out");
    assert_eq!(pictures.channels.len(), 2);
    // The decoder still decoded: the next picture is right.
    let pictures = decode_frame(&mut component, &mut decode, Some(&frames[1]), 0, &[1, 2], &mut |_, _, _| {}).unwrap();
    assert!(pictures.channels.is_empty() && pictures.decoded.is_none());
    let decoded = |decode: &Decode| decode.stats().unwrap().decoded;
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while decoded(&decode) < 2 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(decoded(&decode), 2, "the decoder decodes pictures nobody takes");
    let pictures = decode_frame(&mut component, &mut decode, Some(&frames[2]), 0, &[], &mut |_, _, _| {}).unwrap();
    let channel = &pictures.channels[0];
    channel.sync.wait(Duration::from_secs(10)).unwrap();
    assert_eq!(channel.surface.info().crop.width, 88);
    let _ = md5s;
    assert_eq!(
        decode_frame(&mut component, &mut decode, None, 0, &[], &mut |_, _, _| {}).unwrap_err().to_string(),
        DecodeVppError::Decode(DecodeError::MoreData).to_string(),
        "a drain ends with MoreData"
    );
    component.close(&mut decode);
}

#[test]
fn reset_changes_channels_within_init_and_refuses_the_rest() {
    let (frames, md5s) = vector("vp80-00-comprehensive-001.ivf");
    let core = Core::new();
    let mut decode = Decode::new(core.clone());
    let params = decode_params(&frames, 2);
    let (mut component, _) = DecodeVpp::init(&core, &mut decode, &params, &channels(), false).unwrap();
    for frame in &frames[..3] {
        decode_frame(&mut component, &mut decode, Some(frame), 0, &[], &mut |_, _, _| {}).unwrap();
    }
    let mut larger = ChannelParams::new(1, FrameInfo::new(FourCc::Nv12, 128, 96));
    assert!(matches!(component.reset(&mut decode, None, &[larger]), Err(DecodeVppError::ResetIncompatible(1))));
    larger.id = 7;
    assert!(matches!(component.reset(&mut decode, None, &[larger]), Err(DecodeVppError::UnknownChannel(7))));

    let smaller = ChannelParams::new(1, FrameInfo::new(FourCc::Nv12, 64, 48));
    component.reset(&mut decode, Some(&params), &[smaller]).unwrap();
    let (kept, running) = component.channel_params(1).unwrap();
    assert_eq!((kept.output.width, running.output.width), (64, 64));
    assert_eq!(component.channel_params(2).unwrap().0, channels()[1], "channels not named keep theirs");
    assert!(component.channel_params(0).is_none());
    // The decoder restarted: a key frame first, then the pictures are right again.
    assert!(decode_frame(&mut component, &mut decode, Some(&frames[3]), 0, &[], &mut |_, _, _| {}).is_err());
    let pictures = decode_frame(&mut component, &mut decode, Some(&frames[0]), 0, &[], &mut |_, _, _| {}).unwrap();
    let decoded = pictures.decoded.unwrap();
    decoded.sync.wait(Duration::from_secs(10)).unwrap();
    assert_eq!(picture_md5(&decoded.surface), md5s[0]);
    let output = &pictures.channels[0];
    output.sync.wait(Duration::from_secs(10)).unwrap();
    assert_eq!(output.surface.info().crop.width, 64);
    component.close(&mut decode);
}

#[test]
fn init_refuses_bad_channels_and_a_running_decoder() {
    let (frames, _) = vector("vp80-00-comprehensive-001.ivf");
    let core = Core::new();
    let mut decode = Decode::new(core.clone());
    let params = decode_params(&frames, 1);
    let zero = [ChannelParams::new(0, FrameInfo::new(FourCc::Nv12, 64, 48))];
    assert!(matches!(
        DecodeVpp::init(&core, &mut decode, &params, &zero, false),
        Err(DecodeVppError::InvalidChannel(0, _))
    ));
    let twice = [channels()[0], channels()[0]];
    assert!(matches!(
        DecodeVpp::init(&core, &mut decode, &params, &twice, false),
        Err(DecodeVppError::InvalidChannel(1, _))
    ));
    let mut outside = channels()[1];
    outside.in_crop = Some(Rect { x: 100, y: 100, width: 100, height: 100 });
    assert!(matches!(
        DecodeVpp::init(&core, &mut decode, &params, &[outside], false),
        Err(DecodeVppError::InvalidChannel(2, _))
    ));
    assert!(!decode.is_initialized(), "nothing stays initialised after a failed Init");
    decode.init(&params).unwrap();
    assert!(matches!(
        DecodeVpp::init(&core, &mut decode, &params, &channels(), false),
        Err(DecodeVppError::AlreadyInitialized)
    ));
}
