// Fuzz target for the /metrics negotiation of untrusted HTTP headers:
// NegotiateFormat() (Accept) and AcceptsGzip() (Accept-Encoding).
//
// Properties, for every input:
//  - neither crashes, hangs or reads out of bounds (run under ASan);
//  - the answer is a function of the header: the same twice, and the same
//    for the header in upper case (media types, codings and parameter names
//    are case-insensitive; q-values are digits);
//  - appending a coding obsv ignores (`, br`) never changes AcceptsGzip();
//  - the Content-Type answered is the one of the format answered.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "obsv/exposition_format.h"
#include "obsv/http_exposition.h"
#include "obsv/registry.h"

namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz property violated: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string upper(in);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));

  bool gzip = obsv::AcceptsGzip(in);
  Check(gzip == obsv::AcceptsGzip(in), "AcceptsGzip is deterministic");
  Check(gzip == obsv::AcceptsGzip(upper), "AcceptsGzip is case-insensitive");
  Check(gzip == obsv::AcceptsGzip(std::string(in) + ", br"), "an unknown coding changes nothing");

  obsv::NegotiatedFormat f = obsv::NegotiateFormat(in);
  obsv::NegotiatedFormat g = obsv::NegotiateFormat(in);
  Check(f.format == g.format && f.content_type == g.content_type, "NegotiateFormat is deterministic");
  Check(f.content_type == obsv::ContentTypeFor(f.format), "content type matches the format");
  return 0;
}
