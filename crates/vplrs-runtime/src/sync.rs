//! Sync points: one per asynchronous operation, completed once with the operation's outcome.

use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use vplrs_memory::OperationError;

#[derive(Default)]
struct SyncState {
    done: Option<Result<(), OperationError>>,
}

struct SyncShared {
    id: u64,
    state: Mutex<SyncState>,
    completed: Condvar,
}

/// A handle on an asynchronous operation's completion (`mfxSyncPoint`). Clones refer to the same
/// operation.
#[derive(Clone)]
pub struct SyncPoint {
    shared: Arc<SyncShared>,
}

/// What waiting on a sync point reports instead of success.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SyncPointError {
    #[error("the operation is still in execution")]
    /// The wait ended first (`MFX_WRN_IN_EXECUTION`).
    InExecution,
    #[error("the operation failed: {0}")]
    /// The operation failed, and how.
    Failed(OperationError),
}

static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

impl SyncPoint {
    /// A sync point not completed yet.
    pub fn new() -> Self {
        Self {
            shared: Arc::new(SyncShared {
                id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
                state: Mutex::new(SyncState::default()),
                completed: Condvar::new(),
            }),
        }
    }

    /// A completed sync point for a lane's reuse list.
    pub(crate) fn spare() -> Self {
        let spare = Self::new();
        spare.complete(Ok(()));
        spare
    }

    /// A unique, non-zero id (the C ABI hands it out as the `mfxSyncPoint` value).
    pub fn id(&self) -> u64 {
        self.shared.id
    }

    /// Completes the operation; later calls are ignored (an operation completes once).
    pub fn complete(&self, outcome: Result<(), OperationError>) {
        let mut state = self.shared.state.lock().unwrap_or_else(|p| p.into_inner());
        if state.done.is_none() {
            state.done = Some(outcome);
            drop(state);
            self.shared.completed.notify_all();
        }
    }

    /// When only the lane's list still holds this sync point, resets it for a new operation (with
    /// a new id) and returns a handle to it.
    pub(crate) fn try_recycle(&mut self) -> Option<SyncPoint> {
        let shared = Arc::get_mut(&mut self.shared)?;
        let state = shared.state.get_mut().unwrap_or_else(|p| p.into_inner());
        // A pending operation is not recycled.
        let _finished = state.done.take()?;
        shared.id = NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Some(self.clone())
    }

    /// True once the operation completed, successfully or not.
    pub fn is_done(&self) -> bool {
        self.shared.state.lock().unwrap_or_else(|p| p.into_inner()).done.is_some()
    }

    /// Waits up to `timeout` for the operation.
    pub fn wait(&self, timeout: Duration) -> Result<(), SyncPointError> {
        let deadline = Instant::now().checked_add(timeout);
        let mut state = self.shared.state.lock().unwrap_or_else(|p| p.into_inner());
        loop {
            if let Some(outcome) = state.done {
                return outcome.map_err(SyncPointError::Failed);
            }
            let left = deadline.map_or(Duration::from_secs(3600), |d| d.saturating_duration_since(Instant::now()));
            if left.is_zero() {
                return Err(SyncPointError::InExecution);
            }
            state = self.shared.completed.wait_timeout(state, left).unwrap_or_else(|p| p.into_inner()).0;
        }
    }
}

impl Default for SyncPoint {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for SyncPoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncPoint").field("id", &self.shared.id).field("done", &self.is_done()).finish()
    }
}
