//! `vplrs decode` for the libavcodec codecs (H.264, H.265 elementary streams; IVF of other codecs
//! than VP8): 8-bit 4:2:0 pictures decoded in place into I420 surfaces of the decode pool, others
//! converted into P010 (10-bit 4:2:0), YUY2 (4:2:2) or AYUV (4:4:4) surfaces; written cropped.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use md5::{Digest, Md5};
use vplrs::{FourCc, FrameInfo, Session, Surface, VppParams};

use crate::encode::print_pool;
use crate::rawio;
use crate::streams::InputStream;

/// True when `path` is a stream for this module rather than VP8 in IVF.
pub fn handles(path: &Path) -> bool {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
    if extension != "ivf" {
        return true;
    }
    let mut magic = [0u8; 12];
    let read = File::open(path).and_then(|mut file| std::io::Read::read_exact(&mut file, &mut magic));
    read.is_ok() && &magic[8..12] != b"VP80"
}

/// What `vplrs decode` makes of the pictures.
pub struct Outputs<'a> {
    pub path: Option<&'a PathBuf>,
    pub md5: bool,
    pub frame_md5: bool,
    /// Scaled to this size and/or converted to this format by VPP, in the same session.
    pub size: Option<(u32, u32)>,
    pub format: Option<FourCc>,
    pub async_depth: u16,
}

/// VPP after the decoder, when the pictures are scaled or converted: the decoded size it is
/// initialised for, and the pictures it has taken but that are not written yet (one ahead, so
/// that VPP works on a picture while the decoder makes the next).
struct Scaler {
    size: Option<(u32, u32)>,
    format: FourCc,
    async_depth: u16,
    input: Option<vplrs::Rect>,
    staged: VecDeque<Surface>,
}

impl Scaler {
    /// VPP's output for `picture` (decoded), once a picture is staged ahead of it; None before.
    fn next(&mut self, session: &Session, picture: Surface) -> Result<Option<Surface>> {
        let crop = picture.info().crop;
        if self.input != Some(crop) {
            if session.vpp().is_initialized() {
                session.vpp().close().context("VPP Close")?;
            }
            let (width, height) = self.size.unwrap_or((crop.width, crop.height));
            let input = FrameInfo::new(FourCc::I420, crop.width, crop.height);
            let output = FrameInfo::new(self.format, width, height);
            // One more operation in flight than the tool keeps: the staged picture.
            let params = VppParams::new(input, output).with_async_depth(self.async_depth + 1);
            crate::vpp::note_corrected("VPP", session.vpp().init(&params).context("VPP Init")?);
            self.input = Some(crop);
        }
        let scaled = session.vpp().process_frame_async(&picture).context("VPP")?;
        self.staged.push_back(scaled);
        Ok(if self.staged.len() > 1 { self.staged.pop_front() } else { None })
    }
}

pub fn run(input: &Path, outputs: &Outputs<'_>) -> Result<()> {
    let (output, md5, frame_md5) = (outputs.path, outputs.md5, outputs.frame_md5);
    let mut stream = InputStream::open(input)?;
    let session = Session::new();
    let mut params = stream.header(input)?;
    // 8-bit 4:2:0 in I420 (decoded in place); other streams in the format DecodeHeader names
    // (P010, YUY2, AYUV), written as ffmpeg's p010le, yuyv422 and vuya.
    if params.output.fourcc == FourCc::Nv12 {
        params.output.fourcc = FourCc::I420;
    }
    session.decode().init(&params).context("DECODE Init")?;
    let mut file = match output {
        Some(path) => {
            Some(BufWriter::new(crate::out::create(path).with_context(|| format!("creating {}", path.display()))?))
        }
        None => None,
    };
    let rate = (params.output.frame_rate.num, params.output.frame_rate.den);
    let mut y4m = crate::y4m::Y4mPictures::for_output(output.map(PathBuf::as_path), rate);
    let mut all = md5.then(Md5::new);
    let name = input.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let started = Instant::now();
    let mut count = 0u64;
    let mut scratch = Vec::new();
    let mut decode = session.decode();
    let progress = crate::vpp::progress_bar(u64::MAX);
    let mut scaler = (outputs.size.is_some() || outputs.format.is_some()).then(|| Scaler {
        size: outputs.size,
        format: outputs.format.unwrap_or(FourCc::I420),
        async_depth: outputs.async_depth.max(1),
        input: None,
        staged: VecDeque::new(),
    });
    if let (Some(scaler), Some(_)) = (&scaler, &y4m) {
        if scaler.format != FourCc::I420 {
            anyhow::bail!("y4m output holds 8-bit 4:2:0 pictures: --format i420, or write raw frames");
        }
    }
    let mut decoding = true;
    loop {
        let picture = if decoding { stream.next_picture(&mut decode)? } else { None };
        decoding &= picture.is_some();
        let picture = match (scaler.as_mut(), picture) {
            (None, Some(picture)) => picture,
            (None, None) => break,
            (Some(scaler), Some(picture)) => match scaler.next(&session, picture)? {
                Some(scaled) => scaled,
                None => continue,
            },
            // The stream has ended: the staged pictures.
            (Some(scaler), None) => match scaler.staged.pop_front() {
                Some(scaled) => scaled,
                None => break,
            },
        };
        count += 1;
        progress.set_position(count);
        if file.is_none() && all.is_none() && !frame_md5 {
            // Decoded and released, like `ffmpeg -f null`.
            continue;
        }
        let crop = picture.info().crop;
        let guard = picture.map_read().context("Map for read")?;
        scratch.clear();
        rawio::write_frame(&guard.view(), crop, &mut scratch)?;
        if let Some(file) = &mut file {
            if let Some(y4m) = &mut y4m {
                y4m.before_picture(file, guard.view().fourcc, (crop.width, crop.height))?;
            }
            file.write_all(&scratch)?;
        }
        if let Some(all) = &mut all {
            all.update(&scratch);
        }
        if frame_md5 {
            let digest = Md5::digest(&scratch);
            crate::out::data!("{digest:x}  {name}-{}x{}-{count:04}.i420", crop.width, crop.height);
        }
    }
    progress.finish_and_clear();
    if let Some(file) = &mut file {
        file.flush()?;
    }
    let elapsed = started.elapsed().as_secs_f64();
    if let Some(all) = all {
        crate::out::data!("{:x}", all.finalize());
        return Ok(());
    }
    let stats = decode.stats()?;
    if stats.corrupted > 0 || stats.skipped > 0 {
        eprintln!(
            "vplrs: warning: {}: {} damaged pictures (concealed), {} undecodable frames skipped",
            input.display(),
            stats.corrupted,
            stats.skipped
        );
    }
    eprintln!(
        "decode: {count} pictures of {:?} {}x{}, {:.2} s ({:.1} fps), {} copies ({:.2} per frame)",
        stream.codec,
        params.output.crop.width,
        params.output.crop.height,
        elapsed,
        count as f64 / elapsed.max(1e-9),
        stats.copies,
        stats.copies_per_frame()
    );
    print_pool("decode", &decode.pool()?.stats());
    if let Some(scaler) = &scaler {
        let params = session.vpp().params()?;
        let (out, stats) = (params.output, session.vpp().stats()?);
        eprintln!(
            "  VPP in the same session: {} pictures to {}x{} {}",
            stats.frames, out.crop.width, out.crop.height, scaler.format
        );
        print_pool("VPP output", &session.vpp().output_pool()?.stats());
    }
    drop(decode);
    session.close();
    Ok(())
}
