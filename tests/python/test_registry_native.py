"""obsv's Python registry: native histograms, exemplars, gauge histograms and
the protobuf exposition. The protobuf body is decoded by the small wire
decoder below (field numbers of proto/metrics.proto); the C++ tests decode
it with libprotobuf."""

from __future__ import annotations

import math
import pickle
import struct

import pytest

import obsv
from obsv import Counter, GaugeHistogram, Histogram, Registry

om_parser = pytest.importorskip("prometheus_client.openmetrics.parser")

PROTOBUF = "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited"
PROMETHEUS_ACCEPT = (
    "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.8,"
    "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.2,*/*;q=0.1"
)

# ---- A protobuf wire decoder: enough for io.prometheus.client -------------------


def _varint(buf, i):
    shift = result = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


def _fields(buf):
    """{field number: [raw value]}: ints for varints, floats for fixed64,
    bytes for length-delimited."""
    out = {}
    i = 0
    while i < len(buf):
        tag, i = _varint(buf, i)
        field, wire = tag >> 3, tag & 7
        if wire == 0:
            v, i = _varint(buf, i)
        elif wire == 1:
            v = struct.unpack_from("<d", buf, i)[0]
            i += 8
        elif wire == 2:
            n, i = _varint(buf, i)
            v = bytes(buf[i : i + n])
            i += n
        else:
            raise AssertionError(f"unexpected wire type {wire}")
        out.setdefault(field, []).append(v)
    return out


def _zigzag(n):
    return (n >> 1) ^ -(n & 1)


def _delimited(body):
    i = 0
    while i < len(body):
        n, i = _varint(body, i)
        yield _fields(body[i : i + n])
        i += n


def _labels(msg):
    return {_fields(p)[1][0].decode(): _fields(p).get(2, [b""])[0].decode() for p in msg.get(1, [])}


def _packed_sint(raw):
    out, i = [], 0
    while i < len(raw):
        v, i = _varint(raw, i)
        out.append(_zigzag(v))
    return out


def decode(body):
    """[{name, type, metrics: [{labels, kind fields...}]}]."""
    families = []
    for f in _delimited(body):
        fam = {"name": f[1][0].decode(), "type": f.get(3, [0])[0], "metrics": []}
        for raw in f.get(4, []):
            m = _fields(raw)
            metric = {"labels": _labels(m)}
            if 3 in m:  # counter
                c = _fields(m[3][0])
                metric["value"] = c[1][0]
                if 2 in c:
                    ex = _fields(c[2][0])
                    metric["exemplar"] = (_labels(ex), ex[2][0])
            if 2 in m:  # gauge
                metric["value"] = _fields(m[2][0]).get(1, [0.0])[0]
            if 7 in m:  # histogram
                h = _fields(m[7][0])
                metric["count"] = h.get(1, [0])[0]
                metric["sum"] = h.get(2, [0.0])[0]
                metric["buckets"] = [(_fields(b)[2][0], _fields(b)[1][0]) for b in h.get(3, [])]
                if 5 in h:
                    metric["schema"] = _zigzag(h[5][0])
                    metric["zero_threshold"] = h[6][0]
                    metric["zero_count"] = h[7][0]
                    metric["positive_spans"] = [
                        (_zigzag(_fields(s).get(1, [0])[0]), _fields(s).get(2, [0])[0]) for s in h.get(12, [])
                    ]
                    metric["positive_deltas"] = [d for raw in h.get(13, []) for d in _packed_sint(raw)]
            fam["metrics"].append(metric)
        families.append(fam)
    return families


# ---- Native histograms --------------------------------------------------------------


def test_native_histogram_state_and_protobuf():
    r = Registry()
    h = Histogram("rpc_seconds", "RPC latency.", ["m"], registry=r, native_histogram_bucket_factor=2.0)
    get = h.labels("Get")
    for v in (1.0, 1.5, 2.0, 3.0, 0.0, -1.0, float("nan")):
        get.observe(v)
    n = get.native()
    assert n["schema"] == 0
    assert n["zero_count"] == 1
    assert n["count"] == 7
    assert math.isnan(n["sum"])
    assert n["positive"] == [(0, 1), (1, 2), (2, 1)]
    assert n["negative"] == [(0, 1)]
    body, content_type = r.expose(format="protobuf")
    assert content_type == PROTOBUF
    (fam,) = decode(body)
    assert fam["name"] == "rpc_seconds"
    assert fam["type"] == 4  # HISTOGRAM
    (m,) = fam["metrics"]
    assert m["labels"] == {"m": "Get"}
    assert m["count"] == 7
    assert m["schema"] == 0
    assert m["zero_count"] == 1
    assert m["positive_spans"] == [(0, 3)]
    assert m["positive_deltas"] == [1, 1, -1]
    assert m["buckets"] == []  # no classic buckets by default


