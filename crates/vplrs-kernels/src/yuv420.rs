//! Fast paths among the 8-bit 4:2:0 formats (NV12, I420, YV12): crop, resize, and moving chroma
//! between interleaved and planar, all in 8-bit fixed point with no colour math (the colour
//! spec is the same on both sides). Also the scratch NV12 frame other fast paths stage through.

use vplrs_memory::{FourCc, FrameView, FrameViewMut, PlaneMut, Rect};

use crate::resize_u8::{self, DstU8, SrcU8};
use crate::taps::{axis_map, AxisMap, TapsCache};

/// Chroma of an 8-bit 4:2:0 frame.
#[derive(Clone, Copy)]
pub(crate) enum Chroma<'a> {
    Interleaved(SrcU8<'a>),
    Planar { u: SrcU8<'a>, v: SrcU8<'a> },
}

/// An 8-bit 4:2:0 frame to read.
#[derive(Clone, Copy)]
pub(crate) struct Yuv420<'a> {
    pub y: SrcU8<'a>,
    pub chroma: Chroma<'a>,
}

pub(crate) enum ChromaMut<'a> {
    Interleaved(DstU8<'a>),
    Planar { u: DstU8<'a>, v: DstU8<'a> },
}

/// An 8-bit 4:2:0 frame to write.
pub(crate) struct Yuv420Mut<'a> {
    pub y: DstU8<'a>,
    pub chroma: ChromaMut<'a>,
}

pub(crate) fn is_yuv420_8(f: FourCc) -> bool {
    matches!(f, FourCc::Nv12 | FourCc::I420 | FourCc::Yv12)
}

impl<'a> Yuv420<'a> {
    pub fn of(view: &FrameView<'a>) -> Option<Self> {
        let p = |i: usize| {
            let plane = view.plane(i);
            SrcU8 { data: plane.data(), pitch: plane.pitch() }
        };
        let chroma = match view.fourcc {
            FourCc::Nv12 => Chroma::Interleaved(p(1)),
            FourCc::I420 => Chroma::Planar { u: p(1), v: p(2) },
            FourCc::Yv12 => Chroma::Planar { u: p(2), v: p(1) },
            _ => return None,
        };
        Some(Self { y: p(0), chroma })
    }
}

fn dst_of<'a>(plane: &'a mut PlaneMut<'_>) -> DstU8<'a> {
    let pitch = plane.pitch();
    DstU8 { data: plane.data_mut(), pitch }
}

impl<'a> Yuv420Mut<'a> {
    pub fn of(view: &'a mut FrameViewMut<'_>) -> Option<Self> {
        let fourcc = view.fourcc;
        let (y, chroma) = match (fourcc, view.planes_mut()) {
            (FourCc::Nv12, [y, uv]) => (dst_of(y), ChromaMut::Interleaved(dst_of(uv))),
            (FourCc::I420, [y, u, v]) => (dst_of(y), ChromaMut::Planar { u: dst_of(u), v: dst_of(v) }),
            (FourCc::Yv12, [y, v, u]) => (dst_of(y), ChromaMut::Planar { u: dst_of(u), v: dst_of(v) }),
            _ => return None,
        };
        Some(Self { y, chroma })
    }
}

/// A tightly packed NV12 frame in scratch memory that stages multi-step conversions.
#[derive(Debug, Default)]
pub(crate) struct Nv12Buf {
    y: Vec<u8>,
    uv: Vec<u8>,
    width: usize,
}

impl Nv12Buf {
    /// The buffer as a `width` x `height` frame; grows (allocates) only past the largest size seen.
    pub fn frame(&mut self, width: u32, height: u32) -> Yuv420Mut<'_> {
        let (w, h) = (width as usize, height as usize);
        self.width = w;
        self.y.resize(w * h, 0);
        self.uv.resize(w.div_ceil(2) * 2 * h.div_ceil(2), 0);
        Yuv420Mut {
            y: DstU8 { data: &mut self.y, pitch: w },
            chroma: ChromaMut::Interleaved(DstU8 { data: &mut self.uv, pitch: w.div_ceil(2) * 2 }),
        }
    }

    pub fn view(&self) -> Yuv420<'_> {
        let w = self.width;
        Yuv420 {
            y: SrcU8 { data: &self.y, pitch: w },
            chroma: Chroma::Interleaved(SrcU8 { data: &self.uv, pitch: w.div_ceil(2) * 2 }),
        }
    }
}

/// A tightly packed NV16 frame (4:2:2, chroma interleaved): the chroma of a scale to RGB.
#[derive(Debug, Default)]
pub(crate) struct Nv16Buf {
    y: Vec<u8>,
    uv: Vec<u8>,
    width: usize,
}

