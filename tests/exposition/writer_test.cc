// The writer's bytes, format by format.
#include <limits>
#include <string>

#include "gtest/gtest.h"
#include "obsv/exposition_parser.h"
#include "obsv/exposition_writer.h"

namespace obsv {
namespace {

std::string Write(const std::vector<MetricFamily>& families, ExpositionFormat format) {
  std::string out;
  WriterOptions o;
  o.format = format;
  absl::Status s = WriteExposition(families, o, &out);
  EXPECT_TRUE(s.ok()) << s;
  return out;
}

MetricFamily Counter() {
  MetricFamily f;
  f.name = "http_requests_total";
  f.type = MetricType::kCounter;
  f.help = "Requests \"served\"\\ by\ncode.";
  f.has_help = true;
  Sample s;
  s.name = "http_requests_total";
  s.labels = {{"code", "200"}, {"path", "/a\"b\\c\nd"}};
  s.value = 1027;
  s.timestamp = Timestamp{1395066363000, 0};
  f.samples.push_back(s);
  return f;
}

TEST(WriterTest, TextCounterWithEscapes) {
  EXPECT_EQ(Write({Counter()}, ExpositionFormat::kText),
            "# HELP http_requests_total Requests \"served\"\\\\ by\\ncode.\n"
            "# TYPE http_requests_total counter\n"
            "http_requests_total{code=\"200\",path=\"/a\\\"b\\\\c\\nd\"} 1027 1395066363000\n");
}

TEST(WriterTest, OpenMetricsCounterDropsTotalFromTheFamilyName) {
  EXPECT_EQ(Write({Counter()}, ExpositionFormat::kOpenMetrics),
            "# HELP http_requests Requests \\\"served\\\"\\\\ by\\ncode.\n"
            "# TYPE http_requests counter\n"
            "http_requests_total{code=\"200\",path=\"/a\\\"b\\\\c\\nd\"} 1027.0 1395066363\n"
            "# EOF\n");
}

TEST(WriterTest, TextCounterWithoutTotalGainsItInOpenMetrics) {
  MetricFamily f;
  f.name = "jobs";
  f.type = MetricType::kCounter;
  f.samples.push_back(Sample{"jobs", {}, 3});
  EXPECT_EQ(Write({f}, ExpositionFormat::kOpenMetrics), "# TYPE jobs counter\njobs_total 3.0\n# EOF\n");
}

TEST(WriterTest, HistogramCanonicalLeAndIntegerCounts) {
  MetricFamily h;
  h.name = "rpc_seconds";
  h.type = MetricType::kHistogram;
  h.unit = "seconds";
  h.samples = {
      Sample{"rpc_seconds_bucket", {{"le", "1"}}, 2},
      Sample{"rpc_seconds_bucket", {{"le", "+Inf"}}, 3},
      Sample{"rpc_seconds_sum", {}, 1.5},
      Sample{"rpc_seconds_count", {}, 3},
  };
  EXPECT_EQ(Write({h}, ExpositionFormat::kOpenMetrics),
            "# TYPE rpc_seconds histogram\n# UNIT rpc_seconds seconds\n"
            "rpc_seconds_bucket{le=\"1.0\"} 2\nrpc_seconds_bucket{le=\"+Inf\"} 3\n"
            "rpc_seconds_sum 1.5\nrpc_seconds_count 3\n# EOF\n");
  h.samples[0].labels[0].value = "1.0";
  EXPECT_EQ(Write({h}, ExpositionFormat::kText),
            "# TYPE rpc_seconds histogram\n"
            "rpc_seconds_bucket{le=\"1\"} 2\nrpc_seconds_bucket{le=\"+Inf\"} 3\n"
            "rpc_seconds_sum 1.5\nrpc_seconds_count 3\n");
}

TEST(WriterTest, CreatedSamplesBecomeGaugesInText) {
  MetricFamily f;
  f.name = "foo";
  f.type = MetricType::kCounter;
  f.samples = {Sample{"foo_total", {}, 1}, Sample{"foo_created", {}, 1.5e9}};
  EXPECT_EQ(Write({f}, ExpositionFormat::kText),
            "# TYPE foo_total counter\nfoo_total 1\n# TYPE foo_created gauge\nfoo_created 1.5e+09\n");
}

TEST(WriterTest, Utf8NamesAreQuoted) {
  MetricFamily f;
  f.name = "my.metric";
  f.type = MetricType::kGauge;
  f.help = "dotted";
  f.has_help = true;
  f.samples = {Sample{"my.metric", {{"label.with.dots", "v"}, {"ok", "1"}}, 1}};
  EXPECT_EQ(Write({f}, ExpositionFormat::kText),
            "# HELP \"my.metric\" dotted\n# TYPE \"my.metric\" gauge\n"
            "{\"my.metric\",\"label.with.dots\"=\"v\",ok=\"1\"} 1\n");
}

TEST(WriterTest, SpecialValuesBigIntegersAndExemplars) {
  MetricFamily f;
  f.name = "c";
  f.type = MetricType::kCounter;
  Sample s{"c_total", {}, 0};
  s.value = std::numeric_limits<double>::quiet_NaN();
  f.samples.push_back(s);
  s.value = 1.8446744073709552e19;
  s.value_text = "18446744073709551615";
  f.samples.push_back(s);
  s.value_text.clear();
  s.value = 5;
  s.exemplar = Exemplar{{{"trace_id", "abc"}}, 0.67, Timestamp{1520879602890, 0}};
  f.samples.push_back(s);
  EXPECT_EQ(Write({f}, ExpositionFormat::kOpenMetrics),
            "# TYPE c counter\nc_total NaN\nc_total 18446744073709551615\n"
            "c_total 5.0 # {trace_id=\"abc\"} 0.67 1520879602.89\n# EOF\n");
  // Text has no exemplars.
  EXPECT_EQ(Write({f}, ExpositionFormat::kText),
            "# TYPE c_total counter\nc_total NaN\nc_total 18446744073709551615\nc_total 5\n");
}

TEST(WriterTest, Timestamps) {
  const struct {
    Timestamp ts;
    const char* text;
    const char* om;
  } kCases[] = {
      {{1520879607789, 0}, "1520879607789", "1520879607.789"},
      {{0, 0}, "0", "0"},
      {{1000, 0}, "1000", "1"},
      {{-1500, 0}, "-1500", "-1.5"},
      {{-1001, 500000}, "-1001", "-1.0005"},
      {{1, 500000}, "1", "0.0015"},
      {{0, 1}, "0", "0.000000001"},
  };
  for (const auto& c : kCases) {
    std::string text, om;
    AppendTimestamp(c.ts, ExpositionFormat::kText, &text);
    AppendTimestamp(c.ts, ExpositionFormat::kOpenMetrics, &om);
    EXPECT_EQ(text, c.text);
    EXPECT_EQ(om, c.om);
  }
}

TEST(WriterTest, RefusesWhatItCannotWrite) {
  std::string out;
  MetricFamily f;
  f.type = MetricType::kGauge;
  EXPECT_FALSE(WriteFamily(f, {}, &out).ok());  // no name
  f.name = "g";
  f.samples = {Sample{"other", {}, 1}};
  absl::Status s = WriteFamily(f, {}, &out);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("does not belong"), std::string::npos);
  f.samples = {Sample{"g", {{"bad", "\xff"}}, 1}};
  EXPECT_FALSE(WriteFamily(f, {}, &out).ok());
}

TEST(WriterTest, LegacyNameChecks) {
  EXPECT_TRUE(IsLegacyMetricName("a:b_c1"));
  EXPECT_FALSE(IsLegacyMetricName("1a"));
  EXPECT_FALSE(IsLegacyMetricName("a.b"));
  EXPECT_FALSE(IsLegacyMetricName(""));
  EXPECT_TRUE(IsLegacyLabelName("_a1"));
  EXPECT_FALSE(IsLegacyLabelName("a:b"));
}

}  // namespace
}  // namespace obsv
