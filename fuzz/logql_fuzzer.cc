// Fuzz target for the LogQL parser and printer (libFuzzer interface).
//
// The input is one query, parsed with the default budgets and with tiny
// ones (max_depth 8, max_nodes 50). Properties:
//  - parsing never crashes, hangs, overflows the stack or reads out of
//    bounds (run under ASan), whatever the budgets;
//  - an error is clean: a known code, an offset inside the query, a message;
//  - what parses prints: Pretty() does not crash, and Format() re-parses to the same Format() (a fixed
//    point), except where Loki's own String() does not read back (NaN and
//    Inf literals, a `0B` byte filter, a stray character lexed as an
//    identifier, a non-ASCII label name, `-0`); and StreamSelectors() finds a selector with a matcher in
//    every log query and range;
//  - scoping (obsv/logql_scope.h): after Inject() under kReplace every
//    selector ends with the enforced matcher, and its Format() re-parses to a
//    tree whose every selector still does; under kError with
//    refuse_enforced_label_writes, a refusal is PermissionDenied with a span
//    inside the query; ExpandTemplate() never crashes and what it returns
//    parses.
// Seeds: every query of tests/testdata/logql/{valid,invalid}.txt (one file
// per query, written by fuzz/CMakeLists.txt).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <optional>
#include <string_view>
#include <vector>

#include "obsv/logql.h"
#include "obsv/logql_scope.h"
#include "obsv/logql_template.h"

