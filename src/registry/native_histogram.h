// Native (sparse exponential) histograms: bucket keys, the per-series state
// and its bucket-limit strategies, after client_golang's prometheus/
// histogram.go (learned from, not translated).
//
// Bucket `key` at resolution `schema` covers (2^((key-1)*2^-schema),
// 2^(key*2^-schema)]: key 0 ends at 1. A series keeps its populated buckets
// as sorted (key, count) vectors, one per sign, under one lock together with
// the zero bucket, count, sum and the classic buckets, so a scrape reads all
// of them as one consistent snapshot (Prometheus rejects a native histogram
// whose count is below its buckets' total).
#ifndef OBSV_SRC_REGISTRY_NATIVE_HISTOGRAM_H_
#define OBSV_SRC_REGISTRY_NATIVE_HISTOGRAM_H_

#include <atomic>
#include <cstdint>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/time/time.h"
#include "obsv/metrics.h"

namespace obsv::internal {

inline constexpr int32_t kNativeSchemaMin = -4;
inline constexpr int32_t kNativeSchemaMax = 8;

// The schema for a bucket factor (> 1): the highest resolution whose growth
// factor 2^(2^-schema) is at most `factor`, clamped to -4..8.
int32_t PickNativeSchema(double factor);

// The bucket key of a positive `abs_v` (finite or +Inf) at `schema`.
// +Inf gets the key just past the one of the largest finite double.
int32_t NativeBucketKey(double abs_v, int32_t schema);

// The upper bound of bucket `key` at `schema` (the largest finite double for
// the last finite bucket, as client_golang's getLe).
double NativeBucketUpperBound(int32_t key, int32_t schema);

// Where a classic observation goes: the first bound >= v (NaN: the last,
// +Inf bucket). `bounds` ends with +Inf.
uint32_t ClassicBucketIndex(const std::vector<double>& bounds, double v);

// A test-and-test-and-set lock for the few-nanosecond critical sections of
// an observation: absl::Mutex (Debian's build runs its deadlock detector on
// every lock) costs several times the work it protects. Spins with a pause,
// then yields, so a preempted holder does not burn a core. Thread-safe.
class ABSL_LOCKABLE SpinLock {
 public:
  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() {
    if (!held_.exchange(true, std::memory_order_acquire)) return;
    SlowLock();
  }
  void Unlock() ABSL_UNLOCK_FUNCTION() { held_.store(false, std::memory_order_release); }

 private:
  void SlowLock();
  std::atomic<bool> held_{false};
};

class ABSL_SCOPED_LOCKABLE SpinLockHolder {
 public:
  explicit SpinLockHolder(SpinLock* l) ABSL_EXCLUSIVE_LOCK_FUNCTION(l) : l_(l) { l_->Lock(); }
  ~SpinLockHolder() ABSL_UNLOCK_FUNCTION() { l_->Unlock(); }
  SpinLockHolder(const SpinLockHolder&) = delete;
  SpinLockHolder& operator=(const SpinLockHolder&) = delete;

 private:
  SpinLock* l_;
};

// One series of a native histogram. Thread-safe.
class NativeHistogramState {
 public:
  // `bounds`: the family's classic bounds, +Inf last; outlives the state.
  NativeHistogramState(const NativeHistogramOptions& options, const std::vector<double>* bounds,
                       absl::Time now);

  // Records v. `now` is called only when the bucket limit is exceeded and a
  // reset is possible. Returns the classic bucket index v went to.
  template <typename Clock>
  uint32_t Observe(double v, const Clock& now) {
    uint32_t classic = ClassicBucketIndex(*bounds_, v);
    SpinLockHolder l(&mu_);
    if (ObserveLocked(v, classic) && options_.max_buckets != 0 && buckets_number_ > options_.max_buckets) {
      LimitLocked(v, classic, now());
    }
    return classic;
  }

  // A consistent copy (Histogram::Snapshot with native == true). `created`
  // gets the time of the last reset (creation or strategy 1).
  Histogram::Snapshot Read(absl::Time* created) const;

  // The observation count (idle tracking).
  uint64_t Count() const;

 private:
  using Buckets = std::vector<std::pair<int32_t, uint64_t>>;  // sorted by key

  // Returns true if a bucket was created.
  bool ObserveLocked(double v, uint32_t classic) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void LimitLocked(double v, uint32_t classic, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void ResetLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool WidenZeroBucketLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void HalveResolutionLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  static bool AddToBucket(Buckets& b, int32_t key, uint64_t n);

  const NativeHistogramOptions options_;
  const int32_t initial_schema_;
  const std::vector<double>* const bounds_;

  mutable SpinLock mu_;
  int32_t schema_ ABSL_GUARDED_BY(mu_);
  double zero_threshold_ ABSL_GUARDED_BY(mu_);
  uint64_t zero_count_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t count_ ABSL_GUARDED_BY(mu_) = 0;
  double sum_ ABSL_GUARDED_BY(mu_) = 0;
  uint32_t buckets_number_ ABSL_GUARDED_BY(mu_) = 0;
  Buckets positive_ ABSL_GUARDED_BY(mu_);
  Buckets negative_ ABSL_GUARDED_BY(mu_);
  std::vector<uint64_t> classic_ ABSL_GUARDED_BY(mu_);  // non-cumulative, per bound
  absl::Time last_reset_ ABSL_GUARDED_BY(mu_);
};

}  // namespace obsv::internal

#endif  // OBSV_SRC_REGISTRY_NATIVE_HISTOGRAM_H_
