// obsv.write() and obsv.convert().
#include <string>
#include <vector>

#include "common.h"
#include "obsv/exposition_writer.h"
#include "py_strings.h"

namespace obsv_py {
namespace {

py::bytes ToBytes(const std::string& s) {
  PyObject* b = PyBytes_FromStringAndSize(s.data(), static_cast<Py_ssize_t>(s.size()));
  if (b == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::bytes>(b);
}

py::bytes Write(py::handle families, py::handle format, bool write_eof) {
  obsv::WriterOptions options;
  options.format = *FormatArg(format, /*allow_none=*/false, "format");
  options.write_eof = write_eof;
  if (IsFamily(families)) {
    throw py::type_error("write() takes an iterable of Family objects, not a Family");
  }
  // WriteExposition() needs the families in one vector (it resolves name
  // clashes across families).
  std::vector<obsv::MetricFamily> models;
  for (py::handle item : py::iter(families)) FamilyToModel(item, &models.emplace_back());
  std::string out;
  absl::Status status;
  {
    py::gil_scoped_release release;
    status = obsv::WriteExposition(models, options, &out);
    std::vector<obsv::MetricFamily>().swap(models);  // free without the GIL too
  }
  if (!status.ok()) throw py::value_error(std::string(status.message()));
  return ToBytes(out);
}

py::bytes Convert(py::handle data, py::handle to, py::handle format, bool strict,
                  bool write_eof, const py::kwargs& limits) {
  obsv::ParserOptions parser_options = OptionsArg(format, strict, limits);
  obsv::WriterOptions writer_options;
  writer_options.format = *FormatArg(to, /*allow_none=*/false, "to");
  writer_options.write_eof = write_eof;
  InputBuffer buffer(data);
  std::string out;
  obsv::ParseError error;
  absl::Status status;
  {
    py::gil_scoped_release release;
    std::vector<obsv::MetricFamily> families;
    error = obsv::ParseExposition(buffer.view(), parser_options, &families);
    if (error.ok()) status = obsv::WriteExposition(families, writer_options, &out);
  }
  if (!error.ok()) ThrowParseError(error);
  if (!status.ok()) throw py::value_error(std::string(status.message()));
  return ToBytes(out);
}

}  // namespace

void RegisterWrite(py::module_& m) {
  m.def("write", &Write, py::arg("families"), py::arg("format") = "text",
        py::arg("write_eof") = true, R"doc(
write(families, format="text", write_eof=True) -> bytes

Writes families (an iterable of Family) as Prometheus text 0.0.4
(format="text") or OpenMetrics 1.0 (format="openmetrics"; a Content-Type is
accepted too), byte for byte as Prometheus's Go code writes them. Families
and samples are written in the given order. With OpenMetrics the body ends
in ``# EOF`` unless write_eof is False (for concatenating several writes).

Writing to the other format converts: an OpenMetrics counter ``x`` becomes
the text family ``x_total`` and its ``_created`` samples a gauge
``x_created``; a text counter ``x_total`` becomes the OpenMetrics family
``x`` (and one without ``_total`` gains it); info, stateset and
gaugehistogram are written to text as untyped; exemplars and units are
dropped from text; timestamps are integer milliseconds in text, decimal
seconds in OpenMetrics. Names outside the legacy charset are written quoted
(Prometheus 3 syntax).

The families are converted to the C++ model first (from the parsed data
for families whose ``samples`` were never read, from the Python objects
otherwise), then the C++ writer runs without the GIL.
Raises ValueError for a family that cannot be written in the format (an
empty name, a sample name that does not belong to the family's type,
invalid UTF-8), TypeError for objects of the wrong type.
)doc");

  m.def("convert", &Convert, py::arg("data"), py::arg("to"), py::arg("format") = py::none(),
        py::arg("strict") = false, py::arg("write_eof") = true, R"doc(
convert(data, to, format=None, strict=False, write_eof=True, **limits) -> bytes

Parses `data` (as parse(), with the same format, strict and limit
arguments) and writes it in format `to` ("text", "openmetrics" or a
Content-Type), as write() would, entirely in C++ without the GIL and
without making Python objects. Raises ParseError for malformed input,
ValueError if the result cannot be written in `to`.
)doc");
}

}  // namespace obsv_py
