// PromQL benchmarks over a table of real queries (bench/promql_queries.txt):
// parse, inject a tenant matcher and print, one query after another, as a
// proxy in front of Prometheus does. The peers (prom-label-proxy, Prometheus's
// parser, VictoriaMetrics' metricsql) are timed on the same table by
// bench/go/cmd/promqlbench in the same script run, bench/run_promql.sh.
//
// One iteration is one pass over the whole table; items are queries, bytes
// are query text. ns/query = 1e9 / items_per_second.
//
//   BM_Parse_Table                Parse()
//   BM_ParseFormat_Table          Parse() + Format()           (metricsql: Parse + AppendString)
//   BM_ParseInjectFormat_Table    Injector::InjectQuery()      (prom-label-proxy: Enforce)
//                                 = Parse() + Inject() + Format(), tenant="a"
//   BM_ParsePretty_Table          Parse() + Pretty()           (Prometheus: Prettify)
//
// The table is $OBSV_PROMQL_QUERIES, default bench/promql_queries.txt. With
// --print=format|inject|pretty as the first argument the binary prints each
// query's result instead ("OK<TAB>text", newlines as `\n`), the format of
// promqlbench --print, so that run_promql.sh can check that obsv and its
// peers produce the same text.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "obsv/promql.h"
#include "obsv/promql_scope.h"
#include "query_table.h"

namespace {

using obsv::bench::QueryTable;
using obsv::bench::ReplaceAll;

const QueryTable& GetTable() {
  static const QueryTable table = obsv::bench::LoadQueryTable(
      "OBSV_PROMQL_QUERIES", OBSV_SOURCE_DIR "/bench/promql_queries.txt");
  return table;
}

const obsv::promql::Injector& GetInjector() {
  static const obsv::promql::Injector injector = [] {
    obsv::promql::InjectOptions options;
    obsv::promql::LabelMatcher tenant;
    tenant.name = "tenant";
    tenant.op = obsv::promql::MatchOp::kEqual;
    tenant.value = "a";
    options.enforced.push_back(tenant);
    // prom-label-proxy's default (no -error-on-replace): a user's tenant
    // matcher is replaced. The table has none, so every policy does the
    // same work here.
    options.policy = obsv::promql::ConflictPolicy::kReplace;
    absl::StatusOr<obsv::promql::Injector> i = obsv::promql::Injector::Create(std::move(options));
    if (!i.ok()) {
      std::fprintf(stderr, "Injector::Create: %s\n", i.status().ToString().c_str());
      std::abort();
    }
    return *std::move(i);
  }();
  return injector;
}

template <typename Fn>
void RunTable(benchmark::State& state, Fn fn) {
  obsv::bench::RunTable(state, GetTable(), fn);
}

const obsv::promql::ParserOptions kOptions;

void BM_Parse_Table(benchmark::State& state) {
  RunTable(state, [](const std::string& q) -> long {
    absl::StatusOr<obsv::promql::ExprPtr> e = obsv::promql::Parse(q, kOptions);
    return e.ok() ? 1 : -1;
  });
}
BENCHMARK(BM_Parse_Table)->Unit(benchmark::kMicrosecond);

void BM_ParseFormat_Table(benchmark::State& state) {
  RunTable(state, [](const std::string& q) -> long {
    absl::StatusOr<obsv::promql::ExprPtr> e = obsv::promql::Parse(q, kOptions);
    if (!e.ok()) return -1;
    std::string out = obsv::promql::Format(**e);
    return static_cast<long>(out.size());
  });
}
BENCHMARK(BM_ParseFormat_Table)->Unit(benchmark::kMicrosecond);

void BM_ParseInjectFormat_Table(benchmark::State& state) {
  const obsv::promql::Injector& injector = GetInjector();
  RunTable(state, [&injector](const std::string& q) -> long {
    absl::StatusOr<std::string> out = injector.InjectQuery(q, kOptions);
    return out.ok() ? static_cast<long>(out->size()) : -1;
  });
}
BENCHMARK(BM_ParseInjectFormat_Table)->Unit(benchmark::kMicrosecond);

void BM_ParsePretty_Table(benchmark::State& state) {
  RunTable(state, [](const std::string& q) -> long {
    absl::StatusOr<obsv::promql::ExprPtr> e = obsv::promql::Parse(q, kOptions);
    if (!e.ok()) return -1;
    std::string out = obsv::promql::Pretty(**e);
    return static_cast<long>(out.size());
  });
}
BENCHMARK(BM_ParsePretty_Table)->Unit(benchmark::kMicrosecond);

// --print=format|inject|pretty: one line per query, as promqlbench --print.
int Print(std::string_view what) {
  for (const std::string& q : GetTable().queries) {
    absl::StatusOr<std::string> out;
    if (what == "inject") {
      out = GetInjector().InjectQuery(q, kOptions);
    } else {
      absl::StatusOr<obsv::promql::ExprPtr> e = obsv::promql::Parse(q, kOptions);
      if (!e.ok()) {
        out = e.status();
      } else if (what == "format") {
        out = obsv::promql::Format(**e);
      } else if (what == "pretty") {
        out = obsv::promql::Pretty(**e);
      } else {
        std::fprintf(stderr, "--print takes format, inject or pretty\n");
        return 2;
      }
    }
    if (out.ok()) {
      std::printf("OK\t%s\n", ReplaceAll(*out, "\n", "\\n").c_str());
    } else {
      std::printf("ERR\t%s\n", ReplaceAll(std::string(out.status().message()), "\n", "\\n").c_str());
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
