/* Random calls through the C ABI, as a hostile application makes them: mfxVideoParam structures
 * of random bytes (with some fields drawn from the values that matter), random extension buffers
 * (ids vplrs knows and others, BufferSz from 0 up, NULL entries, NULL arrays), bitstreams of a
 * real stream cut, flipped or replaced by garbage, bad offsets and lengths, and surfaces the
 * runtime handed out, in random order through Query, QueryIOSurf, Init, Reset, DecodeHeader,
 * DecodeFrameAsync, RunFrameVPPAsync, ProcessFrameAsync, EncodeFrameAsync, GetSurfaceFor* and
 * Close. Every pointer passed is valid or NULL (the API cannot check more). Each answer must be an
 * mfxStatus the headers define; nothing may crash or hang (the test runs it under `timeout`).
 *
 * The choices come from a seeded generator, or from the bytes of a fuzz case: one case is
 * [u16 LE: n][n bytes of choices][the stream the bitstreams are cut from], run in a session of
 * its own until its choices are used up. The same cases are
 *   - fuzzed with libFuzzer when compiled with -DABI_FUZZ (crates/vplrs-capi/fuzz/run.sh), and
 *   - replayed from the corpus (crates/vplrs-capi/fuzz/corpus/abi) by `cargo test`.
 *
 * Usage: abi_random SEED ITERATIONS STREAM.h264      (seeded)
 *        abi_random replay CASE...                   (fuzz cases)
 * Prints "N calls (S succeeded), every answer a documented mfxStatus". */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <time.h>
#include "common.h"
#include "vpl/mfxsurfacepool.h"

static unsigned long long rng_state;
/* Fuzz mode: the choices left. */
static const uint8_t *choices;
static size_t choices_left;
static int from_choices;

static unsigned rnd(void) {
    if (from_choices) {
        unsigned value = 0;
        for (int i = 0; i < 4 && choices_left > 0; i++, choices_left--) value = value << 8 | *choices++;
        return value;
    }
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state >> 11);
}

/* A choice among N: one byte of a fuzz case when that is enough. */
static unsigned pick(unsigned n) {
    if (n == 0) return 0;
    if (from_choices && n <= 256) {
        if (choices_left == 0) return 0;
        choices_left--;
        return *choices++ % n;
    }
    return rnd() % n;
}

static int calls = 0, succeeded = 0;

static void answer(mfxStatus sts, const char *what) {
    static int trace = -1;
    if (trace < 0) trace = getenv("ABI_TRACE") != NULL;
    if (trace) {
        static struct timespec last;
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        double ms = last.tv_sec ? (now.tv_sec - last.tv_sec) * 1e3 + (now.tv_nsec - last.tv_nsec) / 1e6 : 0;
        last = now;
        fprintf(stderr, "[%8.1f ms] %s -> %d\n", ms, what, (int)sts);
    }
    calls++;
    succeeded += sts >= MFX_ERR_NONE;
    /* The mfxStatus values the headers define: errors -1..-24 (and -30), warnings 1..13. */
    int known = (sts <= 0 && sts >= -24) || sts == -30 || (sts > 0 && sts <= 13);
    if (!known) {
        fprintf(stderr, "%s returned %d, not an mfxStatus\n", what, (int)sts);
        CHECK(0);
#ifdef ABI_FUZZ
        abort(); /* a finding for libFuzzer */
#endif
    }
}

#define CALL(expr) answer((expr), #expr)

/* Extension buffers: 4 KiB each, so that any BufferSz up to 4096 stays inside. */
#define EXT_MAX 4
static mfxU8 ext_memory[EXT_MAX][4096];
static mfxExtBuffer *ext_list[EXT_MAX];

