//! `vplrs vpp`: frames in (y4m, raw or the built-in pattern), VPP, frames out (raw or y4m).

use std::collections::VecDeque;
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use vplrs::{
    FourCc, FrameInfo, Mirror, Orientation, PicStruct, ProcAmp, Rotation, Session, Surface, SystemAllocator, VppError,
    VppParams,
};

use crate::source::FrameSource;
use crate::{rawio, y4m, MemoryModel};

#[derive(clap::Args)]
pub struct VppArgs {
    /// Input: a .y4m file, or raw frames with --input-size and --input-format. None: the built-in
    /// test pattern.
    input: Option<PathBuf>,
    /// Output file (raw frames, or y4m when it ends in .y4m). None: frames are processed and dropped.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Output size WxH (default: the input's).
    #[arg(long, value_parser = parse_size)]
    size: Option<(u32, u32)>,
    /// Output format: nv12, i420, yv12, p010, yuy2, ayuv, bgra (rgb4), rgba (bgr4), a2rgb10, y410
    /// (default: the input's; i420 for a .y4m output).
    #[arg(long, value_parser = parse_fourcc)]
    format: Option<FourCc>,
    /// Raw input size WxH (the test pattern's size too), as for encode and transcode.
    #[arg(long, value_parser = parse_size, default_value = "1280x720")]
    input_size: (u32, u32),
    /// Raw input format (the test pattern is drawn in nv12 or i420), as for encode.
    #[arg(long, value_parser = parse_fourcc, default_value = "i420")]
    input_format: FourCc,
    /// Frames to process (default: all of the input, 300 of the pattern).
    #[arg(short = 'n', long)]
    frames: Option<u64>,
    /// Operations in flight before the tool synchronises (AsyncDepth).
    #[arg(long, default_value_t = 4)]
    async_depth: u16,
    #[arg(long, value_enum, default_value = "internal")]
    memory: MemoryModel,
    /// Turn the picture clockwise by 0, 90, 180 or 270 degrees (after --mirror, as Intel's VPP
    /// orders them); a quarter turn swaps the default output size.
    #[arg(long, value_parser = parse_rotation)]
    rotate: Option<Rotation>,
    /// Mirror the picture (before --rotate).
    #[arg(long, value_enum)]
    mirror: Option<MirrorArg>,
    /// The input is interlaced, this field first: deinterlace it (bob: the first field's rows
    /// kept, the other field's interpolated; one progressive frame per frame).
    #[arg(long, value_enum)]
    deinterlace: Option<FieldOrder>,
    /// ProcAmp brightness, -100 to 100 (added to 8-bit luma).
    #[arg(long, allow_negative_numbers = true)]
    brightness: Option<f64>,
    /// ProcAmp contrast, 0 to 10 (luma and chroma gain).
    #[arg(long)]
    contrast: Option<f64>,
    /// ProcAmp hue, -180 to 180 degrees (chroma rotation).
    #[arg(long, allow_negative_numbers = true)]
    hue: Option<f64>,
    /// ProcAmp saturation, 0 to 10 (chroma gain).
    #[arg(long)]
    saturation: Option<f64>,
    /// Denoise, 0 to 100 (hqdn3d at strength N/10, spatial and temporal; nv12, i420, yv12 output).
    #[arg(long, value_parser = clap::value_parser!(u16).range(0..=100))]
    denoise: Option<u16>,
    /// Detail enhancement, 0 to 100 (an unsharp mask on luma of amount N/50; nv12, i420, yv12
    /// output).
    #[arg(long, value_parser = clap::value_parser!(u16).range(0..=100))]
    detail: Option<u16>,
    /// Output frame rate N or N/D (default: the input's): frames repeated or dropped, spread
    /// evenly; with --deinterlace, twice the input's rate gives each field its own frame.
    #[arg(long, value_parser = parse_rate)]
    fps: Option<(u32, u32)>,
    /// With --fps: frames between two inputs mix them (frame interpolation) instead of repeating
    /// or dropping inputs.
    #[arg(long, requires = "fps")]
    interpolate: bool,
    /// Another stream composed over the input, which fills the output:
    /// PATH@X,Y[,WxH][,alpha=A][,key=MIN-MAX][,size=WxH]. Scaled to WxH (default: its size) at
    /// X,Y; drawn at alpha A (0-255), or with luma MIN-MAX transparent; `size` is a raw file's
    /// frame size (default --input-size). Repeatable; needs an nv12, bgra or rgba --format.
    #[arg(long, value_parser = crate::overlay::parse_overlay)]
    overlay: Vec<crate::overlay::OverlaySpec>,
}

