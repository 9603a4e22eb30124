/* The external allocator through Intel's dispatcher: every Alloc has its Free, every Lock its
 * Unlock; mem-id surfaces are locked only while accessed; refused requests fall back to internal
 * memory; application 1.x surfaces (pointers or MemId) work with RunFrameVPPAsync and keep their
 * Locked counter. */
#include "common.h"

typedef struct {
    int allocs, refused, frees, locks, unlocks, live_frames;
    int nv12_only;
} Counters;

static mfxStatus fa_alloc(mfxHDL pthis, mfxFrameAllocRequest *request, mfxFrameAllocResponse *response) {
    Counters *c = (Counters *)pthis;
    mfxU32 fourcc = request->Info.FourCC;
    if (!(request->Type & MFX_MEMTYPE_SYSTEM_MEMORY) ||
        (fourcc != MFX_FOURCC_NV12 && fourcc != MFX_FOURCC_RGB4) || (c->nv12_only && fourcc != MFX_FOURCC_NV12)) {
        c->refused++;
        return MFX_ERR_UNSUPPORTED;
    }
    mfxU16 n = request->NumFrameSuggested > request->NumFrameMin ? request->NumFrameSuggested : request->NumFrameMin;
    size_t pixels = (size_t)request->Info.Width * request->Info.Height;
    frames_alloc(request, response, n, fourcc == MFX_FOURCC_NV12 ? pixels * 3 / 2 : pixels * 4);
    c->live_frames += n;
    c->allocs++;
    return MFX_ERR_NONE;
}

static mfxStatus fa_lock(mfxHDL pthis, mfxMemId mid, mfxFrameData *ptr) {
    Counters *c = (Counters *)pthis;
    Frame *f = (Frame *)mid;
    c->locks++;
    f->locks++;
    if (f->fourcc == MFX_FOURCC_NV12) {
        ptr->Pitch = f->width;
        ptr->Y = f->base;
        ptr->U = f->base + f->width * f->height;
        ptr->V = ptr->U + 1;
    } else {
        ptr->Pitch = f->width * 4;
        ptr->B = f->base;
        ptr->G = f->base + 1;
        ptr->R = f->base + 2;
        ptr->A = f->base + 3;
    }
    return MFX_ERR_NONE;
}

static mfxStatus fa_unlock(mfxHDL pthis, mfxMemId mid, mfxFrameData *ptr) {
    Counters *c = (Counters *)pthis;
    Frame *f = (Frame *)mid;
    c->unlocks++;
    f->locks--;
    if (ptr) ptr->Y = ptr->U = ptr->V = ptr->A = 0;
    return MFX_ERR_NONE;
}

static mfxStatus fa_free(mfxHDL pthis, mfxFrameAllocResponse *response) {
    Counters *c = (Counters *)pthis;
    c->live_frames -= response->NumFrameActual;
    frames_free(response);
    c->frees++;
    return MFX_ERR_NONE;
}

