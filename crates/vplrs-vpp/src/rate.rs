//! Frame-rate conversion: how many output frames each input frame gives when the output rate
//! differs from the input's. Frames are repeated or dropped, spread evenly: input `i` (from 0)
//! gives `floor((i + 1) * R) - floor(i * R)` outputs, `R` the output rate over the input rate, so
//! 24 → 30 repeats every fourth frame and 60 → 30 drops every other one. A frame given several
//! outputs is handed in once per output (`MFX_ERR_MORE_SURFACE` asks for the next output surface);
//! a frame given none is taken and answered `MFX_ERR_MORE_DATA`.

use vplrs_memory::FrameRate;

/// What one call makes of its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Turn {
    /// The input gives no output (dropped).
    Dropped,
    /// Output `repeat` (from 0) of the input; `more`: the input gives another one after it.
    Output { repeat: u32, more: bool },
}

/// The conversion's state across calls.
#[derive(Debug)]
pub(crate) struct RateConverter {
    /// `R` as a fraction: output frames per input frame.
    num: u128,
    den: u128,
    /// Inputs taken so far.
    inputs: u64,
    /// The input being repeated (its surface id) and the outputs it still gives.
    current: Option<u64>,
    remaining: u32,
    given: u32,
}

impl RateConverter {
    /// A converter from `input` to `output` frames per second; `None` when they are equal.
    pub fn new(input: FrameRate, output: FrameRate) -> Option<Self> {
        let num = u128::from(output.num) * u128::from(input.den);
        let den = u128::from(output.den) * u128::from(input.num);
        (num != den && num > 0 && den > 0).then_some(Self {
            num,
            den,
            inputs: 0,
            current: None,
            remaining: 0,
            given: 0,
        })
    }

    fn outputs_of(&self, index: u64) -> u32 {
        let index = u128::from(index);
        (((index + 1) * self.num / self.den) - (index * self.num / self.den)).min(u128::from(u32::MAX)) as u32
    }

    /// The turn of a call with input surface `surface` (its id). An input still owed outputs is
    /// the same surface again; another surface starts the next input (what the previous one still
    /// owed is dropped).
    pub fn next(&mut self, surface: u64) -> Turn {
        if self.current != Some(surface) || self.remaining == 0 {
            self.current = Some(surface);
            self.remaining = self.outputs_of(self.inputs);
            self.given = 0;
            self.inputs += 1;
            if self.remaining == 0 {
                self.current = None;
                return Turn::Dropped;
            }
        }
        self.remaining -= 1;
        let repeat = self.given;
        self.given += 1;
        Turn::Output { repeat, more: self.remaining > 0 }
    }

    /// The last call's output was not made (refused or busy): it is owed again.
    pub fn undo(&mut self) {
        if self.current.is_some() && self.given > 0 {
            self.given -= 1;
            self.remaining += 1;
            if self.given == 0 {
                // The input itself was not taken either.
                self.inputs -= 1;
                self.current = None;
                self.remaining = 0;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(num: u32, den: u32) -> FrameRate {
        FrameRate { num, den }
    }

    /// Outputs for `inputs` frames, counting the calls that answer MORE_SURFACE and MORE_DATA.
    fn run(input: FrameRate, output: FrameRate, inputs: u64) -> (u64, u64, u64) {
        let mut converter = RateConverter::new(input, output).unwrap();
        let (mut outputs, mut more_surface, mut more_data) = (0, 0, 0);
        for surface in 0..inputs {
            loop {
                match converter.next(surface % 3) {
                    Turn::Dropped => {
                        more_data += 1;
                        break;
                    }
                    Turn::Output { more, .. } => {
                        outputs += 1;
                        if !more {
                            break;
                        }
                        more_surface += 1;
                    }
                }
            }
        }
        (outputs, more_surface, more_data)
    }

    #[test]
    fn repeats_and_drops_spread_evenly() {
        assert_eq!(run(rate(24, 1), rate(30, 1), 24), (30, 6, 0));
        assert_eq!(run(rate(60, 1), rate(30, 1), 60), (30, 0, 30));
        assert_eq!(run(rate(30, 1), rate(60, 1), 30), (60, 30, 0));
        assert_eq!(run(rate(30000, 1001), rate(60000, 1001), 10), (20, 10, 0));
        assert!(RateConverter::new(rate(30, 1), rate(60, 2)).is_none(), "equal rates convert nothing");
    }

    #[test]
    fn a_refused_output_is_owed_again() {
        let mut converter = RateConverter::new(rate(30, 1), rate(60, 1)).unwrap();
        assert_eq!(converter.next(7), Turn::Output { repeat: 0, more: true });
        converter.undo();
        assert_eq!(converter.next(7), Turn::Output { repeat: 0, more: true });
        assert_eq!(converter.next(7), Turn::Output { repeat: 1, more: false });
        assert_eq!(converter.next(7), Turn::Output { repeat: 0, more: true }, "the same surface, refilled");
    }
}
