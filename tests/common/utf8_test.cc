#include "common/utf8.h"

#include <string>

#include "gtest/gtest.h"

namespace obsv::internal {
namespace {

TEST(Utf8Test, ValidSequences) {
  for (const char* s : {"", "ascii only, longer than eight bytes", "caf\xc3\xa9", "\xe2\x82\xac",
                        "\xf0\x9f\x98\x80 emoji", "\xed\x9f\xbf", "\xf4\x8f\xbf\xbf"}) {
    EXPECT_EQ(FindInvalidUtf8(s), std::string_view::npos) << s;
  }
}

TEST(Utf8Test, InvalidSequencesReportTheirPosition) {
  const struct {
    std::string text;
    size_t at;
  } kCases[] = {
      {"abc\xff", 3},
      {"abcdefghij\x80", 10},          // lone continuation after the fast path
      {"\xc0\xaf", 0},                 // overlong
      {"\xe0\x80\xaf", 0},             // overlong
      {"\xed\xa0\x80", 0},             // surrogate
      {"\xf4\x90\x80\x80", 0},         // beyond U+10FFFF
      {"ok\xe2\x82", 2},               // truncated
      {"\xf5\x80\x80\x80", 0},
  };
  for (const auto& c : kCases) {
    EXPECT_EQ(FindInvalidUtf8(c.text), c.at) << c.at;
  }
}

}  // namespace
}  // namespace obsv::internal
