//! PromQL over the C ABI (`include/obsv/c_api_promql.h`): canonical and
//! pretty printing, an owned copy of the syntax tree, tenant scoping of
//! queries and series selectors, and query templates.
//!
//! ```no_run
//! use obsv::promql::{ConflictPolicy, Injector, Matcher, MatchOp};
//!
//! let tenant = Injector::new(&[Matcher::new("tenant", MatchOp::EQUAL, "a")], ConflictPolicy::ERROR)?;
//! let scoped = tenant.inject_query("topk(scalar(secret), up)")?;
//! assert_eq!(scoped, r#"topk(scalar(secret{tenant="a"}), up{tenant="a"})"#);
//! match tenant.inject_query(r#"up{tenant="b"}"#) {
//!     Err(e) if e.code == obsv::Status::PERMISSION_DENIED => {} // at 1:4, the user's matcher
//!     other => panic!("{other:?}"),
//! }
//! let tree = obsv::promql::parse("sum by (job) (rate(x[5m]))")?;
//! assert_eq!(tree.root.children[0].name, "rate");
//! # Ok::<(), obsv::Error>(())
//! ```
//!
//! Everything the library returns is copied into owned values: [`parse`]
//! copies the whole tree and frees the C tree before it returns. Errors are
//! [`Error`]s with code, line, column and offset; a parse error's message is
//! Prometheus's (`1:14: parse error: ...`).
//!
//! An [`Injector`] is immutable: `Send` and `Sync`, shareable through an
//! `Arc`.

use crate::error::{check, Error};
use crate::parser::string;
use crate::query::{
    call_expand_template, call_inject_query, call_inject_selectors, call_print, new_injector,
    take_string, views,
};
use crate::types::{name_at, newtype, Status};
use obsv_sys as sys;
use std::fmt;
use std::ptr::{self, NonNull};

/// The parser's budgets for untrusted queries and its feature flags; the
/// defaults are `obsv_promql_options_init()`'s. Exceeding a budget is a
/// [`Status::LIMIT_EXCEEDED`].
///
/// ```no_run
/// let options = obsv::promql::Options {
///     max_depth: 64,
///     features: obsv::promql::Options::EXPERIMENTAL_FUNCTIONS,
///     ..Default::default()
/// };
/// assert_eq!(options.format_query("limitk(2, x)")?, "limitk(2, x)");
/// # Ok::<(), obsv::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// Default 1 MiB.
    pub max_query_bytes: u32,
    /// Height of the tree, default 256.
    pub max_depth: u32,
    /// Default 100000.
    pub max_nodes: u32,
    /// Default 10000.
    pub max_selectors: u32,
    /// Default 256.
    pub max_matchers_per_selector: u32,
    /// OR of the `Options::*` feature flags; none by default.
    pub features: u64,
}

impl Default for Options {
    fn default() -> Self {
        let mut raw = sys::obsv_promql_options {
            max_query_bytes: 0,
            max_depth: 0,
            max_nodes: 0,
            max_selectors: 0,
            max_matchers_per_selector: 0,
            features: 0,
        };
        // SAFETY: a valid, writable options struct.
        unsafe { sys::obsv_promql_options_init(&mut raw) };
        Options {
            max_query_bytes: raw.max_query_bytes,
            max_depth: raw.max_depth,
            max_nodes: raw.max_nodes,
            max_selectors: raw.max_selectors,
            max_matchers_per_selector: raw.max_matchers_per_selector,
            features: raw.features,
        }
    }
}

impl Options {
    /// limitk, limit_ratio, info, sort_by_label, mad_over_time, ...
    /// (Prometheus's --enable-feature=promql-experimental-functions).
    pub const EXPERIMENTAL_FUNCTIONS: u64 =
        sys::OBSV_PROMQL_FEATURE_EXPERIMENTAL_FUNCTIONS.0 as u64;
    /// Arithmetic in ranges, steps and offsets: `x[5m + 1m]`
    /// (--enable-feature=promql-duration-expr).
    pub const DURATION_EXPRESSIONS: u64 = sys::OBSV_PROMQL_FEATURE_DURATION_EXPRESSIONS.0 as u64;
    /// `anchored` and `smoothed` after a selector
    /// (--enable-feature=promql-extended-range-selectors).
    pub const EXTENDED_RANGE_SELECTORS: u64 =
        sys::OBSV_PROMQL_FEATURE_EXTENDED_RANGE_SELECTORS.0 as u64;

