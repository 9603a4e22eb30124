/* Decode of libavcodec's codecs (H.264, H.265, VP9, AV1, JPEG) through Intel's dispatcher, as an
 * application does it.
 *
 *   decode_stream MODE CODEC IN [OUT [FOURCC]]
 *
 *   MODE   pool    2.x: NULL work surfaces, pictures from the decode pool; up to AsyncDepth of
 *                  them held by the application, checked unchanged when written (the decoder
 *                  never reuses a surface the application or libavcodec still holds).
 *          app     1.x: application surfaces with plane pointers, exactly NumFrameSuggested of
 *                  them. Checks that a surface with Locked != 0 is never written by a call and
 *                  that MFX_ERR_MORE_SURFACE never repeats without progress. The picture may
 *                  come out in another of the surfaces than the call's work surface.
 *          aligned as app, with planes as libavcodec decodes into (64-byte plane starts, a
 *                  Pitch that is a multiple of 128 so the I420 chroma pitch is one of 64).
 *          skip    2.x after SetSkipMode(MORE) three times (loop filter off, B-pictures dropped
 *                  where the codec supports it).
 *          robust  2.x on damaged data: every status is one the API documents, pictures with
 *                  errors carry Data.Corrupted, the program never hangs (the number of calls is
 *                  bounded); undecodable input ends it gracefully.
 *   CODEC  h264 | h265 | vp9 | av1 | jpeg
 *   IN     an IVF file (one frame per bitstream) or an elementary stream (fed in 4 KiB chunks
 *          appended to the bitstream, as sample_decode's reader does)
 *   OUT    the cropped pictures as rawvideo: I420 (from I420 or NV12 surfaces), P010 (16-bit
 *          samples, MSB-aligned, as ffmpeg's p010le), YUY2 or AYUV rows
 *   FOURCC nv12: ask DecodeHeader for NV12 instead of the runtime's default; lsb: P010 with
 *          mfxFrameInfo.Shift 0 (samples in the low bits; DecodeHeader must report Shift 1)
 *
 * DECODE_ASYNC_DEPTH (1..4, default 4) sets AsyncDepth and how many pictures the program keeps
 * before it writes the oldest.
 *
 * Prints "frames N corrupted C" at the end, and for 1.x the most surfaces seen with Locked != 0
 * after a call ("locked_seen N": the runtime keeping references in them). */
#include "common.h"
#include "ivf.h"

/* The FOURCC argument. */
#define NV12 1
#define LSB_P010 2

#define ASYNC_DEPTH 4
#define CHUNK 4096
#define MAX_CALLS 200000

typedef struct {
    FILE *f;
    int ivf;
    ivf_reader reader;
} input;

typedef struct {
    mfxFrameSurface1 *out;
    mfxSyncPoint sync;
    uint64_t sum; /* 2.x: the luma when handed out, to catch a later overwrite */
} pending_frame;

typedef struct {
    mfxSession session;
    mfxVideoParam par;
    const char *mode;
    int app, aligned, robust, skip;
    int depth;      /* AsyncDepth, and the pictures kept before the oldest is written */
    int locked_seen; /* the most 1.x surfaces with Locked != 0 after a call */
    FILE *out;
    mfxFrameSurface1 *surfaces;
    mfxU8 **buffers;
    size_t buffer_size;
    int num_surfaces;
    pending_frame pending[ASYNC_DEPTH];
    int num_pending;
    int frames, corrupted;
    long calls;
} decoder;

/* Appends the next IVF frame or chunk to the bitstream; 0 at the end of the input. */
static int read_more(input *in, mfxBitstream *bs) {
    if (bs->DataOffset > 0) {
        memmove(bs->Data, bs->Data + bs->DataOffset, bs->DataLength);
        bs->DataOffset = 0;
    }
    const uint8_t *data = NULL;
    uint32_t size = 0;
    uint8_t chunk[CHUNK];
    uint64_t pts = 0;
    if (in->ivf) {
        data = ivf_next(&in->reader, &size, &pts);
        if (!data) return 0;
        bs->TimeStamp = pts;
    } else {
        size = (uint32_t)fread(chunk, 1, CHUNK, in->f);
        if (size == 0) return 0;
        data = chunk;
    }
    if (bs->DataLength + size > bs->MaxLength) {
        bs->MaxLength = 2 * (bs->DataLength + size);
        bs->Data = realloc(bs->Data, bs->MaxLength);
        REQUIRE(bs->Data);
    }
    memcpy(bs->Data + bs->DataLength, data, size);
    bs->DataLength += size;
    return 1;
}

