"""Tests of the `obsv` command-line tool, and of its text output against
promtool (Prometheus's own parser, the reference for text 0.0.4).

Run through ctest (tests/cli/CMakeLists.txt), or by hand:

  OBSV_BIN=build/bin/obsv OBSV_SOURCE_DIR=. python3 -m pytest -q tests/cli/cli_test.py

Environment:
  OBSV_BIN         the obsv binary (required)
  OBSV_SOURCE_DIR  the source tree, for tests/testdata and bench/ (required)
  PROMTOOL         promtool to use (default: `promtool` on PATH). A missing
                   promtool fails the promtool tests: CI installs it.

Exit codes of the tool (src/cli/cli_commands.h): 0 success, 1 invalid input,
2 usage or I/O error.
"""
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest


def _required_env(name):
    value = os.environ.get(name)
    if not value:
        pytest.exit(f"{name} is not set (see the docstring of {__file__})", returncode=2)
    return value


OBSV = _required_env("OBSV_BIN")
SOURCE_DIR = pathlib.Path(_required_env("OBSV_SOURCE_DIR"))
TESTDATA = SOURCE_DIR / "tests" / "testdata"
CORPUS = sorted(p for p in (TESTDATA / "corpus").iterdir() if p.suffix in (".prom", ".txt"))
INVALID = TESTDATA / "invalid" / "prometheus_cpp_unescaped_help.prom"
GENERATOR = SOURCE_DIR / "bench" / "gen_exposition.py"

# Strict lint rejects client_golang's OpenMetrics output: its counter metadata
# drops `_total`, so a gauge and a counter both claim `go_memstats_alloc_bytes`
# (tests/testdata/corpus/README.md). Lenient lint accepts it.
STRICT_REJECTS = {"client_golang.om.txt": ("metadata_after_samples", 73)}

ERROR_LINE = re.compile(r"^(?P<file>.+):(?P<line>\d+):(?P<column>\d+): error: (?P<message>.+) \[(?P<code>[a-z0-9_]+)\]$")
ERROR_CODES = {
    "syntax", "invalid_name", "invalid_escape", "unterminated_string", "duplicate_label",
    "invalid_value", "invalid_timestamp", "invalid_exemplar", "invalid_metadata",
    "duplicate_metadata", "interleaved_family", "metadata_after_samples", "invalid_suffix",
    "invalid_histogram", "invalid_label_value", "missing_eof", "content_after_eof",
    "blank_line", "nul_byte", "invalid_utf8", "limit_exceeded", "unexpected_end",
}


def run(*args, stdin=None):
    """Runs obsv; returns the CompletedProcess (text mode)."""
    return subprocess.run([OBSV, *map(str, args)], input=stdin, capture_output=True,
                          text=True, encoding="utf-8", timeout=120)


def run_ok(*args, stdin=None):
    r = run(*args, stdin=stdin)
    assert r.returncode == 0, f"obsv {' '.join(map(str, args))}: rc={r.returncode}\n{r.stderr}"
    return r


def is_openmetrics(path):
    return path.name.endswith(".om.txt")


def sample_lines(text):
    """The sample lines of a body: neither blank nor comments."""
    return [line for line in text.split("\n") if line and not line.startswith("#")]


def ids(paths):
    return [p.name for p in paths]


# --------------------------------------------------------------------------
# lint


def test_corpus_is_present():
    assert len(CORPUS) >= 10, f"corpus missing under {TESTDATA / 'corpus'}"
    assert INVALID.is_file()


@pytest.mark.parametrize("path", CORPUS, ids=ids(CORPUS))
def test_lint_corpus(path):
    expected_format = "openmetrics" if is_openmetrics(path) else "text"
    if path.name in STRICT_REJECTS:
        code, line = STRICT_REJECTS[path.name]
        r = run("lint", path)
        assert r.returncode == 1, r.stderr
        m = ERROR_LINE.match(r.stderr.splitlines()[0])
        assert m, r.stderr
        assert m["code"] == code
        assert int(m["line"]) == line
        r = run_ok("lint", "--lenient", path)
        mode = "lenient"
    else:
        r = run_ok("lint", path)  # strict by default
        mode = "strict"
    last = r.stdout.splitlines()[-1]
    m = re.fullmatch(
        rf"{re.escape(str(path))}: ok \((?P<format>\w+), {mode}, (?P<families>\d+) families, "
        rf"(?P<series>\d+) series, (?P<warnings>\d+) warnings\)", last)
    assert m, last
    assert m["format"] == expected_format
    assert int(m["series"]) == len(sample_lines(path.read_text(encoding="utf-8")))
    assert r.stderr == ""


