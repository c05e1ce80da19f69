#include "common/number_parse.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

namespace obsv::internal {
namespace {

bool EqualsIgnoreCase(std::string_view s, std::string_view lower) {
  if (s.size() != lower.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + ('a' - 'A'));
    if (c != lower[i]) return false;
  }
  return true;
}

inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Checks the decimal float grammar: digits, at most one '.', at least one
// digit in the mantissa, an optional exponent with at least one digit.
bool IsDecimalFloatSyntax(std::string_view s) {
  size_t i = 0, n = s.size();
  size_t mantissa_digits = 0;
  while (i < n && IsDigit(s[i])) ++i, ++mantissa_digits;
  if (i < n && s[i] == '.') {
    ++i;
    while (i < n && IsDigit(s[i])) ++i, ++mantissa_digits;
  }
  if (mantissa_digits == 0) return false;
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < n && IsDigit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == n;
}

}  // namespace

bool ParseGoFloat(std::string_view s, double* out) {
  if (s.empty()) return false;
  bool negative = false;
  std::string_view body = s;
  if (body[0] == '+' || body[0] == '-') {
    negative = body[0] == '-';
    body.remove_prefix(1);
    if (body.empty()) return false;
  }
  // Fast path (Clinger): at most 15 significant digits make an exact
  // integer mantissa, and multiplying or dividing it by an exact power of
  // ten (at most 1e22) rounds correctly. Covers "3", "0.005", "328.5",
  // "1.234567e+06", "5.5e-05".
  {
    const char* p = body.data();
    const char* e = p + body.size();
    uint64_t mantissa = 0;
    const char* d0 = p;
    while (p < e && static_cast<unsigned char>(*p - '0') < 10) {
      mantissa = mantissa * 10 + static_cast<uint64_t>(*p++ - '0');
    }
    int digits = static_cast<int>(p - d0);
    int exp10 = 0;
    if (p < e && *p == '.') {
      const char* f = ++p;
      while (p < e && static_cast<unsigned char>(*p - '0') < 10) {
        mantissa = mantissa * 10 + static_cast<uint64_t>(*p++ - '0');
      }
      digits += static_cast<int>(p - f);
      exp10 = -static_cast<int>(p - f);
    }
    bool ok = digits > 0 && digits <= 15;
    if (ok && p < e && (*p == 'e' || *p == 'E')) {
      ++p;
      bool neg_exp = false;
      if (p < e && (*p == '+' || *p == '-')) neg_exp = *p++ == '-';
      int x = 0;
      const char* x0 = p;
      while (p < e && static_cast<unsigned char>(*p - '0') < 10 && p - x0 < 4) x = x * 10 + (*p++ - '0');
      ok = p > x0;
      exp10 += neg_exp ? -x : x;
    }
    if (ok && p == e && exp10 >= -22 && exp10 <= 22) {
      static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                          1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                          1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
      double d = static_cast<double>(mantissa);
      d = exp10 >= 0 ? d * kPow10[exp10] : d / kPow10[-exp10];
      *out = negative ? -d : d;
      return true;
    }
  }
  if (!IsDigit(body[0]) && body[0] != '.') {
    if (EqualsIgnoreCase(body, "inf") || EqualsIgnoreCase(body, "infinity")) {
      *out = negative ? -std::numeric_limits<double>::infinity()
                      : std::numeric_limits<double>::infinity();
      return true;
    }
    if (EqualsIgnoreCase(body, "nan")) {
      *out = std::numeric_limits<double>::quiet_NaN();
      return true;
    }
    return false;
  }
  if (!IsDecimalFloatSyntax(body)) return false;
  double d = 0;
  auto r = std::from_chars(body.data(), body.data() + body.size(), d,
                           std::chars_format::general);
  if (r.ptr != body.data() + body.size()) return false;
  if (r.ec == std::errc::result_out_of_range) {
    // Go returns an error on overflow but rounds an underflow to zero.
    const char* e = static_cast<const char*>(std::memchr(body.data(), 'e', body.size()));
    if (e == nullptr) e = static_cast<const char*>(std::memchr(body.data(), 'E', body.size()));
    if (e != nullptr && e + 1 < body.data() + body.size() && e[1] == '-') {
      d = 0;
    } else {
      return false;
    }
  } else if (r.ec != std::errc()) {
    return false;
  }
  *out = negative ? -d : d;
  return true;
}

