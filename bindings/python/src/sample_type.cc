// The Exemplar and Sample types (see objects.h).
#include "objects_internal.h"  // Python.h first

#include <structmember.h>

#include <cstring>

#include "py_strings.h"

namespace obsv_py {
namespace {

// ---- Exemplar ----------------------------------------------------------------

void ExemplarDealloc(PyObject* self) {
  ExemplarObject* e = reinterpret_cast<ExemplarObject*>(self);
  Py_XDECREF(e->labels);
  PyTypeObject* tp = Py_TYPE(self);
  tp->tp_free(self);
  Py_DECREF(tp);
}

PyObject* ExemplarNew(PyTypeObject* type, PyObject* args, PyObject* kwargs) {
  return Guard<PyObject*>(nullptr, [&]() -> PyObject* {
    static const char* kw[] = {"labels", "value", "timestamp", nullptr};
    PyObject* labels;
    double value;
    PyObject* ts = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "Od|O:Exemplar", const_cast<char**>(kw),
                                     &labels, &value, &ts)) {
      return nullptr;
    }
    py::object l = LabelsArg(labels, "Exemplar.labels");
    obsv::Timestamp t;
    bool has = TimestampArg(ts, &t);
    ExemplarObject* e = NewExemplar();
    e->labels = l.release().ptr();
    e->value = value;
    e->has_ts = has;
    e->ts_ms = t.milliseconds;
    e->ts_nanos = t.nanos;
    return reinterpret_cast<PyObject*>(e);
  });
}

PyObject* ExemplarRichCompare(PyObject* a, PyObject* b, int op) {
  if ((op != Py_EQ && op != Py_NE) || !PyObject_TypeCheck(b, g_exemplar_type)) {
    Py_RETURN_NOTIMPLEMENTED;
  }
  return Guard<PyObject*>(nullptr, [&]() -> PyObject* {
    bool eq = ExemplarEq(reinterpret_cast<ExemplarObject*>(a), reinterpret_cast<ExemplarObject*>(b));
    return PyBool_FromLong((op == Py_EQ) == eq);
  });
}

PyObject* ExemplarRepr(PyObject* self) {
  return Guard<PyObject*>(nullptr, [&]() -> PyObject* {
    ExemplarObject* e = reinterpret_cast<ExemplarObject*>(self);
    py::object v = py::reinterpret_steal<py::object>(Check(PyFloat_FromDouble(e->value)));
    py::object t = py::reinterpret_steal<py::object>(Check(TimestampObj(e->has_ts, e->ts_ms, e->ts_nanos)));
    return PyUnicode_FromFormat("Exemplar(labels=%R, value=%R, timestamp=%R)", e->labels, v.ptr(), t.ptr());
  });
}

PyObject* ExemplarGetLabels(PyObject* self, void*) {
  PyObject* l = reinterpret_cast<ExemplarObject*>(self)->labels;
  Py_INCREF(l);
  return l;
}

int ExemplarSetLabels(PyObject* self, PyObject* value, void*) {
  if (CannotDelete(value, "Exemplar.labels") < 0) return -1;
  if (!PyDict_Check(value)) {
    PyErr_SetString(PyExc_TypeError, "Exemplar.labels must be a dict");
    return -1;
  }
  SetRef(&reinterpret_cast<ExemplarObject*>(self)->labels, value);
  return 0;
}

PyObject* ExemplarGetTimestamp(PyObject* self, void*) {
  ExemplarObject* e = reinterpret_cast<ExemplarObject*>(self);
  return TimestampObj(e->has_ts, e->ts_ms, e->ts_nanos);
}

int ExemplarSetTimestamp(PyObject* self, PyObject* value, void*) {
  if (CannotDelete(value, "Exemplar.timestamp") < 0) return -1;
  return Guard<int>(-1, [&] {
    ExemplarObject* e = reinterpret_cast<ExemplarObject*>(self);
    obsv::Timestamp t;
    e->has_ts = TimestampArg(value, &t);
    e->ts_ms = t.milliseconds;
    e->ts_nanos = t.nanos;
    return 0;
  });
}

