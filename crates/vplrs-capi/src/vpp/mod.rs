//! `MFXVideoVPP_*` and `MFXMemory_GetSurfaceForVPP*`: the VPP component through the C API.

use std::sync::Arc;

use crate::status::{Status, ToStatus};
use vplrs_memory::{FourCc, Surface, SurfaceCore};
use vplrs_vpp::{FrameControl, Vpp, VppError};

use crate::bindings::*;
use crate::contract::Violation;
use crate::ffi::lock;
use crate::ffi::{guard, non_null, write_out, Outcome};
use crate::fields::frame_info_to_c;
use crate::session::{session, Session};
use crate::surface::foreign::{AppSurfacePtr, CorePtr};
use crate::surface::{expose, lookup, notify_complete, runtime_surface, Shell};

mod params;

pub(crate) use params::hints_from_c;
use params::{fill_ext_buffers, frame_control, params_from_c, params_to_c, zero_unsupported_filters};

/// The outputs VPP converts `input` to: every format to every format (vplrs-kernels converts
/// between every pair of `FourCc`s).
pub(crate) fn supported_outputs(_input: FourCc) -> Vec<FourCc> {
    FourCc::ALL.to_vec()
}

/// Status of a VPP error for a call whose documentation lists `MFX_ERR_INVALID_VIDEO_PARAM` as
/// the answer to parameters it cannot use.
fn init_status(error: &VppError) -> Status {
    match error {
        VppError::Unsupported(_) => Status::ERR_INVALID_VIDEO_PARAM,
        other => crate::status::ToStatus::status(other),
    }
}

fn vpp_status(error: VppError) -> Status {
    if matches!(error, VppError::OutputLocked) {
        crate::contract::report(Violation::OutputLocked, "MFXVideoVPP_RunFrameVPPAsync", "the output surface");
    }
    crate::status::ToStatus::status(&error)
}

/// The marks `Query(NULL, out)` sets on the fields VPP configures.
fn mark_configurable(out: &mut mfxVideoParam) {
    let mut marks = mfxFrameInfo { FourCC: 1, FrameRateExtN: 1, FrameRateExtD: 1, PicStruct: 1, ..Default::default() };
    marks.ChromaFormat = 1;
    marks.__bindgen_anon_1.__bindgen_anon_1 =
        mfxFrameInfo__bindgen_ty_1__bindgen_ty_1 { Width: 1, Height: 1, CropX: 1, CropY: 1, CropW: 1, CropH: 1 };
    out.__bindgen_anon_1.vpp = mfxInfoVPP { In: marks, Out: marks, ..Default::default() };
    out.IOPattern = 1;
    out.AsyncDepth = 1;
    out.Protected = 0;
}

#[no_mangle]
pub extern "C" fn MFXVideoVPP_Query(
    session: mfxSession,
    input: *mut mfxVideoParam,
    out: *mut mfxVideoParam,
) -> mfxStatus {
    guard("MFXVideoVPP_Query", || {
        self::session(session)?;
        non_null(out)?;
        if input.is_null() {
            // SAFETY: checked non-null; the caller passes a valid structure.
            mark_configurable(unsafe { &mut *out });
            return Ok(Status::ERR_NONE);
        }
        // SAFETY: checked non-null; the caller passes a valid structure (possibly `out` itself).
        let requested = unsafe { input.read() };
        let outcome = params_from_c(&requested).and_then(|params| {
            Vpp::query(&params).map_err(|error| {
                tracing::debug!(%error, input = ?params.input, output = ?params.output, "VPP Query");
                vpp_status(error)
            })
        });
        // SAFETY: checked non-null; the caller passes a valid structure.
        let answer = unsafe { &mut *out };
        match outcome {
            Ok(outcome) => {
                params_to_c(&outcome.params, answer);
                fill_ext_buffers(&outcome.params, answer);
                Ok(if outcome.corrected { Status::WRN_INCOMPATIBLE_VIDEO_PARAM } else { Status::ERR_NONE })
            }
            Err(status) => {
                tracing::debug!(?status, "VPP Query: parameters refused");
                // "If correction is impossible, the function zeroes the fields": the formats it
                // cannot process.
                // SAFETY: reading the `vpp` member of plain integer structures.
                let mut vpp = unsafe { requested.__bindgen_anon_1.vpp };
                for info in [&mut vpp.In, &mut vpp.Out] {
                    if FourCc::from_code(info.FourCC).is_none() {
                        info.FourCC = 0;
                    }
                }
                answer.__bindgen_anon_1.vpp = vpp;
                answer.IOPattern = requested.IOPattern;
                answer.AsyncDepth = requested.AsyncDepth;
                zero_unsupported_filters(answer);
                Err(Status::ERR_UNSUPPORTED)
            }
        }
    })
}

