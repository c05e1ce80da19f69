// Internals of the Python objects, shared by objects.cc (the glue between
// CompactBody, the C++ model and the objects), sample_type.cc (Exemplar and
// Sample) and family_type.cc (Family): object layouts and helpers. See
// objects.h for the design. Everything here needs the GIL.
#ifndef OBSV_BINDINGS_PYTHON_OBJECTS_INTERNAL_H_
#define OBSV_BINDINGS_PYTHON_OBJECTS_INTERNAL_H_

#include <Python.h>
#include <pybind11/pybind11.h>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <new>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "body.h"
#include "obsv/metric_model.h"

namespace obsv_py {

namespace py = pybind11;

// ---- Object layouts ------------------------------------------------------

struct BodyObject {
  PyObject_HEAD
  CompactBody* body;
  std::vector<PyObject*>* strs;  // name id -> str (owned), made on first use
  // Short label values -> str (owned): label values repeat a lot (verbs,
  // namespaces, "" ...), and sharing them saves both time and memory. The
  // keys view `body->arena`, which no longer changes.
  absl::flat_hash_map<absl::string_view, PyObject*>* values;
};

// Label values up to this long are shared within a body, up to this many.
constexpr size_t kMaxSharedValueBytes = 64;
constexpr size_t kMaxSharedValues = 1 << 16;

struct ExemplarObject {
  PyObject_HEAD
  PyObject* labels;  // dict[str, str]
  double value;
  int64_t ts_ms;
  int32_t ts_nanos;
  bool has_ts;
};

struct SampleObject {
  PyObject_HEAD
  PyObject* name;      // str
  PyObject* labels;    // dict[str, str]
  PyObject* exemplar;  // Exemplar or None
  // The parsed value's text (bytes) when the double cannot reproduce it
  // (integers beyond 2^53), valid while `value` still equals
  // `value_text_of`; null otherwise.
  PyObject* value_text;
  // A native histogram's buckets (a dict, see Sample.native) on the
  // `_count` sample of Registry.collect(); null (None) otherwise.
  PyObject* native;
  double value;
  double value_text_of;
  int64_t ts_ms;
  int32_t ts_nanos;
  bool has_ts;
  uint8_t suffix;  // obsv::SampleSuffix
};

struct FamilyObject {
  PyObject_HEAD
  // As parsed, while `samples` is null: family `index` of `body`.
  BodyObject* body;
  uint32_t index;
  // A metadata setter ran while `body` was set: the parsed family's
  // metadata is not what write() must use.
  bool meta_changed;
  obsv::MetricType type;
  PyObject* name;     // str; null while still in `body`
  PyObject* help;     // str or None; null while still in `body`
  PyObject* unit;     // str; null while still in `body`
  PyObject* samples;  // list[Sample]; null until first read
};

extern PyTypeObject* g_body_type;
extern PyTypeObject* g_exemplar_type;
extern PyTypeObject* g_sample_type;
extern PyTypeObject* g_family_type;

// ---- Error plumbing --------------------------------------------------------

// Runs `f` (which may throw pybind11 or standard exceptions) inside a C API
// slot: returns its result, or `fail` with the Python error set.
template <typename R, typename F>
R Guard(R fail, F&& f) {
  try {
    return f();
  } catch (py::error_already_set& e) {
    e.restore();
  } catch (py::builtin_exception& e) {
    e.set_error();
  } catch (std::bad_alloc&) {
    PyErr_NoMemory();
  } catch (std::exception& e) {
    PyErr_SetString(PyExc_RuntimeError, e.what());
  }
  return fail;
}

inline void Check(bool ok) {
  if (!ok) throw py::error_already_set();
}

template <typename T>
T* Check(T* p) {
  if (p == nullptr) throw py::error_already_set();
  return p;
}


// ---- Helpers (objects.cc) ---------------------------------------------------

py::str TypeStr(obsv::MetricType type);
// A metric type keyword (ValueError for an unknown one).
obsv::MetricType TypeArg(py::handle obj);
// Python equality, except that NaN equals NaN.
bool ValueEq(double a, double b);
bool SameBits(double a, double b);
// `obj` if it is a str (TypeError otherwise).
py::object StrArg(py::handle obj, const char* what);
// A new dict with the items of any mapping, checking that keys and values
// are str.
py::object LabelsArg(py::handle obj, const char* what);
void LabelsToModel(PyObject* dict, const char* what, std::vector<obsv::Label>* out);
// Timestamp arguments: None (false), int or float seconds, int milliseconds.
bool TimestampArg(py::handle obj, obsv::Timestamp* out);
bool TimestampMsArg(py::handle obj, obsv::Timestamp* out);
PyObject* TimestampObj(bool has, int64_t ms, int32_t nanos);
PyObject* TimestampMsObj(bool has, int64_t ms);
// -1 with AttributeError for a deletion (`value` null), 0 otherwise.
int CannotDelete(PyObject* value, const char* what);
// Replaces *slot (an owned reference) by a new reference to `value`.
void SetRef(PyObject** slot, PyObject* value);

// New objects with their fields null (or zero); the caller fills them.
ExemplarObject* NewExemplar();
SampleObject* NewSample();
FamilyObject* AllocFamily(PyTypeObject* type);

// Equality as documented on the types (sample_type.cc).
bool ExemplarEq(ExemplarObject* a, ExemplarObject* b);
bool SampleEq(SampleObject* a, SampleObject* b);

// The parsed family of `f` (only while f->body is set).
const CompactBody::Family& Parsed(FamilyObject* f);
// Borrowed references to a family's fields, made from the body on first
// use. FamilySamples() then drops the family's share of the body.
PyObject* FamilyName(FamilyObject* f);
PyObject* FamilyHelp(FamilyObject* f);
PyObject* FamilyUnit(FamilyObject* f);
PyObject* FamilySamples(FamilyObject* f);

// The type specs (sample_type.cc, family_type.cc).
PyType_Spec* ExemplarSpec();
PyType_Spec* SampleSpec();
PyType_Spec* FamilySpec();

#define OBSV_GETSET(name, get, set, doc) \
  { const_cast<char*>(name), get, set, const_cast<char*>(doc), nullptr }

}  // namespace obsv_py

#endif  // OBSV_BINDINGS_PYTHON_OBJECTS_INTERNAL_H_
