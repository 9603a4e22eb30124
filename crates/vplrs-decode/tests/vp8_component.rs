//! VP8 through the decode component: every conformance vector bit-exact in both memory models
//! and with XMA-backed decoder memory.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

mod common;

use common::picture_md5;
use vplrs_decode::vp8::Vp8Backend;
use vplrs_decode::{Codec, Decode, DecodeError};
use vplrs_memory::{AllocationHints, ExternalAllocator, FourCc, SystemAllocator};
use vplrs_runtime::Core;
use vplrs_vp8::ivf::IvfReader;

fn vectors() -> Vec<PathBuf> {
    let dir = std::env::var_os("VPLRS_VP8_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vp8-test-vectors"));
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("VP8 vectors at {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ivf"))
        .collect();
    files.sort();
    assert!(files.len() >= 61, "expected the 61 conformance vectors in {}", dir.display());
    files
}

fn frames(path: &Path) -> Vec<Vec<u8>> {
    let mut reader = IvfReader::new(std::io::BufReader::new(std::fs::File::open(path).unwrap())).unwrap();
    std::iter::from_fn(|| reader.next_frame().unwrap().map(|f| f.data)).collect()
}

fn expected(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path.with_extension("ivf.md5")).unwrap();
    text.lines().map(|l| l.split_whitespace().next().unwrap().to_owned()).collect()
}

enum Memory {
    Internal,
    External(Arc<SystemAllocator>),
    Xma,
}

fn decode_vector(path: &Path, fourcc: FourCc, memory: &Memory, work_surfaces: bool) -> Vec<String> {
    let frames = frames(path);
    let core = Core::new();
    if let Memory::External(allocator) = memory {
        core.set_allocator(Some(allocator.clone() as Arc<dyn ExternalAllocator>));
    }
    let mut params = Decode::decode_header(Codec::Vp8, &frames[0]).unwrap();
    params.output = vplrs_memory::FrameInfo::new(fourcc, params.output.crop.width, params.output.crop.height);
    params.async_depth = 3;
    let mut decode = Decode::new(core.clone());
    match memory {
        Memory::Xma => {
            let info = frames
                .iter()
                .filter_map(|f| vplrs_vp8::peek_stream_info(f).ok())
                .fold((0, 0), |(w, h), i| (w.max(i.width), h.max(i.height)));
            params.output = vplrs_memory::FrameInfo::new(fourcc, info.0, info.1);
            let mut decoder =
                vplrs_vp8::Decoder::new_xma(&vplrs_vp8::StreamInfo::with_max_size(info.0, info.1)).unwrap();
            let requests: Vec<_> = decoder.mem_map().collect();
            for request in requests {
                let memory = vplrs_vp8::AlignedBuffer::for_request(&request);
                decoder.set_segment(vplrs_vp8::Segment::new(request.id, Box::new(memory))).unwrap();
            }
            decode.init_with_backend(&params, Box::new(Vp8Backend::with_decoder(decoder))).unwrap();
        }
        _ => decode.init(&params).unwrap(),
    }
    // The application's own pool for 1.x work surfaces, sized by QueryIOSurf.
    let request = Decode::query_io_surf(&params).unwrap();
    let work_pool = core
        .create_pool(
            &request,
            AllocationHints { pre_allocate: u32::from(request.num_frame_suggested), ..Default::default() },
        )
        .unwrap();
    let mut pending = std::collections::VecDeque::new();
    let mut md5s = Vec::new();
    for (index, frame) in frames.iter().enumerate() {
        if frame.is_empty() {
            continue; // a dropped frame: vpxdec shows nothing for it
        }
        let work = work_surfaces.then(|| work_pool.acquire().unwrap());
        loop {
            match decode.decode_frame_async(Some(frame), work.as_ref(), index as u64) {
                Ok(decoded) => {
                    pending.push_back(decoded);
                    break;
                }
                Err(DecodeError::MoreData) => break,
                Err(DecodeError::Incompatible(..)) => {
                    // A key frame larger than the surfaces: drain, then re-initialise from its
                    // header, as an application does on MFX_ERR_INCOMPATIBLE_VIDEO_PARAM.
                    for done in pending.drain(..) {
                        done.sync.wait(Duration::from_secs(10)).unwrap();
                        md5s.push(picture_md5(&done.surface));
                    }
                    decode.close().unwrap();
                    let mut bigger = Decode::decode_header(Codec::Vp8, frame).unwrap();
                    bigger.output =
                        vplrs_memory::FrameInfo::new(fourcc, bigger.output.crop.width, bigger.output.crop.height);
                    bigger.async_depth = 3;
                    decode.init(&bigger).unwrap();
                    params = bigger;
                    assert!(!work_surfaces, "the test gives 1.x work surfaces only to streams of one size");
                }
                Err(DecodeError::Busy(_)) => {
                    let done: vplrs_decode::DecodedFrame = pending.pop_front().unwrap();
                    done.sync.wait(Duration::from_secs(10)).unwrap();
                    md5s.push(picture_md5(&done.surface));
                }
                Err(other) => panic!("{}: frame {index}: {other}", path.display()),
            }
        }
    }
    for done in pending {
        done.sync.wait(Duration::from_secs(10)).unwrap();
        md5s.push(picture_md5(&done.surface));
    }
    assert_eq!(decode.decode_frame_async(None, None, 0).unwrap_err(), DecodeError::MoreData);
    let stats = decode.stats().unwrap();
    assert_eq!(stats.shown, stats.copies, "one counted copy per picture");
    let _ = params;
    decode.close().unwrap();
    md5s
}

