//! Raw FFI declarations of the metrics registry, `include/obsv/c_api_registry.h`
//! and `include/obsv/c_api_registry_extras.h`: families, series handles
//! (small structs passed by value), collectors as C callbacks, the process
//! collector, build info, request metrics and the HTTP exposition.
//! Re-exported at the crate root; the headers are the manual.
//!
//! Thread safety (from the header), unlike the rest of the C ABI: a registry,
//! its families and handles may be used from any thread at any time, except
//! `obsv_registry_free()`, which must not overlap any other use of that
//! registry (and `obsv_request_metrics_free()`, of that handle).

use crate::{
    obsv_error, obsv_format, obsv_label, obsv_metric_type, obsv_sample, obsv_status, obsv_str,
};
use core::ffi::{c_char, c_int, c_void};

/// `obsv_registry`: opaque.
#[repr(C)]
pub struct obsv_registry {
    _private: [u8; 0],
}

/// `obsv_registry_options`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct obsv_registry_options {
    pub legacy_names_only: c_int,
    pub retire_grace_ms: i64,
}

c_enum! {
    /// `obsv_overflow_policy`.
    obsv_overflow_policy {
        OBSV_OVERFLOW_REFUSE = 0,
        OBSV_OVERFLOW_SERIES = 1,
    }
}

/// `obsv_metric_options`; fill with `obsv_metric_options_init()` first.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct obsv_metric_options {
    pub name: obsv_str,
    pub help: obsv_str,
    pub unit: obsv_str,
    pub label_names: *const obsv_str,
    pub label_name_count: usize,
    pub const_labels: *const obsv_label,
    pub const_label_count: usize,
    pub max_series: u64,
    pub overflow: obsv_overflow_policy,
    pub overflow_label_value: obsv_str,
    pub idle_ttl_ms: i64,
}

/// `obsv_summary_options`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct obsv_summary_options {
    pub quantiles: *const f64,
    pub quantile_count: usize,
    pub max_age_ms: i64,
    pub age_buckets: i32,
    pub max_samples_per_bucket: u64,
}

/// `obsv_native_histogram_options`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct obsv_native_histogram_options {
    pub bucket_factor: f64,
    pub zero_threshold: f64,
    pub max_buckets: u32,
    pub min_reset_duration_ms: i64,
    pub max_zero_threshold: f64,
}

/// `obsv_native_bucket`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct obsv_native_bucket {
    pub index: i32,
    pub count: u64,
}

/// `obsv_native_histogram_state`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct obsv_native_histogram_state {
    pub schema: i32,
    pub zero_threshold: f64,
    pub zero_count: u64,
    pub count: u64,
    pub sum: f64,
    pub positive_count: usize,
    pub negative_count: usize,
}

macro_rules! opaque {
    ($($name:ident),*) => {$(
        #[repr(C)]
        pub struct $name {
            _private: [u8; 0],
        }
    )*};
}
opaque!(
    obsv_counter_family,
    obsv_gauge_family,
    obsv_histogram_family,
    obsv_summary_family,
    obsv_info_family,
    obsv_stateset_family,
    obsv_gauge_histogram_family,
    obsv_family_sink,
    obsv_request_metrics
);

macro_rules! handle {
    ($($name:ident),*) => {$(
        /// A series handle: two opaque words, passed by value; all-zero is
        /// the empty handle.
        #[repr(C)]
        #[derive(Clone, Copy, Debug)]
        pub struct $name {
            pub opaque: [*mut c_void; 2],
        }
        impl $name {
            pub const EMPTY: $name = $name { opaque: [core::ptr::null_mut(); 2] };
        }
    )*};
}
handle!(
    obsv_counter,
    obsv_gauge,
    obsv_histogram,
    obsv_summary,
    obsv_info,
    obsv_stateset,
    obsv_gauge_histogram
);

/// `obsv_collect_fn`.
pub type obsv_collect_fn = Option<
    unsafe extern "C" fn(user_data: *mut c_void, sink: *mut obsv_family_sink) -> obsv_status,
>;
/// `obsv_destroy_fn`.
pub type obsv_destroy_fn = Option<unsafe extern "C" fn(user_data: *mut c_void)>;

/// `obsv_process_collector_options`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct obsv_process_collector_options {
    pub name_prefix: obsv_str,
    pub proc_root: obsv_str,
    pub collector_name: obsv_str,
    pub cache_ttl_ms: i64,
}

