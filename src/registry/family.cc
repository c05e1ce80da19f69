#include "registry/family.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include "common/go_float.h"
#include "common/str_cat.h"
#include "common/utf8.h"
#include "obsv/exposition_writer.h"

namespace obsv::internal {

namespace {

inline uint64_t Fmix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ull;
  h ^= h >> 33;
  return h;
}

// wyhash-style: one 64x64->128 multiply per value of up to 16 bytes, so
// hashing 8 short label values is a chain of 8 multiplies. Loads never go
// past the value (overlapping loads for the tail).
constexpr uint64_t kP0 = 0xa0761d6478bd642full;
constexpr uint64_t kP1 = 0xe7037ed1a0b428dbull;

inline uint64_t Mum(uint64_t a, uint64_t b) {
  unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}
inline uint64_t Load64(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}
inline uint64_t Load32(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

inline uint64_t HashPiece(uint64_t h, const char* p, size_t n) {
  uint64_t a, b;
  if (n <= 16) {
    if (n >= 8) {
      a = Load64(p);
      b = Load64(p + n - 8);
    } else if (n >= 4) {
      a = Load32(p);
      b = Load32(p + n - 4);
    } else if (n > 0) {
      a = (uint64_t{static_cast<unsigned char>(p[0])} << 16) |
          (uint64_t{static_cast<unsigned char>(p[n >> 1])} << 8) | static_cast<unsigned char>(p[n - 1]);
      b = 0;
    } else {
      a = b = 0;
    }
  } else {
    size_t i = n;
    while (i > 16) {
      h = Mum(Load64(p) ^ kP0, Load64(p + 8) ^ h);
      p += 16;
      i -= 16;
    }
    a = Load64(p + i - 16);
    b = Load64(p + i - 8);
  }
  return Mum(a ^ kP0 ^ n, b ^ h ^ kP1);
}

}  // namespace

uint64_t HashValues(absl::Span<const std::string_view> values) {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ values.size();
  for (std::string_view v : values) h = HashPiece(h, v.data(), v.size());
  return Fmix(h);
}

namespace {
// Label values are short: overlapping word compares beat a memcmp call, and
// below 4 bytes the first, middle and last byte are every byte.
inline bool SameBytes(const char* a, const char* b, size_t n) {
  if (n >= 8) {
    if (n <= 16) return ((Load64(a) ^ Load64(b)) | (Load64(a + n - 8) ^ Load64(b + n - 8))) == 0;
    return std::memcmp(a, b, n) == 0;
  }
  if (n >= 4) return ((Load32(a) ^ Load32(b)) | (Load32(a + n - 4) ^ Load32(b + n - 4))) == 0;
  if (n == 0) return true;
  return ((a[0] ^ b[0]) | (a[n >> 1] ^ b[n >> 1]) | (a[n - 1] ^ b[n - 1])) == 0;
}
}  // namespace

bool KeyEquals(const std::string& key, absl::Span<const std::string_view> values) {
  const char* p = key.data();
  const char* end = p + key.size();
  for (std::string_view v : values) {
    size_t n = v.size();
    if (static_cast<size_t>(end - p) <= n || p[n] != '\xff' || !SameBytes(p, v.data(), n)) return false;
    p += n + 1;
  }
  return p == end;
}

namespace {

std::vector<std::string_view> SplitKey(const std::string& key) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i < key.size(); ++i) {
    if (key[i] == '\xff') {
      out.emplace_back(key.data() + start, i - start);
      start = i + 1;
    }
  }
  return out;
}

void AppendLabelPair(std::string_view name, std::string_view value, std::string* out) {
  AppendLabelName(name, out);
  out->append("=\"");
  AppendEscapedQuoted(value, out);
  out->push_back('"');
}

}  // namespace

FamilyImpl::FamilyImpl(Registry::Impl* reg, MetricType t, MetricOptions o)
    : registry(reg), type(t), options(std::move(o)), table_(new SeriesTable(16)) {}

FamilyImpl::~FamilyImpl() {
  for (Series* s : series_) {
    FreeSlots(s->slot, n_int + n_double);
    delete s;
  }
  delete table_.load();
}

