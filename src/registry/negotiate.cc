// Content negotiation from an HTTP Accept header.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <vector>

#include "obsv/registry.h"

namespace obsv {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

std::string_view Unquote(std::string_view v) {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') return v.substr(1, v.size() - 2);
  return v;
}

struct Range {
  std::string_view type;
  std::string_view version;
  std::string_view escaping;
  std::string_view proto;
  std::string_view encoding;
  bool has_version = false;
  bool has_escaping = false;
  double q = 1;
  size_t order = 0;
};

// q: 0..1 with up to three decimals (RFC 9110); anything else counts as 1
// if it does not parse, as Go's goautoneg does (it ignores the bad value).
double ParseQ(std::string_view v) {
  std::string s(v);
  char* end = nullptr;
  double q = std::strtod(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0' || !(q >= 0)) return 1;
  return q > 1 ? 1 : q;
}

}  // namespace

NegotiatedFormat NegotiateFormat(std::string_view accept) {
  std::vector<Range> ranges;
  size_t order = 0;
  while (!accept.empty()) {
    size_t comma = accept.find(',');
    std::string_view part = accept.substr(0, comma);
    accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
    Range r;
    r.order = order++;
    size_t semi = part.find(';');
    r.type = Trim(part.substr(0, semi));
    while (semi != std::string_view::npos) {
      part = part.substr(semi + 1);
      semi = part.find(';');
      std::string_view param = Trim(part.substr(0, semi));
      size_t eq = param.find('=');
      if (eq == std::string_view::npos) continue;
      std::string_view key = Trim(param.substr(0, eq));
      std::string_view value = Unquote(Trim(param.substr(eq + 1)));
      if (IEquals(key, "q")) {
        r.q = ParseQ(value);
      } else if (IEquals(key, "version")) {
        r.version = value;
        r.has_version = true;
      } else if (IEquals(key, "proto")) {
        r.proto = value;
      } else if (IEquals(key, "encoding")) {
        r.encoding = value;
      } else if (IEquals(key, "escaping")) {
        r.escaping = value;
        r.has_escaping = true;
      }
    }
    if (r.type.empty() || r.q <= 0) continue;
    ranges.push_back(r);
  }
  std::stable_sort(ranges.begin(), ranges.end(), [](const Range& a, const Range& b) { return a.q > b.q; });
  NegotiatedFormat out;
  out.content_type = ContentTypeFor(ExpositionFormat::kText);
  for (const Range& r : ranges) {
    bool om = IEquals(r.type, "application/openmetrics-text") &&
              (!r.has_version || r.version == "1.0.0" || r.version == "0.0.1");
    bool text = IEquals(r.type, "text/plain") && (!r.has_version || r.version == "0.0.4");
    // Only the delimited encoding: the text and compact-text protobuf
    // encodings are debugging formats Prometheus never asks for.
    bool pb = IEquals(r.type, "application/vnd.google.protobuf") &&
              r.proto == "io.prometheus.client.MetricFamily" && IEquals(r.encoding, "delimited");
    if (!om && !text && !pb) continue;
    out.format = pb ? ExpositionFormat::kProtobuf : om ? ExpositionFormat::kOpenMetrics : ExpositionFormat::kText;
    out.content_type = ContentTypeFor(out.format);
    out.utf8_names = !r.has_escaping || IEquals(r.escaping, "allow-utf-8");
    return out;
  }
  return out;
}

}  // namespace obsv
