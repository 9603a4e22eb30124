//! Every conformance vector decodes to the reference MD5s, in internal
//! and in XMA mode.

mod common;

use common::*;
use vplrs_vp8::Decoder;

fn run_all(xma: bool) {
    let files = vector_files();
    assert!(files.len() >= 61, "expected the 61 conformance vectors");
    let mut failures = Vec::new();
    for path in &files {
        let frames = read_ivf(path);
        let expected = expected_md5s(path);
        let mut dec = if xma { xma_decoder(&frames) } else { Decoder::new() };
        let got = decode_md5s(&mut dec, &frames);
        if got != expected {
            failures.push(path.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    assert!(failures.is_empty(), "mismatching vectors: {failures:?}");
}

#[test]
fn vectors_internal_mode() {
    run_all(false);
}

#[test]
fn vectors_xma_mode() {
    run_all(true);
}
