/* Tests of the C ABI (obsv/c_api.h), written in C11 against the installed
 * header only, in the manner of leveldb's c_test.c: every CHECK counts, a
 * failure prints where and goes on, and the process exits non-zero when any
 * CHECK failed. The last line of output is "N passed, N failed".
 *
 * The assertions follow the header's contract, not the implementation: a
 * failing CHECK here is a bug in the library or in its header. */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obsv/c_api.h"

#include "check.h"

/* ------------------------------------------------------------------------ */
/* A growing buffer, to record what a parser reports.                       */

typedef struct Buffer {
  char* data;
  size_t size;
  size_t capacity;
} Buffer;

static void BufferAppend(Buffer* b, const char* s, size_t n) {
  if (b->size + n + 1 > b->capacity) {
    size_t cap = b->capacity == 0 ? 256 : b->capacity;
    while (b->size + n + 1 > cap) cap *= 2;
    char* grown = (char*)realloc(b->data, cap);
    if (grown == NULL) {
      fprintf(stderr, "out of memory\n");
      exit(2);
    }
    b->data = grown;
    b->capacity = cap;
  }
  if (n > 0) memcpy(b->data + b->size, s, n);
  b->size += n;
  b->data[b->size] = '\0';
}

static void BufferPrintf(Buffer* b, const char* format, ...) {
  char tmp[512];
  va_list args;
  va_start(args, format);
  int n = vsnprintf(tmp, sizeof(tmp), format, args);
  va_end(args);
  if (n < 0) return;
  BufferAppend(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static void BufferView(Buffer* b, const char* tag, obsv_str s) {
  BufferPrintf(b, " %s=%zu:", tag, s.size);
  BufferAppend(b, s.data, s.size);
}

static void BufferFree(Buffer* b) {
  free(b->data);
  b->data = NULL;
  b->size = b->capacity = 0;
}

/* Appends one line describing the parser's current entry, through every
 * accessor, so that two parses can be compared entry by entry. */
static void RecordEntry(Buffer* b, const obsv_parser* p, obsv_entry e) {
  BufferPrintf(b, "entry=%d line=%u", (int)e, obsv_parser_line(p));
  if (e == OBSV_ENTRY_ERROR) {
    const obsv_error* err = obsv_parser_error(p);
    BufferPrintf(b, " error=%d %u:%u @%llu\n", (int)obsv_error_code(err),
                 obsv_error_line(err), obsv_error_column(err),
                 (unsigned long long)obsv_error_offset(err));
    return;
  }
  BufferView(b, "family", obsv_parser_family_name(p));
  BufferPrintf(b, " type=%d", (int)obsv_parser_type(p));
  BufferView(b, "help", obsv_parser_help(p));
  BufferView(b, "unit", obsv_parser_unit(p));
  BufferView(b, "comment", obsv_parser_comment(p));
  BufferView(b, "name", obsv_parser_metric_name(p));
  BufferPrintf(b, " suffix=%d", (int)obsv_parser_suffix(p));
  size_t n = obsv_parser_label_count(p);
  for (size_t i = 0; i < n; ++i) {
    BufferView(b, "ln", obsv_parser_label_name(p, i));
    BufferView(b, "lv", obsv_parser_label_value(p, i));
  }
  BufferPrintf(b, " value=%.17g", obsv_parser_value(p));
  BufferView(b, "text", obsv_parser_value_text(p));
  int64_t ms = 0;
  int32_t ns = 0;
  if (obsv_parser_timestamp(p, &ms, &ns)) {
    BufferPrintf(b, " ts=%lld.%d", (long long)ms, (int)ns);
  }
  if (obsv_parser_has_exemplar(p)) {
    size_t m = obsv_parser_exemplar_label_count(p);
    for (size_t i = 0; i < m; ++i) {
      BufferView(b, "eln", obsv_parser_exemplar_label_name(p, i));
      BufferView(b, "elv", obsv_parser_exemplar_label_value(p, i));
    }
    BufferPrintf(b, " ev=%.17g", obsv_parser_exemplar_value(p));
    if (obsv_parser_exemplar_timestamp(p, &ms, &ns)) {
      BufferPrintf(b, " ets=%lld.%d", (long long)ms, (int)ns);
    }
  }
  BufferAppend(b, "\n", 1);
}

static obsv_parser* NewParser(obsv_format format, int strict) {
  obsv_parser_options o;
  obsv_parser_options_init(&o);
  o.format = format;
  o.strict = strict;
  obsv_parser* p = NULL;
  obsv_status s = obsv_parser_new(&o, &p, NULL);
  if (s != OBSV_OK || p == NULL) {
    fprintf(stderr, "obsv_parser_new failed: %d\n", (int)s);
    exit(2);
  }
  return p;
}

/* Whole-buffer parse: every entry, up to END or the first ERROR. */
static void ParseWhole(const char* body, size_t len, obsv_format format,
                       int strict, Buffer* out) {
  obsv_parser* p = NewParser(format, strict);
  obsv_parser_reset(p, body, len);
  obsv_entry e;
  while ((e = obsv_parser_next(p)) != OBSV_ENTRY_END) {
    RecordEntry(out, p, e);
    if (e == OBSV_ENTRY_ERROR || e == OBSV_ENTRY_NEED_MORE) break;
  }
  obsv_parser_free(p);
}

/* Incremental parse in chunks of `chunk` bytes. Each chunk is a private copy
 * that is scribbled over once drained, so a parser that kept a view into a
 * drained chunk is caught. */
static void ParseChunked(const char* body, size_t len, size_t chunk,
                         obsv_format format, int strict, Buffer* out) {
  obsv_parser* p = NewParser(format, strict);
  char* copy = (char*)malloc(chunk);
  if (copy == NULL) exit(2);
  obsv_entry e;
  for (size_t off = 0; off < len; off += chunk) {
    size_t n = len - off < chunk ? len - off : chunk;
    memcpy(copy, body + off, n);
    if (obsv_parser_feed(p, copy, n) != OBSV_OK) {
      RecordEntry(out, p, OBSV_ENTRY_ERROR);
      goto done;
    }
    while ((e = obsv_parser_next(p)) != OBSV_ENTRY_NEED_MORE) {
      RecordEntry(out, p, e);
      if (e == OBSV_ENTRY_ERROR || e == OBSV_ENTRY_END) goto done;
    }
    memset(copy, 'X', chunk);
  }
  obsv_parser_finish(p);
  while ((e = obsv_parser_next(p)) != OBSV_ENTRY_END) {
    RecordEntry(out, p, e);
    if (e == OBSV_ENTRY_ERROR || e == OBSV_ENTRY_NEED_MORE) break;
  }
done:
  free(copy);
  obsv_parser_free(p);
}

/* ------------------------------------------------------------------------ */
/* Bodies                                                                   */

static const char kTextBody[] =
    "# HELP http_requests_total The total number of HTTP requests.\n"
    "# TYPE http_requests_total counter\n"
    "http_requests_total{method=\"post\",code=\"200\"} 1027 1395066363000\n"
    "http_requests_total{method=\"post\",code=\"400\"}    3 1395066363000\n"
    "# A normal comment.\n"
    "# HELP rpc_seconds Back\\\\slash and\\nnewline.\n"
    "# TYPE rpc_seconds summary\n"
    "rpc_seconds{quantile=\"0.5\"} 4773\n"
    "rpc_seconds_sum 1.7560473e+07\n"
    "rpc_seconds_count 2693\n"
    "# TYPE h histogram\n"
    "h_bucket{le=\"0.5\"} 1\n"
    "h_bucket{le=\"+Inf\"} 2\n"
    "h_sum 0.75\n"
    "h_count 2\n"
    "\n"
    "plain 12.47\n"
    "escaped{path=\"C:\\\\dir\\\\\\\"q\\\"\\nx\"} -Inf\n"
    "big 18446744073709551615\n";

static const char kOpenMetricsBody[] =
    "# TYPE foo_seconds histogram\n"
    "# HELP foo_seconds Foo \\\"quoted\\\" help.\n"
    "# UNIT foo_seconds seconds\n"
    "foo_seconds_bucket{le=\"0.1\"} 3 # {trace_id=\"abc123\",span=\"s\"} 0.067 "
    "1520879607.789\n"
    "foo_seconds_bucket{le=\"+Inf\"} 5\n"
    "foo_seconds_count 5\n"
    "foo_seconds_sum 0.5\n"
    "foo_seconds_created 1520430000.123\n"
    "# TYPE requests counter\n"
    "requests_total{a=\"b\"} 1.0 1520879607.5 # {} 1\n"
    "requests_created{a=\"b\"} 1520430000\n"
    "# TYPE t gauge\n"
    "t 1 -1.0005\n"
    "t{x=\"y\"} NaN 1.0005\n"
    "# EOF\n";

/* ------------------------------------------------------------------------ */

static void TestVersion(void) {
  char expected[32];
  snprintf(expected, sizeof(expected), "%d.%d.%d", OBSV_VERSION_MAJOR,
           OBSV_VERSION_MINOR, OBSV_VERSION_PATCH);
  CHECK(strcmp(OBSV_VERSION_STRING, expected) == 0);
  CHECK(obsv_version() != NULL);
  CHECK(strcmp(obsv_version(), OBSV_VERSION_STRING) == 0);
  CHECK_EQ(obsv_version_number(), OBSV_VERSION_NUMBER);
  CHECK_EQ(OBSV_VERSION_NUMBER, OBSV_VERSION_MAJOR * 10000 +
                                    OBSV_VERSION_MINOR * 100 +
                                    OBSV_VERSION_PATCH);
}

static void TestStatusNames(void) {
  static const struct {
    obsv_status status;
    const char* name;
  } kNames[] = {
      {OBSV_ERR_SYNTAX, "syntax"},
      {OBSV_ERR_INVALID_NAME, "invalid_name"},
      {OBSV_ERR_INVALID_ESCAPE, "invalid_escape"},
      {OBSV_ERR_UNTERMINATED_STRING, "unterminated_string"},
      {OBSV_ERR_DUPLICATE_LABEL, "duplicate_label"},
      {OBSV_ERR_INVALID_VALUE, "invalid_value"},
      {OBSV_ERR_INVALID_TIMESTAMP, "invalid_timestamp"},
      {OBSV_ERR_INVALID_EXEMPLAR, "invalid_exemplar"},
      {OBSV_ERR_INVALID_METADATA, "invalid_metadata"},
      {OBSV_ERR_DUPLICATE_METADATA, "duplicate_metadata"},
      {OBSV_ERR_INTERLEAVED_FAMILY, "interleaved_family"},
      {OBSV_ERR_METADATA_AFTER_SAMPLES, "metadata_after_samples"},
      {OBSV_ERR_INVALID_SUFFIX, "invalid_suffix"},
      {OBSV_ERR_INVALID_HISTOGRAM, "invalid_histogram"},
      {OBSV_ERR_INVALID_LABEL_VALUE, "invalid_label_value"},
      {OBSV_ERR_MISSING_EOF, "missing_eof"},
      {OBSV_ERR_CONTENT_AFTER_EOF, "content_after_eof"},
      {OBSV_ERR_BLANK_LINE, "blank_line"},
      {OBSV_ERR_NUL_BYTE, "nul_byte"},
      {OBSV_ERR_INVALID_UTF8, "invalid_utf8"},
      {OBSV_ERR_LIMIT_EXCEEDED, "limit_exceeded"},
      {OBSV_ERR_UNEXPECTED_END, "unexpected_end"},
      {OBSV_ERR_INVALID_ARGUMENT, "invalid_argument"},
      {OBSV_ERR_OUT_OF_MEMORY, "out_of_memory"},
      {OBSV_ERR_INTERNAL, "internal"},
      {OBSV_ERR_FAILED_PRECONDITION, "failed_precondition"},
  };
  for (size_t i = 0; i < sizeof(kNames) / sizeof(kNames[0]); ++i) {
    const char* name = obsv_status_name(kNames[i].status);
    if (name == NULL || strcmp(name, kNames[i].name) != 0) {
      printf("status %d: name [%s], expected [%s]\n",
              (int)kNames[i].status, name == NULL ? "(null)" : name,
              kNames[i].name);
    }
    CHECK(name != NULL && strcmp(name, kNames[i].name) == 0);
  }
  /* 1..99 are the C++ ParseErrorCode numbers: spot-check the ends. */
  CHECK_EQ(OBSV_ERR_SYNTAX, 1);
  CHECK_EQ(OBSV_ERR_UNEXPECTED_END, 22);
  CHECK_EQ(OBSV_ERR_INVALID_ARGUMENT, 100);
  /* OK has a name; a value that is no obsv_status is "unknown". */
  CHECK(obsv_status_name(OBSV_OK) != NULL && obsv_status_name(OBSV_OK)[0] != '\0');
  static const int kNotStatuses[] = {23, 50, 99, 108, 9999, -1};
  for (size_t i = 0; i < sizeof(kNotStatuses) / sizeof(kNotStatuses[0]); ++i) {
    const char* name = obsv_status_name((obsv_status)kNotStatuses[i]);
    CHECK(name != NULL && strcmp(name, "unknown") == 0);
  }
}

static void TestMetricTypeNames(void) {
  static const char* const kNames[] = {
      "unknown", "counter", "gauge", "histogram", "gaugehistogram",
      "summary", "info", "stateset"};
  for (int t = OBSV_TYPE_UNKNOWN; t <= OBSV_TYPE_STATESET; ++t) {
    const char* name = obsv_metric_type_name((obsv_metric_type)t);
    CHECK(name != NULL && strcmp(name, kNames[t]) == 0);
  }
  CHECK(obsv_metric_type_name((obsv_metric_type)8) == NULL);
  CHECK(obsv_metric_type_name((obsv_metric_type)-1) == NULL);
}

static void TestFormats(void) {
  static const char kOm[] =
      "application/openmetrics-text; version=1.0.0; charset=utf-8";
  static const char kText[] = "text/plain; version=0.0.4; charset=utf-8";
  CHECK_EQ(obsv_format_from_content_type(LIT(kOm)), OBSV_FORMAT_OPENMETRICS);
  CHECK_EQ(obsv_format_from_content_type(
               LIT("Application/OpenMetrics-Text;version=0.0.1")),
           OBSV_FORMAT_OPENMETRICS);
  CHECK_EQ(obsv_format_from_content_type(LIT("application/openmetrics-text")),
           OBSV_FORMAT_OPENMETRICS);
  CHECK_EQ(obsv_format_from_content_type(LIT(kText)), OBSV_FORMAT_TEXT);
  CHECK_EQ(obsv_format_from_content_type(LIT("")), OBSV_FORMAT_TEXT);
  CHECK_EQ(obsv_format_from_content_type(LIT("application/json")),
           OBSV_FORMAT_TEXT);
  /* A view: only `len` bytes count, no NUL needed. */
  CHECK_EQ(obsv_format_from_content_type("application/openmetrics-textXYZ", 28),
           OBSV_FORMAT_OPENMETRICS);
  CHECK_EQ(obsv_format_from_content_type("text/plain; application/openmetrics-text", 10),
           OBSV_FORMAT_TEXT);

  CHECK_EQ(obsv_format_detect(LIT("a 1\n# EOF\n")), OBSV_FORMAT_OPENMETRICS);
  CHECK_EQ(obsv_format_detect(LIT("a 1\n# EOF")), OBSV_FORMAT_OPENMETRICS);
  CHECK_EQ(obsv_format_detect(LIT("# TYPE a_seconds gauge\n# UNIT a_seconds seconds\n")),
           OBSV_FORMAT_OPENMETRICS);
  CHECK_EQ(obsv_format_detect(LIT("# TYPE a counter\na_total 1\n")),
           OBSV_FORMAT_TEXT);
  CHECK_EQ(obsv_format_detect(LIT("")), OBSV_FORMAT_TEXT);
  CHECK_EQ(obsv_format_detect(LIT(kTextBody)), OBSV_FORMAT_TEXT);
  CHECK_EQ(obsv_format_detect(LIT(kOpenMetricsBody)), OBSV_FORMAT_OPENMETRICS);
  /* "or an exemplar appears in the first 64 KiB" (exposition_format.h). */
  CHECK_EQ(obsv_format_detect(LIT("a_total{x=\"y\"} 1 # {t=\"1\"} 1\n")),
           OBSV_FORMAT_OPENMETRICS);
  CHECK_EQ(obsv_format_detect(LIT("a_total 1 # {t=\"1\"} 1\n")),
           OBSV_FORMAT_OPENMETRICS);
  /* Only `len` bytes count. */
  CHECK_EQ(obsv_format_detect("a 1\n# EOF\n", 4), OBSV_FORMAT_TEXT);

  const char* ct = obsv_format_content_type(OBSV_FORMAT_TEXT);
  CHECK(ct != NULL && strcmp(ct, kText) == 0);
  ct = obsv_format_content_type(OBSV_FORMAT_OPENMETRICS);
  CHECK(ct != NULL && strcmp(ct, kOm) == 0);
  CHECK(obsv_format_content_type(OBSV_FORMAT_AUTO) == NULL);
  CHECK(obsv_format_content_type((obsv_format)7) == NULL);
  /* What content_type() says, from_content_type() reads back. */
  ct = obsv_format_content_type(OBSV_FORMAT_OPENMETRICS);
  CHECK_EQ(obsv_format_from_content_type(ct, strlen(ct)), OBSV_FORMAT_OPENMETRICS);
  ct = obsv_format_content_type(OBSV_FORMAT_TEXT);
  CHECK_EQ(obsv_format_from_content_type(ct, strlen(ct)), OBSV_FORMAT_TEXT);
}

static void TestOptionsDefaults(void) {
  obsv_parser_options o;
  memset(&o, 0xAB, sizeof(o));
  obsv_parser_options_init(&o);
  /* The defaults documented in exposition_parser.h. */
  CHECK_EQ(o.format, OBSV_FORMAT_AUTO);
  CHECK_EQ(o.strict, 0);
  CHECK(o.max_body_bytes == ((uint64_t)1 << 30));
  CHECK(o.max_line_bytes == ((uint32_t)1 << 20));
  CHECK_EQ(o.max_labels_per_series, 256);
  CHECK_EQ(o.max_label_name_bytes, 1024);
  CHECK(o.max_label_value_bytes == ((uint32_t)64 << 10));
  CHECK(o.max_series == 10000000u);
  CHECK(o.max_families == 1000000u);
}

static void TestParserLifecycle(void) {
  obsv_parser* p = NULL;
  obsv_error* err = NULL;

  obsv_parser_free(NULL); /* no-op */

  /* NULL options: the defaults. On success *out_error is set to NULL. */
  err = (obsv_error*)&err; /* a sentinel the library must overwrite */
  CHECK_EQ(obsv_parser_new(NULL, &p, &err), OBSV_OK);
  CHECK(p != NULL);
  CHECK(err == NULL);
  CHECK(obsv_parser_error(p) == NULL); /* nothing went wrong yet */
  obsv_parser_free(p);

  /* out_error may be NULL. */
  p = NULL;
  CHECK_EQ(obsv_parser_new(NULL, &p, NULL), OBSV_OK);
  CHECK(p != NULL);
  obsv_parser_free(p);

  /* NULL out_parser. */
  err = NULL;
  CHECK_EQ(obsv_parser_new(NULL, NULL, &err), OBSV_ERR_INVALID_ARGUMENT);
  CHECK(err != NULL);
  CHECK_EQ(obsv_error_code(err), OBSV_ERR_INVALID_ARGUMENT);
  CHECK(obsv_error_message(err) != NULL && obsv_error_message(err)[0] != '\0');
  CHECK_EQ(obsv_error_line(err), 0); /* no position */
  CHECK_EQ(obsv_error_column(err), 0);
  obsv_error_free(err);
  CHECK_EQ(obsv_parser_new(NULL, NULL, NULL), OBSV_ERR_INVALID_ARGUMENT);

  /* A format out of range. */
  obsv_parser_options o;
  obsv_parser_options_init(&o);
  o.format = (obsv_format)5;
  p = (obsv_parser*)&p;
  err = NULL;
  CHECK_EQ(obsv_parser_new(&o, &p, &err), OBSV_ERR_INVALID_ARGUMENT);
  CHECK(p == NULL);
  CHECK(err != NULL && obsv_error_code(err) == OBSV_ERR_INVALID_ARGUMENT);
  obsv_error_free(err);

  /* A NULL handle everywhere a handle is taken. */
  CHECK_EQ(obsv_parser_next(NULL), OBSV_ENTRY_ERROR);
  CHECK_EQ(obsv_parser_reset(NULL, LIT("a 1\n")), OBSV_ERR_INVALID_ARGUMENT);
  CHECK_EQ(obsv_parser_feed(NULL, LIT("a 1\n")), OBSV_ERR_INVALID_ARGUMENT);
  CHECK_EQ(obsv_parser_finish(NULL), OBSV_ERR_INVALID_ARGUMENT);
  CHECK(obsv_parser_error(NULL) == NULL);

  /* A NULL body with a length. */
  p = NewParser(OBSV_FORMAT_AUTO, 0);
  CHECK_EQ(obsv_parser_reset(p, NULL, 3), OBSV_ERR_INVALID_ARGUMENT);
  CHECK_EQ(obsv_parser_feed(p, NULL, 3), OBSV_ERR_INVALID_ARGUMENT);
  /* An empty body is a body. */
  CHECK_EQ(obsv_parser_reset(p, NULL, 0), OBSV_OK);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_END);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_END);
  obsv_parser_free(p);
}

