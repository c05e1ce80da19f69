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

// Reading 16 bytes from a std::string's data(), whatever its size, stays
// inside the string with libstdc++ and libc++: a string always holds at
// least 16 bytes (its inline buffer, or a heap block of 16 or more). Short
// label names and values are then loaded as one vector masked to their
// length instead of being copied by size class. Off under AddressSanitizer,
// which may poison the bytes of a string past its end.
#if defined(__SSE2__) && (defined(__GLIBCXX__) || defined(_LIBCPP_VERSION)) && !defined(__SANITIZE_ADDRESS__)
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OBSV_WIDE_STRING_LOADS_ 0
#endif
#endif
#ifndef OBSV_WIDE_STRING_LOADS_
#define OBSV_WIDE_STRING_LOADS_ 1
#endif
#else
#define OBSV_WIDE_STRING_LOADS_ 0
#endif

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

#if OBSV_WIDE_STRING_LOADS_
// 16 bytes of 0xFF then 16 of zero: loaded at 16 - n, the mask of the first
// n bytes of a vector.
alignas(16) constexpr unsigned char kPrefixMask[32] = {
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
#endif

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
      : om_(format == ExpositionFormat::kOpenMetrics), format_(format), out_(out), len_(out->size()) {}
  ~FamilyWriter() { Finish(); }
  FamilyWriter(const FamilyWriter&) = delete;
  FamilyWriter& operator=(const FamilyWriter&) = delete;

  // OpenMetrics: the names of the other families in the same body.
  void set_taken(const absl::flat_hash_set<std::string>* taken) { taken_ = taken; }

  absl::Status Write(const MetricFamily& f) {
    if (f.name.empty()) return absl::InvalidArgumentError("metric family without a name");
    if (!internal::IsValidUtf8(f.name)) {
      return absl::InvalidArgumentError(internal::StrCat("family name is not valid UTF-8: ", f.name));
    }
    return om_ ? WriteOpenMetrics(f) : WriteText(f);
  }

  // Trims *out_ to what was written (it holds allocated room past it).
  void Finish() { out_->resize(len_); }

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
    if (f.has_help) WriteMetadata("# HELP ", name, f.help, /*help=*/true);
    WriteMetadata("# TYPE ", name, type, false);
  }

  // Writes `<keyword><name> <text>\n`, the text escaped as HELP when `help`.
  void WriteMetadata(std::string_view keyword, std::string_view name, std::string_view text, bool help) {
    char* p = Room(keyword.size() + 2 * (name.size() + text.size()) + 16);
    p = Put(p, keyword.data(), keyword.size());
    if (IsLegacyMetricName(name)) {
      p = Put(p, name.data(), name.size());
    } else {
      *p++ = '"';
      p = PutEscapedRaw(p, name, '"');
      *p++ = '"';
    }
    *p++ = ' ';
    p = help ? PutEscapedRaw(p, text, om_ ? '"' : '\\') : Put(p, text.data(), text.size());
    *p++ = '\n';
    Commit(p);
  }

  // Appends s with `\`, newline and `quote` escaped (pass '\\' for no quote).
  static char* PutEscapedRaw(char* p, std::string_view s, char quote) {
    for (char c : s) {
      if (c == '\\' || c == '\n' || c == quote) {
        *p++ = '\\';
        *p++ = c == '\n' ? 'n' : c;
      } else {
        *p++ = c;
      }
    }
    return p;
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
    if (f.has_help) WriteMetadata("# HELP ", om_family, f.help, /*help=*/true);
    WriteMetadata("# TYPE ", om_family, MetricTypeName(f.type), false);
    if (!f.unit.empty()) WriteMetadata("# UNIT ", om_family, f.unit, false);
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

  // ---- Sample lines, written straight into *out_ through a raw pointer.
  // *out_ is grown ahead of the writing (zero-filled by resize(), in steps
  // that stay in the cache), so that a line costs one room check and no
  // bounds checks per byte; Finish() trims it to the bytes written. ----

  struct NameSlot;

  // Room for `bound` more bytes at the end of what was written.
  char* Room(size_t bound) {
    if (out_->size() - len_ < bound) Grow(bound);
    return &(*out_)[0] + len_;
  }
  // As Room(), for a line in progress: keeps `p` (which points into *out_).
  char* Ensure(char* p, size_t bound) {
    size_t at = static_cast<size_t>(p - &(*out_)[0]);
    if (out_->size() - at >= bound) return p;
    len_ = at;
    return Room(bound);
  }
  void Commit(char* p) { len_ = static_cast<size_t>(p - &(*out_)[0]); }
  void Grow(size_t bound) {
    // Small steps: the zero-fill of resize() stays in L1 and is written
    // over at once (and, below glibc's `rep stosb` threshold, is a short
    // vector loop). The string's capacity still grows geometrically.
    constexpr size_t kStep = 1920;
    out_->resize(len_ + std::max(bound, kStep));
  }

  // Bytes of room a label needs on the fast path (both strings of at most
  // 16 bytes): `,` + 32 bytes of name block + 16 of value + `"`, rounded.
  static constexpr size_t kShortLabelRoom = 64;

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
    std::memcpy(p, buf, len);  // len <= kMaxGoFloatChars
    return p + len;
  }

