#!/usr/bin/env bash
# Exposition benchmarks, obsv and its peers in one run: obsv's C++ parser and
# writer (Google Benchmark, with prometheus-cpp's serializer in the same
# binary), Prometheus's textparse, prometheus/common's expfmt and
# VictoriaMetrics' parser (Go, bench/go), and Python's prometheus_client
# against obsv's Python module (bench/python). Prints the ratios as the
# Markdown table docs/benchmarks.md records.
#
#   bench/run_exposition.sh            (after scripts/install-deps.sh)
#   SKIP_PYTHON=1 bench/run_exposition.sh   C++ and Go only (no wheel build)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
out=bench/out
mkdir -p "$out"

[[ -s $out/synth_16m.prom ]] || python3 bench/gen_exposition.py --size 16M -o $out/synth_16m.prom
[[ -s $out/synth_16m.om.txt ]] ||
  python3 bench/gen_exposition.py --size 16M --format openmetrics -o $out/synth_16m.om.txt

cmake --preset default -DOBSV_BUILD_BENCHMARKS=ON >/dev/null
cmake --build build --target exposition_benchmark >/dev/null

corpus=(node_exporter prometheus alertmanager pushgateway prometheus_federate client_golang python_client
        vm_metrics prometheus_cpp)
corpus_files=()
for f in "${corpus[@]}"; do corpus_files+=("tests/testdata/corpus/$f.prom"); done

echo "bench: obsv C++ (Google Benchmark, 5 repetitions, medians)" >&2
OBSV_BENCH_DATA=$out build/bin/exposition_benchmark --benchmark_repetitions=5 \
  --benchmark_report_aggregates_only=true --benchmark_format=json >$out/cpp.json

echo "bench: Go peers (median of 5)" >&2
root=$(pwd)
(cd bench/go && go build -o "$root/$out/expbench" ./cmd/expbench)
$out/expbench --reps 5 "$out/synth_16m.prom" "$out/synth_16m.om.txt" >$out/go_synth.jsonl 2>/dev/null
$out/expbench --reps 5 --total "${corpus_files[@]}" >$out/go_corpus.jsonl 2>/dev/null

if [[ -z ${SKIP_PYTHON:-} ]]; then
  echo "bench: Python (obsv module vs prometheus_client)" >&2
  pip_install . >/dev/null
  python3 bench/python/bench_parse.py --synth "$out/synth_16m.prom" >$out/python.txt
fi

python3 bench/report_exposition.py "$out"
if [[ -z ${SKIP_PYTHON:-} ]]; then
  echo
  echo '### Python (bench/python/bench_parse.py, same run)'
  echo
  echo '```text'
  cat $out/python.txt
  echo '```'
fi
