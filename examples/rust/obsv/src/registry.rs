//! The metrics registry (`include/obsv/c_api_registry.h` and
//! `c_api_registry_extras.h`): families of every kind, series handles,
//! exemplars, native histograms, collectors as Rust closures, the process
//! collector, build info, request metrics, and the HTTP exposition with
//! format negotiation and gzip.
//!
//! ```no_run
//! use obsv::registry::{MetricOptions, Registry};
//!
//! let reg = Registry::new()?;
//! let requests = reg.counter(&MetricOptions::new("http_requests").help("Requests.").labels(&["code"]))?;
//! let ok = requests.with_label_values(&["200"])?; // resolve once, keep the handle
//! ok.inc();
//! let page = reg.expose_http("application/openmetrics-text", "gzip")?;
//! // respond(page.content_type, page.content_encoding, &page.body)
//! # Ok::<(), obsv::Error>(())
//! ```
//!
//! Thread safety: the C ABI documents a registry, its families and handles
//! as thread-safe (only `obsv_registry_free()` must not overlap other
//! calls), so [`Registry`], the families, the handles and
//! [`RequestMetrics`] are `Send + Sync`; freeing happens in `Drop`, which
//! the borrow checker keeps exclusive.
//!
//! Lifetimes: families and handles borrow their registry, so none outlives
//! it; [`Registry::unregister`] takes `&mut self`, so no family pointer or
//! handle survives its family's removal. Series removed by `remove`/`clear`
//! leave handles that, in C, become undefined behaviour after the
//! registry's retire grace: [`Registry::new`] therefore sets the grace to
//! "never" (retired series are freed with the registry), and a finite grace
//! is only available through the `unsafe` [`Registry::with_options`].
//!
//! ```compile_fail
//! use obsv::registry::{MetricOptions, Registry};
//! let handle = {
//!     let reg = Registry::new().unwrap();
//!     let c = reg.counter(&MetricOptions::new("c")).unwrap();
//!     c.with_label_values(&[]).unwrap()
//! }; // a handle cannot outlive its registry
//! handle.inc();
//! ```
//!
//! ```compile_fail
//! use obsv::registry::{MetricOptions, Registry};
//! let mut reg = Registry::new().unwrap();
//! let c = reg.counter(&MetricOptions::new("c")).unwrap();
//! reg.unregister("c").unwrap(); // not while a family or handle is alive
//! c.clear();
//! ```

use crate::error::{self, Error};
use crate::types::{static_str, Format, MetricType, Status};
use obsv_sys as sys;
use std::ffi::{c_char, c_void};
use std::marker::PhantomData;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr::{self, NonNull};
use std::time::Duration;

fn s(v: &str) -> sys::obsv_str {
    sys::obsv_str::from_bytes(v.as_bytes())
}

fn strs(v: &[&str]) -> Vec<sys::obsv_str> {
    v.iter().map(|x| s(x)).collect()
}

fn labels(v: &[(&str, &str)]) -> Vec<sys::obsv_label> {
    v.iter()
        .map(|(n, val)| sys::obsv_label {
            name: s(n),
            value: s(val),
        })
        .collect()
}

fn ptr_or_null<T>(v: &[T]) -> *const T {
    if v.is_empty() {
        ptr::null()
    } else {
        v.as_ptr()
    }
}

/// A status without an out_error (remove, stateset, sink calls).
fn status(st: sys::obsv_status) -> Result<(), Error> {
    if st == sys::OBSV_OK {
        Ok(())
    } else {
        let code = Status::from_sys(st);
        Err(Error::new(code, code.name()))
    }
}

// ---------------------------------------------------------------------------
// Registry

/// Registry options (`obsv_registry_options`).
#[derive(Clone, Debug, Default)]
pub struct RegistryOptions {
    /// Refuse names outside the legacy Prometheus charsets.
    pub legacy_names_only: bool,
    /// How long a removed series' memory stays valid for handles still held;
    /// `None`: never freed before the registry.
    pub retire_grace: Option<Duration>,
}

/// An `obsv_registry`. `Send + Sync`; see the module documentation.
pub struct Registry {
    p: NonNull<sys::obsv_registry>,
}

// SAFETY: the C ABI documents every registry function as thread-safe except
// obsv_registry_free(), which Drop runs with exclusive access.
unsafe impl Send for Registry {}
unsafe impl Sync for Registry {}

impl Registry {
    /// A registry whose retired series live as long as it does (so that no
    /// handle of a removed series can dangle).
    pub fn new() -> Result<Registry, Error> {
        // SAFETY: a retire grace of "never" keeps every handle valid for
        // the registry's lifetime, which the borrow checker enforces.
        unsafe {
            Registry::with_options(&RegistryOptions {
                legacy_names_only: false,
                retire_grace: None,
            })
        }
    }

    /// A registry with these options.
    ///
    /// # Safety
    /// With `retire_grace: Some(d)`, a handle of a series removed by
    /// `remove()`, `clear()` or idle expiry must not be used later than `d`
    /// after the removal (undefined behaviour in the C library).
    pub unsafe fn with_options(options: &RegistryOptions) -> Result<Registry, Error> {
        let mut o = std::mem::zeroed::<sys::obsv_registry_options>();
        sys::obsv_registry_options_init(&mut o);
        o.legacy_names_only = options.legacy_names_only.into();
        o.retire_grace_ms = match options.retire_grace {
            Some(d) => d.as_millis().min(i64::MAX as u128) as i64,
            None => -1,
        };
        let mut p = ptr::null_mut();
        let mut err = ptr::null_mut();
        error::check(sys::obsv_registry_new(&o, &mut p, &mut err), err)?;
        NonNull::new(p)
            .map(|p| Registry { p })
            .ok_or_else(|| Error::new(Status::INTERNAL, "obsv_registry_new returned NULL"))
    }

