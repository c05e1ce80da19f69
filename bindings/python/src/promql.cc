// obsv._obsv.promql: the C++ half of obsv.promql (bindings/python/obsv/
// promql.py builds the public API and the read-only AST classes on it).
//
// Parsing, injection and printing run without the GIL. Errors are raised as
// obsv.promql.PromQLError (ScopeError for a query a policy refuses) with
// code, line, column and offset.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "obsv/promql.h"
#include "obsv/promql_scope.h"
#include "obsv/promql_template.h"
#include "query_common.h"

namespace obsv_py {
namespace {

namespace py = pybind11;
namespace promql = obsv::promql;

using Query = ParsedQuery<promql::Expr>;

constexpr LimitField<promql::ParserOptions> kLimits[] = {
    {"max_query_bytes", &promql::ParserOptions::max_query_bytes},
    {"max_depth", &promql::ParserOptions::max_depth},
    {"max_nodes", &promql::ParserOptions::max_nodes},
    {"max_selectors", &promql::ParserOptions::max_selectors},
    {"max_matchers_per_selector", &promql::ParserOptions::max_matchers_per_selector},
};

promql::ParserOptions OptionsArg(bool experimental, const py::kwargs& limits) {
  promql::ParserOptions options;
  options.enable_experimental_functions = experimental;
  for (auto item : limits) {
    std::string key = py::str(item.first);
    if (item.second.is_none()) continue;
    // Prometheus's feature flags (--enable-feature=promql-duration-expr, ...).
    if (key == "duration_expressions") {
      options.enable_duration_expressions = PyObject_IsTrue(item.second.ptr()) == 1;
      continue;
    }
    if (key == "extended_range_selectors") {
      options.enable_extended_range_selectors = PyObject_IsTrue(item.second.ptr()) == 1;
      continue;
    }
    SetLimit(key, item.second, kLimits, &options);
  }
  return options;
}

constexpr ErrorClasses kErrors = {"PromQLError", "ScopeError"};

[[noreturn]] void RaiseParseError(const obsv::ParseError& e) {
  std::string message = std::to_string(e.line) + ":" + std::to_string(e.column) + ": " + e.message;
  RaiseParseErrorAs(kErrors.error, message, e);
}

// An error of the scoping or template functions, positioned in `source`
// (line 1, column 1 when there is none).
[[noreturn]] void RaiseStatus(const absl::Status& status, std::string_view source) {
  ErrorPosition at;
  if (std::optional<promql::Span> span = promql::ErrorSpan(status)) at = PositionIn(source, span->start);
  RaiseStatusAs(kErrors, status, at);
}

Query ParseQuery(std::string text, const promql::ParserOptions& options) {
  promql::ExprPtr expr;
  obsv::ParseError error = WithoutGil([&] { return promql::Parse(text, options, &expr); });
  if (!error.ok()) RaiseParseError(error);
  return Query{std::move(text), std::shared_ptr<const promql::Expr>(std::move(expr))};
}

const char* TypeText(promql::ValueType t) {
  switch (t) {
    case promql::ValueType::kNone: return "none";
    case promql::ValueType::kScalar: return "scalar";
    case promql::ValueType::kVector: return "vector";
    case promql::ValueType::kMatrix: return "matrix";
    case promql::ValueType::kString: return "string";
  }
  return "none";
}

py::object AtOf(const promql::TimeModifiers& m) {
  switch (m.at) {
    case promql::AtKind::kNone: return py::none();
    case promql::AtKind::kTimestamp: return py::float_(static_cast<double>(m.at_ms) / 1000.0);
    case promql::AtKind::kStart: return py::str("start()");
    case promql::AtKind::kEnd: return py::str("end()");
  }
  return py::none();
}

// The tree as nested tuples, (kind, type, start, end, fields...), which
// obsv/promql.py turns into its node classes. Depth is bounded by the
// parser's max_depth.
py::object Raw(const promql::Expr* e) {
  if (e == nullptr) return py::none();
  py::str type = TypeText(e->type());
  auto head = [&](const char* kind) { return py::make_tuple(kind, type, e->span.start, e->span.end); };
  switch (e->kind) {
    case promql::NodeKind::kNumberLiteral: {
      const auto& n = e->As<promql::NumberLiteral>();
      return head("number") + py::make_tuple(n.value, n.is_duration);
    }
    case promql::NodeKind::kStringLiteral:
      return head("string") + py::make_tuple(e->As<promql::StringLiteral>().value);
    case promql::NodeKind::kVectorSelector: {
      const auto& s = e->As<promql::VectorSelector>();
      return head("vector_selector") +
             py::make_tuple(s.name, MatchersRaw(s.matchers), Seconds(s.modifiers.offset_ns), AtOf(s.modifiers));
    }
    case promql::NodeKind::kMatrixSelector: {
      const auto& m = e->As<promql::MatrixSelector>();
      return head("matrix_selector") + py::make_tuple(Raw(m.selector.get()), Seconds(m.range_ns));
    }
    case promql::NodeKind::kSubquery: {
      const auto& s = e->As<promql::Subquery>();
      py::object step = s.step_ns == 0 ? py::object(py::none()) : py::object(py::float_(Seconds(s.step_ns)));
      return head("subquery") + py::make_tuple(Raw(s.expr.get()), Seconds(s.range_ns), step,
                                               Seconds(s.modifiers.offset_ns), AtOf(s.modifiers));
    }
    case promql::NodeKind::kCall: {
      const auto& c = e->As<promql::Call>();
      py::tuple args(c.args.size());
      for (size_t i = 0; i < c.args.size(); ++i) args[i] = Raw(c.args[i].get());
      return head("call") + py::make_tuple(c.function == nullptr ? std::string() : std::string(c.function->name), args);
    }
    case promql::NodeKind::kAggregate: {
      const auto& a = e->As<promql::Aggregate>();
      return head("aggregate") + py::make_tuple(std::string(promql::AggregateOpName(a.op)), Raw(a.expr.get()),
                                                Raw(a.param.get()), Strings(a.grouping), a.without);
    }
    case promql::NodeKind::kBinary: {
      const auto& b = e->As<promql::Binary>();
      py::object matching = py::none();
      if (b.has_matching) {
        const char* card = "one_to_one";
        switch (b.matching.card) {
          case promql::Cardinality::kOneToOne: card = "one_to_one"; break;
          case promql::Cardinality::kManyToOne: card = "many_to_one"; break;
          case promql::Cardinality::kOneToMany: card = "one_to_many"; break;
          case promql::Cardinality::kManyToMany: card = "many_to_many"; break;
        }
        matching = py::make_tuple(card, b.matching.on, Strings(b.matching.matching_labels),
                                  Strings(b.matching.include));
      }
      return head("binary") + py::make_tuple(std::string(promql::BinaryOpName(b.op)), Raw(b.lhs.get()),
                                             Raw(b.rhs.get()), b.return_bool, matching);
    }
    case promql::NodeKind::kUnary: {
      const auto& u = e->As<promql::Unary>();
      return head("unary") + py::make_tuple(u.negate ? "-" : "+", Raw(u.expr.get()));
    }
    case promql::NodeKind::kParen:
      return head("paren") + py::make_tuple(Raw(e->As<promql::Paren>().expr.get()));
  }
  return py::none();
}

std::string Print(const Query& q, bool pretty) {
  return WithoutGil([&] { return pretty ? promql::Pretty(*q.root) : promql::Format(*q.root); });
}

promql::Injector MakeInjector(const std::vector<MatcherTuple>& enforced, const std::string& policy) {
  promql::InjectOptions options;
  options.policy = PolicyArg(policy);
  options.enforced = MatchersArg<promql::LabelMatcher>(enforced);
  absl::StatusOr<promql::Injector> injector = promql::Injector::Create(std::move(options));
  if (!injector.ok()) RaiseStatus(injector.status(), {});
  return *std::move(injector);
}

std::string InjectQuery(const promql::Injector& injector, std::string text, const promql::ParserOptions& options) {
  promql::ExprPtr expr;
  obsv::ParseError error;
  absl::Status injected;
  std::string out;
  {
    py::gil_scoped_release release;
    error = promql::Parse(text, options, &expr);
    if (error.ok()) {
      injected = injector.Inject(*expr, text);
      if (injected.ok()) out = promql::Format(*expr);
    }
  }
  if (!error.ok()) RaiseParseError(error);
  if (!injected.ok()) RaiseStatus(injected, text);
  return out;
}

}  // namespace

void RegisterPromql(py::module_& parent) {
  py::module_ m = parent.def_submodule("promql", "C++ core of obsv.promql");

  py::class_<Query>(m, "Query")
      .def_property_readonly("text", [](const Query& q) { return q.text; })
      .def("format", [](const Query& q) { return Print(q, false); })
      .def("pretty", [](const Query& q) { return Print(q, true); })
      .def("raw", [](const Query& q) { return Raw(q.root.get()); });

  m.def(
      "parse",
      [](py::handle query, bool experimental, const py::kwargs& limits) {
        return ParseQuery(TextArg(query, "query"), OptionsArg(experimental, limits));
      },
      py::arg("query"), py::kw_only(), py::arg("experimental_functions") = false);

  py::class_<promql::Injector>(m, "Injector")
      .def(py::init(&MakeInjector), py::arg("enforced"), py::arg("policy") = "error")
      .def(
          "inject",
          [](const promql::Injector& injector, py::handle query, bool experimental, const py::kwargs& limits) {
            return InjectQuery(injector, TextArg(query, "query"), OptionsArg(experimental, limits));
          },
          py::arg("query"), py::kw_only(), py::arg("experimental_functions") = false)
      .def(
          "inject_selectors",
          [](const promql::Injector& injector, const std::vector<std::string>& match, bool experimental,
             const py::kwargs& limits) {
            promql::ParserOptions options = OptionsArg(experimental, limits);
            absl::StatusOr<std::vector<std::string>> scoped =
                WithoutGil([&] { return injector.InjectSelectors(match, options); });
            if (!scoped.ok()) RaiseStatus(scoped.status(), {});
            return *std::move(scoped);
          },
          py::arg("match"), py::kw_only(), py::arg("experimental_functions") = false)
      .def_property_readonly("enforced",
                             [](const promql::Injector& injector) { return MatcherTuples(injector.enforced()); })
      .def_property_readonly("policy",
                             [](const promql::Injector& injector) { return PolicyText(injector.policy()); });

  m.def(
      "matcher_for_values",
      [](const std::string& label, const std::vector<std::string>& values) {
        absl::StatusOr<promql::LabelMatcher> mt = promql::MatcherForValues(label, values);
        if (!mt.ok()) RaiseStatus(mt.status(), {});
        return MatcherTupleOf(*mt);
      },
      py::arg("label"), py::arg("values"));

  m.def(
      "expand_template",
      [](py::handle tmpl, const std::vector<std::pair<std::string, std::string>>& values, bool experimental,
         const py::kwargs& limits) {
        std::string text = TextArg(tmpl, "template");
        promql::ParserOptions options = OptionsArg(experimental, limits);
        std::vector<promql::TemplateValue> given;
        for (const auto& [name, value] : values) given.push_back(promql::TemplateValue{name, value});
        absl::StatusOr<std::string> expanded =
            WithoutGil([&] { return promql::ExpandTemplate(text, given, options); });
        if (!expanded.ok()) RaiseStatus(expanded.status(), text);
        return *std::move(expanded);
      },
      py::arg("template"), py::arg("values"), py::kw_only(), py::arg("experimental_functions") = false);
}

}  // namespace obsv_py
