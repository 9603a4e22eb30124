//! `vplrs decode` against the conformance vectors' MD5 files and against `vpxdec` on streams
//! `vpxenc` makes at test time with varied settings.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{run, vplrs};

fn vectors_dir() -> PathBuf {
    std::env::var_os("VPLRS_VP8_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vp8-test-vectors"))
}

fn temp_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vplrs-decode-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn frame_md5_lines_equal_the_vector_md5_files_in_every_memory_model() {
    let dir = vectors_dir();
    for (name, memory) in [
        ("vp80-00-comprehensive-001", "internal"),
        ("vp80-00-comprehensive-007", "external"),
        ("vp80-02-inter-1418", "xma"),
        ("vp80-03-segmentation-1425", "internal"),
        ("vp80-05-sharpness-1438", "xma"),
    ] {
        let ivf = dir.join(format!("{name}.ivf"));
        let expected = std::fs::read_to_string(dir.join(format!("{name}.ivf.md5"))).unwrap();
        let got = vplrs(&["decode", ivf.to_str().unwrap(), "--frame-md5", "--memory", memory]);
        assert_eq!(got.trim_end(), expected.trim_end(), "{name} with {memory} memory");
    }
}

#[test]
fn output_file_and_md5_match_vpxdec() {
    let dir = vectors_dir();
    let ivf = dir.join("vp80-00-comprehensive-005.ivf");
    let out = temp_dir().join("005.i420");
    let ours = vplrs(&["decode", ivf.to_str().unwrap(), "--md5", "-o", out.to_str().unwrap()]);
    let theirs = run("vpxdec", &["--md5", "--i420", ivf.to_str().unwrap()]);
    assert_eq!(ours.split_whitespace().next(), theirs.split_whitespace().next());
    let written = std::fs::read(&out).unwrap();
    let reference = temp_dir().join("005-vpxdec.i420");
    run("vpxdec", &["--i420", "-o", reference.to_str().unwrap(), ivf.to_str().unwrap()]);
    assert!(written == std::fs::read(&reference).unwrap(), "raw output differs from vpxdec's");
}

#[test]
fn streams_made_by_vpxenc_decode_like_vpxdec() {
    let dir = temp_dir();
    let source = dir.join("source.y4m");
    let odd = dir.join("odd.y4m");
    vplrs(&["vpp", "-n", "24", "--input-size", "176x144", "--format", "i420", "-o", source.to_str().unwrap()]);
    vplrs(&[
        "vpp",
        "-n",
        "12",
        "--input-size",
        "352x288",
        "--size",
        "175x143",
        "--format",
        "i420",
        "-o",
        odd.to_str().unwrap(),
    ]);
    let cases: [(&str, &Path, &[&str]); 8] = [
        ("partitions", &source, &["--token-parts=3", "--end-usage=cbr", "--target-bitrate=300"]),
        ("resilient", &source, &["--error-resilient=1", "--token-parts=2"]),
        ("two-pass-altref", &source, &["--passes=2", "--auto-alt-ref=1", "--lag-in-frames=16"]),
        ("odd-size", &odd, &["--good"]),
        ("low-q", &source, &["--min-q=0", "--max-q=8", "--end-usage=q", "--cq-level=2"]),
        ("high-q", &source, &["--min-q=52", "--max-q=63"]),
        ("realtime", &source, &["--rt", "--cpu-used=8", "--noise-sensitivity=2"]),
        ("sharpness", &source, &["--sharpness=7", "--static-thresh=100", "--kf-max-dist=5"]),
    ];
    for (name, input, options) in cases {
        let ivf = dir.join(format!("{name}.ivf"));
        let mut args = vec!["--codec=vp8", "--ivf", "-q", "--disable-warning-prompt", "-o", ivf.to_str().unwrap()];
        args.extend_from_slice(options);
        if !options.contains(&"--passes=2") {
            args.push("--passes=1");
        }
        args.push(input.to_str().unwrap());
        run("vpxenc", &args);
        let theirs = run("vpxdec", &["--md5", "--i420", ivf.to_str().unwrap()]);
        for memory in ["internal", "xma"] {
            let ours = vplrs(&["decode", ivf.to_str().unwrap(), "--md5", "--memory", memory]);
            assert_eq!(ours.split_whitespace().next(), theirs.split_whitespace().next(), "{name}, {memory} memory");
        }
    }
}

#[test]
fn corrupt_input_fails_cleanly() {
    let dir = temp_dir();
    let bad = dir.join("bad.ivf");
    std::fs::write(&bad, b"DKIF\0\0 \0VP80\xb0\0\x90\0").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_vplrs")).args(["decode", bad.to_str().unwrap()]).output().unwrap();
    assert!(!output.status.success() || output.stdout.is_empty());
    let not_ivf = dir.join("not.ivf");
    std::fs::write(&not_ivf, b"hello world").unwrap();
    let output =
        Command::new(env!("CARGO_BIN_EXE_vplrs")).args(["decode", not_ivf.to_str().unwrap()]).output().unwrap();
    assert!(!output.status.success());
}

/// A file that ends inside a frame: the frames before it are decoded and written, a warning says
/// where it ended, and the run succeeds, as vpxdec does (same MD5) — in decode and transcode.
#[test]
fn a_truncated_stream_decodes_what_is_there_and_warns() {
    let dir = temp_dir();
    let vector =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vp8-test-vectors/vp80-00-comprehensive-001.ivf");
    let truncated = dir.join("truncated.ivf");
    std::fs::write(&truncated, &std::fs::read(vector).unwrap()[..9000]).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_vplrs"))
        .args(["decode", truncated.to_str().unwrap(), "--md5"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("ends inside a frame"), "{stderr}");
    let theirs = run("vpxdec", &["--md5", "--i420", truncated.to_str().unwrap()]);
    let ours = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        ours.split_whitespace().next(),
        theirs.split_whitespace().next(),
        "the frames before the cut, as vpxdec"
    );
    let out = dir.join("truncated.h265");
    let output = Command::new(env!("CARGO_BIN_EXE_vplrs"))
        .args(["transcode", truncated.to_str().unwrap(), "-o", out.to_str().unwrap(), "--codec", "h265"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success() && stderr.contains("ends inside a frame"), "transcode:\n{stderr}");
}
