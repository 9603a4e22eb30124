//! Frame-rate conversion by interpolation (`MFX_FRCALGM_FRAME_INTERPOLATION`): output frame `j`
//! shows the input at position `p = j · Rin / Rout` (in input frames); between inputs `⌊p⌋` and
//! `⌊p⌋ + 1` it mixes them, the later one weighing the fraction of `p`. An output can be made once
//! both inputs are in, so VPP keeps the previous input (Locked) between calls: input `n` gives
//! the outputs whose position lies in `[n − 1, n)` (`MFX_ERR_MORE_SURFACE` between them, the same
//! input given again), none for the first input and for inputs a lower rate skips
//! (`MFX_ERR_MORE_DATA`). Draining (no input) gives the outputs after the last input, which show
//! it alone.

use vplrs_memory::{FrameRate, Surface};
use vplrs_runtime::SyncPoint;

use crate::component::{frame_identity, Running, Vpp};
use crate::error::VppError;
use crate::worker::VppJob;

/// What one call makes of its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Step {
    /// No output: the input becomes the previous frame (or, draining, there is nothing left).
    Hold,
    /// Output `index`: the previous frame mixed with the input, `weight` / 256 of the input;
    /// `more`: the input gives another output after this one.
    Output { index: u64, weight: u32, more: bool },
}

/// The conversion's state across calls.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Interpolator {
    /// `Rin / Rout` as a fraction: input frames per output frame.
    num: u128,
    den: u128,
    /// Inputs taken so far.
    inputs: u64,
    /// The next output to make.
    next_output: u64,
    /// The input being expanded (its identity) and the end of its outputs.
    current: Option<u64>,
    end: u64,
}

impl Interpolator {
    /// An interpolator from `input` to `output` frames per second; `None` when they are equal.
    pub fn new(input: FrameRate, output: FrameRate) -> Option<Self> {
        let num = u128::from(input.num) * u128::from(output.den);
        let den = u128::from(input.den) * u128::from(output.num);
        (num != den && num > 0 && den > 0).then_some(Self {
            num,
            den,
            inputs: 0,
            next_output: 0,
            current: None,
            end: 0,
        })
    }

    /// The first output whose position is at or after input `n`.
    fn first_output_at(&self, n: u64) -> u64 {
        (u128::from(n) * self.den).div_ceil(self.num).min(u128::from(u64::MAX)) as u64
    }

    /// The share of the later input in output `index` (0 to 255, in 256ths).
    fn weight(&self, index: u64) -> u32 {
        let remainder = (u128::from(index) * self.num) % self.den;
        ((remainder * 256 + self.den / 2) / self.den).min(255) as u32
    }

    fn output(&mut self) -> Step {
        let index = self.next_output;
        self.next_output += 1;
        Step::Output { index, weight: self.weight(index), more: self.next_output < self.end }
    }

    /// The step of a call with the input whose identity is `frame`.
    pub fn next(&mut self, frame: u64) -> Step {
        if self.current == Some(frame) && self.next_output < self.end {
            return self.output();
        }
        let n = self.inputs;
        self.inputs += 1;
        self.current = Some(frame);
        if n == 0 {
            self.end = 0;
            return Step::Hold;
        }
        self.next_output = self.next_output.max(self.first_output_at(n - 1));
        self.end = self.first_output_at(n);
        if self.next_output >= self.end {
            return Step::Hold;
        }
        self.output()
    }

    /// The step of a draining call: the outputs after the last input, which show it alone
    /// (weight 0); `Hold` when none is left, after which a new sequence starts.
    pub fn drain(&mut self) -> Step {
        if self.inputs == 0 {
            return Step::Hold;
        }
        self.next_output = self.next_output.max(self.first_output_at(self.inputs - 1));
        self.end = self.first_output_at(self.inputs);
        if self.next_output >= self.end {
            *self = Self { inputs: 0, next_output: 0, current: None, end: 0, ..*self };
            return Step::Hold;
        }
        let index = self.next_output;
        self.next_output += 1;
        Step::Output { index, weight: 0, more: self.next_output < self.end }
    }
}

