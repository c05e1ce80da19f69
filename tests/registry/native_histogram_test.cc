// Native histograms (keys, bounds, observation, bucket limit strategies),
// exemplars, gauge histograms: their registry semantics and their text and
// OpenMetrics output. The protobuf output is checked in protobuf_test.cc.
#include "registry/native_histogram.h"

#include <cfloat>
#include <atomic>
#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "obsv/exposition_parser.h"
#include "obsv/exposition_writer.h"
#include "obsv/registry.h"

namespace obsv {
namespace {

using internal::NativeBucketKey;
using internal::NativeBucketUpperBound;
using internal::PickNativeSchema;
constexpr double kInf = std::numeric_limits<double>::infinity();

struct FakeClock {
  absl::Time now = absl::FromUnixSeconds(1700000000);
  std::function<absl::Time()> Fn() {
    return [this] { return now; };
  }
};

std::string Expose(const Registry& r, ExpositionFormat f) {
  std::string out;
  absl::Status s = r.Expose(f, &out);
  EXPECT_TRUE(s.ok()) << s;
  return out;
}

using Buckets = std::vector<std::pair<int32_t, uint64_t>>;
Buckets Pairs(const std::vector<Histogram::NativeBucket>& b) {
  Buckets out;
  for (const auto& x : b) out.emplace_back(x.index, x.count);
  return out;
}

TEST(NativeHistogram, PickSchema) {
  struct Case {
    double factor;
    int32_t schema;
  };
  for (const Case& c : std::vector<Case>{{1.1, 3},
                                         {1.0905077326652577, 3},
                                         {1.09, 4},
                                         {2, 0},
                                         {1.5, 1},
                                         {4, -1},
                                         {16, -2},
                                         {65536, -4},
                                         {1e300, -4},
                                         {1.00001, 8},
                                         {1.0027112750502025, 8}}) {
    SCOPED_TRACE(c.factor);
    EXPECT_EQ(PickNativeSchema(c.factor), c.schema);
  }
}

TEST(NativeHistogram, Keys) {
  struct Case {
    double v;
    int32_t schema;
    int32_t key;
  };
  for (const Case& c : std::vector<Case>{
           {1, 0, 0},        {2, 0, 1},     {1.5, 0, 1},   {3, 0, 2},    {4, 0, 2},       {0.75, 0, 0},
           {0.5, 0, -1},     {0.25, 0, -2}, {1, 3, 0},     {1.09, 3, 1}, {1.0906, 3, 2},  {2, 3, 8},
           {0.5, 3, -8},     {1, -1, 0},    {2, -1, 1},    {4, -1, 1},   {5, -1, 2},      {0.3, -1, 0},
           {0.25, -1, -1},   {0.2, -1, -1}, {100, -4, 1},  {65536, -4, 1}, {65537, -4, 2}, {1, 8, 0},
           {DBL_MAX, 0, 1024}, {kInf, 0, 1025}, {DBL_MIN, 0, -1022}}) {
    SCOPED_TRACE(testing::Message() << c.v << " at schema " << c.schema);
    EXPECT_EQ(NativeBucketKey(c.v, c.schema), c.key);
  }
}

// A bucket's upper bound is in it, and the next double is in the next one.
TEST(NativeHistogram, UpperBoundsAgreeWithKeys) {
  for (int32_t schema = -4; schema <= 8; ++schema) {
    for (int32_t key : {-300, -17, -1, 0, 1, 2, 5, 37, 255, 256, 257, 900}) {
      SCOPED_TRACE(testing::Message() << "schema " << schema << " key " << key);
      double ub = NativeBucketUpperBound(key, schema);
      if (ub == 0 || std::isinf(ub) || ub == DBL_MAX) continue;
      EXPECT_EQ(NativeBucketKey(ub, schema), key);
      EXPECT_EQ(NativeBucketKey(std::nextafter(ub, kInf), schema), key + 1);
    }
  }
  EXPECT_EQ(NativeBucketUpperBound(1024, 0), DBL_MAX);
  EXPECT_EQ(NativeBucketUpperBound(0, 3), 1);
  EXPECT_EQ(NativeBucketUpperBound(8, 3), 2);
  EXPECT_EQ(NativeBucketUpperBound(-1, -1), 0.25);
}

TEST(NativeHistogram, ObserveSignsZeroNaNInf) {
  Registry r;
  auto fam = r.AddNativeHistogram({.name = "h"}, {.bucket_factor = 2});
  ASSERT_TRUE(fam.ok()) << fam.status();
  Histogram h = fam->WithLabelValues({}).value();
  for (double v : {0.0, 0.5, 1.0, 1.5, 2.0, 3.0, -1.0, -0.0, 1e-40, std::nan(""), kInf, -kInf}) h.Observe(v);
  Histogram::Snapshot s = h.Read();
  EXPECT_TRUE(s.native);
  EXPECT_EQ(s.schema, 0);
  EXPECT_EQ(s.count, 12u);
  EXPECT_TRUE(std::isnan(s.sum));
  EXPECT_EQ(s.zero_threshold, 2.938735877055719e-39);
  EXPECT_EQ(s.zero_count, 3u);  // 0, -0, 1e-40
  EXPECT_EQ(Pairs(s.positive), (Buckets{{-1, 1}, {0, 1}, {1, 2}, {2, 1}, {1025, 1}}));
  EXPECT_EQ(Pairs(s.negative), (Buckets{{0, 1}, {1025, 1}}));
  // No classic buckets: only +Inf, which has everything (NaN included).
  ASSERT_EQ(s.upper_bounds.size(), 1u);
  EXPECT_EQ(s.cumulative.back(), 12u);
}

TEST(NativeHistogram, ZeroThresholdZero) {
  Registry r;
  auto fam = r.AddNativeHistogram({.name = "h"}, {.bucket_factor = 2, .zero_threshold = 0});
  Histogram h = fam->WithLabelValues({}).value();
  h.Observe(0);
  h.Observe(1e-300);
  Histogram::Snapshot s = h.Read();
  EXPECT_EQ(s.zero_count, 1u);
  EXPECT_EQ(s.positive.size(), 1u);
}

TEST(NativeHistogram, LimitHalvesResolution) {
  Registry r;
  auto fam = r.AddNativeHistogram({.name = "h"}, {.bucket_factor = 2, .max_buckets = 4});
  Histogram h = fam->WithLabelValues({}).value();
  for (double v : {1, 2, 4, 8}) h.Observe(v);
  EXPECT_EQ(h.Read().schema, 0);
  h.Observe(16);  // 5 buckets > 4
  Histogram::Snapshot s = h.Read();
  EXPECT_EQ(s.schema, -1);
  EXPECT_EQ(Pairs(s.positive), (Buckets{{0, 1}, {1, 2}, {2, 2}}));
  EXPECT_EQ(s.count, 5u);
  EXPECT_EQ(s.sum, 31);
}

TEST(NativeHistogram, LimitWidensZeroBucketThenHalves) {
  Registry r;
  auto fam = r.AddNativeHistogram({.name = "h"}, {.bucket_factor = 2, .max_buckets = 2, .max_zero_threshold = 1});
  Histogram h = fam->WithLabelValues({}).value();
  for (double v : {0.5, 1.0, 4.0}) h.Observe(v);
  Histogram::Snapshot s = h.Read();
  EXPECT_EQ(s.zero_threshold, 0.5);
  EXPECT_EQ(s.zero_count, 1u);
  EXPECT_EQ(Pairs(s.positive), (Buckets{{0, 1}, {2, 1}}));
  h.Observe(8);
  s = h.Read();
  EXPECT_EQ(s.zero_threshold, 1);
  EXPECT_EQ(s.zero_count, 2u);
  EXPECT_EQ(Pairs(s.positive), (Buckets{{2, 1}, {3, 1}}));
  h.Observe(16);  // widening to 4 would pass max_zero_threshold: halve
  s = h.Read();
  EXPECT_EQ(s.zero_threshold, 1);
  EXPECT_EQ(s.schema, -1);
  EXPECT_EQ(Pairs(s.positive), (Buckets{{1, 1}, {2, 2}}));
  // A value below the widened threshold now goes to the zero bucket.
  h.Observe(-0.75);
  EXPECT_EQ(h.Read().zero_count, 3u);
}

TEST(NativeHistogram, LimitResetsAfterMinResetDuration) {
  FakeClock clock;
  Registry r({.clock = clock.Fn()});
  auto fam = r.AddNativeHistogram(
      {.name = "h"}, {.bucket_factor = 2, .max_buckets = 2, .min_reset_duration = absl::Hours(1)}, {10});
  Histogram h = fam->WithLabelValues({}).value();
  for (double v : {1, 2, 4}) h.Observe(v);  // too early to reset: halves
  EXPECT_EQ(h.Read().schema, -1);
  clock.now += absl::Hours(2);
  h.Observe(64);  // {0,1,2} at schema -1, then 3: resets, keeps 64 only
  Histogram::Snapshot s = h.Read();
  EXPECT_EQ(s.schema, 0);
  EXPECT_EQ(s.count, 1u);
  EXPECT_EQ(s.sum, 64);
  EXPECT_EQ(Pairs(s.positive), (Buckets{{6, 1}}));
  EXPECT_EQ(s.cumulative, (std::vector<uint64_t>{0, 1}));
  // `_created` moved to the reset.
  std::string om = Expose(r, ExpositionFormat::kOpenMetrics);
  EXPECT_NE(om.find("h_created 1.7000072e+09\n"), std::string::npos) << om;
}

TEST(NativeHistogram, ConcurrentObservationsAreExact) {
  Registry r;
  Histogram h = r.AddNativeHistogram({.name = "h"}, {.bucket_factor = 1.1, .max_buckets = 0}, {1})
                    ->WithLabelValues({})
                    .value();
  constexpr int kThreads = 4, kPerThread = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) h.Observe((i % 100) * 0.01 * (t + 1) - 0.5);
    });
  }
  // Scrape while they write: every snapshot is consistent.
  for (int i = 0; i < 50; ++i) {
    Histogram::Snapshot s = h.Read();
    uint64_t buckets = s.zero_count;
    for (const auto& b : s.positive) buckets += b.count;
    for (const auto& b : s.negative) buckets += b.count;
    EXPECT_EQ(buckets, s.count);
    EXPECT_EQ(s.cumulative.back(), s.count);
  }
  for (auto& t : threads) t.join();
  Histogram::Snapshot s = h.Read();
  EXPECT_EQ(s.count, uint64_t{kThreads} * kPerThread);
  uint64_t buckets = s.zero_count;
  for (const auto& b : s.positive) buckets += b.count;
  for (const auto& b : s.negative) buckets += b.count;
  EXPECT_EQ(buckets, s.count);
}

