// The PromQL lexer: Prometheus 3's lex.go, as a pull lexer over a view.
#include "promql/lexer.h"

#include <cctype>
#include <cstring>
#include <utility>

#include "common/byte_scan.h"
#include "common/str_cat.h"
#include "common/utf8.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace obsv::promql::internal {
namespace {

using obsv::internal::StrCat;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }


bool IsHex(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

struct Keyword {
  std::string_view word;
  Tok type;
  BinaryOp binary = BinaryOp::kAdd;
  AggregateOp aggregate = AggregateOp::kSum;
};

constexpr Keyword kKeywords[] = {
    {"and", Tok::kBinaryOp, BinaryOp::kAnd},
    {"or", Tok::kBinaryOp, BinaryOp::kOr},
    {"unless", Tok::kBinaryOp, BinaryOp::kUnless},
    {"atan2", Tok::kBinaryOp, BinaryOp::kAtan2},
    {"sum", Tok::kAggregator, BinaryOp::kAdd, AggregateOp::kSum},
    {"avg", Tok::kAggregator, BinaryOp::kAdd, AggregateOp::kAvg},
    {"count", Tok::kAggregator, BinaryOp::kAdd, AggregateOp::kCount},
    {"min", Tok::kAggregator, BinaryOp::kAdd, AggregateOp::kMin},
    {"max", Tok::kAggregator, BinaryOp::kAdd, AggregateOp::kMax},
    {"group", Tok::kAggregator, BinaryOp::kAdd, AggregateOp::kGroup},
    {"stddev", Tok::kAggregator, BinaryOp::kAdd, AggregateOp::kStddev},
    {"stdvar", Tok::kAggregator, BinaryOp::kAdd, AggregateOp::kStdvar},
    {"topk", Tok::kAggregator, BinaryOp::kAdd, AggregateOp::kTopk},
    {"bottomk", Tok::kAggregator, BinaryOp::kAdd, AggregateOp::kBottomk},
    {"count_values", Tok::kAggregator, BinaryOp::kAdd, AggregateOp::kCountValues},
    {"quantile", Tok::kAggregator, BinaryOp::kAdd, AggregateOp::kQuantile},
    {"limitk", Tok::kAggregator, BinaryOp::kAdd, AggregateOp::kLimitk},
    {"limit_ratio", Tok::kAggregator, BinaryOp::kAdd, AggregateOp::kLimitRatio},
    {"offset", Tok::kOffset},
    {"smoothed", Tok::kSmoothed},
    {"anchored", Tok::kAnchored},
    {"by", Tok::kBy},
    {"without", Tok::kWithout},
    {"on", Tok::kOn},
    {"ignoring", Tok::kIgnoring},
    {"group_left", Tok::kGroupLeft},
    {"group_right", Tok::kGroupRight},
    {"bool", Tok::kBool},
    {"start", Tok::kStart},
    {"end", Tok::kEnd},
    {"step", Tok::kStep},
    {"inf", Tok::kNumber},
    {"nan", Tok::kNumber},
};

// The longest keyword: "count_values".
constexpr size_t kMaxKeywordSize = 12;
static_assert([] {
  for (const Keyword& k : kKeywords) {
    if (k.word.size() > kMaxKeywordSize) return false;
  }
  return true;
}());

// Keyword lookup in one probe: a hash of the first and last byte and the
// length, chosen to have no collisions among the keywords (checked at
// compile time), indexes a table of keyword positions.
constexpr size_t kKeywordSlots = 128;
constexpr size_t KeywordHash(char first, char last, size_t size) {
  return (static_cast<unsigned char>(first) * 2u + static_cast<unsigned char>(last) * 3u + size * 13u) &
         (kKeywordSlots - 1);
}
struct KeywordTable {
  int8_t slot[kKeywordSlots] = {};  // keyword index + 1; 0 is none
  bool collision = false;
  constexpr KeywordTable() {
    for (size_t i = 0; i < sizeof(kKeywords) / sizeof(kKeywords[0]); ++i) {
      const std::string_view w = kKeywords[i].word;
      size_t h = KeywordHash(w.front(), w.back(), w.size());
      if (slot[h] != 0) collision = true;
      slot[h] = static_cast<int8_t>(i + 1);
    }
  }
};
constexpr KeywordTable kKeywordTable;
static_assert(!kKeywordTable.collision, "pick another KeywordHash()");

// Whether a and b (n bytes, 1..16, name characters) are equal with bit 0x20
// set in every byte.
inline bool FoldedEqual(const char* a, const char* b, size_t n) {
  if (n >= 8) {
    constexpr uint64_t kFold = 0x2020202020202020ULL;
    uint64_t a0, a1, b0, b1;
    std::memcpy(&a0, a, 8);
    std::memcpy(&a1, a + n - 8, 8);
    std::memcpy(&b0, b, 8);
    std::memcpy(&b1, b + n - 8, 8);
    return (a0 | kFold) == (b0 | kFold) && (a1 | kFold) == (b1 | kFold);
  }
  if (n >= 4) {
    constexpr uint32_t kFold = 0x20202020u;
    uint32_t a0, a1, b0, b1;
    std::memcpy(&a0, a, 4);
    std::memcpy(&a1, a + n - 4, 4);
    std::memcpy(&b0, b, 4);
    std::memcpy(&b1, b + n - 4, 4);
    return (a0 | kFold) == (b0 | kFold) && (a1 | kFold) == (b1 | kFold);
  }
  for (size_t i = 0; i < n; ++i) {
    if ((a[i] | 0x20) != (b[i] | 0x20)) return false;
  }
  return true;
}

// Name characters: 1 for [a-zA-Z_0-9], 2 for ':'.
struct NameCharTable {
  unsigned char bits[256] = {};
  constexpr NameCharTable() {
    for (int c = 'a'; c <= 'z'; ++c) bits[c] = 1;
    for (int c = 'A'; c <= 'Z'; ++c) bits[c] = 1;
    for (int c = '0'; c <= '9'; ++c) bits[c] = 1;
    bits[static_cast<unsigned char>('_')] = 1;
    bits[static_cast<unsigned char>(':')] = 2;
  }
};
constexpr NameCharTable kNameChars;

// The end of the run of [a-zA-Z0-9_] (and ':' when `metric`) at p; sets
// *colon if the run holds a ':'. 16 bytes at a time where SSE2 exists.
inline const char* ScanName(const char* p, const char* end, bool metric, bool* colon) {
#if defined(__SSE2__)
  // Label-name characters, plus the colons looked for anyway (*colon).
  const obsv::internal::NameBlock names(/*metric=*/false);
  const __m128i colon_v = _mm_set1_epi8(':');
  while (end - p >= 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    unsigned c = metric ? static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, colon_v))) : 0;
    unsigned bad = ~(names.NameBits(v) | c) & 0xFFFFu;
    if (bad != 0) {
      if ((c & ((1u << __builtin_ctz(bad)) - 1)) != 0) *colon = true;
      return p + __builtin_ctz(bad);
    }
    if (c != 0) *colon = true;
    p += 16;
  }
