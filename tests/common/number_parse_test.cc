#include "common/number_parse.h"

#include <cmath>
#include <string>

#include "gtest/gtest.h"

namespace obsv::internal {
namespace {

TEST(ParseGoFloatTest, AcceptsWhatPrometheusAccepts) {
  const struct {
    const char* text;
    double value;
  } kCases[] = {
      {"0", 0},         {"1", 1},          {"-1", -1},          {"+1", 1},
      {"1.5", 1.5},     {".5", 0.5},       {"5.", 5},           {"1e3", 1000},
      {"1E3", 1000},    {"1e-3", 0.001},   {"1.234567e+06", 1234567},
      {"0.005", 0.005}, {"328.34999999999997", 328.34999999999997},
      {"18446744073709551615", 18446744073709551615.0},
      {"1e-400", 0},  // underflow rounds to zero, as in Go
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.text);
    double v = -42;
    ASSERT_TRUE(ParseGoFloat(c.text, &v));
    EXPECT_EQ(v, c.value);
  }
  double v;
  for (const char* inf : {"+Inf", "Inf", "inf", "+inf", "Infinity", "+infinity"}) {
    ASSERT_TRUE(ParseGoFloat(inf, &v)) << inf;
    EXPECT_TRUE(std::isinf(v) && v > 0) << inf;
  }
  for (const char* ninf : {"-Inf", "-inf", "-Infinity"}) {
    ASSERT_TRUE(ParseGoFloat(ninf, &v)) << ninf;
    EXPECT_TRUE(std::isinf(v) && v < 0) << ninf;
  }
  for (const char* nan : {"NaN", "nan", "NAN", "Nan"}) {
    ASSERT_TRUE(ParseGoFloat(nan, &v)) << nan;
    EXPECT_TRUE(std::isnan(v)) << nan;
  }
}

TEST(ParseGoFloatTest, RefusesEverythingElse) {
  for (const char* bad : {"", "+", "-", ".", "e3", "1e", "1e+", "0x10", "0x1p3", "1_000", "1.2.3", "12a",
                          "nan(1)", "infinit", "1e400", "-1e400", " 1", "1 ", "--1", "+-1", "١"}) {
    double v;
    EXPECT_FALSE(ParseGoFloat(bad, &v)) << "'" << bad << "'";
  }
}

TEST(ParseGoFloatTest, FastPathAgreesWithStrtod) {
  for (const char* s : {"0.1", "0.7", "123.456", "99999.99999", "0.000123", "4503599627370.497",
                        "999999999999999", "1.00000000000001"}) {
    double v;
    ASSERT_TRUE(ParseGoFloat(s, &v));
    EXPECT_EQ(v, std::strtod(s, nullptr)) << s;
  }
}

TEST(IsInexactIntegerTest, OnlyIntegersBeyondTwoToThe53) {
  EXPECT_FALSE(IsInexactInteger("9007199254740992"));
  EXPECT_TRUE(IsInexactInteger("9007199254740993"));
  EXPECT_TRUE(IsInexactInteger("18446744073709551615"));
  EXPECT_FALSE(IsInexactInteger("1.8446744073709552e+19"));
  EXPECT_FALSE(IsInexactInteger("123"));
  EXPECT_FALSE(IsInexactInteger("00000000000000000001"));
}

TEST(ParseInt64Test, RangeAndSyntax) {
  int64_t v;
  EXPECT_TRUE(ParseInt64("9223372036854775807", &v));
  EXPECT_EQ(v, INT64_MAX);
  EXPECT_TRUE(ParseInt64("-9223372036854775808", &v));
  EXPECT_EQ(v, INT64_MIN);
  EXPECT_FALSE(ParseInt64("9223372036854775808", &v));
  EXPECT_FALSE(ParseInt64("1.5", &v));
  EXPECT_FALSE(ParseInt64("", &v));
  EXPECT_FALSE(ParseInt64("-", &v));
}

TEST(ParseDecimalSecondsTest, ExactWithoutFloatingPoint) {
  const struct {
    const char* text;
    int64_t ms;
    int32_t nanos;
  } kCases[] = {
      {"1520879607.789", 1520879607789, 0},
      {"1520879607", 1520879607000, 0},
      {"0.0015", 1, 500000},
      {"1.000000001", 1000, 1},
      {"-1.5", -1500, 0},
      {"-1.0005", -1001, 500000},
      {"1520879607.7890000004", 1520879607789, 0},
      {"1.7953149201397886e+09", 1795314920139, 788574},
  };
  for (const auto& c : kCases) {
    SCOPED_TRACE(c.text);
    Timestamp ts;
    ASSERT_TRUE(ParseDecimalSeconds(c.text, &ts));
    EXPECT_EQ(ts.milliseconds, c.ms);
    EXPECT_NEAR(ts.nanos, c.nanos, c.ms == 1795314920139 ? 1000 : 0);
  }
  Timestamp ts;
  EXPECT_FALSE(ParseDecimalSeconds("", &ts));
  EXPECT_FALSE(ParseDecimalSeconds("abc", &ts));
  EXPECT_FALSE(ParseDecimalSeconds("NaN", &ts));
  EXPECT_FALSE(ParseDecimalSeconds("+Inf", &ts));
  EXPECT_FALSE(ParseDecimalSeconds("1e30", &ts));
}

}  // namespace
}  // namespace obsv::internal

namespace obsv::internal {
namespace {

// The fast path must agree with a correctly rounding parser everywhere it
// applies, exponents included.
TEST(ParseGoFloatTest, ExponentFastPathAgreesWithStrtod) {
  uint64_t state = 12345;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 11;
  };
  for (int i = 0; i < 200000; ++i) {
    uint64_t digits = next() % 1000000000000000ULL;  // up to 15 digits
    int point = static_cast<int>(next() % 16);
    int exp = static_cast<int>(next() % 61) - 30;
    std::string text = std::to_string(digits);
    if (point > 0 && point < static_cast<int>(text.size())) text.insert(text.size() - point, ".");
    if (next() % 2) text += "e" + std::to_string(exp);
    double v;
    ASSERT_TRUE(ParseGoFloat(text, &v)) << text;
    EXPECT_EQ(v, std::strtod(text.c_str(), nullptr)) << text;
  }
  double v;
  for (const char* s : {"1.234567e+06", "5.5e-05", "1e22", "1e-22", "123456789012345e7", "9e-23", "1e23"}) {
    ASSERT_TRUE(ParseGoFloat(s, &v)) << s;
    EXPECT_EQ(v, std::strtod(s, nullptr)) << s;
  }
}

}  // namespace
}  // namespace obsv::internal
