//! Layout properties for every format and size.

use proptest::prelude::*;
use vplrs_memory::{FourCc, FrameInfo, FrameLayout, LayoutOptions, PicStruct};

fn any_fourcc() -> impl Strategy<Value = FourCc> {
    prop::sample::select(FourCc::ALL.to_vec())
}

proptest! {
    #[test]
    fn planes_are_aligned_disjoint_and_inside(
        fourcc in any_fourcc(),
        width in 1u32..4200,
        height in 1u32..2300,
        align_log2 in 6u32..9,
        fields in any::<bool>(),
    ) {
        let mut info = FrameInfo::new(fourcc, width, height);
        if fields {
            info = info.with_pic_struct(PicStruct::FIELD_TFF);
            prop_assert_eq!(info.height % 32, 0);
        }
        let align = 1usize << align_log2;
        let layout = FrameLayout::new(&info, LayoutOptions { pitch_align: align }).unwrap();
        prop_assert_eq!(layout.plane_count(), fourcc.planes().len());
        let mut end = 0;
        for (plane, format) in layout.planes().iter().zip(fourcc.planes()) {
            prop_assert_eq!(plane.offset % align, 0, "plane start aligned");
            prop_assert_eq!(plane.pitch % align, 0, "pitch aligned");
            prop_assert!(plane.offset >= end, "planes in order, not overlapping");
            let row_bytes = (info.width as usize * format.bytes_per_pixel as usize) >> format.pitch_shift;
            prop_assert_eq!(plane.row_bytes, row_bytes);
            prop_assert!(plane.pitch >= plane.row_bytes);
            prop_assert_eq!(plane.rows, info.height as usize >> format.vertical_shift);
            end = plane.offset + plane.pitch * plane.rows;
        }
        prop_assert!(end <= layout.size);
        // Chroma pitch of planar 4:2:0 is half the luma pitch: oneVPL has a single Pitch field.
        if matches!(fourcc, FourCc::I420 | FourCc::Yv12) {
            prop_assert_eq!(layout.planes()[1].pitch * 2, layout.pitch());
        }
    }

    #[test]
    fn fourcc_codes_round_trip(fourcc in any_fourcc()) {
        prop_assert_eq!(FourCc::from_code(fourcc.code()), Some(fourcc));
        prop_assert_eq!(FourCc::from_name(fourcc.name()), Some(fourcc));
    }
}

#[test]
fn bad_sizes_and_alignments_are_refused() {
    let mut info = FrameInfo::new(FourCc::Nv12, 64, 64);
    info.width = 65;
    assert!(FrameLayout::new(&info, LayoutOptions::default()).is_err());
    info.width = 64;
    info.height = 63;
    assert!(FrameLayout::new(&info, LayoutOptions::default()).is_err(), "half a chroma row");
    let info = FrameInfo::new(FourCc::Nv12, 64, 48);
    let mut fields = info;
    fields.pic_struct = PicStruct::FIELD_BFF;
    // Memory of any even size is laid out (application surfaces are allocated at the picture's
    // size); components require the API's alignment, 32 rows for fields.
    assert!(fields.validate().is_err(), "48 lines are not allocated for fields");
    assert!(FrameLayout::new(&fields, LayoutOptions::default()).is_ok());
    let mut picture_sized = FrameInfo::new(FourCc::Nv12, 640, 360);
    picture_sized.height = 360;
    assert!(picture_sized.validate().is_err());
    let layout = FrameLayout::new(&picture_sized, LayoutOptions::default()).unwrap();
    assert_eq!(layout.planes()[1].rows, 180);
    assert!(FrameLayout::new(&info, LayoutOptions { pitch_align: 96 }).is_err());
    assert!(FrameLayout::new(&info, LayoutOptions { pitch_align: 32 }).is_err());
    let mut cropped = info;
    cropped.crop.x = 10;
    assert!(FrameLayout::new(&cropped, LayoutOptions::default()).is_err(), "crop beyond the frame");
}

#[test]
fn nv12_1080p_layout_is_what_c_code_expects() {
    let info = FrameInfo::new(FourCc::Nv12, 1920, 1080);
    assert_eq!((info.width, info.height), (1920, 1088));
    let layout = FrameLayout::new(&info, LayoutOptions::default()).unwrap();
    let [y, uv] = layout.planes() else { panic!("two planes") };
    assert_eq!((y.offset, y.pitch, y.rows), (0, 1920, 1088));
    assert_eq!((uv.offset, uv.pitch, uv.rows), (1920 * 1088, 1920, 544));
    assert_eq!(layout.size, 1920 * 1088 * 3 / 2);
}
