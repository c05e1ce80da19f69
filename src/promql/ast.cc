// The PromQL AST: names, types and the test dump.
#include <cstddef>
#include <cstdint>
#include <new>
#include <string>

#include "common/node_cache.h"
#include "common/str_cat.h"
#include "obsv/promql.h"

namespace obsv::promql {

using internal::StrAppend;

Expr::~Expr() = default;

// Nodes come from the per-thread cache of common/node_cache.h.
void* Expr::operator new(std::size_t size) { return obsv::internal::NodeAlloc(size); }

void Expr::operator delete(void* p, std::size_t size) noexcept { obsv::internal::NodeFree(p, size); }

std::string_view ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kNone: return "none";
    case ValueType::kScalar: return "scalar";
    case ValueType::kVector: return "instant vector";
    case ValueType::kMatrix: return "range vector";
    case ValueType::kString: return "string";
  }
  return "none";
}

std::string_view BinaryOpName(BinaryOp op) {
  switch (op) {
    case BinaryOp::kAdd: return "+";
    case BinaryOp::kSub: return "-";
    case BinaryOp::kMul: return "*";
    case BinaryOp::kDiv: return "/";
    case BinaryOp::kMod: return "%";
    case BinaryOp::kPow: return "^";
    case BinaryOp::kAtan2: return "atan2";
    case BinaryOp::kEqlc: return "==";
    case BinaryOp::kNeq: return "!=";
    case BinaryOp::kGtr: return ">";
    case BinaryOp::kLss: return "<";
    case BinaryOp::kGte: return ">=";
    case BinaryOp::kLte: return "<=";
    case BinaryOp::kAnd: return "and";
    case BinaryOp::kOr: return "or";
    case BinaryOp::kUnless: return "unless";
  }
  return "?";
}

std::string_view AggregateOpName(AggregateOp op) {
  switch (op) {
    case AggregateOp::kSum: return "sum";
    case AggregateOp::kAvg: return "avg";
    case AggregateOp::kCount: return "count";
    case AggregateOp::kMin: return "min";
    case AggregateOp::kMax: return "max";
    case AggregateOp::kGroup: return "group";
    case AggregateOp::kStddev: return "stddev";
    case AggregateOp::kStdvar: return "stdvar";
    case AggregateOp::kTopk: return "topk";
    case AggregateOp::kBottomk: return "bottomk";
    case AggregateOp::kCountValues: return "count_values";
    case AggregateOp::kQuantile: return "quantile";
    case AggregateOp::kLimitk: return "limitk";
    case AggregateOp::kLimitRatio: return "limit_ratio";
  }
  return "?";
}

std::string_view MatchOpName(MatchOp op) {
  switch (op) {
    case MatchOp::kEqual: return "=";
    case MatchOp::kNotEqual: return "!=";
    case MatchOp::kRegexMatch: return "=~";
    case MatchOp::kRegexNoMatch: return "!~";
  }
  return "?";
}

bool AggregateTakesParam(AggregateOp op) {
  switch (op) {
    case AggregateOp::kTopk:
    case AggregateOp::kBottomk:
    case AggregateOp::kCountValues:
    case AggregateOp::kQuantile:
    case AggregateOp::kLimitk:
    case AggregateOp::kLimitRatio:
      return true;
    case AggregateOp::kSum:
    case AggregateOp::kAvg:
    case AggregateOp::kCount:
    case AggregateOp::kMin:
    case AggregateOp::kMax:
    case AggregateOp::kGroup:
    case AggregateOp::kStddev:
    case AggregateOp::kStdvar:
      return false;
  }
  return false;
}

ValueType Expr::type() const {
  switch (kind) {
    case NodeKind::kNumberLiteral: return ValueType::kScalar;
    case NodeKind::kStringLiteral: return ValueType::kString;
    case NodeKind::kVectorSelector: return ValueType::kVector;
    case NodeKind::kMatrixSelector: return ValueType::kMatrix;
    case NodeKind::kSubquery: return ValueType::kMatrix;
    case NodeKind::kCall: {
      const FunctionInfo* f = As<Call>().function;
      return f != nullptr ? f->return_type : ValueType::kNone;
    }
    case NodeKind::kAggregate: return ValueType::kVector;
    case NodeKind::kBinary: {
      const Binary& b = As<Binary>();
      if (b.lhs == nullptr || b.rhs == nullptr) return ValueType::kNone;
      if (b.lhs->type() == ValueType::kScalar && b.rhs->type() == ValueType::kScalar) {
        return ValueType::kScalar;
      }
      return ValueType::kVector;
    }
    case NodeKind::kUnary: {
      const Unary& u = As<Unary>();
      return u.expr != nullptr ? u.expr->type() : ValueType::kNone;
    }
    case NodeKind::kParen: {
      const Paren& p = As<Paren>();
      return p.expr != nullptr ? p.expr->type() : ValueType::kNone;
    }
  }
  return ValueType::kNone;
}

