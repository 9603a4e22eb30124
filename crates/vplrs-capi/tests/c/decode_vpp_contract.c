/* DECODE_VPP through Intel's dispatcher: the documented answers of MFXVideoDECODE_VPP_*, the
 * mfxSurfaceArray reference counts, skip channels, drain, Reset, GetChannelParam and Close.
 *
 * Usage: decode_vpp_contract LIBVPLRS IN.265 FRAMES
 *   LIBVPLRS  libvplrs.so, also opened directly (dlopen) for handles that are not sessions
 *   IN.265    an H.265 elementary stream of FRAMES pictures
 * Prints "dec <index> <md5>" for every picture the decoder's channel (ChannelId 0) returns, over
 * its crop as I420 rows; the Rust test compares them with ffmpeg's decode. */
#include <dlfcn.h>
#include <stdint.h>
#include <string.h>
#include "common.h"
#include "md5.h"

#define W1 160 /* channel 1: I420 160x120 */
#define H1 120
#define W2 64 /* channel 2: BGRA 64x48 */
#define H2 48

static mfxU32 g_width, g_height; /* the stream's picture size (the decoder's crop) */

static void channel(mfxVideoChannelParam *c, mfxU16 id, mfxU32 fourcc, mfxU16 w, mfxU16 h) {
    memset(c, 0, sizeof(*c));
    frame_info(&c->VPP, fourcc, w, h);
    c->VPP.ChannelId = id;
    c->IOPattern = MFX_IOPATTERN_IN_SYSTEM_MEMORY | MFX_IOPATTERN_OUT_SYSTEM_MEMORY;
}

static mfxU32 ref_count(mfxFrameSurface1 *s) {
    mfxU32 n = 0xffff;
    CHECK_STS(s->FrameInterface->GetRefCounter(s, &n), MFX_ERR_NONE);
    return n;
}

static mfxU32 array_refs(mfxSurfaceArray *a) {
    mfxU32 n = 0xffff;
    CHECK_STS(a->GetRefCounter(a, &n), MFX_ERR_NONE);
    return n;
}

/* Maps a surface, checks its size against its channel, and prints the decoder channel's MD5. */
static void check_surface(mfxFrameSurface1 *s, int index) {
    CHECK_STS(s->FrameInterface->Synchronize(s, 60000), MFX_ERR_NONE);
    CHECK_STS(s->FrameInterface->Map(s, MFX_MAP_READ), MFX_ERR_NONE);
    mfxFrameInfo *fi = &s->Info;
    switch (fi->ChannelId) {
    case 0: {
        CHECK(fi->FourCC == MFX_FOURCC_I420 && fi->CropW == g_width && fi->CropH == g_height);
        md5_ctx md5;
        md5_init(&md5);
        size_t pitch = s->Data.Pitch, cw = (fi->CropW + 1) / 2, ch = (fi->CropH + 1) / 2;
        for (int y = 0; y < fi->CropH; y++) md5_update(&md5, s->Data.Y + (size_t)y * pitch, fi->CropW);
        for (size_t y = 0; y < ch; y++) md5_update(&md5, s->Data.U + y * (pitch / 2), cw);
        for (size_t y = 0; y < ch; y++) md5_update(&md5, s->Data.V + y * (pitch / 2), cw);
        char hex[33];
        md5_hex(&md5, hex);
        printf("dec %d %s\n", index, hex);
        break;
    }
    case 1: CHECK(fi->FourCC == MFX_FOURCC_I420 && fi->CropW <= W1 && fi->CropH <= H1 && s->Data.Y); break;
    case 2: CHECK(fi->FourCC == MFX_FOURCC_BGRA && fi->CropW == W2 && fi->CropH == H2 && s->Data.B); break;
    default: CHECK(!"unknown ChannelId");
    }
    CHECK_STS(s->FrameInterface->Unmap(s), MFX_ERR_NONE);
}

