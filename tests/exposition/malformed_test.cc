// Malformed input: each case gets a clean error with the code and the
// position of the offending byte (1-based line:column).
#include <string>

#include "exposition/test_util.h"
#include "gtest/gtest.h"
#include "obsv/exposition_parser.h"

namespace obsv {
namespace {

enum Mode { kTextLenient, kTextStrict, kOmLenient, kOmStrict };

struct Case {
  const char* name;
  Mode mode;
  std::string input;
  ParseErrorCode code;
  uint32_t line;
  uint32_t column;
};

ParserOptions OptionsFor(Mode m) {
  ParserOptions o;
  o.format = (m == kOmLenient || m == kOmStrict) ? ExpositionFormat::kOpenMetrics : ExpositionFormat::kText;
  o.strict = m == kTextStrict || m == kOmStrict;
  return o;
}

using C = ParseErrorCode;

const Case kCases[] = {
    // Strings and escapes.
    {"unterminated label value", kTextLenient, "a{b=\"c} 1\n", C::kUnterminatedString, 1, 5},
    {"unterminated value at end of body", kTextLenient, "a{b=\"c", C::kUnterminatedString, 1, 5},
    {"backslash at end of line", kTextLenient, "a{b=\"c\\\n", C::kUnterminatedString, 1, 5},
    {"unterminated quoted name", kTextLenient, "{\"abc} 1\n", C::kUnterminatedString, 1, 2},
    {"invalid escape (strict)", kTextStrict, "a{b=\"\\x\"} 1\n", C::kInvalidEscape, 1, 6},
    {"invalid escape in OpenMetrics (strict)", kOmStrict, "a{b=\"\\t\"} 1\n# EOF\n", C::kInvalidEscape, 1, 6},
    {"invalid HELP escape (strict text)", kTextStrict, "# HELP a x\\sy\n", C::kInvalidEscape, 1, 11},
    {"escaped quote in text HELP (strict)", kTextStrict, "# HELP a \\\"q\\\"\n", C::kInvalidEscape, 1, 10},
    {"HELP ends in a backslash (strict)", kTextStrict, "# HELP a x\\\n", C::kInvalidEscape, 1, 11},
    // Names and labels.
    {"duplicate label", kTextLenient, "a{b=\"1\",b=\"2\"} 1\n", C::kDuplicateLabel, 1, 9},
    {"duplicate label, OpenMetrics", kOmLenient, "a{x=\"1\",y=\"1\",x=\"2\"} 1\n# EOF\n", C::kDuplicateLabel, 1, 15},
    {"metric name starts with a digit", kTextLenient, "1abc 1\n", C::kInvalidName, 1, 1},
    {"metric name with a dot", kTextLenient, "a.b 1\n", C::kInvalidName, 1, 2},
    {"unquoted UTF-8 metric name", kTextLenient, "caf\xc3\xa9 1\n", C::kInvalidName, 1, 4},
    {"line starts with punctuation", kTextLenient, "-abc 1\n", C::kSyntax, 1, 1},
    {"label name starts with a digit", kTextLenient, "a{1b=\"c\"} 1\n", C::kInvalidName, 1, 3},
    {"label name with a dot", kTextLenient, "a{b.c=\"d\"} 1\n", C::kSyntax, 1, 4},
    {"missing = after label name", kTextLenient, "a{b\"c\"} 1\n", C::kSyntax, 1, 4},
    {"unquoted label value", kTextLenient, "a{b=c} 1\n", C::kSyntax, 1, 5},
    {"missing comma between labels", kTextLenient, "a{b=\"c\" d=\"e\"} 1\n", C::kSyntax, 1, 9},
    {"unclosed label braces", kTextLenient, "a{b=\"c\" 1\n", C::kSyntax, 1, 9},
    {"sample without a metric name", kTextLenient, "{a=\"b\"} 1\n", C::kInvalidName, 1, 1},
    {"trailing comma (strict text)", kTextStrict, "a{b=\"c\",} 1\n", C::kSyntax, 1, 9},
    {"trailing comma (OpenMetrics)", kOmLenient, "a{b=\"c\",} 1\n# EOF\n", C::kSyntax, 1, 9},
    {"invalid metric name in HELP", kTextLenient, "# HELP 1a x\n", C::kInvalidName, 1, 8},
    {"invalid metric name in TYPE", kOmLenient, "# TYPE -a gauge\n# EOF\n", C::kInvalidName, 1, 8},
    // Values and timestamps.
    {"value with letters", kTextLenient, "a 1x\n", C::kInvalidValue, 1, 3},
    {"hex value", kTextLenient, "a 0x10\n", C::kInvalidValue, 1, 3},
    {"value with underscore", kTextLenient, "a 1_000\n", C::kInvalidValue, 1, 3},
    {"NaN with junk", kTextLenient, "a NaNx\n", C::kInvalidValue, 1, 3},
    {"value overflows a double", kTextLenient, "a 1e400\n", C::kInvalidValue, 1, 3},
    {"missing value", kTextLenient, "a\n", C::kSyntax, 1, 2},
    {"missing value after blank", kTextLenient, "a \n", C::kInvalidValue, 1, 3},
    {"labels without value", kTextLenient, "a{b=\"c\"}\n", C::kSyntax, 1, 9},
    {"timestamp with letters", kTextLenient, "a 1 12x\n", C::kInvalidTimestamp, 1, 5},
    {"float timestamp in text", kTextLenient, "a 1 1.5\n", C::kInvalidTimestamp, 1, 5},
    // Punctuation among the digits, where eight are read at a time and
    // where the end of the line is read as one word.
    {"float timestamp in text, long", kTextLenient, "a 1 1234567.5\n", C::kInvalidTimestamp, 1, 5},
    {"minus inside a long timestamp", kTextLenient, "a 1 12345-789\n", C::kInvalidTimestamp, 1, 5},
    {"plus inside the last word of a timestamp", kTextLenient, "abcdefgh 1 123+5\n", C::kInvalidTimestamp, 1, 12},
    {"timestamp overflows int64", kTextLenient, "a 1 99999999999999999999\n", C::kInvalidTimestamp, 1, 5},
    {"extra token after timestamp", kTextLenient, "a 1 2 3\n", C::kSyntax, 1, 7},
    {"exemplar in text", kTextLenient, "a 1 # {b=\"c\"} 1\n", C::kInvalidExemplar, 1, 5},
    {"NaN timestamp in OpenMetrics", kOmLenient, "a 1 NaN\n# EOF\n", C::kInvalidTimestamp, 1, 5},
    {"two spaces before value (OpenMetrics)", kOmLenient, "a  1\n# EOF\n", C::kInvalidValue, 1, 3},
    {"trailing space (OpenMetrics)", kOmLenient, "a 1 \n# EOF\n", C::kInvalidTimestamp, 1, 5},
    {"tab separator (OpenMetrics)", kOmLenient, "a\t1\n# EOF\n", C::kSyntax, 1, 2},
    // Control characters and encodings.
    {"NUL in label value", kTextLenient, std::string("a{b=\"c\0d\"} 1\n", 14), C::kNulByte, 1, 7},
    // Lenient mode keeps unknown escapes as written, but not one of a NUL
    // byte (the writer would emit it, and nothing parses that back).
    {"NUL escaped in label value", kTextLenient, std::string("a{b=\"c\\\0d\"} 1\n", 15), C::kNulByte, 1, 8},
    {"NUL at line start", kTextLenient, std::string("\0 1\n", 4), C::kNulByte, 1, 1},
    {"NUL in comment", kTextLenient, std::string("# hi\0\n", 6), C::kNulByte, 1, 5},
    {"NUL in HELP", kTextLenient, std::string("# HELP a x\0y\n", 13), C::kNulByte, 1, 11},
    {"NUL in value", kTextLenient, std::string("a 1\0\n", 5), C::kNulByte, 1, 4},
    {"invalid UTF-8 in label value", kTextLenient, "a{b=\"\xff\"} 1\n", C::kInvalidUtf8, 1, 6},
    {"invalid UTF-8 after ASCII run", kTextLenient, "a{b=\"abcdefghijklmnopq\xc3\"} 1\n", C::kInvalidUtf8, 1, 23},
    {"invalid UTF-8 in HELP", kTextLenient, "# HELP a \xff\n", C::kInvalidUtf8, 1, 10},
    {"CRLF line ending", kTextLenient, "a 1\r\n", C::kInvalidValue, 1, 3},
    {"CRLF in OpenMetrics", kOmLenient, "a 1\r\n# EOF\r\n", C::kInvalidValue, 1, 3},
    {"comment not at line start", kTextLenient, "  # x\n", C::kSyntax, 1, 3},
    // Metadata.
    {"unknown type", kTextLenient, "# TYPE a foo\n", C::kInvalidMetadata, 1, 10},
    {"TYPE without a type", kTextLenient, "# TYPE a\n", C::kInvalidMetadata, 1, 9},
    {"OpenMetrics-only type in text", kTextLenient, "# TYPE a info\n", C::kInvalidMetadata, 1, 10},
    {"untyped in OpenMetrics", kOmLenient, "# TYPE a untyped\n# EOF\n", C::kInvalidMetadata, 1, 10},
    {"repeated TYPE (strict)", kTextStrict, "# TYPE a gauge\n# TYPE a gauge\na 1\n", C::kDuplicateMetadata, 2, 8},
    {"repeated HELP (strict)", kOmStrict, "# HELP a x\n# HELP a y\na 1\n# EOF\n", C::kDuplicateMetadata, 2, 8},
    {"TYPE after samples (strict)", kTextStrict, "a 1\n# TYPE a gauge\n", C::kMetadataAfterSamples, 2, 8},
    {"interleaved families (strict)", kTextStrict, "a 1\nb 1\na 2\n", C::kInterleavedFamily, 3, 1},
    {"histogram part after another family (strict)", kTextStrict,
     "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_count 1\nx 1\nh_sum 1\n", C::kInterleavedFamily, 5, 1},
    {"unit is not a suffix (strict)", kOmStrict, "# TYPE a gauge\n# UNIT a seconds\na 1\n# EOF\n",
     C::kInvalidMetadata, 2, 10},
    {"invalid character in UNIT", kOmLenient, "# UNIT a_x x.y\n# EOF\n", C::kInvalidMetadata, 1, 13},
    {"other comment in OpenMetrics (strict)", kOmStrict, "# random\n# EOF\n", C::kSyntax, 1, 1},
    {"counter sample without _total (strict)", kOmStrict, "# TYPE c counter\nc 1\n# EOF\n", C::kInvalidSuffix, 2, 1},
    // Histograms and summaries (strict).
    {"buckets out of order", kTextStrict,
     "# TYPE h histogram\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 2\n",
     C::kInvalidHistogram, 3, 14},
    {"bucket counts decrease", kTextStrict,
     "# TYPE h histogram\nh_bucket{le=\"1\"} 5\nh_bucket{le=\"+Inf\"} 3\n", C::kInvalidHistogram, 3, 21},
    {"no +Inf bucket before the next part", kTextStrict, "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_count 1\n",
     C::kInvalidHistogram, 3, 1},
    {"no +Inf bucket at the end", kTextStrict, "# TYPE h histogram\nh_bucket{le=\"1\"} 1\n",
     C::kInvalidHistogram, 3, 1},
    {"bucket after +Inf", kTextStrict,
     "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1\nh_bucket{le=\"+Inf\"} 1\n", C::kInvalidHistogram, 3, 14},
    {"bucket without le", kTextStrict, "# TYPE h histogram\nh_bucket 1\n", C::kInvalidHistogram, 2, 1},
    {"le is not a number", kTextStrict, "# TYPE h histogram\nh_bucket{le=\"x\"} 1\n", C::kInvalidLabelValue, 2, 14},
    {"negative bucket count", kTextStrict, "# TYPE h histogram\nh_bucket{le=\"+Inf\"} -1\n",
     C::kInvalidHistogram, 2, 21},
    {"non-canonical +Inf in OpenMetrics", kOmStrict,
     "# TYPE h histogram\nh_bucket{le=\"Inf\"} 1\nh_count 1\nh_sum 0\n# EOF\n", C::kInvalidLabelValue, 2, 14},
    {"summary quantile missing", kTextStrict, "# TYPE s summary\ns 1\n", C::kInvalidLabelValue, 2, 1},
    {"summary quantile above 1", kTextStrict, "# TYPE s summary\ns{quantile=\"1.5\"} 1\n",
     C::kInvalidLabelValue, 2, 13},
    {"stateset value not 0 or 1", kOmStrict, "# TYPE s stateset\ns{s=\"a\"} 2\n# EOF\n", C::kInvalidValue, 2, 10},
    // Exemplars.
    {"exemplar without value", kOmLenient, "# TYPE c counter\nc_total 1 # {a=\"b\"}\n# EOF\n",
     C::kInvalidExemplar, 2, 20},
    {"exemplar without braces", kOmLenient, "c_total 1 # a\n# EOF\n", C::kInvalidExemplar, 1, 13},
    {"exemplar labels over 128 characters (strict)", kOmStrict,
     "# TYPE c counter\nc_total 1 # {trace_id=\"" + std::string(130, 'x') + "\"} 1\n# EOF\n",
     C::kInvalidExemplar, 2, 11},
    // Body structure.
    {"missing # EOF", kOmLenient, "a 1\n", C::kMissingEof, 2, 1},
    {"empty OpenMetrics body", kOmLenient, "", C::kMissingEof, 1, 1},
    {"content after # EOF", kOmLenient, "# EOF\na 1\n", C::kContentAfterEof, 2, 1},
    {"# EOF twice", kOmLenient, "# EOF\n# EOF\n", C::kContentAfterEof, 2, 1},
    {"blank line after # EOF", kOmLenient, "# EOF\n\n", C::kContentAfterEof, 2, 1},
    {"blank line in OpenMetrics", kOmLenient, "a 1\n\n# EOF\n", C::kBlankLine, 2, 1},
    {"no final newline (strict text)", kTextStrict, "a 1", C::kUnexpectedEnd, 1, 4},
};

TEST(MalformedTest, ErrorCodeAndPosition) {
  EXPECT_GE(sizeof(kCases) / sizeof(kCases[0]), 60u);
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.name);
    ParserOptions options = OptionsFor(c.mode);
    std::vector<MetricFamily> families;
    ParseError e = ParseExposition(c.input, options, &families);
    EXPECT_EQ(ParseErrorCodeName(e.code), ParseErrorCodeName(c.code)) << e.message;
    EXPECT_EQ(e.line, c.line) << e.message;
    EXPECT_EQ(e.column, c.column) << e.message;
    EXPECT_FALSE(e.message.empty());
    // The status names the position first, and chunked parsing fails the
    // same way.
    std::string status(e.ToStatus().message());
    EXPECT_EQ(status.rfind(std::to_string(c.line) + ":" + std::to_string(c.column) + ": ", 0), 0u) << status;
    EXPECT_EQ(e.message.find(" at " + std::to_string(c.line) + ":"), std::string::npos) << e.message;
    EXPECT_EQ(testing::DumpWhole(c.input, options), testing::DumpChunked(c.input, options, {1}));
  }
}

