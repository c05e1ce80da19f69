// Shared pieces of the C ABI implementation: the error object and the
// exception barrier every entry point goes through.
#ifndef OBSV_CAPI_C_API_INTERNAL_H_
#define OBSV_CAPI_C_API_INTERNAL_H_

#include <new>
#include <string>
#include <string_view>

#include "obsv/c_api.h"
#include "obsv/parse_error.h"

struct obsv_error {
  obsv_status code = OBSV_OK;
  std::string message;
  uint32_t line = 0;
  uint32_t column = 0;
  uint64_t offset = 0;
};

namespace obsv::capi {

inline obsv_str ToStr(std::string_view s) { return obsv_str{s.data(), s.size()}; }
inline std::string_view FromStr(obsv_str s) {
  return s.data == nullptr ? std::string_view() : std::string_view(s.data, s.size);
}

// Fills *out_error (if out_error is not NULL) and returns code.
obsv_status SetError(obsv_error** out_error, obsv_status code, std::string message);
obsv_status SetParseError(obsv_error** out_error, const ParseError& error);
void FillFromParseError(obsv_error* target, const ParseError& error);

inline void ClearError(obsv_error** out_error) {
  if (out_error != nullptr) *out_error = nullptr;
}

// Runs body(), turning any C++ exception into a status: nothing may unwind
// into C, Go or Rust frames.
template <typename Body>
obsv_status Guard(obsv_error** out_error, Body&& body) noexcept {
  try {
    return body();
  } catch (const std::bad_alloc&) {
    return SetError(out_error, OBSV_ERR_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return SetError(out_error, OBSV_ERR_INTERNAL, std::string("internal error: ") + e.what());
  } catch (...) {
    return SetError(out_error, OBSV_ERR_INTERNAL, "internal error");
  }
}

}  // namespace obsv::capi

#endif  // OBSV_CAPI_C_API_INTERNAL_H_
