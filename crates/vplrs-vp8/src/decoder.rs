//! The decoder object: memory segments (internal or XMA), frame decoding
//! and reference buffer management.

use crate::bool_decoder::BoolDecoder;
use crate::error::{DecodeError, XmaError};
use crate::frame::{Frame, FrameGeom, Planes};
use crate::header::{
    parse_compressed_header, parse_frame_tag, FrameHeader, HeaderState, LfDeltas, Segmentation, StreamInfo,
};
use crate::loopfilter::{FrameFilter, LevelTable};
use crate::memory::{
    requests_for, AlignedBuffer, MemMapCursor, RejectedSegment, Segment, SegmentDtor, SegmentFlags, SegmentRequest,
    XmaMemory, FIRST_FRAME_SEG, NUM_SEGMENTS, SCRATCH_PRED_OFF,
};
use crate::modes::ModeCtx;
use crate::parse::MbParser;
use crate::probs::Probs;
use crate::recon::{decode_rows, MbRecon, Refs};
use crate::tables::{AC_QLOOKUP, DC_QLOOKUP};
use crate::threads::{decode_rows_threaded, RowPacket};
use crate::tokens::Dequant;

/// Largest dimension a VP8 frame header can express.
const MAX_DIMENSION: u32 = 16383;

/// How the decoder obtains its memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AllocMode {
    /// The decoder allocates its own segments, sized from key frames.
    Internal,
    /// The application supplies every segment (see [`Decoder::new_xma`]).
    Xma,
}

struct Slot {
    mem: Box<dyn XmaMemory>,
    dtor: Option<SegmentDtor>,
}

/// Reference buffer indices.
#[derive(Clone, Copy, Debug, Default)]
struct RefIdx {
    last: usize,
    golden: usize,
    alt: usize,
}

/// A VP8 decoder.
///
/// ```no_run
/// use vplrs_vp8::{Decoder, ivf::IvfReader};
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let file = std::fs::File::open("video.ivf")?;
/// let mut ivf = IvfReader::new(std::io::BufReader::new(file))?;
/// let mut dec = Decoder::new();
/// let mut out = Vec::new();
/// while let Some(pkt) = ivf.next_frame()? {
///     if let Some(frame) = dec.decode(&pkt.data)? {
///         frame.write_i420(&mut out)?;
///     }
/// }
/// # Ok(()) }
/// ```
pub struct Decoder {
    mode: AllocMode,
    max_width: u32,
    max_height: u32,
    requests: [SegmentRequest; NUM_SEGMENTS],
    slots: [Option<Slot>; NUM_SEGMENTS],
    num_set: usize,
    geom: FrameGeom,
    has_key: bool,
    refs: RefIdx,
    seg: Segmentation,
    lf: LfDeltas,
    sign_bias: [bool; 4],
    scale: (u8, u8),
    /// Buffer of the most recently shown frame and whether it was a key frame.
    shown: Option<(usize, bool)>,
    /// Threads used to decode a frame (always 1 in XMA mode).
    threads: usize,
    /// Row packets of the threaded pipeline, kept between frames.
    pool: Vec<RowPacket>,
}

impl Default for Decoder {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Decoder {
    fn drop(&mut self) {
        self.release_segments();
    }
}

impl Decoder {
    /// Creates a decoder in internal allocation mode. Memory is allocated
    /// when the first key frame arrives and reallocated only when a key
    /// frame needs larger buffers.
    pub fn new() -> Self {
        Decoder {
            mode: AllocMode::Internal,
            max_width: 0,
            max_height: 0,
            requests: requests_for(0, 0),
            slots: Default::default(),
            num_set: 0,
            geom: FrameGeom::default(),
            has_key: false,
            refs: RefIdx::default(),
            seg: Segmentation::default(),
            lf: LfDeltas::default(),
            sign_bias: [false; 4],
            scale: (0, 0),
            shown: None,
            threads: 1,
            pool: Vec::new(),
        }
    }

