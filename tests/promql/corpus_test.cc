// The PromQL corpus against Prometheus's own parser (v0.309.1): every query
// of tests/testdata/promql/valid.txt (hand-written, mostly real rules and
// dashboards) and generated.txt (those queries nested in each other, by
// tests/reference/promql/gen_combos.py) must print as its String()
// (*.expected) and its Prettify() (*.pretty.expected) byte for byte, and
// every query of invalid.txt must fail at the byte offset it reports
// (invalid.expected). The .expected files are the output of
// tests/reference/promql (see its main.go); the ctest promql_oracle_expected
// re-runs it and fails when they are stale.
//
// File format: one query per line, a newline inside a query written as the
// two characters `\n`; expected lines are `OK<TAB>text` (newlines written
// the same way) or `ERR<TAB>offset<TAB>message`.
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "obsv/promql.h"

namespace obsv::promql {
namespace {

std::vector<std::string> ReadLines(const std::string& name) {
  std::ifstream in(std::string(OBSV_TESTDATA_DIR) + "/promql/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << name;
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

std::string ReplaceAll(std::string_view s, std::string_view from, std::string_view to) {
  std::string out;
  size_t i = 0;
  while (true) {
    size_t j = s.find(from, i);
    if (j == std::string_view::npos) break;
    out.append(s.substr(i, j - i));
    out.append(to);
    i = j + from.size();
  }
  out.append(s.substr(i));
  return out;
}

// The oracle's escaping, in both directions (strings.ReplaceAll).
std::string Unescape(std::string_view line) { return ReplaceAll(line, "\\n", "\n"); }
std::string Escape(std::string_view text) { return ReplaceAll(text, "\n", "\\n"); }

struct Case {
  int line;           // 1-based, in valid.txt / invalid.txt
  std::string query;  // unescaped
  std::string expected;
};

// Pairs each query with the same line of `expected_file`.
std::vector<Case> LoadCases(const std::string& queries_file, const std::string& expected_file) {
  std::vector<std::string> queries = ReadLines(queries_file);
  std::vector<std::string> expected = ReadLines(expected_file);
  EXPECT_EQ(queries.size(), expected.size())
      << expected_file << " is stale: regenerate it with tests/reference/promql";
  std::vector<Case> cases;
  for (size_t i = 0; i < queries.size() && i < expected.size(); ++i) {
    cases.push_back({static_cast<int>(i + 1), Unescape(queries[i]), expected[i]});
  }
  return cases;
}

// Where we knowingly print something else than Prometheus v0.309.1: its
// String() writes the labels of on(), ignoring(), group_left() and
// group_right() unquoted, so a UTF-8 label name comes out as text that does
// not parse (prometheus/prometheus#15243, fixed upstream by #17687 after
// v0.309.1). We quote them, as its by() and without() already do, and as
// Prometheus does since. Each pair is (Prometheus's text, ours); it is
// applied to the expected line before comparing, and must be used.
struct Divergence {
  std::string_view prometheus;
  std::string_view ours;
};
constexpr Divergence kDivergences[] = {
    {R"q(on (service.name) group_left (service.version))q",
     R"q(on ("service.name") group_left ("service.version"))q"},
};

// The expected line with the known divergences applied; counts them.
std::string WithDivergences(const std::string& expected, size_t* applied) {
  std::string out = expected;
  for (const Divergence& d : kDivergences) {
    std::string replaced = ReplaceAll(out, d.prometheus, d.ours);
    if (replaced != out) ++*applied;
    out = std::move(replaced);
  }
  return out;
}

// The corpus: at least 300 valid queries, most of them real alerting and
// recording rules and dashboard panels (kubernetes-mixin, node-mixin,
// prometheus-mixin, etcd, CoreDNS, SLO burn rates).
constexpr size_t kMinValidQueries = 300;

// Format() of every query of `base`.txt is its String() in `base`.expected.
void CheckFormat(const std::string& base, size_t min_queries) {
  std::vector<Case> cases = LoadCases(base + ".txt", base + ".expected");
  ASSERT_GE(cases.size(), min_queries);
  size_t diverged = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message() << base << ".txt:" << c.line << ": " << c.query);
    ASSERT_EQ(c.expected.substr(0, 3), "OK\t") << "Prometheus rejects it: " << c.expected;
    absl::StatusOr<ExprPtr> e = Parse(c.query);
    ASSERT_TRUE(e.ok()) << e.status();
    EXPECT_EQ("OK\t" + Escape(Format(**e)), WithDivergences(c.expected, &diverged));
  }
  if (base == "valid") {
    EXPECT_EQ(diverged, std::size(kDivergences));
  }
}

// Pretty() of every query of `base`.txt is its Prettify() in
// `base`.pretty.expected; at least `min_split` of them span lines.
void CheckPretty(const std::string& base, size_t min_queries, size_t min_split) {
  std::vector<Case> cases = LoadCases(base + ".txt", base + ".pretty.expected");
  ASSERT_GE(cases.size(), min_queries);
  size_t split = 0;
  size_t diverged = 0;
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message() << base << ".txt:" << c.line << ": " << c.query);
    absl::StatusOr<ExprPtr> e = Parse(c.query);
    ASSERT_TRUE(e.ok()) << e.status();
    std::string pretty = Pretty(**e);
    EXPECT_EQ("OK\t" + Escape(pretty), WithDivergences(c.expected, &diverged));
    std::string appended = "x";
    AppendPretty(**e, &appended);
    EXPECT_EQ(appended, "x" + pretty);
    if (pretty.find('\n') != std::string::npos) ++split;
  }
  if (base == "valid") {
    EXPECT_EQ(diverged, std::size(kDivergences));
  }
  // The corpus must exercise line splitting, not only one-liners.
  EXPECT_GE(split, min_split);
}

