//! The API 2.10+ surface-sharing structures and values, which the installed 2.8 headers lack,
//! declared from the oneVPL document (`mfxmemory.h`, `mfxstructures.h` of 2.10+) with their x86-64
//! sizes and offsets checked at compile time.
#![allow(non_camel_case_types, non_snake_case, dead_code)]

use std::mem::{offset_of, size_of};

use crate::bindings::{
    mfxBitstream, mfxExtBuffer, mfxFrameSurface1, mfxHDL, mfxStatus, mfxStructVersion, mfxU16, mfxU32,
};

pub(crate) const MFX_HANDLE_MEMORY_INTERFACE: u32 = 1001;
pub(crate) const MFX_IMPLCAPS_SURFACE_TYPES: u32 = 5;

pub(crate) type mfxSurfaceType = u32;
pub(crate) const MFX_SURFACE_TYPE_UNKNOWN: mfxSurfaceType = 0;
pub(crate) const MFX_SURFACE_TYPE_D3D11_TEX2D: mfxSurfaceType = 2;
pub(crate) const MFX_SURFACE_TYPE_VAAPI: mfxSurfaceType = 3;
pub(crate) const MFX_SURFACE_TYPE_OPENCL_IMG2D: mfxSurfaceType = 4;
pub(crate) const MFX_SURFACE_TYPE_D3D12_TEX2D: mfxSurfaceType = 5;
pub(crate) const MFX_SURFACE_TYPE_VULKAN_IMG2D: mfxSurfaceType = 6;

pub(crate) type mfxSurfaceComponent = u32;
pub(crate) const MFX_SURFACE_COMPONENT_UNKNOWN: mfxSurfaceComponent = 0;
pub(crate) const MFX_SURFACE_COMPONENT_ENCODE: mfxSurfaceComponent = 1;
pub(crate) const MFX_SURFACE_COMPONENT_DECODE: mfxSurfaceComponent = 2;
pub(crate) const MFX_SURFACE_COMPONENT_VPP_INPUT: mfxSurfaceComponent = 3;
pub(crate) const MFX_SURFACE_COMPONENT_VPP_OUTPUT: mfxSurfaceComponent = 4;

pub(crate) const MFX_SURFACE_FLAG_DEFAULT: u32 = 0x0;
pub(crate) const MFX_SURFACE_FLAG_IMPORT_SHARED: u32 = 0x10;
pub(crate) const MFX_SURFACE_FLAG_IMPORT_COPY: u32 = 0x20;
pub(crate) const MFX_SURFACE_FLAG_EXPORT_SHARED: u32 = 0x100;
pub(crate) const MFX_SURFACE_FLAG_EXPORT_COPY: u32 = 0x200;

const fn fourcc(a: u8, b: u8, c: u8, d: u8) -> u32 {
    a as u32 | (b as u32) << 8 | (c as u32) << 16 | (d as u32) << 24
}
pub(crate) const MFX_EXTBUFF_EXPORT_SHARING_DESC_OCL: u32 = fourcc(b'E', b'O', b'C', b'L');
pub(crate) const MFX_EXTBUFF_EXPORT_SHARING_DESC_VULKAN: u32 = fourcc(b'E', b'V', b'U', b'L');

#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct mfxSurfaceHeader {
    pub SurfaceType: mfxSurfaceType,
    pub SurfaceFlags: mfxU32,
    pub StructSize: mfxU32,
    pub NumExtParam: mfxU16,
    pub ExtParam: *mut *mut mfxExtBuffer,
    pub reserved: [mfxU32; 6],
}

#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct mfxSurfaceInterface {
    pub Header: mfxSurfaceHeader,
    pub Version: mfxStructVersion,
    pub Context: mfxHDL,
    pub AddRef: Option<unsafe extern "C" fn(*mut mfxSurfaceInterface) -> mfxStatus>,
    pub Release: Option<unsafe extern "C" fn(*mut mfxSurfaceInterface) -> mfxStatus>,
    pub GetRefCounter: Option<unsafe extern "C" fn(*mut mfxSurfaceInterface, *mut mfxU32) -> mfxStatus>,
    pub Synchronize: Option<unsafe extern "C" fn(*mut mfxSurfaceInterface, mfxU32) -> mfxStatus>,
    pub reserved: [mfxHDL; 11],
}

