/* obsv/c_api_registry.h: the C ABI of obsv's metrics registry: register
 * families, resolve series to handles, update them on the hot path, add
 * collectors as C callbacks, and write the registry as Prometheus text 0.0.4
 * or OpenMetrics 1.0. The C++ manual is obsv/registry.h and obsv/metrics.h;
 * this header follows the conventions of obsv/c_api.h ((pointer, length)
 * strings, statuses, out_error objects, *_free(NULL) is a no-op), with one
 * difference: series handles are small structs passed by value, as in C++.
 *
 * Example: count requests and serve /metrics.
 *
 *   obsv_registry* reg = NULL;
 *   obsv_registry_new(NULL, &reg, NULL);
 *   obsv_metric_options o;
 *   obsv_metric_options_init(&o);
 *   obsv_str labels[] = {{"method", 6}, {"code", 4}};
 *   o.name = (obsv_str){"http_requests", 13};
 *   o.help = (obsv_str){"Requests served.", 16};
 *   o.label_names = labels;
 *   o.label_name_count = 2;
 *   obsv_counter_family* requests = NULL;
 *   obsv_error* err = NULL;
 *   if (obsv_registry_counter(reg, &o, &requests, &err) != OBSV_OK) {...}
 *   obsv_str values[] = {{"GET", 3}, {"200", 3}};
 *   obsv_counter ok;
 *   obsv_counter_family_with_labels(requests, values, 2, &ok, NULL);
 *   obsv_counter_inc(ok);  // a few ns: keep `ok` for the hot path
 *
 *   // In the HTTP handler:
 *   obsv_format f;
 *   const char* content_type;
 *   obsv_negotiate_format(accept, accept_len, &f, &content_type);
 *   char* body;
 *   size_t body_len;
 *   if (obsv_registry_expose(reg, f, &body, &body_len, NULL) == OBSV_OK) {
 *     respond(200, content_type, body, body_len);
 *     obsv_string_free(body);
 *   }
 *   obsv_registry_free(reg);
 *
 * Lifetimes:
 * - A family pointer (obsv_counter_family*, ...) is borrowed from its
 *   registry: valid until obsv_registry_unregister() of its name or
 *   obsv_registry_free(). Registering the same family again returns the
 *   same pointer.
 * - A series handle (obsv_counter, ...) is a value of two words; copy it
 *   freely. It stays valid while its series exists, and for the registry's
 *   retire_grace_ms after the series is removed (obsv_*_family_remove(),
 *   _clear(), idle expiry, obsv_registry_unregister()); updates made in that
 *   grace are lost. Using a handle after the grace, or after
 *   obsv_registry_free(), is undefined behaviour. A zero-initialised handle
 *   is empty: every update on it is a no-op and every read gives 0.
 *
 * Errors: OBSV_ERR_INVALID_ARGUMENT (NULL arguments, an invalid name, labels
 * or layout, a family registered again with another shape, the wrong number
 * of label values), OBSV_ERR_LIMIT_EXCEEDED (a family's max_series with
 * OBSV_OVERFLOW_REFUSE), OBSV_ERR_NOT_FOUND, OBSV_ERR_ALREADY_EXISTS (a
 * collector name), OBSV_ERR_BUFFER_TOO_SMALL (obsv_registry_expose_into()).
 * The message of an out_error is the C++ one.
 *
 * Thread safety: unlike the rest of the C ABI, a registry, its families and
 * its handles are thread-safe: any function of this header may be called
 * from any thread at any time, except obsv_registry_free(), which must not
 * overlap any other use of that registry.
 */
#ifndef OBSV_C_API_REGISTRY_H_
#define OBSV_C_API_REGISTRY_H_

#include "obsv/c_api.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Registry                                                                  */

typedef struct obsv_registry obsv_registry;

typedef struct obsv_registry_options {
  /* Refuse metric and label names outside the legacy charsets (Prometheus
   * 2). 0 (default): any valid UTF-8 name, written quoted when not legacy. */
  int legacy_names_only;
  /* How long a removed series' memory stays valid for handles still held.
   * Default 600000 (10 minutes); negative: never freed before the registry. */
  int64_t retire_grace_ms;
} obsv_registry_options;

