//! `MFXQueryImplsDescription` / `MFXReleaseImplDescription`: what vplrs tells the dispatcher (and
//! `vpl-inspect`) about itself. It advertises what really works: a software implementation of API
//! 2.8 with VP8, H.264 (Baseline, Main, High), H.265 (Main, Main Still Picture, Main10), VP9
//! (profiles 0 and 2), AV1 (Main) and JPEG (baseline) decoders, each profile with the output
//! formats it writes (NV12, I420, YV12; P010 for 10 bits; YUY2 and AYUV for JPEG 4:2:2 and 4:4:4),
//! H.264, H.265, AV1 and JPEG encoders (those the installed FFmpeg has; see
//! [`crate::encode::description`]), and VPP (scaling, colour conversion, video signal info) on
//! system memory, the three pool policies.

use std::collections::HashMap;
use std::ffi::CString;
use std::sync::{LazyLock, Mutex};

use crate::status::Status;
use vplrs_memory::info::MAX_DIMENSION;
use vplrs_memory::{AllocationPolicy, FourCc};

use crate::bindings::*;
use crate::ffi::lock;
use crate::ffi::{guard, guard_value};
use crate::fields::{copy_str, struct_version, version};
use crate::session::{API_MAJOR, API_MINOR};

/// The name the implementation reports.
pub(crate) const IMPLEMENTATION_NAME: &str = "vplrs";

/// Which outputs a filter writes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Outputs {
    /// Every format.
    All,
    /// Those the rotation and mirroring kernel moves.
    Movable,
    /// YCbCr ones (ProcAmp).
    Ycbcr,
    /// Every format, from the inputs that can be deinterlaced.
    FromDeinterlaceable,
    /// The input's own format (field processing).
    Same,
    /// Those composition draws into (NV12, RGB4, BGR4).
    Composable,
    /// 8-bit 4:2:0 (denoise, detail).
    Yuv420,
}

/// The VPP filters vplrs implements: each converts any supported input to the outputs it names.
const FILTERS: [(u32, Outputs); 14] = [
    (MFX_EXTBUFF_VPP_SCALING, Outputs::All),
    (MFX_EXTBUFF_VPP_COLOR_CONVERSION, Outputs::All),
    (MFX_EXTBUFF_VPP_VIDEO_SIGNAL_INFO, Outputs::All),
    (MFX_EXTBUFF_VPP_ROTATION, Outputs::Movable),
    (MFX_EXTBUFF_VPP_MIRRORING, Outputs::Movable),
    (MFX_EXTBUFF_VPP_PROCAMP, Outputs::Ycbcr),
    (MFX_EXTBUFF_VPP_COLORFILL, Outputs::All),
    (MFX_EXTBUFF_VPP_DEINTERLACING, Outputs::FromDeinterlaceable),
    (MFX_EXTBUFF_VPP_FRAME_RATE_CONVERSION, Outputs::All),
    (MFX_EXTBUFF_VPP_FIELD_PROCESSING, Outputs::Same),
    (MFX_EXTBUFF_VPP_COMPOSITE, Outputs::Composable),
    (MFX_EXTBUFF_VPP_DENOISE2, Outputs::Yuv420),
    (MFX_EXTBUFF_VPP_DENOISE, Outputs::Yuv420),
    (MFX_EXTBUFF_VPP_DETAIL, Outputs::Yuv420),
];

/// True for the `MFX_EXTBUFF_VPP_*` filters vplrs implements (what `DOUSE` may name).
pub(crate) fn is_vpp_filter(id: u32) -> bool {
    FILTERS.iter().any(|&(filter, _)| filter == id)
}

