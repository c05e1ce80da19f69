#include "exposition/line_parser.h"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/str_cat.h"
#include "common/byte_scan.h"
#include "common/number_parse.h"
#include "common/utf8.h"

namespace obsv::internal {
namespace {

enum : uint8_t {
  kMetricStart = 1,  // [a-zA-Z_:]
  kMetricChar = 2,   // [a-zA-Z0-9_:]
  kLabelStart = 4,   // [a-zA-Z_]
  kLabelChar = 8,    // [a-zA-Z0-9_]
};

struct CharTable {
  uint8_t c[256] = {};
  constexpr CharTable() {
    for (int i = 0; i < 256; ++i) {
      bool alpha = (i >= 'a' && i <= 'z') || (i >= 'A' && i <= 'Z') || i == '_';
      bool digit = i >= '0' && i <= '9';
      uint8_t v = 0;
      if (alpha || i == ':') v |= kMetricStart | kMetricChar;
      if (digit) v |= kMetricChar;
      if (alpha) v |= kLabelStart | kLabelChar;
      if (digit) v |= kLabelChar;
      c[i] = v;
    }
  }
};
constexpr CharTable kChars;

inline bool Is(char ch, uint8_t cls) {
  return (kChars.c[static_cast<unsigned char>(ch)] & cls) != 0;
}

// SWAR: does any byte of w equal b?
inline uint64_t HasByte(uint64_t w, uint8_t b) {
  uint64_t x = w ^ (0x0101010101010101ULL * b);
  return (x - 0x0101010101010101ULL) & ~x & 0x8080808080808080ULL;
}

// The first '"', '\\' or NUL of a quoted string; notes non-ASCII bytes.
inline const char* FindQuoteEnd(const char* p, const char* end, bool* non_ascii, const char* begin) {
  *non_ascii = false;
  return FindAnyOf3(p, end, '"', '\\', '\0', non_ascii, begin);
}

// Returns the first ' ' (or, unless `space_only`, '\t' or '{') in [p, end),
// or end: the end of a value or timestamp token.
inline const char* FindTokenEnd(const char* p, const char* end, bool space_only, const char* begin) {
  bool non_ascii = false;  // not needed: the token is parsed as a number
  return space_only ? FindAnyOf3(p, end, ' ', ' ', ' ', &non_ascii, begin)
                    : FindAnyOf3(p, end, ' ', '\t', '{', &non_ascii, begin);
}

// Returns the end of the run of name characters starting at p:
// [a-zA-Z0-9_], plus ':' for metric names.
inline const char* ScanName(const char* p, const char* end, bool metric, const char* begin) {
  return ScanNameChars(p, end, metric, begin);
}

// The bytes of a four- or eight-letter word as a little-endian word.
constexpr uint32_t Word4(const char (&s)[5]) {
  return static_cast<uint32_t>(static_cast<unsigned char>(s[0])) |
         static_cast<uint32_t>(static_cast<unsigned char>(s[1])) << 8 |
         static_cast<uint32_t>(static_cast<unsigned char>(s[2])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(s[3])) << 24;
}
constexpr uint64_t Word8(const char (&s)[9]) {
  uint64_t w = 0;
  for (int i = 7; i >= 0; --i) w = w << 8 | static_cast<unsigned char>(s[i]);
  return w;
}

// ScanName() where the buffer is readable up to `limit` (>= end): whole
// SIMD blocks, no tail handling; the result is at most `end`.
inline const char* ScanNameTo(const char* p, const char* end, const char* limit, bool metric, const char* begin) {
#if defined(__SSE2__)
  if (limit - p >= 16) {
    const NameBlock names(metric);
    // Blocks may start up to `last`; past the line's end only when the
    // buffer holds 16 more bytes (then one test per block).
    const char* last = limit - 16;
    while (true) {
      uint32_t ok = names.NameBitsAt(p);
      if (ok != 0xFFFF) {
        const char* q = p + __builtin_ctz(~ok);
        return q < end ? q : end;
      }
      p += 16;
      if (p >= end) return end;
      if (p > last) break;
    }
  }
#endif
  return ScanName(p, end, metric, begin);
}

// The metric type a TYPE line names, as exactly [p, p+n), in the format's
// vocabulary; false for anything else (the general path then reports it).
inline bool MatchTypeWord(const char* p, size_t n, bool om, MetricType* type) {
  // Seven-letter words as two overlapping four-byte loads, compared inline.
  auto word7 = [p](const char (&w)[8]) {
    uint32_t x0, x1, y0, y1;
    std::memcpy(&x0, p, 4);
    std::memcpy(&x1, p + 3, 4);
    std::memcpy(&y0, w, 4);
    std::memcpy(&y1, w + 3, 4);
    return ((x0 ^ y0) | (x1 ^ y1)) == 0;
  };
  switch (n) {
    case 5: {
      uint32_t x0, x1;  // "gaug" and "auge"
      std::memcpy(&x0, p, 4);
      std::memcpy(&x1, p + 1, 4);
      if (x0 == Word4("gaug") && x1 == Word4("auge")) return *type = MetricType::kGauge, true;
      return false;
    }
    case 7:
      if (word7("counter")) return *type = MetricType::kCounter, true;
      if (word7("summary")) return *type = MetricType::kSummary, true;
      if (!om && word7("untyped")) return *type = MetricType::kUnknown, true;
      if (om && word7("unknown")) return *type = MetricType::kUnknown, true;
      return false;
    case 9: {
      uint64_t x0, x1;  // "histogra" and "istogram"
      std::memcpy(&x0, p, 8);
      std::memcpy(&x1, p + 1, 8);
      if (x0 == Word8("histogra") && x1 == Word8("istogram")) return *type = MetricType::kHistogram, true;
      return false;
    }
    default:
      return false;
  }
}

// One bit of a 64-bit signature per label name: two names with different
// bits differ, so only lines with a collision need the full duplicate check.
inline uint64_t NameBit(std::string_view n) {
  if (n.empty()) return 1;
  // The length and the first byte: cheap, and the usual label names of a
  // line differ in one of them (a collision costs a pairwise comparison).
  return uint64_t{1} << ((n.size() * 8 + static_cast<unsigned char>(n[0])) & 63);
}

// The first seven bytes of s as a little-endian word, the eighth zero.
constexpr uint64_t Word7(const char (&s)[8]) {
  uint64_t w = 0;
  for (int i = 6; i >= 0; --i) w = w << 8 | static_cast<unsigned char>(s[i]);
  return w;
}

// Whether the eight bytes of w are all ASCII digits.
inline bool AllDigits(uint64_t w) {
  // Every byte 0x30..0x39: its high nibble is 3, and adding 6 keeps it so
  // (both must hold: '-' is 0x2D, and 0x2D + 6 is 0x33).
  return (w & 0xF0F0F0F0F0F0F0F0ULL) == 0x3030303030303030ULL &&
         ((w + 0x0606060606060606ULL) & 0xF0F0F0F0F0F0F0F0ULL) == 0x3030303030303030ULL;
}

// The value of eight ASCII digits, the first in the lowest byte.
inline uint64_t EightDigits(uint64_t w) {
  w -= 0x3030303030303030ULL;
  w = (w * 10 + (w >> 8)) & 0x00FF00FF00FF00FFULL;
  w = (w * 100 + (w >> 16)) & 0x0000FFFF0000FFFFULL;
  return (w * 10000 + (w >> 32)) & 0xFFFFFFFFULL;
}

// Parses the common shapes of a sample value at p: digits, an optional
// fraction and an optional exponent, at most 15 significant digits and a
// power of ten within 1e±22, which a double represents exactly (Clinger's
// fast path). Returns the end of the number, or nullptr for anything else
// (a sign, Inf, NaN, more digits), which ParseGoFloat() handles. The result
// is ParseGoFloat()'s: the same arithmetic on the same shapes.
inline const char* ParseSimpleValue(const char* p, const char* end, double* out) {
  const char* d0 = p;
  uint64_t mantissa = 0;
  while (p < end && static_cast<unsigned char>(*p - '0') < 10) {
    mantissa = mantissa * 10 + static_cast<uint64_t>(*p++ - '0');
  }
  int digits = static_cast<int>(p - d0);
  int exp10 = 0;
  if (p < end && *p == '.') {
    const char* f = ++p;
    while (p < end && static_cast<unsigned char>(*p - '0') < 10) {
      mantissa = mantissa * 10 + static_cast<uint64_t>(*p++ - '0');
    }
    digits += static_cast<int>(p - f);
    exp10 = -static_cast<int>(p - f);
  }
  if (digits == 0 || digits > 15) return nullptr;
  if (p < end && (*p == 'e' || *p == 'E')) {
    ++p;
    bool neg_exp = false;
    if (p < end && (*p == '+' || *p == '-')) neg_exp = *p++ == '-';
    int x = 0;
    const char* x0 = p;
    while (p < end && static_cast<unsigned char>(*p - '0') < 10 && p - x0 < 4) x = x * 10 + (*p++ - '0');
    if (p == x0) return nullptr;
    exp10 += neg_exp ? -x : x;
  }
  if (exp10 < -22 || exp10 > 22) return nullptr;
  static constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                      1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
  double d = static_cast<double>(mantissa);
  *out = exp10 >= 0 ? d * kPow10[exp10] : d / kPow10[-exp10];
  return p;
}

std::string Describe(const char* p, const char* end) {
  if (p >= end) return "end of line";
  unsigned char ch = static_cast<unsigned char>(*p);
  if (ch == 0) return "NUL byte";
  if (ch == '\r') return "carriage return";
  if (ch == '\t') return "tab";
  if (ch < 0x20 || ch >= 0x7f) {
    static constexpr char kHex[] = "0123456789abcdef";
    return StrCat("byte 0x", kHex[ch >> 4], kHex[ch & 15]);
  }
  // Show the token that starts here, up to a few characters.
  size_t n = 1;
  while (p + n < end && n < 16 && p[n] != ' ' && p[n] != '\t' &&
         static_cast<unsigned char>(p[n]) >= 0x20 && static_cast<unsigned char>(p[n]) < 0x7f) {
    ++n;
  }
  return StrCat("\"", std::string_view(p, n), "\"");
}

}  // namespace

void LabelList::Grow(size_t n) {
  size_t capacity = capacity_ == 0 ? 16 : capacity_;
  while (capacity < n) capacity *= 2;
  std::unique_ptr<LabelView[]> data(new LabelView[capacity]);
  for (size_t i = 0; i < size_; ++i) data[i] = data_[i];
  data_ = std::move(data);
  capacity_ = static_cast<uint32_t>(capacity);
}

void LineParser::Configure(ExpositionFormat format, const ParserOptions& options) {
  format_ = format;
  options_ = options;
  om_ = format == ExpositionFormat::kOpenMetrics;
}

bool LineParser::Fail(LineError* error, ParseErrorCode code, size_t column,
                      std::string message) {
  // Whatever was expected, a NUL byte is the real problem.
  if (column < line_.size() && line_[column] == '\0' && code == ParseErrorCode::kSyntax) {
    code = ParseErrorCode::kNulByte;
  }
  error->code = code;
  error->column = static_cast<uint32_t>(column);
  if (!line_.empty() && line_.back() == '\r' && code != ParseErrorCode::kLimitExceeded) {
    StrAppend(&message, " (the line ends in a carriage return: CRLF line endings are not allowed)");
  }
  error->message = std::move(message);
  return false;
}

bool LineParser::Expected(Cursor& c, LineError* error, ParseErrorCode code,
                          std::string_view expected) {
  return Fail(error, code, c.pos(),
              StrCat("expected ", expected, ", got ", Describe(c.p, c.end)));
}

// The lines Parse() does not dispatch itself: blank (or blanks only) and,
// in text, lines that start with blanks.
bool LineParser::ParseOther(Cursor& c, ParsedLine* out, LineError* error) {
  if (c.at_end()) {
    out->kind = LineKind::kBlank;
    return true;
  }
  if (!om_) {
    c.SkipBlanks();
    if (c.at_end()) {
      // A line of blanks is a blank line to Prometheus's text lexer.
      out->kind = LineKind::kBlank;
      return true;
    }
    if (*c.p == '#') {
      return Fail(error, ParseErrorCode::kSyntax, c.pos(),
                  "comment must start at the beginning of the line");
    }
  }
  out->kind = LineKind::kSample;
  return ParseSample(c, out, error);
}

// A quoted string at c.p (which is '"'): label value, quoted name. Escapes
// `\\`, `\"` and `\n`; others are kept verbatim in lenient mode (as
// Prometheus's unescaping leaves them) and refused in strict mode.
bool LineParser::ParseQuoted(Cursor& c, std::string_view* out, uint32_t max_len,
                             const char* what, LineError* error) {
  // The common case: ASCII, no escapes, within the limit.
  const char* s = c.p + 1;
  bool non_ascii = false;
  const char* q = FindQuoteEnd(s, c.end, &non_ascii, c.begin);
  if (q < c.end && *q == '"' && !non_ascii && static_cast<size_t>(q - s) <= max_len) {
    *out = std::string_view(s, static_cast<size_t>(q - s));
    c.p = q + 1;
    return true;
  }
  return ParseQuotedSlow(c, out, max_len, what, error);
}

bool LineParser::ParseQuotedSlow(Cursor& c, std::string_view* out, uint32_t max_len,
                                 const char* what, LineError* error) {
  const char* open = c.p;
  const char* s = ++c.p;
  const char* p = s;
  const char* end = c.end;
  uint64_t high = 0;
  // Fast scan for the closing quote, a backslash or a NUL, 8 bytes at a time.
  while (p + 8 <= end) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    uint64_t hit = HasByte(w, '"') | HasByte(w, '\\') | HasByte(w, 0);
    if (hit) {
      p += __builtin_ctzll(hit) / 8;
      // The bytes before the hit still count for the UTF-8 check. (The
      // lowest set bit of `hit` is exact; higher ones may be false.)
      high |= w & ((hit & (~hit + 1)) - 1);
      break;
    }
    high |= w;
    p += 8;
  }
  while (p < end && *p != '"' && *p != '\\' && *p != 0) {
    high |= static_cast<unsigned char>(*p);
    ++p;
  }
  if (p < end && *p == '"') {
    // The common case: no escapes; a view into the line.
    size_t len = static_cast<size_t>(p - s);
    if (len > max_len) {
      return Fail(error, ParseErrorCode::kLimitExceeded, static_cast<size_t>(open - c.begin),
                  StrCat(what, " of ", len, " bytes exceeds the limit of ", max_len));
    }
    std::string_view text(s, len);
    if ((high & 0x8080808080808080ULL) != 0) {
      size_t bad = FindInvalidUtf8(text);
      if (bad != std::string_view::npos) {
        return Fail(error, ParseErrorCode::kInvalidUtf8,
                    static_cast<size_t>(s - c.begin) + bad,
                    StrCat(what, " is not valid UTF-8"));
      }
    }
    *out = text;
    c.p = p + 1;
    return true;
  }
  if (p < end && *p == 0) {
    return Fail(error, ParseErrorCode::kNulByte, static_cast<size_t>(p - c.begin),
                StrCat("NUL byte in ", what));
  }
  if (p >= end) {
    return Fail(error, ParseErrorCode::kUnterminatedString,
                static_cast<size_t>(open - c.begin),
                StrCat("unterminated quoted string in ", what));
  }
  // Escapes: unescape into scratch.
  ReserveScratch();
  size_t start = scratch_.size();
  scratch_.append(s, static_cast<size_t>(p - s));
  while (true) {
    if (p >= end) {
      return Fail(error, ParseErrorCode::kUnterminatedString,
                  static_cast<size_t>(open - c.begin),
                  StrCat("unterminated quoted string in ", what));
    }
    char ch = *p;
    if (ch == '"') break;
    if (ch == 0) {
      return Fail(error, ParseErrorCode::kNulByte, static_cast<size_t>(p - c.begin),
                  StrCat("NUL byte in ", what));
    }
    if (ch == '\\') {
      if (p + 1 >= end) {
        return Fail(error, ParseErrorCode::kUnterminatedString,
                    static_cast<size_t>(open - c.begin),
                    StrCat("unterminated quoted string in ", what));
      }
      char e = p[1];
      if (e == '\\' || e == '"') {
        scratch_.push_back(e);
      } else if (e == 'n') {
        scratch_.push_back('\n');
      } else if (options_.strict) {
        return Fail(error, ParseErrorCode::kInvalidEscape, static_cast<size_t>(p - c.begin),
                    StrCat("invalid escape sequence \"\\", std::string_view(&p[1], 1),
                                 "\" in ", what, " (only \\\\, \\\" and \\n are allowed)"));
      } else if (e == 0) {
        // Kept as written, it would reach a writer, and nothing parses a
        // NUL byte back.
        return Fail(error, ParseErrorCode::kNulByte, static_cast<size_t>(p + 1 - c.begin),
                    StrCat("NUL byte in ", what));
      } else {
        scratch_.push_back('\\');
        scratch_.push_back(e);
      }
      p += 2;
      continue;
    }
    scratch_.push_back(ch);
    ++p;
  }
  size_t len = scratch_.size() - start;
  if (len > max_len) {
    return Fail(error, ParseErrorCode::kLimitExceeded, static_cast<size_t>(open - c.begin),
                StrCat(what, " of ", len, " bytes exceeds the limit of ", max_len));
  }
  std::string_view text(scratch_.data() + start, len);
  size_t bad = FindInvalidUtf8(text);
  if (bad != std::string_view::npos) {
    return Fail(error, ParseErrorCode::kInvalidUtf8, static_cast<size_t>(s - c.begin),
                StrCat(what, " is not valid UTF-8"));
  }
  *out = text;
  c.p = p + 1;
  return true;
}

