//! The encode component on real encoders: every codec, both 8-bit input layouts, the drain, the
//! bitstream-room rule, rate control and GOP settings, and copies and surface holds counted.
//! Streams are decoded back with the ffmpeg CLI and compared with the source (PSNR).

use std::io::Write;
use std::process::{Command, Stdio};

use vplrs_encode::{Encode, EncodeCodec, EncodeError, EncodeParams, FrameControl, FrameType, RateControl};
use vplrs_memory::{FourCc, FrameInfo, Surface};
use vplrs_runtime::Core;

const W: u32 = 320;
const H: u32 = 240;
const FRAMES: usize = 30;

/// A moving picture that compresses well: gradients, a moving square, chroma ramps. I420 bytes.
fn source_frame(index: usize) -> Vec<u8> {
    let (w, h) = (W as usize, H as usize);
    let mut frame = vec![0u8; w * h * 3 / 2];
    let shift = index * 3;
    for y in 0..h {
        for x in 0..w {
            let inside = (x + w - shift % w) % w < 64 && y > 80 && y < 150;
            frame[y * w + x] = if inside { 220 } else { ((x + y + shift) % 200 + 16) as u8 };
        }
    }
    let (cw, ch) = (w / 2, h / 2);
    for y in 0..ch {
        for x in 0..cw {
            frame[w * h + y * cw + x] = (64 + (x + shift) % 128) as u8;
            frame[w * h + cw * ch + y * cw + x] = (192 - (y + index) % 128) as u8;
        }
    }
    frame
}

/// Writes an I420 frame into a surface of any 8-bit 4:2:0 FourCC.
fn fill(surface: &Surface, frame: &[u8]) {
    let (w, h) = (W as usize, H as usize);
    let (cw, ch) = (w / 2, h / 2);
    let mut guard = surface.map_write().unwrap();
    let mut view = guard.view_mut();
    let fourcc = view.fourcc;
    if fourcc != FourCc::P010 {
        for y in 0..h {
            view.plane_mut(0).row_mut(y)[..w].copy_from_slice(&frame[y * w..(y + 1) * w]);
        }
    }
    let u = &frame[w * h..w * h + cw * ch];
    let v = &frame[w * h + cw * ch..];
    match fourcc {
        FourCc::I420 | FourCc::Yv12 => {
            let (u_plane, v_plane) = if fourcc == FourCc::I420 { (1, 2) } else { (2, 1) };
            for y in 0..ch {
                view.plane_mut(u_plane).row_mut(y)[..cw].copy_from_slice(&u[y * cw..(y + 1) * cw]);
                view.plane_mut(v_plane).row_mut(y)[..cw].copy_from_slice(&v[y * cw..(y + 1) * cw]);
            }
        }
        FourCc::Nv12 => {
            for y in 0..ch {
                let row = view.plane_mut(1).row_mut(y);
                for x in 0..cw {
                    row[2 * x] = u[y * cw + x];
                    row[2 * x + 1] = v[y * cw + x];
                }
            }
        }
        FourCc::P010 => {
            // 10-bit samples (8-bit value << 2) in the high bits of 16-bit words.
            let word = |sample: u8| ((u16::from(sample) << 2) << 6).to_le_bytes();
            for y in 0..h {
                let row = view.plane_mut(0).row_mut(y);
                for x in 0..w {
                    row[2 * x..2 * x + 2].copy_from_slice(&word(frame[y * w + x]));
                }
            }
            for y in 0..ch {
                let row = view.plane_mut(1).row_mut(y);
                for x in 0..cw {
                    row[4 * x..4 * x + 2].copy_from_slice(&word(u[y * cw + x]));
                    row[4 * x + 2..4 * x + 4].copy_from_slice(&word(v[y * cw + x]));
                }
            }
        }
        other => panic!("unexpected {other}"),
    }
}

