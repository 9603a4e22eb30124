//! What a component did with parameters it accepted at Init or Reset.

/// Parameters a component took: as given, or with values corrected to ones it supports (what the
/// C API reports as `MFX_WRN_INCOMPATIBLE_VIDEO_PARAM`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accepted {
    /// Every parameter taken as given (`MFX_ERR_NONE`).
    AsGiven,
    /// Some parameters were corrected to values the component supports (`MFX_WRN_INCOMPATIBLE_VIDEO_PARAM`).
    Corrected,
}

impl Accepted {
    /// `Corrected` if `corrected`, else `AsGiven`.
    pub fn from_corrected(corrected: bool) -> Self {
        if corrected {
            Self::Corrected
        } else {
            Self::AsGiven
        }
    }

    /// True if something was corrected.
    pub fn is_corrected(self) -> bool {
        self == Self::Corrected
    }

    /// Corrected when either was.
    pub fn and(self, other: Accepted) -> Accepted {
        Self::from_corrected(self.is_corrected() || other.is_corrected())
    }
}
