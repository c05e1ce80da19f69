#include "py_strings.h"

namespace obsv_py {

py::str NewStr(std::string_view utf8) {
  PyObject* s = PyUnicode_DecodeUTF8(
      utf8.data(), static_cast<Py_ssize_t>(utf8.size()), "surrogateescape");
  if (s == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(s);
}

std::string_view StrView(py::handle s, const char* what, std::string* scratch) {
  if (!PyUnicode_Check(s.ptr())) {
    throw py::type_error(std::string(what) + " must be str, not " +
                         Py_TYPE(s.ptr())->tp_name);
  }
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(s.ptr(), &size);
  if (data != nullptr) return std::string_view(data, static_cast<size_t>(size));
  // Lone surrogates: the escaped bytes of NewStr(), or a mistake.
  PyErr_Clear();
  PyObject* b = PyUnicode_AsEncodedString(s.ptr(), "utf-8", "surrogateescape");
  if (b == nullptr) throw py::error_already_set();
  scratch->assign(PyBytes_AS_STRING(b), static_cast<size_t>(PyBytes_GET_SIZE(b)));
  Py_DECREF(b);
  return *scratch;
}

void StrToUtf8(py::handle s, const char* what, std::string* out) {
  std::string scratch;
  std::string_view v = StrView(s, what, &scratch);
  if (v.data() == scratch.data()) {
    *out = std::move(scratch);
  } else {
    out->assign(v.data(), v.size());
  }
}

py::str StrCache::Get(std::string_view utf8) {
  if (utf8.size() > max_bytes_) return NewStr(utf8);
  auto it = map_.find(absl::string_view(utf8.data(), utf8.size()));
  if (it != map_.end()) return it->second;
  if (map_.size() >= max_entries_) map_.clear();
  py::str s = NewStr(utf8);
  map_.emplace(std::string(utf8), s);
  return s;
}

StrCache& NameCache() {
  // Names of a few hundred thousand series fit; label values are not
  // interned here (their cardinality is unbounded).
  static StrCache* cache = new StrCache(1 << 16, 256);
  return *cache;
}

InputBuffer::InputBuffer(py::handle obj) {
  PyObject* o = obj.ptr();
  if (PyBytes_Check(o)) {
    owner_ = py::reinterpret_borrow<py::object>(obj);
    view_ = std::string_view(PyBytes_AS_STRING(o),
                             static_cast<size_t>(PyBytes_GET_SIZE(o)));
    return;
  }
  if (PyUnicode_Check(o)) {
    owner_ = py::reinterpret_borrow<py::object>(obj);
    view_ = StrView(obj, "data", &scratch_);
    return;
  }
  if (PyObject_CheckBuffer(o)) {
    if (PyObject_GetBuffer(o, &buffer_, PyBUF_SIMPLE) != 0) {
      throw py::error_already_set();
    }
    has_buffer_ = true;
    view_ = std::string_view(static_cast<const char*>(buffer_.buf),
                             static_cast<size_t>(buffer_.len));
    return;
  }
  throw py::type_error(std::string("data must be bytes, str or a bytes-like object, not ") +
                       Py_TYPE(o)->tp_name);
}

InputBuffer::~InputBuffer() {
  if (has_buffer_) PyBuffer_Release(&buffer_);
}

}  // namespace obsv_py
