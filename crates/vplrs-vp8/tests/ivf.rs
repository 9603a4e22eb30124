//! IVF reader: header fields, frames, and typed errors on damaged files
//! without large allocations.

mod common;

use vplrs_vp8::ivf::IvfReader;
use vplrs_vp8::IvfError;

fn header(frames: u32) -> Vec<u8> {
    let mut h = b"DKIF".to_vec();
    h.extend_from_slice(&0u16.to_le_bytes()); // version
    h.extend_from_slice(&32u16.to_le_bytes()); // header size
    h.extend_from_slice(b"VP80");
    h.extend_from_slice(&176u16.to_le_bytes());
    h.extend_from_slice(&144u16.to_le_bytes());
    h.extend_from_slice(&30000u32.to_le_bytes());
    h.extend_from_slice(&1000u32.to_le_bytes());
    h.extend_from_slice(&frames.to_le_bytes());
    h.extend_from_slice(&0u32.to_le_bytes());
    h
}

fn frame(data: &[u8], pts: u64) -> Vec<u8> {
    let mut f = (data.len() as u32).to_le_bytes().to_vec();
    f.extend_from_slice(&pts.to_le_bytes());
    f.extend_from_slice(data);
    f
}

#[test]
fn reads_header_and_frames() {
    let mut file = header(2);
    file.extend(frame(&[1, 2, 3], 7));
    file.extend(frame(&[], 8));
    let mut r = IvfReader::new(&file[..]).unwrap();
    let h = *r.header();
    assert_eq!(&h.fourcc, b"VP80");
    assert_eq!((h.width, h.height, h.rate, h.scale, h.frame_count), (176, 144, 30000, 1000, 2));
    let f = r.next_frame().unwrap().unwrap();
    assert_eq!((f.pts, f.data.as_slice()), (7, &[1u8, 2, 3][..]));
    let f = r.next_frame().unwrap().unwrap();
    assert_eq!((f.pts, f.data.len()), (8, 0));
    assert!(r.next_frame().unwrap().is_none());
}

#[test]
fn damaged_files_give_typed_errors() {
    assert!(matches!(IvfReader::new(&b"RIFF"[..]), Err(IvfError::BadSignature)));
    assert!(matches!(IvfReader::new(&b"DKIF\0\0"[..]), Err(IvfError::TruncatedHeader)));
    assert!(matches!(IvfReader::new(&[][..]), Err(IvfError::TruncatedHeader)));
    let mut bad_version = header(0);
    bad_version[4] = 9;
    assert!(matches!(IvfReader::new(&bad_version[..]), Err(IvfError::BadHeader { .. })));

    // Truncated frame header.
    let mut file = header(1);
    file.extend_from_slice(&[5, 0, 0]);
    let mut r = IvfReader::new(&file[..]).unwrap();
    assert!(matches!(r.next_frame(), Err(IvfError::TruncatedFrame { .. })));

    // A frame claiming 4 GiB with 10 bytes present: error, and the reader
    // never allocates more than it can fill.
    let mut file = header(1);
    file.extend_from_slice(&u32::MAX.to_le_bytes());
    file.extend_from_slice(&0u64.to_le_bytes());
    file.extend_from_slice(&[0u8; 10]);
    let mut r = IvfReader::new(&file[..]).unwrap();
    r.set_max_frame_size(u64::MAX);
    let mut buf = Vec::new();
    match r.next_frame_into(&mut buf) {
        Err(IvfError::TruncatedFrame { declared, available }) => {
            assert_eq!((declared, available), (u64::from(u32::MAX), 10));
        }
        other => panic!("unexpected {other:?}"),
    }
    assert!(buf.capacity() <= 1 << 17, "allocation stays bounded");

    // The default limit refuses absurd sizes outright.
    let mut r = IvfReader::new(&file[..]).unwrap();
    r.set_max_frame_size(1 << 20);
    assert!(matches!(r.next_frame(), Err(IvfError::FrameTooLarge(_))));
}

#[test]
fn reads_every_vector() {
    for path in common::vector_files() {
        let file = std::fs::read(&path).unwrap();
        let r = IvfReader::new(&file[..]).unwrap();
        let declared = r.header().frame_count as usize;
        let frames: Vec<_> = r.map(|f| f.unwrap()).collect();
        assert_eq!(frames.len(), declared, "{}", path.display());
        assert_eq!(&IvfReader::new(&file[..]).unwrap().header().fourcc, b"VP80");
    }
}
