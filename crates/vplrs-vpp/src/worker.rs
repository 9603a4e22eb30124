//! The work of one VPP operation, on the component's lane.

use std::time::Duration;

use vplrs_kernels::{
    apply_procamp, apply_procamp_copy, blend_frames, bob, detail_amount, fill_outside, orient, paint_background,
    process_fields, sharpen, ColorSpec, Compositor, Converter, Denoiser, FieldProcessing, FirstField, KernelError,
    Orientation, ProcAmp,
};

use crate::params::{Composition, Fields};
use vplrs_memory::{
    FrameInfo, FrameLayout, FrameView, FrameViewMut, LayoutOptions, LockedHold, OperationError, OutputGuard, PicStruct,
    Rect, Surface, SyncError,
};
use vplrs_runtime::Worker;

/// One frame to process: the input (held Locked until done) and the output being produced.
pub(crate) struct VppJob {
    pub input: Surface,
    pub input_hold: LockedHold,
    /// The output's Locked counter stays raised while VPP writes it (applications pick free
    /// work surfaces by `Locked == 0`).
    pub output_hold: LockedHold,
    pub output: OutputGuard,
    pub geometry: Geometry,
    /// Composition: `input` is the first stream's frame, `layers` the others', in order.
    pub composition: Option<std::sync::Arc<Composition>>,
    pub layers: Vec<(Surface, LockedHold)>,
}

/// What the job needs of the parameters, copied so that a Reset does not race queued work.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Geometry {
    /// Which output of its input this is (frame-rate conversion repeats inputs): its timestamp
    /// is `repeat` output frame periods (90 kHz ticks) after the input's, and a deinterlaced
    /// repeat shows the other field.
    pub repeat: u32,
    pub frame_period: u64,
    pub src_rect: Rect,
    pub dst_rect: Rect,
    pub src_color: ColorSpec,
    pub dst_color: ColorSpec,
    pub output_pic_struct: PicStruct,
    pub orientation: Orientation,
    pub procamp: ProcAmp,
    pub color_fill: bool,
    /// Frame interpolation: the share (in 256ths) of the job's layer, the frame after the input.
    pub weight: u32,
    /// Fields split from frames, or woven into them.
    pub fields: Fields,
    /// The output's timestamp, when it is not the input's (frame interpolation).
    pub timestamp: Option<u64>,
    /// Deinterlace, keeping this field when the input surface does not say which comes first.
    pub deinterlace: Option<FirstField>,
    /// Move rows between fields instead of converting.
    pub field_processing: Option<FieldProcessing>,
    /// Denoise and detail factors (0 to 100).
    pub denoise: Option<u16>,
    pub detail: Option<u16>,
}

/// The lane's state: the converter keeps its scratch buffers from frame to frame, and so does the
/// frame a picture is converted into before it is turned or mirrored.
pub(crate) struct VppWorker {
    pub converter: Converter,
    pub compositor: Compositor,
    /// The denoiser keeps the previous output frame.
    pub denoiser: Denoiser,
    pub detail_scratch: Vec<u32>,
    /// The frame two inputs are mixed into (frame interpolation).
    pub blend_scratch: Vec<u8>,
    pub frames: std::sync::Arc<std::sync::atomic::AtomicU64>,
    pub oriented_scratch: Vec<u8>,
    /// The progressive frame an interlaced input becomes before it is converted.
    pub progressive_scratch: Vec<u8>,
}