// Observers and a collector at once (Observe() is lock-free; Read() flips
// the hot count set and waits for the observations in flight): every
// snapshot must hold whole observations only, and nothing may be lost.
//
// Each observer thread observes +-2^e (e in -8..20, and some zeros). Those
// values are exact upper bounds of schema 0's buckets, and every partial
// sum of them is exact in a double, so while the schema stays 0 a snapshot's
// sum is determined by its buckets; once halving or widening merged
// buckets, the sum must still lie within the buckets' bounds.
struct ConcurrentCase {
  const char* name;
  NativeHistogramOptions options;
  bool resets;  // a reset drops counts: no exact totals
};

double ConcurrentValue(int thread, int i) {
  int e = (i * 7 + thread * 3) % 29 - 8;  // -8..20
  if (i % 31 == 0) return 0;
  double v = std::ldexp(1.0, e);
  return (i + thread) % 3 == 0 ? -v : v;
}

// Checks one snapshot; returns false (with failures recorded) if broken.
bool CheckSnapshot(const Histogram::Snapshot& s) {
  uint64_t buckets = s.zero_count;
  // Bounds of the sum implied by the buckets (bucket k covers
  // (2^((k-1)*2^-schema), 2^(k*2^-schema)]; the zero bucket [-t, t]).
  double lo = -s.zero_threshold * static_cast<double>(s.zero_count);
  double hi = -lo;
  double exact = 0;  // the sum if every value is its bucket's upper bound
  for (const auto* side : {&s.positive, &s.negative}) {
    double sign = side == &s.positive ? 1 : -1;
    for (const Histogram::NativeBucket& b : *side) {
      EXPECT_GT(b.count, 0u);
      buckets += b.count;
      double upper = internal::NativeBucketUpperBound(b.index, s.schema);
      double lower = internal::NativeBucketUpperBound(b.index - 1, s.schema);
      double n = static_cast<double>(b.count);
      if (sign > 0) {
        lo += n * lower;
        hi += n * upper;
      } else {
        lo -= n * upper;
        hi -= n * lower;
      }
      exact += sign * n * upper;
    }
  }
  bool ok = true;
  ok &= s.count == buckets;
  EXPECT_EQ(s.count, buckets) << "count is not the zero count plus the buckets' total";
  ok &= s.cumulative.back() == s.count;
  EXPECT_EQ(s.cumulative.back(), s.count);
  ok &= s.sum >= lo && s.sum <= hi;
  EXPECT_TRUE(s.sum >= lo && s.sum <= hi) << "sum " << s.sum << " outside [" << lo << ", " << hi << "]";
  if (s.schema == 0 && s.zero_threshold < 1.0 / 512) {
    ok &= s.sum == exact;
    EXPECT_EQ(s.sum, exact);
  }
  return ok;
}

