// The append cursor and Go formatting of the query printers (out.h).
#include "common/out.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <string>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/byte_scan.h"
#include "common/go_strconv.h"

namespace obsv::internal {

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
    CopyShortWords(p, s, n, &w0, &w1);
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

// QuoteTo() of a string with bytes to escape, after the opening quote:
// Go's strconv.Quote (common/go_strconv), which escapes rune by rune.
// Runs of plain bytes are copied and the escapes of regexes and JSON-ish
// values (`\\`, `\"`, `\n`, `\t`) written directly; from the first other
// byte (a control character or non-ASCII) on, AppendGoQuote() decides.
[[gnu::cold, gnu::noinline]] void QuoteSlow(std::string_view s, Out& out) {
  size_t i = 0;
  while (true) {
    const size_t run = i;
#if defined(__SSE2__)
    // Plain bytes 16 at a time up to the next one to escape.
    while (i + 16 <= s.size()) {
      const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
      const __m128i bad = _mm_or_si128(
          _mm_or_si128(_mm_cmplt_epi8(x, _mm_set1_epi8(0x20)), _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7F))),
          _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))));
      const unsigned m = static_cast<unsigned>(_mm_movemask_epi8(bad));
      if (m != 0) {
        i += static_cast<size_t>(__builtin_ctz(m));
        break;
      }
      i += 16;
    }
#endif
    while (i < s.size() && PlainQuotedByte(s[i])) ++i;
    if (i > run) out.Str(s.substr(run, i - run));
    if (i == s.size()) break;
    const char c = s[i];
    if (c == '"' || c == '\\') {
      char* p = out.Claim(2);
      p[0] = '\\';
      p[1] = c;
      out.Commit(p + 2);
    } else if (c == '\n' || c == '\t') {
      char* p = out.Claim(2);
      p[0] = '\\';
      p[1] = c == '\n' ? 'n' : 't';
      out.Commit(p + 2);
    } else {
      std::string rest;
      AppendGoQuote(s.substr(i), &rest);
      out.Str(std::string_view(rest).substr(1));  // with its closing quote
      return;
    }
    ++i;
  }
  out.Char('"');
}

}  // namespace

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

void UintTo(uint64_t v, Out& out) {
  char* p = out.Claim(20);
  out.Commit(std::to_chars(p, p + 20, v).ptr);
}

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
  AppendGoFloatF(v, &text);
  out.Str(text);
}


void DurationTo(int64_t ns, Out& out) {
  // AppendDuration() without a string: units y w d h m s ms, the exact
  // ones (y, w) only when they divide the duration.
  int64_t ms = ns / 1'000'000;
  if (ms <= 0) {
    if (ms == 0) {
      out.Str("0s");
      return;
    }
    std::string text;
    AppendDuration(ns, &text);
    out.Str(text);
    return;
  }
  struct Unit {
    char name[3];
    uint8_t len;
    bool exact;
    int64_t mult;
  };
  static constexpr Unit kUnits[] = {
      {"y", 1, true, int64_t{1000} * 60 * 60 * 24 * 365},
      {"w", 1, true, int64_t{1000} * 60 * 60 * 24 * 7},
      {"d", 1, false, int64_t{1000} * 60 * 60 * 24},
      {"h", 1, false, int64_t{1000} * 60 * 60},
      {"m", 1, false, int64_t{1000} * 60},
      {"s", 1, false, 1000},
      {"ms", 2, false, 1},
  };
  for (const Unit& u : kUnits) {
    if (ms < u.mult || (u.exact && ms % u.mult != 0)) continue;
    const int64_t v = ms / u.mult;
    UintTo(static_cast<uint64_t>(v), out);
    out.Str(std::string_view(u.name, u.len));
    ms -= v * u.mult;
    if (ms == 0) return;
  }
}

void GoDurationTo(int64_t ns, Out& out) {
  std::string text;  // "1h0m0s": within a short string's inline buffer
  AppendGoDuration(ns, &text);
  out.Str(text);
}

}  // namespace obsv::internal
