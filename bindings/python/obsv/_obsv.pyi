"""Type stubs for obsv._obsv, the C++ core of obsv (re-exported by obsv)."""

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal, Optional, TypeVar, Union, final, overload

from typing_extensions import Buffer  # PEP 688 (typing_extensions.Buffer; collections.abc.Buffer in 3.12)

_Data = Union[bytes, bytearray, memoryview, str, Buffer]
# "text", "openmetrics" or a Content-Type header value.
_Format = str
_MetricType = Literal[
    "counter", "gauge", "histogram", "gaugehistogram", "summary", "info", "stateset", "unknown"
]
_Limit = Optional[int]

@final
class Exemplar:
    labels: dict[str, str]
    value: float
    timestamp: Optional[float]
    timestamp_ms: Optional[int]
    def __new__(
        cls, labels: Mapping[str, str], value: float, timestamp: Optional[float] = None
    ) -> Exemplar: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class Sample:
    name: str
    labels: dict[str, str]
    value: float
    timestamp: Optional[float]
    timestamp_ms: Optional[int]
    exemplar: Optional[Exemplar]
    @property
    def suffix(self) -> str: ...
    @property
    def native(self) -> Optional[dict[str, Any]]: ...
    def __new__(
        cls,
        name: str,
        labels: Mapping[str, str],
        value: float,
        timestamp: Optional[float] = None,
        exemplar: Optional[Exemplar] = None,
    ) -> Sample: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class Family:
    name: str
    @property
    def type(self) -> _MetricType: ...
    @type.setter
    def type(self, value: str) -> None: ...
    help: Optional[str]
    unit: str
    @property
    def samples(self) -> list[Sample]: ...
    @samples.setter
    def samples(self, value: Iterable[Sample]) -> None: ...
    def __new__(
        cls,
        name: str,
        type: str,
        help: Optional[str] = None,
        unit: str = "",
        samples: Optional[Iterable[Sample]] = None,
    ) -> Family: ...
    def __len__(self) -> int: ...
    def __eq__(self, value: object, /) -> bool: ...
    __hash__: None  # type: ignore[assignment]

@final
class Parser:
    def __init__(
        self,
        format: Optional[_Format] = None,
        strict: bool = False,
        *,
        max_body_bytes: _Limit = ...,
        max_line_bytes: _Limit = ...,
        max_labels_per_series: _Limit = ...,
        max_label_name_bytes: _Limit = ...,
        max_label_value_bytes: _Limit = ...,
        max_series: _Limit = ...,
        max_families: _Limit = ...,
    ) -> None: ...
    def feed(self, chunk: _Data) -> list[Family]: ...
    def close(self) -> list[Family]: ...
    def reset(self) -> None: ...
    @property
    def format(self) -> Optional[Literal["text", "openmetrics"]]: ...

def parse(
    data: _Data,
    format: Optional[_Format] = None,
    strict: bool = False,
    *,
    max_body_bytes: _Limit = ...,
    max_line_bytes: _Limit = ...,
    max_labels_per_series: _Limit = ...,
    max_label_name_bytes: _Limit = ...,
    max_label_value_bytes: _Limit = ...,
    max_series: _Limit = ...,
    max_families: _Limit = ...,
) -> Iterator[Family]: ...
def write(families: Iterable[Family], format: _Format = "text", write_eof: bool = True) -> bytes: ...
def convert(
    data: _Data,
    to: _Format,
    format: Optional[_Format] = None,
    strict: bool = False,
    write_eof: bool = True,
    *,
    max_body_bytes: _Limit = ...,
    max_line_bytes: _Limit = ...,
    max_labels_per_series: _Limit = ...,
    max_label_name_bytes: _Limit = ...,
    max_label_value_bytes: _Limit = ...,
    max_series: _Limit = ...,
    max_families: _Limit = ...,
) -> bytes: ...
def detect_format(data: _Data) -> Literal["text", "openmetrics"]: ...
def format_from_content_type(content_type: str) -> Literal["text", "openmetrics"]: ...
def content_type(format: _Format = "text") -> str: ...
def version() -> str: ...

