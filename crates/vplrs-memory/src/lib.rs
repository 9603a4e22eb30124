//! The oneVPL memory model in safe Rust.
//!
//! This crate owns everything about video frames in memory, and nothing about what is in them:
//! - [`format`](mod@format), [`info`], [`layout`]: pixel formats, the `mfxFrameInfo` analog, where each plane
//!   lives in a frame's single allocation;
//! - [`view`]: borrowed plane views (with field views) that kernels read and write;
//! - [`surface`]: refcounted surfaces with the Locked counter and the Map/Unmap rules;
//! - [`guards`]: RAII read/write maps, a component's output reservation, a held Locked counter;
//! - [`pool`]: surface pools with the allocation policies and hints; [`report`]: who holds a
//!   pool's surfaces;
//! - [`allocator`]: the external allocator contract (`mfxFrameAllocator`) and its allocations;
//! - [`system_allocator`]: a mem-id allocator over system memory, as an application would write;
//! - [`sizing`]: `QueryIOSurf` arithmetic and the shared-pool rule; [`copies`]: the
//!   `VPLRS_COPIES=forbid` switch;
//!
//! `unsafe` code lives in [`arena`], [`guards`] and [`system_allocator`] only (raw aligned pixel
//! memory, the slices made from it while access is held, an allocator handing out raw pointers) and
//! in the two `unsafe trait`s whose implementors vouch for foreign memory.
#![deny(unsafe_code)]
#![deny(missing_docs)]

pub mod allocator;
pub mod arena;
pub mod copies;
pub mod error;
pub mod format;
pub mod guards;
pub mod info;
pub mod layout;
pub mod pool;
pub mod report;
pub mod sizing;
pub mod surface;
pub mod system_allocator;
pub mod view;

pub use allocator::{AllocRequest, AllocResponse, AllocatorError, ExternalAllocator, MemId, MemType, NativeHandle};
pub use arena::PlanePointers;
pub use error::{AcquireError, AllocError, HandleError, LockedError, MapError, OperationError, SyncError};
pub use format::{ChromaFormat, FourCc};
pub use guards::{LockedHold, OutputGuard, ReadGuard, WriteGuard};
pub use info::{FrameInfo, FrameRate, PicStruct, Rect};
pub use layout::{FrameLayout, LayoutOptions, PlaneLayout};
pub use pool::{AllocationHints, AllocationPolicy, PoolConfig, PoolStats, PoolWarning, SurfacePool};
pub use sizing::SurfaceRequest;
pub use surface::{FrameMeta, MapFlags, Surface, SurfaceCore, WeakSurface};
pub use system_allocator::{AllocatorCounters, SystemAllocator};
pub use view::{Field, FrameView, FrameViewMut, Plane, PlaneMut};
