// Exemplars of counter and histogram series: validation (OpenMetrics'
// limits) and per-series storage, allocated on a series' first exemplar.
#ifndef OBSV_SRC_REGISTRY_EXEMPLARS_H_
#define OBSV_SRC_REGISTRY_EXEMPLARS_H_

#include <atomic>
#include <optional>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "obsv/metric_model.h"

namespace obsv::internal {

// OpenMetrics: an exemplar's label names and values together are at most
// 128 UTF-8 characters.
inline constexpr size_t kMaxExemplarRunes = 128;

// InvalidArgument for an invalid label name (empty, not UTF-8), a value
// that is not UTF-8, a duplicate name, or more than 128 characters in all.
absl::Status ValidateExemplar(absl::Span<const Label> labels);

Timestamp ToTimestamp(absl::Time t);

// One exemplar per slot (counter: 1; histogram: one per classic bucket,
// +Inf included). Thread-safe.
class ExemplarSlots {
 public:
  explicit ExemplarSlots(size_t n) : slots_(n) {}
  void Set(size_t i, absl::Span<const Label> labels, double value, absl::Time now);
  std::optional<Exemplar> Get(size_t i) const;

 private:
  mutable absl::Mutex mu_;
  std::vector<std::optional<Exemplar>> slots_ ABSL_GUARDED_BY(mu_);
};

// A series' exemplar slots, created on first use (lock-free publication).
// Thread-safe.
class ExemplarPtr {
 public:
  ExemplarPtr() = default;
  ExemplarPtr(const ExemplarPtr&) = delete;
  ExemplarPtr& operator=(const ExemplarPtr&) = delete;
  ~ExemplarPtr() { delete p_.load(std::memory_order_relaxed); }
  ExemplarSlots* get() const { return p_.load(std::memory_order_acquire); }
  ExemplarSlots* GetOrCreate(size_t n);

 private:
  std::atomic<ExemplarSlots*> p_{nullptr};
};

// Appends ` # {a="b"} 0.5 1520879607.789` (OpenMetrics).
void AppendOpenMetricsExemplar(const Exemplar& e, std::string* out);

}  // namespace obsv::internal

#endif  // OBSV_SRC_REGISTRY_EXEMPLARS_H_
