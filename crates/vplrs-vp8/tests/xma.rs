//! XMA interface rules: ordering, duplicates, unknown ids, size,
//! alignment, null base, zero-fill, destructor order, decoding before the
//! memory map is complete, and oversize streams.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use vplrs_vp8::{
    peek_stream_info, AlignedBuffer, DecodeError, Decoder, MemMapCursor, PeekError, Segment, SegmentFlags, SegmentId,
    SegmentRequest, StreamInfo, XmaError, XmaMemory,
};

fn requests(dec: &Decoder) -> Vec<SegmentRequest> {
    dec.mem_map().collect()
}

fn buf(req: &SegmentRequest) -> Box<dyn XmaMemory> {
    Box::new(AlignedBuffer::for_request(req))
}

fn qcif() -> Decoder {
    Decoder::new_xma(&StreamInfo::with_max_size(176, 144)).unwrap()
}

/// Memory whose base is deliberately one byte past an aligned address.
struct Offset(AlignedBuffer);
impl XmaMemory for Offset {
    fn as_slice(&self) -> &[u8] {
        &self.0.as_slice()[1..]
    }
    fn as_mut_slice(&mut self) -> &mut [u8] {
        &mut self.0.as_mut_slice()[1..]
    }
}

#[test]
fn memory_map_is_well_formed() {
    let dec = qcif();
    let reqs = requests(&dec);
    assert_eq!(reqs.len(), 8);
    let mut ids: Vec<u32> = reqs.iter().map(|r| r.id.0).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 8, "ids are unique");
    for r in &reqs {
        assert!(r.size > 0);
        assert!(r.align.is_power_of_two());
    }
    // Documented public ids.
    for id in [
        SegmentId::PROBS,
        SegmentId::CONTEXT,
        SegmentId::SCRATCH,
        SegmentId::MB_INFO,
        SegmentId::FRAME_BUFFER_0,
        SegmentId::FRAME_BUFFER_1,
        SegmentId::FRAME_BUFFER_2,
        SegmentId::FRAME_BUFFER_3,
    ] {
        assert!(reqs.iter().any(|r| r.id == id));
    }
    assert!(reqs.iter().any(|r| r.id == SegmentId::MB_INFO && r.flags.contains(SegmentFlags::ZERO)));
    // The cursor API yields the same list and then the end of the list.
    let mut c = MemMapCursor::default();
    let mut n = 0;
    while let Some(r) = dec.get_mem_map(&mut c) {
        assert_eq!(r, reqs[n]);
        n += 1;
    }
    assert_eq!(n, 8);
    assert_eq!(dec.get_mem_map(&mut c), None);
    // Bigger streams need bigger frame buffers.
    let big = Decoder::new_xma(&StreamInfo::with_max_size(1920, 1080)).unwrap();
    assert!(requests(&big)[4].size > reqs[4].size);
    // Internal mode has no memory map.
    assert_eq!(Decoder::new().mem_map().count(), 0);
}

