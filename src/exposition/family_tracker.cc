#include "exposition/family_tracker.h"

#include <algorithm>
#include <cstdint>
#include <cmath>
#include <cstring>
#include <limits>

#include "common/byte_scan.h"
#include "common/str_cat.h"
#include "common/number_parse.h"

namespace obsv::internal {
namespace {

struct SuffixRule {
  std::string_view text;
  SampleSuffix suffix;
};

// The sample names each type allows, per format. Text 0.0.4 has no
// `_created`; OpenMetrics counters must end in `_total`.
struct Allowed {
  const SuffixRule* rules;
  int count;
  bool bare;  // the family name itself
};

constexpr SuffixRule kCounterOm[] = {{"_total", SampleSuffix::kTotal}, {"_created", SampleSuffix::kCreated}};
constexpr SuffixRule kHistogramOm[] = {{"_bucket", SampleSuffix::kBucket}, {"_count", SampleSuffix::kCount},
                                       {"_sum", SampleSuffix::kSum}, {"_created", SampleSuffix::kCreated}};
constexpr SuffixRule kHistogramText[] = {{"_bucket", SampleSuffix::kBucket}, {"_count", SampleSuffix::kCount},
                                         {"_sum", SampleSuffix::kSum}};
constexpr SuffixRule kGaugeHistogram[] = {{"_bucket", SampleSuffix::kBucket}, {"_gcount", SampleSuffix::kGCount},
                                          {"_gsum", SampleSuffix::kGSum}};
constexpr SuffixRule kSummaryOm[] = {{"_count", SampleSuffix::kCount}, {"_sum", SampleSuffix::kSum},
                                     {"_created", SampleSuffix::kCreated}};
constexpr SuffixRule kSummaryText[] = {{"_count", SampleSuffix::kCount}, {"_sum", SampleSuffix::kSum}};
constexpr SuffixRule kInfo[] = {{"_info", SampleSuffix::kInfo}};

Allowed AllowedFor(MetricType type, bool om) {
  switch (type) {
    case MetricType::kCounter:
      return om ? Allowed{kCounterOm, 2, false} : Allowed{nullptr, 0, true};
    case MetricType::kHistogram:
      return om ? Allowed{kHistogramOm, 4, false} : Allowed{kHistogramText, 3, false};
    case MetricType::kGaugeHistogram:
      return Allowed{kGaugeHistogram, 3, false};
    case MetricType::kSummary:
      return om ? Allowed{kSummaryOm, 3, true} : Allowed{kSummaryText, 2, true};
    case MetricType::kInfo:
      return Allowed{kInfo, 1, false};
    case MetricType::kGauge:
    case MetricType::kUnknown:
    case MetricType::kStateSet:
      return Allowed{nullptr, 0, true};
  }
  return Allowed{nullptr, 0, true};
}

}  // namespace

namespace {

uint64_t HashName(std::string_view s) {
  // 8 bytes at a time, multiply-mixed: the table only needs spread, not
  // secrecy (a collision costs a string compare, never a wrong answer).
  uint64_t h = 0x9E3779B97F4A7C15ULL ^ s.size();
  const char* p = s.data();
  size_t n = s.size();
  uint64_t w = 0;
  if (n >= 8) {
    while (n > 8) {
      std::memcpy(&w, p, 8);
      h = (h ^ w) * 0xBF58476D1CE4E5B9ULL;
      h ^= h >> 31;
      p += 8;
      n -= 8;
    }
    std::memcpy(&w, p + n - 8, 8);  // the last eight bytes, overlapping
  } else if (n >= 4) {
    uint32_t a, b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, p + n - 4, 4);
    w = a | uint64_t{b} << 32;
  } else if (n > 0) {
    w = static_cast<unsigned char>(p[0]) | uint64_t{static_cast<unsigned char>(p[n / 2])} << 8 |
        uint64_t{static_cast<unsigned char>(p[n - 1])} << 16;
  }
  h = (h ^ w) * 0x94D049BB133111EBULL;
  return h ^ (h >> 29);
}

}  // namespace

