//! Decode+VPP (`MFXVideoDECODE_VPP_*`, API 2.1): the session's decoder feeding VPP channels, in
//! internal memory.
//!
//! Each decoded picture goes, unchanged, to the application as channel 0 (unless it asked to skip
//! it) and to every channel: one [`Vpp`] each, with its own output pool (`hints`), reading the
//! decoded picture in place. A channel's VPP job waits for the decode through the picture itself
//! (its read map waits for the decoder; a failed decode aborts the job), so nothing here waits for
//! the decoder; each channel keeps up to AsyncDepth frames in flight (the decoder's AsyncDepth),
//! waiting for its oldest only when it has that many.

use std::collections::VecDeque;
use std::time::Duration;

use vplrs_decode::{Decode, DecodeError, DecodeParams, DecodedFrame};
use vplrs_memory::sizing::effective_async_depth;
use vplrs_memory::{AllocationHints, FrameInfo, FrameRate, Rect, Surface};
use vplrs_runtime::{Accepted, SyncPoint, SyncPointError};
use vplrs_vpp::{Vpp, VppError, VppParams};

use crate::Core;

/// One channel as the application asks for it (`mfxVideoChannelParam`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChannelParams {
    /// `ChannelId`: not 0 (the decoder's own output), unique.
    pub id: u16,
    /// The channel's frames: format, size, crop, frame rate (0/0: the decoder's).
    pub output: FrameInfo,
    /// `mfxExtAllocationHints` for the channel's output pool.
    pub hints: AllocationHints,
    /// `mfxExtInCrops`: the part of the decoded picture the channel scales (None: all of it).
    pub in_crop: Option<Rect>,
}

impl ChannelParams {
    /// A channel `id` (1 and up; 0 is the decoder's) giving pictures of `output`.
    pub fn new(id: u16, output: FrameInfo) -> Self {
        Self { id, output, hints: AllocationHints::default(), in_crop: None }
    }

    /// The VPP parameters of this channel fed with pictures described by `decoded`. VPP does not
    /// convert frame rates: both sides take the channel's rate (the decoder's when it gives none).
    pub fn vpp_params(&self, decoded: &FrameInfo, async_depth: u16) -> Result<VppParams, DecodeVppError> {
        let mut input = *decoded;
        if let Some(crop) = self.in_crop {
            let frame = decoded.effective_crop();
            if crop.x + crop.width > frame.x + frame.width || crop.y + crop.height > frame.y + frame.height {
                return Err(DecodeVppError::InvalidChannel(self.id, "the input crop lies outside the decoded picture"));
            }
            input.crop = crop;
        }
        let valid = |rate: &FrameRate| rate.num != 0 && rate.den != 0;
        let rate = [self.output.frame_rate, decoded.frame_rate].into_iter().find(valid).unwrap_or_default();
        input.frame_rate = rate;
        let mut output = self.output;
        output.frame_rate = rate;
        let mut params = VppParams::new(input, output).with_async_depth(async_depth);
        params.output_hints = self.hints;
        Ok(params)
    }
}

/// Why a decode+VPP call failed.
#[derive(Debug, thiserror::Error)]
pub enum DecodeVppError {
    #[error("decode+VPP is not initialized")]
    /// A call before Init, or after Close.
    NotInitialized,
    #[error("decode+VPP is already initialized")]
    /// Init while initialised: Close first.
    AlreadyInitialized,
    #[error("channel {0}: {1}")]
    /// A channel's description is unusable (its id, and why).
    InvalidChannel(u16, &'static str),
    /// A Reset names a channel Init did not make.
    #[error("no channel {0}")]
    UnknownChannel(u16),
    /// A Reset asks a channel for another format or larger frames than Init: Close and Init.
    #[error("channel {0}: Reset cannot change the format or enlarge the frames of Init")]
    ResetIncompatible(u16),
    #[error(transparent)]
    /// The decoder's own error.
    Decode(#[from] DecodeError),
    #[error("channel {channel}: {error}")]
    /// A channel's VPP failed.
    Vpp {
        /// The channel's id.
        channel: u16,
        /// Its VPP's error.
        error: VppError,
    },
}

fn vpp_error(channel: u16) -> impl Fn(VppError) -> DecodeVppError {
    move |error| DecodeVppError::Vpp { channel, error }
}

/// A channel's frame on its way.
#[derive(Debug)]
pub struct ChannelOutput {
    /// The channel's id.
    pub channel: u16,
    /// The channel's picture, being produced until `sync` completes.
    pub surface: Surface,
    /// Completes when `surface` holds the picture.
    pub sync: SyncPoint,
}

/// What one call produced: the decoded picture (channel 0; `None` when skipped) and one frame per
/// channel not skipped, in the order of Init.
#[derive(Debug)]
pub struct DecodedPictures {
    /// The decoder's own picture (channel 0), unless it was skipped.
    pub decoded: Option<DecodedFrame>,
    /// One picture per channel not skipped, in the order of the channels.
    pub channels: Vec<ChannelOutput>,
}

/// A surface about to be produced, shown to the caller before its work is queued (the C layer
/// installs its completion there).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Produced {
    /// The decoder's picture.
    Decoded,
    /// A channel's frame, made from the decoded picture.
    Channel(u16),
}

struct Channel {
    params: ChannelParams,
    vpp: Vpp,
    in_flight: VecDeque<SyncPoint>,
}

impl Channel {
    /// Waits for the channel's oldest frames until fewer than `depth` are in flight. The wait is
    /// for the channel's own work, which always ends (a failure ends it too).
    fn make_room(&mut self, depth: usize) {
        self.in_flight.retain(|sync| !sync.is_done());
        while self.in_flight.len() >= depth {
            let Some(oldest) = self.in_flight.pop_front() else { break };
            while let Err(SyncPointError::InExecution) = oldest.wait(Duration::from_secs(1)) {}
        }
    }

