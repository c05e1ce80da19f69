// The subcommands of the `obsv` command-line tool.
#ifndef OBSV_SRC_CLI_CLI_COMMANDS_H_
#define OBSV_SRC_CLI_CLI_COMMANDS_H_

#include <optional>
#include <string>
#include <vector>

#include "obsv/exposition_format.h"

namespace obsv::cli {

struct CommonFlags {
  std::optional<ExpositionFormat> format;  // nullopt: auto
  bool strict = false;
  std::string path;                        // "-" for stdin
};

// Each returns the process exit code: 0 success, 1 invalid input, 2 usage
// or I/O error.
int Lint(const CommonFlags& flags);
int Convert(const CommonFlags& flags, ExpositionFormat to);
int Stats(const CommonFlags& flags);
int Dump(const CommonFlags& flags);
int Demo();

}  // namespace obsv::cli

#endif  // OBSV_SRC_CLI_CLI_COMMANDS_H_
