//! `MFXVideoDECODE_*` and `MFXMemory_GetSurfaceForDecode`: the decode component through the C
//! API, for VP8 (vplrs' own decoder) and H.264, H.265, VP9, AV1 and JPEG (libavcodec; AV1 through
//! libdav1d). Any other codec answers `MFX_ERR_UNSUPPORTED`.
//!
//! # libavcodec's codecs
//!
//! - `DecodeHeader` skips the data before the first sequence header (moving `DataOffset` to the
//!   H.264/H.265 parameter set's start code or the JPEG start-of-image marker; VP9 and AV1 data is
//!   taken as starting with a frame) and reads the stream's parameters without taking any data;
//!   `MFX_ERR_MORE_DATA` when the data holds no complete first picture (the data stays, more may
//!   be appended). 8-bit 4:2:0 streams are reported as I420 unless the application asked for
//!   NV12 or YV12; 10-bit 4:2:0 (H.265 Main10, VP9 profile 2, AV1) as P010 (`Shift` 1); JPEG
//!   4:2:2 as YUY2 and 4:4:4 as AYUV, samples repacked, never resampled (other JPEG samplings:
//!   `MFX_ERR_UNSUPPORTED`).
//! - `DecodeFrameAsync` takes H.264, H.265 and JPEG bitstreams in any chunking: `DataOffset`
//!   advances and `DataLength` shrinks by the bytes the decoder's parser took (it may keep an
//!   incomplete packet). VP9 and AV1 data is one frame (temporal unit) per call, taken whole.
//!   `MFX_ERR_MORE_DATA` when all the data was taken and no picture is ready;
//!   `MFX_ERR_MORE_SURFACE` when the work surface cannot be used (the data not taken is left); a
//!   NULL bitstream drains the pictures still held, then `MFX_ERR_MORE_DATA`. Every picture
//!   handed out is complete when the call returns (its sync point is already signalled).
//! - Damaged data: a packet libavcodec refuses is skipped (counted in `NumError`); the next
//!   picture carries `Data.Corrupted` = `MFX_CORRUPTION_MAJOR`, and the pictures after it
//!   `MFX_CORRUPTION_REFERENCE_FRAME` until a key frame. Pictures libavcodec itself marks as
//!   damaged or concealed carry `MFX_CORRUPTION_MAJOR`.
//! - With a NULL work surface (2.x), or a surface from `MFXMemory_GetSurfaceForDecode`, pictures
//!   of H.264, H.265, VP9 and JPEG are decoded in place into decode pool surfaces (I420/YV12: no
//!   copy; NV12, P010, YUY2, AYUV and AV1: one counted conversion), with libavcodec's frame
//!   threads; the output may be another surface than the work surface. When the application's
//!   allocator (`SetFrameAllocator`) serves the decode pool, its mem-id surfaces are decoded into
//!   in place too (locked while libavcodec writes them), except those whose rows are not aligned
//!   as libavcodec needs (Intel's sample allocator gives I420 chroma rows of Width/2 bytes): their
//!   pictures go through libavcodec's memory and one counted copy.
//! - `DecodeFrameAsync` before `Init`, with no work surface and `mfxBitstream::CodecId` set, is
//!   the simplified initialization: the header is read and the decoder initialised with internal
//!   memory.
//! - With an application 1.x surface (plane pointers or a MemId of the session's allocator), the
//!   surface must have `Locked` == 0. In I420/YV12 libavcodec decodes in place into the
//!   application's surfaces whose planes suit it (64-byte aligned plane starts and pitches, the
//!   size QueryIOSurf asks for): it keeps its references there with `Data.Locked` raised, and the
//!   output surface may be an earlier call's work surface. Once a surface does not suit it, every
//!   later picture is copied into the work surface (one counted copy). Other formats are
//!   converted straight into the work surface (one copy, as in 2.x).
//!
//! # VP8 bitstream accounting
//!
//! The decode component takes one complete compressed frame per call. vplrs takes the
//! `DataLength` bytes at `Data + DataOffset` as exactly one VP8 frame on every call, whether or
//! not `MFX_BITSTREAM_COMPLETE_FRAME` is set (VP8 has no start codes to split a byte stream on;
//! IVF and WebM readers deliver one frame at a time). When the frame is taken, `DataOffset`
//! advances by `DataLength` and `DataLength` becomes 0; it is taken when the call returns
//! `MFX_ERR_NONE`, or `MFX_ERR_MORE_DATA` for a hidden frame or an undecodable one (skipped, as the
//! API says data before a sequence header is, and counted in `mfxDecodeStat::NumSkippedFrame`).
//! It is left in place for `MFX_ERR_MORE_SURFACE`, `MFX_WRN_DEVICE_BUSY`,
//! `MFX_WRN_ALLOC_TIMEOUT_EXPIRED` and `MFX_ERR_INCOMPATIBLE_VIDEO_PARAM` (a key frame larger than
//! the initialised surfaces: the application calls DecodeHeader, Close and Init, and retries).
//!
//! # Work surfaces
//!
//! - NULL (2.x): the picture goes into a surface of the decode pool (sized by
//!   `mfxExtAllocationHints`), returned with one reference the application releases;
//! - a runtime surface (from `MFXMemory_GetSurfaceForDecode`): the picture goes there and
//!   `surface_out` is that surface with one more reference;
//! - an application 1.x surface (plane pointers, or a MemId locked through the session's
//!   allocator): the picture goes there (VP8, converted formats) or, libavcodec in place, into
//!   this or an earlier work surface; `surface_out` is that surface, its `Data.Locked` raised
//!   while the runtime keeps it (a surface with `Locked` != 0 is refused with
//!   `MFX_ERR_MORE_SURFACE`), and `Info.Crop*`, `TimeStamp`, `FrameOrder` and `Corrupted` are
//!   written when it completes.
//!
//! The work-surface machinery of `DecodeFrameAsync` is in [`crate::decode::frames`].

