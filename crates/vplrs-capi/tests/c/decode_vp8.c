/* VP8 decode through Intel's dispatcher, as an application does it.
 *
 *   decode_vp8 pool FILE.ivf...   2.x: NULL work surfaces (decode pool), with every third frame
 *                                 decoded into a surface from MFXMemory_GetSurfaceForDecode;
 *                                 NV12 output; SyncOperation and Synchronize alternate.
 *   decode_vp8 app FILE.ivf...    1.x: application surfaces with plane pointers (I420 output),
 *                                 Locked rules, MFX_ERR_MORE_SURFACE for a locked surface.
 *
 * For each file it prints "FILE <path>" and one line per shown frame: the MD5 of the cropped
 * picture as I420 (the format of the .ivf.md5 files); the Rust test compares them. A key frame
 * larger than the surfaces (MFX_ERR_INCOMPATIBLE_VIDEO_PARAM) is handled as applications do:
 * drain, DecodeHeader, Close, Init. */
#include "common.h"
#include "ivf.h"
#include "md5.h"

#define MAX_PENDING 8
#define ASYNC_DEPTH 3

/* MD5 of the cropped picture as I420, from NV12 or I420 planes. */
static void hash_picture(const mfxFrameSurface1 *s, char hex[33]) {
    md5_ctx md5;
    md5_init(&md5);
    int w = s->Info.CropW, h = s->Info.CropH, cw = (w + 1) / 2, ch = (h + 1) / 2;
    int pitch = s->Data.Pitch;
    for (int y = 0; y < h; y++) md5_update(&md5, s->Data.Y + (size_t)y * pitch, (size_t)w);
    if (s->Info.FourCC == MFX_FOURCC_NV12) {
        uint8_t row[8192];
        for (int plane = 0; plane < 2; plane++)
            for (int y = 0; y < ch; y++) {
                const uint8_t *uv = s->Data.UV + (size_t)y * pitch;
                for (int x = 0; x < cw; x++) row[x] = uv[2 * x + plane];
                md5_update(&md5, row, (size_t)cw);
            }
    } else {
        for (int y = 0; y < ch; y++) md5_update(&md5, s->Data.U + (size_t)y * (pitch / 2), (size_t)cw);
        for (int y = 0; y < ch; y++) md5_update(&md5, s->Data.V + (size_t)y * (pitch / 2), (size_t)cw);
    }
    md5_hex(&md5, hex);
}

typedef struct {
    mfxFrameSurface1 *out;
    mfxSyncPoint sync;
    mfxU64 pts;
} pending_frame;

typedef struct {
    mfxSession session;
    mfxVideoParam par;
    int app_surfaces; /* 1.x mode */
    mfxFrameSurface1 *surfaces;
    mfxU8 **buffers;
    int num_surfaces;
    pending_frame pending[MAX_PENDING];
    int num_pending;
    int synced;
} decoder;

static void free_surfaces(decoder *d) {
    for (int i = 0; i < d->num_surfaces; i++) {
        CHECK(d->surfaces[i].Data.Locked == 0);
        free(d->buffers[i]);
    }
    free(d->surfaces);
    free(d->buffers);
    d->surfaces = NULL;
    d->buffers = NULL;
    d->num_surfaces = 0;
}

/* 1.x: the application's I420 surfaces, as many as QueryIOSurf suggests plus one. */
static void alloc_surfaces(decoder *d) {
    mfxFrameAllocRequest request;
    memset(&request, 0, sizeof(request));
    CHECK_STS(MFXVideoDECODE_QueryIOSurf(d->session, &d->par, &request), MFX_ERR_NONE);
    CHECK((request.Type & MFX_MEMTYPE_SYSTEM_MEMORY) && (request.Type & MFX_MEMTYPE_FROM_DECODE));
    CHECK(request.NumFrameSuggested >= ASYNC_DEPTH && request.NumFrameMin >= 1);
    CHECK(request.Info.Width == d->par.mfx.FrameInfo.Width && request.Info.FourCC == MFX_FOURCC_I420);
    d->num_surfaces = request.NumFrameSuggested + 1;
    d->surfaces = calloc((size_t)d->num_surfaces, sizeof(mfxFrameSurface1));
    d->buffers = calloc((size_t)d->num_surfaces, sizeof(mfxU8 *));
    REQUIRE(d->surfaces && d->buffers);
    mfxU16 w = request.Info.Width, h = request.Info.Height;
    for (int i = 0; i < d->num_surfaces; i++) {
        mfxFrameSurface1 *s = &d->surfaces[i];
        s->Info = d->par.mfx.FrameInfo;
        d->buffers[i] = malloc((size_t)w * h * 3 / 2);
        REQUIRE(d->buffers[i]);
        s->Data.Y = d->buffers[i];
        s->Data.U = s->Data.Y + (size_t)w * h;
        s->Data.V = s->Data.U + (size_t)w * h / 4;
        s->Data.Pitch = w;
    }
}

