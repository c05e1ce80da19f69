// obsv/build_info.h: the `<program>_build_info` gauge, as Prometheus's
// prometheus/common/version collector exports it: one series with value 1
// whose labels say what was built.
//
//   obsv::BuildInfo info;
//   info.version = "1.4.2";
//   info.revision = "27b332f";
//   info.branch = "main";
//   info.build_date = "20261203-09:30:00";
//   obsv::RegisterBuildInfo(&registry, "myapp", info);
//   // myapp_build_info{version="1.4.2",revision="27b332f",branch="main",
//   //   build_date="20261203-09:30:00",compiler="gcc 12.2.0"} 1
//
// Labels, in this order: version, revision, branch, build_date, compiler
// (obsv's stand-in for Go's goversion), then extra_labels. Empty values are
// written empty, as Go's collector does for unset build variables.
#ifndef OBSV_BUILD_INFO_H_
#define OBSV_BUILD_INFO_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "obsv/export.h"
#include "obsv/metric_model.h"
#include "obsv/metrics.h"
#include "obsv/registry.h"

namespace obsv {

// The compiler that compiles the calling code ("gcc 12.2.0", "clang
// 16.0.6"): inline so that it names the application's compiler.
inline std::string CompilerVersion() {
#if defined(__clang__)
  return "clang " __clang_version__;
#elif defined(__GNUC__)
  return "gcc " __VERSION__;
#else
  return "unknown";
#endif
}

struct BuildInfo {
  std::string version;
  std::string revision;
  std::string branch;
  std::string build_date;
  std::string compiler = CompilerVersion();
  // More labels (e.g. {"os", "linux"}), after the five above.
  std::vector<Label> extra_labels;
};

// Registers the gauge `<program>_build_info` and sets its one series to 1.
// Errors (InvalidArgument): `program` not a legacy metric name, a bad or
// duplicate extra label name, a value that is not UTF-8, or the family
// already registered with other labels; registering it again with other
// values adds a second series (the family is the same).
OBSV_API absl::StatusOr<Family<Gauge>> RegisterBuildInfo(Registry* registry, std::string_view program,
                                                         const BuildInfo& info);

}  // namespace obsv

#endif  // OBSV_BUILD_INFO_H_