/* Fills *options with the defaults. */
OBSV_API void obsv_registry_options_init(obsv_registry_options* options);

/* Creates a registry (options NULL: the defaults), freed with
 * obsv_registry_free(). */
OBSV_API obsv_status obsv_registry_new(const obsv_registry_options* options,
                                       obsv_registry** out_registry,
                                       obsv_error** out_error);
/* Frees the registry, its families and series, and its collectors (calling
 * their destroy functions). Every family pointer and handle of it becomes
 * invalid. Must not overlap any other call on the registry. */
OBSV_API void obsv_registry_free(obsv_registry* registry);

/* The number of registered families (collectors' not included). */
OBSV_API size_t obsv_registry_family_count(const obsv_registry* registry);

/* Removes the family `name` (as registered: without `_total`/`_info`) and
 * all its series; its family pointer becomes invalid at once, its handles
 * after retire_grace_ms. OBSV_ERR_NOT_FOUND if absent. */
OBSV_API obsv_status obsv_registry_unregister(obsv_registry* registry,
                                              const char* name, size_t len,
                                              obsv_error** out_error);

/* Removes the series idle for longer than their family's idle_ttl_ms and
 * frees retired series past retire_grace_ms (every expose does this too).
 * Returns how many series were removed; 0 for a NULL registry. */
OBSV_API size_t obsv_registry_expire_idle(const obsv_registry* registry);

/* ------------------------------------------------------------------------ */
/* Registering families                                                      */

typedef enum obsv_overflow_policy {
  /* Beyond max_series, with_labels() fails with OBSV_ERR_LIMIT_EXCEEDED. */
  OBSV_OVERFLOW_REFUSE = 0,
  /* Beyond max_series, with_labels() returns the family's overflow series,
   * whose every label value is overflow_label_value. */
  OBSV_OVERFLOW_SERIES = 1
} obsv_overflow_policy;

/* Describes a family (obsv::MetricOptions). All strings and arrays are
 * copied: they need not outlive the call. */
typedef struct obsv_metric_options {
  /* A legacy name, or any UTF-8 unless legacy_names_only. Counters may be
   * named with or without `_total`, info families with or without `_info`;
   * the family is named without. */
  obsv_str name;
  obsv_str help; /* any UTF-8 */
  obsv_str unit; /* OpenMetrics `# UNIT`; if set, name must end in _<unit> */
  /* The label names of every series, in the order with_labels() takes the
   * values. May be NULL when label_name_count is 0. */
  const obsv_str* label_names;
  size_t label_name_count;
  /* Labels every series carries, written first. May be NULL when 0. */
  const obsv_label* const_labels;
  size_t const_label_count;
  /* At most this many series (0, the default: unlimited); beyond it,
   * `overflow` decides. Either way the registry counts the event in
   * obsv_registry_series_limit_hits_total{family="<name>"}. */
  uint64_t max_series;
  obsv_overflow_policy overflow;  /* OBSV_OVERFLOW_REFUSE by default */
  obsv_str overflow_label_value;  /* empty (default): "__overflow__" */
  /* Series unchanged and not looked up for longer than this are removed by
   * the next expose. 0 (default): never. */
  int64_t idle_ttl_ms;
} obsv_metric_options;

/* Fills *options with the defaults (every field zero/empty). */
OBSV_API void obsv_metric_options_init(obsv_metric_options* options);

/* Summary quantiles over a sliding window (obsv::SummaryOptions). */
typedef struct obsv_summary_options {
  /* Each in [0, 1]. NULL: the default 0.5, 0.9, 0.99; non-NULL with count
   * 0: no quantiles (only _count and _sum). Copied. */
  const double* quantiles;
  size_t quantile_count;
  int64_t max_age_ms;              /* default 600000 (10 minutes) */
  int32_t age_buckets;             /* default 5 */
  uint64_t max_samples_per_bucket; /* default 500 */
} obsv_summary_options;

