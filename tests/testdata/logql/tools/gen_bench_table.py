#!/usr/bin/env python3
"""Writes bench/logql_queries.txt: every query of valid.txt of 70 to 5000 bytes."""
import os
import statistics

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.abspath(os.path.join(here, '..', '..', '..', '..'))
lines = open(os.path.join(root, 'tests/testdata/logql/valid.txt')).read().split('\n')
if lines[-1] == '':
    lines.pop()
rows = []
for line in lines:
    q = line.replace('\\n', '\n')
    n = len(q.encode())
    if q.lstrip().startswith('#') or not 70 <= n <= 5000:
        continue
    rows.append((line, n))
ns = [n for _, n in rows]
header = f"""# The LogQL query table of the LogQL parse/inject/print benchmarks (and of
# bench/node/logql_lezer_bench.mjs, the lezer-logql peer): one query per line,
# the two characters `\\n` standing for a newline inside a query (as in
# tests/testdata/logql/valid.txt); blank lines and lines starting with `#` are
# skipped (no query here starts with a comment).
#
# {len(rows)} queries, {round(sum(ns) / len(ns))} bytes on average (median {int(statistics.median(ns))}) after unescaping,
# from {min(ns)} to {max(ns)} bytes: every query of tests/testdata/logql/valid.txt of 70 bytes
# or more (its Loki-docs examples, the Loki parser-test queries, the
# dashboard/alert/Explore queries of its second half, and its few long
# synthetic ones), in the file's order. Loki accepts every one; the printer's
# expected output for each is valid.expected at the query's line in valid.txt.
# Written by tests/testdata/logql/tools/gen_bench_table.py.
"""
with open(os.path.join(root, 'bench/logql_queries.txt'), 'w') as f:
    f.write(header)
    for line, _ in rows:
        f.write(line + '\n')
print(len(rows))
