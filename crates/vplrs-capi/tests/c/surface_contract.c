/* The memory contract through Intel's dispatcher: refcount and map rules, pool policies and Wait,
 * GetSurfaceFor* before Init, bad parameters, VPP processing with runtime surfaces. */
#include "common.h"

static void fill_nv12(mfxFrameSurface1 *s, mfxU8 y, mfxU8 c) {
    mfxU16 w = s->Info.Width, h = s->Info.Height;
    for (int row = 0; row < h; row++) memset(s->Data.Y + row * s->Data.Pitch, y, w);
    for (int row = 0; row < h / 2; row++) memset(s->Data.UV + row * s->Data.Pitch, c, w);
}

static void bad_input(mfxSession session) {
    mfxFrameSurface1 *s = NULL;
    mfxVideoParam par, out;
    mfxFrameAllocRequest req[2];
    CHECK_STS(MFXMemory_GetSurfaceForVPP(session, &s), MFX_ERR_NOT_INITIALIZED);
    CHECK_STS(MFXMemory_GetSurfaceForVPPOut(session, &s), MFX_ERR_NOT_INITIALIZED);
    CHECK_STS(MFXMemory_GetSurfaceForEncode(session, &s), MFX_ERR_NOT_INITIALIZED);
    CHECK_STS(MFXMemory_GetSurfaceForDecode(session, &s), MFX_ERR_NOT_INITIALIZED);
    CHECK_STS(MFXVideoVPP_GetVideoParam(session, &par), MFX_ERR_NOT_INITIALIZED);
    mfxVPPStat stat;
    CHECK_STS(MFXVideoVPP_GetVPPStat(session, &stat), MFX_ERR_NOT_INITIALIZED);
    mfxSyncPoint sp = NULL;
    mfxFrameSurface1 dummy;
    memset(&dummy, 0, sizeof(dummy));
    CHECK_STS(MFXVideoVPP_RunFrameVPPAsync(session, &dummy, &dummy, NULL, &sp), MFX_ERR_NOT_INITIALIZED);
    CHECK_STS(MFXVideoVPP_Init(session, NULL), MFX_ERR_NULL_PTR);
    memset(&par, 0, sizeof(par)); /* CodecId 0: no such decoder */
    CHECK_STS(MFXVideoDECODE_Init(session, &par), MFX_ERR_UNSUPPORTED);
    CHECK_STS(MFXVideoENCODE_Query(session, &par, &out), MFX_ERR_UNSUPPORTED); /* CodecId 0: no such encoder */
    CHECK_STS(MFXVideoDECODE_Close(session), MFX_ERR_NOT_INITIALIZED);

    /* Query without input marks the configurable fields. */
    memset(&out, 0, sizeof(out));
    CHECK_STS(MFXVideoVPP_Query(session, NULL, &out), MFX_ERR_NONE);
    CHECK(out.vpp.In.FourCC != 0 && out.vpp.Out.Width != 0 && out.IOPattern != 0);
    /* Query with an unknown FourCC: unsupported, field zeroed. */
    vpp_params(&par, MFX_FOURCC_NV12, MFX_FOURCC_RGB4, 320, 240, 160, 120);
    par.vpp.In.FourCC = MFX_MAKEFOURCC('X', 'X', 'X', 'X');
    CHECK_STS(MFXVideoVPP_Query(session, &par, &out), MFX_ERR_UNSUPPORTED);
    CHECK(out.vpp.In.FourCC == 0);
    /* Query correcting an unaligned width. */
    vpp_params(&par, MFX_FOURCC_NV12, MFX_FOURCC_RGB4, 320, 240, 160, 120);
    par.vpp.In.Width = 330;
    CHECK_STS(MFXVideoVPP_Query(session, &par, &out), MFX_WRN_INCOMPATIBLE_VIDEO_PARAM);
    CHECK(out.vpp.In.Width == 336);
    /* Video memory is not something a CPU runtime has. */
    vpp_params(&par, MFX_FOURCC_NV12, MFX_FOURCC_RGB4, 320, 240, 160, 120);
    par.IOPattern = MFX_IOPATTERN_IN_VIDEO_MEMORY | MFX_IOPATTERN_OUT_SYSTEM_MEMORY;
    CHECK_STS(MFXVideoVPP_Query(session, &par, &out), MFX_ERR_UNSUPPORTED);
    CHECK_STS(MFXVideoVPP_Init(session, &par), MFX_ERR_INVALID_VIDEO_PARAM);
    /* Invalid sizes. */
    vpp_params(&par, MFX_FOURCC_NV12, MFX_FOURCC_RGB4, 0, 0, 160, 120);
    CHECK_STS(MFXVideoVPP_Init(session, &par), MFX_ERR_INVALID_VIDEO_PARAM);
    CHECK_STS(MFXVideoVPP_QueryIOSurf(session, &par, req), MFX_ERR_INVALID_VIDEO_PARAM);
    vpp_params(&par, MFX_FOURCC_NV12, MFX_FOURCC_RGB4, 320, 240, 160, 120);
    CHECK_STS(MFXVideoVPP_QueryIOSurf(session, &par, NULL), MFX_ERR_NULL_PTR);
    par.AsyncDepth = 3;
    CHECK_STS(MFXVideoVPP_QueryIOSurf(session, &par, req), MFX_ERR_NONE);
    CHECK(req[0].NumFrameMin >= 1 && req[0].NumFrameSuggested >= 3);
    CHECK(req[1].Info.FourCC == MFX_FOURCC_RGB4 && req[1].Info.CropW == 160);
    CHECK((req[0].Type & MFX_MEMTYPE_SYSTEM_MEMORY) && (req[0].Type & MFX_MEMTYPE_FROM_VPPIN));
}

