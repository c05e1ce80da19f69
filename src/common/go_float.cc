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
  // Small integers are by far the most common value: skip the digit search.
  double av = std::fabs(v);
  if (av < 1e6 && av == std::floor(av)) {
    auto r = std::to_chars(out, out + 24, static_cast<long long>(av));
    return static_cast<size_t>(r.ptr - buf);
  }
  Digits dg;
  if (av < 9007199254740992.0 && av == std::floor(av)) {
    // An integer: its digits, without trailing zeros, are the shortest form.
    char tmp[24];
    auto r = std::to_chars(tmp, tmp + sizeof(tmp), static_cast<uint64_t>(av));
    int n = static_cast<int>(r.ptr - tmp);
    dg.exp10 = n - 1;
    while (n > 1 && tmp[n - 1] == '0') --n;
    std::memcpy(dg.d, tmp, static_cast<size_t>(n));
    dg.nd = n;
  } else {
    dg = ShortestDigits(av);
  }
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
