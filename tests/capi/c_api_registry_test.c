/* Tests of the registry C ABI (obsv/c_api_registry.h), in C11 against the
 * installed headers only, in the manner of c_api_test.c. Expositions are
 * read back with obsv_parser to check the values. The last line of output
 * is "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obsv/c_api_registry.h"

#include "check.h"

/* The value of the sample `name` whose labels, rendered "k=v,k=v" in
 * order, equal `labels`, found by parsing `body` strictly in `format`.
 * NaN if absent; a parse error fails the check. */
static double SampleValue(const char* body, size_t len, obsv_format format, const char* name, const char* labels) {
  obsv_parser_options po;
  obsv_parser_options_init(&po);
  po.format = format;
  po.strict = 1;
  obsv_parser* p = NULL;
  if (obsv_parser_new(&po, &p, NULL) != OBSV_OK) return NAN;
  obsv_parser_reset(p, body, len);
  double found = NAN;
  obsv_entry e;
  char rendered[512];
  while ((e = obsv_parser_next(p)) != OBSV_ENTRY_END) {
    if (e == OBSV_ENTRY_ERROR) {
      const obsv_error* err = obsv_parser_error(p);
      printf("parse error %u:%u: %s\n", obsv_error_line(err), obsv_error_column(err), obsv_error_message(err));
      ++g_failed;
      break;
    }
    if (e != OBSV_ENTRY_SAMPLE) continue;
    obsv_str n = obsv_parser_metric_name(p);
    if (n.size != strlen(name) || memcmp(n.data, name, n.size) != 0) continue;
    size_t at = 0;
    rendered[0] = '\0';
    for (size_t i = 0; i < obsv_parser_label_count(p); ++i) {
      obsv_str ln = obsv_parser_label_name(p, i);
      obsv_str lv = obsv_parser_label_value(p, i);
      at += (size_t)snprintf(rendered + at, sizeof rendered - at, "%s%.*s=%.*s", i == 0 ? "" : ",", (int)ln.size,
                             ln.data, (int)lv.size, lv.data);
      if (at >= sizeof rendered) break;
    }
    if (strcmp(rendered, labels) == 0) {
      found = obsv_parser_value(p);
      break;
    }
  }
  obsv_parser_free(p);
  return found;
}

/* The whole registry in `format`; the caller frees it. */
static char* Expose(const obsv_registry* reg, obsv_format format, size_t* len) {
  char* out = NULL;
  obsv_error* err = NULL;
  obsv_status s = obsv_registry_expose(reg, format, &out, len, &err);
  CHECK_EQ(s, OBSV_OK);
  if (s != OBSV_OK) {
    printf("expose: %s\n", obsv_error_message(err));
    obsv_error_free(err);
    return NULL;
  }
  CHECK(err == NULL);
  CHECK(out != NULL && out[*len] == '\0');
  return out;
}

static obsv_registry* NewRegistry(void) {
  obsv_registry* reg = NULL;
  CHECK_EQ(obsv_registry_new(NULL, &reg, NULL), OBSV_OK);
  return reg;
}

static void TestCounter(void) {
  obsv_registry* reg = NewRegistry();
  obsv_metric_options o;
  obsv_metric_options_init(&o);
  obsv_str names[] = {STR("method"), STR("code")};
  o.name = Str("http_requests_total");
  o.help = Str("Requests served.");
  o.label_names = names;
  o.label_name_count = 2;
  obsv_counter_family* fam = NULL;
  obsv_error* err = NULL;
  CHECK_EQ(obsv_registry_counter(reg, &o, &fam, &err), OBSV_OK);
  CHECK(fam != NULL);
  CHECK(err == NULL);
  CHECK_EQ(obsv_registry_family_count(reg), 1);

  /* The same shape again: the same family. */
  obsv_counter_family* again = NULL;
  o.name = Str("http_requests");
  CHECK_EQ(obsv_registry_counter(reg, &o, &again, NULL), OBSV_OK);
  CHECK(again == fam);

  obsv_str get200[] = {STR("GET"), STR("200")};
  obsv_str post500[] = {STR("POST"), STR("500")};
  obsv_counter ok, failed;
  CHECK_EQ(obsv_counter_family_with_labels(fam, get200, 2, &ok, &err), OBSV_OK);
  CHECK_EQ(obsv_counter_family_with_labels(fam, post500, 2, &failed, NULL), OBSV_OK);
  obsv_counter_inc(ok);
  obsv_counter_inc_by(ok, 41);
  obsv_counter_add(ok, 0.5);
  obsv_counter_add(ok, -3);  /* ignored: counters only go up */
  obsv_counter_add(ok, NAN); /* ignored */
  obsv_counter_inc(failed);
  CHECK_NUM(obsv_counter_value(ok), 42.5);
  CHECK_NUM(obsv_counter_value(failed), 1);
  CHECK_EQ(obsv_counter_family_size(fam), 2);

  /* A handle resolved again names the same series. */
  obsv_counter ok2;
  CHECK_EQ(obsv_counter_family_get(fam, get200, 2, &ok2, NULL), OBSV_OK);
  obsv_counter_inc(ok2);
  CHECK_NUM(obsv_counter_value(ok), 43.5);

  /* Exposition in both formats, read back. */
  size_t len = 0;
  char* text = Expose(reg, OBSV_FORMAT_TEXT, &len);
  CHECK_NUM(SampleValue(text, len, OBSV_FORMAT_TEXT, "http_requests_total", "method=GET,code=200"), 43.5);
  CHECK_NUM(SampleValue(text, len, OBSV_FORMAT_TEXT, "http_requests_total", "method=POST,code=500"), 1);
  CHECK(strstr(text, "# HELP http_requests_total Requests served.\n") != NULL);
  CHECK(strstr(text, "# TYPE http_requests_total counter\n") != NULL);
  obsv_string_free(text);
  char* om = Expose(reg, OBSV_FORMAT_OPENMETRICS, &len);
  CHECK_NUM(SampleValue(om, len, OBSV_FORMAT_OPENMETRICS, "http_requests_total", "method=GET,code=200"), 43.5);
  CHECK(!isnan(SampleValue(om, len, OBSV_FORMAT_OPENMETRICS, "http_requests_created", "method=GET,code=200")));
  CHECK(len >= 6 && strcmp(om + len - 6, "# EOF\n") == 0);
  obsv_string_free(om);

  /* Label errors. */
  obsv_counter h;
  h.opaque[0] = &h;
  CHECK_EQ(obsv_counter_family_with_labels(fam, get200, 1, &h, &err), OBSV_ERR_INVALID_ARGUMENT);
  CHECK(err != NULL);
  CHECK_EQ(obsv_error_code(err), OBSV_ERR_INVALID_ARGUMENT);
  obsv_error_free(err);
  CHECK(h.opaque[0] == NULL && h.opaque[1] == NULL); /* emptied */
  obsv_counter_inc(h);                               /* a no-op on an empty handle */
  CHECK_NUM(obsv_counter_value(h), 0);
  obsv_str bad_utf8[] = {STR("\xff"), STR("200")};
  CHECK_EQ(obsv_counter_family_with_labels(fam, bad_utf8, 2, &h, NULL), OBSV_ERR_INVALID_ARGUMENT);
  obsv_str absent[] = {STR("PUT"), STR("201")};
  CHECK_EQ(obsv_counter_family_get(fam, absent, 2, &h, &err), OBSV_ERR_NOT_FOUND);
  CHECK_EQ(obsv_error_code(err), OBSV_ERR_NOT_FOUND);
  obsv_error_free(err);
  CHECK_EQ(obsv_counter_family_with_labels(NULL, get200, 2, &h, NULL), OBSV_ERR_INVALID_ARGUMENT);
  CHECK_EQ(obsv_counter_family_with_labels(fam, NULL, 2, &h, NULL), OBSV_ERR_INVALID_ARGUMENT);

  /* Remove and clear. The removed series' handle stays usable (grace). */
  CHECK_EQ(obsv_counter_family_remove(fam, post500, 2), OBSV_OK);
  CHECK_EQ(obsv_counter_family_remove(fam, post500, 2), OBSV_ERR_NOT_FOUND);
  obsv_counter_inc(failed);
  CHECK_EQ(obsv_counter_family_size(fam), 1);
  text = Expose(reg, OBSV_FORMAT_TEXT, &len);
  CHECK(isnan(SampleValue(text, len, OBSV_FORMAT_TEXT, "http_requests_total", "method=POST,code=500")));
  obsv_string_free(text);
  obsv_counter_family_clear(fam);
  CHECK_EQ(obsv_counter_family_size(fam), 0);
  CHECK_EQ(obsv_counter_family_size(NULL), 0);

  /* Unregister. */
  CHECK_EQ(obsv_registry_unregister(reg, LIT("http_requests"), NULL), OBSV_OK);
  CHECK_EQ(obsv_registry_unregister(reg, LIT("http_requests"), &err), OBSV_ERR_NOT_FOUND);
  obsv_error_free(err);
  CHECK_EQ(obsv_registry_family_count(reg), 0);
  obsv_registry_free(reg);
}