TEST(PromqlCorpus, FormatIsPrometheusString) { CheckFormat("valid", kMinValidQueries); }
TEST(PromqlCorpus, PrettyIsPrometheusPrettify) { CheckPretty("valid", kMinValidQueries, 100); }

// generated.txt: corpus queries nested in each other
// (tests/reference/promql/gen_combos.py), for deeper layouts.
TEST(PromqlCorpus, GeneratedFormatIsPrometheusString) { CheckFormat("generated", 300); }
TEST(PromqlCorpus, GeneratedPrettyIsPrometheusPrettify) { CheckPretty("generated", 300, 150); }

// Pretty() and Format() re-parse to the same tree, and printing is a fixed
// point: Format(Parse(Format(x))) == Format(x), and the same for Pretty().
// (The tree of the original text may differ from the re-parsed one only in
// the order of matchers, which print sorted.)
void CheckPrintParsePrint(const std::string& base) {
  std::vector<Case> cases = LoadCases(base + ".txt", base + ".expected");
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message() << base << ".txt:" << c.line << ": " << c.query);
    absl::StatusOr<ExprPtr> e = Parse(c.query);
    ASSERT_TRUE(e.ok()) << e.status();
    const std::string format = Format(**e);
    const std::string pretty = Pretty(**e);

    absl::StatusOr<ExprPtr> from_format = Parse(format);
    ASSERT_TRUE(from_format.ok()) << from_format.status() << " reparsing " << format;
    EXPECT_EQ(Format(**from_format), format);
    EXPECT_EQ(Pretty(**from_format), pretty);

    absl::StatusOr<ExprPtr> from_pretty = Parse(pretty);
    ASSERT_TRUE(from_pretty.ok()) << from_pretty.status() << " reparsing\n" << pretty;
    EXPECT_EQ(Format(**from_pretty), format);
    EXPECT_EQ(Pretty(**from_pretty), pretty);
    EXPECT_EQ(Dump(**from_pretty), Dump(**from_format));

    absl::StatusOr<ExprPtr> again = Parse(Format(**from_pretty));
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(Dump(**again), Dump(**from_format));
  }
}

TEST(PromqlCorpus, PrintParsePrintIsStable) {
  CheckPrintParsePrint("valid");
  CheckPrintParsePrint("generated");
}

