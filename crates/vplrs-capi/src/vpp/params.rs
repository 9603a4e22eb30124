//! The C structures of VPP's parameters, both ways: `mfxVideoParam` and its extension buffers
//! into `VppParams` (Query, QueryIOSurf, Init, Reset), the parameters back into the application's
//! structures (Query's answer, GetVideoParam), and the settings attached to an input surface for
//! one frame.

use vplrs_memory::{AllocationHints, AllocationPolicy};
use vplrs_runtime::IoPattern;
use vplrs_vpp::{
    Blend, ColorSpec, ComposedStream, Composition, Deinterlacing, FieldProcessing, FirstField, FrameControl, Matrix,
    Mirror, ProcAmp, Range, Rotation, VppParams,
};

use crate::bindings::*;
use crate::ext::{ext_as, ext_buffers};
use crate::ffi::Outcome;
use crate::fields::{frame_info_from_c, frame_info_to_c};
use crate::status::Status;

fn matrix_from_transfer(matrix: u16, default: Matrix) -> Matrix {
    match u32::from(matrix) {
        MFX_TRANSFERMATRIX_BT709 => Matrix::Bt709,
        MFX_TRANSFERMATRIX_BT601 => Matrix::Bt601,
        _ => default,
    }
}

fn range_from_nominal(range: u16, default: Range) -> Range {
    match u32::from(range) {
        MFX_NOMINALRANGE_0_255 => Range::Full,
        MFX_NOMINALRANGE_16_235 => Range::Limited,
        _ => default,
    }
}

fn spec_from_signal(signal: &mfxExtVideoSignalInfo, default: ColorSpec) -> ColorSpec {
    let matrix = match (signal.ColourDescriptionPresent, signal.MatrixCoefficients) {
        (0, _) => default.matrix,
        (_, 1) => Matrix::Bt709,
        (_, 5 | 6) => Matrix::Bt601,
        _ => default.matrix,
    };
    let range = if signal.VideoFullRange != 0 { Range::Full } else { Range::Limited };
    ColorSpec::new(matrix, range)
}

pub(crate) fn hints_from_c(hints: &mfxExtAllocationHints) -> Outcome<AllocationHints> {
    let policy = AllocationPolicy::from_raw(hints.AllocationPolicy).ok_or(Status::ERR_INVALID_VIDEO_PARAM)?;
    Ok(AllocationHints {
        policy,
        pre_allocate: hints.NumberToPreAllocate,
        delta_on_the_fly: hints.DeltaToAllocateOnTheFly,
        wait_ms: hints.Wait,
    })
}