def test_lint_invalid_file_strict():
    r = run("lint", INVALID)
    assert r.returncode == 1
    assert r.stdout == ""
    first = r.stderr.splitlines()[0]
    m = ERROR_LINE.match(first)
    assert m, first
    assert m["file"] == str(INVALID)
    # prometheus-cpp wrote `back\slash` unescaped in HELP (promtool: "invalid
    # escape sequence '\s'").
    assert (m["code"], int(m["line"]), int(m["column"])) == ("invalid_escape", 1, 48)
    # Then the offending line and a caret under the column.
    lines = r.stderr.splitlines()
    assert lines[1].strip().startswith("# HELP app_requests_total")
    assert lines[2].index("^") == lines[1].index("\\s")


def test_lint_error_codes_and_positions():
    cases = [
        # (body, format flag, code, line, column)
        ('a{b="c} 1\n', "text", "unterminated_string", 1, 5),
        ('a{b="1",b="2"} 1\n', "text", "duplicate_label", 1, 9),
        ("a 1\n", "openmetrics", "missing_eof", 2, 1),
        ("a 1\n# EOF\nb 1\n", "openmetrics", "content_after_eof", 3, 1),
        ("# TYPE a gauge\n# TYPE a gauge\na 1\n", "text", "duplicate_metadata", 2, None),
        ("x 1\ny 2", "text", "unexpected_end", 2, None),
    ]
    for body, fmt, code, line, column in cases:
        r = run("lint", "--format", fmt, "-", stdin=body)
        assert r.returncode == 1, (body, r.stdout, r.stderr)
        m = ERROR_LINE.match(r.stderr.splitlines()[0])
        assert m, r.stderr
        assert m["file"] == "<stdin>"
        assert m["code"] == code, (body, r.stderr)
        assert m["code"] in ERROR_CODES
        assert int(m["line"]) == line, (body, r.stderr)
        if column is not None:
            assert int(m["column"]) == column, (body, r.stderr)


def test_lint_stdin_and_warnings():
    body = "# TYPE a gauge\na 1\n# HELP b B.\n# TYPE b gauge\nb 2\n"
    r = run_ok("lint", "-", stdin=body)
    assert r.stdout.splitlines() == [
        "<stdin>: warning: a: no help text",
        "<stdin>: ok (text, strict, 2 families, 2 series, 1 warnings)",
    ]


def test_lint_lenient_accepts_what_strict_refuses():
    body = "a 1\nb 2"  # no final newline
    assert run("lint", "-", stdin=body).returncode == 1
    run_ok("lint", "--lenient", "-", stdin=body)


# --------------------------------------------------------------------------
# convert


@pytest.mark.parametrize("path", CORPUS, ids=ids(CORPUS))
def test_convert_to_openmetrics_lints_strict(path, tmp_path):
    om = run_ok("convert", "--to", "openmetrics", path).stdout
    assert om.endswith("# EOF\n")
    out = tmp_path / "out.om.txt"
    out.write_text(om, encoding="utf-8")
    if os.path.basename(path) in STRICT_REJECTS:
        # The source breaks the strict rules itself (two families named
        # go_memstats_alloc_bytes); the conversion keeps it as it came, which
        # Prometheus accepts.
        r = run_ok("lint", "--lenient", "--format", "openmetrics", out)
        assert "(openmetrics, lenient, " in r.stdout.splitlines()[-1]
    else:
        r = run_ok("lint", "--format", "openmetrics", out)
        assert "(openmetrics, strict, " in r.stdout.splitlines()[-1]
    # Conversion neither drops nor invents series (text counters gain
    # `_total`, nothing more).
    src = run_ok("stats", "--lenient", path).stdout
    dst = run_ok("stats", out).stdout
    assert stats_totals(dst)["series"] == stats_totals(src)["series"]


