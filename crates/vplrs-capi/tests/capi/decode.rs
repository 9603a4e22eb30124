//! VP8 decode through the C API and the XMA interface, checked against the conformance vectors'
//! `.ivf.md5` files (`../shared/vp8-test-vectors`, or `VPLRS_VP8_VECTORS`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use md5::{Digest, Md5};

use super::{compile, compile_with, lib_dir, run, show};

fn vector_dir() -> PathBuf {
    std::env::var_os("VPLRS_VP8_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vp8-test-vectors"))
}

fn vectors() -> Vec<PathBuf> {
    let dir = vector_dir();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("VP8 vectors at {}: {e}", dir.display()))
        .filter_map(|e| Some(e.ok()?.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "ivf"))
        .collect();
    files.sort();
    assert!(files.len() >= 61, "expected the 61 conformance vectors in {}", dir.display());
    files
}

/// The per-frame MD5s of a vector's `.ivf.md5` file.
fn expected(path: &Path) -> Vec<String> {
    let md5 = path.with_extension("ivf.md5");
    let text = std::fs::read_to_string(&md5).unwrap_or_else(|e| panic!("{}: {e}", md5.display()));
    text.lines().filter_map(|l| l.split_whitespace().next()).map(str::to_owned).collect()
}

/// Parses `FILE <path>` blocks of MD5 lines.
fn per_file(output: &str) -> HashMap<String, Vec<String>> {
    let mut files: HashMap<String, Vec<String>> = HashMap::new();
    let mut current: Option<String> = None;
    for line in output.lines() {
        if let Some(path) = line.strip_prefix("FILE ") {
            current = Some(path.to_owned());
            files.entry(path.to_owned()).or_default();
        } else if line.len() == 32 && line.bytes().all(|b| b.is_ascii_hexdigit()) {
            let file = current.as_ref().expect("an MD5 before any FILE line");
            files.get_mut(file).expect("entry").push(line.to_owned());
        }
    }
    files
}

/// `decode_vp8`, compiled once for the tests that share it (they run in parallel).
fn decode_program() -> &'static Path {
    static PROGRAM: OnceLock<PathBuf> = OnceLock::new();
    PROGRAM.get_or_init(|| compile("decode_vp8"))
}