#[test]
fn every_rule_has_its_error() {
    let mut dec = qcif();
    let reqs = requests(&dec);

    // Unknown id.
    let e = dec.set_segment(Segment::new(SegmentId(0xdead), buf(&reqs[0]))).unwrap_err();
    assert_eq!(e.error, XmaError::UnknownId(SegmentId(0xdead)));
    // Out of order: the second request before the first.
    let e = dec.set_segment(Segment::new(reqs[1].id, buf(&reqs[1]))).unwrap_err();
    assert_eq!(e.error, XmaError::OutOfOrder { expected: reqs[0].id, got: reqs[1].id });
    // Null base: no memory, and empty memory.
    let e = dec.set_segment(Segment { id: reqs[0].id, memory: None, dtor: None }).unwrap_err();
    assert_eq!(e.error, XmaError::NullBase(reqs[0].id));
    let e = dec.set_segment(Segment::new(reqs[0].id, Box::new(Vec::<u8>::new()))).unwrap_err();
    assert_eq!(e.error, XmaError::NullBase(reqs[0].id));
    // Too small.
    let small = AlignedBuffer::new(reqs[0].size - 1, reqs[0].align);
    let e = dec.set_segment(Segment::new(reqs[0].id, Box::new(small))).unwrap_err();
    assert_eq!(e.error, XmaError::TooSmall { id: reqs[0].id, required: reqs[0].size, provided: reqs[0].size - 1 });
    // Misaligned.
    let off = Offset(AlignedBuffer::new(reqs[0].size + 1, reqs[0].align));
    let e = dec.set_segment(Segment::new(reqs[0].id, Box::new(off))).unwrap_err();
    assert!(matches!(e.error, XmaError::Misaligned { id, align, .. } if id == reqs[0].id && align == reqs[0].align));
    // The refused segment comes back intact.
    assert_eq!(e.segment.id, reqs[0].id);
    assert_eq!(e.segment.memory.as_ref().unwrap().as_slice().len(), reqs[0].size);

    // Decoding before all segments are set.
    let key = &read_ivf(&vector_files()[0])[0];
    assert_eq!(dec.decode(key).unwrap_err(), DecodeError::SegmentsNotSet);

    // Now set everything properly, checking duplicates on the way.
    for (i, r) in reqs.iter().enumerate() {
        if r.flags.contains(SegmentFlags::ZERO) {
            // ZERO is verified.
            let mut dirty = AlignedBuffer::for_request(r);
            dirty.as_mut_slice()[r.size / 2] = 1;
            let e = dec.set_segment(Segment::new(r.id, Box::new(dirty))).unwrap_err();
            assert_eq!(e.error, XmaError::NotZeroed(r.id));
        }
        dec.set_segment(Segment::new(r.id, buf(r))).unwrap();
        let e = dec.set_segment(Segment::new(r.id, buf(r))).unwrap_err();
        assert_eq!(e.error, XmaError::Duplicate(r.id));
        if i > 0 {
            let e = dec.set_segment(Segment::new(reqs[0].id, buf(&reqs[0]))).unwrap_err();
            assert_eq!(e.error, XmaError::Duplicate(reqs[0].id));
        }
        assert_eq!(dec.segments_complete(), i == reqs.len() - 1);
    }
    assert!(dec.decode(key).unwrap().is_some());

    // Internal-mode decoders refuse segments.
    let mut internal = Decoder::new();
    let e = internal.set_segment(Segment::new(reqs[0].id, buf(&reqs[0]))).unwrap_err();
    assert_eq!(e.error, XmaError::NotXmaMode);
}

#[test]
fn bad_stream_info_is_rejected() {
    for (w, h) in [(0, 144), (176, 0), (16384, 16), (16, 20000)] {
        assert!(matches!(Decoder::new_xma(&StreamInfo::with_max_size(w, h)), Err(XmaError::BadDimensions { .. })));
    }
}

#[test]
fn dtors_run_in_reverse_order_of_setting() {
    let log = Arc::new(Mutex::new(Vec::new()));
    {
        let mut dec = qcif();
        for r in requests(&dec) {
            let log = Arc::clone(&log);
            let size = r.size;
            let seg = Segment::new(r.id, buf(&r)).with_dtor(Box::new(move |id, mem| {
                assert_eq!(mem.as_slice().len(), size, "dtor gets the memory back");
                log.lock().unwrap().push(id);
            }));
            dec.set_segment(seg).unwrap();
        }
        assert!(log.lock().unwrap().is_empty());
    }
    let order: Vec<SegmentId> = log.lock().unwrap().clone();
    let mut expected: Vec<SegmentId> = requests(&qcif()).iter().map(|r| r.id).collect();
    expected.reverse();
    assert_eq!(order, expected);

    // A partially configured decoder releases what it was given.
    let log2 = Arc::new(Mutex::new(Vec::new()));
    {
        let mut dec = qcif();
        for r in requests(&dec).into_iter().take(3) {
            let log = Arc::clone(&log2);
            dec.set_segment(Segment::new(r.id, buf(&r)).with_dtor(Box::new(move |id, _| log.lock().unwrap().push(id))))
                .unwrap();
        }
    }
    let reqs = requests(&qcif());
    assert_eq!(*log2.lock().unwrap(), vec![reqs[2].id, reqs[1].id, reqs[0].id]);
}

