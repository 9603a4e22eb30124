/* Helpers shared by the programs that go through Intel's dispatcher (libvpl). */
#ifndef VPLRS_COMMON_H
#define VPLRS_COMMON_H
#include <string.h>
#include "vpl/mfx.h"
#include "check.h"

/* A session on vplrs, selected by the dispatcher's filters as an application would: the
   implementation's name, and one property (a VPP filter, a decoder's codec) it must have. */
static inline mfxSession open_vplrs_with(mfxLoader *loader_out, const char *property, mfxU32 value) {
    mfxLoader loader = MFXLoad();
    REQUIRE(loader != NULL);
    mfxConfig cfg = MFXCreateConfig(loader);
    mfxVariant name;
    name.Type = MFX_VARIANT_TYPE_PTR;
    name.Data.Ptr = (mfxHDL) "vplrs";
    REQUIRE(MFXSetConfigFilterProperty(cfg, (const mfxU8 *)"mfxImplDescription.ImplName", name) == MFX_ERR_NONE);
    mfxConfig cfg2 = MFXCreateConfig(loader);
    mfxVariant filter;
    filter.Type = MFX_VARIANT_TYPE_U32;
    filter.Data.U32 = value;
    REQUIRE(MFXSetConfigFilterProperty(cfg2, (const mfxU8 *)property, filter) == MFX_ERR_NONE);
    mfxSession session = NULL;
    REQUIRE(MFXCreateSession(loader, 0, &session) == MFX_ERR_NONE);
    *loader_out = loader;
    return session;
}

/* A session on vplrs selected by its VPP scaling filter. */
static inline mfxSession open_vplrs(mfxLoader *loader_out) {
    return open_vplrs_with(loader_out, "mfxImplDescription.mfxVPPDescription.filter.FilterFourCC",
                           MFX_EXTBUFF_VPP_SCALING);
}

/* A session on vplrs selected by its VP8 decoder, as a decoding application selects one. */
static inline mfxSession open_vplrs_decoder(mfxLoader *loader_out) {
    return open_vplrs_with(loader_out, "mfxImplDescription.mfxDecoderDescription.decoder.CodecID", MFX_CODEC_VP8);
}

/* The CodecId of a codec's name on the command line (h264, h265, vp9, av1, jpeg). */
static inline mfxU32 codec_id(const char *name) {
    if (!strcmp(name, "h264")) return MFX_CODEC_AVC;
    if (!strcmp(name, "h265")) return MFX_CODEC_HEVC;
    if (!strcmp(name, "vp9")) return MFX_CODEC_VP9;
    if (!strcmp(name, "av1")) return MFX_CODEC_AV1;
    if (!strcmp(name, "jpeg")) return MFX_CODEC_JPEG;
    fprintf(stderr, "unknown codec %s\n", name);
    exit(2);
}

/* A bitstream holding `size` bytes of data, all of them to decode. */
static inline mfxBitstream whole_bitstream(mfxU8 *data, size_t size) {
    mfxBitstream bs;
    memset(&bs, 0, sizeof(bs));
    bs.Data = data;
    bs.DataLength = bs.MaxLength = (mfxU32)size;
    return bs;
}

/* Decoder parameters asking DecodeHeader for `codec`. */
static inline mfxVideoParam decode_param(mfxU32 codec) {
    mfxVideoParam par;
    memset(&par, 0, sizeof(par));
    par.mfx.CodecId = codec;
    return par;
}

/* A frame of a test allocator in system memory. */
typedef struct {
    mfxU16 width, height;
    mfxU32 fourcc;
    mfxU8 *base;
    int locks;
} Frame;

