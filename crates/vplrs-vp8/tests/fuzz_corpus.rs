//! Replays the fuzz corpus (`fuzz/corpus/<target>/`) through the same code as the cargo-fuzz
//! targets, so CI checks on stable Rust that no input found by fuzzing panics, hangs or grows
//! memory without bound.

use std::path::{Path, PathBuf};

use vplrs_vp8::ivf::IvfReader;
use vplrs_vp8::{AlignedBuffer, Decoder, MemMapCursor, Segment, StreamInfo};

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "empty corpus in {}", dir.display());
    files.into_iter().map(|path| (path.clone(), std::fs::read(&path).unwrap())).collect()
}

/// Splits fuzz input into frames the way the targets do: a 16-bit little-endian length prefix.
fn frames(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = data;
    std::iter::from_fn(move || {
        if rest.len() < 2 {
            return None;
        }
        let len = usize::from(u16::from_le_bytes([rest[0], rest[1]])).min(rest.len() - 2);
        let frame = &rest[2..2 + len];
        rest = &rest[2 + len..];
        Some(frame)
    })
}

#[test]
fn decode_corpus_never_panics() {
    for (path, data) in corpus("decode") {
        let mut decoder = Decoder::new();
        for frame in frames(&data) {
            if let Ok(Some(picture)) = decoder.decode(frame) {
                let mut out = vec![0u8; picture.i420_len()];
                assert_eq!(picture.copy_i420(&mut out), Some(out.len()), "{}", path.display());
            }
        }
    }
}

#[test]
fn decode_xma_corpus_never_panics() {
    for (_, data) in corpus("decode_xma") {
        let mut decoder = Decoder::new_xma(&StreamInfo::with_max_size(96, 80)).unwrap();
        let mut cursor = MemMapCursor::default();
        while let Some(request) = decoder.get_mem_map(&mut cursor) {
            decoder.set_segment(Segment::new(request.id, Box::new(AlignedBuffer::for_request(&request)))).unwrap();
        }
        for frame in frames(&data) {
            let _ = decoder.decode(frame);
        }
    }
}

#[test]
fn ivf_corpus_never_panics() {
    for (_, data) in corpus("ivf") {
        if let Ok(mut reader) = IvfReader::new(std::io::Cursor::new(data)) {
            while let Ok(Some(_)) = reader.next_frame() {}
        }
    }
}
