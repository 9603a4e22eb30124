//! Resolution changes through the C API, as Intel's `sample_decode` handles them: H.264, H.265,
//! VP9 and AV1 streams whose pictures grow from 640x360 to 1366x768 (or 1280x544) and shrink
//! back. The runtime answers `MFX_ERR_INCOMPATIBLE_VIDEO_PARAM` at the larger sequence with the
//! data of its start kept; the application drains with a NULL bitstream, calls DecodeHeader,
//! Close and Init with new surfaces, and goes on. Every picture must come out, at its own size,
//! as ffmpeg decodes them (`-autoscale 0`), on three runs at `-async 1` and `-async 4`.

use std::path::PathBuf;

use super::races::{ffmpeg, run, sample_decode, work_dir};

/// Joins `parts` (ffmpeg's concat demuxer, streams copied) into one stream of `format`.
fn joined(name: &str, parts: &[PathBuf], format: &str) -> Result<PathBuf, String> {
    let dir = work_dir();
    let list = dir.join(format!("{name}.txt"));
    let lines: Vec<String> = parts.iter().map(|p| format!("file '{}'\n", p.display())).collect();
    std::fs::write(&list, lines.concat()).map_err(|e| e.to_string())?;
    let out = dir.join(name);
    ffmpeg(&[
        "-f",
        "concat",
        "-safe",
        "0",
        "-i",
        list.to_str().unwrap(),
        "-c",
        "copy",
        "-f",
        format,
        out.to_str().unwrap(),
    ])?;
    Ok(out)
}

/// 8 frames of `size` with `encoder`.
fn part(codec: &str, size: &str, encoder: &[&str], format: &str) -> Result<PathBuf, String> {
    let out = work_dir().join(format!("part-{codec}-{size}.{format}"));
    let source = format!("testsrc2=size={size}:rate=30");
    let mut args = vec!["-f", "lavfi", "-i", &source, "-frames:v", "8"];
    args.extend_from_slice(encoder);
    args.extend_from_slice(&["-pix_fmt", "yuv420p", "-f", format, out.to_str().unwrap()]);
    ffmpeg(&args)?;
    Ok(out)
}

#[test]
fn sample_decode_follows_resolution_changes_up_and_down() {
    let Some(program) = sample_decode() else { return };
    let cases: [(&str, &[&str], &str, &str); 4] = [
        ("h264", &["-c:v", "libx264", "-bf", "2"], "h264", "1280x544"),
        ("h265", &["-c:v", "libx265", "-x265-params", "log-level=none:bframes=3"], "hevc", "1366x768"),
        ("vp9", &["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8"], "ivf", "1366x768"),
        ("av1", &["-c:v", "libsvtav1", "-preset", "12"], "ivf", "1366x768"),
    ];
    let mut failures = Vec::new();
    let mut checked = Vec::new();
    for (codec, encoder, format, large) in cases {
        let made = part(codec, "640x360", encoder, format).and_then(|small| {
            let large = part(codec, large, encoder, format)?;
            joined(&format!("changing-{codec}.{format}"), &[small.clone(), large, small], format)
        });
        let stream = match made {
            Ok(stream) => stream,
            Err(error) => {
                eprintln!("{codec}: stream not made, left out: {error}");
                continue;
            }
        };
        let reference = work_dir().join(format!("changing-{codec}.ref.yuv"));
        let input = stream.to_str().unwrap();
        let decoded = ffmpeg(&[
            "-i",
            input,
            "-autoscale",
            "0",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "yuv420p",
            reference.to_str().unwrap(),
        ])
        .and_then(|()| std::fs::read(&reference).map_err(|e| e.to_string()));
        let expected = decoded.unwrap_or_else(|error| panic!("{codec}: ffmpeg's decode: {error}"));
        for async_depth in ["1", "4"] {
            for attempt in 1..=3 {
                let out = work_dir().join("changing-out.yuv");
                match run(program, codec, &stream, async_depth, &out) {
                    Ok(out) if out == expected => {}
                    Ok(out) => failures.push(format!(
                        "{codec} -async {async_depth} run {attempt}: {} bytes, {} expected",
                        out.len(),
                        expected.len()
                    )),
                    Err(error) => failures.push(format!("{codec} -async {async_depth} run {attempt}: {error}")),
                }
            }
        }
        checked.push(codec);
    }
    assert!(failures.is_empty(), "resolution changes through sample_decode:\n{}", failures.join("\n"));
    assert!(checked.len() >= 3, "{checked:?}");
    println!("resolution changes bit-exact with ffmpeg, 6 runs each: {checked:?}");
}
