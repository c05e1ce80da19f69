// The delimited protobuf exposition format: io.prometheus.client.MetricFamily
// messages (proto/metrics.proto), each preceded by its length as a varint.
// Hand-rolled encoder: no libprotobuf, no intermediate message objects;
// nested messages reserve one length byte and shift their body in the rare
// case it is 128 bytes or longer.
//
// How the registry's kinds map (as client_golang and Prometheus do):
// counter `x` -> COUNTER `x_total` (value, exemplar, created_timestamp);
// gauge -> GAUGE; histogram -> HISTOGRAM (classic buckets without +Inf
// unless +Inf has an exemplar, native schema/zero bucket/spans/deltas,
// created_timestamp); gaugehistogram -> GAUGE_HISTOGRAM (gcount and gsum as
// sample_count and sample_sum); summary -> SUMMARY; unknown -> UNTYPED;
// info `x` -> GAUGE `x_info` with value 1; stateset -> GAUGE, one metric per
// state, labelled `x="<state>"`, 1 or 0.
#ifndef OBSV_SRC_REGISTRY_PROTOBUF_WRITER_H_
#define OBSV_SRC_REGISTRY_PROTOBUF_WRITER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "obsv/metric_model.h"
#include "obsv/metrics.h"

namespace obsv::internal {

// Appends protobuf fields to a string. Thread-compatible.
class ProtoWriter {
 public:
  explicit ProtoWriter(std::string* out) : out_(out) {}

  // A nested message `field`: Begin() returns a mark to pass to End().
  size_t Begin(uint32_t field) {
    Tag(field, 2);
    return BeginDelimited();
  }
  // A top-level length-delimited message (no tag).
  size_t BeginDelimited() {
    size_t pos = out_->size();
    out_->push_back('\0');
    return pos;
  }
  void End(size_t mark);

  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_->push_back(static_cast<char>(v | 0x80));
      v >>= 7;
    }
    out_->push_back(static_cast<char>(v));
  }
  void Tag(uint32_t field, uint32_t wire) { Varint((uint64_t{field} << 3) | wire); }
  void Double(uint32_t field, double v);
  void Uint64(uint32_t field, uint64_t v) {
    Tag(field, 0);
    Varint(v);
  }
  void Int64(uint32_t field, int64_t v) { Uint64(field, static_cast<uint64_t>(v)); }
  void Sint64(uint32_t field, int64_t v) { Uint64(field, ZigZag(v)); }
  void String(uint32_t field, std::string_view s) {
    Tag(field, 2);
    Varint(s.size());
    out_->append(s.data(), s.size());
  }
  static uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }

  // Messages of metrics.proto.
  void LabelPair(uint32_t field, std::string_view name, std::string_view value);
  void TimestampMsg(uint32_t field, Timestamp ts);  // google.protobuf.Timestamp
  void ExemplarMsg(uint32_t field, const Exemplar& e);
  // Spans and deltas of one sign of a native histogram (buckets ascending).
  void NativeBuckets(const std::vector<Histogram::NativeBucket>& buckets, uint32_t span_field,
                     uint32_t delta_field);

 private:
  std::string* out_;
};

// io.prometheus.client.MetricType.
enum class PbType : uint8_t { kCounter = 0, kGauge = 1, kSummary = 2, kUntyped = 3, kHistogram = 4, kGaugeHistogram = 5 };

Timestamp SecondsToTimestamp(double seconds);

// Writes a model family (a collector's) as one delimited MetricFamily.
// InvalidArgument for a sample whose name does not belong to the family's
// type or an unparsable `le`/`quantile`. Writes nothing for a family without
// samples.
absl::Status WriteProtobufFamily(const MetricFamily& family, std::string* out);

}  // namespace obsv::internal

#endif  // OBSV_SRC_REGISTRY_PROTOBUF_WRITER_H_
