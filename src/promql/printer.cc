// The canonical printer: Prometheus's String() (promql/parser/printer.go),
// plus the Go formatting it relies on (strconv.Quote, FormatFloat 'f',
// model.Duration).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "promql/lexer.h"
#include "promql/printer.h"

namespace obsv::promql {
namespace internal {

namespace {

// unicode.IsPrint, approximated: controls, surrogates, non-characters and
// the separators Go treats as non-printable are escaped.
bool IsPrintRune(uint32_t r) {
  if (r < 0x20 || r == 0x7F) return false;
  if (r >= 0x80 && r < 0xA0) return false;
  if (r == 0xAD) return false;                      // soft hyphen (Cf)
  if (r >= 0x2028 && r <= 0x202E) return false;     // separators, bidi controls
  if (r >= 0x200B && r <= 0x200F) return false;
  if (r >= 0x2060 && r <= 0x206F) return false;
  if (r == 0xFEFF || r == 0xFFFE || r == 0xFFFF) return false;
  if (r >= 0xE000 && r <= 0xF8FF) return false;     // private use
  if (r >= 0xFFF9 && r <= 0xFFFB) return false;
  return true;
}

void AppendEscapedRune(uint32_t r, char quote, std::string* out) {
  char buf[16];
  if (r == static_cast<unsigned char>(quote) || r == '\\') {
    out->push_back('\\');
    out->push_back(static_cast<char>(r));
    return;
  }
  if (IsPrintRune(r)) {
    if (r < 0x80) {
      out->push_back(static_cast<char>(r));
    } else if (r < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (r >> 6)));
      out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
    } else if (r < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (r >> 12)));
      out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (r >> 18)));
      out->push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
    }
    return;
  }
  switch (r) {
    case '\a': out->append("\\a"); return;
    case '\b': out->append("\\b"); return;
    case '\f': out->append("\\f"); return;
    case '\n': out->append("\\n"); return;
    case '\r': out->append("\\r"); return;
    case '\t': out->append("\\t"); return;
    case '\v': out->append("\\v"); return;
    default: break;
  }
  if (r < ' ' || r == 0x7F) {
    snprintf(buf, sizeof(buf), "\\x%02x", r);
  } else if (r < 0x10000) {
    snprintf(buf, sizeof(buf), "\\u%04x", r);
  } else {
    snprintf(buf, sizeof(buf), "\\U%08x", r);
  }
  out->append(buf);
}

}  // namespace

void Out::Grow(size_t n) {
  const size_t used = size();
  s_->resize(std::max(used + n, 2 * s_->size()));
  s_->resize(s_->capacity());
  p_ = s_->data() + used;
  end_ = s_->data() + s_->size();
}

namespace {

#if defined(__SSE2__)
// Whether a byte of x needs escaping in a Go-quoted string: a control
// character, DEL, '"', '\\' or a byte >= 0x80 (signed, below 0x20 too).
inline bool NeedsQuoting(__m128i x) {
  __m128i bad = _mm_or_si128(
      _mm_or_si128(_mm_cmplt_epi8(x, _mm_set1_epi8(0x20)), _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7F))),
      _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))));
  return _mm_movemask_epi8(bad) != 0;
}
#endif

inline bool PlainQuotedByte(char c) { return c >= ' ' && c <= '~' && c != '"' && c != '\\'; }

// Copies s (n bytes) to p and returns whether every byte may stand as it is
// between double quotes.
inline bool CopyPlain(char* p, const char* s, size_t n) {
#if defined(__SSE2__)
  if (n <= 16) {
    uint64_t w0, w1;
    if (n >= 8) {
      std::memcpy(&w0, s, 8);
      std::memcpy(&w1, s + n - 8, 8);
      std::memcpy(p, &w0, 8);
      std::memcpy(p + n - 8, &w1, 8);
    } else if (n >= 4) {
      uint32_t x, y;
      std::memcpy(&x, s, 4);
      std::memcpy(&y, s + n - 4, 4);
      std::memcpy(p, &x, 4);
      std::memcpy(p + n - 4, &y, 4);
      w0 = x | uint64_t{y} << 32;
      w1 = w0;
    } else {
      // Bytes 0, n/2 and n-1 cover all of 1..3; the fill byte 'a' is plain.
      p[0] = s[0];
      p[n / 2] = s[n / 2];
      p[n - 1] = s[n - 1];
      w0 = 0x6161616161000000ULL | static_cast<unsigned char>(s[0]) |
           uint64_t{static_cast<unsigned char>(s[n / 2])} << 8 |
           uint64_t{static_cast<unsigned char>(s[n - 1])} << 16;
      w1 = w0;
    }
    return !NeedsQuoting(_mm_set_epi64x(static_cast<long long>(w1), static_cast<long long>(w0)));
  }
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p + i), v);
    if (NeedsQuoting(v)) return false;
  }
  if (i < n) {  // the last 16 bytes, overlapping
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + n - 16));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p + n - 16), v);
    if (NeedsQuoting(v)) return false;
  }
  return true;
