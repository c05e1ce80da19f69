# Every dependency comes from Debian 12 packages (see README.md).
find_package(Threads REQUIRED)
# gzip of /metrics responses (src/registry/http_exposition.cc).
find_package(ZLIB REQUIRED)
find_package(absl REQUIRED CONFIG)

# Needed by later modules (PromQL/LogQL regexes, protobuf exposition, HTTP
# forwarding); found now so a missing package is reported at configure time.
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(RE2 QUIET IMPORTED_TARGET re2)
endif()
find_package(Protobuf QUIET)
find_package(CURL QUIET)
