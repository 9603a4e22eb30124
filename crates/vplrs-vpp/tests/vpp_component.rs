//! The VPP component through its Rust API: parameters, pool sizing, both memory models,
//! back-pressure, deferred synchronisation and pixels.

use std::sync::Arc;
use std::time::Duration;

use vplrs_memory::sizing::shared_pool_size;
use vplrs_memory::{
    AllocationHints, AllocationPolicy, ExternalAllocator, FourCc, FrameInfo, MapError, MemType, OperationError, Rect,
    Surface, SyncError, SystemAllocator,
};
use vplrs_runtime::{Core, IoPattern};
use vplrs_vpp::{Vpp, VppError, VppParams};

fn params(async_depth: u16) -> VppParams {
    VppParams::new(FrameInfo::new(FourCc::Nv12, 320, 240), FrameInfo::new(FourCc::Nv12, 160, 120))
        .with_async_depth(async_depth)
}

fn fill_flat(surface: &Surface, y: u8, uv: u8) {
    let mut guard = surface.map_write().unwrap();
    let mut view = guard.view_mut();
    view.plane_mut(0).fill(y);
    view.plane_mut(1).fill(uv);
}

#[test]
fn query_io_surf_grows_with_async_depth() {
    for depth in [1u16, 2, 4, 8] {
        let [input, output] = Vpp::query_io_surf(&params(depth)).unwrap();
        assert_eq!(input.num_frame_min, 1);
        assert_eq!(input.num_frame_suggested, depth);
        assert_eq!(output.num_frame_suggested, depth);
        assert!(input.mem_type.contains(MemType::FROM_VPPIN | MemType::SYSTEM_MEMORY));
        assert!(output.mem_type.contains(MemType::FROM_VPPOUT));
    }
    let [_, out] = Vpp::query_io_surf(&params(4)).unwrap();
    let [vpp2_in, _] = Vpp::query_io_surf(&params(4)).unwrap();
    // Chained VPP -> VPP through one pool: Na + Nb - AsyncDepth.
    assert_eq!(shared_pool_size(&out, &vpp2_in, 4), 4);
    // AsyncDepth 0 means the default (1).
    let [zero, _] = Vpp::query_io_surf(&params(0)).unwrap();
    assert_eq!(zero.num_frame_suggested, 1);
}

#[test]
fn query_corrects_and_refuses() {
    let mut p = params(1);
    p.output.width = 100; // not a multiple of 16
    p.output.crop.width = 100;
    let outcome = Vpp::query(&p).unwrap();
    assert!(outcome.corrected);
    assert_eq!(outcome.params.output.width, 112);

    let mut video = params(1);
    video.io_pattern = IoPattern::IN_VIDEO_MEMORY | IoPattern::OUT_SYSTEM_MEMORY;
    assert!(matches!(Vpp::query(&video), Err(VppError::Unsupported(_))));
    let mut none = params(1);
    none.io_pattern = IoPattern::empty();
    assert!(matches!(Vpp::query(&none), Err(VppError::InvalidParams(_))));
    // A crop reaching past the frame is fitted to it (sample_encode -dstw/-dsth sends the input's
    // crop with the output's frame); one that starts outside is refused.
    let mut beyond = params(1);
    beyond.input.crop = Rect { x: 300, y: 0, width: 100, height: 10 };
    let fitted = Vpp::query(&beyond).unwrap();
    assert!(fitted.corrected);
    assert_eq!(fitted.params.input.crop, Rect { x: 300, y: 0, width: beyond.input.width - 300, height: 10 });
    let mut outside = params(1);
    outside.input.crop = Rect { x: outside.input.width, y: 0, width: 100, height: 10 };
    assert!(matches!(Vpp::query(&outside), Err(VppError::InvalidParams(_))));
}

#[test]
fn calls_before_init_and_after_close_are_refused() {
    let mut vpp = Vpp::new(Core::new());
    assert!(matches!(vpp.input_surface(), Err(VppError::NotInitialized)));
    assert!(matches!(vpp.stats(), Err(VppError::NotInitialized)));
    assert!(matches!(vpp.close(), Err(VppError::NotInitialized)));
    vpp.init(&params(1)).unwrap();
    assert!(vpp.init(&params(1)).is_err(), "double Init");
    vpp.close().unwrap();
    assert!(matches!(vpp.output_surface(), Err(VppError::NotInitialized)));
}

