// Exposition parser and writer benchmarks, with prometheus-cpp's text
// serializer side by side for the writer.
//
// Inputs come from $OBSV_BENCH_DATA (default bench/out): synth_16m.prom and
// synth_16m.om.txt made by bench/gen_exposition.py, and the real corpus from
// tests/testdata/corpus. bench/run_exposition.sh prepares them and runs the
// Go and Python peers in the same run.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "obsv/exposition_parser.h"
#include "obsv/exposition_writer.h"
#include "prometheus/metric_family.h"
#include "prometheus/text_serializer.h"

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string DataDir() {
  const char* d = std::getenv("OBSV_BENCH_DATA");
  return d != nullptr ? d : OBSV_SOURCE_DIR "/bench/out";
}

struct Input {
  std::string name;
  std::vector<std::string> bodies;
  obsv::ExpositionFormat format;
  size_t bytes = 0;
};

const Input& GetInput(const std::string& which) {
  static std::map<std::string, Input> cache;
  auto it = cache.find(which);
  if (it != cache.end()) return it->second;
  Input in;
  in.name = which;
  if (which == "synth_text") {
    in.bodies.push_back(ReadFile(DataDir() + "/synth_16m.prom"));
    in.format = obsv::ExpositionFormat::kText;
  } else if (which == "synth_om") {
    in.bodies.push_back(ReadFile(DataDir() + "/synth_16m.om.txt"));
    in.format = obsv::ExpositionFormat::kOpenMetrics;
  } else {  // the real text corpus
    for (const char* f : {"node_exporter.prom", "prometheus.prom", "alertmanager.prom", "pushgateway.prom",
                          "prometheus_federate.prom", "client_golang.prom", "python_client.prom",
                          "vm_metrics.prom", "prometheus_cpp.prom"}) {
      in.bodies.push_back(ReadFile(std::string(OBSV_SOURCE_DIR "/tests/testdata/corpus/") + f));
    }
    in.format = obsv::ExpositionFormat::kText;
  }
  for (const auto& b : in.bodies) in.bytes += b.size();
  return cache.emplace(which, std::move(in)).first->second;
}

// Parses every body, touching what a consumer reads: names, unescaped label
// values, parsed values.
void Parse(benchmark::State& state, const std::string& which, bool strict) {
  const Input& in = GetInput(which);
  if (in.bytes == 0) {
    state.SkipWithError("input missing: run bench/run_exposition.sh (or set OBSV_BENCH_DATA)");
    return;
  }
  obsv::ParserOptions options;
  options.format = in.format;
  options.strict = strict;
  obsv::ExpositionParser parser(options);
  size_t samples = 0;
  for (auto _ : state) {
    for (const std::string& body : in.bodies) {
      parser.Reset(body);
      for (obsv::Entry e; (e = parser.Next()) != obsv::Entry::kEnd;) {
        if (e == obsv::Entry::kError) {
          state.SkipWithError(parser.error().message.c_str());
          return;
        }
        if (e != obsv::Entry::kSample) continue;
        size_t n = parser.label_count();
        size_t acc = parser.metric_name().size();
        for (size_t i = 0; i < n; ++i) acc += parser.label_value(i).size() + parser.label_name(i).size();
        benchmark::DoNotOptimize(acc);
        benchmark::DoNotOptimize(parser.value());
        ++samples;
      }
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.bytes));
  state.counters["samples"] = benchmark::Counter(static_cast<double>(samples), benchmark::Counter::kIsRate);
}

void BM_Parse_Strict_SynthText(benchmark::State& s) { Parse(s, "synth_text", true); }
void BM_Parse_Lenient_SynthText(benchmark::State& s) { Parse(s, "synth_text", false); }
void BM_Parse_Strict_SynthOpenMetrics(benchmark::State& s) { Parse(s, "synth_om", true); }
void BM_Parse_Strict_Corpus(benchmark::State& s) { Parse(s, "corpus", true); }
void BM_Parse_Lenient_Corpus(benchmark::State& s) { Parse(s, "corpus", false); }
BENCHMARK(BM_Parse_Strict_SynthText)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Parse_Lenient_SynthText)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Parse_Strict_SynthOpenMetrics)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Parse_Strict_Corpus)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Parse_Lenient_Corpus)->Unit(benchmark::kMicrosecond);

// Incremental parsing in 64 KiB chunks, as from a socket.
void BM_Parse_Chunked64K_SynthText(benchmark::State& state) {
  const Input& in = GetInput("synth_text");
  if (in.bytes == 0) {
    state.SkipWithError("input missing");
    return;
  }
  obsv::ParserOptions options;
  options.format = in.format;
  options.strict = true;
  obsv::ExpositionParser parser(options);
  const std::string& body = in.bodies[0];
  for (auto _ : state) {
    for (size_t off = 0; off < body.size(); off += 65536) {
      parser.Feed(std::string_view(body).substr(off, 65536));
      for (obsv::Entry e; (e = parser.Next()) != obsv::Entry::kNeedMore;) {
        benchmark::DoNotOptimize(e);
      }
    }
    parser.Finish();
    for (obsv::Entry e; (e = parser.Next()) != obsv::Entry::kEnd;) {
      if (e == obsv::Entry::kError) {
        state.SkipWithError(parser.error().message.c_str());
        return;
      }
    }
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.bytes));
}
BENCHMARK(BM_Parse_Chunked64K_SynthText)->Unit(benchmark::kMillisecond);