static void TestTextBody(void) {
  obsv_parser* p = NewParser(OBSV_FORMAT_AUTO, 0);
  int64_t ms = -1;
  int32_t ns = -1;
  CHECK_EQ(obsv_parser_reset(p, LIT(kTextBody)), OBSV_OK);
  CHECK_EQ(obsv_parser_format(p), OBSV_FORMAT_TEXT);

  /* # HELP http_requests_total ... */
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_HELP);
  CHECK_EQ(obsv_parser_line(p), 1);
  CHECK_STR(obsv_parser_family_name(p), "http_requests_total");
  CHECK_STR(obsv_parser_help(p), "The total number of HTTP requests.");
  /* Accessors of other entries are empty. */
  CHECK_EQ(obsv_parser_label_count(p), 0);
  CHECK_EQ(obsv_parser_metric_name(p).size, 0);
  CHECK_EQ(obsv_parser_unit(p).size, 0);
  CHECK_EQ(obsv_parser_comment(p).size, 0);
  CHECK(obsv_parser_value(p) == 0);
  CHECK_EQ(obsv_parser_timestamp(p, &ms, &ns), 0);
  CHECK_EQ(obsv_parser_has_exemplar(p), 0);

  /* # TYPE http_requests_total counter */
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_TYPE);
  CHECK_EQ(obsv_parser_line(p), 2);
  CHECK_STR(obsv_parser_family_name(p), "http_requests_total");
  CHECK_EQ(obsv_parser_type(p), OBSV_TYPE_COUNTER);
  CHECK_EQ(obsv_parser_help(p).size, 0);

  /* http_requests_total{method="post",code="200"} 1027 1395066363000 */
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE);
  CHECK_EQ(obsv_parser_line(p), 3);
  CHECK_STR(obsv_parser_metric_name(p), "http_requests_total");
  CHECK_STR(obsv_parser_family_name(p), "http_requests_total");
  CHECK_EQ(obsv_parser_type(p), OBSV_TYPE_COUNTER);
  CHECK_EQ(obsv_parser_suffix(p), OBSV_SUFFIX_NONE); /* text: the name itself */
  CHECK_EQ(obsv_parser_label_count(p), 2);
  CHECK_STR(obsv_parser_label_name(p, 0), "method");
  CHECK_STR(obsv_parser_label_value(p, 0), "post");
  CHECK_STR(obsv_parser_label_name(p, 1), "code");
  CHECK_STR(obsv_parser_label_value(p, 1), "200");
  CHECK_EQ(obsv_parser_label_name(p, 2).size, 0); /* out of range: empty */
  CHECK_EQ(obsv_parser_label_value(p, 99).size, 0);
  CHECK(obsv_parser_value(p) == 1027.0);
  CHECK_STR(obsv_parser_value_text(p), "1027");
  ms = ns = 0;
  CHECK_EQ(obsv_parser_timestamp(p, &ms, &ns), 1);
  CHECK_EQ(ms, 1395066363000LL);
  CHECK_EQ(ns, 0);
  CHECK_EQ(obsv_parser_timestamp(p, NULL, NULL), 1); /* outs are optional */
  CHECK_EQ(obsv_parser_has_exemplar(p), 0);
  CHECK_EQ(obsv_parser_exemplar_label_count(p), 0);
  CHECK_EQ(obsv_parser_exemplar_label_name(p, 0).size, 0);
  CHECK_EQ(obsv_parser_exemplar_label_value(p, 0).size, 0);
  CHECK(obsv_parser_exemplar_value(p) == 0);
  CHECK_EQ(obsv_parser_exemplar_timestamp(p, &ms, &ns), 0);
  CHECK_EQ(obsv_parser_help(p).size, 0);

  /* ...{method="post",code="400"}    3 1395066363000 */
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE);
  CHECK_STR(obsv_parser_label_value(p, 1), "400");
  CHECK(obsv_parser_value(p) == 3.0);
  CHECK_STR(obsv_parser_value_text(p), "3");

  /* # A normal comment. */
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_COMMENT);
  CHECK_EQ(obsv_parser_line(p), 5);
  CHECK_STR(obsv_parser_comment(p), " A normal comment."); /* the text after # */
  CHECK_EQ(obsv_parser_family_name(p).size, 0);
  CHECK_EQ(obsv_parser_metric_name(p).size, 0);

  /* # HELP rpc_seconds Back\\slash and\nnewline. (unescaped) */
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_HELP);
  CHECK_STR(obsv_parser_family_name(p), "rpc_seconds");
  CHECK_STR(obsv_parser_help(p), "Back\\slash and\nnewline.");
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_TYPE);
  CHECK_EQ(obsv_parser_type(p), OBSV_TYPE_SUMMARY);

  /* rpc_seconds{quantile="0.5"} 4773 */
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE);
  CHECK_STR(obsv_parser_metric_name(p), "rpc_seconds");
  CHECK_STR(obsv_parser_family_name(p), "rpc_seconds");
  CHECK_EQ(obsv_parser_type(p), OBSV_TYPE_SUMMARY);
  CHECK_EQ(obsv_parser_suffix(p), OBSV_SUFFIX_NONE);
  CHECK_EQ(obsv_parser_label_count(p), 1);
  CHECK_STR(obsv_parser_label_name(p, 0), "quantile");
  CHECK_STR(obsv_parser_label_value(p, 0), "0.5");
  CHECK_EQ(obsv_parser_timestamp(p, &ms, &ns), 0);

  /* rpc_seconds_sum 1.7560473e+07 */
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE);
  CHECK_STR(obsv_parser_metric_name(p), "rpc_seconds_sum");
  CHECK_STR(obsv_parser_family_name(p), "rpc_seconds");
  CHECK_EQ(obsv_parser_suffix(p), OBSV_SUFFIX_SUM);
  CHECK(obsv_parser_value(p) == 1.7560473e+07);
  CHECK_STR(obsv_parser_value_text(p), "1.7560473e+07");
  CHECK_EQ(obsv_parser_label_count(p), 0);

  /* rpc_seconds_count 2693 */
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE);
  CHECK_EQ(obsv_parser_suffix(p), OBSV_SUFFIX_COUNT);
  CHECK_STR(obsv_parser_family_name(p), "rpc_seconds");

  /* # TYPE h histogram, two buckets, sum, count */
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_TYPE);
  CHECK_STR(obsv_parser_family_name(p), "h");
  CHECK_EQ(obsv_parser_type(p), OBSV_TYPE_HISTOGRAM);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE);
  CHECK_STR(obsv_parser_metric_name(p), "h_bucket");
  CHECK_STR(obsv_parser_family_name(p), "h");
  CHECK_EQ(obsv_parser_type(p), OBSV_TYPE_HISTOGRAM);
  CHECK_EQ(obsv_parser_suffix(p), OBSV_SUFFIX_BUCKET);
  CHECK_STR(obsv_parser_label_name(p, 0), "le");
  CHECK_STR(obsv_parser_label_value(p, 0), "0.5");
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE);
  CHECK_STR(obsv_parser_label_value(p, 0), "+Inf");
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE);
  CHECK_EQ(obsv_parser_suffix(p), OBSV_SUFFIX_SUM);
  CHECK(obsv_parser_value(p) == 0.75);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE);
  CHECK_EQ(obsv_parser_suffix(p), OBSV_SUFFIX_COUNT);

  /* (a blank line: skipped in text) plain 12.47, no TYPE: its own family */
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE);
  CHECK_EQ(obsv_parser_line(p), 17);
  CHECK_STR(obsv_parser_metric_name(p), "plain");
  CHECK_STR(obsv_parser_family_name(p), "plain");
  CHECK_EQ(obsv_parser_type(p), OBSV_TYPE_UNKNOWN);
  CHECK_EQ(obsv_parser_suffix(p), OBSV_SUFFIX_NONE);
  CHECK(obsv_parser_value(p) == 12.47);
  CHECK_STR(obsv_parser_value_text(p), "12.47");
  CHECK_EQ(obsv_parser_timestamp(p, &ms, &ns), 0);

  /* escaped{path="C:\\dir\\\"q\"\nx"} -Inf */
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE);
  CHECK_STR(obsv_parser_label_value(p, 0), "C:\\dir\\\"q\"\nx");
  CHECK(isinf(obsv_parser_value(p)) && obsv_parser_value(p) < 0);
  CHECK_STR(obsv_parser_value_text(p), "-Inf");

  /* big 18446744073709551615: the exact text survives */
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE);
  CHECK_STR(obsv_parser_value_text(p), "18446744073709551615");
  CHECK(obsv_parser_value(p) == 18446744073709551615.0);

  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_END);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_END); /* and stays there */
  CHECK(obsv_parser_error(p) == NULL);

  /* Reset() reuses the parser. */
  CHECK_EQ(obsv_parser_reset(p, LIT("x 1\n")), OBSV_OK);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE);
  CHECK_STR(obsv_parser_metric_name(p), "x");
  CHECK_EQ(obsv_parser_line(p), 1);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_END);

  /* A body without a final newline is fine when lenient... */
  CHECK_EQ(obsv_parser_reset(p, LIT("x 1\ny 2")), OBSV_OK);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE);
  CHECK_STR(obsv_parser_metric_name(p), "y");
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_END);
  obsv_parser_free(p);

  /* ...and UNEXPECTED_END when strict. */
  p = NewParser(OBSV_FORMAT_TEXT, 1);
  CHECK_EQ(obsv_parser_reset(p, LIT("x 1\ny 2")), OBSV_OK);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_ERROR);
  CHECK(obsv_parser_error(p) != NULL &&
        obsv_error_code(obsv_parser_error(p)) == OBSV_ERR_UNEXPECTED_END);
  obsv_parser_free(p);
}

