// obsv/http_exposition.h: a registry's /metrics response, negotiated from
// the request's Accept and Accept-Encoding headers, gzip-compressed (zlib)
// when the client accepts it.
//
//   obsv::HttpExposition r;
//   absl::Status s = obsv::ExposeHttp(registry, request.header("Accept"),
//                                     request.header("Accept-Encoding"), &r);
//   if (!s.ok()) { respond(500, ...); return; }
//   response.set_header("Content-Type", r.content_type);
//   if (!r.content_encoding.empty())
//     response.set_header("Content-Encoding", r.content_encoding);
//   response.set_body(r.body);
//
// Thread safety: thread-safe (as Registry::Expose()).
#ifndef OBSV_HTTP_EXPOSITION_H_
#define OBSV_HTTP_EXPOSITION_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "obsv/export.h"
#include "obsv/exposition_format.h"
#include "obsv/registry.h"

namespace obsv {

// Whether an Accept-Encoding header (RFC 9110 12.5.3) lets the response be
// gzip: `gzip` (or `x-gzip`) with q > 0, or else `*` with q > 0; and gzip's q
// not below an explicit `identity`'s. An empty header, `gzip;q=0`, or
// `identity` alone: false. Case-insensitive; never fails.
OBSV_API bool AcceptsGzip(std::string_view accept_encoding);

// Appends the gzip (RFC 1952) compression of `in` to `*out`. `level`: 1
// (fastest) to 9, or -1 for zlib's default (6). Internal if zlib fails
// (out of memory); InvalidArgument for a bad level.
OBSV_API absl::Status GzipCompress(std::string_view in, int level, std::string* out);

struct HttpExposeOptions {
  // zlib level. Level 1 is several times faster than 6 and metric text
  // still compresses about 10x.
  int gzip_level = 1;
  // Bodies shorter than this are sent uncompressed even when gzip is
  // accepted (0: always compress).
  size_t min_gzip_bytes = 0;
};

struct HttpExposition {
  std::string body;  // compressed when content_encoding is "gzip"
  ExpositionFormat format = ExpositionFormat::kText;
  std::string_view content_type;      // static storage
  std::string_view content_encoding;  // "gzip" or empty; static storage
};

// Negotiates the format (NegotiateFormat(accept)) and the encoding
// (AcceptsGzip(accept_encoding)), exposes `registry` into out->body (which
// is overwritten) and compresses it if so. Errors: as Registry::Expose(),
// and GzipCompress()'s. Cost: the exposition, plus deflate when gzip (at
// level 1 about as long again); with gzip the text is rendered into a
// per-thread scratch string that keeps its capacity, so a scrape loop that
// reuses `out` allocates nothing once warm.
OBSV_API absl::Status ExposeHttp(const Registry& registry, std::string_view accept,
                                 std::string_view accept_encoding, HttpExposition* out,
                                 const HttpExposeOptions& options = {});

}  // namespace obsv

#endif  // OBSV_HTTP_EXPOSITION_H_
