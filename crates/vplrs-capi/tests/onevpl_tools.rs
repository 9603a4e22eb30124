//! Intel's `sample_vpp` (Debian onevpl-tools), unmodified, on libvplrs.so: a resize with NV12 to
//! RGB4 conversion in system memory, checked frame count and PSNR against FFmpeg's swscale.

use std::path::{Path, PathBuf};
use std::process::Command;

/// `target/<profile>` holding the freshly built libvplrs.so.
fn lib_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let dir = exe.parent().and_then(Path::parent).expect("target/<profile>").to_path_buf();
    assert!(
        dir.join("libvplrs.so").exists(),
        "{} has no libvplrs.so: run `cargo build --release -p vplrs-capi` before the tests",
        dir.display()
    );
    dir
}

fn run(command: &mut Command) -> String {
    let output = command.output().unwrap_or_else(|e| panic!("{command:?}: {e}"));
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "{command:?} failed:\n{text}");
    text
}

/// PSNR of the colour channels (alpha skipped) of two BGRA buffers.
fn bgra_psnr(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len());
    let (sum, count) = a
        .chunks_exact(4)
        .zip(b.chunks_exact(4))
        .flat_map(|(p, q)| (0..3).map(move |i| (f64::from(p[i]) - f64::from(q[i])).powi(2)))
        .fold((0.0, 0u64), |(s, n), d| (s + d, n + 1));
    let mse = sum / count as f64;
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0f64 * 255.0 / mse).log10()
    }
}

#[test]
fn sample_vpp_resizes_and_converts_nv12_to_rgb4() {
    let lib = lib_dir();
    let work = work_dir("sample_vpp");
    let (input, output, reference) = (work.join("in.nv12"), work.join("out.rgb4"), work.join("ref.bgra"));
    let frames = 12;
    run(Command::new("ffmpeg")
        .args(["-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=352x288:rate=30"])
        .args(["-frames:v", &frames.to_string(), "-pix_fmt", "nv12", "-f", "rawvideo", input.to_str().unwrap()]));
    let log = run(Command::new("sample_vpp").env("ONEVPL_SEARCH_PATH", &lib).args([
        "-lib",
        "sw",
        "-i",
        input.to_str().unwrap(),
        "-o",
        output.to_str().unwrap(),
        "-sw",
        "352",
        "-sh",
        "288",
        "-scc",
        "nv12",
        "-dw",
        "640",
        "-dh",
        "480",
        "-dcc",
        "rgb4",
    ]));
    assert!(log.contains(&format!("Total frames {frames}")), "sample_vpp did not process every frame:\n{log}");
    run(Command::new("ffmpeg")
        .args(["-loglevel", "error", "-y", "-f", "rawvideo", "-pix_fmt", "nv12", "-s", "352x288", "-i"])
        .args([
            input.to_str().unwrap(),
            "-vf",
            "scale=640:480:flags=bilinear:in_color_matrix=bt601:out_range=pc",
            "-pix_fmt",
            "bgra",
            "-f",
            "rawvideo",
            reference.to_str().unwrap(),
        ]));
    let ours = std::fs::read(&output).unwrap();
    let theirs = std::fs::read(&reference).unwrap();
    assert_eq!(ours.len(), frames * 640 * 480 * 4, "every frame, 640x480 RGB4");
    let psnr = bgra_psnr(&ours, &theirs);
    println!("sample_vpp NV12 352x288 -> RGB4 640x480: PSNR {psnr:.2} dB against swscale");
    assert!(psnr >= 40.0, "PSNR {psnr:.2} dB");
}

/// A fresh folder for a test's files, under cargo's target tmp dir.
fn work_dir(name: &str) -> PathBuf {
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(&work).unwrap();
    work
}

/// Writes `frames` raw frames of ffmpeg's `testsrc2` to `path`.
fn make_source(path: &Path, size: &str, pix_fmt: &str, frames: usize) {
    run(Command::new("ffmpeg")
        .args(["-loglevel", "error", "-y", "-f", "lavfi", "-i", &format!("testsrc2=size={size}:rate=30")])
        .args(["-frames:v", &frames.to_string(), "-pix_fmt", pix_fmt, "-f", "rawvideo"])
        .arg(path));
}

