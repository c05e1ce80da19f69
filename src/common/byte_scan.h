// SIMD byte scanning shared by the parsers and writers.
#ifndef OBSV_SRC_COMMON_BYTE_SCAN_H_
#define OBSV_SRC_COMMON_BYTE_SCAN_H_

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace obsv::internal {

// Returns the first byte of [p, end) equal to a, b or c, or end, 16 bytes at
// a time where SSE2 exists. Sets *non_ascii if a byte >= 0x80 precedes it
// (leaves it alone otherwise), so that callers validate UTF-8 only when
// needed.
inline const char* FindAnyOf3(const char* p, const char* end, char a, char b, char c, bool* non_ascii) {
  unsigned high = 0;
#if defined(__SSE2__)
  const __m128i va = _mm_set1_epi8(a);
  const __m128i vb = _mm_set1_epi8(b);
  const __m128i vc = _mm_set1_epi8(c);
  while (end - p >= 16) {
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
  }
#endif
  // The tail (and short strings, the common case for label values) eight
  // bytes at a time: a byte of x is zero iff the lowest set bit of
  // (x - 0x01..) & ~x & 0x80.. says so; bits above the first hit may be
  // false, so only the lowest is used.
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  while (end - p >= 8) {
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
  }
  while (p < end && *p != a && *p != b && *p != c) {
    high |= static_cast<unsigned char>(*p) & 0x80;
    ++p;
  }
  if (high != 0) *non_ascii = true;
  return p;
}

}  // namespace obsv::internal

#endif  // OBSV_SRC_COMMON_BYTE_SCAN_H_
