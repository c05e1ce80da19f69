#!/usr/bin/env bash
# Installs what obsv needs on Debian 12 and is missing: the C++ toolchain and
# libraries (apt), the test and benchmark peers (apt: prometheus/promtool,
# prometheus-cpp; pip: pytest, prometheus_client, scikit-build-core,
# pybind11), Go and Rust toolchains when absent.
#
#   scripts/install-deps.sh           everything (tests, benchmarks, bindings)
#   scripts/install-deps.sh --build   only what building the library and CLI needs
set -euo pipefail

mode=all
[[ "${1:-}" == "--build" ]] && mode=build

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi

build_pkgs=(build-essential cmake ninja-build pkg-config libabsl-dev libre2-dev libprotobuf-dev
            protobuf-compiler libcurl4-openssl-dev libgtest-dev libbenchmark-dev pybind11-dev
            prometheus-cpp-dev zlib1g-dev)
test_pkgs=(prometheus python3 python3-pip python3-dev curl ca-certificates git)

want=("${build_pkgs[@]}")
[[ $mode == all ]] && want+=("${test_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: apt-get install ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
[[ $mode == build ]] && exit 0

# Python packages for the wheel build and the tests.
py=$(command -v python3)
need_py=()
for mod in pytest prometheus_client scikit_build_core pybind11; do
  "$py" -c "import $mod" 2>/dev/null || need_py+=("$mod")
done
if ((${#need_py[@]})); then
  pkgs=()
  for m in "${need_py[@]}"; do pkgs+=("${m//_/-}"); done
  echo "install-deps: pip install ${pkgs[*]}"
  source "$(dirname "$0")/env.sh"
  pip_install "${pkgs[@]}"
fi

# Go >= 1.22 (the reference oracle builds Prometheus 3's parser). Debian 12's
# golang is 1.19; the official toolchain is a module on the Go module proxy.
go_ok() { command -v go >/dev/null && go version | grep -Eq 'go1\.(2[2-9]|[3-9][0-9])'; }
if ! go_ok; then
  gover=1.24.9
  dest="${HOME}/.cache/obsv/go${gover}"
  if [[ ! -x "$dest/bin/go" ]]; then
    echo "install-deps: Go toolchain ${gover} from the Go module proxy"
    tmp=$(mktemp -d)
    curl -fsSL -o "$tmp/go.zip" \
      "https://proxy.golang.org/golang.org/toolchain/@v/v0.0.1-go${gover}.linux-amd64.zip"
    (cd "$tmp" && "$py" -m zipfile -e go.zip .)
    mkdir -p "$(dirname "$dest")"
    mv "$tmp/golang.org/toolchain@v0.0.1-go${gover}.linux-amd64" "$dest"
    chmod -R u+x "$dest/bin" "$dest/pkg/tool"
    rm -rf "$tmp"
  fi
  echo "install-deps: add $dest/bin to PATH"
fi

# Rust: rustup's cargo if present, else Debian's.
if ! command -v cargo >/dev/null && [[ ! -x "${HOME}/.cargo/bin/cargo" ]]; then
  echo "install-deps: apt-get install cargo"
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq cargo >/dev/null
fi
