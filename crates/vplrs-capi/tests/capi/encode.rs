//! Encode through the C API: the documented answers (`tests/c/encode_contract.c`), the stream it
//! writes decoded by ffmpeg, and Intel's encoding programs (`tests/run_intel_encode_examples.sh`).

use std::path::PathBuf;
use std::process::Command;

use super::{compile, lib_dir, manifest_dir, run, show};

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
    let script = manifest_dir().join("tests/run_intel_encode_examples.sh");
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("intel-encode-examples");
    let _ = std::fs::remove_dir_all(&work);
    let output = Command::new("bash").arg(&script).arg(lib_dir()).arg(&work).output().expect("running bash");
    let text = show(&output);
    println!("{text}");
    match output.status.code() {
        Some(0) => {}
        Some(77) => {
            eprintln!("intel_encode_examples_run_on_vplrs skipped: {}", text.lines().last().unwrap_or_default())
        }
        _ => panic!("run_intel_encode_examples.sh failed ({}):\n{text}", output.status),
    }
}
