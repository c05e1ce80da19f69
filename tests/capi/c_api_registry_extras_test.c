/* Tests of obsv/c_api_registry_extras.h in C11: the process collector, build
 * info, request metrics and the gzip exposition. The last line of output is
 * "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "obsv/c_api_registry_extras.h"

#include "check.h"

/* The registry as text 0.0.4, NUL-terminated; free() it. */
static char* ExposeText(obsv_registry* reg) {
  char* body = NULL;
  size_t len = 0;
  obsv_status s = obsv_registry_expose(reg, OBSV_FORMAT_TEXT, &body, &len, NULL);
  CHECK_EQ(s, OBSV_OK);
  return body;
}

static int Contains(const char* hay, const char* needle) { return hay != NULL && strstr(hay, needle) != NULL; }

static void TestProcessCollector(void) {
  obsv_registry* reg = NULL;
  obsv_error* err = NULL;
  obsv_process_collector_options o;
  char* text;
  CHECK_EQ(obsv_registry_new(NULL, &reg, NULL), OBSV_OK);
  CHECK_EQ(obsv_registry_add_process_collector(reg, NULL, &err), OBSV_OK);
  CHECK(err == NULL);
  CHECK_EQ(obsv_registry_add_process_collector(reg, NULL, &err), OBSV_ERR_ALREADY_EXISTS);
  obsv_error_free(err);
  obsv_process_collector_options_init(&o);
  o.name_prefix = Str("bad prefix");
  o.collector_name = Str("p2");
  CHECK_EQ(obsv_registry_add_process_collector(reg, &o, &err), OBSV_ERR_INVALID_ARGUMENT);
  CHECK(err != NULL && Contains(obsv_error_message(err), "bad prefix"));
  obsv_error_free(err);
  o.name_prefix = Str("myapp");
  o.cache_ttl_ms = 1000;
  CHECK_EQ(obsv_registry_add_process_collector(reg, &o, NULL), OBSV_OK);
  /* A proc root with nothing in it: the collector reports nothing, the
   * expose still succeeds. */
  o.name_prefix = Str("ghost");
  o.proc_root = Str("/nonexistent-proc");
  o.collector_name = Str("p3");
  CHECK_EQ(obsv_registry_add_process_collector(reg, &o, NULL), OBSV_OK);
  CHECK_EQ(obsv_registry_add_process_collector(NULL, NULL, NULL), OBSV_ERR_INVALID_ARGUMENT);
  text = ExposeText(reg);
  CHECK(Contains(text, "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total "));
  CHECK(Contains(text, "\nprocess_resident_memory_bytes "));
  CHECK(Contains(text, "\nprocess_open_fds "));
  CHECK(Contains(text, "\nprocess_max_fds "));
  CHECK(Contains(text, "\nprocess_threads "));
  CHECK(Contains(text, "\nprocess_start_time_seconds "));
  CHECK(Contains(text, "\nmyapp_process_virtual_memory_max_bytes "));
  CHECK(!Contains(text, "ghost_"));
  obsv_string_free(text);
  obsv_registry_free(reg);
}

