//! The decode component's stream path with a backend of the test's own (no FFmpeg): bitstream in
//! any chunking, the bytes taken accounted for, pictures reordered and drained, undecodable data
//! skipped and counted, pictures into work surfaces (1.x) or the decode pool (2.x).

use std::time::Duration;

use vplrs_decode::{Codec, Decode, DecodeError, DecodeParams, DecodeStats, StreamBackend};
use vplrs_memory::{AllocationHints, FourCc, FrameInfo, Surface, SurfacePool};
use vplrs_runtime::{Core, IoPattern};

/// A "codec" of 4-byte frames: a marker byte and three sample values (luma, U, V); the pictures
/// come out one frame late (a reorder delay of one), the last one at the drain.
struct FlatFrames {
    pool: SurfacePool,
    partial: Vec<u8>,
    held: Option<[u8; 3]>,
    stats: DecodeStats,
}

const MARKER: u8 = 0xf5;
const FRAME: usize = 4;

impl FlatFrames {
    fn output(&mut self, values: [u8; 3], work: Option<&Surface>) -> Result<Surface, DecodeError> {
        let surface = match work {
            Some(work) => work.clone(),
            None => self.pool.acquire()?,
        };
        let mut guard = surface.begin_output().map_err(|_| DecodeError::MoreSurface)?;
        for (plane, value) in guard.view_mut().planes_mut().iter_mut().zip(values) {
            plane.fill(value);
        }
        guard.finish(Ok(()));
        self.stats.decoded += 1;
        self.stats.shown += 1;
        Ok(surface)
    }
}

impl StreamBackend for FlatFrames {
    fn decode(
        &mut self,
        data: Option<&[u8]>,
        work: Option<&Surface>,
        _timestamp: u64,
        consumed: &mut usize,
    ) -> Result<Surface, DecodeError> {
        let Some(data) = data else {
            return match self.held.take() {
                Some(values) => self.output(values, work),
                None => Err(DecodeError::MoreData),
            };
        };
        for &byte in data {
            *consumed += 1;
            self.partial.push(byte);
            if self.partial.len() < FRAME {
                continue;
            }
            let frame = std::mem::take(&mut self.partial);
            if frame[0] != MARKER {
                self.stats.errors += 1;
                return Err(vplrs_decode::backend::BackendError::Bitstream("no frame marker".into()).into());
            }
            let values = [frame[1], frame[2], frame[3]];
            if let Some(previous) = self.held.replace(values) {
                return self.output(previous, work);
            }
        }
        Err(DecodeError::MoreData)
    }

    fn stats(&self) -> DecodeStats {
        self.stats
    }
}

fn params() -> DecodeParams {
    DecodeParams {
        codec: Codec::Avc,
        output: FrameInfo::new(FourCc::I420, 64, 48),
        async_depth: 2,
        io_pattern: IoPattern::OUT_SYSTEM_MEMORY,
        hints: AllocationHints::default(),
        held_frames: Some(1),
        profile: 0,
        level: 0,
    }
}

fn decoder() -> Decode {
    let mut decode = Decode::new(Core::new());
    decode
        .init_with_stream_backend(&params(), |_, pool| {
            Box::new(FlatFrames { pool, partial: Vec::new(), held: None, stats: DecodeStats::default() })
        })
        .unwrap();
    decode
}

fn stream(count: u8) -> Vec<u8> {
    (0..count).flat_map(|n| [MARKER, n, n.wrapping_add(100), n.wrapping_add(200)]).collect()
}

fn values_of(surface: &Surface) -> [u8; 3] {
    let guard = surface.map_read().unwrap();
    let view = guard.view();
    [0, 1, 2].map(|plane| view.plane(plane).row(0)[0])
}

