//! `vplrs vpp` filters against the ffmpeg CLI's: rotation and mirroring are exact, so the pictures
//! must be byte for byte ffmpeg's `transpose`, `hflip` and `vflip`, in I420, NV12 and BGRA, at a
//! size whose rotated chroma rows are not the luma's halves' neighbours (176x144) and at one whose
//! rows are not a multiple of the SIMD width (322x182).

mod common;

use std::path::Path;
use std::process::Command;

use common::{temp, vplrs_summary};

/// Raw frames of `testsrc2` from ffmpeg.
fn source(name: &str, size: &str, pix_fmt: &str, frames: u32) -> std::path::PathBuf {
    let path = temp(name);
    let made = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i", &format!("testsrc2=size={size}:rate=25")])
        .args(["-frames:v", &frames.to_string(), "-pix_fmt", pix_fmt, "-f", "rawvideo"])
        .arg(&path)
        .status()
        .expect("ffmpeg");
    assert!(made.success());
    path
}

/// `input`'s frames through ffmpeg's filter chain `filter`.
fn ffmpeg_filtered(input: &Path, size: &str, pix_fmt: &str, filter: &str) -> Vec<u8> {
    let output = Command::new("ffmpeg")
        .args(["-v", "error", "-f", "rawvideo", "-pix_fmt", pix_fmt, "-s", size, "-i"])
        .arg(input)
        .args(["-vf", filter, "-f", "rawvideo", "-pix_fmt", pix_fmt, "-"])
        .output()
        .expect("ffmpeg");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    output.stdout
}

#[test]
fn rotation_and_mirroring_equal_ffmpegs_transpose_and_flips() {
    // vplrs's options, and the ffmpeg filters that do the same.
    let cases: [(&[&str], &str); 7] = [
        (&["--rotate", "90"], "transpose=clock"),
        (&["--rotate", "180"], "hflip,vflip"),
        (&["--rotate", "270"], "transpose=cclock"),
        (&["--mirror", "horizontal"], "hflip"),
        (&["--mirror", "vertical"], "vflip"),
        // Mirror first, then the turn: FFmpeg's vpp_qsv builds its transposes this way.
        (&["--mirror", "horizontal", "--rotate", "270"], "transpose=cclock_flip"),
        (&["--mirror", "horizontal", "--rotate", "90"], "transpose=clock_flip"),
    ];
    let mut checked = 0;
    for (size, pix_fmt, format) in
        [("176x144", "yuv420p", "i420"), ("322x182", "nv12", "nv12"), ("176x144", "bgra", "bgra")]
    {
        let input = source(&format!("orient-{size}.{format}"), size, pix_fmt, 3);
        for (options, filter) in cases {
            let output = temp(&format!("orient-{size}-{format}-{}.raw", options.join("")));
            let mut args = vec!["vpp", input.to_str().unwrap(), "--input-size", size, "--input-format", format];
            args.extend_from_slice(options);
            args.extend_from_slice(&["-o", output.to_str().unwrap()]);
            vplrs_summary(&args);
            let ours = std::fs::read(&output).unwrap();
            let theirs = ffmpeg_filtered(&input, size, pix_fmt, filter);
            assert_eq!(ours.len(), theirs.len(), "{size} {format} {options:?}: size");
            assert!(ours == theirs, "{size} {format} {options:?} differs from ffmpeg's {filter}");
            checked += 1;
        }
    }
    println!("{checked} rotations and mirrors byte for byte ffmpeg's");
}

#[test]
fn packed_422_cannot_be_turned() {
    let input = source("orient.yuy2", "176x144", "yuyv422", 1);
    let output = Command::new(env!("CARGO_BIN_EXE_vplrs"))
        .args(["vpp", input.to_str().unwrap(), "--input-size", "176x144", "--input-format", "yuy2", "--rotate", "90"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(text.contains("rotation and mirroring of packed 4:2:2"), "{text}");
}