    /// Sets the number of threads used to decode each frame and returns
    /// the number that will be used.
    ///
    /// With more than one thread (internal mode only) a frame is decoded
    /// by a pipeline over macroblock rows: parsing, reconstruction and
    /// loop filtering each on their own thread (two threads: the filter
    /// shares the reconstruction thread); more than three threads bring
    /// nothing more and count as three. The output is bit-exact whatever
    /// the count. Threaded decoding allocates (threads, channels, row
    /// buffers of about 1 KiB per macroblock column).
    ///
    /// XMA mode is single-threaded: the application supplies all working
    /// memory up front and decoding allocates nothing, which the threaded
    /// pipeline cannot honour. An XMA decoder ignores the request and
    /// returns 1. `0` counts as 1.
    pub fn set_threads(&mut self, threads: usize) -> usize {
        self.threads = match self.mode {
            AllocMode::Xma => 1,
            AllocMode::Internal => threads.clamp(1, 3),
        };
        self.threads
    }

    /// The number of threads used to decode a frame.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Creates a decoder in XMA mode for streams up to the size in `info`.
    /// The application must then supply every segment of the memory map
    /// ([`get_mem_map`](Self::get_mem_map) / [`set_segment`](Self::set_segment))
    /// before decoding.
    pub fn new_xma(info: &StreamInfo) -> Result<Self, XmaError> {
        let (w, h) = (info.width, info.height);
        if w == 0 || h == 0 || w > MAX_DIMENSION || h > MAX_DIMENSION {
            return Err(XmaError::BadDimensions { width: w, height: h });
        }
        let mut d = Self::new();
        d.mode = AllocMode::Xma;
        d.max_width = w;
        d.max_height = h;
        d.requests = requests_for(w, h);
        Ok(d)
    }

    /// The allocation mode.
    pub fn alloc_mode(&self) -> AllocMode {
        self.mode
    }

    /// Returns the next segment request after `cursor`, or `None` at the
    /// end of the list. Requests must be satisfied in this order.
    pub fn get_mem_map(&self, cursor: &mut MemMapCursor) -> Option<SegmentRequest> {
        if self.mode != AllocMode::Xma {
            return None;
        }
        let r = self.requests.get(cursor.0).copied()?;
        cursor.0 += 1;
        Some(r)
    }

    /// All segment requests, in order (empty in internal mode).
    pub fn mem_map(&self) -> impl Iterator<Item = SegmentRequest> + '_ {
        let mut c = MemMapCursor::default();
        core::iter::from_fn(move || self.get_mem_map(&mut c))
    }

    /// Whether every segment has been set (always true in internal mode
    /// once memory has been allocated).
    pub fn segments_complete(&self) -> bool {
        self.num_set == NUM_SEGMENTS
    }

    /// Supplies the memory for the next segment of the memory map.
    ///
    /// Segments must be set once each, in the order of the memory map.
    /// The memory is checked against its request (size, alignment,
    /// non-null, zero-filled when `ZERO` is requested); a refused segment
    /// is handed back inside the error.
    pub fn set_segment(&mut self, seg: Segment) -> Result<(), Box<RejectedSegment>> {
        if self.mode != AllocMode::Xma {
            return Err(Box::new(RejectedSegment { error: XmaError::NotXmaMode, segment: seg }));
        }
        self.accept_segment(seg).map_err(|(error, segment)| Box::new(RejectedSegment { error, segment }))
    }

