//! VPP parameters, their validation (`Query`) and surface needs (`QueryIOSurf`).

use vplrs_kernels::{
    compose_supports, denoise_supports, detail_supports, Blend, ColorSpec, FieldProcessing, Orientation, ProcAmp,
};
use vplrs_memory::allocator::MemType;
use vplrs_memory::sizing::SurfaceRequest;
use vplrs_memory::{AllocationHints, FrameInfo, FrameRate, PicStruct, Rect};
use vplrs_runtime::IoPattern;

use crate::error::VppError;

/// The parameters of a VPP session (`mfxVideoParam` with `mfxInfoVPP`).
///
/// `input.crop` is the source rectangle, `output.crop` the destination rectangle: a crop and
/// resize in one. Colour conversion follows the FourCCs and colour specs.
#[derive(Clone, Debug, PartialEq)]
pub struct VppParams {
    /// The input frames: format, allocated size, crop (the picture), rate, structure.
    pub input: FrameInfo,
    /// The output frames, likewise; the input's crop is scaled to the output's.
    pub output: FrameInfo,
    /// The input's colour matrix and range.
    pub input_color: ColorSpec,
    /// The output's colour matrix and range.
    pub output_color: ColorSpec,
    /// Where the frames live (system memory on both sides).
    pub io_pattern: IoPattern,
    /// Operations in flight before `MFX_WRN_DEVICE_BUSY` (0: the default).
    pub async_depth: u16,
    /// `mfxExtAllocationHints` for the input pool (`MFX_VPP_POOL_IN`).
    pub input_hints: AllocationHints,
    /// `mfxExtAllocationHints` for the output pool (`MFX_VPP_POOL_OUT`).
    pub output_hints: AllocationHints,
    /// Mirroring, then rotation, of the output picture (`mfxExtVPPMirroring`,
    /// `mfxExtVPPRotation`): the input's crop, mirrored and turned, is scaled to the output's.
    pub orientation: Orientation,
    /// Brightness, contrast, hue and saturation of the output (`mfxExtVPPProcAmp`).
    pub procamp: ProcAmp,
    /// Paint the output frame black around its picture rectangle (`mfxExtVPPColorFill`).
    pub color_fill: bool,
    /// The deinterlacing asked for (`mfxExtVPPDeinterlacing`); interlaced input (TFF or BFF)
    /// with progressive output is deinterlaced whether or not it is asked for.
    pub deinterlacing: Option<Deinterlacing>,
    /// Rows moved between fields instead of the frame converted (`mfxExtVPPFieldProcessing`):
    /// input and output of one format and size.
    pub field_processing: Option<FieldProcessing>,
    /// Several input streams composed into each output (`mfxExtVPPComposite`): `input` gives the
    /// largest input frame, each stream's surfaces carry their own size and crop.
    pub composition: Option<Composition>,
    /// Noise reduction of the output, 0 to 100 (`mfxExtVPPDenoise::DenoiseFactor`,
    /// `mfxExtVPPDenoise2::Strength`): hqdn3d's algorithm at strength factor / 10, spatial and
    /// temporal (each frame against the previous output).
    pub denoise: Option<u16>,
    /// Detail enhancement of the output's luma, 0 to 100 (`mfxExtVPPDetail::DetailFactor`): an
    /// unsharp mask of amount factor / 50.
    pub detail: Option<u16>,
    /// Frame-rate conversion by interpolation (`MFX_FRCALGM_FRAME_INTERPOLATION`): frames between
    /// two inputs mix them, instead of repeating or dropping inputs.
    pub frame_interpolation: bool,
}

/// The denoise factor a filter named without settings gets (hqdn3d's default strength, 4).
pub const DEFAULT_DENOISE_FACTOR: u16 = 40;
/// The detail factor a filter named without settings gets (unsharp's default amount, 1).
pub const DEFAULT_DETAIL_FACTOR: u16 = 50;

/// The largest side of a composed stream's rectangle (the largest frame vplrs makes).
const MAX_COMPOSED_SIDE: u32 = 16384;

/// The largest number of streams one composition takes (Intel's `sample_vpp` reads up to 64).
pub const MAX_COMPOSED_STREAMS: usize = 64;

/// Composition (`mfxExtVPPComposite`): each output frame is painted with `background`, then the
/// picture of each stream, in order, is scaled to its rectangle and drawn over it. The streams'
/// frames arrive one call each, in stream order; the calls before the last answer
/// [`VppError::MoreData`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Composition {
    /// The background: Y, U, V for NV12 outputs, R, G, B for RGB outputs (8-bit values).
    pub background: [u16; 3],
    /// Where and how each stream is drawn, in drawing order.
    pub streams: Vec<ComposedStream>,
}

