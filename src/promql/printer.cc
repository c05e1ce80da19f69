// The canonical printer: Prometheus's String() (promql/parser/printer.go),
// plus the Go formatting it relies on (strconv.Quote, FormatFloat 'f',
// model.Duration).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "promql/lexer.h"
#include "promql/printer.h"

namespace obsv::promql {
namespace internal {


void Out::Grow(size_t n) {
  const size_t used = size();
  s_->resize(std::max(used + n, 2 * s_->size()));
  s_->resize(s_->capacity());
  p_ = s_->data() + used;
  end_ = s_->data() + s_->size();
}

namespace {

#if defined(__SSE2__)
// Whether a byte of x needs escaping in a Go-quoted string: a control
// character, DEL, '"', '\\' or a byte >= 0x80 (signed, below 0x20 too).
inline bool NeedsQuoting(__m128i x) {
  __m128i bad = _mm_or_si128(
      _mm_or_si128(_mm_cmplt_epi8(x, _mm_set1_epi8(0x20)), _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7F))),
      _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))));
  return _mm_movemask_epi8(bad) != 0;
}
#endif

inline bool PlainQuotedByte(char c) { return c >= ' ' && c <= '~' && c != '"' && c != '\\'; }

// Copies s (n bytes) to p and returns whether every byte may stand as it is
// between double quotes.
inline bool CopyPlain(char* p, const char* s, size_t n) {
#if defined(__SSE2__)
  if (n <= 16) {
    uint64_t w0, w1;
    if (n >= 8) {
      std::memcpy(&w0, s, 8);
      std::memcpy(&w1, s + n - 8, 8);
      std::memcpy(p, &w0, 8);
      std::memcpy(p + n - 8, &w1, 8);
    } else if (n >= 4) {
      uint32_t x, y;
      std::memcpy(&x, s, 4);
      std::memcpy(&y, s + n - 4, 4);
      std::memcpy(p, &x, 4);
      std::memcpy(p + n - 4, &y, 4);
      w0 = x | uint64_t{y} << 32;
      w1 = w0;
    } else {
      // Bytes 0, n/2 and n-1 cover all of 1..3; the fill byte 'a' is plain.
      p[0] = s[0];
      p[n / 2] = s[n / 2];
      p[n - 1] = s[n - 1];
      w0 = 0x6161616161000000ULL | static_cast<unsigned char>(s[0]) |
           uint64_t{static_cast<unsigned char>(s[n / 2])} << 8 |
           uint64_t{static_cast<unsigned char>(s[n - 1])} << 16;
      w1 = w0;
    }
    return !NeedsQuoting(_mm_set_epi64x(static_cast<long long>(w1), static_cast<long long>(w0)));
  }
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p + i), v);
    if (NeedsQuoting(v)) return false;
  }
  if (i < n) {  // the last 16 bytes, overlapping
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + n - 16));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p + n - 16), v);
    if (NeedsQuoting(v)) return false;
  }
  return true;
#else
  for (size_t i = 0; i < n; ++i) {
    if (!PlainQuotedByte(s[i])) return false;
    p[i] = s[i];
  }
  return true;
#endif
}

// QuoteTo() of a string with bytes to escape, after the opening quote:
// Go's strconv.Quote (common/go_strconv), less the quote already written.
[[gnu::cold, gnu::noinline]] void QuoteSlow(std::string_view s, Out& out) {
  std::string quoted;
  AppendGoQuote(s, &quoted);
  out.Str(std::string_view(quoted).substr(1));
}

}  // namespace

void QuoteTo(std::string_view s, Out& out) {
  // Nearly every label value is printable ASCII without quotes or
  // backslashes: copied and checked 16 bytes at a time.
  const size_t n = s.size();
  char* p = out.Claim(n + 2);
  *p++ = '"';
  if (n == 0 || CopyPlain(p, s.data(), n)) {
    p[n] = '"';
    out.Commit(p + n + 1);
    return;
  }
  out.Commit(p);
  QuoteSlow(s, out);
}

