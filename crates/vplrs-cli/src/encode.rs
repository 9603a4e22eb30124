//! `vplrs encode`: raw frames (y4m, raw or the built-in pattern) through the encode component into
//! an H.264/H.265/JPEG elementary stream or an AV1 IVF file.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use vplrs::{
    EncodeCodec, EncodeError, EncodeParams, EncodeStats, FourCc, FrameControl, FrameInfo, PoolStats, RateControl,
    Session, SystemAllocator,
};

use crate::source::FrameSource;
use crate::streams::{parse_codec, OutputStream};
use crate::vpp::{parse_fourcc, parse_size, progress_bar};
use crate::MemoryModel;

/// The encoder's settings, shared by `encode` and `transcode`.
#[derive(clap::Args, Clone, Debug)]
pub struct EncoderOptions {
    /// h264 (libx264), h265 (libx265), av1 (SVT-AV1), jpeg (MJPEG).
    #[arg(long, default_value = "h265", value_parser = parse_codec)]
    pub codec: EncodeCodec,
    /// Target bitrate in kbps (VBR; CBR with --cbr). Default: the implementation's for the size.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub bitrate: Option<u32>,
    /// Constant bitrate: the --bitrate kept steady (CBR) instead of an average (VBR).
    #[arg(long)]
    pub cbr: bool,
    /// Constant QP for P-frames (CQP; I and B two steps either side): 1-51 for H.264 and H.265,
    /// 1-255 for AV1; not for JPEG (use --quality).
    #[arg(long, conflicts_with = "bitrate", value_parser = clap::value_parser!(u16).range(1..=255))]
    pub qp: Option<u16>,
    /// JPEG quality, 1-100.
    #[arg(long, default_value_t = 85, value_parser = clap::value_parser!(u16).range(1..=100))]
    pub quality: u16,
    /// TargetUsage: 1 (best quality, slowest preset) to 7 (fastest); 4 is the encoder's default.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=7))]
    pub target_usage: u16,
    /// Frames from one key frame to the next (GopPicSize); default: the encoder's.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
    pub gop: Option<u16>,
    /// Consecutive B-frames (GopRefDist - 1), 0-15; default: the encoder's.
    #[arg(long, value_parser = clap::value_parser!(u16).range(0..=15))]
    pub bframes: Option<u16>,
}

impl EncoderOptions {
    /// Refuses what the codec cannot take (ranges that depend on the codec).
    pub fn check(&self) -> Result<()> {
        match (self.codec, self.qp) {
            (EncodeCodec::Jpeg, Some(_)) => bail!("--qp does not apply to JPEG: use --quality"),
            (EncodeCodec::Avc | EncodeCodec::Hevc, Some(qp)) if qp > 51 => {
                bail!("--qp {qp} is out of range for H.264 and H.265 (1-51)")
            }
            _ => Ok(()),
        }
    }

    pub fn params(&self, input: FrameInfo, async_depth: u16) -> EncodeParams {
        let rate_control = match (self.codec, self.qp, self.bitrate) {
            (EncodeCodec::Jpeg, _, _) => RateControl::JpegQuality(self.quality),
            (_, Some(qp), _) => RateControl::Cqp { qpi: qp.saturating_sub(2), qpp: qp, qpb: qp + 2 },
            (_, None, bitrate) if self.cbr => RateControl::Cbr { kbps: bitrate.unwrap_or(0) },
            (_, None, bitrate) => RateControl::Vbr { kbps: bitrate.unwrap_or(0), max_kbps: 0 },
        };
        let mut params = EncodeParams::new(self.codec, input, rate_control);
        params.target_usage = self.target_usage;
        params.gop_pic_size = self.gop.unwrap_or(0);
        params.gop_ref_dist = self.bframes.map_or(0, |b| b + 1);
        params.async_depth = async_depth;
        params
    }
}

