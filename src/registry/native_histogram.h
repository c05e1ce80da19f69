// Native (sparse exponential) histograms: bucket keys, the per-series state
// and its bucket-limit strategies, after client_golang's prometheus/
// histogram.go (learned from, not translated).
//
// Bucket `key` at resolution `schema` covers (2^((key-1)*2^-schema),
// 2^(key*2^-schema)]: key 0 ends at 1. A series keeps its populated buckets
// in lock-free hash tables of (key, count) slots, with the zero bucket, sum
// and classic buckets beside them, twice over (a hot and a cold count set,
// see NativeHistogramState), so an observation takes no lock and a scrape
// still reads all of them as one consistent snapshot (Prometheus rejects a
// native histogram whose count is below its buckets' total).
#ifndef OBSV_SRC_REGISTRY_NATIVE_HISTOGRAM_H_
#define OBSV_SRC_REGISTRY_NATIVE_HISTOGRAM_H_

#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
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

// A std::mutex with thread-safety annotations, for the rare paths of a
// native histogram. Not absl::Mutex: Debian's build runs its deadlock
// detector on every lock, which allocates (a warm Observe() must not), and
// ThreadSanitizer cannot see an uninstrumented absl::Mutex order its
// holders. Thread-safe.
class ABSL_LOCKABLE PlainMutex {
 public:
  void Lock() ABSL_EXCLUSIVE_LOCK_FUNCTION() { mu_.lock(); }
  void Unlock() ABSL_UNLOCK_FUNCTION() { mu_.unlock(); }

 private:
  std::mutex mu_;
};

class ABSL_SCOPED_LOCKABLE PlainMutexLock {
 public:
  explicit PlainMutexLock(PlainMutex* mu) ABSL_EXCLUSIVE_LOCK_FUNCTION(mu) : mu_(mu) { mu_->Lock(); }
  ~PlainMutexLock() ABSL_UNLOCK_FUNCTION() { mu_->Unlock(); }
  PlainMutexLock(const PlainMutexLock&) = delete;
  PlainMutexLock& operator=(const PlainMutexLock&) = delete;

 private:
  PlainMutex* mu_;
};

// The populated buckets of one count set: an open-addressing table of
// (key, count) slots, linear probing, no deletion while it is live. Add() is
// lock-free and allocates nothing: a key is claimed with one CAS on an empty
// slot, a count is one fetch_add. A claim first reserves room in `used_`,
// so at most max_keys() (3/4 of the slots) are ever claimed: a probe always
// meets the key or an empty slot, and a full table says kFull instead of
// spinning. Keys are NativeHistogramState's signed encodings (never
// kEmptyKey). Add() is thread-safe; everything else needs the table quiescent
// (no Add() running), except used(), Contains() and ForEach(), which tolerate
// concurrent Add()s (they may or may not see them).
class KeyTable {
 public:
  static constexpr int32_t kEmptyKey = std::numeric_limits<int32_t>::min();
  enum class AddResult : uint8_t { kAdded, kCreated, kFull };

  explicit KeyTable(uint32_t capacity);  // a power of two, >= 4

  AddResult Add(int32_t key) {
    uint32_t i = static_cast<uint32_t>(key) & mask_;
    bool reserved = false;
    for (;;) {
      Slot& s = slots_[i];
      int32_t k = s.key.load(std::memory_order_relaxed);
      if (k == kEmptyKey) {
        if (!reserved) {
          if (used_.fetch_add(1, std::memory_order_relaxed) >= max_keys_) {
            used_.fetch_sub(1, std::memory_order_relaxed);
            return AddResult::kFull;
          }
          reserved = true;
        }
        if (s.key.compare_exchange_strong(k, key, std::memory_order_relaxed)) {
          s.count.fetch_add(1, std::memory_order_relaxed);
          return AddResult::kCreated;
        }
        // Lost the slot: k is the key that won it.
      }
      if (k == key) {
        if (reserved) used_.fetch_sub(1, std::memory_order_relaxed);
        s.count.fetch_add(1, std::memory_order_relaxed);
        return AddResult::kAdded;
      }
      i = (i + 1) & mask_;
    }
  }

