//! Decode+VPP (`MFXVideoDECODE_VPP_*`) through the dispatcher: `tests/c/decode_vpp_contract.c`
//! checks the documented answers, the `mfxSurfaceArray` reference counts, skip channels, drain,
//! Reset and Close on an H.265 stream libx265 makes now (B-frames, a size that is no multiple of
//! 16), and prints the MD5 of every picture of the decoder's channel, compared here with ffmpeg's
//! decode of the same stream.

use std::path::{Path, PathBuf};
use std::process::Command;

use md5::{Digest, Md5};

use super::{compile, lib_dir, run, show};

const WIDTH: usize = 318;
const HEIGHT: usize = 238;
const FRAMES: usize = 30;

fn ffmpeg(args: &[&str]) -> Option<Vec<u8>> {
    let output = Command::new("ffmpeg").args(["-v", "error"]).args(args).output().ok()?;
    assert!(output.status.success(), "ffmpeg {args:?} failed:\n{}", show(&output));
    Some(output.stdout)
}

fn has_libx265() -> bool {
    let encoders = Command::new("ffmpeg").args(["-hide_banner", "-encoders"]).output();
    encoders.is_ok_and(|output| String::from_utf8_lossy(&output.stdout).contains("libx265"))
}

/// The MD5 of every picture of ffmpeg's decode of `stream`, as I420 rows.
fn reference_md5s(stream: &Path) -> Vec<String> {
    let path = stream.to_str().expect("UTF-8 path");
    let raw = ffmpeg(&["-i", path, "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"]).expect("ffmpeg");
    let frame = WIDTH * HEIGHT + 2 * WIDTH.div_ceil(2) * HEIGHT.div_ceil(2);
    assert_eq!(raw.len(), frame * FRAMES, "ffmpeg's decode of {path}");
    raw.chunks_exact(frame).map(|picture| format!("{:x}", Md5::digest(picture))).collect()
}

/// The `dec <index> <md5>` lines of one pass of the C program.
fn pictures(pass: &str) -> Vec<(usize, String)> {
    pass.lines()
        .filter_map(|line| {
            let mut fields = line.strip_prefix("dec ")?.split(' ');
            let index = fields.next()?.parse().ok()?;
            let md5 = fields.next()?.to_owned();
            Some((index, md5))
        })
        .collect()
}

#[test]
fn decode_vpp_contract_through_the_dispatcher() {
    if !has_libx265() {
        eprintln!("decode_vpp_contract_through_the_dispatcher skipped: no ffmpeg with libx265");
        return;
    }
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("decode-vpp");
    std::fs::create_dir_all(&dir).expect("work directory");
    let stream = dir.join("in.265");
    let source = format!("testsrc2=size={WIDTH}x{HEIGHT}:rate=30");
    let frames = FRAMES.to_string();
    let x265 = "log-level=none:bframes=4";
    let out = stream.to_str().expect("UTF-8 path");
    ffmpeg(
        &["-f", "lavfi", "-i", &source, "-frames:v", &frames, "-c:v", "libx265", "-x265-params", x265]
            .into_iter()
            .chain(["-pix_fmt", "yuv420p", "-f", "hevc", "-y", out])
            .collect::<Vec<_>>(),
    )
    .expect("ffmpeg");
    let expected = reference_md5s(&stream);

    let library = lib_dir().join("libvplrs.so");
    let output = run(&compile("decode_vpp_contract"), &[&library, &stream, Path::new(&frames)]);
    let (first, second) = output.split_once("second pass\n").expect("the program's two passes");
    // First pass: the skip list rotates {}, {2}, {0}, {0, 1, 2}: the decoder's channel comes out
    // for pictures 0, 1, 4, 5, ...; second pass: every picture.
    let first = pictures(first);
    let second = pictures(second);
    let want_first: Vec<usize> = (0..FRAMES).filter(|i| i % 4 < 2).collect();
    assert_eq!(first.iter().map(|(i, _)| *i).collect::<Vec<_>>(), want_first, "channel 0 pictures, first pass");
    assert_eq!(second.iter().map(|(i, _)| *i).collect::<Vec<_>>(), (0..FRAMES).collect::<Vec<_>>(), "second pass");
    for (index, md5) in first.iter().chain(&second) {
        assert_eq!(md5, &expected[*index], "picture {index} of the decoder's channel differs from ffmpeg's");
    }
    println!("decode+VPP: {} + {} pictures of the decoder's channel bit-exact with ffmpeg", first.len(), second.len());
}
