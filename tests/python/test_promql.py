"""Tests of obsv.promql: printing against Prometheus's own outputs (the
oracle files of tests/testdata/promql, made by Prometheus's parser), the
read-only syntax tree, tenant scoping, series selectors, templates, errors
and limits."""

from __future__ import annotations

import pickle
import threading
from pathlib import Path

import pytest

import obsv
from obsv import promql

TESTDATA = Path(__file__).resolve().parents[1] / "testdata" / "promql"


def _lines(name, unescape=True):
    # One query per line; a newline inside one is written as the two
    # characters \n (the oracle writes its outputs the same way).
    lines = (TESTDATA / name).read_text(encoding="utf-8").splitlines()
    return [line.replace("\\n", "\n") for line in lines] if unescape else lines


def _escaped(text):
    return text.replace("\n", "\\n")


def _corpus():
    queries = _lines("valid.txt")
    canonical = _lines("valid.expected", unescape=False)
    pretty = _lines("valid.pretty.expected", unescape=False)
    assert len(queries) == len(canonical) == len(pretty) >= 300
    return list(zip(queries, canonical, pretty))


CORPUS = _corpus()

# Where obsv knowingly prints something else than Prometheus v0.309.1 (see
# tests/promql/corpus_test.cc): the labels of on()/group_left() quoted when
# they need it (prometheus/prometheus#15243).
DIVERGENCES = [
    ("on (service.name) group_left (service.version)", 'on ("service.name") group_left ("service.version")'),
]


def _with_divergences(expected):
    for theirs, ours in DIVERGENCES:
        expected = expected.replace(theirs, ours)
    return expected


def test_format_and_prettify_equal_prometheus_on_the_corpus():
    for query, canonical, pretty in CORPUS:
        assert canonical.startswith("OK\t") and pretty.startswith("OK\t")
        assert _escaped(promql.format(query)) == _with_divergences(canonical[3:]), query
        assert _escaped(promql.prettify(query)) == _with_divergences(pretty[3:]), query


def test_invalid_corpus_is_refused_at_prometheus_offsets():
    queries = _lines("invalid.txt")
    expected = _lines("invalid.expected")
    for query, exp in zip(queries, expected):
        _, offset, _message = exp.split("\t", 2)
        with pytest.raises(promql.PromQLError) as info:
            promql.parse(query)
        if int(offset) >= 0:
            assert info.value.offset == int(offset), query
        assert "parse error" in str(info.value)


def test_error_attributes_and_pickle():
    with pytest.raises(promql.PromQLError) as info:
        promql.parse("sum(x,\n  y")
    e = info.value
    assert isinstance(e, ValueError)
    assert e.code == "syntax"
    assert str(e).startswith(f"{e.line}:{e.column}: parse error: ")
    again = pickle.loads(pickle.dumps(e))
    assert (again.code, again.line, again.column, again.offset) == (e.code, e.line, e.column, e.offset)
    with pytest.raises(promql.PromQLError) as info:
        promql.parse('x{a="b}')
    assert info.value.code == "unterminated_string"
    assert obsv.PromQLError is promql.PromQLError


def test_tree_is_read_only_and_complete():
    q = promql.parse('topk(3, sum without (instance) (rate(http_requests_total{job=~"api|web"}[5m] offset 1m)))'
                     ' / on (job) group_left (team) max by (job, team) (team_info)')
    root = q.root
    assert isinstance(root, promql.Binary)
    assert root.op == "/" and root.type == "vector"
    assert root.matching == promql.VectorMatching("many_to_one", True, ("job",), ("team",))
    topk = root.lhs
    assert isinstance(topk, promql.Aggregate) and topk.op == "topk"
    assert isinstance(topk.param, promql.NumberLiteral) and topk.param.value == 3
    s = topk.expr
    assert s.op == "sum" and s.without and s.grouping == ("instance",)
    rate = s.expr
    assert isinstance(rate, promql.Call) and rate.func == "rate"
    m = rate.args[0]
    assert isinstance(m, promql.MatrixSelector) and m.range == 300 and m.type == "matrix"
    assert m.selector.name == "http_requests_total" and m.selector.offset == 60
    assert m.selector.matchers == (promql.Matcher("job", "=~", "api|web"),)
    assert q.text[m.start:m.end] == 'http_requests_total{job=~"api|web"}[5m] offset 1m'
    assert [sel.name for sel in q.selectors()] == ["http_requests_total", "team_info"]
    with pytest.raises(Exception):
        root.op = "*"  # frozen
    sub = promql.parse("max_over_time(rate(x[1m])[1h:5m] @ end())").root.args[0]
    assert isinstance(sub, promql.Subquery) and (sub.range, sub.step, sub.at) == (3600, 300, "end()")
    assert promql.parse('"a\\tb"').root == promql.StringLiteral("string", 0, 6, "a\tb")
    assert isinstance(promql.parse("-x").root, promql.Unary)
    assert isinstance(promql.parse("(x)").root, promql.Paren)


def test_deep_tree_builds_without_recursion_limits():
    depth = 250
    q = promql.parse("(" * depth + "x" + ")" * depth)
    n = 0
    node = q.root
    while isinstance(node, promql.Paren):
        node = node.expr
        n += 1
    assert n == depth and isinstance(node, promql.VectorSelector)
    with pytest.raises(promql.PromQLError) as info:
        promql.parse("(" * 100_000 + "x" + ")" * 100_000)
    assert info.value.code == "limit_exceeded"


