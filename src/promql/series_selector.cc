// Scoping of the match[] series selectors of /api/v1/series,
// /api/v1/labels, /api/v1/label/<name>/values and /federate.
#include <string>
#include <vector>

#include "common/str_cat.h"
#include "obsv/promql_scope.h"
#include "promql/lexer.h"
#include "promql/scope_support.h"

namespace obsv::promql {
namespace {

using internal::Lexer;
using internal::Tok;
using internal::Token;
using obsv::internal::StrCat;

// Prometheus's parser.ParseMetricSelector takes a vector selector and
// nothing else: Parse() also accepts `x offset 0s` or `x @ 0` as a
// VectorSelector whose modifiers may read as absent, so look for the
// keywords themselves. Outside braces the first token may be a keyword used
// as a metric name; inside braces the lexer reads no keywords.
Span FindModifier(std::string_view text) {
  Lexer lex(text);
  bool first = true;
  for (Token t = lex.Next(); t.type != Tok::kEof && t.type != Tok::kError; t = lex.Next()) {
    if (!first && (t.type == Tok::kOffset || t.type == Tok::kAt)) return Span{t.start, t.end};
    first = false;
  }
  return Span{0, 0};
}

}  // namespace

absl::StatusOr<std::vector<std::string>> Injector::InjectSelectors(
    const std::vector<std::string>& match, const ParserOptions& parser_options) const {
  std::vector<std::string> out;
  if (match.empty()) {
    VectorSelector only;
    if (absl::Status s = Inject(only); !s.ok()) return s;
    out.push_back(Format(only));
    return out;
  }
  out.reserve(match.size());
  for (size_t i = 0; i < match.size(); ++i) {
    const std::string& text = match[i];
    std::string prefix = StrCat("match[", i, "]: ");
    absl::StatusOr<ExprPtr> expr = Parse(text, parser_options);
    if (!expr.ok()) return internal::PrefixError(expr.status(), prefix);
    Expr& e = **expr;
    if (e.kind != NodeKind::kVectorSelector) {
      std::string_view type = ValueTypeName(e.type());
      return internal::PrefixError(
          internal::PositionedError(
              absl::StatusCode::kInvalidArgument, text, e.span,
              StrCat("expected a series selector (a metric name and/or label matchers), got ",
                     type == "instant vector" ? "an expression" : type)),
          prefix);
    }
    if (Span m = FindModifier(text); m.end != 0) {
      return internal::PrefixError(
          internal::PositionedError(absl::StatusCode::kInvalidArgument, text, m,
                                    "a series selector takes no offset or @ modifier"),
          prefix);
    }
    if (absl::Status s = Inject(e, text); !s.ok()) return internal::PrefixError(s, prefix);
    out.push_back(Format(e));
  }
  return out;
}

}  // namespace obsv::promql
