#!/usr/bin/env bash
# Installs what is missing, builds obsv, and runs every test: C++ (GoogleTest,
# also under AddressSanitizer/UBSan), C, the CLI and promtool, the install
# consumer, Python (the wheel, and the differential tests against
# Prometheus's own parser and prometheus_client), Go (cgo) and Rust.
# The ctest run includes the PromQL scoping references (prom-label-proxy, the
# Prometheus server; tests/reference/test_promql_scoping.py).
# Exits non-zero if any suite fails; .ci/run runs exactly this.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

scripts/install-deps.sh || { echo "test.sh: installing dependencies failed"; exit 1; }
source scripts/env.sh
export CTEST_OUTPUT_ON_FAILURE=1

declare -a names=() results=()
run() {  # run NAME COMMAND...: runs a suite, records pass/fail
  local name=$1
  shift
  echo
  echo "=== ${name}"
  local start=$SECONDS
  if "$@"; then
    results+=(pass)
  else
    results+=(FAIL)
  fi
  names+=("${name} ($((SECONDS - start))s)")
}

build() {
  cmake --preset default -DOBSV_BUILD_TESTS=ON -DOBSV_BUILD_BENCHMARKS=ON >/dev/null &&
    cmake --build build -j2
}
cpp_tests() { ctest --test-dir build -j2 --timeout 600; }
no_exceptions() {
  # src/ must not need exceptions (the C ABI catches at its boundary).
  cmake -S . -B build-noexcept -G Ninja -DCMAKE_BUILD_TYPE=Release -DOBSV_NO_EXCEPTIONS=ON \
    -DOBSV_BUILD_TESTS=OFF -DOBSV_BUILD_BENCHMARKS=OFF -DOBSV_BUILD_CLI=OFF -DOBSV_BUILD_SHARED=OFF \
    -DOBSV_INSTALL=OFF >/dev/null &&
    cmake --build build-noexcept -j2 --target obsv_exposition obsv_promql obsv_logql obsv_registry
}
sanitizers() {
  cmake --preset asan -DOBSV_BUILD_TESTS=ON >/dev/null &&
    cmake --build build-asan -j2 --target common_test exposition_test c_api_test c_api_promql_test c_api_logql_test c_api_registry_test \
      c_api_registry_extras_test promql_test logql_test registry_test registry_alloc_test registry_protobuf_test \
      exposition_fuzzer promql_fuzzer logql_fuzzer http_headers_fuzzer &&
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      ctest --test-dir build-asan -j2 -R '^(ParseGoFloat|IsInexact|ParseInt64|ParseDecimal|Utf8|GoFloat|Parser|Malformed|Chunked|Writer|RoundTrip|Format)Test|^Promql|^Logql|^Registry|^registry\.|promql_fuzzer|logql_fuzzer|c_api|fuzzer' --timeout 900
}
python_tests() {
  # test_promql_scoping.py is run by ctest (promql_scoping_proxy and
  # promql_scoping_prometheus), against the CLI it was built with.
  pip_install . &&
    python3 -m pytest -q tests/python tests/reference \
      --ignore=tests/reference/test_promql_scoping.py
}
go_tests() { (cd examples/go && go test ./...); }
rust_tests() { (cd examples/rust && cargo test --quiet); }

run "build" build
run "C++, C, CLI, promtool, install consumer (ctest)" cpp_tests
run "src/ without exceptions" no_exceptions
run "ASan+UBSan" sanitizers
run "Python wheel + differential tests (pytest)" python_tests
run "Go cgo example (go test)" go_tests
run "Rust -sys + wrapper (cargo test)" rust_tests

echo
echo "=== summary"
passed=0
failed=0
for i in "${!names[@]}"; do
  printf '%-6s %s\n' "${results[$i]}" "${names[$i]}"
  if [[ ${results[$i]} == pass ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "suites: ${passed} passed, ${failed} failed"
((failed == 0))
