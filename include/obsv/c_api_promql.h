/* obsv/c_api_promql.h: the C ABI of obsv's PromQL module: parse, print
 * (canonical and pretty), read the syntax tree, scope queries and series
 * selectors to a tenant, and expand query templates. The C++ manual is
 * obsv/promql.h, obsv/promql_scope.h and obsv/promql_template.h; this header
 * follows the conventions of obsv/c_api.h (opaque handles, (pointer, length)
 * strings, statuses, out_error objects, *_free(NULL) is a no-op).
 *
 * Example: scope a user's query to tenant "a" before relaying it.
 *
 *   obsv_matcher tenant = {{"tenant", 6}, OBSV_MATCH_EQUAL, {"a", 1}};
 *   obsv_promql_injector* inj = NULL;
 *   obsv_error* err = NULL;
 *   if (obsv_promql_injector_new(&tenant, 1, OBSV_CONFLICT_ERROR, &inj, &err)
 *       != OBSV_OK) { ...; obsv_error_free(err); }
 *   char* scoped = NULL;
 *   size_t scoped_len = 0;
 *   if (obsv_promql_inject_query(inj, q, q_len, NULL, &scoped, &scoped_len,
 *                                &err) == OBSV_OK) {
 *     relay(scoped, scoped_len);  // sum(rate(x{tenant="a"}[5m]))
 *     obsv_string_free(scoped);
 *   } else {
 *     reply_400(obsv_error_message(err));  // "1:14: parse error: ..."
 *     obsv_error_free(err);
 *   }
 *   obsv_promql_injector_free(inj);
 *
 * Errors: parse errors carry the parse codes of obsv/c_api.h (OBSV_ERR_SYNTAX,
 * OBSV_ERR_UNTERMINATED_STRING, OBSV_ERR_INVALID_ESCAPE, OBSV_ERR_INVALID_UTF8,
 * OBSV_ERR_INVALID_VALUE, OBSV_ERR_LIMIT_EXCEEDED) with offset, line and
 * column; the message is Prometheus's ("1:14: parse error: ..."). A query
 * refused by the scoping policy is OBSV_ERR_PERMISSION_DENIED, positioned at
 * the user's conflicting matcher. Invalid enforced matchers and template
 * values are OBSV_ERR_INVALID_ARGUMENT (positioned where there is a place).
 *
 * Thread safety: trees are thread-compatible; an injector is immutable and
 * may be shared by threads.
 */
#ifndef OBSV_C_API_PROMQL_H_
#define OBSV_C_API_PROMQL_H_

#include "obsv/c_api.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Options                                                                   */

/* Syntax Prometheus gates behind --enable-feature; all off by default. */
typedef enum obsv_promql_feature {
  /* limitk, limit_ratio, info, sort_by_label, mad_over_time, ...
   * (promql-experimental-functions) */
  OBSV_PROMQL_FEATURE_EXPERIMENTAL_FUNCTIONS = 1u << 0,
  /* arithmetic in ranges, steps and offsets: x[5m + 1m]
   * (promql-duration-expr) */
  OBSV_PROMQL_FEATURE_DURATION_EXPRESSIONS = 1u << 1,
  /* `anchored` and `smoothed` after a selector
   * (promql-extended-range-selectors) */
  OBSV_PROMQL_FEATURE_EXTENDED_RANGE_SELECTORS = 1u << 2
} obsv_promql_feature;

typedef struct obsv_promql_options {
  uint32_t max_query_bytes;           /* default 1 MiB */
  uint32_t max_depth;                 /* height of the tree, default 256 */
  uint32_t max_nodes;                 /* default 100000 */
  uint32_t max_selectors;             /* default 10000 */
  uint32_t max_matchers_per_selector; /* default 256 */
  uint64_t features;                  /* OR of obsv_promql_feature; 0 */
} obsv_promql_options;

/* Fills *options with the defaults. A NULL options argument anywhere below
 * means these defaults. */
