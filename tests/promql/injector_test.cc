// The tenant-scoping injector and series-selector enforcement: every place a
// selector can stand, each conflict policy, conflict positions, validation
// of the enforced matchers, and a property check over the parser's corpus.
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "obsv/promql.h"
#include "obsv/promql_scope.h"
#include "re2/re2.h"

namespace obsv::promql {
namespace {

LabelMatcher M(std::string name, MatchOp op, std::string value) {
  LabelMatcher m;
  m.name = std::move(name);
  m.op = op;
  m.value = std::move(value);
  return m;
}

Injector MakeInjector(std::vector<LabelMatcher> enforced, ConflictPolicy policy) {
  InjectOptions options;
  options.enforced = std::move(enforced);
  options.policy = policy;
  absl::StatusOr<Injector> injector = Injector::Create(std::move(options));
  EXPECT_TRUE(injector.ok()) << injector.status();
  return *std::move(injector);
}

Injector TenantA(ConflictPolicy policy = ConflictPolicy::kError) {
  return MakeInjector({M("tenant", MatchOp::kEqual, "a")}, policy);
}

ParserOptions Experimental() {
  ParserOptions options;
  options.enable_experimental_functions = true;
  return options;
}

struct Case {
  std::string_view in;
  std::string_view out;
};

// Every place a selector can stand; tenant="a", policy kError.
const Case kPlaces[] = {
    {"up", R"(up{tenant="a"})"},
    {R"(up{job="x"})", R"(up{job="x",tenant="a"})"},
    {R"({__name__="up"})", R"({__name__="up",tenant="a"})"},
    {R"({"foo.bar"})", R"({__name__="foo.bar",tenant="a"})"},
    {R"({job=~".+"})", R"({job=~".+",tenant="a"})"},
    {"up offset 5m", R"(up{tenant="a"} offset 5m)"},
    {"up @ 100", R"(up{tenant="a"} @ 100.000)"},
    {"rate(x[5m])", R"(rate(x{tenant="a"}[5m]))"},
    {"rate(x[5m] offset 1h)", R"(rate(x{tenant="a"}[5m] offset 1h))"},
    {"sum by (job) (rate(x[5m]))", R"(sum by (job) (rate(x{tenant="a"}[5m])))"},
    // Aggregation parameters: prom-label-proxy's blind spot.
    {"topk(scalar(secret), up)", R"(topk(scalar(secret{tenant="a"}), up{tenant="a"}))"},
    {"quantile(scalar(q), up)", R"(quantile(scalar(q{tenant="a"}), up{tenant="a"}))"},
    {"limitk(scalar(k), up)", R"(limitk(scalar(k{tenant="a"}), up{tenant="a"}))"},
    {R"(count_values("v", up))", R"(count_values("v", up{tenant="a"}))"},
    // Subqueries.
    {"max_over_time(rate(x[1m])[5m:1m])", R"(max_over_time(rate(x{tenant="a"}[1m])[5m:1m]))"},
    {"max_over_time((a + b)[5m:])", R"(max_over_time((a{tenant="a"} + b{tenant="a"})[5m:]))"},
    // Both sides of binary expressions.
    {"a + on (job) group_left (x) b",
     R"(a{tenant="a"} + on (job) group_left (x) b{tenant="a"})"},
    {"a and b or c unless d",
     R"(a{tenant="a"} and b{tenant="a"} or c{tenant="a"} unless d{tenant="a"})"},
    {"a > bool 1", R"(a{tenant="a"} > bool 1)"},
    {"1 - a", R"(1 - a{tenant="a"})"},
    {"-a", R"(-a{tenant="a"})"},
    {"(a)", R"((a{tenant="a"}))"},
    // Function arguments, nested.
    {"histogram_quantile(0.9, sum by (le) (rate(h_bucket[5m])))",
     R"(histogram_quantile(0.9, sum by (le) (rate(h_bucket{tenant="a"}[5m]))))"},
    {R"q(label_replace(up, "dst", "$1", "src", "(.*)"))q",
     R"q(label_replace(up{tenant="a"}, "dst", "$1", "src", "(.*)"))q"},
    {"absent(nope)", R"(absent(nope{tenant="a"}))"},
    {"clamp(a, scalar(b), scalar(c))",
     R"(clamp(a{tenant="a"}, scalar(b{tenant="a"}), scalar(c{tenant="a"})))"},
    // Nothing to scope.
    {"vector(1) + time()", "vector(1) + time()"},
    {"1 + 2", "1 + 2"},
    {R"("text")", R"("text")"},
    // The user's matcher identical to the enforced one is redundant.
    {R"(up{tenant="a"})", R"(up{tenant="a"})"},
    {R"(up{"ten\u0061nt"="a"})", R"(up{tenant="a"})"},
    // info(): the data-label selector is scoped, or added when missing.
    {"info(up)", R"(info(up{tenant="a"}, {tenant="a"}))"},
    {R"(info(rate(x[5m]), {k8s_cluster=~".+"}))",
     R"(info(rate(x{tenant="a"}[5m]), {k8s_cluster=~".+",tenant="a"}))"},
    {R"(info(up, {__name__="build_info"}))",
     R"(info(up{tenant="a"}, {__name__="build_info",tenant="a"}))"},
    {R"(sum(info(up)))", R"(sum(info(up{tenant="a"}, {tenant="a"})))"},
};

TEST(PromqlInjector, EveryPlaceASelectorStands) {
  Injector injector = TenantA();
  for (const Case& c : kPlaces) {
    SCOPED_TRACE(c.in);
    absl::StatusOr<std::string> out = injector.InjectQuery(c.in, Experimental());
    ASSERT_TRUE(out.ok()) << out.status();
    EXPECT_EQ(*out, c.out);
    // Canonical and stable: the output re-parses, and scoping it again
    // changes nothing.
    absl::StatusOr<std::string> again = injector.InjectQuery(*out, Experimental());
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(*again, c.out);
  }
}

TEST(PromqlInjector, InfoAddedSelectorBypassesEmptyMatcherCheck) {
  Injector injector = TenantA();
  absl::StatusOr<ExprPtr> e = Parse("info(up)", Experimental());
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE(injector.Inject(**e).ok());
  const Call& call = (*e)->As<Call>();
  ASSERT_EQ(call.args.size(), 2u);
  ASSERT_EQ(call.args[1]->kind, NodeKind::kVectorSelector);
  const auto& sel = call.args[1]->As<VectorSelector>();
  EXPECT_TRUE(sel.bypass_empty_matcher_check);
  EXPECT_EQ(sel.name, "");
  ASSERT_EQ(sel.matchers.size(), 1u);
  EXPECT_EQ(sel.matchers[0].name, "tenant");
}

struct PolicyCase {
  std::string_view in;
  ConflictPolicy policy;
  std::string_view out;  // empty: refused
  std::string_view error_prefix = "";
  uint32_t error_offset = 0;
};

const PolicyCase kPolicies[] = {
    // kError: another value, a regex, a negative matcher are refused where
    // they stand, even deep in the query or in info()'s selector.
    {R"(up{tenant="b"})", ConflictPolicy::kError, "",
     R"(1:4: label matcher tenant="b" is not allowed: the query is scoped to tenant="a")", 3},
    {R"(up{tenant=~"a"})", ConflictPolicy::kError, "", "1:4: label matcher tenant=~\"a\"", 3},
    {R"(up{tenant!="b"})", ConflictPolicy::kError, "", "1:4: label matcher tenant!=\"b\"", 3},
    {R"(up{tenant=~".*"})", ConflictPolicy::kError, "", "1:4:", 3},
    {R"(up{tenant=""})", ConflictPolicy::kError, "", "1:4:", 3},
    {R"(up{job="x",tenant="b"})", ConflictPolicy::kError, "", "1:12:", 11},
    {R"({"ten\u0061nt"="b"})", ConflictPolicy::kError, "", "1:2:", 1},
    {R"(topk(scalar(x{tenant="b"}), up))", ConflictPolicy::kError, "", "1:15:", 14},
    {"sum(\n  rate(x{tenant=\"b\"}[5m]))", ConflictPolicy::kError, "", "2:10:", 14},
    {R"(a + max_over_time(b{tenant="b"}[5m:]))", ConflictPolicy::kError, "", "1:21:", 20},
    {R"(info(up, {tenant="b"}))", ConflictPolicy::kError, "", "1:11:", 10},
    // kReplace: the user's matchers on the label are dropped.
    {R"(up{tenant="b"})", ConflictPolicy::kReplace, R"(up{tenant="a"})"},
    {R"(up{tenant=~".+",tenant!="x",job="j"})", ConflictPolicy::kReplace,
     R"(up{job="j",tenant="a"})"},
    {R"({"ten\u0061nt"="b"})", ConflictPolicy::kReplace, R"({tenant="a"})"},
    {R"(info(up, {tenant="b"}))", ConflictPolicy::kReplace,
     R"(info(up{tenant="a"}, {tenant="a"}))"},
    // kIntersect: kept and ANDed (here: matches nothing, which is allowed).
    {R"(up{tenant="b"})", ConflictPolicy::kIntersect, R"(up{tenant="a",tenant="b"})"},
    {R"(up{tenant=~"a|b"})", ConflictPolicy::kIntersect, R"(up{tenant="a",tenant=~"a|b"})"},
    {R"(up{tenant="a"})", ConflictPolicy::kIntersect, R"(up{tenant="a"})"},
};

TEST(PromqlInjector, ConflictPolicies) {
  for (const PolicyCase& c : kPolicies) {
    SCOPED_TRACE(c.in);
    Injector injector = TenantA(c.policy);
    absl::StatusOr<std::string> out = injector.InjectQuery(c.in, Experimental());
    if (!c.out.empty()) {
      ASSERT_TRUE(out.ok()) << out.status();
      EXPECT_EQ(*out, c.out);
      continue;
    }
    ASSERT_FALSE(out.ok()) << *out;
    EXPECT_EQ(out.status().code(), absl::StatusCode::kPermissionDenied);
    EXPECT_EQ(std::string(out.status().message()).rfind(c.error_prefix, 0), 0u)
        << out.status().message();
    std::optional<Span> span = ErrorSpan(out.status());
    ASSERT_TRUE(span.has_value());
    EXPECT_EQ(span->start, c.error_offset);
  }
}

TEST(PromqlInjector, ErrorPolicyAllowsNarrowingWithinAllowedValues) {
  absl::StatusOr<LabelMatcher> ab = MatcherForValues("tenant", {"a", "b"});
  ASSERT_TRUE(ab.ok());
  Injector injector = MakeInjector({*ab}, ConflictPolicy::kError);
  absl::StatusOr<std::string> out = injector.InjectQuery(R"(up{tenant="a"})");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, R"(up{tenant="a",tenant=~"a|b"})");
  out = injector.InjectQuery(R"(up{tenant=~"a|b"})");  // identical
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, R"(up{tenant=~"a|b"})");
  out = injector.InjectQuery(R"(up{tenant="c"})");
  EXPECT_EQ(out.status().code(), absl::StatusCode::kPermissionDenied);
  out = injector.InjectQuery(R"(up{tenant=~"a"})");  // a regex: not decided
  EXPECT_EQ(out.status().code(), absl::StatusCode::kPermissionDenied);
  // Prometheus 3's `.` matches a newline; the check anchors as it does.
  Injector dot = MakeInjector({M("tenant", MatchOp::kRegexMatch, "a.b")}, ConflictPolicy::kError);
  EXPECT_TRUE(dot.InjectQuery("up{tenant=\"a\\nb\"}").ok());
  EXPECT_FALSE(dot.InjectQuery("up{tenant=\"xa\\nb\"}").ok());
}

