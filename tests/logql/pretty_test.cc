// Loki's Prettify() (prettier.go): each expectation follows its Pretty()
// methods: String() when it fits in 100 bytes, else split.
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "obsv/logql.h"

namespace obsv::logql {
namespace {

struct PrettyCase {
  std::string_view in;
  std::string_view want;
};

const std::string kA(46, 'a');
const std::string kB(44, 'b');

TEST(LogqlPrettyTest, Cases) {
  const std::string long_or = R"({app="loki"} |= ")" + kA + R"(" |= ")" + kB + R"(" or "c")";
  const std::string long_or_want = "{app=\"loki\"}\n  |= \"" + kA + "\"\n  |= \"" + kB + "\"";
  const PrettyCase cases[] = {
      // Short: String().
      {R"q(sum by (a) (rate({app="foo"}[5m])))q", R"q(sum by (a)(rate({app="foo"}[5m])))q"},
      {R"q({app="foo"} |= "x" | json)q", R"q({app="foo"} |= "x" | json)q"},
      // VectorAggregationExpr.Pretty: grouping with ", ", argument a level deeper.
      {R"q(sum by (namespace, app) (count_over_time({app="loki", namespace="production", cluster="eu-west-1"} |= "error" [5m])))q",
       "sum by (namespace, app)(\n"
       "  count_over_time({app=\"loki\", namespace=\"production\", cluster=\"eu-west-1\"} |= \"error\"[5m])\n"
       ")"},
      // PipelineExpr.Pretty: the line-filter run is one LineFilterExpr, on one
      // line while it fits; every other stage on its own line.
      {R"q({app="loki", namespace="production", cluster="eu-west-1"} |= "error" != "timeout" |= "something-longer-here" | logfmt | level="error")q",
       "{app=\"loki\", namespace=\"production\", cluster=\"eu-west-1\"}\n"
       "  |= \"error\" != \"timeout\" |= \"something-longer-here\"\n"
       "  | logfmt\n"
       "  | level=\"error\""},
      // BinOpExpr.Pretty: operands a level deeper, the operator between.
      {R"q(sum(rate({app="loki", namespace="production"}[5m])) / sum(rate({app="loki", namespace="staging"}[5m])))q",
       "  sum(rate({app=\"loki\", namespace=\"production\"}[5m]))\n"
       "/\n"
       "  sum(rate({app=\"loki\", namespace=\"staging\"}[5m]))"},
      // RangeAggregationExpr and LogRange: the parameter on its own line,
      // unwrap and post-filters one level deeper, " [range]" and the offset
      // (model.Duration) after them, the grouping after `)`.
      {R"q(quantile_over_time(0.99, {app="loki", namespace="production", cluster="eu-west-1"} | json | unwrap duration(latency) | __error__="" [5m] offset 1h) by (namespace))q",
       "quantile_over_time(\n"
       "  0.99,\n"
       "  {app=\"loki\", namespace=\"production\", cluster=\"eu-west-1\"} | json\n"
       "    | unwrap duration(latency)\n"
       "    | __error__=\"\" [5m] offset 1h\n"
       ") by (namespace)"},
      // MultiVariantExpr.Pretty: always split.
      {R"q(variants(count_over_time({a="b"}[1m])) of ({a="b"}[1m]))q",
       "variants(\n  count_over_time({a=\"b\"}[1m])\n) of (\n  {a=\"b\"} [1m]\n)"},
      // LineFilterExpr.Pretty writes a split filter without its `or` chain.
      {long_or, long_or_want},
  };
  for (const PrettyCase& c : cases) {
    SCOPED_TRACE(c.in);
    auto e = Parse(c.in);
    ASSERT_TRUE(e.ok()) << e.status();
    EXPECT_EQ(Pretty(**e), c.want);
  }
}

}  // namespace
}  // namespace obsv::logql
