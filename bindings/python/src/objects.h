// Family, Sample and Exemplar: the Python objects of the obsv module.
//
// They are plain CPython types (not pybind11 classes), because a body has
// hundreds of thousands of samples and every nanosecond of making one, or
// of reading `sample.labels`, counts: a Sample is a small struct allocated
// from pymalloc and not tracked by the cyclic GC (its fields are a str, a
// dict of str, and an Exemplar whose fields are the same).
//
// A parsed body lives in a CompactBody owned by an internal `_Body` object
// that the body's Family objects share. A Family builds its Sample objects
// the first time `samples` is read, then drops its share of the body; the
// last Family to do so frees it. Names come from the interning cache
// (NameCache()), and a sample whose label names equal the previous
// sample's gets a copy of that sample's dict with only the changed values
// replaced (histogram buckets differ only in `le`).
//
// All functions need the GIL.
#ifndef OBSV_BINDINGS_PYTHON_OBJECTS_H_
#define OBSV_BINDINGS_PYTHON_OBJECTS_H_

#include <Python.h>
#include <pybind11/pybind11.h>

#include <memory>

#include "body.h"
#include "obsv/metric_model.h"

namespace obsv_py {

namespace py = pybind11;

// A list of new Family objects for the families of `body`, which they
// share.
py::list MakeFamilies(std::unique_ptr<CompactBody> body);

// True if `obj` is a Family.
bool IsFamily(py::handle obj);

// The model of Family `obj` for writing: from the parsed data when the
// family is untouched, from its Python objects otherwise. Throws TypeError
// or ValueError for objects of the wrong type.
void FamilyToModel(py::handle obj, obsv::MetricFamily* out);

// Timestamps as Python sees them: float seconds. FromSeconds takes the
// float's shortest decimal representation (1520879607.789 is 789 ms, not
// 789.000034 ms); throws ValueError when out of range.
double TimestampSeconds(obsv::Timestamp ts);
obsv::Timestamp TimestampFromSeconds(double seconds);

// Creates the types and adds Family, Sample and Exemplar to `m`.
void RegisterObjects(py::module_& m);

}  // namespace obsv_py

#endif  // OBSV_BINDINGS_PYTHON_OBJECTS_H_
