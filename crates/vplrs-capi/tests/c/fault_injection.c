/* Fault injection through the application's allocator: for every k, a session whose allocator
 * fails its k-th Alloc (mode "alloc") or Lock (mode "lock") runs VPP, decode (internal memory:
 * the decode pool comes from the allocator) and encode. Every failure must come back as a
 * documented status (never MFX_ERR_UNKNOWN, never a crash), the session must close, and at the
 * end every Alloc has its Free and every Lock its Unlock. k grows until a run meets no failure.
 *
 * Mode "cycles" repeats the three components in one session and checks the memory stays flat.
 *
 * Usage: fault_injection alloc|lock|cycles H264_STREAM
 * Prints "injected N failures, every one answered and balanced". */
#include "common.h"

typedef struct {
    int fail_alloc_at, fail_lock_at; /* 1-based call to fail; 0: none */
    int allocs, lock_calls, failed;
    int live_allocations, live_locks;
} Counters;

static mfxStatus fa_alloc(mfxHDL pthis, mfxFrameAllocRequest *request, mfxFrameAllocResponse *response) {
    Counters *c = (Counters *)pthis;
    if (++c->allocs == c->fail_alloc_at) {
        c->failed++;
        return MFX_ERR_MEMORY_ALLOC;
    }
    if (request->Info.FourCC != MFX_FOURCC_NV12) return MFX_ERR_UNSUPPORTED;
    mfxU16 n = request->NumFrameSuggested ? request->NumFrameSuggested : request->NumFrameMin;
    frames_alloc(request, response, n, (size_t)request->Info.Width * request->Info.Height * 3 / 2);
    response->AllocId = request->AllocId;
    c->live_allocations++;
    return MFX_ERR_NONE;
}

static mfxStatus fa_lock(mfxHDL pthis, mfxMemId mid, mfxFrameData *ptr) {
    Counters *c = (Counters *)pthis;
    if (++c->lock_calls == c->fail_lock_at) {
        c->failed++;
        return MFX_ERR_LOCK_MEMORY;
    }
    Frame *f = (Frame *)mid;
    ptr->Pitch = f->width;
    ptr->Y = f->base;
    ptr->U = f->base + f->width * f->height; /* NV12: interleaved UV after the luma */
    ptr->V = ptr->U + 1;
    c->live_locks++;
    return MFX_ERR_NONE;
}

static mfxStatus fa_unlock(mfxHDL pthis, mfxMemId mid, mfxFrameData *ptr) {
    Counters *c = (Counters *)pthis;
    (void)mid;
    c->live_locks--;
    if (ptr) ptr->Y = ptr->U = ptr->V = 0;
    return MFX_ERR_NONE;
}

static mfxStatus fa_free(mfxHDL pthis, mfxFrameAllocResponse *response) {
    Counters *c = (Counters *)pthis;
    frames_free(response);
    c->live_allocations--;
    return MFX_ERR_NONE;
}

/* A status an application can be given: success, a warning, or one of the documented errors an
 * allocation or lock failure turns into. */
static int documented(mfxStatus sts) {
    return sts >= MFX_ERR_NONE || sts == MFX_ERR_MEMORY_ALLOC || sts == MFX_ERR_LOCK_MEMORY ||
           sts == MFX_ERR_MORE_DATA || sts == MFX_ERR_MORE_SURFACE || sts == MFX_ERR_NOT_INITIALIZED ||
           sts == MFX_ERR_ABORTED || sts == MFX_ERR_NOT_ENOUGH_BUFFER;
}

/* Records an undocumented answer; true when the step succeeded (the scenario goes on). */
static int step(int k, mfxStatus sts, const char *what) {
    if (!documented(sts)) {
        fprintf(stderr, "k=%d: %s returned %d\n", k, what, (int)sts);
        CHECK(0);
    }
    return sts >= MFX_ERR_NONE;
}
#define STEP(expr) step(k, (expr), #expr)
/* Synchronize documents MFX_ERR_UNKNOWN for an operation that failed inside the runtime. */
#define SYNC_STEP(expr) step(k, sync_status(expr), #expr)