    /// Waits for every frame in flight.
    fn drain(&mut self) {
        for sync in self.in_flight.drain(..) {
            while let Err(SyncPointError::InExecution) = sync.wait(Duration::from_secs(1)) {}
        }
    }
}

/// An initialised decode+VPP component. The decoder is the session's [`Decode`], passed to each
/// call, so that the decoder's own functions (DecodeHeader, GetVideoParam, statistics) answer for
/// it.
pub struct DecodeVpp {
    channels: Vec<Channel>,
    skip_decoder_output: bool,
    async_depth: u16,
}

/// Ids not 0, each once.
fn check_ids(channels: &[ChannelParams]) -> Result<(), DecodeVppError> {
    for (index, channel) in channels.iter().enumerate() {
        if channel.id == 0 {
            return Err(DecodeVppError::InvalidChannel(0, "channel 0 is the decoder's own output"));
        }
        if channels[..index].iter().any(|other| other.id == channel.id) {
            return Err(DecodeVppError::InvalidChannel(channel.id, "the id is used twice"));
        }
    }
    Ok(())
}

impl DecodeVpp {
    /// `Init`: the decoder (`decode`, which must not be running), then every channel. Returns the
    /// component and whether VPP corrected a channel's parameters. Nothing stays initialised when
    /// it fails.
    pub fn init(
        core: &Core,
        decode: &mut Decode,
        params: &DecodeParams,
        channels: &[ChannelParams],
        skip_decoder_output: bool,
    ) -> Result<(Self, Accepted), DecodeVppError> {
        if decode.is_initialized() {
            return Err(DecodeVppError::AlreadyInitialized);
        }
        check_ids(channels)?;
        decode.init(params)?;
        let decoded = decode.params()?.output;
        let mut opened = Vec::with_capacity(channels.len());
        let mut accepted = Accepted::AsGiven;
        for channel in channels {
            let opening = channel.vpp_params(&decoded, params.async_depth).and_then(|vpp_params| {
                let mut vpp = Vpp::new(core.clone());
                let fixed = vpp.init(&vpp_params).map_err(vpp_error(channel.id))?;
                Ok((vpp, fixed))
            });
            match opening {
                Ok((vpp, fixed)) => {
                    accepted = accepted.and(fixed);
                    opened.push(Channel { params: *channel, vpp, in_flight: VecDeque::new() });
                }
                Err(error) => {
                    drop(opened);
                    let _ = decode.close();
                    return Err(error);
                }
            }
        }
        let component = Self { channels: opened, skip_decoder_output, async_depth: params.async_depth };
        Ok((component, accepted))
    }

    /// One decode call: the decoder takes `data` as its own `decode_frame_async` does (`None`
    /// drains; [`Decode::consumed`] tells what it took), and a picture goes to every channel not in
    /// `skip` (0 skips the decoder's own output). `before` sees each surface before its work is
    /// queued (with the channel's input, the decoded picture). A call whose every output is
    /// skipped decodes and returns no surface.
    pub fn decode_frame(
        &mut self,
        decode: &mut Decode,
        data: Option<&[u8]>,
        timestamp: u64,
        skip: &[u16],
        before: &mut dyn FnMut(Produced, &Surface, Option<&Surface>),
    ) -> Result<DecodedPictures, DecodeVppError> {
        // A decoder fed whole frames decodes on its lane: its picture is shown before the work is
        // queued. libavcodec's pictures are complete when the call returns.
        let work = match decode.params()?.codec {
            vplrs_decode::Codec::Vp8 if data.is_some() => Some(decode.surface()?),
            _ => None,
        };
        if let Some(work) = &work {
            before(Produced::Decoded, work, None);
        }
        let picture = decode.decode_frame_async(data, work.as_ref(), timestamp)?;
        drop(work);
        let depth = usize::from(effective_async_depth(self.async_depth));
        let mut outputs = Vec::with_capacity(self.channels.len());
        for channel in self.channels.iter_mut().filter(|channel| !skip.contains(&channel.params.id)) {
            let id = channel.params.id;
            channel.make_room(depth);
            let output = channel.vpp.output_surface().map_err(vpp_error(id))?;
            before(Produced::Channel(id), &output, Some(&picture.surface));
            let sync = channel.vpp.run_frame_async(Some(&picture.surface), &output).map_err(vpp_error(id))?;
            channel.in_flight.push_back(sync.clone());
            outputs.push(ChannelOutput { channel: id, surface: output, sync });
        }
        let keep_decoded = !self.skip_decoder_output && !skip.contains(&0);
        Ok(DecodedPictures { decoded: keep_decoded.then_some(picture), channels: outputs })
    }

