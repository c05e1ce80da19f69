// The Family type (see objects.h).
#include "objects_internal.h"
#include "py_strings.h"

namespace obsv_py {
namespace {

int FamilyTraverse(PyObject* self, visitproc visit, void* arg) {
  FamilyObject* f = reinterpret_cast<FamilyObject*>(self);
  Py_VISIT(f->samples);
  Py_VISIT(Py_TYPE(self));
  return 0;
}

int FamilyClear(PyObject* self) {
  FamilyObject* f = reinterpret_cast<FamilyObject*>(self);
  Py_CLEAR(f->samples);
  return 0;
}

void FamilyDealloc(PyObject* self) {
  FamilyObject* f = reinterpret_cast<FamilyObject*>(self);
  PyObject_GC_UnTrack(self);
  Py_CLEAR(f->body);
  Py_CLEAR(f->name);
  Py_CLEAR(f->help);
  Py_CLEAR(f->unit);
  Py_CLEAR(f->samples);
  PyTypeObject* tp = Py_TYPE(self);
  tp->tp_free(self);
  Py_DECREF(tp);
}

py::object SamplesArg(PyObject* obj) {
  py::object list = py::reinterpret_steal<py::object>(Check(PySequence_List(obj)));
  Py_ssize_t n = PyList_GET_SIZE(list.ptr());
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* item = PyList_GET_ITEM(list.ptr(), i);
    if (!PyObject_TypeCheck(item, g_sample_type)) {
      throw py::type_error(std::string("samples must contain Sample objects, not ") +
                           Py_TYPE(item)->tp_name);
    }
  }
  return list;
}

PyObject* FamilyNew(PyTypeObject* type, PyObject* args, PyObject* kwargs) {
  return Guard<PyObject*>(nullptr, [&]() -> PyObject* {
    static const char* kw[] = {"name", "type", "help", "unit", "samples", nullptr};
    PyObject* name;
    PyObject* mtype;
    PyObject* help = Py_None;
    PyObject* unit = nullptr;
    PyObject* samples = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO|OOO:Family", const_cast<char**>(kw), &name,
                                     &mtype, &help, &unit, &samples)) {
      return nullptr;
    }
    py::object n = StrArg(name, "Family.name");
    obsv::MetricType t = TypeArg(mtype);
    py::object h = help == Py_None ? py::none() : StrArg(help, "Family.help");
    py::object u = unit == nullptr ? py::object(py::str("")) : StrArg(unit, "Family.unit");
    py::object s = samples == Py_None ? py::reinterpret_steal<py::object>(Check(PyList_New(0)))
                                      : SamplesArg(samples);
    FamilyObject* f = AllocFamily(type);
    f->type = t;
    f->name = n.release().ptr();
    f->help = h.release().ptr();
    f->unit = u.release().ptr();
    f->samples = s.release().ptr();
    return reinterpret_cast<PyObject*>(f);
  });
}

PyObject* FamilyGetName(PyObject* self, void*) {
  return Guard<PyObject*>(nullptr, [&] {
    PyObject* o = FamilyName(reinterpret_cast<FamilyObject*>(self));
    Py_INCREF(o);
    return o;
  });
}

PyObject* FamilyGetHelp(PyObject* self, void*) {
  return Guard<PyObject*>(nullptr, [&] {
    PyObject* o = FamilyHelp(reinterpret_cast<FamilyObject*>(self));
    Py_INCREF(o);
    return o;
  });
}

PyObject* FamilyGetUnit(PyObject* self, void*) {
  return Guard<PyObject*>(nullptr, [&] {
    PyObject* o = FamilyUnit(reinterpret_cast<FamilyObject*>(self));
    Py_INCREF(o);
    return o;
  });
}

PyObject* FamilyGetType(PyObject* self, void*) {
  return Guard<PyObject*>(nullptr, [&] {
    return TypeStr(reinterpret_cast<FamilyObject*>(self)->type).release().ptr();
  });
}

PyObject* FamilyGetSamples(PyObject* self, void*) {
  return Guard<PyObject*>(nullptr, [&] {
    PyObject* o = FamilySamples(reinterpret_cast<FamilyObject*>(self));
    Py_INCREF(o);
    return o;
  });
}

void MarkChanged(FamilyObject* f) {
  if (f->body != nullptr) {
    // Metadata read lazily from the body must not be lost.
    FamilyName(f);
    FamilyHelp(f);
    FamilyUnit(f);
    f->meta_changed = true;
  }
}

int FamilySetName(PyObject* self, PyObject* value, void*) {
  if (CannotDelete(value, "Family.name") < 0) return -1;
  return Guard<int>(-1, [&] {
    FamilyObject* f = reinterpret_cast<FamilyObject*>(self);
    py::object v = StrArg(value, "Family.name");
    MarkChanged(f);
    SetRef(&f->name, v.ptr());
    return 0;
  });
}

