// `obsv logql ...`: format and scope LogQL queries, scope the selectors of
// Loki's metadata endpoints and expand query templates from the command
// line (the LogQL twin of promql_command.cc; shared flags in query_flags.h).
#include "cli/logql_command.h"

#include <cstdio>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/flags.h"
#include "cli/query_flags.h"
#include "obsv/logql.h"
#include "obsv/logql_scope.h"
#include "obsv/logql_template.h"

namespace obsv::cli {
namespace {

constexpr char kUsage[] =
    "usage: obsv logql <command> [flags] [QUERY|-]\n"
    "\n"
    "commands:\n"
    "  format QUERY|-         print Loki's canonical form (String(), as format_query)\n"
    "  pretty QUERY|-         print Loki's indented form (Prettify())\n"
    "  inject QUERY|-         scope every stream selector: needs --enforce or --allow\n"
    "  selector [QUERY]       scope the query parameter of /labels, /label/<name>/values,\n"
    "                         /index/stats, /index/volume, /patterns (none: the enforced set)\n"
    "  selectors [MATCH...]   scope /series match[] selectors (none: the enforced set)\n"
    "  template TEMPLATE|-    expand {{name}} placeholders: --set name=value ...\n"
    "\n"
    "flags:\n"
    "  --enforce 'resource_id=\"r1\"'  an enforced matcher (=, !=, =~, !~); repeatable\n"
    "  --allow resource_id=r1,r2    enforce the label to one of the values (regex-escaped)\n"
    "  --policy error|replace|intersect\n"
    "                               a user matcher on an enforced label: refuse the query\n"
    "                               (default), drop the matcher, or keep both\n"
    "  --refuse-label-writes        also refuse pipelines that write or drop an enforced label\n"
    "  --allow-pipeline             selector: accept a log query (selector and pipeline)\n"
    "  --set name=value             a template value; repeatable\n"
    "  --each-line                  QUERY|- is a file of queries, one per line: print one\n"
    "                               line per query, the result (newlines as \\n) or\n"
    "                               \"error: <message>\"; exit 1 if any failed\n"
    "\n"
    "Parse errors are Loki's (\"parse error at line 1, col 7: ...\"); exit 1 on a refused query.\n";

int Usage(const std::string& error) {
  if (!error.empty()) std::fprintf(stderr, "obsv logql: %s\n\n", error.c_str());
  std::fputs(kUsage, error.empty() ? stdout : stderr);
  return 2;
}

// `name="value"` as a matcher, parsed as the selector `{...}`.
absl::StatusOr<logql::EnforcedMatcher> ParseEnforce(std::string_view text) {
  std::string selector = "{" + std::string(text) + "}";
  absl::StatusOr<logql::ExprPtr> expr = logql::Parse(selector);
  if (!expr.ok() || (*expr)->kind != logql::NodeKind::kLogSelector ||
      (*expr)->As<logql::LogSelectorExpr>().selector.matchers.size() != 1 ||
      !(*expr)->As<logql::LogSelectorExpr>().pipeline.empty()) {
    return absl::InvalidArgumentError(
        "--enforce takes one matcher such as 'resource_id=\"r1\"' (one that does not match "
        "the empty value, as Loki requires), got " + std::string(text));
  }
  const logql::LabelMatcher& m = (*expr)->As<logql::LogSelectorExpr>().selector.matchers[0];
  return logql::EnforcedMatcher{std::string(m.name), m.op, std::string(m.value)};
}

struct Flags : QueryFlags<logql::InjectOptions, logql::TemplateValue> {
  bool allow_pipeline = false;
  logql::ParserOptions parser;
};

absl::StatusOr<std::string> RunOne(const Flags& flags,
                                   const std::optional<logql::Injector>& injector,
                                   std::string_view query) {
  if (flags.command == "format" || flags.command == "pretty") {
    absl::StatusOr<logql::ExprPtr> expr = logql::Parse(query, flags.parser);
    if (!expr.ok()) return expr.status();
    return flags.command == "format" ? logql::Format(**expr) : logql::Pretty(**expr);
  }
  if (flags.command == "inject") return injector->InjectQuery(query, flags.parser);
  if (flags.command == "selector") {
    return injector->InjectSelector(query, flags.allow_pipeline, flags.parser);
  }
  if (flags.command == "template") return logql::ExpandTemplate(query, flags.values, flags.parser);
  return absl::InvalidArgumentError("unknown command");
}

}  // namespace

int Logql(int argc, char** argv) {
  if (argc < 1) return Usage("");
  Flags flags;
  flags.command = argv[0];
  if (flags.command == "-h" || flags.command == "--help" || flags.command == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (flags.command != "format" && flags.command != "pretty" && flags.command != "inject" &&
      flags.command != "selector" && flags.command != "selectors" && flags.command != "template") {
    return Usage("unknown command " + flags.command);
  }
  for (int i = 1; i < argc; ++i) {
    std::string error;
    switch (ReadQueryFlag(argc, argv, &i, &flags, ParseEnforce, logql::MatcherForValues, &error)) {
      case FlagRead::kTaken: continue;
      case FlagRead::kBad: return Usage(error);
      case FlagRead::kNotShared: break;
    }
    const std::string_view arg = argv[i];
    if (arg == "--refuse-label-writes") {
      flags.inject.refuse_enforced_label_writes = true;
    } else if (arg == "--allow-pipeline") {
      flags.allow_pipeline = true;
    } else {
      return Usage("unknown flag " + std::string(arg));
    }
  }

  const bool scoping =
      flags.command == "inject" || flags.command == "selector" || flags.command == "selectors";
  if (scoping && !flags.has_enforced) return Usage(flags.command + " needs --enforce or --allow");
  int status = 0;
  std::optional<logql::Injector> injector =
      MakeInjector<logql::Injector>("obsv logql", scoping, flags, &status);
  if (status != 0) return status;

  if (flags.command == "selectors" || (flags.command == "selector" && flags.inputs.empty())) {
    return PrintSelectors(flags.command == "selectors"
                              ? injector->InjectSelectors(flags.inputs, flags.parser)
                              : injector->InjectSelectors({}, flags.parser));
  }

  if (flags.inputs.size() != 1) return Usage("give one query (or - for stdin)");
  return RunQueryArgument("obsv logql", flags.inputs[0], flags.each_line,
                          [&](const std::string& query) { return RunOne(flags, injector, query); });
}

}  // namespace obsv::cli