static void init_decoder(decoder *d, mfxBitstream *bs) {
    memset(&d->par, 0, sizeof(d->par));
    d->par.mfx.CodecId = MFX_CODEC_VP8;
    if (d->app_surfaces) d->par.mfx.FrameInfo.FourCC = MFX_FOURCC_I420;
    mfxU32 offset = bs->DataOffset, length = bs->DataLength;
    CHECK_STS(MFXVideoDECODE_DecodeHeader(d->session, bs, &d->par), MFX_ERR_NONE);
    CHECK(bs->DataOffset == offset && bs->DataLength == length); /* DecodeHeader leaves the data */
    CHECK(d->par.mfx.FrameInfo.FourCC == (d->app_surfaces ? MFX_FOURCC_I420 : MFX_FOURCC_NV12));
    d->par.IOPattern = MFX_IOPATTERN_OUT_SYSTEM_MEMORY;
    d->par.AsyncDepth = ASYNC_DEPTH;
    CHECK_STS(MFXVideoDECODE_Init(d->session, &d->par), MFX_ERR_NONE);
    if (d->app_surfaces) alloc_surfaces(d);
}

/* Waits for the oldest pending frame, prints its MD5 and lets it go. */
static void finish_oldest(decoder *d) {
    REQUIRE(d->num_pending > 0);
    pending_frame p = d->pending[0];
    memmove(d->pending, d->pending + 1, sizeof(pending_frame) * (size_t)(d->num_pending - 1));
    d->num_pending--;
    mfxFrameSurface1 *s = p.out;
    char hex[33];
    if (d->app_surfaces) {
        CHECK_STS(MFXVideoCORE_SyncOperation(d->session, p.sync, 60000), MFX_ERR_NONE);
        CHECK(s->Data.Locked == 0); /* the decoder lets go once the picture is complete */
        CHECK(s->Data.TimeStamp == p.pts);
        hash_picture(s, hex);
    } else {
        if (d->synced++ % 2 == 0) {
            CHECK_STS(MFXVideoCORE_SyncOperation(d->session, p.sync, 60000), MFX_ERR_NONE);
        } else {
            CHECK_STS(s->FrameInterface->Synchronize(s, 60000), MFX_ERR_NONE);
        }
        CHECK(s->Data.TimeStamp == p.pts);
        CHECK_STS(s->FrameInterface->Map(s, MFX_MAP_READ), MFX_ERR_NONE);
        hash_picture(s, hex);
        CHECK_STS(s->FrameInterface->Unmap(s), MFX_ERR_NONE);
        CHECK_STS(s->FrameInterface->Release(s), MFX_ERR_NONE);
    }
    printf("%s\n", hex);
}

/* 1.x: a surface that is neither locked nor waiting to be hashed. */
static mfxFrameSurface1 *free_surface(decoder *d) {
    for (int i = 0; i < d->num_surfaces; i++) {
        mfxFrameSurface1 *s = &d->surfaces[i];
        int busy = s->Data.Locked != 0;
        for (int p = 0; p < d->num_pending; p++) busy |= d->pending[p].out == s;
        if (!busy) return s;
    }
    return NULL;
}

static void drain(decoder *d) {
    mfxFrameSurface1 *out = (mfxFrameSurface1 *)1;
    mfxSyncPoint sync = NULL;
    CHECK_STS(MFXVideoDECODE_DecodeFrameAsync(d->session, NULL, NULL, &out, &sync), MFX_ERR_MORE_DATA);
    CHECK(out == NULL);
    while (d->num_pending > 0) finish_oldest(d);
}

