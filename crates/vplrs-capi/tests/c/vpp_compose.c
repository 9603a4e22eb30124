/* VPP composition (mfxExtVPPComposite) through the dispatcher: four NV12 streams of different
 * sizes (64x48, 96x64, 48x32, 32x32) composed into NV12 320x240 over a background colour, one
 * stream opaque and scaled x2, one opaque and unscaled, one at global alpha 128, one luma keyed.
 * Each input frame is a solid colour, so every output sample has an exact expected value.
 *
 * Runs it twice, through the two memory models:
 * - 2.x: input surfaces from MFXMemory_GetSurfaceForVPP (each stream's picture in its crop),
 *   ProcessFrameAsync, output from the pool;
 * - 1.x: the application's own surfaces, one size per stream, RunFrameVPPAsync.
 * The first three streams' calls answer MFX_ERR_MORE_DATA and keep their surfaces Locked until the
 * output is done. Also: QueryIOSurf counts the surfaces of every stream, GetVideoParam gives the
 * layout back, Reset takes fewer streams but not more, and Query refuses what composition cannot
 * do (DOUSE of it, an I420 output, a luma key on an RGB output).
 * Prints "compose: N outputs checked". */
#include "common.h"

#define STREAMS 4
#define OUT_W 320
#define OUT_H 240
#define FRAMES 3

static const mfxU16 sizes[STREAMS][2] = {{64, 48}, {96, 64}, {48, 32}, {32, 32}};
/* Solid colours (Y, U, V); stream 3 is split: its left half has luma KEYED, its right half LUMA_R. */
static const mfxU8 colours[STREAMS][3] = {{200, 60, 190}, {100, 150, 100}, {80, 90, 170}, {50, 110, 140}};
#define KEYED 240
static const mfxU8 background[3] = {16, 128, 128};

static mfxVPPCompInputStream layout[STREAMS + 1]; /* one more: a Reset asking too many */
static mfxExtVPPComposite composite;
static mfxExtBuffer *ext[1];

static void set_layout(mfxVideoParam *par, mfxU16 streams) {
    const mfxU32 dst[STREAMS][4] = {{0, 0, 128, 96}, {160, 0, 96, 64}, {0, 120, 96, 64}, {200, 160, 64, 64}};
    memset(layout, 0, sizeof(layout));
    for (int i = 0; i < STREAMS; i++) {
        layout[i].DstX = dst[i][0];
        layout[i].DstY = dst[i][1];
        layout[i].DstW = dst[i][2];
        layout[i].DstH = dst[i][3];
    }
    layout[2].GlobalAlphaEnable = 1;
    layout[2].GlobalAlpha = 128;
    layout[3].LumaKeyEnable = 1;
    layout[3].LumaKeyMin = 230;
    layout[3].LumaKeyMax = 255;
    layout[STREAMS] = layout[0];
    memset(&composite, 0, sizeof(composite));
    composite.Header.BufferId = MFX_EXTBUFF_VPP_COMPOSITE;
    composite.Header.BufferSz = sizeof(composite);
    composite.Y = background[0];
    composite.U = background[1];
    composite.V = background[2];
    composite.NumInputStream = streams;
    composite.InputStream = layout;
    ext[0] = &composite.Header;
    /* The largest input frame; each stream's surfaces say their own picture. */
    vpp_params(par, MFX_FOURCC_NV12, MFX_FOURCC_NV12, 96, 64, OUT_W, OUT_H);
    par->NumExtParam = 1;
    par->ExtParam = ext;
}

/* Paints stream `s`'s picture into NV12 planes of pitch `pitch`. */
static void paint(int s, mfxU8 *y, mfxU8 *uv, mfxU16 pitch) {
    mfxU16 w = sizes[s][0], h = sizes[s][1];
    for (int row = 0; row < h; row++)
        for (int x = 0; x < w; x++) y[row * pitch + x] = (s == 3 && x < w / 2) ? KEYED : colours[s][0];
    for (int row = 0; row < h / 2; row++)
        for (int x = 0; x < w / 2; x++) {
            uv[row * pitch + 2 * x] = colours[s][1];
            uv[row * pitch + 2 * x + 1] = colours[s][2];
        }
}