/* Fills *options with the defaults. */
OBSV_API void obsv_summary_options_init(obsv_summary_options* options);

/* The family kinds; borrowed pointers (see Lifetimes above). */
typedef struct obsv_counter_family obsv_counter_family;
typedef struct obsv_gauge_family obsv_gauge_family;
typedef struct obsv_histogram_family obsv_histogram_family;
typedef struct obsv_summary_family obsv_summary_family;
typedef struct obsv_info_family obsv_info_family;
typedef struct obsv_stateset_family obsv_stateset_family;
typedef struct obsv_gauge_histogram_family obsv_gauge_histogram_family;

/* A native histogram (obsv::NativeHistogramOptions: sparse exponential
 * buckets, written only in OBSV_FORMAT_PROTOBUF; text and OpenMetrics see
 * its classic buckets). */
typedef struct obsv_native_histogram_options {
  /* Largest growth factor between bucket bounds, > 1: picks the schema
   * (-4..8). Default 1.1 (schema 3). */
  double bucket_factor;
  /* |v| at most this goes to the zero bucket. Default 2^-128; 0: exact
   * zeros only. */
  double zero_threshold;
  /* Populated buckets beyond which the histogram is reduced (reset after
   * min_reset_duration_ms, else widen the zero bucket up to
   * max_zero_threshold, else halve the resolution). Default 160; 0: no
   * limit. */
  uint32_t max_buckets;
  int64_t min_reset_duration_ms; /* default 0: never reset */
  double max_zero_threshold;     /* default 0 */
} obsv_native_histogram_options;

/* Fills *options with the defaults. */
OBSV_API void obsv_native_histogram_options_init(obsv_native_histogram_options* options);

/* Registers a family, or returns the one of that name if it has the same
 * type, label names, const labels and (histograms, summaries, statesets)
 * buckets, quantiles and states; help, unit and limits of the later call
 * are then ignored. OBSV_ERR_INVALID_ARGUMENT otherwise (see
 * obsv::Registry::AddCounter()). *out_family is borrowed from the registry. */
OBSV_API obsv_status obsv_registry_counter(obsv_registry* registry,
                                           const obsv_metric_options* options,
                                           obsv_counter_family** out_family,
                                           obsv_error** out_error);
OBSV_API obsv_status obsv_registry_gauge(obsv_registry* registry,
                                         const obsv_metric_options* options,
                                         obsv_gauge_family** out_family,
                                         obsv_error** out_error);
/* `buckets`: upper bounds, strictly increasing, +Inf appended if absent;
 * NULL: the Prometheus default buckets (.005 ... 10); non-NULL with count 0:
 * the +Inf bucket only. At most 253 bounds. */
OBSV_API obsv_status obsv_registry_histogram(obsv_registry* registry,
                                             const obsv_metric_options* options,
                                             const double* buckets, size_t count,
                                             obsv_histogram_family** out_family,
                                             obsv_error** out_error);
/* A native histogram family (handles are obsv_histogram). `native` NULL:
 * the defaults of obsv_native_histogram_options_init(). `buckets`: classic
 * buckets alongside, as obsv_registry_histogram() except that NULL means
 * none (only the +Inf bucket). OBSV_ERR_INVALID_ARGUMENT for a
 * bucket_factor <= 1 or not finite, a negative or NaN threshold, a
 * negative min_reset_duration_ms, and as obsv_registry_histogram(). */
OBSV_API obsv_status obsv_registry_native_histogram(obsv_registry* registry,
                                                    const obsv_metric_options* options,
                                                    const obsv_native_histogram_options* native,
                                                    const double* buckets, size_t count,
                                                    obsv_histogram_family** out_family,
                                                    obsv_error** out_error);
/* A gauge histogram (OpenMetrics gaugehistogram: _bucket, _gcount, _gsum).
 * `buckets` as obsv_registry_histogram(). */