void BM_ParseToModel_SynthText(benchmark::State& state) {
  const Input& in = GetInput("synth_text");
  if (in.bytes == 0) {
    state.SkipWithError("input missing");
    return;
  }
  obsv::ParserOptions options;
  options.format = in.format;
  for (auto _ : state) {
    auto families = obsv::ParseExposition(in.bodies[0], options);
    benchmark::DoNotOptimize(families);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.bytes));
}
BENCHMARK(BM_ParseToModel_SynthText)->Unit(benchmark::kMillisecond);

const std::vector<obsv::MetricFamily>& Model() {
  static std::vector<obsv::MetricFamily> model = [] {
    obsv::ParserOptions options;
    options.format = obsv::ExpositionFormat::kText;
    auto f = obsv::ParseExposition(GetInput("synth_text").bodies[0], options);
    return f.ok() ? *std::move(f) : std::vector<obsv::MetricFamily>{};
  }();
  return model;
}

void Write(benchmark::State& state, obsv::ExpositionFormat format) {
  const auto& model = Model();
  if (model.empty()) {
    state.SkipWithError("input missing");
    return;
  }
  std::string out;
  obsv::WriterOptions options;
  options.format = format;
  size_t bytes = 0;
  for (auto _ : state) {
    out.clear();
    if (!obsv::WriteExposition(model, options, &out).ok()) {
      state.SkipWithError("write failed");
      return;
    }
    bytes += out.size();
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
void BM_Write_Text_Synth(benchmark::State& s) { Write(s, obsv::ExpositionFormat::kText); }
void BM_Write_OpenMetrics_Synth(benchmark::State& s) { Write(s, obsv::ExpositionFormat::kOpenMetrics); }
BENCHMARK(BM_Write_Text_Synth)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Write_OpenMetrics_Synth)->Unit(benchmark::kMillisecond);

// The same data in prometheus-cpp's model, for its TextSerializer.
std::vector<prometheus::MetricFamily> ToPrometheusCpp(const std::vector<obsv::MetricFamily>& model) {
  std::vector<prometheus::MetricFamily> out;
  for (const obsv::MetricFamily& f : model) {
    prometheus::MetricFamily pf;
    pf.name = f.name;
    pf.help = f.help;
    switch (f.type) {
      case obsv::MetricType::kCounter: pf.type = prometheus::MetricType::Counter; break;
      case obsv::MetricType::kGauge: pf.type = prometheus::MetricType::Gauge; break;
      case obsv::MetricType::kHistogram: pf.type = prometheus::MetricType::Histogram; break;
      case obsv::MetricType::kSummary: pf.type = prometheus::MetricType::Summary; break;
      case obsv::MetricType::kUnknown:
      case obsv::MetricType::kGaugeHistogram:
      case obsv::MetricType::kInfo:
      case obsv::MetricType::kStateSet: pf.type = prometheus::MetricType::Untyped; break;
    }
    // Group samples into ClientMetrics by their labels without le/quantile.
    std::map<std::vector<std::pair<std::string, std::string>>, size_t> index;
    for (const obsv::Sample& s : f.samples) {
      std::vector<std::pair<std::string, std::string>> key;
      std::string le, quantile;
      for (const auto& l : s.labels) {
        if (l.name == "le") le = l.value;
        else if (l.name == "quantile") quantile = l.value;
        else key.emplace_back(l.name, l.value);
      }
      auto [it, inserted] = index.try_emplace(key, pf.metric.size());
      if (inserted) {
        prometheus::ClientMetric m;
        for (auto& [n, v] : key) m.label.push_back({n, v});
        pf.metric.push_back(m);
      }
      prometheus::ClientMetric& m = pf.metric[it->second];
      if (s.timestamp) m.timestamp_ms = s.timestamp->milliseconds;
      switch (pf.type) {
        case prometheus::MetricType::Counter: m.counter.value = s.value; break;
        case prometheus::MetricType::Gauge: m.gauge.value = s.value; break;
        case prometheus::MetricType::Untyped: m.untyped.value = s.value; break;
        case prometheus::MetricType::Histogram:
          if (!le.empty()) {
            m.histogram.bucket.push_back({static_cast<uint64_t>(s.value), std::strtod(le.c_str(), nullptr)});
          } else if (s.name.size() > 4 && s.name.compare(s.name.size() - 4, 4, "_sum") == 0) {
            m.histogram.sample_sum = s.value;
          } else {
            m.histogram.sample_count = static_cast<uint64_t>(s.value);
          }
          break;
        case prometheus::MetricType::Summary:
          if (!quantile.empty()) {
            m.summary.quantile.push_back({std::strtod(quantile.c_str(), nullptr), s.value});
          } else if (s.name.size() > 4 && s.name.compare(s.name.size() - 4, 4, "_sum") == 0) {
            m.summary.sample_sum = s.value;
          } else {
            m.summary.sample_count = static_cast<uint64_t>(s.value);
          }
          break;
        default:
          break;
      }
    }
    out.push_back(std::move(pf));
  }
  return out;
}

void BM_PrometheusCpp_TextSerializer_Synth(benchmark::State& state) {
  const auto& model = Model();
  if (model.empty()) {
    state.SkipWithError("input missing");
    return;
  }
  auto families = ToPrometheusCpp(model);
  prometheus::TextSerializer serializer;
  size_t bytes = 0;
  for (auto _ : state) {
    std::ostringstream os;
    serializer.Serialize(os, families);
    bytes += static_cast<size_t>(os.tellp());
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_PrometheusCpp_TextSerializer_Synth)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