#[test]
fn process_frame_async_converts_and_carries_metadata() {
    let mut vpp = Vpp::new(Core::new());
    vpp.init(&params(2)).unwrap();
    let input = vpp.input_surface().unwrap();
    assert_eq!(input.locked(), 0);
    fill_flat(&input, 81, 90);
    input.update_meta(|m| {
        m.timestamp = 1234;
        m.frame_order = 7;
    });
    let output = vpp.process_frame_async(&input).unwrap();
    output.synchronize(Duration::from_secs(5)).unwrap();
    assert_eq!(input.locked(), 0, "VPP lets go of its input when done");
    let meta = output.meta();
    assert_eq!((meta.timestamp, meta.frame_order), (1234, 7));
    assert_eq!(meta.info.crop, Rect { x: 0, y: 0, width: 160, height: 120 });
    let read = output.map_read().unwrap();
    let view = read.view();
    assert!(view.plane(0).rows_iter().take(120).all(|r| r[..160].iter().all(|&b| b.abs_diff(81) <= 1)));
    assert!(view.plane(1).rows_iter().take(60).all(|r| r[..160].iter().all(|&b| b.abs_diff(90) <= 1)));
    assert_eq!(vpp.stats().unwrap().frames, 1);
}

#[test]
fn async_depth_gives_back_pressure_and_deferred_sync_delivers_every_frame() {
    let mut vpp = Vpp::new(Core::new());
    vpp.init(&params(3)).unwrap();
    let inputs: Vec<_> = (0..3u8).map(|_| vpp.input_surface().unwrap()).collect();
    for (n, input) in inputs.iter().enumerate() {
        fill_flat(input, 16 + 50 * n as u8, 128);
    }
    // Hold the first input for writing so the first operation cannot finish yet.
    let blocker = inputs[0].begin_output().unwrap();
    let outputs: Vec<_> = inputs.iter().map(|i| vpp.process_frame_async(i).unwrap()).collect();
    let fourth = vpp.input_surface().unwrap();
    let error = vpp.process_frame_async(&fourth).unwrap_err();
    assert!(matches!(error, VppError::Busy(_)));
    assert_eq!(outputs[0].synchronize(Duration::from_millis(10)), Err(SyncError::Timeout));
    blocker.finish(Ok(()));
    for (n, output) in outputs.iter().enumerate() {
        output.synchronize(Duration::from_secs(5)).unwrap();
        let read = output.map_read().unwrap();
        let expected = 16 + 50 * n as u8;
        assert!(read.view().plane(0).row(10)[..160].iter().all(|&b| b.abs_diff(expected) <= 1), "frame {n}");
    }
    assert_eq!(vpp.stats().unwrap().frames, 3);
    vpp.process_frame_async(&fourth).unwrap().synchronize(Duration::from_secs(5)).unwrap();
}

#[test]
fn a_failed_producer_aborts_the_dependent_operation() {
    let mut vpp = Vpp::new(Core::new());
    vpp.init(&params(1)).unwrap();
    let input = vpp.input_surface().unwrap();
    let producer = input.begin_output().unwrap();
    let output = vpp.process_frame_async(&input).unwrap();
    producer.finish(Err(OperationError::Failed));
    assert_eq!(output.synchronize(Duration::from_secs(5)), Err(SyncError::Failed(OperationError::Aborted)));
}

