/* Decode in the 1.x model as Intel's samples do it: the application's own frame allocator (I420
 * frames, chroma rows Width/2 bytes, like sample_decode's), its own surfaces of the
 * QueryIOSurf request (EXTERNAL_FRAME | FROM_DECODE) addressed by MemId, a free one picked by
 * Locked == 0 for each call, and each output held (Locked raised by the application) until it
 * is written. The allocator answers a request of the same type with the very frames it already
 * gave (as Intel's sample allocators do). Checked: the runtime asks the allocator for no I/O
 * frame of its own (anything it allocates is INTERNAL_FRAME), never writes a surface the
 * application holds, and every picture comes out (written to OUT as I420).
 *
 * Usage: decode_app_allocator CODEC IN OUT */
#include "common.h"

#define MAX_FRAMES 64

typedef struct {
    mfxFrameAllocResponse app; /* the application's frames, handed out again for its type */
    mfxU16 app_type;
    int runtime_allocs, runtime_external;
} Allocator;

static mfxStatus fa_alloc(mfxHDL pthis, mfxFrameAllocRequest *request, mfxFrameAllocResponse *response) {
    Allocator *a = (Allocator *)pthis;
    if (a->app.NumFrameActual && request->Type == a->app_type) {
        /* Intel's sample allocators: EXTERNAL_FRAME | FROM_DECODE again gets the same frames. */
        a->runtime_allocs++;
        a->runtime_external++;
        *response = a->app;
        return MFX_ERR_NONE;
    }
    if (a->app.NumFrameActual) {
        a->runtime_allocs++;
        if (request->Type & MFX_MEMTYPE_EXTERNAL_FRAME) a->runtime_external++;
    }
    if (request->Info.FourCC != MFX_FOURCC_I420) return MFX_ERR_UNSUPPORTED;
    frames_alloc(request, response, request->NumFrameSuggested,
                 (size_t)request->Info.Width * request->Info.Height * 3 / 2);
    return MFX_ERR_NONE;
}

static mfxStatus fa_lock(mfxHDL pthis, mfxMemId mid, mfxFrameData *ptr) {
    (void)pthis;
    Frame *f = (Frame *)mid;
    ptr->Pitch = f->width;
    ptr->Y = f->base;
    ptr->U = f->base + f->width * f->height;
    ptr->V = ptr->U + f->width * f->height / 4;
    return MFX_ERR_NONE;
}

static mfxStatus fa_unlock(mfxHDL pthis, mfxMemId mid, mfxFrameData *ptr) {
    (void)pthis;
    (void)mid;
    if (ptr) ptr->Y = ptr->U = ptr->V = 0;
    return MFX_ERR_NONE;
}

static mfxStatus fa_free(mfxHDL pthis, mfxFrameAllocResponse *response) {
    Allocator *a = (Allocator *)pthis;
    if (response->mids == a->app.mids && response != &a->app) return MFX_ERR_NONE; /* the app frees its own */
    frames_free(response);
    return MFX_ERR_NONE;
}

/* A checksum of a frame's memory, to see that nobody wrote it while the application held it. */
static unsigned long checksum(const Frame *f) {
    unsigned long sum = 0;
    size_t size = (size_t)f->width * f->height * 3 / 2;
    for (size_t i = 0; i < size; i += 7) sum = sum * 31 + f->base[i];
    return sum;
}

static void write_picture(FILE *out, mfxFrameSurface1 *s) {
    const Frame *f = (const Frame *)s->Data.MemId;
    mfxU16 w = s->Info.CropW, h = s->Info.CropH;
    const mfxU8 *u = f->base + f->width * f->height, *v = u + f->width * f->height / 4;
    for (int row = 0; row < h; row++) fwrite(f->base + row * f->width, 1, w, out);
    for (int row = 0; row < (h + 1) / 2; row++) fwrite(u + row * (f->width / 2), 1, (w + 1) / 2, out);
    for (int row = 0; row < (h + 1) / 2; row++) fwrite(v + row * (f->width / 2), 1, (w + 1) / 2, out);
}

/* The oldest output: checked unchanged since it was handed out, written, and let go. */
static void flush_oldest(FILE *out, mfxFrameSurface1 **queue, unsigned long *sums, int *queued, int *pictures,
                         int *overwritten) {
    if (checksum((const Frame *)queue[0]->Data.MemId) != sums[0]) (*overwritten)++;
    write_picture(out, queue[0]);
    queue[0]->Data.Locked--;
    (*pictures)++;
    memmove(queue, queue + 1, sizeof(queue[0]) * (size_t)--*queued);
    memmove(sums, sums + 1, sizeof(sums[0]) * (size_t)*queued);
}