pub(crate) mod frames;
pub(crate) mod params;

use crate::status::{Status, ToStatus};
use vplrs_decode::{Codec, Decode, DecodeError, SkipMode};

use crate::bindings::*;
use crate::decode::frames::{decode_one, decode_stream};
use crate::decode::params::{
    codec_of, header_to_c, is_stream_codec, mark_configurable, params_from_c, params_to_c, query, stream_header_to_c,
};
use crate::ffi::{guard, non_null, write_out, Outcome};
use crate::session::{session, Session};

pub(crate) fn status(error: &DecodeError) -> Status {
    error.status()
}

/// The codec of the initialised decoder.
pub(crate) fn running_codec(decode: &Decode) -> Option<Codec> {
    decode.params().ok().map(|params| params.codec)
}

#[no_mangle]
pub extern "C" fn MFXVideoDECODE_Query(
    session: mfxSession,
    input: *mut mfxVideoParam,
    out: *mut mfxVideoParam,
) -> mfxStatus {
    guard("MFXVideoDECODE_Query", || {
        self::session(session)?;
        non_null(out)?;
        if input.is_null() {
            // SAFETY: checked non-null; the caller passes a valid structure.
            mark_configurable(unsafe { &mut *out });
            return Ok(Status::ERR_NONE);
        }
        // SAFETY: checked non-null; the caller passes a valid structure (possibly `out` itself),
        // copied before `out` is written.
        let requested = unsafe { input.read() };
        // SAFETY: checked non-null; the caller passes a valid structure.
        let answer = query(&requested, unsafe { &mut *out });
        if answer.is_error() {
            Err(answer)
        } else {
            Ok(answer)
        }
    })
}

/// The bytes of a bitstream: `DataLength` bytes at `Data + DataOffset`. Data that does not lie
/// inside the buffer (`DataOffset + DataLength > MaxLength`) is the application's error:
/// `MFX_ERR_UNDEFINED_BEHAVIOR`, as Intel's runtimes answer, and nothing is read.
///
/// # Safety
/// `bs` must be a valid `mfxBitstream` whose buffer holds `MaxLength` bytes, valid for `'a`.
pub(crate) unsafe fn bitstream_data<'a>(bs: &mfxBitstream) -> Outcome<&'a [u8]> {
    if u64::from(bs.DataOffset) + u64::from(bs.DataLength) > u64::from(bs.MaxLength) {
        let object = format!(
            "mfxBitstream (DataOffset {}, DataLength {}, MaxLength {})",
            bs.DataOffset, bs.DataLength, bs.MaxLength
        );
        crate::contract::report_here(crate::contract::Violation::BitstreamOutOfBounds, object);
        return Err(Status::ERR_UNDEFINED_BEHAVIOR);
    }
    if bs.DataLength == 0 {
        return Ok(&[]);
    }
    non_null(bs.Data)?;
    // SAFETY: per the contract, the application's buffer holds DataOffset + DataLength bytes.
    Ok(unsafe { std::slice::from_raw_parts(bs.Data.add(bs.DataOffset as usize), bs.DataLength as usize) })
}

