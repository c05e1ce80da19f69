#include "common/go_float.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>

#include "gtest/gtest.h"

namespace obsv::internal {
namespace {

std::string Go(double v) {
  char buf[kMaxGoFloatChars];
  return std::string(buf, FormatGoFloat(v, buf));
}

std::string Om(double v) {
  char buf[kMaxGoFloatChars];
  return std::string(buf, FormatOpenMetricsFloat(v, buf));
}

// Expected strings are what Go's strconv.FormatFloat(v, 'g', -1, 64) prints.
TEST(GoFloatTest, MatchesStrconvShortestG) {
  const struct {
    double value;
    const char* go;
  } kCases[] = {
      {0, "0"},
      {-0.0, "-0"},
      {1, "1"},
      {-1, "-1"},
      {0.1, "0.1"},
      {0.3, "0.3"},
      {2.5, "2.5"},
      {100000, "100000"},
      {999999, "999999"},
      {1e6, "1e+06"},
      {1234567, "1.234567e+06"},
      {123456.7, "123456.7"},
      {1e-5, "1e-05"},
      {0.0001, "0.0001"},
      {0.00012345, "0.00012345"},
      {1e21, "1e+21"},
      {1e100, "1e+100"},
      {1.5e300, "1.5e+300"},
      {5e-324, "5e-324"},
      {1.7976931348623157e308, "1.7976931348623157e+308"},
      {328.34999999999997, "328.34999999999997"},
      {1.8446744073709552e19, "1.8446744073709552e+19"},
      {1.79531491927e+09, "1.79531491927e+09"},
      {-2.5e-7, "-2.5e-07"},
      {std::numeric_limits<double>::infinity(), "+Inf"},
      {-std::numeric_limits<double>::infinity(), "-Inf"},
      {std::numeric_limits<double>::quiet_NaN(), "NaN"},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.go);
    EXPECT_EQ(Go(c.value), c.go);
  }
}

TEST(GoFloatTest, OpenMetricsAddsPointZeroToIntegers) {
  EXPECT_EQ(Om(1), "1.0");
  EXPECT_EQ(Om(0), "0.0");
  EXPECT_EQ(Om(-1), "-1.0");
  EXPECT_EQ(Om(100000), "100000.0");
  EXPECT_EQ(Om(1e6), "1e+06");
  EXPECT_EQ(Om(0.5), "0.5");
  EXPECT_EQ(Om(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(Om(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

TEST(GoFloatTest, ShortestFormRoundTrips) {
  uint64_t bits = 0x3FF0000000000001ULL;
  for (int i = 0; i < 20000; ++i) {
    bits = bits * 6364136223846793005ULL + 1442695040888963407ULL;
    double v;
    std::memcpy(&v, &bits, sizeof v);
    if (!std::isfinite(v)) continue;
    std::string s = Go(v);
    EXPECT_EQ(std::strtod(s.c_str(), nullptr), v) << s;
  }
}

}  // namespace
}  // namespace obsv::internal