/* Checks an array's layout: ChannelIds in order, the skipped ones absent, refcounts 1 and 2. */
static void check_array(mfxSurfaceArray *a, const mfxU32 *skip, mfxU32 nskip, mfxU16 nchannels, int index) {
    mfxU32 expected = 0;
    mfxU16 ids[3];
    for (mfxU16 id = 0; id <= nchannels; id++) {
        int skipped = 0;
        for (mfxU32 k = 0; k < nskip; k++) skipped |= skip[k] == id;
        if (!skipped) ids[expected++] = id;
    }
    CHECK(a->NumSurfaces == expected);
    CHECK(array_refs(a) == 1);
    for (mfxU32 i = 0; i < a->NumSurfaces && i < expected; i++) {
        mfxFrameSurface1 *s = a->Surfaces[i];
        CHECK(s->Info.ChannelId == ids[i]);
        check_surface(s, index);
    }
    /* The application's reference and the array's; the decoder may keep its picture as a
       reference frame, and a channel's worker lets go of its output just after completion. The
       exact counts are checked where nothing is in flight (after Close). */
    for (mfxU32 i = 0; i < a->NumSurfaces; i++) CHECK(ref_count(a->Surfaces[i]) >= 2);
}

static void release_all(mfxSurfaceArray *a) {
    for (mfxU32 i = 0; i < a->NumSurfaces; i++)
        CHECK_STS(a->Surfaces[i]->FrameInterface->Release(a->Surfaces[i]), MFX_ERR_NONE);
    CHECK_STS(a->Release(a), MFX_ERR_NONE);
}

/* Decodes the whole stream (then drains); the skip list rotates per picture when `rotate`. */
static int decode_all(mfxSession session, mfxBitstream *bs, int rotate, mfxU16 crop1, mfxSurfaceArray **kept) {
    static const mfxU32 skips[4][3] = {{0}, {2}, {0}, {0, 1, 2}};
    static const mfxU32 nskips[4] = {0, 1, 1, 3};
    int pictures = 0, draining = 0;
    for (;;) {
        int k = rotate ? pictures % 4 : 0;
        mfxSurfaceArray *a = (mfxSurfaceArray *)0x1;
        mfxStatus sts = MFXVideoDECODE_VPP_DecodeFrameAsync(session, draining ? NULL : bs, (mfxU32 *)skips[k],
                                                            nskips[k], &a);
        if (sts == MFX_ERR_MORE_DATA) {
            CHECK(a == NULL);
            if (draining) break;
            CHECK(bs->DataLength == 0); /* the whole stream is there: all of it was taken */
            draining = 1;
            continue;
        }
        CHECK_STS(sts, MFX_ERR_NONE);
        if (sts != MFX_ERR_NONE) break;
        if (nskips[k] == 3) {
            CHECK(a == NULL); /* every channel skipped: a picture, no array */
        } else {
            REQUIRE(a != NULL);
            check_array(a, skips[k], nskips[k], 2, pictures);
            for (mfxU32 i = 0; i < a->NumSurfaces; i++)
                if (a->Surfaces[i]->Info.ChannelId == 1) CHECK(a->Surfaces[i]->Info.CropW == crop1);
            if (kept && !*kept) {
                /* Kept past Close: the application's references go now, the array's stay. */
                *kept = a;
                for (mfxU32 i = 0; i < a->NumSurfaces; i++) a->Surfaces[i]->FrameInterface->Release(a->Surfaces[i]);
            } else {
                CHECK_STS(a->AddRef(a), MFX_ERR_NONE);
                CHECK(array_refs(a) == 2);
                CHECK_STS(a->Release(a), MFX_ERR_NONE);
                CHECK(array_refs(a) == 1);
                release_all(a);
            }
        }
        pictures++;
    }
    /* Drained: more NULL calls keep answering MFX_ERR_MORE_DATA. */
    mfxSurfaceArray *a = NULL;
    CHECK_STS(MFXVideoDECODE_VPP_DecodeFrameAsync(session, NULL, NULL, 0, &a), MFX_ERR_MORE_DATA);
    return pictures;
}

