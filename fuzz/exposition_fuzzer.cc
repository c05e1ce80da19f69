// Fuzz target for the exposition parser and writer (libFuzzer interface).
//
// Properties, for every input, both formats, both modes:
//  - parsing never crashes, hangs or reads out of bounds (run under ASan);
//  - chunked parsing (split at a point taken from the input) equals
//    whole-buffer parsing;
//  - whatever parses is written, and the output parses again to the same
//    model (parse -> write -> parse is stable), strictly valid in OpenMetrics
//    when the input was strictly valid.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "obsv/exposition_parser.h"
#include "obsv/exposition_writer.h"

namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz property violated: %s\n", what);
    std::abort();
  }
}

// Entry stream as text, for comparing two parses.
std::string Entries(obsv::ExpositionParser& p) {
  std::string out;
  for (obsv::Entry e; (e = p.Next()) != obsv::Entry::kEnd && e != obsv::Entry::kNeedMore;) {
    out += std::to_string(static_cast<int>(e));
    if (e == obsv::Entry::kError) {
      out += std::to_string(static_cast<int>(p.error().code)) + "@" + std::to_string(p.error().offset);
      break;
    }
    out.append(p.family_name());
    out.append(p.metric_name());
    for (size_t i = 0; i < p.label_count(); ++i) out.append(p.label_name(i)).append(p.label_value(i));
    out.append(p.help());
    out.append(std::to_string(p.value()));
    out.push_back('\n');
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  size_t split = size == 0 ? 0 : data[0] % size;
  for (obsv::ExpositionFormat format : {obsv::ExpositionFormat::kText, obsv::ExpositionFormat::kOpenMetrics}) {
    for (bool strict : {false, true}) {
      obsv::ParserOptions o;
      o.format = format;
      o.strict = strict;
      o.max_line_bytes = 4096;
      obsv::ExpositionParser whole(o);
      whole.Reset(body);
      std::string expected = Entries(whole);

      obsv::ExpositionParser chunked(o);
      std::string got;
      std::string first(body.substr(0, split)), second(body.substr(split));
      if (chunked.Feed(first)) {
        got += Entries(chunked);
        if (chunked.error().ok() && chunked.Feed(second)) got += Entries(chunked);
      }
      if (chunked.error().ok()) {
        chunked.Finish();
        got += Entries(chunked);
      }
      Check(got == expected, "chunked parse differs from whole-buffer parse");

      std::vector<obsv::MetricFamily> model;
      if (!obsv::ParseExposition(body, o, &model).ok()) continue;
      for (obsv::ExpositionFormat out_format :
           {obsv::ExpositionFormat::kText, obsv::ExpositionFormat::kOpenMetrics}) {
        std::string written;
        obsv::WriterOptions w;
        w.format = out_format;
        if (!obsv::WriteExposition(model, w, &written).ok()) continue;
        obsv::ParserOptions again_options;
        again_options.format = out_format;
        std::vector<obsv::MetricFamily> again;
        obsv::ParseError e = obsv::ParseExposition(written, again_options, &again);
        Check(e.ok(), "the writer's output does not parse");
        if (out_format == format) {
          Check(again.size() == model.size(), "round trip changed the number of families");
          for (size_t i = 0; i < model.size(); ++i) {
            Check(obsv::FamiliesEqual(model[i], again[i]), "round trip changed a family");
          }
        }
      }
    }
  }
  return 0;
}
