// Parse, write, parse again gives the same model; text and OpenMetrics
// convert into each other without losing what both can carry.
#include <string>

#include "exposition/test_util.h"
#include "gtest/gtest.h"
#include "obsv/exposition_parser.h"
#include "obsv/exposition_writer.h"

namespace obsv {
namespace {

std::vector<MetricFamily> MustParse(std::string_view body, ExpositionFormat format, bool strict = false) {
  ParserOptions o;
  o.format = format;
  o.strict = strict;
  std::vector<MetricFamily> families;
  ParseError e = ParseExposition(body, o, &families);
  EXPECT_TRUE(e.ok()) << e.message << "\n" << body.substr(0, 2000);
  return families;
}

std::string MustWrite(const std::vector<MetricFamily>& families, ExpositionFormat format) {
  std::string out;
  WriterOptions o;
  o.format = format;
  absl::Status s = WriteExposition(families, o, &out);
  EXPECT_TRUE(s.ok()) << s;
  return out;
}

void ExpectSameModel(const std::vector<MetricFamily>& a, const std::vector<MetricFamily>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_TRUE(FamiliesEqual(a[i], b[i])) << a[i].name << " vs " << b[i].name;
  }
}

// (sample name, labels, value bits) for every sample: what every format
// carries.
std::vector<std::string> SampleKeys(const std::vector<MetricFamily>& families) {
  std::vector<std::string> keys;
  for (const auto& f : families) {
    for (const auto& s : f.samples) {
      std::string k = s.name;
      for (const auto& l : s.labels) {
        k += "|" + l.name + "=";
        if (l.name == "le" || l.name == "quantile") {
          double v = std::strtod(l.value.c_str(), nullptr);
          std::string canon;
          AppendGoFloat(l.value == "+Inf" ? std::numeric_limits<double>::infinity() : v, &canon);
          k += canon;
        } else {
          k += l.value;
        }
      }
      k += " ";
      AppendGoFloat(s.value, &k);
      if (s.timestamp) k += " @" + std::to_string(s.timestamp->milliseconds);
      keys.push_back(k);
    }
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

TEST(RoundTripTest, CorpusSameFormat) {
  for (const auto& f : testing::CorpusFiles()) {
    SCOPED_TRACE(f.name);
    auto model = MustParse(testing::ReadTestFile(f.name), f.format);
    std::string written = MustWrite(model, f.format);
    auto again = MustParse(written, f.format);
    ExpectSameModel(model, again);
    // And the output is stable: writing it again gives the same bytes.
    EXPECT_EQ(MustWrite(again, f.format), written);
  }
}

TEST(RoundTripTest, CorpusAcrossFormats) {
  for (const auto& f : testing::CorpusFiles()) {
    SCOPED_TRACE(f.name);
    auto model = MustParse(testing::ReadTestFile(f.name), f.format);
    ExpositionFormat other =
        f.format == ExpositionFormat::kText ? ExpositionFormat::kOpenMetrics : ExpositionFormat::kText;
    std::string converted = MustWrite(model, other);
    // The conversion is valid in the other format, strictly, except where the
    // source itself breaks the strict rules.
    auto in_other = MustParse(converted, other, f.name != "corpus/client_golang.om.txt");
    auto back = MustParse(MustWrite(in_other, f.format), f.format);
    EXPECT_EQ(SampleKeys(model), SampleKeys(in_other));
    EXPECT_EQ(SampleKeys(model), SampleKeys(back));
  }
}

TEST(RoundTripTest, WriterOutputIsStrictlyValid) {
  for (const auto& f : testing::CorpusFiles()) {
    SCOPED_TRACE(f.name);
    auto model = MustParse(testing::ReadTestFile(f.name), f.format);
    for (ExpositionFormat out : {ExpositionFormat::kText, ExpositionFormat::kOpenMetrics}) {
      if (f.name == "corpus/client_golang.om.txt") continue;  // see parser_test
      MustParse(MustWrite(model, out), out, /*strict=*/true);
    }
  }
}

}  // namespace
}  // namespace obsv