static void refcount_and_map(mfxFrameSurface1 *s) {
    mfxFrameSurfaceInterface *fi = s->FrameInterface;
    mfxU32 count = 0;
    CHECK(s->Data.Locked == 0);
    CHECK_STS(fi->GetRefCounter(s, &count), MFX_ERR_NONE);
    CHECK(count == 1);
    CHECK_STS(fi->GetRefCounter(s, NULL), MFX_ERR_NULL_PTR);
    CHECK_STS(fi->GetRefCounter(NULL, &count), MFX_ERR_NULL_PTR);
    CHECK_STS(fi->AddRef(s), MFX_ERR_NONE);
    CHECK_STS(fi->GetRefCounter(s, &count), MFX_ERR_NONE);
    CHECK(count == 2);
    CHECK_STS(fi->Release(s), MFX_ERR_NONE);
    CHECK_STS(fi->AddRef(NULL), MFX_ERR_NULL_PTR);
    mfxFrameSurface1 stranger;
    memset(&stranger, 0, sizeof(stranger));
    stranger.FrameInterface = fi;
    CHECK_STS(fi->AddRef(&stranger), MFX_ERR_INVALID_HANDLE);

    CHECK(s->Data.Y == NULL);
    CHECK_STS(fi->Unmap(s), MFX_ERR_UNSUPPORTED);
    CHECK_STS(fi->Map(s, 0), MFX_ERR_UNSUPPORTED);
    CHECK_STS(fi->Map(s, 0x100), MFX_ERR_UNSUPPORTED);
    CHECK_STS(fi->Map(s, MFX_MAP_WRITE), MFX_ERR_NONE);
    CHECK(s->Data.Y != NULL && s->Data.UV != NULL && s->Data.V == s->Data.U + 1 && s->Data.Pitch >= s->Info.Width);
    CHECK_STS(fi->Map(s, MFX_MAP_WRITE), MFX_ERR_LOCK_MEMORY);
    CHECK_STS(fi->Map(s, MFX_MAP_READ | MFX_MAP_NOWAIT), MFX_ERR_LOCK_MEMORY);
    CHECK_STS(fi->Unmap(s), MFX_ERR_NONE);
    CHECK(s->Data.Y == NULL);
    CHECK_STS(fi->Map(s, MFX_MAP_READ), MFX_ERR_NONE);
    CHECK_STS(fi->Map(s, MFX_MAP_READ), MFX_ERR_NONE);
    CHECK_STS(fi->Map(s, MFX_MAP_WRITE), MFX_ERR_LOCK_MEMORY);
    CHECK_STS(fi->Unmap(s), MFX_ERR_NONE);
    CHECK_STS(fi->Unmap(s), MFX_ERR_NONE);
    CHECK_STS(fi->Unmap(s), MFX_ERR_UNSUPPORTED);

    mfxHDL h = NULL;
    mfxResourceType rt;
    mfxHandleType ht;
    CHECK_STS(fi->GetNativeHandle(s, &h, &rt), MFX_ERR_UNSUPPORTED);
    CHECK_STS(fi->GetNativeHandle(s, NULL, &rt), MFX_ERR_NULL_PTR);
    CHECK_STS(fi->GetDeviceHandle(s, &h, &ht), MFX_ERR_UNSUPPORTED);
    CHECK_STS(fi->GetDeviceHandle(s, &h, NULL), MFX_ERR_NULL_PTR);
    CHECK_STS(fi->Synchronize(s, 0), MFX_ERR_NONE);
    mfxGUID other = {{0}};
    mfxHDL iface = NULL;
    CHECK_STS(fi->QueryInterface(s, other, &iface), MFX_ERR_UNSUPPORTED);
    CHECK_STS(fi->QueryInterface(s, MFX_GUID_SURFACE_POOL, NULL), MFX_ERR_NULL_PTR);
}