static void write_rows(decoder *d, const mfxU8 *base, int pitch, int rows, int bytes) {
    for (int y = 0; y < rows; y++) REQUIRE(fwrite(base + (size_t)y * pitch, 1, (size_t)bytes, d->out) == (size_t)bytes);
}

/* Writes the cropped picture as rawvideo (see the header). */
static void write_picture(decoder *d, const mfxFrameSurface1 *s) {
    if (!d->out) return;
    const mfxFrameData *p = &s->Data;
    int w = s->Info.CropW, h = s->Info.CropH, cw = (w + 1) / 2, ch = (h + 1) / 2;
    int pitch = p->Pitch;
    switch (s->Info.FourCC) {
    case MFX_FOURCC_I420:
        write_rows(d, p->Y, pitch, h, w);
        write_rows(d, p->U, pitch / 2, ch, cw);
        write_rows(d, p->V, pitch / 2, ch, cw);
        break;
    case MFX_FOURCC_NV12: {
        write_rows(d, p->Y, pitch, h, w);
        uint8_t row[8192];
        for (int plane = 0; plane < 2; plane++)
            for (int y = 0; y < ch; y++) {
                for (int x = 0; x < cw; x++) row[x] = p->UV[(size_t)y * pitch + 2 * x + plane];
                REQUIRE(fwrite(row, 1, (size_t)cw, d->out) == (size_t)cw);
            }
        break;
    }
    case MFX_FOURCC_P010:
        write_rows(d, p->Y, pitch, h, 2 * w);
        write_rows(d, p->UV, pitch, ch, 4 * cw);
        break;
    case MFX_FOURCC_YUY2:
        write_rows(d, p->Y, pitch, h, 4 * cw);
        break;
    case MFX_FOURCC_AYUV:
        write_rows(d, p->V, pitch, h, 4 * w);
        break;
    default:
        fprintf(stderr, "unexpected FourCC %08x\n", (unsigned)s->Info.FourCC);
        g_failures++;
    }
}

/* FNV-1a of a surface's whole buffer (1.x surfaces only). */
static uint64_t checksum(const decoder *d, int index) {
    uint64_t hash = 1469598103934665603ull;
    for (size_t i = 0; i < d->buffer_size; i++) hash = (hash ^ d->buffers[index][i]) * 1099511628211ull;
    return hash;
}

/* FNV-1a of a mapped picture's cropped luma rows. */
static uint64_t luma_sum(const mfxFrameSurface1 *s) {
    uint64_t hash = 1469598103934665603ull;
    int bytes = s->Info.FourCC == MFX_FOURCC_P010 ? 2 : s->Info.FourCC == MFX_FOURCC_YUY2 ? 2 : 1;
    const mfxU8 *luma = s->Info.FourCC == MFX_FOURCC_AYUV ? s->Data.V : s->Data.Y;
    for (int y = 0; y < s->Info.CropH; y++)
        for (int x = 0; x < s->Info.CropW * bytes; x++) hash = (hash ^ luma[(size_t)y * s->Data.Pitch + x]) * 1099511628211ull;
    return hash;
}

/* 2.x: the luma of a picture just handed out (held until written: the decoder must not reuse it). */
static uint64_t held_sum(mfxFrameSurface1 *s) {
    CHECK_STS(s->FrameInterface->Synchronize(s, 60000), MFX_ERR_NONE);
    CHECK_STS(s->FrameInterface->Map(s, MFX_MAP_READ), MFX_ERR_NONE);
    uint64_t sum = luma_sum(s);
    CHECK_STS(s->FrameInterface->Unmap(s), MFX_ERR_NONE);
    return sum;
}

