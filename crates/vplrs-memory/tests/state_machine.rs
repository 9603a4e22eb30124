//! Random sequences of surface operations against a model of the documented rules: every call
//! answers exactly what the model predicts, and the surface's counters follow the model.

use proptest::prelude::*;
use vplrs_memory::{FourCc, FrameInfo, LayoutOptions, MapError, MapFlags, Surface};

/// What a call answers: success, or the reason of a refusal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answer {
    Done,
    /// Access refused while somebody has access.
    Busy,
    /// Write access refused while the frame is Locked.
    Locked,
    /// A NOWAIT read refused while a writer is at work.
    WouldWait,
    InvalidFlags,
    NotMapped,
}

fn answer<T>(result: Result<T, MapError>) -> Answer {
    match result {
        Ok(_) => Answer::Done,
        Err(MapError::Busy) => Answer::Busy,
        Err(MapError::Locked(_)) => Answer::Locked,
        Err(MapError::WouldWait) => Answer::WouldWait,
        Err(MapError::InvalidFlags(_)) => Answer::InvalidFlags,
        Err(MapError::NotMapped) => Answer::NotMapped,
        Err(other) => panic!("unexpected {other}"),
    }
}

#[derive(Clone, Copy, Debug)]
enum Op {
    AddRef,
    Release,
    MapRead,
    MapReadNoWait,
    MapWrite,
    MapReadWrite,
    MapInvalid(u32),
    Unmap,
    LockFrame,
    UnlockFrame,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        Just(Op::AddRef),
        Just(Op::Release),
        Just(Op::MapRead),
        Just(Op::MapReadNoWait),
        Just(Op::MapWrite),
        Just(Op::MapReadWrite),
        prop::sample::select(vec![0u32, 0x4, 0x10, 0x20, 0x100]).prop_map(Op::MapInvalid),
        Just(Op::Unmap),
        Just(Op::LockFrame),
        Just(Op::UnlockFrame),
    ]
}

/// What the documentation says a surface's state is.
#[derive(Debug, Default)]
struct Model {
    /// References beyond the one the test's own handle holds.
    extra_refs: u32,
    readers: u32,
    writer: bool,
    locked: u16,
}

impl Model {
    /// The answer the documented rules give `op`, updating the model.
    fn apply(&mut self, op: Op) -> Answer {
        match op {
            Op::AddRef => {
                self.extra_refs += 1;
                Answer::Done
            }
            Op::Release if self.extra_refs == 0 => Answer::Done, // the test skips its own last ref
            Op::Release => {
                self.extra_refs -= 1;
                Answer::Done
            }
            Op::MapRead | Op::MapReadNoWait if self.writer => Answer::WouldWait,
            Op::MapRead | Op::MapReadNoWait => {
                self.readers += 1;
                Answer::Done
            }
            Op::MapWrite | Op::MapReadWrite if self.locked > 0 => Answer::Locked,
            Op::MapWrite | Op::MapReadWrite if self.writer || self.readers > 0 => Answer::Busy,
            Op::MapWrite | Op::MapReadWrite => {
                self.writer = true;
                Answer::Done
            }
            Op::MapInvalid(_) => Answer::InvalidFlags,
            Op::Unmap if self.readers > 0 => {
                self.readers -= 1;
                Answer::Done
            }
            Op::Unmap if self.writer => {
                self.writer = false;
                Answer::Done
            }
            Op::Unmap => Answer::NotMapped,
            Op::LockFrame => {
                self.locked += 1;
                Answer::Done
            }
            // Safe code can only end a hold it has: nothing to drop.
            Op::UnlockFrame if self.locked == 0 => Answer::Done,
            Op::UnlockFrame => {
                self.locked -= 1;
                Answer::Done
            }
        }
    }
}

/// Ends a raw access taken by the test itself.
fn unmap(surface: &Surface) -> Result<(), vplrs_memory::MapError> {
    // SAFETY: the test takes every raw access itself and never uses its plane pointers.
    unsafe { surface.unmap() }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn surface_follows_the_documented_rules(ops in prop::collection::vec(op(), 1..60)) {
        let surface = Surface::new(FrameInfo::new(FourCc::Nv12, 32, 32), LayoutOptions::default()).unwrap();
        let mut model = Model::default();
        let mut handles = Vec::new();
        let mut holds = Vec::new();
        for op in ops {
            if matches!(op, Op::MapRead) && model.writer {
                // A blocking read would wait for the writer forever in a single thread; the
                // NOWAIT variant checks the same state without waiting.
                continue;
            }
            let expected = model.apply(op);
            let got = match op {
                Op::AddRef => {
                    handles.push(surface.clone());
                    Answer::Done
                }
                Op::Release => {
                    handles.pop();
                    Answer::Done
                }
                Op::MapRead => answer(surface.map(MapFlags::READ.bits())),
                Op::MapReadNoWait => answer(surface.map((MapFlags::READ | MapFlags::NOWAIT).bits())),
                Op::MapWrite => answer(surface.map(MapFlags::WRITE.bits())),
                Op::MapReadWrite => answer(surface.map(MapFlags::READ_WRITE.bits())),
                Op::MapInvalid(flags) => answer(surface.map(flags)),
                Op::Unmap => answer(unmap(&surface)),
                Op::LockFrame => {
                    holds.push(surface.hold().unwrap());
                    Answer::Done
                },
                Op::UnlockFrame => {
                    holds.pop();
                    Answer::Done
                }
            };
            prop_assert_eq!(got, expected, "{:?} with model {:?}", op, model);
            // A LockedHold keeps a handle of its own.
            prop_assert_eq!(surface.ref_count(), 1 + model.extra_refs + u32::from(model.locked));
            prop_assert_eq!(surface.locked(), model.locked);
            prop_assert_eq!(surface.is_accessed(), model.readers > 0 || model.writer);
        }
        // Unwind: everything the sequence took is given back without error.
        for _ in 0..model.readers { unmap(&surface).unwrap(); }
        if model.writer { unmap(&surface).unwrap(); }
        holds.clear();
        handles.clear();
        prop_assert_eq!(surface.ref_count(), 1);
        prop_assert!(!surface.is_accessed());
    }
}
