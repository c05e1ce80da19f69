// The C ABI of the metrics registry (include/obsv/c_api_registry.h).
//
// Families and handles cross the boundary as the bits of the C++ values
// (Family<H> is one pointer, a handle at most two words, all trivially
// copyable), so the hot path is the C++ one plus a call.
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "capi/c_api_internal.h"
#include "capi/c_api_registry_internal.h"
#include "obsv/c_api_registry.h"
#include "obsv/registry.h"


// What a collector callback fills; lives on the scraping thread's stack.
struct obsv_family_sink {
  std::vector<obsv::MetricFamily> families;
};

namespace obsv::capi {
namespace {

template <typename Enum>
int EnumValue(const Enum& e) {
  static_assert(sizeof(Enum) == sizeof(int), "C enums are int-sized");
  int v;
  std::memcpy(&v, &e, sizeof v);  // any int may arrive from C
  return v;
}

// ---- Families and handles as bits ----------------------------------------

template <typename H>
struct Kind;
template <>
struct Kind<Counter> {
  using CFamily = obsv_counter_family;
  using CHandle = obsv_counter;
};
template <>
struct Kind<Gauge> {
  using CFamily = obsv_gauge_family;
  using CHandle = obsv_gauge;
};
template <>
struct Kind<Histogram> {
  using CFamily = obsv_histogram_family;
  using CHandle = obsv_histogram;
};
template <>
struct Kind<Summary> {
  using CFamily = obsv_summary_family;
  using CHandle = obsv_summary;
};
template <>
struct Kind<Info> {
  using CFamily = obsv_info_family;
  using CHandle = obsv_info;
};
template <>
struct Kind<StateSet> {
  using CFamily = obsv_stateset_family;
  using CHandle = obsv_stateset;
};
template <>
struct Kind<GaugeHistogram> {
  using CFamily = obsv_gauge_histogram_family;
  using CHandle = obsv_gauge_histogram;
};

template <typename H>
using CFamily = typename Kind<H>::CFamily;
template <typename H>
using CHandle = typename Kind<H>::CHandle;

template <typename H>
CFamily<H>* ToC(const Family<H>& f) {
  static_assert(sizeof(Family<H>) == sizeof(void*) && std::is_trivially_copyable_v<Family<H>>);
  CFamily<H>* p;
  std::memcpy(&p, &f, sizeof p);
  return p;
}

template <typename H>
Family<H> FromC(const CFamily<H>* p) {
  Family<H> f;
  // Trivially copyable (asserted in ToC()); void* quiets -Wclass-memaccess,
  // which objects to the default member initialisers.
  std::memcpy(static_cast<void*>(&f), &p, sizeof p);
  return f;
}

template <typename H>
CHandle<H> ToC(const H& h) {
  static_assert(sizeof(H) <= sizeof(CHandle<H>) && std::is_trivially_copyable_v<H>);
  CHandle<H> c{};
  std::memcpy(&c, &h, sizeof h);
  return c;
}

template <typename H>
H FromC(const CHandle<H>& c) {
  H h;
  std::memcpy(static_cast<void*>(&h), &c, sizeof h);
  return h;
}

// ---- Errors ----------------------------------------------------------------

obsv_status CodeOf(const absl::Status& s) {
  // abseil's codes are an open set: compare rather than switch.
  if (s.ok()) return OBSV_OK;
  if (absl::IsInvalidArgument(s)) return OBSV_ERR_INVALID_ARGUMENT;
  if (absl::IsResourceExhausted(s)) return OBSV_ERR_LIMIT_EXCEEDED;
  if (absl::IsNotFound(s)) return OBSV_ERR_NOT_FOUND;
  if (absl::IsAlreadyExists(s)) return OBSV_ERR_ALREADY_EXISTS;
  if (absl::IsFailedPrecondition(s)) return OBSV_ERR_FAILED_PRECONDITION;
  return OBSV_ERR_INTERNAL;
}

obsv_status SetStatus(obsv_error** out_error, const absl::Status& s) {
  return SetError(out_error, CodeOf(s), std::string(s.message()));
}

obsv_status NullArgument(obsv_error** out_error) {
  return SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "NULL argument");
}

absl::Duration Millis(int64_t ms) { return absl::Milliseconds(ms); }

// ---- Options ---------------------------------------------------------------

bool ToMetricOptions(const obsv_metric_options& o, MetricOptions* out, std::string* why) {
  if ((o.label_names == nullptr && o.label_name_count != 0) ||
      (o.const_labels == nullptr && o.const_label_count != 0)) {
    *why = "label_names or const_labels is NULL but its count is not 0";
    return false;
  }
  int overflow = EnumValue(o.overflow);
  if (overflow != OBSV_OVERFLOW_REFUSE && overflow != OBSV_OVERFLOW_SERIES) {
    *why = "overflow is not an obsv_overflow_policy";
    return false;
  }
  if (o.idle_ttl_ms < 0) {
    *why = "idle_ttl_ms is negative";
    return false;
  }
  out->name.assign(FromStr(o.name));
  out->help.assign(FromStr(o.help));
  out->unit.assign(FromStr(o.unit));
  out->label_names.reserve(o.label_name_count);
  for (size_t i = 0; i < o.label_name_count; ++i) out->label_names.emplace_back(FromStr(o.label_names[i]));
  out->const_labels.reserve(o.const_label_count);
  for (size_t i = 0; i < o.const_label_count; ++i) {
    out->const_labels.push_back(
        Label{std::string(FromStr(o.const_labels[i].name)), std::string(FromStr(o.const_labels[i].value))});
  }
  out->max_series = static_cast<size_t>(o.max_series);
  out->overflow = overflow == OBSV_OVERFLOW_SERIES ? OverflowPolicy::kOverflowSeries : OverflowPolicy::kRefuse;
  if (o.overflow_label_value.size != 0) out->overflow_label_value.assign(FromStr(o.overflow_label_value));
  out->idle_ttl = Millis(o.idle_ttl_ms);
  return true;
}

// Validates the common arguments, converts the options, calls `add` (which
// returns an absl::StatusOr<Family<H>>) and hands the family out.
template <typename H, typename Add>
obsv_status Register(obsv_registry* registry, const obsv_metric_options* options, CFamily<H>** out_family,
                     obsv_error** out_error, Add&& add) {
  ClearError(out_error);
  if (out_family != nullptr) *out_family = nullptr;
  if (registry == nullptr || options == nullptr || out_family == nullptr) return NullArgument(out_error);
  return Guard(out_error, [&]() -> obsv_status {
    MetricOptions o;
    std::string why;
    if (!ToMetricOptions(*options, &o, &why)) return SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, why);
    absl::StatusOr<Family<H>> f = add(registry->registry, o);
    if (!f.ok()) return SetStatus(out_error, f.status());
    *out_family = ToC<H>(*f);
    return OBSV_OK;
  });
}