impl VppWorker {
    /// Converts `src_rect` of `source` into `dst_rect` of `target`, mirrored and turned: scaled and
    /// converted into a scratch frame of the target's format first, then moved.
    fn convert_oriented(
        &mut self,
        source: &FrameView<'_>,
        src_rect: Rect,
        target: &mut FrameViewMut<'_>,
        geometry: &Geometry,
    ) -> Result<(), KernelError> {
        let dst_rect = geometry.dst_rect;
        let same_size =
            geometry.orientation.oriented(src_rect.width, src_rect.height) == (dst_rect.width, dst_rect.height);
        if source.fourcc == target.fourcc && same_size && geometry.src_color == geometry.dst_color {
            // Nothing to scale or convert: the samples move straight from the input.
            return orient(source, src_rect, target, dst_rect, geometry.orientation);
        }
        let (width, height) = geometry.orientation.oriented(dst_rect.width, dst_rect.height);
        let info = FrameInfo::new(target.fourcc, width.next_multiple_of(2), height.next_multiple_of(2));
        let layout = FrameLayout::new(&info, LayoutOptions::default())
            .map_err(|_| KernelError::Internal("orientation scratch frame"))?;
        if self.oriented_scratch.len() < layout.size {
            self.oriented_scratch.resize(layout.size, 0);
        }
        let mut scratch =
            layout.view_mut(&mut self.oriented_scratch).ok_or(KernelError::Internal("orientation scratch frame"))?;
        let scratch_rect = Rect { x: 0, y: 0, width, height };
        self.converter.convert(source, src_rect, geometry.src_color, &mut scratch, scratch_rect, geometry.dst_color)?;
        orient(&scratch.as_view(), scratch_rect, target, dst_rect, geometry.orientation)
    }
}

/// `a` and `b` mixed (`weight` / 256 of `b`) into `buffer` (grown as needed); its layout.
fn blend_into(
    a: &FrameView<'_>,
    b: &FrameView<'_>,
    weight: u32,
    buffer: &mut Vec<u8>,
) -> Result<FrameLayout, KernelError> {
    let info = FrameInfo::new(a.fourcc, a.width, a.height);
    let layout = FrameLayout::new(&info, LayoutOptions::default()).map_err(|_| KernelError::Internal("mixed frame"))?;
    if buffer.len() < layout.size {
        buffer.resize(layout.size, 0);
    }
    let mut frame = layout.view_mut(buffer).ok_or(KernelError::Internal("mixed frame"))?;
    blend_frames(a, b, weight, &mut frame)?;
    Ok(layout)
}

/// The progressive frame of interlaced `source`, in `buffer` (grown as needed); its layout.
fn deinterlace_into(
    source: &FrameView<'_>,
    first: FirstField,
    picture_bottom: u32,
    buffer: &mut Vec<u8>,
) -> Result<FrameLayout, KernelError> {
    let info = FrameInfo::new(source.fourcc, source.width, source.height);
    let layout =
        FrameLayout::new(&info, LayoutOptions::default()).map_err(|_| KernelError::Internal("deinterlacing frame"))?;
    if buffer.len() < layout.size {
        buffer.resize(layout.size, 0);
    }
    let mut frame = layout.view_mut(buffer).ok_or(KernelError::Internal("deinterlacing frame"))?;
    bob(source, &mut frame, first, picture_bottom)?;
    Ok(layout)
}

/// Reads a VPP input once its producer is done, or says why it cannot be read.
fn readable(input: &Surface) -> Result<vplrs_memory::ReadGuard, OperationError> {
    // The read map waits for the input's producer (an upstream decode or VPP) to finish.
    let source = input.map_read().map_err(|error| {
        tracing::warn!(%error, "VPP input cannot be read");
        OperationError::InputUnreadable
    })?;
    if let Err(SyncError::Failed(error)) = input.synchronize(Duration::ZERO) {
        tracing::warn!(%error, "VPP input's producer failed");
        return Err(OperationError::Aborted);
    }
    Ok(source)
}

/// The picture of a composed stream's frame: its surface's crop when that names one inside the
/// surface, else the whole surface.
fn picture_rect(surface: &Surface) -> Rect {
    let (crop, layout) = (surface.meta().info.crop, surface.layout());
    let inside = u64::from(crop.x) + u64::from(crop.width) <= u64::from(layout.width)
        && u64::from(crop.y) + u64::from(crop.height) <= u64::from(layout.height);
    if crop.width > 0 && crop.height > 0 && inside {
        crop
    } else {
        Rect { x: 0, y: 0, width: layout.width, height: layout.height }
    }
}

