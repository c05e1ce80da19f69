/* obsv/c_api.h: the stable C ABI of obsv, for C, Go (cgo), Rust and any
 * language with a C FFI.
 *
 * Conventions (as in tree-sitter and DuckDB):
 * - Objects are opaque handles: obsv_<object>_new() creates, obsv_<object>_free()
 *   destroys; every *_free(NULL) is a no-op.
 * - Strings go in as (pointer, length) pairs and need no NUL; strings come out
 *   as obsv_str views whose lifetime each function states.
 * - Fallible functions return an obsv_status; OBSV_OK is 0. No C++ exception
 *   ever crosses this boundary: every entry point catches everything and maps
 *   it to a status (OBSV_ERR_OUT_OF_MEMORY, OBSV_ERR_INTERNAL).
 * - Where a function can fail with details, it takes an `obsv_error** out_error`
 *   (may be NULL). On failure *out_error receives an error the caller frees
 *   with obsv_error_free(); on success it is set to NULL.
 * - Thread safety: distinct handles may be used from distinct threads; one
 *   handle must not be used from two threads at once.
 *
 * Example: count the samples of a body.
 *
 *   obsv_parser* p = NULL;
 *   if (obsv_parser_new(NULL, &p, NULL) != OBSV_OK) return -1;
 *   obsv_parser_reset(p, body, body_len);
 *   size_t samples = 0;
 *   obsv_entry e;
 *   while ((e = obsv_parser_next(p)) != OBSV_ENTRY_END) {
 *     if (e == OBSV_ENTRY_ERROR) {
 *       const obsv_error* err = obsv_parser_error(p);
 *       fprintf(stderr, "%u:%u: %s\n", obsv_error_line(err),
 *               obsv_error_column(err), obsv_error_message(err));
 *       break;
 *     }
 *     if (e == OBSV_ENTRY_SAMPLE) ++samples;
 *   }
 *   obsv_parser_free(p);
 */
#ifndef OBSV_C_API_H_
#define OBSV_C_API_H_

#include <stddef.h>
#include <stdint.h>

#include "obsv/version.h"

#ifndef OBSV_API
#if defined(_WIN32)
#define OBSV_API __declspec(dllexport)
#else
#define OBSV_API __attribute__((visibility("default")))
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Basics                                                                    */

/* A view of bytes owned by someone else; not NUL-terminated. */
typedef struct obsv_str {
  const char* data;
  size_t size;
} obsv_str;

/* Status codes. 1..99 are parse error codes (same numbers as the C++
 * obsv::ParseErrorCode); 100 and up are API-level failures. */
typedef enum obsv_status {
  OBSV_OK = 0,
  OBSV_ERR_SYNTAX = 1,
  OBSV_ERR_INVALID_NAME = 2,
  OBSV_ERR_INVALID_ESCAPE = 3,
  OBSV_ERR_UNTERMINATED_STRING = 4,
  OBSV_ERR_DUPLICATE_LABEL = 5,
  OBSV_ERR_INVALID_VALUE = 6,
  OBSV_ERR_INVALID_TIMESTAMP = 7,
  OBSV_ERR_INVALID_EXEMPLAR = 8,
  OBSV_ERR_INVALID_METADATA = 9,
  OBSV_ERR_DUPLICATE_METADATA = 10,
  OBSV_ERR_INTERLEAVED_FAMILY = 11,
  OBSV_ERR_METADATA_AFTER_SAMPLES = 12,
  OBSV_ERR_INVALID_SUFFIX = 13,
  OBSV_ERR_INVALID_HISTOGRAM = 14,
  OBSV_ERR_INVALID_LABEL_VALUE = 15,
  OBSV_ERR_MISSING_EOF = 16,
  OBSV_ERR_CONTENT_AFTER_EOF = 17,
  OBSV_ERR_BLANK_LINE = 18,
  OBSV_ERR_NUL_BYTE = 19,
  OBSV_ERR_INVALID_UTF8 = 20,
  OBSV_ERR_LIMIT_EXCEEDED = 21,
  OBSV_ERR_UNEXPECTED_END = 22,
  OBSV_ERR_INVALID_ARGUMENT = 100, /* a NULL handle, an enum out of range, ... */
  OBSV_ERR_OUT_OF_MEMORY = 101,
  OBSV_ERR_INTERNAL = 102,
  OBSV_ERR_FAILED_PRECONDITION = 103, /* e.g. feeding before draining */
  OBSV_ERR_PERMISSION_DENIED = 104,   /* a query refused by a scoping policy */
  OBSV_ERR_NOT_FOUND = 105,           /* e.g. removing an absent series */
  OBSV_ERR_ALREADY_EXISTS = 106,      /* e.g. a collector name in use */
  OBSV_ERR_BUFFER_TOO_SMALL = 107     /* the caller's buffer; the size needed
                                         is returned beside */
} obsv_status;