static mfxU8 mix(mfxU8 picture, mfxU8 below, unsigned alpha) {
    return (mfxU8)((picture * alpha + below * (255 - alpha) + 127) / 255);
}

/* Checks the expected Y, U, V at (x, y) of an output frame. */
static void expect(const mfxFrameData *d, int x, int y, mfxU8 ey, mfxU8 eu, mfxU8 ev, const char *what) {
    mfxU8 sy = d->Y[y * d->Pitch + x];
    mfxU8 su = d->UV[(y / 2) * d->Pitch + (x / 2) * 2], sv = d->UV[(y / 2) * d->Pitch + (x / 2) * 2 + 1];
    if (sy != ey || su != eu || sv != ev) {
        fprintf(stderr, "compose: %s at (%d,%d): got %u,%u,%u, expected %u,%u,%u\n", what, x, y, sy, su, sv, ey, eu, ev);
    }
    CHECK(sy == ey && su == eu && sv == ev);
}

static void check_output(const mfxFrameData *d) {
    expect(d, 300, 100, background[0], background[1], background[2], "background");
    expect(d, 60, 40, colours[0][0], colours[0][1], colours[0][2], "stream 0 (scaled x2)");
    expect(d, 200, 30, colours[1][0], colours[1][1], colours[1][2], "stream 1");
    expect(d, 40, 150, mix(colours[2][0], background[0], 128), mix(colours[2][1], background[1], 128),
           mix(colours[2][2], background[2], 128), "stream 2 (alpha 128)");
    expect(d, 206, 170, background[0], background[1], background[2], "stream 3's keyed half");
    expect(d, 250, 200, colours[3][0], colours[3][1], colours[3][2], "stream 3's kept half");
}

static int checked = 0;

/* 2.x: surfaces from the pools, ProcessFrameAsync. */
static void compose_internal(mfxSession session) {
    for (int frame = 0; frame < FRAMES; frame++) {
        mfxFrameSurface1 *held[STREAMS] = {0};
        mfxFrameSurface1 *out = NULL;
        for (int s = 0; s < STREAMS; s++) {
            mfxFrameSurface1 *in = NULL;
            CHECK_STS(MFXMemory_GetSurfaceForVPP(session, &in), MFX_ERR_NONE);
            REQUIRE(in != NULL);
            CHECK_STS(in->FrameInterface->Map(in, MFX_MAP_WRITE), MFX_ERR_NONE);
            paint(s, in->Data.Y, in->Data.UV, in->Data.Pitch);
            CHECK_STS(in->FrameInterface->Unmap(in), MFX_ERR_NONE);
            in->Info.CropX = in->Info.CropY = 0;
            in->Info.CropW = sizes[s][0];
            in->Info.CropH = sizes[s][1];
            in->Data.TimeStamp = (mfxU64)frame * 3000;
            mfxStatus sts = MFXVideoVPP_ProcessFrameAsync(session, in, &out);
            if (s < STREAMS - 1) {
                CHECK_STS(sts, MFX_ERR_MORE_DATA);
                CHECK(in->Data.Locked == 1);
            } else {
                CHECK_STS(sts, MFX_ERR_NONE);
            }
            held[s] = in;
        }
        REQUIRE(out != NULL);
        CHECK_STS(out->FrameInterface->Synchronize(out, 5000), MFX_ERR_NONE);
        CHECK(out->Data.TimeStamp == (mfxU64)frame * 3000);
        for (int s = 0; s < STREAMS; s++) {
            CHECK(held[s]->Data.Locked == 0);
            CHECK_STS(held[s]->FrameInterface->Release(held[s]), MFX_ERR_NONE);
        }
        CHECK_STS(out->FrameInterface->Map(out, MFX_MAP_READ), MFX_ERR_NONE);
        check_output(&out->Data);
        CHECK_STS(out->FrameInterface->Unmap(out), MFX_ERR_NONE);
        CHECK_STS(out->FrameInterface->Release(out), MFX_ERR_NONE);
        checked++;
    }
}

