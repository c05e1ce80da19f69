//! Raw FFI declarations of the PromQL part of the C ABI,
//! `include/obsv/c_api_promql.h`: parse, print (canonical and pretty), read
//! the syntax tree, scope queries and series selectors to a tenant, expand
//! query templates. Re-exported at the crate root; the header is the manual.
//!
//! Thread safety (from the header): trees are thread-compatible; an injector
//! is immutable and may be shared by threads.

use crate::{obsv_error, obsv_status, obsv_str};
use core::ffi::{c_char, c_int};

// ---------------------------------------------------------------------------
// Options

c_enum! {
    /// `obsv_promql_feature`: syntax Prometheus gates behind
    /// --enable-feature, OR-ed into `obsv_promql_options::features`.
    obsv_promql_feature {
        /// limitk, limit_ratio, info, sort_by_label, mad_over_time, ...
        OBSV_PROMQL_FEATURE_EXPERIMENTAL_FUNCTIONS = 1 << 0,
        /// arithmetic in ranges, steps and offsets: x[5m + 1m]
        OBSV_PROMQL_FEATURE_DURATION_EXPRESSIONS = 1 << 1,
        /// `anchored` and `smoothed` after a selector
        OBSV_PROMQL_FEATURE_EXTENDED_RANGE_SELECTORS = 1 << 2,
    }
}

/// `obsv_promql_options`; fill with `obsv_promql_options_init()` first. A
/// NULL options argument means the defaults.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct obsv_promql_options {
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
    /// OR of `obsv_promql_feature` values; 0 by default.
    pub features: u64,
}

// ---------------------------------------------------------------------------
// Syntax trees

c_opaque! {
    /// Opaque, owned: a parsed query.
    obsv_promql_tree;
    /// Opaque, borrowed from a tree: a node.
    obsv_promql_node;
}

c_enum! {
    /// `obsv_promql_node_kind`.
    obsv_promql_node_kind {
        /// 1, 0x1f, Inf, 5m as a number.
        OBSV_PROMQL_NUMBER = 0,
        /// "text".
        OBSV_PROMQL_STRING = 1,
        /// name{matchers} offset d @ t.
        OBSV_PROMQL_VECTOR_SELECTOR = 2,
        /// selector[range]; child 0: the selector.
        OBSV_PROMQL_MATRIX_SELECTOR = 3,
        /// expr[range:step]; child 0: expr.
        OBSV_PROMQL_SUBQUERY = 4,
        /// fn(args); children: the arguments.
        OBSV_PROMQL_CALL = 5,
        /// op by (labels) (param, expr).
        OBSV_PROMQL_AGGREGATE = 6,
        /// lhs op rhs; children lhs, rhs.
        OBSV_PROMQL_BINARY = 7,
        /// -expr / +expr; child 0.
        OBSV_PROMQL_UNARY = 8,
        /// (expr); child 0.
        OBSV_PROMQL_PAREN = 9,
    }
}

c_enum! {
    /// `obsv_promql_value_type`.
    obsv_promql_value_type {
        OBSV_PROMQL_TYPE_NONE = 0,
        OBSV_PROMQL_TYPE_SCALAR = 1,
        /// Instant vector.
        OBSV_PROMQL_TYPE_VECTOR = 2,
        /// Range vector.
        OBSV_PROMQL_TYPE_MATRIX = 3,
        OBSV_PROMQL_TYPE_STRING = 4,
    }
}

c_enum! {
    /// `obsv_match_op`.
    obsv_match_op {
        /// `=`
        OBSV_MATCH_EQUAL = 0,
        /// `!=`
        OBSV_MATCH_NOT_EQUAL = 1,
        /// `=~`
        OBSV_MATCH_REGEX = 2,
        /// `!~`
        OBSV_MATCH_NOT_REGEX = 3,
    }
}

/// `obsv_matcher`: a label matcher; strings are views (not NUL-terminated).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct obsv_matcher {
    pub name: obsv_str,
    pub op: obsv_match_op,
    pub value: obsv_str,
}

