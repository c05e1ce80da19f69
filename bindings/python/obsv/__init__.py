"""obsv: fast Prometheus text 0.0.4 and OpenMetrics 1.0 exposition parsing and writing.

A thin binding of the obsv C++ library. Parse a body into families, change
or build families, write them back in either format::

    import obsv

    for family in obsv.parse(body, format=response.headers["Content-Type"]):
        print(family.name, family.type, len(family))
        for sample in family.samples:
            print(sample.name, sample.labels, sample.value, sample.timestamp)

    fam = obsv.Family("jobs", "counter", help="Jobs run.",
                      samples=[obsv.Sample("jobs_total", {"queue": "a"}, 3)])
    body = obsv.write([fam], format="openmetrics")
    text = obsv.convert(body, to="text")

    p = obsv.Parser(format="text")           # a body arriving in chunks
    for chunk in chunks:
        for family in p.feed(chunk):
            ...
    for family in p.close():
        ...

Contents:
  parse(data, format=None, strict=False, **limits) -> Iterator[Family]
  Parser(format=None, strict=False, **limits)      incremental parsing
  write(families, format="text", write_eof=True) -> bytes
  convert(data, to, format=None, strict=False, write_eof=True, **limits) -> bytes
  Family, Sample, Exemplar                        the model (mutable)
  ParseError                                      a ValueError with code/line/column/offset
  detect_format(data), format_from_content_type(s), content_type(format)
  __version__                                     the linked C++ library's version
  promql                                          PromQL: parse, format, prettify,
                                                  inject (tenant scoping), templates
  logql                                           LogQL (Loki): parse, format, inject
                                                  (tenant scoping), templates
  Registry, Counter, Gauge, Histogram, Summary,   instrumentation: a metrics registry with
  Info, StateSet, REGISTRY                        prometheus_client's names (obsv.registry)

Parsing and writing run in C++ without the GIL, so threads parse in
parallel. Objects are made lazily: a parsed Family builds its Sample objects
when ``samples`` is first read. The classes are not thread-safe for
concurrent mutation (like lists and dicts); parse() and write() are.

Formats are named "text" or "openmetrics"; where a format is taken, a
Content-Type header value is accepted too.
"""

from ._errors import ParseError, PromQLError, ScopeError, SeriesLimitError
from ._obsv import (
    Exemplar,
    Family,
    Parser,
    Sample,
    content_type,
    convert,
    detect_format,
    format_from_content_type,
    parse,
    version as _version,
    write,
)

from . import logql, promql  # noqa: E402 (needs _obsv loaded)
from . import registry  # noqa: E402
from .registry import (  # noqa: E402
    REGISTRY,
    Counter,
    Gauge,
    GaugeHistogram,
    Histogram,
    Info,
    Registry,
    RequestMetrics,
    StateSet,
    Summary,
    register_build_info,
)

__version__: str = _version()

__all__ = [
    "Counter",
    "Exemplar",
    "Family",
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
    "ParseError",
    "Parser",
    "PromQLError",
    "ScopeError",
    "Sample",
    "__version__",
    "content_type",
    "convert",
    "detect_format",
    "format_from_content_type",
    "parse",
    "logql",
    "promql",
    "register_build_info",
    "registry",
    "write",
]
