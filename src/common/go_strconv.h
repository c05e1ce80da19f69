// Go's strconv and time formatting and parsing, as the Go reference
// implementations (Prometheus, Loki) print and read queries. Shared by the
// PromQL and LogQL modules.
#ifndef OBSV_SRC_COMMON_GO_STRCONV_H_
#define OBSV_SRC_COMMON_GO_STRCONV_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace obsv::internal {

// Decodes one UTF-8 rune at s[i]; returns its length (0 if invalid).
int DecodeRune(std::string_view s, size_t i, uint32_t* rune);
void AppendUtf8(uint32_t r, std::string* out);

// Go's strconv.Quote / %q of a rune.
void AppendGoQuote(std::string_view s, std::string* out);
std::string GoQuoteRune(uint32_t r);

// [a-zA-Z_][a-zA-Z0-9_]* (label) and [a-zA-Z_:][a-zA-Z0-9_:]* (metric).
bool IsLegacyLabelName(std::string_view s);
bool IsLegacyMetricName(std::string_view s);

// model.Duration's String() of d nanoseconds (truncated to milliseconds;
// d >= 0), and model.ParseDuration (false on a malformed or overflowing
// duration).
void AppendDuration(int64_t ns, std::string* out);
bool ParsePromDuration(std::string_view s, int64_t* ms);
// model.ParseDuration's error for s, word for word ("unknown unit \"x\" in
// duration \"5x\"", "duration out of range", ...); for a string
// ParsePromDuration() refused.
std::string PromDurationError(std::string_view s);

// time.Duration's String() ("1h0m0s", "1.5s", "100ms", "0s") and
// time.ParseDuration ("1h30m", "1.5h", "-5m", "300us"); false on a
// malformed or overflowing duration.
void AppendGoDuration(int64_t ns, std::string* out);
bool ParseGoDuration(std::string_view s, int64_t* ns);

// strconv.FormatFloat(v, 'f', -1, 64).
void AppendGoFloatF(double v, std::string* out);

// The body of a Go string literal (strconv.Unquote's rules: escapes in "..."
// and '...', none in `...`, where \r is dropped). input[*pos] is the first
// byte after the opening quote; on success *pos is just past the closing
// quote and the decoded bytes are appended to *out. On failure *pos is where
// it went wrong and *message says what (Prometheus's wording).
enum class GoStringStatus { kOk, kUnterminated, kInvalidUtf8, kInvalidEscape };
GoStringStatus ScanGoString(std::string_view input, size_t* pos, char quote, std::string* out,
                            std::string* message);

}  // namespace obsv::internal

#endif  // OBSV_SRC_COMMON_GO_STRCONV_H_
