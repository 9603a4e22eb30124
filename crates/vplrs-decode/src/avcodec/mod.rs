//! The libavcodec backend (H.264, H.265, VP9, MJPEG, AV1): a *stream* backend.
//!
//! Unlike VP8, whether a call produces a picture is not known before decoding (pictures are
//! reordered), so the work runs on the caller's thread inside `DecodeFrameAsync` (the
//! "synchronous part" of the call) and the sync point handed out is already complete:
//! - the parser cuts the bitstream (any chunking) into packets, at most until one picture
//!   comes out; the bytes taken are reported so the C layer can move `DataOffset`;
//! - **in place** (I420/YV12 output, decoders with `AV_CODEC_CAP_DR1`): libavcodec decodes into
//!   the work surface (1.x, the application's own memory included; it must have Locked == 0) or a
//!   surface of the decode pool (2.x). The surface's Locked counter stays raised while libavcodec
//!   keeps the picture (reference or reordering). The picture handed out may be in another
//!   surface than the work surface. When a packet needs a surface and the call's work surface is
//!   used up: `MoreSurface`. No copy. Once a surface does not suit libavcodec (planes not 64-byte
//!   aligned, no padding rows), every later picture is decoded into libavcodec's memory and
//!   copied into the call's work surface (counted).
//! - **converted** (NV12 from 8-bit 4:2:0, P010 from 10-bit, YUY2 from 4:2:2, AYUV from 4:4:4; AV1,
//!   whose wrappers decode into their own memory; and every picture when an application's
//!   allocator serves the pool, whose rows may not be aligned as libavcodec needs): libavcodec
//!   decodes into its own buffers and the picture is converted into the work surface (or a pool
//!   surface) — one counted copy per picture.
//!
//! Threads: in the internal memory model (no work surface) libavcodec decodes with frame threads
//! (several pictures at once on its workers, each taking its surface from the decode pool, which
//! QueryIOSurf sizes for them); with application work surfaces, or a decode pool the application
//! limits with `mfxExtAllocationHints` (LIMITED, OPTIMAL), slice threads, each picture's surface
//! taken in the call under the pool's Wait.

use vplrs_ffmpeg::{
    CodecId, Decoder, DecoderConfig, DirectTarget, FfmpegError, Picture, PixelFormat, ShapeProbe, StreamLimits,
};
use vplrs_memory::surface::TIMESTAMP_UNKNOWN;
use vplrs_memory::{FourCc, FrameInfo, FrameViewMut, PicStruct, Rect, Surface, SurfacePool};

use crate::backend::{BackendError, Codec};

mod header;
mod vp9_header;

use crate::error::DecodeError;
use crate::output::{check_work_surface, DecodeStats};
use crate::stream::StreamBackend;
pub(crate) use header::stream_header;

/// `MFX_CORRUPTION_MAJOR`: the picture's own data was damaged or missing.
const CORRUPTION_MAJOR: u16 = 0x0002;
/// `MFX_CORRUPTION_REFERENCE_FRAME`: the picture was predicted from a damaged one.
const CORRUPTION_REFERENCE_FRAME: u16 = 0x0010;

impl From<FfmpegError> for DecodeError {
    fn from(error: FfmpegError) -> Self {
        DecodeError::Bitstream(BackendError::Bitstream(error.to_string()))
    }
}

/// The libavcodec codec behind `codec` (`None`: a pure-Rust backend).
pub(crate) fn codec_id(codec: Codec) -> Option<CodecId> {
    Some(match codec {
        Codec::Vp8 => return None,
        Codec::Avc => CodecId::H264,
        Codec::Hevc => CodecId::Hevc,
        Codec::Av1 => CodecId::Av1,
        Codec::Vp9 => CodecId::Vp9,
        Codec::Jpeg => CodecId::Mjpeg,
    })
}

/// The surface size libavcodec decodes pictures of `width` x `height` of `codec` into in place.
pub(crate) fn surface_size(codec: Codec, width: u32, height: u32) -> Result<(u32, u32), DecodeError> {
    let id = codec_id(codec).ok_or(DecodeError::Unsupported("not a libavcodec codec"))?;
    Ok(Decoder::surface_size(id, width, height)?)
}

