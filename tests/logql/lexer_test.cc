// The LogQL lexer: tokens of Loki's lex.go (lex_test.go's cases).
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "logql/label_regex.h"
#include "logql/lexer.h"
#include "logql/printer.h"
#include "re2/re2.h"

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
  EXPECT_EQ(t.value(), "a\\b");
  t = lex.Next();
  EXPECT_EQ(t.value(), "c\"d");
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

// The parser's quick regex reading against RE2 itself: whatever it vouches
// for RE2 accepts, with the same named captures and the same match of the
// empty text (RE2 built as the parser builds it).
TEST(LogqlRegexTest, QuickCheckAgreesWithRe2) {
  static const char* const kPieces[] = {
      "a", "b", "Z", "_", "0", "7", " ", ",", ":", "-", "=", "<", ">", "/", "\xc3\xa9",
      "\xe2\x82\xac", "\xff", ".", "*", "+", "?", "|", "(", ")", "(?:", "(?i)", "(?i:", "(?s)",
      "(?U)", "(?m", "(?im:", "(?-i)", "(?P<n>", "(?P<", "(?P=n)", "(?<n>", "(?", "[", "]", "[^",
      "[:", "[:alpha:]", "^", "$", "{", "}", "{2}", "{1,", "{,3}", "{0}", "{2,5}", "{3,}",
      "{1000}", "{01}", "{40}", "{1,1001}", "{0,1}", "\\", "\\d", "\\W", "\\s",
      "\\b", "\\B", "\\A", "\\z", "\\Z", "\\.", "\\_", "\\n", "\\t", "\\a", "\\-", "\\]", "\\[",
      "\\\\", "\\p", "\\pL", "\\Q", "\\E", "\\x", "\\x41", "\\0", "\\8", "\\C", "\\e", "\\y",
      "\\ ", ".*", ".+", "a-z", "z-a", "\\d-", "-\\d",
  };
  constexpr size_t kNumPieces = sizeof(kPieces) / sizeof(kPieces[0]);
  RE2::Options plain;
  plain.set_log_errors(false);
  RE2::Options dot_nl = plain;
  dot_nl.set_dot_nl(true);
  std::mt19937 rng(20261203);
  int vouched = 0;
  constexpr int kPatterns = 60000;
  for (int k = 0; k < kPatterns; ++k) {
    std::string p;
    int len = 1 + static_cast<int>(rng() % 10);
    for (int j = 0; j < len; ++j) p += kPieces[rng() % kNumPieces];
    RegexFacts facts;
    if (!QuickCheckRegex(p, &facts)) continue;
    ++vouched;
    SCOPED_TRACE(p);
    RE2 re(p, plain);
    ASSERT_TRUE(re.ok()) << re.error();
    EXPECT_EQ(facts.has_named_capture, !re.NamedCapturingGroups().empty());
    RE2 re_nl(p, dot_nl);
    ASSERT_TRUE(re_nl.ok());
    EXPECT_EQ(facts.matches_empty, RE2::FullMatch("", re_nl));
  }
  // The reading covers a fair share of the shapes, not just the trivial ones.
  EXPECT_GT(vouched, kPatterns / 10);

  for (const char* p : {"", ".*", ".+", "a|", "(a|b)*", "(?i)foo|bar", "^$", "\\bfoo\\b",
                        "(?P<x>.+)", "[a-z]+", "(\\S+ {1,2}){11}", "a{0}", "[]a]", "[^]a-]",
                        "a{", "x{,3}", "\\B"}) {
    SCOPED_TRACE(p);
    RegexFacts facts;
    ASSERT_TRUE(QuickCheckRegex(p, &facts));
    RE2 re_nl(p, dot_nl);
    EXPECT_EQ(facts.matches_empty, RE2::FullMatch("", re_nl));
  }
  for (const char* p : {"a**", "*", "(", ")", "[a", "a{1001}", "(a{10}){101}", "\\pL",
                        "[[:alpha:]]", "\\Z", "\\8", "(?<n>a)", "(?P<>a)", "\xff"}) {
    SCOPED_TRACE(p);
    RegexFacts facts;
    EXPECT_FALSE(QuickCheckRegex(p, &facts));
  }
}

// The printer's quick shapes of label-filter regexes decide as the tree.
TEST(LogqlRegexTest, KeptAsRegexpQuickShapesAgreeWithTree) {
  static const char* const kPieces[] = {
      "a", "b", "ab", "ba", "abc", "team-", "x", "-", "/", ":", " ", "\xc3\xa9", "|", "||",
      ".*", ".+", ".", "*", "?", "(", ")", "(?i)", "[a]", "\\.", "^", "$", "\x00",
      "[0-9]", "[^a]", "[]a]", "[^]", "[", "]", "5", ".*?", "+?", "??", "{2}", "\xff",
      "\\d", "\\w+", "\\\\", "\\Q", "\\E", "\\x41", "(?P<n>", "(?:", "[\\d]", "[\\]]", "\\^", "(?", "?[ab]",
  };
  constexpr size_t kNumPieces = sizeof(kPieces) / sizeof(kPieces[0]);
  std::mt19937 rng(11);
  for (int k = 0; k < 100000; ++k) {
    std::string p;
    int len = 1 + static_cast<int>(rng() % 7);
    for (int j = 0; j < len; ++j) {
      const char* piece = kPieces[rng() % kNumPieces];
      p += *piece == '\0' ? std::string(1, '\0') : std::string(piece);
    }
    SCOPED_TRACE(p);
    ASSERT_EQ(LabelRegexIsKeptAsRegexp(p), LabelRegexIsKeptAsRegexpByTree(p));
  }
  for (const char* p : {"error|warn", "team-a|team-b", "a|b", "web.*", ".*flush.*", ".*", "",
                        "ab|ac", "ab|cd|ab", "ERR|CRIT", "5..", "5[0-9][0-9]", "$level",
                        "Notify.*failed", "Sync operation.*failed.*", ".*x.*?", ".+", "[x]y.*", "^(12|34|56)$",
                        "o.e.c.r.a.DiskThresholdMonitor|o.e.m.j.JvmGcMonitorService", "UH|UF|URX",
                        ".*?(GET|POST) /api/(?i)(\\d+[a-z]|[a-z]+\\d)\\w*/query", "(?i).*bot.*",
                        "a|\\Qb\\d\\E", "(a|b\\d)", "x\\\\d", "(?[ab])", "(?i.)a"}) {
    SCOPED_TRACE(p);
    EXPECT_EQ(LabelRegexIsKeptAsRegexp(p), LabelRegexIsKeptAsRegexpByTree(p));
  }
}

}  // namespace
}  // namespace obsv::logql::internal
