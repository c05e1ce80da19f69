// Helpers of the LogQL scoping rewriters (injector, selectors, templates):
// positioned errors, matcher text, and the label names a regexp or pattern
// stage extracts. The language-neutral part lives in common/scope_core.h.
// Internal.
#ifndef OBSV_SRC_LOGQL_SCOPE_SUPPORT_H_
#define OBSV_SRC_LOGQL_SCOPE_SUPPORT_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "obsv/logql.h"
#include "obsv/logql_scope.h"

namespace obsv::logql::internal {

// A status of `code` whose message is "L:C: message" (line and byte column
// of span.start in `source`) or, when `source` is empty, "offset N:
// message"; ErrorSpan() of it returns `span`.
absl::Status PositionedError(absl::StatusCode code, std::string_view source, Span span,
                             std::string_view message);

// `name op "value"` as the printer writes a matcher (for messages).
std::string MatcherText(const LabelMatcher& m);
std::string EnforcedMatcherText(const EnforcedMatcher& m);

// The names of the named groups `(?P<name>` / `(?<name>` of a regexp
// stage's expression. Over-approximates (an escaped `\(?P<x>` counts), which
// only makes refusals stricter.
std::vector<std::string> RegexpGroupNames(std::string_view re);

// The names of the `<name>` captures of a pattern stage (`<_>` excluded).
std::vector<std::string> PatternCaptureNames(std::string_view pattern);

}  // namespace obsv::logql::internal

#endif  // OBSV_SRC_LOGQL_SCOPE_SUPPORT_H_
