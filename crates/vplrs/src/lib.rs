//! vplrs: the oneVPL memory model and its components, for Rust video pipelines.
//!
//! A [`Session`] owns a [`Core`] (the application's allocator, if any, and the pools made from
//! it) and the components that use it. Frames live in refcounted [`Surface`]s from
//! [`SurfacePool`]s; components run asynchronously and report through [`SyncPoint`]s.
//!
//! Features: `ffmpeg` (on by default) brings libavcodec's decoders (H.264, H.265, VP9, AV1, JPEG)
//! and every encoder. Without it (`default-features = false`) vplrs is the memory model, VPP,
//! decode+VPP and the pure-Rust VP8 decoder (with XMA), and links no FFmpeg.
//!
//! ```
//! use vplrs::{FourCc, FrameInfo, Session, VppParams};
//! use std::time::Duration;
//!
//! let mut session = Session::new();
//! let params = VppParams::new(FrameInfo::new(FourCc::Nv12, 320, 240), FrameInfo::new(FourCc::Rgb4, 160, 120));
//! session.vpp.init(&params).unwrap();
//! let input = session.vpp.input_surface().unwrap();
//! input.map_write().unwrap().view_mut().planes_mut().iter_mut().for_each(|p| p.fill(128));
//! let output = session.vpp.process_frame_async(&input).unwrap();
//! output.synchronize(Duration::from_secs(1)).unwrap();
//! let pixels = output.map_read().unwrap();
//! assert_eq!(pixels.view().plane(0).row(0).len(), 160 * 4);
//! ```
#![forbid(unsafe_code)]

pub mod decode_vpp;

pub use decode_vpp::{ChannelParams, DecodeVpp, DecodeVppError, DecodedPictures};
pub use vplrs_decode::{
    vp8::Vp8Backend, Codec, Decode, DecodeError, DecodeParams, DecodeStats, DecodedFrame, HeaderScan, SkipLevel,
    SkipMode,
};
#[cfg(feature = "ffmpeg")]
pub use vplrs_encode::{
    Encode, EncodeCodec, EncodeError, EncodeParams, EncodeStats, EncodedFrame, FrameControl, FrameType, RateControl,
};
pub use vplrs_memory::{
    allocator, sizing, AcquireError, AllocError, AllocationHints, AllocationPolicy, ChromaFormat, ExternalAllocator,
    Field, FourCc, FrameInfo, FrameLayout, FrameMeta, FrameRate, FrameView, FrameViewMut, LayoutOptions, MapError,
    MapFlags, MemType, PicStruct, Plane, PlaneMut, PoolStats, Rect, Status, Surface, SurfacePool, SyncError,
    SystemAllocator, ToStatus,
};
pub use vplrs_runtime::{Core, IoPattern, SyncPoint, SyncPointError};
/// The pure-Rust VP8 decoder, with its XMA interface.
pub use vplrs_vp8 as vp8;
pub use vplrs_vpp::{ColorSpec, Matrix, Range, Vpp, VppError, VppParams, VppStats};

/// The name the implementation reports.
pub const IMPLEMENTATION_NAME: &str = "vplrs";

/// One session: a core and the components sharing it.
pub struct Session {
    core: Core,
    pub decode: Decode,
    pub vpp: Vpp,
    /// Encoders come from libavcodec: with the `ffmpeg` feature only.
    #[cfg(feature = "ffmpeg")]
    pub encode: Encode,
}

impl Session {
    pub fn new() -> Self {
        let core = Core::new();
        Self {
            decode: Decode::new(core.clone()),
            vpp: Vpp::new(core.clone()),
            #[cfg(feature = "ffmpeg")]
            encode: Encode::new(core.clone()),
            core,
        }
    }

    /// `SetFrameAllocator`: pools made from now on allocate through `allocator` when it serves
    /// their requests.
    pub fn set_allocator(&self, allocator: Option<std::sync::Arc<dyn ExternalAllocator>>) {
        self.core.set_allocator(allocator);
    }

    pub fn core(&self) -> &Core {
        &self.core
    }

    /// Closes the components, then every pool; surfaces still referenced stay valid until their
    /// last release.
    pub fn close(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if self.decode.is_initialized() {
            let _ = self.decode.close();
        }
        if self.vpp.is_initialized() {
            let _ = self.vpp.close();
        }
        #[cfg(feature = "ffmpeg")]
        if self.encode.is_initialized() {
            let _ = self.encode.close();
        }
        self.core.close();
    }
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.shutdown();
    }
}
