#include "obsv/exposition_writer.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "common/str_cat.h"
#include "absl/container/flat_hash_set.h"
#include "common/go_float.h"
#include "common/number_parse.h"
#include "common/utf8.h"

namespace obsv {

using internal::FormatGoFloat;
using internal::FormatOpenMetricsFloat;
using internal::kMaxGoFloatChars;

void AppendGoFloat(double value, std::string* out) {
  char buf[kMaxGoFloatChars];
  out->append(buf, FormatGoFloat(value, buf));
}

void AppendOpenMetricsFloat(double value, std::string* out) {
  char buf[kMaxGoFloatChars];
  out->append(buf, FormatOpenMetricsFloat(value, buf));
}

void AppendTimestamp(Timestamp ts, ExpositionFormat format, std::string* out) {
  char buf[48];
  if (format == ExpositionFormat::kText) {
    out->append(buf, static_cast<size_t>(std::to_chars(buf, buf + sizeof(buf), ts.milliseconds).ptr - buf));
    return;
  }
  // Decimal seconds: ms / 1000 and the rest as up to 9 fraction digits.
  int64_t ms = ts.milliseconds;
  int64_t nanos = ts.nanos;  // below ms, 0..999999
  // Work in a sign-magnitude form of the total nanoseconds' parts.
  bool negative = ms < 0;
  uint64_t abs_ms;
  uint64_t frac_ns;  // nanoseconds within the second, for the magnitude
  uint64_t secs;
  if (!negative) {
    abs_ms = static_cast<uint64_t>(ms);
    secs = abs_ms / 1000;
    frac_ns = (abs_ms % 1000) * 1000000 + static_cast<uint64_t>(nanos);
  } else {
    // value = ms + nanos/1e6 (ms negative) = -(|ms| - nanos/1e6)
    abs_ms = static_cast<uint64_t>(-(ms + 1));  // |ms| - 1, avoids overflow
    uint64_t total_below = (abs_ms + 1) * 1000000 - static_cast<uint64_t>(nanos);  // |value| in ns (mod)
    secs = total_below / 1000000000;
    frac_ns = total_below % 1000000000;
  }
  char* p = buf;
  if (negative && (secs != 0 || frac_ns != 0)) *p++ = '-';
  p = std::to_chars(p, buf + sizeof(buf), secs).ptr;
  if (frac_ns != 0) {
    *p++ = '.';
    char digits[9];
    for (int i = 8; i >= 0; --i) {
      digits[i] = static_cast<char>('0' + frac_ns % 10);
      frac_ns /= 10;
    }
    int n = 9;
    while (n > 1 && digits[n - 1] == '0') --n;
    std::memcpy(p, digits, static_cast<size_t>(n));
    p += n;
  }
  out->append(buf, static_cast<size_t>(p - buf));
}

bool IsLegacyMetricName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool IsLegacyLabelName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

namespace {

#define OBSV_RETURN_IF_ERROR_(expr)      \
  do {                                   \
    absl::Status _status = (expr);       \
    if (!_status.ok()) return _status;   \
  } while (0)

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Label values and quoted names: escape \ " and newline.
void AppendEscapedQuoted(std::string_view s, std::string* out) {
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c != '\\' && c != '"' && c != '\n') continue;
    out->append(s.data() + start, i - start);
    out->push_back('\\');
    out->push_back(c == '\n' ? 'n' : c);
    start = i + 1;
  }
  out->append(s.data() + start, s.size() - start);
}

void AppendHelp(std::string_view s, bool om, std::string* out) {
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c != '\\' && c != '\n' && !(om && c == '"')) continue;
    out->append(s.data() + start, i - start);
    out->push_back('\\');
    out->push_back(c == '\n' ? 'n' : c);
    start = i + 1;
  }
  out->append(s.data() + start, s.size() - start);
}

void AppendMetricNameForMetadata(std::string_view name, std::string* out) {
  if (IsLegacyMetricName(name)) {
    out->append(name);
  } else {
    out->push_back('"');
    AppendEscapedQuoted(name, out);
    out->push_back('"');
  }
}

