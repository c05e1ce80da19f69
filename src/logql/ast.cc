// The LogQL AST: names of operators, the selector walk and a test dump.
#include <string>
#include <type_traits>
#include <vector>

#include "common/go_float.h"
#include "common/str_cat.h"
#include "logql/printer.h"
#include "obsv/logql.h"

namespace obsv::logql {

using obsv::internal::StrAppend;

// Trees are freed with their arena, never node by node.
static_assert(std::is_trivially_destructible_v<LogSelectorExpr> &&
              std::is_trivially_destructible_v<RangeAggregationExpr> &&
              std::is_trivially_destructible_v<VectorAggregationExpr> &&
              std::is_trivially_destructible_v<BinaryExpr> &&
              std::is_trivially_destructible_v<LiteralExpr> &&
              std::is_trivially_destructible_v<VectorExpr> &&
              std::is_trivially_destructible_v<LabelReplaceExpr> &&
              std::is_trivially_destructible_v<VariantsExpr> &&
              std::is_trivially_destructible_v<LabelFilter> && std::is_trivially_copyable_v<Stage>);

bool IsPositive(LineMatch m) {
  return m == LineMatch::kContains || m == LineMatch::kRegex || m == LineMatch::kPattern;
}

std::string_view RangeOpName(RangeOp op) {
  switch (op) {
    case RangeOp::kCountOverTime: return "count_over_time";
    case RangeOp::kRate: return "rate";
    case RangeOp::kRateCounter: return "rate_counter";
    case RangeOp::kBytesOverTime: return "bytes_over_time";
    case RangeOp::kBytesRate: return "bytes_rate";
    case RangeOp::kAvgOverTime: return "avg_over_time";
    case RangeOp::kSumOverTime: return "sum_over_time";
    case RangeOp::kMinOverTime: return "min_over_time";
    case RangeOp::kMaxOverTime: return "max_over_time";
    case RangeOp::kStdvarOverTime: return "stdvar_over_time";
    case RangeOp::kStddevOverTime: return "stddev_over_time";
    case RangeOp::kQuantileOverTime: return "quantile_over_time";
    case RangeOp::kFirstOverTime: return "first_over_time";
    case RangeOp::kLastOverTime: return "last_over_time";
    case RangeOp::kAbsentOverTime: return "absent_over_time";
  }
  return "";
}

std::string_view VectorOpName(VectorOp op) {
  switch (op) {
    case VectorOp::kSum: return "sum";
    case VectorOp::kAvg: return "avg";
    case VectorOp::kCount: return "count";
    case VectorOp::kMax: return "max";
    case VectorOp::kMin: return "min";
    case VectorOp::kStddev: return "stddev";
    case VectorOp::kStdvar: return "stdvar";
    case VectorOp::kBottomk: return "bottomk";
    case VectorOp::kTopk: return "topk";
    case VectorOp::kSort: return "sort";
    case VectorOp::kSortDesc: return "sort_desc";
    case VectorOp::kApproxTopk: return "approx_topk";
  }
  return "";
}

std::string_view BinaryOpName(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr: return "or";
    case BinaryOp::kAnd: return "and";
    case BinaryOp::kUnless: return "unless";
    case BinaryOp::kAdd: return "+";
    case BinaryOp::kSub: return "-";
    case BinaryOp::kMul: return "*";
    case BinaryOp::kDiv: return "/";
    case BinaryOp::kMod: return "%";
    case BinaryOp::kPow: return "^";
    case BinaryOp::kEq: return "==";
    case BinaryOp::kNeq: return "!=";
    case BinaryOp::kGt: return ">";
    case BinaryOp::kGte: return ">=";
    case BinaryOp::kLt: return "<";
    case BinaryOp::kLte: return "<=";
  }
  return "";
}