TEST(NativeHistogram, ConcurrentCollectionIsConsistent) {
  const ConcurrentCase cases[] = {
      // Grows the bucket tables (58 keys) while being read.
      {"no limit", {.bucket_factor = 2, .max_buckets = 0}, false},
      // Halves down to schema -4 while being read.
      {"halving", {.bucket_factor = 2, .max_buckets = 6}, false},
      // Widens the zero bucket, then halves.
      {"widening", {.bucket_factor = 2, .max_buckets = 10, .max_zero_threshold = 64}, false},
      // Resets over and over (the clock jumps an hour per reading).
      {"resets", {.bucket_factor = 2, .max_buckets = 6, .min_reset_duration = absl::Minutes(30)}, true},
  };
  for (const ConcurrentCase& c : cases) {
    SCOPED_TRACE(c.name);
    std::atomic<int64_t> clock_hours{0};
    Registry r({.clock = [&] { return absl::FromUnixSeconds(1700000000) + absl::Hours(clock_hours.fetch_add(1)); }});
    auto fam = r.AddNativeHistogram({.name = "h"}, c.options, {0, 1});
    ASSERT_TRUE(fam.ok()) << fam.status();
    Histogram h = fam->WithLabelValues({}).value();
    // Observers run until they made kPerThread observations each and the
    // collector took kMinSnapshots snapshots, so the two overlap however
    // the threads are scheduled.
    constexpr int kThreads = 3, kPerThread = 20000, kMinSnapshots = 300;
    std::atomic<int> running{kThreads};
    std::atomic<int> snapshots{0};
    std::vector<int> done(kThreads, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        int i = 0;
        for (; i < kPerThread || snapshots.load(std::memory_order_relaxed) < kMinSnapshots; ++i) {
          h.Observe(ConcurrentValue(t, i));
        }
        done[t] = i;
        running.fetch_sub(1);
      });
    }
    uint64_t previous = 0;
    bool ok = true;
    while (running.load() > 0) {
      Histogram::Snapshot s = h.Read();
      if (ok) ok = CheckSnapshot(s);  // report the first broken one only
      if (!c.resets) {
        EXPECT_GE(s.count, previous);  // never goes back
        previous = s.count;
      }
      snapshots.fetch_add(1, std::memory_order_relaxed);
    }
    for (auto& t : threads) t.join();
    Histogram::Snapshot s = h.Read();
    EXPECT_TRUE(CheckSnapshot(s));
    if (c.resets) continue;
    double sum = 0;
    uint64_t count = 0;
    for (int t = 0; t < kThreads; ++t) {
      for (int i = 0; i < done[t]; ++i) sum += ConcurrentValue(t, i);
      count += static_cast<uint64_t>(done[t]);
    }
    EXPECT_EQ(s.count, count);
    EXPECT_EQ(s.sum, sum);
    // The registry's model agrees.
    bool found = false;
    for (const MetricFamily& f : r.Collect()) {
      for (const Sample& x : f.samples) {
        if (x.name != "h_count") continue;
        found = true;
        EXPECT_EQ(x.value, static_cast<double>(count));
      }
    }
    EXPECT_TRUE(found);
  }
}

