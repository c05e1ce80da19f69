// obsv.parse(), obsv.Parser and the format helpers.
#include <pybind11/stl.h>

#include <cctype>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "body.h"
#include "common.h"
#include "objects.h"
#include "py_strings.h"

namespace obsv_py {
namespace {

// How much a Parser without a format buffers to detect it: DetectFormat()
// looks at the first 64 KiB.
constexpr size_t kDetectBytes = 64 << 10;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

py::str FormatName(obsv::ExpositionFormat f) {
  return NameCache().Get(obsv::ExpositionFormatName(f));
}

template <typename T>
void SetLimit(const char* name, py::handle value, T* field) {
  if (value.is_none()) return;
  if (!PyLong_Check(value.ptr())) {
    throw py::type_error(std::string(name) + " must be an int");
  }
  int overflow = 0;
  long long v = PyLong_AsLongLongAndOverflow(value.ptr(), &overflow);
  if (v == -1 && PyErr_Occurred()) throw py::error_already_set();
  if (overflow != 0 || v < 0 ||
      static_cast<unsigned long long>(v) > std::numeric_limits<T>::max()) {
    throw py::value_error(std::string(name) + " must be between 0 and " +
                          std::to_string(std::numeric_limits<T>::max()));
  }
  *field = static_cast<T>(v);
}

// The C++ parser must not run twice at once on one Parser; with the GIL
// released, Python threads could try.
class BusyGuard {
 public:
  explicit BusyGuard(bool* busy) : busy_(busy) {
    if (*busy_) throw std::runtime_error("obsv.Parser used by two threads at once");
    *busy_ = true;
  }
  ~BusyGuard() { *busy_ = false; }
  BusyGuard(const BusyGuard&) = delete;
  BusyGuard& operator=(const BusyGuard&) = delete;

 private:
  bool* busy_;
};

// obsv.Parser: the incremental API, family by family.
class PyParser {
 public:
  explicit PyParser(obsv::ParserOptions options)
      : requested_format_(options.format), options_(std::move(options)) {
    Start();
  }

  py::list Feed(py::handle chunk) {
    BusyGuard guard(&busy_);
    if (closed_) throw py::value_error("feed() after close(); call reset() to start over");
    InputBuffer buffer(chunk);
    if (!options_.format) {
      pending_.append(buffer.view());
      if (pending_.size() < kDetectBytes) return py::list();
      return FeedPending();
    }
    return Drain(buffer.view(), /*finish=*/false);
  }

  py::list Close() {
    BusyGuard guard(&busy_);
    if (closed_) return py::list();
    py::list out;
    if (!options_.format) out = FeedPending();
    closed_ = true;
    py::list rest = Drain(std::string_view(), /*finish=*/true);
    for (py::handle f : rest) out.append(f);
    return out;
  }

  void Reset() {
    BusyGuard guard(&busy_);
    options_.format = requested_format_;
    Start();
  }

  py::object Format() const {
    if (!options_.format) return py::none();
    return FormatName(*options_.format);
  }

 private:
  void Start() {
    parser_.reset();
    builder_ = std::make_unique<obsv::FamilyBuilder>();
    pending_.clear();
    closed_ = false;
    fed_ = false;
    if (options_.format) parser_ = std::make_unique<obsv::ExpositionParser>(options_);
  }

  // Detects the format from what was buffered and parses it.
  py::list FeedPending() {
    options_.format = obsv::DetectFormat(pending_);
    parser_ = std::make_unique<obsv::ExpositionParser>(options_);
    std::string data = std::move(pending_);
    pending_.clear();
    return Drain(data, /*finish=*/false);
  }

  // Feeds `chunk` (or finishes the body) and runs the parser until it needs
  // more, all without the GIL; the caller keeps `chunk` alive meanwhile, as
  // the C++ contract requires until Next() has returned kNeedMore.
  py::list Drain(std::string_view chunk, bool finish) {
    auto body = std::make_unique<CompactBody>();
    bool failed = false;
    bool too_large = false;
    {
      py::gil_scoped_release release;
      if (!finish || !fed_) {
        fed_ = true;
        if (!parser_->Feed(chunk)) failed = true;
      }
      if (!failed) {
        if (finish) parser_->Finish();
        for (;;) {
          obsv::Entry e = parser_->Next();
          if (e == obsv::Entry::kNeedMore || e == obsv::Entry::kEnd) break;
          if (e == obsv::Entry::kError) {
            failed = true;
            break;
          }
          builder_->Add(*parser_, e);
        }
      }
      if (!failed) {
        if (finish) builder_->Finish();
        std::vector<obsv::MetricFamily> done = builder_->TakeCompleted();
        BodyBuilder compact(body.get(), /*merge=*/false);
        for (const obsv::MetricFamily& f : done) compact.AddModel(f);
        compact.Finish();
        too_large = compact.too_large();
      }
    }
    if (too_large) throw py::value_error("families too large (4 GiB of strings or 2**32 labels)");
    if (failed) {
      if (parser_->error().ok()) throw std::logic_error("obsv.Parser: chunk not drained");
      ThrowParseError(parser_->error());
    }
    return MakeFamilies(std::move(body));
  }