/* Fills `response` with `n` zeroed frames of the request's size and FourCC, `bytes` each. */
static inline void frames_alloc(const mfxFrameAllocRequest *request, mfxFrameAllocResponse *response, mfxU16 n,
                                size_t bytes) {
    response->mids = (mfxMemId *)calloc(n, sizeof(mfxMemId));
    for (int i = 0; i < n; i++) {
        Frame *f = (Frame *)calloc(1, sizeof(Frame));
        f->width = request->Info.Width;
        f->height = request->Info.Height;
        f->fourcc = request->Info.FourCC;
        f->base = (mfxU8 *)calloc(bytes, 1);
        response->mids[i] = f;
    }
    response->NumFrameActual = n;
}

/* Frees what frames_alloc made. */
static inline void frames_free(mfxFrameAllocResponse *response) {
    for (int i = 0; i < response->NumFrameActual; i++) {
        Frame *f = (Frame *)response->mids[i];
        free(f->base);
        free(f);
    }
    free(response->mids);
}

/* GetHDL of a system-memory allocator: no native handles. */
static inline mfxStatus no_handles(mfxHDL pthis, mfxMemId mid, mfxHDL *handle) {
    (void)pthis;
    (void)mid;
    (void)handle;
    return MFX_ERR_UNSUPPORTED;
}

/* An allocator of the application's, with `pthis` its state and no native handles. */
static inline mfxFrameAllocator make_allocator(void *pthis,
                                               mfxStatus (*alloc)(mfxHDL, mfxFrameAllocRequest *, mfxFrameAllocResponse *),
                                               mfxStatus (*lock)(mfxHDL, mfxMemId, mfxFrameData *),
                                               mfxStatus (*unlock)(mfxHDL, mfxMemId, mfxFrameData *),
                                               mfxStatus (*free_frames)(mfxHDL, mfxFrameAllocResponse *)) {
    mfxFrameAllocator allocator;
    memset(&allocator, 0, sizeof(allocator));
    allocator.pthis = pthis;
    allocator.Alloc = alloc;
    allocator.Lock = lock;
    allocator.Unlock = unlock;
    allocator.GetHDL = no_handles;
    allocator.Free = free_frames;
    return allocator;
}

/* The resident memory of this process, in KiB (4 KiB pages). */
static inline long rss_kb(void) {
    FILE *f = fopen("/proc/self/statm", "r");
    long pages = 0, resident = 0;
    REQUIRE(f && fscanf(f, "%ld %ld", &pages, &resident) == 2);
    fclose(f);
    return resident * 4;
}

/* A whole file in memory (malloc'ed); its size in *size. */
static inline mfxU8 *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    REQUIRE(f);
    fseek(f, 0, SEEK_END);
    *size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    mfxU8 *data = malloc(*size + 1);
    REQUIRE(data && fread(data, 1, *size, f) == *size);
    fclose(f);
    return data;
}

static inline void frame_info(mfxFrameInfo *fi, mfxU32 fourcc, mfxU16 w, mfxU16 h) {
    memset(fi, 0, sizeof(*fi));
    fi->FourCC = fourcc;
    fi->ChromaFormat = fourcc == MFX_FOURCC_RGB4 ? MFX_CHROMAFORMAT_YUV444 : MFX_CHROMAFORMAT_YUV420;
    fi->Width = (mfxU16)((w + 15) & ~15);
    fi->Height = (mfxU16)((h + 15) & ~15);
    fi->CropW = w;
    fi->CropH = h;
    fi->PicStruct = MFX_PICSTRUCT_PROGRESSIVE;
    fi->FrameRateExtN = 30;
    fi->FrameRateExtD = 1;
}

static inline void vpp_params(mfxVideoParam *par, mfxU32 in, mfxU32 out, mfxU16 w, mfxU16 h, mfxU16 ow, mfxU16 oh) {
    memset(par, 0, sizeof(*par));
    frame_info(&par->vpp.In, in, w, h);
    frame_info(&par->vpp.Out, out, ow, oh);
    par->IOPattern = MFX_IOPATTERN_IN_SYSTEM_MEMORY | MFX_IOPATTERN_OUT_SYSTEM_MEMORY;
}
#endif
