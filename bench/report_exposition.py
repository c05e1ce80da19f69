#!/usr/bin/env python3
"""Turns the outputs of bench/run_exposition.sh into the Markdown tables of
docs/benchmarks.md: obsv's throughput and its ratio to each peer, measured in
the same run. MB = 10**6 bytes."""
import json
import os
import sys


def load_jsonl(path):
    rows = []
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line.startswith("{"):
                    rows.append(json.loads(line))
    return rows


def cpp_medians(path):
    with open(path) as f:
        data = json.load(f)
    out = {}
    for b in data["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        out[b["run_name"]] = b.get("bytes_per_second", 0) / 1e6
    return out


def main(out_dir):
    cpp = cpp_medians(os.path.join(out_dir, "cpp.json"))
    go = load_jsonl(os.path.join(out_dir, "go_synth.jsonl")) + load_jsonl(os.path.join(out_dir, "go_corpus.jsonl"))

    def go_mbps(peer, file_suffix):
        for r in go:
            if r.get("peer") == peer and r.get("file", "").endswith(file_suffix) and "mb_per_s" in r:
                return r["mb_per_s"]
        return None

    rows = [
        ("synthetic 16 MiB text", "BM_Parse_Strict_SynthText", "BM_Parse_Lenient_SynthText",
         [("Prometheus textparse PromParser", "textparse-prom", "synth_16m.prom"),
          ("prometheus/common expfmt TextParser", "expfmt", "synth_16m.prom"),
          ("VictoriaMetrics lib/protoparser/prometheus", "victoriametrics", "synth_16m.prom")]),
        ("synthetic 16 MiB OpenMetrics", "BM_Parse_Strict_SynthOpenMetrics", None,
         [("Prometheus textparse OpenMetricsParser", "textparse-om", "synth_16m.om.txt")]),
        ("real corpus (9 text captures)", "BM_Parse_Strict_Corpus", "BM_Parse_Lenient_Corpus",
         [("Prometheus textparse PromParser", "textparse-prom", "TOTAL"),
          ("prometheus/common expfmt TextParser", "expfmt", "TOTAL"),
          ("VictoriaMetrics lib/protoparser/prometheus", "victoriametrics", "TOTAL")]),
    ]
    print("### Parsing (C++ vs Go peers, same run)\n")
    print("| input | obsv strict MB/s | obsv lenient MB/s | peer | peer MB/s | obsv strict / peer |")
    print("|---|---|---|---|---|---|")
    for title, strict_name, lenient_name, peers in rows:
        strict = cpp.get(strict_name)
        lenient = cpp.get(lenient_name) if lenient_name else None
        for label, peer, suffix in peers:
            p = go_mbps(peer, suffix)
            ratio = f"{strict / p:.2f}x" if strict and p else "n/a"
            print(f"| {title} | {strict:.0f} | {'%.0f' % lenient if lenient else '-'} | {label} | "
                  f"{'%.0f' % p if p else 'n/a'} | **{ratio}** |")
    print()
    print("### Writing (C++, same binary)\n")
    print("| what | MB/s |")
    print("|---|---|")
    for name, label in [("BM_Write_Text_Synth", "obsv writer, text 0.0.4"),
                        ("BM_Write_OpenMetrics_Synth", "obsv writer, OpenMetrics"),
                        ("BM_PrometheusCpp_TextSerializer_Synth", "prometheus-cpp 1.0.1 TextSerializer")]:
        if name in cpp:
            print(f"| {label} | {cpp[name]:.0f} |")
    w, p = cpp.get("BM_Write_Text_Synth"), cpp.get("BM_PrometheusCpp_TextSerializer_Synth")
    if w and p:
        print(f"\nobsv text writer / prometheus-cpp serializer: **{w / p:.2f}x**")
    for name, label in [("BM_Parse_Chunked64K_SynthText", "obsv incremental parse, 64 KiB chunks (strict)"),
                        ("BM_ParseToModel_SynthText", "obsv parse into the owned model (lenient)")]:
        if name in cpp:
            print(f"\n{label}: {cpp[name]:.0f} MB/s")

if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "bench/out")
