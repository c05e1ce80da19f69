// Go's strconv and time formatting and parsing, shared by the PromQL and
// LogQL modules (both reference implementations are Go).
#include <cstring>
#include "common/go_strconv.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <string>

#include "common/str_cat.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace obsv::internal {

int DecodeRune(std::string_view s, size_t i, uint32_t* rune) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) {
    *rune = c;
    return 1;
  }
  int n;
  uint32_t r, min;
  if ((c & 0xE0) == 0xC0) { n = 2; r = c & 0x1F; min = 0x80; }
  else if ((c & 0xF0) == 0xE0) { n = 3; r = c & 0x0F; min = 0x800; }
  else if ((c & 0xF8) == 0xF0) { n = 4; r = c & 0x07; min = 0x10000; }
  else return 0;
  if (i + n > s.size()) return 0;
  for (int k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    r = (r << 6) | (b(i + k) & 0x3F);
  }
  if (r < min || r > 0x10FFFF || (r >= 0xD800 && r < 0xE000)) return 0;
  *rune = r;
  return n;
}

void AppendUtf8(uint32_t r, std::string* out) {
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
}



namespace {

// unicode.IsPrint, approximated: controls, surrogates, non-characters and
// the separators Go treats as non-printable are escaped.
bool IsPrintRune(uint32_t r) {
  if (r < 0x20 || r == 0x7F) return false;
  if (r >= 0x80 && r < 0xA0) return false;
  if (r == 0xAD) return false;                      // soft hyphen (Cf)
  // Space separators (Zs) other than ' ' are not graphic in Go.
  if (r == 0xA0 || r == 0x1680 || (r >= 0x2000 && r <= 0x200A) || r == 0x202F || r == 0x205F ||
      r == 0x3000) {
    return false;
  }
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

// Bytes a Go string literal holds as they are: printable ASCII but `"` and
// `\` (quoting), and ASCII but `\`, newline and carriage return (scanning).
struct PlainBytes {
  bool quote[256] = {};
  bool scan[256] = {};
  constexpr PlainBytes() {
    for (int c = ' '; c <= '~'; ++c) quote[c] = c != '"' && c != '\\';
    for (int c = 0; c < 0x80; ++c) scan[c] = c != '\\' && c != '\n' && c != '\r';
  }
};
constexpr PlainBytes kPlainBytes;

}  // namespace

void AppendGoQuote(std::string_view s, std::string* out) {
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    // Runs of printable ASCII other than `"` and `\` (nearly every label
    // value) are copied as they are, in one append.
    size_t j = i;
    while (j < s.size() && kPlainBytes.quote[static_cast<unsigned char>(s[j])]) ++j;
    if (j > i) {
      out->append(s.data() + i, j - i);
      i = j;
      continue;
    }
    uint32_t r;
    int n = DecodeRune(s, i, &r);
    if (n == 0) {
      char buf[8];
      snprintf(buf, sizeof(buf), "\\x%02x", static_cast<unsigned char>(s[i]));
      out->append(buf);
      ++i;
      continue;
    }
    AppendEscapedRune(r, '"', out);
    i += n;
  }
  out->push_back('"');
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

// model.Duration's units, biggest first (the order ParseDuration demands),
// in milliseconds. String() writes y and w only when they divide the whole.
struct PromUnit {
  std::string_view name;
  int64_t mult;
  bool exact;
};
constexpr PromUnit kPromUnits[] = {
    {"y", int64_t{1000} * 60 * 60 * 24 * 365, true},
    {"w", int64_t{1000} * 60 * 60 * 24 * 7, true},
    {"d", int64_t{1000} * 60 * 60 * 24, false},
    {"h", int64_t{1000} * 60 * 60, false},
    {"m", int64_t{1000} * 60, false},
    {"s", 1000, false},
    {"ms", 1, false},
};

}  // namespace

