// The PromQL parser: recursive descent with precedence climbing over the
// grammar of Prometheus 3 (promql/parser/generated_parser.y), then the static
// checks of its checkAST(). Recursion is bounded by ParserOptions::max_depth,
// and so is the height of every tree it returns.
#include <charconv>
#include <cmath>
#include <optional>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "common/str_cat.h"
#include "promql/lexer.h"

namespace obsv::promql {
namespace {

using internal::Lexer;
using internal::Tok;
using internal::Token;
using obsv::internal::StrCat;

// Prometheus's precedences: or < and unless < comparisons < + - < * / % atan2 < ^.
int Precedence(BinaryOp op) {
  switch (op) {
    case BinaryOp::kOr: return 1;
    case BinaryOp::kAnd:
    case BinaryOp::kUnless: return 2;
    case BinaryOp::kEqlc:
    case BinaryOp::kNeq:
    case BinaryOp::kGtr:
    case BinaryOp::kLss:
    case BinaryOp::kGte:
    case BinaryOp::kLte: return 3;
    case BinaryOp::kAdd:
    case BinaryOp::kSub: return 4;
    case BinaryOp::kMul:
    case BinaryOp::kDiv:
    case BinaryOp::kMod:
    case BinaryOp::kAtan2: return 5;
    case BinaryOp::kPow: return 6;
  }
  return 0;
}
constexpr int kPowPrecedence = 6;

bool IsComparison(BinaryOp op) { return Precedence(op) == 3; }
bool IsSetOp(BinaryOp op) { return Precedence(op) <= 2; }

// Go's strconv.ParseInt(s, 0, 64) then ParseFloat(s, 64), as parser.number().
bool ParseGoNumber(std::string_view s, double* out) {
  // Plain decimal integers (`5`, `100`, `0`), nearly every number in a query.
  if (!s.empty() && s.size() <= 15 && (s[0] != '0' || s.size() == 1)) {
    int64_t v = 0;
    size_t i = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) v = v * 10 + (s[i] - '0');
    if (i == s.size()) {
      *out = static_cast<double>(v);
      return true;
    }
  }
  std::string digits;
  for (char c : s) {
    if (c != '_') digits.push_back(c);
  }
  bool has_underscore = digits.size() != s.size();
  std::string lower = digits;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "inf") {
    *out = HUGE_VAL;
    return true;
  }
  if (lower == "nan") {
    *out = std::nan("");
    return true;
  }
  // Integer with base prefix: 0x.., 0.. (octal), or decimal.
  int base = 10;
  std::string_view body = digits;
  if (lower.size() > 2 && lower[0] == '0' && lower[1] == 'x') {
    base = 16;
    body.remove_prefix(2);
  } else if (lower.size() > 1 && lower[0] == '0') {
    base = 8;
    body.remove_prefix(1);
  }
  uint64_t v = 0;
  auto r = std::from_chars(body.data(), body.data() + body.size(), v, base);
  if (r.ec == std::errc() && r.ptr == body.data() + body.size() && v <= uint64_t{INT64_MAX}) {
    *out = static_cast<double>(static_cast<int64_t>(v));
    return true;
  }
  if (has_underscore || base == 16) return false;  // ParseFloat refuses both here
  const char* begin = digits.c_str();
  char* end = nullptr;
  double d = std::strtod(begin, &end);
  if (end != begin + digits.size() || std::isinf(d)) return false;
  *out = d;
  return true;
}

// Sets a fresh (empty) string of a new node to v: append() skips the
// aliasing checks of assign().
inline void AppendView(std::string_view v, std::string* out) { out->append(v.data(), v.size()); }

class Parser {
 public:
  Parser(std::string_view query, const ParserOptions& options)
      : query_(query), options_(options), lex_(query) {}

  ParseError Run(ExprPtr* out) {
    if (query_.size() > options_.max_query_bytes) {
      Fail(options_.max_query_bytes, ParseErrorCode::kLimitExceeded,
           StrCat("query is longer than the limit of ", options_.max_query_bytes, " bytes"));
      return std::move(error_);
    }
    Advance();
    if (tok_.type == Tok::kEof) {
      Fail(0, ParseErrorCode::kSyntax, "no expression found in input");
      return std::move(error_);
    }
    ExprPtr e = ParseExpr(0);
    if (e != nullptr && tok_.type != Tok::kEof) Unexpected("", "");
    if (error_.ok() && step_outside_duration_) {
      Fail(*step_outside_duration_, ParseErrorCode::kSyntax, "unknown node type: *parser.DurationExpr");
    }
    if (error_.ok()) Check(e.get());
    if (error_.ok()) *out = std::move(e);
    return std::move(error_);
  }

 private:
  // ---- Errors ----