#[test]
fn application_surfaces_from_an_external_allocator_work_1x_style() {
    let allocator = Arc::new(SystemAllocator::nv12_only());
    let core = Core::new();
    core.set_allocator(Some(allocator.clone() as Arc<dyn ExternalAllocator>));
    let mut p = params(2);
    p.output = FrameInfo::new(FourCc::Rgb4, 160, 120);
    let mut vpp = Vpp::new(core.clone());
    vpp.init(&p).unwrap();
    let [in_request, out_request] = Vpp::query_io_surf(&p).unwrap();
    // The application makes its pools from its own allocator, as a 1.x application would.
    let in_pool = core.create_pool(&in_request, AllocationHints { pre_allocate: 2, ..Default::default() }).unwrap();
    let out_pool = core.create_pool(&out_request, AllocationHints { pre_allocate: 2, ..Default::default() }).unwrap();
    let input = in_pool.acquire().unwrap();
    assert!(input.mem_id().is_some(), "NV12 comes from the application's allocator");
    let output = out_pool.acquire().unwrap();
    assert!(output.mem_id().is_none(), "RGB4 is refused by the allocator: internal memory");
    fill_flat(&input, 126, 128);
    let locks_before = allocator.counters().locks;
    let sync = vpp.run_frame_async(Some(&input), &output).unwrap();
    sync.wait(Duration::from_secs(5)).unwrap();
    let c = allocator.counters();
    assert!(c.locks > locks_before, "the mem-id input was locked to be read");
    assert_eq!(c.locks, c.unlocks, "and unlocked after");
    let read = output.map_read().unwrap();
    let bgra = &read.view().plane(0).row(0)[..4];
    // BT.601 limited: Y=126, U=V=128 is grey 128.
    assert!(bgra[..3].iter().all(|&c| c.abs_diff(128) <= 2), "{bgra:?}");
    drop(read);
    assert!(matches!(vpp.run_frame_async(None, &output), Err(VppError::MoreData)));
    drop((input, output));
    vpp.close().unwrap();
    core.close();
    let c = allocator.counters();
    assert_eq!(c.live_frames, 0, "everything allocated was freed");
    assert_eq!(c.allocs, c.frees);
}

#[test]
fn locked_or_mismatched_surfaces_are_refused() {
    let mut vpp = Vpp::new(Core::new());
    vpp.init(&params(1)).unwrap();
    let input = vpp.input_surface().unwrap();
    let output = vpp.output_surface().unwrap();
    let hold = output.hold().unwrap();
    assert!(matches!(vpp.run_frame_async(Some(&input), &output), Err(VppError::OutputLocked)));
    drop(hold);
    let wrong = Surface::new(FrameInfo::new(FourCc::Rgb4, 160, 120), Default::default()).unwrap();
    assert!(matches!(vpp.run_frame_async(Some(&input), &wrong), Err(VppError::SurfaceMismatch(_))));
    let small = Surface::new(FrameInfo::new(FourCc::Nv12, 64, 64), Default::default()).unwrap();
    assert!(matches!(vpp.run_frame_async(Some(&input), &small), Err(VppError::SurfaceMismatch(_))));
}

#[test]
fn output_pool_policies_apply() {
    let mut p = params(1);
    p.output_hints =
        AllocationHints { policy: AllocationPolicy::Limited, pre_allocate: 1, delta_on_the_fly: 0, wait_ms: 20 };
    let mut vpp = Vpp::new(Core::new());
    vpp.init(&p).unwrap();
    assert_eq!(vpp.output_pool().unwrap().current_size(), 1, "pre-allocated at Init");
    let input = vpp.input_surface().unwrap();
    let first = vpp.process_frame_async(&input).unwrap();
    first.synchronize(Duration::from_secs(5)).unwrap();
    let error = vpp.process_frame_async(&input).unwrap_err();
    assert!(matches!(error, VppError::Acquire(vplrs_memory::AcquireError::Timeout(20))), "{error}");
    drop(first);
    vpp.process_frame_async(&input).unwrap().synchronize(Duration::from_secs(5)).unwrap();
}

