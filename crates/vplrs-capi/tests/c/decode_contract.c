/* The decode API's documented answers through Intel's dispatcher: Query with and without input,
 * DecodeHeader, Init/Reset/Close, GetVideoParam, GetDecodeStat, SetSkipMode, GetPayload, calls
 * before Init, NULL pointers, garbage bitstreams, frames before the first key frame, a key frame
 * larger than the surfaces, the decode pool's limit (mfxExtAllocationHints + Wait), AsyncDepth.
 *
 *   decode_contract FILE.ivf   (a 176x144 stream whose second frame is an inter frame) */
#include "common.h"
#include "ivf.h"

static mfxBitstream bitstream(const mfxU8 *data, mfxU32 size) {
    mfxBitstream bs;
    memset(&bs, 0, sizeof(bs));
    bs.Data = (mfxU8 *)data;
    bs.DataLength = size;
    bs.MaxLength = size;
    return bs;
}

static void before_init(mfxSession s, const mfxU8 *key, mfxU32 key_sz) {
    mfxVideoParam par;
    mfxDecodeStat stat;
    mfxFrameSurface1 *surface = NULL;
    mfxSyncPoint sync = NULL;
    mfxBitstream bs = bitstream(key, key_sz);
    mfxPayload payload;
    mfxU64 ts = 0;
    memset(&par, 0, sizeof(par));
    memset(&payload, 0, sizeof(payload));
    CHECK_STS(MFXVideoDECODE_DecodeFrameAsync(s, &bs, NULL, &surface, &sync), MFX_ERR_NOT_INITIALIZED);
    CHECK(bs.DataLength == key_sz);
    CHECK_STS(MFXVideoDECODE_DecodeFrameAsync(s, NULL, NULL, &surface, &sync), MFX_ERR_NOT_INITIALIZED);
    CHECK_STS(MFXVideoDECODE_GetVideoParam(s, &par), MFX_ERR_NOT_INITIALIZED);
    CHECK_STS(MFXVideoDECODE_GetDecodeStat(s, &stat), MFX_ERR_NOT_INITIALIZED);
    CHECK_STS(MFXVideoDECODE_Close(s), MFX_ERR_NOT_INITIALIZED);
    CHECK_STS(MFXVideoDECODE_SetSkipMode(s, MFX_SKIPMODE_NOSKIP), MFX_ERR_NOT_INITIALIZED);
    CHECK_STS(MFXVideoDECODE_GetPayload(s, &ts, &payload), MFX_ERR_NOT_INITIALIZED);
    CHECK_STS(MFXMemory_GetSurfaceForDecode(s, &surface), MFX_ERR_NOT_INITIALIZED);
    CHECK_STS(MFXMemory_GetSurfaceForDecode(s, NULL), MFX_ERR_NULL_PTR);
    par.mfx.CodecId = MFX_CODEC_VP8;
    CHECK_STS(MFXVideoDECODE_Reset(s, &par), MFX_ERR_NOT_INITIALIZED);
}

