#include "obsv/registry.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "common/str_cat.h"
#include "common/utf8.h"
#include "obsv/exposition_writer.h"
#include "registry/family.h"
#include "registry/protobuf_writer.h"

namespace obsv {

using internal::FamilyImpl;
using internal::StrCat;

namespace internal {

bool ValidMetricName(std::string_view name, bool legacy_only) {
  if (name.empty()) return false;
  if (IsLegacyMetricName(name)) return true;
  return !legacy_only && IsValidUtf8(name);
}

bool ValidLabelName(std::string_view name, bool legacy_only) {
  if (name.empty()) return false;
  if (name.size() >= 2 && name[0] == '_' && name[1] == '_') return false;
  if (IsLegacyLabelName(name)) return true;
  return !legacy_only && IsValidUtf8(name);
}


void AppendQuotedName(std::string_view name, std::string* out) {
  if (IsLegacyMetricName(name)) {
    out->append(name.data(), name.size());
    return;
  }
  out->push_back('"');
  AppendEscapedQuoted(name, out);
  out->push_back('"');
}

void AppendLabelName(std::string_view name, std::string* out) {
  if (IsLegacyLabelName(name)) {
    out->append(name.data(), name.size());
    return;
  }
  out->push_back('"');
  AppendEscapedQuoted(name, out);
  out->push_back('"');
}

}  // namespace internal

std::vector<double> DefaultBuckets() { return {.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}; }

std::vector<double> LinearBuckets(double start, double width, int count) {
  std::vector<double> b;
  for (int i = 0; i < count; ++i) b.push_back(start + width * i);
  return b;
}

std::vector<double> ExponentialBuckets(double start, double factor, int count) {
  std::vector<double> b;
  double v = start;
  for (int i = 0; i < count; ++i, v *= factor) b.push_back(v);
  return b;
}

void Registry::Impl::FreeRetired(absl::Time now, bool all) {
  std::vector<Retired> done;
  {
    absl::MutexLock l(&retire_mu);
    auto keep = retired.begin();
    for (auto it = retired.begin(); it != retired.end(); ++it) {
      if (all || now - it->at > options.retire_grace) {
        done.push_back(*it);
      } else {
        *keep++ = *it;
      }
    }
    retired.erase(keep, retired.end());
  }
  for (Retired& r : done) {
    if (r.series != nullptr) {
      internal::FreeSlots(r.series->slot, r.series->family->n_int + r.series->family->n_double);
      delete r.series;
    }
    delete r.table;
  }
  // Families last: their series above point at them.
  for (Retired& r : done) delete r.family;
}

Registry::Registry(RegistryOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
}

Registry::~Registry() {
  // Retired series first: they read their family, which may still be live.
  impl_->FreeRetired(absl::InfinitePast(), true);
  absl::MutexLock l(&impl_->mu);
  impl_->families.clear();
}

namespace {

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// The sample names a family of `type` named `name` writes (both formats).
std::vector<std::string> ProducedNames(MetricType type, const std::string& name) {
  switch (type) {
    case MetricType::kCounter: return {name, name + "_total", name + "_created"};
    case MetricType::kHistogram:
      return {name, name + "_bucket", name + "_count", name + "_sum", name + "_created"};
    case MetricType::kSummary: return {name, name + "_count", name + "_sum", name + "_created"};
    case MetricType::kInfo: return {name, name + "_info"};
    case MetricType::kGaugeHistogram: return {name, name + "_bucket", name + "_gcount", name + "_gsum"};
    case MetricType::kGauge:
    case MetricType::kStateSet:
    case MetricType::kUnknown: return {name};
  }
  return {name};
}

bool SameNative(const NativeHistogramOptions& a, const NativeHistogramOptions& b) {
  return a.bucket_factor == b.bucket_factor && a.zero_threshold == b.zero_threshold &&
         a.max_buckets == b.max_buckets && a.min_reset_duration == b.min_reset_duration &&
         a.max_zero_threshold == b.max_zero_threshold;
}

bool SameShape(const FamilyImpl& f, MetricType type, const MetricOptions& o, const std::vector<double>& bounds,
               const SummaryOptions* summary, const std::vector<std::string>& states,
               const NativeHistogramOptions* native) {
  if (f.type != type || f.options.label_names != o.label_names || f.options.const_labels != o.const_labels) {
    return false;
  }
  if ((type == MetricType::kHistogram || type == MetricType::kGaugeHistogram) && f.bounds != bounds) return false;
  if (f.is_native != (native != nullptr) || (native != nullptr && !SameNative(f.native, *native))) return false;
  if (type == MetricType::kSummary && f.summary.quantiles != summary->quantiles) return false;
  if (type == MetricType::kStateSet && f.states != states) return false;
  return true;
}

}  // namespace

// Validates, then registers or finds. `bounds`, `summary`, `states` are the
// type-specific parts (already checked by the caller).
static absl::StatusOr<FamilyImpl*> AddFamily(Registry::Impl* impl, MetricType type, MetricOptions o,
                                             std::vector<double> bounds, const SummaryOptions* summary,
                                             std::vector<std::string> states,
                                             const NativeHistogramOptions* native = nullptr) {
  bool legacy = impl->options.legacy_names_only;
  if (type == MetricType::kCounter && EndsWith(o.name, "_total")) o.name.resize(o.name.size() - 6);
  if (type == MetricType::kInfo && EndsWith(o.name, "_info")) o.name.resize(o.name.size() - 5);
  if (!internal::ValidMetricName(o.name, legacy)) {
    return absl::InvalidArgumentError(StrCat("invalid metric name \"", o.name, "\""));
  }
  if (!internal::IsValidUtf8(o.help)) return absl::InvalidArgumentError("help is not valid UTF-8");
  if (!o.unit.empty()) {
    if (!IsLegacyLabelName(o.unit) || !EndsWith(o.name, "_" + o.unit)) {
      return absl::InvalidArgumentError(
          StrCat("unit \"", o.unit, "\" must be a legacy name and suffix `_", o.unit, "` of \"", o.name, "\""));
    }
  }
  std::set<std::string_view> seen;
  auto check_label = [&](const std::string& n) -> absl::Status {
    if (!internal::ValidLabelName(n, legacy)) {
      return absl::InvalidArgumentError(StrCat("invalid label name \"", n, "\" in family \"", o.name, "\""));
    }
    if (((type == MetricType::kHistogram || type == MetricType::kGaugeHistogram) && n == "le") || (type == MetricType::kSummary && n == "quantile") ||
        (type == MetricType::kStateSet && n == o.name)) {
      return absl::InvalidArgumentError(StrCat("label name \"", n, "\" is reserved in family \"", o.name, "\""));
    }
    if (!seen.insert(n).second) {
      return absl::InvalidArgumentError(StrCat("duplicate label name \"", n, "\" in family \"", o.name, "\""));
    }
    return absl::OkStatus();
  };
  for (const Label& l : o.const_labels) {
    absl::Status s = check_label(l.name);
    if (!s.ok()) return s;
    if (!internal::IsValidUtf8(l.value)) return absl::InvalidArgumentError("const label value is not valid UTF-8");
  }
  for (const std::string& n : o.label_names) {
    absl::Status s = check_label(n);
    if (!s.ok()) return s;
  }
  if (!o.overflow_label_value.empty() && !internal::IsValidUtf8(o.overflow_label_value)) {
    return absl::InvalidArgumentError("overflow_label_value is not valid UTF-8");
  }

  absl::MutexLock l(&impl->mu);
  auto& fams = impl->families;
  auto it = std::lower_bound(fams.begin(), fams.end(), o.name,
                             [](const std::unique_ptr<FamilyImpl>& f, const std::string& n) { return f->options.name < n; });
  if (it != fams.end() && (*it)->options.name == o.name) {
    if (SameShape(**it, type, o, bounds, summary, states, native)) return it->get();
    return absl::InvalidArgumentError(StrCat("\"", o.name, "\" is already registered as a ",
                                             MetricTypeName((*it)->type), " with other labels or layout"));
  }
  std::vector<std::string> mine = ProducedNames(type, o.name);
  for (const auto& f : fams) {
    for (const std::string& theirs : ProducedNames(f->type, f->options.name)) {
      if (std::find(mine.begin(), mine.end(), theirs) != mine.end()) {
        return absl::InvalidArgumentError(StrCat("\"", o.name, "\" (", MetricTypeName(type), ") clashes with the ",
                                                 MetricTypeName(f->type), " \"", f->options.name, "\" on \"",
                                                 theirs, "\""));
      }
    }
  }
  auto f = std::make_unique<FamilyImpl>(impl, type, std::move(o));
  f->bounds = std::move(bounds);
  if (summary != nullptr) f->summary = *summary;
  f->states = std::move(states);
  if (native != nullptr) {
    f->is_native = true;
    f->native = *native;
  }
  switch (type) {
    case MetricType::kCounter:
      f->n_int = 1;
      f->n_double = 1;
      break;
    case MetricType::kHistogram:
    case MetricType::kGaugeHistogram:
      if (f->is_native) break;  // no cells: the series' NativeHistogramState
      f->n_int = static_cast<uint32_t>(f->bounds.size());
      f->n_double = 1;
      break;
    case MetricType::kGauge:
    case MetricType::kSummary:
    case MetricType::kInfo:
    case MetricType::kStateSet:
    case MetricType::kUnknown:
      break;
  }
  f->Prepare();
  FamilyImpl* raw = f.get();
  fams.insert(it, std::move(f));
  return raw;
}

template <typename H>
static absl::StatusOr<Family<H>> Wrap(absl::StatusOr<FamilyImpl*> f) {
  if (!f.ok()) return f.status();
  return internal::HandleAccess::MakeFamily<H>(*f);
}

absl::StatusOr<Family<Counter>> Registry::AddCounter(const MetricOptions& options) {
  return Wrap<Counter>(AddFamily(impl_.get(), MetricType::kCounter, options, {}, nullptr, {}));
}

absl::StatusOr<Family<Gauge>> Registry::AddGauge(const MetricOptions& options) {
  return Wrap<Gauge>(AddFamily(impl_.get(), MetricType::kGauge, options, {}, nullptr, {}));
}

namespace {
absl::Status CheckBuckets(std::vector<double>& buckets) {
  for (size_t i = 0; i < buckets.size(); ++i) {
    if (std::isnan(buckets[i]) || (i > 0 && !(buckets[i] > buckets[i - 1]))) {
      return absl::InvalidArgumentError("histogram buckets must be strictly increasing and not NaN");
    }
  }
  if (buckets.empty() || !std::isinf(buckets.back()) || buckets.back() < 0) {
    buckets.push_back(std::numeric_limits<double>::infinity());
  }
  if (buckets.size() > 254) return absl::InvalidArgumentError("at most 253 histogram buckets");
  return absl::OkStatus();
}
}  // namespace

absl::StatusOr<Family<Histogram>> Registry::AddHistogram(const MetricOptions& options, std::vector<double> buckets) {
  absl::Status s = CheckBuckets(buckets);
  if (!s.ok()) return s;
  return Wrap<Histogram>(AddFamily(impl_.get(), MetricType::kHistogram, options, std::move(buckets), nullptr, {}));
}

absl::StatusOr<Family<Histogram>> Registry::AddNativeHistogram(const MetricOptions& options,
                                                               const NativeHistogramOptions& native,
                                                               std::vector<double> buckets) {
  if (!(native.bucket_factor > 1) || std::isinf(native.bucket_factor)) {
    return absl::InvalidArgumentError("native histogram bucket_factor must be finite and above 1");
  }
  if (!(native.zero_threshold >= 0) || !(native.max_zero_threshold >= 0)) {
    return absl::InvalidArgumentError("native histogram zero thresholds must be >= 0 and not NaN");
  }
  if (native.min_reset_duration < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("native histogram min_reset_duration must be >= 0");
  }
  absl::Status s = CheckBuckets(buckets);
  if (!s.ok()) return s;
  return Wrap<Histogram>(
      AddFamily(impl_.get(), MetricType::kHistogram, options, std::move(buckets), nullptr, {}, &native));
}

absl::StatusOr<Family<GaugeHistogram>> Registry::AddGaugeHistogram(const MetricOptions& options,
                                                                   std::vector<double> buckets) {
  absl::Status s = CheckBuckets(buckets);
  if (!s.ok()) return s;
  return Wrap<GaugeHistogram>(
      AddFamily(impl_.get(), MetricType::kGaugeHistogram, options, std::move(buckets), nullptr, {}));
}

absl::StatusOr<Family<Summary>> Registry::AddSummary(const MetricOptions& options, const SummaryOptions& summary) {
  for (double q : summary.quantiles) {
    if (!(q >= 0 && q <= 1)) return absl::InvalidArgumentError("summary quantiles must be in [0, 1]");
  }
  if (summary.age_buckets < 1 || summary.max_age <= absl::ZeroDuration() || summary.max_samples_per_bucket == 0) {
    return absl::InvalidArgumentError("summary needs age_buckets >= 1, max_age > 0, max_samples_per_bucket > 0");
  }
  return Wrap<Summary>(AddFamily(impl_.get(), MetricType::kSummary, options, {}, &summary, {}));
}

absl::StatusOr<Family<Info>> Registry::AddInfo(const MetricOptions& options) {
  return Wrap<Info>(AddFamily(impl_.get(), MetricType::kInfo, options, {}, nullptr, {}));
}

absl::StatusOr<Family<StateSet>> Registry::AddStateSet(const MetricOptions& options, std::vector<std::string> states) {
  if (states.empty() || states.size() > 64) return absl::InvalidArgumentError("a stateset needs 1 to 64 states");
  std::set<std::string> uniq(states.begin(), states.end());
  if (uniq.size() != states.size()) return absl::InvalidArgumentError("duplicate stateset state");
  for (const std::string& s : states) {
    if (!internal::IsValidUtf8(s)) return absl::InvalidArgumentError("stateset state is not valid UTF-8");
  }
  return Wrap<StateSet>(AddFamily(impl_.get(), MetricType::kStateSet, options, {}, nullptr, std::move(states)));
}

absl::Status Registry::Unregister(std::string_view name) {
  std::unique_ptr<FamilyImpl> gone;
  {
    absl::MutexLock l(&impl_->mu);
    auto& fams = impl_->families;
    for (auto it = fams.begin(); it != fams.end(); ++it) {
      if ((*it)->options.name == name) {
        gone = std::move(*it);
        fams.erase(it);
        break;
      }
    }
  }
  if (gone == nullptr) return absl::NotFoundError(StrCat("no family \"", name, "\""));
  gone->Clear();
  impl_->Retire({absl::Time(), nullptr, nullptr, gone.release()});
  return absl::OkStatus();
}

absl::Status Registry::AddCollector(std::string name, CollectorFn collect, absl::Duration cache_ttl) {
  absl::MutexLock l(&impl_->mu);
  for (const auto& c : impl_->collectors) {
    if (c->name == name) return absl::AlreadyExistsError(StrCat("collector \"", name, "\" exists"));
  }
  auto c = std::make_shared<Impl::CollectorEntry>();
  c->name = std::move(name);
  c->fn = std::move(collect);
  c->ttl = cache_ttl;
  impl_->collectors.push_back(std::move(c));
  return absl::OkStatus();
}

absl::Status Registry::RemoveCollector(std::string_view name) {
  absl::MutexLock l(&impl_->mu);
  auto& cs = impl_->collectors;
  for (auto it = cs.begin(); it != cs.end(); ++it) {
    if ((*it)->name == name) {
      cs.erase(it);
      return absl::OkStatus();
    }
  }
  return absl::NotFoundError(StrCat("no collector \"", name, "\""));
}

size_t Registry::ExpireIdle() const {
  absl::Time now = impl_->Now();
  size_t removed = 0;
  {
    absl::ReaderMutexLock l(&impl_->mu);
    for (const auto& f : impl_->families) removed += f->ExpireIdle(now);
  }
  impl_->FreeRetired(now, false);
  return removed;
}

size_t Registry::family_count() const {
  absl::ReaderMutexLock l(&impl_->mu);
  return impl_->families.size();
}

namespace {

// Collectors' families plus the registry's own, sorted by name.
std::vector<MetricFamily> GatherExtra(Registry::Impl* impl, ExpositionFormat format) {
  std::vector<std::shared_ptr<Registry::Impl::CollectorEntry>> collectors;
  std::vector<MetricFamily> out;
  MetricFamily hits;
  hits.name = format == ExpositionFormat::kText ? "obsv_registry_series_limit_hits_total"
                                                : "obsv_registry_series_limit_hits";
  hits.type = MetricType::kCounter;
  hits.help = "New series refused or sent to the overflow series by a family's max_series.";
  hits.has_help = true;
  {
    absl::ReaderMutexLock l(&impl->mu);
    collectors = impl->collectors;
    for (const auto& f : impl->families) {
      if (f->options.max_series == 0) continue;
      Sample s;
      s.name = "obsv_registry_series_limit_hits_total";
      s.labels = {{"family", f->options.name}};
      s.value = static_cast<double>(f->limit_hits.load(std::memory_order_relaxed));
      hits.samples.push_back(std::move(s));
    }
  }
  if (!hits.samples.empty()) out.push_back(std::move(hits));
  absl::Time now = impl->Now();
  for (const auto& c : collectors) {
    absl::MutexLock l(&c->mu);
    if (!c->cached || c->ttl <= absl::ZeroDuration() || now - c->last >= c->ttl) {
      c->result = c->fn();
      c->last = now;
      c->cached = true;
    }
    out.insert(out.end(), c->result.begin(), c->result.end());
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const MetricFamily& a, const MetricFamily& b) { return a.name < b.name; });
  return out;
}

std::string_view BaseName(const MetricFamily& f) {
  std::string_view n = f.name;
  if (f.type == MetricType::kCounter && EndsWith(n, "_total")) n.remove_suffix(6);
  return n;
}

}  // namespace

