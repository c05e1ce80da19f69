// logql_lezer_bench.mjs — how long Grafana's @grafana/lezer-logql grammar
// takes to parse the LogQL table bench/logql_queries.txt: a peer to measure
// obsv's LogQL parser against (lezer builds a concrete syntax tree for an
// editor; it checks no semantics and prints nothing, so it is a lower bound
// on "parse", not a like-for-like parse+print).
//
//   npm ci --prefix bench/node
//   node bench/node/logql_lezer_bench.mjs [--json] [TABLE]
//
// Method: decode the table (`\n` is a newline; `#` lines and blank lines are
// skipped), parse it 3 times to warm up the JIT, then 5 timed runs; each run
// parses the whole table as many times as it takes to last at least 200 ms.
// Reported: µs per query of each run, their median (the figure to quote),
// min and max, and how many queries lezer's tree marks with an error node.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parser } from '@grafana/lezer-logql';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const json = args.includes('--json');
const tablePath = args.find((a) => !a.startsWith('--')) ?? join(here, '..', 'logql_queries.txt');

const queries = readFileSync(tablePath, 'utf8').split('\n')
  .filter((l) => l !== '' && !l.startsWith('#'))
  .map((l) => l.replaceAll('\\n', '\n'));
if (queries.length === 0) throw new Error(`no queries in ${tablePath}`);
const bytes = queries.reduce((n, q) => n + Buffer.byteLength(q), 0);

let sink = 0; // keeps the trees observable so the work is not optimised away
const parseAll = () => {
  for (const q of queries) sink += parser.parse(q).length;
};

let errors = 0;
for (const q of queries) {
  let bad = false;
  parser.parse(q).iterate({ enter(n) { if (n.type.isError) bad = true; return !bad; } });
  if (bad) errors++;
}

for (let i = 0; i < 3; i++) parseAll();

const runs = [];
for (let r = 0; r < 5; r++) {
  let reps = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  do {
    parseAll();
    reps++;
    elapsed = process.hrtime.bigint() - start;
  } while (elapsed < 200_000_000n);
  runs.push(Number(elapsed) / 1000 / (reps * queries.length));
}
const sorted = [...runs].sort((a, b) => a - b);
const result = {
  parser: '@grafana/lezer-logql 0.4.2',
  node: process.version,
  table: tablePath,
  queries: queries.length,
  bytes,
  lezer_error_queries: errors,
  us_per_query_median: sorted[2],
  us_per_query_min: sorted[0],
  us_per_query_max: sorted[4],
  us_per_query_runs: runs,
  mb_per_s: bytes / queries.length / sorted[2],
};
if (sink < 0) console.log(sink);
if (json) {
  console.log(JSON.stringify(result));
} else {
  console.log(`${result.parser} on node ${result.node}: ${result.queries} queries, ${result.bytes} bytes ` +
    `(${result.lezer_error_queries} with an error node)`);
  console.log(`parse: ${result.us_per_query_median.toFixed(2)} µs/query median of 5 runs ` +
    `(min ${result.us_per_query_min.toFixed(2)}, max ${result.us_per_query_max.toFixed(2)}), ` +
    `${result.mb_per_s.toFixed(1)} MB/s`);
}
