//! Surface pools with the allocation policies of `mfxsurfacepool.h` / `mfxExtAllocationHints`.
//!
//! One pool serves one side of one component (decode output, encode input, VPP in, VPP out). A
//! released surface comes back to its pool and is handed out again without reallocation.
//!
//! | policy | maximum size |
//! |---|---|
//! | `Unlimited` (the default: no hints attached) | none: a surface is allocated whenever none is free |
//! | `Optimal` | the sum of what the components asked for (`SetNumSurfaces`; the component's `NumFrameSuggested` to start with) |
//! | `Limited` | `NumberToPreAllocate + DeltaToAllocateOnTheFly` |
//!
//! `NumberToPreAllocate` surfaces are allocated when the pool is created, whatever the policy. An
//! acquire on a pool at its maximum with nothing free waits up to `Wait` ms for a release, then
//! reports the timeout (`MFX_WRN_ALLOC_TIMEOUT_EXPIRED`) with no surface.

use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex, MutexGuard};

use crate::allocator::{AllocRequest, ExternalAllocation, ExternalAllocator, MemType};

/// The most surfaces a pool allocates in one go (a pre-allocation, or a growth step).
const MAX_SURFACES_AT_ONCE: u32 = 4096;

/// The most bytes of surfaces a pool allocates in one go: half the machine's memory
/// (`/proc/meminfo`), 16 GiB where that cannot be read.
fn memory_budget() -> u64 {
    static BUDGET: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *BUDGET.get_or_init(|| {
        let total_kib = std::fs::read_to_string("/proc/meminfo").ok().and_then(|text| {
            let line = text.lines().find(|line| line.starts_with("MemTotal:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        });
        total_kib.map_or(16 << 30, |kib| kib * 1024 / 2)
    })
}
use crate::arena::FrameBuffer;
use crate::error::{AcquireError, AllocError};
use crate::info::FrameInfo;
use crate::layout::{FrameLayout, LayoutOptions};
use crate::surface::{Backing, Surface, SurfaceCore};

/// `mfxPoolAllocationPolicy`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[repr(u32)]
pub enum AllocationPolicy {
    /// `MFX_ALLOCATION_OPTIMAL`: as many surfaces as the component suggests, more when needed.
    Optimal = 0,
    #[default]
    /// `MFX_ALLOCATION_UNLIMITED`: surfaces are made whenever none is free.
    Unlimited = 1,
    /// `MFX_ALLOCATION_LIMITED`: at most the hint's count; then the Wait applies.
    Limited = 2,
}

impl AllocationPolicy {
    /// The policy of an `MFX_ALLOCATION_*` value.
    pub fn from_raw(value: u32) -> Option<Self> {
        Some(match value {
            0 => Self::Optimal,
            1 => Self::Unlimited,
            2 => Self::Limited,
            _ => return None,
        })
    }

    /// Every policy.
    pub const ALL: [AllocationPolicy; 3] = [Self::Optimal, Self::Unlimited, Self::Limited];

    /// The policy's name as the API spells it.
    pub fn name(self) -> &'static str {
        match self {
            Self::Optimal => "optimal",
            Self::Unlimited => "unlimited",
            Self::Limited => "limited",
        }
    }
}

/// `mfxExtAllocationHints` for one pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct AllocationHints {
    /// How the pool grows.
    pub policy: AllocationPolicy,
    /// Surfaces made at once when the pool is created.
    pub pre_allocate: u32,
    /// Surfaces made at a time when none is free (the most, for LIMITED).
    pub delta_on_the_fly: u32,
    /// Milliseconds an acquire waits on an exhausted pool.
    pub wait_ms: u32,
}

/// Everything a pool needs to know.
#[derive(Clone)]
pub struct PoolConfig {
    /// The frames the pool holds.
    pub info: FrameInfo,
    /// How their rows are laid out.
    pub layout: LayoutOptions,
    /// Memory type of allocation requests (`FROM_*` flags, system memory, internal frame).
    pub mem_type: MemType,
    /// The application's allocation hints.
    pub hints: AllocationHints,
    /// The component's `NumFrameSuggested`: the starting size of an `Optimal` pool.
    pub suggested: u32,
    /// The application's allocator: frames come from it when it serves the request.
    pub allocator: Option<Arc<dyn ExternalAllocator>>,
}

impl PoolConfig {
    /// A pool of `info` frames of `mem_type`, with default hints and the runtime's memory.
    pub fn new(info: FrameInfo, mem_type: MemType) -> Self {
        Self {
            info,
            layout: LayoutOptions::default(),
            mem_type: mem_type | MemType::SYSTEM_MEMORY,
            hints: AllocationHints::default(),
            suggested: 0,
            allocator: None,
        }
    }

    /// This configuration with the application's hints.
    pub fn with_hints(mut self, hints: AllocationHints) -> Self {
        self.hints = hints;
        self
    }

    /// This configuration with the component's suggested count (`NumFrameSuggested`).
    pub fn with_suggested(mut self, suggested: u32) -> Self {
        self.suggested = suggested;
        self
    }

    /// This configuration with frames from the application's allocator (None: the runtime's memory).
    pub fn with_allocator(mut self, allocator: Option<Arc<dyn ExternalAllocator>>) -> Self {
        self.allocator = allocator;
        self
    }
}

/// Warnings of `SetNumSurfaces` / `RevokeSurfaces`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoolWarning {
    /// The policy is not `Optimal`, so the request changes nothing (`MFX_WRN_INCOMPATIBLE_VIDEO_PARAM`).
    IncompatiblePolicy,
    /// The revoked number was never requested (`MFX_WRN_OUT_OF_RANGE`).
    OutOfRange,
}

/// Counters of a pool's life.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PoolStats {
    /// Surfaces allocated (each one once).
    pub allocations: u64,
    /// Acquires served by a recycled surface.
    pub reuses: u64,
    /// Surfaces handed out now.
    pub in_use: u32,
    /// The most handed out at once.
    pub peak_in_use: u32,
    /// Surfaces the pool has now (free and in use).
    pub surfaces: u32,
    /// Bytes of pixel memory the pool has now.
    pub bytes: u64,
    /// Acquires that had to wait for a release.
    pub waits: u64,
    /// Waits that expired.
    pub timeouts: u64,
    /// Allocations the external allocator refused and the internal allocator served.
    pub fallbacks: u64,
}