impl Nv16Buf {
    /// The buffer as a `width` x `height` frame; grows only past the largest size seen.
    pub fn frame(&mut self, width: u32, height: u32) -> (DstU8<'_>, DstU8<'_>, Rect) {
        let (w, h) = (width as usize, height as usize);
        self.width = w;
        self.y.resize(w * h, 0);
        self.uv.resize(w.div_ceil(2) * 2 * h, 0);
        let rect = Rect { x: 0, y: 0, width, height };
        (DstU8 { data: &mut self.y, pitch: w }, DstU8 { data: &mut self.uv, pitch: w.div_ceil(2) * 2 }, rect)
    }

    /// Its luma and interleaved chroma planes.
    pub fn planes(&self) -> (SrcU8<'_>, SrcU8<'_>) {
        let w = self.width;
        (SrcU8 { data: &self.y, pitch: w }, SrcU8 { data: &self.uv, pitch: w.div_ceil(2) * 2 })
    }
}

/// Crops and resizes `src_rect` of a 4:2:0 frame into a whole NV16 frame: luma as [`scale`]
/// does, chroma to half the width and the full height.
pub(crate) fn scale_to_422(
    src: &Yuv420<'_>,
    src_rect: Rect,
    (y, uv, dst_rect): (DstU8<'_>, DstU8<'_>, Rect),
    cache: &mut TapsCache,
    s: &mut Scratch,
) {
    let [yh, yv, ch, _] = maps(src_rect, dst_rect);
    let cv = axis_map((src_rect.y, src_rect.height), 1, (dst_rect.y, dst_rect.height), 0);
    plane::<1>(src.y, y, yh, yv, cache, &mut s.rows);
    match src.chroma {
        Chroma::Interleaved(a) => plane::<2>(a, uv, ch, cv, cache, &mut s.rows),
        Chroma::Planar { u, v } => {
            // Each plane resized into scratch, then interleaved.
            let (w, h) = (ch.out_len as usize, cv.out_len as usize);
            fit(&mut s.u, w * h);
            fit(&mut s.v, w * h);
            plane::<1>(u, DstU8 { data: &mut s.u, pitch: w }, ch, cv, cache, &mut s.rows);
            plane::<1>(v, DstU8 { data: &mut s.v, pitch: w }, ch, cv, cache, &mut s.rows);
            for (row, (ru, rv)) in uv.data.chunks_mut(uv.pitch).zip(s.u.chunks_exact(w).zip(s.v.chunks_exact(w))) {
                for (pair, (&pu, &pv)) in row.chunks_exact_mut(2).zip(ru.iter().zip(rv)) {
                    (pair[0], pair[1]) = (pu, pv);
                }
            }
        }
    }
}

/// Buffers reused across frames.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    pub rows: resize_u8::Rows,
    u: Vec<u8>,
    v: Vec<u8>,
}

/// The luma and chroma maps of a 4:2:0 to 4:2:0 conversion.
pub(crate) fn maps(src: Rect, dst: Rect) -> [AxisMap; 4] {
    let (sx, sy) = ((src.x, src.width), (src.y, src.height));
    let (dx, dy) = ((dst.x, dst.width), (dst.y, dst.height));
    [axis_map(sx, 0, dx, 0), axis_map(sy, 0, dy, 0), axis_map(sx, 1, dx, 1), axis_map(sy, 1, dy, 1)]
}

