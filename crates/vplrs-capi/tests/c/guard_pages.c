/* Every byte vplrs reads of an application's bitstream lies inside it: the stream is fed from a
 * buffer whose last byte sits right before a PROT_NONE page (a read past it is a SIGSEGV), in
 * chunks of the given size appended to what is left, as sample_decode's reader does; IVF input
 * is fed one frame per call, each frame ending at the guard page. The bitstream's bounds are
 * checked too: DataOffset + DataLength beyond MaxLength is MFX_ERR_UNDEFINED_BEHAVIOR from
 * DecodeHeader and DecodeFrameAsync, and nothing is read.
 *
 * Usage: guard_pages CODEC IN CHUNK
 *   CODEC  h264 | h265 | vp9 | av1 | jpeg;  IN  elementary stream or IVF;  CHUNK  bytes per read
 * Prints "pictures N" (every picture decoded, drained at the end, internal memory). */
#define _DEFAULT_SOURCE
#include <sys/mman.h>
#include <unistd.h>

#include "common.h"
#include "ivf.h"

#define MAX_CALLS 1000000

/* A region of `size` readable bytes followed by a PROT_NONE page. */
typedef struct {
    mfxU8 *end; /* the guard page */
    size_t size;
} guarded;

static guarded guarded_new(size_t size) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t rounded = (size + page - 1) / page * page;
    mfxU8 *base = mmap(NULL, rounded + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    REQUIRE(base != MAP_FAILED);
    REQUIRE(mprotect(base + rounded, page, PROT_NONE) == 0);
    guarded g = {base + rounded, rounded};
    return g;
}

/* Points `bs` at `len` bytes copied to end exactly at the guard page. */
static void place(guarded *g, mfxBitstream *bs, const mfxU8 *data, size_t len) {
    REQUIRE(len <= g->size);
    mfxU8 *start = g->end - len;
    memmove(start, data, len);
    bs->Data = start;
    bs->DataOffset = 0;
    bs->DataLength = (mfxU32)len;
    bs->MaxLength = (mfxU32)len;
}

/* The input: an IVF file (one frame per read) or an elementary stream (`chunk` bytes a read),
 * appended to what the decoder left of the previous data. */
typedef struct {
    ivf_reader reader;
    int ivf;
    FILE *file;
    size_t chunk;
    mfxU8 *pending;
    size_t pending_len;
} source;

/* Appends the next chunk or frame to the pending data; 0 at the end of the input. */
static int read_more(source *src) {
    if (src->ivf) {
        uint32_t size;
        uint64_t pts;
        const uint8_t *frame = ivf_next(&src->reader, &size, &pts);
        if (!frame) return 0;
        memcpy(src->pending + src->pending_len, frame, size);
        src->pending_len += size;
        return 1;
    }
    size_t got = fread(src->pending + src->pending_len, 1, src->chunk, src->file);
    src->pending_len += got;
    return got > 0;
}

/* Keeps what the call left of the data for the next one. */
static void keep_rest(source *src, const mfxBitstream *bs) {
    memmove(src->pending, bs->Data + bs->DataOffset, bs->DataLength);
    src->pending_len = bs->DataLength;
}

static int take_picture(mfxSession session, mfxSyncPoint sync, mfxFrameSurface1 *out) {
    CHECK_STS(MFXVideoCORE_SyncOperation(session, sync, 60000), MFX_ERR_NONE);
    CHECK_STS(out->FrameInterface->Release(out), MFX_ERR_NONE);
    return 1;
}

int main(int argc, char **argv) {
    REQUIRE(argc == 4);
    mfxU32 codec = codec_id(argv[1]);
    source src;
    memset(&src, 0, sizeof(src));
    src.chunk = (size_t)atol(argv[3]);
    REQUIRE(src.chunk > 0);
    size_t file_size = 0;
    free(read_file(argv[2], &file_size));
    src.ivf = ivf_open(&src.reader, argv[2]) == 0;
    if (!src.ivf) {
        src.file = fopen(argv[2], "rb");
        REQUIRE(src.file);
    }
    src.pending = malloc(file_size + 1);
    REQUIRE(src.pending);
    guarded g = guarded_new(file_size + 4096);

    mfxLoader loader = NULL;
    mfxSession session = open_vplrs_with(&loader, "mfxImplDescription.mfxDecoderDescription.decoder.CodecID", codec);

    /* Data beyond the buffer (it would run into the guard page): refused, nothing read. */
    mfxBitstream bad;
    memset(&bad, 0, sizeof(bad));
    bad.Data = g.end - 16;
    bad.MaxLength = 16;
    bad.DataOffset = 8;
    bad.DataLength = 4096;
    mfxVideoParam par;
    memset(&par, 0, sizeof(par));
    par.mfx.CodecId = codec;
    CHECK_STS(MFXVideoDECODE_DecodeHeader(session, &bad, &par), MFX_ERR_UNDEFINED_BEHAVIOR);

    mfxBitstream bs;
    memset(&bs, 0, sizeof(bs));
    mfxStatus sts;
    int more = read_more(&src);
    for (;;) {
        place(&g, &bs, src.pending, src.pending_len);
        memset(&par, 0, sizeof(par));
        par.mfx.CodecId = codec;
        sts = MFXVideoDECODE_DecodeHeader(session, &bs, &par);
        keep_rest(&src, &bs);
        if (sts != MFX_ERR_MORE_DATA || !more) break;
        more = read_more(&src);
    }
    CHECK_STS(sts, MFX_ERR_NONE);
    par.IOPattern = MFX_IOPATTERN_OUT_SYSTEM_MEMORY;
    par.AsyncDepth = 2;
    CHECK_STS(MFXVideoDECODE_Init(session, &par), MFX_ERR_NONE);

    mfxFrameSurface1 *out = NULL;
    mfxSyncPoint sync = NULL;
    CHECK_STS(MFXVideoDECODE_DecodeFrameAsync(session, &bad, NULL, &out, &sync), MFX_ERR_UNDEFINED_BEHAVIOR);

    int pictures = 0;
    int draining = 0, last_data = 0;
    for (int calls = 0; calls < MAX_CALLS; calls++) {
        if (!draining) place(&g, &bs, src.pending, src.pending_len);
        sts = MFXVideoDECODE_DecodeFrameAsync(session, draining ? NULL : &bs, NULL, &out, &sync);
        if (!draining) keep_rest(&src, &bs);
        if (sts == MFX_ERR_NONE) {
            pictures += take_picture(session, sync, out);
        } else if (sts == MFX_ERR_MORE_DATA) {
            if (draining) break;
            if (!read_more(&src)) {
                /* What is left goes in once more (at the guard page too), then the drain. */
                draining = src.pending_len == 0 || src.ivf || last_data;
                last_data = 1;
            }
        } else if (sts != MFX_WRN_DEVICE_BUSY && sts != MFX_ERR_MORE_SURFACE) {
            fprintf(stderr, "DecodeFrameAsync returned %d\n", (int)sts);
            CHECK(0);
            break;
        }
    }
    printf("pictures %d\n", pictures);
    CHECK_STS(MFXVideoDECODE_Close(session), MFX_ERR_NONE);
    CHECK_STS(MFXClose(session), MFX_ERR_NONE);
    MFXUnload(loader);
    if (src.ivf) ivf_close(&src.reader);
    if (src.file) fclose(src.file);
    free(src.pending);
    return finish("guard_pages") ? 1 : 0;
}