TEST(PromqlInjector, SeveralEnforcedMatchers) {
  Injector injector = MakeInjector(
      {M("tenant", MatchOp::kEqual, "a"), M("region", MatchOp::kRegexMatch, "eu-.*")},
      ConflictPolicy::kError);
  absl::StatusOr<std::string> out = injector.InjectQuery(R"(up{region="eu-1"} / down)");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out,
            R"(up{region="eu-1",region=~"eu-.*",tenant="a"} / down{region=~"eu-.*",tenant="a"})");
  out = injector.InjectQuery(R"(up{region="us-1"})");
  EXPECT_EQ(out.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_NE(out.status().message().find("scoped to region=~\"eu-.*\""), absl::string_view::npos)
      << out.status().message();
}

TEST(PromqlInjector, InjectWithoutSourceGivesOffsets) {
  Injector injector = TenantA();
  absl::StatusOr<ExprPtr> e = Parse(R"(up{tenant="b"})");
  ASSERT_TRUE(e.ok());
  absl::Status s = injector.Inject(**e);
  EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(std::string(s.message()).rfind("offset 3: ", 0), 0u) << s.message();
  EXPECT_EQ(ErrorSpan(s)->end, 13u);
  EXPECT_FALSE(ErrorSpan(absl::InvalidArgumentError("x")).has_value());
}

