//! Like `decode`, with an XMA decoder of a small fixed maximum size, so
//! that oversize and resizing streams are exercised against fixed memory.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vplrs_vp8::{AlignedBuffer, Decoder, MemMapCursor, Segment, StreamInfo};

fuzz_target!(|data: &[u8]| {
    let mut dec = Decoder::new_xma(&StreamInfo::with_max_size(96, 80)).unwrap();
    let mut c = MemMapCursor::default();
    while let Some(r) = dec.get_mem_map(&mut c) {
        dec.set_segment(Segment::new(r.id, Box::new(AlignedBuffer::for_request(&r))))
            .unwrap();
    }
    let mut rest = data;
    while rest.len() >= 2 {
        let len = usize::from(u16::from_le_bytes([rest[0], rest[1]])).min(rest.len() - 2);
        let frame = &rest[2..2 + len];
        rest = &rest[2 + len..];
        let _ = dec.decode(frame);
    }
});
