//! `MFXVideoENCODE_*` and `MFXMemory_GetSurfaceForEncode`: the encode component through the C API.
//!
//! Input surfaces are runtime surfaces (from `MFXMemory_GetSurfaceForEncode`, or any other runtime
//! pool) or the application's 1.x surfaces (pointers, or MemIds locked through its allocator). The
//! compressed picture is appended to the application's `mfxBitstream` at `DataOffset +
//! DataLength`; when it only fits once the bytes before `DataOffset` are reclaimed, the data is
//! moved to the start first.

pub(crate) mod description;
pub(crate) mod params;

use crate::status::{Status, ToStatus};
use vplrs_encode::{query, query_io_surf, EncodeError, EncodedFrame, FrameControl};

use crate::bindings::*;
use crate::encode::params::{mark_configurable, params_from_c, params_to_c};
use crate::ffi::{guard, non_null, write_out, Outcome};
use crate::fields::frame_info_to_c;
use crate::session::session;
use crate::vpp::{resolve, Side};

fn encode_status(error: EncodeError) -> Status {
    tracing::debug!(%error, "encode");
    error.status()
}

/// Status of an encode error for calls documenting `MFX_ERR_INVALID_VIDEO_PARAM` for parameters
/// they cannot use.
fn init_status(error: &EncodeError) -> Status {
    tracing::debug!(%error, "encode parameters");
    match error {
        EncodeError::Unsupported(_) => Status::ERR_INVALID_VIDEO_PARAM,
        other => other.status(),
    }
}

#[no_mangle]
pub extern "C" fn MFXVideoENCODE_Query(
    session: mfxSession,
    input: *mut mfxVideoParam,
    out: *mut mfxVideoParam,
) -> mfxStatus {
    guard("MFXVideoENCODE_Query", || {
        self::session(session)?;
        non_null(out)?;
        if input.is_null() {
            // SAFETY: checked non-null; the caller passes a valid structure.
            mark_configurable(unsafe { &mut *out });
            return Ok(Status::ERR_NONE);
        }
        // SAFETY: checked non-null; the caller passes a valid structure (possibly `out` itself).
        let requested = unsafe { input.read() };
        let outcome = params_from_c(&requested).and_then(|params| query(&params).map_err(encode_status));
        // SAFETY: checked non-null; the caller passes a valid structure.
        let answer = unsafe { &mut *out };
        match outcome {
            Ok(outcome) => {
                params_to_c(&outcome.params, answer);
                Ok(if outcome.corrected { Status::WRN_INCOMPATIBLE_VIDEO_PARAM } else { Status::ERR_NONE })
            }
            Err(status) => {
                // "If correction is impossible, the function zeroes the fields": the codec or the
                // format it cannot encode.
                let mut info = crate::decode::params::mfx(&requested);
                if vplrs_encode::EncodeCodec::from_code(info.CodecId).is_none() {
                    info.CodecId = 0;
                }
                answer.__bindgen_anon_1.mfx = info;
                answer.IOPattern = requested.IOPattern;
                answer.AsyncDepth = requested.AsyncDepth;
                Err(if status == Status::ERR_INVALID_VIDEO_PARAM { Status::ERR_UNSUPPORTED } else { status })
            }
        }
    })
}

#[no_mangle]
pub extern "C" fn MFXVideoENCODE_QueryIOSurf(
    session: mfxSession,
    par: *mut mfxVideoParam,
    request: *mut mfxFrameAllocRequest,
) -> mfxStatus {
    guard("MFXVideoENCODE_QueryIOSurf", || {
        self::session(session)?;
        non_null(par)?;
        non_null(request)?;
        // SAFETY: checked non-null; the caller passes a valid structure.
        let par = unsafe { &*par };
        let params = params_from_c(par).map_err(|_| Status::ERR_INVALID_VIDEO_PARAM)?;
        let answer = query_io_surf(&params).map_err(|e| init_status(&e))?;
        let mut c = mfxFrameAllocRequest::default();
        c.__bindgen_anon_1.AllocId = par.AllocId;
        frame_info_to_c(&answer.info, &mut c.Info);
        c.Type = answer.mem_type.bits();
        c.NumFrameMin = answer.num_frame_min;
        c.NumFrameSuggested = answer.num_frame_suggested;
        // SAFETY: checked non-null; the caller passes a valid output structure.
        unsafe { write_out(request, c) }?;
        Ok(Status::ERR_NONE)
    })
}

