//! A libavcodec encoding context: pictures in (borrowed from their owners, not copied), packets
//! out.
//!
//! A picture is handed to libavcodec as an `AVFrame` whose planes point into the caller's memory
//! and whose `buf[0]` is an `AVBufferRef` owning the caller's [`FrameOwner`]: libavcodec keeps the
//! picture for as long as the encoder needs it (B-frame reordering, look-ahead) and the owner is
//! dropped exactly when the last reference goes, on whichever thread lets go of it. Encoders that
//! copy the picture into their own look-ahead (libx264, libx265, SVT-AV1) let go during the call
//! that took it.

use std::ffi::{CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;

use crate::codec::{quiet_logs, FfmpegError};
use crate::sys;

/// The codecs vplrs encodes through libavcodec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EncoderCodec {
    /// H.264 (libx264).
    H264,
    /// H.265 (libx265).
    Hevc,
    /// AV1 (SVT-AV1).
    Av1,
    /// Motion JPEG.
    Mjpeg,
}

impl EncoderCodec {
    /// Encoders by preference.
    fn encoder_names(self) -> &'static [&'static CStr] {
        match self {
            Self::H264 => &[c"libx264"],
            Self::Hevc => &[c"libx265"],
            Self::Av1 => &[c"libsvtav1", c"libaom-av1"],
            Self::Mjpeg => &[c"mjpeg"],
        }
    }

    /// The codec's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::H264 => "H.264",
            Self::Hevc => "H.265",
            Self::Av1 => "AV1",
            Self::Mjpeg => "MJPEG",
        }
    }

    /// True when the codec's encoder in this FFmpeg build exists.
    pub fn is_available(self) -> bool {
        find_encoder(self).is_ok()
    }

    /// The name of the libavcodec encoder used.
    pub fn encoder_name(self) -> Option<&'static str> {
        let codec = find_encoder(self).ok()?;
        // SAFETY: a static codec table entry with a NUL-terminated static name.
        unsafe { CStr::from_ptr((*codec).name) }.to_str().ok()
    }
}

/// The memory layout of the pictures given to the encoder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputLayout {
    /// 8-bit 4:2:0, three planes Y, U, V (`yuv420p`).
    Yuv420p,
    /// 8-bit 4:2:0, Y and interleaved UV (`nv12`).
    Nv12,
    /// 10-bit 4:2:0 in the low bits of 16-bit samples, three planes (`yuv420p10le`).
    Yuv420p10,
}

impl InputLayout {
    fn av_format(self, codec: EncoderCodec) -> sys::AVPixelFormat {
        match (self, codec) {
            // JFIF's full-range flavour: the samples are coded as they are, as a JPEG encoder does.
            (Self::Yuv420p, EncoderCodec::Mjpeg) => sys::AVPixelFormat::AV_PIX_FMT_YUVJ420P,
            (Self::Yuv420p, _) => sys::AVPixelFormat::AV_PIX_FMT_YUV420P,
            (Self::Nv12, _) => sys::AVPixelFormat::AV_PIX_FMT_NV12,
            (Self::Yuv420p10, _) => sys::AVPixelFormat::AV_PIX_FMT_YUV420P10LE,
        }
    }

    /// How many planes the layout has.
    pub fn planes(self) -> usize {
        match self {
            Self::Nv12 => 2,
            _ => 3,
        }
    }

    /// True when `codec`'s encoder takes pictures in this layout.
    pub fn accepted_by(self, codec: EncoderCodec) -> bool {
        let Ok(encoder) = find_encoder(codec) else { return false };
        let wanted = self.av_format(codec);
        // SAFETY: a static codec table entry; `pix_fmts` is null or a list ended by NONE.
        let mut format = unsafe { (*encoder).pix_fmts };
        if format.is_null() {
            return false;
        }
        loop {
            // SAFETY: within the NONE-terminated list.
            let current = unsafe { *format };
            if current == sys::AVPixelFormat::AV_PIX_FMT_NONE {
                return false;
            }
            if current == wanted {
                return true;
            }
            // SAFETY: not at the terminator yet.
            format = unsafe { format.add(1) };
        }
    }
}

