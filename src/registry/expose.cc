// Exposition of registered families: counters, gauges and histograms from
// the text rendered at series creation; the other kinds through the model
// and obsv::WriteFamily().
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <memory>
#include <optional>

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
// Writes at most kMaxGoFloatChars + 2 bytes.
inline size_t FormatFloat(double v, bool om, char* buf) {
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
  return n;
}

inline void AppendFloat(double v, bool om, std::string* out) {
  char buf[kMaxGoFloatChars + 2];
  out->append(buf, FormatFloat(v, om, buf));
}

// The most bytes a number takes in a sample line.
constexpr size_t kMaxNumberChars = kMaxGoFloatChars + 2 > 24 ? kMaxGoFloatChars + 2 : 24;

// Appends to a std::string through a raw pointer: Reserve() room for the
// longest line, write, Commit() the end. Saves std::string::append's
// capacity check and call per piece (five pieces per sample line). Lines are
// composed in a 64 KiB buffer that stays in L1/L2 and is appended to the
// string when full (std::string has no uninitialised resize; growing it
// ahead would zero-fill every byte once more).
class RawOut {
 public:
  explicit RawOut(std::string* s) : s_(s), buf_(new char[kSize]), cap_(kSize) {}
  ~RawOut() { Flush(); }
  RawOut(const RawOut&) = delete;
  RawOut& operator=(const RawOut&) = delete;

  char* Reserve(size_t max) {
    if (cap_ - n_ < max) {
      Flush();
      if (max > cap_) {
        buf_.reset(new char[max]);
        cap_ = max;
      }
    }
    return buf_.get() + n_;
  }
  void Commit(char* end) { n_ = static_cast<size_t>(end - buf_.get()); }
  void Append(std::string_view text) {
    char* p = Reserve(text.size());
    std::memcpy(p, text.data(), text.size());
    Commit(p + text.size());
  }

 private:
  static constexpr size_t kSize = size_t{64} << 10;
  void Flush() {
    s_->append(buf_.get(), n_);
    n_ = 0;
  }
  std::string* s_;
  std::unique_ptr<char[]> buf_;
  size_t cap_;
  size_t n_ = 0;
};

inline char* Put(char* p, const std::string& s) {
  std::memcpy(p, s.data(), s.size());
  return p + s.size();
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

// AppendSeriesStart() into a RawOut buffer of at least
// name.size() + labels.size() + 4 bytes.
inline char* PutSeriesStart(char* p, const std::string& name, bool legacy, const std::string& labels) {
  if (legacy) {
    p = Put(p, name);
    if (labels.empty()) {
      *p++ = ' ';
      return p;
    }
    *p++ = '{';
  } else {
    *p++ = '{';
    p = Put(p, name);
    if (!labels.empty()) *p++ = ',';
  }
  p = Put(p, labels);
  *p++ = '}';
  *p++ = ' ';
  return p;
}

// Series are written in label order, which is neither their allocation
// order nor their cells' order: with 10^5 series each one is a few cache
// misses (the Series, its label text, its cells). Loading them this many
// series ahead overlaps the misses.
constexpr size_t kPrefetchAhead = 16;

inline void PrefetchSeries(const std::vector<Series*>& series, size_t k, const ArenaView* cells) {
  if (k + 2 * kPrefetchAhead < series.size()) {
    // A Series spans two or three lines; the label text's pointer and size
    // and the slot are in the first two.
    const char* s = reinterpret_cast<const char*>(series[k + 2 * kPrefetchAhead]);
    __builtin_prefetch(s);
    __builtin_prefetch(s + 64);
  }
  if (k + kPrefetchAhead < series.size()) {
    const Series* s = series[k + kPrefetchAhead];
    __builtin_prefetch(s->label_text.data());
    __builtin_prefetch(s->label_text.data() + s->label_text.size());
    if (cells != nullptr) cells->Prefetch(s->slot);
  }
}

}  // namespace

// Counters and gauges: one line per series (two for OpenMetrics counters),
// written through RawOut with the series prefetched ahead.
void FamilyImpl::WriteScalarsFast(ExpositionFormat format, std::string* out) const {
  bool om = format == ExpositionFormat::kOpenMetrics;
  bool counter = type == MetricType::kCounter;
  std::optional<ArenaView> cells;
  if (counter) cells.emplace();
  RawOut raw(out);
  char* p = raw.Reserve(header_[om ? 1 : 0].size());
  raw.Commit(Put(p, header_[om ? 1 : 0]));
  for (size_t k = 0; k < series_.size(); ++k) {
    PrefetchSeries(series_, k, cells ? &*cells : nullptr);
    const Series& s = *series_[k];
    p = raw.Reserve(main_.text.size() + s.label_text.size() + kMaxNumberChars + 8);
    p = PutSeriesStart(p, main_.text, main_.legacy, s.label_text);
    if (counter) {
      uint64_t i;
      double d;
      cells->FoldCounter(s.slot, &i, &d);
      if (d == 0 && i < 1000000) {
        p = std::to_chars(p, p + 24, i).ptr;
        if (om) {
          *p++ = '.';
          *p++ = '0';
        }
      } else {
        p += FormatFloat(static_cast<double>(i) + d, om, p);
      }
    } else {
      p += FormatFloat(BitsToDouble(s.word.load(std::memory_order_relaxed)), om, p);
    }
    if (ExemplarSlots* ex = counter && om ? s.exemplars.get() : nullptr) {
      // Rare: rendered aside, then copied in.
      if (std::optional<Exemplar> e = ex->Get(0)) {
        raw.Commit(p);
        std::string exemplar;
        AppendOpenMetricsExemplar(*e, &exemplar);
        raw.Append(exemplar);
        p = raw.Reserve(1);
      }
    }
    *p++ = '\n';
    if (counter && om) {
      // `_created`, as append_created in WriteFast().
      raw.Commit(p);
      p = raw.Reserve(created_.text.size() + s.label_text.size() + kMaxNumberChars + 8);
      p = PutSeriesStart(p, created_.text, created_.legacy, s.label_text);
      p += FormatFloat(absl::ToDoubleSeconds(s.created - absl::UnixEpoch()), true, p);
      *p++ = '\n';
    }
    raw.Commit(p);
  }
}

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
    if (type == MetricType::kHistogram) {
      WriteFast(format, out);
    } else {
      WriteScalarsFast(format, out);
    }
    return absl::OkStatus();
  }
  MetricFamily f = ToModel(format);
  if (f.samples.empty()) return absl::OkStatus();
  return WriteFamily(f, {.format = format, .write_eof = false}, out);
}

}  // namespace obsv::internal
