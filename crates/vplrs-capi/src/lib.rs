//! `libvplrs.so`: vplrs as a oneVPL runtime that Intel's dispatcher (libvpl) loads.
//!
//! The dispatcher searches `ONEVPL_SEARCH_PATH` for libraries named `libvpl*.so`, asks each for its
//! implementation description and the 2.x entry points, and forwards the application's calls.
//! This crate exports the full function set the dispatcher requires of an API 2.8 runtime:
//!
//! - [`description`]: `MFXQueryImplsDescription` / `MFXReleaseImplDescription`;
//! - [`session`]: `MFXInit`, `MFXInitEx`, `MFXInitialize`, `MFXClose`, queries, join, priority;
//! - [`core`]: `MFXVideoCORE_*` (allocator, handles, `SyncOperation`, platform);
//! - [`vpp`]: `MFXVideoVPP_*` and `MFXMemory_GetSurfaceForVPP*`;
//! - [`decode`]: `MFXVideoDECODE_*` and `MFXMemory_GetSurfaceForDecode` (VP8, H.264, H.265, VP9,
//!   AV1, JPEG; parameters in [`decode_params`]);
//! - [`xma`]: the `vplrs_vp8_*` XMA interface of the VP8 decoder (header `include/vplrs_xma.h`);
//! - [`encode`]: `MFXVideoENCODE_*` and `MFXMemory_GetSurfaceForEncode` (H.264, H.265, AV1, JPEG
//!   through libavcodec; parameters in [`encode_params`]);
//! - [`decode_vpp`]: decode+VPP (`MFXVideoDECODE_VPP_*`; channel parameters in
//!   [`decode_vpp_params`]), returning reference-counted `mfxSurfaceArray`s ([`surface_array`]).
//!
//! Surfaces the runtime allocates carry a complete `mfxFrameSurfaceInterface` ([`surface`]) whose
//! `QueryInterface` gives an `mfxSurfacePoolInterface` ([`pool_iface`]); application 1.x surfaces
//! are wrapped for the time of an operation ([`foreign`]); the application's `mfxFrameAllocator`
//! becomes the runtime's external allocator ([`allocator`]).
//!
//! Every export is a shim ([`ffi`]): NULL checks, a caught panic (`MFX_ERR_UNKNOWN`), safe Rust,
//! the typed error mapped to `mfxStatus`. `unsafe` lives in this crate only, each block with its
//! SAFETY comment. The C types come from the installed headers through bindgen ([`bindings`]).
#![deny(unsafe_op_in_unsafe_fn)]
// The exports keep the C names of the API.
#![allow(non_snake_case)]

mod allocator;
mod bindings;
mod contract;
mod core;
mod decode;
mod decode_frames;
mod decode_params;
mod decode_vpp;
mod decode_vpp_params;
mod description;
mod encode;
mod encode_params;
mod encoder_description;
mod ext;
mod ffi;
mod fields;
mod foreign;
mod pool_iface;
mod report;
mod session;
mod status;
mod surface;
mod surface_array;
mod unload;
mod vpp;
mod xma;
mod xma_codes;
