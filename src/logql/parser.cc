// The LogQL parser: a recursive-descent reading of Loki v3's syntax.y
// (goyacc), with its precedences and shift preferences, followed by the
// checks of parser.go's validateExpr() and of the AST constructors
// (mustNewBinOpExpr, newRangeAggregationExpr, ...).
#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "common/go_strconv.h"
#include "common/str_cat.h"
#include "logql/arena_cache.h"
#include "logql/label_regex.h"
#include "logql/lexer.h"
#include "logql/printer.h"
#include "obsv/logql.h"
#include "re2/re2.h"

// Token dispatch switches have deliberate defaults (any other token is a
// syntax error); the node-kind switches of the validation below are checked
// again (the warning is back on from there).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wswitch-enum"

namespace obsv::logql {
namespace {

using internal::Lexer;
using internal::Tok;
using internal::Token;
using obsv::internal::StrAppend;
using obsv::internal::StrCat;

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// How yacc names the token in "unexpected ...".
std::string Describe(const Token& t) {
  switch (t.type) {
    case Tok::kRangeOp: return Upper(RangeOpName(t.range_op));
    case Tok::kVectorOp: return Upper(VectorOpName(t.vector_op));
    default: return std::string(internal::TokenName(t.type));
  }
}

// Go's %f.
std::string GoPercentF(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[512];
  snprintf(buf, sizeof(buf), "%f", v);
  return buf;
}

// strconv.ParseFloat of a NUMBER token (decimal; Go's hex and `_` forms
// are refused, as ParseFloat refuses the integer spellings text/scanner
// lets through).
bool ParseGoFloat(std::string_view s, double* out) {
  if (s.empty()) return false;
  // Nearly every number: digits with an optional fraction, at most 15 in
  // all. Integer and power of ten are exact doubles, so their quotient is
  // the correctly rounded value, as strtod's (Clinger's fast path).
  if (s.size() <= 16) {
    uint64_t m = 0;
    int digits = 0, frac = -1;
    bool plain = true;
    for (char c : s) {
      if (c >= '0' && c <= '9') {
        m = m * 10 + static_cast<uint64_t>(c - '0');
        ++digits;
        if (frac >= 0) ++frac;
      } else if (c == '.' && frac < 0) {
        frac = 0;
      } else {
        plain = false;
        break;
      }
    }
    if (plain && digits > 0 && digits <= 15) {
      static constexpr double kPow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
                                          1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
      *out = frac > 0 ? static_cast<double>(m) / kPow10[frac] : static_cast<double>(m);
      return true;
    }
  }
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-')) {
      return false;
    }
  }
  std::string z(s);
  char* end = nullptr;
  *out = std::strtod(z.c_str(), &end);
  return end == z.c_str() + z.size();
}

bool ParseGoInt(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() > 18) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

// RE2 options for checking users' regexes: errors are returned, not logged.
RE2::Options QuietOptions(bool dot_nl) {
  RE2::Options o;
  o.set_log_errors(false);
  o.set_dot_nl(dot_nl);
  return o;
}

bool MatcherMatchesEmpty(const LabelMatcher& m) {
  switch (m.op) {
    case MatchOp::kEqual: return m.value.empty();
    case MatchOp::kNotEqual: return !m.value.empty();
    case MatchOp::kRegexMatch:
    case MatchOp::kRegexNoMatch: {
      internal::RegexFacts facts;
      if (internal::QuickCheckRegex(m.value, &facts)) {
        return m.op == MatchOp::kRegexMatch ? facts.matches_empty : !facts.matches_empty;
      }
      RE2 re(re2::StringPiece(m.value.data(), m.value.size()), QuietOptions(/*dot_nl=*/true));
      bool matches = re.ok() && RE2::FullMatch("", re);
      return m.op == MatchOp::kRegexMatch ? matches : !matches;
    }
  }
  return false;
}


// Go's regexp.Compile error ("error parsing regexp: missing closing ):
// `(foo`") from RE2's, whose codes and fragments are Go's (one lineage).
std::string GoRegexpError(const RE2& re) {
  std::string_view what;
  switch (re.error_code()) {
    case RE2::ErrorBadEscape: what = "invalid escape sequence"; break;
    case RE2::ErrorBadCharClass: what = "invalid character class"; break;
    case RE2::ErrorBadCharRange: what = "invalid character class range"; break;
    case RE2::ErrorMissingBracket: what = "missing closing ]"; break;
    case RE2::ErrorMissingParen: what = "missing closing )"; break;
    case RE2::ErrorUnexpectedParen: what = "unexpected )"; break;
    case RE2::ErrorTrailingBackslash: what = "trailing backslash at end of expression"; break;
    case RE2::ErrorRepeatArgument: what = "missing argument to repetition operator"; break;
    case RE2::ErrorRepeatSize: what = "invalid repeat count"; break;
    case RE2::ErrorRepeatOp: what = "invalid nested repetition operator"; break;
    case RE2::ErrorBadPerlOp: what = "invalid or unsupported Perl syntax"; break;
    case RE2::ErrorBadUTF8: what = "invalid UTF-8"; break;
    case RE2::ErrorBadNamedCapture: what = "invalid named capture"; break;
    case RE2::ErrorPatternTooLarge: what = "expression too large"; break;
    default: return GoRegexpError(re);
  }
  return StrCat("error parsing regexp: ", what, ": `", re.error_arg(), "`");
}

// Whether RE2 (the options above) accepts `re`, and if so whether it has a
// named capture (*named, if given); else Go's error in *error. Only the
// regexes the quick reading cannot vouch for are compiled.
bool CheckRegex(std::string_view re, bool* named, std::string* error) {
  internal::RegexFacts facts;
  if (internal::QuickCheckRegex(re, &facts)) {
    if (named != nullptr) *named = facts.has_named_capture;
    return true;
  }
  RE2 compiled(re2::StringPiece(re.data(), re.size()), QuietOptions(false));
  if (!compiled.ok()) {
    *error = GoRegexpError(compiled);
    return false;
  }
  if (named != nullptr) *named = !compiled.NamedCapturingGroups().empty();
  return true;
}

// Loki's pattern parser (pkg/logql/log/pattern): literals and `<name>`
// captures (`<_>` unnamed); at least one named capture, no two captures
// side by side, no name twice. Returns the error message, or "".
std::string PatternError(std::string_view p) {
  struct Piece {
    bool capture;
    std::string_view text;
  };
  std::vector<Piece> pieces;
  pieces.reserve(8);
  size_t lit = 0;
  for (size_t i = 0; i < p.size();) {
    if (p[i] == '<') {
      size_t j = i + 1;
      while (j < p.size() && (p[j] == '_' || (p[j] >= 'a' && p[j] <= 'z') ||
                              (p[j] >= 'A' && p[j] <= 'Z') || (j > i + 1 && p[j] >= '0' && p[j] <= '9'))) {
        ++j;
      }
      if (j > i + 1 && j < p.size() && p[j] == '>') {
        if (i > lit) pieces.push_back({false, p.substr(lit, i - lit)});
        pieces.push_back({true, p.substr(i + 1, j - i - 1)});
        i = j + 1;
        lit = i;
        continue;
      }
    }
    ++i;
  }
  if (lit < p.size()) pieces.push_back({false, p.substr(lit)});
  std::vector<std::string_view> names;
  for (size_t k = 0; k < pieces.size(); ++k) {
    if (!pieces[k].capture) continue;
    if (k > 0 && pieces[k - 1].capture) return StrCat("found consecutive capture: ", p);
    if (pieces[k].text == "_") continue;
    for (std::string_view n : names) {
      if (n == pieces[k].text) return StrCat("duplicate capture name (", n, ")");
    }
    names.push_back(pieces[k].text);
  }
  if (names.empty()) return "at least one capture is required";
  return "";
}

