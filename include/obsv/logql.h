// obsv/logql.h: a parser and canonical printer for the LogQL language of
// Grafana Loki 3, with an AST built to be rewritten (label injection,
// tenant scoping).
//
//   obsv::logql::ParserOptions options;           // safe defaults
//   absl::StatusOr<obsv::logql::ExprPtr> expr = obsv::logql::Parse(
//       R"(sum by (app) (rate({app="api"} |= "error" | json [5m])))", options);
//   if (!expr.ok()) return expr.status();
//   // "parse error at line 1, col 12: syntax error: unexpected ..."
//   std::string text = obsv::logql::Format(**expr);
//   // `sum by (app)(rate({app="api"} |= "error" | json[5m]))`
//   std::string lines = obsv::logql::Pretty(**expr);  // format_query's output
//   for (obsv::logql::StreamSelector* s : obsv::logql::StreamSelectors(**expr))
//     s->matchers.push_back({"tenant", obsv::logql::MatchOp::kEqual, "a"});
//
// The reference is Loki v3's pkg/logql/syntax (syntax.y, lex.go, ast.go):
// what its ParseExpr() accepts we accept, and Format() prints what its
// String() prints (what /loki/api/v1/format_query returns) byte for byte,
// with Loki's quirks: binary operations are fully parenthesized, label
// filters combined with `and` or `,` print as `( a , b )`, negated line
// filter `or` chains print expanded (`!= "a" or "b"` is `!= "a" != "b"`),
// literal arithmetic is folded (`1 + 1` is `2`), `vector(1)` prints as
// `vector(1.000000)`, offsets print as Go durations (`offset 1h0m0s`),
// `line_format` strings are always double-quoted.
//
// Known difference: for a label filter `| name=~"re"` whose regex Loki
// cannot reduce to literal matches, Loki prints the regex in backquotes
// (`` name=~`re` ``); obsv decides "reducible" with its own reading of
// Loki's simplifier (common literal and `.*` shapes, alternations), which
// can differ from Go's regexp/syntax on unusual regexes.
//
// Ownership: an Expr owns its children (std::unique_ptr); the tree holds no
// view into the query text. Trees are plain data: rewriters may change
// them in place (a selector's matchers in particular) and Format() the
// result.
//
// Thread safety: Parse(), Format() and StreamSelectors() are thread-safe
// (no shared state); a tree is thread-compatible.
#ifndef OBSV_LOGQL_H_
#define OBSV_LOGQL_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "obsv/export.h"
#include "obsv/parse_error.h"

namespace obsv::logql {

// Budgets for untrusted queries. Exceeding one is a kLimitExceeded error at
// the place it happened (ResourceExhausted from the StatusOr Parse()). The
// parser recurses at most max_depth levels, and every tree it returns is at
// most max_depth high (binary operations, aggregations, parentheses and
// label-filter nesting each count), so Format(), walks and the destructor
// recurse at most that much too (a few hundred bytes of stack per level).
struct ParserOptions {
  // Loki rejects queries of 131072 bytes and more ("input size too long").
  uint32_t max_query_bytes = 131071;
  uint32_t max_depth = 256;               // nesting of the tree
  uint32_t max_nodes = 100'000;           // expressions, stages, label filters
  uint32_t max_selectors = 10'000;        // stream selectors `{...}`
  uint32_t max_pipeline_stages = 1'000;   // stages after one selector
};

// Byte range [start, end) in the query.
struct Span {
  uint32_t start = 0;
  uint32_t end = 0;
};

enum class MatchOp : unsigned char { kEqual, kNotEqual, kRegexMatch, kRegexNoMatch };

// `name op "value"`; name and value unquoted and unescaped.
struct LabelMatcher {
  std::string name;
  MatchOp op = MatchOp::kEqual;
  std::string value;
  Span span;
};

// `{a="b", c=~"d"}`: matchers in input order (Loki prints them so).
struct StreamSelector {
  std::vector<LabelMatcher> matchers;
  Span span;
};

// ---- Pipeline stages ------------------------------------------------------

// |= != |~ !~ |> !>
enum class LineMatch : unsigned char {
  kContains, kNotContains, kRegex, kNotRegex, kPattern, kNotPattern,
};
// True for |=, |~, |> (the ones an `or` chain keeps as one filter).
OBSV_API bool IsPositive(LineMatch m);

// A line filter's argument: "text" or ip("cidr").
struct LineFilterOperand {
  bool ip = false;
  std::string value;
};

// `|= "a" or "b" or ip("c")`. operands has one element, or several for an
// `or` chain, which only positive filters keep: Loki turns `!= "a" or "b"`
// into `!= "a" != "b"` while parsing, and so does Parse().
struct LineFilter {
  LineMatch match = LineMatch::kContains;
  std::vector<LineFilterOperand> operands;
};

// Comparison of a typed label filter (`==` is also written `=`).
enum class CompareOp : unsigned char {
  kEqual, kNotEqual, kGreater, kGreaterEqual, kLess, kLessEqual,
};

enum class LabelFilterKind : unsigned char {
  kMatcher,   // name = != =~ !~ "string"
  kIp,        // name = ip("...") or name != ip("...")
  kNumber,    // name > 1.5
  kDuration,  // name > 5s
  kBytes,     // name > 20MB
  kAnd,       // lhs and rhs, lhs , rhs, lhs rhs
  kOr,        // lhs or rhs
};

// A label filter expression (`| a="b" and (c > 5 or d < 1s)`); parentheses
// are not kept (Loki prints binary filters parenthesized).
struct OBSV_API LabelFilter {
  // From the per-thread node cache, as Expr's (see there).
  static void* operator new(std::size_t size);
  static void operator delete(void* p, std::size_t size) noexcept;