    fn to_sys(self) -> sys::obsv_promql_options {
        sys::obsv_promql_options {
            max_query_bytes: self.max_query_bytes,
            max_depth: self.max_depth,
            max_nodes: self.max_nodes,
            max_selectors: self.max_selectors,
            max_matchers_per_selector: self.max_matchers_per_selector,
            features: self.features,
        }
    }

    /// [`format_query`] with these options.
    pub fn format_query(&self, query: &str) -> Result<String, Error> {
        // SAFETY: obsv_promql_format_query is a PrintFn.
        unsafe { call_print(sys::obsv_promql_format_query, query, &self.to_sys()) }
    }

    /// [`pretty_query`] with these options.
    pub fn pretty_query(&self, query: &str) -> Result<String, Error> {
        // SAFETY: obsv_promql_pretty_query is a PrintFn.
        unsafe { call_print(sys::obsv_promql_pretty_query, query, &self.to_sys()) }
    }

    /// [`parse`] with these options.
    pub fn parse(&self, query: &str) -> Result<Query, Error> {
        let raw = self.to_sys();
        let mut tree = ptr::null_mut();
        let mut err = ptr::null_mut();
        // SAFETY: valid pointers; the tree is owned by `Tree` and freed when
        // it drops, after everything has been copied out.
        unsafe {
            check(
                sys::obsv_promql_parse(
                    query.as_ptr().cast(),
                    query.len(),
                    &raw,
                    &mut tree,
                    &mut err,
                ),
                err,
            )?;
        }
        let tree = Tree(NonNull::new(tree).ok_or_else(|| {
            Error::new(
                Status::INTERNAL,
                "obsv_promql_parse returned OK and no tree",
            )
        })?);
        // SAFETY: the tree is live; its nodes live as long as it.
        let text = take_string(|out, len, _| unsafe {
            sys::obsv_promql_tree_format(tree.0.as_ptr(), out, len)
        })?;
        // SAFETY: as above.
        let root = unsafe { copy_node(sys::obsv_promql_tree_root(tree.0.as_ptr())) };
        Ok(Query { root, text })
    }

    /// [`expand_template`] with these options.
    pub fn expand_template<I, K, V>(&self, template: &str, values: I) -> Result<String, Error>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        // SAFETY: obsv_promql_expand_template is an ExpandTemplateFn.
        unsafe {
            call_expand_template(
                sys::obsv_promql_expand_template,
                template,
                values,
                &self.to_sys(),
            )
        }
    }
}

/// Parses `query` and prints Prometheus's canonical `String()` form, e.g.
/// `sum by (job) (rate(x{a="1",b="2"}[5m]))`. Default [`Options`].
pub fn format_query(query: &str) -> Result<String, Error> {
    Options::default().format_query(query)
}

/// Parses `query` and prints Prometheus's `Prettify()` form: what does not
/// fit in 100 columns is split over indented lines. Default [`Options`].
pub fn pretty_query(query: &str) -> Result<String, Error> {
    Options::default().pretty_query(query)
}

/// Parses `query` into an owned tree (one FFI call per node field). Default
/// [`Options`]; their `max_depth` bounds the copy's recursion.
pub fn parse(query: &str) -> Result<Query, Error> {
    Options::default().parse(query)
}