static void TestOpenMetricsBody(void) {
  obsv_parser* p = NewParser(OBSV_FORMAT_AUTO, 1);
  int64_t ms = 0;
  int32_t ns = 0;
  CHECK_EQ(obsv_parser_reset(p, LIT(kOpenMetricsBody)), OBSV_OK);
  CHECK_EQ(obsv_parser_format(p), OBSV_FORMAT_OPENMETRICS); /* detected */

  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_TYPE);
  CHECK_STR(obsv_parser_family_name(p), "foo_seconds");
  CHECK_EQ(obsv_parser_type(p), OBSV_TYPE_HISTOGRAM);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_HELP);
  CHECK_STR(obsv_parser_help(p), "Foo \"quoted\" help.");
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_UNIT);
  CHECK_EQ(obsv_parser_line(p), 3);
  CHECK_STR(obsv_parser_family_name(p), "foo_seconds");
  CHECK_STR(obsv_parser_unit(p), "seconds");
  CHECK_EQ(obsv_parser_help(p).size, 0);

  /* foo_seconds_bucket{le="0.1"} 3 # {trace_id="abc123",span="s"} 0.067 1520879607.789 */
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE);
  CHECK_STR(obsv_parser_metric_name(p), "foo_seconds_bucket");
  CHECK_STR(obsv_parser_family_name(p), "foo_seconds");
  CHECK_EQ(obsv_parser_type(p), OBSV_TYPE_HISTOGRAM);
  CHECK_EQ(obsv_parser_suffix(p), OBSV_SUFFIX_BUCKET);
  CHECK_EQ(obsv_parser_label_count(p), 1);
  CHECK_STR(obsv_parser_label_value(p, 0), "0.1");
  CHECK(obsv_parser_value(p) == 3.0);
  CHECK_EQ(obsv_parser_timestamp(p, &ms, &ns), 0);
  CHECK_EQ(obsv_parser_has_exemplar(p), 1);
  CHECK_EQ(obsv_parser_exemplar_label_count(p), 2);
  CHECK_STR(obsv_parser_exemplar_label_name(p, 0), "trace_id");
  CHECK_STR(obsv_parser_exemplar_label_value(p, 0), "abc123");
  CHECK_STR(obsv_parser_exemplar_label_name(p, 1), "span");
  CHECK_STR(obsv_parser_exemplar_label_value(p, 1), "s");
  CHECK_EQ(obsv_parser_exemplar_label_name(p, 2).size, 0);
  CHECK(obsv_parser_exemplar_value(p) == 0.067);
  ms = ns = -1;
  CHECK_EQ(obsv_parser_exemplar_timestamp(p, &ms, &ns), 1);
  CHECK_EQ(ms, 1520879607789LL);
  CHECK_EQ(ns, 0);
  CHECK_EQ(obsv_parser_exemplar_timestamp(p, NULL, NULL), 1);

  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE); /* +Inf bucket */
  CHECK_EQ(obsv_parser_has_exemplar(p), 0);
  CHECK_EQ(obsv_parser_exemplar_label_count(p), 0);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE);
  CHECK_EQ(obsv_parser_suffix(p), OBSV_SUFFIX_COUNT);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE);
  CHECK_EQ(obsv_parser_suffix(p), OBSV_SUFFIX_SUM);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE);
  CHECK_STR(obsv_parser_metric_name(p), "foo_seconds_created");
  CHECK_EQ(obsv_parser_suffix(p), OBSV_SUFFIX_CREATED);
  CHECK_STR(obsv_parser_family_name(p), "foo_seconds");

  /* # TYPE requests counter; requests_total{a="b"} 1.0 1520879607.5 # {} 1 */
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_TYPE);
  CHECK_EQ(obsv_parser_type(p), OBSV_TYPE_COUNTER);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE);
  CHECK_STR(obsv_parser_metric_name(p), "requests_total");
  CHECK_STR(obsv_parser_family_name(p), "requests");
  CHECK_EQ(obsv_parser_type(p), OBSV_TYPE_COUNTER);
  CHECK_EQ(obsv_parser_suffix(p), OBSV_SUFFIX_TOTAL);
  CHECK_STR(obsv_parser_value_text(p), "1.0");
  CHECK(obsv_parser_value(p) == 1.0);
  CHECK_EQ(obsv_parser_timestamp(p, &ms, &ns), 1);
  CHECK_EQ(ms, 1520879607500LL);
  CHECK_EQ(ns, 0);
  CHECK_EQ(obsv_parser_has_exemplar(p), 1); /* an exemplar without labels */
  CHECK_EQ(obsv_parser_exemplar_label_count(p), 0);
  CHECK(obsv_parser_exemplar_value(p) == 1.0);
  CHECK_EQ(obsv_parser_exemplar_timestamp(p, &ms, &ns), 0);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE);
  CHECK_EQ(obsv_parser_suffix(p), OBSV_SUFFIX_CREATED);
  CHECK_STR(obsv_parser_family_name(p), "requests");

  /* Sub-millisecond timestamps, exactly (metric_model.h's own example). */
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_TYPE);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE); /* t 1 -1.0005 */
  CHECK_EQ(obsv_parser_timestamp(p, &ms, &ns), 1);
  CHECK_EQ(ms, -1001);
  CHECK_EQ(ns, 500000);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE); /* t{x="y"} NaN 1.0005 */
  CHECK(isnan(obsv_parser_value(p)));
  CHECK_STR(obsv_parser_value_text(p), "NaN");
  CHECK_EQ(obsv_parser_timestamp(p, &ms, &ns), 1);
  CHECK_EQ(ms, 1000);
  CHECK_EQ(ns, 500000);

  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_END);
  CHECK(obsv_parser_error(p) == NULL);
  obsv_parser_free(p);

  /* The same body forced to text is not valid text (exemplars): the format
   * option wins over detection. */
  p = NewParser(OBSV_FORMAT_TEXT, 0);
  CHECK_EQ(obsv_parser_reset(p, LIT(kOpenMetricsBody)), OBSV_OK);
  CHECK_EQ(obsv_parser_format(p), OBSV_FORMAT_TEXT);
  obsv_entry e;
  while ((e = obsv_parser_next(p)) != OBSV_ENTRY_END && e != OBSV_ENTRY_ERROR) {
  }
  CHECK_EQ(e, OBSV_ENTRY_ERROR);
  obsv_parser_free(p);

  /* OpenMetrics rules: `# EOF` required, nothing after it. */
  static const struct {
    const char* body;
    obsv_status code;
    uint32_t line;
  } kCases[] = {
      {"a 1\n", OBSV_ERR_MISSING_EOF, 2},
      {"a 1\n# EOF\nb 2\n", OBSV_ERR_CONTENT_AFTER_EOF, 3},
      {"a 1\n\nb 2\n# EOF\n", OBSV_ERR_BLANK_LINE, 2},
  };
  for (size_t i = 0; i < sizeof(kCases) / sizeof(kCases[0]); ++i) {
    p = NewParser(OBSV_FORMAT_OPENMETRICS, 0);
    obsv_parser_reset(p, kCases[i].body, strlen(kCases[i].body));
    while ((e = obsv_parser_next(p)) == OBSV_ENTRY_SAMPLE) {
    }
    CHECK_EQ(e, OBSV_ENTRY_ERROR);
    const obsv_error* err = obsv_parser_error(p);
    CHECK(err != NULL);
    CHECK_EQ(obsv_error_code(err), kCases[i].code);
    CHECK_EQ(obsv_error_line(err), kCases[i].line);
    obsv_parser_free(p);
  }
}

