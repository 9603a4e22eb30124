//! `MFXQueryImplsDescription(MFX_IMPLCAPS_SURFACE_TYPES)`: the surface types, components and
//! modes that work on this machine, and nothing else.

use vplrs_sharing::{Framework, SharedAs};

use super::abi::*;
use crate::fields::struct_version;

/// The description and the arrays it points into.
pub(crate) struct SurfaceTypesStorage {
    pub(crate) desc: Box<mfxSurfaceTypesSupported>,
    _types: Vec<SurfaceType>,
    _components: Vec<Vec<SurfaceComponent>>,
}

// SAFETY: the raw pointers point into the boxes and vectors this storage owns; nothing mutates
// them after construction.
unsafe impl Send for SurfaceTypesStorage {}

fn component(kind: mfxSurfaceComponent, flags: u32) -> SurfaceComponent {
    SurfaceComponent { SurfaceComponent: kind, SurfaceFlags: flags, reserved: [0; 7] }
}

/// What this machine's OpenCL and Vulkan allow: export from decode and VPP output, import for
/// encode and VPP input, shared where the runtime's device works on host memory, a copy always.
/// (Which formats each has is in the `vplrs_sharing` documentation: Vulkan has RGB4/BGR4 only.)
pub(crate) fn build() -> SurfaceTypesStorage {
    let mut components = Vec::new();
    for (framework, best) in vplrs_sharing::available() {
        let surface_type = match framework {
            Framework::OpenCl => MFX_SURFACE_TYPE_OPENCL_IMG2D,
            Framework::Vulkan => MFX_SURFACE_TYPE_VULKAN_IMG2D,
        };
        let (import, export) = match best {
            SharedAs::Shared => (
                MFX_SURFACE_FLAG_IMPORT_SHARED | MFX_SURFACE_FLAG_IMPORT_COPY,
                MFX_SURFACE_FLAG_EXPORT_SHARED | MFX_SURFACE_FLAG_EXPORT_COPY,
            ),
            SharedAs::Copied => (MFX_SURFACE_FLAG_IMPORT_COPY, MFX_SURFACE_FLAG_EXPORT_COPY),
        };
        components.push((
            surface_type,
            vec![
                component(MFX_SURFACE_COMPONENT_ENCODE, import),
                component(MFX_SURFACE_COMPONENT_DECODE, export),
                component(MFX_SURFACE_COMPONENT_VPP_INPUT, import),
                component(MFX_SURFACE_COMPONENT_VPP_OUTPUT, export),
            ],
        ));
    }
    let mut lists: Vec<Vec<SurfaceComponent>> = Vec::new();
    let mut types = Vec::new();
    for (surface_type, mut list) in components {
        types.push(SurfaceType {
            SurfaceType: surface_type,
            reserved: [0; 6],
            NumSurfaceComponents: list.len() as u16,
            SurfaceComponents: list.as_mut_ptr(),
        });
        lists.push(list);
    }
    let desc = Box::new(mfxSurfaceTypesSupported {
        Version: struct_version(1, 0),
        NumSurfaceTypes: types.len() as u16,
        SurfaceTypes: if types.is_empty() { std::ptr::null_mut() } else { types.as_mut_ptr() },
        reserved: [0; 4],
    });
    SurfaceTypesStorage { desc, _types: types, _components: lists }
}
