/* Init -> work -> Close, CYCLES times in one session: after the warm-up, the
 * memory in use must stay flat (whatever Init makes, Close frees). Three measures, from the most
 * exact to the coarsest: the bytes malloc has handed out and not had back (mallinfo2: every
 * allocation of the runtime, libavcodec and the frame arena goes through malloc), the threads
 * alive (decoder threads not joined at Close; the runtime's own come and go by one or two), and the resident size (a leak outside malloc).
 * Prints them as it goes and the growth of each between the two halves after the warm-up.
 *
 * The work: decode every picture of IN and drain (CODEC h264 | h265 | vp9 | av1 | jpeg); encode
 * 8 pictures of 320x240 I420 and drain (encode-h264 | encode-h265 | encode-av1 | encode-jpeg, IN
 * unused); or VPP 8 pictures NV12 320x240 -> I420 160x120 (vpp, IN unused).
 *
 * Usage: init_close_cycles WORK IN CYCLES [MAX_HEAP_GROWTH_KB] */
#define _DEFAULT_SOURCE
#include <malloc.h>
#include <unistd.h>

#include "common.h"
#include "ivf.h"

#define WARMUP 20

/* Bytes handed out by malloc and not freed, over all arenas, small chunks and mmapped ones. */
static long heap_kb(void) {
    struct mallinfo2 info = mallinfo2();
    return (long)((info.uordblks + info.hblkhd) / 1024);
}

static long threads_alive(void) {
    FILE *f = fopen("/proc/self/status", "r");
    REQUIRE(f);
    char line[256];
    long threads = -1;
    while (fgets(line, sizeof(line), f))
        if (sscanf(line, "Threads: %ld", &threads) == 1) break;
    fclose(f);
    REQUIRE(threads > 0);
    return threads;
}

/* The largest sample of each measure in one stretch of cycles. */
typedef struct {
    long heap, threads, rss;
} peaks;

static void note_peaks(peaks *p) {
    long heap = heap_kb(), threads = threads_alive(), rss = rss_kb();
    if (heap > p->heap) p->heap = heap;
    if (threads > p->threads) p->threads = threads;
    if (rss > p->rss) p->rss = rss;
}

/* One cycle: the whole stream decoded and drained; returns the pictures. */
static int cycle(mfxSession session, mfxU32 codec, const char *path, mfxU8 *whole, size_t whole_size) {
    ivf_reader reader;
    int ivf = ivf_open(&reader, path) == 0;
    mfxBitstream bs;
    memset(&bs, 0, sizeof(bs));
    uint32_t size;
    uint64_t pts;
    const uint8_t *frame = NULL;
    if (ivf) {
        frame = ivf_next(&reader, &size, &pts);
        REQUIRE(frame);
        bs.Data = (mfxU8 *)frame;
        bs.DataLength = bs.MaxLength = size;
    } else {
        bs = whole_bitstream(whole, whole_size);
    }
    mfxVideoParam par = decode_param(codec);
    CHECK_STS(MFXVideoDECODE_DecodeHeader(session, &bs, &par), MFX_ERR_NONE);
    par.IOPattern = MFX_IOPATTERN_OUT_SYSTEM_MEMORY;
    CHECK_STS(MFXVideoDECODE_Init(session, &par), MFX_ERR_NONE);
    int pictures = 0;
    for (int calls = 0; calls < 100000; calls++) {
        mfxBitstream *data = &bs;
        if (bs.DataLength == 0) {
            frame = ivf ? ivf_next(&reader, &size, &pts) : NULL;
            if (frame) {
                bs.Data = (mfxU8 *)frame;
                bs.DataOffset = 0;
                bs.DataLength = bs.MaxLength = size;
            } else {
                data = NULL;
            }
        }
        mfxFrameSurface1 *out = NULL;
        mfxSyncPoint sync = NULL;
        mfxStatus sts = MFXVideoDECODE_DecodeFrameAsync(session, data, NULL, &out, &sync);
        if (sts == MFX_ERR_NONE) {
            CHECK_STS(MFXVideoCORE_SyncOperation(session, sync, 60000), MFX_ERR_NONE);
            CHECK_STS(out->FrameInterface->Release(out), MFX_ERR_NONE);
            pictures++;
        } else if (sts == MFX_ERR_MORE_DATA && !data) {
            break;
        }
    }
    CHECK_STS(MFXVideoDECODE_Close(session), MFX_ERR_NONE);
    if (ivf) ivf_close(&reader);
    return pictures;
}

