// Internal: series, families and the lock-free label-values table.
#ifndef OBSV_SRC_REGISTRY_FAMILY_H_
#define OBSV_SRC_REGISTRY_FAMILY_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "exposition/escaping.h"
#include "obsv/metric_model.h"
#include "obsv/metrics.h"
#include "obsv/registry.h"
#include "registry/cells.h"
#include "registry/exemplars.h"
#include "registry/native_histogram.h"

namespace obsv::internal {

class FamilyImpl;

// Sliding-window state of one summary series (see SummaryOptions).
struct SummaryState {
  struct Bucket {
    std::vector<double> samples;
    uint64_t seen = 0;  // observations that went into this bucket
  };
  absl::Mutex mu;
  std::vector<Bucket> ring ABSL_GUARDED_BY(mu);
  size_t head ABSL_GUARDED_BY(mu) = 0;
  absl::Time head_start ABSL_GUARDED_BY(mu);
  uint64_t count ABSL_GUARDED_BY(mu) = 0;
  double sum ABSL_GUARDED_BY(mu) = 0;
  uint64_t rng ABSL_GUARDED_BY(mu) = 0x2545F4914F6CDD1Dull;
};

struct Series {
  FamilyImpl* family = nullptr;
  uint64_t hash = 0;
  // The label values, each followed by '\xff' (never in valid UTF-8).
  std::string key;
  // `a="x",b="y"`: const labels then the family's labels, rendered once.
  std::string label_text;
  uint32_t slot = kNoSlot;  // counter and histogram cells
  uint32_t n_bounds = 0;    // histogram: finite bounds (bounds[n_bounds] is +Inf)
  const double* bounds = nullptr;  // the family's padded_bounds
  std::atomic<uint64_t> word{0};     // gauge bits, stateset bits
  std::atomic<bool> touched{false};  // looked up since the last idle check
  absl::Time created;
  // Idle tracking, under the family's mutex.
  uint64_t fingerprint = 0;
  absl::Time changed;
  std::unique_ptr<SummaryState> summary;
  std::unique_ptr<NativeHistogramState> native;  // native histograms
  ExemplarPtr exemplars;                         // counters, histograms
  // The series' labels as encoded Metric.label fields, rendered on the
  // first protobuf exposition, under the family's mutex.
  std::string pb_labels;
};

// Open addressing, linear probing, power-of-two size, at most half full.
// Readers probe without a lock; writers hold the family's mutex. A slot goes
// null -> series -> tombstone (-> series again on reuse); a replaced table
// and removed series are retired, not freed, so a reader never touches freed
// memory.
struct SeriesTable {
  explicit SeriesTable(size_t capacity)
      : mask(capacity - 1), slots(new std::atomic<Series*>[capacity]) {
    for (size_t i = 0; i < capacity; ++i) slots[i].store(nullptr, std::memory_order_relaxed);
  }
  size_t mask;
  size_t used = 0;  // live + tombstones
  std::unique_ptr<std::atomic<Series*>[]> slots;
};

inline Series* const kTombstone = reinterpret_cast<Series*>(uintptr_t{1});

uint64_t HashValues(absl::Span<const std::string_view> values);
bool KeyEquals(const std::string& key, absl::Span<const std::string_view> values);

class FamilyImpl {
 public:
  FamilyImpl(Registry::Impl* registry, MetricType type, MetricOptions options);
  ~FamilyImpl();

  // Renders the metadata and sample names; called once the type-specific
  // fields are set (expose.cc).
  void Prepare();

  // Finds (and, with `create`, creates) the series of `values`.
  absl::StatusOr<Series*> Resolve(absl::Span<const std::string_view> values, bool create);
  bool Remove(absl::Span<const std::string_view> values);
  void Clear();
  size_t size() const;
  // Removes series idle for longer than idle_ttl; returns how many.
  size_t ExpireIdle(absl::Time now);
  // The series in label-value order. Caller holds mu (shared is enough
  // after SortLocked).
  void SortLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);

  // Builds the model of the family (for collectors' peers, tests, and the
  // kinds written through the generic writer). Takes mu.
  // `native`: native histograms carry their buckets (Sample::native on
  // `_count`); the writers do not need them.
  MetricFamily ToModel(ExpositionFormat format, bool native = false) const;
  // Writes the family in the format. Takes mu.
  absl::Status Write(ExpositionFormat format, std::string* out) const;
  // Writes the family as one delimited io.prometheus.client.MetricFamily
  // (protobuf_writer.cc). Takes mu.
  void WriteProtobuf(std::string* out) const;
  // A consistent histogram snapshot (classic, native or gauge histogram)
  // and its created time.
  Histogram::Snapshot ReadHistogram(const Series& s, absl::Time* created) const;