constexpr std::string_view kEmptyMatchersError =
    "queries require at least one regexp or equality matcher that does not have an "
    "empty-compatible value. For instance, app=~\".*\" does not meet this requirement, but "
    "app=~\".+\" will";

struct Failure {
  ParseErrorCode code = ParseErrorCode::kOk;
  uint32_t offset = 0;
  bool positioned = true;  // false: Loki reports it as "parse error : ..."
  bool line_zero = false;  // Loki reports line 0 (see Token::line_zero)
  std::string message;
};

// The ParseError of a failure in `query`.
ParseError ErrorOf(std::string_view query, const Failure& failure);

class Parser {
 public:
  // `query` is the tree's copy, in `arena`: the tree's strings are views
  // of it where they need no unescaping.
  Parser(std::string_view query, const ParserOptions& options, Arena* arena)
      : query_(query), options_(options), arena_(*arena), lex_(query) {}

  // The root in the arena, or null with *error set.
  Expr* Run(ParseError* error);

 private:
  // ---- tokens and errors ----
  void Advance() {
    if (has_peek_) {
      std::swap(tok_, peek_);  // the slots, not their contents
      has_peek_ = false;
    } else {
      lex_.Next(tok_);
    }
  }
  const Token& Peek() {
    if (!has_peek_) {
      lex_.Next(peek_);
      has_peek_ = true;
    }
    return *peek_;
  }
  bool Fail(ParseErrorCode code, uint32_t offset, std::string message) {
    if (failure_.code == ParseErrorCode::kOk) {
      failure_.code = code;
      failure_.offset = offset;
      failure_.message = std::move(message);
    }
    return false;
  }
  // "syntax error: unexpected X" at the current token (or the lexer's
  // error). Error paths are out of line: the hot functions stay small.
  [[gnu::cold, gnu::noinline]] bool Unexpected() {
    if (failure_.code == ParseErrorCode::kOk) {
      failure_.line_zero = tok_->type == Tok::kError ? lex_.error_line_zero() : tok_->line_zero;
    }
    if (tok_->type == Tok::kError) {
      return Fail(lex_.error_code(), lex_.error_offset(), lex_.error_message());
    }
    return Fail(ParseErrorCode::kSyntax, tok_->start, "syntax error: unexpected " + Describe(*tok_));
  }
  // The value of the current kString token: a view of the query, or the
  // unescaped value copied into the arena.
  std::string_view TakeString() {
    return tok_->escaped ? arena_.Copy(tok_->str) : tok_->raw;
  }
  bool Expect(Tok t) {
    if (tok_->type != t) return Unexpected();
    Advance();
    return true;
  }
  bool Enter(uint32_t depth) { return depth <= options_.max_depth || TooDeep(); }
  [[gnu::cold, gnu::noinline]] bool TooDeep() {
    return Fail(ParseErrorCode::kLimitExceeded, tok_->start,
                StrCat("expression nested deeper than ", options_.max_depth, " levels"));
  }
  bool CountNode() { return ++nodes_ <= options_.max_nodes || TooManyNodes(); }
  [[gnu::cold, gnu::noinline]] bool TooManyNodes() {
    return Fail(ParseErrorCode::kLimitExceeded, tok_->start,
                StrCat("more than ", options_.max_nodes, " nodes"));
  }
  void Defer(const void* node, uint32_t offset, std::string message) {
    if (deferred_ == nullptr) {
      deferred_ = std::make_unique<std::unordered_map<const void*, Failure>>();
    }
    if (deferred_->count(node) != 0) return;
    Failure f;
    f.code = ParseErrorCode::kSyntax;
    f.offset = offset;
    f.positioned = false;
    f.message = std::move(message);
    deferred_->emplace(node, std::move(f));
  }
  template <typename T>
  T* NewNode(uint32_t start) {
    if (!CountNode()) return nullptr;
    T* n = arena_.New<T>();
    n->span.start = start;
    return n;
  }

  // ---- grammar ----
  Expr* ParseExpr(int min_prec, uint32_t depth);
  Expr* ParsePrimary(uint32_t depth);
  Expr* ParseMetricExpr(uint32_t depth);
  LogSelectorExpr* ParseLogSelector(uint32_t depth);
  bool ParseSelector(StreamSelector* sel);
  bool ParseMatcher(LabelMatcher* m);
  bool ParsePipeline(List<Stage>* stages, LogRange* unwrap_into, uint32_t depth);
  bool ParseLineFilters(List<Stage>* stages);
  bool ParseStageAfterPipe(List<Stage>* stages, uint32_t depth);
  LabelFilter* ParseLabelFilter(int min_prec, uint32_t depth);
  LabelFilter* ParseLabelFilterPrimary(uint32_t depth);
  bool ParseUnwrap(LogRange* r, uint32_t depth);
  bool ParseExtractions(List<LabelExtraction>* out);
  bool ParseLogRange(LogRange* r, uint32_t depth);
  bool ParseOffset(LogRange* r);
  bool ParseGrouping(Grouping* g);
  bool ParseLabelList(List<std::string_view>* out);
  bool ParseBinaryModifiers(BinaryModifiers* m);
  Expr* ParseRangeAggregation(uint32_t depth);
  Expr* ParseVectorAggregation(uint32_t depth);
  Expr* ParseLabelReplace(uint32_t depth);
  Expr* ParseVector();
  Expr* ParseVariants(uint32_t depth);
  Expr* MakeBinary(BinaryOp op, const BinaryModifiers& mods, Expr* lhs, Expr* rhs, uint32_t at);
  void CheckRangeAggregation(RangeAggregationExpr* r, const Token* param_tok);

  // ---- validation (parser.go's validateExpr) ----
  const Failure* DeferredOf(const void* node) const {
    if (deferred_ == nullptr) return nullptr;  // nearly always
    auto it = deferred_->find(node);
    return it == deferred_->end() ? nullptr : &it->second;
  }
  bool CheckMatchers(const StreamSelector& sel, uint32_t offset);
  bool Validate(const Expr& e);
  bool ValidateSelectorOf(const Expr& e);

  std::string_view query_;
  const ParserOptions& options_;
  Arena& arena_;
  Lexer lex_;
  // The current token and the one after it (after Peek()), in two slots
  // that Advance() swaps.
  Token slots_[2];
  Token* tok_ = &slots_[0];
  Token* peek_ = &slots_[1];
  bool has_peek_ = false;
  uint32_t nodes_ = 0;
  uint32_t selectors_ = 0;
  Failure failure_;
  // Errors Loki reports only after the parse, by node; made at the first
  // (nearly every query has none).
  std::unique_ptr<std::unordered_map<const void*, Failure>> deferred_;
};

