// Exposition of registered families: counters, gauges and histograms from
// the text rendered at series creation; the other kinds through the model
// and obsv::WriteFamily().
#include <charconv>
#include <cmath>
#include <cstring>

#include "common/go_float.h"
#include "obsv/exposition_writer.h"
#include "registry/exemplars.h"
#include "registry/family.h"

namespace obsv::internal {

namespace {

void AppendHelpText(std::string_view s, bool om, std::string* out) {
  for (char c : s) {
    if (c == '\\' || c == '\n' || (om && c == '"')) {
      out->push_back('\\');
      out->push_back(c == '\n' ? 'n' : c);
    } else {
      out->push_back(c);
    }
  }
}

const char* TypeKeyword(MetricType t, bool om) {
  switch (t) {
    case MetricType::kCounter: return "counter";
    case MetricType::kGauge: return "gauge";
    case MetricType::kHistogram: return "histogram";
    case MetricType::kSummary: return "summary";
    case MetricType::kInfo: return om ? "info" : "untyped";
    case MetricType::kStateSet: return om ? "stateset" : "untyped";
    case MetricType::kGaugeHistogram: return om ? "gaugehistogram" : "untyped";
    case MetricType::kUnknown: return om ? "unknown" : "untyped";
  }
  return "untyped";
}

// Integers below 1e6 print the same as Go's shortest 'g' of their double.
inline void AppendFloat(double v, bool om, std::string* out) {
  char buf[kMaxGoFloatChars + 2];
  size_t n;
  if (v >= 0 && v < 1e6 && !std::signbit(v) && v == static_cast<double>(static_cast<uint32_t>(v))) {
    n = static_cast<size_t>(std::to_chars(buf, buf + 16, static_cast<uint32_t>(v)).ptr - buf);
    if (om) {
      buf[n++] = '.';
      buf[n++] = '0';
    }
  } else {
    n = om ? FormatOpenMetricsFloat(v, buf) : FormatGoFloat(v, buf);
  }
  out->append(buf, n);
}

// Bucket and count samples: integers in OpenMetrics, Go floats in text.
inline void AppendCount(uint64_t v, bool om, std::string* out) {
  char buf[kMaxGoFloatChars];
  size_t n;
  if (om || v < 1000000) {
    n = static_cast<size_t>(std::to_chars(buf, buf + 24, v).ptr - buf);
  } else {
    n = FormatGoFloat(static_cast<double>(v), buf);
  }
  out->append(buf, n);
}

}  // namespace

void FamilyImpl::Prepare() {
  const std::string& n = options.name;
  auto make = [](const std::string& name) {
    SampleName s;
    s.legacy = IsLegacyMetricName(name);
    if (s.legacy) {
      s.text = name;
    } else {
      s.text.push_back('"');
      AppendEscapedQuoted(name, &s.text);
      s.text.push_back('"');
    }
    return s;
  };
  main_ = make(type == MetricType::kCounter ? n + "_total" : n);
  bucket_ = make(n + "_bucket");
  count_ = make(n + "_count");
  sum_ = make(n + "_sum");
  created_ = make(n + "_created");
  for (int f = 0; f < 2; ++f) {
    bool om = f == 1;
    std::string meta = (type == MetricType::kCounter && !om) ? n + "_total" : n;
    if (type == MetricType::kInfo && !om) meta = n + "_info";
    std::string& h = header_[f];
    if (!options.help.empty()) {
      h.append("# HELP ");
      AppendQuotedName(meta, &h);
      h.push_back(' ');
      AppendHelpText(options.help, om, &h);
      h.push_back('\n');
    }
    h.append("# TYPE ");
    AppendQuotedName(meta, &h);
    h.push_back(' ');
    h.append(TypeKeyword(type, om));
    h.push_back('\n');
    if (om && !options.unit.empty()) {
      h.append("# UNIT ");
      AppendQuotedName(meta, &h);
      h.push_back(' ');
      h.append(options.unit);
      h.push_back('\n');
    }
    le_[f].clear();
    for (double b : bounds) {
      char buf[kMaxGoFloatChars];
      size_t len = om ? FormatOpenMetricsFloat(b, buf) : FormatGoFloat(b, buf);
      le_[f].push_back("le=\"" + std::string(buf, len) + "\"");
    }
  }
}

namespace {

// name{labels,extra} (legacy) or {"name",labels,extra}, then a space.
inline void AppendSeriesStart(const std::string& name, bool legacy, const std::string& labels,
                              std::string_view extra, std::string* out) {
  if (legacy) {
    out->append(name);
    if (labels.empty() && extra.empty()) {
      out->push_back(' ');
      return;
    }
    out->push_back('{');
  } else {
    out->push_back('{');
    out->append(name);
    if (!labels.empty() || !extra.empty()) out->push_back(',');
  }
  out->append(labels);
  if (!extra.empty()) {
    if (!labels.empty()) out->push_back(',');
    out->append(extra.data(), extra.size());
  }
  out->append("} ", 2);
}

}  // namespace

void FamilyImpl::WriteFast(ExpositionFormat format, std::string* out) const {
  bool om = format == ExpositionFormat::kOpenMetrics;
  // OpenMetrics' `_created` line of a counter or histogram series.
  auto append_created = [&](const Series& s) {
    AppendSeriesStart(created_.text, created_.legacy, s.label_text, {}, out);
    AppendFloat(absl::ToDoubleSeconds(s.created - absl::UnixEpoch()), true, out);
    out->push_back('\n');
  };
  out->append(header_[om ? 1 : 0]);
  for (const Series* s : series_) {
    switch (type) {
      case MetricType::kCounter: {
        uint64_t i = 0;
        double d = 0;
        FoldCells(s->slot, 1, 1, &i, &d);
        AppendSeriesStart(main_.text, main_.legacy, s->label_text, {}, out);
        if (d == 0 && i < 1000000) {
          AppendCount(i, false, out);
          if (om) out->append(".0", 2);
        } else {
          AppendFloat(static_cast<double>(i) + d, om, out);
        }
        if (ExemplarSlots* ex = om ? s->exemplars.get() : nullptr) {
          if (std::optional<Exemplar> e = ex->Get(0)) AppendOpenMetricsExemplar(*e, out);
        }
        out->push_back('\n');
        if (om) append_created(*s);
        break;
      }
      case MetricType::kGauge:
        AppendSeriesStart(main_.text, main_.legacy, s->label_text, {}, out);
        AppendFloat(BitsToDouble(s->word.load(std::memory_order_relaxed)), om, out);
        out->push_back('\n');
        break;
      case MetricType::kHistogram: {
        uint64_t counts[256];
        double sum = 0;
        FoldCells(s->slot, n_int, 1, counts, &sum);
        uint64_t cum = 0;
        const std::vector<std::string>& le = le_[om ? 1 : 0];
        ExemplarSlots* ex = om ? s->exemplars.get() : nullptr;
        for (size_t b = 0; b < bounds.size(); ++b) {
          cum += counts[b];
          AppendSeriesStart(bucket_.text, bucket_.legacy, s->label_text, le[b], out);
          AppendCount(cum, om, out);
          if (ex != nullptr) {
            if (std::optional<Exemplar> e = ex->Get(b)) AppendOpenMetricsExemplar(*e, out);
          }
          out->push_back('\n');
        }
        AppendSeriesStart(count_.text, count_.legacy, s->label_text, {}, out);
        AppendCount(cum, om, out);
        out->push_back('\n');
        AppendSeriesStart(sum_.text, sum_.legacy, s->label_text, {}, out);
        AppendFloat(sum, om, out);
        out->push_back('\n');
        if (om) append_created(*s);
        break;
      }
      case MetricType::kSummary:
      case MetricType::kInfo:
      case MetricType::kStateSet:
      case MetricType::kUnknown:
      case MetricType::kGaugeHistogram:
        break;
    }
  }
}

absl::Status FamilyImpl::Write(ExpositionFormat format, std::string* out) const {
  if (type == MetricType::kCounter || type == MetricType::kGauge || (type == MetricType::kHistogram && !is_native)) {
    absl::MutexLock l(&mu);
    const_cast<FamilyImpl*>(this)->SortLocked();
    if (series_.empty()) return absl::OkStatus();
    WriteFast(format, out);
    return absl::OkStatus();
  }
  MetricFamily f = ToModel(format);
  if (f.samples.empty()) return absl::OkStatus();
  return WriteFamily(f, {.format = format, .write_eof = false}, out);
}

}  // namespace obsv::internal