/* Chunked feeding, 1..n bytes at a time, reports exactly what whole-buffer
 * parsing reports, for valid bodies and for errors alike. */
static void TestIncremental(void) {
  static const struct {
    const char* body;
    obsv_format format;
    int strict;
  } kBodies[] = {
      {kTextBody, OBSV_FORMAT_TEXT, 0},
      {kTextBody, OBSV_FORMAT_TEXT, 1},
      {kOpenMetricsBody, OBSV_FORMAT_OPENMETRICS, 1},
      /* AUTO: the parser holds the first bytes until they tell the format. */
      {kOpenMetricsBody, OBSV_FORMAT_AUTO, 1},
      {kTextBody, OBSV_FORMAT_AUTO, 0},
      {"a 1\nb{c=\"d\"} 2\nlast 3", OBSV_FORMAT_TEXT, 0},   /* no final newline */
      {"a 1\nb{c=\"d\"} 2\nlast 3", OBSV_FORMAT_TEXT, 1},   /* same, strict */
      {"ok 1\nbad{x=\"y} 2\n", OBSV_FORMAT_TEXT, 0},         /* error on line 2 */
      {"a 1\n# EOF\nb 1\n", OBSV_FORMAT_OPENMETRICS, 0},     /* after EOF */
      {"a 1\n", OBSV_FORMAT_OPENMETRICS, 0},                 /* missing EOF */
      {"a 1\n# EOF\nxx", OBSV_FORMAT_OPENMETRICS, 0},        /* same, unterminated */
  };
  for (size_t i = 0; i < sizeof(kBodies) / sizeof(kBodies[0]); ++i) {
    const char* body = kBodies[i].body;
    size_t len = strlen(body);
    Buffer whole = {NULL, 0, 0};
    ParseWhole(body, len, kBodies[i].format, kBodies[i].strict, &whole);
    CHECK(whole.size > 0);
    for (size_t chunk = 1; chunk <= len; ++chunk) {
      Buffer chunked = {NULL, 0, 0};
      ParseChunked(body, len, chunk, kBodies[i].format, kBodies[i].strict,
                   &chunked);
      int same = chunked.size == whole.size &&
                 memcmp(chunked.data, whole.data, whole.size) == 0;
      if (!same) {
        printf("body %zu, chunks of %zu bytes differ from whole-buffer parse\n"
                "--- whole:\n%s--- chunked:\n%s",
                i, chunk, whole.data, chunked.data == NULL ? "" : chunked.data);
      }
      CHECK(same);
      BufferFree(&chunked);
      if (!same) break; /* one report per body is enough */
    }
    BufferFree(&whole);
  }

  /* Auto-detection on the first chunk. */
  obsv_parser* p = NewParser(OBSV_FORMAT_AUTO, 0);
  CHECK_EQ(obsv_parser_feed(p, LIT(kOpenMetricsBody)), OBSV_OK);
  CHECK_EQ(obsv_parser_format(p), OBSV_FORMAT_OPENMETRICS);
  obsv_entry e;
  size_t samples = 0;
  while ((e = obsv_parser_next(p)) != OBSV_ENTRY_NEED_MORE) {
    CHECK(e != OBSV_ENTRY_ERROR && e != OBSV_ENTRY_END);
    if (e != OBSV_ENTRY_SAMPLE && e != OBSV_ENTRY_TYPE &&
        e != OBSV_ENTRY_HELP && e != OBSV_ENTRY_UNIT) {
      break;
    }
    samples += e == OBSV_ENTRY_SAMPLE;
  }
  CHECK_EQ(samples, 9);
  CHECK_EQ(obsv_parser_finish(p), OBSV_OK);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_END);

  obsv_parser_free(p);

  /* Feeding starts a new body after _reset() and after _finish(). With
   * AUTO the first bytes may be held (NEED_MORE) until they tell the format
   * or the body is finished. */
  p = NewParser(OBSV_FORMAT_AUTO, 0);
  CHECK_EQ(obsv_parser_reset(p, LIT("x 1\n")), OBSV_OK);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_END);
  for (int round = 0; round < 2; ++round) {
    /* round 0: after reset; round 1: after finish */
    Buffer names = {NULL, 0, 0};
    CHECK_EQ(obsv_parser_feed(p, LIT("y 2\n")), OBSV_OK);
    while ((e = obsv_parser_next(p)) == OBSV_ENTRY_SAMPLE) {
      BufferView(&names, "s", obsv_parser_metric_name(p));
      BufferPrintf(&names, "@%u", obsv_parser_line(p));
    }
    CHECK_EQ(e, OBSV_ENTRY_NEED_MORE);
    CHECK_EQ(obsv_parser_feed(p, LIT("z 3\n")), OBSV_OK);
    while ((e = obsv_parser_next(p)) == OBSV_ENTRY_SAMPLE) {
      BufferView(&names, "s", obsv_parser_metric_name(p));
      BufferPrintf(&names, "@%u", obsv_parser_line(p));
    }
    CHECK_EQ(e, OBSV_ENTRY_NEED_MORE);
    CHECK_EQ(obsv_parser_finish(p), OBSV_OK);
    while ((e = obsv_parser_next(p)) == OBSV_ENTRY_SAMPLE) {
      BufferView(&names, "s", obsv_parser_metric_name(p));
      BufferPrintf(&names, "@%u", obsv_parser_line(p));
    }
    CHECK_EQ(e, OBSV_ENTRY_END);
    CHECK_BYTES(names.data, names.size, " s=1:y@1 s=1:z@2");
    CHECK_EQ(obsv_parser_format(p), OBSV_FORMAT_TEXT);
    BufferFree(&names);
  }
  obsv_parser_free(p);

  /* Finishing without any feed finishes an empty body. */
  p = NewParser(OBSV_FORMAT_AUTO, 1);
  CHECK_EQ(obsv_parser_finish(p), OBSV_OK);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_END);
  obsv_parser_free(p);
}

