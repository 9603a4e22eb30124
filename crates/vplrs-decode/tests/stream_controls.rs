//! What the C API's decode adds around the pictures, in Rust, with libavcodec's codecs: skip
//! levels, DecodeHeader's scan of the data (sequence start, profile and level), and 1.x
//! application surfaces decoded into in place.
#![cfg(feature = "ffmpeg")]

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

fn vector(name: &str) -> Vec<Vec<u8>> {
    common::vp8_vector(name).0
}

#[test]
fn skip_modes_step_through_the_levels_of_h264() {
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

    let frames = vector("vp80-00-comprehensive-001.ivf");
    let scan = decode.scan_header(Codec::Vp8, &frames[1]);
    assert_eq!((scan.skipped, scan.params.unwrap_err()), (frames[1].len(), DecodeError::MoreData), "not a key frame");
    assert_eq!(decode.scan_header(Codec::Vp8, &frames[0]).skipped, 0);
}

/// An application's own frame buffer (the 1.x memory model), its planes starting 64-byte aligned
/// (`start` bytes into `buffer`).
struct AppFrame {
    buffer: Vec<u8>,
    start: usize,
    layout: FrameLayout,
    locked: AtomicU16,
}

// SAFETY: the plane pointers lie in `buffer` (64 bytes more than the layout needs, so the frame
// fits from `start`), offset by the frame's own layout; the Vec is never resized, so they stay
// valid as long as this value.
unsafe impl ForeignMemory for AppFrame {
    fn planes(&self) -> PlanePointers {
        let mut pointers = PlanePointers::default();
        let base = self.buffer.as_ptr().cast_mut().wrapping_add(self.start);
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
    application_surface_at(info, 0)
}

/// An application surface whose planes start `misalign` bytes past a 64-byte boundary.
fn application_surface_at(info: FrameInfo, misalign: usize) -> Surface {
    let layout = FrameLayout::new(&info, LayoutOptions::default()).unwrap();
    let buffer = vec![0; layout.size + 128];
    let start = buffer.as_ptr().align_offset(64) + misalign;
    let frame = AppFrame { buffer, start, layout, locked: AtomicU16::new(0) };
    Surface::from_foreign(info, layout, Box::new(frame)).unwrap()
}

/// Decodes the whole stream into `count` application surfaces of `info`, each call's work surface
/// one with Locked == 0 that is not waiting to be read. Returns the MD5s and the decoder's stats.
fn decode_into_application_surfaces(
    decode: &mut Decode,
    stream: &[u8],
    info: FrameInfo,
    count: usize,
    misalign: impl Fn(usize) -> usize,
) -> (Vec<String>, vplrs_decode::DecodeStats, u32) {
    let surfaces: Vec<Surface> = (0..count).map(|i| application_surface_at(info, misalign(i))).collect();
    let mut md5s = Vec::new();
    let mut data = stream;
    let mut draining = false;
    let mut most_locked = 0;
    loop {
        let work = surfaces.iter().find(|s| s.locked() == 0).expect("a free surface among NumFrameSuggested");
        let input = (!draining).then_some(data);
        match decode.decode_frame_async(input, Some(work), 0) {
            Ok(picture) => {
                assert!(surfaces.iter().any(|s| s.ptr_eq(&picture.surface)), "the output is an application surface");
                picture.sync.wait(Duration::from_secs(10)).unwrap();
                md5s.push(picture_md5(&picture.surface));
            }
            Err(DecodeError::MoreData) if draining => break,
            Err(DecodeError::MoreData) => draining = true,
            Err(DecodeError::MoreSurface) => {}
            Err(other) => panic!("{other}"),
        }
        most_locked = most_locked.max(surfaces.iter().filter(|s| s.locked() > 0).count() as u32);
        if !draining {
            data = &data[decode.consumed()..];
        }
    }
    (md5s, decode.stats().unwrap(), most_locked)
}

#[test]
fn application_surfaces_are_decoded_into_in_place_or_get_a_counted_copy() {
    let stream = h264(&["-bf", "2"]);
    let expected = reference_md5s(&stream);
    let mut params = Decode::decode_header(Codec::Avc, &stream).unwrap();
    params.output.fourcc = FourCc::I420;
    let request = Decode::query_io_surf(&params).unwrap();
    let count = usize::from(request.num_frame_suggested);

    // Surfaces of the size QueryIOSurf asks for, planes aligned: in place, references Locked.
    let mut decode = Decode::new(Core::new());
    decode.init(&params).unwrap();
    let (md5s, stats, most_locked) = decode_into_application_surfaces(&mut decode, &stream, request.info, count, |_| 0);
    assert_eq!(md5s, expected);
    assert_eq!(stats.copies, 0, "decoded in place");
    assert!(most_locked > 0, "the decoder keeps its references in the application's surfaces, Locked");
    decode.close().unwrap();

    // Surfaces only as large as the pictures: libavcodec cannot decode into them; one copy each
    // (once one surface does not suit libavcodec, every later picture is copied).
    let mut decode = Decode::new(Core::new());
    decode.init(&params).unwrap();
    let (md5s, stats, _) = decode_into_application_surfaces(&mut decode, &stream, params.output, count, |_| 0);
    assert_eq!(md5s, expected);
    assert_eq!(stats.copies, stats.shown, "one counted copy per picture");

    // Surfaces of the right size, every third one's planes misaligned (malloc'd buffers): the
    // pictures before the first misaligned one in place, the rest copied, none lost.
    let mut mixed = Decode::new(Core::new());
    mixed.init(&params).unwrap();
    let (md5s, stats, _) =
        decode_into_application_surfaces(&mut mixed, &stream, request.info, count, |i| if i % 3 == 2 { 16 } else { 0 });
    assert_eq!(md5s, expected, "mixed surfaces");
    assert!(stats.copies > 0 && stats.copies < stats.shown, "{stats:?}");

    // A Locked work surface is refused with MoreSurface; one too small is invalid.
    let locked = application_surface(request.info);
    let hold = locked.hold().unwrap();
    decode.reset(&params).unwrap();
    assert_eq!(decode.decode_frame_async(Some(&stream), Some(&locked), 0).unwrap_err(), DecodeError::MoreSurface);
    drop(hold);
    let small = application_surface(FrameInfo::new(FourCc::I420, 160, 120));
    assert!(matches!(decode.decode_frame_async(Some(&stream), Some(&small), 0), Err(DecodeError::InvalidParams(_))));
}
