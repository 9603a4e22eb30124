//! `vplrs info`.

use vplrs::{AllocationPolicy, EncodeCodec, FourCc};

pub fn run() -> anyhow::Result<()> {
    crate::out::data!(
        "implementation: {} {} (software, system memory)",
        vplrs::IMPLEMENTATION_NAME,
        env!("CARGO_PKG_VERSION")
    );
    crate::out::data!("memory models: internal (refcounted pools), external (application allocator, mem ids)");
    crate::out::data!("frame formats:");
    for fourcc in FourCc::ALL {
        // RGB formats have no chroma subsampling to speak of: they are packed RGB.
        let sampling = if fourcc.is_rgb() { "RGB".to_owned() } else { format!("chroma {:?}", fourcc.chroma_format()) };
        crate::out::data!(
            "  {:<8} {sampling}, {}-bit, {} plane(s)",
            fourcc.name(),
            fourcc.bit_depth(),
            fourcc.planes().len()
        );
    }
    crate::out::data!(
        "VPP filters: colour conversion (any format above to any other; BT.601/BT.709, limited/full range),"
    );
    crate::out::data!("             scaling, crop, picture structure passthrough,");
    crate::out::data!("             rotation (90/180/270) and mirroring (every format but YUY2 and Y210),");
    crate::out::data!("             ProcAmp: brightness, contrast, hue, saturation (YCbCr outputs), colour fill,");
    crate::out::data!("             deinterlacing (bob; 30i to 60p gives each field a frame; not A2RGB10/Y410),");
    crate::out::data!(
        "             frame-rate conversion (frames repeated, dropped or interpolated), field copy and swap,"
    );
    crate::out::data!("             composition of up to 64 streams (NV12/RGB4/BGR4 outputs; global alpha,");
    crate::out::data!("             per-pixel alpha, luma key), denoise (hqdn3d's algorithm) and detail");
    crate::out::data!("             enhancement (unsharp mask) on NV12/I420/YV12 outputs");
    crate::out::data!("decoders: VP8 (pure Rust, XMA), H.264, H.265, VP9, AV1, JPEG (libavcodec)");
    let encoders: Vec<String> = EncodeCodec::ALL
        .iter()
        .map(|codec| match codec.encoder_name() {
            Some(name) => format!("{codec:?} ({name})"),
            None => format!("{codec:?} (no encoder in this FFmpeg)"),
        })
        .collect();
    crate::out::data!("encoders: {}", encoders.join(", "));
    let policies: Vec<_> = AllocationPolicy::ALL.iter().map(|p| p.name()).collect();
    crate::out::data!("pool policies: {}", policies.join(", "));
    // What the machine's drivers allow, as MFX_IMPLCAPS_SURFACE_TYPES reports it.
    use vplrs::sharing::{Framework, SharedAs};
    let available = vplrs::sharing::available();
    let sharing = |framework: Framework| match available.iter().find(|(found, _)| *found == framework) {
        Some((_, SharedAs::Shared)) => "shared (no copy) or copy",
        Some((_, SharedAs::Copied)) => "copy (the device does not work on host memory)",
        None => "not available (no driver)",
    };
    crate::out::data!(
        "surface sharing: OpenCL images: {}; Vulkan images: {}",
        sharing(Framework::OpenCl),
        sharing(Framework::Vulkan)
    );
    Ok(())
}
