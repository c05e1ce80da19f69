// What the C++ halves of obsv.promql and obsv.logql share: see
// query_common.h.
#include "query_common.h"

#include <string>

#include "obsv/promql.h"

namespace obsv_py {

std::string TextArg(py::handle value, const char* what) {
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  if (py::isinstance<py::bytes>(value)) return std::string(value.cast<py::bytes>());
  throw py::type_error(std::string(what) + " must be str or bytes");
}

uint32_t LimitArg(const std::string& key, py::handle value) {
  long long v = value.cast<long long>();
  if (v <= 0 || v > 0xFFFFFFFFLL) throw py::value_error(key + " must be between 1 and 2**32-1");
  return static_cast<uint32_t>(v);
}

obsv::ConflictPolicy PolicyArg(const std::string& policy) {
  if (policy == "error") return obsv::ConflictPolicy::kError;
  if (policy == "replace") return obsv::ConflictPolicy::kReplace;
  if (policy == "intersect") return obsv::ConflictPolicy::kIntersect;
  throw py::value_error("policy must be \"error\", \"replace\" or \"intersect\", got \"" + policy +
                        "\"");
}

const char* PolicyText(obsv::ConflictPolicy policy) {
  switch (policy) {
    case obsv::ConflictPolicy::kError: return "error";
    case obsv::ConflictPolicy::kReplace: return "replace";
    case obsv::ConflictPolicy::kIntersect: return "intersect";
  }
  return "error";
}

ErrorPosition PositionIn(std::string_view source, uint32_t offset) {
  // LogQL's parser counts lines and byte columns as PromQL's does.
  obsv::promql::LineColumn at = obsv::promql::LineColumnAt(source, offset);
  return ErrorPosition{at.line, at.column, offset};
}

void RaisePositioned(const char* cls, const std::string& message, const char* code,
                     const ErrorPosition& at) {
  py::object type = py::module_::import("obsv._errors").attr(cls);
  py::object error = type(message, code, at.line, at.column, at.offset);
  PyErr_SetObject(type.ptr(), error.ptr());
  throw py::error_already_set();
}

void RaiseParseErrorAs(const char* cls, const std::string& message,
                       const obsv::ParseError& error) {
  RaisePositioned(cls, message, std::string(obsv::ParseErrorCodeName(error.code)).c_str(),
                  ErrorPosition{error.line, error.column, error.offset});
}

void RaiseStatusAs(const ErrorClasses& classes, const absl::Status& status,
                   const ErrorPosition& at) {
  const char* cls = classes.error;
  const char* code = "invalid_argument";
  if (absl::IsPermissionDenied(status)) {
    cls = classes.scope;
    code = "permission_denied";
  } else if (absl::IsResourceExhausted(status)) {
    code = "limit_exceeded";
  }
  RaisePositioned(cls, std::string(status.message()), code, at);
}

}  // namespace obsv_py