#if OBSV_WIDE_STRING_LOADS_
  // The first n (<= 16) bytes at s, the rest zero. s is a std::string's
  // data(): see OBSV_WIDE_STRING_LOADS_ for why 16 bytes may be read.
  static __m128i LoadShort(const char* s, size_t n) {
    return _mm_and_si128(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s)),
                         _mm_loadu_si128(reinterpret_cast<const __m128i*>(kPrefixMask + 16 - n)));
  }
  // Whether a byte of v is '"', '\\', newline or >= 0x80.
  static bool MayNeedEscape(__m128i v) {
    __m128i special =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))),
                     _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\n')), v));
    return _mm_movemask_epi8(special) != 0;
  }
#endif

  // Fills the slot for label name `name` (1..16 bytes).
  void FillNameSlot(NameSlot& slot, const std::string& name) {
    size_t n = name.size();
#if OBSV_WIDE_STRING_LOADS_
    slot.key = LoadShort(name.data(), n);
#else
    ShortKey(name, &slot.a, &slot.b);
#endif
    slot.n = static_cast<uint32_t>(n);
    slot.text_len = 0;
    slot.value_cached = false;
    slot.numeric = static_cast<uint8_t>((IsNumericLabel(name, Role::kBucket) ? kNumericLe : 0) |
                                        (IsNumericLabel(name, Role::kQuantile) ? kNumericQuantile : 0));
    if (IsLegacyLabelName(name)) {
      std::memcpy(slot.text, name.data(), n);
      slot.text[n] = '=';
      slot.text[n + 1] = '"';
      slot.text_len = static_cast<uint32_t>(n + 2);
    }
  }

  // The slot of the label at `position`, if its name is the one cached there
  // (series of a family repeat the same label names in the same places),
  // refilled if not; nullptr for names the slots do not hold.
  NameSlot* FindNameSlot(size_t position, const std::string& name) {
    size_t n = name.size();
    if (position >= kNameSlots || n - 1 >= 16) return nullptr;  // n == 0 wraps
    NameSlot& slot = name_slots_[position];
#if OBSV_WIDE_STRING_LOADS_
    __m128i key = LoadShort(name.data(), n);
    if (slot.n == n && _mm_movemask_epi8(_mm_cmpeq_epi8(key, slot.key)) == 0xFFFF) return &slot;
#else
    uint64_t a, b;
    ShortKey(name, &a, &b);
    if (slot.n == n && slot.a == a && slot.b == b) return &slot;
#endif
    FillNameSlot(slot, name);
    return &slot;
  }

  // Writes a label value escaped, at p with room for 2 * size + 16 bytes.
  static char* PutLabelValue(char* p, const std::string& v, bool* ok) {
    size_t n = v.size();
#if OBSV_WIDE_STRING_LOADS_
    if (n <= 16) {
      // One load, one store, one check; the bytes past n are zero and
      // overwritten by what follows.
      __m128i x = LoadShort(v.data(), n);
      _mm_storeu_si128(reinterpret_cast<__m128i*>(p), x);
      if (!MayNeedEscape(x)) return p + n;
    }
#else
    if (n == 0) return p;
    if (n <= 16 && !internal::CopyShortMayNeedEscape(p, v.data(), n)) return p + n;
#endif
    return PutEscaped(p, v, ok);
  }

  // Whether label i of a sample renders exactly as label i of the line
  // whose labels are cached (cached_at_): same name, same value, written
  // plain (not as a canonical number) and without escapes.
  bool SameAsCached(size_t i, const Label& l, uint8_t numeric) const {
#if OBSV_WIDE_STRING_LOADS_
    const NameSlot& slot = name_slots_[i];
    size_t n = l.name.size();
    size_t vn = l.value.size();
    if (slot.n != n || !slot.value_cached || slot.vn != vn || (slot.numeric & numeric) != 0 || n - 1 >= 16) {
      return false;
    }
    if (_mm_movemask_epi8(_mm_cmpeq_epi8(LoadShort(l.name.data(), n), slot.key)) != 0xFFFF) return false;
    if (vn <= 16) return _mm_movemask_epi8(_mm_cmpeq_epi8(LoadShort(l.value.data(), vn), slot.vkey)) == 0xFFFF;
    // 17..64 bytes: against the text of the cached line, 16 at a time.
    const char* prev = out_->data() + cached_at_ + slot.end - 1 - vn;
    const char* v = l.value.data();
    unsigned eq = 0xFFFF;
    for (size_t j = 0; j + 16 < vn; j += 16) {
      eq &= static_cast<unsigned>(_mm_movemask_epi8(
          _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(v + j)),
                         _mm_loadu_si128(reinterpret_cast<const __m128i*>(prev + j)))));
    }
    eq &= static_cast<unsigned>(_mm_movemask_epi8(
        _mm_cmpeq_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(v + vn - 16)),
                       _mm_loadu_si128(reinterpret_cast<const __m128i*>(prev + vn - 16)))));
    return eq == 0xFFFF;