fn params(codec: EncodeCodec, fourcc: FourCc) -> EncodeParams {
    let info = FrameInfo::new(fourcc, W, H).with_frame_rate(30, 1);
    let rate_control = if codec == EncodeCodec::Jpeg {
        RateControl::JpegQuality(90)
    } else {
        RateControl::Vbr { kbps: 1500, max_kbps: 0 }
    };
    EncodeParams::new(codec, info, rate_control)
}

struct Outcome {
    stream: Vec<u8>,
    packets: Vec<Vec<u8>>,
    types: Vec<FrameType>,
    timestamps: Vec<u64>,
    copies: u64,
}

/// Encodes FRAMES source frames through the encode pool and drains.
fn encode(params: &EncodeParams) -> Outcome {
    let mut encode = Encode::new(Core::new());
    assert_eq!(encode.init(params).unwrap(), vplrs_runtime::Accepted::AsGiven, "no correction expected");
    let mut outcome =
        Outcome { stream: Vec::new(), packets: Vec::new(), types: Vec::new(), timestamps: Vec::new(), copies: 0 };
    let collect = |result: Result<vplrs_encode::EncodedFrame, EncodeError>, outcome: &mut Outcome| match result {
        Ok(frame) => {
            frame.sync.wait(std::time::Duration::from_secs(5)).unwrap();
            outcome.stream.extend_from_slice(&frame.data);
            outcome.packets.push(frame.data);
            outcome.types.push(frame.frame_type);
            outcome.timestamps.push(frame.timestamp);
            true
        }
        Err(EncodeError::MoreData) => false,
        Err(other) => panic!("encode failed: {other}"),
    };
    for index in 0..FRAMES {
        let surface = encode.surface().unwrap();
        fill(&surface, &source_frame(index));
        surface.update_meta(|meta| meta.timestamp = 1000 + index as u64 * 3000);
        let result = encode.encode_frame_async(Some(&surface), FrameControl::default(), usize::MAX);
        collect(result, &mut outcome);
    }
    while collect(encode.encode_frame_async(None, FrameControl::default(), usize::MAX), &mut outcome) {}
    let stats = encode.stats().unwrap();
    assert_eq!(stats.frames_in, FRAMES as u64);
    assert_eq!(stats.frames_out, FRAMES as u64, "every frame comes out");
    assert_eq!(stats.cached(), 0);
    outcome.copies = stats.copies;
    // FFmpeg's MJPEG encoder (mpegvideo) keeps its last pictures referenced until it is closed.
    let held = if params.codec == EncodeCodec::Jpeg { 2 } else { 0 };
    let pool = encode.pool().unwrap().clone();
    assert!(pool.stats().in_use <= held, "the encoder let go of the input surfaces it no longer needs");
    encode.close().unwrap();
    assert_eq!(pool.stats().in_use, 0, "closing lets go of every input surface");
    outcome
}

/// Decodes a stream with the ffmpeg CLI to I420 frames.
fn ffmpeg_decode(stream: &[u8], format: &str) -> Vec<u8> {
    let mut child = Command::new("ffmpeg")
        .args(["-nostdin", "-v", "error", "-f", format, "-i", "-", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("ffmpeg CLI (installed by scripts/setup.sh)");
    let mut stdin = child.stdin.take().unwrap();
    let data = stream.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&data));
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(output.status.success());
    output.stdout
}

fn psnr(a: &[u8], b: &[u8]) -> f64 {
    let mse = a.iter().zip(b).map(|(&x, &y)| (f64::from(x) - f64::from(y)).powi(2)).sum::<f64>() / a.len() as f64;
    if mse == 0.0 {
        99.0
    } else {
        10.0 * (255.0 * 255.0 / mse).log10()
    }
}

