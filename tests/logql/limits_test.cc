// LogQL parser budgets (ParserOptions): deep nesting and huge queries fail
// with kLimitExceeded at the place, without exhausting the stack.
#include <string>

#include <gtest/gtest.h>

#include "obsv/logql.h"

namespace obsv::logql {
namespace {

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out.append(s);
  return out;
}

ParseError ParseErr(const std::string& q, const ParserOptions& o = {}) {
  ExprPtr out;
  return Parse(q, o, &out);
}

TEST(LogqlLimitsTest, QueryBytes) {
  // Loki: "input size too long (N > 131072)" for 131072 bytes and more.
  std::string q = R"({app="foo"} |= ")" + std::string(131072, 'x') + "\"";
  auto r = Parse(q);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(r.status().message(),
            "parse error : input size too long (" + std::to_string(q.size()) + " > 131072)");
  ParserOptions small;
  small.max_query_bytes = 10;
  EXPECT_EQ(ParseErr(R"({app="foo"})", small).code, ParseErrorCode::kLimitExceeded);
  small.max_query_bytes = 11;
  EXPECT_TRUE(ParseErr(R"({app="foo"})", small).ok());
}

TEST(LogqlLimitsTest, DeepParentheses) {
  for (int n : {300, 60'000}) {
    std::string q = Repeat("(", n) + "1" + Repeat(")", n);
    ParseError e = ParseErr(q);
    EXPECT_EQ(e.code, ParseErrorCode::kLimitExceeded) << n;
    EXPECT_EQ(e.offset, 257u) << n;  // the first token at level 257
  }
  std::string ok = Repeat("(", 200) + "1" + Repeat(")", 200);
  EXPECT_TRUE(ParseErr(ok).ok());
}

TEST(LogqlLimitsTest, DeepAggregations) {
  std::string q = Repeat("sum(", 5000) + R"(rate({a="b"}[1m]))" + Repeat(")", 5000);
  EXPECT_EQ(ParseErr(q).code, ParseErrorCode::kLimitExceeded);
  std::string ok = Repeat("sum(", 100) + R"(rate({a="b"}[1m]))" + Repeat(")", 100);
  auto r = Parse(ok);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Format(**r), ok);
}

TEST(LogqlLimitsTest, LongOperatorChains) {
  // Left-associative chains are as high as they are long.
  std::string chain = R"(rate({a="b"}[1m]))" + Repeat(R"( + rate({a="b"}[1m]))", 50'000);
  EXPECT_EQ(ParseErr(chain).code, ParseErrorCode::kLimitExceeded);
  std::string pow = "rate({a=\"b\"}[1m])" + Repeat(" ^ rate({a=\"b\"}[1m])", 50'000);
  EXPECT_EQ(ParseErr(pow).code, ParseErrorCode::kLimitExceeded);
  std::string filters = R"({a="b"} | x="1")" + Repeat(R"( and x="1")", 50'000);
  ParserOptions o;
  o.max_query_bytes = 1 << 24;
  EXPECT_EQ(ParseErr(filters, o).code, ParseErrorCode::kLimitExceeded);
  std::string nested = R"({a="b"} | )" + Repeat("(", 50'000) + R"(x="1")" + Repeat(")", 50'000);
  EXPECT_EQ(ParseErr(nested, o).code, ParseErrorCode::kLimitExceeded);
  std::string ok = R"(rate({a="b"}[1m]))" + Repeat(R"( + rate({a="b"}[1m]))", 100);
  EXPECT_TRUE(ParseErr(ok).ok());
}

TEST(LogqlLimitsTest, NodesSelectorsStages) {
  ParserOptions o;
  o.max_selectors = 3;
  std::string four = R"(rate({a="b"}[1m]) + rate({a="b"}[1m]) + rate({a="b"}[1m]) + rate({a="b"}[1m]))";
  ParseError e = ParseErr(four, o);
  EXPECT_EQ(e.code, ParseErrorCode::kLimitExceeded);
  EXPECT_EQ(e.offset, four.rfind('{'));
  o.max_selectors = 4;
  EXPECT_TRUE(ParseErr(four, o).ok());

  ParserOptions p;
  p.max_pipeline_stages = 10;
  std::string stages = R"({a="b"})" + Repeat(R"( |= "x")", 11);
  EXPECT_EQ(ParseErr(stages, p).code, ParseErrorCode::kLimitExceeded);
  std::string ten = R"({a="b"})" + Repeat(R"( |= "x")", 10);
  EXPECT_TRUE(ParseErr(ten, p).ok());

  ParserOptions n;
  n.max_nodes = 20;
  std::string many = R"({a="b"})" + Repeat(R"( | json)", 30);
  EXPECT_EQ(ParseErr(many, n).code, ParseErrorCode::kLimitExceeded);
}

TEST(LogqlLimitsTest, ManyStagesAndMatchersAreFine) {
  std::string q = R"({a="b")" + Repeat(R"(, c="d")", 2000) + "}" + Repeat(R"( |= "x" | json)", 400);
  auto r = Parse(q);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(Format(**Parse(Format(**r))), Format(**r));
}

}  // namespace
}  // namespace obsv::logql
