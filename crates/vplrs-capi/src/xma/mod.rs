//! The `vplrs_vp8_*` exports: the VP8 decoder's XMA interface (external memory allocation) in C,
//! modelled on libvpx's `vpx_codec_*` XMA functions. Declared, with every return code, in
//! `include/vplrs_xma.h`.
//!
//! The application owns every segment's memory: its base pointer is wrapped as an [`XmaMemory`]
//! ([`CSegment`]) and the decoder checks every rule when the segment is set. On destroy the decoder
//! hands each segment back, in reverse order of setting, and the application's `dtor` is called
//! with the map as it was set. A segment the decoder refuses stays the application's (its dtor is
//! not called).
//!
//! Decoder handles are keys into a registry, never dereferenced: a handle that is not (or no
//! longer) a decoder answers `VPLRS_CODEC_INVALID_PARAM`.

pub(crate) mod codes;

use std::collections::HashMap;
use std::ffi::{c_char, c_int, c_uint, c_void};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, LazyLock, Mutex};

use vplrs_vp8::{Decoder, MemMapCursor, Segment, SegmentId, StreamInfo, XmaMemory};

use crate::ffi::lock;
use crate::xma::codes::CodecErr;

/// `vplrs_vp8_stream_info_t`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct StreamInfoC {
    /// `sizeof(vplrs_vp8_stream_info_t)`, set by the application.
    pub sz: c_uint,
    pub w: c_uint,
    pub h: c_uint,
    pub is_kf: c_uint,
}

/// `vplrs_codec_mmap_t`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct MmapC {
    pub id: c_uint,
    pub sz: usize,
    pub align: c_uint,
    pub flags: c_uint,
    pub base: *mut c_void,
    pub dtor: Option<unsafe extern "C" fn(map: *mut MmapC)>,
    pub priv_: *mut c_void,
}

/// `vplrs_vp8_image_t`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ImageC {
    pub d_w: c_uint,
    pub d_h: c_uint,
    pub planes: [*const u8; 3],
    pub stride: [c_int; 3],
    pub is_kf: c_uint,
}

/// Opaque `vplrs_vp8_decoder_t`.
pub struct DecoderHandle {
    _private: [u8; 0],
}

/// One XMA decoder and whether its last decode call showed a frame.
struct XmaDecoder {
    decoder: Decoder,
    shown: bool,
}

static DECODERS: LazyLock<Mutex<HashMap<usize, Arc<Mutex<XmaDecoder>>>>> = LazyLock::new(Mutex::default);

fn decoder(handle: *mut DecoderHandle) -> Result<Arc<Mutex<XmaDecoder>>, CodecErr> {
    if handle.is_null() {
        return Err(CodecErr::INVALID_PARAM);
    }
    lock(&DECODERS).get(&(handle as usize)).cloned().ok_or(CodecErr::INVALID_PARAM)
}

/// Runs `body`; a panic becomes `VPLRS_CODEC_ERROR`.
fn shim(name: &'static str, body: impl FnOnce() -> Result<(), CodecErr>) -> CodecErr {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => CodecErr::OK,
        Ok(Err(code)) => code,
        Err(_) => {
            tracing::error!(function = name, "panic caught at the C boundary");
            CodecErr::ERROR
        }
    }
}

/// An application's segment: `len` bytes at `base`, owned by the application.
struct CSegment {
    base: *mut u8,
    len: usize,
}

// SAFETY: the application hands the memory to the decoder for the decoder's life and promises not
// to touch it meanwhile; the decoder may be used from any thread.
unsafe impl Send for CSegment {}

impl XmaMemory for CSegment {
    fn as_slice(&self) -> &[u8] {
        // SAFETY: `base` is non-null (checked when made) and the application promised `len`
        // readable and writable bytes there that outlive the decoder and that it does not access
        // while the decoder holds them (vplrs_vp8_set_mem_map's contract).
        unsafe { std::slice::from_raw_parts(self.base, self.len) }
    }

    fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: as in `as_slice`; `&mut self` makes this the only view the decoder holds.
        unsafe { std::slice::from_raw_parts_mut(self.base, self.len) }
    }
}

/// The map as the application set it, for its dtor.
struct SavedMap(MmapC);
// SAFETY: the pointers in it are the application's, only passed back to its dtor.
unsafe impl Send for SavedMap {}

