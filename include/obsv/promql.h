// obsv/promql.h: a parser and canonical printer for the PromQL language of
// Prometheus 3, with an AST built to be rewritten (label injection, scoping).
//
//   obsv::promql::ParserOptions options;          // safe defaults
//   absl::StatusOr<std::unique_ptr<obsv::promql::Expr>> expr =
//       obsv::promql::Parse("sum by (job) (rate(http_requests_total[5m]))", options);
//   if (!expr.ok()) return expr.status();         // "1:14: parse error: unexpected ..."
//   std::string text = obsv::promql::Format(**expr);  // Prometheus's String()
//   std::string lines = obsv::promql::Pretty(**expr);  // Prometheus's Prettify()
//
// The reference is github.com/prometheus/prometheus/promql/parser (v0.309.1,
// Prometheus 3.9): what it accepts we accept, Format() prints what its
// String() prints byte for byte, and errors carry the position it reports.
// Syntax that Prometheus gates behind feature flags is behind ParserOptions,
// off by default as in Prometheus: experimental functions, duration
// arithmetic (`rate(x[5m * 2])`, --enable-feature=promql-duration-expr) and
// the anchored/smoothed range modifiers (promql-extended-range-selectors).
// With a feature off, the error is Prometheus's, at its offset.
//
// Ownership: an Expr owns its children through std::unique_ptr; the tree
// holds no view into the query text. Trees are plain data: rewriters may
// change them in place and Format() the result.
//
// Thread safety: Parse(), Format() and Pretty() are thread-safe (no shared
// state); a tree is thread-compatible.
#ifndef OBSV_PROMQL_H_
#define OBSV_PROMQL_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "obsv/export.h"
#include "obsv/parse_error.h"

