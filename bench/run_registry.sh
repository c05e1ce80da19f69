#!/usr/bin/env bash
# Registry benchmarks, obsv and its peers in one run: obsv::Registry and
# prometheus-cpp in one Google Benchmark binary (bench/registry_benchmark.cc,
# 5 repetitions, medians), client_golang and VictoriaMetrics' metrics on the
# same operations and data (bench/go/cmd/regbench, median of 5), and obsv's
# Python module against prometheus_client (bench/python/bench_registry.py).
# Prints the Markdown table docs/benchmarks.md records, with the issue's bars
# marked met or not.
#
#   bench/run_registry.sh              (after scripts/install-deps.sh)
#   REPS=3 MIN_TIME=0.5 bench/run_registry.sh   (quicker, noisier)
#   SKIP_PYTHON=1 bench/run_registry.sh
#   PYTHON_MODULE_DIR=/tmp/py bench/run_registry.sh   (module already built: pip install --target)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
root=$(pwd)
out=bench/out/registry
mkdir -p "$out"
reps=${REPS:-5}
min_time=${MIN_TIME:-1}

cmake --preset default -DOBSV_BUILD_BENCHMARKS=ON >/dev/null
cmake --build build --target registry_benchmark >/dev/null
(cd bench/go && go build -o "$root/$out/regbench" ./cmd/regbench)

echo "load before: $(uptime)" >"$out/load.txt"

echo "bench: obsv and prometheus-cpp (Google Benchmark, $reps repetitions, medians)" >&2
build/bin/registry_benchmark --benchmark_repetitions="$reps" --benchmark_min_time="$min_time" \
  --benchmark_report_aggregates_only=true --benchmark_format=json >"$out/cpp.json"

echo "bench: client_golang and VictoriaMetrics metrics (median of $reps)" >&2
"$out/regbench" --reps "$reps" --min-time "${min_time}s" >"$out/go.jsonl" 2>"$out/go.stderr"

echo "load after: $(uptime)" >>"$out/load.txt"

if [[ -z ${SKIP_PYTHON:-} ]]; then
  echo "bench: Python (obsv module vs prometheus_client)" >&2
  # A private install, so that the run measures this tree's module;
  # PYTHON_MODULE_DIR reuses one already built from this tree with
  # `pip install --no-deps --target DIR .`.
  pydir=${PYTHON_MODULE_DIR:-$out/python}
  if [[ -z ${PYTHON_MODULE_DIR:-} ]]; then
    CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-2} \
      pip_install --no-deps --upgrade --target "$pydir" . >/dev/null
  fi
  PYTHONPATH="$pydir" python3 bench/python/bench_registry.py >"$out/python.txt"
fi

echo "### obsv::Registry against prometheus-cpp, client_golang and VictoriaMetrics metrics (same run)"
echo
python3 bench/report_registry.py "$out"
if [[ -s $out/python.txt ]]; then
  echo
  echo '### Python (bench/python/bench_registry.py, same run)'
  echo
  echo '```text'
  cat "$out/python.txt"
  echo '```'
fi
