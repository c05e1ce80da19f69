#include "registry/native_histogram.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <thread>

namespace obsv::internal {

namespace {

// For schema s in 1..8, the 2^s fractions 2^(i*2^-s)/2, i = 0..2^s-1: the
// mantissa (frexp's [0.5, 1)) at which each bucket of an octave ends.
struct FracTables {
  std::vector<double> by_schema[kNativeSchemaMax + 1];
  FracTables() {
    for (int s = 1; s <= kNativeSchemaMax; ++s) {
      int n = 1 << s;
      by_schema[s].resize(static_cast<size_t>(n));
      for (int i = 0; i < n; ++i) by_schema[s][static_cast<size_t>(i)] = 0.5 * std::exp2(static_cast<double>(i) / n);
    }
  }
};

const FracTables& Fracs() {
  static const FracTables* t = new FracTables;
  return *t;
}

}  // namespace

int32_t PickNativeSchema(double factor) {
  double floor = std::floor(std::log2(std::log2(factor)));
  if (floor <= -kNativeSchemaMax) return kNativeSchemaMax;
  if (floor >= -kNativeSchemaMin) return kNativeSchemaMin;
  return -static_cast<int32_t>(floor);
}

int32_t NativeBucketKey(double abs_v, int32_t schema) {
  bool inf = std::isinf(abs_v);
  if (inf) abs_v = DBL_MAX;
  int exp = 0;
  double frac;
  uint64_t bits;
  std::memcpy(&bits, &abs_v, 8);
  uint64_t biased = (bits >> 52) & 0x7ff;
  if (biased != 0) {
    // A normal double: frexp by bits (the mantissa with the exponent of 0.5).
    exp = static_cast<int>(biased) - 1022;
    bits = (bits & ~(uint64_t{0x7ff} << 52)) | (uint64_t{1022} << 52);
    std::memcpy(&frac, &bits, 8);
  } else {
    frac = std::frexp(abs_v, &exp);  // subnormal
  }
  int32_t key;
  if (schema > 0) {
    const std::vector<double>& b = Fracs().by_schema[schema];
    auto i = static_cast<int32_t>(std::lower_bound(b.begin(), b.end(), frac) - b.begin());
    key = i + (exp - 1) * static_cast<int32_t>(b.size());
  } else {
    key = exp;
    if (frac == 0.5) --key;  // a power of two ends its bucket
    int32_t div = int32_t{1} << -schema;
    key = (key + div - 1) >> -schema;  // ceil(key / div), also below zero
  }
  return inf ? key + 1 : key;
}

double NativeBucketUpperBound(int32_t key, int32_t schema) {
  if (schema < 0) {
    int32_t exp = key * (int32_t{1} << -schema);
    if (exp == 1024) return DBL_MAX;  // the last finite bucket
    return std::ldexp(1.0, exp);
  }
  double frac = 0.5;
  if (schema > 0) frac = Fracs().by_schema[schema][static_cast<size_t>(key & ((1 << schema) - 1))];
  int32_t exp = (key >> schema) + 1;
  if (frac == 0.5 && exp == 1025) return DBL_MAX;
  return std::ldexp(frac, exp);
}

uint32_t ClassicBucketIndex(const std::vector<double>& bounds, double v) {
  size_t n = bounds.size() - 1;  // finite bounds
  if (v != v) return static_cast<uint32_t>(n);
  if (n <= 16) {
    size_t i = 0;
    while (i < n && !(v <= bounds[i])) ++i;
    return static_cast<uint32_t>(i);
  }
  return static_cast<uint32_t>(std::lower_bound(bounds.begin(), bounds.begin() + static_cast<ptrdiff_t>(n), v) -
                               bounds.begin());
}

KeyTable::KeyTable(uint32_t capacity)
    : slots_(new Slot[capacity]), mask_(capacity - 1), max_keys_(capacity - capacity / 4) {}

bool KeyTable::Contains(int32_t key) const {
  for (uint32_t i = static_cast<uint32_t>(key) & mask_;; i = (i + 1) & mask_) {
    int32_t k = slots_[i].key.load(std::memory_order_relaxed);
    if (k == key) return true;
    if (k == kEmptyKey) return false;
  }
}

void KeyTable::AddQuiescent(int32_t key, uint64_t n) {
  for (uint32_t i = static_cast<uint32_t>(key) & mask_;; i = (i + 1) & mask_) {
    Slot& s = slots_[i];
    int32_t k = s.key.load(std::memory_order_relaxed);
    if (k == kEmptyKey) {
      s.key.store(key, std::memory_order_relaxed);
      used_.store(used_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    } else if (k != key) {
      continue;
    }
    s.count.store(s.count.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    return;
  }
}

void KeyTable::Clear() {
  for (uint32_t i = 0; i <= mask_; ++i) {
    slots_[i].key.store(kEmptyKey, std::memory_order_relaxed);
    slots_[i].count.store(0, std::memory_order_relaxed);
  }
  used_.store(0, std::memory_order_relaxed);
}

namespace {

constexpr uint32_t kInitialTableCapacity = 16;
// Encoded keys span about 2 * 2^8 * 2100 values: a table this large never fills.
constexpr uint32_t kMaxTableCapacity = uint32_t{1} << 22;

uint64_t ToBits(double v) {
  uint64_t b;
  std::memcpy(&b, &v, 8);
  return b;
}

double FromBits(uint64_t b) {
  double v;
  std::memcpy(&v, &b, 8);
  return v;
}

void WaitUntil(const std::atomic<uint64_t>& done, uint64_t target) {
  for (int i = 0; done.load(std::memory_order_acquire) != target; ++i) {
    if (i < 64) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#elif defined(__aarch64__)
      asm volatile("yield");
#endif
    } else {
      std::this_thread::yield();  // a preempted observer: let it finish
    }
  }
}

}  // namespace

NativeHistogramState::NativeHistogramState(const NativeHistogramOptions& options, const std::vector<double>* bounds,
                                           absl::Time now)
    : options_(options), initial_schema_(PickNativeSchema(options.bucket_factor)), bounds_(bounds), last_reset_(now) {
  for (CountSet& s : sets_) {
    s.classic.reset(new std::atomic<uint64_t>[bounds->size()]);
    s.table = std::make_unique<KeyTable>(kInitialTableCapacity);
    ClearSet(s);
  }
}

NativeHistogramState::~NativeHistogramState() = default;

void NativeHistogramState::ClearSet(CountSet& s) const {
  s.schema = initial_schema_;
  s.zero_threshold = options_.zero_threshold;
  s.sum_bits.store(ToBits(0), std::memory_order_relaxed);
  s.zero_count.store(0, std::memory_order_relaxed);
  for (size_t i = 0; i < bounds_->size(); ++i) s.classic[i].store(0, std::memory_order_relaxed);
  s.abandoned.store(0, std::memory_order_relaxed);
  s.count_base = s.done.load(std::memory_order_relaxed);
  s.table->Clear();
  s.table_used.store(0, std::memory_order_relaxed);
}

NativeHistogramState::Outcome NativeHistogramState::Record(CountSet& s, int index, double v,
                                                           uint32_t classic) const {
  Outcome o{KeyTable::AddResult::kAdded, index, 0, s.generation, 0, 0};
  if (v == v) {  // NaN: count and sum only
    if (v > s.zero_threshold) {
      o.key = Encode(NativeBucketKey(v, s.schema), false);
    } else if (v < -s.zero_threshold) {
      o.key = Encode(NativeBucketKey(-v, s.schema), true);
    } else {
      s.zero_count.fetch_add(1, std::memory_order_relaxed);
      o.key = KeyTable::kEmptyKey;
    }
    if (o.key != KeyTable::kEmptyKey) {
      o.result = s.table->Add(o.key);
      if (__builtin_expect(o.result != KeyTable::AddResult::kAdded, 0)) {
        if (o.result == KeyTable::AddResult::kFull) {
          // Nothing recorded: complete as empty, so that flips need not
          // wait for the caller, which grows the tables and tries again.
          o.capacity = s.table->capacity();
          s.abandoned.fetch_add(1, std::memory_order_relaxed);
          s.done.fetch_add(1, std::memory_order_release);
          return o;
        }
        s.table_used.fetch_add(1, std::memory_order_relaxed);
        o.keys = s.table->used();
      }
    }
  }
  if (classic + 1 < bounds_->size()) s.classic[classic].fetch_add(1, std::memory_order_relaxed);
  uint64_t old = s.sum_bits.load(std::memory_order_relaxed);
  while (!s.sum_bits.compare_exchange_weak(old, ToBits(FromBits(old) + v), std::memory_order_relaxed)) {
  }
  s.done.fetch_add(1, std::memory_order_release);
  return o;
}

NativeHistogramState::Outcome NativeHistogramState::ObserveOnce(double v, uint32_t classic) {
  // Acquire: see what mu_'s holder wrote into the set before the flip that
  // made it hot (its table, schema, threshold).
  uint64_t n = hot_and_started_.fetch_add(1, std::memory_order_acquire);
  int index = static_cast<int>(n >> 63);
  Outcome o = Record(sets_[index], index, v, classic);
  if (o.result == KeyTable::AddResult::kCreated) {
    // An upper bound of the union's buckets: the other set is never read
    // here (mu_'s holder may be rebuilding it), only its atomic count.
    o.keys += sets_[1 - index].table_used.load(std::memory_order_relaxed);
  }
  return o;
}

int NativeHistogramState::FlipLocked() const {
  int old_hot = HotLocked();
  CountSet& next = sets_[1 - old_hot];
  next.done_base = next.done.load(std::memory_order_relaxed);
  uint64_t n = hot_and_started_.exchange(old_hot == 0 ? kHotBit : 0, std::memory_order_acq_rel);
  CountSet& prev = sets_[old_hot];
  WaitUntil(prev.done, prev.done_base + (n & ~kHotBit));
  return old_hot;
}

template <typename F>
void NativeHistogramState::RewriteBothLocked(const F& f) {
  ++generation_;
  CountSet& cold = sets_[1 - HotLocked()];
  f(cold);
  cold.generation = generation_;
  CountSet& prev = sets_[FlipLocked()];
  f(prev);
  prev.generation = generation_;
}

template <typename F>
void NativeHistogramState::RebuildTable(CountSet& s, uint32_t capacity, const F& map) {
  auto t = std::make_unique<KeyTable>(capacity);
  s.table->ForEach([&](int32_t key, uint64_t count) {
    int32_t k = map(key, count);
    if (k != KeyTable::kEmptyKey) t->AddQuiescent(k, count);
  });
  s.table = std::move(t);
  s.table_used.store(s.table->used(), std::memory_order_relaxed);
}

uint32_t NativeHistogramState::UnionKeysLocked() const {
  const KeyTable& a = *sets_[0].table;
  const KeyTable& b = *sets_[1].table;
  uint32_t n = 0;
  a.ForEach([&](int32_t, uint64_t) { ++n; });
  b.ForEach([&](int32_t key, uint64_t) { n += a.Contains(key) ? 0 : 1; });
  return n;
}

void NativeHistogramState::Limit(const Outcome& o, double v, uint32_t classic, absl::Time now) {
  PlainMutexLock l(&mu_);
  // Exactly as a sequential histogram would decide: the observation made a
  // bucket that no set had (unless a reduction ran since, which changed
  // the keys: then only the count decides, as in client_golang), and the
  // populated buckets exceed the limit.
  if (o.generation == generation_ && sets_[1 - o.set].table->Contains(o.key)) return;
  if (UnionKeysLocked() <= options_.max_buckets) return;
  // (1) Reset, keeping the observation that broke the limit.
  if (options_.min_reset_duration > absl::ZeroDuration() && now - last_reset_ >= options_.min_reset_duration) {
    bool first = true;
    RewriteBothLocked([&](CountSet& s) {
      ClearSet(s);
      if (first) Record(s, -1, v, classic);  // the cold set, quiescent
      first = false;
    });
    last_reset_ = now;
    return;
  }
  // (2) Widen the zero bucket over the bucket closest to zero.
  if (WidenZeroBucketLocked()) return;
  // (3) Halve the resolution.
  HalveResolutionLocked();
}

bool NativeHistogramState::WidenZeroBucketLocked() {
  const CountSet& any = sets_[0];  // both have the same schema and threshold
  if (any.zero_threshold >= options_.max_zero_threshold) return false;
  int32_t smallest = std::numeric_limits<int32_t>::max();
  for (const CountSet& s : sets_) {
    s.table->ForEach([&](int32_t key, uint64_t) { smallest = std::min(smallest, DecodeKey(key)); });
  }
  if (smallest == std::numeric_limits<int32_t>::max()) return false;
  double threshold = NativeBucketUpperBound(smallest, any.schema);
  if (threshold > options_.max_zero_threshold) return false;
  RewriteBothLocked([&](CountSet& s) {
    s.zero_threshold = threshold;
    uint64_t moved = 0;
    // Every bucket at or below the new threshold joins the zero bucket (only
    // `smallest`'s, unless an observer made a smaller one meanwhile).
    RebuildTable(s, s.table->capacity(), [&](int32_t key, uint64_t count) {
      if (DecodeKey(key) > smallest) return key;
      moved += count;
      return KeyTable::kEmptyKey;
    });
    s.zero_count.store(s.zero_count.load(std::memory_order_relaxed) + moved, std::memory_order_relaxed);
  });
  return true;
}

void NativeHistogramState::HalveResolutionLocked() {
  if (sets_[0].schema == kNativeSchemaMin) return;
  RewriteBothLocked([&](CountSet& s) {
    --s.schema;
    RebuildTable(s, s.table->capacity(), [](int32_t enc, uint64_t) {
      // Old buckets 2k-1 and 2k make new bucket k: ceil(key / 2).
      int32_t key = DecodeKey(enc);
      int32_t k = key > 0 ? (key + 1) / 2 : key / 2;
      return Encode(k, DecodeNegative(enc));
    });
  });
}

void NativeHistogramState::Grow(const Outcome& o) {
  PlainMutexLock l(&mu_);
  if (sets_[o.set].table->capacity() != o.capacity) return;  // grown meanwhile
  // Room in each set for every populated bucket and some more: a set that
  // has seen only some of them (the other set has the rest) must not have
  // to grow again when it sees the others.
  uint64_t wanted = uint64_t{UnionKeysLocked()} + 16;
  uint32_t capacity = std::min(o.capacity * 2, kMaxTableCapacity);
  while (capacity < kMaxTableCapacity && capacity - capacity / 4 < wanted) capacity *= 2;
  RewriteBothLocked([&](CountSet& s) {
    RebuildTable(s, capacity, [](int32_t key, uint64_t) { return key; });
  });
}

void NativeHistogramState::AccumulateLocked(const CountSet& s, Histogram::Snapshot* snap,
                                            std::vector<std::pair<int32_t, uint64_t>>* keys) const {
  size_t finite = bounds_->size() - 1;
  uint64_t count = s.done.load(std::memory_order_relaxed) - s.count_base - s.abandoned.load(std::memory_order_relaxed);
  for (size_t i = 0; i < finite; ++i) {
    uint64_t c = s.classic[i].load(std::memory_order_relaxed);
    snap->cumulative[i] += c;
    count -= c;
  }
  snap->cumulative[finite] += count;  // the +Inf bucket
  snap->sum += FromBits(s.sum_bits.load(std::memory_order_relaxed));
  snap->zero_count += s.zero_count.load(std::memory_order_relaxed);
  s.table->ForEach([&](int32_t key, uint64_t count) { keys->emplace_back(key, count); });
}

Histogram::Snapshot NativeHistogramState::Read(absl::Time* created) const {
  Histogram::Snapshot snap;
  snap.native = true;
  snap.upper_bounds = *bounds_;
  snap.cumulative.assign(bounds_->size(), 0);
  std::vector<std::pair<int32_t, uint64_t>> keys;
  {
    PlainMutexLock l(&mu_);
    // The cold set has been quiescent since the last flip; the hot one is
    // after this flip.
    AccumulateLocked(sets_[1 - HotLocked()], &snap, &keys);
    AccumulateLocked(sets_[FlipLocked()], &snap, &keys);
    snap.schema = sets_[0].schema;
    snap.zero_threshold = sets_[0].zero_threshold;
    if (created != nullptr) *created = last_reset_;
  }
  uint64_t cum = 0;
  for (uint64_t& c : snap.cumulative) c = cum += c;
  snap.count = cum;
  // By sign, then key; the two sets' counts of a key added.
  std::sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) {
    if (DecodeNegative(a.first) != DecodeNegative(b.first)) return DecodeNegative(b.first);
    return a.first < b.first;
  });
  for (size_t i = 0; i < keys.size();) {
    int32_t enc = keys[i].first;
    uint64_t n = 0;
    for (; i < keys.size() && keys[i].first == enc; ++i) n += keys[i].second;
    (DecodeNegative(enc) ? snap.negative : snap.positive).push_back({DecodeKey(enc), n});
  }
  return snap;
}

uint64_t NativeHistogramState::Count() const {
  return sets_[0].done.load(std::memory_order_relaxed) + sets_[1].done.load(std::memory_order_relaxed);
}

}  // namespace obsv::internal