Series* FamilyImpl::Find(absl::Span<const std::string_view> values, uint64_t hash) const {
  SeriesTable* t = table_.load(std::memory_order_acquire);
  for (size_t i = hash & t->mask;; i = (i + 1) & t->mask) {
    Series* s = t->slots[i].load(std::memory_order_acquire);
    if (s == nullptr) return nullptr;
    if (s != kTombstone && s->hash == hash && KeyEquals(s->key, values)) return s;
  }
}

absl::StatusOr<Series*> FamilyImpl::Resolve(absl::Span<const std::string_view> values, bool create) {
  if (values.size() != options.label_names.size()) {
    return absl::InvalidArgumentError(StrCat("family \"", options.name, "\" has ", options.label_names.size(),
                                             " label names, got ", values.size(), " values"));
  }
  uint64_t hash = HashValues(values);
  if (Series* s = Find(values, hash)) {
    if (!s->touched.load(std::memory_order_relaxed)) s->touched.store(true, std::memory_order_relaxed);
    return s;
  }
  if (!create) return absl::NotFoundError(StrCat("no such series in family \"", options.name, "\""));
  for (std::string_view v : values) {
    if (!IsValidUtf8(v)) {
      return absl::InvalidArgumentError(StrCat("label value is not valid UTF-8 in family \"", options.name, "\""));
    }
  }
  absl::MutexLock l(&mu);
  if (Series* s = Find(values, hash)) return s;
  if (options.max_series != 0 && live_ >= options.max_series) {
    limit_hits.fetch_add(1, std::memory_order_relaxed);
    if (options.overflow == OverflowPolicy::kRefuse) {
      return absl::ResourceExhaustedError(
          StrCat("family \"", options.name, "\" is at its limit of ", options.max_series, " series"));
    }
    if (overflow_ == nullptr) {
      std::vector<std::string_view> ov(values.size(), options.overflow_label_value);
      overflow_ = CreateLocked(ov, HashValues(ov));
      if (overflow_ == nullptr) return absl::ResourceExhaustedError("no cell slots left");
      --live_;
    }
    return overflow_;
  }
  Series* s = CreateLocked(values, hash);
  if (s == nullptr) return absl::ResourceExhaustedError("no cell slots left for a new series");
  return s;
}

Series* FamilyImpl::CreateLocked(absl::Span<const std::string_view> values, uint64_t hash) {
  uint32_t slot = kNoSlot;
  if (n_int + n_double != 0) {
    slot = AllocateSlots(n_int + n_double);
    if (slot == kNoSlot) return nullptr;
  }
  auto* s = new Series;
  s->family = this;
  s->hash = hash;
  s->slot = slot;
  size_t key_size = values.size();
  for (std::string_view v : values) key_size += v.size();
  s->key.reserve(key_size);
  for (std::string_view v : values) {
    s->key.append(v.data(), v.size());
    s->key.push_back('\xff');
  }
  for (const Label& l : options.const_labels) {
    if (!s->label_text.empty()) s->label_text.push_back(',');
    AppendLabelPair(l.name, l.value, &s->label_text);
  }
  for (size_t i = 0; i < values.size(); ++i) {
    if (!s->label_text.empty()) s->label_text.push_back(',');
    AppendLabelPair(options.label_names[i], values[i], &s->label_text);
  }
  s->label_text.shrink_to_fit();
  if (type == MetricType::kHistogram || type == MetricType::kGaugeHistogram) {
    if (padded_bounds.empty()) padded_bounds = PadBounds(bounds);
    s->bounds = padded_bounds.data();
    s->n_bounds = static_cast<uint32_t>(bounds.size() - 1);
  }
  if (is_native) s->native = std::make_unique<NativeHistogramState>(native, &bounds, registry->Now());
  if (type == MetricType::kSummary) {
    s->summary = std::make_unique<SummaryState>();
    s->summary->ring.resize(static_cast<size_t>(summary.age_buckets));
    s->summary->head_start = registry->Now();
  }
  s->created = registry->Now();
  s->changed = s->created;
  InsertLocked(s);
  series_.push_back(s);
  sorted_ = series_.size() < 2 || (sorted_ && series_[series_.size() - 2]->key < s->key);
  ++live_;
  return s;
}