// The label values as views; at most a few, so on the stack when small.
class Values {
 public:
  Values(const obsv_str* values, size_t count) {
    views_ = count <= kInline ? inline_ : (heap_ = std::make_unique<std::string_view[]>(count)).get();
    for (size_t i = 0; i < count; ++i) views_[i] = FromStr(values[i]);
    count_ = count;
  }
  absl::Span<const std::string_view> span() const { return {views_, count_}; }

 private:
  static constexpr size_t kInline = 16;
  std::string_view inline_[kInline];
  std::unique_ptr<std::string_view[]> heap_;
  std::string_view* views_;
  size_t count_ = 0;
};

template <typename H>
obsv_status Resolve(const CFamily<H>* family, const obsv_str* values, size_t count, bool create,
                    CHandle<H>* out_handle, obsv_error** out_error) {
  ClearError(out_error);
  if (out_handle != nullptr) *out_handle = CHandle<H>{};
  if (family == nullptr || out_handle == nullptr || (values == nullptr && count != 0)) {
    return NullArgument(out_error);
  }
  return Guard(out_error, [&]() -> obsv_status {
    Values v(values, count);
    Family<H> f = FromC<H>(family);
    absl::StatusOr<H> h = create ? f.WithLabelValues(v.span()) : f.Get(v.span());
    if (!h.ok()) return SetStatus(out_error, h.status());
    *out_handle = ToC<H>(*h);
    return OBSV_OK;
  });
}

template <typename H>
obsv_status Remove(const CFamily<H>* family, const obsv_str* values, size_t count) {
  if (family == nullptr || (values == nullptr && count != 0)) return OBSV_ERR_INVALID_ARGUMENT;
  return Guard(nullptr, [&]() -> obsv_status {
    Values v(values, count);
    return FromC<H>(family).Remove(v.span()) ? OBSV_OK : OBSV_ERR_NOT_FOUND;
  });
}

template <typename H>
void Clear(const CFamily<H>* family) {
  if (family == nullptr) return;
  Guard(nullptr, [&]() -> obsv_status {
    FromC<H>(family).Clear();
    return OBSV_OK;
  });
}

template <typename H>
size_t Size(const CFamily<H>* family) {
  return family == nullptr ? 0 : FromC<H>(family).size();
}

// ---- Collectors --------------------------------------------------------------

// The C callback and its user data, shared by the registry's copy of the
// CollectorFn and (briefly) by obsv_registry_add_collector(). The destroy
// notification runs when the last owner lets go: after removal and after
// any scrape still running it.
struct CCollector {
  obsv_collect_fn collect = nullptr;
  void* user_data = nullptr;
  obsv_destroy_fn destroy = nullptr;

  ~CCollector() {
    if (destroy != nullptr) destroy(user_data);
  }

  std::vector<MetricFamily> Run() const {
    obsv_family_sink sink;
    // The callback is C: it cannot throw, and a failure drops its output.
    if (collect(user_data, &sink) != OBSV_OK) return {};
    return std::move(sink.families);
  }
};

