/* Surface sharing with OpenCL through Intel's dispatcher, as the oneVPL document's snippets do it
 * with OpenCL in place of D3D11/VA-API: export a decoded frame, a VPP input and a VPP output and
 * compare the images with Map; write with a kernel and see it through Map; import for VPP input
 * and for encode (B-frames holding imported surfaces), the images' reference counts back where
 * they were; every bad input answers its documented code. The capability report is read from the
 * library directly (Debian's 2.8 dispatcher does not pass format 5 through).
 *
 * Usage: sharing_opencl LIBVPLRS H264FILE [OUT]  (an OpenCL device is required; OUT: the H.264
 *                                                 encoded from imported images, frame i flat
 *                                                 luma 16 + 16 i, chroma 128)
 *        sharing_opencl LIBVPLRS none            (no OpenCL: nothing listed, UNSUPPORTED) */
#define _DEFAULT_SOURCE
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>

#include "sharing_common.h"

#define W 320
#define H 240

static cl_context g_context;
static cl_command_queue g_queue;

static void opencl_open(void) {
    cl_platform_id platform;
    cl_device_id device;
    REQUIRE(clGetPlatformIDs(1, &platform, NULL) == CL_SUCCESS);
    REQUIRE(clGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 1, &device, NULL) == CL_SUCCESS);
    cl_int err;
    g_context = clCreateContext(NULL, 1, &device, NULL, NULL, &err);
    REQUIRE(err == CL_SUCCESS);
    g_queue = clCreateCommandQueue(g_context, device, 0, &err);
    REQUIRE(err == CL_SUCCESS);
}

static cl_uint references(cl_mem image) {
    cl_uint count = 0;
    REQUIRE(clGetMemObjectInfo(image, CL_MEM_REFERENCE_COUNT, sizeof(count), &count, NULL) == CL_SUCCESS);
    return count;
}

/* Writes value/255 to every texel of a CL_R image with a kernel, and waits. */
static void fill(cl_mem image, size_t w, size_t h, int value) {
    static cl_kernel kernel;
    if (!kernel) {
        const char *source = "__kernel void fill(__write_only image2d_t d, float v) {"
                             " write_imagef(d, (int2)(get_global_id(0), get_global_id(1)), (float4)(v, 0, 0, 1)); }";
        cl_int err;
        cl_program program = clCreateProgramWithSource(g_context, 1, &source, NULL, &err);
        REQUIRE(err == CL_SUCCESS && clBuildProgram(program, 0, NULL, "", NULL, NULL) == CL_SUCCESS);
        kernel = clCreateKernel(program, "fill", &err);
        REQUIRE(err == CL_SUCCESS);
        clReleaseProgram(program);
    }
    float v = (float)value / 255.0f;
    size_t size[2] = {w, h};
    REQUIRE(clSetKernelArg(kernel, 0, sizeof(cl_mem), &image) == CL_SUCCESS);
    REQUIRE(clSetKernelArg(kernel, 1, sizeof(float), &v) == CL_SUCCESS);
    REQUIRE(clEnqueueNDRangeKernel(g_queue, kernel, 2, NULL, size, NULL, 0, NULL, NULL) == CL_SUCCESS);
    REQUIRE(clFinish(g_queue) == CL_SUCCESS);
}

static cl_mem new_image(size_t w, size_t h) {
    cl_image_format format = {CL_R, CL_UNORM_INT8};
    cl_image_desc desc;
    memset(&desc, 0, sizeof(desc));
    desc.image_type = CL_MEM_OBJECT_IMAGE2D;
    desc.image_width = w;
    desc.image_height = h;
    cl_int err;
    cl_mem image = clCreateImage(g_context, CL_MEM_READ_WRITE, &format, &desc, NULL, &err);
    REQUIRE(err == CL_SUCCESS);
    return image;
}