static void random_ext(mfxVideoParam *par) {
    static const mfxU32 ids[] = {MFX_EXTBUFF_ALLOCATION_HINTS, MFX_EXTBUFF_VPP_VIDEO_SIGNAL_INFO,
                                 MFX_EXTBUFF_VPP_SCALING,      MFX_EXTBUFF_VPP_DONOTUSE,
                                 MFX_EXTBUFF_VPP_DOUSE,        MFX_EXTBUFF_VPP_ROTATION,
                                 MFX_EXTBUFF_VPP_MIRRORING,    MFX_EXTBUFF_VPP_PROCAMP,
                                 MFX_EXTBUFF_VPP_COLORFILL,    MFX_EXTBUFF_VPP_DEINTERLACING,
                                 MFX_EXTBUFF_CODING_OPTION,    MFX_EXTBUFF_CODING_OPTION2,
                                 MFX_EXTBUFF_CODING_OPTION_SPSPPS, MFX_EXTBUFF_VIDEO_SIGNAL_INFO,
                                 MFX_EXTBUFF_VPP_COMPOSITE,    MFX_EXTBUFF_VPP_DENOISE2,
                                 MFX_MAKEFOURCC('D', 'N', 'I', 'S') /* DENOISE, deprecated */, MFX_EXTBUFF_VPP_DETAIL,
                                 MFX_EXTBUFF_VPP_FRAME_RATE_CONVERSION, MFX_EXTBUFF_VPP_FIELD_PROCESSING,
                                 0x12345678};
    unsigned n = pick(EXT_MAX + 1);
    par->NumExtParam = (mfxU16)n;
    par->ExtParam = pick(8) == 0 ? NULL : ext_list;
    for (unsigned i = 0; i < n; i++) {
        if (from_choices) { /* a few bytes set, so a case's choices go further */
            memset(ext_memory[i], 0, 256);
            for (unsigned stray = pick(32); stray > 0; stray--) ext_memory[i][pick(256)] = (mfxU8)pick(256);
        } else {
            for (unsigned b = 0; b < 256; b++) ext_memory[i][b] = (mfxU8)rnd();
        }
        mfxExtBuffer *header = (mfxExtBuffer *)ext_memory[i];
        header->BufferId = ids[pick(sizeof(ids) / sizeof(ids[0]))];
        header->BufferSz = pick(4) == 0 ? pick(4097) : pick(300);
        /* Pointers inside buffers are valid or NULL too: a DOUSE/DONOTUSE list points at real
         * filter ids (known or not) or nowhere. */
        if (header->BufferId == MFX_EXTBUFF_VPP_DONOTUSE || header->BufferId == MFX_EXTBUFF_VPP_DOUSE) {
            static mfxU32 algorithms[4] = {MFX_EXTBUFF_VPP_PROCAMP, MFX_EXTBUFF_VPP_ROTATION,
                                           MFX_EXTBUFF_VPP_DENOISE2, MFX_EXTBUFF_VPP_COLORFILL};
            mfxExtVPPDoNotUse *list = (mfxExtVPPDoNotUse *)header;
            list->NumAlg = (mfxU32)pick(5);
            list->AlgList = pick(4) == 0 ? NULL : algorithms;
        }
        /* A composition's streams: a real array of up to 8 (random contents), or NULL. */
        if (header->BufferId == MFX_EXTBUFF_VPP_COMPOSITE && header->BufferSz >= sizeof(mfxExtVPPComposite)) {
            static mfxVPPCompInputStream streams[8];
            for (unsigned b = 0; b < sizeof(streams); b++) ((mfxU8 *)streams)[b] = (mfxU8)(pick(4) ? pick(256) : 0);
            mfxExtVPPComposite *composite = (mfxExtVPPComposite *)header;
            composite->NumInputStream = (mfxU16)pick(9);
            composite->InputStream = pick(6) == 0 ? NULL : streams;
        }
        ext_list[i] = pick(10) == 0 ? NULL : header;
    }
}

static void random_info(mfxFrameInfo *fi) {
    static const mfxU32 fourccs[] = {MFX_FOURCC_NV12, MFX_FOURCC_I420, MFX_FOURCC_P010, MFX_FOURCC_YUY2,
                                     MFX_FOURCC_RGB4, MFX_FOURCC_AYUV, MFX_FOURCC_Y410, 0x31313131, 0};
    static const mfxU16 sizes[] = {0, 1, 2, 15, 16, 64, 320, 368, 1920, 4096, 16384, 65535};
    fi->FourCC = fourccs[pick(sizeof(fourccs) / sizeof(fourccs[0]))];
    fi->Width = sizes[pick(12)];
    fi->Height = sizes[pick(12)];
    fi->CropX = (mfxU16)(pick(3) == 0 ? rnd() : 0);
    fi->CropY = (mfxU16)(pick(3) == 0 ? rnd() : 0);
    fi->CropW = pick(2) ? fi->Width : (mfxU16)rnd();
    fi->CropH = pick(2) ? fi->Height : (mfxU16)rnd();
    fi->ChromaFormat = (mfxU16)pick(5);
    fi->PicStruct = (mfxU16)((1u << pick(4)) | (pick(6) == 0 ? MFX_PICSTRUCT_FIELD_SINGLE : 0));
    fi->FrameRateExtN = pick(4) ? 30 : rnd();
    fi->FrameRateExtD = pick(4) ? 1 : rnd() % 3;
    fi->Shift = (mfxU16)pick(2);
    fi->BitDepthLuma = fi->BitDepthChroma = pick(2) ? 8 : 10;
}