fn parse_rate(text: &str) -> Result<(u32, u32), String> {
    let (num, den) = text.split_once('/').unwrap_or((text, "1"));
    let parsed = (num.parse::<u32>().map_err(|e| e.to_string())?, den.parse::<u32>().map_err(|e| e.to_string())?);
    if parsed.0 == 0 || parsed.1 == 0 {
        return Err("the rate is N or N/D, both above 0".into());
    }
    Ok(parsed)
}

/// `--deinterlace`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FieldOrder {
    /// Top field first.
    Tff,
    /// Bottom field first.
    Bff,
}

/// `--mirror`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum MirrorArg {
    /// Left and right swapped.
    Horizontal,
    /// Top and bottom swapped.
    Vertical,
}

fn parse_rotation(text: &str) -> Result<Rotation, String> {
    Ok(match text {
        "0" => Rotation::None,
        "90" => Rotation::Quarter,
        "180" => Rotation::Half,
        "270" => Rotation::ThreeQuarters,
        _ => return Err("the angle is 0, 90, 180 or 270 (degrees clockwise)".into()),
    })
}

pub(crate) fn parse_size(text: &str) -> Result<(u32, u32), String> {
    let (w, h) = text.split_once(['x', 'X']).ok_or("expected WxH")?;
    let parsed = (w.parse::<u32>().map_err(|e| e.to_string())?, h.parse::<u32>().map_err(|e| e.to_string())?);
    if parsed.0 == 0 || parsed.1 == 0 || parsed.0 > 16384 || parsed.1 > 16384 {
        return Err("size must be between 1x1 and 16384x16384".into());
    }
    Ok(parsed)
}

pub(crate) fn parse_fourcc(text: &str) -> Result<FourCc, String> {
    FourCc::from_name(text).ok_or_else(|| format!("unknown format {text}"))
}

enum Sink {
    None,
    Raw(BufWriter<crate::out::OutputFile>),
    Y4m(BufWriter<crate::out::OutputFile>),
}

