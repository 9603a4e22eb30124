//! `vplrs transcode`: decode → VPP (when the size or format changes) → encode, in one session.
//!
//! Pictures stay in surfaces from end to end: the decoder writes them in place (I420), VPP (if
//! any) reads them and writes its own pool's surfaces, the encoder reads those in place. Pools
//! between two components are capped by the Na + Nb − AsyncDepth rule (LIMITED policy, surfaces
//! allocated as first needed), so the summary's peak use shows what the pipeline really needed. With no input, the
//! built-in test pattern is first encoded to H.264 in memory, so the tool runs on a fresh machine.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use vplrs::sizing::shared_pool_size;
use vplrs::{
    AllocationHints, AllocationPolicy, Codec, Decode, EncodeCodec, FourCc, FrameInfo, RateControl, Session, Surface,
    SystemAllocator, Vpp, VppError, VppParams,
};

use crate::encode::{
    check_encodable, encoder_name, print_encode_stats, print_pool, put, say_corrections, EncoderOptions,
};
use crate::opencl_filter::KernelFilter;
use crate::source::FrameSource;
use crate::streams::{InputStream, OutputStream};
use crate::vpp::note_corrected;
use crate::vpp::{parse_size, progress_bar};
use crate::MemoryModel;

#[derive(clap::Args)]
pub struct TranscodeArgs {
    /// Input stream (.h264, .h265, .mjpeg, .ivf). None: the built-in test pattern, encoded to
    /// H.264 in memory first.
    input: Option<PathBuf>,
    /// Output stream (AV1 is written as IVF). None: encoded and dropped.
    #[arg(short, long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    encoder: EncoderOptions,
    /// Output size WxH: VPP scales the decoded pictures (default: the input's size, no VPP).
    #[arg(long, value_parser = parse_size)]
    size: Option<(u32, u32)>,
    /// Size of the test pattern (the input when none is given), as for encode and vpp.
    #[arg(long, alias = "pattern-size", value_parser = parse_size, default_value = "1280x720")]
    input_size: (u32, u32),
    /// Frames of the test pattern.
    #[arg(long, default_value_t = 120)]
    pattern_frames: u64,
    /// Frames to transcode (default: all).
    #[arg(short = 'n', long)]
    frames: Option<u64>,
    /// Operations in flight per component (AsyncDepth), which also sizes the pools.
    #[arg(long, default_value_t = 1)]
    async_depth: u16,
    #[arg(long, value_enum, default_value = "internal")]
    memory: MemoryModel,
    /// An OpenCL C kernel run on every frame before encoding, in FFmpeg's program_opencl
    /// convention: kernel(__write_only image2d_t dst, unsigned int index, __read_only image2d_t
    /// src), once per plane. FILE.cl[:NAME] (NAME defaults to the file's stem), or `builtin` (a
    /// photographic negative, examples/opencl/negate.cl). Frames reach it through surface sharing.
    #[arg(long, value_name = "FILE.cl[:NAME]|builtin")]
    opencl_kernel: Option<String>,
}

/// Pictures decoded (and scaled) ahead of the one being encoded.
const STAGE_LAG: usize = 1;

/// A pool of at most `size` surfaces, allocated as they are first needed, waiting up to 10 s for
/// one to come back when all are in use.
fn limited(size: u32) -> AllocationHints {
    AllocationHints { policy: AllocationPolicy::Limited, pre_allocate: 0, delta_on_the_fly: size, wait_ms: 10_000 }
}

