#include "obsv/build_info.h"

#include "common/str_cat.h"
#include "obsv/exposition_writer.h"

namespace obsv {

absl::StatusOr<Family<Gauge>> RegisterBuildInfo(Registry* registry, std::string_view program, const BuildInfo& info) {
  if (registry == nullptr) return absl::InvalidArgumentError("RegisterBuildInfo: registry is null");
  if (!IsLegacyMetricName(program)) {
    return absl::InvalidArgumentError(internal::StrCat("build info program \"", program,
                                                       "\" is not a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)"));
  }
  MetricOptions o;
  o.name = internal::StrCat(program, "_build_info");
  o.help = internal::StrCat(
      "A metric with a constant '1' value labeled by version, revision, branch, build_date and compiler from "
      "which ",
      program, " was built.");
  o.label_names = {"version", "revision", "branch", "build_date", "compiler"};
  std::vector<std::string_view> values = {info.version, info.revision, info.branch, info.build_date, info.compiler};
  for (const Label& l : info.extra_labels) {
    o.label_names.push_back(l.name);
    values.push_back(l.value);
  }
  absl::StatusOr<Family<Gauge>> family = registry->AddGauge(o);
  if (!family.ok()) return family.status();
  absl::StatusOr<Gauge> g = family->WithLabelValues(absl::MakeConstSpan(values));
  if (!g.ok()) return g.status();
  g->Set(1);
  return family;
}

}  // namespace obsv