/// The VPP parameters of a C `mfxVideoParam`. Unknown FourCCs and extension buffers VPP does not
/// implement are `MFX_ERR_UNSUPPORTED`.
pub(super) fn params_from_c(par: &mfxVideoParam) -> Outcome<VppParams> {
    // SAFETY: both union members are plain integer structures; VPP reads the `vpp` one.
    let vpp = unsafe { par.__bindgen_anon_1.vpp };
    let mut params = VppParams::new(frame_info_from_c(&vpp.In)?, frame_info_from_c(&vpp.Out)?);
    params.io_pattern = IoPattern::from_bits_truncate(par.IOPattern);
    params.async_depth = par.AsyncDepth;
    if par.Protected != 0 {
        return Err(Status::ERR_UNSUPPORTED);
    }
    let mut not_used: Vec<u32> = Vec::new();
    for buffer in ext_buffers(par)? {
        // SAFETY: the API requires every attached buffer pointer to be valid.
        let header = unsafe { buffer.as_ref() }.ok_or(Status::ERR_NULL_PTR)?;
        match header.BufferId {
            MFX_EXTBUFF_ALLOCATION_HINTS => {
                // SAFETY: a valid buffer, per the API.
                let hints = unsafe { ext_as::<mfxExtAllocationHints>(buffer, header.BufferId) }
                    .ok_or(Status::ERR_INVALID_VIDEO_PARAM)?;
                // SAFETY: both union members are u32.
                let pool = unsafe { hints.__bindgen_anon_1.VPPPoolType };
                match pool {
                    MFX_VPP_POOL_IN => params.input_hints = hints_from_c(&hints)?,
                    MFX_VPP_POOL_OUT => params.output_hints = hints_from_c(&hints)?,
                    _ => return Err(Status::ERR_INVALID_VIDEO_PARAM),
                }
            }
            MFX_EXTBUFF_VPP_VIDEO_SIGNAL_INFO => {
                // SAFETY: a valid buffer, per the API.
                let signal = unsafe { ext_as::<mfxExtVPPVideoSignalInfo>(buffer, header.BufferId) }
                    .ok_or(Status::ERR_INVALID_VIDEO_PARAM)?;
                // SAFETY: both union members are u16 structures with In/Out at the same place.
                let sides = unsafe { signal.__bindgen_anon_1.__bindgen_anon_1 };
                params.input_color = ColorSpec::new(
                    matrix_from_transfer(sides.In.TransferMatrix, params.input_color.matrix),
                    range_from_nominal(sides.In.NominalRange, params.input_color.range),
                );
                params.output_color = ColorSpec::new(
                    matrix_from_transfer(sides.Out.TransferMatrix, params.output_color.matrix),
                    range_from_nominal(sides.Out.NominalRange, params.output_color.range),
                );
            }
            MFX_EXTBUFF_VIDEO_SIGNAL_INFO_IN => {
                // SAFETY: a valid buffer, per the API.
                let signal = unsafe { ext_as::<mfxExtVideoSignalInfo>(buffer, header.BufferId) }
                    .ok_or(Status::ERR_INVALID_VIDEO_PARAM)?;
                params.input_color = spec_from_signal(&signal, params.input_color);
            }
            MFX_EXTBUFF_VIDEO_SIGNAL_INFO_OUT => {
                // SAFETY: a valid buffer, per the API.
                let signal = unsafe { ext_as::<mfxExtVideoSignalInfo>(buffer, header.BufferId) }
                    .ok_or(Status::ERR_INVALID_VIDEO_PARAM)?;
                params.output_color = spec_from_signal(&signal, params.output_color);
            }
            MFX_EXTBUFF_VPP_ROTATION => {
                // SAFETY: a valid buffer, per the API.
                let rotation = unsafe { ext_as::<mfxExtVPPRotation>(buffer, header.BufferId) }
                    .ok_or(Status::ERR_INVALID_VIDEO_PARAM)?;
                params.orientation.rotation = rotation_from_c(rotation.Angle).ok_or(Status::ERR_UNSUPPORTED)?;
            }
            MFX_EXTBUFF_VPP_MIRRORING => {
                // SAFETY: a valid buffer, per the API.
                let mirroring = unsafe { ext_as::<mfxExtVPPMirroring>(buffer, header.BufferId) }
                    .ok_or(Status::ERR_INVALID_VIDEO_PARAM)?;
                params.orientation.mirror = mirror_from_c(mirroring.Type).ok_or(Status::ERR_UNSUPPORTED)?;
            }
            MFX_EXTBUFF_VPP_DEINTERLACING => {
                // SAFETY: a valid buffer, per the API.
                let mode = unsafe { ext_as::<mfxExtVPPDeinterlacing>(buffer, header.BufferId) }
                    .ok_or(Status::ERR_INVALID_VIDEO_PARAM)?
                    .Mode;
                params.deinterlacing = Some(match u32::from(mode) {
                    MFX_DEINTERLACING_BOB => Deinterlacing::Bob,
                    MFX_DEINTERLACING_ADVANCED | MFX_DEINTERLACING_ADVANCED_NOREF | MFX_DEINTERLACING_ADVANCED_SCD => {
                        Deinterlacing::Advanced
                    }
                    _ => {
                        tracing::debug!(mode, "VPP: a deinterlacing mode vplrs does not have (telecine, 30i->60p)");
                        return Err(Status::ERR_UNSUPPORTED);
                    }
                });
            }
            MFX_EXTBUFF_VPP_FIELD_PROCESSING => {
                // SAFETY: a valid buffer, per the API.
                let fields = unsafe { ext_as::<mfxExtVPPFieldProcessing>(buffer, header.BufferId) }
                    .ok_or(Status::ERR_INVALID_VIDEO_PARAM)?;
                params.field_processing = Some(field_processing_from_c(&fields)?);
            }
            MFX_EXTBUFF_VPP_FRAME_RATE_CONVERSION => {
                // SAFETY: a valid buffer, per the API.
                let frc = unsafe { ext_as::<mfxExtVPPFrameRateConversion>(buffer, header.BufferId) }
                    .ok_or(Status::ERR_INVALID_VIDEO_PARAM)?;
                // Frames repeated or dropped, timestamps derived from the output rate (both
                // timestamp algorithms), or frames interpolated.
                match u32::from(frc.Algorithm) {
                    0 | MFX_FRCALGM_PRESERVE_TIMESTAMP | MFX_FRCALGM_DISTRIBUTED_TIMESTAMP => {}
                    MFX_FRCALGM_FRAME_INTERPOLATION => params.frame_interpolation = true,
                    other => {
                        tracing::debug!(algorithm = other, "VPP: an FRC algorithm vplrs does not have");
                        return Err(Status::ERR_UNSUPPORTED);
                    }
                }
            }
            MFX_EXTBUFF_VPP_COLORFILL => {
                // SAFETY: a valid buffer, per the API.
                let fill = unsafe { ext_as::<mfxExtVPPColorFill>(buffer, header.BufferId) }
                    .ok_or(Status::ERR_INVALID_VIDEO_PARAM)?;
                params.color_fill = match u32::from(fill.Enable) {
                    MFX_CODINGOPTION_ON => true,
                    MFX_CODINGOPTION_OFF | MFX_CODINGOPTION_UNKNOWN => false,
                    _ => return Err(Status::ERR_UNSUPPORTED),
                };
            }
            MFX_EXTBUFF_VPP_PROCAMP => {
                // SAFETY: a valid buffer, per the API.
                let amp = unsafe { ext_as::<mfxExtVPPProcAmp>(buffer, header.BufferId) }
                    .ok_or(Status::ERR_INVALID_VIDEO_PARAM)?;
                params.procamp = ProcAmp {
                    brightness: amp.Brightness,
                    contrast: amp.Contrast,
                    hue: amp.Hue,
                    saturation: amp.Saturation,
                };
            }
            MFX_EXTBUFF_VPP_DENOISE => {
                // SAFETY: a valid buffer, per the API.
                let denoise = unsafe { ext_as::<mfxExtVPPDenoise>(buffer, header.BufferId) }
                    .ok_or(Status::ERR_INVALID_VIDEO_PARAM)?;
                params.denoise = Some(denoise.DenoiseFactor);
            }
            MFX_EXTBUFF_VPP_DENOISE2 => {
                // SAFETY: a valid buffer, per the API.
                let denoise = unsafe { ext_as::<mfxExtVPPDenoise2>(buffer, header.BufferId) }
                    .ok_or(Status::ERR_INVALID_VIDEO_PARAM)?;
                params.denoise = Some(match denoise.Mode {
                    // The manual modes take the strength; the automatic ones choose it, and so does
                    // the default mode unless a strength is given.
                    MFX_DENOISE_MODE_INTEL_HVS_PRE_MANUAL | MFX_DENOISE_MODE_INTEL_HVS_POST_MANUAL => denoise.Strength,
                    MFX_DENOISE_MODE_DEFAULT if denoise.Strength > 0 => denoise.Strength,
                    MFX_DENOISE_MODE_DEFAULT
                    | MFX_DENOISE_MODE_INTEL_HVS_AUTO_BDRATE
                    | MFX_DENOISE_MODE_INTEL_HVS_AUTO_SUBJECTIVE
                    | MFX_DENOISE_MODE_INTEL_HVS_AUTO_ADJUST => vplrs_vpp::DEFAULT_DENOISE_FACTOR,
                    _ => return Err(Status::ERR_UNSUPPORTED),
                });
            }
            MFX_EXTBUFF_VPP_DETAIL => {
                // SAFETY: a valid buffer, per the API.
                let detail = unsafe { ext_as::<mfxExtVPPDetail>(buffer, header.BufferId) }
                    .ok_or(Status::ERR_INVALID_VIDEO_PARAM)?;
                params.detail = Some(detail.DetailFactor);
            }
            MFX_EXTBUFF_VPP_COMPOSITE => {
                // SAFETY: a valid buffer, per the API.
                let composite = unsafe { ext_as::<mfxExtVPPComposite>(buffer, header.BufferId) }
                    .ok_or(Status::ERR_INVALID_VIDEO_PARAM)?;
                params.composition = Some(composition_from_c(&composite)?);
            }
            // Filters vplrs always applies as the frame infos ask (their options take defaults),
            // and the list of filters not to use.
            MFX_EXTBUFF_VPP_SCALING | MFX_EXTBUFF_VPP_COLOR_CONVERSION => {}
            MFX_EXTBUFF_VPP_DOUSE | MFX_EXTBUFF_VPP_DONOTUSE => {
                // SAFETY: a valid buffer, per the API; both structures are the same shape.
                let list = unsafe { ext_as::<mfxExtVPPDoUse>(buffer, header.BufferId) }
                    .ok_or(Status::ERR_INVALID_VIDEO_PARAM)?;
                if list.NumAlg > 0 && list.AlgList.is_null() {
                    return Err(Status::ERR_NULL_PTR);
                }
                let algorithms: &[u32] = if list.NumAlg > 0 {
                    // SAFETY: the API says AlgList holds NumAlg ids (checked non-null above).
                    unsafe { std::slice::from_raw_parts(list.AlgList, list.NumAlg as usize) }
                } else {
                    &[]
                };
                if header.BufferId == MFX_EXTBUFF_VPP_DOUSE && algorithms.contains(&MFX_EXTBUFF_VPP_COMPOSITE) {
                    // "cannot be enabled using mfxExtVPPDoUse because default parameters are
                    // undefined for this filter".
                    return Err(Status::ERR_UNSUPPORTED);
                }
                if header.BufferId == MFX_EXTBUFF_VPP_DOUSE {
                    // Colour fill has nothing to set: naming it turns it on; denoise and detail
                    // named without their buffers take their default factors.
                    params.color_fill |= algorithms.contains(&MFX_EXTBUFF_VPP_COLORFILL);
                    for &id in algorithms {
                        match id {
                            MFX_EXTBUFF_VPP_DENOISE | MFX_EXTBUFF_VPP_DENOISE2 => {
                                params.denoise.get_or_insert(vplrs_vpp::DEFAULT_DENOISE_FACTOR);
                            }
                            MFX_EXTBUFF_VPP_DETAIL => {
                                params.detail.get_or_insert(vplrs_vpp::DEFAULT_DETAIL_FACTOR);
                            }
                            _ => {}
                        }
                    }
                    // Filters to use: each must be one vplrs has (its settings default when its
                    // buffer is not attached).
                    if let Some(&unknown) = algorithms.iter().find(|&&id| !crate::description::is_vpp_filter(id)) {
                        tracing::debug!(filter = format_args!("{unknown:#x}"), "DOUSE names a filter vplrs lacks");
                        return Err(Status::ERR_UNSUPPORTED);
                    }
                } else {
                    not_used.extend_from_slice(algorithms);
                }
            }
            other => {
                tracing::debug!(
                    buffer = format_args!("{other:#x}"),
                    "VPP: an extension buffer vplrs does not implement"
                );
                return Err(Status::ERR_UNSUPPORTED);
            }
        }
    }
    // DONOTUSE: the filters it names keep their neutral settings.
    for id in not_used {
        match id {
            MFX_EXTBUFF_VPP_ROTATION => params.orientation.rotation = Rotation::None,
            MFX_EXTBUFF_VPP_MIRRORING => params.orientation.mirror = Mirror::None,
            MFX_EXTBUFF_VPP_PROCAMP => params.procamp = ProcAmp::default(),
            MFX_EXTBUFF_VPP_COLORFILL => params.color_fill = false,
            MFX_EXTBUFF_VPP_DENOISE | MFX_EXTBUFF_VPP_DENOISE2 => params.denoise = None,
            MFX_EXTBUFF_VPP_DETAIL => params.detail = None,
            _ => {}
        }
    }
    Ok(params)
}