#[no_mangle]
pub extern "C" fn MFXVideoENCODE_Init(session: mfxSession, par: *mut mfxVideoParam) -> mfxStatus {
    guard("MFXVideoENCODE_Init", || {
        let this = self::session(session)?;
        non_null(par)?;
        // SAFETY: checked non-null; the caller passes a valid structure.
        let params = params_from_c(unsafe { &*par }).map_err(|_| Status::ERR_INVALID_VIDEO_PARAM)?;
        let mut encode = this.rust.encode();
        let corrected = encode.init(&params).map_err(|e| init_status(&e))?;
        if let Ok(pool) = encode.pool() {
            this.track_pool(pool);
        }
        Ok(corrected.status())
    })
}

#[no_mangle]
pub extern "C" fn MFXVideoENCODE_Reset(session: mfxSession, par: *mut mfxVideoParam) -> mfxStatus {
    guard("MFXVideoENCODE_Reset", || {
        let this = self::session(session)?;
        non_null(par)?;
        // SAFETY: checked non-null; the caller passes a valid structure.
        let params = params_from_c(unsafe { &*par }).map_err(|_| Status::ERR_INVALID_VIDEO_PARAM)?;
        let corrected = this.rust.encode().reset(&params).map_err(|e| init_status(&e))?;
        Ok(corrected.status())
    })
}

#[no_mangle]
pub extern "C" fn MFXVideoENCODE_Close(session: mfxSession) -> mfxStatus {
    guard("MFXVideoENCODE_Close", || {
        let this = self::session(session)?;
        this.rust.encode().close().map_err(encode_status)?;
        Ok(Status::ERR_NONE)
    })
}

#[no_mangle]
pub extern "C" fn MFXVideoENCODE_GetVideoParam(session: mfxSession, par: *mut mfxVideoParam) -> mfxStatus {
    guard("MFXVideoENCODE_GetVideoParam", || {
        let this = self::session(session)?;
        non_null(par)?;
        let encode = this.rust.encode();
        let params = encode.params().map_err(encode_status)?;
        // SAFETY: checked non-null; the caller passes a valid structure.
        let out = unsafe { &mut *par };
        params_to_c(&params, out);
        fill_parameter_sets(&encode, out)?;
        Ok(Status::ERR_NONE)
    })
}

#[no_mangle]
pub extern "C" fn MFXVideoENCODE_GetEncodeStat(session: mfxSession, stat: *mut mfxEncodeStat) -> mfxStatus {
    guard("MFXVideoENCODE_GetEncodeStat", || {
        let this = self::session(session)?;
        non_null(stat)?;
        let stats = this.rust.encode().stats().map_err(encode_status)?;
        let answer = mfxEncodeStat {
            NumFrame: u32::try_from(stats.frames_out).unwrap_or(u32::MAX),
            NumBit: stats.bytes_out.saturating_mul(8),
            NumCachedFrame: u32::try_from(stats.cached()).unwrap_or(u32::MAX),
            ..Default::default()
        };
        // SAFETY: checked non-null; the caller passes a valid output pointer.
        unsafe { write_out(stat, answer) }?;
        Ok(Status::ERR_NONE)
    })
}