impl VppWorker {
    /// Paints the background and draws each stream's picture over it.
    fn compose(
        &mut self,
        first: &Surface,
        layers: &[(Surface, LockedHold)],
        composition: &Composition,
        target: &mut FrameViewMut<'_>,
        geometry: &Geometry,
    ) -> Result<(), OperationError> {
        paint_background(target, composition.background).map_err(|_| OperationError::Failed)?;
        let inputs = std::iter::once(first).chain(layers.iter().map(|(surface, _)| surface));
        for (input, stream) in inputs.zip(&composition.streams) {
            let source = readable(input)?;
            let drawn = self.compositor.draw(
                &mut self.converter,
                &source.view(),
                picture_rect(input),
                geometry.src_color,
                target,
                stream.dst,
                geometry.dst_rect,
                geometry.dst_color,
                stream.blend,
            );
            if let Err(error) = drawn {
                tracing::error!(%error, "VPP composition failed");
                return Err(OperationError::Failed);
            }
        }
        Ok(())
    }
}

impl Worker for VppWorker {
    type Job = VppJob;

    fn run(&mut self, job: &mut VppJob) -> Result<(), OperationError> {
        if let Some(composition) = &job.composition {
            let VppJob { input, output, geometry, layers, .. } = job;
            self.compose(input, layers, composition, &mut output.view_mut(), geometry)?;
            publish_meta(input, output, geometry);
            self.frames.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return Ok(());
        }
        if job.geometry.fields == Fields::Weave {
            let VppJob { input, output, geometry, layers, .. } = job;
            self.weave(input, layers, output, geometry)?;
            publish_meta(input, output, geometry);
            self.frames.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            return Ok(());
        }
        let VppJob { input, output, geometry, layers, .. } = job;
        let source = readable(input)?;
        // Frame interpolation: the previous frame mixed with the next (the only layer).
        let mut blended = std::mem::take(&mut self.blend_scratch);
        let blend_layout = match layers.first() {
            Some((next, _)) if geometry.weight > 0 => {
                match blend_into(&source.view(), &readable(next)?.view(), geometry.weight, &mut blended) {
                    Ok(layout) => Some(layout),
                    Err(error) => {
                        tracing::error!(%error, "VPP frame interpolation failed");
                        self.blend_scratch = blended;
                        return Err(OperationError::Failed);
                    }
                }
            }
            _ => None,
        };
        let result =
            self.process(input, &source, blend_layout.as_ref().and_then(|l| l.view(&blended)), output, geometry);
        self.blend_scratch = blended;
        result
    }

    fn complete(&mut self, job: VppJob, outcome: Result<(), OperationError>) {
        complete_job(job, outcome);
    }
}