/// The field processing an `mfxExtVPPFieldProcessing` asks for.
fn field_processing_from_c(fields: &mfxExtVPPFieldProcessing) -> Outcome<FieldProcessing> {
    let field = |kind: u16| match u32::from(kind) {
        MFX_PICTYPE_TOPFIELD => Some(FirstField::Top),
        MFX_PICTYPE_BOTTOMFIELD => Some(FirstField::Bottom),
        _ => None,
    };
    Ok(match u32::from(fields.Mode) {
        MFX_VPP_COPY_FRAME => FieldProcessing::CopyFrame,
        MFX_VPP_COPY_FIELD => FieldProcessing::CopyField {
            from: field(fields.InField).ok_or(Status::ERR_UNSUPPORTED)?,
            to: field(fields.OutField).ok_or(Status::ERR_UNSUPPORTED)?,
        },
        MFX_VPP_SWAP_FIELDS => FieldProcessing::SwapFields,
        _ => return Err(Status::ERR_UNSUPPORTED),
    })
}

/// The settings an application attached to an input surface's `mfxFrameData` for this frame
/// (`mfxExtVPPFieldProcessing`); other buffers there are not VPP's and are left alone.
///
/// # Safety
/// `surface` must point to a valid `mfxFrameSurface1` whose `Data.ExtParam` holds
/// `Data.NumExtParam` buffer pointers.
pub(super) unsafe fn frame_control(surface: *const mfxFrameSurface1) -> Outcome<FrameControl> {
    // SAFETY: per this function's contract.
    let data = unsafe { &(*surface).Data };
    let mut control = FrameControl::default();
    // SAFETY: both union members are pointers; ExtParam is the one the API defines here.
    let ext_param = unsafe { data.__bindgen_anon_1.ExtParam };
    if data.NumExtParam == 0 || ext_param.is_null() {
        return Ok(control);
    }
    // SAFETY: per this function's contract.
    let buffers = unsafe { std::slice::from_raw_parts(ext_param, usize::from(data.NumExtParam)) };
    for &buffer in buffers {
        // SAFETY: the API requires each pointer to be NULL or a valid buffer header.
        let Some(header) = (unsafe { buffer.as_ref() }) else { continue };
        if header.BufferId == MFX_EXTBUFF_VPP_FIELD_PROCESSING {
            // SAFETY: a valid buffer, per the API (its size is checked).
            let fields = unsafe { ext_as::<mfxExtVPPFieldProcessing>(buffer, header.BufferId) }
                .ok_or(Status::ERR_INVALID_VIDEO_PARAM)?;
            control.field_processing = Some(field_processing_from_c(&fields)?);
        }
    }
    Ok(control)
}

