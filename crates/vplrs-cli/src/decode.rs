//! `vplrs decode`: an IVF (VP8) stream through the decode component, written as cropped I420 like
//! `vpxdec --i420`, with the MD5s `vpxdec --md5` prints.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufReader, BufWriter, IoSlice, Write};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use md5::{Digest, Md5};
use vplrs::vp8::ivf::IvfReader;
use vplrs::vp8::{AlignedBuffer, Decoder, Segment, StreamInfo};
use vplrs::{Codec, DecodeError, DecodeParams, DecodedFrame, FourCc, FrameInfo, Session, SystemAllocator, Vp8Backend};

use crate::rawio;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DecodeMemory {
    /// Pictures in surfaces of the runtime's pool; the decoder allocates its own memory.
    Internal,
    /// Pictures in surfaces from an application allocator (mem ids, locked while accessed).
    External,
    /// The decoder's whole working memory supplied by the application as XMA segments.
    Xma,
}

#[derive(clap::Args)]
pub struct DecodeArgs {
    /// An IVF file holding VP8, or a stream libavcodec decodes (.h264, .h265, .mjpeg, or .ivf of
    /// VP9/AV1).
    input: PathBuf,
    /// Write the cropped frames here: raw (I420 for 8-bit 4:2:0; ffmpeg's p010le, yuyv422, vuya
    /// for the others), or y4m when the name ends in .y4m (8-bit 4:2:0 only).
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Print one MD5 over all output frames (as `vpxdec --md5 --i420`).
    #[arg(long)]
    md5: bool,
    /// Print one MD5 line per shown frame, in the format of the `.ivf.md5` files.
    #[arg(long)]
    frame_md5: bool,
    /// Decoder threads. With 2 or more the VP8 decoder decodes each frame with a pipeline over
    /// macroblock rows (parse, reconstruct, loop filter; more than 3 count as 3), bit-exact with
    /// one thread. XMA memory (`--memory xma`) is single-threaded.
    #[arg(long, default_value_t = 1)]
    threads: u32,
    #[arg(long, value_enum, default_value = "internal")]
    memory: DecodeMemory,
    /// Operations in flight before the tool synchronises.
    #[arg(long, default_value_t = 4)]
    async_depth: u16,
    /// Scale the pictures to WxH, through VPP in the same session (H.264, H.265, VP9, AV1 and
    /// JPEG streams).
    #[arg(long, value_parser = crate::vpp::parse_size)]
    size: Option<(u32, u32)>,
    /// Convert the pictures to this format (nv12, i420, bgra...), through VPP in the same session.
    #[arg(long, value_parser = crate::vpp::parse_fourcc)]
    format: Option<vplrs::FourCc>,
}

struct Output {
    file: Option<BufWriter<crate::out::OutputFile>>,
    y4m: Option<crate::y4m::Y4mPictures>,
    all: Option<Md5>,
    frame_lines: bool,
    name: String,
    count: u64,
    scratch: Vec<u8>,
}

impl Output {
    fn write(&mut self, decoded: DecodedFrame) -> Result<()> {
        decoded.sync.wait(Duration::from_secs(60)).context("decoding a frame")?;
        let crop = decoded.surface.info().crop;
        let guard = decoded.surface.map_read()?;
        self.count += 1;
        if self.all.is_none() && !self.frame_lines {
            // Nothing to hash: rows go straight from the surface to the file.
            if let Some(file) = &mut self.file {
                let view = guard.view();
                if let Some(y4m) = &mut self.y4m {
                    y4m.before_picture(file, view.fourcc, (crop.width, crop.height))?;
                }
                if view.fourcc == FourCc::I420 {
                    file.flush()?;
                    write_i420_vectored(&view, crop, file.get_mut())?;
                } else {
                    rawio::write_frame(&view, crop, file)?;
                }
            }
            return Ok(());
        }
        self.scratch.clear();
        rawio::write_frame(&guard.view(), crop, &mut self.scratch)?;
        if let Some(file) = &mut self.file {
            if let Some(y4m) = &mut self.y4m {
                y4m.before_picture(file, guard.view().fourcc, (crop.width, crop.height))?;
            }
            file.write_all(&self.scratch)?;
        }
        if let Some(all) = &mut self.all {
            all.update(&self.scratch);
        }
        if self.frame_lines {
            let digest = Md5::digest(&self.scratch);
            crate::out::data!("{digest:x}  {}-{}x{}-{:04}.i420", self.name, crop.width, crop.height, self.count);
        }
        Ok(())
    }
}

