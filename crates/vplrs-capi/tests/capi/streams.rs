//! libavcodec's codecs (H.264, H.265, VP9, AV1, JPEG) through the dispatcher, on streams the
//! ffmpeg CLI makes now (320x240 or 318x238, at most 30 frames), each output compared byte for
//! byte with ffmpeg's own decode of the same stream:
//!
//! - Intel's `sample_decode CODEC -sw -i IN -o OUT -i420` (8-bit) and `-p010` (10-bit: sample_decode
//!   writes the samples shifted down to the low bits);
//! - `tests/c/decode_stream.c` with decode pool surfaces (2.x) and with exactly the suggested
//!   number of application surfaces (1.x: no endless `MFX_ERR_MORE_SURFACE`, no write into a
//!   surface with `Locked` > 0), in I420, NV12, P010 and YUY2 (4:2:2 JPEG);
//! - truncated, bit-flipped and garbage streams: only documented statuses, no crash, no hang;
//! - `SetSkipMode` (its documented answers for every codec, and B-pictures dropped at level 3)
//!   and `GetPayload` (no payload: `NumBit` 0).
//!
//! A stream whose encoder the installed ffmpeg lacks is reported and left out.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::{compile, compile_as, lib_dir, manifest_dir, show};

/// One test stream: how ffmpeg makes it and how its reference decode is written.
struct Spec {
    name: &'static str,
    codec: &'static str,
    file: &'static str,
    encode: &'static [&'static str],
    /// The rawvideo format of the reference (the decoder's own format for 8-bit streams).
    reference: &'static str,
}

const SOURCE_318: &str = "testsrc2=size=318x238:rate=30";
const SOURCE_320: &str = "testsrc2=size=320x240:rate=30";

const SPECS: &[Spec] = &[
    Spec {
        name: "h264",
        codec: "h264",
        file: "in.h264",
        encode: &[
            SOURCE_318,
            "-frames:v",
            "30",
            "-c:v",
            "libx264",
            "-bf",
            "3",
            "-g",
            "24",
            "-pix_fmt",
            "yuv420p",
            "-f",
            "h264",
        ],
        reference: "yuv420p",
    },
    Spec {
        name: "h265",
        codec: "h265",
        file: "in.h265",
        encode: &[
            SOURCE_318,
            "-frames:v",
            "30",
            "-c:v",
            "libx265",
            "-x265-params",
            "log-level=none:bframes=4",
            "-pix_fmt",
            "yuv420p",
            "-f",
            "hevc",
        ],
        reference: "yuv420p",
    },
    Spec {
        name: "vp9",
        codec: "vp9",
        file: "in.vp9.ivf",
        encode: &[
            SOURCE_320,
            "-frames:v",
            "30",
            "-c:v",
            "libvpx-vp9",
            "-deadline",
            "realtime",
            "-cpu-used",
            "8",
            "-g",
            "16",
            "-pix_fmt",
            "yuv420p",
            "-f",
            "ivf",
        ],
        reference: "yuv420p",
    },
    Spec {
        name: "av1",
        codec: "av1",
        file: "in.av1.ivf",
        encode: &[
            SOURCE_320,
            "-frames:v",
            "20",
            "-c:v",
            "libsvtav1",
            "-preset",
            "12",
            "-g",
            "16",
            "-pix_fmt",
            "yuv420p",
            "-f",
            "ivf",
        ],
        reference: "yuv420p",
    },
    Spec {
        name: "jpeg",
        codec: "jpeg",
        file: "in.mjpeg",
        encode: &[SOURCE_320, "-frames:v", "20", "-c:v", "mjpeg", "-q:v", "5", "-pix_fmt", "yuvj420p", "-f", "mjpeg"],
        reference: "yuvj420p",
    },
    Spec {
        name: "jpeg422",
        codec: "jpeg",
        file: "in422.mjpeg",
        encode: &[SOURCE_318, "-frames:v", "8", "-c:v", "mjpeg", "-q:v", "5", "-pix_fmt", "yuvj422p", "-f", "mjpeg"],
        reference: "yuvj422p",
    },
    Spec {
        name: "h265-10",
        codec: "h265",
        file: "in10.h265",
        encode: &[
            SOURCE_318,
            "-frames:v",
            "20",
            "-c:v",
            "libx265",
            "-x265-params",
            "log-level=none:bframes=3",
            "-pix_fmt",
            "yuv420p10le",
            "-f",
            "hevc",
        ],
        reference: "p010le",
    },
    Spec {
        name: "vp9-10",
        codec: "vp9",
        file: "in10.vp9.ivf",
        encode: &[
            SOURCE_320,
            "-frames:v",
            "20",
            "-c:v",
            "libvpx-vp9",
            "-profile:v",
            "2",
            "-deadline",
            "realtime",
            "-cpu-used",
            "8",
            "-pix_fmt",
            "yuv420p10le",
            "-f",
            "ivf",
        ],
        reference: "p010le",
    },
    Spec {
        name: "av1-10",
        codec: "av1",
        file: "in10.av1.ivf",
        encode: &[
            SOURCE_320,
            "-frames:v",
            "12",
            "-c:v",
            "libsvtav1",
            "-preset",
            "12",
            "-pix_fmt",
            "yuv420p10le",
            "-f",
            "ivf",
        ],
        reference: "p010le",
    },
];

