// PromQL parser and printer: canonical round trips, errors with positions,
// limits. The expected outputs and error offsets were produced by
// Prometheus's own parser (v0.309.1) through tests/reference/promql/, from
// tests/testdata/promql/{valid,invalid}.txt.
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "obsv/promql.h"

namespace obsv::promql {
namespace {

struct RoundTrip {
  std::string_view in;
  std::string_view out;  // Prometheus's String()
};

const RoundTrip kRoundTrips[] = {
    {R"q(1)q", R"q(1)q"},
    {R"q(-1)q", R"q(-1)q"},
    {R"q(+1)q", R"q(1)q"},
    {R"q(1.5)q", R"q(1.5)q"},
    {R"q(.5)q", R"q(0.5)q"},
    {R"q(5.)q", R"q(5)q"},
    {R"q(0x1F)q", R"q(31)q"},
    {R"q(0X1f)q", R"q(31)q"},
    {R"q(1e3)q", R"q(1000)q"},
    {R"q(1E-3)q", R"q(0.001)q"},
    {R"q(1.5e+10)q", R"q(15000000000)q"},
    {R"q(1_000)q", R"q(1000)q"},
    {R"q(010)q", R"q(8)q"},
    {R"q(Inf)q", R"q(+Inf)q"},
    {R"q(-Inf)q", R"q(-Inf)q"},
    {R"q(NaN)q", R"q(NaN)q"},
    {R"q(inf)q", R"q(+Inf)q"},
    {R"q(123456789012)q", R"q(123456789012)q"},
    {R"q(0.0000001)q", R"q(0.0000001)q"},
    {R"q(1e100)q", R"q(10000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000)q"},
    {R"q("a string")q", R"q("a string")q"},
    {R"q('single')q", R"q("single")q"},
    {"`raw \n string`", R"q("raw \n string")q"},
    {R"q("esc \t \" \\ \x41 \u00e9 \U0001F600 \101")q", R"q("esc \t \" \\ A é 😀 A")q"},
    {R"q('it\'s')q", R"q("it's")q"},
    {R"q(5m)q", R"q(5m)q"},
    {R"q(-5m)q", R"q(-5m)q"},
    {R"q(1h30m)q", R"q(1h30m)q"},
    {R"q(time() - 1h)q", R"q(time() - 1h)q"},
    {R"q(foo)q", R"q(foo)q"},
    {R"q(foo:bar:baz)q", R"q(foo:bar:baz)q"},
    {R"q(:colon_start)q", R"q(:colon_start)q"},
    {R"q(foo{})q", R"q(foo)q"},
    {R"q(foo{a="b"})q", R"q(foo{a="b"})q"},
    {R"q(foo{a="b",c!="d",e=~"f.*",g!~"h"})q", R"q(foo{a="b",c!="d",e=~"f.*",g!~"h"})q"},
    {R"q(foo{z="1", a="2"})q", R"q(foo{a="2",z="1"})q"},
    {R"q(foo{a="b",})q", R"q(foo{a="b"})q"},
    {R"q({a="b"})q", R"q({a="b"})q"},
    {R"q({__name__="foo"})q", R"q({__name__="foo"})q"},
    {R"q({"foo.bar"})q", R"q({__name__="foo.bar"})q"},
    {R"q({"foo.bar", a="b"})q", R"q({__name__="foo.bar",a="b"})q"},
    {R"q({"a.b"="c"})q", R"q({"a.b"="c"})q"},
    {R"q(foo{"a.b"="c", "x"="y"})q", R"q(foo{"a.b"="c",x="y"})q"},
    {R"q({"ten\u0061nt"="b"})q", R"q({tenant="b"})q"},
    {R"q(foo{a='b'})q", R"q(foo{a="b"})q"},
    {R"q(foo{a=`b\d`})q", R"q(foo{a="b\\d"})q"},
    {R"q(foo{a="\u00e9"})q", R"q(foo{a="é"})q"},
    {R"q(foo{on="x", by="y", sum="z"})q", R"q(foo{by="y",on="x",sum="z"})q"},
    {R"q(foo[5m])q", R"q(foo[5m])q"},
    {R"q(foo[1h30m])q", R"q(foo[1h30m])q"},
    {R"q(foo[90m])q", R"q(foo[1h30m])q"},
    {R"q(foo[300])q", R"q(foo[5m])q"},
    {R"q(foo[1.5])q", R"q(foo[1s500ms])q"},
    {R"q(foo[2w])q", R"q(foo[2w])q"},
    {R"q(foo[14d])q", R"q(foo[2w])q"},
    {R"q(foo[365d])q", R"q(foo[1y])q"},
    {R"q(foo[1y])q", R"q(foo[1y])q"},
    {R"q(foo[1000ms])q", R"q(foo[1s])q"},
    {R"q(foo offset 5m)q", R"q(foo offset 5m)q"},
    {R"q(foo offset -5m)q", R"q(foo offset -5m)q"},
    {R"q(foo offset 1w)q", R"q(foo offset 1w)q"},
    {R"q(foo[5m] offset 1h)q", R"q(foo[5m] offset 1h)q"},
    {R"q(foo @ 1609746000)q", R"q(foo @ 1609746000.000)q"},
    {R"q(foo @ 1609746000.5)q", R"q(foo @ 1609746000.500)q"},
    {R"q(foo @ -100)q", R"q(foo @ -100.000)q"},
    {R"q(foo @ start())q", R"q(foo @ start())q"},
    {R"q(foo @ end())q", R"q(foo @ end())q"},
    {R"q(foo[5m] @ end() offset 1m)q", R"q(foo[5m] @ end() offset 1m)q"},
    {R"q(foo offset 1m @ 100)q", R"q(foo @ 100.000 offset 1m)q"},
    {R"q(foo[5m:])q", R"q(foo[5m:])q"},
    {R"q(foo[5m:1m])q", R"q(foo[5m:1m])q"},
    {R"q(rate(foo[5m])[30m:1m])q", R"q(rate(foo[5m])[30m:1m])q"},
    {R"q(rate(foo[5m])[30m:1m] offset 1h)q", R"q(rate(foo[5m])[30m:1m] offset 1h)q"},
    {R"q(rate(foo[5m])[30m:] @ start())q", R"q(rate(foo[5m])[30m:] @ start())q"},
    {R"q((foo + bar)[5m:])q", R"q((foo + bar)[5m:])q"},
    {R"q(min_over_time(rate(http_requests_total[5m])[30m:1m]))q", R"q(min_over_time(rate(http_requests_total[5m])[30m:1m]))q"},
    {R"q(rate(http_requests_total[5m]))q", R"q(rate(http_requests_total[5m]))q"},
    {R"q(sum(rate(foo[5m])))q", R"q(sum(rate(foo[5m])))q"},
    {R"q(sum by (job) (rate(foo[5m])))q", R"q(sum by (job) (rate(foo[5m])))q"},
    {R"q(sum(rate(foo[5m])) by (job))q", R"q(sum by (job) (rate(foo[5m])))q"},
    {R"q(sum without (instance) (foo))q", R"q(sum without (instance) (foo))q"},
    {R"q(sum(foo) without (instance, job))q", R"q(sum without (instance, job) (foo))q"},
    {R"q(sum by () (foo))q", R"q(sum(foo))q"},
    {R"q(sum without () (foo))q", R"q(sum without () (foo))q"},
    {R"q(SUM BY (job) (foo))q", R"q(sum by (job) (foo))q"},
    {R"q(sum by (job,) (foo))q", R"q(sum by (job) (foo))q"},
    {R"q(sum by ("a.b", job) (foo))q", R"q(sum by ("a.b", job) (foo))q"},
    {R"q(sum by (on, by, sum) (foo))q", R"q(sum by (on, by, sum) (foo))q"},
    {R"q(avg(foo))q", R"q(avg(foo))q"},
    {R"q(count(foo))q", R"q(count(foo))q"},
    {R"q(min(foo))q", R"q(min(foo))q"},
    {R"q(max(foo))q", R"q(max(foo))q"},
    {R"q(group(foo))q", R"q(group(foo))q"},
    {R"q(stddev(foo))q", R"q(stddev(foo))q"},
    {R"q(stdvar(foo))q", R"q(stdvar(foo))q"},
    {R"q(topk(5, foo))q", R"q(topk(5, foo))q"},
    {R"q(bottomk(3, rate(foo[5m])))q", R"q(bottomk(3, rate(foo[5m])))q"},
    {R"q(quantile(0.9, foo))q", R"q(quantile(0.9, foo))q"},
    {R"q(count_values("value", foo))q", R"q(count_values("value", foo))q"},
    {R"q(topk by (job) (5, foo))q", R"q(topk by (job) (5, foo))q"},
    {R"q(topk(scalar(bar), foo))q", R"q(topk(scalar(bar), foo))q"},
    {R"q(foo + bar)q", R"q(foo + bar)q"},
    {R"q(foo - bar)q", R"q(foo - bar)q"},
    {R"q(foo * bar)q", R"q(foo * bar)q"},
    {R"q(foo / bar)q", R"q(foo / bar)q"},
    {R"q(foo % bar)q", R"q(foo % bar)q"},
    {R"q(foo ^ bar)q", R"q(foo ^ bar)q"},
    {R"q(foo atan2 bar)q", R"q(foo atan2 bar)q"},
    {R"q(foo == bar)q", R"q(foo == bar)q"},
    {R"q(foo != bar)q", R"q(foo != bar)q"},
    {R"q(foo > bar)q", R"q(foo > bar)q"},
    {R"q(foo < bar)q", R"q(foo < bar)q"},
    {R"q(foo >= bar)q", R"q(foo >= bar)q"},
    {R"q(foo <= bar)q", R"q(foo <= bar)q"},
    {R"q(foo > bool bar)q", R"q(foo > bool bar)q"},
    {R"q(1 > bool 2)q", R"q(1 > bool 2)q"},
    {R"q(foo and bar)q", R"q(foo and bar)q"},
    {R"q(foo or bar)q", R"q(foo or bar)q"},
    {R"q(foo unless bar)q", R"q(foo unless bar)q"},
    {R"q(foo + on (a, b) bar)q", R"q(foo + on (a, b) bar)q"},
    {R"q(foo + ignoring (a) bar)q", R"q(foo + ignoring (a) bar)q"},
    {R"q(foo + on () bar)q", R"q(foo + on () bar)q"},
    {R"q(foo * on (a) group_left bar)q", R"q(foo * on (a) group_left () bar)q"},
    {R"q(foo * on (a) group_left (b, c) bar)q", R"q(foo * on (a) group_left (b, c) bar)q"},
    {R"q(foo * ignoring (a) group_right (b) bar)q", R"q(foo * ignoring (a) group_right (b) bar)q"},
    {R"q(foo * ignoring () group_left bar)q", R"q(foo * ignoring () group_left () bar)q"},
    {R"q(foo / on (instance) group_left () bar)q", R"q(foo / on (instance) group_left () bar)q"},
    {R"q(foo and on (a) bar)q", R"q(foo and on (a) bar)q"},
    {R"q(foo or ignoring (b) bar)q", R"q(foo or ignoring (b) bar)q"},
    {R"q(1 + 2 * 3)q", R"q(1 + 2 * 3)q"},
    {R"q((1 + 2) * 3)q", R"q((1 + 2) * 3)q"},
    {R"q(1 - 2 - 3)q", R"q(1 - 2 - 3)q"},
    {R"q(2 ^ 3 ^ 2)q", R"q(2 ^ 3 ^ 2)q"},
    {R"q(-2 ^ 2)q", R"q(-2 ^ 2)q"},
    {R"q(-foo ^ 2)q", R"q(-foo ^ 2)q"},
    {R"q(2 ^ -1)q", R"q(2 ^ -1)q"},
    {R"q(-foo)q", R"q(-foo)q"},
    {R"q(+foo)q", R"q(+foo)q"},
    {R"q(- foo)q", R"q(-foo)q"},
    {R"q(-(foo))q", R"q(-(foo))q"},
    {R"q(--foo)q", R"q(--foo)q"},
    {R"q(-(-foo))q", R"q(-(-foo))q"},
    {R"q(foo + -bar)q", R"q(foo + -bar)q"},
    {R"q(a or b and c)q", R"q(a or b and c)q"},
    {R"q(a and b or c)q", R"q(a and b or c)q"},
    {R"q(a or b unless c)q", R"q(a or b unless c)q"},
    {R"q(a > b + c * d ^ e)q", R"q(a > b + c * d ^ e)q"},
    {R"q(a * b + c)q", R"q(a * b + c)q"},
    {R"q(a + b * c)q", R"q(a + b * c)q"},
    {R"q(a == b or c)q", R"q(a == b or c)q"},
    {R"q(foo offset 5m + bar)q", R"q(foo offset 5m + bar)q"},
    {R"q(sum(foo) + sum(bar))q", R"q(sum(foo) + sum(bar))q"},
    {R"q(abs(foo))q", R"q(abs(foo))q"},
    {R"q(absent(nonexistent{job="x"}))q", R"q(absent(nonexistent{job="x"}))q"},
    {R"q(clamp(foo, 0, 1))q", R"q(clamp(foo, 0, 1))q"},
    {R"q(histogram_quantile(0.9, sum by (le) (rate(foo_bucket[5m]))))q", R"q(histogram_quantile(0.9, sum by (le) (rate(foo_bucket[5m]))))q"},
    {R"q(label_replace(up, "foo", "$1", "job", "(.*)"))q", R"q(label_replace(up, "foo", "$1", "job", "(.*)"))q"},
    {R"q(label_join(up, "foo", ",", "a", "b", "c"))q", R"q(label_join(up, "foo", ",", "a", "b", "c"))q"},
    {R"q(round(foo))q", R"q(round(foo))q"},
    {R"q(round(foo, 0.5))q", R"q(round(foo, 0.5))q"},
    {R"q(hour())q", R"q(hour())q"},
    {R"q(hour(foo))q", R"q(hour(foo))q"},
    {R"q(time())q", R"q(time())q"},
    {R"q(pi())q", R"q(pi())q"},
    {R"q(vector(1))q", R"q(vector(1))q"},
    {R"q(scalar(foo))q", R"q(scalar(foo))q"},
    {R"q(predict_linear(foo[1h], 3600))q", R"q(predict_linear(foo[1h], 3600))q"},
    {R"q(quantile_over_time(0.5, foo[5m]))q", R"q(quantile_over_time(0.5, foo[5m]))q"},
    {R"q(days_in_month())q", R"q(days_in_month())q"},
    {R"q(sort_desc(sum by (job) (foo)))q", R"q(sort_desc(sum by (job) (foo)))q"},
    {R"q(holt_winters_missing_is_fine_as_selector)q", R"q(holt_winters_missing_is_fine_as_selector)q"},
    {R"q(foo # a comment)q", R"q(foo)q"},
    {R"q(# leading comment
foo)q", R"q(foo)q"},
    {R"q(foo
+
bar)q", R"q(foo + bar)q"},
    {R"q(sum(
  rate(foo[5m])
))q", R"q(sum(rate(foo[5m])))q"},
    {R"q(1 + time())q", R"q(1 + time())q"},
    {R"q(time() > bool 0)q", R"q(time() > bool 0)q"},
    {R"q(foo{a="b"} / ignoring (c) group_left sum by (a) (bar))q", R"q(foo{a="b"} / ignoring (c) group_left () sum by (a) (bar))q"},
};

struct Invalid {
  std::string_view in;
  int offset;                // byte offset Prometheus reports
  std::string_view message;  // Prometheus's error, for reference only
};

const Invalid kInvalid[] = {
    {R"q()q", 0, R"q(unknown position: parse error: no expression found in input)q"},
    {R"q(sum(foo,))q", 7, R"q(1:8: parse error: trailing commas not allowed in function call args)q"},
    {R"q(foo{)q", 4, R"q(1:5: parse error: unexpected end of input inside braces)q"},
    {R"q(foo{a="b")q", 9, R"q(1:10: parse error: unexpected end of input inside braces)q"},
    {R"q(foo{a=})q", 6, R"q(1:7: parse error: unexpected "}" in label matching, expected string)q"},
    {R"q(foo{a})q", 5, R"q(1:6: parse error: unexpected "}" in label matching, expected label matching operator)q"},
    {R"q(foo{a="b" c="d"})q", 10, R"q(1:11: parse error: unexpected identifier "c" in label matching, expected "," or "}")q"},
    {R"q({})q", 0, R"q(1:1: parse error: vector selector must contain at least one non-empty matcher)q"},
    {R"q({a=""})q", 0, R"q(1:1: parse error: vector selector must contain at least one non-empty matcher)q"},
    {R"q({a=~".*"})q", 0, R"q(1:1: parse error: vector selector must contain at least one non-empty matcher)q"},
    {R"q({a!~"x"})q", 0, R"q(1:1: parse error: vector selector must contain at least one non-empty matcher)q"},
    {R"q(foo[5m)q", 6, R"q(1:7: parse error: unclosed left bracket)q"},
    {R"q(foo[])q", 4, R"q(1:5: parse error: unexpected "]" in subquery or range selector, expected number, duration, or step())q"},
    {R"q(foo[5x])q", 4, R"q(1:5: parse error: bad number or duration syntax: "5")q"},
    {R"q(foo[-5m])q", 4, R"q(1:5: parse error: duration must be greater than 0)q"},
    {R"q(foo offset)q", 10, R"q(1:11: parse error: unexpected end of input in offset, expected number, duration, or step())q"},
    {R"q(foo @)q", 5, R"q(1:6: parse error: unexpected end of input in @, expected timestamp)q"},
    {R"q(1 +)q", 3, R"q(1:4: parse error: unexpected end of input)q"},
    {R"q((1 + 2)q", 6, R"q(1:7: parse error: unclosed left parenthesis)q"},
    {R"q(1 + 2))q", 6, R"q(1:7: parse error: unexpected right parenthesis ')')q"},
    {R"q(foo bar)q", 4, R"q(1:5: parse error: unexpected identifier "bar")q"},
    {R"q(sum(foo) by)q", 11, R"q(1:12: parse error: unexpected end of input in grouping opts, expected "(")q"},
    {R"q(sum(foo) by ()q", 13, R"q(1:14: parse error: unclosed left parenthesis)q"},
    {R"q(rate(foo))q", 5, R"q(1:6: parse error: expected type range vector in call to function "rate", got instant vector)q"},
    {R"q(rate(foo[5m], 1))q", 0, R"q(1:1: parse error: expected 1 argument(s) in call to "rate", got 2)q"},
    {R"q(unknown_fn(foo))q", 0, R"q(1:1: parse error: unknown function with name "unknown_fn")q"},
    {R"q(sum())q", 0, R"q(1:1: parse error: no arguments for aggregate expression provided)q"},
    {R"q(topk(foo))q", 0, R"q(1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1)q"},
    {R"q(topk("a", foo))q", 5, R"q(1:6: parse error: expected type scalar in aggregation parameter, got string)q"},
    {R"q(count_values(5, foo))q", 13, R"q(1:14: parse error: expected type string in aggregation parameter, got scalar)q"},
    {R"q(foo[5m] + 1)q", 0, R"q(1:1: parse error: binary expression must contain only scalar and instant vector types)q"},
    {R"q(foo offset 5m offset 1h)q", 0, R"q(1:1: parse error: offset may not be set multiple times)q"},
    {R"q(foo @ 1 @ 2)q", 0, R"q(1:1: parse error: @ <timestamp> may not be set multiple times)q"},
    {R"q(1 offset 5m)q", 0, R"q(1:1: parse error: offset modifier must be preceded by an instant vector selector or range vector selector or a subquery)q"},
    {R"q((foo)[5m])q", 5, R"q(1:6: parse error: ranges only allowed for vector selectors)q"},
    {R"q(foo offset 5m[10m])q", 13, R"q(1:14: parse error: no offset modifiers allowed before range)q"},
    {R"q(1 == 1)q", 2, R"q(1:3: parse error: comparisons between scalars must use BOOL modifier)q"},
    {R"q(1 and 2)q", 0, R"q(1:1: parse error: set operator "and" not allowed in binary scalar expression)q"},
    {R"q(foo and on (a) group_left bar)q", 0, R"q(1:1: parse error: no grouping allowed for "and" operation)q"},
    {R"q(foo{__name__="bar"})q", 0, R"q(1:1: parse error: metric name must not be set twice: "foo" or "bar")q"},
    {R"q("unterminated)q", 0, R"q(1:1: parse error: unterminated quoted string)q"},
    {R"q('bad \q escape')q", 0, R"q(1:1: parse error: unknown escape sequence U+0071 'q')q"},
    {R"q(foo $ bar)q", 4, R"q(1:5: parse error: unexpected character: '$')q"},
    {R"q(foo{a="b"}{c="d"})q", 10, R"q(1:11: parse error: unexpected "{")q"},
    {R"q(-"a")q", 0, R"q(1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "string")q"},
    {R"q(-foo[5m])q", 0, R"q(1:1: parse error: unary expression only allowed on expressions of type scalar or instant vector, got "range vector")q"},
    {R"q(abs("x"))q", 4, R"q(1:5: parse error: expected type instant vector in call to function "abs", got string)q"},
    {R"q(limitk(1, foo))q", 0, R"q(1:1: parse error: limitk() is experimental and must be enabled with --enable-feature=promql-experimental-functions)q"},
    {R"q(info(foo))q", 0, R"q(1:1: parse error: function "info" is not enabled)q"},
    {R"q(1.5m)q", 0, R"q(1:1: parse error: unknown unit "." in duration "1.5m")q"},
    {R"q(foo * on (a) group_left (a) bar)q", 4, R"q(1:5: parse error: label "a" must not occur in ON and GROUP clause at once)q"},
    {R"q(sum(foo[5m]))q", 4, R"q(1:5: parse error: expected type instant vector in aggregation expression, got range vector)q"},
};

TEST(PromqlParser, CanonicalForm) {
  ASSERT_GE(std::size(kRoundTrips), 80u);
  for (const RoundTrip& t : kRoundTrips) {
    SCOPED_TRACE(t.in);
    absl::StatusOr<ExprPtr> e = Parse(t.in);
    ASSERT_TRUE(e.ok()) << e.status();
    EXPECT_EQ(Format(**e), t.out);
  }
}

TEST(PromqlParser, PrintParsePrintIsStable) {
  for (const RoundTrip& t : kRoundTrips) {
    SCOPED_TRACE(t.in);
    absl::StatusOr<ExprPtr> e = Parse(t.in);
    ASSERT_TRUE(e.ok()) << e.status();
    std::string once = Format(**e);
    absl::StatusOr<ExprPtr> again = Parse(once);
    ASSERT_TRUE(again.ok()) << again.status() << " reparsing " << once;
    EXPECT_EQ(Format(**again), once);
    absl::StatusOr<ExprPtr> third = Parse(Format(**again));
    ASSERT_TRUE(third.ok()) << third.status();
    EXPECT_EQ(Dump(**third), Dump(**again));
  }
}

TEST(PromqlParser, ErrorsHavePrometheusPositions) {
  ASSERT_GE(std::size(kInvalid), 30u);
  for (const Invalid& t : kInvalid) {
    SCOPED_TRACE(t.in);
    ExprPtr out;
    ParseError err = Parse(t.in, ParserOptions(), &out);
    ASSERT_FALSE(err.ok());
    EXPECT_EQ(out, nullptr);
    EXPECT_EQ(static_cast<int>(err.offset), t.offset) << err.message << "\n  prometheus: " << t.message;
    absl::StatusOr<ExprPtr> status = Parse(t.in);
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.status().message().find(": parse error: "), std::string_view::npos);
  }
}