static void TestFeedBeforeDrain(void) {
  /* c_api.h: OBSV_ERR_FAILED_PRECONDITION "e.g. feeding before draining". */
  obsv_parser* p = NewParser(OBSV_FORMAT_TEXT, 0);
  CHECK_EQ(obsv_parser_feed(p, LIT("a 1\nb 2\n")), OBSV_OK);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE); /* b 2 not drained yet */
  obsv_status s = obsv_parser_feed(p, LIT("c 3\n"));
  CHECK(s != OBSV_OK);
  CHECK_EQ(s, OBSV_ERR_FAILED_PRECONDITION);
  /* "this chunk is ignored, the body goes on" */
  CHECK(obsv_parser_error(p) == NULL);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE);
  CHECK_STR(obsv_parser_metric_name(p), "b");
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_NEED_MORE);
  CHECK_EQ(obsv_parser_feed(p, LIT("d 4\n")), OBSV_OK);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE);
  CHECK_STR(obsv_parser_metric_name(p), "d");
  CHECK_EQ(obsv_parser_line(p), 3);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_NEED_MORE);
  CHECK_EQ(obsv_parser_finish(p), OBSV_OK);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_END);
  obsv_parser_free(p);
}

/* Errors: code, position and message through obsv_parser_error(). */
static void TestErrors(void) {
  static const struct {
    const char* body;
    int strict;
    obsv_status code;
    uint32_t line;
    uint32_t column;
    uint64_t offset;
  } kCases[] = {
      /* The unterminated string starts at its quote. */
      {"a{b=\"c} 1\n", 0, OBSV_ERR_UNTERMINATED_STRING, 1, 5, 4},
      {"a{b=\"1\",b=\"2\"} 1\n", 1, OBSV_ERR_DUPLICATE_LABEL, 1, 9, 8},
      /* On a later line the offset counts from the start of the body. */
      {"ok 1\nx{b=\"1\",b=\"2\"} 1\n", 1, OBSV_ERR_DUPLICATE_LABEL, 2, 9, 13},
  };
  for (size_t i = 0; i < sizeof(kCases) / sizeof(kCases[0]); ++i) {
    obsv_parser* p = NewParser(OBSV_FORMAT_TEXT, kCases[i].strict);
    CHECK_EQ(obsv_parser_reset(p, kCases[i].body, strlen(kCases[i].body)), OBSV_OK);
    obsv_entry e;
    while ((e = obsv_parser_next(p)) == OBSV_ENTRY_SAMPLE) {
    }
    CHECK_EQ(e, OBSV_ENTRY_ERROR);
    const obsv_error* err = obsv_parser_error(p);
    CHECK(err != NULL);
    if (err == NULL) {
      obsv_parser_free(p);
      continue;
    }
    CHECK_EQ(obsv_error_code(err), kCases[i].code);
    CHECK_EQ(obsv_error_line(err), kCases[i].line);
    CHECK_EQ(obsv_error_column(err), kCases[i].column);
    CHECK_EQ(obsv_error_offset(err), kCases[i].offset);
    CHECK(obsv_error_message(err) != NULL && strlen(obsv_error_message(err)) > 0);
    /* Every later next() reports the error again, and the error stays. */
    CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_ERROR);
    err = obsv_parser_error(p);
    CHECK(err != NULL && obsv_error_code(err) == kCases[i].code);
    /* A new body clears it. */
    CHECK_EQ(obsv_parser_reset(p, LIT("a 1\n")), OBSV_OK);
    CHECK(obsv_parser_error(p) == NULL);
    CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE);
    CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_END);
    obsv_parser_free(p);
  }

  /* The same errors from obsv_convert(), as an owned error. */
  obsv_error* err = NULL;
  char* out = (char*)&err;
  size_t out_len = 7;
  CHECK_EQ(obsv_convert(LIT("a{b=\"1\",b=\"2\"} 1\n"), OBSV_FORMAT_TEXT, 1,
                        OBSV_FORMAT_OPENMETRICS, &out, &out_len, &err),
           OBSV_ERR_DUPLICATE_LABEL);
  CHECK(out == NULL);
  CHECK_EQ(out_len, 0);
  CHECK(err != NULL);
  if (err != NULL) {
    CHECK_EQ(obsv_error_code(err), OBSV_ERR_DUPLICATE_LABEL);
    CHECK_EQ(obsv_error_line(err), 1);
    CHECK_EQ(obsv_error_column(err), 9);
    CHECK_EQ(obsv_error_offset(err), 8);
    CHECK(strlen(obsv_error_message(err)) > 0);
  }
  obsv_error_free(err);
}

static void ExpectLimit(const obsv_parser_options* o, const char* body,
                        uint32_t line) {
  obsv_parser* p = NULL;
  CHECK_EQ(obsv_parser_new(o, &p, NULL), OBSV_OK);
  if (p == NULL) return;
  obsv_entry e = OBSV_ENTRY_ERROR;
  if (obsv_parser_reset(p, body, strlen(body)) == OBSV_OK) {
    while ((e = obsv_parser_next(p)) != OBSV_ENTRY_END && e != OBSV_ENTRY_ERROR) {
    }
  }
  CHECK_EQ(e, OBSV_ENTRY_ERROR);
  const obsv_error* err = obsv_parser_error(p);
  CHECK(err != NULL);
  if (err != NULL) {
    if (obsv_error_code(err) != OBSV_ERR_LIMIT_EXCEEDED) {
      printf("limit case [%s]: %s\n", body, obsv_error_message(err));
    }
    CHECK_EQ(obsv_error_code(err), OBSV_ERR_LIMIT_EXCEEDED);
    CHECK_EQ(obsv_error_line(err), line);
  }
  obsv_parser_free(p);
}

static void TestLimits(void) {
  obsv_parser_options o;

  obsv_parser_options_init(&o);
  o.max_line_bytes = 8;
  ExpectLimit(&o, "a 1\nlong_metric_name 1\n", 2);
  /* Within the budget, the same options parse. */
  {
    obsv_parser* p = NULL;
    obsv_parser_new(&o, &p, NULL);
    obsv_parser_reset(p, LIT("a 1\nb 22\n"));
    CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE);
    CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE);
    CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_END);
    obsv_parser_free(p);
  }

  obsv_parser_options_init(&o);
  o.max_labels_per_series = 1;
  ExpectLimit(&o, "a{x=\"1\"} 1\na{x=\"1\",y=\"2\"} 1\n", 2);

  obsv_parser_options_init(&o);
  o.max_label_name_bytes = 3;
  ExpectLimit(&o, "a{abcd=\"1\"} 1\n", 1);

  obsv_parser_options_init(&o);
  o.max_label_value_bytes = 3;
  ExpectLimit(&o, "a{x=\"abcd\"} 1\n", 1);

  obsv_parser_options_init(&o);
  o.max_series = 2;
  ExpectLimit(&o, "a 1\nb 2\nc 3\n", 3);

  obsv_parser_options_init(&o);
  o.max_families = 1;
  ExpectLimit(&o, "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\n", 3);

  /* The body budget, whole and incremental. */
  obsv_parser_options_init(&o);
  o.max_body_bytes = 8;
  o.format = OBSV_FORMAT_TEXT; /* nothing held back for detection */
  obsv_parser* p = NULL;
  CHECK_EQ(obsv_parser_new(&o, &p, NULL), OBSV_OK);
  CHECK_EQ(obsv_parser_reset(p, LIT("a 1\nb 2\nc 3\n")), OBSV_ERR_LIMIT_EXCEEDED);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_ERROR);
  CHECK(obsv_parser_error(p) != NULL &&
        obsv_error_code(obsv_parser_error(p)) == OBSV_ERR_LIMIT_EXCEEDED);
  /* exposition_parser.h: Feed() "starts a new body on the first call after
   * construction or Reset()", a failed Reset() included. */
  CHECK_EQ(obsv_parser_feed(p, LIT("a 1\n")), OBSV_OK);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE);
  obsv_parser_free(p);

  p = NULL;
  o.format = OBSV_FORMAT_TEXT; /* nothing held back for detection */
  CHECK_EQ(obsv_parser_new(&o, &p, NULL), OBSV_OK);
  CHECK_EQ(obsv_parser_feed(p, LIT("a 1\nb 2\n")), OBSV_OK); /* exactly 8 */
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_SAMPLE);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_NEED_MORE);
  CHECK_EQ(obsv_parser_feed(p, LIT("c")), OBSV_ERR_LIMIT_EXCEEDED);
  CHECK_EQ(obsv_parser_next(p), OBSV_ENTRY_ERROR);
  CHECK(obsv_parser_error(p) != NULL &&
        obsv_error_code(obsv_parser_error(p)) == OBSV_ERR_LIMIT_EXCEEDED);
  obsv_parser_free(p);
}

