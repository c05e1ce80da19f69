#!/usr/bin/env bash
# PromQL benchmarks, obsv and its peers in one run, over the query table
# bench/promql_queries.txt: obsv's parser, printer and injector (Google
# Benchmark, bench/promql_benchmark.cc), then prom-label-proxy, Prometheus's
# parser and VictoriaMetrics' metricsql (Go, bench/go/cmd/promqlbench).
# First checks that every peer accepts every query and that obsv prints what
# the peers print (Format() = String(), InjectQuery() = prom-label-proxy's
# Enforce(), Pretty() = Prettify()). Prints the Markdown table
# docs/benchmarks.md records.
#
#   bench/run_promql.sh            (after scripts/install-deps.sh)
#   REPS=5 MIN_TIME=1 bench/run_promql.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
out=bench/out
mkdir -p "$out"
reps=${REPS:-5}
min_time=${MIN_TIME:-1}
table=bench/promql_queries.txt

cmake --preset default -DOBSV_BUILD_BENCHMARKS=ON >/dev/null
cmake --build build --target promql_benchmark >/dev/null
root=$(pwd)
(cd bench/go && go build -o "$root/$out/promqlbench" ./cmd/promqlbench)

echo "check: the peers accept the table; obsv prints what they print" >&2
# Prometheus v0.309.1 prints on()/group_left() labels unquoted even when they
# need quotes; obsv quotes them (tests/promql/corpus_test.cc, kDivergences).
known='s/on (service\.name) group_left (service\.version)/on ("service.name") group_left ("service.version")/'
for pair in format:prom-parse-string inject:prom-label-proxy pretty:prom-prettify; do
  mode=${pair%%:*} peer=${pair#*:}
  build/bin/promql_benchmark --print="$mode" >"$out/promql_obsv_$mode.txt"
  $out/promqlbench --print "$peer" "$table" 2>/dev/null | sed "$known" >"$out/promql_$peer.txt"
  if grep -q '^ERR' "$out/promql_$peer.txt" "$out/promql_obsv_$mode.txt"; then
    echo "a query of $table fails (see $out/promql_$peer.txt, $out/promql_obsv_$mode.txt)" >&2
    exit 1
  fi
  if ! cmp -s "$out/promql_obsv_$mode.txt" "$out/promql_$peer.txt"; then
    echo "obsv $mode differs from $peer:" >&2
    diff "$out/promql_obsv_$mode.txt" "$out/promql_$peer.txt" | head -5 >&2
    exit 1
  fi
done
$out/promqlbench --print metricsql "$table" 2>/dev/null >"$out/promql_metricsql.txt"
if grep -q '^ERR' "$out/promql_metricsql.txt"; then
  echo "metricsql rejects a query of $table (see $out/promql_metricsql.txt)" >&2
  exit 1
fi

echo "bench: obsv C++ (Google Benchmark, $reps repetitions, medians)" >&2
build/bin/promql_benchmark --benchmark_repetitions="$reps" --benchmark_min_time="$min_time" \
  --benchmark_report_aggregates_only=true --benchmark_format=json >$out/promql_cpp.json

echo "bench: Go peers (median of $reps)" >&2
$out/promqlbench --reps "$reps" --min-time "${min_time}s" "$table" >$out/promql_go.jsonl 2>/dev/null

python3 bench/report_promql.py "$out"
