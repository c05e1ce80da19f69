// The printers' append cursor and Go formatting (common/out.h) against the
// string-building originals they stand in for (common/go_strconv.h).
#include "common/out.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "common/go_strconv.h"

namespace obsv::internal {
namespace {

std::string Quoted(std::string_view s) {
  std::string out = "x";  // something before, as in a query
  {
    Out o(&out);
    QuoteTo(s, o);
  }
  return out.substr(1);
}

std::string GoQuoted(std::string_view s) {
  std::string out;
  AppendGoQuote(s, &out);
  return out;
}

TEST(OutTest, QuoteToIsGoQuote) {
  const std::vector<std::string> cases = {
      "", "a", "abc", "plain value of more than sixteen bytes", "a\"b", "\\d+", "a\\\\b",
      "line\nbreak", "tab\there", "bell\a", "del\x7f", "caf\xc3\xa9", "bad\xff utf8",
      "mixed \\ \" \n \t \xe2\x80\x8b zero width", std::string("nul\0byte", 8),
      "\xf0\x9f\x98\x80 emoji", "a long run of plain bytes and then a quote\" at the end",
  };
  for (const std::string& c : cases) {
    SCOPED_TRACE(c);
    EXPECT_EQ(Quoted(c), GoQuoted(c));
  }
  // Random strings over the bytes that matter.
  const char kAlphabet[] = {'a', 'Z', '0', ' ', '"', '\\', '\n', '\t', '\r', '\x01', '\x7f',
                            '\xc3', '\xa9', '\xe2', '\x80', '\xff', '`', '~'};
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::string s(rng() % 40, 'a');
    for (char& ch : s) ch = kAlphabet[rng() % sizeof(kAlphabet)];
    SCOPED_TRACE(s);
    ASSERT_EQ(Quoted(s), GoQuoted(s));
  }
}

TEST(OutTest, NumbersAndDurations) {
  for (double v : {0.0, -0.0, 1.0, -3.0, 0.5, 0.95, 1e-7, 123456.789, 1e21, 2.5e-300}) {
    SCOPED_TRACE(v);
    std::string want, got;
    AppendGoFloatF(v, &want);
    {
      Out o(&got);
      FloatTo(v, o);
    }
    EXPECT_EQ(got, want);
  }
  const int64_t kMs = 1'000'000;
  const int64_t kCases[] = {0, 5 * kMs, 1000 * kMs, 90'000 * kMs, 3'600'000 * kMs,
                            int64_t{86'400'000} * 7 * kMs, int64_t{86'400'000} * 365 * kMs,
                            int64_t{86'400'000} * 366 * kMs + 1500 * kMs, 999};
  for (int64_t ns : kCases) {
    SCOPED_TRACE(ns);
    std::string want, got, want_go, got_go;
    AppendDuration(ns, &want);
    AppendGoDuration(ns, &want_go);
    {
      Out o(&got);
      DurationTo(ns, o);
    }
    {
      Out o(&got_go);
      GoDurationTo(ns, o);
    }
    EXPECT_EQ(got, want);
    EXPECT_EQ(got_go, want_go);
  }
}

}  // namespace
}  // namespace obsv::internal
