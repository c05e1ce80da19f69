#!/usr/bin/env python3
"""Turns the outputs of bench/run_promql.sh into the Markdown table of
docs/benchmarks.md: µs per query over bench/promql_queries.txt for obsv and
each peer, and obsv's ratio to the peer, measured in the same run.

Times are medians of the repetitions. "CPU" is process CPU time (Google
Benchmark's cpu_time; getrusage in the Go peer, every thread counted, so the
Go garbage collector's work on the other core counts too); "wall" is elapsed
time. CPU time is the figure to compare on a shared machine; both are shown."""
import json
import os
import sys


def cpp_medians(path):
    with open(path) as f:
        data = json.load(f)
    scale = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}
    out = {}
    for b in data["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        n = b["queries"]
        k = scale[b["time_unit"]]
        out[b["run_name"]] = (b["cpu_time"] * k / n, b["real_time"] * k / n)
    return out


def go_results(path):
    out = {}
    with open(path) as f:
        for line in f:
            if line.startswith("{"):
                r = json.loads(line)
                if "error" in r:
                    sys.exit(f"{r['peer']}: line {r['line']}: {r['error']}")
                out[r["peer"]] = (r["cpu_ns_per_query"] / 1e3, r["ns_per_query"] / 1e3, r)
    return out


def main(out_dir):
    cpp = cpp_medians(os.path.join(out_dir, "promql_cpp.json"))
    go = go_results(os.path.join(out_dir, "promql_go.jsonl"))
    any_go = next(iter(go.values()))[2]
    print(f"Table: bench/promql_queries.txt, {any_go['queries']} queries, "
          f"{any_go['bytes'] / any_go['queries']:.0f} bytes on average.\n")
    rows = [
        ("parse + inject `tenant=\"a\"` + print", "BM_ParseInjectFormat_Table",
         "prom-label-proxy", "prom-label-proxy `Enforce` (ParseExpr + enforcer + String())"),
        ("parse + inject `tenant=\"a\"` + print", "BM_ParseInjectFormat_Table",
         "metricsql", "metricsql Parse + AppendString (no inject)"),
        ("parse + print", "BM_ParseFormat_Table",
         "metricsql", "metricsql Parse + AppendString"),
        ("parse + print", "BM_ParseFormat_Table",
         "prom-parse-string", "Prometheus ParseExpr + String()"),
        ("parse", "BM_Parse_Table", "prom-parse", "Prometheus ParseExpr"),
        ("parse", "BM_Parse_Table", "metricsql-parse", "metricsql Parse"),
        ("parse + pretty", "BM_ParsePretty_Table", "prom-prettify", "Prometheus ParseExpr + Prettify()"),
    ]
    print("| obsv | obsv µs/query CPU (wall) | peer | peer µs/query CPU (wall) | obsv faster by (CPU) |")
    print("|---|---|---|---|---|")
    ratios = {}
    for label, bench, peer, peer_label in rows:
        if bench not in cpp or peer not in go:
            continue
        oc, ow = cpp[bench]
        pc, pw = go[peer][:2]
        ratios[(bench, peer)] = pc / oc
        print(f"| {label} | {oc:.2f} ({ow:.2f}) | {peer_label} | {pc:.2f} ({pw:.2f}) | **{pc / oc:.1f}x** |")
    print()
    inj = cpp.get("BM_ParseInjectFormat_Table", (float("nan"),))[0]
    plp = ratios.get(("BM_ParseInjectFormat_Table", "prom-label-proxy"), float("nan"))
    msql = ratios.get(("BM_ParseInjectFormat_Table", "metricsql"), float("nan"))
    msql_pp = ratios.get(("BM_ParseFormat_Table", "metricsql"), float("nan"))

    def verdict(ok):
        return "met" if ok else "**not met**"

    print("Bars (issue): parse + inject + print")
    print(f"- under 2 µs per query: {inj:.2f} µs CPU, {verdict(inj < 2)}")
    print(f"- at least 5x faster than prom-label-proxy: {plp:.1f}x, {verdict(plp >= 5)}")
    print(f"- at least 10x faster than metricsql (parse + print): {msql:.1f}x, {verdict(msql >= 10)} "
          f"(obsv parse + print vs metricsql parse + print: {msql_pp:.1f}x)")


main(sys.argv[1] if len(sys.argv) > 1 else "bench/out")
