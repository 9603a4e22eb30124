/* Drives libvplrs.so directly (dlopen, no dispatcher): what the dispatcher cannot pass on safely,
 * such as session handles that are not sessions, and the raw description handles. */
#include <dlfcn.h>
#include <stdint.h>
#include <string.h>
#include "vpl/mfx.h"
#include "check.h"

#define LOAD(handle, name) \
    name##_fn name = (name##_fn)dlsym(handle, #name); REQUIRE(name != NULL)

typedef mfxStatus (*MFXInitialize_fn)(mfxInitializationParam, mfxSession *);
typedef mfxStatus (*MFXInit_fn)(mfxIMPL, mfxVersion *, mfxSession *);
typedef mfxStatus (*MFXClose_fn)(mfxSession);
typedef mfxStatus (*MFXQueryIMPL_fn)(mfxSession, mfxIMPL *);
typedef mfxStatus (*MFXQueryVersion_fn)(mfxSession, mfxVersion *);
typedef mfxStatus (*MFXJoinSession_fn)(mfxSession, mfxSession);
typedef mfxStatus (*MFXDisjoinSession_fn)(mfxSession);
typedef mfxStatus (*MFXSetPriority_fn)(mfxSession, mfxPriority);
typedef mfxStatus (*MFXGetPriority_fn)(mfxSession, mfxPriority *);
typedef mfxHDL *(*MFXQueryImplsDescription_fn)(mfxImplCapsDeliveryFormat, mfxU32 *);
typedef mfxStatus (*MFXReleaseImplDescription_fn)(mfxHDL);
typedef mfxStatus (*MFXVideoVPP_Init_fn)(mfxSession, mfxVideoParam *);
typedef mfxStatus (*MFXVideoVPP_Close_fn)(mfxSession);
typedef mfxStatus (*MFXVideoCORE_SyncOperation_fn)(mfxSession, mfxSyncPoint, mfxU32);
typedef mfxStatus (*MFXVideoCORE_GetHandle_fn)(mfxSession, mfxHandleType, mfxHDL *);
typedef mfxStatus (*MFXVideoCORE_SetHandle_fn)(mfxSession, mfxHandleType, mfxHDL);
typedef mfxStatus (*MFXVideoCORE_QueryPlatform_fn)(mfxSession, mfxPlatform *);
typedef mfxStatus (*MFXMemory_GetSurfaceForVPP_fn)(mfxSession, mfxFrameSurface1 **);
typedef mfxStatus (*MFXMemory_GetSurfaceForEncode_fn)(mfxSession, mfxFrameSurface1 **);
typedef mfxStatus (*MFXVideoDECODE_Init_fn)(mfxSession, mfxVideoParam *);