namespace {

// Decimal digits of v >= 0.
inline void UintTo(uint64_t v, Out& out) {
  char* p = out.Claim(20);
  out.Commit(std::to_chars(p, p + 20, v).ptr);
}

// model.Duration's String(), common/go_strconv's AppendDuration(); the
// text (at most a few units) fits a short string's inline buffer.
void DurationTo(int64_t ns, Out& out) {
  std::string text;
  AppendDuration(ns, &text);
  out.Str(text);
}

// strconv.FormatFloat(v, 'f', -1, 64). Integers (nearly every number in a
// query) are written directly.
void FloatTo(double v, Out& out) {
  if (v >= -1e15 && v <= 1e15) {
    const auto i = static_cast<int64_t>(v);
    if (static_cast<double>(i) == v) {
      if (i < 0) {
        out.Char('-');
        UintTo(static_cast<uint64_t>(-i), out);
      } else if (i == 0 && std::signbit(v)) {
        out.Str("-0");
      } else {
        UintTo(static_cast<uint64_t>(i), out);
      }
      return;
    }
  }
  // A few decimals (`0.95`, `1.5`, `0.001`): the fewest k digits after the
  // point such that m / 10^k reads back as v. Below 1e6 the doubles are
  // much closer together than 10^-6, so that decimal is the only one of k
  // digits that reads back as v, and it is the shortest one: what
  // FormatFloat(v, 'f', -1) prints.
  if (v > -1e6 && v < 1e6) {
    const double a = std::fabs(v);
    uint64_t p10 = 1;
    for (int k = 1; k <= 6; ++k) {
      p10 *= 10;
      const double m = std::nearbyint(a * static_cast<double>(p10));
      if (m / static_cast<double>(p10) == a) {
        const auto mi = static_cast<uint64_t>(m);
        if (std::signbit(v)) out.Char('-');
        UintTo(mi / p10, out);
        out.Char('.');
        char digits[8];
        uint64_t frac = mi % p10;
        for (int i = k - 1; i >= 0; --i) {
          digits[i] = static_cast<char>('0' + frac % 10);
          frac /= 10;
        }
        out.Str(std::string_view(digits, static_cast<size_t>(k)));
        return;
      }
    }
  }
  std::string text;
  AppendGoFloatF(v, &text);
  out.Str(text);
}

}  // namespace

}  // namespace internal

namespace {

using internal::DurationTo;
using internal::FloatTo;
using internal::Out;
using internal::QuoteTo;

void FormatTo(const Expr& e, Out& out);
void FormatTo(const DurationExpr& d, Out& out);

// Prometheus's writeLabels() leaves a name unquoted when it is a legacy
// metric name, so `by (a:b)` stays as written (and re-parses).
void LabelsTo(const std::vector<std::string>& labels, Out& out) {
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out.Str(", ");
    if (internal::IsLegacyMetricName(labels[i])) {
      out.Str(labels[i]);
    } else {
      QuoteTo(labels[i], out);
    }
  }
}

void AtMsTo(int64_t ms, Out& out) {
  char buf[64];
  int n = snprintf(buf, sizeof(buf), " @ %.3f", static_cast<double>(ms) / 1000.0);
  out.Str(std::string_view(buf, static_cast<size_t>(n)));
}

void AtTo(const TimeModifiers& m, Out& out) {
  switch (m.at) {
    case AtKind::kNone: break;
    case AtKind::kTimestamp: AtMsTo(m.at_ms, out); break;
    case AtKind::kStart: out.Str(" @ start()"); break;
    case AtKind::kEnd: out.Str(" @ end()"); break;
  }
}

void OffsetTo(const TimeModifiers& m, Out& out) {
  if (m.offset_expr != nullptr) {
    out.Str(" offset ");
    FormatTo(*m.offset_expr, out);
  } else if (m.offset_ns > 0) {
    out.Str(" offset ");
    DurationTo(m.offset_ns, out);
  } else if (m.offset_ns < 0) {
    out.Str(" offset -");
    DurationTo(-m.offset_ns, out);
  }
}

