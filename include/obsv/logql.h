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
//   obsv::logql::Arena& arena = expr->arena();  // the tree's
//   for (obsv::logql::StreamSelector* s : obsv::logql::StreamSelectors(**expr))
//     s->matchers.push_back(arena, {"tenant", obsv::logql::MatchOp::kEqual, arena.Copy(t)});
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
// Ownership: a parsed tree lives in one Arena, owned by the ExprPtr that
// Parse() returns, with a copy of the query: nodes, lists (List<T>) and
// strings (std::string_view, most of them views of that copy) are all in
// it, and are freed together when the ExprPtr goes, without visiting a
// node. So a tree never points into the caller's query text, and nothing
// taken from a tree (a node, a view, a list) outlives its ExprPtr. Trees
// are plain data: rewriters may change them in place, putting what they
// add in the tree's arena (ExprPtr::arena(): Arena::Copy() for strings,
// List::push_back(arena, ...) for lists, Arena::New<T>() for nodes), and
// Format() the result. Parse-and-free costs one arena, reused by the
// thread that freed it.
//
// Thread safety: Parse(), Format() and StreamSelectors() are thread-safe
// (no shared state); a tree is thread-compatible.
#ifndef OBSV_LOGQL_H_
#define OBSV_LOGQL_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
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

// The memory of a parsed tree (see Ownership above): a bump allocator that
// frees everything at once. What it holds is never destroyed, so it takes
// only trivially destructible types. Thread-compatible. The blocks it
// takes from the heap double as the tree grows (the first is 4 KiB; a
// 120-byte query takes about 1 KiB); ParserOptions' limits bound a parse's
// arena in proportion to the query.
class OBSV_API Arena {
 public:
  Arena();
  ~Arena();
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  // `bytes` bytes aligned to `align` (a power of two, at most 16).
  void* Allocate(std::size_t bytes, std::size_t align) {
    const std::uintptr_t p = (reinterpret_cast<std::uintptr_t>(next_) + (align - 1)) & ~(align - 1);
    if (p + bytes <= reinterpret_cast<std::uintptr_t>(end_)) {
      next_ = reinterpret_cast<char*>(p + bytes);
      return reinterpret_cast<void*>(p);
    }
    return AllocateSlow(bytes, align);
  }
  // A copy of s that lives as long as the arena.
  std::string_view Copy(std::string_view s) {
    if (s.empty()) return {};
    char* p = static_cast<char*>(Allocate(s.size(), 1));
    std::memcpy(p, s.data(), s.size());
    return std::string_view(p, s.size());
  }
  // A T made in the arena (never destroyed: T must be trivially
  // destructible, as every node type is).
  template <typename T, typename... Args>
  T* New(Args&&... args) {
    static_assert(std::is_trivially_destructible_v<T>, "the arena destroys nothing");
    return new (Allocate(sizeof(T), alignof(T))) T(std::forward<Args>(args)...);
  }

  // Bytes taken from the heap (blocks), for tests and limits.
  std::size_t heap_bytes() const { return heap_bytes_; }
  // Forgets everything allocated, keeping the first block (internal: the
  // per-thread reuse of arenas).
  void Reset();

 private:
  void* AllocateSlow(std::size_t bytes, std::size_t align);

  struct Block;
  char* next_ = nullptr;
  char* end_ = nullptr;
  Block* blocks_ = nullptr;  // newest first; the last one is the first
  std::size_t heap_bytes_ = 0;
};

// A list in a tree: a vector whose storage is in the tree's Arena. Reading
// is a vector's (size, [], begin/end, range-for); appending takes the
// arena. Copying a List copies the view, not the elements (as for
// std::string_view). T is trivially copyable and destructible.
template <typename T>
class List {
 public:
  using value_type = T;
  using iterator = T*;
  using const_iterator = const T*;