/// The libavcodec backend of `codec`, decoding into `pool`'s surfaces (or the work surfaces).
pub(crate) fn stream_backend(
    codec: Codec,
    output: FrameInfo,
    pool: SurfacePool,
) -> Result<Box<dyn StreamBackend>, DecodeError> {
    Ok(Box::new(StreamEngine::new(codec, output, pool)?))
}

/// True when pictures of `codec` go straight into `fourcc` surfaces.
pub(crate) fn in_place(codec: Codec, fourcc: FourCc) -> bool {
    codec.decodes_in_place() && matches!(fourcc, FourCc::I420 | FourCc::Yv12)
}

/// Decoder threads: the machine's cores, at most 8.
pub(crate) fn decode_threads() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8)) as u32
}

/// The pictures surfaces of `output` hold: its size, in the format its FourCC is decoded from.
fn limits(output: &FrameInfo) -> Option<StreamLimits> {
    let format = match output.fourcc {
        FourCc::Nv12 | FourCc::I420 | FourCc::Yv12 => PixelFormat::Yuv420p,
        FourCc::P010 => PixelFormat::Yuv420p10,
        FourCc::Yuy2 => PixelFormat::Yuv422p,
        FourCc::Ayuv => PixelFormat::Yuv444p,
        FourCc::Y210 => PixelFormat::Yuv422p10,
        FourCc::Y410 => PixelFormat::Yuv444p10,
        _ => return None,
    };
    Some(StreamLimits { max_width: output.width, max_height: output.height, format })
}

/// How pictures reach surfaces when decoding in place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Threading {
    /// Not decided until the first call: 2.x calls (no work surface) get frame threads.
    Undecided,
    /// Slice threads; each picture goes into the surface offered for it (the work surface).
    Slices,
    /// Frame threads: libavcodec's workers decode ahead, each picture into a surface they take
    /// from the decode pool themselves.
    Frames,
}

pub(crate) struct StreamEngine {
    decoder: Decoder,
    config: DecoderConfig,
    threading: Threading,
    skip_level: u8,
    output: FrameInfo,
    pool: SurfacePool,
    stats: DecodeStats,
    /// Corruption the next picture inherits (`Corrupted` flags): `MAJOR` after a packet the
    /// decoder refused (data missing or concealed), then `REFERENCE_FRAME` until a key frame.
    taint: u16,
    /// Reads the shape of a frame before it is decoded, for codecs fed one frame per call.
    probe: Option<ShapeProbe>,
    /// A new sequence whose pictures the surfaces cannot hold was met: the size, and the bytes
    /// taken from the stream but not decoded (its first packet). Only the drain goes on.
    new_sequence: Option<(u32, u32)>,
    undecoded: Vec<u8>,
    /// A new sequence of another picture size or format that still fits the surfaces was met
    /// (`MFX_WRN_VIDEO_PARAM_CHANGED`), not yet reported.
    params_changed: bool,
    /// The next picture comes from data known to be incomplete (a JPEG without its end marker).
    damaged_next: bool,
}

impl StreamEngine {
    /// Pictures go into `pool`'s surfaces (no work surface) or the caller's work surfaces: in
    /// place where the codec and format allow it and each surface's planes suit libavcodec
    /// (`get_buffer2` checks every one), converted otherwise.
    pub fn new(codec: Codec, output: FrameInfo, pool: SurfacePool) -> Result<Self, DecodeError> {
        let id = codec_id(codec).ok_or(DecodeError::Unsupported("not a libavcodec codec"))?;
        let direct = in_place(codec, output.fourcc).then_some(DirectTarget { fourcc: output.fourcc });
        let mut config = DecoderConfig::new(id, direct, decode_threads());
        config.limits = limits(&output);
        let decoder = Decoder::new(config.clone())?;
        let threading = if direct.is_some() && config.threads > 1 { Threading::Undecided } else { Threading::Slices };
        Ok(Self {
            decoder,
            config,
            threading,
            skip_level: 0,
            output,
            pool,
            stats: DecodeStats::default(),
            taint: 0,
            probe: ShapeProbe::new(id),
            new_sequence: None,
            undecoded: Vec::new(),
            params_changed: false,
            damaged_next: false,
        })
    }