pub fn run(args: &VppArgs) -> Result<()> {
    let (mut source, input_info, rate) = FrameSource::open(args.input.as_deref(), args.input_size, args.input_format)?;
    let orientation = Orientation {
        rotation: args.rotate.unwrap_or_default(),
        mirror: match args.mirror {
            None => Mirror::None,
            Some(MirrorArg::Horizontal) => Mirror::Horizontal,
            Some(MirrorArg::Vertical) => Mirror::Vertical,
        },
    };
    let (out_w, out_h) = args.size.unwrap_or(orientation.oriented(input_info.crop.width, input_info.crop.height));
    let y4m_output = args.output.as_ref().is_some_and(|path| path.extension().is_some_and(|e| e == "y4m"));
    let format = args.format.unwrap_or(if y4m_output { FourCc::I420 } else { input_info.fourcc });
    let out_rate = args.fps.unwrap_or(rate);
    let output_info = FrameInfo::new(format, out_w, out_h).with_frame_rate(out_rate.0, out_rate.1);
    let mut sink = match &args.output {
        None => Sink::None,
        Some(path) => {
            let file =
                BufWriter::new(crate::out::create(path).with_context(|| format!("creating {}", path.display()))?);
            if path.extension().is_some_and(|e| e == "y4m") {
                if format != FourCc::I420 {
                    bail!("y4m output holds 8-bit 4:2:0 pictures: --format i420, or write raw frames");
                }
                let mut file = file;
                let header = y4m::Y4mHeader { width: out_w, height: out_h, rate: out_rate, fourcc: FourCc::I420 };
                y4m::write_header(&mut file, &header)?;
                Sink::Y4m(file)
            } else {
                Sink::Raw(file)
            }
        }
    };

    let session = Session::new();
    let allocator = (args.memory == MemoryModel::External).then(|| Arc::new(SystemAllocator::new()));
    if let Some(allocator) = &allocator {
        session.set_allocator(Some(allocator.clone() as Arc<dyn vplrs::ExternalAllocator>));
    }
    let (mut input_info, mut output_info) = (input_info, output_info);
    if let Some(order) = args.deinterlace {
        input_info.pic_struct = match order {
            FieldOrder::Tff => PicStruct::FIELD_TFF,
            FieldOrder::Bff => PicStruct::FIELD_BFF,
        };
        output_info.pic_struct = PicStruct::PROGRESSIVE;
    }
    let mut params = VppParams::new(input_info, output_info).with_async_depth(args.async_depth);
    params.orientation = orientation;
    let defaults = ProcAmp::default();
    params.procamp = ProcAmp {
        brightness: args.brightness.unwrap_or(defaults.brightness),
        contrast: args.contrast.unwrap_or(defaults.contrast),
        hue: args.hue.unwrap_or(defaults.hue),
        saturation: args.saturation.unwrap_or(defaults.saturation),
    };
    note_procamp_corrections(&params.procamp);
    params.denoise = args.denoise;
    params.detail = args.detail;
    params.frame_interpolation = args.interpolate;
    let mut overlays = None;
    if !args.overlay.is_empty() {
        let streams =
            crate::overlay::Streams::open(&args.overlay, &input_info, (out_w, out_h), format, args.input_size)?;
        // The VPP input frame holds the largest stream's; each surface says its own picture.
        let (width, height) = streams.largest;
        params.input = FrameInfo::new(input_info.fourcc, width, height).with_frame_rate(rate.0, rate.1);
        params.composition = Some(streams.composition.clone());
        overlays = Some(streams);
    }
    note_corrected("VPP", session.vpp().init(&params).context("VPP Init")?);

    let limit = args.frames.unwrap_or(if source.is_pattern() { 300 } else { u64::MAX });
    let progress = progress_bar(limit.min(source.frame_count().unwrap_or(u64::MAX)));
    let started = Instant::now();
    let mut pending: VecDeque<Surface> = VecDeque::new();
    let mut written = 0u64;
    let mut index = 0u64;
    let depth = usize::from(args.async_depth.max(1));
    while index < limit {
        let input = session.vpp().input_surface().context("GetSurfaceForVPP")?;
        if !source.fill(&input, &input_info, index)? {
            break;
        }
        input.update_meta(|m| {
            m.frame_order = index as u32;
            m.timestamp = index * 90_000 * u64::from(rate.1) / u64::from(rate.0.max(1));
            m.info.crop = input_info.crop;
        });
        let mut inputs = vec![input];
        if let Some(streams) = overlays.as_mut() {
            let next = || session.vpp().input_surface().context("GetSurfaceForVPP");
            let Some(frames) = streams.next_frames(index, next)? else { break };
            inputs.extend(frames);
        }
        // Every output of this input: none (a dropped frame), one, or more (repeats).
        loop {
            while pending.len() >= depth {
                emit(&mut pending, &mut sink, &mut written)?;
            }
            let result = if inputs.len() > 1 {
                let output = session.vpp().output_surface().context("GetSurfaceForVPPOut")?;
                let refs: Vec<&Surface> = inputs.iter().collect();
                session.vpp().compose_async(&refs, &output).map(|_sync| output)
            } else {
                session.vpp().process_frame_async(&inputs[0])
            };
            match result {
                Ok(output) => pending.push_back(output),
                Err(VppError::MoreData) => break,
                Err(VppError::Busy(_)) if !pending.is_empty() => {
                    emit(&mut pending, &mut sink, &mut written)?;
                    continue;
                }
                Err(error) => return Err(error).context("ProcessFrameAsync"),
            }
            if !session.vpp().repeats_pending() {
                break;
            }
        }
        index += 1;
        progress.set_position(index);
    }
    // Draining: frame interpolation owes the frames after the last input.
    let mut draining = args.interpolate;
    while draining {
        while pending.len() >= depth {
            emit(&mut pending, &mut sink, &mut written)?;
        }
        let output = session.vpp().output_surface().context("GetSurfaceForVPPOut")?;
        match session.vpp().run_frame_async(None, &output) {
            Ok(_sync) => pending.push_back(output),
            Err(VppError::MoreData) => draining = false,
            Err(VppError::Busy(_)) if !pending.is_empty() => emit(&mut pending, &mut sink, &mut written)?,
            Err(error) => return Err(error).context("RunFrameVPPAsync (draining)"),
        }
    }
    while !pending.is_empty() {
        emit(&mut pending, &mut sink, &mut written)?;
    }
    progress.finish_and_clear();
    let elapsed = started.elapsed();
    match &mut sink {
        Sink::Raw(file) | Sink::Y4m(file) => file.flush()?,
        Sink::None => {}
    }

    let stats = session.vpp().stats()?;
    let in_pool = session.vpp().input_pool()?.stats();
    let out_pool = session.vpp().output_pool()?.stats();
    eprintln!(
        "vpp: {} frames {}x{} {} -> {}x{} {} in {:.2} s ({:.1} fps), async depth {}, {} memory",
        written,
        input_info.crop.width,
        input_info.crop.height,
        input_info.fourcc,
        out_w,
        out_h,
        format,
        elapsed.as_secs_f64(),
        written as f64 / elapsed.as_secs_f64().max(1e-9),
        args.async_depth,
        if allocator.is_some() { "external" } else { "internal" },
    );
    for (name, pool) in [("input", in_pool), ("output", out_pool)] {
        eprintln!(
            "  {name} pool: {} surfaces ({:.1} MiB), {} allocations, {} reuses, peak {} in use, {} waits, {} timeouts, {} fallbacks",
            pool.surfaces,
            pool.bytes as f64 / 1048576.0,
            pool.allocations,
            pool.reuses,
            pool.peak_in_use,
            pool.waits,
            pool.timeouts,
            pool.fallbacks
        );
    }
    eprintln!("  frames processed by VPP: {}", stats.frames);
    drop(pending);
    close_and_account(session, allocator)
}

