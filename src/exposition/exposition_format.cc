#include "obsv/exposition_format.h"

#include <algorithm>


namespace obsv {

std::string_view ExpositionFormatName(ExpositionFormat format) {
  switch (format) {
    case ExpositionFormat::kText:
      return "text";
    case ExpositionFormat::kOpenMetrics:
      return "openmetrics";
    case ExpositionFormat::kProtobuf:
      return "protobuf";
  }
  return "text";
}

ExpositionFormat FormatFromContentType(std::string_view content_type) {
  std::string_view media = content_type.substr(0, content_type.find(';'));
  while (!media.empty() && (media.front() == ' ' || media.front() == '\t')) media.remove_prefix(1);
  while (!media.empty() && (media.back() == ' ' || media.back() == '\t')) media.remove_suffix(1);
  static constexpr std::string_view kOpenMetrics = "application/openmetrics-text";
  bool match = media.size() == kOpenMetrics.size();
  for (size_t i = 0; match && i < media.size(); ++i) {
    char c = media[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    match = c == kOpenMetrics[i];
  }
  if (match) {
    return ExpositionFormat::kOpenMetrics;
  }
  return ExpositionFormat::kText;
}

namespace {

bool LineStartsWith(std::string_view body, std::string_view prefix) {
  // Any line of body starts with prefix.
  size_t pos = 0;
  while (pos < body.size()) {
    if (body.compare(pos, prefix.size(), prefix) == 0) return true;
    size_t nl = body.find('\n', pos);
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return false;
}

}  // namespace

ExpositionFormat DetectFormat(std::string_view body) {
  constexpr size_t kWindow = 64 << 10;
  std::string_view tail = body.substr(body.size() > kWindow ? body.size() - kWindow : 0);
  while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r' || tail.back() == ' ')) {
    tail.remove_suffix(1);
  }
  static constexpr std::string_view kEof = "\n# EOF";
  if (tail == "# EOF" || (tail.size() >= kEof.size() && tail.substr(tail.size() - kEof.size()) == kEof)) {
    return ExpositionFormat::kOpenMetrics;
  }
  std::string_view head = body.substr(0, std::min(body.size(), kWindow));
  if (LineStartsWith(head, "# UNIT ")) return ExpositionFormat::kOpenMetrics;
  // An exemplar: " # {" on a sample line.
  for (size_t pos = 0; pos < head.size();) {
    size_t nl = head.find('\n', pos);
    std::string_view line = head.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    if (!line.empty() && line[0] != '#' && line.find(" # {") != std::string_view::npos) {
      return ExpositionFormat::kOpenMetrics;
    }
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return ExpositionFormat::kText;
}

std::string_view ContentTypeFor(ExpositionFormat format) {
  switch (format) {
    case ExpositionFormat::kText:
      return "text/plain; version=0.0.4; charset=utf-8";
    case ExpositionFormat::kOpenMetrics:
      return "application/openmetrics-text; version=1.0.0; charset=utf-8";
    case ExpositionFormat::kProtobuf:
      return "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";
  }
  return "text/plain; version=0.0.4; charset=utf-8";
}

}  // namespace obsv
