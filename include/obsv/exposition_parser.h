// obsv/exposition_parser.h: a streaming pull parser for Prometheus text 0.0.4
// and OpenMetrics 1.0 expositions, including the quoted UTF-8 names of
// Prometheus 3 (`{"my.metric","a.b"="c"}`).
//
// Whole buffer:
//
//   obsv::ExpositionParser p({.format = obsv::ExpositionFormat::kText});
//   p.Reset(body);
//   for (obsv::Entry e; (e = p.Next()) != obsv::Entry::kEnd;) {
//     if (e == obsv::Entry::kError) return p.error().ToStatus();
//     if (e == obsv::Entry::kSample) Use(p.metric_name(), p.value());
//   }
//
// Incremental, as a body arrives from a socket split anywhere:
//
//   obsv::ExpositionParser p(options);
//   while (ReadChunk(&chunk)) {
//     if (!p.Feed(chunk)) break;             // false: limit hit, see error()
//     for (obsv::Entry e; (e = p.Next()) != obsv::Entry::kNeedMore;) { ... }
//   }
//   p.Finish();
//   for (obsv::Entry e; (e = p.Next()) != obsv::Entry::kEnd;) { ... }
//
// Views: every accessor returns a view valid until the next call to Next(),
// Feed(), Finish() or Reset(). A view points into the caller's buffer where
// the text needs no unescaping, and into the parser otherwise; in the
// incremental API the caller's chunk must stay valid until Next() has
// returned kNeedMore for it. Copy what you keep (CopySample()).
//
// Memory: the whole-buffer API allocates nothing per line in the steady
// state. The incremental API additionally copies only a line split across
// chunks, so it holds at most one line (bounded by max_line_bytes) plus the
// per-family state strict mode needs (one entry per family name seen).
//
// Modes: lenient (the default) accepts what Prometheus's own scraper
// accepts (which refuses duplicate label names, a missing or repeated
// OpenMetrics `# EOF` and blank lines in OpenMetrics, so both modes do).
// Strict applies the letter of each spec on top: TYPE/HELP/UNIT once and
// before the samples, families not interleaved, histogram buckets ascending
// with `+Inf` last and counts not decreasing, canonical `le` and `quantile`
// in OpenMetrics, valid UTF-8. Both modes refuse anything they cannot
// represent exactly (a value that is not a number, a broken escape).
//
// Thread safety: thread-compatible. One parser per thread; parsers are
// cheap to construct and reusable through Reset().
#ifndef OBSV_EXPOSITION_PARSER_H_
#define OBSV_EXPOSITION_PARSER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "obsv/export.h"
#include "obsv/exposition_format.h"
#include "obsv/metric_model.h"
#include "obsv/parse_error.h"

namespace obsv {

// Budgets for untrusted input. Exceeding one is a kLimitExceeded error at the
// place it happened; no input makes the parser allocate beyond them.
struct ParserOptions {
  // The format of the body; nullopt detects it with DetectFormat(): from the
  // whole buffer on Reset(); in the incremental API from the first bytes,
  // which the parser then holds (at most 64 KiB) until they tell the format
  // or Finish() is called. Prefer passing FormatFromContentType() of the
  // response: the parser then holds nothing.
  std::optional<ExpositionFormat> format;
  // Lenient: what Prometheus's scraper accepts. Strict: the spec's letter.
  bool strict = false;
  uint64_t max_body_bytes = uint64_t{1} << 30;       // 1 GiB
  uint32_t max_line_bytes = uint32_t{1} << 20;       // 1 MiB
  uint32_t max_labels_per_series = 256;
  uint32_t max_label_name_bytes = 1024;
  uint32_t max_label_value_bytes = uint32_t{64} << 10;  // 64 KiB
  uint64_t max_series = 10'000'000;                  // sample lines
  uint32_t max_families = 1'000'000;                 // distinct family names
};

// What Next() found.
enum class Entry : unsigned char {
  kEnd = 0,   // the body is over (after Finish(), or the end of Reset()'s buffer)
  kNeedMore,  // incremental API only: feed the next chunk or Finish()
  kHelp,      // `# HELP name text`
  kType,      // `# TYPE name type`
  kUnit,      // `# UNIT name unit` (OpenMetrics)
  kSample,    // a sample line
  kComment,   // any other `#` line (text format; lenient OpenMetrics)
  kError,     // see error(); every later Next() returns kError again
};

// A label of the current sample: views valid until the next call to Next(),
// Feed(), Finish() or Reset().
struct LabelView {
  std::string_view name;
  std::string_view value;
};

class OBSV_API ExpositionParser {
 public:
  explicit ExpositionParser(ParserOptions options = {});
  ~ExpositionParser();
  ExpositionParser(const ExpositionParser&) = delete;
  ExpositionParser& operator=(const ExpositionParser&) = delete;
  ExpositionParser(ExpositionParser&&) noexcept;
  ExpositionParser& operator=(ExpositionParser&&) noexcept;

  // Starts over on a complete body, keeping options and buffers. `body` must
  // outlive the iteration. Equivalent to Feed(body) then Finish() with no
  // copy.
  void Reset(std::string_view body);