/// The functions that do what the API says (the decode+VPP family is absent).
const IMPLEMENTED_FUNCTIONS: &[&str] = &[
    "MFXInit",
    "MFXInitEx",
    "MFXInitialize",
    "MFXClose",
    "MFXQueryIMPL",
    "MFXQueryVersion",
    "MFXJoinSession",
    "MFXDisjoinSession",
    "MFXCloneSession",
    "MFXSetPriority",
    "MFXGetPriority",
    "MFXQueryImplsDescription",
    "MFXReleaseImplDescription",
    "MFXVideoCORE_SetFrameAllocator",
    "MFXVideoCORE_SetHandle",
    "MFXVideoCORE_GetHandle",
    "MFXVideoCORE_QueryPlatform",
    "MFXVideoCORE_SyncOperation",
    "MFXVideoDECODE_Query",
    "MFXVideoDECODE_DecodeHeader",
    "MFXVideoDECODE_QueryIOSurf",
    "MFXVideoDECODE_Init",
    "MFXVideoDECODE_Reset",
    "MFXVideoDECODE_Close",
    "MFXVideoDECODE_GetVideoParam",
    "MFXVideoDECODE_GetDecodeStat",
    "MFXVideoDECODE_SetSkipMode",
    "MFXVideoDECODE_GetPayload",
    "MFXVideoDECODE_DecodeFrameAsync",
    "MFXMemory_GetSurfaceForDecode",
    "MFXVideoENCODE_Query",
    "MFXVideoENCODE_QueryIOSurf",
    "MFXVideoENCODE_Init",
    "MFXVideoENCODE_Reset",
    "MFXVideoENCODE_Close",
    "MFXVideoENCODE_GetVideoParam",
    "MFXVideoENCODE_GetEncodeStat",
    "MFXVideoENCODE_EncodeFrameAsync",
    "MFXMemory_GetSurfaceForEncode",
    "MFXVideoVPP_Query",
    "MFXVideoVPP_QueryIOSurf",
    "MFXVideoVPP_Init",
    "MFXVideoVPP_Reset",
    "MFXVideoVPP_Close",
    "MFXVideoVPP_GetVideoParam",
    "MFXVideoVPP_GetVPPStat",
    "MFXVideoVPP_RunFrameVPPAsync",
    "MFXVideoVPP_ProcessFrameAsync",
    "MFXMemory_GetSurfaceForVPP",
    "MFXMemory_GetSurfaceForVPPOut",
    "MFXVideoDECODE_VPP_Init",
    "MFXVideoDECODE_VPP_Reset",
    "MFXVideoDECODE_VPP_GetChannelParam",
    "MFXVideoDECODE_VPP_DecodeFrameAsync",
    "MFXVideoDECODE_VPP_Close",
];

/// The formats VPP reads and writes, and for each input the outputs it converts to.
fn vpp_formats() -> Vec<(FourCc, Vec<FourCc>)> {
    FourCc::ALL.iter().map(|&input| (input, crate::vpp::supported_outputs(input))).collect()
}

/// Everything one `mfxImplDescription` points to, kept alive until it is released.
struct DescriptionStorage {
    desc: Box<mfxImplDescription>,
    _filters: Vec<mfxVPPDescription_filter>,
    _memdescs: Vec<mfxVPPDescription_filter_memdesc>,
    _formats: Vec<Vec<mfxVPPDescription_filter_memdesc_format>>,
    _out_formats: Vec<Vec<u32>>,
    _policies: Vec<mfxPoolAllocationPolicy>,
    _modes: Vec<mfxAccelerationMode>,
    _decoder: DecoderStorage,
    _encoder: crate::encode::description::EncoderStorage,
}

/// The decoder description's arrays: the codecs, their profiles, one memory type (system
/// memory) each with the output formats of that profile.
struct DecoderStorage {
    codecs: Vec<mfxDecoderDescription_decoder>,
    _profiles: Vec<Vec<mfxDecoderDescription_decoder_decprofile>>,
    _memdescs: Vec<Vec<mfxDecoderDescription_decoder_decprofile_decmemdesc>>,
    _formats: Vec<Vec<u32>>,
}

