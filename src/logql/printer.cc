// The canonical printer: Loki v3's String() methods (pkg/logql/syntax
// ast.go, pkg/logql/log label_filter.go and filter.go), byte for byte,
// written through common/out.h's cursor (as the PromQL printer).
#include "logql/printer.h"

#include <cmath>
#include <cstdio>
#include <string>

#include "common/go_float.h"
#include "common/go_strconv.h"
#include "common/out.h"
#include "logql/lexer.h"

namespace obsv::logql {
namespace internal {
namespace {

using obsv::internal::DurationTo;
using obsv::internal::FloatTo;
using obsv::internal::GoDurationTo;
using obsv::internal::Out;
using obsv::internal::QuoteTo;

std::string_view MatchOpString(MatchOp op) {
  switch (op) {
    case MatchOp::kEqual: return "=";
    case MatchOp::kNotEqual: return "!=";
    case MatchOp::kRegexMatch: return "=~";
    case MatchOp::kRegexNoMatch: return "!~";
  }
  return "";
}

// The line filter's operator and the space before its first operand.
std::string_view LineMatchString(LineMatch m) {
  switch (m) {
    case LineMatch::kContains: return "|= ";
    case LineMatch::kNotContains: return "!= ";
    case LineMatch::kRegex: return "|~ ";
    case LineMatch::kNotRegex: return "!~ ";
    case LineMatch::kPattern: return "|> ";
    case LineMatch::kNotPattern: return "!> ";
  }
  return "";
}

std::string_view CompareString(CompareOp op) {
  switch (op) {
    case CompareOp::kEqual: return "==";
    case CompareOp::kNotEqual: return "!=";
    case CompareOp::kGreater: return ">";
    case CompareOp::kGreaterEqual: return ">=";
    case CompareOp::kLess: return "<";
    case CompareOp::kLessEqual: return "<=";
  }
  return "";
}

// labels.Matcher.String(): a name that is not a legacy label name is quoted.
void MatcherTo(const LabelMatcher& m, Out& out) {
  if (obsv::internal::IsLegacyLabelName(m.name)) {
    out.Str(m.name);
  } else {
    QuoteTo(m.name, out);
  }
  out.Str(MatchOpString(m.op));
  QuoteTo(m.value, out);
}

void JoinedTo(const List<std::string_view>& v, Out& out) {
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out.Char(',');
    out.Str(v[i]);
  }
}

void ExtractionsTo(const List<LabelExtraction>& ex, Out& out) {
  for (size_t i = 0; i < ex.size(); ++i) {
    if (i > 0) out.Char(',');
    out.Str(ex[i].name);
    out.Char('=');
    QuoteTo(ex[i].expression, out);
  }
}

void NamedTo(const List<NamedMatcher>& names, Out& out) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out.Char(',');
    if (names[i].has_matcher) {
      MatcherTo(names[i].matcher, out);
    } else {
      out.Str(names[i].name);
    }
  }
}

void LabelFilterTo(const LabelFilter& f, Out& out) {
  switch (f.kind) {
    case LabelFilterKind::kMatcher:
      // LineFilterLabelFilter.String(): a `=~` regex kept as a regexp
      // prints in backquotes (quoted if it holds one).
      if (f.matcher.op == MatchOp::kRegexMatch && LabelRegexIsKeptAsRegexp(f.matcher.value)) {
        out.Str(f.matcher.name);
        out.Str("=~");
        if (f.matcher.value.find('`') != std::string::npos) {
          QuoteTo(f.matcher.value, out);
        } else {
          out.Char('`');
          out.Str(f.matcher.value);
          out.Char('`');
        }
        return;
      }
      MatcherTo(f.matcher, out);
      return;
    case LabelFilterKind::kIp:
      // IPLabelFilter.String() writes `=` (not `==`) for equality.
      out.Str(f.matcher.name);
      out.Str(f.op == CompareOp::kNotEqual ? "!=ip(" : "=ip(");
      QuoteTo(f.ip, out);
      out.Char(')');
      return;
    case LabelFilterKind::kNumber:
      out.Str(f.matcher.name);
      out.Str(CompareString(f.op));
      FloatTo(f.number, out);
      return;
    case LabelFilterKind::kDuration:
      out.Str(f.matcher.name);
      out.Str(CompareString(f.op));
      GoDurationTo(f.duration_ns, out);
      return;
    case LabelFilterKind::kBytes: {
      out.Str(f.matcher.name);
      out.Str(CompareString(f.op));
      std::string text;
      AppendHumanBytes(f.bytes, &text);
      out.Str(text);
      return;
    }
    case LabelFilterKind::kAnd:
    case LabelFilterKind::kOr:
      out.Str("( ");
      if (f.lhs) LabelFilterTo(*f.lhs, out);
      out.Str(f.kind == LabelFilterKind::kAnd ? " , " : " or ");
      if (f.rhs) LabelFilterTo(*f.rhs, out);
      out.Str(" )");
      return;
  }
}

