//! The decode component's life cycle and `DecodeFrameAsync`.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use parking_lot::Mutex;
use vplrs_memory::allocator::MemType;
use vplrs_memory::sizing::{effective_async_depth, SurfaceRequest};
use vplrs_memory::surface::TIMESTAMP_UNKNOWN;
use vplrs_memory::{FourCc, FrameInfo, Surface, SurfacePool};
use vplrs_runtime::{Core, IoPattern, Lane, SubmitError, SyncPoint};

use crate::avcodec::in_place;
use crate::backend::{Codec, DecoderBackend};
use crate::stream::StreamBackend;
use crate::vp8::{peek_frame, Vp8Backend};

use crate::worker::{DecodeJob, DecodeWorker, WorkerCounters};

pub use crate::error::DecodeError;
use crate::output::check_work_surface;
pub use crate::output::{DecodeStats, DecodedFrame};
pub use crate::params::DecodeParams;

/// A codec backend fed one complete frame per call, decoding on the component's lane (VP8).
struct FramedEngine {
    lane: Lane<DecodeWorker>,
    counters: Arc<WorkerCounters>,
    spare_buffers: Arc<Mutex<Vec<Vec<u8>>>>,
}

enum Engine {
    Framed(FramedEngine),
    /// libavcodec: bitstream in any chunking, decoded in the call (see [`crate::avcodec`]).
    Stream(Box<dyn StreamBackend>),
}

struct Running {
    params: DecodeParams,
    engine: Engine,
    pool: SurfacePool,
    shown: u64,
    /// A key frame was accepted since Init/Reset: VP8 frames before the first one are skipped.
    seen_key: bool,
    skipped: u64,
    skip_level: u8,
}

impl Running {
    fn new(params: DecodeParams, engine: Engine, pool: SurfacePool) -> Self {
        Self { params, engine, pool, shown: 0, seen_key: false, skipped: 0, skip_level: 0 }
    }
}

/// `SetSkipMode`'s request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SkipMode {
    /// Decode everything again.
    NoSkip,
    /// One level more skipped.
    More,
    /// One level less skipped.
    Less,
}

/// The skip level in force after [`Decode::set_skip_mode`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SkipLevel {
    /// The level, 0 (decode everything) up to the codec's most skipping.
    pub level: u8,
    /// False when `More` or `Less` met the end of the codec's range.
    pub changed: bool,
}

/// A decode component of a session.
pub struct Decode {
    core: Core,
    running: Option<Running>,
    consumed: usize,
    /// The start of a new sequence the decoder took from the stream but did not decode, at
    /// [`DecodeError::Incompatible`]. It outlives Close: the decoder initialised next for the same
    /// codec decodes it before any new data, so the documented flow (drain, DecodeHeader, Close,
    /// Init) loses nothing. [`Self::take_undecoded`] hands it to a caller that puts it back itself.
    pending: Vec<u8>,
    pending_codec: Option<Codec>,
    /// The decoder now running was initialised after `pending` was taken.
    pending_ready: bool,
}

impl Decode {
    /// A decoder on `core` (its allocator serves the pool), not initialised.
    pub fn new(core: Core) -> Self {
        Self { core, running: None, consumed: 0, pending: Vec::new(), pending_codec: None, pending_ready: false }
    }

    /// The start of a new sequence taken but not decoded (see [`Self::take_undecoded`]), which goes
    /// before the application's data: what `DecodeHeader` reads first.
    pub fn pending_sequence(&self, codec: Codec) -> &[u8] {
        if self.pending_codec == Some(codec) {
            &self.pending
        } else {
            &[]
        }
    }

    /// Bytes of the data given to the last `decode_frame_async` that the call took (what the C
    /// layer adds to `DataOffset`). Framed codecs take the whole frame or nothing; stream codecs
    /// take what their parser used, which after `MoreSurface` or a picture may be part of it.
    pub fn consumed(&self) -> usize {
        self.consumed
    }

