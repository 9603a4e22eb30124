//! Refcounted surfaces: the reference counter, the Locked counter and the map rules, kept apart.
//!
//! - The **reference counter** decides how long a surface lives: it counts the [`Surface`] handles
//!   (`Clone` is `AddRef`, `Drop` is `Release`). At zero a pooled surface goes back to its pool, a
//!   standalone one is freed. Safe code can only count what it holds, so a released frame can never
//!   be reached again: the C ABI keeps the application's own count beside one handle of its own.
//! - The **Locked counter** is raised by the runtime while a component keeps a frame (a reference
//!   frame, an encoder's look-ahead); while it is not zero the application may read but not write.
//! - **Map/Unmap** gives access to the pixels: any number of readers or one writer. A write request
//!   is refused at once while anybody has access or the frame is Locked; a read request waits for a
//!   writer to finish (or fails at once with NOWAIT). A component producing the surface holds write
//!   access until it completes, so a read map is also the implicit synchronisation the API promises.
//!
//! Access taken through the C-style [`SurfaceCore::map`]/[`SurfaceCore::unmap`] pair is counted
//! apart from access held by Rust guards, so an application's stray Unmap can't end the runtime's.
//! Ending a raw access is `unsafe` (whoever calls it vouches the access is theirs), and the Locked
//! counter moves only through [`LockedHold`](crate::LockedHold) guards: safe code cannot end an
//! access or a hold that somebody else relies on.
//!
//! ```compile_fail
//! # use vplrs_memory::{FourCc, FrameInfo, LayoutOptions, Surface};
//! let surface = Surface::new(FrameInfo::new(FourCc::Nv12, 64, 48), LayoutOptions::default()).unwrap();
//! surface.map(1).unwrap();
//! surface.unmap().unwrap(); // ending a raw access is unsafe: it may be somebody else's
//! ```
//!
//! ```compile_fail
//! # use vplrs_memory::{FourCc, FrameInfo, LayoutOptions, Surface};
//! let surface = Surface::new(FrameInfo::new(FourCc::Nv12, 64, 48), LayoutOptions::default()).unwrap();
//! surface.unlock_frame().unwrap(); // only a LockedHold lowers Locked
//! ```
//!
//! ```compile_fail
//! # use vplrs_memory::{FourCc, FrameInfo, LayoutOptions, Surface};
//! let surface = Surface::new(FrameInfo::new(FourCc::Nv12, 64, 48), LayoutOptions::default()).unwrap();
//! surface.release(); // a reference is released by dropping the handle that holds it
//! ```

use std::any::Any;
use std::sync::atomic::{AtomicU16, AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, Weak};

use parking_lot::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::allocator::{ExternalAllocation, MemId, MemType, NativeHandle};
use crate::arena::{self, FrameBuffer, PlanePointers};
use crate::error::{HandleError, LockedError, MapError, OperationError, SyncError};
use crate::info::FrameInfo;
use crate::layout::FrameLayout;
use crate::pool::{PoolShared, SurfacePool};

bitflags::bitflags! {
    /// `MFX_MAP_*`.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct MapFlags: u32 {
        /// Read access.
        const READ = 0x1;
        /// Write access.
        const WRITE = 0x2;
        /// Both.
        const READ_WRITE = 0x3;
        /// Refuse at once instead of waiting for the surface's producer.
        const NOWAIT = 0x10;
    }
}

/// Memory owned outside the runtime: an application's 1.x surface, an imported surface, a decoder
/// segment.
///
/// # Safety
/// `planes` must return pointers valid for reads and writes of a frame of the surface's layout,
/// initialised, planes not overlapping, for as long as the implementor lives.
#[allow(unsafe_code)]
pub unsafe trait ForeignMemory: Send + Sync {
    /// Where each plane is, and its pitch.
    fn planes(&self) -> PlanePointers;
    /// Where the owner keeps the Locked counter (an application's `mfxFrameData::Locked`), if it
    /// keeps it itself.
    fn locked_counter(&self) -> Option<&AtomicU16> {
        None
    }
}

pub(crate) enum Backing {
    Internal(FrameBuffer),
    External { allocation: Arc<ExternalAllocation>, mid: MemId },
    Foreign(Box<dyn ForeignMemory>),
}