TEST(NativeHistogram, CollectCarriesNativeBuckets) {
  FakeClock clock;
  Registry r({.clock = clock.Fn()});
  auto fam = r.AddNativeHistogram({.name = "h", .label_names = {"m"}}, {.bucket_factor = 2}, {1});
  ASSERT_TRUE(fam.ok()) << fam.status();
  Histogram h = fam->WithLabelValues({"a"}).value();
  for (double v : {0.0, 0.5, 3.0, 3.5, -2.0}) h.Observe(v);
  ASSERT_TRUE(r.AddHistogram({.name = "classic"}, {1}).ok());
  ASSERT_TRUE(r.AddHistogram({.name = "classic"}, {1})->WithLabelValues({}).ok());

  std::vector<MetricFamily> fams = r.Collect();
  const Sample* count = nullptr;
  for (const MetricFamily& f : fams) {
    for (const Sample& s : f.samples) {
      if (s.name == "h_count") count = &s;
      if (s.name != "h_count") {
        EXPECT_FALSE(s.native.has_value()) << s.name;
      }
    }
  }
  ASSERT_NE(count, nullptr);
  ASSERT_TRUE(count->native.has_value());
  const NativeHistogramData& d = *count->native;
  EXPECT_EQ(d.schema, 0);
  EXPECT_EQ(d.zero_threshold, 2.938735877055719e-39);
  EXPECT_EQ(d.zero_count, 1u);
  auto pairs = [](const std::vector<NativeHistogramData::Bucket>& b) {
    Buckets out;
    for (const auto& x : b) out.emplace_back(x.index, x.count);
    return out;
  };
  EXPECT_EQ(pairs(d.positive), (Buckets{{-1, 1}, {2, 2}}));  // 0.5; 3 and 3.5
  EXPECT_EQ(pairs(d.negative), (Buckets{{1, 1}}));
  EXPECT_EQ(count->value, 5);

  // The model, given back by a collector, exposes as the same protobuf
  // bytes as the registered family.
  Registry r2({.clock = clock.Fn()});
  ASSERT_TRUE(r2.AddCollector("c", [&] { return fams; }).ok());
  EXPECT_EQ(Expose(r2, ExpositionFormat::kProtobuf), Expose(r, ExpositionFormat::kProtobuf));
}

