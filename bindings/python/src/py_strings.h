// Strings between Python and C++ for the obsv Python module: UTF-8 views of
// str/bytes arguments, new str objects from UTF-8, and the interning cache
// that makes every occurrence of a metric or label name share one str.
//
// Every function here needs the GIL unless it says otherwise.
#ifndef OBSV_BINDINGS_PYTHON_PY_STRINGS_H_
#define OBSV_BINDINGS_PYTHON_PY_STRINGS_H_

#include <Python.h>
#include <pybind11/pybind11.h>

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"

namespace obsv_py {

namespace py = pybind11;

// A new str from UTF-8. Bytes that are not valid UTF-8 (lenient parsing
// lets them through in label values) become lone surrogates, as with the
// "surrogateescape" error handler, so that writing the str back gives the
// same bytes. Throws error_already_set on allocation failure.
py::str NewStr(std::string_view utf8);

// The UTF-8 bytes of `s` (encoded with "surrogateescape", the inverse of
// NewStr()), appended to `*out` after clearing it. Throws TypeError if `s`
// is not a str; `what` names the argument in the message.
void StrToUtf8(py::handle s, const char* what, std::string* out);

// A UTF-8 view of a str without copying when it is valid UTF-8 (the view
// lives as long as `s`); otherwise encodes into `*scratch` and views that.
std::string_view StrView(py::handle s, const char* what, std::string* scratch);

// Interns strings: Get() returns the same str object for the same bytes, so
// a body's ten thousand `le` labels are one object and dict lookups with
// them hit the cached hash. Holds at most `max_entries` strings of at most
// `max_bytes` bytes (longer ones are created fresh each time); when full it
// starts over. Thread-compatible; the module's caches are guarded by the
// GIL.
class StrCache {
 public:
  StrCache(size_t max_entries, size_t max_bytes)
      : max_entries_(max_entries), max_bytes_(max_bytes) {}
  StrCache(const StrCache&) = delete;
  StrCache& operator=(const StrCache&) = delete;

  // A new reference to a str equal to `utf8` (see NewStr()).
  py::str Get(std::string_view utf8);

 private:
  absl::flat_hash_map<std::string, py::str> map_;
  size_t max_entries_;
  size_t max_bytes_;
};

// The process-wide cache for metric and label names. Never destroyed: its
// strs must not be released after the interpreter has gone.
StrCache& NameCache();

// A read-only view of a parse input: bytes, str (as UTF-8), or any
// C-contiguous buffer (bytearray, memoryview, mmap). The view stays valid
// while this object lives, with or without the GIL; a bytearray cannot be
// resized meanwhile (it is exported), but must not be written to either.
class InputBuffer {
 public:
  // Throws TypeError for anything else.
  explicit InputBuffer(py::handle obj);
  ~InputBuffer();
  InputBuffer(const InputBuffer&) = delete;
  InputBuffer& operator=(const InputBuffer&) = delete;

  std::string_view view() const { return view_; }

 private:
  py::object owner_;
  Py_buffer buffer_{};
  bool has_buffer_ = false;
  std::string scratch_;
  std::string_view view_;
};

}  // namespace obsv_py

#endif  // OBSV_BINDINGS_PYTHON_PY_STRINGS_H_
