"""obsv.promql: parse, print and tenant-scope PromQL queries (Prometheus 3).

Prometheus's own grammar and printers, in C++::

    from obsv import promql

    promql.format("sum by(job)(rate(x[5m]))")     # 'sum by (job) (rate(x[5m]))'
    print(promql.prettify(long_dashboard_query))  # Prometheus's Prettify()

    # Scope every selector to what the caller may see:
    promql.inject("topk(scalar(secret), up)", {"tenant": "a"})
    # 'topk(scalar(secret{tenant="a"}), up{tenant="a"})'
    scoper = promql.Injector({"tenant": ["a", "b"]}, policy="error")  # once
    scoper.inject('rate(http_requests_total{job="api"}[5m])')
    scoper.inject_selectors([])                   # ['{tenant=~"a|b"}']

    promql.expand_template('rate(x{pod=~"{{svc}}-.*"}[{{range}}])',
                           {"svc": "api.v2", "range": "5m"})
    # 'rate(x{pod=~"api\\\\.v2-.*"}[5m])'

    q = promql.parse('sum(rate(x{a="b"}[5m]))')
    q.root                         # Aggregate(op='sum', expr=Call(...), ...)
    [s.name for s in q.selectors()]

Enforced matchers (``enforce``) may be given as
  * a dict: ``{"tenant": "a"}`` (equality), ``{"tenant": ["a", "b"]}`` (one of
    the values: ``tenant=~"a|b"`` with regex metacharacters escaped);
  * PromQL matcher text: ``'tenant="a"'``, ``'tenant=~"a|b"'``, or a list of
    such strings;
  * a list of ``Matcher`` or ``(name, op, value)`` tuples.

Policies, for a user's matcher on an enforced label: "error" (refuse the
query with ScopeError, positioned at the matcher; identical matchers pass),
"replace" (drop the user's matcher), "intersect" (keep both, ANDed). Whatever
the policy, the scoped query cannot select series outside the enforced set.

Errors: PromQLError (a ValueError) with code, line, column and offset;
ScopeError (a PromQLError) for a query the policy refuses. Parser limits are
keyword arguments: max_query_bytes, max_depth, max_nodes, max_selectors,
max_matchers_per_selector. Syntax Prometheus gates behind feature flags is
off by default, as there: ``experimental_functions=True`` (limitk, info, ...),
``duration_expressions=True`` (``x[5m + 1m]``), ``extended_range_selectors=True``
(``anchored``, ``smoothed``).

The work runs in C++ without the GIL. Every function is thread-safe; an
Injector may be shared by threads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Mapping, Optional, Sequence, Tuple, Union

from . import _query
from ._errors import PromQLError, ScopeError
from ._obsv import promql as _core

__all__ = [
    "Aggregate",
    "Binary",
    "Call",
    "Expr",
    "Injector",
    "Matcher",
    "MatrixSelector",
    "NumberLiteral",
    "Paren",
    "PromQLError",
    "Query",
    "ScopeError",
    "StringLiteral",
    "Subquery",
    "Unary",
    "VectorMatching",
    "VectorSelector",
    "expand_template",
    "format",
    "inject",
    "inject_selectors",
    "matcher_for_values",
    "parse",
    "prettify",
]


# ---- The syntax tree: read-only objects -------------------------------------

@dataclass(frozen=True)
class Matcher:
    """``name op "value"``; name and value unquoted and unescaped."""

    name: str
    op: str  # "=", "!=", "=~" or "!~"
    value: str

    def __str__(self) -> str:
        return f"{_quote_name(self.name)}{self.op}{_query.quote(self.value)}"


@dataclass(frozen=True)
class Expr(_query.Node["Expr"]):
    """The base of every node. ``type`` is what the node evaluates to
    ("scalar", "vector", "matrix", "string"); ``start``/``end`` its byte range
    in the query."""

    type: str
    start: int
    end: int


@dataclass(frozen=True)
class NumberLiteral(Expr):
    value: float
    is_duration: bool  # written as a duration (5m); value in seconds


@dataclass(frozen=True)
class StringLiteral(Expr):
    value: str


@dataclass(frozen=True)
class VectorSelector(Expr):
    name: str  # the metric name written before the braces, "" if none
    matchers: Tuple[Matcher, ...]  # those inside the braces, in order
    offset: float  # seconds, signed; 0 when absent
    at: Union[None, float, str]  # seconds since the epoch, "start()", "end()"


@dataclass(frozen=True)
class MatrixSelector(Expr):
    selector: VectorSelector
    range: float  # seconds

    def children(self) -> Tuple[Expr, ...]:
        return (self.selector,)


@dataclass(frozen=True)
class Subquery(Expr):
    expr: Expr
    range: float  # seconds
    step: Optional[float]  # seconds; None when omitted
    offset: float
    at: Union[None, float, str]

    def children(self) -> Tuple[Expr, ...]:
        return (self.expr,)


@dataclass(frozen=True)
class Call(Expr):
    func: str
    args: Tuple[Expr, ...]

    def children(self) -> Tuple[Expr, ...]:
        return self.args


@dataclass(frozen=True)
class Aggregate(Expr):
    op: str  # "sum", "topk", ...
    expr: Expr
    param: Optional[Expr]  # topk's k, quantile's phi, count_values' label
    grouping: Tuple[str, ...]
    without: bool

    def children(self) -> Tuple[Expr, ...]:
        return (self.param, self.expr) if self.param is not None else (self.expr,)


@dataclass(frozen=True)
class VectorMatching:
    card: str  # "one_to_one", "many_to_one" (group_left), "one_to_many", "many_to_many"
    on: bool  # on (...) rather than ignoring (...)
    labels: Tuple[str, ...]
    include: Tuple[str, ...]  # group_left/group_right labels


@dataclass(frozen=True)
class Binary(Expr):
    op: str  # "+", "==", "and", "atan2", ...
    lhs: Expr
    rhs: Expr
    bool: bool  # comparison with `bool`
    matching: Optional[VectorMatching]  # between two instant vectors

    def children(self) -> Tuple[Expr, ...]:
        return (self.lhs, self.rhs)


@dataclass(frozen=True)
class Unary(Expr):
    op: str  # "-" or "+"
    expr: Expr

    def children(self) -> Tuple[Expr, ...]:
        return (self.expr,)


@dataclass(frozen=True)
class Paren(Expr):
    expr: Expr

    def children(self) -> Tuple[Expr, ...]:
        return (self.expr,)


def _raw_children(node):
    kind = node[0]
    f = node[4:]
    if kind == "matrix_selector":
        return (f[0],)
    if kind == "subquery":
        return (f[0],)
    if kind == "call":
        return tuple(f[1])
    if kind == "aggregate":
        return (f[1], f[2])
    if kind == "binary":
        return (f[1], f[2])
    if kind == "unary":
        return (f[1],)
    if kind == "paren":
        return (f[0],)
    return ()


def _make(node, get) -> Expr:
    kind, typ, start, end = node[:4]
    f = node[4:]
    if kind == "number":
        return NumberLiteral(typ, start, end, f[0], f[1])
    if kind == "string":
        return StringLiteral(typ, start, end, f[0])
    if kind == "vector_selector":
        return VectorSelector(typ, start, end, f[0], tuple(Matcher(*m) for m in f[1]), f[2], f[3])
    if kind == "matrix_selector":
        return MatrixSelector(typ, start, end, get(f[0]), f[1])
    if kind == "subquery":
        return Subquery(typ, start, end, get(f[0]), f[1], f[2], f[3], f[4])
    if kind == "call":
        return Call(typ, start, end, f[0], tuple(get(a) for a in f[1]))
    if kind == "aggregate":
        return Aggregate(typ, start, end, f[0], get(f[1]), get(f[2]), tuple(f[3]), f[4])
    if kind == "binary":
        matching = None if f[4] is None else VectorMatching(f[4][0], f[4][1], tuple(f[4][2]), tuple(f[4][3]))
        return Binary(typ, start, end, f[0], get(f[1]), get(f[2]), f[3], matching)
    if kind == "unary":
        return Unary(typ, start, end, f[0], get(f[1]))
    if kind == "paren":
        return Paren(typ, start, end, get(f[0]))
    raise AssertionError(f"unknown node kind {kind}")


class Query(_query.Query[Expr]):
    """A parsed query: its text, its tree (``root``, built on first use) and
    its printed forms. Immutable."""

    __slots__ = ()

    def _build(self, raw) -> Expr:
        return _query.build_tree(raw, _raw_children, _make)

    def format(self) -> str:
        """Prometheus's canonical String() form."""
        return self._core.format()

    def pretty(self) -> str:
        """Prometheus's Prettify() form."""
        return self._core.pretty()

    def selectors(self) -> Iterator[VectorSelector]:
        """Every vector selector (also those inside range selectors)."""
        for node in self.root.walk():
            if isinstance(node, VectorSelector):
                yield node


