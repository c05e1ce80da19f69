"""Tests of the registry helpers in Python: Registry.add_process_collector(),
obsv.register_build_info(), obsv.RequestMetrics, and gzip through
Registry.expose(accept_encoding=...)."""

from __future__ import annotations

import gzip
import os
import threading
import time

import pytest

import obsv
from obsv import Registry, RequestMetrics, register_build_info
from registry_values import key, values


# ---- Process collector ---------------------------------------------------------------


def test_process_collector_real_proc():
    r = Registry()
    assert r.add_process_collector() == "process"
    v = values(r)
    names = {name for name, _ in v}
    assert names == {
        "process_cpu_seconds_total", "process_resident_memory_bytes", "process_virtual_memory_bytes",
        "process_virtual_memory_max_bytes", "process_open_fds", "process_max_fds",
        "process_start_time_seconds", "process_threads",
    }
    assert v[key("process_open_fds")] >= 3
    assert v[key("process_resident_memory_bytes")] > 1e6
    assert v[key("process_threads")] >= 1
    assert time.time() - 30 * 86400 < v[key("process_start_time_seconds")] <= time.time() + 1
    # The OpenMetrics counter is family process_cpu_seconds.
    body, _ = r.expose(format="openmetrics")
    assert b"# TYPE process_cpu_seconds counter\nprocess_cpu_seconds_total " in body


def test_process_collector_namespace_errors_and_fake_proc(tmp_path):
    r = Registry()
    with pytest.raises(ValueError, match="not a legacy metric name"):
        r.add_process_collector(namespace="my-app")
    r.add_process_collector(namespace="myapp")
    with pytest.raises(ValueError):
        r.add_process_collector(namespace="myapp")  # the name "process" is taken
    (tmp_path / "self").mkdir()
    (tmp_path / "self" / "limits").write_text(
        "Max open files            512                  512                  files     \n")
    r.add_process_collector(namespace="fake", proc_root=str(tmp_path), name="fake")
    v = values(r)
    assert v[key("fake_process_max_fds")] == 512
    assert not any(n.startswith("fake_") and n != "fake_process_max_fds" for n, _ in v)
    assert key("myapp_process_threads") in v
    r.unregister_collector("fake")
    assert key("fake_process_max_fds") not in values(r)
    with pytest.raises(ValueError):
        r.add_process_collector(ttl=-1)


# ---- Build info ----------------------------------------------------------------------------


def test_register_build_info():
    r = Registry()
    register_build_info("myapp", version="1.2.3", revision="abc", branch="main", build_date="2026-12-03",
                        compiler="cc 1", extra_labels={"os": "linux"}, registry=r)
    v = values(r)
    assert v == {key("myapp_build_info", version="1.2.3", revision="abc", branch="main",
                     build_date="2026-12-03", compiler="cc 1", os="linux"): 1}
    register_build_info("other", registry=r)
    (labels,) = [dict(l) for n, l in values(r) if n == "other_build_info"]
    assert labels["compiler"].startswith("python ")
    with pytest.raises(ValueError):
        register_build_info("my app", registry=r)


# ---- Request metrics --------------------------------------------------------------------


def test_request_metrics():
    r = Registry()
    m = RequestMetrics("gw", "api_v1_query", registry=r, duration_buckets=[0.1, 1.0],
                       size_buckets=[100, 1000, float("inf")])
    assert m.names == ("gw_api_v1_query_request", "gw_api_v1_query_request_duration_seconds",
                       "gw_api_v1_query_response_sizes")
    m.observe("GET", 200, 0.05, 50)
    m.observe("get", 200, 0.5, 500)
    m.observe("BREW", 418, 2.0, 5000)
    m.observe("POST", 999, 0.01, 0)
    v = values(r)
    assert v[key("gw_api_v1_query_request_total", method="GET", code="200")] == 2
    assert v[key("gw_api_v1_query_request_total", method="OTHER", code="418")] == 1
    assert v[key("gw_api_v1_query_request_total", method="POST", code="unknown")] == 1
    assert v[key("gw_api_v1_query_request_duration_seconds_bucket", method="GET", code="200", le="0.1")] == 1
    assert v[key("gw_api_v1_query_request_duration_seconds_count", method="GET", code="200")] == 2
    assert v[key("gw_api_v1_query_response_sizes_bucket", method="GET", code="200", le="1000")] == 2
    assert v[key("gw_api_v1_query_response_sizes_sum", method="GET", code="200")] == 550
    body, _ = r.expose(format="openmetrics")
    assert b"# UNIT gw_api_v1_query_request_duration_seconds seconds\n" in body


def test_request_metrics_validation():
    r = Registry()
    with pytest.raises(ValueError, match="'/' at offset 3"):
        RequestMetrics("gw", "api/v1/query", registry=r)
    with pytest.raises(ValueError, match="empty"):
        RequestMetrics("gw", "", registry=r)
    with pytest.raises(ValueError):
        RequestMetrics("g w", "x", registry=r)
    with pytest.raises(ValueError, match="strictly increasing"):
        RequestMetrics("gw", "x", registry=r, duration_buckets=[1, 0.5])


def test_request_metrics_threads():
    r = Registry()
    m = RequestMetrics("gw", "x", registry=r)

    def work():
        for i in range(5000):
            m.observe("GET", 200 + i % 2, 0.001, 10)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    v = values(r)
    assert (v[key("gw_x_request_total", method="GET", code="200")]
            + v[key("gw_x_request_total", method="GET", code="201")]) == 20000


# ---- gzip ---------------------------------------------------------------------------------


@pytest.mark.parametrize("accept_encoding,gzipped", [
    ("gzip", True),
    ("deflate, gzip;q=0.5", True),
    ("*", True),
    ("gzip;q=0", False),
    ("identity", False),
    ("", False),
    ("gzip;q=0.5, identity", False),
])
def test_expose_accept_encoding(accept_encoding, gzipped):
    r = Registry()
    c = r.counter("x", "X.", ["i"])
    for i in range(50):
        c.labels(str(i)).inc(i)
    plain, plain_type = r.expose(accept="application/openmetrics-text;version=1.0.0")
    body, content_type, encoding = r.expose(accept="application/openmetrics-text;version=1.0.0",
                                            accept_encoding=accept_encoding)
    assert content_type == plain_type
    if gzipped:
        assert encoding == "gzip"
        assert gzip.decompress(body) == plain
        assert len(body) < len(plain)
    else:
        assert encoding == ""
        assert body == plain


def test_expose_without_accept_encoding_keeps_two_values():
    r = Registry()
    assert len(r.expose()) == 2
    assert len(r.expose(format="text", accept_encoding="gzip")) == 3
