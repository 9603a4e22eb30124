//! `vplrs vpp` filters against the ffmpeg CLI's: rotation and mirroring are exact, so the pictures
//! must be byte for byte ffmpeg's `transpose`, `hflip` and `vflip`, in I420, NV12 and BGRA, at a
//! size whose rotated chroma rows are not the luma's halves' neighbours (176x144) and at one whose
//! rows are not a multiple of the SIMD width (322x182).

mod common;

use std::path::Path;
use std::process::Command;

use common::{psnr, temp, vplrs_summary};

/// Raw frames of `testsrc2` from ffmpeg.
fn source(name: &str, size: &str, pix_fmt: &str, frames: u32) -> std::path::PathBuf {
    let path = temp(name);
    let made = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i", &format!("testsrc2=size={size}:rate=25")])
        .args(["-frames:v", &frames.to_string(), "-pix_fmt", pix_fmt, "-f", "rawvideo"])
        .arg(&path)
        .status()
        .expect("ffmpeg");
    assert!(made.success());
    path
}

/// `input`'s frames through ffmpeg's filter chain `filter`.
fn ffmpeg_filtered(input: &Path, size: &str, pix_fmt: &str, filter: &str) -> Vec<u8> {
    let output = Command::new("ffmpeg")
        .args(["-v", "error", "-f", "rawvideo", "-pix_fmt", pix_fmt, "-s", size, "-i"])
        .arg(input)
        .args(["-vf", filter, "-f", "rawvideo", "-pix_fmt", pix_fmt, "-"])
        .output()
        .expect("ffmpeg");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    output.stdout
}

/// Runs `vplrs vpp` on the raw frames of `input` (`size`, `format`) with `options`, writing raw
/// frames to `output`; returns the summary.
fn vpp(input: &Path, size: &str, format: &str, options: &[&str], output: &Path) -> String {
    let mut args = vec!["vpp", input.to_str().unwrap(), "--input-size", size, "--input-format", format];
    args.extend_from_slice(options);
    args.extend_from_slice(&["-o", output.to_str().unwrap()]);
    vplrs_summary(&args)
}

#[test]
fn rotation_and_mirroring_equal_ffmpegs_transpose_and_flips() {
    // vplrs's options, and the ffmpeg filters that do the same.
    let cases: [(&[&str], &str); 7] = [
        (&["--rotate", "90"], "transpose=clock"),
        (&["--rotate", "180"], "hflip,vflip"),
        (&["--rotate", "270"], "transpose=cclock"),
        (&["--mirror", "horizontal"], "hflip"),
        (&["--mirror", "vertical"], "vflip"),
        // Mirror first, then the turn: FFmpeg's vpp_qsv builds its transposes this way.
        (&["--mirror", "horizontal", "--rotate", "270"], "transpose=cclock_flip"),
        (&["--mirror", "horizontal", "--rotate", "90"], "transpose=clock_flip"),
    ];
    let mut checked = 0;
    for (size, pix_fmt, format) in
        [("176x144", "yuv420p", "i420"), ("322x182", "nv12", "nv12"), ("176x144", "bgra", "bgra")]
    {
        let input = source(&format!("orient-{size}.{format}"), size, pix_fmt, 3);
        for (options, filter) in cases {
            let output = temp(&format!("orient-{size}-{format}-{}.raw", options.join("")));
            vpp(&input, size, format, options, &output);
            let ours = std::fs::read(&output).unwrap();
            let theirs = ffmpeg_filtered(&input, size, pix_fmt, filter);
            assert_eq!(ours.len(), theirs.len(), "{size} {format} {options:?}: size");
            assert!(ours == theirs, "{size} {format} {options:?} differs from ffmpeg's {filter}");
            checked += 1;
        }
    }
    println!("{checked} rotations and mirrors byte for byte ffmpeg's");
}

