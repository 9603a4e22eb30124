/* The encode API's documented answers on vplrs, through Intel's dispatcher: Query in its modes,
   QueryIOSurf, Init/Reset/Close, GetVideoParam (BufferSizeInKB), GetEncodeStat, EncodeFrameAsync
   with runtime surfaces (2.x) and application surfaces (1.x, Locked), NOT_ENOUGH_BUFFER without
   losing the picture, the drain, and NULL/uninitialised misuse. Prints the stream's size; the
   Rust side decodes what it writes (argv[1]) with ffmpeg. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

#define W 176
#define H 144
#define FRAMES 20

static void fill_i420(mfxU8 *y, mfxU8 *u, mfxU8 *v, mfxU16 pitch, int index) {
    for (int row = 0; row < H; row++)
        for (int col = 0; col < W; col++)
            y[row * pitch + col] = (mfxU8)(16 + (row + col + 3 * index) % 200);
    for (int row = 0; row < H / 2; row++)
        for (int col = 0; col < W / 2; col++) {
            u[row * (pitch / 2) + col] = (mfxU8)(100 + (col + index) % 50);
            v[row * (pitch / 2) + col] = (mfxU8)(150 - (row + index) % 50);
        }
}

static void encode_params(mfxVideoParam *par, mfxU32 codec) {
    memset(par, 0, sizeof(*par));
    par->mfx.CodecId = codec;
    par->mfx.TargetUsage = MFX_TARGETUSAGE_BALANCED;
    par->mfx.RateControlMethod = MFX_RATECONTROL_CQP;
    par->mfx.QPI = 24;
    par->mfx.QPP = 26;
    par->mfx.QPB = 28;
    par->mfx.GopRefDist = 3;
    par->mfx.GopPicSize = 10;
    frame_info(&par->mfx.FrameInfo, MFX_FOURCC_I420, W, H);
    par->IOPattern = MFX_IOPATTERN_IN_SYSTEM_MEMORY;
}

static FILE *g_out;
static size_t g_bytes;
static int g_pictures;

/* Writes and empties the bitstream after synchronising its operation. */
static void take(mfxSession session, mfxBitstream *bs, mfxSyncPoint sync) {
    CHECK(sync != NULL);
    CHECK_STS(MFXVideoCORE_SyncOperation(session, sync, 10000), MFX_ERR_NONE);
    CHECK(bs->DataLength > 0);
    CHECK(bs->FrameType != 0);
    fwrite(bs->Data + bs->DataOffset, 1, bs->DataLength, g_out);
    g_bytes += bs->DataLength;
    g_pictures++;
    bs->DataLength = 0;
    bs->DataOffset = 0;
}

static void check_query(mfxSession session) {
    mfxVideoParam out;
    memset(&out, 0, sizeof(out));
    CHECK_STS(MFXVideoENCODE_Query(session, NULL, &out), MFX_ERR_NONE);
    CHECK(out.mfx.CodecId != 0 && out.mfx.FrameInfo.Width != 0 && out.mfx.RateControlMethod != 0);
    CHECK_STS(MFXVideoENCODE_Query(session, NULL, NULL), MFX_ERR_NULL_PTR);

    mfxVideoParam in;
    encode_params(&in, MFX_CODEC_HEVC);
    CHECK_STS(MFXVideoENCODE_Query(session, &in, &out), MFX_ERR_NONE);
    CHECK(out.mfx.CodecId == MFX_CODEC_HEVC && out.mfx.QPP == 26 && out.mfx.FrameInfo.CropW == W);
    /* In place, as legacy-encode calls it. */
    CHECK_STS(MFXVideoENCODE_Query(session, &in, &in), MFX_ERR_NONE);

    in.mfx.TargetUsage = 12; /* corrected to balanced */
    CHECK_STS(MFXVideoENCODE_Query(session, &in, &out), MFX_WRN_INCOMPATIBLE_VIDEO_PARAM);
    CHECK(out.mfx.TargetUsage == MFX_TARGETUSAGE_BALANCED);

    encode_params(&in, MFX_CODEC_VP9); /* not an encoder vplrs has */
    CHECK_STS(MFXVideoENCODE_Query(session, &in, &out), MFX_ERR_UNSUPPORTED);
    CHECK(out.mfx.CodecId == 0);
    encode_params(&in, MFX_CODEC_AVC);
    in.mfx.FrameInfo.FourCC = MFX_FOURCC_RGB4;
    in.mfx.FrameInfo.ChromaFormat = MFX_CHROMAFORMAT_YUV444;
    CHECK_STS(MFXVideoENCODE_Query(session, &in, &out), MFX_ERR_UNSUPPORTED);
    encode_params(&in, MFX_CODEC_AVC);
    in.IOPattern = MFX_IOPATTERN_IN_VIDEO_MEMORY;
    CHECK_STS(MFXVideoENCODE_Query(session, &in, &out), MFX_ERR_UNSUPPORTED);
}