    fn raw(&self) -> *mut sys::obsv_registry {
        self.p.as_ptr()
    }

    /// The number of registered families (collectors' excluded).
    pub fn family_count(&self) -> usize {
        // SAFETY: a live registry.
        unsafe { sys::obsv_registry_family_count(self.raw()) }
    }

    /// Removes the family `name` (without `_total`/`_info`) and its series.
    /// `&mut self`: no family or handle of this registry may be alive.
    pub fn unregister(&mut self, name: &str) -> Result<(), Error> {
        let mut err = ptr::null_mut();
        // SAFETY: live registry, valid (pointer, length).
        unsafe {
            error::check(
                sys::obsv_registry_unregister(
                    self.raw(),
                    name.as_ptr().cast(),
                    name.len(),
                    &mut err,
                ),
                err,
            )
        }
    }

    /// Removes series idle past their family's TTL; returns how many.
    pub fn expire_idle(&self) -> usize {
        // SAFETY: a live registry.
        unsafe { sys::obsv_registry_expire_idle(self.raw()) }
    }

    fn register<F>(
        &self,
        o: &MetricOptions<'_>,
        f: impl FnOnce(
            *mut sys::obsv_registry,
            &sys::obsv_metric_options,
            *mut *mut sys::obsv_error,
        ) -> (sys::obsv_status, *mut F),
    ) -> Result<*const F, Error> {
        let names = strs(o.label_names);
        let consts = labels(o.const_labels);
        // SAFETY: init fills a zeroed plain struct.
        let mut co = unsafe { std::mem::zeroed::<sys::obsv_metric_options>() };
        unsafe { sys::obsv_metric_options_init(&mut co) };
        co.name = s(o.name);
        co.help = s(o.help);
        co.unit = s(o.unit);
        co.label_names = ptr_or_null(&names);
        co.label_name_count = names.len();
        co.const_labels = ptr_or_null(&consts);
        co.const_label_count = consts.len();
        co.max_series = o.max_series;
        co.overflow = if o.overflow_series {
            sys::OBSV_OVERFLOW_SERIES
        } else {
            sys::OBSV_OVERFLOW_REFUSE
        };
        co.overflow_label_value = s(o.overflow_label_value);
        co.idle_ttl_ms = o
            .idle_ttl
            .map_or(0, |d| d.as_millis().min(i64::MAX as u128) as i64);
        let mut err = ptr::null_mut();
        let (st, fam) = f(self.raw(), &co, &mut err);
        // SAFETY: err came from the call.
        unsafe { error::check(st, err)? };
        Ok(fam as *const F)
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        // SAFETY: &mut self: nothing else uses the registry (families,
        // handles and request metrics borrow it).
        unsafe { sys::obsv_registry_free(self.raw()) }
    }
}

/// Describes a family (`obsv_metric_options`); everything is copied.
#[derive(Clone, Debug, Default)]
pub struct MetricOptions<'a> {
    pub name: &'a str,
    pub help: &'a str,
    pub unit: &'a str,
    pub label_names: &'a [&'a str],
    pub const_labels: &'a [(&'a str, &'a str)],
    /// 0: unlimited.
    pub max_series: u64,
    /// Beyond `max_series`, return an overflow series (every label value
    /// `overflow_label_value`, "__overflow__" if empty) instead of failing
    /// with `LIMIT_EXCEEDED`.
    pub overflow_series: bool,
    pub overflow_label_value: &'a str,
    pub idle_ttl: Option<Duration>,
}

impl<'a> MetricOptions<'a> {
    pub fn new(name: &'a str) -> Self {
        MetricOptions {
            name,
            ..Default::default()
        }
    }
    pub fn help(mut self, help: &'a str) -> Self {
        self.help = help;
        self
    }
    pub fn unit(mut self, unit: &'a str) -> Self {
        self.unit = unit;
        self
    }
    pub fn labels(mut self, names: &'a [&'a str]) -> Self {
        self.label_names = names;
        self
    }
    pub fn const_labels(mut self, labels: &'a [(&'a str, &'a str)]) -> Self {
        self.const_labels = labels;
        self
    }
    pub fn max_series(mut self, n: u64, overflow_series: bool) -> Self {
        self.max_series = n;
        self.overflow_series = overflow_series;
        self
    }
}

/// Native histogram options (`obsv_native_histogram_options`).
#[derive(Clone, Copy, Debug)]
pub struct NativeHistogramOptions {
    pub bucket_factor: f64,
    pub zero_threshold: f64,
    pub max_buckets: u32,
    pub min_reset_duration: Duration,
    pub max_zero_threshold: f64,
}

impl Default for NativeHistogramOptions {
    /// The library's defaults (factor 1.1, threshold 2^-128, 160 buckets).
    fn default() -> Self {
        // SAFETY: init fills a zeroed plain struct.
        let mut o = unsafe { std::mem::zeroed::<sys::obsv_native_histogram_options>() };
        unsafe { sys::obsv_native_histogram_options_init(&mut o) };
        NativeHistogramOptions {
            bucket_factor: o.bucket_factor,
            zero_threshold: o.zero_threshold,
            max_buckets: o.max_buckets,
            min_reset_duration: Duration::from_millis(o.min_reset_duration_ms.max(0) as u64),
            max_zero_threshold: o.max_zero_threshold,
        }
    }
}

/// Summary options (`obsv_summary_options`).
#[derive(Clone, Debug)]
pub struct SummaryOptions {
    /// `None`: 0.5, 0.9, 0.99; `Some(empty)`: only _count and _sum.
    pub quantiles: Option<Vec<f64>>,
    pub max_age: Duration,
    pub age_buckets: i32,
    pub max_samples_per_bucket: u64,
}

