// `obsv promql ...` (see the usage text in promql_command.cc).
#ifndef OBSV_SRC_CLI_PROMQL_COMMAND_H_
#define OBSV_SRC_CLI_PROMQL_COMMAND_H_

namespace obsv::cli {

// argv[0] is the subcommand (format, pretty, inject, selectors, template).
// Returns the process exit code: 0 ok, 1 a query failed, 2 a usage error.
int Promql(int argc, char** argv);

}  // namespace obsv::cli

#endif  // OBSV_SRC_CLI_PROMQL_COMMAND_H_
