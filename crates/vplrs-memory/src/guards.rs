//! RAII access to a surface: read and write maps, a component's output reservation, and a held
//! Locked counter. Every guard owns a counted reference, so it can travel to a worker thread.
#![allow(unsafe_code)]

use crate::arena::{self, PlanePointers};
use crate::error::OperationError;
use crate::error::{LockedError, MapError};
use crate::surface::{Surface, Writer};
use crate::view::{FrameView, FrameViewMut};

/// A surface with access held by the guard that owns this, and the plane pointers valid for it.
struct Mapped {
    surface: Surface,
    pointers: PlanePointers,
}

impl Mapped {
    /// # Safety
    /// The owning guard must hold at least read access for as long as the view lives.
    unsafe fn view(&self) -> FrameView<'_> {
        // SAFETY: read access is held (caller's contract), so nobody writes; the pointers fit the
        // layout (checked when the backing was set up or locked) and stay valid while mapped.
        unsafe { arena::frame_view(&self.pointers, &self.surface.core.layout) }
    }

    /// # Safety
    /// The owning guard must hold exclusive write access for as long as the view lives.
    unsafe fn view_mut(&mut self) -> FrameViewMut<'_> {
        // SAFETY: exclusive access is held (caller's contract) and the mutable borrow makes this
        // the only view; planes of a layout never overlap.
        unsafe { arena::frame_view_mut(&self.pointers, &self.surface.core.layout) }
    }
}

impl Surface {
    /// Maps for reading, waiting for a writer (a producing component) to finish.
    pub fn map_read(&self) -> Result<ReadGuard, MapError> {
        let pointers = self.core.acquire_read(false, false)?;
        Ok(ReadGuard(Mapped { surface: self.clone(), pointers }))
    }

    /// Maps for reading only if nobody is writing now (`MFX_MAP_READ | MFX_MAP_NOWAIT`).
    pub fn try_map_read(&self) -> Result<ReadGuard, MapError> {
        let pointers = self.core.acquire_read(true, false)?;
        Ok(ReadGuard(Mapped { surface: self.clone(), pointers }))
    }

    /// Maps for writing (and reading): refused at once while the surface is accessed or Locked.
    pub fn map_write(&self) -> Result<WriteGuard, MapError> {
        let pointers = self.core.acquire_write(Writer::Guard)?;
        Ok(WriteGuard(Mapped { surface: self.clone(), pointers }))
    }

    /// Reserves the surface as the output of a component: exclusive write access until the guard
    /// is finished, during which `synchronize` and readers wait.
    pub fn begin_output(&self) -> Result<OutputGuard, MapError> {
        let pointers = self.core.acquire_write(Writer::Output)?;
        Ok(OutputGuard { mapped: Mapped { surface: self.clone(), pointers }, finished: false })
    }

    /// Holds the Locked counter up until the returned guard is dropped.
    pub fn hold(&self) -> Result<LockedHold, LockedError> {
        self.hold_by("a component")
    }

    /// [`hold`](Self::hold), naming who holds the frame (for the pool report: "the decoder (a
    /// reference picture)", "VPP (input)").
    pub fn hold_by(&self, holder: &'static str) -> Result<LockedHold, LockedError> {
        self.hold_with(holder, None)
    }

    /// [`hold_by`](Self::hold_by) for one of the holder's operations (its count of operations
    /// submitted, from 1): the pool report says which operation keeps the frame, and since when.
    pub fn hold_for_operation(&self, holder: &'static str, operation: u64) -> Result<LockedHold, LockedError> {
        self.hold_with(holder, Some(operation))
    }

    fn hold_with(&self, holder: &'static str, operation: Option<u64>) -> Result<LockedHold, LockedError> {
        self.core.lock_frame()?;
        let key = self.core.add_holder(holder, operation);
        Ok(LockedHold { surface: self.clone(), key })
    }
}

/// Read access to a surface's pixels; unmaps on drop.
pub struct ReadGuard(Mapped);

impl ReadGuard {
    /// The frame, to read.
    pub fn view(&self) -> FrameView<'_> {
        // SAFETY: this guard holds read access until it is dropped.
        unsafe { self.0.view() }
    }

    /// The surface read.
    pub fn surface(&self) -> &Surface {
        &self.0.surface
    }
}

impl Drop for ReadGuard {
    fn drop(&mut self) {
        let _ = self.0.surface.core.end_access(|state| {
            state.guard_readers = state.guard_readers.saturating_sub(1);
            true
        });
    }
}

/// Exclusive write access to a surface's pixels; unmaps on drop.
pub struct WriteGuard(Mapped);

impl WriteGuard {
    /// The frame, to read.
    pub fn view(&self) -> FrameView<'_> {
        // SAFETY: this guard holds exclusive access; the shared borrow excludes `view_mut`.
        unsafe { self.0.view() }
    }

    /// The frame, to write.
    pub fn view_mut(&mut self) -> FrameViewMut<'_> {
        // SAFETY: this guard holds exclusive access until it is dropped.
        unsafe { self.0.view_mut() }
    }

    /// The surface written.
    pub fn surface(&self) -> &Surface {
        &self.0.surface
    }
}

impl Drop for WriteGuard {
    fn drop(&mut self) {
        let _ = self.0.surface.core.end_access(|state| {
            let mine = state.writer == Writer::Guard;
            if mine {
                state.writer = Writer::None;
            }
            mine
        });
    }
}

/// A component's exclusive access to the surface it is producing. Finish it with the operation's
/// status; dropping it unfinished reports `MFX_ERR_ABORTED` to whoever synchronises.
pub struct OutputGuard {
    mapped: Mapped,
    finished: bool,
}

impl OutputGuard {
    /// The frame being produced, to read.
    pub fn view(&self) -> FrameView<'_> {
        // SAFETY: this guard holds exclusive access; the shared borrow excludes `view_mut`.
        unsafe { self.mapped.view() }
    }

    /// The frame being produced, to write.
    pub fn view_mut(&mut self) -> FrameViewMut<'_> {
        // SAFETY: this guard holds exclusive access until it is finished or dropped.
        unsafe { self.mapped.view_mut() }
    }

    /// The surface produced.
    pub fn surface(&self) -> &Surface {
        &self.mapped.surface
    }

    /// Ends production: the surface is ready, or the failure travels to whoever synchronises it.
    pub fn finish(mut self, outcome: Result<(), OperationError>) {
        self.finished = true;
        self.mapped.surface.core.finish_output(outcome);
    }
}

impl Drop for OutputGuard {
    fn drop(&mut self) {
        if !self.finished {
            self.mapped.surface.core.finish_output(Err(OperationError::Aborted));
        }
    }
}

/// Keeps a surface's Locked counter raised (a component holds the frame); lowers it on drop.
pub struct LockedHold {
    surface: Surface,
    /// The hold's entry among the surface's holders.
    key: u64,
}

impl LockedHold {
    /// The surface held.
    pub fn surface(&self) -> &Surface {
        &self.surface
    }
}

impl Drop for LockedHold {
    fn drop(&mut self) {
        self.surface.core.remove_holder(self.key);
        let _ = self.surface.core.unlock_frame();
    }
}
