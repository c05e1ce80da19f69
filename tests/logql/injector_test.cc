// The LogQL injector: every stream selector scoped, conflict policies,
// refused label writes, endpoint selectors, and the whole corpus.
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "obsv/logql.h"
#include "obsv/logql_scope.h"

#ifndef OBSV_TESTDATA_DIR
#error "OBSV_TESTDATA_DIR must be defined"
#endif

namespace obsv::logql {
namespace {

EnforcedMatcher M(std::string name, MatchOp op, std::string value) {
  EnforcedMatcher m;
  m.name = std::move(name);
  m.op = op;
  m.value = std::move(value);
  return m;
}

Injector Make(std::vector<EnforcedMatcher> enforced, ConflictPolicy policy = ConflictPolicy::kError,
              bool refuse_writes = false) {
  InjectOptions options;
  options.enforced = std::move(enforced);
  options.policy = policy;
  options.refuse_enforced_label_writes = refuse_writes;
  absl::StatusOr<Injector> injector = Injector::Create(std::move(options));
  EXPECT_TRUE(injector.ok()) << injector.status();
  return *injector;
}

Injector R1(ConflictPolicy policy = ConflictPolicy::kError, bool refuse_writes = false) {
  return Make({M("resource_id", MatchOp::kEqual, "r1")}, policy, refuse_writes);
}

// Every selector of `text` (parsed) ends with the enforced matchers.
void ExpectScoped(const std::string& text, const std::vector<EnforcedMatcher>& enforced) {
  if (text == "NaN") return;  // a folded literal Loki prints as Go does; no selector
  absl::StatusOr<ExprPtr> again = Parse(text);
  ASSERT_TRUE(again.ok()) << again.status() << "\n" << text;
  EXPECT_EQ(Format(**again), text);
  std::vector<const StreamSelector*> sels = StreamSelectors(static_cast<const Expr&>(**again));
  for (const StreamSelector* s : sels) {
    ASSERT_GE(s->matchers.size(), enforced.size()) << text;
    size_t base = s->matchers.size() - enforced.size();
    for (size_t k = 0; k < enforced.size(); ++k) {
      const LabelMatcher& got = s->matchers[base + k];
      EXPECT_EQ(got.name, enforced[k].name) << text;
      EXPECT_EQ(got.op, enforced[k].op) << text;
      EXPECT_EQ(got.value, enforced[k].value) << text;
    }
  }
}

struct Case {
  std::string in;
  std::string out;  // "" when refused
  ConflictPolicy policy = ConflictPolicy::kError;
  std::string error = {};  // message prefix when refused
  uint32_t offset = 0;     // ErrorSpan()->start when refused
};

TEST(LogqlInjectorTest, Table) {
  const std::vector<Case> cases = {
      // Every place a selector stands.
      {R"({app="a"})", R"({app="a", resource_id="r1"})"},
      {R"({app="a"} |= "x" | json)", R"({app="a", resource_id="r1"} |= "x" | json)"},
      {R"(sum(rate({app="api"} |= "error" [5m])))",
       R"(sum(rate({app="api", resource_id="r1"} |= "error"[5m])))"},
      {R"(count_over_time({job="foo"}[5m]))", R"(count_over_time({job="foo", resource_id="r1"}[5m]))"},
      {R"(rate({a="1"}[1m]) / rate({b="2"}[1m]))",
       R"((rate({a="1", resource_id="r1"}[1m]) / rate({b="2", resource_id="r1"}[1m])))"},
      {R"x(label_replace(rate({a="1"}[1m]), "dst", "$1", "src", "(.*)"))x",
       R"x(label_replace(rate({a="1", resource_id="r1"}[1m]),"dst","$1","src","(.*)"))x"},
      {R"(variants(count_over_time({job="foo"}[5m])) of ({job="foo"}[5m]))",
       R"(variants(count_over_time({job="foo", resource_id="r1"}[5m])) of ({job="foo", resource_id="r1"}[5m]))"},
      {R"(topk(3, sum by (app) (sum_over_time({a="1"} | unwrap x [1m]))))", ""},
      {R"(vector(1) + sum(rate({a="1"}[1m])))",
       R"((vector(1.000000) + sum(rate({a="1", resource_id="r1"}[1m]))))"},
      // Text that looks like selectors is data.
      {R"({app="a"} |= "{resource_id=\"r2\"}" |~ `}|{` # {resource_id="r2"})",
       R"({app="a", resource_id="r1"} |= "{resource_id=\"r2\"}" |~ "}|{")"},
      {"{app=\"a\"} # comment {resource_id=\"x\"}\n| line_format \"{{.resource_id}}\"",
       R"({app="a", resource_id="r1"} | line_format "{{.resource_id}}")"},
      // Pipeline writes are allowed by default (the read set is scoped).
      {R"({app="a"} | label_format resource_id="r2")",
       R"({app="a", resource_id="r1"} | label_format resource_id="r2")"},
      {R"x({app="a"} | regexp "(?P<resource_id>\\w+)")x",
       R"x({app="a", resource_id="r1"} | regexp "(?P<resource_id>\\w+)")x"},
      {R"({app="a"} | resource_id="r2")", R"({app="a", resource_id="r1"} | resource_id="r2")"},
      // Policies.
      {R"({resource_id="r1"})", R"({resource_id="r1"})"},
      {R"({app="a", resource_id="r2"})", "", ConflictPolicy::kError,
       "1:11: label matcher resource_id=\"r2\" is not allowed", 10},
      {R"({resource_id=~"r.*"})", "", ConflictPolicy::kError, "1:2:", 1},
      {R"({resource_id!="r2", app="a"})", "", ConflictPolicy::kError, "1:2:", 1},
      {"sum(\n rate({app=\"a\", resource_id=\"r2\"}[1m]))", "", ConflictPolicy::kError, "2:17:",
       21},
      {R"({app="a", resource_id="r2"})", R"({app="a", resource_id="r1"})", ConflictPolicy::kReplace},
      {R"({app="a", resource_id=~"r.*"})", R"({app="a", resource_id=~"r.*", resource_id="r1"})",
       ConflictPolicy::kIntersect},
      {R"({app="a", resource_id="r1"})", R"({app="a", resource_id="r1"})",
       ConflictPolicy::kIntersect},
      // Label names compare exactly.
      {R"({Resource_id="r2"})", R"({Resource_id="r2", resource_id="r1"})"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.in);
    Injector injector = R1(c.policy);
    absl::StatusOr<std::string> got = injector.InjectQuery(c.in);
    if (!c.error.empty()) {
      ASSERT_FALSE(got.ok()) << *got;
      EXPECT_EQ(got.status().code(), absl::StatusCode::kPermissionDenied);
      EXPECT_EQ(std::string(got.status().message()).rfind(c.error, 0), 0u) << got.status();
      ASSERT_TRUE(ErrorSpan(got.status()).has_value());
      EXPECT_EQ(ErrorSpan(got.status())->start, c.offset);
      continue;
    }
    ASSERT_TRUE(got.ok()) << got.status();
    if (!c.out.empty()) {
      EXPECT_EQ(*got, c.out);
    }
    ExpectScoped(*got, injector.enforced());
  }
}

TEST(LogqlInjectorTest, NarrowingUnderRegex) {
  absl::StatusOr<EnforcedMatcher> m = MatcherForValues("resource_id", {"r2", "r1", "r1"});
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->op, MatchOp::kRegexMatch);
  EXPECT_EQ(m->value, "r1|r2");
  Injector injector = Make({*m});
  absl::StatusOr<std::string> ok = injector.InjectQuery(R"({resource_id="r2"})");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(*ok, R"({resource_id="r2", resource_id=~"r1|r2"})");
  EXPECT_FALSE(injector.InjectQuery(R"({resource_id="r3"})").ok());
  absl::StatusOr<EnforcedMatcher> dots = MatcherForValues("resource_id", {"a.b", "c"});
  ASSERT_TRUE(dots.ok());
  EXPECT_EQ(dots->value, R"(a\.b|c)");
}

TEST(LogqlInjectorTest, CreateErrors) {
  auto create = [](std::vector<EnforcedMatcher> e) {
    InjectOptions o;
    o.enforced = std::move(e);
    return Injector::Create(std::move(o)).status();
  };
  EXPECT_EQ(create({}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(create({M("resource-id", MatchOp::kEqual, "a")}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(create({M("r", MatchOp::kRegexMatch, "(")}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(create({M("r", MatchOp::kRegexMatch, ".*")}).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(create({M("r", MatchOp::kEqual, "")}).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(create({M("r", MatchOp::kNotEqual, ""), M("s", MatchOp::kEqual, "x")}).ok());
  EXPECT_FALSE(MatcherForValues("resource_id", {}).ok());
  EXPECT_FALSE(MatcherForValues("resource_id", {""}).ok());
  EXPECT_FALSE(MatcherForValues("1x", {"a"}).ok());
}

TEST(LogqlInjectorTest, RefuseEnforcedLabelWrites) {
  struct W {
    std::string in;
    bool refused;
  };
  const std::vector<W> cases = {
      {R"({a="1"} | label_format resource_id="r2")", true},
      {R"({a="1"} | label_format resource_id=app)", true},
      {R"({a="1"} | label_format other=resource_id)", true},
      {R"({a="1"} | label_format other="{{.resource_id}}")", false},
      {R"x({a="1"} | regexp "(?P<resource_id>\\w+)")x", true},
      {R"x({a="1"} | regexp "(?P<other>\\w+)")x", false},
      {R"({a="1"} | pattern "<_> <resource_id> <x>")", true},
      {R"({a="1"} | pattern "<_> <other>")", false},
      {R"({a="1"} | json resource_id="x.y")", true},
      {R"({a="1"} | logfmt resource_id)", true},
      {R"({a="1"} | json | logfmt | unpack)", false},
      {R"({a="1"} | drop resource_id)", true},
      {R"({a="1"} | drop resource_id="r1")", true},
      {R"({a="1"} | drop other)", false},
      {R"({a="1"} | keep other)", true},
      {R"({a="1"} | keep other, resource_id)", false},
      {R"({a="1"} | keep resource_id="r1")", true},
      {R"(label_replace(rate({a="1"}[1m]), "resource_id", "x", "", ""))", true},
      {R"x(label_replace(rate({a="1"}[1m]), "other", "$1", "resource_id", "(.*)"))x", false},
      {R"(sum(rate({a="1"} | label_format resource_id="x" [1m])))", true},
      {R"(variants(count_over_time({a="1"}[1m])) of ({a="1"} | drop resource_id [1m]))", true},
      {R"({a="1"} | resource_id="r1" | line_format "{{.resource_id}}")", false},
  };
  for (const W& c : cases) {
    SCOPED_TRACE(c.in);
    absl::StatusOr<std::string> off = R1().InjectQuery(c.in);
    EXPECT_TRUE(off.ok()) << off.status();
    absl::StatusOr<std::string> on = R1(ConflictPolicy::kError, true).InjectQuery(c.in);
    EXPECT_EQ(!on.ok(), c.refused) << (on.ok() ? *on : on.status().ToString());
    if (!on.ok()) {
      EXPECT_EQ(on.status().code(), absl::StatusCode::kPermissionDenied);
      EXPECT_TRUE(ErrorSpan(on.status()).has_value());
    }
  }
}

TEST(LogqlInjectorTest, EndpointSelectors) {
  Injector injector = R1();
  absl::StatusOr<std::string> absent = injector.InjectSelector("");
  ASSERT_TRUE(absent.ok());
  EXPECT_EQ(*absent, R"({resource_id="r1"})");
  absl::StatusOr<std::string> one = injector.InjectSelector(R"({app="a"})");
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(*one, R"({app="a", resource_id="r1"})");
  absl::StatusOr<std::string> pipe = injector.InjectSelector(R"({app="a"} |= "x")");
  EXPECT_EQ(pipe.status().code(), absl::StatusCode::kInvalidArgument);
  pipe = injector.InjectSelector(R"({app="a"} |= "x")", /*allow_pipeline=*/true);
  ASSERT_TRUE(pipe.ok());
  EXPECT_EQ(*pipe, R"({app="a", resource_id="r1"} |= "x")");
  EXPECT_FALSE(injector.InjectSelector(R"(rate({app="a"}[1m]))", true).ok());
  EXPECT_FALSE(injector.InjectSelector("{app=").ok());
  EXPECT_EQ(injector.InjectSelector(R"({resource_id="r2"})").status().code(),
            absl::StatusCode::kPermissionDenied);

  absl::StatusOr<std::vector<std::string>> none = injector.InjectSelectors({});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, std::vector<std::string>{R"({resource_id="r1"})"});
  absl::StatusOr<std::vector<std::string>> two =
      injector.InjectSelectors({R"({a="1"})", R"({b=~"2|3"})"});
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(*two, (std::vector<std::string>{R"({a="1", resource_id="r1"})",
                                            R"({b=~"2|3", resource_id="r1"})"}));
  absl::StatusOr<std::vector<std::string>> bad =
      injector.InjectSelectors({R"({a="1"})", R"({a="1", resource_id="x"})"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(std::string(bad.status().message()).rfind("match[1]: 1:9:", 0), 0u) << bad.status();
  EXPECT_EQ(ErrorSpan(bad.status())->start, 8u);
}

TEST(LogqlInjectorTest, DeepAndLong) {
  Injector injector = R1();
  std::string q = R"(rate({a="0"}[1m]))";
  for (int i = 1; i < 200; ++i) q = "(" + q + " + rate({a=\"" + std::to_string(i) + "\"}[1m]))";
  absl::StatusOr<std::string> got = injector.InjectQuery(q);
  ASSERT_TRUE(got.ok()) << got.status();
  ExpectScoped(*got, injector.enforced());
  std::string wide = R"({a="1"})";
  for (int i = 0; i < 900; ++i) wide += R"( |= "{resource_id=\"x\"}")";
  got = injector.InjectQuery(wide);
  ASSERT_TRUE(got.ok()) << got.status();
  ExpectScoped(*got, injector.enforced());
}

TEST(LogqlInjectorTest, SeveralEnforcedMatchers) {
  std::vector<EnforcedMatcher> enforced = {M("resource_id", MatchOp::kEqual, "r1"),
                                        M("env", MatchOp::kNotEqual, "secret")};
  Injector injector = Make(enforced);
  absl::StatusOr<std::string> got = injector.InjectQuery(R"(count_over_time({a="1"}[1m]))");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(*got, R"(count_over_time({a="1", resource_id="r1", env!="secret"}[1m]))");
}

std::vector<std::string> ReadLines(const std::string& name) {
  std::ifstream in(std::string(OBSV_TESTDATA_DIR) + "/logql/" + name);
  EXPECT_TRUE(in.good()) << name;
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

std::string Decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == 'n') {
      out.push_back('\n');
      ++i;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// Every valid query of the corpus, under every policy: the result
// re-parses, prints the same, and every selector ends with the enforced
// matchers; kError refuses only with PermissionDenied.
TEST(LogqlInjectorTest, Corpus) {
  std::vector<std::string> queries = ReadLines("valid.txt");
  ASSERT_GT(queries.size(), 800u);
  int refused = 0, scoped = 0;
  for (ConflictPolicy policy :
       {ConflictPolicy::kError, ConflictPolicy::kReplace, ConflictPolicy::kIntersect}) {
    for (bool writes : {false, true}) {
      Injector injector = R1(policy, writes);
      for (size_t i = 0; i < queries.size(); ++i) {
        std::string q = Decode(queries[i]);
        SCOPED_TRACE("valid.txt:" + std::to_string(i + 1) + ": " + q);
        absl::StatusOr<std::string> got = injector.InjectQuery(q);
        if (!got.ok()) {
          EXPECT_EQ(got.status().code(), absl::StatusCode::kPermissionDenied) << got.status();
          EXPECT_TRUE(policy == ConflictPolicy::kError || writes) << got.status();
          ++refused;
          continue;
        }
        ++scoped;
        ExpectScoped(*got, injector.enforced());
      }
    }
  }
  EXPECT_GT(scoped, 4500);
  EXPECT_GT(refused, 0);
}

}  // namespace
}  // namespace obsv::logql
