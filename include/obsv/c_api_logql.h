/* obsv/c_api_logql.h: the C ABI of obsv's LogQL module: parse and print
 * Loki's canonical form, scope queries and the selectors of Loki's metadata
 * endpoints to a tenant, and expand query templates. The C++ manual is
 * obsv/logql.h, obsv/logql_scope.h and obsv/logql_template.h; this header
 * follows the conventions of obsv/c_api.h and obsv/c_api_promql.h, and
 * shares the latter's obsv_matcher, obsv_match_op, obsv_conflict_policy and
 * obsv_string_list (it includes it).
 *
 * Example: scope a user's query to resource "r1" before relaying it.
 *
 *   obsv_matcher scope = {{"resource_id", 11}, OBSV_MATCH_EQUAL, {"r1", 2}};
 *   obsv_logql_injector* inj = NULL;
 *   obsv_error* err = NULL;
 *   if (obsv_logql_injector_new(&scope, 1, OBSV_CONFLICT_ERROR, 0, &inj, &err)
 *       != OBSV_OK) { ...; obsv_error_free(err); }
 *   char* scoped = NULL;
 *   size_t scoped_len = 0;
 *   if (obsv_logql_inject_query(inj, q, q_len, NULL, &scoped, &scoped_len,
 *                               &err) == OBSV_OK) {
 *     relay(scoped, scoped_len);  // {app="a", resource_id="r1"} |= "x"
 *     obsv_string_free(scoped);
 *   } else {
 *     reply_400(obsv_error_message(err));
 *     obsv_error_free(err);
 *   }
 *   obsv_logql_injector_free(inj);
 *
 * Errors: parse errors carry the parse codes of obsv/c_api.h with offset,
 * line and column (bytes); the message is Loki's ("parse error at line 1,
 * col 7: syntax error: ..."). A query refused by the scoping policy is
 * OBSV_ERR_PERMISSION_DENIED, positioned at the user's matcher or stage.
 * Invalid enforced matchers and template values are
 * OBSV_ERR_INVALID_ARGUMENT (positioned where there is a place).
 *
 * Thread safety: an injector is immutable and may be shared by threads.
 */
#ifndef OBSV_C_API_LOGQL_H_
#define OBSV_C_API_LOGQL_H_

#include "obsv/c_api.h"
#include "obsv/c_api_promql.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct obsv_logql_options {
  uint32_t max_query_bytes;     /* default 131071 (Loki's limit) */
  uint32_t max_depth;           /* height of the tree, default 256 */
  uint32_t max_nodes;           /* default 100000 */
  uint32_t max_selectors;       /* default 10000 */
  uint32_t max_pipeline_stages; /* per selector, default 1000 */
} obsv_logql_options;

/* Fills *options with the defaults. A NULL options argument anywhere below
 * means these defaults. */
OBSV_API void obsv_logql_options_init(obsv_logql_options* options);

/* Parses `query` and prints Loki's canonical String() form (what
 * /loki/api/v1/format_query returns). On success *out is a NUL-terminated
 * string of *out_len bytes (out_len may be NULL) freed with
 * obsv_string_free(). */
OBSV_API obsv_status obsv_logql_format_query(const char* query, size_t len,
                                             const obsv_logql_options* options, char** out,
                                             size_t* out_len, obsv_error** out_error);

/* Injector flags. */
typedef enum obsv_logql_inject_flag {
  /* Refuse pipelines (label_format, regexp/pattern/json/logfmt names,
   * drop/keep) and label_replace() calls that write or remove an enforced
   * label (see obsv/logql_scope.h). */
  OBSV_LOGQL_REFUSE_ENFORCED_LABEL_WRITES = 1u << 0
} obsv_logql_inject_flag;

typedef struct obsv_logql_injector obsv_logql_injector;

/* Creates an injector that appends the `count` enforced matchers to every
 * stream selector. The matchers are copied; names must be identifiers.
 * `flags` is an OR of obsv_logql_inject_flag. OBSV_ERR_INVALID_ARGUMENT for
 * an invalid set. Free with obsv_logql_injector_free(). */
OBSV_API obsv_status obsv_logql_injector_new(const obsv_matcher* enforced, size_t count,
                                             obsv_conflict_policy policy, uint32_t flags,
                                             obsv_logql_injector** out_injector,
                                             obsv_error** out_error);
/* Same, enforcing `label` to one of `values` (label="v" or label=~"v1|v2"). */
OBSV_API obsv_status obsv_logql_injector_new_for_values(
    const char* label, size_t label_len, const obsv_str* values, size_t count,
    obsv_conflict_policy policy, uint32_t flags, obsv_logql_injector** out_injector,
    obsv_error** out_error);
OBSV_API void obsv_logql_injector_free(obsv_logql_injector* injector);

/* Parses `query`, scopes every stream selector and prints the canonical
 * text (freed with obsv_string_free()). */
OBSV_API obsv_status obsv_logql_inject_query(const obsv_logql_injector* injector,
                                             const char* query, size_t len,
                                             const obsv_logql_options* options, char** out,
                                             size_t* out_len, obsv_error** out_error);

/* Scopes the `query` parameter of /loki/api/v1/labels,
 * /label/<name>/values, /index/stats, /index/volume(_range) and /patterns:
 * len == 0 (absent) gives `{enforced...}`; otherwise a stream selector, or
 * with allow_pipeline != 0 a log query. */
OBSV_API obsv_status obsv_logql_inject_selector(const obsv_logql_injector* injector,
                                                const char* query, size_t len,
                                                int allow_pipeline,
                                                const obsv_logql_options* options, char** out,
                                                size_t* out_len, obsv_error** out_error);

/* Scopes the match[] parameters of /loki/api/v1/series: each a stream
 * selector; count == 0 (absent) gives the single selector `{enforced...}`.
 * Errors name the element ("match[2]: 1:5: ..."). */
OBSV_API obsv_status obsv_logql_inject_selectors(const obsv_logql_injector* injector,
                                                 const obsv_str* match, size_t count,
                                                 const obsv_logql_options* options,
                                                 obsv_string_list** out_list,
                                                 obsv_error** out_error);

/* Expands the {{name}} placeholders of `tmpl` with names[i] -> values[i],
 * each escaped for the place it lands, and checks that the result parses
 * (see obsv/logql_template.h). *out is freed with obsv_string_free(). */
OBSV_API obsv_status obsv_logql_expand_template(const char* tmpl, size_t len,
                                                const obsv_str* names, const obsv_str* values,
                                                size_t count, const obsv_logql_options* options,
                                                char** out, size_t* out_len,
                                                obsv_error** out_error);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* OBSV_C_API_LOGQL_H_ */