OBSV_API void obsv_promql_options_init(obsv_promql_options* options);

/* ------------------------------------------------------------------------ */
/* One-shot printing                                                         */

/* Parses `query` and prints Prometheus's canonical String() form
 * (obsv_promql_format_query) or its Prettify() form (..._pretty_query).
 * On success *out is a NUL-terminated string of *out_len bytes (out_len may
 * be NULL) that the caller frees with obsv_string_free(). */
OBSV_API obsv_status obsv_promql_format_query(const char* query, size_t len,
                                              const obsv_promql_options* options,
                                              char** out, size_t* out_len,
                                              obsv_error** out_error);
OBSV_API obsv_status obsv_promql_pretty_query(const char* query, size_t len,
                                              const obsv_promql_options* options,
                                              char** out, size_t* out_len,
                                              obsv_error** out_error);

/* ------------------------------------------------------------------------ */
/* Syntax trees                                                              */

typedef struct obsv_promql_tree obsv_promql_tree; /* owned */
typedef struct obsv_promql_node obsv_promql_node; /* borrowed from a tree */

typedef enum obsv_promql_node_kind {
  OBSV_PROMQL_NUMBER = 0,          /* 1, 0x1f, Inf, 5m as a number */
  OBSV_PROMQL_STRING = 1,          /* "text" */
  OBSV_PROMQL_VECTOR_SELECTOR = 2, /* name{matchers} offset d @ t */
  OBSV_PROMQL_MATRIX_SELECTOR = 3, /* selector[range]; child 0: the selector */
  OBSV_PROMQL_SUBQUERY = 4,        /* expr[range:step]; child 0: expr */
  OBSV_PROMQL_CALL = 5,            /* fn(args); children: the arguments */
  OBSV_PROMQL_AGGREGATE = 6,       /* op by (labels) (param, expr) */
  OBSV_PROMQL_BINARY = 7,          /* lhs op rhs; children lhs, rhs */
  OBSV_PROMQL_UNARY = 8,           /* -expr / +expr; child 0 */
  OBSV_PROMQL_PAREN = 9            /* (expr); child 0 */
} obsv_promql_node_kind;

typedef enum obsv_promql_value_type {
  OBSV_PROMQL_TYPE_NONE = 0,
  OBSV_PROMQL_TYPE_SCALAR = 1,
  OBSV_PROMQL_TYPE_VECTOR = 2, /* instant vector */
  OBSV_PROMQL_TYPE_MATRIX = 3, /* range vector */
  OBSV_PROMQL_TYPE_STRING = 4
} obsv_promql_value_type;

typedef enum obsv_match_op {
  OBSV_MATCH_EQUAL = 0,     /* = */
  OBSV_MATCH_NOT_EQUAL = 1, /* != */
  OBSV_MATCH_REGEX = 2,     /* =~ */
  OBSV_MATCH_NOT_REGEX = 3  /* !~ */
} obsv_match_op;

/* A label matcher; strings are views (not NUL-terminated). */
typedef struct obsv_matcher {
  obsv_str name;
  obsv_match_op op;
  obsv_str value;
} obsv_matcher;

typedef enum obsv_promql_cardinality {
  OBSV_PROMQL_ONE_TO_ONE = 0,
  OBSV_PROMQL_MANY_TO_ONE = 1, /* group_left */
  OBSV_PROMQL_ONE_TO_MANY = 2, /* group_right */
  OBSV_PROMQL_MANY_TO_MANY = 3 /* and, or, unless */
} obsv_promql_cardinality;

/* Parses `query` into a tree the caller frees with obsv_promql_tree_free().
 * The tree holds no reference to `query`. */
OBSV_API obsv_status obsv_promql_parse(const char* query, size_t len,
                                       const obsv_promql_options* options,
                                       obsv_promql_tree** out_tree,
                                       obsv_error** out_error);
OBSV_API void obsv_promql_tree_free(obsv_promql_tree* tree);

/* The root; valid while the tree lives and is not rewritten
 * (obsv_promql_tree_inject() invalidates every node pointer). */