impl Default for SummaryOptions {
    fn default() -> Self {
        // SAFETY: init fills a zeroed plain struct.
        let mut o = unsafe { std::mem::zeroed::<sys::obsv_summary_options>() };
        unsafe { sys::obsv_summary_options_init(&mut o) };
        SummaryOptions {
            quantiles: None,
            max_age: Duration::from_millis(o.max_age_ms.max(0) as u64),
            age_buckets: o.age_buckets,
            max_samples_per_bucket: o.max_samples_per_bucket,
        }
    }
}

/// `buckets` as the C ABI takes them: `None` is NULL.
fn buckets_ptr(b: Option<&[f64]>) -> (*const f64, usize) {
    match b {
        None => (ptr::null(), 0),
        // A non-NULL pointer even when empty: "only +Inf".
        Some(b) => (
            if b.is_empty() {
                NonNull::dangling().as_ptr()
            } else {
                b.as_ptr()
            },
            b.len(),
        ),
    }
}

impl Registry {
    /// Registers (or finds, if the shape matches) a counter family.
    pub fn counter(&self, o: &MetricOptions<'_>) -> Result<CounterFamily<'_>, Error> {
        let p = self.register(o, |r, co, e| {
            let mut f = ptr::null_mut();
            // SAFETY: valid pointers for the call.
            (unsafe { sys::obsv_registry_counter(r, co, &mut f, e) }, f)
        })?;
        Ok(CounterFamily { p, _r: PhantomData })
    }

    /// Registers (or finds) a gauge family.
    pub fn gauge(&self, o: &MetricOptions<'_>) -> Result<GaugeFamily<'_>, Error> {
        let p = self.register(o, |r, co, e| {
            let mut f = ptr::null_mut();
            // SAFETY: valid pointers for the call.
            (unsafe { sys::obsv_registry_gauge(r, co, &mut f, e) }, f)
        })?;
        Ok(GaugeFamily { p, _r: PhantomData })
    }

    /// A classic histogram; `buckets` `None`: the Prometheus defaults,
    /// `Some(&[])`: only +Inf.
    pub fn histogram(
        &self,
        o: &MetricOptions<'_>,
        buckets: Option<&[f64]>,
    ) -> Result<HistogramFamily<'_>, Error> {
        let (b, n) = buckets_ptr(buckets);
        let p = self.register(o, |r, co, e| {
            let mut f = ptr::null_mut();
            // SAFETY: valid pointers for the call.
            (
                unsafe { sys::obsv_registry_histogram(r, co, b, n, &mut f, e) },
                f,
            )
        })?;
        Ok(HistogramFamily { p, _r: PhantomData })
    }

    /// A native histogram (native buckets in `Format::PROTOBUF` only);
    /// `buckets`: classic buckets alongside (`None`: none).
    pub fn native_histogram(
        &self,
        o: &MetricOptions<'_>,
        native: &NativeHistogramOptions,
        buckets: Option<&[f64]>,
    ) -> Result<HistogramFamily<'_>, Error> {
        let (b, n) = buckets_ptr(buckets);
        let no = sys::obsv_native_histogram_options {
            bucket_factor: native.bucket_factor,
            zero_threshold: native.zero_threshold,
            max_buckets: native.max_buckets,
            min_reset_duration_ms: native.min_reset_duration.as_millis().min(i64::MAX as u128)
                as i64,
            max_zero_threshold: native.max_zero_threshold,
        };
        let p = self.register(o, |r, co, e| {
            let mut f = ptr::null_mut();
            // SAFETY: valid pointers for the call.
            (
                unsafe { sys::obsv_registry_native_histogram(r, co, &no, b, n, &mut f, e) },
                f,
            )
        })?;
        Ok(HistogramFamily { p, _r: PhantomData })
    }

    /// An OpenMetrics gauge histogram; `buckets` as [`Registry::histogram`].
    pub fn gauge_histogram(
        &self,
        o: &MetricOptions<'_>,
        buckets: Option<&[f64]>,
    ) -> Result<GaugeHistogramFamily<'_>, Error> {
        let (b, n) = buckets_ptr(buckets);
        let p = self.register(o, |r, co, e| {
            let mut f = ptr::null_mut();
            // SAFETY: valid pointers for the call.
            (
                unsafe { sys::obsv_registry_gauge_histogram(r, co, b, n, &mut f, e) },
                f,
            )
        })?;
        Ok(GaugeHistogramFamily { p, _r: PhantomData })
    }

    /// A summary family.
    pub fn summary(
        &self,
        o: &MetricOptions<'_>,
        so: &SummaryOptions,
    ) -> Result<SummaryFamily<'_>, Error> {
        let (q, qn) = buckets_ptr(so.quantiles.as_deref());
        let cso = sys::obsv_summary_options {
            quantiles: q,
            quantile_count: qn,
            max_age_ms: so.max_age.as_millis().min(i64::MAX as u128) as i64,
            age_buckets: so.age_buckets,
            max_samples_per_bucket: so.max_samples_per_bucket,
        };
        let p = self.register(o, |r, co, e| {
            let mut f = ptr::null_mut();
            // SAFETY: valid pointers for the call.
            (
                unsafe { sys::obsv_registry_summary(r, co, &cso, &mut f, e) },
                f,
            )
        })?;
        Ok(SummaryFamily { p, _r: PhantomData })
    }

    /// An info family (`<name>_info{...} 1`).
    pub fn info(&self, o: &MetricOptions<'_>) -> Result<InfoFamily<'_>, Error> {
        let p = self.register(o, |r, co, e| {
            let mut f = ptr::null_mut();
            // SAFETY: valid pointers for the call.
            (unsafe { sys::obsv_registry_info(r, co, &mut f, e) }, f)
        })?;
        Ok(InfoFamily { p, _r: PhantomData })
    }

    /// A stateset family with 1 to 64 states.
    pub fn stateset(
        &self,
        o: &MetricOptions<'_>,
        states: &[&str],
    ) -> Result<StatesetFamily<'_>, Error> {
        let st = strs(states);
        let p = self.register(o, |r, co, e| {
            let mut f = ptr::null_mut();
            // SAFETY: valid pointers for the call.
            (
                unsafe {
                    sys::obsv_registry_stateset(r, co, ptr_or_null(&st), st.len(), &mut f, e)
                },
                f,
            )
        })?;
        Ok(StatesetFamily { p, _r: PhantomData })
    }
}