namespace {

// Whether two of the n labels have the same name. Out of line: rare, and
// kept out of the sample path's registers.
__attribute__((noinline)) bool HasDuplicateName(const LabelView* labels, size_t n) {
  for (size_t i = 1; i < n; ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (labels[i].name == labels[j].name) return true;
    }
  }
  return false;
}

// The labels at p in their usual shape, as many as take it: `name="value"`
// followed by `,` or `}`, a name of at most 15 bytes, an ASCII value
// without escapes. Writes at most `room` labels to out and returns how many;
// p moves past them (and past the '}' that closes them, when *closed). SIMD
// blocks are loaded whole while the buffer (not just the line) holds them,
// with no tail handling: bytes past the line's end are ignored. One block
// classifies the name's characters, the next from the value's start finds
// its end. A tight loop of its own: its constants stay in registers.
inline size_t FastLabels(const char*& pp, const char* end, const char* limit, LabelView* out, size_t room,
                         size_t max_name, size_t max_value, uint64_t* seen, bool* dup, bool* closed) {
  size_t count = 0;
#if defined(__SSE2__)
  const NameBlock names(/*metric=*/false);
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  const __m128i zero = _mm_setzero_si128();
  const char* p = pp;
  uint64_t seen_bits = *seen;
  bool dup_any = false;
  while (count < room && limit - p >= 64) {
    uint32_t name_chars = names.NameBitsAt(p);
    size_t n = static_cast<size_t>(__builtin_ctz(~name_chars));  // the name's length
    if (n - 1 >= 15 || static_cast<size_t>(end - p) <= n + 2 || static_cast<unsigned char>(*p - '0') < 10 ||
        p[n] != '=' || p[n + 1] != '"' || n > max_name) {
      break;
    }
    const char* vs = p + n + 2;
    const char* q = vs;
    // The first byte that is a stop or not ASCII; it must be a stop.
    uint32_t stops, any;
    while (true) {
      __m128i w = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
      stops = static_cast<uint32_t>(_mm_movemask_epi8(
          _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(w, quote), _mm_cmpeq_epi8(w, backslash)), _mm_cmpeq_epi8(w, zero))));
      any = stops | static_cast<uint32_t>(_mm_movemask_epi8(w));
      if (any != 0) break;
      q += 16;
      if (q >= end || limit - q < 16) break;
    }
    if (any == 0) break;
    uint32_t k = static_cast<uint32_t>(__builtin_ctz(any));
    if (((stops >> k) & 1) == 0) break;
    q += k;
    if (end - q < 2 || *q != '"' || (q[1] != ',' && q[1] != '}') || static_cast<size_t>(q - vs) > max_value) break;
    out[count].name = std::string_view(p, n);
    out[count].value = std::string_view(vs, static_cast<size_t>(q - vs));
    ++count;
    uint64_t bit = NameBit(std::string_view(p, n));
    dup_any |= (seen_bits & bit) != 0;
    seen_bits |= bit;
    p = q + 2;
    if (q[1] == '}') {
      *closed = true;
      break;
    }
  }
  pp = p;
  *seen = seen_bits;
  *dup |= dup_any;