// Whether a sorts before b, bytewise (as memcmp, then shorter first).
// Inline: family names share long prefixes, compared eight bytes at a time.
inline bool BytesLess(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t x, y;
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    if (x != y) {
      size_t k = i + static_cast<size_t>(__builtin_ctzll(x ^ y)) / 8;  // little-endian: the first byte that differs
      return static_cast<unsigned char>(a[k]) < static_cast<unsigned char>(b[k]);
    }
  }
  for (; i < n; ++i) {
    if (a[i] != b[i]) return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[i]);
  }
  return a.size() < b.size();
}

void FamilyNameSet::Clear() {
  arena_used_ = 0;
  entries_.clear();
  for (uint32_t i : used_) slots_[i] = 0;
  used_.clear();
  sorted_ = true;
}

size_t FamilyNameSet::Probe(std::string_view name, uint64_t hash) const {
  size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    uint32_t slot = slots_[i];
    if (slot == 0) return i;
    const Entry& e = entries_[slot - 1];
    if (e.hash == hash && e.length == name.size() && EqualBytes(arena_.data() + e.offset, name.data(), name.size())) {
      return i;
    }
  }
}

void FamilyNameSet::Grow() { Rehash(slots_.empty() ? 64 : slots_.size() * 2); }

void FamilyNameSet::Rehash(size_t size) {
  // At least `size` slots and at most half of them in use; the table keeps
  // its size across Clear() (only the used slots are zeroed).
  while ((entries_.size() + 1) * 2 > size) size *= 2;
  if (size > slots_.size()) {
    slots_.assign(size, 0u);
  } else {
    for (uint32_t i : used_) slots_[i] = 0;
  }
  used_.clear();
  size_t mask = slots_.size() - 1;
  for (uint32_t e = 0; e < entries_.size(); ++e) {
    size_t i = entries_[e].hash & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = e + 1;
    used_.push_back(static_cast<uint32_t>(i));
  }
}

void FamilyNameSet::BuildTable() {
  // The names came sorted so far and were kept without hashes; from here
  // on every name is hashed.
  sorted_ = false;
  for (Entry& e : entries_) e.hash = HashName(std::string_view(arena_.data() + e.offset, e.length));
  Rehash(64);
}

inline uint32_t FamilyNameSet::Append(std::string_view name, uint64_t hash) {
  entries_.push_back(Entry{hash, static_cast<uint32_t>(arena_used_), static_cast<uint32_t>(name.size()),
                           MetricType::kUnknown});
  // The arena only grows (kept across Clear()); names are copied in place.
  if (arena_.size() - arena_used_ < name.size()) {
    arena_.resize(std::max(arena_used_ + name.size(), std::max<size_t>(2 * arena_.size(), 4096)));
  }
  CopyBytes(&arena_[arena_used_], name.data(), name.size());
  arena_used_ += name.size();
  return static_cast<uint32_t>(entries_.size() - 1);
}

inline uint32_t FamilyNameSet::FindOrAdd(std::string_view name, bool* added) {
  if (sorted_) {
    // Exposition writers usually sort their families: a name after the
    // last one cannot be among the earlier ones.
    if (entries_.empty() || BytesLess(this->name(static_cast<uint32_t>(entries_.size() - 1)), name)) {
      *added = true;
      return Append(name, 0);
    }
    BuildTable();
  }
  return FindOrAddHashed(name, added);
}

uint32_t FamilyNameSet::FindOrAddHashed(std::string_view name, bool* added) {
  if ((entries_.size() + 1) * 2 > slots_.size()) Grow();
  uint64_t hash = HashName(name);
  size_t i = Probe(name, hash);
  if (slots_[i] != 0) {
    *added = false;
    return slots_[i] - 1;
  }
  uint32_t index = Append(name, hash);
  slots_[i] = index + 1;
  used_.push_back(static_cast<uint32_t>(i));
  *added = true;
  return index;
}

