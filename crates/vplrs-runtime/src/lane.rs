//! A component's serial worker: operations run in submission order on one thread, at most
//! `AsyncDepth` of them submitted and not yet finished.
//!
//! The worker's state (a codec context, conversion scratch buffers) lives on the lane's thread and
//! jobs are plain values, so a steady stream of operations allocates nothing: the queue keeps its
//! capacity and sync points are recycled once nobody else holds them.

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

use vplrs_memory::OperationError;

use crate::sync::SyncPoint;

/// What a lane runs: owns the component's working state, executes one job at a time.
pub trait Worker: Send + 'static {
    /// What the component queues: everything one operation needs.
    type Job: Send + 'static;
    /// Does the work of `job`.
    fn run(&mut self, job: &mut Self::Job) -> Result<(), OperationError>;
    /// Publishes the result (finishes output surfaces, lets go of inputs). Called after the lane
    /// has counted the job finished, so whoever wakes on an output can submit again at once.
    fn complete(&mut self, job: Self::Job, outcome: Result<(), OperationError>) {
        let _ = (job, outcome);
    }
}

/// Why a lane took no work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SubmitError {
    /// `AsyncDepth` operations are in flight: try again after synchronising one
    /// (`MFX_WRN_DEVICE_BUSY`).
    #[error("{0} operations are in flight, the AsyncDepth limit")]
    Busy(usize),
    #[error("the component is closed")]
    /// The lane was closed (the component's Close): nothing more is taken.
    Closed,
}

struct Queue<J> {
    jobs: VecDeque<(J, SyncPoint)>,
    /// Submitted and not finished (queued plus running).
    in_flight: usize,
    closed: bool,
    /// Sync points handed out lately, reused once nobody else holds them.
    recent_syncs: Vec<SyncPoint>,
}

struct LaneShared<J> {
    queue: Mutex<Queue<J>>,
    work_ready: Condvar,
    work_done: Condvar,
    depth: usize,
}

impl<J> LaneShared<J> {
    fn queue(&self) -> MutexGuard<'_, Queue<J>> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A serial worker thread with a bounded number of operations in flight.
pub struct Lane<W: Worker> {
    shared: Arc<LaneShared<W::Job>>,
    thread: Option<JoinHandle<()>>,
}

impl<W: Worker> Lane<W> {
    /// A lane named `name` (its thread's name) running `worker`, accepting at most `depth` (at
    /// least 1) operations in flight.
    pub fn new(name: &str, depth: usize, worker: W) -> std::io::Result<Self> {
        let depth = depth.max(1);
        let shared = Arc::new(LaneShared {
            queue: Mutex::new(Queue {
                jobs: VecDeque::with_capacity(depth),
                in_flight: 0,
                closed: false,
                // Enough for every operation in flight, every one being completed, and the ones the
                // application has not dropped yet; made now so the steady state allocates nothing.
                recent_syncs: (0..2 * depth + 2).map(|_| SyncPoint::spare()).collect(),
            }),
            work_ready: Condvar::new(),
            work_done: Condvar::new(),
            depth,
        });
        let lane = shared.clone();
        let thread = std::thread::Builder::new().name(format!("vplrs-{name}")).spawn(move || run(&lane, worker))?;
        Ok(Self { shared, thread: Some(thread) })
    }

    /// The most operations in flight at once (`AsyncDepth`).
    pub fn depth(&self) -> usize {
        self.shared.depth
    }

    /// Operations submitted and not completed yet.
    pub fn in_flight(&self) -> usize {
        self.shared.queue().in_flight
    }

    /// True when a submission would be accepted now: lets a component check back-pressure before
    /// it takes its input.
    pub fn has_room(&self) -> bool {
        let queue = self.shared.queue();
        !queue.closed && queue.in_flight < self.shared.depth
    }

    /// Queues `job` unless `AsyncDepth` operations are already in flight (then the job is handed
    /// back with the error, untouched).
    pub fn submit(&self, job: W::Job) -> Result<SyncPoint, (SubmitError, W::Job)> {
        let mut queue = self.shared.queue();
        if queue.closed {
            return Err((SubmitError::Closed, job));
        }
        if queue.in_flight >= self.shared.depth {
            let in_flight = queue.in_flight;
            return Err((SubmitError::Busy(in_flight), job));
        }
        let sync = take_sync_point(&mut queue.recent_syncs);
        queue.in_flight += 1;
        queue.jobs.push_back((job, sync.clone()));
        drop(queue);
        self.shared.work_ready.notify_one();
        Ok(sync)
    }

    /// Waits until every submitted operation has finished.
    pub fn drain(&self) {
        let mut queue = self.shared.queue();
        while queue.in_flight > 0 {
            queue = self.shared.work_done.wait(queue).unwrap_or_else(|p| p.into_inner());
        }
    }

    /// Finishes the queued work, then stops the thread. Nothing submitted is lost: every sync
    /// point completes.
    pub fn close(&mut self) {
        self.shared.queue().closed = true;
        self.shared.work_ready.notify_all();
        if let Some(thread) = self.thread.take() {
            if thread.join().is_err() {
                tracing::error!("a lane thread panicked");
            }
        }
    }
}

impl<W: Worker> Drop for Lane<W> {
    fn drop(&mut self) {
        self.close();
    }
}

fn take_sync_point(recent: &mut Vec<SyncPoint>) -> SyncPoint {
    if let Some(reusable) = recent.iter_mut().find_map(|s| s.try_recycle()) {
        return reusable;
    }
    let sync = SyncPoint::new();
    if recent.len() < recent.capacity() {
        recent.push(sync.clone());
    }
    sync
}

fn run<W: Worker>(shared: &LaneShared<W::Job>, mut worker: W) {
    loop {
        let (mut job, sync) = {
            let mut queue = shared.queue();
            loop {
                if let Some(item) = queue.jobs.pop_front() {
                    break item;
                }
                if queue.closed {
                    return;
                }
                queue = shared.work_ready.wait(queue).unwrap_or_else(|p| p.into_inner());
            }
        };
        // A panicking job must not take the lane (and every later operation) down with it.
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| worker.run(&mut job))).unwrap_or_else(|_| {
                tracing::error!("an operation panicked");
                Err(OperationError::Panicked)
            });
        // Count the job finished before anything says so: whoever wakes on it may submit.
        shared.queue().in_flight -= 1;
        shared.work_done.notify_all();
        let completed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| worker.complete(job, outcome)));
        if completed.is_err() {
            tracing::error!("completing an operation panicked");
        }
        sync.complete(outcome);
    }
}