void StageTo(const Stage& s, Out& out) {
  switch (s.kind) {
    case StageKind::kLineFilter: {
      const LineFilter& lf = s.line_filter;
      out.Str(LineMatchString(lf.match));
      for (size_t i = 0; i < lf.operands.size(); ++i) {
        if (i > 0) out.Str(" or ");
        if (lf.operands[i].ip) {
          out.Str("ip(");
          QuoteTo(lf.operands[i].value, out);
          out.Char(')');
        } else {
          QuoteTo(lf.operands[i].value, out);
        }
      }
      if (lf.operands.empty()) out.Truncate(out.size() - 1);  // no operand: no space
      return;
    }
    case StageKind::kLogfmt:
      if (s.extractions.empty()) {
        out.Str("| logfmt");
        if (s.strict) out.Str(" --strict");
        if (s.keep_empty) out.Str(" --keep-empty");
        return;
      }
      out.Str("| logfmt ");
      if (s.strict) out.Str("--strict ");
      if (s.keep_empty) out.Str("--keep-empty ");
      ExtractionsTo(s.extractions, out);
      return;
    case StageKind::kJson:
      if (s.extractions.empty()) {
        out.Str("| json");
        return;
      }
      out.Str("| json ");
      ExtractionsTo(s.extractions, out);
      return;
    case StageKind::kRegexp:
    case StageKind::kPattern:
      out.Str(s.kind == StageKind::kRegexp ? "| regexp " : "| pattern ");
      QuoteTo(s.param, out);
      return;
    case StageKind::kUnpack:
      out.Str("| unpack");
      return;
    case StageKind::kLabelFilter:
      out.Str("| ");
      if (s.label_filter) LabelFilterTo(*s.label_filter, out);
      return;
    case StageKind::kLineFormat:
      out.Str("| line_format ");
      QuoteTo(s.param, out);
      return;
    case StageKind::kLabelFormat:
      out.Str("| label_format ");
      for (size_t i = 0; i < s.formats.size(); ++i) {
        if (i > 0) out.Char(',');
        out.Str(s.formats[i].name);
        out.Char('=');
        if (s.formats[i].rename) {
          out.Str(s.formats[i].value);
        } else {
          QuoteTo(s.formats[i].value, out);
        }
      }
      return;
    case StageKind::kDecolorize:
      out.Str("| decolorize");
      return;
    case StageKind::kDrop:
    case StageKind::kKeep:
      out.Str(s.kind == StageKind::kDrop ? "| drop " : "| keep ");
      NamedTo(s.names, out);
      return;
  }
}

void LogSelectorTo(const LogSelectorExpr& e, Out& out) {
  out.Char('{');
  for (size_t i = 0; i < e.selector.matchers.size(); ++i) {
    if (i > 0) out.Str(", ");
    MatcherTo(e.selector.matchers[i], out);
  }
  out.Char('}');
  for (const Stage& s : e.pipeline) {
    out.Char(' ');
    StageTo(s, out);
  }
}

void UnwrapTo(const UnwrapExpr& u, Out& out) {
  out.Str(" | unwrap ");
  switch (u.conversion) {
    case UnwrapConversion::kNone: out.Str(u.label); break;
    case UnwrapConversion::kBytes:
      out.Str("bytes(");
      out.Str(u.label);
      out.Char(')');
      break;
    case UnwrapConversion::kDuration:
      out.Str("duration(");
      out.Str(u.label);
      out.Char(')');
      break;
    case UnwrapConversion::kDurationSeconds:
      out.Str("duration_seconds(");
      out.Str(u.label);
      out.Char(')');
      break;
  }
  for (const LabelFilter* f : u.post_filters) {
    out.Str(" | ");
    if (f) LabelFilterTo(*f, out);
  }
}

void LogRangeTo(const LogRange& r, Out& out) {
  if (r.log) LogSelectorTo(*r.log, out);
  if (r.has_unwrap) UnwrapTo(r.unwrap, out);
  out.Char('[');
  DurationTo(r.range_ns, out);
  out.Char(']');
  if (r.offset_ns != 0) {
    out.Str(" offset ");
    GoDurationTo(r.offset_ns, out);
  }
}

void GroupingTo(const Grouping& g, Out& out) {
  out.Str(g.without ? " without (" : " by (");
  JoinedTo(g.labels, out);
  out.Char(')');
}

void GoFloatGTo(double v, Out& out) {
  char* p = out.Claim(obsv::internal::kMaxGoFloatChars);
  out.Commit(p + obsv::internal::FormatGoFloat(v, p));
}

