//! What [`crate::promql`] and [`crate::logql`] share. The two C APIs take
//! string arrays and template values and return strings, string lists and
//! injectors the same way, and several of their functions differ only in
//! name, options and injector type: the helpers here make those calls and
//! turn their out parameters into owned values, so each wrapper keeps only
//! what is its own.

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
fn take_strings(
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

// The functions both C APIs have, alike but for their names, the options
// `O` and the injector `H` they take. Each helper calls one of them given as
// a function pointer: the pointer's type checks the signature, the helper
// writes the call and its out parameters once.

/// `obsv_{promql,logql}_format_query`, `obsv_promql_pretty_query`: a query
/// in, a library string out.
pub(crate) type PrintFn<O> = unsafe extern "C" fn(
    *const c_char,
    usize,
    *const O,
    *mut *mut c_char,
    *mut usize,
    *mut *mut sys::obsv_error,
) -> sys::obsv_status;

/// `obsv_{promql,logql}_inject_query`.
pub(crate) type InjectQueryFn<H, O> = unsafe extern "C" fn(
    *const H,
    *const c_char,
    usize,
    *const O,
    *mut *mut c_char,
    *mut usize,
    *mut *mut sys::obsv_error,
) -> sys::obsv_status;

/// `obsv_{promql,logql}_inject_selectors`.
pub(crate) type InjectSelectorsFn<H, O> = unsafe extern "C" fn(
    *const H,
    *const sys::obsv_str,
    usize,
    *const O,
    *mut *mut sys::obsv_string_list,
    *mut *mut sys::obsv_error,
) -> sys::obsv_status;

/// `obsv_{promql,logql}_expand_template`.
pub(crate) type ExpandTemplateFn<O> = unsafe extern "C" fn(
    *const c_char,
    usize,
    *const sys::obsv_str,
    *const sys::obsv_str,
    usize,
    *const O,
    *mut *mut c_char,
    *mut usize,
    *mut *mut sys::obsv_error,
) -> sys::obsv_status;

/// Prints `query` with `print`.
///
/// # Safety
/// `print` is one of the library's functions named at [`PrintFn`].
pub(crate) unsafe fn call_print<O>(
    print: PrintFn<O>,
    query: &str,
    options: &O,
) -> Result<String, Error> {
    // SAFETY: query and options alive for the call.
    take_string(|out, len, err| unsafe {
        print(query.as_ptr().cast(), query.len(), options, out, len, err)
    })
}

/// Scopes `query` with `inject` and `injector`.
///
/// # Safety
/// `inject` is one of the library's functions named at [`InjectQueryFn`];
/// `injector` is a live injector of its language.
pub(crate) unsafe fn call_inject_query<H, O>(
    inject: InjectQueryFn<H, O>,
    injector: *const H,
    query: &str,
    options: &O,
) -> Result<String, Error> {
    // SAFETY: a live injector, query and options for the call.
    take_string(|out, len, err| unsafe {
        inject(
            injector,
            query.as_ptr().cast(),
            query.len(),
            options,
            out,
            len,
            err,
        )
    })
}

/// Scopes the selectors `matches` with `inject` and `injector`.
///
/// # Safety
/// `inject` is one of the library's functions named at
/// [`InjectSelectorsFn`]; `injector` is a live injector of its language.
pub(crate) unsafe fn call_inject_selectors<H, O, S: AsRef<str>>(
    inject: InjectSelectorsFn<H, O>,
    injector: *const H,
    matches: &[S],
    options: &O,
) -> Result<Vec<String>, Error> {
    let views = views(matches);
    // SAFETY: a live injector, views and options for the call.
    take_strings(|list, err| unsafe {
        inject(injector, views.as_ptr(), views.len(), options, list, err)
    })
}

/// Expands the placeholders of `template` with `values` (pairs of name and
/// value) through `expand`.
///
/// # Safety
/// `expand` is one of the library's functions named at [`ExpandTemplateFn`].
pub(crate) unsafe fn call_expand_template<O, I, K, V>(
    expand: ExpandTemplateFn<O>,
    template: &str,
    values: I,
    options: &O,
) -> Result<String, Error>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    let pairs: Vec<(K, V)> = values.into_iter().collect();
    let (names, vals): (Vec<sys::obsv_str>, Vec<sys::obsv_str>) = pairs
        .iter()
        .map(|(k, v)| {
            (
                sys::obsv_str::from_bytes(k.as_ref().as_bytes()),
                sys::obsv_str::from_bytes(v.as_ref().as_bytes()),
            )
        })
        .unzip();
    // SAFETY: the views point into `pairs`, alive for the call.
    take_string(|out, len, err| unsafe {
        expand(
            template.as_ptr().cast(),
            template.len(),
            names.as_ptr(),
            vals.as_ptr(),
            pairs.len(),
            options,
            out,
            len,
            err,
        )
    })
}
