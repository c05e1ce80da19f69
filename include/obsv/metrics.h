// obsv/metrics.h: the handle types of obsv::Registry's series and the
// options that describe a metric family.
//
// A family (obsv::Family<obsv::Counter>, ...) is what Registry::AddCounter()
// and its siblings return: a name, a type, declared label names. Resolving
// a set of label values gives a handle; keep the handle for the hot path:
//
//   obsv::Registry registry;
//   auto requests = registry.AddCounter({.name = "http_requests",
//                                        .help = "Requests served.",
//                                        .label_names = {"method", "code"}});
//   obsv::Counter ok = requests->WithLabelValues({"GET", "200"}).value();
//   ok.Inc();  // a few nanoseconds, no lock, no allocation
//
// Handles are small values (a pointer and an index), cheap to copy. A
// default-constructed handle is empty: only operator bool may be called.
// A handle stays valid while its series exists, and for
// RegistryOptions::retire_grace after the series is removed (Remove(),
// Clear(), idle expiry, Registry::Unregister()); updates made in that grace
// are lost. Using a handle after the grace, or after the Registry is
// destroyed, is undefined behaviour.
//
// Cells: counter and histogram updates go to cells owned by the calling
// thread (one 8-byte cell per counter part or bucket, per thread that ever
// updated a series of that cell chunk), so no two threads ever write the same
// cache line, and the writer needs no atomic read-modify-write. A scrape
// folds the cells of all threads; a per-thread sequence number lets it read
// a histogram's buckets and sum as one consistent snapshot without ever
// blocking the writer. Past RegistryOptions-independent limit of 4096
// concurrently live threads, further threads share one arena with atomic
// read-modify-writes (correct, slower). Gauges are one atomic word.
//
// Thread safety: every handle method is thread-safe. Family methods are
// thread-safe.
#ifndef OBSV_METRICS_H_
#define OBSV_METRICS_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "obsv/export.h"
#include "obsv/metric_model.h"