int main(int argc, char **argv) {
    REQUIRE(argc == 4);
    mfxU32 codec = codec_id(argv[1]);
    size_t size = 0;
    mfxU8 *data = read_file(argv[2], &size);
    FILE *out = fopen(argv[3], "wb");
    REQUIRE(out);
    Allocator a;
    memset(&a, 0, sizeof(a));
    mfxFrameAllocator allocator = make_allocator(&a, fa_alloc, fa_lock, fa_unlock, fa_free);
    mfxLoader loader = NULL;
    mfxSession session = open_vplrs_with(&loader, "mfxImplDescription.mfxDecoderDescription.decoder.CodecID", codec);
    CHECK_STS(MFXVideoCORE_SetFrameAllocator(session, &allocator), MFX_ERR_NONE);
    mfxBitstream bs = {0};
    bs.Data = data;
    bs.DataLength = bs.MaxLength = (mfxU32)size;
    mfxVideoParam par = {0};
    par.mfx.CodecId = codec;
    par.mfx.FrameInfo.FourCC = MFX_FOURCC_I420;
    CHECK_STS(MFXVideoDECODE_DecodeHeader(session, &bs, &par), MFX_ERR_NONE);
    par.IOPattern = MFX_IOPATTERN_OUT_SYSTEM_MEMORY;
    par.AsyncDepth = 4;
    mfxFrameAllocRequest request;
    CHECK_STS(MFXVideoDECODE_QueryIOSurf(session, &par, &request), MFX_ERR_NONE);
    request.NumFrameSuggested += 4; /* the outputs the application holds */
    a.app_type = request.Type;
    CHECK_STS(fa_alloc(&a, &request, &a.app), MFX_ERR_NONE);
    REQUIRE(a.app.NumFrameActual <= MAX_FRAMES);
    mfxFrameSurface1 surfaces[MAX_FRAMES];
    memset(surfaces, 0, sizeof(surfaces));
    for (int i = 0; i < a.app.NumFrameActual; i++) {
        surfaces[i].Info = par.mfx.FrameInfo;
        surfaces[i].Data.MemId = a.app.mids[i];
    }
    CHECK_STS(MFXVideoDECODE_Init(session, &par), MFX_ERR_NONE);

    /* Outputs waiting to be written, oldest first, with their checksums when taken. */
    mfxFrameSurface1 *queue[4];
    unsigned long sums[4];
    int queued = 0, pictures = 0, draining = 0, overwritten = 0;
    for (int calls = 0; calls < 100000; calls++) {
        int free_index = -1;
        for (int i = 0; i < a.app.NumFrameActual && free_index < 0; i++)
            if (surfaces[i].Data.Locked == 0) free_index = i;
        REQUIRE(free_index >= 0);
        mfxFrameSurface1 *output = NULL;
        mfxSyncPoint sync = NULL;
        mfxStatus sts =
            MFXVideoDECODE_DecodeFrameAsync(session, draining ? NULL : &bs, &surfaces[free_index], &output, &sync);
        if (sts == MFX_ERR_NONE) {
            CHECK_STS(MFXVideoCORE_SyncOperation(session, sync, 60000), MFX_ERR_NONE);
            output->Data.Locked++; /* held by the application until written */
            queue[queued] = output;
            sums[queued++] = checksum((const Frame *)output->Data.MemId);
        } else if (sts == MFX_ERR_MORE_DATA) {
            if (draining) break;
            draining = 1;
        } else if (sts != MFX_ERR_MORE_SURFACE && sts != MFX_WRN_DEVICE_BUSY) {
            fprintf(stderr, "DecodeFrameAsync returned %d\n", (int)sts);
            CHECK(0);
            break;
        }
        if (queued == 4 || (queued && draining)) flush_oldest(out, queue, sums, &queued, &pictures, &overwritten);
    }
    while (queued) flush_oldest(out, queue, sums, &queued, &pictures, &overwritten);
    printf("pictures %d overwritten %d runtime allocations %d (%d of I/O frames)\n", pictures, overwritten,
           a.runtime_allocs, a.runtime_external);
    CHECK(overwritten == 0);
    CHECK(a.runtime_external == 0);
    CHECK_STS(MFXVideoDECODE_Close(session), MFX_ERR_NONE);
    CHECK_STS(MFXClose(session), MFX_ERR_NONE);
    MFXUnload(loader);
    fa_free(&a, &a.app);
    fclose(out);
    free(data);
    return finish("decode_app_allocator") ? 1 : 0;
}