    fn accept_segment(&mut self, seg: Segment) -> Result<(), (XmaError, Segment)> {
        let id = seg.id;
        let Some(pos) = self.requests.iter().position(|r| r.id == id) else {
            return Err((XmaError::UnknownId(id), seg));
        };
        if self.slots[pos].is_some() || pos < self.num_set {
            return Err((XmaError::Duplicate(id), seg));
        }
        if pos != self.num_set {
            let expected = self.requests[self.num_set].id;
            return Err((XmaError::OutOfOrder { expected, got: id }, seg));
        }
        let req = self.requests[pos];
        let check = match seg.memory.as_deref() {
            None => Err(XmaError::NullBase(id)),
            Some(m) => {
                let s = m.as_slice();
                let base = s.as_ptr() as usize;
                if s.is_empty() {
                    Err(XmaError::NullBase(id))
                } else if s.len() < req.size {
                    Err(XmaError::TooSmall { id, required: req.size, provided: s.len() })
                } else if base % req.align != 0 {
                    Err(XmaError::Misaligned { id, align: req.align, base })
                } else if req.flags.contains(SegmentFlags::ZERO) && s.iter().any(|&b| b != 0) {
                    Err(XmaError::NotZeroed(id))
                } else {
                    Ok(())
                }
            }
        };
        if let Err(e) = check {
            return Err((e, seg));
        }
        let Segment { memory, dtor, .. } = seg;
        let Some(mem) = memory else {
            return Err((XmaError::NullBase(id), Segment { id, memory: None, dtor }));
        };
        self.slots[pos] = Some(Slot { mem, dtor });
        self.num_set += 1;
        Ok(())
    }

    /// Releases all segments in reverse order of setting, calling their
    /// destructors.
    fn release_segments(&mut self) {
        for i in (0..self.num_set).rev() {
            if let Some(slot) = self.slots[i].take() {
                match slot.dtor {
                    Some(d) => d(self.requests[i].id, slot.mem),
                    None => drop(slot.mem),
                }
            }
        }
        self.num_set = 0;
    }

    /// Internal mode: (re)allocates segments so that a `w` x `h` stream fits.
    fn ensure_internal(&mut self, w: u32, h: u32) -> Result<(), DecodeError> {
        let reqs = requests_for(w, h);
        let fits = self.segments_complete() && reqs.iter().zip(self.requests.iter()).all(|(n, o)| n.size <= o.size);
        if fits {
            return Ok(());
        }
        self.release_segments();
        self.requests = reqs;
        self.max_width = w;
        self.max_height = h;
        self.has_key = false;
        self.shown = None;
        for r in reqs {
            let Some(mem) = AlignedBuffer::try_new(r.size, r.align) else {
                self.release_segments();
                return Err(DecodeError::OutOfMemory);
            };
            if self.accept_segment(Segment::new(r.id, Box::new(mem))).is_err() {
                // Cannot happen: the buffer is built from the request.
                self.release_segments();
                return Err(DecodeError::SegmentsNotSet);
            }
        }
        Ok(())
    }

