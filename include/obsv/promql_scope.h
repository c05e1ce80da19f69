// obsv/promql_scope.h: tenant scoping of PromQL queries and series selectors.
//
// An Injector adds enforced label matchers (`tenant="a"`) to every vector
// and range selector of a query, wherever it stands: function arguments,
// aggregation parameters (`topk(scalar(secret), up)`), subqueries, both
// sides of binary expressions, and info()'s data-label selector. It is what
// prom-label-proxy does, with a conflict policy chosen by the caller and a
// rewriter that fails to compile when the AST grows a new kind of node.
//
//   absl::StatusOr<obsv::promql::LabelMatcher> tenant =
//       obsv::promql::MatcherForValues("tenant", {"a", "b"});  // tenant=~"a|b"
//   if (!tenant.ok()) return tenant.status();
//   obsv::promql::InjectOptions options;
//   options.enforced.push_back(*tenant);
//   options.policy = obsv::promql::ConflictPolicy::kError;
//   absl::StatusOr<obsv::promql::Injector> injector =
//       obsv::promql::Injector::Create(std::move(options));  // once, at startup
//   ...
//   absl::StatusOr<std::string> q = injector->InjectQuery("sum(rate(x[5m]))");
//   // *q == `sum(rate(x{tenant=~"a|b"}[5m]))`
//   absl::StatusOr<std::vector<std::string>> m = injector->InjectSelectors({});
//   // *m == {`{tenant=~"a|b"}`}   (match[] absent: the enforced set alone)
//
// The guarantee, whatever the policy: every selector of the result carries
// every enforced matcher, so the query cannot select a series outside the
// enforced set. Label names are compared after unquoting and unescaping
// (`{"ten\u0061nt"="b"}` constrains `tenant`).
//
// Regexes are Prometheus 3's: fully anchored (`^(?s:re)$`, so `.` also
// matches a newline) and in RE2 syntax; enforced regexes are compiled with
// RE2 when the Injector is created.
//
// Thread safety: an Injector is immutable after Create() and thread-safe;
// copies share their compiled state. The free functions are thread-safe.
#ifndef OBSV_PROMQL_SCOPE_H_
#define OBSV_PROMQL_SCOPE_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "obsv/export.h"
#include "obsv/promql.h"
#include "obsv/scope_policy.h"

namespace obsv::promql {

// The conflict policy (obsv/scope_policy.h), shared with LogQL.
using ConflictPolicy = ::obsv::ConflictPolicy;

// `label="v"` for one allowed value, `label=~"v1|v2|..."` for several, each
// value's regex metacharacters escaped (Go's regexp.QuoteMeta), sorted and
// without duplicates so the same set always gives the same text. Prometheus
// anchors the regex itself. Errors (InvalidArgument): label empty, not UTF-8
// or `__name__`; no values; a value empty (a series without the label is
// nobody's) or not UTF-8. The returned matcher has an empty span.
// Cost: O(total size); thread-safe.
OBSV_API absl::StatusOr<LabelMatcher> MatcherForValues(std::string_view label,
                                                       const std::vector<std::string>& values);

struct InjectOptions {
  // ANDed into every selector. At least one; each name non-empty, valid
  // UTF-8 and not `__name__` (the metric name is never enforced); values
  // valid UTF-8; regexes compile with RE2. At least one matcher must not
  // match the empty value, so that series without the label are excluded
  // and `{enforced...}` alone is a valid selector. Several matchers on one
  // label are allowed (all must hold).
  std::vector<LabelMatcher> enforced;
  ConflictPolicy policy = ConflictPolicy::kError;
};

// A validated, compiled set of enforced matchers. Thread-safe; cheap to copy
// (shared immutable state).
class OBSV_API Injector {
 public:
  // Validates and compiles `options` (see InjectOptions). InvalidArgument
  // naming the offending matcher on error. Cost: compiles each regex once.
  static absl::StatusOr<Injector> Create(InjectOptions options);

  // Rewrites `expr` in place: every VectorSelector (standing alone or inside
  // a MatrixSelector) gets the enforced matchers, and the user's matchers on
  // enforced labels are handled by the policy. An info() call with one
  // argument gets a second one, `{enforced...}`, so that the info metrics
  // it joins are scoped too (see the note below); an existing second
  // argument is scoped like any selector.
  //
  // Errors: PermissionDenied under kError for a conflicting matcher, whose
  // position ErrorSpan() returns and whose message starts with "L:C: "
  // computed from `source` (the text `expr` was parsed from; pass it so the
  // position can be given as line:column, else the message says "offset N").
  // InvalidArgument for a malformed tree (a null child, an info() second
  // argument that is not a selector). On error the tree may be partly
  // rewritten: discard it.
  //
  // Walks the tree with an explicit stack (no recursion). Cost: linear in
  // the number of nodes and matchers; allocates the added matchers.
  //
  // Note on info(): Prometheus's info(v, {sel}) selects info series (default
  // target_info) with every matcher of sel, and then adds to v only the
  // data labels that sel names. So `info(v)` becomes
  // `info(v, {tenant="a"})`: the info series are scoped (without it, the
  // data labels of another tenant's target_info with the same job and
  // instance would be joined in), but only the enforced labels are added as
  // data labels, and a series of v with no matching info series is dropped.
  // Write the data labels wanted explicitly (`info(v, {k8s_cluster=~".+"})`)
  // to keep them. The added selector has bypass_empty_matcher_check set, as
  // the parser sets it on every info() second argument.
  absl::Status Inject(Expr& expr, std::string_view source = {}) const;

  // Parse(query, parser_options), Inject(), Format(). Parse errors are
  // returned as Parse() returns them (InvalidArgument, ResourceExhausted);
  // conflicts as Inject() does, positioned in `query`. The result is
  // canonical text (Format()) that re-parses with the same options, except
  // that each selector has the enforced matchers more than
  // max_matchers_per_selector allows (callers relaying the query to
  // Prometheus do not re-parse). Cost: linear in the query.
  absl::StatusOr<std::string> InjectQuery(std::string_view query,
                                          const ParserOptions& parser_options = {}) const;

  // The match[] parameters of /api/v1/series, /api/v1/labels,
  // /api/v1/label/<name>/values and /federate, scoped. Each element must be
  // a series selector as Prometheus's parser.ParseMetricSelector accepts it:
  // `name`, `name{matchers}` or `{matchers}` and nothing else (no range,
  // offset, @, function or parentheses); it must also hold a non-empty
  // matcher before injection (`{}` is refused; Parse()'s rule). Empty
  // `match` (parameter absent) returns the single selector `{enforced...}`,
  // as prom-label-proxy does. Errors: InvalidArgument "match[i]: L:C: ..."
  // for a parse error or another kind of expression; conflicts as Inject(),
  // with "match[i]: " before the position. Output elements are canonical
  // text, in input order. Cost: linear in the total size.
  absl::StatusOr<std::vector<std::string>> InjectSelectors(
      const std::vector<std::string>& match, const ParserOptions& parser_options = {}) const;

  // The enforced matchers as given to Create().
  const std::vector<LabelMatcher>& enforced() const;
  ConflictPolicy policy() const;

  struct State;  // internal

 private:
  explicit Injector(std::shared_ptr<const State> state) : state_(std::move(state)) {}
  std::shared_ptr<const State> state_;
};

// The byte range an error from this module (Injector, ExpandTemplate)
// points at, or nullopt if it has none (or is not one of ours).
OBSV_API std::optional<Span> ErrorSpan(const absl::Status& status);

}  // namespace obsv::promql

#endif  // OBSV_PROMQL_SCOPE_H_
