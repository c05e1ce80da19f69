#include "obsv/metric_model.h"

#include <cmath>
#include <cstring>

#include "common/number_parse.h"

namespace obsv {

std::string_view MetricTypeName(MetricType type) {
  switch (type) {
    case MetricType::kUnknown:
      return "unknown";
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
    case MetricType::kGaugeHistogram:
      return "gaugehistogram";
    case MetricType::kSummary:
      return "summary";
    case MetricType::kInfo:
      return "info";
    case MetricType::kStateSet:
      return "stateset";
  }
  return "unknown";
}

bool ParseMetricType(std::string_view keyword, MetricType* type) {
  static constexpr struct {
    std::string_view keyword;
    MetricType type;
  } kTypes[] = {
      {"counter", MetricType::kCounter},
      {"gauge", MetricType::kGauge},
      {"histogram", MetricType::kHistogram},
      {"summary", MetricType::kSummary},
      {"untyped", MetricType::kUnknown},
      {"unknown", MetricType::kUnknown},
      {"gaugehistogram", MetricType::kGaugeHistogram},
      {"info", MetricType::kInfo},
      {"stateset", MetricType::kStateSet},
  };
  for (const auto& t : kTypes) {
    if (t.keyword == keyword) {
      *type = t.type;
      return true;
    }
  }
  return false;
}

std::string_view SampleSuffixString(SampleSuffix suffix) {
  switch (suffix) {
    case SampleSuffix::kNone:
      return "";
    case SampleSuffix::kTotal:
      return "_total";
    case SampleSuffix::kCreated:
      return "_created";
    case SampleSuffix::kBucket:
      return "_bucket";
    case SampleSuffix::kCount:
      return "_count";
    case SampleSuffix::kSum:
      return "_sum";
    case SampleSuffix::kGCount:
      return "_gcount";
    case SampleSuffix::kGSum:
      return "_gsum";
    case SampleSuffix::kInfo:
      return "_info";
  }
  return "";
}

namespace {

bool ValuesEqual(double a, double b) {
  if (std::isnan(a) || std::isnan(b)) return std::isnan(a) && std::isnan(b);
  return std::memcmp(&a, &b, sizeof(double)) == 0;
}

bool ExemplarsEqual(const std::optional<Exemplar>& a, const std::optional<Exemplar>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  return a->labels == b->labels && ValuesEqual(a->value, b->value) &&
         a->timestamp == b->timestamp;
}

// `le` and `quantile` are numbers written as label values; writers spell
// them canonically per format ("1" in text, "1.0" in OpenMetrics) and
// Prometheus 3 normalises them on ingestion, so they compare by value.
bool LabelsEqual(const std::vector<Label>& a, const std::vector<Label>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].name != b[i].name) return false;
    if (a[i].value == b[i].value) continue;
    if (a[i].name != "le" && a[i].name != "quantile") return false;
    double x, y;
    if (!internal::ParseGoFloat(a[i].value, &x) || !internal::ParseGoFloat(b[i].value, &y) || x != y) {
      return false;
    }
  }
  return true;
}

bool BucketsEqual(const std::vector<NativeHistogramData::Bucket>& a,
                  const std::vector<NativeHistogramData::Bucket>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].index != b[i].index || a[i].count != b[i].count) return false;
  }
  return true;
}

bool NativeEqual(const std::optional<NativeHistogramData>& a, const std::optional<NativeHistogramData>& b) {
  if (a.has_value() != b.has_value()) return false;
  if (!a) return true;
  return a->schema == b->schema && ValuesEqual(a->zero_threshold, b->zero_threshold) &&
         a->zero_count == b->zero_count && BucketsEqual(a->positive, b->positive) &&
         BucketsEqual(a->negative, b->negative);
}

}  // namespace

bool SamplesEqual(const Sample& a, const Sample& b) {
  return a.name == b.name && LabelsEqual(a.labels, b.labels) && ValuesEqual(a.value, b.value) &&
         a.value_text == b.value_text && a.timestamp == b.timestamp &&
         a.suffix == b.suffix && ExemplarsEqual(a.exemplar, b.exemplar) && NativeEqual(a.native, b.native);
}

bool FamiliesEqual(const MetricFamily& a, const MetricFamily& b) {
  if (a.name != b.name || a.type != b.type || a.help != b.help ||
      a.has_help != b.has_help || a.unit != b.unit ||
      a.samples.size() != b.samples.size()) {
    return false;
  }
  for (size_t i = 0; i < a.samples.size(); ++i) {
    if (!SamplesEqual(a.samples[i], b.samples[i])) return false;
  }
  return true;
}

}  // namespace obsv