/// `obsv_build_info`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct obsv_build_info {
    pub version: obsv_str,
    pub revision: obsv_str,
    pub branch: obsv_str,
    pub build_date: obsv_str,
    pub compiler: obsv_str,
    pub extra_labels: *const obsv_label,
    pub extra_label_count: usize,
}

/// `obsv_request_metrics_options`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct obsv_request_metrics_options {
    pub prefix: obsv_str,
    pub endpoint: obsv_str,
    pub duration_buckets: *const f64,
    pub duration_bucket_count: usize,
    pub size_buckets: *const f64,
    pub size_bucket_count: usize,
    pub const_labels: *const obsv_label,
    pub const_label_count: usize,
}

extern "C" {
    // Series: resolving label values to handles
    pub fn obsv_counter_family_with_labels(
        family: *const obsv_counter_family,
        values: *const obsv_str,
        count: usize,
        out_handle: *mut obsv_counter,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_counter_family_get(
        family: *const obsv_counter_family,
        values: *const obsv_str,
        count: usize,
        out_handle: *mut obsv_counter,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_counter_family_remove(
        family: *const obsv_counter_family,
        values: *const obsv_str,
        count: usize,
    ) -> obsv_status;
    pub fn obsv_counter_family_clear(family: *const obsv_counter_family);
    pub fn obsv_counter_family_size(family: *const obsv_counter_family) -> usize;
    pub fn obsv_gauge_family_with_labels(
        family: *const obsv_gauge_family,
        values: *const obsv_str,
        count: usize,
        out_handle: *mut obsv_gauge,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_gauge_family_get(
        family: *const obsv_gauge_family,
        values: *const obsv_str,
        count: usize,
        out_handle: *mut obsv_gauge,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_gauge_family_remove(
        family: *const obsv_gauge_family,
        values: *const obsv_str,
        count: usize,
    ) -> obsv_status;
    pub fn obsv_gauge_family_clear(family: *const obsv_gauge_family);
    pub fn obsv_gauge_family_size(family: *const obsv_gauge_family) -> usize;
    pub fn obsv_histogram_family_with_labels(
        family: *const obsv_histogram_family,
        values: *const obsv_str,
        count: usize,
        out_handle: *mut obsv_histogram,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_histogram_family_get(
        family: *const obsv_histogram_family,
        values: *const obsv_str,
        count: usize,
        out_handle: *mut obsv_histogram,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_histogram_family_remove(
        family: *const obsv_histogram_family,
        values: *const obsv_str,
        count: usize,
    ) -> obsv_status;
    pub fn obsv_histogram_family_clear(family: *const obsv_histogram_family);
    pub fn obsv_histogram_family_size(family: *const obsv_histogram_family) -> usize;
    pub fn obsv_summary_family_with_labels(
        family: *const obsv_summary_family,
        values: *const obsv_str,
        count: usize,
        out_handle: *mut obsv_summary,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_summary_family_get(
        family: *const obsv_summary_family,
        values: *const obsv_str,
        count: usize,
        out_handle: *mut obsv_summary,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_summary_family_remove(
        family: *const obsv_summary_family,
        values: *const obsv_str,
        count: usize,
    ) -> obsv_status;
    pub fn obsv_summary_family_clear(family: *const obsv_summary_family);
    pub fn obsv_summary_family_size(family: *const obsv_summary_family) -> usize;
    pub fn obsv_info_family_with_labels(
        family: *const obsv_info_family,
        values: *const obsv_str,
        count: usize,
        out_handle: *mut obsv_info,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_info_family_get(
        family: *const obsv_info_family,
        values: *const obsv_str,
        count: usize,
        out_handle: *mut obsv_info,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_info_family_remove(
        family: *const obsv_info_family,
        values: *const obsv_str,
        count: usize,
    ) -> obsv_status;
    pub fn obsv_info_family_clear(family: *const obsv_info_family);
    pub fn obsv_info_family_size(family: *const obsv_info_family) -> usize;
    pub fn obsv_stateset_family_with_labels(
        family: *const obsv_stateset_family,
        values: *const obsv_str,
        count: usize,
        out_handle: *mut obsv_stateset,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_stateset_family_get(
        family: *const obsv_stateset_family,
        values: *const obsv_str,
        count: usize,
        out_handle: *mut obsv_stateset,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_stateset_family_remove(
        family: *const obsv_stateset_family,
        values: *const obsv_str,
        count: usize,
    ) -> obsv_status;
    pub fn obsv_stateset_family_clear(family: *const obsv_stateset_family);
    pub fn obsv_stateset_family_size(family: *const obsv_stateset_family) -> usize;
    pub fn obsv_gauge_histogram_family_with_labels(
        family: *const obsv_gauge_histogram_family,
        values: *const obsv_str,
        count: usize,
        out_handle: *mut obsv_gauge_histogram,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_gauge_histogram_family_get(
        family: *const obsv_gauge_histogram_family,
        values: *const obsv_str,
        count: usize,
        out_handle: *mut obsv_gauge_histogram,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_gauge_histogram_family_remove(
        family: *const obsv_gauge_histogram_family,
        values: *const obsv_str,
        count: usize,
    ) -> obsv_status;
    pub fn obsv_gauge_histogram_family_clear(family: *const obsv_gauge_histogram_family);
    pub fn obsv_gauge_histogram_family_size(family: *const obsv_gauge_histogram_family) -> usize;
}

extern "C" {
    // Registry
    pub fn obsv_registry_options_init(options: *mut obsv_registry_options);
    pub fn obsv_registry_new(
        options: *const obsv_registry_options,
        out_registry: *mut *mut obsv_registry,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_registry_free(registry: *mut obsv_registry);
    pub fn obsv_registry_family_count(registry: *const obsv_registry) -> usize;
    pub fn obsv_registry_unregister(
        registry: *mut obsv_registry,
        name: *const c_char,
        len: usize,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_registry_expire_idle(registry: *const obsv_registry) -> usize;

    // Registering families
    pub fn obsv_metric_options_init(options: *mut obsv_metric_options);
    pub fn obsv_summary_options_init(options: *mut obsv_summary_options);
    pub fn obsv_native_histogram_options_init(options: *mut obsv_native_histogram_options);
    pub fn obsv_registry_counter(
        registry: *mut obsv_registry,
        options: *const obsv_metric_options,
        out_family: *mut *mut obsv_counter_family,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_registry_gauge(
        registry: *mut obsv_registry,
        options: *const obsv_metric_options,
        out_family: *mut *mut obsv_gauge_family,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_registry_histogram(
        registry: *mut obsv_registry,
        options: *const obsv_metric_options,
        buckets: *const f64,
        count: usize,
        out_family: *mut *mut obsv_histogram_family,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_registry_native_histogram(
        registry: *mut obsv_registry,
        options: *const obsv_metric_options,
        native: *const obsv_native_histogram_options,
        buckets: *const f64,
        count: usize,
        out_family: *mut *mut obsv_histogram_family,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_registry_gauge_histogram(
        registry: *mut obsv_registry,
        options: *const obsv_metric_options,
        buckets: *const f64,
        count: usize,
        out_family: *mut *mut obsv_gauge_histogram_family,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_registry_summary(
        registry: *mut obsv_registry,
        options: *const obsv_metric_options,
        summary: *const obsv_summary_options,
        out_family: *mut *mut obsv_summary_family,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_registry_info(
        registry: *mut obsv_registry,
        options: *const obsv_metric_options,
        out_family: *mut *mut obsv_info_family,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_registry_stateset(
        registry: *mut obsv_registry,
        options: *const obsv_metric_options,
        states: *const obsv_str,
        count: usize,
        out_family: *mut *mut obsv_stateset_family,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;

    // Updating series
    pub fn obsv_counter_inc(counter: obsv_counter);
    pub fn obsv_counter_inc_by(counter: obsv_counter, n: u64);
    pub fn obsv_counter_add(counter: obsv_counter, v: f64);
    pub fn obsv_counter_value(counter: obsv_counter) -> f64;
    pub fn obsv_gauge_set(gauge: obsv_gauge, v: f64);
    pub fn obsv_gauge_inc(gauge: obsv_gauge);
    pub fn obsv_gauge_dec(gauge: obsv_gauge);
    pub fn obsv_gauge_add(gauge: obsv_gauge, v: f64);
    pub fn obsv_gauge_set_to_current_time(gauge: obsv_gauge);
    pub fn obsv_gauge_value(gauge: obsv_gauge) -> f64;
    pub fn obsv_histogram_observe(histogram: obsv_histogram, v: f64);
    pub fn obsv_histogram_read(histogram: obsv_histogram, out_count: *mut u64, out_sum: *mut f64);
    pub fn obsv_histogram_read_native(
        histogram: obsv_histogram,
        out_schema: *mut i32,
        out_zero_threshold: *mut f64,
        out_zero_count: *mut u64,
        out_positive_buckets: *mut usize,
        out_negative_buckets: *mut usize,
    ) -> c_int;
    pub fn obsv_histogram_read_native_buckets(
        histogram: obsv_histogram,
        out_state: *mut obsv_native_histogram_state,
        positive: *mut obsv_native_bucket,
        positive_capacity: usize,
        negative: *mut obsv_native_bucket,
        negative_capacity: usize,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_counter_inc_with_exemplar(
        counter: obsv_counter,
        n: u64,
        labels: *const obsv_label,
        count: usize,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_counter_add_with_exemplar(
        counter: obsv_counter,
        v: f64,
        labels: *const obsv_label,
        count: usize,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_histogram_observe_with_exemplar(
        histogram: obsv_histogram,
        v: f64,
        labels: *const obsv_label,
        count: usize,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_gauge_histogram_observe(histogram: obsv_gauge_histogram, v: f64, n: i64);
    pub fn obsv_gauge_histogram_read(
        histogram: obsv_gauge_histogram,
        out_gcount: *mut i64,
        out_gsum: *mut f64,
    );
    pub fn obsv_summary_observe(summary: obsv_summary, v: f64);
    pub fn obsv_stateset_set(
        stateset: obsv_stateset,
        state: *const c_char,
        len: usize,
        value: c_int,
    ) -> obsv_status;
    pub fn obsv_stateset_set_only(
        stateset: obsv_stateset,
        state: *const c_char,
        len: usize,
    ) -> obsv_status;
    pub fn obsv_stateset_get(stateset: obsv_stateset, state: *const c_char, len: usize) -> c_int;

    // Collectors
    pub fn obsv_registry_add_collector(
        registry: *mut obsv_registry,
        name: *const c_char,
        len: usize,
        collect: obsv_collect_fn,
        user_data: *mut c_void,
        destroy: obsv_destroy_fn,
        cache_ttl_ms: i64,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_registry_remove_collector(
        registry: *mut obsv_registry,
        name: *const c_char,
        len: usize,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_family_sink_begin(
        sink: *mut obsv_family_sink,
        name: obsv_str,
        type_: obsv_metric_type,
        help: obsv_str,
        unit: obsv_str,
    ) -> obsv_status;
    pub fn obsv_family_sink_add_sample(
        sink: *mut obsv_family_sink,
        sample: *const obsv_sample,
    ) -> obsv_status;
    pub fn obsv_family_sink_add_value(
        sink: *mut obsv_family_sink,
        name: obsv_str,
        labels: *const obsv_label,
        count: usize,
        value: f64,
    ) -> obsv_status;

    // Exposition
    pub fn obsv_registry_expose(
        registry: *const obsv_registry,
        format: obsv_format,
        out: *mut *mut c_char,
        out_len: *mut usize,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_registry_expose_into(
        registry: *const obsv_registry,
        format: obsv_format,
        buffer: *mut c_char,
        capacity: usize,
        out_needed: *mut usize,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_negotiate_format(
        accept: *const c_char,
        len: usize,
        out_format: *mut obsv_format,
        out_content_type: *mut *const c_char,
    ) -> obsv_status;

    // Extras (c_api_registry_extras.h)
    pub fn obsv_process_collector_options_init(options: *mut obsv_process_collector_options);
    pub fn obsv_registry_add_process_collector(
        registry: *mut obsv_registry,
        options: *const obsv_process_collector_options,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_build_info_init(info: *mut obsv_build_info);
    pub fn obsv_register_build_info(
        registry: *mut obsv_registry,
        program: *const c_char,
        program_len: usize,
        info: *const obsv_build_info,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_request_metrics_options_init(options: *mut obsv_request_metrics_options);
    pub fn obsv_request_metrics_new(
        registry: *mut obsv_registry,
        options: *const obsv_request_metrics_options,
        out_metrics: *mut *mut obsv_request_metrics,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_request_metrics_observe(
        metrics: *const obsv_request_metrics,
        method: *const c_char,
        method_len: usize,
        code: c_int,
        duration_seconds: f64,
        response_bytes: f64,
    );
    pub fn obsv_request_metrics_free(metrics: *mut obsv_request_metrics);
    pub fn obsv_accepts_gzip(header: *const c_char, len: usize) -> c_int;
    pub fn obsv_registry_expose_http(
        registry: *const obsv_registry,
        accept: *const c_char,
        accept_len: usize,
        accept_encoding: *const c_char,
        accept_encoding_len: usize,
        out: *mut *mut c_char,
        out_len: *mut usize,
        out_content_type: *mut *const c_char,
        out_content_encoding: *mut *const c_char,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
}