/// A composition's layout from `mfxExtVPPComposite` (its `InputStream` array read here).
fn composition_from_c(composite: &mfxExtVPPComposite) -> Outcome<Composition> {
    let count = usize::from(composite.NumInputStream);
    if count > 0 && composite.InputStream.is_null() {
        return Err(Status::ERR_NULL_PTR);
    }
    if count > vplrs_vpp::MAX_COMPOSED_STREAMS {
        return Err(Status::ERR_UNSUPPORTED);
    }
    let streams: &[mfxVPPCompInputStream] = if count > 0 {
        // SAFETY: the API says InputStream holds NumInputStream elements (checked non-null).
        unsafe { std::slice::from_raw_parts(composite.InputStream, count) }
    } else {
        &[]
    };
    // SAFETY: the colour unions are u16 either way (Y/R, U/G, V/B).
    let background =
        unsafe { [composite.__bindgen_anon_1.Y, composite.__bindgen_anon_2.U, composite.__bindgen_anon_3.V] };
    let streams = streams
        .iter()
        .map(|stream| ComposedStream {
            dst: vplrs_memory::Rect { x: stream.DstX, y: stream.DstY, width: stream.DstW, height: stream.DstH },
            blend: Blend {
                global_alpha: (stream.GlobalAlphaEnable != 0).then(|| stream.GlobalAlpha.min(255) as u8),
                luma_key: (stream.LumaKeyEnable != 0)
                    .then(|| (stream.LumaKeyMin.min(255) as u8, stream.LumaKeyMax.min(255) as u8)),
                pixel_alpha: stream.PixelAlphaEnable != 0,
            },
        })
        .collect();
    Ok(Composition { background, streams })
}