int BinaryPrecedence(Tok t, BinaryOp* op) {
  switch (t) {
    case Tok::kOr: *op = BinaryOp::kOr; return 1;
    case Tok::kAnd: *op = BinaryOp::kAnd; return 2;
    case Tok::kUnless: *op = BinaryOp::kUnless; return 2;
    case Tok::kCmpEq: *op = BinaryOp::kEq; return 3;
    case Tok::kNeq: *op = BinaryOp::kNeq; return 3;
    case Tok::kGt: *op = BinaryOp::kGt; return 3;
    case Tok::kGte: *op = BinaryOp::kGte; return 3;
    case Tok::kLt: *op = BinaryOp::kLt; return 3;
    case Tok::kLte: *op = BinaryOp::kLte; return 3;
    case Tok::kAdd: *op = BinaryOp::kAdd; return 4;
    case Tok::kSub: *op = BinaryOp::kSub; return 4;
    case Tok::kMul: *op = BinaryOp::kMul; return 5;
    case Tok::kDiv: *op = BinaryOp::kDiv; return 5;
    case Tok::kMod: *op = BinaryOp::kMod; return 5;
    case Tok::kPow: *op = BinaryOp::kPow; return 6;
    default: return 0;
  }
}

Expr* Parser::ParseExpr(int min_prec, uint32_t depth) {
  if (!Enter(depth)) return nullptr;
  Expr* lhs = ParsePrimary(depth);
  if (!lhs) return nullptr;
  // Each operator of a left-associative chain adds a level to the tree.
  for (uint32_t level = depth + 1;; ++level) {
    BinaryOp op;
    int prec = BinaryPrecedence(tok_->type, &op);
    if (prec == 0 || prec < min_prec) break;
    uint32_t at = tok_->start;
    if (!Enter(level)) return nullptr;
    Advance();
    BinaryModifiers mods;
    if (!ParseBinaryModifiers(&mods)) return nullptr;
    // `^` is right-associative, the others left.
    Expr* rhs = ParseExpr(op == BinaryOp::kPow ? prec : prec + 1, depth + 1);
    if (!rhs) return nullptr;
    lhs = MakeBinary(op, mods, lhs, rhs, at);
    if (!lhs) return nullptr;
  }
  return lhs;
}

bool Parser::ParseLabelList(List<std::string_view>* out) {
  // `(` [IDENTIFIER {, IDENTIFIER}] `)`, the `(` already consumed.
  if (tok_->type == Tok::kRParen) {
    Advance();
    return true;
  }
  out->reserve(arena_, 4);  // one allocation for the usual few labels
  while (true) {
    if (tok_->type != Tok::kIdentifier) return Unexpected();
    out->push_back(arena_, tok_->text);
    Advance();
    if (tok_->type == Tok::kComma) {
      Advance();
      continue;
    }
    return Expect(Tok::kRParen);
  }
}

bool Parser::ParseBinaryModifiers(BinaryModifiers* m) {
  if (tok_->type == Tok::kBool) {
    m->return_bool = true;
    Advance();
  }
  if (tok_->type != Tok::kOn && tok_->type != Tok::kIgnoring) return true;
  m->on = tok_->type == Tok::kOn;
  Advance();
  if (!Expect(Tok::kLParen) || !ParseLabelList(&m->matching_labels)) return false;
  if (tok_->type != Tok::kGroupLeft && tok_->type != Tok::kGroupRight) return true;
  m->card = tok_->type == Tok::kGroupLeft ? Cardinality::kManyToOne : Cardinality::kOneToMany;
  Advance();
  if (tok_->type == Tok::kLParen) {
    Advance();
    return ParseLabelList(&m->include);
  }
  return true;
}

bool Parser::ParseGrouping(Grouping* g) {
  g->without = tok_->type == Tok::kWithout;
  Advance();
  if (!Expect(Tok::kLParen)) return false;
  return ParseLabelList(&g->labels);
}

std::string_view GoTypeName(const Expr& e) {
  if (e.kind == NodeKind::kVariants) return "*syntax.MultiVariantExpr";
  return e.As<LogSelectorExpr>().pipeline.empty() ? "*syntax.MatchersExpr" : "*syntax.PipelineExpr";
}

Expr* Parser::MakeBinary(BinaryOp op, const BinaryModifiers& mods, Expr* lhs, Expr* rhs,
                         uint32_t at) {
  bool logical = op == BinaryOp::kOr || op == BinaryOp::kAnd || op == BinaryOp::kUnless;
  auto is_sample = [](const Expr& e) {
    return e.kind != NodeKind::kLogSelector && e.kind != NodeKind::kVariants;
  };
  std::string deferred;
  if (!is_sample(*lhs)) {
    deferred = StrCat("unexpected type for left leg of binary operation (", BinaryOpName(op),
                      "): ", GoTypeName(*lhs));
  } else if (!is_sample(*rhs)) {
    deferred = StrCat("unexpected type for right leg of binary operation (", BinaryOpName(op),
                      "): ", GoTypeName(*rhs));
  } else if (logical && lhs->kind == NodeKind::kLiteral) {
    deferred = StrCat("unexpected literal for left leg of logical/set binary operation (",
                      BinaryOpName(op), "): ", GoPercentF(lhs->As<LiteralExpr>().value));
  } else if (logical && rhs->kind == NodeKind::kLiteral) {
    deferred = StrCat("unexpected literal for right leg of logical/set binary operation (",
                      BinaryOpName(op), "): ", GoPercentF(rhs->As<LiteralExpr>().value));
  } else if (lhs->kind == NodeKind::kLiteral && rhs->kind == NodeKind::kLiteral &&
             DeferredOf(lhs) == nullptr && DeferredOf(rhs) == nullptr) {
    // reduceBinOp: two literals are folded (comparisons give 0 or 1).
    double l = lhs->As<LiteralExpr>().value, r = rhs->As<LiteralExpr>().value, v = 0;
    switch (op) {
      case BinaryOp::kAdd: v = l + r; break;
      case BinaryOp::kSub: v = l - r; break;
      case BinaryOp::kMul: v = l * r; break;
      case BinaryOp::kDiv: v = r == 0 ? std::nan("") : l / r; break;
      case BinaryOp::kMod: v = r == 0 ? std::nan("") : std::fmod(l, r); break;
      case BinaryOp::kPow: v = std::pow(l, r); break;
      case BinaryOp::kEq: v = l == r; break;
      case BinaryOp::kNeq: v = l != r; break;
      case BinaryOp::kGt: v = l > r; break;
      case BinaryOp::kGte: v = l >= r; break;
      case BinaryOp::kLt: v = l < r; break;
      case BinaryOp::kLte: v = l <= r; break;
      case BinaryOp::kOr:
      case BinaryOp::kAnd:
      case BinaryOp::kUnless:
        break;
    }
    lhs->As<LiteralExpr>().value = v;
    lhs->span.end = rhs->span.end;
    return lhs;
  }
  auto* b = NewNode<BinaryExpr>(lhs->span.start);
  if (!b) return nullptr;
  b->span.end = rhs->span.end;
  b->op = op;
  b->modifiers = mods;
  b->lhs = lhs;
  b->rhs = rhs;
  if (!deferred.empty()) Defer(b, at, std::move(deferred));
  return b;
}

// A metric expression (vectorAggregationExpr, label_replace, variants):
// a log query here is a syntax error at the token after it.
Expr* Parser::ParseMetricExpr(uint32_t depth) {
  Expr* e = ParseExpr(1, depth);
  if (!e) return nullptr;
  if (e->kind == NodeKind::kLogSelector || e->kind == NodeKind::kVariants) {
    Unexpected();
    return nullptr;
  }
  return e;
}

