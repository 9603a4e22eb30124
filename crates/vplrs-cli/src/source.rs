//! Raw frames into surfaces: a .y4m file, raw frames of a given size and format, or the built-in
//! test pattern (which needs no file, so every pipeline runs on a fresh machine).

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use anyhow::{bail, Context, Result};
use vplrs::{FourCc, FrameInfo, Surface};

use crate::{pattern, rawio, y4m};

/// Where frames come from.
pub enum FrameSource {
    Pattern,
    Raw(BufReader<File>, Vec<u8>),
    Y4m(BufReader<File>, Vec<u8>),
}

use FrameSource as Source;

impl FrameSource {
    /// Opens `input` (a .y4m file, or raw frames of `input_size` and `input_format`), or the test
    /// pattern when there is none. Returns the source, its frames' info and frame rate.
    pub fn open(
        input: Option<&Path>,
        input_size: (u32, u32),
        input_format: FourCc,
    ) -> Result<(FrameSource, FrameInfo, (u32, u32))> {
        let Some(path) = input else {
            if !matches!(input_format, FourCc::Nv12 | FourCc::I420) {
                bail!("the test pattern is drawn in nv12 or i420");
            }
            let (w, h) = input_size;
            return Ok((Source::Pattern, FrameInfo::new(input_format, w, h).with_frame_rate(30, 1), (30, 1)));
        };
        let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
        let mut reader = BufReader::new(file);
        if path.extension().is_some_and(|e| e == "y4m") {
            let header = y4m::read_header(&mut reader)?;
            crate::vpp::parse_size(&format!("{}x{}", header.width, header.height))
                .map_err(|limit| anyhow::anyhow!("{}: {}x{}: {limit}", path.display(), header.width, header.height))?;
            if header.fourcc != FourCc::I420 {
                bail!("y4m input must be 8-bit 4:2:0");
            }
            let info =
                FrameInfo::new(FourCc::I420, header.width, header.height).with_frame_rate(header.rate.0, header.rate.1);
            return Ok((Source::Y4m(reader, vec![0; header.frame_bytes()]), info, header.rate));
        }
        let (w, h) = input_size;
        let info = FrameInfo::new(input_format, w, h);
        let bytes = rawio::frame_bytes(info.fourcc, info.crop);
        // A size or format other than the file's reads garbage: a length that is no whole number
        // of frames says so (a pipe or device has no length to check).
        let length = reader.get_ref().metadata().map(|m| if m.is_file() { m.len() } else { 0 }).unwrap_or(0);
        if bytes > 0 && length % bytes as u64 != 0 {
            bail!(
                "{}: {length} bytes are no whole number of {w}x{h} {} frames ({bytes} bytes each): give the raw \
                 input's --input-size and --input-format",
                path.display(),
                format!("{input_format:?}").to_lowercase()
            );
        }
        Ok((Source::Raw(reader, vec![0; bytes]), info, (30, 1)))
    }

    pub fn is_pattern(&self) -> bool {
        matches!(self, Source::Pattern)
    }

    /// How many frames a file holds, from its length (None for the pattern, or a pipe).
    pub fn frame_count(&mut self) -> Option<u64> {
        let (reader, frame, header) = match self {
            Source::Pattern => return None,
            Source::Raw(reader, buffer) => (reader, buffer.len() as u64, 0),
            // Each y4m frame has its "FRAME\n" line.
            Source::Y4m(reader, buffer) => (reader, buffer.len() as u64 + 6, 1),
        };
        let length = reader.get_ref().metadata().ok().filter(|m| m.is_file())?.len();
        let start = if header == 0 { 0 } else { std::io::Seek::stream_position(reader).ok()? };
        (frame > 0).then(|| length.saturating_sub(start) / frame)
    }

    /// Fills `surface` with the next input frame; false at the end of the input.
    pub fn fill(&mut self, surface: &Surface, info: &FrameInfo, index: u64) -> Result<bool> {
        let source = self;
        let mut guard = surface.map_write().context("Map for write")?;
        let mut view = guard.view_mut();
        match source {
            Source::Pattern => pattern::draw(&mut view, info.crop, index),
            Source::Raw(reader, buffer) => {
                if !read_exact_or_end(reader, buffer)? {
                    return Ok(false);
                }
                rawio::read_frame(&mut view, info.crop, buffer);
            }
            Source::Y4m(reader, buffer) => {
                if !y4m::read_frame(reader, buffer)? {
                    return Ok(false);
                }
                rawio::read_frame(&mut view, info.crop, buffer);
            }
        }
        Ok(true)
    }
}

fn read_exact_or_end(reader: &mut impl Read, buffer: &mut [u8]) -> Result<bool> {
    let mut filled = 0;
    while filled < buffer.len() {
        let n = reader.read(&mut buffer[filled..])?;
        if n == 0 {
            if filled == 0 {
                return Ok(false);
            }
            bail!("raw input ends inside a frame ({filled} of {} bytes)", buffer.len());
        }
        filled += n;
    }
    Ok(true)
}