void ToLabels(const obsv_label* labels, size_t count, std::vector<Label>* out) {
  out->resize(count);
  for (size_t i = 0; i < count; ++i) {
    (*out)[i].name.assign(FromStr(labels[i].name));
    (*out)[i].value.assign(FromStr(labels[i].value));
  }
}

obsv_status Expose(const obsv_registry* registry, obsv_format format, std::string* out, obsv_error** out_error) {
  int f = EnumValue(format);
  if (f != OBSV_FORMAT_TEXT && f != OBSV_FORMAT_OPENMETRICS && f != OBSV_FORMAT_PROTOBUF) {
    return SetError(out_error, OBSV_ERR_INVALID_ARGUMENT,
                    "format must be OBSV_FORMAT_TEXT, OBSV_FORMAT_OPENMETRICS or OBSV_FORMAT_PROTOBUF");
  }
  absl::Status s = registry->registry.Expose(f == OBSV_FORMAT_TEXT          ? ExpositionFormat::kText
                                             : f == OBSV_FORMAT_OPENMETRICS ? ExpositionFormat::kOpenMetrics
                                                                            : ExpositionFormat::kProtobuf,
                                             out);
  if (!s.ok()) return SetStatus(out_error, s);
  return OBSV_OK;
}

// Validates and converts exemplar labels, then runs `update` (which returns
// an absl::Status).
template <typename F>
obsv_status WithExemplar(bool valid_handle, const obsv_label* labels, size_t count, obsv_error** out_error,
                         F&& update) {
  ClearError(out_error);
  if (!valid_handle || (labels == nullptr && count != 0)) {
    return SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "empty handle or NULL labels");
  }
  return Guard(out_error, [&]() -> obsv_status {
    std::vector<obsv::Label> ls;
    ToLabels(labels, count, &ls);
    absl::Status s = update(absl::MakeConstSpan(ls));
    return s.ok() ? OBSV_OK : SetStatus(out_error, s);
  });
}

}  // namespace
}  // namespace obsv::capi

namespace capi = obsv::capi;
using capi::FromStr;
using capi::Guard;