namespace {

template <typename Sel, typename E>
void CollectSelectors(E& expr, std::vector<Sel*>* out) {
  switch (expr.kind) {
    case NodeKind::kLogSelector:
      out->push_back(&expr.template As<LogSelectorExpr>().selector);
      return;
    case NodeKind::kRangeAggregation: {
      auto& r = expr.template As<RangeAggregationExpr>();
      if (r.range.log) out->push_back(&r.range.log->selector);
      return;
    }
    case NodeKind::kVectorAggregation: {
      auto& v = expr.template As<VectorAggregationExpr>();
      if (v.expr) CollectSelectors<Sel>(*v.expr, out);
      return;
    }
    case NodeKind::kBinary: {
      auto& b = expr.template As<BinaryExpr>();
      if (b.lhs) CollectSelectors<Sel>(*b.lhs, out);
      if (b.rhs) CollectSelectors<Sel>(*b.rhs, out);
      return;
    }
    case NodeKind::kLiteral:
    case NodeKind::kVector:
      return;
    case NodeKind::kLabelReplace: {
      auto& l = expr.template As<LabelReplaceExpr>();
      if (l.expr) CollectSelectors<Sel>(*l.expr, out);
      return;
    }
    case NodeKind::kVariants: {
      auto& v = expr.template As<VariantsExpr>();
      for (auto& e : v.variants) {
        if (e) CollectSelectors<Sel>(*e, out);
      }
      if (v.range.log) out->push_back(&v.range.log->selector);
      return;
    }
  }
}

void DumpRange(const LogRange& r, std::string* out) {
  StrAppend(out, "(range ");
  if (r.log) internal::AppendLogSelector(*r.log, out);
  if (r.has_unwrap) internal::AppendUnwrap(r.unwrap, out);
  StrAppend(out, " ", r.range_ns, "ns offset ", r.offset_ns, "ns)");
}

void DumpExpr(const Expr& e, std::string* out) {
  switch (e.kind) {
    case NodeKind::kLogSelector:
      StrAppend(out, "(log ");
      internal::AppendLogSelector(e.As<LogSelectorExpr>(), out);
      out->push_back(')');
      return;
    case NodeKind::kRangeAggregation: {
      const auto& r = e.As<RangeAggregationExpr>();
      StrAppend(out, "(", RangeOpName(r.op), " ");
      if (r.has_param) {
        internal::AppendGoFloatF(r.param, out);
        out->push_back(' ');
      }
      DumpRange(r.range, out);
      if (r.has_grouping) {
        StrAppend(out, r.grouping.without ? " without" : " by", " (");
        for (size_t i = 0; i < r.grouping.labels.size(); ++i) {
          StrAppend(out, i ? "," : "", r.grouping.labels[i]);
        }
        out->push_back(')');
      }
      out->push_back(')');
      return;
    }
    case NodeKind::kVectorAggregation: {
      const auto& v = e.As<VectorAggregationExpr>();
      StrAppend(out, "(", VectorOpName(v.op), v.grouping.without ? " without (" : " by (");
      for (size_t i = 0; i < v.grouping.labels.size(); ++i) {
        StrAppend(out, i ? "," : "", v.grouping.labels[i]);
      }
      StrAppend(out, ") ", v.param, " ");
      if (v.expr) DumpExpr(*v.expr, out);
      out->push_back(')');
      return;
    }
    case NodeKind::kBinary: {
      const auto& b = e.As<BinaryExpr>();
      StrAppend(out, "(binary ", BinaryOpName(b.op), b.modifiers.return_bool ? " bool" : "", " ");
      if (b.lhs) DumpExpr(*b.lhs, out);
      out->push_back(' ');
      if (b.rhs) DumpExpr(*b.rhs, out);
      out->push_back(')');
      return;
    }
    case NodeKind::kLiteral:
      StrAppend(out, "(literal ");
      internal::AppendGoFloatG(e.As<LiteralExpr>().value, out);
      out->push_back(')');
      return;
    case NodeKind::kVector:
      StrAppend(out, "(vector ");
      internal::AppendGoFloatG(e.As<VectorExpr>().value, out);
      out->push_back(')');
      return;
    case NodeKind::kLabelReplace: {
      const auto& l = e.As<LabelReplaceExpr>();
      StrAppend(out, "(label_replace ");
      if (l.expr) DumpExpr(*l.expr, out);
      StrAppend(out, " ", l.dst, " ", l.replacement, " ", l.src, " ", l.regex, ")");
      return;
    }
    case NodeKind::kVariants: {
      const auto& v = e.As<VariantsExpr>();
      StrAppend(out, "(variants");
      for (const auto& x : v.variants) {
        out->push_back(' ');
        if (x) DumpExpr(*x, out);
      }
      out->push_back(' ');
      DumpRange(v.range, out);
      out->push_back(')');
      return;
    }
  }
}

}  // namespace

std::vector<StreamSelector*> StreamSelectors(Expr& expr) {
  std::vector<StreamSelector*> out;
  CollectSelectors<StreamSelector>(expr, &out);
  return out;
}

std::vector<const StreamSelector*> StreamSelectors(const Expr& expr) {
  std::vector<const StreamSelector*> out;
  CollectSelectors<const StreamSelector>(expr, &out);
  return out;
}

std::string Dump(const Expr& expr) {
  std::string out;
  DumpExpr(expr, &out);
  return out;
}

}  // namespace obsv::logql
