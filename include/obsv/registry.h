// obsv/registry.h: an in-process metrics registry and its exposition.
//
// Families are registered once; series are resolved to handles that the
// caller keeps for the hot path (obsv/metrics.h); a scrape writes the whole
// registry as Prometheus text 0.0.4, OpenMetrics 1.0 or delimited protobuf
// (the format of native histograms, AddNativeHistogram()):
//
//   obsv::Registry registry;
//   auto latency = registry.AddHistogram(
//       {.name = "rpc_duration_seconds", .help = "RPC latency.",
//        .label_names = {"method"}},
//       obsv::DefaultBuckets());
//   obsv::Histogram get = latency->WithLabelValues({"Get"}).value();
//   get.Observe(0.012);
//
//   // In the HTTP handler:
//   obsv::NegotiatedFormat f = obsv::NegotiateFormat(request.accept_header);
//   std::string body;
//   absl::Status s = registry.Expose(f.format, &body);
//   respond(200, f.content_type, body);
//
// Output order is deterministic: families by name (registered families and
// collectors' families together), series by label values, byte for byte the
// same for the same state. Each series' name and label text is rendered
// once, when the series is created, so exposition is copying that text and
// formatting numbers. Counters carry `_created` in OpenMetrics and protobuf
// only (as client_golang); text 0.0.4 has no place for it. Exemplars
// (Counter::IncWithExemplar(), Histogram::ObserveWithExemplar()) likewise.
//
// Thread safety: thread-safe. Expose() reads each series' cells without
// blocking their writers; it holds each family's mutex while writing that
// family, which delays only the creation and removal of that family's
// series.
#ifndef OBSV_REGISTRY_H_
#define OBSV_REGISTRY_H_

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "obsv/export.h"
#include "obsv/exposition_format.h"
#include "obsv/metric_model.h"
#include "obsv/metrics.h"

namespace obsv {

struct RegistryOptions {
  // Refuse metric and label names outside the legacy charsets, as
  // Prometheus 2 does. Off: any valid UTF-8 name (Prometheus 3), written
  // quoted when not legacy.
  bool legacy_names_only = false;
  // The clock for `_created`, idle expiry, collector caches and summary
  // windows. Default absl::Now. Tests inject a fake one.
  std::function<absl::Time()> clock;
  // How long a removed series' memory stays valid for handles still held
  // (see obsv/metrics.h). Infinite: never freed before the Registry.
  absl::Duration retire_grace = absl::Minutes(10);
};

// A collector produces whole families at scrape time (a process collector,
// a bridge to another library). It runs on the scraping thread, possibly
// concurrently with itself if two scrapes overlap.
using CollectorFn = std::function<std::vector<MetricFamily>()>;

class OBSV_API Registry {
 public:
  explicit Registry(RegistryOptions options = {});
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Registers a family, or returns the existing one if a family of that
  // name exists with the same type, label names, const labels and (for
  // histograms, summaries, statesets) buckets, quantiles and states; help,
  // unit and limits of the later call are then ignored.
  // Errors (InvalidArgument): an invalid metric or label name (see
  // MetricOptions), the name registered with another type or labels, or
  // clashing with a registered family's sample names (`x` counter and `x_total`
  // gauge), bad buckets (not strictly increasing, NaN), bad quantiles,
  // empty or duplicate states, or more than 64 states.
  absl::StatusOr<Family<Counter>> AddCounter(const MetricOptions& options);
  absl::StatusOr<Family<Gauge>> AddGauge(const MetricOptions& options);
  // `buckets`: upper bounds, strictly increasing; +Inf is appended if absent.
  absl::StatusOr<Family<Histogram>> AddHistogram(const MetricOptions& options,
                                                 std::vector<double> buckets);
  // A native histogram (see NativeHistogramOptions), optionally with classic
  // `buckets` alongside (empty: none, only the implicit +Inf). The native
  // buckets are written in the protobuf format only; text and OpenMetrics
  // write the classic buckets, `_count` and `_sum`. Errors: as
  // AddHistogram(), and InvalidArgument for bucket_factor <= 1 or not
  // finite, a negative or NaN zero_threshold or max_zero_threshold, a
  // negative min_reset_duration.
  absl::StatusOr<Family<Histogram>> AddNativeHistogram(const MetricOptions& options,
                                                       const NativeHistogramOptions& native,
                                                       std::vector<double> buckets = {});
  // A gauge histogram (OpenMetrics `gaugehistogram`; text 0.0.4 has none and
  // gets untyped `_bucket`, `_gcount`, `_gsum` families; protobuf
  // GAUGE_HISTOGRAM). `buckets` as AddHistogram().
  absl::StatusOr<Family<GaugeHistogram>> AddGaugeHistogram(const MetricOptions& options,
                                                           std::vector<double> buckets);
  absl::StatusOr<Family<Summary>> AddSummary(const MetricOptions& options,
                                             const SummaryOptions& summary = {});
  // Written `<name>_info{...} 1`.
  absl::StatusOr<Family<Info>> AddInfo(const MetricOptions& options);
  // Written `<name>{...,<name>="<state>"} 1|0`, one line per state.
  absl::StatusOr<Family<StateSet>> AddStateSet(const MetricOptions& options,
                                               std::vector<std::string> states);

