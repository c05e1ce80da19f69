// obsv/request_metrics.h: per-endpoint request instrumentation in API-gateway
// naming, one call per finished request.
//
//   obsv::Registry registry;
//   auto query = obsv::RequestMetrics::Create(
//       &registry, {.prefix = "gateway", .endpoint = "api_v1_query"});
//   // once per request, on the hot path:
//   query->Observe("GET", 200, /*duration_seconds=*/0.012, /*response_bytes=*/5120);
//
// registers three families, each labelled {method, code}:
//
//   <prefix>_<endpoint>_request_total             counter
//   <prefix>_<endpoint>_request_duration_seconds  histogram, duration_buckets
//                                                 (default: DefaultBuckets(),
//                                                 .005 ... 10 s)
//   <prefix>_<endpoint>_response_sizes            histogram, size_buckets
//                                                 (default:
//                                                 ResponseSizeBuckets(), bytes)
//
// Label values are bounded: `method` is one of GET HEAD POST PUT DELETE
// CONNECT OPTIONS TRACE PATCH (matched case-insensitively, written in upper
// case) or "OTHER"; `code` is the decimal status for 100..599, "unknown"
// otherwise. So an endpoint has at most 10 x 501 series per family.
//
// Cost of Observe(): classify the method (a few byte compares), two atomic
// loads to find the cached handles of that (method, code) pair, one counter
// increment and two histogram observations; no lock, no allocation, no
// hashing. The first request of a pair resolves its three series (takes the
// families' mutexes, allocates) and caches them for the handle's lifetime.
//
// Lifetimes: a RequestMetrics is a shared handle (cheap to copy, copies share
// the cache); it must not outlive its Registry, and its families' series
// must not be removed (Family::Remove/Clear, Registry::Unregister, idle
// expiry) while it is in use: the cache keeps their handles.
//
// Thread safety: thread-safe.
#ifndef OBSV_REQUEST_METRICS_H_
#define OBSV_REQUEST_METRICS_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "obsv/export.h"
#include "obsv/metric_model.h"
#include "obsv/metrics.h"
#include "obsv/registry.h"

namespace obsv {

// Response-size buckets in bytes: 64, 256, 1 KiB, 4 KiB, ... 16 MiB (x4).
OBSV_API std::vector<double> ResponseSizeBuckets();

struct RequestMetricsOptions {
  // A legacy metric name ([a-zA-Z_:][a-zA-Z0-9_:]*); empty: the names start
  // with the endpoint.
  std::string prefix;
  // The endpoint's name fragment: [a-zA-Z0-9_]+, so a route like
  // "/api/v1/query" is given as "api_v1_query".
  std::string endpoint;
  std::string help_suffix;  // appended to each HELP text, e.g. " (public API)"
  std::vector<double> duration_buckets = DefaultBuckets();
  std::vector<double> size_buckets = ResponseSizeBuckets();
  std::vector<Label> const_labels;  // on every series, e.g. {"service", "api"}
};

class OBSV_API RequestMetrics {
 public:
  // Registers (or finds, as Registry::AddCounter() does) the three families.
  // Errors: InvalidArgument for an empty or invalid endpoint (the message
  // names the offending byte), an invalid prefix, or what the registry
  // refuses (bad buckets, a clash with a registered family).
  static absl::StatusOr<RequestMetrics> Create(Registry* registry, const RequestMetricsOptions& options);

  RequestMetrics();  // empty: Observe() is a no-op
  ~RequestMetrics();
  RequestMetrics(const RequestMetrics&);
  RequestMetrics& operator=(const RequestMetrics&);

  // Records one finished request. Negative or NaN durations and sizes are
  // observed as given (a NaN goes to +Inf and makes the sum NaN, as for any
  // histogram).
  void Observe(std::string_view method, int code, double duration_seconds, double response_bytes) const;
  void Observe(std::string_view method, int code, absl::Duration duration, double response_bytes) const {
    Observe(method, code, absl::ToDoubleSeconds(duration), response_bytes);
  }

  // The family names (e.g. "gateway_api_v1_query_request" for the counter,
  // exposed as `..._request_total`). Not on an empty handle.
  const std::string& counter_name() const;
  const std::string& duration_name() const;
  const std::string& size_name() const;

  explicit operator bool() const { return impl_ != nullptr; }

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

// Checks an endpoint name fragment ([a-zA-Z0-9_]+). InvalidArgument naming
// the first bad byte and its offset.
OBSV_API absl::Status ValidateEndpointName(std::string_view endpoint);

}  // namespace obsv

#endif  // OBSV_REQUEST_METRICS_H_