bool FamilyNameSet::Find(std::string_view name, uint32_t* index) const {
  if (sorted_) {
    // Binary search over the sorted names.
    size_t lo = 0, hi = entries_.size();
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (BytesLess(this->name(static_cast<uint32_t>(mid)), name)) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    if (lo < entries_.size() && this->name(static_cast<uint32_t>(lo)) == name) {
      *index = static_cast<uint32_t>(lo);
      return true;
    }
    return false;
  }
  if (slots_.empty()) return false;
  size_t i = Probe(name, HashName(name));
  if (slots_[i] == 0) return false;
  *index = slots_[i] - 1;
  return true;
}

void FamilyTracker::Configure(ExpositionFormat format, const ParserOptions& options) {
  format_ = format;
  options_ = options;
  om_ = format == ExpositionFormat::kOpenMetrics;
}

void FamilyTracker::SetName(std::string_view name) {
  // A buffer that only grows: no allocation, and no std::string::assign()
  // (a general replace) per family.
  if (name_buf_.size() < name.size()) name_buf_.resize(std::max(name.size(), 2 * name_buf_.size()));
  CopyBytes(&name_buf_[0], name.data(), name.size());
  name_ = std::string_view(name_buf_.data(), name.size());
}

void FamilyTracker::Reset() {
  name_ = {};
  type_ = MetricType::kUnknown;
  suffix_ = SampleSuffix::kNone;
  open_ = has_type_ = has_help_ = has_unit_ = has_samples_ = false;
  plain_ = false;
  unit_.clear();
  families_ = 0;
  seen_.Clear();
  bucket_key_.clear();
  in_bucket_group_ = false;
}

inline bool FamilyTracker::MatchSuffix(std::string_view metric, SampleSuffix* suffix) const {
  size_t n = name_.size();
  if (!open_ || metric.size() < n || !EqualBytes(metric.data(), name_.data(), n)) return false;
  Allowed allowed = AllowedFor(type_, om_);
  if (metric.size() == n) {
    if (!allowed.bare) return false;
    *suffix = SampleSuffix::kNone;
    return true;
  }
  const char* rest = metric.data() + n;
  size_t rest_size = metric.size() - n;
  for (int i = 0; i < allowed.count; ++i) {
    std::string_view rule = allowed.rules[i].text;
    if (rest_size == rule.size() && EqualBytes(rest, rule.data(), rule.size())) {
      *suffix = allowed.rules[i].suffix;
      return true;
    }
  }
  return false;
}

bool FamilyTracker::EndBucketGroupSlow(LineError* error, const LineParser* lp, std::string_view at) {
  in_bucket_group_ = false;
  if (!saw_inf_) {
    error->code = ParseErrorCode::kInvalidHistogram;
    error->column = lp != nullptr ? lp->Column(at) : 0;
    error->message = StrCat("histogram \"", name_, "\" has a series without a le=\"+Inf\" bucket");
    return false;
  }
  return true;
}

bool FamilyTracker::CloseFamily(LineError* error) {
  if (!open_) return true;
  if (options_.strict) {
    if (!EndBucketGroup(error, nullptr, {})) return false;
    seen_.set_type(index_, type_);
  }
  open_ = false;
  plain_ = false;
  return true;
}

bool FamilyTracker::StartFamily(std::string_view name, const LineParser& lp, LineError* error) {
  if (!CloseFamily(error)) return false;
  // Strict mode: `name` differs from the family just closed (the callers
  // see to it), so finding it means it was closed earlier.
  bool added = true;
  if (options_.strict) index_ = seen_.FindOrAdd(name, &added);
  if (!added) {
    error->code = ParseErrorCode::kInterleavedFamily;
    error->column = lp.Column(name);
    error->message = StrCat("family \"", name,
                                  "\" appears again after other families; its lines must be one group");
    return false;
  }
  if (++families_ > options_.max_families) {
    error->code = ParseErrorCode::kLimitExceeded;
    error->column = lp.Column(name);
    error->message = StrCat("more than ", options_.max_families, " metric families");
    return false;
  }
  if (options_.strict) {
    name_ = seen_.name(index_);
  } else {
    SetName(name);
  }
  type_ = MetricType::kUnknown;
  open_ = true;
  plain_ = true;
  has_type_ = has_help_ = has_unit_ = has_samples_ = false;
  unit_.clear();
  return true;
}

