/* VPP frame-rate conversion through the dispatcher, counted: for 24 -> 30, 60 -> 30 and
 * interlaced 30 -> progressive 60, INPUTS frames through RunFrameVPPAsync, a new output surface
 * from the output pool for every call; an input that gives another output answers
 * MFX_ERR_MORE_SURFACE and is handed in again, one that gives none MFX_ERR_MORE_DATA. Checks the
 * counts of each answer and of the frames out, that output timestamps rise, and that the pools
 * never run dry with every output released after its sync.
 * Prints one line per conversion: "IN->OUT: outputs N, more_surface S, more_data D". */
#include "common.h"
#include "vpl/mfxsurfacepool.h"

#define INPUTS 60

static void convert(mfxSession session, mfxU32 in_rate, mfxU32 out_rate, int interlaced, int outputs_expected,
                    int more_surface_expected, int more_data_expected) {
    mfxVideoParam par;
    vpp_params(&par, MFX_FOURCC_NV12, MFX_FOURCC_NV12, 176, 144, 176, 144);
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
            mfxFrameSurface1 *out = NULL;
            CHECK_STS(MFXMemory_GetSurfaceForVPPOut(session, &out), MFX_ERR_NONE);
            REQUIRE(out != NULL);
            mfxSyncPoint sync = NULL;
            mfxStatus sts = MFXVideoVPP_RunFrameVPPAsync(session, in, out, NULL, &sync);
            if (sts == MFX_ERR_NONE || sts == MFX_ERR_MORE_SURFACE) {
                CHECK_STS(MFXVideoCORE_SyncOperation(session, sync, 5000), MFX_ERR_NONE);
                CHECK(outputs == 0 || out->Data.TimeStamp > last_timestamp);
                last_timestamp = out->Data.TimeStamp;
                outputs++;
            }
            CHECK_STS(out->FrameInterface->Release(out), MFX_ERR_NONE);
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
    printf("%u->%u%s: outputs %d, more_surface %d, more_data %d\n", in_rate, out_rate, interlaced ? "i" : "", outputs,
           more_surface, more_data);
    CHECK(outputs == outputs_expected);
    CHECK(more_surface == more_surface_expected);
    CHECK(more_data == more_data_expected);
    CHECK_STS(MFXVideoVPP_Close(session), MFX_ERR_NONE);
}

int main(void) {
    mfxLoader loader = NULL;
    mfxSession session = open_vplrs(&loader);
    convert(session, 24, 30, 0, 75, 15, 0);
    convert(session, 60, 30, 0, 30, 0, 30);
    convert(session, 30, 60, 1, 120, 60, 0);
    CHECK_STS(MFXClose(session), MFX_ERR_NONE);
    MFXUnload(loader);
    return finish("vpp_rates") ? 1 : 0;
}
