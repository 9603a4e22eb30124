/* Helpers of the surface-sharing programs: the capability report read from the library itself
 * (Debian's 2.8 dispatcher does not pass MFX_IMPLCAPS_SURFACE_TYPES through) and Export with one
 * export description. */
#ifndef VPLRS_SHARING_COMMON_H
#define VPLRS_SHARING_COMMON_H
#include <dlfcn.h>

#include "common.h"
#include "vplrs_sharing.h"

/* 1 if the library lists `type` for the four components, the importing ones (encode, VPP input)
 * with exactly `import_flags` and the exporting ones (decode, VPP output) with `export_flags`;
 * 0 if it does not list `type`; -1 if it lists it otherwise. */
static inline int surface_type_listed(const char *library, mfxSurfaceType type, mfxU32 import_flags,
                                      mfxU32 export_flags) {
    void *lib = dlopen(library, RTLD_NOW | RTLD_LOCAL);
    REQUIRE(lib);
    mfxHDL *(*query)(mfxImplCapsDeliveryFormat, mfxU32 *) =
        (mfxHDL * (*)(mfxImplCapsDeliveryFormat, mfxU32 *)) dlsym(lib, "MFXQueryImplsDescription");
    mfxStatus (*release)(mfxHDL) = (mfxStatus(*)(mfxHDL))dlsym(lib, "MFXReleaseImplDescription");
    REQUIRE(query && release);
    mfxU32 count = 0;
    mfxHDL *handles = query(MFX_IMPLCAPS_SURFACE_TYPES, &count);
    REQUIRE(handles && count == 1);
    mfxSurfaceTypesSupported *caps = handles[0];
    CHECK(caps->Version.Major == 1 && caps->Version.Minor == 0);
    int listed = 0;
    for (int t = 0; t < caps->NumSurfaceTypes; t++) {
        if (caps->SurfaceTypes[t].SurfaceType != type) continue;
        listed = caps->SurfaceTypes[t].NumSurfaceComponents == 4 ? 1 : -1;
        for (int i = 0; i < caps->SurfaceTypes[t].NumSurfaceComponents; i++) {
            struct surfcomp *c = &caps->SurfaceTypes[t].SurfaceComponents[i];
            int exports = c->SurfaceComponent == MFX_SURFACE_COMPONENT_DECODE ||
                          c->SurfaceComponent == MFX_SURFACE_COMPONENT_VPP_OUTPUT;
            if (c->SurfaceFlags != (exports ? export_flags : import_flags)) listed = -1;
        }
    }
    CHECK_STS(release(handles[0]), MFX_ERR_NONE);
    dlclose(lib);
    return listed;
}

/* Export of `surface` to `type` with `flags`, naming the target in `description` (or NULL). */
static inline mfxStatus export_with(mfxFrameSurface1 *surface, mfxSurfaceType type, mfxU32 flags,
                                    mfxExtBuffer *description, mfxSurfaceHeader **exported) {
    mfxExtBuffer *ext[1] = {description};
    mfxSurfaceHeader header;
    memset(&header, 0, sizeof(header));
    header.SurfaceType = type;
    header.SurfaceFlags = flags;
    header.NumExtParam = description ? 1 : 0;
    header.ExtParam = description ? ext : NULL;
    return VPLRS_EXPORT(surface)(surface, header, exported);
}

/* Without the framework's driver: Export of a VPP input surface of `fourcc` to `type` answers
 * MFX_ERR_UNSUPPORTED and the surface goes back as usual. */
static inline void export_refused_without_driver(mfxSession session, mfxU32 fourcc, mfxSurfaceType type) {
    mfxVideoParam vpp;
    vpp_params(&vpp, fourcc, fourcc, 320, 240, 320, 240);
    CHECK_STS(MFXVideoVPP_Init(session, &vpp), MFX_ERR_NONE);
    mfxFrameSurface1 *input = NULL;
    CHECK_STS(MFXMemory_GetSurfaceForVPP(session, &input), MFX_ERR_NONE);
    mfxSurfaceHeader *exported = NULL;
    CHECK_STS(export_with(input, type, MFX_SURFACE_FLAG_DEFAULT, NULL, &exported), MFX_ERR_UNSUPPORTED);
    CHECK_STS(input->FrameInterface->Release(input), MFX_ERR_NONE);
    CHECK_STS(MFXVideoVPP_Close(session), MFX_ERR_NONE);
}

#define SHARED_OR_COPY_IN (MFX_SURFACE_FLAG_IMPORT_SHARED | MFX_SURFACE_FLAG_IMPORT_COPY)
#define SHARED_OR_COPY_OUT (MFX_SURFACE_FLAG_EXPORT_SHARED | MFX_SURFACE_FLAG_EXPORT_COPY)
#endif