/// Rate control.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RateControl {
    /// Constant bitrate, bits per second, with a buffer of `buffer_bits` that starts holding
    /// `initial_bits`.
    Cbr {
        /// Bits per second.
        bitrate: u64,
        /// The rate-control buffer, in bits.
        buffer_bits: u64,
        /// What it starts holding, in bits.
        initial_bits: u64,
    },
    /// Variable bitrate around `bitrate`, peaks up to `max_bitrate`.
    Vbr {
        /// Average bits per second.
        bitrate: u64,
        /// Peak bits per second.
        max_bitrate: u64,
        /// The rate-control buffer, in bits.
        buffer_bits: u64,
        /// What it starts holding, in bits.
        initial_bits: u64,
    },
    /// Constant quantiser per picture type (the codec's own QP scale).
    Cqp {
        /// I pictures' quantiser.
        i: u32,
        /// P pictures' quantiser.
        p: u32,
        /// B pictures' quantiser.
        b: u32,
    },
    /// JPEG quality, 1 (worst) to 100 (best).
    Quality(u32),
}

/// How to open an encoder.
#[derive(Clone, Debug, PartialEq)]
pub struct EncoderConfig {
    /// The encoder.
    pub codec: EncoderCodec,
    /// How the input pictures are laid out.
    pub layout: InputLayout,
    /// The coded picture size (even for 4:2:0).
    pub width: u32,
    /// Picture height.
    pub height: u32,
    /// Frames per second as a fraction.
    pub frame_rate: (u32, u32),
    /// Sample aspect ratio, (0, 0) unknown.
    pub aspect: (u32, u32),
    /// Rate control.
    pub rate_control: RateControl,
    /// Distance between key frames; 0: the encoder's default.
    pub gop_size: u32,
    /// Consecutive B-frames; `None`: the encoder's default.
    pub b_frames: Option<u32>,
    /// Reference frames; 0: the encoder's default.
    pub refs: u32,
    /// The encoder's preset name (x264/x265 names, SVT-AV1 numbers), `None`: its default.
    pub preset: Option<String>,
    /// The encoder's profile name (`main`, `high`, `main10`...), `None`: from the input.
    pub profile: Option<String>,
    /// Codec threads, 0: libavcodec's choice.
    pub threads: u32,
    /// Parameter sets out of band (in [`Encoder::extradata`]) instead of in the stream.
    pub global_header: bool,
}

/// A picture type as the encoder reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PictureType {
    /// Intra.
    I,
    /// Predicted.
    P,
    /// Bi-predicted.
    B,
    /// Not said by the encoder.
    Unknown,
}

/// One compressed picture.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Packet {
    /// The compressed bytes.
    pub data: Vec<u8>,
    /// In frames (the time base is one frame).
    pub pts: i64,
    /// Decoding time, in frames.
    pub dts: i64,
    /// A random access point (IDR/key frame).
    pub key: bool,
    /// The picture's type, where the encoder says it.
    pub picture_type: Option<PictureType>,
}

/// What keeps a picture's memory valid while libavcodec holds it; dropped when it lets go.
pub type FrameOwner = Box<dyn std::any::Any + Send>;

/// One picture handed to [`Encoder::send`].
pub struct InputPicture {
    /// Plane starts and pitches, in libavcodec's plane order (Y, U, V or Y, UV).
    pub planes: [(*const u8, usize); 3],
    /// Presentation time, in frames.
    pub pts: i64,
    /// Ask for a key frame (an IDR where the codec has them).
    pub force_key: bool,
    /// Keeps `planes` readable and unchanged until dropped.
    pub owner: FrameOwner,
}

