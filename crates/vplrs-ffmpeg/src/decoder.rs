//! A libavcodec decoding context with its bitstream parser.
//!
//! Elementary streams (Annex B H.264/HEVC, MJPEG) arrive in chunks of any size: the codec's
//! parser (`av_parser_parse2`) cuts them into packets, and [`Decoder::feed`] says how many bytes it
//! took. Codecs whose input is already one frame per chunk (VP9, AV1 from a container) get each
//! chunk as one packet.

use std::ptr;
use std::sync::Arc;

use crate::buffers::{self, BufferShared, DirectTarget};
use crate::codec::{parse, quiet_logs, CodecId, FfmpegError};
use crate::damage::{ContextState, DamageLog};
use crate::picture::Picture;
use crate::shape::{StreamLimits, StreamShape};
use crate::sys;

/// `AV_INPUT_BUFFER_PADDING_SIZE`: bytes libavcodec's parsers and bit readers may read past the
/// end of their input.
const INPUT_PADDING: usize = sys::AV_INPUT_BUFFER_PADDING_SIZE as usize;

/// How to open a decoder.
#[derive(Clone)]
pub struct DecoderConfig {
    /// The codec to decode.
    pub codec: CodecId,
    /// Decode straight into surfaces of this format and size (8-bit 4:2:0 pictures only, on
    /// decoders with `AV_CODEC_CAP_DR1`); `None`: libavcodec's own buffers.
    pub direct: Option<DirectTarget>,
    /// Threads (0: libavcodec's choice).
    pub threads: u32,
    /// Frame threads for a direct decoder: pictures are decoded on libavcodec's worker threads,
    /// each into a surface `get_buffer2` takes from this pool itself (nothing is offered). Without
    /// it, slice threads only, and pictures go into the surface offered by the caller.
    pub frame_pool: Option<vplrs_memory::SurfacePool>,
    /// See [`Decoder::set_limits`].
    pub limits: Option<StreamLimits>,
}

impl DecoderConfig {
    /// Slice-threaded, `threads` threads.
    pub fn new(codec: CodecId, direct: Option<DirectTarget>, threads: u32) -> Self {
        Self { codec, direct, threads, frame_pool: None, limits: None }
    }
}

/// What [`Decoder::feed`] did.
#[derive(Debug)]
pub struct FeedResult {
    /// Bytes of the chunk taken (the parser may hold some of them until the packet is complete).
    pub consumed: usize,
    /// A packet was sent to the decoder: its outcome.
    pub sent: Option<Result<(), FfmpegError>>,
}

/// A decoding context, its parser and the state of its `get_buffer2`.
pub struct Decoder {
    codec: CodecId,
    ctx: *mut sys::AVCodecContext,
    parser: *mut sys::AVCodecParserContext,
    packet: *mut sys::AVPacket,
    frame: *mut sys::AVFrame,
    shared: Option<Arc<BufferShared>>,
    /// What the context's `opaque` points to: `shared` and the damage marks.
    state: Arc<ContextState>,
    eof_sent: bool,
    /// The last bytes of a chunk, copied with the zeroed padding the parser may read past them.
    tail: Vec<u8>,
    /// The pictures the caller's surfaces hold: a packet of a new sequence beyond them is held
    /// back, not decoded (see [`Decoder::set_limits`]).
    limits: Option<StreamLimits>,
    /// A packet of a new sequence the surfaces cannot hold, taken from the stream but not sent.
    held: Option<HeldPacket>,
    /// The shape of the pictures of the packets sent so far, and whether it changed since the
    /// last [`Decoder::take_shape_change`].
    shape: Option<StreamShape>,
    shape_changed: bool,
    /// A JPEG picture without its end-of-image marker was sent (a truncated picture).
    truncated: bool,
}

/// A packet held back at a change of sequence.
#[derive(Debug)]
pub struct HeldPacket {
    /// The packet's bytes: a whole access unit of the stream, starting with its parameter sets.
    pub data: Vec<u8>,
    /// The stream's picture size and format, as the parser read them.
    pub shape: StreamShape,
}

// SAFETY: the context, parser, packet and frame are owned exclusively by this value and only used
// through `&mut self`; libavcodec contexts may move between threads (they are not thread-bound).
unsafe impl Send for Decoder {}