  LabelFilterKind kind = LabelFilterKind::kMatcher;
  LabelMatcher matcher;  // kMatcher; for the others only matcher.name is used
  CompareOp op = CompareOp::kEqual;  // kIp (kEqual or kNotEqual), kNumber, kDuration, kBytes
  double number = 0;          // kNumber
  int64_t duration_ns = 0;    // kDuration
  uint64_t bytes = 0;         // kBytes
  std::string ip;             // kIp: the pattern
  std::unique_ptr<LabelFilter> lhs, rhs;  // kAnd, kOr
  Span span;
};
using LabelFilterPtr = std::unique_ptr<LabelFilter>;

// `name="expression"` of `| json` and `| logfmt`; `| json name` has
// expression == name.
struct LabelExtraction {
  std::string name;
  std::string expression;
};

// `dst=src` (rename) or `dst="{{ template }}"` of `| label_format`.
struct LabelFormat {
  std::string name;
  std::string value;
  bool rename = false;
};

// An entry of `| drop` / `| keep`: a bare name or a matcher.
struct NamedMatcher {
  bool has_matcher = false;
  std::string name;      // !has_matcher
  LabelMatcher matcher;  // has_matcher
};

enum class StageKind : unsigned char {
  kLineFilter,   // line_filter
  kLogfmt,       // | logfmt [--strict] [--keep-empty] [extractions]
  kJson,         // | json [extractions]
  kRegexp,       // | regexp "param"
  kPattern,      // | pattern "param"
  kUnpack,       // | unpack
  kLabelFilter,  // | label_filter
  kLineFormat,   // | line_format "param"
  kLabelFormat,  // | label_format formats
  kDecolorize,   // | decolorize
  kDrop,         // | drop names
  kKeep,         // | keep names
};

// One stage; the fields used depend on kind (the others stay empty).
struct OBSV_API Stage {
  StageKind kind = StageKind::kLineFilter;
  LineFilter line_filter;                // kLineFilter
  LabelFilterPtr label_filter;           // kLabelFilter
  bool strict = false;                   // kLogfmt
  bool keep_empty = false;               // kLogfmt
  std::vector<LabelExtraction> extractions;  // kLogfmt, kJson
  std::string param;                     // kRegexp, kPattern, kLineFormat
  std::vector<LabelFormat> formats;      // kLabelFormat
  std::vector<NamedMatcher> names;       // kDrop, kKeep
  Span span;
};

// ---- Expressions ----------------------------------------------------------

// Every kind of node. Rewriters switch over it without `default:` so that a
// new kind breaks their build (-Werror=switch-enum).
enum class NodeKind : unsigned char {
  kLogSelector,        // {..} | stages
  kRangeAggregation,   // rate({..}[5m])
  kVectorAggregation,  // sum by (a) (...)
  kBinary,             // a + b
  kLiteral,            // 1.5
  kVector,             // vector(1)
  kLabelReplace,       // label_replace(...)
  kVariants,           // variants(...) of ({..}[5m])
};

struct OBSV_API Expr {
  explicit Expr(NodeKind k) : kind(k) {}
  virtual ~Expr();
  Expr(const Expr&) = delete;
  Expr& operator=(const Expr&) = delete;

