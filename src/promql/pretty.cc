// The pretty printer: Prometheus's Prettify() (promql/parser/prettier.go),
// byte for byte.
//
// Every node that prints (as String()) in at most kMaxCharactersPerLine
// bytes is written on one line, indented two spaces per level; a longer one
// is split:
//
//   aggregation   `sum by (job) (` / param `,` / expr / `)`, children at level+1
//   call          `rate(` / args joined by `,\n` / `)`, args at level+1
//   paren         `(` / expr / `)`, expr at level+1
//   binary        lhs at level+1 / operator and modifiers at level / rhs at level+1
//   subquery      expr at the same level, then `[range:step] @ offset`
//   unary         the sign, then the operand's pretty form with its leading
//                 indentation trimmed
//
// Two quirks of prettier.go are kept on purpose, since the point is to print
// what Prometheus prints: a binary expression that is split writes no
// indentation of its own (its operands carry level+1), and a subquery that
// fits on a line is written without indentation.
#include <cstddef>
#include <string>
#include <string_view>

#include "obsv/promql.h"
#include "promql/printer.h"

namespace obsv::promql {
namespace {

// prettier.go's maxCharactersPerLine.
constexpr size_t kMaxCharactersPerLine = 100;

void AppendIndent(int level, std::string* out) {
  out->append(static_cast<size_t>(level) * 2, ' ');
}

// The length of Format(e), or any value above `limit` once it is known to
// exceed it. Visits at most about `limit` nodes, since every node prints at
// least one byte: this keeps Pretty() linear instead of formatting every
// subtree again at every level.
size_t FormatLengthUpTo(const Expr& e, size_t limit, std::string* scratch) {
  switch (e.kind) {
    case NodeKind::kNumberLiteral:
    case NodeKind::kStringLiteral:
    case NodeKind::kVectorSelector:
    case NodeKind::kMatrixSelector:
      scratch->clear();
      AppendFormat(e, scratch);
      return scratch->size();
    case NodeKind::kSubquery: {
      const auto& s = e.As<Subquery>();
      size_t n = FormatLengthUpTo(*s.expr, limit, scratch);
      if (n > limit) return n;
      scratch->clear();
      internal::AppendSubquerySuffix(s, scratch);
      return n + scratch->size();
    }
    case NodeKind::kCall: {
      const auto& c = e.As<Call>();
      size_t n = c.function->name.size() + 2;  // name()
      for (size_t i = 0; i < c.args.size(); ++i) {
        if (i > 0) n += 2;  // ", "
        if (n > limit) break;
        n += FormatLengthUpTo(*c.args[i], limit - n, scratch);
      }
      return n;
    }
    case NodeKind::kAggregate: {
      const auto& a = e.As<Aggregate>();
      scratch->clear();
      internal::AppendAggregateHead(a, scratch);
      size_t n = scratch->size() + 2;  // head()
      if (a.param != nullptr && n <= limit) {
        n += FormatLengthUpTo(*a.param, limit - n, scratch) + 2;  // "param, "
      }
      if (n <= limit) n += FormatLengthUpTo(*a.expr, limit - n, scratch);
      return n;
    }
    case NodeKind::kBinary: {
      const auto& b = e.As<Binary>();
      scratch->clear();
      internal::AppendBinaryModifiers(b, scratch);
      size_t n = BinaryOpName(b.op).size() + scratch->size() + 2;  // " op mods "
      if (n <= limit) n += FormatLengthUpTo(*b.lhs, limit - n, scratch);
      if (n <= limit) n += FormatLengthUpTo(*b.rhs, limit - n, scratch);
      return n;
    }
    case NodeKind::kUnary:
      return 1 + FormatLengthUpTo(*e.As<Unary>().expr, limit > 0 ? limit - 1 : 0, scratch);
    case NodeKind::kParen:
      return 2 + FormatLengthUpTo(*e.As<Paren>().expr, limit > 1 ? limit - 2 : 0, scratch);
  }
  return 0;
}

// prettier.go's needsSplit(): String() is longer than a line.
bool NeedsSplit(const Expr& e, std::string* scratch) {
  return FormatLengthUpTo(e, kMaxCharactersPerLine, scratch) > kMaxCharactersPerLine;
}

// Appends the pretty form of `e` at `level` (Node.Pretty(level)).
void AppendPrettyAt(const Expr& e, int level, std::string* scratch, std::string* out) {
  switch (e.kind) {
    case NodeKind::kNumberLiteral:
    case NodeKind::kStringLiteral:
    case NodeKind::kVectorSelector:
    case NodeKind::kMatrixSelector:
      AppendIndent(level, out);
      AppendFormat(e, out);
      return;
    case NodeKind::kSubquery: {
      const auto& s = e.As<Subquery>();
      if (!NeedsSplit(e, scratch)) {
        AppendFormat(e, out);  // no indentation, as in prettier.go
        return;
      }
      AppendPrettyAt(*s.expr, level, scratch, out);
      internal::AppendSubquerySuffix(s, out);
      return;
    }
    case NodeKind::kCall: {
      AppendIndent(level, out);
      if (!NeedsSplit(e, scratch)) {
        AppendFormat(e, out);
        return;
      }
      const auto& c = e.As<Call>();
      out->append(c.function->name);
      out->append("(\n");
      for (size_t i = 0; i < c.args.size(); ++i) {
        if (i > 0) out->append(",\n");
        AppendPrettyAt(*c.args[i], level + 1, scratch, out);
      }
      out->push_back('\n');
      AppendIndent(level, out);
      out->push_back(')');
      return;
    }
    case NodeKind::kAggregate: {
      AppendIndent(level, out);
      if (!NeedsSplit(e, scratch)) {
        AppendFormat(e, out);
        return;
      }
      const auto& a = e.As<Aggregate>();
      internal::AppendAggregateHead(a, out);
      out->append("(\n");
      if (a.param != nullptr) {
        AppendPrettyAt(*a.param, level + 1, scratch, out);
        out->append(",\n");
      }
      AppendPrettyAt(*a.expr, level + 1, scratch, out);
      out->push_back('\n');
      AppendIndent(level, out);
      out->push_back(')');
      return;
    }
    case NodeKind::kBinary: {
      if (!NeedsSplit(e, scratch)) {
        AppendIndent(level, out);
        AppendFormat(e, out);
        return;
      }
      const auto& b = e.As<Binary>();
      AppendPrettyAt(*b.lhs, level + 1, scratch, out);
      out->push_back('\n');
      AppendIndent(level, out);
      out->append(BinaryOpName(b.op));
      internal::AppendBinaryModifiers(b, out);
      out->push_back('\n');
      AppendPrettyAt(*b.rhs, level + 1, scratch, out);
      return;
    }
    case NodeKind::kUnary: {
      const auto& u = e.As<Unary>();
      AppendIndent(level, out);
      out->push_back(u.negate ? '-' : '+');
      // The operand's own indentation is trimmed (strings.TrimSpace): it
      // starts right after the sign. It never ends in white space.
      size_t start = out->size();
      AppendPrettyAt(*u.expr, level, scratch, out);
      size_t skip = start;
      while (skip < out->size() && ((*out)[skip] == ' ' || (*out)[skip] == '\n' ||
                                    (*out)[skip] == '\t' || (*out)[skip] == '\r' ||
                                    (*out)[skip] == '\v' || (*out)[skip] == '\f')) {
        ++skip;
      }
      out->erase(start, skip - start);
      return;
    }
    case NodeKind::kParen: {
      AppendIndent(level, out);
      if (!NeedsSplit(e, scratch)) {
        AppendFormat(e, out);
        return;
      }
      out->append("(\n");
      AppendPrettyAt(*e.As<Paren>().expr, level + 1, scratch, out);
      out->push_back('\n');
      AppendIndent(level, out);
      out->push_back(')');
      return;
    }
  }
}

}  // namespace

void AppendPretty(const Expr& expr, std::string* out) {
  std::string scratch;
  AppendPrettyAt(expr, 0, &scratch, out);
}

std::string Pretty(const Expr& expr) {
  std::string out;
  AppendPretty(expr, &out);
  return out;
}

}  // namespace obsv::promql
