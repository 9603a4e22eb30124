//! The encode component's life cycle and `EncodeFrameAsync`.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use vplrs_ffmpeg::{Encoder, FfmpegError, Packet, PictureType};
use vplrs_memory::surface::TIMESTAMP_UNKNOWN;
use vplrs_memory::{Surface, SurfacePool};
use vplrs_runtime::{Accepted, Core, SyncPoint};

use crate::input::{picture, InputPath, Scratch, Stamp};
use crate::params::{encoder_config, query, query_io_surf, EncodeCodec, EncodeParams};
use crate::{EncodeError, FrameType};

/// Per-frame control (`mfxEncodeCtrl`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FrameControl {
    /// Code this frame as a key frame (an IDR for AVC and HEVC).
    pub force_key: bool,
}

/// One compressed picture (`mfxBitstream` contents) and the operation that produced it.
#[derive(Debug)]
pub struct EncodedFrame {
    /// The compressed picture.
    pub data: Vec<u8>,
    /// The input frame's `TimeStamp` (90 kHz); computed from the frame rate when it had none.
    pub timestamp: u64,
    /// Decoding time, 90 kHz (negative before the first presentation time with B-frames).
    pub decode_timestamp: i64,
    /// I, P or B, reference or not, IDR.
    pub frame_type: FrameType,
    /// Completes when the picture is final.
    pub sync: SyncPoint,
}

/// `mfxEncodeStat` and copy accounting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EncodeStats {
    /// Frames taken.
    pub frames_in: u64,
    /// Compressed pictures handed out.
    pub frames_out: u64,
    /// Compressed bytes handed out.
    pub bytes_out: u64,
    /// Pixel copies made (conversions for encoders that cannot read the surface's layout).
    pub copies: u64,
}

impl EncodeStats {
    /// Frames taken and not yet given back as compressed pictures (`NumCachedFrame`).
    pub fn cached(&self) -> u64 {
        self.frames_in.saturating_sub(self.frames_out)
    }
}

struct Running {
    params: EncodeParams,
    encoder: Encoder,
    path: InputPath,
    pool: SurfacePool,
    scratch: Arc<Scratch>,
    /// Compressed pictures made and not yet handed out.
    pending: VecDeque<Packet>,
    /// Input timestamps by frame number (the encoder's pts), until their picture comes out.
    timestamps: HashMap<i64, u64>,
    /// The first input timestamp: decoding times count from it.
    first_timestamp: Option<u64>,
    next_pts: i64,
    stats: EncodeStats,
    spare_buffers: Vec<Vec<u8>>,
}

/// An encode component of a session.
pub struct Encode {
    core: Core,
    running: Option<Running>,
}

impl Encode {
    /// An encoder on `core` (its allocator serves the pool), not initialised.
    pub fn new(core: Core) -> Self {
        Self { core, running: None }
    }

    /// `Query`: the parameters as the encoder would use them, and whether any was corrected.
    pub fn query(params: &EncodeParams) -> Result<crate::QueryOutcome, EncodeError> {
        query(params)
    }

    /// `QueryIOSurf`: the input surfaces the encoder needs.
    pub fn query_io_surf(params: &EncodeParams) -> Result<vplrs_memory::SurfaceRequest, EncodeError> {
        query_io_surf(params)
    }

    /// `Init`: opens the encoder and the pool `MFXMemory_GetSurfaceForEncode` draws from. Returns
    /// whether a parameter was corrected (`MFX_WRN_INCOMPATIBLE_VIDEO_PARAM` in C).
    pub fn init(&mut self, params: &EncodeParams) -> Result<Accepted, EncodeError> {
        if self.running.is_some() {
            return Err(EncodeError::AlreadyInitialized);
        }
        let outcome = query(params)?;
        let mut params = outcome.params;
        params.fill_buffer_defaults();
        let request = query_io_surf(&params)?;
        let path = InputPath::choose(params.input.fourcc, params.codec.backend());
        if let InputPath::Convert(layout) = path {
            vplrs_memory::copies::allow("encode input", || {
                format!("{:?} reads {layout:?}: {} surfaces are converted first", params.codec, params.input.fourcc)
            })?;
        }
        let encoder = Encoder::new(encoder_config(&params, path.layout())).map_err(open_error)?;
        let pool = self.core.create_pool(&request, params.hints)?;
        self.running = Some(Running {
            params,
            encoder,
            path,
            pool,
            scratch: Arc::new(Scratch::default()),
            pending: VecDeque::new(),
            timestamps: HashMap::new(),
            first_timestamp: None,
            next_pts: 0,
            stats: EncodeStats::default(),
            spare_buffers: Vec::new(),
        });
        Ok(Accepted::from_corrected(outcome.corrected))
    }