namespace obsv::promql {

// Budgets for untrusted queries. Exceeding one is a kLimitExceeded error at
// the place it happened. The parser recurses at most max_depth levels, and
// every tree it returns is at most max_depth high, so Format(), rewriters
// and the destructor recurse at most that much too (a few hundred bytes of
// stack per level).
struct ParserOptions {
  uint32_t max_query_bytes = uint32_t{1} << 20;  // 1 MiB
  uint32_t max_depth = 256;                      // height of the tree
  uint32_t max_nodes = 100'000;                  // expression nodes
  uint32_t max_selectors = 10'000;               // vector selectors
  uint32_t max_matchers_per_selector = 256;
  // Functions and aggregations Prometheus marks experimental (limitk,
  // limit_ratio, info, sort_by_label, mad_over_time, ...): off by default, as
  // without --enable-feature=promql-experimental-functions.
  bool enable_experimental_functions = false;
  // Arithmetic in durations (parser.ExperimentalDurationExpr): `+ - * / % ^`
  // and parentheses in a range, a subquery step and an offset:
  // `foo[5m * 2]`, `foo[1h:step() * 4]`, `foo offset (1h + 5m)`. Off, as
  // without --enable-feature=promql-duration-expr, these fail with
  // "experimental duration expression is not enabled". (`step()`, `min(a,
  // b)`, `max(a, b)` and a sign in those places are plain Prometheus 3.9
  // syntax and parse either way.)
  bool enable_duration_expressions = false;
  // The `anchored` and `smoothed` modifiers of a selector
  // (parser.EnableExtendedRangeSelectors): `rate(foo[5m] anchored)`. Off,
  // as without --enable-feature=promql-extended-range-selectors, they fail
  // with "anchored modifier is experimental and not enabled".
  bool enable_extended_range_selectors = false;
};

// Every kind of node. Rewriters switch over it without `default:` so that a
// new kind breaks their build (-Werror=switch-enum).
enum class NodeKind : unsigned char {
  kNumberLiteral,
  kStringLiteral,
  kVectorSelector,
  kMatrixSelector,
  kSubquery,
  kCall,
  kAggregate,
  kBinary,
  kUnary,
  kParen,
};

// The type an expression evaluates to.
enum class ValueType : unsigned char { kNone, kScalar, kVector, kMatrix, kString };

// "scalar", "instant vector", "range vector", "string", "none" (as Prometheus
// documents them). Static storage.
OBSV_API std::string_view ValueTypeName(ValueType type);

enum class MatchOp : unsigned char { kEqual, kNotEqual, kRegexMatch, kRegexNoMatch };

enum class BinaryOp : unsigned char {
  kAdd, kSub, kMul, kDiv, kMod, kPow, kAtan2,      // arithmetic
  kEqlc, kNeq, kGtr, kLss, kGte, kLte,             // comparison
  kAnd, kOr, kUnless,                              // set
};

enum class AggregateOp : unsigned char {
  kSum, kAvg, kCount, kMin, kMax, kGroup, kStddev, kStdvar,
  kTopk, kBottomk, kCountValues, kQuantile, kLimitk, kLimitRatio,
};

// "+", "==", "and", ... and "sum", "count_values", ... Static storage.
OBSV_API std::string_view BinaryOpName(BinaryOp op);
OBSV_API std::string_view AggregateOpName(AggregateOp op);
OBSV_API std::string_view MatchOpName(MatchOp op);
// True for topk, bottomk, count_values, quantile, limitk, limit_ratio.
OBSV_API bool AggregateTakesParam(AggregateOp op);

// Byte range [start, end) in the query.
struct Span {
  uint32_t start = 0;
  uint32_t end = 0;
};

// `name op "value"`. name and value are unquoted and unescaped; the metric
// name written in braces (`{"foo.bar"}`) is the matcher `__name__="foo.bar"`.
struct LabelMatcher {
  std::string name;
  MatchOp op = MatchOp::kEqual;
  std::string value;
  Span span;
};

// `@` modifier of a selector or subquery.
enum class AtKind : unsigned char { kNone, kTimestamp, kStart, kEnd };

// A duration written as an expression (Prometheus's DurationExpr), in a
// range `[...]`, a subquery step or an offset: `step()`, `min(a, b)`,
// `max(a, b)`, `-d`, and with ParserOptions::enable_duration_expressions
// `a + b`, `a - b`, `a * b`, `a / b`, `a % b`, `a ^ b` and `(a)`. It is
// kept as written and evaluated by the engine (step() is the query's
// resolution), so it has no value here. A plain literal duration is never
// a DurationExpr: it is the `*_ns` field beside it.
enum class DurationOp : unsigned char {
  kLiteral,  // a number of seconds (`90`) or a duration (`5m`)
  kStep,     // step()
  kMin, kMax,  // min(lhs, rhs), max(lhs, rhs)
  kNegate,   // -rhs
  kAdd, kSub, kMul, kDiv, kMod, kPow,  // lhs op rhs
};

struct OBSV_API DurationExpr {
  DurationOp op = DurationOp::kLiteral;
  double seconds = 0;         // kLiteral, signed
  bool is_duration = false;   // kLiteral written with units: printed as `5m`
  bool wrapped = false;       // written in parentheses: printed with them
  std::unique_ptr<DurationExpr> lhs;  // binary ops, kMin, kMax
  std::unique_ptr<DurationExpr> rhs;  // binary ops, kMin, kMax, kNegate
  Span span;
};
using DurationExprPtr = std::unique_ptr<DurationExpr>;

// The modifiers `offset` and `@` (of a vector selector, or of a subquery).
struct TimeModifiers {
  int64_t offset_ns = 0;   // signed; 0 when absent or offset_expr is set
  DurationExprPtr offset_expr;  // `offset step()`, `offset (1h + 5m)`; else null
  AtKind at = AtKind::kNone;
  int64_t at_ms = 0;       // AtKind::kTimestamp: milliseconds since the epoch
};

// The base of every node. `kind` tells the derived type; use As<T>().
struct OBSV_API Expr {
  explicit Expr(NodeKind k) : kind(k) {}
  virtual ~Expr();
  Expr(const Expr&) = delete;
  Expr& operator=(const Expr&) = delete;

  // Nodes come from a small per-thread cache of freed nodes (a parse makes
  // and a tree frees a handful of them per query) before the heap; `new`
  // and `delete` of any node type work as usual, from any thread.
  static void* operator new(std::size_t size);
  static void operator delete(void* p, std::size_t size) noexcept;

