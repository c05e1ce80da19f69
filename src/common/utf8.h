// UTF-8 validation with an ASCII fast path.
#ifndef OBSV_SRC_COMMON_UTF8_H_
#define OBSV_SRC_COMMON_UTF8_H_

#include <cstddef>
#include <string_view>

namespace obsv::internal {

// Returns the byte index of the first invalid UTF-8 sequence in s, or
// std::string_view::npos if s is valid (overlongs, surrogates and code points
// beyond U+10FFFF are invalid, as in Go's utf8.ValidString).
size_t FindInvalidUtf8(std::string_view s);

inline bool IsValidUtf8(std::string_view s) {
  return FindInvalidUtf8(s) == std::string_view::npos;
}

}  // namespace obsv::internal

#endif  // OBSV_SRC_COMMON_UTF8_H_