extern "C" {

// ---- Registry ----------------------------------------------------------------

void obsv_registry_options_init(obsv_registry_options* options) {
  if (options == nullptr) return;
  obsv::RegistryOptions d;
  options->legacy_names_only = d.legacy_names_only ? 1 : 0;
  options->retire_grace_ms = absl::ToInt64Milliseconds(d.retire_grace);
}

obsv_status obsv_registry_new(const obsv_registry_options* options, obsv_registry** out_registry,
                              obsv_error** out_error) {
  capi::ClearError(out_error);
  if (out_registry == nullptr) return capi::NullArgument(out_error);
  *out_registry = nullptr;
  return Guard(out_error, [&]() -> obsv_status {
    obsv::RegistryOptions o;
    if (options != nullptr) {
      o.legacy_names_only = options->legacy_names_only != 0;
      o.retire_grace =
          options->retire_grace_ms < 0 ? absl::InfiniteDuration() : capi::Millis(options->retire_grace_ms);
    }
    *out_registry = new obsv_registry(std::move(o));
    return OBSV_OK;
  });
}

void obsv_registry_free(obsv_registry* registry) {
  // The destructor runs the collectors' destroy functions (C, no throw).
  delete registry;
}

size_t obsv_registry_family_count(const obsv_registry* registry) {
  return registry == nullptr ? 0 : registry->registry.family_count();
}

obsv_status obsv_registry_unregister(obsv_registry* registry, const char* name, size_t len,
                                     obsv_error** out_error) {
  capi::ClearError(out_error);
  if (registry == nullptr || (name == nullptr && len != 0)) return capi::NullArgument(out_error);
  return Guard(out_error, [&]() -> obsv_status {
    absl::Status s = registry->registry.Unregister(std::string_view(name, len));
    return s.ok() ? OBSV_OK : capi::SetStatus(out_error, s);
  });
}

size_t obsv_registry_expire_idle(const obsv_registry* registry) {
  if (registry == nullptr) return 0;
  size_t removed = 0;
  Guard(nullptr, [&]() -> obsv_status {
    removed = registry->registry.ExpireIdle();
    return OBSV_OK;
  });
  return removed;
}

// ---- Registering families ------------------------------------------------------

void obsv_metric_options_init(obsv_metric_options* options) {
  if (options == nullptr) return;
  std::memset(options, 0, sizeof *options);
  options->overflow = OBSV_OVERFLOW_REFUSE;
}

void obsv_summary_options_init(obsv_summary_options* options) {
  if (options == nullptr) return;
  obsv::SummaryOptions d;
  options->quantiles = nullptr;
  options->quantile_count = 0;
  options->max_age_ms = absl::ToInt64Milliseconds(d.max_age);
  options->age_buckets = d.age_buckets;
  options->max_samples_per_bucket = d.max_samples_per_bucket;
}

obsv_status obsv_registry_counter(obsv_registry* registry, const obsv_metric_options* options,
                                  obsv_counter_family** out_family, obsv_error** out_error) {
  return capi::Register<obsv::Counter>(registry, options, out_family, out_error,
                                       [](obsv::Registry& r, const obsv::MetricOptions& o) { return r.AddCounter(o); });
}

obsv_status obsv_registry_gauge(obsv_registry* registry, const obsv_metric_options* options,
                                obsv_gauge_family** out_family, obsv_error** out_error) {
  return capi::Register<obsv::Gauge>(registry, options, out_family, out_error,
                                     [](obsv::Registry& r, const obsv::MetricOptions& o) { return r.AddGauge(o); });
}

obsv_status obsv_registry_histogram(obsv_registry* registry, const obsv_metric_options* options,
                                    const double* buckets, size_t count, obsv_histogram_family** out_family,
                                    obsv_error** out_error) {
  return capi::Register<obsv::Histogram>(
      registry, options, out_family, out_error, [&](obsv::Registry& r, const obsv::MetricOptions& o) {
        std::vector<double> b = buckets == nullptr ? obsv::DefaultBuckets() : std::vector<double>(buckets, buckets + count);
        return r.AddHistogram(o, std::move(b));
      });
}

void obsv_native_histogram_options_init(obsv_native_histogram_options* options) {
  if (options == nullptr) return;
  obsv::NativeHistogramOptions d;
  options->bucket_factor = d.bucket_factor;
  options->zero_threshold = d.zero_threshold;
  options->max_buckets = d.max_buckets;
  options->min_reset_duration_ms = absl::ToInt64Milliseconds(d.min_reset_duration);
  options->max_zero_threshold = d.max_zero_threshold;
}

obsv_status obsv_registry_native_histogram(obsv_registry* registry, const obsv_metric_options* options,
                                           const obsv_native_histogram_options* native, const double* buckets,
                                           size_t count, obsv_histogram_family** out_family,
                                           obsv_error** out_error) {
  return capi::Register<obsv::Histogram>(
      registry, options, out_family, out_error,
      [&](obsv::Registry& r, const obsv::MetricOptions& o) -> absl::StatusOr<obsv::Family<obsv::Histogram>> {
        obsv::NativeHistogramOptions n;
        if (native != nullptr) {
          if (native->min_reset_duration_ms < 0) {
            return absl::InvalidArgumentError("min_reset_duration_ms must be >= 0");
          }
          n.bucket_factor = native->bucket_factor;
          n.zero_threshold = native->zero_threshold;
          n.max_buckets = native->max_buckets;
          n.min_reset_duration = capi::Millis(native->min_reset_duration_ms);
          n.max_zero_threshold = native->max_zero_threshold;
        }
        std::vector<double> b = buckets == nullptr ? std::vector<double>() : std::vector<double>(buckets, buckets + count);
        return r.AddNativeHistogram(o, n, std::move(b));
      });
}

obsv_status obsv_registry_gauge_histogram(obsv_registry* registry, const obsv_metric_options* options,
                                          const double* buckets, size_t count,
                                          obsv_gauge_histogram_family** out_family, obsv_error** out_error) {
  return capi::Register<obsv::GaugeHistogram>(
      registry, options, out_family, out_error, [&](obsv::Registry& r, const obsv::MetricOptions& o) {
        std::vector<double> b = buckets == nullptr ? obsv::DefaultBuckets() : std::vector<double>(buckets, buckets + count);
        return r.AddGaugeHistogram(o, std::move(b));
      });
}

obsv_status obsv_registry_summary(obsv_registry* registry, const obsv_metric_options* options,
                                  const obsv_summary_options* summary, obsv_summary_family** out_family,
                                  obsv_error** out_error) {
  return capi::Register<obsv::Summary>(
      registry, options, out_family, out_error,
      [&](obsv::Registry& r, const obsv::MetricOptions& o) -> absl::StatusOr<obsv::Family<obsv::Summary>> {
        obsv::SummaryOptions s;
        if (summary != nullptr) {
          if (summary->quantiles != nullptr) {
            s.quantiles.assign(summary->quantiles, summary->quantiles + summary->quantile_count);
          } else if (summary->quantile_count != 0) {
            return absl::InvalidArgumentError("quantiles is NULL but quantile_count is not 0");
          }
          if (summary->max_age_ms <= 0 || summary->age_buckets < 1 || summary->max_samples_per_bucket == 0) {
            return absl::InvalidArgumentError(
                "summary needs max_age_ms > 0, age_buckets >= 1, max_samples_per_bucket > 0");
          }
          s.max_age = capi::Millis(summary->max_age_ms);
          s.age_buckets = summary->age_buckets;
          s.max_samples_per_bucket = static_cast<size_t>(summary->max_samples_per_bucket);
        }
        return r.AddSummary(o, s);
      });
}

obsv_status obsv_registry_info(obsv_registry* registry, const obsv_metric_options* options,
                               obsv_info_family** out_family, obsv_error** out_error) {
  return capi::Register<obsv::Info>(registry, options, out_family, out_error,
                                    [](obsv::Registry& r, const obsv::MetricOptions& o) { return r.AddInfo(o); });
}

obsv_status obsv_registry_stateset(obsv_registry* registry, const obsv_metric_options* options,
                                   const obsv_str* states, size_t count, obsv_stateset_family** out_family,
                                   obsv_error** out_error) {
  if (states == nullptr && count != 0) {
    capi::ClearError(out_error);
    if (out_family != nullptr) *out_family = nullptr;
    return capi::NullArgument(out_error);
  }
  return capi::Register<obsv::StateSet>(registry, options, out_family, out_error,
                                        [&](obsv::Registry& r, const obsv::MetricOptions& o) {
                                          std::vector<std::string> s;
                                          s.reserve(count);
                                          for (size_t i = 0; i < count; ++i) s.emplace_back(FromStr(states[i]));
                                          return r.AddStateSet(o, std::move(s));
                                        });
}

// ---- Series ----------------------------------------------------------------------

#define OBSV_FAMILY_FUNCTIONS(kind, H)                                                                        \
  obsv_status obsv_##kind##_family_with_labels(const obsv_##kind##_family* family, const obsv_str* values,     \
                                               size_t count, obsv_##kind* out_handle, obsv_error** out_error) { \
    return capi::Resolve<H>(family, values, count, true, out_handle, out_error);                              \
  }                                                                                                           \
  obsv_status obsv_##kind##_family_get(const obsv_##kind##_family* family, const obsv_str* values,            \
                                       size_t count, obsv_##kind* out_handle, obsv_error** out_error) {       \
    return capi::Resolve<H>(family, values, count, false, out_handle, out_error);                             \
  }                                                                                                           \
  obsv_status obsv_##kind##_family_remove(const obsv_##kind##_family* family, const obsv_str* values,         \
                                          size_t count) {                                                     \
    return capi::Remove<H>(family, values, count);                                                            \
  }                                                                                                           \
  void obsv_##kind##_family_clear(const obsv_##kind##_family* family) { capi::Clear<H>(family); }             \
  size_t obsv_##kind##_family_size(const obsv_##kind##_family* family) { return capi::Size<H>(family); }