fn check_faithful(codec: EncodeCodec, outcome: &Outcome) -> f64 {
    let format = match codec {
        EncodeCodec::Avc => "h264",
        EncodeCodec::Hevc => "hevc",
        EncodeCodec::Av1 => "ivf",
        EncodeCodec::Jpeg => "mjpeg",
    };
    let stream = if codec == EncodeCodec::Av1 { ivf(&outcome.packets) } else { outcome.stream.clone() };
    let decoded = ffmpeg_decode(&stream, format);
    let frame_size = (W * H * 3 / 2) as usize;
    assert_eq!(decoded.len(), frame_size * FRAMES, "{codec:?}: every frame decodes");
    let source: Vec<u8> = (0..FRAMES).flat_map(source_frame).collect();
    let value = psnr(&source, &decoded);
    eprintln!("{codec:?}: {} bytes, PSNR {value:.2} dB", outcome.stream.len());
    assert!(value >= 30.0, "{codec:?}: PSNR {value:.2} dB");
    value
}

fn ivf(packets: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(b"DKIF");
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&32u16.to_le_bytes());
    out.extend_from_slice(b"AV01");
    out.extend_from_slice(&(W as u16).to_le_bytes());
    out.extend_from_slice(&(H as u16).to_le_bytes());
    out.extend_from_slice(&30u32.to_le_bytes());
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&(packets.len() as u32).to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    for (index, packet) in packets.iter().enumerate() {
        out.extend_from_slice(&(packet.len() as u32).to_le_bytes());
        out.extend_from_slice(&(index as u64).to_le_bytes());
        out.extend_from_slice(packet);
    }
    out
}

#[test]
fn every_codec_encodes_i420_in_place_faithfully() {
    for codec in EncodeCodec::ALL {
        if !codec.is_available() {
            eprintln!("{codec:?}: no encoder in this FFmpeg build");
            continue;
        }
        let outcome = encode(&params(codec, FourCc::I420));
        check_faithful(codec, &outcome);
        assert_eq!(outcome.copies, 0, "{codec:?}: I420 is read in place");
    }
}

#[test]
fn nv12_is_read_in_place_by_x264_and_converted_once_for_the_others() {
    for codec in EncodeCodec::ALL {
        if !codec.is_available() {
            continue;
        }
        let outcome = encode(&params(codec, FourCc::Nv12));
        check_faithful(codec, &outcome);
        let expected = if codec == EncodeCodec::Avc { 0 } else { FRAMES as u64 };
        assert_eq!(outcome.copies, expected, "{codec:?}: copies");
    }
}

#[test]
fn yv12_planes_are_swapped_not_copied() {
    let outcome = encode(&params(EncodeCodec::Avc, FourCc::Yv12));
    check_faithful(EncodeCodec::Avc, &outcome);
    assert_eq!(outcome.copies, 0);
}

#[test]
fn timestamps_travel_and_the_first_picture_is_an_idr() {
    let outcome = encode(&params(EncodeCodec::Hevc, FourCc::I420));
    assert!(outcome.types[0].contains(FrameType::IDR | FrameType::I));
    let mut sorted = outcome.timestamps.clone();
    sorted.sort_unstable();
    let expected: Vec<u64> = (0..FRAMES as u64).map(|i| 1000 + i * 3000).collect();
    assert_eq!(sorted, expected, "each input timestamp comes out once");
}

#[test]
fn gop_settings_shape_the_stream() {
    // No B-frames, an I-frame every 10.
    let mut p = params(EncodeCodec::Avc, FourCc::Nv12);
    p.gop_ref_dist = 1;
    p.gop_pic_size = 10;
    let outcome = encode(&p);
    assert!(outcome.types.iter().all(|t| !t.contains(FrameType::B)), "GopRefDist 1: no B-frames");
    let keys: Vec<usize> =
        outcome.types.iter().enumerate().filter(|(_, t)| t.contains(FrameType::IDR)).map(|(i, _)| i).collect();
    assert_eq!(keys, vec![0, 10, 20], "an IDR every GopPicSize frames");
    // B-frames when asked for.
    let mut p = params(EncodeCodec::Avc, FourCc::Nv12);
    p.gop_ref_dist = 3;
    let outcome = encode(&p);
    assert!(outcome.types.iter().any(|t| t.contains(FrameType::B)), "GopRefDist 3: B-frames");
    check_faithful(EncodeCodec::Avc, &outcome);
}

