"""Tests of obsv's Python registry (obsv.Registry, Counter, Gauge, Histogram,
Summary, Info, StateSet): semantics, label errors, exposition read back
with obsv.parse and with prometheus_client's parser, Accept negotiation,
collectors, and concurrent updates."""

from __future__ import annotations

import math
import threading

import pytest

import obsv
from obsv import Counter, Gauge, Histogram, Info, Registry, StateSet, Summary
from registry_values import key, values

prometheus_parser = pytest.importorskip("prometheus_client.parser")
om_parser = pytest.importorskip("prometheus_client.openmetrics.parser")

OM = "application/openmetrics-text; version=1.0.0; charset=utf-8"
TEXT = "text/plain; version=0.0.4; charset=utf-8"


# ---- Semantics ------------------------------------------------------------------


def test_counter():
    r = Registry()
    c = Counter("requests_total", "Requests.", ["method", "code"], registry=r)
    assert c.name == "requests"
    assert c.labelnames == ("method", "code")
    ok = c.labels("GET", "200")
    ok.inc()
    ok.inc(41)
    c.labels(method="GET", code="200").inc(0.5)  # the same series
    c.labels("POST", 500).inc()  # values go through str()
    assert ok.value == 42.5
    assert len(c) == 2
    v = values(r)
    assert v[key("requests_total", method="GET", code="200")] == 42.5
    assert v[key("requests_total", method="POST", code="500")] == 1
    with pytest.raises(ValueError, match="non-negative"):
        ok.inc(-1)
    with pytest.raises(ValueError, match="non-negative"):
        ok.inc(-0.5)
    with pytest.raises(TypeError):
        ok.inc("1")
    with pytest.raises(ValueError, match="non-negative"):
        ok.inc(-(2**70))
    big = Counter("big", registry=r)
    big.inc(2**70)  # beyond 64 bits: the float cell
    assert big.value == 2.0**70


def test_unlabelled_metrics_are_exposed_from_the_start():
    r = Registry()
    Counter("jobs", "Jobs.", registry=r)
    Gauge("temperature", "T.", registry=r)
    v = values(r)
    assert v[key("jobs_total")] == 0
    assert v[key("temperature")] == 0


def test_gauge():
    r = Registry()
    g = Gauge("inflight", "In flight.", registry=r)
    g.set(10)
    g.inc()
    g.inc(2.5)
    g.dec()
    g.dec(0.5)
    assert g.value == 12
    with g.track_inprogress():
        assert g.value == 13
    assert g.value == 12
    g.set_to_current_time()
    assert g.value > 1.6e9
    with g.time():
        pass
    assert 0 <= g.value < 1


def test_histogram():
    r = Registry()
    h = Histogram("rpc_seconds", "RPC latency.", ["method"], registry=r, buckets=[0.1, 1])
    get = h.labels("Get")
    for v in (0.05, 0.5, 0.5, 7):
        get.observe(v)
    assert get.count == 4
    assert get.sum == pytest.approx(8.05)
    assert get.buckets() == [(0.1, 1), (1.0, 3), (math.inf, 4)]
    v = values(r)
    assert v[key("rpc_seconds_bucket", method="Get", le="0.1")] == 1
    assert v[key("rpc_seconds_bucket", method="Get", le="+Inf")] == 4
    assert v[key("rpc_seconds_count", method="Get")] == 4

    @get.time()
    def work():
        return 3

    assert work() == 3
    assert get.count == 5
    d = Histogram("default_buckets", registry=r)
    assert [b for b, _ in d.buckets()] == list(obsv.registry.DEFAULT_BUCKETS)
    with pytest.raises(ValueError):
        Histogram("bad", registry=r, buckets=[1, 0.5])
    with pytest.raises(ValueError, match="reserved"):
        Histogram("bad_le", "", ["le"], registry=r)


def test_summary():
    r = Registry()
    s = Summary("payload_bytes", "Sizes.", registry=r, quantiles=[0.5, 1])
    for i in range(1, 6):
        s.observe(i)
    v = values(r)
    assert v[key("payload_bytes", quantile="0.5")] == 3
    assert v[key("payload_bytes", quantile="1")] == 5
    assert v[key("payload_bytes_count")] == 5
    assert v[key("payload_bytes_sum")] == 15
    with pytest.raises(ValueError):
        Summary("bad_q", registry=r, quantiles=[1.5])