/// Writes a composition back into the application's `mfxExtVPPComposite` (Query's and
/// GetVideoParam's answer): the background, and each stream its array has room for.
fn composition_to_c(composition: &Composition, composite: &mut mfxExtVPPComposite) {
    let [first, second, third] = composition.background;
    composite.__bindgen_anon_1.Y = first;
    composite.__bindgen_anon_2.U = second;
    composite.__bindgen_anon_3.V = third;
    if composite.InputStream.is_null() {
        return;
    }
    let room = usize::from(composite.NumInputStream);
    for (index, stream) in composition.streams.iter().enumerate().take(room) {
        // SAFETY: the API says InputStream holds NumInputStream elements (checked non-null).
        let c = unsafe { &mut *composite.InputStream.add(index) };
        c.DstX = stream.dst.x;
        c.DstY = stream.dst.y;
        c.DstW = stream.dst.width;
        c.DstH = stream.dst.height;
        c.GlobalAlphaEnable = stream.blend.global_alpha.is_some().into();
        c.GlobalAlpha = stream.blend.global_alpha.map_or(c.GlobalAlpha, u16::from);
        c.LumaKeyEnable = stream.blend.luma_key.is_some().into();
        if let Some((min, max)) = stream.blend.luma_key {
            (c.LumaKeyMin, c.LumaKeyMax) = (min.into(), max.into());
        }
        c.PixelAlphaEnable = stream.blend.pixel_alpha.into();
    }
    composite.NumInputStream = composition.streams.len().min(room) as u16;
}