OBSV_API obsv_status obsv_registry_gauge_histogram(obsv_registry* registry,
                                                   const obsv_metric_options* options,
                                                   const double* buckets, size_t count,
                                                   obsv_gauge_histogram_family** out_family,
                                                   obsv_error** out_error);
/* `summary` NULL: the defaults of obsv_summary_options_init(). */
OBSV_API obsv_status obsv_registry_summary(obsv_registry* registry,
                                           const obsv_metric_options* options,
                                           const obsv_summary_options* summary,
                                           obsv_summary_family** out_family,
                                           obsv_error** out_error);
/* Written `<name>_info{...} 1`: the label values are the information. */
OBSV_API obsv_status obsv_registry_info(obsv_registry* registry,
                                        const obsv_metric_options* options,
                                        obsv_info_family** out_family,
                                        obsv_error** out_error);
/* 1 to 64 distinct states; written `<name>{...,<name>="<state>"} 1|0`. */
OBSV_API obsv_status obsv_registry_stateset(obsv_registry* registry,
                                            const obsv_metric_options* options,
                                            const obsv_str* states, size_t count,
                                            obsv_stateset_family** out_family,
                                            obsv_error** out_error);

/* ------------------------------------------------------------------------ */
/* Series: resolving label values to handles                                 */

/* Series handles: opaque values (see Lifetimes above). */
typedef struct obsv_counter {
  void* opaque[2];
} obsv_counter;
typedef struct obsv_gauge {
  void* opaque[2];
} obsv_gauge;
typedef struct obsv_histogram {
  void* opaque[2];
} obsv_histogram;
typedef struct obsv_summary {
  void* opaque[2];
} obsv_summary;
typedef struct obsv_info {
  void* opaque[2];
} obsv_info;
typedef struct obsv_stateset {
  void* opaque[2];
} obsv_stateset;
typedef struct obsv_gauge_histogram {
  void* opaque[2];
} obsv_gauge_histogram;

/* For each family kind:
 *
 * _with_labels: the series with these `count` label values (in label_names
 *   order; values may be NULL when count is 0), created if absent, into
 *   *out_handle (emptied on failure). Errors: OBSV_ERR_INVALID_ARGUMENT for
 *   the wrong number of values or a value that is not UTF-8;
 *   OBSV_ERR_LIMIT_EXCEEDED at max_series with OBSV_OVERFLOW_REFUSE. Cost
 *   for an existing series: a hash and a lock-free probe, no allocation; so
 *   resolve once and keep the handle where it matters. For an info family,
 *   creating the series is what sets the information.
 * _get: as _with_labels but never creates: OBSV_ERR_NOT_FOUND when absent.
 * _remove: removes one series (its handles are retired, see Lifetimes);
 *   OBSV_ERR_NOT_FOUND if it did not exist.
 * _clear: removes every series.
 * _size: the number of series (the overflow series included); 0 for NULL.
 */
OBSV_API obsv_status obsv_counter_family_with_labels(const obsv_counter_family* family,
                                                     const obsv_str* values, size_t count,
                                                     obsv_counter* out_handle,
                                                     obsv_error** out_error);
OBSV_API obsv_status obsv_counter_family_get(const obsv_counter_family* family,
                                             const obsv_str* values, size_t count,
                                             obsv_counter* out_handle,
                                             obsv_error** out_error);
OBSV_API obsv_status obsv_counter_family_remove(const obsv_counter_family* family,
                                                const obsv_str* values, size_t count);
OBSV_API void obsv_counter_family_clear(const obsv_counter_family* family);
OBSV_API size_t obsv_counter_family_size(const obsv_counter_family* family);

OBSV_API obsv_status obsv_gauge_family_with_labels(const obsv_gauge_family* family,
                                                   const obsv_str* values, size_t count,
                                                   obsv_gauge* out_handle,
                                                   obsv_error** out_error);
OBSV_API obsv_status obsv_gauge_family_get(const obsv_gauge_family* family,
                                           const obsv_str* values, size_t count,
                                           obsv_gauge* out_handle,
                                           obsv_error** out_error);