static void check_uninitialised(mfxSession session) {
    mfxFrameSurface1 *surface = NULL;
    mfxBitstream bs;
    mfxSyncPoint sync = NULL;
    mfxEncodeStat stat;
    mfxVideoParam par;
    memset(&bs, 0, sizeof(bs));
    CHECK_STS(MFXMemory_GetSurfaceForEncode(session, &surface), MFX_ERR_NOT_INITIALIZED);
    CHECK_STS(MFXVideoENCODE_EncodeFrameAsync(session, NULL, NULL, &bs, &sync), MFX_ERR_NOT_INITIALIZED);
    CHECK_STS(MFXVideoENCODE_GetEncodeStat(session, &stat), MFX_ERR_NOT_INITIALIZED);
    CHECK_STS(MFXVideoENCODE_GetVideoParam(session, &par), MFX_ERR_NOT_INITIALIZED);
    CHECK_STS(MFXVideoENCODE_Close(session), MFX_ERR_NOT_INITIALIZED);
    encode_params(&par, MFX_CODEC_HEVC);
    CHECK_STS(MFXVideoENCODE_Reset(session, &par), MFX_ERR_NOT_INITIALIZED);
    par.mfx.FrameInfo.FrameRateExtN = 0;
    par.mfx.FrameInfo.FrameRateExtD = 0;
    CHECK_STS(MFXVideoENCODE_Init(session, &par), MFX_ERR_INVALID_VIDEO_PARAM);
    CHECK_STS(MFXVideoENCODE_Init(session, NULL), MFX_ERR_NULL_PTR);
}

/* GetVideoParam hands out the stream's VPS, SPS and PPS (Annex B) in the buffers attached. */
static void check_parameter_sets(mfxSession session) {
    mfxU8 sps[256], pps[128], vps[128];
    mfxExtCodingOptionSPSPPS spspps;
    mfxExtCodingOptionVPS vpsbuf;
    memset(&spspps, 0, sizeof(spspps));
    memset(&vpsbuf, 0, sizeof(vpsbuf));
    spspps.Header.BufferId = MFX_EXTBUFF_CODING_OPTION_SPSPPS;
    spspps.Header.BufferSz = sizeof(spspps);
    spspps.SPSBuffer = sps;
    spspps.SPSBufSize = sizeof(sps);
    spspps.PPSBuffer = pps;
    spspps.PPSBufSize = sizeof(pps);
    vpsbuf.Header.BufferId = MFX_EXTBUFF_CODING_OPTION_VPS;
    vpsbuf.Header.BufferSz = sizeof(vpsbuf);
    vpsbuf.VPSBuffer = vps;
    vpsbuf.VPSBufSize = sizeof(vps);
    mfxExtBuffer *buffers[2] = {&spspps.Header, &vpsbuf.Header};
    mfxVideoParam par;
    memset(&par, 0, sizeof(par));
    par.ExtParam = buffers;
    par.NumExtParam = 2;
    CHECK_STS(MFXVideoENCODE_GetVideoParam(session, &par), MFX_ERR_NONE);
    CHECK(spspps.SPSBufSize > 4 && spspps.PPSBufSize > 4 && vpsbuf.VPSBufSize > 4);
    CHECK(sps[0] == 0 && sps[1] == 0 && (sps[2] == 1 || sps[3] == 1));
    /* H.265 NAL types: VPS 32, SPS 33, PPS 34, after a four-byte start code. */
    CHECK(((vps[4] >> 1) & 0x3f) == 32 && ((sps[4] >> 1) & 0x3f) == 33 && ((pps[4] >> 1) & 0x3f) == 34);
    spspps.SPSBufSize = 4;
    spspps.PPSBufSize = sizeof(pps);
    CHECK_STS(MFXVideoENCODE_GetVideoParam(session, &par), MFX_ERR_NOT_ENOUGH_BUFFER);
}