#[test]
fn constant_qp_and_cbr_are_honoured() {
    let mut low = params(EncodeCodec::Hevc, FourCc::I420);
    low.rate_control = RateControl::Cqp { qpi: 20, qpp: 22, qpb: 24 };
    let mut high = low;
    high.rate_control = RateControl::Cqp { qpi: 40, qpp: 42, qpb: 44 };
    let (fine, coarse) = (encode(&low), encode(&high));
    assert!(fine.stream.len() > 2 * coarse.stream.len(), "{} vs {}", fine.stream.len(), coarse.stream.len());
    assert!(check_faithful(EncodeCodec::Hevc, &fine) > check_faithful(EncodeCodec::Hevc, &coarse));

    let mut cbr = params(EncodeCodec::Avc, FourCc::I420);
    cbr.rate_control = RateControl::Cbr { kbps: 400 };
    let outcome = encode(&cbr);
    let kbps = outcome.stream.len() as f64 * 8.0 / (FRAMES as f64 / 30.0) / 1000.0;
    assert!((200.0..=600.0).contains(&kbps), "CBR 400 kbps gave {kbps:.0} kbps");
}

#[test]
fn jpeg_quality_orders_sizes() {
    let sizes: Vec<usize> = [20, 60, 95]
        .into_iter()
        .map(|quality| {
            let mut p = params(EncodeCodec::Jpeg, FourCc::I420);
            p.rate_control = RateControl::JpegQuality(quality);
            encode(&p).stream.len()
        })
        .collect();
    assert!(sizes[0] < sizes[1] && sizes[1] < sizes[2], "{sizes:?}");
}

#[test]
fn a_picture_that_does_not_fit_waits_for_room() {
    let mut encode = Encode::new(Core::new());
    encode.init(&params(EncodeCodec::Jpeg, FourCc::I420)).unwrap();
    // Pictures are taken and made but do not fit: they stay queued, and a call that finds one
    // waiting says so and takes nothing.
    let mut needed = None;
    for index in 0..8 {
        let surface = encode.surface().unwrap();
        fill(&surface, &source_frame(index));
        let taken_before = encode.stats().unwrap().frames_in;
        match encode.encode_frame_async(Some(&surface), FrameControl::default(), 16) {
            Err(EncodeError::MoreData) => assert_eq!(encode.stats().unwrap().frames_in, taken_before + 1),
            Err(EncodeError::NotEnoughBuffer { needed: size }) => {
                assert_eq!(encode.stats().unwrap().frames_in, taken_before, "nothing taken");
                needed = Some(size);
                break;
            }
            other => panic!("{other:?}"),
        }
    }
    let needed = needed.expect("the shortage is reported");
    let frame = encode.encode_frame_async(None, FrameControl::default(), needed).unwrap();
    assert_eq!(frame.data.len(), needed);
    assert_eq!(&frame.data[..2], &[0xff, 0xd8], "a JPEG picture");
    let taken = encode.stats().unwrap().frames_in;
    let mut out = 1;
    while let Ok(frame) = encode.encode_frame_async(None, FrameControl::default(), usize::MAX) {
        assert_eq!(&frame.data[..2], &[0xff, 0xd8]);
        out += 1;
    }
    assert_eq!(out, taken, "no picture lost");
}

#[test]
fn forced_key_frames_are_idrs() {
    let mut p = params(EncodeCodec::Avc, FourCc::I420);
    p.gop_ref_dist = 1;
    let mut encode = Encode::new(Core::new());
    encode.init(&p).unwrap();
    let mut types = Vec::new();
    for index in 0..12 {
        let surface = encode.surface().unwrap();
        fill(&surface, &source_frame(index));
        let control = FrameControl { force_key: index == 7 };
        if let Ok(frame) = encode.encode_frame_async(Some(&surface), control, usize::MAX) {
            types.push(frame.frame_type);
        }
    }
    while let Ok(frame) = encode.encode_frame_async(None, FrameControl::default(), usize::MAX) {
        types.push(frame.frame_type);
    }
    assert_eq!(types.len(), 12);
    assert!(types[7].contains(FrameType::IDR), "{types:?}");
    assert!(!types[6].contains(FrameType::I) && !types[8].contains(FrameType::I));
}