OBSV_API obsv_status obsv_gauge_family_remove(const obsv_gauge_family* family,
                                              const obsv_str* values, size_t count);
OBSV_API void obsv_gauge_family_clear(const obsv_gauge_family* family);
OBSV_API size_t obsv_gauge_family_size(const obsv_gauge_family* family);

OBSV_API obsv_status obsv_histogram_family_with_labels(const obsv_histogram_family* family,
                                                       const obsv_str* values, size_t count,
                                                       obsv_histogram* out_handle,
                                                       obsv_error** out_error);
OBSV_API obsv_status obsv_histogram_family_get(const obsv_histogram_family* family,
                                               const obsv_str* values, size_t count,
                                               obsv_histogram* out_handle,
                                               obsv_error** out_error);
OBSV_API obsv_status obsv_histogram_family_remove(const obsv_histogram_family* family,
                                                  const obsv_str* values, size_t count);
OBSV_API void obsv_histogram_family_clear(const obsv_histogram_family* family);
OBSV_API size_t obsv_histogram_family_size(const obsv_histogram_family* family);

OBSV_API obsv_status obsv_summary_family_with_labels(const obsv_summary_family* family,
                                                     const obsv_str* values, size_t count,
                                                     obsv_summary* out_handle,
                                                     obsv_error** out_error);
OBSV_API obsv_status obsv_summary_family_get(const obsv_summary_family* family,
                                             const obsv_str* values, size_t count,
                                             obsv_summary* out_handle,
                                             obsv_error** out_error);
OBSV_API obsv_status obsv_summary_family_remove(const obsv_summary_family* family,
                                                const obsv_str* values, size_t count);
OBSV_API void obsv_summary_family_clear(const obsv_summary_family* family);
OBSV_API size_t obsv_summary_family_size(const obsv_summary_family* family);

OBSV_API obsv_status obsv_info_family_with_labels(const obsv_info_family* family,
                                                  const obsv_str* values, size_t count,
                                                  obsv_info* out_handle,
                                                  obsv_error** out_error);
OBSV_API obsv_status obsv_info_family_get(const obsv_info_family* family,
                                          const obsv_str* values, size_t count,
                                          obsv_info* out_handle,
                                          obsv_error** out_error);
OBSV_API obsv_status obsv_info_family_remove(const obsv_info_family* family,
                                             const obsv_str* values, size_t count);
OBSV_API void obsv_info_family_clear(const obsv_info_family* family);
OBSV_API size_t obsv_info_family_size(const obsv_info_family* family);

OBSV_API obsv_status obsv_stateset_family_with_labels(const obsv_stateset_family* family,
                                                      const obsv_str* values, size_t count,
                                                      obsv_stateset* out_handle,
                                                      obsv_error** out_error);
OBSV_API obsv_status obsv_stateset_family_get(const obsv_stateset_family* family,
                                              const obsv_str* values, size_t count,
                                              obsv_stateset* out_handle,
                                              obsv_error** out_error);
OBSV_API obsv_status obsv_stateset_family_remove(const obsv_stateset_family* family,
                                                 const obsv_str* values, size_t count);
OBSV_API void obsv_stateset_family_clear(const obsv_stateset_family* family);
OBSV_API size_t obsv_stateset_family_size(const obsv_stateset_family* family);

OBSV_API obsv_status obsv_gauge_histogram_family_with_labels(
    const obsv_gauge_histogram_family* family, const obsv_str* values, size_t count,
    obsv_gauge_histogram* out_handle, obsv_error** out_error);
OBSV_API obsv_status obsv_gauge_histogram_family_get(const obsv_gauge_histogram_family* family,
                                                     const obsv_str* values, size_t count,
                                                     obsv_gauge_histogram* out_handle,
                                                     obsv_error** out_error);
OBSV_API obsv_status obsv_gauge_histogram_family_remove(const obsv_gauge_histogram_family* family,
                                                        const obsv_str* values, size_t count);
OBSV_API void obsv_gauge_histogram_family_clear(const obsv_gauge_histogram_family* family);
OBSV_API size_t obsv_gauge_histogram_family_size(const obsv_gauge_histogram_family* family);