static void TestBuildInfo(void) {
  obsv_registry* reg = NULL;
  obsv_build_info bi;
  obsv_label extra[1];
  obsv_error* err = NULL;
  char* text;
  CHECK_EQ(obsv_registry_new(NULL, &reg, NULL), OBSV_OK);
  obsv_build_info_init(&bi);
  bi.version = Str("1.2.3");
  bi.revision = Str("abc");
  bi.branch = Str("main");
  bi.build_date = Str("2026-12-03");
  bi.compiler = Str("cc 1");
  extra[0].name = Str("os");
  extra[0].value = Str("linux");
  bi.extra_labels = extra;
  bi.extra_label_count = 1;
  CHECK_EQ(obsv_register_build_info(reg, LIT("myapp"), &bi, &err), OBSV_OK);
  text = ExposeText(reg);
  CHECK(Contains(text, "myapp_build_info{version=\"1.2.3\",revision=\"abc\",branch=\"main\","
                       "build_date=\"2026-12-03\",compiler=\"cc 1\",os=\"linux\"} 1\n"));
  obsv_string_free(text);
  CHECK_EQ(obsv_register_build_info(reg, LIT("my app"), &bi, &err), OBSV_ERR_INVALID_ARGUMENT);
  obsv_error_free(err);
  /* Empty compiler: libobsv's. */
  obsv_build_info_init(&bi);
  CHECK_EQ(obsv_register_build_info(reg, LIT("other"), &bi, NULL), OBSV_OK);
  text = ExposeText(reg);
  CHECK(Contains(text, "other_build_info{version=\"\",revision=\"\",branch=\"\",build_date=\"\",compiler=\""));
  CHECK(!Contains(text, "compiler=\"\""));
  obsv_string_free(text);
  CHECK_EQ(obsv_register_build_info(reg, NULL, 3, &bi, NULL), OBSV_ERR_INVALID_ARGUMENT);
  CHECK_EQ(obsv_register_build_info(reg, LIT("x"), NULL, NULL), OBSV_ERR_INVALID_ARGUMENT);
  obsv_registry_free(reg);
}

static void TestRequestMetrics(void) {
  obsv_registry* reg = NULL;
  obsv_request_metrics_options o;
  obsv_request_metrics* m = NULL;
  obsv_error* err = NULL;
  double dur[] = {0.1, 1};
  char* text;
  int i;
  CHECK_EQ(obsv_registry_new(NULL, &reg, NULL), OBSV_OK);
  obsv_request_metrics_options_init(&o);
  o.prefix = Str("gw");
  o.endpoint = Str("api/v1/query");
  CHECK_EQ(obsv_request_metrics_new(reg, &o, &m, &err), OBSV_ERR_INVALID_ARGUMENT);
  CHECK(m == NULL);
  CHECK(err != NULL && Contains(obsv_error_message(err), "'/' at offset 3"));
  obsv_error_free(err);
  o.endpoint = Str("api_v1_query");
  o.duration_buckets = dur;
  o.duration_bucket_count = 2;
  CHECK_EQ(obsv_request_metrics_new(reg, &o, &m, &err), OBSV_OK);
  CHECK(m != NULL);
  for (i = 0; i < 10; ++i) obsv_request_metrics_observe(m, LIT("GET"), 200, 0.05, 1000);
  obsv_request_metrics_observe(m, LIT("post"), 503, 2.0, 10);
  obsv_request_metrics_observe(m, LIT("GET"), 200, 0.5, 1000);
  obsv_request_metrics_observe(NULL, LIT("GET"), 200, 0.5, 1000); /* no-op */
  text = ExposeText(reg);
  CHECK(Contains(text, "gw_api_v1_query_request_total{method=\"GET\",code=\"200\"} 11\n"));
  CHECK(Contains(text, "gw_api_v1_query_request_total{method=\"POST\",code=\"503\"} 1\n"));
  CHECK(Contains(text, "gw_api_v1_query_request_duration_seconds_bucket{method=\"GET\",code=\"200\",le=\"0.1\"} 10\n"));
  CHECK(Contains(text, "gw_api_v1_query_request_duration_seconds_bucket{method=\"GET\",code=\"200\",le=\"1\"} 11\n"));
  CHECK(Contains(text, "gw_api_v1_query_response_sizes_sum{method=\"GET\",code=\"200\"} 11000\n"));
  CHECK(Contains(text, "gw_api_v1_query_response_sizes_bucket{method=\"GET\",code=\"200\",le=\"1024\"} 11\n"));
  obsv_string_free(text);
  obsv_request_metrics_free(m);
  obsv_request_metrics_free(NULL);
  CHECK_EQ(obsv_request_metrics_new(reg, NULL, &m, NULL), OBSV_ERR_INVALID_ARGUMENT);
  obsv_registry_free(reg);
}

