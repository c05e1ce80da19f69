#include "gtest/gtest.h"
#include "obsv/exposition_format.h"

namespace obsv {
namespace {

TEST(FormatTest, FromContentType) {
  EXPECT_EQ(FormatFromContentType("application/openmetrics-text; version=1.0.0; charset=utf-8"),
            ExpositionFormat::kOpenMetrics);
  EXPECT_EQ(FormatFromContentType("Application/OpenMetrics-Text;version=0.0.1"), ExpositionFormat::kOpenMetrics);
  EXPECT_EQ(FormatFromContentType(" application/openmetrics-text "), ExpositionFormat::kOpenMetrics);
  EXPECT_EQ(FormatFromContentType("text/plain; version=0.0.4"), ExpositionFormat::kText);
  EXPECT_EQ(FormatFromContentType(""), ExpositionFormat::kText);
  EXPECT_EQ(FormatFromContentType("application/json"), ExpositionFormat::kText);
}

TEST(FormatTest, Detect) {
  EXPECT_EQ(DetectFormat("a 1\n# EOF\n"), ExpositionFormat::kOpenMetrics);
  EXPECT_EQ(DetectFormat("a 1\n# EOF"), ExpositionFormat::kOpenMetrics);
  EXPECT_EQ(DetectFormat("# EOF\n"), ExpositionFormat::kOpenMetrics);
  EXPECT_EQ(DetectFormat("# UNIT a seconds\n"), ExpositionFormat::kOpenMetrics);
  EXPECT_EQ(DetectFormat("a_total 1 # {t=\"x\"} 1\n"), ExpositionFormat::kOpenMetrics);
  EXPECT_EQ(DetectFormat("a 1\n"), ExpositionFormat::kText);
  EXPECT_EQ(DetectFormat(""), ExpositionFormat::kText);
}

TEST(FormatTest, ContentTypes) {
  EXPECT_EQ(ContentTypeFor(ExpositionFormat::kText), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(ContentTypeFor(ExpositionFormat::kOpenMetrics),
            "application/openmetrics-text; version=1.0.0; charset=utf-8");
  EXPECT_EQ(ExpositionFormatName(ExpositionFormat::kOpenMetrics), "openmetrics");
}

}  // namespace
}  // namespace obsv
