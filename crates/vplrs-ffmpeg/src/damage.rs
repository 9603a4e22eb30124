//! Which pictures libavcodec found damaged.
//!
//! libavcodec's decoders conceal most damage without telling the caller: `decode_error_flags`
//! and `AV_FRAME_FLAG_CORRUPT` are set by H.264's error concealment only. What they all do is log
//! an error (`AV_LOG_ERROR`) on the context decoding the picture: MJPEG's "error dc", HEVC's
//! broken slice data or wrong picture hash, VP9's invalid partitions. So vplrs installs a log
//! callback that, for a message at error level about one of its own decoding contexts (frame
//! threads log through copies of the context, whose `opaque` is the same), marks the picture that
//! context is decoding: the last one it allocated in `get_buffer2`, which tags each picture with an
//! id in `AVFrame.opaque` (a second field, decoded into the same picture, belongs to it too). An
//! error before any picture of the context is decoded marks the next one; an error in the headers
//! of a packet before its picture is allocated marks the previous picture, but such a packet is
//! refused as a whole, which the caller marks on the pictures that follow anyway. Every message is still passed on to libavcodec's default callback (which applies the log
//! level), so a host application's logs keep their behaviour; one that installs its own callback
//! after vplrs only loses vplrs's damage marks, never a picture.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;

use crate::buffers::BufferShared;
use crate::sys;

/// Damage marks kept for pictures not yet handed out (the rest are dropped, oldest first).
const MAX_MARKS: usize = 256;

/// What a decoding context's `opaque` points to (an `Arc` leaked for the context's life).
pub(crate) struct ContextState {
    /// Direct decoding: the state `get_buffer2` shares with the decoder.
    pub buffers: Option<Arc<BufferShared>>,
    pub damage: DamageLog,
}

impl ContextState {
    /// Leaks a counted reference as the context's `opaque` and registers it with the log callback.
    pub fn into_opaque(self: Arc<Self>) -> *mut libc::c_void {
        install_log_callback();
        let opaque = Arc::into_raw(self) as *mut libc::c_void;
        live_states().lock().insert(opaque as usize);
        opaque
    }

    /// Takes back the reference `into_opaque` leaked, once the context is freed.
    ///
    /// # Safety
    /// `opaque` came from [`Self::into_opaque`] and is given back exactly once, after the context
    /// (and so every thread that could log about it) is gone.
    pub unsafe fn release_opaque(opaque: *mut libc::c_void) {
        live_states().lock().remove(&(opaque as usize));
        // SAFETY: the caller's contract: the reference leaked by `into_opaque`, released once.
        drop(unsafe { Arc::from_raw(opaque as *const ContextState) });
    }
}

/// The damage marks of one decoder.
#[derive(Default)]
pub(crate) struct DamageLog {
    state: Mutex<DamageState>,
}

#[derive(Default)]
struct DamageState {
    last_id: u64,
    /// The picture each context (the decoder's, or a frame thread's copy) is decoding.
    decoding: HashMap<usize, u64>,
    /// An error came before the picture it belongs to was allocated.
    pending: bool,
    damaged: BTreeSet<u64>,
}

impl DamageState {
    fn mark(&mut self, id: u64) {
        self.damaged.insert(id);
        while self.damaged.len() > MAX_MARKS {
            self.damaged.pop_first();
        }
    }
}

impl DamageLog {
    /// `get_buffer2` allocated `frame` in `ctx`: tags it, and it is the picture errors in `ctx`
    /// now belong to.
    ///
    /// # Safety
    /// `frame` is the valid frame `get_buffer2` is filling.
    pub unsafe fn picture_started(&self, ctx: *const sys::AVCodecContext, frame: *mut sys::AVFrame) {
        let mut state = self.state.lock();
        state.last_id += 1;
        let id = state.last_id;
        state.decoding.insert(ctx as usize, id);
        if std::mem::take(&mut state.pending) {
            state.mark(id);
        }
        // SAFETY: the caller's contract; `opaque` is the user's field, copied with the frame's
        // properties to every reference libavcodec makes of it (the picture it hands out too).
        unsafe { (*frame).opaque = id as usize as *mut libc::c_void };
    }

    fn error_in(&self, ctx: usize) {
        let mut state = self.state.lock();
        match state.decoding.get(&ctx).copied() {
            Some(id) => state.mark(id),
            None => state.pending = true,
        }
    }

    /// True if errors were logged while `frame` (a picture handed out) was decoded; forgets it.
    ///
    /// # Safety
    /// `frame` is a valid frame.
    pub unsafe fn take(&self, frame: *const sys::AVFrame) -> bool {
        // SAFETY: the caller's contract.
        let id = unsafe { (*frame).opaque } as usize as u64;
        let mut state = self.state.lock();
        if id == 0 {
            // Not allocated through `get_buffer2` (a wrapped library's own pictures).
            std::mem::take(&mut state.pending)
        } else {
            state.damaged.remove(&id)
        }
    }
}

/// The `opaque` values of the decoding contexts alive: the log callback reads a context's state
/// only if it is one of these (a host application's contexts have opaques of their own).
fn live_states() -> &'static Mutex<HashSet<usize>> {
    static LIVE: OnceLock<Mutex<HashSet<usize>>> = OnceLock::new();
    LIVE.get_or_init(|| Mutex::new(HashSet::new()))
}

fn install_log_callback() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    // SAFETY: sets libavutil's global callback pointer to a function that stays valid (static).
    ONCE.call_once(|| unsafe { sys::av_log_set_callback(Some(log_callback)) });
}

unsafe extern "C" fn log_callback(
    avcl: *mut libc::c_void,
    level: libc::c_int,
    format: *const libc::c_char,
    args: *mut sys::__va_list_tag,
) {
    if level & 0xff <= sys::AV_LOG_ERROR as libc::c_int && !avcl.is_null() {
        // SAFETY: av_log's contract: a non-null `avcl` points to a struct whose first field is a
        // pointer to its AVClass.
        // A panic here has nowhere to be reported (logging is what failed): the picture just
        // goes unmarked.
        catch_unwind(AssertUnwindSafe(|| unsafe { note_error(avcl) })).ok();
    }
    // SAFETY: the arguments are av_log's, passed on unchanged.
    unsafe { sys::av_log_default_callback(avcl, level, format, args) };
}

/// # Safety
/// `avcl` is av_log's non-null context argument.
unsafe fn note_error(avcl: *mut libc::c_void) {
    // SAFETY: the caller's contract: the first field of the struct is a `*const AVClass`.
    let class = unsafe { *(avcl as *const *const sys::AVClass) };
    // SAFETY: plain accessor of a static.
    if class != unsafe { sys::avcodec_get_class() } {
        return;
    }
    // SAFETY: a struct of AVCodecContext's class is an AVCodecContext, alive while it logs.
    let opaque = unsafe { (*(avcl as *const sys::AVCodecContext)).opaque } as usize;
    let live = live_states().lock();
    if live.contains(&opaque) {
        // SAFETY: a registered opaque is a live `ContextState` (`release_opaque` unregisters it,
        // under this lock, before dropping it).
        let state = unsafe { &*(opaque as *const ContextState) };
        state.damage.error_in(avcl as usize);
    }
}