#[test]
fn reset_changes_geometry_within_init_limits() {
    let mut vpp = Vpp::new(Core::new());
    vpp.init(&params(1)).unwrap();
    let mut smaller = params(1);
    smaller.output = FrameInfo::new(FourCc::Nv12, 80, 64);
    assert_eq!(vpp.reset(&smaller).unwrap(), vplrs_runtime::Accepted::AsGiven);
    assert_eq!(vpp.params().unwrap().output.crop.width, 80);
    let input = vpp.input_surface().unwrap();
    fill_flat(&input, 100, 128);
    let output = vpp.process_frame_async(&input).unwrap();
    output.synchronize(Duration::from_secs(5)).unwrap();
    assert_eq!(output.info().crop, Rect { x: 0, y: 0, width: 80, height: 64 });
    let mut larger = params(1);
    larger.output = FrameInfo::new(FourCc::Nv12, 640, 480);
    assert!(matches!(vpp.reset(&larger), Err(VppError::Incompatible(_))));
    let mut other_format = params(1);
    other_format.output.fourcc = FourCc::Rgb4;
    assert!(matches!(vpp.reset(&other_format), Err(VppError::Incompatible(_))));
}

#[test]
fn the_same_surface_as_input_and_output_is_refused_not_deadlocked() {
    let mut p = params(1);
    p.output = p.input;
    let mut vpp = Vpp::new(Core::new());
    vpp.init(&p).unwrap();
    let surface = vpp.input_surface().unwrap();
    let error = vpp.run_frame_async(Some(&surface), &surface).unwrap_err();
    assert_eq!(error, VppError::SameSurface);
    assert_eq!(surface.locked(), 0, "nothing held after the refusal");
    vpp.close().unwrap();
}

#[test]
fn an_input_the_application_is_writing_is_refused_not_waited_for() {
    let mut vpp = Vpp::new(Core::new());
    vpp.init(&params(1)).unwrap();
    let input = vpp.input_surface().unwrap();
    let writing = input.map_write().unwrap();
    assert!(matches!(vpp.process_frame_async(&input), Err(VppError::Map(MapError::Busy))));
    drop(writing);
    vpp.process_frame_async(&input).unwrap().synchronize(Duration::from_secs(5)).unwrap();
}

/// While an operation waits for its input (still being produced upstream), the pool reports name
/// the operation that holds each surface: the input and the output, by operation number.
#[test]
fn pool_reports_name_the_operation_holding_a_surface() {
    let mut vpp = Vpp::new(Core::new());
    vpp.init(&params(2)).unwrap();
    let first_input = vpp.input_surface().unwrap();
    let first = vpp.process_frame_async(&first_input).unwrap();
    first.synchronize(Duration::from_secs(5)).unwrap();
    let input = vpp.input_surface().unwrap();
    let upstream = input.begin_output().unwrap();
    let output = vpp.process_frame_async(&input).unwrap();
    let holder = |pool: &vplrs_memory::SurfacePool, surface: &Surface| {
        let report = pool.report();
        let usage = report.surfaces.iter().find(|u| u.id == surface.id()).unwrap().clone();
        (usage.holders.iter().map(|h| (h.who, h.operation)).collect::<Vec<_>>(), report.to_string())
    };
    let (input_holders, text) = holder(vpp.input_pool().unwrap(), &input);
    assert_eq!(input_holders, [("VPP (its input)", Some(2))], "{text}");
    assert!(text.contains("(by VPP (its input) for operation 2 since "), "{text}");
    let (output_holders, text) = holder(vpp.output_pool().unwrap(), &output);
    assert_eq!(output_holders, [("VPP (its output)", Some(2))], "{text}");
    upstream.finish(Ok(()));
    output.synchronize(Duration::from_secs(5)).unwrap();
    assert!(holder(vpp.input_pool().unwrap(), &input).0.is_empty(), "the hold ends with the operation");
    vpp.close().unwrap();
}