@pytest.mark.parametrize("path", CORPUS, ids=ids(CORPUS))
def test_convert_is_deterministic_and_idempotent(path, tmp_path):
    for fmt in ("text", "openmetrics"):
        first = run_ok("convert", "--to", fmt, path).stdout
        assert run_ok("convert", "--to", fmt, path).stdout == first
        # Converting the output again changes nothing.
        again = tmp_path / f"again.{fmt}"
        again.write_text(first, encoding="utf-8")
        assert run_ok("convert", "--to", fmt, "--format", fmt, again).stdout == first


def test_convert_stdin_round_trip():
    text = ('# HELP x_total Total x.\n# TYPE x_total counter\nx_total{a="b"} 3 1500\n')
    om = run_ok("convert", "--to=openmetrics", "-", stdin=text).stdout
    assert om == ('# HELP x Total x.\n# TYPE x counter\nx_total{a="b"} 3.0 1.5\n# EOF\n')
    assert run_ok("convert", "--to", "text", "-", stdin=om).stdout == text


def test_convert_invalid_input():
    r = run("convert", "--to", "openmetrics", INVALID)
    assert r.returncode == 1
    assert r.stdout == ""
    assert ERROR_LINE.match(r.stderr.splitlines()[0])


# --------------------------------------------------------------------------
# stats


STATS_TOTALS = re.compile(r"families: (?P<families>\d+)  series: (?P<series>\d+)  "
                          r"exemplars: (?P<exemplars>\d+)  with timestamps: (?P<timestamps>\d+)")
TYPES = {"unknown", "counter", "gauge", "histogram", "gaugehistogram", "summary", "info", "stateset"}


def stats_totals(stdout):
    lines = stdout.splitlines()
    m = STATS_TOTALS.fullmatch(lines[1])
    assert m, stdout
    return {k: int(v) for k, v in m.groupdict().items()}


@pytest.mark.parametrize("path", CORPUS, ids=ids(CORPUS))
def test_stats(path):
    r = run_ok("stats", path)
    lines = r.stdout.splitlines()
    assert lines[0] == "format: " + ("openmetrics" if is_openmetrics(path) else "text")
    totals = stats_totals(r.stdout)
    assert re.fullmatch(r"type\s+families\s+series", lines[2]), lines[2]
    families = series = 0
    seen = []
    for row in lines[3:]:
        m = re.fullmatch(r"(\S+)\s+(\d+)\s+(\d+)", row)
        assert m, row
        assert m[1] in TYPES
        seen.append(m[1])
        families += int(m[2])
        series += int(m[3])
    assert seen == sorted(seen) and len(seen) == len(set(seen))
    assert (families, series) == (totals["families"], totals["series"])

    body = path.read_text(encoding="utf-8")
    assert totals["series"] == len(sample_lines(body))
    # Exemplars and timestamps agree with the entry-level dump.
    entries = dump(path)
    samples = [e for e in entries if e["kind"] == "sample"]
    assert totals["exemplars"] == sum(e["exemplar"] is not None for e in samples)
    assert totals["timestamps"] == sum(e["ts"] is not None for e in samples)


def test_stats_known_shapes():
    # From tests/testdata/corpus/README.md.
    federate = stats_totals(run_ok("stats", TESTDATA / "corpus" / "prometheus_federate.prom").stdout)
    assert federate["timestamps"] == federate["series"] > 0  # every sample has one
    vm = run_ok("stats", TESTDATA / "corpus" / "vm_metrics.prom").stdout
    assert [row.split()[0] for row in vm.splitlines()[3:]] == ["unknown"]  # no TYPE lines
    py = stats_totals(run_ok("stats", TESTDATA / "corpus" / "python_client.om.txt").stdout)
    assert py["exemplars"] > 0


# --------------------------------------------------------------------------
# dump --json


def dump(path, *flags):
    r = run_ok("dump", "--json", *flags, path)
    entries = []
    for n, line in enumerate(r.stdout.splitlines(), 1):
        try:
            entries.append(json.loads(line))
        except json.JSONDecodeError as e:
            pytest.fail(f"dump --json {path}: line {n} is not JSON ({e}): {line!r}")
    assert r.stdout.endswith("\n") or r.stdout == ""
    return entries