  // Incremental API. Starts a new body on the first call after construction,
  // Reset() or Finish(). Feed the next chunk of the body; the previous chunk
  // must have been drained (Next() returned kNeedMore). Returns false when
  // the body has become too large or the parser is in error (see error()),
  // and also, with error() still ok, when the previous chunk was not yet
  // drained: that chunk is then ignored, and the body goes on.
  bool Feed(std::string_view chunk);
  // No more chunks: the last line may lack its newline (a kUnexpectedEnd
  // error in strict mode), and OpenMetrics' `# EOF` is now checked.
  void Finish();

  // Advances to the next entry. Cost: linear in the line's length.
  Entry Next();

  // The format in use (after detection).
  ExpositionFormat format() const;
  const ParserOptions& options() const;

  // ---- The current entry. Valid until the next Next/Feed/Finish/Reset. ----

  // 1-based line of the current entry and its byte offset in the body.
  uint32_t line() const;
  uint64_t offset() const;
  // The raw line, without its newline.
  std::string_view raw_line() const;

  // kHelp, kType, kUnit: the name the line is about (unquoted, unescaped).
  // kSample: the family the sample belongs to by the declared type's suffix
  // rules (`x` for `x_bucket` of histogram `x`); the metric name itself for a
  // sample with no matching declaration.
  std::string_view family_name() const;
  // kType: the declared type. kSample: the family's type (kUnknown if none).
  MetricType type() const;
  // kHelp: the help text, unescaped.
  std::string_view help() const;
  // kUnit: the unit.
  std::string_view unit() const;
  // kComment: the text after `#`.
  std::string_view comment() const;

  // kSample: the full metric name, unquoted and unescaped.
  std::string_view metric_name() const { return metric_name_; }
  // kSample: which part of its family this sample is.
  SampleSuffix suffix() const;
  // kSample: labels in input order (without the name), unescaped. Inline
  // and O(1): the parser writes the views as it reads the line. label_name(i)
  // and label_value(i) are empty for i >= label_count().
  size_t label_count() const { return label_count_; }
  std::string_view label_name(size_t i) const {
    return i < label_count_ ? labels_[i].name : std::string_view();
  }
  std::string_view label_value(size_t i) const {
    return i < label_count_ ? labels_[i].value : std::string_view();
  }
  // kSample: all label_count() labels at once.
  const LabelView* labels() const { return labels_; }
  // kSample: the value, and its text as written (`1.0`, `+Inf`, `Nan`).
  double value() const { return value_; }
  std::string_view value_text() const;
  // kSample: the timestamp, if the line has one.
  bool has_timestamp() const;
  Timestamp timestamp() const;
  // kSample: the exemplar, if the line has one (OpenMetrics).
  bool has_exemplar() const;
  size_t exemplar_label_count() const;
  std::string_view exemplar_label_name(size_t i) const;
  std::string_view exemplar_label_value(size_t i) const;
  double exemplar_value() const;
  bool exemplar_has_timestamp() const;
  Timestamp exemplar_timestamp() const;

  // kSample: an owned copy of the current sample (allocates).
  void CopySample(Sample* out) const;

  // The error after Next() returned kError or Feed() false.
  const ParseError& error() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  // The current sample's labels, owned by impl_ (stable across moves).
  const LabelView* labels_ = nullptr;
  size_t label_count_ = 0;
  // The current sample's name and value (empty and 0 for other entries),
  // set by Next() so that the accessors are inline.
  std::string_view metric_name_;
  double value_ = 0;
};

// Parses a complete body into families. Families appear in input order. In
// lenient mode a later group of lines with an earlier family's name joins
// that family when the group has no metadata of its own (its samples were
// interleaved with another family), or when one of the two is metadata alone
// and their types agree; otherwise (same name, another type) both are kept. On error returns InvalidArgument (or
// ResourceExhausted for limits) with "L:C: message"; use the overload below
// for the structured error.
OBSV_API absl::StatusOr<std::vector<MetricFamily>> ParseExposition(
    std::string_view body, const ParserOptions& options = {});
// Same, filling `families` and returning the structured error (ok() on
// success). `families` holds what was parsed before an error.
OBSV_API ParseError ParseExposition(std::string_view body,
                                    const ParserOptions& options,
                                    std::vector<MetricFamily>* families);

// Builds MetricFamily values from a parser's entries, for callers of the
// incremental API that want the model, family by family, as it completes.
//
//   obsv::FamilyBuilder b;
//   ... for each entry e of parser p:  b.Add(p, e);
//   std::vector<obsv::MetricFamily> done = b.TakeCompleted();
//   ... at the end:                     b.Finish(); done = b.TakeCompleted();
//
// Thread-compatible.
class OBSV_API FamilyBuilder {
 public:
  FamilyBuilder();
  ~FamilyBuilder();
  FamilyBuilder(const FamilyBuilder&) = delete;
  FamilyBuilder& operator=(const FamilyBuilder&) = delete;

  // Records entry `e` that `parser` just returned. kNeedMore, kEnd and
  // kError are ignored; kComment too.
  void Add(const ExpositionParser& parser, Entry e);
  // Moves out the families known to be complete: in strict mode every family
  // but the open one; in lenient mode likewise (a later interleaved line of a
  // completed family starts a new MetricFamily of the same name).
  std::vector<MetricFamily> TakeCompleted();
  // Marks the open family complete.
  void Finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace obsv

#endif  // OBSV_EXPOSITION_PARSER_H_