/// Per-frame data that travels with the pixels (`mfxFrameData` and `mfxFrameInfo` fields).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FrameMeta {
    /// The frame info (its crop may change per frame).
    pub info: FrameInfo,
    /// Presentation time, 90 kHz (`TimeStamp`).
    pub timestamp: u64,
    /// Decoding time, 90 kHz (`DecodeTimeStamp`).
    pub decode_timestamp: i64,
    /// `FrameOrder`.
    pub frame_order: u32,
    /// `MFX_CORRUPTION_*` flags.
    pub corrupted: u16,
    /// `MFX_FRAMEDATA_*` flags.
    pub data_flag: u16,
}

/// `MFX_TIMESTAMP_UNKNOWN`.
pub const TIMESTAMP_UNKNOWN: u64 = u64::MAX;
/// `MFX_FRAMEORDER_UNKNOWN`.
pub const FRAME_ORDER_UNKNOWN: u32 = u32::MAX;

impl FrameMeta {
    /// Metadata of a fresh frame of `info`: times and order unknown, no flags.
    pub fn new(info: FrameInfo) -> Self {
        Self {
            info,
            timestamp: TIMESTAMP_UNKNOWN,
            decode_timestamp: 0,
            frame_order: FRAME_ORDER_UNKNOWN,
            corrupted: 0,
            data_flag: 0,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Writer {
    None,
    /// A C-style `Map(WRITE)`.
    Raw,
    /// A Rust [`WriteGuard`].
    Guard,
    /// A component producing this surface ([`OutputGuard`]).
    Output,
}

pub(crate) struct AccessState {
    raw_readers: u32,
    pub(crate) guard_readers: u32,
    pub(crate) writer: Writer,
    /// Plane pointers while the backing is locked (external memory) or always (the others).
    pointers: Option<PlanePointers>,
    /// How the last operation that produced the surface failed (None: it succeeded).
    outcome: Option<OperationError>,
}

impl AccessState {
    fn idle(&self) -> bool {
        self.raw_readers == 0 && self.guard_readers == 0 && self.writer == Writer::None
    }
}

/// A completion callback (`mfxFrameSurfaceInterface::OnComplete`).
pub type CompletionHook = Arc<dyn Fn(Result<(), OperationError>) + Send + Sync>;

/// The shared state of one surface. Reached through a [`Surface`] handle, or by the C ABI through
/// the context pointer of its `mfxFrameSurface1`.
pub struct SurfaceCore {
    id: u64,
    pub(crate) layout: FrameLayout,
    mem_type: MemType,
    backing: Backing,
    /// The number of live [`Surface`] handles.
    refs: AtomicU32,
    locked: AtomicU16,
    access: Mutex<AccessState>,
    access_changed: Condvar,
    /// Frame metadata and the completion hook: both reset together when the surface is recycled.
    meta: Mutex<(FrameMeta, Option<CompletionHook>)>,
    pool: Option<Weak<PoolShared>>,
    attachment: OnceLock<Box<dyn Any + Send + Sync>>,
    /// When the surface last left its pool's free list (for the pool report).
    acquired: Mutex<Option<Instant>>,
    /// Who keeps the Locked counter raised through a [`crate::LockedHold`], one entry per hold
    /// (for the pool report), with the hold's key.
    holders: Mutex<Vec<(u64, HoldRecord)>>,
}

static NEXT_SURFACE_ID: AtomicU64 = AtomicU64::new(1);

/// One hold of the Locked counter.
#[derive(Clone, Copy)]
struct HoldRecord {
    who: &'static str,
    operation: Option<u64>,
    since: Instant,
}

impl HoldRecord {
    fn holder(&self) -> crate::report::Holder {
        crate::report::Holder { who: self.who, operation: self.operation, held_for: self.since.elapsed() }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock()
}

impl SurfaceCore {
    pub(crate) fn new(
        info: FrameInfo,
        layout: FrameLayout,
        mem_type: MemType,
        backing: Backing,
        pool: Option<Weak<PoolShared>>,
    ) -> Arc<Self> {
        let pointers = match &backing {
            Backing::Internal(buffer) => Some(buffer.plane_pointers(&layout)),
            Backing::Foreign(memory) => Some(memory.planes()),
            Backing::External { .. } => None,
        };
        Arc::new(Self {
            id: NEXT_SURFACE_ID.fetch_add(1, Ordering::Relaxed),
            layout,
            mem_type,
            backing,
            refs: AtomicU32::new(0),
            locked: AtomicU16::new(0),
            access: Mutex::new(AccessState {
                raw_readers: 0,
                guard_readers: 0,
                writer: Writer::None,
                pointers,
                outcome: None,
            }),
            access_changed: Condvar::new(),
            meta: Mutex::new((FrameMeta::new(info), None)),
            pool,
            attachment: OnceLock::new(),
            acquired: Mutex::new(None),
            holders: Mutex::new(Vec::new()),
        })
    }

    /// Takes the first reference of a surface whose counter is zero (fresh, or from a free list).
    pub(crate) fn revive(self: &Arc<Self>) -> Surface {
        let previous = self.refs.swap(1, Ordering::AcqRel);
        debug_assert_eq!(previous, 0, "revived a surface still referenced");
        *lock(&self.acquired) = Some(Instant::now());
        Surface { core: self.clone() }
    }

    /// Who holds the surface now, for a pool report.
    pub(crate) fn usage(&self) -> crate::report::SurfaceUsage {
        let access = lock(&self.access);
        let refs = self.refs.load(Ordering::Acquire);
        crate::report::SurfaceUsage {
            id: self.id,
            references: refs,
            locked: self.locked(),
            holders: lock(&self.holders).iter().map(|(_, record)| record.holder()).collect(),
            readers: access.raw_readers + access.guard_readers,
            writer: match access.writer {
                Writer::None => None,
                Writer::Raw => Some("the application (Map for writing)"),
                Writer::Guard => Some("a Rust write guard"),
                Writer::Output => Some("a component producing it"),
            },
            held_for: (refs > 0).then(|| lock(&self.acquired).map(|at| at.elapsed())).flatten(),
        }
    }

    /// A unique id, stable for the surface's life.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Where the planes are inside the frame's memory.
    pub fn layout(&self) -> &FrameLayout {
        &self.layout
    }

    /// The memory type (system memory, or the application allocator's).
    pub fn mem_type(&self) -> MemType {
        self.mem_type
    }

    /// The memory id, for surfaces allocated by an external allocator.
    pub fn mem_id(&self) -> Option<MemId> {
        match &self.backing {
            Backing::External { mid, .. } => Some(*mid),
            _ => None,
        }
    }

    /// True for an application's own surface wrapped by the runtime (1.x memory): its frame info,
    /// crops included, is what the application set for this call.
    pub fn is_application_memory(&self) -> bool {
        matches!(self.backing, Backing::Foreign(_))
    }

    /// True when `other` is this surface, or another handle on the same pixels (two wrappers of
    /// one application surface, or the same memory id of one allocation).
    pub fn shares_memory_with(&self, other: &SurfaceCore) -> bool {
        if std::ptr::eq(self, other) {
            return true;
        }
        if let (Backing::External { allocation: a, mid: m }, Backing::External { allocation: b, mid: n }) =
            (&self.backing, &other.backing)
        {
            return Arc::ptr_eq(a, b) && m == n;
        }
        let first_plane = |core: &SurfaceCore| match &core.backing {
            Backing::Internal(buffer) => Some(buffer.plane_pointers(&core.layout).ptr[0]),
            Backing::Foreign(memory) => Some(memory.planes().ptr[0]),
            Backing::External { .. } => None,
        };
        matches!((first_plane(self), first_plane(other)), (Some(a), Some(b)) if a == b && !a.is_null())
    }

    // ---- reference counter ----

    /// How many [`Surface`] handles exist (the C ABI counts the application's references apart,
    /// holding one handle while it has any).
    pub fn ref_count(&self) -> u32 {
        self.refs.load(Ordering::Acquire)
    }

    // ---- Locked counter ----

    fn locked_cell(&self) -> &AtomicU16 {
        match &self.backing {
            Backing::Foreign(memory) => memory.locked_counter().unwrap_or(&self.locked),
            _ => &self.locked,
        }
    }

    /// The Locked counter: how many components hold the frame.
    pub fn locked(&self) -> u16 {
        self.locked_cell().load(Ordering::Acquire)
    }

    /// Raises the Locked counter: the runtime keeps this frame (through a `LockedHold`).
    /// Notes that `who` raised the Locked counter (a [`crate::LockedHold`] was taken), for
    /// `operation` if it is part of one; returns the hold's key.
    pub(crate) fn add_holder(&self, who: &'static str, operation: Option<u64>) -> u64 {
        static NEXT_HOLD: AtomicU64 = AtomicU64::new(1);
        let key = NEXT_HOLD.fetch_add(1, Ordering::Relaxed);
        lock(&self.holders).push((key, HoldRecord { who, operation, since: Instant::now() }));
        key
    }

    /// Notes that the hold `key` ended.
    pub(crate) fn remove_holder(&self, key: u64) {
        let mut holders = lock(&self.holders);
        if let Some(at) = holders.iter().position(|&(k, _)| k == key) {
            holders.swap_remove(at);
        }
    }

    pub(crate) fn lock_frame(&self) -> Result<(), LockedError> {
        self.locked_cell()
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_add(1))
            .map(drop)
            .map_err(|_| LockedError::Overflow)
    }

    /// Lowers the Locked counter (a `LockedHold` ends).
    pub(crate) fn unlock_frame(&self) -> Result<(), LockedError> {
        self.locked_cell()
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1))
            .map(drop)
            .map_err(|_| LockedError::Underflow)
    }

    // ---- access ----

    fn ensure_pointers(&self, state: &mut AccessState) -> Result<PlanePointers, MapError> {
        if let Some(pointers) = state.pointers {
            return Ok(pointers);
        }
        let Backing::External { allocation, mid } = &self.backing else {
            unreachable!("only external memory is mapped on demand");
        };
        let pointers = allocation.allocator().lock(*mid).map_err(MapError::AllocatorLock)?;
        if !arena::pointers_fit(&pointers, &self.layout) {
            let _ = allocation.allocator().unlock(*mid);
            return Err(MapError::BadPlanePointers);
        }
        state.pointers = Some(pointers);
        Ok(pointers)
    }

    /// Unlocks external memory once nobody accesses it.
    fn settle(&self, state: &mut AccessState) {
        if !state.idle() {
            return;
        }
        if let Backing::External { allocation, mid } = &self.backing {
            if state.pointers.take().is_some() {
                if let Err(error) = allocation.allocator().unlock(*mid) {
                    tracing::warn!(%error, surface = self.id, "external allocator failed to unlock");
                }
            }
        }
    }

    pub(crate) fn acquire_write(&self, writer: Writer) -> Result<PlanePointers, MapError> {
        let mut state = lock(&self.access);
        let locked = self.locked();
        if locked > 0 && writer != Writer::Output {
            return Err(MapError::Locked(locked));
        }
        if !state.idle() {
            return Err(MapError::Busy);
        }
        let pointers = self.ensure_pointers(&mut state)?;
        state.writer = writer;
        if writer == Writer::Output {
            state.outcome = None;
        }
        Ok(pointers)
    }

    pub(crate) fn acquire_read(&self, nowait: bool, raw: bool) -> Result<PlanePointers, MapError> {
        let mut state = lock(&self.access);
        while state.writer != Writer::None {
            if nowait {
                return Err(MapError::WouldWait);
            }
            self.access_changed.wait(&mut state);
        }
        let pointers = self.ensure_pointers(&mut state)?;
        if raw {
            state.raw_readers += 1;
        } else {
            state.guard_readers += 1;
        }
        Ok(pointers)
    }

    pub(crate) fn end_access(&self, release: impl FnOnce(&mut AccessState) -> bool) -> Result<(), MapError> {
        let mut state = lock(&self.access);
        if !release(&mut state) {
            return Err(MapError::NotMapped);
        }
        self.settle(&mut state);
        drop(state);
        self.access_changed.notify_all();
        Ok(())
    }

    /// `Map` as the C API has it: returns the plane pointers to store in `mfxFrameData`.
    pub fn map(&self, flags: u32) -> Result<PlanePointers, MapError> {
        let parsed = MapFlags::from_bits(flags).ok_or(MapError::InvalidFlags(flags))?;
        if !parsed.intersects(MapFlags::READ_WRITE) {
            return Err(MapError::InvalidFlags(flags));
        }
        if parsed.contains(MapFlags::WRITE) {
            self.acquire_write(Writer::Raw)
        } else {
            self.acquire_read(parsed.contains(MapFlags::NOWAIT), true)
        }
    }

    /// `Unmap` as the C API has it: ends one access taken with [`map`](Self::map).
    ///
    /// # Safety
    /// The caller ends an access it took itself with [`map`](Self::map) (or answers for the C
    /// application that did) and uses the plane pointers of that access no more: whoever took the
    /// access may be reading or writing through them until it is ended.
    #[allow(unsafe_code)] // an unsafe contract, no unsafe operation
    pub unsafe fn unmap(&self) -> Result<(), MapError> {
        self.end_access(|state| {
            if state.raw_readers > 0 {
                state.raw_readers -= 1;
                true
            } else if state.writer == Writer::Raw {
                state.writer = Writer::None;
                true
            } else {
                false
            }
        })
    }

    /// Where the pixels are, for a device that addresses host memory to work on them in place
    /// (OpenCL's `CL_MEM_USE_HOST_PTR`, Vulkan's host-pointer import): the runtime's own memory
    /// and foreign memory stay at one address for the surface's life; an application allocator's
    /// memory is reached only through its Lock, so it has none here.
    ///
    /// The pointers grant nothing: whoever hands them to a device takes over the access rules for
    /// what that device does (no write while a component reads or produces the frame).
    pub fn host_memory(&self) -> Option<PlanePointers> {
        match &self.backing {
            Backing::External { .. } => None,
            _ => lock(&self.access).pointers,
        }
    }

    /// The whole allocation of a frame the runtime allocated itself (start and length, whole
    /// pages: see [`crate::arena::FRAME_BUFFER_ALIGN`]), for a device that imports host memory by
    /// the allocation; `None` for foreign or application-allocated memory. The same terms as
    /// [`host_memory`](Self::host_memory).
    pub fn host_allocation(&self) -> Option<(*mut u8, usize)> {
        match &self.backing {
            Backing::Internal(buffer) => Some((buffer.base(), buffer.len())),
            _ => None,
        }
    }

    /// True while anybody maps or writes the surface.
    pub fn is_accessed(&self) -> bool {
        !lock(&self.access).idle()
    }

    // ---- synchronisation ----

    /// Waits until no component is producing this surface, at most `timeout`.
    pub fn synchronize(&self, timeout: Duration) -> Result<(), SyncError> {
        let deadline = Instant::now().checked_add(timeout);
        let mut state = lock(&self.access);
        while state.writer == Writer::Output {
            let left = match deadline {
                Some(deadline) => deadline.saturating_duration_since(Instant::now()),
                None => Duration::from_secs(3600),
            };
            if left.is_zero() {
                return Err(SyncError::Timeout);
            }
            self.access_changed.wait_for(&mut state, left);
        }
        match state.outcome {
            Some(error) => Err(SyncError::Failed(error)),
            None => Ok(()),
        }
    }

    /// True while the application (not a component) has the surface mapped for writing: a
    /// component must not queue work that would wait for that.
    pub fn is_written_by_application(&self) -> bool {
        matches!(lock(&self.access).writer, Writer::Raw | Writer::Guard)
    }

    /// True while a component is still producing the surface.
    pub fn is_pending(&self) -> bool {
        lock(&self.access).writer == Writer::Output
    }

    /// Sets what to call when an operation producing this surface completes.
    pub fn set_on_complete(&self, hook: Option<CompletionHook>) {
        lock(&self.meta).1 = hook;
    }

    pub(crate) fn finish_output(&self, outcome: Result<(), OperationError>) {
        {
            let mut state = lock(&self.access);
            debug_assert_eq!(state.writer, Writer::Output);
            state.writer = Writer::None;
            state.outcome = outcome.err();
            self.settle(&mut state);
        }
        self.access_changed.notify_all();
        let hook = lock(&self.meta).1.clone();
        if let Some(hook) = hook {
            hook(outcome);
        }
    }

    // ---- metadata and handles ----

    /// The frame's metadata now.
    pub fn meta(&self) -> FrameMeta {
        lock(&self.meta).0
    }

    /// The frame info now.
    pub fn info(&self) -> FrameInfo {
        lock(&self.meta).0.info
    }

    /// Changes the metadata under the surface's lock.
    pub fn update_meta(&self, update: impl FnOnce(&mut FrameMeta)) {
        update(&mut lock(&self.meta).0);
    }

    /// `GetNativeHandle`: system memory has none.
    pub fn native_handle(&self) -> Result<NativeHandle, HandleError> {
        match &self.backing {
            Backing::External { allocation, mid } if !self.mem_type.is_system_memory() => {
                allocation.allocator().get_hdl(*mid).map_err(HandleError::Allocator)
            }
            _ => Err(HandleError::SystemMemory),
        }
    }

    /// `GetDeviceHandle`: a CPU runtime creates no device, so system memory has none.
    pub fn device_handle(&self) -> Result<NativeHandle, HandleError> {
        Err(HandleError::SystemMemory)
    }

    /// The pool this surface belongs to, while it exists.
    pub fn pool(&self) -> Option<SurfacePool> {
        self.pool.as_ref()?.upgrade().map(SurfacePool::from_shared)
    }

    /// Data attached once by an outer layer (the C ABI keeps its `mfxFrameSurface1` here, so its
    /// address is stable for the surface's life).
    pub fn attachment(&self) -> &OnceLock<Box<dyn Any + Send + Sync>> {
        &self.attachment
    }

    pub(crate) fn reset_for_reuse(&self, info: FrameInfo) {
        *lock(&self.meta) = (FrameMeta::new(info), None);
        lock(&self.access).outcome = None;
    }

    pub(crate) fn byte_size(&self) -> usize {
        self.layout.size
    }
}

impl std::fmt::Debug for SurfaceCore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Surface")
            .field("id", &self.id)
            .field("fourcc", &self.layout.fourcc)
            .field("size", &(self.layout.width, self.layout.height))
            .field("refs", &self.ref_count())
            .field("locked", &self.locked())
            .finish()
    }
}

