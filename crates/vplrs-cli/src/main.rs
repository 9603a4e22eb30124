//! `vplrs`: the command-line face of vplrs — inspect the implementation and run its components.

mod decode;
mod decode_stream;
mod encode;
mod info;
mod opencl_filter;
mod out;
mod overlay;
mod pattern;
mod rawio;
mod source;
mod streams;
mod transcode;
mod vpp;
mod y4m;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(name = "vplrs", version, about = "oneVPL memory model and video components in Rust")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Say more on standard error: the components' log (info level, unless RUST_LOG says
    /// otherwise) and the encoders' own banners (SVT-AV1's), which are silent without it.
    #[arg(short, long, global = true)]
    verbose: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Implementation, formats, VPP filters and pool policies.
    Info,
    /// Colour conversion, crop and resize through the VPP component.
    Vpp(vpp::VppArgs),
    /// Decode a stream (VP8 IVF; H.264, H.265, VP9, AV1, JPEG through libavcodec) through the decode
    /// component.
    Decode(decode::DecodeArgs),
    /// Encode raw frames (y4m, raw, or the built-in pattern) to H.264, H.265, AV1 or JPEG.
    Encode(encode::EncodeArgs),
    /// Decode, scale (VPP) and encode a stream in one session (default: the built-in pattern).
    Transcode(transcode::TranscodeArgs),
}

/// Which memory model the tool uses for its frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum MemoryModel {
    /// Surfaces from the runtime's own pools.
    Internal,
    /// Surfaces from an application allocator (mem ids, locked while accessed).
    External,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    if !cli.verbose && std::env::var_os("SVT_LOG").is_none() {
        // SVT-AV1 prints its banner at every encoder start; level 1 keeps its errors. Set while the
        // tool has one thread, before any encoder runs.
        std::env::set_var("SVT_LOG", "1");
    }
    let filter = match std::env::var_os("RUST_LOG") {
        None if cli.verbose => tracing_subscriber::EnvFilter::new("info"),
        _ => tracing_subscriber::EnvFilter::from_default_env(),
    };
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
    let result = match cli.command {
        Command::Info => info::run(),
        Command::Vpp(args) => vpp::run(&args),
        Command::Decode(args) => decode::run(&args),
        Command::Encode(args) => encode::run(&args),
        Command::Transcode(args) => transcode::run(&args),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        // The reader of our output went away (`| head`): nothing more to say.
        Err(error) if out::is_closed_pipe(&error) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            out::remove_empty_outputs();
            eprintln!("vplrs: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
