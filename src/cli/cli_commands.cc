#include "cli/cli_commands.h"

#include <cstdio>
#include <map>
#include <string>
#include <string_view>

#include "cli/bundled_exposition.h"
#include "common/str_cat.h"
#include "obsv/exposition_parser.h"
#include "obsv/exposition_writer.h"

namespace obsv::cli {
namespace {

using internal::StrCat;

bool ReadInput(const std::string& path, std::string* out) {
  FILE* f = path == "-" ? stdin : std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    std::fprintf(stderr, "obsv: cannot open %s\n", path.c_str());
    return false;
  }
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), f)) > 0) out->append(buf, n);
  bool ok = !std::ferror(f);
  if (f != stdin) std::fclose(f);
  if (!ok) std::fprintf(stderr, "obsv: cannot read %s\n", path.c_str());
  return ok;
}

ParserOptions OptionsFor(const CommonFlags& flags) {
  ParserOptions options;
  options.format = flags.format;
  options.strict = flags.strict;
  return options;
}

// "file:3:17: error: message [code]" with the line and a caret under it.
void PrintError(const std::string& name, std::string_view body, const ParseError& e) {
  std::fprintf(stderr, "%s:%u:%u: error: %s [%s]\n", name.c_str(), e.line, e.column, e.message.c_str(),
               std::string(ParseErrorCodeName(e.code)).c_str());
  size_t start = e.offset > body.size() ? body.size() : static_cast<size_t>(e.offset);
  if (e.column > 0 && start >= e.column - 1) start -= e.column - 1;
  size_t end = body.find('\n', start);
  if (end == std::string_view::npos) end = body.size();
  std::string_view line = body.substr(start, end - start);
  if (line.size() > 200) line = line.substr(0, 200);
  std::string shown;
  for (char c : line) shown.push_back(static_cast<unsigned char>(c) < 0x20 ? '?' : c);
  std::fprintf(stderr, "  %s\n  %*s^\n", shown.c_str(), static_cast<int>(e.column > 0 ? e.column - 1 : 0), "");
}

std::string DisplayName(const std::string& path) { return path == "-" ? "<stdin>" : path; }

struct TypeCounts {
  uint64_t families = 0;
  uint64_t samples = 0;
};

struct Summary {
  ExpositionFormat format = ExpositionFormat::kText;
  std::map<std::string, TypeCounts> by_type;
  uint64_t families = 0;
  uint64_t samples = 0;
  uint64_t exemplars = 0;
  uint64_t timestamps = 0;
  uint64_t without_help = 0;
};

Summary Summarize(const std::vector<MetricFamily>& families, ExpositionFormat format) {
  Summary s;
  s.format = format;
  for (const MetricFamily& f : families) {
    TypeCounts& t = s.by_type[std::string(MetricTypeName(f.type))];
    ++t.families;
    t.samples += f.samples.size();
    ++s.families;
    s.samples += f.samples.size();
    if (!f.has_help) ++s.without_help;
    for (const Sample& smp : f.samples) {
      s.exemplars += smp.exemplar.has_value();
      s.timestamps += smp.timestamp.has_value();
    }
  }
  return s;
}

void PrintSummary(const Summary& s, FILE* out) {
  std::fprintf(out, "format: %s\n", std::string(ExpositionFormatName(s.format)).c_str());
  std::fprintf(out, "families: %llu  series: %llu  exemplars: %llu  with timestamps: %llu\n",
               static_cast<unsigned long long>(s.families), static_cast<unsigned long long>(s.samples),
               static_cast<unsigned long long>(s.exemplars), static_cast<unsigned long long>(s.timestamps));
  std::fprintf(out, "%-16s %9s %9s\n", "type", "families", "series");
  for (const auto& [type, c] : s.by_type) {
    std::fprintf(out, "%-16s %9llu %9llu\n", type.c_str(), static_cast<unsigned long long>(c.families),
                 static_cast<unsigned long long>(c.samples));
  }
}