    /// Settles the threading on the first call: without a work surface (the internal memory
    /// model), the decoder is reopened with frame threads drawing on the decode pool; with work
    /// surfaces (1.x, or runtime surfaces), slice threads, each picture going into the surface
    /// offered in its call.
    fn settle_threading(&mut self, work: Option<&Surface>) -> Result<(), DecodeError> {
        if self.threading != Threading::Undecided {
            return Ok(());
        }
        // Frame threads take surfaces on libavcodec's workers, where an exhausted pool can only
        // stall or fail a picture; a pool the application limits (mfxExtAllocationHints) is
        // drawn from in the call instead, so its Wait gives MFX_WRN_ALLOC_TIMEOUT_EXPIRED with
        // the data left for the next call.
        if work.is_some() || self.pool.policy() != vplrs_memory::AllocationPolicy::Unlimited {
            self.threading = Threading::Slices;
            return Ok(());
        }
        let mut config = self.config.clone();
        config.frame_pool = Some(self.pool.clone());
        let mut decoder = Decoder::new(config)?;
        decoder.set_skip_level(self.skip_level);
        self.decoder = decoder;
        self.threading = Threading::Frames;
        Ok(())
    }

    fn run(
        &mut self,
        data: Option<&[u8]>,
        work: Option<&Surface>,
        timestamp: u64,
        consumed: &mut usize,
    ) -> Result<Surface, DecodeError> {
        let pts = (timestamp != TIMESTAMP_UNKNOWN).then_some(timestamp as i64);
        loop {
            let received = match self.decoder.receive()? {
                Some(picture) => {
                    // A key frame starts afresh; other pictures inherit the damage before them.
                    let inherited = if picture.is_key_frame() { 0 } else { self.taint };
                    let incomplete = std::mem::take(&mut self.damaged_next);
                    let own = if picture.is_corrupt() || incomplete { CORRUPTION_MAJOR } else { 0 };
                    let corrupted = own | inherited;
                    self.taint = if corrupted != 0 { CORRUPTION_REFERENCE_FRAME } else { 0 };
                    Some(output_picture(picture, work, &self.pool, &self.output, corrupted, &mut self.stats)?)
                }
                None => None,
            };
            if let Some(surface) = received {
                return Ok(surface);
            }
            self.check_incompatible()?;
            match data {
                None => {
                    if self.decoder.is_drained() {
                        return Err(DecodeError::MoreData);
                    }
                    self.offer_surface(work)?;
                    if let Err(error) = self.decoder.send_eof() {
                        self.packet_error(&error);
                    }
                    self.damaged_next |= self.decoder.take_truncated();
                }
                Some(data) => {
                    if *consumed >= data.len() {
                        return Err(DecodeError::MoreData);
                    }
                    self.offer_surface(work)?;
                    let fed = self.decoder.feed(&data[*consumed..], pts)?;
                    *consumed += fed.consumed;
                    self.params_changed |= self.decoder.take_shape_change();
                    self.damaged_next |= self.decoder.take_truncated();
                    if let Some(held) = self.decoder.take_held() {
                        // A new sequence the surfaces cannot hold: its first packet is kept for
                        // the caller ([`Self::take_undecoded`]); the pictures before it drain.
                        let (width, height) = (held.shape.width, held.shape.height);
                        tracing::debug!(width, height, "a new sequence does not fit the surfaces");
                        self.undecoded = held.data;
                        self.new_sequence = Some((width, height));
                        return Err(DecodeError::Incompatible(width, height));
                    }
                    if let Some(Err(error)) = &fed.sent {
                        self.packet_error(error);
                    }
                    if fed.consumed == 0 && fed.sent.is_none() {
                        // No progress possible on these bytes: they cannot start a packet.
                        *consumed = data.len();
                    }
                }
            }
        }
    }

    /// In place, a packet may need a surface: the work surface if unused, else `MoreSurface`
    /// (1.x), or one from the decode pool (2.x).
    fn offer_surface(&mut self, work: Option<&Surface>) -> Result<(), DecodeError> {
        if !self.decoder.is_direct() || self.threading == Threading::Frames || self.decoder.has_surface() {
            return Ok(());
        }
        if work.is_some() {
            return Err(DecodeError::MoreSurface);
        }
        let surface = self.pool.acquire()?;
        drop(self.decoder.set_surface(Some(surface)));
        Ok(())
    }

