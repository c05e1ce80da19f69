#include "common/go_float.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace obsv::internal {
namespace {

// Shortest round-trip digits of a finite, non-zero |v|, and the decimal
// exponent of the first digit (v = 0.d1d2d3... * 10^(exp10 + 1)).
struct Digits {
  char d[24];
  int nd = 0;
  int exp10 = 0;
};

Digits ShortestDigits(double v) {
  char tmp[40];
  auto r = std::to_chars(tmp, tmp + sizeof(tmp), v, std::chars_format::scientific);
  Digits out;
  const char* p = tmp;
  if (*p == '-') ++p;
  for (; p < r.ptr && *p != 'e'; ++p) {
    if (*p != '.') out.d[out.nd++] = *p;
  }
  // p at 'e'
  ++p;
  bool neg = *p == '-';
  ++p;
  int e = 0;
  for (; p < r.ptr; ++p) e = e * 10 + (*p - '0');
  out.exp10 = neg ? -e : e;
  return out;
}

// "00" .. "99".
constexpr char kDigitPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

// Writes the decimal digits of u (< 10^16) ending just before `end`, two at a
// time; returns where they start.
inline char* DigitsBackward(uint64_t u, char* end) {
  char* p = end;
  // Eight digits by 64-bit division, the rest in 32-bit arithmetic.
  uint32_t w;
  if (u >= 100000000) {
    uint32_t low = static_cast<uint32_t>(u % 100000000);
    u /= 100000000;
    for (int i = 0; i < 4; ++i) {
      p -= 2;
      std::memcpy(p, kDigitPairs + 2 * (low % 100), 2);
      low /= 100;
    }
  }
  w = static_cast<uint32_t>(u);
  while (w >= 100) {
    p -= 2;
    std::memcpy(p, kDigitPairs + 2 * (w % 100), 2);
    w /= 100;
  }
  if (w >= 10) {
    p -= 2;
    std::memcpy(p, kDigitPairs + 2 * w, 2);
  } else {
    *--p = static_cast<char>('0' + w);
  }
  return p;
}

}  // namespace

size_t FormatGoFloat(double v, char* buf) {
  if (std::isnan(v)) {
    std::memcpy(buf, "NaN", 3);
    return 3;
  }
  if (std::isinf(v)) {
    std::memcpy(buf, v > 0 ? "+Inf" : "-Inf", 4);
    return 4;
  }
  char* out = buf;
  if (std::signbit(v)) *out++ = '-';
  if (v == 0) {
    *out++ = '0';
    return static_cast<size_t>(out - buf);
  }
  // Integers are by far the most common values (counts): skip the digit
  // search. Below 10^6 Go prints them as they are; up to 2^53 their digits
  // without trailing zeros are the shortest form, printed as %e.
  double av = std::fabs(v);
  // (A conversion instead of std::floor, a libm call without SSE4.1.)
  if (av < 9007199254740992.0 && static_cast<double>(static_cast<int64_t>(av)) == av) {
    uint64_t u = static_cast<uint64_t>(av);
    char tmp[40];
    char* end = tmp + 24;  // 16 bytes of slack after the digits
    char* first = DigitsBackward(u, end);
    size_t n = static_cast<size_t>(end - first);
    if (u < 1000000) {
      std::memcpy(out, first, 8);  // n <= 6; buf has the room
      return static_cast<size_t>(out - buf) + n;
    }
    // %e: d.ddde+XX, the exponent n - 1 being 6..15.
    size_t nd = n;
    while (first[nd - 1] == '0') --nd;
    *out++ = first[0];
    if (nd > 1) {
      *out++ = '.';
      std::memcpy(out, first + 1, 16);  // nd - 1 <= 15 bytes; tmp and buf have the room
      out += nd - 1;
    }
    *out++ = 'e';
    *out++ = '+';
    std::memcpy(out, kDigitPairs + 2 * (n - 1), 2);
    out += 2;
    return static_cast<size_t>(out - buf);
  }
  Digits dg = ShortestDigits(av);
  int exp = dg.exp10;
  // Go: %e when the exponent is < -4 or >= the precision, which is 6 for the
  // shortest representation (so 1234567 prints as 1.234567e+06).
  bool use_e = exp < -4 || exp >= 6;
  if (use_e) {
    *out++ = dg.d[0];
    if (dg.nd > 1) {
      *out++ = '.';
      std::memcpy(out, dg.d + 1, dg.nd - 1);
      out += dg.nd - 1;
    }
    *out++ = 'e';
    int e = exp;
    if (e < 0) {
      *out++ = '-';
      e = -e;
    } else {
      *out++ = '+';
    }
    if (e < 10) {
      *out++ = '0';
      *out++ = static_cast<char>('0' + e);
    } else if (e < 100) {
      *out++ = static_cast<char>('0' + e / 10);
      *out++ = static_cast<char>('0' + e % 10);
    } else {
      *out++ = static_cast<char>('0' + e / 100);
      *out++ = static_cast<char>('0' + (e / 10) % 10);
      *out++ = static_cast<char>('0' + e % 10);
    }
    return static_cast<size_t>(out - buf);
  }
  // %f with as many fraction digits as the shortest form needs.
  int dp = exp + 1;  // digits before the decimal point
  if (dp <= 0) {
    *out++ = '0';
    *out++ = '.';
    for (int i = 0; i < -dp; ++i) *out++ = '0';
    std::memcpy(out, dg.d, dg.nd);
    out += dg.nd;
  } else if (dp >= dg.nd) {
    std::memcpy(out, dg.d, dg.nd);
    out += dg.nd;
    for (int i = dg.nd; i < dp; ++i) *out++ = '0';
  } else {
    std::memcpy(out, dg.d, dp);
    out += dp;
    *out++ = '.';
    std::memcpy(out, dg.d + dp, dg.nd - dp);
    out += dg.nd - dp;
  }
  return static_cast<size_t>(out - buf);
}

size_t FormatOpenMetricsFloat(double v, char* buf) {
  size_t n = FormatGoFloat(v, buf);
  if (std::isnan(v) || std::isinf(v)) return n;
  for (size_t i = 0; i < n; ++i) {
    if (buf[i] == '.' || buf[i] == 'e') return n;
  }
  buf[n++] = '.';
  buf[n++] = '0';
  return n;
}

}  // namespace obsv::internal