/// Writes the crop of an I420 view as a raw frame with `writev`: the rows go from the surface to
/// the kernel without being copied into a buffer first (a 1080p frame is 1620 rows).
fn write_i420_vectored(view: &vplrs::FrameView<'_>, crop: vplrs::Rect, file: &mut impl Write) -> std::io::Result<()> {
    let (x, y, w, h) = (crop.x as usize, crop.y as usize, crop.width as usize, crop.height as usize);
    let (cx, cy, cw, ch) = (x / 2, y / 2, w.div_ceil(2), (y + h).div_ceil(2) - y / 2);
    let planes = view.planes();
    let mut rows: Vec<IoSlice<'_>> = Vec::with_capacity(h + 2 * ch);
    rows.extend((y..y + h).map(|r| IoSlice::new(&planes[0].row(r)[x..x + w])));
    for plane in &planes[1..3] {
        rows.extend((cy..cy + ch).map(|r| IoSlice::new(&plane.row(r)[cx..cx + cw])));
    }
    // At most IOV_MAX (1024) rows per call.
    let mut pending = &mut rows[..];
    while !pending.is_empty() {
        let n = pending.len().min(1024);
        let written = file.write_vectored(&pending[..n])?;
        if written == 0 {
            return Err(std::io::ErrorKind::WriteZero.into());
        }
        IoSlice::advance_slices(&mut pending, written);
    }
    Ok(())
}

fn xma_backend(max: (u32, u32), threads: u32) -> Result<Vp8Backend> {
    let mut decoder = Decoder::new_xma(&StreamInfo::with_max_size(max.0, max.1)).context("XMA decoder")?;
    if decoder.set_threads(threads as usize) < threads as usize {
        eprintln!("XMA decoding is single-threaded: --threads {threads} ignored");
    }
    let requests: Vec<_> = decoder.mem_map().collect();
    eprintln!("XMA segments for up to {}x{}:", max.0, max.1);
    eprintln!("  {:>4}  {:>10}  {:>5}  flags", "id", "bytes", "align");
    let mut total = 0;
    for request in requests {
        eprintln!("  {:>4}  {:>10}  {:>5}  {:?}", request.id.0, request.size, request.align, request.flags);
        total += request.size;
        let memory = AlignedBuffer::for_request(&request);
        decoder.set_segment(Segment::new(request.id, Box::new(memory))).map_err(|e| anyhow::anyhow!("{e:?}"))?;
    }
    eprintln!("  total {total} bytes");
    Ok(Vp8Backend::with_decoder(decoder))
}

fn init(session: &Session, args: &DecodeArgs, first: &[u8], max: (u32, u32)) -> Result<DecodeParams> {
    let mut params = vplrs::Decode::decode_header(Codec::Vp8, first).context("DecodeHeader")?;
    let (w, h) = (params.output.crop.width, params.output.crop.height);
    let (alloc_w, alloc_h) = if args.memory == DecodeMemory::Xma { max } else { (w, h) };
    params.output = FrameInfo::new(FourCc::I420, alloc_w, alloc_h);
    params.output.crop.width = w;
    params.output.crop.height = h;
    params.async_depth = args.async_depth;
    match args.memory {
        DecodeMemory::Xma => session.decode().init_with_backend(&params, Box::new(xma_backend(max, args.threads)?))?,
        _ if args.threads > 1 => {
            let mut decoder = Decoder::new();
            decoder.set_threads(args.threads as usize);
            session.decode().init_with_backend(&params, Box::new(Vp8Backend::with_decoder(decoder)))?
        }
        _ => session.decode().init(&params)?,
    }
    Ok(params)
}