fn build_decoders() -> DecoderStorage {
    use vplrs_decode::capabilities::{output_formats, profiles, CODECS};
    use vplrs_decode::Codec;
    let mut all_formats: Vec<Vec<u32>> = Vec::new();
    let mut all_memdescs = Vec::new();
    let mut all_profiles = Vec::new();
    let mut codecs = Vec::new();
    for codec in CODECS {
        // The largest picture a VP8 key frame can describe; libavcodec's H.264 and H.265 decoders
        // take the sizes of their highest levels.
        // The largest picture a VP8 key frame can describe; libavcodec's decoders take the sizes
        // of their codecs' highest levels (JPEG: its 16-bit dimensions).
        let (max_size, max_level) = match codec {
            Codec::Vp8 => (16383, 0),
            Codec::Avc => (8192, MFX_LEVEL_AVC_62),
            Codec::Hevc => (8192, MFX_LEVEL_HEVC_62),
            Codec::Av1 => (8192, MFX_LEVEL_AV1_73),
            Codec::Vp9 => (8192, 0),
            Codec::Jpeg => (16384, 0),
        };
        let mut memdescs: Vec<mfxDecoderDescription_decoder_decprofile_decmemdesc> = profiles(codec)
            .iter()
            .map(|&profile| {
                let mut formats: Vec<u32> = output_formats(codec, profile).iter().map(|fourcc| fourcc.code()).collect();
                let memdesc = mfxDecoderDescription_decoder_decprofile_decmemdesc {
                    MemHandleType: MFX_RESOURCE_SYSTEM_SURFACE,
                    Width: mfxRange32U { Min: 16, Max: max_size, Step: 1 },
                    Height: mfxRange32U { Min: 16, Max: max_size, Step: 1 },
                    reserved: [0; 7],
                    NumColorFormats: formats.len() as mfxU16,
                    // The Vec's buffer does not move when the Vec is moved into `all_formats`.
                    ColorFormats: formats.as_mut_ptr(),
                };
                all_formats.push(formats);
                memdesc
            })
            .collect();
        let mut codec_profiles: Vec<mfxDecoderDescription_decoder_decprofile> = profiles(codec)
            .iter()
            .zip(memdescs.iter_mut())
            .map(|(&profile, memdesc)| mfxDecoderDescription_decoder_decprofile {
                Profile: profile.into(),
                reserved: [0; 7],
                NumMemTypes: 1,
                MemDesc: memdesc,
            })
            .collect();
        codecs.push(mfxDecoderDescription_decoder {
            CodecID: codec.code(),
            reserved: [0; 8],
            MaxcodecLevel: max_level as mfxU16,
            NumProfiles: codec_profiles.len() as mfxU16,
            Profiles: codec_profiles.as_mut_ptr(),
        });
        all_memdescs.push(memdescs);
        all_profiles.push(codec_profiles);
    }
    DecoderStorage { codecs, _profiles: all_profiles, _memdescs: all_memdescs, _formats: all_formats }
}

struct FunctionsStorage {
    table: Box<mfxImplementedFunctions>,
    _names: Vec<CString>,
    _pointers: Vec<*mut mfxChar>,
}

enum Storage {
    Description(Box<DescriptionStorage>),
    Functions(FunctionsStorage),
    SurfaceTypes(crate::sharing::caps::SurfaceTypesStorage),
}

/// One answer of `MFXQueryImplsDescription`: the handle array and what each handle points to.
struct Answer {
    array: Box<[mfxHDL]>,
    _storage: Vec<Storage>,
    /// Handles not yet released.
    live: usize,
}

// SAFETY: the raw pointers in an answer point into memory the answer owns; it is only touched
// under the registry lock.
unsafe impl Send for Answer {}

/// Answers not fully released, by the address of their handle array.
static ANSWERS: LazyLock<Mutex<HashMap<usize, Answer>>> = LazyLock::new(Mutex::default);

/// Frees descriptions never released (the library is being unloaded).
pub(crate) fn release_all() {
    drop(std::mem::take(&mut *lock(&ANSWERS)));
}

fn range(max: u32) -> mfxRange32U {
    mfxRange32U { Min: 16, Max: max, Step: 16 }
}