pub fn run(args: &TranscodeArgs) -> Result<()> {
    check_encodable(args.encoder.codec)?;
    args.encoder.check()?;
    let mut stream = match &args.input {
        Some(path) => InputStream::open(path)?,
        None => InputStream::from_bytes(Codec::Avc, pattern_stream(args.input_size, args.pattern_frames)?)?,
    };
    let mut filter = args.opencl_kernel.as_deref().map(KernelFilter::new).transpose()?;
    if filter.is_some() && args.memory == MemoryModel::External {
        bail!("--opencl-kernel works on the runtime's own surfaces: use --memory internal");
    }
    let session = Session::new();
    let allocator = (args.memory == MemoryModel::External).then(|| Arc::new(SystemAllocator::new()));
    if let Some(allocator) = &allocator {
        session.set_allocator(Some(allocator.clone() as Arc<dyn vplrs::ExternalAllocator>));
    }
    let depth = args.async_depth;

    // What each component needs, then the pools between them.
    let source = args.input.clone().unwrap_or_else(|| "the built-in pattern".into());
    let mut decode_params = stream.header(&source)?;
    decode_params.output.fourcc = FourCc::I420;
    decode_params.async_depth = depth;
    let decoded = decode_params.output;
    let (width, height) = args.size.unwrap_or((decoded.crop.width, decoded.crop.height));
    let scaled = (width, height) != (decoded.crop.width, decoded.crop.height);
    let encoder_input = FrameInfo::new(FourCc::I420, width, height)
        .with_frame_rate(decoded.frame_rate.num.max(1), decoded.frame_rate.den.max(1));
    let rate = (encoder_input.frame_rate.num, encoder_input.frame_rate.den);
    let mut encode_params = args.encoder.params(encoder_input, depth);
    let encode_request = vplrs::Encode::query_io_surf(&encode_params).context("ENCODE QueryIOSurf")?;
    let decode_request = Decode::query_io_surf(&decode_params).context("DECODE QueryIOSurf")?;
    // The same rate on both sides (a stream without one gets 1/1 for both): VPP converts rates.
    let vpp_input = decoded.with_frame_rate(rate.0, rate.1);
    // VPP runs one picture ahead of the encoder (see the loop): one more operation in flight.
    let vpp_depth = depth + STAGE_LAG as u16;
    let vpp_params = scaled.then(|| VppParams::new(vpp_input, encoder_input).with_async_depth(vpp_depth));
    let (decode_pool, vpp_pool) = match &vpp_params {
        Some(vpp) => {
            let [vpp_in, vpp_out] = Vpp::query_io_surf(vpp).context("VPP QueryIOSurf")?;
            (
                shared_pool_size(&decode_request, &vpp_in, depth),
                Some(shared_pool_size(&vpp_out, &encode_request, depth)),
            )
        }
        None => (shared_pool_size(&decode_request, &encode_request, depth), None),
    };
    // One more picture between the stages than the rule counts: the one staged (see the loop).
    let (decode_pool, vpp_pool) = (decode_pool + STAGE_LAG as u32, vpp_pool.map(|size| size + STAGE_LAG as u32));
    decode_params.hints = limited(decode_pool);
    session.decode().init(&decode_params).context("DECODE Init")?;
    // The crop of the pictures VPP is initialised for (None: no VPP yet).
    let mut vpp_crop = None;
    if let (Some(mut vpp), Some(size)) = (vpp_params, vpp_pool) {
        vpp.output_hints = limited(size);
        note_corrected("VPP", session.vpp().init(&vpp).context("VPP Init")?);
        vpp_crop = Some(decoded.crop);
    }
    // The encoder's own pool holds the kernel's output (what the encoder keeps, and one being
    // written); without a kernel it is not used: the input comes from the decoder or VPP.
    encode_params.hints = match filter {
        Some(_) => limited(u32::from(encode_request.num_frame_suggested) + 1),
        None => limited(1),
    };
    let accepted = session.encode().init(&encode_params).context("ENCODE Init")?;
    say_corrections("the encoder", accepted, &encode_params, &session.encode().params()?);

    let mut output = match &args.output {
        Some(path) => Some(OutputStream::create(path, args.encoder.codec, (width, height), rate)?),
        None => None,
    };
    let mut write = |data: &[u8], pts: u64| match &mut output {
        Some(out) => out.write(data, pts),
        None => Ok(()),
    };
    let limit = args.frames.unwrap_or(u64::MAX);
    let progress = progress_bar(limit.min(if args.input.is_none() { args.pattern_frames } else { u64::MAX }));
    let started = Instant::now();
    let mut count = 0;
    // The stages overlap: the picture of frame N is encoded (the call waits for VPP to finish it)
    // after frame N + 1 was decoded and handed to VPP, so decoding, VPP's lane and the encoder's
    // threads work at once instead of in turn.
    let mut staged: VecDeque<Surface> = VecDeque::new();
    let mut encode_staged = |staged: &mut VecDeque<Surface>, keep: usize| -> Result<()> {
        while staged.len() > keep {
            let Some(picture) = staged.pop_front() else { break };
            put(&session, Some(&picture), &mut write)?;
        }
        Ok(())
    };
    while count < limit {
        let Some(picture) = stream.next_picture(&mut session.decode())? else { break };
        // Pictures of another size than the encoder's (--size, or a stream whose resolution
        // changes) are scaled; VPP follows the pictures' size.
        let crop = picture.info().crop;
        let picture = if (crop.width, crop.height) != (width, height) {
            if vpp_crop != Some(crop) {
                // A new size: what is staged goes first, through the VPP it was scaled for.
                encode_staged(&mut staged, 0)?;
                follow_resolution(&session, crop, encoder_input, &encode_request, depth)?;
                vpp_crop = Some(crop);
            }
            loop {
                match session.vpp().process_frame_async(&picture) {
                    Ok(scaled) => break scaled,
                    // VPP is still on earlier pictures: the encoder takes them (it waits for them).
                    Err(VppError::Busy(_)) if !staged.is_empty() => encode_staged(&mut staged, 0)?,
                    Err(error) => return Err(error).context("VPP"),
                }
            }
        } else {
            picture
        };
        let picture = match filter.as_mut() {
            Some(filter) => {
                let filtered = session.encode().surface().context("a surface for the kernel's output")?;
                filter.run(&picture, &filtered)?;
                let meta = picture.meta();
                filtered.update_meta(|out| {
                    out.timestamp = meta.timestamp;
                    out.frame_order = meta.frame_order;
                });
                filtered
            }
            None => picture,
        };
        staged.push_back(picture);
        encode_staged(&mut staged, STAGE_LAG)?;
        count += 1;
        progress.set_position(count);
    }
    encode_staged(&mut staged, 0)?;
    while put(&session, None, &mut write)? {}
    progress.finish_and_clear();
    let elapsed = started.elapsed().as_secs_f64();

    let stats = session.encode().stats()?;
    let decode_stats = session.decode().stats()?;
    eprintln!(
        "transcode: {} frames, {:?} {}x{} -> {} {}x{}, {:.2} s ({:.1} fps), async depth {depth}, {} memory",
        stats.frames_out,
        stream.codec,
        decoded.crop.width,
        decoded.crop.height,
        encoder_name(args.encoder.codec),
        width,
        height,
        elapsed,
        stats.frames_out as f64 / elapsed.max(1e-9),
        if allocator.is_some() { "external" } else { "internal" },
    );
    print_encode_stats(&stats, rate, Some(decode_stats.copies));
    eprintln!("  decode: {} pictures", decode_stats.shown);
    if let Some(filter) = &filter {
        eprintln!(
            "  opencl kernel {}: {} frames; exports shared (no copy) {}, copied {}",
            filter.name, filter.frames, filter.shared, filter.copied
        );
    }
    print_pool("decode", &session.decode().pool()?.stats());
    if let Ok(pool) = session.vpp().output_pool() {
        print_pool("vpp output", &pool.stats());
    }
    print_pool("encode", &session.encode().pool()?.stats());
    if let Some(out) = output {
        out.finish((width, height))?;
    }
    crate::vpp::close_and_account(session, allocator)
}