namespace obsv {

namespace internal {
struct Series;
class FamilyImpl;
struct HandleAccess;
}  // namespace internal

// What a family does with a new series beyond MetricOptions::max_series.
enum class OverflowPolicy : uint8_t {
  // WithLabelValues() returns ResourceExhausted; nothing is created.
  kRefuse = 0,
  // WithLabelValues() returns the family's overflow series, whose every
  // label value is MetricOptions::overflow_label_value; it is created on the
  // first overflow and does not count against the limit.
  kOverflowSeries,
};

// Describes a family. Used by every Registry::Add*() call.
struct MetricOptions {
  // A legacy name ([a-zA-Z_:][a-zA-Z0-9_:]*) or, unless
  // RegistryOptions::legacy_names_only, any non-empty valid UTF-8. Counters
  // may be given with or without `_total`; the family is named without it
  // (the OpenMetrics family `x`, written `x_total` in text 0.0.4). Info
  // families likewise drop an `_info` suffix.
  std::string name;
  std::string help;  // any UTF-8; escaped on output
  std::string unit;  // OpenMetrics `# UNIT`; if set, `name` must end in `_<unit>`
  // The label names every series of the family has, in this order. Legacy
  // ([a-zA-Z_][a-zA-Z0-9_]*) or UTF-8 as for `name`; never empty, never
  // starting with `__`, no duplicates, and not `le` (histograms), `quantile`
  // (summaries), or the family name (statesets).
  std::vector<std::string> label_names;
  // Labels every series carries, written before the variable ones. Same
  // rules as label_names, and disjoint from them.
  std::vector<Label> const_labels;
  // Cardinality limit: at most this many series (0: unlimited). What happens
  // beyond it is `overflow`; either way the registry counts the event in
  // `obsv_registry_series_limit_hits_total{family="<name>"}`.
  size_t max_series = 0;
  OverflowPolicy overflow = OverflowPolicy::kRefuse;
  std::string overflow_label_value = "__overflow__";
  // Series whose value has not changed and that were not looked up for
  // longer than this are removed by Registry::ExpireIdle() (run by every
  // Expose()). Zero: never.
  absl::Duration idle_ttl = absl::ZeroDuration();
};

// Summary quantiles over a sliding window. The window is a ring of
// `age_buckets` buckets of max_age/age_buckets each; an observation goes
// into the current bucket, and a quantile is computed over every bucket of
// the ring, so it covers between max_age*(age_buckets-1)/age_buckets and
// max_age of observations. A bucket keeps at most `max_samples_per_bucket`
// observations, a uniform sample (reservoir) of them when more arrive, so a
// quantile is exact up to that many observations per bucket and a sampled
// estimate beyond. `_count` and `_sum` are exact and cumulative.
struct SummaryOptions {
  std::vector<double> quantiles = {0.5, 0.9, 0.99};  // each in [0, 1]
  absl::Duration max_age = absl::Minutes(10);
  int age_buckets = 5;
  size_t max_samples_per_bucket = 500;
};

// A native histogram (Prometheus's sparse exponential histogram, written
// only in the protobuf exposition format; text and OpenMetrics see its
// classic buckets), with client_golang's semantics. Bucket i of a
// resolution `schema` covers (2^((i-1)*2^-schema), 2^(i*2^-schema)]; an
// observation v with |v| <= the zero threshold goes to the zero bucket,
// others to the positive or negative bucket of |v|. +Inf and -Inf go to the
// bucket just past the largest finite one; NaN counts in the count and makes
// the sum NaN but goes to no native bucket (and to the classic +Inf bucket).
//
// Bucket limit: when an observation creates a bucket beyond `max_buckets`
// (positive and negative together), the histogram is reduced, as
// client_golang does: (1) if `min_reset_duration` is above zero and has
// passed since the last reset (or creation), every count of the series is
// reset (and `_created` moves to now), keeping only this observation;
// (2) else, if the zero threshold can grow to the upper bound of the bucket
// closest to zero without passing `max_zero_threshold`, that bucket is merged
// into the zero bucket; (3) else the resolution is halved (schema - 1, down
// to -4), merging pairs of buckets. One step per such observation; the
// number can stay above the limit for a while (at schema -4 for good).
//
// Cost: Observe() is lock-free and allocates nothing, as client_golang's:
// it finds the key (exponent bits and a binary search over at most 256
// bounds), then makes four atomic read-modify-writes: one picks the hot of
// the series' two count sets, then the bucket (a probe of a lock-free hash
// table), the sum (a compare-and-swap) and the mark that the observation
// is complete; a fifth for a value in a finite classic bucket. Threads observing the same series
// share those cache lines but never wait for one another. Rare steps take
// the series' mutex: a reduction (bucket limit), doubling a full bucket
// table, the first observation of a bucket in a count set while the
// buckets are near max_buckets, and every Histogram::Read() or scrape of
// the series, which flips the hot set and waits for the observations still
// in flight in the old one.
// Memory per series: two count sets, each with the classic buckets (8 bytes
// each) and a table of 16-byte bucket slots, 16 at first; a full table
// (3/4 of its slots) grows to a power of two that holds every populated
// bucket and 16 more: 256 slots (4 KiB) for 160 buckets.
struct NativeHistogramOptions {
  // Largest growth factor allowed between consecutive bucket bounds, > 1.
  // The schema chosen is the highest-resolution one of -4..8 whose factor
  // 2^(2^-schema) is at most this (1.1 gives schema 3, factor 1.0905; 2
  // gives 0; 65536 and above give -4).
  double bucket_factor = 1.1;
  // Observations with |v| at most this go to the zero bucket. client_golang's
  // default, 2^-128. Zero: only exact zeros (client_golang's
  // NativeHistogramZeroThresholdZero).
  double zero_threshold = 2.938735877055719e-39;
  // Populated buckets beyond which the histogram is reduced (see above).
  // 0: no limit. client_golang's default is no limit; obsv limits by
  // default, as a budget against an unbounded spread of observed values.
  uint32_t max_buckets = 160;
  // Reduction strategy (1): reset if this long since the last reset. Zero:
  // never reset.
  absl::Duration min_reset_duration = absl::ZeroDuration();
  // Reduction strategy (2): the zero bucket may grow up to this threshold.
  double max_zero_threshold = 0;
};

// Prometheus client libraries' default buckets (.005 ... 10 seconds).
OBSV_API std::vector<double> DefaultBuckets();
// `count` buckets: start, start+width, ... (Go's LinearBuckets).
OBSV_API std::vector<double> LinearBuckets(double start, double width, int count);
// `count` buckets: start, start*factor, ... (Go's ExponentialBuckets).
OBSV_API std::vector<double> ExponentialBuckets(double start, double factor, int count);

// A monotonic counter. The integer part (Inc) and the float part (Add) are
// separate cells, summed on read, so that integer increments never lose a
// count in the cells; the value reported (Value(), exposition) is a double,
// as in every Prometheus client, and so exact only up to 2^53.
class OBSV_API Counter {
 public:
  Counter() = default;
  // Adds n. Cost: a few ns; no lock, no atomic read-modify-write.
  void Inc(uint64_t n = 1) const;
  // Adds v; a negative or NaN v is ignored (counters only go up).
  void Add(double v) const;
  // Inc(n) / Add(v), and keeps `exemplar` (the increment as its value, the
  // registry clock's time) as the series' exemplar, replacing the previous
  // one. Written in OpenMetrics and protobuf only, never in text 0.0.4.
  // Errors (InvalidArgument, nothing recorded): as
  // Histogram::ObserveWithExemplar(); a negative or NaN v.
  absl::Status IncWithExemplar(uint64_t n, absl::Span<const Label> exemplar) const;
  absl::Status AddWithExemplar(double v, absl::Span<const Label> exemplar) const;
  // The current total, folded over all threads' cells. Cost: linear in the
  // number of threads that ever updated the process's counters.
  double Value() const;
  explicit operator bool() const { return series_ != nullptr; }