#[no_mangle]
pub extern "C" fn MFXVideoDECODE_DecodeHeader(
    session: mfxSession,
    bs: *mut mfxBitstream,
    par: *mut mfxVideoParam,
) -> mfxStatus {
    guard("MFXVideoDECODE_DecodeHeader", || {
        let this = self::session(session)?;
        non_null(bs)?;
        non_null(par)?;
        // SAFETY: checked non-null; the caller passes a valid structure.
        let par = unsafe { &mut *par };
        let codec = codec_of(par).ok_or(Status::ERR_UNSUPPORTED)?;
        let decode = this.rust.decode();
        // SAFETY: checked non-null; the caller passes a valid bitstream.
        header(codec, unsafe { &mut *bs }, par, &decode)
    })
}

/// `DecodeHeader` for a codec vplrs decodes: the data before the first sequence header is
/// skipped; the header's own data stays for `DecodeFrameAsync`.
fn header(codec: Codec, bs: &mut mfxBitstream, par: &mut mfxVideoParam, decode: &Decode) -> Outcome<Status> {
    // SAFETY: the bitstream's buffer holds its data, per the API.
    let data = unsafe { bitstream_data(bs) }?;
    let scan = decode.scan_header(codec, data);
    advance(bs, scan.skipped);
    let params = scan.params.map_err(|error| status(&error))?;
    if is_stream_codec(codec) {
        stream_header_to_c(&params, params.profile, params.level, par);
    } else {
        header_to_c(&params, params.profile, par);
    }
    Ok(Status::ERR_NONE)
}

/// The simplified decode initialization of API 2.x: a `DecodeFrameAsync` before `Init`, with
/// no work surface and the bitstream's `CodecId` set, reads the stream's header and initialises
/// the decoder with internal memory (the output format `DecodeHeader` reports). Without a
/// `CodecId` the call answers `MFX_ERR_NOT_INITIALIZED`.
fn simplified_init(this: &Session, decode: &mut Decode, bs: *mut mfxBitstream, work: bool) -> Outcome {
    // SAFETY: a non-null bitstream is valid, per the API.
    let Some(bs) = (unsafe { bs.as_mut() }) else { return Err(Status::ERR_NOT_INITIALIZED) };
    // SAFETY: the union's members are plain fields; CodecId is read as an integer.
    let codec_id = unsafe { bs.__bindgen_anon_1.__bindgen_anon_1.CodecId };
    if codec_id == 0 || work {
        return Err(Status::ERR_NOT_INITIALIZED);
    }
    let mut par = mfxVideoParam::default();
    let mut mfx = crate::decode::params::mfx(&par);
    mfx.CodecId = codec_id;
    par.__bindgen_anon_1.mfx = mfx;
    par.IOPattern = MFX_IOPATTERN_OUT_SYSTEM_MEMORY as u16;
    let codec = codec_of(&par).ok_or(Status::ERR_UNSUPPORTED)?;
    header(codec, bs, &mut par, decode)?;
    tracing::debug!(codec = ?codec, "simplified decode initialization");
    init(this, decode, &par)
}

/// Moves `count` bytes of the bitstream's data to the taken side.
pub(crate) fn advance(bs: &mut mfxBitstream, count: usize) {
    let count = u32::try_from(count).unwrap_or(u32::MAX).min(bs.DataLength);
    bs.DataOffset = bs.DataOffset.saturating_add(count);
    bs.DataLength -= count;
}

#[no_mangle]
pub extern "C" fn MFXVideoDECODE_QueryIOSurf(
    session: mfxSession,
    par: *mut mfxVideoParam,
    request: *mut mfxFrameAllocRequest,
) -> mfxStatus {
    guard("MFXVideoDECODE_QueryIOSurf", || {
        self::session(session)?;
        non_null(par)?;
        non_null(request)?;
        // SAFETY: checked non-null; the caller passes a valid structure.
        let par = unsafe { &*par };
        let params = params_from_c(par)?;
        let answer = Decode::query_io_surf(&params).map_err(|e| match e {
            DecodeError::Unsupported(_) => Status::ERR_INVALID_VIDEO_PARAM,
            other => status(&other),
        })?;
        let mut c = mfxFrameAllocRequest::default();
        c.__bindgen_anon_1.AllocId = par.AllocId;
        c.Info = crate::decode::params::mfx(par).FrameInfo;
        crate::fields::frame_info_to_c(&answer.info, &mut c.Info);
        c.Type = answer.mem_type.bits();
        c.NumFrameMin = answer.num_frame_min;
        c.NumFrameSuggested = answer.num_frame_suggested;
        // SAFETY: checked non-null; the caller passes a valid output structure.
        unsafe { write_out(request, c) }?;
        Ok(Status::ERR_NONE)
    })
}