/* "syntax", "invalid_name", ..., "invalid_argument"; "unknown" for a value
 * that is no obsv_status. Static storage. */
OBSV_API const char* obsv_status_name(obsv_status status);

/* The version of the linked library ("0.1.0") and its OBSV_VERSION_NUMBER.
 * Compare with the OBSV_VERSION_* macros to detect a header/library skew. */
OBSV_API const char* obsv_version(void);
OBSV_API int obsv_version_number(void);

/* ------------------------------------------------------------------------ */
/* Errors                                                                    */

typedef struct obsv_error obsv_error;

/* Accessors of an error. Strings are NUL-terminated and live as long as the
 * error. line/column are 1-based and 0 when the error has no position. */
OBSV_API obsv_status obsv_error_code(const obsv_error* error);
OBSV_API const char* obsv_error_message(const obsv_error* error);
OBSV_API uint32_t obsv_error_line(const obsv_error* error);
OBSV_API uint32_t obsv_error_column(const obsv_error* error);
OBSV_API uint64_t obsv_error_offset(const obsv_error* error);
/* Frees an error returned through an out_error parameter. NULL is a no-op.
 * Never call it on the borrowed error of obsv_parser_error(). */
OBSV_API void obsv_error_free(obsv_error* error);

/* Frees a string the library allocated (obsv_convert()). NULL is a no-op. */
OBSV_API void obsv_string_free(char* s);

/* ------------------------------------------------------------------------ */
/* Exposition formats and the model's enums                                  */

typedef enum obsv_format {
  OBSV_FORMAT_AUTO = -1, /* detect from the content (parsing only) */
  OBSV_FORMAT_TEXT = 0,  /* Prometheus text 0.0.4 */
  OBSV_FORMAT_OPENMETRICS = 1,
  /* Delimited protobuf (io.prometheus.client.MetricFamily): written by
   * obsv_registry_expose() only (obsv/c_api_registry.h); the parsers and
   * writers of this header refuse it. */
  OBSV_FORMAT_PROTOBUF = 2
} obsv_format;

/* The format a Content-Type header names (text for anything unknown). */
OBSV_API obsv_format obsv_format_from_content_type(const char* content_type,
                                                   size_t len);
/* The format of a body, guessed from its content. */
OBSV_API obsv_format obsv_format_detect(const char* body, size_t len);
/* The Content-Type to answer with; static storage. NULL for AUTO. */
OBSV_API const char* obsv_format_content_type(obsv_format format);

typedef enum obsv_metric_type {
  OBSV_TYPE_UNKNOWN = 0, /* `unknown` / `untyped` */
  OBSV_TYPE_COUNTER = 1,
  OBSV_TYPE_GAUGE = 2,
  OBSV_TYPE_HISTOGRAM = 3,
  OBSV_TYPE_GAUGE_HISTOGRAM = 4,
  OBSV_TYPE_SUMMARY = 5,
  OBSV_TYPE_INFO = 6,
  OBSV_TYPE_STATESET = 7
} obsv_metric_type;

/* "counter", "gauge", ...; static storage, NULL if out of range. */
OBSV_API const char* obsv_metric_type_name(obsv_metric_type type);

typedef enum obsv_suffix {
  OBSV_SUFFIX_NONE = 0,
  OBSV_SUFFIX_TOTAL = 1,
  OBSV_SUFFIX_CREATED = 2,
  OBSV_SUFFIX_BUCKET = 3,
  OBSV_SUFFIX_COUNT = 4,
  OBSV_SUFFIX_SUM = 5,
  OBSV_SUFFIX_GCOUNT = 6,
  OBSV_SUFFIX_GSUM = 7,
  OBSV_SUFFIX_INFO = 8
} obsv_suffix;

/* ------------------------------------------------------------------------ */
/* Parser: a streaming pull parser (see obsv/exposition_parser.h)           */

