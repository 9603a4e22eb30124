/* Surface sharing (oneVPL API 2.10) for programs built against older headers (Debian's 2.8).
 *
 * vplrs implements mfxFrameSurfaceInterface::Export, mfxMemoryInterface::ImportFrameSurface and
 * the MFX_IMPLCAPS_SURFACE_TYPES capability report for MFX_SURFACE_TYPE_OPENCL_IMG2D and
 * MFX_SURFACE_TYPE_VULKAN_IMG2D. With 2.10+ headers (and ONEVPL_EXPERIMENTAL) use theirs; with
 * older ones include this file after mfx.h.
 *
 * OpenCL:
 * OpenCL images, one per plane in memory order (Y, UV for NV12 and P010; Y, U, V for I420;
 * Y, V, U for YV12; one image for RGB4 / BGR4), sized as the frame is allocated:
 *   8-bit planes CL_UNORM_INT8, P010 CL_UNORM_INT16;
 *   NV12/P010 chroma CL_RG (one texel per U,V pair) where the device has CL_RG, else CL_R twice
 *   as wide (U at even x, V at odd x: the bytes as in memory) -- PoCL has no CL_RG;
 *   RGB4 (bytes B,G,R,A) CL_BGRA, BGR4 (bytes R,G,B,A) CL_RGBA.
 * Shared (no copy) on devices that work on host memory in place (CL_DEVICE_HOST_UNIFIED_MEMORY:
 * CPU devices such as PoCL, integrated GPUs); a copy otherwise, where the flags allow one.
 * Import with the same layouts; the runtime retains the images it uses and releases them when the
 * imported surface's references and Locked counter are both gone. Finish your queue's work on the
 * images before importing or before Map; Synchronize an exported surface before using its images.
 *
 * Vulkan: RGB4 as VK_FORMAT_B8G8R8A8_UNORM, BGR4 as VK_FORMAT_R8G8B8A8_UNORM, one linear image
 * (VK_IMAGE_LAYOUT_PREINITIALIZED) with its memory bound at offset 0; NV12/P010 (multi-planar)
 * answer MFX_ERR_UNSUPPORTED. Shared export imports the surface's memory with
 * VK_EXT_external_memory_host (enable it on your device), else a copy in host-visible memory.
 * Import takes a linear image in host-visible memory of the component's format and size; Vulkan
 * objects have no reference count, so keep them until the imported surface is released and its
 * Data.Locked is 0. Keep your device until every export made on it is released. */
#ifndef VPLRS_SHARING_H
#define VPLRS_SHARING_H
#include "vpl/mfx.h"

