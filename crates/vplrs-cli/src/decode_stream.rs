//! `vplrs decode` for the libavcodec codecs (H.264, H.265 elementary streams; IVF of other codecs
//! than VP8): 8-bit 4:2:0 pictures decoded in place into I420 surfaces of the decode pool, others
//! converted into P010 (10-bit 4:2:0), YUY2 (4:2:2) or AYUV (4:4:4) surfaces; written cropped.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use md5::{Digest, Md5};
use vplrs::{FourCc, Session};

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

pub fn run(input: &Path, output: Option<&PathBuf>, md5: bool, frame_md5: bool) -> Result<()> {
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
    while let Some(picture) = stream.next_picture(&mut decode)? {
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
    drop(decode);
    session.close();
    Ok(())
}
