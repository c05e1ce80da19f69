// obsv::Registry next to prometheus-cpp (Debian prometheus-cpp-dev), same
// binary: counter increment (1 thread and 2 threads on one counter), gauge
// set, histogram observe (12 buckets, 1 and 2 threads), native histogram
// observe (obsv only: 1 and 2 threads), lookup of an
// existing 8-label series, serialising 10 000 and 100 000 counter series,
// and memory per counter series. The Go peers run the same operations on the
// same data in bench/go/cmd/regbench; bench/run_registry.sh runs both.
//
//   build/bin/registry_benchmark --benchmark_repetitions=5
#include <malloc.h>

#include <memory>
#include <string>
#include <vector>

#include "benchmark/benchmark.h"
#include "obsv/registry.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"

namespace {

// ---- counter increment ----------------------------------------------------

obsv::Counter& ObsvCounter() {
  static obsv::Registry* r = new obsv::Registry;
  static obsv::Counter c = r->AddCounter({.name = "bench_c"}).value().WithLabelValues({}).value();
  return c;
}

prometheus::Counter& PromCounter() {
  static auto* r = new prometheus::Registry;
  static prometheus::Counter& c = prometheus::BuildCounter().Name("bench_c").Register(*r).Add({});
  return c;
}

void BM_CounterInc_Obsv(benchmark::State& state) {
  obsv::Counter c = ObsvCounter();
  for (auto _ : state) c.Inc();
  benchmark::DoNotOptimize(c.Value());
}
BENCHMARK(BM_CounterInc_Obsv)->Threads(1)->Threads(2)->UseRealTime();

void BM_CounterInc_PrometheusCpp(benchmark::State& state) {
  prometheus::Counter& c = PromCounter();
  for (auto _ : state) c.Increment();
  benchmark::DoNotOptimize(c.Value());
}
BENCHMARK(BM_CounterInc_PrometheusCpp)->Threads(1)->Threads(2)->UseRealTime();

// ---- gauge set -------------------------------------------------------------

void BM_GaugeSet_Obsv(benchmark::State& state) {
  static obsv::Registry* r = new obsv::Registry;
  static obsv::Gauge g = r->AddGauge({.name = "bench_g"}).value().WithLabelValues({}).value();
  double v = 0;
  for (auto _ : state) {
    g.Set(v);
    v += 1;
  }
  benchmark::DoNotOptimize(g.Value());
}
BENCHMARK(BM_GaugeSet_Obsv)->UseRealTime();

void BM_GaugeSet_PrometheusCpp(benchmark::State& state) {
  static auto* r = new prometheus::Registry;
  static prometheus::Gauge& g = prometheus::BuildGauge().Name("bench_g").Register(*r).Add({});
  double v = 0;
  for (auto _ : state) {
    g.Set(v);
    v += 1;
  }
  benchmark::DoNotOptimize(g.Value());
}
BENCHMARK(BM_GaugeSet_PrometheusCpp)->UseRealTime();

// ---- histogram observe, 12 buckets (11 bounds + +Inf) -----------------------

std::vector<double> Bounds() { return obsv::ExponentialBuckets(0.001, 2.5, 11); }

void BM_HistogramObserve_Obsv(benchmark::State& state) {
  static obsv::Registry* r = new obsv::Registry;
  static obsv::Histogram h = r->AddHistogram({.name = "bench_h"}, Bounds()).value().WithLabelValues({}).value();
  double v = 0;
  for (auto _ : state) {
    h.Observe(v);
    v += 0.013;
    if (v > 12) v = 0;
  }
}
BENCHMARK(BM_HistogramObserve_Obsv)->Threads(1)->Threads(2)->UseRealTime();

void BM_HistogramObserve_PrometheusCpp(benchmark::State& state) {
  static auto* r = new prometheus::Registry;
  static prometheus::Histogram& h =
      prometheus::BuildHistogram().Name("bench_h").Register(*r).Add({}, prometheus::Histogram::BucketBoundaries(Bounds()));
  double v = 0;
  for (auto _ : state) {
    h.Observe(v);
    v += 0.013;
    if (v > 12) v = 0;
  }
}
BENCHMARK(BM_HistogramObserve_PrometheusCpp)->Threads(1)->Threads(2)->UseRealTime();

// ---- native histogram observe (factor 1.1: schema 3; at most 160 buckets) --
// The same values as above: about 80 buckets, reached in the first pass.
// prometheus-cpp has no native histograms; client_golang's run in regbench.

void BM_NativeHistogramObserve_Obsv(benchmark::State& state) {
  static obsv::Registry* r = new obsv::Registry;
  static obsv::Histogram h =
      r->AddNativeHistogram({.name = "bench_nh"}, {.bucket_factor = 1.1, .max_buckets = 160}).value().WithLabelValues({}).value();
  double v = 0;
  for (auto _ : state) {
    h.Observe(v);
    v += 0.013;
    if (v > 12) v = 0;
  }
}
BENCHMARK(BM_NativeHistogramObserve_Obsv)->Threads(1)->Threads(2)->UseRealTime();

// ---- lookup of an existing series with 8 labels ----------------------------

const char* const kNames[8] = {"method", "code", "handler", "instance", "job", "region", "zone", "tier"};
const char* const kValues[8] = {"GET", "200", "/api/v1/query", "10.0.0.1:9090", "prometheus", "eu-west-1",
                                "eu-west-1a", "frontend"};

void BM_Lookup8_Obsv(benchmark::State& state) {
  obsv::Registry r;
  auto fam = r.AddCounter({.name = "bench_l", .label_names = {kNames, kNames + 8}}).value();
  std::vector<std::string_view> values(kValues, kValues + 8);
  // Other series so that the table is not trivially small.
  for (int i = 0; i < 1000; ++i) {
    std::vector<std::string_view> v = values;
    std::string x = std::to_string(i);
    v[7] = x;
    (void)fam.WithLabelValues(v);
  }
  (void)fam.WithLabelValues(values);
  for (auto _ : state) {
    auto c = fam.WithLabelValues(values);
    benchmark::DoNotOptimize(c);
  }
}
BENCHMARK(BM_Lookup8_Obsv);

void BM_Lookup8_PrometheusCpp(benchmark::State& state) {
  prometheus::Registry r;
  auto& fam = prometheus::BuildCounter().Name("bench_l").Register(r);
  std::map<std::string, std::string> labels;
  for (int i = 0; i < 8; ++i) labels[kNames[i]] = kValues[i];
  for (int i = 0; i < 1000; ++i) {
    auto l = labels;
    l["tier"] = std::to_string(i);
    fam.Add(l);
  }
  fam.Add(labels);
  for (auto _ : state) {
    // What a caller has to do per lookup: build the label map, then Add().
    std::map<std::string, std::string> l;
    for (int i = 0; i < 8; ++i) l.emplace(kNames[i], kValues[i]);
    benchmark::DoNotOptimize(&fam.Add(l));
  }
}
BENCHMARK(BM_Lookup8_PrometheusCpp);

void BM_Lookup8_PrometheusCppPrebuiltMap(benchmark::State& state) {
  prometheus::Registry r;
  auto& fam = prometheus::BuildCounter().Name("bench_l").Register(r);
  std::map<std::string, std::string> labels;
  for (int i = 0; i < 8; ++i) labels[kNames[i]] = kValues[i];
  fam.Add(labels);
  for (auto _ : state) benchmark::DoNotOptimize(&fam.Add(labels));
}
BENCHMARK(BM_Lookup8_PrometheusCppPrebuiltMap);

// ---- serialise 10 000 and 100 000 counter series ----------------------------

constexpr int kSeries = 100000;  // the memory benchmark's series

std::string PathLabel(int i) { return "/api/v1/endpoint/" + std::to_string(i % 1000); }

void BM_Serialize_Obsv(benchmark::State& state) {
  const int series = static_cast<int>(state.range(0));
  obsv::Registry r;
  auto fam = r.AddCounter({.name = "http_requests_total", .help = "Requests.", .label_names = {"path", "code"}})
                 .value();
  for (int i = 0; i < series; ++i) {
    std::string p = PathLabel(i), c = std::to_string(200 + i / 1000);
    fam.WithLabelValues({p, c}).value().Inc(static_cast<uint64_t>(i));
  }
  std::string out;
  for (auto _ : state) {
    out.clear();
    benchmark::DoNotOptimize(r.Expose(obsv::ExpositionFormat::kText, &out));
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * out.size()));
  state.counters["bytes"] = static_cast<double>(out.size());
}
BENCHMARK(BM_Serialize_Obsv)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

