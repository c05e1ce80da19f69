// LogQL parser and printer: every construct of Loki 3's grammar with the
// text Loki's String() gives it (each expectation follows a String() method
// of pkg/logql/syntax/ast.go or pkg/logql/log, named in the comment), errors
// with positions, and round trips (Format is idempotent and re-parses to the
// same tree).
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "obsv/logql.h"

namespace obsv::logql {
namespace {

struct RoundTrip {
  std::string_view in;
  std::string_view out;  // Loki's String(); empty: same as `in`
};

const RoundTrip kRoundTrips[] = {
    // MatchersExpr.String(): matchers in input order, ", " between them,
    // values strconv.Quote'd.
    {R"q({app="foo"})q", ""},
    {R"q({app="foo",env=~"prod|dev", x!="y",  z!~`a.*`})q",
     R"q({app="foo", env=~"prod|dev", x!="y", z!~"a.*"})q"},
    {"{app=\"a\\\"b\\n\"}", ""},
    {R"q({app=`C:\path`})q", R"q({app="C:\\path"})q"},
    {R"q(  { app = "foo" }  )q", R"q({app="foo"})q"},
    {"{app=\"foo\"} # a comment", R"q({app="foo"})q"},
    {"{app=\"foo\"} // a Go comment", R"q({app="foo"})q"},
    // Line filters: LineFilterExpr.String(), type then strconv.Quote.
    {R"q({app="foo"} |= "bar")q", ""},
    {R"q({app="foo"} != "bar" |~ "b.r" !~ `b\d` |> "<_> x" !> "y <_>")q",
     R"q({app="foo"} != "bar" |~ "b.r" !~ "b\\d" |> "<_> x" !> "y <_>")q"},
    {R"q({app="foo"}|="bar")q", R"q({app="foo"} |= "bar")q"},
    // `or` chains: positive ones print with " or " (IsOrChild drops the
    // type), negative ones are expanded by newNestedLineFilterExpr.
    {R"q({app="foo"} |= "a" or "b" or "c")q", ""},
    {R"q({app="foo"} |~ "a" or "b")q", ""},
    {R"q({app="foo"} != "a" or "b" or "c")q", R"q({app="foo"} != "a" != "b" != "c")q"},
    {R"q({app="foo"} !~ "a" or "b")q", R"q({app="foo"} !~ "a" !~ "b")q"},
    {R"q({app="foo"} |= ip("1.2.3.4"))q", ""},
    {R"q({app="foo"} != ip("1.2.3.0/24"))q", ""},
    {R"q({app="foo"} |= "a" or ip("1.1.1.1"))q", ""},
    {R"q({app="foo"} |= ip("1.1.1.1") or "a")q", ""},
    // newOrLineFilter sets left.Or = right: a chain closed by ip() and
    // continued by another `or` loses what came before.
    {R"q({app="foo"} |= "a" or ip("b") or "c")q", R"q({app="foo"} |= "a" or "c")q"},
    // Parsers: LabelParserExpr, JSONExpressionParser, LogfmtParserExpr,
    // LogfmtExpressionParser.
    {R"q({app="foo"} | json)q", ""},
    {R"q({app="foo"} | logfmt)q", ""},
    {R"q({app="foo"} | unpack)q", ""},
    {R"q({app="foo"} | regexp "(?P<a>\\w+)")q", ""},
    {R"q({app="foo"} | regexp `(?P<a>\w+)`)q", R"q({app="foo"} | regexp "(?P<a>\\w+)")q"},
    {R"q({app="foo"} | pattern "<ip> - <_>")q", ""},
    {R"q({app="foo"} | json a="b.c", d)q", R"q({app="foo"} | json a="b.c",d="d")q"},
    {R"q({app="foo"} | logfmt --strict)q", ""},
    {R"q({app="foo"} | logfmt --keep-empty --strict)q", R"q({app="foo"} | logfmt --strict --keep-empty)q"},
    {R"q({app="foo"} | logfmt --strict a, b="c")q", R"q({app="foo"} | logfmt --strict a="a",b="c")q"},
    {R"q({app="foo"} | logfmt a)q", R"q({app="foo"} | logfmt a="a")q"},
    {R"q({app="foo"} | JSON)q", R"q({app="foo"} | json)q"},
    // Label filters: LabelFilterExpr "| " + the filterer's String().
    {R"q({app="foo"} | a="b")q", ""},
    {R"q({app="foo"} | a!="b")q", ""},
    {R"q({app="foo"} | a=~"bb|cc")q", ""},
    // Go's parser merges single-character alternatives into a class, which
    // the simplifier does not reduce: kept as a regexp.
    {R"q({app="foo"} | a=~"b|c")q", R"q({app="foo"} | a=~`b|c`)q"},
    // Common prefixes are factored out: "fo(?:o|b)" ends in a class.
    {R"q({app="foo"} | a=~"foo|fob")q", R"q({app="foo"} | a=~`foo|fob`)q"},
    {R"q({app="foo"} | a=~"error|err")q", ""},
    {R"q({app="foo"} | a=~"(?i)error")q", ""},
    {R"q({app="foo"} | a=~".+")q", ""},
    {R"q({app="foo"} | a=~`\x41b`)q", R"q({app="foo"} | a=~"\\x41b")q"},
    {R"q({app="foo"} | a=~`\Qa.b\E`)q", R"q({app="foo"} | a=~"\\Qa.b\\E")q"},
    {R"q({app="foo"} | a=~`\bx`)q", ""},
    {R"q({app="foo"} | a=~"b.*")q", ""},
    {R"q({app="foo"} | a=~".*")q", ""},
    // LineFilterLabelFilter.String(): a regexp Loki keeps prints in `...`.
    {R"q({app="foo"} | a=~"5..")q", R"q({app="foo"} | a=~`5..`)q"},
    {R"q({app="foo"} | a=~"^b$")q", R"q({app="foo"} | a=~`^b$`)q"},
    {R"q({app="foo"} | a!~"5..")q", ""},
    {R"q({app="foo"} | status >= 400)q", R"q({app="foo"} | status>=400)q"},
    {R"q({app="foo"} | status == 400)q", R"q({app="foo"} | status==400)q"},
    {R"q({app="foo"} | status = 400)q", R"q({app="foo"} | status==400)q"},
    {R"q({app="foo"} | status != -1.5)q", R"q({app="foo"} | status!=-1.5)q"},
    {R"q({app="foo"} | status < 1e3)q", R"q({app="foo"} | status<1000)q"},
    // DurationLabelFilter: time.Duration.String().
    {R"q({app="foo"} | latency > 250ms)q", R"q({app="foo"} | latency>250ms)q"},
    {R"q({app="foo"} | latency <= 1m30s)q", R"q({app="foo"} | latency<=1m30s)q"},
    {R"q({app="foo"} | latency > 1h)q", R"q({app="foo"} | latency>1h0m0s)q"},
    {R"q({app="foo"} | latency > 1.5s)q", R"q({app="foo"} | latency>1.5s)q"},
    {R"q({app="foo"} | latency > 1d)q", R"q({app="foo"} | latency>24h0m0s)q"},
    // BytesLabelFilter: humanize.Bytes without spaces.
    {R"q({app="foo"} | size > 20MB)q", R"q({app="foo"} | size>20MB)q"},
    {R"q({app="foo"} | size > 1KiB)q", R"q({app="foo"} | size>1.0kB)q"},
    {R"q({app="foo"} | size < 5B)q", R"q({app="foo"} | size<5B)q"},
    {R"q({app="foo"} | size >= 1.5GB)q", R"q({app="foo"} | size>=1.5GB)q"},
    // IPLabelFilter: `=` for equality.
    {R"q({app="foo"} | addr = ip("10.0.0.0/8"))q", R"q({app="foo"} | addr=ip("10.0.0.0/8"))q"},
    {R"q({app="foo"} | addr != ip("::1"))q", R"q({app="foo"} | addr!=ip("::1"))q"},
    // BinaryLabelFilter.String(): "( l , r )" for and, "( l or r )".
    {R"q({app="foo"} | a="b" and c="d")q", R"q({app="foo"} | ( a="b" , c="d" ))q"},
    {R"q({app="foo"} | a="b", c="d")q", R"q({app="foo"} | ( a="b" , c="d" ))q"},
    {R"q({app="foo"} | a="b" c="d")q", R"q({app="foo"} | ( a="b" , c="d" ))q"},
    {R"q({app="foo"} | a="b" or c="d")q", R"q({app="foo"} | ( a="b" or c="d" ))q"},
    // and binds tighter than or; both left-associative.
    {R"q({app="foo"} | a="1" or b="2" and c="3")q",
     R"q({app="foo"} | ( a="1" or ( b="2" , c="3" ) ))q"},
    {R"q({app="foo"} | a="1" and b="2" or c="3")q",
     R"q({app="foo"} | ( ( a="1" , b="2" ) or c="3" ))q"},
    {R"q({app="foo"} | a="1" and b="2" and c="3")q",
     R"q({app="foo"} | ( ( a="1" , b="2" ) , c="3" ))q"},
    // `,` and juxtaposition have no precedence: yacc shifts, so they take
    // everything to their right.
    {R"q({app="foo"} | a="1", b="2" or c="3")q",
     R"q({app="foo"} | ( a="1" , ( b="2" or c="3" ) ))q"},
    {R"q({app="foo"} | a="1" and b="2", c="3")q",
     R"q({app="foo"} | ( a="1" , ( b="2" , c="3" ) ))q"},
    {R"q({app="foo"} | (a="1" or b="2") and c="3")q",
     R"q({app="foo"} | ( ( a="1" or b="2" ) , c="3" ))q"},
    // Formatting stages.
    {R"q({app="foo"} | line_format "{{.a}}")q", ""},
    {R"q({app="foo"} | line_format `{{.a}} "x"`)q", R"q({app="foo"} | line_format "{{.a}} \"x\"")q"},
    {R"q({app="foo"} | label_format a=b, c="{{.d}}")q", R"q({app="foo"} | label_format a=b,c="{{.d}}")q"},
    {R"q({app="foo"} | decolorize)q", ""},
    {R"q({app="foo"} | drop a, b="c", d=~"e")q", R"q({app="foo"} | drop a,b="c",d=~"e")q"},
    {R"q({app="foo"} | keep a, b!="c")q", R"q({app="foo"} | keep a,b!="c")q"},
    {R"q({app="foo"} |= "x" | json | a="b" | line_format "{{.c}}")q", ""},
    // RangeAggregationExpr.String(): op(range) with LogRange.String(): the
    // selector and pipeline, the unwrap, [model.Duration], " offset " and
    // time.Duration.String().
    {R"q(count_over_time({app="foo"}[5m]))q", ""},
    {R"q(rate({app="foo"} |= "x" [1h]))q", R"q(rate({app="foo"} |= "x"[1h]))q"},
    {R"q(rate({app="foo"}[5m] |= "x"))q", R"q(rate({app="foo"} |= "x"[5m]))q"},
    {R"q(rate({app="foo"}[90s]))q", R"q(rate({app="foo"}[1m30s]))q"},
    {R"q(rate({app="foo"}[1d]))q", ""},
    {R"q(rate({app="foo"}[1w]))q", ""},
    {R"q(rate({app="foo"}[5m] offset 1h))q", R"q(rate({app="foo"}[5m] offset 1h0m0s))q"},
    {R"q(rate({app="foo"}[5m] offset 5m))q", R"q(rate({app="foo"}[5m] offset 5m0s))q"},
    {R"q(rate({app="foo"}[5m] offset -5m))q", R"q(rate({app="foo"}[5m] offset -5m0s))q"},
    {R"q(rate({app="foo"} | json [5m] offset 1d))q",
     R"q(rate({app="foo"} | json[5m] offset 24h0m0s))q"},
    {R"q(rate(({app="foo"} |= "x")[5m]))q", R"q(rate({app="foo"} |= "x"[5m]))q"},
    {R"q(rate(({app="foo"})[5m]))q", R"q(rate({app="foo"}[5m]))q"},
    {R"q(rate((({app="foo"}[5m]))))q", R"q(rate({app="foo"}[5m]))q"},
    {R"q(bytes_over_time({app="foo"}[5m]))q", ""},
    {R"q(bytes_rate({app="foo"}[5m]))q", ""},
    {R"q(absent_over_time({app="foo"}[5m]))q", ""},
    {R"q(sum_over_time({app="foo"} | unwrap bytes[5m]))q", R"q(sum_over_time({app="foo"} | unwrap bytes[5m]))q"},
    {R"q(sum_over_time({app="foo"} | logfmt | unwrap latency [5m]))q",
     R"q(sum_over_time({app="foo"} | logfmt | unwrap latency[5m]))q"},
    {R"q(avg_over_time({app="foo"} | unwrap duration(d) | __error__="" [5m]) by (a))q",
     R"q(avg_over_time({app="foo"} | unwrap duration(d) | __error__=""[5m]) by (a))q"},
    {R"q(max_over_time({app="foo"} | unwrap bytes(b) [5m]) without (a, b))q",
     R"q(max_over_time({app="foo"} | unwrap bytes(b)[5m]) without (a,b))q"},
    {R"q(min_over_time({app="foo"} | unwrap duration_seconds(d) [5m]) by ())q",
     R"q(min_over_time({app="foo"} | unwrap duration_seconds(d)[5m]) by ())q"},
    {R"q(quantile_over_time(0.99, {app="foo"} | json | unwrap latency [5m]) by (a))q",
     R"q(quantile_over_time(0.99,{app="foo"} | json | unwrap latency[5m]) by (a))q"},
    {R"q(stddev_over_time({app="foo"}[5m] | unwrap x))q", R"q(stddev_over_time({app="foo"} | unwrap x[5m]))q"},
    {R"q(stdvar_over_time({app="foo"}[5m] offset 1m | json | unwrap x))q",
     R"q(stdvar_over_time({app="foo"} | json | unwrap x[5m] offset 1m0s))q"},
    {R"q(first_over_time({app="foo"} | unwrap x [5m]))q", R"q(first_over_time({app="foo"} | unwrap x[5m]))q"},
    {R"q(last_over_time({app="foo"} | unwrap x | x > 1 and y < 2 [5m]))q",
     R"q(last_over_time({app="foo"} | unwrap x | ( x>1 , y<2 )[5m]))q"},
    {R"q(rate_counter({app="foo"} | unwrap x [5m]))q", R"q(rate_counter({app="foo"} | unwrap x[5m]))q"},
    {R"q(rate({app="foo"} | unwrap x [5m]))q", R"q(rate({app="foo"} | unwrap x[5m]))q"},
    {R"q(COUNT_OVER_TIME({app="foo"}[5m]))q", R"q(count_over_time({app="foo"}[5m]))q"},
    // VectorAggregationExpr.String() via formatVectorOperation: grouping
    // right after the op (none for a Singleton `by ()`), params joined ",".
    {R"q(sum(count_over_time({app="foo"}[5m])))q", ""},
    {R"q(sum by (a, b) (count_over_time({app="foo"}[5m])))q",
     R"q(sum by (a,b)(count_over_time({app="foo"}[5m])))q"},
    {R"q(sum(count_over_time({app="foo"}[5m])) by (a))q",
     R"q(sum by (a)(count_over_time({app="foo"}[5m])))q"},
    {R"q(sum by () (count_over_time({app="foo"}[5m])))q", R"q(sum(count_over_time({app="foo"}[5m])))q"},
    {R"q(sum without () (count_over_time({app="foo"}[5m])))q",
     R"q(sum without ()(count_over_time({app="foo"}[5m])))q"},
    {R"q(avg without (a) (count_over_time({app="foo"}[5m])))q",
     R"q(avg without (a)(count_over_time({app="foo"}[5m])))q"},
    {R"q(topk(5, count_over_time({app="foo"}[5m])))q", R"q(topk(5,count_over_time({app="foo"}[5m])))q"},
    {R"q(bottomk by (a) (3, count_over_time({app="foo"}[5m])))q",
     R"q(bottomk by (a)(3,count_over_time({app="foo"}[5m])))q"},
    {R"q(approx_topk(2, count_over_time({app="foo"}[5m])))q",
     R"q(approx_topk(2,count_over_time({app="foo"}[5m])))q"},
    {R"q(sort(count_over_time({app="foo"}[5m])))q", ""},
    {R"q(sort_desc(count_over_time({app="foo"}[5m])))q", ""},
    {R"q(count(max(min(stddev(stdvar(rate({app="foo"}[1m])))))))q", ""},
    {R"q(sum(1))q", ""},
    // BinOpExpr.String(): always "(l op r)"; `bool`; on/ignoring printed
    // only when On or labels are set, with a trailing space before the
    // (possibly empty) group modifier.
    {R"q(rate({app="foo"}[1m]) + rate({app="bar"}[1m]))q",
     R"q((rate({app="foo"}[1m]) + rate({app="bar"}[1m])))q"},
    {R"q(rate({a="b"}[1m]) > bool 1)q", R"q((rate({a="b"}[1m]) > bool 1))q"},
    {R"q(rate({a="b"}[1m]) * on (x) rate({c="d"}[1m]))q",
     R"q((rate({a="b"}[1m]) * on (x)  rate({c="d"}[1m])))q"},
    {R"q(rate({a="b"}[1m]) * on () rate({c="d"}[1m]))q",
     R"q((rate({a="b"}[1m]) * on ()  rate({c="d"}[1m])))q"},
    {R"q(rate({a="b"}[1m]) * ignoring (x) group_left (y, z) rate({c="d"}[1m]))q",
     R"q((rate({a="b"}[1m]) * ignoring (x) group_left (y,z) rate({c="d"}[1m])))q"},
    {R"q(rate({a="b"}[1m]) * on (x) group_right rate({c="d"}[1m]))q",
     R"q((rate({a="b"}[1m]) * on (x) group_right rate({c="d"}[1m])))q"},
    {R"q(rate({a="b"}[1m]) * on (x) group_left () rate({c="d"}[1m]))q",
     R"q((rate({a="b"}[1m]) * on (x) group_left rate({c="d"}[1m])))q"},
    {R"q(rate({a="b"}[1m]) * ignoring () group_left (y) rate({c="d"}[1m]))q",
     R"q((rate({a="b"}[1m]) * rate({c="d"}[1m])))q"},
    {R"q(rate({a="b"}[1m]) == bool on (x) rate({c="d"}[1m]))q",
     R"q((rate({a="b"}[1m]) == bool on (x)  rate({c="d"}[1m])))q"},
    // Precedence (syntax.y's %left/%right list) and associativity.
    {R"q(rate({a="b"}[1m]) + rate({a="b"}[1m]) * rate({a="b"}[1m]))q",
     R"q((rate({a="b"}[1m]) + (rate({a="b"}[1m]) * rate({a="b"}[1m]))))q"},
    {R"q(rate({a="b"}[1m]) - rate({a="b"}[1m]) - rate({a="b"}[1m]))q",
     R"q(((rate({a="b"}[1m]) - rate({a="b"}[1m])) - rate({a="b"}[1m])))q"},
    {R"q(rate({a="b"}[1m]) ^ 2 ^ 3)q", R"q((rate({a="b"}[1m]) ^ 8))q"},
    {R"q(2 ^ 3 ^ 2 * rate({a="b"}[1m]))q", R"q((512 * rate({a="b"}[1m])))q"},
    {R"q(rate({a="b"}[1m]) or rate({a="b"}[1m]) and rate({a="b"}[1m]))q",
     R"q((rate({a="b"}[1m]) or (rate({a="b"}[1m]) and rate({a="b"}[1m]))))q"},
    {R"q(rate({a="b"}[1m]) unless rate({a="b"}[1m]) > 1)q",
     R"q((rate({a="b"}[1m]) unless (rate({a="b"}[1m]) > 1)))q"},
    {R"q((rate({a="b"}[1m]) + 1) / 2)q", R"q(((rate({a="b"}[1m]) + 1) / 2))q"},
    // LiteralExpr: fmt.Sprint(float64); literal operands fold (reduceBinOp).
    {"1", ""},
    {"-1.5", ""},
    {"+2", "2"},
    {"1e6", "1e+06"},
    {"123456789", "1.23456789e+08"},
    {"0.0001", "0.0001"},
    {"0.00001", "1e-05"},
    {"1 + 1", "2"},
    {"2 * 3 + 1", "7"},
    {"1 / 0", "NaN"},
    {"5 % 0", "NaN"},
    {"1 > 2", "0"},
    {"2 >= bool 1", "1"},
    {"(1 + 2) * 3", "9"},
    // VectorExpr: "%f".
    {"vector(1)", "vector(1.000000)"},
    {"vector(0.5)", "vector(0.500000)"},
    {R"q(sum(count_over_time({a="b"}[1m])) or vector(0))q",
     R"q((sum(count_over_time({a="b"}[1m])) or vector(0.000000)))q"},
    // LabelReplaceExpr: "," between arguments, strings %q.
    {R"q(label_replace(rate({a="b"}[1m]), "dst", "$1", "src", "(.*)"))q",
     R"q(label_replace(rate({a="b"}[1m]),"dst","$1","src","(.*)"))q"},
    // MultiVariantExpr: "variants(" v ", " v ") of (" logRange ")".
    {R"q(variants(count_over_time({a="b"}[1m]), bytes_over_time({a="b"}[1m])) of ({a="b"}[1m]))q", ""},
    {R"q(variants(sum by (x) (count_over_time({a="b"}[1m]))) of ({a="b"} | json [5m]))q",
     R"q(variants(sum by (x)(count_over_time({a="b"}[1m]))) of ({a="b"} | json[5m]))q"},
    // Parentheses around log and metric queries are not kept.
    {R"q(({app="foo"}))q", R"q({app="foo"})q"},
    {R"q((count_over_time({a="b"}[1m])))q", R"q(count_over_time({a="b"}[1m]))q"},
    // A function name not followed by `(` is an identifier.
    {R"q({rate="x", sum="y", bytes="z", vector="w"})q", ""},
    {R"q({app="foo"} | json rate, sum)q", R"q({app="foo"} | json rate="rate",sum="sum")q"},
    {R"q(sum by (count) (rate({a="b"}[1m])))q", R"q(sum by (count)(rate({a="b"}[1m])))q"},
    {R"q(sum by (x) (rate({a="b"}[1m])))q", R"q(sum by (x)(rate({a="b"}[1m])))q"},
    {"sum\nby (x)\n(rate({a=\"b\"}[1m]))", R"q(sum by (x)(rate({a="b"}[1m])))q"},
};

TEST(LogqlParserTest, RoundTrips) {
  for (const RoundTrip& rt : kRoundTrips) {
    SCOPED_TRACE(rt.in);
    auto expr = Parse(rt.in);
    ASSERT_TRUE(expr.ok()) << expr.status();
    std::string want(rt.out.empty() ? rt.in : rt.out);
    std::string got = Format(**expr);
    EXPECT_EQ(got, want);
    // Loki prints a folded NaN as `NaN`, which it does not parse back.
    if (got == "NaN") continue;
    // Idempotent, and the same tree.
    auto again = Parse(got);
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(Format(**again), got);
    EXPECT_EQ(Dump(**again), Dump(**expr));
  }
}

}  // namespace
}  // namespace obsv::logql