  // Errors are out of line, to keep the hot paths small.
  [[gnu::cold, gnu::noinline]] std::nullptr_t Fail(uint32_t offset, ParseErrorCode code,
                                                   std::string_view message) {
    if (!error_.ok()) return nullptr;
    error_.code = code;
    error_.offset = offset;
    uint32_t line = 1, col = 1;
    for (uint32_t i = 0; i < offset && i < query_.size(); ++i) {
      if (query_[i] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
    error_.line = line;
    error_.column = col;
    error_.message = StrCat("parse error: ", message);
    return nullptr;
  }

  // "unexpected <token> in <context>, expected <expected>" at the current
  // token; a lexer error is reported as itself.
  [[gnu::cold, gnu::noinline]] std::nullptr_t Unexpected(std::string_view context,
                                                         std::string_view expected) {
    if (tok_.type == Tok::kError) return nullptr;  // already reported
    std::string msg = StrCat("unexpected ", internal::DescribeToken(tok_, query_));
    // Prometheus's grammar recovers from an error inside an aggregation's
    // arguments at the aggregation (`aggregate_op error`), unless a nearer
    // rule names its own context.
    if (context.empty() && aggregate_args_ > 0) context = "aggregation";
    if (!context.empty()) obsv::internal::StrAppend(&msg, " in ", context);
    if (!expected.empty()) obsv::internal::StrAppend(&msg, ", expected ", expected);
    return Fail(tok_.start, ParseErrorCode::kSyntax, msg);
  }

  [[gnu::cold, gnu::noinline]] std::nullptr_t FailDepth(uint32_t offset) {
    return Fail(offset, ParseErrorCode::kLimitExceeded,
                StrCat("expression nests deeper than the limit of ", options_.max_depth));
  }
  [[gnu::cold, gnu::noinline]] std::nullptr_t FailNodes(uint32_t offset) {
    return Fail(offset, ParseErrorCode::kLimitExceeded,
                StrCat("query has more than the limit of ", options_.max_nodes, " nodes"));
  }
  [[gnu::cold, gnu::noinline]] std::nullptr_t FailSelectors(uint32_t offset) {
    return Fail(offset, ParseErrorCode::kLimitExceeded,
                StrCat("query has more than the limit of ", options_.max_selectors, " selectors"));
  }
  [[gnu::cold, gnu::noinline]] std::nullptr_t FailMatchers(uint32_t offset) {
    return Fail(offset, ParseErrorCode::kLimitExceeded,
                StrCat("selector has more than the limit of ", options_.max_matchers_per_selector,
                       " matchers"));
  }

  // An error Prometheus finds when it reduces a rule, which its parser does
  // before it reads the next token: it wins over that token's lexer error.
  std::nullptr_t FailBeforeLookahead(uint32_t offset, ParseErrorCode code, std::string message) {
    if (!error_.ok() && tok_.type == Tok::kError) error_ = ParseError();
    return Fail(offset, code, std::move(message));
  }

  void Advance() {
    prev_end_ = tok_.end;
    tok_ = lex_.Next();
    if (tok_.type == Tok::kError) Fail(tok_.start, lex_.error_code(), lex_.error_message());
  }

  bool Enter() {
    if (++depth_ > options_.max_depth) {
      FailDepth(tok_.start);
      return false;
    }
    return true;
  }

  // Every node passes here: counts nodes and bounds the tree's height.
  template <typename T>
  std::unique_ptr<T> NewNode(uint32_t start, uint32_t height) {
    if (++nodes_ > options_.max_nodes) {
      FailNodes(start);
      return nullptr;
    }
    if (height > options_.max_depth) {
      FailDepth(start);
      return nullptr;
    }
    auto n = std::make_unique<T>();
    n->span.start = start;
    return n;
  }

  // ---- Expressions ----

  // Precedence climbing. Sets h_ to the height of the returned tree.
  ExprPtr ParseExpr(int min_prec) {
    if (!Enter()) return nullptr;
    ExprPtr lhs = ParseUnary();
    uint32_t lh = h_;
    while (lhs != nullptr && tok_.type == Tok::kBinaryOp) {
      BinaryOp op = tok_.binary_op;
      int prec = Precedence(op);
      if (prec < min_prec) break;
      Advance();
      auto bin = NewNode<Binary>(lhs->span.start, lh + 1);
      if (bin == nullptr) break;
      bin->op = op;
      if (!ParseBinaryModifiers(bin.get())) {
        lhs = nullptr;
        break;
      }
      // ^ is right-associative; everything else left-associative.
      ExprPtr rhs = ParseExpr(op == BinaryOp::kPow ? prec : prec + 1);
      if (rhs == nullptr) {
        lhs = nullptr;
        break;
      }
      uint32_t height = 1 + std::max(lh, h_);
      if (height > options_.max_depth) {
        FailDepth(bin->span.start);
        lhs = nullptr;
        break;
      }
      bin->lhs = std::move(lhs);
      bin->rhs = std::move(rhs);
      bin->span.end = bin->rhs->span.end;
      lhs = std::move(bin);
      lh = height;
    }
    --depth_;
    h_ = lh;
    return error_.ok() ? std::move(lhs) : nullptr;
  }

  // bool, on/ignoring (labels), group_left/group_right [(labels)].
  bool ParseBinaryModifiers(Binary* bin) {
    if (tok_.type == Tok::kBool) {
      bin->return_bool = true;
      Advance();
    }
    if (tok_.type == Tok::kOn || tok_.type == Tok::kIgnoring) {
      bin->has_matching = true;
      bin->matching.on = tok_.type == Tok::kOn;
      Advance();
      if (!ParseLabelList(&bin->matching.matching_labels)) return false;
      if (tok_.type == Tok::kGroupLeft || tok_.type == Tok::kGroupRight) {
        bin->matching.card = tok_.type == Tok::kGroupLeft ? Cardinality::kManyToOne
                                                          : Cardinality::kOneToMany;
        Advance();
        if (tok_.type == Tok::kLParen && !ParseLabelList(&bin->matching.include)) return false;
      }
    }
    return error_.ok();
  }

  // `(a, b, "c.d",)`: a grouping or matching label list.
  bool ParseLabelList(std::vector<std::string>* out) {
    if (tok_.type != Tok::kLParen) {
      Unexpected("grouping opts", "\"(\"");
      return false;
    }
    Advance();
    // Room for the usual few labels at once.
    if (tok_.type != Tok::kRParen && out->empty()) out->reserve(4);
    while (tok_.type != Tok::kRParen) {
      switch (tok_.type) {
        case Tok::kIdentifier:
        case Tok::kMetricIdentifier:  // `a:b`: any UTF-8 name is a label name
        case Tok::kAggregator:
        case Tok::kOffset:
        case Tok::kBy:
        case Tok::kWithout:
        case Tok::kOn:
        case Tok::kIgnoring:
        case Tok::kGroupLeft:
        case Tok::kGroupRight:
        case Tok::kBool:
        case Tok::kStart:
        case Tok::kEnd:
        case Tok::kStep:
        case Tok::kSmoothed:
        case Tok::kAnchored:
          out->emplace_back(lex_.Text(tok_));
          break;
        case Tok::kBinaryOp:
          if (tok_.binary_op != BinaryOp::kAnd && tok_.binary_op != BinaryOp::kOr &&
              tok_.binary_op != BinaryOp::kUnless && tok_.binary_op != BinaryOp::kAtan2) {
            Unexpected("grouping opts", "label");
            return false;
          }
          out->emplace_back(lex_.Text(tok_));
          break;
        case Tok::kString:
          if (lex_.string_value().empty() || !IsValidUtf8Name(lex_.string_value())) {
            std::string msg = "invalid label name for grouping: ";
            internal::AppendGoQuote(lex_.string_value(), &msg);
            Fail(tok_.start, ParseErrorCode::kSyntax, std::move(msg));
            return false;
          }
          out->emplace_back(lex_.string_value());
          break;
        case Tok::kEof:
        case Tok::kError:
        case Tok::kNumber:
        case Tok::kDuration:
        case Tok::kLParen:
        case Tok::kRParen:
        case Tok::kLBrace:
        case Tok::kRBrace:
        case Tok::kLBracket:
        case Tok::kRBracket:
        case Tok::kComma:
        case Tok::kColon:
        case Tok::kEql:
        case Tok::kEqlRegex:
        case Tok::kNeqRegex:
        case Tok::kAt:
          Unexpected("grouping opts", "label");
          return false;
      }
      Advance();
      if (tok_.type == Tok::kComma) {
        Advance();
      } else if (tok_.type != Tok::kRParen) {
        Unexpected("grouping opts", "\",\" or \")\"");
        return false;
      }
    }
    Advance();
    return error_.ok();
  }

  static bool IsValidUtf8Name(std::string_view s) {
    for (size_t i = 0; i < s.size();) {
      uint32_t r;
      int n = internal::DecodeRune(s, i, &r);
      if (n == 0) return false;
      i += n;
    }
    return true;
  }

  // Unary + and -, binding looser than ^ (so -2^2 is -(2^2)).
  ExprPtr ParseUnary() {
    if (tok_.type == Tok::kBinaryOp &&
        (tok_.binary_op == BinaryOp::kAdd || tok_.binary_op == BinaryOp::kSub)) {
      uint32_t start = tok_.start;
      bool negate = tok_.binary_op == BinaryOp::kSub;
      Advance();
      ExprPtr operand = ParseExpr(kPowPrecedence);
      if (operand == nullptr) return nullptr;
      if (operand->kind == NodeKind::kNumberLiteral) {
        // Folded, as Prometheus does: `-1` is the number -1.
        if (negate) operand->As<NumberLiteral>().value *= -1;
        operand->span.start = start;
        return operand;
      }
      auto u = NewNode<Unary>(start, h_ + 1);
      if (u == nullptr) return nullptr;
      u->negate = negate;
      u->span.end = operand->span.end;
      u->expr = std::move(operand);
      h_ += 1;
      return u;
    }
    ExprPtr e = ParsePrimary();
    if (e == nullptr) return nullptr;
    return ParsePostfix(std::move(e));
  }

  ExprPtr ParsePrimary() {
    uint32_t start = tok_.start;
    h_ = 1;
    switch (tok_.type) {
      case Tok::kNumber: {
        auto n = NewNode<NumberLiteral>(start, 1);
        if (n == nullptr) return nullptr;
        if (!ParseGoNumber(lex_.Text(tok_), &n->value)) {
          std::string msg = "error parsing number: strconv.ParseFloat: parsing ";
          internal::AppendGoQuote(lex_.Text(tok_), &msg);
          msg.append(": invalid syntax");
          return Fail(start, ParseErrorCode::kInvalidValue, std::move(msg));
        }
        n->span.end = tok_.end;
        Advance();
        return n;
      }
      case Tok::kDuration: {
        auto n = NewNode<NumberLiteral>(start, 1);
        if (n == nullptr) return nullptr;
        int64_t ms;
        if (!ParseDurationToken(&ms)) return nullptr;
        n->value = DurationSeconds(ms);
        n->is_duration = true;
        n->span.end = tok_.end;
        Advance();
        return n;
      }
      case Tok::kString: {
        auto s = NewNode<StringLiteral>(start, 1);
        if (s == nullptr) return nullptr;
        AppendView(lex_.string_value(), &s->value);
        s->span.end = tok_.end;
        Advance();
        return s;
      }
      case Tok::kLParen: {
        Advance();
        ExprPtr inner = ParseExpr(0);
        if (inner == nullptr) return nullptr;
        if (tok_.type != Tok::kRParen) return Unexpected("", "");
        auto p = NewNode<Paren>(start, h_ + 1);
        if (p == nullptr) return nullptr;
        p->span.end = tok_.end;
        p->expr = std::move(inner);
        h_ += 1;
        Advance();
        return p;
      }
      case Tok::kLBrace:
        return ParseSelector(start, "");
      case Tok::kIdentifier:
      case Tok::kMetricIdentifier: {
        Token name = tok_;
        Advance();
        if (name.type == Tok::kIdentifier && tok_.type == Tok::kLParen) return ParseCall(name);
        return ParseSelector(start, lex_.Text(name));
      }
      case Tok::kAggregator:
        return ParseAggregate();
      case Tok::kStep: {
        Token name = tok_;
        Advance();
        if (tok_.type != Tok::kLParen) return ParseSelector(start, lex_.Text(name));
        // `step()` outside a duration: Prometheus parses it as a
        // DurationExpr, which its checkAST() then rejects.
        Advance();
        if (tok_.type != Tok::kRParen) return Unexpected("", "");
        // Its checkAST() runs after the whole query parsed, so a later
        // syntax error wins: note this one, go on with a placeholder.
        if (!step_outside_duration_) step_outside_duration_ = start;
        auto placeholder = NewNode<NumberLiteral>(start, 1);
        if (placeholder == nullptr) return nullptr;
        placeholder->span.end = tok_.end;
        Advance();
        return placeholder;
      }
      // Keywords that Prometheus's grammar also takes as a metric name
      // (metric_identifier).
      case Tok::kOffset:
      case Tok::kBy:
      case Tok::kWithout:
      case Tok::kStart:
      case Tok::kEnd:
      case Tok::kSmoothed:
      case Tok::kAnchored: {
        Token name = tok_;
        Advance();
        return ParseSelector(start, lex_.Text(name));
      }
      case Tok::kBinaryOp:
        // `and`, `or` and `unless` are metric names too (metric_identifier).
        if (tok_.binary_op == BinaryOp::kAnd || tok_.binary_op == BinaryOp::kOr ||
            tok_.binary_op == BinaryOp::kUnless) {
          Token name = tok_;
          Advance();
          return ParseSelector(start, lex_.Text(name));
        }
        break;
      case Tok::kEof:
      case Tok::kError:
      case Tok::kRParen:
      case Tok::kRBrace:
      case Tok::kLBracket:
      case Tok::kRBracket:
      case Tok::kComma:
      case Tok::kColon:
      case Tok::kEql:
      case Tok::kEqlRegex:
      case Tok::kNeqRegex:
      case Tok::kAt:
      case Tok::kOn:
      case Tok::kIgnoring:
      case Tok::kGroupLeft:
      case Tok::kGroupRight:
      case Tok::kBool:
        break;
    }
    return Unexpected("", "");
  }

  static double DurationSeconds(int64_t ms) {
    // Go's time.Duration.Seconds() of ms milliseconds.
    int64_t sec = ms / 1000;
    int64_t nsec = (ms % 1000) * 1'000'000;
    return static_cast<double>(sec) + static_cast<double>(nsec) / 1e9;
  }

  bool ParseDurationToken(int64_t* ms) {
    if (!internal::ParsePromDuration(lex_.Text(tok_), ms)) {
      Fail(tok_.start, ParseErrorCode::kInvalidValue, internal::PromDurationError(lex_.Text(tok_)));
      return false;
    }
    return true;
  }

  // `(args)` after a function name; the current token is `(`.
  template <typename Args>
  bool ParseArgs(Args* args, uint32_t* max_height) {
    Advance();
    *max_height = 0;
    while (tok_.type != Tok::kRParen) {
      ExprPtr arg = ParseExpr(0);
      if (arg == nullptr) return false;
      *max_height = std::max(*max_height, h_);
      args->push_back(std::move(arg));
      if (tok_.type == Tok::kComma) {
        uint32_t comma = tok_.start;
        Advance();
        if (tok_.type == Tok::kRParen) {
          Fail(comma, ParseErrorCode::kSyntax, "trailing commas not allowed in function call args");
          return false;
        }
      } else if (tok_.type != Tok::kRParen) {
        Unexpected("", "");
        return false;
      }
    }
    prev_end_ = tok_.end;
    Advance();
    return error_.ok();
  }

  ExprPtr ParseCall(const Token& name) {
    if (!Enter()) return nullptr;
    auto call = NewNode<Call>(name.start, 1);
    if (call == nullptr) return nullptr;
    // Looked up first to size the arguments; an unknown name is reported
    // after them, as Prometheus does.
    call->function = FindFunction(lex_.Text(name));
    if (call->function != nullptr) call->args.reserve(std::max<size_t>(1, call->function->arg_types.size()));
    uint32_t height;
    if (!ParseArgs(&call->args, &height)) return nullptr;
    call->span.end = prev_end_;
    if (call->function == nullptr) {
      std::string msg = "unknown function with name ";
      internal::AppendGoQuote(lex_.Text(name), &msg);
      return Fail(name.start, ParseErrorCode::kSyntax, std::move(msg));
    }
    if (call->function->experimental && !options_.enable_experimental_functions) {
      std::string msg = "function ";
      internal::AppendGoQuote(lex_.Text(name), &msg);
      msg.append(" is not enabled");
      return Fail(name.start, ParseErrorCode::kSyntax, std::move(msg));
    }
    --depth_;
    h_ = height + 1;
    if (h_ > options_.max_depth) {
      return FailDepth(name.start);
    }
    return call;
  }

  ExprPtr ParseAggregate() {
    if (!Enter()) return nullptr;
    Token op = tok_;
    Advance();
    if (tok_.type != Tok::kLParen && tok_.type != Tok::kBy && tok_.type != Tok::kWithout) {
      // Prometheus's grammar also takes an aggregator as a metric name
      // (metric_identifier) when neither `(` nor a grouping follows it:
      // `sum`, `count + 1`, `topk{job="a"}`.
      --depth_;
      return ParseSelector(op.start, lex_.Text(op));
    }
    auto agg = NewNode<Aggregate>(op.start, 1);
    if (agg == nullptr) return nullptr;
    agg->op = op.aggregate_op;
    bool modifier = false;
    if (tok_.type == Tok::kBy || tok_.type == Tok::kWithout) {
      agg->without = tok_.type == Tok::kWithout;
      Advance();
      if (!ParseLabelList(&agg->grouping)) return nullptr;
      modifier = true;
    }
    if (tok_.type != Tok::kLParen) return Unexpected("aggregation", "");
    absl::InlinedVector<ExprPtr, 2> args;
    uint32_t height;
    ++aggregate_args_;
    bool args_ok = ParseArgs(&args, &height);
    --aggregate_args_;
    if (!args_ok) return nullptr;
    agg->span.end = prev_end_;
    if (!modifier && (tok_.type == Tok::kBy || tok_.type == Tok::kWithout)) {
      agg->without = tok_.type == Tok::kWithout;
      Advance();
      if (!ParseLabelList(&agg->grouping)) return nullptr;
      agg->span.end = prev_end_;
    }
    if (args.empty()) {
      return Fail(op.start, ParseErrorCode::kSyntax, "no arguments for aggregate expression provided");
    }
    size_t want = 1;
    if (AggregateTakesParam(agg->op)) {
      if ((agg->op == AggregateOp::kLimitk || agg->op == AggregateOp::kLimitRatio) &&
          !options_.enable_experimental_functions) {
        return Fail(op.start, ParseErrorCode::kSyntax,
                    StrCat(AggregateOpName(agg->op),
                           "() is experimental and must be enabled with "
                           "--enable-feature=promql-experimental-functions"));
      }
      want = 2;
    }
    if (args.size() != want) {
      return Fail(op.start, ParseErrorCode::kSyntax,
                  StrCat("wrong number of arguments for aggregate expression provided, expected ",
                         want, ", got ", args.size()));
    }
    if (want == 2) agg->param = std::move(args[0]);
    agg->expr = std::move(args[want - 1]);
    --depth_;
    h_ = height + 1;
    if (h_ > options_.max_depth) {
      return FailDepth(op.start);
    }
    return agg;
  }

  // `name`, `name{...}` or `{...}`; the current token is after the name.
  ExprPtr ParseSelector(uint32_t start, std::string_view name) {
    if (++selectors_ > options_.max_selectors) {
      return FailSelectors(start);
    }
    auto vs = NewNode<VectorSelector>(start, 1);
    if (vs == nullptr) return nullptr;
    AppendView(name, &vs->name);
    vs->span.end = prev_end_;
    if (tok_.type == Tok::kLBrace) {
      if (!ParseMatchers(vs.get())) return nullptr;
      vs->span.end = prev_end_;
    }
    h_ = 1;
    return vs;
  }

  bool ParseMatchers(VectorSelector* vs) {
    Advance();  // {
    while (tok_.type != Tok::kRBrace) {
      if (vs->matchers.size() >= options_.max_matchers_per_selector) {
        FailMatchers(tok_.start);
        return false;
      }
      // Most selectors have a few matchers, and the injector adds its own:
      // one allocation instead of growing 1, 2, 4.
      if (vs->matchers.empty()) vs->matchers.reserve(4);
      vs->matchers.emplace_back();
      LabelMatcher& m = vs->matchers.back();
      m.span.start = tok_.start;
      if (tok_.type == Tok::kIdentifier) {
        AppendView(lex_.Text(tok_), &m.name);
      } else if (tok_.type == Tok::kString) {
        AppendView(lex_.string_value(), &m.name);
      } else {
        Unexpected("label matching", "identifier or \"}\"");
        return false;
      }
      bool quoted = tok_.type == Tok::kString;
      Advance();
      if (quoted && (tok_.type == Tok::kComma || tok_.type == Tok::kRBrace)) {
        // `{"metric.name"}`: the metric name.
        m.value = std::move(m.name);
        m.name = "__name__";
        m.op = MatchOp::kEqual;
      } else {
        if (tok_.type == Tok::kEql) {
          m.op = MatchOp::kEqual;
        } else if (tok_.type == Tok::kEqlRegex) {
          m.op = MatchOp::kRegexMatch;
        } else if (tok_.type == Tok::kNeqRegex) {
          m.op = MatchOp::kRegexNoMatch;
        } else if (tok_.type == Tok::kBinaryOp && tok_.binary_op == BinaryOp::kNeq) {
          m.op = MatchOp::kNotEqual;
        } else {
          // After a quoted name Prometheus's grammar had a complete
          // matcher (`{"metric.name"}`), so it expects the list to go on.
          Unexpected("label matching", quoted ? "\",\" or \"}\"" : "label matching operator");
          return false;
        }
        Advance();
        if (tok_.type != Tok::kString) {
          Unexpected("label matching", "string");
          return false;
        }
        AppendView(lex_.string_value(), &m.value);
        Advance();
      }
      // An identifier is a valid name; only a quoted one needs the check.
      if (quoted && (m.name.empty() || !IsValidUtf8Name(m.name))) {
        Fail(m.span.start, ParseErrorCode::kInvalidName, "invalid label name");
        return false;
      }
      m.span.end = prev_end_;
      if (tok_.type == Tok::kComma) {
        Advance();
      } else if (tok_.type != Tok::kRBrace) {
        Unexpected("label matching", "\",\" or \"}\"");
        return false;
      }
    }
    Advance();  // }
    return error_.ok();
  }

  // [range], [range:step], offset, @ after an expression.
  ExprPtr ParsePostfix(ExprPtr e) {
    uint32_t height = h_;
    while (e != nullptr && error_.ok()) {
      if (tok_.type == Tok::kLBracket) {
        e = ParseRange(std::move(e), &height);
      } else if (tok_.type == Tok::kOffset) {
        e = ParseOffset(std::move(e));
      } else if (tok_.type == Tok::kAt) {
        e = ParseAt(std::move(e));
      } else if (tok_.type == Tok::kAnchored || tok_.type == Tok::kSmoothed) {
        e = ParseExtendedRange(std::move(e));
      } else {
        break;
      }
    }
    h_ = height;
    return error_.ok() ? std::move(e) : nullptr;
  }

  // A number or duration in brackets or after offset/@, in nanoseconds.
  bool ParseDurationValue(std::string_view context, std::string_view expected, bool allow_sign,
                          double* seconds) {
    bool negate = false;
    if (allow_sign && tok_.type == Tok::kBinaryOp &&
        (tok_.binary_op == BinaryOp::kAdd || tok_.binary_op == BinaryOp::kSub)) {
      negate = tok_.binary_op == BinaryOp::kSub;
      Advance();
    }
    if (tok_.type == Tok::kNumber) {
      if (!ParseGoNumber(lex_.Text(tok_), seconds)) {
        Fail(tok_.start, ParseErrorCode::kInvalidValue, "error parsing number");
        return false;
      }
    } else if (tok_.type == Tok::kDuration) {
      int64_t ms;
      if (!ParseDurationToken(&ms)) return false;
      *seconds = DurationSeconds(ms);
    } else {
      Unexpected(context, expected);
      return false;
    }
    if (negate) *seconds = -*seconds;
    Advance();
    return true;
  }

  static int64_t SecondsToNs(double s) { return static_cast<int64_t>(std::llround(s * 1e9)); }

  ExprPtr ParseRange(ExprPtr e, uint32_t* height) {
    uint32_t open = tok_.start;
    Advance();  // [
    int64_t range_ns = 0;
    DurationExprPtr range_expr;
    if (!ParsePositiveDuration(kRangeContext, &range_ns, &range_expr)) return nullptr;
    if (tok_.type == Tok::kRBracket) {
      const char* err = nullptr;
      if (e->kind != NodeKind::kVectorSelector) {
        err = "ranges only allowed for vector selectors";
      } else if (e->As<VectorSelector>().modifiers.offset_ns != 0) {
        // Not offset_expr: Prometheus checks only the literal offset.
        err = "no offset modifiers allowed before range";
      } else if (e->As<VectorSelector>().modifiers.at == AtKind::kTimestamp) {
        // Prometheus checks only a literal timestamp: `x @ end() [5m]` is
        // accepted (and printed `x[5m] @ end()`).
        err = "no @ modifiers allowed before range";
      }
      if (err != nullptr) return Fail(open, ParseErrorCode::kSyntax, err);
      auto m = NewNode<MatrixSelector>(e->span.start, *height + 1);
      if (m == nullptr) return nullptr;
      m->selector.reset(&e.release()->As<VectorSelector>());
      m->range_ns = range_ns;
      m->range_expr = std::move(range_expr);
      m->span.end = tok_.end;
      Advance();
      *height += 1;
      return m;
    }
    if (tok_.type != Tok::kColon) return Unexpected("subquery or range", "\":\" or \"]\"");
    Advance();
    auto sq = NewNode<Subquery>(e->span.start, *height + 1);
    if (sq == nullptr) return nullptr;
    sq->range_ns = range_ns;
    sq->range_expr = std::move(range_expr);
    if (tok_.type != Tok::kRBracket) {
      if (!ParsePositiveDuration(kStepContext, &sq->step_ns, &sq->step_expr)) return nullptr;
      if (tok_.type != Tok::kRBracket) return Unexpected("subquery selector", "\"]\"");
    }
    sq->span.end = tok_.end;
    Advance();
    sq->expr = std::move(e);
    *height += 1;
    return sq;
  }

  // ---- Duration expressions (generated_parser.y's duration_expr) ----

  // Where a duration is parsed: the context and expectation of Prometheus's
  // "unexpected ..." message there.
  struct DurationContext {
    std::string_view context;
    std::string_view expected;
  };
  static constexpr DurationContext kRangeContext = {"subquery or range selector",
                                                    "number, duration, or step()"};
  static constexpr DurationContext kStepContext = {
      "subquery selector", "number, duration, or step() or \"]\""};
  static constexpr DurationContext kOffsetContext = {"offset", "number, duration, or step()"};

  // Prometheus's DurationExpr.PositionRange().Start: a binary expression,
  // min() and max() start where their left operand does.
  static uint32_t DurationStart(const DurationExpr* d) {
    while (d->lhs != nullptr) d = d->lhs.get();
    return d->span.start;
  }

  static bool IsDurationOperator(const Token& t) {
    if (t.type != Tok::kBinaryOp) return false;
    switch (t.binary_op) {
      case BinaryOp::kAdd:
      case BinaryOp::kSub:
      case BinaryOp::kMul:
      case BinaryOp::kDiv:
      case BinaryOp::kMod:
      case BinaryOp::kPow:
        return true;
      case BinaryOp::kAtan2:
      case BinaryOp::kEqlc:
      case BinaryOp::kNeq:
      case BinaryOp::kGtr:
      case BinaryOp::kLss:
      case BinaryOp::kGte:
      case BinaryOp::kLte:
      case BinaryOp::kAnd:
      case BinaryOp::kOr:
      case BinaryOp::kUnless:
        return false;
    }
    return false;
  }

  static bool IsSign(const Token& t) {
    return t.type == Tok::kBinaryOp && (t.binary_op == BinaryOp::kAdd || t.binary_op == BinaryOp::kSub);
  }

  static bool IsMinMax(const Token& t) {
    return t.type == Tok::kAggregator &&
           (t.aggregate_op == AggregateOp::kMin || t.aggregate_op == AggregateOp::kMax);
  }

  DurationExprPtr NewDuration(DurationOp op, uint32_t start) {
    if (++nodes_ > options_.max_nodes) {
      FailNodes(start);
      return nullptr;
    }
    auto d = std::make_unique<DurationExpr>();
    d->op = op;
    d->span.start = start;
    return d;
  }

  // The literal in `number_duration_literal`, range-checked.
  DurationExprPtr ParseDurationLiteral() {
    uint32_t start = tok_.start;
    auto d = NewDuration(DurationOp::kLiteral, start);
    if (d == nullptr) return nullptr;
    if (tok_.type == Tok::kNumber) {
      if (!ParseGoNumber(lex_.Text(tok_), &d->seconds)) {
        return Fail(start, ParseErrorCode::kInvalidValue, "error parsing number");
      }
    } else {
      int64_t ms;
      if (!ParseDurationToken(&ms)) return nullptr;
      d->seconds = DurationSeconds(ms);
      d->is_duration = true;
    }
    if (!InDurationRange(d->seconds)) {
      return Fail(start, ParseErrorCode::kInvalidValue, "duration out of range");
    }
    d->span.end = tok_.end;
    Advance();
    return d;
  }

  static bool InDurationRange(double s) {
    return s <= 9223372036.854775807 && s >= -9223372036.854775808;
  }

  // `step()`, `min(a, b)`, `max(a, b)`; the current token is the name.
  DurationExprPtr ParseDurationCall(const DurationContext& ctx) {
    Token name = tok_;
    DurationOp op = name.type == Tok::kStep ? DurationOp::kStep
                    : name.aggregate_op == AggregateOp::kMin ? DurationOp::kMin
                                                             : DurationOp::kMax;
    auto d = NewDuration(op, name.start);
    if (d == nullptr) return nullptr;
    Advance();
    if (tok_.type != Tok::kLParen) return Unexpected(ctx.context, ctx.expected);
    Advance();
    if (op != DurationOp::kStep) {
      d->lhs = ParseDurationExpr(0, ctx);
      if (d->lhs == nullptr) return nullptr;
      if (tok_.type != Tok::kComma) return Unexpected(ctx.context, ctx.expected);
      Advance();
      d->rhs = ParseDurationExpr(0, ctx);
      if (d->rhs == nullptr) return nullptr;
    }
    if (tok_.type != Tok::kRParen) return Unexpected(ctx.context, ctx.expected);
    d->span.end = tok_.end;
    Advance();
    return d;
  }

  // `-d` / `+d` once the sign is consumed: a literal absorbs it, `-` of an
  // expression is kNegate, `+` of an expression is the expression.
  DurationExprPtr ApplySign(const Token& sign, DurationExprPtr d) {
    bool negate = sign.binary_op == BinaryOp::kSub;
    if (d->op == DurationOp::kLiteral) {
      if (negate) d->seconds = -d->seconds;
      d->span.start = sign.start;
      return d;
    }
    if (!negate) return d;
    auto n = NewDuration(DurationOp::kNegate, sign.start);
    if (n == nullptr) return nullptr;
    n->span.end = d->span.end;
    n->rhs = std::move(d);
    return n;
  }

  bool CheckDurationExprEnabled(const DurationExpr& d) {
    if (options_.enable_duration_expressions) return true;
    Fail(DurationStart(&d), ParseErrorCode::kSyntax, "experimental duration expression is not enabled");
    return false;
  }

  DurationExprPtr ParseDurationPrimary(const DurationContext& ctx) {
    if (IsSign(tok_)) {
      Token sign = tok_;
      Advance();
      // `unary_op duration_expr %prec MUL`: the operand binds like ^.
      DurationExprPtr operand = ParseDurationExpr(kPowPrecedence, ctx);
      if (operand == nullptr) return nullptr;
      return ApplySign(sign, std::move(operand));
    }
    if (tok_.type == Tok::kNumber || tok_.type == Tok::kDuration) return ParseDurationLiteral();
    if (tok_.type == Tok::kStep || IsMinMax(tok_)) return ParseDurationCall(ctx);
    if (tok_.type == Tok::kLParen) {
      {
        Advance();
        DurationExprPtr inner = ParseDurationExpr(0, ctx);
        if (inner == nullptr) return nullptr;
        if (tok_.type != Tok::kRParen) return Unexpected(ctx.context, ctx.expected);
        Advance();
        if (!CheckDurationExprEnabled(*inner)) return nullptr;
        // A parenthesized literal is the literal (Prometheus keeps no
        // parentheses around a NumberLiteral here).
        if (inner->op != DurationOp::kLiteral) inner->wrapped = true;
        return inner;
      }
    }
    return Unexpected(ctx.context, ctx.expected);
  }

  // Precedence climbing over + - * / % ^ (^ right-associative), as
  // ParseExpr. Recursion is bounded by max_depth through Enter().
  DurationExprPtr ParseDurationExpr(int min_prec, const DurationContext& ctx) {
    if (!Enter()) return nullptr;
    DurationExprPtr lhs = ParseDurationPrimary(ctx);
    lhs = ParseDurationRest(std::move(lhs), min_prec, ctx);
    --depth_;
    return lhs;
  }

  DurationExprPtr ParseDurationRest(DurationExprPtr lhs, int min_prec, const DurationContext& ctx) {
    while (lhs != nullptr && IsDurationOperator(tok_)) {
      Token op = tok_;
      int prec = Precedence(op.binary_op);
      if (prec < min_prec) break;
      Advance();
      DurationExprPtr rhs =
          ParseDurationExpr(op.binary_op == BinaryOp::kPow ? prec : prec + 1, ctx);
      if (rhs == nullptr) return nullptr;
      if (!CheckDurationExprEnabled(*lhs)) return nullptr;
      if ((op.binary_op == BinaryOp::kDiv || op.binary_op == BinaryOp::kMod) &&
          rhs->op == DurationOp::kLiteral && rhs->seconds == 0) {
        return Fail(op.start, ParseErrorCode::kSyntax,
                    op.binary_op == BinaryOp::kDiv ? "division by zero" : "modulo by zero");
      }
      DurationOp dop = op.binary_op == BinaryOp::kAdd   ? DurationOp::kAdd
                       : op.binary_op == BinaryOp::kSub ? DurationOp::kSub
                       : op.binary_op == BinaryOp::kMul ? DurationOp::kMul
                       : op.binary_op == BinaryOp::kDiv ? DurationOp::kDiv
                       : op.binary_op == BinaryOp::kMod ? DurationOp::kMod
                                                        : DurationOp::kPow;
      auto bin = NewDuration(dop, lhs->span.start);
      if (bin == nullptr) return nullptr;
      bin->span.end = rhs->span.end;
      bin->lhs = std::move(lhs);
      bin->rhs = std::move(rhs);
      lhs = std::move(bin);
    }
    return error_.ok() ? std::move(lhs) : nullptr;
  }

  // A literal becomes *ns, anything else *expr.
  bool StoreDuration(DurationExprPtr d, int64_t* ns, DurationExprPtr* expr) {
    if (d->op == DurationOp::kLiteral) {
      *ns = SecondsToNs(d->seconds);
      expr->reset();
    } else {
      *ns = 0;
      *expr = std::move(d);
    }
    return true;
  }

  // positive_duration_expr: a range or a subquery step.
  bool ParsePositiveDuration(const DurationContext& ctx, int64_t* ns, DurationExprPtr* expr) {
    DurationExprPtr d = ParseDurationExpr(0, ctx);
    if (d == nullptr) return false;
    if (d->op == DurationOp::kLiteral && d->seconds <= 0) {
      Fail(d->span.start, ParseErrorCode::kInvalidValue, "duration must be greater than 0");
      return false;
    }
    return StoreDuration(std::move(d), ns, expr);
  }

  // offset_duration_expr. A literal, step(), min() or max(), signed or not,
  // ends the offset (`foo offset 1m + 2m` adds 2m to the selector); so does
  // `-(d)`. A parenthesis or a sign followed by anything else starts a
  // duration expression that takes the operators that follow.
  bool ParseOffsetDuration(int64_t* ns, DurationExprPtr* expr) {
    const DurationContext& ctx = kOffsetContext;
    DurationExprPtr d;
    if (IsSign(tok_)) {
      Token sign = tok_;
      Advance();
      if (tok_.type == Tok::kNumber || tok_.type == Tok::kDuration) {
        d = ParseDurationLiteral();
        if (d != nullptr) d = ApplySign(sign, std::move(d));
      } else if (tok_.type == Tok::kStep || IsMinMax(tok_)) {
        d = ParseDurationCall(ctx);
        if (d != nullptr) d = ApplySign(sign, std::move(d));
      } else if (tok_.type == Tok::kLParen) {
        Advance();
        if (!Enter()) return false;
        d = ParseDurationExpr(0, ctx);
        --depth_;
        if (d == nullptr) return false;
        if (tok_.type != Tok::kRParen) {
          Unexpected(ctx.context, ctx.expected);
          return false;
        }
        Advance();
        if (d->op == DurationOp::kLiteral) {
          // Prometheus panics here (a failed type assertion) and reports
          // "unexpected error" without a position.
          Fail(sign.start, ParseErrorCode::kSyntax,
               "unexpected error: a parenthesized number after a sign in offset");
          return false;
        }
        d->wrapped = true;
        d = ApplySign(sign, std::move(d));
      } else {
        if (!Enter()) return false;
        d = ParseDurationExpr(kPowPrecedence, ctx);
        if (d != nullptr) d = ApplySign(sign, std::move(d));
        d = ParseDurationRest(std::move(d), 0, ctx);
        --depth_;
      }
    } else if (tok_.type == Tok::kNumber || tok_.type == Tok::kDuration) {
      d = ParseDurationLiteral();
    } else if (tok_.type == Tok::kStep || IsMinMax(tok_)) {
      d = ParseDurationCall(ctx);
    } else if (tok_.type == Tok::kLParen) {
      d = ParseDurationExpr(0, ctx);
    } else {
      Unexpected(ctx.context, ctx.expected);
      return false;
    }
    if (d == nullptr) return false;
    return StoreDuration(std::move(d), ns, expr);
  }

  TimeModifiers* ModifiersOf(Expr* e) {
    switch (e->kind) {
      case NodeKind::kVectorSelector: return &e->As<VectorSelector>().modifiers;
      case NodeKind::kMatrixSelector: return &e->As<MatrixSelector>().selector->modifiers;
      case NodeKind::kSubquery: return &e->As<Subquery>().modifiers;
      case NodeKind::kNumberLiteral:
      case NodeKind::kStringLiteral:
      case NodeKind::kCall:
      case NodeKind::kAggregate:
      case NodeKind::kBinary:
      case NodeKind::kUnary:
      case NodeKind::kParen:
        return nullptr;
    }
    return nullptr;
  }

  ExprPtr ParseOffset(ExprPtr e) {
    Advance();  // offset
    int64_t ns = 0;
    DurationExprPtr expr;
    if (!ParseOffsetDuration(&ns, &expr)) return nullptr;
    TimeModifiers* m = ModifiersOf(e.get());
    if (m == nullptr) {
      return FailBeforeLookahead(e->span.start, ParseErrorCode::kSyntax,
                  "offset modifier must be preceded by an instant vector selector or range "
                  "vector selector or a subquery");
    }
    if (m->offset_ns != 0 || m->offset_expr != nullptr) {
      return Fail(e->span.start, ParseErrorCode::kSyntax, "offset may not be set multiple times");
    }
    m->offset_ns = ns;
    m->offset_expr = std::move(expr);
    e->span.end = prev_end_;
    return e;
  }

  // `anchored` / `smoothed` after a selector (parse.go's setAnchored()).
  ExprPtr ParseExtendedRange(ExprPtr e) {
    bool anchored = tok_.type == Tok::kAnchored;
    std::string_view name = anchored ? "anchored" : "smoothed";
    uint32_t start = e->span.start;
    if (!options_.enable_extended_range_selectors) {
      // Before reading on: Prometheus reports this ahead of what follows.
      return Fail(start, ParseErrorCode::kSyntax,
                  StrCat(name, " modifier is experimental and not enabled"));
    }
    Advance();
    VectorSelector* vs = nullptr;
    switch (e->kind) {
      case NodeKind::kVectorSelector: vs = &e->As<VectorSelector>(); break;
      case NodeKind::kMatrixSelector: vs = e->As<MatrixSelector>().selector.get(); break;
      case NodeKind::kSubquery:
        return Fail(start, ParseErrorCode::kSyntax,
                    StrCat(name, " modifier is not supported for subqueries"));
      case NodeKind::kNumberLiteral:
      case NodeKind::kStringLiteral:
      case NodeKind::kCall:
      case NodeKind::kAggregate:
      case NodeKind::kBinary:
      case NodeKind::kUnary:
      case NodeKind::kParen:
        return Fail(start, ParseErrorCode::kSyntax, StrCat(name, " modifier not implemented"));
    }
    (anchored ? vs->anchored : vs->smoothed) = true;
    if (vs->anchored && vs->smoothed) {
      return Fail(start, ParseErrorCode::kSyntax,
                  "anchored and smoothed modifiers cannot be used together");
    }
    e->span.end = prev_end_;
    return e;
  }

  ExprPtr ParseAt(ExprPtr e) {
    Advance();  // @
    AtKind kind;
    int64_t ms = 0;
    if (tok_.type == Tok::kStart || tok_.type == Tok::kEnd) {
      kind = tok_.type == Tok::kStart ? AtKind::kStart : AtKind::kEnd;
      Advance();
      if (tok_.type != Tok::kLParen) return Unexpected("@", "\"(\"");
      Advance();
      if (tok_.type != Tok::kRParen) return Unexpected("@", "\")\"");
      Advance();
    } else {
      double s;
      if (!ParseDurationValue("@", "timestamp", true, &s)) return nullptr;
      double v = std::round(s * 1000);
      if (!(v <= 9.2e18 && v >= -9.2e18)) {
        // Go's %f, reported (as Prometheus does) at the modified expression.
        char buf[64];
        if (std::isnan(s)) {
          snprintf(buf, sizeof(buf), "NaN");
        } else if (std::isinf(s)) {
          snprintf(buf, sizeof(buf), "%sInf", s > 0 ? "+" : "-");
        } else {
          snprintf(buf, sizeof(buf), "%f", s);
        }
        return Fail(e->span.start, ParseErrorCode::kInvalidValue,
                    StrCat("timestamp out of bounds for @ modifier: ", buf));
      }
      kind = AtKind::kTimestamp;
      ms = static_cast<int64_t>(v);
    }
    TimeModifiers* m = ModifiersOf(e.get());
    if (m == nullptr) {
      return FailBeforeLookahead(e->span.start, ParseErrorCode::kSyntax,
                  "@ modifier must be preceded by an instant vector selector or range vector "
                  "selector or a subquery");
    }
    if (m->at != AtKind::kNone) {
      return Fail(e->span.start, ParseErrorCode::kSyntax, "@ <timestamp> may not be set multiple times");
    }
    m->at = kind;
    m->at_ms = ms;
    e->span.end = prev_end_;
    return e;
  }

  // ---- Static checks (checkAST) ----

  void ExpectType(const Expr* e, ValueType want, std::string_view context) {
    ValueType t = Check(e);
    if (t != want) {
      Fail(e->span.start, ParseErrorCode::kSyntax,
           StrCat("expected type ", ValueTypeName(want), " in ", context, ", got ", ValueTypeName(t)));
    }
  }

  uint32_t OpPos(const Binary& b) {
    uint32_t p = b.lhs->span.end;
    while (p < query_.size() && (query_[p] == ' ' || query_[p] == '\t' || query_[p] == '\n' ||
                                 query_[p] == '\r')) {
      ++p;
    }
    return p;
  }

  // Checks `e` and returns its type (Expr::type(), computed bottom-up here
  // rather than again at every level).
  ValueType Check(const Expr* e) {
    switch (e->kind) {
      case NodeKind::kNumberLiteral:
        return ValueType::kScalar;
      case NodeKind::kStringLiteral:
        return ValueType::kString;
      case NodeKind::kAggregate: {
        const auto& a = e->As<Aggregate>();
        ExpectType(a.expr.get(), ValueType::kVector, "aggregation expression");
        if (a.param != nullptr) {
          ExpectType(a.param.get(),
                     a.op == AggregateOp::kCountValues ? ValueType::kString : ValueType::kScalar,
                     "aggregation parameter");
        }
        return ValueType::kVector;
      }
      case NodeKind::kBinary:
        return CheckBinary(const_cast<Binary&>(e->As<Binary>()));
      case NodeKind::kCall:
        CheckCall(const_cast<Call&>(e->As<Call>()));
        return e->type();
      case NodeKind::kParen:
        return Check(e->As<Paren>().expr.get());
      case NodeKind::kUnary: {
        ValueType t = Check(e->As<Unary>().expr.get());
        if (t != ValueType::kScalar && t != ValueType::kVector) {
          std::string msg = "unary expression only allowed on expressions of type scalar or instant vector, got ";
          internal::AppendGoQuote(ValueTypeName(t), &msg);
          Fail(e->span.start, ParseErrorCode::kSyntax, std::move(msg));
        }
        return t;
      }
      case NodeKind::kSubquery: {
        ValueType t = Check(e->As<Subquery>().expr.get());
        if (t != ValueType::kVector) {
          Fail(e->span.start, ParseErrorCode::kSyntax,
               StrCat("subquery is only allowed on instant vector, got ", ShortTypeName(t), " instead"));
        }
        return ValueType::kMatrix;
      }
      case NodeKind::kMatrixSelector:
        Check(e->As<MatrixSelector>().selector.get());
        return ValueType::kMatrix;
      case NodeKind::kVectorSelector:
        CheckSelector(e->As<VectorSelector>());
        return ValueType::kVector;
    }
    return ValueType::kNone;
  }

  // ValueType's String() (used by the subquery message): "matrix", "vector"...
  static std::string_view ShortTypeName(ValueType t) {
    switch (t) {
      case ValueType::kNone: return "none";
      case ValueType::kScalar: return "scalar";
      case ValueType::kVector: return "vector";
      case ValueType::kMatrix: return "matrix";
      case ValueType::kString: return "string";
    }
    return "none";
  }

  // Returns the type of `b`.
  ValueType CheckBinary(Binary& b) {
    ValueType lt = Check(b.lhs.get());
    ValueType rt = Check(b.rhs.get());
    if (b.return_bool && !IsComparison(b.op)) {
      Fail(OpPos(b), ParseErrorCode::kSyntax, "bool modifier can only be used on comparison operators");
    }
    if (IsComparison(b.op) && !b.return_bool && lt == ValueType::kScalar && rt == ValueType::kScalar) {
      Fail(OpPos(b), ParseErrorCode::kSyntax, "comparisons between scalars must use BOOL modifier");
    }
    if (IsSetOp(b.op) && b.matching.card == Cardinality::kOneToOne) {
      b.matching.card = Cardinality::kManyToMany;
    }
    if (b.matching.on) {
      for (const std::string& l1 : b.matching.matching_labels) {
        for (const std::string& l2 : b.matching.include) {
          if (l1 == l2) {
            std::string msg = "label ";
            internal::AppendGoQuote(l1, &msg);
            msg.append(" must not occur in ON and GROUP clause at once");
            Fail(OpPos(b), ParseErrorCode::kSyntax, std::move(msg));
          }
        }
      }
    }
    if (lt != ValueType::kScalar && lt != ValueType::kVector) {
      Fail(b.lhs->span.start, ParseErrorCode::kSyntax,
           "binary expression must contain only scalar and instant vector types");
    }
    if (rt != ValueType::kScalar && rt != ValueType::kVector) {
      Fail(b.rhs->span.start, ParseErrorCode::kSyntax,
           "binary expression must contain only scalar and instant vector types");
    }
    if (lt != ValueType::kVector || rt != ValueType::kVector) {
      if (b.has_matching && !b.matching.matching_labels.empty()) {
        Fail(b.span.start, ParseErrorCode::kSyntax, "vector matching only allowed between instant vectors");
      }
      b.has_matching = false;
      b.matching = VectorMatching();
    } else if (IsSetOp(b.op)) {
      if (b.matching.card == Cardinality::kOneToMany || b.matching.card == Cardinality::kManyToOne) {
        std::string msg = "no grouping allowed for ";
        internal::AppendGoQuote(BinaryOpName(b.op), &msg);
        msg.append(" operation");
        Fail(b.span.start, ParseErrorCode::kSyntax, std::move(msg));
      }
    }
    if ((lt == ValueType::kScalar || rt == ValueType::kScalar) && IsSetOp(b.op)) {
      std::string msg = "set operator ";
      internal::AppendGoQuote(BinaryOpName(b.op), &msg);
      msg.append(" not allowed in binary scalar expression");
      Fail(b.span.start, ParseErrorCode::kSyntax, std::move(msg));
    }
    return lt == ValueType::kScalar && rt == ValueType::kScalar ? ValueType::kScalar : ValueType::kVector;
  }

  void CheckCall(Call& c) {
    const FunctionInfo& f = *c.function;
    size_t nargs = f.arg_types.size();
    // The quoted name, for messages only.
    auto quoted = [&f] {
      std::string q;
      internal::AppendGoQuote(f.name, &q);
      return q;
    };
    if (f.variadic == 0) {
      if (nargs != c.args.size()) {
        Fail(c.span.start, ParseErrorCode::kSyntax,
             StrCat("expected ", nargs, " argument(s) in call to ", quoted(), ", got ", c.args.size()));
      }
    } else {
      size_t na = nargs - 1;
      if (na > c.args.size()) {
        Fail(c.span.start, ParseErrorCode::kSyntax,
             StrCat("expected at least ", na, " argument(s) in call to ", quoted(), ", got ",
                    c.args.size()));
      } else if (f.variadic > 0 && na + f.variadic < c.args.size()) {
        Fail(c.span.start, ParseErrorCode::kSyntax,
             StrCat("expected at most ", na + f.variadic, " argument(s) in call to ", quoted(),
                    ", got ", c.args.size()));
      }
    }
    if (f.name == "info" && c.args.size() > 1) {
      Expr* arg = c.args[1].get();
      if (arg->type() != ValueType::kVector) {
        Fail(c.span.start, ParseErrorCode::kSyntax,
             StrCat("expected type instant vector in call to function ", quoted(), ", got ",
                    ValueTypeName(arg->type())));
      }
      if (arg->kind == NodeKind::kVectorSelector && !arg->As<VectorSelector>().name.empty()) {
        Fail(arg->span.start, ParseErrorCode::kSyntax,
             "expected label selectors only, got vector selector instead");
      } else if (arg->kind == NodeKind::kVectorSelector) {
        arg->As<VectorSelector>().bypass_empty_matcher_check = true;
      } else {
        Fail(arg->span.start, ParseErrorCode::kSyntax, "expected label selectors only");
      }
    }
    for (size_t i = 0; i < c.args.size(); ++i) {
      size_t k = i;
      if (k >= nargs) {
        if (f.variadic == 0) break;
        k = nargs - 1;
      }
      ValueType t = Check(c.args[i].get());
      if (t != f.arg_types[k]) {
        Fail(c.args[i]->span.start, ParseErrorCode::kSyntax,
             StrCat("expected type ", ValueTypeName(f.arg_types[k]), " in call to function ", quoted(),
                    ", got ", ValueTypeName(t)));
      }
    }
  }

  void CheckSelector(const VectorSelector& vs) {
    if (!vs.name.empty()) {
      for (const LabelMatcher& m : vs.matchers) {
        if (m.name == std::string_view("__name__")) {
          std::string msg = "metric name must not be set twice: ";
          internal::AppendGoQuote(vs.name, &msg);
          msg.append(" or ");
          internal::AppendGoQuote(m.value, &msg);
          Fail(vs.span.start, ParseErrorCode::kSyntax, std::move(msg));
        }
      }
      return;
    }
    if (vs.bypass_empty_matcher_check) return;
    for (const LabelMatcher& m : vs.matchers) {
      if (!MatchesEmpty(m)) return;
    }
    Fail(vs.span.start, ParseErrorCode::kSyntax,
         "vector selector must contain at least one non-empty matcher");
  }

 public:
  static bool MatchesEmpty(const LabelMatcher& m);

 private:
  std::string_view query_;
  const ParserOptions& options_;
  Lexer lex_;
  Token tok_;
  uint32_t prev_end_ = 0;
  uint32_t depth_ = 0;
  std::optional<uint32_t> step_outside_duration_;  // where `step()` stood outside a duration
  uint32_t aggregate_args_ = 0;  // aggregations whose arguments are being parsed
  uint32_t h_ = 0;
  uint32_t nodes_ = 0;
  uint32_t selectors_ = 0;
  ParseError error_;
};

// Whether the RE2 regex `re`, fully anchored, matches "". Without a regex
// engine this is a syntactic approximation that is exact for the usual
// shapes: alternatives, groups, and atoms quantified by * ? + {n,m}.
bool RegexMatchesEmpty(std::string_view re, size_t* pos, int depth);

bool AlternativeMatchesEmpty(std::string_view re, size_t* pos, int depth, bool* all_empty) {
  *all_empty = true;
  while (*pos < re.size() && re[*pos] != '|' && re[*pos] != ')') {
    bool atom_empty = false;
    char c = re[*pos];
    if (c == '(') {
      ++*pos;
      if (*pos + 1 < re.size() && re[*pos] == '?') {  // (?:...), (?i), (?P<name>...)
        while (*pos < re.size() && re[*pos] != ':' && re[*pos] != ')') ++*pos;
        if (*pos < re.size() && re[*pos] == ')') {  // flags only: (?i)
          ++*pos;
          continue;
        }
        ++*pos;
      }
      atom_empty = depth < 64 ? RegexMatchesEmpty(re, pos, depth + 1) : false;
      if (*pos < re.size() && re[*pos] == ')') ++*pos;
    } else if (c == '[') {
      ++*pos;
      if (*pos < re.size() && re[*pos] == '^') ++*pos;
      if (*pos < re.size() && re[*pos] == ']') ++*pos;
      while (*pos < re.size() && re[*pos] != ']') {
        if (re[*pos] == '\\') ++*pos;
        ++*pos;
      }
      ++*pos;
    } else if (c == '\\') {
      *pos += 2;
      char e = re[*pos - 1];
      atom_empty = e == 'b' || e == 'B' || e == 'A' || e == 'z';
    } else if (c == '^' || c == '$') {
      ++*pos;
      atom_empty = true;
    } else {
      ++*pos;
    }
    if (*pos < re.size()) {
      char q = re[*pos];
      if (q == '*' || q == '?') {
        atom_empty = true;
        ++*pos;
      } else if (q == '+') {
        ++*pos;
      } else if (q == '{') {
        size_t close = re.find('}', *pos);
        if (close != std::string_view::npos) {
          if (re[*pos + 1] == '0') atom_empty = true;
          *pos = close + 1;
        }
      }
      if (*pos < re.size() && re[*pos] == '?') ++*pos;  // lazy
    }
    if (!atom_empty) *all_empty = false;
  }
  return *all_empty;
}

bool RegexMatchesEmpty(std::string_view re, size_t* pos, int depth) {
  bool any = false;
  while (true) {
    bool all_empty;
    any |= AlternativeMatchesEmpty(re, pos, depth, &all_empty);
    if (*pos < re.size() && re[*pos] == '|') {
      ++*pos;
      continue;
    }
    return any;
  }
}

bool Parser::MatchesEmpty(const LabelMatcher& m) {
  switch (m.op) {
    case MatchOp::kEqual: return m.value.empty();
    case MatchOp::kNotEqual: return !m.value.empty();
    case MatchOp::kRegexMatch:
    case MatchOp::kRegexNoMatch: {
      size_t pos = 0;
      bool empty = RegexMatchesEmpty(m.value, &pos, 0);
      return m.op == MatchOp::kRegexMatch ? empty : !empty;
    }
  }
  return false;
}

}  // namespace

ParseError Parse(std::string_view query, const ParserOptions& options, ExprPtr* out) {
  Parser parser(query, options);
  return parser.Run(out);
}

absl::StatusOr<ExprPtr> Parse(std::string_view query, const ParserOptions& options) {
  ExprPtr out;
  ParseError err = Parse(query, options, &out);
  if (err.ok()) return out;
  // Same text as ParseError::ToStatus(), which lives in the exposition module.
  std::string text = StrCat(err.line, ":", err.column, ": ", err.message);
  if (err.code == ParseErrorCode::kLimitExceeded) return absl::ResourceExhaustedError(text);
  return absl::InvalidArgumentError(text);
}

}  // namespace obsv::promql