/// One stream of a composition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ComposedStream {
    /// The picture's rectangle in the output frame (`DstX/Y/W/H`); parts outside the output's
    /// picture rectangle are not drawn.
    pub dst: Rect,
    /// How it covers the streams before it.
    pub blend: Blend,
}

/// How VPP treats fields, from the input's and the output's picture structures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fields {
    /// Frames in, frames out (deinterlaced, or fields passed through as frames).
    Frames,
    /// Interlaced frames (TFF or BFF) in, single fields out (`FIELD_SINGLE`): each frame gives
    /// its two fields, in time order, as two outputs.
    Split,
    /// Single fields in, interlaced frames out: each two inputs give a frame, the first in time
    /// on the output's first field.
    Weave,
}

/// Deinterlacing methods (`MFX_DEINTERLACING_*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deinterlacing {
    /// Field interpolation, one progressive frame per interlaced frame (`BOB`): what vplrs does.
    Bob,
    /// Motion adaptive (`ADVANCED`, `ADVANCED_NOREF`, `ADVANCED_SCD`): Query corrects it to `Bob`.
    Advanced,
}

impl VppParams {
    /// System memory in and out, BT.601 limited range on both sides (the default when the
    /// application attaches no video signal info).
    pub fn new(input: FrameInfo, output: FrameInfo) -> Self {
        Self {
            input,
            output,
            input_color: ColorSpec::default(),
            output_color: ColorSpec::default(),
            io_pattern: IoPattern::IN_SYSTEM_MEMORY | IoPattern::OUT_SYSTEM_MEMORY,
            async_depth: 0,
            input_hints: AllocationHints::default(),
            output_hints: AllocationHints::default(),
            orientation: Orientation::default(),
            procamp: ProcAmp::default(),
            color_fill: false,
            deinterlacing: None,
            field_processing: None,
            composition: None,
            denoise: None,
            detail: None,
            frame_interpolation: false,
        }
    }

    /// How fields are treated: split, woven, or frames.
    pub fn fields(&self) -> Fields {
        let (input, output) = (self.input.pic_struct, self.output.pic_struct);
        let pair = |p: PicStruct| p.intersects(PicStruct::FIELD_TFF | PicStruct::FIELD_BFF);
        let single = |p: PicStruct| p.contains(PicStruct::FIELD_SINGLE);
        match (single(input), single(output)) {
            (false, true) if pair(input) => Fields::Split,
            (true, false) if pair(output) => Fields::Weave,
            _ => Fields::Frames,
        }
    }

    /// These parameters with `async_depth` operations in flight.
    pub fn with_async_depth(mut self, async_depth: u16) -> Self {
        self.async_depth = async_depth;
        self
    }
}

/// What `Query` made of the parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct QueryOutcome {
    /// The parameters as VPP would take them.
    pub params: VppParams,
    /// Something was changed to a supported value (`MFX_WRN_INCOMPATIBLE_VIDEO_PARAM`).
    pub corrected: bool,
}

fn effective_rect(info: &FrameInfo) -> Rect {
    info.effective_crop()
}

