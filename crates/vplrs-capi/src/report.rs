//! `vplrs_pool_report`: the pool report of every pool of every open session, on demand (see
//! `vplrs_memory::report`; the same report goes to `VPLRS_LOG` when a pool runs dry).

use std::ffi::c_char;

use crate::ffi::guard_value;

/// Writes the report, NUL-terminated and truncated to `size` bytes, into `buffer` (which may be
/// NULL when `size` is 0) and returns its full length without the NUL, as `snprintf` does.
#[no_mangle]
pub extern "C" fn vplrs_pool_report(buffer: *mut c_char, size: usize) -> usize {
    guard_value("vplrs_pool_report", 0, || {
        let text = crate::session::pool_reports();
        if !buffer.is_null() && size > 0 {
            let copied = text.len().min(size - 1);
            // SAFETY: the caller passes a buffer of `size` writable bytes; `copied + 1 <= size`.
            unsafe {
                std::ptr::copy_nonoverlapping(text.as_ptr(), buffer.cast::<u8>(), copied);
                buffer.add(copied).write(0);
            }
        }
        text.len()
    })
}
