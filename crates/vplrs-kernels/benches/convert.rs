//! Frames per second of the two conversions a decode-and-scale pipeline spends most time in:
//! 1080p NV12 to 720p NV12, and 1080p NV12 to 1080p RGB4. Criterion's "elem/s" is frames/s.
//! `bench/vpp_vs_swscale.sh` puts the same figures next to swscale's.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use vplrs_kernels::{ColorSpec, Converter, Rect};
use vplrs_memory::{FourCc, FrameInfo, FrameLayout, FrameView, FrameViewMut, LayoutOptions, Plane, PlaneMut};

fn layout(fourcc: FourCc, width: u32, height: u32) -> FrameLayout {
    FrameLayout::new(&FrameInfo::new(fourcc, width, height), LayoutOptions::default()).expect("layout")
}

fn view<'a>(layout: &FrameLayout, buf: &'a [u8]) -> FrameView<'a> {
    let planes: Vec<Plane<'_>> = layout
        .planes()
        .iter()
        .map(|p| Plane::new(&buf[p.offset..], p.pitch, p.row_bytes, p.rows).expect("plane"))
        .collect();
    FrameView::new(layout.fourcc, layout.width, layout.height, &planes).expect("view")
}

fn view_mut<'a>(layout: &FrameLayout, buf: &'a mut [u8]) -> FrameViewMut<'a> {
    let mut planes = Vec::new();
    let mut rest = buf;
    let mut at = 0;
    for p in layout.planes() {
        let (_, tail) = std::mem::take(&mut rest).split_at_mut(p.offset - at);
        let (mine, tail) = tail.split_at_mut(p.span());
        at = p.offset + p.span();
        rest = tail;
        planes.push(PlaneMut::new(mine, p.pitch, p.row_bytes, p.rows).expect("plane"));
    }
    FrameViewMut::new(layout.fourcc, layout.width, layout.height, planes).expect("view")
}

fn rect(width: u32, height: u32) -> Rect {
    Rect { x: 0, y: 0, width, height }
}

fn bench(c: &mut Criterion) {
    let src_layout = layout(FourCc::Nv12, 1920, 1080);
    let src_buf: Vec<u8> = (0..src_layout.size).map(|i| (i * 7 % 251) as u8).collect();
    let src = view(&src_layout, &src_buf);
    let spec = ColorSpec::BT601_LIMITED;
    let mut group = c.benchmark_group("nv12_1080p");
    group.throughput(Throughput::Elements(1));
    for (name, fourcc, (w, h)) in
        [("to_nv12_720p", FourCc::Nv12, (1280, 720)), ("to_rgb4_1080p", FourCc::Rgb4, (1920, 1080))]
    {
        let dst_layout = layout(fourcc, w, h);
        let mut dst_buf = vec![0u8; dst_layout.size];
        let mut dst = view_mut(&dst_layout, &mut dst_buf);
        let mut conv = Converter::new();
        group.bench_function(name, |b| {
            b.iter(|| conv.convert(&src, rect(1920, 1080), spec, &mut dst, rect(w, h), spec).expect("convert"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
