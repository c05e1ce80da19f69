// obsv._obsv.registry: the metrics registry for Python (obsv/registry.py
// re-exports it and adds the pure-Python helpers).
//
// Registry wraps obsv::Registry; Counter, Gauge, Histogram, Summary, Info
// and StateSet are prometheus_client-like metric objects. A metric with
// label names is a parent: labels(...) gives a child of the same class
// bound to one series; a metric without label names is bound to its single
// series at construction. Updates are one C++ call on a kept handle: no
// lock, no allocation, the GIL held (releasing it would cost more than the
// update).
//
// Memory safety: a child keeps a raw series handle, which C++ frees
// RegistryOptions::retire_grace after the series is removed. Python cannot
// promise a child is not used later, so Python registries retire removed
// series for ever (until the registry is gone): remove()/clear() cost the
// series' memory until then. Idle expiry (idle_ttl) is not offered for the
// same reason.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common.h"
#include "objects.h"
#include "py_strings.h"
#include "obsv/build_info.h"
#include "obsv/exposition_writer.h"
#include "obsv/http_exposition.h"
#include "obsv/process_collector.h"
#include "obsv/registry.h"
#include "obsv/request_metrics.h"

namespace obsv_py {
namespace {

namespace py = pybind11;

// ---- Errors -------------------------------------------------------------------

[[noreturn]] void RaiseStatus(const absl::Status& s) {
  std::string message(s.message());
  if (absl::IsResourceExhausted(s)) {
    py::object type = py::module_::import("obsv._errors").attr("SeriesLimitError");
    PyErr_SetString(type.ptr(), message.c_str());
    throw py::error_already_set();
  }
  if (absl::IsNotFound(s)) throw py::key_error(message);
  throw py::value_error(message);
}

template <typename T>
T Check(absl::StatusOr<T> v) {
  if (!v.ok()) RaiseStatus(v.status());
  return *std::move(v);
}

// ---- Registry -------------------------------------------------------------------

// The context of one expose() on this thread: where a Python collector's
// exception waits to be raised once Expose() returns (collectors run on the
// scraping thread, inside Expose(), without a way to fail it).
struct ExposeContext {
  std::optional<py::error_already_set> error;
};
thread_local ExposeContext* g_expose_context = nullptr;

// A Python callable held by C++; released with the GIL whichever thread
// drops the last reference (a scrape may outlive unregister_collector()).
struct PyCallable {
  explicit PyCallable(py::object f) : fn(std::move(f)) {}
  ~PyCallable() {
    py::gil_scoped_acquire gil;
    fn = py::object();
  }
  py::object fn;
};

struct PyRegistry {
  PyRegistry(bool legacy_names_only) {
    obsv::RegistryOptions o;
    o.legacy_names_only = legacy_names_only;
    o.retire_grace = absl::InfiniteDuration();  // see the top of this file
    registry = std::make_shared<obsv::Registry>(std::move(o));
  }
  // Shared with every metric object, so that a family outlives the Python
  // Registry object while a metric of it is alive.
  std::shared_ptr<obsv::Registry> registry;
  std::atomic<uint64_t> collector_seq{0};
};

std::string ExposeText(const PyRegistry& r, obsv::ExpositionFormat format) {
  ExposeContext context;
  std::string out;
  absl::Status status;
  {
    py::gil_scoped_release release;
    ExposeContext* outer = g_expose_context;
    g_expose_context = &context;
    status = r.registry->Expose(format, &out);
    g_expose_context = outer;
  }
  if (context.error) throw std::move(*context.error);
  if (!status.ok()) RaiseStatus(status);
  return out;
}

// Native histogram buckets as Python sees them (Histogram.native(),
// Sample.native): [(bucket index, count)], ascending. Either bucket type
// (the registry's snapshot or the model's).
template <typename Buckets>
py::list BucketList(const Buckets& buckets) {
  py::list out;
  for (const auto& b : buckets) out.append(py::make_tuple(b.index, b.count));
  return out;
}

// The registry as OpenMetrics text and its native histograms' buckets, from
// one Registry::Collect() (so the `_count` samples and the buckets agree):
// (body, {(count sample name, ((label, value), ...)): native dict}).
py::tuple CollectOpenMetrics(const PyRegistry& r) {
  ExposeContext context;
  std::vector<obsv::MetricFamily> fams;
  std::string out;
  absl::Status status;
  {
    py::gil_scoped_release release;
    ExposeContext* outer = g_expose_context;
    g_expose_context = &context;
    fams = r.registry->Collect(obsv::ExpositionFormat::kOpenMetrics);
    g_expose_context = outer;
    status = obsv::WriteExposition(fams, {.format = obsv::ExpositionFormat::kOpenMetrics}, &out);
  }
  if (context.error) throw std::move(*context.error);
  if (!status.ok()) RaiseStatus(status);
  py::dict natives;
  for (const obsv::MetricFamily& f : fams) {
    for (const obsv::Sample& s : f.samples) {
      if (!s.native.has_value()) continue;
      const obsv::NativeHistogramData& n = *s.native;
      py::dict d;
      d["schema"] = n.schema;
      d["zero_threshold"] = n.zero_threshold;
      d["zero_count"] = n.zero_count;
      d["positive"] = BucketList(n.positive);
      d["negative"] = BucketList(n.negative);
      py::tuple labels(s.labels.size());
      for (size_t i = 0; i < s.labels.size(); ++i) labels[i] = py::make_tuple(s.labels[i].name, s.labels[i].value);
      natives[py::make_tuple(s.name, labels)] = d;
    }
  }
  return py::make_tuple(py::bytes(out), natives);
}

std::vector<obsv::MetricFamily> RunCollector(const PyCallable& c) {
  py::gil_scoped_acquire gil;
  std::vector<obsv::MetricFamily> out;
  try {
    py::object result = c.fn();
    for (py::handle item : py::iter(result)) FamilyToModel(item, &out.emplace_back());
  } catch (py::error_already_set& e) {
    if (g_expose_context != nullptr && !g_expose_context->error) g_expose_context->error = std::move(e);
    return {};
  } catch (py::builtin_exception& e) {  // TypeError, ValueError, ...
    if (g_expose_context != nullptr && !g_expose_context->error) {
      e.set_error();
      g_expose_context->error.emplace();
    }
    return {};
  } catch (const std::exception& e) {
    if (g_expose_context != nullptr && !g_expose_context->error) {
      PyErr_SetString(PyExc_RuntimeError, e.what());
      g_expose_context->error.emplace();
    }
    return {};
  }
  return out;
}

// ---- Metrics -------------------------------------------------------------------

// What every metric object shares with its children.
struct Shape {
  std::shared_ptr<obsv::Registry> registry;
  std::string name;
  std::vector<std::string> label_names;
};

template <typename H>
struct Metric {
  std::shared_ptr<const Shape> shape;
  obsv::Family<H> family;
  H handle;  // empty for a parent