  bool Contains(int32_t key) const;
  // f(key, count) for every claimed slot, in slot order.
  template <typename F>
  void ForEach(const F& f) const {
    for (uint32_t i = 0; i <= mask_; ++i) {
      int32_t k = slots_[i].key.load(std::memory_order_relaxed);
      if (k != kEmptyKey) f(k, slots_[i].count.load(std::memory_order_relaxed));
    }
  }
  // Quiescent only: adds n to key's count (claiming it if absent). The
  // caller ensures room (used() < max_keys()).
  void AddQuiescent(int32_t key, uint64_t n);
  // Quiescent only: empties the table.
  void Clear();

  uint32_t used() const { return used_.load(std::memory_order_relaxed); }
  uint32_t capacity() const { return mask_ + 1; }
  uint32_t max_keys() const { return max_keys_; }

 private:
  struct Slot {
    std::atomic<int32_t> key{kEmptyKey};
    std::atomic<uint64_t> count{0};
  };
  std::unique_ptr<Slot[]> slots_;
  const uint32_t mask_;
  const uint32_t max_keys_;
  std::atomic<uint32_t> used_{0};  // claimed slots, plus reservations in flight
};

// One series of a native histogram. Thread-safe.
//
// Observe() is lock-free and allocates nothing in the steady state, after
// client_golang's histogram: the counts live twice, in two count sets, one
// of them hot. `hot_and_started_` holds the hot set's index in its top bit
// and, below, the number of observations started in it since it became hot.
// An observer fetch_adds that word (which picks the set and counts itself
// started), adds to the set's bucket (or zero bucket), finite classic
// bucket and sum atomics, and increments the set's `done` last, with
// release order. The count is `done` less what the set had at its last
// clear and the observations it gave up (kFull, below); the +Inf classic
// bucket is that count less the finite ones.
//
// Everything else runs under `mu_`: collection (Read), the bucket-limit
// reductions and table growth. A flip exchanges the word to the other set
// with a zero started count, and waits until the old hot set's `done` has
// advanced by the started count it returned: then every observer of that
// set has finished (their release increments synchronise with the wait's
// acquire load), and the set is quiescent until the next flip makes it hot
// again. So a cold set is only ever written by `mu_`'s holder, which can
// read it as a consistent whole, rewrite it, even replace its table (no
// observer holds a pointer to it: the flip is the grace period).
//
// Unlike client_golang, each set keeps its own running totals and nothing
// is merged into a live set: Read() reads the cold set (quiescent since the
// last flip), flips, reads the old hot one, and adds the two. Each part
// holds only complete observations, so count == zero count + the buckets'
// total in every snapshot. A reduction (reset, zero-bucket widening,
// halving) decides from both sets, rewrites the cold one, flips, and
// rewrites the other once quiescent; both sets thus always share schema
// and zero threshold when `mu_` is free.
//
// An observation that creates a bucket in its set checks the bucket limit:
// when the two sets' key counts together (an upper bound of the populated
// buckets) exceed max_buckets, it takes `mu_` to count the union exactly
// and reduce if needed. A set creates each bucket once, so this is warm-up,
// not the steady state.
//
// A table that is full (KeyTable::kFull) makes the observer give up the
// observation before writing anything, complete it as empty (so flips do
// not wait for it), grow both tables under `mu_` (two rebuilds around a
// flip), and observe again.
class NativeHistogramState {
 public:
  // `bounds`: the family's classic bounds, +Inf last; outlives the state.
  NativeHistogramState(const NativeHistogramOptions& options, const std::vector<double>* bounds,
                       absl::Time now);
  ~NativeHistogramState();
  NativeHistogramState(const NativeHistogramState&) = delete;
  NativeHistogramState& operator=(const NativeHistogramState&) = delete;

  // Records v. `now` is called only when the bucket limit may be exceeded
  // and a reset is possible. Returns the classic bucket index v went to.
  template <typename Clock>
  uint32_t Observe(double v, const Clock& now) {
    uint32_t classic = ClassicBucketIndex(*bounds_, v);
    for (;;) {
      Outcome o = ObserveOnce(v, classic);
      if (__builtin_expect(o.result == KeyTable::AddResult::kAdded, 1)) return classic;
      if (o.result == KeyTable::AddResult::kCreated) {
        if (options_.max_buckets != 0 && o.keys > options_.max_buckets) {
          absl::Time t = options_.min_reset_duration > absl::ZeroDuration() ? now() : absl::InfinitePast();
          Limit(o, v, classic, t);
        }
        return classic;
      }
      Grow(o);  // kFull: nothing was recorded
    }
  }

  // A consistent copy (Histogram::Snapshot with native == true). `created`
  // gets the time of the last reset (creation or strategy 1). Takes `mu_`
  // and waits for the observations in flight in the hot set.
  Histogram::Snapshot Read(absl::Time* created) const;