Expr* Parser::ParsePrimary(uint32_t depth) {
  switch (tok_->type) {
    case Tok::kLParen: {
      Advance();
      Expr* e = ParseExpr(1, depth + 1);
      if (!e) return nullptr;
      if (!Expect(Tok::kRParen)) return nullptr;
      return e;
    }
    case Tok::kLBrace: return ParseLogSelector(depth);
    case Tok::kNumber:
    case Tok::kAdd:
    case Tok::kSub: {
      uint32_t start = tok_->start;
      bool negate = tok_->type == Tok::kSub;
      if (tok_->type != Tok::kNumber) {
        Advance();
        if (tok_->type != Tok::kNumber) {
          Unexpected();
          return nullptr;
        }
      }
      auto* lit = NewNode<LiteralExpr>(start);
      if (!lit) return nullptr;
      double v = 0;
      if (!ParseGoFloat(tok_->text, &v)) {
        std::string msg = "unable to parse literal as a float: strconv.ParseFloat: parsing ";
        obsv::internal::AppendGoQuote(tok_->text, &msg);
        msg.append(": invalid syntax");
        Defer(lit, tok_->start, std::move(msg));
      }
      lit->value = negate ? -v : v;
      lit->span.end = tok_->end;
      Advance();
      return lit;
    }
    case Tok::kRangeOp: return ParseRangeAggregation(depth);
    case Tok::kVectorOp: return ParseVectorAggregation(depth);
    case Tok::kLabelReplace: return ParseLabelReplace(depth);
    case Tok::kVector: return ParseVector();
    case Tok::kVariants: return ParseVariants(depth);
    default:
      Unexpected();
      return nullptr;
  }
}

bool Parser::ParseMatcher(LabelMatcher* m) {
  if (tok_->type != Tok::kIdentifier) return Unexpected();
  m->span.start = tok_->start;
  m->name = tok_->text;
  Advance();
  switch (tok_->type) {
    case Tok::kEq: m->op = MatchOp::kEqual; break;
    case Tok::kNeq: m->op = MatchOp::kNotEqual; break;
    case Tok::kRe: m->op = MatchOp::kRegexMatch; break;
    case Tok::kNre: m->op = MatchOp::kRegexNoMatch; break;
    default: return Unexpected();
  }
  Advance();
  if (tok_->type != Tok::kString) return Unexpected();
  m->value = TakeString();
  m->span.end = tok_->end;
  if (m->op == MatchOp::kRegexMatch || m->op == MatchOp::kRegexNoMatch) {
    // labels.NewMatcher compiles the regex; Loki panics with its error.
    // RE2 compiles it only when the quick reading cannot vouch for it.
    std::string error;
    if (!CheckRegex(m->value, nullptr, &error)) {
      failure_.positioned = false;
      return Fail(ParseErrorCode::kSyntax, tok_->start, std::move(error));
    }
  }
  Advance();
  return true;
}

bool Parser::ParseSelector(StreamSelector* sel) {
  if (++selectors_ > options_.max_selectors) {
    return Fail(ParseErrorCode::kLimitExceeded, tok_->start,
                StrCat("more than ", options_.max_selectors, " stream selectors"));
  }
  sel->span.start = tok_->start;
  if (!Expect(Tok::kLBrace)) return false;
  if (tok_->type != Tok::kRBrace) {
    while (true) {
      if (!CountNode()) return false;
      // Parsed in place (a failed parse discards the whole tree).
      if (sel->matchers.empty()) sel->matchers.reserve(arena_, 4);
      if (!ParseMatcher(&sel->matchers.emplace_back(arena_))) return false;
      if (tok_->type == Tok::kComma) {
        Advance();
        continue;
      }
      break;
    }
  }
  sel->span.end = tok_->end;
  return Expect(Tok::kRBrace);
}

LogSelectorExpr* Parser::ParseLogSelector(uint32_t depth) {
  auto* e = NewNode<LogSelectorExpr>(tok_->start);
  if (!e) return nullptr;
  if (!ParseSelector(&e->selector)) return nullptr;
  if (!ParsePipeline(&e->pipeline, nullptr, depth)) return nullptr;
  e->span.end = e->pipeline.empty() ? e->selector.span.end : e->pipeline.back().span.end;
  return e;
}

bool IsLineFilterToken(Tok t) {
  return t == Tok::kPipeExact || t == Tok::kPipeMatch || t == Tok::kPipePattern ||
         t == Tok::kNeq || t == Tok::kNre || t == Tok::kNpa;
}

// `filter STRING|ip("..") {or STRING|ip("..")}`: one stage, or several when
// a negative filter's `or` chain is expanded (newOrLineFilter).
bool Parser::ParseLineFilters(List<Stage>* stages) {
  LineMatch match;
  switch (tok_->type) {
    case Tok::kPipeExact: match = LineMatch::kContains; break;
    case Tok::kPipeMatch: match = LineMatch::kRegex; break;
    case Tok::kPipePattern: match = LineMatch::kPattern; break;
    case Tok::kNeq: match = LineMatch::kNotContains; break;
    case Tok::kNre: match = LineMatch::kNotRegex; break;
    case Tok::kNpa: match = LineMatch::kNotPattern; break;
    default: return Unexpected();
  }
  // Built in place (a failed parse discards the whole tree).
  if (stages->empty()) stages->reserve(arena_, 4);
  Stage& s = stages->emplace_back(arena_);
  s.kind = StageKind::kLineFilter;
  s.span.start = tok_->start;
  s.line_filter.match = match;
  Advance();
  // The first operand: STRING or ip("..."); each `or` then takes STRING or
  // ip("...") (an ip() operand ends the chain, as orFilter has it last).
  List<LineFilterOperand>& operands = s.line_filter.operands;
  bool first = true;
  while (true) {
    LineFilterOperand& op = operands.emplace_back(arena_);
    if (tok_->type == Tok::kString) {
      op.value = TakeString();
      s.span.end = tok_->end;
      Advance();
    } else if (tok_->type == Tok::kIp) {
      Advance();
      if (!Expect(Tok::kLParen)) return false;
      if (tok_->type != Tok::kString) return Unexpected();
      op.ip = true;
      op.value = TakeString();
      Advance();
      s.span.end = tok_->end;
      if (!Expect(Tok::kRParen)) return false;
    } else {
      return Unexpected();
    }
    // Loki compiles line-filter regexes only when it runs the pipeline.
    bool ip_after_or = op.ip && !first;
    first = false;
    if (tok_->type != Tok::kOr) break;
    // An `or ip(..)` operand closes syntax.y's orFilter; a further `or`
    // then reduces `lineFilter OR orFilter` again, and newOrLineFilter
    // replaces the chain built so far (left.Or = right): Loki drops it.
    if (ip_after_or && IsPositive(match)) operands.truncate(1);
    Advance();
  }
  if (IsPositive(match) || operands.size() == 1) return true;
  // !(a or b) is (!a and !b): one stage per operand.
  const List<LineFilterOperand> all = operands;  // its storage stays in the arena
  const Span span = s.span;
  stages->pop_back();
  for (const LineFilterOperand& op : all) {
    Stage& one = stages->emplace_back(arena_);
    one.kind = StageKind::kLineFilter;
    one.span = span;
    one.line_filter.match = match;
    one.line_filter.operands.push_back(arena_, op);
  }
  return true;
}