struct PoolState {
    free: Vec<Arc<SurfaceCore>>,
    /// Every surface the pool made and that still exists (for the pool report).
    members: Vec<Weak<SurfaceCore>>,
    /// Surfaces allocated or being allocated.
    total: u32,
    requests: Vec<u32>,
    closed: bool,
    /// The external allocator refused this pool's request once; don't ask again.
    allocator_refused: bool,
    stats: PoolStats,
}

pub(crate) struct PoolShared {
    config: PoolConfig,
    layout: FrameLayout,
    state: Mutex<PoolState>,
    released: Condvar,
    this: Weak<PoolShared>,
}

/// A pool of surfaces of one format and size. Cheap to clone (a shared handle).
#[derive(Clone)]
pub struct SurfacePool {
    shared: Arc<PoolShared>,
}

impl SurfacePool {
    /// Creates the pool and pre-allocates `hints.pre_allocate` surfaces.
    pub fn new(config: PoolConfig) -> Result<Self, AllocError> {
        let layout = FrameLayout::new(&config.info, config.layout)?;
        let requests = if config.suggested > 0 { vec![config.suggested] } else { Vec::new() };
        let shared = Arc::new_cyclic(|this| PoolShared {
            config,
            layout,
            state: Mutex::new(PoolState {
                free: Vec::new(),
                members: Vec::new(),
                total: 0,
                requests,
                closed: false,
                allocator_refused: false,
                stats: PoolStats::default(),
            }),
            released: Condvar::new(),
            this: this.clone(),
        });
        let pool = Self { shared };
        pool.preallocate()?;
        Ok(pool)
    }

    pub(crate) fn from_shared(shared: Arc<PoolShared>) -> Self {
        Self { shared }
    }

    fn preallocate(&self) -> Result<(), AllocError> {
        let count = self.shared.config.hints.pre_allocate;
        if count == 0 {
            return Ok(());
        }
        self.shared.state().total = count;
        let surfaces = match self.shared.allocate(count) {
            Ok(surfaces) => surfaces,
            Err(error) => {
                self.shared.state().total = 0;
                return Err(error);
            }
        };
        let mut state = self.shared.state();
        state.stats.allocations += u64::from(count);
        state.members.extend(surfaces.iter().map(Arc::downgrade));
        state.free.extend(surfaces);
        Ok(())
    }

    /// The frames of the pool.
    pub fn info(&self) -> &FrameInfo {
        &self.shared.config.info
    }

    /// Their layout.
    pub fn layout(&self) -> &FrameLayout {
        &self.shared.layout
    }

    /// Their memory type.
    pub fn mem_type(&self) -> MemType {
        self.shared.config.mem_type
    }

    /// How the pool grows.
    pub fn policy(&self) -> AllocationPolicy {
        self.shared.config.hints.policy
    }

    /// The wait an acquire allows by default (`mfxExtAllocationHints::Wait`).
    pub fn default_wait(&self) -> Duration {
        Duration::from_millis(self.shared.config.hints.wait_ms.into())
    }