// A range or step: the literal duration, or the expression.
void RangeTo(int64_t ns, const DurationExprPtr& expr, Out& out) {
  if (expr != nullptr) {
    FormatTo(*expr, out);
  } else {
    DurationTo(ns, out);
  }
}

// ` anchored` / ` smoothed` (Prometheus prints at most one).
void ExtendedRangeTo(const VectorSelector& vs, Out& out) {
  if (vs.anchored) {
    out.Str(" anchored");
  } else if (vs.smoothed) {
    out.Str(" smoothed");
  }
}

// NumberLiteral.String(): a duration as model.Duration, else FormatFloat.
void NumberTo(double v, bool is_duration, Out& out) {
  if (is_duration) {
    if (v < 0) {
      out.Char('-');
      v = -v;
    }
    DurationTo(static_cast<int64_t>(v * 1e9), out);
  } else {
    FloatTo(v, out);
  }
}

std::string_view MatchOpText(MatchOp op) {
  switch (op) {
    case MatchOp::kEqual: return "=";
    case MatchOp::kNotEqual: return "!=";
    case MatchOp::kRegexMatch: return "=~";
    case MatchOp::kRegexNoMatch: return "!~";
  }
  return "?";
}

// [start, end) of a matcher's text in the output.
struct MatcherPart {
  size_t start;
  size_t end;
};

inline std::string_view PartView(const char* base, const MatcherPart& p) {
  return std::string_view(base + p.start, p.end - p.start);
}

// PartView(base, a) < PartView(base, b), deciding on the first eight bytes
// when they differ (they usually do: they hold the label name).
inline bool PartLess(const char* base, const MatcherPart& a, const MatcherPart& b) {
  const size_t na = a.end - a.start;
  const size_t nb = b.end - b.start;
  if (na >= 8 && nb >= 8) {
    uint64_t x, y;
    std::memcpy(&x, base + a.start, 8);
    std::memcpy(&y, base + b.start, 8);
    if (x != y) return __builtin_bswap64(x) < __builtin_bswap64(y);
  }
  return PartView(base, a) < PartView(base, b);
}

// Rewrites the matchers written from `open` on in the order of their text
// (common: the injected matcher lands before a user's `url="..."`).
void SortMatchers(size_t open, MatcherPart* parts, size_t np, Out& out) {
  const size_t n = out.size() - open;
  char stack_buf[1024];
  std::string heap_buf;
  char* base = stack_buf;
  if (n > sizeof(stack_buf)) {
    heap_buf.resize(n);
    base = heap_buf.data();
  }
  std::memcpy(base, out.data() + open, n);
  for (size_t i = 0; i < np; ++i) {
    parts[i].start -= open;
    parts[i].end -= open;
  }
  auto less = [base](const MatcherPart& a, const MatcherPart& b) { return PartLess(base, a, b); };
  if (np <= 32) {
    // Insertion sort: stable, and without stable_sort's temporary buffer.
    for (size_t i = 1; i < np; ++i) {
      const MatcherPart p = parts[i];
      size_t j = i;
      for (; j > 0 && less(p, parts[j - 1]); --j) parts[j] = parts[j - 1];
      parts[j] = p;
    }
  } else {
    std::stable_sort(parts, parts + np, less);
  }
  out.Truncate(open);
  for (size_t i = 0; i < np; ++i) {
    out.Char(i == 0 ? '{' : ',');
    out.Str(PartView(base, parts[i]));
  }
}

