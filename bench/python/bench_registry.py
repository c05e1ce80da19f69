#!/usr/bin/env python3
"""Micro-benchmark of obsv's Python registry against prometheus_client on
this machine: Counter.inc() and Histogram.observe() on a kept child, and the
labels() lookup, single-threaded; then exposition of many series.

    PYTHONPATH=build-py/bindings/python python3 bench/python/bench_registry.py

Prints ns per call for each and the ratio (prometheus_client / obsv: above
1 means obsv is faster). The issue's bar is obsv faster on inc and observe.
Each figure is the best of --repeat runs of --number calls (timeit).
"""

from __future__ import annotations

import argparse
import sys
import timeit

import obsv

try:
    import prometheus_client as pc
    from prometheus_client import CollectorRegistry
except ImportError:  # pragma: no cover
    sys.exit("bench_registry.py needs prometheus_client (pip install prometheus_client)")


def best_ns(stmt, number: int, repeat: int) -> float:
    return min(timeit.repeat(stmt, number=number, repeat=repeat)) / number * 1e9


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--number", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--series", type=int, default=10_000, help="series for the exposition case")
    args = ap.parse_args()

    o_reg = obsv.Registry()
    p_reg = CollectorRegistry()
    o_c = obsv.Counter("requests", "Requests.", ["method"], registry=o_reg).labels("GET")
    p_c = pc.Counter("requests", "Requests.", ["method"], registry=p_reg).labels("GET")
    o_c0 = obsv.Counter("plain", "Unlabelled.", registry=o_reg)
    p_c0 = pc.Counter("plain", "Unlabelled.", registry=p_reg)
    o_hf = obsv.Histogram("latency_seconds", "Latency.", ["method"], registry=o_reg)
    p_hf = pc.Histogram("latency_seconds", "Latency.", ["method"], registry=p_reg)
    o_h, p_h = o_hf.labels("GET"), p_hf.labels("GET")
    o_g = obsv.Gauge("inflight", "In flight.", registry=o_reg)
    p_g = pc.Gauge("inflight", "In flight.", registry=p_reg)

    cases = [
        ("Counter.inc() (child)", o_c.inc, p_c.inc),
        ("Counter.inc() (unlabelled)", o_c0.inc, p_c0.inc),
        ("Counter.inc(2.5)", lambda: o_c.inc(2.5), lambda: p_c.inc(2.5)),
        ("Histogram.observe(0.3)", lambda: o_h.observe(0.3), lambda: p_h.observe(0.3)),
        ("Gauge.set(7)", lambda: o_g.set(7), lambda: p_g.set(7)),
        ("labels('GET').observe(0.3)", lambda: o_hf.labels("GET").observe(0.3), lambda: p_hf.labels("GET").observe(0.3)),
    ]
    # The lambda cases pay the same wrapper call on both sides.
    from importlib.metadata import version

    print(f"Python {sys.version.split()[0]}, obsv {obsv.__version__}, prometheus_client {version('prometheus_client')}")
    print(f"{'case':32} {'obsv ns':>9} {'prom ns':>9} {'ratio':>7}")
    worst = float("inf")
    for name, o, p in cases:
        on = best_ns(o, args.number, args.repeat)
        pn = best_ns(p, args.number, args.repeat)
        ratio = pn / on
        if name.startswith(("Counter.inc() (child)", "Histogram.observe")):
            worst = min(worst, ratio)
        print(f"{name:32} {on:9.1f} {pn:9.1f} {ratio:6.2f}x")

    # Exposition: `series` counter series, text format.
    o_big = obsv.Counter("big", "Many series.", ["id"], registry=o_reg)
    p_big = pc.Counter("big", "Many series.", ["id"], registry=p_reg)
    for i in range(args.series):
        o_big.labels(str(i)).inc(i)
        p_big.labels(str(i)).inc(i)
    on = best_ns(lambda: o_reg.expose(format="text"), 5, args.repeat) / 1e6
    pn = best_ns(lambda: pc.generate_latest(p_reg), 5, args.repeat) / 1e6
    print(f"{'expose, ' + str(args.series) + ' series (ms)':32} {on:9.2f} {pn:9.2f} {pn / on:6.2f}x")
    print(f"bar (inc and observe faster than prometheus_client): {'met' if worst > 1 else 'NOT met'} "
          f"(worst ratio {worst:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
