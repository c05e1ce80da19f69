#include "registry/native_histogram.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>

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

void SpinLock::SlowLock() {
  for (int i = 0;; ++i) {
    if (!held_.load(std::memory_order_relaxed) && !held_.exchange(true, std::memory_order_acquire)) return;
    if (i < 64) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#elif defined(__aarch64__)
      asm volatile("yield");
#endif
    } else {
      std::this_thread::yield();
    }
  }
}

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

NativeHistogramState::NativeHistogramState(const NativeHistogramOptions& options, const std::vector<double>* bounds,
                                           absl::Time now)
    : options_(options),
      initial_schema_(PickNativeSchema(options.bucket_factor)),
      bounds_(bounds),
      schema_(initial_schema_),
      zero_threshold_(options.zero_threshold),
      classic_(bounds->size(), 0),
      last_reset_(now) {}

bool NativeHistogramState::AddToBucket(Buckets& b, int32_t key, uint64_t n) {
  auto it = std::lower_bound(b.begin(), b.end(), key,
                             [](const std::pair<int32_t, uint64_t>& e, int32_t k) { return e.first < k; });
  if (it != b.end() && it->first == key) {
    it->second += n;
    return false;
  }
  b.insert(it, {key, n});
  return true;
}

bool NativeHistogramState::ObserveLocked(double v, uint32_t classic) {
  ++classic_[classic];
  ++count_;
  sum_ += v;
  if (v != v) return false;  // NaN: count and sum only
  bool created = false;
  if (v > zero_threshold_) {
    created = AddToBucket(positive_, NativeBucketKey(v, schema_), 1);
  } else if (v < -zero_threshold_) {
    created = AddToBucket(negative_, NativeBucketKey(-v, schema_), 1);
  } else {
    ++zero_count_;
  }
  if (created) ++buckets_number_;
  return created;
}

void NativeHistogramState::LimitLocked(double v, uint32_t classic, absl::Time now) {
  // (1) Reset, keeping the observation that broke the limit.
  if (options_.min_reset_duration > absl::ZeroDuration() && now - last_reset_ >= options_.min_reset_duration) {
    ResetLocked(now);
    ObserveLocked(v, classic);
    return;
  }
  // (2) Widen the zero bucket over the bucket closest to zero.
  if (WidenZeroBucketLocked()) return;
  // (3) Halve the resolution.
  HalveResolutionLocked();
}

void NativeHistogramState::ResetLocked(absl::Time now) {
  schema_ = initial_schema_;
  zero_threshold_ = options_.zero_threshold;
  zero_count_ = 0;
  count_ = 0;
  sum_ = 0;
  buckets_number_ = 0;
  positive_.clear();
  negative_.clear();
  std::fill(classic_.begin(), classic_.end(), 0);
  last_reset_ = now;
}

bool NativeHistogramState::WidenZeroBucketLocked() {
  if (zero_threshold_ >= options_.max_zero_threshold) return false;
  int32_t smallest = std::numeric_limits<int32_t>::max();
  if (!positive_.empty()) smallest = positive_.front().first;
  if (!negative_.empty()) smallest = std::min(smallest, negative_.front().first);
  if (smallest == std::numeric_limits<int32_t>::max()) return false;
  double threshold = NativeBucketUpperBound(smallest, schema_);
  if (threshold > options_.max_zero_threshold) return false;
  zero_threshold_ = threshold;
  for (Buckets* b : {&positive_, &negative_}) {
    if (!b->empty() && b->front().first == smallest) {
      zero_count_ += b->front().second;
      b->erase(b->begin());
      --buckets_number_;
    }
  }
  return true;
}

void NativeHistogramState::HalveResolutionLocked() {
  if (schema_ == kNativeSchemaMin) return;
  --schema_;
  buckets_number_ = 0;
  for (Buckets* b : {&positive_, &negative_}) {
    Buckets merged;
    merged.reserve(b->size() / 2 + 1);
    for (const auto& [key, n] : *b) {
      // Old buckets 2k-1 and 2k make new bucket k: ceil(key / 2).
      int32_t k = key > 0 ? (key + 1) / 2 : key / 2;
      if (!merged.empty() && merged.back().first == k) {
        merged.back().second += n;
      } else {
        merged.emplace_back(k, n);
      }
    }
    buckets_number_ += static_cast<uint32_t>(merged.size());
    *b = std::move(merged);
  }
}

Histogram::Snapshot NativeHistogramState::Read(absl::Time* created) const {
  Histogram::Snapshot snap;
  snap.native = true;
  snap.upper_bounds = *bounds_;
  snap.cumulative.reserve(bounds_->size());
  SpinLockHolder l(&mu_);
  uint64_t cum = 0;
  for (uint64_t c : classic_) snap.cumulative.push_back(cum += c);
  snap.count = count_;
  snap.sum = sum_;
  snap.schema = schema_;
  snap.zero_threshold = zero_threshold_;
  snap.zero_count = zero_count_;
  snap.positive.reserve(positive_.size());
  for (const auto& [k, n] : positive_) snap.positive.push_back({k, n});
  snap.negative.reserve(negative_.size());
  for (const auto& [k, n] : negative_) snap.negative.push_back({k, n});
  if (created != nullptr) *created = last_reset_;
  return snap;
}

uint64_t NativeHistogramState::Count() const {
  SpinLockHolder l(&mu_);
  return count_;
}

}  // namespace obsv::internal