void BM_Serialize_PrometheusCpp(benchmark::State& state) {
  const int series = static_cast<int>(state.range(0));
  prometheus::Registry r;
  auto& fam = prometheus::BuildCounter().Name("http_requests_total").Help("Requests.").Register(r);
  for (int i = 0; i < series; ++i) {
    fam.Add({{"path", PathLabel(i)}, {"code", std::to_string(200 + i / 1000)}}).Increment(i);
  }
  prometheus::TextSerializer ser;
  std::string out;
  for (auto _ : state) {
    out = ser.Serialize(r.Collect());
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * out.size()));
  state.counters["bytes"] = static_cast<double>(out.size());
}
BENCHMARK(BM_Serialize_PrometheusCpp)->Arg(10000)->Arg(100000)->Unit(benchmark::kMillisecond);

// ---- memory per counter series (heap bytes, mallinfo2 delta) ----------------

size_t HeapInUse() { return mallinfo2().uordblks; }

void BM_MemoryPerSeries_Obsv(benchmark::State& state) {
  for (auto _ : state) {
    size_t before = HeapInUse();
    auto r = std::make_unique<obsv::Registry>();
    auto fam = r->AddCounter({.name = "m", .label_names = {"path", "code"}}).value();
    for (int i = 0; i < kSeries; ++i) {
      std::string p = PathLabel(i), c = std::to_string(200 + i / 1000);
      fam.WithLabelValues({p, c}).value().Inc();
    }
    // Cells live in the thread arenas (not freed with the registry): count
    // the ones this thread's arena holds for these series: 16 bytes each.
    size_t after = HeapInUse();
    state.counters["bytes_per_series"] = static_cast<double>(after - before) / kSeries;
    state.counters["cell_bytes_per_series_per_thread"] = 16;
  }
}
BENCHMARK(BM_MemoryPerSeries_Obsv)->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_MemoryPerSeries_PrometheusCpp(benchmark::State& state) {
  for (auto _ : state) {
    size_t before = HeapInUse();
    auto r = std::make_unique<prometheus::Registry>();
    auto& fam = prometheus::BuildCounter().Name("m").Register(*r);
    for (int i = 0; i < kSeries; ++i) {
      fam.Add({{"path", PathLabel(i)}, {"code", std::to_string(200 + i / 1000)}}).Increment();
    }
    size_t after = HeapInUse();
    state.counters["bytes_per_series"] = static_cast<double>(after - before) / kSeries;
  }
}
BENCHMARK(BM_MemoryPerSeries_PrometheusCpp)->Iterations(1)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