// ---------------------------------------------------------------------------
// Families and handles

macro_rules! family {
    ($(#[$m:meta])* $fam:ident, $handle:ident, $sysfam:ident, $syshandle:ident,
     $with:ident, $get:ident, $remove:ident, $clear:ident, $size:ident) => {
        $(#[$m])*
        pub struct $fam<'r> {
            p: *const sys::$sysfam,
            _r: PhantomData<&'r Registry>,
        }
        // SAFETY: families are thread-safe (c_api_registry.h).
        unsafe impl Send for $fam<'_> {}
        unsafe impl Sync for $fam<'_> {}

        /// A series handle: two words, `Copy`; it borrows the registry.
        #[derive(Clone, Copy, Debug)]
        pub struct $handle<'r> {
            #[allow(dead_code)] // an info handle has no methods
            h: sys::$syshandle,
            _r: PhantomData<&'r Registry>,
        }
        // SAFETY: handles are thread-safe (c_api_registry.h).
        unsafe impl Send for $handle<'_> {}
        unsafe impl Sync for $handle<'_> {}

        impl<'r> $fam<'r> {
            /// The series with these label values, created if absent.
            /// `INVALID_ARGUMENT` for the wrong arity or non-UTF-8 (not
            /// possible from `&str`), `LIMIT_EXCEEDED` at max_series.
            pub fn with_label_values(&self, values: &[&str]) -> Result<$handle<'r>, Error> {
                let v = strs(values);
                let mut h = sys::$syshandle::EMPTY;
                let mut err = ptr::null_mut();
                // SAFETY: a live family (borrowing the registry), valid arrays.
                unsafe { error::check(sys::$with(self.p, ptr_or_null(&v), v.len(), &mut h, &mut err), err)? };
                Ok($handle { h, _r: PhantomData })
            }
            /// As `with_label_values` but never creates: `NOT_FOUND`.
            pub fn get(&self, values: &[&str]) -> Result<$handle<'r>, Error> {
                let v = strs(values);
                let mut h = sys::$syshandle::EMPTY;
                let mut err = ptr::null_mut();
                // SAFETY: as above.
                unsafe { error::check(sys::$get(self.p, ptr_or_null(&v), v.len(), &mut h, &mut err), err)? };
                Ok($handle { h, _r: PhantomData })
            }
            /// Removes one series (`NOT_FOUND` if absent).
            pub fn remove(&self, values: &[&str]) -> Result<(), Error> {
                let v = strs(values);
                // SAFETY: as above.
                status(unsafe { sys::$remove(self.p, ptr_or_null(&v), v.len()) })
            }
            /// Removes every series.
            pub fn clear(&self) {
                // SAFETY: a live family.
                unsafe { sys::$clear(self.p) }
            }
            /// The number of series.
            pub fn len(&self) -> usize {
                // SAFETY: a live family.
                unsafe { sys::$size(self.p) }
            }
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }
        }
    };
}

family!(
    /// A counter family.
    CounterFamily, Counter, obsv_counter_family, obsv_counter,
    obsv_counter_family_with_labels, obsv_counter_family_get, obsv_counter_family_remove,
    obsv_counter_family_clear, obsv_counter_family_size
);
family!(
    /// A gauge family.
    GaugeFamily, Gauge, obsv_gauge_family, obsv_gauge,
    obsv_gauge_family_with_labels, obsv_gauge_family_get, obsv_gauge_family_remove,
    obsv_gauge_family_clear, obsv_gauge_family_size
);
family!(
    /// A histogram family (classic or native).
    HistogramFamily, Histogram, obsv_histogram_family, obsv_histogram,
    obsv_histogram_family_with_labels, obsv_histogram_family_get, obsv_histogram_family_remove,
    obsv_histogram_family_clear, obsv_histogram_family_size
);
family!(
    /// A summary family.
    SummaryFamily, Summary, obsv_summary_family, obsv_summary,
    obsv_summary_family_with_labels, obsv_summary_family_get, obsv_summary_family_remove,
    obsv_summary_family_clear, obsv_summary_family_size
);
family!(
    /// An info family.
    InfoFamily, Info, obsv_info_family, obsv_info,
    obsv_info_family_with_labels, obsv_info_family_get, obsv_info_family_remove,
    obsv_info_family_clear, obsv_info_family_size
);
family!(
    /// A stateset family.
    StatesetFamily, Stateset, obsv_stateset_family, obsv_stateset,
    obsv_stateset_family_with_labels, obsv_stateset_family_get, obsv_stateset_family_remove,
    obsv_stateset_family_clear, obsv_stateset_family_size
);
family!(
    /// A gauge histogram family.
    GaugeHistogramFamily, GaugeHistogram, obsv_gauge_histogram_family, obsv_gauge_histogram,
    obsv_gauge_histogram_family_with_labels, obsv_gauge_histogram_family_get,
    obsv_gauge_histogram_family_remove, obsv_gauge_histogram_family_clear,
    obsv_gauge_histogram_family_size
);

// SAFETY (every update below): a handle borrows its live registry, and the
// registry's retire grace (see the module documentation) keeps removed
// series valid; the calls are lock-free and thread-safe.

