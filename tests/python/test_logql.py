"""obsv.logql: parse, format, inject, endpoint selectors, templates."""

import pytest

from obsv import logql
from obsv.logql import LogQLError, ScopeError


def test_format_and_parse():
    assert logql.format('sum by (app) (rate({app="api"} |= "error" | json [5m]))') == \
        'sum by (app)(rate({app="api"} |= "error" | json[5m]))'
    q = logql.parse('sum(rate({app="a"} | json | unwrap bytes(x) [5m] offset 1m)) / 2')
    root = q.root
    assert isinstance(root, logql.Binary)
    assert root.op == "/"
    agg = root.lhs
    assert isinstance(agg, logql.VectorAggregation) and agg.op == "sum"
    rng = agg.expr
    assert isinstance(rng, logql.RangeAggregation) and rng.op == "rate"
    assert rng.range.range == 300.0 and rng.range.offset == 60.0
    assert rng.range.unwrap == logql.Unwrap("x", "bytes", ())
    sels = list(q.selectors())
    assert [s.matchers for s in sels] == [(logql.Matcher("app", "=", "a"),)]
    assert sels[0].pipeline[0].kind == "json"
    with pytest.raises(AttributeError):
        rng.op = "x"  # read-only


def test_parse_errors():
    with pytest.raises(LogQLError) as e:
        logql.parse('{app="a"} |= ')
    assert e.value.code == "syntax"
    assert str(e.value).startswith("parse error")
    with pytest.raises(LogQLError) as e:
        logql.parse('{app="a"}', max_query_bytes=3)
    assert e.value.code == "limit_exceeded"


def test_inject():
    assert logql.inject('{app="api"} |= "error"', {"resource_id": "r1"}) == \
        '{app="api", resource_id="r1"} |= "error"'
    inj = logql.Injector({"resource_id": ["r2", "r1"]})
    assert inj.enforced == (logql.Matcher("resource_id", "=~", "r1|r2"),)
    out = inj.inject('rate({a="1"}[1m]) / count_over_time({b="2"} |= "{resource_id=\\"x\\"}" [1m])')
    assert out == ('(rate({a="1", resource_id=~"r1|r2"}[1m]) / count_over_time({b="2", '
                   'resource_id=~"r1|r2"} |= "{resource_id=\\"x\\"}"[1m]))')
    assert inj.inject('{resource_id="r1"}') == '{resource_id="r1", resource_id=~"r1|r2"}'
    with pytest.raises(ScopeError) as e:
        inj.inject('{app="a", resource_id="r3"}')
    assert e.value.code == "permission_denied"
    assert (e.value.line, e.value.column, e.value.offset) == (1, 11, 10)
    assert isinstance(e.value, LogQLError)
    assert logql.inject('{resource_id="x"}', 'resource_id="r1"', policy="replace") == '{resource_id="r1"}'
    assert logql.inject('{resource_id="x"}', [("resource_id", "=", "r1")], policy="intersect") == \
        '{resource_id="x", resource_id="r1"}'
    with pytest.raises(LogQLError):
        logql.Injector({"resource-id": "r1"})
    with pytest.raises(ValueError):
        logql.Injector({"resource_id": "r1"}, policy="nope")


def test_refuse_enforced_label_writes():
    q = '{app="a"} | label_format resource_id="r2"'
    assert logql.inject(q, {"resource_id": "r1"}) == '{app="a", resource_id="r1"} | label_format resource_id="r2"'
    with pytest.raises(ScopeError) as e:
        logql.inject(q, {"resource_id": "r1"}, refuse_enforced_label_writes=True)
    assert e.value.offset == 10


def test_endpoint_selectors():
    inj = logql.Injector({"resource_id": "r1"})
    assert inj.inject_selector(None) == '{resource_id="r1"}'
    assert inj.inject_selector('{app="a"}') == '{app="a", resource_id="r1"}'
    with pytest.raises(LogQLError):
        inj.inject_selector('{app="a"} |= "x"')
    assert inj.inject_selector('{app="a"} |= "x"', allow_pipeline=True) == '{app="a", resource_id="r1"} |= "x"'
    assert inj.inject_selectors([]) == ['{resource_id="r1"}']
    assert inj.inject_selectors(['{a="1"}', '{b="2"}']) == ['{a="1", resource_id="r1"}', '{b="2", resource_id="r1"}']
    with pytest.raises(ScopeError) as e:
        inj.inject_selectors(['{a="1"}', '{resource_id="x"}'])
    assert str(e.value).startswith("match[1]: ")


def test_expand_template():
    assert logql.expand_template('{app="{{app}}"} |~ "{{word}}"', {"app": 'a"}', "word": "a.b"}) == \
        '{app="a\\"}"} |~ "a\\\\.b"'
    assert logql.expand_template('rate({a="b"}[{{r}}])', {"r": "5m"}) == 'rate({a="b"}[5m])'
    with pytest.raises(LogQLError) as e:
        logql.expand_template('rate({a="b"}[{{r}}])', {"r": "5m] or vector(1"})
    assert e.value.offset == 13
    assert logql.expand_template('{a="b"} | line_format "{{.msg}}"', {}) == '{a="b"} | line_format "{{.msg}}"'