static void TestGzip(void) {
  obsv_registry* reg = NULL;
  obsv_metric_options mo;
  obsv_counter_family* fam = NULL;
  obsv_str label = {"i", 1};
  char* body = NULL;
  char* plain = NULL;
  size_t len = 0, plain_len = 0;
  const char* type = NULL;
  const char* enc = NULL;
  char value[16];
  obsv_str values[1];
  obsv_counter c;
  int i;
  CHECK_EQ(obsv_accepts_gzip(LIT("gzip")), 1);
  CHECK_EQ(obsv_accepts_gzip(LIT("deflate, gzip;q=0.5")), 1);
  CHECK_EQ(obsv_accepts_gzip(LIT("gzip;q=0")), 0);
  CHECK_EQ(obsv_accepts_gzip(LIT("identity")), 0);
  CHECK_EQ(obsv_accepts_gzip(NULL, 0), 0);

  CHECK_EQ(obsv_registry_new(NULL, &reg, NULL), OBSV_OK);
  obsv_metric_options_init(&mo);
  mo.name = Str("x");
  mo.help = Str("X.");
  mo.label_names = &label;
  mo.label_name_count = 1;
  CHECK_EQ(obsv_registry_counter(reg, &mo, &fam, NULL), OBSV_OK);
  for (i = 0; i < 100; ++i) {
    snprintf(value, sizeof value, "%d", i);
    values[0] = Str(value);
    CHECK_EQ(obsv_counter_family_with_labels(fam, values, 1, &c, NULL), OBSV_OK);
    obsv_counter_inc_by(c, (uint64_t)i);
  }
  CHECK_EQ(obsv_registry_expose_http(reg, LIT("application/openmetrics-text;version=1.0.0"), LIT("gzip"), &body,
                                     &len, &type, &enc, NULL),
           OBSV_OK);
  CHECK(strcmp(enc, "gzip") == 0);
  CHECK(strncmp(type, "application/openmetrics-text", 28) == 0);
  CHECK(len > 2 && (unsigned char)body[0] == 0x1f && (unsigned char)body[1] == 0x8b);
  CHECK_EQ(obsv_registry_expose(reg, OBSV_FORMAT_OPENMETRICS, &plain, &plain_len, NULL), OBSV_OK);
  {
    uLongf out_len = (uLongf)plain_len + 64;
    char* out = malloc(out_len);
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    CHECK_EQ(inflateInit2(&zs, 15 + 16), Z_OK);
    zs.next_in = (Bytef*)body;
    zs.avail_in = (uInt)len;
    zs.next_out = (Bytef*)out;
    zs.avail_out = (uInt)out_len;
    CHECK_EQ(inflate(&zs, Z_FINISH), Z_STREAM_END);
    CHECK_EQ(zs.total_out, plain_len);
    CHECK(memcmp(out, plain, plain_len) == 0);
    inflateEnd(&zs);
    free(out);
  }
  CHECK(len * 3 < plain_len);
  obsv_string_free(body);
  obsv_string_free(plain);
  CHECK_EQ(obsv_registry_expose_http(reg, NULL, 0, NULL, 0, &body, &len, &type, &enc, NULL), OBSV_OK);
  CHECK(strcmp(enc, "") == 0);
  CHECK(strncmp(type, "text/plain; version=0.0.4", 25) == 0);
  CHECK(strncmp(body, "# HELP x_total X.\n", 18) == 0);
  obsv_string_free(body);
  CHECK_EQ(obsv_registry_expose_http(NULL, NULL, 0, NULL, 0, &body, &len, NULL, NULL, NULL),
           OBSV_ERR_INVALID_ARGUMENT);
  CHECK(body == NULL);
  obsv_registry_free(reg);
}

int main(void) {
  TestProcessCollector();
  TestBuildInfo();
  TestRequestMetrics();
  TestGzip();
  return CheckSummary();
}