/* ------------------------------------------------------------------------ */
/* Writer                                                                   */

static obsv_sample NewSample(const char* name, double value) {
  obsv_sample s;
  memset(&s, 0, sizeof(s));
  s.name = Str(name);
  s.value = value;
  return s;
}

static void TestWriterText(void) {
  obsv_writer* w = NULL;
  obsv_error* err = (obsv_error*)&err;
  CHECK_EQ(obsv_writer_new(OBSV_FORMAT_TEXT, &w, &err), OBSV_OK);
  CHECK(w != NULL);
  CHECK(err == NULL);
  if (w == NULL) return;

  obsv_label labels[2];
  labels[0].name = Str("method");
  labels[0].value = Str("get");
  labels[1].name = Str("path");
  labels[1].value = Str("a\"b\\c\nd");
  CHECK_EQ(obsv_writer_begin_family(w, Str("x_total"), OBSV_TYPE_COUNTER,
                                    Str("Total \\ of x.\nSecond line."), 1,
                                    Str(""), &err),
           OBSV_OK);
  obsv_sample s = NewSample("x_total", 3);
  s.labels = labels;
  s.label_count = 2;
  s.has_timestamp = 1;
  s.timestamp_ms = 1500;
  s.timestamp_nanos = 250000; /* below a millisecond: dropped in text */
  CHECK_EQ(obsv_writer_add_sample(w, &s, &err), OBSV_OK);
  s = NewSample("x_total", 1e6);
  CHECK_EQ(obsv_writer_add_sample(w, &s, NULL), OBSV_OK);

  /* A gauge without help, unit dropped in text, special values. */
  CHECK_EQ(obsv_writer_begin_family(w, Str("temp_celsius"), OBSV_TYPE_GAUGE,
                                    Str("ignored"), 0, Str("celsius"), NULL),
           OBSV_OK);
  s = NewSample("temp_celsius", NAN);
  CHECK_EQ(obsv_writer_add_sample(w, &s, NULL), OBSV_OK);
  s = NewSample("temp_celsius", -INFINITY);
  s.labels = labels;
  s.label_count = 1;
  CHECK_EQ(obsv_writer_add_sample(w, &s, NULL), OBSV_OK);
  s = NewSample("temp_celsius", 0.1);
  s.value_text = Str("18446744073709551615"); /* printed instead of value */
  CHECK_EQ(obsv_writer_add_sample(w, &s, NULL), OBSV_OK);
  s = NewSample("temp_celsius", 2.5);
  s.value_text = Str("junk"); /* not an integer beyond 2^53: ignored */
  CHECK_EQ(obsv_writer_add_sample(w, &s, NULL), OBSV_OK);

  /* A histogram: le canonical for text. */
  CHECK_EQ(obsv_writer_begin_family(w, Str("lat_seconds"), OBSV_TYPE_HISTOGRAM,
                                    Str("Latency."), 1, Str(""), NULL),
           OBSV_OK);
  obsv_label le;
  le.name = Str("le");
  le.value = Str("1.0");
  s = NewSample("lat_seconds_bucket", 1);
  s.labels = &le;
  s.label_count = 1;
  CHECK_EQ(obsv_writer_add_sample(w, &s, NULL), OBSV_OK);
  le.value = Str("+Inf"); /* the writer copied the previous label */
  s = NewSample("lat_seconds_bucket", 2);
  s.labels = &le;
  s.label_count = 1;
  CHECK_EQ(obsv_writer_add_sample(w, &s, NULL), OBSV_OK);
  s = NewSample("lat_seconds_sum", 0.75);
  CHECK_EQ(obsv_writer_add_sample(w, &s, NULL), OBSV_OK);
  s = NewSample("lat_seconds_count", 2);
  CHECK_EQ(obsv_writer_add_sample(w, &s, NULL), OBSV_OK);

  obsv_str out = {NULL, 0};
  CHECK_EQ(obsv_writer_finish(w, &out, &err), OBSV_OK);
  CHECK_STR(out,
            "# HELP x_total Total \\\\ of x.\\nSecond line.\n"
            "# TYPE x_total counter\n"
            "x_total{method=\"get\",path=\"a\\\"b\\\\c\\nd\"} 3 1500\n"
            "x_total 1e+06\n"
            "# TYPE temp_celsius gauge\n"
            "temp_celsius NaN\n"
            "temp_celsius{method=\"get\"} -Inf\n"
            "temp_celsius 18446744073709551615\n"
            "temp_celsius 2.5\n"
            "# HELP lat_seconds Latency.\n"
            "# TYPE lat_seconds histogram\n"
            "lat_seconds_bucket{le=\"1\"} 1\n"
            "lat_seconds_bucket{le=\"+Inf\"} 2\n"
            "lat_seconds_sum 0.75\n"
            "lat_seconds_count 2\n");

  /* The output parses back, strictly. */
  obsv_parser* p = NewParser(OBSV_FORMAT_TEXT, 1);
  obsv_parser_reset(p, out.data, out.size);
  obsv_entry e;
  size_t samples = 0;
  while ((e = obsv_parser_next(p)) != OBSV_ENTRY_END && e != OBSV_ENTRY_ERROR) {
    samples += e == OBSV_ENTRY_SAMPLE;
  }
  CHECK_EQ(e, OBSV_ENTRY_END);
  CHECK_EQ(samples, 10);
  obsv_parser_free(p);

  /* "valid until the writer is freed or written to again": writing again
   * starts the next body. */
  CHECK_EQ(obsv_writer_begin_family(w, Str("up"), OBSV_TYPE_GAUGE, Str(""), 0,
                                    Str(""), NULL),
           OBSV_OK);
  s = NewSample("up", 1);
  CHECK_EQ(obsv_writer_add_sample(w, &s, NULL), OBSV_OK);
  CHECK_EQ(obsv_writer_finish(w, &out, NULL), OBSV_OK);
  CHECK_STR(out, "# TYPE up gauge\nup 1\n");
  obsv_writer_free(w);

  /* A writer with no family writes an empty text body. */
  w = NULL;
  CHECK_EQ(obsv_writer_new(OBSV_FORMAT_TEXT, &w, NULL), OBSV_OK);
  out.data = "junk";
  out.size = 4;
  CHECK_EQ(obsv_writer_finish(w, &out, NULL), OBSV_OK);
  CHECK_EQ(out.size, 0);
  obsv_writer_free(w);
}