/* 1.x: exactly the suggested number of application surfaces. */
static void alloc_surfaces(decoder *d) {
    mfxFrameAllocRequest request;
    memset(&request, 0, sizeof(request));
    CHECK_STS(MFXVideoDECODE_QueryIOSurf(d->session, &d->par, &request), MFX_ERR_NONE);
    CHECK(request.NumFrameSuggested >= d->depth && request.NumFrameMin >= 1);
    CHECK(request.Info.FourCC == d->par.mfx.FrameInfo.FourCC);
    d->num_surfaces = request.NumFrameSuggested;
    d->surfaces = calloc((size_t)d->num_surfaces, sizeof(mfxFrameSurface1));
    d->buffers = calloc((size_t)d->num_surfaces, sizeof(mfxU8 *));
    REQUIRE(d->surfaces && d->buffers);
    mfxU32 fourcc = request.Info.FourCC;
    REQUIRE(fourcc == MFX_FOURCC_I420 || fourcc == MFX_FOURCC_NV12 || fourcc == MFX_FOURCC_P010);
    size_t w = request.Info.Width, h = request.Info.Height, bytes = fourcc == MFX_FOURCC_P010 ? 2 : 1;
    size_t pitch = d->aligned ? (w * bytes + 127) / 128 * 128 : w * bytes;
    d->buffer_size = (pitch * h * 3 / 2 + 63) / 64 * 64;
    for (int i = 0; i < d->num_surfaces; i++) {
        mfxFrameSurface1 *s = &d->surfaces[i];
        /* As Intel's samples do, aligned surfaces take the size QueryIOSurf asks for. */
        s->Info = d->aligned ? request.Info : d->par.mfx.FrameInfo;
        d->buffers[i] = d->aligned ? aligned_alloc(64, d->buffer_size) : calloc(1, d->buffer_size);
        REQUIRE(d->buffers[i]);
        memset(d->buffers[i], 0, d->buffer_size);
        s->Data.Y = d->buffers[i];
        s->Data.Pitch = (mfxU16)pitch;
        if (fourcc == MFX_FOURCC_I420) {
            s->Data.U = s->Data.Y + pitch * h;
            s->Data.V = s->Data.U + pitch * h / 4;
        } else {
            s->Data.UV = s->Data.Y + w * h * bytes;
            s->Data.V = s->Data.UV + bytes;
        }
    }
}

/* SetSkipMode's documented answers, and GetPayload's when there is no payload. The skip mode is
 * left at NOSKIP, or (skip mode) three steps up. */
static void skip_modes(decoder *d, mfxU32 codec) {
    int levels = codec == MFX_CODEC_AVC || codec == MFX_CODEC_HEVC || codec == MFX_CODEC_VP9 ? 4 : 0;
    CHECK_STS(MFXVideoDECODE_SetSkipMode(d->session, MFX_SKIPMODE_LESS), MFX_WRN_VALUE_NOT_CHANGED);
    for (int i = 0; i < levels; i++) CHECK_STS(MFXVideoDECODE_SetSkipMode(d->session, MFX_SKIPMODE_MORE), MFX_ERR_NONE);
    CHECK_STS(MFXVideoDECODE_SetSkipMode(d->session, MFX_SKIPMODE_MORE), MFX_WRN_VALUE_NOT_CHANGED);
    if (levels) CHECK_STS(MFXVideoDECODE_SetSkipMode(d->session, MFX_SKIPMODE_LESS), MFX_ERR_NONE);
    CHECK_STS(MFXVideoDECODE_SetSkipMode(d->session, MFX_SKIPMODE_NOSKIP), MFX_ERR_NONE);
    for (int i = 0; d->skip && i < 3; i++)
        CHECK_STS(MFXVideoDECODE_SetSkipMode(d->session, MFX_SKIPMODE_MORE), levels ? MFX_ERR_NONE : MFX_WRN_VALUE_NOT_CHANGED);
    mfxU8 data[64];
    mfxPayload payload;
    memset(&payload, 0, sizeof(payload));
    payload.Data = data;
    payload.BufSize = sizeof(data);
    payload.NumBit = 99;
    mfxU64 ts = 1;
    CHECK_STS(MFXVideoDECODE_GetPayload(d->session, &ts, &payload), MFX_ERR_NONE);
    CHECK(payload.NumBit == 0);
}

