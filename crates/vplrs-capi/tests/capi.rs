//! Drives `libvplrs.so` from C, as oneVPL applications do.
//!
//! - `tests/c/direct_abi.c` loads the library with dlopen (no dispatcher): sessions that are not
//!   sessions, NULL arguments, the description handles, join/priority, core before Init.
//! - `tests/c/surface_contract.c` and `tests/c/allocator_contract.c` link Intel's dispatcher
//!   (`-lvpl`) and select vplrs with its filters (`ONEVPL_SEARCH_PATH`): refcount and map rules, the
//!   pool interface and policies with Wait, GetSurfaceFor* before Init, bad parameters, VPP with
//!   runtime and application surfaces, the external allocator's calls balanced.
//! - `tests/c/decode_vp8.c` decodes every VP8 conformance vector through the dispatcher, with NULL
//!   work surfaces (2.x) and with application surfaces (1.x), printing per-frame MD5s compared here
//!   with the `.ivf.md5` files; `tests/c/decode_contract.c` checks the decode API's documented
//!   answers; `tests/c/xma_api.c` links `libvplrs.so` and drives the XMA interface
//!   (`include/vplrs_xma.h`); Intel's `sample_decode` decodes vectors on vplrs (tests/decode.rs).
//! - `tests/c/decode_vpp_contract.c` drives decode+VPP (`MFXVideoDECODE_VPP_*`) on an H.265
//!   stream ffmpeg makes, checked against ffmpeg's decode (tests/capi/decode_vpp.rs).
//! - `tests/c/decode_stream.c` decodes H.264, H.265, VP9, AV1 and JPEG streams made at test time
//!   (tests/capi/streams.rs), as does Intel's `sample_decode`, bit-exact with ffmpeg; damaged
//!   streams get documented answers; `tests/c/guard_pages.c` feeds them from buffers that end at
//!   a PROT_NONE page; `tests/c/fault_injection.c` fails the application allocator's k-th call
//!   for every k; `tests/c/init_close_cycles.c` and `decode_hints.c` check Init/Close cycles of
//!   every decoder, encoder and VPP, and the pool Wait; `tests/c/abi_random.c` makes random calls
//!   and replays the libFuzzer corpus of `fuzz/`.
//! - Intel's `sample_decode` at widths where libavcodec's alignment changes the code path, three
//!   runs of each, one answer: ffmpeg's; `tests/c/decode_app_allocator.c`, an application
//!   allocator that hands its own frames back for the runtime's requests (tests/capi/races.rs); and on streams whose resolution
//!   changes up and down, every picture at its own size (tests/capi/resolution.rs).
//! - `tests/run_intel_examples.sh` builds Intel's examples and runs them on vplrs (skipped, with a
//!   message, only when cmake or the examples are not installed).
//!
//! The library tested is the one cargo built next to this test (`target/<profile>/libvplrs.so`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

#[path = "capi/decode.rs"]
mod decode;
#[path = "capi/decode_vpp.rs"]
mod decode_vpp;
#[path = "capi/encode.rs"]
mod encode;
#[path = "capi/races.rs"]
mod races;
#[path = "capi/resolution.rs"]
mod resolution;
#[path = "capi/streams.rs"]
mod streams;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `target/<profile>`: the test binary lives in its `deps/`.
fn lib_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("current_exe");
    let dir = exe.parent().and_then(Path::parent).expect("target/<profile>").to_path_buf();
    let lib = dir.join("libvplrs.so");
    let hint = "cargo does not build a cdylib for integration tests: run `cargo build -p vplrs-capi` \
                (with --release for `cargo test --release`) before the tests";
    let built = std::fs::metadata(&lib).and_then(|m| m.modified());
    let built = built.unwrap_or_else(|_| panic!("{} is missing: {hint}", lib.display()));
    let newest_source = newest_modification(&manifest_dir().join("src")).expect("sources");
    assert!(built >= newest_source, "{} is older than the sources: {hint}", lib.display());
    dir
}

/// The latest modification time of the files under `dir`, in every folder.
fn newest_modification(dir: &Path) -> Option<std::time::SystemTime> {
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let metadata = entry.metadata().ok()?;
            if metadata.is_dir() {
                newest_modification(&entry.path())
            } else {
                metadata.modified().ok()
            }
        })
        .max()
}

