#include "obsv/parse_error.h"

#include "common/str_cat.h"

namespace obsv {

std::string_view ParseErrorCodeName(ParseErrorCode code) {
  switch (code) {
    case ParseErrorCode::kOk: return "ok";
    case ParseErrorCode::kSyntax: return "syntax";
    case ParseErrorCode::kInvalidName: return "invalid_name";
    case ParseErrorCode::kInvalidEscape: return "invalid_escape";
    case ParseErrorCode::kUnterminatedString: return "unterminated_string";
    case ParseErrorCode::kDuplicateLabel: return "duplicate_label";
    case ParseErrorCode::kInvalidValue: return "invalid_value";
    case ParseErrorCode::kInvalidTimestamp: return "invalid_timestamp";
    case ParseErrorCode::kInvalidExemplar: return "invalid_exemplar";
    case ParseErrorCode::kInvalidMetadata: return "invalid_metadata";
    case ParseErrorCode::kDuplicateMetadata: return "duplicate_metadata";
    case ParseErrorCode::kInterleavedFamily: return "interleaved_family";
    case ParseErrorCode::kMetadataAfterSamples: return "metadata_after_samples";
    case ParseErrorCode::kInvalidSuffix: return "invalid_suffix";
    case ParseErrorCode::kInvalidHistogram: return "invalid_histogram";
    case ParseErrorCode::kInvalidLabelValue: return "invalid_label_value";
    case ParseErrorCode::kMissingEof: return "missing_eof";
    case ParseErrorCode::kContentAfterEof: return "content_after_eof";
    case ParseErrorCode::kBlankLine: return "blank_line";
    case ParseErrorCode::kNulByte: return "nul_byte";
    case ParseErrorCode::kInvalidUtf8: return "invalid_utf8";
    case ParseErrorCode::kLimitExceeded: return "limit_exceeded";
    case ParseErrorCode::kUnexpectedEnd: return "unexpected_end";
  }
  return "unknown";
}

absl::Status ParseError::ToStatus() const {
  if (ok()) return absl::OkStatus();
  std::string text = internal::StrCat(line, ":", column, ": ", message);
  if (code == ParseErrorCode::kLimitExceeded) {
    return absl::ResourceExhaustedError(text);
  }
  return absl::InvalidArgumentError(text);
}

}  // namespace obsv
