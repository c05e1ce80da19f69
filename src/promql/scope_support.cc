// Positioned errors for the PromQL scoping rewriters.
#include "promql/scope_support.h"

#include <optional>

#include "common/scope_core.h"
#include "obsv/promql_scope.h"
#include "promql/lexer.h"

namespace obsv::promql {

std::optional<Span> ErrorSpan(const absl::Status& status) {
  std::optional<obsv::internal::ByteSpan> s = obsv::internal::SpanOfError(status);
  if (!s.has_value()) return std::nullopt;
  return Span{s->start, s->end};
}

namespace internal {

absl::Status PositionedError(absl::StatusCode code, std::string_view source, Span span,
                             std::string_view message) {
  LineColumn at{};
  if (!source.empty()) at = LineColumnAt(source, span.start);
  return obsv::internal::SpannedError(code, !source.empty(), at.line, at.column, span.start,
                                      span.end, message);
}

std::string MatcherText(const LabelMatcher& m) {
  std::string out;
  if (IsLegacyLabelName(m.name)) {
    out = m.name;
  } else {
    AppendGoQuote(m.name, &out);
  }
  std::string_view op = MatchOpName(m.op);
  out.append(op.data(), op.size());
  AppendGoQuote(m.value, &out);
  return out;
}

}  // namespace internal
}  // namespace obsv::promql
