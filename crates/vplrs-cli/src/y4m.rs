//! YUV4MPEG2 reading and writing (8-bit 4:2:0 and 10-bit 4:2:0), enough for raw pipelines.

use std::io::{BufRead, Write};

use anyhow::{bail, Context, Result};
use vplrs::FourCc;

/// What a y4m stream header says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Y4mHeader {
    pub width: u32,
    pub height: u32,
    pub rate: (u32, u32),
    /// I420 for `C420*` (8-bit), P010-compatible 16-bit for `C420p10`.
    pub fourcc: FourCc,
}

impl Y4mHeader {
    pub fn frame_bytes(&self) -> usize {
        let (w, h) = (self.width as usize, self.height as usize);
        let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
        let sample = if self.fourcc == FourCc::P010 { 2 } else { 1 };
        (w * h + 2 * cw * ch) * sample
    }
}

pub fn read_header(input: &mut impl BufRead) -> Result<Y4mHeader> {
    let mut line = Vec::new();
    input.read_until(b'\n', &mut line)?;
    let text = std::str::from_utf8(&line).context("y4m header is not text")?.trim_end();
    let mut tokens = text.split(' ');
    if tokens.next() != Some("YUV4MPEG2") {
        bail!("not a YUV4MPEG2 stream");
    }
    let mut header = Y4mHeader { width: 0, height: 0, rate: (25, 1), fourcc: FourCc::I420 };
    for token in tokens {
        let (tag, value) = token.split_at(1.min(token.len()));
        match tag {
            "W" => header.width = value.parse().context("bad y4m width")?,
            "H" => header.height = value.parse().context("bad y4m height")?,
            "F" => {
                let (n, d) = value.split_once(':').context("bad y4m frame rate")?;
                header.rate = (n.parse()?, d.parse()?);
            }
            "C" => {
                header.fourcc = match value {
                    "420" | "420jpeg" | "420mpeg2" | "420paldv" => FourCc::I420,
                    "420p10" => FourCc::P010,
                    other => bail!("y4m colour space C{other} is not supported (4:2:0 only)"),
                }
            }
            _ => {}
        }
    }
    if header.width == 0 || header.height == 0 {
        bail!("y4m header has no frame size");
    }
    Ok(header)
}

/// Reads one frame's planes into `buffer`; false at the end of the stream.
pub fn read_frame(input: &mut impl BufRead, buffer: &mut [u8]) -> Result<bool> {
    let mut line = Vec::new();
    if input.read_until(b'\n', &mut line)? == 0 {
        return Ok(false);
    }
    if !line.starts_with(b"FRAME") {
        bail!("y4m frame header missing");
    }
    input.read_exact(buffer).context("y4m frame is truncated")?;
    Ok(true)
}

pub fn write_header(output: &mut impl Write, header: &Y4mHeader) -> Result<()> {
    let colour = if header.fourcc == FourCc::P010 { "420p10" } else { "420jpeg" };
    writeln!(
        output,
        "YUV4MPEG2 W{} H{} F{}:{} Ip A1:1 C{}",
        header.width, header.height, header.rate.0, header.rate.1, colour
    )?;
    Ok(())
}

pub fn write_frame_header(output: &mut impl Write) -> Result<()> {
    output.write_all(b"FRAME\n")?;
    Ok(())
}

/// Decoded pictures written as y4m (`-o x.y4m`): the stream header before the first picture, with
/// its size, and `FRAME` before each. y4m holds one size of 8-bit 4:2:0 I420 pictures: other
/// formats, and a stream that changes size, are refused with the way out (raw output).
pub struct Y4mPictures {
    rate: (u32, u32),
    size: Option<(u32, u32)>,
}

impl Y4mPictures {
    /// For `path` if it names a y4m file; `rate` is the stream's (0/0: unknown, written as 30:1).
    pub fn for_output(path: Option<&std::path::Path>, rate: (u32, u32)) -> Option<Self> {
        let y4m = path?.extension().is_some_and(|extension| extension.eq_ignore_ascii_case("y4m"));
        let rate = if rate.0 == 0 || rate.1 == 0 { (30, 1) } else { rate };
        y4m.then_some(Self { rate, size: None })
    }

    /// Writes what comes before a picture of `fourcc` and `size`.
    pub fn before_picture(&mut self, output: &mut impl Write, fourcc: FourCc, size: (u32, u32)) -> Result<()> {
        if fourcc != FourCc::I420 {
            bail!("y4m output holds 8-bit 4:2:0 pictures and this stream decodes to {fourcc:?}: write raw frames (-o x.yuv)");
        }
        match self.size {
            None => {
                let header = Y4mHeader { width: size.0, height: size.1, rate: self.rate, fourcc };
                write_header(output, &header)?;
                self.size = Some(size);
            }
            Some(first) if first != size => bail!(
                "the stream changes size from {}x{} to {}x{} and y4m holds one size: write raw frames (-o x.yuv)",
                first.0,
                first.1,
                size.0,
                size.1
            ),
            Some(_) => {}
        }
        write_frame_header(output)
    }
}