static void TestRegistrationErrors(void) {
  obsv_registry* reg = NewRegistry();
  obsv_metric_options o;
  obsv_metric_options_init(&o);
  obsv_error* err = NULL;
  obsv_counter_family* c = NULL;
  obsv_gauge_family* g = NULL;

  o.name = Str("");
  CHECK_EQ(obsv_registry_counter(reg, &o, &c, &err), OBSV_ERR_INVALID_ARGUMENT);
  CHECK(c == NULL);
  CHECK(err != NULL && strstr(obsv_error_message(err), "invalid metric name") != NULL);
  obsv_error_free(err);

  obsv_str dup[] = {STR("a"), STR("a")};
  o.name = Str("x");
  o.label_names = dup;
  o.label_name_count = 2;
  CHECK_EQ(obsv_registry_counter(reg, &o, &c, NULL), OBSV_ERR_INVALID_ARGUMENT);
  o.label_names = NULL;
  CHECK_EQ(obsv_registry_counter(reg, &o, &c, NULL), OBSV_ERR_INVALID_ARGUMENT); /* NULL with a count */
  o.label_name_count = 0;
  memset(&o.overflow, 0x7f, sizeof o.overflow); /* any int may arrive from C */
  CHECK_EQ(obsv_registry_counter(reg, &o, &c, NULL), OBSV_ERR_INVALID_ARGUMENT);
  o.overflow = OBSV_OVERFLOW_REFUSE;

  /* Unit must be a suffix of the name. */
  o.name = Str("latency");
  o.unit = Str("seconds");
  CHECK_EQ(obsv_registry_gauge(reg, &o, &g, NULL), OBSV_ERR_INVALID_ARGUMENT);
  o.name = Str("latency_seconds");
  CHECK_EQ(obsv_registry_gauge(reg, &o, &g, NULL), OBSV_OK);
  o.unit = Str("");

  /* Same name, other type; a clash of sample names. */
  CHECK_EQ(obsv_registry_counter(reg, &o, &c, &err), OBSV_ERR_INVALID_ARGUMENT);
  CHECK(err != NULL && strstr(obsv_error_message(err), "already registered") != NULL);
  obsv_error_free(err);
  o.name = Str("jobs");
  CHECK_EQ(obsv_registry_counter(reg, &o, &c, NULL), OBSV_OK);
  o.name = Str("jobs_total");
  obsv_gauge_family* g2 = NULL;
  CHECK_EQ(obsv_registry_gauge(reg, &o, &g2, NULL), OBSV_ERR_INVALID_ARGUMENT);

  /* Histogram buckets, summary options, stateset states. */
  obsv_histogram_family* hf = NULL;
  double bad[] = {1, 0.5};
  o.name = Str("h");
  CHECK_EQ(obsv_registry_histogram(reg, &o, bad, 2, &hf, NULL), OBSV_ERR_INVALID_ARGUMENT);
  obsv_summary_family* sf = NULL;
  obsv_summary_options so;
  obsv_summary_options_init(&so);
  CHECK_EQ(so.age_buckets, 5);
  CHECK_EQ(so.max_age_ms, 600000);
  double q[] = {0.5, 1.5};
  so.quantiles = q;
  so.quantile_count = 2;
  o.name = Str("s");
  CHECK_EQ(obsv_registry_summary(reg, &o, &so, &sf, NULL), OBSV_ERR_INVALID_ARGUMENT);
  obsv_stateset_family* ssf = NULL;
  obsv_str same[] = {STR("on"), STR("on")};
  o.name = Str("st");
  CHECK_EQ(obsv_registry_stateset(reg, &o, same, 2, &ssf, NULL), OBSV_ERR_INVALID_ARGUMENT);
  CHECK_EQ(obsv_registry_stateset(reg, &o, NULL, 0, &ssf, NULL), OBSV_ERR_INVALID_ARGUMENT);

  /* NULL arguments. */
  CHECK_EQ(obsv_registry_counter(NULL, &o, &c, NULL), OBSV_ERR_INVALID_ARGUMENT);
  CHECK_EQ(obsv_registry_counter(reg, NULL, &c, NULL), OBSV_ERR_INVALID_ARGUMENT);
  CHECK_EQ(obsv_registry_counter(reg, &o, NULL, NULL), OBSV_ERR_INVALID_ARGUMENT);
  CHECK_EQ(obsv_registry_new(NULL, NULL, NULL), OBSV_ERR_INVALID_ARGUMENT);

  /* Legacy names only. */
  obsv_registry_options ro;
  obsv_registry_options_init(&ro);
  CHECK_EQ(ro.retire_grace_ms, 600000);
  ro.legacy_names_only = 1;
  obsv_registry* legacy = NULL;
  CHECK_EQ(obsv_registry_new(&ro, &legacy, NULL), OBSV_OK);
  o.name = Str("my.metric");
  CHECK_EQ(obsv_registry_gauge(legacy, &o, &g, NULL), OBSV_ERR_INVALID_ARGUMENT);
  CHECK_EQ(obsv_registry_gauge(reg, &o, &g, NULL), OBSV_OK);
  obsv_registry_free(legacy);

  obsv_registry_free(reg);
  obsv_registry_free(NULL);
}