#endif
  return count;
}

}  // namespace

bool LineParser::ParseLabels(Cursor& c, LabelList* labels, std::string_view* name,
                             bool allow_name, bool exemplar, LineError* error) {
  // c.p is at '{'. Labels are written in place with the count in a
  // register; the list's own size is set once at the end.
  ++c.p;
  labels->clear();
  LabelView* out = labels->Reserve(16);
  size_t capacity = labels->capacity();
  size_t count = 0;
  bool first = true;
  uint64_t seen_hashes = 0;
  bool need_dup_check = false;
  bool closed = false;
  count = FastLabels(c.p, c.end, c.limit, out,
                     std::min<size_t>(capacity, options_.max_labels_per_series), options_.max_label_name_bytes,
                     options_.max_label_value_bytes, &seen_hashes, &need_dup_check, &closed);
  first = count == 0;
  while (!closed) {
    // Fast path: most labels have no blanks around them.
    if (c.p < c.end && Is(*c.p, kLabelStart)) {
      const char* s = c.p;
      const char* end = c.end;
      const char* ne = ScanName(s + 1, end, false, c.begin);
      if (end - ne >= 2 && ne[0] == '=' && ne[1] == '"' &&
          static_cast<size_t>(ne - s) <= options_.max_label_name_bytes &&
          count < options_.max_labels_per_series && count < capacity) {
        const char* vs = ne + 2;
        bool non_ascii = false;
        const char* q = FindQuoteEnd(vs, end, &non_ascii, c.begin);
        if (end - q >= 2 && *q == '"' && !non_ascii && (q[1] == ',' || q[1] == '}') &&
            static_cast<size_t>(q - vs) <= options_.max_label_value_bytes) {
          out[count].name = std::string_view(s, static_cast<size_t>(ne - s));
          out[count].value = std::string_view(vs, static_cast<size_t>(q - vs));
          ++count;
          first = false;
          uint64_t bit = NameBit(std::string_view(s, static_cast<size_t>(ne - s)));
          need_dup_check |= (seen_hashes & bit) != 0;
          seen_hashes |= bit;
          c.p = q + 2;
          if (q[1] == ',') continue;
          break;
        }
      }
    }
    if (!om_) c.SkipBlanks();
    if (c.is('}')) {
      if (!first && !om_ && options_.strict) {
        // A trailing comma: Prometheus accepts it, the text spec does not.
        return Fail(error, ParseErrorCode::kSyntax, c.pos(),
                    "expected label name after \",\", got \"}\"");
      }
      if (!first && om_) {
        return Fail(error, ParseErrorCode::kSyntax, c.pos(),
                    "expected label name after \",\", got \"}\"");
      }
      ++c.p;
      break;
    }
    if (count >= options_.max_labels_per_series) {
      return Fail(error, ParseErrorCode::kLimitExceeded, c.pos(),
                  StrCat("more than ", options_.max_labels_per_series,
                         " labels in one ", exemplar ? "exemplar" : "series"));
    }
    if (count == capacity) {
      labels->set_size(count);
      out = labels->Reserve(2 * capacity);
      capacity = labels->capacity();
    }
    LabelView& ref = out[count];
    size_t name_col = c.pos();
    if (c.is('"')) {
      if (!ParseQuoted(c, &ref.name, options_.max_label_name_bytes, "quoted name", error)) {
        return false;
      }
      if (!om_) c.SkipBlanks();
      if (allow_name && first && (c.is(',') || c.is('}'))) {
        // `{"my.metric", ...}`: the quoted metric name of Prometheus 3.
        *name = ref.name;
        first = true;
        if (c.is(',')) {
          ++c.p;
          if (!om_) c.SkipBlanks();
          if (c.is('}')) {
            if (om_ || options_.strict) {
              return Fail(error, ParseErrorCode::kSyntax, c.pos(),
                          "expected label name after \",\", got \"}\"");
            }
          }
        }
        allow_name = false;
        continue;
      }
    } else if (!c.at_end() && Is(*c.p, kLabelStart)) {
      const char* s = c.p;
      const char* q = ScanName(s + 1, c.end, false, c.begin);
      c.p = q;
      size_t len = static_cast<size_t>(q - s);
      if (len > options_.max_label_name_bytes) {
        return Fail(error, ParseErrorCode::kLimitExceeded, name_col,
                    StrCat("label name of ", len, " bytes exceeds the limit of ",
                                 options_.max_label_name_bytes));
      }
      ref.name = std::string_view(s, len);
      if (!om_) c.SkipBlanks();
    } else {
      if (!c.at_end() && *c.p == 0) {
        return Fail(error, ParseErrorCode::kNulByte, c.pos(), "NUL byte where a label name was expected");
      }
      if (!c.at_end() && (Is(*c.p, kMetricChar) || static_cast<unsigned char>(*c.p) >= 0x80)) {
        return Fail(error, ParseErrorCode::kInvalidName, c.pos(),
                    StrCat("invalid label name starting with ", Describe(c.p, c.end),
                                 " (quote names outside [a-zA-Z_][a-zA-Z0-9_]*)"));
      }
      return Expected(c, error, ParseErrorCode::kSyntax,
                      first ? "label name or \"}\"" : "label name");
    }
    first = false;
    if (!c.is('=')) {
      return Expected(c, error, ParseErrorCode::kSyntax, "\"=\" after label name");
    }
    ++c.p;
    if (!om_) c.SkipBlanks();
    if (!c.is('"')) {
      return Expected(c, error, ParseErrorCode::kSyntax, "quoted label value");
    }
    if (!ParseQuoted(c, &ref.value, options_.max_label_value_bytes, "label value", error)) {
      return false;
    }
    ++count;
    // A cheap signature finds the rare lines that need the full duplicate
    // check.
    uint64_t bit = NameBit(ref.name);
    if (seen_hashes & bit) need_dup_check = true;
    seen_hashes |= bit;
    if (!om_) c.SkipBlanks();
    if (c.is(',')) {
      ++c.p;
      continue;
    }
    if (c.is('}')) {
      ++c.p;
      break;
    }
    return Expected(c, error, ParseErrorCode::kSyntax, "\",\" or \"}\" after label value");
  }
  labels->set_size(count);
  if (need_dup_check) {
    for (size_t i = 1; i < count; ++i) {
      std::string_view a = out[i].name;
      for (size_t j = 0; j < i; ++j) {
        if (out[j].name == a) {
          return Fail(error, ParseErrorCode::kDuplicateLabel, Column(a),
                      StrCat("duplicate label name \"", a, "\""));
        }
      }
    }
  }
  return true;
}