typedef struct obsv_parser obsv_parser;

typedef struct obsv_parser_options {
  obsv_format format; /* OBSV_FORMAT_AUTO by default */
  int strict;         /* 0: lenient like Prometheus's scraper (default) */
  uint64_t max_body_bytes;
  uint32_t max_line_bytes;
  uint32_t max_labels_per_series;
  uint32_t max_label_name_bytes;
  uint32_t max_label_value_bytes;
  uint64_t max_series;
  uint32_t max_families;
} obsv_parser_options;

/* Fills *options with the defaults (documented in exposition_parser.h). */
OBSV_API void obsv_parser_options_init(obsv_parser_options* options);

typedef enum obsv_entry {
  OBSV_ENTRY_END = 0,
  OBSV_ENTRY_NEED_MORE = 1,
  OBSV_ENTRY_HELP = 2,
  OBSV_ENTRY_TYPE = 3,
  OBSV_ENTRY_UNIT = 4,
  OBSV_ENTRY_SAMPLE = 5,
  OBSV_ENTRY_COMMENT = 6,
  OBSV_ENTRY_ERROR = 7
} obsv_entry;

/* Creates a parser. `options` may be NULL for the defaults. The caller frees
 * *out_parser with obsv_parser_free(). */
OBSV_API obsv_status obsv_parser_new(const obsv_parser_options* options,
                                     obsv_parser** out_parser,
                                     obsv_error** out_error);
OBSV_API void obsv_parser_free(obsv_parser* parser);

/* Starts over on a complete body, which must stay valid while iterating. */
OBSV_API obsv_status obsv_parser_reset(obsv_parser* parser, const char* body,
                                       size_t len);
/* Incremental API: feed the next chunk after the previous one was drained
 * (obsv_parser_next() returned OBSV_ENTRY_NEED_MORE). The chunk must stay
 * valid until then. Starts a new body after obsv_parser_new(), _reset() or
 * _finish(). Returns OBSV_OK; OBSV_ERR_FAILED_PRECONDITION if the previous
 * chunk was not drained (this chunk is ignored, the body goes on); or the
 * parse error code when the parser is in error (see obsv_parser_error()).
 * With OBSV_FORMAT_AUTO the parser copies and holds the first bytes (at most
 * 64 KiB) until they tell the format. */
OBSV_API obsv_status obsv_parser_feed(obsv_parser* parser, const char* chunk,
                                      size_t len);
/* No more chunks: the last line may lack its newline. Called without any
 * feed, it finishes an empty body. */
OBSV_API obsv_status obsv_parser_finish(obsv_parser* parser);
/* Advances to the next entry. OBSV_ENTRY_ERROR for a NULL parser. */
OBSV_API obsv_entry obsv_parser_next(obsv_parser* parser);
/* The format in use, once known. */
OBSV_API obsv_format obsv_parser_format(const obsv_parser* parser);
/* The parser's current error, or NULL if none. Borrowed: valid until the
 * next call on the parser; do not free. */
OBSV_API const obsv_error* obsv_parser_error(const obsv_parser* parser);

/* Accessors of the current entry; views are valid until the next
 * obsv_parser_next/feed/finish/reset. Meaningless values (empty views, 0)
 * for entries they do not apply to, as in the C++ API. */
OBSV_API uint32_t obsv_parser_line(const obsv_parser* parser);
OBSV_API obsv_str obsv_parser_family_name(const obsv_parser* parser);
OBSV_API obsv_metric_type obsv_parser_type(const obsv_parser* parser);
OBSV_API obsv_str obsv_parser_help(const obsv_parser* parser);
OBSV_API obsv_str obsv_parser_unit(const obsv_parser* parser);
OBSV_API obsv_str obsv_parser_comment(const obsv_parser* parser);
OBSV_API obsv_str obsv_parser_metric_name(const obsv_parser* parser);
OBSV_API obsv_suffix obsv_parser_suffix(const obsv_parser* parser);
OBSV_API size_t obsv_parser_label_count(const obsv_parser* parser);
/* i < obsv_parser_label_count(); an empty view otherwise. */
OBSV_API obsv_str obsv_parser_label_name(const obsv_parser* parser, size_t i);
OBSV_API obsv_str obsv_parser_label_value(const obsv_parser* parser, size_t i);
OBSV_API double obsv_parser_value(const obsv_parser* parser);
OBSV_API obsv_str obsv_parser_value_text(const obsv_parser* parser);
/* Returns 1 and fills the out parameters if the sample has a timestamp. */
OBSV_API int obsv_parser_timestamp(const obsv_parser* parser,
                                   int64_t* out_milliseconds,
                                   int32_t* out_nanos);
