#!/usr/bin/env bash
# LogQL benchmarks, obsv and the peer that can run here, in one run, over the
# query table bench/logql_queries.txt: obsv's parser, printer and injector
# (Google Benchmark, bench/logql_benchmark.cc; CPU time, medians), then
# Grafana's @grafana/lezer-logql parsing the same table (Node,
# bench/node/logql_lezer_bench.mjs). First checks that obsv prints, for every
# query of the table, Loki's String() as the corpus records it
# (tests/testdata/logql/valid.expected). Loki's own parser is AGPL and not
# used by this project: its published figure (about 8 µs per parse on a
# laptop) is quoted, not measured.
#
#   bench/run_logql.sh             (after scripts/install-deps.sh)
#   REPS=5 MIN_TIME=1 bench/run_logql.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
out=bench/out
mkdir -p "$out"
reps=${REPS:-5}
min_time=${MIN_TIME:-1}

cmake --preset default -DOBSV_BUILD_BENCHMARKS=ON >/dev/null
cmake --build build --target logql_benchmark >/dev/null

echo "check: obsv prints Loki's String() for every query of the table" >&2
build/bin/logql_benchmark --print=format >"$out/logql_obsv_format.txt"
python3 - "$out/logql_obsv_format.txt" <<'PY'
import sys
corpus = dict(zip(open("tests/testdata/logql/valid.txt", encoding="utf-8").read().split("\n"),
                  open("tests/testdata/logql/valid.expected", encoding="utf-8").read().split("\n")))
table = [l for l in open("bench/logql_queries.txt", encoding="utf-8").read().split("\n")
         if l.strip() and not l.startswith("#")]
ours = open(sys.argv[1], encoding="utf-8").read().split("\n")
bad = [(q, o, corpus.get(q)) for q, o in zip(table, ours) if o != "OK\t" + corpus.get(q, "?")]
if bad or len(table) != len([o for o in ours if o]):
    for q, o, want in bad[:5]:
        print(f"differs: {q}\n  obsv: {o}\n  Loki: {want}", file=sys.stderr)
    sys.exit(1)
PY

echo "bench: obsv C++ (Google Benchmark, $reps repetitions, medians)" >&2
build/bin/logql_benchmark --benchmark_repetitions="$reps" --benchmark_min_time="$min_time" \
  --benchmark_report_aggregates_only=true --benchmark_format=json >"$out/logql_cpp.json"

echo "bench: @grafana/lezer-logql (node, median of 5)" >&2
npm ci --prefix bench/node --silent >/dev/null 2>&1 || npm ci --prefix bench/node
node bench/node/logql_lezer_bench.mjs --json >"$out/logql_lezer.json"

python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
cpp = json.load(open(os.path.join(out, "logql_cpp.json")))
lezer = json.load(open(os.path.join(out, "logql_lezer.json")))
def us(name, field):
    rows = {b["name"]: b for b in cpp["benchmarks"]}
    b = rows.get(f"{name}_median") or rows.get(name)  # one repetition: no aggregates
    return None if b is None else b[field] / b["queries"]
load = os.getloadavg()[0]
print(f"table: {lezer['queries']} queries, {lezer['bytes'] / lezer['queries']:.0f} bytes on average; "
      f"load average {load:.1f}")
print()
print("| obsv | µs/query CPU (wall) | peer | peer µs/query | obsv faster by |")
print("|---|---|---|---|---|")
peer = lezer["us_per_query_median"]
for name, label in [("BM_Parse_Table", "parse"), ("BM_ParseFormat_Table", "parse + print"),
                    ("BM_ParseInjectFormat_Table", "parse + inject + print")]:
    cpu, wall = us(name, "cpu_time"), us(name, "real_time")
    if cpu is None:
        continue
    print(f"| {label} | {cpu:.2f} ({wall:.2f}) | {lezer['parser']} parse (wall) | {peer:.2f} | "
          f"**{peer / cpu:.1f}x** |")
    print(f"| {label} | {cpu:.2f} ({wall:.2f}) | Loki ParseExpr, published (laptop) | ~8 | "
          f"~{8 / cpu:.1f}x |")
PY
