// The C ABI of the exposition module: parser, writer, conversion.
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "capi/c_api_internal.h"
#include "obsv/exposition_format.h"
#include "obsv/exposition_parser.h"
#include "obsv/exposition_writer.h"

using obsv::capi::FromStr;
using obsv::capi::Guard;
using obsv::capi::SetError;
using obsv::capi::ToStr;

struct obsv_parser {
  explicit obsv_parser(const obsv::ParserOptions& options) : parser(options) {}
  obsv::ExpositionParser parser;
  obsv_error error;  // the borrowed error of obsv_parser_error()
};

struct obsv_writer {
  obsv::WriterOptions options;
  std::string out;
  obsv::MetricFamily family;
  bool family_open = false;
  bool finished = false;  // out holds a finished body; the next write starts anew

  void StartIfFinished() {
    if (finished) {
      out.clear();
      finished = false;
    }
  }
};

namespace {

// Enum values from C are read as ints, through memcpy: a C caller may pass
// any int, and loading an out-of-range value as a C++ enum is undefined
// behaviour (UBSan's -fsanitize=enum flags it).
template <typename Enum>
int EnumValue(const Enum& e) {
  static_assert(sizeof(Enum) == sizeof(int), "C enums are int-sized");
  int v;
  std::memcpy(&v, &e, sizeof v);
  return v;
}

bool ValidFormat(int v, bool allow_auto) {
  return v == OBSV_FORMAT_TEXT || v == OBSV_FORMAT_OPENMETRICS || (allow_auto && v == OBSV_FORMAT_AUTO);
}

bool ValidType(int v) { return v >= OBSV_TYPE_UNKNOWN && v <= OBSV_TYPE_STATESET; }

std::optional<obsv::ExpositionFormat> ToFormat(obsv_format f) {
  if (f == OBSV_FORMAT_AUTO) return std::nullopt;
  return static_cast<obsv::ExpositionFormat>(f);
}

obsv::ParserOptions ToOptions(const obsv_parser_options& o) {
  obsv::ParserOptions options;
  options.format = ToFormat(o.format);
  options.strict = o.strict != 0;
  options.max_body_bytes = o.max_body_bytes;
  options.max_line_bytes = o.max_line_bytes;
  options.max_labels_per_series = o.max_labels_per_series;
  options.max_label_name_bytes = o.max_label_name_bytes;
  options.max_label_value_bytes = o.max_label_value_bytes;
  options.max_series = o.max_series;
  options.max_families = o.max_families;
  return options;
}

void ToLabels(const obsv_label* labels, size_t count, std::vector<obsv::Label>* out) {
  out->resize(count);
  for (size_t i = 0; i < count; ++i) {
    (*out)[i].name.assign(FromStr(labels[i].name));
    (*out)[i].value.assign(FromStr(labels[i].value));
  }
}

// Writes the open family, if any.
obsv_status FlushFamily(obsv_writer* w, obsv_error** out_error) {
  if (!w->family_open) return OBSV_OK;
  w->family_open = false;
  absl::Status s = obsv::WriteFamily(w->family, w->options, &w->out);
  w->family = obsv::MetricFamily();
  if (!s.ok()) return SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, std::string(s.message()));
  return OBSV_OK;
}

}  // namespace

extern "C" {

obsv_format obsv_format_from_content_type(const char* content_type, size_t len) {
  if (content_type == nullptr) return OBSV_FORMAT_TEXT;
  return static_cast<obsv_format>(obsv::FormatFromContentType(std::string_view(content_type, len)));
}

obsv_format obsv_format_detect(const char* body, size_t len) {
  if (body == nullptr) return OBSV_FORMAT_TEXT;
  return static_cast<obsv_format>(obsv::DetectFormat(std::string_view(body, len)));
}

const char* obsv_format_content_type(obsv_format format) {
  if (EnumValue(format) == OBSV_FORMAT_PROTOBUF) return obsv::ContentTypeFor(obsv::ExpositionFormat::kProtobuf).data();
  if (!ValidFormat(EnumValue(format), false)) return nullptr;
  return obsv::ContentTypeFor(static_cast<obsv::ExpositionFormat>(format)).data();
}

void obsv_parser_options_init(obsv_parser_options* options) {
  if (options == nullptr) return;
  obsv::ParserOptions d;
  options->format = OBSV_FORMAT_AUTO;
  options->strict = 0;
  options->max_body_bytes = d.max_body_bytes;
  options->max_line_bytes = d.max_line_bytes;
  options->max_labels_per_series = d.max_labels_per_series;
  options->max_label_name_bytes = d.max_label_name_bytes;
  options->max_label_value_bytes = d.max_label_value_bytes;
  options->max_series = d.max_series;
  options->max_families = d.max_families;
}

obsv_status obsv_parser_new(const obsv_parser_options* options, obsv_parser** out_parser,
                            obsv_error** out_error) {
  obsv::capi::ClearError(out_error);
  if (out_parser == nullptr) return SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "out_parser is NULL");
  *out_parser = nullptr;
  obsv_parser_options o;
  obsv_parser_options_init(&o);
  if (options != nullptr) o = *options;
  if (!ValidFormat(EnumValue(o.format), true)) {
    return SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "format must be AUTO, TEXT or OPENMETRICS");
  }
  return Guard(out_error, [&] {
    *out_parser = new obsv_parser(ToOptions(o));
    return OBSV_OK;
  });
}

