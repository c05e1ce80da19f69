// The tenant-scoping injector: enforced matchers into every selector.
//
// The walk switches over NodeKind without `default:`, so a new kind of node
// breaks this file's build (-Werror=switch-enum) instead of slipping past
// the injector unscoped.
#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "common/str_cat.h"
#include "common/utf8.h"
#include "obsv/promql_scope.h"
#include "promql/scope_support.h"
#include "re2/re2.h"

namespace obsv::promql {

using obsv::internal::StrCat;

struct Injector::State {
  InjectOptions options;
  // Parallel to options.enforced: the anchored regex of =~ and !~, else null.
  std::vector<std::unique_ptr<RE2>> regexes;

  bool IsEnforcedName(std::string_view name) const {
    for (const LabelMatcher& e : options.enforced) {
      if (e.name == name) return true;
    }
    return false;
  }

  bool Matches(size_t i, const std::string& value) const {
    const LabelMatcher& e = options.enforced[i];
    switch (e.op) {
      case MatchOp::kEqual: return value == e.value;
      case MatchOp::kNotEqual: return value != e.value;
      case MatchOp::kRegexMatch: return RE2::FullMatch(value, *regexes[i]);
      case MatchOp::kRegexNoMatch: return !RE2::FullMatch(value, *regexes[i]);
    }
    return false;
  }

  // Whether a user's matcher on an enforced label is the same as one of the
  // enforced matchers (then it is redundant).
  bool IsIdentical(const LabelMatcher& m) const {
    for (const LabelMatcher& e : options.enforced) {
      if (e.name == m.name && e.op == m.op && e.value == m.value) return true;
    }
    return false;
  }

  // `tenant="a"` under tenant=~"a|b": an equality every enforced matcher on
  // its label accepts narrows the query within the allowed set.
  bool IsNarrowing(const LabelMatcher& m) const {
    if (m.op != MatchOp::kEqual) return false;
    for (size_t i = 0; i < options.enforced.size(); ++i) {
      if (options.enforced[i].name == m.name && !Matches(i, m.value)) return false;
    }
    return true;
  }

  std::string EnforcedText(std::string_view name) const {
    std::string out;
    for (const LabelMatcher& e : options.enforced) {
      if (e.name != name) continue;
      if (!out.empty()) out.append(" and ");
      out.append(internal::MatcherText(e));
    }
    return out;
  }
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

// Prometheus 3 compiles label regexes as ^(?s:re)$ (`.` matches newlines).
std::unique_ptr<RE2> CompileAnchored(const std::string& re) {
  RE2::Options opts;
  opts.set_log_errors(false);
  opts.set_encoding(RE2::Options::EncodingUTF8);
  return std::make_unique<RE2>(StrCat("^(?s:", re, ")$"), opts);
}

}  // namespace

absl::StatusOr<LabelMatcher> MatcherForValues(std::string_view label,
                                              const std::vector<std::string>& values) {
  if (absl::Status s = ValidateName("MatcherForValues", label); !s.ok()) return s;
  if (values.empty()) return absl::InvalidArgumentError("MatcherForValues: no allowed values");
  for (const std::string& v : values) {
    if (v.empty()) {
      return absl::InvalidArgumentError(
          "MatcherForValues: empty value (it would admit series without the label)");
    }
    if (!obsv::internal::IsValidUtf8(v)) {
      return absl::InvalidArgumentError("MatcherForValues: value is not valid UTF-8");
    }
  }
  std::vector<std::string> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  LabelMatcher m;
  m.name = std::string(label);
  if (sorted.size() == 1) {
    m.op = MatchOp::kEqual;
    m.value = std::move(sorted[0]);
    return m;
  }
  m.op = MatchOp::kRegexMatch;
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (i > 0) m.value.push_back('|');
    internal::AppendRegexQuoteMeta(sorted[i], &m.value);
  }
  return m;
}