  // Nodes come from a small per-thread cache of freed nodes (shared with
  // obsv/promql.h's; a parse makes and a tree frees a handful of them per
  // query) before the heap; `new` and `delete` of any node type work as
  // usual, from any thread.
  static void* operator new(std::size_t size);
  static void operator delete(void* p, std::size_t size) noexcept;

  // True for log queries (kLogSelector), false for metric queries.
  bool is_log() const { return kind == NodeKind::kLogSelector; }

  template <typename T>
  T& As() { return static_cast<T&>(*this); }
  template <typename T>
  const T& As() const { return static_cast<const T&>(*this); }

  const NodeKind kind;
  Span span;
};
using ExprPtr = std::unique_ptr<Expr>;

// A log query: `{app="a"} |= "x" | json`.
struct OBSV_API LogSelectorExpr final : Expr {
  LogSelectorExpr() : Expr(NodeKind::kLogSelector) {}
  StreamSelector selector;
  std::vector<Stage> pipeline;
};

enum class UnwrapConversion : unsigned char { kNone, kBytes, kDuration, kDurationSeconds };

// `| unwrap [conv(]label[)] | post_filter ...`
struct UnwrapExpr {
  std::string label;
  UnwrapConversion conversion = UnwrapConversion::kNone;
  std::vector<LabelFilterPtr> post_filters;
};

// The range argument of a range aggregation: selector, pipeline, unwrap,
// `[range]` and `offset`, however they were ordered in the query.
struct OBSV_API LogRange {
  std::unique_ptr<LogSelectorExpr> log;  // never null when parsed
  bool has_unwrap = false;
  UnwrapExpr unwrap;
  int64_t range_ns = 0;
  int64_t offset_ns = 0;  // 0 when absent; may be negative
};

enum class RangeOp : unsigned char {
  kCountOverTime, kRate, kRateCounter, kBytesOverTime, kBytesRate,
  kAvgOverTime, kSumOverTime, kMinOverTime, kMaxOverTime, kStdvarOverTime,
  kStddevOverTime, kQuantileOverTime, kFirstOverTime, kLastOverTime,
  kAbsentOverTime,
};

enum class VectorOp : unsigned char {
  kSum, kAvg, kCount, kMax, kMin, kStddev, kStdvar, kBottomk, kTopk,
  kSort, kSortDesc, kApproxTopk,
};

// "count_over_time", "sum", ... Static storage.
OBSV_API std::string_view RangeOpName(RangeOp op);
OBSV_API std::string_view VectorOpName(VectorOp op);

// `by (a, b)` / `without (a)`.
struct Grouping {
  bool without = false;
  std::vector<std::string> labels;
};

// `op([param,] range) [by|without (labels)]`.
struct OBSV_API RangeAggregationExpr final : Expr {
  RangeAggregationExpr() : Expr(NodeKind::kRangeAggregation) {}
  RangeOp op = RangeOp::kCountOverTime;
  LogRange range;
  bool has_param = false;  // quantile_over_time only
  double param = 0;
  bool has_grouping = false;
  Grouping grouping;
};

// `op [by|without (labels)] ([param,] expr)`. `sum(x)` and `sum by () (x)`
// are the same tree (Loki's) and print as `sum(x)`.
struct OBSV_API VectorAggregationExpr final : Expr {
  VectorAggregationExpr() : Expr(NodeKind::kVectorAggregation) {}
  VectorOp op = VectorOp::kSum;
  ExprPtr expr;
  int64_t param = 0;  // topk, bottomk, approx_topk (> 0)
  Grouping grouping;
};

enum class BinaryOp : unsigned char {
  kOr, kAnd, kUnless,
  kAdd, kSub, kMul, kDiv, kMod, kPow,
  kEq, kNeq, kGt, kGte, kLt, kLte,
};
// "or", "+", "==", ... Static storage.
OBSV_API std::string_view BinaryOpName(BinaryOp op);

enum class Cardinality : unsigned char { kOneToOne, kManyToOne, kOneToMany };

// `bool`, `on|ignoring (labels)`, `group_left|group_right (labels)`.
struct BinaryModifiers {
  bool return_bool = false;
  bool on = false;
  std::vector<std::string> matching_labels;
  Cardinality card = Cardinality::kOneToOne;
  std::vector<std::string> include;
};

// Between two metric expressions (two literals are folded at parse time,
// as Loki does).
struct OBSV_API BinaryExpr final : Expr {
  BinaryExpr() : Expr(NodeKind::kBinary) {}
  BinaryOp op = BinaryOp::kAdd;
  ExprPtr lhs, rhs;
  BinaryModifiers modifiers;
};

struct OBSV_API LiteralExpr final : Expr {
  LiteralExpr() : Expr(NodeKind::kLiteral) {}
  double value = 0;
};

struct OBSV_API VectorExpr final : Expr {
  VectorExpr() : Expr(NodeKind::kVector) {}
  double value = 0;
};

// `label_replace(expr, "dst", "replacement", "src", "regex")`.
struct OBSV_API LabelReplaceExpr final : Expr {
  LabelReplaceExpr() : Expr(NodeKind::kLabelReplace) {}
  ExprPtr expr;
  std::string dst, replacement, src, regex;
};

// `variants(m1, m2) of ({..} | ... [5m])`.
struct OBSV_API VariantsExpr final : Expr {
  VariantsExpr() : Expr(NodeKind::kVariants) {}
  std::vector<ExprPtr> variants;
  LogRange range;
};

// ---- Entry points ---------------------------------------------------------

// Parses `query` and validates it as Loki's ParseExpr() does (at least one
// matcher that does not match the empty string per selector, operand types,
// parameters). On error returns InvalidArgument (ResourceExhausted for a
// limit) whose message is Loki's: "parse error at line L, col C: syntax
// error: unexpected ..." (columns count runes, as Go's text/scanner), or
// "parse error : ..." for the checks Loki reports without a position.
// yacc's ", expecting ..." suffix is not reproduced. Cost: linear in the
// query; regexes (matchers, label filters, `regexp`, label_replace) are
// checked by a quick reading of the common shapes, and only the others are
// compiled by RE2 (line-filter regexes are not compiled, as in Loki).
OBSV_API absl::StatusOr<ExprPtr> Parse(std::string_view query, const ParserOptions& options = {});

// Same, with the structured error: code (kSyntax, kUnterminatedString,
// kInvalidEscape, kInvalidUtf8, kInvalidValue for ranges, kLimitExceeded),
// byte offset, line:column (column in bytes, as the rest of obsv) and the
// message without its "parse error ..." prefix. Two of Loki's reporting
// quirks show in line and column, so that callers can rebuild its message:
// line and column are 0 for the checks Loki reports without a position
// (offset is still that of the offending node), and line alone is 0 where
// Loki says "line 0" (an error at a token its lexer finishes with
// Scanner.Next(): two-character operators, ranges, durations, byte sizes,
// --flags). Tests should match code and offset. `*out` is set only on
// success.
OBSV_API ParseError Parse(std::string_view query, const ParserOptions& options, ExprPtr* out);

// Loki's String(): the canonical text. Re-parses to the same tree (up to
// regexes of label filters, see above). Thread-safe. Cost: linear in the
// output, recursion as deep as the tree.
OBSV_API std::string Format(const Expr& expr);
OBSV_API void AppendFormat(const Expr& expr, std::string* out);
OBSV_API std::string Format(const LabelFilter& filter);
OBSV_API std::string Format(const Stage& stage);

// Loki's Prettify(): what /loki/api/v1/format_query returns. A node whose
// Format() fits in 100 bytes is printed as Format() (indented two spaces a
// level); a longer one is split over lines: pipeline stages one per line,
// aggregation arguments and binary operands one level deeper, ranges
// written ` [5m]`. Loki's quirks are kept (a split line filter drops its
// `or` alternatives, offsets print as model.Duration and a negative one as
// nothing, `variants` is always split), so the result does not always
// parse back to the same tree; Format() is the round-trippable form.
// Thread-safe. Cost: quadratic in the depth of the tree at worst (each
// level measures its Format()).
OBSV_API std::string Pretty(const Expr& expr);
OBSV_API void AppendPretty(const Expr& expr, std::string* out);

// Every stream selector of the tree, in print order: the selector of a log
// query, of each range aggregation, of variants. The pointers stay valid
// until the tree is changed structurally (matchers may be edited through
// them). Cost: linear in the number of nodes.
OBSV_API std::vector<StreamSelector*> StreamSelectors(Expr& expr);
OBSV_API std::vector<const StreamSelector*> StreamSelectors(const Expr& expr);

// A one-line structural dump for tests: `(binary + (range rate ...) (literal 1))`.
OBSV_API std::string Dump(const Expr& expr);

}  // namespace obsv::logql

#endif  // OBSV_LOGQL_H_
