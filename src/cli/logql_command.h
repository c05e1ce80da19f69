// `obsv logql ...`: the LogQL commands of the CLI (logql_command.cc).
#ifndef OBSV_SRC_CLI_LOGQL_COMMAND_H_
#define OBSV_SRC_CLI_LOGQL_COMMAND_H_

namespace obsv::cli {

// argv[0] is the subcommand. Returns the process exit code.
int Logql(int argc, char** argv);

}  // namespace obsv::cli

#endif  // OBSV_SRC_CLI_LOGQL_COMMAND_H_