# ---- Functions ----------------------------------------------------------------

_Text = _query.Text
_Enforce = _query.Enforce[Matcher]


def parse(query: _Text, *, experimental_functions: bool = False, **limits: Optional[int]) -> Query:
    """Parses ``query``; raises PromQLError with Prometheus's message and
    position."""
    return Query(_core.parse(query, experimental_functions=experimental_functions, **limits))


def format(query: Union[_Text, Query], **options) -> str:  # noqa: A001 (mirrors Prometheus's name)
    """The canonical form (Prometheus's String()) of a query or Query."""
    if isinstance(query, Query):
        return query.format()
    return parse(query, **options).format()


def prettify(query: Union[_Text, Query], **options) -> str:
    """The indented form (Prometheus's Prettify()) of a query or Query."""
    if isinstance(query, Query):
        return query.pretty()
    return parse(query, **options).pretty()


def _quote_name(name: str) -> str:
    if name and (name[0].isalpha() or name[0] == "_") and all(c.isalnum() or c == "_" for c in name) \
            and name.isascii():
        return name
    return _query.quote(name)


def _matcher_text(text: str) -> Tuple[str, str, str]:
    """``tenant="a"`` as (name, op, value), with PromQL's quoting rules."""
    q = parse("{" + text + "}")
    root = q.root
    if not isinstance(root, VectorSelector) or len(root.matchers) != 1:
        raise PromQLError(f"expected one label matcher such as 'tenant=\"a\"', got {text!r}", "invalid_argument")
    m = root.matchers[0]
    return (m.name, m.op, m.value)