namespace {

void Check(bool ok, const char* what, std::string_view query) {
  if (!ok) {
    std::fprintf(stderr, "fuzz property violated: %s\nquery: %.*s\n", what,
                 static_cast<int>(query.size()), query.data());
    std::abort();
  }
}

bool KnownCode(obsv::ParseErrorCode code) {
  using C = obsv::ParseErrorCode;
  return code == C::kSyntax || code == C::kUnterminatedString || code == C::kInvalidEscape ||
         code == C::kInvalidUtf8 || code == C::kInvalidValue || code == C::kLimitExceeded;
}

// Loki prints these in ways it does not parse back, and so does obsv.
bool NotReadBack(std::string_view text) {
  if (text.find("NaN") != std::string_view::npos || text.find("Inf") != std::string_view::npos) {
    return true;
  }
  for (std::string_view op : {">0B", "=0B", "<0B"}) {
    if (text.find(op) != std::string_view::npos) return true;
  }
  // Negative zero prints `-0`, which lex.go reads as a duration
  // (time.ParseDuration("-0") is 0).
  for (size_t i = text.find("-0"); i != std::string_view::npos; i = text.find("-0", i + 1)) {
    char next = i + 2 < text.size() ? text[i + 2] : ' ';
    if (!(next >= '0' && next <= '9') && next != '.' && next != 'e') return true;
  }
  return false;
}

// lex.go hands a character it has no token for to the grammar as an
// IDENTIFIER (`| logfmt !` extracts a label named "!"), and Loki prints such
// names in ways it does not read back; so does labels.Matcher.String() for
// a name with non-ASCII letters (it quotes it). True if every name in the
// tree is an ASCII identifier.
bool PlainName(std::string_view n) {
  if (n.empty()) return false;
  for (size_t i = 0; i < n.size(); ++i) {
    char c = n[i];
    bool ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool PlainNames(const obsv::logql::LabelFilter& f) {
  using K = obsv::logql::LabelFilterKind;
  if (f.kind == K::kAnd || f.kind == K::kOr) return PlainNames(*f.lhs) && PlainNames(*f.rhs);
  return PlainName(f.matcher.name);
}

bool PlainNames(const obsv::logql::LogSelectorExpr& log) {
  for (const auto& m : log.selector.matchers) {
    if (!PlainName(m.name)) return false;
  }
  for (const auto& st : log.pipeline) {
    if (st.label_filter && !PlainNames(*st.label_filter)) return false;
    for (const auto& x : st.extractions) {
      if (!PlainName(x.name)) return false;
    }
    for (const auto& f : st.formats) {
      if (!PlainName(f.name) || (f.rename && !PlainName(f.value))) return false;
    }
    for (const auto& n : st.names) {
      if (!PlainName(n.has_matcher ? n.matcher.name : n.name)) return false;
    }
  }
  return true;
}

bool PlainNames(const obsv::logql::LogRange& r) {
  if (!PlainNames(*r.log)) return false;
  if (!r.has_unwrap) return true;
  if (!PlainName(r.unwrap.label)) return false;
  for (const auto& f : r.unwrap.post_filters) {
    if (!PlainNames(*f)) return false;
  }
  return true;
}

bool PlainNames(const obsv::logql::List<std::string_view>& labels) {
  for (const auto& l : labels) {
    if (!PlainName(l)) return false;
  }
  return true;
}

bool PlainNames(const obsv::logql::Expr& e) {
  using obsv::logql::NodeKind;
  switch (e.kind) {
    case NodeKind::kLogSelector: return PlainNames(e.As<obsv::logql::LogSelectorExpr>());
    case NodeKind::kRangeAggregation: {
      const auto& r = e.As<obsv::logql::RangeAggregationExpr>();
      return PlainNames(r.range) && PlainNames(r.grouping.labels);
    }
    case NodeKind::kVectorAggregation: {
      const auto& v = e.As<obsv::logql::VectorAggregationExpr>();
      return PlainNames(v.grouping.labels) && PlainNames(*v.expr);
    }
    case NodeKind::kBinary: {
      const auto& b = e.As<obsv::logql::BinaryExpr>();
      return PlainNames(b.modifiers.matching_labels) && PlainNames(b.modifiers.include) &&
             PlainNames(*b.lhs) && PlainNames(*b.rhs);
    }
    case NodeKind::kLiteral:
    case NodeKind::kVector:
      return true;
    case NodeKind::kLabelReplace: return PlainNames(*e.As<obsv::logql::LabelReplaceExpr>().expr);
    case NodeKind::kVariants: {
      const auto& v = e.As<obsv::logql::VariantsExpr>();
      for (const auto& x : v.variants) {
        if (!PlainNames(*x)) return false;
      }
      return PlainNames(v.range);
    }
  }
  return true;
}

const obsv::logql::Injector& Scoper(obsv::logql::ConflictPolicy policy, bool refuse_writes) {
  auto make = [](obsv::logql::ConflictPolicy p, bool w) {
    obsv::logql::InjectOptions o;
    obsv::logql::EnforcedMatcher m;
    m.name = "resource_id";
    m.value = "r1";
    o.enforced.push_back(m);
    o.policy = p;
    o.refuse_enforced_label_writes = w;
    return *obsv::logql::Injector::Create(std::move(o));
  };
  static const obsv::logql::Injector replace = make(obsv::logql::ConflictPolicy::kReplace, false);
  static const obsv::logql::Injector strict = make(obsv::logql::ConflictPolicy::kError, true);
  return policy == obsv::logql::ConflictPolicy::kReplace && !refuse_writes ? replace : strict;
}

bool AllScoped(obsv::logql::Expr& e) {
  for (const obsv::logql::StreamSelector* s : obsv::logql::StreamSelectors(e)) {
    if (s->matchers.empty()) return false;
    const obsv::logql::LabelMatcher& last = s->matchers.back();
    if (last.name != "resource_id" || last.op != obsv::logql::MatchOp::kEqual ||
        last.value != "r1") {
      return false;
    }
  }
  return true;
}

void CheckScoping(std::string_view query, const obsv::logql::ParserOptions& options,
                  bool reads_back) {
  using obsv::logql::ConflictPolicy;
  {
    absl::StatusOr<std::string> refused =
        Scoper(ConflictPolicy::kError, true).InjectQuery(query, options);
    if (!refused.ok() && refused.status().code() == absl::StatusCode::kPermissionDenied) {
      std::optional<obsv::logql::Span> span = obsv::logql::ErrorSpan(refused.status());
      Check(span.has_value() && span->start <= query.size(), "refusal without a span", query);
    }
  }
  obsv::logql::ExprPtr expr;
  if (!obsv::logql::Parse(query, options, &expr).ok()) return;
  absl::Status s = Scoper(ConflictPolicy::kReplace, false).Inject(expr, query);
  Check(s.ok(), "kReplace refused a parsed query", query);
  Check(AllScoped(*expr), "a selector without the enforced matcher", query);
  if (!reads_back) return;
  std::string scoped = obsv::logql::Format(*expr);
  obsv::logql::ParserOptions roomy = options;
  roomy.max_query_bytes = UINT32_MAX;
  obsv::logql::ExprPtr again;
  obsv::ParseError err = obsv::logql::Parse(scoped, roomy, &again);
  if (err.code == obsv::ParseErrorCode::kLimitExceeded) return;
  Check(err.ok(), "the scoped query does not parse", scoped);
  Check(AllScoped(*again), "the re-parsed scoped query has an unscoped selector", scoped);
}

void CheckTemplate(std::string_view query) {
  absl::StatusOr<std::string> out = obsv::logql::ExpandTemplate(
      query, {{"a", "x\"} |= `y"}, {"r", "5m"}, {"n", "1"}, {"l", "level"}});
  if (!out.ok()) return;
  Check(obsv::logql::Parse(*out).ok(), "an expanded template does not parse", *out);
}

void CheckOne(std::string_view query, const obsv::logql::ParserOptions& options) {
  obsv::logql::ExprPtr expr;
  obsv::ParseError err = obsv::logql::Parse(query, options, &expr);
  if (!err.ok()) {
    Check(KnownCode(err.code), "unknown error code", query);
    Check(err.offset <= query.size(), "error offset past the end", query);
    Check(!err.message.empty(), "empty error message", query);
    Check(expr == nullptr, "tree set on error", query);
    return;
  }
  Check(expr != nullptr, "no tree on success", query);
  for (const obsv::logql::StreamSelector* s : obsv::logql::StreamSelectors(*expr)) {
    Check(!s->matchers.empty(), "a validated selector without matchers", query);
  }
  std::string pretty = obsv::logql::Pretty(*expr);
  Check(!pretty.empty(), "empty Pretty()", query);
  std::string once = obsv::logql::Format(*expr);
  CheckScoping(query, options, !NotReadBack(once) && PlainNames(*expr));
  if (NotReadBack(once) || !PlainNames(*expr)) return;
  obsv::logql::ParserOptions roomy = options;
  roomy.max_query_bytes = UINT32_MAX;
  obsv::logql::ExprPtr again;
  obsv::ParseError err2 = obsv::logql::Parse(once, roomy, &again);
  if (err2.code == obsv::ParseErrorCode::kLimitExceeded) return;
  Check(err2.ok(), "Format() does not parse", once);
  Check(obsv::logql::Format(*again) == once, "Format() is not a fixed point", once);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view query(reinterpret_cast<const char*>(data), size);
  CheckOne(query, obsv::logql::ParserOptions());
  obsv::logql::ParserOptions tiny;
  tiny.max_depth = 8;
  tiny.max_nodes = 50;
  tiny.max_selectors = 4;
  tiny.max_pipeline_stages = 4;
  tiny.max_query_bytes = 4096;
  CheckOne(query, tiny);
  CheckTemplate(query);
  return 0;
}

// LogQL tokens for the standalone driver's insertions.
extern "C" const char* const* ObsvFuzzTokens(size_t* count) {
  static const char* const kTokens[] = {
      "(", ")", "[5m]", "{", "}", ",", "\"", "`", "\\", " ", "\n", "#", "|", "|=", "!=", "|~",
      "!~", "|>", "!>", " or ", " and ", " unless ", "+", "-", "*", "/", "%", "^", "==", ">=",
      "<", " offset 1h", " by (a) ", " without (", " on (a) ", " ignoring (", " group_left ",
      " bool ", "sum(", "topk(2, ", "rate(", "count_over_time(", "quantile_over_time(0.5, ",
      "label_replace(", "vector(1)", "variants(", " of (", "| json", "| logfmt --strict ",
      "| unwrap x", "| unwrap bytes(x)", "ip(\"1.2.3.4\")", "| line_format \"x\"",
      "| label_format a=b", "| drop a", "| keep a", "| decolorize", "| pattern \"<a>\"",
      "| regexp \"(?P<a>x)\"", "a=\"b\"", "a=~\"b|c\"", "5m", "1.5s", "10KB", "0x1", "1e308",
      "\xff", "\xc3"};
  *count = sizeof(kTokens) / sizeof(kTokens[0]);
  return kTokens;
}