#if MFX_VERSION_MAJOR == 2 && MFX_VERSION_MINOR < 10
#ifdef __cplusplus
extern "C" {
#endif

#define MFX_HANDLE_MEMORY_INTERFACE ((mfxHandleType)1001)
#define MFX_IMPLCAPS_SURFACE_TYPES ((mfxImplCapsDeliveryFormat)5)
#define MFX_EXTBUFF_EXPORT_SHARING_DESC_OCL MFX_MAKEFOURCC('E', 'O', 'C', 'L')
#define MFX_EXTBUFF_EXPORT_SHARING_DESC_VULKAN MFX_MAKEFOURCC('E', 'V', 'U', 'L')

typedef enum {
    MFX_SURFACE_TYPE_UNKNOWN = 0,
    MFX_SURFACE_TYPE_D3D11_TEX2D = 2,
    MFX_SURFACE_TYPE_VAAPI = 3,
    MFX_SURFACE_TYPE_OPENCL_IMG2D = 4,
    MFX_SURFACE_TYPE_D3D12_TEX2D = 5,
    MFX_SURFACE_TYPE_VULKAN_IMG2D = 6,
} mfxSurfaceType;

typedef enum {
    MFX_SURFACE_COMPONENT_UNKNOWN = 0,
    MFX_SURFACE_COMPONENT_ENCODE = 1,
    MFX_SURFACE_COMPONENT_DECODE = 2,
    MFX_SURFACE_COMPONENT_VPP_INPUT = 3,
    MFX_SURFACE_COMPONENT_VPP_OUTPUT = 4,
} mfxSurfaceComponent;

enum {
    MFX_SURFACE_FLAG_DEFAULT = 0x0000,
    MFX_SURFACE_FLAG_IMPORT_SHARED = 0x0010,
    MFX_SURFACE_FLAG_IMPORT_COPY = 0x0020,
    MFX_SURFACE_FLAG_EXPORT_SHARED = 0x0100,
    MFX_SURFACE_FLAG_EXPORT_COPY = 0x0200,
};

typedef struct {
    mfxSurfaceType SurfaceType;
    mfxU32 SurfaceFlags;
    mfxU32 StructSize;
    mfxU16 NumExtParam;
    mfxExtBuffer **ExtParam;
    mfxU32 reserved[6];
} mfxSurfaceHeader;

typedef struct mfxSurfaceInterface {
    mfxSurfaceHeader Header;
    mfxStructVersion Version;
    mfxHDL Context;
    mfxStatus (*AddRef)(struct mfxSurfaceInterface *surface);
    mfxStatus (*Release)(struct mfxSurfaceInterface *surface);
    mfxStatus (*GetRefCounter)(struct mfxSurfaceInterface *surface, mfxU32 *counter);
    mfxStatus (*Synchronize)(struct mfxSurfaceInterface *surface, mfxU32 wait);
    mfxHDL reserved[11];
} mfxSurfaceInterface;

typedef struct {
    mfxSurfaceInterface SurfaceInterface;
    mfxHDL ocl_context;
    mfxHDL ocl_command_queue;
    mfxHDL ocl_image[4];
    mfxU32 ocl_image_num;
    mfxHDL reserved[8];
} mfxSurfaceOpenCLImg2D;

typedef struct {
    mfxExtBuffer Header;
    mfxHDL ocl_context;
    mfxHDL ocl_command_queue;
    mfxHDL reserved[8];
} mfxExtSurfaceOpenCLImg2DExportDescription;

typedef struct {
    mfxSurfaceInterface SurfaceInterface;
    mfxHDL instance;       /* VkInstance */
    mfxHDL physicalDevice; /* VkPhysicalDevice */
    mfxHDL device;         /* VkDevice */
    mfxHDL image2D;        /* VkImage */
    mfxHDL image2DMemory;  /* VkDeviceMemory */
    mfxHDL reserved[10];
} mfxSurfaceVulkanImg2D;

typedef struct {
    mfxExtBuffer Header;
    mfxHDL instance;
    mfxHDL physicalDevice;
    mfxHDL device;
    mfxHDL reserved[7];
} mfxExtSurfaceVulkanImg2DExportDescription;

typedef struct mfxMemoryInterface {
    mfxHDL Context;
    mfxStructVersion Version;
    mfxStatus (*ImportFrameSurface)(struct mfxMemoryInterface *memory_interface, mfxSurfaceComponent surf_component,
                                    mfxSurfaceHeader *external_surface, mfxFrameSurface1 **imported_surface);
    mfxStatus (*GetBitstreamBuffer)(struct mfxMemoryInterface *memory_interface, mfxBitstream *bitstream);
    mfxHDL reserved[15];
} mfxMemoryInterface;

#define MFXGetMemoryInterface(session, piface) \
    MFXVideoCORE_GetHandle((session), MFX_HANDLE_MEMORY_INTERFACE, (mfxHDL *)(piface))

typedef struct {
    mfxStructVersion Version;
    mfxU16 NumSurfaceTypes;
    struct surftype {
        mfxSurfaceType SurfaceType;
        mfxU32 reserved[6];
        mfxU16 NumSurfaceComponents;
        struct surfcomp {
            mfxSurfaceComponent SurfaceComponent;
            mfxU32 SurfaceFlags;
            mfxU32 reserved[7];
        } *SurfaceComponents;
    } *SurfaceTypes;
    mfxU32 reserved[4];
} mfxSurfaceTypesSupported;

/* mfxFrameSurfaceInterface::Export, the first reserved2 slot of the 2.8 structure. */
typedef mfxStatus (*vplrs_export_fn)(mfxFrameSurface1 *surface, mfxSurfaceHeader export_header,
                                     mfxSurfaceHeader **exported_surface);
#define VPLRS_EXPORT(surface) ((vplrs_export_fn)(surface)->FrameInterface->reserved2[0])

#ifdef __cplusplus
}
#endif
#endif /* API < 2.10 */
#endif /* VPLRS_SHARING_H */