impl Decoder {
    /// Opens a decoder for `config`.
    pub fn new(config: DecoderConfig) -> Result<Self, FfmpegError> {
        quiet_logs();
        let codec = find_decoder(config.codec)?;
        // SAFETY: `codec` is a valid decoder from libavcodec's static tables.
        let ctx = unsafe { sys::avcodec_alloc_context3(codec) };
        if ctx.is_null() {
            return Err(FfmpegError::Alloc("a codec context"));
        }
        let mut decoder = Self {
            codec: config.codec,
            ctx,
            parser: ptr::null_mut(),
            packet: ptr::null_mut(),
            frame: ptr::null_mut(),
            shared: None,
            state: Arc::new(ContextState { buffers: None, damage: DamageLog::default() }),
            eof_sent: false,
            tail: Vec::new(),
            limits: config.limits,
            held: None,
            shape: None,
            shape_changed: false,
            truncated: false,
        };
        // SAFETY: `codec` is valid (see above).
        let capabilities = unsafe { (*codec).capabilities } as u32;
        let direct = config.direct.filter(|_| capabilities & sys::AV_CODEC_CAP_DR1 != 0);
        // SAFETY: `ctx` was just allocated and is not opened yet: its fields are ours to set.
        unsafe {
            (*ctx).thread_type = if config.frame_pool.is_some() && direct.is_some() {
                sys::FF_THREAD_FRAME | sys::FF_THREAD_SLICE
            } else {
                sys::FF_THREAD_SLICE
            };
            (*ctx).thread_count = config.threads as libc::c_int;
            // HEVC checks what it can (picture hashes in SEI, bitstream conformance) and logs what
            // it finds, which marks the picture (see `damage`). Not AV_EF_EXPLODE: it makes the
            // decode call that meets an error fail, and the picture that call was to hand out,
            // often an earlier sound one, is lost.
            if config.codec == CodecId::Hevc {
                (*ctx).err_recognition = sys::AV_EF_CRCCHECK | sys::AV_EF_BITSTREAM | sys::AV_EF_BUFFER;
            }
        }
        let buffers = direct.map(|target| Arc::new(BufferShared::new(target, config.frame_pool.clone())));
        let state = Arc::new(ContextState { buffers: buffers.clone(), damage: DamageLog::default() });
        // SAFETY: as above; `opaque` keeps a counted reference released in `Drop`, after the
        // context (and so every callback that reads it) is gone. `get_buffer2` falls back to
        // libavcodec's own buffers when not decoding in place (it tags every picture).
        unsafe {
            (*ctx).opaque = state.clone().into_opaque();
            (*ctx).get_buffer2 = Some(buffers::get_buffer2);
        }
        decoder.shared = buffers;
        decoder.state = state;
        // SAFETY: `ctx` and `codec` are valid and match; no options dictionary.
        let status = unsafe { sys::avcodec_open2(ctx, codec, ptr::null_mut()) };
        if status < 0 {
            return Err(FfmpegError::call("avcodec_open2", status));
        }
        if config.codec.parsed() {
            // SAFETY: plain constructor; null when libavcodec has no parser for the codec.
            decoder.parser = unsafe { sys::av_parser_init(config.codec.av_id() as libc::c_int) };
        }
        // SAFETY: plain constructors.
        decoder.packet = unsafe { sys::av_packet_alloc() };
        // SAFETY: as above.
        decoder.frame = unsafe { sys::av_frame_alloc() };
        if decoder.packet.is_null() || decoder.frame.is_null() {
            return Err(FfmpegError::Alloc("a packet or a frame"));
        }
        Ok(decoder)
    }

    /// The codec decoded.
    pub fn codec(&self) -> CodecId {
        self.codec
    }

    /// True when pictures are decoded straight into the surfaces given through [`Self::set_surface`].
    pub fn is_direct(&self) -> bool {
        self.shared.is_some()
    }

    /// Offers the surface the next picture is decoded into (direct mode). The previous offer, if
    /// not taken, is returned.
    pub fn set_surface(&self, surface: Option<vplrs_memory::Surface>) -> Option<vplrs_memory::Surface> {
        self.shared.as_ref().and_then(|shared| std::mem::replace(&mut *shared.slot.lock(), surface))
    }

    /// True when a surface is on offer (direct mode).
    pub fn has_surface(&self) -> bool {
        self.shared.as_ref().is_some_and(|shared| shared.slot.lock().is_some())
    }

    /// A picture size the surfaces could not hold, met by `get_buffer2` since the last call.
    pub fn take_incompatible(&self) -> Option<(u32, u32)> {
        self.shared.as_ref().and_then(|shared| shared.incompatible.lock().take())
    }

