"""Type stubs for obsv._obsv, the C++ core of obsv (re-exported by obsv)."""

from collections.abc import Iterable, Iterator, Mapping
from typing import Literal, Optional, Union, final

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

# The C++ half of obsv.promql (see obsv/promql.py for the public API).
class _PromqlCore:
    def __getattr__(self, name: str) -> object: ...

promql: _PromqlCore
