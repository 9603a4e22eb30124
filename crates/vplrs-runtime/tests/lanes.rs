//! AsyncDepth back-pressure, deferred synchronisation, errors at the sync point, clean close.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use vplrs_memory::OperationError;
use vplrs_runtime::{Lane, SubmitError, SyncPointError, Worker};

/// Records the order jobs ran in; a job may block until released, or fail.
struct Recorder {
    ran: Arc<Mutex<Vec<u32>>>,
}

enum Job {
    Record(u32),
    BlockUntil(u32, mpsc::Receiver<()>),
    Fail(u32, OperationError),
    Panic,
}

impl Worker for Recorder {
    type Job = Job;

    fn run(&mut self, job: &mut Job) -> Result<(), OperationError> {
        match std::mem::replace(job, Job::Record(u32::MAX)) {
            Job::Record(n) => {
                self.ran.lock().unwrap().push(n);
                Ok(())
            }
            Job::BlockUntil(n, gate) => {
                let _ = gate.recv();
                self.ran.lock().unwrap().push(n);
                Ok(())
            }
            Job::Fail(n, error) => {
                self.ran.lock().unwrap().push(n);
                Err(error)
            }
            Job::Panic => panic!("job panicked on purpose"),
        }
    }
}

fn lane(depth: usize) -> (Lane<Recorder>, Arc<Mutex<Vec<u32>>>) {
    let ran = Arc::new(Mutex::new(Vec::new()));
    (Lane::new("test", depth, Recorder { ran: ran.clone() }).unwrap(), ran)
}

#[test]
fn async_depth_bounds_work_in_flight() {
    let (lane, ran) = lane(3);
    let (open, gate) = mpsc::channel();
    let first = lane.submit(Job::BlockUntil(0, gate)).map_err(|(e, _)| e).unwrap();
    let second = lane.submit(Job::Record(1)).map_err(|(e, _)| e).unwrap();
    let third = lane.submit(Job::Record(2)).map_err(|(e, _)| e).unwrap();
    let (error, job) = lane.submit(Job::Record(3)).unwrap_err();
    assert_eq!(error, SubmitError::Busy(3));
    assert!(matches!(job, Job::Record(3)), "a refused job is handed back untouched");
    assert!(!lane.has_room());
    assert_eq!(first.wait(Duration::from_millis(10)).unwrap_err(), SyncPointError::InExecution);
    open.send(()).unwrap();
    // Deferred synchronisation: submit N, then sync N, in order.
    for sync in [first, second, third] {
        assert_eq!(sync.wait(Duration::from_secs(5)), Ok(()));
    }
    assert!(lane.has_room());
    assert_eq!(*ran.lock().unwrap(), vec![0, 1, 2]);
}

#[test]
fn submit_many_then_sync_many_loses_nothing() {
    let (lane, ran) = lane(8);
    let mut expected = Vec::new();
    let mut pending = Vec::new();
    for n in 0..1000 {
        let mut job = Job::Record(n);
        loop {
            match lane.submit(job) {
                Ok(sync) => {
                    pending.push(sync);
                    break;
                }
                Err((SubmitError::Busy(_), back)) => {
                    job = back;
                    pending.remove(0).wait(Duration::from_secs(5)).unwrap();
                }
                Err((SubmitError::Closed, _)) => unreachable!(),
            }
        }
        expected.push(n);
    }
    for sync in pending {
        sync.wait(Duration::from_secs(5)).unwrap();
    }
    assert_eq!(*ran.lock().unwrap(), expected, "every frame once, in order");
}

#[test]
fn errors_travel_to_the_sync_point_and_panics_are_contained() {
    let (lane, _) = lane(2);
    let failed = lane.submit(Job::Fail(0, OperationError::Aborted)).map_err(|(e, _)| e).unwrap();
    assert_eq!(failed.wait(Duration::from_secs(5)), Err(SyncPointError::Failed(OperationError::Aborted)));
    let broken = lane.submit(Job::Fail(1, OperationError::Failed)).map_err(|(e, _)| e).unwrap();
    assert_eq!(broken.wait(Duration::from_secs(5)), Err(SyncPointError::Failed(OperationError::Failed)));
    let panicked = lane.submit(Job::Panic).map_err(|(e, _)| e).unwrap();
    assert_eq!(panicked.wait(Duration::from_secs(5)), Err(SyncPointError::Failed(OperationError::Panicked)));
    let after = lane.submit(Job::Record(2)).map_err(|(e, _)| e).unwrap();
    assert!(after.wait(Duration::from_secs(5)).is_ok(), "the lane survives a panicking job");
}

#[test]
fn close_finishes_queued_work() {
    let (mut lane, ran) = lane(4);
    let (open, gate) = mpsc::channel();
    let syncs: Vec<_> = [Job::BlockUntil(0, gate), Job::Record(1), Job::Record(2)]
        .into_iter()
        .map(|job| lane.submit(job).map_err(|(e, _)| e).unwrap())
        .collect();
    let opener = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        open.send(()).unwrap();
    });
    lane.close();
    opener.join().unwrap();
    assert!(syncs.iter().all(|s| s.is_done()));
    assert_eq!(*ran.lock().unwrap(), vec![0, 1, 2]);
    assert_eq!(lane.submit(Job::Record(3)).map_err(|(e, _)| e).unwrap_err(), SubmitError::Closed);
}

#[test]
fn sync_points_are_recycled_with_new_ids() {
    let (lane, _) = lane(1);
    let mut ids = std::collections::HashSet::new();
    for n in 0..50 {
        let sync = lane.submit(Job::Record(n)).map_err(|(e, _)| e).unwrap();
        assert!(ids.insert(sync.id()), "ids are never reused");
        sync.wait(Duration::from_secs(5)).unwrap();
    }
}
