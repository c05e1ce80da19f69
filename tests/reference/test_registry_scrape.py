"""obsv's registry scraped by the real Prometheus, through examples/registry_server.

ctest runs two groups (tests/reference/CMakeLists.txt):

  registry_scrape_prometheus  (-k prometheus) registry_server on a free
      127.0.0.1 port, the Debian `prometheus` (2.42) on another with a
      temporary config scraping it every second twice: job `text` pins text
      0.0.4 (`/metrics?format=text`), job `om` lets Prometheus negotiate
      (its Accept header prefers OpenMetrics 1.0; it also sends
      Accept-Encoding: gzip). Once both jobs have a few scrapes, the test
      queries the HTTP API for every series the server set: counters (values
      and increase()), the gauge, the histogram (histogram_quantile(),
      _count, _sum), the summary's quantiles, info, stateset, the process
      collector (present and sane, start time equal to what /proc says of
      the server), build info, and the request metrics of /metrics itself.
      Both jobs must see the same series; only the OpenMetrics one has
      `_created` series and OpenMetrics types in the metadata API.
  registry_scrape_promtool  (-k promtool) `promtool check metrics` accepts
      the server's text output.
  registry_server_http  (-k server_) the server alone: malformed, oversized
      and unsupported requests get a clear 4xx/5xx and the server keeps
      serving; keep-alive, pipelining and HEAD work; it counts its own
      requests.

No timing assertions: the test waits (up to a minute) for scrapes and then
checks values.

Environment:
  REGISTRY_SERVER  the example server (default <repo>/build/bin/registry_server)
  PROMETHEUS       the server (default `prometheus` on PATH)
  PROMTOOL         promtool (default `promtool` on PATH)
A missing tool skips its tests with the reason.
"""

import math
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from prometheus_process import Prometheus, find_tool, terminate

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
WAIT = 60  # seconds to wait for scrapes; a failure to get them fails the test
JOBS = ("text", "om")


def _tool(env, name):
    path = find_tool(env, name)
    if path is None:
        pytest.skip(f"{name} not found (set {env} or install Debian's prometheus package): "
                    "skipping the real-Prometheus registry test")
    return path


def _server_binary():
    path = os.environ.get("REGISTRY_SERVER") or os.path.join(REPO, "build", "bin", "registry_server")
    if not os.access(path, os.X_OK):
        pytest.skip(f"registry_server not built at {path} (cmake --build build --target registry_server)")
    return path


def _get(url, headers=None, timeout=10):
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, dict(r.headers), r.read()


