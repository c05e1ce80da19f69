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

struct Flags : QueryFlags<promql::InjectOptions, promql::TemplateValue> {
  promql::ParserOptions parser;
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
    std::string error;
    switch (ReadQueryFlag(argc, argv, &i, &flags, ParseEnforce, promql::MatcherForValues, &error)) {
      case FlagRead::kTaken: continue;
      case FlagRead::kBad: return Usage(error);
      case FlagRead::kNotShared: break;
    }
    const std::string_view arg = argv[i];
    if (arg == "--experimental") {
      flags.parser.enable_experimental_functions = true;
    } else if (IsFlag(arg, "--enable-feature")) {
      const char* v = FlagValue(argc, argv, &i, "--enable-feature");
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
    } else {
      return Usage("unknown flag " + std::string(arg));
    }
  }

  const bool scoping = flags.command == "inject" || flags.command == "selectors";
  if (scoping && !flags.has_enforced) return Usage(flags.command + " needs --enforce or --allow");
  int status = 0;
  std::optional<promql::Injector> injector =
      MakeInjector<promql::Injector>("obsv promql", scoping, flags, &status);
  if (status != 0) return status;

  if (flags.command == "selectors") {
    return PrintSelectors(injector->InjectSelectors(flags.inputs, flags.parser));
  }

  if (flags.inputs.size() != 1) return Usage("give one query (or - for stdin)");
  return RunQueryArgument("obsv promql", flags.inputs[0], flags.each_line,
                          [&](const std::string& query) { return RunOne(flags, injector, query); });
}

}  // namespace obsv::cli
