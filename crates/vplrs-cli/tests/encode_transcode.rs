//! `vplrs encode` and `vplrs transcode` end to end: every frame present in what ffmpeg decodes,
//! faithful to the source (PSNR), no pixel copies where the layouts allow none, pools that suffice.

mod common;

use std::path::Path;
use std::process::Command;

use common::{psnr, temp, vplrs, vplrs_summary};
use md5::Digest;

fn ffmpeg(args: &[&str]) -> Vec<u8> {
    let output = Command::new("ffmpeg").args(["-nostdin", "-v", "error"]).args(args).output().expect("ffmpeg");
    assert!(output.status.success(), "ffmpeg {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    output.stdout
}

/// The I420 frames ffmpeg decodes from `stream`. JPEG pictures are read as the samples they hold
/// (`yuvj420p`): vplrs, like Intel's encoders, codes the input samples without a range change.
fn decoded(stream: &Path) -> Vec<u8> {
    let format = if stream.extension().is_some_and(|e| e == "mjpeg") { "yuvj420p" } else { "yuv420p" };
    ffmpeg(&["-i", stream.to_str().unwrap(), "-f", "rawvideo", "-pix_fmt", format, "-"])
}

#[test]
fn encode_writes_every_pattern_frame_faithfully_for_each_codec() {
    let source = temp("pattern.i420");
    vplrs(&[
        "vpp",
        "-n",
        "24",
        "--input-size",
        "320x240",
        "--input-format",
        "i420",
        "--format",
        "i420",
        "-o",
        source.to_str().unwrap(),
    ]);
    let source = std::fs::read(&source).unwrap();
    for (codec, file, format) in [("h264", "p.h264", "nv12"), ("h265", "p.h265", "i420"), ("jpeg", "p.mjpeg", "i420")] {
        let out = temp(file);
        let summary = vplrs_summary(&[
            "encode",
            "--codec",
            codec,
            "-n",
            "24",
            "--input-size",
            "320x240",
            "--input-format",
            format,
            "--bitrate",
            "2000",
            "-o",
            out.to_str().unwrap(),
        ]);
        assert!(summary.contains("24 frames"), "{summary}");
        assert!(summary.contains("pixel copies by vplrs: 0"), "{codec} from {format} reads in place: {summary}");
        let value = psnr(&source, &decoded(&out));
        eprintln!("{codec}: PSNR {value:.2} dB");
        assert!(value >= 30.0, "{codec}: PSNR {value:.2} dB");
    }
}

#[test]
fn transcode_scales_and_reencodes_an_h264_stream_without_copies() {
    let input = temp("in.h264");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x240:rate=30",
        "-frames:v",
        "30",
        "-c:v",
        "libx264",
        "-bf",
        "3",
        "-y",
        input.to_str().unwrap(),
    ]);
    for memory in ["internal", "external"] {
        let out = temp(&format!("out-{memory}.h265"));
        let summary = vplrs_summary(&[
            "transcode",
            input.to_str().unwrap(),
            "--codec",
            "h265",
            "--size",
            "160x120",
            "--memory",
            memory,
            "--async-depth",
            "2",
            "-o",
            out.to_str().unwrap(),
        ]);
        assert!(summary.contains("transcode: 30 frames"), "{summary}");
        assert!(summary.contains("pixel copies by vplrs: 0 (0.00 per frame): decode 0, encode 0"), "{summary}");
        assert!(summary.contains("decode: 30 pictures"), "{summary}");
        assert!(summary.contains("0 timeouts"), "{summary}");
        let reference = ffmpeg(&[
            "-i",
            input.to_str().unwrap(),
            "-vf",
            "scale=160:120:flags=bilinear",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "yuv420p",
            "-",
        ]);
        let value = psnr(&reference, &decoded(&out));
        eprintln!("transcode ({memory}): PSNR {value:.2} dB against ffmpeg's scaling");
        assert!(value >= 30.0, "PSNR {value:.2} dB");
    }
}