# The C++ halves of obsv.promql and obsv.logql (see obsv/promql.py and
# obsv/logql.py for the public API).
class _QueryCore:
    def __getattr__(self, name: str) -> object: ...

promql: _QueryCore
logql: _QueryCore

# The C++ half of obsv.registry (obsv/registry.py re-exports it and adds
# time(), track_inprogress(), count_exceptions(), Registry.counter(), ...).
class _Registry:
    def __init__(self, *, legacy_names_only: bool = False) -> None: ...
    @overload
    def _collect_openmetrics(self) -> tuple[bytes, dict[Any, dict[str, Any]]]: ...
    def expose(
        self, *, accept: Optional[str] = None, format: Optional[_Format] = None, accept_encoding: None = None
    ) -> tuple[bytes, str]: ...
    @overload
    def expose(
        self, *, accept: Optional[str] = None, format: Optional[_Format] = None, accept_encoding: str
    ) -> tuple[bytes, str, str]: ...
    def add_process_collector(
        self, *, namespace: str = "", proc_root: str = "/proc", name: str = "process", ttl: float = 0.0
    ) -> str: ...
    def register_collector(
        self, collector: Callable[[], Iterable[Family]], *, ttl: float = 0.0, name: Optional[str] = None
    ) -> str: ...
    def unregister_collector(self, name: str) -> None: ...
    def __len__(self) -> int: ...
    # Added by obsv/registry.py:
    def counter(self, name: str, documentation: str = "", labelnames: Sequence[str] = ..., **kwargs: Any) -> _Counter: ...
    def gauge(self, name: str, documentation: str = "", labelnames: Sequence[str] = ..., **kwargs: Any) -> _Gauge: ...
    def histogram(self, name: str, documentation: str = "", labelnames: Sequence[str] = ..., **kwargs: Any) -> _Histogram: ...
    def gaugehistogram(self, name: str, documentation: str = "", labelnames: Sequence[str] = ..., **kwargs: Any) -> _GaugeHistogram: ...
    def summary(self, name: str, documentation: str = "", labelnames: Sequence[str] = ..., **kwargs: Any) -> _Summary: ...
    def info(self, name: str, documentation: str = "", labelnames: Sequence[str] = ..., **kwargs: Any) -> _Info: ...
    def stateset(self, name: str, documentation: str = "", labelnames: Sequence[str] = ..., **kwargs: Any) -> _StateSet: ...
    def get_sample_value(self, name: str, labels: Optional[Mapping[str, str]] = None) -> Optional[float]: ...
    def collect(self) -> list[Family]: ...

_M = TypeVar("_M", bound="_Metric")

class _Metric:
    def __init__(
        self,
        name: str,
        documentation: str = "",
        labelnames: Sequence[str] = ...,
        namespace: str = "",
        subsystem: str = "",
        unit: str = "",
        registry: Optional[_Registry] = None,
        *,
        const_labels: Optional[Mapping[str, str]] = None,
        max_series: int = 0,
        overflow: Literal["refuse", "series"] = "refuse",
        overflow_label_value: str = "__overflow__",
    ) -> None: ...
    @property
    def name(self) -> str: ...
    @property
    def labelnames(self) -> tuple[str, ...]: ...
    def labels(self: _M, *values: object, **labels: object) -> _M: ...
    def remove(self, *values: object) -> None: ...
    def clear(self) -> None: ...
    def __len__(self) -> int: ...

class _Counter(_Metric):
    def inc(self, amount: float = 1, exemplar: Optional[Mapping[str, str]] = None) -> None: ...
    def count_exceptions(self, exception: type[BaseException] = ...) -> Any: ...  # obsv/registry.py
    @property
    def value(self) -> float: ...