int FamilySetHelp(PyObject* self, PyObject* value, void*) {
  if (CannotDelete(value, "Family.help") < 0) return -1;
  return Guard<int>(-1, [&] {
    FamilyObject* f = reinterpret_cast<FamilyObject*>(self);
    if (value != Py_None) StrArg(value, "Family.help");
    MarkChanged(f);
    SetRef(&f->help, value);
    return 0;
  });
}

int FamilySetUnit(PyObject* self, PyObject* value, void*) {
  if (CannotDelete(value, "Family.unit") < 0) return -1;
  return Guard<int>(-1, [&] {
    FamilyObject* f = reinterpret_cast<FamilyObject*>(self);
    py::object v = StrArg(value, "Family.unit");
    MarkChanged(f);
    SetRef(&f->unit, v.ptr());
    return 0;
  });
}

int FamilySetType(PyObject* self, PyObject* value, void*) {
  if (CannotDelete(value, "Family.type") < 0) return -1;
  return Guard<int>(-1, [&] {
    FamilyObject* f = reinterpret_cast<FamilyObject*>(self);
    obsv::MetricType t = TypeArg(value);
    MarkChanged(f);
    f->type = t;
    return 0;
  });
}

int FamilySetSamples(PyObject* self, PyObject* value, void*) {
  if (CannotDelete(value, "Family.samples") < 0) return -1;
  return Guard<int>(-1, [&] {
    FamilyObject* f = reinterpret_cast<FamilyObject*>(self);
    py::object list;
    if (PyList_CheckExact(value)) {
      // Kept as given (not copied), like any attribute holding a list.
      for (Py_ssize_t i = 0; i < PyList_GET_SIZE(value); ++i) {
        if (!PyObject_TypeCheck(PyList_GET_ITEM(value, i), g_sample_type)) {
          throw py::type_error("Family.samples must contain Sample objects");
        }
      }
      list = py::reinterpret_borrow<py::object>(value);
    } else {
      list = SamplesArg(value);
    }
    if (f->body != nullptr) {
      FamilyName(f);
      FamilyHelp(f);
      FamilyUnit(f);
      Py_CLEAR(f->body);
      f->meta_changed = false;
    }
    PyObject* old = f->samples;
    f->samples = list.release().ptr();
    Py_XDECREF(old);
    return 0;
  });
}

Py_ssize_t FamilyLen(PyObject* self) {
  FamilyObject* f = reinterpret_cast<FamilyObject*>(self);
  if (f->samples != nullptr) return PyList_Size(f->samples);
  if (f->body != nullptr) return static_cast<Py_ssize_t>(Parsed(f).sample_count);
  return 0;
}

bool FamilyEq(FamilyObject* a, FamilyObject* b) {
  if (a == b) return true;
  if (a->type != b->type) return false;
  for (auto get : {&FamilyName, &FamilyHelp, &FamilyUnit}) {
    int r = PyObject_RichCompareBool(get(a), get(b), Py_EQ);
    if (r < 0) throw py::error_already_set();
    if (r == 0) return false;
  }
  PyObject* sa = FamilySamples(a);
  PyObject* sb = FamilySamples(b);
  if (!PyList_Check(sa) || !PyList_Check(sb)) throw py::type_error("Family.samples must be a list");
  Py_ssize_t n = PyList_GET_SIZE(sa);
  if (PyList_GET_SIZE(sb) != n) return false;
  for (Py_ssize_t i = 0; i < n; ++i) {
    PyObject* x = PyList_GET_ITEM(sa, i);
    PyObject* y = PyList_GET_ITEM(sb, i);
    if (PyObject_TypeCheck(x, g_sample_type) && PyObject_TypeCheck(y, g_sample_type)) {
      if (!SampleEq(reinterpret_cast<SampleObject*>(x), reinterpret_cast<SampleObject*>(y))) {
        return false;
      }
    } else {
      int r = PyObject_RichCompareBool(x, y, Py_EQ);
      if (r < 0) throw py::error_already_set();
      if (r == 0) return false;
    }
  }
  return true;
}

PyObject* FamilyRichCompare(PyObject* a, PyObject* b, int op) {
  if ((op != Py_EQ && op != Py_NE) || !PyObject_TypeCheck(b, g_family_type)) {
    Py_RETURN_NOTIMPLEMENTED;
  }
  return Guard<PyObject*>(nullptr, [&]() -> PyObject* {
    bool eq = FamilyEq(reinterpret_cast<FamilyObject*>(a), reinterpret_cast<FamilyObject*>(b));
    return PyBool_FromLong((op == Py_EQ) == eq);
  });
}

