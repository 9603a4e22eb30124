//! Compressed streams in and out: elementary streams (H.264/H.265 Annex B, MJPEG) and IVF (VP8,
//! VP9, AV1), and the decode loop that turns an input stream into pictures in surfaces.

use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use vplrs::vp8::ivf::IvfReader;
use vplrs::{Codec, Decode, DecodeError, EncodeCodec, Surface};

/// The codec of an input file, from its extension (and an IVF file's FourCC).
pub fn input_codec(path: &Path, bytes: &[u8]) -> Result<Codec> {
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
    Ok(match extension.as_str() {
        "h264" | "264" | "avc" | "jsv" => Codec::Avc,
        "h265" | "265" | "hevc" | "bin" => Codec::Hevc,
        "mjpeg" | "mjpg" | "jpg" | "jpeg" => Codec::Jpeg,
        "ivf" => match bytes.get(8..12) {
            Some(b"VP80") => Codec::Vp8,
            Some(b"VP90") => Codec::Vp9,
            Some(b"AV01") => Codec::Av1,
            _ => bail!("{}: an IVF file of an unknown codec", path.display()),
        },
        _ => bail!("{}: unknown stream type (use .h264, .h265, .mjpeg or .ivf)", path.display()),
    })
}

/// The codec's name, for messages.
pub fn codec_name(codec: Codec) -> &'static str {
    match codec {
        Codec::Vp8 => "VP8",
        Codec::Avc => "H.264",
        Codec::Hevc => "H.265",
        Codec::Vp9 => "VP9",
        Codec::Av1 => "AV1",
        Codec::Jpeg => "JPEG",
    }
}

/// A whole input stream, handed to the decoder in the units it takes: any chunking for Annex B and
/// MJPEG, one frame per call for IVF.
pub struct InputStream {
    pub codec: Codec,
    bytes: Vec<u8>,
    /// IVF frame ranges; empty for elementary streams.
    frames: Vec<(usize, usize)>,
    /// The IVF file ends inside a frame (the frames before it are decoded).
    truncated: bool,
    next_frame: usize,
    offset: usize,
    /// A new sequence did not fit the decoder's surfaces: the pictures before it are drained,
    /// then the decoder is initialised anew for it.
    changing: bool,
    /// Decoders initialised anew at new sequences.
    pub reinitialisations: u32,
}

impl InputStream {
    pub fn open(path: &Path) -> Result<Self> {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        let stream = Self::from_bytes(input_codec(path, &bytes)?, bytes)?;
        if stream.truncated {
            crate::out::warn_truncated(path, stream.frames.len() as u64);
        }
        Ok(stream)
    }

    pub fn from_bytes(codec: Codec, bytes: Vec<u8>) -> Result<Self> {
        let mut frames = Vec::new();
        let mut truncated = false;
        if bytes.starts_with(b"DKIF") {
            // The reader checks the header; the frames are then ranges of the file.
            IvfReader::new(&bytes[..]).context("IVF header")?;
            let header_len = usize::from(u16::from_le_bytes([bytes[6], bytes[7]]));
            let mut at = header_len;
            while at + 12 <= bytes.len() {
                let size = u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as usize;
                let start = at + 12;
                if start + size > bytes.len() {
                    truncated = true;
                    break;
                }
                frames.push((start, start + size));
                at = start + size;
            }
        }
        Ok(Self { codec, bytes, frames, truncated, next_frame: 0, offset: 0, changing: false, reinitialisations: 0 })
    }

    /// The data the next decode call gets; `None` at the end (the drain).
    fn current(&self) -> Option<&[u8]> {
        if self.frames.is_empty() {
            (self.offset < self.bytes.len()).then(|| &self.bytes[self.offset..])
        } else {
            self.frames.get(self.next_frame).map(|&(start, end)| &self.bytes[start..end])
        }
    }

    fn advance(&mut self, consumed: usize) {
        if self.frames.is_empty() {
            self.offset += consumed;
        } else if consumed > 0 {
            self.next_frame += 1;
        }
    }

