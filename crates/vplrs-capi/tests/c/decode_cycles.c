/* Init -> decode every picture -> Close, CYCLES times in one session: the resident memory after
 * the warm-up must stay flat (whatever Init makes, Close frees). Prints the RSS as it goes and
 * "growth N KB" between cycle WARMUP and the last one.
 *
 * Usage: decode_cycles CODEC IN CYCLES [MAX_GROWTH_KB]
 *   CODEC  h265 | vp9 | av1 | h264;  IN  elementary stream (H.264/H.265) or IVF */
#define _DEFAULT_SOURCE
#include <unistd.h>

#include "common.h"
#include "ivf.h"

#define WARMUP 20

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
    long max_growth = argc >= 5 ? atol(argv[4]) : 2048;
    REQUIRE(cycles > WARMUP);
    size_t size = 0;
    mfxU8 *whole = read_file(argv[2], &size);
    mfxLoader loader = NULL;
    mfxSession session = open_vplrs_with(&loader, "mfxImplDescription.mfxDecoderDescription.decoder.CodecID", codec);
    int first = -1;
    /* The resident size swings by a few MB from cycle to cycle (malloc's arenas, libavcodec's
     * threads), more on a loaded machine: a leak shows as the peak of the second half of the
     * cycles above the peak of the first half (after the warm-up), not as one sample above
     * another. */
    int half = WARMUP + (cycles - WARMUP) / 2;
    long early = 0, late = 0, last = 0;
    for (int c = 0; c < cycles; c++) {
        int pictures = cycle(session, codec, argv[2], whole, size);
        if (first < 0) first = pictures;
        CHECK(pictures == first);
        last = rss_kb();
        if (c >= WARMUP && c < half && last > early) early = last;
        if (c >= half && last > late) late = last;
        if (c % 50 == 0) printf("cycle %d: %d pictures, RSS %ld KB\n", c, pictures, last);
    }
    printf("%d cycles of %d pictures: RSS peak %ld KB in the first half after the warm-up, %ld KB in the second, "
           "growth %ld KB\n",
           cycles, first, early, late, late - early);
    CHECK(late - early <= max_growth);
    CHECK_STS(MFXClose(session), MFX_ERR_NONE);
    MFXUnload(loader);
    free(whole);
    return finish("decode_cycles") ? 1 : 0;
}