#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct mfxSurfaceOpenCLImg2D {
    pub SurfaceInterface: mfxSurfaceInterface,
    pub ocl_context: mfxHDL,
    pub ocl_command_queue: mfxHDL,
    pub ocl_image: [mfxHDL; 4],
    pub ocl_image_num: mfxU32,
    pub reserved: [mfxHDL; 8],
}

#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct mfxSurfaceVulkanImg2D {
    pub SurfaceInterface: mfxSurfaceInterface,
    pub instance: mfxHDL,
    pub physicalDevice: mfxHDL,
    pub device: mfxHDL,
    pub image2D: mfxHDL,
    pub image2DMemory: mfxHDL,
    pub reserved: [mfxHDL; 10],
}

#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct mfxExtSurfaceVulkanImg2DExportDescription {
    pub Header: mfxExtBuffer,
    pub instance: mfxHDL,
    pub physicalDevice: mfxHDL,
    pub device: mfxHDL,
    pub reserved: [mfxHDL; 7],
}

#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct mfxExtSurfaceOpenCLImg2DExportDescription {
    pub Header: mfxExtBuffer,
    pub ocl_context: mfxHDL,
    pub ocl_command_queue: mfxHDL,
    pub reserved: [mfxHDL; 8],
}

pub(crate) type ImportFrameSurfaceFn = unsafe extern "C" fn(
    *mut mfxMemoryInterface,
    mfxSurfaceComponent,
    *mut mfxSurfaceHeader,
    *mut *mut mfxFrameSurface1,
) -> mfxStatus;

#[repr(C)]
#[derive(Clone, Copy)]
pub(crate) struct mfxMemoryInterface {
    pub Context: mfxHDL,
    pub Version: mfxStructVersion,
    pub ImportFrameSurface: Option<ImportFrameSurfaceFn>,
    pub GetBitstreamBuffer: Option<unsafe extern "C" fn(*mut mfxMemoryInterface, *mut mfxBitstream) -> mfxStatus>,
    pub reserved: [mfxHDL; 15],
}

/// `mfxFrameSurfaceInterface::Export` (API 2.10), in the first `reserved2` slot of the 2.8 header.
pub(crate) type ExportFn =
    unsafe extern "C" fn(*mut mfxFrameSurface1, mfxSurfaceHeader, *mut *mut mfxSurfaceHeader) -> mfxStatus;

#[repr(C)]
pub(crate) struct mfxSurfaceTypesSupported {
    pub Version: mfxStructVersion,
    pub NumSurfaceTypes: mfxU16,
    pub SurfaceTypes: *mut SurfaceType,
    pub reserved: [mfxU32; 4],
}

/// `mfxSurfaceTypesSupported::surftype`.
#[repr(C)]
pub(crate) struct SurfaceType {
    pub SurfaceType: mfxSurfaceType,
    pub reserved: [mfxU32; 6],
    pub NumSurfaceComponents: mfxU16,
    pub SurfaceComponents: *mut SurfaceComponent,
}

/// `mfxSurfaceTypesSupported::surftype::surfcomp`.
#[repr(C)]
pub(crate) struct SurfaceComponent {
    pub SurfaceComponent: mfxSurfaceComponent,
    pub SurfaceFlags: mfxU32,
    pub reserved: [mfxU32; 7],
}

