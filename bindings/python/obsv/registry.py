"""obsv.registry: instrument a Python program and serve /metrics.

prometheus_client's names, on obsv's C++ registry (lock-free sharded cells,
exposition in C++ without the GIL)::

    from obsv import Counter, Histogram, Registry

    registry = Registry()
    requests = Counter("http_requests", "Requests served.", ["method", "code"],
                       registry=registry)
    latency = Histogram("rpc_duration_seconds", "RPC latency.", ["method"],
                        registry=registry)

    ok = requests.labels("GET", "200")   # keep the child for the hot path
    ok.inc()
    with latency.labels(method="Get").time():
        ...

    # In the HTTP handler:
    body, content_type = registry.expose(accept=request.headers.get("Accept"))

    # A collector: families made at scrape time (at most once per ttl).
    registry.register_collector(
        lambda: [obsv.Family("queue_depth", "gauge",
                             samples=[obsv.Sample("queue_depth", {}, len(q))])],
        ttl=5.0)

Metric constructors take ``(name, documentation="", labelnames=(),
namespace="", subsystem="", unit="", registry=None)`` as in
prometheus_client (``registry=None`` is the default ``REGISTRY``), and
keyword-only ``const_labels`` (a dict), ``max_series`` (0: unlimited) with
``overflow`` ("refuse": raise SeriesLimitError; "series": fold new series
into one whose label values are ``overflow_label_value``). Histogram takes
``buckets``, Summary ``quantiles``, ``max_age`` (seconds) and
``age_buckets``, StateSet ``states``. A Histogram with
``native_histogram_bucket_factor`` (> 1) is a native histogram (client_golang's
options: ``native_histogram_zero_threshold``,
``native_histogram_max_bucket_number`` (default 160, 0: no limit),
``native_histogram_min_reset_duration`` (seconds),
``native_histogram_max_zero_threshold``), written with its native buckets
only in ``expose(format="protobuf")`` (or when the Accept header prefers
protobuf, as Prometheus does with native histograms enabled); its classic
``buckets`` default to none. ``Counter.inc()`` and ``Histogram.observe()``
take ``exemplar={...}`` as in prometheus_client (OpenMetrics and protobuf
only). GaugeHistogram is OpenMetrics' gaugehistogram. ``registry.counter(...)`` and its
siblings are the same constructors bound to that registry.

Differences from prometheus_client: registering the same family twice (same
type, labels, buckets...) returns a metric on the existing family instead of
raising; any other clash raises ValueError. Series that ``remove()`` or
``clear()`` drop keep their memory until the registry is gone (children
still held stay safe to use).

Thread safety: everything is thread-safe; updates take no lock.
"""

from __future__ import annotations

import functools
import time as _time
from typing import Any, Callable, Mapping, Optional, Sequence, Tuple

from ._errors import SeriesLimitError
from ._obsv import registry as _core

__all__ = [
    "CONTENT_TYPE_LATEST",
    "Counter",
    "DEFAULT_BUCKETS",
    "Gauge",
    "GaugeHistogram",
    "Histogram",
    "Info",
    "REGISTRY",
    "Registry",
    "RequestMetrics",
    "SeriesLimitError",
    "StateSet",
    "Summary",
    "exponential_buckets",
    "generate_latest",
    "linear_buckets",
    "negotiate",
    "register_build_info",
]

Registry = _core.Registry
Counter = _core.Counter
Gauge = _core.Gauge
Histogram = _core.Histogram
GaugeHistogram = _core.GaugeHistogram
Summary = _core.Summary
Info = _core.Info
StateSet = _core.StateSet
RequestMetrics = _core.RequestMetrics
register_build_info = _core.register_build_info

#: The default registry of the metric constructors.
REGISTRY = _core.REGISTRY

#: Prometheus client libraries' default buckets (.005 ... 10 seconds).
DEFAULT_BUCKETS: Tuple[float, ...] = tuple(_core.default_buckets()) + (float("inf"),)

#: The Content-Type of text 0.0.4 (what generate_latest() writes).
CONTENT_TYPE_LATEST = "text/plain; version=0.0.4; charset=utf-8"


def linear_buckets(start: float, width: float, count: int) -> Tuple[float, ...]:
    """``count`` buckets: start, start+width, ... (Go's LinearBuckets)."""
    return tuple(start + width * i for i in range(count))


def exponential_buckets(start: float, factor: float, count: int) -> Tuple[float, ...]:
    """``count`` buckets: start, start*factor, ... (Go's ExponentialBuckets)."""
    return tuple(start * factor**i for i in range(count))


def negotiate(accept: Optional[str]) -> Tuple[str, str]:
    """The format for an HTTP ``Accept`` header, as client_golang's
    expfmt.Negotiate: ("text", "openmetrics" or "protobuf", the Content-Type
    to send)."""
    return _core.negotiate(accept)


def generate_latest(registry: Any = REGISTRY) -> bytes:
    """The registry in text 0.0.4 (prometheus_client.generate_latest)."""
    return registry.expose(format="text")[0]


# ---- Helpers added to the C++ classes (prometheus_client's conveniences) ----