TEST(PromqlInjector, MalformedTreesFailClosed) {
  Injector injector = TenantA();
  MatrixSelector m;  // no selector
  EXPECT_EQ(injector.Inject(m).code(), absl::StatusCode::kInvalidArgument);
  Binary b;
  b.lhs = std::make_unique<VectorSelector>();
  EXPECT_EQ(injector.Inject(b).code(), absl::StatusCode::kInvalidArgument);
  Call c;  // no function
  EXPECT_EQ(injector.Inject(c).code(), absl::StatusCode::kInvalidArgument);
}

TEST(PromqlInjector, CreateValidatesEnforcedMatchers) {
  struct Bad {
    std::string_view why;
    std::vector<LabelMatcher> enforced;
  };
  const Bad kBad[] = {
      {"none", {}},
      {"metric name", {M("__name__", MatchOp::kEqual, "up")}},
      {"empty name", {M("", MatchOp::kEqual, "a")}},
      {"bad UTF-8 name", {M("ten\xffnt", MatchOp::kEqual, "a")}},
      {"bad UTF-8 value", {M("tenant", MatchOp::kEqual, "\xc3")}},
      {"bad regex", {M("tenant", MatchOp::kRegexMatch, "(a")}},
      {"matches empty (!=)", {M("tenant", MatchOp::kNotEqual, "b")}},
      {"matches empty (=~)", {M("tenant", MatchOp::kRegexMatch, "a|")}},
      {"matches empty (=)", {M("tenant", MatchOp::kEqual, "")}},
  };
  for (const Bad& b : kBad) {
    SCOPED_TRACE(b.why);
    InjectOptions options;
    options.enforced = b.enforced;
    absl::StatusOr<Injector> injector = Injector::Create(options);
    EXPECT_EQ(injector.status().code(), absl::StatusCode::kInvalidArgument);
  }
  // A negative matcher is fine beside one that requires the label.
  InjectOptions options;
  options.enforced = {M("tenant", MatchOp::kRegexMatch, ".+"), M("tenant", MatchOp::kNotEqual, "b")};
  EXPECT_TRUE(Injector::Create(options).ok());
}

