"""Differential tests of obsv's exposition parser against reference parsers.

Every input (the real corpus in tests/testdata/corpus, plus 1 MiB synthetic
expositions from bench/gen_exposition.py) is parsed by three parsers:

  go      tests/reference/go/cmd/expdump: Prometheus 3.x's scrape parser
          (model/textparse), built once per session with `go build`.
  obsv    `obsv dump --format F --json FILE` (env OBSV_BIN, default
          <repo>/build/bin/obsv).
  python  prometheus_client's text parser (text) and its strict OpenMetrics
          parser (OpenMetrics).

Files named *.prom are text 0.0.4; *.om.txt are OpenMetrics 1.0.

Each pair is compared sample by sample: the same sequence of
(name, labels sorted by name, value as a float with NaN == NaN, timestamp in
ms). Go and obsv are also compared on exemplars and on metadata entries
(HELP, TYPE, UNIT, comments); prometheus_client only on samples, since it
groups text families its own way and reports no entries for metadata.

Known, legitimate differences, normalised away here:
  * textparse rewrites the `le` label of histograms and the `quantile` label of
    summaries in OpenMetrics float form ("1" -> "1.0"), keyed on the last
    `# TYPE` seen; obsv and prometheus_client keep the text. `le` and
    `quantile` values are therefore compared as floats when they parse.
  * textparse turns OpenMetrics float-second timestamps into ms with
    int64(ts * 1000), which can land 1 ms below the exact decimal truncation
    (1795314920.195 * 1000 == 1795314920194.9998). OpenMetrics timestamps
    (samples and exemplars) may differ by 1 ms; text timestamps are integers
    and must match exactly.
  * prometheus_client's OpenMetrics parser rejects client_golang.om.txt
    ("Received metadata after samples": the counter `go_memstats_alloc_bytes`
    reuses a gauge's family name, see the corpus README). It must be the only
    rejected file; Prometheus accepts it, and so must obsv.
  * prometheus_client misreads exemplar timestamps written with an exponent
    ("1.7953149201397886e+09" becomes 1.795314920 s: it splits on the dot
    before trying float()). Only client_golang.om.txt has those, and python
    rejects that file anyway; the comparison would flag any other case.
  * prometheus_client gives text timestamps as float seconds (ms / 1000) and
    OpenMetrics ones as Timestamp(sec, nsec) or float: converted to ms.
"""

import functools
import glob
import json
import math
import os
import shutil
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
CORPUS = os.path.join(REPO, "tests", "testdata", "corpus")
INVALID = os.path.join(REPO, "tests", "testdata", "invalid")
GO_MODULE = os.path.join(HERE, "go")
GEN_EXPOSITION = os.path.join(REPO, "bench", "gen_exposition.py")

TIMEOUT = 300  # seconds per subprocess; the first `go build` may download modules

# Files the strict prometheus_client OpenMetrics parser rejects, with a piece of
# its message. Anything else it rejects is a failure.
PYTHON_OM_REJECTS = {"client_golang.om.txt": "Received metadata after samples"}


def format_of(path):
    return "openmetrics" if path.endswith(".om.txt") else "text"


def corpus_files():
    files = sorted(glob.glob(os.path.join(CORPUS, "*.prom")) +
                   glob.glob(os.path.join(CORPUS, "*.om.txt")))
    assert files, f"no corpus files in {CORPUS}"
    return files


CORPUS_FILES = corpus_files()
CORPUS_IDS = [os.path.basename(f) for f in CORPUS_FILES]
# 1 MiB synthetic inputs, generated per session (see the `inputs` fixture).
SYNTH_NAMES = ["synth_1m.prom", "synth_1m.om.txt"]
ALL_IDS = CORPUS_IDS + SYNTH_NAMES


# --------------------------------------------------------------------------
# Fixtures: the binaries and the inputs


def _go_tool():
    go = shutil.which("go") or "/usr/local/go/bin/go"
    if not os.path.exists(go):
        pytest.fail("the Go toolchain is needed to build the reference oracle "
                    "(tests/reference/go); `go` is not on PATH nor at /usr/local/go/bin/go")
    return go


@pytest.fixture(scope="session")
def expdump(tmp_path_factory):
    """Path of the Go oracle, built once per session."""
    out = str(tmp_path_factory.mktemp("expdump") / "expdump")
    proc = subprocess.run([_go_tool(), "build", "-buildvcs=false", "-o", out, "./cmd/expdump"],
                          cwd=GO_MODULE, capture_output=True, text=True, timeout=TIMEOUT)
    if proc.returncode != 0:
        pytest.fail(f"go build of the reference oracle failed:\n{proc.stderr}")
    return out


