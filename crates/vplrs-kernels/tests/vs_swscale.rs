//! Our conversions against ffmpeg's swscale on the same synthetic 1080p frame, by PSNR.
//!
//! Needs the `ffmpeg` CLI on PATH (scripts/setup.sh installs it); without it these tests fail
//! rather than skip, so that CI cannot pass them vacuously.

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{psnr, Frame};
use vplrs_kernels::{ColorSpec, Converter};
use vplrs_memory::FourCc;

/// Same-size conversions differ from swscale only by rounding and chroma interpolation.
const SAME_SIZE_DB: f64 = 40.0;
/// Resizes also differ by filter details (kernel support, edge handling, chroma siting).
const RESIZE_DB: f64 = 35.0;

const W: u32 = 1920;
const H: u32 = 1080;

/// A smooth synthetic picture with detail at several scales, like camera content: ramps,
/// sinusoids, and a soft disc. Values stay inside the limited range.
fn source(fourcc: FourCc) -> Frame {
    let mut f = Frame::tight(fourcc, W, H);
    for y in 0..H as usize {
        for x in 0..W as usize {
            let (fx, fy) = (x as f64, y as f64);
            let disc = if (fx - 1200.0).hypot(fy - 500.0) < 250.0 { 30.0 } else { 0.0 };
            let luma = 110.0 + 50.0 * (fx / 37.0).sin() * (fy / 23.0).cos() + 40.0 * fx / W as f64 + disc;
            let cb = 128.0 + 60.0 * (fx / 300.0).sin() + 20.0 * (fy / 90.0).cos();
            let cr = 128.0 + 50.0 * (fy / 200.0).sin() - 30.0 * (fx / 500.0).cos();
            let codes = [luma, cb, cr].map(|v| v.round().clamp(16.0, 235.0) as u16);
            f.set(x, y, codes, 255);
        }
    }
    f
}

/// Hard content for a resizer: a zone plate (every frequency up to Nyquist) over hard-edged
/// blocks, so that filter differences show.
fn detailed(fourcc: FourCc) -> Frame {
    let mut f = Frame::tight(fourcc, W, H);
    for y in 0..H as usize {
        for x in 0..W as usize {
            let (fx, fy) = (x as f64 - 960.0, y as f64 - 540.0);
            let zone = 80.0 * ((fx * fx + fy * fy) / 1500.0).sin();
            let blocks = if (x / 48 + y / 32) % 2 == 0 { 30.0 } else { -30.0 };
            let cb = 128.0 + 70.0 * (fx / 40.0).sin();
            let cr = if (x / 100 + y / 60) % 2 == 0 { 60.0 } else { 190.0 };
            let codes = [126.0 + zone + blocks, cb, cr].map(|v: f64| v.round().clamp(16.0, 235.0) as u16);
            f.set(x, y, codes, 255);
        }
    }
    f
}

fn ffmpeg_pix_fmt(f: FourCc) -> &'static str {
    match f {
        FourCc::Nv12 => "nv12",
        FourCc::I420 => "yuv420p",
        FourCc::P010 => "p010le",
        FourCc::Rgb4 => "bgra",
        other => panic!("no ffmpeg name for {other}"),
    }
}

fn matrix_name(spec: ColorSpec) -> &'static str {
    match spec.matrix {
        vplrs_kernels::Matrix::Bt601 => "bt601",
        vplrs_kernels::Matrix::Bt709 => "bt709",
    }
}

fn range_name(spec: ColorSpec) -> &'static str {
    match spec.range {
        vplrs_kernels::Range::Limited => "tv",
        vplrs_kernels::Range::Full => "pc",
    }
}

/// A file name no other test of this run uses (they run in parallel).
fn temp(name: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("vplrs-kernels-{}-{n}-{name}", std::process::id()))
}

/// swscale's output for `src`, converted to `dst_fourcc` at `dw` x `dh` with bilinear scaling.
fn swscale(src: &Frame, spec: ColorSpec, dst_fourcc: FourCc, dw: u32, dh: u32) -> Frame {
    let tag = format!("{}-{}-{dw}x{dh}-{}", src.fourcc, dst_fourcc, matrix_name(spec));
    let (input, output) = (temp(&format!("{tag}-in.raw")), temp(&format!("{tag}-out.raw")));
    std::fs::write(&input, &src.buf).unwrap();
    let (m, r) = (matrix_name(spec), range_name(spec));
    let filter =
        format!("scale={dw}:{dh}:flags=bilinear:in_color_matrix={m}:out_color_matrix={m}:in_range={r}:out_range={r}");
    let run = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt"])
        .arg(ffmpeg_pix_fmt(src.fourcc))
        .args(["-s", &format!("{}x{}", src.width, src.height), "-i"])
        .arg(&input)
        .args(["-vf", &filter, "-pix_fmt", ffmpeg_pix_fmt(dst_fourcc), "-f", "rawvideo"])
        .arg(&output)
        .output();
    let run = match run {
        Ok(run) => run,
        Err(e) => panic!("cannot run `ffmpeg` ({e}): these tests need the ffmpeg CLI on PATH (scripts/setup.sh)"),
    };
    assert!(run.status.success(), "ffmpeg failed: {}", String::from_utf8_lossy(&run.stderr));
    let mut out = Frame::tight(dst_fourcc, dw, dh);
    let bytes = std::fs::read(&output).unwrap();
    assert_eq!(bytes.len(), out.buf.len(), "ffmpeg wrote an unexpected size");
    out.buf = bytes;
    let _ = std::fs::remove_file(input);
    let _ = std::fs::remove_file(output);
    out
}