impl VppWorker {
    /// Converts (and filters) one picture: `source`, or `blended` when it is given.
    fn process(
        &mut self,
        input: &Surface,
        source: &vplrs_memory::ReadGuard,
        blended: Option<FrameView<'_>>,
        output: &mut OutputGuard,
        geometry: &mut Geometry,
    ) -> Result<(), OperationError> {
        // An application surface's own crop locates its picture (known now that its producer is
        // done); the parameters' crop otherwise.
        let src_rect = surface_crop(input).unwrap_or(geometry.src_rect);
        let mut geometry = *geometry;
        // Interlaced input: the surface's own field order decides (a progressive frame among
        // interlaced ones passes as it is).
        let field = geometry.deinterlace.and_then(|default| {
            let structure = input.meta().info.pic_struct;
            if structure.contains(PicStruct::FIELD_BFF) {
                Some(FirstField::Bottom)
            } else if structure.contains(PicStruct::FIELD_TFF) {
                Some(FirstField::Top)
            } else if structure.contains(PicStruct::PROGRESSIVE) {
                None
            } else {
                Some(default)
            }
        });
        // Doubling the rate of interlaced frames (30i -> 60p): the repeat is the second field.
        let field = field.map(|first| if geometry.repeat % 2 == 1 { other(first) } else { first });
        let mut progressive = std::mem::take(&mut self.progressive_scratch);
        let deinterlaced = match field {
            None => None,
            Some(first) => {
                match deinterlace_into(&source.view(), first, src_rect.y + src_rect.height, &mut progressive) {
                    Ok(layout) => Some(layout),
                    Err(error) => {
                        tracing::error!(%error, "VPP deinterlacing failed");
                        self.progressive_scratch = progressive;
                        return Err(OperationError::Failed);
                    }
                }
            }
        };
        let picture = match &deinterlaced {
            Some(layout) => layout.view(&progressive),
            None => Some(blended.unwrap_or_else(|| source.view())),
        };
        let Some(picture) = picture else {
            self.progressive_scratch = progressive;
            return Err(OperationError::Failed);
        };
        // Splitting fields: this output is the first field in time (repeat 0) or the second.
        let (picture, src_rect) = if geometry.fields == Fields::Split {
            let first = field_order(input.meta().info.pic_struct, geometry.output_pic_struct);
            let field = if geometry.repeat % 2 == 0 { first } else { other(first) };
            geometry.output_pic_struct = single_field(field);
            (picture.field(view_field(field)), field_rect(src_rect))
        } else {
            (picture, src_rect)
        };
        let mut target = output.view_mut();
        // ProcAmp on a picture only copied (same format, size and colour): in the copy's pass.
        let amplifies = !geometry.procamp.is_identity();
        let mut amplified = false;
        if amplifies
            && geometry.field_processing.is_none()
            && geometry.orientation.is_identity()
            && geometry.src_color == geometry.dst_color
        {
            match apply_procamp_copy(&picture, src_rect, &mut target, geometry.dst_rect, &geometry.procamp) {
                Ok(done) => amplified = done,
                Err(error) => tracing::debug!(%error, "ProcAmp in the copy: not this picture"),
            }
        }
        let mut result = if amplified {
            Ok(())
        } else if let Some(mode) = geometry.field_processing {
            process_fields(&picture, &mut target, mode)
        } else if geometry.orientation.is_identity() {
            self.converter.convert(
                &picture,
                src_rect,
                geometry.src_color,
                &mut target,
                geometry.dst_rect,
                geometry.dst_color,
            )
        } else {
            self.convert_oriented(&picture, src_rect, &mut target, &geometry)
        };
        if result.is_ok() && amplifies && !amplified {
            result = apply_procamp(&mut target, geometry.dst_rect, &geometry.procamp);
        }
        if let (true, Some(factor)) = (result.is_ok(), geometry.denoise) {
            let strength = f64::from(factor) / 10.0;
            if self.denoiser.strength() != strength {
                self.denoiser = Denoiser::new(strength);
            }
            result = self.denoiser.apply(&mut target, geometry.dst_rect);
        }
        if let (true, Some(factor)) = (result.is_ok(), geometry.detail) {
            result = sharpen(&mut target, geometry.dst_rect, detail_amount(factor), &mut self.detail_scratch);
        }
        if result.is_ok() && geometry.color_fill {
            result = fill_outside(&mut target, geometry.dst_rect, geometry.dst_color);
        }
        self.progressive_scratch = progressive;
        if let Err(error) = result {
            tracing::error!(%error, "VPP conversion failed");
            return Err(OperationError::Failed);
        }
        publish_meta(input, output, &geometry);
        self.frames.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Ok(())
    }
}

impl VppWorker {
    /// Weaves two single fields (`first`, then the only layer) into the output frame, each scaled
    /// to the output field's rows.
    fn weave(
        &mut self,
        first: &Surface,
        layers: &[(Surface, LockedHold)],
        output: &mut OutputGuard,
        geometry: &Geometry,
    ) -> Result<(), OperationError> {
        let Some((second, _)) = layers.first() else { return Err(OperationError::Failed) };
        let first_field = field_order(first.meta().info.pic_struct, geometry.output_pic_struct);
        let mut target = output.view_mut();
        let dst_rect = field_rect(geometry.dst_rect);
        for (surface, field) in [(first, first_field), (second, other(first_field))] {
            let source = readable(surface)?;
            let src_rect = picture_rect_of(surface, geometry.src_rect);
            let mut rows = target.field_mut(view_field(field));
            let converted = self.converter.convert(
                &source.view(),
                src_rect,
                geometry.src_color,
                &mut rows,
                dst_rect,
                geometry.dst_color,
            );
            if let Err(error) = converted {
                tracing::error!(%error, "VPP field weaving failed");
                return Err(OperationError::Failed);
            }
        }
        Ok(())
    }
}

