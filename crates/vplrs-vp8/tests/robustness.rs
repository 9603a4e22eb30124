//! Corrupt input never panics, hangs or reads out of bounds: truncated
//! and bit-flipped conformance vectors, random data, and zero-length
//! frames (handled like vpxdec: an error, nothing shown, state kept).

mod common;

use common::*;
use proptest::prelude::*;
use vplrs_vp8::ivf::IvfReader;
use vplrs_vp8::{DecodeError, Decoder, StreamInfo};

/// Deterministic pseudo-random numbers (64-bit LCG).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn decode_all(dec: &mut Decoder, frames: &[Vec<u8>]) {
    for f in frames {
        if let Ok(Some(frame)) = dec.decode(f) {
            // Touch the output so that it is really produced.
            let mut sink = Vec::new();
            frame.write_i420(&mut sink).unwrap();
            assert_eq!(sink.len(), frame.i420_len());
        }
    }
}

#[test]
fn truncated_frames_never_panic() {
    let mut rng = Lcg(1);
    for path in vector_files() {
        let frames: Vec<Vec<u8>> = read_ivf(&path).into_iter().take(12).collect();
        for mode in 0..3 {
            let mangled: Vec<Vec<u8>> = frames
                .iter()
                .map(|f| {
                    let cut = match mode {
                        0 => f.len() / 2,
                        1 => f.len().saturating_sub(1 + rng.below(16)),
                        _ => rng.below(f.len() + 1),
                    };
                    f[..cut].to_vec()
                })
                .collect();
            decode_all(&mut Decoder::new(), &mangled);
            // Truncating only later frames keeps a valid key frame first.
            let mut tail = frames.clone();
            for f in tail.iter_mut().skip(1) {
                let cut = rng.below(f.len() + 1);
                f.truncate(cut);
            }
            decode_all(&mut xma_decoder(&frames), &tail);
        }
    }
}

#[test]
fn bit_flipped_frames_never_panic() {
    let mut rng = Lcg(2);
    for path in vector_files() {
        let frames: Vec<Vec<u8>> = read_ivf(&path).into_iter().take(12).collect();
        for round in 0..3 {
            let mut mangled = frames.clone();
            for (i, f) in mangled.iter_mut().enumerate() {
                if f.is_empty() || (i == 0 && round == 0) {
                    continue;
                }
                let flips = 1 + rng.below(4 << round);
                for _ in 0..flips {
                    // Favour the headers, where damage matters most.
                    let limit = if rng.below(2) == 0 { f.len().min(32) } else { f.len() };
                    let pos = rng.below(limit);
                    f[pos] ^= 1 << rng.below(8);
                }
            }
            decode_all(&mut Decoder::new(), &mangled);
            decode_all(&mut xma_decoder(&frames), &mangled);
        }
    }
}

#[test]
fn corrupt_sizes_are_rejected_by_small_xma_decoders() {
    let frames = read_ivf(&vector_files()[0]);
    let mut dec = xma_decoder_for(&StreamInfo::with_max_size(64, 64));
    let err = dec.decode(&frames[0]).unwrap_err();
    assert!(matches!(err, DecodeError::TooLarge { width: 176, height: 144, .. }));
    // Forge a key frame that claims 16383x16383.
    let mut big = frames[0].clone();
    big[6..10].copy_from_slice(&[0xff, 0x3f, 0xff, 0x3f]);
    assert!(matches!(dec.decode(&big), Err(DecodeError::TooLarge { .. })));
}

/// Expected MD5s from `vpxdec --md5 --i420 --keep-going` for the first six
/// frames of vp80-00-comprehensive-001 with the fourth frame emptied.
const ZERO_LENGTH_EXPECTED: [&str; 5] = [
    "83c78b5db579710f61f9354d5c51e8c8",
    "8d089d226f52d6cdaffdb3fcc080b75b",
    "acaae81ca812145e85e0be83bdf54226",
    "2895746fb17c39afe25575345d617845",
    "9bfd1d5b91c68d5130d490a151638502",
];

#[test]
fn zero_length_frame_behaves_like_vpxdec() {
    let path = vector_files().into_iter().find(|p| p.to_string_lossy().contains("comprehensive-001")).unwrap();
    let mut frames: Vec<Vec<u8>> = read_ivf(&path).into_iter().take(6).collect();
    frames[3].clear();
    for xma in [false, true] {
        let mut dec = if xma { xma_decoder(&frames) } else { Decoder::new() };
        let mut got = Vec::new();
        for (i, f) in frames.iter().enumerate() {
            match dec.decode(f) {
                Ok(Some(frame)) => got.push(frame_md5(&frame)),
                Ok(None) => {}
                Err(DecodeError::Damaged { shown }) => {
                    // Decoding the frames after the gap runs out of data;
                    // vpxdec shows the concealed frame, and so do we.
                    assert!(shown);
                    got.push(frame_md5(&dec.last_frame().unwrap()));
                }
                Err(e) => {
                    assert_eq!(i, 3);
                    assert_eq!(e, DecodeError::EmptyFrame);
                    // The previous frame is still available for repeating.
                    let last = dec.last_frame().expect("last frame");
                    assert_eq!(frame_md5(&last), ZERO_LENGTH_EXPECTED[2]);
                }
            }
        }
        assert_eq!(got, ZERO_LENGTH_EXPECTED);
    }
}

#[test]
fn inter_frame_first_is_an_error() {
    let frames = read_ivf(&vector_files()[0]);
    let mut dec = Decoder::new();
    assert_eq!(dec.decode(&frames[1]).unwrap_err(), DecodeError::NoKeyFrame);
    assert!(dec.decode(&frames[0]).unwrap().is_some());
}

/// A minimal key frame header (tag, start code, size) followed by `body`.
fn with_key_header(w: u16, h: u16, first_part: u32, body: &[u8]) -> Vec<u8> {
    let tag = (first_part << 5) | (1 << 4); // key frame, version 0, shown
    let mut v = vec![tag as u8, (tag >> 8) as u8, (tag >> 16) as u8, 0x9d, 0x01, 0x2a];
    v.extend_from_slice(&w.to_le_bytes());
    v.extend_from_slice(&h.to_le_bytes());
    v.extend_from_slice(body);
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(data in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let mut dec = Decoder::new();
        let _ = dec.decode(&data);
        let _ = dec.decode(&data);
    }

    #[test]
    fn random_key_frames_never_panic(
        w in 1u16..80,
        h in 1u16..80,
        first in 0u32..600,
        body in proptest::collection::vec(any::<u8>(), 0..1500),
        inter in proptest::collection::vec(any::<u8>(), 0..600),
    ) {
        let frame = with_key_header(w, h, first, &body);
        let mut dec = Decoder::new();
        let _ = dec.decode(&frame);
        // Follow with a random inter frame.
        let mut inter = inter;
        if let Some(b) = inter.first_mut() {
            *b |= 1;
        }
        let _ = dec.decode(&inter);
        let mut xma = xma_decoder_for(&StreamInfo::with_max_size(80, 80));
        let _ = xma.decode(&frame);
        let _ = xma.decode(&inter);
    }

    #[test]
    fn random_ivf_never_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
        let mut file = b"DKIF\0\0\x20\0VP80".to_vec();
        file.extend_from_slice(&data);
        if let Ok(mut r) = IvfReader::new(&file[..]) {
            while let Ok(Some(_)) = r.next_frame() {}
        }
        if let Ok(mut r) = IvfReader::new(&data[..]) {
            while let Ok(Some(_)) = r.next_frame() {}
        }
    }
}
