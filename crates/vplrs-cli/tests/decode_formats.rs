//! `vplrs decode` beyond 8-bit 4:2:0: 10-bit 4:2:0 streams of every codec (written as P010, as
//! ffmpeg's `p010le`), 8-bit 4:2:2 (YUY2: Y0 U Y1 V) and 4:4:4 (AYUV: bytes V, U, Y, A), packed here
//! from ffmpeg's planar decode, each compared byte for byte with ffmpeg's decode.

mod common;

use common::{psnr, temp, vplrs};
use std::process::Command;

fn ffmpeg(args: &[&str]) -> Option<Vec<u8>> {
    let output = Command::new("ffmpeg").args(["-hide_banner", "-loglevel", "error", "-y"]).args(args).output().ok()?;
    if !output.status.success() {
        eprintln!("ffmpeg {args:?}: {}", String::from_utf8_lossy(&output.stderr));
        return None;
    }
    Some(output.stdout)
}

/// Encodes 6 frames of 640x360 `pix_fmt` with `encoder` into `file`; None when the installed
/// ffmpeg cannot (the case is then reported and left out).
fn make(file: &str, encoder: &[&str], pix_fmt: &str) -> Option<std::path::PathBuf> {
    make_sized(file, "640x360", encoder, pix_fmt)
}

fn make_sized(file: &str, size: &str, encoder: &[&str], pix_fmt: &str) -> Option<std::path::PathBuf> {
    let path = temp(file);
    let source = format!("testsrc2=size={size}:rate=30");
    let mut args = vec!["-f", "lavfi", "-i", &source, "-frames:v", "6"];
    args.extend_from_slice(encoder);
    args.extend_from_slice(&["-pix_fmt", pix_fmt, path.to_str().unwrap()]);
    ffmpeg(&args)?;
    Some(path)
}