/* 0 when the stream cannot be decoded (robust mode only). */
static int init_decoder(decoder *d, mfxU32 codec, input *in, mfxBitstream *bs, int nv12) {
    memset(&d->par, 0, sizeof(d->par));
    d->par.mfx.CodecId = codec;
    if (nv12 == NV12) d->par.mfx.FrameInfo.FourCC = MFX_FOURCC_NV12;
    mfxStatus sts;
    while ((sts = MFXVideoDECODE_DecodeHeader(d->session, bs, &d->par)) == MFX_ERR_MORE_DATA) {
        if (!read_more(in, bs)) {
            REQUIRE(d->robust); /* a valid stream has a header */
            printf("no sequence header\n");
            return 0;
        }
    }
    if (sts != MFX_ERR_NONE) {
        fprintf(stderr, "DecodeHeader returned %d\n", (int)sts);
        REQUIRE(d->robust && sts == MFX_ERR_UNSUPPORTED);
        return 0;
    }
    if (nv12 == LSB_P010) {
        REQUIRE(d->par.mfx.FrameInfo.FourCC == MFX_FOURCC_P010);
        CHECK(d->par.mfx.FrameInfo.Shift == 1);
        d->par.mfx.FrameInfo.Shift = 0;
    }
    printf("header: %ux%u crop %ux%u fourcc %.4s profile %u level %u frame rate %u/%u\n",
           d->par.mfx.FrameInfo.Width, d->par.mfx.FrameInfo.Height, d->par.mfx.FrameInfo.CropW,
           d->par.mfx.FrameInfo.CropH, (const char *)&d->par.mfx.FrameInfo.FourCC, d->par.mfx.CodecProfile,
           d->par.mfx.CodecLevel, d->par.mfx.FrameInfo.FrameRateExtN, d->par.mfx.FrameInfo.FrameRateExtD);
    d->par.IOPattern = MFX_IOPATTERN_OUT_SYSTEM_MEMORY;
    d->par.AsyncDepth = (mfxU16)d->depth;
    mfxVideoParam checked = d->par;
    sts = MFXVideoDECODE_Query(d->session, &d->par, &checked);
    if (sts != MFX_ERR_NONE) {
        fprintf(stderr, "Query returned %d\n", (int)sts);
        REQUIRE(d->robust && sts == MFX_ERR_UNSUPPORTED);
        return 0;
    }
    sts = MFXVideoDECODE_Init(d->session, &d->par);
    if (sts != MFX_ERR_NONE) {
        fprintf(stderr, "Init returned %d\n", (int)sts);
        REQUIRE(d->robust && sts == MFX_ERR_INVALID_VIDEO_PARAM);
        return 0;
    }
    /* Reset with the parameters of Init restarts the decoder (nothing decoded yet). */
    CHECK_STS(MFXVideoDECODE_Reset(d->session, &d->par), MFX_ERR_NONE);
    mfxVideoParam current;
    memset(&current, 0, sizeof(current));
    CHECK_STS(MFXVideoDECODE_GetVideoParam(d->session, &current), MFX_ERR_NONE);
    CHECK(current.mfx.CodecId == codec && current.mfx.FrameInfo.FourCC == d->par.mfx.FrameInfo.FourCC);
    if (d->app) alloc_surfaces(d);
    skip_modes(d, codec);
    return 1;
}

/* Waits for the oldest pending picture, writes it and lets it go. */
static void finish_oldest(decoder *d) {
    REQUIRE(d->num_pending > 0);
    pending_frame p = d->pending[0];
    memmove(d->pending, d->pending + 1, sizeof(pending_frame) * (size_t)(d->num_pending - 1));
    d->num_pending--;
    mfxFrameSurface1 *s = p.out;
    mfxStatus sts = MFXVideoCORE_SyncOperation(d->session, p.sync, 60000);
    if (d->robust && sts == MFX_ERR_ABORTED) {
        if (!d->app) CHECK_STS(s->FrameInterface->Release(s), MFX_ERR_NONE);
        return;
    }
    CHECK_STS(sts, MFX_ERR_NONE);
    d->frames++;
    if (s->Data.Corrupted) d->corrupted++;
    CHECK(d->robust || s->Data.Corrupted == 0);
    if (d->app) {
        write_picture(d, s);
    } else {
        CHECK_STS(s->FrameInterface->Map(s, MFX_MAP_READ), MFX_ERR_NONE);
        CHECK(luma_sum(s) == p.sum); /* not overwritten while the application held it */
        write_picture(d, s);
        CHECK_STS(s->FrameInterface->Unmap(s), MFX_ERR_NONE);
        CHECK_STS(s->FrameInterface->Release(s), MFX_ERR_NONE);
    }
}

