//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use md5::{Digest, Md5};
use vplrs_vp8::ivf::IvfReader;
use vplrs_vp8::{peek_stream_info, AlignedBuffer, Decoder, Frame, MemMapCursor, Segment, StreamInfo};

/// The conformance vector folder: `../../../shared/vp8-test-vectors` from
/// the crate, or `$VPLRS_VP8_VECTORS`.
pub fn vectors_dir() -> Option<PathBuf> {
    let local = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vp8-test-vectors");
    if local.is_dir() {
        return Some(local);
    }
    let env = PathBuf::from(std::env::var_os("VPLRS_VP8_VECTORS")?);
    env.is_dir().then_some(env)
}

/// All `.ivf` files of the vector folder, sorted.
pub fn vector_files() -> Vec<PathBuf> {
    let Some(dir) = vectors_dir() else {
        panic!("VP8 test vectors not found (set VPLRS_VP8_VECTORS)");
    };
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read vector dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "ivf"))
        .collect();
    v.sort();
    v
}

/// The frames of an IVF file.
pub fn read_ivf(path: &std::path::Path) -> Vec<Vec<u8>> {
    let f = std::fs::File::open(path).expect("open ivf");
    IvfReader::new(std::io::BufReader::new(f)).expect("ivf header").map(|f| f.expect("ivf frame").data).collect()
}

/// Expected per-frame MD5s from `<file>.md5`.
pub fn expected_md5s(path: &std::path::Path) -> Vec<String> {
    let mut p = path.as_os_str().to_owned();
    p.push(".md5");
    std::fs::read_to_string(p)
        .expect("read md5 file")
        .lines()
        .filter_map(|l| l.split_whitespace().next().map(str::to_owned))
        .collect()
}

/// MD5 of the cropped I420 image, as `vpxdec --md5 --i420` computes it.
pub fn frame_md5(frame: &Frame<'_>) -> String {
    let mut h = Md5::new();
    for p in 0..3 {
        for row in frame.rows(p) {
            h.update(row);
        }
    }
    format!("{:x}", h.finalize())
}

/// The largest key frame size of a stream, from `peek_stream_info`.
pub fn max_stream_info(frames: &[Vec<u8>]) -> StreamInfo {
    let (mut w, mut h) = (0, 0);
    for f in frames {
        if let Ok(si) = peek_stream_info(f) {
            w = w.max(si.width);
            h = h.max(si.height);
        }
    }
    StreamInfo::with_max_size(w, h)
}

/// An XMA decoder sized for the largest key frame of the stream, with
/// every segment allocated by the test.
pub fn xma_decoder(frames: &[Vec<u8>]) -> Decoder {
    xma_decoder_for(&max_stream_info(frames))
}

/// An XMA decoder for `info`, with every segment allocated by the test.
pub fn xma_decoder_for(info: &StreamInfo) -> Decoder {
    let mut dec = Decoder::new_xma(info).expect("new_xma");
    let mut c = MemMapCursor::default();
    while let Some(req) = dec.get_mem_map(&mut c) {
        dec.set_segment(Segment::new(req.id, Box::new(AlignedBuffer::for_request(&req)))).expect("set_segment");
    }
    assert!(dec.segments_complete());
    dec
}

/// Decodes every frame and returns the MD5s of the shown frames.
pub fn decode_md5s(dec: &mut Decoder, frames: &[Vec<u8>]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, f) in frames.iter().enumerate() {
        match dec.decode(f) {
            Ok(Some(frame)) => out.push(frame_md5(&frame)),
            Ok(None) => {}
            Err(e) => panic!("frame {i}: {e}"),
        }
    }
    out
}
