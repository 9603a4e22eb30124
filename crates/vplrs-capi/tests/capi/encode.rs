//! Encode through the C API: the documented answers (`tests/c/encode_contract.c`), the stream it
//! writes decoded by ffmpeg, and Intel's encoding programs (`tests/run_intel_encode_examples.sh`;
//! sample_encode at 640x360, 854x480, 1366x768 and 1080p, and with VPP resizing:
//! `tests/run_sample_encode_sizes.sh`; sample_multi_transcode with a resize in one session and over
//! sink/source sessions, three runs each, one answer: `tests/run_multi_transcode_resize.sh`).

use std::path::PathBuf;
use std::process::Command;

use super::{compile, run, run_examples_script, show};

#[test]
fn encode_contract_through_the_dispatcher() {
    let stream = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("encode_contract.h265");
    let stdout = run(&compile("encode_contract"), &[&stream]);
    assert!(stdout.contains("20 pictures"), "{stdout}");
    let output = Command::new("ffmpeg")
        .args(["-v", "error", "-f", "hevc", "-i"])
        .arg(&stream)
        .args(["-f", "framemd5", "-"])
        .output()
        .expect("ffmpeg");
    let text = String::from_utf8_lossy(&output.stdout);
    let frames = text.lines().filter(|line| !line.starts_with('#')).count();
    assert!(output.status.success(), "{}", show(&output));
    assert_eq!(frames, 20, "every picture of the stream decodes");
}

#[test]
fn intel_encode_examples_run_on_vplrs() {
    run_examples_script("run_intel_encode_examples.sh", "intel-encode-examples");
}

#[test]
fn sample_encode_at_common_sizes() {
    run_examples_script("run_sample_encode_sizes.sh", "sample-encode-sizes");
}

#[test]
fn sample_multi_transcode_resizes_the_same_on_every_run() {
    run_examples_script("run_multi_transcode_resize.sh", "multi-transcode-resize");
}