static void TestOtherKinds(void) {
  obsv_registry* reg = NewRegistry();
  obsv_metric_options o;
  obsv_metric_options_init(&o);
  obsv_str pool[] = {STR("pool")};
  obsv_str a[] = {STR("a")};
  obsv_label const_labels[] = {{STR("service"), STR("api")}};

  /* Gauge. */
  o.name = Str("connections");
  o.help = Str("Open connections.");
  o.label_names = pool;
  o.label_name_count = 1;
  o.const_labels = const_labels;
  o.const_label_count = 1;
  obsv_gauge_family* gf = NULL;
  CHECK_EQ(obsv_registry_gauge(reg, &o, &gf, NULL), OBSV_OK);
  obsv_gauge g;
  CHECK_EQ(obsv_gauge_family_with_labels(gf, a, 1, &g, NULL), OBSV_OK);
  obsv_gauge_set(g, 10);
  obsv_gauge_inc(g);
  obsv_gauge_dec(g);
  obsv_gauge_dec(g);
  obsv_gauge_add(g, -2.5);
  CHECK_NUM(obsv_gauge_value(g), 6.5);
  o.const_labels = NULL;
  o.const_label_count = 0;

  /* Histogram with explicit buckets, and the default ones. */
  o.name = Str("rpc_seconds");
  o.help = Str("RPC latency.");
  o.unit = Str("seconds");
  double buckets[] = {0.1, 1};
  obsv_histogram_family* hf = NULL;
  CHECK_EQ(obsv_registry_histogram(reg, &o, buckets, 2, &hf, NULL), OBSV_OK);
  obsv_histogram h;
  CHECK_EQ(obsv_histogram_family_with_labels(hf, a, 1, &h, NULL), OBSV_OK);
  obsv_histogram_observe(h, 0.05);
  obsv_histogram_observe(h, 0.5);
  obsv_histogram_observe(h, 0.5);
  obsv_histogram_observe(h, 7);
  uint64_t count = 0;
  double sum = 0;
  obsv_histogram_read(h, &count, &sum);
  CHECK_EQ(count, 4);
  CHECK_NUM(sum, 8.05);
  o.unit = Str("");
  o.name = Str("default_buckets");
  obsv_histogram_family* dflt = NULL;
  CHECK_EQ(obsv_registry_histogram(reg, &o, NULL, 0, &dflt, NULL), OBSV_OK);
  obsv_histogram dh;
  CHECK_EQ(obsv_histogram_family_with_labels(dflt, a, 1, &dh, NULL), OBSV_OK);
  obsv_histogram_observe(dh, 0.003);

  /* Summary with two quantiles. */
  o.name = Str("payload_bytes");
  obsv_summary_options so;
  obsv_summary_options_init(&so);
  double q[] = {0.5, 1};
  so.quantiles = q;
  so.quantile_count = 2;
  obsv_summary_family* sf = NULL;
  CHECK_EQ(obsv_registry_summary(reg, &o, &so, &sf, NULL), OBSV_OK);
  obsv_summary s;
  CHECK_EQ(obsv_summary_family_with_labels(sf, a, 1, &s, NULL), OBSV_OK);
  for (int i = 1; i <= 5; ++i) obsv_summary_observe(s, i);

  /* Info: creating the series sets it. */
  obsv_str version[] = {STR("version")};
  o.name = Str("build_info");
  o.label_names = version;
  obsv_info_family* inf = NULL;
  CHECK_EQ(obsv_registry_info(reg, &o, &inf, NULL), OBSV_OK);
  obsv_str v1[] = {STR("1.2.3")};
  obsv_info info;
  CHECK_EQ(obsv_info_family_with_labels(inf, v1, 1, &info, NULL), OBSV_OK);

  /* StateSet. */
  o.name = Str("breaker");
  o.label_names = pool;
  obsv_str states[] = {STR("closed"), STR("open"), STR("half_open")};
  obsv_stateset_family* ssf = NULL;
  CHECK_EQ(obsv_registry_stateset(reg, &o, states, 3, &ssf, NULL), OBSV_OK);
  obsv_stateset ss;
  CHECK_EQ(obsv_stateset_family_with_labels(ssf, a, 1, &ss, NULL), OBSV_OK);
  CHECK_EQ(obsv_stateset_set(ss, LIT("closed"), 1), OBSV_OK);
  CHECK_EQ(obsv_stateset_set(ss, LIT("open"), 1), OBSV_OK);
  CHECK_EQ(obsv_stateset_get(ss, LIT("closed")), 1);
  CHECK_EQ(obsv_stateset_set_only(ss, LIT("half_open")), OBSV_OK);
  CHECK_EQ(obsv_stateset_get(ss, LIT("closed")), 0);
  CHECK_EQ(obsv_stateset_get(ss, LIT("half_open")), 1);
  CHECK_EQ(obsv_stateset_set(ss, LIT("melted"), 1), OBSV_ERR_NOT_FOUND);
  CHECK_EQ(obsv_stateset_get(ss, LIT("melted")), 0);
  obsv_stateset empty;
  memset(&empty, 0, sizeof empty);
  CHECK_EQ(obsv_stateset_set(empty, LIT("open"), 1), OBSV_ERR_INVALID_ARGUMENT);

  /* Everything, read back in both formats. */
  size_t len = 0;
  char* text = Expose(reg, OBSV_FORMAT_TEXT, &len);
  obsv_format t = OBSV_FORMAT_TEXT;
  CHECK_NUM(SampleValue(text, len, t, "connections", "service=api,pool=a"), 6.5);
  CHECK_NUM(SampleValue(text, len, t, "rpc_seconds_bucket", "pool=a,le=0.1"), 1);
  CHECK_NUM(SampleValue(text, len, t, "rpc_seconds_bucket", "pool=a,le=1"), 3);
  CHECK_NUM(SampleValue(text, len, t, "rpc_seconds_bucket", "pool=a,le=+Inf"), 4);
  CHECK_NUM(SampleValue(text, len, t, "rpc_seconds_count", "pool=a"), 4);
  CHECK_NUM(SampleValue(text, len, t, "rpc_seconds_sum", "pool=a"), 8.05);
  CHECK_NUM(SampleValue(text, len, t, "default_buckets_bucket", "pool=a,le=0.005"), 1);
  CHECK_NUM(SampleValue(text, len, t, "default_buckets_bucket", "pool=a,le=10"), 1);
  CHECK_NUM(SampleValue(text, len, t, "payload_bytes", "pool=a,quantile=0.5"), 3);
  CHECK_NUM(SampleValue(text, len, t, "payload_bytes", "pool=a,quantile=1"), 5);
  CHECK_NUM(SampleValue(text, len, t, "payload_bytes_count", "pool=a"), 5);
  CHECK_NUM(SampleValue(text, len, t, "payload_bytes_sum", "pool=a"), 15);
  CHECK_NUM(SampleValue(text, len, t, "build_info", "version=1.2.3"), 1);
  CHECK_NUM(SampleValue(text, len, t, "breaker", "pool=a,breaker=half_open"), 1);
  CHECK_NUM(SampleValue(text, len, t, "breaker", "pool=a,breaker=open"), 0);
  obsv_string_free(text);
  char* om = Expose(reg, OBSV_FORMAT_OPENMETRICS, &len);
  t = OBSV_FORMAT_OPENMETRICS;
  CHECK(strstr(om, "# UNIT rpc_seconds seconds\n") != NULL);
  CHECK(strstr(om, "# TYPE breaker stateset\n") != NULL);
  CHECK(strstr(om, "# TYPE build info\n") != NULL);
  CHECK_NUM(SampleValue(om, len, t, "rpc_seconds_bucket", "pool=a,le=1.0"), 3);
  CHECK_NUM(SampleValue(om, len, t, "build_info", "version=1.2.3"), 1);
  CHECK_NUM(SampleValue(om, len, t, "breaker", "pool=a,breaker=half_open"), 1);
  obsv_string_free(om);
  obsv_registry_free(reg);
}