OBSV_FAMILY_FUNCTIONS(counter, obsv::Counter)
OBSV_FAMILY_FUNCTIONS(gauge, obsv::Gauge)
OBSV_FAMILY_FUNCTIONS(histogram, obsv::Histogram)
OBSV_FAMILY_FUNCTIONS(summary, obsv::Summary)
OBSV_FAMILY_FUNCTIONS(info, obsv::Info)
OBSV_FAMILY_FUNCTIONS(stateset, obsv::StateSet)
OBSV_FAMILY_FUNCTIONS(gauge_histogram, obsv::GaugeHistogram)

#undef OBSV_FAMILY_FUNCTIONS

// ---- Updates: none of these can throw (lock-free cells, a mutex for
// summaries); an empty handle is a no-op.

void obsv_counter_inc(obsv_counter counter) {
  obsv::Counter c = capi::FromC<obsv::Counter>(counter);
  if (c) c.Inc();
}
void obsv_counter_inc_by(obsv_counter counter, uint64_t n) {
  obsv::Counter c = capi::FromC<obsv::Counter>(counter);
  if (c) c.Inc(n);
}
void obsv_counter_add(obsv_counter counter, double v) {
  obsv::Counter c = capi::FromC<obsv::Counter>(counter);
  if (c) c.Add(v);
}
double obsv_counter_value(obsv_counter counter) {
  obsv::Counter c = capi::FromC<obsv::Counter>(counter);
  return c ? c.Value() : 0;
}

void obsv_gauge_set(obsv_gauge gauge, double v) {
  obsv::Gauge g = capi::FromC<obsv::Gauge>(gauge);
  if (g) g.Set(v);
}
void obsv_gauge_inc(obsv_gauge gauge) {
  obsv::Gauge g = capi::FromC<obsv::Gauge>(gauge);
  if (g) g.Inc();
}
void obsv_gauge_dec(obsv_gauge gauge) {
  obsv::Gauge g = capi::FromC<obsv::Gauge>(gauge);
  if (g) g.Dec();
}
void obsv_gauge_add(obsv_gauge gauge, double v) {
  obsv::Gauge g = capi::FromC<obsv::Gauge>(gauge);
  if (g) g.Add(v);
}
void obsv_gauge_set_to_current_time(obsv_gauge gauge) {
  obsv::Gauge g = capi::FromC<obsv::Gauge>(gauge);
  if (g) g.SetToCurrentTime();
}
double obsv_gauge_value(obsv_gauge gauge) {
  obsv::Gauge g = capi::FromC<obsv::Gauge>(gauge);
  return g ? g.Value() : 0;
}

void obsv_histogram_observe(obsv_histogram histogram, double v) {
  obsv::Histogram h = capi::FromC<obsv::Histogram>(histogram);
  if (h) h.Observe(v);
}

