/* VPP frame-rate conversion through the dispatcher, counted: for 24 -> 30, 60 -> 30 and
 * interlaced 30 -> progressive 60, INPUTS frames through RunFrameVPPAsync, a new output surface
 * from the output pool for every call; an input that gives another output answers
 * MFX_ERR_MORE_SURFACE and is handed in again, one that gives none MFX_ERR_MORE_DATA. Then the
 * same with interpolated frames (mfxExtVPPFrameRateConversion FRAME_INTERPOLATION), which keeps
 * the previous input: the first input answers MFX_ERR_MORE_DATA, and draining (a NULL input) gives
 * the frames after the last input. Checks the counts of each answer and of the frames out, that
 * output timestamps rise, and that the pools never run dry with every output released after its
 * sync. Prints one line per conversion: "IN->OUT: outputs N, more_surface S, more_data D". */
#include "common.h"
#include "vpl/mfxsurfacepool.h"

#define INPUTS 60

/* One output from `in` (NULL: draining); counts it. Returns the call's status. */
static mfxStatus one_output(mfxSession session, mfxFrameSurface1 *in, int *outputs, mfxU64 *last_timestamp) {
    mfxFrameSurface1 *out = NULL;
    CHECK_STS(MFXMemory_GetSurfaceForVPPOut(session, &out), MFX_ERR_NONE);
    REQUIRE(out != NULL);
    mfxSyncPoint sync = NULL;
    mfxStatus sts = MFXVideoVPP_RunFrameVPPAsync(session, in, out, NULL, &sync);
    if (sts == MFX_ERR_NONE || sts == MFX_ERR_MORE_SURFACE) {
        CHECK_STS(MFXVideoCORE_SyncOperation(session, sync, 5000), MFX_ERR_NONE);
        CHECK(*outputs == 0 || out->Data.TimeStamp > *last_timestamp);
        *last_timestamp = out->Data.TimeStamp;
        (*outputs)++;
    }
    CHECK_STS(out->FrameInterface->Release(out), MFX_ERR_NONE);
    return sts;
}

static void convert(mfxSession session, mfxU32 in_rate, mfxU32 out_rate, int interlaced, int interpolate,
                    int outputs_expected, int more_surface_expected, int more_data_expected) {
    mfxVideoParam par;
    vpp_params(&par, MFX_FOURCC_NV12, MFX_FOURCC_NV12, 176, 144, 176, 144);
    mfxExtVPPFrameRateConversion frc;
    memset(&frc, 0, sizeof(frc));
    frc.Header.BufferId = MFX_EXTBUFF_VPP_FRAME_RATE_CONVERSION;
    frc.Header.BufferSz = sizeof(frc);
    frc.Algorithm = MFX_FRCALGM_FRAME_INTERPOLATION;
    mfxExtBuffer *ext[1] = {&frc.Header};
    if (interpolate) {
        par.NumExtParam = 1;
        par.ExtParam = ext;
    }
    par.vpp.In.FrameRateExtN = in_rate;
    par.vpp.In.FrameRateExtD = 1;
    par.vpp.Out.FrameRateExtN = out_rate;
    par.vpp.Out.FrameRateExtD = 1;
    if (interlaced) {
        par.vpp.In.PicStruct = MFX_PICSTRUCT_FIELD_TFF;
        par.vpp.In.Height = 160; /* frames of fields: a multiple of 32 rows */
        par.vpp.Out.PicStruct = MFX_PICSTRUCT_PROGRESSIVE;
    }
    CHECK_STS(MFXVideoVPP_Init(session, &par), MFX_ERR_NONE);
    int outputs = 0, more_surface = 0, more_data = 0;
    mfxU64 last_timestamp = 0;
    for (int i = 0; i < INPUTS; i++) {
        mfxFrameSurface1 *in = NULL;
        CHECK_STS(MFXMemory_GetSurfaceForVPP(session, &in), MFX_ERR_NONE);
        REQUIRE(in != NULL);
        in->Data.TimeStamp = (mfxU64)i * 90000 / in_rate;
        for (;;) {
            mfxStatus sts = one_output(session, in, &outputs, &last_timestamp);
            if (sts == MFX_ERR_MORE_SURFACE) {
                more_surface++;
                continue;
            }
            if (sts == MFX_ERR_MORE_DATA) more_data++;
            else CHECK_STS(sts, MFX_ERR_NONE);
            break;
        }
        CHECK_STS(in->FrameInterface->Release(in), MFX_ERR_NONE);
    }
    /* Draining: the frames still owed, until MFX_ERR_MORE_DATA (counted apart). */
    int drained = 0;
    for (;;) {
        mfxStatus sts = one_output(session, NULL, &outputs, &last_timestamp);
        if (sts == MFX_ERR_MORE_DATA) break;
        CHECK(sts == MFX_ERR_NONE || sts == MFX_ERR_MORE_SURFACE);
        REQUIRE(++drained < 100);
    }
    printf("%u->%u%s%s: outputs %d, more_surface %d, more_data %d, drained %d\n", in_rate, out_rate,
           interlaced ? "i" : "", interpolate ? " interpolated" : "", outputs, more_surface, more_data, drained);
    CHECK(outputs == outputs_expected);
    CHECK(more_surface == more_surface_expected);
    CHECK(more_data == more_data_expected);
    CHECK_STS(MFXVideoVPP_Close(session), MFX_ERR_NONE);
}

int main(void) {
    mfxLoader loader = NULL;
    mfxSession session = open_vplrs(&loader);
    convert(session, 24, 30, 0, 0, 75, 15, 0);
    convert(session, 60, 30, 0, 0, 30, 0, 30);
    convert(session, 30, 60, 1, 0, 120, 60, 0);
    /* Interpolated: the first input is held (MORE_DATA); the last outputs come from draining. */
    convert(session, 24, 30, 0, 1, 75, 15, 1);
    convert(session, 60, 30, 0, 1, 30, 0, 30);
    convert(session, 30, 60, 0, 1, 120, 59, 1);
    CHECK_STS(MFXClose(session), MFX_ERR_NONE);
    MFXUnload(loader);
    return finish("vpp_rates") ? 1 : 0;
}
