// A driver for counting the instructions the exposition parser spends per
// byte of input, under callgrind (wall times on a shared 2-core machine say
// little; instruction counts are steady to a fraction of a percent):
//
//   valgrind --tool=callgrind --toggle-collect='*MeasuredPasses*' \
//     build/bin/exposition_instructions corpus 5
//   callgrind_annotate callgrind.out.<pid> | head
//
// It runs the loop of exposition_benchmark's BM_Parse_* (one reused parser,
// Reset() per body; metric name, every label name and unescaped value, and
// the value read per sample) once to warm up, then `passes` times inside
// MeasuredPasses(), and prints the bytes those passes parsed: the
// instructions callgrind counts for MeasuredPasses() divided by that figure
// are the instructions per byte.
//
// Inputs: "corpus" (the nine text captures of tests/testdata/corpus that the
// benchmark uses), "synth" ($OBSV_BENCH_DATA/synth_16m.prom, default
// bench/out), or file paths. Add "lenient" to parse in lenient mode.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "obsv/exposition_parser.h"

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    std::exit(2);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

volatile size_t g_sink;

// One pass over every body; returns the samples seen (0 on a parse error).
size_t Pass(obsv::ExpositionParser& parser, const std::vector<std::string>& bodies) {
  size_t samples = 0;
  size_t acc = 0;
  double vsum = 0;
  for (const std::string& body : bodies) {
    parser.Reset(body);
    for (obsv::Entry e; (e = parser.Next()) != obsv::Entry::kEnd;) {
      if (e == obsv::Entry::kError) {
        std::fprintf(stderr, "parse error: %s\n", parser.error().message.c_str());
        std::exit(1);
      }
      if (e != obsv::Entry::kSample) continue;
      size_t n = parser.label_count();
      acc += parser.metric_name().size();
      for (size_t i = 0; i < n; ++i) acc += parser.label_value(i).size() + parser.label_name(i).size();
      vsum += parser.value();
      ++samples;
    }
  }
  g_sink = acc + static_cast<size_t>(vsum != 0);
  return samples;
}

__attribute__((noinline)) size_t MeasuredPasses(obsv::ExpositionParser& parser,
                                                const std::vector<std::string>& bodies, int passes) {
  size_t samples = 0;
  for (int i = 0; i < passes; ++i) samples += Pass(parser, bodies);
  return samples;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> bodies;
  bool strict = true;
  int passes = 5;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "corpus") {
      for (const char* f : {"node_exporter.prom", "prometheus.prom", "alertmanager.prom", "pushgateway.prom",
                            "prometheus_federate.prom", "client_golang.prom", "python_client.prom",
                            "vm_metrics.prom", "prometheus_cpp.prom"}) {
        bodies.push_back(ReadFile(std::string(OBSV_SOURCE_DIR "/tests/testdata/corpus/") + f));
      }
    } else if (a == "synth") {
      const char* d = std::getenv("OBSV_BENCH_DATA");
      bodies.push_back(ReadFile(std::string(d != nullptr ? d : OBSV_SOURCE_DIR "/bench/out") + "/synth_16m.prom"));
    } else if (a == "lenient") {
      strict = false;
    } else if (!a.empty() && a.find_first_not_of("0123456789") == std::string::npos) {
      passes = std::atoi(a.c_str());
    } else {
      bodies.push_back(ReadFile(a));
    }
  }
  if (bodies.empty()) {
    std::fprintf(stderr, "usage: exposition_instructions corpus|synth|FILE... [lenient] [PASSES]\n");
    return 2;
  }
  obsv::ParserOptions options;
  options.format = obsv::ExpositionFormat::kText;
  options.strict = strict;
  obsv::ExpositionParser parser(options);
  Pass(parser, bodies);  // warm up: buffers reach their size
  size_t samples = MeasuredPasses(parser, bodies, passes);
  size_t bytes = 0;
  for (const std::string& b : bodies) bytes += b.size();
  std::printf("bytes %zu samples %zu passes %d\n", bytes * static_cast<size_t>(passes), samples, passes);
  return 0;
}