void AppendDuration(int64_t ns, std::string* out) {
  int64_t ms = ns / 1'000'000;
  if (ms == 0) {
    out->append("0s");
    return;
  }
  for (const PromUnit& u : kPromUnits) {
    if (u.exact && ms % u.mult != 0) continue;
    int64_t v = ms / u.mult;
    if (v > 0) {
      StrAppend(out, v, u.name);
      ms -= v * u.mult;
    }
  }
}

// model.ParseDuration: units y w d h m s ms, each at most once, in order.
bool ParsePromDuration(std::string_view s, int64_t* ms_out) {
  if (s == "0") {
    *ms_out = 0;
    return true;
  }
  if (s.empty()) return false;
  // One number and one unit (`5m`, `30s`, `1h`), nearly every duration.
  {
    size_t d = 0;
    uint64_t v = 0;
    while (d < s.size() && d < 12 && s[d] >= '0' && s[d] <= '9') {
      v = v * 10 + static_cast<uint64_t>(s[d++] - '0');
    }
    const std::string_view unit = s.substr(d);
    if (d > 0 && d < 12 && !unit.empty() && unit.size() <= 2) {
      for (const PromUnit& u : kPromUnits) {
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
    for (; next_unit < std::size(kPromUnits); ++next_unit) {
      if (kPromUnits[next_unit].name == unit) {
        found = true;
        break;
      }
    }
    if (!found) return false;
    int64_t mult = kPromUnits[next_unit].mult;
    ++next_unit;
    if (v > static_cast<uint64_t>(kMaxMs / mult)) return false;
    int64_t add = static_cast<int64_t>(v) * mult;
    if (total > kMaxMs - add) return false;
    total += add;
  }
  *ms_out = total;
  return true;
}

std::string PromDurationError(std::string_view s) {
  if (s.empty()) return "empty duration string";
  std::string invalid = "not a valid duration string: ";
  AppendGoQuote(s, &invalid);
  constexpr uint64_t kLimit = uint64_t{1} << 63;
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  int last_rank = 0;
  uint64_t total = 0;
  size_t i = 0;
  while (i < s.size()) {
    if (!digit(s[i])) return invalid;
    size_t d0 = i;
    while (i < s.size() && digit(s[i])) ++i;
    uint64_t v = 0;
    auto r = std::from_chars(s.data() + d0, s.data() + i, v);
    if (r.ec != std::errc()) return invalid;
    size_t u0 = i;
    while (i < s.size() && !digit(s[i])) ++i;
    if (i == u0) return invalid;
    const std::string_view name = s.substr(u0, i - u0);
    // A unit's rank is its place in kPromUnits (units must come biggest
    // first); Go compares sizes in nanoseconds.
    size_t k = 0;
    while (k < std::size(kPromUnits) && kPromUnits[k].name != name) ++k;
    const int rank = static_cast<int>(k) + 1;
    if (k == std::size(kPromUnits)) {
      std::string msg = "unknown unit ";
      AppendGoQuote(name, &msg);
      msg.append(" in duration ");
      AppendGoQuote(s, &msg);
      return msg;
    }
    if (rank <= last_rank) return invalid;
    last_rank = rank;
    const uint64_t ns = static_cast<uint64_t>(kPromUnits[rank - 1].mult) * 1'000'000;
    if (v > kLimit / ns) return "duration out of range";
    total += v * ns;
    if (total > kLimit - 1) return "duration out of range";
  }
  return invalid;
}

void AppendGoFloatF(double v, std::string* out) {
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


namespace {

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return 16;
}

}  // namespace

GoStringStatus ScanGoString(std::string_view input, size_t* pos_io, char quote, std::string* out,
                            std::string* message) {
  size_t pos = *pos_io;
  auto fail = [&](GoStringStatus s, std::string m) {
    *pos_io = pos;
    *message = std::move(m);
    return s;
  };
  const bool raw = quote == '`';
  while (true) {
    // A run of bytes that stand for themselves (nearly every string is
    // one) is appended at once.
    size_t run = pos;
    while (pos < input.size()) {
      unsigned char b = static_cast<unsigned char>(input[pos]);
      if (b < 0x80) {
        if (b == static_cast<unsigned char>(quote) || !kPlainBytes.scan[b]) break;
        ++pos;
        continue;
      }
      uint32_t r;
      int n = DecodeRune(input, pos, &r);
      if (n == 0) break;
      pos += static_cast<size_t>(n);
    }
    if (pos > run) out->append(input.data() + run, pos - run);
    if (pos >= input.size()) {
      return fail(GoStringStatus::kUnterminated,
                  raw ? "unterminated raw string" : "unterminated quoted string");
    }
    char c = input[pos];
    if (c == quote) {
      *pos_io = pos + 1;
      return GoStringStatus::kOk;
    }
    uint32_t r;
    int n = DecodeRune(input, pos, &r);
    if (n == 0) return fail(GoStringStatus::kInvalidUtf8, "invalid UTF-8 rune");
    if (raw) {
      if (c != '\r') out->append(input.substr(pos, n));  // Go drops \r in raw strings
      pos += n;
      continue;
    }
    if (c == '\n') return fail(GoStringStatus::kUnterminated, "unterminated quoted string");
    if (c != '\\') {
      out->append(input.substr(pos, n));
      pos += n;
      continue;
    }
    ++pos;  // the backslash
    if (pos >= input.size()) {
      return fail(GoStringStatus::kInvalidEscape, "escape sequence not terminated");
    }
    char e = input[pos++];
    switch (e) {
      case 'a': out->push_back('\a'); continue;
      case 'b': out->push_back('\b'); continue;
      case 'f': out->push_back('\f'); continue;
      case 'n': out->push_back('\n'); continue;
      case 'r': out->push_back('\r'); continue;
      case 't': out->push_back('\t'); continue;
      case 'v': out->push_back('\v'); continue;
      case '\\': out->push_back('\\'); continue;
      default: break;
    }
    if (e == quote) {
      out->push_back(e);
      continue;
    }
    int digits, base;
    uint32_t max;
    if (e >= '0' && e <= '7') {
      digits = 3, base = 8, max = 255;
      --pos;
    } else if (e == 'x') {
      digits = 2, base = 16, max = 255;
    } else if (e == 'u') {
      digits = 4, base = 16, max = 0x10FFFF;
    } else if (e == 'U') {
      digits = 8, base = 16, max = 0x10FFFF;
    } else {
      uint32_t er = static_cast<unsigned char>(e);
      if (er >= 0x80 && DecodeRune(input, pos - 1, &er) == 0) er = 0xFFFD;
      char buf[16];
      snprintf(buf, sizeof(buf), "U+%04X", er);
      return fail(GoStringStatus::kInvalidEscape,
                  StrCat("unknown escape sequence ", buf, " ", GoQuoteRune(er)));
    }
    uint32_t x = 0;
    for (int i = 0; i < digits; ++i) {
      if (pos >= input.size()) {
        return fail(GoStringStatus::kInvalidEscape, "escape sequence not terminated");
      }
      int d = HexVal(input[pos]);
      if (d >= base) {
        return fail(GoStringStatus::kInvalidEscape, "illegal character in escape sequence");
      }
      x = x * base + d;
      ++pos;
    }
    if (x > max || (x >= 0xD800 && x < 0xE000 && e != 'x' && !(e >= '0' && e <= '7'))) {
      return fail(GoStringStatus::kInvalidEscape, "escape sequence is an invalid Unicode code point");
    }
    if (e == 'x' || (e >= '0' && e <= '7')) {
      out->push_back(static_cast<char>(x));  // a byte, as in Go
    } else {
      AppendUtf8(x, out);
    }
  }
}

}  // namespace obsv::internal

namespace obsv::internal {

void AppendGoDuration(int64_t d, std::string* out) {
  // time.Duration.String: [-]XhYmZ.FFFs, or ms/µs/ns below one second.
  char buf[40];
  size_t w = sizeof(buf);
  uint64_t u = d < 0 ? static_cast<uint64_t>(0) - static_cast<uint64_t>(d) : static_cast<uint64_t>(d);
  bool neg = d < 0;
  // Writes the fraction of v/10^prec with trailing zeros dropped.
  auto fmt_frac = [&](uint64_t v, int prec) {
    bool print = false;
    for (int i = 0; i < prec; ++i) {
      int digit = static_cast<int>(v % 10);
      print = print || digit != 0;
      if (print) buf[--w] = static_cast<char>('0' + digit);
      v /= 10;
    }
    if (print) buf[--w] = '.';
    return v;
  };
  auto fmt_int = [&](uint64_t v) {
    if (v == 0) {
      buf[--w] = '0';
      return;
    }
    while (v > 0) {
      buf[--w] = static_cast<char>('0' + v % 10);
      v /= 10;
    }
  };
  if (u < 1'000'000'000ULL) {
    int prec = 0;
    buf[--w] = 's';
    if (u == 0) {
      out->append("0s");
      return;
    } else if (u < 1000) {
      buf[--w] = 'n';
    } else if (u < 1'000'000) {
      prec = 3;
      // "µs": U+00B5.
      buf[--w] = static_cast<char>(0xB5);
      buf[--w] = static_cast<char>(0xC2);
    } else {
      prec = 6;
      buf[--w] = 'm';
    }
    u = fmt_frac(u, prec);
    fmt_int(u);
  } else {
    buf[--w] = 's';
    u = fmt_frac(u, 9);
    fmt_int(u % 60);
    u /= 60;
    if (u > 0) {
      buf[--w] = 'm';
      fmt_int(u % 60);
      u /= 60;
      if (u > 0) {
        buf[--w] = 'h';
        fmt_int(u);
      }
    }
  }
  if (neg) buf[--w] = '-';
  out->append(buf + w, sizeof(buf) - w);
}

bool ParseGoDuration(std::string_view s, int64_t* ns_out) {
  // time.ParseDuration: [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") {
    *ns_out = 0;
    return true;
  }
  if (s.empty()) return false;
  constexpr uint64_t kMax = uint64_t{1} << 63;
  uint64_t d = 0;
  while (!s.empty()) {
    if (!(s[0] == '.' || (s[0] >= '0' && s[0] <= '9'))) return false;
    // Integer part.
    uint64_t v = 0;
    size_t i = 0;
    bool pre = false, post = false;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      if (v > (kMax - 1) / 10) return false;
      v = v * 10 + static_cast<uint64_t>(s[i] - '0');
      if (v > kMax) return false;
      pre = true;
    }
    uint64_t f = 0;
    double scale = 1;
    if (i < s.size() && s[i] == '.') {
      ++i;
      bool overflow = false;
      for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
        post = true;
        if (overflow) continue;
        if (f > (kMax - 1) / 10) {
          overflow = true;
          continue;
        }
        f = f * 10 + static_cast<uint64_t>(s[i] - '0');
        scale *= 10;
      }
    }
    if (!pre && !post) return false;
    size_t u0 = i;
    for (; i < s.size() && s[i] != '.' && !(s[i] >= '0' && s[i] <= '9'); ++i) {
    }
    std::string_view unit = s.substr(u0, i - u0);
    if (unit.empty()) return false;
    uint64_t mult;
    if (unit == "ns") mult = 1;
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") mult = 1000;
    else if (unit == "ms") mult = 1'000'000;
    else if (unit == "s") mult = 1'000'000'000ULL;
    else if (unit == "m") mult = 60'000'000'000ULL;
    else if (unit == "h") mult = 3'600'000'000'000ULL;
    else return false;
    if (v > kMax / mult) return false;
    v *= mult;
    if (f > 0) {
      v += static_cast<uint64_t>(static_cast<double>(f) * (static_cast<double>(mult) / scale));
      if (v > kMax) return false;
    }
    d += v;
    if (d > kMax) return false;
    s.remove_prefix(i);
  }
  if (neg) {
    *ns_out = d == kMax ? INT64_MIN : -static_cast<int64_t>(d);
    return true;
  }
  if (d > kMax - 1) return false;
  *ns_out = static_cast<int64_t>(d);
  return true;
}

}  // namespace obsv::internal