/// Expands the `{{name}}` placeholders of `template` with `values` (pairs of
/// name and value), each escaped for the place it lands (a label value, a
/// regex, a duration, ...), and checks that the result parses.
/// INVALID_ARGUMENT, positioned at the placeholder, for a missing value or
/// one unfit for its place. Default [`Options`].
///
/// ```no_run
/// let q = obsv::promql::expand_template(r#"up{job="{{job}}"}"#, [("job", "api")])?;
/// assert_eq!(q, r#"up{job="api"}"#);
/// # Ok::<(), obsv::Error>(())
/// ```
pub fn expand_template<I, K, V>(template: &str, values: I) -> Result<String, Error>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    Options::default().expand_template(template, values)
}

/// Owns a C tree for the duration of a copy.
struct Tree(NonNull<sys::obsv_promql_tree>);

impl Drop for Tree {
    fn drop(&mut self) {
        // SAFETY: the tree is owned and not used again.
        unsafe { sys::obsv_promql_tree_free(self.0.as_ptr()) }
    }
}

newtype! {
    /// `obsv_promql_node_kind`.
    NodeKind(obsv_promql_node_kind) {
        /// 1, 0x1f, Inf, 5m as a number.
        NUMBER = OBSV_PROMQL_NUMBER,
        /// "text".
        STRING = OBSV_PROMQL_STRING,
        /// name{matchers} offset d @ t.
        VECTOR_SELECTOR = OBSV_PROMQL_VECTOR_SELECTOR,
        /// selector[range]; child 0: the selector.
        MATRIX_SELECTOR = OBSV_PROMQL_MATRIX_SELECTOR,
        /// expr[range:step]; child 0: expr.
        SUBQUERY = OBSV_PROMQL_SUBQUERY,
        /// fn(args); children: the arguments.
        CALL = OBSV_PROMQL_CALL,
        /// op by (labels) (param, expr).
        AGGREGATE = OBSV_PROMQL_AGGREGATE,
        /// lhs op rhs; children lhs, rhs.
        BINARY = OBSV_PROMQL_BINARY,
        /// -expr / +expr; child 0.
        UNARY = OBSV_PROMQL_UNARY,
        /// (expr); child 0.
        PAREN = OBSV_PROMQL_PAREN,
    }
}

impl NodeKind {
    fn known_name(self) -> Option<&'static str> {
        const NAMES: [&str; 10] = [
            "number",
            "string",
            "vector_selector",
            "matrix_selector",
            "subquery",
            "call",
            "aggregate",
            "binary",
            "unary",
            "paren",
        ];
        name_at(&NAMES, self.0)
    }
    /// "number", "vector_selector", ...; "unknown" for a value this crate
    /// does not know.
    pub fn name(self) -> &'static str {
        self.known_name().unwrap_or("unknown")
    }
}

newtype! {
    /// `obsv_promql_value_type`: what a node evaluates to.
    ValueType(obsv_promql_value_type) {
        NONE = OBSV_PROMQL_TYPE_NONE,
        SCALAR = OBSV_PROMQL_TYPE_SCALAR,
        /// Instant vector.
        VECTOR = OBSV_PROMQL_TYPE_VECTOR,
        /// Range vector.
        MATRIX = OBSV_PROMQL_TYPE_MATRIX,
        STRING = OBSV_PROMQL_TYPE_STRING,
    }
}

impl ValueType {
    fn known_name(self) -> Option<&'static str> {
        const NAMES: [&str; 5] = ["none", "scalar", "vector", "matrix", "string"];
        name_at(&NAMES, self.0)
    }
    /// "none", "scalar", "vector", "matrix", "string"; "unknown" otherwise.
    pub fn name(self) -> &'static str {
        self.known_name().unwrap_or("unknown")
    }
}

newtype! {
    /// `obsv_match_op`.
    MatchOp(obsv_match_op) {
        /// `=`
        EQUAL = OBSV_MATCH_EQUAL,
        /// `!=`
        NOT_EQUAL = OBSV_MATCH_NOT_EQUAL,
        /// `=~`
        REGEX = OBSV_MATCH_REGEX,
        /// `!~`
        NOT_REGEX = OBSV_MATCH_NOT_REGEX,
    }
}

