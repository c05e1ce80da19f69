// obsv._obsv.logql: the C++ half of obsv.logql (bindings/python/obsv/
// logql.py builds the public API and the read-only AST classes on it).
//
// Parsing, injection and printing run without the GIL. Errors are raised as
// obsv.logql.LogQLError (ScopeError for a query a policy refuses) with code,
// line, column (bytes) and offset.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "obsv/logql.h"
#include "obsv/logql_scope.h"
#include "obsv/logql_template.h"

namespace obsv_py {
namespace {

namespace py = pybind11;
namespace logql = obsv::logql;

struct Query {
  std::string text;
  std::shared_ptr<const logql::Expr> root;
};

std::string TextArg(py::handle value, const char* what) {
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  if (py::isinstance<py::bytes>(value)) return std::string(value.cast<py::bytes>());
  throw py::type_error(std::string(what) + " must be str or bytes");
}

logql::ParserOptions OptionsArg(const py::kwargs& limits) {
  logql::ParserOptions options;
  for (auto item : limits) {
    std::string key = py::str(item.first);
    if (item.second.is_none()) continue;
    long long v = item.second.cast<long long>();
    if (v <= 0 || v > 0xFFFFFFFFLL) throw py::value_error(key + " must be between 1 and 2**32-1");
    auto value = static_cast<uint32_t>(v);
    if (key == "max_query_bytes") {
      options.max_query_bytes = value;
    } else if (key == "max_depth") {
      options.max_depth = value;
    } else if (key == "max_nodes") {
      options.max_nodes = value;
    } else if (key == "max_selectors") {
      options.max_selectors = value;
    } else if (key == "max_pipeline_stages") {
      options.max_pipeline_stages = value;
    } else {
      throw py::type_error("unexpected keyword argument '" + key + "'");
    }
  }
  return options;
}

[[noreturn]] void Raise(const char* cls, const std::string& message, const char* code,
                        uint32_t line, uint32_t column, uint64_t offset) {
  py::object type = py::module_::import("obsv._errors").attr(cls);
  py::object error = type(message, code, line, column, offset);
  PyErr_SetObject(type.ptr(), error.ptr());
  throw py::error_already_set();
}

// Loki's message ("parse error at line 1, col 7: ..."), the structured
// error's code and byte position.
[[noreturn]] void RaiseParseError(const obsv::ParseError& e, const std::string& text,
                                  const logql::ParserOptions& options) {
  absl::StatusOr<logql::ExprPtr> again = logql::Parse(text, options);
  std::string message = again.ok() ? e.message : std::string(again.status().message());
  Raise("LogQLError", message, std::string(obsv::ParseErrorCodeName(e.code)).c_str(), e.line,
        e.column, e.offset);
}

[[noreturn]] void RaiseStatus(const absl::Status& status, std::string_view source) {
  const char* cls = "LogQLError";
  const char* code = "invalid_argument";
  if (absl::IsPermissionDenied(status)) {
    cls = "LogQLScopeError";
    code = "permission_denied";
  } else if (absl::IsResourceExhausted(status)) {
    code = "limit_exceeded";
  }
  uint32_t line = 0, column = 0;
  uint64_t offset = 0;
  if (std::optional<logql::Span> span = logql::ErrorSpan(status)) {
    offset = span->start;
    if (!source.empty()) {
      // Lines and byte columns, as the parser reports them.
      line = 1;
      column = 1;
      for (size_t i = 0; i < span->start && i < source.size(); ++i) {
        if (source[i] == '\n') {
          ++line;
          column = 1;
        } else {
          ++column;
        }
      }
    }
  }
  Raise(cls, std::string(status.message()), code, line, column, offset);
}

Query ParseQuery(std::string text, const logql::ParserOptions& options) {
  logql::ExprPtr expr;
  obsv::ParseError error;
  {
    py::gil_scoped_release release;
    error = logql::Parse(text, options, &expr);
  }
  if (!error.ok()) RaiseParseError(error, text, options);
  // The tree lives in its ExprPtr's arena: the shared pointer owns that.
  auto owner = std::make_shared<logql::ExprPtr>(std::move(expr));
  return Query{std::move(text), std::shared_ptr<const logql::Expr>(owner, owner->get())};
}

const char* MatchOpText(logql::MatchOp op) {
  switch (op) {
    case logql::MatchOp::kEqual: return "=";
    case logql::MatchOp::kNotEqual: return "!=";
    case logql::MatchOp::kRegexMatch: return "=~";
    case logql::MatchOp::kRegexNoMatch: return "!~";
  }
  return "=";
}

logql::MatchOp MatchOpArg(const std::string& op) {
  if (op == "=") return logql::MatchOp::kEqual;
  if (op == "!=") return logql::MatchOp::kNotEqual;
  if (op == "=~") return logql::MatchOp::kRegexMatch;
  if (op == "!~") return logql::MatchOp::kRegexNoMatch;
  throw py::value_error("match operator must be =, !=, =~ or !~, got " + op);
}

const char* StageKindText(logql::StageKind k) {
  switch (k) {
    case logql::StageKind::kLineFilter: return "line_filter";
    case logql::StageKind::kLogfmt: return "logfmt";
    case logql::StageKind::kJson: return "json";
    case logql::StageKind::kRegexp: return "regexp";
    case logql::StageKind::kPattern: return "pattern";
    case logql::StageKind::kUnpack: return "unpack";
    case logql::StageKind::kLabelFilter: return "label_filter";
    case logql::StageKind::kLineFormat: return "line_format";
    case logql::StageKind::kLabelFormat: return "label_format";
    case logql::StageKind::kDecolorize: return "decolorize";
    case logql::StageKind::kDrop: return "drop";
    case logql::StageKind::kKeep: return "keep";
  }
  return "";
}

const char* ConversionText(logql::UnwrapConversion c) {
  switch (c) {
    case logql::UnwrapConversion::kNone: return "";
    case logql::UnwrapConversion::kBytes: return "bytes";
    case logql::UnwrapConversion::kDuration: return "duration";
    case logql::UnwrapConversion::kDurationSeconds: return "duration_seconds";
  }
  return "";
}

double Seconds(int64_t ns) { return static_cast<double>(ns) / 1e9; }

template <typename Strs>
py::tuple Strings(const Strs& v) {
  py::tuple out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = py::str(v[i]);
  return out;
}

py::tuple Matchers(const logql::List<logql::LabelMatcher>& matchers) {
  py::tuple out(matchers.size());
  for (size_t i = 0; i < matchers.size(); ++i) {
    const logql::LabelMatcher& m = matchers[i];
    out[i] = py::make_tuple(m.name, MatchOpText(m.op), m.value);
  }
  return out;
}

py::tuple LogRaw(const logql::LogSelectorExpr& log) {
  py::tuple stages(log.pipeline.size());
  for (size_t i = 0; i < log.pipeline.size(); ++i) {
    const logql::Stage& s = log.pipeline[i];
    stages[i] = py::make_tuple(StageKindText(s.kind), logql::Format(s), s.span.start, s.span.end);
  }
  return py::make_tuple("log", log.span.start, log.span.end, Matchers(log.selector.matchers),
                        stages);
}

py::tuple RangeRaw(const logql::LogRange& r) {
  py::object unwrap = py::none();
  if (r.has_unwrap) {
    std::vector<std::string> filters;
    for (const logql::LabelFilter* f : r.unwrap.post_filters) {
      if (f != nullptr) filters.push_back(logql::Format(*f));
    }
    unwrap = py::make_tuple(r.unwrap.label, ConversionText(r.unwrap.conversion), Strings(filters));
  }
  py::object log = r.log == nullptr ? py::object(py::none()) : py::object(LogRaw(*r.log));
  return py::make_tuple(log, Seconds(r.range_ns), Seconds(r.offset_ns), unwrap);
}

// The tree as nested tuples (kind, start, end, fields...). Depth is bounded
// by the parser's max_depth.
py::object Raw(const logql::Expr* e) {
  if (e == nullptr) return py::none();
  auto head = [&](const char* kind) { return py::make_tuple(kind, e->span.start, e->span.end); };
  switch (e->kind) {
    case logql::NodeKind::kLogSelector:
      return LogRaw(e->As<logql::LogSelectorExpr>());
    case logql::NodeKind::kRangeAggregation: {
      const auto& r = e->As<logql::RangeAggregationExpr>();
      py::object param = r.has_param ? py::object(py::float_(r.param)) : py::object(py::none());
      py::object grouping = r.has_grouping ? py::object(py::make_tuple(r.grouping.without,
                                                                       Strings(r.grouping.labels)))
                                           : py::object(py::none());
      return head("range") + py::make_tuple(std::string(logql::RangeOpName(r.op)),
                                            RangeRaw(r.range), param, grouping);
    }
    case logql::NodeKind::kVectorAggregation: {
      const auto& v = e->As<logql::VectorAggregationExpr>();
      py::object param = v.param != 0 ? py::object(py::int_(v.param)) : py::object(py::none());
      return head("vector_aggregation") +
             py::make_tuple(std::string(logql::VectorOpName(v.op)), Raw(v.expr), param,
                            v.grouping.without, Strings(v.grouping.labels));
    }
    case logql::NodeKind::kBinary: {
      const auto& b = e->As<logql::BinaryExpr>();
      const char* card = "one_to_one";
      switch (b.modifiers.card) {
        case logql::Cardinality::kOneToOne: card = "one_to_one"; break;
        case logql::Cardinality::kManyToOne: card = "many_to_one"; break;
        case logql::Cardinality::kOneToMany: card = "one_to_many"; break;
      }
      return head("binary") +
             py::make_tuple(std::string(logql::BinaryOpName(b.op)), Raw(b.lhs),
                            Raw(b.rhs), b.modifiers.return_bool, b.modifiers.on,
                            Strings(b.modifiers.matching_labels), card,
                            Strings(b.modifiers.include));
    }
    case logql::NodeKind::kLiteral:
      return head("literal") + py::make_tuple(e->As<logql::LiteralExpr>().value);
    case logql::NodeKind::kVector:
      return head("vector") + py::make_tuple(e->As<logql::VectorExpr>().value);
    case logql::NodeKind::kLabelReplace: {
      const auto& l = e->As<logql::LabelReplaceExpr>();
      return head("label_replace") +
             py::make_tuple(Raw(l.expr), l.dst, l.replacement, l.src, l.regex);
    }
    case logql::NodeKind::kVariants: {
      const auto& v = e->As<logql::VariantsExpr>();
      py::tuple variants(v.variants.size());
      for (size_t i = 0; i < v.variants.size(); ++i) variants[i] = Raw(v.variants[i]);
      return head("variants") + py::make_tuple(variants, RangeRaw(v.range));
    }
  }
  return py::none();
}

logql::Injector MakeInjector(
    const std::vector<std::tuple<std::string, std::string, std::string>>& enforced,
    const std::string& policy, bool refuse_writes) {
  logql::InjectOptions options;
  if (policy == "error") {
    options.policy = logql::ConflictPolicy::kError;
  } else if (policy == "replace") {
    options.policy = logql::ConflictPolicy::kReplace;
  } else if (policy == "intersect") {
    options.policy = logql::ConflictPolicy::kIntersect;
  } else {
    throw py::value_error("policy must be \"error\", \"replace\" or \"intersect\", got \"" +
                          policy + "\"");
  }
  options.refuse_enforced_label_writes = refuse_writes;
  for (const auto& [name, op, value] : enforced) {
    logql::EnforcedMatcher m;
    m.name = name;
    m.op = MatchOpArg(op);
    m.value = value;
    options.enforced.push_back(std::move(m));
  }
  absl::StatusOr<logql::Injector> injector = logql::Injector::Create(std::move(options));
  if (!injector.ok()) RaiseStatus(injector.status(), {});
  return *std::move(injector);
}

std::string InjectQuery(const logql::Injector& injector, std::string text,
                        const logql::ParserOptions& options) {
  logql::ExprPtr expr;
  obsv::ParseError error;
  absl::Status injected;
  std::string out;
  {
    py::gil_scoped_release release;
    error = logql::Parse(text, options, &expr);
    if (error.ok()) {
      injected = injector.Inject(expr, text);
      if (injected.ok()) out = logql::Format(*expr);
    }
  }
  if (!error.ok()) RaiseParseError(error, text, options);
  if (!injected.ok()) RaiseStatus(injected, text);
  return out;
}

}  // namespace

void RegisterLogql(py::module_& parent) {
  py::module_ m = parent.def_submodule("logql", "C++ core of obsv.logql");

  py::class_<Query>(m, "Query")
      .def_property_readonly("text", [](const Query& q) { return q.text; })
      .def("format",
           [](const Query& q) {
             py::gil_scoped_release release;
             return logql::Format(*q.root);
           })
      .def("pretty",
           [](const Query& q) {
             py::gil_scoped_release release;
             return logql::Pretty(*q.root);
           })
      .def("raw", [](const Query& q) { return Raw(q.root.get()); });

  m.def(
      "parse",
      [](py::handle query, const py::kwargs& limits) {
        return ParseQuery(TextArg(query, "query"), OptionsArg(limits));
      },
      py::arg("query"));

  py::class_<logql::Injector>(m, "Injector")
      .def(py::init(&MakeInjector), py::arg("enforced"), py::arg("policy") = "error",
           py::arg("refuse_enforced_label_writes") = false)
      .def(
          "inject",
          [](const logql::Injector& injector, py::handle query, const py::kwargs& limits) {
            return InjectQuery(injector, TextArg(query, "query"), OptionsArg(limits));
          },
          py::arg("query"))
      .def(
          "inject_selector",
          [](const logql::Injector& injector, py::handle query, bool allow_pipeline,
             const py::kwargs& limits) {
            std::string text = query.is_none() ? std::string() : TextArg(query, "query");
            logql::ParserOptions options = OptionsArg(limits);
            absl::StatusOr<std::string> scoped;
            {
              py::gil_scoped_release release;
              scoped = injector.InjectSelector(text, allow_pipeline, options);
            }
            if (!scoped.ok()) RaiseStatus(scoped.status(), text);
            return *std::move(scoped);
          },
          py::arg("query"), py::arg("allow_pipeline") = false)
      .def(
          "inject_selectors",
          [](const logql::Injector& injector, const std::vector<std::string>& match,
             const py::kwargs& limits) {
            logql::ParserOptions options = OptionsArg(limits);
            absl::StatusOr<std::vector<std::string>> scoped;
            {
              py::gil_scoped_release release;
              scoped = injector.InjectSelectors(match, options);
            }
            if (!scoped.ok()) RaiseStatus(scoped.status(), {});
            return *std::move(scoped);
          },
          py::arg("match"))
      .def_property_readonly("enforced",
                             [](const logql::Injector& injector) {
                               std::vector<std::tuple<std::string, std::string, std::string>> out;
                               for (const logql::EnforcedMatcher& mt : injector.enforced()) {
                                 out.emplace_back(mt.name, MatchOpText(mt.op), mt.value);
                               }
                               return out;
                             })
      .def_property_readonly("refuse_enforced_label_writes",
                             &logql::Injector::refuse_enforced_label_writes)
      .def_property_readonly("policy", [](const logql::Injector& injector) {
        switch (injector.policy()) {
          case logql::ConflictPolicy::kError: return "error";
          case logql::ConflictPolicy::kReplace: return "replace";
          case logql::ConflictPolicy::kIntersect: return "intersect";
        }
        return "error";
      });

  m.def(
      "matcher_for_values",
      [](const std::string& label, const std::vector<std::string>& values) {
        absl::StatusOr<logql::EnforcedMatcher> mt = logql::MatcherForValues(label, values);
        if (!mt.ok()) RaiseStatus(mt.status(), {});
        return std::make_tuple(mt->name, std::string(MatchOpText(mt->op)), mt->value);
      },
      py::arg("label"), py::arg("values"));

  m.def(
      "expand_template",
      [](py::handle tmpl, const std::vector<std::pair<std::string, std::string>>& values,
         const py::kwargs& limits) {
        std::string text = TextArg(tmpl, "template");
        logql::ParserOptions options = OptionsArg(limits);
        std::vector<logql::TemplateValue> given;
        for (const auto& [name, value] : values) given.push_back(logql::TemplateValue{name, value});
        absl::StatusOr<std::string> expanded;
        {
          py::gil_scoped_release release;
          expanded = logql::ExpandTemplate(text, given, options);
        }
        if (!expanded.ok()) RaiseStatus(expanded.status(), text);
        return *std::move(expanded);
      },
      py::arg("template"), py::arg("values"));
}

}  // namespace obsv_py