/// A stream made, and ffmpeg's decode of it.
struct Stream {
    spec: &'static Spec,
    input: PathBuf,
    reference: Vec<u8>,
}

fn work_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("streams");
    std::fs::create_dir_all(&dir).expect("work dir");
    dir
}

fn ffmpeg(args: &[&str]) -> bool {
    let output = Command::new("ffmpeg").args(["-v", "error", "-y"]).args(args).output();
    match output {
        Ok(output) if output.status.success() => true,
        Ok(output) => {
            eprintln!("ffmpeg {args:?} failed:\n{}", show(&output));
            false
        }
        Err(error) => {
            eprintln!("ffmpeg is not installed ({error})");
            false
        }
    }
}

/// The streams the installed ffmpeg can make, made once for every test of this binary.
fn streams() -> &'static [Stream] {
    static STREAMS: OnceLock<Vec<Stream>> = OnceLock::new();
    STREAMS.get_or_init(|| {
        let dir = work_dir();
        let mut made = Vec::new();
        for spec in SPECS {
            let input = dir.join(spec.file);
            let raw = dir.join(format!("{}.ref", spec.name));
            let input_text = input.to_str().expect("utf-8 path");
            let mut encode = vec!["-f", "lavfi", "-i"];
            encode.extend_from_slice(spec.encode);
            encode.push(input_text);
            let decoded = ffmpeg(&encode)
                && ffmpeg(&["-i", input_text, "-f", "rawvideo", "-pix_fmt", spec.reference, raw.to_str().unwrap()]);
            if !decoded {
                eprintln!("stream {} not made: left out", spec.name);
                continue;
            }
            let reference = std::fs::read(&raw).expect("reference");
            made.push(Stream { spec, input, reference });
        }
        made
    })
}

fn stream(name: &str) -> Option<&'static Stream> {
    streams().iter().find(|s| s.spec.name == name)
}

/// `decode_stream`, compiled once.
pub(super) fn decode_stream() -> &'static Path {
    static PROGRAM: OnceLock<PathBuf> = OnceLock::new();
    PROGRAM.get_or_init(|| compile("decode_stream"))
}

/// Runs a program on vplrs under `timeout` (a hang fails the test instead of stalling it).
pub(super) fn run_bounded(program: &Path, args: &[&str]) -> (bool, String) {
    let output = Command::new("timeout")
        .arg("300")
        .arg(program)
        .args(args)
        .env("ONEVPL_SEARCH_PATH", lib_dir())
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", program.display()));
    (output.status.success(), show(&output))
}

/// sample_decode's P010 file: the samples shifted down to the low 10 bits (mfxFrameInfo.Shift = 1).
fn p010_low_bits(reference: &[u8]) -> Vec<u8> {
    reference.chunks_exact(2).flat_map(|pair| (u16::from_le_bytes([pair[0], pair[1]]) >> 6).to_le_bytes()).collect()
}

/// YUY2 rows packed from a yuvj422p (planar) reference.
fn yuy2_from_planar(reference: &[u8], width: usize, height: usize) -> Vec<u8> {
    let cw = width.div_ceil(2);
    let frame = width * height + 2 * cw * height;
    let mut packed = Vec::with_capacity(reference.len() / frame * 4 * cw * height);
    for picture in reference.chunks_exact(frame) {
        let (y, chroma) = picture.split_at(width * height);
        let (u, v) = chroma.split_at(cw * height);
        for row in 0..height {
            for x in 0..cw {
                let luma = |column: usize| y[row * width + column.min(width - 1)];
                packed.extend_from_slice(&[luma(2 * x), u[row * cw + x], luma(2 * x + 1), v[row * cw + x]]);
            }
        }
    }
    packed
}