  // A number that changes with every observation (idle tracking): the
  // observations ever completed. Lock-free.
  uint64_t Count() const;

 private:
  static constexpr uint64_t kHotBit = uint64_t{1} << 63;

  // One of the two copies of the counts (see above).
  struct alignas(64) CountSet {
    std::atomic<uint64_t> done{0};        // observations completed, ever
    std::atomic<uint64_t> abandoned{0};   // of those, given up (kFull) since the last clear
    std::atomic<uint64_t> sum_bits{0};    // a double
    std::atomic<uint64_t> zero_count{0};
    // The keys in `table`, mirrored where observers of the other set may
    // read it (the table itself may be replaced under them).
    std::atomic<uint32_t> table_used{0};
    // Read by this set's observers, written by `mu_`'s holder only while
    // the set is cold and quiescent.
    int32_t schema = 0;
    double zero_threshold = 0;
    uint64_t generation = 0;  // bumped by every reduction
    uint64_t done_base = 0;   // `done` when the set last became hot
    uint64_t count_base = 0;  // `done` at the last clear
    // Non-cumulative, per finite bound: the +Inf bucket is the count
    // (done - count_base - abandoned) minus these, as in client_golang,
    // which saves an atomic add for values above the bounds (all of them
    // when there are no classic buckets).
    std::unique_ptr<std::atomic<uint64_t>[]> classic;
    std::unique_ptr<KeyTable> table;
  };

  struct Outcome {
    KeyTable::AddResult result;
    int set;              // the set observed into
    int32_t key;          // the encoded key created (kCreated)
    uint64_t generation;  // the set's generation then
    uint32_t keys;        // an upper bound of the populated buckets (kCreated)
    uint32_t capacity;    // the table's capacity then (kFull)
  };

  // Encodes a bucket: key*2, +1 for the negative side. |key| < 2^20.
  static int32_t Encode(int32_t key, bool negative) { return key * 2 + (negative ? 1 : 0); }
  static int32_t DecodeKey(int32_t enc) { return enc >> 1; }
  static bool DecodeNegative(int32_t enc) { return (enc & 1) != 0; }

  Outcome ObserveOnce(double v, uint32_t classic);
  // Records v into `s` (the hot set, with its start counted, or a
  // quiescent one under mu_); completes it in `s.done`.
  Outcome Record(CountSet& s, int index, double v, uint32_t classic) const;

  void Limit(const Outcome& o, double v, uint32_t classic, absl::Time now) ABSL_LOCKS_EXCLUDED(mu_);
  void Grow(const Outcome& o) ABSL_LOCKS_EXCLUDED(mu_);

  int HotLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return static_cast<int>(hot_and_started_.load(std::memory_order_relaxed) >> 63);
  }
  // Makes the cold set hot and waits until the old hot one is quiescent.
  // Returns the old hot set's index.
  int FlipLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Applies f to the cold set, flips, applies f to the other; bumps the
  // generation of both.
  template <typename F>
  void RewriteBothLocked(const F& f) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Quiescent only: empties s (counts, sum, buckets) and gives it the
  // initial schema and zero threshold.
  void ClearSet(CountSet& s) const;
  // Quiescent only: rebuilds s's table at `capacity`, each encoded key
  // mapped through map(key, count), which returns the new encoded key or
  // KeyTable::kEmptyKey to drop the bucket (having moved its count).
  template <typename F>
  static void RebuildTable(CountSet& s, uint32_t capacity, const F& map);
  uint32_t UnionKeysLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool WidenZeroBucketLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void HalveResolutionLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Quiescent only: adds s's counts to *snap (buckets unsorted, encoded).
  void AccumulateLocked(const CountSet& s, Histogram::Snapshot* snap, std::vector<std::pair<int32_t, uint64_t>>* keys) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const NativeHistogramOptions options_;
  const int32_t initial_schema_;
  const std::vector<double>* const bounds_;

  alignas(64) mutable std::atomic<uint64_t> hot_and_started_{0};
  mutable CountSet sets_[2];

  // Collection, reductions and growth: rare paths only.
  mutable PlainMutex mu_;
  uint64_t generation_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time last_reset_ ABSL_GUARDED_BY(mu_);
};

}  // namespace obsv::internal

#endif  // OBSV_SRC_REGISTRY_NATIVE_HISTOGRAM_H_