/// Crops and resizes `src_rect` of `src` into `dst_rect` of `dst`.
pub(crate) fn scale(
    src: &Yuv420<'_>,
    src_rect: Rect,
    dst: Yuv420Mut<'_>,
    dst_rect: Rect,
    cache: &mut TapsCache,
    s: &mut Scratch,
) {
    let [yh, yv, ch, cv] = maps(src_rect, dst_rect);
    plane::<1>(src.y, dst.y, yh, yv, cache, &mut s.rows);
    let copy = ch.is_copy() && cv.is_copy();
    match (src.chroma, dst.chroma) {
        (Chroma::Interleaved(a), ChromaMut::Interleaved(b)) => plane::<2>(a, b, ch, cv, cache, &mut s.rows),
        (Chroma::Planar { u, v }, ChromaMut::Planar { u: du, v: dv }) => {
            plane::<1>(u, du, ch, cv, cache, &mut s.rows);
            plane::<1>(v, dv, ch, cv, cache, &mut s.rows);
        }
        (Chroma::Interleaved(uv), ChromaMut::Planar { u, v }) if copy => deinterleave(uv, u, v, ch, cv),
        (Chroma::Interleaved(uv), ChromaMut::Planar { u, v }) => {
            // Split the chroma the rect reads into two planes, then resize each.
            let (w, h) = ((ch.hi - ch.lo) as usize, (cv.hi - cv.lo) as usize);
            fit(&mut s.u, w * h);
            fit(&mut s.v, w * h);
            let split = s.u.chunks_exact_mut(w).zip(s.v.chunks_exact_mut(w));
            for (r, (ru, rv)) in split.enumerate() {
                let at = (cv.lo as usize + r) * uv.pitch + ch.lo as usize * 2;
                let pairs = uv.data[at..at + 2 * w].chunks_exact(2);
                for ((pu, pv), p) in ru.iter_mut().zip(rv.iter_mut()).zip(pairs) {
                    (*pu, *pv) = (p[0], p[1]);
                }
            }
            let (ch, cv) = (ch.relative(), cv.relative());
            plane::<1>(SrcU8 { data: &s.u, pitch: w }, u, ch, cv, cache, &mut s.rows);
            plane::<1>(SrcU8 { data: &s.v, pitch: w }, v, ch, cv, cache, &mut s.rows);
        }
        (Chroma::Planar { u, v }, ChromaMut::Interleaved(uv)) if copy => interleave(u, v, uv, ch, cv),
        (Chroma::Planar { u, v }, ChromaMut::Interleaved(uv)) => {
            // Resize each plane into scratch, then interleave them into place.
            let (w, h) = (ch.out_len as usize, cv.out_len as usize);
            fit(&mut s.u, w * h);
            fit(&mut s.v, w * h);
            let (oh, ov) = (ch.to_origin(), cv.to_origin());
            plane::<1>(u, DstU8 { data: &mut s.u, pitch: w }, oh, ov, cache, &mut s.rows);
            plane::<1>(v, DstU8 { data: &mut s.v, pitch: w }, oh, ov, cache, &mut s.rows);
            let at = |m: AxisMap| AxisMap { lo: 0, hi: m.out_len, start: 0.0, len: f64::from(m.out_len), ..m };
            interleave(SrcU8 { data: &s.u, pitch: w }, SrcU8 { data: &s.v, pitch: w }, uv, at(ch), at(cv));
        }
    }
}

fn fit(buf: &mut Vec<u8>, len: usize) {
    buf.resize(len, 0);
}

/// Resizes (or copies, when both axes are one-to-one) one plane of `N` interleaved channels.
pub(crate) fn plane<const N: usize>(
    src: SrcU8<'_>,
    dst: DstU8<'_>,
    h: AxisMap,
    v: AxisMap,
    cache: &mut TapsCache,
    rows: &mut resize_u8::Rows,
) {
    if h.is_copy() && v.is_copy() {
        copy_region::<N>(src, dst, h, v);
    } else {
        let (ht, vt) = cache.pair(&h, &v);
        resize_u8::resize::<N>(src, dst, ht, vt, rows);
    }
}

/// The source and destination row slices of a one-to-one region, `N * out_len` samples each.
fn rows<'s, 'd, const N: usize>(
    src: SrcU8<'s>,
    dst: &'d mut DstU8<'_>,
    h: AxisMap,
    v: AxisMap,
    src_n: usize,
) -> impl Iterator<Item = (&'s [u8], &'d mut [u8])> {
    let (sx, sy) = (h.start as usize, v.start as usize);
    let (ox, oy) = (h.out_start as usize, v.out_start as usize);
    let (len, pitch) = (h.out_len as usize, dst.pitch);
    let d = &mut dst.data[oy * pitch..];
    (0..v.out_len as usize).zip(d.chunks_mut(pitch)).map(move |(r, drow)| {
        let at = (sy + r) * src.pitch + sx * src_n;
        (&src.data[at..at + len * src_n], &mut drow[ox * N..(ox + len) * N])
    })
}

fn copy_region<const N: usize>(src: SrcU8<'_>, mut dst: DstU8<'_>, h: AxisMap, v: AxisMap) {
    rows::<N>(src, &mut dst, h, v, N).for_each(|(s, d)| d.copy_from_slice(s));
}

fn deinterleave(uv: SrcU8<'_>, mut u: DstU8<'_>, mut v: DstU8<'_>, h: AxisMap, vm: AxisMap) {
    rows::<1>(uv, &mut u, h, vm, 2).for_each(|(s, d)| d.iter_mut().zip(s.chunks_exact(2)).for_each(|(d, s)| *d = s[0]));
    rows::<1>(uv, &mut v, h, vm, 2).for_each(|(s, d)| d.iter_mut().zip(s.chunks_exact(2)).for_each(|(d, s)| *d = s[1]));
}

fn interleave(u: SrcU8<'_>, v: SrcU8<'_>, mut uv: DstU8<'_>, h: AxisMap, vm: AxisMap) {
    rows::<2>(u, &mut uv, h, vm, 1).for_each(|(s, d)| d.chunks_exact_mut(2).zip(s).for_each(|(d, &s)| d[0] = s));
    rows::<2>(v, &mut uv, h, vm, 1).for_each(|(s, d)| d.chunks_exact_mut(2).zip(s).for_each(|(d, &s)| d[1] = s));
}