@pytest.mark.parametrize("path", CORPUS, ids=ids(CORPUS))
def test_dump_json(path):
    entries = dump(path)
    kinds = {"help", "type", "unit", "comment", "sample"}
    for e in entries:
        assert e["kind"] in kinds, e
        if e["kind"] == "sample":
            assert set(e) == {"kind", "name", "family", "suffix", "labels", "value", "ts", "exemplar"}
            assert isinstance(e["name"], str) and e["name"]
            assert e["name"].startswith(e["family"]) or e["family"] == ""
            assert e["name"].endswith(e["suffix"])
            float(e["value"])  # Go spelling: +Inf, -Inf, NaN parse too
            assert all(isinstance(l, list) and len(l) == 2 for l in e["labels"])
            assert e["ts"] is None or isinstance(e["ts"], int)
        elif e["kind"] == "type":
            assert e["type"] in TYPES
    body = path.read_text(encoding="utf-8")
    assert sum(e["kind"] == "sample" for e in entries) == len(sample_lines(body))
    # HELP texts and label values come out unescaped, UTF-8 intact.
    assert all("\ufffd" not in json.dumps(e, ensure_ascii=False) for e in entries)


def test_dump_json_escapes():
    body = ('# HELP a Back\\\\slash and\\nnewline "q".\n# TYPE a gauge\n'
            'a{p="C:\\\\x\\"y\\"\\nz",u="S\u00e3o"} -Inf 123\n')
    r = run_ok("dump", "--json", "-", stdin=body)
    entries = [json.loads(line) for line in r.stdout.splitlines()]
    assert entries[0] == {"kind": "help", "name": "a", "text": 'Back\\slash and\nnewline "q".'}
    assert entries[1] == {"kind": "type", "name": "a", "type": "gauge"}
    assert entries[2]["labels"] == [["p", 'C:\\x"y"\nz'], ["u", "S\u00e3o"]]
    assert entries[2]["value"] == "-Inf"
    assert entries[2]["ts"] == 123


def test_dump_json_error_entry():
    r = run("dump", "--json", "-", stdin='ok 1\nbad{x="y} 2\n')
    assert r.returncode == 1
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    assert lines[0]["kind"] == "sample"
    assert lines[-1]["kind"] == "error"
    assert lines[-1]["code"] == "unterminated_string"
    assert lines[-1]["line"] == 2


# --------------------------------------------------------------------------
# demo, version, usage


def test_demo():
    r = run_ok("demo")
    assert "== lint (strict)" in r.stdout
    assert "== the rewrite parses back as strict OpenMetrics" in r.stdout
    assert "# EOF\n" in r.stdout


def test_version_matches_header():
    header = (SOURCE_DIR / "include" / "obsv" / "version.h").read_text()
    version = re.search(r'#define OBSV_VERSION_STRING "([^"]+)"', header)[1]
    assert run_ok("version").stdout == f"obsv {version}\n"
    assert run_ok("--version").stdout == f"obsv {version}\n"


def test_help():
    r = run_ok("--help")
    assert r.stdout.startswith("usage: obsv ")


@pytest.mark.parametrize("args", [
    [],
    ["frobnicate", "x"],
    ["lint"],
    ["lint", "--bogus", "x"],
    ["lint", "a", "b"],
    ["lint", "--format", "xml", "x"],
    ["lint", "--format"],
    ["convert", "x"],
    ["convert", "--to", "xml", "x"],
    ["convert", "--to", "auto", "x"],
    ["dump", "x"],
    ["stats"],
], ids=lambda a: " ".join(a) or "(none)")
def test_usage_errors_exit_2(args):
    r = run(*args)
    assert r.returncode == 2, (args, r.stdout, r.stderr)
    assert "usage: obsv" in r.stdout + r.stderr
    assert not r.stdout.startswith("{")  # nothing half-done on stdout


def test_missing_file_exits_2(tmp_path):
    missing = tmp_path / "missing.prom"
    for args in (["lint"], ["stats"], ["convert", "--to", "text"], ["dump", "--json"]):
        r = run(*args, missing)
        assert r.returncode == 2, (args, r.stderr)
        assert str(missing) in r.stderr


# --------------------------------------------------------------------------
# promtool: Prometheus's own parser accepts what `obsv convert --to text`
# writes.


@pytest.fixture(scope="session")
def promtool():
    tool = os.environ.get("PROMTOOL") or shutil.which("promtool")
    if not tool or not os.access(tool, os.X_OK):
        pytest.fail("promtool not found (install Debian's `prometheus` package or set PROMTOOL); "
                    "the promtool tests are required, not optional", pytrace=False)
    return tool


