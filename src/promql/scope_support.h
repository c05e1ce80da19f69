// Helpers shared by the scoping rewriters (injector, series selectors,
// query templates): positioned errors and the escaping of text for the
// place it lands in a query. Internal.
#ifndef OBSV_SRC_PROMQL_SCOPE_SUPPORT_H_
#define OBSV_SRC_PROMQL_SCOPE_SUPPORT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "obsv/promql.h"

namespace obsv::promql::internal {

// A status of `code` whose message is "L:C: message" (line and column of
// span.start in `source`, as Parse() reports them) or, when `source` is
// empty, "offset N: message"; ErrorSpan() of it returns `span`.
absl::Status PositionedError(absl::StatusCode code, std::string_view source, Span span,
                             std::string_view message);

// Prefixes the message of `status` with `prefix`, keeping code and payloads.
absl::Status PrefixError(const absl::Status& status, std::string_view prefix);

// Go's regexp.QuoteMeta: a backslash before each of \.+*?()|[]{}^$, so that
// the text matches itself literally in an RE2/Go regex.
void AppendRegexQuoteMeta(std::string_view s, std::string* out);

// Escapes `s` (valid UTF-8) for the inside of a PromQL string literal
// opened with `quote` (", ' or `), so that the lexer reads back exactly `s`
// and the string cannot end early. Returns false if that is impossible (a
// backquote or a carriage return in a raw string).
bool AppendStringContent(std::string_view s, char quote, std::string* out);

// `name op "value"` as the printer writes a matcher (for messages).
std::string MatcherText(const LabelMatcher& m);

}  // namespace obsv::promql::internal

#endif  // OBSV_SRC_PROMQL_SCOPE_SUPPORT_H_