static void random_param(mfxVideoParam *par, int vpp) {
    static const mfxU32 codecs[] = {MFX_CODEC_AVC, MFX_CODEC_HEVC, MFX_CODEC_VP9, MFX_CODEC_AV1,
                                    MFX_CODEC_JPEG, MFX_CODEC_VP8, 0, 0x41414141};
    mfxU8 *raw = (mfxU8 *)par;
    memset(par, 0, sizeof(*par));
    for (unsigned stray = pick(4) ? 0 : pick(64); stray > 0; stray--) raw[pick(sizeof(*par))] = (mfxU8)rnd();
    if (vpp) {
        random_info(&par->vpp.In);
        random_info(&par->vpp.Out);
    } else {
        random_info(&par->mfx.FrameInfo);
        par->mfx.CodecId = codecs[pick(8)];
        par->mfx.RateControlMethod = (mfxU16)pick(5);
        par->mfx.TargetKbps = (mfxU16)rnd();
    }
    par->IOPattern = (mfxU16)(pick(3) ? (vpp ? 0x22 : 0x20 | 0x02) : rnd());
    par->AsyncDepth = (mfxU16)pick(6);
    par->Protected = pick(20) == 0;
    random_ext(par);
}

/* A bitstream over the stream: a random window, sometimes damaged, sometimes out of bounds. */
static void random_bitstream(mfxBitstream *bs, mfxU8 *copy, const mfxU8 *stream, size_t size) {
    size_t start = pick((unsigned)size), length = pick((unsigned)(size - start) + 1);
    if (length) memcpy(copy, stream + start, length);
    for (unsigned flips = pick(4) ? 0 : pick(32); flips > 0 && length > 0; flips--) copy[pick((unsigned)length)] ^= (mfxU8)rnd();
    memset(bs, 0, sizeof(*bs));
    bs->Data = copy;
    bs->DataLength = (mfxU32)length;
    bs->MaxLength = (mfxU32)size;
    if (pick(10) == 0) bs->DataOffset = rnd(); /* out of bounds */
    if (pick(10) == 0) bs->DataLength = rnd();
    if (pick(20) == 0) bs->Data = NULL;
    bs->CodecId = pick(3) == 0 ? MFX_CODEC_AVC : 0;
}

/* ITERATIONS random calls in SESSION, bitstreams cut from STREAM (SIZE bytes); every surface the
 * runtime handed out is released at the end. */
static void run_calls(mfxSession session, const mfxU8 *stream, size_t size, int iterations) {
    mfxU8 *copy = malloc(size + 1);
    REQUIRE(copy);
    mfxFrameSurface1 *held[16];
    int nheld = 0;
    mfxU8 out_buffer[1 << 16];
    for (int i = 0; i < iterations && !(from_choices && choices_left == 0); i++) {
        mfxVideoParam par, out;
        mfxFrameAllocRequest request[2];
        mfxBitstream bs;
        mfxFrameSurface1 *surface = NULL;
        mfxSyncPoint sync = NULL;
        int vpp = pick(3) == 0;
        random_param(&par, vpp);
        memset(&out, 0, sizeof(out));
        switch (pick(16)) {
        case 0: CALL(MFXVideoDECODE_Query(session, &par, &out)); break;
        case 1: CALL(MFXVideoDECODE_QueryIOSurf(session, &par, request)); break;
        case 2: CALL(MFXVideoDECODE_Init(session, &par)); break;
        case 3: CALL(MFXVideoDECODE_Reset(session, &par)); break;
        case 4:
            random_bitstream(&bs, copy, stream, size);
            CALL(MFXVideoDECODE_DecodeHeader(session, &bs, &par));
            break;
        case 5:
        case 6:
            random_bitstream(&bs, copy, stream, size);
            CALL(MFXVideoDECODE_DecodeFrameAsync(session, pick(8) ? &bs : NULL, NULL, &surface, &sync));
            if (surface && nheld < 16) held[nheld++] = surface;
            break;
        case 7: CALL(vpp ? MFXVideoVPP_Init(session, &par) : MFXVideoENCODE_Init(session, &par)); break;
        case 8: CALL(vpp ? MFXVideoVPP_Query(session, &par, &out) : MFXVideoENCODE_Query(session, &par, &out)); break;
        case 9:
            CALL(vpp ? MFXVideoVPP_QueryIOSurf(session, &par, request)
                     : MFXVideoENCODE_QueryIOSurf(session, &par, request));
            break;
        case 10:
            CALL(MFXMemory_GetSurfaceForVPP(session, &surface));
            if (surface && nheld < 16) held[nheld++] = surface;
            break;
        case 11: {
            mfxFrameSurface1 *in = nheld ? held[pick((unsigned)nheld)] : NULL, *processed = NULL;
            CALL(MFXVideoVPP_ProcessFrameAsync(session, in, &processed));
            if (processed) CALL(processed->FrameInterface->Release(processed));
            break;
        }
        case 12: {
            mfxFrameSurface1 *in = nheld ? held[pick((unsigned)nheld)] : NULL;
            mfxFrameSurface1 *target = nheld ? held[pick((unsigned)nheld)] : NULL;
            if (target) CALL(MFXVideoVPP_RunFrameVPPAsync(session, in, target, NULL, &sync));
            break;
        }
        case 13: {
            mfxBitstream out_bs;
            memset(&out_bs, 0, sizeof(out_bs));
            out_bs.Data = out_buffer;
            out_bs.MaxLength = pick(4) ? sizeof(out_buffer) : pick(64);
            mfxFrameSurface1 *in = nheld && pick(2) ? held[pick((unsigned)nheld)] : NULL;
            CALL(MFXVideoENCODE_EncodeFrameAsync(session, NULL, in, &out_bs, &sync));
            break;
        }
        case 14:
            CALL(MFXMemory_GetSurfaceForEncode(session, &surface));
            if (surface && nheld < 16) held[nheld++] = surface;
            break;
        default:
            switch (pick(3)) {
            case 0: CALL(MFXVideoDECODE_Close(session)); break;
            case 1: CALL(MFXVideoVPP_Close(session)); break;
            default: CALL(MFXVideoENCODE_Close(session)); break;
            }
        }
        if (sync && pick(2)) CALL(MFXVideoCORE_SyncOperation(session, sync, 2000));
        if (nheld && pick(4) == 0) {
            mfxFrameSurface1 *s = held[--nheld];
            CALL(s->FrameInterface->Release(s));
        }
    }
    while (nheld) {
        mfxFrameSurface1 *s = held[--nheld];
        CALL(s->FrameInterface->Release(s));
    }
    free(copy);
}