OBSV_API const obsv_promql_node* obsv_promql_tree_root(const obsv_promql_tree* tree);

/* The canonical / pretty text of the tree, as obsv_promql_format_query(). */
OBSV_API obsv_status obsv_promql_tree_format(const obsv_promql_tree* tree, char** out,
                                             size_t* out_len);
OBSV_API obsv_status obsv_promql_tree_pretty(const obsv_promql_tree* tree, char** out,
                                             size_t* out_len);

/* Node accessors. Views live as long as the node. Each returns a neutral
 * value (0, an empty view, NULL) for a NULL node or a kind it does not apply
 * to. */
OBSV_API obsv_promql_node_kind obsv_promql_node_kind_of(const obsv_promql_node* node);
OBSV_API obsv_promql_value_type obsv_promql_node_type(const obsv_promql_node* node);
/* Byte range [start, end) of the node in the parsed query. */
OBSV_API uint32_t obsv_promql_node_start(const obsv_promql_node* node);
OBSV_API uint32_t obsv_promql_node_end(const obsv_promql_node* node);
/* Children in source order (an aggregation's parameter comes first when it
 * has one). */
OBSV_API size_t obsv_promql_node_child_count(const obsv_promql_node* node);
OBSV_API const obsv_promql_node* obsv_promql_node_child(const obsv_promql_node* node,
                                                         size_t i);
/* Selector: the metric name written before the braces ("" if none).
 * Call: the function name. Aggregate: "sum", "topk", ... Binary: "+", "and",
 * ... Unary: "-" or "+". */
OBSV_API obsv_str obsv_promql_node_name(const obsv_promql_node* node);
/* Number literal: its value (durations in seconds). */
OBSV_API double obsv_promql_node_number(const obsv_promql_node* node);
/* String literal: its unescaped value. */
OBSV_API obsv_str obsv_promql_node_string(const obsv_promql_node* node);
/* Vector selector (or the selector of a matrix selector): the matchers
 * written inside the braces, unquoted and unescaped. Returns 0 and leaves
 * *out alone when i is out of range. */
OBSV_API size_t obsv_promql_node_matcher_count(const obsv_promql_node* node);
OBSV_API int obsv_promql_node_matcher(const obsv_promql_node* node, size_t i,
                                      obsv_matcher* out);
/* Aggregate: the by/without labels. Binary: the on/ignoring labels. */
OBSV_API size_t obsv_promql_node_label_count(const obsv_promql_node* node);
OBSV_API obsv_str obsv_promql_node_label(const obsv_promql_node* node, size_t i);
/* Binary: the group_left/group_right labels. */
OBSV_API size_t obsv_promql_node_include_count(const obsv_promql_node* node);
OBSV_API obsv_str obsv_promql_node_include(const obsv_promql_node* node, size_t i);
/* Aggregate: 1 for `without`. Binary: 1 for `on` (with matching written). */
OBSV_API int obsv_promql_node_without(const obsv_promql_node* node);
OBSV_API int obsv_promql_node_on(const obsv_promql_node* node);
/* Binary: 1 for a comparison with `bool`; the matching cardinality. */
OBSV_API int obsv_promql_node_bool(const obsv_promql_node* node);
OBSV_API obsv_promql_cardinality obsv_promql_node_cardinality(const obsv_promql_node* node);
/* Matrix selector and subquery: the range; subquery: the step (0 when
 * omitted). Milliseconds; 0 when written as a duration expression. */
OBSV_API int64_t obsv_promql_node_range_ms(const obsv_promql_node* node);
OBSV_API int64_t obsv_promql_node_step_ms(const obsv_promql_node* node);
/* Selector (vector or matrix) and subquery: the offset (signed, ms). */
OBSV_API int64_t obsv_promql_node_offset_ms(const obsv_promql_node* node);

/* ------------------------------------------------------------------------ */
/* Scoping (see obsv/promql_scope.h)                                         */

