// The LogQL lexer: Loki v3's lex.go over Go's text/scanner (GoTokens mode:
// identifiers, numbers, "..." and `...` strings, Go comments skipped), plus
// lex.go's own rules: `#` comments, durations and byte sizes glued to
// numbers, `[...]` read whole as a range, `--flags`, keywords looked up
// case-insensitively and function names that are keywords only before `(`.
#include "logql/lexer.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <string>
#include <utility>

#include "common/byte_scan.h"
#include "common/go_strconv.h"
#include "common/utf8.h"
#include "common/str_cat.h"

// Token dispatch switches have deliberate defaults (any other token is a
// syntax error); the node-kind switches below are exhaustive all the same.
#pragma GCC diagnostic ignored "-Wswitch-enum"

namespace obsv::logql::internal {
namespace {

using obsv::internal::DecodeRune;
using obsv::internal::StrCat;

bool IsAsciiSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Byte classes for the hot loops: identifier bytes (letters, digits, `_`
// and every non-ASCII byte, whose rune is checked separately), the bytes
// that start an identifier (the same less the digits: unicode.IsLetter,
// approximated, as any non-ASCII rune counts as a letter), digits and
// spaces.
constexpr uint8_t kIdentByte = 1;
constexpr uint8_t kSpaceByte = 2;
constexpr uint8_t kLetterByte = 4;
constexpr uint8_t kDigitByte = 8;
struct ByteClasses {
  uint8_t of[256] = {};
  constexpr ByteClasses() {
    for (int c = 0; c < 256; ++c) {
      if (c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80) {
        of[c] |= kIdentByte | kLetterByte;
      }
      if (c >= '0' && c <= '9') of[c] |= kIdentByte | kDigitByte;
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') of[c] |= kSpaceByte;
    }
  }
};
constexpr ByteClasses kByteClasses;

// The tokens of one character that never start a longer one (kEof: not
// one of them).
struct SingleTokens {
  Tok of[256] = {};
  constexpr SingleTokens() {
    of[static_cast<unsigned char>(',')] = Tok::kComma;
    of[static_cast<unsigned char>('{')] = Tok::kLBrace;
    of[static_cast<unsigned char>('}')] = Tok::kRBrace;
    of[static_cast<unsigned char>('(')] = Tok::kLParen;
    of[static_cast<unsigned char>(')')] = Tok::kRParen;
    of[static_cast<unsigned char>('+')] = Tok::kAdd;
    of[static_cast<unsigned char>('*')] = Tok::kMul;
    of[static_cast<unsigned char>('/')] = Tok::kDiv;
    of[static_cast<unsigned char>('%')] = Tok::kMod;
    of[static_cast<unsigned char>('^')] = Tok::kPow;
  }
};
constexpr SingleTokens kSingleTokens;
static_assert(Tok{} == Tok::kEof, "SingleTokens' empty entries are kEof");

uint8_t ClassOf(char c) { return kByteClasses.of[static_cast<unsigned char>(c)]; }

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsLower(std::string_view text, std::string_view lower) {
  if (text.size() != lower.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (Lower(text[i]) != lower[i]) return false;
  }
  return true;
}

struct Keyword {
  std::string_view name;
  Tok tok;
};

// lex.go's `tokens`: keywords anywhere.
constexpr Keyword kKeywords[] = {
    {"by", Tok::kBy},           {"without", Tok::kWithout},        {"bool", Tok::kBool},
    {"offset", Tok::kOffset},   {"on", Tok::kOn},                  {"ignoring", Tok::kIgnoring},
    {"group_left", Tok::kGroupLeft}, {"group_right", Tok::kGroupRight},
    {"or", Tok::kOr},           {"and", Tok::kAnd},                {"unless", Tok::kUnless},
    {"json", Tok::kJson},       {"regexp", Tok::kRegexp},          {"logfmt", Tok::kLogfmt},
    {"unpack", Tok::kUnpack},   {"pattern", Tok::kPattern},        {"label_format", Tok::kLabelFmt},
    {"line_format", Tok::kLineFmt}, {"decolorize", Tok::kDecolorize}, {"drop", Tok::kDrop},
    {"keep", Tok::kKeep},       {"variants", Tok::kVariants},      {"of", Tok::kOf},
    {"unwrap", Tok::kUnwrap},
};

struct FunctionKeyword {
  std::string_view name;
  Tok tok;
  int op;
};

// lex.go's `functionTokens`: keywords only when a `(` follows.
constexpr FunctionKeyword kFunctions[] = {
    {"rate", Tok::kRangeOp, static_cast<int>(RangeOp::kRate)},
    {"rate_counter", Tok::kRangeOp, static_cast<int>(RangeOp::kRateCounter)},
    {"count_over_time", Tok::kRangeOp, static_cast<int>(RangeOp::kCountOverTime)},
    {"bytes_rate", Tok::kRangeOp, static_cast<int>(RangeOp::kBytesRate)},
    {"bytes_over_time", Tok::kRangeOp, static_cast<int>(RangeOp::kBytesOverTime)},
    {"avg_over_time", Tok::kRangeOp, static_cast<int>(RangeOp::kAvgOverTime)},
    {"sum_over_time", Tok::kRangeOp, static_cast<int>(RangeOp::kSumOverTime)},
    {"min_over_time", Tok::kRangeOp, static_cast<int>(RangeOp::kMinOverTime)},
    {"max_over_time", Tok::kRangeOp, static_cast<int>(RangeOp::kMaxOverTime)},
    {"stdvar_over_time", Tok::kRangeOp, static_cast<int>(RangeOp::kStdvarOverTime)},
    {"stddev_over_time", Tok::kRangeOp, static_cast<int>(RangeOp::kStddevOverTime)},
    {"quantile_over_time", Tok::kRangeOp, static_cast<int>(RangeOp::kQuantileOverTime)},
    {"first_over_time", Tok::kRangeOp, static_cast<int>(RangeOp::kFirstOverTime)},
    {"last_over_time", Tok::kRangeOp, static_cast<int>(RangeOp::kLastOverTime)},
    {"absent_over_time", Tok::kRangeOp, static_cast<int>(RangeOp::kAbsentOverTime)},
    {"vector", Tok::kVector, 0},
    {"sum", Tok::kVectorOp, static_cast<int>(VectorOp::kSum)},
    {"avg", Tok::kVectorOp, static_cast<int>(VectorOp::kAvg)},
    {"max", Tok::kVectorOp, static_cast<int>(VectorOp::kMax)},
    {"min", Tok::kVectorOp, static_cast<int>(VectorOp::kMin)},
    {"count", Tok::kVectorOp, static_cast<int>(VectorOp::kCount)},
    {"stddev", Tok::kVectorOp, static_cast<int>(VectorOp::kStddev)},
    {"stdvar", Tok::kVectorOp, static_cast<int>(VectorOp::kStdvar)},
    {"bottomk", Tok::kVectorOp, static_cast<int>(VectorOp::kBottomk)},
    {"topk", Tok::kVectorOp, static_cast<int>(VectorOp::kTopk)},
    {"sort", Tok::kVectorOp, static_cast<int>(VectorOp::kSort)},
    {"sort_desc", Tok::kVectorOp, static_cast<int>(VectorOp::kSortDesc)},
    {"approx_topk", Tok::kVectorOp, static_cast<int>(VectorOp::kApproxTopk)},
    {"label_replace", Tok::kLabelReplace, 0},
    {"bytes", Tok::kBytesConv, 0},
    {"duration", Tok::kDurationConv, 0},
    {"duration_seconds", Tok::kDurationSecondsConv, 0},
    {"ip", Tok::kIp, 0},
};

// Both tables by name length and first letter: the entries of length n
// starting with letter f are [begin[n * 26 + f], begin[n * 26 + f + 1]),
// nearly always none or one, compared without lowering. A function name
// is never also a keyword.
struct KeywordIndex {
  static constexpr size_t kMaxLen = 20;
  struct Entry {
    std::string_view name;
    Tok tok;
    int op;  // functions: RangeOp or VectorOp; -1: a keyword
    uint64_t words[3];  // Folded(name): compared a word at a time
  };
  Entry entries[std::size(kKeywords) + std::size(kFunctions)] = {};
  uint8_t begin[(kMaxLen + 1) * 26 + 1] = {};

  // The bytes of a name, each | 0x20, little-endian in three words, zero
  // past its end. An identifier (letters, digits, `_`, non-ASCII) folds to
  // a keyword's (lower-case letters and `_`) words only if it is that
  // keyword in some case: b | 0x20 equals k | 0x20 only for b = k, its
  // upper case, or DEL for `_`, which no identifier holds.
  static constexpr Entry Make(std::string_view name, Tok tok, int op) {
    Entry e{name, tok, op, {0, 0, 0}};
    for (size_t i = 0; i < name.size(); ++i) {
      e.words[i / 8] |= uint64_t{static_cast<unsigned char>(name[i]) | 0x20u} << (8 * (i % 8));
    }
    return e;
  }

  constexpr KeywordIndex() {
    size_t k = 0;
    for (size_t len = 0; len <= kMaxLen; ++len) {
      for (size_t f = 0; f < 26; ++f) {
        begin[len * 26 + f] = static_cast<uint8_t>(k);
        const char first = static_cast<char>('a' + f);
        for (const FunctionKeyword& w : kFunctions) {
          if (w.name.size() == len && w.name[0] == first) entries[k++] = Make(w.name, w.tok, w.op);
        }
        for (const Keyword& w : kKeywords) {
          if (w.name.size() == len && w.name[0] == first) entries[k++] = Make(w.name, w.tok, -1);
        }
      }
    }
    begin[(kMaxLen + 1) * 26] = static_cast<uint8_t>(k);
  }
};
constexpr KeywordIndex kKeywordIndex;
static_assert(kKeywordIndex.begin[(KeywordIndex::kMaxLen + 1) * 26] ==
                  std::size(kKeywords) + std::size(kFunctions),
              "a keyword longer than KeywordIndex::kMaxLen, or not starting with a letter");

bool IsDurationRune(uint32_t r) {
  switch (r) {
    case 'n': case 'u': case 0xB5: case 'm': case 's': case 'h': case 'd': case 'w': case 'y':
      return true;
    default:
      return false;
  }
}

bool IsBytesRune(uint32_t r) {
  switch (r) {
    case 'B': case 'i': case 'k': case 'K': case 'M': case 'G': case 'T': case 'P':
      return true;
    default:
      return false;
  }
}

// unicode.IsSpace for the runes text/scanner can hand over.
bool IsSpaceRune(uint32_t r) {
  return r == ' ' || (r >= '\t' && r <= '\r') || r == 0x85 || r == 0xA0 || r == 0x1680 ||
         (r >= 0x2000 && r <= 0x200A) || r == 0x2028 || r == 0x2029 || r == 0x202F ||
         r == 0x205F || r == 0x3000;
}

// prometheus/common's model.ParseDuration error for a string it refused.
std::string ModelDurationError(std::string_view s) {
  std::string msg;
  if (s.empty()) return "empty duration string";
  auto invalid = [&] {
    std::string m = "not a valid duration string: ";
    obsv::internal::AppendGoQuote(s, &m);
    return m;
  };
  static constexpr std::string_view kUnits[] = {"y", "w", "d", "h", "m", "s", "ms"};
  size_t i = 0;
  int last = -1;
  while (i < s.size()) {
    if (!IsDigit(s[i])) return invalid();
    while (i < s.size() && IsDigit(s[i])) ++i;
    size_t u0 = i;
    while (i < s.size() && !IsDigit(s[i])) ++i;
    if (i == u0) return invalid();
    std::string_view unit = s.substr(u0, i - u0);
    int pos = -1;
    for (int k = 0; k < 7; ++k) {
      if (kUnits[k] == unit) pos = k;
    }
    if (pos < 0) {
      msg = "unknown unit ";
      obsv::internal::AppendGoQuote(unit, &msg);
      msg.append(" in duration ");
      obsv::internal::AppendGoQuote(s, &msg);
      return msg;
    }
    if (pos <= last) return invalid();
    last = pos;
  }
  return "duration out of range";
}

}  // namespace

bool ParseLokiDuration(std::string_view s, int64_t* ns) {
  int64_t ms;
  if (obsv::internal::ParsePromDuration(s, &ms)) {
    *ns = ms * 1'000'000;
    return true;
  }
  return obsv::internal::ParseGoDuration(s, ns);
}

bool ParseHumanBytes(std::string_view s, uint64_t* out) {
  size_t last = 0;
  bool comma = false;
  while (last < s.size() && (IsDigit(s[last]) || s[last] == '.' || s[last] == ',')) {
    comma = comma || s[last] == ',';
    ++last;
  }
  std::string num(s.substr(0, last));
  if (comma) {
    std::string stripped;
    for (char c : num) {
      if (c != ',') stripped.push_back(c);
    }
    num = stripped;
  }
  // strconv.ParseFloat of digits and dots: one dot at most, a digit somewhere.
  size_t dots = 0, digits = 0;
  for (char c : num) {
    if (c == '.') ++dots;
    else ++digits;
  }
  if (digits == 0 || dots > 1) return false;
  double f = std::strtod(num.c_str(), nullptr);
  std::string_view extra = s.substr(last);
  while (!extra.empty() && IsAsciiSpace(extra.front())) extra.remove_prefix(1);
  while (!extra.empty() && IsAsciiSpace(extra.back())) extra.remove_suffix(1);
  std::string unit;
  for (char c : extra) unit.push_back(Lower(c));
  struct Size {
    std::string_view name;
    double mult;
  };
  static constexpr Size kSizes[] = {
      {"b", 1},         {"", 1},
      {"kib", 1024.0},  {"ki", 1024.0},  {"kb", 1e3},  {"k", 1e3},
      {"mib", 1048576.0}, {"mi", 1048576.0}, {"mb", 1e6}, {"m", 1e6},
      {"gib", 1073741824.0}, {"gi", 1073741824.0}, {"gb", 1e9}, {"g", 1e9},
      {"tib", 1099511627776.0}, {"ti", 1099511627776.0}, {"tb", 1e12}, {"t", 1e12},
      {"pib", 1125899906842624.0}, {"pi", 1125899906842624.0}, {"pb", 1e15}, {"p", 1e15},
      {"eib", 1152921504606846976.0}, {"ei", 1152921504606846976.0}, {"eb", 1e18}, {"e", 1e18},
  };
  for (const Size& z : kSizes) {
    if (z.name == unit) {
      f *= z.mult;
      if (f >= 18446744073709551615.0) return false;
      *out = static_cast<uint64_t>(f);
      return true;
    }
  }
  return false;
}

void AppendHumanBytes(uint64_t v, std::string* out) {
  using obsv::internal::StrAppend;
  if (v < 10) {
    StrAppend(out, v, "B");
    return;
  }
  static constexpr const char* kSizes[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  double e = std::floor(std::log(static_cast<double>(v)) / std::log(1000.0));
  const char* suffix = kSizes[static_cast<int>(e)];
  double val = std::floor(static_cast<double>(v) / std::pow(1000.0, e) * 10 + 0.5) / 10;
  char buf[64];
  snprintf(buf, sizeof(buf), val < 10 ? "%.1f%s" : "%.0f%s", val, suffix);
  out->append(buf);
}

LineColumn LineColumnAt(std::string_view text, uint32_t offset, bool runes) {
  LineColumn lc;
  size_t end = offset < text.size() ? offset : text.size();
  for (size_t i = 0; i < end; ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++lc.line;
      lc.column = 1;
    } else if (!runes || (c & 0xC0) != 0x80) {
      ++lc.column;
    }
  }
  return lc;
}

void Lexer::Error(Token* t, uint32_t at, ParseErrorCode code, std::string_view message) {
  failed_ = true;
  error_offset_ = at;
  error_code_ = code;
  error_message_.assign(message.data(), message.size());
  t->type = Tok::kError;
  t->start = at;
  t->end = at;
}

// Whitespace, Go comments (text/scanner's SkipComments) and `#` comments.
bool Lexer::SkipSpaceAndComments(Token* err) {
  while (pos_ < input_.size()) {
    char c = input_[pos_];
    if (ClassOf(c) & kSpaceByte) {
      ++pos_;
    } else if (c != '#' && c != '/') {
      break;
    } else if (c == '#') {
      while (pos_ < input_.size() && input_[pos_] != '\n') ++pos_;
    } else if (c == '/' && pos_ + 1 < input_.size() && input_[pos_ + 1] == '/') {
      while (pos_ < input_.size() && input_[pos_] != '\n') ++pos_;
    } else if (c == '/' && pos_ + 1 < input_.size() && input_[pos_ + 1] == '*') {
      uint32_t start = pos_;
      size_t close = input_.find("*/", pos_ + 2);
      if (close == std::string_view::npos) {
        Error(err, start, ParseErrorCode::kSyntax, "comment not terminated");
        return false;
      }
      pos_ = static_cast<uint32_t>(close + 2);
    } else {
      break;
    }
  }
  return true;
}

// lex.go's isFunction: after spaces, `(`, or `by`/`without` then `(`.
bool Lexer::IsFunctionFollowing(uint32_t p) const {
  auto skip = [&](uint32_t q) {
    while (q < input_.size() && IsAsciiSpace(input_[q])) ++q;
    return q;
  };
  p = skip(p);
  if (p >= input_.size()) return false;
  if (input_[p] == '(') return true;
  for (std::string_view kw : {std::string_view("by"), std::string_view("without")}) {
    if (p + kw.size() <= input_.size() && EqualsLower(input_.substr(p, kw.size()), kw)) {
      uint32_t q = skip(p + static_cast<uint32_t>(kw.size()));
      return q < input_.size() && input_[q] == '(';
    }
  }
  return false;
}

// tryScanDuration: the number (or `-`) at [start, pos_) plus the digits,
// duration units and dots glued to it, if that parses as a duration.
bool Lexer::TryScanDuration(uint32_t start, Token* t) {
  uint32_t p = pos_;
  while (p < input_.size()) {
    uint32_t r;
    int n = DecodeRune(input_, p, &r);
    if (n == 0 || IsSpaceRune(r)) break;
    if (!(r < 0x80 && IsDigit(static_cast<char>(r))) && !IsDurationRune(r) && r != '.') break;
    p += static_cast<uint32_t>(n);
  }
  if (p == pos_) return false;
  int64_t ns;
  if (!ParseLokiDuration(input_.substr(start, p - start), &ns)) return false;
  pos_ = p;
  t->line_zero = true;
  t->type = Tok::kDuration;
  t->duration_ns = ns;
  return true;
}

bool Lexer::TryScanBytes(uint32_t start, Token* t) {
  uint32_t p = pos_;
  while (p < input_.size()) {
    uint32_t r;
    int n = DecodeRune(input_, p, &r);
    if (n == 0 || IsSpaceRune(r)) break;
    if (!(r < 0x80 && IsDigit(static_cast<char>(r))) && !IsBytesRune(r) && r != '.') break;
    p += static_cast<uint32_t>(n);
  }
  if (p == pos_) return false;
  uint64_t b;
  if (!ParseHumanBytes(input_.substr(start, p - start), &b)) return false;
  pos_ = p;
  t->line_zero = true;
  t->type = Tok::kBytes;
  t->bytes = b;
  return true;
}

// text/scanner's scanNumber (decimal, 0x/0o/0b, `_` separators, fraction,
// exponent), then lex.go's duration and bytes suffixes.
void Lexer::LexNumber(uint32_t start, Token* t) {
  auto digits = [&](bool hex) {
    uint32_t p = pos_;
    const uint32_t size = static_cast<uint32_t>(input_.size());
    while (p < size) {
      char c = input_[p];
      bool ok = IsDigit(c) || c == '_' ||
                (hex && ((c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')));
      if (!ok) break;
      ++p;
    }
    pos_ = p;
  };
  bool hex = false;
  if (input_[pos_] == '0' && pos_ + 1 < input_.size()) {
    char x = Lower(input_[pos_ + 1]);
    if (x == 'x' || x == 'o' || x == 'b') {
      hex = x == 'x';
      pos_ += 2;
      uint32_t d0 = pos_;
      digits(hex);
      if (pos_ == d0) {
        // text/scanner's error, which Loki reports ("0B" is no size).
        return Error(t, start, ParseErrorCode::kInvalidValue,
                     StrCat(x == 'x' ? "hexadecimal" : x == 'o' ? "octal" : "binary",
                            " literal has no digits"));
      }
    }
  }
  digits(hex);
  if (pos_ < input_.size() && input_[pos_] == '.') {
    ++pos_;
    digits(hex);
  }
  if (pos_ < input_.size()) {
    char e = Lower(input_[pos_]);
    if ((!hex && e == 'e') || (hex && e == 'p')) {
      uint32_t save = pos_;
      ++pos_;
      if (pos_ < input_.size() && (input_[pos_] == '+' || input_[pos_] == '-')) ++pos_;
      if (pos_ < input_.size() && IsDigit(input_[pos_])) {
        digits(false);
      } else {
        pos_ = save;  // text/scanner reports "exponent has no digits"; keep it a suffix
      }
    }
  }
  t->start = start;
  if (!TryScanDuration(start, t) && !TryScanBytes(start, t)) t->type = Tok::kNumber;
  t->end = pos_;
  t->text = input_.substr(start, pos_ - start);
}

void Lexer::LexIdentifier(uint32_t start, Token* t) {
  // Locals, not members: a char load may alias pos_, which would be
  // reloaded and stored on every byte.
  const char* const data = input_.data();
  const char* const end = data + input_.size();
  // ASCII name characters 16 at a time; identifiers with non-ASCII runes
  // (never keywords) are read out of line.
  const char* q = obsv::internal::ScanNameChars(data + start, end, /*metric=*/false, data);
  if (static_cast<unsigned char>(data[start]) >= 0x80 ||
      (q != end && static_cast<unsigned char>(*q) >= 0x80)) {
    return LexIdentifierSlow(start, t);
  }
  const uint32_t p = static_cast<uint32_t>(q - data);
  pos_ = p;
  t->start = start;
  t->end = p;
  const size_t len = p - start;
  t->text = std::string_view(data + start, len);
  t->type = Tok::kIdentifier;
  if (len > KeywordIndex::kMaxLen || len == 0) return;
  const unsigned first = (static_cast<unsigned char>(data[start]) | 0x20) - 'a';
  if (first >= 26) return;
  const size_t slot = len * 26 + first;
  size_t k = kKeywordIndex.begin[slot];
  const size_t k_end = kKeywordIndex.begin[slot + 1];
  if (k == k_end) return;
  // The identifier folded as KeywordIndex::Make() folds names, read a word
  // at a time where the query has eight bytes to spare.
  uint64_t words[3] = {0, 0, 0};
  const size_t nwords = (len + 7) / 8;
  for (size_t w = 0; w < nwords; ++w) {
    const size_t off = w * 8;
    const size_t n = len - off < 8 ? len - off : 8;
    uint64_t v = 0;
    if (end - (data + start + off) >= 8) {
      std::memcpy(&v, data + start + off, 8);
      if (n < 8) v &= ~uint64_t{0} >> (64 - 8 * n);
    } else {
      for (size_t b = 0; b < n; ++b) {
        v |= uint64_t{static_cast<unsigned char>(data[start + off + b])} << (8 * b);
      }
    }
    words[w] = v | (uint64_t{0x2020202020202020} >> (64 - 8 * n));
  }
  for (; k < k_end; ++k) {
    const KeywordIndex::Entry& e = kKeywordIndex.entries[k];
    if (words[0] != e.words[0] || words[1] != e.words[1] || words[2] != e.words[2]) continue;
    if (e.op < 0) {
      t->type = e.tok;
      return;
    }
    return LexFunctionKeyword(p, static_cast<uint32_t>(k), t);
  }
}

// lex.go's functionTokens: the name (entry k of the keyword index) is a
// keyword only before `(`, else an identifier.
void Lexer::LexFunctionKeyword(uint32_t after, uint32_t k, Token* t) {
  if (!IsFunctionFollowing(after)) return;
  const KeywordIndex::Entry& e = kKeywordIndex.entries[k];
  t->type = e.tok;
  if (e.tok == Tok::kRangeOp) t->range_op = static_cast<RangeOp>(e.op);
  if (e.tok == Tok::kVectorOp) t->vector_op = static_cast<VectorOp>(e.op);
}

// An identifier with a non-ASCII rune: letters, digits, `_` and any rune
// but a space (unicode.IsLetter, approximated); never a keyword.
void Lexer::LexIdentifierSlow(uint32_t start, Token* t) {
  uint32_t r;
  if (static_cast<unsigned char>(input_[start]) >= 0x80 && DecodeRune(input_, start, &r) == 0) {
    return Error(t, start, ParseErrorCode::kInvalidUtf8, "invalid UTF-8 encoding");
  }
  const uint32_t size = static_cast<uint32_t>(input_.size());
  uint32_t p = start;
  while (p < size) {
    unsigned char c = static_cast<unsigned char>(input_[p]);
    if (c < 0x80) {
      if ((kByteClasses.of[c] & kIdentByte) == 0) break;
      ++p;
      continue;
    }
    int n = DecodeRune(input_, p, &r);
    if (n == 0 || IsSpaceRune(r)) break;
    p += static_cast<uint32_t>(n);
  }
  pos_ = p;
  t->start = start;
  t->end = p;
  t->text = input_.substr(start, p - start);
  t->type = Tok::kIdentifier;
}

// A string with escapes (or an error), decoded by Go's rules into t->str.
void Lexer::LexEscapedString(uint32_t start, char quote, Token* t) {
  size_t p = pos_ + 1;
  std::string message;
  t->escaped = true;
  auto status = obsv::internal::ScanGoString(input_, &p, quote, &t->str, &message);
  switch (status) {
    case obsv::internal::GoStringStatus::kOk:
      break;
    case obsv::internal::GoStringStatus::kUnterminated:
      return Error(t, start, ParseErrorCode::kUnterminatedString, "literal not terminated");
    case obsv::internal::GoStringStatus::kInvalidUtf8:
      return Error(t, start, ParseErrorCode::kInvalidUtf8, "invalid UTF-8 rune");
    case obsv::internal::GoStringStatus::kInvalidEscape:
      return Error(t, start, ParseErrorCode::kInvalidEscape, "invalid char escape");
  }
  pos_ = static_cast<uint32_t>(p);
  t->type = Tok::kString;
  t->end = pos_;
  t->text = input_.substr(start, pos_ - start);
  return;
}

// A string: nearly always without escape, newline or carriage return
// before the closing quote, so that the value is a view into the query.
void Lexer::LexString(uint32_t pos, char quote, Token* t) {
  const char* const data = input_.data();
  const char* const end = data + input_.size();
  const char* body = data + pos + 1;
  bool non_ascii = false;
  const char* stop = quote == '`' ? obsv::internal::FindAnyOf3(body, end, '`', '\r', '`', &non_ascii, data)
                                  : obsv::internal::FindAnyOf3(body, end, '"', '\\', '\n', &non_ascii, data);
  if (stop != end && *stop == quote) {
    const std::string_view run(body, static_cast<size_t>(stop - body));
    if (!non_ascii || obsv::internal::IsValidUtf8(run)) {
      const uint32_t after = static_cast<uint32_t>(stop - data) + 1;
      pos_ = after;
      t->type = Tok::kString;
      t->raw = run;
      t->end = after;
      t->text = std::string_view(data + pos, after - pos);
      return;
    }
  }
  LexEscapedString(pos, quote, t);
}

void Lexer::Next(Token* t) {
  // Reset in place: the string keeps its buffer from token to token.
  t->type = Tok::kEof;
  t->text = {};
  if (t->escaped) {
    t->str.clear();
    t->escaped = false;
  }
  // duration_ns, bytes, range_op and vector_op are set by the tokens they
  // belong to and read only for those.
  t->line_zero = false;
  if (failed_) {
    t->type = Tok::kError;
    t->start = t->end = error_offset_;
    return;
  }
  // Locals, not members: a char load may alias pos_.
  const char* const data = input_.data();
  const uint32_t size = static_cast<uint32_t>(input_.size());
  uint32_t pos = pos_;
  // Most tokens follow a single space or none.
  if (pos < size && data[pos] == ' ') ++pos;
  if (pos < size) {
    const char c0 = data[pos];
    if ((ClassOf(c0) & kSpaceByte) != 0 || c0 == '#' || c0 == '/') return NextAfterSpace(pos, t);
  }
  Dispatch(pos, t);
}

// More space, or a comment (or `/`): skipped out of line, so that Next()
// makes no call it returns from (and saves no registers).
void Lexer::NextAfterSpace(uint32_t pos, Token* t) {
  pos_ = pos;
  if (!SkipSpaceAndComments(t)) return;
  Dispatch(pos_, t);
}

// The token at `pos`, after the spaces.
inline void Lexer::Dispatch(uint32_t pos, Token* t) {
  const char* const data = input_.data();
  const uint32_t size = static_cast<uint32_t>(input_.size());
  t->start = pos;
  pos_ = pos;
  if (pos >= size) {
    t->end = pos;
    return;  // kEof
  }
  const unsigned char c = static_cast<unsigned char>(data[pos]);
  const uint8_t cls = kByteClasses.of[c];
  if ((cls & kLetterByte) != 0) return LexIdentifier(pos, t);
  if ((cls & kDigitByte) != 0) return LexNumber(pos, t);
  if (const Tok single = kSingleTokens.of[c]; single != Tok::kEof) {
    pos_ = pos + 1;
    t->type = single;
    t->end = pos + 1;
    t->text = std::string_view(data + pos, 1);
    return;
  }
  if (c == '"' || c == '`') return LexString(pos, static_cast<char>(c), t);
  if (c == '|' || c == '=') {
    // `|`, `|=`, `|~`, `|>`, `=`, `=~`, `==`: most of the operators.
    const char next = pos + 1 < size ? data[pos + 1] : '\0';
    Tok two = Tok::kEof;
    if (c == '|') {
      two = next == '=' ? Tok::kPipeExact : next == '~' ? Tok::kPipeMatch : next == '>' ? Tok::kPipePattern : Tok::kEof;
    } else {
      two = next == '~' ? Tok::kRe : next == '=' ? Tok::kCmpEq : Tok::kEof;
    }
    const uint32_t len = two == Tok::kEof ? 1 : 2;
    t->type = two != Tok::kEof ? two : c == '|' ? Tok::kPipe : Tok::kEq;
    t->line_zero = two != Tok::kEof;
    pos_ = pos + len;
    t->end = pos + len;
    t->text = std::string_view(data + pos, len);
    return;
  }
  return LexOther(pos, t);
}

// Every other token: `.`, char literals, ranges, operators of one or two
// characters, flags, and any other character (an identifier to the
// grammar).
void Lexer::LexOther(uint32_t start, Token* t) {
  char c = input_[pos_];
  if (c == '.' && pos_ + 1 < input_.size() && IsDigit(input_[pos_ + 1])) {
    return LexNumber(start, t);
  }
  if (c == '\'') {
    // A Go char literal: text/scanner scans it, lex.go hands it over as an
    // identifier (which no rule accepts).
    size_t p = pos_ + 1;
    std::string ignored, message;
    if (obsv::internal::ScanGoString(input_, &p, '\'', &ignored, &message) !=
        obsv::internal::GoStringStatus::kOk) {
      return Error(t, start, ParseErrorCode::kUnterminatedString, "literal not terminated");
    }
    pos_ = static_cast<uint32_t>(p);
    t->type = Tok::kIdentifier;
    t->end = pos_;
    t->text = input_.substr(start, pos_ - start);
    return;
  }
  if (c == '[') {
    size_t close = input_.find(']', pos_ + 1);
    if (close == std::string_view::npos) {
      error_line_zero_ = true;
      return Error(t, start, ParseErrorCode::kSyntax, "missing closing ']' in duration");
    }
    std::string_view body = input_.substr(pos_ + 1, close - pos_ - 1);
    int64_t ms;
    if (!obsv::internal::ParsePromDuration(body, &ms)) {
      error_line_zero_ = true;
      return Error(t, start, ParseErrorCode::kInvalidValue, ModelDurationError(body));
    }
    pos_ = static_cast<uint32_t>(close + 1);
    t->type = Tok::kRange;
    t->line_zero = true;
    t->duration_ns = ms * 1'000'000;
    t->end = pos_;
    t->text = input_.substr(start, pos_ - start);
    return;
  }
  ++pos_;
  char next = pos_ < input_.size() ? input_[pos_] : '\0';
  auto two = [&](Tok type) {
    ++pos_;
    t->type = type;
    t->line_zero = true;
    return true;
  };
  bool done = false;
  switch (c) {
    case '|':
      if (next == '=') done = two(Tok::kPipeExact);
      else if (next == '~') done = two(Tok::kPipeMatch);
      else if (next == '>') done = two(Tok::kPipePattern);
      else t->type = Tok::kPipe, done = true;
      break;
    case '!':
      if (next == '=') done = two(Tok::kNeq);
      else if (next == '~') done = two(Tok::kNre);
      else if (next == '>') done = two(Tok::kNpa);
      break;
    case '=':
      if (next == '~') done = two(Tok::kRe);
      else if (next == '=') done = two(Tok::kCmpEq);
      else t->type = Tok::kEq, done = true;
      break;
    case '>':
      if (next == '=') done = two(Tok::kGte);
      else t->type = Tok::kGt, done = true;
      break;
    case '<':
      if (next == '=') done = two(Tok::kLte);
      else t->type = Tok::kLt, done = true;
      break;
    case '-': {
      if (next == '-') {
        // tryScanFlag: `-` followed by letters and dashes.
        uint32_t p = pos_;
        while (p < input_.size() && (input_[p] == '-' || (input_[p] >= 'a' && input_[p] <= 'z') ||
                                     (input_[p] >= 'A' && input_[p] <= 'Z'))) {
          ++p;
        }
        std::string_view flag = input_.substr(start, p - start);
        if (flag == "--strict" || flag == "--keep-empty") {
          pos_ = p;
          t->type = Tok::kParserFlag;
          t->line_zero = true;
          done = true;
          break;
        }
      }
      if (TryScanDuration(start, t)) {
        done = true;
        break;
      }
      t->type = Tok::kSub;
      done = true;
      break;
    }
    case '.': t->type = Tok::kDot, done = true; break;
    default: break;
  }
  if (!done) {
    // Any other character is handed to the grammar as an identifier.
    pos_ = start;
    uint32_t r;
    int n = DecodeRune(input_, pos_, &r);
    if (n == 0) return Error(t, start, ParseErrorCode::kInvalidUtf8, "invalid UTF-8 encoding");
    pos_ += static_cast<uint32_t>(n);
    t->type = Tok::kIdentifier;
  }
  t->end = pos_;
  t->text = input_.substr(start, pos_ - start);
}

std::string_view TokenName(Tok t) {
  switch (t) {
    case Tok::kEof: return "$end";
    case Tok::kError: return "error";
    case Tok::kIdentifier: return "IDENTIFIER";
    case Tok::kString: return "STRING";
    case Tok::kNumber: return "NUMBER";
    case Tok::kDuration: return "DURATION";
    case Tok::kRange: return "RANGE";
    case Tok::kBytes: return "BYTES";
    case Tok::kParserFlag: return "PARSER_FLAG";
    case Tok::kComma: return ",";
    case Tok::kDot: return ".";
    case Tok::kLBrace: return "{";
    case Tok::kRBrace: return "}";
    case Tok::kLParen: return "(";
    case Tok::kRParen: return ")";
    case Tok::kEq: return "=";
    case Tok::kNeq: return "!=";
    case Tok::kRe: return "=~";
    case Tok::kNre: return "!~";
    case Tok::kNpa: return "!>";
    case Tok::kPipeExact: return "|=";
    case Tok::kPipeMatch: return "|~";
    case Tok::kPipePattern: return "|>";
    case Tok::kPipe: return "|";
    case Tok::kBy: return "by";
    case Tok::kWithout: return "without";
    case Tok::kBool: return "bool";
    case Tok::kOffset: return "offset";
    case Tok::kOn: return "on";
    case Tok::kIgnoring: return "ignoring";
    case Tok::kGroupLeft: return "group_left";
    case Tok::kGroupRight: return "group_right";
    case Tok::kOr: return "or";
    case Tok::kAnd: return "and";
    case Tok::kUnless: return "unless";
    case Tok::kJson: return "json";
    case Tok::kRegexp: return "regexp";
    case Tok::kLogfmt: return "logfmt";
    case Tok::kUnpack: return "unpack";
    case Tok::kPattern: return "pattern";
    case Tok::kLabelFmt: return "label_format";
    case Tok::kLineFmt: return "line_format";
    case Tok::kDecolorize: return "decolorize";
    case Tok::kDrop: return "drop";
    case Tok::kKeep: return "keep";
    case Tok::kVariants: return "variants";
    case Tok::kOf: return "of";
    case Tok::kUnwrap: return "unwrap";
    case Tok::kAdd: return "+";
    case Tok::kSub: return "-";
    case Tok::kMul: return "*";
    case Tok::kDiv: return "/";
    case Tok::kMod: return "%";
    case Tok::kPow: return "^";
    case Tok::kCmpEq: return "==";
    case Tok::kGt: return ">";
    case Tok::kGte: return ">=";
    case Tok::kLt: return "<";
    case Tok::kLte: return "<=";
    case Tok::kRangeOp: return "RANGE_OP";
    case Tok::kVectorOp: return "VECTOR_OP";
    case Tok::kVector: return "VECTOR";
    case Tok::kLabelReplace: return "label_replace";
    case Tok::kIp: return "ip";
    case Tok::kBytesConv: return "BYTES_CONV";
    case Tok::kDurationConv: return "DURATION_CONV";
    case Tok::kDurationSecondsConv: return "DURATION_SECONDS_CONV";
  }
  return "token";
}

}  // namespace obsv::logql::internal