fn show(output: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

/// Compiles `tests/c/<name>.c` against the installed headers and Intel's dispatcher.
fn compile(name: &str) -> PathBuf {
    compile_with(name, &["-lvpl".into(), "-ldl".into()])
}

/// Compiles `tests/c/<name>.c` with `libs` as the link arguments.
fn compile_with(name: &str, libs: &[std::ffi::OsString]) -> PathBuf {
    compile_as(name, name, libs)
}

/// [`compile_with`] into the program `program`: tests running at once that build the same source
/// each need their own binary (one would run it while the other writes it: ETXTBSY).
fn compile_as(name: &str, program: &str, libs: &[std::ffi::OsString]) -> PathBuf {
    let source_dir = manifest_dir().join("tests/c");
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(program);
    let output = Command::new(std::env::var("CC").unwrap_or_else(|_| "cc".to_owned()))
        .args(["-std=c11", "-Wall", "-Wextra", "-Werror", "-O1", "-g"])
        .arg("-I")
        .arg(&source_dir)
        .arg("-I")
        .arg(manifest_dir().join("include"))
        .arg("-o")
        .arg(&out)
        .arg(source_dir.join(format!("{name}.c")))
        .args(libs)
        .output()
        .expect("running the C compiler (apt-get install build-essential libvpl-dev)");
    assert!(output.status.success(), "compiling {name}.c failed:\n{}", show(&output));
    out
}

/// Runs a test program with vplrs as the dispatcher's only runtime; returns its standard output.
fn run(program: &Path, args: &[&Path]) -> String {
    let output = Command::new(program)
        .args(args)
        .env("ONEVPL_SEARCH_PATH", lib_dir())
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", program.display()));
    let text = show(&output);
    println!("{text}");
    assert!(output.status.success(), "{} failed ({}):\n{text}", program.display(), output.status);
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn direct_abi() {
    let program = compile("direct_abi");
    let _ = run(&program, &[&lib_dir().join("libvplrs.so")]);
}

#[test]
fn surface_contract_through_the_dispatcher() {
    let _ = run(&compile("surface_contract"), &[]);
}

/// The misuses `surface_contract.c` commits on purpose are logged with their stable ids
/// (docs/contract-violations.md) when `VPLRS_LOG` asks for warnings.
#[test]
fn contract_violations_are_logged_with_their_ids() {
    let output =
        Command::new(compile_as("surface_contract", "surface_contract_logged", &["-lvpl".into(), "-ldl".into()]))
            .env("ONEVPL_SEARCH_PATH", lib_dir())
            .env("VPLRS_LOG", "warn")
            .output()
            .expect("surface_contract");
    let log = show(&output);
    assert!(output.status.success(), "{log}");
    let doc = std::fs::read_to_string(manifest_dir().join("../../docs/contract-violations.md")).expect("the doc page");
    for id in ["VPLRS-E001", "VPLRS-E002", "VPLRS-E005", "VPLRS-E007", "VPLRS-E008"] {
        assert!(log.contains(id), "{id} not logged:\n{log}");
        assert!(doc.contains(&format!("| {id} |")), "{id} is not in docs/contract-violations.md");
    }
    // Checks shared by many exports name the export they ran in.
    for id in ["VPLRS-E007", "VPLRS-E008"] {
        let line = log.lines().find(|line| line.contains(id)).unwrap_or_default();
        assert!(line.contains(&format!("{id} in MFX")), "{id} does not name its function: {line}");
    }
}

#[test]
fn allocator_contract_through_the_dispatcher() {
    let _ = run(&compile("allocator_contract"), &[]);
}

/// Runs `tests/<script>` on the library in a fresh work directory `work`; exit 77 is a skip
/// (cmake, a compiler or the examples missing), anything else but 0 a failure.
fn run_examples_script(script: &str, work: &str) {
    let work = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(work);
    let _ = std::fs::remove_dir_all(&work);
    let output = Command::new("bash")
        .arg(manifest_dir().join("tests").join(script))
        .arg(lib_dir())
        .arg(&work)
        .output()
        .expect("running bash");
    let text = show(&output);
    println!("{text}");
    match output.status.code() {
        Some(0) => {}
        Some(77) => eprintln!("{script} skipped: {}", text.lines().last().unwrap_or_default()),
        _ => panic!("{script} failed ({}):\n{text}", output.status),
    }
}

#[test]
fn intel_examples_run_on_vplrs() {
    run_examples_script("run_intel_examples.sh", "intel-examples");
}

/// Five 320x240 H.264 pictures (x264) in this test binary's temporary directory.
fn h264_clip(name: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let made = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-frames:v", "5"])
        .args(["-c:v", "libx264", "-f", "h264"])
        .arg(&path)
        .status()
        .expect("running ffmpeg");
    assert!(made.success());
    path
}

/// `tests/c/sharing_opencl.c`: API 2.10 surface sharing with OpenCL (PoCL in CI) through Intel's
/// dispatcher: exports of a decoded frame, a VPP input and a VPP output against Map, a kernel's
/// writes seen through Map, imports for VPP input and for encode with B-frames, the images'
/// reference counts restored, every bad input's code; the capability report read directly. Then
/// again with no OpenCL platform (`OCL_ICD_VENDORS` pointing nowhere): nothing listed, export
/// answers MFX_ERR_UNSUPPORTED. Twice each: a race shows as a different answer.
#[test]
fn surface_sharing_with_opencl_through_the_dispatcher() {
    let program = compile_with("sharing_opencl", &["-lvpl".into(), "-ldl".into(), "-lOpenCL".into()]);
    let work = h264_clip("sharing_opencl.h264");
    let library = lib_dir().join("libvplrs.so");
    let encoded = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("sharing_opencl_encoded.h264");
    for _ in 0..2 {
        let _ = run(&program, &[&library, &work, &encoded]);
        // The encoder (B-frames) read every imported image while it held it, in order: frame i
        // is flat luma 16 + 16 i, though the application released its images right after import.
        let means = Command::new("ffmpeg")
            .args(["-v", "error", "-i"])
            .arg(&encoded)
            .args(["-vf", "signalstats,metadata=print:key=lavfi.signalstats.YAVG:file=-", "-f", "null", "-"])
            .output()
            .expect("ffmpeg");
        let means: Vec<f64> = String::from_utf8_lossy(&means.stdout)
            .lines()
            .filter_map(|line| line.strip_prefix("lavfi.signalstats.YAVG="))
            .filter_map(|value| value.trim().parse().ok())
            .collect();
        assert_eq!(means.len(), 12, "12 pictures encoded from imported images: {means:?}");
        for (index, mean) in means.iter().enumerate() {
            let expected = 16.0 + 16.0 * index as f64;
            assert!((mean - expected).abs() < 1.5, "picture {index}: mean luma {mean}, expected {expected}");
        }
        let output = Command::new(&program)
            .arg(&library)
            .arg("none")
            .env("ONEVPL_SEARCH_PATH", lib_dir())
            .env("OCL_ICD_VENDORS", "/nonexistent")
            .output()
            .expect("running sharing_opencl");
        assert!(output.status.success(), "without OpenCL:\n{}", show(&output));
    }
}

/// `tests/c/sharing_vulkan.c`: API 2.10 surface sharing with Vulkan (lavapipe in CI) through
/// Intel's dispatcher: a VPP output exported shared (the image's memory is Map's) and copied,
/// release orders both ways, a linear image imported for VPP input shared and copied, bad inputs'
/// codes, the capability report. Then with no Vulkan driver (`VK_ICD_FILENAMES` pointing
/// nowhere): nothing listed, export answers MFX_ERR_UNSUPPORTED. Twice each.
#[test]
fn surface_sharing_with_vulkan_through_the_dispatcher() {
    let program = compile_with("sharing_vulkan", &["-lvpl".into(), "-ldl".into(), "-lvulkan".into()]);
    let library = lib_dir().join("libvplrs.so");
    for _ in 0..2 {
        let _ = run(&program, &[&library]);
        let output = Command::new(&program)
            .arg(&library)
            .arg("none")
            .env("ONEVPL_SEARCH_PATH", lib_dir())
            .env("VK_ICD_FILENAMES", "/nonexistent")
            .env("VK_DRIVER_FILES", "/nonexistent")
            .output()
            .expect("running sharing_vulkan");
        assert!(output.status.success(), "without Vulkan:\n{}", show(&output));
    }
}

/// The two sharing programs under valgrind: no invalid access (only the loader's own reports in
/// `tests/valgrind/icd.supp` are suppressed), and no block allocated by libvplrs definitely lost
/// (the drivers' own one-time allocations are theirs). Skipped where valgrind is not installed.
#[test]
fn surface_sharing_under_valgrind() {
    if Command::new("valgrind").arg("--version").output().is_err() {
        eprintln!("no valgrind: skipped");
        return;
    }
    let work = h264_clip("sharing_valgrind.h264");
    let library = lib_dir().join("libvplrs.so");
    let suppressions = manifest_dir().join("tests/valgrind/icd.supp");
    let programs = [
        (
            compile_as(
                "sharing_opencl",
                "sharing_opencl_valgrind",
                &["-lvpl".into(), "-ldl".into(), "-lOpenCL".into()],
            ),
            Some(work.as_path()),
        ),
        (
            compile_as(
                "sharing_vulkan",
                "sharing_vulkan_valgrind",
                &["-lvpl".into(), "-ldl".into(), "-lvulkan".into()],
            ),
            None,
        ),
    ];
    for (program, input) in programs {
        let output = Command::new("valgrind")
            .args(["--tool=memcheck", "--leak-check=full", "--keep-debuginfo=yes", "--errors-for-leak-kinds=none"])
            .arg("--error-exitcode=99")
            .arg(format!("--suppressions={}", suppressions.display()))
            .arg(&program)
            .arg(&library)
            .args(input)
            .env("ONEVPL_SEARCH_PATH", lib_dir())
            .output()
            .expect("running valgrind");
        let report = String::from_utf8_lossy(&output.stderr);
        assert!(output.status.success(), "{} under valgrind:\n{}", program.display(), show(&output));
        // Each loss record runs from its "definitely lost" line to the next empty "==pid== " line.
        let mut ours = Vec::new();
        let mut record: Option<String> = None;
        for line in report.lines() {
            if line.contains("definitely lost in loss record") {
                record = Some(String::new());
            }
            if let Some(text) = record.as_mut() {
                text.push_str(line);
                text.push('\n');
                if line.trim_end().ends_with("==") && line.split("==").nth(2).is_some_and(|rest| rest.trim().is_empty())
                {
                    if text.contains("vplrs") {
                        ours.push(text.clone());
                    }
                    record = None;
                }
            }
        }
        assert!(
            ours.is_empty(),
            "{}: memory allocated by libvplrs definitely lost:\n{}",
            program.display(),
            ours.join("\n")
        );
    }
}
