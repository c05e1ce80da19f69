// The glue between CompactBody, the C++ model and the Python objects: making
// Family objects for a parsed body, building their samples, converting
// objects back to obsv::MetricFamily, and the shared helpers.
#include "objects.h"

#include <pybind11/stl.h>

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <utility>

#include "objects_internal.h"
#include "py_strings.h"

namespace obsv_py {

PyTypeObject* g_body_type = nullptr;
PyTypeObject* g_exemplar_type = nullptr;
PyTypeObject* g_sample_type = nullptr;
PyTypeObject* g_family_type = nullptr;

namespace {

obsv::Timestamp TimestampFromDecimal(std::string_view text) {
  bool negative = !text.empty() && text[0] == '-';
  if (negative) text.remove_prefix(1);
  size_t dot = text.find('.');
  std::string_view whole = text.substr(0, dot);
  std::string_view frac =
      dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  int64_t seconds = 0;
  for (char c : whole) seconds = seconds * 10 + (c - '0');
  int64_t nanos = 0;
  for (size_t i = 0; i < 9; ++i) nanos = nanos * 10 + (i < frac.size() ? frac[i] - '0' : 0);
  if (frac.size() > 9 && frac[9] >= '5') ++nanos;
  int64_t ms = seconds * 1000 + nanos / 1000000;
  int64_t sub = nanos % 1000000;
  if (negative) {
    ms = -ms;
    sub = -sub;
    if (sub < 0) {
      sub += 1000000;
      ms -= 1;
    }
  }
  return obsv::Timestamp{ms, static_cast<int32_t>(sub)};
}

// ---- _Body -------------------------------------------------------------------

void BodyDealloc(PyObject* self) {
  BodyObject* b = reinterpret_cast<BodyObject*>(self);
  if (b->strs != nullptr) {
    for (PyObject* o : *b->strs) Py_XDECREF(o);
    delete b->strs;
  }
  if (b->values != nullptr) {
    for (auto& kv : *b->values) Py_DECREF(kv.second);
    delete b->values;
  }
  delete b->body;
  PyTypeObject* tp = Py_TYPE(self);
  tp->tp_free(self);
  Py_DECREF(tp);
}

// A borrowed reference to the str of name `id` of the body.
PyObject* NameStr(BodyObject* b, uint32_t id) {
  PyObject*& slot = (*b->strs)[id];
  if (slot == nullptr) slot = NameCache().Get(b->body->names[id]).release().ptr();
  return slot;
}

// A new reference to a str of label value `r` of the body.
PyObject* ValueStr(BodyObject* b, std::string_view v) {
  if (v.size() > kMaxSharedValueBytes) return NewStr(v).release().ptr();
  auto& values = *b->values;
  auto it = values.find(absl::string_view(v.data(), v.size()));
  if (it != values.end()) {
    Py_INCREF(it->second);
    return it->second;
  }
  PyObject* s = NewStr(v).release().ptr();
  if (values.size() < kMaxSharedValues) {
    Py_INCREF(s);
    values.emplace(absl::string_view(v.data(), v.size()), s);
  }
  return s;
}

void ExemplarToModel(PyObject* obj, obsv::Exemplar* out) {
  if (!PyObject_TypeCheck(obj, g_exemplar_type)) {
    throw py::type_error("Sample.exemplar must be an Exemplar or None");
  }
  ExemplarObject* e = reinterpret_cast<ExemplarObject*>(obj);
  LabelsToModel(e->labels, "Exemplar.labels", &out->labels);
  out->value = e->value;
  out->timestamp.reset();
  if (e->has_ts) out->timestamp = obsv::Timestamp{e->ts_ms, e->ts_nanos};
}

// Sample.native (as Registry.collect() makes it, or as unpickled) into the
// model, checked as the protobuf writer needs it: schema -4..8, a zero
// threshold >= 0, buckets (index, count > 0) by ascending index.
void NativeToModel(PyObject* obj, obsv::NativeHistogramData* out) {
  py::dict d = py::reinterpret_borrow<py::dict>(obj);
  auto field = [&](const char* key) -> py::object {
    if (!d.contains(key)) throw py::value_error(std::string("Sample.native has no \"") + key + "\"");
    return d[key];
  };
  out->schema = field("schema").cast<int32_t>();
  out->zero_threshold = field("zero_threshold").cast<double>();
  out->zero_count = field("zero_count").cast<uint64_t>();
  if (out->schema < -4 || out->schema > 8) throw py::value_error("Sample.native: schema must be -4..8");
  if (!(out->zero_threshold >= 0)) throw py::value_error("Sample.native: zero_threshold must be >= 0");
  for (auto [key, buckets] : {std::pair{"positive", &out->positive}, std::pair{"negative", &out->negative}}) {
    buckets->clear();
    for (py::handle item : field(key)) {
      auto [index, count] = item.cast<std::pair<int32_t, uint64_t>>();
      if (count == 0 || (!buckets->empty() && index <= buckets->back().index)) {
        throw py::value_error(std::string("Sample.native: ") + key +
                              " buckets must be (index, count > 0) by ascending index");
      }
      buckets->push_back({index, count});
    }
  }
}

// Which part of family (name, type) a sample named `sample` is. Only for
// samples built in Python; parsed ones keep the parser's classification.
obsv::SampleSuffix ClassifySuffix(std::string_view family, obsv::MetricType type,
                                  std::string_view sample) {
  using S = obsv::SampleSuffix;
  if (sample.size() <= family.size() || sample.substr(0, family.size()) != family) return S::kNone;
  std::string_view rest = sample.substr(family.size());
  switch (type) {
    case obsv::MetricType::kCounter:
      if (rest == "_total") return S::kTotal;
      if (rest == "_created") return S::kCreated;
      return S::kNone;
    case obsv::MetricType::kHistogram:
      if (rest == "_bucket") return S::kBucket;
      if (rest == "_count") return S::kCount;
      if (rest == "_sum") return S::kSum;
      if (rest == "_created") return S::kCreated;
      return S::kNone;
    case obsv::MetricType::kGaugeHistogram:
      if (rest == "_bucket") return S::kBucket;
      if (rest == "_gcount") return S::kGCount;
      if (rest == "_gsum") return S::kGSum;
      return S::kNone;
    case obsv::MetricType::kSummary:
      if (rest == "_count") return S::kCount;
      if (rest == "_sum") return S::kSum;
      if (rest == "_created") return S::kCreated;
      return S::kNone;
    case obsv::MetricType::kInfo:
      return rest == "_info" ? S::kInfo : S::kNone;
    case obsv::MetricType::kGauge:
    case obsv::MetricType::kStateSet:
    case obsv::MetricType::kUnknown:
      return S::kNone;
  }
  return S::kNone;
}

void SampleToModel(PyObject* obj, const obsv::MetricFamily& family, obsv::Sample* out) {
  if (!PyObject_TypeCheck(obj, g_sample_type)) {
    throw py::type_error(std::string("Family.samples must contain Sample objects, not ") +
                         Py_TYPE(obj)->tp_name);
  }
  SampleObject* s = reinterpret_cast<SampleObject*>(obj);
  StrToUtf8(s->name, "Sample.name", &out->name);
  LabelsToModel(s->labels, "Sample.labels", &out->labels);
  out->value = s->value;
  out->value_text.clear();
  if (s->value_text != nullptr && SameBits(s->value, s->value_text_of)) {
    out->value_text.assign(PyBytes_AS_STRING(s->value_text),
                           static_cast<size_t>(PyBytes_GET_SIZE(s->value_text)));
  }
  out->timestamp.reset();
  if (s->has_ts) out->timestamp = obsv::Timestamp{s->ts_ms, s->ts_nanos};
  out->exemplar.reset();
  if (s->exemplar != Py_None) ExemplarToModel(s->exemplar, &out->exemplar.emplace());
  out->suffix = ClassifySuffix(family.name, family.type, out->name);
  out->native.reset();
  if (s->native != nullptr) NativeToModel(s->native, &out->native.emplace());
}

// ---- Building samples from a body (the hot path) ---------------------------------

PyObject* BuildExemplar(BodyObject* b, const CompactBody::Exemplar& e) {
  const CompactBody& body = *b->body;
  py::object d = py::reinterpret_steal<py::object>(Check(PyDict_New()));
  for (uint32_t j = 0; j < e.labels_count; ++j) {
    const CompactBody::Label& l = body.labels[e.labels_begin + j];
    py::object v = py::reinterpret_steal<py::object>(ValueStr(b, body.View(l.value)));
    Check(PyDict_SetItem(d.ptr(), NameStr(b, l.name), v.ptr()) == 0);
  }
  ExemplarObject* x = NewExemplar();
  x->labels = d.release().ptr();
  x->value = e.value;
  x->has_ts = e.has_timestamp;
  x->ts_ms = e.timestamp.milliseconds;
  x->ts_nanos = e.timestamp.nanos;
  return reinterpret_cast<PyObject*>(x);
}

// A new dict with room for `n` items without resizing.
PyObject* NewDict(Py_ssize_t n) {
#if PY_VERSION_HEX < 0x030E0000
  // Private but exported through 3.13; a dict starts with room for 5.
  if (n > 5) return _PyDict_NewPresized(n);
#endif
  return PyDict_New();
}

py::object BuildSamples(BodyObject* b, const CompactBody::Family& f) {
  const CompactBody& body = *b->body;
  py::object list = py::reinterpret_steal<py::object>(Check(PyList_New(f.sample_count)));
  Py_ssize_t out_i = 0;
  const CompactBody::Sample* prev = nullptr;
  PyObject* prev_labels = nullptr;  // borrowed from the previous Sample
  bool prev_unique = false;
  f.ForEachSample([&](uint32_t i) {
      const CompactBody::Sample& cs = body.samples[i];
      SampleObject* so = NewSample();
      PyList_SET_ITEM(list.ptr(), out_i++, reinterpret_cast<PyObject*>(so));
      so->name = NameStr(b, cs.name);
      Py_INCREF(so->name);
      const CompactBody::Label* ls = body.labels.data() + cs.labels_begin;
      const uint32_t nl = cs.labels_count;
      bool same = prev != nullptr && prev_unique && prev->labels_count == nl;
      const CompactBody::Label* pls = same ? body.labels.data() + prev->labels_begin : nullptr;
      for (uint32_t j = 0; same && j < nl; ++j) same = pls[j].name == ls[j].name;
      PyObject* d;
      if (same) {
        // Same label names in the same order: copy the previous dict (a
        // memcpy of its table) and replace the values that differ.
        d = Check(PyDict_Copy(prev_labels));
        so->labels = d;
        for (uint32_t j = 0; j < nl; ++j) {
          std::string_view v = body.View(ls[j].value);
          if (v == body.View(pls[j].value)) continue;
          py::object vs = py::reinterpret_steal<py::object>(ValueStr(b, v));
          Check(PyDict_SetItem(d, NameStr(b, ls[j].name), vs.ptr()) == 0);
        }
      } else {
        d = Check(NewDict(nl));
        so->labels = d;
        for (uint32_t j = 0; j < nl; ++j) {
          py::object vs = py::reinterpret_steal<py::object>(ValueStr(b, body.View(ls[j].value)));
          Check(PyDict_SetItem(d, NameStr(b, ls[j].name), vs.ptr()) == 0);
        }
        // A label name repeated on one line would break the copy above.
        prev_unique = static_cast<uint32_t>(PyDict_GET_SIZE(d)) == nl;
      }
      so->value = cs.value;
      if (cs.value_text.size != 0) {
        std::string_view t = body.View(cs.value_text);
        so->value_text = Check(PyBytes_FromStringAndSize(t.data(), static_cast<Py_ssize_t>(t.size())));
        so->value_text_of = cs.value;
      }
      so->has_ts = cs.has_timestamp;
      so->ts_ms = cs.timestamp.milliseconds;
      so->ts_nanos = cs.timestamp.nanos;
      so->suffix = static_cast<uint8_t>(cs.suffix);
      if (cs.exemplar != 0) {
        so->exemplar = BuildExemplar(b, body.exemplars[cs.exemplar - 1]);
      } else {
        Py_INCREF(Py_None);
        so->exemplar = Py_None;
      }
      prev = &cs;
      prev_labels = d;
  });
  return list;
}

PyType_Slot g_body_slots[] = {
    {Py_tp_dealloc, reinterpret_cast<void*>(BodyDealloc)},
    {Py_tp_doc, const_cast<char*>("The parsed data shared by the families of one body (internal).")},
    {0, nullptr},
};

PyType_Spec g_body_spec = {"obsv._Body", sizeof(BodyObject), 0, Py_TPFLAGS_DEFAULT, g_body_slots};

PyTypeObject* MakeType(PyType_Spec* spec) {
  return reinterpret_cast<PyTypeObject*>(Check(PyType_FromSpec(spec)));
}

}  // namespace

// ---- Small conversions -----------------------------------------------------

py::str TypeStr(obsv::MetricType type) {
  return NameCache().Get(obsv::MetricTypeName(type));
}

obsv::MetricType TypeArg(py::handle obj) {
  std::string scratch;
  std::string_view s = StrView(obj, "Family.type", &scratch);
  obsv::MetricType t;
  if (!obsv::ParseMetricType(s, &t)) {
    throw py::value_error("unknown metric type '" + std::string(s) +
                          "' (expected counter, gauge, histogram, gaugehistogram, summary, "
                          "info, stateset, unknown or untyped)");
  }
  return t;
}

bool ValueEq(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

bool SameBits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

py::object StrArg(py::handle obj, const char* what) {
  if (!PyUnicode_Check(obj.ptr())) {
    throw py::type_error(std::string(what) + " must be str, not " + Py_TYPE(obj.ptr())->tp_name);
  }
  return py::reinterpret_borrow<py::object>(obj);
}

// A new dict with the items of any mapping, checking that keys and values
// are str.
py::object LabelsArg(py::handle obj, const char* what) {
  py::object d = py::reinterpret_steal<py::object>(Check(PyDict_New()));
  Check(PyDict_Merge(d.ptr(), obj.ptr(), 1) == 0);
  PyObject* key;
  PyObject* value;
  Py_ssize_t pos = 0;
  while (PyDict_Next(d.ptr(), &pos, &key, &value)) {
    if (!PyUnicode_Check(key) || !PyUnicode_Check(value)) {
      throw py::type_error(std::string(what) + " keys and values must be str");
    }
  }
  return d;
}

void LabelsToModel(PyObject* dict, const char* what, std::vector<obsv::Label>* out) {
  out->clear();
  if (!PyDict_Check(dict)) throw py::type_error(std::string(what) + " must be a dict");
  out->reserve(static_cast<size_t>(PyDict_GET_SIZE(dict)));
  PyObject* key;
  PyObject* value;
  Py_ssize_t pos = 0;
  std::string scratch;
  while (PyDict_Next(dict, &pos, &key, &value)) {
    obsv::Label& l = out->emplace_back();
    std::string_view k = StrView(key, "label name", &scratch);
    l.name.assign(k.data(), k.size());
    std::string_view v = StrView(value, "label value", &scratch);
    l.value.assign(v.data(), v.size());
  }
}

// A timestamp argument: None, int seconds (exact) or float seconds.
bool TimestampArg(py::handle obj, obsv::Timestamp* out) {
  if (obj.is_none()) return false;
  if (PyLong_Check(obj.ptr())) {
    int overflow = 0;
    long long s = PyLong_AsLongLongAndOverflow(obj.ptr(), &overflow);
    if (s == -1 && PyErr_Occurred()) throw py::error_already_set();
    constexpr long long kMax = std::numeric_limits<int64_t>::max() / 1000;
    if (overflow != 0 || s > kMax || s < -kMax) throw py::value_error("timestamp out of range");
    *out = obsv::Timestamp{static_cast<int64_t>(s) * 1000, 0};
    return true;
  }
  if (!PyFloat_Check(obj.ptr()) && !PyNumber_Check(obj.ptr())) {
    throw py::type_error("timestamp must be a number of seconds or None");
  }
  double s = PyFloat_AsDouble(obj.ptr());
  if (s == -1.0 && PyErr_Occurred()) throw py::error_already_set();
  *out = TimestampFromSeconds(s);
  return true;
}

bool TimestampMsArg(py::handle obj, obsv::Timestamp* out) {
  if (obj.is_none()) return false;
  if (!PyLong_Check(obj.ptr())) throw py::type_error("timestamp_ms must be an int or None");
  int overflow = 0;
  long long ms = PyLong_AsLongLongAndOverflow(obj.ptr(), &overflow);
  if (ms == -1 && PyErr_Occurred()) throw py::error_already_set();
  if (overflow != 0) throw py::value_error("timestamp_ms out of range");
  *out = obsv::Timestamp{static_cast<int64_t>(ms), 0};
  return true;
}

PyObject* TimestampObj(bool has, int64_t ms, int32_t nanos) {
  if (!has) Py_RETURN_NONE;
  return PyFloat_FromDouble(TimestampSeconds(obsv::Timestamp{ms, nanos}));
}

PyObject* TimestampMsObj(bool has, int64_t ms) {
  if (!has) Py_RETURN_NONE;
  return PyLong_FromLongLong(ms);
}

int CannotDelete(PyObject* value, const char* what) {
  if (value != nullptr) return 0;
  PyErr_Format(PyExc_AttributeError, "cannot delete %s", what);
  return -1;
}

// Replaces *slot (an owned reference) by a new reference to `value`.
void SetRef(PyObject** slot, PyObject* value) {
  PyObject* old = *slot;
  Py_INCREF(value);
  *slot = value;
  Py_XDECREF(old);
}

ExemplarObject* NewExemplar() {
  ExemplarObject* e = PyObject_New(ExemplarObject, g_exemplar_type);
  if (e == nullptr) throw py::error_already_set();
  e->labels = nullptr;
  e->value = 0;
  e->ts_ms = 0;
  e->ts_nanos = 0;
  e->has_ts = false;
  return e;
}

SampleObject* NewSample() {
  SampleObject* s = PyObject_New(SampleObject, g_sample_type);
  if (s == nullptr) throw py::error_already_set();
  s->name = nullptr;
  s->labels = nullptr;
  s->exemplar = nullptr;
  s->value_text = nullptr;
  s->native = nullptr;
  s->value = 0;
  s->value_text_of = 0;
  s->ts_ms = 0;
  s->ts_nanos = 0;
  s->has_ts = false;
  s->suffix = 0;
  return s;
}

// ---- Family metadata and samples, lazily from the body ---------------------

const CompactBody::Family& Parsed(FamilyObject* f) { return f->body->body->families[f->index]; }

// Borrowed references to the metadata, made from the body on first use.
PyObject* FamilyName(FamilyObject* f) {
  if (f->name == nullptr) {
    f->name = NameStr(f->body, Parsed(f).name);
    Py_INCREF(f->name);
  }
  return f->name;
}

PyObject* FamilyHelp(FamilyObject* f) {
  if (f->help == nullptr) {
    const CompactBody::Family& p = Parsed(f);
    if (p.has_help) {
      f->help = NewStr(f->body->body->View(p.help)).release().ptr();
    } else {
      Py_INCREF(Py_None);
      f->help = Py_None;
    }
  }
  return f->help;
}

PyObject* FamilyUnit(FamilyObject* f) {
  if (f->unit == nullptr) f->unit = NewStr(f->body->body->View(Parsed(f).unit)).release().ptr();
  return f->unit;
}

// The samples list, built from the body on first use; then the family no
// longer needs the body.
PyObject* FamilySamples(FamilyObject* f) {
  if (f->samples != nullptr) return f->samples;
  if (f->body == nullptr) {
    f->samples = Check(PyList_New(0));
    return f->samples;
  }
  FamilyName(f);
  FamilyHelp(f);
  FamilyUnit(f);
  // Keep the body alive while building: a collection triggered by an
  // allocation could run code that reads this family's samples first.
  py::object body = py::reinterpret_borrow<py::object>(reinterpret_cast<PyObject*>(f->body));
  py::object built = BuildSamples(f->body, Parsed(f));
  if (f->samples == nullptr) {
    f->samples = built.release().ptr();
    Py_CLEAR(f->body);
    f->meta_changed = false;
  }
  return f->samples;
}

FamilyObject* AllocFamily(PyTypeObject* type) {
  FamilyObject* f = reinterpret_cast<FamilyObject*>(type->tp_alloc(type, 0));
  if (f == nullptr) throw py::error_already_set();
  // tp_alloc zeroes the object: every pointer is null.
  f->type = obsv::MetricType::kUnknown;
  return f;
}

double TimestampSeconds(obsv::Timestamp ts) {
  long double s = static_cast<long double>(ts.milliseconds) / 1000.0L +
                  static_cast<long double>(ts.nanos) / 1e9L;
  return static_cast<double>(s);
}

obsv::Timestamp TimestampFromSeconds(double seconds) {
  // Beyond this the milliseconds do not fit an int64.
  if (!std::isfinite(seconds) || std::fabs(seconds) >= 9.0e15) {
    throw py::value_error("timestamp out of range");
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, seconds, std::chars_format::fixed);
  if (r.ec != std::errc()) throw py::value_error("timestamp out of range");
  return TimestampFromDecimal(std::string_view(buf, static_cast<size_t>(r.ptr - buf)));
}

py::list MakeFamilies(std::unique_ptr<CompactBody> body) {
  const size_t n = body->families.size();
  py::list out(n);
  if (n == 0) return out;
  BodyObject* b = PyObject_New(BodyObject, g_body_type);
  if (b == nullptr) throw py::error_already_set();
  b->body = nullptr;
  b->strs = nullptr;
  b->values = nullptr;
  py::object owner = py::reinterpret_steal<py::object>(reinterpret_cast<PyObject*>(b));
  b->strs = new std::vector<PyObject*>(body->names.size(), nullptr);
  b->values = new absl::flat_hash_map<absl::string_view, PyObject*>();
  b->body = body.release();
  for (size_t i = 0; i < n; ++i) {
    FamilyObject* f = AllocFamily(g_family_type);
    Py_INCREF(b);
    f->body = b;
    f->index = static_cast<uint32_t>(i);
    f->type = b->body->families[i].type;
    PyList_SET_ITEM(out.ptr(), static_cast<Py_ssize_t>(i), reinterpret_cast<PyObject*>(f));
  }
  return out;
}

bool IsFamily(py::handle obj) { return PyObject_TypeCheck(obj.ptr(), g_family_type); }

void FamilyToModel(py::handle obj, obsv::MetricFamily* out) {
  if (!IsFamily(obj)) {
    throw py::type_error(std::string("expected a Family, got ") + Py_TYPE(obj.ptr())->tp_name);
  }
  FamilyObject* f = reinterpret_cast<FamilyObject*>(obj.ptr());
  if (f->body != nullptr && f->samples == nullptr) {
    f->body->body->ToModel(f->index, out);
    if (!f->meta_changed) return;
  } else {
    out->samples.clear();
  }
  StrToUtf8(FamilyName(f), "Family.name", &out->name);
  out->type = f->type;
  PyObject* help = FamilyHelp(f);
  out->has_help = help != Py_None;
  out->help.clear();
  if (out->has_help) StrToUtf8(help, "Family.help", &out->help);
  StrToUtf8(FamilyUnit(f), "Family.unit", &out->unit);
  if (f->body != nullptr && f->samples == nullptr) return;  // samples from the body
  PyObject* samples = FamilySamples(f);
  py::object seq = py::reinterpret_steal<py::object>(
      Check(PySequence_Fast(samples, "Family.samples must be a list")));
  Py_ssize_t n = PySequence_Fast_GET_SIZE(seq.ptr());
  out->samples.resize(static_cast<size_t>(n));
  for (Py_ssize_t i = 0; i < n; ++i) {
    SampleToModel(PySequence_Fast_GET_ITEM(seq.ptr(), i), *out, &out->samples[static_cast<size_t>(i)]);
  }
}

void RegisterObjects(py::module_& m) {
  g_body_type = MakeType(&g_body_spec);
  g_exemplar_type = MakeType(ExemplarSpec());
  g_sample_type = MakeType(SampleSpec());
  g_family_type = MakeType(FamilySpec());
  // The module keeps these references for good (the types are also kept
  // alive by the static pointers above).
  m.add_object("_Body", reinterpret_cast<PyObject*>(g_body_type));
  m.add_object("Exemplar", reinterpret_cast<PyObject*>(g_exemplar_type));
  m.add_object("Sample", reinterpret_cast<PyObject*>(g_sample_type));
  m.add_object("Family", reinterpret_cast<PyObject*>(g_family_type));
  Py_INCREF(g_body_type);
  Py_INCREF(g_exemplar_type);
  Py_INCREF(g_sample_type);
  Py_INCREF(g_family_type);
  m.def(
      "_set_sample_native",
      [](py::handle sample, py::dict native) {
        if (!PyObject_TypeCheck(sample.ptr(), g_sample_type)) throw py::type_error("not a Sample");
        SetRef(&reinterpret_cast<SampleObject*>(sample.ptr())->native, native.ptr());
      },
      "Internal: attaches Registry.collect()'s native histogram data to a sample.");
}

}  // namespace obsv_py
