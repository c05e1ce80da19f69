// Helpers of the PromQL scoping rewriters (injector, series selectors,
// query templates): positioned errors and matcher text; the language-neutral
// part lives in common/scope_core.h. Internal.
#ifndef OBSV_SRC_PROMQL_SCOPE_SUPPORT_H_
#define OBSV_SRC_PROMQL_SCOPE_SUPPORT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "common/scope_core.h"
#include "obsv/promql.h"

namespace obsv::promql::internal {

// A status of `code` whose message is "L:C: message" (line and column of
// span.start in `source`, as Parse() reports them) or, when `source` is
// empty, "offset N: message"; ErrorSpan() of it returns `span`.
absl::Status PositionedError(absl::StatusCode code, std::string_view source, Span span,
                             std::string_view message);

// Shared with LogQL (common/scope_core.h).
using ::obsv::internal::AppendRegexQuoteMeta;
using ::obsv::internal::AppendStringContent;
using ::obsv::internal::PrefixError;

// `name op "value"` as the printer writes a matcher (for messages).
std::string MatcherText(const LabelMatcher& m);

}  // namespace obsv::promql::internal

#endif  // OBSV_SRC_PROMQL_SCOPE_SUPPORT_H_
