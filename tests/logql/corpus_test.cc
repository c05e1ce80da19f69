// The LogQL corpus (tests/testdata/logql, see its README): every valid query
// parses and Format() gives Loki's String() line; every invalid query is
// rejected at Loki's line:column with Loki's message (up to yacc's
// ", expecting ..." list, which obsv does not reproduce).
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "logql/lexer.h"
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

// lex.go hands any character it has no token for to the grammar as an
// IDENTIFIER (`| logfmt !` extracts a label named "!"), which Loki then
// prints in ways it does not read back. Such queries are left out.
bool HasStrayIdentifier(std::string_view q) {
  internal::Lexer lex(q);
  while (true) {
    internal::Token t = lex.Next();
    if (t.type == internal::Tok::kEof || t.type == internal::Tok::kError) return false;
    if (t.type == internal::Tok::kIdentifier) {
      unsigned char c = static_cast<unsigned char>(t.text[0]);
      if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return true;
    }
  }
}

// Mutated corpus queries (fixed seed): whatever parses must print text that
// parses to the same text again (Format is idempotent), and nothing crashes.
TEST(LogqlCorpusTest, MutationsRoundTrip) {
  std::vector<std::string> queries = ReadLines("valid.txt");
  std::vector<std::string> invalid = ReadLines("invalid.txt");
  queries.insert(queries.end(), invalid.begin(), invalid.end());
  ASSERT_GT(queries.size(), 0u);
  static constexpr std::string_view kPieces[] = {
      "(", ")", "{", "}", "[5m]", "|", "|=", "!=", " or ", " and ", ",", "\"", "`", "-", "5",
      "1.5", "5m", "10KB", " by (a) ", " offset 1h", " | json", " | unwrap x", "ip(\"1.1.1.1\")",
      " bool ", " on (a) ", "group_left", "sum(", "rate(", "#", "\n", "=~", "a=\"b\"", ">", "==",
  };
  std::mt19937 rng(20261203);
  int parsed = 0;
  for (int i = 0; i < 30000; ++i) {
    std::string q = Decode(queries[rng() % queries.size()]);
    int edits = 1 + static_cast<int>(rng() % 3);
    for (int k = 0; k < edits && !q.empty(); ++k) {
      size_t at = rng() % (q.size() + 1);
      switch (rng() % 3) {
        case 0: q.erase(at, 1 + rng() % 4); break;
        case 1: q.insert(at, kPieces[rng() % std::size(kPieces)]); break;
        default: if (at < q.size()) q[at] = static_cast<char>(' ' + rng() % 95); break;
      }
    }
    auto expr = Parse(q);
    if (!expr.ok() || HasStrayIdentifier(q)) continue;
    ++parsed;
    std::string once = Format(**expr);
    if (once.find("NaN") != std::string::npos || once.find("Inf") != std::string::npos) continue;
    auto again = Parse(once);
    // humanize.Bytes prints 0 bytes as `0B`, which Go's text/scanner reads
    // as a binary literal without digits: Loki cannot read it back either.
    if (!again.ok() && once.find("0B") != std::string::npos) continue;
    ASSERT_TRUE(again.ok()) << q << "\n" << once << "\n" << again.status();
    ASSERT_EQ(Format(**again), once) << q;
  }
  EXPECT_GT(parsed, 1000);
}

}  // namespace
}  // namespace obsv::logql
