//! The built-in synthetic test pattern, so the pipeline runs with no input file: moving diagonal
//! luma gradients over colour bars, with a bouncing square.

use vplrs::{FourCc, FrameViewMut, Rect};

const BARS: [(u8, u8, u8); 8] = [
    // (Y, U, V) of 75% colour bars, BT.601 limited range.
    (180, 128, 128),
    (162, 44, 142),
    (131, 156, 44),
    (112, 72, 58),
    (84, 184, 198),
    (65, 100, 212),
    (35, 212, 114),
    (16, 128, 128),
];

/// Draws frame `index` of the pattern into the crop of an NV12 or I420 view.
pub fn draw(view: &mut FrameViewMut<'_>, crop: Rect, index: u64) {
    let (w, h) = (crop.width as usize, crop.height as usize);
    let shift = (index * 4) as usize;
    let square = 64.min(w / 4).max(2);
    let travel_x = (w - square).max(1);
    let travel_y = (h - square).max(1);
    let sx = bounce(index as usize * 7, travel_x);
    let sy = bounce(index as usize * 5, travel_y);
    let bar_of = |x: usize| BARS[(x * BARS.len() / w.max(1)).min(BARS.len() - 1)];
    let fourcc = view.fourcc;
    let planes = view.planes_mut();
    let (luma, chroma) = planes.split_at_mut(1);
    for y in 0..h {
        let row = &mut luma[0].row_mut(crop.y as usize + y)[crop.x as usize..crop.x as usize + w];
        for (x, px) in row.iter_mut().enumerate() {
            let inside = (sx..sx + square).contains(&x) && (sy..sy + square).contains(&y);
            *px = if inside { 235 } else { bar_of(x).0.wrapping_add(((x + y + shift) % 32) as u8) };
        }
    }
    let (cx, cy) = (crop.x as usize / 2, crop.y as usize / 2);
    for y in 0..h.div_ceil(2) {
        match fourcc {
            FourCc::Nv12 => {
                let row = chroma[0].row_mut(cy + y);
                for x in 0..w.div_ceil(2) {
                    let (_, u, v) = bar_of(2 * x);
                    row[2 * (cx + x)] = u;
                    row[2 * (cx + x) + 1] = v;
                }
            }
            _ => {
                let (u_plane, v_plane) = chroma.split_at_mut(1);
                let (u_row, v_row) = (u_plane[0].row_mut(cy + y), v_plane[0].row_mut(cy + y));
                for x in 0..w.div_ceil(2) {
                    let (_, u, v) = bar_of(2 * x);
                    u_row[cx + x] = u;
                    v_row[cx + x] = v;
                }
            }
        }
    }
}

fn bounce(position: usize, travel: usize) -> usize {
    let period = 2 * travel;
    let p = position % period;
    if p < travel {
        p
    } else {
        period - p
    }
}