class _Gauge(_Metric):
    def inc(self, amount: float = 1.0) -> None: ...
    def dec(self, amount: float = 1.0) -> None: ...
    def set(self, value: float) -> None: ...
    def set_to_current_time(self) -> None: ...
    @property
    def value(self) -> float: ...
    def time(self) -> Any: ...  # obsv/registry.py
    def track_inprogress(self) -> Any: ...  # obsv/registry.py

class _Histogram(_Metric):
    def __init__(
        self,
        *args: Any,
        buckets: Optional[Sequence[float]] = None,
        native_histogram_bucket_factor: Optional[float] = None,
        native_histogram_zero_threshold: Optional[float] = None,
        native_histogram_max_bucket_number: int = 160,
        native_histogram_min_reset_duration: float = 0.0,
        native_histogram_max_zero_threshold: float = 0.0,
        **kwargs: Any,
    ) -> None: ...
    def observe(self, amount: float, exemplar: Optional[Mapping[str, str]] = None) -> None: ...
    def native(self) -> Optional[dict[str, Any]]: ...
    def time(self) -> Any: ...  # obsv/registry.py
    @property
    def count(self) -> int: ...
    @property
    def sum(self) -> float: ...
    def buckets(self) -> list[tuple[float, int]]: ...

class _GaugeHistogram(_Metric):
    def __init__(self, *args: Any, buckets: Optional[Sequence[float]] = None, **kwargs: Any) -> None: ...
    def observe(self, amount: float, n: int = 1) -> None: ...
    @property
    def gcount(self) -> int: ...
    @property
    def gsum(self) -> float: ...
    def buckets(self) -> list[tuple[float, int]]: ...

class _Summary(_Metric):
    def __init__(
        self,
        *args: Any,
        quantiles: Sequence[float] = ...,
        max_age: float = 600.0,
        age_buckets: int = 5,
        **kwargs: Any,
    ) -> None: ...
    def observe(self, amount: float) -> None: ...
    def time(self) -> Any: ...  # obsv/registry.py

class _StateSet(_Metric):
    def __init__(self, *args: Any, states: Sequence[str], **kwargs: Any) -> None: ...
    def state(self, state: str) -> None: ...
    def set(self, state: str, value: bool = True) -> None: ...
    def is_set(self, state: str) -> bool: ...

class _Info:
    def __init__(self, *args: Any, **kwargs: Any) -> None: ...
    @property
    def name(self) -> str: ...
    def labels(self, *values: object, **labels: object) -> _Info: ...
    def info(self, val: Mapping[str, str]) -> None: ...

class _RequestMetrics:
    def __init__(
        self,
        prefix: str,
        endpoint: str,
        *,
        registry: Optional[_Registry] = None,
        duration_buckets: Optional[Sequence[float]] = None,
        size_buckets: Optional[Sequence[float]] = None,
        const_labels: Optional[Mapping[str, str]] = None,
    ) -> None: ...
    def observe(self, method: str, code: int, duration: float, response_bytes: float) -> None: ...
    @property
    def names(self) -> tuple[str, str, str]: ...

class _RegistryCore:
    Registry: type[_Registry]
    Counter: type[_Counter]
    Gauge: type[_Gauge]
    Histogram: type[_Histogram]
    GaugeHistogram: type[_GaugeHistogram]
    Summary: type[_Summary]
    Info: type[_Info]
    StateSet: type[_StateSet]
    RequestMetrics: type[_RequestMetrics]
    REGISTRY: _Registry
    def default_buckets(self) -> list[float]: ...
    def negotiate(self, accept: Optional[str]) -> tuple[str, str]: ...
    def register_build_info(
        self,
        program: str,
        *,
        version: str = "",
        revision: str = "",
        branch: str = "",
        build_date: str = "",
        compiler: Optional[str] = None,
        extra_labels: Optional[Mapping[str, str]] = None,
        registry: Optional[_Registry] = None,
    ) -> None: ...

registry: _RegistryCore

def _set_sample_native(sample: Sample, native: dict[str, Any]) -> None: ...