/// Checks `params` and corrects what can be corrected.
pub fn query(params: &VppParams) -> Result<QueryOutcome, VppError> {
    let mut fixed = params.clone();
    let mut corrected = false;
    let memory = params.io_pattern;
    let input_side = memory & (IoPattern::IN_SYSTEM_MEMORY | IoPattern::IN_VIDEO_MEMORY);
    let output_side = memory & (IoPattern::OUT_SYSTEM_MEMORY | IoPattern::OUT_VIDEO_MEMORY);
    if input_side.bits().count_ones() != 1 || output_side.bits().count_ones() != 1 {
        return Err(VppError::InvalidParams("IOPattern must name one memory type for input and one for output"));
    }
    if memory.intersects(IoPattern::IN_VIDEO_MEMORY | IoPattern::OUT_VIDEO_MEMORY) {
        return Err(VppError::Unsupported("video memory: vplrs runs on the CPU, use system memory"));
    }
    for (info, side) in [(&mut fixed.input, "input"), (&mut fixed.output, "output")] {
        if info.width == 0 || info.height == 0 {
            return Err(VppError::InvalidParams("frame size is zero"));
        }
        let align_h = info.height_alignment();
        if info.width % 16 != 0 || info.height % align_h != 0 {
            info.width = info.width.next_multiple_of(16);
            info.height = info.height.next_multiple_of(align_h);
            corrected = true;
            tracing::debug!(side, width = info.width, height = info.height, "aligned frame size");
        }
        // A crop larger than the frame (Intel's sample_encode copies the input's crop to the
        // output with -dstw/-dsth): Query corrects it to the frame. VPP works on the crops of
        // the surfaces of each call anyway (the parameters' crops are the default).
        let crop = info.crop;
        if crop.x >= info.width || crop.y >= info.height {
            return Err(VppError::InvalidParams("crop rectangle outside the frame"));
        }
        let fitted = vplrs_memory::Rect {
            width: crop.width.min(info.width - crop.x),
            height: crop.height.min(info.height - crop.y),
            ..crop
        };
        if fitted != crop {
            info.crop = fitted;
            corrected = true;
            tracing::debug!(side, crop = ?fitted, "crop fitted to the frame");
        }
        info.validate().map_err(|_| VppError::InvalidParams("frame size or crop"))?;
    }
    if effective_rect(&fixed.input).width == 0 || effective_rect(&fixed.output).width == 0 {
        return Err(VppError::InvalidParams("empty crop"));
    }
    // Rates: an input without one gets the default; an output without one, the input's. Two
    // different rates convert (frames repeated or dropped, see `RateConverter`).
    let unset = |rate: FrameRate| rate.num == 0 || rate.den == 0;
    if unset(fixed.input.frame_rate) {
        fixed.input.frame_rate = FrameRate::default();
        corrected = true;
    }
    if unset(fixed.output.frame_rate) {
        fixed.output.frame_rate = fixed.input.frame_rate;
        corrected = true;
    }
    let (procamp, clamped) = fixed.procamp.clamped();
    if clamped {
        tracing::debug!(?procamp, "ProcAmp settings brought into their ranges");
        fixed.procamp = procamp;
        corrected = true;
    }
    if !fixed.procamp.is_identity() && !ProcAmp::supports(fixed.output.fourcc) {
        return Err(VppError::Unsupported("ProcAmp needs a YCbCr output (NV12, I420, YV12, P010, YUY2, AYUV)"));
    }
    for factor in [&mut fixed.denoise, &mut fixed.detail].into_iter().flatten() {
        if *factor > 100 {
            *factor = 100;
            corrected = true;
        }
    }
    if fixed.denoise.is_some() && !denoise_supports(fixed.output.fourcc) {
        return Err(VppError::Unsupported("denoise needs an 8-bit 4:2:0 output (NV12, I420, YV12)"));
    }
    if fixed.detail.is_some() && !detail_supports(fixed.output.fourcc) {
        return Err(VppError::Unsupported("detail enhancement needs an 8-bit 4:2:0 output (NV12, I420, YV12)"));
    }
    if !fixed.orientation.supports(fixed.output.fourcc) {
        return Err(VppError::Unsupported("rotation and mirroring of packed 4:2:2 (YUY2, Y210)"));
    }
    // Interlaced frames in, progressive frames out: deinterlaced (bob, at the input's rate);
    // otherwise the picture structure passes through: fields stay fields.
    let interlaced_in = fixed.input.pic_struct.intersects(PicStruct::FIELD_TFF | PicStruct::FIELD_BFF)
        && !fixed.input.pic_struct.contains(PicStruct::FIELD_SINGLE);
    let fields = fixed.fields();
    if fields != Fields::Frames {
        // One frame's two fields, one at a time (split), or two fields into a frame (weave): the
        // output rate is twice, or half, the input's.
        let rate = fixed.input.frame_rate;
        let wanted = match fields {
            Fields::Split => FrameRate { num: rate.num.saturating_mul(2), den: rate.den },
            _ => FrameRate { num: rate.num, den: rate.den.saturating_mul(2) },
        };
        if u64::from(fixed.output.frame_rate.num) * u64::from(wanted.den)
            != u64::from(wanted.num) * u64::from(fixed.output.frame_rate.den)
        {
            fixed.output.frame_rate = wanted;
            corrected = true;
        }
        if fixed.field_processing.is_some() || fixed.frame_interpolation || fixed.composition.is_some() {
            return Err(VppError::Unsupported(
                "splitting or weaving fields runs without field processing, interpolation or composition",
            ));
        }
    } else if interlaced_in && fixed.output.pic_struct == PicStruct::PROGRESSIVE {
        if !vplrs_kernels::deinterlace_supports(fixed.input.fourcc) {
            return Err(VppError::Unsupported("deinterlacing of 10-bit fields packed in 32 bits (A2RGB10, Y410)"));
        }
    } else if fixed.input.pic_struct.has_fields() != fixed.output.pic_struct.has_fields()
        && fixed.output.pic_struct != PicStruct::empty()
    {
        return Err(VppError::Unsupported("field weaving and single fields are not supported"));
    }
    if fixed.field_processing.is_some() {
        let same_frames = fixed.input.fourcc == fixed.output.fourcc
            && (fixed.input.width, fixed.input.height) == (fixed.output.width, fixed.output.height)
            && fixed.input.effective_crop() == fixed.output.effective_crop();
        if !same_frames || !fixed.orientation.is_identity() {
            return Err(VppError::Unsupported("field processing moves rows between frames of one format and size"));
        }
    }
    if let Some(composition) = fixed.composition.as_mut() {
        corrected |= check_composition(composition, &fixed.output)?;
        let others = !fixed.orientation.is_identity()
            || !fixed.procamp.is_identity()
            || fixed.denoise.is_some()
            || fixed.detail.is_some()
            || fixed.field_processing.is_some()
            || interlaced_in
            || fixed.input.frame_rate.num as u64 * fixed.output.frame_rate.den as u64
                != fixed.output.frame_rate.num as u64 * fixed.input.frame_rate.den as u64;
        if others {
            return Err(VppError::Unsupported(
                "composition runs alone: no rotation, mirroring, ProcAmp, field processing, deinterlacing or rate change",
            ));
        }
    }
    if fixed.frame_interpolation {
        if interlaced_in || fixed.field_processing.is_some() {
            return Err(VppError::Unsupported("frame interpolation of progressive frames only"));
        }
        if !vplrs_kernels::blend_supports(fixed.input.fourcc) {
            return Err(VppError::Unsupported("frame interpolation of 10-bit formats packed in 32 bits"));
        }
    }
    if fixed.deinterlacing == Some(Deinterlacing::Advanced) {
        tracing::debug!("motion-adaptive deinterlacing asked for: bob is what vplrs does");
        fixed.deinterlacing = Some(Deinterlacing::Bob);
        corrected = true;
    }
    Ok(QueryOutcome { params: fixed, corrected })
}