def test_info():
    r = Registry()
    i = Info("build", "Build information.", registry=r)
    i.info({"version": "1.2.3", "revision": "abc"})
    v = values(r)
    assert v[key("build_info", version="1.2.3", revision="abc")] == 1
    i.info({"revision": "def", "version": "1.2.4"})  # replaces, in any key order
    v = values(r)
    assert key("build_info", version="1.2.3", revision="abc") not in v
    assert v[key("build_info", version="1.2.4", revision="def")] == 1
    with pytest.raises(ValueError, match="keys"):
        i.info({"version": "1"})
    labelled = Info("host", "", ["dc"], registry=r)
    with pytest.raises(ValueError, match="labels"):
        labelled.info({"name": "a"})
    labelled.labels("eu").info({"name": "a"})
    labelled.labels("us").info({"name": "b"})
    v = values(r, "openmetrics")
    assert v[key("host_info", dc="eu", name="a")] == 1
    assert v[key("host_info", dc="us", name="b")] == 1


def test_stateset():
    r = Registry()
    s = StateSet("breaker", "Circuit breaker.", ["pool"], registry=r, states=["closed", "open", "half_open"])
    a = s.labels("a")
    a.state("open")
    assert a.is_set("open") and not a.is_set("closed")
    a.set("closed")
    assert a.is_set("closed") and a.is_set("open")
    a.state("half_open")
    assert not a.is_set("open")
    with pytest.raises(ValueError):
        a.state("melted")
    v = values(r, "openmetrics")
    assert v[key("breaker", pool="a", breaker="half_open")] == 1
    assert v[key("breaker", pool="a", breaker="closed")] == 0
    with pytest.raises(ValueError):
        StateSet("empty", registry=r, states=[])


def test_remove_and_clear():
    r = Registry()
    c = Counter("hits", "", ["user"], registry=r)
    u1 = c.labels("u1")
    u1.inc()
    c.labels("u2").inc()
    c.remove("u1")
    assert len(c) == 1
    with pytest.raises(KeyError):
        c.remove("u1")
    u1.inc()  # a removed series' child stays safe to use: it is just not exposed
    assert key("hits_total", user="u1") not in values(r)
    c.clear()
    assert len(c) == 0
    assert r.get_sample_value("hits_total", {"user": "u2"}) is None


def test_registration():
    r = Registry()
    a = Counter("jobs", "Jobs.", ["queue"], registry=r)
    b = r.counter("jobs_total", "Jobs again.", ["queue"])  # the same family
    a.labels("x").inc()
    b.labels("x").inc()
    assert r.get_sample_value("jobs_total", {"queue": "x"}) == 2
    assert len(r) == 1
    with pytest.raises(ValueError, match="already registered"):
        Gauge("jobs", "", ["queue"], registry=r)
    with pytest.raises(ValueError, match="clashes"):
        Gauge("jobs_total", registry=r)
    with pytest.raises(ValueError, match="invalid metric name"):
        Counter("", registry=r)
    with pytest.raises(ValueError, match="duplicate label"):
        Counter("dup", "", ["a", "a"], registry=r)
    # namespace, subsystem and unit compose the name as in prometheus_client.
    g = Gauge("size", "", namespace="app", subsystem="cache", unit="bytes", registry=r)
    assert g.name == "app_cache_size_bytes"
    body, _ = r.expose(format="openmetrics")
    assert b"# UNIT app_cache_size_bytes bytes\n" in body
    # const labels come first.
    c = Counter("calls", "", ["fn"], registry=r, const_labels={"service": "api"})
    c.labels("f").inc()
    assert b'calls_total{service="api",fn="f"} 1' in r.expose(format="text")[0]
    # The default registry.
    d = Counter("obsv_test_default_registry", "In REGISTRY.")
    d.inc()
    assert obsv.REGISTRY.get_sample_value("obsv_test_default_registry_total") >= 1
    legacy = Registry(legacy_names_only=True)
    with pytest.raises(ValueError):
        Gauge("my.metric", registry=legacy)
    Gauge("my.metric", registry=r)  # UTF-8 names otherwise


# ---- Label errors -----------------------------------------------------------------


def test_label_errors():
    r = Registry()
    c = Counter("errs", "", ["a", "b"], registry=r)
    with pytest.raises(ValueError, match="takes 2 label values, got 1"):
        c.labels("x")
    with pytest.raises(ValueError, match="takes 2 label values, got 3"):
        c.labels("x", "y", "z")
    with pytest.raises(ValueError, match="missing label"):
        c.labels(a="x", c="y")
    with pytest.raises(ValueError, match="expected the labels"):
        c.labels(a="x")
    with pytest.raises(ValueError, match="not both"):
        c.labels("x", b="y")
    with pytest.raises(ValueError, match="call labels"):
        c.inc()
    with pytest.raises(ValueError, match="call labels"):
        c.value
    with pytest.raises(ValueError, match="labels\\(\\) on a child"):
        c.labels("x", "y").labels("x", "y")
    plain = Counter("plain", registry=r)
    with pytest.raises(ValueError, match="no label names"):
        plain.labels("x")
    with pytest.raises(ValueError):
        c.labels("\udcff", "y")  # not encodable as UTF-8