fn decoded_by_vplrs(stream: &std::path::Path) -> Vec<u8> {
    let out = stream.with_extension("vplrs.yuv");
    vplrs(&["decode", stream.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    std::fs::read(out).unwrap()
}

/// YUY2 (Y0 U Y1 V) from planar 4:2:2 of an even width.
fn yuy2_from_planar(planar: &[u8], width: usize, height: usize) -> Vec<u8> {
    let pixels = width * height;
    let mut packed = Vec::with_capacity(planar.len());
    for frame in planar.chunks_exact(2 * pixels) {
        let (y, chroma) = frame.split_at(pixels);
        let (u, v) = chroma.split_at(pixels / 2);
        for pair in 0..pixels / 2 {
            packed.extend_from_slice(&[y[2 * pair], u[pair], y[2 * pair + 1], v[pair]]);
        }
    }
    packed
}

/// AYUV (bytes V, U, Y, A) from planar 4:4:4.
fn ayuv_from_planar(planar: &[u8], pixels: usize) -> Vec<u8> {
    let mut packed = Vec::with_capacity(planar.len() / 3 * 4);
    for frame in planar.chunks_exact(3 * pixels) {
        let (y, chroma) = frame.split_at(pixels);
        let (u, v) = chroma.split_at(pixels);
        for i in 0..pixels {
            packed.extend_from_slice(&[v[i], u[i], y[i], 0xff]);
        }
    }
    packed
}

#[test]
fn ten_bit_streams_of_every_codec_decode_to_ffmpegs_p010() {
    let cases: [(&str, &[&str]); 4] = [
        ("h10.h264", &["-c:v", "libx264"]),
        ("h10.h265", &["-c:v", "libx265", "-x265-params", "log-level=none"]),
        ("vp9-p2.ivf", &["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8"]),
        ("av1-10.ivf", &["-c:v", "libsvtav1", "-preset", "12"]),
    ];
    let mut checked = Vec::new();
    for (file, encoder) in cases {
        let Some(stream) = make(file, encoder, "yuv420p10le") else { continue };
        let expected = ffmpeg(&["-i", stream.to_str().unwrap(), "-f", "rawvideo", "-pix_fmt", "p010le", "-"]).unwrap();
        assert_eq!(expected.len(), 6 * 640 * 360 * 3, "{file}: ffmpeg decodes 6 frames");
        assert!(decoded_by_vplrs(&stream) == expected, "{file}: not bit-exact with ffmpeg's p010le");
        checked.push(file);
    }
    assert!(checked.len() >= 2, "at least H.264 High 10 and HEVC Main10 are made here: {checked:?}");
    eprintln!("10-bit bit-exact: {checked:?}");
}

#[test]
fn four_two_two_and_four_four_four_streams_decode_without_resampling() {
    let h264: &[&str] = &["-c:v", "libx264"];
    let hevc: &[&str] = &["-c:v", "libx265", "-x265-params", "log-level=none"];
    let vp9: &[&str] = &["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8"];
    let mjpeg: &[&str] = &["-c:v", "mjpeg", "-q:v", "3", "-f", "mjpeg"];
    let pixels = 640 * 360;
    let mut checked = Vec::new();
    for (file, encoder, pix_fmt) in [
        ("c422.h264", h264, "yuv422p"),
        ("c444.h264", h264, "yuv444p"),
        ("c422.h265", hevc, "yuv422p"),
        ("c444.h265", hevc, "yuv444p"),
        ("c444.vp9.ivf", vp9, "yuv444p"),
        ("c422.mjpeg", mjpeg, "yuvj422p"),
        ("c444.mjpeg", mjpeg, "yuvj444p"),
    ] {
        let Some(stream) = make(file, encoder, pix_fmt) else { continue };
        let input = stream.to_str().unwrap();
        // Packed here from ffmpeg's planar decode: ffmpeg's own packers would also convert
        // JPEG's full range.
        let planar = ffmpeg(&["-i", input, "-f", "rawvideo", "-pix_fmt", pix_fmt, "-"]).unwrap();
        let expected = if pix_fmt.ends_with("422p") {
            yuy2_from_planar(&planar, 640, 360)
        } else {
            ayuv_from_planar(&planar, pixels)
        };
        assert!(!expected.is_empty(), "{file}: ffmpeg decodes it");
        assert!(decoded_by_vplrs(&stream) == expected, "{file}: not bit-exact with ffmpeg's {pix_fmt}");
        checked.push(file);
    }
    assert!(checked.len() >= 4, "{checked:?}");
    eprintln!("4:2:2 / 4:4:4 bit-exact: {checked:?}");
}

#[test]
fn resolution_changes_up_and_down_write_every_frame_at_its_own_size() {
    let cases: [(&str, &[&str], &str); 4] = [
        ("h264", &["-c:v", "libx264", "-bf", "2", "-f", "h264"], "1280x544"),
        ("h265", &["-c:v", "libx265", "-x265-params", "log-level=none:bframes=3", "-f", "hevc"], "1366x768"),
        ("ivf", &["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-f", "ivf"], "1366x768"),
        ("av1.ivf", &["-c:v", "libsvtav1", "-preset", "12", "-f", "ivf"], "1366x768"),
    ];
    let mut checked = Vec::new();
    for (extension, encoder, large_size) in cases {
        let small = make_sized(&format!("rc-small.{extension}"), "640x360", encoder, "yuv420p");
        let large = make_sized(&format!("rc-large.{extension}"), large_size, encoder, "yuv420p");
        let Some((small, large)) = small.zip(large) else {
            continue;
        };
        let list = temp(&format!("rc-{extension}.txt"));
        let line = |p: &std::path::Path| format!("file '{}'\n", p.display());
        std::fs::write(&list, [line(&small), line(&large), line(&small)].concat()).unwrap();
        let stream = temp(&format!("changing.{extension}"));
        let format = encoder[encoder.len() - 1];
        let list = list.to_str().unwrap();
        ffmpeg(&["-f", "concat", "-safe", "0", "-i", list, "-c", "copy", "-f", format, stream.to_str().unwrap()])
            .unwrap();
        let input = stream.to_str().unwrap();
        let expected = ffmpeg(&["-i", input, "-autoscale", "0", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-"]).unwrap();
        assert_eq!(expected.len(), 6 * (2 * 640 * 360 * 3 / 2) + 6 * rc_frame_bytes(large_size), "{extension}: ffmpeg");
        assert!(decoded_by_vplrs(&stream) == expected, "{extension}: not every frame, or not at its own size");
        checked.push(extension);
    }
    assert!(checked.len() >= 3, "{checked:?}");
    eprintln!("resolution changes bit-exact: {checked:?}");
}

fn rc_frame_bytes(size: &str) -> usize {
    let (w, h) = size.split_once('x').unwrap();
    let (w, h): (usize, usize) = (w.parse().unwrap(), h.parse().unwrap());
    w * h * 3 / 2
}

/// Little-endian 16-bit samples of a raw file.
fn words(bytes: &[u8]) -> Vec<u16> {
    bytes.chunks_exact(2).map(|pair| u16::from_le_bytes([pair[0], pair[1]])).collect()
}

/// Y210 (Y0 U Y1 V, 16-bit words, samples in the high bits) from planar 10-bit 4:2:2.
fn y210_from_planar(planar: &[u8], width: usize, height: usize) -> Vec<u8> {
    let samples = words(planar);
    let pixels = width * height;
    let mut packed = Vec::with_capacity(planar.len());
    for frame in samples.chunks_exact(2 * pixels) {
        let (y, chroma) = frame.split_at(pixels);
        let (u, v) = chroma.split_at(pixels / 2);
        for pair in 0..pixels / 2 {
            for sample in [y[2 * pair], u[pair], y[2 * pair + 1], v[pair]] {
                packed.extend_from_slice(&(sample << 6).to_le_bytes());
            }
        }
    }
    packed
}

/// Y410 (U in bits 0..10, Y 10..20, V 20..30, opaque alpha) from planar 10-bit 4:4:4.
fn y410_from_planar(planar: &[u8], pixels: usize) -> Vec<u8> {
    let samples = words(planar);
    let mut packed = Vec::with_capacity(planar.len() * 2 / 3);
    for frame in samples.chunks_exact(3 * pixels) {
        let (y, chroma) = frame.split_at(pixels);
        let (u, v) = chroma.split_at(pixels);
        for i in 0..pixels {
            let word = u32::from(u[i]) | u32::from(y[i]) << 10 | u32::from(v[i]) << 20 | 3 << 30;
            packed.extend_from_slice(&word.to_le_bytes());
        }
    }
    packed
}

#[test]
fn ten_bit_four_two_two_and_four_four_four_decode_to_y210_and_y410() {
    let h264: &[&str] = &["-c:v", "libx264"];
    let hevc: &[&str] = &["-c:v", "libx265", "-x265-params", "log-level=none"];
    let vp9: &[&str] = &["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8"];
    let mut checked = Vec::new();
    for (file, encoder, pix_fmt) in [
        ("c422-10.h264", h264, "yuv422p10le"),
        ("c444-10.h264", h264, "yuv444p10le"),
        ("c422-10.h265", hevc, "yuv422p10le"),
        ("c444-10.h265", hevc, "yuv444p10le"),
        ("c444-10.vp9.ivf", vp9, "yuv444p10le"),
    ] {
        let Some(stream) = make(file, encoder, pix_fmt) else { continue };
        let planar = ffmpeg(&["-i", stream.to_str().unwrap(), "-f", "rawvideo", "-pix_fmt", pix_fmt, "-"]).unwrap();
        let expected = if pix_fmt.starts_with("yuv422") {
            y210_from_planar(&planar, 640, 360)
        } else {
            y410_from_planar(&planar, 640 * 360)
        };
        assert!(!expected.is_empty(), "{file}: ffmpeg decodes it");
        assert!(decoded_by_vplrs(&stream) == expected, "{file}: not bit-exact with ffmpeg's {pix_fmt}");
        checked.push(file);
    }
    assert!(checked.len() >= 4, "{checked:?}");
    eprintln!("10-bit 4:2:2 / 4:4:4 bit-exact: {checked:?}");
}

/// `vplrs decode --size --format`: pictures scaled and converted by VPP in the decode's session,
/// against ffmpeg's decode and `scale` (bilinear; the scalers round differently: 45 dB), for an
/// H.265 stream to NV12 and for an H.264 stream whose size changes mid-stream (VPP follows, every
/// picture comes out at the asked size).
#[test]
fn decode_scales_and_converts_through_vpp_in_the_same_session() {
    let Some(stream) =
        make("scaled.h265", &["-c:v", "libx265", "-x265-params", "log-level=none", "-f", "hevc"], "yuv420p")
    else {
        return;
    };
    let out = temp("scaled.nv12");
    let input = stream.to_str().unwrap();
    vplrs(&["decode", input, "--size", "320x180", "--format", "nv12", "-o", out.to_str().unwrap()]);
    let ours = std::fs::read(&out).unwrap();
    let theirs =
        ffmpeg(&["-i", input, "-vf", "scale=320:180:flags=bilinear", "-f", "rawvideo", "-pix_fmt", "nv12", "-"])
            .unwrap();
    assert_eq!(ours.len(), 6 * 320 * 180 * 3 / 2, "every picture, scaled");
    let quality = psnr(&ours, &theirs);
    eprintln!("decode --size 320x180 --format nv12: {quality:.1} dB against ffmpeg");
    assert!(quality >= 45.0, "{quality:.1} dB");

    let small = make_sized("sc-small.h264", "640x360", &["-c:v", "libx264", "-bf", "2", "-f", "h264"], "yuv420p");
    let large = make_sized("sc-large.h264", "1280x544", &["-c:v", "libx264", "-bf", "2", "-f", "h264"], "yuv420p");
    let (Some(small), Some(large)) = (small, large) else { return };
    let joined = temp("sc-changing.h264");
    std::fs::write(&joined, [std::fs::read(&small).unwrap(), std::fs::read(&large).unwrap()].concat()).unwrap();
    let out = temp("sc-changing.yuv");
    vplrs(&["decode", joined.to_str().unwrap(), "--size", "320x240", "-o", out.to_str().unwrap()]);
    let ours = std::fs::read(&out).unwrap();
    let theirs = ffmpeg(&[
        "-i",
        joined.to_str().unwrap(),
        "-vf",
        "scale=320:240:flags=bilinear",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "yuv420p",
        "-",
    ])
    .unwrap();
    assert_eq!(ours.len(), 12 * 320 * 240 * 3 / 2, "both sequences' pictures, at the asked size");
    let quality = psnr(&ours, &theirs);
    eprintln!("decode of a changing stream --size 320x240: {quality:.1} dB against ffmpeg");
    assert!(quality >= 40.0, "{quality:.1} dB");
}
