// LogQL benchmarks over a table of real-world queries (bench/logql_queries.txt,
// the corpus queries of 70 bytes and more): parse and print, one query after
// another, as a proxy in front of Loki does. bench/run_logql.sh runs it and,
// in the same run, the peer that can be run here: Grafana's
// @grafana/lezer-logql parsing the same table (bench/node). Loki's own parser
// (github.com/grafana/loki/v3/pkg/logql/syntax) is AGPL and not used by this
// project; docs/benchmarks.md quotes its published figure instead.
//
//   BM_Parse_Table                Parse()
//   BM_ParseFormat_Table          Parse() + Format()   (Loki: ParseExpr + String())
//   BM_ParseInjectFormat_Table    Injector::InjectQuery(): Parse() + inject
//                                 resource_id="r1" + Format(), as a proxy does
//
// The table is $OBSV_LOGQL_QUERIES, default bench/logql_queries.txt. With
// --print=format as the first argument the binary prints each query's
// Format() ("OK<TAB>text", newlines as `\n`) instead.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <utility>
#include <string>
#include <string_view>

#include "obsv/logql.h"
#include "obsv/logql_scope.h"
#include "query_table.h"

namespace {

using obsv::bench::QueryTable;

const QueryTable& GetTable() {
  static const QueryTable table =
      obsv::bench::LoadQueryTable("OBSV_LOGQL_QUERIES", OBSV_SOURCE_DIR "/bench/logql_queries.txt");
  return table;
}

const obsv::logql::ParserOptions kOptions;

void BM_Parse_Table(benchmark::State& state) {
  obsv::bench::RunTable(state, GetTable(), [](const std::string& q) -> long {
    absl::StatusOr<obsv::logql::ExprPtr> e = obsv::logql::Parse(q, kOptions);
    return e.ok() ? 1 : -1;
  });
}
BENCHMARK(BM_Parse_Table)->Unit(benchmark::kMicrosecond);

void BM_ParseFormat_Table(benchmark::State& state) {
  obsv::bench::RunTable(state, GetTable(), [](const std::string& q) -> long {
    absl::StatusOr<obsv::logql::ExprPtr> e = obsv::logql::Parse(q, kOptions);
    if (!e.ok()) return -1;
    std::string out = obsv::logql::Format(**e);
    return static_cast<long>(out.size());
  });
}
BENCHMARK(BM_ParseFormat_Table)->Unit(benchmark::kMicrosecond);

const obsv::logql::Injector& GetInjector() {
  static const obsv::logql::Injector injector = [] {
    obsv::logql::InjectOptions options;
    obsv::logql::EnforcedMatcher m;
    m.name = "resource_id";
    m.op = obsv::logql::MatchOp::kEqual;
    m.value = "r1";
    options.enforced.push_back(m);
    // No query of the table names resource_id in a selector, so every
    // policy does the same work here.
    options.policy = obsv::logql::ConflictPolicy::kReplace;
    absl::StatusOr<obsv::logql::Injector> i = obsv::logql::Injector::Create(std::move(options));
    if (!i.ok()) {
      std::fprintf(stderr, "Injector::Create: %s\n", i.status().ToString().c_str());
      std::abort();
    }
    return *std::move(i);
  }();
  return injector;
}

void BM_ParseInjectFormat_Table(benchmark::State& state) {
  const obsv::logql::Injector& injector = GetInjector();
  obsv::bench::RunTable(state, GetTable(), [&injector](const std::string& q) -> long {
    absl::StatusOr<std::string> out = injector.InjectQuery(q, kOptions);
    return out.ok() ? static_cast<long>(out->size()) : -1;
  });
}
BENCHMARK(BM_ParseInjectFormat_Table)->Unit(benchmark::kMicrosecond);

int Print(std::string_view what) {
  if (what != "format") {
    std::fprintf(stderr, "--print takes format\n");
    return 2;
  }
  for (const std::string& q : GetTable().queries) {
    absl::StatusOr<obsv::logql::ExprPtr> e = obsv::logql::Parse(q, kOptions);
    if (e.ok()) {
      std::printf("OK\t%s\n", obsv::bench::ReplaceAll(obsv::logql::Format(**e), "\n", "\\n").c_str());
    } else {
      std::printf("ERR\t%s\n",
                  obsv::bench::ReplaceAll(std::string(e.status().message()), "\n", "\\n").c_str());
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]).substr(0, 8) == "--print=") {
    return Print(std::string_view(argv[1]).substr(8));
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
