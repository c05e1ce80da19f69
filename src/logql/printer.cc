// The canonical printer: Loki v3's String() methods (pkg/logql/syntax
// ast.go, pkg/logql/log label_filter.go and filter.go), byte for byte.
#include "logql/printer.h"

#include <cmath>
#include <cstdio>
#include <string>

#include "common/go_float.h"
#include "common/go_strconv.h"
#include "common/str_cat.h"
#include "logql/lexer.h"

namespace obsv::logql {
namespace internal {
namespace {

using obsv::internal::AppendGoQuote;
using obsv::internal::StrAppend;

std::string_view MatchOpString(MatchOp op) {
  switch (op) {
    case MatchOp::kEqual: return "=";
    case MatchOp::kNotEqual: return "!=";
    case MatchOp::kRegexMatch: return "=~";
    case MatchOp::kRegexNoMatch: return "!~";
  }
  return "";
}

std::string_view LineMatchString(LineMatch m) {
  switch (m) {
    case LineMatch::kContains: return "|=";
    case LineMatch::kNotContains: return "!=";
    case LineMatch::kRegex: return "|~";
    case LineMatch::kNotRegex: return "!~";
    case LineMatch::kPattern: return "|>";
    case LineMatch::kNotPattern: return "!>";
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
void AppendMatcher(const LabelMatcher& m, std::string* out) {
  if (obsv::internal::IsLegacyLabelName(m.name)) {
    out->append(m.name);
  } else {
    AppendGoQuote(m.name, out);
  }
  out->append(MatchOpString(m.op));
  AppendGoQuote(m.value, out);
}

void AppendJoined(const std::vector<std::string>& v, std::string* out) {
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append(v[i]);
  }
}

void AppendExtractions(const std::vector<LabelExtraction>& ex, std::string* out) {
  for (size_t i = 0; i < ex.size(); ++i) {
    if (i > 0) out->push_back(',');
    out->append(ex[i].name);
    out->push_back('=');
    AppendGoQuote(ex[i].expression, out);
  }
}

void AppendNamed(const std::vector<NamedMatcher>& names, std::string* out) {
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out->push_back(',');
    if (names[i].has_matcher) {
      AppendMatcher(names[i].matcher, out);
    } else {
      out->append(names[i].name);
    }
  }
}

void AppendExpr(const Expr& e, std::string* out);

}  // namespace

void AppendGoFloatG(double v, std::string* out) {
  char buf[obsv::internal::kMaxGoFloatChars];
  size_t n = obsv::internal::FormatGoFloat(v, buf);
  out->append(buf, n);
}

void AppendGoFloatF(double v, std::string* out) { obsv::internal::AppendGoFloatF(v, out); }

void AppendLabelFilter(const LabelFilter& f, std::string* out) {
  switch (f.kind) {
    case LabelFilterKind::kMatcher:
      // LineFilterLabelFilter.String(): a `=~` regex kept as a regexp
      // prints in backquotes (quoted if it holds one).
      if (f.matcher.op == MatchOp::kRegexMatch && LabelRegexIsKeptAsRegexp(f.matcher.value)) {
        out->append(f.matcher.name);
        out->append("=~");
        if (f.matcher.value.find('`') != std::string::npos) {
          AppendGoQuote(f.matcher.value, out);
        } else {
          StrAppend(out, "`", f.matcher.value, "`");
        }
        return;
      }
      AppendMatcher(f.matcher, out);
      return;
    case LabelFilterKind::kIp:
      // IPLabelFilter.String() writes `=` (not `==`) for equality.
      StrAppend(out, f.matcher.name, f.op == CompareOp::kNotEqual ? "!=" : "=", "ip(");
      AppendGoQuote(f.ip, out);
      out->push_back(')');
      return;
    case LabelFilterKind::kNumber:
      StrAppend(out, f.matcher.name, CompareString(f.op));
      AppendGoFloatF(f.number, out);
      return;
    case LabelFilterKind::kDuration:
      StrAppend(out, f.matcher.name, CompareString(f.op));
      obsv::internal::AppendGoDuration(f.duration_ns, out);
      return;
    case LabelFilterKind::kBytes:
      StrAppend(out, f.matcher.name, CompareString(f.op));
      AppendHumanBytes(f.bytes, out);
      return;
    case LabelFilterKind::kAnd:
    case LabelFilterKind::kOr:
      out->append("( ");
      if (f.lhs) AppendLabelFilter(*f.lhs, out);
      out->append(f.kind == LabelFilterKind::kAnd ? " , " : " or ");
      if (f.rhs) AppendLabelFilter(*f.rhs, out);
      out->append(" )");
      return;
  }
}

void AppendStage(const Stage& s, std::string* out) {
  switch (s.kind) {
    case StageKind::kLineFilter: {
      const LineFilter& lf = s.line_filter;
      out->append(LineMatchString(lf.match));
      for (size_t i = 0; i < lf.operands.size(); ++i) {
        out->append(i == 0 ? " " : " or ");
        if (lf.operands[i].ip) {
          out->append("ip(");
          AppendGoQuote(lf.operands[i].value, out);
          out->push_back(')');
        } else {
          AppendGoQuote(lf.operands[i].value, out);
        }
      }
      return;
    }
    case StageKind::kLogfmt:
      if (s.extractions.empty()) {
        out->append("| logfmt");
        if (s.strict) out->append(" --strict");
        if (s.keep_empty) out->append(" --keep-empty");
        return;
      }
      out->append("| logfmt ");
      if (s.strict) out->append("--strict ");
      if (s.keep_empty) out->append("--keep-empty ");
      AppendExtractions(s.extractions, out);
      return;
    case StageKind::kJson:
      if (s.extractions.empty()) {
        out->append("| json");
        return;
      }
      out->append("| json ");
      AppendExtractions(s.extractions, out);
      return;
    case StageKind::kRegexp:
    case StageKind::kPattern:
      out->append(s.kind == StageKind::kRegexp ? "| regexp " : "| pattern ");
      AppendGoQuote(s.param, out);
      return;
    case StageKind::kUnpack:
      out->append("| unpack");
      return;
    case StageKind::kLabelFilter:
      out->append("| ");
      if (s.label_filter) AppendLabelFilter(*s.label_filter, out);
      return;
    case StageKind::kLineFormat:
      out->append("| line_format ");
      AppendGoQuote(s.param, out);
      return;
    case StageKind::kLabelFormat:
      out->append("| label_format ");
      for (size_t i = 0; i < s.formats.size(); ++i) {
        if (i > 0) out->push_back(',');
        StrAppend(out, s.formats[i].name, "=");
        if (s.formats[i].rename) {
          out->append(s.formats[i].value);
        } else {
          AppendGoQuote(s.formats[i].value, out);
        }
      }
      return;
    case StageKind::kDecolorize:
      out->append("| decolorize");
      return;
    case StageKind::kDrop:
    case StageKind::kKeep:
      out->append(s.kind == StageKind::kDrop ? "| drop " : "| keep ");
      AppendNamed(s.names, out);
      return;
  }
}

void AppendLogSelector(const LogSelectorExpr& e, std::string* out) {
  out->push_back('{');
  for (size_t i = 0; i < e.selector.matchers.size(); ++i) {
    if (i > 0) out->append(", ");
    AppendMatcher(e.selector.matchers[i], out);
  }
  out->push_back('}');
  for (const Stage& s : e.pipeline) {
    out->push_back(' ');
    AppendStage(s, out);
  }
}

void AppendUnwrap(const UnwrapExpr& u, std::string* out) {
  out->append(" | unwrap ");
  switch (u.conversion) {
    case UnwrapConversion::kNone: out->append(u.label); break;
    case UnwrapConversion::kBytes: StrAppend(out, "bytes(", u.label, ")"); break;
    case UnwrapConversion::kDuration: StrAppend(out, "duration(", u.label, ")"); break;
    case UnwrapConversion::kDurationSeconds:
      StrAppend(out, "duration_seconds(", u.label, ")");
      break;
  }
  for (const LabelFilterPtr& f : u.post_filters) {
    out->append(" | ");
    if (f) AppendLabelFilter(*f, out);
  }
}

void AppendLogRange(const LogRange& r, std::string* out) {
  if (r.log) AppendLogSelector(*r.log, out);
  if (r.has_unwrap) AppendUnwrap(r.unwrap, out);
  out->push_back('[');
  obsv::internal::AppendDuration(r.range_ns, out);
  out->push_back(']');
  if (r.offset_ns != 0) {
    out->append(" offset ");
    obsv::internal::AppendGoDuration(r.offset_ns, out);
  }
}

namespace {

void AppendGrouping(const Grouping& g, std::string* out) {
  out->append(g.without ? " without (" : " by (");
  AppendJoined(g.labels, out);
  out->push_back(')');
}

void AppendExpr(const Expr& e, std::string* out) {
  switch (e.kind) {
    case NodeKind::kLogSelector:
      AppendLogSelector(e.As<LogSelectorExpr>(), out);
      return;
    case NodeKind::kRangeAggregation: {
      const auto& r = e.As<RangeAggregationExpr>();
      StrAppend(out, RangeOpName(r.op), "(");
      if (r.has_param) {
        AppendGoFloatF(r.param, out);
        out->push_back(',');
      }
      AppendLogRange(r.range, out);
      out->push_back(')');
      if (r.has_grouping) AppendGrouping(r.grouping, out);
      return;
    }
    case NodeKind::kVectorAggregation: {
      const auto& v = e.As<VectorAggregationExpr>();
      out->append(VectorOpName(v.op));
      // formatVectorOperation: a grouping that is not Singleton() (`by ()`).
      if (v.grouping.without || !v.grouping.labels.empty()) AppendGrouping(v.grouping, out);
      out->push_back('(');
      if (v.op == VectorOp::kTopk || v.op == VectorOp::kBottomk || v.op == VectorOp::kApproxTopk ||
          v.param != 0) {
        StrAppend(out, v.param, ",");
      }
      if (v.expr) AppendExpr(*v.expr, out);
      out->push_back(')');
      return;
    }
    case NodeKind::kBinary: {
      const auto& b = e.As<BinaryExpr>();
      const BinaryModifiers& m = b.modifiers;
      out->push_back('(');
      if (b.lhs) AppendExpr(*b.lhs, out);
      StrAppend(out, " ", BinaryOpName(b.op));
      if (m.return_bool) out->append(" bool");
      if (m.on || !m.matching_labels.empty()) {
        StrAppend(out, m.on ? " on (" : " ignoring (");
        AppendJoined(m.matching_labels, out);
        out->append(") ");
        if (m.card == Cardinality::kManyToOne) out->append("group_left");
        if (m.card == Cardinality::kOneToMany) out->append("group_right");
        if (!m.include.empty()) {
          out->append(" (");
          AppendJoined(m.include, out);
          out->push_back(')');
        }
      }
      out->push_back(' ');
      if (b.rhs) AppendExpr(*b.rhs, out);
      out->push_back(')');
      return;
    }
    case NodeKind::kLiteral:
      AppendGoFloatG(e.As<LiteralExpr>().value, out);
      return;
    case NodeKind::kVector: {
      double v = e.As<VectorExpr>().value;
      out->append("vector(");
      if (std::isnan(v)) {
        out->append("NaN");
      } else if (std::isinf(v)) {
        out->append(v > 0 ? "+Inf" : "-Inf");
      } else {
        char buf[512];
        snprintf(buf, sizeof(buf), "%f", v);
        out->append(buf);
      }
      out->push_back(')');
      return;
    }
    case NodeKind::kLabelReplace: {
      const auto& l = e.As<LabelReplaceExpr>();
      out->append("label_replace(");
      if (l.expr) AppendExpr(*l.expr, out);
      for (const std::string* s : {&l.dst, &l.replacement, &l.src, &l.regex}) {
        out->push_back(',');
        AppendGoQuote(*s, out);
      }
      out->push_back(')');
      return;
    }
    case NodeKind::kVariants: {
      const auto& v = e.As<VariantsExpr>();
      out->append("variants(");
      for (size_t i = 0; i < v.variants.size(); ++i) {
        if (i > 0) out->append(", ");
        if (v.variants[i]) AppendExpr(*v.variants[i], out);
      }
      out->append(") of (");
      AppendLogRange(v.range, out);
      out->push_back(')');
      return;
    }
  }
}

}  // namespace
}  // namespace internal

void AppendFormat(const Expr& expr, std::string* out) { internal::AppendExpr(expr, out); }

std::string Format(const Expr& expr) {
  std::string out;
  out.reserve(256);  // most queries print in one buffer
  internal::AppendExpr(expr, &out);
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