// Parses `body`; prints a positioned error and returns false on failure.
bool ParseOrReport(const std::string& name, std::string_view body, const ParserOptions& options,
                   std::vector<MetricFamily>* families, ExpositionFormat* format) {
  ParserOptions resolved = options;
  if (!resolved.format) resolved.format = DetectFormat(body);
  *format = *resolved.format;
  ParseError e = ParseExposition(body, resolved, families);
  if (!e.ok()) {
    PrintError(name, body, e);
    return false;
  }
  return true;
}

void JsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (u < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out->append("\\u00");
          out->push_back(kHex[u >> 4]);
          out->push_back(kHex[u & 15]);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

void JsonLabels(const ExpositionParser& p, bool exemplar, std::string* out) {
  size_t n = exemplar ? p.exemplar_label_count() : p.label_count();
  out->push_back('[');
  for (size_t i = 0; i < n; ++i) {
    if (i > 0) out->push_back(',');
    out->push_back('[');
    JsonString(exemplar ? p.exemplar_label_name(i) : p.label_name(i), out);
    out->push_back(',');
    JsonString(exemplar ? p.exemplar_label_value(i) : p.label_value(i), out);
    out->push_back(']');
  }
  out->push_back(']');
}

void JsonTimestamp(bool has, Timestamp ts, std::string* out) {
  if (!has) {
    out->append("null");
    return;
  }
  internal::StrAppend(out, ts.milliseconds);
}

}  // namespace

int Lint(const CommonFlags& flags) {
  std::string body;
  if (!ReadInput(flags.path, &body)) return 2;
  std::vector<MetricFamily> families;
  ExpositionFormat format;
  std::string name = DisplayName(flags.path);
  if (!ParseOrReport(name, body, OptionsFor(flags), &families, &format)) return 1;
  // Conventions that are not errors, as promtool's linter reports them.
  size_t warnings = 0;
  for (const MetricFamily& f : families) {
    if (!f.has_help && !f.samples.empty()) {
      std::printf("%s: warning: %s: no help text\n", name.c_str(), f.name.c_str());
      ++warnings;
    }
  }
  Summary s = Summarize(families, format);
  std::printf("%s: ok (%s, %s, %llu families, %llu series, %zu warnings)\n", name.c_str(),
              std::string(ExpositionFormatName(format)).c_str(), flags.strict ? "strict" : "lenient",
              static_cast<unsigned long long>(s.families), static_cast<unsigned long long>(s.samples), warnings);
  return 0;
}