TEST(NativeHistogram, TextAndOpenMetricsShowClassicBuckets) {
  FakeClock clock;
  Registry r({.clock = clock.Fn()});
  auto fam = r.AddNativeHistogram({.name = "rpc_seconds", .help = "RPC latency.", .label_names = {"m"}},
                                  {.bucket_factor = 1.1}, {0.1, 1});
  Histogram h = fam->WithLabelValues({"Get"}).value();
  h.Observe(0.05);
  h.Observe(0.5);
  h.Observe(5);
  EXPECT_EQ(Expose(r, ExpositionFormat::kText),
            "# HELP rpc_seconds RPC latency.\n"
            "# TYPE rpc_seconds histogram\n"
            "rpc_seconds_bucket{m=\"Get\",le=\"0.1\"} 1\n"
            "rpc_seconds_bucket{m=\"Get\",le=\"1\"} 2\n"
            "rpc_seconds_bucket{m=\"Get\",le=\"+Inf\"} 3\n"
            "rpc_seconds_count{m=\"Get\"} 3\n"
            "rpc_seconds_sum{m=\"Get\"} 5.55\n");
  absl::StatusOr<std::vector<MetricFamily>> parsed =
      ParseExposition(Expose(r, ExpositionFormat::kOpenMetrics), {.format = ExpositionFormat::kOpenMetrics, .strict = true});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
}

