"""obsv's native histograms, exemplars and protobuf exposition, scraped by a
real Prometheus.

A small http.server (this file) serves an obsv.Registry on 127.0.0.1: a
native histogram with known observations (schema 0, so the bucket bounds are
powers of two), a counter and the histogram carrying exemplars. The Debian
`prometheus` (2.42) runs with `--enable-feature=native-histograms,
exemplar-storage`, so it asks for protobuf first, and scrapes every second.
The test then checks through the HTTP API:

  * the scrapes were answered in protobuf (the Accept header negotiated);
  * the series is a native histogram (the API returns a `histogram`, and no
    classic `_bucket` series exists);
  * histogram_count, histogram_sum and histogram_quantile give the values
    the observations imply (quantiles chosen at bucket bounds, where linear
    and exponential interpolation agree, plus one inside a bucket that
    accepts either);
  * the counter's and the histogram's exemplars arrive
    (/api/v1/query_exemplars);
  * every other kind (gauge, classic histogram, summary, info, stateset,
    gauge histogram) is read from protobuf with the expected values.

Polls until the data is there (up to a generous deadline); no timing is
asserted. ctest runs it as `registry_native_prometheus` (LABELS reference).

Environment:
  PROMETHEUS  the server (default `prometheus` on PATH, else
              /usr/bin/prometheus). Missing: the test is skipped.
  The installed `obsv` Python module (`pip install .`) must have native
  histograms; an older one skips the test with a reason.
"""

import math
import shutil
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from prometheus_process import Prometheus, find_tool

obsv = pytest.importorskip("obsv")

DEADLINE = 90  # seconds to wait for Prometheus to start and to scrape
PROTOBUF = "application/vnd.google.protobuf"


def _make_registry():
    registry = obsv.Registry()
    try:
        latency = obsv.Histogram(
            "rpc_duration_seconds", "RPC latency.", ["method"], registry=registry,
            native_histogram_bucket_factor=2.0)
    except TypeError:
        pytest.skip("the installed obsv has no native histograms (pip install . first)")
    get = latency.labels("Get")
    # Schema 0: bucket k is (2^(k-1), 2^k]. 10 in (0.5,1], 10 in (1,2],
    # 20 in (2,4]: count 40, sum 82.5.
    for _ in range(10):
        get.observe(0.75)
    for _ in range(9):
        get.observe(1.5)
    get.observe(1.5, exemplar={"trace_id": "hist-exemplar"})
    for _ in range(20):
        get.observe(3)
    requests = obsv.Counter("requests", "Requests.", registry=registry)
    requests.inc(5, exemplar={"trace_id": "counter-exemplar"})
    # Every other kind, to check that Prometheus reads them all in protobuf.
    obsv.Gauge("temperature_celsius", "T.", registry=registry, unit="celsius").set(21.5)
    classic = obsv.Histogram("lat_seconds", "L.", registry=registry, buckets=[0.1, 1.0])
    for v in (0.05, 0.5, 5):
        classic.observe(v)
    summary = obsv.Summary("rpc_summary", "S.", registry=registry, quantiles=[0.5])
    for v in (1, 2, 3):
        summary.observe(v)
    obsv.Info("build", "B.", registry=registry).info({"version": "1.2"})
    obsv.StateSet("mode", "M.", registry=registry, states=["a", "b"]).state("b")
    queue = obsv.GaugeHistogram("queue_age_seconds", "Q.", registry=registry, buckets=[1.0])
    queue.observe(0.5, 2)
    queue.observe(5)
    return registry, get


class _Server:
    """The registry over HTTP, negotiating the format from Accept."""

    def __init__(self, registry):
        self.content_types = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                if self.path != "/metrics":
                    self.send_error(404)
                    return
                body, content_type = registry.expose(accept=self.headers.get("Accept"))
                outer.content_types.append(content_type)
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class _Prometheus(Prometheus):
    """Prometheus scraping the registry's server every second, with native
    histograms and exemplar storage."""

    def __init__(self, binary, target_port, workdir):
        super().__init__(
            binary,
            "global:\n"
            "  scrape_interval: 1s\n"
            "  scrape_timeout: 1s\n"
            "scrape_configs:\n"
            "  - job_name: obsv\n"
            "    static_configs:\n"
            f"      - targets: ['127.0.0.1:{target_port}']\n",
            workdir, extra_args=["--enable-feature=native-histograms,exemplar-storage"],
            ready_timeout=DEADLINE)

    def query(self, q):
        return self.result(q)

    def exemplars(self, q):
        now = time.time()
        return self.data("/api/v1/query_exemplars", {"query": q, "start": now - 3600, "end": now + 3600})

    def wait_for(self, what, fn):
        return super().wait_for(what, fn, DEADLINE)


