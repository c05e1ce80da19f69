// The state behind obsv::ExpositionParser (its pimpl), shared with the C ABI
// and FamilyBuilder, which read the current line directly.
#ifndef OBSV_SRC_EXPOSITION_EXPOSITION_PARSER_IMPL_H_
#define OBSV_SRC_EXPOSITION_EXPOSITION_PARSER_IMPL_H_

#include <string>
#include <string_view>
#include <vector>

#include "exposition/family_tracker.h"
#include "exposition/line_parser.h"
#include "obsv/exposition_parser.h"

namespace obsv {

// Hidden: the class is exported, its implementation is not.
struct __attribute__((visibility("hidden"))) ExpositionParser::Impl {
  ParserOptions options;
  ExpositionFormat format = ExpositionFormat::kText;
  bool format_known = false;
  internal::LineParser lp;
  internal::FamilyTracker tracker;
  internal::ParsedLine parsed;
  internal::LineError line_error;
  ParseError error;
  Entry entry = Entry::kEnd;

  // Input: the current chunk (the whole body after Reset()).
  std::string_view chunk;
  size_t pos = 0;             // next unread byte of chunk
  uint64_t chunk_offset = 0;  // body offset of chunk[0]
  uint64_t total = 0;         // bytes of the body seen so far
  bool finished = false;      // no more chunks
  bool started = false;       // Feed() continues the current body
  // A line split across chunks, copied; ready once its newline arrived.
  std::string carry;
  uint64_t carry_offset = 0;
  bool carry_line_ready = false;
  bool carry_consumed = false;  // the current entry's views point into carry
  // Incremental API without a format: the first bytes, held until the
  // content tells the format (at most 64 KiB).
  bool detecting = false;
  std::string detect_buffer;
  bool eof_seen = false;
  bool done = false;
  bool last_line_unterminated = false;

  // The current line.
  std::string_view line;
  const char* line_limit = nullptr;  // the end of the buffer line is in
  uint64_t line_offset = 0;
  uint32_t line_no = 0;
  uint64_t series = 0;

  void Configure();
  void EndDetection();
  void Start();
  Entry Advance();
  Entry FinishBody();
  bool NextLine();
  bool CheckBodySize(uint64_t more);
  bool CheckLineLength(uint64_t length, uint64_t start_offset) {
    return length <= options.max_line_bytes || LineTooLong(start_offset);
  }
  bool LineTooLong(uint64_t start_offset);
  void SetError(ParseErrorCode code, uint64_t offset, uint32_t line_number,
                uint32_t column, std::string message);
  void SetLineError(const internal::LineError& e);
};

}  // namespace obsv

#endif  // OBSV_SRC_EXPOSITION_EXPOSITION_PARSER_IMPL_H_
