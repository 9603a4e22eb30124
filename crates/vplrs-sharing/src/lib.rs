//! Surface sharing (oneVPL API 2.10): runtime surfaces exported to other frameworks' memory, and
//! their frames imported as runtime surfaces, without a copy where the device can see the memory.
//!
//! This crate owns what an exported or imported frame is, who keeps what alive, and whether a
//! frame is shared or copied; the C ABI (`mfxFrameSurfaceInterface::Export`,
//! `mfxMemoryInterface::ImportFrameSurface`) only translates.
//! - [`Sharing`]: what the caller allows (shared, copy, either) and [`SharedAs`]: what was done;
//! - [`opencl`] (feature `opencl`, on by default): OpenCL 2D images, one per plane;
//! - [`vulkan`] (feature `vulkan`, on by default): a Vulkan image and its device memory.
//!
//! Lifetimes, as the oneVPL document sets them: an exported object keeps everything it needs alive
//! (a shared export holds the frame, so the application may release the surface first); a surface
//! imported shared holds the application's images (retained) until its last reference and its
//! Locked counter are gone; a copy depends on nothing.
//!
//! `unsafe` lives in [`opencl`] and [`vulkan`] only: the API calls, and the host memory handed
//! to them.
#![deny(unsafe_code)]
#![deny(missing_docs)]

mod error;
#[cfg(feature = "opencl")]
pub mod opencl;
#[cfg(feature = "vulkan")]
pub mod vulkan;

pub use error::SharingError;

/// Export as methods of a surface.
///
/// ```no_run
/// use vplrs_memory::{FourCc, FrameInfo, LayoutOptions, Surface};
/// use vplrs_sharing::opencl::OpenClTarget;
/// use vplrs_sharing::{SharedAs, Sharing, SurfaceSharing};
///
/// let surface = Surface::new(FrameInfo::new(FourCc::Nv12, 1920, 1080), LayoutOptions::default())?;
/// let exported = surface.export_opencl(OpenClTarget::runtime()?, Sharing::SharedOrCopy)?;
/// assert_eq!(exported.images().len(), 2); // Y, UV
/// if exported.shared_as() == SharedAs::Shared {
///     // A kernel writing exported.images()[0] writes the surface's luma.
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub trait SurfaceSharing {
    /// [`opencl::export`] of this surface.
    #[cfg(feature = "opencl")]
    fn export_opencl(
        &self,
        target: opencl::OpenClTarget,
        sharing: Sharing,
    ) -> Result<opencl::OpenClExport, SharingError>;
    /// [`vulkan::export`] of this surface.
    #[cfg(feature = "vulkan")]
    fn export_vulkan(
        &self,
        target: vulkan::VulkanTarget,
        sharing: Sharing,
    ) -> Result<vulkan::VulkanExport, SharingError>;
}

impl SurfaceSharing for vplrs_memory::Surface {
    #[cfg(feature = "opencl")]
    fn export_opencl(
        &self,
        target: opencl::OpenClTarget,
        sharing: Sharing,
    ) -> Result<opencl::OpenClExport, SharingError> {
        opencl::export(self, target, sharing)
    }

    #[cfg(feature = "vulkan")]
    fn export_vulkan(
        &self,
        target: vulkan::VulkanTarget,
        sharing: Sharing,
    ) -> Result<vulkan::VulkanExport, SharingError> {
        vulkan::export(self, target, sharing)
    }
}

/// The sharing modes a caller allows (`MFX_SURFACE_FLAG_*_SHARED` / `_COPY`, OR'ed).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sharing {
    /// No pixel copy, ever: the other framework works on the surface's own memory (the default).
    Shared,
    /// A copy in the other framework's memory, independent of the surface.
    Copy,
    /// Shared where the device can see the memory, else a copy.
    SharedOrCopy,
}

impl Sharing {
    /// From the two flags of a request; neither is the documented default, shared.
    pub fn from_flags(shared: bool, copy: bool) -> Self {
        match (shared, copy) {
            (true, true) => Self::SharedOrCopy,
            (false, true) => Self::Copy,
            _ => Self::Shared,
        }
    }
}

/// What an export or import did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SharedAs {
    /// The other framework's objects are the surface's memory: no pixel was copied.
    Shared,
    /// The pixels were copied once.
    Copied,
}

/// A framework vplrs shares frames with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framework {
    /// OpenCL 2D images (`MFX_SURFACE_TYPE_OPENCL_IMG2D`).
    OpenCl,
    /// Vulkan images (`MFX_SURFACE_TYPE_VULKAN_IMG2D`).
    Vulkan,
}

/// The frameworks this machine can share with (their library and a device are present), each
/// with the best it does: [`SharedAs::Shared`] when shared and copied frames both work (the
/// runtime's device works on host memory), [`SharedAs::Copied`] when only copies do.
pub fn available() -> Vec<(Framework, SharedAs)> {
    #[cfg(feature = "opencl")]
    let opencl = opencl::capabilities();
    #[cfg(not(feature = "opencl"))]
    let opencl = None;
    #[cfg(feature = "vulkan")]
    let vulkan = vulkan::capabilities();
    #[cfg(not(feature = "vulkan"))]
    let vulkan = None;
    [(Framework::OpenCl, opencl), (Framework::Vulkan, vulkan)]
        .into_iter()
        .filter_map(|(framework, shares)| {
            shares.map(|shares| (framework, if shares { SharedAs::Shared } else { SharedAs::Copied }))
        })
        .collect()
}

/// An exported surface of either framework, for code that handles both.
#[cfg(any(feature = "opencl", feature = "vulkan"))]
#[derive(Debug)]
pub enum Exported {
    /// OpenCL images.
    #[cfg(feature = "opencl")]
    OpenCl(opencl::OpenClExport),
    /// A Vulkan image.
    #[cfg(feature = "vulkan")]
    Vulkan(vulkan::VulkanExport),
}

#[cfg(any(feature = "opencl", feature = "vulkan"))]
impl Exported {
    /// Whether the export is the surface's memory or a copy.
    pub fn shared_as(&self) -> SharedAs {
        match self {
            #[cfg(feature = "opencl")]
            Self::OpenCl(export) => export.shared_as(),
            #[cfg(feature = "vulkan")]
            Self::Vulkan(export) => export.shared_as(),
        }
    }

    /// The frame a shared export works on (a copy has none).
    pub fn frame(&self) -> Option<vplrs_memory::Surface> {
        match self {
            #[cfg(feature = "opencl")]
            Self::OpenCl(export) => export.frame(),
            #[cfg(feature = "vulkan")]
            Self::Vulkan(export) => export.frame(),
        }
    }
}

/// Why an import failed: the sharing itself, or the component's pool (for a copy).
#[derive(Debug)]
pub enum ImportError<E> {
    /// The application's objects could not be shared or copied.
    Sharing(SharingError),
    /// The component's pool gave no surface for the copy (its own error: not initialised, or a
    /// pool whose wait expired).
    Acquire(E),
}

impl<E> From<SharingError> for ImportError<E> {
    fn from(error: SharingError) -> Self {
        Self::Sharing(error)
    }
}

/// Gives back the runtime's own OpenCL and Vulkan objects (a library being unloaded); exports
/// still alive keep what they use.
pub fn release_runtime_objects() {
    #[cfg(feature = "opencl")]
    opencl::release_runtime();
    #[cfg(feature = "vulkan")]
    vulkan::release_runtime();
}