bool Parser::ParseExtractions(List<LabelExtraction>* out) {
  out->reserve(arena_, 4);
  while (true) {
    if (tok_->type != Tok::kIdentifier) return Unexpected();
    // Built in place (a failed parse discards the whole tree).
    LabelExtraction& x = out->emplace_back(arena_);
    x.name = tok_->text;
    Advance();
    if (tok_->type == Tok::kEq) {
      Advance();
      if (tok_->type != Tok::kString) return Unexpected();
      x.expression = TakeString();
      Advance();
    } else {
      x.expression = x.name;
    }
    if (tok_->type != Tok::kComma) return true;
    Advance();
  }
}

// labelFilter, with yacc's resolution of its conflicts: `and` binds tighter
// than `or` (both left-associative), while `,` and juxtaposition (both an
// `and`) always shift, taking everything to their right.
LabelFilter* Parser::ParseLabelFilter(int min_prec, uint32_t depth) {
  if (!Enter(depth)) return nullptr;
  LabelFilter* lhs = ParseLabelFilterPrimary(depth);
  if (!lhs) return nullptr;
  for (uint32_t level = depth + 1;; ++level) {
    LabelFilterKind kind;
    bool shift_all = false;
    int prec = 0;
    if (tok_->type == Tok::kComma || tok_->type == Tok::kIdentifier || tok_->type == Tok::kLParen) {
      kind = LabelFilterKind::kAnd;
      shift_all = true;
    } else if (tok_->type == Tok::kAnd) {
      kind = LabelFilterKind::kAnd;
      prec = 2;
    } else if (tok_->type == Tok::kOr) {
      kind = LabelFilterKind::kOr;
      prec = 1;
    } else {
      break;
    }
    if (!shift_all && prec < min_prec) break;
    if (!Enter(level)) return nullptr;
    if (tok_->type != Tok::kIdentifier && tok_->type != Tok::kLParen) Advance();
    LabelFilter* rhs = ParseLabelFilter(shift_all ? 0 : prec + 1, depth + 1);
    if (!rhs) return nullptr;
    if (!CountNode()) return nullptr;
    auto* both = arena_.New<LabelFilter>();
    both->kind = kind;
    both->span = {lhs->span.start, rhs->span.end};
    both->lhs = lhs;
    both->rhs = rhs;
    lhs = both;
  }
  return lhs;
}

LabelFilter* Parser::ParseLabelFilterPrimary(uint32_t depth) {
  if (tok_->type == Tok::kLParen) {
    Advance();
    LabelFilter* f = ParseLabelFilter(0, depth + 1);
    if (!f) return nullptr;
    if (!Expect(Tok::kRParen)) return nullptr;
    return f;
  }
  if (!CountNode()) return nullptr;
  auto* f = arena_.New<LabelFilter>();
  if (tok_->type != Tok::kIdentifier) {
    Unexpected();
    return nullptr;
  }
  f->span.start = tok_->start;
  f->matcher.span.start = tok_->start;
  f->matcher.name = tok_->text;
  Advance();
  Tok op = tok_->type;
  bool string_ok = op == Tok::kEq || op == Tok::kNeq || op == Tok::kRe || op == Tok::kNre;
  bool typed_ok = op == Tok::kEq || op == Tok::kNeq || op == Tok::kCmpEq || op == Tok::kGt ||
                  op == Tok::kGte || op == Tok::kLt || op == Tok::kLte;
  if (!string_ok && !typed_ok) {
    Unexpected();
    return nullptr;
  }
  switch (op) {
    case Tok::kEq:
    case Tok::kCmpEq: f->op = CompareOp::kEqual; break;
    case Tok::kNeq: f->op = CompareOp::kNotEqual; break;
    case Tok::kGt: f->op = CompareOp::kGreater; break;
    case Tok::kGte: f->op = CompareOp::kGreaterEqual; break;
    case Tok::kLt: f->op = CompareOp::kLess; break;
    case Tok::kLte: f->op = CompareOp::kLessEqual; break;
    default: break;
  }
  Advance();
  if (tok_->type == Tok::kString && string_ok) {
    f->kind = LabelFilterKind::kMatcher;
    f->matcher.op = op == Tok::kEq    ? MatchOp::kEqual
                    : op == Tok::kNeq ? MatchOp::kNotEqual
                    : op == Tok::kRe  ? MatchOp::kRegexMatch
                                      : MatchOp::kRegexNoMatch;
    f->matcher.value = TakeString();
    std::string error;
    if ((op == Tok::kRe || op == Tok::kNre) && !CheckRegex(f->matcher.value, nullptr, &error)) {
      failure_.positioned = false;
      Fail(ParseErrorCode::kSyntax, tok_->start, std::move(error));
      return nullptr;
    }
    f->matcher.span.end = f->span.end = tok_->end;
    Advance();
    return f;
  }
  if (tok_->type == Tok::kIp && (op == Tok::kEq || op == Tok::kNeq)) {
    f->kind = LabelFilterKind::kIp;
    Advance();
    if (!Expect(Tok::kLParen)) return nullptr;
    if (tok_->type != Tok::kString) {
      Unexpected();
      return nullptr;
    }
    f->ip = TakeString();
    Advance();
    f->span.end = tok_->end;
    if (!Expect(Tok::kRParen)) return nullptr;
    return f;
  }
  if (!typed_ok) {
    Unexpected();
    return nullptr;
  }
  switch (tok_->type) {
    case Tok::kDuration:
      f->kind = LabelFilterKind::kDuration;
      f->duration_ns = tok_->duration_ns;
      break;
    case Tok::kBytes:
      f->kind = LabelFilterKind::kBytes;
      f->bytes = tok_->bytes;
      break;
    case Tok::kNumber:
    case Tok::kAdd:
    case Tok::kSub: {
      bool negate = tok_->type == Tok::kSub;
      if (tok_->type != Tok::kNumber) {
        Advance();
        if (tok_->type != Tok::kNumber) {
          Unexpected();
          return nullptr;
        }
      }
      f->kind = LabelFilterKind::kNumber;
      double v = 0;
      if (!ParseGoFloat(tok_->text, &v)) {
        // numberFilter reads literalExpr's value: 0 with its error unread.
        v = 0;
      }
      f->number = negate ? -v : v;
      break;
    }
    default:
      Unexpected();
      return nullptr;
  }
  f->span.end = tok_->end;
  Advance();
  return f;
}

bool Parser::ParseUnwrap(LogRange* r, uint32_t depth) {
  // At `unwrap` (the `|` consumed).
  Advance();
  r->has_unwrap = true;
  switch (tok_->type) {
    case Tok::kIdentifier:
      r->unwrap.label = tok_->text;
      Advance();
      break;
    case Tok::kBytesConv:
    case Tok::kDurationConv:
    case Tok::kDurationSecondsConv:
      r->unwrap.conversion = tok_->type == Tok::kBytesConv      ? UnwrapConversion::kBytes
                             : tok_->type == Tok::kDurationConv ? UnwrapConversion::kDuration
                                                               : UnwrapConversion::kDurationSeconds;
      Advance();
      if (!Expect(Tok::kLParen)) return false;
      if (tok_->type != Tok::kIdentifier) return Unexpected();
      r->unwrap.label = tok_->text;
      Advance();
      if (!Expect(Tok::kRParen)) return false;
      break;
    default:
      return Unexpected();
  }
  // unwrapExpr PIPE labelFilter ...
  while (tok_->type == Tok::kPipe) {
    Advance();
    LabelFilter* f = ParseLabelFilter(0, depth + 1);
    if (!f) return false;
    r->unwrap.post_filters.push_back(arena_, f);
  }
  return true;
}

