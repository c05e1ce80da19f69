// The canonical printer: Prometheus's String() (promql/parser/printer.go),
// plus the Go formatting it relies on (strconv.Quote, FormatFloat 'f',
// model.Duration).
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "common/str_cat.h"
#include "promql/lexer.h"
#include "promql/printer.h"

namespace obsv::promql {
namespace internal {

using obsv::internal::StrAppend;

namespace {

// unicode.IsPrint, approximated: controls, surrogates, non-characters and
// the separators Go treats as non-printable are escaped.
bool IsPrintRune(uint32_t r) {
  if (r < 0x20 || r == 0x7F) return false;
  if (r >= 0x80 && r < 0xA0) return false;
  if (r == 0xAD) return false;                      // soft hyphen (Cf)
  if (r >= 0x2028 && r <= 0x202E) return false;     // separators, bidi controls
  if (r >= 0x200B && r <= 0x200F) return false;
  if (r >= 0x2060 && r <= 0x206F) return false;
  if (r == 0xFEFF || r == 0xFFFE || r == 0xFFFF) return false;
  if (r >= 0xE000 && r <= 0xF8FF) return false;     // private use
  if (r >= 0xFFF9 && r <= 0xFFFB) return false;
  return true;
}

void AppendEscapedRune(uint32_t r, char quote, std::string* out) {
  char buf[16];
  if (r == static_cast<unsigned char>(quote) || r == '\\') {
    out->push_back('\\');
    out->push_back(static_cast<char>(r));
    return;
  }
  if (IsPrintRune(r)) {
    if (r < 0x80) {
      out->push_back(static_cast<char>(r));
    } else if (r < 0x800) {
      out->push_back(static_cast<char>(0xC0 | (r >> 6)));
      out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
    } else if (r < 0x10000) {
      out->push_back(static_cast<char>(0xE0 | (r >> 12)));
      out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
    } else {
      out->push_back(static_cast<char>(0xF0 | (r >> 18)));
      out->push_back(static_cast<char>(0x80 | ((r >> 12) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | ((r >> 6) & 0x3F)));
      out->push_back(static_cast<char>(0x80 | (r & 0x3F)));
    }
    return;
  }
  switch (r) {
    case '\a': out->append("\\a"); return;
    case '\b': out->append("\\b"); return;
    case '\f': out->append("\\f"); return;
    case '\n': out->append("\\n"); return;
    case '\r': out->append("\\r"); return;
    case '\t': out->append("\\t"); return;
    case '\v': out->append("\\v"); return;
    default: break;
  }
  if (r < ' ' || r == 0x7F) {
    snprintf(buf, sizeof(buf), "\\x%02x", r);
  } else if (r < 0x10000) {
    snprintf(buf, sizeof(buf), "\\u%04x", r);
  } else {
    snprintf(buf, sizeof(buf), "\\U%08x", r);
  }
  out->append(buf);
}

}  // namespace

void AppendGoQuote(std::string_view s, std::string* out) {
  out->push_back('"');
  for (size_t i = 0; i < s.size();) {
    // Runs of printable ASCII other than `"` and `\` (nearly every label
    // value) are copied as they are, in one append.
    size_t j = i;
    while (j < s.size() && s[j] >= ' ' && s[j] <= '~' && s[j] != '"' && s[j] != '\\') ++j;
    if (j > i) {
      out->append(s.data() + i, j - i);
      i = j;
      continue;
    }
    uint32_t r;
    int n = DecodeRune(s, i, &r);
    if (n == 0) {
      char buf[8];
      snprintf(buf, sizeof(buf), "\\x%02x", static_cast<unsigned char>(s[i]));
      out->append(buf);
      ++i;
      continue;
    }
    AppendEscapedRune(r, '"', out);
    i += n;
  }
  out->push_back('"');
}

std::string GoQuoteRune(uint32_t r) {
  std::string out = "'";
  AppendEscapedRune(r, '\'', &out);
  out.push_back('\'');
  return out;
}

bool IsLegacyLabelName(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

bool IsLegacyMetricName(std::string_view s) {
  if (s.empty()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

void AppendDuration(int64_t ns, std::string* out) {
  int64_t ms = ns / 1'000'000;
  if (ms == 0) {
    out->append("0s");
    return;
  }
  struct Unit {
    const char* name;
    int64_t mult;
    bool exact;
  };
  static constexpr Unit kUnits[] = {
      {"y", int64_t{1000} * 60 * 60 * 24 * 365, true},
      {"w", int64_t{1000} * 60 * 60 * 24 * 7, true},
      {"d", int64_t{1000} * 60 * 60 * 24, false},
      {"h", int64_t{1000} * 60 * 60, false},
      {"m", int64_t{1000} * 60, false},
      {"s", 1000, false},
      {"ms", 1, false},
  };
  for (const Unit& u : kUnits) {
    if (u.exact && ms % u.mult != 0) continue;
    int64_t v = ms / u.mult;
    if (v > 0) {
      StrAppend(out, v, u.name);
      ms -= v * u.mult;
    }
  }
}

// model.ParseDuration: units y w d h m s ms, each at most once, in order.
bool ParsePromDuration(std::string_view s, int64_t* ms_out) {
  if (s == "0") {
    *ms_out = 0;
    return true;
  }
  if (s.empty()) return false;
  struct Unit {
    std::string_view name;
    int64_t mult;
  };
  static constexpr Unit kUnits[] = {
      {"y", int64_t{1000} * 60 * 60 * 24 * 365}, {"w", int64_t{1000} * 60 * 60 * 24 * 7},
      {"d", int64_t{1000} * 60 * 60 * 24},       {"h", int64_t{1000} * 60 * 60},
      {"m", int64_t{1000} * 60},                 {"s", 1000},
      {"ms", 1},
  };
  size_t next_unit = 0;
  size_t i = 0;
  // Go's time.Duration (ns) bounds the total.
  const int64_t kMaxMs = INT64_MAX / 1'000'000;
  int64_t total = 0;
  while (i < s.size()) {
    size_t d0 = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == d0) return false;
    uint64_t v = 0;
    auto r = std::from_chars(s.data() + d0, s.data() + i, v);
    if (r.ec != std::errc()) return false;
    size_t u0 = i;
    while (i < s.size() && (s[i] < '0' || s[i] > '9')) ++i;
    std::string_view unit = s.substr(u0, i - u0);
    bool found = false;
    for (; next_unit < std::size(kUnits); ++next_unit) {
      if (kUnits[next_unit].name == unit) {
        found = true;
        break;
      }
    }
    if (!found) return false;
    int64_t mult = kUnits[next_unit].mult;
    ++next_unit;
    if (v > static_cast<uint64_t>(kMaxMs / mult)) return false;
    int64_t add = static_cast<int64_t>(v) * mult;
    if (total > kMaxMs - add) return false;
    total += add;
  }
  *ms_out = total;
  return true;
}

void AppendGoFloatF(double v, std::string* out) {
  if (std::isnan(v)) {
    out->append("NaN");
    return;
  }
  if (std::isinf(v)) {
    out->append(v > 0 ? "+Inf" : "-Inf");
    return;
  }
  // Shortest round-trip digits, then laid out without an exponent.
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(r.ptr - buf));
  bool neg = false;
  if (!sci.empty() && sci[0] == '-') {
    neg = true;
    sci.remove_prefix(1);
  }
  size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  int exp = std::atoi(std::string(sci.substr(e + 1)).c_str());
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  if (digits == "0") {
    out->append(neg ? "-0" : "0");
    return;
  }
  if (neg) out->push_back('-');
  int point = exp + 1;  // digits before the decimal point
  if (point <= 0) {
    out->append("0.");
    out->append(static_cast<size_t>(-point), '0');
    out->append(digits);
  } else if (static_cast<size_t>(point) >= digits.size()) {
    out->append(digits);
    out->append(static_cast<size_t>(point) - digits.size(), '0');
  } else {
    out->append(digits, 0, static_cast<size_t>(point));
    out->push_back('.');
    out->append(digits, static_cast<size_t>(point), std::string::npos);
  }
}

}  // namespace internal

namespace {

using internal::AppendDuration;
using internal::AppendGoQuote;
using obsv::internal::StrAppend;

// Prometheus's writeLabels() leaves a name unquoted when it is a legacy
// metric name, so `by (a:b)` stays as written (and re-parses).
void AppendLabels(const std::vector<std::string>& labels, std::string* out) {
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i > 0) out->append(", ");
    if (internal::IsLegacyMetricName(labels[i])) {
      out->append(labels[i]);
    } else {
      AppendGoQuote(labels[i], out);
    }
  }
}

void AppendAtMs(int64_t ms, std::string* out) {
  char buf[64];
  snprintf(buf, sizeof(buf), " @ %.3f", static_cast<double>(ms) / 1000.0);
  out->append(buf);
}

void AppendAt(const TimeModifiers& m, std::string* out) {
  switch (m.at) {
    case AtKind::kNone: break;
    case AtKind::kTimestamp: AppendAtMs(m.at_ms, out); break;
    case AtKind::kStart: out->append(" @ start()"); break;
    case AtKind::kEnd: out->append(" @ end()"); break;
  }
}

void AppendOffset(const TimeModifiers& m, std::string* out) {
  if (m.offset_expr != nullptr) {
    out->append(" offset ");
    AppendFormat(*m.offset_expr, out);
  } else if (m.offset_ns > 0) {
    out->append(" offset ");
    AppendDuration(m.offset_ns, out);
  } else if (m.offset_ns < 0) {
    out->append(" offset -");
    AppendDuration(-m.offset_ns, out);
  }
}

// A range or step: the literal duration, or the expression.
void AppendRange(int64_t ns, const DurationExprPtr& expr, std::string* out) {
  if (expr != nullptr) {
    AppendFormat(*expr, out);
  } else {
    AppendDuration(ns, out);
  }
}

// ` anchored` / ` smoothed` (Prometheus prints at most one).
void AppendExtendedRange(const VectorSelector& vs, std::string* out) {
  if (vs.anchored) {
    out->append(" anchored");
  } else if (vs.smoothed) {
    out->append(" smoothed");
  }
}

// NumberLiteral.String(): a duration as model.Duration, else FormatFloat.
void AppendNumber(double v, bool is_duration, std::string* out) {
  if (is_duration) {
    if (v < 0) {
      out->push_back('-');
      v = -v;
    }
    AppendDuration(static_cast<int64_t>(v * 1e9), out);
  } else {
    internal::AppendGoFloatF(v, out);
  }
}

// name{matchers} without modifiers.
void AppendSelectorBody(const VectorSelector& vs, std::string* out) {
  out->append(vs.name);
  // Each matcher is written in place, `{a="1",b="2"`, its [start, end)
  // recorded; Prometheus sorts matchers by their text, so when they are not
  // in order already they are rewritten from a copy of the region.
  struct Part {
    size_t start;
    size_t end;
  };
  absl::InlinedVector<Part, 8> parts;
  const size_t open = out->size();
  for (const LabelMatcher& m : vs.matchers) {
    if (m.name == "__name__" && m.op == MatchOp::kEqual && m.value == vs.name && !m.value.empty()) {
      continue;
    }
    out->push_back(parts.empty() ? '{' : ',');
    const size_t start = out->size();
    if (internal::IsLegacyLabelName(m.name)) {
      out->append(m.name);
    } else {
      AppendGoQuote(m.name, out);
    }
    out->append(MatchOpName(m.op));
    AppendGoQuote(m.value, out);
    parts.push_back({start, out->size()});
  }
  if (parts.empty()) return;
  auto view = [](const std::string& s, const Part& p) {
    return std::string_view(s.data() + p.start, p.end - p.start);
  };
  bool sorted = true;
  for (size_t i = 1; i < parts.size() && sorted; ++i) {
    sorted = !(view(*out, parts[i]) < view(*out, parts[i - 1]));
  }
  if (!sorted) {
    const std::string region = out->substr(open);
    for (Part& p : parts) {
      p.start -= open;
      p.end -= open;
    }
    std::stable_sort(parts.begin(), parts.end(), [&region, &view](const Part& a, const Part& b) {
      return view(region, a) < view(region, b);
    });
    out->resize(open);
    for (size_t i = 0; i < parts.size(); ++i) {
      out->push_back(i == 0 ? '{' : ',');
      out->append(view(region, parts[i]));
    }
  }
  out->push_back('}');
}

}  // namespace

namespace internal {

void AppendAggregateHead(const Aggregate& a, std::string* out) {
  out->append(AggregateOpName(a.op));
  if (a.without) {
    out->append(" without (");
    AppendLabels(a.grouping, out);
    out->append(") ");
  } else if (!a.grouping.empty()) {
    out->append(" by (");
    AppendLabels(a.grouping, out);
    out->append(") ");
  }
}

void AppendBinaryModifiers(const Binary& b, std::string* out) {
  if (b.return_bool) out->append(" bool");
  if (!b.has_matching) return;
  const VectorMatching& vm = b.matching;
  bool grouped = vm.card == Cardinality::kManyToOne || vm.card == Cardinality::kOneToMany;
  if (!vm.matching_labels.empty() || vm.on || grouped) {
    out->append(vm.on ? " on (" : " ignoring (");
    AppendLabels(vm.matching_labels, out);
    out->push_back(')');
  }
  if (grouped) {
    out->append(vm.card == Cardinality::kManyToOne ? " group_left (" : " group_right (");
    AppendLabels(vm.include, out);
    out->push_back(')');
  }
}

void AppendSubquerySuffix(const Subquery& s, std::string* out) {
  out->push_back('[');
  AppendRange(s.range_ns, s.range_expr, out);
  out->push_back(':');
  if (s.step_ns != 0 || s.step_expr != nullptr) AppendRange(s.step_ns, s.step_expr, out);
  out->push_back(']');
  AppendAt(s.modifiers, out);
  AppendOffset(s.modifiers, out);
}

}  // namespace internal

void AppendFormat(const Expr& e, std::string* out) {
  switch (e.kind) {
    case NodeKind::kNumberLiteral: {
      const auto& n = e.As<NumberLiteral>();
      AppendNumber(n.value, n.is_duration, out);
      return;
    }
    case NodeKind::kStringLiteral:
      AppendGoQuote(e.As<StringLiteral>().value, out);
      return;
    case NodeKind::kVectorSelector: {
      const auto& vs = e.As<VectorSelector>();
      AppendSelectorBody(vs, out);
      AppendAt(vs.modifiers, out);
      AppendExtendedRange(vs, out);
      AppendOffset(vs.modifiers, out);
      return;
    }
    case NodeKind::kMatrixSelector: {
      const auto& m = e.As<MatrixSelector>();
      AppendSelectorBody(*m.selector, out);
      out->push_back('[');
      AppendRange(m.range_ns, m.range_expr, out);
      out->push_back(']');
      AppendExtendedRange(*m.selector, out);
      AppendAt(m.selector->modifiers, out);
      AppendOffset(m.selector->modifiers, out);
      return;
    }
    case NodeKind::kSubquery: {
      const auto& s = e.As<Subquery>();
      AppendFormat(*s.expr, out);
      internal::AppendSubquerySuffix(s, out);
      return;
    }
    case NodeKind::kCall: {
      const auto& c = e.As<Call>();
      out->append(c.function->name);
      out->push_back('(');
      for (size_t i = 0; i < c.args.size(); ++i) {
        if (i > 0) out->append(", ");
        AppendFormat(*c.args[i], out);
      }
      out->push_back(')');
      return;
    }
    case NodeKind::kAggregate: {
      const auto& a = e.As<Aggregate>();
      internal::AppendAggregateHead(a, out);
      out->push_back('(');
      if (a.param != nullptr) {
        AppendFormat(*a.param, out);
        out->append(", ");
      }
      AppendFormat(*a.expr, out);
      out->push_back(')');
      return;
    }
    case NodeKind::kBinary: {
      const auto& b = e.As<Binary>();
      AppendFormat(*b.lhs, out);
      StrAppend(out, " ", BinaryOpName(b.op));
      internal::AppendBinaryModifiers(b, out);
      out->push_back(' ');
      AppendFormat(*b.rhs, out);
      return;
    }
    case NodeKind::kUnary: {
      const auto& u = e.As<Unary>();
      out->push_back(u.negate ? '-' : '+');
      AppendFormat(*u.expr, out);
      return;
    }
    case NodeKind::kParen:
      out->push_back('(');
      AppendFormat(*e.As<Paren>().expr, out);
      out->push_back(')');
      return;
  }
}

// DurationExpr.writeTo(). Recursion is as deep as the expression, which
// the parser bounds by max_depth.
void AppendFormat(const DurationExpr& d, std::string* out) {
  if (d.wrapped) out->push_back('(');
  std::string_view op;
  switch (d.op) {
    case DurationOp::kLiteral:
      AppendNumber(d.seconds, d.is_duration, out);
      break;
    case DurationOp::kStep:
      out->append("step()");
      break;
    case DurationOp::kMin:
    case DurationOp::kMax:
      out->append(d.op == DurationOp::kMin ? "min(" : "max(");
      if (d.lhs != nullptr) AppendFormat(*d.lhs, out);
      out->append(", ");
      if (d.rhs != nullptr) AppendFormat(*d.rhs, out);
      out->push_back(')');
      break;
    case DurationOp::kNegate:
      out->push_back('-');
      if (d.rhs != nullptr) AppendFormat(*d.rhs, out);
      break;
    case DurationOp::kAdd: op = " + "; break;
    case DurationOp::kSub: op = " - "; break;
    case DurationOp::kMul: op = " * "; break;
    case DurationOp::kDiv: op = " / "; break;
    case DurationOp::kMod: op = " % "; break;
    case DurationOp::kPow: op = " ^ "; break;
  }
  if (!op.empty()) {
    if (d.lhs != nullptr) AppendFormat(*d.lhs, out);
    out->append(op);
    if (d.rhs != nullptr) AppendFormat(*d.rhs, out);
  }
  if (d.wrapped) out->push_back(')');
}

std::string Format(const DurationExpr& expr) {
  std::string out;
  AppendFormat(expr, &out);
  return out;
}

std::string Format(const Expr& expr) {
  std::string out;
  AppendFormat(expr, &out);
  return out;
}

}  // namespace obsv::promql