fn rotation_from_c(angle: u16) -> Option<Rotation> {
    Some(match u32::from(angle) {
        MFX_ANGLE_0 => Rotation::None,
        MFX_ANGLE_90 => Rotation::Quarter,
        MFX_ANGLE_180 => Rotation::Half,
        MFX_ANGLE_270 => Rotation::ThreeQuarters,
        _ => return None,
    })
}

fn rotation_to_c(rotation: Rotation) -> u16 {
    (match rotation {
        Rotation::None => MFX_ANGLE_0,
        Rotation::Quarter => MFX_ANGLE_90,
        Rotation::Half => MFX_ANGLE_180,
        Rotation::ThreeQuarters => MFX_ANGLE_270,
    }) as u16
}

fn mirror_from_c(kind: u16) -> Option<Mirror> {
    Some(match u32::from(kind) {
        MFX_MIRRORING_DISABLED => Mirror::None,
        MFX_MIRRORING_HORIZONTAL => Mirror::Horizontal,
        MFX_MIRRORING_VERTICAL => Mirror::Vertical,
        _ => return None,
    })
}

fn mirror_to_c(mirror: Mirror) -> u16 {
    (match mirror {
        Mirror::None => MFX_MIRRORING_DISABLED,
        Mirror::Horizontal => MFX_MIRRORING_HORIZONTAL,
        Mirror::Vertical => MFX_MIRRORING_VERTICAL,
    }) as u16
}

/// Writes VPP parameters into a C `mfxVideoParam` (ExtParam is left as the caller set it).
pub(super) fn params_to_c(params: &VppParams, out: &mut mfxVideoParam) {
    // SAFETY: both union members are plain integer structures; VPP writes the `vpp` one.
    let mut vpp = unsafe { out.__bindgen_anon_1.vpp };
    frame_info_to_c(&params.input, &mut vpp.In);
    frame_info_to_c(&params.output, &mut vpp.Out);
    out.__bindgen_anon_1.vpp = vpp;
    out.IOPattern = params.io_pattern.bits();
    out.AsyncDepth = params.async_depth;
}