absl::Status Registry::Expose(ExpositionFormat format, std::string* out) const {
  ExpireIdle();
  bool pb = format == ExpositionFormat::kProtobuf;
  // Protobuf gathers the OpenMetrics model (counters without `_total`, with
  // `_created`); the protobuf writer names and folds it.
  std::vector<MetricFamily> extra = GatherExtra(impl_.get(), pb ? ExpositionFormat::kOpenMetrics : format);
  absl::ReaderMutexLock l(&impl_->mu);
  const auto& fams = impl_->families;
  size_t e = 0;
  WriterOptions wo{.format = format, .write_eof = false};
  for (size_t i = 0; i <= fams.size(); ++i) {
    while (e < extra.size() && (i == fams.size() || BaseName(extra[e]) <= fams[i]->options.name)) {
      if (i < fams.size() && BaseName(extra[e]) == fams[i]->options.name) {
        return absl::InvalidArgumentError(
            StrCat("collected family \"", extra[e].name, "\" is also a registered family"));
      }
      absl::Status s = pb ? internal::WriteProtobufFamily(extra[e], out) : WriteFamily(extra[e], wo, out);
      if (!s.ok()) return s;
      ++e;
    }
    if (i == fams.size()) break;
    if (pb) {
      fams[i]->WriteProtobuf(out);
      continue;
    }
    absl::Status s = fams[i]->Write(format, out);
    if (!s.ok()) return s;
  }
  if (format == ExpositionFormat::kOpenMetrics) out->append("# EOF\n");
  return absl::OkStatus();
}

std::vector<MetricFamily> Registry::Collect(ExpositionFormat format) const {
  if (format == ExpositionFormat::kProtobuf) format = ExpositionFormat::kOpenMetrics;
  std::vector<MetricFamily> out = GatherExtra(impl_.get(), format);
  {
    absl::ReaderMutexLock l(&impl_->mu);
    for (const auto& f : impl_->families) {
      MetricFamily m = f->ToModel(format, /*native=*/true);
      if (!m.samples.empty()) out.push_back(std::move(m));
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const MetricFamily& a, const MetricFamily& b) { return BaseName(a) < BaseName(b); });
  return out;
}

}  // namespace obsv
