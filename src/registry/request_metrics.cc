// Request instrumentation: three families and a lock-free cache of their
// handles per (method, code).
#include "obsv/request_metrics.h"

#include <array>
#include <atomic>
#include <charconv>
#include <cstdio>

#include "absl/synchronization/mutex.h"
#include "common/str_cat.h"
#include "obsv/exposition_writer.h"

namespace obsv {

using internal::StrCat;

namespace {

constexpr std::array<std::string_view, 9> kMethods = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                                      "CONNECT", "OPTIONS", "TRACE", "PATCH"};
constexpr int kOtherMethod = 9;
constexpr int kMethodCount = 10;
constexpr int kCodeCount = 501;  // 100..599, then "unknown"

inline char Upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

inline int MethodIndex(std::string_view m) {
  // Exact upper case first: what nearly every server passes.
  for (int i = 0; i < 9; ++i) {
    if (m == kMethods[i]) return i;
  }
  for (int i = 0; i < 9; ++i) {
    std::string_view k = kMethods[i];
    if (k.size() != m.size()) continue;
    bool same = true;
    for (size_t j = 0; j < k.size() && same; ++j) same = Upper(m[j]) == k[j];
    if (same) return i;
  }
  return kOtherMethod;
}

inline int CodeIndex(int code) { return code >= 100 && code <= 599 ? code - 100 : kCodeCount - 1; }

}  // namespace

std::vector<double> ResponseSizeBuckets() { return ExponentialBuckets(64, 4, 10); }

absl::Status ValidateEndpointName(std::string_view endpoint) {
  if (endpoint.empty()) return absl::InvalidArgumentError("endpoint name is empty");
  for (size_t i = 0; i < endpoint.size(); ++i) {
    char c = endpoint[i];
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) {
      char shown[8];
      if (static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f) {
        std::snprintf(shown, sizeof shown, "'%c'", c);
      } else {
        std::snprintf(shown, sizeof shown, "0x%02x", static_cast<unsigned char>(c));
      }
      return absl::InvalidArgumentError(StrCat("endpoint name \"", endpoint, "\" is not a metric-name fragment: ",
                                               shown, " at offset ", i,
                                               " (allowed: [a-zA-Z0-9_], e.g. \"api_v1_query\")"));
    }
  }
  return absl::OkStatus();
}

struct RequestMetrics::Impl {
  struct Entry {
    Counter requests;
    Histogram duration;
    Histogram size;
  };
  struct Row {
    std::atomic<Entry*> codes[kCodeCount];
    Row() {
      for (auto& c : codes) c.store(nullptr, std::memory_order_relaxed);
    }
  };

  Family<Counter> requests;
  Family<Histogram> duration;
  Family<Histogram> size;
  std::string names[3];
  std::atomic<Row*> rows[kMethodCount] = {};

  absl::Mutex mu;
  std::vector<std::unique_ptr<Row>> owned_rows;      // guarded by mu
  std::vector<std::unique_ptr<Entry>> owned_entries;  // guarded by mu

  ~Impl() = default;

  Entry* Resolve(int method, int code) {
    absl::MutexLock l(&mu);
    Row* row = rows[method].load(std::memory_order_acquire);
    if (row == nullptr) {
      owned_rows.push_back(std::make_unique<Row>());
      row = owned_rows.back().get();
      rows[method].store(row, std::memory_order_release);
    }
    Entry* e = row->codes[code].load(std::memory_order_acquire);
    if (e != nullptr) return e;
    std::string_view m = method == kOtherMethod ? std::string_view("OTHER") : kMethods[method];
    char buf[8];
    std::string_view c = "unknown";
    if (code < kCodeCount - 1) {
      auto r = std::to_chars(buf, buf + sizeof buf, code + 100);
      c = std::string_view(buf, static_cast<size_t>(r.ptr - buf));
    }
    auto a = requests.WithLabelValues({m, c});
    auto b = duration.WithLabelValues({m, c});
    auto d = size.WithLabelValues({m, c});
    // Only a registry out of cell slots fails here: drop the observation.
    if (!a.ok() || !b.ok() || !d.ok()) return nullptr;
    owned_entries.push_back(std::make_unique<Entry>(Entry{*a, *b, *d}));
    e = owned_entries.back().get();
    row->codes[code].store(e, std::memory_order_release);
    return e;
  }
};