/// Copies `set` into an application buffer of `capacity` bytes; returns the size written.
///
/// # Safety
/// `buffer` must be NULL or writable for `capacity` bytes.
unsafe fn copy_set(set: &[u8], buffer: *mut u8, capacity: u16) -> Outcome<u16> {
    if buffer.is_null() {
        return Err(Status::ERR_NULL_PTR);
    }
    if set.len() > usize::from(capacity) {
        return Err(Status::ERR_NOT_ENOUGH_BUFFER);
    }
    // SAFETY: `buffer` holds `capacity` >= `set.len()` bytes (caller's contract).
    unsafe { std::ptr::copy_nonoverlapping(set.as_ptr(), buffer, set.len()) };
    Ok(set.len() as u16)
}

/// Fills the `mfxExtCodingOptionSPSPPS` / `mfxExtCodingOptionVPS` buffers attached to
/// GetVideoParam's output with the parameter sets the stream starts with (Annex B, with start
/// codes). A buffer too small for its set is `MFX_ERR_NOT_ENOUGH_BUFFER`.
fn fill_parameter_sets(encode: &vplrs_encode::Encode, out: &mfxVideoParam) -> Outcome {
    let buffers = crate::ext::ext_buffers(out)?;
    let wanted = |id: u32, size: usize| {
        buffers.iter().copied().find(|&buffer| {
            // SAFETY: the API requires every attached buffer pointer to be valid (or NULL).
            unsafe { buffer.as_ref() }.is_some_and(|h| h.BufferId == id && h.BufferSz as usize >= size)
        })
    };
    let spspps = wanted(MFX_EXTBUFF_CODING_OPTION_SPSPPS, std::mem::size_of::<mfxExtCodingOptionSPSPPS>());
    let vps = wanted(MFX_EXTBUFF_CODING_OPTION_VPS, std::mem::size_of::<mfxExtCodingOptionVPS>());
    if spspps.is_none() && vps.is_none() {
        return Ok(());
    }
    let sets = encode.parameter_sets().map_err(|error| {
        tracing::debug!(%error, "no parameter sets");
        Status::ERR_UNSUPPORTED
    })?;
    if let Some(buffer) = spspps {
        let c = buffer.cast::<mfxExtCodingOptionSPSPPS>();
        // SAFETY: the header says this is an mfxExtCodingOptionSPSPPS of full size; its buffers
        // hold the sizes the application wrote (the API's contract).
        unsafe {
            (*c).SPSBufSize = copy_set(&sets.sps, (*c).SPSBuffer, (*c).SPSBufSize)?;
            (*c).PPSBufSize = copy_set(&sets.pps, (*c).PPSBuffer, (*c).PPSBufSize)?;
            (*c).SPSId = 0;
            (*c).PPSId = 0;
        }
    }
    if let (Some(buffer), false) = (vps, sets.vps.is_empty()) {
        let c = buffer.cast::<mfxExtCodingOptionVPS>();
        // SAFETY: as above, for an mfxExtCodingOptionVPS.
        unsafe {
            let target = (*c).__bindgen_anon_1.VPSBuffer;
            (*c).VPSBufSize = copy_set(&sets.vps, target, (*c).VPSBufSize)?;
            (*c).VPSId = 0;
        }
    }
    Ok(())
}

/// The application's bitstream, checked: where the data is and how much room is left.
struct Sink {
    bs: *mut mfxBitstream,
    offset: usize,
    length: usize,
    capacity: usize,
}

impl Sink {
    /// # Safety
    /// `bs` must be non-null and point to a valid `mfxBitstream`.
    unsafe fn new(bs: *mut mfxBitstream) -> Outcome<Self> {
        // SAFETY: per the contract; read by value.
        let c = unsafe { bs.read() };
        if c.Data.is_null() {
            return Err(Status::ERR_NULL_PTR);
        }
        let (offset, length, capacity) = (c.DataOffset as usize, c.DataLength as usize, c.MaxLength as usize);
        if offset.checked_add(length).is_none_or(|end| end > capacity) {
            return Err(Status::ERR_UNDEFINED_BEHAVIOR);
        }
        Ok(Self { bs, offset, length, capacity })
    }

