//! Raw FFI declarations of the LogQL part of the C ABI,
//! `include/obsv/c_api_logql.h`: print Loki's canonical form, scope queries
//! and the selectors of Loki's metadata endpoints to a tenant, expand query
//! templates. Re-exported at the crate root; the header is the manual. It
//! shares `obsv_matcher`, `obsv_conflict_policy` and `obsv_string_list` with
//! the PromQL declarations.

use crate::{
    obsv_conflict_policy, obsv_error, obsv_matcher, obsv_status, obsv_str, obsv_string_list,
};
use core::ffi::{c_char, c_int};

/// `obsv_logql_options`; fill with `obsv_logql_options_init()` first.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct obsv_logql_options {
    /// Default 131071 (Loki's limit).
    pub max_query_bytes: u32,
    /// Height of the tree, default 256.
    pub max_depth: u32,
    /// Default 100000.
    pub max_nodes: u32,
    /// Default 10000.
    pub max_selectors: u32,
    /// Per selector, default 1000.
    pub max_pipeline_stages: u32,
}

/// `OBSV_LOGQL_REFUSE_ENFORCED_LABEL_WRITES`: refuse pipelines that write or
/// remove an enforced label.
pub const OBSV_LOGQL_REFUSE_ENFORCED_LABEL_WRITES: u32 = 1 << 0;

c_opaque! {
    /// Opaque, owned: an immutable, thread-safe LogQL injector.
    obsv_logql_injector;
}

extern "C" {
    pub fn obsv_logql_options_init(options: *mut obsv_logql_options);
    /// `*out` freed with `obsv_string_free()`.
    pub fn obsv_logql_format_query(
        query: *const c_char,
        len: usize,
        options: *const obsv_logql_options,
        out: *mut *mut c_char,
        out_len: *mut usize,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    /// The matchers are copied. Free with `obsv_logql_injector_free()`.
    pub fn obsv_logql_injector_new(
        enforced: *const obsv_matcher,
        count: usize,
        policy: obsv_conflict_policy,
        flags: u32,
        out_injector: *mut *mut obsv_logql_injector,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_logql_injector_new_for_values(
        label: *const c_char,
        label_len: usize,
        values: *const obsv_str,
        count: usize,
        policy: obsv_conflict_policy,
        flags: u32,
        out_injector: *mut *mut obsv_logql_injector,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    /// NULL is a no-op.
    pub fn obsv_logql_injector_free(injector: *mut obsv_logql_injector);
    /// `*out` freed with `obsv_string_free()`.
    pub fn obsv_logql_inject_query(
        injector: *const obsv_logql_injector,
        query: *const c_char,
        len: usize,
        options: *const obsv_logql_options,
        out: *mut *mut c_char,
        out_len: *mut usize,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    /// `len == 0` (parameter absent) gives the enforced selector alone.
    pub fn obsv_logql_inject_selector(
        injector: *const obsv_logql_injector,
        query: *const c_char,
        len: usize,
        allow_pipeline: c_int,
        options: *const obsv_logql_options,
        out: *mut *mut c_char,
        out_len: *mut usize,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    /// `count == 0` (match[] absent) gives the enforced selector alone.
    pub fn obsv_logql_inject_selectors(
        injector: *const obsv_logql_injector,
        match_: *const obsv_str,
        count: usize,
        options: *const obsv_logql_options,
        out_list: *mut *mut obsv_string_list,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    /// `*out` freed with `obsv_string_free()`.
    pub fn obsv_logql_expand_template(
        tmpl: *const c_char,
        len: usize,
        names: *const obsv_str,
        values: *const obsv_str,
        count: usize,
        options: *const obsv_logql_options,
        out: *mut *mut c_char,
        out_len: *mut usize,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
}