@pytest.fixture(scope="session")
def obsv_bin():
    path = os.environ.get("OBSV_BIN", os.path.join(REPO, "build", "bin", "obsv"))
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        pytest.fail(f"obsv CLI not found at {path}: build it "
                    "(cmake --preset default && cmake --build build --target obsv_cli) "
                    "or point OBSV_BIN at it")
    return path


@pytest.fixture(scope="session")
def synth_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp("synth")
    for name in SYNTH_NAMES:
        subprocess.run([sys.executable, GEN_EXPOSITION, "--size", "1M",
                        "--format", format_of(name), "-o", str(d / name)],
                       check=True, capture_output=True, timeout=TIMEOUT)
    return d


@pytest.fixture
def input_path(request, synth_dir):
    name = request.param
    if name in SYNTH_NAMES:
        return str(synth_dir / name)
    return os.path.join(CORPUS, name)


def parametrize_inputs(ids):
    return pytest.mark.parametrize("input_path", ids, ids=ids, indirect=True)


# --------------------------------------------------------------------------
# Running the parsers


def _json_lines(cmd, what):
    proc = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT)
    entries = []
    for i, line in enumerate(proc.stdout.decode("utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError as e:
            pytest.fail(f"{what}: line {i} of its output is not JSON ({e}): {line!r}")
    return proc.returncode, entries, proc.stderr.decode("utf-8", "replace")


@functools.lru_cache(maxsize=None)
def _run_go_cached(expdump, path):
    rc, entries, stderr = _json_lines([expdump, "--format", format_of(path), path], "expdump")
    assert rc == 0, f"expdump failed on {path} (rc={rc}): {stderr}"
    return entries


def run_go(expdump, path):
    return _run_go_cached(expdump, path)


@functools.lru_cache(maxsize=None)
def _run_obsv_cached(obsv, path):
    return _json_lines([obsv, "dump", "--format", format_of(path), "--json", path], "obsv dump")


def run_obsv(obsv, path):
    return _run_obsv_cached(obsv, path)


def errors_of(entries):
    return [e for e in entries if e.get("kind") == "error"]


# --------------------------------------------------------------------------
# Normalisation


class Float:
    """A float that equals itself when NaN, for comparisons and reports."""

    __slots__ = ("v",)

    def __init__(self, v):
        self.v = float(v)

    def __eq__(self, other):
        return isinstance(other, Float) and (
            self.v == other.v or (math.isnan(self.v) and math.isnan(other.v)))

    def __hash__(self):
        return hash("NaN") if math.isnan(self.v) else hash(self.v)

    def __repr__(self):
        return repr(self.v)


def _label_value(name, value):
    # textparse rewrites le/quantile in OpenMetrics float form: compare those
    # as numbers when they are numbers.
    if name in ("le", "quantile"):
        try:
            return Float(value)
        except ValueError:
            pass
    return value


def norm_labels(pairs):
    return tuple(sorted((n, _label_value(n, v)) for n, v in pairs))


class Ms:
    """A timestamp in ms; within 1 ms of another when `fuzzy` (OpenMetrics)."""

    __slots__ = ("ms", "fuzzy")

    def __init__(self, ms, fuzzy):
        self.ms, self.fuzzy = ms, fuzzy

    def __eq__(self, other):
        if not isinstance(other, Ms):
            return False
        if self.fuzzy or other.fuzzy:
            return abs(self.ms - other.ms) <= 1
        return self.ms == other.ms

    def __hash__(self):
        return 0

    def __repr__(self):
        return f"{self.ms}ms"


def norm_ts(ms, fmt):
    return None if ms is None else Ms(int(ms), fmt == "openmetrics")


def samples_from_json(entries, fmt, with_exemplars=True):
    """(name, labels, value, ts[, exemplar]) tuples of the sample entries of
    expdump / obsv dump output; extra keys are ignored."""
    out = []
    for e in entries:
        if e.get("kind") != "sample":
            continue
        s = (e["name"], norm_labels(e["labels"]), Float(e["value"]), norm_ts(e.get("ts"), fmt))
        if with_exemplars:
            ex = e.get("exemplar")
            if ex is not None:
                ex = (norm_labels(ex["labels"]), Float(ex["value"]), norm_ts(ex.get("ts"), fmt))
            s += (ex,)
        out.append(s)
    return out


def metadata_from_json(entries):
    """HELP/TYPE/UNIT/comment entries, in order, as tuples."""
    out = []
    for e in entries:
        kind = e.get("kind")
        if kind == "help":
            out.append(("help", e["name"], e["text"]))
        elif kind == "type":
            t = e["type"]
            out.append(("type", e["name"], "unknown" if t == "untyped" else t))
        elif kind == "unit":
            out.append(("unit", e["name"], e["unit"]))
        elif kind == "comment":
            out.append(("comment", e["text"]))
    return out


def _python_ts_ms(ts):
    """prometheus_client timestamp (float seconds or Timestamp) -> ms."""
    if ts is None:
        return None
    if hasattr(ts, "sec") and hasattr(ts, "nsec"):
        return ts.sec * 1000 + int(ts.nsec / 1_000_000)
    return int(ts * 1000)


def python_samples(path, with_exemplars):
    """Samples of a file as prometheus_client parses it; raises what it raises."""
    fmt = format_of(path)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if fmt == "openmetrics":
        from prometheus_client.openmetrics.parser import text_string_to_metric_families
    else:
        from prometheus_client.parser import text_string_to_metric_families
    out = []
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if fmt == "text":
                # Text timestamps are integer ms that it divides by 1000.
                ts = None if s.timestamp is None else round(s.timestamp * 1000)
            else:
                ts = _python_ts_ms(s.timestamp)
            t = (s.name, norm_labels(s.labels.items()), Float(s.value), norm_ts(ts, fmt))
            if with_exemplars:
                ex = s.exemplar
                if ex is not None:
                    ex = (norm_labels(ex.labels.items()), Float(ex.value),
                          norm_ts(_python_ts_ms(ex.timestamp), fmt))
                t += (ex,)
            out.append(t)
    return out


# --------------------------------------------------------------------------
# Comparison


def assert_same_sequence(a, b, what_a, what_b, path):
    """Sample sequences are equal; the failure names the first difference."""
    name = os.path.basename(path)
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            pytest.fail(f"{name}: entry {i} differs\n  {what_a}: {x!r}\n  {what_b}: {y!r}")
    if len(a) != len(b):
        longer, what = (a, what_a) if len(a) > len(b) else (b, what_b)
        pytest.fail(f"{name}: {what_a} has {len(a)} entries, {what_b} {len(b)}; "
                    f"first extra in {what}: {longer[min(len(a), len(b))]!r}")


def python_or_rejection(path, with_exemplars):
    """Python's samples, or None for a file it is known to reject (asserting
    that it does reject it, with the known message)."""
    name = os.path.basename(path)
    expected = PYTHON_OM_REJECTS.get(name) if format_of(path) == "openmetrics" else None
    if expected is None:
        return python_samples(path, with_exemplars)
    with pytest.raises(ValueError, match=expected):
        python_samples(path, with_exemplars)
    return None


# --------------------------------------------------------------------------
# Tests


@parametrize_inputs(ALL_IDS)
def test_obsv_matches_prometheus(input_path, expdump, obsv_bin):
    """obsv and textparse: same samples, exemplars and metadata, in order."""
    fmt = format_of(input_path)
    go = run_go(expdump, input_path)
    assert not errors_of(go), f"textparse rejects {input_path}: {errors_of(go)}"
    rc, obsv, stderr = run_obsv(obsv_bin, input_path)
    assert rc == 0 and not errors_of(obsv), (
        f"obsv dump rejects {input_path} (rc={rc}): {errors_of(obsv)} {stderr}")
    assert_same_sequence(samples_from_json(go, fmt), samples_from_json(obsv, fmt),
                         "textparse", "obsv", input_path)
    assert_same_sequence(metadata_from_json(go), metadata_from_json(obsv),
                         "textparse", "obsv", input_path)


@parametrize_inputs(ALL_IDS)
def test_obsv_matches_prometheus_client(input_path, obsv_bin):
    """obsv and prometheus_client: same samples (and exemplars) in order."""
    fmt = format_of(input_path)
    py = python_or_rejection(input_path, with_exemplars=fmt == "openmetrics")
    if py is None:
        return  # rejection asserted; obsv vs textparse covers this file
    rc, obsv, stderr = run_obsv(obsv_bin, input_path)
    assert rc == 0 and not errors_of(obsv), (
        f"obsv dump rejects {input_path} (rc={rc}): {errors_of(obsv)} {stderr}")
    assert_same_sequence(py, samples_from_json(obsv, fmt, with_exemplars=fmt == "openmetrics"),
                         "prometheus_client", "obsv", input_path)


@parametrize_inputs(ALL_IDS)
def test_references_agree(input_path, expdump):
    """The two references agree with each other (checks the oracle and this
    harness's normalisation; needs no obsv)."""
    fmt = format_of(input_path)
    py = python_or_rejection(input_path, with_exemplars=fmt == "openmetrics")
    if py is None:
        return
    go = run_go(expdump, input_path)
    assert not errors_of(go), f"textparse rejects {input_path}: {errors_of(go)}"
    assert_same_sequence(py, samples_from_json(go, fmt, with_exemplars=fmt == "openmetrics"),
                         "prometheus_client", "textparse", input_path)


def test_python_openmetrics_rejects_only_known_files():
    rejected = {}
    for path in CORPUS_FILES:
        if format_of(path) != "openmetrics":
            continue
        try:
            python_samples(path, with_exemplars=True)
        except ValueError as e:
            rejected[os.path.basename(path)] = str(e)
    assert set(rejected) == set(PYTHON_OM_REJECTS), rejected
    for name, msg in rejected.items():
        assert PYTHON_OM_REJECTS[name] in msg, (name, msg)


@pytest.mark.parametrize("path", sorted(glob.glob(os.path.join(INVALID, "*"))),
                         ids=os.path.basename)
def test_invalid_files_are_rejected(path, expdump, obsv_bin):
    """Both parsers reject tests/testdata/invalid/*, after the same samples."""
    fmt = format_of(path)
    go = run_go(expdump, path)
    assert errors_of(go), f"textparse accepts {path}"
    rc, obsv, stderr = run_obsv(obsv_bin, path)
    assert rc != 0 or errors_of(obsv), f"obsv dump accepts {path}"
    assert_same_sequence(samples_from_json(go, fmt), samples_from_json(obsv, fmt),
                         "textparse", "obsv", path)


# The oracle's own contract, on small bodies through stdin.
ORACLE_CASES = [
    ("text",
     '# HELP x A \\\\ back\\nslash\n# TYPE x untyped\n'
     'x{b="2",a="q\\"\\\\\\n"} NaN 1520879607789\n# a comment\ny +Inf\ny -Inf\nz 1e-7\n',
     [{"kind": "help", "name": "x", "text": "A \\ back\nslash"},
      {"kind": "type", "name": "x", "type": "unknown"},
      {"kind": "sample", "name": "x", "labels": [["a", 'q"\\\n'], ["b", "2"]],
       "value": "NaN", "ts": 1520879607789, "exemplar": None},
      {"kind": "comment", "text": "# a comment"},
      {"kind": "sample", "name": "y", "labels": [], "value": "+Inf", "ts": None, "exemplar": None},
      {"kind": "sample", "name": "y", "labels": [], "value": "-Inf", "ts": None, "exemplar": None},
      {"kind": "sample", "name": "z", "labels": [], "value": "1e-07", "ts": None, "exemplar": None}]),
    ("openmetrics",
     '# TYPE h_seconds histogram\n# UNIT h_seconds seconds\n'
     'h_seconds_bucket{le="1"} 2 # {id="a"} 0.5 1520879607.789\n'
     'h_seconds_bucket{le="+Inf"} 2\nh_seconds_count 2\nh_seconds_sum 1.25\n'
     'h_seconds_created 1.5e9\n# EOF\n',
     [{"kind": "type", "name": "h_seconds", "type": "histogram"},
      {"kind": "unit", "name": "h_seconds", "unit": "seconds"},
      # textparse rewrites le="1" as "1.0"; int64(1520879607.789 * 1000)
      {"kind": "sample", "name": "h_seconds_bucket", "labels": [["le", "1.0"]], "value": "2",
       "ts": None, "exemplar": {"labels": [["id", "a"]], "value": "0.5", "ts": 1520879607789}},
      {"kind": "sample", "name": "h_seconds_bucket", "labels": [["le", "+Inf"]], "value": "2",
       "ts": None, "exemplar": None},
      {"kind": "sample", "name": "h_seconds_count", "labels": [], "value": "2", "ts": None,
       "exemplar": None},
      {"kind": "sample", "name": "h_seconds_sum", "labels": [], "value": "1.25", "ts": None,
       "exemplar": None},
      {"kind": "sample", "name": "h_seconds_created", "labels": [], "value": "1.5e+09",
       "ts": None, "exemplar": None}]),
    ("openmetrics", '# TYPE h histogram\n# UNIT h seconds\n# EOF\n', None),
    ("text", 'x{a="b" 1\n', None),
]


@pytest.mark.parametrize("case", range(len(ORACLE_CASES)))
def test_oracle_contract(case, expdump):
    fmt, body, expected = ORACLE_CASES[case]
    proc = subprocess.run([expdump, "--format", fmt, "-"], input=body.encode(),
                          capture_output=True, timeout=TIMEOUT)
    assert proc.returncode == 0, proc.stderr
    got = [json.loads(l) for l in proc.stdout.decode().splitlines()]
    if expected is not None:
        assert got == expected
    elif fmt == "openmetrics":
        # `h` has no UNIT suffix, so textparse rejects the UNIT line.
        assert got[0] == {"kind": "type", "name": "h", "type": "histogram"}
        assert got[-1]["kind"] == "error" and "unit" in got[-1]["message"]
    else:
        assert got and got[-1]["kind"] == "error"