/* 1.x: a surface neither locked nor waiting to be written. */
static mfxFrameSurface1 *free_surface(decoder *d) {
    for (int i = 0; i < d->num_surfaces; i++) {
        mfxFrameSurface1 *s = &d->surfaces[i];
        int busy = s->Data.Locked != 0;
        for (int p = 0; p < d->num_pending; p++) busy |= d->pending[p].out == s;
        if (!busy) return s;
    }
    return NULL;
}

/* One DecodeFrameAsync (bs NULL: drain). Returns its status after the checks. */
static mfxStatus decode_call(decoder *d, mfxBitstream *bs) {
    REQUIRE(++d->calls < MAX_CALLS); /* never loops forever */
    mfxFrameSurface1 *work = NULL, *out = NULL;
    mfxSyncPoint sync = NULL;
    uint64_t sums[64];
    if (d->app) {
        while (!(work = free_surface(d))) {
            /* With the suggested number of surfaces, one is free once the pending ones are done. */
            REQUIRE(d->num_pending > 0);
            finish_oldest(d);
        }
        for (int i = 0; i < d->num_surfaces && i < 64; i++)
            if (d->surfaces[i].Data.Locked) sums[i] = checksum(d, i);
    }
    mfxStatus sts = MFXVideoDECODE_DecodeFrameAsync(d->session, bs, work, &out, &sync);
    if (d->app) {
        int locked = 0;
        for (int i = 0; i < d->num_surfaces; i++) locked += d->surfaces[i].Data.Locked != 0;
        if (locked > d->locked_seen) d->locked_seen = locked;
        /* A call never writes a surface that was Locked when it started. */
        for (int i = 0; i < d->num_surfaces && i < 64; i++)
            if (d->surfaces[i].Data.Locked && &d->surfaces[i] != work) CHECK(sums[i] == checksum(d, i));
    }
    switch (sts) {
    case MFX_ERR_NONE:
        CHECK(out != NULL && sync != NULL);
        /* The picture is in one of the application's surfaces (in place, possibly an earlier
         * call's work surface the decoder kept for reordering). */
        if (d->app) CHECK(out >= d->surfaces && out < d->surfaces + d->num_surfaces);
        if (d->num_pending == d->depth) finish_oldest(d);
        d->pending[d->num_pending++] = (pending_frame){out, sync, d->app ? 0 : held_sum(out)};
        break;
    case MFX_ERR_MORE_DATA:
    case MFX_ERR_MORE_SURFACE:
        CHECK(out == NULL);
        break;
    case MFX_WRN_DEVICE_BUSY:
        if (d->num_pending > 0) finish_oldest(d);
        break;
    case MFX_ERR_INCOMPATIBLE_VIDEO_PARAM:
    case MFX_ERR_ABORTED:
    case MFX_ERR_UNDEFINED_BEHAVIOR:
        CHECK(d->robust);
        break;
    default:
        fprintf(stderr, "DecodeFrameAsync returned %d\n", (int)sts);
        g_failures++;
    }
    return sts;
}

