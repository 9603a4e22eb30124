//! Helpers shared by the decode tests.
#![allow(dead_code)]

use md5::{Digest, Md5};
use vplrs_memory::{FourCc, Surface};

/// MD5 of the cropped picture as I420, whatever the surface's FourCC.
pub fn picture_md5(surface: &Surface) -> String {
    let crop = surface.info().crop;
    let guard = surface.map_read().unwrap();
    let view = guard.view();
    let (w, h) = (crop.width as usize, crop.height as usize);
    let (cw, ch) = (w.div_ceil(2), h.div_ceil(2));
    let mut md5 = Md5::new();
    for y in 0..h {
        md5.update(&view.plane(0).row(y)[..w]);
    }
    match view.fourcc {
        FourCc::Nv12 => {
            for component in 0..2 {
                for y in 0..ch {
                    let row = view.plane(1).row(y);
                    let samples: Vec<u8> = (0..cw).map(|x| row[2 * x + component]).collect();
                    md5.update(&samples);
                }
            }
        }
        FourCc::I420 => {
            for plane in 1..3 {
                for y in 0..ch {
                    md5.update(&view.plane(plane).row(y)[..cw]);
                }
            }
        }
        other => panic!("unexpected {other}"),
    }
    format!("{:x}", md5.finalize())
}

/// A VP8 conformance vector of `../shared/vp8-test-vectors`: its frames and the MD5 of each
/// shown picture (its `.ivf.md5` file).
pub fn vp8_vector(name: &str) -> (Vec<Vec<u8>>, Vec<String>) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/vp8-test-vectors").join(name);
    let file = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut reader = vplrs_vp8::ivf::IvfReader::new(std::io::BufReader::new(file)).unwrap();
    let frames = std::iter::from_fn(|| reader.next_frame().unwrap().map(|f| f.data)).collect();
    let md5 = std::fs::read_to_string(path.with_extension("ivf.md5")).unwrap();
    (frames, md5.lines().map(|l| l.split_whitespace().next().unwrap().to_owned()).collect())
}
