// A real exposition compiled into the tool, for `obsv demo`.
#ifndef OBSV_SRC_CLI_BUNDLED_EXPOSITION_H_
#define OBSV_SRC_CLI_BUNDLED_EXPOSITION_H_

#include <string_view>

namespace obsv::cli {

std::string_view BundledExposition();
const char* BundledExpositionName();

}  // namespace obsv::cli

#endif  // OBSV_SRC_CLI_BUNDLED_EXPOSITION_H_
