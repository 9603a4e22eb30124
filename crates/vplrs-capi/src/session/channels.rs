//! The decode+VPP channels as the application described them: kept with the session for
//! `GetChannelParam`, which returns the application's own frame info, updated.

use vplrs::decode_vpp::ChannelParams;
use vplrs_memory::{AllocationHints, FrameInfo, Rect};

use crate::bindings::*;

/// One channel as the application asked for it.
#[derive(Clone, Copy)]
pub(crate) struct ChannelRequest {
    pub(crate) id: u16,
    /// The application's frame info, returned (updated) by GetChannelParam.
    pub(crate) info: mfxFrameInfo,
    pub(crate) io_pattern: u16,
    pub(crate) output: FrameInfo,
    pub(crate) hints: AllocationHints,
    /// `mfxExtInCrops`: the source rectangle in the decoded picture.
    pub(crate) in_crop: Option<Rect>,
}

impl ChannelRequest {
    /// The channel as the component takes it.
    pub(crate) fn params(&self) -> ChannelParams {
        ChannelParams { id: self.id, output: self.output, hints: self.hints, in_crop: self.in_crop }
    }
}
