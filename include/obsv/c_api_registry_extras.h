/* obsv/c_api_registry_extras.h: the C ABI of the helpers around the
 * registry (obsv/process_collector.h, obsv/build_info.h,
 * obsv/request_metrics.h, obsv/http_exposition.h). Conventions as in
 * obsv/c_api_registry.h: (pointer, length) strings, statuses, out_error
 * objects freed with obsv_error_free(), *_free(NULL) is a no-op, every
 * entry point catches everything.
 *
 *   obsv_registry_add_process_collector(reg, NULL, NULL);
 *   obsv_build_info bi;
 *   obsv_build_info_init(&bi);
 *   bi.version = (obsv_str){"1.2.3", 5};
 *   obsv_register_build_info(reg, "myapp", 5, &bi, NULL);
 *
 *   obsv_request_metrics_options ro;
 *   obsv_request_metrics_options_init(&ro);
 *   ro.prefix = (obsv_str){"gateway", 7};
 *   ro.endpoint = (obsv_str){"api_v1_query", 12};
 *   obsv_request_metrics* query = NULL;
 *   obsv_request_metrics_new(reg, &ro, &query, NULL);
 *   obsv_request_metrics_observe(query, "GET", 3, 200, 0.012, 5120);  // per request
 *
 *   // In the /metrics handler:
 *   char* body; size_t len; const char* type; const char* encoding;
 *   if (obsv_registry_expose_http(reg, accept, accept_len, accept_encoding,
 *                                 accept_encoding_len, &body, &len, &type,
 *                                 &encoding, NULL) == OBSV_OK) {
 *     respond(200, type, encoding, body, len);  // encoding: "" or "gzip"
 *     obsv_string_free(body);
 *   }
 *
 * Thread safety: as obsv/c_api_registry.h: everything here is thread-safe,
 * except that obsv_request_metrics_free() must not overlap other uses of
 * that handle.
 */
#ifndef OBSV_C_API_REGISTRY_EXTRAS_H_
#define OBSV_C_API_REGISTRY_EXTRAS_H_

#include "obsv/c_api_registry.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Process collector (obsv::AddProcessCollector)                            */

typedef struct obsv_process_collector_options {
  /* Prepended with `_` to every name; empty (default): none. A legacy
   * metric name. */
  obsv_str name_prefix;
  /* Where proc(5) is mounted; empty (default): "/proc". */
  obsv_str proc_root;
  /* The collector's name in the registry; empty (default): "process". */
  obsv_str collector_name;
  /* Reuse a collection for this long; 0 (default): read at every expose. */
  int64_t cache_ttl_ms;
} obsv_process_collector_options;

/* Fills *options with the defaults (every field zero/empty). */
OBSV_API void obsv_process_collector_options_init(obsv_process_collector_options* options);

/* Adds the process collector (process_cpu_seconds_total, ...; see
 * obsv/process_collector.h) to the registry. `options` NULL: the defaults.
 * Errors: OBSV_ERR_INVALID_ARGUMENT (NULL registry, a bad name_prefix),
 * OBSV_ERR_ALREADY_EXISTS (a collector of that name). A /proc file that
 * cannot be read later only drops the families it feeds. */
OBSV_API obsv_status obsv_registry_add_process_collector(obsv_registry* registry,
                                                         const obsv_process_collector_options* options,
                                                         obsv_error** out_error);

/* ------------------------------------------------------------------------ */
/* Build info (obsv::RegisterBuildInfo)                                      */

typedef struct obsv_build_info {
  obsv_str version;
  obsv_str revision;
  obsv_str branch;
  obsv_str build_date;
  /* Empty (default): the compiler libobsv was built with. */
  obsv_str compiler;
  /* More labels after those five; may be NULL when the count is 0. */
  const obsv_label* extra_labels;
  size_t extra_label_count;
} obsv_build_info;

/* Fills *info with the defaults (every field zero/empty). */
OBSV_API void obsv_build_info_init(obsv_build_info* info);