void obsv_parser_free(obsv_parser* parser) { delete parser; }

obsv_status obsv_parser_reset(obsv_parser* parser, const char* body, size_t len) {
  if (parser == nullptr || (body == nullptr && len != 0)) return OBSV_ERR_INVALID_ARGUMENT;
  return Guard(nullptr, [&] {
    parser->parser.Reset(std::string_view(body == nullptr ? "" : body, len));
    return static_cast<obsv_status>(parser->parser.error().code);
  });
}

obsv_status obsv_parser_feed(obsv_parser* parser, const char* chunk, size_t len) {
  if (parser == nullptr || (chunk == nullptr && len != 0)) return OBSV_ERR_INVALID_ARGUMENT;
  return Guard(nullptr, [&] {
    if (parser->parser.Feed(std::string_view(chunk == nullptr ? "" : chunk, len))) return OBSV_OK;
    if (parser->parser.error().ok()) return OBSV_ERR_FAILED_PRECONDITION;  // not drained
    return static_cast<obsv_status>(parser->parser.error().code);
  });
}

obsv_status obsv_parser_finish(obsv_parser* parser) {
  if (parser == nullptr) return OBSV_ERR_INVALID_ARGUMENT;
  return Guard(nullptr, [&] {
    parser->parser.Finish();
    return OBSV_OK;
  });
}

obsv_entry obsv_parser_next(obsv_parser* parser) {
  if (parser == nullptr) return OBSV_ENTRY_ERROR;
  obsv_entry entry = OBSV_ENTRY_ERROR;
  obsv_status s = Guard(nullptr, [&] {
    entry = static_cast<obsv_entry>(parser->parser.Next());
    return OBSV_OK;
  });
  return s == OBSV_OK ? entry : OBSV_ENTRY_ERROR;
}

obsv_format obsv_parser_format(const obsv_parser* parser) {
  return parser == nullptr ? OBSV_FORMAT_AUTO : static_cast<obsv_format>(parser->parser.format());
}

const obsv_error* obsv_parser_error(const obsv_parser* parser) {
  if (parser == nullptr || parser->parser.error().ok()) return nullptr;
  auto* p = const_cast<obsv_parser*>(parser);
  try {
    obsv::capi::FillFromParseError(&p->error, parser->parser.error());
  } catch (...) {
    p->error.message.clear();
  }
  return &p->error;
}

uint32_t obsv_parser_line(const obsv_parser* p) { return p == nullptr ? 0 : p->parser.line(); }
obsv_str obsv_parser_family_name(const obsv_parser* p) { return p == nullptr ? obsv_str{} : ToStr(p->parser.family_name()); }
obsv_metric_type obsv_parser_type(const obsv_parser* p) {
  return p == nullptr ? OBSV_TYPE_UNKNOWN : static_cast<obsv_metric_type>(p->parser.type());
}
obsv_str obsv_parser_help(const obsv_parser* p) { return p == nullptr ? obsv_str{} : ToStr(p->parser.help()); }
obsv_str obsv_parser_unit(const obsv_parser* p) { return p == nullptr ? obsv_str{} : ToStr(p->parser.unit()); }
obsv_str obsv_parser_comment(const obsv_parser* p) { return p == nullptr ? obsv_str{} : ToStr(p->parser.comment()); }
obsv_str obsv_parser_metric_name(const obsv_parser* p) { return p == nullptr ? obsv_str{} : ToStr(p->parser.metric_name()); }
obsv_suffix obsv_parser_suffix(const obsv_parser* p) {
  return p == nullptr ? OBSV_SUFFIX_NONE : static_cast<obsv_suffix>(p->parser.suffix());
}
size_t obsv_parser_label_count(const obsv_parser* p) { return p == nullptr ? 0 : p->parser.label_count(); }
obsv_str obsv_parser_label_name(const obsv_parser* p, size_t i) {
  return p == nullptr ? obsv_str{} : ToStr(p->parser.label_name(i));
}
obsv_str obsv_parser_label_value(const obsv_parser* p, size_t i) {
  return p == nullptr ? obsv_str{} : ToStr(p->parser.label_value(i));
}
double obsv_parser_value(const obsv_parser* p) { return p == nullptr ? 0 : p->parser.value(); }
obsv_str obsv_parser_value_text(const obsv_parser* p) { return p == nullptr ? obsv_str{} : ToStr(p->parser.value_text()); }

