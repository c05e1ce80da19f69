// obsv/promql_template.h: PromQL query templates with `{{name}}`
// placeholders, expanded so that no value can change the query's structure.
//
// Usage-metrics services keep queries such as
//
//   sum(rate(container_cpu_usage_seconds_total{
//       namespace="{{services_namespace}}", pod=~"{{service}}-.*"}[{{range}}]))
//
// and fill them per request. ExpandTemplate() lexes the template to learn
// where each placeholder lands and escapes its value for that place:
//
//   * inside a "..." or '...' string: escaped for that quoting (quotes,
//     backslashes, newlines and control characters), so the value stays
//     inside the string; inside a `...` raw string: verbatim, and a value
//     with a backquote or a carriage return is refused;
//   * inside the string of a =~ or !~ matcher, or label_replace()'s regex
//     (fifth) argument: regex metacharacters escaped first (Go's
//     regexp.QuoteMeta: `a.b` matches only "a.b"), then escaped for the
//     quoting;
//   * inside label_replace()'s replacement (third) argument: `$` doubled
//     (a literal `$` for Go's Regexp.Expand), then escaped for the quoting;
//   * inside `[...]` (a range, a subquery's range or step): a Prometheus
//     duration (`5m`, `1h30m`, `0`);
//   * elsewhere (after `offset` or `@`, an argument of topk, a comparison
//     threshold, ...): an unsigned number (`42`, `0.5`, `1e3`, `0x1f`,
//     `Inf`, `NaN`) or a duration;
//   * anywhere else, inside braces outside a string for instance, or glued
//     to a neighbouring name or number (`foo{{x}}`): an error.
//
//   absl::StatusOr<std::string> q = obsv::promql::ExpandTemplate(
//       "rate(x{pod=~\"{{service}}-.*\"}[{{range}}])",
//       {{"service", "api.v2"}, {"range", "5m"}});
//   // *q == R"(rate(x{pod=~"api\\.v2-.*"}[5m]))"
//
// Placeholders are `{{name}}` or `{{ name }}` (spaces or tabs), name in
// [A-Za-z_][A-Za-z0-9_]*. Every `{{` outside a comment must open a
// well-formed placeholder; placeholders in `#` comments are left as they
// are. A value may contain anything (quotes, braces, `}}`, newlines); it is
// never itself scanned for placeholders.
//
// Thread safety: thread-safe (no shared state).
#ifndef OBSV_PROMQL_TEMPLATE_H_
#define OBSV_PROMQL_TEMPLATE_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "obsv/export.h"
#include "obsv/promql.h"
#include "obsv/promql_scope.h"  // ErrorSpan()

namespace obsv::promql {

struct TemplateValue {
  std::string name;
  std::string value;
};

// Expands the placeholders of `tmpl` with `values` and checks that the
// result parses with `parser_options`; returns the expanded text (the
// template's own text is kept as written, not reformatted).
//
// Errors, all InvalidArgument with the position of the placeholder in the
// template ("L:C: ..."; ErrorSpan() returns its byte range): a malformed
// placeholder; a placeholder with no value (named); a value that is not
// valid UTF-8 or not valid for its place (named, saying what was expected;
// the value itself is not echoed); a placeholder in a place that takes no
// value; a regex placeholder right after an unpaired backslash. A name
// given twice is InvalidArgument without position; unused values are
// ignored. A template over max_query_bytes is ResourceExhausted.
// If the expanded text does not parse, Parse()'s error prefixed with
// "expanded template: " (its position is in the expanded text).
//
// Cost: linear in the template and the values; one Parse().
OBSV_API absl::StatusOr<std::string> ExpandTemplate(std::string_view tmpl,
                                                    const std::vector<TemplateValue>& values,
                                                    const ParserOptions& parser_options = {});

}  // namespace obsv::promql

#endif  // OBSV_PROMQL_TEMPLATE_H_