/* ------------------------------------------------------------------------ */
/* Updating series: the hot path. No locks, no allocation, no status.        */

/* Counters only go up: obsv_counter_add() ignores a negative or NaN v.
 * Integer increments (inc, inc_by) stay exact past 2^53. */
OBSV_API void obsv_counter_inc(obsv_counter counter);
OBSV_API void obsv_counter_inc_by(obsv_counter counter, uint64_t n);
OBSV_API void obsv_counter_add(obsv_counter counter, double v);
/* The current total, folded over every thread's cells. */
OBSV_API double obsv_counter_value(obsv_counter counter);

OBSV_API void obsv_gauge_set(obsv_gauge gauge, double v);
OBSV_API void obsv_gauge_inc(obsv_gauge gauge);
OBSV_API void obsv_gauge_dec(obsv_gauge gauge);
OBSV_API void obsv_gauge_add(obsv_gauge gauge, double v);
/* Sets the gauge to the current Unix time in seconds. */
OBSV_API void obsv_gauge_set_to_current_time(obsv_gauge gauge);
OBSV_API double obsv_gauge_value(obsv_gauge gauge);

/* NaN is counted in the +Inf bucket and makes the sum NaN. */
OBSV_API void obsv_histogram_observe(obsv_histogram histogram, double v);
/* A consistent count and sum (of the same observations); either out
 * parameter may be NULL. */
OBSV_API void obsv_histogram_read(obsv_histogram histogram, uint64_t* out_count,
                                  double* out_sum);

/* A native histogram's state; returns 0 (and leaves the out parameters
 * alone) for a classic histogram or an empty handle, 1 otherwise. Any out
 * parameter may be NULL. The bucket counts are the numbers of populated
 * positive and negative buckets. */
OBSV_API int obsv_histogram_read_native(obsv_histogram histogram, int32_t* out_schema,
                                        double* out_zero_threshold, uint64_t* out_zero_count,
                                        size_t* out_positive_buckets, size_t* out_negative_buckets);

/* One native bucket: its index at the histogram's schema (bucket i covers
 * (2^((i-1)*2^-schema), 2^(i*2^-schema)] of |v|) and its count (> 0). */
typedef struct obsv_native_bucket {
  int32_t index;
  uint64_t count;
} obsv_native_bucket;

/* A native histogram series as obsv_histogram_read_native_buckets() reads
 * it: count == zero_count + every bucket's count. */
typedef struct obsv_native_histogram_state {
  int32_t schema; /* -4..8 */
  double zero_threshold;
  uint64_t zero_count;
  uint64_t count;
  double sum;
  /* The buckets on each side: written, or needed (OBSV_ERR_BUFFER_TOO_SMALL). */
  size_t positive_count;
  size_t negative_count;
} obsv_native_histogram_state;

/* A native histogram series with its buckets, from one consistent snapshot
 * (what the protobuf exposition writes, and obsv::Registry::Collect()'s
 * Sample::native): fills *out_state and writes the positive and negative
 * buckets, by ascending index, into the caller's arrays of
 * positive_capacity and negative_capacity entries (each may be NULL when
 * its capacity is 0). OBSV_ERR_BUFFER_TOO_SMALL when a side has more
 * buckets than its capacity: *out_state is still filled (its
 * positive_count and negative_count are what is needed) and the arrays
 * are left alone; the series keeps changing, so retry with room to spare
 * (a bucket limit bounds the total, obsv_native_histogram_options'
 * max_buckets). OBSV_ERR_INVALID_ARGUMENT for NULL out_state, an array
 * NULL with a capacity, an empty handle or a classic histogram. Takes
 * the series' mutex, as a scrape does; allocates a copy of the buckets. */
OBSV_API obsv_status obsv_histogram_read_native_buckets(obsv_histogram histogram,
                                                        obsv_native_histogram_state* out_state,
                                                        obsv_native_bucket* positive, size_t positive_capacity,
                                                        obsv_native_bucket* negative, size_t negative_capacity,
                                                        obsv_error** out_error);