TEST(PromqlMatcherForValues, BuildsEscapedAlternation) {
  absl::StatusOr<LabelMatcher> one = MatcherForValues("tenant", {"a"});
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->op, MatchOp::kEqual);
  EXPECT_EQ(one->value, "a");
  absl::StatusOr<LabelMatcher> dup = MatcherForValues("tenant", {"a", "a"});
  ASSERT_TRUE(dup.ok());
  EXPECT_EQ(dup->op, MatchOp::kEqual);

  const std::vector<std::string> values = {"team.b", "a|b", "x\"y", "(c)*", "é+", "back\\slash"};
  absl::StatusOr<LabelMatcher> many = MatcherForValues("tenant", values);
  ASSERT_TRUE(many.ok());
  EXPECT_EQ(many->op, MatchOp::kRegexMatch);
  EXPECT_EQ(many->value, R"(\(c\)\*|a\|b|back\\slash|team\.b|x"y|é\+)");
  // Anchored as Prometheus anchors it, the regex accepts exactly the values.
  RE2 re("^(?s:" + many->value + ")$");
  ASSERT_TRUE(re.ok()) << re.error();
  for (const std::string& v : values) EXPECT_TRUE(RE2::FullMatch(v, re)) << v;
  for (const char* other : {"teamxb", "a", "b", "c", "cc", "é", "éé+", "x\"y|a", ""}) {
    EXPECT_FALSE(RE2::FullMatch(other, re)) << other;
  }
  // And it scopes a query, printed escaped.
  Injector injector = MakeInjector({*many}, ConflictPolicy::kError);
  absl::StatusOr<std::string> out = injector.InjectQuery("up");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, R"(up{tenant=~"\\(c\\)\\*|a\\|b|back\\\\slash|team\\.b|x\"y|é\\+"})");

  EXPECT_FALSE(MatcherForValues("tenant", {}).ok());
  EXPECT_FALSE(MatcherForValues("tenant", {"a", ""}).ok());
  EXPECT_FALSE(MatcherForValues("tenant", {"\xff"}).ok());
  EXPECT_FALSE(MatcherForValues("__name__", {"up"}).ok());
  EXPECT_FALSE(MatcherForValues("", {"a"}).ok());
}