impl Vpp {
    /// Frame interpolation's call: `input` (`None`: draining) into `output`.
    pub(crate) fn interpolate(
        running: &mut Running,
        input: Option<&Surface>,
        output: &Surface,
    ) -> Result<SyncPoint, VppError> {
        let Some(interpolator) = running.interpolator.as_mut() else { return Err(VppError::MoreData) };
        let saved = *interpolator;
        let step = match input {
            Some(input) => interpolator.next(frame_identity(input)),
            None => interpolator.drain(),
        };
        let operation = running.submitted + 1;
        let hold = |surface: &Surface| {
            surface
                .hold_for_operation("VPP (a frame interpolated from)", operation)
                .map_err(|_| VppError::SurfaceMismatch("input Locked counter overflow"))
        };
        let Step::Output { index, weight, more } = step else {
            running.repeats_pending = false;
            running.held = match input {
                // The input becomes the previous frame (the first one, or one a lower rate skips).
                Some(input) => {
                    if running.held.is_none() {
                        running.first_timestamp = input.meta().timestamp;
                    }
                    Some((input.clone(), hold(input)?))
                }
                None => None,
            };
            return Err(VppError::MoreData);
        };
        let Some((previous, _)) = running.held.as_ref() else {
            *interpolator = saved;
            return Err(VppError::MoreData);
        };
        let mut geometry = Self::geometry(&running.params, output, 0);
        geometry.weight = match input {
            Some(_) => weight,
            None => 0,
        };
        let first = running.first_timestamp;
        if first != vplrs_memory::surface::TIMESTAMP_UNKNOWN {
            geometry.timestamp = Some(first.saturating_add(index.saturating_mul(geometry.frame_period)));
        }
        let layers = match input {
            Some(next) if weight > 0 => vec![(next.clone(), hold(next)?)],
            _ => Vec::new(),
        };
        let job = VppJob {
            input: previous.clone(),
            input_hold: hold(previous)?,
            output_hold: output
                .hold_for_operation("VPP (its output)", operation)
                .map_err(|_| VppError::SurfaceMismatch("output Locked counter overflow"))?,
            output: output.begin_output()?,
            geometry,
            composition: None,
            layers,
        };
        match running.lane.submit(job) {
            Ok(sync) => {
                running.submitted += 1;
                running.repeats_pending = more;
                if let (false, Some(input)) = (more, input) {
                    // The input's outputs are made: it is the previous frame of the next input.
                    running.held = Some((input.clone(), hold(input)?));
                }
                Ok(sync)
            }
            Err((error, _job)) => {
                if let Some(interpolator) = running.interpolator.as_mut() {
                    *interpolator = saved;
                }
                Err(error.into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(num: u32) -> FrameRate {
        FrameRate { num, den: 1 }
    }

    /// Outputs (and their weights) for `inputs` frames and the drain after them.
    fn run(input: u32, output: u32, inputs: u64) -> Vec<(u64, u32)> {
        let mut interpolator = Interpolator::new(rate(input), rate(output)).unwrap();
        let mut outputs = Vec::new();
        for frame in 0..inputs {
            while let Step::Output { index, weight, more } = interpolator.next(frame) {
                outputs.push((index, weight));
                if !more {
                    break;
                }
            }
        }
        while let Step::Output { index, weight, .. } = interpolator.drain() {
            outputs.push((index, weight));
        }
        outputs
    }

    #[test]
    fn outputs_sit_between_their_inputs() {
        // 24 -> 30: positions 0, 0.8, 1.6, 2.4, 3.2, 4.0, ...
        let outputs = run(24, 30, 24);
        assert_eq!(outputs.len(), 30);
        assert_eq!(&outputs[..6], &[(0, 0), (1, 205), (2, 154), (3, 102), (4, 51), (5, 0)]);
        // 60 -> 30: every other input, exactly.
        let halved = run(60, 30, 60);
        assert_eq!(halved.len(), 30);
        assert!(halved.iter().all(|&(_, weight)| weight == 0));
        // 30 -> 60: each input, then the midpoint to the next.
        let doubled = run(30, 60, 10);
        assert_eq!(doubled.len(), 20);
        assert_eq!(&doubled[..4], &[(0, 0), (1, 128), (2, 0), (3, 128)]);
        assert_eq!(doubled[19], (19, 0), "after the last input, the drain shows it alone");
        assert!(doubled.iter().enumerate().all(|(i, &(index, _))| index == i as u64));
        assert!(Interpolator::new(rate(30), FrameRate { num: 60, den: 2 }).is_none());
    }
}