static void decode_one(decoder *d, mfxBitstream *bs, int index) {
    int tested_locked = 0;
    while (bs->DataLength > 0) {
        mfxFrameSurface1 *work = NULL, *out = NULL;
        mfxSyncPoint sync = NULL;
        int from_pool = 0;
        if (d->num_pending >= ASYNC_DEPTH) {
            /* As applications do: keep at most AsyncDepth pictures in flight. */
            finish_oldest(d);
            continue;
        }
        if (d->app_surfaces) {
            work = free_surface(d);
            if (!work) {
                finish_oldest(d);
                continue;
            }
            if (!tested_locked && index % 5 == 0) {
                /* A surface another component holds (Locked != 0) is refused without taking the
                 * data. (Raised here by the application itself, so the test does not race the
                 * decoder's own completion.) */
                tested_locked = 1;
                mfxU32 length = bs->DataLength;
                work->Data.Locked = 1;
                mfxStatus sts = MFXVideoDECODE_DecodeFrameAsync(d->session, bs, work, &out, &sync);
                work->Data.Locked = 0;
                if (sts == MFX_ERR_MORE_DATA) { /* a hidden frame needs no surface: taken */
                    CHECK(bs->DataLength == 0 && out == NULL);
                    break;
                }
                CHECK(sts == MFX_ERR_MORE_SURFACE || sts == MFX_WRN_DEVICE_BUSY);
                CHECK(bs->DataLength == length && out == NULL);
            }
        } else if (index % 3 == 1) {
            CHECK_STS(MFXMemory_GetSurfaceForDecode(d->session, &work), MFX_ERR_NONE);
            from_pool = 1;
        }
        mfxStatus sts = MFXVideoDECODE_DecodeFrameAsync(d->session, bs, work, &out, &sync);
        if (from_pool) CHECK_STS(work->FrameInterface->Release(work), MFX_ERR_NONE);
        switch (sts) {
        case MFX_ERR_NONE:
            CHECK(bs->DataLength == 0 && out != NULL && sync != NULL);
            if (work) CHECK(out == work);
            REQUIRE(d->num_pending < MAX_PENDING);
            d->pending[d->num_pending++] = (pending_frame){out, sync, bs->TimeStamp};
            break;
        case MFX_ERR_MORE_DATA: /* a hidden frame, taken */
            CHECK(bs->DataLength == 0 && out == NULL);
            break;
        case MFX_WRN_DEVICE_BUSY:
            CHECK(bs->DataLength > 0 && out == NULL);
            finish_oldest(d);
            break;
        case MFX_ERR_INCOMPATIBLE_VIDEO_PARAM:
            CHECK(bs->DataLength > 0);
            drain(d);
            CHECK_STS(MFXVideoDECODE_Close(d->session), MFX_ERR_NONE);
            if (d->app_surfaces) free_surfaces(d);
            init_decoder(d, bs);
            break;
        default:
            fprintf(stderr, "frame %d: DecodeFrameAsync returned %d\n", index, (int)sts);
            g_failures++;
            bs->DataLength = 0;
        }
    }
}

static void decode_file(decoder *d, const char *path) {
    ivf_reader ivf;
    REQUIRE(ivf_open(&ivf, path) == 0);
    printf("FILE %s\n", path);
    uint32_t size = 0;
    uint64_t pts = 0;
    int index = 0, initialised = 0;
    const uint8_t *frame;
    while ((frame = ivf_next(&ivf, &size, &pts)) != NULL) {
        mfxBitstream bs;
        memset(&bs, 0, sizeof(bs));
        bs.Data = (mfxU8 *)frame;
        bs.DataLength = size;
        bs.MaxLength = size;
        bs.TimeStamp = pts;
        bs.DataFlag = MFX_BITSTREAM_COMPLETE_FRAME;
        if (size == 0) { /* a dropped frame: nothing shown, as with vpxdec */
            index++;
            continue;
        }
        if (!initialised) {
            init_decoder(d, &bs);
            initialised = 1;
        }
        decode_one(d, &bs, index++);
    }
    drain(d);
    mfxDecodeStat stat;
    memset(&stat, 0, sizeof(stat));
    CHECK_STS(MFXVideoDECODE_GetDecodeStat(d->session, &stat), MFX_ERR_NONE);
    CHECK(stat.NumFrame > 0 && stat.NumCachedFrame == 0);
    CHECK_STS(MFXVideoDECODE_Close(d->session), MFX_ERR_NONE);
    if (d->app_surfaces) free_surfaces(d);
    ivf_close(&ivf);
}

int main(int argc, char **argv) {
    REQUIRE(argc >= 3);
    mfxLoader loader = NULL;
    decoder d;
    memset(&d, 0, sizeof(d));
    d.session = open_vplrs_decoder(&loader);
    if (strcmp(argv[1], "app") == 0) {
        d.app_surfaces = 1;
    } else {
        REQUIRE(strcmp(argv[1], "pool") == 0);
    }
    for (int i = 2; i < argc; i++) decode_file(&d, argv[i]);
    CHECK_STS(MFXClose(d.session), MFX_ERR_NONE);
    MFXUnload(loader);
    fflush(stdout);
    return finish("decode_vp8") ? 1 : 0;
}