fn first_difference(a: &[u8], b: &[u8]) -> String {
    let at = a.iter().zip(b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
    format!("{} bytes, {} expected, first difference at byte {at}", a.len(), b.len())
}

fn sample_decode() -> Option<&'static Path> {
    let found =
        ["/usr/bin/sample_decode", "/usr/share/vpl/examples/sample_decode"].iter().map(Path::new).find(|p| p.exists());
    if found.is_none() {
        eprintln!("sample_decode is not installed (onevpl-tools): not run");
    }
    found
}

/// Runs `sample_decode CODEC -sw -i IN -o OUT FORMAT` and returns what it wrote.
fn run_sample_decode(program: &Path, stream: &Stream, format: &str) -> Result<Vec<u8>, String> {
    let out = work_dir().join(format!("{}.sample{format}.yuv", stream.spec.name));
    let _ = std::fs::remove_file(&out);
    let (ok, log) = run_bounded(
        program,
        &[stream.spec.codec, "-sw", "-i", stream.input.to_str().unwrap(), "-o", out.to_str().unwrap(), format],
    );
    if !ok {
        return Err(format!("sample_decode failed:\n{log}"));
    }
    Ok(std::fs::read(&out).unwrap_or_default())
}

#[test]
fn sample_decode_i420_bit_exact_with_ffmpeg() {
    let Some(program) = sample_decode() else { return };
    let mut failures = Vec::new();
    let mut passed = Vec::new();
    for name in ["h265", "h264", "av1", "jpeg", "vp9"] {
        let Some(stream) = stream(name) else { continue };
        match run_sample_decode(program, stream, "-i420") {
            Ok(out) if out == stream.reference => passed.push(name),
            Ok(out) => failures.push(format!("{name}: {}", first_difference(&out, &stream.reference))),
            Err(error) => failures.push(format!("{name}: {error}")),
        }
    }
    assert!(failures.is_empty(), "sample_decode -i420 on vplrs:\n{}", failures.join("\n"));
    println!("sample_decode -i420 bit-exact with ffmpeg: {passed:?}");
}

#[test]
fn sample_decode_p010_bit_exact_with_ffmpeg() {
    let Some(program) = sample_decode() else { return };
    let mut failures = Vec::new();
    let mut passed = Vec::new();
    for name in ["h265-10", "vp9-10", "av1-10"] {
        let Some(stream) = stream(name) else { continue };
        let expected = p010_low_bits(&stream.reference);
        match run_sample_decode(program, stream, "-p010") {
            Ok(out) if out == expected => passed.push(name),
            Ok(out) => failures.push(format!("{name}: {}", first_difference(&out, &expected))),
            Err(error) => failures.push(format!("{name}: {error}")),
        }
    }
    assert!(failures.is_empty(), "sample_decode -p010 on vplrs:\n{}", failures.join("\n"));
    println!("sample_decode -p010 bit-exact with ffmpeg: {passed:?}");
}

/// Decodes `stream` with decode_stream in `mode` and compares the output with `expected`.
fn check_decode(stream: &Stream, mode: &str, fourcc: &str, expected: &[u8], failures: &mut Vec<String>) {
    let out = work_dir().join(format!("{}.{mode}.{fourcc}.raw", stream.spec.name));
    let _ = std::fs::remove_file(&out);
    let (ok, log) = run_bounded(
        decode_stream(),
        &[mode, stream.spec.codec, stream.input.to_str().unwrap(), out.to_str().unwrap(), fourcc],
    );
    let label = format!("{} {mode} {fourcc}", stream.spec.name);
    if !ok {
        failures.push(format!("{label}: decode_stream failed:\n{log}"));
        return;
    }
    let got = std::fs::read(&out).unwrap_or_default();
    if got != expected {
        failures.push(format!("{label}: {}", first_difference(&got, expected)));
    }
    // An intact stream marks no picture Corrupted.
    if !log.contains(" corrupted 0") {
        failures.push(format!("{label}: pictures of an intact stream marked Corrupted:\n{log}"));
    }
}