absl::StatusOr<Injector> Injector::Create(InjectOptions options) {
  auto state = std::make_shared<State>();
  if (options.enforced.empty()) {
    return absl::InvalidArgumentError("Injector: no enforced matchers");
  }
  bool excludes_empty = false;
  for (size_t i = 0; i < options.enforced.size(); ++i) {
    LabelMatcher& e = options.enforced[i];
    std::string what = StrCat("enforced matcher ", i);
    if (absl::Status s = ValidateName(what, e.name); !s.ok()) return s;
    if (!obsv::internal::IsValidUtf8(e.value)) {
      return absl::InvalidArgumentError(StrCat(what, ": value is not valid UTF-8"));
    }
    e.span = Span();
    std::unique_ptr<RE2> re;
    if (e.op == MatchOp::kRegexMatch || e.op == MatchOp::kRegexNoMatch) {
      re = CompileAnchored(e.value);
      if (!re->ok()) {
        return absl::InvalidArgumentError(
            StrCat(what, ": invalid regex ", internal::MatcherText(e), ": ", re->error()));
      }
    }
    state->regexes.push_back(std::move(re));
  }
  state->options = std::move(options);
  for (size_t i = 0; i < state->options.enforced.size(); ++i) {
    if (!state->Matches(i, "")) excludes_empty = true;
  }
  if (!excludes_empty) {
    return absl::InvalidArgumentError(
        "Injector: every enforced matcher matches the empty value, so series without the "
        "label would pass; enforce at least one matcher that requires the label");
  }
  return Injector(std::move(state));
}

const std::vector<LabelMatcher>& Injector::enforced() const { return state_->options.enforced; }
ConflictPolicy Injector::policy() const { return state_->options.policy; }

namespace {

absl::Status ScopeConflicting(const Injector::State& st, VectorSelector& vs,
                              std::string_view source);

// Applies the policy to the user's matchers of `vs` and adds the enforced
// ones. A free function: members of the exported class would be exported.
absl::Status ScopeSelector(const Injector::State& st, VectorSelector& vs,
                           std::string_view source) {
  const InjectOptions& options = st.options;
  // Usually no matcher of the user's is on an enforced label: the enforced
  // ones are appended in place.
  bool conflict = false;
  for (const LabelMatcher& m : vs.matchers) {
    if (st.IsEnforcedName(m.name)) {
      conflict = true;
      break;
    }
  }
  if (!conflict) {
    vs.matchers.reserve(vs.matchers.size() + options.enforced.size());
    for (const LabelMatcher& e : options.enforced) vs.matchers.push_back(e);
    return absl::OkStatus();
  }
  return ScopeConflicting(st, vs, source);
}

// ScopeSelector() of a selector with a matcher on an enforced label.
[[gnu::cold, gnu::noinline]] absl::Status ScopeConflicting(const Injector::State& st,
                                                           VectorSelector& vs,
                                                           std::string_view source) {
  const InjectOptions& options = st.options;
  std::vector<LabelMatcher> kept;
  kept.reserve(vs.matchers.size() + options.enforced.size());
  for (LabelMatcher& m : vs.matchers) {
    if (!st.IsEnforcedName(m.name)) {
      kept.push_back(std::move(m));
      continue;
    }
    switch (options.policy) {
      case ConflictPolicy::kReplace:
        continue;
      case ConflictPolicy::kIntersect:
        if (!st.IsIdentical(m)) kept.push_back(std::move(m));
        continue;
      case ConflictPolicy::kError:
        if (st.IsIdentical(m)) continue;
        if (st.IsNarrowing(m)) {
          kept.push_back(std::move(m));
          continue;
        }
        return internal::PositionedError(
            absl::StatusCode::kPermissionDenied, source, m.span,
            StrCat("label matcher ", internal::MatcherText(m),
                   " is not allowed: the query is scoped to ", st.EnforcedText(m.name)));
    }
  }
  for (const LabelMatcher& e : options.enforced) kept.push_back(e);
  vs.matchers = std::move(kept);
  return absl::OkStatus();
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
