// obsv/logql_template.h: LogQL query templates with `{{name}}`
// placeholders, expanded so that no value can change the query's structure
// (the LogQL twin of obsv/promql_template.h).
//
//   absl::StatusOr<std::string> q = obsv::logql::ExpandTemplate(
//       R"(sum(count_over_time({app="{{app}}"} |~ "{{word}}" [{{range}}])))",
//       {{"app", "api\"x"}, {"word", "a.b"}, {"range", "5m"}});
//   // *q == R"(sum(count_over_time({app="api\"x"} |~ "a\\.b" [5m])))"
//
// ExpandTemplate() lexes the template to learn where each placeholder lands
// and escapes its value for that place:
//
//   * inside a "..." string: quotes, backslashes, newlines and control
//     characters escaped, so the value stays inside the string; inside a
//     `...` string: verbatim, and a value with a backquote or a carriage
//     return is refused;
//   * inside the string of a regex: a =~ / !~ matcher (in a selector or a
//     label filter), a |~ / !~ line filter, `| regexp "..."`, or
//     label_replace()'s regex (fifth) argument: regex metacharacters escaped
//     first (Go's regexp.QuoteMeta), then escaped for the quoting;
//   * inside a pattern (`|> "..."`, `!> "..."`, `| pattern "..."`): verbatim
//     but refused if it holds `<` or `>` (it would open a capture);
//   * inside label_replace()'s replacement (third) argument: `$` doubled;
//   * inside `[...]`: a Loki duration (`5m`, `1h30m`);
//   * inside `{...}` outside a string (a label name position): an
//     identifier [A-Za-z_][A-Za-z0-9_]* that is not a keyword;
//   * elsewhere (a `by (...)` label, `offset`, a threshold, topk's k, an
//     unwrap label, ...): exactly one token, a number without sign,
//     a duration, a byte size (`20MB`) or an identifier that is not a
//     keyword, not glued to a neighbouring name or number;
//   * `line_format "..."` and the values of `label_format`: these strings
//     are Loki's own Go templates (`{{.msg}}`, `{{ __line__ }}`); their
//     `{{...}}` are left as written and never expanded.
//
// Placeholders are `{{name}}` or `{{ name }}` (spaces or tabs), name in
// [A-Za-z_][A-Za-z0-9_]*. Outside the Go-template strings, every `{{` must
// open a well-formed placeholder; placeholders in `#` comments are left as
// they are. A value is never itself scanned for placeholders.
//
// Thread safety: thread-safe (no shared state).
#ifndef OBSV_LOGQL_TEMPLATE_H_
#define OBSV_LOGQL_TEMPLATE_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "obsv/export.h"
#include "obsv/logql.h"
#include "obsv/logql_scope.h"  // ErrorSpan()

namespace obsv::logql {

struct TemplateValue {
  std::string name;
  std::string value;
};

// Expands the placeholders of `tmpl` with `values` and checks that the
// result parses with `parser_options`; returns the expanded text (the
// template's own text is kept as written, not reformatted).
//
// Errors, all InvalidArgument positioned at the placeholder ("L:C: ...",
// byte columns; ErrorSpan() returns its byte range): a malformed
// placeholder; a placeholder with no value; a value that is not valid UTF-8
// or not valid for its place (the value is not echoed); a regex placeholder
// after an unpaired backslash. A name given twice is InvalidArgument
// without position; unused values are ignored. A template over
// max_query_bytes is ResourceExhausted. If the expanded text does not
// parse, Parse()'s error prefixed with "expanded template: ".
//
// Cost: linear in the template and the values; one Parse().
OBSV_API absl::StatusOr<std::string> ExpandTemplate(std::string_view tmpl,
                                                    const std::vector<TemplateValue>& values,
                                                    const ParserOptions& parser_options = {});

}  // namespace obsv::logql

#endif  // OBSV_LOGQL_TEMPLATE_H_