// The sizes and offsets of `../shared/spec/sharing-abi.md` (x86-64).
#[cfg(target_pointer_width = "64")]
const _: () = {
    assert!(size_of::<mfxSurfaceHeader>() == 48);
    assert!(offset_of!(mfxSurfaceHeader, SurfaceFlags) == 4);
    assert!(offset_of!(mfxSurfaceHeader, StructSize) == 8);
    assert!(offset_of!(mfxSurfaceHeader, NumExtParam) == 12);
    assert!(offset_of!(mfxSurfaceHeader, ExtParam) == 16);
    assert!(offset_of!(mfxSurfaceHeader, reserved) == 24);
    assert!(size_of::<mfxSurfaceInterface>() == 184);
    assert!(offset_of!(mfxSurfaceInterface, Version) == 48);
    assert!(offset_of!(mfxSurfaceInterface, Context) == 56);
    assert!(offset_of!(mfxSurfaceInterface, AddRef) == 64);
    assert!(offset_of!(mfxSurfaceInterface, Release) == 72);
    assert!(offset_of!(mfxSurfaceInterface, GetRefCounter) == 80);
    assert!(offset_of!(mfxSurfaceInterface, Synchronize) == 88);
    assert!(offset_of!(mfxSurfaceInterface, reserved) == 96);
    assert!(size_of::<mfxMemoryInterface>() == 152);
    assert!(offset_of!(mfxMemoryInterface, Version) == 8);
    assert!(offset_of!(mfxMemoryInterface, ImportFrameSurface) == 16);
    assert!(offset_of!(mfxMemoryInterface, GetBitstreamBuffer) == 24);
    assert!(offset_of!(mfxMemoryInterface, reserved) == 32);
    assert!(size_of::<mfxSurfaceOpenCLImg2D>() == 304);
    assert!(offset_of!(mfxSurfaceOpenCLImg2D, ocl_context) == 184);
    assert!(offset_of!(mfxSurfaceOpenCLImg2D, ocl_command_queue) == 192);
    assert!(offset_of!(mfxSurfaceOpenCLImg2D, ocl_image) == 200);
    assert!(offset_of!(mfxSurfaceOpenCLImg2D, ocl_image_num) == 232);
    assert!(size_of::<mfxSurfaceVulkanImg2D>() == 304);
    assert!(offset_of!(mfxSurfaceVulkanImg2D, instance) == 184);
    assert!(offset_of!(mfxSurfaceVulkanImg2D, physicalDevice) == 192);
    assert!(offset_of!(mfxSurfaceVulkanImg2D, device) == 200);
    assert!(offset_of!(mfxSurfaceVulkanImg2D, image2D) == 208);
    assert!(offset_of!(mfxSurfaceVulkanImg2D, image2DMemory) == 216);
    assert!(size_of::<mfxExtSurfaceVulkanImg2DExportDescription>() == 88);
    assert!(offset_of!(mfxExtSurfaceVulkanImg2DExportDescription, instance) == 8);
    assert!(offset_of!(mfxExtSurfaceVulkanImg2DExportDescription, physicalDevice) == 16);
    assert!(offset_of!(mfxExtSurfaceVulkanImg2DExportDescription, device) == 24);
    assert!(size_of::<mfxExtSurfaceOpenCLImg2DExportDescription>() == 88);
    assert!(offset_of!(mfxExtSurfaceOpenCLImg2DExportDescription, ocl_context) == 8);
    assert!(offset_of!(mfxExtSurfaceOpenCLImg2DExportDescription, ocl_command_queue) == 16);
    assert!(offset_of!(mfxExtSurfaceOpenCLImg2DExportDescription, reserved) == 24);
    assert!(size_of::<mfxSurfaceTypesSupported>() == 32);
    assert!(offset_of!(mfxSurfaceTypesSupported, NumSurfaceTypes) == 2);
    assert!(offset_of!(mfxSurfaceTypesSupported, SurfaceTypes) == 8);
    assert!(offset_of!(mfxSurfaceTypesSupported, reserved) == 16);
    assert!(size_of::<SurfaceType>() == 40);
    assert!(offset_of!(SurfaceType, NumSurfaceComponents) == 28);
    assert!(offset_of!(SurfaceType, SurfaceComponents) == 32);
    assert!(size_of::<SurfaceComponent>() == 36);
    assert!(offset_of!(SurfaceComponent, SurfaceFlags) == 4);
};