static void pool_interface(mfxFrameSurface1 *s, mfxPoolAllocationPolicy expected, mfxU32 max) {
    mfxSurfacePoolInterface *pool = NULL;
    CHECK_STS(s->FrameInterface->QueryInterface(s, MFX_GUID_SURFACE_POOL, (mfxHDL *)&pool), MFX_ERR_NONE);
    REQUIRE(pool != NULL);
    mfxPoolAllocationPolicy policy;
    mfxU32 n = 0;
    CHECK_STS(pool->GetAllocationPolicy(pool, &policy), MFX_ERR_NONE);
    CHECK(policy == expected);
    CHECK_STS(pool->GetMaximumPoolSize(pool, &n), MFX_ERR_NONE);
    CHECK(n == max);
    CHECK_STS(pool->GetCurrentPoolSize(pool, &n), MFX_ERR_NONE);
    CHECK(n >= 1);
    CHECK_STS(pool->GetRefCounter(pool, &n), MFX_ERR_NONE);
    CHECK(n == 1);
    CHECK_STS(pool->AddRef(pool), MFX_ERR_NONE);
    CHECK_STS(pool->Release(pool), MFX_ERR_NONE);
    if (expected == MFX_ALLOCATION_OPTIMAL) {
        CHECK_STS(pool->SetNumSurfaces(pool, 2), MFX_ERR_NONE);
        CHECK_STS(pool->RevokeSurfaces(pool, 3), MFX_WRN_OUT_OF_RANGE);
        CHECK_STS(pool->RevokeSurfaces(pool, 2), MFX_ERR_NONE);
    } else {
        CHECK_STS(pool->SetNumSurfaces(pool, 2), MFX_WRN_INCOMPATIBLE_VIDEO_PARAM);
    }
    CHECK_STS(pool->GetCurrentPoolSize(pool, NULL), MFX_ERR_NULL_PTR);
    CHECK_STS(pool->Release(pool), MFX_ERR_NONE);
    CHECK_STS(pool->Release(pool), MFX_ERR_UNDEFINED_BEHAVIOR);
    CHECK_STS(pool->AddRef(NULL), MFX_ERR_NULL_PTR);
}

/* Parameters that contradict themselves are refused at Init, whatever the component. */
static void contradictions(mfxSession session) {
    mfxVideoParam par;
    /* NV12 is 4:2:0: ChromaFormat 4:4:4 or 99 contradicts it (0, left unset, does not). */
    mfxU16 formats[2] = {MFX_CHROMAFORMAT_YUV444, 99};
    for (int i = 0; i < 2; i++) {
        vpp_params(&par, MFX_FOURCC_NV12, MFX_FOURCC_NV12, 320, 240, 320, 240);
        par.vpp.In.ChromaFormat = formats[i];
        CHECK_STS(MFXVideoVPP_Init(session, &par), MFX_ERR_INVALID_VIDEO_PARAM);
    }
    /* NumExtParam with no ExtParam array (VPP Init answers its documented code). */
    vpp_params(&par, MFX_FOURCC_NV12, MFX_FOURCC_NV12, 320, 240, 320, 240);
    par.NumExtParam = 5;
    par.ExtParam = NULL;
    CHECK_STS(MFXVideoVPP_Init(session, &par), MFX_ERR_INVALID_VIDEO_PARAM);
    /* A buffer whose BufferSz is too small for its id. */
    mfxExtAllocationHints hints;
    memset(&hints, 0, sizeof(hints));
    hints.Header.BufferId = MFX_EXTBUFF_ALLOCATION_HINTS;
    hints.Header.BufferSz = sizeof(mfxExtBuffer) + 4;
    mfxExtBuffer *ext[1] = {&hints.Header};
    par.ExtParam = ext;
    par.NumExtParam = 1;
    CHECK_STS(MFXVideoVPP_Init(session, &par), MFX_ERR_INVALID_VIDEO_PARAM);
    memset(&par, 0, sizeof(par));
    par.mfx.CodecId = MFX_CODEC_AVC;
    frame_info(&par.mfx.FrameInfo, MFX_FOURCC_NV12, 320, 240);
    par.IOPattern = MFX_IOPATTERN_OUT_SYSTEM_MEMORY;
    par.ExtParam = ext;
    par.NumExtParam = 1;
    CHECK_STS(MFXVideoDECODE_Init(session, &par), MFX_ERR_INVALID_VIDEO_PARAM);
    par.ExtParam = NULL;
    CHECK_STS(MFXVideoDECODE_Init(session, &par), MFX_ERR_NULL_PTR);
    par.NumExtParam = 0;
    par.mfx.FrameInfo.ChromaFormat = MFX_CHROMAFORMAT_YUV444;
    CHECK_STS(MFXVideoDECODE_Init(session, &par), MFX_ERR_INVALID_VIDEO_PARAM);
}