bool FamilyTracker::OnMetadata(const ParsedLine& line, const LineParser& lp, LineError* error) {
  std::string_view name = line.name;
  auto what = [&line] {  // for messages only
    return line.kind == LineKind::kHelp ? "HELP" : line.kind == LineKind::kType ? "TYPE" : "UNIT";
  };
  if (!open_ || name.size() != name_.size() || !EqualBytes(name.data(), name_.data(), name.size())) {
    if (!StartFamily(name, lp, error)) return false;
  } else if (has_samples_) {
    if (options_.strict) {
      error->code = ParseErrorCode::kMetadataAfterSamples;
      error->column = lp.Column(name);
      error->message = StrCat(what(), " for \"", name, "\" after its samples; metadata must come first");
      return false;
    }
    // Lenient: as Prometheus, metadata may come anywhere; start afresh.
    open_ = false;
    plain_ = false;
    if (!StartFamily(name, lp, error)) return false;
  }
  bool* seen = line.kind == LineKind::kHelp ? &has_help_ : line.kind == LineKind::kType ? &has_type_ : &has_unit_;
  if (*seen && options_.strict) {
    error->code = ParseErrorCode::kDuplicateMetadata;
    error->column = lp.Column(name);
    error->message = StrCat("second ", what(), " line for \"", name, "\"");
    return false;
  }
  *seen = true;
  if (line.kind == LineKind::kType) {
    type_ = line.type;
    plain_ = type_ == MetricType::kGauge || type_ == MetricType::kUnknown ||
             (type_ == MetricType::kCounter && !om_);
  } else if (line.kind == LineKind::kUnit) {
    std::string_view unit = line.text;
    unit_.assign(unit.data(), unit.size());
    if (options_.strict && !unit.empty() &&
        !(name.size() > unit.size() + 1 && name.compare(name.size() - unit.size(), unit.size(), unit) == 0 &&
          name[name.size() - unit.size() - 1] == '_')) {
      error->code = ParseErrorCode::kInvalidMetadata;
      error->column = lp.Column(line.text);
      error->message = StrCat("unit \"", unit, "\" is not a suffix of the metric name \"", name, "\"");
      return false;
    }
  }
  return true;
}

bool FamilyTracker::OnSampleSlow(const ParsedLine& line, const LineParser& lp, LineError* error) {
  std::string_view metric = line.name;
  SampleSuffix suffix = SampleSuffix::kNone;
  if (!MatchSuffix(metric, &suffix)) {
    if (options_.strict) {
      if (open_ && metric == name_) {
        error->code = ParseErrorCode::kInvalidSuffix;
        error->column = lp.Column(metric);
        error->message = StrCat("sample \"", metric, "\" does not fit the ", MetricTypeName(type_),
                                      " family \"", name_, "\"",
                                      type_ == MetricType::kCounter ? " (OpenMetrics counters end in _total)" : "");
        return false;
      }
      // A family that ended earlier reappearing under a suffixed name.
      for (std::string_view s : {"_total", "_created", "_bucket", "_count", "_sum", "_gcount", "_gsum", "_info"}) {
        if (metric.size() > s.size() && metric.compare(metric.size() - s.size(), s.size(), s) == 0) {
          std::string_view stem = metric.substr(0, metric.size() - s.size());
          uint32_t stem_index;
          MetricType stem_type = MetricType::kUnknown;
          if (seen_.Find(stem, &stem_index) && !(open_ && stem_index == index_)) stem_type = seen_.type(stem_index);
          if (stem_type != MetricType::kUnknown && stem_type != MetricType::kGauge) {
            error->code = ParseErrorCode::kInterleavedFamily;
            error->column = lp.Column(metric);
            error->message = StrCat("sample \"", metric, "\" of family \"", stem,
                                    "\" appears after other families; its lines must be one group");
            return false;
          }
        }
      }
    }
    if (!StartFamily(metric, lp, error)) return false;
    suffix = SampleSuffix::kNone;
  }
  has_samples_ = true;
  suffix_ = suffix;
  if (!options_.strict) return true;
  switch (type_) {
    case MetricType::kHistogram:
    case MetricType::kGaugeHistogram:
      if (suffix == SampleSuffix::kBucket) return CheckBucket(line, lp, error);
      return EndBucketGroup(error, &lp, metric);
    case MetricType::kSummary:
      if (suffix == SampleSuffix::kNone) return CheckQuantile(line, lp, error);
      return true;
    case MetricType::kStateSet:
      if (om_ && line.value != 0 && line.value != 1) {
        error->code = ParseErrorCode::kInvalidValue;
        error->column = lp.Column(line.value_text);
        error->message = "stateset values must be 0 or 1";
        return false;
      }
      return true;
    case MetricType::kCounter:
    case MetricType::kGauge:
    case MetricType::kInfo:
    case MetricType::kUnknown:
      return true;
  }
  return true;
}