  List() = default;

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  T* data() { return data_; }
  const T* data() const { return data_; }
  T* begin() { return data_; }
  T* end() { return data_ + size_; }
  const T* begin() const { return data_; }
  const T* end() const { return data_ + size_; }
  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }
  T& front() { return data_[0]; }
  const T& front() const { return data_[0]; }
  T& back() { return data_[size_ - 1]; }
  const T& back() const { return data_[size_ - 1]; }

  // Appends v (a value-initialized T for emplace_back), growing into
  // `arena`, which must be the tree's (ExprPtr::arena()).
  T& push_back(Arena& arena, const T& v) {
    T copy = v;  // v may be an element of this list
    T& slot = emplace_back(arena);
    slot = copy;
    return slot;
  }
  T& emplace_back(Arena& arena) {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);
    if (size_ == capacity_) Grow(arena, size_ + 1);
    return *new (data_ + size_++) T();
  }
  // Room for n elements without another allocation.
  void reserve(Arena& arena, std::size_t n) {
    if (n > capacity_) Grow(arena, n);
  }
  void pop_back() { --size_; }
  void clear() { size_ = 0; }
  // Keeps the first n elements (n <= size()).
  void truncate(std::size_t n) { size_ = static_cast<uint32_t>(n); }

 private:
  void Grow(Arena& arena, std::size_t need) {
    std::size_t cap = capacity_ == 0 ? 2 : 2 * std::size_t{capacity_};
    if (cap < need) cap = need;
    T* fresh = static_cast<T*>(arena.Allocate(cap * sizeof(T), alignof(T)));
    if (size_ != 0) std::memcpy(static_cast<void*>(fresh), data_, size_ * sizeof(T));
    data_ = fresh;
    capacity_ = static_cast<uint32_t>(cap);
  }

  T* data_ = nullptr;
  uint32_t size_ = 0;
  uint32_t capacity_ = 0;
};

enum class MatchOp : unsigned char { kEqual, kNotEqual, kRegexMatch, kRegexNoMatch };

// `name op "value"`; name and value unquoted and unescaped (views of the
// tree's arena).
struct LabelMatcher {
  std::string_view name;
  MatchOp op = MatchOp::kEqual;
  std::string_view value;
  Span span;
};

// `{a="b", c=~"d"}`: matchers in input order (Loki prints them so).
struct StreamSelector {
  List<LabelMatcher> matchers;
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
  std::string_view value;
};

// `|= "a" or "b" or ip("c")`. operands has one element, or several for an
// `or` chain, which only positive filters keep: Loki turns `!= "a" or "b"`
// into `!= "a" != "b"` while parsing, and so does Parse().
struct LineFilter {
  LineMatch match = LineMatch::kContains;
  List<LineFilterOperand> operands;
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
struct LabelFilter {
  LabelFilterKind kind = LabelFilterKind::kMatcher;
  LabelMatcher matcher;  // kMatcher; for the others only matcher.name is used
  CompareOp op = CompareOp::kEqual;  // kIp (kEqual or kNotEqual), kNumber, kDuration, kBytes
  double number = 0;          // kNumber
  int64_t duration_ns = 0;    // kDuration
  uint64_t bytes = 0;         // kBytes
  std::string_view ip;        // kIp: the pattern
  LabelFilter* lhs = nullptr;  // kAnd, kOr
  LabelFilter* rhs = nullptr;
  Span span;
};

// `name="expression"` of `| json` and `| logfmt`; `| json name` has
// expression == name.
struct LabelExtraction {
  std::string_view name;
  std::string_view expression;
};

// `dst=src` (rename) or `dst="{{ template }}"` of `| label_format`.
struct LabelFormat {
  std::string_view name;
  std::string_view value;
  bool rename = false;
};

// An entry of `| drop` / `| keep`: a bare name or a matcher.
struct NamedMatcher {
  bool has_matcher = false;
  std::string_view name;  // !has_matcher
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
struct Stage {
  StageKind kind = StageKind::kLineFilter;
  LineFilter line_filter;                // kLineFilter
  LabelFilter* label_filter = nullptr;   // kLabelFilter
  bool strict = false;                   // kLogfmt
  bool keep_empty = false;               // kLogfmt
  List<LabelExtraction> extractions;     // kLogfmt, kJson
  std::string_view param;                // kRegexp, kPattern, kLineFormat
  List<LabelFormat> formats;             // kLabelFormat
  List<NamedMatcher> names;              // kDrop, kKeep
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

// A node. Nodes live in a tree's Arena (Arena::New<LiteralExpr>()), are
// never destroyed, and point to their children with plain pointers.
struct Expr {
  explicit Expr(NodeKind k) : kind(k) {}
  Expr(const Expr&) = delete;
  Expr& operator=(const Expr&) = delete;

  // True for log queries (kLogSelector), false for metric queries.
  bool is_log() const { return kind == NodeKind::kLogSelector; }

