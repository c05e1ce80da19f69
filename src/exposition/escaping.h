// Escaping shared by the writers of the exposition formats (the
// exposition writer, the registry's exposition).
#ifndef OBSV_SRC_EXPOSITION_ESCAPING_H_
#define OBSV_SRC_EXPOSITION_ESCAPING_H_

#include <string>
#include <string_view>

namespace obsv::internal {

// Appends `s` escaped for the inside of a quoted label value or quoted name
// (both formats): `\` as `\\`, `"` as `\"`, newline as `\n`.
void AppendEscapedQuoted(std::string_view s, std::string* out);

}  // namespace obsv::internal

#endif  // OBSV_SRC_EXPOSITION_ESCAPING_H_
