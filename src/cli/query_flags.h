// Pieces shared by the query-language commands (`obsv promql`, `obsv
// logql`): reading the input, the --policy and --allow flags, one-line
// output for --each-line. Internal to the CLI.
#ifndef OBSV_SRC_CLI_QUERY_FLAGS_H_
#define OBSV_SRC_CLI_QUERY_FLAGS_H_

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "cli/flags.h"
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

// The flags and arguments both query commands take. Each command's Flags
// derives from it with the language's InjectOptions and TemplateValue.
template <typename InjectOptions, typename TemplateValue>
struct QueryFlags {
  std::string command;
  std::vector<std::string> inputs;
  InjectOptions inject;
  bool has_enforced = false;
  std::vector<TemplateValue> values;
  bool each_line = false;
};

enum class FlagRead { kTaken, kNotShared, kBad };

// Reads argv[*i] if it is a flag or argument of QueryFlags (--enforce,
// --allow, --policy, --set, --each-line, an input), moving *i past its
// value. `parse_enforce(text)` and `for_values(label, values)` make the
// language's enforced matcher (absl::StatusOr). kBad: *error is the usage
// message.
template <typename Flags, typename ParseEnforce, typename ForValues>
FlagRead ReadQueryFlag(int argc, char** argv, int* i, Flags* flags, ParseEnforce parse_enforce,
                       ForValues for_values, std::string* error) {
  const std::string_view arg = argv[*i];
  if (IsFlag(arg, "--enforce")) {
    const char* v = FlagValue(argc, argv, i, "--enforce");
    if (v == nullptr) {
      *error = "--enforce needs a matcher";
      return FlagRead::kBad;
    }
    auto m = parse_enforce(v);
    if (!m.ok()) {
      *error = std::string(m.status().message());
      return FlagRead::kBad;
    }
    flags->inject.enforced.push_back(*std::move(m));
    flags->has_enforced = true;
  } else if (IsFlag(arg, "--allow")) {
    const char* v = FlagValue(argc, argv, i, "--allow");
    std::string_view label;
    std::vector<std::string> allowed;
    if (!ParseAllow(v == nullptr ? "" : v, &label, &allowed)) {
      *error = "--allow takes LABEL=V1,V2,...";
      return FlagRead::kBad;
    }
    auto m = for_values(label, allowed);
    if (!m.ok()) {
      *error = "--allow: " + std::string(m.status().message());
      return FlagRead::kBad;
    }
    flags->inject.enforced.push_back(*std::move(m));
    flags->has_enforced = true;
  } else if (IsFlag(arg, "--policy")) {
    const char* v = FlagValue(argc, argv, i, "--policy");
    if (!ParsePolicy(v == nullptr ? "" : v, &flags->inject.policy)) {
      *error = "--policy takes error, replace or intersect";
      return FlagRead::kBad;
    }
  } else if (IsFlag(arg, "--set")) {
    const char* v = FlagValue(argc, argv, i, "--set");
    std::string_view text = v == nullptr ? "" : v;
    size_t eq = text.find('=');
    if (eq == std::string_view::npos) {
      *error = "--set takes NAME=VALUE";
      return FlagRead::kBad;
    }
    flags->values.push_back({std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))});
  } else if (arg == "--each-line") {
    flags->each_line = true;
  } else if (arg == "-" || arg.empty() || arg.substr(0, 1) != "-") {
    flags->inputs.emplace_back(arg);
  } else {
    return FlagRead::kNotShared;
  }
  return FlagRead::kTaken;
}

// The command's injector, made from flags.inject when `needed`: nullopt
// and *status set (after a message naming `program`) if it cannot be.
template <typename Injector, typename Flags>
std::optional<Injector> MakeInjector(const char* program, bool needed, const Flags& flags,
                                     int* status) {
  *status = 0;
  if (!needed) return std::nullopt;
  auto created = Injector::Create(flags.inject);
  if (!created.ok()) {
    std::fprintf(stderr, "%s: %s\n", program, std::string(created.status().message()).c_str());
    *status = 2;
    return std::nullopt;
  }
  return *std::move(created);
}

// Prints scoped selectors one per line; the exit status.
inline int PrintSelectors(const absl::StatusOr<std::vector<std::string>>& scoped) {
  if (!scoped.ok()) {
    std::fprintf(stderr, "%s\n", std::string(scoped.status().message()).c_str());
    return 1;
  }
  for (const std::string& s : *scoped) std::printf("%s\n", s.c_str());
  return 0;
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
