//! Cross-check against libvpx on freshly encoded streams: when `vpxenc`
//! and `vpxdec` are installed, encode a synthetic clip with a range of
//! encoder settings (bitstream profiles 1-3, 8 token partitions, hidden
//! altref frames, extreme quantizers, error resilience) and require the
//! decoded output to match `vpxdec --i420` exactly. Skipped when the tools
//! are not available.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use md5::{Digest, Md5};
use vplrs_vp8::ivf::IvfReader;
use vplrs_vp8::{DecodeError, Decoder};

fn have(tool: &str) -> bool {
    Command::new(tool).arg("--help").output().is_ok()
}

/// A moving synthetic I420 clip of odd size.
fn write_clip(path: &Path, w: usize, h: usize, frames: usize) {
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let mut data = Vec::with_capacity(frames * (w * h + 2 * cw * ch));
    for f in 0..frames {
        for y in 0..h {
            for x in 0..w {
                let v = ((x * 3 + y * 2 + f * 5) ^ (x * y / 7 + f)) & 0xff;
                data.push(v as u8);
            }
        }
        for p in 0..2 {
            for y in 0..ch {
                for x in 0..cw {
                    data.push(((x + p * 60 + y * (f % 5) + f * 3) & 0xff) as u8);
                }
            }
        }
    }
    std::fs::write(path, data).unwrap();
}

fn md5_of_decode(path: &Path) -> String {
    let f = std::fs::File::open(path).unwrap();
    let mut dec = Decoder::new();
    let mut h = Md5::new();
    for pkt in IvfReader::new(std::io::BufReader::new(f)).unwrap() {
        let pkt = pkt.unwrap();
        let frame = match dec.decode(&pkt.data) {
            Ok(Some(frame)) => frame,
            Ok(None) => continue,
            Err(DecodeError::Damaged { shown: true }) => dec.last_frame().unwrap(),
            Err(e) => panic!("{}: {e}", path.display()),
        };
        for p in 0..3 {
            for row in frame.rows(p) {
                h.update(row);
            }
        }
    }
    format!("{:x}", h.finalize())
}

#[test]
fn matches_vpxdec_on_fresh_streams() {
    if !have("vpxenc") || !have("vpxdec") {
        eprintln!("vpxenc/vpxdec not installed: skipping");
        return;
    }
    let dir = std::env::temp_dir().join(format!("vplrs-vp8-cross-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (w, h) = (97, 71);
    let raw = dir.join("clip.yuv");
    write_clip(&raw, w, h, 24);
    let settings: &[&[&str]] = &[
        &["--good", "--cpu-used=4", "--target-bitrate=200"],
        &["--profile=1", "--good", "--cpu-used=4", "--target-bitrate=150"],
        &["--profile=2", "--good", "--cpu-used=4", "--target-bitrate=150"],
        &["--profile=3", "--good", "--cpu-used=4", "--target-bitrate=150"],
        &["--token-parts=3", "--rt", "--cpu-used=8", "--target-bitrate=300"],
        &["--auto-alt-ref=1", "--lag-in-frames=12", "--passes=2", "--good", "--cpu-used=3"],
        &["--min-q=0", "--max-q=8", "--end-usage=q", "--cq-level=0", "--good", "--cpu-used=5"],
        &["--min-q=52", "--max-q=63", "--target-bitrate=10", "--good", "--cpu-used=5"],
        &["--error-resilient=1", "--sharpness=6", "--rt", "--kf-max-dist=7", "--target-bitrate=120"],
    ];
    let mut failures = Vec::new();
    let mut ran = 0;
    for (i, extra) in settings.iter().enumerate() {
        let ivf: PathBuf = dir.join(format!("s{i}.ivf"));
        let status = Command::new("vpxenc")
            .args(["--codec=vp8", "--ivf", "-q", "--i420"])
            .arg(format!("--width={w}"))
            .arg(format!("--height={h}"))
            .args(*extra)
            .arg("-o")
            .arg(&ivf)
            .arg(&raw)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        if !status.status.success() || !ivf.exists() {
            eprintln!("vpxenc failed for {extra:?}; skipping this setting");
            continue;
        }
        let out = Command::new("vpxdec").args(["--md5", "--i420"]).arg(&ivf).output().unwrap();
        let reference = String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap_or_default().to_owned();
        let ours = md5_of_decode(&ivf);
        ran += 1;
        if reference != ours {
            failures.push(format!("{extra:?}"));
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(failures.is_empty(), "mismatch with vpxdec for {failures:?}");
    assert!(ran * 2 >= settings.len(), "too few settings could be encoded ({ran})");
}