// name{matchers} without modifiers.
void SelectorBodyTo(const VectorSelector& vs, Out& out) {
  static constexpr std::string_view kMetricName = "__name__";
  out.Str(vs.name);
  // Each matcher is written in place, `{a="1",b="2"`, its [start, end)
  // recorded; Prometheus sorts matchers by their text, so when they are not
  // in order already they are rewritten from a copy of the region.
  MatcherPart stack_parts[16];
  std::vector<MatcherPart> heap_parts;
  MatcherPart* parts = stack_parts;
  if (vs.matchers.size() > 16) {
    heap_parts.resize(vs.matchers.size());
    parts = heap_parts.data();
  }
  size_t np = 0;
  const size_t open = out.size();
  for (const LabelMatcher& m : vs.matchers) {
    if (m.op == MatchOp::kEqual && m.name == kMetricName && m.value == vs.name && !m.value.empty()) {
      continue;
    }
    out.Char(np == 0 ? '{' : ',');
    const size_t start = out.size();
    if (internal::IsLegacyLabelName(m.name)) {
      out.Str(m.name);
    } else {
      QuoteTo(m.name, out);
    }
    out.Str(MatchOpText(m.op));
    QuoteTo(m.value, out);
    parts[np++] = {start, out.size()};
  }
  if (np == 0) return;
  for (size_t i = 1; i < np; ++i) {
    if (PartLess(out.data(), parts[i], parts[i - 1])) {
      SortMatchers(open, parts, np, out);
      break;
    }
  }
  out.Char('}');
}

void AggregateHeadTo(const Aggregate& a, Out& out) {
  out.Str(AggregateOpName(a.op));
  if (a.without) {
    out.Str(" without (");
    LabelsTo(a.grouping, out);
    out.Str(") ");
  } else if (!a.grouping.empty()) {
    out.Str(" by (");
    LabelsTo(a.grouping, out);
    out.Str(") ");
  }
}

void BinaryModifiersTo(const Binary& b, Out& out) {
  if (b.return_bool) out.Str(" bool");
  if (!b.has_matching) return;
  const VectorMatching& vm = b.matching;
  bool grouped = vm.card == Cardinality::kManyToOne || vm.card == Cardinality::kOneToMany;
  if (!vm.matching_labels.empty() || vm.on || grouped) {
    out.Str(vm.on ? " on (" : " ignoring (");
    LabelsTo(vm.matching_labels, out);
    out.Char(')');
  }
  if (grouped) {
    out.Str(vm.card == Cardinality::kManyToOne ? " group_left (" : " group_right (");
    LabelsTo(vm.include, out);
    out.Char(')');
  }
}

void SubquerySuffixTo(const Subquery& s, Out& out) {
  out.Char('[');
  RangeTo(s.range_ns, s.range_expr, out);
  out.Char(':');
  if (s.step_ns != 0 || s.step_expr != nullptr) RangeTo(s.step_ns, s.step_expr, out);
  out.Char(']');
  AtTo(s.modifiers, out);
  OffsetTo(s.modifiers, out);
}

void FormatTo(const Expr& e, Out& out) {
  switch (e.kind) {
    case NodeKind::kNumberLiteral: {
      const auto& n = e.As<NumberLiteral>();
      NumberTo(n.value, n.is_duration, out);
      return;
    }
    case NodeKind::kStringLiteral:
      QuoteTo(e.As<StringLiteral>().value, out);
      return;
    case NodeKind::kVectorSelector: {
      const auto& vs = e.As<VectorSelector>();
      SelectorBodyTo(vs, out);
      AtTo(vs.modifiers, out);
      ExtendedRangeTo(vs, out);
      OffsetTo(vs.modifiers, out);
      return;
    }
    case NodeKind::kMatrixSelector: {
      const auto& m = e.As<MatrixSelector>();
      SelectorBodyTo(*m.selector, out);
      out.Char('[');
      RangeTo(m.range_ns, m.range_expr, out);
      out.Char(']');
      ExtendedRangeTo(*m.selector, out);
      AtTo(m.selector->modifiers, out);
      OffsetTo(m.selector->modifiers, out);
      return;
    }
    case NodeKind::kSubquery: {
      const auto& s = e.As<Subquery>();
      FormatTo(*s.expr, out);
      SubquerySuffixTo(s, out);
      return;
    }
    case NodeKind::kCall: {
      const auto& c = e.As<Call>();
      out.Str(c.function->name);
      out.Char('(');
      for (size_t i = 0; i < c.args.size(); ++i) {
        if (i > 0) out.Str(", ");
        FormatTo(*c.args[i], out);
      }
      out.Char(')');
      return;
    }
    case NodeKind::kAggregate: {
      const auto& a = e.As<Aggregate>();
      AggregateHeadTo(a, out);
      out.Char('(');
      if (a.param != nullptr) {
        FormatTo(*a.param, out);
        out.Str(", ");
      }
      FormatTo(*a.expr, out);
      out.Char(')');
      return;
    }
    case NodeKind::kBinary: {
      const auto& b = e.As<Binary>();
      FormatTo(*b.lhs, out);
      out.Char(' ');
      out.Str(BinaryOpName(b.op));
      BinaryModifiersTo(b, out);
      out.Char(' ');
      FormatTo(*b.rhs, out);
      return;
    }
    case NodeKind::kUnary: {
      const auto& u = e.As<Unary>();
      out.Char(u.negate ? '-' : '+');
      FormatTo(*u.expr, out);
      return;
    }
    case NodeKind::kParen:
      out.Char('(');
      FormatTo(*e.As<Paren>().expr, out);
      out.Char(')');
      return;
  }
}