fn transfer_matrix(matrix: Matrix) -> u16 {
    match matrix {
        Matrix::Bt601 => MFX_TRANSFERMATRIX_BT601 as u16,
        Matrix::Bt709 => MFX_TRANSFERMATRIX_BT709 as u16,
    }
}

fn nominal_range(range: Range) -> u16 {
    match range {
        Range::Full => MFX_NOMINALRANGE_0_255 as u16,
        Range::Limited => MFX_NOMINALRANGE_16_235 as u16,
    }
}

/// Fills the extension buffers the application attached to GetVideoParam's output that VPP knows.
pub(super) fn fill_ext_buffers(params: &VppParams, out: &mfxVideoParam) {
    for buffer in ext_buffers(out).unwrap_or_default() {
        // SAFETY: the API requires every attached buffer pointer to be valid.
        let Some(header) = (unsafe { buffer.as_ref() }) else { continue };
        let size = header.BufferSz as usize;
        match header.BufferId {
            MFX_EXTBUFF_VPP_VIDEO_SIGNAL_INFO
                if header.BufferSz as usize >= std::mem::size_of::<mfxExtVPPVideoSignalInfo>() =>
            {
                let signal = buffer.cast::<mfxExtVPPVideoSignalInfo>();
                // SAFETY: the header says the buffer is an mfxExtVPPVideoSignalInfo.
                unsafe {
                    let sides = &mut (*signal).__bindgen_anon_1.__bindgen_anon_1;
                    sides.In.TransferMatrix = transfer_matrix(params.input_color.matrix);
                    sides.In.NominalRange = nominal_range(params.input_color.range);
                    sides.Out.TransferMatrix = transfer_matrix(params.output_color.matrix);
                    sides.Out.NominalRange = nominal_range(params.output_color.range);
                }
            }
            MFX_EXTBUFF_VPP_DEINTERLACING
                if header.BufferSz as usize >= std::mem::size_of::<mfxExtVPPDeinterlacing>()
                    && params.deinterlacing.is_some() =>
            {
                // SAFETY: the header says the buffer is an mfxExtVPPDeinterlacing.
                unsafe { (*buffer.cast::<mfxExtVPPDeinterlacing>()).Mode = MFX_DEINTERLACING_BOB as u16 };
            }
            MFX_EXTBUFF_VPP_COLORFILL if header.BufferSz as usize >= std::mem::size_of::<mfxExtVPPColorFill>() => {
                let enable = if params.color_fill { MFX_CODINGOPTION_ON } else { MFX_CODINGOPTION_OFF };
                // SAFETY: the header says the buffer is an mfxExtVPPColorFill.
                unsafe { (*buffer.cast::<mfxExtVPPColorFill>()).Enable = enable as u16 };
            }
            MFX_EXTBUFF_VPP_PROCAMP if header.BufferSz as usize >= std::mem::size_of::<mfxExtVPPProcAmp>() => {
                // SAFETY: the header says the buffer is an mfxExtVPPProcAmp.
                let amp = unsafe { &mut *buffer.cast::<mfxExtVPPProcAmp>() };
                amp.Brightness = params.procamp.brightness;
                amp.Contrast = params.procamp.contrast;
                amp.Hue = params.procamp.hue;
                amp.Saturation = params.procamp.saturation;
            }
            MFX_EXTBUFF_VPP_ROTATION if header.BufferSz as usize >= std::mem::size_of::<mfxExtVPPRotation>() => {
                // SAFETY: the header says the buffer is an mfxExtVPPRotation.
                unsafe { (*buffer.cast::<mfxExtVPPRotation>()).Angle = rotation_to_c(params.orientation.rotation) };
            }
            MFX_EXTBUFF_VPP_MIRRORING if header.BufferSz as usize >= std::mem::size_of::<mfxExtVPPMirroring>() => {
                // SAFETY: the header says the buffer is an mfxExtVPPMirroring.
                unsafe { (*buffer.cast::<mfxExtVPPMirroring>()).Type = mirror_to_c(params.orientation.mirror) };
            }
            MFX_EXTBUFF_VPP_FRAME_RATE_CONVERSION
                if size >= std::mem::size_of::<mfxExtVPPFrameRateConversion>() && params.frame_interpolation =>
            {
                // SAFETY: the header says the buffer is an mfxExtVPPFrameRateConversion.
                unsafe {
                    (*buffer.cast::<mfxExtVPPFrameRateConversion>()).Algorithm = MFX_FRCALGM_FRAME_INTERPOLATION as u16
                };
            }
            MFX_EXTBUFF_VPP_DENOISE if size >= std::mem::size_of::<mfxExtVPPDenoise>() => {
                if let Some(factor) = params.denoise {
                    // SAFETY: the header says the buffer is an mfxExtVPPDenoise.
                    unsafe { (*buffer.cast::<mfxExtVPPDenoise>()).DenoiseFactor = factor };
                }
            }
            MFX_EXTBUFF_VPP_DENOISE2 if size >= std::mem::size_of::<mfxExtVPPDenoise2>() => {
                if let Some(factor) = params.denoise {
                    // SAFETY: the header says the buffer is an mfxExtVPPDenoise2.
                    let denoise = unsafe { &mut *buffer.cast::<mfxExtVPPDenoise2>() };
                    if matches!(
                        denoise.Mode,
                        MFX_DENOISE_MODE_INTEL_HVS_PRE_MANUAL | MFX_DENOISE_MODE_INTEL_HVS_POST_MANUAL
                    ) {
                        denoise.Strength = factor;
                    }
                }
            }
            MFX_EXTBUFF_VPP_DETAIL if size >= std::mem::size_of::<mfxExtVPPDetail>() => {
                if let Some(factor) = params.detail {
                    // SAFETY: the header says the buffer is an mfxExtVPPDetail.
                    unsafe { (*buffer.cast::<mfxExtVPPDetail>()).DetailFactor = factor };
                }
            }
            MFX_EXTBUFF_VPP_COMPOSITE if header.BufferSz as usize >= std::mem::size_of::<mfxExtVPPComposite>() => {
                if let Some(composition) = &params.composition {
                    // SAFETY: the header says the buffer is an mfxExtVPPComposite; its array
                    // holds NumInputStream elements, per the API.
                    composition_to_c(composition, unsafe { &mut *buffer.cast::<mfxExtVPPComposite>() });
                }
            }
            _ => {}
        }
    }
}

