//! Multithreaded decoding of one frame (internal mode only): a pipeline of
//! three stages over macroblock rows, each on its own thread.
//!
//! 1. **Parse** reads the prediction records and residual tokens of a row
//!    into a [`RowPacket`]. Parsing never looks at pixels, so it runs
//!    ahead freely (with one token partition it is the only stage that
//!    must be sequential over the whole bitstream).
//! 2. **Reconstruct** predicts and adds the residual of each macroblock of
//!    the packet, on the calling thread. Intra prediction of a row reads
//!    the unfiltered bottom row of the row above, so once row `r` is done
//!    the rows above `r` are no longer needed: they are split off the
//!    frame (`split_at_mut`, so ownership really moves) and handed on.
//! 3. **Filter** runs the loop filter over each row it receives, in order;
//!    filtering row `r - 1` changes only rows `r - 2` and `r - 1`, which
//!    the reconstruction stage has given up.
//!
//! With two threads the filter runs on the reconstructing thread right
//! after each row (as in the single-threaded loop): the rows it filters
//! are still in that core's cache, and moving every pixel of the frame to
//! another core cost more than it saved (measured: parse + filter on one
//! thread against reconstruction on the other was slower than one
//! thread). With three or more each stage has its own thread.
//!
//! Rows travel through [`Handoff`] queues that wake a waiting stage only
//! once a batch of rows is ready (waking a thread costs more than decoding
//! a few macroblocks); packets come back to the parser for reuse, so a
//! frame allocates nothing but the threads. Output is bit-exact with the
//! single-threaded decoder: every stage does the same work in the same
//! order on the same pixels, only at different times.

use std::collections::VecDeque;
use std::sync::{Condvar, Mutex};

use crate::bool_decoder::BoolDecoder;
use crate::frame::FilterRows;
use crate::frame::{FrameGeom, Planes};
use crate::loopfilter::{filter_row, FrameFilter};
use crate::memory::MB_INFO_STRIDE;
use crate::parse::{MbParser, ParsedMb, COEFF_BYTES};
use crate::recon::MbRecon;

/// One parsed macroblock row on its way through the pipeline.
pub(crate) struct RowPacket {
    row: usize,
    mbs: Vec<ParsedMb>,
    /// [`COEFF_BYTES`] per macroblock, all zero between uses.
    coeffs: Vec<u8>,
    /// The row's `MB_INFO` records (filter level and inner-edge flag).
    info: Vec<u8>,
}

impl RowPacket {
    fn new(mb_cols: usize) -> Self {
        RowPacket {
            row: 0,
            mbs: vec![ParsedMb::default(); mb_cols],
            coeffs: vec![0; mb_cols * COEFF_BYTES],
            info: vec![0; mb_cols * MB_INFO_STRIDE],
        }
    }

    fn fits(&self, mb_cols: usize) -> bool {
        self.mbs.len() == mb_cols
    }
}

/// Rows of the frame handed from reconstruction to the filter: the part
/// of each plane before the start of the next row still being read, and
/// the frame offset of each part's first byte.
struct Chunk<'a> {
    bufs: [&'a mut [u8]; 3],
    base: [usize; 3],
}

/// The filter stage: filters rows in order, keeping the last four pixel
/// rows of the previous one (the top edge of the next row reaches them).
struct RowFilter<'a> {
    geom: FrameGeom,
    filter: &'a FrameFilter,
    tail: Option<[&'a mut [u8]; 3]>,
}

impl<'a> RowFilter<'a> {
    fn push(&mut self, chunk: Chunk<'a>, row: usize, info: &[u8]) {
        let g = self.geom;
        let Chunk { bufs, base } = chunk;
        let mut band: [&'a mut [u8]; 3] = Default::default();
        for (p, buf) in bufs.into_iter().enumerate() {
            let size = if p == 0 { 16 } else { 8 };
            let start = g.row_start(p, row) - base[p];
            band[p] = &mut buf[start..start + size * g.stride(p)];
        }
        let [y, u, v] = band;
        let rows = FilterRows { above: self.tail.take(), cur: [&mut *y, &mut *u, &mut *v] };
        filter_row(rows, &g, self.filter, info);
        let keep = |b: &'a mut [u8], p: usize| b.split_at_mut(b.len() - 4 * g.stride(p)).1;
        self.tail = Some([keep(y, 0), keep(u, 1), keep(v, 2)]);
    }
}

/// Number of packets in flight: the parser may run this many rows ahead.
const PACKETS: usize = 16;
/// A stage that has to wait sleeps until this many items are ready.
const BATCH: usize = 4;

/// A single-consumer queue between two stages that wakes its consumer
/// only when a batch is ready (or the producer is done).
struct Handoff<T> {
    state: Mutex<HandoffState<T>>,
    ready: Condvar,
}

struct HandoffState<T> {
    items: VecDeque<T>,
    closed: bool,
    /// How many items the sleeping consumer waits for (0: not sleeping).
    wanted: usize,
}

impl<T> Handoff<T> {
    fn new(capacity: usize) -> Self {
        let state = HandoffState { items: VecDeque::with_capacity(capacity), closed: false, wanted: 0 };
        Handoff { state: Mutex::new(state), ready: Condvar::new() }
    }

    fn push(&self, item: T) {
        let Ok(mut st) = self.state.lock() else { return };
        st.items.push_back(item);
        if st.wanted > 0 && st.items.len() >= st.wanted {
            st.wanted = 0;
            self.ready.notify_one();
        }
    }

    /// No more items will come.
    fn close(&self) {
        if let Ok(mut st) = self.state.lock() {
            st.closed = true;
            self.ready.notify_one();
        }
    }

