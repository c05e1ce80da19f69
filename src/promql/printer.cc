// The canonical printer: Prometheus's String() (promql/parser/printer.go),
// through common/out.h's cursor and Go formatting (strconv.Quote,
// FormatFloat 'f', model.Duration).
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "common/out.h"
#include "promql/lexer.h"
#include "promql/printer.h"

namespace obsv::promql {
namespace {

using obsv::internal::DurationTo;
using obsv::internal::FloatTo;
using obsv::internal::Out;
using obsv::internal::QuoteTo;

void FormatTo(const Expr& e, Out& out);
void FormatTo(const DurationExpr& d, Out& out);

// Prometheus's writeLabels() leaves a name unquoted when it is a legacy
// metric name, so `by (a:b)` stays as written (and re-parses).
void LabelsTo(const std::vector<std::string>& labels, Out& out) {
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out.Str(", ");
    if (internal::IsLegacyMetricName(labels[i])) {
      out.Str(labels[i]);
    } else {
      QuoteTo(labels[i], out);
    }
  }
}

void AtMsTo(int64_t ms, Out& out) {
  char buf[64];
  int n = snprintf(buf, sizeof(buf), " @ %.3f", static_cast<double>(ms) / 1000.0);
  out.Str(std::string_view(buf, static_cast<size_t>(n)));
}

void AtTo(const TimeModifiers& m, Out& out) {
  switch (m.at) {
    case AtKind::kNone: break;
    case AtKind::kTimestamp: AtMsTo(m.at_ms, out); break;
    case AtKind::kStart: out.Str(" @ start()"); break;
    case AtKind::kEnd: out.Str(" @ end()"); break;
  }
}

void OffsetTo(const TimeModifiers& m, Out& out) {
  if (m.offset_expr != nullptr) {
    out.Str(" offset ");
    FormatTo(*m.offset_expr, out);
  } else if (m.offset_ns > 0) {
    out.Str(" offset ");
    DurationTo(m.offset_ns, out);
  } else if (m.offset_ns < 0) {
    out.Str(" offset -");
    DurationTo(-m.offset_ns, out);
  }
}

// A range or step: the literal duration, or the expression.
void RangeTo(int64_t ns, const DurationExprPtr& expr, Out& out) {
  if (expr != nullptr) {
    FormatTo(*expr, out);
  } else {
    DurationTo(ns, out);
  }
}

// ` anchored` / ` smoothed` (Prometheus prints at most one).
void ExtendedRangeTo(const VectorSelector& vs, Out& out) {
  if (vs.anchored) {
    out.Str(" anchored");
  } else if (vs.smoothed) {
    out.Str(" smoothed");
  }
}

// NumberLiteral.String(): a duration as model.Duration, else FormatFloat.
void NumberTo(double v, bool is_duration, Out& out) {
  if (is_duration) {
    if (v < 0) {
      out.Char('-');
      v = -v;
    }
    DurationTo(static_cast<int64_t>(v * 1e9), out);
  } else {
    FloatTo(v, out);
  }
}

std::string_view MatchOpText(MatchOp op) {
  switch (op) {
    case MatchOp::kEqual: return "=";
    case MatchOp::kNotEqual: return "!=";
    case MatchOp::kRegexMatch: return "=~";
    case MatchOp::kRegexNoMatch: return "!~";
  }
  return "?";
}

// [start, end) of a matcher's text in the output.
struct MatcherPart {
  size_t start;
  size_t end;
};

inline std::string_view PartView(const char* base, const MatcherPart& p) {
  return std::string_view(base + p.start, p.end - p.start);
}

// PartView(base, a) < PartView(base, b), deciding on the first eight bytes
// when they differ (they usually do: they hold the label name).
inline bool PartLess(const char* base, const MatcherPart& a, const MatcherPart& b) {
  const size_t na = a.end - a.start;
  const size_t nb = b.end - b.start;
  if (na >= 8 && nb >= 8) {
    uint64_t x, y;
    std::memcpy(&x, base + a.start, 8);
    std::memcpy(&y, base + b.start, 8);
    if (x != y) return __builtin_bswap64(x) < __builtin_bswap64(y);
  }
  return PartView(base, a) < PartView(base, b);
}

// Rewrites the matchers written from `open` on in the order of their text
// (common: the injected matcher lands before a user's `url="..."`).
void SortMatchers(size_t open, MatcherPart* parts, size_t np, Out& out) {
  const size_t n = out.size() - open;
  char stack_buf[1024];
  std::string heap_buf;
  char* base = stack_buf;
  if (n > sizeof(stack_buf)) {
    heap_buf.resize(n);
    base = heap_buf.data();
  }
  std::memcpy(base, out.data() + open, n);
  for (size_t i = 0; i < np; ++i) {
    parts[i].start -= open;
    parts[i].end -= open;
  }
  auto less = [base](const MatcherPart& a, const MatcherPart& b) { return PartLess(base, a, b); };
  if (np <= 32) {
    // Insertion sort: stable, and without stable_sort's temporary buffer.
    for (size_t i = 1; i < np; ++i) {
      const MatcherPart p = parts[i];
      size_t j = i;
      for (; j > 0 && less(p, parts[j - 1]); --j) parts[j] = parts[j - 1];
      parts[j] = p;
    }
  } else {
    std::stable_sort(parts, parts + np, less);
  }
  out.Truncate(open);
  for (size_t i = 0; i < np; ++i) {
    out.Char(i == 0 ? '{' : ',');
    out.Str(PartView(base, parts[i]));
  }
}

// name{matchers} without modifiers.
void SelectorBodyTo(const VectorSelector& vs, Out& out) {
  static constexpr std::string_view kMetricName = "__name__";
  out.Str(vs.name);
  // Each matcher is written in place, `{a="1",b="2"`, its [start, end)
  // recorded; Prometheus sorts matchers by their text, so when they are not
  // in order already they are rewritten from a copy of the region.
  MatcherPart stack_parts[16];
  std::vector<MatcherPart> heap_parts;
  MatcherPart* parts = stack_parts;
  if (vs.matchers.size() > 16) {
    heap_parts.resize(vs.matchers.size());
    parts = heap_parts.data();
  }
  size_t np = 0;
  const size_t open = out.size();
  for (const LabelMatcher& m : vs.matchers) {
    if (m.op == MatchOp::kEqual && m.name == kMetricName && m.value == vs.name && !m.value.empty()) {
      continue;
    }
    out.Char(np == 0 ? '{' : ',');
    const size_t start = out.size();
    if (internal::IsLegacyLabelName(m.name)) {
      out.Str(m.name);
    } else {
      QuoteTo(m.name, out);
    }
    out.Str(MatchOpText(m.op));
    QuoteTo(m.value, out);
    parts[np++] = {start, out.size()};
  }
  if (np == 0) return;
  for (size_t i = 1; i < np; ++i) {
    if (PartLess(out.data(), parts[i], parts[i - 1])) {
      SortMatchers(open, parts, np, out);
      break;
    }
  }
  out.Char('}');
}

void AggregateHeadTo(const Aggregate& a, Out& out) {
  out.Str(AggregateOpName(a.op));
  if (a.without) {
    out.Str(" without (");
    LabelsTo(a.grouping, out);
    out.Str(") ");
  } else if (!a.grouping.empty()) {
    out.Str(" by (");
    LabelsTo(a.grouping, out);
    out.Str(") ");
  }
}

void BinaryModifiersTo(const Binary& b, Out& out) {
  if (b.return_bool) out.Str(" bool");
  if (!b.has_matching) return;
  const VectorMatching& vm = b.matching;
  bool grouped = vm.card == Cardinality::kManyToOne || vm.card == Cardinality::kOneToMany;
  if (!vm.matching_labels.empty() || vm.on || grouped) {
    out.Str(vm.on ? " on (" : " ignoring (");
    LabelsTo(vm.matching_labels, out);
    out.Char(')');
  }
  if (grouped) {
    out.Str(vm.card == Cardinality::kManyToOne ? " group_left (" : " group_right (");
    LabelsTo(vm.include, out);
    out.Char(')');
  }
}

void SubquerySuffixTo(const Subquery& s, Out& out) {
  out.Char('[');
  RangeTo(s.range_ns, s.range_expr, out);
  out.Char(':');
  if (s.step_ns != 0 || s.step_expr != nullptr) RangeTo(s.step_ns, s.step_expr, out);
  out.Char(']');
  AtTo(s.modifiers, out);
  OffsetTo(s.modifiers, out);
}

void FormatTo(const Expr& e, Out& out) {
  switch (e.kind) {
    case NodeKind::kNumberLiteral: {
      const auto& n = e.As<NumberLiteral>();
      NumberTo(n.value, n.is_duration, out);
      return;
    }
    case NodeKind::kStringLiteral:
      QuoteTo(e.As<StringLiteral>().value, out);
      return;
    case NodeKind::kVectorSelector: {
      const auto& vs = e.As<VectorSelector>();
      SelectorBodyTo(vs, out);
      AtTo(vs.modifiers, out);
      ExtendedRangeTo(vs, out);
      OffsetTo(vs.modifiers, out);
      return;
    }
    case NodeKind::kMatrixSelector: {
      const auto& m = e.As<MatrixSelector>();
      SelectorBodyTo(*m.selector, out);
      out.Char('[');
      RangeTo(m.range_ns, m.range_expr, out);
      out.Char(']');
      ExtendedRangeTo(*m.selector, out);
      AtTo(m.selector->modifiers, out);
      OffsetTo(m.selector->modifiers, out);
      return;
    }
    case NodeKind::kSubquery: {
      const auto& s = e.As<Subquery>();
      FormatTo(*s.expr, out);
      SubquerySuffixTo(s, out);
      return;
    }
    case NodeKind::kCall: {
      const auto& c = e.As<Call>();
      out.Str(c.function->name);
      out.Char('(');
      for (size_t i = 0; i < c.args.size(); ++i) {
        if (i > 0) out.Str(", ");
        FormatTo(*c.args[i], out);
      }
      out.Char(')');
      return;
    }
    case NodeKind::kAggregate: {
      const auto& a = e.As<Aggregate>();
      AggregateHeadTo(a, out);
      out.Char('(');
      if (a.param != nullptr) {
        FormatTo(*a.param, out);
        out.Str(", ");
      }
      FormatTo(*a.expr, out);
      out.Char(')');
      return;
    }
    case NodeKind::kBinary: {
      const auto& b = e.As<Binary>();
      FormatTo(*b.lhs, out);
      out.Char(' ');
      out.Str(BinaryOpName(b.op));
      BinaryModifiersTo(b, out);
      out.Char(' ');
      FormatTo(*b.rhs, out);
      return;
    }
    case NodeKind::kUnary: {
      const auto& u = e.As<Unary>();
      out.Char(u.negate ? '-' : '+');
      FormatTo(*u.expr, out);
      return;
    }
    case NodeKind::kParen:
      out.Char('(');
      FormatTo(*e.As<Paren>().expr, out);
      out.Char(')');
      return;
  }
}

// DurationExpr.writeTo(). Recursion is as deep as the expression, which
// the parser bounds by max_depth.
void FormatTo(const DurationExpr& d, Out& out) {
  if (d.wrapped) out.Char('(');
  std::string_view op;
  switch (d.op) {
    case DurationOp::kLiteral:
      NumberTo(d.seconds, d.is_duration, out);
      break;
    case DurationOp::kStep:
      out.Str("step()");
      break;
    case DurationOp::kMin:
    case DurationOp::kMax:
      out.Str(d.op == DurationOp::kMin ? "min(" : "max(");
      if (d.lhs != nullptr) FormatTo(*d.lhs, out);
      out.Str(", ");
      if (d.rhs != nullptr) FormatTo(*d.rhs, out);
      out.Char(')');
      break;
    case DurationOp::kNegate:
      out.Char('-');
      if (d.rhs != nullptr) FormatTo(*d.rhs, out);
      break;
    case DurationOp::kAdd: op = " + "; break;
    case DurationOp::kSub: op = " - "; break;
    case DurationOp::kMul: op = " * "; break;
    case DurationOp::kDiv: op = " / "; break;
    case DurationOp::kMod: op = " % "; break;
    case DurationOp::kPow: op = " ^ "; break;
  }
  if (!op.empty()) {
    if (d.lhs != nullptr) FormatTo(*d.lhs, out);
    out.Str(op);
    if (d.rhs != nullptr) FormatTo(*d.rhs, out);
  }
  if (d.wrapped) out.Char(')');
}

}  // namespace

namespace internal {

void AppendAggregateHead(const Aggregate& a, std::string* out) {
  Out o(out);
  AggregateHeadTo(a, o);
}

void AppendBinaryModifiers(const Binary& b, std::string* out) {
  Out o(out);
  BinaryModifiersTo(b, o);
}

void AppendSubquerySuffix(const Subquery& s, std::string* out) {
  Out o(out);
  SubquerySuffixTo(s, o);
}

}  // namespace internal

void AppendFormat(const Expr& e, std::string* out) {
  Out o(out);
  FormatTo(e, o);
}

void AppendFormat(const DurationExpr& d, std::string* out) {
  Out o(out);
  FormatTo(d, o);
}

std::string Format(const DurationExpr& expr) {
  std::string out;
  AppendFormat(expr, &out);
  return out;
}

std::string Format(const Expr& expr) {
  std::string out;
  // Canonical text is about as long as the query it was parsed from.
  const size_t written = expr.span.end > expr.span.start ? expr.span.end - expr.span.start : 0;
  out.reserve(written + written / 4 + 32);
  AppendFormat(expr, &out);
  return out;
}

}  // namespace obsv::promql