impl SavedMap {
    /// Calls the application's dtor once, with (a copy of) the map it set.
    fn call_dtor(self) {
        let mut map = self.0;
        if let Some(dtor) = map.dtor {
            // SAFETY: the application's destructor, called once with the map it set.
            unsafe { dtor(&mut map) };
        }
    }
}

#[no_mangle]
pub extern "C" fn vplrs_codec_err_to_string(err: c_int) -> *const c_char {
    CodecErr(err).as_c_str()
}

fn check_sz(sz: c_uint) -> Result<(), CodecErr> {
    if (sz as usize) < std::mem::size_of::<StreamInfoC>() {
        return Err(CodecErr::ABI_MISMATCH);
    }
    Ok(())
}

#[no_mangle]
pub extern "C" fn vplrs_vp8_peek_stream_info(data: *const u8, data_sz: usize, si: *mut StreamInfoC) -> CodecErr {
    shim("vplrs_vp8_peek_stream_info", || {
        // SAFETY: NULL or the application's valid structure.
        let out = unsafe { si.as_mut() }.ok_or(CodecErr::INVALID_PARAM)?;
        check_sz(out.sz)?;
        if data_sz == 0 {
            return Err(CodecErr::EMPTY_INPUT);
        }
        if data.is_null() || data_sz > isize::MAX as usize {
            return Err(CodecErr::INVALID_PARAM);
        }
        // SAFETY: non-null; the application passes `data_sz` readable bytes.
        let bytes = unsafe { std::slice::from_raw_parts(data, data_sz) };
        let info = vplrs_vp8::peek_stream_info(bytes)?;
        out.w = info.width;
        out.h = info.height;
        out.is_kf = c_uint::from(info.is_keyframe);
        Ok(())
    })
}

#[no_mangle]
pub extern "C" fn vplrs_vp8_xma_init(dec: *mut *mut DecoderHandle, max: *const StreamInfoC) -> CodecErr {
    shim("vplrs_vp8_xma_init", || {
        if dec.is_null() {
            return Err(CodecErr::INVALID_PARAM);
        }
        // SAFETY: NULL or the application's valid structure.
        let max = unsafe { max.as_ref() }.ok_or(CodecErr::INVALID_PARAM)?;
        check_sz(max.sz)?;
        let decoder = Decoder::new_xma(&StreamInfo::with_max_size(max.w, max.h))?;
        let entry = Arc::new(Mutex::new(XmaDecoder { decoder, shown: false }));
        let key = Arc::as_ptr(&entry) as usize;
        lock(&DECODERS).insert(key, entry);
        // SAFETY: checked non-null; the application passes a valid output pointer.
        unsafe { dec.write(key as *mut DecoderHandle) };
        Ok(())
    })
}

#[no_mangle]
pub extern "C" fn vplrs_vp8_get_mem_map(
    dec: *mut DecoderHandle,
    mmap: *mut MmapC,
    iter: *mut *const c_void,
) -> CodecErr {
    shim("vplrs_vp8_get_mem_map", || {
        let entry = decoder(dec)?;
        if mmap.is_null() || iter.is_null() {
            return Err(CodecErr::INVALID_PARAM);
        }
        let mut cursor = MemMapCursor::default();
        // SAFETY: checked non-null; the iterator value is the application's (NULL at first, then
        // what this function stored: the index of the next request).
        let position = unsafe { iter.read() } as usize;
        let entry = lock(&entry);
        for _ in 0..position {
            entry.decoder.get_mem_map(&mut cursor).ok_or(CodecErr::LIST_END)?;
        }
        let request = entry.decoder.get_mem_map(&mut cursor).ok_or(CodecErr::LIST_END)?;
        let map = MmapC {
            id: request.id.0,
            sz: request.size,
            align: c_uint::try_from(request.align).map_err(|_| CodecErr::ERROR)?,
            flags: request.flags.0,
            base: std::ptr::null_mut(),
            dtor: None,
            priv_: std::ptr::null_mut(),
        };
        // SAFETY: checked non-null; the application passes valid pointers.
        unsafe {
            mmap.write(map);
            iter.write((position + 1) as *const c_void);
        }
        Ok(())
    })
}