bool Parser::ParseStageAfterPipe(List<Stage>* stages, uint32_t depth) {
  // Built in place (a failed parse discards the whole tree).
  if (stages->empty()) stages->reserve(arena_, 4);
  Stage& s = stages->emplace_back(arena_);
  s.span.start = tok_->start;
  Advance();  // the `|`
  switch (tok_->type) {
    case Tok::kLogfmt:
      s.kind = StageKind::kLogfmt;
      Advance();
      while (tok_->type == Tok::kParserFlag) {
        if (tok_->text == "--strict") s.strict = true;
        else s.keep_empty = true;
        Advance();
      }
      if (tok_->type == Tok::kIdentifier && !ParseExtractions(&s.extractions)) return false;
      break;
    case Tok::kJson:
      s.kind = StageKind::kJson;
      Advance();
      if (tok_->type == Tok::kIdentifier && !ParseExtractions(&s.extractions)) return false;
      break;
    case Tok::kRegexp:
    case Tok::kPattern: {
      bool regexp = tok_->type == Tok::kRegexp;
      s.kind = regexp ? StageKind::kRegexp : StageKind::kPattern;
      Advance();
      if (tok_->type != Tok::kString) return Unexpected();
      s.param = TakeString();
      uint32_t at = tok_->start;
      Advance();
      if (regexp) {
        std::string error;
        bool named = false;
        if (!CheckRegex(s.param, &named, &error)) {
          failure_.positioned = false;
          return Fail(ParseErrorCode::kSyntax, at, "invalid regexp parser: " + error);
        }
        if (!named) {
          failure_.positioned = false;
          return Fail(ParseErrorCode::kSyntax, at,
                      "invalid regexp parser: at least one named capture must be supplied");
        }
      } else {
        std::string perr = PatternError(s.param);
        if (!perr.empty()) {
          failure_.positioned = false;
          return Fail(ParseErrorCode::kSyntax, at, "invalid pattern parser: " + perr);
        }
      }
      break;
    }
    case Tok::kUnpack:
      s.kind = StageKind::kUnpack;
      Advance();
      break;
    case Tok::kLineFmt:
      s.kind = StageKind::kLineFormat;
      Advance();
      if (tok_->type != Tok::kString) return Unexpected();
      s.param = TakeString();
      Advance();
      break;
    case Tok::kLabelFmt:
      s.kind = StageKind::kLabelFormat;
      Advance();
      while (true) {
        LabelFormat f;
        if (tok_->type != Tok::kIdentifier) return Unexpected();
        f.name = tok_->text;
        Advance();
        if (!Expect(Tok::kEq)) return false;
        if (tok_->type == Tok::kIdentifier) {
          f.rename = true;
          f.value = tok_->text;
        } else if (tok_->type == Tok::kString) {
          f.value = TakeString();
        } else {
          return Unexpected();
        }
        Advance();
        s.formats.push_back(arena_, f);
        if (tok_->type != Tok::kComma) break;
        Advance();
      }
      break;
    case Tok::kDecolorize:
      s.kind = StageKind::kDecolorize;
      Advance();
      break;
    case Tok::kDrop:
    case Tok::kKeep:
      s.kind = tok_->type == Tok::kDrop ? StageKind::kDrop : StageKind::kKeep;
      Advance();
      while (true) {
        NamedMatcher n;
        if (tok_->type != Tok::kIdentifier) return Unexpected();
        Tok after = Peek().type;
        if (after == Tok::kEq || after == Tok::kNeq || after == Tok::kRe || after == Tok::kNre) {
          n.has_matcher = true;
          if (!ParseMatcher(&n.matcher)) return false;
        } else {
          n.name = tok_->text;
          Advance();
        }
        s.names.push_back(arena_, n);
        if (tok_->type != Tok::kComma) break;
        Advance();
      }
      break;
    case Tok::kIdentifier:
    case Tok::kLParen:
      s.kind = StageKind::kLabelFilter;
      s.label_filter = ParseLabelFilter(0, depth + 1);
      if (!s.label_filter) return false;
      break;
    default:
      return Unexpected();
  }
  s.span.end = tok_->start;
  return true;
}

// pipelineExpr, and an unwrapExpr at its end when `r` is given (a range).
bool Parser::ParsePipeline(List<Stage>* stages, LogRange* r, uint32_t depth) {
  while (true) {
    if (stages->size() > options_.max_pipeline_stages) {
      return Fail(ParseErrorCode::kLimitExceeded, tok_->start,
                  StrCat("more than ", options_.max_pipeline_stages, " pipeline stages"));
    }
    if (IsLineFilterToken(tok_->type)) {
      if (!CountNode() || !ParseLineFilters(stages)) return false;
      continue;
    }
    if (tok_->type != Tok::kPipe) return true;
    if (Peek().type == Tok::kUnwrap) {
      if (r == nullptr) {
        Advance();
        return Unexpected();
      }
      Advance();
      return ParseUnwrap(r, depth);
    }
    if (!CountNode() || !ParseStageAfterPipe(stages, depth)) return false;
  }
}

bool Parser::ParseOffset(LogRange* r) {
  if (tok_->type != Tok::kOffset) return true;
  Advance();
  if (tok_->type != Tok::kDuration) return Unexpected();
  r->offset_ns = tok_->duration_ns;
  Advance();
  return true;
}

// logRangeExpr, in all the orders syntax.y allows.
bool Parser::ParseLogRange(LogRange* r, uint32_t depth) {
  if (!Enter(depth)) return false;
  if (tok_->type == Tok::kLParen) {
    Advance();
    if (tok_->type == Tok::kLParen) {  // ( logRangeExpr )
      if (!ParseLogRange(r, depth + 1)) return false;
      return Expect(Tok::kRParen);
    }
    if (tok_->type != Tok::kLBrace) return Unexpected();
    r->log = NewNode<LogSelectorExpr>(tok_->start);
    if (!r->log || !ParseSelector(&r->log->selector)) return false;
    if (!ParsePipeline(&r->log->pipeline, r, depth)) return false;
    if (tok_->type == Tok::kRange) {
      // ( selector ... RANGE ... ): a whole logRangeExpr in parentheses.
      bool bare = r->log->pipeline.empty() && !r->has_unwrap;
      r->range_ns = tok_->duration_ns;
      Advance();
      if (!ParseOffset(r)) return false;
      if (bare && !ParsePipeline(&r->log->pipeline, r, depth)) return false;
      return Expect(Tok::kRParen);
    }
    if (!Expect(Tok::kRParen)) return false;
    if (tok_->type != Tok::kRange) return Unexpected();
    bool bare = r->log->pipeline.empty() && !r->has_unwrap;
    r->range_ns = tok_->duration_ns;
    Advance();
    if (!ParseOffset(r)) return false;
    // `( selector ) RANGE [offset] unwrapExpr`
    if (bare && tok_->type == Tok::kPipe && Peek().type == Tok::kUnwrap) {
      Advance();
      return ParseUnwrap(r, depth);
    }
    return true;
  }
  if (tok_->type != Tok::kLBrace) return Unexpected();
  r->log = NewNode<LogSelectorExpr>(tok_->start);
  if (!r->log || !ParseSelector(&r->log->selector)) return false;
  if (!ParsePipeline(&r->log->pipeline, r, depth)) return false;
  if (tok_->type != Tok::kRange) return Unexpected();
  bool bare = r->log->pipeline.empty() && !r->has_unwrap;
  r->range_ns = tok_->duration_ns;
  Advance();
  if (!ParseOffset(r)) return false;
  // `selector RANGE [offset] [pipelineExpr] [unwrapExpr]`
  if (bare && !ParsePipeline(&r->log->pipeline, r, depth)) return false;
  return true;
}