/* True if plane `index` (rows of `w` bytes) of an exported image equals the mapped surface's. */
static int image_matches_map(mfxFrameSurface1 *surface, cl_mem image, int index, size_t w, size_t h) {
    mfxU8 *bytes = malloc(w * h);
    size_t origin[3] = {0, 0, 0}, region[3] = {w, h, 1};
    REQUIRE(clEnqueueReadImage(g_queue, image, CL_TRUE, origin, region, w, 0, bytes, 0, NULL, NULL) == CL_SUCCESS);
    CHECK_STS(surface->FrameInterface->Map(surface, MFX_MAP_READ), MFX_ERR_NONE);
    const mfxU8 *plane = index == 0 ? surface->Data.Y : surface->Data.UV;
    int same = 1;
    for (size_t y = 0; y < h; y++) same &= memcmp(bytes + y * w, plane + y * surface->Data.Pitch, w) == 0;
    CHECK_STS(surface->FrameInterface->Unmap(surface), MFX_ERR_NONE);
    free(bytes);
    return same;
}

static mfxSurfaceOpenCLImg2D *export_opencl(mfxFrameSurface1 *surface, mfxU32 flags, mfxStatus expected) {
    mfxExtSurfaceOpenCLImg2DExportDescription desc;
    memset(&desc, 0, sizeof(desc));
    desc.Header.BufferId = MFX_EXTBUFF_EXPORT_SHARING_DESC_OCL;
    desc.Header.BufferSz = sizeof(desc);
    desc.ocl_context = g_context;
    desc.ocl_command_queue = g_queue;
    mfxSurfaceOpenCLImg2D *exported = NULL;
    CHECK_STS(export_with(surface, MFX_SURFACE_TYPE_OPENCL_IMG2D, flags, &desc.Header, (mfxSurfaceHeader **)&exported),
              expected);
    return exported;
}

/* The first picture of an H.264 file, decoded into a runtime surface (NULL work surface). */
static mfxFrameSurface1 *decode_first(mfxSession session, const char *path) {
    size_t size = 0;
    static mfxU8 *data;
    data = read_file(path, &size);
    mfxBitstream bs = whole_bitstream(data, size);
    mfxVideoParam par = decode_param(MFX_CODEC_AVC);
    CHECK_STS(MFXVideoDECODE_DecodeHeader(session, &bs, &par), MFX_ERR_NONE);
    par.IOPattern = MFX_IOPATTERN_OUT_SYSTEM_MEMORY;
    par.mfx.FrameInfo.FourCC = MFX_FOURCC_NV12;
    CHECK_STS(MFXVideoDECODE_Init(session, &par), MFX_ERR_NONE);
    for (int calls = 0; calls < 1000; calls++) {
        mfxFrameSurface1 *out = NULL;
        mfxSyncPoint sync = NULL;
        mfxStatus sts = MFXVideoDECODE_DecodeFrameAsync(session, bs.DataLength ? &bs : NULL, NULL, &out, &sync);
        if (sts == MFX_ERR_NONE) return out;
        REQUIRE(sts == MFX_ERR_MORE_DATA || sts == MFX_ERR_MORE_SURFACE || sts == MFX_WRN_VIDEO_PARAM_CHANGED);
    }
    REQUIRE(0);
    return NULL;
}

