//! The refcount, Locked and map rules, against the codes the header documents.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use vplrs_memory::{
    FourCc, FrameInfo, HandleError, LayoutOptions, MapError, MapFlags, OperationError, Surface, SyncError,
};

/// Ends a raw access taken by the test itself.
fn unmap(surface: &Surface) -> Result<(), MapError> {
    // SAFETY: these tests take every raw access themselves and never use its plane pointers.
    unsafe { surface.unmap() }
}

fn surface() -> Surface {
    Surface::new(FrameInfo::new(FourCc::Nv12, 64, 48), LayoutOptions::default()).unwrap()
}

#[test]
fn refcount_counts_handles() {
    let s = surface();
    assert_eq!(s.ref_count(), 1);
    let c = s.clone();
    assert_eq!(s.ref_count(), 2);
    drop(c);
    assert_eq!(s.ref_count(), 1);
}

/// The aliasing a public `release` once allowed: after a stray release, the pool handed the frame
/// out again while the first handle still used it. Safe code can only release the handles it
/// owns, so a frame is in the free list only when no handle to it is left.
#[test]
fn a_pooled_frame_is_never_handed_out_twice() {
    use vplrs_memory::{MemType, PoolConfig, SurfacePool};
    let pool = SurfacePool::new(PoolConfig::new(FrameInfo::new(FourCc::Nv12, 64, 48), MemType::FROM_DECODE)).unwrap();
    let first = pool.acquire().unwrap();
    let alias = first.clone();
    drop(first);
    let second = pool.acquire().unwrap();
    assert!(!second.ptr_eq(&alias), "a frame still referenced came out of the pool");
    assert!(!second.shares_memory_with(alias.core()));
    let id = alias.id();
    drop(alias);
    let third = pool.acquire().unwrap();
    assert_eq!(third.id(), id, "the frame returns to the pool at its last handle");
}

#[test]
fn map_flags_are_validated() {
    let s = surface();
    for flags in [0, 0x4, 0x10, 0x100, 0x13 | 0x20] {
        let error = s.map(flags).unwrap_err();
        assert_eq!(error, MapError::InvalidFlags(flags), "flags {flags:#x}");
    }
    assert_eq!(unmap(&s).unwrap_err(), MapError::NotMapped, "unmap of an unmapped surface");
}

#[test]
fn readers_share_and_writers_exclude() {
    let s = surface();
    let p1 = s.map(MapFlags::READ.bits()).unwrap();
    let p2 = s.map(MapFlags::READ.bits()).unwrap();
    assert_eq!(p1, p2);
    assert_eq!(s.map(MapFlags::WRITE.bits()).unwrap_err(), MapError::Busy);
    assert_eq!(s.map(MapFlags::READ_WRITE.bits()).unwrap_err(), MapError::Busy);
    unmap(&s).unwrap();
    assert_eq!(s.map(MapFlags::WRITE.bits()).unwrap_err(), MapError::Busy, "one reader left");
    unmap(&s).unwrap();
    assert!(unmap(&s).is_err());

    s.map(MapFlags::WRITE.bits()).unwrap();
    assert_eq!(s.map(MapFlags::WRITE.bits()).unwrap_err(), MapError::Busy);
    let nowait = (MapFlags::READ | MapFlags::NOWAIT).bits();
    assert_eq!(s.map(nowait).unwrap_err(), MapError::WouldWait);
    assert!(s.try_map_read().is_err());
    unmap(&s).unwrap();
    s.map(nowait).unwrap();
    unmap(&s).unwrap();
}

#[test]
fn a_reader_waits_for_the_writer() {
    let s = surface();
    s.map(MapFlags::WRITE.bits()).unwrap();
    let reader = {
        let s = s.clone();
        std::thread::spawn(move || {
            let guard = s.map_read().unwrap();
            guard.view().plane(0).row(0)[0]
        })
    };
    std::thread::sleep(Duration::from_millis(30));
    assert!(!reader.is_finished(), "the reader must wait for the writer");
    {
        // The raw writer owns access; write through a Rust write guard is refused meanwhile.
        assert!(s.map_write().is_err());
    }
    unmap(&s).unwrap();
    assert_eq!(reader.join().unwrap(), 0);
}