def test_series_limit():
    r = Registry()
    c = Counter("logins", "", ["user"], registry=r, max_series=2)
    c.labels("u1").inc()
    c.labels("u2").inc()
    with pytest.raises(obsv.SeriesLimitError):
        c.labels("u3")
    assert issubclass(obsv.SeriesLimitError, ValueError)
    o = Counter("visits", "", ["user"], registry=r, max_series=1, overflow="series", overflow_label_value="other")
    o.labels("u1").inc()
    o.labels("u2").inc()
    o.labels("u3").inc()
    assert r.get_sample_value("visits_total", {"user": "other"}) == 2
    assert r.get_sample_value("obsv_registry_series_limit_hits_total", {"family": "logins"}) == 1
    with pytest.raises(ValueError, match="overflow"):
        Counter("bad", registry=r, overflow="drop")


# ---- Exposition --------------------------------------------------------------------


def populated():
    r = Registry()
    c = Counter("http_requests", "Requests served.", ["method", "code"], registry=r)
    c.labels("GET", "200").inc(3)
    c.labels("POST", "500").inc()
    g = Gauge("temperature_celsius", 'With "quotes" and \\ and\nnewline.', ["room"], registry=r, unit="celsius")
    g.labels('a"b\\c\nd').set(-1.5)
    h = Histogram("latency_seconds", "Latency.", ["op"], registry=r, buckets=[0.1, 0.5])
    for v in (0.05, 0.2, 0.7):
        h.labels("read").observe(v)
    s = Summary("size_bytes", "Sizes.", registry=r, quantiles=[0.5])
    s.observe(10)
    Info("build", "Build.", registry=r).info({"version": "1.0"})
    StateSet("mode", "Mode.", registry=r, states=["on", "off"]).state("on")
    return r


def test_exposition_read_back_by_prometheus_client_text():
    r = populated()
    body, content_type = r.expose()
    assert content_type == TEXT
    got = {}
    for family in prometheus_parser.text_string_to_metric_families(body.decode()):
        for s in family.samples:
            got[(s.name, frozenset(s.labels.items()))] = s.value
    assert got[key("http_requests_total", method="GET", code="200")] == 3
    assert got[key("temperature_celsius", room='a"b\\c\nd')] == -1.5
    assert got[key("latency_seconds_bucket", op="read", le="0.5")] == 2
    assert got[key("latency_seconds_bucket", op="read", le="+Inf")] == 3
    assert got[key("size_bytes", quantile="0.5")] == 10
    assert got[key("build_info", version="1.0")] == 1
    assert got[key("mode", mode="on")] == 1
    # obsv's own parser agrees, strictly.
    assert values(r, "text") == got


def test_exposition_read_back_by_prometheus_client_openmetrics():
    r = populated()
    body, content_type = r.expose(accept=OM)
    assert content_type == OM
    assert body.endswith(b"# EOF\n")
    families = {f.name: f for f in om_parser.text_string_to_metric_families(body.decode())}
    assert families["http_requests"].type == "counter"
    assert families["temperature_celsius"].unit == "celsius"
    assert families["temperature_celsius"].documentation == 'With "quotes" and \\ and\nnewline.'
    assert families["build"].type == "info"
    assert families["mode"].type == "stateset"
    samples = {(s.name, frozenset(s.labels.items())): s.value for f in families.values() for s in f.samples}
    assert samples[key("http_requests_total", method="GET", code="200")] == 3
    assert samples[key("latency_seconds_bucket", op="read", le="0.1")] == 1
    assert key("http_requests_created", method="GET", code="200") in samples
    om = values(r, "openmetrics")
    assert om[key("http_requests_total", method="POST", code="500")] == 1


def test_exposition_is_deterministic():
    r = populated()
    a = r.expose(format="openmetrics")[0]
    b = r.expose(format="openmetrics")[0]
    assert a == b
    assert obsv.registry.generate_latest(r) == r.expose()[0]
    fams = r.collect()
    assert [f.name for f in fams] == sorted(f.name for f in fams)


