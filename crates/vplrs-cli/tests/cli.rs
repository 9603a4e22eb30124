//! The `vplrs` tool end to end.

mod common;

use std::process::Command;

use common::{temp, vplrs, vplrs_summary};

#[test]
fn info_lists_formats_filters_and_policies() {
    let text = vplrs(&["info"]);
    for needle in
        ["vplrs", "NV12", "P010", "A2RGB10", "Y410", "scaling", "rotation", "mirroring", "optimal", "unlimited"]
    {
        assert!(text.contains(needle), "`vplrs info` lacks {needle}:\n{text}");
    }
    assert!(text.contains("surface sharing: OpenCL images: "), "{text}");
    // CI has PoCL and lavapipe, both working on host memory.
    if std::env::var_os("VPLRS_REQUIRE_OPENCL").is_some() {
        assert!(text.contains("OpenCL images: shared (no copy) or copy"), "{text}");
    }
    if std::env::var_os("VPLRS_REQUIRE_VULKAN").is_some() {
        assert!(text.contains("Vulkan images: shared (no copy) or copy"), "{text}");
    }
    // Without drivers the tool says so, and still runs.
    let output = Command::new(env!("CARGO_BIN_EXE_vplrs"))
        .arg("info")
        .env("OCL_ICD_VENDORS", "/nonexistent")
        .env("VK_ICD_FILENAMES", "/nonexistent")
        .env("VK_DRIVER_FILES", "/nonexistent")
        .output()
        .unwrap();
    assert!(output.status.success());
    let without = String::from_utf8_lossy(&output.stdout);
    assert!(
        without.contains("OpenCL images: not available (no driver); Vulkan images: not available (no driver)"),
        "{without}"
    );
}

#[test]
fn vpp_writes_every_frame_in_both_memory_models_identically() {
    let internal = temp("internal.bgra");
    let external = temp("external.bgra");
    let summary =
        vplrs_summary(&["vpp", "-n", "12", "--size", "640x360", "--format", "bgra", "-o", internal.to_str().unwrap()]);
    assert!(summary.contains("12 frames"), "{summary}");
    assert!(summary.contains("output pool"), "{summary}");
    let summary = vplrs_summary(&[
        "vpp",
        "-n",
        "12",
        "--size",
        "640x360",
        "--format",
        "bgra",
        "--memory",
        "external",
        "--async-depth",
        "3",
        "-o",
        external.to_str().unwrap(),
    ]);
    assert!(summary.contains("external allocator"), "{summary}");
    let a = std::fs::read(&internal).unwrap();
    let b = std::fs::read(&external).unwrap();
    assert_eq!(a.len(), 12 * 640 * 360 * 4);
    assert!(a == b, "the memory model must not change the pixels");
    // Frames differ from each other: the pattern moves, and nothing was dropped or repeated.
    let frame = 640 * 360 * 4;
    assert!(a[..frame] != a[frame..2 * frame]);
}

#[test]
fn y4m_round_trip_is_lossless() {
    let y4m = temp("pattern.y4m");
    let raw = temp("pattern.i420");
    vplrs(&["vpp", "-n", "5", "--input-size", "352x288", "--format", "i420", "-o", y4m.to_str().unwrap()]);
    vplrs(&["vpp", y4m.to_str().unwrap(), "--format", "i420", "-o", raw.to_str().unwrap()]);
    let frames = std::fs::read(&raw).unwrap();
    let frame_bytes = 352 * 288 * 3 / 2;
    assert_eq!(frames.len(), 5 * frame_bytes);
    let stream = std::fs::read(&y4m).unwrap();
    let header_end = stream.iter().position(|&b| b == b'\n').unwrap() + 1;
    let mut offset = header_end;
    for n in 0..5 {
        assert_eq!(&stream[offset..offset + 6], b"FRAME\n");
        offset += 6;
        assert!(stream[offset..offset + frame_bytes] == frames[n * frame_bytes..(n + 1) * frame_bytes], "frame {n}");
        offset += frame_bytes;
    }
}

#[test]
fn bad_arguments_fail_cleanly() {
    for args in [&["vpp", "--size", "0x10"][..], &["vpp", "--format", "xyz"], &["vpp", "/nonexistent.y4m"]] {
        let output = Command::new(env!("CARGO_BIN_EXE_vplrs")).args(args).output().unwrap();
        assert!(!output.status.success(), "{args:?} should fail");
        assert!(!output.stderr.is_empty());
    }
}

/// A reader that goes away ends the run quietly: `vplrs info | head -0` and the like.
#[test]
fn a_closed_pipe_ends_the_run_quietly() {
    use std::process::Stdio;
    for args in [&["info"][..], &["vpp", "-n", "3", "--size", "64x48", "--format", "i420", "-o", "/dev/stdout"][..]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vplrs"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // The reader is gone before the first byte is written.
        drop(child.stdout.take());
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "vplrs {args:?}: {:?}\n{stderr}", output.status);
        assert!(!stderr.contains("panicked") && !stderr.contains("Broken pipe"), "vplrs {args:?}:\n{stderr}");
    }
}