/* mfxExtVPPRotation and mfxExtVPPMirroring: Query echoes them, or zeroes an unknown value and
 * answers MFX_ERR_UNSUPPORTED; Init refuses what Query refused; GetVideoParam returns them as
 * configured; packed 4:2:2 output cannot be turned. */
static void orientation_filters(mfxSession session) {
    mfxVideoParam par, out;
    vpp_params(&par, MFX_FOURCC_NV12, MFX_FOURCC_NV12, 320, 240, 240, 320);
    mfxExtVPPRotation rotation;
    memset(&rotation, 0, sizeof(rotation));
    rotation.Header.BufferId = MFX_EXTBUFF_VPP_ROTATION;
    rotation.Header.BufferSz = sizeof(rotation);
    rotation.Angle = MFX_ANGLE_90;
    mfxExtVPPMirroring mirroring;
    memset(&mirroring, 0, sizeof(mirroring));
    mirroring.Header.BufferId = MFX_EXTBUFF_VPP_MIRRORING;
    mirroring.Header.BufferSz = sizeof(mirroring);
    mirroring.Type = MFX_MIRRORING_HORIZONTAL;
    mfxExtBuffer *ext[2] = {&rotation.Header, &mirroring.Header};
    par.ExtParam = ext;
    par.NumExtParam = 2;

    /* Query in place: the values come back. */
    out = par;
    CHECK_STS(MFXVideoVPP_Query(session, &par, &out), MFX_ERR_NONE);
    CHECK(rotation.Angle == MFX_ANGLE_90 && mirroring.Type == MFX_MIRRORING_HORIZONTAL);
    /* An angle of 45: unsupported, zeroed; Init refuses it too. */
    rotation.Angle = 45;
    CHECK_STS(MFXVideoVPP_Query(session, &par, &par), MFX_ERR_UNSUPPORTED);
    CHECK(rotation.Angle == 0);
    rotation.Angle = 45;
    CHECK(MFXVideoVPP_Init(session, &par) < MFX_ERR_NONE);
    mirroring.Type = 7;
    rotation.Angle = MFX_ANGLE_0;
    CHECK_STS(MFXVideoVPP_Query(session, &par, &par), MFX_ERR_UNSUPPORTED);
    CHECK(mirroring.Type == 0);
    /* YUY2 output cannot be turned or mirrored (a macropixel holds two luma samples). */
    mfxVideoParam packed;
    vpp_params(&packed, MFX_FOURCC_NV12, MFX_FOURCC_YUY2, 320, 240, 240, 320);
    rotation.Angle = MFX_ANGLE_270;
    packed.ExtParam = ext;
    packed.NumExtParam = 1;
    out = packed;
    CHECK_STS(MFXVideoVPP_Query(session, &packed, &out), MFX_ERR_UNSUPPORTED);

    /* Init, then GetVideoParam into buffers of the application's. */
    rotation.Angle = MFX_ANGLE_270;
    mirroring.Type = MFX_MIRRORING_VERTICAL;
    CHECK_STS(MFXVideoVPP_Init(session, &par), MFX_ERR_NONE);
    mfxExtVPPRotation got_rotation = rotation;
    mfxExtVPPMirroring got_mirroring = mirroring;
    got_rotation.Angle = 0;
    got_mirroring.Type = 0;
    mfxExtBuffer *got_ext[2] = {&got_rotation.Header, &got_mirroring.Header};
    mfxVideoParam got;
    memset(&got, 0, sizeof(got));
    got.ExtParam = got_ext;
    got.NumExtParam = 2;
    CHECK_STS(MFXVideoVPP_GetVideoParam(session, &got), MFX_ERR_NONE);
    CHECK(got_rotation.Angle == MFX_ANGLE_270 && got_mirroring.Type == MFX_MIRRORING_VERTICAL);
    CHECK_STS(MFXVideoVPP_Close(session), MFX_ERR_NONE);

    /* ProcAmp out of its ranges: Query brings it in and says so. */
    mfxVideoParam amp_par;
    vpp_params(&amp_par, MFX_FOURCC_NV12, MFX_FOURCC_NV12, 320, 240, 320, 240);
    mfxExtVPPProcAmp amp;
    memset(&amp, 0, sizeof(amp));
    amp.Header.BufferId = MFX_EXTBUFF_VPP_PROCAMP;
    amp.Header.BufferSz = sizeof(amp);
    amp.Brightness = 150.0;
    amp.Contrast = 1.5;
    amp.Hue = -200.0;
    amp.Saturation = 1.0;
    mfxExtBuffer *amp_ext[1] = {&amp.Header};
    amp_par.ExtParam = amp_ext;
    amp_par.NumExtParam = 1;
    CHECK_STS(MFXVideoVPP_Query(session, &amp_par, &amp_par), MFX_WRN_INCOMPATIBLE_VIDEO_PARAM);
    CHECK(amp.Brightness == 100.0 && amp.Contrast == 1.5 && amp.Hue == -180.0 && amp.Saturation == 1.0);
    /* ProcAmp into RGB: refused. */
    mfxVideoParam amp_rgb;
    vpp_params(&amp_rgb, MFX_FOURCC_NV12, MFX_FOURCC_RGB4, 320, 240, 320, 240);
    amp_rgb.ExtParam = amp_ext;
    amp_rgb.NumExtParam = 1;
    out = amp_rgb;
    CHECK_STS(MFXVideoVPP_Query(session, &amp_rgb, &out), MFX_ERR_UNSUPPORTED);
    /* DOUSE: the filters vplrs has are accepted, any other is unsupported; DONOTUSE turns one off. */
    mfxU32 use_known[2] = {MFX_EXTBUFF_VPP_PROCAMP, MFX_EXTBUFF_VPP_SCALING};
    mfxU32 use_unknown[1] = {MFX_EXTBUFF_VPP_IMAGE_STABILIZATION};
    mfxExtVPPDoUse douse;
    memset(&douse, 0, sizeof(douse));
    douse.Header.BufferId = MFX_EXTBUFF_VPP_DOUSE;
    douse.Header.BufferSz = sizeof(douse);
    douse.NumAlg = 2;
    douse.AlgList = use_known;
    mfxExtBuffer *use_ext[1] = {&douse.Header};
    mfxVideoParam use_par;
    vpp_params(&use_par, MFX_FOURCC_NV12, MFX_FOURCC_NV12, 320, 240, 320, 240);
    use_par.ExtParam = use_ext;
    use_par.NumExtParam = 1;
    out = use_par;
    CHECK_STS(MFXVideoVPP_Query(session, &use_par, &out), MFX_ERR_NONE);
    douse.NumAlg = 1;
    douse.AlgList = use_unknown;
    out = use_par;
    CHECK_STS(MFXVideoVPP_Query(session, &use_par, &out), MFX_ERR_UNSUPPORTED);
    douse.AlgList = NULL;
    CHECK_STS(MFXVideoVPP_Query(session, &use_par, &out), MFX_ERR_UNSUPPORTED);

    /* mfxExtVPPFieldProcessing: the three modes, with their fields; anything else unsupported. */
    mfxExtVPPFieldProcessing fields;
    memset(&fields, 0, sizeof(fields));
    fields.Header.BufferId = MFX_EXTBUFF_VPP_FIELD_PROCESSING;
    fields.Header.BufferSz = sizeof(fields);
    fields.Mode = MFX_VPP_SWAP_FIELDS;
    mfxExtBuffer *field_ext[1] = {&fields.Header};
    mfxVideoParam field_par;
    vpp_params(&field_par, MFX_FOURCC_NV12, MFX_FOURCC_NV12, 320, 240, 320, 240);
    field_par.ExtParam = field_ext;
    field_par.NumExtParam = 1;
    out = field_par;
    CHECK_STS(MFXVideoVPP_Query(session, &field_par, &out), MFX_ERR_NONE);
    fields.Mode = MFX_VPP_COPY_FIELD;
    fields.InField = MFX_PICTYPE_TOPFIELD;
    fields.OutField = MFX_PICTYPE_BOTTOMFIELD;
    CHECK_STS(MFXVideoVPP_Query(session, &field_par, &out), MFX_ERR_NONE);
    fields.OutField = 8;
    CHECK_STS(MFXVideoVPP_Query(session, &field_par, &out), MFX_ERR_UNSUPPORTED);
    fields.Mode = 9;
    CHECK_STS(MFXVideoVPP_Query(session, &field_par, &out), MFX_ERR_UNSUPPORTED);
    /* Between two formats there are no rows to move. */
    fields.Mode = MFX_VPP_SWAP_FIELDS;
    vpp_params(&field_par, MFX_FOURCC_NV12, MFX_FOURCC_RGB4, 320, 240, 320, 240);
    field_par.ExtParam = field_ext;
    field_par.NumExtParam = 1;
    out = field_par;
    CHECK_STS(MFXVideoVPP_Query(session, &field_par, &out), MFX_ERR_UNSUPPORTED);
}