#define PICTURES 8

/* One encode cycle: PICTURES pictures from the encode pool, drained; returns the packets. */
static int encode_cycle(mfxSession session, mfxU32 codec) {
    mfxVideoParam par;
    memset(&par, 0, sizeof(par));
    par.mfx.CodecId = codec;
    frame_info(&par.mfx.FrameInfo, MFX_FOURCC_I420, 320, 240);
    if (codec == MFX_CODEC_JPEG) {
        par.mfx.Quality = 80;
    } else {
        par.mfx.RateControlMethod = MFX_RATECONTROL_CQP;
        par.mfx.QPI = par.mfx.QPP = par.mfx.QPB = 30;
        par.mfx.TargetUsage = MFX_TARGETUSAGE_BEST_SPEED;
    }
    par.IOPattern = MFX_IOPATTERN_IN_SYSTEM_MEMORY;
    par.AsyncDepth = 1;
    CHECK_STS(MFXVideoENCODE_Init(session, &par), MFX_ERR_NONE);
    static mfxU8 out[1 << 20];
    int packets = 0;
    for (int i = 0; i <= PICTURES + 64; i++) {
        mfxFrameSurface1 *surface = NULL;
        if (i < PICTURES) {
            CHECK_STS(MFXMemory_GetSurfaceForEncode(session, &surface), MFX_ERR_NONE);
            CHECK_STS(surface->FrameInterface->Map(surface, MFX_MAP_WRITE), MFX_ERR_NONE);
            for (int row = 0; row < 240; row++) memset(surface->Data.Y + row * surface->Data.Pitch, 16 + i * 20 + row / 4, 320);
            for (int row = 0; row < 120; row++) {
                memset(surface->Data.U + row * (surface->Data.Pitch / 2), 128, 160);
                memset(surface->Data.V + row * (surface->Data.Pitch / 2), 128, 160);
            }
            CHECK_STS(surface->FrameInterface->Unmap(surface), MFX_ERR_NONE);
        }
        mfxBitstream bs;
        memset(&bs, 0, sizeof(bs));
        bs.Data = out;
        bs.MaxLength = sizeof(out);
        mfxSyncPoint sync = NULL;
        mfxStatus sts = MFXVideoENCODE_EncodeFrameAsync(session, NULL, surface, &bs, &sync);
        if (surface) CHECK_STS(surface->FrameInterface->Release(surface), MFX_ERR_NONE);
        if (sts == MFX_ERR_NONE) {
            CHECK_STS(MFXVideoCORE_SyncOperation(session, sync, 60000), MFX_ERR_NONE);
            packets++;
        } else if (sts == MFX_ERR_MORE_DATA && !surface) {
            break;
        } else {
            CHECK(sts == MFX_ERR_MORE_DATA);
        }
    }
    CHECK_STS(MFXVideoENCODE_Close(session), MFX_ERR_NONE);
    return packets;
}