#else
  for (size_t i = 0; i < n; ++i) {
    if (!PlainQuotedByte(s[i])) return false;
    p[i] = s[i];
  }
  return true;
#endif
}

}  // namespace

// QuoteTo() of a string with bytes to escape, after the opening quote.
[[gnu::cold, gnu::noinline]] static void QuoteSlow(std::string_view s, Out& out) {
  std::string tail;
  for (size_t i = 0; i < s.size();) {
    // Runs of printable ASCII other than `"` and `\` are copied as they are.
    size_t j = i;
    while (j < s.size() && PlainQuotedByte(s[j])) ++j;
    if (j > i) {
      out.Str(s.substr(i, j - i));
      i = j;
      continue;
    }
    uint32_t r;
    int k = DecodeRune(s, i, &r);
    tail.clear();
    if (k == 0) {
      char buf[8];
      snprintf(buf, sizeof(buf), "\\x%02x", static_cast<unsigned char>(s[i]));
      tail.append(buf);
      ++i;
    } else {
      AppendEscapedRune(r, '"', &tail);
      i += k;
    }
    out.Str(tail);
  }
  out.Char('"');
}

void QuoteTo(std::string_view s, Out& out) {
  // Nearly every label value is printable ASCII without quotes or
  // backslashes: copied and checked 16 bytes at a time.
  const size_t n = s.size();
  char* p = out.Claim(n + 2);
  *p++ = '"';
  if (n == 0 || CopyPlain(p, s.data(), n)) {
    p[n] = '"';
    out.Commit(p + n + 1);
    return;
  }
  out.Commit(p);
  QuoteSlow(s, out);
}

void AppendGoQuote(std::string_view s, std::string* out) {
  Out o(out);
  QuoteTo(s, o);
}

std::string GoQuoteRune(uint32_t r) {
  std::string out = "'";
  AppendEscapedRune(r, '\'', &out);
  out.push_back('\'');
  return out;
}

namespace {

// Name characters: 1 for [a-zA-Z_], 2 for [0-9], 4 for ':'.
struct NameCharTable {
  unsigned char bits[256] = {};
  constexpr NameCharTable() {
    for (int c = 'a'; c <= 'z'; ++c) bits[c] = 1;
    for (int c = 'A'; c <= 'Z'; ++c) bits[c] = 1;
    bits[static_cast<unsigned char>('_')] = 1;
    for (int c = '0'; c <= '9'; ++c) bits[c] = 2;
    bits[static_cast<unsigned char>(':')] = 4;
  }
};
constexpr NameCharTable kNameChars;

// First byte in `first`, the others in `rest` (a name of at most 16 bytes
// checked at once).
inline bool IsNameOf(std::string_view s, unsigned first, unsigned rest) {
  if (s.empty() || (kNameChars.bits[static_cast<unsigned char>(s[0])] & first) == 0) return false;
#if defined(__SSE2__)
  const size_t n = s.size();
  if (n <= 16) {
    uint64_t w0, w1;
    if (n >= 8) {
      std::memcpy(&w0, s.data(), 8);
      std::memcpy(&w1, s.data() + n - 8, 8);
    } else if (n >= 4) {
      uint32_t x, y;
      std::memcpy(&x, s.data(), 4);
      std::memcpy(&y, s.data() + n - 4, 4);
      w0 = x | uint64_t{y} << 32;
      w1 = w0;
    } else {
      // Bytes 0, n/2 and n-1 cover all of 1..3; the fill byte 'a' is a name byte.
      w0 = 0x6161616161000000ULL | static_cast<unsigned char>(s[0]) |
           uint64_t{static_cast<unsigned char>(s[n / 2])} << 8 |
           uint64_t{static_cast<unsigned char>(s[n - 1])} << 16;
      w1 = w0;
    }
    const __m128i v = _mm_set_epi64x(static_cast<long long>(w1), static_cast<long long>(w0));
    const __m128i lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
    const __m128i letters = _mm_cmplt_epi8(_mm_add_epi8(lower, _mm_set1_epi8(static_cast<char>(0x80 - 'a'))),
                                           _mm_set1_epi8(static_cast<char>(-128 + 26)));
    const __m128i digits = _mm_cmplt_epi8(_mm_add_epi8(v, _mm_set1_epi8(static_cast<char>(0x80 - '0'))),
                                          _mm_set1_epi8(static_cast<char>(-128 + 10)));
    const __m128i colon = _mm_cmpeq_epi8(v, _mm_set1_epi8((rest & 4) != 0 ? ':' : '_'));
    const __m128i ok = _mm_or_si128(_mm_or_si128(letters, digits),
                                    _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('_')), colon));
    return _mm_movemask_epi8(ok) == 0xFFFF;
  }