    /// The next item; when there is none, sleeps until `batch` are ready
    /// or the queue is closed. `None` once closed and empty.
    fn pop(&self, batch: usize) -> Option<T> {
        let mut st = self.state.lock().ok()?;
        if st.items.is_empty() {
            st.wanted = batch;
            while !st.closed && st.items.len() < batch {
                st = self.ready.wait(st).ok()?;
            }
            st.wanted = 0;
        }
        st.items.pop_front()
    }
}

/// Decodes all macroblocks of a frame with `threads` (at least 2) threads;
/// see the module documentation. `pool` keeps the row packets between
/// frames. Returns whether the data ran out, as `recon::decode_rows`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn decode_rows_threaded(
    threads: usize,
    pool: &mut Vec<RowPacket>,
    parser: &mut MbParser<'_>,
    recon: &mut MbRecon<'_>,
    planes: Planes<'_>,
    filter: Option<&FrameFilter>,
    first: &mut BoolDecoder<'_>,
    parts: &mut [BoolDecoder<'_>],
) -> bool {
    let g = recon.geom;
    pool.retain(|p| p.fits(g.mb_cols));
    pool.resize_with(PACKETS, || RowPacket::new(g.mb_cols));
    let free = Handoff::new(PACKETS);
    for p in pool.drain(..) {
        free.push(p);
    }
    let full = Handoff::new(PACKETS);
    let rows: Handoff<(Chunk<'_>, RowPacket)> = Handoff::new(PACKETS);
    let damaged = std::thread::scope(|s| {
        let (parser, first, parts, free, full) = (&mut *parser, &mut *first, &mut *parts, &free, &full);
        let parse = s.spawn(move || {
            let _done = CloseOnDrop(full);
            parse_stage(parser, first, parts, free, full)
        });
        match filter {
            Some(ff) if threads >= 3 => {
                let rows = &rows;
                s.spawn(move || {
                    let mut f = RowFilter { geom: g, filter: ff, tail: None };
                    while let Some((chunk, packet)) = rows.pop(BATCH) {
                        f.push(chunk, packet.row, &packet.info);
                        free.push(packet);
                    }
                });
                let _done = CloseOnDrop(rows);
                recon_stage(recon, planes, full, |chunk, packet| rows.push((chunk, packet)));
            }
            Some(ff) => {
                let mut f = RowFilter { geom: g, filter: ff, tail: None };
                recon_stage(recon, planes, full, |chunk, packet| {
                    f.push(chunk, packet.row, &packet.info);
                    free.push(packet);
                });
            }
            None => recon_stage(recon, planes, full, |_, packet| free.push(packet)),
        }
        // A stage that panicked (a bug) reports the frame as damaged.
        parse.join().unwrap_or(true)
    });
    // Every packet is back by now: keep them for the next frame.
    if let Ok(mut st) = free.state.lock() {
        pool.extend(st.items.drain(..));
    }
    damaged
}

/// Closes a queue when its producer is done, even by panicking, so that
/// its consumer never waits for ever.
struct CloseOnDrop<'a, T>(&'a Handoff<T>);

impl<T> Drop for CloseOnDrop<'_, T> {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// The parse stage. Returns whether the data ran out.
fn parse_stage(
    parser: &mut MbParser<'_>,
    first: &mut BoolDecoder<'_>,
    parts: &mut [BoolDecoder<'_>],
    free: &Handoff<RowPacket>,
    full: &Handoff<RowPacket>,
) -> bool {
    let g = parser.geom;
    let nparts = parts.len();
    let mut damaged = false;
    for mb_row in 0..g.mb_rows {
        let Some(mut packet) = free.pop(BATCH) else {
            return true;
        };
        let part = &mut parts[mb_row % nparts];
        parser.start_row();
        for (mb_col, (mb, coeffs)) in packet.mbs.iter_mut().zip(packet.coeffs.chunks_exact_mut(COEFF_BYTES)).enumerate()
        {
            let (p, d) = parser.parse(first, part, mb_col, mb_row, coeffs);
            *mb = p;
            damaged |= d;
        }
        packet.row = mb_row;
        packet.info.copy_from_slice(parser.row_info(mb_row));
        full.push(packet);
    }
    damaged || first.overrun()
}

/// The reconstruction stage: reconstructs the rows as they arrive and
/// passes each finished row on (with `done`) once the next one no longer
/// needs it.
fn recon_stage<'a>(
    recon: &mut MbRecon<'_>,
    planes: Planes<'a>,
    full: &Handoff<RowPacket>,
    mut done: impl FnMut(Chunk<'a>, RowPacket),
) {
    let g = recon.geom;
    let mut rest = planes;
    let mut prev: Option<RowPacket> = None;
    while let Some(mut packet) = full.pop(BATCH) {
        let mb_row = packet.row;
        for (mb_col, (mb, coeffs)) in packet.mbs.iter().zip(packet.coeffs.chunks_exact_mut(COEFF_BYTES)).enumerate() {
            recon.reconstruct(&mut rest, mb_col, mb_row, mb, coeffs);
        }
        g.extend_row_right(&mut rest, mb_row);
        if let Some(p) = prev.take() {
            // Rows above `mb_row` are finished: split them off.
            let mut bufs: [&'a mut [u8]; 3] = Default::default();
            let base = rest.base;
            for (p, buf) in rest.bufs.iter_mut().enumerate() {
                let cut = g.row_start(p, mb_row);
                let (head, tail) = core::mem::take(buf).split_at_mut(cut - rest.base[p]);
                bufs[p] = head;
                *buf = tail;
                rest.base[p] = cut;
            }
            done(Chunk { bufs, base }, p);
        }
        prev = Some(packet);
    }
    if let Some(p) = prev {
        let Planes { bufs, base } = rest;
        done(Chunk { bufs, base }, p);
    }
}