/// Filters follow Reset: a frame processed after Reset with a half turn and a ProcAmp
/// brightness comes out turned and brighter, one processed before it as it was.
#[test]
fn reset_changes_the_filters() {
    use vplrs_vpp::{Orientation, ProcAmp, Rotation};
    let same = VppParams::new(FrameInfo::new(FourCc::I420, 64, 32), FrameInfo::new(FourCc::I420, 64, 32));
    let mut vpp = Vpp::new(Core::new());
    vpp.init(&same).unwrap();
    // Luma: the top half 50, the bottom half 150.
    let paint = |surface: &Surface| {
        let mut guard = surface.map_write().unwrap();
        let mut view = guard.view_mut();
        for y in 0..32 {
            view.plane_mut(0).row_mut(y)[..64].fill(if y < 16 { 50 } else { 150 });
        }
        view.plane_mut(1).fill(128);
        view.plane_mut(2).fill(128);
    };
    let top_left = |surface: &Surface| surface.map_read().unwrap().view().plane(0).row(0)[0];
    let input = vpp.input_surface().unwrap();
    paint(&input);
    let before = vpp.process_frame_async(&input).unwrap();
    before.synchronize(Duration::from_secs(5)).unwrap();
    assert_eq!(top_left(&before), 50);
    let mut turned = same;
    turned.orientation = Orientation { rotation: Rotation::Half, ..Default::default() };
    turned.procamp = ProcAmp { brightness: 10.0, ..Default::default() };
    vpp.reset(&turned).unwrap();
    let after = vpp.process_frame_async(&input).unwrap();
    after.synchronize(Duration::from_secs(5)).unwrap();
    assert_eq!(top_left(&after), 160, "turned (the bottom half on top) and 10 brighter");
    vpp.close().unwrap();
}

/// Field processing moves rows: a swap exchanges each pair of rows, a field copy writes one field
/// of the output from one field of the input and leaves the other, a frame copy copies; frames of
/// two formats or sizes are refused.
#[test]
fn field_processing_moves_rows_between_fields() {
    use vplrs_vpp::{FieldProcessing, FirstField};
    let info = FrameInfo::new(FourCc::I420, 64, 32);
    let mut params = VppParams::new(info, info);
    let rows_of = |surface: &Surface| -> Vec<u8> {
        let read = surface.map_read().unwrap();
        let view = read.view();
        (0..32).map(|y| view.plane(0).row(y)[0]).collect()
    };
    let cases = [
        (FieldProcessing::SwapFields, (0..32u8).map(|y| y ^ 1).collect::<Vec<_>>()),
        (
            FieldProcessing::CopyField { from: FirstField::Top, to: FirstField::Bottom },
            (0..32u8).map(|y| if y % 2 == 1 { y - 1 } else { 0xee }).collect(),
        ),
        (
            FieldProcessing::CopyField { from: FirstField::Bottom, to: FirstField::Top },
            (0..32u8).map(|y| if y % 2 == 0 { y + 1 } else { 0xee }).collect(),
        ),
        (FieldProcessing::CopyFrame, (0..32u8).collect()),
    ];
    for (mode, expected) in cases {
        params.field_processing = Some(mode);
        let mut vpp = Vpp::new(Core::new());
        vpp.init(&params).unwrap();
        let input = vpp.input_surface().unwrap();
        {
            let mut guard = input.map_write().unwrap();
            let mut view = guard.view_mut();
            for y in 0..32 {
                view.plane_mut(0).row_mut(y).fill(y as u8);
            }
        }
        let output = vpp.output_surface().unwrap();
        output.map_write().unwrap().view_mut().plane_mut(0).fill(0xee);
        let sync = vpp.run_frame_async(Some(&input), &output).unwrap();
        sync.wait(Duration::from_secs(5)).unwrap();
        assert_eq!(rows_of(&output), expected, "{mode:?}");
        vpp.close().unwrap();
    }
    let mut converting = VppParams::new(info, FrameInfo::new(FourCc::Nv12, 64, 32));
    converting.field_processing = Some(FieldProcessing::SwapFields);
    assert!(matches!(Vpp::query(&converting), Err(VppError::Unsupported(_))));

    // Per frame (FrameControl), without field processing at Init: this frame only.
    let mut vpp = Vpp::new(Core::new());
    vpp.init(&VppParams::new(info, info)).unwrap();
    let input = vpp.input_surface().unwrap();
    {
        let mut guard = input.map_write().unwrap();
        let mut view = guard.view_mut();
        for y in 0..32 {
            view.plane_mut(0).row_mut(y).fill(y as u8);
        }
    }
    let swap = vplrs_vpp::FrameControl { field_processing: Some(FieldProcessing::SwapFields) };
    let swapped = vpp.process_frame_async_with(&input, swap).unwrap();
    swapped.synchronize(Duration::from_secs(5)).unwrap();
    assert_eq!(rows_of(&swapped), (0..32u8).map(|y| y ^ 1).collect::<Vec<_>>());
    let plain = vpp.process_frame_async(&input).unwrap();
    plain.synchronize(Duration::from_secs(5)).unwrap();
    assert_eq!(rows_of(&plain), (0..32u8).collect::<Vec<_>>(), "the next frame is converted as usual");
    vpp.close().unwrap();
    let mut scaling = Vpp::new(Core::new());
    scaling.init(&VppParams::new(info, FrameInfo::new(FourCc::I420, 32, 32))).unwrap();
    let input = scaling.input_surface().unwrap();
    assert!(matches!(scaling.process_frame_async_with(&input, swap), Err(VppError::Unsupported(_))));
}