#endif
  const unsigned mask = metric ? 3 : 1;
  unsigned seen = 0;
  while (p < end) {
    unsigned b = kNameChars.bits[static_cast<unsigned char>(*p)] & mask;
    if (b == 0) break;
    seen |= b;
    ++p;
  }
  if ((seen & 2) != 0) *colon = true;
  return p;
}

}  // namespace


Token Lexer::Emit(Tok type, uint32_t start) {
  Token t;
  t.type = type;
  t.start = start;
  t.end = pos_;
  return t;
}

Token Lexer::UnexpectedChar(uint32_t start, uint32_t at, std::string_view prefix) {
  if (at >= input_.size()) {
    return Error(start, ParseErrorCode::kSyntax, StrCat(prefix, "U+FFFFFFFFFFFFFFFF"));
  }
  uint32_t r = 0;
  if (DecodeRune(input_, at, &r) == 0) r = 0xFFFD;
  return Error(start, ParseErrorCode::kSyntax, StrCat(prefix, GoQuoteRune(r)));
}

Token Lexer::Error(uint32_t start, ParseErrorCode code, std::string_view message) {
  error_message_.assign(message.data(), message.size());
  error_code_ = code;
  done_ = true;
  Token t;
  t.type = Tok::kError;
  t.start = start;
  t.end = start;
  last_ = t;
  return t;
}

