//! LogQL (Grafana Loki 3): Loki's canonical printing, tenant scoping of
//! queries and of the metadata endpoints' selectors, and safe query
//! templates, over `include/obsv/c_api_logql.h`.
//!
//! ```no_run
//! use obsv::logql::Injector;
//! use obsv::promql::{ConflictPolicy, MatchOp, Matcher};
//! let inj = Injector::new(&[Matcher::new("resource_id", MatchOp::EQUAL, "r1")],
//!                         ConflictPolicy::ERROR, false)?;
//! assert_eq!(inj.inject_query(r#"{app="api"} |= "error""#)?,
//!            r#"{app="api", resource_id="r1"} |= "error""#);
//! # Ok::<(), obsv::Error>(())
//! ```
//!
//! Matchers, conflict policies and the error type are shared with
//! [`crate::promql`].

use std::fmt;
use std::ptr::NonNull;

use crate::error::Error;
use crate::promql::{ConflictPolicy, Matcher};
use crate::query::{
    call_expand_template, call_inject_query, call_inject_selectors, call_print, new_injector,
    take_string, views,
};
use obsv_sys as sys;

fn default_options() -> sys::obsv_logql_options {
    let mut raw = sys::obsv_logql_options {
        max_query_bytes: 0,
        max_depth: 0,
        max_nodes: 0,
        max_selectors: 0,
        max_pipeline_stages: 0,
    };
    // SAFETY: fills the struct.
    unsafe { sys::obsv_logql_options_init(&mut raw) };
    raw
}

/// Parses `query` and prints Loki's canonical `String()` form, e.g.
/// `sum by (app)(rate({app="api"} |= "error"[5m]))`.
pub fn format_query(query: &str) -> Result<String, Error> {
    // SAFETY: obsv_logql_format_query is a PrintFn.
    unsafe { call_print(sys::obsv_logql_format_query, query, &default_options()) }
}

/// Expands the `{{name}}` placeholders of `template`, each value escaped for
/// the place it lands, and checks that the result parses.
pub fn expand_template<I, K, V>(template: &str, values: I) -> Result<String, Error>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    // SAFETY: obsv_logql_expand_template is an ExpandTemplateFn.
    unsafe {
        call_expand_template(
            sys::obsv_logql_expand_template,
            template,
            values,
            &default_options(),
        )
    }
}

/// Appends enforced matchers to every stream selector of LogQL queries.
///
/// Thread safety: immutable, `Send` and `Sync`.
pub struct Injector {
    raw: NonNull<sys::obsv_logql_injector>,
}

// SAFETY: the header documents an injector as immutable and shareable by
// threads; methods take `&self` and only read it.
unsafe impl Send for Injector {}
unsafe impl Sync for Injector {}

fn flags(refuse_label_writes: bool) -> u32 {
    if refuse_label_writes {
        sys::OBSV_LOGQL_REFUSE_ENFORCED_LABEL_WRITES
    } else {
        0
    }
}

impl Injector {
    /// An injector for `enforced` (copied; names must be identifiers).
    /// `refuse_label_writes` also refuses pipelines that write or remove an
    /// enforced label. INVALID_ARGUMENT for an invalid set.
    pub fn new(
        enforced: &[Matcher],
        policy: ConflictPolicy,
        refuse_label_writes: bool,
    ) -> Result<Injector, Error> {
        let raw: Vec<sys::obsv_matcher> = enforced.iter().map(Matcher::to_sys).collect();
        new_injector(|out, err| {
            // SAFETY: views of `enforced`, alive for the call.
            unsafe {
                sys::obsv_logql_injector_new(
                    raw.as_ptr(),
                    raw.len(),
                    policy.to_sys(),
                    flags(refuse_label_writes),
                    out,
                    err,
                )
            }
        })
        .map(|raw| Injector { raw })
    }

    /// An injector enforcing `label` to one of `values` (`label="v"` or
    /// `label=~"v1|v2"`).
    pub fn for_values<S: AsRef<str>>(
        label: &str,
        values: &[S],
        policy: ConflictPolicy,
        refuse_label_writes: bool,
    ) -> Result<Injector, Error> {
        let views = views(values);
        new_injector(|out, err| {
            // SAFETY: views of `label` and `values`, alive for the call.
            unsafe {
                sys::obsv_logql_injector_new_for_values(
                    label.as_ptr().cast(),
                    label.len(),
                    views.as_ptr(),
                    views.len(),
                    policy.to_sys(),
                    flags(refuse_label_writes),
                    out,
                    err,
                )
            }
        })
        .map(|raw| Injector { raw })
    }

    /// Parses `query`, scopes every stream selector and returns the
    /// canonical text. Errors: a parse error, or PERMISSION_DENIED at the
    /// user's matcher or stage.
    pub fn inject_query(&self, query: &str) -> Result<String, Error> {
        // SAFETY: obsv_logql_inject_query is an InjectQueryFn; a live injector.
        unsafe {
            call_inject_query(
                sys::obsv_logql_inject_query,
                self.raw.as_ptr(),
                query,
                &default_options(),
            )
        }
    }

    /// Scopes the `query` parameter of /loki/api/v1/labels,
    /// /label/<name>/values, /index/stats, /index/volume and /patterns: ""
    /// (absent) gives the enforced selector alone.
    pub fn inject_selector(&self, query: &str, allow_pipeline: bool) -> Result<String, Error> {
        let raw = default_options();
        // SAFETY: a live injector, query and options for the call.
        take_string(|out, len, err| unsafe {
            sys::obsv_logql_inject_selector(
                self.raw.as_ptr(),
                query.as_ptr().cast(),
                query.len(),
                i32::from(allow_pipeline),
                &raw,
                out,
                len,
                err,
            )
        })
    }

    /// Scopes the `match[]` parameters of /loki/api/v1/series; none gives the
    /// enforced selector alone. Errors name the element (`match[1]: ...`).
    pub fn inject_selectors<S: AsRef<str>>(&self, matches: &[S]) -> Result<Vec<String>, Error> {
        // SAFETY: obsv_logql_inject_selectors is an InjectSelectorsFn; a
        // live injector.
        unsafe {
            call_inject_selectors(
                sys::obsv_logql_inject_selectors,
                self.raw.as_ptr(),
                matches,
                &default_options(),
            )
        }
    }
}

impl Drop for Injector {
    fn drop(&mut self) {
        // SAFETY: the handle is owned and not used again.
        unsafe { sys::obsv_logql_injector_free(self.raw.as_ptr()) }
    }
}

impl fmt::Debug for Injector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("logql::Injector").finish_non_exhaustive()
    }
}
