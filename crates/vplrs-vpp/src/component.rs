//! The VPP component's life cycle and frame submission.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use vplrs_kernels::Converter;
use vplrs_memory::sizing::{effective_async_depth, SurfaceRequest};
use vplrs_memory::{LockedHold, MapError, PicStruct, Surface, SurfacePool};
use vplrs_runtime::{Accepted, Core, Lane, SubmitError, SyncPoint};

use crate::error::VppError;
use crate::interpolate::Interpolator;
use crate::params::{query, query_io_surf, Composition, QueryOutcome, VppParams};
use crate::rate::{RateConverter, Turn};
use crate::worker::{Geometry, VppJob, VppWorker};

/// `mfxVPPStat`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct VppStats {
    /// Frames processed (completed).
    pub frames: u64,
    /// Frames VPP keeps between calls (none: it has no look-ahead).
    pub cached: u64,
    /// Frames submitted.
    pub submitted: u64,
}

pub(crate) struct Running {
    pub(crate) params: VppParams,
    pub(crate) lane: Lane<VppWorker>,
    pub(crate) input_pool: SurfacePool,
    pub(crate) output_pool: SurfacePool,
    pub(crate) frames: Arc<AtomicU64>,
    pub(crate) submitted: u64,
    /// Input and output rates differ: frames repeated or dropped.
    pub(crate) rate: Option<RateConverter>,
    /// The last call's input gives more outputs (`MFX_ERR_MORE_SURFACE`).
    pub(crate) repeats_pending: bool,
    /// Composition: the streams' frames taken so far for the next output, held Locked.
    pub(crate) composed: Vec<(Surface, LockedHold)>,
    /// The parameters' composition, shared with the jobs (not copied for each output).
    pub(crate) composition: Option<Arc<Composition>>,
    /// Frame interpolation: its state, the previous input (held Locked) and the first input's
    /// timestamp.
    pub(crate) interpolator: Option<Interpolator>,
    pub(crate) held: Option<(Surface, LockedHold)>,
    pub(crate) first_timestamp: u64,
}

/// A VPP component of a session.
pub struct Vpp {
    core: Core,
    pub(crate) running: Option<Running>,
}

impl Vpp {
    /// A VPP on `core` (its allocator serves the pools), not initialised.
    pub fn new(core: Core) -> Self {
        Self { core, running: None }
    }

    /// `Query` with parameters: what Init would accept.
    pub fn query(params: &VppParams) -> Result<QueryOutcome, VppError> {
        query(params)
    }

    /// `QueryIOSurf`: `[input, output]` surface needs.
    pub fn query_io_surf(params: &VppParams) -> Result<[SurfaceRequest; 2], VppError> {
        query_io_surf(params)
    }

    /// `Init`: the parameters as given, or corrected where VPP supports other values.
    pub fn init(&mut self, params: &VppParams) -> Result<Accepted, VppError> {
        if self.running.is_some() {
            return Err(VppError::AlreadyInitialized);
        }
        let QueryOutcome { params, corrected } = query(params)?;
        let [input_request, output_request] = query_io_surf(&params)?;
        let input_pool = self.core.create_pool(&input_request, params.input_hints)?;
        let output_pool = self.core.create_pool(&output_request, params.output_hints)?;
        let frames = Arc::new(AtomicU64::new(0));
        let worker = VppWorker {
            converter: Converter::new(),
            compositor: vplrs_kernels::Compositor::new(),
            denoiser: vplrs_kernels::Denoiser::new(0.0),
            detail_scratch: Vec::new(),
            blend_scratch: Vec::new(),
            frames: frames.clone(),
            oriented_scratch: Vec::new(),
            progressive_scratch: Vec::new(),
        };
        let depth = usize::from(effective_async_depth(params.async_depth));
        let lane = Lane::new("vpp", depth, worker).map_err(|e| VppError::Thread(e.to_string()))?;
        let (rate, interpolator) = rate_conversion(&params);
        let composition = params.composition.clone().map(Arc::new);
        self.running = Some(Running {
            params,
            lane,
            input_pool,
            output_pool,
            frames,
            submitted: 0,
            rate,
            repeats_pending: false,
            composed: Vec::new(),
            composition,
            interpolator,
            held: None,
            first_timestamp: 0,
        });
        Ok(Accepted::from_corrected(corrected))
    }

    pub(crate) fn running(&self) -> Result<&Running, VppError> {
        self.running.as_ref().ok_or(VppError::NotInitialized)
    }