/// An open encoder.
pub struct Encoder {
    config: EncoderConfig,
    ctx: *mut sys::AVCodecContext,
    frame: *mut sys::AVFrame,
    packet: *mut sys::AVPacket,
    eof_sent: bool,
    /// A picture went in since the encoder was opened or restarted after a drain.
    has_input: bool,
}

// SAFETY: the context, frame and packet are owned by this value and used through `&mut self`
// only; libavcodec contexts are not bound to a thread.
unsafe impl Send for Encoder {}

impl Encoder {
    /// Opens an encoder for `config`.
    pub fn new(config: EncoderConfig) -> Result<Self, FfmpegError> {
        quiet_logs();
        let codec = find_encoder(config.codec)?;
        // SAFETY: a valid encoder from libavcodec's static tables.
        let ctx = unsafe { sys::avcodec_alloc_context3(codec) };
        if ctx.is_null() {
            return Err(FfmpegError::Alloc("a codec context"));
        }
        let mut encoder = Self {
            config: config.clone(),
            ctx,
            frame: ptr::null_mut(),
            packet: ptr::null_mut(),
            eof_sent: false,
            has_input: false,
        };
        encoder.configure(&config)?;
        // SAFETY: context and codec match; the context is configured, not open.
        let status = unsafe { sys::avcodec_open2(ctx, codec, ptr::null_mut()) };
        if status < 0 {
            return Err(FfmpegError::call("avcodec_open2", status));
        }
        // SAFETY: plain constructors.
        encoder.frame = unsafe { sys::av_frame_alloc() };
        // SAFETY: as above.
        encoder.packet = unsafe { sys::av_packet_alloc() };
        if encoder.frame.is_null() || encoder.packet.is_null() {
            return Err(FfmpegError::Alloc("a frame or a packet"));
        }
        Ok(encoder)
    }

