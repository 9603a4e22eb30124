//! Contract violations: misuse of the API the runtime detects, each logged (`VPLRS_LOG=warn` or
//! more) with a stable id, the function and the object, and answered with the documented code.
//! Every id is listed in `docs/contract-violations.md` with its rule and how to fix the
//! application.

use std::fmt::Display;

/// A misuse the runtime detected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Violation {
    /// Release of a surface whose reference counter is already zero.
    ReleasePastZero,
    /// Unmap of a surface that is not mapped.
    UnmapNotMapped,
    /// Map for writing while the surface is mapped, being produced or Locked.
    WriteWhileBusy,
    /// A surface a component still keeps (Locked) given as an output.
    OutputLocked,
    /// The same surface as input and output of one operation.
    SameSurfaceInOut,
    /// `mfxBitstream` data beyond `MaxLength`.
    BitstreamOutOfBounds,
    /// `NumExtParam` without `ExtParam`, a NULL buffer, or `BufferSz` too small for its id.
    BadExtBuffers,
    /// A `ChromaFormat` that contradicts the FourCC.
    ChromaFormatMismatch,
}

impl Violation {
    pub(crate) fn id(self) -> &'static str {
        match self {
            Self::ReleasePastZero => "VPLRS-E001",
            Self::UnmapNotMapped => "VPLRS-E002",
            Self::WriteWhileBusy => "VPLRS-E003",
            Self::OutputLocked => "VPLRS-E004",
            Self::SameSurfaceInOut => "VPLRS-E005",
            Self::BitstreamOutOfBounds => "VPLRS-E006",
            Self::BadExtBuffers => "VPLRS-E007",
            Self::ChromaFormatMismatch => "VPLRS-E008",
        }
    }

    fn rule(self) -> &'static str {
        match self {
            Self::ReleasePastZero => "Release without a matching reference (the surface was already released)",
            Self::UnmapNotMapped => "Unmap without a matching Map",
            Self::WriteWhileBusy => "Map(WRITE) while the surface is mapped, being produced or Locked by a component",
            Self::OutputLocked => "an output surface a component still keeps (Data.Locked > 0)",
            Self::SameSurfaceInOut => "one surface as input and output of the same operation",
            Self::BitstreamOutOfBounds => "DataOffset + DataLength beyond MaxLength",
            Self::BadExtBuffers => {
                "ExtParam NULL with NumExtParam > 0, a NULL buffer, or BufferSz smaller than its id's structure"
            }
            Self::ChromaFormatMismatch => "ChromaFormat contradicts the FourCC",
        }
    }
}

/// Logs `violation` in `function` on `object`.
pub(crate) fn report(violation: Violation, function: &str, object: impl Display) {
    tracing::warn!(
        target: "vplrs::contract",
        "{} in {function} on {object}: {} (docs/contract-violations.md)",
        violation.id(),
        violation.rule()
    );
}

/// Logs `violation` on `object` in the export running now (checks shared by many exports: the
/// parameters' extension buffers and frame info, a bitstream's bounds).
pub(crate) fn report_here(violation: Violation, object: impl Display) {
    let function = crate::ffi::current_export();
    report(violation, if function.is_empty() { "an export" } else { function }, object);
}