class RegistryServer:
    def __init__(self, binary):
        self.proc = subprocess.Popen([binary, "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()  # "listening on 127.0.0.1:PORT"
        if not line.startswith("listening on "):
            self.proc.kill()
            pytest.fail(f"registry_server did not start: {line!r} {self.proc.stderr.read()}")
        self.address = line.split()[-1]
        self.url = "http://" + self.address

    def close(self):
        terminate(self.proc)
        assert self.proc.returncode == 0, f"registry_server exited with {self.proc.returncode}"


@pytest.fixture(scope="module")
def registry_server():
    server = RegistryServer(_server_binary())
    yield server
    server.close()


def scrape_config(target):
    """Two jobs scraping target every second: text 0.0.4, and negotiated."""
    return ("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
            "scrape_configs:\n"
            "  - job_name: text\n"
            "    params: {format: [text]}\n"
            f"    static_configs: [{{targets: ['{target}']}}]\n"
            "  - job_name: om\n"
            f"    static_configs: [{{targets: ['{target}']}}]\n")


class ScrapingPrometheus(Prometheus):
    def api(self, path, **params):
        return self.data(path, params)

    def query(self, q):
        """Instant query: [(labels, value)]."""
        data = self.api("/api/v1/query", query=q)
        assert data["resultType"] == "vector", data
        return [(r["metric"], float(r["value"][1])) for r in data["result"]]

    def per_job(self, q):
        """{job: value} of an instant query returning one series per job."""
        out = {}
        for labels, value in self.query(q):
            job = labels.get("job")
            assert job not in out, f"{q}: more than one series for job {job}: {self.query(q)}"
            out[job] = value
        return out


@pytest.fixture(scope="module")
def scraped(registry_server, tmp_path_factory):
    """Prometheus scraping registry_server in both formats, with a known
    counter increase in the middle."""
    prometheus = _tool("PROMETHEUS", "prometheus")
    prom = ScrapingPrometheus(prometheus, scrape_config(registry_server.address),
                              str(tmp_path_factory.mktemp("prom")), ready_timeout=WAIT)
    try:
        def scrapes_per_job(n):
            got = prom.per_job("count_over_time(up[10m]) and on (job) (up == 1)")
            return all(got.get(j, 0) >= n for j in JOBS)

        prom.wait_for("3 successful scrapes per job", lambda: scrapes_per_job(3), WAIT)
        status, _, _ = _get(registry_server.url + "/work?n=5")
        assert status == 200
        prom.wait_for("the counter's new value in both jobs", lambda: prom.per_job(
            'demo_jobs_processed_total{queue="default"}') == {"text": 12, "om": 12}, WAIT)
        # A few more scrapes after the change.
        base = prom.per_job("count_over_time(up[10m])")
        prom.wait_for("2 more scrapes per job", lambda: all(
            v >= base[j] + 2 for j, v in prom.per_job("count_over_time(up[10m])").items()), WAIT)
        yield prom
    finally:
        prom.close()


def both(prom, q):
    got = prom.per_job(q)
    assert set(got) == set(JOBS), f"{q}: {got}"
    return got


def assert_both(prom, q, want):
    got = both(prom, q)
    for job, v in got.items():
        assert v == pytest.approx(want, rel=1e-12, abs=1e-12), f"{q} job={job}: {v} != {want}"


# ---- Prometheus ---------------------------------------------------------------------


def test_prometheus_scrapes_are_up(scraped):
    assert_both(scraped, "up", 1)


def test_prometheus_counters(scraped):
    assert_both(scraped, 'demo_jobs_processed_total{queue="default"}', 12)
    assert_both(scraped, 'demo_jobs_processed_total{queue="bulk"}', 2.5)
    assert_both(scraped, 'increase(demo_jobs_processed_total{queue="bulk"}[10m])', 0)
    assert_both(scraped, 'max by (job) (resets(demo_jobs_processed_total[10m]))', 0)
    # 7 -> 12 within the range: increase() extrapolates by at most half a
    # scrape interval before the first sample and 1.1 after the last; with
    # >= 5 samples that keeps it within [5, 5 * 1.6].
    for job, v in both(scraped, 'increase(demo_jobs_processed_total{queue="default"}[10m])').items():
        assert 5 <= v <= 8, (job, v)


def test_prometheus_gauge(scraped):
    assert_both(scraped, "demo_temperature_celsius", 21.5)


def _bucket_quantile(q, buckets):
    """Prometheus's bucketQuantile on [(le, cumulative count)]."""
    buckets = sorted(buckets)
    total = buckets[-1][1]
    rank = q * total
    for i, (le, count) in enumerate(buckets):
        if count >= rank:
            if math.isinf(le):
                return buckets[-2][0]
            start, below = (0.0, 0.0) if i == 0 else buckets[i - 1]
            return start + (le - start) * (rank - below) / (count - below)
    raise AssertionError("unreachable")


def test_prometheus_histogram(scraped):
    observations = [0.05, 0.2, 0.3, 0.7, 2, 3]
    bounds = [0.1, 0.5, 1, 5, math.inf]
    buckets = [(b, sum(1 for o in observations if o <= b)) for b in bounds]
    for le, count in buckets:
        # The text job has le="1", the OpenMetrics one le="1.0": select by value.
        rows = [(lbl, v) for lbl, v in scraped.query("demo_latency_seconds_bucket")
                if float(lbl["le"]) == le]
        assert sorted(l["job"] for l, _ in rows) == sorted(JOBS), (le, rows)
        assert all(v == count for _, v in rows), (le, rows)
    for q in (0.25, 0.5, 0.9, 0.99):
        assert_both(scraped, f"histogram_quantile({q}, sum by (job, le) (demo_latency_seconds_bucket))",
                    _bucket_quantile(q, buckets))
    assert_both(scraped, "demo_latency_seconds_count", len(observations))
    assert_both(scraped, "demo_latency_seconds_sum", sum(observations))


def test_prometheus_summary(scraped):
    assert_both(scraped, 'demo_rpc_seconds{quantile="0.5"}', 5)
    assert_both(scraped, 'demo_rpc_seconds{quantile="0.9"}', 9)
    assert_both(scraped, "demo_rpc_seconds_count", 10)
    assert_both(scraped, "demo_rpc_seconds_sum", 55)


def test_prometheus_info_and_stateset(scraped):
    assert_both(scraped, 'demo_target_info{env="test",team="obsv"}', 1)
    assert_both(scraped, 'demo_mode{demo_mode="normal"}', 1)
    assert_both(scraped, 'demo_mode{demo_mode="degraded"}', 0)
    assert_both(scraped, 'demo_mode{demo_mode="maintenance"}', 0)
    assert_both(scraped, 'count by (job) (demo_mode)', 3)


def test_prometheus_process_metrics(scraped, registry_server):
    for name in ("process_cpu_seconds_total", "process_resident_memory_bytes", "process_virtual_memory_bytes",
                 "process_virtual_memory_max_bytes", "process_open_fds", "process_max_fds",
                 "process_start_time_seconds", "process_threads"):
        both(scraped, name)
    for job, v in both(scraped, "process_cpu_seconds_total").items():
        assert v >= 0
    rss = both(scraped, "process_resident_memory_bytes")
    vsz = both(scraped, "process_virtual_memory_bytes")
    for job in JOBS:
        assert 1e5 < rss[job] <= vsz[job], (rss, vsz)
    for job, v in both(scraped, "process_open_fds <= on (job) process_max_fds").items():
        assert v >= 3
    for job, v in both(scraped, "process_threads").items():
        assert v >= 1
    for job, v in both(scraped, "process_virtual_memory_max_bytes").items():
        assert v > 0
    # The start time is what /proc says of the server process.
    pid = registry_server.proc.pid
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    with open("/proc/stat") as f:
        btime = next(int(l.split()[1]) for l in f if l.startswith("btime "))
    start = btime + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    assert_both(scraped, "process_start_time_seconds", start)


def test_prometheus_build_info(scraped):
    got = scraped.query("registry_server_build_info")
    assert sorted(l["job"] for l, _ in got) == sorted(JOBS)
    for labels, v in got:
        assert v == 1
        assert labels["version"] and labels["compiler"] and labels["build_date"], labels
        assert set(labels) >= {"version", "revision", "branch", "build_date", "compiler"}


def test_prometheus_request_metrics_of_metrics_endpoint(scraped):
    sel = '{method="GET",code="200"}'
    total = both(scraped, "registry_server_metrics_request_total" + sel)
    count = both(scraped, "registry_server_metrics_request_duration_seconds_count" + sel)
    sizes = both(scraped, "registry_server_metrics_response_sizes_count" + sel)
    for job in JOBS:
        assert total[job] >= 5, total
        # Updated together per request; a scrape may land between them.
        assert abs(total[job] - count[job]) <= 2 and abs(total[job] - sizes[job]) <= 2, (total, count, sizes)
    for job, v in both(scraped, "increase(registry_server_metrics_request_total" + sel + "[1m])").items():
        assert v > 0
    # Responses are kilobytes: the median size is in a bucket above 256 bytes.
    for job, v in both(scraped, "histogram_quantile(0.5, sum by (job, le) "
                                "(registry_server_metrics_response_sizes_bucket" + sel + "))").items():
        assert 256 < v < 16 * 1024 * 1024, v
    for job, v in both(scraped, "registry_server_metrics_request_duration_seconds_sum" + sel).items():
        assert v >= 0
    # Prometheus asks for gzip: the server sent gzip.
    for job, v in both(scraped, 'registry_server_responses_by_encoding_total{encoding="gzip"}').items():
        assert v >= 5


def test_prometheus_same_series_in_both_formats(scraped):
    names = {}
    for job in JOBS:
        got = scraped.query(f'count by (__name__) ({{job="{job}"}})')
        names[job] = {l["__name__"] for l, _ in got}
    created = {n for n in names["om"] if n.endswith("_created")}
    # OpenMetrics carries `_created`; Prometheus 2.42 stores it as series.
    assert "demo_jobs_processed_created" in created
    assert not {n for n in names["text"] if n.endswith("_created")}
    # Prometheus adds scrape_* series of its own to both.
    assert names["om"] - created == names["text"], (names["om"] - created) ^ names["text"]
    assert {"demo_target_info", "demo_mode", "demo_rpc_seconds", "demo_latency_seconds_bucket"} <= names["text"]


def test_prometheus_metadata_types_by_format(scraped):
    def types(job):
        data = scraped.api("/api/v1/targets/metadata", match_target=f'{{job="{job}"}}')
        return {m["metric"]: m["type"] for m in data}

    om, text = types("om"), types("text")
    assert om.get("demo_mode") == "stateset", om
    assert om.get("demo_target") == "info", om
    assert om.get("demo_jobs_processed") == "counter", om
    assert text.get("demo_jobs_processed_total") == "counter", text
    assert text.get("demo_latency_seconds") == "histogram", text
    assert om.get("demo_latency_seconds") == "histogram", om


# ---- promtool ---------------------------------------------------------------------------


def _metrics_showing(registry_server, needed):
    """GET /metrics?format=text until every byte string of `needed` is in the
    body (the server records a request after answering it, so a request's
    series may show up only in a later answer); asserts they all came."""
    for _ in range(100):
        status, headers, body = _get(registry_server.url + "/metrics?format=text")
        if all(n in body for n in needed):
            break
        time.sleep(0.1)
    for n in needed:
        assert n in body, n
    return status, headers, body


def test_promtool_check_metrics(registry_server):
    promtool = _tool("PROMTOOL", "promtool")
    needed = (b"\nprocess_cpu_seconds_total ", b"\nregistry_server_metrics_request_total{",
              b"\nregistry_server_build_info{", b"\ndemo_rpc_seconds{quantile=\"0.5\"} 5\n")
    status, headers, body = _metrics_showing(registry_server, needed)
    assert status == 200 and headers["Content-Type"].startswith("text/plain; version=0.0.4")
    r = subprocess.run([promtool, "check", "metrics"], input=body, capture_output=True, timeout=60)
    assert r.returncode == 0, (r.stdout + r.stderr).decode()


def test_promtool_gzip_and_openmetrics(registry_server):
    """The server's negotiation as a scraper sees it (no Prometheus needed)."""
    import gzip

    status, headers, body = _get(registry_server.url + "/metrics", {
        "Accept": "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5",
        "Accept-Encoding": "gzip"})
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Content-Type"].startswith("application/openmetrics-text; version=1.0.0")
    text = gzip.decompress(body)
    assert text.endswith(b"# EOF\n")
    status, headers, body = _get(registry_server.url + "/metrics", {"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in headers and body.startswith(b"# HELP")
    status, headers, body = _get(registry_server.url + "/metrics?format=protobuf", {"Accept-Encoding": "gzip"})
    assert headers["Content-Type"].startswith("application/vnd.google.protobuf")
    assert headers["Content-Encoding"] == "gzip" and gzip.decompress(body)


# ---- The server itself (no Prometheus needed) --------------------------------------------


def _raw(server, data, timeout=5):
    """Sends raw bytes, returns everything the server answers until it closes."""
    host, port = server.address.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=timeout) as s:
        s.sendall(data)
        out = b""
        while True:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            if not chunk:
                break
            out += chunk
    return out


@pytest.mark.parametrize("request_bytes,status,reason", [
    (b"garbage\r\n\r\n", 400, b"malformed request line"),
    (b"\x00\xff\xfe\r\n\r\n", 400, b"malformed request line"),
    (b"GET /metrics HTTP/2.0\r\n\r\n", 400, b"unsupported HTTP version"),
    (b"GET metrics HTTP/1.1\r\n\r\n", 400, b"must start with '/'"),
    (b"GET /metrics HTTP/1.1\r\nno colon here\r\n\r\n", 400, b"malformed header line"),
    (b"GET /metrics HTTP/1.1\r\n folded: x\r\n\r\n", 400, b"folding"),
    (b"GET /metrics HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400, b"invalid Content-Length"),
    (b"GET /metrics?format=xml HTTP/1.1\r\nConnection: close\r\n\r\n", 400, b"format must be"),
    (b"GET /work?n=0 HTTP/1.1\r\nConnection: close\r\n\r\n", 400, b"n must be"),
    (b"GET /metrics HTTP/1.1\r\nX: " + b"a" * 9000 + b"\r\n\r\n", 431, b"over 8 KiB"),
    (b"GET /" + b"a" * 20000, 431, b"over 8 KiB"),  # never ends its head
    (b"POST /metrics HTTP/1.1\r\nContent-Length: 100000000\r\n\r\n", 413, b"over 64 KiB"),
    (b"POST /metrics HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 501, b"Transfer-Encoding"),
    (b"POST /metrics HTTP/1.1\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc", 405, b"use GET or HEAD"),
    (b"GET /nope HTTP/1.1\r\nConnection: close\r\n\r\n", 404, b"not found"),
])
def test_server_bad_requests(registry_server, request_bytes, status, reason):
    out = _raw(registry_server, request_bytes)
    head, _, body = out.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 %d " % status), out[:200]
    assert reason in body, body
    # Still serving.
    code, _, _ = _get(registry_server.url + "/")
    assert code == 200


def test_server_keep_alive_pipelining_and_head(registry_server):
    out = _raw(registry_server,
               b"GET /metrics?format=openmetrics HTTP/1.1\r\n\r\n"
               b"HEAD /metrics HTTP/1.1\r\n\r\n"
               b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n")
    assert out.count(b"HTTP/1.1 200 OK\r\n") == 3, out[:300]
    assert b"# EOF\n" in out
    # The HEAD response has a Content-Length but no body: the third response
    # follows its head directly.
    heads = out.split(b"HTTP/1.1 200 OK\r\n")
    assert heads[2].endswith(b"\r\n\r\n"), heads[2][-100:]


def test_server_counts_its_own_requests(registry_server):
    try:
        _get(registry_server.url + "/definitely-missing")
    except urllib.error.HTTPError as e:
        assert e.code == 404
    _metrics_showing(registry_server, (
        b'registry_server_other_request_total{method="GET",code="404"} ',
        b'registry_server_metrics_request_total{method="GET",code="200"} '))