OBSV_API int obsv_parser_has_exemplar(const obsv_parser* parser);
OBSV_API size_t obsv_parser_exemplar_label_count(const obsv_parser* parser);
OBSV_API obsv_str obsv_parser_exemplar_label_name(const obsv_parser* parser,
                                                  size_t i);
OBSV_API obsv_str obsv_parser_exemplar_label_value(const obsv_parser* parser,
                                                   size_t i);
OBSV_API double obsv_parser_exemplar_value(const obsv_parser* parser);
OBSV_API int obsv_parser_exemplar_timestamp(const obsv_parser* parser,
                                            int64_t* out_milliseconds,
                                            int32_t* out_nanos);

/* ------------------------------------------------------------------------ */
/* Writer: builds an exposition family by family (see exposition_writer.h)  */

typedef struct obsv_writer obsv_writer;

typedef struct obsv_label {
  obsv_str name;
  obsv_str value;
} obsv_label;

typedef struct obsv_sample {
  obsv_str name;              /* full sample name, e.g. "x_bucket" */
  const obsv_label* labels;   /* may be NULL when label_count is 0 */
  size_t label_count;
  double value;
  obsv_str value_text;        /* optional: an integer beyond 2^53 written
                                 exactly (e.g. "18446744073709551615");
                                 ignored unless it is such an integer */
  int has_timestamp;
  int64_t timestamp_ms;
  int32_t timestamp_nanos;    /* 0..999999 below timestamp_ms */
  int has_exemplar;
  const obsv_label* exemplar_labels;
  size_t exemplar_label_count;
  double exemplar_value;
  int exemplar_has_timestamp;
  int64_t exemplar_timestamp_ms;
  int32_t exemplar_timestamp_nanos;
} obsv_sample;

/* Creates a writer for `format` (TEXT or OPENMETRICS). */
OBSV_API obsv_status obsv_writer_new(obsv_format format,
                                     obsv_writer** out_writer,
                                     obsv_error** out_error);
OBSV_API void obsv_writer_free(obsv_writer* writer);
/* Starts a family; the previous one, if any, is written out. `has_help` 0
 * means no HELP line. `unit` may be empty. All strings passed to the writer
 * are copied: they need not outlive the call. After obsv_writer_finish() the
 * next family starts a new body. */
OBSV_API obsv_status obsv_writer_begin_family(obsv_writer* writer,
                                              obsv_str name,
                                              obsv_metric_type type,
                                              obsv_str help, int has_help,
                                              obsv_str unit,
                                              obsv_error** out_error);
/* Adds a sample to the current family; its name decides its suffix. */
OBSV_API obsv_status obsv_writer_add_sample(obsv_writer* writer,
                                            const obsv_sample* sample,
                                            obsv_error** out_error);
/* Adds the parser's current sample (OBSV_ENTRY_SAMPLE). If the parser groups
 * the sample into another family than the current one, a family of that name
 * and type (without HELP or UNIT: begin it yourself from the parser's
 * HELP/TYPE/UNIT entries to keep them) is started first. */
OBSV_API obsv_status obsv_writer_add_parsed_sample(obsv_writer* writer,
                                                   const obsv_parser* parser,
                                                   obsv_error** out_error);
/* Writes the last family (and `# EOF` for OpenMetrics) and returns the whole
 * body in *out, valid until the writer is freed or written to again. */
OBSV_API obsv_status obsv_writer_finish(obsv_writer* writer, obsv_str* out,
                                        obsv_error** out_error);

/* ------------------------------------------------------------------------ */
/* One-shot conversion                                                      */

/* Parses `input` (in_format may be AUTO; strict as in the parser options)
 * and writes it as out_format. On success *out is a NUL-terminated string of
 * *out_len bytes that the caller frees with obsv_string_free(). */
OBSV_API obsv_status obsv_convert(const char* input, size_t len,
                                  obsv_format in_format, int strict,
                                  obsv_format out_format, char** out,
                                  size_t* out_len, obsv_error** out_error);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* OBSV_C_API_H_ */