c_enum! {
    /// `obsv_promql_cardinality`: the vector matching of a binary operation.
    obsv_promql_cardinality {
        OBSV_PROMQL_ONE_TO_ONE = 0,
        /// group_left.
        OBSV_PROMQL_MANY_TO_ONE = 1,
        /// group_right.
        OBSV_PROMQL_ONE_TO_MANY = 2,
        /// and, or, unless.
        OBSV_PROMQL_MANY_TO_MANY = 3,
    }
}

// ---------------------------------------------------------------------------
// Scoping

c_enum! {
    /// `obsv_conflict_policy`: what an injector does with a query that
    /// constrains an enforced label itself.
    obsv_conflict_policy {
        /// Refuse it (OBSV_ERR_PERMISSION_DENIED).
        OBSV_CONFLICT_ERROR = 0,
        /// Drop the user's matchers on enforced labels.
        OBSV_CONFLICT_REPLACE = 1,
        /// Keep them, ANDed with the enforced ones.
        OBSV_CONFLICT_INTERSECT = 2,
    }
}

c_opaque! {
    /// Opaque, owned: an immutable, thread-safe injector.
    obsv_promql_injector;
    /// Opaque, owned: a list of strings the library allocated.
    obsv_string_list;
}

extern "C" {
    // ---- Options ----------------------------------------------------------

    pub fn obsv_promql_options_init(options: *mut obsv_promql_options);

    // ---- One-shot printing --------------------------------------------------

    /// On success `*out` is NUL-terminated, `*out_len` bytes (out_len may be
    /// NULL), freed with `obsv_string_free()`.
    pub fn obsv_promql_format_query(
        query: *const c_char,
        len: usize,
        options: *const obsv_promql_options,
        out: *mut *mut c_char,
        out_len: *mut usize,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_promql_pretty_query(
        query: *const c_char,
        len: usize,
        options: *const obsv_promql_options,
        out: *mut *mut c_char,
        out_len: *mut usize,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;

    // ---- Syntax trees -------------------------------------------------------

    /// The tree holds no reference to `query`; free it with
    /// `obsv_promql_tree_free()`.
    pub fn obsv_promql_parse(
        query: *const c_char,
        len: usize,
        options: *const obsv_promql_options,
        out_tree: *mut *mut obsv_promql_tree,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    /// NULL is a no-op.
    pub fn obsv_promql_tree_free(tree: *mut obsv_promql_tree);
    /// Valid while the tree lives and is not rewritten.
    pub fn obsv_promql_tree_root(tree: *const obsv_promql_tree) -> *const obsv_promql_node;
    pub fn obsv_promql_tree_format(
        tree: *const obsv_promql_tree,
        out: *mut *mut c_char,
        out_len: *mut usize,
    ) -> obsv_status;
    pub fn obsv_promql_tree_pretty(
        tree: *const obsv_promql_tree,
        out: *mut *mut c_char,
        out_len: *mut usize,
    ) -> obsv_status;

    // Node accessors: neutral values (0, an empty view, NULL) for a NULL
    // node or a kind they do not apply to; views live as long as the node.
    pub fn obsv_promql_node_kind_of(node: *const obsv_promql_node) -> obsv_promql_node_kind;
    pub fn obsv_promql_node_type(node: *const obsv_promql_node) -> obsv_promql_value_type;
    /// Byte range [start, end) of the node in the parsed query.
    pub fn obsv_promql_node_start(node: *const obsv_promql_node) -> u32;
    pub fn obsv_promql_node_end(node: *const obsv_promql_node) -> u32;
    pub fn obsv_promql_node_child_count(node: *const obsv_promql_node) -> usize;
    /// NULL when `i` is out of range.
    pub fn obsv_promql_node_child(
        node: *const obsv_promql_node,
        i: usize,
    ) -> *const obsv_promql_node;
    pub fn obsv_promql_node_name(node: *const obsv_promql_node) -> obsv_str;
    pub fn obsv_promql_node_number(node: *const obsv_promql_node) -> f64;
    pub fn obsv_promql_node_string(node: *const obsv_promql_node) -> obsv_str;
    pub fn obsv_promql_node_matcher_count(node: *const obsv_promql_node) -> usize;
    /// Returns 0 and leaves `*out` alone when `i` is out of range.
    pub fn obsv_promql_node_matcher(
        node: *const obsv_promql_node,
        i: usize,
        out: *mut obsv_matcher,
    ) -> c_int;
    pub fn obsv_promql_node_label_count(node: *const obsv_promql_node) -> usize;
    pub fn obsv_promql_node_label(node: *const obsv_promql_node, i: usize) -> obsv_str;
    pub fn obsv_promql_node_include_count(node: *const obsv_promql_node) -> usize;
    pub fn obsv_promql_node_include(node: *const obsv_promql_node, i: usize) -> obsv_str;
    pub fn obsv_promql_node_without(node: *const obsv_promql_node) -> c_int;
    pub fn obsv_promql_node_on(node: *const obsv_promql_node) -> c_int;
    pub fn obsv_promql_node_bool(node: *const obsv_promql_node) -> c_int;
    pub fn obsv_promql_node_cardinality(node: *const obsv_promql_node) -> obsv_promql_cardinality;
    /// Milliseconds.
    pub fn obsv_promql_node_range_ms(node: *const obsv_promql_node) -> i64;
    pub fn obsv_promql_node_step_ms(node: *const obsv_promql_node) -> i64;
    /// Signed milliseconds.
    pub fn obsv_promql_node_offset_ms(node: *const obsv_promql_node) -> i64;

    // ---- Scoping ------------------------------------------------------------

    /// The matchers are copied. Free with `obsv_promql_injector_free()`.
    pub fn obsv_promql_injector_new(
        enforced: *const obsv_matcher,
        count: usize,
        policy: obsv_conflict_policy,
        out_injector: *mut *mut obsv_promql_injector,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_promql_injector_new_for_values(
        label: *const c_char,
        label_len: usize,
        values: *const obsv_str,
        count: usize,
        policy: obsv_conflict_policy,
        out_injector: *mut *mut obsv_promql_injector,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    /// NULL is a no-op.
    pub fn obsv_promql_injector_free(injector: *mut obsv_promql_injector);
    /// `*out` freed with `obsv_string_free()`.
    pub fn obsv_promql_inject_query(
        injector: *const obsv_promql_injector,
        query: *const c_char,
        len: usize,
        options: *const obsv_promql_options,
        out: *mut *mut c_char,
        out_len: *mut usize,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    /// Invalidates every node pointer of the tree; on error the tree may be
    /// partly rewritten.
    pub fn obsv_promql_tree_inject(
        injector: *const obsv_promql_injector,
        tree: *mut obsv_promql_tree,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
    pub fn obsv_string_list_size(list: *const obsv_string_list) -> usize;
    /// NUL-terminated view, empty when out of range; valid while the list
    /// lives.
    pub fn obsv_string_list_get(list: *const obsv_string_list, i: usize) -> obsv_str;
    /// NULL is a no-op.
    pub fn obsv_string_list_free(list: *mut obsv_string_list);
    /// `count == 0` (match[] absent) gives the enforced set's selector.
    pub fn obsv_promql_inject_selectors(
        injector: *const obsv_promql_injector,
        match_: *const obsv_str,
        count: usize,
        options: *const obsv_promql_options,
        out_list: *mut *mut obsv_string_list,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;

    // ---- Templates ----------------------------------------------------------

    /// `*out` freed with `obsv_string_free()`.
    pub fn obsv_promql_expand_template(
        tmpl: *const c_char,
        len: usize,
        names: *const obsv_str,
        values: *const obsv_str,
        count: usize,
        options: *const obsv_promql_options,
        out: *mut *mut c_char,
        out_len: *mut usize,
        out_error: *mut *mut obsv_error,
    ) -> obsv_status;
}