#else
    (void)i, (void)l, (void)numeric;
    return false;
#endif
  }

  // Writes `{labels}`, with the quoted metric name first when given. `p` has
  // room for kShortLabelRoom bytes per label (and 256 more); a longer label
  // ensures its own room and keeps that promise for the labels after it.
  //
  // With `cache` (the labels of sample lines), the rendered labels are
  // remembered by position: the series of a histogram or summary, and
  // neighbouring series generally, repeat their leading labels line after
  // line, and the leading labels that equal those of the previous line are
  // copied from it as one block instead of being written one by one.
  char* PutLabels(char* p, const std::vector<Label>& labels, std::string_view quoted_name, Role role, bool cache,
                  bool* ok) {
    char sep = '{';
    if (!quoted_name.empty()) {
      *p++ = '{';
      p = PutName(p, quoted_name, false, ok);
      sep = ',';
      cache = false;
    }
    // Other labels (exemplars, lines with a quoted name) may refill the
    // slots: forget the cached line.
    if (!cache) cached_count_ = 0;
    const uint8_t numeric = role == Role::kBucket ? kNumericLe : role == Role::kQuantile ? kNumericQuantile : 0;
    const size_t count = labels.size();
    const Label* ls = labels.data();
    size_t i = 0;
    if (cache && count != 0) {
      size_t limit = std::min(count, cached_count_);
      while (i < limit && SameAsCached(i, ls[i], numeric)) ++i;
      if (i != 0) {
        size_t len = name_slots_[i - 1].end;
        p = Ensure(p, len + kShortLabelRoom * (count - i) + 256);
        *p++ = '{';
        std::memcpy(p, out_->data() + cached_at_, len);
        p += len;
        sep = ',';
      }
    }
    // Where this line's labels start (after `{`), and how many of them are
    // recorded in the slots for the next line.
    char* labels_start = sep == '{' ? p + 1 : p - (i == 0 ? 0 : name_slots_[i - 1].end);
    size_t recorded = i;
    for (; i < count; ++i) {
      const Label& l = ls[i];
      *p++ = sep;
      sep = ',';
      NameSlot* slot = FindNameSlot(i, l.name);
      if (__builtin_expect(slot != nullptr && slot->text_len != 0, 1)) {
        std::memcpy(p, slot->text, sizeof(slot->text));  // the room covers the block
        p += slot->text_len;
        size_t n = l.value.size();
        bool plain = (slot->numeric & numeric) == 0;
        if (__builtin_expect(plain && n <= 16, 1)) {
#if OBSV_WIDE_STRING_LOADS_
          // One load, one store, one check; the bytes past n are zero and
          // overwritten by what follows.
          __m128i x = LoadShort(l.value.data(), n);
          _mm_storeu_si128(reinterpret_cast<__m128i*>(p), x);
          if (__builtin_expect(!MayNeedEscape(x), 1)) {
            p += n;
            *p++ = '"';
            if (recorded == i && cache) {
              slot->vkey = x;
              slot->vn = static_cast<uint32_t>(n);
              slot->value_cached = true;
              slot->end = static_cast<uint32_t>(p - labels_start);
              recorded = i + 1;
            }
            continue;
          }
#endif
          p = PutLabelValue(p, l.value, ok);
          slot->value_cached = false;
        } else {
          size_t rel = static_cast<size_t>(p - labels_start);
          p = Ensure(p, 2 * n + kShortLabelRoom * (count - i) + 256);
          labels_start = p - rel;
          if (!plain) {
            p = PutCanonicalNumber(p, l.value, ok);  // canonical for the format
            slot->value_cached = false;
          } else {
            char* v = p;
            p = PutLabelValue(p, l.value, ok);
            // A value of up to 64 bytes written without escapes is compared
            // with the text of this line next time.
            slot->value_cached = n <= 64 && static_cast<size_t>(p - v) == n;
            slot->vn = static_cast<uint32_t>(n);
          }
        }
        *p++ = '"';
        if (recorded == i && cache && slot->value_cached) {
          slot->end = static_cast<uint32_t>(p - labels_start);
          recorded = i + 1;
        }
        continue;
      }
      // A long, empty or quoted label name: the general way.
      size_t rel = static_cast<size_t>(p - labels_start);
      p = Ensure(p, 2 * (l.name.size() + l.value.size()) + kShortLabelRoom * (count - i) + 256);
      labels_start = p - rel;
      if (l.name.empty()) *ok = false;
      p = PutName(p, l.name, IsLegacyLabelName(l.name), ok);
      *p++ = '=';
      *p++ = '"';
      if (role != Role::kPlain && IsNumericLabel(l.name, role)) {
        p = PutCanonicalNumber(p, l.value, ok);  // canonical for the format
      } else {
        p = PutLabelValue(p, l.value, ok);
      }
      *p++ = '"';
    }
    if (cache) {
      cached_at_ = static_cast<size_t>(labels_start - out_->data());
      cached_count_ = recorded;
    }
    if (sep == ',') *p++ = '}';
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
    // Room for the name, the short labels and the value; longer labels,
    // the value text and the exemplar ensure their own.
    char* p = Room(2 * name.size() + kShortLabelRoom * (s.labels.size() + 2) + 256);
    bool ok = true;
    if (legacy) {
      p = PutLabels(Put(p, name.data(), name.size()), s.labels, {}, role, /*cache=*/true, &ok);
    } else {
      p = PutLabels(p, s.labels, name, role, /*cache=*/false, &ok);
    }
    p = Ensure(p, s.value_text.size() + 160);
    *p++ = ' ';
    p = PutValue(p, s, role);
    if (s.timestamp) {
      *p++ = ' ';
      p += FormatTimestamp(*s.timestamp, format_, p);
    }
    if (om_ && s.exemplar) {
      p = Ensure(p, kShortLabelRoom * (s.exemplar->labels.size() + 2) + 256);
      std::memcpy(p, " # ", 3);
      p += 3;
      if (s.exemplar->labels.empty()) {
        *p++ = '{';
        *p++ = '}';
      } else {
        p = PutLabels(p, s.exemplar->labels, {}, Role::kPlain, /*cache=*/false, &ok);
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
    Commit(p);
    return absl::OkStatus();
  }

  bool om_;
  ExpositionFormat format_;
  std::string* out_;
  size_t len_;       // bytes of *out_ written; past them, room
  const absl::flat_hash_set<std::string>* taken_ = nullptr;
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
  static constexpr uint8_t kNumericLe = 1;
  static constexpr uint8_t kNumericQuantile = 2;
  struct NameSlot {
#if OBSV_WIDE_STRING_LOADS_
    __m128i key = _mm_setzero_si128();  // the name's bytes, zero-padded
#else
    uint64_t a = 0;
    uint64_t b = 0;
#endif
    uint32_t n = 0;         // 0: empty
    uint32_t text_len = 0;  // 0: not a legacy name, written the long way
    uint8_t numeric = 0;    // kNumericLe, kNumericQuantile
    char text[32];          // `name="`, copied as one block
    // The label at this position in the line at cached_at_ (PutLabels()):
    // whether its value is comparable (written plain, unescaped, at most 64
    // bytes), its length, its bytes if at most 16, and where the label's
    // text ends, from the start of that line's labels.
    bool value_cached = false;
    uint32_t vn = 0;
    uint32_t end = 0;
#if OBSV_WIDE_STRING_LOADS_
    __m128i vkey = _mm_setzero_si128();
#endif
  };
  // The last line whose labels the slots describe: the offset in *out_ of
  // its first label, and how many of its leading labels are recorded.
  size_t cached_at_ = 0;
  size_t cached_count_ = 0;
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
  absl::flat_hash_set<std::string> taken;
  {
    FamilyWriter writer(options.format, out);  // trims *out when it ends
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
  }
  if (options.format == ExpositionFormat::kOpenMetrics && options.write_eof) out->append("# EOF\n");
  return absl::OkStatus();
}

}  // namespace obsv