void ExprTo(const Expr& e, Out& out) {
  switch (e.kind) {
    case NodeKind::kLogSelector:
      LogSelectorTo(e.As<LogSelectorExpr>(), out);
      return;
    case NodeKind::kRangeAggregation: {
      const auto& r = e.As<RangeAggregationExpr>();
      out.Str(RangeOpName(r.op));
      out.Char('(');
      if (r.has_param) {
        FloatTo(r.param, out);
        out.Char(',');
      }
      LogRangeTo(r.range, out);
      out.Char(')');
      if (r.has_grouping) GroupingTo(r.grouping, out);
      return;
    }
    case NodeKind::kVectorAggregation: {
      const auto& v = e.As<VectorAggregationExpr>();
      out.Str(VectorOpName(v.op));
      // formatVectorOperation: a grouping that is not Singleton() (`by ()`).
      if (v.grouping.without || !v.grouping.labels.empty()) GroupingTo(v.grouping, out);
      out.Char('(');
      if (v.op == VectorOp::kTopk || v.op == VectorOp::kBottomk || v.op == VectorOp::kApproxTopk ||
          v.param != 0) {
        if (v.param < 0) {
          out.Char('-');
          obsv::internal::UintTo(-static_cast<uint64_t>(v.param), out);
        } else {
          obsv::internal::UintTo(static_cast<uint64_t>(v.param), out);
        }
        out.Char(',');
      }
      if (v.expr) ExprTo(*v.expr, out);
      out.Char(')');
      return;
    }
    case NodeKind::kBinary: {
      const auto& b = e.As<BinaryExpr>();
      const BinaryModifiers& m = b.modifiers;
      out.Char('(');
      if (b.lhs) ExprTo(*b.lhs, out);
      out.Char(' ');
      out.Str(BinaryOpName(b.op));
      if (m.return_bool) out.Str(" bool");
      if (m.on || !m.matching_labels.empty()) {
        out.Str(m.on ? " on (" : " ignoring (");
        JoinedTo(m.matching_labels, out);
        out.Str(") ");
        if (m.card == Cardinality::kManyToOne) out.Str("group_left");
        if (m.card == Cardinality::kOneToMany) out.Str("group_right");
        if (!m.include.empty()) {
          out.Str(" (");
          JoinedTo(m.include, out);
          out.Char(')');
        }
      }
      out.Char(' ');
      if (b.rhs) ExprTo(*b.rhs, out);
      out.Char(')');
      return;
    }
    case NodeKind::kLiteral:
      GoFloatGTo(e.As<LiteralExpr>().value, out);
      return;
    case NodeKind::kVector: {
      double v = e.As<VectorExpr>().value;
      out.Str("vector(");
      if (std::isnan(v)) {
        out.Str("NaN");
      } else if (std::isinf(v)) {
        out.Str(v > 0 ? "+Inf" : "-Inf");
      } else {
        char buf[512];
        int n = snprintf(buf, sizeof(buf), "%f", v);
        out.Str(std::string_view(buf, static_cast<size_t>(n)));
      }
      out.Char(')');
      return;
    }
    case NodeKind::kLabelReplace: {
      const auto& l = e.As<LabelReplaceExpr>();
      out.Str("label_replace(");
      if (l.expr) ExprTo(*l.expr, out);
      for (const std::string_view* s : {&l.dst, &l.replacement, &l.src, &l.regex}) {
        out.Char(',');
        QuoteTo(*s, out);
      }
      out.Char(')');
      return;
    }
    case NodeKind::kVariants: {
      const auto& v = e.As<VariantsExpr>();
      out.Str("variants(");
      for (size_t i = 0; i < v.variants.size(); ++i) {
        if (i > 0) out.Str(", ");
        if (v.variants[i]) ExprTo(*v.variants[i], out);
      }
      out.Str(") of (");
      LogRangeTo(v.range, out);
      out.Char(')');
      return;
    }
  }
}

}  // namespace

void AppendGoFloatG(double v, std::string* out) {
  char buf[obsv::internal::kMaxGoFloatChars];
  size_t n = obsv::internal::FormatGoFloat(v, buf);
  out->append(buf, n);
}

void AppendGoFloatF(double v, std::string* out) { obsv::internal::AppendGoFloatF(v, out); }

void AppendLabelFilter(const LabelFilter& f, std::string* out) {
  Out o(out);
  LabelFilterTo(f, o);
}

void AppendStage(const Stage& s, std::string* out) {
  Out o(out);
  StageTo(s, o);
}

void AppendLogSelector(const LogSelectorExpr& e, std::string* out) {
  Out o(out);
  LogSelectorTo(e, o);
}

void AppendUnwrap(const UnwrapExpr& u, std::string* out) {
  Out o(out);
  UnwrapTo(u, o);
}

void AppendLogRange(const LogRange& r, std::string* out) {
  Out o(out);
  LogRangeTo(r, o);
}

}  // namespace internal

void AppendFormat(const Expr& expr, std::string* out) {
  internal::Out o(out);
  internal::ExprTo(expr, o);
}

std::string Format(const Expr& expr) {
  std::string out;
  // Canonical text is about as long as the query it was parsed from.
  const size_t written = expr.span.end > expr.span.start ? expr.span.end - expr.span.start : 0;
  out.reserve(written + written / 4 + 32);
  AppendFormat(expr, &out);
  return out;
}

std::string Format(const LabelFilter& filter) {
  std::string out;
  internal::AppendLabelFilter(filter, &out);
  return out;
}

std::string Format(const Stage& stage) {
  std::string out;
  internal::AppendStage(stage, &out);
  return out;
}

}  // namespace obsv::logql