// DurationExpr.writeTo(). Recursion is as deep as the expression, which
// the parser bounds by max_depth.
void FormatTo(const DurationExpr& d, Out& out) {
  if (d.wrapped) out.Char('(');
  std::string_view op;
  switch (d.op) {
    case DurationOp::kLiteral:
      NumberTo(d.seconds, d.is_duration, out);
      break;
    case DurationOp::kStep:
      out.Str("step()");
      break;
    case DurationOp::kMin:
    case DurationOp::kMax:
      out.Str(d.op == DurationOp::kMin ? "min(" : "max(");
      if (d.lhs != nullptr) FormatTo(*d.lhs, out);
      out.Str(", ");
      if (d.rhs != nullptr) FormatTo(*d.rhs, out);
      out.Char(')');
      break;
    case DurationOp::kNegate:
      out.Char('-');
      if (d.rhs != nullptr) FormatTo(*d.rhs, out);
      break;
    case DurationOp::kAdd: op = " + "; break;
    case DurationOp::kSub: op = " - "; break;
    case DurationOp::kMul: op = " * "; break;
    case DurationOp::kDiv: op = " / "; break;
    case DurationOp::kMod: op = " % "; break;
    case DurationOp::kPow: op = " ^ "; break;
  }
  if (!op.empty()) {
    if (d.lhs != nullptr) FormatTo(*d.lhs, out);
    out.Str(op);
    if (d.rhs != nullptr) FormatTo(*d.rhs, out);
  }
  if (d.wrapped) out.Char(')');
}

}  // namespace

namespace internal {

void AppendAggregateHead(const Aggregate& a, std::string* out) {
  Out o(out);
  AggregateHeadTo(a, o);
}

void AppendBinaryModifiers(const Binary& b, std::string* out) {
  Out o(out);
  BinaryModifiersTo(b, o);
}

void AppendSubquerySuffix(const Subquery& s, std::string* out) {
  Out o(out);
  SubquerySuffixTo(s, o);
}

}  // namespace internal

void AppendFormat(const Expr& e, std::string* out) {
  Out o(out);
  FormatTo(e, o);
}

void AppendFormat(const DurationExpr& d, std::string* out) {
  Out o(out);
  FormatTo(d, o);
}

std::string Format(const DurationExpr& expr) {
  std::string out;
  AppendFormat(expr, &out);
  return out;
}

std::string Format(const Expr& expr) {
  std::string out;
  // Canonical text is about as long as the query it was parsed from.
  const size_t written = expr.span.end > expr.span.start ? expr.span.end - expr.span.start : 0;
  out.reserve(written + written / 4 + 32);
  AppendFormat(expr, &out);
  return out;
}

}  // namespace obsv::promql