impl Counter<'_> {
    pub fn inc(&self) {
        unsafe { sys::obsv_counter_inc(self.h) }
    }
    /// Adds `n` exactly (past 2^53 too).
    pub fn inc_by(&self, n: u64) {
        unsafe { sys::obsv_counter_inc_by(self.h, n) }
    }
    /// Adds `v`; negative or NaN is ignored.
    pub fn add(&self, v: f64) {
        unsafe { sys::obsv_counter_add(self.h, v) }
    }
    pub fn value(&self) -> f64 {
        unsafe { sys::obsv_counter_value(self.h) }
    }
    /// Adds `n` and keeps `labels` as the series' exemplar.
    pub fn inc_with_exemplar(&self, n: u64, exemplar: &[(&str, &str)]) -> Result<(), Error> {
        let l = labels(exemplar);
        let mut err = ptr::null_mut();
        unsafe {
            error::check(
                sys::obsv_counter_inc_with_exemplar(self.h, n, ptr_or_null(&l), l.len(), &mut err),
                err,
            )
        }
    }
    /// Adds `v` and keeps `labels` as the series' exemplar.
    pub fn add_with_exemplar(&self, v: f64, exemplar: &[(&str, &str)]) -> Result<(), Error> {
        let l = labels(exemplar);
        let mut err = ptr::null_mut();
        unsafe {
            error::check(
                sys::obsv_counter_add_with_exemplar(self.h, v, ptr_or_null(&l), l.len(), &mut err),
                err,
            )
        }
    }
}

impl Gauge<'_> {
    pub fn set(&self, v: f64) {
        unsafe { sys::obsv_gauge_set(self.h, v) }
    }
    pub fn inc(&self) {
        unsafe { sys::obsv_gauge_inc(self.h) }
    }
    pub fn dec(&self) {
        unsafe { sys::obsv_gauge_dec(self.h) }
    }
    pub fn add(&self, v: f64) {
        unsafe { sys::obsv_gauge_add(self.h, v) }
    }
    /// Sets the gauge to the Unix time in seconds.
    pub fn set_to_current_time(&self) {
        unsafe { sys::obsv_gauge_set_to_current_time(self.h) }
    }
    pub fn value(&self) -> f64 {
        unsafe { sys::obsv_gauge_value(self.h) }
    }
}

/// A native histogram's state ([`Histogram::read_native`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NativeState {
    pub schema: i32,
    pub zero_threshold: f64,
    pub zero_count: u64,
    pub positive_buckets: usize,
    pub negative_buckets: usize,
}

/// One bucket of a native histogram: its index at the histogram's schema
/// (bucket i covers (2^((i-1)*2^-schema), 2^(i*2^-schema)] of |v|) and its
/// count (> 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NativeBucket {
    pub index: i32,
    pub count: u64,
}

/// A native histogram series read whole, from one consistent snapshot
/// ([`Histogram::read_native_buckets`]): `count` is `zero_count` plus every
/// bucket's count.
#[derive(Clone, Debug, PartialEq)]
pub struct NativeSnapshot {
    pub schema: i32,
    pub zero_threshold: f64,
    pub zero_count: u64,
    pub count: u64,
    pub sum: f64,
    /// By ascending index.
    pub positive: Vec<NativeBucket>,
    pub negative: Vec<NativeBucket>,
}

impl Histogram<'_> {
    pub fn observe(&self, v: f64) {
        unsafe { sys::obsv_histogram_observe(self.h, v) }
    }
    /// Observes `v` and keeps `labels` as the exemplar of `v`'s bucket.
    pub fn observe_with_exemplar(&self, v: f64, exemplar: &[(&str, &str)]) -> Result<(), Error> {
        let l = labels(exemplar);
        let mut err = ptr::null_mut();
        unsafe {
            error::check(
                sys::obsv_histogram_observe_with_exemplar(
                    self.h,
                    v,
                    ptr_or_null(&l),
                    l.len(),
                    &mut err,
                ),
                err,
            )
        }
    }
    /// A consistent (count, sum).
    pub fn read(&self) -> (u64, f64) {
        let (mut c, mut s) = (0u64, 0f64);
        unsafe { sys::obsv_histogram_read(self.h, &mut c, &mut s) };
        (c, s)
    }
    /// The native state; `None` for a classic histogram.
    pub fn read_native(&self) -> Option<NativeState> {
        let mut n = NativeState {
            schema: 0,
            zero_threshold: 0.0,
            zero_count: 0,
            positive_buckets: 0,
            negative_buckets: 0,
        };
        let r = unsafe {
            sys::obsv_histogram_read_native(
                self.h,
                &mut n.schema,
                &mut n.zero_threshold,
                &mut n.zero_count,
                &mut n.positive_buckets,
                &mut n.negative_buckets,
            )
        };
        (r != 0).then_some(n)
    }
    /// The series with its buckets, as a scrape sees it
    /// (`obsv_histogram_read_native_buckets`); `INVALID_ARGUMENT` for a
    /// classic histogram.
    pub fn read_native_buckets(&self) -> Result<NativeSnapshot, Error> {
        let (mut pos, mut neg) = self.read_native().map_or((16, 16), |n| {
            (n.positive_buckets + 16, n.negative_buckets + 16)
        });
        // The series keeps changing between the size query and the read:
        // retry with what the read says it needs (a bucket limit bounds it).
        loop {
            let mut pb = vec![sys::obsv_native_bucket::default(); pos];
            let mut nb = vec![sys::obsv_native_bucket::default(); neg];
            let mut state = sys::obsv_native_histogram_state::default();
            let mut err = ptr::null_mut();
            // SAFETY: the arrays hold `pos` and `neg` entries, written only
            // during the call.
            let st = unsafe {
                sys::obsv_histogram_read_native_buckets(
                    self.h,
                    &mut state,
                    pb.as_mut_ptr(),
                    pos,
                    nb.as_mut_ptr(),
                    neg,
                    &mut err,
                )
            };
            if st == sys::OBSV_ERR_BUFFER_TOO_SMALL {
                // SAFETY: an owned error, freed here.
                unsafe { sys::obsv_error_free(err) };
                pos = state.positive_count + 16;
                neg = state.negative_count + 16;
                continue;
            }
            // SAFETY: `err` is NULL or owned, consumed by check.
            unsafe { error::check(st, err)? };
            let bucket = |b: &sys::obsv_native_bucket| NativeBucket {
                index: b.index,
                count: b.count,
            };
            return Ok(NativeSnapshot {
                schema: state.schema,
                zero_threshold: state.zero_threshold,
                zero_count: state.zero_count,
                count: state.count,
                sum: state.sum,
                positive: pb[..state.positive_count].iter().map(bucket).collect(),
                negative: nb[..state.negative_count].iter().map(bucket).collect(),
            });
        }
    }
}

