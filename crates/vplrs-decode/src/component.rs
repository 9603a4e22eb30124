//! The decode component's life cycle and `DecodeFrameAsync`.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use parking_lot::Mutex;
use vplrs_memory::allocator::MemType;
use vplrs_memory::sizing::{effective_async_depth, SurfaceRequest};
use vplrs_memory::{
    AcquireError, AllocError, AllocationHints, FourCc, FrameInfo, MapError, Status, Surface, SurfacePool, ToStatus,
};
use vplrs_runtime::{Core, IoPattern, Lane, SubmitError, SyncPoint};

use crate::backend::{BackendError, Codec, DecoderBackend};
use crate::vp8::{peek_frame, Vp8Backend};
use crate::worker::{DecodeJob, DecodeWorker, WorkerCounters};

/// Decoder parameters (`mfxVideoParam` with `mfxInfoMFX` for decode).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DecodeParams {
    pub codec: Codec,
    /// Output surfaces: FourCC, allocated size (the largest picture), crop of the first picture.
    pub output: FrameInfo,
    pub async_depth: u16,
    pub io_pattern: IoPattern,
    /// `mfxExtAllocationHints` for the decode pool (used with no work surface).
    pub hints: AllocationHints,
}

/// Why a decode call produced no frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("the decoder is not initialized")]
    NotInitialized,
    #[error("the decoder is already initialized")]
    AlreadyInitialized,
    /// More bitstream is needed: the data held no picture to show (a hidden frame, which was
    /// consumed), or the stream is drained.
    #[error("more data needed")]
    MoreData,
    /// The work surface cannot be written now; give another one (the data was not consumed).
    #[error("the work surface is in use; another surface is needed")]
    MoreSurface,
    #[error("unsupported decode parameters: {0}")]
    Unsupported(&'static str),
    #[error("invalid decode parameters: {0}")]
    InvalidParams(&'static str),
    /// The stream changed to pictures the surfaces cannot hold.
    #[error("the stream's pictures ({0}x{1}) no longer fit the initialized surfaces")]
    Incompatible(u32, u32),
    #[error(transparent)]
    Bitstream(#[from] BackendError),
    #[error(transparent)]
    Busy(#[from] SubmitError),
    #[error(transparent)]
    Acquire(#[from] AcquireError),
    #[error(transparent)]
    Alloc(#[from] AllocError),
    #[error(transparent)]
    Map(#[from] MapError),
    #[error("could not start the decode worker: {0}")]
    Thread(String),
}

impl DecodeError {
    /// True when the call took the data (the application moves on to the next frame).
    pub fn consumed_data(&self) -> bool {
        matches!(self, Self::MoreData | Self::Bitstream(_))
    }
}

impl ToStatus for DecodeError {
    fn status(&self) -> Status {
        match self {
            Self::NotInitialized => Status::ERR_NOT_INITIALIZED,
            Self::AlreadyInitialized => Status::ERR_UNDEFINED_BEHAVIOR,
            Self::MoreData => Status::ERR_MORE_DATA,
            Self::MoreSurface => Status::ERR_MORE_SURFACE,
            Self::Unsupported(_) => Status::ERR_UNSUPPORTED,
            Self::InvalidParams(_) => Status::ERR_INVALID_VIDEO_PARAM,
            Self::Incompatible(..) => Status::ERR_INCOMPATIBLE_VIDEO_PARAM,
            Self::Bitstream(_) => Status::ERR_UNDEFINED_BEHAVIOR,
            Self::Busy(error) => error.status(),
            Self::Acquire(error) => error.status(),
            Self::Alloc(error) => error.status(),
            Self::Map(error) => error.status(),
            Self::Thread(_) => Status::ERR_MEMORY_ALLOC,
        }
    }
}

/// A picture on its way: the surface it will be in, and the operation producing it.
#[derive(Debug)]
pub struct DecodedFrame {
    pub surface: Surface,
    pub sync: SyncPoint,
}

/// `mfxDecodeStat` and copy accounting.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DecodeStats {
    /// Frames decoded (shown and hidden).
    pub decoded: u64,
    /// Pictures handed out.
    pub shown: u64,
    pub corrupted: u64,
    pub errors: u64,
    /// Pixel copies made (one per picture for backends that decode into their own memory).
    pub copies: u64,
}

struct Running {
    params: DecodeParams,
    lane: Lane<DecodeWorker>,
    pool: SurfacePool,
    counters: Arc<WorkerCounters>,
    spare_buffers: Arc<Mutex<Vec<Vec<u8>>>>,
    shown: u64,
}

/// A decode component of a session.
pub struct Decode {
    core: Core,
    running: Option<Running>,
}

impl Decode {
    pub fn new(core: Core) -> Self {
        Self { core, running: None }
    }

    /// `DecodeHeader`: stream parameters from the first frame, which must be a key frame.
    pub fn decode_header(codec: Codec, data: &[u8]) -> Result<DecodeParams, DecodeError> {
        match codec {
            Codec::Vp8 => {
                let peek = peek_frame(data)?;
                let Some((width, height)) = peek.size else {
                    return Err(DecodeError::MoreData);
                };
                Ok(DecodeParams {
                    codec,
                    output: FrameInfo::new(FourCc::Nv12, width, height),
                    async_depth: 0,
                    io_pattern: IoPattern::OUT_SYSTEM_MEMORY,
                    hints: AllocationHints::default(),
                })
            }
        }
    }

    fn check(params: &DecodeParams) -> Result<(), DecodeError> {
        if params.io_pattern.contains(IoPattern::OUT_VIDEO_MEMORY) {
            return Err(DecodeError::Unsupported("video memory: vplrs runs on the CPU, use system memory"));
        }
        if !params.io_pattern.contains(IoPattern::OUT_SYSTEM_MEMORY) {
            return Err(DecodeError::InvalidParams("IOPattern must ask for system memory output"));
        }
        if !matches!(params.output.fourcc, FourCc::Nv12 | FourCc::I420 | FourCc::Yv12) {
            return Err(DecodeError::Unsupported("8-bit 4:2:0 output only (NV12, I420, YV12)"));
        }
        params.output.validate().map_err(|_| DecodeError::InvalidParams("frame size or crop"))
    }

    /// `QueryIOSurf`. The VP8 backend keeps its references in its own memory, so the decoder
    /// holds no surface beyond the ones in flight.
    pub fn query_io_surf(params: &DecodeParams) -> Result<SurfaceRequest, DecodeError> {
        Self::check(params)?;
        let mem_type = MemType::SYSTEM_MEMORY | MemType::EXTERNAL_FRAME | MemType::FROM_DECODE;
        Ok(SurfaceRequest::for_component(params.output, mem_type, 0, params.async_depth))
    }

    /// `Init` with the codec's own backend.
    pub fn init(&mut self, params: &DecodeParams) -> Result<(), DecodeError> {
        let backend: Box<dyn DecoderBackend> = match params.codec {
            Codec::Vp8 => Box::new(Vp8Backend::new()),
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
        let request = Self::query_io_surf(params)?;
        let pool = self.core.create_pool(&request, params.hints)?;
        let counters = Arc::new(WorkerCounters::default());
        let depth = usize::from(effective_async_depth(params.async_depth));
        let spare_buffers = Arc::new(Mutex::new(Vec::with_capacity(depth + 2)));
        let worker = DecodeWorker { backend, spare_buffers: spare_buffers.clone(), counters: counters.clone() };
        let lane = Lane::new("decode", depth, worker).map_err(|e| DecodeError::Thread(e.to_string()))?;
        self.running = Some(Running { params: *params, lane, pool, counters, spare_buffers, shown: 0 });
        Ok(())
    }

    fn running(&self) -> Result<&Running, DecodeError> {
        self.running.as_ref().ok_or(DecodeError::NotInitialized)
    }

    pub fn params(&self) -> Result<DecodeParams, DecodeError> {
        Ok(self.running()?.params)
    }

    pub fn pool(&self) -> Result<&SurfacePool, DecodeError> {
        Ok(&self.running()?.pool)
    }

    /// `MFXMemory_GetSurfaceForDecode`.
    pub fn surface(&self) -> Result<Surface, DecodeError> {
        Ok(self.running()?.pool.acquire()?)
    }

    pub fn stats(&self) -> Result<DecodeStats, DecodeError> {
        let running = self.running()?;
        let c = &running.counters;
        Ok(DecodeStats {
            decoded: c.decoded.load(Ordering::Relaxed),
            shown: running.shown,
            corrupted: c.corrupted.load(Ordering::Relaxed),
            errors: c.errors.load(Ordering::Relaxed),
            copies: c.copies.load(Ordering::Relaxed),
        })
    }

    /// `DecodeFrameAsync` for one complete compressed frame (`None` drains; nothing is cached, so
    /// that is `MoreData`). With a `work` surface (1.x) the picture goes there; without (2.x) it
    /// goes into a surface of the decode pool. `timestamp` travels to the picture.
    pub fn decode_frame_async(
        &mut self,
        data: Option<&[u8]>,
        work: Option<&Surface>,
        timestamp: u64,
    ) -> Result<DecodedFrame, DecodeError> {
        let running = self.running.as_mut().ok_or(DecodeError::NotInitialized)?;
        let data = data.ok_or(DecodeError::MoreData)?;
        if !running.lane.has_room() {
            return Err(SubmitError::Busy(running.lane.in_flight()).into());
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
        let mut buffer = running.spare_buffers.lock().pop().unwrap_or_default();
        buffer.extend_from_slice(data);
        let (surface, guard) = output.unzip();
        if let Some(surface) = &surface {
            let order = running.shown as u32;
            surface.update_meta(|meta| {
                meta.timestamp = timestamp;
                meta.frame_order = order;
            });
        }
        let sync = running.lane.submit(DecodeJob { data: buffer, output: guard }).map_err(|(error, _)| error)?;
        match surface {
            Some(surface) => {
                running.shown += 1;
                Ok(DecodedFrame { surface, sync })
            }
            None => Err(DecodeError::MoreData),
        }
    }

    /// `Close`: finishes the work in flight and frees the pool's free surfaces.
    pub fn close(&mut self) -> Result<(), DecodeError> {
        let mut running = self.running.take().ok_or(DecodeError::NotInitialized)?;
        running.lane.close();
        running.pool.close();
        Ok(())
    }

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

fn check_work_surface(work: &Surface, expected: &FrameInfo) -> Result<(), DecodeError> {
    let layout = work.layout();
    if layout.fourcc != expected.fourcc || layout.width < expected.width || layout.height < expected.height {
        return Err(DecodeError::InvalidParams("work surface does not match the decode parameters"));
    }
    if work.locked() > 0 || work.is_accessed() {
        return Err(DecodeError::MoreSurface);
    }
    Ok(())
}