namespace {

// Finds `label` in the line; returns its index or -1.
int FindLabel(const ParsedLine& line, const LineParser& lp, std::string_view label) {
  for (size_t i = 0; i < line.labels.size(); ++i) {
    if (line.labels[i].name == label) return static_cast<int>(i);
  }
  return -1;
}

// Parses the numeric label value of `le`/`quantile`; in OpenMetrics it must
// also be canonical ("1.0", not "1").
bool ParseNumericLabel(const ParsedLine& line, const LineParser& lp, int index, bool om,
                       std::string_view label, double* out, LineError* error) {
  const LabelView& ref = line.labels[static_cast<size_t>(index)];
  std::string_view text = ref.value;
  // The last bucket of every histogram series, canonical in both formats.
  if (text.size() == 4 && std::memcmp(text.data(), "+Inf", 4) == 0) {
    *out = std::numeric_limits<double>::infinity();
    return true;
  }
  uint32_t column = lp.Column(ref.value);
  if (!ParseGoFloat(text, out)) {
    error->code = ParseErrorCode::kInvalidLabelValue;
    error->column = column;
    error->message = StrCat(label, "=\"", text, "\" is not a number");
    return false;
  }
  // OpenMetrics: the spec recommends one spelling per number (`1.0`) but
  // requires it only of the infinities, as Python's strict parser checks.
  if (om && std::isinf(*out) && text != (*out > 0 ? "+Inf" : "-Inf")) {
    error->code = ParseErrorCode::kInvalidLabelValue;
    error->column = column;
    error->message = StrCat(label, "=\"", text, "\" is not canonical; OpenMetrics expects ", label, "=\"",
                            *out > 0 ? "+Inf" : "-Inf", "\"");
    return false;
  }
  return true;
}

}  // namespace