enum class Role : uint8_t {
  kPlain,     // written as is
  kBucket,    // integer count + canonical le
  kCount,     // integer count
  kQuantile,  // canonical quantile
};

struct Placement {
  std::string_view family;  // text: the family it is written under
  const char* text_type;
  Role role;
  bool rename_total;        // OpenMetrics: sample gains `_total`
};

absl::Status Misplaced(const MetricFamily& f, const Sample& s) {
  return absl::InvalidArgumentError(internal::StrCat(
      "sample \"", s.name, "\" does not belong to the ", MetricTypeName(f.type), " family \"", f.name, "\""));
}

// Decides where a sample goes. `om_family` is the OpenMetrics family name.
absl::Status Place(const MetricFamily& f, const Sample& s, bool om, std::string_view om_family,
                   Placement* p) {
  std::string_view fam = f.name;
  std::string_view name = s.name;
  p->rename_total = false;
  p->role = Role::kPlain;
  auto is = [&](std::string_view base, std::string_view suffix) {
    return name.size() == base.size() + suffix.size() && name.compare(0, base.size(), base) == 0 &&
           name.compare(base.size(), suffix.size(), suffix) == 0;
  };
  switch (f.type) {
    case MetricType::kCounter:
      if (om) {
        if (is(om_family, "_total")) return absl::OkStatus();
        if (is(om_family, "_created")) return absl::OkStatus();
        if (name == om_family) {
          p->rename_total = true;  // text counter without _total
          return absl::OkStatus();
        }
        return Misplaced(f, s);
      }
      if (name == fam) {
        p->family = fam, p->text_type = "counter";
      } else if (is(fam, "_total")) {
        p->family = name, p->text_type = "counter";
      } else if (is(fam, "_created")) {
        p->family = name, p->text_type = "gauge";
      } else {
        return Misplaced(f, s);
      }
      return absl::OkStatus();
    case MetricType::kHistogram:
      if (is(fam, "_bucket")) {
        p->role = Role::kBucket;
      } else if (is(fam, "_count")) {
        p->role = Role::kCount;
      } else if (is(fam, "_sum")) {
      } else if (is(fam, "_created")) {
        p->family = name, p->text_type = "gauge";
        return absl::OkStatus();
      } else {
        return Misplaced(f, s);
      }
      p->family = fam, p->text_type = "histogram";
      return absl::OkStatus();
    case MetricType::kGaugeHistogram:
      if (is(fam, "_bucket")) {
        p->role = Role::kBucket;
      } else if (is(fam, "_gcount")) {
        p->role = Role::kCount;
      } else if (!is(fam, "_gsum")) {
        return Misplaced(f, s);
      }
      p->family = name, p->text_type = "gauge";
      return absl::OkStatus();
    case MetricType::kSummary:
      if (name == fam) {
        p->role = Role::kQuantile;
      } else if (is(fam, "_count")) {
        p->role = Role::kCount;
      } else if (is(fam, "_sum")) {
      } else if (is(fam, "_created")) {
        p->family = name, p->text_type = "gauge";
        return absl::OkStatus();
      } else {
        return Misplaced(f, s);
      }
      p->family = fam, p->text_type = "summary";
      return absl::OkStatus();
    case MetricType::kInfo:
      if (!(is(fam, "_info") || (EndsWith(fam, "_info") && name == fam))) return Misplaced(f, s);
      p->family = name, p->text_type = "gauge";
      return absl::OkStatus();
    case MetricType::kStateSet:
      if (name != fam) return Misplaced(f, s);
      p->family = fam, p->text_type = "gauge";
      return absl::OkStatus();
    case MetricType::kGauge:
      if (name != fam) return Misplaced(f, s);
      p->family = fam, p->text_type = "gauge";
      return absl::OkStatus();
    case MetricType::kUnknown:
      if (name != fam) return Misplaced(f, s);
      p->family = fam, p->text_type = "untyped";
      return absl::OkStatus();
  }
  return Misplaced(f, s);
}

