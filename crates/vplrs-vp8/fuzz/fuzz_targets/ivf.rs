//! Reads arbitrary bytes as an IVF file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vplrs_vp8::ivf::IvfReader;

fuzz_target!(|data: &[u8]| {
    if let Ok(mut r) = IvfReader::new(data) {
        r.set_max_frame_size(1 << 20);
        let _ = r.header();
        while let Ok(Some(f)) = r.next_frame() {
            assert!(f.data.len() <= data.len());
        }
    }
});