/// The raw frames of `path` through the ffmpeg filter chain `filter`.
fn ffmpeg_filtered(path: &Path, size: &str, pix_fmt: &str, filter: &str) -> Vec<u8> {
    let output = Command::new("ffmpeg")
        .args(["-loglevel", "error", "-f", "rawvideo", "-pix_fmt", pix_fmt, "-s", size, "-i"])
        .arg(path)
        .args(["-vf", filter, "-pix_fmt", pix_fmt, "-f", "rawvideo", "-"])
        .output()
        .expect("ffmpeg");
    assert!(output.status.success(), "ffmpeg: {}", String::from_utf8_lossy(&output.stderr));
    output.stdout
}

/// `sample_vpp -lib sw` on libvplrs.so, NV12 176x144 in, NV12 `size` out, plus `options`:
/// whether it succeeded, and its stdout and stderr.
fn sample_vpp_nv12(input: &Path, output: &Path, (width, height): (u32, u32), options: &[&str]) -> (bool, String) {
    let (width, height) = (width.to_string(), height.to_string());
    let result = Command::new("sample_vpp")
        .env("ONEVPL_SEARCH_PATH", lib_dir())
        .args(["-lib", "sw", "-i", input.to_str().unwrap(), "-o", output.to_str().unwrap()])
        .args(["-sw", "176", "-sh", "144", "-scc", "nv12", "-dw", &width, "-dh", &height, "-dcc", "nv12"])
        .args(options)
        .output()
        .expect("sample_vpp");
    let log = format!("{}{}", String::from_utf8_lossy(&result.stdout), String::from_utf8_lossy(&result.stderr));
    (result.status.success(), log)
}

/// [`sample_vpp_nv12`], which must succeed and process `frames` frames.
fn sample_vpp_ok(input: &Path, output: &Path, size: (u32, u32), options: &[&str], frames: usize) {
    let (ok, log) = sample_vpp_nv12(input, output, size, options);
    assert!(ok && log.contains(&format!("Total frames {frames}")), "sample_vpp {options:?}:\n{log}");
}

/// The NV12 frames of `input` (176x144) deinterlaced by bob keeping the top (or bottom) field,
/// as ffmpeg's `geq` computes it: the kept rows as they are, the others the rounded average of
/// their neighbours (one at an edge).
fn bob_reference(input: &Path, top_first: bool) -> Vec<u8> {
    let kept = if top_first { "eq(mod(Y,2),0)" } else { "eq(mod(Y,2),1)" };
    let plane =
        |p: &str| format!("if({kept},{p}(X,Y),floor(({p}(X,if(gt(Y,0),Y-1,Y+1))+{p}(X,if(lt(Y+1,H),Y+1,Y-1))+1)/2))");
    let filter = format!(
        "format=yuv420p,geq=lum='{}':cb='{}':cr='{}':interpolation=nearest,format=nv12",
        plane("lum"),
        plane("cb"),
        plane("cr")
    );
    ffmpeg_filtered(input, "176x144", "nv12", &filter)
}

/// `sample_vpp -rotate` and `-mirror`, unmodified, on libvplrs.so: NV12 frames turned and
/// mirrored byte for byte as ffmpeg's `transpose`, `hflip` and `vflip` do it.
#[test]
fn sample_vpp_rotates_and_mirrors_like_ffmpeg() {
    let work = work_dir("sample_vpp_orient");
    let input = work.join("in.nv12");
    let frames = 4;
    make_source(&input, "176x144", "nv12", frames);
    let cases: [(&[&str], (u32, u32), &str); 5] = [
        (&["-rotate", "90"], (144, 176), "transpose=clock"),
        (&["-rotate", "180"], (176, 144), "hflip,vflip"),
        (&["-rotate", "270"], (144, 176), "transpose=cclock"),
        (&["-mirror", "1"], (176, 144), "hflip"),
        (&["-mirror", "2"], (176, 144), "vflip"),
    ];
    for (options, (width, height), filter) in cases {
        let output = work.join(format!("out{}.nv12", options.join("")));
        sample_vpp_ok(&input, &output, (width, height), options, frames);
        let ours = std::fs::read(&output).unwrap();
        let theirs = ffmpeg_filtered(&input, "176x144", "nv12", filter);
        assert_eq!(ours.len(), theirs.len(), "sample_vpp {options:?}: {width}x{height} frames");
        assert!(ours == theirs, "sample_vpp {options:?} differs from ffmpeg's {filter}");
    }
}