  // The series' labels as the model has them.
  std::vector<Label> LabelsOf(const Series& s) const;
  uint64_t Fingerprint(Series& s) const;

  Registry::Impl* const registry;
  const MetricType type;
  const MetricOptions options;  // name normalised
  std::vector<double> bounds;   // histogram: ascending, +Inf last
  std::vector<double> padded_bounds;  // bounds then +Inf padding (BucketIndex()), set with the first series
  SummaryOptions summary;
  std::vector<std::string> states;
  bool is_native = false;  // histogram: native (series have `native`, no cells)
  NativeHistogramOptions native;
  uint32_t n_int = 0, n_double = 0;  // cells per series
  std::atomic<uint64_t> limit_hits{0};

  mutable absl::Mutex mu;

 private:
  Series* Find(absl::Span<const std::string_view> values, uint64_t hash) const;
  Series* CreateLocked(absl::Span<const std::string_view> values, uint64_t hash)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  void InsertLocked(Series* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  void RemoveLocked(Series* s) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu);
  void WriteFast(ExpositionFormat format, std::string* out) const ABSL_SHARED_LOCKS_REQUIRED(mu);
  void WriteScalarsFast(ExpositionFormat format, std::string* out) const ABSL_SHARED_LOCKS_REQUIRED(mu);

  std::atomic<SeriesTable*> table_;
  mutable std::vector<Series*> series_ ABSL_GUARDED_BY(mu);
  mutable bool sorted_ ABSL_GUARDED_BY(mu) = true;
  Series* overflow_ ABSL_GUARDED_BY(mu) = nullptr;
  size_t live_ ABSL_GUARDED_BY(mu) = 0;  // not counting overflow_

  // Rendered once: metadata lines per format, sample name openers.
  std::string header_[2];
  struct SampleName {
    std::string text;  // legacy: the name; otherwise `"escaped name"`
    bool legacy = true;
  };
  SampleName main_, bucket_, count_, sum_, created_;
  std::vector<std::string> le_[2];  // `le="0.1"` per format, per bound
};

// Registry internals shared with families.
}  // namespace obsv::internal

namespace obsv {

struct Registry::Impl {
  RegistryOptions options;
  absl::Time Now() const { return options.clock ? options.clock() : absl::Now(); }

  struct Retired {
    absl::Time at;
    internal::Series* series = nullptr;
    internal::SeriesTable* table = nullptr;
    internal::FamilyImpl* family = nullptr;
  };
  absl::Mutex retire_mu;
  std::vector<Retired> retired ABSL_GUARDED_BY(retire_mu);
  void Retire(Retired r) {
    r.at = Now();
    absl::MutexLock l(&retire_mu);
    retired.push_back(r);
  }
  void FreeRetired(absl::Time now, bool all);

  mutable absl::Mutex mu;
  std::vector<std::unique_ptr<internal::FamilyImpl>> families ABSL_GUARDED_BY(mu);  // sorted by name
  struct CollectorEntry {
    std::string name;
    CollectorFn fn;
    absl::Duration ttl;
    absl::Mutex mu;
    bool cached ABSL_GUARDED_BY(mu) = false;
    absl::Time last ABSL_GUARDED_BY(mu);
    std::vector<MetricFamily> result ABSL_GUARDED_BY(mu);
  };
  std::vector<std::shared_ptr<CollectorEntry>> collectors ABSL_GUARDED_BY(mu);
};

namespace internal {
struct HandleAccess {
  template <typename H>
  static H Make(Series* s) {
    H h;
    h.series_ = s;
    if constexpr (std::is_same_v<H, Counter> || std::is_same_v<H, Histogram> || std::is_same_v<H, GaugeHistogram>) {
      h.slot_ = s->slot;
    }
    return h;
  }
  template <typename H>
  static FamilyImpl* Impl(const Family<H>& f) {
    return f.impl_;
  }
  template <typename H>
  static Family<H> MakeFamily(FamilyImpl* impl) {
    Family<H> f;
    f.impl_ = impl;
    return f;
  }
};

// Name rules (registry.cc).
bool ValidMetricName(std::string_view name, bool legacy_only);
bool ValidLabelName(std::string_view name, bool legacy_only);
// `name` written in metadata and samples: as is when legacy, else quoted.
void AppendQuotedName(std::string_view name, std::string* out);
void AppendLabelName(std::string_view name, std::string* out);

}  // namespace internal

}  // namespace obsv

#endif  // OBSV_SRC_REGISTRY_FAMILY_H_