    /// Codecs fed one frame per call (VP9, AV1): a frame starting a sequence the surfaces cannot
    /// hold is refused before it is decoded, and not taken (the caller keeps it for the new
    /// decoder).
    fn check_frame_fits(&mut self, frame: &[u8]) -> Result<(), DecodeError> {
        let Some(limits) = self.config.limits else { return Ok(()) };
        let shape = match self.config.codec {
            CodecId::Vp9 => vp9_header::frame_shape(frame).map(|s| (s.width, s.height, s.format)),
            _ => self.probe.as_mut().and_then(|probe| probe.shape(frame)).map(|s| (s.width, s.height, s.format)),
        };
        match shape {
            Some((width, height, format))
                if width > limits.max_width || height > limits.max_height || format != limits.format =>
            {
                tracing::debug!(width, height, "a frame of a new sequence does not fit the surfaces");
                Err(DecodeError::Incompatible(width, height))
            }
            _ => Ok(()),
        }
    }

    fn check_incompatible(&self) -> Result<(), DecodeError> {
        match self.decoder.take_incompatible() {
            Some((width, height)) => Err(DecodeError::Incompatible(width, height)),
            None => Ok(()),
        }
    }

    /// A packet the decoder refused: counted, and decoding goes on with the next one (as players
    /// do); the pictures that depend on it come out marked corrupted or not at all.
    fn packet_error(&mut self, error: &FfmpegError) {
        self.taint = CORRUPTION_MAJOR;
        tracing::warn!(%error, "packet not decoded");
        self.stats.errors += 1;
    }
}

fn output_picture(
    picture: Picture<'_>,
    work: Option<&Surface>,
    pool: &SurfacePool,
    output: &FrameInfo,
    corrupted: u16,
    stats: &mut DecodeStats,
) -> Result<Surface, DecodeError> {
    let (width, height) = (picture.width(), picture.height());
    let timestamp = picture.pts().map_or(TIMESTAMP_UNKNOWN, |pts| pts as u64);
    let pic_struct = match (picture.is_interlaced(), picture.top_field_first()) {
        (false, _) => PicStruct::PROGRESSIVE,
        (true, true) => PicStruct::FIELD_TFF,
        (true, false) => PicStruct::FIELD_BFF,
    };
    let surface = match picture.take_surface() {
        Some(surface) => surface?,
        None => {
            let target = match work {
                Some(work) => work.clone(),
                None => pool.acquire()?,
            };
            let layout = target.layout();
            if width > layout.width || height > layout.height {
                return Err(DecodeError::Incompatible(width, height));
            }
            vplrs_memory::copies::allow("decode", || {
                "libavcodec decoded into its own memory: the surface's planes are not aligned as its SIMD code \
                 needs (64-byte plane starts and pitches) or lack the padding rows QueryIOSurf asks for (an \
                 application (1.x) surface, or one of its allocator's)"
                    .to_owned()
            })?;
            let mut guard = target.begin_output().map_err(|_| DecodeError::MoreSurface)?;
            convert(&picture, &mut guard.view_mut(), output.lsb_aligned)?;
            stats.copies += 1;
            guard.finish(Ok(()));
            target
        }
    };
    drop(picture);
    stats.decoded += 1;
    stats.shown += 1;
    if corrupted != 0 {
        stats.corrupted += 1;
    }
    let order = (stats.shown - 1) as u32;
    surface.update_meta(|meta| {
        meta.info.crop = Rect { x: 0, y: 0, width, height };
        meta.info.pic_struct = pic_struct;
        meta.info.frame_rate = output.frame_rate;
        meta.info.aspect = output.aspect;
        meta.timestamp = timestamp;
        meta.frame_order = order;
        meta.corrupted = corrupted;
    });
    Ok(surface)
}

fn rows((data, pitch): (&[u8], usize), row_bytes: usize, count: usize) -> impl Iterator<Item = &[u8]> {
    (0..count).map(move |y| &data[y * pitch..y * pitch + row_bytes])
}

