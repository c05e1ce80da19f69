// obsv/parse_error.h: what a parse error tells.
//
// Parse errors are data, not prose: a code a program can switch on, the
// position (byte offset, 1-based line and column), and a message saying what
// was expected and what was found, which ToStatus() prefixes with the
// position as Prometheus does:
//   `3:17: expected "," or "}" after label value, got "x"`.
// Tests and callers should match code and position, never the message.
#ifndef OBSV_PARSE_ERROR_H_
#define OBSV_PARSE_ERROR_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "obsv/export.h"

namespace obsv {

// Stable numbering: the C ABI exposes these values as OBSV_ERR_*.
enum class ParseErrorCode : int {
  kOk = 0,
  kSyntax = 1,               // unexpected character or token
  kInvalidName = 2,          // bad metric or label name
  kInvalidEscape = 3,        // escape sequence the format does not allow
  kUnterminatedString = 4,   // quoted string runs to the end of the line
  kDuplicateLabel = 5,       // the same label name twice in one sample
  kInvalidValue = 6,         // sample value is not a number
  kInvalidTimestamp = 7,     // timestamp is not a number of the format
  kInvalidExemplar = 8,      // malformed or misplaced exemplar, or too long
  kInvalidMetadata = 9,      // bad HELP/TYPE/UNIT line or unknown type
  kDuplicateMetadata = 10,   // TYPE/HELP/UNIT repeated for a family
  kInterleavedFamily = 11,   // family's lines are not one contiguous group
  kMetadataAfterSamples = 12,  // TYPE/HELP/UNIT after the family's samples
  kInvalidSuffix = 13,       // sample name not allowed for the family's type
  kInvalidHistogram = 14,    // bucket order, missing +Inf, decreasing counts
  kInvalidLabelValue = 15,   // non-canonical/non-numeric le or quantile
  kMissingEof = 16,          // OpenMetrics body without `# EOF`
  kContentAfterEof = 17,     // anything after `# EOF`
  kBlankLine = 18,           // empty line where the format forbids it
  kNulByte = 19,             // a NUL byte anywhere
  kInvalidUtf8 = 20,         // label value, help or name not valid UTF-8
  kLimitExceeded = 21,       // a ParserOptions limit was exceeded
  kUnexpectedEnd = 22,       // input ended inside a line or without newline
};

// "syntax", "invalid_name", ... Static storage.
OBSV_API std::string_view ParseErrorCodeName(ParseErrorCode code);

struct ParseError {
  ParseErrorCode code = ParseErrorCode::kOk;
  uint64_t offset = 0;  // byte offset from the start of the body
  uint32_t line = 0;    // 1-based
  uint32_t column = 0;  // 1-based, in bytes
  std::string message;  // "expected ..., got ..." (without the position)

  bool ok() const { return code == ParseErrorCode::kOk; }

  // InvalidArgument (ResourceExhausted for kLimitExceeded) whose message is
  // "L:C: message". OkStatus() when ok().
  OBSV_API absl::Status ToStatus() const;
};

}  // namespace obsv

#endif  // OBSV_PARSE_ERROR_H_
