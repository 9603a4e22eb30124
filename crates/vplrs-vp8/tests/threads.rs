//! Threaded decoding is bit-exact: every vector decodes to the reference
//! MD5s with 1, 2 and 3 threads, damaged streams decode to the same
//! pictures and errors whatever the thread count, and XMA decoders stay
//! single-threaded.

mod common;

use common::*;
use vplrs_vp8::{DecodeError, Decoder};

fn threaded(threads: usize) -> Decoder {
    let mut dec = Decoder::new();
    assert_eq!(dec.set_threads(threads), threads);
    dec
}

#[test]
fn vectors_match_with_1_2_3_threads() {
    let files = vector_files();
    assert!(files.len() >= 61, "expected the 61 conformance vectors");
    let mut failures = Vec::new();
    for path in &files {
        let frames = read_ivf(path);
        let expected = expected_md5s(path);
        for threads in 1..=3 {
            let got = decode_md5s(&mut threaded(threads), &frames);
            if got != expected {
                failures.push(format!("{} ({threads} threads)", path.file_name().unwrap().to_string_lossy()));
            }
        }
    }
    assert!(failures.is_empty(), "mismatching vectors: {failures:?}");
}

/// Per frame: the error (if any) and the MD5 of the last shown picture.
fn outcomes(dec: &mut Decoder, frames: &[Vec<u8>]) -> Vec<(Option<DecodeError>, Option<String>)> {
    frames
        .iter()
        .map(|f| {
            let err = dec.decode(f).err();
            (err, dec.last_frame().map(|fr| frame_md5(&fr)))
        })
        .collect()
}

#[test]
fn damaged_streams_match_across_thread_counts() {
    // Truncated and bit-flipped frames of a spread of vectors (several
    // token partitions among them): the damage handling (partitions that
    // run dry, padding, references updated anyway) must not depend on
    // the thread count.
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for path in vector_files().into_iter().step_by(4) {
        let mut frames = read_ivf(&path);
        for (i, f) in frames.iter_mut().enumerate().skip(1) {
            match i % 3 {
                0 => f.truncate(f.len() * 3 / 4),
                1 if f.len() > 40 => {
                    let at = 20 + (next() as usize) % (f.len() - 20);
                    f[at] ^= 1 << (next() % 8);
                }
                _ => {}
            }
        }
        let want = outcomes(&mut threaded(1), &frames);
        for threads in [2, 3] {
            let got = outcomes(&mut threaded(threads), &frames);
            assert_eq!(got, want, "{} with {threads} threads", path.display());
        }
    }
}

#[test]
fn xma_decoders_stay_single_threaded() {
    let frames = read_ivf(&vector_files()[0]);
    let mut dec = xma_decoder(&frames);
    assert_eq!(dec.set_threads(4), 1);
    assert_eq!(dec.threads(), 1);
    let mut internal = Decoder::new();
    assert_eq!(internal.set_threads(0), 1);
    assert_eq!(internal.set_threads(8), 3);
}