pub fn run(args: &DecodeArgs) -> Result<()> {
    if crate::decode_stream::handles(&args.input) {
        let outputs = crate::decode_stream::Outputs {
            path: args.output.as_ref(),
            md5: args.md5,
            frame_md5: args.frame_md5,
            size: args.size,
            format: args.format,
            async_depth: args.async_depth,
        };
        return crate::decode_stream::run(&args.input, &outputs);
    }
    if args.size.is_some() || args.format.is_some() {
        bail!("--size and --format work on the libavcodec streams (H.264, H.265, VP9, AV1, JPEG), not VP8 yet");
    }
    let file = File::open(&args.input).with_context(|| format!("opening {}", args.input.display()))?;
    let mut reader = IvfReader::new(BufReader::new(file)).context("reading the IVF header")?;
    let header = *reader.header();
    if &header.fourcc != b"VP80" {
        bail!("{}: codec {:?} is not VP8", args.input.display(), String::from_utf8_lossy(&header.fourcc));
    }
    let session = Session::new();
    let allocator = (args.memory == DecodeMemory::External).then(|| Arc::new(SystemAllocator::new()));
    if let Some(allocator) = &allocator {
        session.set_allocator(Some(allocator.clone() as Arc<dyn vplrs::ExternalAllocator>));
    }
    let name = args.input.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let mut out = Output {
        file: args
            .output
            .as_ref()
            .map(|p| crate::out::create(p).map(|f| BufWriter::with_capacity(1 << 20, f)))
            .transpose()?,
        y4m: crate::y4m::Y4mPictures::for_output(args.output.as_deref(), (header.rate, header.scale)),
        all: args.md5.then(Md5::new),
        frame_lines: args.frame_md5,
        name,
        count: 0,
        scratch: Vec::new(),
    };
    let max = (u32::from(header.width).max(16), u32::from(header.height).max(16));
    let started = Instant::now();
    let mut pending: VecDeque<DecodedFrame> = VecDeque::new();
    let mut initialized = false;
    let mut frame_index = 0u64;
    // The IVF header's frame count, when it gives one (it may be wrong: the bar then just ends).
    let progress =
        crate::vpp::progress_bar(if header.frame_count > 0 { u64::from(header.frame_count) } else { u64::MAX });
    loop {
        progress.set_position(out.count);
        // A file that ends inside a frame: what came before is decoded and written, with a
        // warning (as vpxdec and ffmpeg do, and as vplrs does for every codec).
        let frame = match reader.next_frame() {
            Ok(Some(frame)) => frame,
            Ok(None) => break,
            Err(vplrs::vp8::IvfError::TruncatedFrame { .. }) => {
                crate::out::warn_truncated(&args.input, frame_index);
                break;
            }
            Err(error) => return Err(error).context("reading a frame"),
        };
        frame_index += 1;
        if frame.data.is_empty() {
            continue; // a dropped frame: nothing to show, as vpxdec
        }
        if !initialized {
            match init(&session, args, &frame.data, max) {
                Ok(_) => initialized = true,
                Err(error) if frame_index == 1 => return Err(error),
                Err(_) => continue, // no key frame yet
            }
        }
        loop {
            // The decoder's lock is let go before the arms, which may close and re-initialise it.
            let result = session.decode().decode_frame_async(Some(&frame.data), None, frame.pts);
            match result {
                Ok(decoded) => {
                    pending.push_back(decoded);
                    break;
                }
                Err(DecodeError::MoreData) => break,
                Err(DecodeError::Busy(_)) => match pending.pop_front() {
                    Some(oldest) => out.write(oldest)?,
                    None => std::thread::sleep(Duration::from_millis(1)),
                },
                Err(DecodeError::Incompatible(..)) if args.memory != DecodeMemory::Xma => {
                    for decoded in pending.drain(..) {
                        out.write(decoded)?;
                    }
                    session.decode().close()?;
                    init(&session, args, &frame.data, max)?;
                }
                Err(error) => return Err(error).with_context(|| format!("frame {frame_index}")),
            }
        }
        while pending.len() > usize::from(args.async_depth) {
            let oldest = pending.pop_front().expect("not empty");
            out.write(oldest)?;
        }
    }
    for decoded in pending.drain(..) {
        out.write(decoded)?;
    }
    progress.finish_and_clear();
    if let Some(file) = &mut out.file {
        file.flush()?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    if let Some(all) = out.all.take() {
        crate::out::data!("{:x}", all.finalize());
    }
    if initialized {
        let stats = session.decode().stats()?;
        let pool = session.decode().pool()?.stats();
        eprintln!(
            "decode: {} frames ({} decoded, {} corrupted) in {:.2} s ({:.1} fps), {} memory, {} pixel copies",
            out.count,
            stats.decoded,
            stats.corrupted,
            elapsed,
            out.count as f64 / elapsed.max(1e-9),
            match args.memory {
                DecodeMemory::Internal => "internal",
                DecodeMemory::External => "external",
                DecodeMemory::Xma => "XMA",
            },
            stats.copies,
        );
        eprintln!(
            "  decode pool: {} surfaces, {} allocations, {} reuses, peak {} in use",
            pool.surfaces, pool.allocations, pool.reuses, pool.peak_in_use
        );
    }
    session.close();
    Ok(())
}
