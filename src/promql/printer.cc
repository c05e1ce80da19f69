// The canonical printer: Prometheus's String() (promql/parser/printer.go),
// plus the Go formatting it relies on (strconv.Quote, FormatFloat 'f',
// model.Duration).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "common/str_cat.h"
#include "promql/lexer.h"
#include "promql/printer.h"

namespace obsv::promql {
namespace internal {

using obsv::internal::StrAppend;

}  // namespace internal

namespace {

using internal::AppendDuration;
using internal::AppendGoQuote;
using obsv::internal::StrAppend;

// Prometheus's writeLabels() leaves a name unquoted when it is a legacy
// metric name, so `by (a:b)` stays as written (and re-parses).
void AppendLabels(const std::vector<std::string>& labels, std::string* out) {
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out->append(", ");
    if (internal::IsLegacyMetricName(labels[i])) {
      out->append(labels[i]);
    } else {
      AppendGoQuote(labels[i], out);
    }
  }
}

void AppendAtMs(int64_t ms, std::string* out) {
  char buf[64];
  snprintf(buf, sizeof(buf), " @ %.3f", static_cast<double>(ms) / 1000.0);
  out->append(buf);
}

void AppendAt(const TimeModifiers& m, std::string* out) {
  switch (m.at) {
    case AtKind::kNone: break;
    case AtKind::kTimestamp: AppendAtMs(m.at_ms, out); break;
    case AtKind::kStart: out->append(" @ start()"); break;
    case AtKind::kEnd: out->append(" @ end()"); break;
  }
}

void AppendOffset(const TimeModifiers& m, std::string* out) {
  if (m.offset_expr != nullptr) {
    out->append(" offset ");
    AppendFormat(*m.offset_expr, out);
  } else if (m.offset_ns > 0) {
    out->append(" offset ");
    AppendDuration(m.offset_ns, out);
  } else if (m.offset_ns < 0) {
    out->append(" offset -");
    AppendDuration(-m.offset_ns, out);
  }
}

// A range or step: the literal duration, or the expression.
void AppendRange(int64_t ns, const DurationExprPtr& expr, std::string* out) {
  if (expr != nullptr) {
    AppendFormat(*expr, out);
  } else {
    AppendDuration(ns, out);
  }
}

// ` anchored` / ` smoothed` (Prometheus prints at most one).
void AppendExtendedRange(const VectorSelector& vs, std::string* out) {
  if (vs.anchored) {
    out->append(" anchored");
  } else if (vs.smoothed) {
    out->append(" smoothed");
  }
}

// NumberLiteral.String(): a duration as model.Duration, else FormatFloat.
void AppendNumber(double v, bool is_duration, std::string* out) {
  if (is_duration) {
    if (v < 0) {
      out->push_back('-');
      v = -v;
    }
    AppendDuration(static_cast<int64_t>(v * 1e9), out);
  } else {
    internal::AppendGoFloatF(v, out);
  }
}

// name{matchers} without modifiers.
void AppendSelectorBody(const VectorSelector& vs, std::string* out) {
  out->append(vs.name);
  // Each matcher is written in place, `{a="1",b="2"`, its [start, end)
  // recorded; Prometheus sorts matchers by their text, so when they are not
  // in order already they are rewritten from a copy of the region.
  struct Part {
    size_t start;
    size_t end;
  };
  absl::InlinedVector<Part, 8> parts;
  const size_t open = out->size();
  for (const LabelMatcher& m : vs.matchers) {
    if (m.name == "__name__" && m.op == MatchOp::kEqual && m.value == vs.name && !m.value.empty()) {
      continue;
    }
    out->push_back(parts.empty() ? '{' : ',');
    const size_t start = out->size();
    if (internal::IsLegacyLabelName(m.name)) {
      out->append(m.name);
    } else {
      AppendGoQuote(m.name, out);
    }
    out->append(MatchOpName(m.op));
    AppendGoQuote(m.value, out);
    parts.push_back({start, out->size()});
  }
  if (parts.empty()) return;
  auto view = [](const std::string& s, const Part& p) {
    return std::string_view(s.data() + p.start, p.end - p.start);
  };
  bool sorted = true;
  for (size_t i = 1; i < parts.size() && sorted; ++i) {
    sorted = !(view(*out, parts[i]) < view(*out, parts[i - 1]));
  }
  if (!sorted) {
    const std::string region = out->substr(open);
    for (Part& p : parts) {
      p.start -= open;
      p.end -= open;
    }
    std::stable_sort(parts.begin(), parts.end(), [&region, &view](const Part& a, const Part& b) {
      return view(region, a) < view(region, b);
    });
    out->resize(open);
    for (size_t i = 0; i < parts.size(); ++i) {
      out->push_back(i == 0 ? '{' : ',');
      out->append(view(region, parts[i]));
    }
  }
  out->push_back('}');
}

}  // namespace