#[derive(clap::Args)]
pub struct EncodeArgs {
    /// Input: a .y4m file, or raw frames with --input-size and --input-format. None: the built-in
    /// test pattern.
    input: Option<PathBuf>,
    /// Output stream (.h264, .h265, .mjpeg; AV1 is written as IVF).
    #[arg(short, long)]
    output: PathBuf,
    #[command(flatten)]
    encoder: EncoderOptions,
    /// Raw input size WxH (the test pattern's size too), as for vpp and transcode.
    #[arg(long, value_parser = parse_size, default_value = "1280x720")]
    input_size: (u32, u32),
    /// Raw input format: i420 (read in place by every encoder) or nv12.
    #[arg(long, value_parser = parse_fourcc, default_value = "i420")]
    input_format: FourCc,
    /// Frames to encode (default: all of the input, 120 of the pattern).
    #[arg(short = 'n', long)]
    frames: Option<u64>,
    #[arg(long, default_value_t = 1)]
    async_depth: u16,
    #[arg(long, value_enum, default_value = "internal")]
    memory: MemoryModel,
}

pub fn run(args: &EncodeArgs) -> Result<()> {
    args.encoder.check()?;
    let (mut source, info, rate) = FrameSource::open(args.input.as_deref(), args.input_size, args.input_format)?;
    let session = Session::new();
    let allocator = (args.memory == MemoryModel::External).then(|| Arc::new(SystemAllocator::new()));
    if let Some(allocator) = &allocator {
        session.set_allocator(Some(allocator.clone() as Arc<dyn vplrs::ExternalAllocator>));
    }
    let params = args.encoder.params(info, args.async_depth);
    let accepted = session.encode().init(&params).context("ENCODE Init")?;
    say_corrections("the encoder", accepted, &params, &session.encode().params()?);
    let size = (info.crop.width, info.crop.height);
    let mut output = OutputStream::create(&args.output, args.encoder.codec, size, rate)?;
    let limit = args.frames.unwrap_or(if source.is_pattern() { 120 } else { u64::MAX });
    let progress = progress_bar(limit.min(source.frame_count().unwrap_or(u64::MAX)));
    let started = Instant::now();
    let mut index = 0;
    while index < limit {
        let surface = session.encode().surface().context("GetSurfaceForEncode")?;
        if !source.fill(&surface, &info, index)? {
            break;
        }
        surface.update_meta(|meta| meta.timestamp = index * 90_000 * u64::from(rate.1) / u64::from(rate.0.max(1)));
        put(&session, Some(&surface), |data, pts| output.write(data, pts))?;
        index += 1;
        progress.set_position(index);
    }
    while put(&session, None, |data, pts| output.write(data, pts))? {}
    progress.finish_and_clear();
    let elapsed = started.elapsed().as_secs_f64();
    let stats = session.encode().stats()?;
    let pool = session.encode().pool()?.stats();
    output.finish(size)?;
    eprintln!(
        "encode: {} frames {}x{} {} -> {} ({}), {:.2} s ({:.1} fps), {} memory",
        stats.frames_out,
        size.0,
        size.1,
        info.fourcc,
        args.output.display(),
        encoder_name(args.encoder.codec),
        elapsed,
        stats.frames_out as f64 / elapsed.max(1e-9),
        if allocator.is_some() { "external" } else { "internal" },
    );
    print_encode_stats(&stats, rate, None);
    print_pool("input", &pool);
    crate::vpp::close_and_account(session, allocator)
}

/// Feeds one frame (`None`: drains) and hands what comes out (data, 90 kHz timestamp) to
/// `take`; false once drained.
pub fn put(
    session: &Session,
    surface: Option<&vplrs::Surface>,
    mut take: impl FnMut(&[u8], u64) -> Result<()>,
) -> Result<bool> {
    let result = session.encode().encode_frame_async(surface, FrameControl::default(), usize::MAX);
    match result {
        Ok(frame) => {
            frame.sync.wait(std::time::Duration::from_secs(60)).context("encode")?;
            take(&frame.data, frame.timestamp)?;
            session.encode().recycle(frame.data);
            Ok(true)
        }
        Err(EncodeError::MoreData) => Ok(false),
        Err(error) => Err(error).context("EncodeFrameAsync"),
    }
}

