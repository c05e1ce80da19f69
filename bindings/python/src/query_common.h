// What the C++ halves of obsv.promql (promql.cc) and obsv.logql (logql.cc)
// share: their arguments (query text, parser limits, match operators,
// policies, enforced matchers), their results as Python values, running the
// core without the GIL, and raising the positioned errors of obsv._errors.
//
// The templates take either language's types: both have a MatchOp with the
// same four operators, matchers with name/op/value, uint32_t limits.
//
// All functions need the GIL, except the work given to WithoutGil().
#ifndef OBSV_BINDINGS_PYTHON_QUERY_COMMON_H_
#define OBSV_BINDINGS_PYTHON_QUERY_COMMON_H_

#include <pybind11/pybind11.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "obsv/parse_error.h"
#include "obsv/scope_policy.h"

namespace obsv_py {

namespace py = pybind11;

// A parsed query, immutable once made: the tree is shared by the Python
// objects that show it.
template <typename Expr>
struct ParsedQuery {
  std::string text;
  std::shared_ptr<const Expr> root;
};

// `work()`, run with the GIL released: for the calls into the C++ core,
// which touch no Python object.
template <typename Work>
auto WithoutGil(Work&& work) {
  py::gil_scoped_release release;
  return work();
}

// ---- Arguments ----------------------------------------------------------------

// A query or template argument: a str (as UTF-8) or bytes. TypeError
// "<what> must be str or bytes" otherwise.
std::string TextArg(py::handle value, const char* what);

// A parser limit keyword argument: one of the language's ParserOptions
// fields, all uint32_t.
template <typename Options>
struct LimitField {
  const char* name;
  uint32_t Options::*field;
};

// The value of limit `key`: ValueError unless between 1 and 2**32-1.
uint32_t LimitArg(const std::string& key, py::handle value);

// Sets the limit `key` of `*options` to `value`: ValueError for a value out
// of range, TypeError for a key that is not one of `fields`.
template <typename Options, size_t N>
void SetLimit(const std::string& key, py::handle value, const LimitField<Options> (&fields)[N],
              Options* options) {
  uint32_t limit = LimitArg(key, value);
  for (const LimitField<Options>& f : fields) {
    if (key == f.name) {
      options->*f.field = limit;
      return;
    }
  }
  throw py::type_error("unexpected keyword argument '" + key + "'");
}

template <typename MatchOp>
MatchOp MatchOpArg(const std::string& op) {
  if (op == "=") return MatchOp::kEqual;
  if (op == "!=") return MatchOp::kNotEqual;
  if (op == "=~") return MatchOp::kRegexMatch;
  if (op == "!~") return MatchOp::kRegexNoMatch;
  throw py::value_error("match operator must be =, !=, =~ or !~, got " + op);
}

// "error", "replace" or "intersect"; ValueError otherwise.
obsv::ConflictPolicy PolicyArg(const std::string& policy);

// A matcher as the Python halves pass them: (name, op, value).
using MatcherTuple = std::tuple<std::string, std::string, std::string>;

// The enforced matchers of an Injector from (name, op, value) tuples;
// ValueError for an unknown operator.
template <typename Matcher>
std::vector<Matcher> MatchersArg(const std::vector<MatcherTuple>& tuples) {
  std::vector<Matcher> out;
  for (const auto& [name, op, value] : tuples) {
    Matcher m;
    m.name = name;
    m.op = MatchOpArg<decltype(m.op)>(op);
    m.value = value;
    out.push_back(std::move(m));
  }
  return out;
}

// ---- Results ------------------------------------------------------------------

template <typename MatchOp>
const char* MatchOpText(MatchOp op) {
  switch (op) {
    case MatchOp::kEqual: return "=";
    case MatchOp::kNotEqual: return "!=";
    case MatchOp::kRegexMatch: return "=~";
    case MatchOp::kRegexNoMatch: return "!~";
  }
  return "=";
}

const char* PolicyText(obsv::ConflictPolicy policy);

template <typename Matcher>
MatcherTuple MatcherTupleOf(const Matcher& m) {
  return MatcherTuple(m.name, MatchOpText(m.op), m.value);
}

template <typename Matchers>
std::vector<MatcherTuple> MatcherTuples(const Matchers& matchers) {
  std::vector<MatcherTuple> out;
  for (const auto& m : matchers) out.push_back(MatcherTupleOf(m));
  return out;
}

// The matchers of a tree node, as the Python halves read them: a tuple of
// (name, op, value).
template <typename Matchers>
py::tuple MatchersRaw(const Matchers& matchers) {
  py::tuple out(matchers.size());
  for (size_t i = 0; i < matchers.size(); ++i) {
    const auto& m = matchers[i];
    out[i] = py::make_tuple(m.name, MatchOpText(m.op), m.value);
  }
  return out;
}

template <typename Strs>
py::tuple Strings(const Strs& v) {
  py::tuple out(v.size());
  for (size_t i = 0; i < v.size(); ++i) out[i] = py::str(v[i]);
  return out;
}

inline double Seconds(int64_t ns) { return static_cast<double>(ns) / 1e9; }

// ---- Errors -------------------------------------------------------------------

// The classes of obsv._errors that one language raises.
struct ErrorClasses {
  const char* error;  // "PromQLError"
  const char* scope;  // its subclass for a query the policy refuses
};

// Where an error is: 1-based line and byte column (0: no position), byte
// offset in the query.
struct ErrorPosition {
  uint32_t line = 0;
  uint32_t column = 0;
  uint64_t offset = 0;
};

// The position of byte `offset` of `source`, in lines and byte columns as
// both parsers count them.
ErrorPosition PositionIn(std::string_view source, uint32_t offset);

// Raises obsv._errors.<cls>(message, code, line, column, offset): sets the
// Python exception and throws py::error_already_set.
[[noreturn]] void RaisePositioned(const char* cls, const std::string& message, const char* code,
                                  const ErrorPosition& at);

// Raises `cls` with `message` (the language's wording of `error`) and the
// code and position of `error`.
[[noreturn]] void RaiseParseErrorAs(const char* cls, const std::string& message,
                                    const obsv::ParseError& error);

// Raises an error of the scoping or template functions at `at`:
// classes.scope (code "permission_denied") for PermissionDenied, otherwise
// classes.error, code "limit_exceeded" for ResourceExhausted and
// "invalid_argument" for the rest.
[[noreturn]] void RaiseStatusAs(const ErrorClasses& classes, const absl::Status& status,
                                const ErrorPosition& at);

}  // namespace obsv_py

#endif  // OBSV_BINDINGS_PYTHON_QUERY_COMMON_H_