fn init_status(error: DecodeError) -> Status {
    match error {
        DecodeError::Unsupported(_) | DecodeError::InvalidParams(_) => Status::ERR_INVALID_VIDEO_PARAM,
        other => status(&other),
    }
}

fn init(this: &Session, decode: &mut Decode, par: &mfxVideoParam) -> Outcome {
    let params = params_from_c(par)?;
    decode.init(&params).map_err(init_status)?;
    if let Ok(pool) = decode.pool() {
        this.track_pool(pool);
    }
    Ok(())
}

#[no_mangle]
pub extern "C" fn MFXVideoDECODE_Init(session: mfxSession, par: *mut mfxVideoParam) -> mfxStatus {
    guard("MFXVideoDECODE_Init", || {
        let this = self::session(session)?;
        non_null(par)?;
        // SAFETY: checked non-null; the caller passes a valid structure.
        let par = unsafe { &*par };
        init(&this, &mut this.rust.decode(), par)?;
        Ok(Status::ERR_NONE)
    })
}

/// `Reset`: the decoder restarts (the next frame must be a key frame) with parameters that fit the
/// surfaces of Init; larger pictures or another format need Close and Init.
#[no_mangle]
pub extern "C" fn MFXVideoDECODE_Reset(session: mfxSession, par: *mut mfxVideoParam) -> mfxStatus {
    guard("MFXVideoDECODE_Reset", || {
        let this = self::session(session)?;
        non_null(par)?;
        let mut decode = this.rust.decode();
        decode.params().map_err(|e| status(&e))?;
        // SAFETY: checked non-null; the caller passes a valid structure.
        let params = params_from_c(unsafe { &*par }).map_err(|_| Status::ERR_INVALID_VIDEO_PARAM)?;
        decode.reset(&params).map_err(init_status)?;
        if let Ok(pool) = decode.pool() {
            this.track_pool(pool);
        }
        Ok(Status::ERR_NONE)
    })
}

#[no_mangle]
pub extern "C" fn MFXVideoDECODE_Close(session: mfxSession) -> mfxStatus {
    guard("MFXVideoDECODE_Close", || {
        let this = self::session(session)?;
        let mut decode = this.rust.decode();
        if let Ok(stats) = decode.stats() {
            if stats.copies > 0 {
                tracing::info!(copies = stats.copies, shown = stats.shown, "pictures copied");
            }
        }
        decode.close().map_err(|e| status(&e))?;
        Ok(Status::ERR_NONE)
    })
}

#[no_mangle]
pub extern "C" fn MFXVideoDECODE_GetVideoParam(session: mfxSession, par: *mut mfxVideoParam) -> mfxStatus {
    guard("MFXVideoDECODE_GetVideoParam", || {
        let this = self::session(session)?;
        non_null(par)?;
        let params = this.rust.decode().params().map_err(|e| status(&e))?;
        // SAFETY: checked non-null; the caller passes a valid structure.
        params_to_c(&params, params.profile, unsafe { &mut *par });
        Ok(Status::ERR_NONE)
    })
}

#[no_mangle]
pub extern "C" fn MFXVideoDECODE_GetDecodeStat(session: mfxSession, stat: *mut mfxDecodeStat) -> mfxStatus {
    guard("MFXVideoDECODE_GetDecodeStat", || {
        let this = self::session(session)?;
        non_null(stat)?;
        let stats = this.rust.decode().stats().map_err(|e| status(&e))?;
        let clamp = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
        let answer = mfxDecodeStat {
            NumFrame: clamp(stats.decoded),
            NumSkippedFrame: clamp(stats.skipped),
            NumError: clamp(stats.errors + stats.skipped),
            // Nothing is cached: every accepted frame is decoded in submission order.
            NumCachedFrame: 0,
            ..Default::default()
        };
        // SAFETY: checked non-null; the caller passes a valid output pointer.
        unsafe { write_out(stat, answer) }?;
        Ok(Status::ERR_NONE)
    })
}

/// `SetSkipMode`: `MFX_SKIPMODE_NOSKIP` decodes everything again (`MFX_ERR_NONE`); `MORE` and
/// `LESS` step the skip level up or down — for H.264, H.265 and VP9: the loop filter of
/// non-reference pictures, of all pictures, then B-pictures dropped, then every non-reference
/// picture — and answer `MFX_WRN_VALUE_NOT_CHANGED` at the end of that range (VP8, AV1 and JPEG
/// have a single level, which is both ends). Any other value is `MFX_ERR_UNSUPPORTED`. `Init` and
/// `Reset` start at level 0.
#[no_mangle]
pub extern "C" fn MFXVideoDECODE_SetSkipMode(session: mfxSession, mode: mfxSkipMode) -> mfxStatus {
    guard("MFXVideoDECODE_SetSkipMode", || {
        let this = self::session(session)?;
        let mode = match mode {
            MFX_SKIPMODE_NOSKIP => SkipMode::NoSkip,
            MFX_SKIPMODE_MORE => SkipMode::More,
            MFX_SKIPMODE_LESS => SkipMode::Less,
            _ => {
                this.rust.decode().params().map_err(|e| status(&e))?;
                return Err(Status::ERR_UNSUPPORTED);
            }
        };
        let level = this.rust.decode().set_skip_mode(mode).map_err(|e| status(&e))?;
        Ok(if level.changed { Status::ERR_NONE } else { Status::WRN_VALUE_NOT_CHANGED })
    })
}