TEST(PromqlParser, ErrorMessageIsPrometheusStyle) {
  absl::StatusOr<ExprPtr> e = Parse("sum(foo) by (");
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().message(), "1:14: parse error: unclosed left parenthesis");
  e = Parse("foo{a=\"b\" c=\"d\"}");
  EXPECT_EQ(e.status().message(),
            "1:11: parse error: unexpected identifier \"c\" in label matching, expected \",\" or \"}\"");
  e = Parse("rate(foo)");
  EXPECT_EQ(e.status().message(),
            "1:6: parse error: expected type range vector in call to function \"rate\", got instant vector");
  e = Parse("foo\n  + bar{");
  EXPECT_EQ(e.status().message(), "2:9: parse error: unexpected end of input inside braces");
}

TEST(PromqlParser, Precedence) {
  auto dump = [](std::string_view q) {
    absl::StatusOr<ExprPtr> e = Parse(q);
    return e.ok() ? Dump(**e) : std::string(e.status().message());
  };
  EXPECT_EQ(dump("-2 ^ 2"), "(unary - (binary ^ (number 2) (number 2)))");
  EXPECT_EQ(dump("-foo ^ 2"), "(unary - (binary ^ (selector foo) (number 2)))");
  EXPECT_EQ(dump("2 ^ 3 ^ 2"), "(binary ^ (number 2) (binary ^ (number 3) (number 2)))");
  EXPECT_EQ(dump("1 - 2 - 3"), "(binary - (binary - (number 1) (number 2)) (number 3))");
  EXPECT_EQ(dump("a or b and c"),
            "(binary or (selector a) (binary and (selector b) (selector c)))");
  EXPECT_EQ(dump("a > b + c * d"),
            "(binary > (selector a) (binary + (selector b) (binary * (selector c) (selector d))))");
  EXPECT_EQ(dump("foo offset 5m + bar"),
            "(binary + (selector foo offset=300000000000ns) (selector bar))");
}