/// `sample_vpp -pa_bri/-pa_con/-pa_hue/-pa_sat`, unmodified, on libvplrs.so: NV12 amplified by the
/// ProcAmp formula, as ffmpeg's `geq` evaluates it (8-bit codes, rounded; within one code).
#[test]
fn sample_vpp_procamp_follows_the_amplifier_formula() {
    let work = work_dir("sample_vpp_procamp");
    let (input, output) = (work.join("in.nv12"), work.join("out.nv12"));
    let frames = 3;
    make_source(&input, "176x144", "nv12", frames);
    let (b, c, h, s) = (20.0f64, 1.5f64, 30.0f64, 0.8f64);
    let options = ["-pa_bri", "20", "-pa_con", "1.5", "-pa_hue", "30", "-pa_sat", "0.8"];
    sample_vpp_ok(&input, &output, (176, 144), &options, frames);
    let (sin, cos) = h.to_radians().sin_cos();
    let gain = c * s;
    let filter = format!(
        "format=yuv420p,geq=lum='clip(floor((lum(X,Y)-16)*{c}+16+{b}+0.5),0,255)':\
         cb='clip(floor(((cb(X,Y)-128)*{cos}+(cr(X,Y)-128)*{sin})*{gain}+128.5),0,255)':\
         cr='clip(floor(((cr(X,Y)-128)*{cos}-(cb(X,Y)-128)*{sin})*{gain}+128.5),0,255)':\
         interpolation=nearest,format=nv12"
    );
    let ours = std::fs::read(&output).unwrap();
    let theirs = ffmpeg_filtered(&input, "176x144", "nv12", &filter);
    assert_eq!(ours.len(), theirs.len());
    let worst = ours.iter().zip(&theirs).map(|(a, b)| a.abs_diff(*b)).max().unwrap();
    assert!(worst <= 1, "sample_vpp ProcAmp: a sample differs by {worst}");
}

/// `sample_vpp -spic 0|2 -dpic 1` (interlaced in, progressive out; `-di_mode 1` asks for bob
/// explicitly), unmodified, on libvplrs.so: the first field kept, the other interpolated, as
/// ffmpeg's `geq` computes it, byte for byte.
#[test]
fn sample_vpp_deinterlaces_by_field_interpolation() {
    let work = work_dir("sample_vpp_deinterlace");
    let input = work.join("in.nv12");
    let frames = 3;
    make_source(&input, "176x144", "nv12", frames);
    for (spic, extra, top_first) in [("0", None, true), ("2", Some("1"), false)] {
        let output = work.join(format!("out{spic}.nv12"));
        let mut options = vec!["-spic", spic, "-dpic", "1"];
        if let Some(mode) = extra {
            options.extend(["-di_mode", mode]);
        }
        sample_vpp_ok(&input, &output, (176, 144), &options, frames);
        let ours = std::fs::read(&output).unwrap();
        let theirs = bob_reference(&input, top_first);
        assert_eq!(ours.len(), theirs.len());
        assert!(ours == theirs, "sample_vpp -spic {spic}: bob differs from geq's");
    }
}