#[no_mangle]
pub extern "C" fn MFXVideoVPP_QueryIOSurf(
    session: mfxSession,
    par: *mut mfxVideoParam,
    request: *mut mfxFrameAllocRequest,
) -> mfxStatus {
    guard("MFXVideoVPP_QueryIOSurf", || {
        self::session(session)?;
        non_null(par)?;
        non_null(request)?;
        // SAFETY: checked non-null; the caller passes a valid structure.
        let par = unsafe { &*par };
        let params = params_from_c(par).map_err(|_| Status::ERR_INVALID_VIDEO_PARAM)?;
        let answers = Vpp::query_io_surf(&params).map_err(|e| init_status(&e))?;
        for (i, answer) in answers.iter().enumerate() {
            let mut c = mfxFrameAllocRequest::default();
            c.__bindgen_anon_1.AllocId = par.AllocId;
            frame_info_to_c(&answer.info, &mut c.Info);
            c.Type = answer.mem_type.bits();
            c.NumFrameMin = answer.num_frame_min;
            c.NumFrameSuggested = answer.num_frame_suggested;
            // SAFETY: the API passes `request[2]`.
            unsafe { request.add(i).write(c) };
        }
        Ok(Status::ERR_NONE)
    })
}

#[no_mangle]
pub extern "C" fn MFXVideoVPP_Init(session: mfxSession, par: *mut mfxVideoParam) -> mfxStatus {
    guard("MFXVideoVPP_Init", || {
        let this = self::session(session)?;
        non_null(par)?;
        // SAFETY: checked non-null; the caller passes a valid structure.
        let params = params_from_c(unsafe { &*par }).map_err(|_| Status::ERR_INVALID_VIDEO_PARAM)?;
        let mut vpp = this.rust.vpp();
        let corrected = vpp.init(&params).map_err(|e| init_status(&e))?;
        for pool in [vpp.input_pool(), vpp.output_pool()].into_iter().flatten() {
            this.track_pool(pool);
        }
        Ok(corrected.status())
    })
}

#[no_mangle]
pub extern "C" fn MFXVideoVPP_Reset(session: mfxSession, par: *mut mfxVideoParam) -> mfxStatus {
    guard("MFXVideoVPP_Reset", || {
        let this = self::session(session)?;
        non_null(par)?;
        // SAFETY: checked non-null; the caller passes a valid structure.
        let params = params_from_c(unsafe { &*par }).map_err(|_| Status::ERR_INVALID_VIDEO_PARAM)?;
        let corrected = this.rust.vpp().reset(&params).map_err(|e| init_status(&e))?;
        lock(&this.held_inputs).clear();
        Ok(corrected.status())
    })
}

#[no_mangle]
pub extern "C" fn MFXVideoVPP_Close(session: mfxSession) -> mfxStatus {
    guard("MFXVideoVPP_Close", || {
        let this = self::session(session)?;
        this.rust.vpp().close().map_err(vpp_status)?;
        lock(&this.held_inputs).clear();
        Ok(Status::ERR_NONE)
    })
}

