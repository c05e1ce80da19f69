#!/usr/bin/env bash
# The main job: install what is missing, build obsv, and run `obsv demo`:
# lint a bundled real exposition, summarise it and print its OpenMetrics
# rewrite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --build
cmake --preset default -DOBSV_BUILD_TESTS=OFF -DOBSV_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build --target obsv_cli
exec build/bin/obsv demo
