// The LogQL corpus (tests/testdata/logql, see its README): every valid query
// parses and Format() gives Loki's String() line; every invalid query is
// rejected at Loki's line:column with Loki's message (up to yacc's
// ", expecting ..." list, which obsv does not reproduce).
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "obsv/logql.h"

#ifndef OBSV_TESTDATA_DIR
#error "OBSV_TESTDATA_DIR must be defined"
#endif

namespace obsv::logql {
namespace {

std::vector<std::string> ReadLines(const std::string& name) {
  std::ifstream in(std::string(OBSV_TESTDATA_DIR) + "/logql/" + name);
  EXPECT_TRUE(in.good()) << name;
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// `\n` in the query files stands for a newline.
std::string Decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == 'n') {
      out.push_back('\n');
      ++i;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

TEST(LogqlCorpusTest, Valid) {
  std::vector<std::string> queries = ReadLines("valid.txt");
  std::vector<std::string> expected = ReadLines("valid.expected");
  ASSERT_EQ(queries.size(), expected.size());
  ASSERT_GT(queries.size(), 0u);
  int failures = 0;
  for (size_t i = 0; i < queries.size(); ++i) {
    std::string q = Decode(queries[i]);
    SCOPED_TRACE("valid.txt:" + std::to_string(i + 1) + ": " + q);
    auto expr = Parse(q);
    if (!expr.ok()) {
      ADD_FAILURE() << expr.status();
      ++failures;
      continue;
    }
    std::string got = Format(**expr);
    if (got != expected[i]) ++failures;
    EXPECT_EQ(got, expected[i]);
    if (got == "NaN") continue;
    auto again = Parse(got);
    ASSERT_TRUE(again.ok()) << again.status();
    EXPECT_EQ(Format(**again), got);
  }
  EXPECT_EQ(failures, 0) << "of " << queries.size();
}

TEST(LogqlCorpusTest, Invalid) {
  std::vector<std::string> queries = ReadLines("invalid.txt");
  std::vector<std::string> expected = ReadLines("invalid.expected");
  ASSERT_EQ(queries.size(), expected.size());
  ASSERT_GT(queries.size(), 0u);
  int failures = 0;
  for (size_t i = 0; i < queries.size(); ++i) {
    std::string q = Decode(queries[i]);
    SCOPED_TRACE("invalid.txt:" + std::to_string(i + 1) + ": " + q);
    auto expr = Parse(q);
    if (expr.ok()) {
      ADD_FAILURE() << "accepted, printed as " << Format(**expr);
      ++failures;
      continue;
    }
    const std::string& e = expected[i];
    size_t tab = e.find('\t');
    ASSERT_NE(tab, std::string::npos);
    std::string pos = e.substr(0, tab), message = e.substr(tab + 1);
    std::string want = pos == "0:0" ? "parse error : " + message
                                    : "parse error at line " + pos.substr(0, pos.find(':')) +
                                          ", col " + pos.substr(pos.find(':') + 1) + ": " + message;
    std::string got(expr.status().message());
    size_t cut = want.find(", expecting ");
    if (cut != std::string::npos && got.find(", expecting ") == std::string::npos) {
      want.resize(cut);
    }
    if (got != want) ++failures;
    EXPECT_EQ(got, want);
  }
  EXPECT_EQ(failures, 0) << "of " << queries.size();
}

}  // namespace
}  // namespace obsv::logql