@pytest.mark.parametrize(
    "accept, fmt",
    [
        (None, "text"),
        ("", "text"),
        ("text/plain", "text"),
        ("text/plain;version=0.0.4", "text"),
        ("*/*", "text"),
        ("application/openmetrics-text", "openmetrics"),
        ("application/openmetrics-text;version=1.0.0", "openmetrics"),
        # Prometheus's own scrape Accept header.
        (
            "application/openmetrics-text;version=1.0.0;q=0.5,"
            "application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2",
            "openmetrics",
        ),
        ("text/plain;q=0.9,application/openmetrics-text;q=0.5", "text"),
        ("application/openmetrics-text;q=0", "text"),
        ("application/json", "text"),
        ("APPLICATION/OPENMETRICS-TEXT", "openmetrics"),
    ],
)
def test_accept_negotiation(accept, fmt):
    r = Registry()
    Counter("x", registry=r).inc()
    body, content_type = r.expose(accept=accept)
    assert content_type == (OM if fmt == "openmetrics" else TEXT)
    assert body.endswith(b"# EOF\n") == (fmt == "openmetrics")
    assert obsv.registry.negotiate(accept) == (fmt, content_type)


def test_expose_format_argument():
    r = Registry()
    assert r.expose(format="openmetrics")[1] == OM
    assert r.expose(format=OM)[1] == OM
    with pytest.raises(ValueError):
        r.expose(format="json")


# ---- Collectors ---------------------------------------------------------------------


def test_collector():
    r = Registry()
    calls = []
    depth = [3]

    def collect():
        calls.append(1)
        return [
            obsv.Family("queue_depth", "gauge", help="Queued.",
                        samples=[obsv.Sample("queue_depth", {"queue": "a"}, depth[0])])
        ]

    name = r.register_collector(collect)
    assert r.get_sample_value("queue_depth", {"queue": "a"}) == 3
    depth[0] = 4
    assert r.get_sample_value("queue_depth", {"queue": "a"}) == 4
    assert len(calls) == 2
    r.unregister_collector(name)
    assert r.get_sample_value("queue_depth", {"queue": "a"}) is None
    with pytest.raises(KeyError):
        r.unregister_collector(name)

    cached = r.register_collector(collect, ttl=3600, name="cached")
    assert cached == "cached"
    with pytest.raises(ValueError, match="exists"):
        r.register_collector(collect, name="cached")
    n = len(calls)
    r.expose()
    r.expose()
    assert len(calls) == n + 1
    with pytest.raises(TypeError):
        r.register_collector(42)


def test_collector_exception_is_raised_by_expose():
    r = Registry()

    def broken():
        raise RuntimeError("sensor offline")

    r.register_collector(broken)
    with pytest.raises(RuntimeError, match="sensor offline"):
        r.expose()

    def wrong():
        return [42]

    r2 = Registry()
    r2.register_collector(wrong)
    with pytest.raises(TypeError):
        r2.expose()


def test_collector_clash_with_a_registered_family():
    r = Registry()
    Gauge("dup", registry=r)
    r.register_collector(lambda: [obsv.Family("dup", "gauge", samples=[obsv.Sample("dup", {}, 1)])])
    with pytest.raises(ValueError):
        r.expose()


# ---- Threads -------------------------------------------------------------------------


def test_threads_increment_exactly():
    r = Registry()
    c = Counter("ops", "", ["k"], registry=r)
    h = Histogram("op_seconds", "", registry=r, buckets=[1])
    n_threads, n = 8, 20000
    start = threading.Barrier(n_threads)

    def work():
        child = c.labels("shared")
        start.wait()
        for _ in range(n):
            child.inc()
            h.observe(0.5)

    threads = [threading.Thread(target=work) for _ in range(n_threads)]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        r.expose()  # scrapes while they write
        break
    for t in threads:
        t.join()
    assert c.labels("shared").value == n_threads * n
    assert r.get_sample_value("ops_total", {"k": "shared"}) == n_threads * n
    assert h.count == n_threads * n
    assert r.get_sample_value("op_seconds_bucket", {"le": "1.0"}) == n_threads * n


def test_concurrent_expose_and_collectors():
    r = Registry()
    Counter("c", registry=r).inc()
    r.register_collector(lambda: [obsv.Family("g", "gauge", samples=[obsv.Sample("g", {}, 1)])])
    errors = []

    def scrape():
        try:
            for _ in range(200):
                body, _ = r.expose()
                assert b"g 1\n" in body
        except Exception as e:  # pragma: no cover
            errors.append(e)

    threads = [threading.Thread(target=scrape) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
