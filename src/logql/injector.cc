// The LogQL tenant-scoping injector: enforced matchers into every stream
// selector, and (optionally) no pipeline stage writing an enforced label.
//
// The walks switch over NodeKind and StageKind without `default:`, so a new
// kind of node or stage breaks this file's build (-Werror=switch-enum)
// instead of slipping past the injector unchecked. The decisions on matchers
// are common/scope_core.h's, shared with PromQL.
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/types/span.h"
#include "common/go_strconv.h"
#include "common/scope_core.h"
#include "common/str_cat.h"
#include "logql/lexer.h"
#include "logql/scope_support.h"
#include "obsv/logql_scope.h"

namespace obsv::logql {

using obsv::internal::EnforcedSet;
using obsv::internal::ScopeMatcher;
using obsv::internal::StrCat;

struct Injector::State {
  InjectOptions options;
  EnforcedSet set;
  // options.enforced as tree matchers, viewing its strings: what a tree
  // that dies before the Injector (InjectQuery's) can borrow.
  std::vector<LabelMatcher> views;
};

namespace {

constexpr auto ScopeText =
    obsv::internal::ScopeMatcherText<EnforcedMatcher, internal::EnforcedMatcherText>;

absl::Status ValidateName(std::string_view what, std::string_view name) {
  if (!obsv::internal::IsLegacyLabelName(name)) {
    return absl::InvalidArgumentError(
        StrCat(what, ": label name \"", name,
               "\" is not an identifier ([A-Za-z_][A-Za-z0-9_]*), the only names a LogQL "
               "selector holds"));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<EnforcedMatcher> MatcherForValues(std::string_view label,
                                                 const std::vector<std::string>& values) {
  if (absl::Status s = ValidateName("MatcherForValues", label); !s.ok()) return s;
  return obsv::internal::MatcherForValuesAs<EnforcedMatcher>(label, values);
}

absl::StatusOr<Injector> Injector::Create(InjectOptions options) {
  absl::StatusOr<EnforcedSet> set = obsv::internal::EnforcedSetOf(options.enforced, ValidateName);
  if (!set.ok()) return set.status();
  auto state = std::make_shared<State>();
  state->options = std::move(options);
  state->set = std::move(*set);
  for (const EnforcedMatcher& e : state->options.enforced) {
    LabelMatcher& m = state->views.emplace_back();
    m.name = e.name;
    m.op = e.op;
    m.value = e.value;
  }
  return Injector(std::move(state));
}

const std::vector<EnforcedMatcher>& Injector::enforced() const { return state_->options.enforced; }
ConflictPolicy Injector::policy() const { return state_->options.policy; }
bool Injector::refuse_enforced_label_writes() const {
  return state_->options.refuse_enforced_label_writes;
}

namespace {

// Free functions: members of the exported class would be exported.
class Scoper {
 public:
  // The enforced matchers go into each selector as views of the
  // Injector's strings when the tree dies first (`borrow`), else as copies
  // made in the tree's arena once.
  Scoper(const Injector::State& st, Arena& arena, std::string_view source, bool borrow)
      : st_(st), arena_(arena), source_(source) {
    if (borrow) {
      enforced_ = st.views;
      return;
    }
    auto* copies = static_cast<LabelMatcher*>(
        arena_.Allocate(st.views.size() * sizeof(LabelMatcher), alignof(LabelMatcher)));
    for (size_t i = 0; i < st.views.size(); ++i) {
      copies[i] = st.views[i];
      copies[i].name = arena_.Copy(st.views[i].name);
      copies[i].value = arena_.Copy(st.views[i].value);
    }
    enforced_ = absl::MakeConstSpan(copies, st.views.size());
  }

  absl::Status Selector(StreamSelector& sel) const {
    Arena& arena = arena_;
    sel.matchers.reserve(arena, sel.matchers.size() + enforced_.size());
    std::optional<size_t> refused = obsv::internal::ScopeMatchersWith(
        st_.set, st_.options.policy, enforced_, &sel.matchers,
        [&arena](List<LabelMatcher>* list, const LabelMatcher& m) { list->push_back(arena, m); });
    if (!refused) return absl::OkStatus();
    const LabelMatcher& m = sel.matchers[*refused];
    return Refuse(m.span, StrCat("label matcher ", internal::MatcherText(m),
                                 " is not allowed: the query is scoped to ",
                                 st_.set.EnforcedText(m.name, ScopeText)));
  }

  absl::Status Log(LogSelectorExpr& log) const {
    if (absl::Status s = Selector(log.selector); !s.ok()) return s;
    if (!st_.options.refuse_enforced_label_writes) return absl::OkStatus();
    for (const Stage& stage : log.pipeline) {
      if (absl::Status s = CheckStage(stage); !s.ok()) return s;
    }
    return absl::OkStatus();
  }

  absl::Status Range(LogRange& range) const {
    if (range.log == nullptr) return Malformed("range without a log selector");
    return Log(*range.log);
  }

  absl::Status LabelReplace(const LabelReplaceExpr& e) const {
    if (st_.options.refuse_enforced_label_writes && st_.set.IsEnforcedName(e.dst)) {
      return Refuse(e.span, StrCat("label_replace() writes the enforced label ", e.dst));
    }
    return absl::OkStatus();
  }

  static absl::Status Malformed(std::string_view what) {
    return absl::InvalidArgumentError(StrCat("Inject: malformed tree: ", what));
  }

 private:
  absl::Status Refuse(Span span, std::string_view message) const {
    return internal::PositionedError(absl::StatusCode::kPermissionDenied, source_, span, message);
  }

  absl::Status Writes(const Stage& stage, std::string_view name, std::string_view how) const {
    return Refuse(stage.span,
                  StrCat("the pipeline ", how, " the enforced label ", name,
                         " (refuse_enforced_label_writes)"));
  }

  absl::Status CheckStage(const Stage& stage) const {
    const EnforcedSet& set = st_.set;
    switch (stage.kind) {
      case StageKind::kLineFilter:
      case StageKind::kLabelFilter:
      case StageKind::kLineFormat:
      case StageKind::kDecolorize:
      case StageKind::kUnpack:  // unnamed: Loki's `_extracted` rule applies
        return absl::OkStatus();
      case StageKind::kLogfmt:
      case StageKind::kJson:
        for (const LabelExtraction& x : stage.extractions) {
          if (set.IsEnforcedName(x.name)) return Writes(stage, x.name, "extracts");
        }
        return absl::OkStatus();
      case StageKind::kRegexp:
        for (const std::string& name : internal::RegexpGroupNames(stage.param)) {
          if (set.IsEnforcedName(name)) return Writes(stage, name, "extracts");
        }
        return absl::OkStatus();
      case StageKind::kPattern:
        for (const std::string& name : internal::PatternCaptureNames(stage.param)) {
          if (set.IsEnforcedName(name)) return Writes(stage, name, "extracts");
        }
        return absl::OkStatus();
      case StageKind::kLabelFormat:
        for (const LabelFormat& f : stage.formats) {
          if (set.IsEnforcedName(f.name)) return Writes(stage, f.name, "writes");
          if (f.rename && set.IsEnforcedName(f.value)) return Writes(stage, f.value, "renames");
        }
        return absl::OkStatus();
      case StageKind::kDrop:
        for (const NamedMatcher& n : stage.names) {
          const std::string_view name = n.has_matcher ? n.matcher.name : n.name;
          if (set.IsEnforcedName(name)) return Writes(stage, name, "drops");
        }
        return absl::OkStatus();
      case StageKind::kKeep:
        for (const ScopeMatcher& e : set.matchers()) {
          bool kept = false;
          for (const NamedMatcher& n : stage.names) {
            if (!n.has_matcher && n.name == e.name) kept = true;
          }
          if (!kept) return Writes(stage, e.name, "does not keep");
        }
        return absl::OkStatus();
    }
    return Malformed("unknown stage");
  }

  const Injector::State& st_;
  Arena& arena_;
  absl::Span<const LabelMatcher> enforced_;
  std::string_view source_;
};

absl::Status Walk(const Injector::State& state, Expr& root, Arena& arena, std::string_view source,
                  bool borrow) {
  Scoper scoper(state, arena, source, borrow);
  // The walk's stack: inline for the usual few levels, on the heap past them.
  Expr* inline_stack[32];
  std::vector<Expr*> heap_stack;
  Expr** stack = inline_stack;
  size_t depth = 0, capacity = 32;
  stack[depth++] = &root;
  auto push = [&](Expr* e) {
    if (e == nullptr) return false;
    if (depth == capacity) {
      if (heap_stack.empty()) heap_stack.assign(inline_stack, inline_stack + depth);
      heap_stack.resize(2 * capacity);
      capacity = heap_stack.size();
      stack = heap_stack.data();
    }
    stack[depth++] = e;
    return true;
  };
  while (depth > 0) {
    Expr* e = stack[--depth];
    switch (e->kind) {
      case NodeKind::kLiteral:
      case NodeKind::kVector:
        break;
      case NodeKind::kLogSelector:
        if (absl::Status s = scoper.Log(e->As<LogSelectorExpr>()); !s.ok()) return s;
        break;
      case NodeKind::kRangeAggregation:
        if (absl::Status s = scoper.Range(e->As<RangeAggregationExpr>().range); !s.ok()) return s;
        break;
      case NodeKind::kVectorAggregation:
        if (!push(e->As<VectorAggregationExpr>().expr)) {
          return Scoper::Malformed("aggregation without an expression");
        }
        break;
      case NodeKind::kBinary: {
        auto& b = e->As<BinaryExpr>();
        if (!push(b.lhs) || !push(b.rhs)) {
          return Scoper::Malformed("binary operation without an operand");
        }
        break;
      }
      case NodeKind::kLabelReplace: {
        auto& l = e->As<LabelReplaceExpr>();
        if (absl::Status s = scoper.LabelReplace(l); !s.ok()) return s;
        if (!push(l.expr)) return Scoper::Malformed("label_replace() without an expression");
        break;
      }
      case NodeKind::kVariants: {
        auto& v = e->As<VariantsExpr>();
        if (absl::Status s = scoper.Range(v.range); !s.ok()) return s;
        for (Expr* x : v.variants) {
          if (!push(x)) return Scoper::Malformed("null variant");
        }
        break;
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status Injector::Inject(ExprPtr& tree, std::string_view source) const {
  if (!tree) return Scoper::Malformed("empty tree");
  return Walk(*state_, *tree, tree.arena(), source, /*borrow=*/false);
}

absl::Status Injector::Inject(Expr& root, Arena& arena, std::string_view source) const {
  return Walk(*state_, root, arena, source, /*borrow=*/false);
}

// The trees below die before this returns: they borrow the enforced strings.
absl::StatusOr<std::string> Injector::InjectQuery(std::string_view query,
                                                  const ParserOptions& parser_options) const {
  absl::StatusOr<ExprPtr> expr = Parse(query, parser_options);
  if (!expr.ok()) return expr.status();
  if (absl::Status s = Walk(*state_, **expr, expr->arena(), query, true); !s.ok()) return s;
  return Format(**expr);
}

absl::StatusOr<std::string> Injector::InjectSelector(std::string_view query, bool allow_pipeline,
                                                     const ParserOptions& parser_options) const {
  if (query.empty()) {
    Arena arena;
    LogSelectorExpr only;
    if (absl::Status s = Walk(*state_, only, arena, {}, true); !s.ok()) return s;
    return Format(only);
  }
  absl::StatusOr<ExprPtr> expr = Parse(query, parser_options);
  if (!expr.ok()) return expr.status();
  Expr& e = **expr;
  if (e.kind != NodeKind::kLogSelector ||
      (!allow_pipeline && !e.As<LogSelectorExpr>().pipeline.empty())) {
    return internal::PositionedError(
        absl::StatusCode::kInvalidArgument, query, e.span,
        allow_pipeline ? "expected a log query (a stream selector and pipeline), got a metric query"
                       : "expected a stream selector {...} (only label matchers are supported)");
  }
  if (absl::Status s = Walk(*state_, e, expr->arena(), query, true); !s.ok()) return s;
  return Format(e);
}

absl::StatusOr<std::vector<std::string>> Injector::InjectSelectors(
    const std::vector<std::string>& match, const ParserOptions& parser_options) const {
  std::vector<std::string> out;
  if (match.empty()) {
    absl::StatusOr<std::string> only = InjectSelector({}, false, parser_options);
    if (!only.ok()) return only.status();
    out.push_back(std::move(*only));
    return out;
  }
  out.reserve(match.size());
  for (size_t i = 0; i < match.size(); ++i) {
    std::string prefix = StrCat("match[", i, "]: ");
    if (match[i].empty()) {
      return absl::InvalidArgumentError(StrCat(prefix, "empty selector"));
    }
    absl::StatusOr<std::string> one = InjectSelector(match[i], false, parser_options);
    if (!one.ok()) return obsv::internal::PrefixError(one.status(), prefix);
    out.push_back(std::move(*one));
  }
  return out;
}

}  // namespace obsv::logql