int Convert(const CommonFlags& flags, ExpositionFormat to) {
  std::string body;
  if (!ReadInput(flags.path, &body)) return 2;
  std::vector<MetricFamily> families;
  ExpositionFormat format;
  if (!ParseOrReport(DisplayName(flags.path), body, OptionsFor(flags), &families, &format)) return 1;
  std::string out;
  WriterOptions w;
  w.format = to;
  absl::Status st = WriteExposition(families, w, &out);
  if (!st.ok()) {
    std::fprintf(stderr, "obsv: %s\n", std::string(st.message()).c_str());
    return 1;
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

int Stats(const CommonFlags& flags) {
  std::string body;
  if (!ReadInput(flags.path, &body)) return 2;
  std::vector<MetricFamily> families;
  ExpositionFormat format;
  if (!ParseOrReport(DisplayName(flags.path), body, OptionsFor(flags), &families, &format)) return 1;
  PrintSummary(Summarize(families, format), stdout);
  return 0;
}

int Dump(const CommonFlags& flags) {
  std::string body;
  if (!ReadInput(flags.path, &body)) return 2;
  ExpositionParser p(OptionsFor(flags));
  p.Reset(body);
  std::string out;
  for (Entry e; (e = p.Next()) != Entry::kEnd;) {
    out.clear();
    switch (e) {
      case Entry::kHelp:
        out.append("{\"kind\":\"help\",\"name\":");
        JsonString(p.family_name(), &out);
        out.append(",\"text\":");
        JsonString(p.help(), &out);
        break;
      case Entry::kType:
        out.append("{\"kind\":\"type\",\"name\":");
        JsonString(p.family_name(), &out);
        out.append(",\"type\":");
        JsonString(MetricTypeName(p.type()), &out);
        break;
      case Entry::kUnit:
        out.append("{\"kind\":\"unit\",\"name\":");
        JsonString(p.family_name(), &out);
        out.append(",\"unit\":");
        JsonString(p.unit(), &out);
        break;
      case Entry::kComment:
        out.append("{\"kind\":\"comment\",\"text\":");
        JsonString(p.comment(), &out);
        break;
      case Entry::kSample:
        out.append("{\"kind\":\"sample\",\"name\":");
        JsonString(p.metric_name(), &out);
        out.append(",\"family\":");
        JsonString(p.family_name(), &out);
        out.append(",\"suffix\":");
        JsonString(SampleSuffixString(p.suffix()), &out);
        out.append(",\"labels\":");
        JsonLabels(p, false, &out);
        out.append(",\"value\":\"");
        AppendGoFloat(p.value(), &out);
        out.append("\",\"ts\":");
        JsonTimestamp(p.has_timestamp(), p.timestamp(), &out);
        out.append(",\"exemplar\":");
        if (p.has_exemplar()) {
          out.append("{\"labels\":");
          JsonLabels(p, true, &out);
          out.append(",\"value\":\"");
          AppendGoFloat(p.exemplar_value(), &out);
          out.append("\",\"ts\":");
          JsonTimestamp(p.exemplar_has_timestamp(), p.exemplar_timestamp(), &out);
          out.push_back('}');
        } else {
          out.append("null");
        }
        break;
      case Entry::kError:
        out.append("{\"kind\":\"error\",\"code\":");
        JsonString(ParseErrorCodeName(p.error().code), &out);
        out.append(",\"line\":");
        internal::StrAppend(&out, p.error().line, ",\"column\":", p.error().column, ",\"message\":");
        JsonString(p.error().message, &out);
        out.append("}\n");
        std::fwrite(out.data(), 1, out.size(), stdout);
        return 1;
      case Entry::kEnd:
      case Entry::kNeedMore:
        continue;
    }
    out.append("}\n");
    std::fwrite(out.data(), 1, out.size(), stdout);
  }
  return 0;
}

int Demo() {
  std::string_view body = BundledExposition();
  std::printf("obsv demo: a real exposition bundled with obsv (%s, %zu bytes)\n\n",
              BundledExpositionName(), body.size());
  std::printf("== lint (strict)\n");
  ParserOptions strict;
  strict.strict = true;
  std::vector<MetricFamily> families;
  ExpositionFormat format;
  if (!ParseOrReport(BundledExpositionName(), body, strict, &families, &format)) return 1;
  std::printf("%s: ok, no spec violations\n\n== summary\n", BundledExpositionName());
  PrintSummary(Summarize(families, format), stdout);
  std::printf("\n== OpenMetrics rewrite\n");
  std::string out;
  WriterOptions w;
  w.format = ExpositionFormat::kOpenMetrics;
  absl::Status st = WriteExposition(families, w, &out);
  if (!st.ok()) {
    std::fprintf(stderr, "obsv: %s\n", std::string(st.message()).c_str());
    return 1;
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  // The rewrite must itself be valid OpenMetrics.
  ParserOptions om;
  om.format = ExpositionFormat::kOpenMetrics;
  om.strict = true;
  std::vector<MetricFamily> again;
  if (!ParseOrReport("rewrite", out, om, &again, &format)) return 1;
  std::printf("\n== the rewrite parses back as strict OpenMetrics: %zu families\n", again.size());
  return 0;
}

}  // namespace obsv::cli