TEST(PromqlInjectSelectors, ScopesEachSelector) {
  Injector injector = TenantA();
  absl::StatusOr<std::vector<std::string>> out = injector.InjectSelectors({});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, std::vector<std::string>{R"({tenant="a"})"});

  out = injector.InjectSelectors(
      {"up", R"({job="x"})", R"({__name__=~"foo.*"})", R"(up{tenant="a"})", R"({offset="x"})"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, (std::vector<std::string>{R"(up{tenant="a"})", R"({job="x",tenant="a"})",
                                            R"({__name__=~"foo.*",tenant="a"})",
                                            R"(up{tenant="a"})", R"({offset="x",tenant="a"})"}));

  Injector replace = TenantA(ConflictPolicy::kReplace);
  out = replace.InjectSelectors({R"({tenant="b",job="x"})"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, std::vector<std::string>{R"({job="x",tenant="a"})"});
}

TEST(PromqlInjectSelectors, RejectsAnythingButASeriesSelector) {
  Injector injector = TenantA();
  struct Bad {
    std::string_view match;
    absl::StatusCode code;
    std::string_view prefix;
  };
  const Bad kBad[] = {
      {"rate(x[5m])", absl::StatusCode::kInvalidArgument, "match[1]: 1:1: expected a series selector"},
      {"up[5m]", absl::StatusCode::kInvalidArgument, "match[1]: 1:1: expected a series selector"},
      {"(up)", absl::StatusCode::kInvalidArgument, "match[1]: 1:1: expected a series selector"},
      {"sum(up)", absl::StatusCode::kInvalidArgument, "match[1]: 1:1:"},
      {"up + up", absl::StatusCode::kInvalidArgument, "match[1]: 1:1:"},
      {"1", absl::StatusCode::kInvalidArgument, "match[1]: 1:1:"},
      {R"("s")", absl::StatusCode::kInvalidArgument, "match[1]: 1:1:"},
      {"up offset 5m", absl::StatusCode::kInvalidArgument, "match[1]: 1:4: a series selector takes no"},
      {"up offset 0s", absl::StatusCode::kInvalidArgument, "match[1]: 1:4:"},
      {"up @ 0", absl::StatusCode::kInvalidArgument, "match[1]: 1:4:"},
      {"{}", absl::StatusCode::kInvalidArgument, "match[1]: 1:1: parse error"},
      {"up{", absl::StatusCode::kInvalidArgument, "match[1]: "},
      {R"(up{tenant="b"})", absl::StatusCode::kPermissionDenied, "match[1]: 1:4: label matcher"},
  };
  for (const Bad& b : kBad) {
    SCOPED_TRACE(b.match);
    absl::StatusOr<std::vector<std::string>> out =
        injector.InjectSelectors({"up", std::string(b.match)});
    ASSERT_FALSE(out.ok());
    EXPECT_EQ(out.status().code(), b.code);
    EXPECT_EQ(std::string(out.status().message()).rfind(b.prefix, 0), 0u) << out.status().message();
  }
}

// --- Property check over the parser's corpus -------------------------------

// Every VectorSelector of the tree, wherever it stands, and whether every
// info() call has its data-label selector.
void Collect(const Expr& e, std::vector<const VectorSelector*>* out, bool* info_ok) {
  switch (e.kind) {
    case NodeKind::kNumberLiteral:
    case NodeKind::kStringLiteral:
      return;
    case NodeKind::kVectorSelector:
      out->push_back(&e.As<VectorSelector>());
      return;
    case NodeKind::kMatrixSelector:
      out->push_back(e.As<MatrixSelector>().selector.get());
      return;
    case NodeKind::kSubquery:
      Collect(*e.As<Subquery>().expr, out, info_ok);
      return;
    case NodeKind::kCall: {
      const auto& c = e.As<Call>();
      if (c.function->name == "info" && c.args.size() != 2) *info_ok = false;
      for (const ExprPtr& a : c.args) Collect(*a, out, info_ok);
      return;
    }
    case NodeKind::kAggregate: {
      const auto& a = e.As<Aggregate>();
      if (a.param != nullptr) Collect(*a.param, out, info_ok);
      Collect(*a.expr, out, info_ok);
      return;
    }
    case NodeKind::kBinary:
      Collect(*e.As<Binary>().lhs, out, info_ok);
      Collect(*e.As<Binary>().rhs, out, info_ok);
      return;
    case NodeKind::kUnary:
      Collect(*e.As<Unary>().expr, out, info_ok);
      return;
    case NodeKind::kParen:
      Collect(*e.As<Paren>().expr, out, info_ok);
      return;
  }
}

void ExpectScoped(const Expr& e, const std::vector<LabelMatcher>& enforced) {
  std::vector<const VectorSelector*> selectors;
  bool info_ok = true;
  Collect(e, &selectors, &info_ok);
  EXPECT_TRUE(info_ok);
  for (const VectorSelector* vs : selectors) {
    for (const LabelMatcher& want : enforced) {
      bool found = false;
      for (const LabelMatcher& m : vs->matchers) {
        found |= m.name == want.name && m.op == want.op && m.value == want.value;
      }
      EXPECT_TRUE(found) << "selector without " << want.name << ": " << Format(*vs);
    }
  }
}

std::vector<std::string> CorpusQueries() {
  std::ifstream in(std::string(OBSV_TESTDATA_DIR) + "/promql/valid.txt");
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    // As tests/reference/promql/main.go reads it: `\n` stands for a newline.
    for (size_t i = line.find("\\n"); i != std::string::npos; i = line.find("\\n", i + 1)) {
      line.replace(i, 2, "\n");
    }
    out.push_back(line);
  }
  return out;
}