#[test]
fn bad_parameters_get_their_documented_answers() {
    let refusal = |p: &EncodeParams| Encode::new(Core::new()).init(p).unwrap_err();
    let mut p = params(EncodeCodec::Avc, FourCc::Rgb4);
    assert!(matches!(refusal(&p), EncodeError::Unsupported(_)));
    p = params(EncodeCodec::Avc, FourCc::I420);
    p.input.frame_rate = vplrs_memory::FrameRate { num: 0, den: 0 };
    assert!(matches!(refusal(&p), EncodeError::InvalidParams(_)));
    // No bitrate: a default for the picture size and rate, not a correction.
    p = params(EncodeCodec::Avc, FourCc::I420);
    p.rate_control = RateControl::Cbr { kbps: 0 };
    let answer = vplrs_encode::query(&p).unwrap();
    assert!(!answer.corrected);
    assert_eq!(answer.params.rate_control, RateControl::Cbr { kbps: 230 }, "0.1 bit per pixel at 320x240x30");
    p = params(EncodeCodec::Avc, FourCc::I420);
    p.input.crop.width = 101;
    assert!(matches!(refusal(&p), EncodeError::InvalidParams(_)));
    let mut encode = Encode::new(Core::new());
    assert!(matches!(encode.surface(), Err(EncodeError::NotInitialized)));
    let corrected = vplrs_encode::query(&{
        let mut p = params(EncodeCodec::Avc, FourCc::I420);
        p.target_usage = 9;
        p
    })
    .unwrap();
    assert!(corrected.corrected);
    assert_eq!(corrected.params.target_usage, 4);
    // Width/Height equal to a 640x360 picture (Intel's samples send them so): corrected to the
    // 16-aligned allocation, the picture kept as the crop.
    let unaligned = vplrs_encode::query(&{
        let mut p = params(EncodeCodec::Avc, FourCc::Nv12);
        p.input.width = 640;
        p.input.height = 360;
        p.input.crop = vplrs_memory::Rect { x: 0, y: 0, width: 0, height: 0 };
        p
    })
    .unwrap();
    assert!(unaligned.corrected);
    let input = unaligned.params.input;
    assert_eq!((input.width, input.height), (640, 368));
    assert_eq!(input.crop, vplrs_memory::Rect { x: 0, y: 0, width: 640, height: 360 });
    encode.init(&params(EncodeCodec::Avc, FourCc::I420)).unwrap();
    assert!(matches!(encode.init(&params(EncodeCodec::Avc, FourCc::I420)), Err(EncodeError::AlreadyInitialized)));
    // A surface of another format is refused without being taken.
    let foreign = Surface::new(FrameInfo::new(FourCc::Nv12, W, H), Default::default()).unwrap();
    let error = encode.encode_frame_async(Some(&foreign), FrameControl::default(), usize::MAX).unwrap_err();
    assert!(matches!(error, EncodeError::InvalidSurface(_)), "{error}");
    assert_eq!(encode.stats().unwrap().frames_in, 0);
}

