// Accept-Encoding negotiation and gzip (zlib) for /metrics responses.
#include "obsv/http_exposition.h"

#include <zlib.h>

#include <cctype>
#include <cstdlib>
#include <string>

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

// RFC 9110 qvalue: "0", "1", "0.xyz", "1.000". Anything else: -1 (the
// coding is ignored, as a malformed element).
double ParseQ(std::string_view v) {
  if (v.empty() || v.size() > 5 || (v[0] != '0' && v[0] != '1')) return -1;
  if (v.size() > 1 && v[1] != '.') return -1;
  double q = v[0] - '0';
  double scale = 0.1;
  for (size_t i = 2; i < v.size(); ++i, scale /= 10) {
    if (v[i] < '0' || v[i] > '9') return -1;
    q += (v[i] - '0') * scale;
  }
  return q > 1 ? -1 : q;
}

}  // namespace

bool AcceptsGzip(std::string_view header) {
  double gzip = -1, star = -1, identity = -1;  // -1: not mentioned
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view part = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    size_t semi = part.find(';');
    std::string_view coding = Trim(part.substr(0, semi));
    double q = 1;
    while (semi != std::string_view::npos) {
      part = part.substr(semi + 1);
      semi = part.find(';');
      std::string_view param = Trim(part.substr(0, semi));
      size_t eq = param.find('=');
      if (eq != std::string_view::npos && IEquals(Trim(param.substr(0, eq)), "q")) {
        q = ParseQ(Trim(param.substr(eq + 1)));
      }
    }
    if (q < 0 || coding.empty()) continue;
    if (IEquals(coding, "gzip") || IEquals(coding, "x-gzip")) {
      gzip = std::max(gzip, q);
    } else if (coding == "*") {
      star = std::max(star, q);
    } else if (IEquals(coding, "identity")) {
      identity = std::max(identity, q);
    }
  }
  double g = gzip >= 0 ? gzip : star;
  if (g <= 0) return false;
  return identity < 0 || g >= identity;
}

absl::Status GzipCompress(std::string_view in, int level, std::string* out) {
  if (level != -1 && (level < 1 || level > 9)) return absl::InvalidArgumentError("gzip level must be 1..9 or -1");
  z_stream zs{};
  // windowBits 15 + 16: a gzip header and trailer instead of zlib's.
  if (deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return absl::InternalError("zlib deflateInit2 failed");
  }
  size_t start = out->size();
  uLong bound = deflateBound(&zs, static_cast<uLong>(in.size()));
  out->resize(start + bound + 32);
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  zs.next_out = reinterpret_cast<Bytef*>(&(*out)[start]);
  zs.avail_out = static_cast<uInt>(out->size() - start);
  int rc = deflate(&zs, Z_FINISH);
  size_t written = zs.total_out;
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    out->resize(start);
    return absl::InternalError("zlib deflate failed");
  }
  out->resize(start + written);
  return absl::OkStatus();
}

absl::Status ExposeHttp(const Registry& registry, std::string_view accept, std::string_view accept_encoding,
                        HttpExposition* out, const HttpExposeOptions& options) {
  NegotiatedFormat f = NegotiateFormat(accept);
  out->format = f.format;
  out->content_type = f.content_type;
  out->content_encoding = {};
  out->body.clear();
  bool gzip = AcceptsGzip(accept_encoding);
  if (!gzip) return registry.Expose(f.format, &out->body);
  // Rendered into a per-thread scratch string, compressed into the body:
  // a scrape loop allocates nothing once both have grown.
  thread_local std::string text;
  text.clear();
  absl::Status s = registry.Expose(f.format, &text);
  if (!s.ok()) return s;
  if (text.size() < options.min_gzip_bytes) {
    out->body.assign(text);
    return absl::OkStatus();
  }
  s = GzipCompress(text, options.gzip_level, &out->body);
  if (!s.ok()) return s;
  out->content_encoding = "gzip";
  return absl::OkStatus();
}

}  // namespace obsv