typedef mfxStatus (*Init_fn)(mfxSession, mfxVideoParam *, mfxVideoChannelParam **, mfxU32);
typedef mfxStatus (*Decode_fn)(mfxSession, mfxBitstream *, mfxU32 *, mfxU32, mfxSurfaceArray **);
typedef mfxStatus (*Param_fn)(mfxSession, mfxVideoChannelParam *, mfxU32);
typedef mfxStatus (*Close_fn)(mfxSession);

/* Handles that are not sessions reach the runtime only without the dispatcher. */
static void bad_handles(const char *path) {
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    REQUIRE(lib != NULL);
    Init_fn init = (Init_fn)dlsym(lib, "MFXVideoDECODE_VPP_Init");
    Init_fn reset = (Init_fn)dlsym(lib, "MFXVideoDECODE_VPP_Reset");
    Decode_fn decode = (Decode_fn)dlsym(lib, "MFXVideoDECODE_VPP_DecodeFrameAsync");
    Param_fn param = (Param_fn)dlsym(lib, "MFXVideoDECODE_VPP_GetChannelParam");
    Close_fn close = (Close_fn)dlsym(lib, "MFXVideoDECODE_VPP_Close");
    REQUIRE(init && reset && decode && param && close);
    mfxSession bogus = (mfxSession)(uintptr_t)0x1234;
    mfxVideoParam par = {0};
    mfxVideoChannelParam ch, *chs[1] = {&ch};
    mfxSurfaceArray *a;
    for (int i = 0; i < 2; i++) {
        mfxSession s = i ? bogus : NULL;
        CHECK_STS(init(s, &par, chs, 1), MFX_ERR_INVALID_HANDLE);
        CHECK_STS(reset(s, &par, chs, 1), MFX_ERR_INVALID_HANDLE);
        CHECK_STS(decode(s, NULL, NULL, 0, &a), MFX_ERR_INVALID_HANDLE);
        CHECK_STS(param(s, &ch, 1), MFX_ERR_INVALID_HANDLE);
        CHECK_STS(close(s), MFX_ERR_INVALID_HANDLE);
    }
}