    /// `DecodeHeader` on the stream's start (`path` names it in errors): a file holding no
    /// stream of its codec says so, and what it looks like instead when that is known.
    pub fn header(&self, path: &Path) -> Result<vplrs::DecodeParams> {
        match Decode::decode_header(self.codec, self.header_data()) {
            Ok(params) => Ok(params),
            Err(DecodeError::MoreData | DecodeError::Bitstream(_)) => {
                let looks = if self.bytes.is_empty() {
                    "the file is empty".to_owned()
                } else if self.bytes.starts_with(b"DKIF") {
                    "it is an IVF file: name it .ivf".to_owned()
                } else {
                    format!("{} bytes without a decodable sequence header", self.bytes.len())
                };
                bail!("no {} stream found in {}: {looks}", codec_name(self.codec), path.display())
            }
            Err(error) => Err(error).with_context(|| format!("DecodeHeader of {}", path.display())),
        }
    }

    /// The first frame or bytes, for DecodeHeader.
    pub fn header_data(&self) -> &[u8] {
        self.frames.first().map_or(&self.bytes[..], |&(start, end)| &self.bytes[start..end])
    }

    /// Decodes the next picture: `Ok(None)` once the stream is drained. At a new sequence whose
    /// pictures the decoder's surfaces cannot hold (a resolution or format change), it follows the
    /// documented flow by itself: the pictures before it are drained, the bytes the decoder took
    /// of the new sequence go back before the rest of the stream, and the decoder is closed and
    /// initialised from the new header (in the same output format family); the pictures come
    /// out at their own sizes.
    pub fn next_picture(&mut self, decode: &mut Decode) -> Result<Option<Surface>> {
        loop {
            let data = if self.changing { None } else { self.current() };
            let draining = data.is_none();
            let result = decode.decode_frame_async(data, None, u64::MAX);
            let consumed = decode.consumed();
            self.advance(consumed);
            match result {
                Ok(frame) => {
                    frame.sync.wait(Duration::from_secs(60)).context("decode")?;
                    return Ok(Some(frame.surface));
                }
                Err(DecodeError::MoreData) if self.changing => self.start_new_sequence(decode)?,
                Err(DecodeError::MoreData) if draining => return Ok(None),
                Err(DecodeError::Incompatible(width, height)) if !self.changing => {
                    tracing::info!(width, height, "a new sequence: draining, then a new decoder");
                    self.changing = true;
                    let undecoded = decode.take_undecoded();
                    self.put_back(&undecoded);
                }
                Err(DecodeError::MoreData) => {
                    // Everything given was taken (the parser may hold the last packet).
                    if self.frames.is_empty() && consumed == 0 {
                        self.offset = self.bytes.len();
                    }
                }
                Err(DecodeError::MoreSurface) => {}
                Err(error) if error.consumed_data() => tracing::warn!(%error, "a frame was not decoded"),
                Err(error) => return Err(error).context("DecodeFrameAsync"),
            }
        }
    }
}

impl InputStream {
    /// Puts bytes the decoder took but did not decode back before the rest of the stream.
    fn put_back(&mut self, undecoded: &[u8]) {
        if undecoded.is_empty() {
            return;
        }
        // The decoder took them from just before the current offset (they were the last whole
        // packet its parser cut): step back over them, or insert them if they differ.
        let start = self.offset.saturating_sub(undecoded.len());
        if self.bytes.get(start..self.offset) == Some(undecoded) {
            self.offset = start;
        } else {
            self.bytes.splice(self.offset..self.offset, undecoded.iter().copied());
        }
    }

    /// Closes the drained decoder and initialises it for the sequence at the current position.
    fn start_new_sequence(&mut self, decode: &mut Decode) -> Result<()> {
        self.changing = false;
        let data = self.current().context("the stream ends at its new sequence")?;
        let params = decode.restart_for_new_sequence(data).context("a decoder for the new sequence")?;
        self.reinitialisations += 1;
        let crop = params.output.crop;
        tracing::info!(width = crop.width, height = crop.height, fourcc = %params.output.fourcc, "new sequence");
        Ok(())
    }
}