#[test]
fn zero_flag_is_honoured_by_the_decoder() {
    // The decoder relies on ZERO memory and never needs to clear it: a
    // stream decoded with zeroed application memory matches internal mode.
    let path = vector_files().into_iter().find(|p| p.to_string_lossy().contains("segmentation-1401")).unwrap();
    let frames = read_ivf(&path);
    let mut dec = xma_decoder(&frames);
    assert_eq!(decode_md5s(&mut dec, &frames), expected_md5s(&path));
}

#[test]
fn oversize_stream_is_rejected_without_overrun() {
    // vp80-03-segmentation-1425 grows from 176x144 to 282x231.
    let path = vector_files().into_iter().find(|p| p.to_string_lossy().contains("segmentation-1425")).unwrap();
    let frames = read_ivf(&path);
    let first = peek_stream_info(&frames[0]).unwrap();
    let mut dec = xma_decoder_for(&first);
    let mut too_large = 0;
    for f in &frames {
        match dec.decode(f) {
            Err(DecodeError::TooLarge { max_width, max_height, .. }) => {
                assert_eq!((max_width, max_height), (first.width, first.height));
                too_large += 1;
            }
            Ok(_) | Err(DecodeError::NoKeyFrame) => {}
            Err(e) => panic!("unexpected error {e}"),
        }
    }
    assert!(too_large > 0);
}

#[test]
fn xma_output_equals_internal_output() {
    for path in vector_files().iter().step_by(7) {
        let frames = read_ivf(path);
        let mut a = Decoder::new();
        let mut b = xma_decoder(&frames);
        for f in &frames {
            let fa = a.decode(f).unwrap().map(|fr| frame_md5(&fr));
            let fb = b.decode(f).unwrap().map(|fr| frame_md5(&fr));
            assert_eq!(fa, fb);
        }
    }
}

#[test]
fn peek_reports_distinct_errors() {
    let key = &read_ivf(&vector_files()[0])[0];
    let si = peek_stream_info(key).unwrap();
    assert_eq!((si.width, si.height, si.is_keyframe), (176, 144, true));
    assert_eq!(peek_stream_info(&[]), Err(PeekError::Empty));
    let inter = &read_ivf(&vector_files()[0])[1];
    assert_eq!(peek_stream_info(inter), Err(PeekError::NotKeyFrame));
    let mut bad = key.clone();
    bad[4] ^= 0xff;
    assert_eq!(peek_stream_info(&bad), Err(PeekError::BadStartCode));
    assert_eq!(peek_stream_info(&key[..7]), Err(PeekError::Truncated));
}

#[test]
fn plain_boxed_slices_are_accepted_when_aligned() {
    // The usual application memory: zeroed boxed slices. Alignment is
    // still checked, so only memory that meets the request is accepted.
    let mut dec = qcif();
    for r in requests(&dec) {
        let mem: Box<dyn XmaMemory> = Box::new(vec![0u8; r.size].into_boxed_slice());
        let aligned = mem.as_slice().as_ptr() as usize % r.align == 0;
        match dec.set_segment(Segment::new(r.id, mem)) {
            Ok(()) => assert!(aligned),
            Err(e) => {
                assert!(!aligned);
                assert!(matches!(e.error, XmaError::Misaligned { .. }));
                dec.set_segment(Segment::new(r.id, buf(&r))).unwrap();
            }
        }
    }
    let frames = read_ivf(&vector_files()[0]);
    assert!(dec.decode(&frames[0]).unwrap().is_some());
}
