//! A session: a core, the components sharing it, the pools they made and the operations in flight.
//!
//! Every component sits behind its own lock, so a session is shared between threads (`&Session`
//! is enough to drive it: decode on one thread, encode on another, as oneVPL applications do);
//! each accessor locks one component for as long as its guard lives. Decode+VPP uses the
//! session's decoder: its calls lock decode+VPP, then the decoder, always in that order.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::{Mutex, MutexGuard};
use vplrs_decode::{Decode, DecodeParams};
#[cfg(feature = "ffmpeg")]
use vplrs_encode::Encode;
use vplrs_memory::{ExternalAllocator, OperationError, Surface, SurfacePool};
use vplrs_runtime::{Accepted, Core, SyncPoint, SyncPointError};
use vplrs_vpp::{Vpp, VppParams};

use crate::decode_vpp::{ChannelParams, DecodeVpp, DecodeVppError, DecodedPictures, Produced};

/// How many finished operations a session remembers after they were synchronised, so that a
/// repeated synchronisation answers the same.
const FINISHED_KEPT: usize = 64;

#[derive(Default)]
struct SyncTable {
    pending: HashMap<u64, SyncPoint>,
    finished: VecDeque<(u64, Result<(), OperationError>)>,
}

/// What [`Session::synchronize`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Synchronized {
    /// The operation finished: succeeded, or failed as said.
    Finished(Result<(), OperationError>),
    /// Still running after the wait.
    InExecution,
}

/// One session: a core and the components sharing it.
pub struct Session {
    core: Core,
    decode: Mutex<Decode>,
    vpp: Mutex<Vpp>,
    /// Encoders come from libavcodec: with the `ffmpeg` feature only.
    #[cfg(feature = "ffmpeg")]
    encode: Mutex<Encode>,
    decode_vpp: Mutex<Option<DecodeVpp>>,
    /// Every pool the components made that is not closed yet.
    pools: Mutex<Vec<SurfacePool>>,
    syncs: Mutex<SyncTable>,
}

impl Session {
    /// A session with no allocator (internal memory) and no component initialised.
    pub fn new() -> Self {
        let core = Core::new();
        Self {
            decode: Mutex::new(Decode::new(core.clone())),
            vpp: Mutex::new(Vpp::new(core.clone())),
            #[cfg(feature = "ffmpeg")]
            encode: Mutex::new(Encode::new(core.clone())),
            decode_vpp: Mutex::new(None),
            pools: Mutex::default(),
            syncs: Mutex::default(),
            core,
        }
    }

    /// `SetFrameAllocator`: pools made from now on allocate through `allocator` when it serves
    /// their requests.
    pub fn set_allocator(&self, allocator: Option<Arc<dyn ExternalAllocator>>) {
        self.core.set_allocator(allocator);
    }

    /// The session's core: its allocator and the pools made from it.
    pub fn core(&self) -> &Core {
        &self.core
    }

