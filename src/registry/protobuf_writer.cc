#include "registry/protobuf_writer.h"

#include <cmath>
#include <cstring>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "common/str_cat.h"
#include "registry/family.h"

namespace obsv::internal {

// ---- Encoder ----------------------------------------------------------------

void ProtoWriter::End(size_t mark) {
  size_t len = out_->size() - mark - 1;
  if (len < 0x80) {
    (*out_)[mark] = static_cast<char>(len);
    return;
  }
  char buf[10];
  size_t n = 0;
  uint64_t v = len;
  for (; v >= 0x80; v >>= 7) buf[n++] = static_cast<char>(v | 0x80);
  buf[n++] = static_cast<char>(v);
  (*out_)[mark] = buf[0];
  out_->insert(mark + 1, buf + 1, n - 1);
}

void ProtoWriter::Double(uint32_t field, double v) {
  Tag(field, 1);
  char b[8];
  std::memcpy(b, &v, 8);  // little-endian hosts only (x86-64, aarch64)
  out_->append(b, 8);
}

void ProtoWriter::LabelPair(uint32_t field, std::string_view name, std::string_view value) {
  size_t m = Begin(field);
  String(1, name);
  String(2, value);
  End(m);
}

void ProtoWriter::TimestampMsg(uint32_t field, Timestamp ts) {
  int64_t seconds = ts.milliseconds / 1000;
  int64_t ms = ts.milliseconds % 1000;
  if (ms < 0) {
    ms += 1000;
    --seconds;
  }
  size_t m = Begin(field);
  if (seconds != 0) Int64(1, seconds);
  int64_t nanos = ms * 1000000 + ts.nanos;
  if (nanos != 0) Int64(2, nanos);
  End(m);
}

void ProtoWriter::ExemplarMsg(uint32_t field, const Exemplar& e) {
  size_t m = Begin(field);
  for (const Label& l : e.labels) LabelPair(1, l.name, l.value);
  Double(2, e.value);
  if (e.timestamp.has_value()) TimestampMsg(3, *e.timestamp);
  End(m);
}

void ProtoWriter::NativeBuckets(const std::vector<Histogram::NativeBucket>& buckets, uint32_t span_field,
                                uint32_t delta_field) {
  if (buckets.empty()) return;
  // Spans: a gap of one or two empty buckets is cheaper as zero deltas than
  // as a new span (client_golang does the same).
  struct Span {
    int32_t offset;
    uint32_t length;
  };
  std::vector<Span> spans;
  std::vector<int64_t> deltas;
  int64_t prev = 0;
  int32_t next = 0;
  for (size_t i = 0; i < buckets.size(); ++i) {
    int32_t gap = buckets[i].index - next;
    if (i == 0 || gap > 2) {
      spans.push_back({i == 0 ? buckets[i].index : gap, 0});
    } else {
      for (int32_t g = 0; g < gap; ++g) {
        ++spans.back().length;
        deltas.push_back(-prev);
        prev = 0;
      }
    }
    ++spans.back().length;
    int64_t c = static_cast<int64_t>(buckets[i].count);
    deltas.push_back(c - prev);
    prev = c;
    next = buckets[i].index + 1;
  }
  for (const Span& s : spans) {
    size_t m = Begin(span_field);
    Uint64(1, static_cast<uint32_t>((static_cast<uint32_t>(s.offset) << 1) ^ static_cast<uint32_t>(s.offset >> 31)));
    Uint64(2, s.length);
    End(m);
  }
  size_t m = Begin(delta_field);  // packed
  for (int64_t d : deltas) Varint(ZigZag(d));
  End(m);
}

Timestamp SecondsToTimestamp(double seconds) {
  double ms = std::floor(seconds * 1000);
  double nanos = std::round((seconds * 1000 - ms) * 1e6);
  Timestamp ts{static_cast<int64_t>(ms), static_cast<int32_t>(nanos)};
  if (ts.nanos >= 1000000) {
    ts.nanos -= 1000000;
    ++ts.milliseconds;
  }
  return ts;
}

namespace {

// Metric (field numbers of metrics.proto).
constexpr uint32_t kMetricLabel = 1, kMetricGauge = 2, kMetricCounter = 3, kMetricSummary = 4,
                   kMetricUntyped = 5, kMetricTimestamp = 6, kMetricHistogram = 7;

// The native part of a Histogram message (fields 5-13).
void WriteNativeFields(ProtoWriter& w, int32_t schema, double zero_threshold, uint64_t zero_count,
                       const std::vector<Histogram::NativeBucket>& negative,
                       const std::vector<Histogram::NativeBucket>& positive) {
  w.Uint64(5, ProtoWriter::ZigZag(schema) & 0xffffffffu);
  w.Double(6, zero_threshold);
  w.Uint64(7, zero_count);
  w.NativeBuckets(negative, 9, 10);
  w.NativeBuckets(positive, 12, 13);
  if (positive.empty() && negative.empty()) {
    // A no-op span marks the histogram native even when it is empty and
    // its zero threshold is 0 (as client_golang does).
    size_t m = w.Begin(12);
    w.Uint64(1, 0);
    w.Uint64(2, 0);
    w.End(m);
  }
}

// The same from the model (Sample::native of a collected family).
void WriteNative(ProtoWriter& w, const NativeHistogramData& d) {
  auto convert = [](const std::vector<NativeHistogramData::Bucket>& in) {
    std::vector<Histogram::NativeBucket> out;
    out.reserve(in.size());
    for (const auto& b : in) out.push_back({b.index, b.count});
    return out;
  };
  WriteNativeFields(w, d.schema, d.zero_threshold, d.zero_count, convert(d.negative), convert(d.positive));
}

void WriteHistogramBody(ProtoWriter& w, const Histogram::Snapshot& snap, bool created_set, Timestamp created,
                        const ExemplarSlots* ex) {
  w.Uint64(1, snap.count);
  w.Double(2, snap.sum);
  size_t n = snap.upper_bounds.size();
  for (size_t b = 0; b < n; ++b) {
    std::optional<Exemplar> e = ex != nullptr ? ex->Get(b) : std::nullopt;
    if (b + 1 == n && !e.has_value()) break;  // +Inf: implied by the count
    size_t m = w.Begin(3);
    w.Uint64(1, snap.cumulative[b]);
    w.Double(2, snap.upper_bounds[b]);
    if (e.has_value()) w.ExemplarMsg(3, *e);
    w.End(m);
  }
  if (snap.native) {
    WriteNativeFields(w, snap.schema, snap.zero_threshold, snap.zero_count, snap.negative, snap.positive);
    if (ex != nullptr) {
      for (size_t b = 0; b < n; ++b) {
        if (std::optional<Exemplar> e = ex->Get(b)) w.ExemplarMsg(16, *e);
      }
    }
  }
  if (created_set) w.TimestampMsg(15, created);
}

void WriteLabels(ProtoWriter& w, const std::vector<Label>& labels) {
  for (const Label& l : labels) w.LabelPair(kMetricLabel, l.name, l.value);
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// One Metric of a model family, gathered from its samples.
struct PbMetric {
  std::vector<Label> labels;
  std::optional<Timestamp> timestamp;
  double value = 0;
  std::optional<Exemplar> exemplar;
  std::optional<double> created;
  std::vector<std::pair<double, double>> buckets;  // le, cumulative
  std::vector<std::optional<Exemplar>> bucket_exemplars;
  double count = 0, sum = 0;
  std::vector<std::pair<double, double>> quantiles;
  const NativeHistogramData* native = nullptr;  // from the `_count` sample
};

std::string LabelKey(const std::vector<Label>& labels, std::string_view skip) {
  std::string key;
  for (const Label& l : labels) {
    if (l.name == skip) continue;
    StrAppend(&key, l.name, '\xff', l.value, '\xfe');
  }
  return key;
}

bool ParseDouble(std::string_view s, double* v) {
  if (s == "+Inf" || s == "Inf" || s == "+inf" || s == "inf") {
    *v = INFINITY;
    return true;
  }
  if (s == "-Inf" || s == "-inf") {
    *v = -INFINITY;
    return true;
  }
  std::string str(s);
  char* end = nullptr;
  *v = std::strtod(str.c_str(), &end);
  return !str.empty() && end == str.c_str() + str.size();
}

}  // namespace

absl::Status WriteProtobufFamily(const MetricFamily& family, std::string* out) {
  if (family.samples.empty()) return absl::OkStatus();
  std::string base = family.name;
  PbType pb_type = PbType::kUntyped;
  std::string name = family.name;
  std::string_view skip;  // the label that is not part of a metric's identity
  switch (family.type) {
    case MetricType::kCounter:
      if (EndsWith(base, "_total")) base.resize(base.size() - 6);
      name = base + "_total";
      pb_type = PbType::kCounter;
      break;
    case MetricType::kGauge: pb_type = PbType::kGauge; break;
    case MetricType::kUnknown: pb_type = PbType::kUntyped; break;
    case MetricType::kInfo:
      if (EndsWith(base, "_info")) base.resize(base.size() - 5);
      name = base + "_info";
      pb_type = PbType::kGauge;
      break;
    case MetricType::kStateSet: pb_type = PbType::kGauge; break;
    case MetricType::kHistogram:
      pb_type = PbType::kHistogram;
      skip = "le";
      break;
    case MetricType::kGaugeHistogram:
      pb_type = PbType::kGaugeHistogram;
      skip = "le";
      break;
    case MetricType::kSummary:
      pb_type = PbType::kSummary;
      skip = "quantile";
      break;
  }
  bool one_per_sample = family.type == MetricType::kGauge || family.type == MetricType::kUnknown ||
                        family.type == MetricType::kInfo || family.type == MetricType::kStateSet;
  std::vector<PbMetric> metrics;
  absl::flat_hash_map<std::string, size_t> index;
  auto bad = [&](const Sample& s) {
    return absl::InvalidArgumentError(
        StrCat("sample \"", s.name, "\" does not belong to the ", MetricTypeName(family.type), " \"", family.name, "\""));
  };
  for (const Sample& s : family.samples) {
    PbMetric* m;
    if (one_per_sample) {
      metrics.emplace_back();
      m = &metrics.back();
      m->labels = s.labels;
    } else {
      auto [it, fresh] = index.try_emplace(LabelKey(s.labels, skip), metrics.size());
      if (fresh) {
        metrics.emplace_back();
        for (const Label& l : s.labels) {
          if (l.name != skip) metrics.back().labels.push_back(l);
        }
      }
      m = &metrics[it->second];
    }
    std::string_view rest = s.name;
    if (rest.substr(0, base.size()) != base) return bad(s);
    rest.remove_prefix(base.size());
    switch (family.type) {
      case MetricType::kCounter:
        if (rest == "_total" || rest.empty()) {
          m->value = s.value;
          m->timestamp = s.timestamp;
          m->exemplar = s.exemplar;
        } else if (rest == "_created") {
          m->created = s.value;
        } else {
          return bad(s);
        }
        break;
      case MetricType::kGauge:
      case MetricType::kUnknown:
      case MetricType::kStateSet:
        if (!rest.empty()) return bad(s);
        m->value = s.value;
        m->timestamp = s.timestamp;
        break;
      case MetricType::kInfo:
        if (!rest.empty() && rest != "_info") return bad(s);
        m->value = s.value;
        m->timestamp = s.timestamp;
        break;
      case MetricType::kHistogram:
      case MetricType::kGaugeHistogram: {
        bool gauge = family.type == MetricType::kGaugeHistogram;
        if (rest == "_bucket") {
          double le = 0;
          std::string_view le_text;
          for (const Label& l : s.labels) {
            if (l.name == "le") le_text = l.value;
          }
          if (!ParseDouble(le_text, &le)) return absl::InvalidArgumentError(StrCat("bad le \"", le_text, "\""));
          m->buckets.emplace_back(le, s.value);
          m->bucket_exemplars.push_back(s.exemplar);
        } else if (rest == (gauge ? "_gcount" : "_count")) {
          m->count = s.value;
          m->timestamp = s.timestamp;
          if (s.native.has_value() && !gauge) m->native = &*s.native;
        } else if (rest == (gauge ? "_gsum" : "_sum")) {
          m->sum = s.value;
        } else if (rest == "_created" && !gauge) {
          m->created = s.value;
        } else {
          return bad(s);
        }
        break;
      }
      case MetricType::kSummary:
        if (rest.empty()) {
          double q = 0;
          std::string_view q_text;
          for (const Label& l : s.labels) {
            if (l.name == "quantile") q_text = l.value;
          }
          if (!ParseDouble(q_text, &q)) return absl::InvalidArgumentError(StrCat("bad quantile \"", q_text, "\""));
          m->quantiles.emplace_back(q, s.value);
        } else if (rest == "_count") {
          m->count = s.value;
          m->timestamp = s.timestamp;
        } else if (rest == "_sum") {
          m->sum = s.value;
        } else if (rest == "_created") {
          m->created = s.value;
        } else {
          return bad(s);
        }
        break;
    }
  }

  ProtoWriter w(out);
  size_t fam = w.BeginDelimited();
  w.String(1, name);
  if (!family.help.empty()) w.String(2, family.help);
  w.Uint64(3, static_cast<uint64_t>(pb_type));
  for (const PbMetric& m : metrics) {
    size_t mm = w.Begin(4);
    WriteLabels(w, m.labels);
    switch (pb_type) {
      case PbType::kCounter: {
        size_t c = w.Begin(kMetricCounter);
        w.Double(1, m.value);
        if (m.exemplar.has_value()) w.ExemplarMsg(2, *m.exemplar);
        if (m.created.has_value()) w.TimestampMsg(3, SecondsToTimestamp(*m.created));
        w.End(c);
        break;
      }
      case PbType::kGauge:
      case PbType::kUntyped: {
        size_t g = w.Begin(pb_type == PbType::kGauge ? kMetricGauge : kMetricUntyped);
        w.Double(1, m.value);
        w.End(g);
        break;
      }
      case PbType::kSummary: {
        size_t sm = w.Begin(kMetricSummary);
        w.Uint64(1, static_cast<uint64_t>(m.count));
        w.Double(2, m.sum);
        for (const auto& [q, v] : m.quantiles) {
          size_t qm = w.Begin(3);
          w.Double(1, q);
          w.Double(2, v);
          w.End(qm);
        }
        if (m.created.has_value()) w.TimestampMsg(4, SecondsToTimestamp(*m.created));
        w.End(sm);
        break;
      }
      case PbType::kHistogram:
      case PbType::kGaugeHistogram: {
        size_t h = w.Begin(kMetricHistogram);
        w.Uint64(1, static_cast<uint64_t>(m.count));
        w.Double(2, m.sum);
        for (size_t b = 0; b < m.buckets.size(); ++b) {
          bool inf = std::isinf(m.buckets[b].first) && m.buckets[b].first > 0;
          if (inf && !m.bucket_exemplars[b].has_value()) continue;
          size_t bm = w.Begin(3);
          w.Uint64(1, static_cast<uint64_t>(m.buckets[b].second));
          w.Double(2, m.buckets[b].first);
          if (m.bucket_exemplars[b].has_value()) w.ExemplarMsg(3, *m.bucket_exemplars[b]);
          w.End(bm);
        }
        if (m.native != nullptr) WriteNative(w, *m.native);
        if (m.created.has_value()) w.TimestampMsg(15, SecondsToTimestamp(*m.created));
        w.End(h);
        break;
      }
    }
    if (m.timestamp.has_value()) w.Int64(kMetricTimestamp, m.timestamp->milliseconds);
    w.End(mm);
  }
  if (!family.unit.empty()) w.String(5, family.unit);
  w.End(fam);
  return absl::OkStatus();
}

// ---- Registered families ---------------------------------------------------

void FamilyImpl::WriteProtobuf(std::string* out) const {
  switch (type) {
    case MetricType::kSummary:
    case MetricType::kInfo:
    case MetricType::kStateSet:
    case MetricType::kUnknown: {
      // Not hot: through the model (summaries compute their quantiles there).
      (void)WriteProtobufFamily(ToModel(ExpositionFormat::kOpenMetrics), out);
      return;
    }
    case MetricType::kCounter:
    case MetricType::kGauge:
    case MetricType::kHistogram:
    case MetricType::kGaugeHistogram:
      break;
  }
  absl::MutexLock l(&mu);
  const_cast<FamilyImpl*>(this)->SortLocked();
  if (series_.empty()) return;
  ProtoWriter w(out);
  size_t fam = w.BeginDelimited();
  PbType pb_type = PbType::kGauge;
  switch (type) {
    case MetricType::kCounter:
      w.String(1, options.name + "_total");
      pb_type = PbType::kCounter;
      break;
    case MetricType::kHistogram:
      w.String(1, options.name);
      pb_type = PbType::kHistogram;
      break;
    case MetricType::kGaugeHistogram:
      w.String(1, options.name);
      pb_type = PbType::kGaugeHistogram;
      break;
    case MetricType::kGauge:
    case MetricType::kSummary:
    case MetricType::kInfo:
    case MetricType::kStateSet:
    case MetricType::kUnknown:
      w.String(1, options.name);
      break;
  }
  if (!options.help.empty()) w.String(2, options.help);
  w.Uint64(3, static_cast<uint64_t>(pb_type));
  for (Series* s : series_) {
    size_t mm = w.Begin(4);
    if (s->pb_labels.empty() && (!options.const_labels.empty() || !options.label_names.empty())) {
      ProtoWriter lw(&s->pb_labels);
      WriteLabels(lw, LabelsOf(*s));
    }
    out->append(s->pb_labels);
    switch (type) {
      case MetricType::kCounter: {
        uint64_t i = 0;
        double d = 0;
        FoldCells(s->slot, 1, 1, &i, &d);
        size_t c = w.Begin(kMetricCounter);
        w.Double(1, static_cast<double>(i) + d);
        if (ExemplarSlots* ex = s->exemplars.get()) {
          if (std::optional<Exemplar> e = ex->Get(0)) w.ExemplarMsg(2, *e);
        }
        w.TimestampMsg(3, ToTimestamp(s->created));
        w.End(c);
        break;
      }
      case MetricType::kGauge: {
        size_t g = w.Begin(kMetricGauge);
        w.Double(1, BitsToDouble(s->word.load(std::memory_order_relaxed)));
        w.End(g);
        break;
      }
      case MetricType::kHistogram:
      case MetricType::kGaugeHistogram: {
        absl::Time created;
        Histogram::Snapshot snap = ReadHistogram(*s, &created);
        size_t h = w.Begin(kMetricHistogram);
        WriteHistogramBody(w, snap, type == MetricType::kHistogram, ToTimestamp(created), s->exemplars.get());
        w.End(h);
        break;
      }
      case MetricType::kSummary:
      case MetricType::kInfo:
      case MetricType::kStateSet:
      case MetricType::kUnknown:
        break;
    }
    w.End(mm);
  }
  if (!options.unit.empty()) w.String(5, options.unit);
  w.End(fam);
}

}  // namespace obsv::internal
