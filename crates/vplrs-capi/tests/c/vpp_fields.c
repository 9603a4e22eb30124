/* Field processing set per frame (mfxExtVPPFieldProcessing attached to the input surface's
 * mfxFrameData) through the dispatcher: VPP initialised with DOUSE naming field processing and no
 * buffer, NV12 64x32 in and out, application (1.x) surfaces. Each row of the input holds its row
 * number; checks the output's rows for a field swap, a top-to-bottom field copy (the output's top
 * field untouched), a frame without the buffer (a plain copy), and that a VPP whose input and
 * output differ in size answers MFX_ERR_UNSUPPORTED to a frame that asks for field processing.
 * Prints "fields: N frames checked". */
#include "common.h"

#define W 64
#define H 32

static mfxFrameSurface1 surface(void) {
    mfxFrameSurface1 s;
    memset(&s, 0, sizeof(s));
    frame_info(&s.Info, MFX_FOURCC_NV12, W, H);
    s.Info.PicStruct = MFX_PICSTRUCT_FIELD_TFF;
    s.Data.Pitch = W;
    s.Data.Y = calloc(W * H * 3 / 2, 1);
    REQUIRE(s.Data.Y != NULL);
    s.Data.UV = s.Data.Y + W * H;
    return s;
}

/* Runs one frame from `in` into `out`, with `fields` attached to the input (or none). */
static mfxStatus run(mfxSession session, mfxFrameSurface1 *in, mfxFrameSurface1 *out, mfxExtVPPFieldProcessing *fields) {
    mfxExtBuffer *ext[1] = {fields ? &fields->Header : NULL};
    in->Data.NumExtParam = fields ? 1 : 0;
    in->Data.ExtParam = fields ? ext : NULL;
    mfxSyncPoint sync = NULL;
    mfxStatus sts = MFXVideoVPP_RunFrameVPPAsync(session, in, out, NULL, &sync);
    in->Data.NumExtParam = 0;
    in->Data.ExtParam = NULL;
    if (sts == MFX_ERR_NONE) CHECK_STS(MFXVideoCORE_SyncOperation(session, sync, 5000), MFX_ERR_NONE);
    return sts;
}

/* Output row `row`'s first luma sample. */
static int at(const mfxFrameSurface1 *s, int row) { return s->Data.Y[row * W]; }

int main(void) {
    mfxLoader loader = NULL;
    mfxSession session = open_vplrs(&loader);
    mfxVideoParam par;
    vpp_params(&par, MFX_FOURCC_NV12, MFX_FOURCC_NV12, W, H, W, H);
    par.vpp.In.PicStruct = par.vpp.Out.PicStruct = MFX_PICSTRUCT_FIELD_TFF;
    mfxU32 algorithm = MFX_EXTBUFF_VPP_FIELD_PROCESSING;
    mfxExtVPPDoUse douse = {{MFX_EXTBUFF_VPP_DOUSE, sizeof(douse)}, 1, &algorithm};
    mfxExtBuffer *ext[1] = {&douse.Header};
    par.NumExtParam = 1;
    par.ExtParam = ext;
    CHECK_STS(MFXVideoVPP_Init(session, &par), MFX_ERR_NONE);

    mfxFrameSurface1 in = surface(), out = surface();
    for (int row = 0; row < H; row++) memset(in.Data.Y + row * W, row + 1, W);
    mfxExtVPPFieldProcessing fields;
    memset(&fields, 0, sizeof(fields));
    fields.Header.BufferId = MFX_EXTBUFF_VPP_FIELD_PROCESSING;
    fields.Header.BufferSz = sizeof(fields);
    int frames = 0;

    fields.Mode = MFX_VPP_SWAP_FIELDS;
    CHECK_STS(run(session, &in, &out, &fields), MFX_ERR_NONE);
    for (int row = 0; row < H; row++) CHECK(at(&out, row) == (row ^ 1) + 1);
    frames++;

    memset(out.Data.Y, 0xEE, W * H);
    fields.Mode = MFX_VPP_COPY_FIELD;
    fields.InField = MFX_PICTYPE_TOPFIELD;
    fields.OutField = MFX_PICTYPE_BOTTOMFIELD;
    CHECK_STS(run(session, &in, &out, &fields), MFX_ERR_NONE);
    for (int row = 0; row < H; row++) CHECK(at(&out, row) == (row % 2 == 1 ? row : 0xEE));
    frames++;

    CHECK_STS(run(session, &in, &out, NULL), MFX_ERR_NONE);
    for (int row = 0; row < H; row++) CHECK(at(&out, row) == row + 1);
    frames++;

    fields.Mode = 99;
    CHECK_STS(run(session, &in, &out, &fields), MFX_ERR_UNSUPPORTED);
    CHECK_STS(MFXVideoVPP_Close(session), MFX_ERR_NONE);

    /* Input and output of different sizes: rows cannot move between them. */
    vpp_params(&par, MFX_FOURCC_NV12, MFX_FOURCC_NV12, W, H, W / 2, H);
    par.vpp.In.PicStruct = par.vpp.Out.PicStruct = MFX_PICSTRUCT_FIELD_TFF;
    CHECK_STS(MFXVideoVPP_Init(session, &par), MFX_ERR_NONE);
    mfxFrameSurface1 small = surface();
    small.Info.CropW = W / 2;
    small.Info.CropH = H;
    fields.Mode = MFX_VPP_SWAP_FIELDS;
    CHECK_STS(run(session, &in, &small, &fields), MFX_ERR_UNSUPPORTED);
    CHECK_STS(run(session, &in, &small, NULL), MFX_ERR_NONE);
    CHECK_STS(MFXVideoVPP_Close(session), MFX_ERR_NONE);

    free(in.Data.Y);
    free(out.Data.Y);
    free(small.Data.Y);
    printf("fields: %d frames checked\n", frames);
    CHECK_STS(MFXClose(session), MFX_ERR_NONE);
    MFXUnload(loader);
    return finish("vpp_fields") ? 1 : 0;
}