// Text format, c.p at the blank after the value: a timestamp of 9 to 16
// digits after one space, ending the line (the usual millisecond
// timestamps), as two overlapping words of eight digits. Otherwise returns
// false with c unchanged, and ParseAfterValue() reads the rest.
inline bool LineParser::ParseTimestampFast(Cursor& c, ParsedLine* out) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  const char* ts = c.p + 1;
  size_t n = static_cast<size_t>(c.end - ts);
  if (*c.p != ' ' || n - 9 >= 8) return false;
  uint64_t w0, w1;
  std::memcpy(&w0, ts, 8);
  std::memcpy(&w1, c.end - 8, 8);
  if (!AllDigits(w0) || !AllDigits(w1)) return false;
  static constexpr uint64_t kPow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};
  uint64_t scale = kPow10[n - 8];
  // The first eight digits, then the last n - 8 (the rest of w1).
  uint64_t v = EightDigits(w0) * scale + EightDigits(w1) % scale;
  out->has_timestamp = true;
  out->timestamp = Timestamp{static_cast<int64_t>(v), 0};
  c.p = c.end;
  return true;
#else
  return false;
#endif
}

// The labels at c.p ('{') when all of them take FastLabels()'s shape and
// the closing '}' follows: parsed without ParseLabels()' frame. Otherwise
// returns false with c unchanged, and ParseLabels() starts over.
inline bool LineParser::ParseLabelsFast(Cursor& c, LabelList* labels) {
  const char* p = c.p + 1;
  labels->clear();
  LabelView* dst = labels->Reserve(16);
  uint64_t seen = 0;
  bool dup = false;
  bool closed = false;
  size_t n = FastLabels(p, c.end, c.limit, dst, std::min<size_t>(labels->capacity(), options_.max_labels_per_series),
                        options_.max_label_name_bytes, options_.max_label_value_bytes, &seen, &dup, &closed);
  if (!closed || n == 0) return false;
  // Two names sharing a signature: compare them all; a real duplicate goes
  // to ParseLabels(), which reports it.
  if (dup && HasDuplicateName(dst, n)) return false;
  labels->set_size(n);
  c.p = p;
  return true;
}