static void exports(mfxSession session, const char *h264) {
    /* A decoded frame: shared, the images equal to Map, alive after the surface is released. */
    mfxFrameSurface1 *decoded = decode_first(session, h264);
    mfxSurfaceOpenCLImg2D *exported =
        export_opencl(decoded, MFX_SURFACE_FLAG_EXPORT_SHARED | MFX_SURFACE_FLAG_EXPORT_COPY, MFX_ERR_NONE);
    REQUIRE(exported);
    CHECK(exported->SurfaceInterface.Header.SurfaceType == MFX_SURFACE_TYPE_OPENCL_IMG2D);
    CHECK(exported->SurfaceInterface.Header.SurfaceFlags == MFX_SURFACE_FLAG_EXPORT_SHARED);
    CHECK(exported->SurfaceInterface.Header.StructSize == sizeof(mfxSurfaceOpenCLImg2D));
    CHECK(exported->ocl_context == g_context && exported->ocl_command_queue == g_queue);
    printf("exported %u images of a %.4s surface\n", exported->ocl_image_num, (char *)&decoded->Info.FourCC);
    CHECK(exported->ocl_image_num == 2);
    mfxSurfaceInterface *si = &exported->SurfaceInterface;
    CHECK_STS(si->Synchronize(si, 10000), MFX_ERR_NONE);
    mfxU16 w = decoded->Info.Width, h = decoded->Info.Height;
    CHECK(image_matches_map(decoded, exported->ocl_image[0], 0, w, h));
    CHECK(image_matches_map(decoded, exported->ocl_image[1], 1, w, h / 2));
    /* A copy, and the runtime's own context when the header names none. */
    mfxSurfaceHeader plain;
    memset(&plain, 0, sizeof(plain));
    plain.SurfaceType = MFX_SURFACE_TYPE_OPENCL_IMG2D;
    plain.SurfaceFlags = MFX_SURFACE_FLAG_EXPORT_COPY;
    mfxSurfaceOpenCLImg2D *copied = NULL;
    CHECK_STS(VPLRS_EXPORT(decoded)(decoded, plain, (mfxSurfaceHeader **)&copied), MFX_ERR_NONE);
    CHECK(copied && copied->SurfaceInterface.Header.SurfaceFlags == MFX_SURFACE_FLAG_EXPORT_COPY);
    CHECK(copied && copied->ocl_context != NULL && copied->ocl_context != g_context);
    CHECK_STS(copied->SurfaceInterface.Release(&copied->SurfaceInterface), MFX_ERR_NONE);
    /* Bad requests. */
    mfxSurfaceHeader bad = plain;
    bad.SurfaceType = MFX_SURFACE_TYPE_VAAPI;
    CHECK_STS(VPLRS_EXPORT(decoded)(decoded, bad, (mfxSurfaceHeader **)&copied), MFX_ERR_UNSUPPORTED);
    bad.SurfaceType = MFX_SURFACE_TYPE_VULKAN_IMG2D;
    CHECK_STS(VPLRS_EXPORT(decoded)(decoded, bad, (mfxSurfaceHeader **)&copied), MFX_ERR_UNSUPPORTED);
    bad = plain;
    bad.SurfaceFlags = MFX_SURFACE_FLAG_IMPORT_SHARED;
    CHECK_STS(VPLRS_EXPORT(decoded)(decoded, bad, (mfxSurfaceHeader **)&copied), MFX_ERR_UNSUPPORTED);
    bad = plain;
    bad.NumExtParam = 1;
    CHECK_STS(VPLRS_EXPORT(decoded)(decoded, bad, (mfxSurfaceHeader **)&copied), MFX_ERR_NULL_PTR);
    CHECK_STS(VPLRS_EXPORT(decoded)(decoded, plain, NULL), MFX_ERR_NULL_PTR);
    CHECK_STS(VPLRS_EXPORT(decoded)(NULL, plain, (mfxSurfaceHeader **)&copied), MFX_ERR_NULL_PTR);
    /* Release order: the surface first, the export keeps the frame. */
    mfxU8 *chroma = malloc((size_t)w * h / 2);
    size_t origin[3] = {0, 0, 0}, region[3] = {w, h / 2, 1};
    REQUIRE(clEnqueueReadImage(g_queue, exported->ocl_image[1], CL_TRUE, origin, region, w, 0, chroma, 0, NULL, NULL) == CL_SUCCESS);
    CHECK_STS(decoded->FrameInterface->Release(decoded), MFX_ERR_NONE);
    mfxU8 *again = malloc((size_t)w * h / 2);
    REQUIRE(clEnqueueReadImage(g_queue, exported->ocl_image[1], CL_TRUE, origin, region, w, 0, again, 0, NULL, NULL) == CL_SUCCESS);
    CHECK(memcmp(chroma, again, (size_t)w * h / 2) == 0);
    free(chroma);
    free(again);
    mfxU32 counter = 0;
    CHECK_STS(si->AddRef(si), MFX_ERR_NONE);
    CHECK_STS(si->GetRefCounter(si, &counter), MFX_ERR_NONE);
    CHECK(counter == 2);
    CHECK_STS(si->Release(si), MFX_ERR_NONE);
    CHECK_STS(si->Release(si), MFX_ERR_NONE);
    CHECK_STS(si->Release(si), MFX_ERR_UNDEFINED_BEHAVIOR);
    CHECK_STS(si->GetRefCounter(si, NULL), MFX_ERR_NULL_PTR);
    CHECK_STS(MFXVideoDECODE_Close(session), MFX_ERR_NONE);

    /* A VPP input written by a kernel is what Map and VPP read; the VPP output exported. */
    mfxVideoParam vpp;
    vpp_params(&vpp, MFX_FOURCC_NV12, MFX_FOURCC_NV12, W, H, W, H);
    CHECK_STS(MFXVideoVPP_Init(session, &vpp), MFX_ERR_NONE);
    mfxFrameSurface1 *input = NULL;
    CHECK_STS(MFXMemory_GetSurfaceForVPP(session, &input), MFX_ERR_NONE);
    mfxSurfaceOpenCLImg2D *in = export_opencl(input, MFX_SURFACE_FLAG_DEFAULT, MFX_ERR_NONE);
    CHECK(in->SurfaceInterface.Header.SurfaceFlags == MFX_SURFACE_FLAG_EXPORT_SHARED);
    fill(in->ocl_image[0], W, H, 77);
    fill(in->ocl_image[1], W, H / 2, 128);
    CHECK_STS(input->FrameInterface->Map(input, MFX_MAP_READ), MFX_ERR_NONE);
    CHECK(input->Data.Y[0] == 77 && input->Data.Y[(H - 1) * input->Data.Pitch + W - 1] == 77);
    CHECK_STS(input->FrameInterface->Unmap(input), MFX_ERR_NONE);
    CHECK_STS(in->SurfaceInterface.Release(&in->SurfaceInterface), MFX_ERR_NONE);
    mfxFrameSurface1 *output = NULL;
    CHECK_STS(MFXVideoVPP_ProcessFrameAsync(session, input, &output), MFX_ERR_NONE);
    CHECK_STS(input->FrameInterface->Release(input), MFX_ERR_NONE);
    mfxSurfaceOpenCLImg2D *out = export_opencl(output, MFX_SURFACE_FLAG_EXPORT_SHARED, MFX_ERR_NONE);
    CHECK_STS(out->SurfaceInterface.Synchronize(&out->SurfaceInterface, 10000), MFX_ERR_NONE);
    CHECK(image_matches_map(output, out->ocl_image[0], 0, W, H));
    CHECK_STS(output->FrameInterface->Map(output, MFX_MAP_READ), MFX_ERR_NONE);
    CHECK(output->Data.Y[W / 2] == 77);
    CHECK_STS(output->FrameInterface->Unmap(output), MFX_ERR_NONE);
    CHECK_STS(output->FrameInterface->Release(output), MFX_ERR_NONE);
    CHECK_STS(out->SurfaceInterface.Release(&out->SurfaceInterface), MFX_ERR_NONE);
    CHECK_STS(MFXVideoVPP_Close(session), MFX_ERR_NONE);
}

