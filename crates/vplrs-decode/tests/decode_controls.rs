//! What the C API's decode adds around the pictures, in Rust: Reset, key-frame gating, skip
//! modes, statistics, DecodeHeader's scan of the data, and 1.x application surfaces.

use std::path::Path;
use std::process::Command;
use std::sync::atomic::AtomicU16;
use std::time::Duration;

mod common;

use common::picture_md5;
use vplrs_decode::{Codec, Decode, DecodeError, SkipLevel, SkipMode};
use vplrs_memory::arena::PlanePointers;
use vplrs_memory::surface::ForeignMemory;
use vplrs_memory::{FourCc, FrameInfo, FrameLayout, LayoutOptions, Surface};
use vplrs_runtime::Core;
use vplrs_vp8::ivf::IvfReader;

fn vector(name: &str) -> (Vec<Vec<u8>>, Vec<String>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vp8-test-vectors").join(name);
    let mut reader = IvfReader::new(std::io::BufReader::new(std::fs::File::open(&path).unwrap())).unwrap();
    let frames = std::iter::from_fn(|| reader.next_frame().unwrap().map(|f| f.data)).collect();
    let md5 = std::fs::read_to_string(path.with_extension("ivf.md5")).unwrap();
    (frames, md5.lines().map(|l| l.split_whitespace().next().unwrap().to_owned()).collect())
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

    let stream = h264(&["-profile:v", "high", "-level", "31"]);
    let mut decode = Decode::new(Core::new());
    decode.init(&Decode::decode_header(Codec::Avc, &stream).unwrap()).unwrap();
    let max = Codec::Avc.max_skip_level();
    for level in 1..=max {
        assert_eq!(decode.set_skip_mode(SkipMode::More).unwrap(), SkipLevel { level, changed: true });
    }
    assert_eq!(decode.set_skip_mode(SkipMode::More).unwrap(), SkipLevel { level: max, changed: false });
    assert_eq!(decode.set_skip_mode(SkipMode::Less).unwrap(), SkipLevel { level: max - 1, changed: true });
    assert_eq!(decode.set_skip_mode(SkipMode::NoSkip).unwrap(), SkipLevel { level: 0, changed: true });
    assert_eq!(decode.set_skip_mode(SkipMode::Less).unwrap(), SkipLevel { level: 0, changed: false });
    decode.set_skip_mode(SkipMode::More).unwrap();
    decode.reset(&decode.params().unwrap()).unwrap();
    assert_eq!(decode.set_skip_mode(SkipMode::Less).unwrap(), SkipLevel { level: 0, changed: false }, "Reset: 0");
}

fn h264(options: &[&str]) -> Vec<u8> {
    let path = std::env::temp_dir().join(format!("vplrs-controls-{}-{}.h264", std::process::id(), options.len()));
    let mut args = vec!["-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i"];
    args.extend_from_slice(&["testsrc2=size=320x240:rate=30,format=yuv420p", "-frames:v", "10", "-c:v", "libx264"]);
    args.extend_from_slice(options);
    let out = path.to_str().unwrap().to_owned();
    args.push(&out);
    let status = Command::new("ffmpeg").args(&args).status().unwrap();
    assert!(status.success());
    let bytes = std::fs::read(&path).unwrap();
    let _ = std::fs::remove_file(&path);
    bytes
}

/// `ffmpeg -f rawvideo -pix_fmt yuv420p` of the stream: one MD5 per picture.
fn reference_md5s(stream: &[u8]) -> Vec<String> {
    use md5::{Digest, Md5};
    let path = std::env::temp_dir().join(format!("vplrs-controls-ref-{}.h264", std::process::id()));
    std::fs::write(&path, stream).unwrap();
    let output = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-i", path.to_str().unwrap()])
        .args(["-f", "rawvideo", "-pix_fmt", "yuv420p", "-"])
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    output.stdout.chunks(320 * 240 * 3 / 2).map(|frame| format!("{:x}", Md5::digest(frame))).collect()
}