TEST(NativeHistogram, RegistrationShape) {
  Registry r;
  ASSERT_TRUE(r.AddNativeHistogram({.name = "h"}, {.bucket_factor = 2}).ok());
  EXPECT_TRUE(r.AddNativeHistogram({.name = "h"}, {.bucket_factor = 2}).ok());
  EXPECT_FALSE(r.AddNativeHistogram({.name = "h"}, {.bucket_factor = 4}).ok());
  EXPECT_FALSE(r.AddHistogram({.name = "h"}, {}).ok());
  for (NativeHistogramOptions bad : {NativeHistogramOptions{.bucket_factor = 1},
                                     NativeHistogramOptions{.bucket_factor = kInf},
                                     NativeHistogramOptions{.bucket_factor = std::nan("")},
                                     NativeHistogramOptions{.zero_threshold = -1},
                                     NativeHistogramOptions{.min_reset_duration = -absl::Seconds(1)}}) {
    absl::StatusOr<Family<Histogram>> f = r.AddNativeHistogram({.name = "bad"}, bad);
    EXPECT_EQ(f.status().code(), absl::StatusCode::kInvalidArgument);
  }
}

// ---- Exemplars ---------------------------------------------------------------

TEST(Exemplars, CounterAndHistogramInOpenMetricsOnly) {
  FakeClock clock;
  Registry r({.clock = clock.Fn()});
  Counter c = r.AddCounter({.name = "req"})->WithLabelValues({}).value();
  Histogram h = r.AddHistogram({.name = "lat"}, {0.1, 1})->WithLabelValues({}).value();
  ASSERT_TRUE(c.IncWithExemplar(2, {{"trace_id", "abc"}}).ok());
  clock.now += absl::Milliseconds(1500);
  ASSERT_TRUE(h.ObserveWithExemplar(0.5, {{"trace_id", "def"}}).ok());
  ASSERT_TRUE(h.ObserveWithExemplar(7, {}).ok());
  EXPECT_EQ(c.Value(), 2);
  EXPECT_EQ(Expose(r, ExpositionFormat::kOpenMetrics),
            "# TYPE lat histogram\n"
            "lat_bucket{le=\"0.1\"} 0\n"
            "lat_bucket{le=\"1.0\"} 1 # {trace_id=\"def\"} 0.5 1700000001.5\n"
            "lat_bucket{le=\"+Inf\"} 2 # {} 7.0 1700000001.5\n"
            "lat_count 2\n"
            "lat_sum 7.5\n"
            "lat_created 1.7e+09\n"
            "# TYPE req counter\n"
            "req_total 2.0 # {trace_id=\"abc\"} 2.0 1700000000\n"
            "req_created 1.7e+09\n"
            "# EOF\n");
  std::string text = Expose(r, ExpositionFormat::kText);
  EXPECT_EQ(text.find(" # {"), std::string::npos) << text;
  // The model (Collect) carries them too, and the OpenMetrics parser reads them back.
  absl::StatusOr<std::vector<MetricFamily>> parsed = ParseExposition(
      Expose(r, ExpositionFormat::kOpenMetrics), {.format = ExpositionFormat::kOpenMetrics, .strict = true});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->size(), 2u);
}

TEST(Exemplars, Limits) {
  Registry r;
  Counter c = r.AddCounter({.name = "req"})->WithLabelValues({}).value();
  std::string v128(120, 'x');
  EXPECT_TRUE(c.IncWithExemplar(1, {{"trace_i", v128}, {"a", ""}}).ok());  // 7+120+1 = 128
  absl::Status s = c.IncWithExemplar(1, {{"trace_id", v128}, {"a", ""}});  // 129
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("129"), std::string_view::npos) << s;
  // Characters, not bytes: 64 two-byte characters are 64.
  std::string wide;
  for (int i = 0; i < 127; ++i) wide += "\xc3\xa9";
  EXPECT_TRUE(c.IncWithExemplar(1, {{"t", wide}}).ok());
  EXPECT_FALSE(c.IncWithExemplar(1, {{"t", wide + "x"}}).ok());
  EXPECT_FALSE(c.IncWithExemplar(1, {{"", "x"}}).ok());
  EXPECT_FALSE(c.IncWithExemplar(1, {{"a", "\xff"}}).ok());
  EXPECT_FALSE(c.IncWithExemplar(1, {{"a", "1"}, {"a", "2"}}).ok());
  EXPECT_FALSE(c.AddWithExemplar(-1, {}).ok());
  EXPECT_EQ(c.Value(), 2);  // failed calls record nothing
}

