// obsv: lint, convert and inspect Prometheus and OpenMetrics expositions;
// format, prettify and scope PromQL queries.
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "cli/cli_commands.h"
#include "cli/flags.h"
#include "cli/logql_command.h"
#include "cli/promql_command.h"
#include "obsv/version.h"

namespace {

constexpr char kUsage[] =
    "usage: obsv <command> [flags] FILE|-\n"
    "\n"
    "commands:\n"
    "  demo                      lint, summarise and convert a bundled real exposition\n"
    "  lint FILE|-               check against the spec (strict); exit 1 on errors\n"
    "  convert --to FORMAT FILE  rewrite as text or openmetrics on stdout\n"
    "  stats FILE|-              families, series and samples by type\n"
    "  dump --json FILE|-        one JSON object per entry (for differential tests)\n"
    "  promql ...                format, prettify and scope PromQL (obsv promql help)\n"
    "  logql ...                 format and scope LogQL (Loki) (obsv logql help)\n"
    "  version                   print the version\n"
    "\n"
    "flags:\n"
    "  --format text|openmetrics|auto   input format (default auto: OpenMetrics if the\n"
    "                                   body ends in '# EOF' or has UNIT lines/exemplars)\n"
    "  --strict / --lenient             spec rules, or what Prometheus accepts\n"
    "                                   (lint defaults to strict, the others to lenient)\n";

int Usage(const char* error) {
  if (error != nullptr) std::fprintf(stderr, "obsv: %s\n\n", error);
  std::fputs(kUsage, error != nullptr ? stderr : stdout);
  return 2;
}

bool ParseFormat(std::string_view s, std::optional<obsv::ExpositionFormat>* out) {
  if (s == "text") {
    *out = obsv::ExpositionFormat::kText;
  } else if (s == "openmetrics" || s == "om") {
    *out = obsv::ExpositionFormat::kOpenMetrics;
  } else if (s == "auto") {
    out->reset();
  } else {
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return Usage(nullptr);
  std::string_view command = argv[1];
  if (command == "-h" || command == "--help" || command == "help") {
    Usage(nullptr);
    return 0;
  }
  if (command == "version" || command == "--version") {
    std::printf("obsv %s\n", obsv::Version());
    return 0;
  }
  if (command == "demo") return obsv::cli::Demo();
  if (command == "promql") return obsv::cli::Promql(argc - 2, argv + 2);
  if (command == "logql") return obsv::cli::Logql(argc - 2, argv + 2);

  obsv::cli::CommonFlags flags;
  flags.strict = command == "lint";
  std::optional<obsv::ExpositionFormat> to;
  bool json = false;
  for (int i = 2; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&](std::string_view name) { return obsv::cli::FlagValue(argc, argv, &i, name); };
    if (obsv::cli::IsFlag(arg, "--format")) {
      const char* v = value("--format");
      if (v == nullptr || !ParseFormat(v, &flags.format)) return Usage("--format takes text, openmetrics or auto");
    } else if (obsv::cli::IsFlag(arg, "--to")) {
      const char* v = value("--to");
      std::optional<obsv::ExpositionFormat> f;
      if (v == nullptr || !ParseFormat(v, &f) || !f) return Usage("--to takes text or openmetrics");
      to = f;
    } else if (arg == "--strict") {
      flags.strict = true;
    } else if (arg == "--lenient") {
      flags.strict = false;
    } else if (arg == "--json") {
      json = true;
    } else if (arg == "-" || arg.substr(0, 1) != "-") {
      if (!flags.path.empty()) return Usage("only one input file");
      flags.path = std::string(arg);
    } else {
      return Usage((std::string("unknown flag ") + std::string(arg)).c_str());
    }
  }
  if (flags.path.empty()) return Usage("missing input (a file, or - for stdin)");
  if (command == "lint") return obsv::cli::Lint(flags);
  if (command == "stats") return obsv::cli::Stats(flags);
  if (command == "convert") {
    if (!to) return Usage("convert needs --to text|openmetrics");
    return obsv::cli::Convert(flags, *to);
  }
  if (command == "dump") {
    if (!json) return Usage("dump needs --json");
    return obsv::cli::Dump(flags);
  }
  return Usage((std::string("unknown command ") + std::string(command)).c_str());
}
