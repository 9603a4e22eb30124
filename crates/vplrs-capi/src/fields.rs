//! Plain accessors for the anonymous unions of the generated structs, and the conversions between
//! `mfxFrameInfo` / `mfxFrameData` and the Rust types.
//!
//! All union members read here are integers or pointers of identical size, so every bit pattern is
//! a valid value of each member.

use crate::status::Status;
use vplrs_memory::layout::MAX_PLANES;
use vplrs_memory::{FourCc, FrameInfo, FrameRate, PicStruct, PlanePointers, Rect};

use crate::bindings::*;
use crate::ffi::Outcome;

pub(crate) fn version(major: u16, minor: u16) -> mfxVersion {
    mfxVersion { __bindgen_anon_1: mfxVersion__bindgen_ty_1 { Minor: minor, Major: major } }
}

pub(crate) fn version_parts(v: &mfxVersion) -> (u16, u16) {
    // SAFETY: both members of the union are plain integers covering the same 4 bytes.
    let parts = unsafe { v.__bindgen_anon_1 };
    (parts.Major, parts.Minor)
}

pub(crate) fn struct_version(major: u8, minor: u8) -> mfxStructVersion {
    mfxStructVersion { __bindgen_anon_1: mfxStructVersion__bindgen_ty_1 { Minor: minor, Major: major } }
}

/// Width, Height, CropX, CropY, CropW, CropH.
pub(crate) fn frame_size(info: &mfxFrameInfo) -> mfxFrameInfo__bindgen_ty_1__bindgen_ty_1 {
    // SAFETY: the union's members are all u16 fields over the same 12 bytes.
    unsafe { info.__bindgen_anon_1.__bindgen_anon_1 }
}

pub(crate) fn set_frame_size(info: &mut mfxFrameInfo, size: mfxFrameInfo__bindgen_ty_1__bindgen_ty_1) {
    info.__bindgen_anon_1.__bindgen_anon_1 = size;
}

/// The Rust `FrameInfo` of a C one. Unknown FourCCs are `MFX_ERR_UNSUPPORTED`; the sizes are not
/// validated here (Query and layout code do).
pub(crate) fn frame_info_from_c(info: &mfxFrameInfo) -> Outcome<FrameInfo> {
    let fourcc = FourCc::from_code(info.FourCC).ok_or(Status::ERR_UNSUPPORTED)?;
    // A YUV FourCC with another sampling named (NV12 with ChromaFormat 4:4:4, or 99) is
    // contradictory; 0 (the value of MFX_CHROMAFORMAT_MONOCHROME) is what applications leave
    // unset, so it stands for the FourCC's own.
    let yuv = !matches!(fourcc, FourCc::Rgb4 | FourCc::Bgr4 | FourCc::A2Rgb10);
    if yuv && info.ChromaFormat != 0 && info.ChromaFormat != fourcc.chroma_format() as u16 {
        let object = format!("mfxFrameInfo ({fourcc} with ChromaFormat {})", info.ChromaFormat);
        crate::contract::report_here(crate::contract::Violation::ChromaFormatMismatch, object);
        return Err(Status::ERR_INVALID_VIDEO_PARAM);
    }
    let size = frame_size(info);
    Ok(FrameInfo {
        fourcc,
        width: size.Width.into(),
        height: size.Height.into(),
        crop: Rect { x: size.CropX.into(), y: size.CropY.into(), width: size.CropW.into(), height: size.CropH.into() },
        pic_struct: PicStruct::from_bits_truncate(info.PicStruct),
        frame_rate: FrameRate { num: info.FrameRateExtN, den: info.FrameRateExtD },
        aspect: (info.AspectRatioW, info.AspectRatioH),
        lsb_aligned: fourcc.bit_depth() > 8 && info.Shift == 0,
    })
}

fn clamp16(value: u32) -> u16 {
    u16::try_from(value).unwrap_or(u16::MAX)
}

/// Writes `info` into a C `mfxFrameInfo`, leaving the fields it does not describe as they are.
pub(crate) fn frame_info_to_c(info: &FrameInfo, out: &mut mfxFrameInfo) {
    out.FourCC = info.fourcc.code();
    out.ChromaFormat = info.fourcc.chroma_format() as u16;
    out.BitDepthLuma = info.fourcc.bit_depth();
    out.BitDepthChroma = info.fourcc.bit_depth();
    out.Shift = if info.lsb_aligned { 0 } else { info.fourcc.shift() };
    set_frame_size(
        out,
        mfxFrameInfo__bindgen_ty_1__bindgen_ty_1 {
            Width: clamp16(info.width),
            Height: clamp16(info.height),
            CropX: clamp16(info.crop.x),
            CropY: clamp16(info.crop.y),
            CropW: clamp16(info.crop.width),
            CropH: clamp16(info.crop.height),
        },
    );
    out.PicStruct = info.pic_struct.bits();
    out.FrameRateExtN = info.frame_rate.num;
    out.FrameRateExtD = info.frame_rate.den;
    out.AspectRatioW = info.aspect.0;
    out.AspectRatioH = info.aspect.1;
}

pub(crate) fn pitch(data: &mfxFrameData) -> usize {
    // SAFETY: both members of the union are u16.
    let low = unsafe { data.__bindgen_anon_2.PitchLow };
    (usize::from(data.PitchHigh) << 16) | usize::from(low)
}