    fn check(params: &DecodeParams) -> Result<(), DecodeError> {
        if params.codec.is_stream() && !cfg!(feature = "ffmpeg") {
            return Err(DecodeError::Unsupported("vplrs was built without the ffmpeg feature: VP8 only"));
        }
        if params.io_pattern.contains(IoPattern::OUT_VIDEO_MEMORY) {
            return Err(DecodeError::Unsupported("video memory: vplrs runs on the CPU, use system memory"));
        }
        if !params.io_pattern.contains(IoPattern::OUT_SYSTEM_MEMORY) {
            return Err(DecodeError::InvalidParams("IOPattern must ask for system memory output"));
        }
        let formats: &[FourCc] = match params.codec {
            Codec::Vp8 => &[FourCc::Nv12, FourCc::I420, FourCc::Yv12],
            _ => &[
                FourCc::Nv12,
                FourCc::I420,
                FourCc::Yv12,
                FourCc::P010,
                FourCc::Yuy2,
                FourCc::Ayuv,
                FourCc::Y210,
                FourCc::Y410,
            ],
        };
        if !formats.contains(&params.output.fourcc) {
            return Err(DecodeError::Unsupported(
                "NV12, I420, YV12, P010 (4:2:0), YUY2, Y210 (4:2:2), AYUV, Y410 (4:4:4) only",
            ));
        }
        params.output.validate().map_err(|_| DecodeError::InvalidParams("frame size or crop"))
    }

    /// `QueryIOSurf`. Backends that keep their references in their own memory (VP8, and
    /// libavcodec when it converts) hold no surface beyond the ones in flight; libavcodec decoding
    /// in place holds the stream's references and reordered pictures in surfaces (`held_frames`,
    /// from `DecodeHeader`), and needs surfaces of the size it decodes into.
    pub fn query_io_surf(params: &DecodeParams) -> Result<SurfaceRequest, DecodeError> {
        Self::check(params)?;
        let mem_type = MemType::SYSTEM_MEMORY | MemType::EXTERNAL_FRAME | MemType::FROM_DECODE;
        let mut info = params.output;
        let mut held = 0;
        if in_place(params.codec, info.fourcc) {
            let crop = info.effective_crop();
            let (width, height) =
                crate::avcodec::surface_size(params.codec, crop.x + crop.width, crop.y + crop.height)?;
            // libavcodec's size, at the API's alignment (32 rows for fields).
            info.width = vplrs_memory::info::align_up(info.width.max(width), 16);
            info.height = vplrs_memory::info::align_up(info.height.max(height), info.height_alignment());
            // Frame threads keep one picture per extra thread in flight.
            held = params.held_frames.unwrap_or(params.codec.worst_case_held_frames())
                + (crate::avcodec::decode_threads() as u16).saturating_sub(1);
        }
        Ok(SurfaceRequest::for_component(info, mem_type, held, params.async_depth))
    }

    /// `Init` with the codec's own backend.
    pub fn init(&mut self, params: &DecodeParams) -> Result<(), DecodeError> {
        self.init_engine(params)?;
        // A new sequence the previous decoder took but did not decode goes first.
        if self.pending_codec == Some(params.codec) {
            self.pending_ready = true;
        } else {
            self.take_undecoded();
        }
        Ok(())
    }

    fn init_engine(&mut self, params: &DecodeParams) -> Result<(), DecodeError> {
        let backend: Box<dyn DecoderBackend> = match params.codec {
            Codec::Vp8 => Box::new(Vp8Backend::new()),
            codec => {
                if self.running.is_some() {
                    return Err(DecodeError::AlreadyInitialized);
                }
                if !in_place(codec, params.output.fourcc) {
                    vplrs_memory::copies::allow("decode", || {
                        format!(
                            "{codec:?} pictures are converted into {} surfaces (libavcodec decodes in place only \
                             into I420/YV12, and not for AV1)",
                            params.output.fourcc
                        )
                    })?;
                }
                let request = Self::query_io_surf(params)?;
                let pool = self.core.create_pool(&request, params.hints)?;
                let mut params = *params;
                params.output = request.info;
                // Also when an application's allocator serves the pool (mem-id surfaces, locked
                // while libavcodec writes them): a surface whose rows are not aligned as
                // libavcodec needs gets its picture through libavcodec's memory and one counted
                // copy (`get_buffer2` checks each surface).
                let engine = crate::avcodec::stream_backend(codec, request.info, pool.clone())?;
                self.running = Some(Running::new(params, Engine::Stream(engine), pool));
                return Ok(());
            }
        };
        self.init_with_backend(params, backend)
    }