  std::optional<obsv::ExpositionFormat> requested_format_;
  obsv::ParserOptions options_;
  std::unique_ptr<obsv::ExpositionParser> parser_;  // null while detecting
  std::unique_ptr<obsv::FamilyBuilder> builder_;
  std::string pending_;  // the body's start while detecting its format
  bool closed_ = false;
  bool fed_ = false;
  bool busy_ = false;
};

py::object Parse(py::handle data, py::handle format, bool strict, const py::kwargs& limits) {
  obsv::ParserOptions options = OptionsArg(format, strict, limits);
  InputBuffer buffer(data);
  auto body = std::make_unique<CompactBody>();
  obsv::ParseError error;
  bool too_large = false;
  {
    py::gil_scoped_release release;
    std::string_view view = buffer.view();
    body->Reserve(view.size());
    obsv::ExpositionParser parser(options);
    parser.Reset(view);
    BodyBuilder builder(body.get(), /*merge=*/true);
    for (obsv::Entry e; (e = parser.Next()) != obsv::Entry::kEnd;) {
      if (e == obsv::Entry::kError) {
        error = parser.error();
        break;
      }
      builder.Add(parser, e);
    }
    builder.Finish();
    too_large = builder.too_large();
  }
  if (!error.ok()) ThrowParseError(error);
  if (too_large) throw py::value_error("body too large (4 GiB of strings or 2**32 labels)");
  return MakeFamilies(std::move(body)).attr("__iter__")();
}

}  // namespace

std::optional<obsv::ExpositionFormat> FormatArg(py::handle format, bool allow_none,
                                                const char* what) {
  if (format.is_none()) {
    if (allow_none) return std::nullopt;
    throw py::type_error(std::string(what) + " must be \"text\", \"openmetrics\" or a Content-Type");
  }
  std::string scratch;
  std::string_view s = StrView(format, what, &scratch);
  if (EqualsIgnoreCase(s, "text")) return obsv::ExpositionFormat::kText;
  if (EqualsIgnoreCase(s, "openmetrics")) return obsv::ExpositionFormat::kOpenMetrics;
  if (s.find('/') != std::string_view::npos) return obsv::FormatFromContentType(s);
  throw py::value_error(std::string(what) + " must be \"text\", \"openmetrics\" or a Content-Type, not '" +
                        std::string(s) + "'");
}

obsv::ParserOptions OptionsArg(py::handle format, bool strict, const py::kwargs& limits) {
  obsv::ParserOptions o;
  o.format = FormatArg(format, /*allow_none=*/true, "format");
  o.strict = strict;
  for (auto item : limits) {
    std::string key = py::str(item.first);
    py::handle v = item.second;
    if (key == "max_body_bytes") {
      SetLimit(key.c_str(), v, &o.max_body_bytes);
    } else if (key == "max_line_bytes") {
      SetLimit(key.c_str(), v, &o.max_line_bytes);
    } else if (key == "max_labels_per_series") {
      SetLimit(key.c_str(), v, &o.max_labels_per_series);
    } else if (key == "max_label_name_bytes") {
      SetLimit(key.c_str(), v, &o.max_label_name_bytes);
    } else if (key == "max_label_value_bytes") {
      SetLimit(key.c_str(), v, &o.max_label_value_bytes);
    } else if (key == "max_series") {
      SetLimit(key.c_str(), v, &o.max_series);
    } else if (key == "max_families") {
      SetLimit(key.c_str(), v, &o.max_families);
    } else {
      throw py::type_error("unexpected keyword argument '" + key +
                           "' (limits are max_body_bytes, max_line_bytes, "
                           "max_labels_per_series, max_label_name_bytes, "
                           "max_label_value_bytes, max_series, max_families)");
    }
  }
  return o;
}

void ThrowParseError(const obsv::ParseError& error) {
  static py::object* cls =
      new py::object(py::module_::import("obsv._errors").attr("ParseError"));
  std::string message = std::to_string(error.line) + ":" + std::to_string(error.column) +
                        ": " + error.message;
  py::object exc = (*cls)(NewStr(message), NameCache().Get(obsv::ParseErrorCodeName(error.code)),
                          error.line, error.column, error.offset);
  PyErr_SetObject(cls->ptr(), exc.ptr());
  throw py::error_already_set();
}

void RegisterParse(py::module_& m) {
  m.def("parse", &Parse, py::arg("data"), py::arg("format") = py::none(),
        py::arg("strict") = false, R"doc(
parse(data, format=None, strict=False, **limits) -> Iterator[Family]

Parses a whole exposition body and returns an iterator over its families, in
input order.

data    bytes, str, or any bytes-like object (bytearray, memoryview, mmap):
        the body. A str is parsed as its UTF-8 encoding.
format  "text" (Prometheus 0.0.4), "openmetrics" (OpenMetrics 1.0), a
        Content-Type header value (``application/openmetrics-text; ...``
        means OpenMetrics, anything else text, as Prometheus's scraper
        falls back), or None to detect it from the body (see
        detect_format()).
strict  False accepts what Prometheus's own scraper accepts; True applies
        the letter of each spec (``# EOF`` once and last, no blank lines, no
        duplicate labels, metadata once and before samples, families not
        interleaved, ascending buckets ending in +Inf, canonical le and
        quantile in OpenMetrics, valid UTF-8).
limits  budgets for untrusted input, as keyword arguments (int; None keeps
        the default): max_body_bytes (1 GiB), max_line_bytes (1 MiB),
        max_labels_per_series (256), max_label_name_bytes (1024),
        max_label_value_bytes (64 KiB), max_series (10,000,000 sample
        lines), max_families (1,000,000). Exceeding one is a ParseError with
        code "limit_exceeded".

In lenient mode a family whose lines are interleaved with another's is
merged into its first appearance.

The whole body is parsed by the C++ parser, without holding the GIL, before
any Python object is made; other threads run meanwhile (do not modify a
bytearray while it is being parsed). Families are grouped as
obsv::ParseExposition() groups them. The Family objects share the parsed
data and build their Sample objects only when ``samples`` is first read, so
iterating the families costs little.

Raises ParseError (a ValueError) with code, line, column and offset on
malformed input, TypeError for a wrong argument type or an unknown keyword.
)doc");

  py::class_<PyParser>(m, "Parser", R"doc(
Parser(format=None, strict=False, **limits)

An incremental parser for a body that arrives in chunks (from a socket, a
file read piecewise), split anywhere, even inside a line or a UTF-8
character. Arguments as for parse().

    p = obsv.Parser(format="text")
    for chunk in chunks:
        for family in p.feed(chunk):
            ...
    for family in p.close():
        ...

feed() returns the families completed so far: a family is complete once a
line of another family has been seen, so the last family comes from close().
Only the current line and family are held, not the body.

Without a format, the parser buffers up to the first 64 KiB (or everything,
if close() comes first) to detect it like detect_format(): a body under
64 KiB is detected exactly as parse() would; a longer one only from its start
(an OpenMetrics body without ``# UNIT`` lines or exemplars in its first
64 KiB is taken for text). Pass the format when you know it.

After a ParseError the parser stays failed (every feed() raises it again);
reset() starts a new body. Not thread-safe: use one Parser per thread (using
one from two threads at once raises RuntimeError).
)doc")
      .def(py::init([](py::handle format, bool strict, const py::kwargs& limits) {
             return PyParser(OptionsArg(format, strict, limits));
           }),
           py::arg("format") = py::none(), py::arg("strict") = false)
      .def("feed", &PyParser::Feed, py::arg("chunk"), R"doc(
feed(chunk) -> list[Family]

Parses the next chunk of the body (bytes, str or bytes-like; a str is fed as
its UTF-8 encoding) and returns the families completed so far, possibly
none. The GIL is released while parsing. Raises ParseError on malformed
input (including exceeding max_body_bytes), ValueError after close().
)doc")
      .def("close", &PyParser::Close, R"doc(
close() -> list[Family]

Ends the body: parses what is left (a last line without a newline is
accepted in lenient mode, a ParseError "unexpected_end" in strict mode),
checks OpenMetrics' ``# EOF``, and returns the remaining families. Calling it
again returns []. Raises ParseError.
)doc")
      .def("reset", &PyParser::Reset, R"doc(
reset() -> None

Starts a new body with the same options (and, if the format was detected,
detects it again).
)doc")
      .def_property_readonly("format", &PyParser::Format,
                             "str | None: \"text\" or \"openmetrics\" once known; None while "
                             "the format is still being detected.");

  m.def(
      "detect_format",
      [](py::handle data) {
        InputBuffer buffer(data);
        return FormatName(obsv::DetectFormat(buffer.view()));
      },
      py::arg("data"), R"doc(
detect_format(data) -> str

Guesses the format of a body (bytes, str or bytes-like) from its content:
"openmetrics" if its last non-empty line is ``# EOF``, or a ``# UNIT`` line
or an exemplar appears in the first 64 KiB; "text" otherwise. Reads at most
the first and last 64 KiB.
)doc");

  m.def(
      "format_from_content_type",
      [](py::handle content_type) {
        std::string scratch;
        return FormatName(obsv::FormatFromContentType(
            StrView(content_type, "content_type", &scratch)));
      },
      py::arg("content_type"), R"doc(
format_from_content_type(content_type) -> str

The format a response's Content-Type names: "openmetrics" for
``application/openmetrics-text`` (any version); "text" for ``text/plain``,
an empty string and anything unrecognised, as Prometheus's scraper falls
back to text. Matched case-insensitively.
)doc");

  m.def(
      "content_type",
      [](py::handle format) {
        return NewStr(obsv::ContentTypeFor(*FormatArg(format, false, "format")));
      },
      py::arg("format") = "text", R"doc(
content_type(format="text") -> str

The Content-Type to send with a body written in `format` ("text",
"openmetrics" or a Content-Type): "text/plain; version=0.0.4; charset=utf-8"
or "application/openmetrics-text; version=1.0.0; charset=utf-8".
)doc");
}

}  // namespace obsv_py