/* Exemplars (written in OpenMetrics and protobuf only, never in text):
 * the update, and `labels` (copied) kept as the series' exemplar (counters)
 * or the exemplar of the classic bucket v falls into (histograms), with the
 * increment or v as its value and the current time. Not for the hottest
 * paths: a lock and a copy. Errors (nothing recorded):
 * OBSV_ERR_INVALID_ARGUMENT for labels longer than 128 UTF-8 characters
 * (names and values together, OpenMetrics' limit), an invalid or duplicate
 * label name, a value that is not UTF-8, a negative or NaN counter v, an
 * empty handle, NULL labels with count > 0. */
OBSV_API obsv_status obsv_counter_inc_with_exemplar(obsv_counter counter, uint64_t n,
                                                    const obsv_label* labels, size_t count,
                                                    obsv_error** out_error);
OBSV_API obsv_status obsv_counter_add_with_exemplar(obsv_counter counter, double v,
                                                    const obsv_label* labels, size_t count,
                                                    obsv_error** out_error);
OBSV_API obsv_status obsv_histogram_observe_with_exemplar(obsv_histogram histogram, double v,
                                                          const obsv_label* labels, size_t count,
                                                          obsv_error** out_error);

/* Adds n (negative: takes observations out) to v's bucket and n*v to the
 * sum. Lock-free. */
OBSV_API void obsv_gauge_histogram_observe(obsv_gauge_histogram histogram, double v, int64_t n);
/* A consistent gcount and gsum; either may be NULL. */
OBSV_API void obsv_gauge_histogram_read(obsv_gauge_histogram histogram, int64_t* out_gcount,
                                        double* out_gsum);

/* Takes the series' mutex: summaries are not a hot-path type. */
OBSV_API void obsv_summary_observe(obsv_summary summary, double v);

/* Sets one state (value 0 or not 0) / sets `state` and clears every other
 * one. OBSV_ERR_NOT_FOUND for a state the family did not declare,
 * OBSV_ERR_INVALID_ARGUMENT for an empty handle. */
OBSV_API obsv_status obsv_stateset_set(obsv_stateset stateset, const char* state,
                                       size_t len, int value);
OBSV_API obsv_status obsv_stateset_set_only(obsv_stateset stateset, const char* state,
                                            size_t len);
/* 1 if `state` is set; 0 if not, or not a state of the family. */
OBSV_API int obsv_stateset_get(obsv_stateset stateset, const char* state, size_t len);

/* ------------------------------------------------------------------------ */
/* Collectors: families produced by a C callback at scrape time              */

/* Where a collector puts its families; valid only during the callback. */
typedef struct obsv_family_sink obsv_family_sink;

/* Called on the scraping thread, possibly concurrently with itself when
 * scrapes overlap. Adds families with obsv_family_sink_begin() and samples
 * with obsv_family_sink_add_sample()/_add_value(). Returning anything but
 * OBSV_OK drops what it added: the collector then contributes nothing to
 * that scrape (nor, with a cache TTL, to the scrapes the cache serves). */
typedef obsv_status (*obsv_collect_fn)(void* user_data, obsv_family_sink* sink);
/* Releases user_data; called once, when the collector is removed or the
 * registry freed and no scrape is running it any more (on whichever thread
 * let go of it last). */
typedef void (*obsv_destroy_fn)(void* user_data);

/* Adds a collector under a unique name (OBSV_ERR_ALREADY_EXISTS otherwise).
 * With cache_ttl_ms > 0, a scrape within cache_ttl_ms of the collector's
 * last run reuses its last result instead of calling it. `destroy` may be
 * NULL. On success the registry owns user_data (through destroy); on
 * failure destroy is not called and user_data stays the caller's. */
OBSV_API obsv_status obsv_registry_add_collector(obsv_registry* registry,
                                                 const char* name, size_t len,
                                                 obsv_collect_fn collect,
                                                 void* user_data,
                                                 obsv_destroy_fn destroy,
                                                 int64_t cache_ttl_ms,
                                                 obsv_error** out_error);
