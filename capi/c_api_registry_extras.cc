// The C ABI of the registry helpers (include/obsv/c_api_registry_extras.h).
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "capi/c_api_internal.h"
#include "capi/c_api_registry_internal.h"
#include "obsv/build_info.h"
#include "obsv/c_api_registry_extras.h"
#include "obsv/http_exposition.h"
#include "obsv/process_collector.h"
#include "obsv/request_metrics.h"

struct obsv_request_metrics {
  obsv::RequestMetrics metrics;
};

namespace obsv::capi {
namespace {

obsv_status CodeOf(const absl::Status& s) {
  if (s.ok()) return OBSV_OK;
  if (absl::IsInvalidArgument(s)) return OBSV_ERR_INVALID_ARGUMENT;
  if (absl::IsResourceExhausted(s)) return OBSV_ERR_LIMIT_EXCEEDED;
  if (absl::IsNotFound(s)) return OBSV_ERR_NOT_FOUND;
  if (absl::IsAlreadyExists(s)) return OBSV_ERR_ALREADY_EXISTS;
  if (absl::IsFailedPrecondition(s)) return OBSV_ERR_FAILED_PRECONDITION;
  return OBSV_ERR_INTERNAL;
}

obsv_status Fail(obsv_error** out_error, const absl::Status& s) {
  return SetError(out_error, CodeOf(s), std::string(s.message()));
}

obsv_status NullArgument(obsv_error** out_error) {
  return SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "NULL argument");
}

bool BadStr(obsv_str s) { return s.data == nullptr && s.size != 0; }

bool Labels(const obsv_label* labels, size_t count, std::vector<Label>* out) {
  if (labels == nullptr && count != 0) return false;
  for (size_t i = 0; i < count; ++i) {
    if (BadStr(labels[i].name) || BadStr(labels[i].value)) return false;
    out->push_back({std::string(FromStr(labels[i].name)), std::string(FromStr(labels[i].value))});
  }
  return true;
}

}  // namespace
}  // namespace obsv::capi

namespace capi = obsv::capi;
using capi::FromStr;
using capi::Guard;

