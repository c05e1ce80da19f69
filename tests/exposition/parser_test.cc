// What the parser reports for valid input, entry by entry.
#include <cmath>
#include <string>

#include "exposition/test_util.h"
#include "gtest/gtest.h"
#include "obsv/exposition_parser.h"

namespace obsv {
namespace {

using testing::DumpWhole;

ParserOptions Text(bool strict = false) {
  ParserOptions o;
  o.format = ExpositionFormat::kText;
  o.strict = strict;
  return o;
}

ParserOptions Om(bool strict = false) {
  ParserOptions o;
  o.format = ExpositionFormat::kOpenMetrics;
  o.strict = strict;
  return o;
}

struct Case {
  const char* name;
  const char* input;
  const char* dump;
};

void RunCases(const Case* cases, size_t n, const ParserOptions& options) {
  for (size_t i = 0; i < n; ++i) {
    SCOPED_TRACE(cases[i].name);
    EXPECT_EQ(DumpWhole(cases[i].input, options), cases[i].dump);
  }
}

TEST(ParserTest, TextFormat) {
  const Case kCases[] = {
      {"counter with help and labels",
       "# HELP http_requests_total Requests.\n# TYPE http_requests_total counter\n"
       "http_requests_total{code=\"200\",method=\"get\"} 1027 1395066363000\n",
       "1 HELP http_requests_total Requests.\n"
       "2 TYPE http_requests_total counter\n"
       "3 SAMPLE http_requests_total family=http_requests_total type=counter suffix= code=200 method=get "
       "value=1027 text=1027 ts=1395066363000.000000\n"},
      {"escapes in label values and help",
       "# HELP x a\\\\b\\nc \\\"kept\\\"\nx{path=\"C:\\\\dir\\\\\",q=\"say \\\"hi\\\"\",nl=\"a\\nb\"} 1\n",
       "1 HELP x a\\b\nc \\\"kept\\\"\n"
       "2 SAMPLE x family=x type=unknown suffix= path=C:\\dir\\ q=say \"hi\" nl=a\nb value=1 text=1\n"},
      {"blanks and tabs between tokens, trailing comma, blank lines",
       "\n  metric_a \t{ a = \"1\" , b=\"2\", } \t 3.5 \t 42 \n\n",
       "2 SAMPLE metric_a family=metric_a type=unknown suffix= a=1 b=2 value=3.5 text=3.5 ts=42.000000\n"},
      {"negative and short timestamps (read as words at the end of the line)",
       "ts 1 -1500\nts 2 -15\nts 3 7\nts 4 1795314917023\nts 5 12345678\n",
       "1 SAMPLE ts family=ts type=unknown suffix= value=1 text=1 ts=-1500.000000\n"
       "2 SAMPLE ts family=ts type=unknown suffix= value=2 text=2 ts=-15.000000\n"
       "3 SAMPLE ts family=ts type=unknown suffix= value=3 text=3 ts=7.000000\n"
       "4 SAMPLE ts family=ts type=unknown suffix= value=4 text=4 ts=1795314917023.000000\n"
       "5 SAMPLE ts family=ts type=unknown suffix= value=5 text=5 ts=12345678.000000\n"},
      {"special values",
       "a +Inf\nb -Inf\nc NaN\nd Nan\ne 1e+06\nf -0.5e-3\n",
       "1 SAMPLE a family=a type=unknown suffix= value=+Inf text=+Inf\n"
       "2 SAMPLE b family=b type=unknown suffix= value=-Inf text=-Inf\n"
       "3 SAMPLE c family=c type=unknown suffix= value=NaN text=NaN\n"
       "4 SAMPLE d family=d type=unknown suffix= value=NaN text=Nan\n"
       "5 SAMPLE e family=e type=unknown suffix= value=1e+06 text=1e+06\n"
       "6 SAMPLE f family=f type=unknown suffix= value=-0.0005 text=-0.5e-3\n"},
      {"histogram suffixes belong to the family, comments pass through",
       "# TYPE rpc histogram\n# a comment\nrpc_bucket{le=\"0.1\"} 1\nrpc_bucket{le=\"+Inf\"} 2\nrpc_sum 0.3\n"
       "rpc_count 2\nrpc_created 5\n",
       "1 TYPE rpc histogram\n2 COMMENT  a comment\n"
       "3 SAMPLE rpc_bucket family=rpc type=histogram suffix=_bucket le=0.1 value=1 text=1\n"
       "4 SAMPLE rpc_bucket family=rpc type=histogram suffix=_bucket le=+Inf value=2 text=2\n"
       "5 SAMPLE rpc_sum family=rpc type=histogram suffix=_sum value=0.3 text=0.3\n"
       "6 SAMPLE rpc_count family=rpc type=histogram suffix=_count value=2 text=2\n"
       "7 SAMPLE rpc_created family=rpc_created type=unknown suffix= value=5 text=5\n"},
      {"a gauge named x_sum is not part of summary x",
       "# TYPE x summary\nx{quantile=\"0.5\"} 1\nx_sum 2\nx_count 3\n# TYPE x_sum gauge\nx_sum 9\n",
       "1 TYPE x summary\n"
       "2 SAMPLE x family=x type=summary suffix= quantile=0.5 value=1 text=1\n"
       "3 SAMPLE x_sum family=x type=summary suffix=_sum value=2 text=2\n"
       "4 SAMPLE x_count family=x type=summary suffix=_count value=3 text=3\n"
       "5 TYPE x_sum gauge\n"
       "6 SAMPLE x_sum family=x_sum type=gauge suffix= value=9 text=9\n"},
      {"UTF-8 quoted names of Prometheus 3",
       "# HELP \"my.metric\" dotted\n# TYPE \"my.metric\" gauge\n{\"my.metric\",\"label.with.dots\"=\"v\",a=\"b\"} 1\n"
       "{\"\xe2\x82\xac\"} 2\n",
       "1 HELP my.metric dotted\n2 TYPE my.metric gauge\n"
       "3 SAMPLE my.metric family=my.metric type=gauge suffix= label.with.dots=v a=b value=1 text=1\n"
       "4 SAMPLE \xe2\x82\xac family=\xe2\x82\xac type=unknown suffix= value=2 text=2\n"},
      {"integers beyond 2^53 keep their text",
       "big 18446744073709551615\n",
       "1 SAMPLE big family=big type=unknown suffix= value=1.8446744073709552e+19 text=18446744073709551615\n"},
      {"no trailing newline",
       "a 1\nb 2",
       "1 SAMPLE a family=a type=unknown suffix= value=1 text=1\n"
       "2 SAMPLE b family=b type=unknown suffix= value=2 text=2\n"},
      {"# EOF is a comment in text", "a 1\n# EOF\n",
       "1 SAMPLE a family=a type=unknown suffix= value=1 text=1\n2 COMMENT  EOF\n"},
  };
  RunCases(kCases, sizeof(kCases) / sizeof(kCases[0]), Text());
}

TEST(ParserTest, OpenMetricsFormat) {
  const Case kCases[] = {
      {"counter with _total, _created, exemplar and unit",
       "# TYPE foo_seconds counter\n# UNIT foo_seconds seconds\n# HELP foo_seconds Time \\\"spent\\\".\n"
       "foo_seconds_total{a=\"b\"} 17.0 1520879607.789 # {trace_id=\"KOO5S4vxi0o\"} 0.67 1520879602.890\n"
       "foo_seconds_created{a=\"b\"} 1520430000.123\n# EOF\n",
       "1 TYPE foo_seconds counter\n2 UNIT foo_seconds seconds\n3 HELP foo_seconds Time \"spent\".\n"
       "4 SAMPLE foo_seconds_total family=foo_seconds type=counter suffix=_total a=b value=17 text=17.0 "
       "ts=1520879607789.000000 exemplar{trace_id=KOO5S4vxi0o,} 0.67 ts=1520879602890.000000\n"
       "5 SAMPLE foo_seconds_created family=foo_seconds type=counter suffix=_created a=b value=1.520430000123e+09 "
       "text=1520430000.123\n"},
      {"exemplar without timestamp, on a bucket",
       "# TYPE h histogram\nh_bucket{le=\"1.0\"} 0\nh_bucket{le=\"+Inf\"} 1 # {} 3.5\nh_count 1\nh_sum 3.5\n# EOF",
       "1 TYPE h histogram\n"
       "2 SAMPLE h_bucket family=h type=histogram suffix=_bucket le=1.0 value=0 text=0\n"
       "3 SAMPLE h_bucket family=h type=histogram suffix=_bucket le=+Inf value=1 text=1 exemplar{} 3.5\n"
       "4 SAMPLE h_count family=h type=histogram suffix=_count value=1 text=1\n"
       "5 SAMPLE h_sum family=h type=histogram suffix=_sum value=3.5 text=3.5\n"},
      {"info, stateset, gaugehistogram",
       "# TYPE build info\nbuild_info{version=\"1.2\"} 1\n# TYPE state stateset\nstate{state=\"a\"} 1\n"
       "state{state=\"b\"} 0\n# TYPE g gaugehistogram\ng_bucket{le=\"+Inf\"} 4\ng_gcount 4\ng_gsum 2\n# EOF\n",
       "1 TYPE build info\n"
       "2 SAMPLE build_info family=build type=info suffix=_info version=1.2 value=1 text=1\n"
       "3 TYPE state stateset\n"
       "4 SAMPLE state family=state type=stateset suffix= state=a value=1 text=1\n"
       "5 SAMPLE state family=state type=stateset suffix= state=b value=0 text=0\n"
       "6 TYPE g gaugehistogram\n"
       "7 SAMPLE g_bucket family=g type=gaugehistogram suffix=_bucket le=+Inf value=4 text=4\n"
       "8 SAMPLE g_gcount family=g type=gaugehistogram suffix=_gcount value=4 text=4\n"
       "9 SAMPLE g_gsum family=g type=gaugehistogram suffix=_gsum value=2 text=2\n"},
      {"negative timestamp, exact to the nanosecond",
       "a 1 -1.0005\nb 1 0.000000001\n# EOF\n",
       "1 SAMPLE a family=a type=unknown suffix= value=1 text=1 ts=-1001.500000\n"
       "2 SAMPLE b family=b type=unknown suffix= value=1 text=1 ts=0.000001\n"},
  };
  RunCases(kCases, sizeof(kCases) / sizeof(kCases[0]), Om(true));
}

TEST(ParserTest, ModelGroupsFamiliesAndMergesInterleavedGroupsWhenLenient) {
  auto families = ParseExposition("# TYPE a gauge\na 1\nb 2\na 3\n", Text());
  ASSERT_TRUE(families.ok()) << families.status();
  ASSERT_EQ(families->size(), 2u);
  EXPECT_EQ((*families)[0].name, "a");
  EXPECT_EQ((*families)[0].type, MetricType::kGauge);
  ASSERT_EQ((*families)[0].samples.size(), 2u);
  EXPECT_EQ((*families)[0].samples[1].value, 3);
  EXPECT_EQ((*families)[1].name, "b");
  // Strict mode refuses the same body.
  auto strict = ParseExposition("# TYPE a gauge\na 1\nb 2\na 3\n", Text(true));
  EXPECT_FALSE(strict.ok());
  EXPECT_NE(strict.status().message().find("4:1:"), std::string::npos) << strict.status();
}

TEST(ParserTest, DetectsFormatFromContent) {
  ParserOptions auto_detect;
  ExpositionParser p(auto_detect);
  p.Reset("a_total 1\n# EOF\n");
  EXPECT_EQ(p.format(), ExpositionFormat::kOpenMetrics);
  p.Reset("a_total 1\n");
  EXPECT_EQ(p.format(), ExpositionFormat::kText);
}

TEST(ParserTest, EveryCorpusFileParsesLenientAndAllButOneStrict) {
  for (const auto& f : testing::CorpusFiles()) {
    SCOPED_TRACE(f.name);
    std::string body = testing::ReadTestFile(f.name);
    ASSERT_FALSE(body.empty());
    ParserOptions o;
    o.format = f.format;
    std::vector<MetricFamily> families;
    ParseError e = ParseExposition(body, o, &families);
    EXPECT_TRUE(e.ok()) << e.message;
    EXPECT_FALSE(families.empty());
    o.strict = true;
    e = ParseExposition(body, o, &families);
    if (f.name == "corpus/client_golang.om.txt") {
      // client_golang's counter metadata drops _total, so the gauge
      // go_memstats_alloc_bytes and the counter go_memstats_alloc_bytes_total
      // both claim the family go_memstats_alloc_bytes (see corpus/README.md).
      EXPECT_EQ(e.code, ParseErrorCode::kMetadataAfterSamples);
      EXPECT_EQ(e.line, 73u);
    } else {
      EXPECT_TRUE(e.ok()) << e.message;
    }
  }
}

TEST(ParserTest, ViewsIntoTheBufferNeedNoCopy) {
  std::string body = "plain{a=\"value\"} 1\n";
  ExpositionParser p(Text());
  p.Reset(body);
  ASSERT_EQ(p.Next(), Entry::kSample);
  EXPECT_EQ(p.label_value(0).data(), body.data() + 9);
  EXPECT_EQ(p.raw_line(), "plain{a=\"value\"} 1");
  EXPECT_EQ(p.offset(), 0u);
}

}  // namespace
}  // namespace obsv