static void query(mfxSession s) {
    mfxVideoParam in, out;
    memset(&out, 0, sizeof(out));
    CHECK_STS(MFXVideoDECODE_Query(s, NULL, &out), MFX_ERR_NONE);
    CHECK(out.mfx.CodecId != 0 && out.mfx.FrameInfo.FourCC != 0 && out.mfx.FrameInfo.Width != 0 && out.IOPattern != 0);
    CHECK_STS(MFXVideoDECODE_Query(s, NULL, NULL), MFX_ERR_NULL_PTR);
    memset(&in, 0, sizeof(in));
    in.mfx.CodecId = MFX_CODEC_MPEG2;
    CHECK_STS(MFXVideoDECODE_Query(s, &in, &out), MFX_ERR_UNSUPPORTED);
    CHECK(out.mfx.CodecId == 0);
    memset(&in, 0, sizeof(in));
    in.mfx.CodecId = MFX_CODEC_VP8;
    frame_info(&in.mfx.FrameInfo, MFX_FOURCC_NV12, 176, 144);
    in.IOPattern = MFX_IOPATTERN_OUT_SYSTEM_MEMORY;
    CHECK_STS(MFXVideoDECODE_Query(s, &in, &out), MFX_ERR_NONE);
    CHECK(out.mfx.CodecId == MFX_CODEC_VP8 && out.mfx.FrameInfo.Width == 176);
    in.mfx.FrameInfo.Width = 170;
    CHECK_STS(MFXVideoDECODE_Query(s, &in, &out), MFX_WRN_INCOMPATIBLE_VIDEO_PARAM);
    CHECK(out.mfx.FrameInfo.Width == 176);
    in.mfx.FrameInfo.Width = 176;
    in.mfx.FrameInfo.FourCC = MFX_FOURCC_RGB4;
    CHECK_STS(MFXVideoDECODE_Query(s, &in, &out), MFX_ERR_UNSUPPORTED);
    CHECK(out.mfx.FrameInfo.FourCC == 0);
    in.mfx.FrameInfo.FourCC = MFX_FOURCC_I420;
    CHECK_STS(MFXVideoDECODE_Query(s, &in, &out), MFX_ERR_NONE);
    in.IOPattern = MFX_IOPATTERN_OUT_VIDEO_MEMORY;
    CHECK_STS(MFXVideoDECODE_Query(s, &in, &out), MFX_ERR_UNSUPPORTED);
    CHECK(out.IOPattern == 0);
    /* in == out is allowed. */
    in.IOPattern = MFX_IOPATTERN_OUT_SYSTEM_MEMORY;
    in.mfx.FrameInfo.Height = 150;
    CHECK_STS(MFXVideoDECODE_Query(s, &in, &in), MFX_WRN_INCOMPATIBLE_VIDEO_PARAM);
    CHECK(in.mfx.FrameInfo.Height == 160);
}

static void header(mfxSession s, const mfxU8 *key, mfxU32 key_sz, const mfxU8 *inter, mfxU32 inter_sz,
                   mfxVideoParam *par) {
    mfxBitstream bs = bitstream(key, key_sz);
    memset(par, 0, sizeof(*par));
    CHECK_STS(MFXVideoDECODE_DecodeHeader(s, NULL, par), MFX_ERR_NULL_PTR);
    CHECK_STS(MFXVideoDECODE_DecodeHeader(s, &bs, NULL), MFX_ERR_NULL_PTR);
    par->mfx.CodecId = MFX_CODEC_MPEG2;
    CHECK_STS(MFXVideoDECODE_DecodeHeader(s, &bs, par), MFX_ERR_UNSUPPORTED);
    par->mfx.CodecId = MFX_CODEC_VP8;
    mfxBitstream not_key = bitstream(inter, inter_sz);
    CHECK_STS(MFXVideoDECODE_DecodeHeader(s, &not_key, par), MFX_ERR_MORE_DATA);
    static const mfxU8 garbage[32] = {0x10, 0x22, 0x33, 0x44, 0x55};
    mfxBitstream junk = bitstream(garbage, sizeof(garbage));
    CHECK_STS(MFXVideoDECODE_DecodeHeader(s, &junk, par), MFX_ERR_MORE_DATA);
    mfxBitstream empty = bitstream(garbage, 0);
    CHECK_STS(MFXVideoDECODE_DecodeHeader(s, &empty, par), MFX_ERR_MORE_DATA);
    CHECK_STS(MFXVideoDECODE_DecodeHeader(s, &bs, par), MFX_ERR_NONE);
    CHECK(bs.DataOffset == 0 && bs.DataLength == key_sz);
    CHECK(par->mfx.FrameInfo.FourCC == MFX_FOURCC_NV12 && par->mfx.FrameInfo.ChromaFormat == MFX_CHROMAFORMAT_YUV420);
    CHECK(par->mfx.FrameInfo.CropW == 176 && par->mfx.FrameInfo.CropH == 144);
    CHECK(par->mfx.FrameInfo.Width == 176 && par->mfx.FrameInfo.Height == 144);
    CHECK(par->mfx.CodecProfile == MFX_PROFILE_VP8_0);
}

