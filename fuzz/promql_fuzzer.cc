// Fuzz target for the PromQL parser and printers (libFuzzer interface).
//
// The input is one query. It is parsed three ways: every feature on, the
// defaults, and every feature on with tiny budgets (max_depth 8, max_nodes
// 50). Properties:
//  - parsing never crashes, hangs, overflows the stack or reads out of
//    bounds (run under ASan), whatever the budgets;
//  - an error is clean: a known code, an offset inside the query, a
//    line:column, a message;
//  - what parses prints: Format() re-parses (same budgets, features on) to the
//    same Format() (a fixed point), and Pretty() re-parses to that Format()
//    too (except where Prometheus's own String() does not round-trip, see
//    NotAFixedPointInPrometheus()).
// Seeds: every query of tests/testdata/promql/{valid,generated,features,invalid,random}.txt
// (one file per query, written by fuzz/CMakeLists.txt), so that mutations
// start deep in the grammar; the standalone driver also splices them.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "obsv/promql.h"

namespace {

void Check(bool ok, const char* what, std::string_view query) {
  if (!ok) {
    std::fprintf(stderr, "fuzz property violated: %s\nquery: %.*s\n", what,
                 static_cast<int>(query.size()), query.data());
    std::abort();
  }
}

bool KnownCode(obsv::ParseErrorCode code) {
  using C = obsv::ParseErrorCode;
  return code == C::kSyntax || code == C::kUnterminatedString || code == C::kInvalidEscape ||
         code == C::kInvalidUtf8 || code == C::kInvalidValue || code == C::kInvalidName ||
         code == C::kLimitExceeded;
}

// Where Prometheus's String() itself does not round-trip, and we print
// what it prints: an infinity is written `+Inf`, and a sign binds looser
// than `^`, so `inf ^ -1` prints as `+Inf ^ -1`, which parses as
// `+(Inf ^ -1)` and prints as `++Inf ^ -1`.
// And `info(foo, {})`, printed `info(foo, )`; and an offset that is an
// operation written without parentheses (`foo
// offset - -1m + 1m`, the sign making it one duration expression) prints
// as `foo offset 1m + 1m`, which parses as a binary expression; and
// `-a offset +(1m) + b`, printed `-a offset (1m) + b`, which Prometheus
// refuses (see EndsInWrappedOffset()).
bool AmbiguousOffset(const obsv::promql::TimeModifiers& m) {
  using obsv::promql::DurationOp;
  if (m.offset_expr == nullptr || m.offset_expr->wrapped) return false;
  switch (m.offset_expr->op) {
    case DurationOp::kAdd:
    case DurationOp::kSub:
    case DurationOp::kMul:
    case DurationOp::kDiv:
    case DurationOp::kMod:
    case DurationOp::kPow:
      return true;
    case DurationOp::kLiteral:
    case DurationOp::kStep:
    case DurationOp::kMin:
    case DurationOp::kMax:
    case DurationOp::kNegate:
      return false;
  }
  return false;
}

// Whether e prints ending in `offset (...)`: Prometheus reads a `+` or
// `-` after it as more of the offset (`foo offset (1m) + b` is refused).
bool EndsInWrappedOffset(const obsv::promql::Expr& e) {
  using namespace obsv::promql;
  auto wrapped = [](const TimeModifiers& m) { return m.offset_expr != nullptr && m.offset_expr->wrapped; };
  switch (e.kind) {
    case NodeKind::kVectorSelector:
      return wrapped(e.As<VectorSelector>().modifiers);
    case NodeKind::kMatrixSelector:
      return wrapped(e.As<MatrixSelector>().selector->modifiers);
    case NodeKind::kSubquery:
      return wrapped(e.As<Subquery>().modifiers);
    case NodeKind::kUnary:
      return EndsInWrappedOffset(*e.As<Unary>().expr);
    case NodeKind::kBinary:
      return EndsInWrappedOffset(*e.As<Binary>().rhs);
    default:
      return false;
  }
}

// Recursion as deep as the tree, which the parser bounds by max_depth.
bool PrintsAmbiguously(const obsv::promql::Expr& e) {
  using namespace obsv::promql;
  switch (e.kind) {
    case NodeKind::kNumberLiteral:
    case NodeKind::kStringLiteral:
      return false;
    case NodeKind::kVectorSelector:
      return AmbiguousOffset(e.As<VectorSelector>().modifiers);
    case NodeKind::kMatrixSelector:
      return AmbiguousOffset(e.As<MatrixSelector>().selector->modifiers);
    case NodeKind::kSubquery:
      return AmbiguousOffset(e.As<Subquery>().modifiers) || PrintsAmbiguously(*e.As<Subquery>().expr);
    case NodeKind::kCall:
      for (const ExprPtr& a : e.As<Call>().args) {
        // info(foo, {}) prints as `info(foo, )`.
        if (a->kind == NodeKind::kVectorSelector && a->As<VectorSelector>().name.empty() &&
            a->As<VectorSelector>().matchers.empty()) {
          return true;
        }
        if (PrintsAmbiguously(*a)) return true;
      }
      return false;
    case NodeKind::kAggregate: {
      const auto& a = e.As<Aggregate>();
      return (a.param != nullptr && PrintsAmbiguously(*a.param)) || PrintsAmbiguously(*a.expr);
    }
    case NodeKind::kBinary: {
      const auto& b = e.As<Binary>();
      if ((b.op == BinaryOp::kAdd || b.op == BinaryOp::kSub) && EndsInWrappedOffset(*b.lhs)) return true;
      return PrintsAmbiguously(*b.lhs) || PrintsAmbiguously(*b.rhs);
    }
    case NodeKind::kUnary:
      return PrintsAmbiguously(*e.As<Unary>().expr);
    case NodeKind::kParen:
      return PrintsAmbiguously(*e.As<Paren>().expr);
  }
  return false;
}

// A range or step under a millisecond (`foo[1e-33]`, accepted) prints as
// `0s`, as Prometheus's model.Duration does, which it then refuses.
bool PrintsZeroRange(const std::string& format) {
  return format.find("[0s]") != std::string::npos || format.find("[0s:") != std::string::npos ||
         format.find(":0s]") != std::string::npos;
}

bool NotAFixedPointInPrometheus(const obsv::promql::Expr& e, const std::string& format) {
  return format.find("Inf") != std::string::npos || PrintsZeroRange(format) ||
         PrintsAmbiguously(e);
}

void CheckOne(std::string_view query, const obsv::promql::ParserOptions& options) {
  using obsv::promql::ExprPtr;
  ExprPtr expr;
  obsv::ParseError err = obsv::promql::Parse(query, options, &expr);
  if (!err.ok()) {
    Check(expr == nullptr, "output set on error", query);
    Check(KnownCode(err.code), "unknown error code", query);
    Check(err.offset <= query.size(), "error offset past the end", query);
    Check(err.line >= 1 && err.column >= 1, "error without line:column", query);
    Check(!err.message.empty(), "error without message", query);
    return;
  }
  Check(expr != nullptr, "no tree on success", query);
  const std::string format = obsv::promql::Format(*expr);
  const std::string pretty = obsv::promql::Pretty(*expr);

  if (NotAFixedPointInPrometheus(*expr, format)) return;
  // Prometheus's printer may write gated syntax for a tree parsed without
  // it (`foo offset +(step())` prints `foo offset (step())`): re-parse
  // with every feature on.
  obsv::promql::ParserOptions reparse = options;
  reparse.enable_experimental_functions = true;
  reparse.enable_duration_expressions = true;
  reparse.enable_extended_range_selectors = true;
  ExprPtr again;
  obsv::ParseError err2 = obsv::promql::Parse(format, reparse, &again);
  if (!err2.ok()) {
    std::fprintf(stderr, "Format() = %s\nerror: %s\n", format.c_str(), err2.message.c_str());
  }
  Check(err2.ok(), "Format() does not re-parse", query);
  Check(obsv::promql::Format(*again) == format, "Format() is not a fixed point", query);

  ExprPtr from_pretty;
  obsv::ParseError err3 = obsv::promql::Parse(pretty, reparse, &from_pretty);
  if (!err3.ok()) {
    std::fprintf(stderr, "Pretty() = %s\nerror: %s\n", pretty.c_str(), err3.message.c_str());
  }
  Check(err3.ok(), "Pretty() does not re-parse", query);
  Check(obsv::promql::Format(*from_pretty) == format, "Pretty() re-parses to another tree", query);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view query(reinterpret_cast<const char*>(data), size);
  obsv::promql::ParserOptions all;
  all.enable_experimental_functions = true;
  all.enable_duration_expressions = true;
  all.enable_extended_range_selectors = true;
  CheckOne(query, all);

  CheckOne(query, obsv::promql::ParserOptions());

  obsv::promql::ParserOptions tiny = all;
  tiny.max_depth = 8;
  tiny.max_nodes = 50;
  tiny.max_selectors = 8;
  tiny.max_matchers_per_selector = 4;
  tiny.max_query_bytes = 4096;
  CheckOne(query, tiny);
  return 0;
}

// PromQL tokens for the standalone driver's insertions (libFuzzer takes a
// -dict= file instead).
extern "C" const char* const* ObsvFuzzTokens(size_t* count) {
  static const char* const kTokens[] = {
      "(", ")", "[", "]", "{", "}", ",", ":", "\"", "'", "`", "\\", " ", "\n", "#",
      "+", "-", "*", "/", "%", "^", "==", "!=", "=~", "!~", ">=", "<", "@",
      " offset ", " by (", " without (", " on (", " ignoring (", " group_left ", " bool ",
      " and ", " or ", " unless ", " atan2 ", "sum(", "topk(2, ", "count_values(\"x\", ",
      "rate(", "label_replace(", "histogram_quantile(0.9, ", "step()", "min(1m, ", "max(",
      "start()", "end()", " anchored", " smoothed", "5m", "1h", "0", "-1", "1e308", "0x1F",
      "Inf", "NaN", "1.5", "[5m]", "[1h:1m]", "[5m * 2]", "foo", "__name__", "\xff", "\xc3"};
  *count = sizeof(kTokens) / sizeof(kTokens[0]);
  return kTokens;
}