void Lexer::SkipSpaceAndComments() {
  while (pos_ < input_.size()) {
    char c = input_[pos_];
    if (IsSpace(c)) {
      ++pos_;
    } else if (c == '#') {
      while (pos_ < input_.size() && input_[pos_] != '\n' && input_[pos_] != '\r') ++pos_;
    } else {
      break;
    }
  }
}

Token Lexer::Next() {
  if (done_) return last_;
  if (brace_open_) return LexInsideBraces();
  if (bracket_open_ && !bracket_statements_) return LexInsideBrackets();
  SkipSpaceAndComments();
  uint32_t start = pos_;
  if (pos_ >= input_.size()) {
    if (paren_depth_ != 0) return Error(start, ParseErrorCode::kSyntax, "unclosed left parenthesis");
    if (bracket_open_) return Error(start, ParseErrorCode::kSyntax, "unclosed left bracket");
    done_ = true;
    last_ = Emit(Tok::kEof, start);
    return last_;
  }
  char c = input_[pos_++];
  auto op = [&](BinaryOp o) {
    Token t = Emit(Tok::kBinaryOp, start);
    t.binary_op = o;
    return t;
  };
  auto peek = [&]() { return pos_ < input_.size() ? input_[pos_] : '\0'; };
  switch (c) {
    case ',': return Emit(Tok::kComma, start);
    case '*': return op(BinaryOp::kMul);
    case '/': return op(BinaryOp::kDiv);
    case '%': return op(BinaryOp::kMod);
    case '+': return op(BinaryOp::kAdd);
    case '-': return op(BinaryOp::kSub);
    case '^': return op(BinaryOp::kPow);
    case '=':
      if (peek() == '=') {
        ++pos_;
        return op(BinaryOp::kEqlc);
      }
      if (peek() == '~') {
        return Error(start, ParseErrorCode::kSyntax, "unexpected character after '=': '~'");
      }
      return Emit(Tok::kEql, start);
    case '!':
      if (peek() != '=') return UnexpectedChar(start, pos_, "unexpected character after '!': ");
      ++pos_;
      return op(BinaryOp::kNeq);
    case '<':
      if (peek() == '=') {
        ++pos_;
        return op(BinaryOp::kLte);
      }
      return op(BinaryOp::kLss);
    case '>':
      if (peek() == '=') {
        ++pos_;
        return op(BinaryOp::kGte);
      }
      return op(BinaryOp::kGtr);
    case '"':
    case '\'':
    case '`':
      return LexString(start, c);
    case '(':
      ++paren_depth_;
      return Emit(Tok::kLParen, start);
    case ')':
      --paren_depth_;
      if (paren_depth_ < 0) {
        // Prometheus reports the position after the parenthesis.
        return Error(start + 1, ParseErrorCode::kSyntax, "unexpected right parenthesis ')'");
      }
      return Emit(Tok::kRParen, start);
    case '{':
      brace_open_ = true;
      return Emit(Tok::kLBrace, start);
    case '[':
      if (bracket_open_) return Error(start, ParseErrorCode::kSyntax, "unexpected left bracket '['");
      bracket_open_ = true;
      got_colon_ = false;
      return Emit(Tok::kLBracket, start);
    case ']':
      if (!bracket_open_) return Error(start, ParseErrorCode::kSyntax, "unexpected right bracket ']'");
      bracket_open_ = false;
      bracket_statements_ = false;
      got_colon_ = false;
      return Emit(Tok::kRBracket, start);
    case '@':
      return Emit(Tok::kAt, start);
    default:
      break;
  }
  if (IsDigit(c) || (c == '.' && IsDigit(peek()))) {
    pos_ = start;
    return LexNumberOrDuration(start);
  }
  if (bracket_open_ && (IsAlpha(c) || c == ':')) {
    // Inside brackets lexStatements takes a colon or step/min/max only.
    if (c == ':') {
      if (got_colon_) return Error(start, ParseErrorCode::kSyntax, "unexpected colon ':'");
      got_colon_ = true;
      return Emit(Tok::kColon, start);
    }
    if (c == 's' || c == 'S' || c == 'm' || c == 'M') {
      Token t = LexDurationKeyword(start);
      if (t.type != Tok::kError) return t;
    }
    return Error(start, ParseErrorCode::kSyntax, StrCat("unexpected character: ", GoQuoteRune(c), ", expected ':'"));
  }
  if (IsAlpha(c) || c == ':') {
    pos_ = start;
    return LexIdentifier(start, /*keywords=*/true);
  }
  return UnexpectedChar(start, start, "unexpected character: ");
}

