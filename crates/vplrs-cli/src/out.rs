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

/// An output file whose write errors name it ("writing /dev/full: No space left on device"), their
/// kind kept (a closed pipe is still recognised).
pub struct OutputFile {
    file: std::fs::File,
    name: String,
}

impl OutputFile {
    fn named(&self, error: std::io::Error) -> std::io::Error {
        std::io::Error::new(error.kind(), format!("writing {}: {error}", self.name))
    }
}

impl std::io::Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.write(buf).map_err(|error| self.named(error))
    }

    fn write_vectored(&mut self, bufs: &[std::io::IoSlice<'_>]) -> std::io::Result<usize> {
        self.file.write_vectored(bufs).map_err(|error| self.named(error))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush().map_err(|error| self.named(error))
    }
}

impl std::io::Seek for OutputFile {
    fn seek(&mut self, position: std::io::SeekFrom) -> std::io::Result<u64> {
        self.file.seek(position)
    }
}

/// Creates the output file `path`; `-` is standard output.
pub fn create(path: &std::path::Path) -> std::io::Result<OutputFile> {
    let name = if path.as_os_str() == "-" { "standard output".to_owned() } else { path.display().to_string() };
    let file = if path.as_os_str() == "-" {
        std::fs::OpenOptions::new().write(true).open("/dev/stdout")?
    } else {
        let file = std::fs::File::create(path)?;
        CREATED.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(path.to_path_buf());
        file
    };
    Ok(OutputFile { file, name })
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