    /// `Init` with a backend made by the caller (e.g. a VP8 decoder in XMA memory).
    pub fn init_with_backend(
        &mut self,
        params: &DecodeParams,
        backend: Box<dyn DecoderBackend>,
    ) -> Result<(), DecodeError> {
        if self.running.is_some() {
            return Err(DecodeError::AlreadyInitialized);
        }
        if backend.codec() != params.codec {
            return Err(DecodeError::InvalidParams("backend for another codec"));
        }
        vplrs_memory::copies::allow("decode", || {
            "the VP8 decoder reconstructs into its own frames (with borders) and copies each picture into the surface"
                .to_owned()
        })?;
        let request = Self::query_io_surf(params)?;
        let pool = self.core.create_pool(&request, params.hints)?;
        let counters = Arc::new(WorkerCounters::default());
        let depth = usize::from(effective_async_depth(params.async_depth));
        let spare_buffers = Arc::new(Mutex::new(Vec::with_capacity(depth + 2)));
        let worker = DecodeWorker { backend, spare_buffers: spare_buffers.clone(), counters: counters.clone() };
        let lane = Lane::new("decode", depth, worker).map_err(|e| DecodeError::Thread(e.to_string()))?;
        let engine = Engine::Framed(FramedEngine { lane, counters, spare_buffers });
        self.running = Some(Running::new(*params, engine, pool));
        Ok(())
    }

    /// `Init` with a stream backend made by the caller (a codec of its own, or a test's): `make`
    /// gets the surfaces' frame info and the decode pool, sized for `params.held_frames` pictures
    /// kept by the backend plus AsyncDepth. The component's work (the bitstream accounting, the
    /// work surfaces, the drain, skipped frames) is the same as for libavcodec's codecs; `reset`
    /// re-initialises with the codec's own backend (Close and this for the caller's).
    pub fn init_with_stream_backend(
        &mut self,
        params: &DecodeParams,
        make: impl FnOnce(FrameInfo, SurfacePool) -> Box<dyn StreamBackend>,
    ) -> Result<(), DecodeError> {
        if self.running.is_some() {
            return Err(DecodeError::AlreadyInitialized);
        }
        if !params.codec.is_stream() {
            return Err(DecodeError::InvalidParams("a stream backend for a codec fed one frame per call"));
        }
        params.output.validate().map_err(|_| DecodeError::InvalidParams("frame size or crop"))?;
        let mem_type = MemType::SYSTEM_MEMORY | MemType::EXTERNAL_FRAME | MemType::FROM_DECODE;
        let held = params.held_frames.unwrap_or(0);
        let request = SurfaceRequest::for_component(params.output, mem_type, held, params.async_depth);
        let pool = self.core.create_pool(&request, params.hints)?;
        let engine = make(request.info, pool.clone());
        self.running = Some(Running::new(*params, Engine::Stream(engine), pool));
        Ok(())
    }

    fn running(&self) -> Result<&Running, DecodeError> {
        self.running.as_ref().ok_or(DecodeError::NotInitialized)
    }

    /// The parameters of Init (or of the last Reset).
    pub fn params(&self) -> Result<DecodeParams, DecodeError> {
        Ok(self.running()?.params)
    }

    /// True when libavcodec decodes pictures straight into the decode pool's surfaces (I420 or
    /// YV12 output, a decoder that supports it, and surfaces of the runtime's own allocator).
    pub fn decodes_in_place(&self) -> bool {
        matches!(&self.running, Some(Running { engine: Engine::Stream(stream), .. }) if stream.is_in_place())
    }