// lex.go's scanDurationKeyword: a run of letters that is step, min or max
// (any case); a kError token (no error recorded) otherwise.
Token Lexer::LexDurationKeyword(uint32_t start) {
  uint32_t end = start;
  while (end < input_.size() && IsAlpha(input_[end])) ++end;
  const std::string_view word = input_.substr(start, end - start);
  Token t;
  t.type = Tok::kError;
  // Letters and '_' only: FoldedEqual() is a case-insensitive compare here.
  auto is = [&word](std::string_view kw) {
    return word.size() == kw.size() && FoldedEqual(word.data(), kw.data(), kw.size());
  };
  const bool step = is("step");
  const bool min = is("min");
  if (!step && !min && !is("max")) return t;
  pos_ = end;
  if (step) return Emit(Tok::kStep, start);
  t = Emit(Tok::kAggregator, start);
  t.aggregate_op = min ? AggregateOp::kMin : AggregateOp::kMax;
  return t;
}

Token Lexer::LexIdentifier(uint32_t start, bool keywords) {
  // Names are scanned 16 bytes at a time; a ':' makes a metric identifier.
  bool colon = false;
  const char* data = input_.data();
  pos_ = static_cast<uint32_t>(ScanName(data + pos_, data + input_.size(), keywords, &colon) - data);
  std::string_view word = input_.substr(start, pos_ - start);
  // Keywords are case-insensitive and at most kMaxKeywordSize bytes: longer
  // words (most metric names) are never looked up. Setting bit 0x20 of
  // every byte folds the case of letters and maps no other name character
  // onto another ('_' becomes DEL), so a word is compared with a keyword
  // folded, a word or two at a time.
  if (keywords && word.size() <= kMaxKeywordSize) {
    const size_t n = word.size();
    int slot = kKeywordTable.slot[KeywordHash(static_cast<char>(word.front() | 0x20),
                                              static_cast<char>(word.back() | 0x20), n)];
    if (slot != 0 && kKeywords[slot - 1].word.size() == n &&
        FoldedEqual(word.data(), kKeywords[slot - 1].word.data(), n)) {
      const Keyword& k = kKeywords[slot - 1];
      Token t = Emit(k.type, start);
      t.binary_op = k.binary;
      t.aggregate_op = k.aggregate;
      return t;
    }
  }
  return Emit(colon ? Tok::kMetricIdentifier : Tok::kIdentifier, start);
}