/// Query's answer to filter values vplrs does not know (an angle of 45): zeroed in `out`.
pub(super) fn zero_unsupported_filters(out: &mfxVideoParam) {
    for buffer in ext_buffers(out).unwrap_or_default() {
        // SAFETY: the API requires every attached buffer pointer to be valid.
        let Some(header) = (unsafe { buffer.as_ref() }) else { continue };
        let size = header.BufferSz as usize;
        match header.BufferId {
            MFX_EXTBUFF_VPP_ROTATION if size >= std::mem::size_of::<mfxExtVPPRotation>() => {
                // SAFETY: the header says the buffer is an mfxExtVPPRotation.
                let rotation = unsafe { &mut *buffer.cast::<mfxExtVPPRotation>() };
                if rotation_from_c(rotation.Angle).is_none() {
                    rotation.Angle = 0;
                }
            }
            MFX_EXTBUFF_VPP_MIRRORING if size >= std::mem::size_of::<mfxExtVPPMirroring>() => {
                // SAFETY: the header says the buffer is an mfxExtVPPMirroring.
                let mirroring = unsafe { &mut *buffer.cast::<mfxExtVPPMirroring>() };
                if mirror_from_c(mirroring.Type).is_none() {
                    mirroring.Type = 0;
                }
            }
            _ => {}
        }
    }
}
