//! Decodes an IVF file. Usage:
//! `vp8dec [--md5] [--xma] [--threads N] [--bench N] [-o out.i420] file.ivf`
//!
//! `--md5` prints one MD5 per shown frame (like `vpxdec --md5 --i420` with
//! per-frame output), `--bench N` decodes the file N times and reports the
//! time spent in the decoder.

use std::io::Write;
use std::time::{Duration, Instant};

use md5::{Digest, Md5};
use vplrs_vp8::ivf::IvfReader;
use vplrs_vp8::{peek_stream_info, AlignedBuffer, Decoder, MemMapCursor, Segment};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (mut md5, mut xma, mut bench, mut out, mut path) = (false, false, 1usize, None, None);
    let mut threads = 1;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--md5" => md5 = true,
            "--xma" => xma = true,
            "--bench" => bench = args.next().ok_or("--bench N")?.parse()?,
            "--threads" => threads = args.next().ok_or("--threads N")?.parse()?,
            "-o" => out = Some(args.next().ok_or("-o FILE")?),
            _ => path = Some(a),
        }
    }
    let path = path.ok_or("missing input file")?;
    let mut frames = Vec::new();
    for f in IvfReader::new(std::io::BufReader::new(std::fs::File::open(&path)?))? {
        frames.push(f?.data);
    }
    let mut out = match out {
        Some(p) => Some(std::io::BufWriter::new(std::fs::File::create(p)?)),
        None => None,
    };
    let mut total = Duration::ZERO;
    let mut best = Duration::MAX;
    for run in 0..bench {
        let before = total;
        let mut dec = if xma {
            let info = peek_stream_info(frames.first().ok_or("no frames")?)?;
            let mut d = Decoder::new_xma(&info)?;
            let mut c = MemMapCursor::default();
            while let Some(r) = d.get_mem_map(&mut c) {
                d.set_segment(Segment::new(r.id, Box::new(AlignedBuffer::for_request(&r))))?;
            }
            d
        } else {
            Decoder::new()
        };
        dec.set_threads(threads);
        let mut n = 0;
        for data in &frames {
            let t = Instant::now();
            let res = dec.decode(data);
            total += t.elapsed();
            // A damaged frame is still shown, as vpxdec does.
            let res = match res {
                Err(vplrs_vp8::DecodeError::Damaged { shown: true }) => {
                    eprintln!("frame {}: damaged", n + 1);
                    Ok(dec.last_frame())
                }
                r => r,
            };
            match res {
                Ok(Some(frame)) => {
                    n += 1;
                    if run == 0 {
                        if md5 {
                            let mut h = Md5::new();
                            for p in 0..3 {
                                for row in frame.rows(p) {
                                    h.update(row);
                                }
                            }
                            println!("{:x}  frame-{:04}", h.finalize(), n);
                        }
                        if let Some(o) = out.as_mut() {
                            frame.write_i420(o)?;
                        }
                    }
                }
                Ok(None) => {}
                Err(e) => eprintln!("frame {}: {e}", n + 1),
            }
        }
        best = best.min(total - before);
    }
    if let Some(mut o) = out {
        o.flush()?;
    }
    if bench > 1 {
        eprintln!(
            "{} runs, {} frames each: {:.3} ms/run average, {:.3} ms best",
            bench,
            frames.len(),
            total.as_secs_f64() * 1000.0 / bench as f64,
            best.as_secs_f64() * 1000.0
        );
    }
    Ok(())
}