/// A counted reference to a surface: `Clone` is `AddRef`, `Drop` is `Release`.
pub struct Surface {
    pub(crate) core: Arc<SurfaceCore>,
}

impl Surface {
    /// A standalone surface in system memory, not part of any pool.
    pub fn new(info: FrameInfo, options: crate::layout::LayoutOptions) -> Result<Self, crate::error::AllocError> {
        let layout = FrameLayout::new(&info, options)?;
        let buffer =
            FrameBuffer::zeroed(layout.size, layout.align).ok_or(crate::error::AllocError::OutOfMemory(layout.size))?;
        let core = SurfaceCore::new(info, layout, MemType::SYSTEM_MEMORY, Backing::Internal(buffer), None);
        Ok(core.revive())
    }

    /// A surface over memory owned elsewhere (see [`ForeignMemory`]).
    pub fn from_foreign(
        info: FrameInfo,
        layout: FrameLayout,
        memory: Box<dyn ForeignMemory>,
    ) -> Result<Self, MapError> {
        if !arena::pointers_fit(&memory.planes(), &layout) {
            return Err(MapError::BadPlanePointers);
        }
        let core = SurfaceCore::new(info, layout, MemType::SYSTEM_MEMORY, Backing::Foreign(memory), None);
        Ok(core.revive())
    }