bool LineParser::ParseSample(Cursor& c, ParsedLine* out, LineError* error) {
  out->name = {};
  bool has_name = false;
  if (c.is('{')) {
    std::string_view name;  // data() stays null without a quoted name
    if (!ParseLabels(c, &out->labels, &name, /*allow_name=*/true, false, error)) return false;
    if (name.data() == nullptr) {
      return Fail(error, ParseErrorCode::kInvalidName, 0,
                  "sample has no metric name (expected a name before \"{\" or a quoted name first inside it)");
    }
    out->name = name;
    has_name = true;
  } else if (Is(*c.p, kMetricStart)) {
    const char* s = c.p;
    const char* q = ScanName(s + 1, c.end, true, c.begin);
    c.p = q;
    out->name = std::string_view(s, static_cast<size_t>(q - s));
    has_name = true;
    const char* after_name = c.p;
    if (!om_) c.SkipBlanks();
    if (c.is('{')) {
      if (!ParseLabelsFast(c, &out->labels) &&
          !ParseLabels(c, &out->labels, nullptr, /*allow_name=*/false, false, error)) {
        return false;
      }
    } else {
      c.p = after_name;  // the blanks separate the value
      out->labels.clear();
    }
  } else {
    if (*c.p == 0) return Fail(error, ParseErrorCode::kNulByte, c.pos(), "NUL byte at the start of a line");
    if (static_cast<unsigned char>(*c.p) >= 0x80 || Is(*c.p, kMetricChar) || *c.p == '"') {
      return Fail(error, ParseErrorCode::kInvalidName, c.pos(),
                  StrCat("invalid metric name starting with ", Describe(c.p, c.end),
                               " (names outside [a-zA-Z_:][a-zA-Z0-9_:]* must be quoted inside the braces: {\"name\"})"));
    }
    return Expected(c, error, ParseErrorCode::kSyntax, "metric name");
  }
  (void)has_name;
  if (!c.at_end()) {
    unsigned char next = static_cast<unsigned char>(*c.p);
    if (next >= 0x80 || next == '.' || next == '-' || next == '/') {
      return Fail(error, ParseErrorCode::kInvalidName, c.pos(),
                  StrCat("invalid character ", Describe(c.p, c.end),
                         " in metric name (names outside [a-zA-Z_:][a-zA-Z0-9_:]* must be quoted inside the "
                         "braces: {\"name\"})"));
    }
  }
  // Separator before the value.
  if (om_) {
    if (!c.is(' ')) return Expected(c, error, ParseErrorCode::kSyntax, "\" \" before the value");
    ++c.p;
  } else {
    if (!(c.is(' ') || c.is('\t'))) {
      return Expected(c, error, ParseErrorCode::kSyntax, "whitespace before the value");
    }
    ++c.p;  // the blank just checked; usually the only one
    if (c.p < c.end && (*c.p == ' ' || *c.p == '\t')) c.SkipBlanks();
  }
  // Value token. The common shapes ("0", "12.5", "1.5e-05") are parsed
  // while scanning; anything else takes the general path.
  const char* vs = c.p;
  const char* simple_end = ParseSimpleValue(vs, c.end, &out->value);
  if (simple_end != nullptr &&
      (simple_end == c.end || *simple_end == ' ' || (!om_ && *simple_end == '\t'))) {
    c.p = simple_end;
    out->value_text = std::string_view(vs, static_cast<size_t>(simple_end - vs));
    if (c.at_end()) return true;  // no timestamp
    if (!om_ && ParseTimestampFast(c, out)) return true;
    return ParseAfterValue(c, out, error);
  }
  c.p = FindTokenEnd(vs, c.end, om_, c.begin);
  std::string_view value(vs, static_cast<size_t>(c.p - vs));
  if (value.empty()) {
    return Expected(c, error, ParseErrorCode::kInvalidValue, "sample value");
  }
  if (!ParseGoFloat(value, &out->value)) {
    const char* nul = static_cast<const char*>(std::memchr(vs, 0, value.size()));
    if (nul != nullptr) {
      return Fail(error, ParseErrorCode::kNulByte, static_cast<size_t>(nul - c.begin), "NUL byte in sample value");
    }
    return Fail(error, ParseErrorCode::kInvalidValue, static_cast<size_t>(vs - c.begin),
                StrCat("invalid sample value ", Describe(vs, c.end),
                             " (expected a float, +Inf, -Inf or NaN)"));
  }
  out->value_text = value;
  return ParseAfterValue(c, out, error);
}