def test_collect_carries_native_buckets():
    r = Registry()
    h = Histogram("rpc_seconds", "RPC latency.", ["m"], registry=r, native_histogram_bucket_factor=2.0)
    get = h.labels("Get")
    for v in (1.0, 1.5, 2.0, 3.0, 0.0, -1.0):
        get.observe(v)
    h.labels("Put")  # a series without observations
    Histogram("classic_seconds", registry=r).observe(1)
    fams = {f.name: f for f in r.collect()}
    counts = {s.labels["m"]: s for s in fams["rpc_seconds"].samples if s.name == "rpc_seconds_count"}
    assert counts["Get"].value == 6
    assert counts["Get"].native == {
        "schema": 0,
        "zero_threshold": get.native()["zero_threshold"],
        "zero_count": 1,
        "positive": [(0, 1), (1, 2), (2, 1)],
        "negative": [(0, 1)],
    }
    assert counts["Put"].native["positive"] == [] and counts["Put"].native["zero_count"] == 0
    # Only the _count samples of native histograms carry it.
    assert all(s.native is None for s in fams["rpc_seconds"].samples if s.name != "rpc_seconds_count")
    assert all(s.native is None for s in fams["classic_seconds"].samples)
    # Read-only, and part of equality.
    with pytest.raises(AttributeError):
        counts["Get"].native = None
    plain = obsv.Sample(counts["Get"].name, counts["Get"].labels, counts["Get"].value)
    assert plain != counts["Get"]
    assert plain.native is None
    # A pickled sample keeps its buckets.
    again = pickle.loads(pickle.dumps(counts["Get"]))
    assert again == counts["Get"] and again.native == counts["Get"].native
    assert pickle.loads(pickle.dumps(plain)).native is None


def test_collector_passes_native_buckets_on():
    # A registry that re-exposes another's collect() (a merging /metrics)
    # keeps its native buckets in the protobuf format.
    inner = Registry()
    h = Histogram("rpc_seconds", "RPC latency.", ["m"], registry=inner, native_histogram_bucket_factor=2.0)
    for v in (1.0, 1.5, 2.0, 3.0, 0.0, -1.0):
        h.labels("Get").observe(v)
    outer = Registry()
    outer.register_collector(inner.collect)
    (want,) = decode(inner.expose(format="protobuf")[0])
    (got,) = decode(outer.expose(format="protobuf")[0])
    assert got["metrics"][0]["positive_spans"] == want["metrics"][0]["positive_spans"] == [(0, 3)]
    assert got["metrics"][0]["positive_deltas"] == want["metrics"][0]["positive_deltas"]
    assert got["metrics"][0]["zero_count"] == want["metrics"][0]["zero_count"] == 1
    # A hand-made native dict that the protobuf writer could not write is refused.
    (count,) = [s for f in inner.collect() for s in f.samples if s.name == "rpc_seconds_count"]
    state = count.__reduce__()
    for bad in ({**count.native, "schema": 9}, {**count.native, "positive": [(1, 1), (0, 1)]},
                {**count.native, "negative": [(0, 0)]}, {"schema": 0}):
        forged = state[0](*state[1])
        forged.__setstate__(state[2][:-1] + (bad,))
        fam = obsv.Family("rpc_seconds", "histogram", "RPC latency.", samples=[forged])
        broken = Registry()
        broken.register_collector(lambda fam=fam: [fam])
        with pytest.raises(ValueError, match="Sample.native"):
            broken.expose(format="protobuf")


def test_native_histogram_text_has_classic_buckets_only():
    r = Registry()
    h = Histogram("h", registry=r, native_histogram_bucket_factor=1.1, buckets=[1.0])
    h.observe(0.5)
    h.observe(5)
    assert h.buckets() == [(1.0, 1), (math.inf, 2)]
    body, _ = r.expose(format="openmetrics")
    families = {f.name: f for f in om_parser.text_string_to_metric_families(body.decode())}
    assert families["h"].type == "histogram"
    assert Histogram("c", registry=r).native() is None