void obsv_histogram_read(obsv_histogram histogram, uint64_t* out_count, double* out_sum) {
  obsv::Histogram h = capi::FromC<obsv::Histogram>(histogram);
  uint64_t count = 0;
  double sum = 0;
  if (h) {
    // Read() allocates the bucket vectors.
    Guard(nullptr, [&]() -> obsv_status {
      obsv::Histogram::Snapshot s = h.Read();
      count = s.count;
      sum = s.sum;
      return OBSV_OK;
    });
  }
  if (out_count != nullptr) *out_count = count;
  if (out_sum != nullptr) *out_sum = sum;
}


obsv_status obsv_counter_inc_with_exemplar(obsv_counter counter, uint64_t n, const obsv_label* labels, size_t count,
                                           obsv_error** out_error) {
  obsv::Counter c = capi::FromC<obsv::Counter>(counter);
  return capi::WithExemplar(static_cast<bool>(c), labels, count, out_error,
                      [&](absl::Span<const obsv::Label> ls) { return c.IncWithExemplar(n, ls); });
}

obsv_status obsv_counter_add_with_exemplar(obsv_counter counter, double v, const obsv_label* labels, size_t count,
                                           obsv_error** out_error) {
  obsv::Counter c = capi::FromC<obsv::Counter>(counter);
  return capi::WithExemplar(static_cast<bool>(c), labels, count, out_error,
                      [&](absl::Span<const obsv::Label> ls) { return c.AddWithExemplar(v, ls); });
}

obsv_status obsv_histogram_observe_with_exemplar(obsv_histogram histogram, double v, const obsv_label* labels,
                                                 size_t count, obsv_error** out_error) {
  obsv::Histogram h = capi::FromC<obsv::Histogram>(histogram);
  return capi::WithExemplar(static_cast<bool>(h), labels, count, out_error,
                      [&](absl::Span<const obsv::Label> ls) { return h.ObserveWithExemplar(v, ls); });
}

int obsv_histogram_read_native(obsv_histogram histogram, int32_t* out_schema, double* out_zero_threshold,
                               uint64_t* out_zero_count, size_t* out_positive_buckets,
                               size_t* out_negative_buckets) {
  obsv::Histogram h = capi::FromC<obsv::Histogram>(histogram);
  if (!h) return 0;
  int native = 0;
  Guard(nullptr, [&]() -> obsv_status {
    obsv::Histogram::Snapshot s = h.Read();
    if (!s.native) return OBSV_OK;
    native = 1;
    if (out_schema != nullptr) *out_schema = s.schema;
    if (out_zero_threshold != nullptr) *out_zero_threshold = s.zero_threshold;
    if (out_zero_count != nullptr) *out_zero_count = s.zero_count;
    if (out_positive_buckets != nullptr) *out_positive_buckets = s.positive.size();
    if (out_negative_buckets != nullptr) *out_negative_buckets = s.negative.size();
    return OBSV_OK;
  });
  return native;
}

obsv_status obsv_histogram_read_native_buckets(obsv_histogram histogram, obsv_native_histogram_state* out_state,
                                               obsv_native_bucket* positive, size_t positive_capacity,
                                               obsv_native_bucket* negative, size_t negative_capacity,
                                               obsv_error** out_error) {
  capi::ClearError(out_error);
  if (out_state == nullptr || (positive == nullptr && positive_capacity != 0) ||
      (negative == nullptr && negative_capacity != 0)) {
    return capi::NullArgument(out_error);
  }
  *out_state = obsv_native_histogram_state{};
  obsv::Histogram h = capi::FromC<obsv::Histogram>(histogram);
  if (!h) return capi::SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "empty histogram handle");
  return Guard(out_error, [&]() -> obsv_status {
    obsv::Histogram::Snapshot s = h.Read();
    if (!s.native) return capi::SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "not a native histogram");
    out_state->schema = s.schema;
    out_state->zero_threshold = s.zero_threshold;
    out_state->zero_count = s.zero_count;
    out_state->count = s.count;
    out_state->sum = s.sum;
    out_state->positive_count = s.positive.size();
    out_state->negative_count = s.negative.size();
    if (s.positive.size() > positive_capacity || s.negative.size() > negative_capacity) {
      return capi::SetError(out_error, OBSV_ERR_BUFFER_TOO_SMALL,
                            "the histogram has " + std::to_string(s.positive.size()) + " positive and " +
                                std::to_string(s.negative.size()) + " negative buckets, the arrays hold " +
                                std::to_string(positive_capacity) + " and " + std::to_string(negative_capacity));
    }
    for (size_t i = 0; i < s.positive.size(); ++i) positive[i] = {s.positive[i].index, s.positive[i].count};
    for (size_t i = 0; i < s.negative.size(); ++i) negative[i] = {s.negative[i].index, s.negative[i].count};
    return OBSV_OK;
  });
}