static mfxStatus sync_status(mfxStatus sts) {
    return sts == MFX_ERR_UNKNOWN ? MFX_ERR_ABORTED : sts;
}

static void vpp(mfxSession session, int k) {
    mfxVideoParam par;
    vpp_params(&par, MFX_FOURCC_NV12, MFX_FOURCC_NV12, 64, 48, 32, 32);
    if (!STEP(MFXVideoVPP_Init(session, &par))) return;
    mfxFrameSurface1 *in = NULL, *out = NULL;
    if (STEP(MFXMemory_GetSurfaceForVPP(session, &in))) {
        if (STEP(in->FrameInterface->Map(in, MFX_MAP_WRITE))) {
            memset(in->Data.Y, 100, (size_t)in->Data.Pitch * 48);
            STEP(in->FrameInterface->Unmap(in));
        }
        if (STEP(MFXVideoVPP_ProcessFrameAsync(session, in, &out)) && out) {
            SYNC_STEP(out->FrameInterface->Synchronize(out, 5000));
            STEP(out->FrameInterface->Release(out));
        }
        STEP(in->FrameInterface->Release(in));
    }
    STEP(MFXVideoVPP_Close(session));
}

/* Returns the pictures decoded. */
static int decode(mfxSession session, int k, mfxU8 *data, size_t size) {
    int pictures = 0;
    mfxBitstream bs = whole_bitstream(data, size);
    mfxVideoParam par = decode_param(MFX_CODEC_AVC);
    par.mfx.FrameInfo.FourCC = MFX_FOURCC_NV12;
    if (!STEP(MFXVideoDECODE_DecodeHeader(session, &bs, &par))) return 0;
    par.IOPattern = MFX_IOPATTERN_OUT_SYSTEM_MEMORY;
    if (!STEP(MFXVideoDECODE_Init(session, &par))) return 0;
    for (int calls = 0; calls < 200; calls++) {
        mfxFrameSurface1 *out = NULL;
        mfxSyncPoint sync = NULL;
        int draining = bs.DataLength == 0;
        mfxStatus sts = MFXVideoDECODE_DecodeFrameAsync(session, draining ? NULL : &bs, NULL, &out, &sync);
        if (!documented(sts)) {
            fprintf(stderr, "k=%d: DecodeFrameAsync returned %d\n", k, (int)sts);
            CHECK(0);
        }
        if (sts == MFX_ERR_NONE) {
            SYNC_STEP(MFXVideoCORE_SyncOperation(session, sync, 5000));
            STEP(out->FrameInterface->Release(out));
            pictures++;
        } else if (sts == MFX_ERR_MORE_DATA && draining) {
            break;
        } else if (sts < MFX_ERR_NONE && sts != MFX_ERR_MORE_DATA) {
            break; /* the injected failure: the application gives up on this stream */
        }
    }
    STEP(MFXVideoDECODE_Close(session));
    return pictures;
}

