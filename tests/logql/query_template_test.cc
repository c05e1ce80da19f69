// LogQL query templates: each place a placeholder can stand, escaping, and
// values that cannot be made safe.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "obsv/logql_template.h"

namespace obsv::logql {
namespace {

struct Case {
  std::string tmpl;
  std::vector<TemplateValue> values;
  std::string out;          // "" when an error is expected
  uint32_t offset = 0;      // ErrorSpan()->start of the error
};

TEST(LogqlTemplateTest, Table) {
  const std::vector<Case> cases = {
      // Strings: the value stays inside.
      {R"({app="{{app}}"})", {{"app", "a\"} or {x=\"y"}}, R"({app="a\"} or {x=\"y"})"},
      {R"({app="{{app}}"} |= `{{w}}`)", {{"app", "a"}, {"w", "x\"}"}}, R"({app="a"} |= `x"}`)"},
      {R"({app="a"} |= `{{w}}`)", {{"w", "x`y"}}, "", 14},
      {R"({app="{{app}}"})", {{"app", "line\nbreak\\"}}, R"({app="line\nbreak\\"})"},
      // Regexes: QuoteMeta'd.
      {R"({app=~"{{app}}-.*"})", {{"app", "a.b"}}, R"x({app=~"a\\.b-.*"})x"},
      {R"({app="a"} |~ "{{w}}")", {{"w", "(.*)"}}, R"x({app="a"} |~ "\\(\\.\\*\\)")x"},
      {R"({app="a"} | json | level=~"{{l}}")", {{"l", "a|b"}}, R"x({app="a"} | json | level=~"a\\|b")x"},
      {R"x({app="a"} | regexp "(?P<x>{{w}})")x", {{"w", "a+"}}, R"x({app="a"} | regexp "(?P<x>a\\+)")x"},
      {R"({app="a"} |~ "\\{{w}}")", {{"w", "x"}}, "", 16},
      // Patterns: no captures smuggled in.
      {R"({app="a"} |> "<_> {{w}} <_>")", {{"w", "GET"}}, R"({app="a"} |> "<_> GET <_>")"},
      {R"({app="a"} |> "<_> {{w}}")", {{"w", "<resource_id>"}}, "", 18},
      {R"({app="a"} | pattern "<_> {{w}}")", {{"w", "<x>"}}, "", 25},
      // Go templates of line_format / label_format are Loki's, untouched.
      {R"({app="{{a}}"} | line_format "{{.msg}} {{ __line__ }}")", {{"a", "x"}},
       R"({app="x"} | line_format "{{.msg}} {{ __line__ }}")"},
      {R"({app="a"} | label_format x="{{.y}}", z="{{ .w }}")", {}, R"({app="a"} | label_format x="{{.y}}", z="{{ .w }}")"},
      // Durations and bare tokens.
      {R"(rate({app="a"}[{{range}}]))", {{"range", "5m"}}, R"(rate({app="a"}[5m]))"},
      {R"(rate({app="a"}[{{range}}]))", {{"range", "5m] or vector(1"}}, "", 15},
      {R"(rate({app="a"}[{{range}}m]))", {{"range", "5"}}, "", 15},
      {R"(sum by ({{l}}) (rate({app="a"}[1m])))", {{"l", "level"}}, R"(sum by (level) (rate({app="a"}[1m])))"},
      {R"(sum by ({{l}}) (rate({app="a"}[1m])))", {{"l", "a) or (b"}}, "", 8},
      {R"(sum by ({{l}}) (rate({app="a"}[1m])))", {{"l", "or"}}, "", 8},
      {R"(rate({app="a"}[1m]) > {{t}})", {{"t", "0.5"}}, R"(rate({app="a"}[1m]) > 0.5)"},
      {R"(rate({app="a"}[1m]) > {{t}})", {{"t", "-1"}}, "", 22},
      {R"({app="a"} | json | size > {{b}})", {{"b", "20MB"}}, R"({app="a"} | json | size > 20MB)"},
      {R"(topk({{k}}, rate({app="a"}[1m])))", {{"k", "5"}}, R"(topk(5, rate({app="a"}[1m])))"},
      // Label names inside braces.
      {R"({ {{l}}="x"})", {{"l", "app"}}, R"({ app="x"})"},
      {R"({ {{l}}="x"})", {{"l", "a=\"b\",c"}}, "", 2},
      // label_replace's replacement and regex.
      {R"x(label_replace(rate({a="b"}[1m]), "dst", "{{r}}", "src", "{{re}}"))x",
       {{"r", "$1"}, {"re", "a.b"}},
       R"x(label_replace(rate({a="b"}[1m]), "dst", "$$1", "src", "a\\.b"))x"},
      // Placeholders in comments are left alone; malformed and missing ones fail.
      {"{app=\"a\"} # {{nothing}}", {}, "{app=\"a\"} # {{nothing}}"},
      {R"({app="{{ app"})", {{"app", "a"}}, "", 6},
      {R"({app="{{app}}"})", {}, "", 6},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.tmpl);
    absl::StatusOr<std::string> got = ExpandTemplate(c.tmpl, c.values);
    if (c.out.empty()) {
      ASSERT_FALSE(got.ok()) << *got;
      EXPECT_EQ(got.status().code(), absl::StatusCode::kInvalidArgument) << got.status();
      ASSERT_TRUE(ErrorSpan(got.status()).has_value()) << got.status();
      EXPECT_EQ(ErrorSpan(got.status())->start, c.offset) << got.status();
      continue;
    }
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, c.out);
  }
}

TEST(LogqlTemplateTest, Misc) {
  EXPECT_EQ(ExpandTemplate("{a=\"{{x}}\"}", {{"x", "1"}, {"x", "2"}}).status().code(),
            absl::StatusCode::kInvalidArgument);
  ParserOptions small;
  small.max_query_bytes = 4;
  EXPECT_EQ(ExpandTemplate("{a=\"b\"}", {}, small).status().code(),
            absl::StatusCode::kResourceExhausted);
  absl::StatusOr<std::string> bad = ExpandTemplate("{a=\"{{x}}\"", {{"x", "1"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(std::string(bad.status().message()).rfind("expanded template: ", 0), 0u);
}

}  // namespace
}  // namespace obsv::logql