    /// `Reset`: new crop, size (within Init's), colour; same formats, memory and AsyncDepth.
    pub fn reset(&mut self, params: &VppParams) -> Result<Accepted, VppError> {
        let running = self.running.as_mut().ok_or(VppError::NotInitialized)?;
        let QueryOutcome { params, corrected } = query(params)?;
        let old = &running.params;
        if params.io_pattern != old.io_pattern || params.async_depth != old.async_depth {
            return Err(VppError::Incompatible("IOPattern and AsyncDepth are fixed at Init"));
        }
        if params.input.fourcc != old.input.fourcc || params.output.fourcc != old.output.fourcc {
            return Err(VppError::Incompatible("FourCC is fixed at Init"));
        }
        // A composition may change its layout and take fewer streams, not more (nor start or
        // stop composing).
        let streams = |composition: &Option<Composition>| composition.as_ref().map(|c| c.streams.len());
        match (streams(&params.composition), streams(&old.composition)) {
            (None, None) => {}
            (Some(new), Some(old)) if new <= old => {}
            _ => return Err(VppError::Incompatible("composition and its number of streams are fixed at Init")),
        }
        let fits = |new: &vplrs_memory::FrameInfo, old: &vplrs_memory::FrameInfo| {
            new.width <= old.width && new.height <= old.height
        };
        if !fits(&params.input, &old.input) || !fits(&params.output, &old.output) {
            return Err(VppError::Incompatible("frames larger than at Init"));
        }
        running.lane.drain();
        // Frames of an unfinished composition are let go.
        running.composed.clear();
        running.composition = params.composition.clone().map(Arc::new);
        (running.rate, running.interpolator) = rate_conversion(&params);
        running.held = None;
        running.repeats_pending = false;
        running.params = params;
        Ok(Accepted::from_corrected(corrected))
    }

    /// `Close`: finishes the work in flight, then frees the pools' free surfaces.
    pub fn close(&mut self) -> Result<(), VppError> {
        let mut running = self.running.take().ok_or(VppError::NotInitialized)?;
        running.lane.close();
        running.input_pool.close();
        running.output_pool.close();
        Ok(())
    }

    /// True between Init and Close.
    pub fn is_initialized(&self) -> bool {
        self.running.is_some()
    }

    /// `GetVideoParam`.
    pub fn params(&self) -> Result<VppParams, VppError> {
        Ok(self.running()?.params.clone())
    }

    /// `GetVPPStat`.
    pub fn stats(&self) -> Result<VppStats, VppError> {
        let running = self.running()?;
        Ok(VppStats { frames: running.frames.load(Ordering::Relaxed), cached: 0, submitted: running.submitted })
    }

    /// `MFXMemory_GetSurfaceForVPP`: a surface from the input pool.
    pub fn input_surface(&self) -> Result<Surface, VppError> {
        Ok(self.running()?.input_pool.acquire()?)
    }

    /// `MFXMemory_GetSurfaceForVPPOut`: a surface from the output pool.
    pub fn output_surface(&self) -> Result<Surface, VppError> {
        Ok(self.running()?.output_pool.acquire()?)
    }

    /// The pool of input surfaces (`MFXMemory_GetSurfaceForVPP`).
    pub fn input_pool(&self) -> Result<&SurfacePool, VppError> {
        Ok(&self.running()?.input_pool)
    }

    /// The pool of output surfaces (`MFXMemory_GetSurfaceForVPPOut`, `ProcessFrameAsync`).
    pub fn output_pool(&self) -> Result<&SurfacePool, VppError> {
        Ok(&self.running()?.output_pool)
    }

    /// `RunFrameVPPAsync`: processes `input` into `output`. `None` input asks to drain; VPP keeps
    /// no frames, so that is `MoreData`.
    pub fn run_frame_async(&mut self, input: Option<&Surface>, output: &Surface) -> Result<SyncPoint, VppError> {
        self.run_frame_async_with(input, output, FrameControl::default())
    }