void Parser::CheckRangeAggregation(RangeAggregationExpr* r, const Token* param_tok) {
  std::string_view op = RangeOpName(r->op);
  uint32_t at = r->span.start;
  if (param_tok != nullptr) {
    if (r->op != RangeOp::kQuantileOverTime) {
      Defer(r, at, StrCat("parameter ", param_tok->text, " not supported for operation ", op));
      return;
    }
    double v;
    if (!ParseGoFloat(param_tok->text, &v)) {
      std::string msg = StrCat("invalid parameter for operation ", op,
                               ": strconv.ParseFloat: parsing ");
      obsv::internal::AppendGoQuote(param_tok->text, &msg);
      msg.append(": invalid syntax");
      Defer(r, at, std::move(msg));
      return;
    }
    r->has_param = true;
    r->param = v;
  } else if (r->op == RangeOp::kQuantileOverTime) {
    Defer(r, at, StrCat("parameter required for operation ", op));
    return;
  }
  if (r->has_grouping) {
    switch (r->op) {
      case RangeOp::kAvgOverTime: case RangeOp::kStddevOverTime: case RangeOp::kStdvarOverTime:
      case RangeOp::kQuantileOverTime: case RangeOp::kMaxOverTime: case RangeOp::kMinOverTime:
      case RangeOp::kFirstOverTime: case RangeOp::kLastOverTime:
        break;
      default:
        Defer(r, at, StrCat("grouping not allowed for ", op, " aggregation"));
        return;
    }
  }
  if (r->range.has_unwrap) {
    switch (r->op) {
      case RangeOp::kAvgOverTime: case RangeOp::kSumOverTime: case RangeOp::kMaxOverTime:
      case RangeOp::kMinOverTime: case RangeOp::kStddevOverTime: case RangeOp::kStdvarOverTime:
      case RangeOp::kQuantileOverTime: case RangeOp::kRate: case RangeOp::kRateCounter:
      case RangeOp::kAbsentOverTime: case RangeOp::kFirstOverTime: case RangeOp::kLastOverTime:
        return;
      default:
        Defer(r, at, StrCat("invalid aggregation ", op, " with unwrap"));
        return;
    }
  }
  switch (r->op) {
    case RangeOp::kBytesOverTime: case RangeOp::kBytesRate: case RangeOp::kCountOverTime:
    case RangeOp::kRate: case RangeOp::kAbsentOverTime:
      return;
    default:
      Defer(r, at, StrCat("invalid aggregation ", op, " without unwrap"));
  }
}

Expr* Parser::ParseRangeAggregation(uint32_t depth) {
  auto* r = NewNode<RangeAggregationExpr>(tok_->start);
  if (!r) return nullptr;
  r->op = tok_->range_op;
  Advance();
  if (!Expect(Tok::kLParen)) return nullptr;
  Token param;
  bool has_param = false;
  if (tok_->type == Tok::kNumber) {
    param = *tok_;
    has_param = true;
    Advance();
    if (!Expect(Tok::kComma)) return nullptr;
  }
  if (!ParseLogRange(&r->range, depth + 1)) return nullptr;
  r->span.end = tok_->end;
  if (!Expect(Tok::kRParen)) return nullptr;
  if (tok_->type == Tok::kBy || tok_->type == Tok::kWithout) {
    r->has_grouping = true;
    r->span.end = tok_->end;
    if (!ParseGrouping(&r->grouping)) return nullptr;
  }
  CheckRangeAggregation(r, has_param ? &param : nullptr);
  return r;
}

Expr* Parser::ParseVectorAggregation(uint32_t depth) {
  auto* v = NewNode<VectorAggregationExpr>(tok_->start);
  if (!v) return nullptr;
  v->op = tok_->vector_op;
  Advance();
  bool grouped = false;
  if (tok_->type == Tok::kBy || tok_->type == Tok::kWithout) {
    grouped = true;
    if (!ParseGrouping(&v->grouping)) return nullptr;
  }
  if (!Expect(Tok::kLParen)) return nullptr;
  Token param;
  bool has_param = false;
  if (tok_->type == Tok::kNumber && Peek().type == Tok::kComma) {
    param = *tok_;
    has_param = true;
    Advance();
    Advance();
  }
  v->expr = ParseMetricExpr(depth + 1);
  if (!v->expr) return nullptr;
  v->span.end = tok_->end;
  if (!Expect(Tok::kRParen)) return nullptr;
  if (!grouped && (tok_->type == Tok::kBy || tok_->type == Tok::kWithout)) {
    grouped = true;
    v->span.end = tok_->end;
    if (!ParseGrouping(&v->grouping)) return nullptr;
  }
  // mustNewVectorAggregationExpr
  std::string_view op = VectorOpName(v->op);
  if (v->op == VectorOp::kTopk || v->op == VectorOp::kBottomk || v->op == VectorOp::kApproxTopk) {
    int64_t p = 0;
    if (!has_param) {
      Defer(v, v->span.start, StrCat("parameter required for operation ", op));
    } else if (!ParseGoInt(param.text, &p)) {
      Defer(v, v->span.start, StrCat("invalid parameter ", op, "(", param.text, ","));
    } else if (p <= 0) {
      Defer(v, v->span.start,
            StrCat("invalid parameter (must be greater than 0) ", op, "(", param.text));
    } else if (v->op == VectorOp::kApproxTopk && grouped) {
      Defer(v, v->span.start, StrCat("grouping not allowed for ", op, " aggregation"));
    }
    v->param = p;
  } else if (has_param) {
    Defer(v, v->span.start,
          StrCat("unsupported parameter for operation ", op, "(", param.text, ","));
  }
  return v;
}

Expr* Parser::ParseLabelReplace(uint32_t depth) {
  auto* l = NewNode<LabelReplaceExpr>(tok_->start);
  if (!l) return nullptr;
  Advance();
  if (!Expect(Tok::kLParen)) return nullptr;
  l->expr = ParseMetricExpr(depth + 1);
  if (!l->expr) return nullptr;
  for (std::string_view* s : {&l->dst, &l->replacement, &l->src, &l->regex}) {
    if (!Expect(Tok::kComma)) return nullptr;
    if (tok_->type != Tok::kString) {
      Unexpected();
      return nullptr;
    }
    *s = TakeString();
    Advance();
  }
  l->span.end = tok_->end;
  if (!Expect(Tok::kRParen)) return nullptr;
  // A regex valid on its own is valid anchored; one that is not may still
  // be (`a)|(b`), which RE2 decides.
  internal::RegexFacts facts;
  if (!internal::QuickCheckRegex(l->regex, &facts)) {
    const std::string anchored = StrCat("^(?:", l->regex, ")$");
    RE2 re(anchored, QuietOptions(false));
    if (!re.ok()) {
      Defer(l, l->span.start, "invalid regex in label_replace: " + GoRegexpError(re));
    }
  }
  return l;
}