/// Closes the session, then says what the application-style allocator did (`--memory external`):
/// after Close every frame must be back and every lock undone, which is checked.
pub(crate) fn close_and_account(session: vplrs::Session, allocator: Option<Arc<SystemAllocator>>) -> Result<()> {
    session.close();
    let Some(allocator) = allocator else { return Ok(()) };
    let c = allocator.counters();
    eprintln!(
        "  external allocator (after Close): {} allocs, {} frees, {} refused, {} locks, {} unlocks",
        c.allocs, c.frees, c.refused, c.locks, c.unlocks
    );
    if c.live_frames != 0 || c.locks != c.unlocks {
        bail!("external allocator left with {} frames, {} locks vs {} unlocks", c.live_frames, c.locks, c.unlocks);
    }
    Ok(())
}

/// Synchronises the oldest output and writes it.
fn emit(pending: &mut VecDeque<Surface>, sink: &mut Sink, written: &mut u64) -> Result<()> {
    let Some(surface) = pending.pop_front() else { return Ok(()) };
    surface.synchronize(Duration::from_secs(60)).context("Synchronize")?;
    let crop = surface.info().crop;
    let guard = surface.map_read().context("Map for read")?;
    match sink {
        Sink::None => {}
        Sink::Raw(file) => rawio::write_frame(&guard.view(), crop, file)?,
        Sink::Y4m(file) => {
            y4m::write_frame_header(file)?;
            rawio::write_frame(&guard.view(), crop, file)?;
        }
    }
    *written += 1;
    Ok(())
}

/// Progress on standard error when it is a terminal (nothing otherwise): a bar with the rate and
/// the time left when `total` frames are known, a spinner with the count and rate when not
/// (`u64::MAX`).
pub(crate) fn progress_bar(total: u64) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let (bar, template) = if total == u64::MAX {
        (indicatif::ProgressBar::new_spinner(), "{spinner} {pos} frames [{elapsed_precise}] {fps}")
    } else {
        (indicatif::ProgressBar::new(total), "{bar:30} {pos}/{len} frames [{elapsed_precise}] {fps}, {eta} left")
    };
    let style = indicatif::ProgressStyle::with_template(template)
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
        .with_key("fps", |state: &indicatif::ProgressState, out: &mut dyn std::fmt::Write| {
            let _ = write!(out, "{:.1} fps", state.per_sec());
        });
    bar.set_style(style);
    bar
}

/// Components that corrected parameters the tool chose run with values it did not ask for: said in
/// the log, not an error.
/// VPP brings ProcAmp settings into their ranges: the tool says which, from what, to what.
fn note_procamp_corrections(asked: &ProcAmp) {
    let (used, changed) = asked.clamped();
    if !changed {
        return;
    }
    let fields = [
        ("brightness", asked.brightness, used.brightness),
        ("contrast", asked.contrast, used.contrast),
        ("hue", asked.hue, used.hue),
        ("saturation", asked.saturation, used.saturation),
    ];
    for ((name, asked, used), (low, high)) in fields.into_iter().zip(vplrs::PROCAMP_RANGES) {
        if asked.to_bits() != used.to_bits() {
            eprintln!("vplrs: note: VPP corrected ProcAmp {name} {asked} (outside {low}..{high}) to {used}");
        }
    }
}

pub fn note_corrected(component: &str, accepted: vplrs::Accepted) {
    if accepted.is_corrected() {
        tracing::info!("{component} corrected some parameters");
    }
}