    /// `SetSkipMode`: `NoSkip` decodes everything again; `More` and `Less` step the skip level
    /// up or down within [`Codec::max_skip_level`] (for H.264, H.265 and VP9: the loop filter of
    /// non-reference pictures, of all pictures, then B-pictures dropped, then every non-reference
    /// picture; the other codecs have one level). Init and Reset start at level 0.
    pub fn set_skip_mode(&mut self, mode: SkipMode) -> Result<SkipLevel, DecodeError> {
        let running = self.running.as_mut().ok_or(DecodeError::NotInitialized)?;
        let current = running.skip_level;
        let wanted = match mode {
            SkipMode::NoSkip => 0,
            SkipMode::More => current.saturating_add(1),
            SkipMode::Less => current.saturating_sub(1),
        };
        let level = wanted.min(running.params.codec.max_skip_level());
        if let Engine::Stream(stream) = &mut running.engine {
            stream.set_skip_level(level);
        }
        running.skip_level = level;
        Ok(SkipLevel { level, changed: mode == SkipMode::NoSkip || level != current })
    }

    /// `Reset`: decoding restarts (the next frame must be a key frame, the skip level is 0) with
    /// parameters that fit the surfaces of Init: the same output format and pictures no larger
    /// ([`DecodeError::ResetIncompatible`] otherwise: Close and Init). The surfaces keep their
    /// size.
    pub fn reset(&mut self, params: &DecodeParams) -> Result<(), DecodeError> {
        let current = self.params()?;
        if params.output.fourcc != current.output.fourcc
            || params.output.width > current.output.width
            || params.output.height > current.output.height
        {
            return Err(DecodeError::ResetIncompatible);
        }
        let mut kept = *params;
        kept.output.width = current.output.width;
        kept.output.height = current.output.height;
        self.close()?;
        self.init(&kept)
    }

    /// The pool the decoder takes its surfaces from when given no work surface.
    pub fn pool(&self) -> Result<&SurfacePool, DecodeError> {
        Ok(&self.running()?.pool)
    }

    /// After [`DecodeError::Incompatible`] at a new sequence: the bytes the decoder took from the
    /// stream but did not decode (the start of the new sequence; empty for codecs fed one frame
    /// per call, whose frame was not taken). They go before the rest of the stream, to
    /// `decode_header` and to the decoder initialised for the new sequence.
    pub fn take_undecoded(&mut self) -> Vec<u8> {
        self.pending_codec = None;
        std::mem::take(&mut self.pending)
    }

    /// Re-initialises the decoder for the new sequence starting `data` (after
    /// [`DecodeError::Incompatible`], the drain, and [`Self::take_undecoded`] put back before the
    /// rest of the stream): the header is read from `data`, the surfaces are made for the new
    /// pictures, and the output stays in the family the application chose (I420 stays I420 for
    /// 8-bit 4:2:0; other samplings get their own format), as do AsyncDepth, IOPattern and the
    /// allocation hints. Returns the new parameters.
    pub fn restart_for_new_sequence(&mut self, data: &[u8]) -> Result<DecodeParams, DecodeError> {
        let old = self.params()?;
        let mut params = Self::decode_header(old.codec, data)?;
        let eight_bit_420 = |fourcc: FourCc| matches!(fourcc, FourCc::Nv12 | FourCc::I420 | FourCc::Yv12);
        if eight_bit_420(params.output.fourcc) && eight_bit_420(old.output.fourcc) {
            params.output.fourcc = old.output.fourcc;
        }
        params.output.lsb_aligned = old.output.lsb_aligned;
        params.async_depth = old.async_depth;
        params.io_pattern = old.io_pattern;
        params.hints = old.hints;
        self.close()?;
        self.init(&params)?;
        Ok(params)
    }