    /// [`run_frame_async`](Self::run_frame_async) with settings for this frame only (what a C
    /// application attaches to the input surface's `mfxFrameData`), which take priority over
    /// Init's.
    pub fn run_frame_async_with(
        &mut self,
        input: Option<&Surface>,
        output: &Surface,
        control: FrameControl,
    ) -> Result<SyncPoint, VppError> {
        let running = self.running.as_mut().ok_or(VppError::NotInitialized)?;
        let Some(input) = input else {
            // Draining: only frame interpolation keeps a frame with outputs still to come.
            if running.interpolator.is_none() {
                return Err(VppError::MoreData);
            }
            check_surface(output, &running.params.output, "output")?;
            if output.locked() > 0 {
                return Err(VppError::OutputLocked);
            }
            return Self::interpolate(running, None, output);
        };
        if Self::gather(running, input)? {
            return Err(VppError::MoreData);
        }
        let params = &running.params;
        if params.composition.is_none() {
            check_surface(input, &params.input, "input")?;
        }
        check_surface(output, &params.output, "output")?;
        if input.shares_memory_with(output) {
            return Err(VppError::SameSurface);
        }
        if output.locked() > 0 {
            return Err(VppError::OutputLocked);
        }
        if input.is_written_by_application() {
            // The operation would wait for an Unmap that may never come.
            return Err(MapError::Busy.into());
        }
        if !running.lane.has_room() {
            return Err(SubmitError::Busy(running.lane.in_flight()).into());
        }
        if running.params.composition.is_some() {
            return Self::compose(running, input, output);
        }
        if running.interpolator.is_some() {
            return Self::interpolate(running, Some(input), output);
        }
        if running.params.fields() == crate::params::Fields::Weave {
            return Self::weave(running, input, output);
        }
        let (repeat, more) = match running.rate.as_mut().map(|rate| rate.next(frame_identity(input))) {
            None => (0, false),
            Some(Turn::Dropped) => {
                running.repeats_pending = false;
                return Err(VppError::MoreData);
            }
            Some(Turn::Output { repeat, more }) => (repeat, more),
        };
        if control.field_processing.is_some() && !moves_fields(&running.params, input, output) {
            if let Some(rate) = running.rate.as_mut() {
                rate.undo();
            }
            return Err(VppError::Unsupported("field processing moves rows between frames of one format and size"));
        }
        match Self::submit(running, input, output, repeat, control) {
            Ok(sync) => {
                running.repeats_pending = more;
                Ok(sync)
            }
            Err(error) => {
                if let Some(rate) = running.rate.as_mut() {
                    rate.undo();
                }
                Err(error)
            }
        }
    }

    /// Weaving fields: the first field of a pair is held (`MoreData`); the second queues the frame.
    fn weave(running: &mut Running, input: &Surface, output: &Surface) -> Result<SyncPoint, VppError> {
        let operation = running.submitted + 1;
        let hold = |surface: &Surface| {
            surface
                .hold_for_operation("VPP (a field woven)", operation)
                .map_err(|_| VppError::SurfaceMismatch("input Locked counter overflow"))
        };
        if running.held.is_none() {
            running.held = Some((input.clone(), hold(input)?));
            return Err(VppError::MoreData);
        }
        let second_hold = hold(input)?;
        let output_hold = output
            .hold_for_operation("VPP (its output)", operation)
            .map_err(|_| VppError::SurfaceMismatch("output Locked counter overflow"))?;
        let output_guard = output.begin_output()?;
        let Some((first, first_hold)) = running.held.take() else { return Err(VppError::MoreData) };
        let job = VppJob {
            input: first,
            input_hold: first_hold,
            output_hold,
            output: output_guard,
            geometry: Self::geometry(&running.params, output, 0),
            composition: None,
            layers: vec![(input.clone(), second_hold)],
        };
        match running.lane.submit(job) {
            Ok(sync) => {
                running.submitted += 1;
                Ok(sync)
            }
            Err((error, job)) => {
                // The first field stays held: the second is to be given again.
                running.held = Some((job.input, job.input_hold));
                Err(error.into())
            }
        }
    }

    /// The input surfaces VPP holds between calls: the streams' frames of a composition under way,
    /// frame interpolation's previous frame.
    pub fn held_surfaces(&self) -> Vec<Surface> {
        let Some(running) = self.running.as_ref() else { return Vec::new() };
        running.composed.iter().chain(running.held.iter()).map(|(surface, _)| surface.clone()).collect()
    }

    /// True when the last `run_frame_async`/`process_frame_async` input gives more output frames
    /// (the output rate is above the input's): call again with the same input and another output
    /// (`MFX_ERR_MORE_SURFACE` in C).
    pub fn repeats_pending(&self) -> bool {
        self.running.as_ref().is_some_and(|running| running.repeats_pending)
    }

    /// Queues output `repeat` of `input` into `output`.
    fn submit(
        running: &mut Running,
        input: &Surface,
        output: &Surface,
        repeat: u32,
        control: FrameControl,
    ) -> Result<SyncPoint, VppError> {
        let mut geometry = Self::geometry(&running.params, output, repeat);
        if control.field_processing.is_some() {
            geometry.field_processing = control.field_processing;
        }
        let operation = running.submitted + 1;
        let input_hold = input
            .hold_for_operation("VPP (its input)", operation)
            .map_err(|_| VppError::SurfaceMismatch("input Locked counter overflow"))?;
        let output_guard = output.begin_output()?;
        let output_hold = output
            .hold_for_operation("VPP (its output)", operation)
            .map_err(|_| VppError::SurfaceMismatch("output Locked counter overflow"))?;
        let job = VppJob {
            input: input.clone(),
            input_hold,
            output_hold,
            output: output_guard,
            geometry,
            composition: None,
            layers: Vec::new(),
        };
        let sync = running.lane.submit(job).map_err(|(error, _job)| error)?;
        running.submitted += 1;
        Ok(sync)
    }

