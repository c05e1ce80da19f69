// The PromQL lexer (internal): tokens of Prometheus 3's promql/parser/lex.go,
// pulled one at a time by the parser.
#ifndef OBSV_SRC_PROMQL_LEXER_H_
#define OBSV_SRC_PROMQL_LEXER_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "common/go_strconv.h"
#include "obsv/parse_error.h"
#include "obsv/promql.h"

namespace obsv::promql::internal {

enum class Tok : unsigned char {
  kEof,
  kError,  // Lexer::error_message() / error_code()
  kIdentifier,
  kMetricIdentifier,  // an identifier with a ':'
  kNumber,
  kDuration,
  kString,  // Lexer::string_value() holds the unescaped value
  kLParen, kRParen, kLBrace, kRBrace, kLBracket, kRBracket,
  kComma, kColon, kEql,  // `=`
  kEqlRegex, kNeqRegex,
  // Binary operators (kBinaryOp; Token::binary_op tells which).
  kBinaryOp,
  kAt,
  kAggregator,  // Token::aggregate_op tells which
  // Keywords.
  kOffset, kBy, kWithout, kOn, kIgnoring, kGroupLeft, kGroupRight, kBool,
  kStart, kEnd, kStep, kSmoothed, kAnchored,
};

// 12 bytes, returned in registers; its text is Lexer::Text().
struct Token {
  Tok type = Tok::kEof;
  BinaryOp binary_op = BinaryOp::kAdd;
  AggregateOp aggregate_op = AggregateOp::kSum;
  uint32_t start = 0;
  uint32_t end = 0;
};

// Thread-compatible. The query must outlive the lexer.
class Lexer {
 public:
  explicit Lexer(std::string_view input) : input_(input) {}

  // The next token. After kError or kEof, returns the same again.
  Token Next();

  // The text of `t` as written, a view into the query.
  std::string_view Text(const Token& t) const {
    return std::string_view(input_.data() + t.start, t.end - t.start);
  }

  // kError: what went wrong (Prometheus's wording) and the code.
  const std::string& error_message() const { return error_message_; }
  ParseErrorCode error_code() const { return error_code_; }
  // kString: the unescaped value of the last string token, valid until the
  // next call to Next() (a view into the query when it has no escapes).
  std::string_view string_value() const { return string_view_; }

 private:
  Token Emit(Tok type, uint32_t start);
  // Errors are out of line, to keep the hot paths small.
  [[gnu::cold, gnu::noinline]] Token Error(uint32_t start, ParseErrorCode code,
                                           std::string_view message);
  // "<prefix><the rune at `at`, Go-quoted>" ("U+FFFFFFFFFFFFFFFF" past the end).
  [[gnu::cold, gnu::noinline]] Token UnexpectedChar(uint32_t start, uint32_t at,
                                                    std::string_view prefix);
  Token LexInsideBraces();
  Token LexInsideBrackets();
  Token LexDurationKeyword(uint32_t start);
  Token LexNumberOrDuration(uint32_t start);
  Token LexString(uint32_t start, char quote);
  Token LexIdentifier(uint32_t start, bool keywords);
  bool ScanNumber();
  void SkipSpaceAndComments();

  std::string_view input_;
  uint32_t pos_ = 0;
  int paren_depth_ = 0;
  bool brace_open_ = false;
  bool bracket_open_ = false;
  bool got_colon_ = false;
  bool got_duration_ = false;
  bool colon_error_pending_ = false;  // `[step():`: the error follows the colon
  // After the first number in `[...]` Prometheus lexes the rest of the
  // brackets with lexStatements, whose errors differ from lexDurationExpr's.
  bool bracket_statements_ = false;
  bool done_ = false;
  Token last_;  // the kEof or kError token, returned again once done_
  std::string error_message_;
  ParseErrorCode error_code_ = ParseErrorCode::kOk;
  std::string string_value_;  // an unescaped value, when it has escapes
  std::string_view string_view_;
};

// How Prometheus names a token in "unexpected ..." (Item.desc()).
std::string DescribeToken(const Token& t, std::string_view input);

// Go formatting and parsing shared with the LogQL module (common/go_strconv.h).
using obsv::internal::AppendDuration;
using obsv::internal::AppendGoFloatF;
using obsv::internal::AppendGoQuote;
using obsv::internal::DecodeRune;
using obsv::internal::GoQuoteRune;
using obsv::internal::IsLegacyLabelName;
using obsv::internal::IsLegacyMetricName;
using obsv::internal::ParsePromDuration;
using obsv::internal::PromDurationError;

}  // namespace obsv::promql::internal

#endif  // OBSV_SRC_PROMQL_LEXER_H_