fn build_description() -> DescriptionStorage {
    let formats = vpp_formats();
    let mut out_formats: Vec<Vec<u32>> = Vec::new();
    let mut format_lists: Vec<Vec<mfxVPPDescription_filter_memdesc_format>> = Vec::new();
    let mut memdescs: Vec<mfxVPPDescription_filter_memdesc> = Vec::with_capacity(FILTERS.len());
    let mut filters: Vec<mfxVPPDescription_filter> = Vec::with_capacity(FILTERS.len());

    let turned = vplrs_vpp::Orientation { rotation: vplrs_vpp::Rotation::Quarter, ..Default::default() };
    for &(filter, written) in &FILTERS {
        let mut list = Vec::with_capacity(formats.len());
        for (input, outputs) in &formats {
            let writes = |format: FourCc| match written {
                Outputs::All => true,
                Outputs::Movable => turned.supports(format),
                Outputs::Ycbcr => vplrs_vpp::ProcAmp::supports(format),
                Outputs::FromDeinterlaceable => vplrs_vpp::deinterlace_supports(*input),
                Outputs::Same => format == *input,
                Outputs::Composable => vplrs_vpp::compose_supports(format),
                Outputs::Yuv420 => vplrs_vpp::denoise_supports(format),
            };
            let codes: Vec<u32> = outputs.iter().filter(|&&f| writes(f)).map(|f| f.code()).collect();
            let mut entry = mfxVPPDescription_filter_memdesc_format {
                InFormat: input.code(),
                NumOutFormat: codes.len() as mfxU16,
                ..Default::default()
            };
            // The Vec's buffer does not move when the Vec is moved into `out_formats`.
            entry.OutFormats = codes.as_ptr() as *mut u32;
            out_formats.push(codes);
            list.push(entry);
        }
        let mut memdesc = mfxVPPDescription_filter_memdesc {
            MemHandleType: MFX_RESOURCE_SYSTEM_SURFACE,
            Width: range(MAX_DIMENSION),
            Height: range(MAX_DIMENSION),
            NumInFormats: list.len() as mfxU16,
            ..Default::default()
        };
        memdesc.Formats = list.as_mut_ptr();
        format_lists.push(list);
        memdescs.push(memdesc);
        filters.push(mfxVPPDescription_filter {
            FilterFourCC: filter,
            MaxDelayInFrames: 0,
            NumMemTypes: 1,
            ..Default::default()
        });
    }
    for (filter, memdesc) in filters.iter_mut().zip(memdescs.iter_mut()) {
        filter.MemDesc = memdesc;
    }

    let mut policies: Vec<mfxPoolAllocationPolicy> =
        AllocationPolicy::ALL.iter().map(|&p| p as u32 as mfxPoolAllocationPolicy).collect();
    let mut modes: Vec<mfxAccelerationMode> = vec![MFX_ACCEL_MODE_NA];

    let mut desc = Box::<mfxImplDescription>::default();
    desc.Version = struct_version(1, 2);
    desc.Impl = MFX_IMPL_TYPE_SOFTWARE;
    desc.AccelerationMode = MFX_ACCEL_MODE_NA;
    desc.ApiVersion = version(API_MAJOR, API_MINOR);
    copy_str(&mut desc.ImplName, IMPLEMENTATION_NAME);
    copy_str(&mut desc.License, "MIT");
    copy_str(&mut desc.Keywords, "vplrs,Rust,CPU,VP8,H.264,H.265,VP9,AV1,JPEG,decode,encode,VPP,system memory");
    desc.VendorID = 0;
    desc.VendorImplID = 0;

    desc.Dev.Version = struct_version(1, 1);
    desc.Dev.MediaAdapterType = MFX_MEDIA_UNKNOWN as mfxU16;
    copy_str(&mut desc.Dev.DeviceID, "cpu");
    desc.Dev.NumSubDevices = 0;

    let mut decoder = build_decoders();
    desc.Dec.Version = struct_version(1, 0);
    desc.Dec.NumCodecs = decoder.codecs.len() as mfxU16;
    desc.Dec.Codecs = decoder.codecs.as_mut_ptr();
    let mut encoder = crate::encode::description::build_encoders();
    desc.Enc.Version = struct_version(1, 0);
    desc.Enc.NumCodecs = encoder.codecs.len() as mfxU16;
    desc.Enc.Codecs = encoder.codecs.as_mut_ptr();

    desc.VPP.Version = struct_version(1, 0);
    desc.VPP.NumFilters = filters.len() as mfxU16;
    desc.VPP.Filters = filters.as_mut_ptr();

    desc.__bindgen_anon_1.AccelerationModeDescription = mfxAccelerationModeDescription {
        Version: struct_version(1, 0),
        NumAccelerationModes: modes.len() as mfxU16,
        Mode: modes.as_mut_ptr(),
        ..Default::default()
    };
    desc.PoolPolicies = mfxPoolPolicyDescription {
        Version: struct_version(1, 0),
        NumPoolPolicies: policies.len() as mfxU16,
        Policy: policies.as_mut_ptr(),
        ..Default::default()
    };
    desc.NumExtParam = 0;

    DescriptionStorage {
        desc,
        _filters: filters,
        _memdescs: memdescs,
        _formats: format_lists,
        _out_formats: out_formats,
        _policies: policies,
        _modes: modes,
        _decoder: decoder,
        _encoder: encoder,
    }
}