    /// True once after the decoder met a new sequence whose pictures differ in size or format
    /// but still fit the surfaces (`MFX_WRN_VIDEO_PARAM_CHANGED` with the call's picture).
    pub fn take_params_changed(&mut self) -> bool {
        match &mut self.running {
            Some(Running { engine: Engine::Stream(stream), .. }) => stream.take_params_changed(),
            _ => false,
        }
    }

    /// `MFXMemory_GetSurfaceForDecode`.
    pub fn surface(&self) -> Result<Surface, DecodeError> {
        Ok(self.running()?.pool.acquire()?)
    }

    /// What the decoder did so far (`GetDecodeStat`, copies).
    pub fn stats(&self) -> Result<DecodeStats, DecodeError> {
        let running = self.running()?;
        let mut stats = match &running.engine {
            Engine::Framed(framed) => {
                let c = &framed.counters;
                DecodeStats {
                    decoded: c.decoded.load(Ordering::Relaxed),
                    shown: running.shown,
                    corrupted: c.corrupted.load(Ordering::Relaxed),
                    errors: c.errors.load(Ordering::Relaxed),
                    skipped: 0,
                    copies: c.copies.load(Ordering::Relaxed),
                }
            }
            Engine::Stream(stream) => stream.stats(),
        };
        stats.skipped = running.skipped;
        Ok(stats)
    }

    /// `DecodeFrameAsync`.
    ///
    /// VP8 takes one complete compressed frame per call (`None` drains; nothing is cached, so that
    /// is `MoreData`); with a `work` surface (1.x) the picture goes there, without (2.x) into a
    /// surface of the decode pool.
    ///
    /// libavcodec codecs take the bitstream in any chunking and decode in the call until a picture
    /// comes out (see the `avcodec` module): `MoreData` when the bytes are all taken (the parser may
    /// keep a partial packet), `MoreSurface` when the work surface was used and the next packet
    /// needs another (the rest of the data is not taken). [`Self::consumed`] tells how many bytes
    /// were taken. `None` drains the pictures still held, then `MoreData`. The picture may be in
    /// another surface than the work surface, and its sync point is already complete.
    ///
    /// `timestamp` travels to the picture (for libavcodec codecs, to the picture starting in the
    /// data; `u64::MAX` is unknown).
    ///
    /// A work surface over an application's own memory ([`Surface::from_foreign`], the 1.x model)
    /// must not be Locked (`MoreSurface`) and must hold the pictures (`InvalidParams`). libavcodec
    /// decoding in place (I420/YV12) decodes into it when its planes are aligned as libavcodec
    /// needs (64-byte plane starts and pitches, the padding rows QueryIOSurf asks for), keeps it
    /// while it is a reference (Locked raised), and may hand out an earlier work surface; other
    /// surfaces get each picture in one counted copy ([`DecodeStats::copies`]).
    ///
    /// Frames that cannot be decoded, and VP8 frames before the first key frame, are skipped
    /// (counted in [`DecodeStats::skipped`]; the data is taken).
    pub fn decode_frame_async(
        &mut self,
        data: Option<&[u8]>,
        work: Option<&Surface>,
        timestamp: u64,
    ) -> Result<DecodedFrame, DecodeError> {
        let result = self.decode_frame_to(data, work, timestamp);
        self.count_skipped(result)
    }

    fn count_skipped(&mut self, result: Result<DecodedFrame, DecodeError>) -> Result<DecodedFrame, DecodeError> {
        if let (Err(DecodeError::Bitstream(error)), Some(running)) = (&result, self.running.as_mut()) {
            tracing::debug!(%error, "undecodable data skipped");
            running.skipped += 1;
        }
        result
    }

