// SIMD byte scanning shared by the parsers and writers.
#ifndef OBSV_SRC_COMMON_BYTE_SCAN_H_
#define OBSV_SRC_COMMON_BYTE_SCAN_H_

#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace obsv::internal {

// Returns the first byte of [p, end) equal to a, b or c, or end, 16 bytes at
// a time where SSE2 exists. Sets *non_ascii if a byte >= 0x80 precedes it
// (leaves it alone otherwise), so that callers validate UTF-8 only when
// needed. `begin`, when given, is the start of the buffer p is in: a span
// shorter than 16 bytes is then read as the 16 bytes ending at `end` when
// they lie within it.
inline const char* FindAnyOf3(const char* p, const char* end, char a, char b, char c, bool* non_ascii,
                              const char* begin = nullptr) {
  unsigned high = 0;
#if defined(__SSE2__)
  if (end - p < 16 && p < end && begin != nullptr && end - begin >= 16) {
    const char* q = end - 16;
    unsigned keep = 0xFFFFu << (p - q);  // the bytes from p on
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
    unsigned m = keep & static_cast<unsigned>(_mm_movemask_epi8(
                            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(a)),
                                                      _mm_cmpeq_epi8(v, _mm_set1_epi8(b))),
                                         _mm_cmpeq_epi8(v, _mm_set1_epi8(c)))));
    unsigned h = keep & static_cast<unsigned>(_mm_movemask_epi8(v));
    if (m != 0) {
      unsigned k = static_cast<unsigned>(__builtin_ctz(m));
      if ((h & ((1u << k) - 1)) != 0) *non_ascii = true;
      return q + k;
    }
    if (h != 0) *non_ascii = true;
    return end;
  }
  if (end - p >= 16) {
    const __m128i va = _mm_set1_epi8(a);
    const __m128i vb = _mm_set1_epi8(b);
    const __m128i vc = _mm_set1_epi8(c);
    while (true) {
      __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
      unsigned m = static_cast<unsigned>(_mm_movemask_epi8(
          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, va), _mm_cmpeq_epi8(v, vb)), _mm_cmpeq_epi8(v, vc))));
      unsigned h = static_cast<unsigned>(_mm_movemask_epi8(v));
      if (m != 0) {
        unsigned k = static_cast<unsigned>(__builtin_ctz(m));
        high |= h & ((1u << k) - 1);
        if (high != 0) *non_ascii = true;
        return p + k;
      }
      high |= h;
      p += 16;
      if (p == end) break;
      // The tail as one last block ending at `end`: the bytes it shares
      // with the previous block hold no match and are counted already.
      if (end - p < 16) p = end - 16;
    }
    if (high != 0) *non_ascii = true;
    return end;
  }
#endif
  // Short strings (the common case for label values) eight bytes at a
  // time: a byte of x is zero iff the lowest set bit of (x - 0x01..) & ~x &
  // 0x80.. says so; bits above the first hit may be false, so only the
  // lowest is used. The last word overlaps the one before it.
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  if (end - p >= 8) {
    while (true) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      uint64_t xa = w ^ (kOnes * static_cast<unsigned char>(a));
      uint64_t xb = w ^ (kOnes * static_cast<unsigned char>(b));
      uint64_t xc = w ^ (kOnes * static_cast<unsigned char>(c));
      uint64_t hit = ((xa - kOnes) & ~xa) | ((xb - kOnes) & ~xb) | ((xc - kOnes) & ~xc);
      hit &= kHighs;
      if (hit != 0) {
        unsigned k = static_cast<unsigned>(__builtin_ctzll(hit)) / 8;
        uint64_t before = k == 0 ? 0 : (~uint64_t{0} >> (64 - 8 * k));
        if ((w & before & kHighs) != 0 || high != 0) *non_ascii = true;
        return p + k;
      }
      high |= static_cast<unsigned>((w & kHighs) != 0);
      p += 8;
      if (p == end) break;
      if (end - p < 8) p = end - 8;
    }
    if (high != 0) *non_ascii = true;
    return end;
  }
  while (p < end && *p != a && *p != b && *p != c) {
    high |= static_cast<unsigned char>(*p) & 0x80;
    ++p;
  }
  if (high != 0) *non_ascii = true;
  return p;
}

