// Parses one line of an exposition (without its newline) into views.
//
// The line parser knows each format's token syntax: names (legacy or quoted
// UTF-8), labels and their escapes, values, timestamps, exemplars and the
// metadata lines. It knows nothing of families; FamilyTracker does that.
#ifndef OBSV_SRC_EXPOSITION_LINE_PARSER_H_
#define OBSV_SRC_EXPOSITION_LINE_PARSER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "obsv/exposition_format.h"
#include "obsv/exposition_parser.h"
#include "obsv/metric_model.h"
#include "obsv/parse_error.h"

namespace obsv::internal {

// The labels of a line, written in place by the line parser: views into the
// line, or into the parser's scratch buffer for unescaped text (stable for
// the line: the buffer is given room for the whole line before its first
// append, and unescaping never lengthens text). Kept across lines; grows
// only. Thread-compatible.
class LabelList {
 public:
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const LabelView* data() const { return data_.get(); }
  const LabelView& operator[](size_t i) const { return data_[i]; }
  const LabelView& front() const { return data_[0]; }
  const LabelView& back() const { return data_[size_ - 1]; }
  const LabelView* begin() const { return data_.get(); }
  const LabelView* end() const { return data_.get() + size_; }
  void clear() { size_ = 0; }

  // For the line parser: room for at least `n` labels, then set_size().
  LabelView* Reserve(size_t n) {
    if (n > capacity_) Grow(n);
    return data_.get();
  }
  size_t capacity() const { return capacity_; }
  void set_size(size_t n) { size_ = static_cast<uint32_t>(n); }

 private:
  void Grow(size_t n);

  std::unique_ptr<LabelView[]> data_;
  uint32_t size_ = 0;
  uint32_t capacity_ = 0;
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
  std::string_view name;
  // kHelp: help text; kUnit: unit; kComment: the comment text.
  std::string_view text;
  MetricType type = MetricType::kUnknown;  // kType
  LabelList labels;
  double value = 0;
  std::string_view value_text;
  bool has_timestamp = false;
  Timestamp timestamp;
  bool has_exemplar = false;
  LabelList exemplar_labels;
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
  // refers to `line` and to the parser's scratch buffer, both of which must
  // stay unchanged while the result is used. `limit` (at or after the
  // line's end) is the end of the memory that may be read: scanners load
  // whole SIMD blocks up to it, past the line, and ignore what lies beyond
  // the line.
  // Inline: it only dispatches, once per line.
  bool Parse(std::string_view line, const char* limit, ParsedLine* out, LineError* error) {
    line_ = line;
    scratch_.clear();
    Cursor c{line.data(), line.data(), line.data() + line.size(), limit};
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
      if (first == '#') return ParseMetadataFast(c, out) || ParseComment(c, out, error);
    }
    return ParseOther(c, out, error);
  }

  // The line last parsed.
  std::string_view line() const { return line_; }

  // Whether `s` (a view of the parsed line) is in the line itself rather
  // than unescaped into the scratch buffer.
  bool InLine(std::string_view s) const {
    auto p = reinterpret_cast<uintptr_t>(s.data());
    auto b = reinterpret_cast<uintptr_t>(line_.data());
    return s.data() != nullptr && p >= b && (p - b < line_.size() || (p - b == line_.size() && s.empty()));
  }
  // The 0-based column of `s` in the line, or 0 when it was unescaped.
  uint32_t Column(std::string_view s) const {
    return InLine(s) ? static_cast<uint32_t>(s.data() - line_.data()) : 0;
  }

 private:
  struct Cursor {
    const char* begin;
    const char* p;
    const char* end;
    const char* limit;  // readable up to here (>= end)

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
  // Before the first append to scratch_ in a line: unescaped text is never
  // longer than the line, so with room for the line the buffer does not
  // move while the line is parsed, and views into it stay valid.
  void ReserveScratch() {
    if (scratch_.capacity() < line_.size()) scratch_.reserve(line_.size());
  }

  bool ParseMetadataFast(const Cursor& c, ParsedLine* out);
  bool ParseComment(Cursor& c, ParsedLine* out, LineError* error);
  bool ParseSample(Cursor& c, ParsedLine* out, LineError* error);
  bool ParseAfterValue(Cursor& c, ParsedLine* out, LineError* error);
  bool ParseLabelsFast(Cursor& c, LabelList* labels);
  bool ParseTimestampFast(Cursor& c, ParsedLine* out);
  bool ParseLabels(Cursor& c, LabelList* labels, std::string_view* name,
                   bool allow_name, bool exemplar, LineError* error);
  bool ParseQuoted(Cursor& c, std::string_view* out, uint32_t max_len,
                   const char* what, LineError* error);
  bool ParseQuotedSlow(Cursor& c, std::string_view* out, uint32_t max_len,
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