    /// The most recently shown frame, if any (e.g. to repeat it when a
    /// frame is dropped).
    pub fn last_frame(&self) -> Option<Frame<'_>> {
        let (idx, key) = self.shown?;
        let slot = self.slots[FIRST_FRAME_SEG + idx].as_ref()?;
        Some(Frame::new(slot.mem.as_slice(), &self.geom, self.scale, key))
    }

    /// Decodes one compressed frame. Returns the frame if it is to be
    /// shown (`show_frame = 1`), or `None` for a hidden frame.
    ///
    /// Errors detected before reconstruction (bad headers, partition
    /// sizes beyond the data, ...) leave the decoder state untouched. When
    /// the data runs out during reconstruction the frame is completed the
    /// way the reference decoder completes it (missing residual treated as
    /// absent), becomes a reference as signalled, and
    /// [`DecodeError::Damaged`] is returned; if it was to be shown it is
    /// available from [`last_frame`](Self::last_frame).
    ///
    /// No heap memory is allocated while decoding, except in internal mode
    /// when a key frame needs larger buffers than those held.
    pub fn decode(&mut self, data: &[u8]) -> Result<Option<Frame<'_>>, DecodeError> {
        if data.is_empty() {
            return Err(DecodeError::EmptyFrame);
        }
        if self.mode == AllocMode::Xma && !self.segments_complete() {
            return Err(DecodeError::SegmentsNotSet);
        }
        let tag = parse_frame_tag(data)?;
        if tag.key_frame {
            if self.mode == AllocMode::Xma {
                if tag.width > self.max_width || tag.height > self.max_height {
                    return Err(DecodeError::TooLarge {
                        width: tag.width,
                        height: tag.height,
                        max_width: self.max_width,
                        max_height: self.max_height,
                    });
                }
            } else {
                self.ensure_internal(tag.width, tag.height)?;
                if !self.segments_complete() {
                    return Err(DecodeError::SegmentsNotSet);
                }
            }
            let g = FrameGeom::new(tag.width, tag.height);
            if g != self.geom {
                // References of another size are useless from here on.
                self.has_key = false;
                self.shown = None;
                self.geom = g;
            }
            self.scale = (tag.h_scale, tag.v_scale);
        } else if !self.has_key {
            return Err(DecodeError::NoKeyFrame);
        }
        let show = tag.show_frame;
        let (new_idx, damaged) = self.decode_frame(data, &tag)?;
        if tag.key_frame && (self.has_key || !damaged) {
            self.has_key = true;
        }
        if show {
            self.shown = Some((new_idx, tag.key_frame));
        }
        if damaged {
            return Err(DecodeError::Damaged { shown: show });
        }
        Ok(if show { self.last_frame() } else { None })
    }

    fn decode_frame(&mut self, data: &[u8], tag: &crate::header::FrameTag) -> Result<(usize, bool), DecodeError> {
        let key = tag.key_frame;
        let geom = self.geom;
        if key {
            self.seg.abs_delta = false;
            self.seg.quant = [0; 4];
            self.seg.lf = [0; 4];
            self.lf.ref_deltas = [0; 4];
            self.lf.mode_deltas = [0; 4];
            self.sign_bias = [false; 4];
        }
        // Split the segments into disjoint borrows.
        let mut mems: [&mut [u8]; NUM_SEGMENTS] = Default::default();
        for (m, s) in mems.iter_mut().zip(self.slots.iter_mut()) {
            match s {
                Some(slot) => *m = slot.mem.as_mut_slice(),
                None => return Err(DecodeError::SegmentsNotSet),
            }
        }
        let [probs_mem, ctx_mem, scratch_mem, mb_info_mem, f0, f1, f2, f3] = mems;
        let mut frames = [f0, f1, f2, f3];

        let mut probs = Probs::new(probs_mem);
        if key {
            probs.reset();
        }
        let first = &data[tag.header_len..];
        let mut bd = BoolDecoder::new(first);
        let hdr =
            parse_compressed_header(&mut bd, key, HeaderState { seg: &mut self.seg, lf: &mut self.lf }, &mut probs)?;
        if !key {
            self.sign_bias[2] = hdr.sign_bias_golden;
            self.sign_bias[3] = hdr.sign_bias_alt;
        }

        // Token partitions (section 9.5).
        let num_parts = 1usize << hdr.log2_partitions;
        let sizes_at = tag.header_len + tag.first_part_size;
        let mut pos = sizes_at + 3 * (num_parts - 1);
        if pos > data.len() {
            return Err(DecodeError::Truncated("partition sizes"));
        }
        let mut parts: [BoolDecoder<'_>; 8] = core::array::from_fn(|_| BoolDecoder::empty());
        for (i, part) in parts.iter_mut().enumerate().take(num_parts) {
            let size = if i + 1 < num_parts {
                let b = &data[sizes_at + 3 * i..sizes_at + 3 * i + 3];
                usize::from(b[0]) | usize::from(b[1]) << 8 | usize::from(b[2]) << 16
            } else {
                data.len() - pos
            };
            if size == 0 || size > data.len() - pos {
                return Err(DecodeError::Truncated("token partition"));
            }
            *part = BoolDecoder::new(&data[pos..pos + size]);
            pos += size;
        }

        let dequant = dequant_table(&hdr, &self.seg);
        let levels = LevelTable::new(&hdr, &self.seg, &self.lf);
        let new_idx = (0..4).find(|&i| i != self.refs.last && i != self.refs.golden && i != self.refs.alt).unwrap_or(0);
        let (cur, refs) = split_frames(&mut frames, new_idx, &self.refs);
        geom.prepare_intra_borders(cur);
        let modes = ModeCtx {
            key_frame: key,
            hdr: &hdr,
            seg: &self.seg,
            ymode_probs: probs.ymode(),
            uv_mode_probs: probs.uv_mode(),
            mv_probs: probs.mv(),
            sign_bias: self.sign_bias,
        };
        let mut parser = MbParser::new(geom, modes, probs.coeff(), dequant, &levels, ctx_mem, mb_info_mem);
        let (coeffs, pred_scratch) = scratch_mem.split_at_mut(SCRATCH_PRED_OFF);
        let mut recon = MbRecon {
            geom,
            bilinear: tag.version != 0 && tag.version <= 3,
            full_pixel: tag.version == 3,
            refs,
            scratch: pred_scratch,
        };
        let filter = (hdr.filter_level != 0).then(|| FrameFilter::new(hdr.simple_filter, hdr.sharpness, key));
        let planes = Planes::whole(cur, &geom);
        let parts = &mut parts[..num_parts];
        let damaged = if self.threads > 1 && geom.mb_rows > 1 {
            let pool = &mut self.pool;
            decode_rows_threaded(self.threads, pool, &mut parser, &mut recon, planes, filter.as_ref(), &mut bd, parts)
        } else {
            let mut planes = planes;
            decode_rows(&mut parser, &mut recon, &mut planes, coeffs, filter.as_ref(), &mut bd, parts)
        };
        geom.extend_borders(cur);

        // Reference updates (section 9.7), ordered as the reference decoder.
        let r = &mut self.refs;
        if key {
            *r = RefIdx { last: new_idx, golden: new_idx, alt: new_idx };
        } else {
            match hdr.copy_to_alt {
                1 => r.alt = r.last,
                2 => r.alt = r.golden,
                _ => {}
            }
            match hdr.copy_to_golden {
                1 => r.golden = r.last,
                2 => r.golden = r.alt,
                _ => {}
            }
            if hdr.refresh_golden {
                r.golden = new_idx;
            }
            if hdr.refresh_alt {
                r.alt = new_idx;
            }
            if hdr.refresh_last {
                r.last = new_idx;
            }
        }
        if !hdr.refresh_entropy {
            probs.restore();
        }
        Ok((new_idx, damaged))
    }
}

