//! H.264, H.265, MJPEG and VP9 through the decode component (libavcodec): streams made now with
//! the ffmpeg CLI, decoded in arbitrary chunks (VP9: one IVF frame per call) in both memory models,
//! compared bit for bit with `ffmpeg -f rawvideo -pix_fmt yuv420p` of the same stream.
#![cfg(feature = "ffmpeg")]

use std::collections::VecDeque;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

mod common;

use common::picture_md5;
use md5::{Digest, Md5};
use vplrs_decode::{Codec, Decode, DecodeError};
use vplrs_memory::{AllocationHints, AllocationPolicy, FourCc, FrameInfo, Surface};
use vplrs_runtime::Core;

struct Stream {
    bytes: Vec<u8>,
    /// For frame-based codecs (VP9 in IVF): each frame's bytes, fed one per call.
    frames: Vec<Vec<u8>>,
    /// MD5 of each picture as I420, from ffmpeg's own decode.
    expected: Vec<String>,
}

fn ffmpeg(args: &[&str]) -> Vec<u8> {
    let output = Command::new("ffmpeg").args(["-hide_banner", "-loglevel", "error", "-y"]).args(args).output().unwrap();
    assert!(output.status.success(), "ffmpeg {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    output.stdout
}

fn make_stream(name: &str, width: u32, height: u32, frames: u32, encode: &[&str], format: &str) -> Stream {
    let path = std::env::temp_dir().join(format!("vplrs-decode-{}-{name}.{format}", std::process::id()));
    let source = format!("testsrc2=size={width}x{height}:rate=30,format=yuv420p");
    let frames = frames.to_string();
    let mut args = vec!["-f", "lavfi", "-i", &source, "-frames:v", &frames];
    args.extend_from_slice(encode);
    let out = path.to_str().unwrap().to_owned();
    args.extend_from_slice(&["-f", format, &out]);
    ffmpeg(&args);
    let raw = ffmpeg(&["-i", &out, "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"]);
    let (cw, ch) = (width.div_ceil(2) as usize, height.div_ceil(2) as usize);
    let frame_size = (width * height) as usize + 2 * cw * ch;
    assert_eq!(raw.len() % frame_size, 0);
    let expected = raw.chunks(frame_size).map(|f| format!("{:x}", Md5::digest(f))).collect();
    let mut bytes = std::fs::read(&path).unwrap();
    let _ = std::fs::remove_file(PathBuf::from(&out));
    let mut frames = Vec::new();
    if format == "ivf" {
        // 32-byte file header, then frames of a 12-byte header (size, timestamp) and the payload.
        let mut at = 32;
        while at + 12 <= bytes.len() {
            let size = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
            frames.push(bytes[at + 12..at + 12 + size].to_vec());
            at += 12 + size;
        }
        bytes = frames.concat();
    }
    Stream { bytes, frames, expected }
}

/// MD5 of a whole surface, if it can be read without waiting.
fn surface_checksum(surface: &Surface) -> Option<String> {
    let guard = surface.try_map_read().ok()?;
    let mut md5 = Md5::new();
    for plane in guard.view().planes() {
        md5.update(plane.data());
    }
    Some(format!("{:x}", md5.finalize()))
}

struct Outcome {
    md5s: Vec<String>,
    copies: u64,
    shown: u64,
    more_surface: u32,
}

/// Decodes `stream` in chunks of `chunk` bytes, as an application reading a file does.
fn decode(codec: Codec, stream: &Stream, fourcc: FourCc, work_surfaces: bool, chunk: usize) -> Outcome {
    let core = Core::new();
    let mut params = Decode::decode_header(codec, &stream.bytes).unwrap();
    assert_eq!(params.output.fourcc, FourCc::Nv12, "8-bit streams are NV12 by default");
    params.output.fourcc = fourcc;
    params.async_depth = 2;
    let request = Decode::query_io_surf(&params).unwrap();
    let mut decode = Decode::new(core.clone());
    decode.init(&params).unwrap();
    let decode_pool = decode.pool().unwrap().clone();
    // 1.x: the application's pool, of exactly NumFrameSuggested surfaces.
    let suggested = u32::from(request.num_frame_suggested);
    let hints =
        AllocationHints { policy: AllocationPolicy::Limited, pre_allocate: suggested, delta_on_the_fly: 0, wait_ms: 0 };
    let work_pool = core.create_pool(&request, hints).unwrap();
    let surfaces: Vec<Surface> =
        if work_surfaces { (0..suggested).map(|_| work_pool.acquire().unwrap()).collect() } else { Vec::new() };

    let mut bitstream: Vec<u8> = Vec::new();
    let mut read = 0;
    let mut md5s = Vec::new();
    let mut more_surface = 0;
    let mut stalled = 0;
    let mut pending = VecDeque::new();
    let mut eos = false;
    loop {
        if bitstream.is_empty() && read < stream.bytes.len() {
            // One frame per call for frame-based codecs, else `chunk` bytes.
            let size = frame_at(&stream.frames, read).unwrap_or(chunk);
            let end = (read + size).min(stream.bytes.len());
            bitstream.extend_from_slice(&stream.bytes[read..end]);
            read = end;
        }
        let work = if work_surfaces {
            // Free: not held by the decoder (Locked == 0) and not waiting here to be read.
            let waiting = |s: &Surface| pending.iter().any(|p: &vplrs_decode::DecodedFrame| p.surface.ptr_eq(s));
            let free = surfaces.iter().find(|s| s.locked() == 0 && !s.is_accessed() && !waiting(s));
            Some(free.expect("a work surface with Locked == 0 (pool of NumFrameSuggested)").clone())
        } else {
            None
        };
        // Surfaces the decoder holds (Locked > 0) must not be written by this call.
        let held: Vec<(Surface, String)> = surfaces
            .iter()
            .filter(|s| s.locked() > 0)
            .filter_map(|s| surface_checksum(s).map(|sum| (s.clone(), sum)))
            .collect();
        let data = (!eos).then_some(&bitstream[..]);
        let result = decode.decode_frame_async(data, work.as_ref(), 0);
        let consumed = decode.consumed();
        if !eos {
            bitstream.drain(..consumed);
        }
        for (surface, sum) in &held {
            assert_eq!(surface_checksum(surface).as_ref(), Some(sum), "a Locked surface was written");
        }
        match result {
            Ok(frame) => {
                stalled = 0;
                pending.push_back(frame);
                if pending.len() >= 2 {
                    let done = pending.pop_front().unwrap();
                    done.sync.wait(Duration::from_secs(10)).unwrap();
                    md5s.push(picture_md5(&done.surface));
                }
            }
            Err(DecodeError::MoreData) if eos => break,
            Err(DecodeError::MoreData) => {
                if read >= stream.bytes.len() && bitstream.is_empty() {
                    eos = true;
                } else if read >= stream.bytes.len() {
                    // The rest of the buffer is all the parser needs to see: keep feeding it.
                    assert_eq!(consumed, 0, "MoreData leaves no data behind");
                }
            }
            Err(DecodeError::MoreSurface) => {
                more_surface += 1;
                stalled += 1;
                // The held pictures are read: let go of them so their surfaces come back.
                for done in pending.drain(..) {
                    done.sync.wait(Duration::from_secs(10)).unwrap();
                    md5s.push(picture_md5(&done.surface));
                }
                assert!(stalled < 4, "MoreSurface forever");
            }
            Err(other) => panic!("{codec:?}: {other}"),
        }
    }
    for done in pending {
        done.sync.wait(Duration::from_secs(10)).unwrap();
        md5s.push(picture_md5(&done.surface));
    }
    assert_eq!(decode.decode_frame_async(None, None, 0).unwrap_err(), DecodeError::MoreData);
    let stats = decode.stats().unwrap();
    decode.close().unwrap();
    drop(surfaces);
    assert_eq!(decode_pool.stats().in_use, 0, "every decode surface back in its pool");
    assert_eq!(work_pool.stats().in_use, 0, "every work surface released");
    let locked = work_pool_surfaces_locked(&work_pool);
    assert!(locked.is_empty(), "surfaces still Locked after Close: {locked:?}");
    Outcome { md5s, copies: stats.copies, shown: stats.shown, more_surface }
}

/// The size of the frame starting at byte `offset` of the concatenated frames.
fn frame_at(frames: &[Vec<u8>], offset: usize) -> Option<usize> {
    let mut start = 0;
    for frame in frames {
        if start == offset {
            return Some(frame.len());
        }
        start += frame.len();
    }
    None
}

fn work_pool_surfaces_locked(pool: &vplrs_memory::SurfacePool) -> Vec<Surface> {
    let mut taken = Vec::new();
    while let Ok(surface) = pool.acquire_timeout(Duration::ZERO) {
        taken.push(surface);
    }
    taken.into_iter().filter(|s| s.locked() > 0).collect()
}

fn check_all_models(codec: Codec, stream: &Stream) {
    for (fourcc, work, chunk) in [
        (FourCc::I420, false, 4096),
        (FourCc::I420, true, 1000),
        (FourCc::Nv12, false, 777),
        (FourCc::Nv12, true, 65536),
    ] {
        let outcome = decode(codec, stream, fourcc, work, chunk);
        assert_eq!(outcome.md5s.len(), stream.expected.len(), "{codec:?} {fourcc} work={work}: picture count");
        assert!(outcome.md5s == stream.expected, "{codec:?} {fourcc} work={work}: not bit-exact");
        match fourcc {
            FourCc::I420 => assert_eq!(outcome.copies, 0, "{codec:?}: decoded in place"),
            _ => assert_eq!(outcome.copies, outcome.shown, "{codec:?}: one counted conversion per picture"),
        }
        eprintln!(
            "{codec:?} {fourcc} work_surfaces={work} chunk={chunk}: {} pictures bit-exact, {} copies, {} MoreSurface",
            outcome.shown, outcome.copies, outcome.more_surface
        );
    }
}

#[test]
fn h264_with_b_frames_is_bit_exact_in_both_memory_models() {
    let encode = ["-c:v", "libx264", "-bf", "3", "-g", "24", "-preset", "fast", "-pix_fmt", "yuv420p"];
    let stream = make_stream("h264", 320, 240, 45, &encode, "h264");
    check_all_models(Codec::Avc, &stream);
}

#[test]
fn h264_with_odd_crop_is_bit_exact() {
    let encode = ["-c:v", "libx264", "-bf", "2", "-pix_fmt", "yuv420p"];
    let stream = make_stream("h264-crop", 318, 238, 30, &encode, "h264");
    check_all_models(Codec::Avc, &stream);
}

#[test]
fn hevc_is_bit_exact_in_both_memory_models() {
    let encode = ["-c:v", "libx265", "-x265-params", "log-level=none:bframes=4", "-pix_fmt", "yuv420p"];
    let stream = make_stream("hevc", 318, 238, 40, &encode, "hevc");
    check_all_models(Codec::Hevc, &stream);
}

#[test]
fn vp9_is_bit_exact_in_both_memory_models() {
    let encode = ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-g", "12", "-pix_fmt", "yuv420p"];
    let stream = make_stream("vp9", 320, 240, 24, &encode, "ivf");
    assert!(stream.frames.len() >= 24);
    check_all_models(Codec::Vp9, &stream);
}

#[test]
fn interlaced_h264_is_bit_exact_in_surfaces_sized_for_fields() {
    let encode = [
        "-vf",
        "setfield=tff",
        "-c:v",
        "libx264",
        "-flags",
        "+ildct+ilme",
        "-x264opts",
        "tff=1",
        "-bf",
        "2",
        "-pix_fmt",
        "yuv420p",
    ];
    let stream = make_stream("h264-tff", 720, 576, 8, &encode, "h264");
    let params = Decode::decode_header(Codec::Avc, &stream.bytes).unwrap();
    assert_eq!(params.output.pic_struct, vplrs_memory::PicStruct::FIELD_TFF);
    assert_eq!((params.output.width, params.output.height), (720, 576));
    for fourcc in [FourCc::I420, FourCc::Nv12] {
        let request = Decode::query_io_surf(&vplrs_decode::DecodeParams {
            output: FrameInfo { fourcc, ..params.output },
            ..params
        })
        .unwrap();
        // Fields: the allocated height is a multiple of 32 (document 001), also when libavcodec
        // asks for spare rows.
        assert_eq!(request.info.height % 32, 0, "{fourcc}: {:?}", request.info);
        assert_eq!(request.info.width % 16, 0, "{fourcc}: {:?}", request.info);
    }
    check_all_models(Codec::Avc, &stream);
}

#[test]
fn header_reports_the_stream() {
    let encode = ["-c:v", "libx264", "-bf", "3", "-pix_fmt", "yuv420p", "-r", "25"];
    let stream = make_stream("h264-header", 176, 144, 10, &encode, "h264");
    let params = Decode::decode_header(Codec::Avc, &stream.bytes).unwrap();
    assert_eq!((params.output.crop.width, params.output.crop.height), (176, 144));
    assert_eq!(params.output.fourcc, FourCc::Nv12);
    // The picture's size aligned to 16, as Intel's runtimes report it.
    assert_eq!((params.output.width, params.output.height), (176, 144));
    let request = Decode::query_io_surf(&FrameInfoParams::i420(params)).unwrap();
    // In-place decoding asks for libavcodec's padded area.
    assert!(request.info.width >= 176 && request.info.height >= 144 + 4, "{:?}", request.info);
    assert!(request.num_frame_suggested > request.num_frame_min || params.async_depth == 0);
    assert_eq!(Decode::decode_header(Codec::Avc, &stream.bytes[..8]).unwrap_err(), DecodeError::MoreData);
}

struct FrameInfoParams;
impl FrameInfoParams {
    fn i420(mut params: vplrs_decode::DecodeParams) -> vplrs_decode::DecodeParams {
        params.output = FrameInfo { fourcc: FourCc::I420, ..params.output };
        params
    }
}

#[test]
fn corrupt_and_truncated_streams_end_without_crash_or_hang() {
    let encode = ["-c:v", "libx264", "-bf", "2", "-pix_fmt", "yuv420p"];
    let stream = make_stream("h264-bad", 176, 144, 20, &encode, "h264");
    let mut bytes = stream.bytes.clone();
    let len = bytes.len();
    for i in (len / 3..len).step_by(97) {
        bytes[i] ^= 0x5a;
    }
    bytes.truncate(len - len / 7);
    for fourcc in [FourCc::I420, FourCc::Nv12] {
        let mut params = Decode::decode_header(Codec::Avc, &bytes).unwrap();
        params.output.fourcc = fourcc;
        let mut decode = Decode::new(Core::new());
        decode.init(&params).unwrap();
        let pool = decode.pool().unwrap().clone();
        let mut offset = 0;
        let mut shown = 0;
        for _ in 0..10_000 {
            let data = (offset < bytes.len()).then(|| &bytes[offset..]);
            let result = decode.decode_frame_async(data, None, 0);
            offset += decode.consumed();
            match result {
                Ok(frame) => {
                    shown += 1;
                    let _ = frame.sync.wait(Duration::from_secs(5));
                    let _ = frame.surface.meta().corrupted;
                }
                Err(DecodeError::MoreData) if data.is_none() => break,
                Err(DecodeError::MoreData) => offset = bytes.len(),
                Err(error) => assert!(error.consumed_data() || decode.consumed() > 0, "{error}"),
            }
        }
        assert!(shown > 0);
        let stats = decode.stats().unwrap();
        eprintln!("corrupt stream {fourcc}: {shown} pictures, {} corrupted, {} errors", stats.corrupted, stats.errors);
        decode.close().unwrap();
        assert_eq!(pool.stats().in_use, 0);
    }
}

/// A stream whose second sequence is smaller: it fits the surfaces, so it is decoded without a
/// new Init, every picture at its own size, and the call that meets it says the parameters
/// changed (`MFX_WRN_VIDEO_PARAM_CHANGED`); a larger one after it is `Incompatible`, with the
/// start of that sequence handed back (`take_undecoded`) and no picture lost before it.
#[test]
fn sequences_that_fit_decode_on_and_larger_ones_hand_their_start_back() {
    let encode = ["-c:v", "libx264", "-bf", "2", "-pix_fmt", "yuv420p"];
    let large = make_stream("rc-large", 640, 360, 8, &encode, "h264");
    let small = make_stream("rc-small", 320, 240, 8, &encode, "h264");
    let larger = make_stream("rc-larger", 800, 448, 4, &encode, "h264");
    let stream = [large.bytes.as_slice(), small.bytes.as_slice(), larger.bytes.as_slice()].concat();
    let mut params = Decode::decode_header(Codec::Avc, &stream).unwrap();
    params.output.fourcc = FourCc::I420;
    let mut decode = Decode::new(Core::new());
    decode.init(&params).unwrap();
    let expected: Vec<&String> = large.expected.iter().chain(&small.expected).collect();
    let mut md5s = Vec::new();
    let mut changed = 0;
    let mut offset = 0;
    let mut undecoded = Vec::new();
    loop {
        let data = (offset < stream.len()).then(|| &stream[offset..(offset + 4096).min(stream.len())]);
        let result = decode.decode_frame_async(data, None, 0);
        offset += decode.consumed();
        changed += u32::from(decode.take_params_changed());
        match result {
            Ok(frame) => {
                frame.sync.wait(Duration::from_secs(10)).unwrap();
                md5s.push(picture_md5(&frame.surface));
            }
            Err(DecodeError::MoreData) if data.is_none() => break,
            Err(DecodeError::MoreData) => {}
            Err(DecodeError::Incompatible(width, height)) => {
                assert_eq!((width, height), (800, 448));
                undecoded = decode.take_undecoded();
                // Drain what came before the new sequence.
                while let Ok(frame) = decode.decode_frame_async(None, None, 0) {
                    md5s.push(picture_md5(&frame.surface));
                }
                break;
            }
            Err(other) => panic!("{other}"),
        }
    }
    assert_eq!(changed, 1, "one new sequence that fits");
    assert!(md5s.iter().eq(expected.iter().copied()), "every picture of both sequences, bit-exact");
    // The larger sequence's start: what the decoder took of the stream but did not decode.
    let rest = &stream[offset - undecoded.len()..];
    assert!(!undecoded.is_empty() && rest.starts_with(&undecoded));
    // A decoder for it, in the same output format; every picture of it follows.
    let restarted = decode.restart_for_new_sequence(rest).unwrap();
    assert_eq!((restarted.output.crop.width, restarted.output.fourcc), (800, FourCc::I420));
    let mut offset = 0;
    let mut larger_md5s = Vec::new();
    loop {
        let data = (offset < rest.len()).then(|| &rest[offset..(offset + 4096).min(rest.len())]);
        let result = decode.decode_frame_async(data, None, 0);
        offset += decode.consumed();
        match result {
            Ok(frame) => larger_md5s.push(picture_md5(&frame.surface)),
            Err(DecodeError::MoreData) if data.is_none() => break,
            Err(DecodeError::MoreData) => {}
            Err(other) => panic!("{other}"),
        }
    }
    assert_eq!(larger_md5s, larger.expected, "the new sequence, bit-exact");
}
