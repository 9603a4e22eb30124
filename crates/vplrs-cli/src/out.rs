//! Where the tool writes: data (frames, MD5s, `info`) on standard output or a file, talk
//! (summaries, warnings) on standard error. A reader that goes away (`vplrs info | head -1`)
//! ends the run quietly, as command-line tools in a pipe do.

use std::io::Write;

/// Writes one line of data to standard output; a closed pipe ends the process quietly.
pub fn line(args: std::fmt::Arguments<'_>) {
    let mut stdout = std::io::stdout().lock();
    if let Err(error) = writeln!(stdout, "{args}") {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("vplrs: writing to standard output: {error}");
        std::process::exit(1);
    }
}

/// The files this run created, for [`remove_empty_outputs`].
static CREATED: std::sync::Mutex<Vec<std::path::PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Creates the output file `path`; `-` is standard output.
pub fn create(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    if path.as_os_str() == "-" {
        return std::fs::OpenOptions::new().write(true).open("/dev/stdout");
    }
    let file = std::fs::File::create(path)?;
    CREATED.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(path.to_path_buf());
    Ok(file)
}

/// A failed run keeps what it completed, but leaves no empty output file that looks like a result.
pub fn remove_empty_outputs() {
    for path in CREATED.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).drain(..) {
        if std::fs::metadata(&path).is_ok_and(|metadata| metadata.is_file() && metadata.len() == 0) {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// True when `error` comes from writing to a pipe whose reader went away.
pub fn is_closed_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// `println!` for data: see [`line`].
macro_rules! data {
    ($($arg:tt)*) => {
        $crate::out::line(format_args!($($arg)*))
    };
}
pub(crate) use data;

/// The warning for a stream that ends inside a frame, after `complete` whole frames.
pub fn warn_truncated(path: &std::path::Path, complete: u64) {
    eprintln!("vplrs: warning: {} ends inside a frame; the {complete} frames before it were decoded", path.display());
}