#[test]
fn packed_422_cannot_be_turned() {
    let input = source("orient.yuy2", "176x144", "yuyv422", 1);
    let output = Command::new(env!("CARGO_BIN_EXE_vplrs"))
        .args(["vpp", input.to_str().unwrap(), "--input-size", "176x144", "--input-format", "yuy2", "--rotate", "90"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let text = String::from_utf8_lossy(&output.stderr);
    assert!(text.contains("rotation and mirroring of packed 4:2:2"), "{text}");
}

/// ffmpeg's `geq` evaluating the ProcAmp formula (brightness `b`, contrast `c`, hue `h` degrees,
/// saturation `s`) on 8-bit 4:2:0, rounded to the nearest code (nearest-sample lookups: geq's
/// default bilinear lookup reads the next-to-last chroma column at the right edge).
fn procamp_geq(b: f64, c: f64, h: f64, s: f64) -> String {
    let (sin, cos) = h.to_radians().sin_cos();
    let gain = c * s;
    format!(
        "geq=lum='clip(floor((lum(X,Y)-16)*{c}+16+{b}+0.5),0,255)':\
         cb='clip(floor(((cb(X,Y)-128)*{cos}+(cr(X,Y)-128)*{sin})*{gain}+128.5),0,255)':\
         cr='clip(floor(((cr(X,Y)-128)*{cos}-(cb(X,Y)-128)*{sin})*{gain}+128.5),0,255)':\
         interpolation=nearest"
    )
}

#[test]
fn procamp_follows_the_amplifier_formula() {
    let settings = [(20.0, 1.5, 30.0, 0.8), (-35.5, 0.6, -120.0, 2.5), (0.0, 1.0, 180.0, 1.0), (100.0, 10.0, 0.0, 0.0)];
    for (size, pix_fmt, format) in [("176x144", "yuv420p", "i420"), ("322x182", "nv12", "nv12")] {
        let input = source(&format!("procamp-{size}.{format}"), size, pix_fmt, 2);
        for (b, c, h, s) in settings {
            let output = temp(&format!("procamp-{size}-{format}-{b}-{c}-{h}-{s}.raw"));
            let values = [b, c, h, s].map(|value| value.to_string());
            let names = ["--brightness", "--contrast", "--hue", "--saturation"];
            let options: Vec<&str> = names.iter().zip(&values).flat_map(|(n, v)| [*n, v.as_str()]).collect();
            vpp(&input, size, format, &options, &output);
            let ours = std::fs::read(&output).unwrap();
            // geq works on planar 4:2:0: NV12 goes through yuv420p and back (exact repacks).
            let filter = format!("format=yuv420p,{},format={pix_fmt}", procamp_geq(b, c, h, s));
            let theirs = ffmpeg_filtered(&input, size, pix_fmt, &filter);
            assert_eq!(ours.len(), theirs.len());
            let worst = ours.iter().zip(&theirs).map(|(a, b)| a.abs_diff(*b)).max().unwrap();
            assert!(worst <= 1, "{size} {format} ProcAmp {b} {c} {h} {s}: a sample differs by {worst}");
        }
    }
}

#[test]
fn procamp_out_of_range_is_corrected_and_rgb_is_refused() {
    let input = source("procamp-range.i420", "176x144", "yuv420p", 1);
    let output = temp("procamp-range.raw");
    let summary = vpp(&input, "176x144", "i420", &["--brightness", "250"], &output);
    assert!(summary.contains("corrected ProcAmp brightness 250 (outside -100..100) to 100"), "{summary}");
    let refused = Command::new(env!("CARGO_BIN_EXE_vplrs"))
        .args(["vpp", input.to_str().unwrap(), "--input-size", "176x144", "--format", "bgra", "--hue", "10"])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("ProcAmp needs a YCbCr output"));
}

/// ffmpeg's `geq` evaluating bob deinterlacing: the first field's rows kept, the other field's
/// rows the rounded average of the rows above and below (at an edge, the one neighbour), on every
/// plane.
fn bob_geq(top_first: bool) -> String {
    let kept = if top_first { "eq(mod(Y,2),0)" } else { "eq(mod(Y,2),1)" };
    let plane =
        |p: &str| format!("if({kept},{p}(X,Y),floor(({p}(X,if(gt(Y,0),Y-1,Y+1))+{p}(X,if(lt(Y+1,H),Y+1,Y-1))+1)/2))");
    format!("geq=lum='{}':cb='{}':cr='{}':interpolation=nearest", plane("lum"), plane("cb"), plane("cr"))
}

#[test]
fn bob_deinterlacing_keeps_the_first_field_and_interpolates_the_other() {
    for (size, pix_fmt, format) in [("176x144", "yuv420p", "i420"), ("322x182", "nv12", "nv12")] {
        let input = source(&format!("bob-{size}.{format}"), size, pix_fmt, 2);
        for (order, top_first) in [("tff", true), ("bff", false)] {
            let output = temp(&format!("bob-{size}-{format}-{order}.raw"));
            vpp(&input, size, format, &["--deinterlace", order], &output);
            let ours = std::fs::read(&output).unwrap();
            let filter = format!("format=yuv420p,{},format={pix_fmt}", bob_geq(top_first));
            let theirs = ffmpeg_filtered(&input, size, pix_fmt, &filter);
            assert_eq!(ours.len(), theirs.len());
            assert!(ours == theirs, "{size} {format} {order}: bob differs from geq's");
        }
    }
}

/// `--overlay`: two more streams over the input (one as it is, one scaled and at half alpha),
/// against ffmpeg's `scale` and `overlay`; the scalers round differently, hence 45 dB.
#[test]
fn overlays_compose_like_ffmpegs_overlay() {
    let main = source("overlay_main.nv12", "352x288", "nv12", 4);
    let logo = source("overlay_logo.nv12", "128x96", "nv12", 4);
    let output = temp("overlay_out.nv12");
    let first = format!("{}@200,20,size=128x96", logo.display());
    let second = format!("{}@20,180,160x100,alpha=128,size=128x96", logo.display());
    let summary =
        vpp(&main, "352x288", "nv12", &["--format", "nv12", "--overlay", &first, "--overlay", &second], &output);
    assert!(summary.contains("vpp: 4 frames"), "{summary}");
    let reference = Command::new("ffmpeg")
        .args(["-v", "error", "-f", "rawvideo", "-pix_fmt", "nv12", "-s", "352x288", "-i"])
        .arg(&main)
        .args(["-f", "rawvideo", "-pix_fmt", "nv12", "-s", "128x96", "-i"])
        .arg(&logo)
        .args(["-filter_complex", "[1]split[a][b];[b]scale=160:100:flags=bilinear,format=yuva420p,colorchannelmixer=aa=0.50196[c];[0][a]overlay=200:20[o];[o][c]overlay=20:180,format=nv12"])
        .args(["-f", "rawvideo", "-"])
        .output()
        .expect("ffmpeg");
    assert!(reference.status.success(), "{}", String::from_utf8_lossy(&reference.stderr));
    let quality = psnr(&std::fs::read(&output).unwrap(), &reference.stdout);
    println!("vplrs vpp --overlay: PSNR {quality:.2} dB against ffmpeg's overlay");
    assert!(quality >= 45.0, "PSNR {quality:.2} dB");
    // Composition writes NV12 or RGB, and runs alone.
    let refused = Command::new(env!("CARGO_BIN_EXE_vplrs"))
        .args(["vpp", main.to_str().unwrap(), "--input-size", "352x288", "--input-format", "nv12"])
        .args(["--format", "i420", "--overlay", &first, "-o", output.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("nv12, bgra"));
}

/// `--fps` on raw frames (30 fps): 30 -> 24 drops one frame in five, 30 -> 60 repeats each;
/// interlaced 30 -> 60 with `--deinterlace` gives each field its own frame, alternately the bob of
/// the top and the bottom field.
#[test]
fn frame_rate_changes_drop_repeat_and_split_fields() {
    let input = source("fps_in.i420", "176x144", "yuv420p", 10);
    let frame = 176 * 144 * 3 / 2;
    for (options, frames) in [(&["--fps", "24"][..], 8), (&["--fps", "60"][..], 20)] {
        let output = temp("fps_out.i420");
        let summary = vpp(&input, "176x144", "i420", options, &output);
        assert!(summary.contains(&format!("vpp: {frames} frames")), "{options:?}: {summary}");
        assert_eq!(std::fs::metadata(&output).unwrap().len(), (frames * frame) as u64);
    }
    let output = temp("fps_fields.i420");
    let summary = vpp(&input, "176x144", "i420", &["--fps", "60", "--deinterlace", "tff"], &output);
    assert!(summary.contains("vpp: 20 frames"), "{summary}");
    let ours = std::fs::read(&output).unwrap();
    let (top, bottom) = (
        ffmpeg_filtered(&input, "176x144", "yuv420p", &bob_geq(true)),
        ffmpeg_filtered(&input, "176x144", "yuv420p", &bob_geq(false)),
    );
    for (index, picture) in ours.chunks_exact(frame).enumerate() {
        let source = if index % 2 == 0 { &top } else { &bottom };
        assert!(picture == &source[index / 2 * frame..][..frame], "output {index}: the bob of field {}", index % 2);
    }
}

/// `--denoise` and `--detail`: byte for byte ffmpeg's `hqdn3d` (strength N/10) and `unsharp`
/// (5x5 luma, amount N/50), on noisy frames in I420 and NV12 at a size that is no multiple of 16.
#[test]
fn denoise_and_detail_equal_ffmpegs_hqdn3d_and_unsharp() {
    for (pix_fmt, format) in [("yuv420p", "i420"), ("nv12", "nv12")] {
        let input = temp(&format!("noisy-{format}.raw"));
        let made = Command::new("ffmpeg")
            .args(["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=322x182:rate=25", "-frames:v", "5"])
            .args(["-vf", "noise=alls=12:allf=t", "-pix_fmt", pix_fmt, "-f", "rawvideo"])
            .arg(&input)
            .status()
            .expect("ffmpeg");
        assert!(made.success());
        for (options, filter) in [(["--denoise", "60"], "hqdn3d=6"), (["--detail", "75"], "unsharp=5:5:1.5:5:5:0")] {
            let output = temp(&format!("filtered-{format}.raw"));
            vpp(&input, "322x182", format, &options, &output);
            let ours = std::fs::read(&output).unwrap();
            let chain = format!("format=yuv420p,{filter},format={pix_fmt}");
            let theirs = ffmpeg_filtered(&input, "322x182", pix_fmt, &chain);
            assert!(ours == theirs, "{format} {options:?} differs from ffmpeg's {filter}");
        }
    }
}

/// Scaling to RGB resamples chroma as swscale's one-step scale-and-convert does (half the
/// output's width, its full height): I420 1280x720 to BGRA at five ratios, down and up, at least
/// 40 dB against `scale=WxH:flags=bilinear` straight to `bgra` (scaling in 4:2:0 first gave
/// 29-36 dB).
#[test]
fn scaling_to_rgb_resamples_chroma_like_swscales_one_step() {
    let input = source("rgb_scale.i420", "1280x720", "yuv420p", 2);
    for size in ["128x96", "320x180", "640x360", "960x540", "1920x1080"] {
        let output = temp(&format!("rgb_scale_{size}.bgra"));
        vpp(&input, "1280x720", "i420", &["--size", size, "--format", "bgra"], &output);
        let ours = std::fs::read(&output).unwrap();
        let theirs = bgra_of(&input, size);
        assert_eq!(ours.len(), theirs.len(), "{size}");
        let (sum, count) = ours
            .chunks_exact(4)
            .zip(theirs.chunks_exact(4))
            .flat_map(|(p, q)| (0..3).map(move |i| (f64::from(p[i]) - f64::from(q[i])).powi(2)))
            .fold((0.0, 0u64), |(s, n), d| (s + d, n + 1));
        let quality = 10.0 * (255.0f64 * 255.0 / (sum / count as f64).max(1e-9)).log10();
        println!("I420 1280x720 -> BGRA {size}: {quality:.2} dB against swscale's one step");
        assert!(quality >= 40.0, "{size}: {quality:.2} dB");
    }
}

/// swscale's one-step bilinear scale of raw I420 1280x720 frames to BGRA `size`.
fn bgra_of(input: &Path, size: &str) -> Vec<u8> {
    let output = Command::new("ffmpeg")
        .args(["-v", "error", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", "1280x720", "-i"])
        .arg(input)
        .args(["-vf", &format!("scale={size}:flags=bilinear"), "-f", "rawvideo", "-pix_fmt", "bgra", "-"])
        .output()
        .expect("ffmpeg");
    assert!(output.status.success());
    output.stdout
}

/// `--fps --interpolate`: frames between two inputs mix them, as ffmpeg's `framerate` filter
/// blending always does (rounding apart: above 60 dB), and every output frame comes out,
/// the last ones from draining.
#[test]
fn interpolated_frame_rates_mix_neighbouring_frames() {
    let input = source("interp_in.nv12", "176x144", "nv12", 24);
    let frame = 176 * 144 * 3 / 2;
    let output = temp("interp_out.nv12");
    let summary = vpp(&input, "176x144", "nv12", &["--fps", "40", "--interpolate"], &output);
    // Raw frames are 30 fps: 24 inputs at 30 fps are 32 outputs at 40 fps.
    assert!(summary.contains("vpp: 32 frames"), "{summary}");
    let ours = std::fs::read(&output).unwrap();
    let reference = Command::new("ffmpeg")
        .args(["-v", "error", "-f", "rawvideo", "-pix_fmt", "nv12", "-s", "176x144", "-r", "30", "-i"])
        .arg(&input)
        .args(["-vf", "framerate=fps=40:interp_start=0:interp_end=255:scene=100", "-pix_fmt", "nv12"])
        .args(["-f", "rawvideo", "-"])
        .output()
        .expect("ffmpeg");
    assert!(reference.status.success());
    assert_eq!(ours.len(), reference.stdout.len());
    assert_eq!(ours.len(), 32 * frame);
    let quality = psnr(&ours, &reference.stdout);
    println!("vplrs vpp --fps 40 --interpolate: {quality:.1} dB against ffmpeg's framerate");
    assert!(quality >= 60.0, "{quality:.1} dB");
}

/// Denoise at full strength on dark, noisy frames, where hqdn3d's values dip below zero: still
/// byte for byte ffmpeg's, at 640x360 (split across threads).
#[test]
fn denoise_of_dark_noise_equals_hqdn3d() {
    let input = temp("dark-noise.nv12");
    let made = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25,lutyuv=y=val*0.1"])
        .args(["-frames:v", "4", "-vf", "noise=alls=20:allf=t", "-pix_fmt", "nv12", "-f", "rawvideo"])
        .arg(&input)
        .status()
        .expect("ffmpeg");
    assert!(made.success());
    let output = temp("dark-denoised.nv12");
    vpp(&input, "640x360", "nv12", &["--denoise", "100"], &output);
    let theirs = ffmpeg_filtered(&input, "640x360", "nv12", "format=yuv420p,hqdn3d=10,format=nv12");
    assert!(std::fs::read(&output).unwrap() == theirs, "dark frames differ from hqdn3d's");
}