class FamilyWriter {
 public:
  FamilyWriter(ExpositionFormat format, std::string* out)
      : om_(format == ExpositionFormat::kOpenMetrics), format_(format), out_(out) {}

  // OpenMetrics: the names of the other families in the same body.
  void set_taken(const absl::flat_hash_set<std::string>* taken) { taken_ = taken; }

  absl::Status Write(const MetricFamily& f) {
    if (f.name.empty()) return absl::InvalidArgumentError("metric family without a name");
    if (!internal::IsValidUtf8(f.name)) {
      return absl::InvalidArgumentError(internal::StrCat("family name is not valid UTF-8: ", f.name));
    }
    return om_ ? WriteOpenMetrics(f) : WriteText(f);
  }

 private:
  absl::Status WriteText(const MetricFamily& f) {
    // Usually one text family; counters, histograms and summaries with
    // `_created`, and gaugehistograms, split into several.
    struct Group {
      std::string_view name;
      const char* type;
    };
    Group groups[4];
    int group_count = 0;
    Placement p;
    for (const Sample& s : f.samples) {
      OBSV_RETURN_IF_ERROR_(Place(f, s, false, f.name, &p));
      bool found = false;
      for (int i = 0; i < group_count; ++i) found = found || groups[i].name == p.family;
      if (!found) {
        if (group_count == 4) return absl::InvalidArgumentError("too many sample kinds in one family");
        groups[group_count++] = Group{p.family, p.text_type};
      }
    }
    if (group_count == 0) {
      // Metadata only: keep it, under the text name of the family.
      std::string_view name = f.name;
      const char* type = "untyped";
      switch (f.type) {
        case MetricType::kCounter: type = "counter"; break;
        case MetricType::kHistogram: type = "histogram"; break;
        case MetricType::kSummary: type = "summary"; break;
        case MetricType::kUnknown: type = "untyped"; break;
        case MetricType::kGauge:
        case MetricType::kInfo:
        case MetricType::kStateSet:
        case MetricType::kGaugeHistogram: type = "gauge"; break;
      }
      WriteTextHeader(f, name, type);
      return absl::OkStatus();
    }
    for (int g = 0; g < group_count; ++g) {
      WriteTextHeader(f, groups[g].name, groups[g].type);
      for (const Sample& s : f.samples) {
        OBSV_RETURN_IF_ERROR_(Place(f, s, false, f.name, &p));
        if (p.family != groups[g].name) continue;
        OBSV_RETURN_IF_ERROR_(WriteSample(s, s.name, p.role));
      }
    }
    return absl::OkStatus();
  }

  void WriteTextHeader(const MetricFamily& f, std::string_view name, const char* type) {
    if (f.has_help) {
      out_->append("# HELP ");
      AppendMetricNameForMetadata(name, out_);
      out_->push_back(' ');
      AppendHelp(f.help, false, out_);
      out_->push_back('\n');
    }
    out_->append("# TYPE ");
    AppendMetricNameForMetadata(name, out_);
    out_->push_back(' ');
    out_->append(type);
    out_->push_back('\n');
  }

