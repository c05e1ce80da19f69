#!/usr/bin/env python3
"""Writes tests/testdata/promql/generated.txt: deterministic combinations of
the corpus's queries (valid.expected's String() forms, so one line and no
comments) inside aggregations, calls, binary operators with modifiers,
unary signs, parentheses and subqueries, to drive Pretty() through nesting
the hand-written corpus does not reach. Queries Prometheus rejects (a range
vector where an instant vector is needed, ...) are dropped by running the
oracle. Then regenerate the .expected files (see ../README.md):

    python3 tests/reference/promql/gen_combos.py
"""
import os
import random
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "testdata", "promql")
COUNT = 400

TEMPLATES = [
    "-{a}",
    "-({a})",
    "({a})",
    "(({a}))",
    "{a} + {b}",
    "{a} / on (cluster, namespace) group_left (node) {b}",
    "{a} * ignoring (instance) group_right {b}",
    "{a} > bool {b}",
    "{a} and on (job) {b}",
    "{a} unless {b}",
    "{a} or -{b}",
    "({a}) - ({b}) * 100",
    "sum by (cluster, namespace) ({a})",
    "max without (instance, pod) ({a}) / min({b})",
    "topk(5, {a})",
    "count_values(\"value\", {a})",
    "quantile by (job) (0.9, {a})",
    "abs({a})",
    "clamp({a}, 0, 1)",
    "label_replace({a}, \"dst\", \"$1\", \"src\", \"(.*)\")",
    "max_over_time(({a})[1h:5m])",
    "avg_over_time(({a})[1d:1h] offset 1w) > {b}",
    "-max_over_time(({a})[30m:])",
    "({a})[5m:1m]",
    "rate(({a})[10m:1m] @ end())",
    "sum(rate(({a})[5m:])) / sum({b})",
    "histogram_quantile(0.99, sum by (le) ({a}))",
    "scalar({a}) * {b}",
    "sort_desc(sum by (job) ({a}) > bool 0)",
]


def main():
    with open(os.path.join(DATA, "valid.expected")) as f:
        parts = [l.rstrip("\n").split("\t", 1)[1] for l in f if l.startswith("OK\t")]
    rng = random.Random(20260101)
    candidates = []
    seen = set()
    while len(candidates) < COUNT * 3:
        q = rng.choice(TEMPLATES).format(a=rng.choice(parts), b=rng.choice(parts))
        if q not in seen and "\\n" not in q:
            seen.add(q)
            candidates.append(q)
    out = subprocess.run(["go", "run", "."], cwd=HERE, input="\n".join(candidates) + "\n",
                         capture_output=True, text=True, check=True).stdout.splitlines()
    assert len(out) == len(candidates)
    kept = [q for q, r in zip(candidates, out) if r.startswith("OK\t")][:COUNT]
    with open(os.path.join(DATA, "generated.txt"), "w") as f:
        f.write("\n".join(kept) + "\n")
    print(f"{len(kept)} of {len(candidates)} accepted")


if __name__ == "__main__":
    main()