    /// The shared state behind this handle.
    pub fn core(&self) -> &SurfaceCore {
        &self.core
    }

    /// A handle that does not keep the surface alive (see [`WeakSurface`]).
    pub fn downgrade(&self) -> WeakSurface {
        WeakSurface(Arc::downgrade(&self.core))
    }

    /// True if both handles are the same surface.
    pub fn ptr_eq(&self, other: &Surface) -> bool {
        Arc::ptr_eq(&self.core, &other.core)
    }
}

impl std::ops::Deref for Surface {
    type Target = SurfaceCore;

    fn deref(&self) -> &SurfaceCore {
        &self.core
    }
}

impl Clone for Surface {
    fn clone(&self) -> Self {
        // This handle holds a reference, so the count is above zero; overflowing it would take
        // four billion handles, more than memory holds.
        self.core.refs.fetch_add(1, Ordering::AcqRel);
        Self { core: self.core.clone() }
    }
}

impl Drop for Surface {
    fn drop(&mut self) {
        if self.core.refs.fetch_sub(1, Ordering::AcqRel) != 1 {
            return;
        }
        // The last handle: a pooled surface goes back to its pool (which keeps it), a standalone
        // one is freed with this handle's `Arc`.
        if let Some(pool) = self.core.pool.as_ref().and_then(Weak::upgrade) {
            pool.recycle(self.core.clone());
        }
    }
}

/// A surface found again while somebody still holds it: an outer layer's table of the surfaces it
/// made (the C ABI's wrappers of application surfaces) without keeping them alive.
#[derive(Clone, Debug)]
pub struct WeakSurface(Weak<SurfaceCore>);

impl WeakSurface {
    /// True while the surface exists.
    pub fn is_alive(&self) -> bool {
        self.0.strong_count() > 0
    }

    /// A new handle, if a handle to the surface is still alive. A surface whose last handle is
    /// going (back to its pool, or freed) is not revived.
    pub fn upgrade(&self) -> Option<Surface> {
        let core = self.0.upgrade()?;
        let mut current = core.refs.load(Ordering::Acquire);
        loop {
            if current == 0 {
                return None;
            }
            match core.refs.compare_exchange_weak(current, current + 1, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => return Some(Surface { core }),
                Err(actual) => current = actual,
            }
        }
    }
}

impl std::fmt::Debug for Surface {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.core.fmt(f)
    }
}
