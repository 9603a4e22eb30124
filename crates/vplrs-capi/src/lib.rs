//! `libvplrs.so`: vplrs as a oneVPL runtime that Intel's dispatcher (libvpl) loads.
//!
//! The dispatcher searches `ONEVPL_SEARCH_PATH` for libraries named `libvpl*.so`, asks each for its
//! implementation description and the 2.x entry points, and forwards the application's calls.
//! This crate exports the full function set the dispatcher requires of an API 2.8 runtime:
//!
//! - `description`: `MFXQueryImplsDescription` / `MFXReleaseImplDescription`;
//! - `session`: `MFXInit`, `MFXInitEx`, `MFXInitialize`, `MFXClose`, queries, join, priority, over
//!   a `vplrs::Session`; `session::core`: `MFXVideoCORE_*` (allocator, handles, `SyncOperation`);
//! - `allocator`: the application's `mfxFrameAllocator` as the runtime's allocator;
//! - `decode`: `MFXVideoDECODE_*` and `MFXMemory_GetSurfaceForDecode` (VP8, H.264, H.265, VP9,
//!   AV1, JPEG; parameters in `decode::params`, work surfaces in `decode::frames`);
//! - `vpp`: `MFXVideoVPP_*` and `MFXMemory_GetSurfaceForVPP*`;
//! - `encode`: `MFXVideoENCODE_*` and `MFXMemory_GetSurfaceForEncode` (H.264, H.265, AV1, JPEG
//!   through libavcodec; parameters in `encode::params`, the encoders' description);
//! - `decode_vpp`: decode+VPP (`MFXVideoDECODE_VPP_*`; channel parameters in
//!   `decode_vpp::params`), returning reference-counted `mfxSurfaceArray`s (`surface::array`);
//! - `sharing`: surface sharing of API 2.10 (`Export`, `mfxMemoryInterface::ImportFrameSurface`,
//!   the surface-types capability report) with OpenCL, over `vplrs_sharing`;
//! - `xma`: the `vplrs_vp8_*` XMA interface of the VP8 decoder (header `include/vplrs_xma.h`).
//!
//! Surfaces the runtime allocates carry a complete `mfxFrameSurfaceInterface` (`surface`) whose
//! `QueryInterface` gives an `mfxSurfacePoolInterface` (`pool_iface`); each application 1.x
//! surface has one lasting wrapper (`surface::foreign`).
//!
//! Every export is a shim (`ffi`): NULL checks, a caught panic (`MFX_ERR_UNKNOWN`), safe Rust,
//! the typed error mapped to `mfxStatus` (`status`, the one place where statuses are chosen).
//! `unsafe` lives in this crate only, each block with its SAFETY comment. The C types come from
//! the installed headers through bindgen (`bindings`).
#![deny(unsafe_op_in_unsafe_fn)]
// The exports keep the C names of the API.
#![allow(non_snake_case)]

mod allocator;
mod bindings;
mod contract;
mod decode;
mod decode_vpp;
mod description;
mod encode;
mod ext;
mod ffi;
mod fields;
mod pool_iface;
mod report;
mod session;
mod sharing;
mod status;
mod surface;
mod unload;
mod vpp;
mod xma;