static void run(decoder *d, mfxU32 codec, input *in, int nv12) {
    mfxBitstream bs;
    memset(&bs, 0, sizeof(bs));
    read_more(in, &bs);
    if (!init_decoder(d, codec, in, &bs, nv12)) {
        free(bs.Data);
        return;
    }
    int more_surface = 0, ended = 0;
    for (;;) {
        mfxU32 offset = bs.DataOffset, length = bs.DataLength;
        mfxStatus sts = decode_call(d, &bs);
        if (sts == MFX_ERR_MORE_SURFACE) {
            /* Another surface is needed: never again and again without progress. */
            int progress = bs.DataOffset != offset || bs.DataLength != length;
            more_surface = progress ? 0 : more_surface + 1;
            CHECK(more_surface <= d->num_surfaces + 1);
            if (more_surface > d->num_surfaces + 1) break;
            continue;
        }
        more_surface = 0;
        if (sts == MFX_ERR_INCOMPATIBLE_VIDEO_PARAM || sts == MFX_ERR_UNDEFINED_BEHAVIOR) {
            printf("stopped: status %d\n", (int)sts);
            break;
        }
        if (sts == MFX_ERR_MORE_DATA && !read_more(in, &bs)) {
            ended = 1;
            break;
        }
        if (sts != MFX_ERR_NONE && sts != MFX_ERR_MORE_DATA && sts != MFX_WRN_DEVICE_BUSY &&
            sts != MFX_ERR_ABORTED)
            break;
    }
    if (ended) {
        /* End of stream: drain until MFX_ERR_MORE_DATA. */
        mfxStatus sts;
        while ((sts = decode_call(d, NULL)) != MFX_ERR_MORE_DATA) {
            if (sts != MFX_ERR_NONE && sts != MFX_WRN_DEVICE_BUSY && sts != MFX_ERR_MORE_SURFACE &&
                sts != MFX_ERR_ABORTED)
                break;
        }
    }
    while (d->num_pending > 0) finish_oldest(d);
    mfxDecodeStat stat;
    memset(&stat, 0, sizeof(stat));
    CHECK_STS(MFXVideoDECODE_GetDecodeStat(d->session, &stat), MFX_ERR_NONE);
    printf("stat: NumFrame %u NumError %u NumSkippedFrame %u\n", stat.NumFrame, stat.NumError, stat.NumSkippedFrame);
    CHECK_STS(MFXVideoDECODE_Close(d->session), MFX_ERR_NONE);
    if (d->app) {
        for (int i = 0; i < d->num_surfaces; i++) {
            CHECK(d->surfaces[i].Data.Locked == 0);
            free(d->buffers[i]);
        }
        free(d->surfaces);
        free(d->buffers);
    }
    free(bs.Data);
}

int main(int argc, char **argv) {
    REQUIRE(argc >= 4);
    decoder d;
    memset(&d, 0, sizeof(d));
    d.mode = argv[1];
    d.aligned = !strcmp(d.mode, "aligned");
    d.app = d.aligned || !strcmp(d.mode, "app");
    const char *depth = getenv("DECODE_ASYNC_DEPTH");
    d.depth = depth ? atoi(depth) : ASYNC_DEPTH;
    REQUIRE(d.depth >= 1 && d.depth <= ASYNC_DEPTH);
    d.robust = !strcmp(d.mode, "robust");
    d.skip = !strcmp(d.mode, "skip");
    REQUIRE(d.app || d.robust || d.skip || !strcmp(d.mode, "pool"));
    mfxU32 codec = codec_id(argv[2]);
    input in;
    memset(&in, 0, sizeof(in));
    in.ivf = ivf_open(&in.reader, argv[3]) == 0;
    if (!in.ivf) {
        in.f = fopen(argv[3], "rb");
        REQUIRE(in.f);
    }
    if (argc >= 5) {
        d.out = fopen(argv[4], "wb");
        REQUIRE(d.out);
    }
    int nv12 = argc < 6 ? 0 : !strcmp(argv[5], "nv12") ? NV12 : !strcmp(argv[5], "lsb") ? LSB_P010 : 0;
    mfxLoader loader = NULL;
    d.session = open_vplrs_with(&loader, "mfxImplDescription.mfxDecoderDescription.decoder.CodecID", codec);
    run(&d, codec, &in, nv12);
    printf("frames %d corrupted %d\n", d.frames, d.corrupted);
    if (d.app) printf("locked_seen %d\n", d.locked_seen);
    CHECK_STS(MFXClose(d.session), MFX_ERR_NONE);
    MFXUnload(loader);
    if (d.out) fclose(d.out);
    if (in.ivf) ivf_close(&in.reader);
    if (in.f) fclose(in.f);
    fflush(stdout);
    return finish("decode_stream") ? 1 : 0;
}