    /// `Reset`: the decoder's new parameters (if given), then the channels named in `channels`
    /// (the others keep theirs, fed the decoder's new pictures). Every channel is checked before
    /// anything changes: the same format and frames no larger than at Init. Returns whether VPP
    /// corrected a channel's parameters.
    pub fn reset(
        &mut self,
        decode: &mut Decode,
        decode_params: Option<&DecodeParams>,
        channels: &[ChannelParams],
    ) -> Result<Accepted, DecodeVppError> {
        for (index, channel) in channels.iter().enumerate() {
            if !self.channels.iter().any(|known| known.params.id == channel.id) {
                return Err(DecodeVppError::UnknownChannel(channel.id));
            }
            if channels[..index].iter().any(|other| other.id == channel.id) {
                return Err(DecodeVppError::InvalidChannel(channel.id, "the id is used twice"));
            }
        }
        let current = decode.params()?.output;
        let predicted = decode_params.map_or(current, |params| predicted_output(&current, &params.output));
        let mut plans = Vec::with_capacity(self.channels.len());
        for channel in &self.channels {
            let plan = channels.iter().find(|new| new.id == channel.params.id).copied().unwrap_or(channel.params);
            check_reset(&channel.vpp, &plan.vpp_params(&predicted, self.async_depth)?, plan.id)?;
            plans.push(plan);
        }
        if let Some(params) = decode_params {
            decode.reset(params)?;
        }
        let decoded = decode.params()?.output;
        let mut accepted = Accepted::AsGiven;
        for (channel, plan) in self.channels.iter_mut().zip(plans) {
            channel.drain();
            let params = plan.vpp_params(&decoded, self.async_depth)?;
            accepted = accepted.and(channel.vpp.reset(&params).map_err(vpp_error(plan.id))?);
            channel.params = plan;
        }
        Ok(accepted)
    }

    /// The running VPP parameters of channel `id`, if it is one.
    pub fn channel_params(&self, id: u16) -> Option<(ChannelParams, VppParams)> {
        let channel = self.channels.iter().find(|channel| channel.params.id == id)?;
        Some((channel.params, channel.vpp.params().ok()?))
    }

    /// The channels' output pools (for an outer layer's bookkeeping).
    pub fn output_pools(&self) -> impl Iterator<Item = &vplrs_memory::SurfacePool> {
        self.channels.iter().filter_map(|channel| channel.vpp.output_pool().ok())
    }

    /// `Close`: each channel finishes its work in flight and closes its pool, then the decoder
    /// closes (if it still runs). Surfaces still referenced stay valid until their last release.
    pub fn close(mut self, decode: &mut Decode) {
        for channel in &mut self.channels {
            channel.drain();
            let _ = channel.vpp.close();
        }
        if decode.is_initialized() {
            let _ = decode.close();
        }
    }
}

/// The decoder's output after a Reset to `new`: the surfaces keep the size of Init; the format,
/// crop and frame rate are the new ones.
fn predicted_output(current: &FrameInfo, new: &FrameInfo) -> FrameInfo {
    let mut predicted = *current;
    predicted.fourcc = new.fourcc;
    if new.crop.width != 0 && new.crop.height != 0 {
        predicted.crop = new.crop;
    }
    predicted.frame_rate = new.frame_rate;
    predicted
}

/// Checks that `params` can replace the running parameters of `vpp` (what `Vpp::reset` accepts).
fn check_reset(vpp: &Vpp, params: &VppParams, channel: u16) -> Result<(), DecodeVppError> {
    let current = vpp.params().map_err(vpp_error(channel))?;
    let checked = Vpp::query(params).map_err(vpp_error(channel))?.params;
    let fits = |new: &FrameInfo, old: &FrameInfo| {
        new.fourcc == old.fourcc && new.width <= old.width && new.height <= old.height
    };
    if !fits(&checked.input, &current.input) || !fits(&checked.output, &current.output) {
        return Err(DecodeVppError::ResetIncompatible(channel));
    }
    Ok(())
}