    /// The decoder (also the decoder of decode+VPP).
    pub fn decode(&self) -> MutexGuard<'_, Decode> {
        self.decode.lock()
    }

    /// The VPP component, locked for this caller.
    pub fn vpp(&self) -> MutexGuard<'_, Vpp> {
        self.vpp.lock()
    }

    #[cfg(feature = "ffmpeg")]
    /// The encode component, locked for this caller.
    pub fn encode(&self) -> MutexGuard<'_, Encode> {
        self.encode.lock()
    }

    // ---- decode+VPP ----

    /// Decode+VPP `Init`: the session's decoder (which must not be running) and the channels.
    /// Returns whether VPP corrected a channel's parameters.
    pub fn init_decode_vpp(
        &self,
        params: &DecodeParams,
        channels: &[ChannelParams],
        skip_decoder_output: bool,
    ) -> Result<Accepted, DecodeVppError> {
        let mut slot = self.decode_vpp.lock();
        if slot.is_some() {
            return Err(DecodeVppError::AlreadyInitialized);
        }
        let mut decode = self.decode.lock();
        let (component, accepted) = DecodeVpp::init(&self.core, &mut decode, params, channels, skip_decoder_output)?;
        if let Ok(pool) = decode.pool() {
            self.track_pool(pool);
        }
        for pool in component.output_pools() {
            self.track_pool(pool);
        }
        *slot = Some(component);
        Ok(accepted)
    }

    /// One decode+VPP call (see [`DecodeVpp::decode_frame`]); [`Decode::consumed`] tells what the
    /// decoder took.
    pub fn decode_vpp_frame(
        &self,
        data: Option<&[u8]>,
        timestamp: u64,
        skip: &[u16],
        before: &mut dyn FnMut(Produced, &Surface, Option<&Surface>),
    ) -> Result<DecodedPictures, DecodeVppError> {
        let mut slot = self.decode_vpp.lock();
        let component = slot.as_mut().ok_or(DecodeVppError::NotInitialized)?;
        component.decode_frame(&mut self.decode.lock(), data, timestamp, skip, before)
    }

    /// Decode+VPP `Reset` (see [`DecodeVpp::reset`]).
    pub fn reset_decode_vpp(
        &self,
        decode_params: Option<&DecodeParams>,
        channels: &[ChannelParams],
    ) -> Result<Accepted, DecodeVppError> {
        let mut slot = self.decode_vpp.lock();
        let component = slot.as_mut().ok_or(DecodeVppError::NotInitialized)?;
        let mut decode = self.decode.lock();
        let accepted = component.reset(&mut decode, decode_params, channels)?;
        if let Ok(pool) = decode.pool() {
            self.track_pool(pool);
        }
        Ok(accepted)
    }

    /// True between decode+VPP's Init and Close.
    pub fn decode_vpp_initialized(&self) -> bool {
        self.decode_vpp.lock().is_some()
    }

    /// The running parameters of decode+VPP channel `id`.
    pub fn decode_vpp_channel(&self, id: u16) -> Result<Option<(ChannelParams, VppParams)>, DecodeVppError> {
        let slot = self.decode_vpp.lock();
        Ok(slot.as_ref().ok_or(DecodeVppError::NotInitialized)?.channel_params(id))
    }

    /// Decode+VPP `Close`: the channels, then the decoder.
    pub fn close_decode_vpp(&self) -> Result<(), DecodeVppError> {
        let component = self.decode_vpp.lock().take().ok_or(DecodeVppError::NotInitialized)?;
        component.close(&mut self.decode.lock());
        Ok(())
    }

    // ---- pools and operations ----

    /// Remembers a pool a component made (for [`Self::pools`]); returns the pools closed since
    /// (a component's Close or Reset), which the session forgets now so that Init/Close cycles
    /// keep nothing.
    pub fn track_pool(&self, pool: &SurfacePool) -> Vec<SurfacePool> {
        let closed = self.forget_closed_pools();
        let mut pools = self.pools.lock();
        if !pool.is_closed() && !pools.iter().any(|kept| kept.ptr_eq(pool)) {
            pools.push(pool.clone());
        }
        closed
    }

    /// Forgets the pools closed since they were tracked, and returns them.
    pub fn forget_closed_pools(&self) -> Vec<SurfacePool> {
        let mut pools = self.pools.lock();
        let (closed, open): (Vec<_>, Vec<_>) = std::mem::take(&mut *pools).into_iter().partition(|p| p.is_closed());
        *pools = open;
        closed
    }

    /// The open pools the components made.
    pub fn pools(&self) -> Vec<SurfacePool> {
        self.pools.lock().iter().filter(|pool| !pool.is_closed()).cloned().collect()
    }

    /// Registers an operation; returns the id to synchronise it by.
    pub fn register(&self, sync: SyncPoint) -> u64 {
        let id = sync.id();
        self.syncs.lock().pending.insert(id, sync);
        id
    }

    /// `SyncOperation`: waits up to `wait` for operation `id`. An operation synchronised before
    /// answers the same again (the last 64); `None` for an id the session never gave.
    pub fn synchronize(&self, id: u64, wait: Duration) -> Option<Synchronized> {
        let sync = {
            let table = self.syncs.lock();
            match table.pending.get(&id) {
                Some(sync) => sync.clone(),
                None => {
                    let (_, outcome) = table.finished.iter().find(|(done, _)| *done == id)?;
                    return Some(Synchronized::Finished(*outcome));
                }
            }
        };
        let outcome = match sync.wait(wait) {
            Err(SyncPointError::InExecution) => return Some(Synchronized::InExecution),
            Ok(()) => Ok(()),
            Err(SyncPointError::Failed(error)) => Err(error),
        };
        let mut table = self.syncs.lock();
        table.pending.remove(&id);
        if table.finished.len() == FINISHED_KEPT {
            table.finished.pop_front();
        }
        table.finished.push_back((id, outcome));
        Some(Synchronized::Finished(outcome))
    }

    /// Closes every component, then every pool; surfaces still referenced stay valid until their
    /// last release. Returns the pools the session had (closed now). Idempotent.
    pub fn close(&self) -> Vec<SurfacePool> {
        // Components not initialised answer NotInitialized: nothing to close.
        let _ = self.close_decode_vpp();
        let _ = self.vpp.lock().close();
        let _ = self.decode.lock().close();
        #[cfg(feature = "ffmpeg")]
        let _ = self.encode.lock().close();
        self.core.close();
        let mut syncs = self.syncs.lock();
        syncs.pending.clear();
        syncs.finished.clear();
        std::mem::take(&mut *self.pools.lock())
    }
}

impl Default for Session {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.close();
    }
}