#endif
  for (size_t i = 1; i < s.size(); ++i) {
    if ((kNameChars.bits[static_cast<unsigned char>(s[i])] & rest) == 0) return false;
  }
  return true;
}

}  // namespace

bool IsLegacyLabelName(std::string_view s) { return IsNameOf(s, 1, 3); }

bool IsLegacyMetricName(std::string_view s) { return IsNameOf(s, 5, 7); }

namespace {

// Decimal digits of v >= 0.
inline void UintTo(uint64_t v, Out& out) {
  char* p = out.Claim(20);
  out.Commit(std::to_chars(p, p + 20, v).ptr);
}

void DurationTo(int64_t ns, Out& out) {
  int64_t ms = ns / 1'000'000;
  if (ms == 0) {
    out.Str("0s");
    return;
  }
  struct Unit {
    std::string_view name;
    int64_t mult;
    bool exact;
  };
  static constexpr Unit kUnits[] = {
      {"y", int64_t{1000} * 60 * 60 * 24 * 365, true},
      {"w", int64_t{1000} * 60 * 60 * 24 * 7, true},
      {"d", int64_t{1000} * 60 * 60 * 24, false},
      {"h", int64_t{1000} * 60 * 60, false},
      {"m", int64_t{1000} * 60, false},
      {"s", 1000, false},
      {"ms", 1, false},
  };
  for (const Unit& u : kUnits) {
    if (u.exact && ms % u.mult != 0) continue;
    int64_t v = ms / u.mult;
    if (v > 0) {
      UintTo(static_cast<uint64_t>(v), out);
      out.Str(u.name);
      ms -= v * u.mult;
    }
  }
}

void GoFloatFSlow(double v, std::string* out);

// strconv.FormatFloat(v, 'f', -1, 64). Integers (nearly every number in a
// query) are written directly.
void FloatTo(double v, Out& out) {
  if (v >= -1e15 && v <= 1e15) {
    const auto i = static_cast<int64_t>(v);
    if (static_cast<double>(i) == v) {
      if (i < 0) {
        out.Char('-');
        UintTo(static_cast<uint64_t>(-i), out);
      } else if (i == 0 && std::signbit(v)) {
        out.Str("-0");
      } else {
        UintTo(static_cast<uint64_t>(i), out);
      }
      return;
    }
  }
  // A few decimals (`0.95`, `1.5`, `0.001`): the fewest k digits after the
  // point such that m / 10^k reads back as v. Below 1e6 the doubles are
  // much closer together than 10^-6, so that decimal is the only one of k
  // digits that reads back as v, and it is the shortest one: what
  // FormatFloat(v, 'f', -1) prints.
  if (v > -1e6 && v < 1e6) {
    const double a = std::fabs(v);
    uint64_t p10 = 1;
    for (int k = 1; k <= 6; ++k) {
      p10 *= 10;
      const double m = std::nearbyint(a * static_cast<double>(p10));
      if (m / static_cast<double>(p10) == a) {
        const auto mi = static_cast<uint64_t>(m);
        if (std::signbit(v)) out.Char('-');
        UintTo(mi / p10, out);
        out.Char('.');
        char digits[8];
        uint64_t frac = mi % p10;
        for (int i = k - 1; i >= 0; --i) {
          digits[i] = static_cast<char>('0' + frac % 10);
          frac /= 10;
        }
        out.Str(std::string_view(digits, static_cast<size_t>(k)));
        return;
      }
    }
  }
  std::string text;
  GoFloatFSlow(v, &text);
  out.Str(text);
}

}  // namespace

