//! 8-bit 4:2:0 (NV12, I420, YV12) <-> P010 with the same colour spec: a per-sample change of bit
//! depth, one-to-one (resizes stage through a scratch NV12 frame, see `converter`).

use vplrs_memory::{FrameView, FrameViewMut, Rect};

use crate::color::Range;
use crate::resize_u8::{DstU8, SrcU8};
use crate::taps::AxisMap;
use crate::yuv420::{maps, Chroma, ChromaMut, Yuv420, Yuv420Mut};

/// A P010 frame to read: 16-bit little-endian samples, the 10-bit value in the high bits.
pub(crate) struct P010<'a> {
    y: SrcU8<'a>,
    uv: SrcU8<'a>,
}

pub(crate) struct P010Mut<'a> {
    y: DstU8<'a>,
    uv: DstU8<'a>,
}

impl<'a> P010<'a> {
    pub fn of(view: &FrameView<'a>) -> Self {
        let p = |i: usize| SrcU8 { data: view.plane(i).data(), pitch: view.plane(i).pitch() };
        Self { y: p(0), uv: p(1) }
    }
}

impl<'a> P010Mut<'a> {
    pub fn of(view: &'a mut FrameViewMut<'_>) -> Option<Self> {
        match view.planes_mut() {
            [y, uv] => {
                let (yp, uvp) = (y.pitch(), uv.pitch());
                Some(Self { y: DstU8 { data: y.data_mut(), pitch: yp }, uv: DstU8 { data: uv.data_mut(), pitch: uvp } })
            }
            _ => None,
        }
    }
}

/// 8-bit code to the P010 word. Limited range scales by 4 exactly (16 -> 64, 235 -> 940); full
/// range repeats the top bits so that 255 becomes 1023.
#[inline(always)]
fn widen_code(v: u8, range: Range) -> [u8; 2] {
    let v = u16::from(v);
    let ten = match range {
        Range::Limited => v << 2,
        Range::Full => (v << 2) | (v >> 6),
    };
    (ten << 6).to_le_bytes()
}

#[inline(always)]
fn narrow_code(word: [u8; 2], range: Range) -> u8 {
    let ten = u32::from(u16::from_le_bytes(word) >> 6);
    match range {
        Range::Limited => ((ten + 2) >> 2).min(255) as u8,
        Range::Full => ((ten * 255 + 511) / 1023) as u8,
    }
}

/// One-to-one region rows: `(source row start, destination row start, samples)` per row.
fn region(h: AxisMap, v: AxisMap) -> impl Iterator<Item = (usize, usize, usize, usize)> {
    let (sx, sy, ox, oy) = (h.start as usize, v.start as usize, h.out_start as usize, v.out_start as usize);
    (0..v.out_len as usize).map(move |r| (sx, sy + r, ox, oy + r))
}

/// Writes `src_rect` of `src` into the same-sized `dst_rect` of `dst`; every map must be a copy.
pub(crate) fn widen(src: &Yuv420<'_>, src_rect: Rect, dst: P010Mut<'_>, dst_rect: Rect, range: Range) {
    let [yh, yv, ch, cv] = maps(src_rect, dst_rect);
    let (yw, cw) = (yh.out_len as usize, ch.out_len as usize);
    for (sx, sy, ox, oy) in region(yh, yv) {
        let s = &src.y.data[sy * src.y.pitch + sx..][..yw];
        let d = &mut dst.y.data[oy * dst.y.pitch + ox * 2..][..yw * 2];
        d.chunks_exact_mut(2).zip(s).for_each(|(d, &s)| d.copy_from_slice(&widen_code(s, range)));
    }
    for (sx, sy, ox, oy) in region(ch, cv) {
        let d = &mut dst.uv.data[oy * dst.uv.pitch + ox * 4..][..cw * 4];
        match src.chroma {
            Chroma::Interleaved(uv) => {
                let s = &uv.data[sy * uv.pitch + sx * 2..][..cw * 2];
                d.chunks_exact_mut(2).zip(s).for_each(|(d, &s)| d.copy_from_slice(&widen_code(s, range)));
            }
            Chroma::Planar { u, v } => {
                let su = &u.data[sy * u.pitch + sx..][..cw];
                let sv = &v.data[sy * v.pitch + sx..][..cw];
                for ((d, &u), &v) in d.chunks_exact_mut(4).zip(su).zip(sv) {
                    d[..2].copy_from_slice(&widen_code(u, range));
                    d[2..].copy_from_slice(&widen_code(v, range));
                }
            }
        }
    }
}

/// Writes `src_rect` of `src` into the same-sized `dst_rect` of `dst`; every map must be a copy.
pub(crate) fn narrow(src: &P010<'_>, src_rect: Rect, dst: Yuv420Mut<'_>, dst_rect: Rect, range: Range) {
    let [yh, yv, ch, cv] = maps(src_rect, dst_rect);
    let (yw, cw) = (yh.out_len as usize, ch.out_len as usize);
    let word = |w: &[u8]| narrow_code([w[0], w[1]], range);
    for (sx, sy, ox, oy) in region(yh, yv) {
        let s = &src.y.data[sy * src.y.pitch + sx * 2..][..yw * 2];
        let d = &mut dst.y.data[oy * dst.y.pitch + ox..][..yw];
        d.iter_mut().zip(s.chunks_exact(2)).for_each(|(d, s)| *d = word(s));
    }
    let mut chroma = dst.chroma;
    for (sx, sy, ox, oy) in region(ch, cv) {
        let s = &src.uv.data[sy * src.uv.pitch + sx * 4..][..cw * 4];
        match &mut chroma {
            ChromaMut::Interleaved(uv) => {
                let d = &mut uv.data[oy * uv.pitch + ox * 2..][..cw * 2];
                d.iter_mut().zip(s.chunks_exact(2)).for_each(|(d, s)| *d = word(s));
            }
            ChromaMut::Planar { u, v } => {
                let du = &mut u.data[oy * u.pitch + ox..][..cw];
                let dv = &mut v.data[oy * v.pitch + ox..][..cw];
                for ((du, dv), s) in du.iter_mut().zip(dv.iter_mut()).zip(s.chunks_exact(4)) {
                    (*du, *dv) = (word(&s[..2]), word(&s[2..]));
                }
            }
        }
    }
}