    fn configure(&mut self, config: &EncoderConfig) -> Result<(), FfmpegError> {
        let to_int = |value: u32| libc::c_int::try_from(value).map_err(|_| FfmpegError::TooLarge);
        let (rate_num, rate_den) = (to_int(config.frame_rate.0.max(1))?, to_int(config.frame_rate.1.max(1))?);
        let ctx = self.ctx;
        // SAFETY: `ctx` is allocated and not open: its fields are ours to set.
        unsafe {
            (*ctx).width = to_int(config.width)?;
            (*ctx).height = to_int(config.height)?;
            (*ctx).pix_fmt = config.layout.av_format(config.codec);
            (*ctx).time_base = sys::AVRational { num: rate_den, den: rate_num };
            (*ctx).framerate = sys::AVRational { num: rate_num, den: rate_den };
            if config.aspect.0 > 0 && config.aspect.1 > 0 {
                (*ctx).sample_aspect_ratio =
                    sys::AVRational { num: to_int(config.aspect.0)?, den: to_int(config.aspect.1)? };
            }
            (*ctx).thread_count = to_int(config.threads)?;
            if config.global_header {
                (*ctx).flags |= sys::AV_CODEC_FLAG_GLOBAL_HEADER as libc::c_int;
            }
            if config.codec == EncoderCodec::Mjpeg {
                // Frame threads would keep more input pictures referenced (and delay output) than
                // the encoder's QueryIOSurf answer allows for; slices split each picture instead.
                (*ctx).thread_type = sys::FF_THREAD_SLICE as libc::c_int;
            }
            if config.gop_size > 0 {
                (*ctx).gop_size = to_int(config.gop_size)?;
            }
            if let Some(b_frames) = config.b_frames {
                (*ctx).max_b_frames = to_int(b_frames)?;
            }
            if config.refs > 0 {
                (*ctx).refs = to_int(config.refs)?;
            }
        }
        let mut x265_params = Vec::new();
        let bits = |value: u64| i64::try_from(value).map_err(|_| FfmpegError::TooLarge);
        match config.rate_control {
            RateControl::Cbr { bitrate, buffer_bits, initial_bits } => {
                // SAFETY: as above.
                unsafe {
                    (*ctx).bit_rate = bits(bitrate)?;
                    (*ctx).rc_max_rate = bits(bitrate)?;
                    (*ctx).rc_min_rate = bits(bitrate)?;
                    (*ctx).rc_buffer_size = clamp_int(buffer_bits);
                    (*ctx).rc_initial_buffer_occupancy = clamp_int(initial_bits);
                }
            }
            RateControl::Vbr { bitrate, max_bitrate, buffer_bits, initial_bits } => {
                // SAFETY: as above.
                unsafe {
                    (*ctx).bit_rate = bits(bitrate)?;
                    if max_bitrate > bitrate {
                        (*ctx).rc_max_rate = bits(max_bitrate)?;
                        (*ctx).rc_buffer_size = clamp_int(buffer_bits);
                        (*ctx).rc_initial_buffer_occupancy = clamp_int(initial_bits);
                    }
                }
            }
            RateControl::Cqp { i, p, b } => self.set_constant_qp(config.codec, i, p, b, &mut x265_params)?,
            RateControl::Quality(quality) => {
                let qscale = jpeg_qscale(quality);
                // SAFETY: as above.
                unsafe {
                    (*ctx).flags |= sys::AV_CODEC_FLAG_QSCALE as libc::c_int;
                    (*ctx).global_quality = qscale * sys::FF_QP2LAMBDA as libc::c_int;
                    (*ctx).qmin = qscale;
                    (*ctx).qmax = qscale;
                }
            }
        }
        if let Some(preset) = &config.preset {
            self.set_option("preset", preset)?;
        }
        if let Some(profile) = &config.profile {
            self.set_option("profile", profile)?;
        }
        match config.codec {
            // A forced key frame is an IDR (what MFX_FRAMETYPE_IDR asks for).
            EncoderCodec::H264 => self.set_option("forced-idr", "1")?,
            EncoderCodec::Hevc => {
                self.set_option("forced-idr", "1")?;
                // x265 prints its banner and statistics on stderr unless told otherwise.
                x265_params.push("log-level=error".to_owned());
                self.set_option("x265-params", &x265_params.join(":"))?;
            }
            EncoderCodec::Av1 | EncoderCodec::Mjpeg => {}
        }
        Ok(())
    }

    fn set_constant_qp(
        &mut self,
        codec: EncoderCodec,
        i: u32,
        p: u32,
        b: u32,
        x265_params: &mut Vec<String>,
    ) -> Result<(), FfmpegError> {
        // x264/x265 take one QP and derive I and B from ratios: QP_I = QP_P - 6 log2(ipratio).
        let ip_ratio = 2f64.powf((f64::from(p) - f64::from(i)) / 6.0);
        let pb_ratio = 2f64.powf((f64::from(b) - f64::from(p)) / 6.0);
        match codec {
            EncoderCodec::H264 => {
                self.set_option("qp", &p.to_string())?;
                // SAFETY: the context is not open: its fields are ours to set.
                unsafe {
                    (*self.ctx).i_quant_factor = (1.0 / ip_ratio) as f32;
                    (*self.ctx).b_quant_factor = pb_ratio as f32;
                }
            }
            EncoderCodec::Hevc => {
                x265_params.push(format!("qp={p}:ipratio={ip_ratio:.4}:pbratio={pb_ratio:.4}"));
            }
            EncoderCodec::Av1 => self.set_option("qp", &p.clamp(1, 63).to_string())?,
            EncoderCodec::Mjpeg => {
                // SAFETY: as above.
                unsafe {
                    (*self.ctx).flags |= sys::AV_CODEC_FLAG_QSCALE as libc::c_int;
                    (*self.ctx).global_quality = p.clamp(1, 31) as libc::c_int * sys::FF_QP2LAMBDA as libc::c_int;
                }
            }
        }
        Ok(())
    }