static void TestWriterOpenMetrics(void) {
  obsv_writer* w = NULL;
  CHECK_EQ(obsv_writer_new(OBSV_FORMAT_OPENMETRICS, &w, NULL), OBSV_OK);
  if (w == NULL) return;

  obsv_label labels[1];
  labels[0].name = Str("method");
  labels[0].value = Str("get");
  obsv_label exemplar[1];
  exemplar[0].name = Str("trace_id");
  exemplar[0].value = Str("abc");

  /* A counter named as in text (`x_total`) is the OpenMetrics family `x`. */
  CHECK_EQ(obsv_writer_begin_family(w, Str("x_total"), OBSV_TYPE_COUNTER,
                                    Str("Say \"hi\"."), 1, Str(""), NULL),
           OBSV_OK);
  obsv_sample s = NewSample("x_total", 3);
  s.labels = labels;
  s.label_count = 1;
  s.has_timestamp = 1;
  s.timestamp_ms = 1500;
  s.timestamp_nanos = 250000;
  s.has_exemplar = 1;
  s.exemplar_labels = exemplar;
  s.exemplar_label_count = 1;
  s.exemplar_value = 0.5;
  s.exemplar_has_timestamp = 1;
  s.exemplar_timestamp_ms = 1520879607789LL;
  CHECK_EQ(obsv_writer_add_sample(w, &s, NULL), OBSV_OK);

  /* A counter family named `y`, with a sample of its own `_total`. */
  CHECK_EQ(obsv_writer_begin_family(w, Str("y"), OBSV_TYPE_COUNTER, Str(""), 0,
                                    Str(""), NULL),
           OBSV_OK);
  s = NewSample("y_total", 7);
  s.has_exemplar = 1; /* labelless exemplar, no timestamp */
  s.exemplar_value = 1;
  CHECK_EQ(obsv_writer_add_sample(w, &s, NULL), OBSV_OK);
  s = NewSample("y_created", 1.5);
  CHECK_EQ(obsv_writer_add_sample(w, &s, NULL), OBSV_OK);

  /* A histogram with a unit: le canonical, counts as integers. */
  CHECK_EQ(obsv_writer_begin_family(w, Str("lat_seconds"), OBSV_TYPE_HISTOGRAM,
                                    Str("Latency."), 1, Str("seconds"), NULL),
           OBSV_OK);
  obsv_label le;
  le.name = Str("le");
  le.value = Str("1");
  s = NewSample("lat_seconds_bucket", 1);
  s.labels = &le;
  s.label_count = 1;
  CHECK_EQ(obsv_writer_add_sample(w, &s, NULL), OBSV_OK);
  le.value = Str("+Inf");
  s = NewSample("lat_seconds_bucket", 2);
  s.labels = &le;
  s.label_count = 1;
  CHECK_EQ(obsv_writer_add_sample(w, &s, NULL), OBSV_OK);
  s = NewSample("lat_seconds_count", 2);
  CHECK_EQ(obsv_writer_add_sample(w, &s, NULL), OBSV_OK);
  s = NewSample("lat_seconds_sum", 5);
  CHECK_EQ(obsv_writer_add_sample(w, &s, NULL), OBSV_OK);

  obsv_str out = {NULL, 0};
  CHECK_EQ(obsv_writer_finish(w, &out, NULL), OBSV_OK);
  CHECK_STR(out,
            "# HELP x Say \\\"hi\\\".\n"
            "# TYPE x counter\n"
            "x_total{method=\"get\"} 3.0 1.50025 # {trace_id=\"abc\"} 0.5 "
            "1520879607.789\n"
            "# TYPE y counter\n"
            "y_total 7.0 # {} 1.0\n"
            "y_created 1.5\n"
            "# HELP lat_seconds Latency.\n"
            "# TYPE lat_seconds histogram\n"
            "# UNIT lat_seconds seconds\n"
            "lat_seconds_bucket{le=\"1.0\"} 1\n"
            "lat_seconds_bucket{le=\"+Inf\"} 2\n"
            "lat_seconds_count 2\n"
            "lat_seconds_sum 5.0\n"
            "# EOF\n");

  /* It is strict OpenMetrics. */
  obsv_parser* p = NewParser(OBSV_FORMAT_OPENMETRICS, 1);
  obsv_parser_reset(p, out.data, out.size);
  obsv_entry e;
  while ((e = obsv_parser_next(p)) != OBSV_ENTRY_END && e != OBSV_ENTRY_ERROR) {
  }
  CHECK_EQ(e, OBSV_ENTRY_END);
  obsv_parser_free(p);

  /* Finishing again without writing gives one `# EOF`, not two. */
  CHECK_EQ(obsv_writer_finish(w, &out, NULL), OBSV_OK);
  CHECK(out.size >= 6 && memcmp(out.data + out.size - 6, "# EOF\n", 6) == 0);
  CHECK(!(out.size >= 12 &&
          memcmp(out.data + out.size - 12, "# EOF\n# EOF\n", 12) == 0));
  obsv_writer_free(w);

  /* An empty OpenMetrics body is just `# EOF`. */
  w = NULL;
  CHECK_EQ(obsv_writer_new(OBSV_FORMAT_OPENMETRICS, &w, NULL), OBSV_OK);
  CHECK_EQ(obsv_writer_finish(w, &out, NULL), OBSV_OK);
  CHECK_STR(out, "# EOF\n");
  obsv_writer_free(w);
}

static void TestWriterErrors(void) {
  obsv_writer* w = (obsv_writer*)&w;
  obsv_error* err = NULL;

  obsv_writer_free(NULL); /* no-op */

  CHECK_EQ(obsv_writer_new(OBSV_FORMAT_AUTO, &w, &err), OBSV_ERR_INVALID_ARGUMENT);
  CHECK(w == NULL);
  CHECK(err != NULL && obsv_error_code(err) == OBSV_ERR_INVALID_ARGUMENT);
  obsv_error_free(err);
  err = NULL;
  CHECK_EQ(obsv_writer_new((obsv_format)9, &w, NULL), OBSV_ERR_INVALID_ARGUMENT);
  CHECK_EQ(obsv_writer_new(OBSV_FORMAT_TEXT, NULL, &err), OBSV_ERR_INVALID_ARGUMENT);
  CHECK(err != NULL);
  obsv_error_free(err);
  err = NULL;

  obsv_sample s = NewSample("a", 1);
  obsv_str out;
  CHECK_EQ(obsv_writer_begin_family(NULL, Str("a"), OBSV_TYPE_GAUGE, Str(""), 0,
                                    Str(""), NULL),
           OBSV_ERR_INVALID_ARGUMENT);
  CHECK_EQ(obsv_writer_add_sample(NULL, &s, NULL), OBSV_ERR_INVALID_ARGUMENT);
  CHECK_EQ(obsv_writer_finish(NULL, &out, NULL), OBSV_ERR_INVALID_ARGUMENT);
  CHECK_EQ(obsv_writer_add_parsed_sample(NULL, NULL, NULL), OBSV_ERR_INVALID_ARGUMENT);

  w = NULL;
  CHECK_EQ(obsv_writer_new(OBSV_FORMAT_TEXT, &w, NULL), OBSV_OK);
  /* A sample before any family. */
  CHECK_EQ(obsv_writer_add_sample(w, &s, &err), OBSV_ERR_FAILED_PRECONDITION);
  CHECK(err != NULL && obsv_error_code(err) == OBSV_ERR_FAILED_PRECONDITION);
  obsv_error_free(err);
  err = NULL;
  CHECK_EQ(obsv_writer_add_sample(w, NULL, NULL), OBSV_ERR_INVALID_ARGUMENT);
  CHECK_EQ(obsv_writer_finish(w, NULL, NULL), OBSV_ERR_INVALID_ARGUMENT);
  /* Bad families. */
  CHECK_EQ(obsv_writer_begin_family(w, Str(""), OBSV_TYPE_GAUGE, Str(""), 0,
                                    Str(""), &err),
           OBSV_ERR_INVALID_ARGUMENT);
  CHECK(err != NULL);
  obsv_error_free(err);
  err = NULL;
  CHECK_EQ(obsv_writer_begin_family(w, Str("a"), (obsv_metric_type)8, Str(""), 0,
                                    Str(""), NULL),
           OBSV_ERR_INVALID_ARGUMENT);
  /* labels NULL with a count. */
  CHECK_EQ(obsv_writer_begin_family(w, Str("a"), OBSV_TYPE_GAUGE, Str(""), 0,
                                    Str(""), NULL),
           OBSV_OK);
  s.label_count = 2;
  CHECK_EQ(obsv_writer_add_sample(w, &s, NULL), OBSV_ERR_INVALID_ARGUMENT);
  s.label_count = 0;
  /* A sample that does not belong to its family fails when the family is
   * written out. */
  s = NewSample("not_a", 1);
  CHECK_EQ(obsv_writer_add_sample(w, &s, NULL), OBSV_OK);
  CHECK_EQ(obsv_writer_finish(w, &out, &err), OBSV_ERR_INVALID_ARGUMENT);
  CHECK(err != NULL && strlen(obsv_error_message(err)) > 0);
  obsv_error_free(err);
  obsv_writer_free(w);
}

/* Parse with the C API and write with add_parsed_sample(): the fast path of
 * conversion gives what obsv_convert() gives. A family's metadata (HELP,
 * TYPE, UNIT, in any order) is collected, and the family begun at its first
 * sample or when the next family's metadata starts. */
typedef struct PendingFamily {
  char name[128];
  size_t name_len;
  obsv_metric_type type;
  char help[256];
  size_t help_len;
  int has_help;
  char unit[64];
  size_t unit_len;
  int open; /* metadata seen, begin_family() not called yet */
} PendingFamily;

static size_t CopyView(char* dst, size_t cap, obsv_str src) {
  size_t n = src.size < cap ? src.size : cap;
  if (n > 0) memcpy(dst, src.data, n);
  return n;
}

static void BeginPending(obsv_writer* w, PendingFamily* f) {
  if (!f->open) return;
  obsv_str name = {f->name, f->name_len};
  obsv_str help = {f->help, f->help_len};
  obsv_str unit = {f->unit, f->unit_len};
  CHECK_EQ(obsv_writer_begin_family(w, name, f->type, help, f->has_help, unit,
                                    NULL),
           OBSV_OK);
  f->open = 0;
}

static char* ConvertByHand(const char* body, size_t len, obsv_format from,
                           obsv_format to) {
  obsv_parser* p = NewParser(from, 0);
  obsv_writer* w = NULL;
  CHECK_EQ(obsv_writer_new(to, &w, NULL), OBSV_OK);
  CHECK_EQ(obsv_parser_reset(p, body, len), OBSV_OK);
  PendingFamily f;
  memset(&f, 0, sizeof(f));
  obsv_entry e;
  while ((e = obsv_parser_next(p)) != OBSV_ENTRY_END) {
    if (e == OBSV_ENTRY_ERROR) {
      CHECK(e != OBSV_ENTRY_ERROR);
      break;
    }
    if (e == OBSV_ENTRY_HELP || e == OBSV_ENTRY_TYPE || e == OBSV_ENTRY_UNIT) {
      obsv_str name = obsv_parser_family_name(p);
      if (!f.open || name.size != f.name_len ||
          memcmp(name.data, f.name, f.name_len) != 0) {
        BeginPending(w, &f);
        memset(&f, 0, sizeof(f));
        f.name_len = CopyView(f.name, sizeof(f.name), name);
        f.open = 1;
      }
      if (e == OBSV_ENTRY_HELP) {
        f.help_len = CopyView(f.help, sizeof(f.help), obsv_parser_help(p));
        f.has_help = 1;
      } else if (e == OBSV_ENTRY_TYPE) {
        f.type = obsv_parser_type(p);
      } else {
        f.unit_len = CopyView(f.unit, sizeof(f.unit), obsv_parser_unit(p));
      }
      /* Not at a sample: refused. */
      obsv_error* err = NULL;
      CHECK_EQ(obsv_writer_add_parsed_sample(w, p, &err),
               OBSV_ERR_FAILED_PRECONDITION);
      CHECK(err != NULL);
      obsv_error_free(err);
    } else if (e == OBSV_ENTRY_SAMPLE) {
      BeginPending(w, &f);
      CHECK_EQ(obsv_writer_add_parsed_sample(w, p, NULL), OBSV_OK);
    }
  }
  BeginPending(w, &f);
  obsv_str out = {NULL, 0};
  CHECK_EQ(obsv_writer_finish(w, &out, NULL), OBSV_OK);
  char* copy = (char*)malloc(out.size + 1);
  if (copy == NULL) exit(2);
  if (out.size > 0) memcpy(copy, out.data, out.size);
  copy[out.size] = '\0';
  obsv_writer_free(w);
  obsv_parser_free(p);
  return copy;
}