void AppendDuration(int64_t ns, std::string* out) {
  Out o(out);
  DurationTo(ns, o);
}

// model.ParseDuration: units y w d h m s ms, each at most once, in order.
bool ParsePromDuration(std::string_view s, int64_t* ms_out) {
  if (s == "0") {
    *ms_out = 0;
    return true;
  }
  if (s.empty()) return false;
  struct Unit {
    std::string_view name;
    int64_t mult;
  };
  static constexpr Unit kUnits[] = {
      {"y", int64_t{1000} * 60 * 60 * 24 * 365}, {"w", int64_t{1000} * 60 * 60 * 24 * 7},
      {"d", int64_t{1000} * 60 * 60 * 24},       {"h", int64_t{1000} * 60 * 60},
      {"m", int64_t{1000} * 60},                 {"s", 1000},
      {"ms", 1},
  };
  // One number and one unit (`5m`, `30s`, `1h`), nearly every duration.
  {
    size_t d = 0;
    uint64_t v = 0;
    while (d < s.size() && d < 12 && s[d] >= '0' && s[d] <= '9') {
      v = v * 10 + static_cast<uint64_t>(s[d++] - '0');
    }
    const std::string_view unit = s.substr(d);
    if (d > 0 && d < 12 && !unit.empty() && unit.size() <= 2) {
      for (const Unit& u : kUnits) {
        if (u.name == unit) {
          if (v > static_cast<uint64_t>(INT64_MAX / 1'000'000 / u.mult)) return false;
          *ms_out = static_cast<int64_t>(v) * u.mult;
          return true;
        }
      }
    }
  }
  size_t next_unit = 0;
  size_t i = 0;
  // Go's time.Duration (ns) bounds the total.
  const int64_t kMaxMs = INT64_MAX / 1'000'000;
  int64_t total = 0;
  while (i < s.size()) {
    size_t d0 = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == d0) return false;
    uint64_t v = 0;
    auto r = std::from_chars(s.data() + d0, s.data() + i, v);
    if (r.ec != std::errc()) return false;
    size_t u0 = i;
    while (i < s.size() && (s[i] < '0' || s[i] > '9')) ++i;
    std::string_view unit = s.substr(u0, i - u0);
    bool found = false;
    for (; next_unit < std::size(kUnits); ++next_unit) {
      if (kUnits[next_unit].name == unit) {
        found = true;
        break;
      }
    }
    if (!found) return false;
    int64_t mult = kUnits[next_unit].mult;
    ++next_unit;
    if (v > static_cast<uint64_t>(kMaxMs / mult)) return false;
    int64_t add = static_cast<int64_t>(v) * mult;
    if (total > kMaxMs - add) return false;
    total += add;
  }
  *ms_out = total;
  return true;
}

void AppendGoFloatF(double v, std::string* out) {
  Out o(out);
  FloatTo(v, o);
}

namespace {

void GoFloatFSlow(double v, std::string* out) {
  if (std::isnan(v)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
    return;
  }
  // Shortest round-trip digits, then laid out without an exponent.
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(r.ptr - buf));
  bool neg = false;
  if (!sci.empty() && sci[0] == '-') {
    neg = true;
    sci.remove_prefix(1);
  }
  size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  int exp = std::atoi(std::string(sci.substr(e + 1)).c_str());
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  if (digits == "0") {
    out->append(neg ? "-0" : "0");
    return;
  }
  if (neg) out->push_back('-');
  int point = exp + 1;  // digits before the decimal point
  if (point <= 0) {
    out->append("0.");
    out->append(static_cast<size_t>(-point), '0');
    out->append(digits);
  } else if (static_cast<size_t>(point) >= digits.size()) {
    out->append(digits);
    out->append(static_cast<size_t>(point) - digits.size(), '0');
  } else {
    out->append(digits, 0, static_cast<size_t>(point));
    out->push_back('.');
    out->append(digits, static_cast<size_t>(point), std::string::npos);
  }
}

}  // namespace

}  // namespace internal