void FamilyImpl::InsertLocked(Series* s) {
  SeriesTable* t = table_.load(std::memory_order_relaxed);
  if ((t->used + 1) * 2 > t->mask + 1) {
    size_t live = series_.size() + 1;
    size_t cap = t->mask + 1;
    while (live * 4 > cap) cap *= 2;  // a fresh table is at most a quarter full
    auto* fresh = new SeriesTable(cap);
    for (size_t i = 0; i <= t->mask; ++i) {
      Series* e = t->slots[i].load(std::memory_order_relaxed);
      if (e == nullptr || e == kTombstone) continue;
      size_t j = e->hash & fresh->mask;
      while (fresh->slots[j].load(std::memory_order_relaxed) != nullptr) j = (j + 1) & fresh->mask;
      fresh->slots[j].store(e, std::memory_order_relaxed);
      ++fresh->used;
    }
    table_.store(fresh, std::memory_order_release);
    registry->Retire({absl::Time(), nullptr, t, nullptr});
    t = fresh;
  }
  size_t i = s->hash & t->mask;
  for (;; i = (i + 1) & t->mask) {
    Series* e = t->slots[i].load(std::memory_order_relaxed);
    if (e == nullptr) {
      ++t->used;
      break;
    }
    if (e == kTombstone) break;
  }
  t->slots[i].store(s, std::memory_order_release);
}

void FamilyImpl::RemoveLocked(Series* s) {
  SeriesTable* t = table_.load(std::memory_order_relaxed);
  for (size_t i = s->hash & t->mask;; i = (i + 1) & t->mask) {
    Series* e = t->slots[i].load(std::memory_order_relaxed);
    if (e == nullptr) break;
    if (e == s) {
      t->slots[i].store(kTombstone, std::memory_order_release);
      break;
    }
  }
  auto it = std::find(series_.begin(), series_.end(), s);
  if (it != series_.end()) {
    *it = series_.back();
    series_.pop_back();
    sorted_ = false;
  }
  if (s == overflow_) {
    overflow_ = nullptr;
  } else {
    --live_;
  }
  registry->Retire({absl::Time(), s, nullptr, nullptr});
}

bool FamilyImpl::Remove(absl::Span<const std::string_view> values) {
  if (values.size() != options.label_names.size()) return false;
  absl::MutexLock l(&mu);
  Series* s = Find(values, HashValues(values));
  if (s == nullptr) return false;
  RemoveLocked(s);
  return true;
}

void FamilyImpl::Clear() {
  absl::MutexLock l(&mu);
  while (!series_.empty()) RemoveLocked(series_.back());
  SeriesTable* t = table_.load(std::memory_order_relaxed);
  table_.store(new SeriesTable(16), std::memory_order_release);
  registry->Retire({absl::Time(), nullptr, t, nullptr});
}

size_t FamilyImpl::size() const {
  absl::MutexLock l(&mu);
  return series_.size();
}

void FamilyImpl::SortLocked() {
  if (sorted_) return;
  std::sort(series_.begin(), series_.end(), [](const Series* a, const Series* b) { return a->key < b->key; });
  sorted_ = true;
}

uint64_t FamilyImpl::Fingerprint(Series& s) const {
  switch (type) {
    case MetricType::kHistogram:
      if (s.native != nullptr) return s.native->Count();
      [[fallthrough]];
    case MetricType::kCounter:
    case MetricType::kGaugeHistogram: {
      uint64_t ints[256];
      double d = 0;
      FoldCells(s.slot, n_int, n_double, ints, &d);
      uint64_t h = DoubleToBits(d);
      for (uint32_t i = 0; i < n_int; ++i) h = Fmix(h ^ ints[i]) + i;
      return h;
    }
    case MetricType::kGauge:
    case MetricType::kStateSet:
      return s.word.load(std::memory_order_relaxed);
    case MetricType::kSummary: {
      absl::MutexLock l(&s.summary->mu);
      return s.summary->count;
    }
    case MetricType::kInfo:
    case MetricType::kUnknown:
      return 0;
  }
  return 0;
}