static void run(int nv12_only) {
    Counters counters;
    memset(&counters, 0, sizeof(counters));
    counters.nv12_only = nv12_only;
    mfxFrameAllocator allocator = make_allocator(&counters, fa_alloc, fa_lock, fa_unlock, fa_free);

    mfxLoader loader;
    mfxSession session = open_vplrs(&loader);
    CHECK_STS(MFXVideoCORE_SetFrameAllocator(session, &allocator), MFX_ERR_NONE);
    mfxVideoParam par;
    vpp_params(&par, MFX_FOURCC_NV12, MFX_FOURCC_RGB4, 64, 48, 32, 32);
    CHECK_STS(MFXVideoVPP_Init(session, &par), MFX_ERR_NONE);

    /* Runtime surfaces from the application's allocator: locked only while mapped. */
    mfxFrameSurface1 *in = NULL, *out = NULL;
    CHECK_STS(MFXMemory_GetSurfaceForVPP(session, &in), MFX_ERR_NONE);
    CHECK(counters.allocs == 1 && counters.locks == 0);
    CHECK(in->Data.MemId != NULL);
    CHECK_STS(in->FrameInterface->Map(in, MFX_MAP_WRITE), MFX_ERR_NONE);
    CHECK(counters.locks == 1 && in->Data.Y != NULL);
    for (int row = 0; row < 48; row++) memset(in->Data.Y + row * in->Data.Pitch, 235, 64);
    for (int row = 0; row < 24; row++) memset(in->Data.UV + row * in->Data.Pitch, 128, 64);
    CHECK_STS(in->FrameInterface->Unmap(in), MFX_ERR_NONE);
    CHECK(counters.unlocks == 1);
    CHECK_STS(MFXMemory_GetSurfaceForVPPOut(session, &out), MFX_ERR_NONE);
    if (nv12_only) {
        CHECK(counters.refused >= 1 && out->Data.MemId == NULL); /* fell back to internal memory */
    } else {
        CHECK(out->Data.MemId != NULL);
    }
    mfxSyncPoint sp = NULL;
    CHECK_STS(MFXVideoVPP_RunFrameVPPAsync(session, in, out, NULL, &sp), MFX_ERR_NONE);
    CHECK_STS(MFXVideoCORE_SyncOperation(session, sp, 5000), MFX_ERR_NONE);
    CHECK_STS(out->FrameInterface->Map(out, MFX_MAP_READ), MFX_ERR_NONE);
    CHECK(out->Data.B[0] >= 250 && out->Data.A[0] == 255);
    CHECK_STS(out->FrameInterface->Unmap(out), MFX_ERR_NONE);
    CHECK(counters.locks == counters.unlocks);

    /* Application 1.x surfaces: input by MemId (locked through the allocator for the operation),
     * output by plane pointers. */
    mfxFrameAllocRequest req;
    memset(&req, 0, sizeof(req));
    req.Info = par.vpp.In;
    req.Type = MFX_MEMTYPE_SYSTEM_MEMORY | MFX_MEMTYPE_EXTERNAL_FRAME | MFX_MEMTYPE_FROM_VPPIN;
    req.NumFrameMin = req.NumFrameSuggested = 1;
    mfxFrameAllocResponse resp;
    memset(&resp, 0, sizeof(resp));
    counters.nv12_only = 0;
    REQUIRE(fa_alloc(&counters, &req, &resp) == MFX_ERR_NONE);
    counters.nv12_only = nv12_only;
    Frame *frame = (Frame *)resp.mids[0];
    memset(frame->base, 16, 64 * 48);               /* black */
    memset(frame->base + 64 * 48, 128, 64 * 48 / 2);
    mfxFrameSurface1 app_in;
    memset(&app_in, 0, sizeof(app_in));
    app_in.Info = par.vpp.In;
    app_in.Data.MemId = resp.mids[0];
    app_in.Data.TimeStamp = 777;
    static mfxU8 pixels[32 * 32 * 4];
    memset(pixels, 0x55, sizeof(pixels));
    mfxFrameSurface1 app_out;
    memset(&app_out, 0, sizeof(app_out));
    app_out.Info = par.vpp.Out;
    app_out.Data.B = pixels;
    app_out.Data.G = pixels + 1;
    app_out.Data.R = pixels + 2;
    app_out.Data.A = pixels + 3;
    app_out.Data.Pitch = 32 * 4;
    int locks_before = counters.locks;
    CHECK_STS(MFXVideoVPP_RunFrameVPPAsync(session, &app_in, &app_out, NULL, &sp), MFX_ERR_NONE);
    CHECK_STS(MFXVideoCORE_SyncOperation(session, sp, 5000), MFX_ERR_NONE);
    CHECK_STS(MFXVideoCORE_SyncOperation(session, sp, 5000), MFX_ERR_NONE); /* again: same answer */
    CHECK(counters.locks == locks_before + 1 && counters.locks == counters.unlocks && frame->locks == 0);
    CHECK(app_in.Data.Locked == 0 && app_out.Data.Locked == 0);
    CHECK(app_out.Data.TimeStamp == 777);
    CHECK(pixels[0] <= 2 && pixels[1] <= 2 && pixels[2] <= 2 && pixels[3] == 255);
    CHECK(pixels[32 * 4 * 31 + 4 * 31] <= 2);
    /* A surface with neither pointers nor a MemId. */
    mfxFrameSurface1 empty;
    memset(&empty, 0, sizeof(empty));
    empty.Info = par.vpp.In;
    CHECK_STS(MFXVideoVPP_RunFrameVPPAsync(session, &empty, &app_out, NULL, &sp), MFX_ERR_NULL_PTR);
    /* A Locked output is refused. */
    app_out.Data.Locked = 1;
    CHECK_STS(MFXVideoVPP_RunFrameVPPAsync(session, &app_in, &app_out, NULL, &sp), MFX_ERR_LOCK_MEMORY);
    app_out.Data.Locked = 0;
    fa_free(&counters, &resp);

    CHECK_STS(in->FrameInterface->Release(in), MFX_ERR_NONE);
    CHECK_STS(out->FrameInterface->Release(out), MFX_ERR_NONE);
    CHECK_STS(MFXVideoVPP_Close(session), MFX_ERR_NONE);
    CHECK_STS(MFXClose(session), MFX_ERR_NONE);
    MFXUnload(loader);
    /* Every Alloc has its Free (the test's own allocation included), every Lock its Unlock. */
    CHECK(counters.allocs == counters.frees);
    CHECK(counters.live_frames == 0);
    CHECK(counters.locks == counters.unlocks);
    printf("allocator (nv12_only=%d): %d allocs, %d refused, %d frees, %d locks, %d unlocks\n", nv12_only,
           counters.allocs, counters.refused, counters.frees, counters.locks, counters.unlocks);
}

int main(void) {
    run(0);
    run(1);
    return finish("allocator_contract");
}