#[test]
fn denoise_and_detail_factors_are_checked() {
    let mut high = params(1);
    high.denoise = Some(150);
    high.detail = Some(101);
    let outcome = Vpp::query(&high).unwrap();
    assert!(outcome.corrected);
    assert_eq!((outcome.params.denoise, outcome.params.detail), (Some(100), Some(100)));
    for fourcc in [FourCc::Rgb4, FourCc::P010, FourCc::Yuy2] {
        let mut denoise = params(1);
        denoise.output.fourcc = fourcc;
        denoise.denoise = Some(40);
        assert!(matches!(Vpp::query(&denoise), Err(VppError::Unsupported(_))), "denoise into {fourcc}");
        let mut detail = params(1);
        detail.output.fourcc = fourcc;
        detail.detail = Some(40);
        assert!(matches!(Vpp::query(&detail), Err(VppError::Unsupported(_))), "detail into {fourcc}");
    }
    // Through a session: frames come out denoised and sharpened without error, and Reset can
    // turn the filters off.
    let mut vpp = Vpp::new(Core::new());
    let mut both = params(1);
    both.denoise = Some(40);
    both.detail = Some(50);
    vpp.init(&both).unwrap();
    let input = vpp.input_surface().unwrap();
    fill_flat(&input, 90, 128);
    let output = vpp.process_frame_async(&input).unwrap();
    output.synchronize(Duration::from_secs(5)).unwrap();
    assert_eq!(output.map_read().unwrap().view().plane(0).row(10)[10], 90, "a flat picture stays flat");
    vpp.reset(&params(1)).unwrap();
    assert_eq!(vpp.params().unwrap().denoise, None);
}

#[test]
fn frame_interpolation_holds_the_previous_frame_and_mixes() {
    use vplrs_memory::FrameRate;
    let mut params = params(1);
    params.output = FrameInfo::new(FourCc::Nv12, 320, 240);
    params.input.frame_rate = FrameRate { num: 30, den: 1 };
    params.output.frame_rate = FrameRate { num: 60, den: 1 };
    params.frame_interpolation = true;
    let [held_request, _] = Vpp::query_io_surf(&params).unwrap();
    let [plain_request, _] = Vpp::query_io_surf(&VppParams { frame_interpolation: false, ..params.clone() }).unwrap();
    assert_eq!(held_request.num_frame_min, plain_request.num_frame_min + 1, "the previous frame is kept");
    let mut vpp = Vpp::new(Core::new());
    vpp.init(&params).unwrap();
    let luma = |surface: &Surface| surface.map_read().unwrap().view().plane(0).row(5)[5];
    let first = vpp.input_surface().unwrap();
    fill_flat(&first, 40, 128);
    first.update_meta(|meta| meta.timestamp = 0);
    let out = vpp.output_surface().unwrap();
    assert!(matches!(vpp.run_frame_async(Some(&first), &out), Err(VppError::MoreData)));
    assert_eq!(first.locked(), 1, "held as the previous frame");
    let second = vpp.input_surface().unwrap();
    fill_flat(&second, 80, 128);
    let mut outputs = Vec::new();
    loop {
        let out = vpp.output_surface().unwrap();
        vpp.run_frame_async(Some(&second), &out).unwrap().wait(Duration::from_secs(5)).unwrap();
        outputs.push((luma(&out), out.meta().timestamp));
        if !vpp.repeats_pending() {
            break;
        }
    }
    assert_eq!(outputs, vec![(40, 0), (60, 1500)], "the first input, then halfway to the second");
    assert_eq!(first.locked(), 0, "let go once the second input is the previous frame");
    assert_eq!(second.locked(), 1);
    loop {
        let out = vpp.output_surface().unwrap();
        match vpp.run_frame_async(None, &out) {
            Ok(sync) => {
                sync.wait(Duration::from_secs(5)).unwrap();
                outputs.push((luma(&out), out.meta().timestamp));
            }
            Err(VppError::MoreData) => break,
            Err(error) => panic!("{error}"),
        }
    }
    assert_eq!(&outputs[2..], &[(80, 3000), (80, 4500)], "draining shows the last input");
    assert_eq!(second.locked(), 0);
}

