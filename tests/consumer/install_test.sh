#!/bin/sh
# Installs an obsv build into a fresh prefix and builds two consumers
# against that prefix only:
#   project/   a CMake project: find_package(obsv REQUIRED), obsv::obsv (C++)
#   consumer.c a C program:     cc consumer.c $(pkg-config --cflags --libs obsv)
# and checks what the install contains (headers, CMake package, obsv.pc, the
# symbols libobsv.so exports).
#
# Run by ctest (tests/consumer/CMakeLists.txt), or by hand:
#   OBSV_BUILD_DIR=build tests/consumer/install_test.sh
#
# Environment: OBSV_BUILD_DIR (required), CMAKE_COMMAND, CMAKE_GENERATOR,
# OBSV_CONFIG (build type), CC, CXX, PKG_CONFIG; OBSV_KEEP_TMP=1 keeps the
# temporary directory for inspection.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
build=${OBSV_BUILD_DIR:?set OBSV_BUILD_DIR to an obsv build directory}
cmake=${CMAKE_COMMAND:-cmake}
config=${OBSV_CONFIG:-Release}
[ -n "$config" ] || config=Release
cc=${CC:-cc}
pkg_config=${PKG_CONFIG:-pkg-config}

fail() {
  echo "install_test: FAILED: $*" >&2
  exit 1
}
step() { echo "== $*"; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/obsv-install-test.XXXXXX")
cleanup() {
  if [ "${OBSV_KEEP_TMP:-0}" = 1 ]; then
    echo "install_test: kept $tmp"
  else
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT
prefix=$tmp/prefix

step "cmake --install $build --prefix $prefix"
"$cmake" --install "$build" --prefix "$prefix" --config "$config" >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log" >&2; fail "cmake --install"; }

# GNUInstallDirs may pick lib or lib64 (or lib/<multiarch>).
libdir=$(dirname "$(find "$prefix" -name 'libobsv.so' | head -n 1)")
[ -n "$libdir" ] && [ -e "$libdir/libobsv.so" ] || fail "no libobsv.so under $prefix"

step "install layout"
for f in include/obsv/c_api.h include/obsv/version.h include/obsv/export.h \
         include/obsv/exposition_parser.h include/obsv/exposition_writer.h \
         include/obsv/exposition_format.h include/obsv/metric_model.h \
         include/obsv/parse_error.h include/obsv/c_api_promql.h include/obsv/promql.h \
         include/obsv/promql_scope.h include/obsv/promql_template.h \
         include/obsv/c_api_registry.h include/obsv/registry.h include/obsv/metrics.h; do
  [ -f "$prefix/$f" ] || fail "missing $f"
done
for f in cmake/obsv/obsvConfig.cmake cmake/obsv/obsvConfigVersion.cmake \
         cmake/obsv/obsvTargets.cmake pkgconfig/obsv.pc; do
  [ -f "$libdir/$f" ] || fail "missing $libdir/$f"
done
# Only include/obsv/ is installed: no internal header rides along.
extra=$(find "$prefix/include" -type f ! -path "$prefix/include/obsv/*" | head -n 5)
[ -z "$extra" ] || fail "unexpected installed headers: $extra"

step "exported symbols of libobsv.so"
if command -v nm >/dev/null 2>&1; then
  nm -D --defined-only "$libdir/libobsv.so" | awk '{print $2, $3}' >"$tmp/symbols"
  # Every function the C headers declare is exported.
  sed -n 's/^OBSV_API .*[ *]\(obsv_[a-z0-9_]*\)(.*/\1/p' "$prefix/include/obsv/c_api.h" \
    "$prefix/include/obsv/c_api_promql.h" "$prefix/include/obsv/c_api_registry.h" |
    sort -u >"$tmp/declared"
  [ -s "$tmp/declared" ] || fail "no OBSV_API declarations found in c_api.h"
  awk '{print $2}' "$tmp/symbols" | grep '^obsv_' | sort -u >"$tmp/exported_c"
  missing=$(comm -23 "$tmp/declared" "$tmp/exported_c")
  [ -z "$missing" ] || fail "declared in c_api.h but not exported: $missing"
  # Nothing else than obsv_* and obsv:: (not obsv::internal) is exported,
  # apart from the weak template instantiations of the standard library.
  if command -v c++filt >/dev/null 2>&1; then
    leaked=$(awk '$1 != "W" && $1 != "V" && $1 != "u" {print $2}' "$tmp/symbols" |
      grep -v '^obsv_' | grep -v '^_init$' | grep -v '^_fini$' | c++filt |
      grep -v '^obsv::' || true)
    [ -z "$leaked" ] || fail "symbols outside the API are exported: $leaked"
    internal=$(awk '{print $2}' "$tmp/symbols" | c++filt |
      grep -E '^(obsv::(internal|capi)::|absl::)' || true)
    [ -z "$internal" ] || fail "internal symbols are exported: $internal"
  fi
else
  echo "(nm not found: symbol checks skipped)"
fi

step "CMake consumer: find_package(obsv) with CMAKE_PREFIX_PATH=$prefix"
set -- -S "$here/project" -B "$tmp/cmake-build" \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE="$config" \
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON
[ -z "${CMAKE_GENERATOR:-}" ] || set -- "$@" -G "$CMAKE_GENERATOR"
[ -z "${CXX:-}" ] || set -- "$@" -DCMAKE_CXX_COMPILER="$CXX"
"$cmake" "$@" >"$tmp/configure.log" 2>&1 ||
  { cat "$tmp/configure.log" >&2; fail "configuring the CMake consumer"; }
grep -q "obsv_DIR:PATH=$libdir/cmake/obsv" "$tmp/cmake-build/CMakeCache.txt" ||
  fail "find_package(obsv) did not find the installed package: $(grep obsv_DIR "$tmp/cmake-build/CMakeCache.txt")"
"$cmake" --build "$tmp/cmake-build" --config "$config" >"$tmp/build.log" 2>&1 ||
  { cat "$tmp/build.log" >&2; fail "building the CMake consumer"; }
exe=$(find "$tmp/cmake-build" -type f -name obsv_consumer | head -n 1)
[ -n "$exe" ] || fail "obsv_consumer was not built"
LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$exe" ||
  fail "the CMake consumer"
if command -v ldd >/dev/null 2>&1; then
  LD_LIBRARY_PATH="$libdir" ldd "$exe" | grep -q "libobsv.so.* => $libdir/" ||
    fail "obsv_consumer does not load libobsv.so from $libdir: $(ldd "$exe" | grep obsv)"
fi

step "C consumer: pkg-config --cflags --libs obsv with PKG_CONFIG_PATH=$libdir/pkgconfig"
command -v "$pkg_config" >/dev/null 2>&1 || fail "pkg-config not found"
flags=$(PKG_CONFIG_PATH="$libdir/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}" \
  "$pkg_config" --cflags --libs obsv) || fail "pkg-config --cflags --libs obsv"
echo "pkg-config: $flags"
# The -I and -L flags must lead into the prefix the package was installed
# to (obsv.pc is relocated with ${pcfiledir}, so compare resolved paths).
resolve() { (cd "$1" 2>/dev/null && pwd -P); }
want_inc=$(resolve "$prefix/include")
want_lib=$(resolve "$libdir")
found_inc=0
found_lib=0
for flag in $flags; do
  case $flag in
    -I*) [ "$(resolve "${flag#-I}")" != "$want_inc" ] || found_inc=1 ;;
    -L*) [ "$(resolve "${flag#-L}")" != "$want_lib" ] || found_lib=1 ;;
  esac
done
[ "$found_inc" = 1 ] && [ "$found_lib" = 1 ] ||
  fail "obsv.pc does not point at the install prefix $prefix (got: $flags)"
# shellcheck disable=SC2086  # flags are meant to be split
"$cc" -std=c11 -Wall -Wextra -Werror -pedantic -o "$tmp/c_consumer" \
  "$here/project/consumer.c" $flags >"$tmp/cc.log" 2>&1 ||
  { cat "$tmp/cc.log" >&2; fail "building the C consumer"; }
LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$tmp/c_consumer" ||
  fail "the C consumer"

echo "install_test: ok"