    fn set_option(&mut self, name: &str, value: &str) -> Result<(), FfmpegError> {
        let (name_c, value_c) = (cstring(name)?, cstring(value)?);
        // SAFETY: `priv_data` is the encoder's private context, allocated with the context (every
        // encoder vplrs opens has private options); name and value are NUL-terminated.
        let status = unsafe { sys::av_opt_set((*self.ctx).priv_data, name_c.as_ptr(), value_c.as_ptr(), 0) };
        if status < 0 {
            return Err(FfmpegError::call("av_opt_set", status));
        }
        Ok(())
    }

    /// What the encoder was opened with.
    pub fn config(&self) -> &EncoderConfig {
        &self.config
    }

    /// Takes a picture (`None`: the end of the stream; the encoder then gives out what it holds).
    /// After the end, a new picture starts the encoder afresh.
    pub fn send(&mut self, picture: Option<InputPicture>) -> Result<(), FfmpegError> {
        let Some(picture) = picture else {
            if self.eof_sent {
                return Ok(());
            }
            self.eof_sent = true;
            if !self.has_input {
                // Nothing to drain. SVT-AV1 1.4 under FFmpeg 5.1 would wait forever for the end
                // of a stream that had no picture.
                return Ok(());
            }
            // SAFETY: a null frame enters draining mode.
            let status = unsafe { sys::avcodec_send_frame(self.ctx, ptr::null()) };
            if status < 0 && status != sys::AVERROR_EOF {
                return Err(FfmpegError::call("avcodec_send_frame", status));
            }
            return Ok(());
        };
        if self.eof_sent {
            if self.has_input {
                // SAFETY: the context is open; flushing after a drain restarts it.
                unsafe { sys::avcodec_flush_buffers(self.ctx) };
            }
            self.eof_sent = false;
            self.has_input = false;
        }
        let InputPicture { planes, pts, force_key, owner } = picture;
        let owner = Box::into_raw(Box::new(owner));
        // SAFETY: the buffer only carries the owner; its data pointer is the first plane's start
        // (never written through: encoders read their input). The free callback takes the owner.
        let buffer = unsafe { sys::av_buffer_create(planes[0].0 as *mut u8, 1, Some(release_owner), owner.cast(), 0) };
        if buffer.is_null() {
            // SAFETY: leaked just above and referenced by nothing else.
            drop(unsafe { Box::from_raw(owner) });
            return Err(FfmpegError::Alloc("a frame buffer"));
        }
        let frame = self.frame;
        // SAFETY: our frame, unreferenced; filled with the picture's planes and the owning buffer.
        let status = unsafe {
            (*frame).format = self.config.layout.av_format(self.config.codec) as libc::c_int;
            (*frame).width = (*self.ctx).width;
            (*frame).height = (*self.ctx).height;
            for (i, &(data, pitch)) in planes.iter().take(self.config.layout.planes()).enumerate() {
                (*frame).data[i] = data as *mut u8;
                (*frame).linesize[i] = pitch as libc::c_int;
            }
            (*frame).extended_data = (*frame).data.as_mut_ptr();
            (*frame).buf[0] = buffer;
            (*frame).pts = pts;
            (*frame).pict_type = if force_key {
                sys::AVPictureType::AV_PICTURE_TYPE_I
            } else {
                sys::AVPictureType::AV_PICTURE_TYPE_NONE
            };
            (*frame).key_frame = i32::from(force_key);
            (*frame).sample_aspect_ratio = (*self.ctx).sample_aspect_ratio;
            let status = sys::avcodec_send_frame(self.ctx, frame);
            // libavcodec took its own reference (or refused the frame): ours goes, and with the
            // last reference the owner.
            sys::av_frame_unref(frame);
            status
        };
        if status < 0 {
            return Err(FfmpegError::call("avcodec_send_frame", status));
        }
        self.has_input = true;
        Ok(())
    }