/* 2.x: surfaces from the encoder's pool, a small bitstream first (NOT_ENOUGH_BUFFER). */
static void encode_runtime_surfaces(mfxSession session) {
    mfxVideoParam par;
    encode_params(&par, MFX_CODEC_HEVC);
    mfxFrameAllocRequest request;
    memset(&request, 0, sizeof(request));
    CHECK_STS(MFXVideoENCODE_QueryIOSurf(session, &par, &request), MFX_ERR_NONE);
    CHECK(request.NumFrameMin >= 1 && request.NumFrameSuggested >= request.NumFrameMin);
    CHECK(request.Type & MFX_MEMTYPE_FROM_ENCODE);
    CHECK(request.Type & MFX_MEMTYPE_SYSTEM_MEMORY);
    CHECK_STS(MFXVideoENCODE_Init(session, &par), MFX_ERR_NONE);
    CHECK_STS(MFXVideoENCODE_Init(session, &par), MFX_ERR_UNDEFINED_BEHAVIOR);

    mfxVideoParam got;
    memset(&got, 0, sizeof(got));
    CHECK_STS(MFXVideoENCODE_GetVideoParam(session, &got), MFX_ERR_NONE);
    CHECK(got.mfx.CodecId == MFX_CODEC_HEVC && got.mfx.CodecProfile == MFX_PROFILE_HEVC_MAIN);
    check_parameter_sets(session);
    mfxU32 buffer_size = (mfxU32)got.mfx.BufferSizeInKB * (got.mfx.BRCParamMultiplier ? got.mfx.BRCParamMultiplier : 1) * 1000;
    CHECK(buffer_size >= W * H * 3 / 2);

    mfxBitstream bs;
    memset(&bs, 0, sizeof(bs));
    bs.MaxLength = 8; /* too small for any picture */
    bs.Data = malloc(buffer_size);
    REQUIRE(bs.Data != NULL);
    int not_enough = 0;
    for (int i = 0; i < FRAMES; i++) {
        mfxFrameSurface1 *surface = NULL;
        CHECK_STS(MFXMemory_GetSurfaceForEncode(session, &surface), MFX_ERR_NONE);
        REQUIRE(surface != NULL);
        CHECK_STS(surface->FrameInterface->Map(surface, MFX_MAP_WRITE), MFX_ERR_NONE);
        fill_i420(surface->Data.Y, surface->Data.U, surface->Data.V, surface->Data.Pitch, i);
        CHECK_STS(surface->FrameInterface->Unmap(surface), MFX_ERR_NONE);
        surface->Data.TimeStamp = (mfxU64)i * 3000;
        mfxSyncPoint sync = NULL;
        mfxStatus sts;
        for (;;) {
            sts = MFXVideoENCODE_EncodeFrameAsync(session, NULL, surface, &bs, &sync);
            if (sts != MFX_ERR_NOT_ENOUGH_BUFFER)
                break;
            /* Nothing was taken: give room and call again with the same frame. */
            not_enough++;
            bs.MaxLength = buffer_size;
        }
        CHECK(sts == MFX_ERR_NONE || sts == MFX_ERR_MORE_DATA);
        if (sts == MFX_ERR_NONE)
            take(session, &bs, sync);
        CHECK_STS(surface->FrameInterface->Release(surface), MFX_ERR_NONE);
    }
    mfxSyncPoint sync = NULL;
    mfxStatus sts;
    for (;;) {
        sts = MFXVideoENCODE_EncodeFrameAsync(session, NULL, NULL, &bs, &sync);
        if (sts == MFX_ERR_NOT_ENOUGH_BUFFER) {
            /* x265's look-ahead may hold every frame until the drain. */
            not_enough++;
            bs.MaxLength = buffer_size;
            continue;
        }
        if (sts != MFX_ERR_NONE)
            break;
        take(session, &bs, sync);
    }
    CHECK_STS(sts, MFX_ERR_MORE_DATA);
    CHECK(not_enough == 1);
    CHECK(g_pictures == FRAMES);

    mfxEncodeStat stat;
    CHECK_STS(MFXVideoENCODE_GetEncodeStat(session, &stat), MFX_ERR_NONE);
    CHECK(stat.NumFrame == FRAMES && stat.NumCachedFrame == 0 && stat.NumBit == (mfxU64)g_bytes * 8);
    CHECK_STS(MFXVideoENCODE_EncodeFrameAsync(session, NULL, NULL, NULL, &sync), MFX_ERR_NULL_PTR);
    CHECK_STS(MFXVideoENCODE_EncodeFrameAsync(session, NULL, NULL, &bs, NULL), MFX_ERR_NULL_PTR);

    /* Reset to another rate; a larger frame than Init's is refused. */
    par.mfx.QPP = 30;
    CHECK_STS(MFXVideoENCODE_Reset(session, &par), MFX_ERR_NONE);
    par.mfx.FrameInfo.Width = 2 * 192;
    par.mfx.FrameInfo.CropW = 2 * W;
    CHECK_STS(MFXVideoENCODE_Reset(session, &par), MFX_ERR_INCOMPATIBLE_VIDEO_PARAM);
    CHECK_STS(MFXVideoENCODE_Close(session), MFX_ERR_NONE);
    free(bs.Data);
}

