//! The session as the C ABI uses it, from Rust: shared between threads, operations synchronised
//! by id (again with the same answer), decode+VPP through the session's decoder, pools tracked
//! once and forgotten when closed.

use std::sync::Arc;
use std::time::Duration;

// The decode crate's test helpers (VP8 vectors, picture MD5s) serve these tests too.
#[path = "../../vplrs-decode/tests/common/mod.rs"]
mod common;

use vplrs::decode_vpp::ChannelParams;
use vplrs::{Codec, Decode, FourCc, FrameInfo, Session, Synchronized, VppParams};

fn frames() -> Vec<Vec<u8>> {
    common::vp8_vector("vp80-00-comprehensive-001.ivf").0
}

#[test]
fn one_session_decodes_on_one_thread_while_vpp_runs_on_another() {
    fn shared<T: Send + Sync>(_: &T) {}
    let session = Arc::new(Session::new());
    shared(&*session);
    let frames = frames();
    session.decode().init(&Decode::decode_header(Codec::Vp8, &frames[0]).unwrap()).unwrap();
    let params = VppParams::new(FrameInfo::new(FourCc::Nv12, 176, 144), FrameInfo::new(FourCc::Rgb4, 88, 72));
    session.vpp().init(&params).unwrap();

    let count = frames.len() as u64;
    let decoder = {
        let session = session.clone();
        std::thread::spawn(move || {
            let mut ids = Vec::new();
            for frame in &frames {
                let picture = loop {
                    match session.decode().decode_frame_async(Some(frame), None, 0) {
                        Err(vplrs::DecodeError::Busy(_)) => std::thread::sleep(Duration::from_millis(1)),
                        other => break other.unwrap(),
                    }
                };
                ids.push(session.register(picture.sync));
            }
            ids
        })
    };
    let mut vpp_ids = Vec::new();
    for _ in 0..20 {
        let input = session.vpp().input_surface().unwrap();
        let output = session.vpp().output_surface().unwrap();
        let sync = loop {
            match session.vpp().run_frame_async(Some(&input), &output) {
                Err(vplrs::VppError::Busy(_)) => std::thread::sleep(Duration::from_millis(1)),
                other => break other.unwrap(),
            }
        };
        vpp_ids.push(session.register(sync));
    }
    let decode_ids = decoder.join().unwrap();
    assert_eq!(decode_ids.len() as u64, count);
    for id in decode_ids.into_iter().chain(vpp_ids) {
        let finished = Synchronized::Finished(Ok(()));
        assert_eq!(session.synchronize(id, Duration::from_secs(10)), Some(finished));
        assert_eq!(session.synchronize(id, Duration::ZERO), Some(finished), "answered again");
    }
    assert_eq!(session.synchronize(u64::MAX, Duration::ZERO), None, "an id never given");
    assert_eq!(session.decode().stats().unwrap().decoded, count);
}

#[test]
fn decode_vpp_runs_through_the_session_and_its_pools_are_tracked_once() {
    let frames = frames();
    let session = Session::new();
    let mut params = Decode::decode_header(Codec::Vp8, &frames[0]).unwrap();
    params.async_depth = 2;
    let channels = [ChannelParams::new(1, FrameInfo::new(FourCc::Nv12, 88, 72))];
    session.init_decode_vpp(&params, &channels, false).unwrap();
    assert!(session.decode_vpp_initialized());
    assert!(session.decode().is_initialized(), "decode+VPP runs the session's decoder");
    assert_eq!(session.pools().len(), 2, "the decode pool and the channel's");
    for frame in frames.iter().take(4) {
        let pictures = loop {
            match session.decode_vpp_frame(Some(frame), 0, &[], &mut |_, _, _| {}) {
                Err(vplrs::DecodeVppError::Decode(vplrs::DecodeError::Busy(_))) => {
                    std::thread::sleep(Duration::from_millis(1))
                }
                other => break other.unwrap(),
            }
        };
        assert!(pictures.decoded.is_some());
        pictures.channels[0].sync.wait(Duration::from_secs(10)).unwrap();
        assert_eq!(pictures.channels[0].surface.info().crop.width, 88);
    }
    let (kept, running) = session.decode_vpp_channel(1).unwrap().unwrap();
    assert_eq!((kept.id, running.output.crop.width), (1, 88));
    session.close_decode_vpp().unwrap();
    assert!(!session.decode().is_initialized());
    assert_eq!(session.forget_closed_pools().len(), 2, "both pools closed with decode+VPP");
    assert!(session.pools().is_empty());
    assert!(session.close_decode_vpp().is_err(), "closed once");
}