/// The output file of an encoder: elementary stream, or IVF for AV1.
pub struct OutputStream {
    file: BufWriter<crate::out::OutputFile>,
    ivf: Option<(u32, u32)>,
    frames: u32,
    pub bytes: u64,
}

impl OutputStream {
    pub fn create(path: &Path, codec: EncodeCodec, size: (u32, u32), rate: (u32, u32)) -> Result<Self> {
        refuse_containers(path)?;
        let file = crate::out::create(path).with_context(|| format!("creating {}", path.display()))?;
        let mut out = Self { file: BufWriter::new(file), ivf: None, frames: 0, bytes: 0 };
        if codec == EncodeCodec::Av1 {
            out.ivf = Some(rate);
            out.write_ivf_header(size, rate, 0)?;
        }
        Ok(out)
    }

    fn write_ivf_header(&mut self, (w, h): (u32, u32), (num, den): (u32, u32), frames: u32) -> Result<()> {
        let mut header = Vec::with_capacity(32);
        header.extend_from_slice(b"DKIF");
        header.extend_from_slice(&0u16.to_le_bytes());
        header.extend_from_slice(&32u16.to_le_bytes());
        header.extend_from_slice(b"AV01");
        header.extend_from_slice(&(w as u16).to_le_bytes());
        header.extend_from_slice(&(h as u16).to_le_bytes());
        header.extend_from_slice(&num.to_le_bytes());
        header.extend_from_slice(&den.to_le_bytes());
        header.extend_from_slice(&frames.to_le_bytes());
        header.extend_from_slice(&0u32.to_le_bytes());
        self.file.write_all(&header)?;
        Ok(())
    }

    /// Writes a picture whose presentation time is `timestamp` (90 kHz).
    pub fn write(&mut self, data: &[u8], timestamp: u64) -> Result<()> {
        if let Some((num, den)) = self.ivf {
            // IVF counts time in frames of the header's rate.
            let pts = (u128::from(timestamp) * u128::from(num) / (90_000 * u128::from(den.max(1)))) as u64;
            self.file.write_all(&(data.len() as u32).to_le_bytes())?;
            self.file.write_all(&pts.to_le_bytes())?;
        }
        self.file.write_all(data)?;
        self.frames += 1;
        self.bytes += data.len() as u64;
        Ok(())
    }

    pub fn finish(mut self, size: (u32, u32)) -> Result<()> {
        // The IVF header gets the frame count where the output can seek back (not a pipe).
        if let (Some(rate), Ok(_)) = (self.ivf, self.file.seek(SeekFrom::Start(0))) {
            let frames = self.frames;
            self.write_ivf_header(size, rate, frames)?;
        }
        self.file.flush()?;
        Ok(())
    }
}

/// vplrs writes elementary streams (and IVF for AV1), not containers: an output named like one is
/// refused before anything is written, rather than holding a bare stream under that name.
pub fn refuse_containers(path: &Path) -> Result<()> {
    const CONTAINERS: [&str; 8] = ["mp4", "m4v", "mkv", "mov", "webm", "avi", "ts", "flv"];
    let extension = path.extension().and_then(|e| e.to_str()).unwrap_or_default().to_ascii_lowercase();
    if CONTAINERS.contains(&extension.as_str()) {
        bail!(
            "{}: vplrs writes elementary streams (.h264, .h265, .mjpeg) and IVF for AV1, not .{extension} files; \
             mux the stream with `ffmpeg -i STREAM -c copy {}`",
            path.display(),
            path.display()
        );
    }
    Ok(())
}

pub fn parse_codec(text: &str) -> Result<EncodeCodec, String> {
    match text.to_ascii_lowercase().as_str() {
        "h264" | "avc" => Ok(EncodeCodec::Avc),
        "h265" | "hevc" => Ok(EncodeCodec::Hevc),
        "av1" => Ok(EncodeCodec::Av1),
        "jpeg" | "mjpeg" => Ok(EncodeCodec::Jpeg),
        other => Err(format!("unknown codec {other} (h264, h265, av1, jpeg)")),
    }
}