/* Registers the gauge `<program>_build_info{version,revision,branch,
 * build_date,compiler,...} 1`. All strings are copied. Errors:
 * OBSV_ERR_INVALID_ARGUMENT (NULL arguments, `program` not a legacy metric
 * name, bad extra labels, the family registered with other labels). */
OBSV_API obsv_status obsv_register_build_info(obsv_registry* registry, const char* program,
                                              size_t program_len, const obsv_build_info* info,
                                              obsv_error** out_error);

/* ------------------------------------------------------------------------ */
/* Request metrics (obsv::RequestMetrics)                                    */

typedef struct obsv_request_metrics obsv_request_metrics;

typedef struct obsv_request_metrics_options {
  obsv_str prefix;   /* a legacy metric name, or empty */
  obsv_str endpoint; /* [a-zA-Z0-9_]+ */
  /* Upper bounds; NULL (default): .005 ... 10 s / 64 B ... 16 MiB. */
  const double* duration_buckets;
  size_t duration_bucket_count;
  const double* size_buckets;
  size_t size_bucket_count;
  const obsv_label* const_labels; /* may be NULL when the count is 0 */
  size_t const_label_count;
} obsv_request_metrics_options;

/* Fills *options with the defaults (every field zero/NULL). */
OBSV_API void obsv_request_metrics_options_init(obsv_request_metrics_options* options);

/* Registers <prefix>_<endpoint>_request_total{method,code},
 * _request_duration_seconds and _response_sizes (histograms) and returns a
 * handle, freed with obsv_request_metrics_free(), that must not outlive the
 * registry. Errors: OBSV_ERR_INVALID_ARGUMENT (NULL arguments, an invalid
 * endpoint or prefix, bad buckets, a clash with a registered family); the
 * message names the offending byte of an endpoint. */
OBSV_API obsv_status obsv_request_metrics_new(obsv_registry* registry,
                                              const obsv_request_metrics_options* options,
                                              obsv_request_metrics** out_metrics,
                                              obsv_error** out_error);
/* Records one finished request: `method` (any case; unknown methods count
 * as "OTHER"), the status `code` (outside 100..599: "unknown"), its
 * duration in seconds and response size in bytes. Lock-free and
 * allocation-free once the (method, code) pair has been seen. NULL
 * metrics: no-op. */
OBSV_API void obsv_request_metrics_observe(const obsv_request_metrics* metrics, const char* method,
                                           size_t method_len, int code, double duration_seconds,
                                           double response_bytes);
OBSV_API void obsv_request_metrics_free(obsv_request_metrics* metrics);

/* ------------------------------------------------------------------------ */
/* HTTP exposition with gzip (obsv::ExposeHttp)                              */

/* 1 if an Accept-Encoding header accepts gzip (q-values honoured, see
 * obsv::AcceptsGzip()), else 0. `header` may be NULL when len is 0. */
OBSV_API int obsv_accepts_gzip(const char* header, size_t len);

/* Negotiates the format from `accept` and the encoding from
 * `accept_encoding` (either may be NULL when its length is 0) and exposes
 * the registry, gzip-compressed (level 1) when accepted. On success *out is
 * a malloc'd buffer of *out_len bytes (NUL-terminated, though gzip data may
 * hold NULs) freed with obsv_string_free(); *out_content_type and
 * *out_content_encoding ("" or "gzip") are static NUL-terminated strings
 * (either out pointer may be NULL). Errors: as obsv_registry_expose(). */
OBSV_API obsv_status obsv_registry_expose_http(const obsv_registry* registry, const char* accept,
                                               size_t accept_len, const char* accept_encoding,
                                               size_t accept_encoding_len, char** out, size_t* out_len,
                                               const char** out_content_type,
                                               const char** out_content_encoding,
                                               obsv_error** out_error);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* OBSV_C_API_REGISTRY_EXTRAS_H_ */