def promtool_check(promtool, body):
    """Runs `promtool check metrics` on body; returns (rc, output)."""
    r = subprocess.run([promtool, "check", "metrics"], input=body, capture_output=True,
                       text=True, encoding="utf-8", timeout=300)
    return r.returncode, r.stdout + r.stderr


def promtool_findings(rc, output):
    """Asserts promtool parsed the body; returns its lint findings.

    promtool exits 0 when clean, 3 with lint findings only (one per line on
    stderr, e.g. `x no help text`), and 1 with `error while linting: text
    format parsing error in line N: ...` when it cannot parse the body."""
    assert rc in (0, 3), f"promtool rc={rc}:\n{output[:2000]}"
    assert "error while linting" not in output, output[:2000]
    assert "parsing error" not in output, output[:2000]
    return set(line for line in output.splitlines() if line)


def test_promtool_detects_parse_errors(promtool):
    # The harness itself: promtool must reject a body that is not text 0.0.4.
    rc, output = promtool_check(promtool, INVALID.read_text(encoding="utf-8"))
    assert rc == 1
    assert "error while linting" in output


@pytest.mark.parametrize("path", CORPUS, ids=ids(CORPUS))
def test_promtool_accepts_converted_corpus(promtool, path):
    text = run_ok("convert", "--to", "text", path).stdout
    findings = promtool_findings(*promtool_check(promtool, text))
    if not is_openmetrics(path):
        # obsv's rewrite adds no lint finding the original did not have.
        original = promtool_findings(*promtool_check(promtool, path.read_text(encoding="utf-8")))
        assert findings <= original, sorted(findings - original)


@pytest.mark.parametrize("fmt", ["text", "openmetrics"])
def test_promtool_accepts_converted_synthetic_1m(promtool, tmp_path, fmt):
    generated = tmp_path / f"synth_1m.{fmt}"
    subprocess.run([sys.executable, str(GENERATOR), "--size", "1M", "--format", fmt,
                    "-o", str(generated)], check=True, capture_output=True, timeout=300)
    assert generated.stat().st_size >= 1 << 20
    text = run_ok("convert", "--to", "text", "--format", fmt, generated).stdout
    assert len(text) > 1 << 19
    promtool_findings(*promtool_check(promtool, text))
    # And obsv's own strict lint agrees.
    out = tmp_path / "converted.prom"
    out.write_text(text, encoding="utf-8")
    run_ok("lint", "--format", "text", out)


# ---- obsv promql ----

def _promql(*args, stdin=None):
    return subprocess.run([OBSV, "promql", *args], input=stdin, capture_output=True, text=True, timeout=60)


def test_promql_format_prints_prometheus_canonical_form():
    r = _promql("format", "sum by(job)(rate(x{b='2',a=\"1\"}[5m]))")
    assert r.returncode == 0, r.stderr
    assert r.stdout == 'sum by (job) (rate(x{a="1",b="2"}[5m]))\n'


def test_promql_pretty_matches_the_oracle_for_a_long_query():
    queries = (TESTDATA / "promql" / "valid.txt").read_text().splitlines()
    expected = (TESTDATA / "promql" / "valid.pretty.expected").read_text().splitlines()
    # A multi-line pretty form from the oracle's own output.
    for q, e in zip(queries, expected):
        if "\\n" in e and "\\n" not in q and "#" not in q:
            r = _promql("pretty", q)
            assert r.returncode == 0, r.stderr
            assert r.stdout == e.split("\t", 1)[1].replace("\\n", "\n") + "\n"
            return
    pytest.fail("no multi-line pretty form in the corpus")


def test_promql_errors_are_positioned_and_exit_1():
    r = _promql("format", "sum(rate(x[5m])")
    assert r.returncode == 1
    assert re.match(r"^1:\d+: parse error: ", r.stderr), r.stderr


def test_promql_inject_scopes_aggregation_parameters():
    r = _promql("inject", "--enforce", 'tenant="a"', "topk(scalar(secret), up)")
    assert r.returncode == 0, r.stderr
    assert r.stdout == 'topk(scalar(secret{tenant="a"}), up{tenant="a"})\n'


@pytest.mark.parametrize("policy,code,out", [
    ("error", 1, ""),
    ("replace", 0, 'x{tenant="a"}\n'),
    ("intersect", 0, 'x{tenant="a",tenant="z"}\n'),
])
def test_promql_inject_policies(policy, code, out):
    r = _promql("inject", "--enforce", 'tenant="a"', "--policy", policy, 'x{tenant="z"}')
    assert r.returncode == code, r.stderr
    assert r.stdout == out
    if code:
        assert r.stderr.startswith("1:3: "), r.stderr