    /// Pictures written straight into surfaces so far.
    pub fn direct_pictures(&self) -> u64 {
        self.shared.as_ref().map_or(0, |shared| shared.direct_pictures.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// Pictures decoded into libavcodec's own memory because the offered surface's rows were not
    /// aligned as libavcodec needs (direct mode).
    pub fn fallback_pictures(&self) -> u64 {
        self.shared.as_ref().map_or(0, |shared| shared.fallback_pictures.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// Takes bytes of the stream: at most one packet is cut and sent per call. `pts` is attached to
    /// the picture starting in these bytes.
    pub fn feed(&mut self, data: &[u8], pts: Option<i64>) -> Result<FeedResult, FfmpegError> {
        self.reopen_after_eof();
        let size = libc::c_int::try_from(data.len()).map_err(|_| FfmpegError::TooLarge)?;
        let pts = pts.unwrap_or(sys::AV_NOPTS_VALUE);
        if self.parser.is_null() {
            if data.is_empty() {
                return Ok(FeedResult { consumed: 0, sent: None });
            }
            let sent = self.send(data.as_ptr(), size, pts);
            return Ok(FeedResult { consumed: data.len(), sent: Some(sent) });
        }
        // The parser may read up to AV_INPUT_BUFFER_PADDING_SIZE bytes past what it is given, and
        // the caller's buffer may end right after its data. All but the last PADDING bytes are
        // parsed in place (what lies past them is still the caller's data); the last ones go
        // through `tail`, zero-padded. The parser takes any chunking, so the split is invisible.
        let in_place = data.len().saturating_sub(INPUT_PADDING);
        let input: &[u8] = if in_place > 0 {
            &data[..in_place]
        } else {
            self.tail.clear();
            self.tail.extend_from_slice(data);
            self.tail.resize(data.len() + INPUT_PADDING, 0);
            &self.tail[..data.len()]
        };
        let size = libc::c_int::try_from(input.len()).map_err(|_| FfmpegError::TooLarge)?;
        // SAFETY: parser and context are valid; `input` is readable for `size` bytes followed by at
        // least INPUT_PADDING readable bytes (the rest of `data`, or the zeroed end of `tail`); an
        // empty chunk is passed as a non-null pointer with size 0, which is not the flush request.
        let (used, out, out_size) = unsafe { parse(self.parser, self.ctx, input.as_ptr(), size, pts) };
        if used < 0 {
            return Err(FfmpegError::call("av_parser_parse2", used));
        }
        let consumed = (used as usize).min(input.len());
        // SAFETY: the parser's output stays valid until its next call; we read `pts` from it.
        let packet_pts = unsafe { (*self.parser).pts };
        if out_size <= 0 || out.is_null() {
            return Ok(FeedResult { consumed, sent: None });
        }
        if let Some(shape) = self.parser_shape() {
            if self.limits.is_some_and(|limits| !shape.fits(&limits)) {
                // SAFETY: the parser's output is `out_size` readable bytes until its next call.
                let data = unsafe { std::slice::from_raw_parts(out, out_size as usize) }.to_vec();
                self.held = Some(HeldPacket { data, shape });
                return Ok(FeedResult { consumed, sent: None });
            }
            self.note_shape(shape);
        }
        let sent = Some(self.send(out, out_size, packet_pts));
        Ok(FeedResult { consumed, sent })
    }

    /// Holds back, rather than decodes, a packet of a new sequence whose pictures exceed
    /// `limits` (larger, or another format): [`Self::take_held`] gives it back, for the caller to
    /// decode into new surfaces. `None`: every packet is decoded.
    pub fn set_limits(&mut self, limits: Option<StreamLimits>) {
        self.limits = limits;
    }

    /// A packet held back at a change of sequence (see [`Self::set_limits`]).
    pub fn held(&self) -> Option<&HeldPacket> {
        self.held.as_ref()
    }

    /// Takes the held packet back (the caller hands it in again).
    pub fn take_held(&mut self) -> Option<HeldPacket> {
        self.held.take()
    }

    /// True once per change of the pictures' size or format among the packets decoded (a new
    /// sequence whose pictures still fit the limits).
    pub fn take_shape_change(&mut self) -> bool {
        std::mem::take(&mut self.shape_changed)
    }

    fn note_shape(&mut self, shape: StreamShape) {
        if self.shape.is_some_and(|previous| previous != shape) {
            self.shape_changed = true;
        }
        self.shape = Some(shape);
    }

    /// The picture size and format the parser read for its last packet, if it reads them.
    fn parser_shape(&self) -> Option<StreamShape> {
        // SAFETY: the parser context is valid while the decoder lives (checked non-null by callers).
        unsafe { crate::shape::parsed_shape(self.parser) }
    }

    /// Sends what the parser still holds (the stream's last packet) and the end of stream.
    pub fn send_eof(&mut self) -> Result<(), FfmpegError> {
        if self.eof_sent {
            return Ok(());
        }
        let mut result = Ok(());
        if !self.parser.is_null() {
            // SAFETY: a null buffer of size 0 asks the parser for its last packet.
            let (_, out, out_size) = unsafe { parse(self.parser, self.ctx, ptr::null(), 0, sys::AV_NOPTS_VALUE) };
            if out_size > 0 && !out.is_null() {
                // SAFETY: the parser's output is valid until its next call.
                let pts = unsafe { (*self.parser).pts };
                match self.parser_shape() {
                    Some(shape) if self.limits.is_some_and(|limits| !shape.fits(&limits)) => {
                        // SAFETY: the parser's output is `out_size` readable bytes.
                        let data = unsafe { std::slice::from_raw_parts(out, out_size as usize) }.to_vec();
                        self.held = Some(HeldPacket { data, shape });
                    }
                    shape => {
                        if let Some(shape) = shape {
                            self.note_shape(shape);
                        }
                        result = self.send(out, out_size, pts);
                    }
                }
            }
        }
        // SAFETY: a null packet enters draining mode.
        let status = unsafe { sys::avcodec_send_packet(self.ctx, ptr::null()) };
        self.eof_sent = true;
        if status < 0 && status != sys::AVERROR_EOF {
            return Err(FfmpegError::call("avcodec_send_packet", status));
        }
        result
    }

    /// After a drain, new data starts the decoder afresh (references are dropped).
    fn reopen_after_eof(&mut self) {
        if self.eof_sent {
            // SAFETY: the context is open; flushing resets it after draining.
            unsafe { sys::avcodec_flush_buffers(self.ctx) };
            self.eof_sent = false;
        }
    }

    /// True once after a JPEG picture without its end-of-image marker (`FF D9`) was sent:
    /// libavcodec decodes what there is without a word, so the caller marks the picture.
    pub fn take_truncated(&mut self) -> bool {
        std::mem::take(&mut self.truncated)
    }

    fn send(&mut self, data: *const u8, size: libc::c_int, pts: i64) -> Result<(), FfmpegError> {
        if self.codec == CodecId::Mjpeg && size >= 2 {
            // SAFETY: `data` is readable for `size` bytes (the caller's contract, see below).
            let end = unsafe { std::slice::from_raw_parts(data.add(size as usize - 2), 2) };
            self.truncated |= end != [0xff, 0xd9];
        }
        // SAFETY: the packet is ours; unref resets it to empty.
        unsafe { sys::av_packet_unref(self.packet) };
        // SAFETY: the packet is not refcounted, so `avcodec_send_packet` copies the `size` bytes at
        // `data` (valid for the duration of this call) before returning.
        let status = unsafe {
            (*self.packet).data = data as *mut u8;
            (*self.packet).size = size;
            (*self.packet).pts = pts;
            let status = sys::avcodec_send_packet(self.ctx, self.packet);
            (*self.packet).data = ptr::null_mut();
            (*self.packet).size = 0;
            status
        };
        if status < 0 {
            return Err(FfmpegError::call("avcodec_send_packet", status));
        }
        Ok(())
    }

    /// The next picture in display order. `Ok(None)`: more input is needed, or (after
    /// [`Self::send_eof`]) the stream is drained — see [`Self::is_drained`].
    pub fn receive(&mut self) -> Result<Option<Picture<'_>>, FfmpegError> {
        // SAFETY: the frame is ours and unreferenced (a previous `Picture` unref'd it on drop).
        let status = unsafe { sys::avcodec_receive_frame(self.ctx, self.frame) };
        if status == sys::AVERROR(libc::EAGAIN) || status == sys::AVERROR_EOF {
            return Ok(None);
        }
        if status < 0 {
            return Err(FfmpegError::call("avcodec_receive_frame", status));
        }
        // SAFETY: the frame now holds a decoded picture, which the `Picture` borrows.
        // SAFETY: as above; the frame is valid.
        let damaged = unsafe { self.state.damage.take(self.frame) };
        // SAFETY: the frame now holds a decoded picture, which the `Picture` borrows.
        Ok(Some(unsafe { Picture::new(self.frame, self.shared.as_deref(), damaged) }))
    }

    /// True once the decoder has given every picture after the end of the stream.
    pub fn is_drained(&self) -> bool {
        self.eof_sent
    }

    /// Skips work to decode faster (`MFXVideoDECODE_SetSkipMode`): level 0 decodes everything;
    /// 1 skips the loop filter of non-reference pictures, 2 of all pictures; 3 also drops
    /// B-pictures, 4 every non-reference picture (levels above 4 are 4). Takes effect from the next
    /// packet.
    pub fn set_skip_level(&mut self, level: u8) {
        use sys::AVDiscard::{AVDISCARD_ALL, AVDISCARD_BIDIR, AVDISCARD_DEFAULT, AVDISCARD_NONREF};
        let (loop_filter, frame) = match level {
            0 => (AVDISCARD_DEFAULT, AVDISCARD_DEFAULT),
            1 => (AVDISCARD_NONREF, AVDISCARD_DEFAULT),
            2 => (AVDISCARD_ALL, AVDISCARD_DEFAULT),
            3 => (AVDISCARD_ALL, AVDISCARD_BIDIR),
            _ => (AVDISCARD_ALL, AVDISCARD_NONREF),
        };
        // SAFETY: the context is open and not decoding (we hold `&mut self`); decoders read these
        // two fields at each picture.
        unsafe {
            (*self.ctx).skip_loop_filter = loop_filter;
            (*self.ctx).skip_frame = frame;
        }
    }

    /// Drops every picture and reference (seeking, `Reset`).
    pub fn flush(&mut self) {
        self.reopen_after_eof();
        // SAFETY: the context is open.
        unsafe { sys::avcodec_flush_buffers(self.ctx) };
    }

    /// The size libavcodec needs to allocate for a `width` x `height` picture of the context's
    /// pixel format, and the row alignment it needs (`avcodec_align_dimensions2`).
    pub fn aligned_dimensions(&self, width: u32, height: u32) -> (u32, u32, u32) {
        let (mut w, mut h) = (width as libc::c_int, height as libc::c_int);
        let mut align = [0 as libc::c_int; 8];
        // SAFETY: the context is open; the out-parameters are valid (8 alignments as declared).
        unsafe { sys::avcodec_align_dimensions2(self.ctx, &mut w, &mut h, align.as_mut_ptr()) };
        let max_align = align.iter().copied().max().unwrap_or(0).max(1);
        (w.max(0) as u32, h.max(0) as u32, max_align as u32)
    }

    /// The surface size (multiples of 16, with spare rows) libavcodec needs to decode a `width` x
    /// `height` 8-bit 4:2:0 picture of `codec` in place.
    pub fn surface_size(codec: CodecId, width: u32, height: u32) -> Result<(u32, u32), FfmpegError> {
        let decoder = Self::new(DecoderConfig::new(codec, None, 1))?;
        // SAFETY: the context is open and not decoding; `avcodec_align_dimensions2` reads pix_fmt.
        unsafe { (*decoder.ctx).pix_fmt = sys::AVPixelFormat::AV_PIX_FMT_YUV420P };
        let (w, h, _) = decoder.aligned_dimensions(width, height);
        Ok(crate::buffers::required_size(w.max(width), h.max(height)))
    }

    pub(crate) fn context(&self) -> &sys::AVCodecContext {
        // SAFETY: the context lives as long as `self`; reading its fields between calls is fine.
        unsafe { &*self.ctx }
    }
}

impl Drop for Decoder {
    fn drop(&mut self) {
        // SAFETY: every pointer is owned by this value and freed exactly once (the free functions
        // accept null). Freeing the context frees every picture it held, which runs the buffer
        // free callbacks and so releases the surfaces.
        unsafe {
            sys::av_frame_free(&mut self.frame);
            sys::av_packet_free(&mut self.packet);
            if !self.parser.is_null() {
                sys::av_parser_close(self.parser);
            }
            let opaque = (*self.ctx).opaque;
            sys::avcodec_free_context(&mut self.ctx);
            if !opaque.is_null() {
                ContextState::release_opaque(opaque);
            }
        }
        // An offered surface not taken goes back to its owner.
        drop(self.set_surface(None));
    }
}

fn find_decoder(codec: CodecId) -> Result<*const sys::AVCodec, FfmpegError> {
    for name in codec.decoder_names() {
        // SAFETY: a NUL-terminated name; the result is a static table entry or null.
        let found = unsafe { sys::avcodec_find_decoder_by_name(name.as_ptr()) };
        if !found.is_null() {
            return Ok(found);
        }
    }
    // SAFETY: plain lookup in libavcodec's static tables.
    let found = unsafe { sys::avcodec_find_decoder(codec.av_id()) };
    if found.is_null() {
        Err(FfmpegError::NoDecoder(codec))
    } else {
        Ok(found)
    }
}