  const H& Bound(const char* what) const {
    if (!handle) {
      throw py::value_error(std::string(what) + "() on metric \"" + shape->name +
                            "\", which has label names: call labels(...) first");
    }
    return handle;
  }
};

// Info families are registered on the first info() call: their label names
// are the metric's plus the info dict's keys.
struct InfoState {
  std::mutex mu;
  obsv::MetricOptions options;
  obsv::Family<obsv::Info> family;
  std::vector<std::string> keys;
  // The info values each child set last (to remove its previous series).
  std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> current;
};

struct InfoMetric {
  std::shared_ptr<const Shape> shape;
  std::shared_ptr<InfoState> state;
  std::optional<std::vector<std::string>> values;  // set for a bound metric
};

// A label value: str(v) as prometheus_client, in UTF-8; lone surrogates
// become their bytes (surrogateescape), which C++ then refuses as invalid
// UTF-8 with a ValueError.
std::string ValueText(py::handle v) {
  std::string out;
  if (py::isinstance<py::str>(v)) {
    StrToUtf8(v, "label value", &out);
  } else {
    StrToUtf8(py::str(v), "label value", &out);
  }
  return out;
}

// The label values of labels(*args, **kwargs), in label_names order.
std::vector<std::string> LabelValues(const Shape& shape, const py::args& args, const py::kwargs& kwargs) {
  const auto& names = shape.label_names;
  if (names.empty()) throw py::value_error("metric \"" + shape.name + "\" has no label names");
  if (args.size() != 0 && kwargs.size() != 0) throw py::value_error("labels(): pass values or keywords, not both");
  std::vector<std::string> values;
  values.reserve(names.size());
  if (kwargs.size() != 0) {
    if (kwargs.size() != names.size()) {
      throw py::value_error("labels(): expected the labels " + py::str(py::cast(names)).cast<std::string>());
    }
    for (const std::string& n : names) {
      if (!kwargs.contains(n)) {
        throw py::value_error("labels(): missing label \"" + n + "\" (expected " +
                              py::str(py::cast(names)).cast<std::string>() + ")");
      }
      values.push_back(ValueText(kwargs[py::str(n)]));
    }
    return values;
  }
  if (args.size() != names.size()) {
    throw py::value_error("labels(): metric \"" + shape.name + "\" takes " + std::to_string(names.size()) +
                          " label values, got " + std::to_string(args.size()));
  }
  for (py::handle a : args) values.push_back(ValueText(a));
  return values;
}

std::vector<std::string_view> Views(const std::vector<std::string>& values) {
  return std::vector<std::string_view>(values.begin(), values.end());
}

// An exemplar's labels from a dict (str() of keys and values), as
// prometheus_client's `exemplar=` arguments.
std::vector<obsv::Label> ExemplarArg(py::handle exemplar) {
  std::vector<obsv::Label> out;
  if (!py::isinstance<py::dict>(exemplar)) throw py::type_error("exemplar must be a dict of str to str");
  for (auto item : exemplar.cast<py::dict>()) out.push_back({ValueText(item.first), ValueText(item.second)});
  return out;
}

void CheckStatus(const absl::Status& s) {
  if (!s.ok()) RaiseStatus(s);
}

template <typename H>
Metric<H> Child(const Metric<H>& parent, const std::vector<std::string>& values) {
  std::vector<std::string_view> v = Views(values);
  Metric<H> child{parent.shape, parent.family, H()};
  child.handle = Check(parent.family.WithLabelValues(absl::MakeConstSpan(v)));
  return child;
}

// The arguments every constructor shares.
struct CommonArgs {
  py::object registry;
  std::string name;
  std::string help;
  std::vector<std::string> label_names;
  std::string unit;
  py::object const_labels;
  size_t max_series = 0;
  std::string overflow;
  std::string overflow_label_value;
};

std::shared_ptr<PyRegistry> RegistryArg(py::handle r) {
  if (r.is_none()) r = py::module_::import("obsv._obsv").attr("registry").attr("REGISTRY");
  return r.cast<std::shared_ptr<PyRegistry>>();
}

obsv::MetricOptions ToOptions(const CommonArgs& a) {
  obsv::MetricOptions o;
  o.name = a.name;
  o.help = a.help;
  o.unit = a.unit;
  // prometheus_client appends the unit to the name when it is not there.
  if (!o.unit.empty()) {
    std::string suffix = "_" + o.unit;
    std::string base = o.name;
    bool total = base.size() > 6 && base.compare(base.size() - 6, 6, "_total") == 0;
    if (total) base.resize(base.size() - 6);
    if (base.size() < suffix.size() || base.compare(base.size() - suffix.size(), suffix.size(), suffix) != 0) {
      o.name = base + suffix;
    }
  }
  o.label_names = a.label_names;
  if (!a.const_labels.is_none()) {
    for (auto item : a.const_labels.cast<py::dict>()) {
      o.const_labels.push_back({ValueText(item.first), ValueText(item.second)});
    }
  }
  o.max_series = a.max_series;
  if (a.overflow == "refuse") {
    o.overflow = obsv::OverflowPolicy::kRefuse;
  } else if (a.overflow == "series") {
    o.overflow = obsv::OverflowPolicy::kOverflowSeries;
  } else {
    throw py::value_error("overflow must be \"refuse\" or \"series\", not \"" + a.overflow + "\"");
  }
  o.overflow_label_value = a.overflow_label_value;
  return o;
}

template <typename H, typename Add>
Metric<H> MakeMetric(const CommonArgs& a, Add&& add) {
  std::shared_ptr<PyRegistry> r = RegistryArg(a.registry);
  obsv::MetricOptions o = ToOptions(a);
  auto shape = std::make_shared<Shape>();
  shape->registry = r->registry;
  shape->label_names = o.label_names;
  Metric<H> m{nullptr, Check(add(*r->registry, o)), H()};
  shape->name = m.family.name();
  m.shape = std::move(shape);
  // An unlabelled metric is its one series, exposed from the start (0).
  if (m.shape->label_names.empty()) m.handle = Check(m.family.WithLabelValues({}));
  return m;
}

// The keyword arguments of every metric constructor after `documentation`.
#define OBSV_COMMON_ARGS                                                                                \
  py::arg("name"), py::arg("documentation") = "", py::arg("labelnames") = std::vector<std::string>(), \
      py::arg("namespace") = "", py::arg("subsystem") = "", py::arg("unit") = "",                     \
      py::arg("registry") = py::none(), py::kw_only(), py::arg("const_labels") = py::none(),          \
      py::arg("max_series") = 0, py::arg("overflow") = "refuse",                                      \
      py::arg("overflow_label_value") = "__overflow__"

CommonArgs Common(const std::string& name, const std::string& documentation, std::vector<std::string> labelnames,
                  const std::string& ns, const std::string& subsystem, const std::string& unit, py::object registry,
                  py::object const_labels, size_t max_series, const std::string& overflow,
                  const std::string& overflow_label_value) {
  CommonArgs a;
  a.registry = std::move(registry);
  // prometheus_client's full name: namespace_subsystem_name.
  std::string full;
  for (const std::string* part : {&ns, &subsystem, &name}) {
    if (part->empty()) continue;
    if (!full.empty()) full += '_';
    full += *part;
  }
  a.name = full;
  a.help = documentation;
  a.label_names = std::move(labelnames);
  a.unit = unit;
  a.const_labels = std::move(const_labels);
  a.max_series = max_series;
  a.overflow = overflow;
  a.overflow_label_value = overflow_label_value;
  return a;
}

// Defines labels(), remove(), clear(), name and the like on a metric class.
template <typename H, typename Class>
void DefineFamilyMethods(Class& cls) {
  cls.def(
         "labels",
         [](const Metric<H>& self, const py::args& args, const py::kwargs& kwargs) {
           if (self.handle && !self.shape->label_names.empty()) {
             throw py::value_error("labels() on a child of \"" + self.shape->name + "\"");
           }
           return Child(self, LabelValues(*self.shape, args, kwargs));
         },
         "labels(*values, **labels) -> same class\n\nThe child bound to the series with these label values "
         "(str() of each), created if absent. Keep it for the hot path. ValueError for the wrong number or "
         "names of labels; SeriesLimitError beyond max_series.")
      .def(
          "remove",
          [](const Metric<H>& self, const py::args& args) {
            std::vector<std::string> values = LabelValues(*self.shape, args, py::kwargs());
            std::vector<std::string_view> v = Views(values);
            if (!self.family.Remove(absl::MakeConstSpan(v))) throw py::key_error("no such series");
          },
          "remove(*values) -> None\n\nRemoves one series (KeyError if absent). Children of it keep working "
          "but are no longer exposed.")
      .def(
          "clear", [](const Metric<H>& self) { self.family.Clear(); },
          "clear() -> None\n\nRemoves every series of the family.")
      .def_property_readonly("name", [](const Metric<H>& self) { return self.shape->name; })
      .def_property_readonly("labelnames",
                             [](const Metric<H>& self) { return py::tuple(py::cast(self.shape->label_names)); })
      .def("__len__", [](const Metric<H>& self) { return self.family.size(); })
      .def("__repr__", [](const Metric<H>& self) {
        return "<obsv." + std::string(py::str(py::type::of(py::cast(&self)).attr("__name__"))) + " " +
               self.shape->name + (self.handle || self.shape->label_names.empty() ? "" : " (parent)") + ">";
      });
}

void AddCounter(py::module_& m) {
  py::class_<Metric<obsv::Counter>> cls(m, "Counter",
                                        "Counter(name, documentation='', labelnames=(), namespace='', "
                                        "subsystem='', unit='', registry=None, *, const_labels=None, "
                                        "max_series=0, overflow='refuse', overflow_label_value='__overflow__')\n\n"
                                        "A monotonic counter (prometheus_client.Counter). `_total` is optional.");
  cls.def(py::init([](const std::string& name, const std::string& doc, std::vector<std::string> labelnames,
                      const std::string& ns, const std::string& sub, const std::string& unit, py::object registry,
                      py::object const_labels, size_t max_series, const std::string& overflow,
                      const std::string& overflow_value) {
            return MakeMetric<obsv::Counter>(
                Common(name, doc, std::move(labelnames), ns, sub, unit, std::move(registry),
                       std::move(const_labels), max_series, overflow, overflow_value),
                [](obsv::Registry& r, const obsv::MetricOptions& o) { return r.AddCounter(o); });
          }),
          OBSV_COMMON_ARGS);
  cls.def(
         "inc",
         [](const Metric<obsv::Counter>& self, py::handle amount, py::handle exemplar) {
           const obsv::Counter& c = self.Bound("inc");
           if (!exemplar.is_none()) {
             std::vector<obsv::Label> ex = ExemplarArg(exemplar);
             if (PyLong_CheckExact(amount.ptr())) {
               int overflow = 0;
               long long n = PyLong_AsLongLongAndOverflow(amount.ptr(), &overflow);
               if (overflow == 0 && n >= 0) return CheckStatus(c.IncWithExemplar(static_cast<uint64_t>(n), ex));
             }
             double v = PyFloat_AsDouble(amount.ptr());
             if (v == -1.0 && PyErr_Occurred()) throw py::error_already_set();
             if (!(v >= 0)) throw py::value_error("Counters can only be incremented by non-negative amounts.");
             return CheckStatus(c.AddWithExemplar(v, ex));
           }
           // An int goes to the exact integer cell; anything else is a float.
           if (PyLong_CheckExact(amount.ptr())) {
             int overflow = 0;
             long long n = PyLong_AsLongLongAndOverflow(amount.ptr(), &overflow);
             if (overflow == 0 && n >= 0) {
               c.Inc(static_cast<uint64_t>(n));
               return;
             }
             if (overflow < 0 || (overflow == 0 && n < 0)) {
               throw py::value_error("Counters can only be incremented by non-negative amounts.");
             }
           }
           double v = PyFloat_AsDouble(amount.ptr());
           if (v == -1.0 && PyErr_Occurred()) throw py::error_already_set();
           if (v < 0) throw py::value_error("Counters can only be incremented by non-negative amounts.");
           c.Add(v);
         },
         py::arg("amount") = 1, py::arg("exemplar") = py::none(),
         "inc(amount=1, exemplar=None) -> None\n\nAdds amount (>= 0; ValueError otherwise). An int below 2**63 "
         "goes to the integer cell, anything else to the float cell. `exemplar`, a dict of labels (at most 128 "
         "characters in all, ValueError beyond), becomes the series' exemplar (OpenMetrics and protobuf "
         "only).")
      .def_property_readonly(
          "value", [](const Metric<obsv::Counter>& self) { return self.Bound("value").Value(); },
          "The current total.");
  DefineFamilyMethods<obsv::Counter>(cls);
}

void AddGauge(py::module_& m) {
  py::class_<Metric<obsv::Gauge>> cls(m, "Gauge",
                                      "Gauge(name, documentation='', labelnames=(), ...)\n\nA value that goes up "
                                      "and down (prometheus_client.Gauge).");
  cls.def(py::init([](const std::string& name, const std::string& doc, std::vector<std::string> labelnames,
                      const std::string& ns, const std::string& sub, const std::string& unit, py::object registry,
                      py::object const_labels, size_t max_series, const std::string& overflow,
                      const std::string& overflow_value) {
            return MakeMetric<obsv::Gauge>(
                Common(name, doc, std::move(labelnames), ns, sub, unit, std::move(registry),
                       std::move(const_labels), max_series, overflow, overflow_value),
                [](obsv::Registry& r, const obsv::MetricOptions& o) { return r.AddGauge(o); });
          }),
          OBSV_COMMON_ARGS);
  cls.def(
         "inc", [](const Metric<obsv::Gauge>& self, double amount) { self.Bound("inc").Add(amount); },
         py::arg("amount") = 1.0, "inc(amount=1) -> None")
      .def(
          "dec", [](const Metric<obsv::Gauge>& self, double amount) { self.Bound("dec").Add(-amount); },
          py::arg("amount") = 1.0, "dec(amount=1) -> None")
      .def(
          "set", [](const Metric<obsv::Gauge>& self, double value) { self.Bound("set").Set(value); },
          py::arg("value"), "set(value) -> None")
      .def(
          "set_to_current_time",
          [](const Metric<obsv::Gauge>& self) { self.Bound("set_to_current_time").SetToCurrentTime(); },
          "set_to_current_time() -> None\n\nSets the gauge to the current Unix time in seconds.")
      .def_property_readonly("value", [](const Metric<obsv::Gauge>& self) { return self.Bound("value").Value(); });
  DefineFamilyMethods<obsv::Gauge>(cls);
}

void AddHistogram(py::module_& m) {
  py::class_<Metric<obsv::Histogram>> cls(
      m, "Histogram",
      "Histogram(name, documentation='', labelnames=(), ..., buckets=DEFAULT_BUCKETS)\n\nA classic histogram "
      "(prometheus_client.Histogram); +Inf is appended to buckets if absent.");
  cls.def(py::init([](const std::string& name, const std::string& doc, std::vector<std::string> labelnames,
                      const std::string& ns, const std::string& sub, const std::string& unit, py::object registry,
                      py::object const_labels, size_t max_series, const std::string& overflow,
                      const std::string& overflow_value, std::optional<std::vector<double>> buckets,
                      std::optional<double> factor, std::optional<double> zero_threshold, uint32_t max_buckets,
                      double min_reset_duration, double max_zero_threshold) {
            CommonArgs a = Common(name, doc, std::move(labelnames), ns, sub, unit, std::move(registry),
                                  std::move(const_labels), max_series, overflow, overflow_value);
            if (factor) {
              obsv::NativeHistogramOptions n;
              n.bucket_factor = *factor;
              if (zero_threshold) n.zero_threshold = *zero_threshold;
              n.max_buckets = max_buckets;
              if (!(min_reset_duration >= 0) || std::isinf(min_reset_duration)) {
                throw py::value_error("native_histogram_min_reset_duration must be >= 0 seconds");
              }
              n.min_reset_duration = absl::Seconds(min_reset_duration);
              n.max_zero_threshold = max_zero_threshold;
              std::vector<double> b = buckets ? *std::move(buckets) : std::vector<double>{};
              return MakeMetric<obsv::Histogram>(a, [&](obsv::Registry& r, const obsv::MetricOptions& o) {
                return r.AddNativeHistogram(o, n, b);
              });
            }
            std::vector<double> b = buckets ? *std::move(buckets) : obsv::DefaultBuckets();
            return MakeMetric<obsv::Histogram>(
                a, [&](obsv::Registry& r, const obsv::MetricOptions& o) { return r.AddHistogram(o, b); });
          }),
          OBSV_COMMON_ARGS, py::arg("buckets") = py::none(), py::arg("native_histogram_bucket_factor") = py::none(),
          py::arg("native_histogram_zero_threshold") = py::none(),
          py::arg("native_histogram_max_bucket_number") = 160u,
          py::arg("native_histogram_min_reset_duration") = 0.0,
          py::arg("native_histogram_max_zero_threshold") = 0.0);
  cls.def(
         "observe",
         [](const Metric<obsv::Histogram>& self, double amount, py::handle exemplar) {
           const obsv::Histogram& h = self.Bound("observe");
           if (exemplar.is_none()) return h.Observe(amount);
           CheckStatus(h.ObserveWithExemplar(amount, ExemplarArg(exemplar)));
         },
         py::arg("amount"), py::arg("exemplar") = py::none(),
         "observe(amount, exemplar=None) -> None\n\n`exemplar`, a dict of labels (at most 128 characters in "
         "all, ValueError beyond), becomes the exemplar of the classic bucket the amount falls into.")
      .def(
          "native",
          [](const Metric<obsv::Histogram>& self) -> py::object {
            obsv::Histogram::Snapshot s = self.Bound("native").Read();
            if (!s.native) return py::none();
            py::dict d;
            d["schema"] = s.schema;
            d["zero_threshold"] = s.zero_threshold;
            d["zero_count"] = s.zero_count;
            d["count"] = s.count;
            d["sum"] = s.sum;
            d["positive"] = BucketList(s.positive);
            d["negative"] = BucketList(s.negative);
            return d;
          },
          "native() -> dict | None\n\nA native histogram's state: schema, zero_threshold, zero_count, count, "
          "sum, positive and negative as [(bucket index, count)] ascending. None for a classic histogram.")
      .def_property_readonly(
          "count", [](const Metric<obsv::Histogram>& self) { return self.Bound("count").Read().count; })
      .def_property_readonly("sum",
                             [](const Metric<obsv::Histogram>& self) { return self.Bound("sum").Read().sum; })
      .def(
          "buckets",
          [](const Metric<obsv::Histogram>& self) {
            obsv::Histogram::Snapshot s = self.Bound("buckets").Read();
            std::vector<std::pair<double, uint64_t>> out;
            for (size_t i = 0; i < s.upper_bounds.size(); ++i) out.emplace_back(s.upper_bounds[i], s.cumulative[i]);
            return out;
          },
          "buckets() -> list[tuple[float, int]]\n\n(upper bound, cumulative count) per bucket, one consistent "
          "snapshot.");
  DefineFamilyMethods<obsv::Histogram>(cls);
}

void AddGaugeHistogram(py::module_& m) {
  py::class_<Metric<obsv::GaugeHistogram>> cls(
      m, "GaugeHistogram",
      "GaugeHistogram(name, documentation='', labelnames=(), ..., buckets=DEFAULT_BUCKETS)\n\nThe current "
      "distribution of something that comes and goes (OpenMetrics gaugehistogram: _bucket, _gcount, _gsum).");
  cls.def(py::init([](const std::string& name, const std::string& doc, std::vector<std::string> labelnames,
                      const std::string& ns, const std::string& sub, const std::string& unit, py::object registry,
                      py::object const_labels, size_t max_series, const std::string& overflow,
                      const std::string& overflow_value, std::optional<std::vector<double>> buckets) {
            std::vector<double> b = buckets ? *std::move(buckets) : obsv::DefaultBuckets();
            return MakeMetric<obsv::GaugeHistogram>(
                Common(name, doc, std::move(labelnames), ns, sub, unit, std::move(registry),
                       std::move(const_labels), max_series, overflow, overflow_value),
                [&](obsv::Registry& r, const obsv::MetricOptions& o) { return r.AddGaugeHistogram(o, b); });
          }),
          OBSV_COMMON_ARGS, py::arg("buckets") = py::none());
  cls.def(
         "observe",
         [](const Metric<obsv::GaugeHistogram>& self, double amount, int64_t n) {
           self.Bound("observe").Observe(amount, n);
         },
         py::arg("amount"), py::arg("n") = 1,
         "observe(amount, n=1) -> None\n\nAdds n (negative: removes) to amount's bucket and n*amount to the "
         "sum.")
      .def_property_readonly(
          "gcount",
          [](const Metric<obsv::GaugeHistogram>& self) {
            return static_cast<int64_t>(self.Bound("gcount").Read().count);
          })
      .def_property_readonly("gsum",
                             [](const Metric<obsv::GaugeHistogram>& self) { return self.Bound("gsum").Read().sum; })
      .def(
          "buckets",
          [](const Metric<obsv::GaugeHistogram>& self) {
            obsv::Histogram::Snapshot s = self.Bound("buckets").Read();
            std::vector<std::pair<double, int64_t>> out;
            for (size_t i = 0; i < s.upper_bounds.size(); ++i) {
              out.emplace_back(s.upper_bounds[i], static_cast<int64_t>(s.cumulative[i]));
            }
            return out;
          },
          "buckets() -> list[tuple[float, int]]\n\n(upper bound, cumulative count) per bucket.");
  DefineFamilyMethods<obsv::GaugeHistogram>(cls);
}

void AddSummary(py::module_& m) {
  py::class_<Metric<obsv::Summary>> cls(
      m, "Summary",
      "Summary(name, documentation='', labelnames=(), ..., quantiles=(0.5, 0.9, 0.99), max_age=600.0, "
      "age_buckets=5)\n\nQuantiles over a sliding window of max_age seconds, plus _count and _sum.");
  cls.def(py::init([](const std::string& name, const std::string& doc, std::vector<std::string> labelnames,
                      const std::string& ns, const std::string& sub, const std::string& unit, py::object registry,
                      py::object const_labels, size_t max_series, const std::string& overflow,
                      const std::string& overflow_value, std::vector<double> quantiles, double max_age,
                      int age_buckets) {
            obsv::SummaryOptions s;
            s.quantiles = std::move(quantiles);
            if (!(max_age > 0) || std::isinf(max_age)) throw py::value_error("max_age must be > 0 seconds");
            s.max_age = absl::Seconds(max_age);
            s.age_buckets = age_buckets;
            return MakeMetric<obsv::Summary>(
                Common(name, doc, std::move(labelnames), ns, sub, unit, std::move(registry),
                       std::move(const_labels), max_series, overflow, overflow_value),
                [&](obsv::Registry& r, const obsv::MetricOptions& o) { return r.AddSummary(o, s); });
          }),
          OBSV_COMMON_ARGS, py::arg("quantiles") = std::vector<double>{0.5, 0.9, 0.99},
          py::arg("max_age") = 600.0, py::arg("age_buckets") = 5);
  cls.def(
      "observe", [](const Metric<obsv::Summary>& self, double amount) { self.Bound("observe").Observe(amount); },
      py::arg("amount"), "observe(amount) -> None");
  DefineFamilyMethods<obsv::Summary>(cls);
}

void AddStateSet(py::module_& m) {
  py::class_<Metric<obsv::StateSet>> cls(
      m, "StateSet",
      "StateSet(name, documentation='', labelnames=(), ..., states=...)\n\nA set of named boolean states "
      "(OpenMetrics stateset; prometheus_client.Enum when used with state()). All start false.");
  cls.def(py::init([](const std::string& name, const std::string& doc, std::vector<std::string> labelnames,
                      const std::string& ns, const std::string& sub, const std::string& unit, py::object registry,
                      py::object const_labels, size_t max_series, const std::string& overflow,
                      const std::string& overflow_value, std::vector<std::string> states) {
            return MakeMetric<obsv::StateSet>(
                Common(name, doc, std::move(labelnames), ns, sub, unit, std::move(registry),
                       std::move(const_labels), max_series, overflow, overflow_value),
                [&](obsv::Registry& r, const obsv::MetricOptions& o) { return r.AddStateSet(o, states); });
          }),
          OBSV_COMMON_ARGS, py::arg("states"));
  cls.def(
         "state",
         [](const Metric<obsv::StateSet>& self, const std::string& state) {
           absl::Status s = self.Bound("state").SetOnly(state);
           if (!s.ok()) throw py::value_error(std::string(s.message()));
         },
         py::arg("state"), "state(state) -> None\n\nSets `state` and clears every other (an enum).")
      .def(
          "set",
          [](const Metric<obsv::StateSet>& self, const std::string& state, bool value) {
            absl::Status s = self.Bound("set").Set(state, value);
            if (!s.ok()) throw py::value_error(std::string(s.message()));
          },
          py::arg("state"), py::arg("value") = true, "set(state, value=True) -> None\n\nSets one state.")
      .def(
          "is_set",
          [](const Metric<obsv::StateSet>& self, const std::string& state) { return self.Bound("is_set").Get(state); },
          py::arg("state"));
  DefineFamilyMethods<obsv::StateSet>(cls);
}

void AddInfo(py::module_& m) {
  py::class_<InfoMetric> cls(m, "Info",
                             "Info(name, documentation='', labelnames=(), ...)\n\nWritten `<name>_info{...} 1` "
                             "(prometheus_client.Info). The family is registered by the first info() call, "
                             "with the metric's label names followed by the dict's keys; later calls must use "
                             "the same keys.");
  cls.def(py::init([](const std::string& name, const std::string& doc, std::vector<std::string> labelnames,
                      const std::string& ns, const std::string& sub, const std::string& unit, py::object registry,
                      py::object const_labels, size_t max_series, const std::string& overflow,
                      const std::string& overflow_value) {
            CommonArgs a = Common(name, doc, std::move(labelnames), ns, sub, unit, std::move(registry),
                                  std::move(const_labels), max_series, overflow, overflow_value);
            std::shared_ptr<PyRegistry> r = RegistryArg(a.registry);
            auto shape = std::make_shared<Shape>();
            shape->registry = r->registry;
            shape->name = a.name;
            shape->label_names = a.label_names;
            auto state = std::make_shared<InfoState>();
            state->options = ToOptions(a);
            InfoMetric info{std::move(shape), std::move(state), std::nullopt};
            if (info.shape->label_names.empty()) info.values.emplace();
            return info;
          }),
          OBSV_COMMON_ARGS);
  cls.def(
         "labels",
         [](const InfoMetric& self, const py::args& args, const py::kwargs& kwargs) {
           if (self.values && !self.shape->label_names.empty()) {
             throw py::value_error("labels() on a child of \"" + self.shape->name + "\"");
           }
           return InfoMetric{self.shape, self.state, LabelValues(*self.shape, args, kwargs)};
         },
         "labels(*values, **labels) -> Info")
      .def(
          "info",
          [](const InfoMetric& self, const py::dict& info) {
            if (!self.values) {
              throw py::value_error("info() on metric \"" + self.shape->name +
                                    "\", which has label names: call labels(...) first");
            }
            InfoState& st = *self.state;
            std::lock_guard<std::mutex> lock(st.mu);
            if (!st.family) {
              obsv::MetricOptions o = st.options;
              std::vector<std::string> keys;
              for (auto item : info) keys.push_back(ValueText(item.first));
              o.label_names.insert(o.label_names.end(), keys.begin(), keys.end());
              st.family = Check(self.shape->registry->AddInfo(o));
              st.keys = std::move(keys);
            }
            if (info.size() != st.keys.size()) {
              throw py::value_error("info(): expected the keys " + py::str(py::cast(st.keys)).cast<std::string>());
            }
            std::vector<std::string> mine;
            for (const std::string& k : st.keys) {
              if (!info.contains(k)) {
                throw py::value_error("info(): missing key \"" + k + "\" (the keys are fixed by the first call)");
              }
              mine.push_back(ValueText(info[py::str(k)]));
            }
            std::vector<std::string> all = *self.values;
            all.insert(all.end(), mine.begin(), mine.end());
            std::vector<std::string_view> v = Views(all);
            Check(st.family.WithLabelValues(absl::MakeConstSpan(v)));
            auto it = std::find_if(st.current.begin(), st.current.end(),
                                   [&](const auto& c) { return c.first == *self.values; });
            if (it == st.current.end()) {
              st.current.emplace_back(*self.values, std::move(mine));
            } else if (it->second != mine) {
              std::vector<std::string> old = *self.values;
              old.insert(old.end(), it->second.begin(), it->second.end());
              std::vector<std::string_view> ov = Views(old);
              st.family.Remove(absl::MakeConstSpan(ov));
              it->second = std::move(mine);
            }
          },
          py::arg("val"), "info(val: dict[str, str]) -> None\n\nReplaces the information of this series.")
      .def_property_readonly("name", [](const InfoMetric& self) { return self.shape->name; });
}

// ---- Helpers: request metrics, build info ---------------------------------------

struct PyRequestMetrics {
  std::shared_ptr<obsv::Registry> registry;  // keeps the families alive
  obsv::RequestMetrics metrics;
};

std::vector<obsv::Label> LabelsArg(py::object labels) {
  std::vector<obsv::Label> out;
  if (labels.is_none()) return out;
  for (auto item : labels.cast<py::dict>()) out.push_back({ValueText(item.first), ValueText(item.second)});
  return out;
}

void AddHelpers(py::module_& m) {
  py::class_<PyRequestMetrics>(
      m, "RequestMetrics",
      "RequestMetrics(prefix, endpoint, *, registry=None, duration_buckets=None, size_buckets=None, "
      "const_labels=None)\n\nPer-endpoint request instrumentation: <prefix>_<endpoint>_request_total{method,code}, "
      "_request_duration_seconds and _response_sizes histograms (default buckets .005 ... 10 s and 64 B ... "
      "16 MiB). `endpoint` must match [a-zA-Z0-9_]+ (ValueError naming the bad character otherwise). "
      "Thread-safe.")
      .def(py::init([](const std::string& prefix, const std::string& endpoint, py::object registry,
                       std::optional<std::vector<double>> duration_buckets,
                       std::optional<std::vector<double>> size_buckets, py::object const_labels) {
             std::shared_ptr<PyRegistry> r = RegistryArg(registry);
             obsv::RequestMetricsOptions o;
             o.prefix = prefix;
             o.endpoint = endpoint;
             if (duration_buckets) {
               o.duration_buckets = *duration_buckets;
               if (!o.duration_buckets.empty() && std::isinf(o.duration_buckets.back())) o.duration_buckets.pop_back();
             }
             if (size_buckets) {
               o.size_buckets = *size_buckets;
               if (!o.size_buckets.empty() && std::isinf(o.size_buckets.back())) o.size_buckets.pop_back();
             }
             o.const_labels = LabelsArg(const_labels);
             return PyRequestMetrics{r->registry, Check(obsv::RequestMetrics::Create(r->registry.get(), o))};
           }),
           py::arg("prefix"), py::arg("endpoint"), py::kw_only(), py::arg("registry") = py::none(),
           py::arg("duration_buckets") = py::none(), py::arg("size_buckets") = py::none(),
           py::arg("const_labels") = py::none())
      .def(
          "observe",
          [](const PyRequestMetrics& self, std::string_view method, int code, double duration, double response_bytes) {
            self.metrics.Observe(method, code, duration, response_bytes);
          },
          py::arg("method"), py::arg("code"), py::arg("duration"), py::arg("response_bytes"),
          "observe(method, code, duration, response_bytes) -> None\n\nRecords one finished request (duration in "
          "seconds). Unknown methods count as \"OTHER\", codes outside 100..599 as \"unknown\".")
      .def_property_readonly("names", [](const PyRequestMetrics& self) {
        return py::make_tuple(self.metrics.counter_name(), self.metrics.duration_name(), self.metrics.size_name());
      });

  m.def(
      "register_build_info",
      [](const std::string& program, const std::string& version, const std::string& revision,
         const std::string& branch, const std::string& build_date, std::optional<std::string> compiler,
         py::object extra_labels, py::object registry) {
        std::shared_ptr<PyRegistry> r = RegistryArg(registry);
        obsv::BuildInfo b;
        b.version = version;
        b.revision = revision;
        b.branch = branch;
        b.build_date = build_date;
        b.compiler = compiler ? *compiler : "python " + py::module_::import("platform").attr("python_version")().cast<std::string>();
        b.extra_labels = LabelsArg(extra_labels);
        Check(obsv::RegisterBuildInfo(r->registry.get(), program, b));
      },
      py::arg("program"), py::kw_only(), py::arg("version") = "", py::arg("revision") = "", py::arg("branch") = "",
      py::arg("build_date") = "", py::arg("compiler") = py::none(), py::arg("extra_labels") = py::none(),
      py::arg("registry") = py::none(),
      "register_build_info(program, *, version='', revision='', branch='', build_date='', compiler=None, "
      "extra_labels=None, registry=None) -> None\n\nRegisters the gauge "
      "<program>_build_info{version,revision,branch,build_date,compiler,...} = 1 (compiler None: \"python X.Y.Z\").");
}

}  // namespace

void RegisterRegistry(py::module_& parent) {
  py::module_ m = parent.def_submodule("registry", "C++ core of obsv.registry");

  py::class_<PyRegistry, std::shared_ptr<PyRegistry>>(
      m, "Registry",
      "Registry(*, legacy_names_only=False)\n\nA metrics registry: families, collectors, exposition. "
      "Thread-safe.")
      .def(py::init<bool>(), py::kw_only(), py::arg("legacy_names_only") = false)
      .def(
          "_collect_openmetrics", [](const PyRegistry& self) { return CollectOpenMetrics(self); },
          "Internal (Registry.collect()): (OpenMetrics body, {(count sample name, labels): native dict}).")
      .def(
          "expose",
          [](const PyRegistry& self, py::object accept, py::object format, py::object accept_encoding) -> py::tuple {
            obsv::NegotiatedFormat n;
            std::string fscratch;
            if (!format.is_none() && py::isinstance<py::str>(format) &&
                StrView(format, "format", &fscratch) == "protobuf") {
              n.format = obsv::ExpositionFormat::kProtobuf;
              n.content_type = obsv::ContentTypeFor(n.format);
            } else if (!format.is_none()) {
              n.format = *FormatArg(format, false, "format");
              n.content_type = obsv::ContentTypeFor(n.format);
            } else {
              std::string scratch;
              n = obsv::NegotiateFormat(accept.is_none() ? std::string_view()
                                                         : StrView(accept, "accept", &scratch));
            }
            std::string body = ExposeText(self, n.format);
            if (accept_encoding.is_none()) {
              return py::make_tuple(py::bytes(body), py::str(std::string(n.content_type)));
            }
            std::string scratch;
            std::string_view ae = StrView(accept_encoding, "accept_encoding", &scratch);
            std::string encoding;
            if (obsv::AcceptsGzip(ae)) {
              std::string gz;
              absl::Status st;
              {
                py::gil_scoped_release release;
                st = obsv::GzipCompress(body, 1, &gz);
              }
              if (!st.ok()) RaiseStatus(st);
              body = std::move(gz);
              encoding = "gzip";
            }
            return py::make_tuple(py::bytes(body), py::str(std::string(n.content_type)), py::str(encoding));
          },
          py::kw_only(), py::arg("accept") = py::none(), py::arg("format") = py::none(),
          py::arg("accept_encoding") = py::none(),
          "expose(*, accept=None, format=None, accept_encoding=None) -> tuple\n\nThe registry as (body, content "
          "type): in the format an HTTP Accept header asks for (text 0.0.4 when None), or in `format` (\"text\", "
          "\"openmetrics\", \"protobuf\": delimited io.prometheus.client.MetricFamily, the one format with native "
          "histograms). With `accept_encoding` (an HTTP Accept-Encoding header, \"\" for none), returns "
          "(body, content type, content encoding): the body gzip-compressed and the encoding \"gzip\" when the "
          "header accepts gzip (q-values honoured), else the plain body and \"\". Runs without the GIL except for "
          "Python collectors; a collector's exception is raised here.")
      .def(
          "add_process_collector",
          [](PyRegistry& self, const std::string& ns, const std::string& proc_root, const std::string& name,
             double ttl) {
            if (!(ttl >= 0) || std::isinf(ttl)) throw py::value_error("ttl must be >= 0 seconds");
            obsv::ProcessCollectorOptions o;
            o.name_prefix = ns;
            o.proc_root = proc_root;
            o.collector_name = name;
            o.cache_ttl = absl::Seconds(ttl);
            absl::Status s = obsv::AddProcessCollector(self.registry.get(), o);
            if (!s.ok()) RaiseStatus(s);
            return name;
          },
          py::kw_only(), py::arg("namespace") = "", py::arg("proc_root") = "/proc", py::arg("name") = "process",
          py::arg("ttl") = 0.0,
          "add_process_collector(*, namespace='', proc_root='/proc', name='process', ttl=0.0) -> str\n\n"
          "Adds client_golang's process metrics (process_cpu_seconds_total, process_resident_memory_bytes, "
          "process_virtual_memory_bytes, process_virtual_memory_max_bytes, process_open_fds, process_max_fds, "
          "process_start_time_seconds, process_threads), read from /proc at each expose (or once per `ttl` "
          "seconds); `namespace` prefixes them. Unreadable /proc files only drop what they feed. Returns the "
          "collector name (for unregister_collector). ValueError for a bad namespace or a name already taken.")
      .def(
          "register_collector",
          [](PyRegistry& self, py::object fn, double ttl, std::optional<std::string> name) {
            if (!PyCallable_Check(fn.ptr())) throw py::type_error("register_collector() needs a callable");
            if (!(ttl >= 0) || std::isinf(ttl)) throw py::value_error("ttl must be >= 0 seconds");
            std::string n = name ? *name : "py:" + std::to_string(++self.collector_seq);
            auto callable = std::make_shared<PyCallable>(std::move(fn));
            absl::Status s = self.registry->AddCollector(
                n, [callable]() { return RunCollector(*callable); }, absl::Seconds(ttl));
            if (!s.ok()) RaiseStatus(s);
            return n;
          },
          py::arg("collector"), py::kw_only(), py::arg("ttl") = 0.0, py::arg("name") = py::none(),
          "register_collector(collector, *, ttl=0.0, name=None) -> str\n\n`collector()` returns an iterable of "
          "obsv.Family, called at each expose (or once per `ttl` seconds). Returns the name to unregister it "
          "with.")
      .def(
          "unregister_collector",
          [](PyRegistry& self, const std::string& name) {
            absl::Status s = self.registry->RemoveCollector(name);
            if (!s.ok()) RaiseStatus(s);
          },
          py::arg("name"))
      .def("__len__", [](const PyRegistry& self) { return self.registry->family_count(); });

  // The default registry of the metric constructors (registry=None).
  m.attr("REGISTRY") = py::cast(std::make_shared<PyRegistry>(false));

  AddCounter(m);
  AddGauge(m);
  AddHistogram(m);
  AddGaugeHistogram(m);
  AddSummary(m);
  AddInfo(m);
  AddStateSet(m);
  AddHelpers(m);

  m.def("default_buckets", &obsv::DefaultBuckets);
  m.def(
      "negotiate",
      [](py::object accept) {
        std::string scratch;
        obsv::NegotiatedFormat n =
            obsv::NegotiateFormat(accept.is_none() ? std::string_view() : StrView(accept, "accept", &scratch));
        return py::make_tuple(std::string(obsv::ExpositionFormatName(n.format)), std::string(n.content_type));
      },
      py::arg("accept"));
}

}  // namespace obsv_py