static void TestLimits(void) {
  obsv_registry* reg = NewRegistry();
  obsv_metric_options o;
  obsv_metric_options_init(&o);
  obsv_str user[] = {STR("user")};
  o.name = Str("logins");
  o.label_names = user;
  o.label_name_count = 1;
  o.max_series = 2;
  obsv_counter_family* refuse = NULL;
  CHECK_EQ(obsv_registry_counter(reg, &o, &refuse, NULL), OBSV_OK);
  obsv_str u1[] = {STR("u1")}, u2[] = {STR("u2")}, u3[] = {STR("u3")};
  obsv_counter c;
  CHECK_EQ(obsv_counter_family_with_labels(refuse, u1, 1, &c, NULL), OBSV_OK);
  CHECK_EQ(obsv_counter_family_with_labels(refuse, u2, 1, &c, NULL), OBSV_OK);
  obsv_error* err = NULL;
  CHECK_EQ(obsv_counter_family_with_labels(refuse, u3, 1, &c, &err), OBSV_ERR_LIMIT_EXCEEDED);
  CHECK_EQ(obsv_error_code(err), OBSV_ERR_LIMIT_EXCEEDED);
  obsv_error_free(err);

  o.name = Str("visits");
  o.overflow = OBSV_OVERFLOW_SERIES;
  o.overflow_label_value = Str("other");
  obsv_counter_family* over = NULL;
  CHECK_EQ(obsv_registry_counter(reg, &o, &over, NULL), OBSV_OK);
  obsv_counter_family_with_labels(over, u1, 1, &c, NULL);
  obsv_counter_family_with_labels(over, u2, 1, &c, NULL);
  CHECK_EQ(obsv_counter_family_with_labels(over, u3, 1, &c, NULL), OBSV_OK);
  obsv_counter_inc(c);
  CHECK_EQ(obsv_counter_family_with_labels(over, u3, 1, &c, NULL), OBSV_OK);
  obsv_counter_inc(c);

  size_t len = 0;
  char* text = Expose(reg, OBSV_FORMAT_TEXT, &len);
  CHECK_NUM(SampleValue(text, len, OBSV_FORMAT_TEXT, "visits_total", "user=other"), 2);
  CHECK_NUM(SampleValue(text, len, OBSV_FORMAT_TEXT, "obsv_registry_series_limit_hits_total", "family=logins"), 1);
  CHECK_NUM(SampleValue(text, len, OBSV_FORMAT_TEXT, "obsv_registry_series_limit_hits_total", "family=visits"), 2);
  obsv_string_free(text);
  obsv_registry_free(reg);
}

/* ---- Collectors ---------------------------------------------------------- */

typedef struct Probe {
  int calls;
  int destroyed;
  int fail;
  double value;
} Probe;