int obsv_parser_timestamp(const obsv_parser* p, int64_t* out_milliseconds, int32_t* out_nanos) {
  if (p == nullptr || !p->parser.has_timestamp()) return 0;
  obsv::Timestamp ts = p->parser.timestamp();
  if (out_milliseconds != nullptr) *out_milliseconds = ts.milliseconds;
  if (out_nanos != nullptr) *out_nanos = ts.nanos;
  return 1;
}

int obsv_parser_has_exemplar(const obsv_parser* p) { return p != nullptr && p->parser.has_exemplar(); }
size_t obsv_parser_exemplar_label_count(const obsv_parser* p) {
  return p == nullptr ? 0 : p->parser.exemplar_label_count();
}
obsv_str obsv_parser_exemplar_label_name(const obsv_parser* p, size_t i) {
  return p == nullptr ? obsv_str{} : ToStr(p->parser.exemplar_label_name(i));
}
obsv_str obsv_parser_exemplar_label_value(const obsv_parser* p, size_t i) {
  return p == nullptr ? obsv_str{} : ToStr(p->parser.exemplar_label_value(i));
}
double obsv_parser_exemplar_value(const obsv_parser* p) { return p == nullptr ? 0 : p->parser.exemplar_value(); }
int obsv_parser_exemplar_timestamp(const obsv_parser* p, int64_t* out_milliseconds, int32_t* out_nanos) {
  if (p == nullptr || !p->parser.exemplar_has_timestamp()) return 0;
  obsv::Timestamp ts = p->parser.exemplar_timestamp();
  if (out_milliseconds != nullptr) *out_milliseconds = ts.milliseconds;
  if (out_nanos != nullptr) *out_nanos = ts.nanos;
  return 1;
}

obsv_status obsv_writer_new(obsv_format format, obsv_writer** out_writer, obsv_error** out_error) {
  obsv::capi::ClearError(out_error);
  if (out_writer == nullptr) return SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "out_writer is NULL");
  *out_writer = nullptr;
  if (!ValidFormat(EnumValue(format), false)) {
    return SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "writer format must be TEXT or OPENMETRICS");
  }
  return Guard(out_error, [&] {
    auto* w = new obsv_writer;
    w->options.format = static_cast<obsv::ExpositionFormat>(format);
    *out_writer = w;
    return OBSV_OK;
  });
}

void obsv_writer_free(obsv_writer* writer) { delete writer; }

obsv_status obsv_writer_begin_family(obsv_writer* w, obsv_str name, obsv_metric_type type, obsv_str help,
                                     int has_help, obsv_str unit, obsv_error** out_error) {
  obsv::capi::ClearError(out_error);
  if (w == nullptr) return SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "writer is NULL");
  if (!ValidType(EnumValue(type))) {
    return SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "metric type out of range");
  }
  if (FromStr(name).empty()) return SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "family name is empty");
  return Guard(out_error, [&] {
    w->StartIfFinished();
    obsv_status s = FlushFamily(w, out_error);
    if (s != OBSV_OK) return s;
    w->family.name.assign(FromStr(name));
    w->family.type = static_cast<obsv::MetricType>(type);
    w->family.help.assign(FromStr(help));
    w->family.has_help = has_help != 0;
    w->family.unit.assign(FromStr(unit));
    w->family_open = true;
    return OBSV_OK;
  });
}