namespace obsv::logql {
namespace {

struct ErrorCase {
  std::string_view in;
  ParseErrorCode code;
  uint32_t offset;
  std::string_view status;  // Loki's whole message
};

// Positions: the token yacc stopped at (lex.go's Line/Column, line 0 for
// tokens lex.go finished with Scanner.Next()); "parse error : " for what
// Loki checks after parsing or while building the AST.
const ErrorCase kErrors[] = {
    {R"q({app="foo")q", ParseErrorCode::kSyntax, 10,
     "parse error at line 1, col 11: syntax error: unexpected $end"},
    {R"q({app=foo})q", ParseErrorCode::kSyntax, 5,
     "parse error at line 1, col 6: syntax error: unexpected IDENTIFIER"},
    {R"q({app=="foo"})q", ParseErrorCode::kSyntax, 4,
     "parse error at line 0, col 5: syntax error: unexpected =="},
    {"{app=\"foo\"}\n  | json\n  | ", ParseErrorCode::kSyntax, 25,
     "parse error at line 3, col 5: syntax error: unexpected $end"},
    {"{app=\"é\"} | x", ParseErrorCode::kSyntax, 14,
     "parse error at line 1, col 14: syntax error: unexpected $end"},
    {R"q({app="foo"}[5m])q", ParseErrorCode::kSyntax, 11,
     "parse error at line 0, col 12: syntax error: unexpected RANGE"},
    {R"q(count_over_time({app="foo"}[5x]))q", ParseErrorCode::kInvalidValue, 27,
     R"q(parse error at line 0, col 28: unknown unit "x" in duration "5x")q"},
    {R"q({app="\z"})q", ParseErrorCode::kInvalidEscape, 5,
     "parse error at line 1, col 6: invalid char escape"},
    {R"q({app="foo)q", ParseErrorCode::kUnterminatedString, 5,
     "parse error at line 1, col 6: literal not terminated"},
    {R"q({app="foo"} | unwrap x)q", ParseErrorCode::kSyntax, 14,
     "parse error at line 1, col 15: syntax error: unexpected unwrap"},
    {R"q(sum({app="foo"}))q", ParseErrorCode::kSyntax, 15,
     "parse error at line 1, col 16: syntax error: unexpected )"},
    {R"q({a=""})q", ParseErrorCode::kSyntax, 0,
     "parse error : queries require at least one regexp or equality matcher that does not have "
     "an empty-compatible value. For instance, app=~\".*\" does not meet this requirement, but "
     "app=~\".+\" will"},
    {R"q({app=~"(foo"})q", ParseErrorCode::kSyntax, 6,
     "parse error : error parsing regexp: missing closing ): `(foo`"},
    {R"q(sum_over_time({app="foo"}[5m]))q", ParseErrorCode::kSyntax, 0,
     "parse error : invalid aggregation sum_over_time without unwrap"},
    {R"q(rate({app="foo"}[5m]) by (a))q", ParseErrorCode::kSyntax, 0,
     "parse error : grouping not allowed for rate aggregation"},
    {R"q(topk(0, rate({app="foo"}[5m])))q", ParseErrorCode::kSyntax, 0,
     "parse error : invalid parameter (must be greater than 0) topk(0"},
    {R"q(1 or 2)q", ParseErrorCode::kSyntax, 2,
     "parse error : unexpected literal for left leg of logical/set binary operation (or): "
     "1.000000"},
    {R"q({app="foo"} |= "x" / 1)q", ParseErrorCode::kSyntax, 19,
     "parse error : unexpected type for left leg of binary operation (/): *syntax.PipelineExpr"},
    {R"q(sort(rate({app="foo"}[5m])) by (a))q", ParseErrorCode::kSyntax, 0,
     "parse error : sort and sort_desc doesn't allow grouping by "},
    {R"q({app="foo"} | pattern "<a><b>")q", ParseErrorCode::kSyntax, 22,
     "parse error : invalid pattern parser: found consecutive capture: <a><b>"},
};

TEST(LogqlParserTest, Errors) {
  for (const ErrorCase& c : kErrors) {
    SCOPED_TRACE(c.in);
    ExprPtr out;
    ParseError e = Parse(c.in, ParserOptions{}, &out);
    EXPECT_EQ(e.code, c.code) << static_cast<int>(e.code);
    EXPECT_EQ(e.offset, c.offset);
    EXPECT_EQ(out, nullptr);
    auto s = Parse(c.in);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(std::string(s.status().message()), c.status);
  }
}

TEST(LogqlParserTest, StreamSelectorsAreEditable) {
  auto e = Parse(
      R"q(sum by (a) (rate({app="x"} |= "e" [5m])) / on (a) sum(count_over_time({app="y"}[5m])) or vector(0))q");
  ASSERT_TRUE(e.ok()) << e.status();
  std::vector<StreamSelector*> sels = StreamSelectors(**e);
  ASSERT_EQ(sels.size(), 2u);
  for (StreamSelector* s : sels) {
    // What a rewriter adds goes into the tree's arena.
    const std::string tenant = "t1";
    LabelMatcher m;
    m.name = "tenant";
    m.value = e->arena().Copy(tenant);
    s->matchers.push_back(e->arena(), m);
  }
  EXPECT_EQ(Format(**e),
            R"q(((sum by (a)(rate({app="x", tenant="t1"} |= "e"[5m])) / on (a)  sum(count_over_time({app="y", tenant="t1"}[5m]))) or vector(0.000000)))q");
  auto log = Parse(R"q({app="x"} | json)q");
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(StreamSelectors(**log).size(), 1u);
  auto variants = Parse(R"q(variants(count_over_time({a="b"}[1m])) of ({a="b"}[1m]))q");
  ASSERT_TRUE(variants.ok()) << variants.status();
  EXPECT_EQ(StreamSelectors(**variants).size(), 2u);
  auto lit = Parse("1 + 1");
  ASSERT_TRUE(lit.ok());
  EXPECT_TRUE(StreamSelectors(**lit).empty());
}

TEST(LogqlParserTest, TreeShape) {
  auto e = Parse(R"q({app="x"} != "a" or "b" |= "c" or ip("d") | logfmt --strict x | y > 5 or z=~"w")q");
  ASSERT_TRUE(e.ok()) << e.status();
  ASSERT_EQ((*e)->kind, NodeKind::kLogSelector);
  const auto& log = (*e)->As<LogSelectorExpr>();
  ASSERT_EQ(log.pipeline.size(), 5u);
  EXPECT_EQ(log.pipeline[0].line_filter.match, LineMatch::kNotContains);
  EXPECT_EQ(log.pipeline[1].line_filter.operands[0].value, "b");
  EXPECT_EQ(log.pipeline[2].line_filter.operands.size(), 2u);
  EXPECT_TRUE(log.pipeline[2].line_filter.operands[1].ip);
  EXPECT_TRUE(log.pipeline[3].strict);
  ASSERT_EQ(log.pipeline[3].extractions.size(), 1u);
  const LabelFilter& f = *log.pipeline[4].label_filter;
  EXPECT_EQ(f.kind, LabelFilterKind::kOr);
  EXPECT_EQ(f.lhs->kind, LabelFilterKind::kNumber);
  EXPECT_EQ(f.lhs->number, 5);
  EXPECT_EQ(f.rhs->kind, LabelFilterKind::kMatcher);
}

// Nodes and label filters come from a per-thread cache (common/node_cache.h):
// trees made on threads that have exited, freed on another, and the other
// way round, stay whole (and ASan or memcheck see no misuse).
TEST(LogqlParserTest, TreesMadeAndFreedOnOtherThreads) {
  constexpr std::string_view kQuery =
      R"q(sum by (a) (rate({app="x"} |= "y" | json | b > 1 and c="d" [5m])) / 2)q";
  constexpr std::string_view kText =
      R"q((sum by (a)(rate({app="x"} |= "y" | json | ( b>1 , c="d" )[5m])) / 2))q";
  std::vector<ExprPtr> trees;
  std::mutex mu;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 100; ++i) {
        absl::StatusOr<ExprPtr> e = Parse(kQuery);
        ASSERT_TRUE(e.ok()) << e.status();
        std::lock_guard<std::mutex> lock(mu);
        trees.push_back(*std::move(e));
      }
    });
  }
  for (std::thread& t : threads) t.join();
  ASSERT_EQ(trees.size(), 400u);
  for (const ExprPtr& e : trees) ASSERT_EQ(Format(*e), kText);
  trees.clear();  // made on the exited threads, freed here
  for (int i = 0; i < 100; ++i) trees.push_back(*Parse(kQuery));
  std::thread([&] { trees.clear(); }).join();  // made here, freed there
  EXPECT_EQ(Format(**Parse(kQuery)), kText);
}

}  // namespace
}  // namespace obsv::logql
