// A table of queries for the query-language benchmarks (PromQL, LogQL):
// one query per line, `\n` for a newline inside a query, blank lines and
// lines starting with `#` skipped. One benchmark iteration is one pass over
// the whole table, query after query, as a proxy sees them.
#ifndef OBSV_BENCH_QUERY_TABLE_H_
#define OBSV_BENCH_QUERY_TABLE_H_

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace obsv::bench {

inline std::string ReplaceAll(std::string_view s, std::string_view from, std::string_view to) {
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t next = s.find(from, pos);
    if (next == std::string_view::npos) break;
    out.append(s.substr(pos, next - pos));
    out.append(to);
    pos = next + from.size();
  }
  out.append(s.substr(pos));
  return out;
}

struct QueryTable {
  std::vector<std::string> queries;
  size_t bytes = 0;
};

// Reads the table at $env_var if set, else at default_path.
inline QueryTable LoadQueryTable(const char* env_var, const char* default_path) {
  QueryTable t;
  const char* env = std::getenv(env_var);
  std::ifstream in(env != nullptr ? env : default_path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos || line[0] == '#') continue;
    t.queries.push_back(ReplaceAll(line, "\\n", "\n"));
    t.bytes += t.queries.back().size();
  }
  return t;
}

// Runs `fn` on every query of the table per iteration; `fn` returns the
// number of bytes it produced, or a negative number when the query failed
// (checked once before timing; the benchmark is skipped then).
template <typename Fn>
void RunTable(benchmark::State& state, const QueryTable& table, Fn fn) {
  if (table.queries.empty()) {
    state.SkipWithError("query table missing or empty");
    return;
  }
  for (const std::string& q : table.queries) {
    if (fn(q) < 0) {
      state.SkipWithError(("query failed: " + q.substr(0, 80)).c_str());
      return;
    }
  }
  for (auto _ : state) {
    for (const std::string& q : table.queries) {
      benchmark::DoNotOptimize(fn(q));
    }
  }
  const auto n = static_cast<int64_t>(table.queries.size());
  state.SetItemsProcessed(state.iterations() * n);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(table.bytes));
  state.counters["queries"] = static_cast<double>(n);
}

}  // namespace obsv::bench

#endif  // OBSV_BENCH_QUERY_TABLE_H_
