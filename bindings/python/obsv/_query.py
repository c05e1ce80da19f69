"""What obsv.promql and obsv.logql share: the walk of a syntax tree, the
building of one from the C++ core's nested tuples, the base of their Query
and Injector classes and the reading of enforced matchers.

Private: each language module subclasses and calls these with its own node
classes, Matcher and C++ core, and keeps its own docstrings.
"""

from __future__ import annotations

from typing import Callable, Generic, Iterator, List, Mapping, Optional, Sequence, Tuple, TypeVar, Union

Text = Union[str, bytes]
MatcherTuple = Tuple[str, str, str]  # (name, op, value), as the C++ core takes and gives them


def quote(value: str) -> str:
    """``value`` as a double-quoted string of either language."""
    out = ['"']
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


NodeT = TypeVar("NodeT")
MatcherT = TypeVar("MatcherT")


class Node(Generic[NodeT]):
    """The tree walk of every syntax-tree node; subclasses give children().
    ``NodeT`` is the language's node base class (its Expr)."""

    __slots__ = ()

    def children(self) -> Tuple[NodeT, ...]:
        return ()

    def walk(self) -> Iterator[NodeT]:
        """This node and every node below it, depth first, in source order."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children()))


# The forms of ``enforce``, given the language's Matcher.
Enforce = Union[
    Mapping[str, Union[str, Sequence[str]]],
    str,
    Sequence[Union[str, MatcherT, MatcherTuple]],
]


def build_tree(raw, raw_children: Callable, make: Callable) -> Optional[Node]:
    """Turns the C++ core's nested tuples into node objects: ``raw_children``
    gives a raw node's raw children, ``make(node, get)`` the node object, with
    ``get`` the built object of a raw child. Iterative, post-order (children
    are built before parents): trees may be as deep as the parser's
    max_depth."""
    if raw is None:
        return None
    built = {}
    stack = [(raw, False)]
    while stack:
        node, ready = stack.pop()
        if node is None or id(node) in built:
            continue
        if not ready:
            stack.append((node, True))
            stack.extend((k, False) for k in raw_children(node) if k is not None)
            continue
        built[id(node)] = make(node, lambda r: None if r is None else built[id(r)])
    return built[id(raw)]


class Query(Generic[NodeT]):
    """The base of a language's Query: the text and the tree (built on first
    use) of a C++ core query. Subclasses give _build() and the printed
    forms."""

    __slots__ = ("_core", "_root")

    def __init__(self, core) -> None:
        self._core = core
        self._root = None

    @property
    def text(self) -> str:
        """The query as given."""
        return self._core.text

    @property
    def root(self) -> NodeT:
        if self._root is None:
            self._root = self._build(self._core.raw())
        return self._root

    def _build(self, raw) -> NodeT:
        raise NotImplementedError

    def format(self) -> str:
        raise NotImplementedError

    def __str__(self) -> str:
        return self.format()

    def __repr__(self) -> str:
        return f"Query({self.format()!r})"


class Injector(Generic[MatcherT]):
    """The base of a language's Injector: what its C++ core Injector
    (``_core``) enforces, and how. ``_matcher`` is the language's Matcher."""

    __slots__ = ("_core",)

    _matcher: Callable[[str, str, str], MatcherT]

    @property
    def enforced(self) -> Tuple[MatcherT, ...]:
        return tuple(self._matcher(*m) for m in self._core.enforced)

    @property
    def policy(self) -> str:
        return self._core.policy


def selector_list(match: Union[str, Sequence[str]]) -> List[str]:
    """The match[] selectors as the C++ core takes them: a list, where one
    str is one selector (not a sequence of one-letter selectors)."""
    if isinstance(match, str):
        return [match]
    return list(match)


def template_values(values: Mapping[str, str]) -> List[Tuple[str, str]]:
    """expand_template()'s values as the C++ core takes them: (name, value)
    pairs of str."""
    return [(str(k), str(v)) for k, v in values.items()]


def enforced_tuples(enforce: Enforce[MatcherT], matcher_type: type, matcher_text: Callable[[str], MatcherTuple],
                    matcher_for_values: Callable[[str, List[str]], MatcherTuple]) -> List[MatcherTuple]:
    """``enforce`` in any of the forms the language modules document (a dict,
    matcher text, a list of text, Matchers or tuples) as (name, op, value)
    tuples: ``matcher_text`` reads one matcher written in the language,
    ``matcher_for_values`` is the C++ core's."""
    if isinstance(enforce, Mapping):
        out = []
        for name, value in enforce.items():
            if isinstance(value, str):
                out.append((name, "=", value))
            else:
                out.append(matcher_for_values(name, list(value)))
        return out
    if isinstance(enforce, str):
        return [matcher_text(enforce)]
    out = []
    for item in enforce:
        if isinstance(item, str):
            out.append(matcher_text(item))
        elif isinstance(item, matcher_type):
            out.append((item.name, item.op, item.value))
        else:
            name, op, value = item
            out.append((name, op, value))
    return out