fn check_all_vectors(mode: &str) {
    let program = decode_program();
    let files = vectors();
    let mut args: Vec<&Path> = vec![Path::new(mode)];
    args.extend(files.iter().map(PathBuf::as_path));
    let output = run(program, &args);
    let got = per_file(&output);
    let mut failures = Vec::new();
    for file in &files {
        let key = file.to_string_lossy().into_owned();
        let want = expected(file);
        match got.get(&key) {
            Some(md5s) if *md5s == want => {}
            Some(md5s) => {
                let first = md5s.iter().zip(&want).position(|(a, b)| a != b).unwrap_or(md5s.len().min(want.len()));
                failures.push(format!(
                    "{key}: {} pictures, {} expected, first difference at {first}",
                    md5s.len(),
                    want.len()
                ));
            }
            None => failures.push(format!("{key}: not decoded")),
        }
    }
    assert!(
        failures.is_empty(),
        "{mode}: {} of {} vectors differ:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
    println!("{mode}: all {} vectors bit-exact", files.len());
}

#[test]
fn vp8_vectors_bit_exact_with_decode_pool_surfaces() {
    check_all_vectors("pool");
}

#[test]
fn vp8_vectors_bit_exact_with_application_surfaces() {
    check_all_vectors("app");
}

#[test]
fn decode_contract_through_the_dispatcher() {
    let file = vector_dir().join("vp80-00-comprehensive-001.ivf");
    let _ = run(&compile("decode_contract"), &[&file]);
}

#[test]
fn xma_interface_from_c() {
    let dir = lib_dir();
    let mut rpath = std::ffi::OsString::from("-Wl,-rpath,");
    rpath.push(&dir);
    let mut search = std::ffi::OsString::from("-L");
    search.push(&dir);
    let program = compile_with("xma_api", &[search, "-lvplrs".into(), rpath]);
    let dir = vector_dir();
    let files: Vec<PathBuf> = ["001", "004", "008", "016", "017"]
        .iter()
        .map(|n| dir.join(format!("vp80-00-comprehensive-{n}.ivf")))
        .chain(["vp80-05-sharpness-1438.ivf", "vp80-02-inter-1418.ivf"].iter().map(|n| dir.join(n)))
        .filter(|p| p.exists())
        .collect();
    assert!(files.len() >= 5, "vectors missing in {}", dir.display());
    let args: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
    let _ = run(&program, &args);
}

/// Intel's `sample_decode` (Debian onevpl-tools) decoding vectors on vplrs, its I420 output
/// compared frame by frame with the `.ivf.md5` files.
#[test]
fn intel_sample_decode_on_vplrs() {
    let Some(sample) =
        ["/usr/bin/sample_decode", "/usr/share/vpl/examples/sample_decode"].iter().map(Path::new).find(|p| p.exists())
    else {
        eprintln!("intel_sample_decode_on_vplrs skipped: sample_decode is not installed (onevpl-tools)");
        return;
    };
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sample-decode");
    std::fs::create_dir_all(&work).expect("work dir");
    let mut failures = Vec::new();
    // Streams whose pictures change size are left out: sample_decode's VPP scales a smaller
    // picture to the size it was initialised with, so its output is no longer the decoder's.
    let single_size: Vec<PathBuf> = vectors().into_iter().filter(|v| key_frame_sizes(v).len() == 1).collect();
    assert!(single_size.len() >= 55, "{} single-size vectors", single_size.len());
    for input in &single_size {
        let name = input.file_stem().and_then(|n| n.to_str()).expect("name");
        let out = work.join(format!("{name}.yuv"));
        let _ = std::fs::remove_file(&out);
        let output = Command::new(sample)
            .args(["vp8", "-sw", "-i"])
            .arg(input)
            .arg("-o")
            .arg(&out)
            .arg("-i420")
            .env("ONEVPL_SEARCH_PATH", lib_dir())
            .output()
            .expect("running sample_decode");
        let text = show(&output);
        if !output.status.success() {
            println!("{name}:\n{text}");
        }
        if !output.status.success() {
            failures.push(format!("{name}: sample_decode failed ({})", output.status));
            continue;
        }
        let yuv = std::fs::read(&out).unwrap_or_default();
        let want = expected(input);
        let (w, h) = picture_size(input);
        let frame = w * h + 2 * w.div_ceil(2) * h.div_ceil(2);
        let got: Vec<String> = yuv.chunks(frame).map(|f| format!("{:x}", Md5::digest(f))).collect();
        if got != want {
            failures.push(format!("{name}: {} frames of {w}x{h}, {} expected; MD5s differ", got.len(), want.len()));
        }
    }
    assert!(failures.is_empty(), "sample_decode on vplrs:\n{}", failures.join("\n"));
    println!("sample_decode on vplrs: {} vectors bit-exact", single_size.len());
}

/// The distinct picture sizes of a stream's key frames.
fn key_frame_sizes(path: &Path) -> std::collections::BTreeSet<(u32, u32)> {
    let file = std::io::BufReader::new(std::fs::File::open(path).expect("ivf"));
    let mut reader = vplrs_vp8::ivf::IvfReader::new(file).expect("ivf header");
    let mut sizes = std::collections::BTreeSet::new();
    while let Ok(Some(frame)) = reader.next_frame() {
        if let Ok(info) = vplrs_vp8::peek_stream_info(&frame.data) {
            sizes.insert((info.width, info.height));
        }
    }
    sizes
}

/// The picture size of an IVF file's header.
fn picture_size(path: &Path) -> (usize, usize) {
    let data = std::fs::read(path).expect("ivf");
    (usize::from(u16::from_le_bytes([data[12], data[13]])), usize::from(u16::from_le_bytes([data[14], data[15]])))
}
