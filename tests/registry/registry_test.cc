#include "obsv/registry.h"

#include <atomic>
#include <cmath>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "obsv/exposition_parser.h"
#include "obsv/exposition_writer.h"

namespace obsv {
namespace {

struct FakeClock {
  absl::Time now = absl::FromUnixSeconds(1700000000);
  std::function<absl::Time()> Fn() {
    return [this] { return now; };
  }
};

// Parses `body` strictly in `format`; fails the test on error.
std::vector<MetricFamily> ParseStrict(const std::string& body, ExpositionFormat format) {
  absl::StatusOr<std::vector<MetricFamily>> f = ParseExposition(body, {.format = format, .strict = true});
  EXPECT_TRUE(f.ok()) << f.status() << "\n" << body;
  return f.ok() ? *f : std::vector<MetricFamily>{};
}

std::string Expose(const Registry& r, ExpositionFormat f) {
  std::string out;
  absl::Status s = r.Expose(f, &out);
  EXPECT_TRUE(s.ok()) << s;
  return out;
}

TEST(Registry, CounterTextAndOpenMetrics) {
  FakeClock clock;
  Registry r({.clock = clock.Fn()});
  auto fam = r.AddCounter({.name = "http_requests_total", .help = "Requests \"served\".",
                           .label_names = {"method", "code"}});
  ASSERT_TRUE(fam.ok()) << fam.status();
  EXPECT_EQ(fam->name(), "http_requests");
  Counter get = fam->WithLabelValues({"GET", "200"}).value();
  Counter post = fam->WithLabelValues({"POST", "500"}).value();
  get.Inc();
  get.Inc(2);
  post.Add(0.5);
  post.Add(-3);  // ignored
  EXPECT_EQ(get.Value(), 3);
  EXPECT_EQ(post.Value(), 0.5);
  EXPECT_EQ(Expose(r, ExpositionFormat::kText),
            "# HELP http_requests_total Requests \"served\".\n"
            "# TYPE http_requests_total counter\n"
            "http_requests_total{method=\"GET\",code=\"200\"} 3\n"
            "http_requests_total{method=\"POST\",code=\"500\"} 0.5\n");
  EXPECT_EQ(Expose(r, ExpositionFormat::kOpenMetrics),
            "# HELP http_requests Requests \\\"served\\\".\n"
            "# TYPE http_requests counter\n"
            "http_requests_total{method=\"GET\",code=\"200\"} 3.0\n"
            "http_requests_created{method=\"GET\",code=\"200\"} 1.7e+09\n"
            "http_requests_total{method=\"POST\",code=\"500\"} 0.5\n"
            "http_requests_created{method=\"POST\",code=\"500\"} 1.7e+09\n"
            "# EOF\n");
}

TEST(Registry, LookupReturnsSameSeries) {
  Registry r;
  auto fam = r.AddCounter({.name = "c", .label_names = {"a"}}).value();
  Counter x = fam.WithLabelValues({"1"}).value();
  x.Inc();
  Counter y = fam.Get({"1"}).value();
  y.Inc();
  EXPECT_EQ(x.Value(), 2);
  EXPECT_EQ(fam.Get({"2"}).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(fam.size(), 1u);
}

TEST(Registry, ManySeriesGrowTheTable) {
  Registry r;
  auto fam = r.AddCounter({.name = "c", .label_names = {"a", "b"}}).value();
  for (int i = 0; i < 5000; ++i) {
    std::string a = std::to_string(i), b = std::to_string(i * 7);
    fam.WithLabelValues({a, b}).value().Inc(static_cast<uint64_t>(i));
  }
  for (int i = 0; i < 5000; ++i) {
    std::string a = std::to_string(i), b = std::to_string(i * 7);
    ASSERT_EQ(fam.Get({a, b}).value().Value(), i);
  }
  EXPECT_EQ(fam.size(), 5000u);
  std::vector<MetricFamily> f = ParseStrict(Expose(r, ExpositionFormat::kText), ExpositionFormat::kText);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].samples.size(), 5000u);
}

TEST(Registry, ArityAndNameErrors) {
  Registry r;
  auto fam = r.AddCounter({.name = "c", .label_names = {"a", "b"}}).value();
  EXPECT_EQ(fam.WithLabelValues({"x"}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(fam.WithLabelValues({"x", "y", "z"}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(fam.WithLabelValues({"x", "\xff"}).status().code(), absl::StatusCode::kInvalidArgument);
  struct Case {
    MetricOptions o;
    bool ok;
  };
  std::vector<Case> cases = {
      {{.name = ""}, false},
      {{.name = "0abc"}, true},  // valid UTF-8 name, written quoted
      {{.name = "bad\xff"}, false},
      {{.name = "ok1", .label_names = {"__reserved"}}, false},
      {{.name = "ok2", .label_names = {"a", "a"}}, false},
      {{.name = "ok3", .label_names = {""}}, false},
      {{.name = "ok4", .label_names = {"a"}, .const_labels = {{"a", "1"}}}, false},
      {{.name = "ok5", .label_names = {"dotted.name"}}, true},
      {{.name = "ok6_seconds", .unit = "seconds"}, true},
      {{.name = "ok7", .unit = "seconds"}, false},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.o.name);
    EXPECT_EQ(r.AddGauge(c.o).ok(), c.ok);
  }
  Registry legacy({.legacy_names_only = true});
  EXPECT_FALSE(legacy.AddGauge({.name = "my.metric"}).ok());
  EXPECT_FALSE(legacy.AddGauge({.name = "m", .label_names = {"a.b"}}).ok());
  EXPECT_FALSE(r.AddHistogram({.name = "h", .label_names = {"le"}}, {1}).ok());
  EXPECT_FALSE(r.AddSummary({.name = "s", .label_names = {"quantile"}}).ok());
  EXPECT_FALSE(r.AddHistogram({.name = "h2"}, {2, 1}).ok());
  EXPECT_FALSE(r.AddStateSet({.name = "st"}, {}).ok());
  EXPECT_FALSE(r.AddStateSet({.name = "st", .label_names = {"st"}}, {"a"}).ok());
}

TEST(Registry, DuplicateRegistration) {
  Registry r;
  auto a = r.AddCounter({.name = "x_total", .label_names = {"a"}});
  ASSERT_TRUE(a.ok());
  auto b = r.AddCounter({.name = "x", .help = "ignored", .label_names = {"a"}});
  ASSERT_TRUE(b.ok());
  a->WithLabelValues({"1"}).value().Inc();
  EXPECT_EQ(b->Get({"1"}).value().Value(), 1);  // the same family
  EXPECT_EQ(r.AddCounter({.name = "x", .label_names = {"b"}}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.AddGauge({.name = "x", .label_names = {"a"}}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.AddGauge({.name = "x_total"}).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(r.AddGauge({.name = "x_created"}).status().code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(r.AddHistogram({.name = "h"}, {1, 2}).ok());
  EXPECT_FALSE(r.AddHistogram({.name = "h"}, {1, 3}).ok());
  EXPECT_FALSE(r.AddGauge({.name = "h_bucket"}).ok());
  EXPECT_EQ(r.family_count(), 2u);
  EXPECT_TRUE(r.Unregister("x").ok());
  EXPECT_TRUE(r.AddGauge({.name = "x_total"}).ok());
  EXPECT_EQ(r.Unregister("nope").code(), absl::StatusCode::kNotFound);
}

TEST(Registry, GaugeAndHistogram) {
  FakeClock clock;
  Registry r({.clock = clock.Fn()});
  Gauge g = r.AddGauge({.name = "temp"}).value().WithLabelValues({}).value();
  g.Set(10);
  g.Inc();
  g.Dec();
  g.Add(-0.5);
  EXPECT_EQ(g.Value(), 9.5);
  auto hf = r.AddHistogram({.name = "lat_seconds", .help = "Latency.", .unit = "seconds", .label_names = {"m"}},
                           {0.1, 1, 10});
  ASSERT_TRUE(hf.ok()) << hf.status();
  Histogram h = hf->WithLabelValues({"get"}).value();
  for (double v : {0.05, 0.1, 0.5, 5.0, 50.0, std::nan("")}) h.Observe(v);
  Histogram::Snapshot s = h.Read();
  EXPECT_EQ(s.cumulative, (std::vector<uint64_t>{2, 3, 4, 6}));
  EXPECT_EQ(s.count, 6u);
  EXPECT_TRUE(std::isnan(s.sum));
  Histogram h2 = hf->WithLabelValues({"put"}).value();
  h2.Observe(0.25);
  h2.Observe(2e6);
  std::string text = Expose(r, ExpositionFormat::kText);
  EXPECT_NE(text.find("lat_seconds_bucket{m=\"put\",le=\"0.1\"} 0\n"
                      "lat_seconds_bucket{m=\"put\",le=\"1\"} 1\n"
                      "lat_seconds_bucket{m=\"put\",le=\"10\"} 1\n"
                      "lat_seconds_bucket{m=\"put\",le=\"+Inf\"} 2\n"
                      "lat_seconds_count{m=\"put\"} 2\n"
                      "lat_seconds_sum{m=\"put\"} 2.00000025e+06\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("temp 9.5\n"), std::string::npos);
  std::string om = Expose(r, ExpositionFormat::kOpenMetrics);
  EXPECT_NE(om.find("# UNIT lat_seconds seconds\n"), std::string::npos);
  EXPECT_NE(om.find("lat_seconds_bucket{m=\"put\",le=\"1.0\"} 1\n"), std::string::npos) << om;
  ParseStrict(text, ExpositionFormat::kText);
  ParseStrict(om, ExpositionFormat::kOpenMetrics);
}

// The fast writer and the generic writer over the model agree byte for byte.
TEST(Registry, FastPathMatchesModelWriter) {
  FakeClock clock;
  Registry r({.clock = clock.Fn()});
  auto c = r.AddCounter({.name = "my.counter", .help = "h\\x\ny", .label_names = {"a", "b.c"},
                         .const_labels = {{"env", "p\"q\\r\ns"}}}).value();
  c.WithLabelValues({"z", ""}).value().Inc(1234567);
  c.WithLabelValues({"a", "é"}).value().Add(1e-9);
  c.WithLabelValues({"m", "x"}).value();
  auto g = r.AddGauge({.name = "g"}).value();
  g.WithLabelValues({}).value().Set(-0.0);
  auto gl = r.AddGauge({.name = "gl", .label_names = {"k"}}).value();
  gl.WithLabelValues({"inf"}).value().Set(INFINITY);
  gl.WithLabelValues({"nan"}).value().Set(NAN);
  gl.WithLabelValues({"big"}).value().Set(123456789.0);
  auto h = r.AddHistogram({.name = "h.x", .label_names = {"k"}}, ExponentialBuckets(0.001, 10, 6)).value();
  Histogram hh = h.WithLabelValues({"v"}).value();
  for (int i = 0; i < 3000; ++i) hh.Observe(i * 0.37);
  for (ExpositionFormat f : {ExpositionFormat::kText, ExpositionFormat::kOpenMetrics}) {
    SCOPED_TRACE(ExpositionFormatName(f));
    std::string fast = Expose(r, f);
    std::string model;
    ASSERT_TRUE(WriteExposition(r.Collect(f), {.format = f}, &model).ok());
    EXPECT_EQ(fast, model);
    ParseStrict(fast, f);
  }
}

// The bucket search (a branch-free count up to 32 bounds, a binary search
// beyond) against the definition: the first bound with v <= bound, +Inf for
// anything above and for NaN. Every bound count from 1 to 40, values on,
// between, below and above the bounds, infinities, NaN and -0.
TEST(Registry, HistogramBucketSearchMatchesDefinition) {
  Registry r;
  for (int n = 1; n <= 40; ++n) {
    SCOPED_TRACE(n);
    std::vector<double> bounds;
    for (int i = 0; i < n; ++i) bounds.push_back(-5 + 0.5 * i * i);
    auto fam = r.AddHistogram({.name = "search_" + std::to_string(n)}, bounds);
    ASSERT_TRUE(fam.ok()) << fam.status();
    Histogram h = fam->WithLabelValues({}).value();
    std::vector<double> values = {-INFINITY, INFINITY, std::nan(""), -0.0, 0.0, -1e300, 1e300};
    for (double b : bounds) {
      values.push_back(b);
      values.push_back(std::nextafter(b, -INFINITY));
      values.push_back(std::nextafter(b, INFINITY));
    }
    std::vector<uint64_t> want(bounds.size() + 1, 0);
    for (double v : values) {
      h.Observe(v);
      size_t i = 0;
      while (i < bounds.size() && !(v <= bounds[i])) ++i;
      ++want[i];
    }
    for (size_t i = 1; i < want.size(); ++i) want[i] += want[i - 1];
    Histogram::Snapshot s = h.Read();
    EXPECT_EQ(s.cumulative, want);
    EXPECT_EQ(s.count, values.size());
    ASSERT_EQ(s.upper_bounds.size(), bounds.size() + 1);
    EXPECT_TRUE(std::isinf(s.upper_bounds.back()));
  }
}

TEST(Registry, SummaryInfoStateSet) {
  FakeClock clock;
  Registry r({.clock = clock.Fn()});
  auto sf = r.AddSummary({.name = "rpc_seconds", .label_names = {"m"}},
                         {.quantiles = {0, 0.5, 1}, .max_age = absl::Seconds(50), .age_buckets = 5});
  ASSERT_TRUE(sf.ok()) << sf.status();
  Summary s = sf->WithLabelValues({"a"}).value();
  for (int i = 1; i <= 101; ++i) s.Observe(i);
  std::string om = Expose(r, ExpositionFormat::kOpenMetrics);
  EXPECT_NE(om.find("rpc_seconds{m=\"a\",quantile=\"0.5\"} 51.0\n"), std::string::npos) << om;
  EXPECT_NE(om.find("rpc_seconds{m=\"a\",quantile=\"0.0\"} 1.0\n"), std::string::npos) << om;
  EXPECT_NE(om.find("rpc_seconds{m=\"a\",quantile=\"1.0\"} 101.0\n"), std::string::npos) << om;
  EXPECT_NE(om.find("rpc_seconds_count{m=\"a\"} 101\n"), std::string::npos) << om;
  // Past the window the quantiles are NaN, count and sum stay.
  clock.now += absl::Seconds(61);
  s.Observe(1000);
  om = Expose(r, ExpositionFormat::kOpenMetrics);
  EXPECT_NE(om.find("rpc_seconds{m=\"a\",quantile=\"0.5\"} 1000.0\n"), std::string::npos) << om;
  EXPECT_NE(om.find("rpc_seconds_count{m=\"a\"} 102\n"), std::string::npos) << om;
  clock.now += absl::Seconds(200);
  om = Expose(r, ExpositionFormat::kOpenMetrics);
  EXPECT_NE(om.find("rpc_seconds{m=\"a\",quantile=\"0.5\"} NaN\n"), std::string::npos) << om;

  auto info = r.AddInfo({.name = "build_info", .label_names = {"version"}});
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->name(), "build");
  ASSERT_TRUE(info->WithLabelValues({"1.2.3"}).ok());
  auto st = r.AddStateSet({.name = "feature", .label_names = {"host"}}, {"a", "b", "c"});
  ASSERT_TRUE(st.ok()) << st.status();
  StateSet ss = st->WithLabelValues({"h1"}).value();
  ASSERT_TRUE(ss.Set("b", true).ok());
  EXPECT_EQ(ss.Set("zz", true).code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(ss.Get("b"));
  ASSERT_TRUE(ss.SetOnly("c").ok());
  EXPECT_FALSE(ss.Get("b"));
  om = Expose(r, ExpositionFormat::kOpenMetrics);
  EXPECT_NE(om.find("build_info{version=\"1.2.3\"} 1.0\n"), std::string::npos) << om;
  EXPECT_NE(om.find("feature{host=\"h1\",feature=\"a\"} 0.0\n"
                    "feature{host=\"h1\",feature=\"b\"} 0.0\n"
                    "feature{host=\"h1\",feature=\"c\"} 1.0\n"),
            std::string::npos)
      << om;
  ParseStrict(om, ExpositionFormat::kOpenMetrics);
  ParseStrict(Expose(r, ExpositionFormat::kText), ExpositionFormat::kText);
}

TEST(Registry, DeterministicOrder) {
  auto build = [](bool reverse) {
    FakeClock clock;
    auto r = std::make_unique<Registry>(RegistryOptions{.clock = clock.Fn()});
    std::vector<std::string> names = {"b", "a", "c"};
    if (reverse) std::reverse(names.begin(), names.end());
    for (const std::string& n : names) {
      auto f = r->AddCounter({.name = n, .label_names = {"k"}}).value();
      for (const std::string& k : names) f.WithLabelValues({k}).value().Inc();
    }
    return Expose(*r, ExpositionFormat::kOpenMetrics);
  };
  std::string a = build(false);
  EXPECT_EQ(a, build(true));
  EXPECT_LT(a.find("a_total{k=\"a\"}"), a.find("a_total{k=\"b\"}"));
  EXPECT_LT(a.find("a_total"), a.find("b_total"));
}

TEST(Registry, ConcurrentIncrementsAreExact) {
  Registry r;
  auto fam = r.AddCounter({.name = "c", .label_names = {"k"}}).value();
  auto hfam = r.AddHistogram({.name = "h"}, {1, 2, 3}).value();
  constexpr int kThreads = 8, kIters = 200000;
  std::atomic<bool> stop{false};
  std::thread scraper([&] {
    while (!stop.load()) {
      std::string out;
      ASSERT_TRUE(r.Expose(ExpositionFormat::kText, &out).ok());
      // Consistency: count equals the +Inf bucket and sum matches.
      Histogram::Snapshot s = hfam.WithLabelValues({}).value().Read();
      ASSERT_EQ(s.count, s.cumulative.back());
      ASSERT_EQ(s.sum, static_cast<double>(s.count) * 1.5);
    }
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Counter shared = fam.WithLabelValues({"shared"}).value();
      Counter own = fam.WithLabelValues({std::to_string(t)}).value();
      Histogram h = hfam.WithLabelValues({}).value();
      for (int i = 0; i < kIters; ++i) {
        shared.Inc();
        own.Inc(2);
        h.Observe(1.5);
        if (i % 1000 == 0) (void)fam.WithLabelValues({"shared"}).value();
      }
    });
  }
  for (auto& t : threads) t.join();
  stop = true;
  scraper.join();
  EXPECT_EQ(fam.Get({"shared"}).value().Value(), kThreads * kIters);
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(fam.Get({std::to_string(t)}).value().Value(), 2.0 * kIters);
  EXPECT_EQ(hfam.WithLabelValues({}).value().Read().count, uint64_t{kThreads} * kIters);
}

TEST(Registry, ConcurrentCreateAndLookup) {
  Registry r;
  auto fam = r.AddCounter({.name = "c", .label_names = {"k"}}).value();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 3000; ++i) fam.WithLabelValues({std::to_string(i)}).value().Inc();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(fam.size(), 3000u);
  for (int i = 0; i < 3000; ++i) ASSERT_EQ(fam.Get({std::to_string(i)}).value().Value(), 4);
}

TEST(Registry, RemoveClearAndIdleExpiry) {
  FakeClock clock;
  Registry r({.clock = clock.Fn(), .retire_grace = absl::Seconds(5)});
  auto fam = r.AddCounter({.name = "c", .label_names = {"k"}, .idle_ttl = absl::Minutes(1)}).value();
  Counter a = fam.WithLabelValues({"a"}).value();
  [[maybe_unused]] Counter b = fam.WithLabelValues({"b"}).value();  // a live handle, idle all the same
  fam.WithLabelValues({"c"}).value();
  EXPECT_TRUE(fam.Remove({"c"}));
  EXPECT_FALSE(fam.Remove({"c"}));
  EXPECT_EQ(fam.size(), 2u);
  EXPECT_EQ(r.ExpireIdle(), 0u);  // first check records the state
  clock.now += absl::Seconds(40);
  a.Inc();
  EXPECT_EQ(r.ExpireIdle(), 0u);
  clock.now += absl::Seconds(40);  // b idle for 80s, a for 40s
  EXPECT_EQ(r.ExpireIdle(), 1u);
  EXPECT_FALSE(fam.Get({"b"}).ok());
  EXPECT_TRUE(fam.Get({"a"}).ok());  // a lookup counts as use
  clock.now += absl::Seconds(50);
  EXPECT_EQ(r.ExpireIdle(), 0u);
  // A new series with the same values starts from zero.
  EXPECT_EQ(fam.WithLabelValues({"b"}).value().Value(), 0);
  fam.Clear();
  EXPECT_EQ(fam.size(), 0u);
  EXPECT_EQ(Expose(r, ExpositionFormat::kText), "");
  a = fam.WithLabelValues({"a"}).value();
  EXPECT_EQ(a.Value(), 0);
}

TEST(Registry, CardinalityLimit) {
  Registry r;
  auto refuse = r.AddCounter({.name = "r", .label_names = {"k"}, .max_series = 2}).value();
  ASSERT_TRUE(refuse.WithLabelValues({"1"}).ok());
  ASSERT_TRUE(refuse.WithLabelValues({"2"}).ok());
  EXPECT_EQ(refuse.WithLabelValues({"3"}).status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(refuse.WithLabelValues({"1"}).ok());  // existing ones still resolve
  auto over = r.AddCounter({.name = "o", .label_names = {"k", "j"}, .max_series = 1,
                            .overflow = OverflowPolicy::kOverflowSeries}).value();
  over.WithLabelValues({"1", "x"}).value().Inc();
  over.WithLabelValues({"2", "x"}).value().Inc();
  over.WithLabelValues({"3", "y"}).value().Inc(5);
  EXPECT_EQ(over.size(), 2u);
  std::string text = Expose(r, ExpositionFormat::kText);
  EXPECT_NE(text.find("o_total{k=\"__overflow__\",j=\"__overflow__\"} 6\n"), std::string::npos) << text;
  EXPECT_NE(text.find("obsv_registry_series_limit_hits_total{family=\"o\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("obsv_registry_series_limit_hits_total{family=\"r\"} 1\n"), std::string::npos) << text;
  ParseStrict(text, ExpositionFormat::kText);
  ParseStrict(Expose(r, ExpositionFormat::kOpenMetrics), ExpositionFormat::kOpenMetrics);
}

TEST(Registry, CollectorsWithCacheTtl) {
  FakeClock clock;
  Registry r({.clock = clock.Fn()});
  int calls = 0;
  ASSERT_TRUE(r.AddCollector(
                   "proc",
                   [&] {
                     ++calls;
                     MetricFamily f;
                     f.name = "proc_calls";
                     f.type = MetricType::kGauge;
                     f.samples.push_back({.name = "proc_calls", .value = static_cast<double>(calls)});
                     return std::vector<MetricFamily>{f};
                   },
                   absl::Seconds(10))
                  .ok());
  EXPECT_EQ(r.AddCollector("proc", [] { return std::vector<MetricFamily>{}; }).code(),
            absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(r.AddGauge({.name = "a_first"}).value().WithLabelValues({}).ok());
  ASSERT_TRUE(r.AddGauge({.name = "z_last"}).value().WithLabelValues({}).ok());
  std::string t1 = Expose(r, ExpositionFormat::kText);
  EXPECT_EQ(t1, "# TYPE a_first gauge\na_first 0\n# TYPE proc_calls gauge\nproc_calls 1\n"
                "# TYPE z_last gauge\nz_last 0\n");
  clock.now += absl::Seconds(5);
  EXPECT_EQ(Expose(r, ExpositionFormat::kText), t1);
  EXPECT_EQ(calls, 1);
  clock.now += absl::Seconds(6);
  EXPECT_NE(Expose(r, ExpositionFormat::kText).find("proc_calls 2\n"), std::string::npos);
  EXPECT_EQ(calls, 2);
  // A collector family clashing with a registered one is an error.
  ASSERT_TRUE(r.AddCollector("clash", [] {
                 MetricFamily f;
                 f.name = "z_last";
                 f.type = MetricType::kGauge;
                 return std::vector<MetricFamily>{f};
               }).ok());
  std::string out;
  EXPECT_EQ(r.Expose(ExpositionFormat::kText, &out).code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(r.RemoveCollector("clash").ok());
}

TEST(Negotiate, AcceptHeaders) {
  struct Case {
    std::string accept;
    ExpositionFormat format;
    bool utf8;
  };
  const ExpositionFormat T = ExpositionFormat::kText, O = ExpositionFormat::kOpenMetrics;
  std::vector<Case> cases = {
      {"", T, true},
      {"*/*", T, true},
      {"text/plain", T, true},
      {"application/openmetrics-text", O, true},
      {"application/openmetrics-text; version=1.0.0; charset=utf-8", O, true},
      {"application/openmetrics-text;version=0.0.1", O, true},
      {"application/openmetrics-text; version=2.0.0", T, true},
      {"APPLICATION/OpenMetrics-Text; Version=1.0.0", O, true},
      // Prometheus 2's scrape Accept header.
      {"application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
       "text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
       O, true},
      {"text/plain;version=0.0.4;q=0.9,application/openmetrics-text;version=1.0.0;q=0.5", T, true},
      {"application/openmetrics-text;q=0,text/plain", T, true},
      {"application/openmetrics-text;version=1.0.0;escaping=underscores", O, false},
      {"application/openmetrics-text;version=1.0.0;escaping=allow-utf-8", O, true},
      {"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,"
       "application/openmetrics-text;q=0.6",
       ExpositionFormat::kProtobuf, true},
      {"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=compact-text;q=0.7,"
       "application/openmetrics-text;q=0.6",
       O, true},
      {"garbage,,;;", T, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.accept);
    NegotiatedFormat n = NegotiateFormat(c.accept);
    EXPECT_EQ(n.format, c.format);
    EXPECT_EQ(n.content_type, ContentTypeFor(c.format));
    EXPECT_EQ(n.utf8_names, c.utf8);
  }
}

}  // namespace
}  // namespace obsv