    /// The next packet, `None` when the encoder needs more pictures (or is drained). The packet's
    /// data is written into `buffer` (cleared first), which the packet takes; without a packet the
    /// buffer is left as it was, for the next call.
    pub fn receive(&mut self, buffer: &mut Vec<u8>) -> Result<Option<Packet>, FfmpegError> {
        // SAFETY: our packet; receive fills it with a new reference.
        let status = unsafe { sys::avcodec_receive_packet(self.ctx, self.packet) };
        if status == sys::AVERROR(libc::EAGAIN) || status == sys::AVERROR_EOF {
            return Ok(None);
        }
        if status < 0 {
            return Err(FfmpegError::call("avcodec_receive_packet", status));
        }
        let packet = self.packet;
        let mut data = std::mem::take(buffer);
        data.clear();
        // SAFETY: the packet holds `size` bytes at `data` until unref'd below.
        let (pts, dts, key, picture_type) = unsafe {
            let size = (*packet).size.max(0) as usize;
            if size > 0 && !(*packet).data.is_null() {
                data.extend_from_slice(std::slice::from_raw_parts((*packet).data, size));
            }
            let key = (*packet).flags & sys::AV_PKT_FLAG_KEY as libc::c_int != 0;
            let stats = packet_picture_type(packet);
            let result = ((*packet).pts, (*packet).dts, key, stats);
            sys::av_packet_unref(packet);
            result
        };
        Ok(Some(Packet { data, pts, dts, key, picture_type }))
    }

    /// True after the end of input was sent.
    pub fn is_draining(&self) -> bool {
        self.eof_sent
    }

    /// Global headers (parameter sets) if the encoder keeps them out of band.
    pub fn extradata(&self) -> &[u8] {
        // SAFETY: the open context's extradata is null or `extradata_size` bytes it owns.
        unsafe {
            let ctx = &*self.ctx;
            if ctx.extradata.is_null() || ctx.extradata_size <= 0 {
                &[]
            } else {
                std::slice::from_raw_parts(ctx.extradata, ctx.extradata_size as usize)
            }
        }
    }
}

impl Encoder {
    /// Sends a black picture (in buffers libavcodec allocates), for an encoder that must have had
    /// one before it can be closed.
    fn send_blank_picture(&mut self) -> Result<(), FfmpegError> {
        // SAFETY: a plain constructor; freed below.
        let mut frame = unsafe { sys::av_frame_alloc() };
        if frame.is_null() {
            return Err(FfmpegError::Alloc("a frame"));
        }
        // SAFETY: our new frame and the open context: the frame gets the encoder's format and
        // size and buffers of its own, zeroed through their recorded sizes, then is sent (the
        // encoder takes a reference) and freed.
        let status = unsafe {
            (*frame).format = (*self.ctx).pix_fmt as libc::c_int;
            (*frame).width = (*self.ctx).width;
            (*frame).height = (*self.ctx).height;
            let mut status = sys::av_frame_get_buffer(frame, 0);
            if status >= 0 {
                for buffer in (*frame).buf.iter().filter(|b| !b.is_null()) {
                    ptr::write_bytes((**buffer).data, 0, (**buffer).size);
                }
                (*frame).pts = 0;
                status = sys::avcodec_send_frame(self.ctx, frame);
            }
            sys::av_frame_free(&mut frame);
            status
        };
        if status < 0 {
            return Err(FfmpegError::call("avcodec_send_frame", status));
        }
        self.has_input = true;
        Ok(())
    }
}

