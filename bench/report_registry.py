#!/usr/bin/env python3
"""Turns the outputs of bench/run_registry.sh into the Markdown table of
docs/benchmarks.md's Registry section: obsv::Registry against prometheus-cpp
(same Google Benchmark binary, medians of the repetitions) and against
client_golang and VictoriaMetrics' metrics (bench/go/cmd/regbench, same
script run), with the ratios and the issue's bars marked met or not.

    python3 bench/report_registry.py bench/out/registry

"obsv faster by" is peer time / obsv time (above 1: obsv is faster); for
memory it is peer bytes / obsv bytes."""
import json
import os
import sys

UNIT_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}

# (key, what, obsv benchmark, prometheus-cpp benchmark, regbench id, unit)
ROWS = [
    ("counter", "counter inc, 1 thread", "BM_CounterInc_Obsv/real_time/threads:1",
     "BM_CounterInc_PrometheusCpp/real_time/threads:1", "counter_inc", "ns"),
    ("counter_2t", "counter inc, 2 threads on one counter (per op)", "BM_CounterInc_Obsv/real_time/threads:2",
     "BM_CounterInc_PrometheusCpp/real_time/threads:2", "counter_inc_2t", "ns"),
    ("gauge", "gauge set", "BM_GaugeSet_Obsv/real_time", "BM_GaugeSet_PrometheusCpp/real_time", "gauge_set", "ns"),
    ("hist", "histogram observe, 12 buckets, 1 thread", "BM_HistogramObserve_Obsv/real_time/threads:1",
     "BM_HistogramObserve_PrometheusCpp/real_time/threads:1", "histogram_observe", "ns"),
    ("hist_2t", "histogram observe, 12 buckets, 2 threads (per op)", "BM_HistogramObserve_Obsv/real_time/threads:2",
     "BM_HistogramObserve_PrometheusCpp/real_time/threads:2", "histogram_observe_2t", "ns"),
    ("nhist", "native histogram observe (factor 1.1), 1 thread", "BM_NativeHistogramObserve_Obsv/real_time/threads:1",
     None, "native_histogram_observe", "ns"),
    ("nhist_2t", "native histogram observe (factor 1.1), 2 threads (per op)",
     "BM_NativeHistogramObserve_Obsv/real_time/threads:2", None, "native_histogram_observe_2t", "ns"),
    ("lookup", "lookup of an existing series, 8 labels", "BM_Lookup8_Obsv", "BM_Lookup8_PrometheusCppPrebuiltMap",
     "lookup8", "ns"),
    ("ser10k", "text exposition, 10 000 counter series", "BM_Serialize_Obsv/10000", "BM_Serialize_PrometheusCpp/10000",
     "serialize_10k", "ms"),
    ("ser100k", "text exposition, 100 000 counter series", "BM_Serialize_Obsv/100000",
     "BM_Serialize_PrometheusCpp/100000", "serialize_100k", "ms"),
]

# The bars: faster than prometheus-cpp everywhere, at least 3x on
# these; faster than both Go peers on these.
CPP_3X = {"counter_2t", "hist", "hist_2t", "ser10k", "ser100k"}
GO_FASTER = {"counter", "counter_2t", "hist", "hist_2t", "ser10k", "ser100k"}
GO_PEERS = [("client_golang", "client_golang"), ("vm_metrics", "VictoriaMetrics metrics")]


def load_cpp(path):
    with open(path) as f:
        data = json.load(f)
    medians, context = {}, data.get("context", {})
    for b in data["benchmarks"]:
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        name = b.get("run_name", b["name"])
        medians[name] = b
    return medians, context


def load_go(path):
    rows = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    r = json.loads(line)
                    rows[(r["bench"], r["peer"])] = r
    return rows


def fmt(v, unit):
    if v is None:
        return "n/a"
    if unit == "ms":
        return f"{v:.2f} ms" if v < 100 else f"{v:.0f} ms"
    if unit == "B":
        return f"{v:.0f} B"
    return f"{v:.1f} ns" if v < 100 else f"{v:.0f} ns"


def ratio(peer, obsv):
    if peer is None or obsv is None or obsv <= 0:
        return None
    return peer / obsv