fn ours(src: &Frame, spec: ColorSpec, dst_fourcc: FourCc, dw: u32, dh: u32) -> Frame {
    let mut out = Frame::tight(dst_fourcc, dw, dh);
    let (sr, dr) = (src.rect(), out.rect());
    Converter::new().convert(&src.view(), sr, spec, &mut out.view_mut(), dr, spec).unwrap();
    out
}

/// PSNR of every sample but alpha, per component (Y, Cb, Cr or R, G, B).
fn compare(a: &Frame, b: &Frame) -> [f64; 3] {
    let peak = if a.fourcc.bit_depth() == 10 { 1023.0 } else { 255.0 };
    let mut comps: [(Vec<f64>, Vec<f64>); 3] = Default::default();
    let sub = if a.fourcc.is_rgb() { 1 } else { 2 };
    for y in 0..a.height as usize {
        for x in 0..a.width as usize {
            let (ca, cb) = (a.get(x, y).0, b.get(x, y).0);
            for c in 0..3 {
                // Chroma of 4:2:0 once per sample, not once per pixel that shares it.
                if c == 0 || sub == 1 || (x % 2 == 0 && y % 2 == 0) {
                    comps[c].0.push(f64::from(ca[c]));
                    comps[c].1.push(f64::from(cb[c]));
                }
            }
        }
    }
    comps.map(|(p, q)| psnr(&p, &q, peak))
}

fn check(src_fourcc: FourCc, dst_fourcc: FourCc, (dw, dh): (u32, u32), spec: ColorSpec, threshold: f64) {
    check_on(source(src_fourcc), dst_fourcc, (dw, dh), spec, threshold);
}

fn check_on(src: Frame, dst_fourcc: FourCc, (dw, dh): (u32, u32), spec: ColorSpec, threshold: f64) {
    let src_fourcc = src.fourcc;
    let theirs = swscale(&src, spec, dst_fourcc, dw, dh);
    let mine = ours(&src, spec, dst_fourcc, dw, dh);
    let db = compare(&mine, &theirs);
    println!(
        "{src_fourcc} {W}x{H} -> {dst_fourcc} {dw}x{dh} {} {}: PSNR vs swscale {:.2} / {:.2} / {:.2} dB (threshold {threshold})",
        matrix_name(spec),
        range_name(spec),
        db[0],
        db[1],
        db[2]
    );
    assert!(db.iter().all(|&d| d >= threshold), "PSNR {db:?} below {threshold} dB");
}

#[test]
fn nv12_resize_1080p_to_720p() {
    check(FourCc::Nv12, FourCc::Nv12, (1280, 720), ColorSpec::BT601_LIMITED, RESIZE_DB);
}

#[test]
fn nv12_resize_1080p_to_720p_detailed_content() {
    check_on(detailed(FourCc::Nv12), FourCc::Nv12, (1280, 720), ColorSpec::BT601_LIMITED, RESIZE_DB);
}

#[test]
fn nv12_resize_1080p_to_1440x810_detailed_content() {
    check_on(detailed(FourCc::Nv12), FourCc::Nv12, (1440, 810), ColorSpec::BT601_LIMITED, RESIZE_DB);
}

#[test]
fn nv12_to_rgb4_bt601_limited() {
    check(FourCc::Nv12, FourCc::Rgb4, (W, H), ColorSpec::BT601_LIMITED, SAME_SIZE_DB);
}

#[test]
fn nv12_to_rgb4_bt709_limited() {
    check(FourCc::Nv12, FourCc::Rgb4, (W, H), ColorSpec::BT709_LIMITED, SAME_SIZE_DB);
}

#[test]
fn nv12_to_rgb4_resized_bt709_limited() {
    check(FourCc::Nv12, FourCc::Rgb4, (1280, 720), ColorSpec::BT709_LIMITED, RESIZE_DB);
}

#[test]
fn i420_to_nv12() {
    check(FourCc::I420, FourCc::Nv12, (W, H), ColorSpec::BT601_LIMITED, SAME_SIZE_DB);
}

#[test]
fn nv12_to_p010() {
    check(FourCc::Nv12, FourCc::P010, (W, H), ColorSpec::BT709_LIMITED, SAME_SIZE_DB);
}

#[test]
fn rgb4_to_nv12_bt709_limited() {
    check(FourCc::Rgb4, FourCc::Nv12, (W, H), ColorSpec::BT709_LIMITED, SAME_SIZE_DB);
}