PyObject* ExemplarGetTimestampMs(PyObject* self, void*) {
  ExemplarObject* e = reinterpret_cast<ExemplarObject*>(self);
  return TimestampMsObj(e->has_ts, e->ts_ms);
}

int ExemplarSetTimestampMs(PyObject* self, PyObject* value, void*) {
  if (CannotDelete(value, "Exemplar.timestamp_ms") < 0) return -1;
  return Guard<int>(-1, [&] {
    ExemplarObject* e = reinterpret_cast<ExemplarObject*>(self);
    obsv::Timestamp t;
    e->has_ts = TimestampMsArg(value, &t);
    e->ts_ms = t.milliseconds;
    e->ts_nanos = t.nanos;
    return 0;
  });
}

PyObject* ExemplarReduce(PyObject* self, PyObject*) {
  ExemplarObject* e = reinterpret_cast<ExemplarObject*>(self);
  return Py_BuildValue("(O(OdO)(NLi))", reinterpret_cast<PyObject*>(Py_TYPE(self)), e->labels,
                       e->value, Py_None, PyBool_FromLong(e->has_ts),
                       static_cast<long long>(e->ts_ms), static_cast<int>(e->ts_nanos));
}

PyObject* ExemplarSetState(PyObject* self, PyObject* state) {
  ExemplarObject* e = reinterpret_cast<ExemplarObject*>(self);
  int has;
  long long ms;
  int nanos;
  if (!PyArg_ParseTuple(state, "pLi", &has, &ms, &nanos)) return nullptr;
  e->has_ts = has != 0;
  e->ts_ms = ms;
  e->ts_nanos = nanos;
  Py_RETURN_NONE;
}

// ---- Sample --------------------------------------------------------------------

void SampleDealloc(PyObject* self) {
  SampleObject* s = reinterpret_cast<SampleObject*>(self);
  Py_XDECREF(s->name);
  Py_XDECREF(s->labels);
  Py_XDECREF(s->exemplar);
  Py_XDECREF(s->value_text);
  Py_XDECREF(s->native);
  PyTypeObject* tp = Py_TYPE(self);
  tp->tp_free(self);
  Py_DECREF(tp);
}

PyObject* ExemplarArg(PyObject* obj) {
  if (obj != Py_None && !PyObject_TypeCheck(obj, g_exemplar_type)) {
    throw py::type_error("exemplar must be an Exemplar or None");
  }
  Py_INCREF(obj);
  return obj;
}

PyObject* SampleNew(PyTypeObject* type, PyObject* args, PyObject* kwargs) {
  return Guard<PyObject*>(nullptr, [&]() -> PyObject* {
    static const char* kw[] = {"name", "labels", "value", "timestamp", "exemplar", nullptr};
    PyObject* name;
    PyObject* labels;
    double value;
    PyObject* ts = Py_None;
    PyObject* exemplar = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOd|OO:Sample", const_cast<char**>(kw), &name,
                                     &labels, &value, &ts, &exemplar)) {
      return nullptr;
    }
    py::object n = StrArg(name, "Sample.name");
    py::object l = LabelsArg(labels, "Sample.labels");
    obsv::Timestamp t;
    bool has = TimestampArg(ts, &t);
    PyObject* ex = ExemplarArg(exemplar);
    SampleObject* s = NewSample();
    s->name = n.release().ptr();
    s->labels = l.release().ptr();
    s->exemplar = ex;
    s->value = value;
    s->has_ts = has;
    s->ts_ms = t.milliseconds;
    s->ts_nanos = t.nanos;
    return reinterpret_cast<PyObject*>(s);
  });
}

PyObject* SampleRichCompare(PyObject* a, PyObject* b, int op) {
  if ((op != Py_EQ && op != Py_NE) || !PyObject_TypeCheck(b, g_sample_type)) {
    Py_RETURN_NOTIMPLEMENTED;
  }
  return Guard<PyObject*>(nullptr, [&]() -> PyObject* {
    bool eq = SampleEq(reinterpret_cast<SampleObject*>(a), reinterpret_cast<SampleObject*>(b));
    return PyBool_FromLong((op == Py_EQ) == eq);
  });
}