// Whether [a, a+n) and [b, b+n) hold the same bytes. Inline for the short
// names the writers compare per sample, where a call to memcmp costs more
// than the comparison.
inline bool EqualBytes(const char* a, const char* b, size_t n) {
  if (n >= 8) {
#if defined(__SSE2__)
    if (n >= 16) {
      if (n > 64) return std::memcmp(a, b, n) == 0;
      // 16 bytes at a time, the last block overlapping.
      unsigned eq = 0xFFFF;
      for (size_t i = 0; i + 16 < n; i += 16) {
        eq &= static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + i)),
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + i)))));
      }
      eq &= static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(a + n - 16)),
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + n - 16)))));
      return eq == 0xFFFF;
    }
#endif
    if (n > 32) return std::memcmp(a, b, n) == 0;
    uint64_t diff = 0;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
      uint64_t x, y;
      std::memcpy(&x, a + i, 8);
      std::memcpy(&y, b + i, 8);
      diff |= x ^ y;
    }
    uint64_t x, y;  // the last eight bytes, overlapping
    std::memcpy(&x, a + n - 8, 8);
    std::memcpy(&y, b + n - 8, 8);
    return (diff | (x ^ y)) == 0;
  }
  if (n >= 4) {
    uint32_t x0, y0, x1, y1;
    std::memcpy(&x0, a, 4);
    std::memcpy(&y0, b, 4);
    std::memcpy(&x1, a + n - 4, 4);
    std::memcpy(&y1, b + n - 4, 4);
    return ((x0 ^ y0) | (x1 ^ y1)) == 0;
  }
  for (size_t i = 0; i < n; ++i) {
    if (a[i] != b[i]) return false;
  }
  return true;
}

// Copies n bytes from s to d (not overlapping). Inline for the short names
// the parsers copy per family and the printers write, where a call to
// memcpy costs more than the copy: words, the last one overlapping.
inline void CopyBytes(char* d, const char* s, size_t n) {
  if (n >= 8) {
    if (n > 48) {
      std::memcpy(d, s, n);
      return;
    }
    uint64_t w;
    for (size_t i = 0; i + 8 < n; i += 8) {
      std::memcpy(&w, s + i, 8);
      std::memcpy(d + i, &w, 8);
    }
    std::memcpy(&w, s + n - 8, 8);
    std::memcpy(d + n - 8, &w, 8);
    return;
  }
  if (n >= 4) {
    uint32_t x, y;
    std::memcpy(&x, s, 4);
    std::memcpy(&y, s + n - 4, 4);
    std::memcpy(d, &x, 4);
    std::memcpy(d + n - 4, &y, 4);
    return;
  }
  for (size_t i = 0; i < n; ++i) d[i] = s[i];
}

// Whether any byte of the words w0, w1 is '"', '\\', '\n' or >= 0x80 (the
// bytes a quoted value may not copy as they are). Callers load a short
// string as two overlapping words; checking the registers rather than
// memory just stored avoids a store-forwarding stall.
inline bool WordsMayNeedEscape(uint64_t w0, uint64_t w1) {
#if defined(__SSE2__)
  __m128i x = _mm_unpacklo_epi64(_mm_cvtsi64_si128(static_cast<long long>(w0)),
                                 _mm_cvtsi64_si128(static_cast<long long>(w1)));
  __m128i special =
      _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))),
                   _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\n')), x));  // x: the top bit of bytes >= 0x80
  return _mm_movemask_epi8(special) != 0;
#else
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  auto hit = [](uint64_t w) {
    uint64_t xq = w ^ (kOnes * '"');
    uint64_t xb = w ^ (kOnes * '\\');
    uint64_t xn = w ^ (kOnes * '\n');
    return (((xq - kOnes) & ~xq) | ((xb - kOnes) & ~xb) | ((xn - kOnes) & ~xn) | w) & kHighs;
  };
  return (hit(w0) | hit(w1)) != 0;
#endif
}