impl MatchOp {
    fn known_name(self) -> Option<&'static str> {
        const NAMES: [&str; 4] = ["=", "!=", "=~", "!~"];
        name_at(&NAMES, self.0)
    }
    /// The operator as PromQL writes it: "=", "!=", "=~", "!~"; "?" for a
    /// value this crate does not know.
    pub fn as_str(self) -> &'static str {
        self.known_name().unwrap_or("?")
    }
}

newtype! {
    /// `obsv_promql_cardinality`: the vector matching of a binary operation.
    Cardinality(obsv_promql_cardinality) {
        ONE_TO_ONE = OBSV_PROMQL_ONE_TO_ONE,
        /// group_left.
        MANY_TO_ONE = OBSV_PROMQL_MANY_TO_ONE,
        /// group_right.
        ONE_TO_MANY = OBSV_PROMQL_ONE_TO_MANY,
        /// and, or, unless.
        MANY_TO_MANY = OBSV_PROMQL_MANY_TO_MANY,
    }
}

impl Cardinality {
    fn known_name(self) -> Option<&'static str> {
        const NAMES: [&str; 4] = ["one_to_one", "many_to_one", "one_to_many", "many_to_many"];
        name_at(&NAMES, self.0)
    }
}

newtype! {
    /// `obsv_conflict_policy`: what an [`Injector`] does with a query that
    /// constrains an enforced label itself.
    ConflictPolicy(obsv_conflict_policy) {
        /// Refuse it: PERMISSION_DENIED at the user's matcher.
        ERROR = OBSV_CONFLICT_ERROR,
        /// Drop the user's matchers on enforced labels.
        REPLACE = OBSV_CONFLICT_REPLACE,
        /// Keep them, ANDed with the enforced ones.
        INTERSECT = OBSV_CONFLICT_INTERSECT,
    }
}

impl ConflictPolicy {
    fn known_name(self) -> Option<&'static str> {
        const NAMES: [&str; 3] = ["error", "replace", "intersect"];
        name_at(&NAMES, self.0)
    }
}

impl fmt::Display for NodeKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for MatchOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A label matcher, unquoted and unescaped.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Matcher {
    pub name: String,
    pub op: MatchOp,
    pub value: String,
}

impl Matcher {
    pub fn new(name: impl Into<String>, op: MatchOp, value: impl Into<String>) -> Matcher {
        Matcher {
            name: name.into(),
            op,
            value: value.into(),
        }
    }

    /// The C ABI's matcher: views of `self`, which must outlive the call it
    /// is passed to.
    pub(crate) fn to_sys(&self) -> sys::obsv_matcher {
        sys::obsv_matcher {
            name: sys::obsv_str::from_bytes(self.name.as_bytes()),
            op: self.op.to_sys(),
            value: sys::obsv_str::from_bytes(self.value.as_bytes()),
        }
    }
}

/// A node of a parsed query, copied out of the C tree. Fields that do not
/// apply to the node's kind are empty or zero (the header's neutral values).
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    pub value_type: ValueType,
    /// Byte range `start..end` of the node in the parsed query.
    pub start: usize,
    pub end: usize,
    /// A selector's metric name ("" if none), a function's name, an
    /// aggregation's operator ("sum", "topk"), a binary operator ("+",
    /// "and") or a unary one ("-", "+").
    pub name: String,
    /// A number literal's value (durations in seconds).
    pub number: f64,
    /// A string literal's unescaped value.
    pub string: String,
    /// The matchers written inside a selector's braces (vector and matrix
    /// selectors alike), in source order.
    pub matchers: Vec<Matcher>,
    /// An aggregation's by/without labels, or a binary operation's
    /// on/ignoring labels.
    pub labels: Vec<String>,
    /// A binary operation's group_left/group_right labels.
    pub include: Vec<String>,
    /// An aggregation with `without`.
    pub without: bool,
    /// A binary operation with `on` written.
    pub on: bool,
    /// A comparison with `bool`.
    pub return_bool: bool,
    pub cardinality: Cardinality,
    /// A matrix selector's or subquery's range, in milliseconds.
    pub range_ms: i64,
    /// A subquery's step in milliseconds (0 when omitted).
    pub step_ms: i64,
    /// A selector's or subquery's offset in milliseconds (negative for
    /// `offset -5m`).
    pub offset_ms: i64,
    /// In source order; an aggregation's parameter comes first when it has
    /// one.
    pub children: Vec<Node>,
}

