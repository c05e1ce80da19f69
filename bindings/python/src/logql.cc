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
#include <utility>
#include <vector>

#include "obsv/logql.h"
#include "obsv/logql_scope.h"
#include "obsv/logql_template.h"
#include "query_common.h"

namespace obsv_py {
namespace {

namespace py = pybind11;
namespace logql = obsv::logql;

using Query = ParsedQuery<logql::Expr>;

constexpr LimitField<logql::ParserOptions> kLimits[] = {
    {"max_query_bytes", &logql::ParserOptions::max_query_bytes},
    {"max_depth", &logql::ParserOptions::max_depth},
    {"max_nodes", &logql::ParserOptions::max_nodes},
    {"max_selectors", &logql::ParserOptions::max_selectors},
    {"max_pipeline_stages", &logql::ParserOptions::max_pipeline_stages},
};

logql::ParserOptions OptionsArg(const py::kwargs& limits) {
  logql::ParserOptions options;
  for (auto item : limits) {
    if (item.second.is_none()) continue;
    SetLimit(py::str(item.first), item.second, kLimits, &options);
  }
  return options;
}

constexpr ErrorClasses kErrors = {"LogQLError", "LogQLScopeError"};

// Loki's message ("parse error at line 1, col 7: ..."), the structured
// error's code and byte position.
[[noreturn]] void RaiseParseError(const obsv::ParseError& e, const std::string& text,
                                  const logql::ParserOptions& options) {
  absl::StatusOr<logql::ExprPtr> again = logql::Parse(text, options);
  std::string message = again.ok() ? e.message : std::string(again.status().message());
  RaiseParseErrorAs(kErrors.error, message, e);
}

// An error of the scoping or template functions, positioned in `source`;
// without one (the Injector's own errors), only the offset.
[[noreturn]] void RaiseStatus(const absl::Status& status, std::string_view source) {
  ErrorPosition at;
  if (std::optional<logql::Span> span = logql::ErrorSpan(status)) {
    at = source.empty() ? ErrorPosition{0, 0, span->start} : PositionIn(source, span->start);
  }
  RaiseStatusAs(kErrors, status, at);
}

Query ParseQuery(std::string text, const logql::ParserOptions& options) {
  logql::ExprPtr expr;
  obsv::ParseError error = WithoutGil([&] { return logql::Parse(text, options, &expr); });
  if (!error.ok()) RaiseParseError(error, text, options);
  // The tree lives in its ExprPtr's arena: the shared pointer owns that.
  auto owner = std::make_shared<logql::ExprPtr>(std::move(expr));
  return Query{std::move(text), std::shared_ptr<const logql::Expr>(owner, owner->get())};
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

py::tuple LogRaw(const logql::LogSelectorExpr& log) {
  py::tuple stages(log.pipeline.size());
  for (size_t i = 0; i < log.pipeline.size(); ++i) {
    const logql::Stage& s = log.pipeline[i];
    stages[i] = py::make_tuple(StageKindText(s.kind), logql::Format(s), s.span.start, s.span.end);
  }
  return py::make_tuple("log", log.span.start, log.span.end, MatchersRaw(log.selector.matchers),
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

logql::Injector MakeInjector(const std::vector<MatcherTuple>& enforced,
                             const std::string& policy, bool refuse_writes) {
  logql::InjectOptions options;
  options.policy = PolicyArg(policy);
  options.refuse_enforced_label_writes = refuse_writes;
  options.enforced = MatchersArg<logql::EnforcedMatcher>(enforced);
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
           [](const Query& q) { return WithoutGil([&] { return logql::Format(*q.root); }); })
      .def("pretty",
           [](const Query& q) { return WithoutGil([&] { return logql::Pretty(*q.root); }); })
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
            absl::StatusOr<std::string> scoped =
                WithoutGil([&] { return injector.InjectSelector(text, allow_pipeline, options); });
            if (!scoped.ok()) RaiseStatus(scoped.status(), text);
            return *std::move(scoped);
          },
          py::arg("query"), py::arg("allow_pipeline") = false)
      .def(
          "inject_selectors",
          [](const logql::Injector& injector, const std::vector<std::string>& match,
             const py::kwargs& limits) {
            logql::ParserOptions options = OptionsArg(limits);
            absl::StatusOr<std::vector<std::string>> scoped =
                WithoutGil([&] { return injector.InjectSelectors(match, options); });
            if (!scoped.ok()) RaiseStatus(scoped.status(), {});
            return *std::move(scoped);
          },
          py::arg("match"))
      .def_property_readonly("enforced",
                             [](const logql::Injector& injector) {
                               return MatcherTuples(injector.enforced());
                             })
      .def_property_readonly("refuse_enforced_label_writes",
                             &logql::Injector::refuse_enforced_label_writes)
      .def_property_readonly("policy", [](const logql::Injector& injector) {
        return PolicyText(injector.policy());
      });

  m.def(
      "matcher_for_values",
      [](const std::string& label, const std::vector<std::string>& values) {
        absl::StatusOr<logql::EnforcedMatcher> mt = logql::MatcherForValues(label, values);
        if (!mt.ok()) RaiseStatus(mt.status(), {});
        return MatcherTupleOf(*mt);
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
        absl::StatusOr<std::string> expanded =
            WithoutGil([&] { return logql::ExpandTemplate(text, given, options); });
        if (!expanded.ok()) RaiseStatus(expanded.status(), text);
        return *std::move(expanded);
      },
      py::arg("template"), py::arg("values"));
}

}  // namespace obsv_py
