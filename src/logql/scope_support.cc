// Positioned errors and stage label names for the LogQL scoping rewriters.
#include "logql/scope_support.h"

#include <optional>

#include "common/go_strconv.h"
#include "common/scope_core.h"
#include "logql/lexer.h"
#include "obsv/logql_scope.h"

namespace obsv::logql {

std::optional<Span> ErrorSpan(const absl::Status& status) {
  std::optional<obsv::internal::ByteSpan> s = obsv::internal::SpanOfError(status);
  if (!s.has_value()) return std::nullopt;
  return Span{s->start, s->end};
}

namespace internal {
namespace {

bool IsNameStart(char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

}  // namespace

absl::Status PositionedError(absl::StatusCode code, std::string_view source, Span span,
                             std::string_view message) {
  LineColumn at;
  if (!source.empty()) at = LineColumnAt(source, span.start, /*runes=*/false);
  return obsv::internal::SpannedError(code, !source.empty(), at.line, at.column, span.start,
                                      span.end, message);
}

std::string MatcherText(const LabelMatcher& m) {
  std::string out;
  if (obsv::internal::IsLegacyLabelName(m.name)) {
    out.assign(m.name);
  } else {
    obsv::internal::AppendGoQuote(m.name, &out);
  }
  switch (m.op) {
    case MatchOp::kEqual: out.append("="); break;
    case MatchOp::kNotEqual: out.append("!="); break;
    case MatchOp::kRegexMatch: out.append("=~"); break;
    case MatchOp::kRegexNoMatch: out.append("!~"); break;
  }
  obsv::internal::AppendGoQuote(m.value, &out);
  return out;
}

std::string EnforcedMatcherText(const EnforcedMatcher& m) {
  LabelMatcher view;
  view.name = m.name;
  view.op = m.op;
  view.value = m.value;
  return MatcherText(view);
}

std::vector<std::string> RegexpGroupNames(std::string_view re) {
  std::vector<std::string> names;
  for (size_t i = 0; i + 2 < re.size(); ++i) {
    if (re[i] != '(' || re[i + 1] != '?') continue;
    size_t j = i + 2;
    if (re[j] == 'P') ++j;
    if (j >= re.size() || re[j] != '<') continue;
    size_t start = ++j;
    while (j < re.size() && re[j] != '>') ++j;
    if (j < re.size()) names.emplace_back(re.substr(start, j - start));
  }
  return names;
}

std::vector<std::string> PatternCaptureNames(std::string_view pattern) {
  std::vector<std::string> names;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '<' || i + 1 >= pattern.size() || !IsNameStart(pattern[i + 1])) continue;
    size_t j = i + 1;
    while (j < pattern.size() && IsNameChar(pattern[j])) ++j;
    if (j < pattern.size() && pattern[j] == '>') {
      std::string_view name = pattern.substr(i + 1, j - i - 1);
      if (name != "_") names.emplace_back(name);
    }
  }
  return names;
}

}  // namespace internal
}  // namespace obsv::logql