Histogram::Snapshot FamilyImpl::ReadHistogram(const Series& s, absl::Time* created) const {
  if (s.native != nullptr) return s.native->Read(created);
  Histogram::Snapshot snap;
  uint64_t counts[256];
  FoldCells(s.slot, n_int, 1, counts, &snap.sum);
  snap.upper_bounds = bounds;
  uint64_t cum = 0;
  for (uint32_t i = 0; i < n_int; ++i) snap.cumulative.push_back(cum += counts[i]);
  snap.count = cum;
  if (created != nullptr) *created = s.created;
  return snap;
}

size_t FamilyImpl::ExpireIdle(absl::Time now) {
  if (options.idle_ttl <= absl::ZeroDuration()) return 0;
  absl::MutexLock l(&mu);
  std::vector<Series*> idle;
  for (Series* s : series_) {
    uint64_t fp = Fingerprint(*s);
    bool touched = s->touched.exchange(false, std::memory_order_relaxed);
    if (touched || fp != s->fingerprint) {
      s->fingerprint = fp;
      s->changed = now;
    } else if (now - s->changed > options.idle_ttl) {
      idle.push_back(s);
    }
  }
  for (Series* s : idle) RemoveLocked(s);
  return idle.size();
}

std::vector<Label> FamilyImpl::LabelsOf(const Series& s) const {
  std::vector<Label> labels = options.const_labels;
  std::vector<std::string_view> values = SplitKey(s.key);
  for (size_t i = 0; i < values.size(); ++i) {
    labels.push_back({options.label_names[i], std::string(values[i])});
  }
  return labels;
}

// ---- Summary ------------------------------------------------------------