/* Removes a collector (OBSV_ERR_NOT_FOUND if absent). A scrape running it
 * finishes with it; destroy runs after that. */
OBSV_API obsv_status obsv_registry_remove_collector(obsv_registry* registry,
                                                    const char* name, size_t len,
                                                    obsv_error** out_error);

/* Starts a family in the sink; the samples added next belong to it. The
 * strings are copied. A counter may be named with or without `_total`.
 * `help` with a NULL data pointer: no HELP line; `unit` may be empty.
 * Names and samples are checked when the registry writes them: a family
 * that cannot be written makes that expose fail with
 * OBSV_ERR_INVALID_ARGUMENT. */
OBSV_API obsv_status obsv_family_sink_begin(obsv_family_sink* sink, obsv_str name,
                                            obsv_metric_type type, obsv_str help,
                                            obsv_str unit);
/* Adds a sample (full sample name: "x_total", "x_bucket", ...) to the
 * current family, as obsv_writer_add_sample(). OBSV_ERR_FAILED_PRECONDITION
 * before any obsv_family_sink_begin(). */
OBSV_API obsv_status obsv_family_sink_add_sample(obsv_family_sink* sink,
                                                 const obsv_sample* sample);
/* Shorthand: a sample with a name, labels and a value. */
OBSV_API obsv_status obsv_family_sink_add_value(obsv_family_sink* sink, obsv_str name,
                                                const obsv_label* labels, size_t count,
                                                double value);

/* ------------------------------------------------------------------------ */
/* Exposition                                                                */

/* Writes the whole registry in `format` (TEXT, OPENMETRICS, which ends
 * with `# EOF`, or PROTOBUF, binary: length-delimited
 * io.prometheus.client.MetricFamily messages that may contain NUL bytes, so
 * use *out_len; the one format with native histograms): registered families and collectors' families together,
 * sorted by name, byte for byte the same for the same state. Runs the
 * collectors (or their caches) and idle expiry. On success *out is a
 * NUL-terminated string of *out_len bytes (out_len may be NULL) that the
 * caller frees with obsv_string_free(). Errors: OBSV_ERR_INVALID_ARGUMENT
 * for a bad format or a collector family that cannot be written (or that a
 * registered family's name already uses). Cost: linear in the output. */
OBSV_API obsv_status obsv_registry_expose(const obsv_registry* registry,
                                          obsv_format format, char** out,
                                          size_t* out_len, obsv_error** out_error);
/* As obsv_registry_expose(), into the caller's buffer of `capacity` bytes
 * (no NUL is written). On success *out_needed is the length written. If
 * the exposition is longer than `capacity`, returns
 * OBSV_ERR_BUFFER_TOO_SMALL with *out_needed the length it needs and the
 * buffer untouched; as the registry keeps changing, call again with some
 * room to spare. `buffer` may be NULL when `capacity` is 0 (to ask the
 * size). Reuses a per-thread scratch string: no allocation in the steady
 * state. */
OBSV_API obsv_status obsv_registry_expose_into(const obsv_registry* registry,
                                               obsv_format format, char* buffer,
                                               size_t capacity, size_t* out_needed,
                                               obsv_error** out_error);

/* Chooses the format for an HTTP `Accept` header, as client_golang's
 * expfmt.Negotiate (see obsv::NegotiateFormat(); OBSV_FORMAT_PROTOBUF when
 * the header prefers delimited protobuf, as Prometheus does with native
 * histograms enabled); `accept` may be NULL
 * when len is 0 (no header: text). *out_content_type (may be NULL) is the
 * Content-Type to respond with, NUL-terminated, static storage.
 * OBSV_ERR_INVALID_ARGUMENT only for NULL arguments; never fails otherwise. */
OBSV_API obsv_status obsv_negotiate_format(const char* accept, size_t len,
                                           obsv_format* out_format,
                                           const char** out_content_type);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* OBSV_C_API_REGISTRY_H_ */
