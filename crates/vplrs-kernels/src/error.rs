//! Why a conversion was refused. Every check runs before any pixel is written.

use vplrs_memory::{FourCc, Rect};

/// Which side of a conversion an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Source,
    Destination,
}

impl std::fmt::Display for Side {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Side::Source => "source",
            Side::Destination => "destination",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KernelError {
    #[error("{side} rect {rect:?} is empty")]
    EmptyRect { side: Side, rect: Rect },
    #[error("{side} rect {rect:?} does not fit in the {width}x{height} frame")]
    RectOutsideFrame { side: Side, rect: Rect, width: u32, height: u32 },
    /// The view's plane is smaller than its frame size says (a hand-made view, or an empty plane).
    #[error(
        "{side} {fourcc} plane {plane} has {rows} rows of {row_bytes} bytes; the rect needs {needed_rows} rows of {needed_bytes} bytes"
    )]
    PlaneTooSmall {
        side: Side,
        fourcc: FourCc,
        plane: usize,
        rows: usize,
        row_bytes: usize,
        needed_rows: usize,
        needed_bytes: usize,
    },
    #[error("conversion {from} -> {to} is not supported")]
    Unsupported { from: FourCc, to: FourCc },
    /// A SIMD back end refused arguments this crate had already checked: a bug in this crate.
    #[error("internal error in the {0} kernel")]
    Internal(&'static str),
}