/// (Re)initialises VPP for pictures of `crop` (a new sequence of the input stream), scaling to
/// the encoder's input.
fn follow_resolution(
    session: &Session,
    crop: vplrs::Rect,
    encoder_input: FrameInfo,
    encode_request: &vplrs::sizing::SurfaceRequest,
    depth: u16,
) -> Result<()> {
    if session.vpp().is_initialized() {
        session.vpp().close().context("VPP Close")?;
    }
    let input = FrameInfo::new(FourCc::I420, crop.width, crop.height)
        .with_frame_rate(encoder_input.frame_rate.num, encoder_input.frame_rate.den);
    let mut vpp = VppParams::new(input, encoder_input).with_async_depth(depth + STAGE_LAG as u16);
    let [_, vpp_out] = Vpp::query_io_surf(&vpp).context("VPP QueryIOSurf")?;
    vpp.output_hints = limited(shared_pool_size(&vpp_out, encode_request, depth) + STAGE_LAG as u32);
    note_corrected("VPP", session.vpp().init(&vpp).context("VPP Init")?);
    tracing::info!(width = crop.width, height = crop.height, "VPP scales the new sequence");
    Ok(())
}

/// The test pattern encoded to H.264 (fast preset, high quality) in memory.
fn pattern_stream(size: (u32, u32), frames: u64) -> Result<Vec<u8>> {
    let (mut source, info, _) = FrameSource::open(None, size, FourCc::I420)?;
    let session = Session::new();
    let mut params = vplrs::EncodeParams::new(EncodeCodec::Avc, info, RateControl::Cqp { qpi: 18, qpp: 20, qpb: 22 });
    params.target_usage = 7;
    note_corrected("the pattern's encoder", session.encode().init(&params).context("encoding the test pattern")?);
    let mut stream = Vec::new();
    let mut take = |data: &[u8], _pts: u64| {
        stream.extend_from_slice(data);
        Ok(())
    };
    for index in 0..frames {
        let surface = session.encode().surface()?;
        source.fill(&surface, &info, index)?;
        put(&session, Some(&surface), &mut take).context("encoding the test pattern")?;
    }
    while put(&session, None, &mut take).context("encoding the test pattern")? {}
    session.close();
    Ok(stream)
}