  absl::Status WriteOpenMetrics(const MetricFamily& f) {
    std::string_view om_family = f.name;
    if (f.type == MetricType::kCounter && EndsWith(om_family, "_total") && !f.samples.empty() &&
        f.samples.front().name == f.name) {
      om_family.remove_suffix(6);  // text `x_total` counter is OpenMetrics `x`
      if (taken_ != nullptr && taken_->contains(absl::string_view(om_family.data(), om_family.size()))) {
        // Another family already is `x` (client_golang's gauge
        // `go_memstats_alloc_bytes` beside the counter
        // `go_memstats_alloc_bytes_total`): OpenMetrics cannot name both, so
        // the counter's series keep their names under an `unknown` family.
        // (A model read from OpenMetrics that already has both is written
        // as it came.)
        return WriteAsUnknown(f);
      }
    }
    if (f.type == MetricType::kInfo && EndsWith(om_family, "_info") && !f.samples.empty() &&
        f.samples.front().name == f.name) {
      om_family.remove_suffix(5);
    }
    if (f.has_help) {
      out_->append("# HELP ");
      AppendMetricNameForMetadata(om_family, out_);
      out_->push_back(' ');
      AppendHelp(f.help, true, out_);
      out_->push_back('\n');
    }
    out_->append("# TYPE ");
    AppendMetricNameForMetadata(om_family, out_);
    out_->push_back(' ');
    out_->append(MetricTypeName(f.type));
    out_->push_back('\n');
    if (!f.unit.empty()) {
      out_->append("# UNIT ");
      AppendMetricNameForMetadata(om_family, out_);
      out_->push_back(' ');
      out_->append(f.unit);
      out_->push_back('\n');
    }
    Placement p;
    std::string renamed;
    for (const Sample& s : f.samples) {
      // For OpenMetrics, Place() only checks counters; others go by type.
      if (f.type == MetricType::kCounter) {
        OBSV_RETURN_IF_ERROR_(Place(f, s, true, om_family, &p));
        if (p.rename_total) {
          renamed.assign(s.name);
          renamed.append("_total");
          OBSV_RETURN_IF_ERROR_(WriteSample(s, renamed, Role::kPlain));
          continue;
        }
        OBSV_RETURN_IF_ERROR_(WriteSample(s, s.name, Role::kPlain));
        continue;
      }
      if (f.type == MetricType::kInfo && om_family != f.name) {
        OBSV_RETURN_IF_ERROR_(WriteSample(s, s.name, Role::kPlain));
        continue;
      }
      OBSV_RETURN_IF_ERROR_(Place(f, s, false, f.name, &p));
      OBSV_RETURN_IF_ERROR_(WriteSample(s, s.name, p.role));
    }
    return absl::OkStatus();
  }

  // One `unknown` family per sample name, in order of first appearance.
  absl::Status WriteAsUnknown(const MetricFamily& f) {
    std::vector<std::string_view> names;
    for (const Sample& s : f.samples) {
      bool seen = false;
      for (std::string_view n : names) seen = seen || n == s.name;
      if (!seen) names.push_back(s.name);
    }
    for (std::string_view n : names) {
      MetricFamily part;
      part.name.assign(n.data(), n.size());
      part.type = MetricType::kUnknown;
      part.help = f.help;
      part.has_help = f.has_help;
      for (const Sample& s : f.samples) {
        if (s.name == n) part.samples.push_back(s);
      }
      OBSV_RETURN_IF_ERROR_(WriteOpenMetrics(part));
    }
    return absl::OkStatus();
  }

  void AppendLabelName(std::string_view name) {
    if (IsLegacyLabelName(name)) {
      out_->append(name);
    } else {
      out_->push_back('"');
      AppendEscapedQuoted(name, out_);
      out_->push_back('"');
    }
  }

  // Appends a canonical le/quantile value if it parses as a number.
  void AppendCanonicalNumber(std::string_view text) {
    double v;
    if (!internal::ParseGoFloat(text, &v)) {
      AppendEscapedQuoted(text, out_);
      return;
    }
    if (om_) {
      AppendOpenMetricsFloat(v, out_);
    } else {
      AppendGoFloat(v, out_);
    }
  }

