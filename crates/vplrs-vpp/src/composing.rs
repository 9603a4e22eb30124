//! Composition's calls: the frames of the streams before the last are taken and held; the last
//! stream's frame queues the output (see [`Composition`](crate::Composition)).

use vplrs_memory::{MapError, Surface};
use vplrs_runtime::{SubmitError, SyncPoint};

use crate::component::{Running, Vpp};
use crate::error::VppError;
use crate::worker::VppJob;

impl Vpp {
    /// Composition: takes the frame of a stream before the last (true; the caller answers
    /// `MoreData`), held Locked until the output is made. False for the last stream's frame,
    /// and without composition.
    pub(crate) fn gather(running: &mut Running, input: &Surface) -> Result<bool, VppError> {
        let Some(composition) = running.params.composition.as_ref() else { return Ok(false) };
        if running.composed.len() + 1 >= composition.streams.len() {
            return Ok(false);
        }
        if input.is_written_by_application() {
            return Err(MapError::Busy.into());
        }
        let hold = input
            .hold_for_operation("VPP (a composed stream)", running.submitted + 1)
            .map_err(|_| VppError::SurfaceMismatch("input Locked counter overflow"))?;
        running.composed.push((input.clone(), hold));
        Ok(true)
    }

    /// Composition: takes the last stream's frame and queues the output.
    pub(crate) fn compose(running: &mut Running, input: &Surface, output: &Surface) -> Result<SyncPoint, VppError> {
        let operation = running.submitted + 1;
        let hold = input
            .hold_for_operation("VPP (a composed stream)", operation)
            .map_err(|_| VppError::SurfaceMismatch("input Locked counter overflow"))?;
        running.composed.push((input.clone(), hold));
        // The last stream's frame: the output is written now. Whatever fails leaves the frames
        // taken before, so that the application can give the last one again.
        let output_guard = match output.begin_output() {
            Ok(guard) => guard,
            Err(error) => {
                running.composed.pop();
                return Err(error.into());
            }
        };
        let Ok(output_hold) = output.hold_for_operation("VPP (its output)", operation) else {
            running.composed.pop();
            return Err(VppError::SurfaceMismatch("output Locked counter overflow"));
        };
        let mut layers = std::mem::take(&mut running.composed);
        let (first, input_hold) = layers.remove(0);
        let job = VppJob {
            input: first,
            input_hold,
            output_hold,
            output: output_guard,
            geometry: Self::geometry(&running.params, output, 0),
            composition: running.composition.clone(),
            layers,
        };
        match running.lane.submit(job) {
            Ok(sync) => {
                running.submitted += 1;
                Ok(sync)
            }
            Err((error, job)) => {
                let VppJob { input, input_hold, mut layers, .. } = job;
                layers.insert(0, (input, input_hold));
                layers.pop();
                running.composed = layers;
                Err(error.into())
            }
        }
    }

    /// Composition: the streams' frames taken for the output under way (0 without one).
    pub fn composition_pending(&self) -> usize {
        self.running.as_ref().map_or(0, |running| running.composed.len())
    }

    /// Composes one output from a frame of each stream of the composition (in stream order) into
    /// `output`: [`run_frame_async`](Self::run_frame_async) once per stream.
    pub fn compose_async(&mut self, inputs: &[&Surface], output: &Surface) -> Result<SyncPoint, VppError> {
        let running = self.running()?;
        if running.params.composition.as_ref().map(|c| c.streams.len()) != Some(inputs.len()) {
            return Err(VppError::InvalidParams("one frame for each stream of the composition"));
        }
        if !running.composed.is_empty() {
            return Err(VppError::InvalidParams("a composition is under way through run_frame_async"));
        }
        // All or nothing: no frame is taken when the output could not be queued.
        if !running.lane.has_room() {
            return Err(SubmitError::Busy(running.lane.in_flight()).into());
        }
        let (last, gathered) = inputs.split_last().ok_or(VppError::MoreData)?;
        for input in gathered {
            match self.run_frame_async(Some(input), output) {
                Err(VppError::MoreData) => {}
                Err(error) => return Err(error),
                Ok(_) => return Err(VppError::InvalidParams("the composition took fewer frames than it has streams")),
            }
        }
        self.run_frame_async(Some(last), output)
    }
}