/// Writes a picture in libavcodec's memory into a surface: the one copy of the converted path.
/// `lsb_aligned`: P010 samples stay in the low bits (`mfxFrameInfo.Shift` 0).
fn convert(picture: &Picture<'_>, view: &mut FrameViewMut<'_>, lsb_aligned: bool) -> Result<(), DecodeError> {
    let (w, h) = (picture.width() as usize, picture.height() as usize);
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let incompatible = || DecodeError::Incompatible(picture.width(), picture.height());
    let plane = |i: usize| picture.plane(i).ok_or_else(incompatible);
    let fourcc = view.fourcc;
    match (picture.format(), fourcc) {
        (PixelFormat::Yuv420p, FourCc::Nv12 | FourCc::I420 | FourCc::Yv12) => {
            let (y, u, v) = (plane(0)?, plane(1)?, plane(2)?);
            let planes = view.planes_mut();
            for (dst, src) in planes[0].rows_mut().zip(rows(y, w, h)) {
                dst[..w].copy_from_slice(src);
            }
            if fourcc == FourCc::Nv12 {
                for ((dst, u), v) in planes[1].rows_mut().zip(rows(u, cw, ch)).zip(rows(v, cw, ch)) {
                    for ((pair, &u), &v) in dst[..2 * cw].chunks_exact_mut(2).zip(u).zip(v) {
                        pair[0] = u;
                        pair[1] = v;
                    }
                }
            } else {
                let (u_index, v_index) = if fourcc == FourCc::Yv12 { (2, 1) } else { (1, 2) };
                for (index, source) in [(u_index, u), (v_index, v)] {
                    for (dst, src) in planes[index].rows_mut().zip(rows(source, cw, ch)) {
                        dst[..cw].copy_from_slice(src);
                    }
                }
            }
        }
        (PixelFormat::Yuv420p10, FourCc::P010) => {
            let (y, u, v) = (plane(0)?, plane(1)?, plane(2)?);
            let planes = view.planes_mut();
            let up = if lsb_aligned { 0 } else { 6 };
            let shift = |dst: &mut [u8], sample: &[u8]| {
                let value = u16::from_le_bytes([sample[0], sample[1]]) << up;
                dst.copy_from_slice(&value.to_le_bytes());
            };
            for (dst, src) in planes[0].rows_mut().zip(rows(y, 2 * w, h)) {
                for (d, s) in dst[..2 * w].chunks_exact_mut(2).zip(src.chunks_exact(2)) {
                    shift(d, s);
                }
            }
            for ((dst, u), v) in planes[1].rows_mut().zip(rows(u, 2 * cw, ch)).zip(rows(v, 2 * cw, ch)) {
                for ((quad, u), v) in dst[..4 * cw].chunks_exact_mut(4).zip(u.chunks_exact(2)).zip(v.chunks_exact(2)) {
                    shift(&mut quad[..2], u);
                    shift(&mut quad[2..], v);
                }
            }
        }
        (PixelFormat::Yuv422p, FourCc::Yuy2) => {
            let (y, u, v) = (plane(0)?, plane(1)?, plane(2)?);
            let packed = view.planes_mut();
            let sources = rows(y, w, h).zip(rows(u, cw, h)).zip(rows(v, cw, h));
            for (dst, ((y, u), v)) in packed[0].rows_mut().zip(sources) {
                // Y0 U Y1 V for each pair of columns (an odd width's last pair repeats its Y0).
                for (x, quad) in dst[..4 * cw].chunks_exact_mut(4).enumerate() {
                    quad[0] = y[2 * x];
                    quad[1] = u[x];
                    quad[2] = y.get(2 * x + 1).copied().unwrap_or(y[2 * x]);
                    quad[3] = v[x];
                }
            }
        }
        (PixelFormat::Yuv444p, FourCc::Ayuv) => {
            let (y, u, v) = (plane(0)?, plane(1)?, plane(2)?);
            let packed = view.planes_mut();
            let sources = rows(y, w, h).zip(rows(u, w, h)).zip(rows(v, w, h));
            for (dst, ((y, u), v)) in packed[0].rows_mut().zip(sources) {
                // Bytes V, U, Y, A in memory; opaque alpha.
                for (((quad, &y), &u), &v) in dst[..4 * w].chunks_exact_mut(4).zip(y).zip(u).zip(v) {
                    quad.copy_from_slice(&[v, u, y, 0xff]);
                }
            }
        }
        (PixelFormat::Yuv422p10, FourCc::Y210) => {
            let (y, u, v) = (plane(0)?, plane(1)?, plane(2)?);
            let up = if lsb_aligned { 0 } else { 6 };
            let sample = |row: &[u8], i: usize| (u16::from_le_bytes([row[2 * i], row[2 * i + 1]]) << up).to_le_bytes();
            let packed = view.planes_mut();
            let sources = rows(y, 2 * w, h).zip(rows(u, 2 * cw, h)).zip(rows(v, 2 * cw, h));
            for (dst, ((y, u), v)) in packed[0].rows_mut().zip(sources) {
                // Y0 U Y1 V, 16 bits each (an odd width's last pair repeats its Y0).
                for (x, group) in dst[..8 * cw].chunks_exact_mut(8).enumerate() {
                    let y1 = if 2 * x + 1 < w { 2 * x + 1 } else { 2 * x };
                    group[0..2].copy_from_slice(&sample(y, 2 * x));
                    group[2..4].copy_from_slice(&sample(u, x));
                    group[4..6].copy_from_slice(&sample(y, y1));
                    group[6..8].copy_from_slice(&sample(v, x));
                }
            }
        }
        (PixelFormat::Yuv444p10, FourCc::Y410) => {
            let (y, u, v) = (plane(0)?, plane(1)?, plane(2)?);
            let packed = view.planes_mut();
            let sources = rows(y, 2 * w, h).zip(rows(u, 2 * w, h)).zip(rows(v, 2 * w, h));
            let sample = |row: &[u8], i: usize| u32::from(u16::from_le_bytes([row[2 * i], row[2 * i + 1]]) & 0x3ff);
            for (dst, ((y, u), v)) in packed[0].rows_mut().zip(sources) {
                // U in bits 0..10, Y 10..20, V 20..30, opaque alpha in 30..32.
                for (x, word) in dst[..4 * w].chunks_exact_mut(4).enumerate() {
                    let value = sample(u, x) | sample(y, x) << 10 | sample(v, x) << 20 | 3 << 30;
                    word.copy_from_slice(&value.to_le_bytes());
                }
            }
        }
        _ => return Err(incompatible()),
    }
    Ok(())
}