// Copies 1..16 bytes from s to p as (overlapping) words, and returns in
// *w0, *w1 words that hold every copied byte (padded with 'a', plain in
// every format), for a caller to check in registers rather than in memory
// just stored (which would stall on store forwarding).
inline void CopyShortWords(char* p, const char* s, size_t n, uint64_t* w0_out, uint64_t* w1_out) {
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
    // Bytes 0, n/2 and n-1 cover all of 1..3.
    p[0] = s[0];
    p[n / 2] = s[n / 2];
    p[n - 1] = s[n - 1];
    w0 = 0x6161616161000000ULL | static_cast<unsigned char>(s[0]) |
         uint64_t{static_cast<unsigned char>(s[n / 2])} << 8 | uint64_t{static_cast<unsigned char>(s[n - 1])} << 16;
    w1 = w0;
  }
  *w0_out = w0;
  *w1_out = w1;
}

// Copies 1..16 bytes from s to p, and returns whether one of them may need
// escaping (see WordsMayNeedEscape).
inline bool CopyShortMayNeedEscape(char* p, const char* s, size_t n) {
  uint64_t w0, w1;
  CopyShortWords(p, s, n, &w0, &w1);
  return WordsMayNeedEscape(w0, w1);
}

#if defined(__SSE2__)
// The SSE2 test of 16 bytes for name characters: [a-zA-Z0-9_], plus ':'
// when `metric` (the characters of Prometheus's legacy metric and label
// names). Made once before a scanning loop, so that its constants stay in
// registers.
class NameBlock {
 public:
  explicit NameBlock(bool metric)
      // Digits, and for metric names ':' (0x3A, right after '9'): one range.
      : digit_limit_(_mm_set1_epi8(static_cast<char>(-128 + (metric ? 11 : 10)))) {}

  // Bit i set when byte i of v is a name character.
  uint32_t NameBits(__m128i v) const {
    __m128i letters = _mm_cmplt_epi8(_mm_add_epi8(_mm_or_si128(v, to_lower_), letter_bias_), letter_limit_);
    __m128i digits = _mm_cmplt_epi8(_mm_add_epi8(v, digit_bias_), digit_limit_);
    return static_cast<uint32_t>(
        _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(letters, digits), _mm_cmpeq_epi8(v, underscore_))));
  }
  uint32_t NameBitsAt(const char* p) const {
    return NameBits(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  }

 private:
  const __m128i to_lower_ = _mm_set1_epi8(0x20);
  const __m128i letter_bias_ = _mm_set1_epi8(static_cast<char>(0x80 - 'a'));
  const __m128i letter_limit_ = _mm_set1_epi8(static_cast<char>(-128 + 26));
  const __m128i digit_bias_ = _mm_set1_epi8(static_cast<char>(0x80 - '0'));
  const __m128i digit_limit_;
  const __m128i underscore_ = _mm_set1_epi8('_');
};
#endif

// Returns the end of the run of name characters starting at p, 16 bytes at
// a time where SSE2 exists: [a-zA-Z0-9_], plus ':' when `metric` (the
// characters of Prometheus's legacy metric and label names). `begin`, when
// given, is the start of the buffer p is in: the last bytes are then read
// as the 16 bytes ending at `end` when they lie within it.
inline const char* ScanNameChars(const char* p, const char* end, bool metric, const char* begin = nullptr) {
#if defined(__SSE2__)
  const NameBlock names(metric);
  auto not_name = [&](const char* at) { return ~names.NameBitsAt(at) & 0xFFFFu; };
  while (end - p >= 16) {
    unsigned bad = not_name(p);
    if (bad != 0) return p + __builtin_ctz(bad);
    p += 16;
  }
  if (p < end && begin != nullptr && end - begin >= 16) {
    const char* q = end - 16;
    unsigned bad = not_name(q) & (0xFFFFu << (p - q));  // the bytes from p on
    return bad != 0 ? q + __builtin_ctz(bad) : end;
  }
#endif
  auto name_char = [metric](char c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (metric && c == ':');
  };
  while (p < end && name_char(*p)) ++p;
  return p;
}

}  // namespace obsv::internal

#endif  // OBSV_SRC_COMMON_BYTE_SCAN_H_
