"""obsv.logql: parse, print and tenant-scope LogQL queries (Grafana Loki 3).

Loki's grammar and canonical printer (its String(), what
/loki/api/v1/format_query returns), in C++::

    from obsv import logql

    logql.format('sum by (app) (rate({app="api"} |= "error" | json [5m]))')
    # 'sum by (app)(rate({app="api"} |= "error" | json[5m]))'

    # Scope every stream selector to what the caller may read:
    logql.inject('{app="api"} |= "error"', {"resource_id": "r1"})
    # '{app="api", resource_id="r1"} |= "error"'
    scoper = logql.Injector({"resource_id": ["r1", "r2"]}, policy="error")  # once
    scoper.inject('count_over_time({app="api"}[5m])')
    scoper.inject_selector(None)            # '{resource_id=~"r1|r2"}' (/labels, ...)
    scoper.inject_selectors([])             # ['{resource_id=~"r1|r2"}'] (/series match[])

    logql.expand_template('{app="{{app}}"} |~ "{{word}}"', {"app": "api", "word": "a.b"})
    # '{app="api"} |~ "a\\\\.b"'

    q = logql.parse('rate({app="a"} | json [5m])')
    q.root                           # RangeAggregation(op='rate', range=LogRange(...), ...)
    [s.matchers for s in q.selectors()]

Enforced matchers (``enforce``) may be given as a dict (``{"resource_id":
"r1"}``, or a list of values for one of them), LogQL matcher text
(``'resource_id="r1"'``, or a list of such), or a list of ``Matcher`` or
``(name, op, value)`` tuples. Policies, for a user's matcher on an enforced
label inside a selector: "error" (ScopeError), "replace", "intersect", as in
obsv.promql. ``refuse_enforced_label_writes=True`` also refuses pipelines
that rewrite or remove an enforced label (label_format, extraction names,
drop/keep, label_replace); the read set is scoped either way (see
docs/logql.md).

Errors: LogQLError (a ValueError) with code, line, column and offset;
ScopeError (a LogQLError) for a query the policy refuses. Parser limits are
keyword arguments: max_query_bytes, max_depth, max_nodes, max_selectors,
max_pipeline_stages.

The work runs in C++ without the GIL. Every function is thread-safe; an
Injector may be shared by threads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Mapping, Optional, Sequence, Tuple, Union

from . import _query
from ._errors import LogQLError
from ._errors import LogQLScopeError as ScopeError
from ._obsv import logql as _core

__all__ = [
    "Binary",
    "Expr",
    "Injector",
    "LabelReplace",
    "Literal",
    "LogQLError",
    "LogQuery",
    "LogRange",
    "Matcher",
    "Query",
    "RangeAggregation",
    "ScopeError",
    "Stage",
    "Unwrap",
    "Variants",
    "Vector",
    "VectorAggregation",
    "expand_template",
    "format",
    "inject",
    "inject_selector",
    "inject_selectors",
    "matcher_for_values",
    "parse",
    "prettify",
]


# ---- The syntax tree: read-only objects -------------------------------------

@dataclass(frozen=True)
class Matcher:
    """``name op "value"``; value unquoted and unescaped."""

    name: str
    op: str  # "=", "!=", "=~" or "!~"
    value: str

    def __str__(self) -> str:
        return f"{self.name}{self.op}{_query.quote(self.value)}"


@dataclass(frozen=True)
class Stage:
    """One pipeline stage: its kind ("line_filter", "json", "logfmt",
    "regexp", "pattern", "unpack", "label_filter", "line_format",
    "label_format", "decolorize", "drop", "keep") and its canonical text."""

    kind: str
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Expr(_query.Node["Expr"]):
    """The base of every node; ``start``/``end`` its byte range in the query."""

    start: int
    end: int


@dataclass(frozen=True)
class LogQuery(Expr):
    """``{matchers} | stages``: a log query, or the log part of a range."""

    matchers: Tuple[Matcher, ...]
    pipeline: Tuple[Stage, ...]


@dataclass(frozen=True)
class Unwrap:
    label: str
    conversion: str  # "", "bytes", "duration", "duration_seconds"
    post_filters: Tuple[str, ...]  # label filters after the unwrap, as text


@dataclass(frozen=True)
class LogRange:
    log: LogQuery
    range: float  # seconds
    offset: float  # seconds, signed; 0 when absent
    unwrap: Optional[Unwrap]


@dataclass(frozen=True)
class RangeAggregation(Expr):
    op: str  # "rate", "count_over_time", ...
    range: LogRange
    param: Optional[float]  # quantile_over_time's phi
    grouping: Optional[Tuple[bool, Tuple[str, ...]]]  # (without, labels)

    def children(self) -> Tuple[Expr, ...]:
        return (self.range.log,)


@dataclass(frozen=True)
class VectorAggregation(Expr):
    op: str  # "sum", "topk", ...
    expr: Expr
    param: Optional[int]  # topk's k
    without: bool
    grouping: Tuple[str, ...]

    def children(self) -> Tuple[Expr, ...]:
        return (self.expr,)


@dataclass(frozen=True)
class Binary(Expr):
    op: str
    lhs: Expr
    rhs: Expr
    bool: bool
    on: bool
    matching: Tuple[str, ...]
    card: str  # "one_to_one", "many_to_one" (group_left), "one_to_many"
    include: Tuple[str, ...]

    def children(self) -> Tuple[Expr, ...]:
        return (self.lhs, self.rhs)


@dataclass(frozen=True)
class Literal(Expr):
    value: float


@dataclass(frozen=True)
class Vector(Expr):
    value: float


@dataclass(frozen=True)
class LabelReplace(Expr):
    expr: Expr
    dst: str
    replacement: str
    src: str
    regex: str

    def children(self) -> Tuple[Expr, ...]:
        return (self.expr,)


@dataclass(frozen=True)
class Variants(Expr):
    variants: Tuple[Expr, ...]
    range: LogRange

    def children(self) -> Tuple[Expr, ...]:
        return self.variants + (self.range.log,)


def _log(raw) -> Optional[LogQuery]:
    if raw is None:
        return None
    _, start, end, matchers, stages = raw
    return LogQuery(start, end, tuple(Matcher(*m) for m in matchers),
                    tuple(Stage(*s) for s in stages))


def _range(raw) -> LogRange:
    log, rng, offset, unwrap = raw
    uw = None if unwrap is None else Unwrap(unwrap[0], unwrap[1], tuple(unwrap[2]))
    return LogRange(_log(log), rng, offset, uw)


def _raw_children(node):
    kind = node[0]
    f = node[3:]
    if kind == "vector_aggregation":
        return (f[1],)
    if kind == "binary":
        return (f[1], f[2])
    if kind == "label_replace":
        return (f[0],)
    if kind == "variants":
        return tuple(f[0])
    return ()


def _make(node, get) -> Expr:
    kind, start, end = node[:3]
    f = node[3:]
    if kind == "log":
        return _log(node)
    if kind == "range":
        grouping = None if f[3] is None else (f[3][0], tuple(f[3][1]))
        return RangeAggregation(start, end, f[0], _range(f[1]), f[2], grouping)
    if kind == "vector_aggregation":
        return VectorAggregation(start, end, f[0], get(f[1]), f[2], f[3], tuple(f[4]))
    if kind == "binary":
        return Binary(start, end, f[0], get(f[1]), get(f[2]), f[3], f[4], tuple(f[5]), f[6], tuple(f[7]))
    if kind == "literal":
        return Literal(start, end, f[0])
    if kind == "vector":
        return Vector(start, end, f[0])
    if kind == "label_replace":
        return LabelReplace(start, end, get(f[0]), f[1], f[2], f[3], f[4])
    if kind == "variants":
        return Variants(start, end, tuple(get(v) for v in f[0]), _range(f[1]))
    raise AssertionError(f"unknown node kind {kind}")


class Query(_query.Query[Expr]):
    """A parsed query: its text, its tree (``root``, built on first use) and
    its printed forms. Immutable."""

    __slots__ = ()

    def _build(self, raw) -> Expr:
        return _query.build_tree(raw, _raw_children, _make)

    def format(self) -> str:
        """Loki's canonical String() form."""
        return self._core.format()

    def pretty(self) -> str:
        """Loki's Prettify() form."""
        return self._core.pretty()

    def selectors(self) -> Iterator[LogQuery]:
        """Every stream selector (with its pipeline), in print order."""
        for node in self.root.walk():
            if isinstance(node, LogQuery):
                yield node