int main(int argc, char **argv) {
    REQUIRE(argc == 4);
    bad_handles(argv[1]);
    int frames = atoi(argv[3]);
    FILE *f = fopen(argv[2], "rb");
    REQUIRE(f != NULL);
    mfxBitstream bs = {0};
    bs.MaxLength = 8 << 20;
    bs.Data = malloc(bs.MaxLength);
    REQUIRE(bs.Data != NULL);
    bs.DataLength = (mfxU32)fread(bs.Data, 1, bs.MaxLength, f);
    fclose(f);
    mfxU32 stream_length = bs.DataLength;

    mfxLoader loader;
    mfxSession session = open_vplrs_with(&loader, "mfxImplDescription.mfxDecoderDescription.decoder.CodecID",
                                         MFX_CODEC_HEVC);
    mfxVideoParam dec = {0};
    dec.mfx.CodecId = MFX_CODEC_HEVC;
    dec.IOPattern = MFX_IOPATTERN_OUT_SYSTEM_MEMORY;
    REQUIRE(MFXVideoDECODE_DecodeHeader(session, &bs, &dec) == MFX_ERR_NONE);
    g_width = dec.mfx.FrameInfo.CropW;
    g_height = dec.mfx.FrameInfo.CropH;
    mfxVideoChannelParam c1, c2, *chs[2] = {&c1, &c2};
    channel(&c1, 1, MFX_FOURCC_I420, W1, H1);
    channel(&c2, 2, MFX_FOURCC_BGRA, W2, H2);
    mfxVideoChannelParam got;
    mfxSurfaceArray *a = NULL;
    mfxU32 one = 1;

    /* Before Init. */
    CHECK_STS(MFXVideoDECODE_VPP_DecodeFrameAsync(session, &bs, NULL, 0, &a), MFX_ERR_NOT_INITIALIZED);
    CHECK_STS(MFXVideoDECODE_VPP_DecodeFrameAsync(session, &bs, NULL, 0, NULL), MFX_ERR_NULL_PTR);
    CHECK_STS(MFXVideoDECODE_VPP_GetChannelParam(session, &got, 1), MFX_ERR_NOT_INITIALIZED);
    CHECK_STS(MFXVideoDECODE_VPP_GetChannelParam(session, NULL, 1), MFX_ERR_NULL_PTR);
    CHECK_STS(MFXVideoDECODE_VPP_Reset(session, &dec, chs, 2), MFX_ERR_NOT_INITIALIZED);
    CHECK_STS(MFXVideoDECODE_VPP_Reset(session, NULL, NULL, 0), MFX_ERR_NULL_PTR);
    CHECK_STS(MFXVideoDECODE_VPP_Close(session), MFX_ERR_NOT_INITIALIZED);

    /* Init's refusals leave nothing initialised. */
    CHECK_STS(MFXVideoDECODE_VPP_Init(session, NULL, chs, 2), MFX_ERR_NULL_PTR);
    CHECK_STS(MFXVideoDECODE_VPP_Init(session, &dec, NULL, 2), MFX_ERR_NULL_PTR);
    mfxVideoChannelParam *with_null[2] = {&c1, NULL};
    CHECK_STS(MFXVideoDECODE_VPP_Init(session, &dec, with_null, 2), MFX_ERR_NULL_PTR);
    mfxVideoChannelParam bad = c1, *bads[2] = {&bad, &c2};
    bad.VPP.ChannelId = 0; /* reserved for the decoder */
    CHECK_STS(MFXVideoDECODE_VPP_Init(session, &dec, bads, 2), MFX_ERR_INVALID_VIDEO_PARAM);
    bad = c1;
    bad.VPP.ChannelId = 2; /* twice */
    CHECK_STS(MFXVideoDECODE_VPP_Init(session, &dec, bads, 2), MFX_ERR_INVALID_VIDEO_PARAM);
    bad = c1;
    bad.Protected = 1;
    CHECK_STS(MFXVideoDECODE_VPP_Init(session, &dec, bads, 2), MFX_ERR_INVALID_VIDEO_PARAM);
    bad = c1;
    bad.IOPattern = MFX_IOPATTERN_IN_SYSTEM_MEMORY | MFX_IOPATTERN_OUT_VIDEO_MEMORY;
    CHECK_STS(MFXVideoDECODE_VPP_Init(session, &dec, bads, 2), MFX_ERR_INVALID_VIDEO_PARAM);
    mfxExtAllocationHints hints = {0};
    hints.Header.BufferId = MFX_EXTBUFF_ALLOCATION_HINTS;
    hints.Header.BufferSz = sizeof(hints);
    hints.AllocationPolicy = MFX_ALLOCATION_UNLIMITED;
    hints.VPPPoolType = MFX_VPP_POOL_IN; /* a channel has an output pool only */
    mfxExtBuffer *ext[1] = {&hints.Header};
    bad = c1;
    bad.ExtParam = ext;
    bad.NumExtParam = 1;
    CHECK_STS(MFXVideoDECODE_VPP_Init(session, &dec, bads, 2), MFX_ERR_INVALID_VIDEO_PARAM);
    hints.Header.BufferId = MFX_EXTBUFF_VPP_DENOISE2; /* a filter vplrs does not have */
    CHECK_STS(MFXVideoDECODE_VPP_Init(session, &dec, bads, 2), MFX_ERR_INVALID_VIDEO_PARAM);
    mfxVideoParam probe = {0};
    CHECK_STS(MFXVideoDECODE_GetVideoParam(session, &probe), MFX_ERR_NOT_INITIALIZED);

    /* Init: the decoder is the session's (the DECODE_VPP aliases answer for it). */
    hints.Header.BufferId = MFX_EXTBUFF_ALLOCATION_HINTS;
    hints.VPPPoolType = MFX_VPP_POOL_OUT;
    c1.ExtParam = ext;
    c1.NumExtParam = 1;
    CHECK_STS(MFXVideoDECODE_VPP_Init(session, &dec, chs, 2), MFX_ERR_NONE);
    CHECK_STS(MFXVideoDECODE_VPP_Init(session, &dec, chs, 2), MFX_ERR_UNDEFINED_BEHAVIOR);
    CHECK_STS(MFXVideoDECODE_Init(session, &dec), MFX_ERR_UNDEFINED_BEHAVIOR);
    CHECK_STS(MFXVideoDECODE_VPP_GetVideoParam(session, &probe), MFX_ERR_NONE);
    CHECK(probe.mfx.CodecId == MFX_CODEC_HEVC);
    memset(&got, 0, sizeof(got));
    CHECK_STS(MFXVideoDECODE_VPP_GetChannelParam(session, &got, 2), MFX_ERR_NONE);
    CHECK(got.VPP.ChannelId == 2 && got.VPP.FourCC == MFX_FOURCC_BGRA && got.VPP.CropW == W2 && got.VPP.CropH == H2);
    CHECK(got.IOPattern == c2.IOPattern && got.Protected == 0);
    CHECK_STS(MFXVideoDECODE_VPP_GetChannelParam(session, &got, 0), MFX_ERR_NOT_FOUND);
    CHECK_STS(MFXVideoDECODE_VPP_GetChannelParam(session, &got, 7), MFX_ERR_NOT_FOUND);
    CHECK_STS(MFXVideoDECODE_VPP_DecodeFrameAsync(session, &bs, NULL, 1, &a), MFX_ERR_NULL_PTR);
    CHECK(bs.DataLength == stream_length); /* nothing taken by refused calls */

    /* Every picture, with rotating skip lists; one array kept past Close. */
    mfxSurfaceArray *kept = NULL;
    CHECK(decode_all(session, &bs, 1, W1, &kept) == frames);
    REQUIRE(kept != NULL);
    CHECK(kept->NumSurfaces == 3);
    /* Released surfaces went back to their pools: the channels' pools stayed small. */
    for (mfxU32 i = 1; i < kept->NumSurfaces; i++) {
        mfxFrameSurface1 *s = kept->Surfaces[i];
        mfxSurfacePoolInterface *pool = NULL;
        CHECK_STS(s->FrameInterface->QueryInterface(s, MFX_GUID_SURFACE_POOL, (mfxHDL *)&pool), MFX_ERR_NONE);
        REQUIRE(pool != NULL);
        mfxU32 size = 0;
        CHECK_STS(pool->GetCurrentPoolSize(pool, &size), MFX_ERR_NONE);
        CHECK(size >= 1 && size <= 4);
        CHECK_STS(pool->Release(pool), MFX_ERR_NONE);
    }

    /* Reset: channels are checked before anything changes. */
    mfxVideoChannelParam r1 = c1, *rs[1] = {&r1};
    r1.VPP.ChannelId = 9;
    CHECK_STS(MFXVideoDECODE_VPP_Reset(session, NULL, rs, 1), MFX_ERR_INVALID_VIDEO_PARAM);
    r1 = c1;
    r1.VPP.FourCC = MFX_FOURCC_NV12;
    CHECK_STS(MFXVideoDECODE_VPP_Reset(session, NULL, rs, 1), MFX_ERR_INCOMPATIBLE_VIDEO_PARAM);
    r1 = c1;
    r1.VPP.Width = W1 * 2;
    r1.VPP.CropW = W1 * 2;
    CHECK_STS(MFXVideoDECODE_VPP_Reset(session, &dec, rs, 1), MFX_ERR_INCOMPATIBLE_VIDEO_PARAM);
    r1 = c1;
    r1.VPP.CropW = W1 / 2;
    r1.VPP.CropH = H1 / 2;
    CHECK_STS(MFXVideoDECODE_VPP_Reset(session, &dec, rs, 1), MFX_ERR_NONE);
    CHECK_STS(MFXVideoDECODE_VPP_GetChannelParam(session, &got, 1), MFX_ERR_NONE);
    CHECK(got.VPP.CropW == W1 / 2 && got.VPP.CropH == H1 / 2 && got.VPP.Width == W1);

    /* The stream again after Reset, every channel every time, channel 1 at its new crop. */
    bs.DataOffset = 0;
    bs.DataLength = stream_length;
    printf("second pass\n");
    CHECK(decode_all(session, &bs, 0, W1 / 2, NULL) == frames);

    /* Close: the decoder too; the kept array and its surfaces stay until released. */
    CHECK_STS(MFXVideoDECODE_VPP_Close(session), MFX_ERR_NONE);
    CHECK_STS(MFXVideoDECODE_VPP_Close(session), MFX_ERR_NOT_INITIALIZED);
    CHECK_STS(MFXVideoDECODE_GetVideoParam(session, &probe), MFX_ERR_NOT_INITIALIZED);
    CHECK_STS(MFXVideoDECODE_VPP_DecodeFrameAsync(session, NULL, NULL, 0, &a), MFX_ERR_NOT_INITIALIZED);
    for (mfxU32 i = 0; i < kept->NumSurfaces; i++) {
        CHECK(ref_count(kept->Surfaces[i]) == 1);
        CHECK_STS(kept->Surfaces[i]->FrameInterface->Map(kept->Surfaces[i], MFX_MAP_READ), MFX_ERR_NONE);
        CHECK_STS(kept->Surfaces[i]->FrameInterface->Unmap(kept->Surfaces[i]), MFX_ERR_NONE);
    }
    mfxU32 n = 0;
    CHECK_STS(kept->GetRefCounter(kept, NULL), MFX_ERR_NULL_PTR);
    CHECK_STS(kept->AddRef(NULL), MFX_ERR_NULL_PTR);
    CHECK_STS(kept->Release(NULL), MFX_ERR_NULL_PTR);
    mfxSurfaceArray copy = *kept; /* not the runtime's array: an invalid handle */
    CHECK_STS(copy.Release(&copy), MFX_ERR_INVALID_HANDLE);
    CHECK_STS(kept->Release(kept), MFX_ERR_NONE);
    CHECK_STS(kept->GetRefCounter(kept, &n), MFX_ERR_NONE);
    CHECK(n == 0);
    CHECK_STS(kept->Release(kept), MFX_ERR_UNDEFINED_BEHAVIOR);
    CHECK_STS(kept->AddRef(kept), MFX_ERR_INVALID_HANDLE);

    /* Init again, SkipOutput ON and one channel: arrays hold channel 1 only; the session's close
       frees the component. */
    bs.DataOffset = 0;
    bs.DataLength = stream_length;
    dec.mfx.SkipOutput = MFX_CODINGOPTION_ON;
    c1.NumExtParam = 0;
    CHECK_STS(MFXVideoDECODE_VPP_Init(session, &dec, chs, 1), MFX_ERR_NONE);
    for (int i = 0; i < 3; i++) {
        a = NULL;
        CHECK_STS(MFXVideoDECODE_VPP_DecodeFrameAsync(session, &bs, &one, 0, &a), MFX_ERR_NONE);
        REQUIRE(a != NULL);
        CHECK(a->NumSurfaces == 1 && a->Surfaces[0]->Info.ChannelId == 1);
        if (i < 2) release_all(a); /* the last one is still held when the session closes */
    }
    CHECK_STS(MFXClose(session), MFX_ERR_NONE);
    CHECK(a->Surfaces[0]->Info.ChannelId == 1 && ref_count(a->Surfaces[0]) == 2);
    release_all(a);
    MFXUnload(loader);
    free(bs.Data);
    return finish("decode_vpp_contract");
}