#[test]
fn transcode_runs_on_the_built_in_pattern() {
    let out = temp("pattern.ivf");
    let summary = vplrs_summary(&[
        "transcode",
        "--pattern-size",
        "320x240",
        "--pattern-frames",
        "20",
        "--codec",
        "av1",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(summary.contains("transcode: 20 frames"), "{summary}");
    assert_eq!(decoded(&out).len(), 20 * 320 * 240 * 3 / 2, "every frame decodes");
}

#[test]
fn decode_of_h264_and_h265_streams_equals_ffmpeg() {
    for (encoder, file) in [("libx265", "d.h265"), ("libx264", "d.h264")] {
        let stream = temp(file);
        ffmpeg(&[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=318x238:rate=30",
            "-frames:v",
            "25",
            "-c:v",
            encoder,
            "-bf",
            "3",
            "-y",
            stream.to_str().unwrap(),
        ]);
        let ours = vplrs(&["decode", stream.to_str().unwrap(), "--md5"]);
        let reference = ffmpeg(&["-i", stream.to_str().unwrap(), "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"]);
        let expected = format!("{:x}", md5::Md5::digest(&reference));
        assert_eq!(ours.trim(), expected, "{file}");
        // One line per frame, as for VP8: the MD5 of each of ffmpeg's frames, in order.
        let lines = vplrs(&["decode", stream.to_str().unwrap(), "--frame-md5"]);
        let frame = 318 * 238 + 2 * 159 * 119;
        let per_frame: Vec<String> = reference.chunks(frame).map(|f| format!("{:x}", md5::Md5::digest(f))).collect();
        let listed: Vec<&str> = lines.lines().map(|line| line.split_whitespace().next().unwrap_or_default()).collect();
        assert_eq!(listed, per_frame, "{file}: --frame-md5");
        // `-o -`: the frames on standard output, nothing else.
        let piped = Command::new(env!("CARGO_BIN_EXE_vplrs"))
            .args(["decode", stream.to_str().unwrap(), "-o", "-"])
            .output()
            .expect("vplrs");
        assert!(piped.status.success(), "{}", String::from_utf8_lossy(&piped.stderr));
        assert!(piped.stdout == reference, "{file}: `-o -` writes exactly the frames");
        assert!(!std::path::Path::new("-").exists(), "no file named `-`");
    }
}

/// A stream whose resolution goes 320x240 -> 640x368 -> 320x240: the transcode re-initialises the
/// decoder at each new sequence and scales what differs from the output size, so every frame
/// reaches the encoder at its size; with AV1 too (SVT-AV1 once waited forever when a transcode
/// stopped on such a stream).
#[test]
fn transcode_follows_resolution_changes() {
    let mut parts = Vec::new();
    for (name, size) in [("rc-a.h264", "320x240"), ("rc-b.h264", "640x368")] {
        let part = temp(name);
        let source = format!("testsrc2=size={size}:rate=30");
        ffmpeg(&[
            "-f",
            "lavfi",
            "-i",
            &source,
            "-frames:v",
            "6",
            "-c:v",
            "libx264",
            "-bf",
            "2",
            "-y",
            part.to_str().unwrap(),
        ]);
        parts.push(std::fs::read(&part).unwrap());
    }
    let stream = temp("rc.h264");
    std::fs::write(&stream, [parts[0].as_slice(), &parts[1], &parts[0]].concat()).unwrap();
    let input = stream.to_str().unwrap();
    let reference = ffmpeg(&["-i", input, "-vf", "scale=320:240", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"]);
    for (codec, file) in [("h264", "rc-out.h264"), ("av1", "rc-out.ivf")] {
        let out = temp(file);
        let status = Command::new("timeout")
            .args(["120", env!("CARGO_BIN_EXE_vplrs"), "transcode", input, "-o", out.to_str().unwrap()])
            .args(["--codec", codec])
            .output()
            .expect("vplrs");
        assert!(status.status.success(), "{codec}: {}", String::from_utf8_lossy(&status.stderr));
        let frames = decoded(&out);
        assert_eq!(frames.len(), reference.len(), "{codec}: every frame, at the output size");
        let quality = psnr(&frames, &reference);
        assert!(quality > 30.0, "{codec}: {quality:.1} dB against ffmpeg's decode and scale");
    }
}

/// With `VPLRS_COPIES=forbid`, an I420 transcode H.264 -> H.264 proves it is zero-copy (it runs),
/// and a decode that must convert (AV1 into I420) stops with the path and the reason.
#[test]
fn forbidden_copies_let_zero_copy_pipelines_run_and_stop_the_others() {
    let stream = temp("forbid.h264");
    ffmpeg(
        &["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-frames:v", "10", "-c:v", "libx264", "-y"]
            .iter()
            .copied()
            .chain([stream.to_str().unwrap()])
            .collect::<Vec<_>>(),
    );
    let vplrs = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_vplrs")).args(args).env("VPLRS_COPIES", "forbid").output().expect("vplrs")
    };
    let out = temp("forbid-out.h264");
    let zero_copy = vplrs(&["transcode", stream.to_str().unwrap(), "-o", out.to_str().unwrap(), "--codec", "h264"]);
    assert!(zero_copy.status.success(), "{}", String::from_utf8_lossy(&zero_copy.stderr));
    assert_eq!(decoded(&out).len(), 10 * 320 * 240 * 3 / 2);
    let av1 = temp("forbid.ivf");
    ffmpeg(
        &["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-frames:v", "4", "-c:v", "libsvtav1", "-y"]
            .iter()
            .copied()
            .chain([av1.to_str().unwrap()])
            .collect::<Vec<_>>(),
    );
    let converting = vplrs(&["decode", av1.to_str().unwrap(), "-o", "/dev/null"]);
    let message = String::from_utf8_lossy(&converting.stderr);
    assert!(!converting.status.success(), "a converting decode must stop");
    assert!(message.contains("VPLRS_COPIES=forbid") && message.contains("Av1"), "{message}");
}

/// The mean luma of the first picture of an encoded stream, as ffmpeg's signalstats sees it.
fn mean_luma(stream: &std::path::Path) -> f64 {
    let output = std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(stream)
        .args([
            "-vf",
            "signalstats,metadata=print:key=lavfi.signalstats.YAVG:file=-",
            "-frames:v",
            "1",
            "-f",
            "null",
            "-",
        ])
        .output()
        .expect("ffmpeg");
    let text = String::from_utf8_lossy(&output.stdout);
    let value = text.lines().find_map(|line| line.strip_prefix("lavfi.signalstats.YAVG=")).expect("a YAVG line");
    value.trim().parse().expect("a number")
}

/// `--opencl-kernel` (PoCL in CI): the built-in negative and the same kernel from its file (in
/// FFmpeg's program_opencl convention) run on every frame through surface sharing, no copy; the
/// output's mean luma is the negative of the plain transcode's; a missing kernel is named.
#[test]
fn an_opencl_kernel_filters_every_frame_through_shared_surfaces() {
    let plain = temp("plain.h264");
    let common = ["--codec", "h264", "--pattern-size", "320x240", "--pattern-frames", "10"];
    let mut args = vec!["transcode", "-o", plain.to_str().unwrap()];
    args.extend(common);
    vplrs_summary(&args);
    let kernel_file = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/opencl/negate.cl:negate");
    for (name, spec) in [("builtin.h264", "builtin"), ("file.h264", kernel_file)] {
        let filtered = temp(name);
        let mut args = vec!["transcode", "-o", filtered.to_str().unwrap(), "--opencl-kernel", spec];
        args.extend(common);
        let summary = vplrs_summary(&args);
        assert!(
            summary.contains("opencl kernel negate: 10 frames; exports shared (no copy) 20, copied 0"),
            "{summary}"
        );
        let (negative, original) = (mean_luma(&filtered), mean_luma(&plain));
        assert!((negative - (255.0 - original)).abs() < 2.0, "{spec}: mean luma {negative}, the plain one {original}");
    }
    let missing = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/opencl/negate.cl:nothing");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_vplrs"))
        .args(["transcode", "--opencl-kernel", missing, "--pattern-frames", "2"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("no kernel named \"nothing\""));
}