  template <typename T>
  T& As() { return static_cast<T&>(*this); }
  template <typename T>
  const T& As() const { return static_cast<const T&>(*this); }

  const NodeKind kind;
  Span span;
};

// The owner of a parsed tree: its root and the Arena everything in it
// lives in (see Ownership above). Moves like std::unique_ptr<Expr>; freeing
// it frees the whole tree at once.
class OBSV_API ExprPtr {
 public:
  ExprPtr() = default;
  ExprPtr(std::nullptr_t) {}  // NOLINT: as unique_ptr
  // Takes `arena` (from Arena's `new`) and a root in it (may be null).
  ExprPtr(Arena* arena, Expr* root) : arena_(arena), root_(root) {}
  ExprPtr(ExprPtr&& other) noexcept
      : arena_(std::exchange(other.arena_, nullptr)), root_(std::exchange(other.root_, nullptr)) {}
  ExprPtr& operator=(ExprPtr&& other) noexcept {
    if (this != &other) {
      reset();
      arena_ = std::exchange(other.arena_, nullptr);
      root_ = std::exchange(other.root_, nullptr);
    }
    return *this;
  }
  ~ExprPtr() { reset(); }

  Expr* get() const { return root_; }
  Expr& operator*() const { return *root_; }
  Expr* operator->() const { return root_; }
  explicit operator bool() const { return root_ != nullptr; }
  // The tree's arena: where a rewriter puts what it adds. Null for an
  // empty ExprPtr.
  Arena& arena() const { return *arena_; }
  // Frees the tree.
  void reset();

 private:
  Arena* arena_ = nullptr;
  Expr* root_ = nullptr;
};
inline bool operator==(const ExprPtr& p, std::nullptr_t) { return !p; }
inline bool operator!=(const ExprPtr& p, std::nullptr_t) { return static_cast<bool>(p); }

// A log query: `{app="a"} |= "x" | json`.
struct LogSelectorExpr final : Expr {
  LogSelectorExpr() : Expr(NodeKind::kLogSelector) {}
  StreamSelector selector;
  List<Stage> pipeline;
};

enum class UnwrapConversion : unsigned char { kNone, kBytes, kDuration, kDurationSeconds };

// `| unwrap [conv(]label[)] | post_filter ...`
struct UnwrapExpr {
  std::string_view label;
  UnwrapConversion conversion = UnwrapConversion::kNone;
  List<LabelFilter*> post_filters;
};

// The range argument of a range aggregation: selector, pipeline, unwrap,
// `[range]` and `offset`, however they were ordered in the query.
struct LogRange {
  LogSelectorExpr* log = nullptr;  // never null when parsed
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
  List<std::string_view> labels;
};

// `op([param,] range) [by|without (labels)]`.
struct RangeAggregationExpr final : Expr {
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
struct VectorAggregationExpr final : Expr {
  VectorAggregationExpr() : Expr(NodeKind::kVectorAggregation) {}
  VectorOp op = VectorOp::kSum;
  Expr* expr = nullptr;
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
  List<std::string_view> matching_labels;
  Cardinality card = Cardinality::kOneToOne;
  List<std::string_view> include;
};

// Between two metric expressions (two literals are folded at parse time,
// as Loki does).
struct BinaryExpr final : Expr {
  BinaryExpr() : Expr(NodeKind::kBinary) {}
  BinaryOp op = BinaryOp::kAdd;
  Expr* lhs = nullptr;
  Expr* rhs = nullptr;
  BinaryModifiers modifiers;
};

struct LiteralExpr final : Expr {
  LiteralExpr() : Expr(NodeKind::kLiteral) {}
  double value = 0;
};

struct VectorExpr final : Expr {
  VectorExpr() : Expr(NodeKind::kVector) {}
  double value = 0;
};

// `label_replace(expr, "dst", "replacement", "src", "regex")`.
struct LabelReplaceExpr final : Expr {
  LabelReplaceExpr() : Expr(NodeKind::kLabelReplace) {}
  Expr* expr = nullptr;
  std::string_view dst, replacement, src, regex;
};

// `variants(m1, m2) of ({..} | ... [5m])`.
struct VariantsExpr final : Expr {
  VariantsExpr() : Expr(NodeKind::kVariants) {}
  List<Expr*> variants;
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