PyObject* SampleRepr(PyObject* self) {
  return Guard<PyObject*>(nullptr, [&]() -> PyObject* {
    SampleObject* s = reinterpret_cast<SampleObject*>(self);
    py::object v = py::reinterpret_steal<py::object>(Check(PyFloat_FromDouble(s->value)));
    py::object t = py::reinterpret_steal<py::object>(Check(TimestampObj(s->has_ts, s->ts_ms, s->ts_nanos)));
    return PyUnicode_FromFormat("Sample(name=%R, labels=%R, value=%R, timestamp=%R, exemplar=%R)",
                                s->name, s->labels, v.ptr(), t.ptr(), s->exemplar);
  });
}

PyObject* SampleGetName(PyObject* self, void*) {
  PyObject* o = reinterpret_cast<SampleObject*>(self)->name;
  Py_INCREF(o);
  return o;
}

int SampleSetName(PyObject* self, PyObject* value, void*) {
  if (CannotDelete(value, "Sample.name") < 0) return -1;
  if (!PyUnicode_Check(value)) {
    PyErr_SetString(PyExc_TypeError, "Sample.name must be str");
    return -1;
  }
  SetRef(&reinterpret_cast<SampleObject*>(self)->name, value);
  return 0;
}

PyObject* SampleGetLabels(PyObject* self, void*) {
  PyObject* o = reinterpret_cast<SampleObject*>(self)->labels;
  Py_INCREF(o);
  return o;
}

int SampleSetLabels(PyObject* self, PyObject* value, void*) {
  if (CannotDelete(value, "Sample.labels") < 0) return -1;
  if (!PyDict_Check(value)) {
    PyErr_SetString(PyExc_TypeError, "Sample.labels must be a dict");
    return -1;
  }
  SetRef(&reinterpret_cast<SampleObject*>(self)->labels, value);
  return 0;
}

PyObject* SampleGetExemplar(PyObject* self, void*) {
  PyObject* o = reinterpret_cast<SampleObject*>(self)->exemplar;
  Py_INCREF(o);
  return o;
}

int SampleSetExemplar(PyObject* self, PyObject* value, void*) {
  if (CannotDelete(value, "Sample.exemplar") < 0) return -1;
  return Guard<int>(-1, [&] {
    SampleObject* s = reinterpret_cast<SampleObject*>(self);
    PyObject* old = s->exemplar;
    s->exemplar = ExemplarArg(value);
    Py_XDECREF(old);
    return 0;
  });
}

PyObject* SampleGetNative(PyObject* self, void*) {
  PyObject* o = reinterpret_cast<SampleObject*>(self)->native;
  if (o == nullptr) o = Py_None;
  Py_INCREF(o);
  return o;
}

PyObject* SampleGetTimestamp(PyObject* self, void*) {
  SampleObject* s = reinterpret_cast<SampleObject*>(self);
  return TimestampObj(s->has_ts, s->ts_ms, s->ts_nanos);
}

int SampleSetTimestamp(PyObject* self, PyObject* value, void*) {
  if (CannotDelete(value, "Sample.timestamp") < 0) return -1;
  return Guard<int>(-1, [&] {
    SampleObject* s = reinterpret_cast<SampleObject*>(self);
    obsv::Timestamp t;
    s->has_ts = TimestampArg(value, &t);
    s->ts_ms = t.milliseconds;
    s->ts_nanos = t.nanos;
    return 0;
  });
}

PyObject* SampleGetTimestampMs(PyObject* self, void*) {
  SampleObject* s = reinterpret_cast<SampleObject*>(self);
  return TimestampMsObj(s->has_ts, s->ts_ms);
}

