// The driver: splits the body (or the chunks of it) into lines, hands each to
// the LineParser and the FamilyTracker, and enforces the body-level rules
// (`# EOF`, blank lines, limits).
#include "obsv/exposition_parser.h"

#include <cstring>

#include "common/str_cat.h"
#include "common/number_parse.h"
#include "exposition/exposition_parser_impl.h"

namespace obsv {

using internal::LineKind;

void ExpositionParser::Impl::Configure() {
  lp.Configure(format, options);
  tracker.Configure(format, options);
}

void ExpositionParser::Impl::Start() {
  error = ParseError{};
  entry = Entry::kEnd;
  chunk = {};
  pos = 0;
  chunk_offset = 0;
  total = 0;
  finished = false;
  started = true;
  carry.clear();
  carry_offset = 0;
  carry_line_ready = false;
  carry_consumed = false;
  eof_seen = false;
  done = false;
  last_line_unterminated = false;
  line = {};
  line_offset = 0;
  line_no = 0;
  series = 0;
  tracker.Reset();
}

void ExpositionParser::Impl::SetError(ParseErrorCode code, uint64_t offset, uint32_t line_number,
                                      uint32_t column, std::string message) {
  error.code = code;
  error.offset = offset;
  error.line = line_number;
  error.column = column;
  error.message = std::move(message);
  entry = Entry::kError;
}

void ExpositionParser::Impl::SetLineError(const internal::LineError& e) {
  SetError(e.code, line_offset + e.column, line_no, e.column + 1, e.message);
}

bool ExpositionParser::Impl::CheckBodySize(uint64_t more) {
  if (total + more > options.max_body_bytes) {
    // Position: the first byte beyond the budget.
    SetError(ParseErrorCode::kLimitExceeded, options.max_body_bytes, line_no + 1, 1,
             internal::StrCat("body exceeds the limit of ", options.max_body_bytes, " bytes"));
    return false;
  }
  return true;
}

bool ExpositionParser::Impl::LineTooLong(uint64_t start_offset) {
  SetError(ParseErrorCode::kLimitExceeded, start_offset + options.max_line_bytes, line_no + 1,
           options.max_line_bytes + 1,
           internal::StrCat("line longer than the limit of ", options.max_line_bytes, " bytes"));
  return false;
}

// Returns the next complete line, or false with entry set to kNeedMore/kEnd
// when there is none.
bool ExpositionParser::Impl::NextLine() {
  if (carry_line_ready) {
    carry_line_ready = false;
    carry_consumed = true;
    line = carry;
    line_limit = carry.data() + carry.size();
    line_offset = carry_offset;
    ++line_no;
    return true;
  }
  size_t remaining = chunk.size() - pos;
  if (remaining == 0) return false;
  const char* start = chunk.data() + pos;
  const char* nl = static_cast<const char*>(std::memchr(start, '\n', remaining));
  if (nl == nullptr) {
    if (!CheckLineLength(remaining, chunk_offset + pos)) return false;
    if (!finished) {
      // The carry now holds this partial line, not a consumed one (a line
      // like `# EOF` may have been consumed from it without an entry).
      carry.assign(start, remaining);
      carry_consumed = false;
      carry_offset = chunk_offset + pos;
      pos = chunk.size();
      return false;
    }
    line = std::string_view(start, remaining);
    last_line_unterminated = true;
  } else {
    line = std::string_view(start, static_cast<size_t>(nl - start));
    if (!CheckLineLength(line.size(), chunk_offset + pos)) return false;
  }
  line_limit = chunk.data() + chunk.size();
  line_offset = chunk_offset + pos;
  pos += line.size() + (nl != nullptr ? 1 : 0);
  ++line_no;
  return true;
}

// Inline in Next(), its only caller: one call per entry, not two.
inline __attribute__((always_inline)) Entry ExpositionParser::Impl::Advance() {
  if (entry == Entry::kError) return Entry::kError;
  if (done) return entry = Entry::kEnd;
  if (carry_consumed) {
    carry.clear();
    carry_consumed = false;
  }
  while (true) {
    if (detecting || !NextLine()) {
      if (entry == Entry::kError) return Entry::kError;
      if (!finished) return entry = Entry::kNeedMore;
      return FinishBody();
    }
    if (eof_seen) {
      SetError(ParseErrorCode::kContentAfterEof, line_offset, line_no, 1,
               "content after \"# EOF\"");
      return Entry::kError;
    }
    internal::LineError& e = line_error;  // a member: no string to build per line
    if (!lp.Parse(line, line_limit, &parsed, &e)) {
      SetLineError(e);
      return Entry::kError;
    }
    switch (parsed.kind) {
      case LineKind::kBlank:
        if (format == ExpositionFormat::kOpenMetrics) {
          SetError(ParseErrorCode::kBlankLine, line_offset, line_no, 1,
                   "blank line (OpenMetrics allows none)");
          return Entry::kError;
        }
        continue;
      case LineKind::kComment:
        return entry = Entry::kComment;
      case LineKind::kEof:
        // `# EOF` may lack its newline; nothing may follow it.
        eof_seen = true;
        continue;
      case LineKind::kHelp:
      case LineKind::kType:
      case LineKind::kUnit:
        if (!tracker.OnMetadata(parsed, lp, &e)) {
          SetLineError(e);
          return Entry::kError;
        }
        return entry = parsed.kind == LineKind::kHelp   ? Entry::kHelp
                       : parsed.kind == LineKind::kType ? Entry::kType
                                                        : Entry::kUnit;
      case LineKind::kSample:
        if (++series > options.max_series) {
          SetError(ParseErrorCode::kLimitExceeded, line_offset, line_no, 1,
                   internal::StrCat("more than ", options.max_series, " samples"));
          return Entry::kError;
        }
        if (!tracker.OnSample(parsed, lp, &e)) {
          SetLineError(e);
          return Entry::kError;
        }
        return entry = Entry::kSample;
    }
  }
}

Entry ExpositionParser::Impl::FinishBody() {
  uint64_t end_offset = chunk_offset + chunk.size();
  if (format == ExpositionFormat::kOpenMetrics && !eof_seen) {
    SetError(ParseErrorCode::kMissingEof, end_offset, line_no + 1, 1,
             "OpenMetrics body does not end with \"# EOF\"");
    return Entry::kError;
  }
  if (options.strict && format == ExpositionFormat::kText && last_line_unterminated) {
    SetError(ParseErrorCode::kUnexpectedEnd, end_offset, line_no,
             static_cast<uint32_t>(line.size()) + 1, "last line does not end with a newline");
    return Entry::kError;
  }
  internal::LineError e;
  if (!tracker.Finish(&e)) {
    SetError(e.code, end_offset, line_no + 1, 1, e.message);
    return Entry::kError;
  }
  done = true;
  line = {};
  return entry = Entry::kEnd;
}

ExpositionParser::ExpositionParser(ParserOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  impl_->format = options.format.value_or(ExpositionFormat::kText);
  if (impl_->format == ExpositionFormat::kProtobuf) impl_->format = ExpositionFormat::kText;  // text only
  impl_->format_known = options.format.has_value();
  impl_->Configure();
  impl_->started = false;
}

ExpositionParser::~ExpositionParser() = default;
ExpositionParser::ExpositionParser(ExpositionParser&&) noexcept = default;
ExpositionParser& ExpositionParser::operator=(ExpositionParser&&) noexcept = default;

void ExpositionParser::Reset(std::string_view body) {
  Impl& m = *impl_;
  label_count_ = 0;
  metric_name_ = {};
  value_ = 0;
  m.Start();
  m.started = false;  // the next Feed() starts a new body
  m.finished = true;
  if (!m.options.format.has_value()) {
    m.format = DetectFormat(body);
    m.Configure();
  }
  if (!m.CheckBodySize(body.size())) return;
  m.chunk = body;
  m.total = body.size();
}

// With no format given, the incremental API holds up to the first 64 KiB
// (a constant bound) until the content tells the format.
constexpr size_t kDetectionWindow = 64 << 10;

void ExpositionParser::Impl::EndDetection() {
  detecting = false;
  format = DetectFormat(detect_buffer);
  Configure();
  chunk = detect_buffer;
  chunk_offset = 0;
  pos = 0;
}

bool ExpositionParser::Feed(std::string_view chunk) {
  Impl& m = *impl_;
  label_count_ = 0;
  metric_name_ = {};
  value_ = 0;
  if (!m.started) {
    m.Start();
    m.detecting = !m.options.format.has_value();
    m.detect_buffer.clear();
  }
  if (m.entry == Entry::kError) return false;
  if (m.pos < m.chunk.size() || m.carry_line_ready) {
    // Misuse, not bad input: the chunk is ignored and the body goes on.
    return false;
  }
  if (!m.CheckBodySize(chunk.size())) return false;
  if (m.detecting) {
    m.total += chunk.size();
    m.detect_buffer.append(chunk.data(), chunk.size());
    if (m.detect_buffer.size() >= kDetectionWindow ||
        DetectFormat(m.detect_buffer) == ExpositionFormat::kOpenMetrics) {
      m.EndDetection();
    }
    return true;
  }
  m.chunk_offset = m.total;
  m.total += chunk.size();
  m.chunk = chunk;
  m.pos = 0;
  if (!m.carry.empty() && !m.carry_consumed) {
    // Complete the line split across chunks.
    const char* nl = static_cast<const char*>(std::memchr(chunk.data(), '\n', chunk.size()));
    size_t take = nl == nullptr ? chunk.size() : static_cast<size_t>(nl - chunk.data());
    if (!m.CheckLineLength(m.carry.size() + take, m.carry_offset)) return false;
    m.carry.append(chunk.data(), take);
    m.pos = nl == nullptr ? chunk.size() : take + 1;
    m.carry_line_ready = nl != nullptr;
  }
  return true;
}

void ExpositionParser::Finish() {
  Impl& m = *impl_;
  label_count_ = 0;
  metric_name_ = {};
  value_ = 0;
  if (!m.started) {
    m.Start();
    m.detecting = false;
  }
  if (m.detecting) m.EndDetection();
  m.finished = true;
  m.started = false;
  if (m.carry_consumed) {
    m.carry.clear();
    m.carry_consumed = false;
  }
  if (!m.carry.empty() && !m.carry_line_ready) {
    // The last line, without its newline.
    m.carry_line_ready = true;
    m.last_line_unterminated = true;
  }
}

Entry ExpositionParser::Next() {
  Entry e = impl_->Advance();
  if (e == Entry::kSample) {
    // The line parser wrote the views in place: nothing to resolve.
    labels_ = impl_->parsed.labels.data();
    label_count_ = impl_->parsed.labels.size();
    metric_name_ = impl_->parsed.name;
    value_ = impl_->parsed.value;
  } else {
    label_count_ = 0;
    metric_name_ = {};
    value_ = 0;
  }
  return e;
}

ExpositionFormat ExpositionParser::format() const { return impl_->format; }
const ParserOptions& ExpositionParser::options() const { return impl_->options; }
uint32_t ExpositionParser::line() const { return impl_->line_no; }
uint64_t ExpositionParser::offset() const { return impl_->line_offset; }
std::string_view ExpositionParser::raw_line() const { return impl_->line; }

std::string_view ExpositionParser::family_name() const {
  const Impl& m = *impl_;
  switch (m.entry) {
    case Entry::kHelp:
    case Entry::kType:
    case Entry::kUnit:
      return m.parsed.name;
    case Entry::kSample:
      return m.tracker.family_name();
    case Entry::kEnd:
    case Entry::kNeedMore:
    case Entry::kComment:
    case Entry::kError:
      break;
  }
  return {};
}

MetricType ExpositionParser::type() const {
  const Impl& m = *impl_;
  if (m.entry == Entry::kType) return m.parsed.type;
  if (m.entry == Entry::kSample) return m.tracker.type();
  return MetricType::kUnknown;
}

std::string_view ExpositionParser::help() const {
  return impl_->entry == Entry::kHelp ? impl_->parsed.text : std::string_view();
}
std::string_view ExpositionParser::unit() const {
  return impl_->entry == Entry::kUnit ? impl_->parsed.text : std::string_view();
}
std::string_view ExpositionParser::comment() const {
  return impl_->entry == Entry::kComment ? impl_->parsed.text : std::string_view();
}

SampleSuffix ExpositionParser::suffix() const {
  return impl_->entry == Entry::kSample ? impl_->tracker.suffix() : SampleSuffix::kNone;
}
std::string_view ExpositionParser::value_text() const {
  return impl_->entry == Entry::kSample ? impl_->parsed.value_text : std::string_view();
}
bool ExpositionParser::has_timestamp() const {
  return impl_->entry == Entry::kSample && impl_->parsed.has_timestamp;
}
Timestamp ExpositionParser::timestamp() const {
  return has_timestamp() ? impl_->parsed.timestamp : Timestamp{};
}
bool ExpositionParser::has_exemplar() const {
  return impl_->entry == Entry::kSample && impl_->parsed.has_exemplar;
}
size_t ExpositionParser::exemplar_label_count() const {
  return has_exemplar() ? impl_->parsed.exemplar_labels.size() : 0;
}
std::string_view ExpositionParser::exemplar_label_name(size_t i) const {
  return i < exemplar_label_count() ? impl_->parsed.exemplar_labels[i].name
                                    : std::string_view();
}
std::string_view ExpositionParser::exemplar_label_value(size_t i) const {
  return i < exemplar_label_count() ? impl_->parsed.exemplar_labels[i].value
                                    : std::string_view();
}
double ExpositionParser::exemplar_value() const {
  return has_exemplar() ? impl_->parsed.exemplar_value : 0;
}
bool ExpositionParser::exemplar_has_timestamp() const {
  return has_exemplar() && impl_->parsed.exemplar_has_timestamp;
}
Timestamp ExpositionParser::exemplar_timestamp() const {
  return exemplar_has_timestamp() ? impl_->parsed.exemplar_timestamp : Timestamp{};
}

void ExpositionParser::CopySample(Sample* out) const {
  out->name.assign(metric_name());
  out->labels.resize(label_count());
  for (size_t i = 0; i < out->labels.size(); ++i) {
    out->labels[i].name.assign(label_name(i));
    out->labels[i].value.assign(label_value(i));
  }
  out->value = value();
  std::string_view text = value_text();
  if (internal::IsInexactInteger(text)) {
    out->value_text.assign(text);
  } else {
    out->value_text.clear();
  }
  out->timestamp.reset();
  if (has_timestamp()) out->timestamp = timestamp();
  out->exemplar.reset();
  if (has_exemplar()) {
    Exemplar ex;
    ex.labels.resize(exemplar_label_count());
    for (size_t i = 0; i < ex.labels.size(); ++i) {
      ex.labels[i].name.assign(exemplar_label_name(i));
      ex.labels[i].value.assign(exemplar_label_value(i));
    }
    ex.value = exemplar_value();
    if (exemplar_has_timestamp()) ex.timestamp = exemplar_timestamp();
    out->exemplar = std::move(ex);
  }
  out->suffix = suffix();
}

const ParseError& ExpositionParser::error() const { return impl_->error; }

}  // namespace obsv