namespace {

using internal::DurationTo;
using internal::FloatTo;
using internal::Out;
using internal::QuoteTo;

void FormatTo(const Expr& e, Out& out);
void FormatTo(const DurationExpr& d, Out& out);

// Prometheus's writeLabels() leaves a name unquoted when it is a legacy
// metric name, so `by (a:b)` stays as written (and re-parses).
void LabelsTo(const std::vector<std::string>& labels, Out& out) {
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out.Str(", ");
    if (internal::IsLegacyMetricName(labels[i])) {
      out.Str(labels[i]);
    } else {
      QuoteTo(labels[i], out);
    }
  }
}

void AtMsTo(int64_t ms, Out& out) {
  char buf[64];
  int n = snprintf(buf, sizeof(buf), " @ %.3f", static_cast<double>(ms) / 1000.0);
  out.Str(std::string_view(buf, static_cast<size_t>(n)));
}

void AtTo(const TimeModifiers& m, Out& out) {
  switch (m.at) {
    case AtKind::kNone: break;
    case AtKind::kTimestamp: AtMsTo(m.at_ms, out); break;
    case AtKind::kStart: out.Str(" @ start()"); break;
    case AtKind::kEnd: out.Str(" @ end()"); break;
  }
}

void OffsetTo(const TimeModifiers& m, Out& out) {
  if (m.offset_expr != nullptr) {
    out.Str(" offset ");
    FormatTo(*m.offset_expr, out);
  } else if (m.offset_ns > 0) {
    out.Str(" offset ");
    DurationTo(m.offset_ns, out);
  } else if (m.offset_ns < 0) {
    out.Str(" offset -");
    DurationTo(-m.offset_ns, out);
  }
}

// A range or step: the literal duration, or the expression.
void RangeTo(int64_t ns, const DurationExprPtr& expr, Out& out) {
  if (expr != nullptr) {
    FormatTo(*expr, out);
  } else {
    DurationTo(ns, out);
  }
}

// ` anchored` / ` smoothed` (Prometheus prints at most one).
void ExtendedRangeTo(const VectorSelector& vs, Out& out) {
  if (vs.anchored) {
    out.Str(" anchored");
  } else if (vs.smoothed) {
    out.Str(" smoothed");
  }
}

// NumberLiteral.String(): a duration as model.Duration, else FormatFloat.
void NumberTo(double v, bool is_duration, Out& out) {
  if (is_duration) {
    if (v < 0) {
      out.Char('-');
      v = -v;
    }
    DurationTo(static_cast<int64_t>(v * 1e9), out);
  } else {
    FloatTo(v, out);
  }
}

std::string_view MatchOpText(MatchOp op) {
  switch (op) {
    case MatchOp::kEqual: return "=";
    case MatchOp::kNotEqual: return "!=";
    case MatchOp::kRegexMatch: return "=~";
    case MatchOp::kRegexNoMatch: return "!~";
  }
  return "?";
}

// [start, end) of a matcher's text in the output.
struct MatcherPart {
  size_t start;
  size_t end;
};

inline std::string_view PartView(const char* base, const MatcherPart& p) {
  return std::string_view(base + p.start, p.end - p.start);
}

// PartView(base, a) < PartView(base, b), deciding on the first eight bytes
// when they differ (they usually do: they hold the label name).
inline bool PartLess(const char* base, const MatcherPart& a, const MatcherPart& b) {
  const size_t na = a.end - a.start;
  const size_t nb = b.end - b.start;
  if (na >= 8 && nb >= 8) {
    uint64_t x, y;
    std::memcpy(&x, base + a.start, 8);
    std::memcpy(&y, base + b.start, 8);
    if (x != y) return __builtin_bswap64(x) < __builtin_bswap64(y);
  }
  return PartView(base, a) < PartView(base, b);
}

// Rewrites the matchers written from `open` on in the order of their text
// (common: the injected matcher lands before a user's `url="..."`).
void SortMatchers(size_t open, MatcherPart* parts, size_t np, Out& out) {
  const size_t n = out.size() - open;
  char stack_buf[1024];
  std::string heap_buf;
  char* base = stack_buf;
  if (n > sizeof(stack_buf)) {
    heap_buf.resize(n);
    base = heap_buf.data();
  }
  std::memcpy(base, out.data() + open, n);
  for (size_t i = 0; i < np; ++i) {
    parts[i].start -= open;
    parts[i].end -= open;
  }
  auto less = [base](const MatcherPart& a, const MatcherPart& b) { return PartLess(base, a, b); };
  if (np <= 32) {
    // Insertion sort: stable, and without stable_sort's temporary buffer.
    for (size_t i = 1; i < np; ++i) {
      const MatcherPart p = parts[i];
      size_t j = i;
      for (; j > 0 && less(p, parts[j - 1]); --j) parts[j] = parts[j - 1];
      parts[j] = p;
    }
  } else {
    std::stable_sort(parts, parts + np, less);
  }
  out.Truncate(open);
  for (size_t i = 0; i < np; ++i) {
    out.Char(i == 0 ? '{' : ',');
    out.Str(PartView(base, parts[i]));
  }
}