/// Sets one segment; the decoder checks every rule now.
fn set_one(decoder: &mut Decoder, map: &MmapC) -> Result<(), CodecErr> {
    let id = SegmentId(map.id);
    let memory: Option<Box<dyn XmaMemory>> = if map.base.is_null() {
        None
    } else {
        if map.sz > isize::MAX as usize {
            return Err(CodecErr::INVALID_PARAM);
        }
        Some(Box::new(CSegment { base: map.base.cast(), len: map.sz }))
    };
    let has_base = memory.is_some();
    let saved = SavedMap(*map);
    let mut segment = Segment { id, memory, dtor: None };
    if map.dtor.is_some() {
        segment = segment.with_dtor(Box::new(move |_id, memory| {
            // The decoder is done with the memory: drop our view, then tell the application.
            drop(memory);
            saved.call_dtor();
        }));
    }
    decoder.set_segment(segment).map_err(|rejected| match rejected.error {
        // A non-NULL base of zero bytes: the decoder sees an empty segment.
        vplrs_vp8::XmaError::NullBase(_) if has_base => CodecErr::MEM_TOO_SMALL,
        other => CodecErr::from(other),
    })
}

#[no_mangle]
pub extern "C" fn vplrs_vp8_set_mem_map(dec: *mut DecoderHandle, mmaps: *const MmapC, num_maps: c_uint) -> CodecErr {
    shim("vplrs_vp8_set_mem_map", || {
        let entry = decoder(dec)?;
        if mmaps.is_null() || num_maps == 0 {
            return Err(CodecErr::INVALID_PARAM);
        }
        // SAFETY: checked non-null; the application passes `num_maps` structures.
        let maps = unsafe { std::slice::from_raw_parts(mmaps, num_maps as usize) };
        let mut entry = lock(&entry);
        for map in maps {
            set_one(&mut entry.decoder, map)?;
        }
        Ok(())
    })
}

#[no_mangle]
pub extern "C" fn vplrs_vp8_decode(dec: *mut DecoderHandle, data: *const u8, data_sz: usize) -> CodecErr {
    shim("vplrs_vp8_decode", || {
        let entry = decoder(dec)?;
        if (data.is_null() && data_sz != 0) || data_sz > isize::MAX as usize {
            return Err(CodecErr::INVALID_PARAM);
        }
        let bytes: &[u8] = if data_sz == 0 {
            &[]
        } else {
            // SAFETY: non-null; the application passes `data_sz` readable bytes.
            unsafe { std::slice::from_raw_parts(data, data_sz) }
        };
        let mut entry = lock(&entry);
        let outcome = entry.decoder.decode(bytes).map(|frame| frame.is_some());
        let (shown, result) = match outcome {
            Ok(shown) => (shown, Ok(())),
            Err(error @ vplrs_vp8::DecodeError::Damaged { shown }) => (shown, Err(CodecErr::from(&error))),
            // An empty frame changes nothing, as in vpxdec: the last picture stays shown.
            Err(vplrs_vp8::DecodeError::EmptyFrame) => (entry.shown, Err(CodecErr::EMPTY_INPUT)),
            Err(error) => (false, Err(CodecErr::from(&error))),
        };
        entry.shown = shown;
        result
    })
}

#[no_mangle]
pub extern "C" fn vplrs_vp8_get_frame(dec: *mut DecoderHandle, img: *mut ImageC) -> CodecErr {
    shim("vplrs_vp8_get_frame", || {
        let entry = decoder(dec)?;
        if img.is_null() {
            return Err(CodecErr::INVALID_PARAM);
        }
        let entry = lock(&entry);
        if !entry.shown {
            return Err(CodecErr::LIST_END);
        }
        let frame = entry.decoder.last_frame().ok_or(CodecErr::LIST_END)?;
        let stride = |i: usize| c_int::try_from(frame.stride(i)).unwrap_or(c_int::MAX);
        let image = ImageC {
            d_w: frame.width(),
            d_h: frame.height(),
            planes: [frame.y().as_ptr(), frame.u().as_ptr(), frame.v().as_ptr()],
            stride: [stride(0), stride(1), stride(2)],
            is_kf: c_uint::from(frame.is_keyframe()),
        };
        // SAFETY: checked non-null; the application passes a valid output structure.
        unsafe { img.write(image) };
        Ok(())
    })
}

#[no_mangle]
pub extern "C" fn vplrs_vp8_destroy(dec: *mut DecoderHandle) -> CodecErr {
    shim("vplrs_vp8_destroy", || {
        if dec.is_null() {
            return Err(CodecErr::INVALID_PARAM);
        }
        let entry = lock(&DECODERS).remove(&(dec as usize)).ok_or(CodecErr::INVALID_PARAM)?;
        // Dropped outside the registry lock: the dtors call into the application, which may call
        // this interface again. The decoder releases its segments in reverse order of setting.
        drop(entry);
        Ok(())
    })
}
