// obsv/metric_model.h: the owned, in-memory model of an exposition.
//
// A MetricFamily is what one `# TYPE` line declares: a name, a type, help,
// unit, and the samples that belong to it by the type's suffix rules
// (`_total`, `_bucket`, `_count`, `_sum`, `_created`, `_gcount`, `_gsum`,
// `_info`). The model is what obsv::ParseExposition() builds and what
// obsv::WriteExposition() prints; it is plain data with value semantics.
//
// The streaming parser (obsv/exposition_parser.h) does not build this model:
// it hands out views. Build the model only when you need to keep or rewrite
// the data.
//
//   obsv::MetricFamily f;
//   f.name = "http_requests";
//   f.type = obsv::MetricType::kCounter;
//   f.help = "Requests served.";
//   f.samples.push_back({.name = "http_requests_total",
//                        .labels = {{"code", "200"}}, .value = 1027});
#ifndef OBSV_METRIC_MODEL_H_
#define OBSV_METRIC_MODEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "obsv/export.h"

namespace obsv {

// The metric types of Prometheus text 0.0.4 and OpenMetrics 1.0. kUnknown is
// OpenMetrics' `unknown` and text 0.0.4's `untyped`.
enum class MetricType : uint8_t {
  kUnknown = 0,
  kCounter,
  kGauge,
  kHistogram,
  kGaugeHistogram,
  kSummary,
  kInfo,
  kStateSet,
};

// "counter", "gauge", ..., "unknown". Static storage.
OBSV_API std::string_view MetricTypeName(MetricType type);

// Parses a TYPE keyword; "untyped" and "unknown" both give kUnknown.
// Returns false for anything else (the keywords are case-sensitive).
OBSV_API bool ParseMetricType(std::string_view keyword, MetricType* type);

// Which part of a family a sample is, from its name's suffix as allowed by the
// family's type. A gauge named `x_sum` is kNone of family `x_sum`, never the
// kSum of a summary `x`.
enum class SampleSuffix : uint8_t {
  kNone = 0,  // the family name itself (gauge, unknown, summary quantile, stateset)
  kTotal,     // _total   (counter)
  kCreated,   // _created (counter, histogram, summary; OpenMetrics only)
  kBucket,    // _bucket  (histogram, gaugehistogram)
  kCount,     // _count   (histogram, summary)
  kSum,       // _sum     (histogram, summary)
  kGCount,    // _gcount  (gaugehistogram)
  kGSum,      // _gsum    (gaugehistogram)
  kInfo,      // _info    (info)
};

// "", "_total", "_created", ... Static storage.
OBSV_API std::string_view SampleSuffixString(SampleSuffix suffix);

// A point in time as the formats carry it, without loss: text 0.0.4 has
// integer milliseconds, OpenMetrics decimal seconds. `nanos` is the part of a
// millisecond below `milliseconds`, 0..999999, so that -1.0005 s is
// {-1001, 500000}. Precision below a nanosecond is rounded to nearest.
struct Timestamp {
  int64_t milliseconds = 0;
  int32_t nanos = 0;

  friend bool operator==(const Timestamp& a, const Timestamp& b) {
    return a.milliseconds == b.milliseconds && a.nanos == b.nanos;
  }
  friend bool operator!=(const Timestamp& a, const Timestamp& b) {
    return !(a == b);
  }
};

struct Label {
  std::string name;   // unescaped; may be any UTF-8 in the Prometheus 3 syntax
  std::string value;  // unescaped UTF-8

  friend bool operator==(const Label& a, const Label& b) {
    return a.name == b.name && a.value == b.value;
  }
  friend bool operator!=(const Label& a, const Label& b) { return !(a == b); }
};

// An OpenMetrics exemplar: `# {trace_id="abc"} 0.67 1520879607.789`.
struct Exemplar {
  std::vector<Label> labels;
  double value = 0;
  std::optional<Timestamp> timestamp;
};

// The sparse buckets of one native histogram series (Prometheus's
// exponential histograms, obsv::NativeHistogramOptions), which among the
// exposition formats only protobuf carries. Bucket `index` at resolution
// `schema` covers (2^((index-1)*2^-schema), 2^(index*2^-schema)] of |v| on
// its side; observations with |v| <= zero_threshold are in zero_count.
// Counts are absolute (not the protobuf format's deltas). The count and sum
// are the series' `_count` and `_sum` samples: count == zero_count plus
// every bucket's count.
struct NativeHistogramData {
  int32_t schema = 0;  // -4..8
  double zero_threshold = 0;
  uint64_t zero_count = 0;
  struct Bucket {
    int32_t index = 0;
    uint64_t count = 0;  // > 0
  };
  std::vector<Bucket> positive, negative;  // each by ascending index
};

struct Sample {
  std::string name;  // the full sample name, e.g. "rpc_seconds_bucket"
  std::vector<Label> labels;  // in input order; `le`/`quantile` included
  double value = 0;
  // The value exactly as written, kept only where the double cannot
  // reproduce it: integers beyond 2^53 (counters near 2^64). Empty otherwise.
  // Writers print it instead of `value` when it is such an integer, and
  // ignore it otherwise.
  std::string value_text;
  std::optional<Timestamp> timestamp;
  std::optional<Exemplar> exemplar;
  SampleSuffix suffix = SampleSuffix::kNone;
  // A native histogram's buckets, on the `_count` sample of each of its
  // series in Registry::Collect()'s model. The parsers never set it (the
  // text formats have no native buckets), the text and OpenMetrics writers
  // ignore it, SamplesEqual() compares it. The registry's
  // protobuf exposition writes it for a collector's histogram family.
  std::optional<NativeHistogramData> native;
};

struct MetricFamily {
  std::string name;  // without type suffixes in OpenMetrics (`x` for `x_total`)
  MetricType type = MetricType::kUnknown;
  std::string help;  // unescaped
  bool has_help = false;
  std::string unit;  // OpenMetrics only; empty when absent
  std::vector<Sample> samples;
};

// Structural equality: names, types, help, unit, labels, timestamps,
// exemplars, native buckets. Values compare bit-for-bit after NaN normalisation (all NaNs are
// equal), so a round trip that changes any value is caught. The `le` and
// `quantile` label values compare as numbers ("1" equals "1.0"): writers
// spell them canonically per format, and Prometheus 3 normalises them.
OBSV_API bool SamplesEqual(const Sample& a, const Sample& b);
OBSV_API bool FamiliesEqual(const MetricFamily& a, const MetricFamily& b);

}  // namespace obsv

#endif  // OBSV_METRIC_MODEL_H_
