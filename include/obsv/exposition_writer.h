// obsv/exposition_writer.h: writes families as Prometheus text 0.0.4 or
// OpenMetrics 1.0, byte for byte as Prometheus's Go code writes them.
//
//   std::string out;
//   absl::Status s = obsv::WriteExposition(
//       families, {.format = obsv::ExpositionFormat::kOpenMetrics}, &out);
//
// Names: a metric or label name outside the legacy charset
// ([a-zA-Z_:][a-zA-Z0-9_:]*) is written quoted, in the UTF-8 syntax of
// Prometheus 3 (`{"my.metric",a="b"}`). Escapes: label values escape `\`,
// `"` and newline in both formats; HELP escapes `\` and newline in text
// 0.0.4 and additionally `"` in OpenMetrics.
//
// Numbers: floats as Go's strconv.FormatFloat(v, 'g', -1, 64) (shortest
// round trip, `1e+06`), with `+Inf`, `-Inf`, `NaN`. OpenMetrics appends `.0`
// to integral floats (`5.0`) but writes bucket and count samples, which are
// integers, without it. `le` and `quantile` are written canonically for the
// target format (`le="1"` in text, `le="1.0"` in OpenMetrics).
//
// Conversions: an OpenMetrics counter `x` (sample `x_total`) becomes the text
// family `x_total`; its `_created` samples become a gauge `x_created`, as
// Python's prometheus_client writes them. A text counter `x_total` becomes
// the OpenMetrics family `x`; a text counter without `_total` gains it, as
// client_golang does. Info, stateset and gaugehistogram, which text 0.0.4
// lacks, are written as untyped (info and stateset) or as an untyped family
// per sample name. Exemplars and units exist only in OpenMetrics and are
// dropped from text. Timestamps: integer milliseconds in text (sub-millisecond
// parts dropped), decimal seconds in OpenMetrics.
//
// Thread safety: thread-safe (no shared state).
#ifndef OBSV_EXPOSITION_WRITER_H_
#define OBSV_EXPOSITION_WRITER_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "obsv/export.h"
#include "obsv/exposition_format.h"
#include "obsv/metric_model.h"

namespace obsv {

struct WriterOptions {
  ExpositionFormat format = ExpositionFormat::kText;
  // OpenMetrics: end with `# EOF`. Off when concatenating several writes
  // into one body (write the final `# EOF` yourself, or the last write with
  // it on).
  bool write_eof = true;
};

// Appends the families to `*out`. Families and samples are written in the
// given order. Returns InvalidArgument, with `*out` unspecified, for a
// family that cannot be written in the format: an empty name, a sample
// whose name does not belong to its family's type, an invalid UTF-8 name or
// value. Cost: linear in the output; no allocation beyond growing `*out`.
OBSV_API absl::Status WriteExposition(const std::vector<MetricFamily>& families,
                                      const WriterOptions& options,
                                      std::string* out);

// Writes one family. With options.format == kOpenMetrics no `# EOF` is
// written, whatever write_eof says. Unlike WriteExposition(), it cannot see
// the other families of the body, so it does not resolve the OpenMetrics
// name clash of a text counter `x_total` beside a family `x`.
OBSV_API absl::Status WriteFamily(const MetricFamily& family,
                                  const WriterOptions& options,
                                  std::string* out);

// Appends `value` as Go's strconv.FormatFloat(value, 'g', -1, 64) with
// Prometheus's spellings of the specials: "+Inf", "-Inf", "NaN".
OBSV_API void AppendGoFloat(double value, std::string* out);
// As AppendGoFloat(), then `.0` if the result is integral without exponent:
// the canonical OpenMetrics number ("1.0", "0.005", "1e+06", "+Inf").
OBSV_API void AppendOpenMetricsFloat(double value, std::string* out);

// Appends a timestamp: integer milliseconds for kText, decimal seconds with
// no trailing zeros for kOpenMetrics ("1520879607.789").
OBSV_API void AppendTimestamp(Timestamp ts, ExpositionFormat format,
                              std::string* out);

// True if `name` matches [a-zA-Z_:][a-zA-Z0-9_:]* (metric names) or
// [a-zA-Z_][a-zA-Z0-9_]* (label names): it can be written unquoted.
OBSV_API bool IsLegacyMetricName(std::string_view name);
OBSV_API bool IsLegacyLabelName(std::string_view name);

}  // namespace obsv

#endif  // OBSV_EXPOSITION_WRITER_H_
