// Pieces shared by the query-language commands (`obsv promql`, `obsv
// logql`): reading the input, the --policy and --allow flags, one-line
// output for --each-line. Internal to the CLI.
#ifndef OBSV_SRC_CLI_QUERY_FLAGS_H_
#define OBSV_SRC_CLI_QUERY_FLAGS_H_

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "obsv/scope_policy.h"

namespace obsv::cli {

// The whole of `path` ("-": stdin) into *out; false (after a message on
// stderr naming `program`) if it cannot be read.
inline bool ReadAllInput(const char* program, const std::string& path, std::string* out) {
  if (path == "-") {
    out->assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "%s: cannot read %s\n", program, path.c_str());
    return false;
  }
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

// `error`, `replace` or `intersect`.
inline bool ParsePolicy(std::string_view p, ConflictPolicy* out) {
  if (p == "error") {
    *out = ConflictPolicy::kError;
  } else if (p == "replace") {
    *out = ConflictPolicy::kReplace;
  } else if (p == "intersect") {
    *out = ConflictPolicy::kIntersect;
  } else {
    return false;
  }
  return true;
}

// `LABEL=V1,V2,...` of --allow; false without `=`.
inline bool ParseAllow(std::string_view text, std::string_view* label,
                       std::vector<std::string>* values) {
  size_t eq = text.find('=');
  if (eq == std::string_view::npos) return false;
  *label = text.substr(0, eq);
  std::string_view rest = text.substr(eq + 1);
  while (true) {
    size_t comma = rest.find(',');
    values->emplace_back(rest.substr(0, comma));
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return true;
}

// Newlines as `\n`, for --each-line's one line per query.
inline std::string OneLine(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// The query argument of a command run: `arg` is the query itself, `-`
// reads it from stdin, and with `each_line` `arg` names a file (or `-`) of
// queries, one per line, each printed as one line of result or
// "error: <message>". `run(query)` returns absl::StatusOr<std::string>.
// Returns the exit status: 0, 1 if a query failed, 2 if the input is
// unreadable.
template <typename Run>
int RunQueryArgument(const char* program, const std::string& arg, bool each_line, Run run) {
  std::string input;
  if (each_line || arg == "-") {
    if (!ReadAllInput(program, arg, &input)) return 2;
  } else {
    input = arg;
  }
  if (!each_line) {
    absl::StatusOr<std::string> out = run(input);
    if (!out.ok()) {
      std::fprintf(stderr, "%s\n", std::string(out.status().message()).c_str());
      return 1;
    }
    std::printf("%s\n", out->c_str());
    return 0;
  }
  int failed = 0;
  std::istringstream lines(input);
  std::string line;
  while (std::getline(lines, line)) {
    absl::StatusOr<std::string> out = run(line);
    if (out.ok()) {
      std::printf("%s\n", OneLine(*out).c_str());
    } else {
      ++failed;
      std::printf("error: %s\n", OneLine(std::string(out.status().message())).c_str());
    }
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace obsv::cli

#endif  // OBSV_SRC_CLI_QUERY_FLAGS_H_
