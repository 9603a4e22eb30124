//! Why a conversion was refused. Every check runs before any pixel is written.

use vplrs_memory::{FourCc, Rect};

/// Which side of a conversion an error is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// The frame read.
    Source,
    /// The frame written.
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
/// Why a kernel refused its arguments.
pub enum KernelError {
    /// A rectangle of no pixels.
    #[error("{side} rect {rect:?} is empty")]
    EmptyRect {
        /// Which frame's rectangle.
        side: Side,
        /// The rectangle.
        rect: Rect,
    },
    /// A rectangle reaching outside its frame.
    #[error("{side} rect {rect:?} does not fit in the {width}x{height} frame")]
    RectOutsideFrame {
        /// Which frame's rectangle.
        side: Side,
        /// The rectangle.
        rect: Rect,
        /// The frame's width.
        width: u32,
        /// The frame's height.
        height: u32,
    },
    /// The view's plane is smaller than its frame size says (a hand-made view, or an empty plane).
    #[error(
        "{side} {fourcc} plane {plane} has {rows} rows of {row_bytes} bytes; the rect needs {needed_rows} rows of {needed_bytes} bytes"
    )]
    PlaneTooSmall {
        /// Which frame's plane.
        side: Side,
        /// The frame's format.
        fourcc: FourCc,
        /// The plane's index.
        plane: usize,
        /// Rows the plane has.
        rows: usize,
        /// Bytes each of its rows has.
        row_bytes: usize,
        /// Rows the rectangle needs.
        needed_rows: usize,
        /// Bytes per row the rectangle needs.
        needed_bytes: usize,
    },
    /// No kernel converts these formats.
    #[error("conversion {from} -> {to} is not supported")]
    Unsupported {
        /// The source format.
        from: FourCc,
        /// The destination format.
        to: FourCc,
    },
    /// A SIMD back end refused arguments this crate had already checked: a bug in this crate.
    #[error("internal error in the {0} kernel")]
    Internal(&'static str),
}