    /// `Reset`: new parameters for the same input pool. Pictures the encoder still held are
    /// dropped (the application drains before it resets); the next picture is a key frame.
    pub fn reset(&mut self, params: &EncodeParams) -> Result<Accepted, EncodeError> {
        let running = self.running.as_mut().ok_or(EncodeError::NotInitialized)?;
        let outcome = query(params)?;
        let mut new = outcome.params;
        let old = &running.params;
        let (old_info, new_info) = (old.input, new.input);
        if new.codec != old.codec
            || new_info.fourcc != old_info.fourcc
            || new_info.width > old_info.width
            || new_info.height > old_info.height
            || new.io_pattern != old.io_pattern
        {
            return Err(EncodeError::Incompatible(
                "Reset cannot change the codec, the input format or grow the frames",
            ));
        }
        new.fill_buffer_defaults();
        new.async_depth = old.async_depth;
        new.hints = old.hints;
        let path = InputPath::choose(new.input.fourcc, new.codec.backend());
        let encoder = Encoder::new(encoder_config(&new, path.layout())).map_err(open_error)?;
        running.encoder = encoder;
        running.path = path;
        running.params = new;
        running.pending.clear();
        running.timestamps.clear();
        Ok(Accepted::from_corrected(outcome.corrected))
    }

    /// Close: drops what the encoder holds; a later Init starts afresh.
    pub fn close(&mut self) -> Result<(), EncodeError> {
        let running = self.running.take().ok_or(EncodeError::NotInitialized)?;
        // Freeing the encoder lets go of every picture it held.
        drop(running.encoder);
        running.pool.close();
        Ok(())
    }

    /// True between Init and Close.
    pub fn is_initialized(&self) -> bool {
        self.running.is_some()
    }

    fn running(&self) -> Result<&Running, EncodeError> {
        self.running.as_ref().ok_or(EncodeError::NotInitialized)
    }

    /// The parameters in use (`GetVideoParam`), with `buffer_size_kb` filled in.
    pub fn params(&self) -> Result<EncodeParams, EncodeError> {
        Ok(self.running()?.params)
    }

    /// The pool of input surfaces (`MFXMemory_GetSurfaceForEncode`).
    pub fn pool(&self) -> Result<&SurfacePool, EncodeError> {
        Ok(&self.running()?.pool)
    }

    /// `MFXMemory_GetSurfaceForEncode`.
    pub fn surface(&self) -> Result<Surface, EncodeError> {
        Ok(self.running()?.pool.acquire()?)
    }

    /// What the encoder did so far (`GetEncodeStat`, copies).
    pub fn stats(&self) -> Result<EncodeStats, EncodeError> {
        let running = self.running()?;
        let mut stats = running.stats;
        stats.copies = running.scratch.copies.load(Ordering::Relaxed);
        Ok(stats)
    }

    /// The stream's VPS (H.265), SPS and PPS, as the first IDR carries them.
    pub fn parameter_sets(&self) -> Result<crate::ParameterSets, EncodeError> {
        let running = self.running()?;
        crate::headers::parameter_sets(running.params.codec, running.encoder.config())
    }

    /// `EncodeFrameAsync`: takes `input` (`None` drains) and gives out the next compressed picture
    /// if there is one.
    ///
    /// `room` is the space left in the application's bitstream. A picture that does not fit stays
    /// queued: when it is already waiting the call takes no input and fails with
    /// `NotEnoughBuffer`; when the input just taken made it, the call answers `MoreData` and the
    /// next call reports the shortage. The encoders run their own threads, so the call only hands
    /// the picture over and collects what is finished: the sync point is complete on return.
    pub fn encode_frame_async(
        &mut self,
        input: Option<&Surface>,
        control: FrameControl,
        room: usize,
    ) -> Result<EncodedFrame, EncodeError> {
        let running = self.running.as_mut().ok_or(EncodeError::NotInitialized)?;
        if let Some(head) = running.pending.front() {
            if head.data.len() > room {
                return Err(EncodeError::NotEnoughBuffer { needed: head.data.len() });
            }
        }
        let took_input = input.is_some();
        match input {
            Some(surface) => running.send(surface, control)?,
            None => running.encoder.send(None).map_err(EncodeError::Encoder)?,
        }
        running.collect()?;
        let packet = match running.pending.pop_front() {
            None => return Err(EncodeError::MoreData),
            Some(packet) if packet.data.len() <= room => packet,
            Some(packet) => {
                let needed = packet.data.len();
                running.pending.push_front(packet);
                return Err(if took_input { EncodeError::MoreData } else { EncodeError::NotEnoughBuffer { needed } });
            }
        };
        Ok(running.hand_out(packet))
    }