    /// A free surface, waiting up to the pool's `Wait` when the pool is at its maximum.
    pub fn acquire(&self) -> Result<Surface, AcquireError> {
        self.acquire_timeout(self.default_wait())
    }

    /// A free surface, waiting up to `wait` when the pool is at its maximum.
    pub fn acquire_timeout(&self, wait: Duration) -> Result<Surface, AcquireError> {
        let shared = &self.shared;
        let mut state = shared.state();
        // Read the clock only when the pool is exhausted: the warm path never waits.
        let mut deadline: Option<Option<Instant>> = None;
        loop {
            if state.closed {
                return Err(AcquireError::Closed);
            }
            if let Some(core) = state.free.pop() {
                state.stats.reuses += 1;
                note_in_use(&mut state.stats);
                drop(state);
                return Ok(core.revive());
            }
            if state.total < shared.max_size(&state) {
                state.total += 1;
                drop(state);
                return self.grow();
            }
            let deadline = *deadline.get_or_insert_with(|| {
                state.stats.waits += u64::from(!wait.is_zero());
                Instant::now().checked_add(wait)
            });
            let left = deadline.map_or(Duration::MAX, |d| d.saturating_duration_since(Instant::now()));
            if left.is_zero() {
                state.stats.timeouts += 1;
                drop(state);
                // Who holds the pool's surfaces, for the application's developer (VPLRS_LOG).
                tracing::warn!("pool exhausted after {} ms:\n{}", wait.as_millis(), self.report());
                return Err(AcquireError::Timeout(wait.as_millis().min(u128::from(u32::MAX)) as u32));
            }
            shared.released.wait_for(&mut state, left);
        }
    }

    fn grow(&self) -> Result<Surface, AcquireError> {
        let shared = &self.shared;
        match shared.allocate(1) {
            Ok(mut surfaces) => {
                let core = surfaces.pop().expect("allocate(1) returns one surface");
                let mut state = shared.state();
                state.stats.allocations += 1;
                state.members.retain(|member| member.strong_count() > 0);
                state.members.push(Arc::downgrade(&core));
                note_in_use(&mut state.stats);
                drop(state);
                Ok(core.revive())
            }
            Err(error) => {
                shared.state().total -= 1;
                shared.released.notify_one();
                Err(error.into())
            }
        }
    }

    /// Every surface of the pool and who holds it (references, Locked, mappings, a component
    /// producing it) and for how long: what to look at when the pool runs dry.
    pub fn report(&self) -> crate::report::PoolReport {
        let (members, free, max) = {
            let state = self.shared.state();
            let members: Vec<_> = state.members.iter().filter_map(Weak::upgrade).collect();
            (members, state.free.len(), self.shared.max_size(&state))
        };
        let mut surfaces: Vec<_> = members.iter().map(|core| core.usage()).collect();
        surfaces.sort_by_key(|usage| usage.id);
        crate::report::PoolReport {
            purpose: crate::report::purpose(self.shared.config.mem_type),
            info: self.shared.config.info,
            policy: self.policy(),
            max_size: max,
            free,
            surfaces,
        }
    }

    /// `GetMaximumPoolSize`: `u32::MAX` for an unlimited pool.
    pub fn max_size(&self) -> u32 {
        let state = self.shared.state();
        self.shared.max_size(&state)
    }

    /// `GetCurrentPoolSize`: surfaces allocated now, free or in use.
    pub fn current_size(&self) -> u32 {
        self.shared.state().total
    }

    /// `SetNumSurfaces`: a component will use `count` surfaces concurrently.
    pub fn set_num_surfaces(&self, count: u32) -> Option<PoolWarning> {
        if self.policy() != AllocationPolicy::Optimal {
            return Some(PoolWarning::IncompatiblePolicy);
        }
        self.shared.state().requests.push(count);
        self.shared.released.notify_all();
        None
    }

    /// `RevokeSurfaces`: a component no longer needs the `count` it asked for. Free surfaces above
    /// the new maximum are released.
    pub fn revoke_surfaces(&self, count: u32) -> Option<PoolWarning> {
        if self.policy() != AllocationPolicy::Optimal {
            return Some(PoolWarning::IncompatiblePolicy);
        }
        let mut state = self.shared.state();
        let Some(index) = state.requests.iter().position(|&n| n == count) else {
            return Some(PoolWarning::OutOfRange);
        };
        state.requests.remove(index);
        let max = self.shared.max_size(&state);
        while state.total > max {
            if state.free.pop().is_none() {
                break;
            }
            state.total -= 1;
        }
        None
    }

    /// Counts of what the pool did.
    pub fn stats(&self) -> PoolStats {
        let state = self.shared.state();
        let mut stats = state.stats;
        stats.surfaces = state.total;
        stats.bytes = u64::from(state.total) * self.shared.layout.size as u64;
        stats
    }