@pytest.fixture(scope="module")
def scraped():
    binary = find_tool("PROMETHEUS", "prometheus")
    if binary is None:
        pytest.skip("prometheus not found (set PROMETHEUS or install Debian's prometheus)")
    registry, hist = _make_registry()
    server = _Server(registry)
    workdir = tempfile.mkdtemp(prefix="obsv-native-")
    prom = None
    try:
        prom = _Prometheus(binary, server.port, workdir)
        yield prom, server, hist
    finally:
        if prom is not None:
            prom.close()
        server.close()
        shutil.rmtree(workdir, ignore_errors=True)


def _scalar(result):
    assert len(result) == 1, result
    return float(result[0]["value"][1])


def test_scraped_as_protobuf_native_histogram(scraped):
    prom, server, hist = scraped
    result = prom.wait_for("the native histogram", lambda: prom.query('rpc_duration_seconds{method="Get"}'))
    assert server.content_types, "never scraped"
    assert all(ct.startswith(PROTOBUF) for ct in server.content_types), server.content_types
    assert len(result) == 1, result
    assert "histogram" in result[0], result  # a native histogram sample, not a float
    assert prom.query("rpc_duration_seconds_bucket") == []  # no classic buckets
    assert hist.native()["schema"] == 0


def test_count_sum_quantile(scraped):
    prom, _, _ = scraped
    sel = 'rpc_duration_seconds{method="Get"}'
    prom.wait_for("histogram_count", lambda: prom.query(f"histogram_count({sel})"))
    assert _scalar(prom.query(f"histogram_count({sel})")) == 40
    assert _scalar(prom.query(f"histogram_sum({sel})")) == 82.5
    # At bucket bounds: rank 10 ends (0.5,1], 20 ends (1,2], 40 ends (2,4].
    for q, want in [(0.25, 1.0), (0.5, 2.0), (1.0, 4.0)]:
        got = _scalar(prom.query(f"histogram_quantile({q}, {sel})"))
        assert math.isclose(got, want, rel_tol=1e-9), (q, got, want)
    # Inside (2,4]: 3 by linear interpolation (Prometheus 2.42), 2*sqrt(2) by
    # the exponential interpolation of later versions.
    got = _scalar(prom.query(f"histogram_quantile(0.75, {sel})"))
    assert math.isclose(got, 3.0, rel_tol=1e-9) or math.isclose(got, 2 * math.sqrt(2), rel_tol=1e-9), got


def test_exemplars(scraped):
    prom, _, _ = scraped

    def labels_of(data):
        return [e["labels"] for series in data for e in series["exemplars"]]

    got = prom.wait_for("the counter's exemplar", lambda: labels_of(prom.exemplars("requests_total")))
    assert {"trace_id": "counter-exemplar"} in got, got
    got = prom.wait_for("the histogram's exemplar",
                        lambda: labels_of(prom.exemplars('rpc_duration_seconds{method="Get"}')))
    assert {"trace_id": "hist-exemplar"} in got, got


def test_every_kind_read_from_protobuf(scraped):
    prom, _, _ = scraped
    prom.wait_for("the gauge", lambda: prom.query("temperature_celsius"))
    want = {
        "temperature_celsius": 21.5,
        'lat_seconds_bucket{le="0.1"}': 1,
        'lat_seconds_bucket{le=~"1|1.0"}': 2,
        'lat_seconds_bucket{le="+Inf"}': 3,
        "lat_seconds_count": 3,
        "lat_seconds_sum": 5.55,
        'rpc_summary{quantile="0.5"}': 2,
        "rpc_summary_count": 3,
        "rpc_summary_sum": 6,
        'build_info{version="1.2"}': 1,
        'mode{mode="a"}': 0,
        'mode{mode="b"}': 1,
        # Prometheus 2.42 names a protobuf gauge histogram's buckets after
        # the family, without `_bucket` (later versions add it).
        '{__name__=~"queue_age_seconds(_bucket)?",le=~"1|1.0"}': 2,
        '{__name__=~"queue_age_seconds(_bucket)?",le="+Inf"}': 3,
        "requests_total": 5,
    }
    # `le` as Prometheus 2.42's protobuf parser spells it ("1.0"), or as
    # later versions normalise it ("1").
    for query, value in want.items():
        result = prom.query(query)
        assert len(result) == 1, (query, result)
        got = float(result[0]["value"][1])
        assert math.isclose(got, value, rel_tol=1e-12), (query, got, value)
