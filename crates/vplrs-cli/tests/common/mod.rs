//! Helpers shared by the `vplrs` tool's tests.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Command;

/// Runs `program`, which must succeed; returns its standard output.
pub fn run(program: &str, args: &[&str]) -> String {
    let output = Command::new(program).args(args).output().unwrap_or_else(|e| panic!("{program} not runnable: {e}"));
    assert!(
        output.status.success(),
        "{program} {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Runs the `vplrs` binary cargo built for these tests.
pub fn vplrs(args: &[&str]) -> String {
    run(env!("CARGO_BIN_EXE_vplrs"), args)
}

/// Runs the `vplrs` binary, which must succeed and write nothing on standard output (its data
/// went to files); returns what it said on standard error (the summary).
pub fn vplrs_summary(args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_vplrs")).args(args).output().expect("vplrs");
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "vplrs {args:?} failed:\n{stdout}\n{stderr}");
    assert!(stdout.is_empty(), "vplrs {args:?}: talk on standard output:\n{stdout}");
    stderr.into_owned()
}

/// A file in this test binary's own temporary directory.
pub fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vplrs-{}-{}", env!("CARGO_CRATE_NAME"), std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

/// PSNR over every byte of two raw frame buffers (infinite when they are equal).
pub fn psnr(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len());
    let sum: f64 = a.iter().zip(b).map(|(p, q)| (f64::from(*p) - f64::from(*q)).powi(2)).sum();
    let mse = sum / a.len() as f64;
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0f64 * 255.0 / mse).log10()
    }
}
