// The registry's protobuf exposition, decoded with libprotobuf (code
// generated from proto/metrics.proto) and checked field by field.
#include <cmath>
#include <string>
#include <vector>

#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/util/delimited_message_util.h"
#include "gtest/gtest.h"
#include "metrics.pb.h"
#include "obsv/registry.h"
#include "registry/protobuf_writer.h"

namespace obsv {
namespace {

namespace pb = io::prometheus::client;

struct FakeClock {
  absl::Time now = absl::FromUnixSeconds(1700000000) + absl::Milliseconds(250);
  std::function<absl::Time()> Fn() {
    return [this] { return now; };
  }
};

std::vector<pb::MetricFamily> Decode(const std::string& body) {
  google::protobuf::io::ArrayInputStream in(body.data(), static_cast<int>(body.size()));
  std::vector<pb::MetricFamily> out;
  for (;;) {
    pb::MetricFamily f;
    bool clean_eof = false;
    if (!google::protobuf::util::ParseDelimitedFromZeroCopyStream(&f, &in, &clean_eof)) {
      EXPECT_TRUE(clean_eof) << "garbage after " << out.size() << " families";
      break;
    }
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<pb::MetricFamily> ExposeProtobuf(const Registry& r) {
  std::string body;
  absl::Status s = r.Expose(ExpositionFormat::kProtobuf, &body);
  EXPECT_TRUE(s.ok()) << s;
  return Decode(body);
}

const pb::MetricFamily* Find(const std::vector<pb::MetricFamily>& fams, const std::string& name) {
  for (const auto& f : fams) {
    if (f.name() == name) return &f;
  }
  ADD_FAILURE() << "no family " << name;
  return nullptr;
}

TEST(Protobuf, CounterWithExemplarAndCreated) {
  FakeClock clock;
  Registry r({.clock = clock.Fn()});
  auto fam = r.AddCounter({.name = "http_requests_total", .help = "Requests.", .label_names = {"code"}});
  Counter ok = fam->WithLabelValues({"200"}).value();
  ok.Inc(3);
  clock.now += absl::Seconds(1);
  ASSERT_TRUE(ok.AddWithExemplar(0.5, {{"trace_id", "abc"}}).ok());
  auto fams = ExposeProtobuf(r);
  ASSERT_EQ(fams.size(), 1u);
  const pb::MetricFamily& f = fams[0];
  EXPECT_EQ(f.name(), "http_requests_total");
  EXPECT_EQ(f.help(), "Requests.");
  EXPECT_EQ(f.type(), pb::COUNTER);
  ASSERT_EQ(f.metric_size(), 1);
  const pb::Metric& m = f.metric(0);
  ASSERT_EQ(m.label_size(), 1);
  EXPECT_EQ(m.label(0).name(), "code");
  EXPECT_EQ(m.label(0).value(), "200");
  EXPECT_EQ(m.counter().value(), 3.5);
  EXPECT_EQ(m.counter().created_timestamp().seconds(), 1700000000);
  EXPECT_EQ(m.counter().created_timestamp().nanos(), 250000000);
  const pb::Exemplar& e = m.counter().exemplar();
  ASSERT_EQ(e.label_size(), 1);
  EXPECT_EQ(e.label(0).name(), "trace_id");
  EXPECT_EQ(e.label(0).value(), "abc");
  EXPECT_EQ(e.value(), 0.5);
  EXPECT_EQ(e.timestamp().seconds(), 1700000001);
  EXPECT_EQ(e.timestamp().nanos(), 250000000);
  EXPECT_FALSE(m.has_timestamp_ms());
}

TEST(Protobuf, Gauge) {
  Registry r;
  Gauge g = r.AddGauge({.name = "temp_celsius", .unit = "celsius"})->WithLabelValues({}).value();
  g.Set(-3.25);
  auto fams = ExposeProtobuf(r);
  ASSERT_EQ(fams.size(), 1u);
  EXPECT_EQ(fams[0].type(), pb::GAUGE);
  EXPECT_EQ(fams[0].unit(), "celsius");
  EXPECT_EQ(fams[0].metric(0).gauge().value(), -3.25);
  EXPECT_FALSE(fams[0].has_help());
}

TEST(Protobuf, ClassicHistogram) {
  FakeClock clock;
  Registry r({.clock = clock.Fn()});
  Histogram h = r.AddHistogram({.name = "lat_seconds"}, {0.1, 1})->WithLabelValues({}).value();
  h.Observe(0.05);
  h.Observe(0.5);
  ASSERT_TRUE(h.ObserveWithExemplar(0.7, {{"t", "1"}}).ok());
  h.Observe(5);
  auto fams = ExposeProtobuf(r);
  const pb::Histogram& hp = fams.at(0).metric(0).histogram();
  EXPECT_EQ(fams[0].type(), pb::HISTOGRAM);
  EXPECT_EQ(hp.sample_count(), 4u);
  EXPECT_DOUBLE_EQ(hp.sample_sum(), 6.25);
  ASSERT_EQ(hp.bucket_size(), 2);  // +Inf implied
  EXPECT_EQ(hp.bucket(0).upper_bound(), 0.1);
  EXPECT_EQ(hp.bucket(0).cumulative_count(), 1u);
  EXPECT_FALSE(hp.bucket(0).has_exemplar());
  EXPECT_EQ(hp.bucket(1).upper_bound(), 1);
  EXPECT_EQ(hp.bucket(1).cumulative_count(), 3u);
  EXPECT_EQ(hp.bucket(1).exemplar().value(), 0.7);
  EXPECT_FALSE(hp.has_schema());  // classic only
  EXPECT_EQ(hp.positive_span_size(), 0);
  EXPECT_EQ(hp.created_timestamp().seconds(), 1700000000);
  // An exemplar on +Inf brings the +Inf bucket (client_golang does the same).
  ASSERT_TRUE(h.ObserveWithExemplar(50, {{"t", "2"}}).ok());
  fams = ExposeProtobuf(r);
  const pb::Histogram& h2 = fams.at(0).metric(0).histogram();
  ASSERT_EQ(h2.bucket_size(), 3);
  EXPECT_TRUE(std::isinf(h2.bucket(2).upper_bound()));
  EXPECT_EQ(h2.bucket(2).cumulative_count(), 5u);
  EXPECT_EQ(h2.bucket(2).exemplar().label(0).value(), "2");
}

TEST(Protobuf, NativeHistogramSpansAndDeltas) {
  Registry r;
  Histogram h = r.AddNativeHistogram({.name = "nh", .label_names = {"x"}}, {.bucket_factor = 2})
                    ->WithLabelValues({"y"})
                    .value();
  // Keys at schema 0: 1 -> 0, 2 -> 1 (x2), 4 -> 2, 64 -> 6, 512 -> 9 (x3);
  // -1 -> negative 0; 0 -> zero bucket.
  for (double v : {1.0, 2.0, 1.5, 4.0, 64.0, 512.0, 500.0, 300.0, -1.0, 0.0}) h.Observe(v);
  auto fams = ExposeProtobuf(r);
  ASSERT_EQ(fams.size(), 1u);
  EXPECT_EQ(fams[0].name(), "nh");
  EXPECT_EQ(fams[0].type(), pb::HISTOGRAM);
  const pb::Histogram& hp = fams[0].metric(0).histogram();
  EXPECT_EQ(hp.sample_count(), 10u);
  EXPECT_DOUBLE_EQ(hp.sample_sum(), 1383.5);
  EXPECT_EQ(hp.schema(), 0);
  EXPECT_EQ(hp.zero_threshold(), 2.938735877055719e-39);
  EXPECT_EQ(hp.zero_count(), 1u);
  EXPECT_EQ(hp.bucket_size(), 0);  // no classic buckets
  ASSERT_EQ(hp.positive_span_size(), 2);
  EXPECT_EQ(hp.positive_span(0).offset(), 0);
  EXPECT_EQ(hp.positive_span(0).length(), 3u);
  EXPECT_EQ(hp.positive_span(1).offset(), 3);
  EXPECT_EQ(hp.positive_span(1).length(), 4u);  // 6, two zeros, 9
  std::vector<int64_t> deltas(hp.positive_delta().begin(), hp.positive_delta().end());
  EXPECT_EQ(deltas, (std::vector<int64_t>{1, 1, -1, 0, -1, 0, 3}));
  ASSERT_EQ(hp.negative_span_size(), 1);
  EXPECT_EQ(hp.negative_span(0).offset(), 0);
  EXPECT_EQ(hp.negative_span(0).length(), 1u);
  ASSERT_EQ(hp.negative_delta_size(), 1);
  EXPECT_EQ(hp.negative_delta(0), 1);
  EXPECT_TRUE(hp.has_created_timestamp());
}

TEST(Protobuf, EmptyNativeHistogramHasNoOpSpan) {
  Registry r;
  r.AddNativeHistogram({.name = "nh"}, {.bucket_factor = 1.1, .zero_threshold = 0})->WithLabelValues({}).value();
  auto fams = ExposeProtobuf(r);
  const pb::Histogram& hp = fams.at(0).metric(0).histogram();
  EXPECT_EQ(hp.schema(), 3);
  EXPECT_TRUE(hp.has_zero_threshold());
  ASSERT_EQ(hp.positive_span_size(), 1);
  EXPECT_EQ(hp.positive_span(0).offset(), 0);
  EXPECT_EQ(hp.positive_span(0).length(), 0u);
}

TEST(Protobuf, NegativeSchemaAndExemplars) {
  Registry r;
  Histogram h = r.AddNativeHistogram({.name = "nh"}, {.bucket_factor = 16})->WithLabelValues({}).value();
  ASSERT_TRUE(h.ObserveWithExemplar(0.001, {{"trace_id", "z"}}).ok());
  auto fams = ExposeProtobuf(r);
  const pb::Histogram& hp = fams.at(0).metric(0).histogram();
  EXPECT_EQ(hp.schema(), -2);
  ASSERT_EQ(hp.positive_span_size(), 1);
  EXPECT_EQ(hp.positive_span(0).offset(), -2);  // (2^-12, 2^-8]
  ASSERT_EQ(hp.exemplars_size(), 1);
  EXPECT_EQ(hp.exemplars(0).value(), 0.001);
  ASSERT_EQ(hp.bucket_size(), 1);  // the +Inf bucket, for its exemplar
  EXPECT_EQ(hp.bucket(0).exemplar().label(0).value(), "z");
}

TEST(Protobuf, SummaryInfoStateSetGaugeHistogram) {
  Registry r;
  Summary s = r.AddSummary({.name = "rpc"}, {.quantiles = {0.5}})->WithLabelValues({}).value();
  s.Observe(1);
  s.Observe(3);
  r.AddInfo({.name = "build_info", .label_names = {"version"}})->WithLabelValues({"1.2"}).value();
  StateSet st = r.AddStateSet({.name = "mode"}, {"a", "b"})->WithLabelValues({}).value();
  ASSERT_TRUE(st.SetOnly("b").ok());
  GaugeHistogram gh = r.AddGaugeHistogram({.name = "queue"}, {1})->WithLabelValues({}).value();
  gh.Observe(0.5, 2);
  gh.Observe(5);
  auto fams = ExposeProtobuf(r);
  ASSERT_EQ(fams.size(), 4u);

  const pb::MetricFamily* build = Find(fams, "build_info");
  ASSERT_NE(build, nullptr);
  EXPECT_EQ(build->type(), pb::GAUGE);
  EXPECT_EQ(build->metric(0).gauge().value(), 1);
  EXPECT_EQ(build->metric(0).label(0).value(), "1.2");

  const pb::MetricFamily* mode = Find(fams, "mode");
  ASSERT_NE(mode, nullptr);
  EXPECT_EQ(mode->type(), pb::GAUGE);
  ASSERT_EQ(mode->metric_size(), 2);
  EXPECT_EQ(mode->metric(0).label(0).name(), "mode");
  EXPECT_EQ(mode->metric(0).label(0).value(), "a");
  EXPECT_EQ(mode->metric(0).gauge().value(), 0);
  EXPECT_EQ(mode->metric(1).gauge().value(), 1);

  const pb::MetricFamily* queue = Find(fams, "queue");
  ASSERT_NE(queue, nullptr);
  EXPECT_EQ(queue->type(), pb::GAUGE_HISTOGRAM);
  EXPECT_EQ(queue->metric(0).histogram().sample_count(), 3u);
  EXPECT_EQ(queue->metric(0).histogram().sample_sum(), 6);
  EXPECT_EQ(queue->metric(0).histogram().bucket(0).cumulative_count(), 2u);
  EXPECT_FALSE(queue->metric(0).histogram().has_created_timestamp());

  const pb::MetricFamily* rpc = Find(fams, "rpc");
  ASSERT_NE(rpc, nullptr);
  EXPECT_EQ(rpc->type(), pb::SUMMARY);
  const pb::Summary& sp = rpc->metric(0).summary();
  EXPECT_EQ(sp.sample_count(), 2u);
  EXPECT_EQ(sp.sample_sum(), 4);
  ASSERT_EQ(sp.quantile_size(), 1);
  EXPECT_EQ(sp.quantile(0).quantile(), 0.5);
  EXPECT_EQ(sp.quantile(0).value(), 1);
  EXPECT_TRUE(sp.has_created_timestamp());
}

TEST(Protobuf, CollectorFamilies) {
  Registry r;
  ASSERT_TRUE(r.AddCounter({.name = "b_total"}).ok());  // no series: not written
  ASSERT_TRUE(r.AddCollector("c", [] {
                 MetricFamily u{.name = "a_untyped", .type = MetricType::kUnknown};
                 u.samples.push_back({.name = "a_untyped", .labels = {{"k", "v"}}, .value = 7,
                                      .timestamp = Timestamp{1700000000123, 0}});
                 MetricFamily c{.name = "c_ops", .type = MetricType::kCounter};
                 Sample total{.name = "c_ops_total", .value = 9};
                 total.exemplar = Exemplar{.labels = {{"id", "x"}}, .value = 1};
                 c.samples.push_back(total);
                 c.samples.push_back({.name = "c_ops_created", .value = 1700000000.5});
                 MetricFamily h{.name = "d_hist", .type = MetricType::kHistogram};
                 h.samples.push_back({.name = "d_hist_bucket", .labels = {{"le", "1.0"}}, .value = 2});
                 h.samples.push_back({.name = "d_hist_bucket", .labels = {{"le", "+Inf"}}, .value = 3});
                 h.samples.push_back({.name = "d_hist_count", .value = 3});
                 h.samples.push_back({.name = "d_hist_sum", .value = 4.5});
                 return std::vector<MetricFamily>{u, c, h};
               }).ok());
  auto fams = ExposeProtobuf(r);
  ASSERT_EQ(fams.size(), 3u);
  EXPECT_EQ(fams[0].name(), "a_untyped");
  EXPECT_EQ(fams[0].type(), pb::UNTYPED);
  EXPECT_EQ(fams[0].metric(0).untyped().value(), 7);
  EXPECT_EQ(fams[0].metric(0).timestamp_ms(), 1700000000123);
  EXPECT_EQ(fams[1].name(), "c_ops_total");
  EXPECT_EQ(fams[1].metric(0).counter().value(), 9);
  EXPECT_EQ(fams[1].metric(0).counter().exemplar().label(0).value(), "x");
  EXPECT_EQ(fams[1].metric(0).counter().created_timestamp().seconds(), 1700000000);
  EXPECT_EQ(fams[1].metric(0).counter().created_timestamp().nanos(), 500000000);
  EXPECT_EQ(fams[2].name(), "d_hist");
  EXPECT_EQ(fams[2].metric_size(), 1);
  EXPECT_EQ(fams[2].metric(0).histogram().bucket_size(), 1);
  EXPECT_EQ(fams[2].metric(0).histogram().sample_count(), 3u);

  // A collector's sample that does not belong to its family is an error.
  Registry bad;
  ASSERT_TRUE(bad.AddCollector("c", [] {
                   MetricFamily g{.name = "g", .type = MetricType::kGauge};
                   g.samples.push_back({.name = "other", .value = 1});
                   return std::vector<MetricFamily>{g};
                 }).ok());
  std::string body;
  EXPECT_EQ(bad.Expose(ExpositionFormat::kProtobuf, &body).code(), absl::StatusCode::kInvalidArgument);
}

// Long messages (length varints of 2 and 3 bytes) and many families.
TEST(Protobuf, LongMessages) {
  Registry r;
  auto fam = r.AddCounter({.name = "c", .help = std::string(300, 'h'), .label_names = {"k"}});
  for (int i = 0; i < 2000; ++i) fam->WithLabelValues({std::to_string(i) + std::string(20, 'v')}).value().Inc(i);
  auto fams = ExposeProtobuf(r);
  ASSERT_EQ(fams.size(), 1u);
  EXPECT_EQ(fams[0].help().size(), 300u);
  ASSERT_EQ(fams[0].metric_size(), 2000);
  double total = 0;
  for (const auto& m : fams[0].metric()) total += m.counter().value();
  EXPECT_EQ(total, 1999.0 * 2000 / 2);
}

TEST(Protobuf, SameStateSameBytes) {
  Registry r;
  r.AddNativeHistogram({.name = "nh"}, {})->WithLabelValues({}).value().Observe(3);
  std::string a, b;
  ASSERT_TRUE(r.Expose(ExpositionFormat::kProtobuf, &a).ok());
  ASSERT_TRUE(r.Expose(ExpositionFormat::kProtobuf, &b).ok());
  EXPECT_EQ(a, b);
}

TEST(Protobuf, ConstLabelsFirstAndCachedLabelBytes) {
  Registry r;
  auto fam = r.AddGauge({.name = "g", .label_names = {"b"}, .const_labels = {{"a", "1"}}});
  fam->WithLabelValues({"x"}).value().Set(1);
  std::string first, second;
  ASSERT_TRUE(r.Expose(ExpositionFormat::kProtobuf, &first).ok());
  ASSERT_TRUE(r.Expose(ExpositionFormat::kProtobuf, &second).ok());
  EXPECT_EQ(first, second);
  auto fams = Decode(second);
  const pb::Metric& m = fams.at(0).metric(0);
  ASSERT_EQ(m.label_size(), 2);
  EXPECT_EQ(m.label(0).name(), "a");
  EXPECT_EQ(m.label(1).name(), "b");
  EXPECT_EQ(m.label(1).value(), "x");
}

TEST(Protobuf, Encoder) {
  std::string out;
  internal::ProtoWriter w(&out);
  w.Uint64(1, 300);
  w.Sint64(2, -2);
  EXPECT_EQ(out, std::string("\x08\xac\x02\x10\x03", 5));
  EXPECT_EQ(internal::SecondsToTimestamp(-1.0005).milliseconds, -1001);
  EXPECT_EQ(internal::SecondsToTimestamp(-1.0005).nanos, 500000);
}

}  // namespace
}  // namespace obsv