#[test]
fn locked_frames_can_be_read_not_written() {
    let s = surface();
    let hold = s.hold().unwrap();
    assert_eq!(s.locked(), 1);
    assert_eq!(s.map(MapFlags::WRITE.bits()).unwrap_err(), MapError::Locked(1));
    assert_eq!(s.map(MapFlags::WRITE.bits()).unwrap_err(), MapError::Locked(1));
    s.map(MapFlags::READ.bits()).unwrap();
    unmap(&s).unwrap();
    drop(hold);
    assert_eq!(s.locked(), 0);
    s.map(MapFlags::WRITE.bits()).unwrap();
    unmap(&s).unwrap();
}

#[test]
fn guards_write_and_read_pixels() {
    let s = surface();
    {
        let mut w = s.map_write().unwrap();
        let mut view = w.view_mut();
        view.plane_mut(0).fill(16);
        view.plane_mut(1).fill(128);
    }
    let r = s.map_read().unwrap();
    let view = r.view();
    assert!(view.plane(0).rows_iter().all(|row| row.iter().all(|&b| b == 16)));
    assert!(view.plane(1).rows_iter().all(|row| row.iter().all(|&b| b == 128)));
    assert_eq!(view.plane(0).rows(), 48);
    assert_eq!(view.plane(1).rows(), 24);
}

#[test]
fn field_views_split_odd_and_even_lines() {
    let info = FrameInfo::new(FourCc::Nv12, 32, 64).with_pic_struct(vplrs_memory::PicStruct::FIELD_TFF);
    let s = Surface::new(info, LayoutOptions::default()).unwrap();
    {
        let mut w = s.map_write().unwrap();
        let mut frame = w.view_mut();
        frame.field_mut(vplrs_memory::Field::Top).plane_mut(0).fill(1);
        frame.field_mut(vplrs_memory::Field::Bottom).plane_mut(0).fill(2);
    }
    let r = s.map_read().unwrap();
    let luma = r.view().plane(0);
    for y in 0..luma.rows() {
        // Line y+1 (one-based) odd = top field.
        let expected = if y % 2 == 0 { 1 } else { 2 };
        assert!(luma.row(y).iter().all(|&b| b == expected), "row {y}");
    }
    let top = r.view().field(vplrs_memory::Field::Top);
    assert_eq!(top.height, 32);
    assert_eq!(top.plane(0).rows(), 32);
    assert_eq!(top.plane(1).rows(), 16);
}

#[test]
fn output_synchronisation_reports_completion_and_errors() {
    let s = surface();
    let completions = Arc::new(AtomicU32::new(0));
    let seen = completions.clone();
    s.set_on_complete(Some(Arc::new(move |outcome| {
        assert_eq!(outcome, Ok(()));
        seen.fetch_add(1, Ordering::SeqCst);
    })));
    let out = s.begin_output().unwrap();
    assert!(s.is_pending());
    assert_eq!(s.synchronize(Duration::from_millis(5)).unwrap_err(), SyncError::Timeout);
    let nowait = (MapFlags::READ | MapFlags::NOWAIT).bits();
    assert_eq!(s.map(nowait).unwrap_err(), MapError::WouldWait, "not ready yet");
    let worker = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        out.finish(Ok(()));
    });
    s.synchronize(Duration::from_secs(5)).unwrap();
    worker.join().unwrap();
    assert_eq!(completions.load(Ordering::SeqCst), 1);

    s.set_on_complete(None);
    let out = s.begin_output().unwrap();
    drop(out); // abandoned: the error travels to whoever synchronises
    assert_eq!(s.synchronize(Duration::ZERO).unwrap_err(), SyncError::Failed(OperationError::Aborted));
}

#[test]
fn system_memory_has_no_native_handles() {
    let s = surface();
    assert_eq!(s.native_handle().unwrap_err(), HandleError::SystemMemory);
    assert_eq!(s.device_handle().unwrap_err(), HandleError::SystemMemory);
    assert!(s.pool().is_none());
}

#[test]
fn a_weak_handle_finds_a_surface_only_while_somebody_holds_it() {
    let s = surface();
    let weak = s.downgrade();
    let again = weak.upgrade().expect("held by `s`");
    assert!(again.ptr_eq(&s));
    assert_eq!(s.ref_count(), 2);
    drop((s, again));
    assert!(weak.upgrade().is_none(), "the last handle is gone: not revived");
}