// After the value (c.p at the blank that ends it, or the end): the
// timestamp, and in OpenMetrics the exemplar.
bool LineParser::ParseAfterValue(Cursor& c, ParsedLine* out, LineError* error) {
  if (c.at_end()) return true;
  if (!om_) {
    c.SkipBlanks();
    if (c.at_end()) return true;
    const char* ts = c.p;
    int64_t ms = 0;
    {
      // Integer milliseconds: the common case (up to 18 digits, no sign)
      // parses while scanning, eight digits at a time; anything else goes
      // through ParseInt64.
      const char* q = ts;
      const char* end = c.end;
      uint64_t v = 0;
      while (end - q >= 8) {
        uint64_t w;
        std::memcpy(&w, q, 8);
        if (!AllDigits(w)) break;
        v = v * 100000000 + EightDigits(w);
        q += 8;
      }
      if (q < end && end - q < 8 && end - c.begin >= 8) {
        // The rest of the line (the usual end of a timestamp) as the last
        // eight bytes of the line, the bytes before q read as zeros.
        size_t r = static_cast<size_t>(end - q);
        uint64_t w;
        std::memcpy(&w, end - 8, 8);
        uint64_t low = (uint64_t{1} << (8 * (8 - r))) - 1;
        w = (w & ~low) | (0x3030303030303030ULL & low);
        if (AllDigits(w)) {
          static constexpr uint64_t kPow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000};
          v = v * kPow10[r] + EightDigits(w);
          q = end;
        }
      }
      while (q < end && static_cast<unsigned char>(*q - '0') < 10) v = v * 10 + static_cast<uint64_t>(*q++ - '0');
      if (q > ts && q - ts <= 18 && (q == end || *q == ' ' || *q == '\t')) {
        c.p = q;
        c.SkipBlanks();
        if (c.at_end()) {
          out->has_timestamp = true;
          out->timestamp = Timestamp{static_cast<int64_t>(v), 0};
          return true;
        }
        return Expected(c, error, ParseErrorCode::kSyntax, "end of line after the timestamp");
      }
      while (q < end && *q != ' ' && *q != '\t') ++q;
      c.p = q;
    }
    std::string_view tok(ts, static_cast<size_t>(c.p - ts));
    // Integer milliseconds, optionally negative; ParseInt64 checks digits.
    bool digits = !tok.empty() && tok[0] != '+';
    if (tok[0] == '#') {
      return Fail(error, ParseErrorCode::kInvalidExemplar, static_cast<size_t>(ts - c.begin),
                  "exemplars are not allowed in the text format (use OpenMetrics)");
    }
    if (!digits || !ParseInt64(tok, &ms)) {
      return Fail(error, ParseErrorCode::kInvalidTimestamp, static_cast<size_t>(ts - c.begin),
                  StrCat("invalid timestamp ", Describe(ts, c.end),
                               " (expected integer milliseconds)"));
    }
    out->has_timestamp = true;
    out->timestamp = Timestamp{ms, 0};
    c.SkipBlanks();
    if (!c.at_end()) {
      return Expected(c, error, ParseErrorCode::kSyntax, "end of line after the timestamp");
    }
    return true;
  }
  // OpenMetrics: " ts", " # exemplar", or both.
  ++c.p;  // the ' ' that stopped the value
  if (c.is('#')) return ParseExemplar(c, out, error);
  const char* ts = c.p;
  c.p = FindTokenEnd(ts, c.end, true, c.begin);
  std::string_view tok(ts, static_cast<size_t>(c.p - ts));
  if (tok.empty() || !ParseDecimalSeconds(tok, &out->timestamp)) {
    return Fail(error, ParseErrorCode::kInvalidTimestamp, static_cast<size_t>(ts - c.begin),
                StrCat("invalid timestamp ", Describe(ts, c.end),
                             " (expected seconds since the epoch)"));
  }
  out->has_timestamp = true;
  if (c.at_end()) return true;
  ++c.p;
  if (c.is('#')) return ParseExemplar(c, out, error);
  return Expected(c, error, ParseErrorCode::kSyntax, "exemplar (\" # {\") or end of line");
}