/// `sample_vpp -sf/-df`, unmodified, on libvplrs.so: other output rates repeat or drop frames
/// (`MFX_ERR_MORE_SURFACE` / `MFX_ERR_MORE_DATA`, which sample_vpp's loop follows), and interlaced
/// 30 -> progressive 60 (`-spic 0 -dpic 1 -sf 30 -df 60`) gives each field its own frame: the
/// frames are bob of the top field, then of the bottom field, byte for byte ffmpeg's `geq`.
#[test]
fn sample_vpp_converts_frame_rates_and_doubles_fields() {
    let work = work_dir("sample_vpp_rates");
    let input = work.join("in.nv12");
    make_source(&input, "176x144", "nv12", 60);
    let frame = 176 * 144 * 3 / 2;
    let run_rates = |name: &str, sf: &str, df: &str, extra: &[&str]| {
        let output = work.join(name);
        let options: Vec<&str> = ["-sf", sf, "-df", df].into_iter().chain(extra.iter().copied()).collect();
        let (ok, log) = sample_vpp_nv12(&input, &output, (176, 144), &options);
        assert!(ok, "sample_vpp {options:?}:\n{log}");
        (std::fs::read(&output).unwrap(), log)
    };
    // 24 -> 30: 60 inputs give 75 outputs; 60 -> 30: 30.
    for (sf, df, expected) in [("24", "30", 75), ("60", "30", 30)] {
        let (frames, log) = run_rates(&format!("out-{sf}-{df}.nv12"), sf, df, &[]);
        assert_eq!(frames.len(), expected * frame, "{sf} -> {df} fps:\n{log}");
    }
    // mfxExtVPPFrameRateConversion: the timestamp algorithms repeat and drop the same way.
    let (advanced, log) = run_rates("out-advanced.nv12", "24", "30", &["-frc:advanced"]);
    assert_eq!(advanced.len(), 75 * frame, "-frc:advanced:\n{log}");
    // Interpolation: frames between two inputs mix them, as ffmpeg's `framerate` filter blending
    // always (interp_start=0, interp_end=255, no scene detection) does; the two round weights and
    // sums differently, so mixed frames differ by a code here and there (above 60 dB; frames that
    // fall on an input are exact).
    for (sf, df, count) in [("24", "30", 75), ("30", "60", 120), ("60", "50", 50)] {
        let (mixed, log) = run_rates(&format!("interp-{sf}-{df}.nv12"), sf, df, &["-frc:interp"]);
        assert_eq!(mixed.len(), count * frame, "-frc:interp {sf} -> {df}:\n{log}");
        let filter = format!("framerate=fps={df}:interp_start=0:interp_end=255:scene=100");
        let theirs = ffmpeg_filtered_at(&input, sf, &filter);
        assert_eq!(theirs.len(), mixed.len(), "ffmpeg's framerate gives as many frames");
        let quality = raw_psnr(&mixed, &theirs);
        println!("sample_vpp -frc:interp {sf} -> {df}: {quality:.1} dB against ffmpeg's framerate");
        assert!(quality >= 60.0, "-frc:interp {sf} -> {df}: {quality:.1} dB");
        assert!(mixed[..frame] == theirs[..frame], "the first frame is the first input");
    }
    let (doubled, log) = run_rates("out-30i-60p.nv12", "30", "60", &["-spic", "0", "-dpic", "1"]);
    assert_eq!(doubled.len(), 120 * frame, "30i -> 60p:\n{log}");
    let (top, bottom) = (bob_reference(&input, true), bob_reference(&input, false));
    for (index, picture) in doubled.chunks_exact(frame).enumerate() {
        let source = if index % 2 == 0 { &top } else { &bottom };
        let expected = &source[index / 2 * frame..][..frame];
        assert!(picture == expected, "30i -> 60p frame {index}: not the bob of its field");
    }
}

