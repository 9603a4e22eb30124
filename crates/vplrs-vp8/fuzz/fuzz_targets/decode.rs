//! Feeds arbitrary data to an internal-mode decoder as a sequence of
//! frames (split on a length prefix), checking that it never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vplrs_vp8::Decoder;

fuzz_target!(|data: &[u8]| {
    let mut dec = Decoder::new();
    let mut rest = data;
    while rest.len() >= 2 {
        let len = usize::from(u16::from_le_bytes([rest[0], rest[1]])).min(rest.len() - 2);
        let frame = &rest[2..2 + len];
        rest = &rest[2 + len..];
        if let Ok(Some(f)) = dec.decode(frame) {
            let mut out = vec![0u8; f.i420_len()];
            assert_eq!(f.copy_i420(&mut out), Some(out.len()));
        }
    }
});
