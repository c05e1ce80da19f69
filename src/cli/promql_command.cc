// `obsv promql ...`: format, prettify and scope PromQL queries, scope
// series selectors and expand query templates from the command line.
#include "cli/promql_command.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/flags.h"
#include "cli/query_flags.h"
#include "obsv/promql.h"
#include "obsv/promql_scope.h"
#include "obsv/promql_template.h"

namespace obsv::cli {
namespace {

constexpr char kUsage[] =
    "usage: obsv promql <command> [flags] [QUERY|-]\n"
    "\n"
    "commands:\n"
    "  format QUERY|-         print Prometheus's canonical form (String())\n"
    "  pretty QUERY|-         print Prometheus's indented form (Prettify())\n"
    "  inject QUERY|-         scope every selector: needs --enforce or --allow\n"
    "  selectors [MATCH...]   scope match[] series selectors (none: the enforced set)\n"
    "  template TEMPLATE|-    expand {{name}} placeholders: --set name=value ...\n"
    "\n"
    "flags:\n"
    "  --enforce 'tenant=\"a\"'     an enforced matcher (=, !=, =~, !~); repeatable\n"
    "  --allow tenant=a,b         enforce tenant to one of the values (regex-escaped)\n"
    "  --policy error|replace|intersect\n"
    "                             a user matcher on an enforced label: refuse the query\n"
    "                             (default), drop the matcher, or keep both\n"
    "  --set name=value           a template value; repeatable\n"
    "  --experimental             allow Prometheus's experimental functions\n"
    "  --enable-feature F,...     gated syntax, as Prometheus's flag: promql-duration-expr,\n"
    "                             promql-extended-range-selectors,\n"
    "                             promql-experimental-functions\n"
    "  --each-line                QUERY|- is a file of queries, one per line: print one\n"
    "                             line per query, the result (newlines as \\n) or\n"
    "                             \"error: <message>\"; exit 1 if any failed\n"
    "\n"
    "Errors are Prometheus's (\"1:14: parse error: ...\"); exit 1 on a refused query.\n";

int Usage(const std::string& error) {
  if (!error.empty()) std::fprintf(stderr, "obsv promql: %s\n\n", error.c_str());
  std::fputs(kUsage, error.empty() ? stdout : stderr);
  return 2;
}

// `name="value"` (any operator, any quoting PromQL allows) as a matcher:
// parsed as the selector `{...}`, so quoting and escapes are PromQL's.
absl::StatusOr<promql::LabelMatcher> ParseEnforce(std::string_view text) {
  std::string selector = "{" + std::string(text) + "}";
  absl::StatusOr<promql::ExprPtr> expr = promql::Parse(selector);
  if (!expr.ok() || (*expr)->kind != promql::NodeKind::kVectorSelector ||
      (*expr)->As<promql::VectorSelector>().matchers.size() != 1) {
    return absl::InvalidArgumentError("--enforce takes one matcher such as 'tenant=\"a\"' or 'tenant=~\"a|b\"', got " +
                                      std::string(text));
  }
  return (*expr)->As<promql::VectorSelector>().matchers[0];
}

struct Flags {
  std::string command;
  std::vector<std::string> inputs;
  promql::InjectOptions inject;
  bool has_enforced = false;
  std::vector<promql::TemplateValue> values;
  promql::ParserOptions parser;
  bool each_line = false;
};

// Runs the command on one query; returns the text to print or the error.
absl::StatusOr<std::string> RunOne(const Flags& flags, const std::optional<promql::Injector>& injector,
                                   std::string_view query) {
  if (flags.command == "format" || flags.command == "pretty") {
    absl::StatusOr<promql::ExprPtr> expr = promql::Parse(query, flags.parser);
    if (!expr.ok()) return expr.status();
    return flags.command == "format" ? promql::Format(**expr) : promql::Pretty(**expr);
  }
  if (flags.command == "inject") return injector->InjectQuery(query, flags.parser);
  if (flags.command == "template") return promql::ExpandTemplate(query, flags.values, flags.parser);
  return absl::InvalidArgumentError("unknown command");
}

}  // namespace

int Promql(int argc, char** argv) {
  if (argc < 1) return Usage("");
  Flags flags;
  flags.command = argv[0];
  if (flags.command == "-h" || flags.command == "--help" || flags.command == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (flags.command != "format" && flags.command != "pretty" && flags.command != "inject" &&
      flags.command != "selectors" && flags.command != "template") {
    return Usage("unknown command " + flags.command);
  }
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&](std::string_view name) { return FlagValue(argc, argv, &i, name); };
    auto is = [&](std::string_view name) { return IsFlag(arg, name); };
    if (is("--enforce")) {
      const char* v = value("--enforce");
      if (v == nullptr) return Usage("--enforce needs a matcher");
      absl::StatusOr<promql::LabelMatcher> m = ParseEnforce(v);
      if (!m.ok()) return Usage(std::string(m.status().message()));
      flags.inject.enforced.push_back(*std::move(m));
      flags.has_enforced = true;
    } else if (is("--allow")) {
      const char* v = value("--allow");
      std::string_view label;
      std::vector<std::string> allowed;
      if (!ParseAllow(v == nullptr ? "" : v, &label, &allowed)) return Usage("--allow takes LABEL=V1,V2,...");
      absl::StatusOr<promql::LabelMatcher> m = promql::MatcherForValues(label, allowed);
      if (!m.ok()) return Usage("--allow: " + std::string(m.status().message()));
      flags.inject.enforced.push_back(*std::move(m));
      flags.has_enforced = true;
    } else if (is("--policy")) {
      const char* v = value("--policy");
      if (!ParsePolicy(v == nullptr ? "" : v, &flags.inject.policy)) {
        return Usage("--policy takes error, replace or intersect");
      }
    } else if (is("--set")) {
      const char* v = value("--set");
      std::string_view text = v == nullptr ? "" : v;
      size_t eq = text.find('=');
      if (eq == std::string_view::npos) return Usage("--set takes NAME=VALUE");
      flags.values.push_back(
          promql::TemplateValue{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))});
    } else if (arg == "--experimental") {
      flags.parser.enable_experimental_functions = true;
    } else if (is("--enable-feature")) {
      const char* v = value("--enable-feature");
      std::string_view rest = v == nullptr ? "" : v;
      while (!rest.empty()) {
        size_t comma = rest.find(',');
        std::string_view f = rest.substr(0, comma);
        if (f == "promql-duration-expr") {
          flags.parser.enable_duration_expressions = true;
        } else if (f == "promql-extended-range-selectors") {
          flags.parser.enable_extended_range_selectors = true;
        } else if (f == "promql-experimental-functions") {
          flags.parser.enable_experimental_functions = true;
        } else {
          return Usage("unknown feature " + std::string(f));
        }
        rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      }
    } else if (arg == "--each-line") {
      flags.each_line = true;
    } else if (arg == "-" || arg.substr(0, 1) != "-" || arg.empty()) {
      flags.inputs.emplace_back(arg);
    } else {
      return Usage("unknown flag " + std::string(arg));
    }
  }

  std::optional<promql::Injector> injector;
  if (flags.command == "inject" || flags.command == "selectors") {
    if (!flags.has_enforced) return Usage(flags.command + " needs --enforce or --allow");
    absl::StatusOr<promql::Injector> created = promql::Injector::Create(flags.inject);
    if (!created.ok()) {
      std::fprintf(stderr, "obsv promql: %s\n", std::string(created.status().message()).c_str());
      return 2;
    }
    injector = *std::move(created);
  }

  if (flags.command == "selectors") {
    absl::StatusOr<std::vector<std::string>> scoped = injector->InjectSelectors(flags.inputs, flags.parser);
    if (!scoped.ok()) {
      std::fprintf(stderr, "%s\n", std::string(scoped.status().message()).c_str());
      return 1;
    }
    for (const std::string& s : *scoped) std::printf("%s\n", s.c_str());
    return 0;
  }

  if (flags.inputs.size() != 1) return Usage("give one query (or - for stdin)");
  return RunQueryArgument("obsv promql", flags.inputs[0], flags.each_line,
                          [&](const std::string& query) { return RunOne(flags, injector, query); });
}

}  // namespace obsv::cli
