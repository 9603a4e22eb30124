//! Composition through the Rust API: four NV12 streams of different sizes composed into NV12
//! (opaque and scaled, opaque, global alpha, luma key), with exact samples checked; the frames of
//! the streams before the last are held (Locked) until the output is done; Query's answers.
//! Per-pixel alpha is checked by the kernel's tests and through `sample_vpp`.

use std::time::Duration;

use vplrs_memory::{FourCc, FrameInfo, Rect, Surface};
use vplrs_runtime::Core;
use vplrs_vpp::{Blend, ComposedStream, Composition, Vpp, VppError, VppParams};

const BACKGROUND: [u16; 3] = [16, 128, 128];

fn stream(x: u32, y: u32, width: u32, height: u32, blend: Blend) -> ComposedStream {
    ComposedStream { dst: Rect { x, y, width, height }, blend }
}

fn params() -> VppParams {
    let mut params = VppParams::new(FrameInfo::new(FourCc::Nv12, 96, 64), FrameInfo::new(FourCc::Nv12, 320, 240));
    params.composition = Some(Composition {
        background: BACKGROUND,
        streams: vec![
            stream(0, 0, 128, 96, Blend::default()),
            stream(160, 0, 96, 64, Blend::default()),
            stream(0, 120, 96, 64, Blend { global_alpha: Some(128), ..Blend::default() }),
            stream(200, 160, 64, 64, Blend { luma_key: Some((230, 255)), ..Blend::default() }),
        ],
    });
    params
}

/// A pool surface whose picture is the top-left `width` x `height`, filled with one colour.
fn solid(vpp: &Vpp, width: u32, height: u32, [y, u, v]: [u8; 3]) -> Surface {
    let surface = vpp.input_surface().unwrap();
    {
        let mut guard = surface.map_write().unwrap();
        let mut view = guard.view_mut();
        view.plane_mut(0).fill(y);
        for row in view.plane_mut(1).rows_mut() {
            row.chunks_exact_mut(2).for_each(|pair| pair.copy_from_slice(&[u, v]));
        }
    }
    surface.update_meta(|meta| meta.info.crop = Rect { x: 0, y: 0, width, height });
    surface
}

fn sample(surface: &Surface, x: usize, y: usize) -> [u8; 3] {
    let guard = surface.map_read().unwrap();
    let view = guard.view();
    let chroma = view.plane(1).row(y / 2);
    [view.plane(0).row(y)[x], chroma[x / 2 * 2], chroma[x / 2 * 2 + 1]]
}

fn mix(picture: u8, below: u16, alpha: u32) -> u8 {
    ((u32::from(picture) * alpha + u32::from(below) * (255 - alpha) + 127) / 255) as u8
}

#[test]
fn four_streams_of_different_sizes_compose_into_one_frame() {
    let mut vpp = Vpp::new(Core::new());
    let [input_request, _] = Vpp::query_io_surf(&params()).unwrap();
    let [single, _] = Vpp::query_io_surf(&VppParams { composition: None, ..params() }).unwrap();
    assert_eq!(input_request.num_frame_suggested, 4 * single.num_frame_suggested, "surfaces for every stream");
    vpp.init(&params()).unwrap();
    for round in 0..3u64 {
        let inputs = [
            solid(&vpp, 64, 48, [200, 60, 190]),
            solid(&vpp, 96, 64, [100, 150, 100]),
            solid(&vpp, 48, 32, [80, 90, 170]),
            solid(&vpp, 32, 32, [240, 110, 140]),
        ];
        inputs[0].update_meta(|meta| meta.timestamp = round * 3000);
        let output = vpp.output_surface().unwrap();
        if round == 0 {
            let refs: Vec<&Surface> = inputs.iter().collect();
            vpp.compose_async(&refs, &output).unwrap().wait(Duration::from_secs(5)).unwrap();
        } else {
            // One frame at a time: the streams before the last are held until the output is done.
            for input in &inputs[..3] {
                assert!(matches!(vpp.run_frame_async(Some(input), &output), Err(VppError::MoreData)));
                assert_eq!(input.locked(), 1);
            }
            assert_eq!(vpp.composition_pending(), 3);
            vpp.run_frame_async(Some(&inputs[3]), &output).unwrap().wait(Duration::from_secs(5)).unwrap();
        }
        assert!(inputs.iter().all(|input| input.locked() == 0));
        assert_eq!(output.meta().timestamp, round * 3000, "the first stream's timestamp");
        assert_eq!(sample(&output, 300, 100), [16, 128, 128], "background");
        assert_eq!(sample(&output, 60, 40), [200, 60, 190], "stream 0, scaled x2");
        assert_eq!(sample(&output, 200, 30), [100, 150, 100], "stream 1");
        assert_eq!(sample(&output, 40, 150), [mix(80, 16, 128), mix(90, 128, 128), mix(170, 128, 128)]);
        assert_eq!(sample(&output, 220, 200), [16, 128, 128], "stream 3 keyed out");
    }
    vpp.close().unwrap();
}

#[test]
fn process_frame_async_takes_an_output_surface_only_for_the_last_stream() {
    let mut vpp = Vpp::new(Core::new());
    let mut two = params();
    two.composition.as_mut().unwrap().streams.truncate(2);
    vpp.init(&two).unwrap();
    let first = solid(&vpp, 64, 48, [200, 60, 190]);
    let second = solid(&vpp, 96, 64, [100, 150, 100]);
    let in_use = vpp.output_pool().unwrap().stats().in_use;
    assert!(matches!(vpp.process_frame_async(&first), Err(VppError::MoreData)));
    assert_eq!(vpp.output_pool().unwrap().stats().in_use, in_use, "no output surface taken");
    let output = vpp.process_frame_async(&second).unwrap();
    output.synchronize(Duration::from_secs(5)).unwrap();
    assert_eq!(sample(&output, 200, 30), [100, 150, 100]);
    // Reset drops a composition under way.
    assert!(matches!(vpp.process_frame_async(&first), Err(VppError::MoreData)));
    vpp.reset(&two).unwrap();
    assert_eq!(first.locked(), 0);
    assert_eq!(vpp.composition_pending(), 0);
}

#[test]
fn query_refuses_what_composition_cannot_do() {
    let mut rgb_key = params();
    rgb_key.output.fourcc = FourCc::Rgb4;
    assert!(matches!(Vpp::query(&rgb_key), Err(VppError::Unsupported(_))), "luma key on RGB");
    let mut i420 = params();
    i420.output.fourcc = FourCc::I420;
    assert!(matches!(Vpp::query(&i420), Err(VppError::Unsupported(_))));
    let mut none = params();
    none.composition.as_mut().unwrap().streams.clear();
    assert!(matches!(Vpp::query(&none), Err(VppError::Unsupported(_))));
    let mut outside = params();
    outside.composition.as_mut().unwrap().streams[0].dst.x = 320;
    assert!(matches!(Vpp::query(&outside), Err(VppError::Unsupported(_))));
    let mut rotated = params();
    rotated.orientation.rotation = vplrs_vpp::Rotation::Half;
    assert!(matches!(Vpp::query(&rotated), Err(VppError::Unsupported(_))), "composition runs alone");
    let mut odd = params();
    odd.composition.as_mut().unwrap().streams[1].dst = Rect { x: 161, y: 1, width: 95, height: 63 };
    let outcome = Vpp::query(&odd).unwrap();
    assert!(outcome.corrected, "odd NV12 rectangles are made even");
    assert_eq!(outcome.params.composition.unwrap().streams[1].dst, Rect { x: 160, y: 0, width: 94, height: 62 });
}
