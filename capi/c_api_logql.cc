// The C ABI of the LogQL module (include/obsv/c_api_logql.h).
#include <optional>
#include <string>
#include <vector>

#include "capi/c_api_internal.h"
#include "logql/lexer.h"
#include "obsv/c_api_logql.h"
#include "obsv/logql.h"
#include "obsv/logql_scope.h"
#include "obsv/logql_template.h"

struct obsv_logql_injector {
  explicit obsv_logql_injector(obsv::logql::Injector i) : injector(std::move(i)) {}
  obsv::logql::Injector injector;
};

namespace obsv::capi {
namespace {

logql::ParserOptions ToLogqlOptions(const obsv_logql_options* options) {
  logql::ParserOptions out;
  if (options == nullptr) return out;
  out.max_query_bytes = options->max_query_bytes;
  out.max_depth = options->max_depth;
  out.max_nodes = options->max_nodes;
  out.max_selectors = options->max_selectors;
  out.max_pipeline_stages = options->max_pipeline_stages;
  return out;
}

// A parse error: code, offset and byte line:column from the structured
// error, the message Loki's ("parse error at line 1, col 7: ...").
obsv_status SetLogqlParseError(obsv_error** out_error, std::string_view source,
                               const logql::ParserOptions& options, const ParseError& error) {
  ParseError copy = error;
  absl::StatusOr<logql::ExprPtr> again = logql::Parse(source, options);
  if (!again.ok()) copy.message = std::string(again.status().message());
  return SetParseError(out_error, copy);
}

// An error of the scoping or template functions, positioned in `source`
// when it has a position.
obsv_status SetLogqlStatusError(obsv_error** out_error, const absl::Status& status,
                                std::string_view source) {
  return SetScopeStatusError(out_error, status, source, [](std::string_view text, uint32_t offset) {
    logql::internal::LineColumn at = logql::internal::LineColumnAt(text, offset, false);
    return std::make_pair(at.line, at.column);
  });
}

// `options.policy` is already read from C (ToPolicy() on the parameter's
// address: an out-of-range enum must never be loaded as a value).
obsv_status NewLogqlInjector(logql::InjectOptions options, uint32_t flags,
                             obsv_logql_injector** out_injector, obsv_error** out_error) {
  if ((flags & ~static_cast<uint32_t>(OBSV_LOGQL_REFUSE_ENFORCED_LABEL_WRITES)) != 0) {
    return SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "unknown injector flag");
  }
  options.refuse_enforced_label_writes = (flags & OBSV_LOGQL_REFUSE_ENFORCED_LABEL_WRITES) != 0;
  absl::StatusOr<logql::Injector> injector = logql::Injector::Create(std::move(options));
  if (!injector.ok()) return SetLogqlStatusError(out_error, injector.status(), {});
  *out_injector = new obsv_logql_injector(*std::move(injector));
  return OBSV_OK;
}

}  // namespace
}  // namespace obsv::capi

extern "C" {

using obsv::capi::FromStr;
using obsv::capi::Guard;
namespace logql = obsv::logql;

void obsv_logql_options_init(obsv_logql_options* options) {
  if (options == nullptr) return;
  logql::ParserOptions d;
  options->max_query_bytes = d.max_query_bytes;
  options->max_depth = d.max_depth;
  options->max_nodes = d.max_nodes;
  options->max_selectors = d.max_selectors;
  options->max_pipeline_stages = d.max_pipeline_stages;
}

obsv_status obsv_logql_format_query(const char* query, size_t len,
                                    const obsv_logql_options* options, char** out,
                                    size_t* out_len, obsv_error** out_error) {
  obsv::capi::ClearError(out_error);
  obsv::capi::ResetOut(out, out_len);
  if (out == nullptr || (query == nullptr && len != 0)) {
    return obsv::capi::SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "NULL argument");
  }
  return Guard(out_error, [&]() -> obsv_status {
    std::string_view source(query == nullptr ? "" : query, len);
    logql::ParserOptions po = obsv::capi::ToLogqlOptions(options);
    logql::ExprPtr expr;
    obsv::ParseError err = logql::Parse(source, po, &expr);
    if (!err.ok()) return obsv::capi::SetLogqlParseError(out_error, source, po, err);
    return obsv::capi::ReturnString(logql::Format(*expr), out, out_len);
  });
}

obsv_status obsv_logql_injector_new(const obsv_matcher* enforced, size_t count,
                                    obsv_conflict_policy policy, uint32_t flags,
                                    obsv_logql_injector** out_injector, obsv_error** out_error) {
  obsv::capi::ClearError(out_error);
  if (out_injector == nullptr || (enforced == nullptr && count != 0)) {
    return obsv::capi::SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "NULL argument");
  }
  *out_injector = nullptr;
  return Guard(out_error, [&]() -> obsv_status {
    logql::InjectOptions options;
    if (!obsv::capi::ToPolicy(&policy, &options.policy)) {
      return obsv::capi::SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "unknown conflict policy");
    }
    if (obsv_status s = obsv::capi::EnforcedFromC(enforced, count, &options.enforced, out_error);
        s != OBSV_OK) {
      return s;
    }
    return obsv::capi::NewLogqlInjector(std::move(options), flags, out_injector, out_error);
  });
}