def fmt_ratio(r, bold=True):
    if r is None:
        return "n/a"
    s = f"{r:.2f}x" if r < 10 else f"{r:.1f}x"
    return f"**{s}**" if bold else s


def main(out_dir):
    cpp, context = load_cpp(os.path.join(out_dir, "cpp.json"))
    go = load_go(os.path.join(out_dir, "go.jsonl"))

    def cpp_time(name, unit):
        b = cpp.get(name)
        if b is None:
            return None
        return b["real_time"] * UNIT_NS[b["time_unit"]] / UNIT_NS[unit]

    def go_time(bench, peer, unit):
        r = go.get((bench, peer))
        if r is None or "ns_per_op" not in r:
            return None
        return r["ns_per_op"] / UNIT_NS[unit]

    verdicts = []
    print("| path | obsv | prometheus-cpp | obsv faster by | client_golang | obsv faster by | "
          "VictoriaMetrics metrics | obsv faster by |")
    print("|---|---|---|---|---|---|---|---|")
    for key, what, o_name, p_name, go_id, unit in ROWS:
        o = cpp_time(o_name, unit)
        p = cpp_time(p_name, unit) if p_name is not None else None
        cells = [what, fmt(o, unit), fmt(p, unit), fmt_ratio(ratio(p, o))]
        r_cpp = ratio(p, o)
        need = 3.0 if key in CPP_3X else 1.0
        if p_name is not None:  # prometheus-cpp has no native histograms
            verdicts.append((f"{what}: prometheus-cpp {'≥3x' if need > 1 else 'faster'}",
                             r_cpp is not None and r_cpp >= need if need > 1 else r_cpp is not None and r_cpp > 1,
                             r_cpp))
        for peer, label in GO_PEERS:
            g = go_time(go_id, peer, unit)
            r = ratio(g, o)
            cells += [fmt(g, unit), fmt_ratio(r)]
            if key in GO_FASTER:
                verdicts.append((f"{what}: {label} faster", r is not None and r > 1, r))
        print("| " + " | ".join(cells) + " |")

    # Memory: heap bytes per counter series (100 000 series, 2 labels).
    def mem_cpp(name):
        b = cpp.get(name)
        return b.get("bytes_per_series") if b else None

    o_mem = mem_cpp("BM_MemoryPerSeries_Obsv/iterations:1")
    p_mem = mem_cpp("BM_MemoryPerSeries_PrometheusCpp/iterations:1")
    cells = ["heap per counter series (100 000 series)", fmt(o_mem, "B"), fmt(p_mem, "B"), fmt_ratio(ratio(p_mem, o_mem))]
    for peer, _ in GO_PEERS:
        r = go.get(("memory_per_series", peer))
        g = r.get("bytes_per_series") if r else None
        cells += [fmt(g, "B"), fmt_ratio(ratio(g, o_mem))]
    print("| " + " | ".join(cells) + " |")
    r_mem = ratio(p_mem, o_mem)
    verdicts.append(("memory per counter series ≤ prometheus-cpp", r_mem is not None and r_mem >= 1, r_mem))

    extra = cpp_time("BM_Lookup8_PrometheusCpp", "ns")
    if extra is not None:
        print(f"\nprometheus-cpp lookup building its `std::map` of 8 labels per call (what a caller has to do "
              f"without a kept map): {fmt(extra, 'ns')}, obsv faster by {fmt_ratio(ratio(extra, cpp_time('BM_Lookup8_Obsv', 'ns')))}.")
    print()
    met = sum(1 for _, ok, _ in verdicts if ok)
    print(f"Bars: {met} of {len(verdicts)} met.\n")
    for what, ok, r in verdicts:
        print(f"- {'met' if ok else '**NOT met**'}: {what} ({fmt_ratio(r, bold=False)})")
    load = os.path.join(out_dir, "load.txt")
    if os.path.exists(load):
        with open(load) as f:
            print("\nLoad: " + " / ".join(line.strip() for line in f if line.strip()))
    if context:
        print(f"\nGoogle Benchmark: {context.get('num_cpus')} CPUs at {context.get('mhz_per_cpu')} MHz, "
              f"date {context.get('date')}.")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench/out/registry")
