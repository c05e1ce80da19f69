#include "obsv/exposition_writer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>


#include "common/str_cat.h"
#include "absl/container/flat_hash_set.h"
#include "common/byte_scan.h"  // also <emmintrin.h> where SSE2 exists
#include "common/go_float.h"
#include "common/number_parse.h"
#include "common/utf8.h"
#include "exposition/escaping.h"

namespace obsv {

using internal::FormatGoFloat;
using internal::FormatOpenMetricsFloat;
using internal::kMaxGoFloatChars;
using internal::StrCat;

void internal::AppendEscapedQuoted(std::string_view s, std::string* out) {
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

void AppendGoFloat(double value, std::string* out) {
  char buf[kMaxGoFloatChars];
  out->append(buf, FormatGoFloat(value, buf));
}

void AppendOpenMetricsFloat(double value, std::string* out) {
  char buf[kMaxGoFloatChars];
  out->append(buf, FormatOpenMetricsFloat(value, buf));
}

namespace {

// Writes a timestamp into buf (48 bytes): integer milliseconds for text,
// decimal seconds without trailing zeros for OpenMetrics. Returns the length.
size_t FormatTimestamp(Timestamp ts, ExpositionFormat format, char* buf) {
  if (format == ExpositionFormat::kText) {
    return static_cast<size_t>(std::to_chars(buf, buf + 24, ts.milliseconds).ptr - buf);
  }
  int64_t ms = ts.milliseconds;
  int64_t nanos = ts.nanos;  // below ms, 0..999999
  bool negative = ms < 0;
  uint64_t secs;
  uint64_t frac_ns;  // nanoseconds within the second, of the magnitude
  if (!negative) {
    uint64_t abs_ms = static_cast<uint64_t>(ms);
    secs = abs_ms / 1000;
    frac_ns = (abs_ms % 1000) * 1000000 + static_cast<uint64_t>(nanos);
  } else {
    // value = ms + nanos/1e6 with ms < 0, so |value| = |ms| - nanos/1e6.
    uint64_t abs_ms_minus_one = static_cast<uint64_t>(-(ms + 1));  // no overflow
    uint64_t total_ns = (abs_ms_minus_one + 1) * 1000000 - static_cast<uint64_t>(nanos);
    secs = total_ns / 1000000000;
    frac_ns = total_ns % 1000000000;
  }
  char* p = buf;
  if (negative && (secs != 0 || frac_ns != 0)) *p++ = '-';
  p = std::to_chars(p, buf + 32, secs).ptr;
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
  return static_cast<size_t>(p - buf);
}

}  // namespace

void AppendTimestamp(Timestamp ts, ExpositionFormat format, std::string* out) {
  char buf[48];
  out->append(buf, FormatTimestamp(ts, format, buf));
}

namespace {

// Byte classes of legacy names: 1 = may start a metric name, 2 = may continue
// one, 4 = may start a label name, 8 = may continue one.
struct NameTable {
  unsigned char c[256] = {};
  constexpr NameTable() {
    for (int i = 0; i < 256; ++i) {
      bool alpha = (i >= 'a' && i <= 'z') || (i >= 'A' && i <= 'Z') || i == '_';
      bool digit = i >= '0' && i <= '9';
      c[i] = static_cast<unsigned char>((alpha || i == ':' ? 1 | 2 : 0) | (digit ? 2 | 8 : 0) | (alpha ? 4 | 8 : 0));
    }
  }
};
constexpr NameTable kNameTable;

// Branch-free over the bytes: names are short and almost always valid, so
// one AND per byte beats a test per byte.
bool IsLegacyName(std::string_view name, unsigned char start, unsigned char rest) {
  if (name.empty()) return false;
  const unsigned char* s = reinterpret_cast<const unsigned char*>(name.data());
  unsigned acc = kNameTable.c[s[0]] & start ? rest : 0;
  for (size_t i = 1; i < name.size(); ++i) acc &= kNameTable.c[s[i]];
  return acc != 0;
}

}  // namespace

bool IsLegacyMetricName(std::string_view name) { return IsLegacyName(name, 1, 2); }
bool IsLegacyLabelName(std::string_view name) { return IsLegacyName(name, 4, 8); }

namespace {

#define OBSV_RETURN_IF_ERROR_(expr)      \
  do {                                   \
    absl::Status _status = (expr);       \
    if (!_status.ok()) return _status;   \
  } while (0)

bool Same(std::string_view a, std::string_view b) {
  return a.size() == b.size() && internal::EqualBytes(a.data(), b.data(), a.size());
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
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
    internal::AppendEscapedQuoted(name, out);
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
    return name.size() == base.size() + suffix.size() &&
           internal::EqualBytes(name.data() + base.size(), suffix.data(), suffix.size()) &&
           internal::EqualBytes(name.data(), base.data(), base.size());
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
      if (Same(name, fam)) {
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
      if (Same(name, fam)) {
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
      if (!(is(fam, "_info") || (EndsWith(fam, "_info") && Same(name, fam)))) return Misplaced(f, s);
      p->family = name, p->text_type = "gauge";
      return absl::OkStatus();
    case MetricType::kStateSet:
      if (!Same(name, fam)) return Misplaced(f, s);
      p->family = fam, p->text_type = "gauge";
      return absl::OkStatus();
    case MetricType::kGauge:
      if (!Same(name, fam)) return Misplaced(f, s);
      p->family = fam, p->text_type = "gauge";
      return absl::OkStatus();
    case MetricType::kUnknown:
      if (!Same(name, fam)) return Misplaced(f, s);
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
    absl::Status status = om_ ? WriteOpenMetrics(f) : WriteText(f);
    Flush();
    return status;
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
    // Every sample name is the family name plus a legacy suffix (Place()
    // checks it), so they are all legacy names or all not.
    bool legacy = IsLegacyMetricName(f.name);
    // One pass places every sample and writes those of the first group;
    // the samples of later groups (rare) are written by one more pass each.
    placed_.resize(f.samples.size());
    std::string_view last_name;
    Placement last;
    for (size_t i = 0; i < f.samples.size(); ++i) {
      const Sample& s = f.samples[i];
      if (i + 2 < f.samples.size()) Prefetch(f.samples[i + 2]);
      if (i > 0 && Same(s.name, last_name)) {
        p = last;
      } else {
        OBSV_RETURN_IF_ERROR_(Place(f, s, false, f.name, &p));
        last_name = s.name;
        last = p;
      }
      int found = -1;
      for (int g = 0; g < group_count && found < 0; ++g) {
        if (Same(groups[g].name, p.family)) found = g;
      }
      if (found < 0) {
        if (group_count == 4) return absl::InvalidArgumentError("too many sample kinds in one family");
        found = group_count;
        groups[group_count++] = Group{p.family, p.text_type};
        if (found == 0) WriteTextHeader(f, p.family, p.text_type);
      }
      placed_[i] = Placed{static_cast<uint8_t>(found), p.role};
      if (found == 0) OBSV_RETURN_IF_ERROR_(WriteSample(s, s.name, p.role, legacy));
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
    for (int g = 1; g < group_count; ++g) {
      WriteTextHeader(f, groups[g].name, groups[g].type);
      for (size_t i = 0; i < f.samples.size(); ++i) {
        if (placed_[i].group != g) continue;
        OBSV_RETURN_IF_ERROR_(WriteSample(f.samples[i], f.samples[i].name, placed_[i].role, legacy));
      }
    }
    return absl::OkStatus();
  }

  // The model is a tree of small heap blocks the hardware prefetcher cannot
  // follow; asking for the labels of a sample two ahead hides most of the
  // latency of walking it.
  static void Prefetch(const Sample& s) {
    const char* begin = reinterpret_cast<const char*>(s.labels.data());
    const char* end = reinterpret_cast<const char*>(s.labels.data() + s.labels.size());
    for (const char* p = begin; p < end; p += 64) __builtin_prefetch(p);
  }

  void WriteTextHeader(const MetricFamily& f, std::string_view name, const char* type) {
    Flush();
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
    Flush();
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
    // Sample names are the family name plus a legacy suffix (checked
    // below), so they are all legacy names or all not.
    bool legacy = om_family.empty() ? false : IsLegacyMetricName(om_family);
    for (const Sample& s : f.samples) {
      if (&s + 2 < f.samples.data() + f.samples.size()) Prefetch(*(&s + 2));
      if (om_family.empty()) legacy = IsLegacyMetricName(s.name);
      // For OpenMetrics, Place() only checks counters; others go by type.
      if (f.type == MetricType::kCounter) {
        OBSV_RETURN_IF_ERROR_(Place(f, s, true, om_family, &p));
        if (p.rename_total) {
          renamed.assign(s.name);
          renamed.append("_total");
          OBSV_RETURN_IF_ERROR_(WriteSample(s, renamed, Role::kPlain, legacy));
          continue;
        }
        OBSV_RETURN_IF_ERROR_(WriteSample(s, s.name, Role::kPlain, legacy));
        continue;
      }
      OBSV_RETURN_IF_ERROR_(Place(f, s, false, f.name, &p));
      OBSV_RETURN_IF_ERROR_(WriteSample(s, s.name, f.type == MetricType::kInfo ? Role::kPlain : p.role, legacy));
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

  // ---- Sample lines, composed in lines_ and appended to *out_ in blocks:
  // one copy of many lines is cheaper than a string append per line. ----

  static constexpr size_t kLinesBlock = size_t{64} << 10;

  // Room for `bound` more bytes at lines_.data() + lines_used_.
  char* LinesRoom(size_t bound) {
    if (lines_.size() - lines_used_ < bound) {
      Flush();
      if (lines_.size() < bound) lines_.resize(std::max(bound, kLinesBlock));
    }
    return lines_.data() + lines_used_;
  }

  void Flush() {
    if (lines_used_ == 0) return;
    out_->append(lines_.data(), lines_used_);
    lines_used_ = 0;
  }

  // Upper bound of a sample line's size: escaping at most doubles a string.
  static size_t LineBound(const Sample& s, std::string_view name) {
    // 64 bytes of slack: short strings are copied and checked in whole
    // 16- and 24-byte blocks.
    size_t n = 2 * name.size() + 224 + s.value_text.size();
    for (const Label& l : s.labels) n += 2 * (l.name.size() + l.value.size()) + 8;
    if (s.exemplar) {
      n += 160;
      for (const Label& l : s.exemplar->labels) n += 2 * (l.name.size() + l.value.size()) + 8;
    }
    return n;
  }

  static bool IsNumericLabel(const std::string& name, Role role) {
    if (role == Role::kBucket) return name.size() == 2 && name[0] == 'l' && name[1] == 'e';
    return role == Role::kQuantile && name.size() == 8 && std::memcmp(name.data(), "quantile", 8) == 0;
  }

  // Copies n bytes; short strings without a call to memcpy (names and label
  // values are mostly short, and the call dominates their cost).
  static char* Put(char* p, const char* s, size_t n) {
    if (n >= 16) {
#if defined(__SSE2__)
      if (n <= 64) {
        // 16 bytes at a time, the last block overlapping: no call.
        for (size_t i = 0; i + 16 < n; i += 16) {
          _mm_storeu_si128(reinterpret_cast<__m128i*>(p + i),
                           _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i)));
        }
        _mm_storeu_si128(reinterpret_cast<__m128i*>(p + n - 16),
                         _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + n - 16)));
        return p + n;
      }
#endif
      std::memcpy(p, s, n);
    } else if (n >= 8) {
      uint64_t a, b;
      std::memcpy(&a, s, 8);
      std::memcpy(&b, s + n - 8, 8);
      std::memcpy(p, &a, 8);
      std::memcpy(p + n - 8, &b, 8);
    } else if (n >= 4) {
      uint32_t a, b;
      std::memcpy(&a, s, 4);
      std::memcpy(&b, s + n - 4, 4);
      std::memcpy(p, &a, 4);
      std::memcpy(p + n - 4, &b, 4);
    } else {
      for (size_t i = 0; i < n; ++i) p[i] = s[i];
    }
    return p + n;
  }

  // Appends `v` escaped (\, ", newline) at p, which has room for twice its
  // size. Sets *ok = false if v is not valid UTF-8.
  static char* PutEscaped(char* p, std::string_view v, bool* ok) {
    // Most values are short, ASCII and need no escape: test them with one or
    // two (overlapping) word loads and copy them whole.
    if (v.size() <= 16) {
      if (v.empty()) return p;
      if (!internal::CopyShortMayNeedEscape(p, v.data(), v.size())) return p + v.size();
    }
    const char* s = v.data();
    const char* end = s + v.size();
    bool non_ascii = false;
    while (true) {
      const char* q = FindEscape(s, end, &non_ascii);
      p = Put(p, s, static_cast<size_t>(q - s));
      if (q == end) break;
      *p++ = '\\';
      *p++ = *q == '\n' ? 'n' : *q;
      s = q + 1;
    }
    if (non_ascii && !internal::IsValidUtf8(v)) *ok = false;
    return p;
  }

  // The first '"', '\\' or newline in [p, end), or end; notes bytes >= 0x80.
  static const char* FindEscape(const char* p, const char* end, bool* non_ascii) {
    return internal::FindAnyOf3(p, end, '"', '\\', '\n', non_ascii);
  }

  static char* PutName(char* p, std::string_view name, bool legacy, bool* ok) {
    if (legacy) return Put(p, name.data(), name.size());
    *p++ = '"';
    p = PutEscaped(p, name, ok);
    *p++ = '"';
    return p;
  }

  char* PutFloat(char* p, double v) const {
    return p + (om_ ? internal::FormatOpenMetricsFloat(v, p) : internal::FormatGoFloat(v, p));
  }

  // The text of 1..16 bytes as two words that, with its length, determine
  // it exactly (the first and last eight bytes, overlapping when shorter).
  static bool ShortKey(const std::string& text, uint64_t* a, uint64_t* b) {
    size_t n = text.size();
    const char* s = text.data();
    if (n == 0 || n > 16) return false;
    if (n >= 8) {
      std::memcpy(a, s, 8);
      std::memcpy(b, s + n - 8, 8);
    } else if (n >= 4) {
      uint32_t x, y;
      std::memcpy(&x, s, 4);
      std::memcpy(&y, s + n - 4, 4);
      *a = x;
      *b = y;
    } else {
      *a = static_cast<unsigned char>(s[0]) | static_cast<unsigned>(static_cast<unsigned char>(s[n / 2])) << 8 |
           static_cast<unsigned>(static_cast<unsigned char>(s[n - 1])) << 16;
      *b = 0;
    }
    return true;
  }

  // Writes an `le` or `quantile` value canonically for the format. Buckets
  // repeat the same few bounds in every series, so conversions are kept in
  // a small direct-mapped cache keyed by the exact text.
  char* PutCanonicalNumber(char* p, const std::string& text, bool* ok) {
    uint64_t a, b;
    CanonicalEntry* e = nullptr;
    if (ShortKey(text, &a, &b)) {
      uint64_t h = (a * 0x9E3779B97F4A7C15ULL) ^ (b * 0xC2B2AE3D27D4EB4FULL) ^ text.size();
      e = &canonical_[(h >> 32) % kCanonicalEntries];
      if (e->n == text.size() && e->a == a && e->b == b) return Put(p, e->out, e->out_len);
    }
    double number;
    if (!internal::ParseGoFloat(text, &number)) return PutEscaped(p, text, ok);
    char buf[internal::kMaxGoFloatChars];
    size_t len = om_ ? internal::FormatOpenMetricsFloat(number, buf) : internal::FormatGoFloat(number, buf);
    if (e != nullptr) {
      e->a = a;
      e->b = b;
      e->n = static_cast<uint32_t>(text.size());
      e->out_len = len;
      std::memcpy(e->out, buf, len);
    }
    return Put(p, buf, len);
  }

  // Writes `name="` for the label at `position` of a sample. Series of a
  // family repeat the same label names in the same places, so the text
  // written for the name last seen there is kept and copied as one block.
  char* PutLabelNameEquals(char* p, size_t position, const std::string& name, bool* ok) {
    uint64_t a, b;
    if (position < kNameSlots && ShortKey(name, &a, &b)) {
      NameSlot& slot = name_slots_[position];
      if (slot.n != name.size() || slot.a != a || slot.b != b) {
        slot.a = a;
        slot.b = b;
        slot.n = static_cast<uint32_t>(name.size());
        slot.text_len = 0;
        if (IsLegacyLabelName(name)) {
          std::memcpy(slot.text, name.data(), name.size());
          slot.text[name.size()] = '=';
          slot.text[name.size() + 1] = '"';
          slot.text_len = static_cast<uint32_t>(name.size() + 2);
        }
      }
      if (slot.text_len != 0) {
        std::memcpy(p, slot.text, sizeof(slot.text));  // the line has the slack
        return p + slot.text_len;
      }
    }
    if (name.empty()) *ok = false;
    p = PutName(p, name, IsLegacyLabelName(name), ok);
    *p++ = '=';
    *p++ = '"';
    return p;
  }

  // Writes a label value escaped. Values of up to 16 bytes are copied as
  // words and checked in registers; only those with something to escape (or
  // non-ASCII bytes to validate) take the long way.
  static char* PutLabelValue(char* p, const std::string& v, bool* ok) {
    size_t n = v.size();
    if (n == 0) return p;
    if (n <= 16 && !internal::CopyShortMayNeedEscape(p, v.data(), n)) return p + n;
    return PutEscaped(p, v, ok);
  }

  // Writes `{labels}`, with the quoted metric name first when given.
  char* PutLabels(char* p, const std::vector<Label>& labels, std::string_view quoted_name, Role role, bool* ok) {
    bool open = false;
    if (!quoted_name.empty()) {
      *p++ = '{';
      p = PutName(p, quoted_name, false, ok);
      open = true;
    }
    for (size_t i = 0; i < labels.size(); ++i) {
      const Label& l = labels[i];
      *p++ = open ? ',' : '{';
      open = true;
      p = PutLabelNameEquals(p, i, l.name, ok);
      if (role != Role::kPlain && IsNumericLabel(l.name, role)) {
        p = PutCanonicalNumber(p, l.value, ok);  // canonical for the format
      } else {
        p = PutLabelValue(p, l.value, ok);
      }
      *p++ = '"';
    }
    if (open) *p++ = '}';
    return p;
  }

  char* PutValue(char* p, const Sample& s, Role role) const {
    // value_text carries integers a double cannot hold; any other text
    // (a non-canonical "1.0", "Nan") is re-spelled from the value.
    if (!s.value_text.empty() && internal::IsInexactInteger(s.value_text)) {
      std::memcpy(p, s.value_text.data(), s.value_text.size());
      return p + s.value_text.size();
    }
    double v = s.value;
    if ((role == Role::kBucket || role == Role::kCount) && om_ && std::isfinite(v) && v == std::floor(v) &&
        std::fabs(v) < 9.2e18) {
      return std::to_chars(p, p + 24, static_cast<int64_t>(v)).ptr;
    }
    return PutFloat(p, v);
  }

  // `legacy`: IsLegacyMetricName(name), known to the caller.
  absl::Status WriteSample(const Sample& s, std::string_view name, Role role, bool legacy) {
    if (!legacy && name.empty()) return absl::InvalidArgumentError("sample without a name");
    size_t bound = LineBound(s, name);
    char* const line = LinesRoom(bound);
    char* p = line;
    bool ok = true;
    if (legacy) {
      p = PutLabels(Put(p, name.data(), name.size()), s.labels, {}, role, &ok);
    } else {
      p = PutLabels(p, s.labels, name, role, &ok);
    }
    *p++ = ' ';
    p = PutValue(p, s, role);
    if (s.timestamp) {
      *p++ = ' ';
      p += FormatTimestamp(*s.timestamp, format_, p);
    }
    if (om_ && s.exemplar) {
      std::memcpy(p, " # ", 3);
      p += 3;
      if (s.exemplar->labels.empty()) {
        *p++ = '{';
        *p++ = '}';
      } else {
        p = PutLabels(p, s.exemplar->labels, {}, Role::kPlain, &ok);
      }
      *p++ = ' ';
      p += internal::FormatOpenMetricsFloat(s.exemplar->value, p);
      if (s.exemplar->timestamp) {
        *p++ = ' ';
        p += FormatTimestamp(*s.exemplar->timestamp, format_, p);
      }
    }
    *p++ = '\n';
    if (!ok) {
      return absl::InvalidArgumentError(
          StrCat("sample \"", name, "\" has an empty label name or a name or value that is not valid UTF-8"));
    }
    lines_used_ += static_cast<size_t>(p - line);
    return absl::OkStatus();
  }

  bool om_;
  ExpositionFormat format_;
  std::string* out_;
  const absl::flat_hash_set<std::string>* taken_ = nullptr;
  std::vector<char> lines_;  // sample lines not yet appended to *out_
  size_t lines_used_ = 0;
  struct Placed {
    uint8_t group;
    Role role;
  };
  std::vector<Placed> placed_;  // per sample of the family being written
  struct CanonicalEntry {
    uint64_t a = 0;
    uint64_t b = 0;
    uint32_t n = 0;  // 0: empty
    size_t out_len = 0;
    char out[internal::kMaxGoFloatChars];
  };
  static constexpr size_t kCanonicalEntries = 128;
  struct NameSlot {
    uint64_t a = 0;
    uint64_t b = 0;
    uint32_t n = 0;         // 0: empty
    uint32_t text_len = 0;  // 0: not a legacy name, written the long way
    char text[24];          // `name="`
  };
  static constexpr size_t kNameSlots = 16;
  NameSlot name_slots_[kNameSlots];
  CanonicalEntry canonical_[kCanonicalEntries];

};

}  // namespace

absl::Status WriteFamily(const MetricFamily& family, const WriterOptions& options, std::string* out) {
  if (options.format == ExpositionFormat::kProtobuf) {
    return absl::InvalidArgumentError("the protobuf format is written by obsv::Registry only");
  }
  return FamilyWriter(options.format, out).Write(family);
}

absl::Status WriteExposition(const std::vector<MetricFamily>& families, const WriterOptions& options,
                             std::string* out) {
  if (options.format == ExpositionFormat::kProtobuf) {
    return absl::InvalidArgumentError("the protobuf format is written by obsv::Registry only");
  }
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