static void init_errors(mfxSession s, const mfxVideoParam *good) {
    mfxVideoParam par = *good;
    mfxFrameAllocRequest request;
    CHECK_STS(MFXVideoDECODE_Init(s, NULL), MFX_ERR_NULL_PTR);
    par.mfx.CodecId = MFX_CODEC_MPEG2;
    CHECK_STS(MFXVideoDECODE_Init(s, &par), MFX_ERR_UNSUPPORTED);
    CHECK_STS(MFXVideoDECODE_QueryIOSurf(s, &par, &request), MFX_ERR_UNSUPPORTED);
    par = *good;
    par.IOPattern = MFX_IOPATTERN_OUT_VIDEO_MEMORY;
    CHECK_STS(MFXVideoDECODE_Init(s, &par), MFX_ERR_INVALID_VIDEO_PARAM);
    CHECK_STS(MFXVideoDECODE_QueryIOSurf(s, &par, &request), MFX_ERR_INVALID_VIDEO_PARAM);
    par = *good;
    par.mfx.FrameInfo.FourCC = MFX_FOURCC_RGB4;
    CHECK_STS(MFXVideoDECODE_Init(s, &par), MFX_ERR_INVALID_VIDEO_PARAM);
    par = *good;
    par.mfx.FrameInfo.Width = 0;
    CHECK_STS(MFXVideoDECODE_Init(s, &par), MFX_ERR_INVALID_VIDEO_PARAM);
    par = *good;
    CHECK_STS(MFXVideoDECODE_QueryIOSurf(s, &par, NULL), MFX_ERR_NULL_PTR);
    CHECK_STS(MFXVideoDECODE_QueryIOSurf(s, &par, &request), MFX_ERR_NONE);
    CHECK(request.NumFrameSuggested >= par.AsyncDepth && request.NumFrameMin >= 1);
    CHECK((request.Type & MFX_MEMTYPE_SYSTEM_MEMORY) && (request.Type & MFX_MEMTYPE_FROM_DECODE));
    CHECK(request.Info.FourCC == MFX_FOURCC_NV12 && request.Info.CropW == 176);
}

/* One frame through a NULL work surface, synchronised and released. */
static mfxStatus decode_sync(mfxSession s, const mfxU8 *data, mfxU32 size) {
    mfxBitstream bs = bitstream(data, size);
    mfxFrameSurface1 *out = NULL;
    mfxSyncPoint sync = NULL;
    mfxStatus sts = MFXVideoDECODE_DecodeFrameAsync(s, &bs, NULL, &out, &sync);
    if (sts == MFX_ERR_NONE) {
        CHECK(bs.DataLength == 0 && bs.DataOffset == size);
        CHECK_STS(MFXVideoCORE_SyncOperation(s, sync, 10000), MFX_ERR_NONE);
        CHECK(out->Info.CropW == 176 && out->Info.CropH == 144 && out->Data.Corrupted == 0);
        CHECK_STS(out->FrameInterface->Release(out), MFX_ERR_NONE);
    }
    return sts;
}

