// obsv/logql_scope.h: tenant scoping of LogQL queries and of the stream
// selectors that Loki's metadata endpoints take.
//
// An Injector adds enforced label matchers (`resource_id="r1"`) to every
// stream selector of a query, wherever it stands: a log query, the
// selector of every range aggregation, both sides of binary operations,
// inside label_replace(), vector aggregations, and both the variants and
// the `of (...)` range of `variants(...) of (...)`. The matchers go into the
// selector itself, never into a pipeline filter, and are appended after the
// user's matchers (as Loki's own syntax.AppendMatchers does), so the printed
// selector reads `{app="a", resource_id="r1"}`.
//
//   absl::StatusOr<obsv::logql::EnforcedMatcher> scope =
//       obsv::logql::MatcherForValues("resource_id", {"r1"});  // resource_id="r1"
//   obsv::logql::InjectOptions options;
//   options.enforced.push_back(*scope);
//   absl::StatusOr<obsv::logql::Injector> injector =
//       obsv::logql::Injector::Create(std::move(options));  // once, at startup
//   absl::StatusOr<std::string> q =
//       injector->InjectQuery(R"(sum(rate({app="api"} |= "error" [5m])))");
//   // *q == `sum(rate({app="api", resource_id="r1"} |= "error"[5m]))`
//   absl::StatusOr<std::string> sel = injector->InjectSelector("");
//   // *sel == `{resource_id="r1"}`   (query parameter absent)
//
// The conflict policy for a user's matcher on an enforced label inside a
// selector is PromQL's (obsv/scope_policy.h): kError refuses it unless it
// is identical to an enforced matcher or an equality the enforced set
// accepts, kReplace drops it, kIntersect keeps it. Label names are compared
// exactly (LogQL selector label names are plain identifiers: no quoting, no
// escapes). The injector works on the parsed tree, so strings, regexes,
// backquoted strings, `line_format` templates and `#` comments are data it
// never mistakes for selectors.
//
// What is guaranteed. Loki decides which streams a query reads from its
// stream selectors alone; everything after a selector (line filters,
// parsers, label filters, label_format, ...) only transforms or filters the
// entries of the streams already selected. So every selector carrying the
// enforced matchers means the query can *read* only streams of the enforced
// set, whatever its pipeline does: `| label_format resource_id="r2"` or
// `| regexp "(?P<resource_id>\\w+)"` cannot widen the read set, and a label
// filter `| resource_id="r2"` after the selector only narrows it (it is left
// alone).
//
// The enforced labels must be stream (index) labels, the ones a selector
// matches: a name that exists only as structured metadata or an extracted
// label would make every scoped selector match nothing.
//
// What is not guaranteed by default: the labels of the *output*. A
// pipeline can rewrite them: `label_format resource_id="x"` overwrites the
// stream's label, `label_format other=resource_id` moves it away, `drop`
// and `keep` remove it, label_replace() writes any label of a metric
// result. (Parsers cannot: Loki renames an extracted label that collides
// with a stream label to `<name>_extracted`, so `| json` or
// `| regexp "(?P<resource_id>.+)"` yield `resource_id_extracted` on a
// stream that has `resource_id`.) Callers that rely on the output labels
// (say, to bill or route results by resource_id) set
// InjectOptions::refuse_enforced_label_writes: then every stage that names
// an enforced label as something it writes or removes is refused
// (PermissionDenied, positioned at the stage): label_format `name=...`
// (template or rename) and a rename whose source is the label; regexp
// named groups, pattern captures, json/logfmt extraction names; drop of the
// label (bare or with a matcher); keep that does not keep it
// unconditionally; label_replace() with it as destination. Parsers without
// names (`| json`, `| logfmt`, `| unpack`) are allowed: the `_extracted`
// rule above protects the stream's label.
//
// Thread safety: an Injector is immutable after Create() and thread-safe;
// copies share their state. The free functions are thread-safe.
#ifndef OBSV_LOGQL_SCOPE_H_
#define OBSV_LOGQL_SCOPE_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "obsv/export.h"
#include "obsv/logql.h"
#include "obsv/scope_policy.h"