/* An application (1.x) NV12 surface of w x h in system memory. */
static mfxFrameSurface1 app_surface(mfxU16 w, mfxU16 h) {
    mfxFrameSurface1 s;
    memset(&s, 0, sizeof(s));
    frame_info(&s.Info, MFX_FOURCC_NV12, w, h);
    s.Data.Pitch = s.Info.Width;
    s.Data.Y = calloc((size_t)s.Info.Width * s.Info.Height * 3 / 2, 1);
    REQUIRE(s.Data.Y != NULL);
    s.Data.UV = s.Data.Y + (size_t)s.Info.Width * s.Info.Height;
    return s;
}

/* 1.x: the application's own surfaces, RunFrameVPPAsync. */
static void compose_external(mfxSession session) {
    mfxFrameSurface1 inputs[STREAMS], out = app_surface(OUT_W, OUT_H);
    for (int s = 0; s < STREAMS; s++) {
        inputs[s] = app_surface(sizes[s][0], sizes[s][1]);
        paint(s, inputs[s].Data.Y, inputs[s].Data.UV, inputs[s].Data.Pitch);
    }
    for (int frame = 0; frame < FRAMES; frame++) {
        mfxSyncPoint sync = NULL;
        for (int s = 0; s < STREAMS; s++) {
            mfxStatus sts = MFXVideoVPP_RunFrameVPPAsync(session, &inputs[s], &out, NULL, &sync);
            if (s < STREAMS - 1) {
                CHECK_STS(sts, MFX_ERR_MORE_DATA);
                CHECK(inputs[s].Data.Locked == 1);
            } else {
                CHECK_STS(sts, MFX_ERR_NONE);
            }
        }
        REQUIRE(sync != NULL);
        CHECK_STS(MFXVideoCORE_SyncOperation(session, sync, 5000), MFX_ERR_NONE);
        for (int s = 0; s < STREAMS; s++) CHECK(inputs[s].Data.Locked == 0);
        check_output(&out.Data);
        checked++;
    }
    for (int s = 0; s < STREAMS; s++) free(inputs[s].Data.Y);
    free(out.Data.Y);
}

static void refused(mfxSession session, mfxVideoParam *par, const char *what) {
    mfxVideoParam answer = *par;
    mfxStatus sts = MFXVideoVPP_Query(session, par, &answer);
    if (sts != MFX_ERR_UNSUPPORTED) fprintf(stderr, "compose: Query of %s answered %d\n", what, sts);
    CHECK(sts == MFX_ERR_UNSUPPORTED);
}

