// Shared pieces of the C ABI implementation: the error object and the
// exception barrier every entry point goes through.
#ifndef OBSV_CAPI_C_API_INTERNAL_H_
#define OBSV_CAPI_C_API_INTERNAL_H_

#include <cstdlib>
#include <cstring>
#include <new>
#include <optional>
#include <utility>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "common/scope_core.h"
#include "obsv/c_api_promql.h"
#include "obsv/scope_policy.h"

#include "obsv/c_api.h"
#include "obsv/parse_error.h"

// A list of strings handed to C (obsv_string_list_free()); PromQL's and
// LogQL's selector functions return it.
struct obsv_string_list {
  std::vector<std::string> items;
};

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

// Copies `text` into a malloc'ed NUL-terminated string for the caller.
inline obsv_status ReturnString(const std::string& text, char** out, size_t* out_len) {
  char* buffer = static_cast<char*>(std::malloc(text.size() + 1));
  if (buffer == nullptr) return OBSV_ERR_OUT_OF_MEMORY;
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';
  *out = buffer;
  if (out_len != nullptr) *out_len = text.size();
  return OBSV_OK;
}

inline void ResetOut(char** out, size_t* out_len) {
  if (out != nullptr) *out = nullptr;
  if (out_len != nullptr) *out_len = 0;
}

// Enums arrive from C as any int: read through a pointer with memcpy, never
// as a value of the enum type (UBSan: a load of an out-of-range enum).
inline bool ToPolicy(const obsv_conflict_policy* policy, ConflictPolicy* out) {
  int value;
  std::memcpy(&value, policy, sizeof value);
  switch (value) {
    case OBSV_CONFLICT_ERROR: *out = ConflictPolicy::kError; return true;
    case OBSV_CONFLICT_REPLACE: *out = ConflictPolicy::kReplace; return true;
    case OBSV_CONFLICT_INTERSECT: *out = ConflictPolicy::kIntersect; return true;
    default: return false;
  }
}

// The operator of a C matcher, as the index both languages' MatchOp enums
// share (=, !=, =~, !~); false when out of range.
inline bool ToMatchOpIndex(const obsv_match_op* op, unsigned char* out) {
  int value;
  std::memcpy(&value, op, sizeof value);
  if (value < OBSV_MATCH_EQUAL || value > OBSV_MATCH_NOT_REGEX) return false;
  *out = static_cast<unsigned char>(value);
  return true;
}

// The enforced matchers of an injector_new call, as the language's
// matchers (fields name, op, value; MatchOp in the C order). On a bad
// operator, the status of the error set.
template <typename Matcher>
obsv_status EnforcedFromC(const obsv_matcher* enforced, size_t count, std::vector<Matcher>* out,
                          obsv_error** out_error) {
  out->reserve(count);
  for (size_t i = 0; i < count; ++i) {
    unsigned char op;
    if (!ToMatchOpIndex(&enforced[i].op, &op)) {
      return SetError(out_error, OBSV_ERR_INVALID_ARGUMENT,
                      "enforced matcher " + std::to_string(i) + ": unknown match operator");
    }
    Matcher& m = out->emplace_back();
    m.op = static_cast<decltype(m.op)>(op);
    m.name = std::string(FromStr(enforced[i].name));
    m.value = std::string(FromStr(enforced[i].value));
  }
  return OBSV_OK;
}

// count C strings as std::strings.
inline std::vector<std::string> StringsFromC(const obsv_str* strs, size_t count) {
  std::vector<std::string> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) out.emplace_back(FromStr(strs[i]));
  return out;
}

// The `names[i]=values[i]` of an expand_template call, as the language's
// TemplateValue (fields name, value).
template <typename TemplateValue>
std::vector<TemplateValue> TemplateValuesFromC(const obsv_str* names, const obsv_str* values,
                                               size_t count) {
  std::vector<TemplateValue> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    out.push_back(TemplateValue{std::string(FromStr(names[i])), std::string(FromStr(values[i]))});
  }
  return out;
}

// An error of a scoping or template function (absl::Status with a span from
// common/scope_core.h): code mapped to the C status, offset from the span,
// line and column from line_column(source, offset) -> {line, column} when
// source is not empty.
template <typename LineColumnOf>
obsv_status SetScopeStatusError(obsv_error** out_error, const absl::Status& status,
                                std::string_view source, LineColumnOf line_column) {
  // abseil's codes are an open set: compare rather than switch.
  obsv_status code = OBSV_ERR_INTERNAL;
  if (absl::IsPermissionDenied(status)) code = OBSV_ERR_PERMISSION_DENIED;
  if (absl::IsResourceExhausted(status)) code = OBSV_ERR_LIMIT_EXCEEDED;
  if (absl::IsInvalidArgument(status)) code = OBSV_ERR_INVALID_ARGUMENT;
  if (out_error == nullptr) return code;
  auto* e = new obsv_error;
  e->code = code;
  e->message = std::string(status.message());
  if (std::optional<obsv::internal::ByteSpan> span = obsv::internal::SpanOfError(status)) {
    e->offset = span->start;
    if (!source.empty()) {
      std::pair<uint32_t, uint32_t> at = line_column(source, span->start);
      e->line = at.first;
      e->column = at.second;
    }
  }
  *out_error = e;
  return code;
}

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