 private:
  friend struct internal::HandleAccess;
  internal::Series* series_ = nullptr;
  uint32_t slot_ = 0;
};

// A value that goes up and down: one atomic 64-bit word. Set() is a store;
// Inc()/Dec()/Add() are a compare-and-swap loop.
class OBSV_API Gauge {
 public:
  Gauge() = default;
  void Set(double v) const;
  void Add(double v) const;
  void Inc() const { Add(1); }
  void Dec() const { Add(-1); }
  // Sets the gauge to the registry clock's Unix time in seconds.
  void SetToCurrentTime() const;
  double Value() const;
  explicit operator bool() const { return series_ != nullptr; }

 private:
  friend struct internal::HandleAccess;
  internal::Series* series_ = nullptr;
};

// A histogram handle, for classic histograms (Registry::AddHistogram) and
// native ones (Registry::AddNativeHistogram).
//
// A classic histogram: cumulative buckets on output, one non-cumulative
// cell per bucket plus a sum cell per thread underneath. Observe() is
// lock-free and wait-free: a branch-free bucket search (SIMD compares up to
// 32 bounds, binary beyond), two plain stores and two sequence stores; a few
// ns for 12 buckets.
class OBSV_API Histogram {
 public:
  Histogram() = default;
  // NaN is counted in the +Inf bucket and makes the sum NaN, as in Go.
  void Observe(double v) const;
  // Observe(v), and keeps `exemplar` (with v and the registry clock's time)
  // as the exemplar of the classic bucket v falls into, replacing the one
  // there. Written in OpenMetrics and protobuf only. Errors
  // (InvalidArgument, nothing recorded): an exemplar label set longer than
  // 128 UTF-8 characters (names and values together, OpenMetrics' limit), an
  // invalid label name, a value that is not UTF-8. Cost: Observe() plus a
  // lock and a copy of the labels.
  absl::Status ObserveWithExemplar(double v, absl::Span<const Label> exemplar) const;
  struct NativeBucket {
    int32_t index = 0;    // bucket index at `schema` (see NativeHistogramOptions)
    uint64_t count = 0;   // > 0
  };
  struct Snapshot {
    std::vector<double> upper_bounds;     // ascending, last is +Inf
    std::vector<uint64_t> cumulative;     // per bound
    uint64_t count = 0;                   // == cumulative.back()
    double sum = 0;
    // Native histograms only (native == true).
    bool native = false;
    int32_t schema = 0;
    double zero_threshold = 0;
    uint64_t zero_count = 0;
    std::vector<NativeBucket> positive, negative;  // by ascending index
  };
  // A consistent snapshot (count, buckets and sum of the same observations).
  Snapshot Read() const;
  explicit operator bool() const { return series_ != nullptr; }