  // Removes a family and all its series (retired as by Family::Clear()).
  // NotFound if absent. The Family values for it become invalid.
  absl::Status Unregister(std::string_view name);

  // Adds a collector under a unique name (AlreadyExists otherwise). With a
  // cache_ttl above zero, a scrape within cache_ttl of the collector's last
  // run reuses its last result instead of calling it.
  absl::Status AddCollector(std::string name, CollectorFn collect,
                            absl::Duration cache_ttl = absl::ZeroDuration());
  absl::Status RemoveCollector(std::string_view name);

  // Appends the whole registry to `*out` in `format` (OpenMetrics ends with
  // `# EOF`; kProtobuf is length-delimited io.prometheus.client.MetricFamily
  // messages, binary, see obsv::ContentTypeFor()). Runs ExpireIdle() first. Errors: InvalidArgument if a
  // collector produced a family that cannot be written (see
  // WriteExposition()) or whose name a registered family already uses;
  // `*out` is then unspecified. Cost: linear in the output.
  absl::Status Expose(ExpositionFormat format, std::string* out) const;

  // The registry as the owned model (for tests, merging, other writers).
  // Native histograms appear with their classic buckets, `_count` and
  // `_sum`, and their native buckets (schema, zero threshold, zero count,
  // positive and negative buckets) in Sample::native of each series'
  // `_count` sample, from the same snapshot. kProtobuf gives the
  // kOpenMetrics model.
  std::vector<MetricFamily> Collect(ExpositionFormat format = ExpositionFormat::kOpenMetrics) const;

  // Removes the series idle for longer than their family's idle_ttl, and
  // frees retired series past retire_grace. Returns how many series were
  // removed. Idle means: value unchanged since the previous check and not
  // looked up, so the hot path pays nothing for expiry.
  size_t ExpireIdle() const;

  // The number of registered families.
  size_t family_count() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// The answer to an HTTP `Accept` header.
struct NegotiatedFormat {
  ExpositionFormat format = ExpositionFormat::kText;
  // The Content-Type to respond with (static storage).
  std::string_view content_type;
  // The client accepts UTF-8 names unescaped (`escaping=allow-utf-8`), or
  // did not say (`escaping=` absent): obsv writes them quoted either way;
  // false when it asked for another escaping scheme, which obsv does not
  // implement yet (names are then still written quoted).
  bool utf8_names = true;
};

// Chooses the format for an `Accept` header, as client_golang's
// expfmt.Negotiate does: media ranges by descending q (ties keep header
// order); `application/vnd.google.protobuf` with
// `proto=io.prometheus.client.MetricFamily` and `encoding=delimited` gives
// kProtobuf (what Prometheus sends first with native histograms enabled);
// `application/openmetrics-text` with version 1.0.0, 0.0.1 or none
// gives OpenMetrics; `text/plain` with version 0.0.4 or none, `text/*`,
// `*/*`, anything else or an empty header give text 0.0.4. A range with q=0
// is refused. Case-insensitive; never fails.
OBSV_API NegotiatedFormat NegotiateFormat(std::string_view accept);

}  // namespace obsv

#endif  // OBSV_REGISTRY_H_