static mfxStatus import(mfxMemoryInterface *memory, mfxSurfaceComponent component, cl_mem luma, cl_mem chroma,
                        mfxU32 flags, mfxFrameSurface1 **out, mfxU32 *done) {
    mfxSurfaceOpenCLImg2D surface;
    memset(&surface, 0, sizeof(surface));
    surface.SurfaceInterface.Header.SurfaceType = MFX_SURFACE_TYPE_OPENCL_IMG2D;
    surface.SurfaceInterface.Header.SurfaceFlags = flags;
    surface.SurfaceInterface.Header.StructSize = sizeof(surface);
    surface.ocl_context = g_context;
    surface.ocl_command_queue = g_queue;
    surface.ocl_image_num = 2;
    surface.ocl_image[0] = luma;
    surface.ocl_image[1] = chroma;
    mfxStatus sts = memory->ImportFrameSurface(memory, component, &surface.SurfaceInterface.Header, out);
    if (done) *done = surface.SurfaceInterface.Header.SurfaceFlags;
    return sts;
}

static FILE *g_encoded;

static void imports(mfxSession session, mfxMemoryInterface *memory) {
    cl_mem luma = new_image(W, H), chroma = new_image(W, H / 2);
    fill(luma, W, H, 40);
    fill(chroma, W, H / 2, 90);
    cl_uint before = references(luma);
    mfxFrameSurface1 *imported = NULL;
    mfxU32 done = 0;
    /* Before the component is initialised. */
    CHECK_STS(import(memory, MFX_SURFACE_COMPONENT_VPP_INPUT, luma, chroma, 0, &imported, NULL), MFX_ERR_NOT_INITIALIZED);
    mfxVideoParam vpp;
    vpp_params(&vpp, MFX_FOURCC_NV12, MFX_FOURCC_NV12, W, H, W, H);
    CHECK_STS(MFXVideoVPP_Init(session, &vpp), MFX_ERR_NONE);
    CHECK_STS(import(memory, MFX_SURFACE_COMPONENT_VPP_INPUT, luma, chroma,
                     MFX_SURFACE_FLAG_IMPORT_SHARED | MFX_SURFACE_FLAG_IMPORT_COPY, &imported, &done),
              MFX_ERR_NONE);
    CHECK(done == MFX_SURFACE_FLAG_IMPORT_SHARED);
    CHECK(references(luma) > before);
    mfxFrameSurface1 *output = NULL;
    CHECK_STS(MFXVideoVPP_ProcessFrameAsync(session, imported, &output), MFX_ERR_NONE);
    CHECK_STS(imported->FrameInterface->Release(imported), MFX_ERR_NONE);
    CHECK_STS(output->FrameInterface->Synchronize(output, 10000), MFX_ERR_NONE);
    CHECK_STS(output->FrameInterface->Map(output, MFX_MAP_READ), MFX_ERR_NONE);
    CHECK(output->Data.Y[0] == 40 && output->Data.UV[W - 1] == 90);
    CHECK_STS(output->FrameInterface->Unmap(output), MFX_ERR_NONE);
    CHECK_STS(output->FrameInterface->Release(output), MFX_ERR_NONE);
    CHECK(references(luma) == before);
    /* A copy holds nothing of the application's. */
    CHECK_STS(import(memory, MFX_SURFACE_COMPONENT_VPP_INPUT, luma, chroma, MFX_SURFACE_FLAG_IMPORT_COPY, &imported, &done),
              MFX_ERR_NONE);
    CHECK(done == MFX_SURFACE_FLAG_IMPORT_COPY);
    CHECK(references(luma) == before);
    CHECK_STS(imported->FrameInterface->Release(imported), MFX_ERR_NONE);

    /* Bad inputs. */
    CHECK_STS(import(memory, MFX_SURFACE_COMPONENT_DECODE, luma, chroma, 0, &imported, NULL), MFX_ERR_UNSUPPORTED);
    CHECK_STS(import(memory, MFX_SURFACE_COMPONENT_VPP_OUTPUT, luma, chroma, 0, &imported, NULL), MFX_ERR_UNSUPPORTED);
    CHECK_STS(import(memory, MFX_SURFACE_COMPONENT_VPP_INPUT, luma, NULL, 0, &imported, NULL), MFX_ERR_NULL_PTR);
    CHECK_STS(import(memory, MFX_SURFACE_COMPONENT_VPP_INPUT, luma, chroma, MFX_SURFACE_FLAG_EXPORT_SHARED, &imported, NULL),
              MFX_ERR_UNSUPPORTED);
    CHECK_STS(import(memory, MFX_SURFACE_COMPONENT_VPP_INPUT, luma, chroma, 0, NULL, NULL), MFX_ERR_NULL_PTR);
    cl_mem small_luma = new_image(W / 2, H / 2), small_chroma = new_image(W / 2, H / 4);
    CHECK_STS(import(memory, MFX_SURFACE_COMPONENT_VPP_INPUT, small_luma, small_chroma, 0, &imported, NULL), MFX_ERR_UNSUPPORTED);
    CHECK_STS(import(memory, MFX_SURFACE_COMPONENT_VPP_INPUT, chroma, luma, 0, &imported, NULL), MFX_ERR_UNSUPPORTED);
    CHECK(references(small_luma) == 1 && references(luma) == before);
    mfxSurfaceOpenCLImg2D wrong;
    memset(&wrong, 0, sizeof(wrong));
    wrong.SurfaceInterface.Header.SurfaceType = MFX_SURFACE_TYPE_D3D11_TEX2D;
    wrong.SurfaceInterface.Header.StructSize = 248;
    CHECK_STS(memory->ImportFrameSurface(memory, MFX_SURFACE_COMPONENT_ENCODE, &wrong.SurfaceInterface.Header, &imported),
              MFX_ERR_UNSUPPORTED);
    wrong.SurfaceInterface.Header.SurfaceType = MFX_SURFACE_TYPE_OPENCL_IMG2D;
    CHECK_STS(memory->ImportFrameSurface(memory, MFX_SURFACE_COMPONENT_VPP_INPUT, &wrong.SurfaceInterface.Header, &imported),
              MFX_ERR_UNSUPPORTED);
    wrong.SurfaceInterface.Header.StructSize = sizeof(wrong);
    wrong.SurfaceInterface.Header.NumExtParam = 1;
    CHECK_STS(memory->ImportFrameSurface(memory, MFX_SURFACE_COMPONENT_VPP_INPUT, &wrong.SurfaceInterface.Header, &imported),
              MFX_ERR_NULL_PTR);
    CHECK_STS(memory->ImportFrameSurface(memory, MFX_SURFACE_COMPONENT_VPP_INPUT, NULL, &imported), MFX_ERR_NULL_PTR);
    CHECK_STS(memory->ImportFrameSurface(NULL, MFX_SURFACE_COMPONENT_VPP_INPUT, &wrong.SurfaceInterface.Header, &imported),
              MFX_ERR_NULL_PTR);
    clReleaseMemObject(small_luma);
    clReleaseMemObject(small_chroma);
    CHECK_STS(MFXVideoVPP_Close(session), MFX_ERR_NONE);

    /* Encode with B-frames from imported frames; the application drops its image references
       right after each import (the runtime holds what it uses). */
    mfxVideoParam enc;
    memset(&enc, 0, sizeof(enc));
    enc.mfx.CodecId = MFX_CODEC_AVC;
    enc.mfx.RateControlMethod = MFX_RATECONTROL_CQP;
    enc.mfx.QPI = enc.mfx.QPP = enc.mfx.QPB = 26;
    enc.mfx.GopRefDist = 3;
    enc.mfx.GopPicSize = 12;
    frame_info(&enc.mfx.FrameInfo, MFX_FOURCC_NV12, W, H);
    enc.IOPattern = MFX_IOPATTERN_IN_SYSTEM_MEMORY;
    CHECK_STS(MFXVideoENCODE_Init(session, &enc), MFX_ERR_NONE);
    mfxBitstream bs;
    memset(&bs, 0, sizeof(bs));
    bs.MaxLength = 4 << 20;
    bs.Data = malloc(bs.MaxLength);
    int pictures = 0;
    size_t bytes = 0;
    for (int i = 0; i <= 12; i++) {
        mfxFrameSurface1 *surface = NULL;
        if (i < 12) {
            cl_mem y = new_image(W, H), uv = new_image(W, H / 2);
            fill(y, W, H, 16 + i * 16);
            fill(uv, W, H / 2, 128);
            CHECK_STS(import(memory, MFX_SURFACE_COMPONENT_ENCODE, y, uv, 0, &surface, &done), MFX_ERR_NONE);
            CHECK(done == MFX_SURFACE_FLAG_IMPORT_SHARED);
            clReleaseMemObject(y);
            clReleaseMemObject(uv);
        }
        for (;;) {
            mfxSyncPoint sync = NULL;
            mfxStatus sts = MFXVideoENCODE_EncodeFrameAsync(session, NULL, surface, &bs, &sync);
            if (sts == MFX_ERR_NONE) {
                CHECK_STS(MFXVideoCORE_SyncOperation(session, sync, 10000), MFX_ERR_NONE);
                if (g_encoded) fwrite(bs.Data + bs.DataOffset, 1, bs.DataLength, g_encoded);
                bytes += bs.DataLength;
                pictures++;
                bs.DataLength = bs.DataOffset = 0;
                if (surface) break;
            } else {
                CHECK(sts == MFX_ERR_MORE_DATA);
                break;
            }
        }
        if (surface) CHECK_STS(surface->FrameInterface->Release(surface), MFX_ERR_NONE);
    }
    CHECK(pictures == 12 && bytes > 0);
    printf("encoded %d pictures from imported images, %zu bytes\n", pictures, bytes);
    CHECK_STS(MFXVideoENCODE_Close(session), MFX_ERR_NONE);
    free(bs.Data);
    clReleaseMemObject(luma);
    clReleaseMemObject(chroma);
}

