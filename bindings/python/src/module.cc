// The obsv Python extension module, obsv._obsv. The public names are
// re-exported by obsv/__init__.py; see there for the overview.
#include <pybind11/pybind11.h>

#include "common.h"
#include "objects.h"
#include "obsv/version.h"

namespace py = pybind11;

PYBIND11_MODULE(_obsv, m) {
  // The docstrings start with their own Python signature.
  py::options options;
  options.disable_function_signatures();
  m.doc() = "C++ core of the obsv package (Prometheus/OpenMetrics exposition parsing and writing).";
  obsv_py::RegisterObjects(m);
  obsv_py::RegisterParse(m);
  obsv_py::RegisterWrite(m);
  obsv_py::RegisterPromql(m);
  obsv_py::RegisterLogql(m);
  obsv_py::RegisterRegistry(m);
  m.def("version", [] { return std::string(obsv::Version()); },
        "version() -> str\n\nThe version of the linked obsv C++ library, e.g. \"0.1.0\".");
}