/// Checks a composition against the output frame; true when something was corrected (odd NV12
/// rectangles made even, a global alpha above 255).
fn check_composition(composition: &mut Composition, output: &FrameInfo) -> Result<bool, VppError> {
    let count = composition.streams.len();
    if count == 0 || count > MAX_COMPOSED_STREAMS {
        return Err(VppError::Unsupported("composition takes 1 to 64 streams"));
    }
    if !compose_supports(output.fourcc) {
        return Err(VppError::Unsupported("composition outputs NV12, RGB4 or BGR4"));
    }
    let mut corrected = false;
    let even = output.fourcc == vplrs_memory::FourCc::Nv12;
    for stream in &mut composition.streams {
        let dst = &mut stream.dst;
        if dst.width == 0 || dst.height == 0 || dst.x >= output.width || dst.y >= output.height {
            return Err(VppError::Unsupported("a composed stream's rectangle is empty or outside the output"));
        }
        // Pictures are scaled to their rectangle before they are drawn: no larger than a frame.
        if dst.width > MAX_COMPOSED_SIDE || dst.height > MAX_COMPOSED_SIDE {
            return Err(VppError::Unsupported("a composed stream's rectangle is larger than 16384 samples a side"));
        }
        if even {
            let aligned =
                Rect { x: dst.x & !1, y: dst.y & !1, width: (dst.width & !1).max(2), height: (dst.height & !1).max(2) };
            if aligned != *dst {
                *dst = aligned;
                corrected = true;
            }
        }
        if let Some((min, max)) = stream.blend.luma_key {
            if !even || min > max {
                return Err(VppError::Unsupported("luma keying takes an NV12 output and LumaKeyMin <= LumaKeyMax"));
            }
        }
    }
    if composition.background.iter().any(|&value| value > 255) {
        composition.background = composition.background.map(|value| value.min(255));
        corrected = true;
    }
    Ok(corrected)
}

/// `QueryIOSurf`: the input and output surface needs. VPP keeps no frame beyond the one it
/// processes, so both sides need one surface per operation in flight; a composition needs that
/// for each of its streams.
pub fn query_io_surf(params: &VppParams) -> Result<[SurfaceRequest; 2], VppError> {
    let checked = query(params)?.params;
    let common = MemType::SYSTEM_MEMORY | MemType::EXTERNAL_FRAME;
    // Frame interpolation keeps the previous input, weaving the first field of a pair.
    let held = u16::from(checked.frame_interpolation || checked.fields() == Fields::Weave);
    let mut input =
        SurfaceRequest::for_component(checked.input, common | MemType::FROM_VPPIN, held, checked.async_depth);
    if let Some(composition) = &checked.composition {
        let streams = composition.streams.len() as u16;
        input.num_frame_min = input.num_frame_min.saturating_mul(streams);
        input.num_frame_suggested = input.num_frame_suggested.saturating_mul(streams);
    }
    Ok([input, SurfaceRequest::for_component(checked.output, common | MemType::FROM_VPPOUT, 0, checked.async_depth)])
}