obsv_status obsv_writer_add_sample(obsv_writer* w, const obsv_sample* sample, obsv_error** out_error) {
  obsv::capi::ClearError(out_error);
  if (w == nullptr || sample == nullptr) return SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "NULL argument");
  if (!w->family_open) {
    return SetError(out_error, OBSV_ERR_FAILED_PRECONDITION, "obsv_writer_begin_family() first");
  }
  if ((sample->labels == nullptr && sample->label_count != 0) ||
      (sample->has_exemplar && sample->exemplar_labels == nullptr && sample->exemplar_label_count != 0)) {
    return SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "labels is NULL but label_count is not 0");
  }
  return Guard(out_error, [&] {
    obsv::Sample s;
    s.name.assign(FromStr(sample->name));
    ToLabels(sample->labels, sample->label_count, &s.labels);
    s.value = sample->value;
    s.value_text.assign(FromStr(sample->value_text));
    if (sample->has_timestamp) s.timestamp = obsv::Timestamp{sample->timestamp_ms, sample->timestamp_nanos};
    if (sample->has_exemplar) {
      obsv::Exemplar ex;
      ToLabels(sample->exemplar_labels, sample->exemplar_label_count, &ex.labels);
      ex.value = sample->exemplar_value;
      if (sample->exemplar_has_timestamp) {
        ex.timestamp = obsv::Timestamp{sample->exemplar_timestamp_ms, sample->exemplar_timestamp_nanos};
      }
      s.exemplar = std::move(ex);
    }
    w->family.samples.push_back(std::move(s));
    return OBSV_OK;
  });
}

obsv_status obsv_writer_add_parsed_sample(obsv_writer* w, const obsv_parser* parser, obsv_error** out_error) {
  obsv::capi::ClearError(out_error);
  if (w == nullptr || parser == nullptr) return SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "NULL argument");
  if (parser->parser.metric_name().empty()) {
    return SetError(out_error, OBSV_ERR_FAILED_PRECONDITION, "the parser is not at a sample");
  }
  return Guard(out_error, [&] {
    w->StartIfFinished();
    std::string_view family = parser->parser.family_name();
    if (!w->family_open || w->family.name != family) {
      // The sample's own family, as the parser grouped it.
      obsv_status s = FlushFamily(w, out_error);
      if (s != OBSV_OK) return s;
      w->family.name.assign(family);
      w->family.type = parser->parser.type();
      w->family_open = true;
    }
    w->family.samples.emplace_back();
    parser->parser.CopySample(&w->family.samples.back());
    return OBSV_OK;
  });
}

obsv_status obsv_writer_finish(obsv_writer* w, obsv_str* out, obsv_error** out_error) {
  obsv::capi::ClearError(out_error);
  if (w == nullptr || out == nullptr) return SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "NULL argument");
  return Guard(out_error, [&] {
    obsv_status s = FlushFamily(w, out_error);
    if (s != OBSV_OK) return s;
    w->StartIfFinished();  // finishing twice gives an empty body
    if (w->options.format == obsv::ExpositionFormat::kOpenMetrics) w->out.append("# EOF\n");
    *out = ToStr(w->out);
    // The next write starts a new body; *out stays valid until then.
    w->finished = true;
    return OBSV_OK;
  });
}

obsv_status obsv_convert(const char* input, size_t len, obsv_format in_format, int strict,
                         obsv_format out_format, char** out, size_t* out_len, obsv_error** out_error) {
  obsv::capi::ClearError(out_error);
  if ((input == nullptr && len != 0) || out == nullptr) {
    return SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "NULL argument");
  }
  *out = nullptr;
  if (out_len != nullptr) *out_len = 0;
  if (!ValidFormat(EnumValue(in_format), true) || !ValidFormat(EnumValue(out_format), false)) {
    return SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, "format out of range");
  }
  return Guard(out_error, [&] {
    obsv::ParserOptions options;
    options.format = ToFormat(in_format);
    options.strict = strict != 0;
    std::vector<obsv::MetricFamily> families;
    std::string_view body(input == nullptr ? "" : input, len);
    obsv::ParseError pe = obsv::ParseExposition(body, options, &families);
    if (!pe.ok()) return obsv::capi::SetParseError(out_error, pe);
    std::string text;
    obsv::WriterOptions w;
    w.format = static_cast<obsv::ExpositionFormat>(out_format);
    absl::Status s = obsv::WriteExposition(families, w, &text);
    if (!s.ok()) return SetError(out_error, OBSV_ERR_INVALID_ARGUMENT, std::string(s.message()));
    char* buffer = static_cast<char*>(std::malloc(text.size() + 1));
    if (buffer == nullptr) return SetError(out_error, OBSV_ERR_OUT_OF_MEMORY, "out of memory");
    std::memcpy(buffer, text.data(), text.size());
    buffer[text.size()] = '\0';
    *out = buffer;
    if (out_len != nullptr) *out_len = text.size();
    return OBSV_OK;
  });
}

}  // extern "C"