#[test]
fn the_header_scan_skips_to_the_sequence_and_reads_profile_and_level() {
    let stream = h264(&["-profile:v", "high", "-level", "31"]);
    let mut data = vec![0xaa; 100];
    data.extend_from_slice(&stream);
    let decode = Decode::new(Core::new());
    let scan = decode.scan_header(Codec::Avc, &data);
    assert_eq!(scan.skipped, 100, "the data before the SPS is skipped");
    let params = scan.params.unwrap();
    assert_eq!((params.profile, params.level), (100, 31), "MFX_PROFILE_AVC_HIGH, MFX_LEVEL_AVC_31");
    assert_eq!((params.output.crop.width, params.output.crop.height), (320, 240));

    let baseline = h264(&["-profile:v", "baseline"]);
    let params = decode.scan_header(Codec::Avc, &baseline).params.unwrap();
    assert_eq!(params.profile, 66 + 0x200, "x264's baseline is constrained: MFX_PROFILE_AVC_CONSTRAINED_BASELINE");

    // No sequence header yet: all but a possible partial start code is skipped.
    let scan = decode.scan_header(Codec::Avc, &[0xaa; 50]);
    assert_eq!((scan.skipped, scan.params.unwrap_err()), (47, DecodeError::MoreData));
    // A sequence header without its first picture: more data, nothing skipped.
    let scan = decode.scan_header(Codec::Avc, &stream[..40]);
    assert_eq!((scan.skipped, scan.params.unwrap_err()), (0, DecodeError::MoreData));

    let (frames, _) = vector("vp80-00-comprehensive-001.ivf");
    let scan = decode.scan_header(Codec::Vp8, &frames[1]);
    assert_eq!((scan.skipped, scan.params.unwrap_err()), (frames[1].len(), DecodeError::MoreData), "not a key frame");
    assert_eq!(decode.scan_header(Codec::Vp8, &frames[0]).skipped, 0);
}

/// An application's own frame buffer (the 1.x memory model).
struct AppFrame {
    buffer: Vec<u8>,
    layout: FrameLayout,
    locked: AtomicU16,
}

// SAFETY: the plane pointers lie in `buffer`, sized and offset by the frame's own layout, which
// lives (unmoved: the Vec is never resized) as long as this value.
unsafe impl ForeignMemory for AppFrame {
    fn planes(&self) -> PlanePointers {
        let mut pointers = PlanePointers::default();
        let base = self.buffer.as_ptr().cast_mut();
        for (index, plane) in self.layout.planes().iter().enumerate() {
            pointers.ptr[index] = base.wrapping_add(plane.offset);
            pointers.pitch[index] = plane.pitch;
        }
        pointers
    }

    fn locked_counter(&self) -> Option<&AtomicU16> {
        Some(&self.locked)
    }
}

fn application_surface(info: FrameInfo) -> Surface {
    let layout = FrameLayout::new(&info, LayoutOptions::default()).unwrap();
    let frame = AppFrame { buffer: vec![0; layout.size], layout, locked: AtomicU16::new(0) };
    Surface::from_foreign(info, layout, Box::new(frame)).unwrap()
}

#[test]
fn application_surfaces_get_every_picture_bit_exact_with_one_counted_copy() {
    let stream = h264(&["-bf", "2"]);
    let expected = reference_md5s(&stream);
    let mut params = Decode::decode_header(Codec::Avc, &stream).unwrap();
    params.output.fourcc = FourCc::I420;
    let mut decode = Decode::new(Core::new());
    decode.init(&params).unwrap();
    assert!(decode.decodes_in_place());
    let request = Decode::query_io_surf(&params).unwrap();
    let mut md5s = Vec::new();
    let mut data: &[u8] = &stream;
    let mut draining = false;
    loop {
        let work = application_surface(request.info);
        let input = (!draining).then_some(data);
        match decode.decode_frame_async(input, Some(&work), 0) {
            Ok(picture) => {
                assert!(picture.surface.ptr_eq(&work), "the output is the application's work surface");
                picture.sync.wait(Duration::from_secs(10)).unwrap();
                md5s.push(picture_md5(&picture.surface));
            }
            Err(DecodeError::MoreData) if draining => break,
            Err(DecodeError::MoreData) => draining = true,
            Err(other) => panic!("{other}"),
        }
        if !draining {
            data = &data[decode.consumed()..];
        }
    }
    assert_eq!(md5s, expected);
    let stats = decode.stats().unwrap();
    assert_eq!(stats.copies, stats.shown, "one counted copy per picture into application memory");

    // A Locked work surface is refused with MoreSurface; one too small is invalid.
    let locked = application_surface(request.info);
    let hold = locked.hold().unwrap();
    decode.reset(&params).unwrap();
    assert_eq!(decode.decode_frame_async(Some(&stream), Some(&locked), 0).unwrap_err(), DecodeError::MoreSurface);
    drop(hold);
    let small = application_surface(FrameInfo::new(FourCc::I420, 160, 120));
    assert!(matches!(decode.decode_frame_async(Some(&stream), Some(&small), 0), Err(DecodeError::InvalidParams(_))));
}