 private:
  friend struct internal::HandleAccess;
  internal::Series* series_ = nullptr;
  uint32_t slot_ = 0;
};

// A gauge histogram (OpenMetrics `gaugehistogram`: `_bucket`, `_gcount`,
// `_gsum`): the current distribution of something that comes and goes
// (queued items by age, connections by size). Same cells as a classic
// histogram; counts can go down.
class OBSV_API GaugeHistogram {
 public:
  GaugeHistogram() = default;
  // Adds n (possibly negative: takes observations back out) to v's bucket,
  // and n*v to the sum. Lock-free, as Histogram::Observe.
  void Observe(double v, int64_t n = 1) const;
  // Same shape as Histogram::Snapshot (counts are the cells' sums, read as
  // two's complement, so a bucket taken below zero wraps).
  Histogram::Snapshot Read() const;
  explicit operator bool() const { return series_ != nullptr; }

 private:
  friend struct internal::HandleAccess;
  internal::Series* series_ = nullptr;
  uint32_t slot_ = 0;
};

// Quantiles over a sliding window (see SummaryOptions). Observe() takes the
// series' mutex: summaries are not a hot-path type (prefer histograms).
class OBSV_API Summary {
 public:
  Summary() = default;
  void Observe(double v) const;
  explicit operator bool() const { return series_ != nullptr; }

 private:
  friend struct internal::HandleAccess;
  internal::Series* series_ = nullptr;
};

// An info series: exists, with value 1. Nothing to update.
class OBSV_API Info {
 public:
  Info() = default;
  explicit operator bool() const { return series_ != nullptr; }

 private:
  friend struct internal::HandleAccess;
  internal::Series* series_ = nullptr;
};

// A set of up to 64 boolean states, declared with the family. All states
// start false.
class OBSV_API StateSet {
 public:
  StateSet() = default;
  // NotFound for a state the family did not declare.
  absl::Status Set(std::string_view state, bool value) const;
  // Sets `state` true and every other state false (an enum).
  absl::Status SetOnly(std::string_view state) const;
  // Whether `state` is set; false for an unknown state.
  bool Get(std::string_view state) const;
  explicit operator bool() const { return series_ != nullptr; }

 private:
  friend struct internal::HandleAccess;
  internal::Series* series_ = nullptr;
};

// A family of series of handle type H (Counter, Gauge, Histogram, Summary,
// Info, StateSet, GaugeHistogram). A cheap value (one pointer) owned by the Registry: valid
// until Registry::Unregister() of its name or the Registry's destruction.
template <typename H>
class OBSV_API Family {
 public:
  Family() = default;

  // The series with these label values (in label_names order), created if
  // absent. Errors: InvalidArgument for the wrong number of values or a
  // value that is not valid UTF-8; ResourceExhausted at max_series with
  // OverflowPolicy::kRefuse. Cost for an existing series: a hash of the
  // values and one probe of a lock-free table; no allocation, no lock.
  // Creating one takes the family's mutex and renders the series' label
  // text once, for exposition.
  absl::StatusOr<H> WithLabelValues(absl::Span<const std::string_view> values) const;
  absl::StatusOr<H> WithLabelValues(std::initializer_list<std::string_view> values) const {
    return WithLabelValues(absl::Span<const std::string_view>(values.begin(), values.size()));
  }
  // As WithLabelValues() but never creates: NotFound when absent.
  absl::StatusOr<H> Get(absl::Span<const std::string_view> values) const;
  absl::StatusOr<H> Get(std::initializer_list<std::string_view> values) const {
    return Get(absl::Span<const std::string_view>(values.begin(), values.size()));
  }
  // Removes one series; false if it did not exist. Its handles are retired
  // (see the top of this file).
  bool Remove(absl::Span<const std::string_view> values) const;
  bool Remove(std::initializer_list<std::string_view> values) const {
    return Remove(absl::Span<const std::string_view>(values.begin(), values.size()));
  }
  // Removes every series.
  void Clear() const;
  // The number of series (the overflow series included).
  size_t size() const;
  // The family name (without `_total`/`_info`).
  const std::string& name() const;
  explicit operator bool() const { return impl_ != nullptr; }

 private:
  friend struct internal::HandleAccess;
  internal::FamilyImpl* impl_ = nullptr;
};

extern template class Family<Counter>;
extern template class Family<Gauge>;
extern template class Family<Histogram>;
extern template class Family<Summary>;
extern template class Family<Info>;
extern template class Family<StateSet>;
extern template class Family<GaugeHistogram>;

}  // namespace obsv

#endif  // OBSV_METRICS_H_