namespace {

void RotateLocked(SummaryState& st, const SummaryOptions& o, absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(st.mu) {
  absl::Duration width = o.max_age / o.age_buckets;
  if (now - st.head_start < width) return;
  if (now - st.head_start >= o.max_age + width) {
    for (auto& b : st.ring) {
      b.samples.clear();
      b.seen = 0;
    }
    st.head_start = now;
    return;
  }
  while (now - st.head_start >= width) {
    st.head = (st.head + 1) % st.ring.size();
    st.ring[st.head].samples.clear();
    st.ring[st.head].seen = 0;
    st.head_start += width;
  }
}

// Weighted quantiles over the window: each kept sample of a bucket stands
// for seen/kept observations.
std::vector<double> Quantiles(SummaryState& st, const SummaryOptions& o) ABSL_EXCLUSIVE_LOCKS_REQUIRED(st.mu) {
  std::vector<std::pair<double, double>> all;
  for (const auto& b : st.ring) {
    if (b.samples.empty()) continue;
    double w = static_cast<double>(b.seen) / static_cast<double>(b.samples.size());
    for (double v : b.samples) all.emplace_back(v, w);
  }
  std::vector<double> out;
  if (all.empty()) {
    out.assign(o.quantiles.size(), std::numeric_limits<double>::quiet_NaN());
    return out;
  }
  std::sort(all.begin(), all.end());
  double total = 0;
  for (auto& p : all) total += p.second;
  for (double q : o.quantiles) {
    double target = q * total;
    double cum = 0;
    double v = all.back().first;
    for (auto& p : all) {
      cum += p.second;
      if (cum >= target) {
        v = p.first;
        break;
      }
    }
    out.push_back(v);
  }
  return out;
}

}  // namespace

// ---- Model and exposition -----------------------------------------------

MetricFamily FamilyImpl::ToModel(ExpositionFormat format, bool native) const {
  bool om = format == ExpositionFormat::kOpenMetrics;
  MetricFamily f;
  f.type = type;
  f.help = options.help;
  f.has_help = !options.help.empty();
  if (om) f.unit = options.unit;
  const std::string& n = options.name;
  f.name = (type == MetricType::kCounter && !om) ? n + "_total" : n;
  absl::MutexLock l(&mu);
  const_cast<FamilyImpl*>(this)->SortLocked();
  for (Series* s : series_) {
    std::vector<Label> labels = LabelsOf(*s);
    double created = absl::ToDoubleSeconds(s->created - absl::UnixEpoch());
    auto add = [&](std::string name, std::vector<Label> ls, double v) {
      Sample smp;
      smp.name = std::move(name);
      smp.labels = std::move(ls);
      smp.value = v;
      f.samples.push_back(std::move(smp));
    };
    switch (type) {
      case MetricType::kCounter: {
        uint64_t i = 0;
        double d = 0;
        FoldCells(s->slot, 1, 1, &i, &d);
        add(n + "_total", labels, static_cast<double>(i) + d);
        if (ExemplarSlots* ex = s->exemplars.get(); ex != nullptr && om) f.samples.back().exemplar = ex->Get(0);
        if (om) add(n + "_created", labels, created);
        break;
      }
      case MetricType::kGauge:
        add(n, labels, BitsToDouble(s->word.load(std::memory_order_relaxed)));
        break;
      case MetricType::kHistogram:
      case MetricType::kGaugeHistogram: {
        absl::Time created_at;
        Histogram::Snapshot snap = ReadHistogram(*s, &created_at);
        created = absl::ToDoubleSeconds(created_at - absl::UnixEpoch());
        ExemplarSlots* ex = om ? s->exemplars.get() : nullptr;
        for (size_t b = 0; b < bounds.size(); ++b) {
          std::vector<Label> ls = labels;
          char buf[kMaxGoFloatChars];
          ls.push_back({"le", std::string(buf, FormatGoFloat(bounds[b], buf))});
          add(n + "_bucket", std::move(ls), static_cast<double>(snap.cumulative[b]));
          if (ex != nullptr) f.samples.back().exemplar = ex->Get(b);
        }
        bool gauge = type == MetricType::kGaugeHistogram;
        add(n + (gauge ? "_gcount" : "_count"), labels, static_cast<double>(snap.count));
        if (native && snap.native) {
          NativeHistogramData& d = f.samples.back().native.emplace();
          d.schema = snap.schema;
          d.zero_threshold = snap.zero_threshold;
          d.zero_count = snap.zero_count;
          for (const auto& b : snap.positive) d.positive.push_back({b.index, b.count});
          for (const auto& b : snap.negative) d.negative.push_back({b.index, b.count});
        }
        add(n + (gauge ? "_gsum" : "_sum"), labels, snap.sum);
        if (om && !gauge) add(n + "_created", labels, created);
        break;
      }
      case MetricType::kSummary: {
        SummaryState& st = *s->summary;
        absl::MutexLock sl(&st.mu);
        RotateLocked(st, summary, registry->Now());
        std::vector<double> qs = Quantiles(st, summary);
        for (size_t q = 0; q < qs.size(); ++q) {
          std::vector<Label> ls = labels;
          char buf[kMaxGoFloatChars];
          ls.push_back({"quantile", std::string(buf, FormatGoFloat(summary.quantiles[q], buf))});
          add(n, std::move(ls), qs[q]);
        }
        add(n + "_count", labels, static_cast<double>(st.count));
        add(n + "_sum", labels, st.sum);
        if (om) add(n + "_created", labels, created);
        break;
      }
      case MetricType::kInfo:
        add(n + "_info", labels, 1);
        break;
      case MetricType::kStateSet: {
        uint64_t bits = s->word.load(std::memory_order_relaxed);
        for (size_t i = 0; i < states.size(); ++i) {
          std::vector<Label> ls = labels;
          ls.push_back({n, states[i]});
          add(n, std::move(ls), (bits >> i) & 1 ? 1 : 0);
        }
        break;
      }
      case MetricType::kUnknown:
        break;
    }
  }
  return f;
}

// ---- Handles --------------------------------------------------------------

}  // namespace obsv::internal