void obsv_gauge_histogram_observe(obsv_gauge_histogram histogram, double v, int64_t n) {
  obsv::GaugeHistogram h = capi::FromC<obsv::GaugeHistogram>(histogram);
  if (h) h.Observe(v, n);
}

void obsv_gauge_histogram_read(obsv_gauge_histogram histogram, int64_t* out_gcount, double* out_gsum) {
  obsv::GaugeHistogram h = capi::FromC<obsv::GaugeHistogram>(histogram);
  int64_t count = 0;
  double sum = 0;
  if (h) {
    Guard(nullptr, [&]() -> obsv_status {
      obsv::Histogram::Snapshot s = h.Read();
      count = static_cast<int64_t>(s.count);
      sum = s.sum;
      return OBSV_OK;
    });
  }
  if (out_gcount != nullptr) *out_gcount = count;
  if (out_gsum != nullptr) *out_gsum = sum;
}

void obsv_summary_observe(obsv_summary summary, double v) {
  obsv::Summary s = capi::FromC<obsv::Summary>(summary);
  if (!s) return;
  // A new age bucket may allocate.
  Guard(nullptr, [&]() -> obsv_status {
    s.Observe(v);
    return OBSV_OK;
  });
}

obsv_status obsv_stateset_set(obsv_stateset stateset, const char* state, size_t len, int value) {
  obsv::StateSet s = capi::FromC<obsv::StateSet>(stateset);
  if (!s || (state == nullptr && len != 0)) return OBSV_ERR_INVALID_ARGUMENT;
  return Guard(nullptr, [&] { return capi::CodeOf(s.Set(std::string_view(state, len), value != 0)); });
}

obsv_status obsv_stateset_set_only(obsv_stateset stateset, const char* state, size_t len) {
  obsv::StateSet s = capi::FromC<obsv::StateSet>(stateset);
  if (!s || (state == nullptr && len != 0)) return OBSV_ERR_INVALID_ARGUMENT;
  return Guard(nullptr, [&] { return capi::CodeOf(s.SetOnly(std::string_view(state, len))); });
}

int obsv_stateset_get(obsv_stateset stateset, const char* state, size_t len) {
  obsv::StateSet s = capi::FromC<obsv::StateSet>(stateset);
  if (!s || (state == nullptr && len != 0)) return 0;
  return s.Get(std::string_view(state, len)) ? 1 : 0;
}

// ---- Collectors ------------------------------------------------------------------

obsv_status obsv_registry_add_collector(obsv_registry* registry, const char* name, size_t len,
                                        obsv_collect_fn collect, void* user_data, obsv_destroy_fn destroy,
                                        int64_t cache_ttl_ms, obsv_error** out_error) {
  capi::ClearError(out_error);
  if (registry == nullptr || collect == nullptr || (name == nullptr && len != 0)) {
    return capi::NullArgument(out_error);
  }
  std::shared_ptr<capi::CCollector> c;
  obsv_status status = Guard(out_error, [&]() -> obsv_status {
    c = std::make_shared<capi::CCollector>();
    c->collect = collect;
    c->user_data = user_data;
    absl::Status s = registry->registry.AddCollector(
        std::string(name, len), [c]() { return c->Run(); },
        cache_ttl_ms > 0 ? capi::Millis(cache_ttl_ms) : absl::ZeroDuration());
    if (!s.ok()) return capi::SetStatus(out_error, s);
    // Armed only once the registry holds it: on failure user_data stays
    // the caller's.
    c->destroy = destroy;
    return OBSV_OK;
  });
  return status;
}

obsv_status obsv_registry_remove_collector(obsv_registry* registry, const char* name, size_t len,
                                           obsv_error** out_error) {
  capi::ClearError(out_error);
  if (registry == nullptr || (name == nullptr && len != 0)) return capi::NullArgument(out_error);
  return Guard(out_error, [&]() -> obsv_status {
    absl::Status s = registry->registry.RemoveCollector(std::string_view(name, len));
    return s.ok() ? OBSV_OK : capi::SetStatus(out_error, s);
  });
}

obsv_status obsv_family_sink_begin(obsv_family_sink* sink, obsv_str name, obsv_metric_type type, obsv_str help,
                                   obsv_str unit) {
  if (sink == nullptr) return OBSV_ERR_INVALID_ARGUMENT;
  int t = capi::EnumValue(type);
  if (t < OBSV_TYPE_UNKNOWN || t > OBSV_TYPE_STATESET) return OBSV_ERR_INVALID_ARGUMENT;
  return Guard(nullptr, [&]() -> obsv_status {
    obsv::MetricFamily f;
    f.name.assign(FromStr(name));
    f.type = static_cast<obsv::MetricType>(t);
    f.help.assign(FromStr(help));
    f.has_help = help.data != nullptr;
    f.unit.assign(FromStr(unit));
    sink->families.push_back(std::move(f));
    return OBSV_OK;
  });
}