bool FamilyTracker::CheckBucket(const ParsedLine& line, const LineParser& lp, LineError* error) {
  int le_index = FindLabel(line, lp, "le");
  if (le_index < 0) {
    error->code = ParseErrorCode::kInvalidHistogram;
    error->column = lp.Column(line.name);
    error->message = StrCat("bucket of histogram \"", name_, "\" has no \"le\" label");
    return false;
  }
  double le;
  if (!ParseNumericLabel(line, lp, le_index, om_, "le", &le, error)) return false;
  if (line.value < 0 || std::isnan(line.value)) {
    error->code = ParseErrorCode::kInvalidHistogram;
    error->column = lp.Column(line.value_text);
    error->message = "histogram bucket counts must not be negative or NaN";
    return false;
  }
  // The series' identity: its labels without `le`. Compared as the escaped
  // text of the line (equal text, equal labels in the same order), which
  // needs at most three copies instead of one per label, and none when it
  // equals the current series' key (the next bucket of the same series).
  scratch_key_.clear();
  std::string_view raw = lp.line();
  const LabelView& le_ref = line.labels[static_cast<size_t>(le_index)];
  bool raw_ok = lp.InLine(le_ref.name) && lp.InLine(le_ref.value) && !line.labels.empty() &&
                lp.InLine(line.labels.front().name) && lp.InLine(line.labels.back().value);
  bool same_series = false;
  if (raw_ok) {
    size_t first = lp.Column(line.labels.front().name);
    size_t last = lp.Column(line.labels.back().value) + line.labels.back().value.size();
    size_t le_begin = lp.Column(le_ref.name);
    size_t le_end = lp.Column(le_ref.value) + le_ref.value.size();
    raw_ok = first <= le_begin && le_end <= last && last <= raw.size();
    if (raw_ok) {
      size_t head = le_begin - first;
      size_t tail = last - le_end;
      if (in_bucket_group_ && bucket_key_.size() == head + 1 + tail &&
          EqualBytes(bucket_key_.data(), raw.data() + first, head) && bucket_key_[head] == '\xff' &&
          EqualBytes(bucket_key_.data() + head + 1, raw.data() + le_end, tail)) {
        same_series = true;
      } else {
        scratch_key_.append(raw.data() + first, head);
        scratch_key_.push_back('\xff');
        scratch_key_.append(raw.data() + le_end, tail);
      }
    }
  }
  if (!raw_ok) {
    scratch_key_.push_back('\xfe');  // never equal to a raw key
    for (size_t i = 0; i < line.labels.size(); ++i) {
      if (static_cast<int>(i) == le_index) continue;
      std::string_view n = line.labels[i].name;
      std::string_view v = line.labels[i].value;
      scratch_key_.append(n.data(), n.size());
      scratch_key_.push_back('\xff');
      scratch_key_.append(v.data(), v.size());
      scratch_key_.push_back('\xfe');
    }
  }
  std::string_view le_value = line.labels[static_cast<size_t>(le_index)].value;
  if (same_series || (in_bucket_group_ && scratch_key_ == bucket_key_)) {
    if (saw_inf_) {
      error->code = ParseErrorCode::kInvalidHistogram;
      error->column = lp.Column(le_value);
      error->message = StrCat("bucket of histogram \"", name_, "\" after its le=\"+Inf\" bucket");
      return false;
    }
    if (!(le > last_le_)) {
      error->code = ParseErrorCode::kInvalidHistogram;
      error->column = lp.Column(le_value);
      error->message = StrCat("buckets of histogram \"", name_, "\" are not in increasing \"le\" order");
      return false;
    }
    if (line.value < last_count_) {
      error->code = ParseErrorCode::kInvalidHistogram;
      error->column = lp.Column(line.value_text);
      error->message = StrCat("bucket counts of histogram \"", name_, "\" decrease");
      return false;
    }
  } else {
    if (!EndBucketGroup(error, &lp, line.name)) return false;
    bucket_key_.swap(scratch_key_);
    in_bucket_group_ = true;
    saw_inf_ = false;
  }
  last_le_ = le;
  last_count_ = line.value;
  if (std::isinf(le) && le > 0) saw_inf_ = true;
  return true;
}

bool FamilyTracker::CheckQuantile(const ParsedLine& line, const LineParser& lp, LineError* error) {
  int q = FindLabel(line, lp, "quantile");
  if (q < 0) {
    error->code = ParseErrorCode::kInvalidLabelValue;
    error->column = lp.Column(line.name);
    error->message = StrCat("summary \"", name_, "\" sample has no \"quantile\" label");
    return false;
  }
  double v;
  if (!ParseNumericLabel(line, lp, q, om_, "quantile", &v, error)) return false;
  if (!(v >= 0 && v <= 1)) {
    error->code = ParseErrorCode::kInvalidLabelValue;
    error->column = lp.Column(line.labels[static_cast<size_t>(q)].value);
    error->message = "quantile must be between 0 and 1";
    return false;
  }
  return true;
}

bool FamilyTracker::Finish(LineError* error) { return CloseFamily(error); }

}  // namespace obsv::internal