static obsv_status Collect(void* user_data, obsv_family_sink* sink) {
  Probe* p = (Probe*)user_data;
  ++p->calls;
  obsv_status s = obsv_family_sink_begin(sink, Str("queue_depth"), OBSV_TYPE_GAUGE, Str("Items queued."), Str(""));
  if (s != OBSV_OK) return s;
  obsv_label q[] = {{STR("queue"), STR("a")}};
  s = obsv_family_sink_add_value(sink, Str("queue_depth"), q, 1, p->value);
  if (s != OBSV_OK) return s;
  s = obsv_family_sink_begin(sink, Str("jobs_done_total"), OBSV_TYPE_COUNTER, Str("Jobs done."), Str(""));
  if (s != OBSV_OK) return s;
  obsv_sample sample;
  memset(&sample, 0, sizeof sample);
  sample.name = Str("jobs_done_total");
  sample.value = 7;
  s = obsv_family_sink_add_sample(sink, &sample);
  if (s != OBSV_OK) return s;
  return p->fail ? OBSV_ERR_INTERNAL : OBSV_OK;
}

static void Destroy(void* user_data) { ++((Probe*)user_data)->destroyed; }

static obsv_status BadCollect(void* user_data, obsv_family_sink* sink) {
  (void)user_data;
  /* A sample before any family; then a family that cannot be written. */
  CHECK_EQ(obsv_family_sink_add_value(sink, Str("x"), NULL, 0, 1), OBSV_ERR_FAILED_PRECONDITION);
  CHECK_EQ(obsv_family_sink_add_value(NULL, Str("x"), NULL, 0, 1), OBSV_ERR_INVALID_ARGUMENT);
  obsv_metric_type t;
  memset(&t, 0x7f, sizeof t);
  CHECK_EQ(obsv_family_sink_begin(sink, Str("x"), t, Str(""), Str("")), OBSV_ERR_INVALID_ARGUMENT);
  obsv_str no_help = {NULL, 0};
  obsv_family_sink_begin(sink, Str("bad name"), OBSV_TYPE_GAUGE, no_help, Str(""));
  obsv_family_sink_add_value(sink, Str("bad_name"), NULL, 0, 1);
  return OBSV_OK;
}

static void TestCollectors(void) {
  obsv_registry* reg = NewRegistry();
  Probe p = {0, 0, 0, 3};
  obsv_error* err = NULL;
  CHECK_EQ(obsv_registry_add_collector(reg, LIT("queues"), Collect, &p, Destroy, 0, &err), OBSV_OK);
  CHECK(err == NULL);

  size_t len = 0;
  char* text = Expose(reg, OBSV_FORMAT_TEXT, &len);
  CHECK_EQ(p.calls, 1);
  CHECK_NUM(SampleValue(text, len, OBSV_FORMAT_TEXT, "queue_depth", "queue=a"), 3);
  CHECK_NUM(SampleValue(text, len, OBSV_FORMAT_TEXT, "jobs_done_total", ""), 7);
  CHECK(strstr(text, "# HELP queue_depth Items queued.\n") != NULL);
  obsv_string_free(text);
  char* om = Expose(reg, OBSV_FORMAT_OPENMETRICS, &len);
  CHECK_EQ(p.calls, 2); /* no TTL: called on every scrape */
  CHECK_NUM(SampleValue(om, len, OBSV_FORMAT_OPENMETRICS, "jobs_done_total", ""), 7);
  obsv_string_free(om);

  /* A name in use: refused, and the new user data is not destroyed. */
  Probe other = {0, 0, 0, 1};
  CHECK_EQ(obsv_registry_add_collector(reg, LIT("queues"), Collect, &other, Destroy, 0, &err),
           OBSV_ERR_ALREADY_EXISTS);
  CHECK_EQ(obsv_error_code(err), OBSV_ERR_ALREADY_EXISTS);
  obsv_error_free(err);
  CHECK_EQ(other.destroyed, 0);
  CHECK_EQ(obsv_registry_add_collector(reg, LIT("x"), NULL, &other, Destroy, 0, NULL), OBSV_ERR_INVALID_ARGUMENT);

  /* A failing callback contributes nothing. */
  p.fail = 1;
  text = Expose(reg, OBSV_FORMAT_TEXT, &len);
  CHECK(isnan(SampleValue(text, len, OBSV_FORMAT_TEXT, "queue_depth", "queue=a")));
  obsv_string_free(text);
  p.fail = 0;

  /* Remove: destroy runs once. */
  CHECK_EQ(obsv_registry_remove_collector(reg, LIT("queues"), NULL), OBSV_OK);
  CHECK_EQ(p.destroyed, 1);
  CHECK_EQ(obsv_registry_remove_collector(reg, LIT("queues"), NULL), OBSV_ERR_NOT_FOUND);

  /* A cache TTL: the second scrape within it reuses the first result. */
  p.calls = 0;
  p.value = 5;
  CHECK_EQ(obsv_registry_add_collector(reg, LIT("cached"), Collect, &p, Destroy, 3600 * 1000, NULL), OBSV_OK);
  text = Expose(reg, OBSV_FORMAT_TEXT, &len);
  obsv_string_free(text);
  p.value = 6;
  text = Expose(reg, OBSV_FORMAT_TEXT, &len);
  CHECK_EQ(p.calls, 1);
  CHECK_NUM(SampleValue(text, len, OBSV_FORMAT_TEXT, "queue_depth", "queue=a"), 5);
  obsv_string_free(text);

  /* A collector family that clashes with a registered one fails the expose. */
  obsv_metric_options o;
  obsv_metric_options_init(&o);
  o.name = Str("queue_depth");
  obsv_gauge_family* g = NULL;
  CHECK_EQ(obsv_registry_gauge(reg, &o, &g, NULL), OBSV_OK);
  char* out = NULL;
  CHECK_EQ(obsv_registry_expose(reg, OBSV_FORMAT_TEXT, &out, &len, &err), OBSV_ERR_INVALID_ARGUMENT);
  CHECK(out == NULL);
  obsv_error_free(err);
  CHECK_EQ(obsv_registry_unregister(reg, LIT("queue_depth"), NULL), OBSV_OK);

  /* A family that cannot be written fails the expose too. */
  CHECK_EQ(obsv_registry_add_collector(reg, LIT("bad"), BadCollect, NULL, NULL, 0, NULL), OBSV_OK);
  CHECK_EQ(obsv_registry_expose(reg, OBSV_FORMAT_TEXT, &out, &len, &err), OBSV_ERR_INVALID_ARGUMENT);
  CHECK(err != NULL);
  obsv_error_free(err);
  CHECK_EQ(obsv_registry_remove_collector(reg, LIT("bad"), NULL), OBSV_OK);

  /* Freeing the registry destroys the collectors it holds. */
  obsv_registry_free(reg);
  CHECK_EQ(p.destroyed, 2);
}