impl GaugeHistogram<'_> {
    /// Adds `n` (negative: removes) observations of `v`.
    pub fn observe(&self, v: f64, n: i64) {
        unsafe { sys::obsv_gauge_histogram_observe(self.h, v, n) }
    }
    /// A consistent (gcount, gsum).
    pub fn read(&self) -> (i64, f64) {
        let (mut c, mut s) = (0i64, 0f64);
        unsafe { sys::obsv_gauge_histogram_read(self.h, &mut c, &mut s) };
        (c, s)
    }
}

impl Summary<'_> {
    /// Takes the series' mutex: summaries are not a hot-path type.
    pub fn observe(&self, v: f64) {
        unsafe { sys::obsv_summary_observe(self.h, v) }
    }
}

impl Stateset<'_> {
    /// Sets one state on or off; `NOT_FOUND` for an undeclared state.
    pub fn set(&self, state: &str, on: bool) -> Result<(), Error> {
        status(unsafe {
            sys::obsv_stateset_set(self.h, state.as_ptr().cast(), state.len(), on.into())
        })
    }
    /// Sets `state` and clears every other one.
    pub fn set_only(&self, state: &str) -> Result<(), Error> {
        status(unsafe { sys::obsv_stateset_set_only(self.h, state.as_ptr().cast(), state.len()) })
    }
    pub fn get(&self, state: &str) -> bool {
        unsafe { sys::obsv_stateset_get(self.h, state.as_ptr().cast(), state.len()) != 0 }
    }
}

// ---------------------------------------------------------------------------
// Collectors

/// Where a collector adds its families; valid only during the callback.
pub struct Sink<'a> {
    p: *mut sys::obsv_family_sink,
    _life: PhantomData<&'a mut ()>,
}

impl Sink<'_> {
    /// Starts a family; `help` `None`: no HELP line.
    pub fn begin(
        &mut self,
        name: &str,
        kind: MetricType,
        help: Option<&str>,
        unit: &str,
    ) -> Result<(), Error> {
        let h = match help {
            // A non-NULL data pointer, even for "", means a HELP line.
            Some(h) => sys::obsv_str {
                data: if h.is_empty() {
                    NonNull::dangling().as_ptr()
                } else {
                    h.as_ptr().cast()
                },
                size: h.len(),
            },
            None => sys::obsv_str::EMPTY,
        };
        // SAFETY: the sink is live during the callback; strings are copied.
        status(unsafe { sys::obsv_family_sink_begin(self.p, s(name), kind.to_sys(), h, s(unit)) })
    }
    /// Adds a sample (full name: "x_total", "x_bucket", ...).
    pub fn add(&mut self, name: &str, labels_: &[(&str, &str)], value: f64) -> Result<(), Error> {
        let l = labels(labels_);
        // SAFETY: as above.
        status(unsafe {
            sys::obsv_family_sink_add_value(self.p, s(name), ptr_or_null(&l), l.len(), value)
        })
    }
}

type CollectFn = dyn Fn(&mut Sink<'_>) -> Result<(), Error> + Send + Sync + 'static;

unsafe extern "C" fn collect_trampoline(
    user_data: *mut c_void,
    sink: *mut sys::obsv_family_sink,
) -> sys::obsv_status {
    // SAFETY: user_data is the Box<Box<CollectFn>> of add_collector, alive
    // until destroy_trampoline.
    let f = &*(user_data as *const Box<CollectFn>);
    let mut sink = Sink {
        p: sink,
        _life: PhantomData,
    };
    // A panic must not unwind into C.
    match catch_unwind(AssertUnwindSafe(|| f(&mut sink))) {
        Ok(Ok(())) => sys::OBSV_OK,
        Ok(Err(e)) if e.code != Status::OK => e.code.to_sys(),
        _ => sys::OBSV_ERR_INTERNAL,
    }
}

unsafe extern "C" fn destroy_trampoline(user_data: *mut c_void) {
    // SAFETY: called once, when no scrape runs the collector any more.
    drop(Box::from_raw(user_data as *mut Box<CollectFn>));
}

impl Registry {
    /// Adds a collector: `f` runs at scrape time on the scraping thread,
    /// possibly concurrently with itself (hence `Sync`), and is dropped on
    /// whichever thread lets go of it last (hence `Send`). An `Err` or a
    /// panic drops what it added to that scrape. `ALREADY_EXISTS` for a
    /// name in use. `cache_ttl`: reuse its last result for that long.
    pub fn add_collector<F>(
        &self,
        name: &str,
        cache_ttl: Option<Duration>,
        f: F,
    ) -> Result<(), Error>
    where
        F: Fn(&mut Sink<'_>) -> Result<(), Error> + Send + Sync + 'static,
    {
        let boxed: Box<Box<CollectFn>> = Box::new(Box::new(f));
        let ud = Box::into_raw(boxed) as *mut c_void;
        let mut err = ptr::null_mut();
        let ttl = cache_ttl.map_or(0, |d| d.as_millis().min(i64::MAX as u128) as i64);
        // SAFETY: live registry; on success the registry owns ud.
        let st = unsafe {
            sys::obsv_registry_add_collector(
                self.raw(),
                name.as_ptr().cast(),
                name.len(),
                Some(collect_trampoline),
                ud,
                Some(destroy_trampoline),
                ttl,
                &mut err,
            )
        };
        let r = unsafe { error::check(st, err) };
        if r.is_err() {
            // On failure destroy is not called: the box is still ours.
            drop(unsafe { Box::from_raw(ud as *mut Box<CollectFn>) });
        }
        r
    }

    /// Removes a collector (`NOT_FOUND` if absent).
    pub fn remove_collector(&self, name: &str) -> Result<(), Error> {
        let mut err = ptr::null_mut();
        // SAFETY: live registry.
        unsafe {
            error::check(
                sys::obsv_registry_remove_collector(
                    self.raw(),
                    name.as_ptr().cast(),
                    name.len(),
                    &mut err,
                ),
                err,
            )
        }
    }
}

// ---------------------------------------------------------------------------
// Extras

/// Process collector options; empty strings take the defaults.
#[derive(Clone, Debug, Default)]
pub struct ProcessCollectorOptions<'a> {
    pub name_prefix: &'a str,
    pub proc_root: &'a str,
    pub collector_name: &'a str,
    pub cache_ttl: Option<Duration>,
}

/// Build info labels; `compiler` empty: libobsv's compiler.
#[derive(Clone, Debug, Default)]
pub struct BuildInfo<'a> {
    pub version: &'a str,
    pub revision: &'a str,
    pub branch: &'a str,
    pub build_date: &'a str,
    pub compiler: &'a str,
    pub extra_labels: &'a [(&'a str, &'a str)],
}

