//! The vplrs runtime: how work runs, not what it computes.
//!
//! - [`sync`]: sync points (`mfxSyncPoint`), which carry an operation's outcome to whoever waits;
//! - [`accepted`]: what Init and Reset did with the parameters they took;
//! - [`lane`]: a component's serial worker, with `AsyncDepth` back-pressure;
//! - [`core`]: what a session shares between its components: the application's allocator and
//!   the pools made from `QueryIOSurf` answers and allocation hints.
//!
//! Each component gets its own [`Lane`]: work of one component runs in submission order on its
//! own thread, so a component never waits behind another, and a stage that waits for its
//! upstream's output (a read map of a surface still being produced) always makes progress.
//! Dependencies between components need no scheduler bookkeeping: a surface being produced is
//! held for writing until its producer finishes, and a consumer's read map waits for that.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod accepted;
pub mod core;
pub mod lane;
pub mod sync;

pub use crate::core::{Core, IoPattern};
pub use accepted::Accepted;
pub use lane::{Lane, SubmitError, Worker};
pub use sync::{SyncPoint, SyncPointError};