int main(int argc, char **argv) {
    REQUIRE(argc == 3 || argc == 4);
    if (argc == 4) REQUIRE((g_encoded = fopen(argv[3], "wb")) != NULL);
    int opencl = strcmp(argv[2], "none") != 0;
    /* PoCL works on host memory: shared and copy both ways. */
    CHECK(surface_type_listed(argv[1], MFX_SURFACE_TYPE_OPENCL_IMG2D, SHARED_OR_COPY_IN, SHARED_OR_COPY_OUT) == opencl);
    mfxLoader loader = NULL;
    mfxSession session = open_vplrs(&loader);
    mfxMemoryInterface *memory = NULL;
    CHECK_STS(MFXGetMemoryInterface(session, &memory), MFX_ERR_NONE);
    REQUIRE(memory && memory->ImportFrameSurface);
    CHECK(memory->Version.Major == 1 && memory->Version.Minor == 1);
    mfxBitstream bitstream;
    memset(&bitstream, 0, sizeof(bitstream));
    REQUIRE(memory->GetBitstreamBuffer);
    CHECK_STS(memory->GetBitstreamBuffer(memory, &bitstream), MFX_ERR_UNSUPPORTED);
    CHECK_STS(memory->GetBitstreamBuffer(memory, NULL), MFX_ERR_NULL_PTR);
    mfxMemoryInterface *again = NULL;
    CHECK_STS(MFXGetMemoryInterface(session, &again), MFX_ERR_NONE);
    CHECK(again == memory);
    if (opencl) {
        opencl_open();
        exports(session, argv[2]);
        imports(session, memory);
        clReleaseCommandQueue(g_queue);
        clReleaseContext(g_context);
    } else {
        export_refused_without_driver(session, MFX_FOURCC_NV12, MFX_SURFACE_TYPE_OPENCL_IMG2D);
    }
    CHECK_STS(MFXClose(session), MFX_ERR_NONE);
    MFXUnload(loader);
    if (g_encoded) fclose(g_encoded);
    return finish("sharing_opencl") ? 1 : 0;
}