TEST(PromqlCorpus, ErrorsAreAtPrometheusOffsets) {
  std::vector<Case> cases = LoadCases("invalid.txt", "invalid.expected");
  ASSERT_GE(cases.size(), 50u);
  for (const Case& c : cases) {
    SCOPED_TRACE(testing::Message() << "invalid.txt:" << c.line << ": " << c.query);
    // ERR<TAB>offset<TAB>message
    ASSERT_EQ(c.expected.substr(0, 4), "ERR\t") << "Prometheus accepts it: " << c.expected;
    size_t tab = c.expected.find('\t', 4);
    ASSERT_NE(tab, std::string::npos);
    int offset = std::stoi(c.expected.substr(4, tab - 4));
    ExprPtr out;
    ParseError err = Parse(c.query, ParserOptions(), &out);
    ASSERT_FALSE(err.ok()) << "accepted as " << (out ? Format(*out) : "");
    EXPECT_EQ(static_cast<int>(err.offset), offset)
        << err.message << "\n  prometheus: " << c.expected.substr(tab + 1);
    // Prometheus has no position for an empty query.
    const std::string where = c.query.empty() ? "unknown position"
                                              : std::to_string(err.line) + ":" + std::to_string(err.column);
    EXPECT_EQ(where + ": " + err.message, Unescape(c.expected.substr(tab + 1)));
  }
}

// random.txt (tests/reference/promql/gen_random.py): 3000 deterministic
// random queries, half from a small grammar and half random token sequences.
// Where Prometheus accepts one, Format() and Pretty() print what it prints;
// where it refuses one, the error is its error: same offset, same
// "line:column: message".
TEST(PromqlCorpus, RandomQueriesMatchPrometheusExactly) {
  std::vector<Case> cases = LoadCases("random.txt", "random.expected");
  std::vector<Case> pretty = LoadCases("random.txt", "random.pretty.expected");
  ASSERT_GE(cases.size(), 3000u);
  ASSERT_EQ(cases.size(), pretty.size());
  size_t accepted = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    SCOPED_TRACE(testing::Message() << "random.txt:" << c.line << ": " << c.query);
    ExprPtr e;
    ParseError err = Parse(c.query, ParserOptions(), &e);
    if (c.expected.substr(0, 3) == "OK\t") {
      ++accepted;
      ASSERT_TRUE(err.ok()) << err.message;
      EXPECT_EQ("OK\t" + Escape(Format(*e)), c.expected);
      EXPECT_EQ("OK\t" + Escape(Pretty(*e)), pretty[i].expected);
      continue;
    }
    ASSERT_EQ(c.expected.substr(0, 4), "ERR\t");
    size_t tab = c.expected.find('\t', 4);
    ASSERT_NE(tab, std::string::npos);
    ASSERT_FALSE(err.ok()) << "accepted as " << Format(*e);
    EXPECT_EQ(static_cast<int>(err.offset), std::stoi(c.expected.substr(4, tab - 4)));
    EXPECT_EQ(std::to_string(err.line) + ":" + std::to_string(err.column) + ": " + err.message,
              Unescape(c.expected.substr(tab + 1)));
  }
  EXPECT_GE(accepted, 600u);
  EXPECT_GE(cases.size() - accepted, 1500u);
}