extern "C" {

void obsv_process_collector_options_init(obsv_process_collector_options* options) {
  if (options != nullptr) std::memset(options, 0, sizeof *options);
}

obsv_status obsv_registry_add_process_collector(obsv_registry* registry,
                                                const obsv_process_collector_options* options,
                                                obsv_error** out_error) {
  capi::ClearError(out_error);
  if (registry == nullptr) return capi::NullArgument(out_error);
  if (options != nullptr &&
      (capi::BadStr(options->name_prefix) || capi::BadStr(options->proc_root) ||
       capi::BadStr(options->collector_name))) {
    return capi::NullArgument(out_error);
  }
  return Guard(out_error, [&]() -> obsv_status {
    obsv::ProcessCollectorOptions o;
    if (options != nullptr) {
      o.name_prefix.assign(FromStr(options->name_prefix));
      if (options->proc_root.size != 0) o.proc_root.assign(FromStr(options->proc_root));
      if (options->collector_name.size != 0) o.collector_name.assign(FromStr(options->collector_name));
      if (options->cache_ttl_ms > 0) o.cache_ttl = absl::Milliseconds(options->cache_ttl_ms);
    }
    absl::Status s = obsv::AddProcessCollector(&registry->registry, o);
    return s.ok() ? OBSV_OK : capi::Fail(out_error, s);
  });
}

void obsv_build_info_init(obsv_build_info* info) {
  if (info != nullptr) std::memset(info, 0, sizeof *info);
}

obsv_status obsv_register_build_info(obsv_registry* registry, const char* program, size_t program_len,
                                     const obsv_build_info* info, obsv_error** out_error) {
  capi::ClearError(out_error);
  if (registry == nullptr || info == nullptr || (program == nullptr && program_len != 0) ||
      capi::BadStr(info->version) || capi::BadStr(info->revision) || capi::BadStr(info->branch) ||
      capi::BadStr(info->build_date) || capi::BadStr(info->compiler)) {
    return capi::NullArgument(out_error);
  }
  return Guard(out_error, [&]() -> obsv_status {
    obsv::BuildInfo b;
    b.version.assign(FromStr(info->version));
    b.revision.assign(FromStr(info->revision));
    b.branch.assign(FromStr(info->branch));
    b.build_date.assign(FromStr(info->build_date));
    if (info->compiler.size != 0) b.compiler.assign(FromStr(info->compiler));
    if (!capi::Labels(info->extra_labels, info->extra_label_count, &b.extra_labels)) {
      return capi::NullArgument(out_error);
    }
    auto f = obsv::RegisterBuildInfo(&registry->registry,
                                     program == nullptr ? std::string_view() : std::string_view(program, program_len), b);
    return f.ok() ? OBSV_OK : capi::Fail(out_error, f.status());
  });
}

void obsv_request_metrics_options_init(obsv_request_metrics_options* options) {
  if (options != nullptr) std::memset(options, 0, sizeof *options);
}

obsv_status obsv_request_metrics_new(obsv_registry* registry, const obsv_request_metrics_options* options,
                                     obsv_request_metrics** out_metrics, obsv_error** out_error) {
  capi::ClearError(out_error);
  if (out_metrics != nullptr) *out_metrics = nullptr;
  if (registry == nullptr || options == nullptr || out_metrics == nullptr || capi::BadStr(options->prefix) ||
      capi::BadStr(options->endpoint) ||
      (options->duration_buckets == nullptr && options->duration_bucket_count != 0) ||
      (options->size_buckets == nullptr && options->size_bucket_count != 0)) {
    return capi::NullArgument(out_error);
  }
  return Guard(out_error, [&]() -> obsv_status {
    obsv::RequestMetricsOptions o;
    o.prefix.assign(FromStr(options->prefix));
    o.endpoint.assign(FromStr(options->endpoint));
    if (options->duration_buckets != nullptr) {
      o.duration_buckets.assign(options->duration_buckets,
                                options->duration_buckets + options->duration_bucket_count);
    }
    if (options->size_buckets != nullptr) {
      o.size_buckets.assign(options->size_buckets, options->size_buckets + options->size_bucket_count);
    }
    if (!capi::Labels(options->const_labels, options->const_label_count, &o.const_labels)) {
      return capi::NullArgument(out_error);
    }
    auto m = obsv::RequestMetrics::Create(&registry->registry, o);
    if (!m.ok()) return capi::Fail(out_error, m.status());
    *out_metrics = new obsv_request_metrics{*std::move(m)};
    return OBSV_OK;
  });
}

void obsv_request_metrics_observe(const obsv_request_metrics* metrics, const char* method, size_t method_len,
                                  int code, double duration_seconds, double response_bytes) {
  if (metrics == nullptr || (method == nullptr && method_len != 0)) return;
  // The first request of a (method, code) pair allocates: nothing may
  // unwind into C.
  Guard(nullptr, [&]() -> obsv_status {
    metrics->metrics.Observe(method == nullptr ? std::string_view() : std::string_view(method, method_len), code,
                             duration_seconds, response_bytes);
    return OBSV_OK;
  });
}

void obsv_request_metrics_free(obsv_request_metrics* metrics) { delete metrics; }

int obsv_accepts_gzip(const char* header, size_t len) {
  if (header == nullptr) return 0;
  return obsv::AcceptsGzip(std::string_view(header, len)) ? 1 : 0;
}

obsv_status obsv_registry_expose_http(const obsv_registry* registry, const char* accept, size_t accept_len,
                                      const char* accept_encoding, size_t accept_encoding_len, char** out,
                                      size_t* out_len, const char** out_content_type,
                                      const char** out_content_encoding, obsv_error** out_error) {
  capi::ClearError(out_error);
  if (out != nullptr) *out = nullptr;
  if (out_len != nullptr) *out_len = 0;
  if (registry == nullptr || out == nullptr || (accept == nullptr && accept_len != 0) ||
      (accept_encoding == nullptr && accept_encoding_len != 0)) {
    return capi::NullArgument(out_error);
  }
  return Guard(out_error, [&]() -> obsv_status {
    obsv::HttpExposition e;
    absl::Status s = obsv::ExposeHttp(
        registry->registry, accept == nullptr ? std::string_view() : std::string_view(accept, accept_len),
        accept_encoding == nullptr ? std::string_view() : std::string_view(accept_encoding, accept_encoding_len),
        &e);
    if (!s.ok()) return capi::Fail(out_error, s);
    char* buffer = static_cast<char*>(std::malloc(e.body.size() + 1));
    if (buffer == nullptr) return capi::SetError(out_error, OBSV_ERR_OUT_OF_MEMORY, "out of memory");
    if (!e.body.empty()) std::memcpy(buffer, e.body.data(), e.body.size());
    buffer[e.body.size()] = '\0';
    *out = buffer;
    if (out_len != nullptr) *out_len = e.body.size();
    // Both view string literals: NUL-terminated.
    if (out_content_type != nullptr) *out_content_type = e.content_type.data();
    if (out_content_encoding != nullptr) *out_content_encoding = e.content_encoding.empty() ? "" : "gzip";
    return OBSV_OK;
  });
}

}  // extern "C"