TEST(PromqlParser, AstShape) {
  absl::StatusOr<ExprPtr> e = Parse(R"(sum by (job) (rate(http_requests_total{job="api",code=~"5.."}[5m] offset 1m)))");
  ASSERT_TRUE(e.ok()) << e.status();
  ASSERT_EQ((*e)->kind, NodeKind::kAggregate);
  const auto& agg = (*e)->As<Aggregate>();
  EXPECT_EQ(agg.op, AggregateOp::kSum);
  ASSERT_EQ(agg.grouping.size(), 1u);
  ASSERT_EQ(agg.expr->kind, NodeKind::kCall);
  const auto& call = agg.expr->As<Call>();
  EXPECT_EQ(call.function->name, "rate");
  ASSERT_EQ(call.args[0]->kind, NodeKind::kMatrixSelector);
  const auto& m = call.args[0]->As<MatrixSelector>();
  EXPECT_EQ(m.range_ns, 300'000'000'000);
  EXPECT_EQ(m.selector->name, "http_requests_total");
  ASSERT_EQ(m.selector->matchers.size(), 2u);  // input order
  EXPECT_EQ(m.selector->matchers[0].name, "job");
  EXPECT_EQ(m.selector->matchers[1].op, MatchOp::kRegexMatch);
  EXPECT_EQ(m.selector->modifiers.offset_ns, 60'000'000'000);
  EXPECT_EQ(call.args[0]->type(), ValueType::kMatrix);
  EXPECT_EQ((*e)->type(), ValueType::kVector);
}

TEST(PromqlParser, QuotedNamesAreUnescaped) {
  absl::StatusOr<ExprPtr> e = Parse(R"({"ten\u0061nt"="b", "foo.bar"})");
  ASSERT_TRUE(e.ok()) << e.status();
  const auto& vs = (*e)->As<VectorSelector>();
  EXPECT_EQ(vs.matchers[0].name, "tenant");
  EXPECT_EQ(vs.matchers[1].name, "__name__");
  EXPECT_EQ(vs.matchers[1].value, "foo.bar");
}

TEST(PromqlParser, DeepNestingIsACleanError) {
  const int kDeep = 100000;
  for (std::string_view open : {"(", "-(", "-", "abs(", "sum("}) {
    SCOPED_TRACE(open);
    std::string q;
    for (int i = 0; i < kDeep; ++i) q.append(open);
    q.append("x");
    for (int i = 0; i < kDeep; ++i) {
      if (open.back() == '(') q.push_back(')');
    }
    ExprPtr out;
    ParseError err = Parse(q, ParserOptions(), &out);
    EXPECT_EQ(err.code, ParseErrorCode::kLimitExceeded) << err.message;
    EXPECT_EQ(out, nullptr);
  }
  // Long left-associative chains make tall trees without deep recursion.
  std::string chain = "x";
  for (int i = 0; i < kDeep; ++i) chain.append(" + x");
  ParseError err = Parse(chain, ParserOptions(), nullptr);
  EXPECT_EQ(err.code, ParseErrorCode::kLimitExceeded);
  // Within the limit is fine.
  std::string ok;
  for (int i = 0; i < 100; ++i) ok.append("(");
  ok.append("x");
  for (int i = 0; i < 100; ++i) ok.append(")");
  EXPECT_TRUE(Parse(ok).ok());
}

TEST(PromqlParser, QueryLengthLimit) {
  ParserOptions options;
  options.max_query_bytes = 10;
  absl::StatusOr<ExprPtr> e = Parse("foo{job=\"very long\"}", options);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(Parse("foo", options).ok());
}

TEST(PromqlParser, ExperimentalFunctionsBehindOption) {
  ParserOptions options;
  EXPECT_FALSE(Parse("limitk(1, foo)", options).ok());
  EXPECT_FALSE(Parse("sort_by_label(foo, \"a\")", options).ok());
  options.enable_experimental_functions = true;
  absl::StatusOr<ExprPtr> e = Parse("limitk(1, foo)", options);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(Format(**e), "limitk(1, foo)");
  e = Parse("info(rate(http_requests_total[5m]), {k8s_cluster_name=~\".+\"})", options);
  ASSERT_TRUE(e.ok()) << e.status();
  e = Parse("info(foo, {a!=\"\"})", options);
  ASSERT_TRUE(e.ok()) << e.status();
}

TEST(PromqlFunctions, TableIsPrometheus3) {
  EXPECT_EQ(AllFunctions().size(), 82u);
  const FunctionInfo* f = FindFunction("label_join");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->variadic, -1);
  EXPECT_EQ(FindFunction("Rate"), nullptr);
  EXPECT_EQ(FindFunction("histogram_quantile")->arg_types[0], ValueType::kScalar);
}

TEST(PromqlParser, FeatureGatesAreOffByDefault) {
  ParserOptions defaults;
  EXPECT_FALSE(defaults.enable_experimental_functions);
  EXPECT_FALSE(defaults.enable_duration_expressions);
  EXPECT_FALSE(defaults.enable_extended_range_selectors);
  struct {
    std::string_view query;
    uint32_t offset;
  } cases[] = {
      {"foo[5m * 2]", 4},          // experimental duration expression is not enabled
      {"foo offset (1h + 5m)", 12},
      {"rate(foo[5m] anchored)", 5},  // anchored modifier is experimental and not enabled
      {"foo smoothed", 0},
      {"limitk(1, foo)", 0},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.query);
    ExprPtr out;
    ParseError err = Parse(c.query, defaults, &out);
    ASSERT_FALSE(err.ok());
    EXPECT_EQ(err.code, ParseErrorCode::kSyntax);
    EXPECT_EQ(err.offset, c.offset);
  }
  // step(), min() and max() in durations are not gated in Prometheus 3.9.
  absl::StatusOr<ExprPtr> e = Parse("foo[1h:step()] offset -min(1m, 2m)");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(Format(**e), "foo[1h:step()] offset -min(1m, 2m)");
}

