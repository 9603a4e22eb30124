/* The decode pool's mfxExtAllocationHints govern DecodeFrameAsync with a NULL work surface: an
 * application that holds every picture of a LIMITED pool gets MFX_WRN_ALLOC_TIMEOUT_EXPIRED after
 * about Wait milliseconds (the data stays for the next call), and once it releases them decoding
 * goes on and every picture comes out. With a LIMITED maximum below what the decoder needs, the
 * calls keep answering the warning: nothing hangs.
 *
 * Usage: decode_hints CODEC IN POLICY   (POLICY: limited | optimal | tiny)
 * Prints "pictures N timeouts T". */
#define _DEFAULT_SOURCE
#include <dlfcn.h>
#include <sys/time.h>

#include "common.h"
#include "vpl/mfxsurfacepool.h"

#define WAIT_MS 50
#define HOLD_MAX 64

/* vplrs_pool_report() of the libvplrs.so the dispatcher loaded (vplrs_debug.h). */
static size_t pool_report(char *buffer, size_t size) {
    char path[4096];
    snprintf(path, sizeof(path), "%s/libvplrs.so", getenv("ONEVPL_SEARCH_PATH"));
    void *library = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
    REQUIRE(library);
    size_t (*report)(char *, size_t) = (size_t(*)(char *, size_t))dlsym(library, "vplrs_pool_report");
    REQUIRE(report);
    size_t length = report(buffer, size);
    dlclose(library);
    return length;
}

static double now_ms(void) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return tv.tv_sec * 1e3 + tv.tv_usec / 1e3;
}

int main(int argc, char **argv) {
    REQUIRE(argc == 4);
    mfxU32 codec = codec_id(argv[1]);
    int tiny = !strcmp(argv[3], "tiny");
    int optimal = !strcmp(argv[3], "optimal");
    size_t size = 0;
    mfxU8 *data = read_file(argv[2], &size);
    mfxLoader loader = NULL;
    mfxSession session = open_vplrs_with(&loader, "mfxImplDescription.mfxDecoderDescription.decoder.CodecID", codec);
    mfxBitstream bs = whole_bitstream(data, size);
    mfxVideoParam par = decode_param(codec);
    CHECK_STS(MFXVideoDECODE_DecodeHeader(session, &bs, &par), MFX_ERR_NONE);
    par.IOPattern = MFX_IOPATTERN_OUT_SYSTEM_MEMORY;
    par.AsyncDepth = 1;
    mfxFrameAllocRequest request;
    CHECK_STS(MFXVideoDECODE_QueryIOSurf(session, &par, &request), MFX_ERR_NONE);
    mfxExtAllocationHints hints;
    memset(&hints, 0, sizeof(hints));
    hints.Header.BufferId = MFX_EXTBUFF_ALLOCATION_HINTS;
    hints.Header.BufferSz = sizeof(hints);
    hints.AllocationPolicy = optimal ? MFX_ALLOCATION_OPTIMAL : MFX_ALLOCATION_LIMITED;
    hints.NumberToPreAllocate = tiny ? 1 : request.NumFrameSuggested;
    hints.Wait = WAIT_MS;
    mfxExtBuffer *ext[1] = {&hints.Header};
    par.ExtParam = ext;
    par.NumExtParam = 1;
    CHECK_STS(MFXVideoDECODE_Init(session, &par), MFX_ERR_NONE);

    mfxFrameSurface1 *held[HOLD_MAX];
    int nheld = 0, pictures = 0, timeouts = 0, draining = 0;
    for (int calls = 0; calls < 20000; calls++) {
        mfxFrameSurface1 *out = NULL;
        mfxSyncPoint sync = NULL;
        mfxU32 before = bs.DataLength;
        double start = now_ms();
        mfxStatus sts = MFXVideoDECODE_DecodeFrameAsync(session, draining ? NULL : &bs, NULL, &out, &sync);
        double took = now_ms() - start;
        if (sts == MFX_ERR_NONE) {
            CHECK_STS(MFXVideoCORE_SyncOperation(session, sync, 60000), MFX_ERR_NONE);
            pictures++;
            /* Hold every picture until the pool runs dry. */
            REQUIRE(nheld < HOLD_MAX);
            held[nheld++] = out;
        } else if (sts == MFX_WRN_ALLOC_TIMEOUT_EXPIRED) {
            timeouts++;
            CHECK(out == NULL);
            CHECK(took < 10 * WAIT_MS + 500); /* about Wait, never libavcodec's own 10 s */
            if (timeouts == 1) {
                /* Who holds the pool: the report names the surfaces the application keeps. */
                static char report[16384];
                size_t length = pool_report(NULL, 0);
                CHECK(length > 0 && pool_report(report, sizeof(report)) == length);
                CHECK(strstr(report, optimal ? "optimal policy" : "limited policy") != NULL);
                CHECK(tiny || strstr(report, "reference(s)") != NULL);
                /* ... and says who keeps the Locked counters up: libavcodec's reference pictures. */
                CHECK(tiny || strstr(report, "Locked 1 (by the decoder") != NULL);
                if (pictures == 0 && !tiny) printf("%s", report);
            }
            if (tiny && timeouts >= 3) break; /* it answers, again and again: no hang */
            for (int i = 0; i < nheld; i++) CHECK_STS(held[i]->FrameInterface->Release(held[i]), MFX_ERR_NONE);
            nheld = 0;
        } else if (sts == MFX_ERR_MORE_DATA) {
            if (draining) break;
            if (bs.DataLength == 0 || bs.DataLength == before) draining = 1;
        } else {
            fprintf(stderr, "DecodeFrameAsync returned %d\n", (int)sts);
            CHECK(0);
            break;
        }
    }
    for (int i = 0; i < nheld; i++) CHECK_STS(held[i]->FrameInterface->Release(held[i]), MFX_ERR_NONE);
    printf("pictures %d timeouts %d\n", pictures, timeouts);
    CHECK(timeouts > 0);
    CHECK_STS(MFXVideoDECODE_Close(session), MFX_ERR_NONE);
    CHECK_STS(MFXClose(session), MFX_ERR_NONE);
    MFXUnload(loader);
    free(data);
    return finish("decode_hints") ? 1 : 0;
}