# ---- Functions ----------------------------------------------------------------

_Text = _query.Text
_Enforce = _query.Enforce[Matcher]


def parse(query: _Text, **limits: Optional[int]) -> Query:
    """Parses ``query``; raises LogQLError with Loki's message and the
    position."""
    return Query(_core.parse(query, **limits))


def format(query: Union[_Text, Query], **limits) -> str:  # noqa: A001 (mirrors Loki's name)
    """The canonical form (Loki's String()) of a query or Query."""
    if isinstance(query, Query):
        return query.format()
    return parse(query, **limits).format()


def prettify(query: Union[_Text, Query], **limits) -> str:
    """The indented form (Loki's Prettify()) of a query or Query."""
    if isinstance(query, Query):
        return query.pretty()
    return parse(query, **limits).pretty()


def _matcher_text(text: str) -> Tuple[str, str, str]:
    root = parse("{" + text + "}").root
    if not isinstance(root, LogQuery) or len(root.matchers) != 1:
        raise LogQLError(f"expected one label matcher such as 'resource_id=\"r1\"', got {text!r}",
                         "invalid_argument")
    m = root.matchers[0]
    return (m.name, m.op, m.value)


def matcher_for_values(label: str, values: Sequence[str]) -> Matcher:
    """``label="v"`` for one value, ``label=~"v1|v2"`` for several (regex
    metacharacters escaped, sorted, deduplicated)."""
    return Matcher(*_core.matcher_for_values(label, list(values)))


