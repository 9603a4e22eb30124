//! One decode operation on the component's lane.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;
use vplrs_memory::{OperationError, OutputGuard, Rect};
use vplrs_runtime::Worker;

use crate::backend::DecoderBackend;

/// `MFX_CORRUPTION_MAJOR`.
const CORRUPTION_MAJOR: u16 = 0x0002;

pub(crate) struct DecodeJob {
    pub data: Vec<u8>,
    /// The surface receiving the picture; none for a hidden frame.
    pub output: Option<OutputGuard>,
}

pub(crate) struct DecodeWorker {
    pub backend: Box<dyn DecoderBackend>,
    pub spare_buffers: Arc<Mutex<Vec<Vec<u8>>>>,
    pub counters: Arc<WorkerCounters>,
}

#[derive(Default)]
pub(crate) struct WorkerCounters {
    pub decoded: AtomicU64,
    pub corrupted: AtomicU64,
    pub errors: AtomicU64,
    pub copies: AtomicU64,
}

impl Worker for DecodeWorker {
    type Job = DecodeJob;

    fn run(&mut self, job: &mut DecodeJob) -> Result<(), OperationError> {
        let result = {
            let mut view = job.output.as_mut().map(|guard| guard.view_mut());
            self.backend.decode(&job.data, view.as_mut())
        };
        self.counters.copies.store(self.backend.copies(), Ordering::Relaxed);
        match result {
            Ok(picture) => {
                self.counters.decoded.fetch_add(1, Ordering::Relaxed);
                if let (Some(picture), Some(output)) = (picture, &job.output) {
                    if picture.corrupted {
                        self.counters.corrupted.fetch_add(1, Ordering::Relaxed);
                    }
                    output.surface().update_meta(|meta| {
                        meta.info.crop = Rect { x: 0, y: 0, width: picture.width, height: picture.height };
                        meta.corrupted = if picture.corrupted { CORRUPTION_MAJOR } else { 0 };
                    });
                } else if job.output.is_some() {
                    // A frame announced as shown produced no picture: nothing valid to hand out.
                    return Err(OperationError::Aborted);
                }
                Ok(())
            }
            Err(error) => {
                tracing::warn!(%error, "frame not decoded");
                self.counters.errors.fetch_add(1, Ordering::Relaxed);
                Err(OperationError::Aborted)
            }
        }
    }

    fn complete(&mut self, job: DecodeJob, outcome: Result<(), OperationError>) {
        let DecodeJob { mut data, output } = job;
        if let Some(output) = output {
            output.finish(outcome);
        }
        data.clear();
        self.spare_buffers.lock().push(data);
    }
}