#[no_mangle]
pub extern "C" fn MFXVideoVPP_GetVideoParam(session: mfxSession, par: *mut mfxVideoParam) -> mfxStatus {
    guard("MFXVideoVPP_GetVideoParam", || {
        let this = self::session(session)?;
        non_null(par)?;
        let params = this.rust.vpp().params().map_err(vpp_status)?;
        // SAFETY: checked non-null; the caller passes a valid structure.
        let out = unsafe { &mut *par };
        params_to_c(&params, out);
        fill_ext_buffers(&params, out);
        Ok(Status::ERR_NONE)
    })
}

#[no_mangle]
pub extern "C" fn MFXVideoVPP_GetVPPStat(session: mfxSession, stat: *mut mfxVPPStat) -> mfxStatus {
    guard("MFXVideoVPP_GetVPPStat", || {
        let this = self::session(session)?;
        non_null(stat)?;
        let stats = this.rust.vpp().stats().map_err(vpp_status)?;
        let answer = mfxVPPStat {
            NumFrame: u32::try_from(stats.frames).unwrap_or(u32::MAX),
            NumCachedFrame: u32::try_from(stats.cached).unwrap_or(u32::MAX),
            ..Default::default()
        };
        // SAFETY: checked non-null; the caller passes a valid output pointer.
        unsafe { write_out(stat, answer) }?;
        Ok(Status::ERR_NONE)
    })
}