/* 1.x: the application's own surfaces; a forced IDR through mfxEncodeCtrl. */
static void encode_application_surfaces(mfxSession session) {
    mfxVideoParam par;
    encode_params(&par, MFX_CODEC_AVC);
    par.mfx.GopRefDist = 1;
    par.mfx.GopPicSize = 0;
    CHECK_STS(MFXVideoENCODE_Init(session, &par), MFX_ERR_NONE);
    mfxU16 pitch = par.mfx.FrameInfo.Width;
    size_t frame_bytes = (size_t)pitch * par.mfx.FrameInfo.Height * 3 / 2;
    mfxU8 *pixels = malloc(frame_bytes);
    REQUIRE(pixels != NULL);
    mfxFrameSurface1 surface;
    memset(&surface, 0, sizeof(surface));
    surface.Info = par.mfx.FrameInfo;
    surface.Data.Y = pixels;
    surface.Data.U = pixels + (size_t)pitch * par.mfx.FrameInfo.Height;
    surface.Data.V = surface.Data.U + (size_t)(pitch / 2) * (par.mfx.FrameInfo.Height / 2);
    surface.Data.Pitch = pitch;
    mfxBitstream bs;
    memset(&bs, 0, sizeof(bs));
    bs.MaxLength = 1 << 20;
    bs.Data = malloc(bs.MaxLength);
    REQUIRE(bs.Data != NULL);
    mfxU16 types[10] = {0};
    int pictures = 0;
    for (int i = 0; i < 10; i++) {
        fill_i420(surface.Data.Y, surface.Data.U, surface.Data.V, pitch, i);
        mfxEncodeCtrl ctrl;
        memset(&ctrl, 0, sizeof(ctrl));
        ctrl.FrameType = i == 5 ? (MFX_FRAMETYPE_I | MFX_FRAMETYPE_REF | MFX_FRAMETYPE_IDR) : 0;
        mfxSyncPoint sync = NULL;
        mfxStatus sts = MFXVideoENCODE_EncodeFrameAsync(session, &ctrl, &surface, &bs, &sync);
        CHECK(sts == MFX_ERR_NONE || sts == MFX_ERR_MORE_DATA);
        /* libx264 copies the picture in the call: the surface is free again. */
        CHECK(surface.Data.Locked == 0);
        if (sts == MFX_ERR_NONE) {
            CHECK_STS(MFXVideoCORE_SyncOperation(session, sync, 10000), MFX_ERR_NONE);
            if (pictures < 10)
                types[pictures] = bs.FrameType;
            pictures++;
            bs.DataLength = 0;
        }
    }
    mfxSyncPoint sync = NULL;
    while (MFXVideoENCODE_EncodeFrameAsync(session, NULL, NULL, &bs, &sync) == MFX_ERR_NONE) {
        CHECK_STS(MFXVideoCORE_SyncOperation(session, sync, 10000), MFX_ERR_NONE);
        if (pictures < 10)
            types[pictures] = bs.FrameType;
        pictures++;
        bs.DataLength = 0;
    }
    CHECK(pictures == 10);
    /* No B-frames (GopRefDist 1): output order is input order; the forced frame is an IDR. */
    CHECK(types[0] & MFX_FRAMETYPE_IDR);
    CHECK(types[5] & MFX_FRAMETYPE_IDR);
    CHECK(!(types[4] & MFX_FRAMETYPE_I) && !(types[6] & MFX_FRAMETYPE_I));
    CHECK_STS(MFXVideoENCODE_Close(session), MFX_ERR_NONE);
    free(bs.Data);
    free(pixels);
}

int main(int argc, char **argv) {
    REQUIRE(argc == 2);
    g_out = fopen(argv[1], "wb");
    REQUIRE(g_out != NULL);
    mfxLoader loader;
    mfxSession session =
        open_vplrs_with(&loader, "mfxImplDescription.mfxEncoderDescription.encoder.CodecID", MFX_CODEC_HEVC);
    check_query(session);
    check_uninitialised(session);
    encode_runtime_surfaces(session);
    encode_application_surfaces(session);
    fclose(g_out);
    printf("stream %zu bytes, %d pictures\n", g_bytes, g_pictures);
    MFXClose(session);
    MFXUnload(loader);
    return finish("encode_contract");
}