// features.txt: Prometheus's feature-gated syntax (experimental functions,
// duration expressions, anchored/smoothed), valid and invalid queries, each
// parsed with every feature off (features.off.*expected: the oracle without
// flags) and on (features.on.*expected: -features all). A query Prometheus
// accepts prints as its String() and Prettify() and re-parses to the same
// text; one it rejects fails at its offset.
void CheckFeatures(bool on) {
  const std::string base = on ? "features.on" : "features.off";
  ParserOptions options;
  options.enable_experimental_functions = on;
  options.enable_duration_expressions = on;
  options.enable_extended_range_selectors = on;
  std::vector<Case> cases = LoadCases("features.txt", base + ".expected");
  std::vector<Case> pretty = LoadCases("features.txt", base + ".pretty.expected");
  ASSERT_GE(cases.size(), 150u);
  ASSERT_EQ(cases.size(), pretty.size());
  size_t accepted = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    SCOPED_TRACE(testing::Message() << "features.txt:" << c.line << " (" << base << "): " << c.query);
    ExprPtr e;
    ParseError err = Parse(c.query, options, &e);
    if (c.expected.substr(0, 3) == "OK\t") {
      ++accepted;
      ASSERT_TRUE(err.ok()) << err.message;
      const std::string format = Format(*e);
      EXPECT_EQ("OK\t" + Escape(format), c.expected);
      EXPECT_EQ("OK\t" + Escape(Pretty(*e)), pretty[i].expected);
      ExprPtr again;
      ParseError err2 = Parse(format, options, &again);
      ASSERT_TRUE(err2.ok()) << err2.message << " reparsing " << format;
      EXPECT_EQ(Format(*again), format);
      continue;
    }
    ASSERT_EQ(c.expected.substr(0, 4), "ERR\t");
    size_t tab = c.expected.find('\t', 4);
    ASSERT_NE(tab, std::string::npos);
    int offset = std::stoi(c.expected.substr(4, tab - 4));
    ASSERT_FALSE(err.ok()) << "accepted as " << Format(*e);
    EXPECT_EQ(static_cast<int>(err.offset), offset)
        << err.message << "\n  prometheus: " << c.expected.substr(tab + 1);
    const std::string expected = Unescape(c.expected.substr(tab + 1));
    // `step() * 2` outside brackets: Prometheus's grammar makes it a
    // duration expression and names the feature gate rather than the node
    // (docs/promql.md); the position is the same.
    if (!on && expected.find("experimental duration expression is not enabled") != std::string::npos &&
        err.message == "parse error: unknown node type: *parser.DurationExpr") {
      continue;
    }
    EXPECT_EQ(std::to_string(err.line) + ":" + std::to_string(err.column) + ": " + err.message, expected);
  }
  // Both halves must be exercised.
  EXPECT_GE(accepted, on ? 100u : 30u);
  EXPECT_GE(cases.size() - accepted, 40u);
}

TEST(PromqlCorpus, FeaturesOffAreRejectedAsPrometheusDoes) { CheckFeatures(false); }
TEST(PromqlCorpus, FeaturesOnParseAndPrintAsPrometheus) { CheckFeatures(true); }

// Prettify()'s documented layout, on small cases (the corpus has the real
// ones).
TEST(PromqlPretty, ShortExpressionsStayOnOneLine) {
  for (std::string_view q : {"foo", "sum(rate(foo[5m]))", "1 + 2", "-foo", "(a or b)", "foo[5m:1m]"}) {
    SCOPED_TRACE(q);
    absl::StatusOr<ExprPtr> e = Parse(q);
    ASSERT_TRUE(e.ok()) << e.status();
    EXPECT_EQ(Pretty(**e), Format(**e));
  }
}

TEST(PromqlPretty, LongBinaryPutsOperandsOneLevelDeeper) {
  const std::string lhs(60, 'a');
  const std::string rhs(60, 'b');
  absl::StatusOr<ExprPtr> e = Parse(lhs + " / ignoring (x) group_left " + rhs);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(Pretty(**e), "  " + lhs + "\n/ ignoring (x) group_left ()\n  " + rhs);
}

TEST(PromqlPretty, ExactlyOneHundredBytesFits) {
  // sum(<95 bytes>) is 100 bytes: not split; one more byte splits it.
  const std::string name95(95, 'm');
  absl::StatusOr<ExprPtr> fits = Parse("sum(" + name95 + ")");
  ASSERT_TRUE(fits.ok()) << fits.status();
  EXPECT_EQ(Pretty(**fits), "sum(" + name95 + ")");
  absl::StatusOr<ExprPtr> splits = Parse("sum(" + name95 + "m)");
  ASSERT_TRUE(splits.ok()) << splits.status();
  EXPECT_EQ(Pretty(**splits), "sum(\n  " + name95 + "m\n)");
}

}  // namespace
}  // namespace obsv::promql