struct LimitCase {
  const char* name;
  std::string input;
  void (*set)(ParserOptions*);
  uint32_t line;
  uint32_t column;
};

const LimitCase kLimitCases[] = {
    {"line too long", "a{b=\"cccccccc\"} 1\n", [](ParserOptions* o) { o->max_line_bytes = 8; }, 1, 9},
    {"too many labels", "a{a=\"1\",b=\"2\",c=\"3\"} 1\n", [](ParserOptions* o) { o->max_labels_per_series = 2; },
     1, 15},
    {"label value too long", "a{b=\"1234\"} 1\n", [](ParserOptions* o) { o->max_label_value_bytes = 3; }, 1, 5},
    {"label name too long", "a{abcd=\"1\"} 1\n", [](ParserOptions* o) { o->max_label_name_bytes = 3; }, 1, 3},
    {"too many samples", "a 1\nb 2\n", [](ParserOptions* o) { o->max_series = 1; }, 2, 1},
    {"too many families", "a 1\nb 1\n", [](ParserOptions* o) { o->max_families = 1; }, 2, 1},
    {"body too large", "a 1\nb 2\n", [](ParserOptions* o) { o->max_body_bytes = 4; }, 1, 1},
};

TEST(MalformedTest, LimitsAreCleanErrors) {
  for (const LimitCase& c : kLimitCases) {
    SCOPED_TRACE(c.name);
    ParserOptions options;
    options.format = ExpositionFormat::kText;
    c.set(&options);
    std::vector<MetricFamily> families;
    ParseError e = ParseExposition(c.input, options, &families);
    EXPECT_EQ(e.code, ParseErrorCode::kLimitExceeded) << e.message;
    EXPECT_EQ(e.line, c.line) << e.message;
    EXPECT_EQ(e.column, c.column) << e.message;
    EXPECT_EQ(e.ToStatus().code(), absl::StatusCode::kResourceExhausted);
  }
}