static const char kConvertText[] =
    "# HELP x_total Total x.\n"
    "# TYPE x_total counter\n"
    "x_total{a=\"b\"} 3 1500\n"
    "# A comment, dropped.\n"
    "# HELP lat_seconds Latency.\n"
    "# TYPE lat_seconds histogram\n"
    "lat_seconds_bucket{le=\"0.5\"} 1\n"
    "lat_seconds_bucket{le=\"+Inf\"} 2\n"
    "lat_seconds_sum 0.25\n"
    "lat_seconds_count 2\n"
    "# TYPE up gauge\n"
    "up{job=\"a\\\"b\"} 1\n";

static const char kConvertOpenMetrics[] =
    "# HELP x Total x.\n"
    "# TYPE x counter\n"
    "x_total{a=\"b\"} 3.0 1.5\n"
    "# HELP lat_seconds Latency.\n"
    "# TYPE lat_seconds histogram\n"
    "lat_seconds_bucket{le=\"0.5\"} 1\n"
    "lat_seconds_bucket{le=\"+Inf\"} 2\n"
    "lat_seconds_sum 0.25\n"
    "lat_seconds_count 2\n"
    "# TYPE up gauge\n"
    "up{job=\"a\\\"b\"} 1.0\n"
    "# EOF\n";

static void TestConvert(void) {
  char* out = NULL;
  size_t out_len = 0;
  obsv_error* err = (obsv_error*)&err;

  obsv_string_free(NULL); /* no-op */

  /* text -> OpenMetrics, format detected. */
  CHECK_EQ(obsv_convert(LIT(kConvertText), OBSV_FORMAT_AUTO, 1,
                        OBSV_FORMAT_OPENMETRICS, &out, &out_len, &err),
           OBSV_OK);
  CHECK(err == NULL);
  CHECK(out != NULL);
  if (out == NULL) return;
  CHECK_BYTES(out, out_len, kConvertOpenMetrics);
  CHECK_EQ(strlen(out), out_len); /* NUL-terminated */

  /* ... and back, to the same bytes minus the comment. */
  char* back = NULL;
  size_t back_len = 0;
  CHECK_EQ(obsv_convert(out, out_len, OBSV_FORMAT_OPENMETRICS, 1,
                        OBSV_FORMAT_TEXT, &back, &back_len, NULL),
           OBSV_OK);
  CHECK(back != NULL);
  if (back != NULL) {
    CHECK_BYTES(back, back_len,
                "# HELP x_total Total x.\n"
                "# TYPE x_total counter\n"
                "x_total{a=\"b\"} 3 1500\n"
                "# HELP lat_seconds Latency.\n"
                "# TYPE lat_seconds histogram\n"
                "lat_seconds_bucket{le=\"0.5\"} 1\n"
                "lat_seconds_bucket{le=\"+Inf\"} 2\n"
                "lat_seconds_sum 0.25\n"
                "lat_seconds_count 2\n"
                "# TYPE up gauge\n"
                "up{job=\"a\\\"b\"} 1\n");
    CHECK_EQ(strlen(back), back_len);
  }

  /* add_parsed_sample() gives the same bytes as obsv_convert(). */
  char* by_hand = ConvertByHand(LIT(kConvertText), OBSV_FORMAT_TEXT,
                                OBSV_FORMAT_OPENMETRICS);
  CHECK_BYTES(by_hand, strlen(by_hand), out);
  free(by_hand);
  if (back != NULL) {
    by_hand = ConvertByHand(out, out_len, OBSV_FORMAT_OPENMETRICS, OBSV_FORMAT_TEXT);
    CHECK_BYTES(by_hand, strlen(by_hand), back);
    free(by_hand);
  }
  /* The full OpenMetrics body (UNIT, exemplars, _created) too. */
  char* converted = NULL;
  size_t converted_len = 0;
  CHECK_EQ(obsv_convert(LIT(kOpenMetricsBody), OBSV_FORMAT_OPENMETRICS, 0,
                        OBSV_FORMAT_OPENMETRICS, &converted, &converted_len, NULL),
           OBSV_OK);
  by_hand = ConvertByHand(LIT(kOpenMetricsBody), OBSV_FORMAT_OPENMETRICS,
                          OBSV_FORMAT_OPENMETRICS);
  if (converted != NULL) CHECK_BYTES(by_hand, strlen(by_hand), converted);
  free(by_hand);
  obsv_string_free(converted);

  /* Samples with no TYPE: add_parsed_sample() opens their family itself. */
  by_hand = ConvertByHand(LIT("a 1\na 2\nb 3\n"), OBSV_FORMAT_TEXT,
                          OBSV_FORMAT_TEXT);
  CHECK_BYTES(by_hand, strlen(by_hand),
              "# TYPE a untyped\na 1\na 2\n# TYPE b untyped\nb 3\n");
  free(by_hand);

  obsv_string_free(out);
  obsv_string_free(back);

  /* out_len may be NULL. */
  out = NULL;
  CHECK_EQ(obsv_convert(LIT("a 1\n"), OBSV_FORMAT_TEXT, 0, OBSV_FORMAT_TEXT,
                        &out, NULL, NULL),
           OBSV_OK);
  CHECK(out != NULL && strcmp(out, "# TYPE a untyped\na 1\n") == 0);
  obsv_string_free(out);

  /* An empty input is an empty body. */
  out = NULL;
  CHECK_EQ(obsv_convert(NULL, 0, OBSV_FORMAT_TEXT, 0, OBSV_FORMAT_OPENMETRICS,
                        &out, &out_len, NULL),
           OBSV_OK);
  CHECK(out != NULL && strcmp(out, "# EOF\n") == 0);
  obsv_string_free(out);

  /* Misuse. */
  err = NULL;
  CHECK_EQ(obsv_convert(LIT("a 1\n"), OBSV_FORMAT_TEXT, 0, OBSV_FORMAT_TEXT,
                        NULL, &out_len, &err),
           OBSV_ERR_INVALID_ARGUMENT);
  CHECK(err != NULL);
  obsv_error_free(err);
  out = (char*)&out;
  CHECK_EQ(obsv_convert(LIT("a 1\n"), OBSV_FORMAT_TEXT, 0, OBSV_FORMAT_AUTO,
                        &out, &out_len, NULL),
           OBSV_ERR_INVALID_ARGUMENT);
  CHECK(out == NULL);
  CHECK_EQ(obsv_convert(LIT("a 1\n"), (obsv_format)4, 0, OBSV_FORMAT_TEXT, &out,
                        &out_len, NULL),
           OBSV_ERR_INVALID_ARGUMENT);
  CHECK_EQ(obsv_convert(NULL, 4, OBSV_FORMAT_TEXT, 0, OBSV_FORMAT_TEXT, &out,
                        &out_len, NULL),
           OBSV_ERR_INVALID_ARGUMENT);
  /* A parse error, without out_error. */
  out = (char*)&out;
  CHECK_EQ(obsv_convert(LIT("a{b=\"c} 1\n"), OBSV_FORMAT_TEXT, 0,
                        OBSV_FORMAT_TEXT, &out, &out_len, NULL),
           OBSV_ERR_UNTERMINATED_STRING);
  CHECK(out == NULL);
  /* Strictness is honoured: lenient accepts what strict refuses. */
  out = NULL;
  CHECK_EQ(obsv_convert(LIT("a 1\n\nb 2"), OBSV_FORMAT_TEXT, 0, OBSV_FORMAT_TEXT,
                        &out, &out_len, NULL),
           OBSV_OK);
  obsv_string_free(out);
  out = NULL;
  CHECK_EQ(obsv_convert(LIT("a 1\n\nb 2"), OBSV_FORMAT_TEXT, 1, OBSV_FORMAT_TEXT,
                        &out, &out_len, NULL),
           OBSV_ERR_UNEXPECTED_END);
  CHECK(out == NULL);
}

static void TestErrorLifetimes(void) {
  obsv_error_free(NULL); /* no-op */

  /* An owned error outlives everything that produced it. */
  obsv_error* err = NULL;
  char* out = NULL;
  obsv_convert(LIT("ok 1\nbad{x=\"y} 2\n"), OBSV_FORMAT_TEXT, 0,
               OBSV_FORMAT_TEXT, &out, NULL, &err);
  CHECK(out == NULL);
  CHECK(err != NULL);
  if (err != NULL) {
    /* Allocate and free a parser and a writer between. */
    obsv_parser* p = NewParser(OBSV_FORMAT_TEXT, 0);
    obsv_parser_reset(p, LIT("zzz{"));
    obsv_parser_next(p);
    obsv_parser_free(p);
    const char* message = obsv_error_message(err);
    CHECK(message != NULL && strlen(message) > 0);
    CHECK_EQ(obsv_error_code(err), OBSV_ERR_UNTERMINATED_STRING);
    CHECK_EQ(obsv_error_line(err), 2);
    CHECK_EQ(obsv_error_offset(err), 5 + obsv_error_column(err) - 1);
    obsv_error_free(err);
  }

  /* A borrowed error lasts until the next call on its parser; taking it
   * twice gives the same contents. */
  obsv_parser* p = NewParser(OBSV_FORMAT_TEXT, 1);
  obsv_parser_reset(p, LIT("a 1\na 2\n# TYPE a gauge\n"));
  obsv_entry e;
  while ((e = obsv_parser_next(p)) == OBSV_ENTRY_SAMPLE) {
  }
  CHECK_EQ(e, OBSV_ENTRY_ERROR);
  const obsv_error* b1 = obsv_parser_error(p);
  CHECK(b1 != NULL);
  if (b1 != NULL) {
    CHECK_EQ(obsv_error_code(b1), OBSV_ERR_METADATA_AFTER_SAMPLES);
    CHECK_EQ(obsv_error_line(b1), 3);
    char first[256];
    snprintf(first, sizeof(first), "%s", obsv_error_message(b1));
    const obsv_error* b2 = obsv_parser_error(p);
    CHECK(b2 != NULL && strcmp(obsv_error_message(b2), first) == 0);
  }
  obsv_parser_free(p);
}

int main(void) {
  TestVersion();
  TestStatusNames();
  TestMetricTypeNames();
  TestFormats();
  TestOptionsDefaults();
  TestParserLifecycle();
  TestTextBody();
  TestOpenMetricsBody();
  TestIncremental();
  TestFeedBeforeDrain();
  TestErrors();
  TestLimits();
  TestWriterText();
  TestWriterOpenMetrics();
  TestWriterErrors();
  TestConvert();
  TestErrorLifetimes();
  return CheckSummary();
}