Token Lexer::LexInsideBraces() {
  SkipSpaceAndComments();
  uint32_t start = pos_;
  if (pos_ >= input_.size()) {
    return Error(start, ParseErrorCode::kSyntax, "unexpected end of input inside braces");
  }
  char c = input_[pos_++];
  if (IsAlpha(c)) {
    pos_ = start;
    return LexIdentifier(start, /*keywords=*/false);
  }
  switch (c) {
    case ',': return Emit(Tok::kComma, start);
    case '"':
    case '\'':
    case '`':
      return LexString(start, c);
    case '=':
      if (pos_ < input_.size() && input_[pos_] == '~') {
        ++pos_;
        return Emit(Tok::kEqlRegex, start);
      }
      return Emit(Tok::kEql, start);
    case '!':
      if (pos_ < input_.size() && input_[pos_] == '~') {
        ++pos_;
        return Emit(Tok::kNeqRegex, start);
      }
      if (pos_ < input_.size() && input_[pos_] == '=') {
        ++pos_;
        Token t = Emit(Tok::kBinaryOp, start);
        t.binary_op = BinaryOp::kNeq;
        return t;
      }
      return Error(start, ParseErrorCode::kSyntax, "unexpected character after '!' inside braces");
    case '{':
      return Error(start, ParseErrorCode::kSyntax, "unexpected left brace '{'");
    case '}':
      brace_open_ = false;
      return Emit(Tok::kRBrace, start);
    default:
      return UnexpectedChar(start, start, "unexpected character inside braces: ");
  }
}

Token Lexer::LexInsideBrackets() {
  if (colon_error_pending_) {
    return Error(pos_, ParseErrorCode::kSyntax,
                 "unexpected colon before duration in duration expression");
  }
  SkipSpaceAndComments();
  uint32_t start = pos_;
  if (pos_ >= input_.size()) {
    return Error(start, ParseErrorCode::kSyntax, "unexpected end of input in duration expression");
  }
  char c = input_[pos_++];
  auto op = [&](BinaryOp o) {
    Token t = Emit(Tok::kBinaryOp, start);
    t.binary_op = o;
    return t;
  };
  switch (c) {
    case ']':
      bracket_open_ = false;
      got_colon_ = false;
      return Emit(Tok::kRBracket, start);
    case ':':
      // `[step():1m]`: Prometheus wants a number lexed in some bracket of the
      // query before the first colon (it never resets the flag), and reports
      // the error after the colon.
      if (!got_duration_) {
        colon_error_pending_ = true;  // the parser sees the colon first
        return Emit(Tok::kColon, start);
      }
      if (got_colon_) {
        return Error(start, ParseErrorCode::kSyntax, "unexpected repeated colon in duration expression");
      }
      got_colon_ = true;
      return Emit(Tok::kColon, start);
    case '(':
      ++paren_depth_;
      return Emit(Tok::kLParen, start);
    case ')':
      --paren_depth_;
      if (paren_depth_ < 0) {
        // Prometheus reports the position after the parenthesis.
        return Error(start + 1, ParseErrorCode::kSyntax, "unexpected right parenthesis ')'");
      }
      return Emit(Tok::kRParen, start);
    case ',': return Emit(Tok::kComma, start);
    case '+': return op(BinaryOp::kAdd);
    case '-': return op(BinaryOp::kSub);
    case '*': return op(BinaryOp::kMul);
    case '/': return op(BinaryOp::kDiv);
    case '%': return op(BinaryOp::kMod);
    case '^': return op(BinaryOp::kPow);
    default:
      break;
  }
  if (IsDigit(c) || (c == '.' && pos_ < input_.size() && IsDigit(input_[pos_]))) {
    pos_ = start;
    got_duration_ = true;
    bracket_statements_ = true;
    return LexNumberOrDuration(start);
  }
  if (c == 's' || c == 'S' || c == 'm' || c == 'M') {
    Token t = LexDurationKeyword(start);
    if (t.type != Tok::kError) return t;
  }
  return UnexpectedChar(start, start, "unexpected character in duration expression: ");
}