namespace internal {

void AppendAggregateHead(const Aggregate& a, std::string* out) {
  out->append(AggregateOpName(a.op));
  if (a.without) {
    out->append(" without (");
    AppendLabels(a.grouping, out);
    out->append(") ");
  } else if (!a.grouping.empty()) {
    out->append(" by (");
    AppendLabels(a.grouping, out);
    out->append(") ");
  }
}

void AppendBinaryModifiers(const Binary& b, std::string* out) {
  if (b.return_bool) out->append(" bool");
  if (!b.has_matching) return;
  const VectorMatching& vm = b.matching;
  bool grouped = vm.card == Cardinality::kManyToOne || vm.card == Cardinality::kOneToMany;
  if (!vm.matching_labels.empty() || vm.on || grouped) {
    out->append(vm.on ? " on (" : " ignoring (");
    AppendLabels(vm.matching_labels, out);
    out->push_back(')');
  }
  if (grouped) {
    out->append(vm.card == Cardinality::kManyToOne ? " group_left (" : " group_right (");
    AppendLabels(vm.include, out);
    out->push_back(')');
  }
}

void AppendSubquerySuffix(const Subquery& s, std::string* out) {
  out->push_back('[');
  AppendRange(s.range_ns, s.range_expr, out);
  out->push_back(':');
  if (s.step_ns != 0 || s.step_expr != nullptr) AppendRange(s.step_ns, s.step_expr, out);
  out->push_back(']');
  AppendAt(s.modifiers, out);
  AppendOffset(s.modifiers, out);
}

}  // namespace internal

void AppendFormat(const Expr& e, std::string* out) {
  switch (e.kind) {
    case NodeKind::kNumberLiteral: {
      const auto& n = e.As<NumberLiteral>();
      AppendNumber(n.value, n.is_duration, out);
      return;
    }
    case NodeKind::kStringLiteral:
      AppendGoQuote(e.As<StringLiteral>().value, out);
      return;
    case NodeKind::kVectorSelector: {
      const auto& vs = e.As<VectorSelector>();
      AppendSelectorBody(vs, out);
      AppendAt(vs.modifiers, out);
      AppendExtendedRange(vs, out);
      AppendOffset(vs.modifiers, out);
      return;
    }
    case NodeKind::kMatrixSelector: {
      const auto& m = e.As<MatrixSelector>();
      AppendSelectorBody(*m.selector, out);
      out->push_back('[');
      AppendRange(m.range_ns, m.range_expr, out);
      out->push_back(']');
      AppendExtendedRange(*m.selector, out);
      AppendAt(m.selector->modifiers, out);
      AppendOffset(m.selector->modifiers, out);
      return;
    }
    case NodeKind::kSubquery: {
      const auto& s = e.As<Subquery>();
      AppendFormat(*s.expr, out);
      internal::AppendSubquerySuffix(s, out);
      return;
    }
    case NodeKind::kCall: {
      const auto& c = e.As<Call>();
      out->append(c.function->name);
      out->push_back('(');
      for (size_t i = 0; i < c.args.size(); ++i) {
        if (i > 0) out->append(", ");
        AppendFormat(*c.args[i], out);
      }
      out->push_back(')');
      return;
    }
    case NodeKind::kAggregate: {
      const auto& a = e.As<Aggregate>();
      internal::AppendAggregateHead(a, out);
      out->push_back('(');
      if (a.param != nullptr) {
        AppendFormat(*a.param, out);
        out->append(", ");
      }
      AppendFormat(*a.expr, out);
      out->push_back(')');
      return;
    }
    case NodeKind::kBinary: {
      const auto& b = e.As<Binary>();
      AppendFormat(*b.lhs, out);
      StrAppend(out, " ", BinaryOpName(b.op));
      internal::AppendBinaryModifiers(b, out);
      out->push_back(' ');
      AppendFormat(*b.rhs, out);
      return;
    }
    case NodeKind::kUnary: {
      const auto& u = e.As<Unary>();
      out->push_back(u.negate ? '-' : '+');
      AppendFormat(*u.expr, out);
      return;
    }
    case NodeKind::kParen:
      out->push_back('(');
      AppendFormat(*e.As<Paren>().expr, out);
      out->push_back(')');
      return;
  }
}

// DurationExpr.writeTo(). Recursion is as deep as the expression, which
// the parser bounds by max_depth.
void AppendFormat(const DurationExpr& d, std::string* out) {
  if (d.wrapped) out->push_back('(');
  std::string_view op;
  switch (d.op) {
    case DurationOp::kLiteral:
      AppendNumber(d.seconds, d.is_duration, out);
      break;
    case DurationOp::kStep:
      out->append("step()");
      break;
    case DurationOp::kMin:
    case DurationOp::kMax:
      out->append(d.op == DurationOp::kMin ? "min(" : "max(");
      if (d.lhs != nullptr) AppendFormat(*d.lhs, out);
      out->append(", ");
      if (d.rhs != nullptr) AppendFormat(*d.rhs, out);
      out->push_back(')');
      break;
    case DurationOp::kNegate:
      out->push_back('-');
      if (d.rhs != nullptr) AppendFormat(*d.rhs, out);
      break;
    case DurationOp::kAdd: op = " + "; break;
    case DurationOp::kSub: op = " - "; break;
    case DurationOp::kMul: op = " * "; break;
    case DurationOp::kDiv: op = " / "; break;
    case DurationOp::kMod: op = " % "; break;
    case DurationOp::kPow: op = " ^ "; break;
  }
  if (!op.empty()) {
    if (d.lhs != nullptr) AppendFormat(*d.lhs, out);
    out->append(op);
    if (d.rhs != nullptr) AppendFormat(*d.rhs, out);
  }
  if (d.wrapped) out->push_back(')');
}

std::string Format(const DurationExpr& expr) {
  std::string out;
  AppendFormat(expr, &out);
  return out;
}

std::string Format(const Expr& expr) {
  std::string out;
  AppendFormat(expr, &out);
  return out;
}

}  // namespace obsv::promql