/// Request metrics options; `None` buckets: the defaults.
#[derive(Clone, Debug, Default)]
pub struct RequestMetricsOptions<'a> {
    pub prefix: &'a str,
    pub endpoint: &'a str,
    pub duration_buckets: Option<&'a [f64]>,
    pub size_buckets: Option<&'a [f64]>,
    pub const_labels: &'a [(&'a str, &'a str)],
}

/// `<prefix>_<endpoint>_request_total{method,code}`,
/// `_request_duration_seconds` and `_response_sizes`. Freed on drop.
pub struct RequestMetrics<'r> {
    p: NonNull<sys::obsv_request_metrics>,
    _r: PhantomData<&'r Registry>,
}
// SAFETY: observe is thread-safe; free runs in Drop (exclusive).
unsafe impl Send for RequestMetrics<'_> {}
unsafe impl Sync for RequestMetrics<'_> {}

impl RequestMetrics<'_> {
    /// Records one finished request (unknown methods count as OTHER).
    pub fn observe(&self, method: &str, code: i32, duration: Duration, bytes: u64) {
        // SAFETY: a live handle of a live registry.
        unsafe {
            sys::obsv_request_metrics_observe(
                self.p.as_ptr(),
                method.as_ptr().cast(),
                method.len(),
                code,
                duration.as_secs_f64(),
                bytes as f64,
            )
        }
    }
}

impl Drop for RequestMetrics<'_> {
    fn drop(&mut self) {
        // SAFETY: borrows the registry, so it is freed before it.
        unsafe { sys::obsv_request_metrics_free(self.p.as_ptr()) }
    }
}

/// An HTTP /metrics response.
#[derive(Clone, Debug)]
pub struct Exposition {
    pub body: Vec<u8>,
    pub content_type: &'static str,
    /// "" or "gzip".
    pub content_encoding: &'static str,
}

unsafe fn take_bytes(out: *mut c_char, len: usize) -> Vec<u8> {
    let v = if out.is_null() || len == 0 {
        Vec::new()
    } else {
        std::slice::from_raw_parts(out as *const u8, len).to_vec()
    };
    sys::obsv_string_free(out);
    v
}

impl Registry {
    /// Adds the process collector (process_cpu_seconds_total, ...).
    pub fn add_process_collector(&self, o: &ProcessCollectorOptions<'_>) -> Result<(), Error> {
        let co = sys::obsv_process_collector_options {
            name_prefix: s(o.name_prefix),
            proc_root: s(o.proc_root),
            collector_name: s(o.collector_name),
            cache_ttl_ms: o
                .cache_ttl
                .map_or(0, |d| d.as_millis().min(i64::MAX as u128) as i64),
        };
        let mut err = ptr::null_mut();
        // SAFETY: live registry, options valid for the call.
        unsafe {
            error::check(
                sys::obsv_registry_add_process_collector(self.raw(), &co, &mut err),
                err,
            )
        }
    }

    /// Registers `<program>_build_info{version,...} 1`.
    pub fn register_build_info(&self, program: &str, bi: &BuildInfo<'_>) -> Result<(), Error> {
        let extra = labels(bi.extra_labels);
        let cbi = sys::obsv_build_info {
            version: s(bi.version),
            revision: s(bi.revision),
            branch: s(bi.branch),
            build_date: s(bi.build_date),
            compiler: s(bi.compiler),
            extra_labels: ptr_or_null(&extra),
            extra_label_count: extra.len(),
        };
        let mut err = ptr::null_mut();
        // SAFETY: as above.
        unsafe {
            error::check(
                sys::obsv_register_build_info(
                    self.raw(),
                    program.as_ptr().cast(),
                    program.len(),
                    &cbi,
                    &mut err,
                ),
                err,
            )
        }
    }