// lex.go's scanNumber: decimal or hex digits, one '.', one exponent, '_'
// between digits; the number must not run into a letter or digit.
bool Lexer::ScanNumber() {
  const uint32_t initial = pos_;
  auto peek = [&]() -> char { return pos_ < input_.size() ? input_[pos_] : '\0'; };
  auto at_end = [&]() { return pos_ >= input_.size(); };
  auto accept = [&](std::string_view set) {
    if (!at_end() && set.find(input_[pos_]) != std::string_view::npos) {
      ++pos_;
      return true;
    }
    return false;
  };
  bool hex = false;
  if (peek() == '0' && pos_ + 1 < input_.size() && (input_[pos_ + 1] == 'x' || input_[pos_ + 1] == 'X')) {
    pos_ += 2;
    accept("_");
    hex = true;
  }
  auto is_digit = [&](char ch) { return hex ? IsHex(ch) : IsDigit(ch); };
  accept(".");
  if (!at_end() && is_digit(peek())) ++pos_;
  bool dot = false, exponent = false;
  while (!at_end()) {
    char ch = peek();
    bool is_exp = !hex && (ch == 'e' || ch == 'E');
    if (!(is_digit(ch) || ch == '.' || ch == '_' || is_exp)) break;
    if (ch == '.') {
      ++pos_;
      if (dot || hex) return false;
      dot = true;
      if (accept("_.")) return false;
      continue;
    }
    if (is_exp) {
      ++pos_;
      if (exponent) return false;
      exponent = true;
      accept("+-");
      if (accept("._eE") || at_end()) return false;
      continue;
    }
    if (ch == '_') {
      ++pos_;
      if (accept("._eE") || at_end()) return false;
      continue;
    }
    while (!at_end() && is_digit(peek())) ++pos_;
  }
  if (pos_ == initial) return false;
  return at_end() || !IsAlnum(peek());
}

Token Lexer::LexNumberOrDuration(uint32_t start) {
  if (ScanNumber()) return Emit(Tok::kNumber, start);
  // A duration: digits then units (lex.go's acceptRemainingDuration).
  auto accept = [&](std::string_view set) {
    if (pos_ < input_.size() && set.find(input_[pos_]) != std::string_view::npos) {
      ++pos_;
      return true;
    }
    return false;
  };
  bool ok = false;
  if (accept("smhdwy")) {
    accept("s");
    ok = true;
    while (ok && accept("0123456789")) {
      while (accept("0123456789")) {
      }
      if (!accept("smhdw")) {
        ok = false;
        break;
      }
      accept("s");
    }
    if (ok && pos_ < input_.size() && IsAlnum(input_[pos_])) {
      ++pos_;
      ok = false;
    }
  }
  if (ok) return Emit(Tok::kDuration, start);
  std::string msg = "bad number or duration syntax: ";
  AppendGoQuote(input_.substr(start, pos_ - start), &msg);
  return Error(start, ParseErrorCode::kInvalidValue, std::move(msg));
}


