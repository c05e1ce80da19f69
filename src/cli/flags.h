// Command-line flags of the obsv tool: `--name value` or `--name=value`.
#ifndef OBSV_SRC_CLI_FLAGS_H_
#define OBSV_SRC_CLI_FLAGS_H_

#include <string_view>

namespace obsv::cli {

// Whether argv[i] is the flag `name`, written `--name`, `--name value` or
// `--name=value`.
inline bool IsFlag(std::string_view arg, std::string_view name) {
  return arg.substr(0, name.size()) == name && (arg.size() == name.size() || arg[name.size()] == '=');
}

// The value of the flag `name` at argv[*i] (see IsFlag()); a separate value
// advances *i past it. nullptr when the value is missing.
inline const char* FlagValue(int argc, char** argv, int* i, std::string_view name) {
  std::string_view arg = argv[*i];
  if (arg.size() > name.size() && arg[name.size()] == '=') return argv[*i] + name.size() + 1;
  if (arg.size() == name.size() && *i + 1 < argc) return argv[++*i];
  return nullptr;
}

}  // namespace obsv::cli

#endif  // OBSV_SRC_CLI_FLAGS_H_