  absl::Status WriteLabels(const std::vector<Label>& labels, std::string_view quoted_name, Role role) {
    bool open = false;
    if (!quoted_name.empty()) {
      out_->append("{\"");
      AppendEscapedQuoted(quoted_name, out_);
      out_->push_back('"');
      open = true;
    }
    for (const Label& l : labels) {
      if (l.name.empty() || !internal::IsValidUtf8(l.name) || !internal::IsValidUtf8(l.value)) {
        return absl::InvalidArgumentError(internal::StrCat("invalid label name or value (empty name or invalid UTF-8): ",
                                                       l.name));
      }
      out_->push_back(open ? ',' : '{');
      open = true;
      AppendLabelName(l.name);
      out_->append("=\"");
      if ((role == Role::kBucket && l.name == "le") || (role == Role::kQuantile && l.name == "quantile")) {
        AppendCanonicalNumber(l.value);
      } else {
        AppendEscapedQuoted(l.value, out_);
      }
      out_->push_back('"');
    }
    if (open) out_->push_back('}');
    return absl::OkStatus();
  }

  void AppendValue(const Sample& s, Role role) {
    // value_text carries integers a double cannot hold; any other text
    // (a non-canonical "1.0", "Nan") is re-spelled from the value.
    if (!s.value_text.empty() && internal::IsInexactInteger(s.value_text)) {
      out_->append(s.value_text);
      return;
    }
    double v = s.value;
    if ((role == Role::kBucket || role == Role::kCount) && om_ && std::isfinite(v) && v == std::floor(v) &&
        std::fabs(v) < 9.2e18) {
      char buf[24];
      out_->append(buf, static_cast<size_t>(std::to_chars(buf, buf + sizeof(buf), static_cast<int64_t>(v)).ptr - buf));
      return;
    }
    if (om_) {
      AppendOpenMetricsFloat(v, out_);
    } else {
      AppendGoFloat(v, out_);
    }
  }

  absl::Status WriteSample(const Sample& s, std::string_view name, Role role) {
    if (IsLegacyMetricName(name)) {
      out_->append(name);
      OBSV_RETURN_IF_ERROR_(WriteLabels(s.labels, {}, role));
    } else {
      if (name.empty() || !internal::IsValidUtf8(name)) {
        return absl::InvalidArgumentError("sample name is empty or not valid UTF-8");
      }
      OBSV_RETURN_IF_ERROR_(WriteLabels(s.labels, name, role));
    }
    out_->push_back(' ');
    AppendValue(s, role);
    if (s.timestamp) {
      out_->push_back(' ');
      AppendTimestamp(*s.timestamp, format_, out_);
    }
    if (om_ && s.exemplar) {
      out_->append(" # ");
      if (s.exemplar->labels.empty()) {
        out_->append("{}");
      } else {
        OBSV_RETURN_IF_ERROR_(WriteLabels(s.exemplar->labels, {}, Role::kPlain));
      }
      out_->push_back(' ');
      AppendOpenMetricsFloat(s.exemplar->value, out_);
      if (s.exemplar->timestamp) {
        out_->push_back(' ');
        AppendTimestamp(*s.exemplar->timestamp, format_, out_);
      }
    }
    out_->push_back('\n');
    return absl::OkStatus();
  }

  bool om_;
  ExpositionFormat format_;
  std::string* out_;
  const absl::flat_hash_set<std::string>* taken_ = nullptr;
};

}  // namespace

absl::Status WriteFamily(const MetricFamily& family, const WriterOptions& options, std::string* out) {
  return FamilyWriter(options.format, out).Write(family);
}

absl::Status WriteExposition(const std::vector<MetricFamily>& families, const WriterOptions& options,
                             std::string* out) {
  size_t estimate = 0;
  for (const MetricFamily& f : families) estimate += 64 + f.samples.size() * 96;
  out->reserve(out->size() + estimate);
  FamilyWriter writer(options.format, out);
  absl::flat_hash_set<std::string> taken;
  if (options.format == ExpositionFormat::kOpenMetrics) {
    for (const MetricFamily& f : families) {
      if (f.type != MetricType::kCounter) taken.insert(f.name);
    }
    writer.set_taken(&taken);
  }
  for (const MetricFamily& f : families) {
    absl::Status s = writer.Write(f);
    if (!s.ok()) return s;
  }
  if (options.format == ExpositionFormat::kOpenMetrics && options.write_eof) out->append("# EOF\n");
  return absl::OkStatus();
}

}  // namespace obsv
