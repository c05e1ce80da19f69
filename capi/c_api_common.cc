// The parts of the C ABI every module shares: versions, errors, strings.
#include <cstdlib>
#include <cstring>

#include "capi/c_api_internal.h"
#include "obsv/metric_model.h"
#include "obsv/version.h"

namespace obsv::capi {

obsv_status SetError(obsv_error** out_error, obsv_status code, std::string message) {
  if (out_error == nullptr) return code;
  *out_error = nullptr;
  try {
    auto* e = new obsv_error;
    e->code = code;
    e->message = std::move(message);
    *out_error = e;
  } catch (...) {
    // No memory for the details; the code still tells what happened.
  }
  return code;
}

void FillFromParseError(obsv_error* target, const ParseError& error) {
  target->code = static_cast<obsv_status>(error.code);
  target->message = error.message;
  target->line = error.line;
  target->column = error.column;
  target->offset = error.offset;
}

obsv_status SetParseError(obsv_error** out_error, const ParseError& error) {
  obsv_status code = static_cast<obsv_status>(error.code);
  if (out_error == nullptr) return code;
  *out_error = nullptr;
  try {
    auto* e = new obsv_error;
    FillFromParseError(e, error);
    *out_error = e;
  } catch (...) {
  }
  return code;
}

}  // namespace obsv::capi

extern "C" {

const char* obsv_version(void) { return obsv::Version(); }
int obsv_version_number(void) { return obsv::VersionNumber(); }

const char* obsv_status_name(obsv_status status) {
  int code;
  std::memcpy(&code, &status, sizeof code);
  if (code == OBSV_OK) return "ok";
  if (code == OBSV_ERR_INVALID_ARGUMENT) return "invalid_argument";
  if (code == OBSV_ERR_OUT_OF_MEMORY) return "out_of_memory";
  if (code == OBSV_ERR_INTERNAL) return "internal";
  if (code == OBSV_ERR_FAILED_PRECONDITION) return "failed_precondition";
  if (code == OBSV_ERR_PERMISSION_DENIED) return "permission_denied";
  if (code == OBSV_ERR_NOT_FOUND) return "not_found";
  if (code == OBSV_ERR_ALREADY_EXISTS) return "already_exists";
  if (code == OBSV_ERR_BUFFER_TOO_SMALL) return "buffer_too_small";
  if (code > 0 && code <= static_cast<int>(obsv::ParseErrorCode::kUnexpectedEnd)) {
    // Static storage: the C++ names are string literals.
    return obsv::ParseErrorCodeName(static_cast<obsv::ParseErrorCode>(code)).data();
  }
  return "unknown";
}

obsv_status obsv_error_code(const obsv_error* error) {
  return error == nullptr ? OBSV_OK : error->code;
}
const char* obsv_error_message(const obsv_error* error) {
  return error == nullptr ? "" : error->message.c_str();
}
uint32_t obsv_error_line(const obsv_error* error) { return error == nullptr ? 0 : error->line; }
uint32_t obsv_error_column(const obsv_error* error) { return error == nullptr ? 0 : error->column; }
uint64_t obsv_error_offset(const obsv_error* error) { return error == nullptr ? 0 : error->offset; }
void obsv_error_free(obsv_error* error) { delete error; }

void obsv_string_free(char* s) { std::free(s); }

const char* obsv_metric_type_name(obsv_metric_type type) {
  int v;  // any int may come from C: read it as an int, not as the enum
  std::memcpy(&v, &type, sizeof v);
  if (v < OBSV_TYPE_UNKNOWN || v > OBSV_TYPE_STATESET) return nullptr;
  return obsv::MetricTypeName(static_cast<obsv::MetricType>(type)).data();
}

}  // extern "C"