/// A surface the application passes: a runtime surface, or its own 1.x surface.
pub(crate) enum Side {
    Runtime(&'static Shell, Surface),
    Application(*mut mfxFrameSurface1, Surface),
}

impl Side {
    pub(crate) fn surface(&self) -> &Surface {
        match self {
            Side::Runtime(_, surface) | Side::Application(_, surface) => surface,
        }
    }
}

/// Resolves a surface pointer the application passes to VPP.
///
/// # Safety
/// `surface` must be non-null and point to a valid `mfxFrameSurface1` that stays valid until the
/// operation completes.
pub(crate) unsafe fn resolve(this: &Session, surface: *mut mfxFrameSurface1) -> Outcome<Side> {
    if let Some(shell) = lookup(surface) {
        let handle = runtime_surface(shell)?;
        shell.absorb(handle.core());
        return Ok(Side::Runtime(shell, handle));
    }
    // A picture a decode or VPP is still writing into this application surface: the wrapper is
    // the writer's, and VPP's read of it waits for the writer.
    let allocator = lock(&this.allocator).clone();
    // SAFETY: per this function's contract.
    let wrapped = unsafe { crate::surface::foreign::wrap(surface, allocator) }?;
    Ok(Side::Application(surface, wrapped))
}

/// Makes the output's completion publish its metadata to C and call `OnComplete`, and refresh the
/// Locked counter a runtime input shows C.
fn install_completion(output: &Side, input: Option<&Side>, held: Vec<&'static Shell>) {
    let mut input_shells = held;
    if let Some(Side::Runtime(shell, _)) = input {
        input_shells.push(*shell);
    }
    let core = CorePtr(output.surface().core() as *const SurfaceCore);
    match output {
        Side::Runtime(shell, surface) => {
            let shell: &'static Shell = shell;
            surface.set_on_complete(Some(Arc::new(move |outcome: Result<(), vplrs_memory::OperationError>| {
                let status = crate::status::ToStatus::status(&outcome);
                // SAFETY: called by this surface's own `finish_output`: it is alive.
                let core = unsafe { core.get() };
                shell.publish(core);
                for input in &input_shells {
                    input.refresh_locked();
                }
                notify_complete(shell, status);
            })));
        }
        Side::Application(app, surface) => {
            let app = AppSurfacePtr(*app);
            surface.set_on_complete(Some(Arc::new(move |_outcome: Result<(), vplrs_memory::OperationError>| {
                for input in &input_shells {
                    input.refresh_locked();
                }
                // SAFETY: called by this surface's own `finish_output`: it is alive.
                let meta = unsafe { core.get() }.meta();
                // SAFETY: the application's surface is valid until synchronised (see AppSurfacePtr);
                // the fields are written through raw pointers, without references.
                unsafe { app.publish(&meta) };
            })));
        }
    }
}

/// Submits one frame; returns the sync point of the operation.
fn run(
    this: &Session,
    vpp: &mut Vpp,
    input: &Side,
    output: &Side,
    control: FrameControl,
) -> Outcome<vplrs_runtime::SyncPoint> {
    // The runtime surfaces VPP held from earlier calls (composition's streams, interpolation's
    // previous frame) show their Locked counters lowered when the output is done.
    let held = lock(&this.held_inputs).clone();
    if let Side::Runtime(out_shell, _) = output {
        out_shell.set_last_input(match input {
            Side::Runtime(shell, _) => Some(*shell),
            Side::Application(..) => None,
        });
        out_shell.set_held_inputs(held.clone());
    }
    install_completion(output, Some(input), held);
    let result = vpp.run_frame_async_with(Some(input.surface()), output.surface(), control);
    note_held(this, vpp);
    let sync = result.map_err(vpp_status)?;
    // The input's Locked counter is raised while VPP reads it, the output's while VPP writes it
    // (the completion lowers both).
    for side in [input, output] {
        if let Side::Runtime(shell, _) = side {
            shell.refresh_locked();
        }
    }
    Ok(sync)
}

/// Remembers the runtime surfaces VPP holds between calls now, showing their Locked counters.
fn note_held(this: &Session, vpp: &Vpp) {
    let shells: Vec<&'static Shell> =
        vpp.held_surfaces().iter().filter_map(|surface| crate::surface::shell_of(surface.core()).ok()).collect();
    for shell in &shells {
        shell.refresh_locked();
    }
    *lock(&this.held_inputs) = shells;
}

/// A draining call (no input): the frames VPP still owes (frame interpolation's last ones).
fn drain(this: &Session, vpp: &mut Vpp, output: &Side) -> Outcome<vplrs_runtime::SyncPoint> {
    let held = lock(&this.held_inputs).clone();
    if let Side::Runtime(out_shell, _) = output {
        out_shell.set_last_input(None);
        out_shell.set_held_inputs(held.clone());
    }
    install_completion(output, None, held);
    let result = vpp.run_frame_async(None, output.surface());
    note_held(this, vpp);
    let sync = result.map_err(vpp_status)?;
    if let Side::Runtime(shell, _) = output {
        shell.refresh_locked();
    }
    Ok(sync)
}

#[no_mangle]
pub extern "C" fn MFXVideoVPP_RunFrameVPPAsync(
    session: mfxSession,
    input: *mut mfxFrameSurface1,
    output: *mut mfxFrameSurface1,
    _aux: *mut mfxExtVppAuxData,
    syncp: *mut mfxSyncPoint,
) -> mfxStatus {
    guard("MFXVideoVPP_RunFrameVPPAsync", || {
        let this = self::session(session)?;
        non_null(syncp)?;
        non_null(output)?;
        let mut vpp = this.rust.vpp();
        if !vpp.is_initialized() {
            return Err(Status::ERR_NOT_INITIALIZED);
        }
        if input.is_null() {
            // Draining: only frame interpolation keeps a frame with outputs to come.
            // SAFETY: non-null; the API requires a valid surface that lives until synchronised.
            let output = unsafe { resolve(&this, output) }?;
            let sync = drain(&this, &mut vpp, &output)?;
            let handle = this.register_sync(sync);
            // SAFETY: checked non-null; the caller passes a valid output pointer.
            unsafe { write_out(syncp, handle) }?;
            return Ok(if vpp.repeats_pending() { Status::ERR_MORE_SURFACE } else { Status::ERR_NONE });
        }
        if input == output {
            let object = format!("surface {input:p}");
            crate::contract::report(Violation::SameSurfaceInOut, "MFXVideoVPP_RunFrameVPPAsync", object);
            return Err(Status::ERR_UNDEFINED_BEHAVIOR);
        }
        // SAFETY: non-null; the API requires a valid surface.
        let control = unsafe { frame_control(input) }?;
        // SAFETY: non-null; the API requires valid surfaces that live until synchronised.
        let input = unsafe { resolve(&this, input) }?;
        // SAFETY: as above.
        let output = unsafe { resolve(&this, output) }?;
        let sync = run(&this, &mut vpp, &input, &output, control)?;
        let handle = this.register_sync(sync);
        // SAFETY: checked non-null; the caller passes a valid output pointer.
        unsafe { write_out(syncp, handle) }?;
        // A higher output rate: the same input gives another frame into the next surface.
        Ok(if vpp.repeats_pending() { Status::ERR_MORE_SURFACE } else { Status::ERR_NONE })
    })
}

#[no_mangle]
pub extern "C" fn MFXVideoVPP_ProcessFrameAsync(
    session: mfxSession,
    input: *mut mfxFrameSurface1,
    output: *mut *mut mfxFrameSurface1,
) -> mfxStatus {
    guard("MFXVideoVPP_ProcessFrameAsync", || {
        let this = self::session(session)?;
        non_null(output)?;
        let mut vpp = this.rust.vpp();
        if !vpp.is_initialized() {
            return Err(Status::ERR_NOT_INITIALIZED);
        }
        if input.is_null() {
            // Draining, as RunFrameVPPAsync does, into a surface of the output pool.
            let out_surface = vpp.output_surface().map_err(vpp_status)?;
            let shell = crate::surface::shell_of(out_surface.core())?;
            let out_side = Side::Runtime(shell, out_surface.clone());
            drain(&this, &mut vpp, &out_side)?;
            drop(out_side);
            let pointer = expose(out_surface)?;
            // SAFETY: checked non-null; the caller passes a valid output pointer.
            unsafe { write_out(output, pointer) }?;
            return Ok(if vpp.repeats_pending() { Status::ERR_MORE_SURFACE } else { Status::ERR_NONE });
        }
        // SAFETY: non-null; the API requires a valid surface.
        let control = unsafe { frame_control(input) }?;
        // SAFETY: non-null; the API requires a valid surface that lives until synchronised.
        let input = unsafe { resolve(&this, input) }?;
        let out_surface = vpp.output_surface().map_err(vpp_status)?;
        let shell = crate::surface::shell_of(out_surface.core())?;
        let out_side = Side::Runtime(shell, out_surface.clone());
        // The caller synchronises on the surface; the sync point is not needed.
        let _sync = run(&this, &mut vpp, &input, &out_side, control)?;
        drop(out_side);
        let pointer = expose(out_surface)?;
        // SAFETY: checked non-null; the caller passes a valid output pointer.
        unsafe { write_out(output, pointer) }?;
        // As RunFrameVPPAsync: the same input gives another frame on the next call.
        Ok(if vpp.repeats_pending() { Status::ERR_MORE_SURFACE } else { Status::ERR_NONE })
    })
}

fn surface_for(session: mfxSession, surface: *mut *mut mfxFrameSurface1, output: bool) -> Outcome<Status> {
    let this = self::session(session)?;
    non_null(surface)?;
    let acquired = {
        let vpp = this.rust.vpp();
        if output {
            vpp.output_surface()
        } else {
            vpp.input_surface()
        }
    };
    // SAFETY: checked non-null; the caller passes a valid output pointer.
    unsafe { crate::surface::hand_out(acquired, surface) }
}

#[no_mangle]
pub extern "C" fn MFXMemory_GetSurfaceForVPP(session: mfxSession, surface: *mut *mut mfxFrameSurface1) -> mfxStatus {
    guard("MFXMemory_GetSurfaceForVPP", || surface_for(session, surface, false))
}

#[no_mangle]
pub extern "C" fn MFXMemory_GetSurfaceForVPPOut(session: mfxSession, surface: *mut *mut mfxFrameSurface1) -> mfxStatus {
    guard("MFXMemory_GetSurfaceForVPPOut", || surface_for(session, surface, true))
}