/* mfxExtVPPColorFill: the output frame around its crop comes out black (NV12 limited: Y 16, UV
 * 128), whatever the surface held; the crop holds the picture. */
static void color_fill(mfxSession session) {
    mfxVideoParam par;
    vpp_params(&par, MFX_FOURCC_NV12, MFX_FOURCC_NV12, 320, 240, 320, 240);
    par.vpp.Out.CropX = 80;
    par.vpp.Out.CropY = 60;
    par.vpp.Out.CropW = 160;
    par.vpp.Out.CropH = 120;
    mfxExtVPPColorFill fill;
    memset(&fill, 0, sizeof(fill));
    fill.Header.BufferId = MFX_EXTBUFF_VPP_COLORFILL;
    fill.Header.BufferSz = sizeof(fill);
    fill.Enable = MFX_CODINGOPTION_ON;
    mfxExtBuffer *ext[1] = {&fill.Header};
    par.ExtParam = ext;
    par.NumExtParam = 1;
    CHECK_STS(MFXVideoVPP_Init(session, &par), MFX_ERR_NONE);
    mfxFrameSurface1 *in = NULL, *out = NULL;
    CHECK_STS(MFXMemory_GetSurfaceForVPP(session, &in), MFX_ERR_NONE);
    CHECK_STS(MFXMemory_GetSurfaceForVPPOut(session, &out), MFX_ERR_NONE);
    REQUIRE(in && out);
    CHECK_STS(in->FrameInterface->Map(in, MFX_MAP_WRITE), MFX_ERR_NONE);
    fill_nv12(in, 200, 90);
    CHECK_STS(in->FrameInterface->Unmap(in), MFX_ERR_NONE);
    CHECK_STS(out->FrameInterface->Map(out, MFX_MAP_WRITE), MFX_ERR_NONE);
    fill_nv12(out, 0x77, 0x77);
    CHECK_STS(out->FrameInterface->Unmap(out), MFX_ERR_NONE);
    mfxSyncPoint sync = NULL;
    CHECK_STS(MFXVideoVPP_RunFrameVPPAsync(session, in, out, NULL, &sync), MFX_ERR_NONE);
    CHECK_STS(MFXVideoCORE_SyncOperation(session, sync, 5000), MFX_ERR_NONE);
    CHECK_STS(out->FrameInterface->Map(out, MFX_MAP_READ), MFX_ERR_NONE);
    mfxU16 pitch = out->Data.Pitch;
    int outside_ok = 1, inside_ok = 1;
    for (int y = 0; y < 240; y++)
        for (int x = 0; x < 320; x++) {
            int inside = x >= 80 && x < 240 && y >= 60 && y < 180;
            mfxU8 luma = out->Data.Y[y * pitch + x];
            mfxU8 chroma = out->Data.UV[(y / 2) * pitch + (x & ~1)];
            if (inside) inside_ok &= luma == 200 && chroma == 90;
            else outside_ok &= luma == 16 && chroma == 128;
        }
    CHECK(outside_ok);
    CHECK(inside_ok);
    CHECK_STS(out->FrameInterface->Unmap(out), MFX_ERR_NONE);
    /* GetVideoParam reports it on. */
    mfxExtVPPColorFill got_fill = fill;
    got_fill.Enable = 0;
    mfxExtBuffer *got_ext[1] = {&got_fill.Header};
    mfxVideoParam got;
    memset(&got, 0, sizeof(got));
    got.ExtParam = got_ext;
    got.NumExtParam = 1;
    CHECK_STS(MFXVideoVPP_GetVideoParam(session, &got), MFX_ERR_NONE);
    CHECK(got_fill.Enable == MFX_CODINGOPTION_ON);
    CHECK_STS(in->FrameInterface->Release(in), MFX_ERR_NONE);
    CHECK_STS(out->FrameInterface->Release(out), MFX_ERR_NONE);
    CHECK_STS(MFXVideoVPP_Close(session), MFX_ERR_NONE);
}