    /// Registers one endpoint's request families.
    pub fn request_metrics(
        &self,
        o: &RequestMetricsOptions<'_>,
    ) -> Result<RequestMetrics<'_>, Error> {
        let consts = labels(o.const_labels);
        let (db, dn) = buckets_ptr(o.duration_buckets);
        let (sb, sn) = buckets_ptr(o.size_buckets);
        let co = sys::obsv_request_metrics_options {
            prefix: s(o.prefix),
            endpoint: s(o.endpoint),
            duration_buckets: db,
            duration_bucket_count: dn,
            size_buckets: sb,
            size_bucket_count: sn,
            const_labels: ptr_or_null(&consts),
            const_label_count: consts.len(),
        };
        let mut p = ptr::null_mut();
        let mut err = ptr::null_mut();
        // SAFETY: as above.
        unsafe {
            error::check(
                sys::obsv_request_metrics_new(self.raw(), &co, &mut p, &mut err),
                err,
            )?
        };
        NonNull::new(p)
            .map(|p| RequestMetrics { p, _r: PhantomData })
            .ok_or_else(|| Error::new(Status::INTERNAL, "obsv_request_metrics_new returned NULL"))
    }

    /// The whole registry in `format` (TEXT, OPENMETRICS or PROTOBUF).
    pub fn expose(&self, format: Format) -> Result<Vec<u8>, Error> {
        let mut out = ptr::null_mut();
        let mut len = 0usize;
        let mut err = ptr::null_mut();
        // SAFETY: live registry; the output is copied then freed.
        unsafe {
            error::check(
                sys::obsv_registry_expose(
                    self.raw(),
                    format.to_sys(),
                    &mut out,
                    &mut len,
                    &mut err,
                ),
                err,
            )?;
            Ok(take_bytes(out, len))
        }
    }

    /// The whole registry in `format`, written into `buf` (no NUL added):
    /// the library renders into a per-thread scratch string it reuses, so a
    /// scrape loop that keeps its buffer allocates nothing in the steady
    /// state. [`ExposedInto::Written`] gives the length written (`buf[..n]`);
    /// [`ExposedInto::TooSmall`] the length needed, `buf` untouched (the
    /// registry keeps changing: retry with room to spare). An empty `buf`
    /// asks for the size. See also [`Registry::expose_into_vec`].
    pub fn expose_into(&self, format: Format, buf: &mut [u8]) -> Result<ExposedInto, Error> {
        let mut needed = 0usize;
        let mut err = ptr::null_mut();
        let data = if buf.is_empty() {
            ptr::null_mut()
        } else {
            buf.as_mut_ptr().cast()
        };
        // SAFETY: live registry; `data` is NULL with capacity 0 or `buf`,
        // which the call writes at most `buf.len()` bytes of and does not keep.
        let st = unsafe {
            sys::obsv_registry_expose_into(
                self.raw(),
                format.to_sys(),
                data,
                buf.len(),
                &mut needed,
                &mut err,
            )
        };
        if st == sys::OBSV_ERR_BUFFER_TOO_SMALL {
            // SAFETY: an owned error, freed here.
            unsafe { sys::obsv_error_free(err) };
            return Ok(ExposedInto::TooSmall(needed));
        }
        // SAFETY: `err` is NULL or owned, consumed by check.
        unsafe { error::check(st, err)? };
        Ok(ExposedInto::Written(needed))
    }

    /// The whole registry in `format`, replacing the contents of `buf` and
    /// reusing its allocation (grown, with room to spare, when the
    /// exposition no longer fits): [`Registry::expose_into`] for a scrape
    /// loop that keeps one `Vec`.
    pub fn expose_into_vec(&self, format: Format, buf: &mut Vec<u8>) -> Result<(), Error> {
        buf.resize(buf.capacity(), 0);
        loop {
            match self.expose_into(format, buf)? {
                ExposedInto::Written(n) => {
                    buf.truncate(n);
                    return Ok(());
                }
                ExposedInto::TooSmall(needed) => buf.resize(needed + needed / 4 + 64, 0),
            }
        }
    }

    /// Negotiates format (Accept) and encoding (Accept-Encoding; either may
    /// be "") and exposes the registry.
    pub fn expose_http(&self, accept: &str, accept_encoding: &str) -> Result<Exposition, Error> {
        let mut out = ptr::null_mut();
        let mut len = 0usize;
        let mut ct = ptr::null();
        let mut ce = ptr::null();
        let mut err = ptr::null_mut();
        // SAFETY: as above; the content type and encoding are static.
        unsafe {
            error::check(
                sys::obsv_registry_expose_http(
                    self.raw(),
                    accept.as_ptr().cast(),
                    accept.len(),
                    accept_encoding.as_ptr().cast(),
                    accept_encoding.len(),
                    &mut out,
                    &mut len,
                    &mut ct,
                    &mut ce,
                    &mut err,
                ),
                err,
            )?;
            Ok(Exposition {
                body: take_bytes(out, len),
                content_type: static_str(ct).unwrap_or(""),
                content_encoding: static_str(ce).unwrap_or(""),
            })
        }
    }
}

/// The result of [`Registry::expose_into`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExposedInto {
    /// The exposition was written: this many bytes at the start of the buffer.
    Written(usize),
    /// The buffer was too small (and left untouched): this many bytes are needed.
    TooSmall(usize),
}

/// The format and Content-Type for an Accept header.
pub fn negotiate_format(accept: &str) -> (Format, &'static str) {
    let mut f = sys::OBSV_FORMAT_TEXT;
    let mut ct = ptr::null();
    // SAFETY: valid pointers; never fails for non-NULL out pointers.
    unsafe { sys::obsv_negotiate_format(accept.as_ptr().cast(), accept.len(), &mut f, &mut ct) };
    (Format::from_sys(f), static_str(ct).unwrap_or(""))
}

/// Whether an Accept-Encoding header accepts gzip.
pub fn accepts_gzip(header: &str) -> bool {
    // SAFETY: a valid (pointer, length).
    unsafe { sys::obsv_accepts_gzip(header.as_ptr().cast(), header.len()) != 0 }
}