#ifdef ABI_FUZZ
/* libFuzzer: each case in a session of its own, opened on libvplrs.so directly (linked). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    size_t n = (size_t)(data[0] | data[1] << 8);
    if (n > size - 2) n = size - 2;
    choices = data + 2;
    choices_left = n;
    from_choices = 1;
    mfxInitializationParam init;
    memset(&init, 0, sizeof(init));
    init.AccelerationMode = MFX_ACCEL_MODE_NA;
    mfxSession session = NULL;
    if (MFXInitialize(init, &session) != MFX_ERR_NONE) abort();
    run_calls(session, data + 2 + n, size - 2 - n, 256);
    if (MFXClose(session) != MFX_ERR_NONE) abort();
    return 0;
}
#else
/* One fuzz case from a file, in a session of its own (through the dispatcher's LOADER). */
static void replay(mfxLoader loader, const char *path) {
    size_t size = 0;
    mfxU8 *data = read_file(path, &size);
    if (size >= 2) {
        size_t n = (size_t)(data[0] | data[1] << 8);
        if (n > size - 2) n = size - 2;
        choices = data + 2;
        choices_left = n;
        from_choices = 1;
        mfxSession session = NULL;
        REQUIRE(MFXCreateSession(loader, 0, &session) == MFX_ERR_NONE);
        run_calls(session, data + 2 + n, size - 2 - n, 256);
        CHECK_STS(MFXClose(session), MFX_ERR_NONE);
    }
    free(data);
}

int main(int argc, char **argv) {
    REQUIRE(argc >= 3);
    if (!strcmp(argv[1], "replay")) {
        /* One loader for every case: the runtime is loaded (and describes itself) once. */
        mfxLoader loader = NULL;
        CHECK_STS(MFXClose(open_vplrs(&loader)), MFX_ERR_NONE);
        for (int i = 2; i < argc; i++) replay(loader, argv[i]);
        MFXUnload(loader);
        printf("%d cases, %d calls (%d succeeded), every answer a documented mfxStatus\n", argc - 2, calls, succeeded);
        return finish("abi_random") ? 1 : 0;
    }
    REQUIRE(argc == 4);
    rng_state = strtoull(argv[1], NULL, 10) * 2654435761ull + 1;
    int iterations = atoi(argv[2]);
    size_t size = 0;
    mfxU8 *stream = read_file(argv[3], &size);
    mfxLoader loader = NULL;
    mfxSession session = open_vplrs(&loader);
    run_calls(session, stream, size, iterations);
    CHECK_STS(MFXClose(session), MFX_ERR_NONE);
    MFXUnload(loader);
    printf("%d calls (%d succeeded), every answer a documented mfxStatus\n", calls, succeeded);
    free(stream);
    return finish("abi_random") ? 1 : 0;
}
#endif