int main(int argc, char **argv) {
    REQUIRE(argc == 2);
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    REQUIRE(lib != NULL);
    LOAD(lib, MFXInitialize);
    LOAD(lib, MFXInit);
    LOAD(lib, MFXClose);
    LOAD(lib, MFXQueryIMPL);
    LOAD(lib, MFXQueryVersion);
    LOAD(lib, MFXJoinSession);
    LOAD(lib, MFXDisjoinSession);
    LOAD(lib, MFXSetPriority);
    LOAD(lib, MFXGetPriority);
    LOAD(lib, MFXQueryImplsDescription);
    LOAD(lib, MFXReleaseImplDescription);
    LOAD(lib, MFXVideoVPP_Init);
    LOAD(lib, MFXVideoVPP_Close);
    LOAD(lib, MFXVideoCORE_SyncOperation);
    LOAD(lib, MFXVideoCORE_GetHandle);
    LOAD(lib, MFXVideoCORE_SetHandle);
    LOAD(lib, MFXVideoCORE_QueryPlatform);
    LOAD(lib, MFXMemory_GetSurfaceForVPP);
    LOAD(lib, MFXMemory_GetSurfaceForEncode);
    LOAD(lib, MFXVideoDECODE_Init);

    /* Description: one implementation, released handle by handle. */
    mfxU32 n = 0;
    CHECK(MFXQueryImplsDescription(MFX_IMPLCAPS_IMPLDESCSTRUCTURE, NULL) == NULL);
    CHECK(MFXQueryImplsDescription((mfxImplCapsDeliveryFormat)99, &n) == NULL);
    mfxHDL *descs = MFXQueryImplsDescription(MFX_IMPLCAPS_IMPLDESCSTRUCTURE, &n);
    REQUIRE(descs != NULL && n == 1);
    mfxImplDescription *d = (mfxImplDescription *)descs[0];
    CHECK(d->Impl == MFX_IMPL_TYPE_SOFTWARE);
    CHECK(d->ApiVersion.Major == 2 && d->ApiVersion.Minor == 10);
    CHECK(strcmp(d->ImplName, "vplrs") == 0);
    /* VP8 (four profiles), H.264 (Baseline, Main, High), H.265 (Main, Main Still Picture, Main10),
     * VP9 (0, 2), AV1 (Main), JPEG (baseline). */
    REQUIRE(d->Dec.NumCodecs == 6);
    /* Encoders: H.264, H.265, AV1 and JPEG (Debian's FFmpeg has libx264, libx265, SVT-AV1). */
    REQUIRE(d->Enc.NumCodecs == 4);
    CHECK(d->Enc.Codecs[0].CodecID == MFX_CODEC_AVC && d->Enc.Codecs[0].BiDirectionalPrediction == 1);
    CHECK(d->Enc.Codecs[1].CodecID == MFX_CODEC_HEVC && d->Enc.Codecs[1].NumProfiles == 2);
    CHECK(d->Enc.Codecs[1].Profiles[1].Profile == MFX_PROFILE_HEVC_MAIN10);
    CHECK(d->Enc.Codecs[1].Profiles[1].MemDesc[0].NumColorFormats == 1);
    CHECK(d->Enc.Codecs[1].Profiles[1].MemDesc[0].ColorFormats[0] == MFX_FOURCC_P010);
    CHECK(d->Enc.Codecs[2].CodecID == MFX_CODEC_AV1);
    CHECK(d->Enc.Codecs[3].CodecID == MFX_CODEC_JPEG && d->Enc.Codecs[3].BiDirectionalPrediction == 0);
    /* H.264: Baseline, Main, High, High 10 (P010), High 4:2:2 and High 4:4:4 (YUY2, AYUV). */
    CHECK(d->Dec.Codecs[1].CodecID == MFX_CODEC_AVC && d->Dec.Codecs[1].NumProfiles == 6);
    CHECK(d->Dec.Codecs[1].Profiles[2].Profile == MFX_PROFILE_AVC_HIGH);
    CHECK(d->Dec.Codecs[1].Profiles[3].Profile == MFX_PROFILE_AVC_HIGH10);
    CHECK(d->Dec.Codecs[1].Profiles[3].MemDesc[0].ColorFormats[0] == MFX_FOURCC_P010);
    CHECK(d->Dec.Codecs[1].Profiles[4].Profile == MFX_PROFILE_AVC_HIGH_422);
    CHECK(d->Dec.Codecs[1].Profiles[4].MemDesc[0].ColorFormats[3] == MFX_FOURCC_YUY2);
    CHECK(d->Dec.Codecs[1].Profiles[5].MemDesc[0].ColorFormats[4] == MFX_FOURCC_AYUV);
    CHECK(d->Dec.Codecs[2].CodecID == MFX_CODEC_HEVC && d->Dec.Codecs[2].NumProfiles == 4);
    CHECK(d->Dec.Codecs[2].Profiles[3].Profile == MFX_PROFILE_HEVC_REXT);
    CHECK(d->Dec.Codecs[2].Profiles[2].Profile == MFX_PROFILE_HEVC_MAIN10);
    CHECK(d->Dec.Codecs[2].Profiles[2].MemDesc[0].NumColorFormats == 1);
    CHECK(d->Dec.Codecs[2].Profiles[2].MemDesc[0].ColorFormats[0] == MFX_FOURCC_P010);
    CHECK(d->Dec.Codecs[3].CodecID == MFX_CODEC_VP9 && d->Dec.Codecs[3].NumProfiles == 4);
    CHECK(d->Dec.Codecs[3].Profiles[1].Profile == MFX_PROFILE_VP9_1);
    CHECK(d->Dec.Codecs[3].Profiles[1].MemDesc[0].NumColorFormats == 8);
    CHECK(d->Dec.Codecs[3].Profiles[2].Profile == MFX_PROFILE_VP9_2);
    CHECK(d->Dec.Codecs[3].Profiles[2].MemDesc[0].ColorFormats[0] == MFX_FOURCC_P010);
    CHECK(d->Dec.Codecs[4].CodecID == MFX_CODEC_AV1 && d->Dec.Codecs[4].NumProfiles == 1);
    CHECK(d->Dec.Codecs[4].Profiles[0].MemDesc[0].NumColorFormats == 4);
    CHECK(d->Dec.Codecs[5].CodecID == MFX_CODEC_JPEG && d->Dec.Codecs[5].NumProfiles == 1);
    CHECK(d->Dec.Codecs[5].Profiles[0].MemDesc[0].ColorFormats[3] == MFX_FOURCC_YUY2);
    CHECK(d->Dec.Codecs[2].Profiles[0].Profile == MFX_PROFILE_HEVC_MAIN);
    CHECK(d->Dec.Codecs[2].Profiles[0].MemDesc[0].NumColorFormats == 3);
    CHECK(d->Dec.Codecs[2].Profiles[0].MemDesc[0].ColorFormats[1] == MFX_FOURCC_I420);
    CHECK(d->Dec.Codecs[0].CodecID == MFX_CODEC_VP8 && d->Dec.Codecs[0].NumProfiles == 4);
    CHECK(d->Dec.Codecs[0].Profiles[0].MemDesc[0].MemHandleType == MFX_RESOURCE_SYSTEM_SURFACE);
    CHECK(d->Dec.Codecs[0].Profiles[0].MemDesc[0].NumColorFormats == 3);
    CHECK(d->Dec.Codecs[0].Profiles[0].MemDesc[0].ColorFormats[0] == MFX_FOURCC_NV12);
    CHECK(d->VPP.NumFilters >= 2);
    CHECK(d->PoolPolicies.NumPoolPolicies == 3);
    int scaling = 0;
    for (int i = 0; i < d->VPP.NumFilters; i++)
        scaling |= d->VPP.Filters[i].FilterFourCC == MFX_EXTBUFF_VPP_SCALING;
    CHECK(scaling);
    mfxHDL *funcs = MFXQueryImplsDescription(MFX_IMPLCAPS_IMPLEMENTEDFUNCTIONS, &n);
    REQUIRE(funcs != NULL && n == 1);
    mfxImplementedFunctions *f = (mfxImplementedFunctions *)funcs[0];
    int has_vpp_init = 0, has_decode = 0;
    for (int i = 0; i < f->NumFunctions; i++) {
        has_vpp_init |= strcmp(f->FunctionsName[i], "MFXVideoVPP_Init") == 0;
        has_decode |= strncmp(f->FunctionsName[i], "MFXVideoDECODE", 14) == 0;
    }
    CHECK(has_vpp_init && has_decode);
    CHECK_STS(MFXReleaseImplDescription(descs[0]), MFX_ERR_NONE);
    CHECK_STS(MFXReleaseImplDescription(funcs[0]), MFX_ERR_NONE);
    CHECK_STS(MFXReleaseImplDescription(NULL), MFX_ERR_NONE);

    /* Sessions that are not sessions. */
    mfxSession bogus = (mfxSession)(uintptr_t)0x1234;
    mfxIMPL impl = 0;
    mfxVersion ver = {{0}};
    CHECK_STS(MFXQueryIMPL(NULL, &impl), MFX_ERR_INVALID_HANDLE);
    CHECK_STS(MFXQueryIMPL(bogus, &impl), MFX_ERR_INVALID_HANDLE);
    CHECK_STS(MFXClose(bogus), MFX_ERR_INVALID_HANDLE);
    CHECK_STS(MFXVideoVPP_Init(bogus, NULL), MFX_ERR_INVALID_HANDLE);
    CHECK_STS(MFXVideoDECODE_Init(bogus, NULL), MFX_ERR_INVALID_HANDLE);
    mfxFrameSurface1 *s = NULL;
    CHECK_STS(MFXMemory_GetSurfaceForVPP(bogus, &s), MFX_ERR_INVALID_HANDLE);

    /* Session creation. */
    mfxInitializationParam par;
    memset(&par, 0, sizeof(par));
    mfxSession session = NULL;
    CHECK_STS(MFXInitialize(par, NULL), MFX_ERR_NULL_PTR);
    par.AccelerationMode = MFX_ACCEL_MODE_VIA_VAAPI;
    CHECK_STS(MFXInitialize(par, &session), MFX_ERR_UNSUPPORTED);
    par.AccelerationMode = MFX_ACCEL_MODE_NA;
    CHECK_STS(MFXInitialize(par, &session), MFX_ERR_NONE);
    REQUIRE(session != NULL);
    mfxSession hw = NULL;
    CHECK_STS(MFXInit(MFX_IMPL_HARDWARE, NULL, &hw), MFX_ERR_UNSUPPORTED);
    mfxVersion too_new = {{11, 2}};
    mfxSession other = NULL;
    CHECK_STS(MFXInit(MFX_IMPL_SOFTWARE, &too_new, &other), MFX_ERR_UNSUPPORTED);
    mfxVersion v1 = {{0, 1}};
    CHECK_STS(MFXInit(MFX_IMPL_AUTO_ANY, &v1, &other), MFX_ERR_NONE);

    CHECK_STS(MFXQueryIMPL(session, &impl), MFX_ERR_NONE);
    CHECK(impl == MFX_IMPL_SOFTWARE);
    CHECK_STS(MFXQueryIMPL(session, NULL), MFX_ERR_NULL_PTR);
    CHECK_STS(MFXQueryVersion(session, &ver), MFX_ERR_NONE);
    CHECK(ver.Major == 2 && ver.Minor == 10);

    /* Priority and join. */
    mfxPriority prio = MFX_PRIORITY_LOW;
    CHECK_STS(MFXGetPriority(session, &prio), MFX_ERR_NONE);
    CHECK(prio == MFX_PRIORITY_NORMAL);
    CHECK_STS(MFXSetPriority(session, MFX_PRIORITY_HIGH), MFX_ERR_NONE);
    CHECK_STS(MFXGetPriority(session, &prio), MFX_ERR_NONE);
    CHECK(prio == MFX_PRIORITY_HIGH);
    CHECK_STS(MFXDisjoinSession(other), MFX_ERR_UNDEFINED_BEHAVIOR);
    CHECK_STS(MFXJoinSession(session, other), MFX_ERR_NONE);
    CHECK_STS(MFXClose(session), MFX_ERR_UNDEFINED_BEHAVIOR); /* child still joined */
    CHECK_STS(MFXDisjoinSession(other), MFX_ERR_NONE);
    CHECK_STS(MFXClose(other), MFX_ERR_NONE);
    CHECK_STS(MFXClose(other), MFX_ERR_INVALID_HANDLE); /* closed: no longer a session */

    /* Core. */
    mfxHDL h = NULL;
    CHECK_STS(MFXVideoCORE_GetHandle(session, MFX_HANDLE_VA_DISPLAY, &h), MFX_ERR_UNDEFINED_BEHAVIOR);
    CHECK_STS(MFXVideoCORE_GetHandle(session, MFX_HANDLE_VA_DISPLAY, NULL), MFX_ERR_NULL_PTR);
    CHECK_STS(MFXVideoCORE_SetHandle(session, MFX_HANDLE_VA_DISPLAY, NULL), MFX_ERR_NULL_PTR);
    CHECK_STS(MFXVideoCORE_SetHandle(session, MFX_HANDLE_VA_DISPLAY, (mfxHDL)&h), MFX_ERR_NONE);
    CHECK_STS(MFXVideoCORE_SetHandle(session, MFX_HANDLE_VA_DISPLAY, (mfxHDL)&h), MFX_ERR_UNDEFINED_BEHAVIOR);
    CHECK_STS(MFXVideoCORE_GetHandle(session, MFX_HANDLE_VA_DISPLAY, &h), MFX_ERR_NONE);
    CHECK(h == (mfxHDL)&h);
    CHECK_STS(MFXVideoCORE_SyncOperation(session, NULL, 0), MFX_ERR_NULL_PTR);
    CHECK_STS(MFXVideoCORE_SyncOperation(session, (mfxSyncPoint)(uintptr_t)0xdead, 0), MFX_ERR_NOT_FOUND);
    mfxPlatform platform;
    CHECK_STS(MFXVideoCORE_QueryPlatform(session, &platform), MFX_ERR_NONE);
    CHECK(platform.MediaAdapterType == MFX_MEDIA_UNKNOWN);

    /* Components before Init. */
    CHECK_STS(MFXMemory_GetSurfaceForVPP(session, NULL), MFX_ERR_NULL_PTR);
    CHECK_STS(MFXMemory_GetSurfaceForVPP(session, &s), MFX_ERR_NOT_INITIALIZED);
    CHECK_STS(MFXMemory_GetSurfaceForEncode(session, &s), MFX_ERR_NOT_INITIALIZED);
    CHECK_STS(MFXVideoVPP_Close(session), MFX_ERR_NOT_INITIALIZED);
    CHECK_STS(MFXVideoVPP_Init(session, NULL), MFX_ERR_NULL_PTR);
    CHECK_STS(MFXVideoDECODE_Init(session, NULL), MFX_ERR_NULL_PTR);

    CHECK_STS(MFXClose(session), MFX_ERR_NONE);
    CHECK_STS(MFXClose(session), MFX_ERR_INVALID_HANDLE);
    return finish("direct_abi");
}
