//! Random sequences of surface operations against a model of the documented rules: every call
//! returns exactly the status the model predicts, and the surface's counters follow the model.

use proptest::prelude::*;
use vplrs_memory::{FourCc, FrameInfo, LayoutOptions, MapFlags, Status, Surface, ToStatus};

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
    /// The status the documented rules give `op`, updating the model.
    fn apply(&mut self, op: Op) -> Status {
        match op {
            Op::AddRef => {
                self.extra_refs += 1;
                Status::ERR_NONE
            }
            Op::Release if self.extra_refs == 0 => Status::ERR_NONE, // the test skips its own last ref
            Op::Release => {
                self.extra_refs -= 1;
                Status::ERR_NONE
            }
            Op::MapRead | Op::MapReadNoWait if self.writer => Status::ERR_LOCK_MEMORY,
            Op::MapRead | Op::MapReadNoWait => {
                self.readers += 1;
                Status::ERR_NONE
            }
            Op::MapWrite | Op::MapReadWrite if self.locked > 0 || self.writer || self.readers > 0 => {
                Status::ERR_LOCK_MEMORY
            }
            Op::MapWrite | Op::MapReadWrite => {
                self.writer = true;
                Status::ERR_NONE
            }
            Op::MapInvalid(_) => Status::ERR_UNSUPPORTED,
            Op::Unmap if self.readers > 0 => {
                self.readers -= 1;
                Status::ERR_NONE
            }
            Op::Unmap if self.writer => {
                self.writer = false;
                Status::ERR_NONE
            }
            Op::Unmap => Status::ERR_UNSUPPORTED,
            Op::LockFrame => {
                self.locked += 1;
                Status::ERR_NONE
            }
            // Safe code can only end a hold it has: nothing to drop.
            Op::UnlockFrame if self.locked == 0 => Status::ERR_NONE,
            Op::UnlockFrame => {
                self.locked -= 1;
                Status::ERR_NONE
            }
        }
    }
}

/// Ends a raw access taken by the test itself.
fn unmap(surface: &Surface) -> Result<(), vplrs_memory::MapError> {
    // SAFETY: the test takes every raw access itself and never uses its plane pointers.
    unsafe { surface.unmap() }
}

fn status_of<T, E: ToStatus>(result: Result<T, E>) -> Status {
    result.map_or_else(|e| e.status(), |_| Status::ERR_NONE)
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
                    Status::ERR_NONE
                }
                Op::Release => {
                    handles.pop();
                    Status::ERR_NONE
                }
                Op::MapRead => status_of(surface.map(MapFlags::READ.bits())),
                Op::MapReadNoWait => status_of(surface.map((MapFlags::READ | MapFlags::NOWAIT).bits())),
                Op::MapWrite => status_of(surface.map(MapFlags::WRITE.bits())),
                Op::MapReadWrite => status_of(surface.map(MapFlags::READ_WRITE.bits())),
                Op::MapInvalid(flags) => status_of(surface.map(flags)),
                Op::Unmap => status_of(unmap(&surface)),
                Op::LockFrame => status_of(surface.hold().map(|hold| holds.push(hold))),
                Op::UnlockFrame => {
                    holds.pop();
                    Status::ERR_NONE
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