TEST(PromqlParser, DurationExpressionAst) {
  ParserOptions options;
  options.enable_duration_expressions = true;
  options.enable_extended_range_selectors = true;
  absl::StatusOr<ExprPtr> e = Parse("rate(foo[(5m + 1m) * 2] anchored offset step())", options);
  ASSERT_TRUE(e.ok()) << e.status();
  const auto& m = (*e)->As<Call>().args[0]->As<MatrixSelector>();
  EXPECT_EQ(m.range_ns, 0);
  ASSERT_NE(m.range_expr, nullptr);
  EXPECT_EQ(m.range_expr->op, DurationOp::kMul);
  EXPECT_TRUE(m.range_expr->lhs->wrapped);
  EXPECT_EQ(m.range_expr->rhs->op, DurationOp::kLiteral);
  EXPECT_EQ(m.range_expr->rhs->seconds, 2);
  EXPECT_TRUE(m.selector->anchored);
  ASSERT_NE(m.selector->modifiers.offset_expr, nullptr);
  EXPECT_EQ(m.selector->modifiers.offset_expr->op, DurationOp::kStep);
  EXPECT_EQ(Format(**e), "rate(foo[(5m + 1m) * 2] anchored offset step())");
  EXPECT_EQ(Dump(**e),
            "(call rate (matrix 0ns ((5m + 1m) * 2) (selector foo offset=(step()) anchored)))");
  // A parenthesized literal is the literal; a literal range stays in range_ns.
  e = Parse("foo[((5m))]", options);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ((*e)->As<MatrixSelector>().range_expr, nullptr);
  EXPECT_EQ((*e)->As<MatrixSelector>().range_ns, 300'000'000'000);
  // Prometheus panics on a sign before a parenthesized literal offset
  // ("unexpected error"); we reject it at the sign.
  ExprPtr out;
  ParseError err = Parse("foo offset -(1m)", options, &out);
  EXPECT_FALSE(err.ok());
  EXPECT_EQ(err.offset, 11u);
}

TEST(PromqlParser, DeepDurationExpressionIsACleanError) {
  ParserOptions options;
  options.enable_duration_expressions = true;
  std::string q = "foo[" + std::string(100000, '(') + "1m" + std::string(100000, ')') + "]";
  ExprPtr out;
  ParseError err = Parse(q, options, &out);
  EXPECT_EQ(err.code, ParseErrorCode::kLimitExceeded);
  q = "foo[";
  for (int i = 0; i < 100000; ++i) q += "-";
  q += "1m]";
  err = Parse(q, options, &out);
  EXPECT_EQ(err.code, ParseErrorCode::kLimitExceeded);
}

}  // namespace
}  // namespace obsv::promql