def test_promql_allow_escapes_values():
    r = _promql("inject", "--allow", "tenant=a,b.c", "up")
    assert r.returncode == 0, r.stderr
    assert r.stdout == 'up{tenant=~"a|b\\\\.c"}\n'


def test_promql_selectors_absent_match_is_the_enforced_set():
    r = _promql("selectors", "--enforce", 'tenant="a"')
    assert (r.returncode, r.stdout) == (0, '{tenant="a"}\n')
    r = _promql("selectors", "--enforce", 'tenant="a"', "up", '{job="x"}')
    assert (r.returncode, r.stdout) == (0, 'up{tenant="a"}\n{job="x",tenant="a"}\n')
    r = _promql("selectors", "--enforce", 'tenant="a"', "rate(x[5m])")
    assert r.returncode == 1 and r.stderr.startswith("match[0]: ")


def test_promql_template_escapes_hostile_values():
    r = _promql("template", "--set", 'v="}) or vector(1) #', 'count(x{a="{{v}}"})')
    assert r.returncode == 0, r.stderr
    assert r.stdout == 'count(x{a="\\"}) or vector(1) #"})\n'
    r = _promql("template", "--set", "r=5m] or vector(1", "rate(x[{{r}}])")
    assert r.returncode == 1 and "r" in r.stderr


def test_promql_each_line_reports_every_query():
    r = _promql("inject", "--enforce", 'tenant="a"', "--each-line", "-", stdin="up\nsum(x\nfoo\n")
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert lines[0] == 'up{tenant="a"}'
    assert lines[1].startswith("error: 1:")
    assert lines[2] == 'foo{tenant="a"}'


def test_promql_usage_errors_exit_2():
    assert _promql("inject", "up").returncode == 2  # no --enforce
    assert _promql("bogus").returncode == 2
    assert _promql("inject", "--enforce", "nonsense", "up").returncode == 2
    assert _promql("inject", "--enforce", '__name__="x"', "up").returncode == 2


# ---- obsv logql ----

def _logql(*args, stdin=None):
    return subprocess.run([OBSV, "logql", *args], input=stdin, capture_output=True, text=True, timeout=60)


def test_logql_format_and_inject():
    r = _logql("format", 'sum by (app) (rate({app="api"} |= "error" | json [5m]))')
    assert r.returncode == 0, r.stderr
    assert r.stdout == 'sum by (app)(rate({app="api"} |= "error" | json[5m]))\n'
    r = _logql("inject", "--enforce", 'resource_id="r1"', '{app="a"} |= "{resource_id=\\"x\\"}"')
    assert r.returncode == 0, r.stderr
    assert r.stdout == '{app="a", resource_id="r1"} |= "{resource_id=\\"x\\"}"\n'
    r = _logql("inject", "--enforce", 'resource_id="r1"', '{resource_id="r2"}')
    assert r.returncode == 1
    assert r.stderr.startswith("1:2: label matcher")
    r = _logql("inject", "--enforce", 'resource_id="r1"', "--policy", "replace", '{resource_id="r2"}')
    assert r.stdout == '{resource_id="r1"}\n'
    r = _logql("inject", "--enforce", 'resource_id="r1"', "--refuse-label-writes",
               '{a="b"} | label_format resource_id="x"')
    assert r.returncode == 1


def test_logql_selectors_template_each_line():
    r = _logql("selector", "--allow", "resource_id=r1,r2")
    assert r.stdout == '{resource_id=~"r1|r2"}\n'
    r = _logql("selectors", "--enforce", 'resource_id="r1"', '{a="1"}', '{b="2"}')
    assert r.stdout == '{a="1", resource_id="r1"}\n{b="2", resource_id="r1"}\n'
    r = _logql("template", "--set", 'app=a"}', '{app="{{app}}"}')
    assert r.stdout == '{app="a\\"}"}\n'
    r = _logql("inject", "--enforce", 'resource_id="r1"', "--each-line", "-",
               stdin='{a="1"}\n{a=\n')
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert lines[0] == '{a="1", resource_id="r1"}'
    assert lines[1].startswith("error: parse error")