/// Data on standard output, talk on standard error: frames written to `/dev/stdout` are exactly
/// the frames, and the summary goes to standard error.
#[test]
fn frames_on_standard_output_are_not_mixed_with_the_summary() {
    let output = Command::new(env!("CARGO_BIN_EXE_vplrs"))
        .args(["vpp", "-n", "4", "--size", "64x48", "--format", "i420", "-o", "/dev/stdout"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(output.stdout.len(), 4 * 64 * 48 * 3 / 2, "only the frames on standard output");
    assert!(String::from_utf8_lossy(&output.stderr).contains("vpp: 4 frames"), "the summary on standard error");
}

/// A failed run leaves no empty output file behind (a truncated y4m fails the encode before the
/// first picture is written).
#[test]
fn a_failed_run_leaves_no_empty_output_file() {
    let input = temp("truncated.y4m");
    let mut y4m = b"YUV4MPEG2 W64 H48 F30:1 Ip A1:1 C420jpeg\nFRAME\n".to_vec();
    y4m.extend_from_slice(&[0; 1000]);
    std::fs::write(&input, y4m).unwrap();
    let output = temp("truncated.h264");
    let result = Command::new(env!("CARGO_BIN_EXE_vplrs"))
        .args(["encode", input.to_str().unwrap(), "-o", output.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!result.status.success());
    assert!(String::from_utf8_lossy(&result.stderr).contains("truncated"), "the error says why");
    assert!(!output.exists(), "an empty output file was left behind");
}

/// Values out of range are refused when the command line is read, naming the option; none
/// reaches the encoder to be "corrected".
#[test]
fn out_of_range_encoder_options_are_refused_by_name() {
    let output = temp("refused.h264");
    for (extra, named) in [
        (&["--quality", "0"][..], "--quality"),
        (&["--quality", "101"], "--quality"),
        (&["--target-usage", "8"], "--target-usage"),
        (&["--qp", "100", "--codec", "h264"], "--qp 100"),
        (&["--qp", "300", "--codec", "av1"], "--qp"),
        (&["--qp", "20", "--codec", "jpeg"], "--qp does not apply to JPEG"),
        (&["--bframes", "100"], "--bframes"),
        (&["--gop", "0"], "--gop"),
    ] {
        let mut args = vec!["encode", "-n", "1", "-o", output.to_str().unwrap()];
        args.extend_from_slice(extra);
        let result = Command::new(env!("CARGO_BIN_EXE_vplrs")).args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(!result.status.success(), "{extra:?} accepted");
        assert!(stderr.contains(named), "{extra:?}: the error names the option:\n{stderr}");
        assert!(!output.exists(), "{extra:?}: an output file was made");
    }
}

/// A file that holds no stream of the codec its name says gets an error saying so, and what the
/// file looks like when that is known.
#[test]
fn a_file_without_the_named_stream_says_what_it_is() {
    let empty = temp("empty.h264");
    std::fs::write(&empty, b"").unwrap();
    let random = temp("random.h265");
    std::fs::write(&random, (0..5000u32).map(|n| (n.wrapping_mul(2654435761) >> 13) as u8).collect::<Vec<_>>())
        .unwrap();
    let ivf = temp("vp8.h264");
    let vector = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/vp8-test-vectors/vp80-00-comprehensive-001.ivf");
    std::fs::copy(vector, &ivf).unwrap();
    for (command, file, expected) in [
        ("decode", &empty, "no H.264 stream found in"),
        ("decode", &random, "no H.265 stream found in"),
        ("decode", &ivf, "it is an IVF file: name it .ivf"),
        ("transcode", &random, "no H.265 stream found in"),
    ] {
        let out = temp("never.h265");
        let result = Command::new(env!("CARGO_BIN_EXE_vplrs"))
            .args([command, file.to_str().unwrap(), "-o", out.to_str().unwrap()])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(!result.status.success(), "{command} {file:?} succeeded");
        assert!(stderr.contains(expected), "{command} {file:?}:\n{stderr}");
    }
}

/// An output named like a container is refused before anything is written (vplrs writes
/// elementary streams and IVF), with the way to get one.
#[test]
fn container_outputs_are_refused_with_the_way_to_get_one() {
    for (command, name, frames) in [("encode", "clip.mp4", "-n"), ("transcode", "clip.mkv", "--pattern-frames")] {
        let output = temp(name);
        let result = Command::new(env!("CARGO_BIN_EXE_vplrs"))
            .args([command, frames, "2", "-o", output.to_str().unwrap()])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert!(!result.status.success(), "{command} -o {name} succeeded");
        assert!(stderr.contains("-c copy"), "{command}: {stderr}");
        assert!(!output.exists(), "{command}: {name} was written");
    }
}

/// `decode -o x.y4m` writes y4m (for libavcodec streams and VP8 alike): ffmpeg reads it back as
/// the very frames of the raw output; a stream whose pictures are not 8-bit 4:2:0 is refused with
/// the way out, and no empty file is left.
#[test]
fn decode_writes_y4m_when_asked_for_it() {
    for (name, codec) in [("clip.h264", "libx264"), ("clip.ivf", "libvpx")] {
        let input = temp(name);
        let made = Command::new("ffmpeg")
            .args([
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                "testsrc2=size=176x144:rate=25",
                "-frames:v",
                "4",
                "-c:v",
                codec,
            ])
            .arg(&input)
            .status()
            .unwrap();
        assert!(made.success());
        let (raw, y4m) = (temp(&format!("{name}.yuv")), temp(&format!("{name}.y4m")));
        vplrs_summary(&["decode", input.to_str().unwrap(), "-o", raw.to_str().unwrap()]);
        vplrs_summary(&["decode", input.to_str().unwrap(), "-o", y4m.to_str().unwrap()]);
        let header = std::fs::read(&y4m).unwrap();
        assert!(
            header.starts_with(b"YUV4MPEG2 W176 H144 F25:1"),
            "{name}: {:?}",
            String::from_utf8_lossy(&header[..40])
        );
        let back = Command::new("ffmpeg")
            .args(["-v", "error", "-i"])
            .arg(&y4m)
            .args(["-f", "rawvideo", "-pix_fmt", "yuv420p", "-"])
            .output()
            .unwrap();
        assert!(back.status.success());
        assert_eq!(back.stdout, std::fs::read(&raw).unwrap(), "{name}: the y4m frames are the raw ones");
    }
    let ten_bit = temp("clip10.h265");
    let made = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=176x144", "-frames:v", "2"])
        .args(["-pix_fmt", "yuv420p10le", "-c:v", "libx265", "-x265-params", "log-level=none"])
        .arg(&ten_bit)
        .status()
        .unwrap();
    assert!(made.success());
    let refused = temp("clip10.y4m");
    let output = Command::new(env!("CARGO_BIN_EXE_vplrs"))
        .args(["decode", ten_bit.to_str().unwrap(), "-o", refused.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("write raw frames"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!refused.exists(), "no empty output file left");
}

/// `vpp` writes the input's format unless told otherwise, so `vpp in.y4m -o out.y4m` needs no
/// `--format` (and, same size, passes the pictures through unchanged).
#[test]
fn vpp_output_format_defaults_to_the_inputs() {
    let input = temp("defaults.y4m");
    let made = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=176x144:rate=25", "-frames:v", "3"])
        .args(["-pix_fmt", "yuv420p"])
        .arg(&input)
        .status()
        .unwrap();
    assert!(made.success());
    let output = temp("defaults-out.y4m");
    vplrs_summary(&["vpp", input.to_str().unwrap(), "-o", output.to_str().unwrap()]);
    let frames = |path: &std::path::Path| {
        let decoded = Command::new("ffmpeg")
            .args(["-v", "error", "-i"])
            .arg(path)
            .args(["-f", "rawvideo", "-pix_fmt", "yuv420p", "-"])
            .output()
            .unwrap();
        decoded.stdout
    };
    assert_eq!(frames(&output), frames(&input));
}

/// When the encoder corrects a parameter the summary names the field, what was asked and what is
/// used (JPEG has no B-frames).
#[test]
fn encoder_corrections_name_the_field_from_and_to() {
    let output = temp("corrected.mjpeg");
    let said = vplrs_summary(&[
        "encode",
        "-o",
        output.to_str().unwrap(),
        "--codec",
        "jpeg",
        "--bframes",
        "3",
        "--input-size",
        "176x144",
        "-n",
        "2",
    ]);
    assert!(said.contains("the encoder corrected B-frames: 3 -> 0"), "{said}");
}

/// A raw file whose length is no whole number of frames of the size and format given is refused
/// naming both, not misread.
#[test]
fn a_raw_input_of_another_size_is_refused() {
    let raw = temp("odd.yuv");
    std::fs::write(&raw, vec![0u8; 176 * 144 * 3 / 2 * 2 + 7]).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_vplrs"))
        .args(["vpp", raw.to_str().unwrap(), "--input-size", "176x144"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("no whole number of 176x144 i420 frames"), "{said}");
}

/// SVT-AV1's banner stays off standard error unless -v asks for more.
#[test]
fn encoder_banners_only_with_verbose() {
    let output = temp("quiet.ivf");
    let args = ["encode", "-o", output.to_str().unwrap(), "--codec", "av1", "--input-size", "176x144", "-n", "2"];
    let quiet = Command::new(env!("CARGO_BIN_EXE_vplrs")).args(args).env_remove("SVT_LOG").output().unwrap();
    assert!(quiet.status.success());
    assert!(!String::from_utf8_lossy(&quiet.stderr).contains("Svt["), "{}", String::from_utf8_lossy(&quiet.stderr));
    let verbose =
        Command::new(env!("CARGO_BIN_EXE_vplrs")).args(args).arg("-v").env_remove("SVT_LOG").output().unwrap();
    assert!(verbose.status.success());
    assert!(String::from_utf8_lossy(&verbose.stderr).contains("SVT-AV1"));
}

/// A write that fails names the file (here a full device), in every subcommand that writes; a
/// picture larger than the encoders take, or than vplrs takes, is refused saying so.
#[test]
fn failed_writes_and_oversized_pictures_say_what_and_where() {
    let args: [&[&str]; 3] = [
        &["encode", "-o", "/dev/full", "--codec", "h264", "--input-size", "176x144", "-n", "3"],
        &["vpp", "-o", "/dev/full", "--input-size", "176x144", "-n", "3"],
        &["transcode", "-o", "/dev/full", "--codec", "h264", "--input-size", "176x144", "--pattern-frames", "3"],
    ];
    for args in args {
        let output = Command::new(env!("CARGO_BIN_EXE_vplrs")).args(args).output().unwrap();
        assert!(!output.status.success(), "{args:?}");
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(said.contains("writing /dev/full: No space left on device"), "{args:?}: {said}");
    }
    let huge = Command::new(env!("CARGO_BIN_EXE_vplrs"))
        .args(["encode", "-o", temp("huge.h264").to_str().unwrap(), "--input-size", "16384x16384", "-n", "1"])
        .output()
        .unwrap();
    assert!(!huge.status.success());
    assert!(String::from_utf8_lossy(&huge.stderr).contains("libavcodec's encoders take (width + 128) x (height + 128)"));
    let big = temp("big.y4m");
    std::fs::write(&big, b"YUV4MPEG2 W99999 H99999 F30:1 Ip A1:1 C420jpeg\nFRAME\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_vplrs"))
        .args(["encode", big.to_str().unwrap(), "-o", temp("big.h264").to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("99999x99999: size must be between 1x1 and 16384x16384"));
}

/// `--memory external` says so in every summary, and accounts for the allocator after Close:
/// as many frees as allocs, as many unlocks as locks.
#[test]
fn external_memory_summaries_account_for_every_frame() {
    let runs: [&[&str]; 3] = [
        &["vpp", "--memory", "external", "--input-size", "176x144", "-n", "4"],
        &["encode", "-o", "-", "--memory", "external", "--codec", "h264", "--input-size", "176x144", "-n", "4"],
        &["transcode", "--memory", "external", "--codec", "h264", "--input-size", "176x144", "--pattern-frames", "4"],
    ];
    for args in runs {
        let output = Command::new(env!("CARGO_BIN_EXE_vplrs")).args(args).output().unwrap();
        assert!(output.status.success(), "{args:?}");
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(said.contains("external memory"), "{args:?}: {said}");
        let line =
            said.lines().find(|line| line.contains("external allocator (after Close)")).expect("the allocator line");
        let numbers: Vec<u64> = line
            .split(|c: char| !c.is_ascii_digit())
            .filter(|word| !word.is_empty())
            .map(|word| word.parse().unwrap())
            .collect();
        // allocs, frees, refused, locks, unlocks
        assert!(numbers[0] > 0 && numbers[0] == numbers[1] && numbers[3] == numbers[4], "{line}");
    }
}

/// `decode -o -` puts the frames, and only them, on standard output: the very bytes ffmpeg
/// decodes from the same stream.
#[test]
fn decode_to_standard_output_equals_ffmpegs_decode() {
    let input = temp("stdout.h264");
    let made = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=176x144:rate=25", "-frames:v", "5"])
        .args(["-c:v", "libx264", "-bf", "2"])
        .arg(&input)
        .status()
        .unwrap();
    assert!(made.success());
    let ours = Command::new(env!("CARGO_BIN_EXE_vplrs"))
        .args(["decode", input.to_str().unwrap(), "-o", "-"])
        .output()
        .unwrap();
    assert!(ours.status.success());
    let theirs = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(&input)
        .args(["-f", "rawvideo", "-pix_fmt", "yuv420p", "-"])
        .output()
        .unwrap();
    assert_eq!(ours.stdout.len(), 5 * 176 * 144 * 3 / 2);
    assert!(ours.stdout == theirs.stdout, "the frames on standard output are ffmpeg's");
}
