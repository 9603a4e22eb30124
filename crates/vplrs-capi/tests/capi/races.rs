//! The decode matrix run for races: Intel's `sample_decode` (its own frame allocator, 1.x work
//! surfaces picked by `Locked == 0`) on H.264 and H.265 streams at the widths where libavcodec's
//! row alignment changes the code path (512, 624, 640, 768, 1920), progressive and interlaced
//! (720x576 and 1080 top field first: surfaces sized by the 16x32 rule for fields), with
//! `-async 1` and `-async 4`, each run three times. Every run must write exactly ffmpeg's decode of the stream: a race shows
//! up as a different answer from one run to the next.
//!
//! This is what caught the decode pool aliasing the application's surfaces: Intel's sample
//! allocator answers the runtime's `EXTERNAL_FRAME | FROM_DECODE` request with the frames the
//! application itself decodes into, and libavcodec's frame threads wrote pictures into them while
//! the application still held them.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{lib_dir, show};

/// A stream of the matrix: codec (sample_decode's name), size, and whether it is coded as
/// top-field-first interlaced (x264 MBAFF, x265 field pictures).
struct Case {
    codec: &'static str,
    width: u32,
    height: u32,
    interlaced: bool,
}

const fn progressive(codec: &'static str, width: u32, height: u32) -> Case {
    Case { codec, width, height, interlaced: false }
}

const fn interlaced(codec: &'static str, width: u32, height: u32) -> Case {
    Case { codec, width, height, interlaced: true }
}

const CASES: &[Case] = &[
    progressive("h264", 512, 288),
    progressive("h264", 624, 352),
    progressive("h264", 640, 360),
    progressive("h264", 768, 432),
    progressive("h264", 1920, 1080),
    progressive("h265", 512, 288),
    progressive("h265", 640, 360),
    progressive("h265", 768, 432),
    progressive("h265", 1920, 1080),
    interlaced("h264", 720, 576),
    interlaced("h264", 1920, 1080),
    interlaced("h265", 720, 576),
];

/// Runs of each configuration: one MD5 expected from all of them.
const RUNS: usize = 3;

pub(super) fn work_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("races");
    std::fs::create_dir_all(&dir).expect("work dir");
    dir
}

pub(super) fn ffmpeg(args: &[&str]) -> Result<(), String> {
    let output = Command::new("ffmpeg")
        .args(["-v", "error", "-y"])
        .args(args)
        .output()
        .map_err(|e| format!("ffmpeg is not installed ({e})"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!("ffmpeg {args:?} failed:\n{}", show(&output)))
    }
}

/// A case's stream and ffmpeg's decode of it, or why it could not be made.
type Made = Result<(PathBuf, Vec<u8>), String>;

/// The matrix's streams and ffmpeg's decodes, made once for every test of this module.
fn made() -> &'static [Made] {
    static MADE: std::sync::OnceLock<Vec<Made>> = std::sync::OnceLock::new();
    MADE.get_or_init(|| CASES.iter().map(make).collect())
}

/// Encodes the case's stream (B-pictures, 12 frames) and writes ffmpeg's decode of it.
fn make(case: &Case) -> Made {
    let dir = work_dir();
    let scan = if case.interlaced { "tff" } else { "p" };
    let name = format!("{}-{}x{}{scan}", case.codec, case.width, case.height);
    let stream = dir.join(format!("{name}.{}", case.codec));
    let reference = dir.join(format!("{name}.ref.yuv"));
    let source = format!("testsrc2=size={}x{}:rate=30", case.width, case.height);
    let (encoder, format, extra): (&str, &str, &[&str]) = match (case.codec, case.interlaced) {
        ("h264", false) => ("libx264", "h264", &["-bf", "3", "-g", "8"]),
        ("h264", true) => ("libx264", "h264", &["-bf", "2", "-g", "8", "-flags", "+ildct+ilme", "-x264opts", "tff=1"]),
        (_, false) => ("libx265", "hevc", &["-x265-params", "log-level=none:bframes=3:keyint=8"]),
        (_, true) => ("libx265", "hevc", &["-x265-params", "log-level=none:bframes=3:keyint=8:interlace=tff"]),
    };
    let mut args = vec!["-f", "lavfi", "-i", &source, "-frames:v", "12", "-c:v", encoder];
    if case.interlaced {
        args.extend_from_slice(&["-vf", "setfield=tff"]);
    }
    args.extend_from_slice(extra);
    args.extend_from_slice(&["-pix_fmt", "yuv420p", "-f", format, stream.to_str().unwrap()]);
    ffmpeg(&args)?;
    ffmpeg(&["-i", stream.to_str().unwrap(), "-f", "rawvideo", "-pix_fmt", "yuv420p", reference.to_str().unwrap()])?;
    let reference = std::fs::read(&reference).map_err(|e| e.to_string())?;
    Ok((stream, reference))
}

pub(super) fn sample_decode() -> Option<&'static Path> {
    let program = Path::new("/usr/bin/sample_decode");
    if program.exists() {
        Some(program)
    } else {
        eprintln!("sample_decode is not installed (onevpl-tools): not run");
        None
    }
}

/// One sample_decode run: what it wrote.
pub(super) fn run(
    program: &Path,
    codec: &str,
    stream: &Path,
    async_depth: &str,
    out: &Path,
) -> Result<Vec<u8>, String> {
    let _ = std::fs::remove_file(out);
    let output = Command::new("timeout")
        .arg("120")
        .arg(program)
        .args([codec, "-sw", "-i420", "-async", async_depth, "-i"])
        .arg(stream)
        .arg("-o")
        .arg(out)
        .env("ONEVPL_SEARCH_PATH", lib_dir())
        .output()
        .map_err(|e| format!("running sample_decode: {e}"))?;
    if !output.status.success() {
        return Err(format!("sample_decode failed:\n{}", show(&output)));
    }
    std::fs::read(out).map_err(|e| e.to_string())
}