    /// What a job needs of the parameters, for output `repeat` of its input into `output`.
    pub(crate) fn geometry(params: &VppParams, output: &Surface, repeat: u32) -> Geometry {
        let rate = params.output.frame_rate;
        Geometry {
            repeat,
            frame_period: 90_000 * u64::from(rate.den) / u64::from(rate.num.max(1)),
            src_rect: params.input.effective_crop(),
            dst_rect: crate::worker::surface_crop(output).unwrap_or(params.output.effective_crop()),
            src_color: params.input_color,
            dst_color: params.output_color,
            output_pic_struct: params.output.pic_struct,
            orientation: params.orientation,
            procamp: params.procamp,
            color_fill: params.color_fill,
            deinterlace: deinterlaced_field(params),
            field_processing: params.field_processing,
            denoise: params.denoise,
            detail: params.detail,
            weight: 0,
            timestamp: None,
            fields: params.fields(),
        }
    }

    /// `ProcessFrameAsync`: processes `input` into a surface of the output pool and returns it;
    /// the caller synchronises on the surface.
    pub fn process_frame_async(&mut self, input: &Surface) -> Result<Surface, VppError> {
        self.process_frame_async_with(input, FrameControl::default())
    }

    /// [`process_frame_async`](Self::process_frame_async) with settings for this frame only.
    pub fn process_frame_async_with(&mut self, input: &Surface, control: FrameControl) -> Result<Surface, VppError> {
        let running = self.running.as_mut().ok_or(VppError::NotInitialized)?;
        if Self::gather(running, input)? {
            // A composed stream before the last: no output yet.
            return Err(VppError::MoreData);
        }
        let output = self.output_surface()?;
        self.run_frame_async_with(Some(input), &output, control)?;
        Ok(output)
    }
}

/// The frame-rate conversion the parameters ask for: frames repeated or dropped, or interpolated.
fn rate_conversion(params: &VppParams) -> (Option<RateConverter>, Option<Interpolator>) {
    let (input, output) = (params.input.frame_rate, params.output.frame_rate);
    if params.fields() == crate::params::Fields::Weave {
        // Two inputs a frame: taken in pairs (see `weave`), not dropped.
        (None, None)
    } else if params.frame_interpolation {
        (None, Interpolator::new(input, output))
    } else {
        (RateConverter::new(input, output), None)
    }
}

/// Settings for one frame, over Init's (`mfxFrameData::ExtParam` of the input in C).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FrameControl {
    /// Field processing of this frame (`mfxExtVPPFieldProcessing` on the input surface).
    pub field_processing: Option<vplrs_kernels::FieldProcessing>,
}

/// True when rows can move between `input` and `output`: one format, one frame size, one picture.
fn moves_fields(params: &VppParams, input: &Surface, output: &Surface) -> bool {
    let (from, to) = (input.layout(), output.layout());
    from.fourcc == to.fourcc
        && (from.width, from.height) == (to.width, to.height)
        && params.input.effective_crop() == params.output.effective_crop()
        && params.orientation.is_identity()
}

/// What makes the inputs of two calls the same frame: its memory (the C layer wraps an
/// application's surface anew for each call), or the surface itself.
pub(crate) fn frame_identity(surface: &Surface) -> u64 {
    match surface.core().host_memory() {
        Some(pointers) => pointers.ptr[0] as usize as u64,
        None => surface.id(),
    }
}

/// The field kept when deinterlacing frames whose surface does not say their field order, or
/// `None` when the parameters do not deinterlace (progressive output from interlaced input).
fn deinterlaced_field(params: &VppParams) -> Option<vplrs_kernels::FirstField> {
    let input = params.input.pic_struct;
    let interlaced = input.intersects(PicStruct::FIELD_TFF | PicStruct::FIELD_BFF);
    (interlaced && params.output.pic_struct == PicStruct::PROGRESSIVE).then(|| {
        if input.contains(PicStruct::FIELD_BFF) {
            vplrs_kernels::FirstField::Bottom
        } else {
            vplrs_kernels::FirstField::Top
        }
    })
}

impl Drop for Vpp {
    fn drop(&mut self) {
        if self.running.is_some() {
            let _ = self.close();
        }
    }
}

fn check_surface(surface: &Surface, expected: &vplrs_memory::FrameInfo, _side: &'static str) -> Result<(), VppError> {
    let layout = surface.layout();
    if layout.fourcc != expected.fourcc {
        return Err(VppError::SurfaceMismatch("FourCC differs from the VPP parameters"));
    }
    let crop = expected.effective_crop();
    if layout.width < crop.x + crop.width || layout.height < crop.y + crop.height {
        return Err(VppError::SurfaceMismatch("surface smaller than the VPP frame"));
    }
    Ok(())
}
