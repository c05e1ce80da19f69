// Query templates: values escaped for the place they land, hostile values
// that must stay where they were put, and errors naming the placeholder.
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "obsv/promql.h"
#include "obsv/promql_scope.h"
#include "obsv/promql_template.h"
#include "re2/re2.h"

namespace obsv::promql {
namespace {

struct Case {
  std::string_view tmpl;
  std::vector<TemplateValue> values;
  std::string_view out;
};

TEST(PromqlQueryTemplate, ExpandsForThePlace) {
  const Case kCases[] = {
      {R"(sum(rate(container_cpu_usage_seconds_total{namespace="{{services_namespace}}",pod=~"{{service}}-.*"}[{{range}}])))",
       {{"services_namespace", "prod"}, {"service", "api.v2"}, {"range", "5m"}},
       R"(sum(rate(container_cpu_usage_seconds_total{namespace="prod",pod=~"api\\.v2-.*"}[5m])))"},
      {R"(up{job="{{ job }}", env="{{	env}}"})", {{"job", "node"}, {"env", "dev"}},
       R"(up{job="node", env="dev"})"},
      // Single quotes and raw strings keep their quoting.
      {R"(up{job='{{job}}'})", {{"job", "it's \"x\""}}, R"(up{job='it\'s "x"'})"},
      {"up{job=`{{job}}`}", {{"job", R"(a\b"c')"}}, "up{job=`a\\b\"c'`}"},
      {"up{job=~`{{job}}`}", {{"job", "a.b"}}, "up{job=~`a\\.b`}"},
      // A quoted label name is a plain string; !~ is a regex too.
      {R"({"{{l}}"="x", b!~"{{v}}"})", {{"l", "a.b"}, {"v", "(x)"}},
       R"q({"a.b"="x", b!~"\\(x\\)"})q"},
      // After the value, `=` turns regex escaping off again.
      {R"(up{a=~"x", b="{{v}}"})", {{"v", "a.b"}}, R"(up{a=~"x", b="a.b"})"},
      // Durations in ranges and subqueries, numbers elsewhere.
      {"max_over_time(rate(x[{{r}}])[{{w}}:{{s}}])", {{"r", "1m"}, {"w", "1h30m"}, {"s", "30s"}},
       "max_over_time(rate(x[1m])[1h30m:30s])"},
      {"topk({{k}}, up offset {{o}}) > {{t}}", {{"k", "5"}, {"o", "1d"}, {"t", "0.5"}},
       "topk(5, up offset 1d) > 0.5"},
      {"up > {{a}} or up < {{b}} or up == {{c}} or up != {{d}}",
       {{"a", "1e3"}, {"b", "0x1f"}, {"c", "Inf"}, {"d", ".5"}},
       "up > 1e3 or up < 0x1f or up == Inf or up != .5"},
      {"up @ {{t}}", {{"t", "1700000000"}}, "up @ 1700000000"},
      // label_replace(): the regex argument is a regex, `$` in the
      // replacement is literal; the other strings are plain.
      {R"q(label_replace(up{a="{{v}}"}, "d{{v}}", "${{v}}$1", "src", "({{v}}).*"))q",
       {{"v", "a.$1"}},
       R"q(label_replace(up{a="a.$1"}, "da.$1", "$a.$$1$1", "src", "(a\\.\\$1).*"))q"},
      {R"q(label_replace(sum by (a, b) (up), "d", "$1", "s", "{{v}}") + count_values("{{v}}", up))q",
       {{"v", "."}},
       R"q(label_replace(sum by (a, b) (up), "d", "$1", "s", "\\.") + count_values(".", up))q"},
      // Comments are left alone; unused values are ignored.
      {"up # {{not_a_value}}\n", {{"unused", "x"}}, "up # {{not_a_value}}\n"},
      // A value is never scanned for placeholders.
      {R"(up{a="{{a}}"})", {{"a", "{{b}}"}}, R"(up{a="{{b}}"})"},
  };
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.tmpl);
    absl::StatusOr<std::string> out = ExpandTemplate(c.tmpl, c.values);
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(*out, c.out);
  }
}

// Hostile values stay inside the string they were put in: the query keeps
// its shape (one selector, one matcher) and the matcher's value is the
// value, byte for byte (or, in a regex, matches exactly it).
TEST(PromqlQueryTemplate, HostileValuesCannotBreakOut) {
  const std::string kHostile[] = {
      R"("}) or vector(1) #)",
      R"('}) or vector(1) #)",
      "`}) or vector(1) #",
      "\\",
      "a\\\"b",
      "\\\\\"",
      "line\nbreak\r\n",
      "}}",
      "{{x}}",
      "tab\tnul\x01\x7f",
      "é😀",
      "a|b.*",
      "\\E.*\\Q",
      "",
  };
  const std::string_view kTemplates[] = {
      R"(up{job="{{v}}"})",
      R"(up{job='{{v}}'})",
      R"(up{job=~"{{v}}"})",
      R"(up{job=~'{{v}}'})",
      R"(up{job!~"{{v}}"})",
  };
  for (std::string_view tmpl : kTemplates) {
    for (const std::string& v : kHostile) {
      SCOPED_TRACE(std::string(tmpl) + " with " + v);
      absl::StatusOr<std::string> out = ExpandTemplate(tmpl, {{"v", v}});
      ASSERT_TRUE(out.ok()) << out.status();
      absl::StatusOr<ExprPtr> e = Parse(*out);
      ASSERT_TRUE(e.ok()) << e.status();
      ASSERT_EQ((*e)->kind, NodeKind::kVectorSelector) << *out;
      const auto& vs = (*e)->As<VectorSelector>();
      EXPECT_EQ(vs.name, "up");
      ASSERT_EQ(vs.matchers.size(), 1u) << *out;
      const LabelMatcher& m = vs.matchers[0];
      EXPECT_EQ(m.name, "job");
      if (m.op == MatchOp::kEqual) {
        EXPECT_EQ(m.value, v);
      } else {
        RE2 re("^(?s:" + m.value + ")$");
        ASSERT_TRUE(re.ok()) << re.error();
        EXPECT_TRUE(RE2::FullMatch(v, re)) << m.value;
        EXPECT_FALSE(RE2::FullMatch(v + "x", re)) << m.value;
        if (!v.empty()) {
          EXPECT_FALSE(RE2::FullMatch("x", re)) << m.value;
        }
      }
    }
  }
  // In a raw string a backquote cannot be escaped: refused.
  absl::StatusOr<std::string> raw = ExpandTemplate("up{job=`{{v}}`}", {{"v", "`} or up #"}});
  EXPECT_EQ(raw.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(raw.status().message()).rfind("1:9: placeholder {{v}}", 0), 0u)
      << raw.status().message();
}

struct Bad {
  std::string_view tmpl;
  std::vector<TemplateValue> values;
  std::string_view prefix;   // start of the message
  uint32_t offset;           // ErrorSpan()->start; UINT32_MAX: no span
};

TEST(PromqlQueryTemplate, Errors) {
  const Bad kBad[] = {
      {R"(up{job="{{job}}"})", {}, "1:9: placeholder {{job}} has no value", 8},
      {"sum(\n  up{job=\"{{ job }}\"})", {}, "2:11: placeholder {{job}} has no value", 15},
      {"rate(x[{{r}}])", {{"r", "5 m"}}, "1:8: placeholder {{r}}: value is not a valid duration", 7},
      {"rate(x[{{r}}])", {{"r", "5m]) or up["}}, "1:8: placeholder {{r}}", 7},
      {"rate(x[{{r}}])", {{"r", "5"}}, "1:8: placeholder {{r}}", 7},
      {"topk({{k}}, up)", {{"k", "5, up) or topk(5"}}, "1:6: placeholder {{k}}: value is not a valid unsigned number", 5},
      {"up > {{t}}", {{"t", "-1"}}, "1:6: placeholder {{t}}", 5},
      {"up > {{t}}", {{"t", "1 or vector(1)"}}, "1:6: placeholder {{t}}", 5},
      {"up > {{t}}", {{"t", ""}}, "1:6: placeholder {{t}}", 5},
      {"up{job={{j}}}", {{"j", "x"}}, "1:8: placeholder {{j}} stands inside braces", 7},
      {"up{{x}}", {{"x", "5"}}, "1:3: placeholder {{x}} must stand alone", 2},
      {"up > {{a}}{{b}}", {{"a", "1"}, {"b", "2"}}, "1:6: placeholder {{a}} must stand alone", 5},
      {"up > 1{{b}}", {{"b", "2"}}, "1:7: placeholder {{b}} must stand alone", 6},
      {"up{job=\"{{ bad-name }}\"}", {}, "1:9: malformed placeholder", 8},
      {"up{job=\"{{}}\"}", {}, "1:9: malformed placeholder", 8},
      {"up{job=\"{{1x}}\"}", {}, "1:9: malformed placeholder", 8},
      {"up{job=\"{{x}\"}", {{"x", "a"}}, "1:9: malformed placeholder", 8},
      {"up{job=\"{{v}}\"}", {{"v", "\xff"}}, "1:9: placeholder {{v}}: value is not valid UTF-8", 8},
      {R"(up{job=~"a\\{{v}}"})", {{"v", "."}}, "1:13: placeholder {{v}} follows an unpaired backslash", 12},
      {R"(up{job=~"a\x5c{{v}}"})", {{"v", "."}}, "1:15: placeholder {{v}} follows an unpaired backslash", 14},
      {R"(up{job="x"}{{v}})", {{"v", "1"}}, "expanded template: 1:12: parse error", UINT32_MAX},
      {"up{job=\"{{v}}\"", {{"v", "x"}}, "expanded template: 1:11: parse error", UINT32_MAX},
      {"up{a=\"{{v}}\"}", {{"v", "x"}, {"v", "y"}}, "template value {{v}} given twice", UINT32_MAX},
  };
  for (const Bad& b : kBad) {
    SCOPED_TRACE(b.tmpl);
    absl::StatusOr<std::string> out = ExpandTemplate(b.tmpl, b.values);
    ASSERT_FALSE(out.ok()) << *out;
    EXPECT_EQ(out.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(std::string(out.status().message()).rfind(b.prefix, 0), 0u) << out.status().message();
    std::optional<Span> span = ErrorSpan(out.status());
    if (b.offset == UINT32_MAX) {
      EXPECT_FALSE(span.has_value());
    } else {
      ASSERT_TRUE(span.has_value());
      EXPECT_EQ(span->start, b.offset);
    }
  }
}

TEST(PromqlQueryTemplate, EvenBackslashesBeforeARegexPlaceholderAreFine) {
  absl::StatusOr<std::string> out = ExpandTemplate(R"(up{job=~"a\\\\{{v}}"})", {{"v", "."}});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, R"(up{job=~"a\\\\\\."})");
}

TEST(PromqlQueryTemplate, ThenScoped) {
  absl::StatusOr<std::string> q = ExpandTemplate(
      R"(sum(rate(x{pod=~"{{service}}-.*"}[{{range}}])))", {{"service", "api"}, {"range", "5m"}});
  ASSERT_TRUE(q.ok()) << q.status();
  InjectOptions options;
  options.enforced.push_back(LabelMatcher{"tenant", MatchOp::kEqual, "a", {}});
  absl::StatusOr<Injector> injector = Injector::Create(options);
  ASSERT_TRUE(injector.ok());
  absl::StatusOr<std::string> scoped = injector->InjectQuery(*q);
  ASSERT_TRUE(scoped.ok()) << scoped.status();
  EXPECT_EQ(*scoped, R"(sum(rate(x{pod=~"api-.*",tenant="a"}[5m])))");
}

TEST(PromqlQueryTemplate, TemplateSizeLimit) {
  ParserOptions options;
  options.max_query_bytes = 8;
  absl::StatusOr<std::string> out = ExpandTemplate("up{a=\"{{v}}\"}", {{"v", "x"}}, options);
  EXPECT_EQ(out.status().code(), absl::StatusCode::kResourceExhausted);
}

}  // namespace
}  // namespace obsv::promql