int SampleSetTimestampMs(PyObject* self, PyObject* value, void*) {
  if (CannotDelete(value, "Sample.timestamp_ms") < 0) return -1;
  return Guard<int>(-1, [&] {
    SampleObject* s = reinterpret_cast<SampleObject*>(self);
    obsv::Timestamp t;
    s->has_ts = TimestampMsArg(value, &t);
    s->ts_ms = t.milliseconds;
    s->ts_nanos = t.nanos;
    return 0;
  });
}

PyObject* SampleGetSuffix(PyObject* self, void*) {
  return Guard<PyObject*>(nullptr, [&] {
    auto suffix = static_cast<obsv::SampleSuffix>(reinterpret_cast<SampleObject*>(self)->suffix);
    return NameCache().Get(obsv::SampleSuffixString(suffix)).release().ptr();
  });
}

PyObject* SampleReduce(PyObject* self, PyObject*) {
  SampleObject* s = reinterpret_cast<SampleObject*>(self);
  PyObject* vt = s->value_text != nullptr ? s->value_text : Py_None;
  PyObject* native = s->native != nullptr ? s->native : Py_None;
  return Py_BuildValue("(O(OOdOO)(NLiiOdO))", reinterpret_cast<PyObject*>(Py_TYPE(self)), s->name,
                       s->labels, s->value, Py_None, s->exemplar, PyBool_FromLong(s->has_ts),
                       static_cast<long long>(s->ts_ms), static_cast<int>(s->ts_nanos),
                       static_cast<int>(s->suffix), vt, s->value_text_of, native);
}

PyObject* SampleSetState(PyObject* self, PyObject* state) {
  SampleObject* s = reinterpret_cast<SampleObject*>(self);
  int has;
  long long ms;
  int nanos;
  int suffix;
  PyObject* vt;
  double vt_of;
  PyObject* native = Py_None;  // absent from the states of earlier versions
  if (!PyArg_ParseTuple(state, "pLiiOd|O", &has, &ms, &nanos, &suffix, &vt, &vt_of, &native)) {
    return nullptr;
  }
  if (suffix < 0 || suffix > static_cast<int>(obsv::SampleSuffix::kInfo) ||
      (vt != Py_None && !PyBytes_Check(vt)) || (native != Py_None && !PyDict_Check(native))) {
    PyErr_SetString(PyExc_ValueError, "bad Sample state");
    return nullptr;
  }
  s->has_ts = has != 0;
  s->ts_ms = ms;
  s->ts_nanos = nanos;
  s->suffix = static_cast<uint8_t>(suffix);
  Py_CLEAR(s->value_text);
  if (vt != Py_None) {
    Py_INCREF(vt);
    s->value_text = vt;
  }
  s->value_text_of = vt_of;
  Py_CLEAR(s->native);
  if (native != Py_None) {
    Py_INCREF(native);
    s->native = native;
  }
  Py_RETURN_NONE;
}

PyGetSetDef g_exemplar_getset[] = {
    OBSV_GETSET("labels", ExemplarGetLabels, ExemplarSetLabels,
                "dict[str, str]: the exemplar's labels (typically a trace id)."),
    OBSV_GETSET("timestamp", ExemplarGetTimestamp, ExemplarSetTimestamp,
                "float | None: seconds since the epoch, or None."),
    OBSV_GETSET("timestamp_ms", ExemplarGetTimestampMs, ExemplarSetTimestampMs,
                "int | None: the timestamp in whole milliseconds (rounded down), or None."),
    {nullptr, nullptr, nullptr, nullptr, nullptr},
};

PyMemberDef g_exemplar_members[] = {
    {const_cast<char*>("value"), T_DOUBLE, offsetof(ExemplarObject, value), 0,
     const_cast<char*>("float: the exemplar's value.")},
    {nullptr, 0, 0, 0, nullptr},
};

PyMethodDef g_exemplar_methods[] = {
    {"__reduce__", ExemplarReduce, METH_NOARGS, nullptr},
    {"__setstate__", ExemplarSetState, METH_O, nullptr},
    {nullptr, nullptr, 0, nullptr},
};