/// vplrs delivers no user data or SEI (VP8 has none; libavcodec's H.264/H.265 SEI are not passed
/// on): "no payload available", `payload->NumBit = 0`.
#[no_mangle]
pub extern "C" fn MFXVideoDECODE_GetPayload(
    session: mfxSession,
    ts: *mut mfxU64,
    payload: *mut mfxPayload,
) -> mfxStatus {
    guard("MFXVideoDECODE_GetPayload", || {
        let this = self::session(session)?;
        non_null(ts)?;
        non_null(payload)?;
        if !this.rust.decode().is_initialized() {
            return Err(Status::ERR_NOT_INITIALIZED);
        }
        // SAFETY: checked non-null; the caller passes valid structures. Fields written in place.
        unsafe {
            (&raw mut (*payload).NumBit).write(0);
            ts.write(0);
        }
        Ok(Status::ERR_NONE)
    })
}

#[no_mangle]
pub extern "C" fn MFXVideoDECODE_DecodeFrameAsync(
    session: mfxSession,
    bs: *mut mfxBitstream,
    surface_work: *mut mfxFrameSurface1,
    surface_out: *mut *mut mfxFrameSurface1,
    syncp: *mut mfxSyncPoint,
) -> mfxStatus {
    guard("MFXVideoDECODE_DecodeFrameAsync", || {
        let this = self::session(session)?;
        non_null(surface_out)?;
        non_null(syncp)?;
        // SAFETY: checked non-null; the caller passes valid output pointers.
        unsafe {
            surface_out.write(std::ptr::null_mut());
        }
        let mut decode = this.rust.decode();
        if !decode.is_initialized() {
            simplified_init(&this, &mut decode, bs, !surface_work.is_null())?;
        }
        if running_codec(&decode).is_some_and(is_stream_codec) {
            // SAFETY: a non-null bitstream is valid, per the API.
            let bs = unsafe { bs.as_mut() };
            let (pointer, sync) = decode_stream(&this, &mut decode, bs, surface_work)?;
            let handle = this.register_sync(sync);
            // SAFETY: checked non-null; the caller passes valid output pointers.
            unsafe {
                surface_out.write(pointer);
                syncp.write(handle);
            }
            // A new sequence that still fits the surfaces: the picture comes with the warning.
            let changed = decode.take_params_changed();
            return Ok(if changed { Status::WRN_VIDEO_PARAM_CHANGED } else { Status::ERR_NONE });
        }
        if bs.is_null() {
            // Draining: nothing is cached.
            let drained = decode.decode_frame_async(None, None, 0).err().unwrap_or(DecodeError::MoreData);
            return Err(status(&drained));
        }
        // SAFETY: checked non-null; the caller passes a valid bitstream.
        let bs = unsafe { &mut *bs };
        // SAFETY: the bitstream's buffer holds its data, per the API.
        let data = unsafe { bitstream_data(bs) }?;
        if data.is_empty() {
            return Err(Status::ERR_MORE_DATA);
        }
        let (outcome, consumed) = decode_one(&this, &mut decode, data, bs.TimeStamp, surface_work);
        advance(bs, consumed);
        let (pointer, sync) = outcome?;
        let handle = this.register_sync(sync);
        // SAFETY: checked non-null; the caller passes valid output pointers.
        unsafe {
            surface_out.write(pointer);
            syncp.write(handle);
        }
        Ok(Status::ERR_NONE)
    })
}

#[no_mangle]
pub extern "C" fn MFXMemory_GetSurfaceForDecode(session: mfxSession, surface: *mut *mut mfxFrameSurface1) -> mfxStatus {
    guard("MFXMemory_GetSurfaceForDecode", || {
        let this = self::session(session)?;
        non_null(surface)?;
        let acquired = this.rust.decode().surface();
        // SAFETY: checked non-null; the caller passes a valid output pointer.
        unsafe { crate::surface::hand_out(acquired, surface) }
    })
}