def test_limits_and_experimental_functions():
    with pytest.raises(promql.PromQLError) as info:
        promql.parse("((((x))))", max_depth=3)
    assert info.value.code == "limit_exceeded"
    with pytest.raises(promql.PromQLError):
        promql.parse("limitk(1, x)")
    assert promql.format("limitk(1, x)", experimental_functions=True) == "limitk(1, x)"
    with pytest.raises(TypeError):
        promql.parse("x", max_bogus=3)
    with pytest.raises(promql.PromQLError):
        promql.parse("rate(x[5m + 1m])")
    assert promql.format("rate(x[5m + 1m])", duration_expressions=True) == "rate(x[5m + 1m])"
    assert promql.format("x[5m] anchored", extended_range_selectors=True, duration_expressions=False) == \
        "x[5m] anchored"


def _every_selector_scoped(text, matcher):
    q = promql.parse(text, experimental_functions=True)
    sels = list(q.selectors())
    return all(matcher in s.matchers for s in sels)


def test_inject_scopes_every_selector_of_the_corpus():
    scoper = promql.Injector({"tenant": "a"}, policy="replace")
    want = promql.Matcher("tenant", "=", "a")
    for query, _, _ in CORPUS:
        out = scoper.inject(query)
        assert _every_selector_scoped(out, want), (query, out)
        assert scoper.inject(out) == out  # idempotent


def test_inject_forms_of_enforce():
    q = "topk(scalar(secret), up)"
    expected = 'topk(scalar(secret{tenant="a"}), up{tenant="a"})'
    assert promql.inject(q, {"tenant": "a"}) == expected
    assert promql.inject(q, 'tenant="a"') == expected
    assert promql.inject(q, ['tenant="a"']) == expected
    assert promql.inject(q, [("tenant", "=", "a")]) == expected
    assert promql.inject(q, [promql.Matcher("tenant", "=", "a")]) == expected
    assert promql.inject("up", {"tenant": ["b.c", "a", "a"]}) == 'up{tenant=~"a|b\\\\.c"}'
    assert promql.matcher_for_values("tenant", ["b", "a"]) == promql.Matcher("tenant", "=~", "a|b")


def test_policies():
    with pytest.raises(promql.ScopeError) as info:
        promql.inject('up + x{tenant="z"}', {"tenant": "a"})
    e = info.value
    assert e.code == "permission_denied" and (e.line, e.column, e.offset) == (1, 8, 7)
    assert isinstance(e, promql.PromQLError)
    assert promql.inject('x{tenant="a"}', {"tenant": "a"}) == 'x{tenant="a"}'
    assert promql.inject('x{tenant="z"}', {"tenant": "a"}, policy="replace") == 'x{tenant="a"}'
    assert promql.inject('x{tenant="z"}', {"tenant": "a"}, policy="intersect") == 'x{tenant="a",tenant="z"}'
    with pytest.raises(ValueError):
        promql.Injector({"tenant": "a"}, policy="bogus")
    # Label names are compared after unescaping.
    with pytest.raises(promql.ScopeError):
        promql.inject('{"ten\\u0061nt"="b", __name__="x"}', {"tenant": "a"})


def test_invalid_enforced_sets():
    for bad in ({"__name__": "up"}, {}, [("tenant", "=~", "a(")], [("tenant", "=", "")], {"tenant": []}):
        with pytest.raises(promql.PromQLError):
            promql.Injector(bad)
    with pytest.raises(promql.PromQLError):
        promql.Injector("not a matcher")


def test_inject_selectors():
    scoper = promql.Injector({"tenant": "a"})
    assert scoper.inject_selectors([]) == ['{tenant="a"}']
    assert scoper.inject_selectors(["up", '{job="x"}']) == ['up{tenant="a"}', '{job="x",tenant="a"}']
    with pytest.raises(promql.PromQLError) as info:
        scoper.inject_selectors(["up", "rate(x[5m])"])
    assert str(info.value).startswith("match[1]: ")
    with pytest.raises(promql.ScopeError):
        scoper.inject_selectors(['up{tenant="b"}'])


def test_templates_escape_for_the_place():
    t = 'sum(rate(x{namespace="{{ns}}",pod=~"{{service}}-.*"}[{{range}}]))'
    out = promql.expand_template(t, {"ns": 'p"}) or vector(1) #', "service": "api.v2", "range": "5m"})
    root = promql.parse(out).root
    sel = root.expr.args[0].selector
    assert sel.matchers == (promql.Matcher("namespace", "=", 'p"}) or vector(1) #'),
                            promql.Matcher("pod", "=~", "api\\.v2-.*"))
    with pytest.raises(promql.PromQLError) as info:
        promql.expand_template(t, {"ns": "a", "service": "b", "range": "5m] or vector(1"})
    assert "range" in str(info.value) and info.value.offset == t.index("{{range}}")
    with pytest.raises(promql.PromQLError) as info:
        promql.expand_template(t, {"ns": "a", "service": "b"})
    assert "range" in str(info.value)


def test_threads_share_an_injector():
    scoper = promql.Injector({"tenant": "a"}, policy="replace")
    queries = [q for q, _, _ in CORPUS]
    expected = [scoper.inject(q) for q in queries]
    errors = []

    def work():
        for q, e in zip(queries, expected):
            if scoper.inject(q) != e:
                errors.append(q)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
