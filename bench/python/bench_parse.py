#!/usr/bin/env python3
"""Benchmark of the obsv Python module against prometheus_client's parser.

Inputs: the 16 MiB synthetic body of bench/gen_exposition.py (made if missing)
and the real corpus in tests/testdata/corpus/ (text files, each parsed on its
own, as a scraper would).

Timed, best of --repeat rounds (--pc-repeat for prometheus_client), the
contenders interleaved within each round (MB = 10**6 bytes of input):
  obsv (a)  obsv.parse(), iterating the families only (samples never built)
  obsv (b)  obsv.parse(), touching every sample's labels and value
  stream    obsv.Parser fed 64 KiB chunks, touching every sample as in (b)
  pc        prometheus_client.parser.text_string_to_metric_families(),
            fully consumed, touching every sample's labels and value (its
            families and samples are built eagerly anyway)
  write     obsv.write() of the parsed families (samples never read, and
            after reading them: converted back from Python), text and
            OpenMetrics; obsv.convert() (all in C++)

obsv gets bytes (as from a socket); prometheus_client gets an already decoded
str, which it needs, so its decoding is not counted against it. The garbage
collector stays on for both, as in a real program.

  python3 bench/python/bench_parse.py [--synth FILE] [--repeat N] [--pc-repeat N]
"""

from __future__ import annotations

import argparse
import gc
import glob
import os
import subprocess
import sys
import time

import obsv

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def timed(fn):
    gc.collect()
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def obsv_families(datas):
    def run():
        for d in datas:
            for _ in obsv.parse(d):
                pass
    return run


def obsv_samples(datas):
    def run():
        for d in datas:
            for f in obsv.parse(d):
                for s in f.samples:
                    s.labels
                    s.value
    return run


def obsv_stream(datas, chunk=64 << 10):
    def run():
        for d in datas:
            p = obsv.Parser()
            mv = memoryview(d)
            for i in range(0, len(d), chunk):
                for f in p.feed(mv[i : i + chunk]):
                    for s in f.samples:
                        s.labels
                        s.value
            for f in p.close():
                for s in f.samples:
                    s.labels
                    s.value
    return run


def pc_samples(strs):
    from prometheus_client.parser import text_string_to_metric_families

    def run():
        for d in strs:
            for f in text_string_to_metric_families(d):
                for s in f.samples:
                    s.labels
                    s.value
    return run


def report(title, datas, args):
    size = sum(len(d) for d in datas)
    # Small inputs: repeat inside one timing so that it lasts long enough.
    inner = max(1, int(4e6 // size))
    datas_x = datas * inner
    total = size * inner
    print(f"\n== {title}: {len(datas)} file(s), {size / 1e6:.2f} MB"
          f"{f' (x{inner} per run)' if inner > 1 else ''}")

    def line(name, t, ref=None):
        mbs = total / t / 1e6
        extra = f"   {ref / t:6.1f}x prometheus_client" if ref else ""
        print(f"  {name:<36} {t * 1e3 / inner:9.2f} ms  {mbs:8.1f} MB/s{extra}")

    runs = {
        "obsv.parse (a) families only": obsv_families(datas_x),
        "obsv.parse (b) all labels+values": obsv_samples(datas_x),
        "obsv.Parser 64 KiB chunks (b)": obsv_stream(datas_x),
    }
    pc = None
    if not args.no_pc:
        try:
            pc = pc_samples([d.decode() for d in datas] * inner)
        except ImportError:
            print("  (prometheus_client not installed: pip install prometheus_client)")
    # Rounds interleave the contenders, so that a busy spell of the machine
    # hits them alike; each keeps its best round.
    best = {}
    for r in range(max(args.repeat, args.pc_repeat if pc else 0)):
        if pc and r < args.pc_repeat:
            best["pc"] = min(best.get("pc", 1e9), timed(pc))
        if r < args.repeat:
            for name, fn in runs.items():
                best[name] = min(best.get(name, 1e9), timed(fn))
    t_pc = best.get("pc")
    if t_pc:
        line("prometheus_client (all samples)", t_pc)
    for name in runs:
        line(name, best[name], t_pc)

    fams = [list(obsv.parse(d)) for d in datas]
    touched = [list(obsv.parse(d)) for d in datas]
    for fs in touched:
        for f in fs:
            f.samples
    out_size = sum(len(obsv.write(fs)) for fs in fams) * inner
    for fmt in ("text", "openmetrics"):
        t = min(timed(lambda: [obsv.write(fs, format=fmt) for fs in fams * inner])
                for _ in range(args.repeat))
        line(f"obsv.write {fmt} (as parsed)", t)
        t = min(timed(lambda: [obsv.write(fs, format=fmt) for fs in touched * inner])
                for _ in range(args.repeat))
        line(f"obsv.write {fmt} (samples read)", t)
    t = min(timed(lambda: [obsv.convert(d, to="openmetrics") for d in datas_x])
            for _ in range(args.repeat))
    line("obsv.convert text->openmetrics", t)
    print(f"  (write MB/s are input MB/s; text output is {out_size / total:.2f}x the input)")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--synth", default="/tmp/synth_16m.prom",
                    help="16 MiB synthetic body (made with gen_exposition.py if missing)")
    ap.add_argument("--corpus", default=os.path.join(ROOT, "tests", "testdata", "corpus"))
    ap.add_argument("--repeat", type=int, default=5, help="runs of each obsv timing (best kept)")
    ap.add_argument("--pc-repeat", type=int, default=2, help="runs of prometheus_client")
    ap.add_argument("--no-pc", action="store_true", help="skip prometheus_client")
    args = ap.parse_args()

    if not os.path.exists(args.synth):
        subprocess.run([sys.executable, os.path.join(ROOT, "bench", "gen_exposition.py"),
                        "--size", "16M", "-o", args.synth], check=True)
    print(f"obsv {obsv.__version__}, Python {sys.version.split()[0]}")
    with open(args.synth, "rb") as fh:
        report(os.path.basename(args.synth), [fh.read()], args)
    corpus = []
    for p in sorted(glob.glob(os.path.join(args.corpus, "*.prom"))):
        with open(p, "rb") as fh:
            corpus.append(fh.read())
    report("corpus *.prom", corpus, args)


if __name__ == "__main__":
    main()