obsv_status obsv_logql_injector_new_for_values(const char* label, size_t label_len,
                                               const obsv_str* values, size_t count,
                                               obsv_conflict_policy policy, uint32_t flags,
                                               obsv_logql_injector** out_injector,
                                               obsv_error** out_error) {
  obsv::capi::ClearError(out_error);
  if (out_injector == nullptr || (label == nullptr && label_len != 0) ||
      (values == nullptr && count != 0)) {
    return obsv::capi::SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "NULL argument");
  }
  *out_injector = nullptr;
  return Guard(out_error, [&]() -> obsv_status {
    logql::InjectOptions options;
    if (!obsv::capi::ToPolicy(&policy, &options.policy)) {
      return obsv::capi::SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "unknown conflict policy");
    }
    std::vector<std::string> allowed;
    allowed.reserve(count);
    for (size_t i = 0; i < count; ++i) allowed.emplace_back(FromStr(values[i]));
    absl::StatusOr<logql::EnforcedMatcher> m = logql::MatcherForValues(
        std::string_view(label == nullptr ? "" : label, label_len), allowed);
    if (!m.ok()) return obsv::capi::SetLogqlStatusError(out_error, m.status(), {});
    options.enforced.push_back(*std::move(m));
    return obsv::capi::NewLogqlInjector(std::move(options), flags, out_injector, out_error);
  });
}

void obsv_logql_injector_free(obsv_logql_injector* injector) { delete injector; }

obsv_status obsv_logql_inject_query(const obsv_logql_injector* injector, const char* query,
                                    size_t len, const obsv_logql_options* options, char** out,
                                    size_t* out_len, obsv_error** out_error) {
  obsv::capi::ClearError(out_error);
  obsv::capi::ResetOut(out, out_len);
  if (injector == nullptr || out == nullptr || (query == nullptr && len != 0)) {
    return obsv::capi::SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "NULL argument");
  }
  return Guard(out_error, [&]() -> obsv_status {
    std::string_view source(query == nullptr ? "" : query, len);
    logql::ParserOptions po = obsv::capi::ToLogqlOptions(options);
    logql::ExprPtr expr;
    obsv::ParseError err = logql::Parse(source, po, &expr);
    if (!err.ok()) return obsv::capi::SetLogqlParseError(out_error, source, po, err);
    absl::Status injected = injector->injector.Inject(expr, source);
    if (!injected.ok()) return obsv::capi::SetLogqlStatusError(out_error, injected, source);
    return obsv::capi::ReturnString(logql::Format(*expr), out, out_len);
  });
}

obsv_status obsv_logql_inject_selector(const obsv_logql_injector* injector, const char* query,
                                       size_t len, int allow_pipeline,
                                       const obsv_logql_options* options, char** out,
                                       size_t* out_len, obsv_error** out_error) {
  obsv::capi::ClearError(out_error);
  obsv::capi::ResetOut(out, out_len);
  if (injector == nullptr || out == nullptr || (query == nullptr && len != 0)) {
    return obsv::capi::SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "NULL argument");
  }
  return Guard(out_error, [&]() -> obsv_status {
    std::string_view source(query == nullptr ? "" : query, len);
    absl::StatusOr<std::string> scoped = injector->injector.InjectSelector(
        source, allow_pipeline != 0, obsv::capi::ToLogqlOptions(options));
    if (!scoped.ok()) return obsv::capi::SetLogqlStatusError(out_error, scoped.status(), source);
    return obsv::capi::ReturnString(*scoped, out, out_len);
  });
}

obsv_status obsv_logql_inject_selectors(const obsv_logql_injector* injector,
                                        const obsv_str* match, size_t count,
                                        const obsv_logql_options* options,
                                        obsv_string_list** out_list, obsv_error** out_error) {
  obsv::capi::ClearError(out_error);
  if (injector == nullptr || out_list == nullptr || (match == nullptr && count != 0)) {
    return obsv::capi::SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "NULL argument");
  }
  *out_list = nullptr;
  return Guard(out_error, [&]() -> obsv_status {
    absl::StatusOr<std::vector<std::string>> scoped = injector->injector.InjectSelectors(
        obsv::capi::StringsFromC(match, count), obsv::capi::ToLogqlOptions(options));
    if (!scoped.ok()) return obsv::capi::SetLogqlStatusError(out_error, scoped.status(), {});
    *out_list = new obsv_string_list{*std::move(scoped)};
    return OBSV_OK;
  });
}

obsv_status obsv_logql_expand_template(const char* tmpl, size_t len, const obsv_str* names,
                                       const obsv_str* values, size_t count,
                                       const obsv_logql_options* options, char** out,
                                       size_t* out_len, obsv_error** out_error) {
  obsv::capi::ClearError(out_error);
  obsv::capi::ResetOut(out, out_len);
  if (out == nullptr || (tmpl == nullptr && len != 0) ||
      ((names == nullptr || values == nullptr) && count != 0)) {
    return obsv::capi::SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "NULL argument");
  }
  return Guard(out_error, [&]() -> obsv_status {
    std::vector<logql::TemplateValue> given =
        obsv::capi::TemplateValuesFromC<logql::TemplateValue>(names, values, count);
    std::string_view source(tmpl == nullptr ? "" : tmpl, len);
    absl::StatusOr<std::string> expanded =
        logql::ExpandTemplate(source, given, obsv::capi::ToLogqlOptions(options));
    if (!expanded.ok()) {
      return obsv::capi::SetLogqlStatusError(out_error, expanded.status(), source);
    }
    return obsv::capi::ReturnString(*expanded, out, out_len);
  });
}

}  // extern "C"