TEST(Exemplars, NativeHistogramBucketExemplar) {
  Registry r;
  Histogram h = r.AddNativeHistogram({.name = "h"}, {.bucket_factor = 2}, {1})->WithLabelValues({}).value();
  ASSERT_TRUE(h.ObserveWithExemplar(0.5, {{"trace_id", "t1"}}).ok());
  std::string om = Expose(r, ExpositionFormat::kOpenMetrics);
  EXPECT_NE(om.find("h_bucket{le=\"1.0\"} 1 # {trace_id=\"t1\"} 0.5"), std::string::npos) << om;
  EXPECT_EQ(h.Read().count, 1u);
}

// ---- Gauge histograms ------------------------------------------------------------

TEST(GaugeHistogram, OpenMetricsAndText) {
  Registry r;
  auto fam = r.AddGaugeHistogram({.name = "queue_age_seconds", .help = "Queued items by age.", .label_names = {"q"}},
                                 {1, 10});
  ASSERT_TRUE(fam.ok()) << fam.status();
  GaugeHistogram g = fam->WithLabelValues({"a"}).value();
  g.Observe(0.5);
  g.Observe(5, 3);
  g.Observe(50);
  g.Observe(5, -1);
  Histogram::Snapshot s = g.Read();
  EXPECT_EQ(s.cumulative, (std::vector<uint64_t>{1, 3, 4}));
  EXPECT_EQ(s.sum, 60.5);
  EXPECT_EQ(Expose(r, ExpositionFormat::kOpenMetrics),
            "# HELP queue_age_seconds Queued items by age.\n"
            "# TYPE queue_age_seconds gaugehistogram\n"
            "queue_age_seconds_bucket{q=\"a\",le=\"1.0\"} 1\n"
            "queue_age_seconds_bucket{q=\"a\",le=\"10.0\"} 3\n"
            "queue_age_seconds_bucket{q=\"a\",le=\"+Inf\"} 4\n"
            "queue_age_seconds_gcount{q=\"a\"} 4\n"
            "queue_age_seconds_gsum{q=\"a\"} 60.5\n"
            "# EOF\n");
  std::string text = Expose(r, ExpositionFormat::kText);
  absl::StatusOr<std::vector<MetricFamily>> parsed =
      ParseExposition(text, {.format = ExpositionFormat::kText, .strict = true});
  ASSERT_TRUE(parsed.ok()) << parsed.status() << text;
  EXPECT_NE(text.find("queue_age_seconds_gcount{q=\"a\"} 4\n"), std::string::npos) << text;
  // Its names clash with a histogram's and with `le`.
  EXPECT_FALSE(r.AddCounter({.name = "queue_age_seconds_gcount"}).ok());
  EXPECT_FALSE(r.AddGaugeHistogram({.name = "g2", .label_names = {"le"}}, {1}).ok());
}

TEST(Negotiate, Protobuf) {
  // What Prometheus 2.42 sends with --enable-feature=native-histograms.
  NegotiatedFormat f = NegotiateFormat(
      "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.8,"
      "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.2,*/*;q=0.1");
  EXPECT_EQ(f.format, ExpositionFormat::kProtobuf);
  EXPECT_EQ(f.content_type,
            "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited");
  // Preferred less, or another encoding or message: not protobuf.
  EXPECT_EQ(NegotiateFormat("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;"
                            "encoding=delimited;q=0.1,application/openmetrics-text;version=1.0.0;q=0.5")
                .format,
            ExpositionFormat::kOpenMetrics);
  EXPECT_EQ(NegotiateFormat("application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text")
                .format,
            ExpositionFormat::kText);
  EXPECT_EQ(NegotiateFormat("application/vnd.google.protobuf;proto=other.Message;encoding=delimited").format,
            ExpositionFormat::kText);
  EXPECT_EQ(ExpositionFormatName(ExpositionFormat::kProtobuf), "protobuf");
}

TEST(Protobuf, WriteExpositionRefusesIt) {
  std::string out;
  EXPECT_EQ(WriteExposition({}, {.format = ExpositionFormat::kProtobuf}, &out).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace obsv