bool LineParser::ParseExemplar(Cursor& c, ParsedLine* out, LineError* error) {
  // c.p at '#'.
  size_t start = c.pos();
  ++c.p;
  if (!c.is(' ')) return Expected(c, error, ParseErrorCode::kInvalidExemplar, "\" \" after \"#\"");
  ++c.p;
  if (!c.is('{')) return Expected(c, error, ParseErrorCode::kInvalidExemplar, "\"{\" starting the exemplar labels");
  if (!ParseLabels(c, &out->exemplar_labels, nullptr, false, true, error)) return false;
  if (options_.strict) {
    // OpenMetrics: the exemplar's label names and values together hold at
    // most 128 UTF-8 characters.
    size_t runes = 0;
    for (const LabelView& l : out->exemplar_labels) {
      for (std::string_view s : {l.name, l.value}) {
        for (char ch : s) runes += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
      }
    }
    if (runes > 128) {
      return Fail(error, ParseErrorCode::kInvalidExemplar, start,
                  StrCat("exemplar labels have ", runes,
                               " characters, more than the 128 OpenMetrics allows"));
    }
  }
  if (!c.is(' ')) return Expected(c, error, ParseErrorCode::kInvalidExemplar, "\" \" before the exemplar value");
  ++c.p;
  const char* vs = c.p;
  c.p = FindTokenEnd(vs, c.end, true, c.begin);
  std::string_view value(vs, static_cast<size_t>(c.p - vs));
  if (value.empty() || !ParseGoFloat(value, &out->exemplar_value)) {
    return Fail(error, ParseErrorCode::kInvalidExemplar, static_cast<size_t>(vs - c.begin),
                StrCat("invalid exemplar value ", Describe(vs, c.end)));
  }
  out->has_exemplar = true;
  out->exemplar_has_timestamp = false;
  if (c.at_end()) return true;
  ++c.p;
  const char* ts = c.p;
  while (c.p < c.end && *c.p != ' ') ++c.p;
  std::string_view tok(ts, static_cast<size_t>(c.p - ts));
  if (tok.empty() || !ParseDecimalSeconds(tok, &out->exemplar_timestamp)) {
    return Fail(error, ParseErrorCode::kInvalidExemplar, static_cast<size_t>(ts - c.begin),
                StrCat("invalid exemplar timestamp ", Describe(ts, c.end)));
  }
  out->exemplar_has_timestamp = true;
  if (!c.at_end()) return Expected(c, error, ParseErrorCode::kSyntax, "end of line after the exemplar");
  return true;
}

// The usual metadata lines in full: "# HELP name text" with plain ASCII
// text, and "# TYPE name type" with a common type, one space each and a
// legacy name. Returns false for anything else (and every error), which
// ParseComment() reads the same way. A function of its own: a small frame.
bool LineParser::ParseMetadataFast(const Cursor& c, ParsedLine* out) {
#if defined(__SSE2__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (c.end - c.p >= 10 && c.limit - c.p >= 48) {
    uint64_t w;
    std::memcpy(&w, c.p, 8);
    w &= 0x00FFFFFFFFFFFFFFULL;
    bool help = w == Word7("# HELP ");
    if ((help || w == Word7("# TYPE ")) && Is(c.p[7], kMetricStart)) {
      const char* s = c.p + 7;
      const char* ne = ScanNameTo(s + 1, c.end, c.limit, true, c.begin);
      const char* rest = ne + 1;
      // Text: more blanks after the first belong to the separator.
      if (c.end - ne >= 2 && *ne == ' ' && *rest != ' ' && (om_ || *rest != '\t')) {
        size_t n = static_cast<size_t>(c.end - rest);
        if (!help) {
          if (MatchTypeWord(rest, n, om_, &out->type)) {
            out->kind = LineKind::kType;
            out->name = std::string_view(s, static_cast<size_t>(ne - s));
            return true;
          }
        } else {
          // No backslash, NUL or non-ASCII byte in the text: it is the
          // help as it stands.
          const char* p = rest;
          bool plain = true;
          while (p < c.end) {
            if (c.limit - p < 16) {
              plain = false;  // the general path scans the tail
              break;
            }
            __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
            uint32_t bad = static_cast<uint32_t>(_mm_movemask_epi8(
                _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\\')), _mm_cmpeq_epi8(v, _mm_setzero_si128())),
                             v)));
            if (c.end - p < 16) bad &= (uint32_t{1} << (c.end - p)) - 1;
            if (bad != 0) {
              plain = false;
              break;
            }
            p += 16;
          }
          if (plain) {
            out->kind = LineKind::kHelp;
            out->name = std::string_view(s, static_cast<size_t>(ne - s));
            out->text = std::string_view(rest, n);
            return true;
          }
        }
      }
    }
  }
#endif
  return false;
}