const char kExemplarDoc[] = R"doc(Exemplar(labels, value, timestamp=None)
--

An OpenMetrics exemplar: the labels (typically a trace id), value and
optional timestamp attached to a sample, as in
``rpc_seconds_bucket{le="0.5"} 7 # {trace_id="abc"} 0.43 1520879607.789``.

labels     Mapping[str, str], copied into a new dict.
value      float.
timestamp  float seconds since the epoch, or None.

Attributes ``labels``, ``value``, ``timestamp`` and ``timestamp_ms`` (int
milliseconds) are writable. Text 0.0.4 has no exemplars: writing text drops
them. Equality compares labels (as dicts), value (NaN equals NaN) and
timestamp. Not hashable.
)doc";

PyGetSetDef g_sample_getset[] = {
    OBSV_GETSET("name", SampleGetName, SampleSetName,
                "str: the full sample name, e.g. \"rpc_seconds_bucket\"."),
    OBSV_GETSET("labels", SampleGetLabels, SampleSetLabels,
                "dict[str, str]: the labels in input order, le/quantile included."),
    OBSV_GETSET("timestamp", SampleGetTimestamp, SampleSetTimestamp,
                "float | None: seconds since the epoch, or None."),
    OBSV_GETSET("timestamp_ms", SampleGetTimestampMs, SampleSetTimestampMs,
                "int | None: the timestamp in whole milliseconds (rounded down), or None."),
    OBSV_GETSET("exemplar", SampleGetExemplar, SampleSetExemplar,
                "Exemplar | None: the sample's exemplar (OpenMetrics)."),
    OBSV_GETSET("native", SampleGetNative, nullptr,
                "dict | None: a native histogram's buckets, on the _count sample of each of its series in "
                "Registry.collect(): schema, zero_threshold, zero_count, positive and negative as "
                "[(bucket index, count)] ascending. None otherwise (parsed bodies have none). Kept by "
                "pickling, and written in the protobuf format when a collector yields the sample."),
    OBSV_GETSET("suffix", SampleGetSuffix, nullptr,
                "str: which part of its family the parser classified the sample as: \"\", "
                "\"_total\", \"_created\", \"_bucket\", \"_count\", \"_sum\", \"_gcount\", "
                "\"_gsum\" or \"_info\". Always \"\" for samples built in Python."),
    {nullptr, nullptr, nullptr, nullptr, nullptr},
};

PyMemberDef g_sample_members[] = {
    {const_cast<char*>("value"), T_DOUBLE, offsetof(SampleObject, value), 0,
     const_cast<char*>("float: the sample's value (NaN, +Inf and -Inf included).")},
    {nullptr, 0, 0, 0, nullptr},
};

PyMethodDef g_sample_methods[] = {
    {"__reduce__", SampleReduce, METH_NOARGS, nullptr},
    {"__setstate__", SampleSetState, METH_O, nullptr},
    {nullptr, nullptr, 0, nullptr},
};

const char kSampleDoc[] = R"doc(Sample(name, labels, value, timestamp=None, exemplar=None)
--

One sample line: ``name{labels} value [timestamp] [# exemplar]``.

name       str: the full sample name, e.g. "rpc_seconds_bucket".
labels     Mapping[str, str], copied into a new dict.
value      float.
timestamp  float (or int) seconds since the epoch, or None.
exemplar   Exemplar or None.

Attributes (writable, except ``suffix`` and ``native``):
  name, labels (dict[str, str] in input order, ``le``/``quantile``
  included), value, timestamp (float seconds or None), timestamp_ms (the
  same as int milliseconds, rounded down), exemplar, suffix (str: the
  family part the parser classified the sample as, "" for samples built in
  Python; the writer classifies those by their family), and native (a
  native histogram's buckets on the ``_count`` samples of
  Registry.collect(), else None; writers ignore it, pickling drops it).

Integers beyond 2**53 (counters near 2**64) are written back exactly as
parsed while ``value`` is unchanged. Timestamps keep nanoseconds through a
parse/write round trip; a float timestamp is taken at its shortest decimal
representation. Samples compare equal when name, labels (as dicts), value
(NaN equals NaN), timestamp, exemplar and native are equal. Not hashable.
Sample objects are not tracked by the cyclic garbage collector (they hold
only str, dict of str, Exemplar and native's dict of numbers and lists of
tuples); do not put a Sample inside its own labels.
)doc";

