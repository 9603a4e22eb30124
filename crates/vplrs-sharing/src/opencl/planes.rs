//! Which OpenCL image stands for each plane of a frame.
//!
//! One 2D image per plane, in the planes' memory order (Y, UV for NV12 and P010; Y, U, V for
//! I420; Y, V, U for YV12), sized as the frame is allocated:
//! - 8-bit planes are `CL_UNORM_INT8`, 10-bit (P010) `CL_UNORM_INT16`;
//! - NV12/P010 chroma is `CL_RG`, one texel per U,V pair, where the device has `CL_RG`. Where it
//!   has not (PoCL), the documented fallback is `CL_R` twice as wide: U at even x, V at odd x, the
//!   bytes exactly as in memory;
//! - RGB4 (bytes B, G, R, A) is one `CL_BGRA` image, BGR4 (R, G, B, A) one `CL_RGBA` image.
//!
//! Other formats have no export or import here yet.

use cl3::memory::{CL_BGRA, CL_R, CL_RG, CL_RGBA, CL_UNORM_INT16, CL_UNORM_INT8};
use cl3::types::{cl_channel_order, cl_channel_type, cl_image_format};
use vplrs_memory::{FourCc, FrameLayout};

use crate::SharingError;

/// The image of one plane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlaneImage {
    /// `CL_R`, `CL_RG`, `CL_BGRA` or `CL_RGBA`.
    pub order: cl_channel_order,
    /// `CL_UNORM_INT8` or `CL_UNORM_INT16`.
    pub data_type: cl_channel_type,
    /// Texels per row.
    pub width: usize,
    /// Rows.
    pub height: usize,
    /// Bytes per texel.
    pub texel_bytes: usize,
}

impl PlaneImage {
    /// The `cl_image_format` to create or compare the image with.
    pub fn format(&self) -> cl_image_format {
        cl_image_format { image_channel_order: self.order, image_channel_data_type: self.data_type }
    }
}

/// The images of a frame with `layout`; `chroma_pairs` chooses `CL_RG` (true) or the `CL_R`
/// fallback for interleaved chroma.
pub fn plane_images(layout: &FrameLayout, chroma_pairs: bool) -> Result<Vec<PlaneImage>, SharingError> {
    let (depth, sample_bytes) = match layout.fourcc {
        FourCc::Nv12 | FourCc::I420 | FourCc::Yv12 | FourCc::Rgb4 | FourCc::Bgr4 => (CL_UNORM_INT8, 1),
        FourCc::P010 => (CL_UNORM_INT16, 2),
        other => return Err(SharingError::Unsupported(format!("{other:?} frames have no OpenCL images here"))),
    };
    let images = layout
        .planes()
        .iter()
        .enumerate()
        .map(|(index, plane)| {
            let (order, channels) = match (layout.fourcc, index) {
                (FourCc::Rgb4, _) => (CL_BGRA, 4),
                (FourCc::Bgr4, _) => (CL_RGBA, 4),
                (FourCc::Nv12 | FourCc::P010, 1) if chroma_pairs => (CL_RG, 2),
                _ => (CL_R, 1),
            };
            let texel_bytes = channels * sample_bytes;
            PlaneImage {
                order,
                data_type: depth,
                width: plane.row_bytes / texel_bytes,
                height: plane.rows,
                texel_bytes,
            }
        })
        .collect();
    Ok(images)
}

/// True if `formats` has every image of `images`.
pub fn all_supported(images: &[PlaneImage], formats: &[cl_image_format]) -> bool {
    images.iter().all(|image| {
        formats.iter().any(|f| f.image_channel_order == image.order && f.image_channel_data_type == image.data_type)
    })
}

/// True if the device has `CL_RG` for this frame's chroma depth.
pub fn has_chroma_pairs(fourcc: FourCc, formats: &[cl_image_format]) -> bool {
    let depth = if fourcc == FourCc::P010 { CL_UNORM_INT16 } else { CL_UNORM_INT8 };
    formats.iter().any(|f| f.image_channel_order == CL_RG && f.image_channel_data_type == depth)
}