bool LineParser::ParseComment(Cursor& c, ParsedLine* out, LineError* error) {
  // c.p at '#'.
  const char* after_hash = c.p + 1;
  Cursor k{c.begin, after_hash, c.end, c.limit};
  enum { kNone, kHelpKw, kTypeKw, kUnitKw } kw = kNone;
  // The usual spellings, "# HELP name" and "# TYPE name" with one space,
  // by one word compare; the rest (and all errors) go the general way,
  // which reads them the same.
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  if (c.end - c.p >= 8 && (om_ || (c.p[7] != ' ' && c.p[7] != '\t'))) {
    uint64_t w;
    std::memcpy(&w, c.p, 8);
    w &= 0x00FFFFFFFFFFFFFFULL;
    if (w == Word7("# HELP ")) {
      kw = kHelpKw;
    } else if (w == Word7("# TYPE ")) {
      kw = kTypeKw;
    } else if (om_ && w == Word7("# UNIT ")) {
      kw = kUnitKw;
    }
    if (kw != kNone) k.p = c.p + 7;
  }
#endif
  if (kw != kNone) {
    // Known keyword: on to the name.
  } else if (om_) {
    if (std::string_view(after_hash, static_cast<size_t>(c.end - after_hash)) == " EOF") {
      out->kind = LineKind::kEof;
      return true;
    }
    auto starts = [&](std::string_view s) {
      return static_cast<size_t>(c.end - after_hash) >= s.size() &&
             std::memcmp(after_hash, s.data(), s.size()) == 0;
    };
    if (starts(" HELP ")) kw = kHelpKw, k.p += 6;
    else if (starts(" TYPE ")) kw = kTypeKw, k.p += 6;
    else if (starts(" UNIT ")) kw = kUnitKw, k.p += 6;
    if (kw == kNone) {
      if (options_.strict) {
        return Fail(error, ParseErrorCode::kSyntax, 0,
                    "OpenMetrics allows only \"# HELP\", \"# TYPE\", \"# UNIT\" and \"# EOF\" comment lines");
      }
      out->kind = LineKind::kComment;
      out->text = std::string_view(after_hash, static_cast<size_t>(c.end - after_hash));
      return true;
    }
  } else {
    // Text: `#` blanks HELP|TYPE blanks ...; anything else is a comment.
    if (k.p < k.end && (*k.p == ' ' || *k.p == '\t')) {
      k.SkipBlanks();
      auto kw_at = [&](std::string_view s) {
        return static_cast<size_t>(k.end - k.p) > s.size() &&
               std::memcmp(k.p, s.data(), s.size()) == 0 &&
               (k.p[s.size()] == ' ' || k.p[s.size()] == '\t');
      };
      if (kw_at("HELP")) kw = kHelpKw;
      else if (kw_at("TYPE")) kw = kTypeKw;
      if (kw != kNone) {
        k.p += 4;
        k.SkipBlanks();
      }
    }
    if (kw == kNone) {
      const char* nul = static_cast<const char*>(std::memchr(after_hash, 0, static_cast<size_t>(c.end - after_hash)));
      if (nul != nullptr) {
        return Fail(error, ParseErrorCode::kNulByte, static_cast<size_t>(nul - c.begin), "NUL byte in a comment");
      }
      out->kind = LineKind::kComment;
      out->text = std::string_view(after_hash, static_cast<size_t>(c.end - after_hash));
      return true;
    }
  }
  const char* kw_name = kw == kHelpKw ? "HELP" : kw == kTypeKw ? "TYPE" : "UNIT";
  // The metric name: legacy or quoted.
  if (k.is('"')) {
    if (!ParseQuoted(k, &out->name, options_.max_label_name_bytes * 4, "quoted metric name", error)) {
      return false;
    }
  } else if (!k.at_end() && Is(*k.p, kMetricStart)) {
    const char* s = k.p;
    k.p = ScanName(s + 1, k.end, true, k.begin);
    out->name = std::string_view(s, static_cast<size_t>(k.p - s));
  } else {
    return Fail(error, k.at_end() ? ParseErrorCode::kInvalidMetadata : ParseErrorCode::kInvalidName, k.pos(),
                StrCat("expected metric name after ", kw_name, ", got ", Describe(k.p, k.end)));
  }
  // Separator and the rest.
  const char* rest;
  if (k.at_end()) {
    if (kw == kTypeKw) {
      return Fail(error, ParseErrorCode::kInvalidMetadata, k.pos(),
                  "expected metric type after the name in TYPE, got end of line");
    }
    rest = k.p;
  } else if (om_) {
    if (*k.p != ' ') {
      return Fail(error, ParseErrorCode::kInvalidMetadata, k.pos(),
                  StrCat("expected \" \" after the name in ", kw_name, ", got ", Describe(k.p, k.end)));
    }
    rest = k.p + 1;
  } else {
    if (*k.p != ' ' && *k.p != '\t') {
      return Fail(error, ParseErrorCode::kInvalidMetadata, k.pos(),
                  StrCat("expected whitespace after the name in ", kw_name, ", got ", Describe(k.p, k.end)));
    }
    k.SkipBlanks();
    rest = k.p;
  }
  std::string_view text(rest, static_cast<size_t>(c.end - rest));
  uint32_t text_off = static_cast<uint32_t>(rest - c.begin);
  // One pass finds a NUL, the first backslash and any non-ASCII byte.
  bool non_ascii = false;
  const char* bs = FindAnyOf3(rest, c.end, '\\', '\0', '\0', &non_ascii, c.begin);
  if (bs < c.end && *bs == '\0') {
    return Fail(error, ParseErrorCode::kNulByte, static_cast<size_t>(bs - c.begin), StrCat("NUL byte in ", kw_name));
  }
  if (bs < c.end) {
    const void* nul = std::memchr(bs, 0, static_cast<size_t>(c.end - bs));
    if (nul != nullptr) {
      return Fail(error, ParseErrorCode::kNulByte, static_cast<size_t>(static_cast<const char*>(nul) - c.begin),
                  StrCat("NUL byte in ", kw_name));
    }
    non_ascii = true;  // not scanned past the backslash: validate below
  }
  switch (kw) {
    case kTypeKw: {
      out->kind = LineKind::kType;
      MetricType t;
      bool known = ParseMetricType(text, &t);
      if (known && !om_ && (t == MetricType::kInfo || t == MetricType::kStateSet ||
                            t == MetricType::kGaugeHistogram || text == "unknown")) {
        known = false;  // OpenMetrics-only types
      }
      if (known && om_ && text == "untyped") known = false;
      if (!known) {
        return Fail(error, ParseErrorCode::kInvalidMetadata, text_off,
                    StrCat("invalid metric type ", Describe(rest, c.end),
                                 om_ ? " (expected counter, gauge, histogram, gaugehistogram, summary, info, stateset or unknown)"
                                     : " (expected counter, gauge, histogram, summary or untyped)"));
      }
      out->type = t;
      return true;
    }
    case kUnitKw: {
      out->kind = LineKind::kUnit;
      out->text = text;
      for (size_t i = 0; i < text.size(); ++i) {
        if (!Is(text[i], kMetricChar)) {
          return Fail(error, ParseErrorCode::kInvalidMetadata, text_off + i,
                      StrCat("invalid character ", Describe(rest + i, c.end), " in UNIT"));
        }
      }
      return true;
    }
    case kHelpKw: {
      out->kind = LineKind::kHelp;
      if (bs == c.end) {
        out->text = text;
      } else {
        ReserveScratch();
        size_t start = scratch_.size();
        scratch_.append(text.data(), static_cast<size_t>(bs - text.data()));
        for (const char* p = bs; p < c.end; ++p) {
          if (*p != '\\') {
            scratch_.push_back(*p);
            continue;
          }
          if (p + 1 >= c.end) {
            if (options_.strict) {
              return Fail(error, ParseErrorCode::kInvalidEscape, static_cast<size_t>(p - c.begin),
                          "HELP ends in a lone backslash");
            }
            scratch_.push_back('\\');
            break;
          }
          char e = p[1];
          if (e == '\\') {
            scratch_.push_back('\\');
          } else if (e == 'n') {
            scratch_.push_back('\n');
          } else if (e == '"' && om_) {
            scratch_.push_back('"');
          } else if (options_.strict) {
            return Fail(error, ParseErrorCode::kInvalidEscape, static_cast<size_t>(p - c.begin),
                        StrCat("invalid escape sequence \"\\", std::string_view(p + 1, 1),
                                     "\" in HELP (only \\\\ and \\n", om_ ? " and \\\"" : "",
                                     " are allowed)"));
          } else {
            scratch_.push_back('\\');
            scratch_.push_back(e);
          }
          ++p;
        }
        out->text = std::string_view(scratch_.data() + start, scratch_.size() - start);
      }
      size_t bad = non_ascii ? FindInvalidUtf8(out->text) : std::string_view::npos;
      if (bad != std::string_view::npos) {
        return Fail(error, ParseErrorCode::kInvalidUtf8, text_off, "HELP text is not valid UTF-8");
      }
      return true;
    }
    case kNone:
      break;
  }
  return true;
}

}  // namespace obsv::internal