/// Separates the frame being decoded from the reference frames.
fn split_frames<'a>(frames: &'a mut [&mut [u8]; 4], cur: usize, r: &RefIdx) -> (&'a mut [u8], Refs<'a>) {
    let mut cur_buf: &mut [u8] = &mut [];
    let mut others: [&[u8]; 4] = [&[]; 4];
    for (i, f) in frames.iter_mut().enumerate() {
        if i == cur {
            cur_buf = f;
        } else {
            others[i] = f;
        }
    }
    let refs = Refs { by_ref: [&[], others[r.last], others[r.golden], others[r.alt]] };
    (cur_buf, refs)
}

/// Dequantization factors of each segment (section 14.1).
fn dequant_table(hdr: &FrameHeader, seg: &Segmentation) -> [Dequant; 4] {
    let q = &hdr.quant;
    core::array::from_fn(|s| {
        let base = if seg.enabled {
            if seg.abs_delta {
                i32::from(seg.quant[s])
            } else {
                q.y_ac + i32::from(seg.quant[s])
            }
        } else {
            q.y_ac
        }
        .clamp(0, 127);
        let idx = |d: i32| (base + d).clamp(0, 127) as usize;
        let y2ac = (i32::from(AC_QLOOKUP[idx(q.y2_ac_delta)]) * 155 / 100).max(8);
        [
            DC_QLOOKUP[idx(q.y_dc_delta)] as i16,
            AC_QLOOKUP[idx(0)] as i16,
            (DC_QLOOKUP[idx(q.y2_dc_delta)] * 2) as i16,
            y2ac as i16,
            DC_QLOOKUP[idx(q.uv_dc_delta)].min(132) as i16,
            AC_QLOOKUP[idx(q.uv_ac_delta)] as i16,
        ]
    })
}