    /// Gives back a picture's buffer for reuse by a later one.
    pub fn recycle(&mut self, mut buffer: Vec<u8>) {
        if let Some(running) = &mut self.running {
            buffer.clear();
            running.spare_buffers.push(buffer);
        }
    }
}

impl Running {
    fn send(&mut self, surface: &Surface, control: FrameControl) -> Result<(), EncodeError> {
        let layout = surface.layout();
        let expected = &self.params.input;
        if layout.fourcc != expected.fourcc {
            return Err(EncodeError::InvalidSurface("the surface's FourCC is not the encoder's"));
        }
        let crop = expected.effective_crop();
        if crop.x + crop.width > layout.width || crop.y + crop.height > layout.height {
            return Err(EncodeError::InvalidSurface("the surface is smaller than the coded picture"));
        }
        let pts = self.next_pts;
        // `picture` waits for an operation still producing the surface: its metadata after that.
        let lsb_aligned = self.params.input.lsb_aligned;
        let stamp = Stamp { pts, force_key: control.force_key, operation: self.stats.frames_in + 1 };
        let picture = picture(surface, crop, self.path, &self.scratch, stamp, lsb_aligned)?;
        let timestamp = surface.meta().timestamp;
        self.encoder.send(Some(picture)).map_err(EncodeError::Encoder)?;
        if timestamp != TIMESTAMP_UNKNOWN {
            self.first_timestamp.get_or_insert(timestamp);
            self.timestamps.insert(pts, timestamp);
        }
        self.next_pts += 1;
        self.stats.frames_in += 1;
        Ok(())
    }

    fn collect(&mut self) -> Result<(), EncodeError> {
        let mut buffer = self.spare_buffers.pop().unwrap_or_default();
        while let Some(packet) = self.encoder.receive(&mut buffer).map_err(EncodeError::Encoder)? {
            self.pending.push_back(packet);
            buffer = self.spare_buffers.pop().unwrap_or_default();
        }
        if buffer.capacity() > 0 {
            self.spare_buffers.push(buffer);
        }
        Ok(())
    }

    /// 90 kHz ticks of one frame.
    fn frame_ticks(&self) -> f64 {
        let rate = self.params.input.frame_rate;
        90_000.0 * f64::from(rate.den.max(1)) / f64::from(rate.num.max(1))
    }

    fn hand_out(&mut self, packet: Packet) -> EncodedFrame {
        let ticks = self.frame_ticks();
        let base = self.first_timestamp.unwrap_or(0) as f64;
        let timestamp = self.timestamps.remove(&packet.pts).unwrap_or((base + packet.pts as f64 * ticks) as u64);
        let decode_timestamp = (base + packet.dts as f64 * ticks).round() as i64;
        self.stats.frames_out += 1;
        self.stats.bytes_out += packet.data.len() as u64;
        let sync = SyncPoint::new();
        sync.complete(Ok(()));
        EncodedFrame {
            frame_type: frame_type(self.params.codec, &packet),
            data: packet.data,
            timestamp,
            decode_timestamp,
            sync,
        }
    }
}

fn frame_type(codec: EncodeCodec, packet: &Packet) -> FrameType {
    let kind = match packet.picture_type {
        Some(PictureType::P) => FrameType::P | FrameType::REF,
        Some(PictureType::B) => FrameType::B,
        Some(PictureType::I) => FrameType::I | FrameType::REF,
        _ if packet.key => FrameType::I | FrameType::REF,
        _ => FrameType::P | FrameType::REF,
    };
    let idr = packet.key && matches!(codec, EncodeCodec::Avc | EncodeCodec::Hevc);
    if idr {
        kind | FrameType::IDR
    } else {
        kind
    }
}

fn open_error(error: FfmpegError) -> EncodeError {
    tracing::warn!(%error, "the encoder refused its parameters");
    EncodeError::Open(error)
}