    /// True once [`Self::close`] ran.
    pub fn is_closed(&self) -> bool {
        self.shared.state().closed
    }

    /// Stops handing out surfaces and frees the free ones; surfaces still referenced stay valid
    /// and are freed at their last release.
    pub fn close(&self) {
        let free = {
            let mut state = self.shared.state();
            state.closed = true;
            state.total -= state.free.len() as u32;
            std::mem::take(&mut state.free)
        };
        drop(free);
        self.shared.released.notify_all();
    }

    /// True if both handles are the same pool.
    pub fn ptr_eq(&self, other: &SurfacePool) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

fn note_in_use(stats: &mut PoolStats) {
    stats.in_use += 1;
    stats.peak_in_use = stats.peak_in_use.max(stats.in_use);
}

impl PoolShared {
    fn state(&self) -> MutexGuard<'_, PoolState> {
        self.state.lock()
    }

    fn max_size(&self, state: &PoolState) -> u32 {
        let hints = &self.config.hints;
        match hints.policy {
            AllocationPolicy::Unlimited => u32::MAX,
            AllocationPolicy::Limited => hints.pre_allocate.saturating_add(hints.delta_on_the_fly),
            AllocationPolicy::Optimal => {
                let requested = state.requests.iter().fold(0u32, |sum, &n| sum.saturating_add(n));
                requested.max(hints.pre_allocate).max(1)
            }
        }
    }

    /// Allocates `count` surfaces: from the external allocator when it serves the request, else
    /// from system memory.
    fn allocate(&self, count: u32) -> Result<Vec<Arc<SurfaceCore>>, AllocError> {
        let config = &self.config;
        // An application's hints may ask for any number of surfaces (NumberToPreAllocate is a
        // u32): what the machine cannot hold is refused before anything is allocated.
        let bytes = u64::from(count).saturating_mul(self.layout.size as u64);
        if count > MAX_SURFACES_AT_ONCE || bytes > memory_budget() {
            return Err(AllocError::OutOfMemory(usize::try_from(bytes).unwrap_or(usize::MAX)));
        }
        let pool = Some(self.this.clone());
        let refused = self.state().allocator_refused;
        if let (Some(allocator), false) = (&config.allocator, refused) {
            let frames = u16::try_from(count).unwrap_or(u16::MAX);
            let request = AllocRequest {
                alloc_id: 0,
                info: config.info,
                mem_type: config.mem_type,
                num_frame_min: frames,
                num_frame_suggested: frames,
            };
            match ExternalAllocation::request(allocator, &request).map_err(AllocError::Allocator)? {
                Some(allocation) if allocation.response().mids.len() >= count as usize => {
                    let mids: Vec<_> = allocation.response().mids[..count as usize].to_vec();
                    return Ok(mids
                        .into_iter()
                        .map(|mid| {
                            let backing = Backing::External { allocation: allocation.clone(), mid };
                            SurfaceCore::new(config.info, self.layout, config.mem_type, backing, pool.clone())
                        })
                        .collect());
                }
                Some(_) => return Err(AllocError::Allocator(crate::allocator::AllocatorError::OutOfMemory)),
                None => {
                    let mut state = self.state();
                    state.allocator_refused = true;
                    state.stats.fallbacks += 1;
                }
            }
        }
        let internal = config.mem_type & !MemType::EXTERNAL_FRAME | MemType::SYSTEM_MEMORY;
        (0..count)
            .map(|_| {
                let buffer = FrameBuffer::zeroed(self.layout.size, self.layout.align)
                    .ok_or(AllocError::OutOfMemory(self.layout.size))?;
                Ok(SurfaceCore::new(config.info, self.layout, internal, Backing::Internal(buffer), pool.clone()))
            })
            .collect()
    }

    /// A surface's last reference is gone: back to the free list, or freed when the pool is
    /// closed or above its maximum.
    pub(crate) fn recycle(&self, core: Arc<SurfaceCore>) {
        core.reset_for_reuse(self.config.info);
        let mut state = self.state();
        state.stats.in_use = state.stats.in_use.saturating_sub(1);
        if state.closed || state.total > self.max_size(&state) {
            state.total -= 1;
            drop(state);
            drop(core);
            return;
        }
        state.free.push(core);
        drop(state);
        self.released.notify_one();
    }
}

impl std::fmt::Debug for SurfacePool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SurfacePool")
            .field("info", &self.shared.config.info)
            .field("policy", &self.policy())
            .field("stats", &self.stats())
            .finish()
    }
}

impl Drop for PoolShared {
    fn drop(&mut self) {
        let bytes: usize = self.state().free.iter().map(|s| s.byte_size()).sum();
        tracing::trace!(bytes, "pool dropped");
    }
}