#[test]
fn every_vector_is_bit_exact_through_the_component_in_every_memory_model() {
    for (n, path) in vectors().iter().enumerate() {
        let want = expected(path);
        let memory = match n % 3 {
            0 => Memory::Internal,
            1 => Memory::External(Arc::new(SystemAllocator::nv12_only())),
            _ => Memory::Xma,
        };
        let fourcc = if n % 2 == 0 { FourCc::Nv12 } else { FourCc::I420 };
        let resizes = frames(path).iter().filter_map(|f| vplrs_vp8::peek_stream_info(f).ok()).any(|i| {
            let first = vplrs_vp8::peek_stream_info(&frames(path)[0]).unwrap();
            (i.width, i.height) != (first.width, first.height)
        });
        let got = decode_vector(path, fourcc, &memory, n % 4 == 1 && !resizes);
        assert_eq!(got, want, "{}", path.display());
        if let Memory::External(allocator) = memory {
            let c = allocator.counters();
            assert_eq!(c.live_frames, 0, "all external frames freed");
            assert_eq!(c.locks, c.unlocks);
        }
    }
}

#[test]
fn header_errors_and_surface_misuse_report_documented_codes() {
    let path = &vectors()[0];
    let frames = frames(path);
    assert_eq!(Decode::decode_header(Codec::Vp8, &frames[1]).unwrap_err(), DecodeError::MoreData);
    assert!(Decode::decode_header(Codec::Vp8, &[]).is_err());
    let mut decode = Decode::new(Core::new());
    assert_eq!(decode.decode_frame_async(Some(&frames[0]), None, 0).unwrap_err(), DecodeError::NotInitialized);
    let params = Decode::decode_header(Codec::Vp8, &frames[0]).unwrap();
    decode.init(&params).unwrap();
    let work = decode.surface().unwrap();
    let hold = work.hold().unwrap();
    let error = decode.decode_frame_async(Some(&frames[0]), Some(&work), 0).unwrap_err();
    assert_eq!(error, DecodeError::MoreSurface);
    assert!(!error.consumed_data());
    drop(hold);
    let decoded = decode.decode_frame_async(Some(&frames[0]), Some(&work), 0).unwrap();
    assert!(decoded.surface.ptr_eq(&work), "1.x: the picture is in the work surface");
    decoded.sync.wait(Duration::from_secs(5)).unwrap();
    let garbage = [0x10u8, 0, 0, 1, 2, 3];
    assert!(decode.decode_frame_async(Some(&garbage), None, 0).is_err());
}