def test_native_histogram_bucket_limit():
    r = Registry()
    h = Histogram("h", registry=r, native_histogram_bucket_factor=2.0, native_histogram_max_bucket_number=4)
    for v in (1, 2, 4, 8, 16):
        h.observe(v)
    assert h.native()["schema"] == -1
    assert h.native()["positive"] == [(0, 1), (1, 2), (2, 2)]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"native_histogram_bucket_factor": 1.0},
        {"native_histogram_bucket_factor": float("inf")},
        {"native_histogram_bucket_factor": 1.1, "native_histogram_zero_threshold": -1.0},
        {"native_histogram_bucket_factor": 1.1, "native_histogram_min_reset_duration": -1.0},
    ],
)
def test_native_histogram_bad_options(kwargs):
    with pytest.raises(ValueError):
        Histogram("h", registry=Registry(), **kwargs)


def test_negotiate_protobuf():
    r = Registry()
    Counter("c", registry=r).inc()
    body, content_type = r.expose(accept=PROMETHEUS_ACCEPT)
    assert content_type == PROTOBUF
    (fam,) = decode(body)
    assert fam["name"] == "c_total"
    assert fam["metrics"][0]["value"] == 1
    assert obsv.registry.negotiate(PROMETHEUS_ACCEPT) == ("protobuf", PROTOBUF)


# ---- Exemplars -------------------------------------------------------------------------


def test_exemplars_in_openmetrics_and_protobuf_not_text():
    r = Registry()
    c = Counter("jobs", registry=r)
    c.inc(2, exemplar={"trace_id": "abc"})
    c.inc(0.5, exemplar={"trace_id": "def"})
    h = Histogram("lat", registry=r, buckets=[1.0])
    h.observe(0.25, exemplar={"trace_id": "ghi"})
    assert c.value == 2.5
    body, _ = r.expose(format="openmetrics")
    families = {f.name: f for f in om_parser.text_string_to_metric_families(body.decode())}
    (total,) = [s for s in families["jobs"].samples if s.name == "jobs_total"]
    assert total.exemplar.labels == {"trace_id": "def"}
    assert total.exemplar.value == 0.5
    (bucket,) = [s for s in families["lat"].samples if s.name == "lat_bucket" and s.labels["le"] == "1.0"]
    assert bucket.exemplar.labels == {"trace_id": "ghi"}
    text, _ = r.expose(format="text")
    assert b"trace_id" not in text
    pb = {f["name"]: f for f in decode(r.expose(format="protobuf")[0])}
    assert pb["jobs_total"]["metrics"][0]["exemplar"] == ({"trace_id": "def"}, 0.5)


def test_exemplar_limits():
    r = Registry()
    c = Counter("jobs", registry=r)
    c.inc(1, exemplar={"t": "x" * 127})  # 128 characters
    with pytest.raises(ValueError, match="128"):
        c.inc(1, exemplar={"t": "x" * 128})
    with pytest.raises(ValueError, match="128"):
        Histogram("h", registry=r).observe(1, exemplar={"trace_id": "é" * 121})
    with pytest.raises(TypeError):
        c.inc(1, exemplar=[("a", "b")])
    with pytest.raises(ValueError):
        c.inc(-1, exemplar={"a": "b"})
    assert c.value == 1  # refused updates record nothing


# ---- Gauge histograms ---------------------------------------------------------------------


def test_gauge_histogram():
    r = Registry()
    g = GaugeHistogram("queue_age_seconds", "Queued items by age.", ["q"], registry=r, buckets=[1.0, 10.0])
    a = g.labels("a")
    a.observe(0.5)
    a.observe(5, 3)
    a.observe(5, -1)
    assert a.gcount == 3
    assert a.gsum == 10.5
    assert a.buckets() == [(1.0, 1), (10.0, 3), (math.inf, 3)]
    body, _ = r.expose(format="openmetrics")
    families = {f.name: f for f in om_parser.text_string_to_metric_families(body.decode())}
    assert families["queue_age_seconds"].type == "gaugehistogram"
    samples = {(s.name, s.labels.get("le")): s.value for s in families["queue_age_seconds"].samples}
    assert samples[("queue_age_seconds_gcount", None)] == 3
    assert samples[("queue_age_seconds_bucket", "10.0")] == 3
    (fam,) = decode(r.expose(format="protobuf")[0])
    assert fam["type"] == 5  # GAUGE_HISTOGRAM
    assert fam["metrics"][0]["count"] == 3
    assert r.gaugehistogram("queue_age_seconds", labelnames=["q"], buckets=[1.0, 10.0]).labels("a").gcount == 3