PyType_Slot g_exemplar_slots[] = {
    {Py_tp_dealloc, reinterpret_cast<void*>(ExemplarDealloc)},
    {Py_tp_new, reinterpret_cast<void*>(ExemplarNew)},
    {Py_tp_repr, reinterpret_cast<void*>(ExemplarRepr)},
    {Py_tp_richcompare, reinterpret_cast<void*>(ExemplarRichCompare)},
    {Py_tp_hash, reinterpret_cast<void*>(PyObject_HashNotImplemented)},
    {Py_tp_getset, g_exemplar_getset},
    {Py_tp_members, g_exemplar_members},
    {Py_tp_methods, g_exemplar_methods},
    {Py_tp_doc, const_cast<char*>(kExemplarDoc)},
    {0, nullptr},
};

PyType_Slot g_sample_slots[] = {
    {Py_tp_dealloc, reinterpret_cast<void*>(SampleDealloc)},
    {Py_tp_new, reinterpret_cast<void*>(SampleNew)},
    {Py_tp_repr, reinterpret_cast<void*>(SampleRepr)},
    {Py_tp_richcompare, reinterpret_cast<void*>(SampleRichCompare)},
    {Py_tp_hash, reinterpret_cast<void*>(PyObject_HashNotImplemented)},
    {Py_tp_getset, g_sample_getset},
    {Py_tp_members, g_sample_members},
    {Py_tp_methods, g_sample_methods},
    {Py_tp_doc, const_cast<char*>(kSampleDoc)},
    {0, nullptr},
};

PyType_Spec g_exemplar_spec = {"obsv.Exemplar", sizeof(ExemplarObject), 0, Py_TPFLAGS_DEFAULT,
                               g_exemplar_slots};
PyType_Spec g_sample_spec = {"obsv.Sample", sizeof(SampleObject), 0, Py_TPFLAGS_DEFAULT,
                             g_sample_slots};

}  // namespace

bool ExemplarEq(ExemplarObject* a, ExemplarObject* b) {
  if (!ValueEq(a->value, b->value) || a->has_ts != b->has_ts) return false;
  if (a->has_ts && (a->ts_ms != b->ts_ms || a->ts_nanos != b->ts_nanos)) return false;
  int r = PyObject_RichCompareBool(a->labels, b->labels, Py_EQ);
  if (r < 0) throw py::error_already_set();
  return r == 1;
}

bool SampleEq(SampleObject* a, SampleObject* b) {
  if (!ValueEq(a->value, b->value) || a->has_ts != b->has_ts) return false;
  if (a->has_ts && (a->ts_ms != b->ts_ms || a->ts_nanos != b->ts_nanos)) return false;
  int r = PyObject_RichCompareBool(a->name, b->name, Py_EQ);
  if (r == 1) r = PyObject_RichCompareBool(a->labels, b->labels, Py_EQ);
  if (r < 0) throw py::error_already_set();
  if (r == 0) return false;
  if ((a->native == nullptr) != (b->native == nullptr)) return false;
  if (a->native != nullptr) {
    r = PyObject_RichCompareBool(a->native, b->native, Py_EQ);
    if (r < 0) throw py::error_already_set();
    if (r == 0) return false;
  }
  bool an = a->exemplar == Py_None, bn = b->exemplar == Py_None;
  if (an || bn) return an && bn;
  return ExemplarEq(reinterpret_cast<ExemplarObject*>(a->exemplar),
                    reinterpret_cast<ExemplarObject*>(b->exemplar));
}

PyType_Spec* ExemplarSpec() { return &g_exemplar_spec; }
PyType_Spec* SampleSpec() { return &g_sample_spec; }

}  // namespace obsv_py