namespace {

void DumpTo(const Expr* e, std::string* out);

void DumpModifiers(const TimeModifiers& m, std::string* out) {
  if (m.offset_ns != 0) StrAppend(out, " offset=", m.offset_ns, "ns");
  if (m.offset_expr != nullptr) StrAppend(out, " offset=(", Format(*m.offset_expr), ")");
  switch (m.at) {
    case AtKind::kNone: break;
    case AtKind::kTimestamp: StrAppend(out, " @", m.at_ms, "ms"); break;
    case AtKind::kStart: StrAppend(out, " @start"); break;
    case AtKind::kEnd: StrAppend(out, " @end"); break;
  }
}

void DumpTo(const Expr* e, std::string* out) {
  if (e == nullptr) {
    out->append("null");
    return;
  }
  switch (e->kind) {
    case NodeKind::kNumberLiteral: {
      const auto& n = e->As<NumberLiteral>();
      StrAppend(out, "(number ", Format(n), n.is_duration ? " duration)" : ")");
      return;
    }
    case NodeKind::kStringLiteral:
      StrAppend(out, "(string ", Format(*e), ")");
      return;
    case NodeKind::kVectorSelector: {
      const auto& v = e->As<VectorSelector>();
      StrAppend(out, "(selector ", v.name);
      for (const LabelMatcher& m : v.matchers) {
        StrAppend(out, " [", m.name, " ", MatchOpName(m.op), " ", m.value, "]");
      }
      DumpModifiers(v.modifiers, out);
      if (v.anchored) out->append(" anchored");
      if (v.smoothed) out->append(" smoothed");
      out->push_back(')');
      return;
    }
    case NodeKind::kMatrixSelector: {
      const auto& m = e->As<MatrixSelector>();
      StrAppend(out, "(matrix ", m.range_ns, "ns ");
      if (m.range_expr != nullptr) StrAppend(out, "(", Format(*m.range_expr), ") ");
      DumpTo(m.selector.get(), out);
      out->push_back(')');
      return;
    }
    case NodeKind::kSubquery: {
      const auto& s = e->As<Subquery>();
      StrAppend(out, "(subquery ", s.range_ns, "ns:", s.step_ns, "ns");
      if (s.range_expr != nullptr) StrAppend(out, " range=(", Format(*s.range_expr), ")");
      if (s.step_expr != nullptr) StrAppend(out, " step=(", Format(*s.step_expr), ")");
      DumpModifiers(s.modifiers, out);
      out->push_back(' ');
      DumpTo(s.expr.get(), out);
      out->push_back(')');
      return;
    }
    case NodeKind::kCall: {
      const auto& c = e->As<Call>();
      StrAppend(out, "(call ", c.function != nullptr ? c.function->name : "?");
      for (const ExprPtr& a : c.args) {
        out->push_back(' ');
        DumpTo(a.get(), out);
      }
      out->push_back(')');
      return;
    }
    case NodeKind::kAggregate: {
      const auto& a = e->As<Aggregate>();
      StrAppend(out, "(aggregate ", AggregateOpName(a.op));
      if (a.without || !a.grouping.empty()) {
        StrAppend(out, a.without ? " without[" : " by[");
        for (size_t i = 0; i < a.grouping.size(); ++i) StrAppend(out, i ? "," : "", a.grouping[i]);
        out->push_back(']');
      }
      if (a.param != nullptr) {
        out->push_back(' ');
        DumpTo(a.param.get(), out);
      }
      out->push_back(' ');
      DumpTo(a.expr.get(), out);
      out->push_back(')');
      return;
    }
    case NodeKind::kBinary: {
      const auto& b = e->As<Binary>();
      StrAppend(out, "(binary ", BinaryOpName(b.op), b.return_bool ? " bool" : "");
      if (b.has_matching) {
        StrAppend(out, b.matching.on ? " on[" : " ignoring[");
        for (size_t i = 0; i < b.matching.matching_labels.size(); ++i) {
          StrAppend(out, i ? "," : "", b.matching.matching_labels[i]);
        }
        out->push_back(']');
        switch (b.matching.card) {
          case Cardinality::kOneToOne: break;
          case Cardinality::kManyToMany: out->append(" many-to-many"); break;
          case Cardinality::kManyToOne: out->append(" group_left"); break;
          case Cardinality::kOneToMany: out->append(" group_right"); break;
        }
      }
      out->push_back(' ');
      DumpTo(b.lhs.get(), out);
      out->push_back(' ');
      DumpTo(b.rhs.get(), out);
      out->push_back(')');
      return;
    }
    case NodeKind::kUnary: {
      const auto& u = e->As<Unary>();
      StrAppend(out, "(unary ", u.negate ? "-" : "+", " ");
      DumpTo(u.expr.get(), out);
      out->push_back(')');
      return;
    }
    case NodeKind::kParen:
      out->append("(paren ");
      DumpTo(e->As<Paren>().expr.get(), out);
      out->push_back(')');
      return;
  }
}

}  // namespace

LineColumn LineColumnAt(std::string_view text, uint32_t offset) {
  LineColumn at;
  for (uint32_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++at.line;
      at.column = 1;
    } else {
      ++at.column;
    }
  }
  return at;
}

std::string Dump(const Expr& expr) {
  std::string out;
  DumpTo(&expr, &out);
  return out;
}

}  // namespace obsv::promql