    /// Room for a new picture once the bytes before the data are reclaimed.
    fn room(&self) -> usize {
        self.capacity - self.length
    }

    /// Appends a picture (which fits: [`Self::room`]) and its metadata.
    fn append(&self, frame: &EncodedFrame) {
        // SAFETY: `bs` is valid (constructor's contract) and `Data` holds `MaxLength` bytes (the
        // API's contract for a bitstream); every range below stays within them.
        unsafe {
            let data = (*self.bs).Data;
            let mut offset = self.offset;
            if offset + self.length + frame.data.len() > self.capacity {
                std::ptr::copy(data.add(offset), data, self.length);
                offset = 0;
            }
            std::ptr::copy_nonoverlapping(frame.data.as_ptr(), data.add(offset + self.length), frame.data.len());
            (*self.bs).DataOffset = offset as u32;
            (*self.bs).DataLength = (self.length + frame.data.len()) as u32;
            (*self.bs).TimeStamp = frame.timestamp;
            (*self.bs).DecodeTimeStamp = frame.decode_timestamp;
            (*self.bs).FrameType = frame.frame_type.bits();
            (*self.bs).PicStruct = MFX_PICSTRUCT_PROGRESSIVE as u16;
        }
    }
}

fn frame_control(ctrl: *const mfxEncodeCtrl) -> FrameControl {
    // SAFETY: the control is optional; when given, the API requires a valid structure.
    let frame_type = unsafe { ctrl.as_ref() }.map_or(0, |ctrl| u32::from(ctrl.FrameType));
    FrameControl { force_key: frame_type & (MFX_FRAMETYPE_I | MFX_FRAMETYPE_IDR) != 0 }
}

#[no_mangle]
pub extern "C" fn MFXVideoENCODE_EncodeFrameAsync(
    session: mfxSession,
    ctrl: *mut mfxEncodeCtrl,
    surface: *mut mfxFrameSurface1,
    bs: *mut mfxBitstream,
    syncp: *mut mfxSyncPoint,
) -> mfxStatus {
    guard("MFXVideoENCODE_EncodeFrameAsync", || {
        let this = self::session(session)?;
        non_null(bs)?;
        non_null(syncp)?;
        let mut encode = this.rust.encode();
        if !encode.is_initialized() {
            return Err(Status::ERR_NOT_INITIALIZED);
        }
        // SAFETY: checked non-null; the API requires a valid bitstream.
        let sink = unsafe { Sink::new(bs) }?;
        let input = if surface.is_null() {
            None
        } else {
            // SAFETY: non-null; the API requires a valid surface that lives until synchronised.
            Some(unsafe { resolve(&this, surface) }?)
        };
        let result = encode.encode_frame_async(input.as_ref().map(Side::surface), frame_control(ctrl), sink.room());
        if let Some(Side::Runtime(shell, _)) = &input {
            shell.refresh_locked();
        }
        let frame = result.map_err(encode_status)?;
        sink.append(&frame);
        let handle = this.register_sync(frame.sync.clone());
        encode.recycle(frame.data);
        // SAFETY: checked non-null; the caller passes a valid output pointer.
        unsafe { write_out(syncp, handle) }?;
        Ok(Status::ERR_NONE)
    })
}

#[no_mangle]
pub extern "C" fn MFXMemory_GetSurfaceForEncode(session: mfxSession, surface: *mut *mut mfxFrameSurface1) -> mfxStatus {
    guard("MFXMemory_GetSurfaceForEncode", || {
        let this = self::session(session)?;
        non_null(surface)?;
        let acquired = this.rust.encode().surface();
        // SAFETY: checked non-null; the caller passes a valid output pointer.
        unsafe { crate::surface::hand_out(acquired, surface) }
    })
}