obsv_status obsv_family_sink_add_sample(obsv_family_sink* sink, const obsv_sample* sample) {
  if (sink == nullptr || sample == nullptr) return OBSV_ERR_INVALID_ARGUMENT;
  if (sink->families.empty()) return OBSV_ERR_FAILED_PRECONDITION;
  if ((sample->labels == nullptr && sample->label_count != 0) ||
      (sample->has_exemplar && sample->exemplar_labels == nullptr && sample->exemplar_label_count != 0)) {
    return OBSV_ERR_INVALID_ARGUMENT;
  }
  return Guard(nullptr, [&]() -> obsv_status {
    obsv::Sample s;
    s.name.assign(FromStr(sample->name));
    capi::ToLabels(sample->labels, sample->label_count, &s.labels);
    s.value = sample->value;
    s.value_text.assign(FromStr(sample->value_text));
    if (sample->has_timestamp) s.timestamp = obsv::Timestamp{sample->timestamp_ms, sample->timestamp_nanos};
    if (sample->has_exemplar) {
      obsv::Exemplar ex;
      capi::ToLabels(sample->exemplar_labels, sample->exemplar_label_count, &ex.labels);
      ex.value = sample->exemplar_value;
      if (sample->exemplar_has_timestamp) {
        ex.timestamp = obsv::Timestamp{sample->exemplar_timestamp_ms, sample->exemplar_timestamp_nanos};
      }
      s.exemplar = std::move(ex);
    }
    sink->families.back().samples.push_back(std::move(s));
    return OBSV_OK;
  });
}

obsv_status obsv_family_sink_add_value(obsv_family_sink* sink, obsv_str name, const obsv_label* labels,
                                       size_t count, double value) {
  obsv_sample s;
  std::memset(&s, 0, sizeof s);
  s.name = name;
  s.labels = labels;
  s.label_count = count;
  s.value = value;
  return obsv_family_sink_add_sample(sink, &s);
}

// ---- Exposition --------------------------------------------------------------------

obsv_status obsv_registry_expose(const obsv_registry* registry, obsv_format format, char** out, size_t* out_len,
                                 obsv_error** out_error) {
  capi::ClearError(out_error);
  if (out != nullptr) *out = nullptr;
  if (out_len != nullptr) *out_len = 0;
  if (registry == nullptr || out == nullptr) return capi::NullArgument(out_error);
  return Guard(out_error, [&]() -> obsv_status {
    std::string text;
    obsv_status s = capi::Expose(registry, format, &text, out_error);
    if (s != OBSV_OK) return s;
    char* buffer = static_cast<char*>(std::malloc(text.size() + 1));
    if (buffer == nullptr) return capi::SetError(out_error, OBSV_ERR_OUT_OF_MEMORY, "out of memory");
    std::memcpy(buffer, text.data(), text.size());
    buffer[text.size()] = '\0';
    *out = buffer;
    if (out_len != nullptr) *out_len = text.size();
    return OBSV_OK;
  });
}

obsv_status obsv_registry_expose_into(const obsv_registry* registry, obsv_format format, char* buffer,
                                      size_t capacity, size_t* out_needed, obsv_error** out_error) {
  capi::ClearError(out_error);
  if (out_needed != nullptr) *out_needed = 0;
  if (registry == nullptr || out_needed == nullptr || (buffer == nullptr && capacity != 0)) {
    return capi::NullArgument(out_error);
  }
  return Guard(out_error, [&]() -> obsv_status {
    // Kept per thread: a scrape loop renders without allocating once the
    // string has grown to the registry's size.
    thread_local std::string scratch;
    scratch.clear();
    obsv_status s = capi::Expose(registry, format, &scratch, out_error);
    if (s != OBSV_OK) return s;
    *out_needed = scratch.size();
    if (scratch.size() > capacity) {
      return capi::SetError(out_error, OBSV_ERR_BUFFER_TOO_SMALL,
                            "the exposition needs " + std::to_string(scratch.size()) + " bytes, the buffer has " +
                                std::to_string(capacity));
    }
    if (!scratch.empty()) std::memcpy(buffer, scratch.data(), scratch.size());
    return OBSV_OK;
  });
}

obsv_status obsv_negotiate_format(const char* accept, size_t len, obsv_format* out_format,
                                  const char** out_content_type) {
  if (out_format == nullptr || (accept == nullptr && len != 0)) return OBSV_ERR_INVALID_ARGUMENT;
  return Guard(nullptr, [&]() -> obsv_status {
    obsv::NegotiatedFormat n = obsv::NegotiateFormat(accept == nullptr ? std::string_view() : std::string_view(accept, len));
    *out_format = n.format == obsv::ExpositionFormat::kOpenMetrics ? OBSV_FORMAT_OPENMETRICS
                  : n.format == obsv::ExpositionFormat::kProtobuf  ? OBSV_FORMAT_PROTOBUF
                                                                   : OBSV_FORMAT_TEXT;
    // content_type views a string literal: NUL-terminated.
    if (out_content_type != nullptr) *out_content_type = n.content_type.data();
    return OBSV_OK;
  });
}

}  // extern "C"
