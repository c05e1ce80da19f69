// The LogQL lexer: tokens of Loki's lex.go (lex_test.go's cases).
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "logql/lexer.h"

namespace obsv::logql::internal {
namespace {

std::vector<Tok> Lex(std::string_view q) {
  Lexer lex(q);
  std::vector<Tok> out;
  while (true) {
    Token t = lex.Next();
    if (t.type == Tok::kEof || t.type == Tok::kError) {
      if (t.type == Tok::kError) out.push_back(t.type);
      return out;
    }
    out.push_back(t.type);
  }
}

TEST(LogqlLexerTest, Tokens) {
  using T = Tok;
  struct Case {
    std::string_view in;
    std::vector<Tok> want;
  };
  const Case cases[] = {
      {R"({foo="bar"})", {T::kLBrace, T::kIdentifier, T::kEq, T::kString, T::kRBrace}},
      {R"(rate({foo="bar"}[10s]))",
       {T::kRangeOp, T::kLParen, T::kLBrace, T::kIdentifier, T::kEq, T::kString, T::kRBrace,
        T::kRange, T::kRParen}},
      {R"({foo="bar"} |= "x" != "y" |~ "z" !~ "w" |> "p" !> "q")",
       {T::kLBrace, T::kIdentifier, T::kEq, T::kString, T::kRBrace, T::kPipeExact, T::kString,
        T::kNeq, T::kString, T::kPipeMatch, T::kString, T::kNre, T::kString, T::kPipePattern,
        T::kString, T::kNpa, T::kString}},
      // Keywords are case-insensitive; function names need a `(`.
      {"SUM by (a) (x)", {T::kVectorOp, T::kBy, T::kLParen, T::kIdentifier, T::kRParen,
                          T::kLParen, T::kIdentifier, T::kRParen}},
      {"sum", {T::kIdentifier}},
      {"sum without(", {T::kVectorOp, T::kWithout, T::kLParen}},
      {"rate", {T::kIdentifier}},
      {"ip(", {T::kIp, T::kLParen}},
      {"ip", {T::kIdentifier}},
      {"json JSON Json", {T::kJson, T::kJson, T::kJson}},
      // Numbers, durations, bytes.
      {"5 5.5 .5 1e3", {T::kNumber, T::kNumber, T::kNumber, T::kNumber}},
      {"5m 1h30m 1.5h 250ms 10us 1d 2w 1y", {T::kDuration, T::kDuration, T::kDuration, T::kDuration,
                                             T::kDuration, T::kDuration, T::kDuration, T::kDuration}},
      {"-5m", {T::kDuration}},
      {"- 5", {T::kSub, T::kNumber}},
      {"-5", {T::kSub, T::kNumber}},
      {"5KB 1.5GiB 10B 3MB", {T::kBytes, T::kBytes, T::kBytes, T::kBytes}},
      {"--strict --keep-empty", {T::kParserFlag, T::kParserFlag}},
      {"--other", {T::kSub, T::kSub, T::kIdentifier}},
      // Operators.
      {"== != >= <= > < + - * / % ^",
       {T::kCmpEq, T::kNeq, T::kGte, T::kLte, T::kGt, T::kLt, T::kAdd, T::kSub, T::kMul, T::kDiv,
        T::kMod, T::kPow}},
      // Comments.
      {"# all of this\n{", {T::kLBrace}},
      {"/* c */ { // x", {T::kLBrace}},
      // Anything else is an identifier to the grammar.
      {"@", {T::kIdentifier}},
      {"[5x]", {T::kError}},
      {"[5m", {T::kError}},
      {"\"abc", {T::kError}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.in);
    EXPECT_EQ(Lex(c.in), c.want);
  }
}

TEST(LogqlLexerTest, Values) {
  Lexer lex(R"(`a\b` "c\"d" [1h30m] 90s 20MB 1KiB)");
  Token t = lex.Next();
  EXPECT_EQ(t.str, "a\\b");
  t = lex.Next();
  EXPECT_EQ(t.str, "c\"d");
  t = lex.Next();
  EXPECT_EQ(t.duration_ns, int64_t{5400} * 1'000'000'000);
  t = lex.Next();
  EXPECT_EQ(t.duration_ns, int64_t{90} * 1'000'000'000);
  t = lex.Next();
  EXPECT_EQ(t.bytes, 20'000'000u);
  t = lex.Next();
  EXPECT_EQ(t.bytes, 1024u);
}

TEST(LogqlLexerTest, HumanBytes) {
  struct Case {
    uint64_t v;
    std::string_view want;
  };
  // humanize.Bytes: SI units, one decimal below 10.
  const Case cases[] = {{0, "0B"}, {9, "9B"}, {10, "10B"}, {999, "999B"}, {1000, "1.0kB"},
                        {1024, "1.0kB"}, {1500, "1.5kB"}, {20'000'000, "20MB"},
                        {1'500'000'000, "1.5GB"}, {123'456'789, "124MB"}};
  for (const Case& c : cases) {
    std::string out;
    AppendHumanBytes(c.v, &out);
    EXPECT_EQ(out, c.want) << c.v;
  }
}

}  // namespace
}  // namespace obsv::logql::internal