static void decoding(mfxSession s, mfxVideoParam *par, const mfxU8 *key, mfxU32 key_sz, const mfxU8 *inter,
                     mfxU32 inter_sz) {
    /* A limited pool of one surface that waits 10 ms. */
    mfxExtAllocationHints hints;
    memset(&hints, 0, sizeof(hints));
    hints.Header.BufferId = MFX_EXTBUFF_ALLOCATION_HINTS;
    hints.Header.BufferSz = sizeof(hints);
    hints.AllocationPolicy = MFX_ALLOCATION_LIMITED;
    hints.NumberToPreAllocate = 1;
    hints.DeltaToAllocateOnTheFly = 0;
    hints.Wait = 10;
    mfxExtBuffer *ext[1] = {&hints.Header};
    par->ExtParam = ext;
    par->NumExtParam = 1;
    par->AsyncDepth = 1;
    CHECK_STS(MFXVideoDECODE_Init(s, par), MFX_ERR_NONE);
    CHECK_STS(MFXVideoDECODE_Init(s, par), MFX_ERR_UNDEFINED_BEHAVIOR);
    par->ExtParam = NULL;
    par->NumExtParam = 0;

    mfxFrameSurface1 *out = (mfxFrameSurface1 *)1;
    mfxSyncPoint sync = NULL;
    mfxBitstream bs = bitstream(key, key_sz);
    CHECK_STS(MFXVideoDECODE_DecodeFrameAsync(s, &bs, NULL, NULL, &sync), MFX_ERR_NULL_PTR);
    CHECK_STS(MFXVideoDECODE_DecodeFrameAsync(s, &bs, NULL, &out, NULL), MFX_ERR_NULL_PTR);
    CHECK(bs.DataLength == key_sz);
    /* Inter frames before the first key frame are skipped (taken, no picture). */
    mfxBitstream early = bitstream(inter, inter_sz);
    CHECK_STS(MFXVideoDECODE_DecodeFrameAsync(s, &early, NULL, &out, &sync), MFX_ERR_MORE_DATA);
    CHECK(early.DataLength == 0 && out == NULL);
    /* Garbage is skipped too. */
    static const mfxU8 garbage[40] = {0x10, 0x99, 0x77, 0x00, 0x00, 0x00, 0x12};
    mfxBitstream junk = bitstream(garbage, sizeof(garbage));
    CHECK_STS(MFXVideoDECODE_DecodeFrameAsync(s, &junk, NULL, &out, &sync), MFX_ERR_MORE_DATA);
    CHECK(junk.DataLength == 0);
    mfxBitstream empty = bitstream(garbage, 0);
    CHECK_STS(MFXVideoDECODE_DecodeFrameAsync(s, &empty, NULL, &out, &sync), MFX_ERR_MORE_DATA);

    /* The pool's only surface held by the application: the decoder waits 10 ms and gives up. */
    mfxFrameSurface1 *held = NULL;
    CHECK_STS(MFXMemory_GetSurfaceForDecode(s, &held), MFX_ERR_NONE);
    REQUIRE(held != NULL);
    CHECK_STS(MFXVideoDECODE_DecodeFrameAsync(s, &bs, NULL, &out, &sync), MFX_WRN_ALLOC_TIMEOUT_EXPIRED);
    CHECK(bs.DataLength == key_sz && out == NULL);
    mfxFrameSurface1 *second = NULL;
    CHECK_STS(MFXMemory_GetSurfaceForDecode(s, &second), MFX_WRN_ALLOC_TIMEOUT_EXPIRED);
    CHECK(second == NULL);
    /* The held surface itself as the work surface: the picture goes there. */
    CHECK_STS(MFXVideoDECODE_DecodeFrameAsync(s, &bs, held, &out, &sync), MFX_ERR_NONE);
    CHECK(out == held && bs.DataLength == 0);
    mfxU32 refs = 0;
    CHECK_STS(out->FrameInterface->GetRefCounter(out, &refs), MFX_ERR_NONE);
    CHECK(refs >= 2);
    CHECK_STS(MFXVideoCORE_SyncOperation(s, sync, 10000), MFX_ERR_NONE);
    CHECK(out->Info.CropW == 176);
    CHECK_STS(out->FrameInterface->Release(out), MFX_ERR_NONE);
    CHECK_STS(held->FrameInterface->Release(held), MFX_ERR_NONE);

    CHECK_STS(decode_sync(s, inter, inter_sz), MFX_ERR_NONE);

    /* A key frame larger than the surfaces: refused, data left for the application to re-init. */
    mfxU8 *bigger = malloc(key_sz);
    memcpy(bigger, key, key_sz);
    bigger[6] = 0x40; /* width 320 */
    bigger[7] = 0x01;
    mfxBitstream big = bitstream(bigger, key_sz);
    CHECK_STS(MFXVideoDECODE_DecodeFrameAsync(s, &big, NULL, &out, &sync), MFX_ERR_INCOMPATIBLE_VIDEO_PARAM);
    CHECK(big.DataLength == key_sz && big.DataOffset == 0);
    free(bigger);

    /* Parameters, statistics, skip mode, payload. */
    mfxVideoParam got;
    memset(&got, 0, sizeof(got));
    CHECK_STS(MFXVideoDECODE_GetVideoParam(s, NULL), MFX_ERR_NULL_PTR);
    CHECK_STS(MFXVideoDECODE_GetVideoParam(s, &got), MFX_ERR_NONE);
    CHECK(got.mfx.CodecId == MFX_CODEC_VP8 && got.mfx.FrameInfo.FourCC == MFX_FOURCC_NV12);
    CHECK(got.mfx.FrameInfo.CropW == 176 && got.IOPattern == MFX_IOPATTERN_OUT_SYSTEM_MEMORY);
    mfxDecodeStat stat;
    memset(&stat, 0, sizeof(stat));
    CHECK_STS(MFXVideoDECODE_GetDecodeStat(s, NULL), MFX_ERR_NULL_PTR);
    CHECK_STS(MFXVideoDECODE_GetDecodeStat(s, &stat), MFX_ERR_NONE);
    CHECK(stat.NumFrame == 2 && stat.NumSkippedFrame == 2 && stat.NumCachedFrame == 0);
    CHECK_STS(MFXVideoDECODE_SetSkipMode(s, MFX_SKIPMODE_NOSKIP), MFX_ERR_NONE);
    CHECK_STS(MFXVideoDECODE_SetSkipMode(s, MFX_SKIPMODE_MORE), MFX_WRN_VALUE_NOT_CHANGED);
    CHECK_STS(MFXVideoDECODE_SetSkipMode(s, MFX_SKIPMODE_LESS), MFX_WRN_VALUE_NOT_CHANGED);
    mfxPayload payload;
    memset(&payload, 0, sizeof(payload));
    payload.NumBit = 99;
    mfxU64 ts = 7;
    CHECK_STS(MFXVideoDECODE_GetPayload(s, &ts, &payload), MFX_ERR_NONE);
    CHECK(payload.NumBit == 0);
    CHECK_STS(MFXVideoDECODE_GetPayload(s, &ts, NULL), MFX_ERR_NULL_PTR);

    /* Reset: larger pictures need Close and Init; the same size restarts at a key frame. */
    mfxVideoParam reset = *par;
    reset.mfx.FrameInfo.Width = 352;
    reset.mfx.FrameInfo.CropW = 352;
    CHECK_STS(MFXVideoDECODE_Reset(s, &reset), MFX_ERR_INCOMPATIBLE_VIDEO_PARAM);
    CHECK_STS(MFXVideoDECODE_Reset(s, NULL), MFX_ERR_NULL_PTR);
    CHECK_STS(MFXVideoDECODE_Reset(s, par), MFX_ERR_NONE);
    mfxBitstream after_reset = bitstream(inter, inter_sz);
    CHECK_STS(MFXVideoDECODE_DecodeFrameAsync(s, &after_reset, NULL, &out, &sync), MFX_ERR_MORE_DATA);
    CHECK_STS(decode_sync(s, key, key_sz), MFX_ERR_NONE);
    CHECK_STS(MFXVideoDECODE_DecodeFrameAsync(s, NULL, NULL, &out, &sync), MFX_ERR_MORE_DATA);
    CHECK_STS(MFXVideoDECODE_Close(s), MFX_ERR_NONE);
    CHECK_STS(MFXVideoDECODE_Close(s), MFX_ERR_NOT_INITIALIZED);
}