class _Timer:
    """A context manager and decorator that passes the elapsed seconds to
    ``record``."""

    def __init__(self, record: Callable[[float], None]) -> None:
        self._record = record
        self._start = 0.0

    def __enter__(self) -> "_Timer":
        self._start = _time.perf_counter()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._record(max(_time.perf_counter() - self._start, 0.0))

    def __call__(self, f: Callable) -> Callable:
        @functools.wraps(f)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            with _Timer(self._record):
                return f(*args, **kwargs)

        return wrapped


def _observe_time(self) -> _Timer:
    """time() -> context manager / decorator: observes the seconds spent."""
    return _Timer(self.observe)


def _gauge_time(self) -> _Timer:
    """time() -> context manager / decorator: sets the gauge to the seconds
    spent."""
    return _Timer(self.set)


class _InProgress:
    def __init__(self, gauge) -> None:
        self._gauge = gauge

    def __enter__(self) -> None:
        self._gauge.inc()

    def __exit__(self, *exc: Any) -> None:
        self._gauge.dec()

    def __call__(self, f: Callable) -> Callable:
        @functools.wraps(f)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            with self:
                return f(*args, **kwargs)

        return wrapped


def _track_inprogress(self) -> _InProgress:
    """track_inprogress() -> context manager / decorator: the gauge counts
    the blocks (or calls) running."""
    return _InProgress(self)


class _ExceptionCounter:
    def __init__(self, counter, exception) -> None:
        self._counter = counter
        self._exception = exception

    def __enter__(self) -> None:
        pass

    def __exit__(self, typ, value, traceback) -> None:
        if typ is not None and issubclass(typ, self._exception):
            self._counter.inc()

    def __call__(self, f: Callable) -> Callable:
        @functools.wraps(f)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            with self:
                return f(*args, **kwargs)

        return wrapped


def _count_exceptions(self, exception=Exception) -> _ExceptionCounter:
    """count_exceptions(exception=Exception) -> context manager / decorator:
    counts the exceptions of that type raised through it (and re-raises
    them)."""
    return _ExceptionCounter(self, exception)


# pybind11 classes accept new attributes: these are plain Python on top of
# the C++ methods, off the hot path (declared in _obsv.pyi).
Histogram.time = _observe_time  # type: ignore[method-assign]
Summary.time = _observe_time  # type: ignore[method-assign]
Gauge.time = _gauge_time  # type: ignore[method-assign]
Gauge.track_inprogress = _track_inprogress  # type: ignore[method-assign]
Counter.count_exceptions = _count_exceptions  # type: ignore[method-assign]


def _bind(cls):
    def make(self, name: str, documentation: str = "", labelnames: Sequence[str] = (), **kwargs):
        return cls(name, documentation, list(labelnames), registry=self, **kwargs)

    make.__name__ = cls.__name__.lower()
    make.__doc__ = (
        f"{make.__name__}(name, documentation='', labelnames=(), **kwargs) -> {cls.__name__}\n\n"
        f"{cls.__name__}(..., registry=self): the same keyword arguments."
    )
    return make


def _get_sample_value(
    self, name: str, labels: Optional[Mapping[str, str]] = None
) -> Optional[float]:
    """get_sample_value(name, labels=None) -> float | None

    The value of one sample of the exposition (a full sample name such as
    ``x_total`` or ``x_bucket``), or None (prometheus_client's
    CollectorRegistry.get_sample_value). For tests: it exposes and parses the
    whole registry."""
    from . import parse

    want = labels or {}
    body, _ = self.expose(format="openmetrics")
    for family in parse(body, format="openmetrics"):
        for sample in family.samples:
            if sample.name == name and sample.labels == want:
                return sample.value
    return None


def _collect(self) -> list:
    """collect() -> list[obsv.Family]: the registry as model objects.

    A native histogram's ``_count`` samples carry its buckets in
    ``Sample.native`` (schema, zero_threshold, zero_count, positive and
    negative as [(bucket index, count)]), from the same snapshot as the
    sample values."""
    from . import parse
    from ._obsv import _set_sample_native

    body, natives = self._collect_openmetrics()
    families = list(parse(body, format="openmetrics"))
    if natives:
        for f in families:
            if f.type != "histogram":
                continue
            for s in f.samples:
                if s.name.endswith("_count"):
                    native = natives.get((s.name, tuple(s.labels.items())))
                    if native is not None:
                        _set_sample_native(s, native)
    return families


Registry.counter = _bind(Counter)  # type: ignore[method-assign]
Registry.gauge = _bind(Gauge)  # type: ignore[method-assign]
Registry.histogram = _bind(Histogram)  # type: ignore[method-assign]
Registry.gaugehistogram = _bind(GaugeHistogram)  # type: ignore[method-assign]
Registry.summary = _bind(Summary)  # type: ignore[method-assign]
Registry.info = _bind(Info)  # type: ignore[method-assign]
Registry.stateset = _bind(StateSet)  # type: ignore[method-assign]
Registry.get_sample_value = _get_sample_value  # type: ignore[method-assign]
Registry.collect = _collect  # type: ignore[method-assign]