namespace obsv::logql {

// The conflict policy (obsv/scope_policy.h), shared with PromQL.
using ConflictPolicy = ::obsv::ConflictPolicy;

// An enforced matcher `name op "value"`, owning its strings (a tree's
// LabelMatcher holds views of the tree's arena; the injector copies these
// into each tree it scopes).
struct EnforcedMatcher {
  std::string name;
  MatchOp op = MatchOp::kEqual;
  std::string value;
};

// `label="v"` for one allowed value, `label=~"v1|v2|..."` for several (each
// value QuoteMeta'd, sorted, unique), as promql::MatcherForValues.
// Errors (InvalidArgument): label not an identifier ([A-Za-z_][A-Za-z0-9_]*,
// the only label names a LogQL selector can hold); no values; a value empty
// or not UTF-8. Cost: O(total size); thread-safe.
OBSV_API absl::StatusOr<EnforcedMatcher> MatcherForValues(std::string_view label,
                                                          const std::vector<std::string>& values);

struct InjectOptions {
  // ANDed into every selector. At least one; each name an identifier
  // ([A-Za-z_][A-Za-z0-9_]*); values valid UTF-8; regexes compile with RE2
  // (fully anchored, as Loki's labels.Matcher). At least one matcher must
  // not match the empty value (Loki requires it of every selector, and it
  // keeps streams without the label out).
  std::vector<EnforcedMatcher> enforced;
  ConflictPolicy policy = ConflictPolicy::kError;
  // Refuse pipelines and label_replace() calls that write or remove an
  // enforced label (see the header comment). Off by default: the read set
  // is guaranteed either way.
  bool refuse_enforced_label_writes = false;
};

// A validated set of enforced matchers. Thread-safe; cheap to copy.
class OBSV_API Injector {
 public:
  // Validates `options` (see InjectOptions). InvalidArgument naming the
  // offending matcher on error. Cost: compiles each regex once.
  static absl::StatusOr<Injector> Create(InjectOptions options);

  // Rewrites the tree in place: every stream selector gets the enforced
  // matchers (appended, their strings copied into the tree's arena), the
  // user's matchers on enforced labels are handled by the policy, and, with
  // refuse_enforced_label_writes, stages writing an enforced label are
  // refused.
  //
  // Errors: PermissionDenied for a refused matcher or stage, whose byte
  // range ErrorSpan() returns and whose message starts with "L:C: " (lines
  // and byte columns in `source`, the text `expr` was parsed from; without
  // it, "offset N: "). InvalidArgument for a malformed tree (a null child).
  // On error the tree may be partly rewritten: discard it.
  //
  // Walks the tree with an explicit stack. Cost: linear in nodes, stages
  // and matchers.
  absl::Status Inject(ExprPtr& tree, std::string_view source = {}) const;
  // The same for a tree (or part of one) whose arena is `arena`.
  absl::Status Inject(Expr& expr, Arena& arena, std::string_view source = {}) const;

  // Parse(query, parser_options), Inject(), Format(). Parse errors as
  // Parse() returns them (InvalidArgument "parse error at line L, col C:
  // ...", ResourceExhausted for a limit); refusals as Inject(), positioned
  // in `query`. The result is Loki's canonical text and re-parses (each
  // selector has the enforced matchers more than it had). Cost: linear.
  absl::StatusOr<std::string> InjectQuery(std::string_view query,
                                          const ParserOptions& parser_options = {}) const;

  // The `query` parameter of the metadata endpoints, scoped:
  //   /loki/api/v1/labels, /loki/api/v1/label/<name>/values (optional),
  //   /loki/api/v1/index/stats, /loki/api/v1/index/volume,
  //   /loki/api/v1/index/volume_range, /loki/api/v1/patterns (required by
  //   Loki; scoped all the same when absent).
  // An empty `query` (parameter absent) returns `{enforced...}` alone, as
  // InjectSelectors() does for match[]. Otherwise `query` must be a stream
  // selector `{...}` (Loki's syntax.ParseMatchers: "only label matchers are
  // supported"), or, with allow_pipeline, a log query (selector and
  // pipeline; the pipeline is kept and checked as in Inject()). Errors:
  // parse errors as Parse(); InvalidArgument "L:C: expected a stream
  // selector ..." for another kind of expression; refusals as Inject().
  // Cost: linear.
  absl::StatusOr<std::string> InjectSelector(std::string_view query, bool allow_pipeline = false,
                                             const ParserOptions& parser_options = {}) const;

  // The match[] parameters of /loki/api/v1/series (repeatable), scoped:
  // each as InjectSelector(match[i]) (stream selectors only), errors
  // prefixed "match[i]: "; an empty vector (no match[]) returns the single
  // selector `{enforced...}`. Output in input order. Cost: linear.
  absl::StatusOr<std::vector<std::string>> InjectSelectors(
      const std::vector<std::string>& match, const ParserOptions& parser_options = {}) const;

  const std::vector<EnforcedMatcher>& enforced() const;
  ConflictPolicy policy() const;
  bool refuse_enforced_label_writes() const;

  struct State;  // internal

 private:
  explicit Injector(std::shared_ptr<const State> state) : state_(std::move(state)) {}
  std::shared_ptr<const State> state_;
};

// The byte range an error of this module (Injector, ExpandTemplate) points
// at, or nullopt if it has none.
OBSV_API std::optional<Span> ErrorSpan(const absl::Status& status);

}  // namespace obsv::logql

#endif  // OBSV_LOGQL_SCOPE_H_
