// Argument handling shared by the parse and write halves of the obsv
// Python module: format names, parser options and ParseError.
//
// All functions need the GIL.
#ifndef OBSV_BINDINGS_PYTHON_COMMON_H_
#define OBSV_BINDINGS_PYTHON_COMMON_H_

#include <pybind11/pybind11.h>

#include <optional>
#include <vector>

#include "objects.h"
#include "obsv/exposition_format.h"
#include "obsv/exposition_parser.h"
#include "obsv/parse_error.h"

namespace obsv_py {

namespace py = pybind11;

// A format argument: "text", "openmetrics" (any case), or a Content-Type
// (anything with a '/', resolved by obsv::FormatFromContentType()); None
// gives nullopt when `allow_none`. Throws ValueError/TypeError otherwise.
std::optional<obsv::ExpositionFormat> FormatArg(py::handle format, bool allow_none,
                                                const char* what);

// ParserOptions from the Python arguments; `limits` holds the keyword
// arguments named like the ParserOptions budgets (max_body_bytes, ...).
// Throws TypeError for an unknown keyword, ValueError for a bad value.
obsv::ParserOptions OptionsArg(py::handle format, bool strict, const py::kwargs& limits);

// Raises obsv.ParseError for `error`: sets the Python exception and throws
// py::error_already_set.
[[noreturn]] void ThrowParseError(const obsv::ParseError& error);

void RegisterParse(py::module_& m);
void RegisterWrite(py::module_& m);
void RegisterPromql(py::module_& m);    // promql.cc
void RegisterLogql(py::module_& m);     // logql.cc
void RegisterRegistry(py::module_& m);  // registry.cc

}  // namespace obsv_py

#endif  // OBSV_BINDINGS_PYTHON_COMMON_H_