// name{matchers} without modifiers.
void SelectorBodyTo(const VectorSelector& vs, Out& out) {
  static constexpr std::string_view kMetricName = "__name__";
  out.Str(vs.name);
  // Each matcher is written in place, `{a="1",b="2"`, its [start, end)
  // recorded; Prometheus sorts matchers by their text, so when they are not
  // in order already they are rewritten from a copy of the region.
  MatcherPart stack_parts[16];
  std::vector<MatcherPart> heap_parts;
  MatcherPart* parts = stack_parts;
  if (vs.matchers.size() > 16) {
    heap_parts.resize(vs.matchers.size());
    parts = heap_parts.data();
  }
  size_t np = 0;
  const size_t open = out.size();
  for (const LabelMatcher& m : vs.matchers) {
    if (m.op == MatchOp::kEqual && m.name == kMetricName && m.value == vs.name && !m.value.empty()) {
      continue;
    }
    out.Char(np == 0 ? '{' : ',');
    const size_t start = out.size();
    if (internal::IsLegacyLabelName(m.name)) {
      out.Str(m.name);
    } else {
      QuoteTo(m.name, out);
    }
    out.Str(MatchOpText(m.op));
    QuoteTo(m.value, out);
    parts[np++] = {start, out.size()};
  }
  if (np == 0) return;
  for (size_t i = 1; i < np; ++i) {
    if (PartLess(out.data(), parts[i], parts[i - 1])) {
      SortMatchers(open, parts, np, out);
      break;
    }
  }
  out.Char('}');
}

void AggregateHeadTo(const Aggregate& a, Out& out) {
  out.Str(AggregateOpName(a.op));
  if (a.without) {
    out.Str(" without (");
    LabelsTo(a.grouping, out);
    out.Str(") ");
  } else if (!a.grouping.empty()) {
    out.Str(" by (");
    LabelsTo(a.grouping, out);
    out.Str(") ");
  }
}

void BinaryModifiersTo(const Binary& b, Out& out) {
  if (b.return_bool) out.Str(" bool");
  if (!b.has_matching) return;
  const VectorMatching& vm = b.matching;
  bool grouped = vm.card == Cardinality::kManyToOne || vm.card == Cardinality::kOneToMany;
  if (!vm.matching_labels.empty() || vm.on || grouped) {
    out.Str(vm.on ? " on (" : " ignoring (");
    LabelsTo(vm.matching_labels, out);
    out.Char(')');
  }
  if (grouped) {
    out.Str(vm.card == Cardinality::kManyToOne ? " group_left (" : " group_right (");
    LabelsTo(vm.include, out);
    out.Char(')');
  }
}

void SubquerySuffixTo(const Subquery& s, Out& out) {
  out.Char('[');
  RangeTo(s.range_ns, s.range_expr, out);
  out.Char(':');
  if (s.step_ns != 0 || s.step_expr != nullptr) RangeTo(s.step_ns, s.step_expr, out);
  out.Char(']');
  AtTo(s.modifiers, out);
  OffsetTo(s.modifiers, out);
}

