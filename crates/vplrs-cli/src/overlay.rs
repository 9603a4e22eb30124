//! `vplrs vpp --overlay`: more streams drawn over the main input by VPP composition
//! (`mfxExtVPPComposite`): each overlay is a file of frames, scaled to its rectangle and drawn
//! opaque, at a global alpha, or luma keyed.

use std::path::PathBuf;

use anyhow::{bail, Result};
use vplrs::{Blend, ComposedStream, Composition, FourCc, FrameInfo, Rect, Surface};

use crate::source::FrameSource;

/// One `--overlay PATH@X,Y[,WxH][,alpha=A][,key=MIN-MAX][,size=WxH]`.
#[derive(Clone, Debug, PartialEq)]
pub struct OverlaySpec {
    /// Its frames: a .y4m file, or raw frames of `size` (default `--input-size`) and
    /// `--input-format`.
    pub path: PathBuf,
    /// Where it goes in the output frame.
    pub x: u32,
    pub y: u32,
    /// The size it is scaled to (default: its own).
    pub scaled: Option<(u32, u32)>,
    /// Global alpha, 0 (transparent) to 255 (opaque).
    pub alpha: Option<u8>,
    /// Luma values drawn transparent (NV12 outputs).
    pub key: Option<(u8, u8)>,
    /// The size of a raw file's frames.
    pub size: Option<(u32, u32)>,
}

/// Parses `--overlay`.
pub fn parse_overlay(text: &str) -> Result<OverlaySpec, String> {
    let (path, place) = text.rsplit_once('@').ok_or("expected PATH@X,Y[,WxH][,alpha=A][,key=MIN-MAX][,size=WxH]")?;
    let mut parts = place.split(',');
    let mut number = |what: &str| -> Result<u32, String> {
        parts.next().ok_or(format!("missing {what}"))?.trim().parse::<u32>().map_err(|e| format!("{what}: {e}"))
    };
    let (x, y) = (number("X")?, number("Y")?);
    let mut spec = OverlaySpec { path: PathBuf::from(path), x, y, scaled: None, alpha: None, key: None, size: None };
    for part in parts {
        let byte = |text: &str| text.trim().parse::<u8>().map_err(|_| format!("{text}: expected 0 to 255"));
        match part.split_once('=') {
            None => spec.scaled = Some(crate::vpp::parse_size(part)?),
            Some(("alpha", value)) => spec.alpha = Some(byte(value)?),
            Some(("key", range)) => {
                let (min, max) = range.split_once('-').ok_or("key=MIN-MAX")?;
                spec.key = Some((byte(min)?, byte(max)?));
            }
            Some(("size", size)) => spec.size = Some(crate::vpp::parse_size(size)?),
            Some((name, _)) => return Err(format!("unknown overlay setting {name} (alpha, key, size)")),
        }
    }
    Ok(spec)
}

/// The main input and the overlays: their frames, and the composition that lays them out.
pub struct Streams {
    /// Each overlay's frames and their size.
    overlays: Vec<(FrameSource, FrameInfo)>,
    /// The main input's frames first, then each overlay's.
    pub composition: Composition,
    /// The largest frame of all the streams (the VPP input frame).
    pub largest: (u32, u32),
}

/// True for the output formats composition writes.
pub fn composes_into(format: FourCc) -> bool {
    vplrs::compose_supports(format)
}

impl Streams {
    /// Opens the overlays of `specs`; the main input (`main`) fills the `output` size.
    pub fn open(
        specs: &[OverlaySpec],
        main: &FrameInfo,
        output: (u32, u32),
        output_format: FourCc,
        raw_size: (u32, u32),
    ) -> Result<Self> {
        if !composes_into(output_format) {
            bail!("overlays are composed into nv12, bgra (rgb4) or rgba (bgr4) frames: give --format");
        }
        let black = if output_format == FourCc::Nv12 { [16, 128, 128] } else { [0, 0, 0] };
        let whole = Rect { x: 0, y: 0, width: output.0, height: output.1 };
        let mut streams = vec![ComposedStream { dst: whole, blend: Blend::default() }];
        let mut overlays = Vec::new();
        let mut largest = (main.crop.width, main.crop.height);
        for spec in specs {
            let (source, info, _rate) =
                FrameSource::open(Some(&spec.path), spec.size.unwrap_or(raw_size), main.fourcc)?;
            if info.fourcc != main.fourcc {
                bail!("{}: overlays must be in the main input's format ({})", spec.path.display(), main.fourcc);
            }
            let (width, height) = spec.scaled.unwrap_or((info.crop.width, info.crop.height));
            streams.push(ComposedStream {
                dst: Rect { x: spec.x, y: spec.y, width, height },
                blend: Blend { global_alpha: spec.alpha, luma_key: spec.key, pixel_alpha: false },
            });
            largest = (largest.0.max(info.crop.width), largest.1.max(info.crop.height));
            overlays.push((source, info));
        }
        Ok(Self { overlays, composition: Composition { background: black, streams }, largest })
    }

    /// Fills one surface per overlay (from `next_surface`) with its next frame; None when an
    /// overlay has ended.
    pub fn next_frames(
        &mut self,
        index: u64,
        mut next_surface: impl FnMut() -> Result<Surface>,
    ) -> Result<Option<Vec<Surface>>> {
        let mut surfaces = Vec::with_capacity(self.overlays.len());
        for (source, info) in &mut self.overlays {
            let surface = next_surface()?;
            if !source.fill(&surface, info, index)? {
                return Ok(None);
            }
            surface.update_meta(|meta| meta.info.crop = info.crop);
            surfaces.push(surface);
        }
        Ok(Some(surfaces))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlay_specs_parse() {
        let spec = parse_overlay("logo.y4m@16,8,64x32,alpha=128,key=200-255").unwrap();
        assert_eq!(
            (spec.x, spec.y, spec.scaled, spec.alpha, spec.key),
            (16, 8, Some((64, 32)), Some(128), Some((200, 255)))
        );
        let raw = parse_overlay("a@b.nv12@0,0,size=96x64").unwrap();
        assert_eq!((raw.path, raw.size, raw.scaled), (PathBuf::from("a@b.nv12"), Some((96, 64)), None));
        assert!(parse_overlay("logo.y4m").is_err());
        assert!(parse_overlay("logo.y4m@1").is_err());
        assert!(parse_overlay("logo.y4m@1,2,alpha=300").is_err());
        assert!(parse_overlay("logo.y4m@1,2,blend=3").is_err());
    }
}
