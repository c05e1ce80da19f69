// The incremental API gives exactly what whole-buffer parsing gives, however
// the body is split.
#include <string>
#include <vector>

#include "exposition/test_util.h"
#include "gtest/gtest.h"
#include "obsv/exposition_parser.h"

namespace obsv {
namespace {

using testing::DumpChunked;
using testing::DumpWhole;

std::vector<std::pair<std::string, ExpositionFormat>> Inputs() {
  std::vector<std::pair<std::string, ExpositionFormat>> inputs;
  for (const auto& f : testing::CorpusFiles()) inputs.emplace_back(testing::ReadTestFile(f.name), f.format);
  inputs.emplace_back("# HELP x a\\\\b\\nc\n# TYPE x counter\nx{path=\"C:\\\\dir\",q=\"\\\"q\\\"\"} 1 1395066363000\n"
                      "{\"my.metric\",\"a.b\"=\"\xe2\x82\xac\"} 2\nbig 18446744073709551615\n",
                      ExpositionFormat::kText);
  inputs.emplace_back("# TYPE foo counter\n# UNIT foo seconds\nfoo_total{a=\"b\"} 1.0 1520879607.789 "
                      "# {trace_id=\"abc\"} 0.5 1520879602.89\nfoo_created{a=\"b\"} 1520430000.123\n# EOF",
                      ExpositionFormat::kOpenMetrics);
  return inputs;
}

// Feeding one byte at a time makes every byte boundary a split point.
TEST(ChunkedTest, EveryByteBoundaryOfEveryInputInBothModes) {
  for (const auto& [body, format] : Inputs()) {
    for (bool strict : {false, true}) {
      ParserOptions o;
      o.format = format;
      o.strict = strict;
      std::string whole = DumpWhole(body, o);
      ASSERT_FALSE(whole.empty());
      EXPECT_EQ(DumpChunked(body, o, {1}), whole);
      EXPECT_EQ(DumpChunked(body, o, {2, 3, 5, 7, 11}), whole);
      EXPECT_EQ(DumpChunked(body, o, {4096}), whole);
      EXPECT_EQ(DumpChunked(body, o, {65536}), whole);
    }
  }
}

// Every split into two chunks, for the inputs small enough to afford it.
TEST(ChunkedTest, EveryTwoChunkSplitOfSmallInputs) {
  for (const auto& [body, format] : Inputs()) {
    if (body.size() > 9000) continue;
    ParserOptions o;
    o.format = format;
    o.strict = false;
    std::string whole = DumpWhole(body, o);
    for (size_t split = 1; split < body.size(); ++split) {
      ASSERT_EQ(DumpChunked(body, o, {split, body.size()}), whole) << "split at " << split;
    }
  }
}

TEST(ChunkedTest, MemoryIsBoundedByTheLongestLine) {
  // A 64 MiB body of short lines, fed in 4 KiB chunks, never copies more
  // than one line: the carry buffer stays small.
  ParserOptions o;
  o.format = ExpositionFormat::kText;
  o.max_line_bytes = 64;
  ExpositionParser p(o);
  std::string chunk;
  for (int i = 0; i < 200; ++i) chunk += "metric_with_a_name{l=\"" + std::to_string(i) + "\"} 1\n";
  size_t samples = 0;
  for (int i = 0; i < 1000; ++i) {
    // Shift the split point every round.
    std::string_view piece = std::string_view(chunk).substr(0, chunk.size() - (i % 17));
    std::string_view rest = std::string_view(chunk).substr(piece.size());
    ASSERT_TRUE(p.Feed(piece));
    for (Entry e; (e = p.Next()) != Entry::kNeedMore;) {
      ASSERT_NE(e, Entry::kError) << p.error().message;
      ++samples;
    }
    ASSERT_TRUE(p.Feed(rest));
    for (Entry e; (e = p.Next()) != Entry::kNeedMore;) {
      ASSERT_NE(e, Entry::kError) << p.error().message;
      ++samples;
    }
  }
  p.Finish();
  EXPECT_EQ(p.Next(), Entry::kEnd);
  EXPECT_EQ(samples, 200u * 1000u);
}

}  // namespace
}  // namespace obsv

namespace obsv {
namespace {

TEST(ChunkedTest, AutoDetectionWaitsForTheContent) {
  // An OpenMetrics body whose first chunks say nothing of the format.
  for (const auto& f : testing::CorpusFiles()) {
    SCOPED_TRACE(f.name);
    std::string body = testing::ReadTestFile(f.name);
    ParserOptions detect;  // no format
    ParserOptions given;
    given.format = f.format;
    std::string whole = testing::DumpWhole(body, given);
    EXPECT_EQ(testing::DumpChunked(body, detect, {997}), whole);
    EXPECT_EQ(testing::DumpChunked(body, detect, {1}), whole);
  }
}

TEST(ChunkedTest, FeedingUndrainedIsRefusedWithoutFailingTheBody) {
  ParserOptions o;
  o.format = ExpositionFormat::kText;
  ExpositionParser p(o);
  ASSERT_TRUE(p.Feed("a 1\nb 2\n"));
  EXPECT_FALSE(p.Feed("ignored 3\n"));
  EXPECT_TRUE(p.error().ok());
  EXPECT_EQ(p.Next(), Entry::kSample);
  EXPECT_EQ(p.Next(), Entry::kSample);
  EXPECT_EQ(p.Next(), Entry::kNeedMore);
  p.Finish();
  EXPECT_EQ(p.Next(), Entry::kEnd);
}

}  // namespace
}  // namespace obsv