/* AsyncDepth 1 without synchronising: busy or done, never anything else; busy keeps the data. */
static void async_depth(mfxSession s, mfxVideoParam *par, const mfxU8 *key, mfxU32 key_sz) {
    par->AsyncDepth = 1;
    CHECK_STS(MFXVideoDECODE_Init(s, par), MFX_ERR_NONE);
    mfxFrameSurface1 *outs[16];
    mfxSyncPoint syncs[16];
    int n = 0, busy = 0;
    for (int i = 0; i < 16; i++) {
        mfxBitstream bs = bitstream(key, key_sz);
        mfxStatus sts = MFXVideoDECODE_DecodeFrameAsync(s, &bs, NULL, &outs[n], &syncs[n]);
        CHECK(sts == MFX_ERR_NONE || sts == MFX_WRN_DEVICE_BUSY);
        if (sts == MFX_WRN_DEVICE_BUSY) {
            busy++;
            CHECK(bs.DataLength == key_sz);
        } else {
            n++;
        }
    }
    for (int i = 0; i < n; i++) {
        CHECK_STS(MFXVideoCORE_SyncOperation(s, syncs[i], 10000), MFX_ERR_NONE);
        CHECK_STS(outs[i]->FrameInterface->Release(outs[i]), MFX_ERR_NONE);
    }
    printf("AsyncDepth 1: %d accepted, %d MFX_WRN_DEVICE_BUSY\n", n, busy);
    /* Close with a surface still held: it stays valid until released. */
    mfxFrameSurface1 *kept = NULL;
    CHECK_STS(MFXMemory_GetSurfaceForDecode(s, &kept), MFX_ERR_NONE);
    CHECK_STS(MFXVideoDECODE_Close(s), MFX_ERR_NONE);
    CHECK_STS(kept->FrameInterface->Map(kept, MFX_MAP_WRITE), MFX_ERR_NONE);
    kept->Data.Y[0] = 1;
    CHECK_STS(kept->FrameInterface->Unmap(kept), MFX_ERR_NONE);
    CHECK_STS(kept->FrameInterface->Release(kept), MFX_ERR_NONE);
}

