/* Init -> decode every picture -> Close, CYCLES times in one session: after the warm-up, the
 * memory in use must stay flat (whatever Init makes, Close frees). Three measures, from the most
 * exact to the coarsest: the bytes malloc has handed out and not had back (mallinfo2: every
 * allocation of the runtime, libavcodec and the frame arena goes through malloc), the threads
 * alive (decoder threads not joined at Close; the runtime's own come and go by one or two), and the resident size (a leak outside malloc).
 * Prints them as it goes and the growth of each between the two halves after the warm-up.
 *
 * Usage: decode_cycles CODEC IN CYCLES [MAX_HEAP_GROWTH_KB]
 *   CODEC  h265 | vp9 | av1 | h264;  IN  elementary stream (H.264/H.265) or IVF */
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

int main(int argc, char **argv) {
    REQUIRE(argc >= 4);
    mfxU32 codec = codec_id(argv[1]);
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
    mfxU8 *whole = read_file(argv[2], &size);
    mfxLoader loader = NULL;
    mfxSession session = open_vplrs_with(&loader, "mfxImplDescription.mfxDecoderDescription.decoder.CodecID", codec);
    int first = -1;
    /* A leak shows as the peak of the second half of the cycles above the peak of the first half
     * (after the warm-up), not as one sample above another. */
    int half = WARMUP + (cycles - WARMUP) / 2;
    peaks early = {0, 0, 0}, late = {0, 0, 0};
    for (int c = 0; c < cycles; c++) {
        int pictures = cycle(session, codec, argv[2], whole, size);
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
    return finish("decode_cycles") ? 1 : 0;
}
