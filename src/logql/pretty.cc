// The pretty printer: Loki v3's Prettify() (pkg/logql/syntax prettier.go,
// and MultiVariantExpr.Pretty in ast.go), which is what
// /loki/api/v1/format_query returns. A node whose String() fits in 100
// bytes is its String(), indented; a longer one is split over lines.
#include <string>
#include <vector>

#include "common/go_strconv.h"
#include "common/str_cat.h"
#include "logql/printer.h"
#include "obsv/logql.h"

namespace obsv::logql {
namespace internal {
namespace {

using obsv::internal::AppendGoQuote;
using obsv::internal::StrAppend;

constexpr size_t kMaxCharsPerLine = 100;

void Indent(int level, std::string* out) { out->append(static_cast<size_t>(level) * 2, ' '); }

template <typename F>
std::string Printed(F&& f) {
  std::string s;
  f(&s);
  return s;
}

void AppendPretty(const Expr& e, int level, std::string* out);

// Grouping.Pretty(): ` by (a, b)`, ` without (a)`, ` without`, or nothing
// for `by ()`.
void AppendGroupingPretty(const Grouping& g, std::string* out) {
  if (g.without) {
    out->append(" without");
  } else if (!g.labels.empty()) {
    out->append(" by");
  }
  if (!g.labels.empty()) {
    out->append(" (");
    for (size_t i = 0; i < g.labels.size(); ++i) StrAppend(out, i ? ", " : "", g.labels[i]);
    out->push_back(')');
  }
}

// A run of line-filter stages is one LineFilterExpr in Loki, chained by
// Left. Pretty() of the chain ending at `last`: on one line if it fits,
// else the chain before it, then this filter alone on its own line, and
// then (a quirk of LineFilterExpr.Pretty) without its `or` alternatives.
void AppendLineFilterChain(const List<Stage>& stages, size_t first, size_t last, int level,
                           std::string* out) {
  std::string one;
  for (size_t i = first; i <= last; ++i) {
    if (i > first) one.push_back(' ');
    AppendStage(stages[i], &one);
  }
  if (one.size() <= kMaxCharsPerLine) {
    Indent(level, out);
    out->append(one);
    return;
  }
  if (last > first) {
    AppendLineFilterChain(stages, first, last - 1, level, out);
    out->push_back('\n');
  }
  Indent(level, out);
  Arena scratch;  // Pretty() is not on a hot path
  Stage alone;
  alone.kind = StageKind::kLineFilter;
  alone.line_filter.match = stages[last].line_filter.match;
  if (!stages[last].line_filter.operands.empty()) {
    alone.line_filter.operands.push_back(scratch, stages[last].line_filter.operands[0]);
  }
  AppendStage(alone, out);
}

void AppendLogSelectorPretty(const LogSelectorExpr& e, int level, std::string* out) {
  std::string one = Printed([&](std::string* s) { AppendLogSelector(e, s); });
  if (e.pipeline.empty() || one.size() <= kMaxCharsPerLine) {
    Indent(level, out);
    out->append(one);
    return;
  }
  Indent(level, out);
  LogSelectorExpr bare;
  bare.selector = e.selector;
  AppendLogSelector(bare, out);
  out->push_back('\n');
  for (size_t i = 0; i < e.pipeline.size();) {
    if (i > 0) out->push_back('\n');
    if (e.pipeline[i].kind == StageKind::kLineFilter) {
      size_t j = i;
      while (j + 1 < e.pipeline.size() && e.pipeline[j + 1].kind == StageKind::kLineFilter) ++j;
      AppendLineFilterChain(e.pipeline, i, j, level + 1, out);
      i = j + 1;
      continue;
    }
    // DecolorizeExpr.Pretty() ignores the level.
    if (e.pipeline[i].kind != StageKind::kDecolorize) Indent(level + 1, out);
    AppendStage(e.pipeline[i], out);
    ++i;
  }
}

void AppendLogRangePretty(const LogRange& r, int level, std::string* out) {
  if (r.log) AppendLogSelectorPretty(*r.log, level, out);
  if (r.has_unwrap) {
    out->push_back('\n');
    Indent(level + 1, out);
    std::string u = Printed([&](std::string* s) {
      UnwrapExpr bare;
      bare.label = r.unwrap.label;
      bare.conversion = r.unwrap.conversion;
      AppendUnwrap(bare, s);
    });
    out->append(u, 1, std::string::npos);  // without String()'s leading space
    for (const LabelFilter* f : r.unwrap.post_filters) {
      out->push_back('\n');
      Indent(level + 1, out);
      out->append("| ");
      if (f) AppendLabelFilter(*f, out);
    }
  }
  out->append(" [");
  obsv::internal::AppendDuration(r.range_ns, out);
  out->push_back(']');
  // OffsetExpr.Pretty() prints model.Duration, which is empty when negative.
  if (r.offset_ns != 0) {
    out->append(" offset ");
    if (r.offset_ns > 0) obsv::internal::AppendDuration(r.offset_ns, out);
  }
}

void AppendPretty(const Expr& e, int level, std::string* out) {
  std::string one = Format(e);
  bool split = one.size() > kMaxCharsPerLine;
  switch (e.kind) {
    case NodeKind::kLogSelector:
      AppendLogSelectorPretty(e.As<LogSelectorExpr>(), level, out);
      return;
    case NodeKind::kLiteral:
    case NodeKind::kVector:
      Indent(level, out);
      out->append(one);
      return;
    case NodeKind::kRangeAggregation: {
      Indent(level, out);
      if (!split) break;
      const auto& r = e.As<RangeAggregationExpr>();
      StrAppend(out, RangeOpName(r.op), "(\n");
      if (r.has_param) {
        Indent(level + 1, out);
        AppendGoFloatG(r.param, out);
        out->append(",\n");
      }
      AppendLogRangePretty(r.range, level + 1, out);
      out->push_back('\n');
      Indent(level, out);
      out->push_back(')');
      if (r.has_grouping) AppendGroupingPretty(r.grouping, out);
      return;
    }
    case NodeKind::kVectorAggregation: {
      Indent(level, out);
      if (!split) break;
      const auto& v = e.As<VectorAggregationExpr>();
      out->append(VectorOpName(v.op));
      AppendGroupingPretty(v.grouping, out);
      out->append("(\n");
      if (v.op == VectorOp::kTopk || v.op == VectorOp::kBottomk || v.param != 0) {
        Indent(level + 1, out);
        StrAppend(out, v.param, ",\n");
      }
      if (v.expr) AppendPretty(*v.expr, level + 1, out);
      out->push_back('\n');
      Indent(level, out);
      out->push_back(')');
      return;
    }
    case NodeKind::kBinary: {
      if (!split) {
        Indent(level, out);
        break;
      }
      const auto& b = e.As<BinaryExpr>();
      const BinaryModifiers& m = b.modifiers;
      if (b.lhs) AppendPretty(*b.lhs, level + 1, out);
      out->push_back('\n');
      Indent(level, out);
      // formatBinaryOp: labels joined by ", ", `on ()` not written.
      out->append(BinaryOpName(b.op));
      if (m.return_bool) out->append(" bool");
      if (!m.matching_labels.empty()) {
        StrAppend(out, m.on ? " on (" : " ignoring (");
        for (size_t i = 0; i < m.matching_labels.size(); ++i) {
          StrAppend(out, i ? ", " : "", m.matching_labels[i]);
        }
        out->append(") ");
        if (m.card == Cardinality::kManyToOne) out->append("group_left");
        if (m.card == Cardinality::kOneToMany) out->append("group_right");
        if (!m.include.empty()) {
          out->append(" (");
          for (size_t i = 0; i < m.include.size(); ++i) StrAppend(out, i ? ", " : "", m.include[i]);
          out->push_back(')');
        }
      }
      out->push_back('\n');
      if (b.rhs) AppendPretty(*b.rhs, level + 1, out);
      return;
    }
    case NodeKind::kLabelReplace: {
      Indent(level, out);
      if (!split) break;
      const auto& l = e.As<LabelReplaceExpr>();
      out->append("label_replace(\n");
      if (l.expr) AppendPretty(*l.expr, level + 1, out);
      for (const std::string_view* s : {&l.dst, &l.replacement, &l.src, &l.regex}) {
        out->append(",\n");
        Indent(level + 1, out);
        AppendGoQuote(*s, out);
      }
      out->push_back('\n');
      Indent(level, out);
      out->push_back(')');
      return;
    }
    case NodeKind::kVariants: {
      // MultiVariantExpr.Pretty(): always split, and its closing line is
      // the indentation, a newline and `)`.
      const auto& v = e.As<VariantsExpr>();
      Indent(level, out);
      out->append("variants(\n");
      for (size_t i = 0; i < v.variants.size(); ++i) {
        if (v.variants[i]) AppendPretty(*v.variants[i], level + 1, out);
        if (i + 1 < v.variants.size()) out->push_back(',');
        out->push_back('\n');
      }
      Indent(level, out);
      out->append(") of (\n");
      AppendLogRangePretty(v.range, level + 1, out);
      Indent(level, out);
      out->append("\n)");
      return;
    }
  }
  out->append(one);
}

}  // namespace
}  // namespace internal

void AppendPretty(const Expr& expr, std::string* out) { internal::AppendPretty(expr, 0, out); }

std::string Pretty(const Expr& expr) {
  std::string out;
  internal::AppendPretty(expr, 0, &out);
  return out;
}

}  // namespace obsv::logql
