/* Intel's API 2.10+ dispatcher on vplrs (not run in CI, which keeps Debian's 2.8 one: see
 * scripts/check_newer_dispatcher.sh): format 5 caps through MFXEnumImplementations, and the
 * document's surftype filter selecting vplrs exactly when it can do what is asked. */
#define ONEVPL_EXPERIMENTAL
#include <stdio.h>
#include <string.h>
#include "vpl/mfx.h"

static int failures;
#define CHECK(c) do { if (!(c)) { printf("%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #c); failures++; } } while (0)

static mfxStatus session_with(mfxU32 type, mfxU32 component, mfxU32 flags) {
    mfxLoader loader = MFXLoad();
    mfxConfig name = MFXCreateConfig(loader);
    mfxVariant v;
    memset(&v, 0, sizeof(v));
    v.Version.Version = MFX_VARIANT_VERSION;
    v.Type = MFX_VARIANT_TYPE_PTR;
    v.Data.Ptr = (mfxHDL) "vplrs";
    MFXSetConfigFilterProperty(name, (const mfxU8 *)"mfxImplDescription.ImplName", v);
    mfxConfig config = MFXCreateConfig(loader);
    v.Type = MFX_VARIANT_TYPE_U32;
    v.Data.U32 = type;
    MFXSetConfigFilterProperty(config, (const mfxU8 *)"mfxSurfaceTypesSupported.surftype.SurfaceType", v);
    v.Data.U32 = component;
    MFXSetConfigFilterProperty(config, (const mfxU8 *)"mfxSurfaceTypesSupported.surftype.surfcomp.SurfaceComponent", v);
    v.Data.U32 = flags;
    MFXSetConfigFilterProperty(config, (const mfxU8 *)"mfxSurfaceTypesSupported.surftype.surfcomp.SurfaceFlags", v);
    mfxSession session = NULL;
    mfxStatus sts = MFXCreateSession(loader, 0, &session);
    if (sts == MFX_ERR_NONE) {
        mfxMemoryInterface *memory = NULL;
        CHECK(MFXGetMemoryInterface(session, &memory) == MFX_ERR_NONE && memory && memory->ImportFrameSurface);
        mfxVersion version;
        CHECK(MFXQueryVersion(session, &version) == MFX_ERR_NONE && version.Major == 2 && version.Minor >= 10);
        MFXClose(session);
    }
    MFXUnload(loader);
    return sts;
}

int main(void) {
    mfxLoader loader = MFXLoad();
    mfxHDL caps = NULL;
    int found = 0;
    for (mfxU32 i = 0; MFXEnumImplementations(loader, i, MFX_IMPLCAPS_SURFACE_TYPES, &caps) == MFX_ERR_NONE; i++) {
        mfxSurfaceTypesSupported *types = caps;
        printf("implementation %u: %u surface types\n", i, types->NumSurfaceTypes);
        for (int t = 0; t < types->NumSurfaceTypes; t++) {
            printf("  type %d:", types->SurfaceTypes[t].SurfaceType);
            for (int c = 0; c < types->SurfaceTypes[t].NumSurfaceComponents; c++)
                printf(" component %d flags 0x%x;", types->SurfaceTypes[t].SurfaceComponents[c].SurfaceComponent,
                       types->SurfaceTypes[t].SurfaceComponents[c].SurfaceFlags);
            printf("\n");
        }
        found += types->NumSurfaceTypes == 2;
        MFXDispReleaseImplDescription(loader, caps);
    }
    MFXUnload(loader);
    CHECK(found == 1);
    CHECK(session_with(MFX_SURFACE_TYPE_OPENCL_IMG2D, MFX_SURFACE_COMPONENT_DECODE, MFX_SURFACE_FLAG_EXPORT_SHARED) == MFX_ERR_NONE);
    CHECK(session_with(MFX_SURFACE_TYPE_OPENCL_IMG2D, MFX_SURFACE_COMPONENT_ENCODE, MFX_SURFACE_FLAG_IMPORT_COPY) == MFX_ERR_NONE);
    CHECK(session_with(MFX_SURFACE_TYPE_VULKAN_IMG2D, MFX_SURFACE_COMPONENT_VPP_OUTPUT, MFX_SURFACE_FLAG_EXPORT_SHARED) == MFX_ERR_NONE);
    CHECK(session_with(MFX_SURFACE_TYPE_VAAPI, MFX_SURFACE_COMPONENT_DECODE, MFX_SURFACE_FLAG_EXPORT_SHARED) != MFX_ERR_NONE);
    CHECK(session_with(MFX_SURFACE_TYPE_D3D11_TEX2D, MFX_SURFACE_COMPONENT_ENCODE, MFX_SURFACE_FLAG_IMPORT_SHARED) != MFX_ERR_NONE);
    CHECK(session_with(MFX_SURFACE_TYPE_OPENCL_IMG2D, MFX_SURFACE_COMPONENT_DECODE, MFX_SURFACE_FLAG_IMPORT_SHARED) != MFX_ERR_NONE);
    printf("newer_dispatcher: %d failures\n", failures);
    return failures != 0;
}