static void encode(mfxSession session, int k) {
    mfxVideoParam par;
    memset(&par, 0, sizeof(par));
    par.mfx.CodecId = MFX_CODEC_AVC;
    frame_info(&par.mfx.FrameInfo, MFX_FOURCC_NV12, 64, 48);
    par.mfx.RateControlMethod = MFX_RATECONTROL_CQP;
    par.mfx.QPI = par.mfx.QPP = par.mfx.QPB = 30;
    par.mfx.TargetUsage = 7;
    par.IOPattern = MFX_IOPATTERN_IN_SYSTEM_MEMORY;
    if (!STEP(MFXVideoENCODE_Init(session, &par))) return;
    mfxU8 buffer[1 << 16];
    mfxBitstream bs;
    memset(&bs, 0, sizeof(bs));
    bs.Data = buffer;
    bs.MaxLength = sizeof(buffer);
    for (int i = 0; i < 3; i++) {
        mfxFrameSurface1 *s = NULL;
        if (!STEP(MFXMemory_GetSurfaceForEncode(session, &s))) break;
        if (STEP(s->FrameInterface->Map(s, MFX_MAP_WRITE))) {
            memset(s->Data.Y, 80, (size_t)s->Data.Pitch * 48);
            STEP(s->FrameInterface->Unmap(s));
        }
        mfxSyncPoint sync = NULL;
        if (STEP(MFXVideoENCODE_EncodeFrameAsync(session, NULL, s, &bs, &sync)) && sync) {
            SYNC_STEP(MFXVideoCORE_SyncOperation(session, sync, 5000));
        }
        STEP(s->FrameInterface->Release(s));
        bs.DataLength = bs.DataOffset = 0;
    }
    STEP(MFXVideoENCODE_Close(session));
}

/* Mode "cycles": the three components' Init -> work -> Close, 120 times in one session with the
 * allocator failing nothing: resident memory flat after the warm-up, allocations balanced. */
static int cycles(mfxU8 *data, size_t size) {
    Counters counters;
    memset(&counters, 0, sizeof(counters));
    mfxFrameAllocator allocator = make_allocator(&counters, fa_alloc, fa_lock, fa_unlock, fa_free);
    mfxLoader loader = NULL;
    mfxSession session = open_vplrs(&loader);
    CHECK_STS(MFXVideoCORE_SetFrameAllocator(session, &allocator), MFX_ERR_NONE);
    long warm = 0, last = 0;
    int k = 0, pictures = 0;
    for (int cycle = 0; cycle < 120; cycle++) {
        vpp(session, k);
        pictures += decode(session, k, data, size);
        encode(session, k);
        last = rss_kb();
        if (cycle == 20) warm = last;
    }
    printf("120 VPP, decode (%d pictures) and encode cycles: RSS %ld KB after the warm-up, %ld KB at the end\n",
           pictures, warm, last);
    CHECK(pictures > 0);
    CHECK(last - warm <= 2048);
    CHECK_STS(MFXClose(session), MFX_ERR_NONE);
    MFXUnload(loader);
    CHECK(counters.live_allocations == 0 && counters.live_locks == 0);
    return finish("fault_injection cycles") ? 1 : 0;
}

int main(int argc, char **argv) {
    REQUIRE(argc == 3);
    int on_lock = !strcmp(argv[1], "lock");
    size_t size = 0;
    mfxU8 *data = read_file(argv[2], &size);
    if (!strcmp(argv[1], "cycles")) return cycles(data, size);
    int injected = 0;
    for (int k = 1; k < 500; k++) {
        Counters counters;
        memset(&counters, 0, sizeof(counters));
        if (on_lock) counters.fail_lock_at = k;
        else counters.fail_alloc_at = k;
        mfxFrameAllocator allocator = make_allocator(&counters, fa_alloc, fa_lock, fa_unlock, fa_free);
        mfxLoader loader = NULL;
        mfxSession session = open_vplrs(&loader);
        CHECK_STS(MFXVideoCORE_SetFrameAllocator(session, &allocator), MFX_ERR_NONE);
        vpp(session, k);
        decode(session, k, data, size);
        encode(session, k);
        CHECK_STS(MFXClose(session), MFX_ERR_NONE);
        MFXUnload(loader);
        if (counters.live_allocations != 0 || counters.live_locks != 0) {
            fprintf(stderr, "k=%d: %d allocations and %d locks left\n", k, counters.live_allocations,
                    counters.live_locks);
            CHECK(0);
        }
        if (!counters.failed) break; /* k is past the last call: every one was tried */
        injected++;
    }
    printf("injected %d failures, every one answered and balanced\n", injected);
    free(data);
    return finish("fault_injection") ? 1 : 0;
}