/// Feeds `data` in chunks of `chunk` bytes as an application does (unconsumed bytes stay at the
/// front of its buffer), then drains; returns the pictures' values and the bytes taken.
fn decode_all(decode: &mut Decode, data: &[u8], chunk: usize, work: bool) -> (Vec<[u8; 3]>, usize) {
    let mut pictures = Vec::new();
    let mut buffer = Vec::new();
    let mut read = 0;
    let mut taken = 0;
    let surfaces: Vec<Surface> = (0..3).map(|_| decode.surface().unwrap()).collect();
    let mut next = 0;
    loop {
        if buffer.is_empty() && read < data.len() {
            let end = (read + chunk).min(data.len());
            buffer.extend_from_slice(&data[read..end]);
            read = end;
        }
        let draining = buffer.is_empty() && read == data.len();
        let target = work.then(|| {
            next = (next + 1) % surfaces.len();
            &surfaces[next]
        });
        let input = (!draining).then_some(&buffer[..]);
        let result = decode.decode_frame_async(input, target, 0);
        let consumed = decode.consumed();
        taken += consumed;
        buffer.drain(..consumed);
        match result {
            Ok(picture) => {
                picture.sync.wait(Duration::from_secs(1)).unwrap();
                if let Some(target) = target {
                    assert!(picture.surface.ptr_eq(target), "1.x: the picture is in the work surface");
                }
                pictures.push(values_of(&picture.surface));
            }
            Err(DecodeError::MoreData) if draining => break,
            Err(DecodeError::MoreData) => assert!(buffer.is_empty(), "MoreData takes all the data"),
            Err(other) => panic!("{other}"),
        }
    }
    (pictures, taken)
}

#[test]
fn any_chunking_gives_every_picture_in_order_and_accounts_for_every_byte() {
    let data = stream(20);
    let expected: Vec<[u8; 3]> = (0..20u8).map(|n| [n, n.wrapping_add(100), n.wrapping_add(200)]).collect();
    for chunk in [1, 3, 4, 5, 7, 64, data.len()] {
        for work in [false, true] {
            let mut decode = decoder();
            let (pictures, taken) = decode_all(&mut decode, &data, chunk, work);
            assert_eq!(pictures, expected, "chunk {chunk}, work surfaces {work}");
            assert_eq!(taken, data.len(), "every byte taken once");
            let stats = decode.stats().unwrap();
            assert_eq!((stats.decoded, stats.shown, stats.skipped), (20, 20, 0));
            assert_eq!(decode.pool().unwrap().stats().in_use, 0, "every surface back in the pool");
        }
    }
}

#[test]
fn an_undecodable_frame_is_skipped_and_counted_and_decoding_goes_on() {
    let mut data = stream(3);
    data[4] = 0x00; // the second frame's marker
    let mut decode = decoder();
    let mut pictures = Vec::new();
    let mut rest = &data[..];
    let mut skipped_errors = 0;
    loop {
        let draining = rest.is_empty();
        match decode.decode_frame_async((!draining).then_some(rest), None, 0) {
            Ok(picture) => pictures.push(values_of(&picture.surface)),
            Err(DecodeError::Bitstream(_)) => skipped_errors += 1,
            Err(DecodeError::MoreData) if draining => break,
            Err(DecodeError::MoreData) => {}
            Err(other) => panic!("{other}"),
        }
        rest = &rest[decode.consumed()..];
    }
    assert_eq!(skipped_errors, 1);
    assert_eq!(pictures, vec![[0, 100, 200], [2, 102, 202]]);
    let stats = decode.stats().unwrap();
    assert_eq!((stats.skipped, stats.errors, stats.shown), (1, 1, 2));
}

#[test]
fn a_stream_backend_needs_a_stream_codec_and_an_idle_decoder() {
    let mut decode = decoder();
    let make = |_: FrameInfo, pool: SurfacePool| -> Box<dyn StreamBackend> {
        Box::new(FlatFrames { pool, partial: Vec::new(), held: None, stats: DecodeStats::default() })
    };
    assert_eq!(decode.init_with_stream_backend(&params(), make).unwrap_err(), DecodeError::AlreadyInitialized);
    let mut vp8 = params();
    vp8.codec = Codec::Vp8;
    assert!(matches!(
        Decode::new(Core::new()).init_with_stream_backend(&vp8, make),
        Err(DecodeError::InvalidParams(_))
    ));
}