  // The type the expression evaluates to (never kNone for a parsed tree).
  ValueType type() const;

  template <typename T>
  T& As() { return static_cast<T&>(*this); }
  template <typename T>
  const T& As() const { return static_cast<const T&>(*this); }

  const NodeKind kind;
  Span span;            // where the node was written (empty for built nodes)
};
using ExprPtr = std::unique_ptr<Expr>;

struct OBSV_API NumberLiteral final : Expr {
  NumberLiteral() : Expr(NodeKind::kNumberLiteral) {}
  double value = 0;
  // Written as a duration (`5m`): printed as one. value is in seconds.
  bool is_duration = false;
};

struct OBSV_API StringLiteral final : Expr {
  StringLiteral() : Expr(NodeKind::kStringLiteral) {}
  std::string value;  // unescaped
};

// `name{matchers} @ t offset d`. `name` is the metric name written before
// the braces ("" if none); `matchers` are those written inside the braces,
// in input order (Prometheus also keeps name as a trailing __name__ matcher;
// here it is only in `name`).
struct OBSV_API VectorSelector final : Expr {
  VectorSelector() : Expr(NodeKind::kVectorSelector) {}
  std::string name;
  std::vector<LabelMatcher> matchers;
  TimeModifiers modifiers;
  // info()'s second argument may be a selector without a non-empty matcher.
  bool bypass_empty_matcher_check = false;
  // `foo anchored`, `foo[5m] smoothed` (enable_extended_range_selectors);
  // at most one of them is set.
  bool anchored = false;
  bool smoothed = false;
};

// `selector[range]`; offset, @, anchored and smoothed are those of
// `selector`. range_expr is set (and range_ns 0) for a duration expression.
struct OBSV_API MatrixSelector final : Expr {
  MatrixSelector() : Expr(NodeKind::kMatrixSelector) {}
  std::unique_ptr<VectorSelector> selector;
  int64_t range_ns = 0;
  DurationExprPtr range_expr;
};

// `expr[range:step] @ t offset d`; step_ns 0 when omitted. range_expr and
// step_expr are set (and the _ns field 0) for duration expressions.
struct OBSV_API Subquery final : Expr {
  Subquery() : Expr(NodeKind::kSubquery) {}
  ExprPtr expr;
  int64_t range_ns = 0;
  int64_t step_ns = 0;
  DurationExprPtr range_expr;
  DurationExprPtr step_expr;
  TimeModifiers modifiers;
};

struct FunctionInfo;  // see FindFunction()

struct OBSV_API Call final : Expr {
  Call() : Expr(NodeKind::kCall) {}
  const FunctionInfo* function = nullptr;  // static storage, never null when parsed
  std::vector<ExprPtr> args;
};

// `op by|without (grouping) (param, expr)`.
struct OBSV_API Aggregate final : Expr {
  Aggregate() : Expr(NodeKind::kAggregate) {}
  AggregateOp op = AggregateOp::kSum;
  ExprPtr param;  // null unless AggregateTakesParam(op)
  ExprPtr expr;
  std::vector<std::string> grouping;
  bool without = false;
};

enum class Cardinality : unsigned char { kOneToOne, kManyToOne, kOneToMany, kManyToMany };

// `on|ignoring (labels) group_left|group_right (include)`.
struct VectorMatching {
  Cardinality card = Cardinality::kOneToOne;
  bool on = false;
  std::vector<std::string> matching_labels;
  std::vector<std::string> include;
};

struct OBSV_API Binary final : Expr {
  Binary() : Expr(NodeKind::kBinary) {}
  BinaryOp op = BinaryOp::kAdd;
  ExprPtr lhs;
  ExprPtr rhs;
  bool return_bool = false;
  // Only between two instant vectors (as in Prometheus, matching written
  // between scalars is dropped). Set operations are many-to-many.
  bool has_matching = false;
  VectorMatching matching;
};

// `-expr` or `+expr`. A sign before a number literal is folded into it.
struct OBSV_API Unary final : Expr {
  Unary() : Expr(NodeKind::kUnary) {}
  bool negate = true;  // false for `+`
  ExprPtr expr;
};

struct OBSV_API Paren final : Expr {
  Paren() : Expr(NodeKind::kParen) {}
  ExprPtr expr;
};

// A function of Prometheus 3. arg_types lists the declared arguments;
// variadic is 0 (exactly arg_types.size() arguments), n > 0 (between
// size-1 and size-1+n arguments) or -1 (at least size-1, the last type
// repeating without bound), as in Prometheus's functions.go.
struct FunctionInfo {
  std::string_view name;
  std::vector<ValueType> arg_types;
  int variadic = 0;
  ValueType return_type = ValueType::kVector;
  bool experimental = false;
};

// The function named `name` (case-sensitive, as in Prometheus), or null.
// Static storage; O(log n).
OBSV_API const FunctionInfo* FindFunction(std::string_view name);
// All functions, sorted by name. Static storage.
OBSV_API const std::vector<FunctionInfo>& AllFunctions();

// Parses `query`. On error returns InvalidArgument (ResourceExhausted for a
// limit) whose message is Prometheus's: "L:C: parse error: ...". Cost: linear
// in the query.
OBSV_API absl::StatusOr<ExprPtr> Parse(std::string_view query,
                                       const ParserOptions& options = {});

// Same, with the structured error: code (kSyntax for the grammar and the
// static checks, kUnterminatedString, kInvalidEscape, kInvalidUtf8,
// kInvalidValue for numbers and durations, kLimitExceeded), byte offset and
// line:column of the first error. `*out` is set only on success.
OBSV_API ParseError Parse(std::string_view query, const ParserOptions& options,
                          ExprPtr* out);

// Prometheus's canonical String() form: `sum by (job) (rate(x{a="b"}[5m]))`.
// Matchers print sorted (as Prometheus does), numbers as Go's
// FormatFloat('f', -1), durations as model.Duration. Re-parses to the same
// tree. Cost: linear in the output.
OBSV_API std::string Format(const Expr& expr);
OBSV_API void AppendFormat(const Expr& expr, std::string* out);
// A duration expression as Prometheus prints it: `step() * 2`, `(1h + 5m)`.
OBSV_API std::string Format(const DurationExpr& expr);
OBSV_API void AppendFormat(const DurationExpr& expr, std::string* out);

// Prometheus's pretty form (parser.Prettify(), Expr.Pretty(0)), byte for
// byte: a node whose Format() fits in 100 bytes is written on one line, a
// longer one is split over lines indented by two spaces per level:
//
//     sum by (cluster, namespace, pod) (
//       rate(container_cpu_usage_seconds_total{container!="",job="kubelet"}[5m])
//     )
//   /
//     sum by (cluster, namespace, pod) (kube_pod_container_resource_requests{resource="cpu"})
//
// Aggregations, calls and parentheses open on the first line and close on
// their own; a split binary expression puts its operands one level deeper
// than its operator (with the `bool`, `on`/`ignoring` and `group_*`
// modifiers); selectors and literals are never split. Prometheus's quirks
// are kept: a subquery that fits on a line is written without indentation,
// and the operand of a unary minus follows the sign directly. The result
// has no trailing newline, and re-parses to a tree whose Format() is
// Format(expr). Thread-safe. Cost: linear in the output (each node measures
// its Format() length only up to the 100-byte limit), recursion as deep as
// the tree.
OBSV_API std::string Pretty(const Expr& expr);
OBSV_API void AppendPretty(const Expr& expr, std::string* out);

// A one-line structural dump for tests: `(binary + (selector foo) (number 1))`.
OBSV_API std::string Dump(const Expr& expr);

// Line and column (1-based, in bytes) of byte `offset` of `text`, counted as
// Parse() counts them for its errors: for positioning the byte offsets of
// spans and of scoping errors (ErrorSpan()) in messages. An offset past the
// end counts to the end. Cost: linear in offset.
struct LineColumn {
  uint32_t line = 1;
  uint32_t column = 1;
};
OBSV_API LineColumn LineColumnAt(std::string_view text, uint32_t offset);

}  // namespace obsv::promql

#endif  // OBSV_PROMQL_H_
