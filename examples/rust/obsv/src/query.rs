//! What [`crate::promql`] and [`crate::logql`] share: the two C APIs take
//! string arrays and template values and return strings, string lists and
//! injectors the same way, so only the C calls themselves differ between the
//! two wrappers. Each helper makes a call given as a closure and turns its
//! out parameters into owned values.

use crate::error::{check, Error};
use crate::parser::string;
use crate::types::Status;
use crate::writer::bytes_to_string;
use obsv_sys as sys;
use std::ffi::c_char;
use std::ptr::{self, NonNull};

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

/// Calls a function that returns a list of library strings through
/// `out_list` and copies them out, freeing the list.
pub(crate) fn take_strings(
    call: impl FnOnce(*mut *mut sys::obsv_string_list, *mut *mut sys::obsv_error) -> sys::obsv_status,
) -> Result<Vec<String>, Error> {
    let mut list = ptr::null_mut();
    let mut err = ptr::null_mut();
    let status = call(&mut list, &mut err);
    // SAFETY: `err` is owned by check(); on success `list` is a live list,
    // copied, then freed.
    unsafe {
        check(status, err)?;
        let out = (0..sys::obsv_string_list_size(list))
            .map(|i| string(sys::obsv_string_list_get(list, i)))
            .collect();
        sys::obsv_string_list_free(list);
        Ok(out)
    }
}

/// Calls a function that creates an injector through `out_injector` and
/// returns the owned handle.
pub(crate) fn new_injector<T>(
    call: impl FnOnce(*mut *mut T, *mut *mut sys::obsv_error) -> sys::obsv_status,
) -> Result<NonNull<T>, Error> {
    let mut raw = ptr::null_mut();
    let mut err = ptr::null_mut();
    // SAFETY: `err` is owned by check().
    unsafe { check(call(&mut raw, &mut err), err)? };
    NonNull::new(raw)
        .ok_or_else(|| Error::new(Status::INTERNAL, "the library returned OK and no injector"))
}

/// Views of `strs`, which must outlive the call they are passed to.
pub(crate) fn views<S: AsRef<str>>(strs: &[S]) -> Vec<sys::obsv_str> {
    strs.iter()
        .map(|s| sys::obsv_str::from_bytes(s.as_ref().as_bytes()))
        .collect()
}

/// Views of the names and of the values of `pairs`, in the same order, as
/// the expand-template functions take them; `pairs` must outlive the call.
pub(crate) fn template_views<K: AsRef<str>, V: AsRef<str>>(
    pairs: &[(K, V)],
) -> (Vec<sys::obsv_str>, Vec<sys::obsv_str>) {
    pairs
        .iter()
        .map(|(k, v)| {
            (
                sys::obsv_str::from_bytes(k.as_ref().as_bytes()),
                sys::obsv_str::from_bytes(v.as_ref().as_bytes()),
            )
        })
        .unzip()
}