void FormatTo(const Expr& e, Out& out) {
  switch (e.kind) {
    case NodeKind::kNumberLiteral: {
      const auto& n = e.As<NumberLiteral>();
      NumberTo(n.value, n.is_duration, out);
      return;
    }
    case NodeKind::kStringLiteral:
      QuoteTo(e.As<StringLiteral>().value, out);
      return;
    case NodeKind::kVectorSelector: {
      const auto& vs = e.As<VectorSelector>();
      SelectorBodyTo(vs, out);
      AtTo(vs.modifiers, out);
      ExtendedRangeTo(vs, out);
      OffsetTo(vs.modifiers, out);
      return;
    }
    case NodeKind::kMatrixSelector: {
      const auto& m = e.As<MatrixSelector>();
      SelectorBodyTo(*m.selector, out);
      out.Char('[');
      RangeTo(m.range_ns, m.range_expr, out);
      out.Char(']');
      ExtendedRangeTo(*m.selector, out);
      AtTo(m.selector->modifiers, out);
      OffsetTo(m.selector->modifiers, out);
      return;
    }
    case NodeKind::kSubquery: {
      const auto& s = e.As<Subquery>();
      FormatTo(*s.expr, out);
      SubquerySuffixTo(s, out);
      return;
    }
    case NodeKind::kCall: {
      const auto& c = e.As<Call>();
      out.Str(c.function->name);
      out.Char('(');
      for (size_t i = 0; i < c.args.size(); ++i) {
        if (i > 0) out.Str(", ");
        FormatTo(*c.args[i], out);
      }
      out.Char(')');
      return;
    }
    case NodeKind::kAggregate: {
      const auto& a = e.As<Aggregate>();
      AggregateHeadTo(a, out);
      out.Char('(');
      if (a.param != nullptr) {
        FormatTo(*a.param, out);
        out.Str(", ");
      }
      FormatTo(*a.expr, out);
      out.Char(')');
      return;
    }
    case NodeKind::kBinary: {
      const auto& b = e.As<Binary>();
      FormatTo(*b.lhs, out);
      out.Char(' ');
      out.Str(BinaryOpName(b.op));
      BinaryModifiersTo(b, out);
      out.Char(' ');
      FormatTo(*b.rhs, out);
      return;
    }
    case NodeKind::kUnary: {
      const auto& u = e.As<Unary>();
      out.Char(u.negate ? '-' : '+');
      FormatTo(*u.expr, out);
      return;
    }
    case NodeKind::kParen:
      out.Char('(');
      FormatTo(*e.As<Paren>().expr, out);
      out.Char(')');
      return;
  }
}

// DurationExpr.writeTo(). Recursion is as deep as the expression, which
// the parser bounds by max_depth.
void FormatTo(const DurationExpr& d, Out& out) {
  if (d.wrapped) out.Char('(');
  std::string_view op;
  switch (d.op) {
    case DurationOp::kLiteral:
      NumberTo(d.seconds, d.is_duration, out);
      break;
    case DurationOp::kStep:
      out.Str("step()");
      break;
    case DurationOp::kMin:
    case DurationOp::kMax:
      out.Str(d.op == DurationOp::kMin ? "min(" : "max(");
      if (d.lhs != nullptr) FormatTo(*d.lhs, out);
      out.Str(", ");
      if (d.rhs != nullptr) FormatTo(*d.rhs, out);
      out.Char(')');
      break;
    case DurationOp::kNegate:
      out.Char('-');
      if (d.rhs != nullptr) FormatTo(*d.rhs, out);
      break;
    case DurationOp::kAdd: op = " + "; break;
    case DurationOp::kSub: op = " - "; break;
    case DurationOp::kMul: op = " * "; break;
    case DurationOp::kDiv: op = " / "; break;
    case DurationOp::kMod: op = " % "; break;
    case DurationOp::kPow: op = " ^ "; break;
  }
  if (!op.empty()) {
    if (d.lhs != nullptr) FormatTo(*d.lhs, out);
    out.Str(op);
    if (d.rhs != nullptr) FormatTo(*d.rhs, out);
  }
  if (d.wrapped) out.Char(')');
}

}  // namespace

namespace internal {

void AppendAggregateHead(const Aggregate& a, std::string* out) {
  Out o(out);
  AggregateHeadTo(a, o);
}

void AppendBinaryModifiers(const Binary& b, std::string* out) {
  Out o(out);
  BinaryModifiersTo(b, o);
}

void AppendSubquerySuffix(const Subquery& s, std::string* out) {
  Out o(out);
  SubquerySuffixTo(s, o);
}

}  // namespace internal

void AppendFormat(const Expr& e, std::string* out) {
  Out o(out);
  FormatTo(e, o);
}

void AppendFormat(const DurationExpr& d, std::string* out) {
  Out o(out);
  FormatTo(d, o);
}

std::string Format(const DurationExpr& expr) {
  std::string out;
  AppendFormat(expr, &out);
  return out;
}

std::string Format(const Expr& expr) {
  std::string out;
  // Canonical text is about as long as the query it was parsed from.
  const size_t written = expr.span.end > expr.span.start ? expr.span.end - expr.span.start : 0;
  out.reserve(written + written / 4 + 32);
  AppendFormat(expr, &out);
  return out;
}

}  // namespace obsv::promql