/* One VPP cycle: PICTURES pictures through ProcessFrameAsync; returns the outputs. */
static int vpp_cycle(mfxSession session) {
    mfxVideoParam par;
    vpp_params(&par, MFX_FOURCC_NV12, MFX_FOURCC_I420, 320, 240, 160, 120);
    CHECK_STS(MFXVideoVPP_Init(session, &par), MFX_ERR_NONE);
    int outputs = 0;
    for (int i = 0; i < PICTURES; i++) {
        mfxFrameSurface1 *in = NULL, *out = NULL;
        CHECK_STS(MFXMemory_GetSurfaceForVPP(session, &in), MFX_ERR_NONE);
        CHECK_STS(MFXVideoVPP_ProcessFrameAsync(session, in, &out), MFX_ERR_NONE);
        CHECK_STS(in->FrameInterface->Release(in), MFX_ERR_NONE);
        if (out) {
            CHECK_STS(out->FrameInterface->Synchronize(out, 60000), MFX_ERR_NONE);
            CHECK_STS(out->FrameInterface->Release(out), MFX_ERR_NONE);
            outputs++;
        }
    }
    CHECK_STS(MFXVideoVPP_Close(session), MFX_ERR_NONE);
    return outputs;
}

/* The encoder of an `encode-CODEC` argument; 0 for other work. */
static mfxU32 encode_codec(const char *work) {
    if (strncmp(work, "encode-", 7)) return 0;
    const char *name = work + 7;
    return !strcmp(name, "h264") ? MFX_CODEC_AVC : !strcmp(name, "h265") ? MFX_CODEC_HEVC
           : !strcmp(name, "av1") ? MFX_CODEC_AV1 : MFX_CODEC_JPEG;
}

int main(int argc, char **argv) {
    REQUIRE(argc >= 4);
    mfxU32 encoder = encode_codec(argv[1]);
    int vpp = !strcmp(argv[1], "vpp");
    mfxU32 codec = encoder || vpp ? 0 : codec_id(argv[1]);
    int cycles = atoi(argv[3]);
    /* A cycle's leak of a few hundred bytes, times the cycles of the second half, passes this
     * bound only under 256 cycles' worth: tight enough for a frame or a packet, loose enough for
     * malloc's per-thread caches. */
    long max_heap_growth = argc >= 5 ? atol(argv[4]) : 256;
    /* The resident size steps by a few MB once in a while without a leak (a new malloc arena for
     * a libavcodec thread, more on a machine with more cores): only a leak outside malloc of
     * more than that fails here. */
    long max_rss_growth = 16384;
    REQUIRE(cycles > WARMUP);
    size_t size = 0;
    mfxU8 *whole = codec ? read_file(argv[2], &size) : NULL;
    mfxLoader loader = NULL;
    mfxSession session = codec ? open_vplrs_with(&loader, "mfxImplDescription.mfxDecoderDescription.decoder.CodecID", codec)
                               : open_vplrs(&loader);
    int first = -1;
    /* A leak shows as the peak of the second half of the cycles above the peak of the first half
     * (after the warm-up), not as one sample above another. */
    int half = WARMUP + (cycles - WARMUP) / 2;
    peaks early = {0, 0, 0}, late = {0, 0, 0};
    for (int c = 0; c < cycles; c++) {
        int pictures = encoder ? encode_cycle(session, encoder)
                       : vpp   ? vpp_cycle(session)
                               : cycle(session, codec, argv[2], whole, size);
        if (first < 0) first = pictures;
        CHECK(pictures == first);
        if (c >= WARMUP) note_peaks(c < half ? &early : &late);
        if (c % 50 == 0)
            printf("cycle %d: %d pictures, heap %ld KB, %ld threads, RSS %ld KB\n", c, pictures, heap_kb(),
                   threads_alive(), rss_kb());
    }
    printf("%d cycles of %d pictures, peaks of the halves after the warm-up: heap %ld -> %ld KB, threads %ld -> %ld, "
           "RSS %ld -> %ld KB: growth %ld KB heap, %ld threads, %ld KB RSS\n",
           cycles, first, early.heap, late.heap, early.threads, late.threads, early.rss, late.rss,
           late.heap - early.heap, late.threads - early.threads, late.rss - early.rss);
    CHECK(late.heap - early.heap <= max_heap_growth);
    CHECK(late.threads <= early.threads + 2);
    CHECK(late.rss - early.rss <= max_rss_growth);
    CHECK_STS(MFXClose(session), MFX_ERR_NONE);
    MFXUnload(loader);
    free(whole);
    return finish("init_close_cycles") ? 1 : 0;
}