impl Drop for Encoder {
    fn drop(&mut self) {
        // An encoder closed mid-stream (the application stopped, or its input failed) is drained
        // first: SVT-AV1 waits forever in its deinit for an end of stream it never got. The
        // pictures still coming out are dropped; a broken encoder stops the drain at once.
        // It also waits forever for the end of a stream that had no picture: one blank picture
        // goes in first.
        if self.config.codec == EncoderCodec::Av1 && !self.has_input && !self.ctx.is_null() {
            self.eof_sent = false;
            if self.send_blank_picture().is_err() {
                tracing::warn!("SVT-AV1 took no picture before Close: its deinit may not return");
            }
        }
        if !self.ctx.is_null() && !self.packet.is_null() && self.send(None).is_ok() {
            let mut scratch = Vec::new();
            while let Ok(Some(_)) = self.receive(&mut scratch) {}
        }
        // SAFETY: every pointer is owned here and freed once (the free functions accept null);
        // freeing the context drops the pictures it held, which releases their owners.
        unsafe {
            sys::av_frame_free(&mut self.frame);
            sys::av_packet_free(&mut self.packet);
            sys::avcodec_free_context(&mut self.ctx);
        }
    }
}

/// A bit count as libavcodec's `int` fields take it (saturated).
fn clamp_int(value: u64) -> libc::c_int {
    libc::c_int::try_from(value).unwrap_or(libc::c_int::MAX)
}

/// The picture type the encoder recorded in the packet's quality statistics.
///
/// # Safety
/// `packet` must be a valid packet.
unsafe fn packet_picture_type(packet: *const sys::AVPacket) -> Option<PictureType> {
    let mut size: usize = 0;
    // SAFETY: a valid packet (caller's contract); the side data lives as long as the packet.
    let data = unsafe {
        sys::av_packet_get_side_data(packet, sys::AVPacketSideDataType::AV_PKT_DATA_QUALITY_STATS, &mut size)
    };
    if data.is_null() || size < 5 {
        return None;
    }
    // SAFETY: at least 5 bytes: quality (4) then the picture type.
    let kind = unsafe { *data.add(4) } as u32;
    Some(match kind {
        k if k == sys::AVPictureType::AV_PICTURE_TYPE_I as u32 => PictureType::I,
        k if k == sys::AVPictureType::AV_PICTURE_TYPE_P as u32 => PictureType::P,
        k if k == sys::AVPictureType::AV_PICTURE_TYPE_B as u32 => PictureType::B,
        _ => PictureType::Unknown,
    })
}

/// The `AVBuffer` free callback of an input picture.
unsafe extern "C" fn release_owner(opaque: *mut libc::c_void, _data: *mut u8) {
    let result = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: `opaque` is the owner leaked in `send`, freed here exactly once.
        drop(unsafe { Box::from_raw(opaque as *mut FrameOwner) });
    }));
    if result.is_err() {
        tracing::error!("releasing an encoder input picture panicked");
    }
}

/// The JPEG quality scale (1..100, IJG's) as libavcodec's qscale (1 best..31): the IJG scaling
/// factor (5000/q below 50, 200 - 2q above) where 100% (q = 50) is qscale 8.
pub fn jpeg_qscale(quality: u32) -> libc::c_int {
    let quality = quality.clamp(1, 100);
    let scale = if quality < 50 { 5000 / quality } else { 200 - 2 * quality };
    ((scale * 8 + 50) / 100).clamp(1, 31) as libc::c_int
}

fn cstring(text: &str) -> Result<CString, FfmpegError> {
    CString::new(text).map_err(|_| FfmpegError::Call { call: "av_opt_set", code: 0, message: "NUL in option".into() })
}

fn find_encoder(codec: EncoderCodec) -> Result<*const sys::AVCodec, FfmpegError> {
    for name in codec.encoder_names() {
        // SAFETY: a NUL-terminated name; the result is a static table entry or null.
        let found = unsafe { sys::avcodec_find_encoder_by_name(name.as_ptr()) };
        if !found.is_null() {
            return Ok(found);
        }
    }
    Err(FfmpegError::NoEncoder(codec.name()))
}