absl::StatusOr<RequestMetrics> RequestMetrics::Create(Registry* registry, const RequestMetricsOptions& o) {
  if (registry == nullptr) return absl::InvalidArgumentError("RequestMetrics: registry is null");
  absl::Status s = ValidateEndpointName(o.endpoint);
  if (!s.ok()) return s;
  if (!o.prefix.empty() && !IsLegacyMetricName(o.prefix)) {
    return absl::InvalidArgumentError(
        StrCat("request metrics prefix \"", o.prefix, "\" is not a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)"));
  }
  std::string base = o.prefix.empty() ? o.endpoint : StrCat(o.prefix, "_", o.endpoint);
  // A fragment starting with a digit is fine after a prefix, not alone.
  if (!IsLegacyMetricName(base)) {
    return absl::InvalidArgumentError(
        StrCat("endpoint name \"", o.endpoint, "\" cannot start a metric name: give a prefix"));
  }
  auto impl = std::make_shared<Impl>();
  impl->names[0] = base + "_request";
  impl->names[1] = base + "_request_duration_seconds";
  impl->names[2] = base + "_response_sizes";
  auto options = [&](const std::string& name, std::string help, std::string unit) {
    MetricOptions m;
    m.name = name;
    m.help = StrCat(help, o.help_suffix);
    m.unit = std::move(unit);
    m.label_names = {"method", "code"};
    m.const_labels = o.const_labels;
    return m;
  };
  auto requests = registry->AddCounter(
      options(impl->names[0], StrCat("Requests to ", o.endpoint, " by method and status code."), ""));
  if (!requests.ok()) return requests.status();
  auto duration = registry->AddHistogram(
      options(impl->names[1], StrCat("Latency of requests to ", o.endpoint, " in seconds."), "seconds"),
      o.duration_buckets);
  if (!duration.ok()) return duration.status();
  auto size = registry->AddHistogram(
      options(impl->names[2], StrCat("Size of responses of ", o.endpoint, " in bytes."), ""), o.size_buckets);
  if (!size.ok()) return size.status();
  impl->requests = *requests;
  impl->duration = *duration;
  impl->size = *size;
  RequestMetrics m;
  m.impl_ = std::move(impl);
  return m;
}

RequestMetrics::RequestMetrics() = default;
RequestMetrics::~RequestMetrics() = default;
RequestMetrics::RequestMetrics(const RequestMetrics&) = default;
RequestMetrics& RequestMetrics::operator=(const RequestMetrics&) = default;

void RequestMetrics::Observe(std::string_view method, int code, double duration_seconds,
                             double response_bytes) const {
  if (impl_ == nullptr) return;
  int m = MethodIndex(method);
  int c = CodeIndex(code);
  Impl::Entry* e = nullptr;
  if (Impl::Row* row = impl_->rows[m].load(std::memory_order_acquire)) {
    e = row->codes[c].load(std::memory_order_acquire);
  }
  if (e == nullptr) {
    e = impl_->Resolve(m, c);
    if (e == nullptr) return;
  }
  e->requests.Inc();
  e->duration.Observe(duration_seconds);
  e->size.Observe(response_bytes);
}

const std::string& RequestMetrics::counter_name() const { return impl_->names[0]; }
const std::string& RequestMetrics::duration_name() const { return impl_->names[1]; }
const std::string& RequestMetrics::size_name() const { return impl_->names[2]; }

}  // namespace obsv