#[test]
fn fields_are_split_from_frames_and_woven_into_them() {
    use vplrs_memory::{FrameRate, PicStruct};
    use vplrs_vpp::Fields;
    let frame = FrameInfo::new(FourCc::Nv12, 64, 64);
    let mut field = FrameInfo::new(FourCc::Nv12, 64, 32);
    field.pic_struct = PicStruct::FIELD_SINGLE;
    let mut interlaced = frame;
    interlaced.pic_struct = PicStruct::FIELD_TFF;
    let split = VppParams::new(interlaced, field);
    assert_eq!(split.fields(), Fields::Split);
    let outcome = Vpp::query(&split).unwrap();
    assert_eq!(outcome.params.output.frame_rate, FrameRate { num: 60, den: 1 }, "two fields a frame");
    let weave = VppParams::new(field, interlaced);
    assert_eq!(weave.fields(), Fields::Weave);
    assert_eq!(Vpp::query(&weave).unwrap().params.output.frame_rate, FrameRate { num: 30, den: 2 });
    let [weave_in, _] = Vpp::query_io_surf(&weave).unwrap();
    let [frame_in, _] = Vpp::query_io_surf(&VppParams::new(field, field)).unwrap();
    assert_eq!(weave_in.num_frame_min, frame_in.num_frame_min + 1, "the first field of a pair is kept");

    // Split then weave: rows go to their fields and come back.
    let rows_filled = |surface: &Surface| {
        let mut guard = surface.map_write().unwrap();
        let mut view = guard.view_mut();
        for y in 0..64 {
            view.plane_mut(0).row_mut(y).fill(y as u8);
        }
    };
    let mut splitter = Vpp::new(Core::new());
    splitter.init(&split).unwrap();
    let input = splitter.input_surface().unwrap();
    rows_filled(&input);
    let mut fields = Vec::new();
    loop {
        let out = splitter.process_frame_async(&input).unwrap();
        out.synchronize(Duration::from_secs(5)).unwrap();
        fields.push(out);
        if !splitter.repeats_pending() {
            break;
        }
    }
    assert_eq!(fields.len(), 2);
    let first_rows = |surface: &Surface| -> Vec<u8> {
        let guard = surface.map_read().unwrap();
        (0..4).map(|y| guard.view().plane(0).row(y)[0]).collect()
    };
    assert_eq!(first_rows(&fields[0]), vec![0, 2, 4, 6], "the top field first");
    assert_eq!(first_rows(&fields[1]), vec![1, 3, 5, 7]);
    assert!(fields[0].meta().info.pic_struct.contains(PicStruct::FIELD_SINGLE | PicStruct::FIELD_TFF));
    let mut weaver = Vpp::new(Core::new());
    weaver.init(&weave).unwrap();
    let output = weaver.output_surface().unwrap();
    assert!(matches!(weaver.run_frame_async(Some(&fields[0]), &output), Err(VppError::MoreData)));
    assert_eq!(fields[0].locked(), 1, "the first field is held");
    weaver.run_frame_async(Some(&fields[1]), &output).unwrap().wait(Duration::from_secs(5)).unwrap();
    let guard = output.map_read().unwrap();
    let rows: Vec<u8> = (0..64).map(|y| guard.view().plane(0).row(y)[0]).collect();
    assert_eq!(rows, (0..64u8).collect::<Vec<_>>());
}