bool IsInexactInteger(std::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  if (s.size() < 16) return false;
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  while (s.size() > 1 && s[0] == '0') s.remove_prefix(1);
  if (s.size() < 16) return false;
  if (s.size() > 16) return true;
  return s > "9007199254740992";
}

bool ParseInt64(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  bool negative = false;
  size_t i = 0;
  if (s[0] == '+' || s[0] == '-') {
    negative = s[0] == '-';
    i = 1;
    if (s.size() == 1) return false;
  }
  size_t digits = s.size() - i;
  if (digits > 19) return false;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    if (!IsDigit(s[i])) return false;
    v = v * 10 + static_cast<uint64_t>(s[i] - '0');  // 19 digits cannot wrap
  }
  uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
  if (v > limit) return false;
  *out = negative ? static_cast<int64_t>(0 - v) : static_cast<int64_t>(v);
  return true;
}

bool ParseDecimalSeconds(std::string_view s, Timestamp* out) {
  if (s.empty()) return false;
  std::string_view body = s;
  bool negative = false;
  if (body[0] == '+' || body[0] == '-') {
    negative = body[0] == '-';
    body.remove_prefix(1);
  }
  bool has_exponent = body.find_first_of("eE") != std::string_view::npos;
  if (has_exponent || body.empty() || !(IsDigit(body[0]) || body[0] == '.')) {
    double d;
    if (!ParseGoFloat(s, &d) || !std::isfinite(d)) return false;
    double ms = std::floor(d * 1000.0);
    if (!(ms > -9.2e18 && ms < 9.2e18)) return false;
    double nanos = std::round((d * 1000.0 - ms) * 1e6);
    out->milliseconds = static_cast<int64_t>(ms);
    out->nanos = static_cast<int32_t>(nanos >= 1e6 ? 999999 : nanos);
    return true;
  }
  if (!IsDecimalFloatSyntax(body)) return false;
  // Exact: seconds and up to 12 fraction digits (ms + ns), the 13th rounds.
  size_t dot = body.find('.');
  std::string_view int_part = body.substr(0, dot);
  std::string_view frac = dot == std::string_view::npos ? std::string_view()
                                                         : body.substr(dot + 1);
  uint64_t seconds = 0;
  for (char c : int_part) {
    if (seconds > (uint64_t{1} << 62) / 10) return false;
    seconds = seconds * 10 + static_cast<uint64_t>(c - '0');
  }
  // The fraction in picoseconds (12 digits), rounded to nanoseconds; digits
  // past the 12th cannot move the rounding by more than a tie.
  uint64_t picos = 0;
  int digits = 0;
  for (char c : frac) {
    if (digits == 12) break;
    picos = picos * 10 + static_cast<uint64_t>(c - '0');
    ++digits;
  }
  for (; digits < 12; ++digits) picos *= 10;
  uint64_t ns_in_second = (picos + 500) / 1000;
  if (ns_in_second == 1000000000) {
    ++seconds;
    ns_in_second = 0;
  }
  if (seconds > static_cast<uint64_t>(std::numeric_limits<int64_t>::max() / 1000) - 1) {
    return false;
  }
  int64_t total_ms = static_cast<int64_t>(seconds) * 1000 +
                     static_cast<int64_t>(ns_in_second / 1000000);
  int64_t nanos = static_cast<int64_t>(ns_in_second % 1000000);
  if (negative) {
    // -(ms + nanos/1e6) = (-ms - 1) + (1e6 - nanos)/1e6 when nanos > 0.
    if (nanos > 0) {
      total_ms = -total_ms - 1;
      nanos = 1000000 - nanos;
    } else {
      total_ms = -total_ms;
    }
  }
  out->milliseconds = total_ms;
  out->nanos = static_cast<int32_t>(nanos);
  return true;
}

}  // namespace obsv::internal