/// What an encoder ran with instead of what it was asked: one "field: asked -> used" per change
/// (defaults filled in at Init, asked as 0, are not changes).
pub fn corrections(asked: &vplrs::EncodeParams, used: &vplrs::EncodeParams) -> Vec<String> {
    let mut changes = Vec::new();
    let mut compare = |field: &str, asked: String, used: String, defaulted: bool| {
        if asked != used && !defaulted {
            changes.push(format!("{field}: {asked} -> {used}"));
        }
    };
    let (a, u) = (&asked.input, &used.input);
    compare("width", a.width.to_string(), u.width.to_string(), false);
    compare("height", a.height.to_string(), u.height.to_string(), false);
    let crop = |info: &vplrs::FrameInfo| {
        format!("{}x{} at ({}, {})", info.crop.width, info.crop.height, info.crop.x, info.crop.y)
    };
    compare("picture", crop(a), crop(u), false);
    compare("format", format!("{:?}", a.fourcc), format!("{:?}", u.fourcc), false);
    let rate = |info: &vplrs::FrameInfo| format!("{}/{}", info.frame_rate.num, info.frame_rate.den);
    compare("frame rate", rate(a), rate(u), a.frame_rate.num == 0);
    compare("rate control", format!("{:?}", asked.rate_control), format!("{:?}", used.rate_control), false);
    compare("target usage", asked.target_usage.to_string(), used.target_usage.to_string(), asked.target_usage == 0);
    compare("GOP size", asked.gop_pic_size.to_string(), used.gop_pic_size.to_string(), asked.gop_pic_size == 0);
    compare(
        "B-frames",
        asked.gop_ref_dist.saturating_sub(1).to_string(),
        used.gop_ref_dist.saturating_sub(1).to_string(),
        asked.gop_ref_dist == 0,
    );
    compare("IDR interval", asked.idr_interval.to_string(), used.idr_interval.to_string(), false);
    compare(
        "reference frames",
        asked.num_ref_frame.to_string(),
        used.num_ref_frame.to_string(),
        asked.num_ref_frame == 0,
    );
    compare("profile", asked.profile.to_string(), used.profile.to_string(), asked.profile == 0);
    compare("level", asked.level.to_string(), used.level.to_string(), asked.level == 0);
    changes
}

/// Says on stderr what a component corrected, field by field where the tool can tell.
pub fn say_corrections(
    component: &str,
    accepted: vplrs::Accepted,
    asked: &vplrs::EncodeParams,
    used: &vplrs::EncodeParams,
) {
    if !accepted.is_corrected() {
        return;
    }
    let changes = corrections(asked, used);
    if changes.is_empty() {
        eprintln!("vplrs: {component} corrected some parameters");
    } else {
        eprintln!("vplrs: {component} corrected {}", changes.join(", "));
    }
}

pub fn encoder_name(codec: EncodeCodec) -> String {
    match codec.encoder_name() {
        Some(name) => name.to_owned(),
        None => "no encoder".to_owned(),
    }
}

/// The stream line of a summary, and the pixel copies line: every copy of a picture vplrs made on
/// its way (`decode_copies`: the decoder's, when a decoder ran; the encoder's own), counted once.
pub fn print_encode_stats(stats: &EncodeStats, rate: (u32, u32), decode_copies: Option<u64>) {
    let seconds = stats.frames_out as f64 * f64::from(rate.1) / f64::from(rate.0.max(1));
    eprintln!(
        "  stream: {} bytes, {:.0} kbps",
        stats.bytes_out,
        stats.bytes_out as f64 * 8.0 / seconds.max(1e-9) / 1000.0
    );
    let total = stats.copies + decode_copies.unwrap_or(0);
    let per_frame = total as f64 / (stats.frames_in.max(1)) as f64;
    match decode_copies {
        Some(decode) => eprintln!(
            "  pixel copies by vplrs: {total} ({per_frame:.2} per frame): decode {decode}, encode {}",
            stats.copies
        ),
        None => eprintln!("  pixel copies by vplrs: {total} ({per_frame:.2} per frame)"),
    }
    if stats.cached() != 0 {
        eprintln!("vplrs: {} frames were not given back by the encoder", stats.cached());
    }
}

pub fn print_pool(name: &str, pool: &PoolStats) {
    eprintln!(
        "  {name} pool: {} surfaces ({:.1} MiB), {} allocations, {} reuses, peak {} in use, {} waits, {} timeouts",
        pool.surfaces,
        pool.bytes as f64 / 1048576.0,
        pool.allocations,
        pool.reuses,
        pool.peak_in_use,
        pool.waits,
        pool.timeouts
    );
}

pub fn check_encodable(codec: EncodeCodec) -> Result<()> {
    if !codec.is_available() {
        bail!("this FFmpeg has no encoder for {codec:?}");
    }
    Ok(())
}
