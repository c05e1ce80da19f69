// The LogQL lexer (internal): the tokens of Loki v3's pkg/logql/syntax
// lex.go (over Go's text/scanner), pulled one at a time by the parser.
#ifndef OBSV_SRC_LOGQL_LEXER_H_
#define OBSV_SRC_LOGQL_LEXER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "obsv/logql.h"
#include "obsv/parse_error.h"

namespace obsv::logql::internal {

enum class Tok : unsigned char {
  kEof,
  kError,  // Lexer::error()
  kIdentifier,
  kString,      // Token::value(): the unescaped value
  kNumber,      // Token::text
  kDuration,    // Token::duration_ns
  kRange,       // `[5m]`: Token::duration_ns
  kBytes,       // Token::bytes
  kParserFlag,  // --strict, --keep-empty
  kComma, kDot, kLBrace, kRBrace, kLParen, kRParen,
  kEq, kNeq, kRe, kNre, kNpa,                // = != =~ !~ !>
  kPipeExact, kPipeMatch, kPipePattern, kPipe,  // |= |~ |> |
  // Keywords (case-insensitive, anywhere).
  kBy, kWithout, kBool, kOffset, kOn, kIgnoring, kGroupLeft, kGroupRight,
  kOr, kAnd, kUnless,
  kJson, kRegexp, kLogfmt, kUnpack, kPattern, kLabelFmt, kLineFmt,
  kDecolorize, kDrop, kKeep, kVariants, kOf, kUnwrap,
  // Binary operators.
  kAdd, kSub, kMul, kDiv, kMod, kPow, kCmpEq, kGt, kGte, kLt, kLte,
  // Function keywords: only when followed by `(` (or by/without and `(`).
  kRangeOp,   // Token::range_op
  kVectorOp,  // Token::vector_op
  kVector, kLabelReplace, kIp,
  kBytesConv, kDurationConv, kDurationSecondsConv,
};

struct Token {
  Tok type = Tok::kEof;
  uint32_t start = 0;  // byte offsets into the query
  uint32_t end = 0;
  std::string_view text;  // as written
  // kString: the value. Most strings hold no escape: `raw` is then the
  // view of their body in the query; the others are decoded into `str`
  // (escaped = true).
  std::string_view raw;
  std::string str;
  bool escaped = false;
  std::string_view value() const { return escaped ? std::string_view(str) : raw; }
  // Set for their token types only (kDuration and kRange, kBytes,
  // kRangeOp, kVectorOp); Next() leaves them as they were for the others.
  int64_t duration_ns = 0;
  uint64_t bytes = 0;
  RangeOp range_op = RangeOp::kCountOverTime;
  VectorOp vector_op = VectorOp::kSum;
  // lex.go finished the token with Scanner.Next(), which zeroes the line
  // of the position Loki reports (two-character operators, ranges,
  // durations, bytes, flags).
  bool line_zero = false;
};

// Thread-compatible. The query must outlive the lexer.
class Lexer {
 public:
  explicit Lexer(std::string_view input) : input_(input) {}

  // The next token, written over *t (its string's buffer is reused).
  // After kError or kEof, the same again.
  void Next(Token* t);
  Token Next() {
    Token t;
    Next(&t);
    return t;
  }
  // The token after the next one would start here (for one-token lookahead
  // the parser keeps itself); exposed for tests.
  uint32_t pos() const { return pos_; }

  // kError: Loki's message, the code and where.
  const std::string& error_message() const { return error_message_; }
  ParseErrorCode error_code() const { return error_code_; }
  uint32_t error_offset() const { return error_offset_; }
  bool error_line_zero() const { return error_line_zero_; }

 private:
  [[gnu::cold, gnu::noinline]] void Error(Token* t, uint32_t at, ParseErrorCode code,
                                         std::string_view message);
  // Next() dispatches to these by tail calls; out of line, they leave it
  // without registers to save.
  [[gnu::noinline]] void LexNumber(uint32_t start, Token* t);
  [[gnu::noinline]] void LexIdentifier(uint32_t start, Token* t);
  [[gnu::noinline]] void LexIdentifierSlow(uint32_t start, Token* t);
  [[gnu::noinline]] void LexFunctionKeyword(uint32_t after, uint32_t k, Token* t);
  [[gnu::noinline]] void LexString(uint32_t start, char quote, Token* t);
  [[gnu::noinline]] void LexEscapedString(uint32_t start, char quote, Token* t);
  [[gnu::noinline]] void LexOther(uint32_t start, Token* t);
  bool IsFunctionFollowing(uint32_t pos) const;
  bool TryScanDuration(uint32_t start, Token* t);
  bool TryScanBytes(uint32_t start, Token* t);
  [[gnu::noinline]] bool SkipSpaceAndComments(Token* err);
  [[gnu::noinline]] void NextAfterSpace(uint32_t pos, Token* t);
  void Dispatch(uint32_t pos, Token* t);

  std::string_view input_;
  uint32_t pos_ = 0;
  bool failed_ = false;
  std::string error_message_;
  ParseErrorCode error_code_ = ParseErrorCode::kOk;
  uint32_t error_offset_ = 0;
  bool error_line_zero_ = false;
};

// Loki's name of a token in "unexpected ..." (the yacc token name, or the
// token's text for the operators and keywords of lex.go's table).
std::string_view TokenName(Tok t);

// Line and column (1-based) of byte `offset`: columns in runes (Go's
// text/scanner, for Loki's messages) or in bytes.
struct LineColumn {
  uint32_t line = 1;
  uint32_t column = 1;
};
LineColumn LineColumnAt(std::string_view text, uint32_t offset, bool runes);

// humanize.ParseBytes ("5MB", "1.5KiB", "10B"); false if not a size.
bool ParseHumanBytes(std::string_view s, uint64_t* out);
// humanize.Bytes with its spaces removed ("1.0kB", "5B").
void AppendHumanBytes(uint64_t v, std::string* out);
// lex.go's parseDuration: model.ParseDuration, then time.ParseDuration.
bool ParseLokiDuration(std::string_view s, int64_t* ns);

}  // namespace obsv::logql::internal

#endif  // OBSV_SRC_LOGQL_LEXER_H_
