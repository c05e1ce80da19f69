// The tenant-scoping injector: enforced matchers into every selector.
//
// The walk switches over NodeKind without `default:`, so a new kind of node
// breaks this file's build (-Werror=switch-enum) instead of slipping past
// the injector unscoped.
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "common/scope_core.h"
#include "common/str_cat.h"
#include "common/utf8.h"
#include "obsv/promql_scope.h"
#include "promql/scope_support.h"

namespace obsv::promql {

using obsv::internal::StrCat;

using obsv::internal::EnforcedSet;
using obsv::internal::ScopeMatcher;

struct Injector::State {
  InjectOptions options;
  EnforcedSet set;  // the decisions, shared with LogQL
};

namespace {

absl::Status ValidateName(std::string_view what, std::string_view name) {
  if (name.empty()) return absl::InvalidArgumentError(StrCat(what, ": empty label name"));
  if (!obsv::internal::IsValidUtf8(name)) {
    return absl::InvalidArgumentError(StrCat(what, ": label name is not valid UTF-8"));
  }
  if (name == "__name__") {
    return absl::InvalidArgumentError(
        StrCat(what, ": the metric name (__name__) cannot be enforced"));
  }
  return absl::OkStatus();
}

constexpr auto ScopeText = obsv::internal::ScopeMatcherText<LabelMatcher, internal::MatcherText>;

}  // namespace

absl::StatusOr<LabelMatcher> MatcherForValues(std::string_view label,
                                              const std::vector<std::string>& values) {
  if (absl::Status s = ValidateName("MatcherForValues", label); !s.ok()) return s;
  return obsv::internal::MatcherForValuesAs<LabelMatcher>(label, values);
}

absl::StatusOr<Injector> Injector::Create(InjectOptions options) {
  absl::StatusOr<EnforcedSet> set = obsv::internal::EnforcedSetOf(options.enforced, ValidateName);
  if (!set.ok()) return set.status();
  auto state = std::make_shared<State>();
  state->options = std::move(options);
  state->set = std::move(*set);
  return Injector(std::move(state));
}

const std::vector<LabelMatcher>& Injector::enforced() const { return state_->options.enforced; }
ConflictPolicy Injector::policy() const { return state_->options.policy; }

namespace {

// Applies the policy to the user's matchers of `vs` and adds the enforced
// ones. A free function: members of the exported class would be exported.
absl::Status ScopeSelector(const Injector::State& st, VectorSelector& vs,
                           std::string_view source) {
  std::optional<size_t> refused =
      obsv::internal::ScopeMatchers(st.set, st.options.policy, st.options.enforced, &vs.matchers);
  if (!refused) return absl::OkStatus();
  const LabelMatcher& m = vs.matchers[*refused];
  return internal::PositionedError(
      absl::StatusCode::kPermissionDenied, source, m.span,
      StrCat("label matcher ", internal::MatcherText(m), " is not allowed: the query is scoped to ",
             st.set.EnforcedText(m.name, ScopeText)));
}

}  // namespace

absl::Status Injector::Inject(Expr& root, std::string_view source) const {
  const State& st = *state_;
  auto malformed = [](std::string_view what) {
    return absl::InvalidArgumentError(StrCat("Inject: malformed tree: ", what));
  };
  absl::InlinedVector<Expr*, 32> stack = {&root};
  auto push = [&stack](const ExprPtr& e) {
    if (e == nullptr) return false;
    stack.push_back(e.get());
    return true;
  };
  while (!stack.empty()) {
    Expr* e = stack.back();
    stack.pop_back();
    switch (e->kind) {
      case NodeKind::kNumberLiteral:
      case NodeKind::kStringLiteral:
        break;
      case NodeKind::kVectorSelector:
        if (absl::Status s = ScopeSelector(st, e->As<VectorSelector>(), source); !s.ok()) return s;
        break;
      case NodeKind::kMatrixSelector: {
        auto& m = e->As<MatrixSelector>();
        if (m.selector == nullptr) return malformed("range selector without a selector");
        if (absl::Status s = ScopeSelector(st, *m.selector, source); !s.ok()) return s;
        break;
      }
      case NodeKind::kSubquery:
        if (!push(e->As<Subquery>().expr)) return malformed("subquery without an expression");
        break;
      case NodeKind::kCall: {
        auto& c = e->As<Call>();
        if (c.function == nullptr) return malformed("call without a function");
        if (c.function->name == "info") {
          if (c.args.size() == 1) {
            // Scope the info series too (see the header's note on info()).
            auto sel = std::make_unique<VectorSelector>();
            sel->bypass_empty_matcher_check = true;
            c.args.push_back(std::move(sel));
          } else if (c.args.size() == 2 &&
                     (c.args[1] == nullptr || c.args[1]->kind != NodeKind::kVectorSelector)) {
            return malformed("info() second argument is not a label selector");
          }
        }
        for (const ExprPtr& a : c.args) {
          if (!push(a)) return malformed("null function argument");
        }
        break;
      }
      case NodeKind::kAggregate: {
        auto& a = e->As<Aggregate>();
        if (a.param != nullptr) push(a.param);
        if (!push(a.expr)) return malformed("aggregation without an expression");
        break;
      }
      case NodeKind::kBinary: {
        auto& b = e->As<Binary>();
        if (!push(b.lhs) || !push(b.rhs)) return malformed("binary expression without an operand");
        break;
      }
      case NodeKind::kUnary:
        if (!push(e->As<Unary>().expr)) return malformed("unary expression without an operand");
        break;
      case NodeKind::kParen:
        if (!push(e->As<Paren>().expr)) return malformed("empty parentheses");
        break;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Injector::InjectQuery(std::string_view query,
                                                  const ParserOptions& parser_options) const {
  absl::StatusOr<ExprPtr> expr = Parse(query, parser_options);
  if (!expr.ok()) return expr.status();
  if (absl::Status s = Inject(**expr, query); !s.ok()) return s;
  return Format(**expr);
}

}  // namespace obsv::promql