// Strings in "...", '...' (Go escapes, no newline) and `...` (raw), decoded
// as strutil.Unquote does. The text between the escapes is found and
// checked as UTF-8 a run at a time; a string without escapes (nearly all)
// is a view into the query, not a copy.
Token Lexer::LexString(uint32_t start, char quote) {
  // Fast path, nearly every string: no escape, no newline, no carriage
  // return before the closing quote; the value is a view into the query.
  {
    const char* const data = input_.data();
    const char* const end = data + input_.size();
    const char* p = data + pos_;
    bool non_ascii = false;
    const char* stop = quote == '`' ? obsv::internal::FindAnyOf3(p, end, '`', '\r', '`', &non_ascii)
                                    : obsv::internal::FindAnyOf3(p, end, quote, '\\', '\n', &non_ascii);
    if (stop != end && *stop == quote) {
      const std::string_view run(p, static_cast<size_t>(stop - p));
      if (!non_ascii || obsv::internal::IsValidUtf8(run)) {
        pos_ = static_cast<uint32_t>(stop - data) + 1;
        string_view_ = run;
        return Emit(Tok::kString, start);
      }
    }
  }
  // Escapes and errors: Go's rules, shared with LogQL.
  string_value_.clear();
  size_t pos = pos_;
  std::string message;
  obsv::internal::GoStringStatus status =
      obsv::internal::ScanGoString(input_, &pos, quote, &string_value_, &message);
  pos_ = static_cast<uint32_t>(pos);
  string_view_ = string_value_;
  switch (status) {
    case obsv::internal::GoStringStatus::kOk:
      return Emit(Tok::kString, start);
    case obsv::internal::GoStringStatus::kUnterminated:
      return Error(start, ParseErrorCode::kUnterminatedString, std::move(message));
    case obsv::internal::GoStringStatus::kInvalidUtf8:
      return Error(start, ParseErrorCode::kInvalidUtf8, std::move(message));
    case obsv::internal::GoStringStatus::kInvalidEscape:
      return Error(start, ParseErrorCode::kInvalidEscape, std::move(message));
  }
  return Error(start, ParseErrorCode::kSyntax, "unreachable");
}

std::string DescribeToken(const Token& t, std::string_view input) {
  const std::string_view text = input.substr(t.start, t.end - t.start);
  auto quoted = [&](std::string_view kind) {
    std::string out(kind);
    out.push_back(' ');
    std::string_view v = text;
    if (t.type == Tok::kIdentifier || t.type == Tok::kMetricIdentifier || v.size() <= 10) {
      AppendGoQuote(v, &out);
    } else {
      // Go's %.10q: the first 10 runes, quoted.
      size_t i = 0;
      for (int runes = 0; runes < 10 && i < v.size(); ++runes) {
        uint32_t r;
        int n = DecodeRune(v, i, &r);
        i += n == 0 ? 1 : n;
      }
      AppendGoQuote(v.substr(0, i), &out);
      out.append("...");
    }
    return out;
  };
  switch (t.type) {
    case Tok::kEof: return "end of input";
    case Tok::kError: return "error";
    case Tok::kIdentifier: return quoted("identifier");
    case Tok::kMetricIdentifier: return quoted("metric identifier");
    case Tok::kNumber: return quoted("number");
    case Tok::kDuration: return quoted("duration");
    case Tok::kString: return quoted("string");
    case Tok::kLParen: return "\"(\"";
    case Tok::kRParen: return "\")\"";
    case Tok::kLBrace: return "\"{\"";
    case Tok::kRBrace: return "\"}\"";
    case Tok::kLBracket: return "\"[\"";
    case Tok::kRBracket: return "\"]\"";
    case Tok::kComma: return "\",\"";
    case Tok::kColon: return "\":\"";
    case Tok::kEql: return "\"=\"";
    case Tok::kEqlRegex: return "<op:=~>";
    case Tok::kNeqRegex: return "<op:!~>";
    case Tok::kBinaryOp:
    case Tok::kAt:
      return StrCat("<op:", text, ">");
    case Tok::kAggregator: return StrCat("<aggr:", text, ">");
    case Tok::kStart:
    case Tok::kEnd:
    case Tok::kStep: {
      // Not keywords in Prometheus's lexer (preprocessor items): quoted.
      std::string out;
      AppendGoQuote(text, &out);
      return out;
    }
    case Tok::kOffset:
    case Tok::kBy:
    case Tok::kWithout:
    case Tok::kOn:
    case Tok::kIgnoring:
    case Tok::kGroupLeft:
    case Tok::kGroupRight:
    case Tok::kBool:
    case Tok::kSmoothed:
    case Tok::kAnchored:
      return StrCat("<", text, ">");
  }
  return "token";
}

}  // namespace obsv::promql::internal