/* ---- Exposition into a buffer, negotiation -------------------------------- */

static void TestExposeInto(void) {
  obsv_registry* reg = NewRegistry();
  obsv_metric_options o;
  obsv_metric_options_init(&o);
  o.name = Str("up");
  obsv_gauge_family* gf = NULL;
  CHECK_EQ(obsv_registry_gauge(reg, &o, &gf, NULL), OBSV_OK);
  obsv_gauge g;
  CHECK_EQ(obsv_gauge_family_with_labels(gf, NULL, 0, &g, NULL), OBSV_OK);
  obsv_gauge_set(g, 1);

  size_t len = 0;
  char* whole = Expose(reg, OBSV_FORMAT_OPENMETRICS, &len);
  size_t needed = 0;
  obsv_error* err = NULL;
  /* Asking the size. */
  CHECK_EQ(obsv_registry_expose_into(reg, OBSV_FORMAT_OPENMETRICS, NULL, 0, &needed, &err),
           OBSV_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(needed, len);
  CHECK_EQ(obsv_error_code(err), OBSV_ERR_BUFFER_TOO_SMALL);
  obsv_error_free(err);
  /* Too small by one: untouched. */
  char small[256];
  memset(small, 'z', sizeof small);
  CHECK(len < sizeof small);
  CHECK_EQ(obsv_registry_expose_into(reg, OBSV_FORMAT_OPENMETRICS, small, len - 1, &needed, NULL),
           OBSV_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(needed, len);
  CHECK(small[0] == 'z');
  /* Exactly enough: the same bytes. */
  CHECK_EQ(obsv_registry_expose_into(reg, OBSV_FORMAT_OPENMETRICS, small, len, &needed, NULL), OBSV_OK);
  CHECK_EQ(needed, len);
  CHECK(memcmp(small, whole, len) == 0);
  CHECK(small[len] == 'z'); /* no NUL written */
  CHECK_NUM(SampleValue(small, needed, OBSV_FORMAT_OPENMETRICS, "up", ""), 1);
  obsv_string_free(whole);

  CHECK_EQ(obsv_registry_expose_into(reg, OBSV_FORMAT_TEXT, small, sizeof small, NULL, NULL),
           OBSV_ERR_INVALID_ARGUMENT);
  CHECK_EQ(obsv_registry_expose_into(reg, OBSV_FORMAT_AUTO, small, sizeof small, &needed, NULL),
           OBSV_ERR_INVALID_ARGUMENT);
  char* out = NULL;
  CHECK_EQ(obsv_registry_expose(reg, OBSV_FORMAT_AUTO, &out, &len, NULL), OBSV_ERR_INVALID_ARGUMENT);
  CHECK_EQ(obsv_registry_expose(NULL, OBSV_FORMAT_TEXT, &out, &len, NULL), OBSV_ERR_INVALID_ARGUMENT);
  obsv_registry_free(reg);
}

static void TestNegotiate(void) {
  obsv_format f;
  const char* ct = NULL;
  CHECK_EQ(obsv_negotiate_format(NULL, 0, &f, &ct), OBSV_OK);
  CHECK_EQ(f, OBSV_FORMAT_TEXT);
  CHECK(ct != NULL && strcmp(ct, "text/plain; version=0.0.4; charset=utf-8") == 0);
  const char prom[] =
      "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.1";
  CHECK_EQ(obsv_negotiate_format(LIT(prom), &f, &ct), OBSV_OK);
  CHECK_EQ(f, OBSV_FORMAT_OPENMETRICS);
  CHECK(strcmp(ct, "application/openmetrics-text; version=1.0.0; charset=utf-8") == 0);
  CHECK_EQ(obsv_negotiate_format(LIT("application/openmetrics-text;q=0"), &f, NULL), OBSV_OK);
  CHECK_EQ(f, OBSV_FORMAT_TEXT);
  CHECK_EQ(obsv_negotiate_format(LIT("text/plain"), NULL, &ct), OBSV_ERR_INVALID_ARGUMENT);
  CHECK_EQ(obsv_negotiate_format(NULL, 3, &f, &ct), OBSV_ERR_INVALID_ARGUMENT);

  CHECK(strcmp(obsv_status_name(OBSV_ERR_NOT_FOUND), "not_found") == 0);
  CHECK(strcmp(obsv_status_name(OBSV_ERR_ALREADY_EXISTS), "already_exists") == 0);
  CHECK(strcmp(obsv_status_name(OBSV_ERR_BUFFER_TOO_SMALL), "buffer_too_small") == 0);
}

/* ---- Threads -------------------------------------------------------------- */

enum { kThreads = 4, kIncrements = 100000 };

typedef struct Worker {
  obsv_counter_family* family;
  obsv_histogram_family* histogram;
} Worker;

static void* Work(void* arg) {
  Worker* w = (Worker*)arg;
  obsv_str v[] = {STR("shared")};
  obsv_counter c;
  obsv_histogram h;
  if (obsv_counter_family_with_labels(w->family, v, 1, &c, NULL) != OBSV_OK) return NULL;
  if (obsv_histogram_family_with_labels(w->histogram, v, 1, &h, NULL) != OBSV_OK) return NULL;
  for (int i = 0; i < kIncrements; ++i) {
    obsv_counter_inc(c);
    obsv_histogram_observe(h, 0.5);
  }
  return NULL;
}

static void TestThreads(void) {
  obsv_registry* reg = NewRegistry();
  obsv_metric_options o;
  obsv_metric_options_init(&o);
  obsv_str names[] = {STR("k")};
  o.name = Str("ops");
  o.label_names = names;
  o.label_name_count = 1;
  Worker w = {NULL, NULL};
  CHECK_EQ(obsv_registry_counter(reg, &o, &w.family, NULL), OBSV_OK);
  o.name = Str("op_seconds");
  CHECK_EQ(obsv_registry_histogram(reg, &o, NULL, 0, &w.histogram, NULL), OBSV_OK);
  pthread_t threads[kThreads];
  for (int i = 0; i < kThreads; ++i) pthread_create(&threads[i], NULL, Work, &w);
  /* Scrape while they write. */
  size_t len = 0;
  char* mid = Expose(reg, OBSV_FORMAT_TEXT, &len);
  obsv_string_free(mid);
  for (int i = 0; i < kThreads; ++i) pthread_join(threads[i], NULL);
  char* text = Expose(reg, OBSV_FORMAT_TEXT, &len);
  CHECK_NUM(SampleValue(text, len, OBSV_FORMAT_TEXT, "ops_total", "k=shared"), (double)kThreads * kIncrements);
  CHECK_NUM(SampleValue(text, len, OBSV_FORMAT_TEXT, "op_seconds_count", "k=shared"),
            (double)kThreads * kIncrements);
  CHECK_NUM(SampleValue(text, len, OBSV_FORMAT_TEXT, "op_seconds_bucket", "k=shared,le=0.25"), 0);
  obsv_string_free(text);
  obsv_registry_free(reg);
}

/* ---- Native histograms, exemplars, gauge histograms, protobuf ------------ */

static int Contains(const char* body, size_t len, const char* needle) {
  size_t n = strlen(needle);
  for (size_t i = 0; i + n <= len; ++i) {
    if (memcmp(body + i, needle, n) == 0) return 1;
  }
  return 0;
}

static void TestNativeAndExemplars(void) {
  obsv_registry* reg = NULL;
  CHECK_EQ(obsv_registry_new(NULL, &reg, NULL), OBSV_OK);
  obsv_metric_options o;
  obsv_metric_options_init(&o);

  /* A native histogram with classic buckets alongside. */
  obsv_native_histogram_options n;
  obsv_native_histogram_options_init(&n);
  CHECK_NUM(n.bucket_factor, 1.1);
  CHECK_EQ(n.max_buckets, 160);
  n.bucket_factor = 2;
  o.name = Str("nh_seconds");
  double classic[] = {1.5};
  obsv_histogram_family* nh = NULL;
  CHECK_EQ(obsv_registry_native_histogram(reg, &o, &n, classic, 1, &nh, NULL), OBSV_OK);
  obsv_histogram h;
  CHECK_EQ(obsv_histogram_family_with_labels(nh, NULL, 0, &h, NULL), OBSV_OK);
  obsv_histogram_observe(h, 1);
  obsv_histogram_observe(h, 2);
  obsv_histogram_observe(h, -3);
  obsv_histogram_observe(h, 0);
  int32_t schema = -99;
  double zt = -1;
  uint64_t zc = 99;
  size_t pos = 0, neg = 0;
  CHECK_EQ(obsv_histogram_read_native(h, &schema, &zt, &zc, &pos, &neg), 1);
  CHECK_EQ(schema, 0);
  CHECK(zt > 0 && zt < 1e-30);
  CHECK_EQ(zc, 1);
  CHECK_EQ(pos, 2);
  CHECK_EQ(neg, 1);
  uint64_t count = 0;
  double sum = 0;
  obsv_histogram_read(h, &count, &sum);
  CHECK_EQ(count, 4);
  CHECK_NUM(sum, 0);
  /* The buckets themselves: first ask the size (BUFFER_TOO_SMALL), then read. */
  obsv_native_histogram_state st;
  obsv_native_bucket pos_b[2] = {{7, 7}, {7, 7}}, neg_b[1] = {{7, 7}};
  obsv_error* serr = NULL;
  CHECK_EQ(obsv_histogram_read_native_buckets(h, &st, NULL, 0, NULL, 0, &serr), OBSV_ERR_BUFFER_TOO_SMALL);
  CHECK(serr != NULL);
  obsv_error_free(serr);
  CHECK_EQ(st.positive_count, 2);
  CHECK_EQ(st.negative_count, 1);
  CHECK_EQ(st.count, 4);
  CHECK_EQ(obsv_histogram_read_native_buckets(h, &st, pos_b, 1, neg_b, 1, NULL), OBSV_ERR_BUFFER_TOO_SMALL);
  CHECK_EQ(pos_b[0].index, 7); /* untouched */
  CHECK_EQ(obsv_histogram_read_native_buckets(h, &st, pos_b, 2, neg_b, 1, NULL), OBSV_OK);
  CHECK_EQ(st.schema, 0);
  CHECK(st.zero_threshold > 0 && st.zero_threshold < 1e-30);
  CHECK_EQ(st.zero_count, 1);
  CHECK_EQ(st.count, 4);
  CHECK_NUM(st.sum, 0);
  /* 1 is in bucket 0 ((0.5, 1]), 2 in bucket 1, -3 in negative bucket 2. */
  CHECK_EQ(pos_b[0].index, 0);
  CHECK_EQ(pos_b[0].count, 1);
  CHECK_EQ(pos_b[1].index, 1);
  CHECK_EQ(pos_b[1].count, 1);
  CHECK_EQ(neg_b[0].index, 2);
  CHECK_EQ(neg_b[0].count, 1);
  CHECK_EQ(obsv_histogram_read_native_buckets(h, NULL, pos_b, 2, neg_b, 1, NULL), OBSV_ERR_INVALID_ARGUMENT);
  CHECK_EQ(obsv_histogram_read_native_buckets(h, &st, NULL, 2, neg_b, 1, NULL), OBSV_ERR_INVALID_ARGUMENT);
  /* Bad options. */
  obsv_error* err = NULL;
  n.bucket_factor = 1;
  o.name = Str("bad");
  obsv_histogram_family* bad = NULL;
  CHECK_EQ(obsv_registry_native_histogram(reg, &o, &n, NULL, 0, &bad, &err), OBSV_ERR_INVALID_ARGUMENT);
  CHECK(bad == NULL && err != NULL);
  obsv_error_free(err);
  err = NULL;

  /* A classic histogram is not native. */
  o.name = Str("classic_seconds");
  obsv_histogram_family* ch = NULL;
  CHECK_EQ(obsv_registry_histogram(reg, &o, classic, 1, &ch, NULL), OBSV_OK);
  obsv_histogram c;
  CHECK_EQ(obsv_histogram_family_with_labels(ch, NULL, 0, &c, NULL), OBSV_OK);
  CHECK_EQ(obsv_histogram_read_native(c, NULL, NULL, NULL, NULL, NULL), 0);
  CHECK_EQ(obsv_histogram_read_native_buckets(c, &st, pos_b, 2, neg_b, 1, NULL), OBSV_ERR_INVALID_ARGUMENT);
  obsv_histogram no_handle;
  memset(&no_handle, 0, sizeof no_handle);
  CHECK_EQ(obsv_histogram_read_native_buckets(no_handle, &st, pos_b, 2, neg_b, 1, NULL), OBSV_ERR_INVALID_ARGUMENT);

  /* Exemplars. */
  obsv_label ex[] = {{STR("trace_id"), STR("abc")}};
  CHECK_EQ(obsv_histogram_observe_with_exemplar(c, 0.5, ex, 1, NULL), OBSV_OK);
  o.name = Str("jobs");
  obsv_counter_family* jobs = NULL;
  CHECK_EQ(obsv_registry_counter(reg, &o, &jobs, NULL), OBSV_OK);
  obsv_counter j;
  CHECK_EQ(obsv_counter_family_with_labels(jobs, NULL, 0, &j, NULL), OBSV_OK);
  CHECK_EQ(obsv_counter_inc_with_exemplar(j, 2, ex, 1, NULL), OBSV_OK);
  CHECK_EQ(obsv_counter_add_with_exemplar(j, 0.5, ex, 1, NULL), OBSV_OK);
  CHECK_EQ(obsv_counter_add_with_exemplar(j, -1, ex, 1, NULL), OBSV_ERR_INVALID_ARGUMENT);
  char long_value[130];
  memset(long_value, 'x', sizeof long_value);
  obsv_label too_long[] = {{STR("t"), {long_value, sizeof long_value}}};
  CHECK_EQ(obsv_counter_inc_with_exemplar(j, 1, too_long, 1, &err), OBSV_ERR_INVALID_ARGUMENT);
  CHECK(err != NULL && strstr(obsv_error_message(err), "128") != NULL);
  obsv_error_free(err);
  err = NULL;
  CHECK_EQ(obsv_counter_inc_with_exemplar(j, 1, NULL, 1, NULL), OBSV_ERR_INVALID_ARGUMENT);
  obsv_counter empty;
  memset(&empty, 0, sizeof empty);
  CHECK_EQ(obsv_counter_inc_with_exemplar(empty, 1, ex, 1, NULL), OBSV_ERR_INVALID_ARGUMENT);
  CHECK_NUM(obsv_counter_value(j), 2.5);

  /* A gauge histogram. */
  o.name = Str("queue_age_seconds");
  obsv_gauge_histogram_family* gf = NULL;
  CHECK_EQ(obsv_registry_gauge_histogram(reg, &o, classic, 1, &gf, NULL), OBSV_OK);
  obsv_gauge_histogram g;
  CHECK_EQ(obsv_gauge_histogram_family_with_labels(gf, NULL, 0, &g, NULL), OBSV_OK);
  obsv_gauge_histogram_observe(g, 1, 3);
  obsv_gauge_histogram_observe(g, 5, 1);
  obsv_gauge_histogram_observe(g, 1, -1);
  int64_t gcount = 0;
  double gsum = 0;
  obsv_gauge_histogram_read(g, &gcount, &gsum);
  CHECK_EQ(gcount, 3);
  CHECK_NUM(gsum, 7);
  CHECK_EQ(obsv_gauge_histogram_family_size(gf), 1);

  size_t len = 0;
  char* om = Expose(reg, OBSV_FORMAT_OPENMETRICS, &len);
  CHECK_NUM(SampleValue(om, len, OBSV_FORMAT_OPENMETRICS, "queue_age_seconds_gcount", ""), 3);
  CHECK_NUM(SampleValue(om, len, OBSV_FORMAT_OPENMETRICS, "nh_seconds_count", ""), 4);
  CHECK_NUM(SampleValue(om, len, OBSV_FORMAT_OPENMETRICS, "nh_seconds_bucket", "le=1.5"), 3);
  CHECK(Contains(om, len, "jobs_total 2.5 # {trace_id=\"abc\"} 0.5 "));
  CHECK(Contains(om, len, "classic_seconds_bucket{le=\"1.5\"} 1 # {trace_id=\"abc\"} 0.5 "));
  obsv_string_free(om);
  char* text = Expose(reg, OBSV_FORMAT_TEXT, &len);
  CHECK(!Contains(text, len, "trace_id"));
  obsv_string_free(text);

  /* Protobuf: binary, delimited; the first message's length prefix covers
   * part of the body, and the names are there. */
  char* pb = Expose(reg, OBSV_FORMAT_PROTOBUF, &len);
  CHECK(len > 10);
  if (pb != NULL && len > 2) {
    size_t first = (unsigned char)pb[0];
    if (first & 0x80) first = (first & 0x7f) | ((size_t)(unsigned char)pb[1] << 7);
    CHECK(first < len);
    CHECK(Contains(pb, len, "nh_seconds"));
    CHECK(Contains(pb, len, "jobs_total"));
    CHECK(Contains(pb, len, "trace_id"));
  }
  obsv_string_free(pb);
  CHECK(strcmp(obsv_format_content_type(OBSV_FORMAT_PROTOBUF),
               "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited") == 0);

  obsv_format f;
  const char* ct = NULL;
  const char accept[] =
      "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.8,"
      "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.2,*/*;q=0.1";
  CHECK_EQ(obsv_negotiate_format(LIT(accept), &f, &ct), OBSV_OK);
  CHECK_EQ(f, OBSV_FORMAT_PROTOBUF);
  CHECK(ct != NULL && strncmp(ct, "application/vnd.google.protobuf", 31) == 0);
  obsv_registry_free(reg);
}

int main(void) {
  TestCounter();
  TestRegistrationErrors();
  TestOtherKinds();
  TestLimits();
  TestCollectors();
  TestExposeInto();
  TestNegotiate();
  TestThreads();
  TestNativeAndExemplars();
  return CheckSummary();
}