fn set_pitch(data: &mut mfxFrameData, pitch: usize) {
    data.__bindgen_anon_2.PitchLow = (pitch & 0xffff) as u16;
    data.PitchHigh = ((pitch >> 16) & 0xffff) as u16;
}

/// The raw channel pointers of `mfxFrameData`: Y, U (UV/G/Y410), V (B/A2RGB10), A.
fn channels(data: &mfxFrameData) -> [*mut u8; 4] {
    // SAFETY: every member of these unions is a pointer of the same size.
    unsafe { [data.__bindgen_anon_3.Y, data.__bindgen_anon_4.U, data.__bindgen_anon_5.V, data.A] }
}

fn set_channels(data: &mut mfxFrameData, [y, u, v, a]: [*mut u8; 4]) {
    data.__bindgen_anon_3.Y = y;
    data.__bindgen_anon_4.U = u;
    data.__bindgen_anon_5.V = v;
    data.A = a;
}

/// Byte offsets of the channels of packed formats from the start of a pixel, as `mfxstructures.h`
/// documents them (Y, U, V, A slots of `mfxFrameData`); `None` for a channel the format has no
/// pointer for.
fn packed_offsets(fourcc: FourCc) -> [Option<usize>; 4] {
    match fourcc {
        // Y0 U0 Y1 V0
        FourCc::Yuy2 => [Some(0), Some(1), Some(3), None],
        // The same with 16-bit samples (Y16, U16, V16 point at them).
        FourCc::Y210 => [Some(0), Some(2), Some(6), None],
        // V U Y A
        FourCc::Ayuv => [Some(2), Some(1), Some(0), Some(3)],
        // B G R A: R is in the Y slot, G in U, B in V.
        FourCc::Rgb4 => [Some(2), Some(1), Some(0), Some(3)],
        // R G B A
        FourCc::Bgr4 => [Some(0), Some(1), Some(2), Some(3)],
        // One 32-bit word: A2RGB10 shares the V/B slot.
        FourCc::A2Rgb10 => [None, None, Some(0), None],
        // One 32-bit word: Y410 shares the U slot.
        FourCc::Y410 => [None, Some(0), None, None],
        _ => [None; 4],
    }
}

/// Sets `Data.Y/U/V/A` and `Pitch` from plane pointers of a frame of `fourcc`.
pub(crate) fn set_plane_pointers(data: &mut mfxFrameData, fourcc: FourCc, planes: &PlanePointers) {
    let null = std::ptr::null_mut();
    let [p0, p1, p2] = planes.ptr;
    let slots = match fourcc {
        FourCc::Nv12 | FourCc::P010 => [p0, p1, p1.wrapping_add(if fourcc == FourCc::P010 { 2 } else { 1 }), null],
        FourCc::I420 => [p0, p1, p2, null],
        // YV12 stores Y, V, U: plane 1 is V.
        FourCc::Yv12 => [p0, p2, p1, null],
        packed => packed_offsets(packed).map(|offset| offset.map_or(null, |o| p0.wrapping_add(o))),
    };
    set_channels(data, slots);
    set_pitch(data, planes.pitch[0]);
}

/// Sets every pointer of `Data` to NULL (Unmap).
pub(crate) fn clear_plane_pointers(data: &mut mfxFrameData) {
    set_channels(data, [std::ptr::null_mut(); 4]);
}

/// Reads plane pointers from an application's `mfxFrameData` (a 1.x surface, or what an
/// allocator's Lock returned): `None` when a plane the format needs is NULL.
pub(crate) fn plane_pointers_from_c(data: &mfxFrameData, fourcc: FourCc) -> Option<PlanePointers> {
    let pitch = pitch(data);
    let [y, u, v, a] = channels(data);
    let mut out = PlanePointers::default();
    let planes: &[(*mut u8, usize)] = match fourcc {
        FourCc::Nv12 | FourCc::P010 => &[(y, pitch), (u, pitch)],
        FourCc::I420 => &[(y, pitch), (u, pitch / 2), (v, pitch / 2)],
        FourCc::Yv12 => &[(y, pitch), (v, pitch / 2), (u, pitch / 2)],
        packed => {
            // The pixel starts at the lowest address of the channels the format has.
            let offsets = packed_offsets(packed);
            let base = [y, u, v, a]
                .into_iter()
                .zip(offsets)
                .find_map(|(ptr, offset)| offset.filter(|_| !ptr.is_null()).map(|o| ptr.wrapping_sub(o)));
            out.ptr[0] = base?;
            out.pitch[0] = pitch;
            return Some(out);
        }
    };
    debug_assert!(planes.len() <= MAX_PLANES);
    for (i, &(ptr, plane_pitch)) in planes.iter().enumerate() {
        if ptr.is_null() {
            return None;
        }
        out.ptr[i] = ptr;
        out.pitch[i] = plane_pitch;
    }
    Some(out)
}

/// Copies a NUL-terminated string into a fixed `mfxChar` array, truncating.
pub(crate) fn copy_str(dst: &mut [mfxChar], src: &str) {
    let n = src.len().min(dst.len().saturating_sub(1));
    for (d, s) in dst.iter_mut().zip(src.bytes().take(n)) {
        *d = s as mfxChar;
    }
    if let Some(end) = dst.get_mut(n) {
        *end = 0;
    }
}