class Injector(_query.Injector[Matcher]):
    """Enforced matchers, validated once; thread-safe.

    ``Injector(enforce, policy="error", refuse_enforced_label_writes=False)``.
    Raises LogQLError for an invalid set (no matcher, a name that is not an
    identifier, a regex RE2 refuses, every matcher matching "").
    """

    __slots__ = ()
    _matcher = Matcher

    def __init__(self, enforce: _Enforce, policy: str = "error", *,
                 refuse_enforced_label_writes: bool = False) -> None:
        enforced = _query.enforced_tuples(enforce, Matcher, _matcher_text, _core.matcher_for_values)
        self._core = _core.Injector(enforced, policy, refuse_enforced_label_writes)

    @property
    def refuse_enforced_label_writes(self) -> bool:
        return self._core.refuse_enforced_label_writes

    def inject(self, query: Union[_Text, Query], **limits: Optional[int]) -> str:
        """The query with the enforced matchers appended to every stream
        selector, in canonical form. LogQLError (parse) or ScopeError."""
        if isinstance(query, Query):
            query = query.text
        return self._core.inject(query, **limits)

    def inject_selector(self, query: Optional[_Text], *, allow_pipeline: bool = False,
                        **limits: Optional[int]) -> str:
        """The ``query`` parameter of /loki/api/v1/labels, /label/<name>/values,
        /index/stats, /index/volume(_range) and /patterns, scoped. None or ""
        (absent) gives the enforced selector alone."""
        return self._core.inject_selector(query or "", allow_pipeline, **limits)

    def inject_selectors(self, match: Sequence[str], **limits: Optional[int]) -> list:
        """The match[] selectors of /loki/api/v1/series, scoped; an empty list
        gives the enforced selector alone."""
        return self._core.inject_selectors(_query.selector_list(match), **limits)

    def __repr__(self) -> str:
        return (f"Injector({[str(m) for m in self.enforced]!r}, policy={self.policy!r}, "
                f"refuse_enforced_label_writes={self.refuse_enforced_label_writes!r})")


def inject(query: Union[_Text, Query], enforce: _Enforce, *, policy: str = "error",
           refuse_enforced_label_writes: bool = False, **limits) -> str:
    """``Injector(enforce, policy, ...).inject(query, **limits)``."""
    return Injector(enforce, policy,
                    refuse_enforced_label_writes=refuse_enforced_label_writes).inject(query, **limits)


def inject_selector(query: Optional[_Text], enforce: _Enforce, *, policy: str = "error",
                    allow_pipeline: bool = False, **limits) -> str:
    """``Injector(enforce, policy).inject_selector(query, ...)``."""
    return Injector(enforce, policy).inject_selector(query, allow_pipeline=allow_pipeline, **limits)


def inject_selectors(match: Sequence[str], enforce: _Enforce, *, policy: str = "error",
                     **limits) -> list:
    """``Injector(enforce, policy).inject_selectors(match, **limits)``."""
    return Injector(enforce, policy).inject_selectors(match, **limits)


def expand_template(template: _Text, values: Mapping[str, str], **limits: Optional[int]) -> str:
    """Expands ``{{name}}`` placeholders with ``values``, each escaped for the
    place it lands (string, regex, pattern, duration, label name, token), and
    checks that the result parses. LogQLError, positioned at the
    placeholder, for a missing value or one unfit for its place."""
    return _core.expand_template(template, _query.template_values(values), **limits)