fn build_functions() -> FunctionsStorage {
    let names: Vec<CString> = IMPLEMENTED_FUNCTIONS.iter().filter_map(|name| CString::new(*name).ok()).collect();
    let mut pointers: Vec<*mut mfxChar> = names.iter().map(|name| name.as_ptr() as *mut mfxChar).collect();
    let table = Box::new(mfxImplementedFunctions {
        NumFunctions: pointers.len() as mfxU16,
        FunctionsName: pointers.as_mut_ptr(),
    });
    FunctionsStorage { table, _names: names, _pointers: pointers }
}

fn query(format: mfxImplCapsDeliveryFormat) -> Option<Answer> {
    let storage = match format {
        MFX_IMPLCAPS_IMPLDESCSTRUCTURE => Storage::Description(Box::new(build_description())),
        MFX_IMPLCAPS_IMPLEMENTEDFUNCTIONS => Storage::Functions(build_functions()),
        crate::sharing::abi::MFX_IMPLCAPS_SURFACE_TYPES => Storage::SurfaceTypes(crate::sharing::caps::build()),
        // MFX_IMPLCAPS_IMPLPATH is answered by the dispatcher.
        _ => return None,
    };
    let handle: mfxHDL = match &storage {
        Storage::Description(d) => &*d.desc as *const mfxImplDescription as mfxHDL,
        Storage::Functions(f) => &*f.table as *const mfxImplementedFunctions as mfxHDL,
        Storage::SurfaceTypes(s) => &*s.desc as *const crate::sharing::abi::mfxSurfaceTypesSupported as mfxHDL,
    };
    Some(Answer { array: vec![handle].into_boxed_slice(), _storage: vec![storage], live: 1 })
}

#[no_mangle]
pub extern "C" fn MFXQueryImplsDescription(format: mfxImplCapsDeliveryFormat, num_impls: *mut mfxU32) -> *mut mfxHDL {
    guard_value("MFXQueryImplsDescription", std::ptr::null_mut(), || {
        if num_impls.is_null() {
            return std::ptr::null_mut();
        }
        let Some(mut answer) = query(format) else {
            return std::ptr::null_mut();
        };
        let array = answer.array.as_mut_ptr();
        let count = answer.array.len() as mfxU32;
        lock(&ANSWERS).insert(array as usize, answer);
        // SAFETY: checked non-null; the caller passes a valid output pointer.
        unsafe { num_impls.write(count) };
        array
    })
}

#[no_mangle]
pub extern "C" fn MFXReleaseImplDescription(hdl: mfxHDL) -> mfxStatus {
    guard("MFXReleaseImplDescription", || {
        if hdl.is_null() {
            return Ok(Status::ERR_NONE);
        }
        let mut answers = lock(&ANSWERS);
        // The handle is one of the array's entries (or, leniently, the array itself).
        let key = answers
            .iter()
            .find(|(&key, answer)| key == hdl as usize || answer.array.contains(&hdl))
            .map(|(&key, _)| key)
            .ok_or(Status::ERR_INVALID_HANDLE)?;
        let answer = answers.get_mut(&key).ok_or(Status::ERR_INVALID_HANDLE)?;
        answer.live = answer.live.saturating_sub(1);
        if answer.live == 0 {
            // The last handle of the array: free the descriptions and the array.
            answers.remove(&key);
        }
        Ok(Status::ERR_NONE)
    })
}
