// String concatenation for std::string_view code.
//
// Debian 12's abseil is built in C++14 mode, where absl::string_view is its
// own type and absl::StrCat does not take std::string_view; this is the
// small subset obsv needs.
#ifndef OBSV_SRC_COMMON_STR_CAT_H_
#define OBSV_SRC_COMMON_STR_CAT_H_

#include <charconv>
#include <string>
#include <string_view>
#include <type_traits>

namespace obsv::internal {

inline void AppendPiece(std::string* out, std::string_view s) { out->append(s.data(), s.size()); }
inline void AppendPiece(std::string* out, const char* s) { out->append(s); }
inline void AppendPiece(std::string* out, const std::string& s) { out->append(s); }
inline void AppendPiece(std::string* out, char c) { out->push_back(c); }
template <typename T, typename = std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, char> &&
                                                  !std::is_same_v<T, bool>>>
inline void AppendPiece(std::string* out, T v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, static_cast<size_t>(r.ptr - buf));
}

template <typename... Args>
void StrAppend(std::string* out, const Args&... args) {
  (AppendPiece(out, args), ...);
}

template <typename... Args>
std::string StrCat(const Args&... args) {
  std::string out;
  (AppendPiece(&out, args), ...);
  return out;
}

}  // namespace obsv::internal

#endif  // OBSV_SRC_COMMON_STR_CAT_H_