PyObject* FamilyRepr(PyObject* self) {
  return Guard<PyObject*>(nullptr, [&]() -> PyObject* {
    FamilyObject* f = reinterpret_cast<FamilyObject*>(self);
    py::str type = TypeStr(f->type);
    Py_ssize_t n = FamilyLen(self);
    if (n < 0) throw py::error_already_set();
    return PyUnicode_FromFormat("Family(name=%R, type=%R, help=%R, unit=%R, samples=<%zd samples>)",
                                FamilyName(f), type.ptr(), FamilyHelp(f), FamilyUnit(f), n);
  });
}

PyObject* FamilyReduce(PyObject* self, PyObject*) {
  return Guard<PyObject*>(nullptr, [&]() -> PyObject* {
    FamilyObject* f = reinterpret_cast<FamilyObject*>(self);
    py::str type = TypeStr(f->type);
    PyObject* samples = FamilySamples(f);
    return Py_BuildValue("(O(OOOOO))", reinterpret_cast<PyObject*>(Py_TYPE(self)), FamilyName(f),
                         type.ptr(), FamilyHelp(f), FamilyUnit(f), samples);
  });
}

PyGetSetDef g_family_getset[] = {
    OBSV_GETSET("name", FamilyGetName, FamilySetName,
                "str: the family name (OpenMetrics: without type suffixes, `x` for a counter "
                "whose samples are `x_total`; text 0.0.4: as declared, `x_total`)."),
    OBSV_GETSET("type", FamilyGetType, FamilySetType,
                "str: \"counter\", \"gauge\", \"histogram\", \"gaugehistogram\", \"summary\", "
                "\"info\", \"stateset\" or \"unknown\" (\"untyped\" is accepted when setting)."),
    OBSV_GETSET("help", FamilyGetHelp, FamilySetHelp,
                "str | None: the help text, unescaped; None without a HELP line."),
    OBSV_GETSET("unit", FamilyGetUnit, FamilySetUnit, "str: the OpenMetrics unit; \"\" when absent."),
    OBSV_GETSET("samples", FamilyGetSamples, FamilySetSamples,
                "list[Sample]: the samples in input order, built on first access for parsed "
                "families (then the same list every time)."),
    {nullptr, nullptr, nullptr, nullptr, nullptr},
};

PyMethodDef g_family_methods[] = {
    {"__reduce__", FamilyReduce, METH_NOARGS, nullptr},
    {nullptr, nullptr, 0, nullptr},
};

const char kFamilyDoc[] = R"doc(Family(name, type, help=None, unit='', samples=None)
--

A metric family: what one ``# TYPE`` line declares, with its samples.

name     str.
type     str: "counter", "gauge", "histogram", "gaugehistogram", "summary",
         "info", "stateset", "unknown" or "untyped" (read back as
         "unknown"); ValueError otherwise.
help     str or None (no HELP line).
unit     str, OpenMetrics only; "" for none.
samples  an iterable of Sample, copied into a new list (TypeError for
         anything else).

All attributes are writable. ``len(family)`` is the number of samples,
without building them.

Families returned by the parser share the parsed data and build their
Sample objects the first time ``samples`` is read; from then on the family
holds that list, and write() converts it back (so edits to it, or to the
samples, are written). A family whose samples were never read is written
straight from the parsed data. Families compare equal when name, type, help,
unit and samples are equal. Not hashable.
)doc";

PyType_Slot g_family_slots[] = {
    {Py_tp_dealloc, reinterpret_cast<void*>(FamilyDealloc)},
    {Py_tp_traverse, reinterpret_cast<void*>(FamilyTraverse)},
    {Py_tp_clear, reinterpret_cast<void*>(FamilyClear)},
    {Py_tp_new, reinterpret_cast<void*>(FamilyNew)},
    {Py_tp_repr, reinterpret_cast<void*>(FamilyRepr)},
    {Py_tp_richcompare, reinterpret_cast<void*>(FamilyRichCompare)},
    {Py_tp_hash, reinterpret_cast<void*>(PyObject_HashNotImplemented)},
    {Py_sq_length, reinterpret_cast<void*>(FamilyLen)},
    {Py_tp_getset, g_family_getset},
    {Py_tp_methods, g_family_methods},
    {Py_tp_doc, const_cast<char*>(kFamilyDoc)},
    {0, nullptr},
};

PyType_Spec g_family_spec = {"obsv.Family", sizeof(FamilyObject), 0,
                             Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC, g_family_slots};

}  // namespace

PyType_Spec* FamilySpec() { return &g_family_spec; }

}  // namespace obsv_py