fn frames_differing(out: &[u8], reference: &[u8], frame_size: usize) -> String {
    let differing: Vec<usize> = out
        .chunks(frame_size)
        .zip(reference.chunks(frame_size))
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .map(|(i, _)| i)
        .collect();
    format!("{} bytes ({} expected), frames differing: {differing:?}", out.len(), reference.len())
}

#[test]
fn sample_decode_same_pixels_on_every_run_at_every_width() {
    let Some(program) = sample_decode() else { return };
    let mut failures = Vec::new();
    let mut runs = 0;
    for (case, made) in CASES.iter().zip(made()) {
        let (stream, reference) = match made {
            Ok(made) => made,
            Err(error) => {
                eprintln!("{}: stream not made, left out: {error}", case.codec);
                continue;
            }
        };
        let frame_size = (case.width * case.height * 3 / 2) as usize;
        for async_depth in ["1", "4"] {
            for attempt in 1..=RUNS {
                let scan = if case.interlaced { "interlaced" } else { "progressive" };
                let size = format!("{}x{} {scan}", case.width, case.height);
                let label = format!("{} {size} -async {async_depth} run {attempt}", case.codec);
                let out = work_dir().join("out.yuv");
                runs += 1;
                match run(program, case.codec, stream, async_depth, &out) {
                    Ok(out) if out == *reference => {}
                    Ok(out) => failures.push(format!("{label}: {}", frames_differing(&out, reference, frame_size))),
                    Err(error) => failures.push(format!("{label}: {error}")),
                }
            }
        }
    }
    assert!(failures.is_empty(), "sample_decode on vplrs differs from ffmpeg:\n{}", failures.join("\n"));
    println!("{runs} sample_decode runs, all bit-exact with ffmpeg");
}

/// The same matrix through `tests/c/decode_stream.c` (2.x: decode pool surfaces, NULL work
/// surface; 1.x: exactly NumFrameSuggested application surfaces with plane pointers) and the
/// `vplrs decode` tool, three runs of each.
#[test]
fn c_programs_and_the_tool_same_pixels_on_every_run_at_every_width() {
    let tool = lib_dir().join("vplrs");
    let mut failures = Vec::new();
    let mut runs = 0;
    for (case, made) in CASES.iter().zip(made()) {
        let Ok((stream, reference)) = made else { continue };
        let frame_size = (case.width * case.height * 3 / 2) as usize;
        let scan = if case.interlaced { "interlaced" } else { "progressive" };
        let input = stream.to_str().unwrap();
        for attempt in 1..=RUNS {
            let out = work_dir().join("out-c.yuv");
            let out_path = out.to_str().unwrap();
            for mode in ["pool", "app"] {
                let _ = std::fs::remove_file(&out);
                let (ok, log) = super::streams::run_bounded(
                    super::streams::decode_stream(),
                    &[mode, case.codec, input, out_path, "default"],
                );
                runs += 1;
                let label =
                    format!("decode_stream {mode} {} {}x{} {scan} run {attempt}", case.codec, case.width, case.height);
                match std::fs::read(&out) {
                    Ok(got) if ok && got == *reference => {}
                    Ok(got) if ok => {
                        failures.push(format!("{label}: {}", frames_differing(&got, reference, frame_size)))
                    }
                    _ => failures.push(format!("{label}: failed\n{log}")),
                }
            }
            if tool.exists() {
                runs += 1;
                let label = format!("vplrs decode {} {}x{} {scan} run {attempt}", case.codec, case.width, case.height);
                let (ok, log) = super::streams::run_bounded(&tool, &["decode", input, "-o", out_path]);
                match std::fs::read(&out) {
                    Ok(got) if ok && got == *reference => {}
                    Ok(got) if ok => {
                        failures.push(format!("{label}: {}", frames_differing(&got, reference, frame_size)))
                    }
                    _ => failures.push(format!("{label}: failed\n{log}")),
                }
            }
        }
    }
    assert!(failures.is_empty(), "decode differs from ffmpeg:\n{}", failures.join("\n"));
    println!("{runs} decode_stream and vplrs decode runs, all bit-exact with ffmpeg");
}

/// `tests/c/decode_app_allocator.c` on the matrix: an application allocator that answers the
/// runtime's requests for I/O frames with the application's own frames (as Intel's sample
/// allocators do), outputs held while they wait to be written. The runtime must allocate no I/O
/// frame for itself, never write a held surface, and give ffmpeg's pixels, twice over.
#[test]
fn application_allocator_frames_are_never_the_runtimes_own() {
    let program = super::compile("decode_app_allocator");
    let mut failures = Vec::new();
    for (case, made) in CASES.iter().zip(made()) {
        let Ok((stream, reference)) = made else { continue };
        let frame_size = (case.width * case.height * 3 / 2) as usize;
        for attempt in 1..=2 {
            let out = work_dir().join("out-allocator.yuv");
            let (ok, log) =
                super::streams::run_bounded(&program, &[case.codec, stream.to_str().unwrap(), out.to_str().unwrap()]);
            let label = format!("{} {}x{} run {attempt}", case.codec, case.width, case.height);
            match std::fs::read(&out) {
                Ok(got) if ok && got == *reference => {}
                Ok(got) if ok => failures.push(format!("{label}: {}", frames_differing(&got, reference, frame_size))),
                _ => failures.push(format!("{label}: failed\n{log}")),
            }
        }
    }
    assert!(failures.is_empty(), "1.x decode with the application's allocator:\n{}", failures.join("\n"));
}
