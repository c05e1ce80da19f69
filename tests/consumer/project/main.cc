// Uses the installed C++ API of obsv: every public header, the streaming
// parser, the model, the writer, and a Status from absl (which obsv::obsv
// must bring along). Exits non-zero with a message on any mismatch.
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "obsv/c_api.h"
#include "obsv/export.h"
#include "obsv/exposition_format.h"
#include "obsv/exposition_parser.h"
#include "obsv/exposition_writer.h"
#include "obsv/metric_model.h"
#include "obsv/parse_error.h"
#include "obsv/version.h"

namespace {

int failures = 0;

void Expect(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "consumer: FAILED: %s\n", what);
    ++failures;
  }
}

constexpr std::string_view kBody =
    "# HELP http_requests_total Requests served.\n"
    "# TYPE http_requests_total counter\n"
    "http_requests_total{code=\"200\"} 1027 1500\n"
    "http_requests_total{code=\"500\"} 3 1500\n"
    "# TYPE temperature_celsius gauge\n"
    "temperature_celsius -3.25\n";

constexpr std::string_view kOpenMetrics =
    "# HELP http_requests Requests served.\n"
    "# TYPE http_requests counter\n"
    "http_requests_total{code=\"200\"} 1027.0 1.5\n"
    "http_requests_total{code=\"500\"} 3.0 1.5\n"
    "# TYPE temperature_celsius gauge\n"
    "temperature_celsius -3.25\n"
    "# EOF\n";

}  // namespace

int main() {
  Expect(std::string_view(obsv::Version()) == OBSV_VERSION_STRING, "Version() == OBSV_VERSION_STRING");
  Expect(obsv::VersionNumber() == OBSV_VERSION_NUMBER, "VersionNumber() == OBSV_VERSION_NUMBER");

  // The streaming parser.
  obsv::ParserOptions options;
  options.format = obsv::FormatFromContentType("text/plain; version=0.0.4");
  options.strict = true;
  obsv::ExpositionParser parser(options);
  parser.Reset(kBody);
  int samples = 0;
  double sum = 0;
  for (obsv::Entry e; (e = parser.Next()) != obsv::Entry::kEnd;) {
    if (e == obsv::Entry::kError) {
      std::fprintf(stderr, "consumer: %s\n", parser.error().message.c_str());
      return 1;
    }
    if (e == obsv::Entry::kSample) {
      ++samples;
      sum += parser.value();
    }
  }
  Expect(samples == 3, "3 samples");
  Expect(sum == 1027 + 3 - 3.25, "sum of values");

  // The model and the writer: text in, OpenMetrics out.
  absl::StatusOr<std::vector<obsv::MetricFamily>> families = obsv::ParseExposition(kBody);
  Expect(families.ok(), "ParseExposition ok");
  if (!families.ok()) return 1;
  Expect(families->size() == 2, "2 families");
  std::string out;
  obsv::WriterOptions writer;
  writer.format = obsv::ExpositionFormat::kOpenMetrics;
  absl::Status status = obsv::WriteExposition(*families, writer, &out);
  Expect(status.ok(), "WriteExposition ok");
  Expect(out == kOpenMetrics, "OpenMetrics output");
  if (out != kOpenMetrics) std::fprintf(stderr, "got:\n%s", out.c_str());
  Expect(obsv::DetectFormat(out) == obsv::ExpositionFormat::kOpenMetrics, "DetectFormat");

  // A structured error, and its absl::Status.
  obsv::ParseError error = obsv::ParseExposition("a{b=\"c} 1\n", options, &*families);
  Expect(error.code == obsv::ParseErrorCode::kUnterminatedString, "error code");
  Expect(error.line == 1, "error line");
  Expect(absl::IsInvalidArgument(error.ToStatus()), "ToStatus() is InvalidArgument");

  // The C ABI is in the same library.
  Expect(obsv_version_number() == OBSV_VERSION_NUMBER, "obsv_version_number()");

  if (failures != 0) return 1;
  std::printf("consumer (C++, find_package): ok, obsv %s\n", obsv::Version());
  return 0;
}