Expr* Parser::ParseVector() {
  auto* v = NewNode<VectorExpr>(tok_->start);
  if (!v) return nullptr;
  Advance();
  if (!Expect(Tok::kLParen)) return nullptr;
  if (tok_->type != Tok::kNumber) {
    Unexpected();
    return nullptr;
  }
  if (!ParseGoFloat(tok_->text, &v->value)) {
    std::string msg = "unable to parse vectorExpr as a float: strconv.ParseFloat: parsing ";
    obsv::internal::AppendGoQuote(tok_->text, &msg);
    msg.append(": invalid syntax");
    Defer(v, tok_->start, std::move(msg));
  }
  Advance();
  v->span.end = tok_->end;
  if (!Expect(Tok::kRParen)) return nullptr;
  return v;
}

Expr* Parser::ParseVariants(uint32_t depth) {
  auto* v = NewNode<VariantsExpr>(tok_->start);
  if (!v) return nullptr;
  Advance();
  if (!Expect(Tok::kLParen)) return nullptr;
  while (true) {
    Expr* e = ParseMetricExpr(depth + 1);
    if (!e) return nullptr;
    v->variants.push_back(arena_, e);
    if (tok_->type != Tok::kComma) break;
    Advance();
  }
  if (!Expect(Tok::kRParen) || !Expect(Tok::kOf) || !Expect(Tok::kLParen)) return nullptr;
  if (!ParseLogRange(&v->range, depth + 1)) return nullptr;
  v->span.end = tok_->end;
  if (!Expect(Tok::kRParen)) return nullptr;
  return v;
}

#pragma GCC diagnostic pop

// ---- validation ----

bool Parser::CheckMatchers(const StreamSelector& sel, uint32_t offset) {
  for (const LabelMatcher& m : sel.matchers) {
    if (!MatcherMatchesEmpty(m)) return true;
  }
  failure_.positioned = false;
  return Fail(ParseErrorCode::kSyntax, offset, std::string(kEmptyMatchersError));
}

// SampleExpr.Selector() chains: the selector of the left-most leg.
bool Parser::ValidateSelectorOf(const Expr& e) {
  if (const Failure* f = DeferredOf(&e)) {
    failure_ = *f;
    return false;
  }
  switch (e.kind) {
    case NodeKind::kRangeAggregation: {
      const auto& r = e.As<RangeAggregationExpr>();
      return CheckMatchers(r.range.log->selector, r.range.log->span.start);
    }
    case NodeKind::kVectorAggregation: return ValidateSelectorOf(*e.As<VectorAggregationExpr>().expr);
    case NodeKind::kBinary: return ValidateSelectorOf(*e.As<BinaryExpr>().lhs);
    case NodeKind::kLabelReplace: return ValidateSelectorOf(*e.As<LabelReplaceExpr>().expr);
    case NodeKind::kVector: return true;
    case NodeKind::kLiteral: return CheckMatchers(StreamSelector{}, e.span.start);
    case NodeKind::kLogSelector:
      return CheckMatchers(e.As<LogSelectorExpr>().selector, e.span.start);
    case NodeKind::kVariants: return true;
  }
  return true;
}

bool Parser::Validate(const Expr& e) {
  if (const Failure* f = DeferredOf(&e)) {
    failure_ = *f;
    return false;
  }
  switch (e.kind) {
    case NodeKind::kLogSelector:
      return CheckMatchers(e.As<LogSelectorExpr>().selector, e.span.start);
    case NodeKind::kBinary: {
      const auto& b = e.As<BinaryExpr>();
      return Validate(*b.lhs) && Validate(*b.rhs);
    }
    case NodeKind::kLiteral:
    case NodeKind::kVector:
      return true;
    case NodeKind::kVectorAggregation: {
      const auto& v = e.As<VectorAggregationExpr>();
      if ((v.op == VectorOp::kSort || v.op == VectorOp::kSortDesc) && !v.grouping.labels.empty()) {
        failure_.positioned = false;
        return Fail(ParseErrorCode::kSyntax, e.span.start,
                    "sort and sort_desc doesn't allow grouping by ");
      }
      return Validate(*v.expr);
    }
    case NodeKind::kRangeAggregation:
    case NodeKind::kLabelReplace:
      return ValidateSelectorOf(e);
    case NodeKind::kVariants: {
      const auto& v = e.As<VariantsExpr>();
      if (!CheckMatchers(v.range.log->selector, v.range.log->span.start)) return false;
      for (const Expr* x : v.variants) {
        if (!Validate(*x)) return false;
      }
      return true;
    }
  }
  return true;
}

Expr* Parser::Run(ParseError* error) {
  Advance();
  Expr* e = ParseExpr(1, 0);
  if (e && tok_->type != Tok::kEof) {
    Unexpected();
    e = nullptr;
  }
  if (e && !Validate(*e)) e = nullptr;
  if (failure_.code != ParseErrorCode::kOk) {
    *error = ErrorOf(query_, failure_);
    return nullptr;
  }
  return e;
}

ParseError ErrorOf(std::string_view query, const Failure& failure) {
  ParseError err;
  err.code = failure.code;
  err.offset = failure.offset;
  internal::LineColumn lc = internal::LineColumnAt(query, failure.offset, /*runes=*/false);
  err.line = lc.line;
  err.column = lc.column;
  err.message = failure.message;
  if (!failure.positioned) {
    err.line = 0;
    err.column = 0;
  } else if (failure.line_zero) {
    err.line = 0;  // Loki's report; column stays
  }
  return err;
}

}  // namespace

ParseError Parse(std::string_view query, const ParserOptions& options, ExprPtr* out) {
  if (query.size() > options.max_query_bytes) {
    Failure f;
    f.code = ParseErrorCode::kLimitExceeded;
    f.positioned = false;
    f.message = StrCat("input size too long (", query.size(), " > ",
                       options.max_query_bytes + 1ULL, ")");
    return ErrorOf(query, f);
  }
  // The tree keeps a copy of the query in its arena, and the lexer reads
  // that copy: strings without escapes are then views the tree can keep.
  Arena* arena = internal::AcquireArena();
  const std::string_view copy = arena->Copy(query);
  ParseError err;
  Expr* root = Parser(copy, options, arena).Run(&err);
  if (root == nullptr) {
    internal::ReleaseArena(arena);
    return err;
  }
  *out = ExprPtr(arena, root);
  return err;
}

absl::StatusOr<ExprPtr> Parse(std::string_view query, const ParserOptions& options) {
  ExprPtr out;
  ParseError err = Parse(query, options, &out);
  if (err.ok()) return out;
  std::string msg;
  if (err.line == 0 && err.column == 0) {
    msg = StrCat("parse error : ", err.message);
  } else {
    internal::LineColumn lc = internal::LineColumnAt(query, static_cast<uint32_t>(err.offset), /*runes=*/true);
    msg = StrCat("parse error at line ", err.line == 0 ? 0 : lc.line, ", col ", lc.column, ": ",
                 err.message);
  }
  if (err.code == ParseErrorCode::kLimitExceeded) return absl::ResourceExhaustedError(msg);
  return absl::InvalidArgumentError(msg);
}

}  // namespace obsv::logql