int main(int argc, char **argv) {
    REQUIRE(argc == 2);
    ivf_reader ivf;
    REQUIRE(ivf_open(&ivf, argv[1]) == 0);
    uint32_t key_sz = 0, inter_sz = 0;
    uint64_t pts;
    const uint8_t *frame = ivf_next(&ivf, &key_sz, &pts);
    REQUIRE(frame != NULL && (frame[0] & 1) == 0);
    mfxU8 *key = malloc(key_sz);
    memcpy(key, frame, key_sz);
    frame = ivf_next(&ivf, &inter_sz, &pts);
    REQUIRE(frame != NULL && (frame[0] & 1) == 1);
    mfxU8 *inter = malloc(inter_sz);
    memcpy(inter, frame, inter_sz);
    ivf_close(&ivf);

    mfxLoader loader = NULL;
    mfxSession s = open_vplrs_decoder(&loader);
    before_init(s, key, key_sz);
    query(s);
    mfxVideoParam par;
    header(s, key, key_sz, inter, inter_sz, &par);
    par.IOPattern = MFX_IOPATTERN_OUT_SYSTEM_MEMORY;
    par.AsyncDepth = 2;
    init_errors(s, &par);
    decoding(s, &par, key, key_sz, inter, inter_sz);
    async_depth(s, &par, key, key_sz);
    CHECK_STS(MFXClose(s), MFX_ERR_NONE);
    MFXUnload(loader);
    free(key);
    free(inter);
    return finish("decode_contract");
}