    fn decode_frame_to(
        &mut self,
        data: Option<&[u8]>,
        work: Option<&Surface>,
        timestamp: u64,
    ) -> Result<DecodedFrame, DecodeError> {
        self.consumed = 0;
        if let Some(frame) = self.decode_pending(work)? {
            return Ok(frame);
        }
        let running = self.running.as_mut().ok_or(DecodeError::NotInitialized)?;
        let framed = match &mut running.engine {
            Engine::Framed(framed) => framed,
            Engine::Stream(stream) => {
                let result = stream.decode(data, work, timestamp, &mut self.consumed);
                if let Err(DecodeError::Incompatible(..)) = &result {
                    let undecoded = stream.take_undecoded();
                    if !undecoded.is_empty() {
                        self.pending = undecoded;
                        self.pending_codec = Some(running.params.codec);
                        self.pending_ready = false;
                    }
                }
                let surface = result?;
                running.shown += 1;
                let sync = SyncPoint::new();
                sync.complete(Ok(()));
                return Ok(DecodedFrame { surface, sync });
            }
        };
        let data = data.ok_or(DecodeError::MoreData)?;
        let key_frame = matches!(peek_frame(data), Ok(peek) if peek.size.is_some());
        if !running.seen_key && !key_frame {
            // "The function skips any bitstreams before it encounters the new sequence header."
            running.skipped += 1;
            self.consumed = data.len();
            return Err(DecodeError::MoreData);
        }
        if !framed.lane.has_room() {
            return Err(SubmitError::Busy(framed.lane.in_flight()).into());
        }
        let peek = peek_frame(data)?;
        if let Some((width, height)) = peek.size {
            let info = &running.params.output;
            if width > info.width || height > info.height {
                return Err(DecodeError::Incompatible(width, height));
            }
        }
        let output = if peek.shown {
            let surface = match work {
                Some(work) => {
                    check_work_surface(work, &running.params.output)?;
                    work.clone()
                }
                None => running.pool.acquire()?,
            };
            let guard = surface.begin_output().map_err(|_| DecodeError::MoreSurface)?;
            Some((surface, guard))
        } else {
            None
        };
        let mut buffer = framed.spare_buffers.lock().pop().unwrap_or_default();
        buffer.extend_from_slice(data);
        let (surface, guard) = output.unzip();
        if let Some(surface) = &surface {
            let order = running.shown as u32;
            surface.update_meta(|meta| {
                meta.timestamp = timestamp;
                meta.frame_order = order;
            });
        }
        let sync = framed.lane.submit(DecodeJob { data: buffer, output: guard }).map_err(|(error, _)| error)?;
        self.consumed = data.len();
        running.seen_key |= key_frame;
        match surface {
            Some(surface) => {
                running.shown += 1;
                Ok(DecodedFrame { surface, sync })
            }
            None => Err(DecodeError::MoreData),
        }
    }

    /// Decodes the pending start of a new sequence, once a decoder for it runs: a picture, or
    /// `None` once it is all taken (the call goes on with the caller's data).
    fn decode_pending(&mut self, work: Option<&Surface>) -> Result<Option<DecodedFrame>, DecodeError> {
        while self.pending_ready && !self.pending.is_empty() {
            let pending = std::mem::take(&mut self.pending);
            let result = self.decode_frame_to(Some(&pending), work, TIMESTAMP_UNKNOWN);
            let used = std::mem::take(&mut self.consumed).min(pending.len());
            if self.pending.is_empty() {
                self.pending = pending[used..].to_vec();
            }
            match result {
                Ok(frame) => return Ok(Some(frame)),
                // All taken (the parser keeps the packet until the next one starts).
                Err(DecodeError::MoreData) => self.pending.clear(),
                Err(error) => return Err(error),
            }
        }
        Ok(None)
    }

    /// `Close`: finishes the work in flight and frees the pool's free surfaces.
    pub fn close(&mut self) -> Result<(), DecodeError> {
        let running = self.running.take().ok_or(DecodeError::NotInitialized)?;
        match running.engine {
            Engine::Framed(mut framed) => framed.lane.close(),
            // Freeing the context releases every surface libavcodec held.
            Engine::Stream(stream) => drop(stream),
        }
        running.pool.close();
        Ok(())
    }

    /// True between Init and Close.
    pub fn is_initialized(&self) -> bool {
        self.running.is_some()
    }
}

impl Drop for Decode {
    fn drop(&mut self) {
        if self.running.is_some() {
            let _ = self.close();
        }
    }
}