/// The field that comes first in time: the surface's own order, else the parameters'.
fn field_order(surface: PicStruct, params: PicStruct) -> FirstField {
    let order = |p: PicStruct| {
        if p.contains(PicStruct::FIELD_BFF) {
            Some(FirstField::Bottom)
        } else if p.contains(PicStruct::FIELD_TFF) {
            Some(FirstField::Top)
        } else {
            None
        }
    };
    order(surface).or(order(params)).unwrap_or(FirstField::Top)
}

fn other(field: FirstField) -> FirstField {
    match field {
        FirstField::Top => FirstField::Bottom,
        FirstField::Bottom => FirstField::Top,
    }
}

fn view_field(field: FirstField) -> vplrs_memory::Field {
    match field {
        FirstField::Top => vplrs_memory::Field::Top,
        FirstField::Bottom => vplrs_memory::Field::Bottom,
    }
}

/// The picture structure of a surface holding one field.
fn single_field(field: FirstField) -> PicStruct {
    PicStruct::FIELD_SINGLE
        | match field {
            FirstField::Top => PicStruct::FIELD_TFF,
            FirstField::Bottom => PicStruct::FIELD_BFF,
        }
}

/// A frame rectangle's rows in one of its fields.
fn field_rect(rect: Rect) -> Rect {
    Rect { y: rect.y / 2, height: (rect.height / 2).max(1), ..rect }
}

/// The picture of an application surface (its crop), else `default`.
fn picture_rect_of(surface: &Surface, default: Rect) -> Rect {
    surface_crop(surface).unwrap_or(default)
}

/// Lets the job's frames go and publishes its output.
fn complete_job(job: VppJob, outcome: Result<(), OperationError>) {
    let VppJob { input, input_hold, output_hold, output, layers, .. } = job;
    drop(input_hold);
    // The inputs go back (to their pool, or an imported frame to its owner) before the output is
    // published: whoever synchronises on the output sees the inputs free.
    drop(input);
    drop(layers);
    // Lowered before the completion publishes the surface to its owner.
    drop(output_hold);
    output.finish(outcome);
}

/// The output's metadata: the input's timestamps (shifted for repeats), crop and structure.
fn publish_meta(input: &Surface, output: &OutputGuard, geometry: &Geometry) {
    let meta = input.meta();
    output.surface().update_meta(|out| {
        out.timestamp = if let Some(timestamp) = geometry.timestamp {
            timestamp
        } else if meta.timestamp == vplrs_memory::surface::TIMESTAMP_UNKNOWN {
            meta.timestamp
        } else {
            meta.timestamp.saturating_add(u64::from(geometry.repeat).saturating_mul(geometry.frame_period))
        };
        out.decode_timestamp = meta.decode_timestamp;
        out.frame_order = meta.frame_order;
        out.corrupted = meta.corrupted;
        out.info.crop = geometry.dst_rect;
        out.info.pic_struct =
            if geometry.output_pic_struct.is_empty() { meta.info.pic_struct } else { geometry.output_pic_struct };
    });
}

/// The crop of an application (1.x) surface, when it names a picture inside the surface: the
/// `mfxFrameInfo::CropXYWH` of the surfaces of a call locate the pictures, the parameters' crops
/// are the default. Runtime surfaces follow the parameters (Reset changes them).
pub(crate) fn surface_crop(surface: &Surface) -> Option<Rect> {
    if !surface.is_application_memory() {
        return None;
    }
    let (crop, layout) = (surface.meta().info.crop, surface.layout());
    let inside = u64::from(crop.x) + u64::from(crop.width) <= u64::from(layout.width)
        && u64::from(crop.y) + u64::from(crop.height) <= u64::from(layout.height);
    (crop.width > 0 && crop.height > 0 && inside).then_some(crop)
}