typedef enum obsv_conflict_policy {
  /* Refuse a query that constrains an enforced label otherwise. */
  OBSV_CONFLICT_ERROR = 0,
  /* Drop the user's matchers on enforced labels. */
  OBSV_CONFLICT_REPLACE = 1,
  /* Keep them, ANDed with the enforced ones. */
  OBSV_CONFLICT_INTERSECT = 2
} obsv_conflict_policy;

typedef struct obsv_promql_injector obsv_promql_injector;

/* Creates an injector that adds the `count` enforced matchers to every
 * selector. The matchers are copied. OBSV_ERR_INVALID_ARGUMENT for an
 * invalid set (empty, `__name__`, a regex RE2 refuses, no matcher that
 * excludes the empty value, ...). Free with obsv_promql_injector_free(). */
OBSV_API obsv_status obsv_promql_injector_new(const obsv_matcher* enforced, size_t count,
                                              obsv_conflict_policy policy,
                                              obsv_promql_injector** out_injector,
                                              obsv_error** out_error);
/* Same, enforcing `label` to one of `values`: label="v" for one value,
 * label=~"v1|v2" (regex metacharacters escaped) for several. */
OBSV_API obsv_status obsv_promql_injector_new_for_values(
    const char* label, size_t label_len, const obsv_str* values, size_t count,
    obsv_conflict_policy policy, obsv_promql_injector** out_injector,
    obsv_error** out_error);
OBSV_API void obsv_promql_injector_free(obsv_promql_injector* injector);

/* Parses `query`, scopes every selector and prints the canonical text
 * (freed with obsv_string_free()). */
OBSV_API obsv_status obsv_promql_inject_query(const obsv_promql_injector* injector,
                                              const char* query, size_t len,
                                              const obsv_promql_options* options,
                                              char** out, size_t* out_len,
                                              obsv_error** out_error);

/* Scopes a parsed tree in place. Node pointers taken before are invalid
 * afterwards. On error the tree may be partly rewritten: free it. */
OBSV_API obsv_status obsv_promql_tree_inject(const obsv_promql_injector* injector,
                                             obsv_promql_tree* tree,
                                             obsv_error** out_error);

/* A list of strings the library allocated. */
typedef struct obsv_string_list obsv_string_list;
OBSV_API size_t obsv_string_list_size(const obsv_string_list* list);
/* The i-th string (NUL-terminated view), empty when out of range; valid
 * while the list lives. */
OBSV_API obsv_str obsv_string_list_get(const obsv_string_list* list, size_t i);
OBSV_API void obsv_string_list_free(obsv_string_list* list);

/* Scopes the match[] parameters of /api/v1/series, /api/v1/labels,
 * /api/v1/label/<name>/values and /federate: each must be a series selector;
 * with count == 0 (match[] absent) the result is the single selector of the
 * enforced matchers. Errors name the element ("match[2]: 1:5: ..."). */
OBSV_API obsv_status obsv_promql_inject_selectors(const obsv_promql_injector* injector,
                                                  const obsv_str* match, size_t count,
                                                  const obsv_promql_options* options,
                                                  obsv_string_list** out_list,
                                                  obsv_error** out_error);

/* ------------------------------------------------------------------------ */
/* Templates (see obsv/promql_template.h)                                    */

/* Expands the {{name}} placeholders of `tmpl` with names[i] -> values[i],
 * each escaped for the place it lands, and checks that the result parses.
 * On success *out (freed with obsv_string_free()) is the expanded query.
 * OBSV_ERR_INVALID_ARGUMENT, positioned at the placeholder, for a missing
 * or unfit value. */
OBSV_API obsv_status obsv_promql_expand_template(const char* tmpl, size_t len,
                                                 const obsv_str* names,
                                                 const obsv_str* values, size_t count,
                                                 const obsv_promql_options* options,
                                                 char** out, size_t* out_len,
                                                 obsv_error** out_error);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* OBSV_C_API_PROMQL_H_ */
