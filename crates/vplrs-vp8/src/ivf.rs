//! IVF container reader.
//!
//! An IVF file is a 32-byte header (`DKIF`, version, header size, fourcc,
//! width, height, frame rate, time scale, frame count) followed by frames,
//! each a 12-byte header (payload size, 64-bit timestamp) and the payload.
//! The reader never allocates more than the input can actually supply:
//! payloads are read in bounded steps, so a corrupt size field cannot
//! trigger a huge allocation.

use std::io::{ErrorKind, Read};

use crate::error::IvfError;

/// The IVF file header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IvfHeader {
    /// Codec FourCC, e.g. `*b"VP80"`.
    pub fourcc: [u8; 4],
    /// Width in pixels.
    pub width: u16,
    /// Height in pixels.
    pub height: u16,
    /// Frame rate numerator (time base denominator).
    pub rate: u32,
    /// Frame rate denominator (time base numerator).
    pub scale: u32,
    /// Number of frames as declared (may be wrong).
    pub frame_count: u32,
}

/// One frame of an IVF file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IvfFrame {
    /// Presentation timestamp.
    pub pts: u64,
    /// Compressed frame data.
    pub data: Vec<u8>,
}

/// Default upper bound on a frame's size (256 MiB).
pub const DEFAULT_MAX_FRAME_SIZE: u64 = 256 << 20;

/// Reads IVF files from any [`Read`].
#[derive(Debug)]
pub struct IvfReader<R> {
    inner: R,
    header: IvfHeader,
    max_frame_size: u64,
}

/// Reads as much of `buf` as possible; returns the number of bytes read.
fn read_full<R: Read>(r: &mut R, buf: &mut [u8]) -> Result<usize, IvfError> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(IvfError::Io(e)),
        }
    }
    Ok(n)
}

impl<R: Read> IvfReader<R> {
    /// Reads and validates the file header.
    pub fn new(mut inner: R) -> Result<Self, IvfError> {
        let mut h = [0u8; 32];
        let n = read_full(&mut inner, &mut h)?;
        if n >= 4 && &h[..4] != b"DKIF" {
            return Err(IvfError::BadSignature);
        }
        if n < 32 {
            return Err(IvfError::TruncatedHeader);
        }
        let u16at = |i: usize| u16::from_le_bytes([h[i], h[i + 1]]);
        let u32at = |i: usize| u32::from_le_bytes([h[i], h[i + 1], h[i + 2], h[i + 3]]);
        let version = u16at(4);
        let header_size = u16at(6);
        if version != 0 || header_size < 32 {
            return Err(IvfError::BadHeader { version, header_size });
        }
        // Skip any extra header bytes.
        let mut extra = u64::from(header_size - 32);
        let mut skip = [0u8; 64];
        while extra > 0 {
            let k = extra.min(64) as usize;
            if read_full(&mut inner, &mut skip[..k])? < k {
                return Err(IvfError::TruncatedHeader);
            }
            extra -= k as u64;
        }
        let header = IvfHeader {
            fourcc: [h[8], h[9], h[10], h[11]],
            width: u16at(12),
            height: u16at(14),
            rate: u32at(16),
            scale: u32at(20),
            frame_count: u32at(24),
        };
        Ok(IvfReader { inner, header, max_frame_size: DEFAULT_MAX_FRAME_SIZE })
    }

    /// The file header.
    pub fn header(&self) -> &IvfHeader {
        &self.header
    }

    /// Sets the largest frame size accepted.
    pub fn set_max_frame_size(&mut self, max: u64) {
        self.max_frame_size = max;
    }

    /// Reads the next frame; `Ok(None)` at a clean end of file.
    pub fn next_frame(&mut self) -> Result<Option<IvfFrame>, IvfError> {
        let mut data = Vec::new();
        match self.next_frame_into(&mut data)? {
            Some(pts) => Ok(Some(IvfFrame { pts, data })),
            None => Ok(None),
        }
    }

    /// Reads the next frame into `buf` (replacing its contents), reusing its
    /// allocation; returns the timestamp, or `None` at a clean end of file.
    pub fn next_frame_into(&mut self, buf: &mut Vec<u8>) -> Result<Option<u64>, IvfError> {
        let mut fh = [0u8; 12];
        let n = read_full(&mut self.inner, &mut fh)?;
        if n == 0 {
            return Ok(None);
        }
        if n < 12 {
            return Err(IvfError::TruncatedFrame { declared: 12, available: n as u64 });
        }
        let size = u64::from(u32::from_le_bytes([fh[0], fh[1], fh[2], fh[3]]));
        let pts = u64::from_le_bytes([fh[4], fh[5], fh[6], fh[7], fh[8], fh[9], fh[10], fh[11]]);
        if size > self.max_frame_size {
            return Err(IvfError::FrameTooLarge(size));
        }
        buf.clear();
        // Grow in bounded steps so a lying size cannot force a large
        // allocation before the data is actually there.
        const STEP: usize = 1 << 16;
        let mut remaining = size as usize;
        while remaining > 0 {
            let k = remaining.min(STEP);
            let start = buf.len();
            buf.resize(start + k, 0);
            let got = read_full(&mut self.inner, &mut buf[start..])?;
            if got < k {
                let available = (start + got) as u64;
                buf.truncate(start + got);
                return Err(IvfError::TruncatedFrame { declared: size, available });
            }
            remaining -= k;
        }
        Ok(Some(pts))
    }
}

impl<R: Read> Iterator for IvfReader<R> {
    type Item = Result<IvfFrame, IvfError>;
    fn next(&mut self) -> Option<Self::Item> {
        self.next_frame().transpose()
    }
}
