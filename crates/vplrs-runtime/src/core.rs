//! The session core: what every component of a session shares.
//!
//! It holds the application's external allocator (when one is set) and makes the component pools,
//! so that frames the runtime owns come from that allocator when it serves them. Closing the core
//! closes every pool it made: free surfaces are freed at once (and with them, the allocator's
//! allocations), surfaces the application still references at their last release.

use std::sync::{Arc, Mutex};

use vplrs_memory::allocator::MemType;
use vplrs_memory::sizing::SurfaceRequest;
use vplrs_memory::{AllocError, AllocationHints, ExternalAllocator, LayoutOptions, PoolConfig, SurfacePool};

bitflags::bitflags! {
    /// `MFX_IOPATTERN_*`: where a component's input and output frames live.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
    pub struct IoPattern: u16 {
        /// Input frames in video memory (refused: vplrs runs on the CPU).
        const IN_VIDEO_MEMORY = 0x01;
        /// Input frames in system memory.
        const IN_SYSTEM_MEMORY = 0x02;
        /// Output frames in video memory (refused: vplrs runs on the CPU).
        const OUT_VIDEO_MEMORY = 0x10;
        /// Output frames in system memory.
        const OUT_SYSTEM_MEMORY = 0x20;
    }
}

#[derive(Default)]
struct CoreState {
    allocator: Option<Arc<dyn ExternalAllocator>>,
    pools: Vec<SurfacePool>,
}

/// Shared by the components of one session. Cheap to clone.
#[derive(Clone, Default)]
pub struct Core {
    state: Arc<Mutex<CoreState>>,
    layout: LayoutOptions,
}

impl Core {
    /// A core with no allocator (internal memory) and the default row layout.
    pub fn new() -> Self {
        Self::default()
    }

    /// A core whose pools lay rows out with `layout` (a wider pitch alignment).
    pub fn with_layout(layout: LayoutOptions) -> Self {
        Self { layout, ..Self::default() }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, CoreState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `SetFrameAllocator`: later pools allocate through `allocator` (None: the internal one).
    pub fn set_allocator(&self, allocator: Option<Arc<dyn ExternalAllocator>>) {
        self.state().allocator = allocator;
    }

    /// The application's allocator, if one was set.
    pub fn allocator(&self) -> Option<Arc<dyn ExternalAllocator>> {
        self.state().allocator.clone()
    }

    /// True if the application set an allocator (external memory).
    pub fn has_allocator(&self) -> bool {
        self.state().allocator.is_some()
    }

    /// How the pools of this core lay rows out.
    pub fn layout_options(&self) -> LayoutOptions {
        self.layout
    }

    /// A pool for one component side, sized by its `QueryIOSurf` answer and the application's hints.
    pub fn create_pool(&self, request: &SurfaceRequest, hints: AllocationHints) -> Result<SurfacePool, AllocError> {
        let mut config = PoolConfig::new(request.info, request.mem_type)
            .with_hints(hints)
            .with_suggested(u32::from(request.num_frame_suggested))
            .with_allocator(self.allocator());
        config.layout = self.layout;
        let pool = SurfacePool::new(config)?;
        self.track(&pool);
        Ok(pool)
    }

    /// A pool of the runtime's own memory for frames only the component itself uses (never
    /// handed to the application), whatever allocator the application set: such frames are
    /// `MFX_MEMTYPE_INTERNAL_FRAME`, and an application's allocator may answer a request for
    /// I/O frames with the very frames the application decodes into (Intel's sample allocators
    /// do), which the runtime must then never write on its own.
    pub fn create_private_pool(&self, request: &SurfaceRequest) -> Result<SurfacePool, AllocError> {
        let mem_type = (request.mem_type - MemType::EXTERNAL_FRAME) | MemType::INTERNAL_FRAME;
        let mut config = PoolConfig::new(request.info, mem_type).with_suggested(u32::from(request.num_frame_suggested));
        config.layout = self.layout;
        let pool = SurfacePool::new(config)?;
        self.track(&pool);
        Ok(pool)
    }

    /// Remembers a pool to close with the core; pools already closed (a component's Close) are
    /// forgotten, so that Init/Close cycles do not pile them up.
    fn track(&self, pool: &SurfacePool) {
        let mut state = self.state();
        state.pools.retain(|kept| !kept.is_closed());
        state.pools.push(pool.clone());
    }

    /// Closes every pool this core made.
    pub fn close(&self) {
        let pools = std::mem::take(&mut self.state().pools);
        for pool in pools {
            pool.close();
        }
    }
}