namespace obsv {

using internal::BitsToDouble;
using internal::Cell;
using internal::CurrentArena;
using internal::DoubleToBits;
using internal::kChunkSlots;
using internal::ThreadArena;

void Counter::Inc(uint64_t n) const {
  if (Cell* c = internal::OwnCells(internal::tls_arena, slot_)) {
    c->store(c->load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    return;
  }
  internal::AddSlow(slot_, n);
}

void Counter::Add(double v) const {
  if (!(v >= 0)) return;
  ThreadArena* a = CurrentArena();
  Cell* c = a->ChunkFor(slot_) + (slot_ & (kChunkSlots - 1));
  internal::CellAddDouble(a, c + 1, v);
}

double Counter::Value() const {
  uint64_t i = 0;
  double d = 0;
  internal::FoldCells(slot_, 1, 1, &i, &d);
  return static_cast<double>(i) + d;
}

void Gauge::Set(double v) const { series_->word.store(DoubleToBits(v), std::memory_order_relaxed); }

void Gauge::Add(double v) const {
  uint64_t old = series_->word.load(std::memory_order_relaxed);
  while (!series_->word.compare_exchange_weak(old, DoubleToBits(BitsToDouble(old) + v),
                                              std::memory_order_relaxed)) {
  }
}

void Gauge::SetToCurrentTime() const {
  Set(absl::ToDoubleSeconds(series_->family->registry->Now() - absl::UnixEpoch()));
}

double Gauge::Value() const { return BitsToDouble(series_->word.load(std::memory_order_relaxed)); }

namespace {
absl::Time RegistryNow(const internal::Series* s) { return s->family->registry->Now(); }
}  // namespace

absl::Status Counter::IncWithExemplar(uint64_t n, absl::Span<const Label> exemplar) const {
  absl::Status st = internal::ValidateExemplar(exemplar);
  if (!st.ok()) return st;
  Inc(n);
  series_->exemplars.GetOrCreate(1)->Set(0, exemplar, static_cast<double>(n), RegistryNow(series_));
  return absl::OkStatus();
}

absl::Status Counter::AddWithExemplar(double v, absl::Span<const Label> exemplar) const {
  if (!(v >= 0)) return absl::InvalidArgumentError("a counter's increment must be >= 0 and not NaN");
  absl::Status st = internal::ValidateExemplar(exemplar);
  if (!st.ok()) return st;
  Add(v);
  series_->exemplars.GetOrCreate(1)->Set(0, exemplar, v, RegistryNow(series_));
  return absl::OkStatus();
}

absl::Status Histogram::ObserveWithExemplar(double v, absl::Span<const Label> exemplar) const {
  absl::Status st = internal::ValidateExemplar(exemplar);
  if (!st.ok()) return st;
  uint32_t bucket;
  if (series_->native != nullptr) {
    bucket = series_->native->Observe(v, [this] { return RegistryNow(series_); });
  } else {
    Observe(v);
    // The bucket Observe() counted v in (padded bounds, see cells.h).
    bucket = internal::BucketIndex(series_->bounds, series_->n_bounds, v);
  }
  series_->exemplars.GetOrCreate(series_->n_bounds + 1)->Set(bucket, exemplar, v, RegistryNow(series_));
  return absl::OkStatus();
}

void Histogram::Observe(double v) const {
  if (__builtin_expect(series_->native != nullptr, 0)) {
    series_->native->Observe(v, [this] { return RegistryNow(series_); });
    return;
  }
  uint32_t n = series_->n_bounds;
  uint32_t i = internal::BucketIndex(series_->bounds, n, v);
  ThreadArena* a = internal::tls_arena;
  Cell* c = internal::OwnCells(a, slot_);
  if (__builtin_expect(c == nullptr, 0)) return internal::ObserveSlow(slot_, i, n, v);
  // Odd while the bucket and sum disagree (see cells.h); the fence keeps
  // the odd store ahead of the cell stores for a reader on another core.
  uint64_t s = a->seq.load(std::memory_order_relaxed);
  a->seq.store(s + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  c[i].store(c[i].load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  internal::OwnCellAddDouble(c + n + 1, v);
  a->seq.store(s + 2, std::memory_order_release);
}

Histogram::Snapshot Histogram::Read() const {
  if (series_->native != nullptr) return series_->native->Read(nullptr);
  Snapshot snap;
  uint32_t n = series_->n_bounds + 1;
  uint64_t counts[256];
  internal::FoldCells(slot_, n, 1, counts, &snap.sum);
  snap.upper_bounds.assign(series_->bounds, series_->bounds + n);
  uint64_t cum = 0;
  for (uint32_t i = 0; i < n; ++i) {
    cum += counts[i];
    snap.cumulative.push_back(cum);
  }
  snap.count = cum;
  return snap;
}

void GaugeHistogram::Observe(double v, int64_t n) const {
  uint32_t nb = series_->n_bounds;
  uint32_t i = internal::BucketIndex(series_->bounds, nb, v);
  ThreadArena* a = CurrentArena();
  Cell* c = a->ChunkFor(slot_) + (slot_ & (kChunkSlots - 1));
  double dv = static_cast<double>(n) * v;
  if (__builtin_expect(a->shared, 0)) {
    c[i].fetch_add(static_cast<uint64_t>(n), std::memory_order_relaxed);
    internal::CellAddDouble(a, c + nb + 1, dv);
    return;
  }
  uint64_t s = a->seq.load(std::memory_order_relaxed);
  a->seq.store(s + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
  c[i].store(c[i].load(std::memory_order_relaxed) + static_cast<uint64_t>(n), std::memory_order_relaxed);
  c[nb + 1].store(DoubleToBits(BitsToDouble(c[nb + 1].load(std::memory_order_relaxed)) + dv),
                  std::memory_order_relaxed);
  a->seq.store(s + 2, std::memory_order_release);
}

Histogram::Snapshot GaugeHistogram::Read() const { return series_->family->ReadHistogram(*series_, nullptr); }

void Summary::Observe(double v) const {
  internal::FamilyImpl* f = series_->family;
  absl::Time now = f->registry->Now();
  internal::SummaryState& st = *series_->summary;
  absl::MutexLock l(&st.mu);
  internal::RotateLocked(st, f->summary, now);
  ++st.count;
  st.sum += v;
  auto& b = st.ring[st.head];
  ++b.seen;
  if (b.samples.size() < f->summary.max_samples_per_bucket) {
    b.samples.push_back(v);
  } else {
    st.rng ^= st.rng << 13;
    st.rng ^= st.rng >> 7;
    st.rng ^= st.rng << 17;
    uint64_t j = st.rng % b.seen;
    if (j < b.samples.size()) b.samples[j] = v;
  }
}

namespace {
int StateIndex(const internal::Series* s, std::string_view state) {
  const auto& states = s->family->states;
  for (size_t i = 0; i < states.size(); ++i) {
    if (states[i] == state) return static_cast<int>(i);
  }
  return -1;
}
}  // namespace

absl::Status StateSet::Set(std::string_view state, bool value) const {
  int i = StateIndex(series_, state);
  if (i < 0) return absl::NotFoundError(internal::StrCat("no state \"", state, "\""));
  uint64_t bit = uint64_t{1} << i;
  if (value) {
    series_->word.fetch_or(bit, std::memory_order_relaxed);
  } else {
    series_->word.fetch_and(~bit, std::memory_order_relaxed);
  }
  return absl::OkStatus();
}

absl::Status StateSet::SetOnly(std::string_view state) const {
  int i = StateIndex(series_, state);
  if (i < 0) return absl::NotFoundError(internal::StrCat("no state \"", state, "\""));
  series_->word.store(uint64_t{1} << i, std::memory_order_relaxed);
  return absl::OkStatus();
}

bool StateSet::Get(std::string_view state) const {
  int i = StateIndex(series_, state);
  return i >= 0 && ((series_->word.load(std::memory_order_relaxed) >> i) & 1) != 0;
}

// ---- Family<H> --------------------------------------------------------------

template <typename H>
absl::StatusOr<H> Family<H>::WithLabelValues(absl::Span<const std::string_view> values) const {
  absl::StatusOr<internal::Series*> s = impl_->Resolve(values, true);
  if (!s.ok()) return s.status();
  return internal::HandleAccess::Make<H>(*s);
}

template <typename H>
absl::StatusOr<H> Family<H>::Get(absl::Span<const std::string_view> values) const {
  absl::StatusOr<internal::Series*> s = impl_->Resolve(values, false);
  if (!s.ok()) return s.status();
  return internal::HandleAccess::Make<H>(*s);
}

template <typename H>
bool Family<H>::Remove(absl::Span<const std::string_view> values) const {
  return impl_->Remove(values);
}

template <typename H>
void Family<H>::Clear() const {
  impl_->Clear();
}

template <typename H>
size_t Family<H>::size() const {
  return impl_->size();
}

template <typename H>
const std::string& Family<H>::name() const {
  return impl_->options.name;
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;
template class Family<Summary>;
template class Family<Info>;
template class Family<StateSet>;
template class Family<GaugeHistogram>;

}  // namespace obsv