#[test]
fn decode_pool_and_application_surfaces_bit_exact_with_ffmpeg() {
    let mut failures = Vec::new();
    for stream in streams() {
        let expected = match stream.spec.name {
            "jpeg422" => yuy2_from_planar(&stream.reference, 318, 238),
            _ => stream.reference.clone(),
        };
        check_decode(stream, "pool", "default", &expected, &mut failures);
        if stream.spec.name != "jpeg422" {
            // Exactly NumFrameSuggested application surfaces (B-frames in the H.264/H.265 streams).
            check_decode(stream, "app", "default", &expected, &mut failures);
        }
        if matches!(stream.spec.name, "h264" | "vp9") {
            // NV12 surfaces: the picture converted, written back as I420 by decode_stream.
            check_decode(stream, "pool", "nv12", &expected, &mut failures);
            check_decode(stream, "app", "nv12", &expected, &mut failures);
        }
        if stream.spec.reference == "p010le" {
            // P010 with Shift 0: the samples in the low bits, in both memory models.
            let low = p010_low_bits(&expected);
            check_decode(stream, "pool", "lsb", &low, &mut failures);
            check_decode(stream, "app", "lsb", &low, &mut failures);
        }
    }
    assert!(failures.is_empty(), "decode through the dispatcher:\n{}", failures.join("\n"));
    println!("decode_stream: {} streams bit-exact in both memory models", streams().len());
}