int main(void) {
    mfxLoader loader = NULL;
    mfxSession session = open_vplrs(&loader);
    mfxVideoParam par;

    /* What composition cannot do. */
    set_layout(&par, STREAMS);
    par.vpp.Out.FourCC = MFX_FOURCC_I420;
    refused(session, &par, "an I420 output");
    set_layout(&par, STREAMS);
    par.vpp.Out.FourCC = MFX_FOURCC_RGB4;
    par.vpp.Out.ChromaFormat = MFX_CHROMAFORMAT_YUV444;
    refused(session, &par, "a luma key on an RGB output");
    set_layout(&par, STREAMS);
    mfxU32 composite_id = MFX_EXTBUFF_VPP_COMPOSITE;
    mfxExtVPPDoUse douse = {{MFX_EXTBUFF_VPP_DOUSE, sizeof(douse)}, 1, &composite_id};
    mfxExtBuffer *douse_only[1] = {&douse.Header};
    par.NumExtParam = 1;
    par.ExtParam = douse_only;
    refused(session, &par, "DOUSE naming composition");

    /* QueryIOSurf: the input surfaces of every stream. */
    mfxFrameAllocRequest one[2], four[2];
    vpp_params(&par, MFX_FOURCC_NV12, MFX_FOURCC_NV12, 96, 64, OUT_W, OUT_H);
    CHECK_STS(MFXVideoVPP_QueryIOSurf(session, &par, one), MFX_ERR_NONE);
    set_layout(&par, STREAMS);
    CHECK_STS(MFXVideoVPP_QueryIOSurf(session, &par, four), MFX_ERR_NONE);
    CHECK(four[0].NumFrameSuggested == STREAMS * one[0].NumFrameSuggested);
    CHECK(four[0].NumFrameMin == STREAMS * one[0].NumFrameMin);
    CHECK(four[1].NumFrameSuggested == one[1].NumFrameSuggested);

    CHECK_STS(MFXVideoVPP_Init(session, &par), MFX_ERR_NONE);
    /* GetVideoParam gives the layout back. */
    mfxVPPCompInputStream back[STREAMS];
    memset(back, 0, sizeof(back));
    mfxExtVPPComposite answer;
    memset(&answer, 0, sizeof(answer));
    answer.Header.BufferId = MFX_EXTBUFF_VPP_COMPOSITE;
    answer.Header.BufferSz = sizeof(answer);
    answer.NumInputStream = STREAMS;
    answer.InputStream = back;
    mfxExtBuffer *answer_ext[1] = {&answer.Header};
    mfxVideoParam got;
    memset(&got, 0, sizeof(got));
    got.NumExtParam = 1;
    got.ExtParam = answer_ext;
    CHECK_STS(MFXVideoVPP_GetVideoParam(session, &got), MFX_ERR_NONE);
    CHECK(answer.NumInputStream == STREAMS && answer.Y == background[0] && answer.V == background[2]);
    CHECK(back[3].DstX == 200 && back[3].DstW == 64 && back[3].LumaKeyEnable == 1 && back[3].LumaKeyMin == 230);
    CHECK(back[2].GlobalAlphaEnable == 1 && back[2].GlobalAlpha == 128);

    compose_internal(session);
    compose_external(session);

    /* Reset: fewer streams are fine (the second call gives the output), more are not. */
    set_layout(&par, 2);
    CHECK_STS(MFXVideoVPP_Reset(session, &par), MFX_ERR_NONE);
    mfxFrameSurface1 a = app_surface(sizes[0][0], sizes[0][1]), b = app_surface(sizes[1][0], sizes[1][1]);
    mfxFrameSurface1 out = app_surface(OUT_W, OUT_H);
    paint(0, a.Data.Y, a.Data.UV, a.Data.Pitch);
    paint(1, b.Data.Y, b.Data.UV, b.Data.Pitch);
    mfxSyncPoint sync = NULL;
    CHECK_STS(MFXVideoVPP_RunFrameVPPAsync(session, &a, &out, NULL, &sync), MFX_ERR_MORE_DATA);
    CHECK_STS(MFXVideoVPP_RunFrameVPPAsync(session, &b, &out, NULL, &sync), MFX_ERR_NONE);
    CHECK_STS(MFXVideoCORE_SyncOperation(session, sync, 5000), MFX_ERR_NONE);
    expect(&out.Data, 200, 30, colours[1][0], colours[1][1], colours[1][2], "stream 1 after Reset");
    expect(&out.Data, 40, 150, background[0], background[1], background[2], "no stream 2 after Reset");
    free(a.Data.Y);
    free(b.Data.Y);
    free(out.Data.Y);
    set_layout(&par, STREAMS + 1);
    CHECK_STS(MFXVideoVPP_Reset(session, &par), MFX_ERR_INCOMPATIBLE_VIDEO_PARAM);
    CHECK_STS(MFXVideoVPP_Close(session), MFX_ERR_NONE);

    printf("compose: %d outputs checked\n", checked);
    CHECK(checked == 2 * FRAMES);
    CHECK_STS(MFXClose(session), MFX_ERR_NONE);
    MFXUnload(loader);
    return finish("vpp_compose") ? 1 : 0;
}
