// Parses one line of an exposition (without its newline) into views.
//
// The line parser knows each format's token syntax: names (legacy or quoted
// UTF-8), labels and their escapes, values, timestamps, exemplars and the
// metadata lines. It knows nothing of families; FamilyTracker does that.
#ifndef OBSV_SRC_EXPOSITION_LINE_PARSER_H_
#define OBSV_SRC_EXPOSITION_LINE_PARSER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "obsv/exposition_format.h"
#include "obsv/exposition_parser.h"
#include "obsv/metric_model.h"
#include "obsv/parse_error.h"

namespace obsv::internal {

// A piece of text: in the line itself, or in the parser's scratch buffer
// when it had to be unescaped. Resolved to a view with LineParser::View().
struct TextRef {
  uint32_t offset = 0;
  uint32_t length = 0;
  bool in_scratch = false;
};

struct LabelRef {
  TextRef name;
  TextRef value;
};

enum class LineKind : uint8_t {
  kBlank,
  kComment,
  kHelp,
  kType,
  kUnit,
  kEof,
  kSample,
};

struct ParsedLine {
  LineKind kind = LineKind::kBlank;
  // kHelp/kType/kUnit: the name; kSample: the metric name.
  TextRef name;
  // kHelp: help text; kUnit: unit; kComment: the comment text.
  TextRef text;
  MetricType type = MetricType::kUnknown;  // kType
  std::vector<LabelRef> labels;
  double value = 0;
  TextRef value_text;
  bool has_timestamp = false;
  Timestamp timestamp;
  bool has_exemplar = false;
  std::vector<LabelRef> exemplar_labels;
  double exemplar_value = 0;
  bool exemplar_has_timestamp = false;
  Timestamp exemplar_timestamp;
};

// Where in the line an error is, and what it is.
struct LineError {
  ParseErrorCode code = ParseErrorCode::kOk;
  uint32_t column = 0;  // 0-based byte index into the line
  std::string message;
};

// Thread-compatible; reused across lines without allocating once warm.
class LineParser {
 public:
  void Configure(ExpositionFormat format, const ParserOptions& options);

  // Parses `line`. On failure returns false and fills *error. The result
  // refers to `line` and to scratch(), both of which must stay unchanged
  // while the result is used.
  // Inline: it only dispatches, once per line.
  bool Parse(std::string_view line, ParsedLine* out, LineError* error) {
    line_ = line;
    scratch_.clear();
    Cursor c{line.data(), line.data(), line.data() + line.size()};
    out->has_timestamp = false;
    out->has_exemplar = false;
    if (!line.empty()) {
      // Most lines start with a metric name ([a-zA-Z_:]): straight to the
      // sample.
      unsigned char first = static_cast<unsigned char>(line[0]);
      if (static_cast<unsigned>((first | 0x20) - 'a') < 26 || first == '_' || first == ':') {
        out->kind = LineKind::kSample;
        return ParseSample(c, out, error);
      }
      if (first == '#') return ParseComment(c, out, error);
    }
    return ParseOther(c, out, error);
  }

  // The line last parsed, and the buffer of its unescaped pieces.
  std::string_view line() const { return line_; }
  const char* scratch_data() const { return scratch_.data(); }

  std::string_view View(const TextRef& ref) const {
    const char* base = ref.in_scratch ? scratch_.data() : line_.data();
    return std::string_view(base + ref.offset, ref.length);
  }

 private:
  struct Cursor {
    const char* begin;
    const char* p;
    const char* end;

    size_t pos() const { return static_cast<size_t>(p - begin); }
    bool at_end() const { return p >= end; }
    bool is(char ch) const { return p < end && *p == ch; }
    void SkipBlanks() {
      const char* q = p;
      while (q < end && (*q == ' ' || *q == '\t')) ++q;
      p = q;
    }
  };

  bool ParseOther(Cursor& c, ParsedLine* out, LineError* error);

  bool ParseComment(Cursor& c, ParsedLine* out, LineError* error);
  bool ParseSample(Cursor& c, ParsedLine* out, LineError* error);
  bool ParseAfterValue(Cursor& c, ParsedLine* out, LineError* error);
  bool ParseLabels(Cursor& c, std::vector<LabelRef>* labels, TextRef* name,
                   bool allow_name, bool exemplar, LineError* error);
  bool ParseQuoted(Cursor& c, TextRef* out, uint32_t max_len,
                   const char* what, LineError* error);
  bool ParseQuotedSlow(Cursor& c, TextRef* out, uint32_t max_len,
                       const char* what, LineError* error);
  bool ParseExemplar(Cursor& c, ParsedLine* out, LineError* error);
  bool Fail(LineError* error, ParseErrorCode code, size_t column,
            std::string message);
  bool Expected(Cursor& c, LineError* error, ParseErrorCode code,
                std::string_view expected);

  ExpositionFormat format_ = ExpositionFormat::kText;
  ParserOptions options_;
  bool om_ = false;
  std::string_view line_;
  std::string scratch_;
};

}  // namespace obsv::internal

#endif  // OBSV_SRC_EXPOSITION_LINE_PARSER_H_
