// obsv/exposition_format.h: which exposition format a body is in.
//
// Prometheus negotiates the format with the Content-Type header; a file on
// disk has only its content. Both routes are here.
//
//   obsv::ExpositionFormat f = obsv::FormatFromContentType(
//       "application/openmetrics-text; version=1.0.0; charset=utf-8");
//   // f == obsv::ExpositionFormat::kOpenMetrics
#ifndef OBSV_EXPOSITION_FORMAT_H_
#define OBSV_EXPOSITION_FORMAT_H_

#include <string_view>

#include "obsv/export.h"

namespace obsv {

enum class ExpositionFormat : unsigned char {
  // Prometheus text format 0.0.4 (`text/plain; version=0.0.4`), including the
  // quoted UTF-8 names of Prometheus 3 (`{"my.metric",a="b"}`).
  kText = 0,
  // OpenMetrics 1.0 text (`application/openmetrics-text; version=1.0.0`),
  // including the quoted UTF-8 names of OpenMetrics 2.0.
  kOpenMetrics = 1,
  // The delimited protobuf format (`application/vnd.google.protobuf;
  // proto=io.prometheus.client.MetricFamily; encoding=delimited`): written by
  // obsv::Registry::Expose() only (the one format with native histograms).
  // obsv::WriteExposition() refuses it (InvalidArgument); the parsers read
  // text only (given kProtobuf they parse as text 0.0.4, and a binary body
  // fails).
  kProtobuf = 2,
};

// "text", "openmetrics" or "protobuf". Static storage.
OBSV_API std::string_view ExpositionFormatName(ExpositionFormat format);

// The format a response's Content-Type names: `application/openmetrics-text`
// (any version) is kOpenMetrics; `text/plain`, an empty string, and anything
// unrecognised are kText, as Prometheus's scraper falls back to text.
// Media types and parameters are matched case-insensitively.
OBSV_API ExpositionFormat FormatFromContentType(std::string_view content_type);

// Guesses the format of a body from its content: OpenMetrics if its last
// non-empty line is `# EOF`, or a `# UNIT` line or an exemplar appears in the
// first 64 KiB; text otherwise. Reads at most the first and last 64 KiB.
OBSV_API ExpositionFormat DetectFormat(std::string_view body);

// The Content-Type to send with a body written in `format`:
// "text/plain; version=0.0.4; charset=utf-8" or
// "application/openmetrics-text; version=1.0.0; charset=utf-8" or
// "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily;
// encoding=delimited".
OBSV_API std::string_view ContentTypeFor(ExpositionFormat format);

}  // namespace obsv

#endif  // OBSV_EXPOSITION_FORMAT_H_