def matcher_for_values(label: str, values: Sequence[str]) -> Matcher:
    """``label="v"`` for one value, ``label=~"v1|v2"`` for several, each value's
    regex metacharacters escaped; sorted and deduplicated."""
    return Matcher(*_core.matcher_for_values(label, list(values)))


class Injector(_query.Injector[Matcher]):
    """Enforced matchers, validated and compiled once; thread-safe.

    ``Injector(enforce, policy="error")``: see the module docstring for the
    forms ``enforce`` takes. Raises PromQLError for an invalid set (no
    matcher, ``__name__``, a regex RE2 refuses, ...).
    """

    __slots__ = ()
    _matcher = Matcher

    def __init__(self, enforce: _Enforce, policy: str = "error") -> None:
        enforced = _query.enforced_tuples(enforce, Matcher, _matcher_text, _core.matcher_for_values)
        self._core = _core.Injector(enforced, policy)

    def inject(self, query: Union[_Text, Query], *, experimental_functions: bool = False,
               **limits: Optional[int]) -> str:
        """The query with the enforced matchers in every selector, in
        canonical form. Raises PromQLError (parse) or ScopeError (policy)."""
        if isinstance(query, Query):
            query = query.text
        return self._core.inject(query, experimental_functions=experimental_functions, **limits)

    def inject_selectors(self, match: Sequence[str], *, experimental_functions: bool = False,
                         **limits: Optional[int]) -> list:
        """The match[] series selectors of /api/v1/series, /labels,
        /label/<name>/values or /federate, scoped; an empty list (match[]
        absent) gives the enforced set alone."""
        return self._core.inject_selectors(_query.selector_list(match),
                                           experimental_functions=experimental_functions, **limits)

    def __repr__(self) -> str:
        return f"Injector({[str(m) for m in self.enforced]!r}, policy={self.policy!r})"


def inject(query: Union[_Text, Query], enforce: _Enforce, *, policy: str = "error", **options) -> str:
    """``Injector(enforce, policy).inject(query, **options)``."""
    return Injector(enforce, policy).inject(query, **options)


def inject_selectors(match: Sequence[str], enforce: _Enforce, *, policy: str = "error", **options) -> list:
    """``Injector(enforce, policy).inject_selectors(match, **options)``."""
    return Injector(enforce, policy).inject_selectors(match, **options)


def expand_template(template: _Text, values: Mapping[str, str], *, experimental_functions: bool = False,
                    **limits: Optional[int]) -> str:
    """Expands ``{{name}}`` placeholders with ``values``, each escaped for the
    place it lands (string, regex, duration, number), and checks that the
    result parses. PromQLError, positioned at the placeholder, for a missing
    value or one unfit for its place."""
    return _core.expand_template(template, _query.template_values(values),
                                 experimental_functions=experimental_functions, **limits)
