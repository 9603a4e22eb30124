//! Times the conversions `bench/vpp_vs_swscale.sh` compares with swscale, single-threaded, and
//! prints frames per second in the same format as that script's swscale timer.
//!
//! `cargo run --release -p vplrs-kernels --example convert_bench -- [frames]`

use std::time::Instant;

use vplrs_kernels::{ColorSpec, Converter, Rect};
use vplrs_memory::{FourCc, FrameInfo, FrameLayout, FrameView, FrameViewMut, LayoutOptions, Plane, PlaneMut};

/// A frame laid out as a surface pool lays it out, in one buffer.
struct Frame {
    layout: FrameLayout,
    buf: Vec<u8>,
}

impl Frame {
    fn new(fourcc: FourCc, width: u32, height: u32) -> Self {
        let layout =
            FrameLayout::new(&FrameInfo::new(fourcc, width, height), LayoutOptions::default()).expect("layout");
        Self { buf: vec![0; layout.size], layout }
    }

    fn view(&self) -> FrameView<'_> {
        let planes: Vec<Plane<'_>> = self
            .layout
            .planes()
            .iter()
            .map(|p| Plane::new(&self.buf[p.offset..], p.pitch, p.row_bytes, p.rows).expect("plane"))
            .collect();
        FrameView::new(self.layout.fourcc, self.layout.width, self.layout.height, &planes).expect("view")
    }

    fn view_mut(&mut self) -> FrameViewMut<'_> {
        let mut planes = Vec::new();
        let mut rest: &mut [u8] = &mut self.buf;
        let mut at = 0;
        for p in self.layout.planes() {
            let (_, tail) = std::mem::take(&mut rest).split_at_mut(p.offset - at);
            let (mine, tail) = tail.split_at_mut(p.span());
            at = p.offset + p.span();
            rest = tail;
            planes.push(PlaneMut::new(mine, p.pitch, p.row_bytes, p.rows).expect("plane"));
        }
        FrameViewMut::new(self.layout.fourcc, self.layout.width, self.layout.height, planes).expect("view")
    }
}

fn rect(width: u32, height: u32) -> Rect {
    Rect { x: 0, y: 0, width, height }
}

/// The same synthetic pattern the swscale timer uses: diagonal ramps in every plane.
fn pattern(frame: &mut Frame) {
    let planes: Vec<_> = frame.layout.planes().to_vec();
    for (i, p) in planes.iter().enumerate() {
        for y in 0..p.rows {
            for x in 0..p.row_bytes {
                frame.buf[p.offset + y * p.pitch + x] = if i == 0 { (x + y) as u8 } else { (x * 3 + y) as u8 };
            }
        }
    }
}

fn run(name: &str, frames: u32, dst_fourcc: FourCc, (dw, dh): (u32, u32)) {
    let mut src = Frame::new(FourCc::Nv12, 1920, 1080);
    pattern(&mut src);
    let mut dst = Frame::new(dst_fourcc, dw, dh);
    let mut conv = Converter::new();
    let spec = ColorSpec::BT601_LIMITED;
    let src_view = src.view();
    let mut dst_view = dst.view_mut();
    let mut once =
        || conv.convert(&src_view, rect(1920, 1080), spec, &mut dst_view, rect(dw, dh), spec).expect("convert");
    for _ in 0..10 {
        once();
    }
    // Timed in batches: the median batch is the figure, robust to other load on the machine.
    let mut batches: Vec<f64> = (0..frames.div_ceil(BATCH))
        .map(|_| {
            let start = Instant::now();
            (0..BATCH).for_each(|_| once());
            start.elapsed().as_secs_f64() / f64::from(BATCH)
        })
        .collect();
    batches.sort_by(f64::total_cmp);
    let (median, best) = (batches[batches.len() / 2], batches[0]);
    println!(
        "vplrs   {name:<24} median {:7.1} fps  best {:7.1} fps  ({:.3} ms/frame)",
        1.0 / median,
        1.0 / best,
        median * 1e3
    );
}

/// Frames per timed batch.
const BATCH: u32 = 10;

fn main() {
    let frames = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(300);
    // An optional second argument runs only the cases whose name contains it.
    let only = std::env::args().nth(2).unwrap_or_default();
    let cases = [
        ("nv12 1080p->720p nv12", FourCc::Nv12, (1280, 720)),
        ("nv12 1080p->1080p bgra", FourCc::Rgb4, (1920, 1080)),
        ("nv12 1080p->720p bgra", FourCc::Rgb4, (1280, 720)),
    ];
    for (name, fourcc, size) in cases.into_iter().filter(|c| c.0.contains(only.as_str())) {
        run(name, frames, fourcc, size);
    }
}