impl Node {
    /// Calls `f` for this node and its descendants in depth-first pre-order.
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Node)) {
        f(self);
        for c in &self.children {
            c.walk(f);
        }
    }

    /// The vector selectors of the subtree (including those inside matrix
    /// selectors), in source order.
    pub fn vector_selectors(&self) -> Vec<&Node> {
        let mut out = Vec::new();
        self.walk(&mut |n| {
            if n.kind == NodeKind::VECTOR_SELECTOR {
                out.push(n);
            }
        });
        out
    }
}

/// A parsed query: its tree and its canonical text.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    pub root: Node,
    text: String,
}

impl Query {
    /// The canonical text, as [`format_query`] prints it.
    pub fn canonical(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Query {
    /// The canonical text, as [`format_query`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Copies a node and its subtree (recursion bounded by the parser's
/// `max_depth`).
///
/// # Safety
/// `n` is a live node of a live tree.
unsafe fn copy_node(n: *const sys::obsv_promql_node) -> Node {
    let matchers = (0..sys::obsv_promql_node_matcher_count(n))
        .filter_map(|i| {
            let mut m = sys::obsv_matcher {
                name: sys::obsv_str::EMPTY,
                op: sys::OBSV_MATCH_EQUAL,
                value: sys::obsv_str::EMPTY,
            };
            (sys::obsv_promql_node_matcher(n, i, &mut m) != 0).then(|| Matcher {
                name: string(m.name),
                op: MatchOp::from_sys(m.op),
                value: string(m.value),
            })
        })
        .collect();
    Node {
        kind: NodeKind::from_sys(sys::obsv_promql_node_kind_of(n)),
        value_type: ValueType::from_sys(sys::obsv_promql_node_type(n)),
        start: sys::obsv_promql_node_start(n) as usize,
        end: sys::obsv_promql_node_end(n) as usize,
        name: string(sys::obsv_promql_node_name(n)),
        number: sys::obsv_promql_node_number(n),
        string: string(sys::obsv_promql_node_string(n)),
        matchers,
        labels: (0..sys::obsv_promql_node_label_count(n))
            .map(|i| string(sys::obsv_promql_node_label(n, i)))
            .collect(),
        include: (0..sys::obsv_promql_node_include_count(n))
            .map(|i| string(sys::obsv_promql_node_include(n, i)))
            .collect(),
        without: sys::obsv_promql_node_without(n) != 0,
        on: sys::obsv_promql_node_on(n) != 0,
        return_bool: sys::obsv_promql_node_bool(n) != 0,
        cardinality: Cardinality::from_sys(sys::obsv_promql_node_cardinality(n)),
        range_ms: sys::obsv_promql_node_range_ms(n),
        step_ms: sys::obsv_promql_node_step_ms(n),
        offset_ms: sys::obsv_promql_node_offset_ms(n),
        children: (0..sys::obsv_promql_node_child_count(n))
            .map(|i| sys::obsv_promql_node_child(n, i))
            .filter(|c| !c.is_null())
            .map(|c| copy_node(c))
            .collect(),
    }
}

/// Scopes queries and series selectors to enforced label matchers (a
/// tenant), the way prom-label-proxy does, including the selectors it
/// misses (aggregation parameters such as `topk(scalar(x), ...)`).
///
/// Thread safety: immutable, `Send` and `Sync`.
pub struct Injector {
    raw: NonNull<sys::obsv_promql_injector>,
}

// SAFETY: the header documents an injector as immutable and shareable by
// threads; every method takes `&self` and only reads it, and Drop runs once
// no reference is left.
unsafe impl Send for Injector {}
unsafe impl Sync for Injector {}

impl Injector {
    /// An injector that adds `enforced` to every selector (the matchers are
    /// copied). INVALID_ARGUMENT for an invalid set (empty, `__name__`, a
    /// regex RE2 refuses, no matcher that excludes the empty value, ...) or
    /// an unknown policy.
    pub fn new(enforced: &[Matcher], policy: ConflictPolicy) -> Result<Injector, Error> {
        let raw: Vec<sys::obsv_matcher> = enforced.iter().map(Matcher::to_sys).collect();
        new_injector(|out, err| {
            // SAFETY: views of `enforced`, alive for the call.
            unsafe {
                sys::obsv_promql_injector_new(raw.as_ptr(), raw.len(), policy.to_sys(), out, err)
            }
        })
        .map(|raw| Injector { raw })
    }

    /// An injector that enforces `label` to one of `values`: `label="v"` for
    /// one value, `label=~"v1|v2"` (regex metacharacters escaped) for
    /// several. INVALID_ARGUMENT for no values.
    pub fn for_values<S: AsRef<str>>(
        label: &str,
        values: &[S],
        policy: ConflictPolicy,
    ) -> Result<Injector, Error> {
        let views = views(values);
        new_injector(|out, err| {
            // SAFETY: views of `label` and `values`, alive for the call.
            unsafe {
                sys::obsv_promql_injector_new_for_values(
                    label.as_ptr().cast(),
                    label.len(),
                    views.as_ptr(),
                    views.len(),
                    policy.to_sys(),
                    out,
                    err,
                )
            }
        })
        .map(|raw| Injector { raw })
    }

    /// Parses `query`, scopes every selector and returns the canonical text.
    /// Errors: a parse error with its position, or PERMISSION_DENIED at the
    /// user's conflicting matcher under [`ConflictPolicy::ERROR`]. Default
    /// [`Options`].
    pub fn inject_query(&self, query: &str) -> Result<String, Error> {
        self.inject_query_with(query, &Options::default())
    }

    /// [`Injector::inject_query`] with `options`.
    pub fn inject_query_with(&self, query: &str, options: &Options) -> Result<String, Error> {
        // SAFETY: obsv_promql_inject_query is an InjectQueryFn; a live injector.
        unsafe {
            call_inject_query(
                sys::obsv_promql_inject_query,
                self.raw.as_ptr(),
                query,
                &options.to_sys(),
            )
        }
    }

    /// Scopes the `match[]` parameters of /api/v1/series, /api/v1/labels,
    /// /api/v1/label/<name>/values and /federate: each must be a series
    /// selector. An empty `matches` (match[] absent) gives the single
    /// selector of the enforced matchers. Errors name the element
    /// (`match[1]: ...`). Default [`Options`].
    pub fn inject_selectors<S: AsRef<str>>(&self, matches: &[S]) -> Result<Vec<String>, Error> {
        self.inject_selectors_with(matches, &Options::default())
    }

    /// [`Injector::inject_selectors`] with `options`.
    pub fn inject_selectors_with<S: AsRef<str>>(
        &self,
        matches: &[S],
        options: &Options,
    ) -> Result<Vec<String>, Error> {
        // SAFETY: obsv_promql_inject_selectors is an InjectSelectorsFn; a
        // live injector.
        unsafe {
            call_inject_selectors(
                sys::obsv_promql_inject_selectors,
                self.raw.as_ptr(),
                matches,
                &options.to_sys(),
            )
        }
    }

    /// The raw handle, for the FFI functions this crate does not wrap
    /// (`obsv_promql_tree_inject`); valid while `self` lives.
    pub fn as_raw(&self) -> *const sys::obsv_promql_injector {
        self.raw.as_ptr()
    }
}

impl Drop for Injector {
    fn drop(&mut self) {
        // SAFETY: the handle is owned and not used again.
        unsafe { sys::obsv_promql_injector_free(self.raw.as_ptr()) }
    }
}

impl fmt::Debug for Injector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Injector").finish_non_exhaustive()
    }
}
