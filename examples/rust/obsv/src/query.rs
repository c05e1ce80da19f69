//! What [`crate::promql`] and [`crate::logql`] share: the two C APIs return
//! strings and take string arrays the same way.

use crate::error::{check, Error};
use crate::writer::bytes_to_string;
use obsv_sys as sys;
use std::ffi::c_char;
use std::ptr;

/// Calls a function that returns a library string through `(out, out_len)`
/// and copies it out, freeing it.
pub(crate) fn take_string(
    call: impl FnOnce(*mut *mut c_char, *mut usize, *mut *mut sys::obsv_error) -> sys::obsv_status,
) -> Result<String, Error> {
    let mut out: *mut c_char = ptr::null_mut();
    let mut len = 0usize;
    let mut err = ptr::null_mut();
    let status = call(&mut out, &mut len, &mut err);
    // SAFETY: on success `out` holds `len` bytes; it is copied, then freed
    // with obsv_string_free() as the header requires (NULL is a no-op).
    unsafe {
        let result = check(status, err).map(|()| bytes_to_string(out.cast(), len));
        sys::obsv_string_free(out);
        result
    }
}

pub(crate) fn views<S: AsRef<str>>(strs: &[S]) -> Vec<sys::obsv_str> {
    strs.iter()
        .map(|s| sys::obsv_str::from_bytes(s.as_ref().as_bytes()))
        .collect()
}