TEST(MalformedTest, LongLineIsRefusedWithoutBufferingItInChunks) {
  ParserOptions options;
  options.format = ExpositionFormat::kText;
  options.max_line_bytes = 1024;
  ExpositionParser p(options);
  std::string chunk(512, 'a');
  bool failed = false;
  for (int i = 0; i < 100 && !failed; ++i) {
    if (!p.Feed(chunk)) {
      failed = true;
      break;
    }
    while (p.Next() == Entry::kSample) {
    }
    failed = p.error().code == ParseErrorCode::kLimitExceeded;
  }
  EXPECT_TRUE(failed);
  EXPECT_EQ(p.error().code, ParseErrorCode::kLimitExceeded);
}

TEST(MalformedTest, UnescapedHelpFromPrometheusCpp) {
  // prometheus-cpp writes HELP unescaped; the HELP line breaks in two.
  std::string body = testing::ReadTestFile("invalid/prometheus_cpp_unescaped_help.prom");
  ASSERT_FALSE(body.empty());
  ParserOptions strict;
  strict.format = ExpositionFormat::kText;
  strict.strict = true;
  std::vector<MetricFamily> families;
  ParseError e = ParseExposition(body, strict, &families);
  EXPECT_EQ(e.code, ParseErrorCode::kInvalidEscape) << e.message;
  ParserOptions lenient = strict;
  lenient.strict = false;
  e = ParseExposition(body, lenient, &families);
  EXPECT_FALSE(e.ok());
}

TEST(MalformedTest, ErrorIsSticky) {
  ParserOptions options;
  options.format = ExpositionFormat::kText;
  ExpositionParser p(options);
  p.Reset("a 1x\nb 2\n");
  EXPECT_EQ(p.Next(), Entry::kError);
  EXPECT_EQ(p.Next(), Entry::kError);
  // Reset() starts over.
  p.Reset("b 2\n");
  EXPECT_EQ(p.Next(), Entry::kSample);
  // In the incremental API the body stays failed: feeding more is refused.
  ExpositionParser q(options);
  ASSERT_TRUE(q.Feed("a 1x\n"));
  EXPECT_EQ(q.Next(), Entry::kError);
  EXPECT_FALSE(q.Feed("c 3\n"));
  EXPECT_EQ(q.Next(), Entry::kError);
}

}  // namespace
}  // namespace obsv