int main(void) {
    mfxLoader loader;
    mfxSession session = open_vplrs(&loader);
    bad_input(session);
    contradictions(session);
    orientation_filters(session);
    color_fill(session);

    /* NV12 320x240 -> RGB4 160x120; the output pool is limited to 2 surfaces and waits 10 ms. */
    mfxVideoParam par;
    vpp_params(&par, MFX_FOURCC_NV12, MFX_FOURCC_RGB4, 320, 240, 160, 120);
    mfxExtAllocationHints hints;
    memset(&hints, 0, sizeof(hints));
    hints.Header.BufferId = MFX_EXTBUFF_ALLOCATION_HINTS;
    hints.Header.BufferSz = sizeof(hints);
    hints.AllocationPolicy = MFX_ALLOCATION_LIMITED;
    hints.NumberToPreAllocate = 2;
    hints.DeltaToAllocateOnTheFly = 0;
    hints.VPPPoolType = MFX_VPP_POOL_OUT;
    hints.Wait = 10;
    mfxExtBuffer *ext[1] = {&hints.Header};
    par.ExtParam = ext;
    par.NumExtParam = 1;
    CHECK_STS(MFXVideoVPP_Init(session, &par), MFX_ERR_NONE);
    CHECK_STS(MFXVideoVPP_Init(session, &par), MFX_ERR_UNDEFINED_BEHAVIOR);
    mfxVideoParam got;
    memset(&got, 0, sizeof(got));
    CHECK_STS(MFXVideoVPP_GetVideoParam(session, &got), MFX_ERR_NONE);
    CHECK(got.vpp.Out.FourCC == MFX_FOURCC_RGB4 && got.vpp.Out.CropW == 160);

    mfxFrameSurface1 *in = NULL;
    CHECK_STS(MFXMemory_GetSurfaceForVPP(session, &in), MFX_ERR_NONE);
    REQUIRE(in != NULL && in->FrameInterface != NULL);
    CHECK(in->Info.FourCC == MFX_FOURCC_NV12 && in->Info.CropW == 320 && in->Info.Width == 320);
    refcount_and_map(in);
    pool_interface(in, MFX_ALLOCATION_UNLIMITED, 0xFFFFFFFF);

    /* The limited output pool: two surfaces, the third acquire times out. */
    mfxFrameSurface1 *out1 = NULL, *out2 = NULL, *out3 = (mfxFrameSurface1 *)1;
    CHECK_STS(MFXMemory_GetSurfaceForVPPOut(session, &out1), MFX_ERR_NONE);
    CHECK_STS(MFXMemory_GetSurfaceForVPPOut(session, &out2), MFX_ERR_NONE);
    CHECK_STS(MFXMemory_GetSurfaceForVPPOut(session, &out3), MFX_WRN_ALLOC_TIMEOUT_EXPIRED);
    CHECK(out3 == NULL);
    pool_interface(out1, MFX_ALLOCATION_LIMITED, 2);
    CHECK_STS(out2->FrameInterface->Release(out2), MFX_ERR_NONE);
    CHECK_STS(MFXMemory_GetSurfaceForVPPOut(session, &out3), MFX_ERR_NONE);
    CHECK(out3 == out2); /* recycled */
    CHECK_STS(out3->FrameInterface->Release(out3), MFX_ERR_NONE);

    /* Process one frame: white NV12 (Y=235, UV=128) becomes white BGRA. */
    CHECK_STS(in->FrameInterface->Map(in, MFX_MAP_WRITE), MFX_ERR_NONE);
    fill_nv12(in, 235, 128);
    in->Data.TimeStamp = 12345;
    CHECK_STS(in->FrameInterface->Unmap(in), MFX_ERR_NONE);
    mfxSyncPoint sp = NULL;
    CHECK_STS(MFXVideoVPP_RunFrameVPPAsync(session, in, out1, NULL, NULL), MFX_ERR_NULL_PTR);
    /* One surface as input and output: refused at once (the job would wait for itself). */
    CHECK_STS(MFXVideoVPP_RunFrameVPPAsync(session, in, in, NULL, &sp), MFX_ERR_UNDEFINED_BEHAVIOR);
    CHECK(in->Data.Locked == 0);
    CHECK_STS(MFXVideoVPP_RunFrameVPPAsync(session, in, out1, NULL, &sp), MFX_ERR_NONE);
    CHECK(sp != NULL);
    CHECK_STS(MFXVideoCORE_SyncOperation(session, sp, 5000), MFX_ERR_NONE);
    CHECK_STS(out1->FrameInterface->Synchronize(out1, 5000), MFX_ERR_NONE);
    CHECK(out1->Data.TimeStamp == 12345);
    CHECK(in->Data.Locked == 0);
    CHECK_STS(out1->FrameInterface->Map(out1, MFX_MAP_READ), MFX_ERR_NONE);
    CHECK(out1->Data.B != NULL && out1->Data.G == out1->Data.B + 1 && out1->Data.R == out1->Data.B + 2);
    CHECK(out1->Data.B[0] >= 250 && out1->Data.G[0] >= 250 && out1->Data.R[0] >= 250 && out1->Data.A[0] == 255);
    CHECK_STS(out1->FrameInterface->Unmap(out1), MFX_ERR_NONE);
    /* Draining: VPP keeps no frames. */
    CHECK_STS(MFXVideoVPP_RunFrameVPPAsync(session, NULL, out1, NULL, &sp), MFX_ERR_MORE_DATA);

    /* ProcessFrameAsync: the output comes from the pool. */
    mfxFrameSurface1 *processed = NULL;
    CHECK_STS(MFXVideoVPP_ProcessFrameAsync(session, in, NULL), MFX_ERR_NULL_PTR);
    CHECK_STS(MFXVideoVPP_ProcessFrameAsync(session, in, &processed), MFX_ERR_NONE);
    REQUIRE(processed != NULL);
    CHECK_STS(processed->FrameInterface->Synchronize(processed, 5000), MFX_ERR_NONE);
    CHECK(processed->Info.FourCC == MFX_FOURCC_RGB4 && processed->Info.CropW == 160);
    CHECK_STS(processed->FrameInterface->Release(processed), MFX_ERR_NONE);
    mfxVPPStat stat;
    CHECK_STS(MFXVideoVPP_GetVPPStat(session, &stat), MFX_ERR_NONE);
    CHECK(stat.NumFrame == 2);

    /* Reset to a smaller output is fine; to a larger one it needs Close + Init. */
    vpp_params(&par, MFX_FOURCC_NV12, MFX_FOURCC_RGB4, 320, 240, 128, 96);
    CHECK_STS(MFXVideoVPP_Reset(session, &par), MFX_ERR_NONE);
    vpp_params(&par, MFX_FOURCC_NV12, MFX_FOURCC_RGB4, 320, 240, 640, 480);
    CHECK_STS(MFXVideoVPP_Reset(session, &par), MFX_ERR_INCOMPATIBLE_VIDEO_PARAM);

    /* Release past zero. */
    CHECK_STS(out1->FrameInterface->Release(out1), MFX_ERR_NONE);
    CHECK_STS(out1->FrameInterface->Release(out1), MFX_ERR_UNDEFINED_BEHAVIOR);

    /* Close: surfaces the application still holds stay valid until their last Release. */
    CHECK_STS(MFXVideoVPP_Close(session), MFX_ERR_NONE);
    CHECK_STS(MFXVideoVPP_Close(session), MFX_ERR_NOT_INITIALIZED);
    CHECK_STS(MFXClose(session), MFX_ERR_NONE);
    CHECK_STS(in->FrameInterface->Map(in, MFX_MAP_READ), MFX_ERR_NONE);
    CHECK(in->Data.Y[0] == 235);
    CHECK_STS(in->FrameInterface->Unmap(in), MFX_ERR_NONE);
    CHECK_STS(in->FrameInterface->Release(in), MFX_ERR_NONE);
    CHECK_STS(in->FrameInterface->Release(in), MFX_ERR_UNDEFINED_BEHAVIOR);
    MFXUnload(loader);
    return finish("surface_contract");
}