#[test]
fn p010_encodes_as_hevc_main10_with_one_counted_conversion() {
    let mut p = params(EncodeCodec::Hevc, FourCc::P010);
    p.profile = vplrs_encode::params::profiles::HEVC_MAIN10;
    let outcome = encode(&p);
    assert_eq!(outcome.copies, FRAMES as u64, "P010 is converted once per frame");
    check_faithful(EncodeCodec::Hevc, &outcome);
    // The stream is Main 10: ffprobe reads its profile.
    let probe = Command::new("ffprobe")
        .args(["-v", "error", "-show_entries", "stream=profile,pix_fmt", "-of", "csv=p=0", "-f", "hevc", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut probe = probe;
    probe.stdin.take().unwrap().write_all(&outcome.stream).unwrap();
    let text = String::from_utf8(probe.wait_with_output().unwrap().stdout).unwrap();
    assert!(text.contains("Main 10") && text.contains("yuv420p10le"), "{text}");
}

#[test]
fn frames_the_encoder_keeps_stay_locked_until_it_lets_go() {
    // FFmpeg's MJPEG encoder keeps references to its last pictures; x264 lets go in the call.
    for (codec, may_hold) in [(EncodeCodec::Jpeg, 2), (EncodeCodec::Avc, 0)] {
        let mut encode = Encode::new(Core::new());
        encode.init(&params(codec, FourCc::I420)).unwrap();
        let mut surfaces = Vec::new();
        for index in 0..8 {
            let surface = encode.surface().unwrap();
            fill(&surface, &source_frame(index));
            let _ = encode.encode_frame_async(Some(&surface), FrameControl::default(), usize::MAX);
            surfaces.push(surface);
        }
        let held: Vec<&Surface> = surfaces.iter().filter(|s| s.locked() > 0).collect();
        assert!(held.len() <= may_hold, "{codec:?}: {} surfaces held", held.len());
        for surface in &held {
            // The application may not alter a frame the encoder still has.
            assert!(surface.map_write().is_err(), "{codec:?}: a held frame was writable");
        }
        while encode.encode_frame_async(None, FrameControl::default(), usize::MAX).is_ok() {}
        encode.close().unwrap();
        assert!(surfaces.iter().all(|s| s.locked() == 0), "{codec:?}: Close lets go of every frame");
        assert!(surfaces.iter().all(|s| s.map_write().is_ok()));
    }
}

#[test]
fn parameter_sets_out_of_band_are_the_ones_in_the_stream() {
    for codec in [EncodeCodec::Avc, EncodeCodec::Hevc] {
        let p = params(codec, FourCc::Nv12);
        let mut encode = Encode::new(Core::new());
        encode.init(&p).unwrap();
        let sets = encode.parameter_sets().unwrap();
        assert!(sets.sps.starts_with(&[0, 0, 0, 1]) || sets.sps.starts_with(&[0, 0, 1]));
        assert_eq!(sets.vps.is_empty(), codec == EncodeCodec::Avc, "{codec:?}: a VPS for H.265 only");
        encode.close().unwrap();
        let stream = encode_stream(&p);
        let contains = |needle: &[u8]| stream.windows(needle.len()).any(|w| w == needle);
        for set in [&sets.vps, &sets.sps, &sets.pps].into_iter().filter(|s| !s.is_empty()) {
            assert!(contains(&set[set.len().min(4) - 3..]), "{codec:?}: a parameter set not found in the stream");
        }
    }
    let mut encode = Encode::new(Core::new());
    encode.init(&params(EncodeCodec::Jpeg, FourCc::I420)).unwrap();
    assert!(encode.parameter_sets().is_err(), "JPEG has no parameter sets");
}

fn encode_stream(params: &EncodeParams) -> Vec<u8> {
    encode(params).stream
}

/// Closing an encoder that never got a picture returns, for every codec, with or without a drain
/// first (SVT-AV1 1.4 waits forever for the end of a stream without pictures; vplrs gives it a
/// blank one, whose packet is dropped).
#[test]
fn encoders_that_got_no_picture_close() {
    for codec in [EncodeCodec::Avc, EncodeCodec::Hevc, EncodeCodec::Av1, EncodeCodec::Jpeg] {
        for drain_first in [false, true] {
            let (done, finished) = std::sync::mpsc::channel();
            std::thread::spawn(move || {
                let mut encode = Encode::new(Core::new());
                encode.init(&params(codec, FourCc::I420)).unwrap();
                if drain_first {
                    let drained = encode.encode_frame_async(None, FrameControl::default(), usize::MAX);
                    assert!(matches!(drained, Err(EncodeError::MoreData)), "{codec:?}: nothing to drain");
                }
                encode.close().unwrap();
                done.send(()).unwrap();
            });
            let closed = finished.recv_timeout(std::time::Duration::from_secs(60));
            assert!(closed.is_ok(), "{codec:?} (drain first: {drain_first}): Close did not return");
        }
    }
}