/// The NV12 176x144 frames of `path`, read at `rate` fps, through the ffmpeg filter `filter`.
fn ffmpeg_filtered_at(path: &Path, rate: &str, filter: &str) -> Vec<u8> {
    let output = Command::new("ffmpeg")
        .args(["-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "nv12", "-s", "176x144", "-r", rate, "-i"])
        .arg(path)
        .args(["-vf", filter, "-pix_fmt", "nv12", "-f", "rawvideo", "-"])
        .output()
        .expect("ffmpeg");
    assert!(output.status.success(), "ffmpeg: {}", String::from_utf8_lossy(&output.stderr));
    output.stdout
}

/// PSNR over every byte of two raw frame buffers (all planes).
fn raw_psnr(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len());
    let sum: f64 = a.iter().zip(b).map(|(p, q)| (f64::from(*p) - f64::from(*q)).powi(2)).sum();
    let mse = sum / a.len() as f64;
    if mse == 0.0 {
        f64::INFINITY
    } else {
        10.0 * (255.0f64 * 255.0 / mse).log10()
    }
}

/// One stream of a `sample_vpp -composite` case: its size, pixel format (ffmpeg's name), its
/// destination rectangle, the par-file lines of its blending, and the ffmpeg filters that do the
/// same to it after scaling.
struct Composed {
    size: (u32, u32),
    pix_fmt: &'static str,
    dst: (u32, u32, u32, u32),
    blend: &'static str,
    ffmpeg_blend: &'static str,
}

/// `sample_vpp -composite`, unmodified, on libvplrs.so, against ffmpeg's `scale` and `overlay`:
/// the PSNR of `frames` composed output frames of `out_pix_fmt`, 352x288.
fn composite_psnr(name: &str, streams: &[Composed], out_pix_fmt: &str, frames: usize) -> f64 {
    let work = work_dir(&format!("sample_vpp_composite/{name}"));
    let (mut par, mut ffmpeg, mut graph) = (String::new(), Command::new("ffmpeg"), String::new());
    ffmpeg.args(["-loglevel", "error", "-y"]);
    for (index, stream) in streams.iter().enumerate() {
        let (width, height) = stream.size;
        let input = work.join(format!("s{index}.{}", stream.pix_fmt));
        // testsrc2; with an alpha ramp (transparent at the left) for per-pixel alpha.
        let source = format!("testsrc2=size={width}x{height}:rate=30");
        let alpha = if stream.blend.contains("PixelAlpha") { "X*255/W" } else { "255" };
        let filter = format!("format=bgra,geq=r='r(X,Y)':g='g(X,Y)':b='b(X,Y)':a='{alpha}',format={}", stream.pix_fmt);
        run(Command::new("ffmpeg")
            .args(["-loglevel", "error", "-y", "-f", "lavfi", "-i", &source, "-frames:v", &frames.to_string()])
            .args(["-vf", &filter])
            .args(["-f", "rawvideo"])
            .arg(&input));
        let fourcc = if stream.pix_fmt == "nv12" { "nv12" } else { "rgb4" };
        let (x, y, w, h) = stream.dst;
        par += &format!(
            "stream={}\nwidth={width}\nheight={height}\nfourcc={fourcc}\ndstx={x}\ndsty={y}\ndstw={w}\ndsth={h}\n{}\n\n",
            input.display(),
            stream.blend
        );
        ffmpeg
            .args(["-f", "rawvideo", "-pix_fmt", stream.pix_fmt, "-s", &format!("{width}x{height}"), "-i"])
            .arg(&input);
        graph += &format!("[{index}]scale={w}:{h}:flags=bilinear{}[s{index}];", stream.ffmpeg_blend);
    }
    let overlay_format = if out_pix_fmt == "bgra" { "rgb" } else { "yuv420" };
    let mut below = "s0".to_string();
    for (index, stream) in streams.iter().enumerate().skip(1) {
        let (x, y, _, _) = stream.dst;
        graph += &format!("[{below}][s{index}]overlay={x}:{y}:format={overlay_format}[o{index}];");
        below = format!("o{index}");
    }
    graph += &format!("[{below}]format={out_pix_fmt}");
    let reference = work.join("reference.raw");
    run(ffmpeg.args(["-filter_complex", &graph, "-f", "rawvideo"]).arg(&reference));
    let par_file = work.join("composite.par");
    std::fs::write(&par_file, par).unwrap();
    let output = work.join("out.raw");
    let out_fourcc = if out_pix_fmt == "bgra" { "rgb4" } else { "nv12" };
    // sample_vpp's -n counts the frames it reads, of every stream.
    let reads = (frames * streams.len()).to_string();
    let log = run(Command::new("sample_vpp")
        .env("ONEVPL_SEARCH_PATH", lib_dir())
        .args(["-lib", "sw", "-composite", par_file.to_str().unwrap(), "-dw", "352", "-dh", "288"])
        .args(["-dcc", out_fourcc, "-n", &reads, "-o", output.to_str().unwrap()]));
    assert!(log.contains(&format!("Total frames {frames}")), "sample_vpp -composite ({name}):\n{log}");
    let (ours, theirs) = (std::fs::read(&output).unwrap(), std::fs::read(&reference).unwrap());
    let psnr = if out_pix_fmt == "bgra" { bgra_psnr(&ours, &theirs) } else { raw_psnr(&ours, &theirs) };
    println!("sample_vpp -composite {name}: PSNR {psnr:.2} dB against ffmpeg's scale and overlay");
    psnr
}

/// `sample_vpp -composite`: four NV12 streams of different sizes, scaled and placed, one drawn
/// at half alpha and one luma keyed; NV12 and RGB4 streams mixed with per-pixel alpha; RGB4
/// streams with global alpha. Compared with ffmpeg's `scale` (bilinear) and `overlay`: the two
/// scalers round differently (about 60 dB where nothing is blended), and per-pixel alpha meets
/// chroma subsampling differently (ffmpeg subsamples the alpha plane, vplrs averages the four
/// alphas of each chroma sample), hence the thresholds.
#[test]
fn sample_vpp_composes_streams_like_ffmpeg() {
    let opaque = |size, dst| Composed { size, pix_fmt: "nv12", dst, blend: "", ffmpeg_blend: "" };
    let four = [
        opaque((176, 144), (0, 0, 352, 288)),
        opaque((128, 96), (200, 20, 128, 96)),
        Composed {
            blend: "GlobalAlphaEnable=1\nGlobalAlpha=128",
            ffmpeg_blend: ",format=yuva420p,colorchannelmixer=aa=0.50196",
            ..opaque((96, 64), (20, 180, 160, 100))
        },
        Composed {
            blend: "LumaKeyEnable=1\nLumaKeyMin=200\nLumaKeyMax=255",
            ffmpeg_blend: ",format=yuva420p,lumakey=threshold=227.5/255:tolerance=27.5/255:softness=0",
            ..opaque((64, 48), (240, 200, 64, 48))
        },
    ];
    assert!(composite_psnr("four_nv12", &four, "nv12", 4) >= 45.0);
    let mixed = [
        opaque((176, 144), (0, 0, 352, 288)),
        Composed {
            pix_fmt: "bgra",
            blend: "PixelAlphaEnable=1",
            ffmpeg_blend: "",
            ..opaque((96, 64), (100, 100, 192, 128))
        },
    ];
    assert!(composite_psnr("pixel_alpha", &mixed, "nv12", 4) >= 40.0);
    let rgb = |size, dst| Composed { pix_fmt: "bgra", ..opaque(size, dst) };
    let rgb_streams = [
        rgb((176, 144), (0, 0, 352, 288)),
        Composed {
            blend: "GlobalAlphaEnable=1\nGlobalAlpha=100",
            ffmpeg_blend: ",colorchannelmixer=aa=0.39216",
            ..rgb((128, 96), (50, 60, 256, 192))
        },
    ];
    assert!(composite_psnr("rgb4", &rgb_streams, "bgra", 4) >= 45.0);
}

/// `sample_vpp -denoise` and `-detail`, unmodified, on libvplrs.so, on noisy NV12 frames: byte for
/// byte ffmpeg's `hqdn3d` at strength factor / 10 (spatial and temporal: six frames, each against
/// the last) and `unsharp` with a 5x5 luma mask of amount factor / 50.
#[test]
fn sample_vpp_denoises_and_enhances_detail_like_ffmpeg() {
    let work = work_dir("sample_vpp_denoise");
    let (input, output) = (work.join("noisy.nv12"), work.join("out.nv12"));
    let frames = 6;
    run(Command::new("ffmpeg")
        .args(["-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=176x144:rate=30"])
        .args(["-frames:v", &frames.to_string(), "-vf", "noise=alls=12:allf=t", "-pix_fmt", "nv12", "-f", "rawvideo"])
        .arg(&input));
    let cases: [(&[&str], String); 5] = [
        // The mode after the level: sample_vpp reads it whether or not it is given.
        (&["-denoise", "40", "0"], "hqdn3d=4".into()),
        (&["-denoise", "85", "1004"], "hqdn3d=8.5".into()),
        (&["-detail", "50"], "unsharp=5:5:1:5:5:0".into()),
        (&["-detail", "100"], "unsharp=5:5:2:5:5:0".into()),
        (&["-detail", "15"], "unsharp=5:5:0.3:5:5:0".into()),
    ];
    for (options, filter) in cases {
        sample_vpp_ok(&input, &output, (176, 144), options, frames);
        let ours = std::fs::read(&output).unwrap();
        let theirs = ffmpeg_filtered(&input, "176x144", "nv12", &format!("format=yuv420p,{filter},format=nv12"));
        assert_eq!(ours.len(), theirs.len());
        assert!(ours == theirs, "sample_vpp {options:?} differs from ffmpeg's {filter}");
    }
}

/// `sample_vpp -dpic 3` and `-spic 3`, unmodified, on libvplrs.so: interlaced frames split into
/// single fields (two outputs a frame, the first field in time first) byte for byte as ffmpeg's
/// `separatefields`, for top- and bottom-field-first input; single fields woven back into frames
/// as ffmpeg's `weave`, which gives the original frames again.
#[test]
fn sample_vpp_splits_and_weaves_fields_like_ffmpeg() {
    let work = work_dir("sample_vpp_fields");
    let input = work.join("in.nv12");
    let frames = 4;
    make_source(&input, "176x144", "nv12", frames);
    let run_vpp = |input: &Path, output: &Path, source: (&str, &str, &str), target: (&str, &str, &str)| {
        let log = run(Command::new("sample_vpp").env("ONEVPL_SEARCH_PATH", lib_dir()).args([
            "-lib",
            "sw",
            "-i",
            input.to_str().unwrap(),
            "-o",
            output.to_str().unwrap(),
            "-scc",
            "nv12",
            "-dcc",
            "nv12",
            "-sw",
            source.0,
            "-sh",
            source.1,
            "-spic",
            source.2,
            "-dw",
            target.0,
            "-dh",
            target.1,
            "-dpic",
            target.2,
        ]));
        (std::fs::read(output).unwrap(), log)
    };
    for (spic, order) in [("0", "tff"), ("2", "bff")] {
        let fields = work.join(format!("fields-{order}.nv12"));
        let (ours, log) = run_vpp(&input, &fields, ("176", "144", spic), ("176", "72", "3"));
        assert!(log.contains(&format!("Total frames {}", 2 * frames)), "{order} split:\n{log}");
        let theirs = ffmpeg_filtered(&input, "176x144", "nv12", &format!("setfield={order},separatefields"));
        assert!(ours == theirs, "{order}: the fields differ from ffmpeg's separatefields");
    }
    let fields = work.join("fields-tff.nv12");
    let (woven, log) = run_vpp(&fields, &work.join("woven.nv12"), ("176", "72", "3"), ("176", "144", "0"));
    assert!(log.contains(&format!("Total frames {frames}")), "weave:\n{log}");
    let theirs = ffmpeg_filtered(&fields, "176x72", "nv12", "weave=first_field=top");
    assert!(woven == theirs, "woven frames differ from ffmpeg's weave");
    assert!(woven == std::fs::read(&input).unwrap(), "weaving the split fields gives the frames back");
}