impl StreamBackend for StreamEngine {
    /// One `DecodeFrameAsync`: `consumed` gets the bytes of `data` taken, whatever the outcome.
    fn decode(
        &mut self,
        data: Option<&[u8]>,
        work: Option<&Surface>,
        timestamp: u64,
        consumed: &mut usize,
    ) -> Result<Surface, DecodeError> {
        *consumed = 0;
        if let (Some(_), Some((width, height))) = (data, self.new_sequence) {
            // Only the drain goes on: the new sequence needs new surfaces (Close and Init).
            return Err(DecodeError::Incompatible(width, height));
        }
        if let Some(frame) = data {
            self.check_frame_fits(frame)?;
        }
        if let Some(work) = work {
            check_work_surface(work, &self.output)?;
        }
        self.settle_threading(work)?;
        // With frame threads a worker may want a surface after this call returns: the
        // application's work surface is never offered then (the picture comes from the pool).
        let direct = self.decoder.is_direct() && self.threading == Threading::Slices;
        if direct {
            if let Some(work) = work {
                // The call's work surface replaces a pool surface left on offer by a 2.x call.
                drop(self.decoder.set_surface(Some(work.clone())));
            }
        }
        let result = self.run(data, work, timestamp, consumed);
        if direct && work.is_some() {
            // A work surface not used stays the application's.
            drop(self.decoder.set_surface(None));
        }
        if let Err(DecodeError::Bitstream(_)) = &result {
            self.stats.errors += 1;
        }
        result
    }

    fn stats(&self) -> DecodeStats {
        self.stats
    }

    /// See [`vplrs_ffmpeg::Decoder::set_skip_level`].
    fn set_skip_level(&mut self, level: u8) {
        self.skip_level = level;
        self.decoder.set_skip_level(level);
    }

    /// True when pictures are decoded straight into surfaces (no copy).
    fn is_in_place(&self) -> bool {
        self.decoder.is_direct()
    }

    /// True once after a new sequence of another picture size or format that the surfaces still
    /// hold was sent to the decoder.
    fn take_params_changed(&mut self) -> bool {
        std::mem::take(&mut self.params_changed)
    }

    /// The bytes taken from the stream but not decoded, at a new sequence the surfaces cannot hold
    /// ([`DecodeError::Incompatible`]): the start of that sequence, for the decoder that follows.
    fn take_undecoded(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.undecoded)
    }
}