TEST(PromqlInjectorProperty, EverySelectorOfTheCorpusIsScoped) {
  std::vector<std::string> queries = CorpusQueries();
  queries.push_back("info(up)");
  queries.push_back(R"(topk(scalar(max(a{tenant="a"})), b or on () info(c, {x="y"})))");
  ASSERT_GE(queries.size(), 100u);
  absl::StatusOr<LabelMatcher> ab = MatcherForValues("tenant", {"a", "b.c"});
  ASSERT_TRUE(ab.ok());
  const std::vector<std::vector<LabelMatcher>> enforced_sets = {
      {M("tenant", MatchOp::kEqual, "a")},
      {*ab, M("region", MatchOp::kNotEqual, "us")},
  };
  ParserOptions options = Experimental();
  ParserOptions reparse = options;
  reparse.max_matchers_per_selector += 2;
  int scoped = 0;
  for (const std::vector<LabelMatcher>& enforced : enforced_sets) {
    for (ConflictPolicy policy :
         {ConflictPolicy::kError, ConflictPolicy::kReplace, ConflictPolicy::kIntersect}) {
      Injector injector = MakeInjector(enforced, policy);
      for (const std::string& q : queries) {
        SCOPED_TRACE(q);
        absl::StatusOr<ExprPtr> e = Parse(q, options);
        ASSERT_TRUE(e.ok()) << e.status();
        absl::Status s = injector.Inject(**e, q);
        if (!s.ok()) {
          // Only kError refuses, and only for a matcher on an enforced label.
          EXPECT_EQ(policy, ConflictPolicy::kError);
          EXPECT_EQ(s.code(), absl::StatusCode::kPermissionDenied) << s;
          continue;
        }
        ++scoped;
        ExpectScoped(**e, enforced);
        std::string text = Format(**e);
        absl::StatusOr<ExprPtr> back = Parse(text, reparse);
        ASSERT_TRUE(back.ok()) << text << ": " << back.status();
        ExpectScoped(**back, enforced);
        EXPECT_EQ(Format(**back), text);
        // Idempotent: scoping the scoped query changes nothing.
        absl::StatusOr<std::string> twice = injector.InjectQuery(text, reparse);
        ASSERT_TRUE(twice.ok()) << twice.status();
        EXPECT_EQ(*twice, text);
      }
    }
  }
  EXPECT_GT(scoped, 600);
}

}  // namespace
}  // namespace obsv::promql