/// Damaged copies of a stream: cut at 60 %, one bit flipped every 701 bytes, random bytes.
fn damaged(stream: &Stream) -> Vec<(String, PathBuf)> {
    let data = std::fs::read(&stream.input).expect("stream");
    let mut flipped = data.clone();
    let mut seed = 0x9e37_79b9_u32;
    for index in (300..flipped.len()).step_by(701) {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        flipped[index] ^= 1 << (seed % 8);
    }
    let garbage: Vec<u8> = (0..20_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let dir = work_dir();
    let name = stream.spec.name;
    [("truncated", data[..data.len() * 6 / 10].to_vec()), ("flipped", flipped), ("garbage", garbage)]
        .into_iter()
        .map(|(kind, bytes)| {
            let path = dir.join(format!("{kind}-{}", stream.spec.file));
            std::fs::write(&path, bytes).expect("write");
            (format!("{name} {kind}"), path)
        })
        .collect()
}

/// The `frames N corrupted C` line of a `decode_stream robust` run: (N, C).
fn robust_summary(log: &str) -> (u32, u32) {
    let summary = log.lines().find(|l| l.starts_with("frames ")).unwrap_or_default();
    let number = |index| summary.split_whitespace().nth(index).and_then(|n| n.parse::<u32>().ok()).unwrap_or(0);
    (number(1), number(3))
}

#[test]
fn damaged_streams_give_documented_answers_without_crash_or_hang() {
    let mut failures = Vec::new();
    let mut corrupted_pictures = 0;
    for stream in streams().iter().filter(|s| !s.spec.name.ends_with("-10") && s.spec.name != "jpeg422") {
        let (ok, log) = run_bounded(decode_stream(), &["robust", stream.spec.codec, stream.input.to_str().unwrap()]);
        assert!(ok, "{} intact:\n{log}", stream.spec.name);
        let (intact_frames, intact_corrupted) = robust_summary(&log);
        assert_eq!(intact_corrupted, 0, "{} intact: {log}", stream.spec.name);
        for (label, path) in damaged(stream) {
            let (ok, log) = run_bounded(decode_stream(), &["robust", stream.spec.codec, path.to_str().unwrap()]);
            if !ok {
                failures.push(format!("{label}:\n{log}"));
                continue;
            }
            let (frames, corrupted) = robust_summary(&log);
            corrupted_pictures += corrupted;
            // Bit flips in H.264 (concealed and flagged by libavcodec), in H.265 and JPEG (errors
            // libavcodec logs while decoding the picture) and a JPEG cut short (no end marker)
            // show as Data.Corrupted.
            let must_mark = ["h264 flipped", "h265 flipped", "jpeg flipped", "jpeg truncated"];
            if must_mark.contains(&label.as_str()) && corrupted == 0 {
                failures.push(format!("{label}: no picture marked Corrupted ({frames} frames)"));
            }
            // Damage in an Annex B stream loses no picture: each is handed out, marked.
            if label == "h265 flipped" && frames != intact_frames {
                failures.push(format!("{label}: {frames} pictures out of {intact_frames}"));
            }
            println!("{label}: frames {frames} corrupted {corrupted}");
        }
    }
    assert!(failures.is_empty(), "damaged streams:\n{}", failures.join("\n"));
    if stream("h264").is_some() {
        assert!(corrupted_pictures > 0, "no damaged picture was marked with Data.Corrupted");
    }
}

#[test]
fn skip_mode_drops_b_pictures_of_h264() {
    let Some(stream) = stream("h264") else { return };
    let (ok, log) = run_bounded(decode_stream(), &["skip", "h264", stream.input.to_str().unwrap()]);
    assert!(ok, "decode_stream skip failed:\n{log}");
    let frames: usize = log
        .lines()
        .find_map(|l| l.strip_prefix("frames ")?.split_whitespace().next()?.parse().ok())
        .expect("a frames line");
    // 30 pictures, B-pictures among them (-bf 3): dropped at skip level 3.
    assert!(frames > 0 && frames < 30, "{frames} pictures at skip level 3:\n{log}");
    println!("h264 at skip level 3: {frames} of 30 pictures");
}

/// Pictures in `stream`, as ffprobe counts them.
fn frame_count(stream: &Path) -> Option<usize> {
    let output = Command::new("ffprobe")
        .args(["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames"])
        .args(["-of", "csv=p=0"])
        .arg(stream)
        .output()
        .ok()?;
    String::from_utf8_lossy(&output.stdout).trim().parse().ok()
}

/// `tests/c/guard_pages.c`: every stream fed in chunks of many sizes (IVF: frame by frame) from
/// buffers that end at a PROT_NONE page decodes every picture, and bitstreams whose data lies
/// beyond their buffer are refused. libavcodec's parsers read up to 64 bytes past their input.
#[test]
fn bitstreams_ending_at_a_guard_page_are_read_within_their_bounds() {
    let program = compile("guard_pages");
    let mut failures = Vec::new();
    let mut runs = 0;
    for name in ["h264", "h265", "jpeg", "vp9", "av1"] {
        let Some(stream) = stream(name) else { continue };
        let Some(expected) = frame_count(&stream.input) else { continue };
        let chunks: &[&str] = match name {
            // IVF: one frame per call whatever the chunk.
            "vp9" | "av1" => &["1"],
            _ => &["1", "63", "64", "65", "333", "1000", "4096", "65536"],
        };
        for chunk in chunks {
            let (ok, log) = run_bounded(&program, &[stream.spec.codec, stream.input.to_str().unwrap(), chunk]);
            runs += 1;
            if !ok || !log.contains(&format!("pictures {expected}\n")) {
                failures.push(format!("{name} chunk {chunk}: {expected} pictures expected:\n{log}"));
            }
        }
    }
    assert!(failures.is_empty(), "guard pages:\n{}", failures.join("\n"));
    println!("guard pages: {runs} runs, every picture, no read past a buffer");
}

/// `tests/c/init_close_cycles.c`: Init -> work -> Close, in one session, for every decoder (80
/// cycles of a whole stream), encoder (40 cycles of 8 pictures) and VPP (40 cycles): the memory
/// in use flat after the warm-up, the peak of the second half of the cycles within 256 KB of the
/// first half's in bytes malloc handed out (the resident size steps by megabytes without a leak,
/// so it gets a loose bound), and no more threads. `bench/init_close_cycles.sh` runs 300.
#[test]
fn init_close_cycles_keep_no_memory() {
    let program = compile("init_close_cycles");
    let mut failures = Vec::new();
    let mut runs: Vec<(String, String, &str)> = Vec::new();
    for name in ["h265", "vp9", "av1", "h264"] {
        let Some(stream) = stream(name) else { continue };
        runs.push((stream.spec.codec.to_owned(), stream.input.to_string_lossy().into_owned(), "80"));
    }
    for work in ["encode-h264", "encode-h265", "encode-av1", "encode-jpeg", "vpp"] {
        runs.push((work.to_owned(), "-".to_owned(), "40"));
    }
    for (work, input, cycles) in &runs {
        let (ok, log) = run_bounded(&program, &[work, input, cycles]);
        println!("{work}: {}", log.lines().rev().nth(1).unwrap_or_default());
        if !ok {
            failures.push(format!("{work}:\n{log}"));
        }
    }
    assert!(failures.is_empty(), "Init/Close cycles:\n{}", failures.join("\n"));
}

/// `tests/c/decode_hints.c`: a LIMITED or OPTIMAL decode pool whose pictures the application
/// holds answers MFX_WRN_ALLOC_TIMEOUT_EXPIRED after its Wait and goes on once they are released,
/// every picture out; a LIMITED maximum below the decoder's need answers the warning, no hang.
#[test]
fn allocation_hints_wait_governs_decode_without_a_work_surface() {
    let program = compile("decode_hints");
    let Some(stream) = stream("h264") else { return };
    let expected = frame_count(&stream.input).expect("ffprobe counts the pictures");
    for policy in ["limited", "optimal", "tiny"] {
        let (ok, log) = run_bounded(&program, &["h264", stream.input.to_str().unwrap(), policy]);
        assert!(ok, "{policy}:\n{log}");
        if policy != "tiny" {
            assert!(log.contains(&format!("pictures {expected} ")), "{policy}: every picture:\n{log}");
        }
    }
}

/// Intel's `sample_decode` on 4:2:2 and 4:4:4 streams, 8 and 10 bits (H.264 High 4:2:2 / 4:4:4,
/// HEVC RExt): the formats Intel's runtimes use (YUY2, AYUV, Y210, Y410), written as its writer
/// does (Y210 shifted down to the low bits: `Shift` 1), against ffmpeg's planar decode.
#[test]
fn sample_decode_writes_four_two_two_and_four_four_four() {
    let Some(program) = sample_decode() else { return };
    let (w, h) = (320usize, 240usize);
    let n = w * h;
    let mut failures = Vec::new();
    for (codec, encoder, pix_fmt) in [
        ("h264", "libx264", "yuv422p"),
        ("h264", "libx264", "yuv444p"),
        ("h265", "libx265", "yuv422p10le"),
        ("h265", "libx265", "yuv444p10le"),
    ] {
        let file = work_dir().join(format!("chroma-{pix_fmt}.{codec}"));
        let format = if codec == "h265" { "hevc" } else { "h264" };
        let made = ffmpeg(&[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=320x240:rate=30",
            "-frames:v",
            "4",
            "-c:v",
            encoder,
            "-x265-params",
            "log-level=none",
            "-pix_fmt",
            pix_fmt,
            "-f",
            format,
            file.to_str().unwrap(),
        ]);
        let raw = work_dir().join(format!("chroma-{pix_fmt}.ref"));
        if !made
            || !ffmpeg(&["-i", file.to_str().unwrap(), "-f", "rawvideo", "-pix_fmt", pix_fmt, raw.to_str().unwrap()])
        {
            continue;
        }
        let planar = std::fs::read(&raw).unwrap();
        let sample = |bytes: &[u8], i: usize| -> [u8; 2] {
            if pix_fmt.ends_with("10le") {
                [bytes[2 * i], bytes[2 * i + 1]]
            } else {
                [bytes[i], 0]
            }
        };
        let value = |bytes: &[u8], i: usize| u32::from(u16::from_le_bytes(sample(bytes, i)));
        let frame_bytes =
            if pix_fmt.starts_with("yuv422") { 2 * n } else { 3 * n } * if pix_fmt.ends_with("10le") { 2 } else { 1 };
        let mut expected = Vec::new();
        for frame in planar.chunks_exact(frame_bytes) {
            let bytes_per = if pix_fmt.ends_with("10le") { 2 } else { 1 };
            let (y, chroma) = frame.split_at(n * bytes_per);
            match pix_fmt {
                "yuv422p" => {
                    let (u, v) = chroma.split_at(n / 2);
                    (0..n / 2).for_each(|p| expected.extend_from_slice(&[y[2 * p], u[p], y[2 * p + 1], v[p]]));
                }
                "yuv444p" => {
                    let (u, v) = chroma.split_at(n);
                    (0..n).for_each(|p| expected.extend_from_slice(&[v[p], u[p], y[p], 0xff]));
                }
                "yuv422p10le" => {
                    let (u, v) = chroma.split_at(n);
                    for p in 0..n / 2 {
                        for s in [sample(y, 2 * p), sample(u, p), sample(y, 2 * p + 1), sample(v, p)] {
                            expected.extend_from_slice(&s);
                        }
                    }
                }
                _ => {
                    let (u, v) = chroma.split_at(2 * n);
                    for p in 0..n {
                        let word = value(u, p) | value(y, p) << 10 | value(v, p) << 20 | 3 << 30;
                        expected.extend_from_slice(&word.to_le_bytes());
                    }
                }
            }
        }
        let out = work_dir().join(format!("chroma-{pix_fmt}.sample.yuv"));
        let _ = std::fs::remove_file(&out);
        let (ok, log) =
            run_bounded(program, &[codec, "-sw", "-i", file.to_str().unwrap(), "-o", out.to_str().unwrap()]);
        let got = std::fs::read(&out).unwrap_or_default();
        if !ok || got != expected {
            failures.push(format!("{codec} {pix_fmt}: {}\n{log}", first_difference(&got, &expected)));
        }
    }
    assert!(failures.is_empty(), "sample_decode 4:2:2 / 4:4:4:\n{}", failures.join("\n"));
}

/// `tests/c/fault_injection.c`: an application allocator that fails its k-th Alloc, or its k-th
/// Lock, for every k, under VPP, decode (internal memory from the allocator) and encode: every
/// failure answered with a documented status, the session closed, every Alloc freed and every
/// Lock unlocked.
#[test]
fn allocator_failures_at_every_call_are_answered_and_leak_nothing() {
    let program = compile("fault_injection");
    let Some(stream) = stream("h264") else { return };
    for mode in ["alloc", "lock"] {
        let (ok, log) = run_bounded(&program, &[mode, stream.input.to_str().unwrap()]);
        assert!(ok && log.contains("every one answered and balanced"), "{mode}:\n{log}");
        println!("{mode}: {}", log.lines().find(|l| l.starts_with("injected")).unwrap_or_default());
    }
    // And 120 VPP, decode and encode Init/Close cycles in one session: memory flat (2 MB).
    let (ok, log) = run_bounded(&program, &["cycles", stream.input.to_str().unwrap()]);
    assert!(ok, "cycles:\n{log}");
}

/// `VPLRS_COPIES=forbid`: the 2.x decode of an I420 H.264 stream is zero-copy and runs; the
/// 1.x decode into application surfaces whose planes do not suit libavcodec (16-byte aligned,
/// DecodeHeader's size), which copies each picture, fails and names why.
#[test]
fn forbidden_copies_fail_and_name_the_path() {
    let Some(stream) = stream("h264") else { return };
    let out = work_dir().join("forbid.raw");
    let input = stream.input.to_str().unwrap();
    let run = |mode: &str| {
        let output = Command::new(decode_stream())
            .args([mode, "h264", input, out.to_str().unwrap(), "default"])
            .env("ONEVPL_SEARCH_PATH", lib_dir())
            .env("VPLRS_COPIES", "forbid")
            .env("VPLRS_LOG", "warn")
            .output()
            .expect("decode_stream");
        (output.status.success(), show(&output))
    };
    let (ok, log) = run("pool");
    assert!(ok, "2.x decode in place must run with copies forbidden:\n{log}");
    assert_eq!(std::fs::read(&out).unwrap(), stream.reference, "and be bit-exact");
    let (ok, log) = run("app");
    assert!(!ok, "1.x decode into unsuitable surfaces copies: it must fail with copies forbidden");
    assert!(log.contains("VPLRS_COPIES=forbid") && log.contains("planes are not aligned"), "{log}");
}

/// 1.x in place: exactly NumFrameSuggested application I420 surfaces whose planes suit libavcodec
/// (64-byte starts, 128-multiple Pitch). With copies forbidden, H.264 and H.265 (B-frames) and
/// VP9 decode bit-exact at AsyncDepth 1 and 4, twice each, without starving, and the runtime keeps
/// its references in the application's surfaces (Locked > 0 seen).
#[test]
fn application_surfaces_are_decoded_into_in_place_without_a_copy() {
    let out = work_dir().join("in-place.raw");
    for name in ["h264", "h265", "vp9"] {
        let Some(stream) = stream(name) else { continue };
        for depth in ["1", "4"] {
            for run in 1..=2 {
                let _ = std::fs::remove_file(&out);
                let output = Command::new(decode_stream())
                    .args(["aligned", stream.spec.codec, stream.input.to_str().unwrap(), out.to_str().unwrap()])
                    .env("ONEVPL_SEARCH_PATH", lib_dir())
                    .env("VPLRS_COPIES", "forbid")
                    .env("DECODE_ASYNC_DEPTH", depth)
                    .env("VPLRS_LOG", "warn")
                    .output()
                    .expect("decode_stream");
                let log = show(&output);
                let label = format!("{name} AsyncDepth {depth} run {run}");
                assert!(output.status.success(), "{label}: must run with copies forbidden:\n{log}");
                assert!(std::fs::read(&out).unwrap() == stream.reference, "{label}: not bit-exact");
                let locked =
                    log.lines().find_map(|l| l.strip_prefix("locked_seen ")).and_then(|n| n.parse::<u32>().ok());
                assert!(locked.is_some_and(|n| n > 0), "{label}: no reference kept Locked:\n{log}");
                if run == 1 {
                    println!("{label}: bit-exact, 0 copies, at most {} surfaces Locked", locked.unwrap_or(0));
                }
            }
        }
    }
}

/// `tests/c/abi_random.c`: random parameters, extension buffers, damaged and out-of-bounds
/// bitstreams and surfaces in random order through the decode, VPP and encode calls, eight seeds
/// of 3000 calls: every answer an mfxStatus the headers define, no crash, no hang.
#[test]
fn random_calls_through_the_c_abi_get_documented_answers() {
    let program = compile("abi_random");
    let Some(stream) = stream("h264") else { return };
    for seed in 1..=8 {
        let seed = seed.to_string();
        let (ok, log) = run_bounded(&program, &[&seed, "3000", stream.input.to_str().unwrap()]);
        assert!(ok && log.contains("every answer a documented mfxStatus"), "seed {seed}:\n{log}");
    }
}

/// The C-ABI fuzz corpus (`fuzz/corpus/abi`, grown by `fuzz/run.sh` with libFuzzer), every case
/// replayed through the dispatcher by the same code the fuzzer ran: every answer a documented
/// mfxStatus, no panic (`VPLRS_PANIC=abort` turns one into a crash), no crash, no hang.
#[test]
fn c_abi_fuzz_corpus_replays_with_documented_answers() {
    let program = compile_as("abi_random", "abi_random_replay", &["-lvpl".into(), "-ldl".into()]);
    let corpus = manifest_dir().join("fuzz/corpus/abi");
    let mut cases: Vec<String> = std::fs::read_dir(&corpus)
        .expect("the fuzz corpus")
        .map(|entry| entry.expect("corpus entry").path().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    assert!(cases.len() >= 12, "the corpus holds at least its seeds");
    for batch in cases.chunks(200) {
        let args: Vec<&str> = std::iter::once("replay").chain(batch.iter().map(String::as_str)).collect();
        let output = Command::new("timeout")
            .arg("300")
            .arg(&program)
            .args(&args)
            .env("ONEVPL_SEARCH_PATH", lib_dir())
            .env("VPLRS_PANIC", "abort")
            .output()
            .expect("abi_random replay");
        let log = show(&output);
        assert!(output.status.success() && log.contains("every answer a documented mfxStatus"), "{log}");
    }
    println!("{} fuzz cases replayed", cases.len());
}

/// `tests/c/vpp_rates.c`: VPP frame-rate conversion through the dispatcher, counted: 24 -> 30 fps
/// gives 75 frames for 60 (15 `MFX_ERR_MORE_SURFACE`), 60 -> 30 gives 30 (30 `MFX_ERR_MORE_DATA`),
/// interlaced 30 -> progressive 60 gives 120 (60 `MFX_ERR_MORE_SURFACE`); with interpolated frames
/// the first input is held (one `MFX_ERR_MORE_DATA`) and draining gives the last frames (24 -> 30:
/// 75, one drained; 30 -> 60: 120, two drained); timestamps rise and the pools never run dry.
#[test]
fn vpp_frame_rate_conversion_answers_more_surface_and_more_data() {
    let program = compile("vpp_rates");
    let (ok, log) = run_bounded(&program, &[]);
    assert!(ok, "vpp_rates:\n{log}");
    println!("{log}");
}

/// `tests/c/vpp_compose.c`: four NV12 streams of different sizes composed through the dispatcher
/// (opaque scaled, opaque, global alpha, luma key), in both memory models: exact samples in
/// every output, `MFX_ERR_MORE_DATA` and Locked inputs until the last stream's frame, the
/// surfaces of every stream counted by QueryIOSurf, the layout given back by GetVideoParam,
/// Reset to fewer streams, and Query's refusals.
#[test]
fn vpp_composes_four_streams_of_different_sizes() {
    let program = compile("vpp_compose");
    for _ in 0..2 {
        let (ok, log) = run_bounded(&program, &[]);
        assert!(ok, "vpp_compose:\n{log}");
        assert!(log.contains("compose: 6 outputs checked"), "{log}");
    }
}

/// `tests/c/vpp_fields.c`: field processing set frame by frame on the input surface's
/// `mfxFrameData` (after `DOUSE` named it at Init): a swap, a field copy, a plain frame, an unknown
/// mode and frames of two sizes, row by row.
#[test]
fn vpp_field_processing_per_frame() {
    let program = compile("vpp_fields");
    let (ok, log) = run_bounded(&program, &[]);
    assert!(ok, "vpp_fields:\n{log}");
    assert!(log.contains("fields: 3 frames checked"), "{log}");
}
