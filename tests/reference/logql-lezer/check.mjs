// check.mjs — a second parser's verdict on obsv's LogQL corpus.
//
// Parses every line of tests/testdata/logql/valid.txt and invalid.txt with
// Grafana's @grafana/lezer-logql grammar (the one Grafana's Loki query editor
// uses) and reports:
//   - valid queries lezer rejects (its tree holds an error node, `⚠`),
//   - invalid queries lezer accepts.
// lezer's grammar is a highlighting grammar, looser than Loki's yacc parser
// (it has no semantic checks at all), so some disagreements are expected:
// each one is listed, with its reason, in known_differences.txt. The script
// exits non-zero on a disagreement that is not listed, and also on a listed
// one that no longer happens (so the list stays true).
//
//   npm ci --prefix tests/reference/logql-lezer
//   node tests/reference/logql-lezer/check.mjs [--verbose] [--write-known]
//
// Corpus lines: one query a line; the two characters `\n` stand for a newline.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parser } from '@grafana/lezer-logql';

const here = dirname(fileURLToPath(import.meta.url));
const corpus = join(here, '..', '..', 'testdata', 'logql');
const knownPath = join(here, 'known_differences.txt');
const verbose = process.argv.includes('--verbose');
const writeKnown = process.argv.includes('--write-known');

const readLines = (p) => {
  const lines = readFileSync(p, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
};
const decode = (line) => line.replaceAll('\\n', '\n');

// First error node of lezer's tree, as {from, to}; null when there is none.
export function lezerError(query) {
  const tree = parser.parse(query);
  let err = null;
  tree.iterate({
    enter(node) {
      if (err) return false;
      if (node.type.isError) { err = { from: node.from, to: node.to }; return false; }
      return undefined;
    },
  });
  return err;
}

// known_differences.txt: `valid|invalid <TAB> reason <TAB> query as in the corpus file`
function readKnown() {
  const known = new Map();
  let text = '';
  try { text = readFileSync(knownPath, 'utf8'); } catch { return known; }
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const a = line.indexOf('\t');
    const b = line.indexOf('\t', a + 1);
    if (a < 0 || b < 0) throw new Error(`known_differences.txt: bad line: ${line}`);
    known.set(`${line.slice(0, a)}\t${line.slice(b + 1)}`, line.slice(a + 1, b));
  }
  return known;
}

const known = readKnown();
const found = [];
const stats = { valid: 0, invalid: 0, validRejected: 0, invalidAccepted: 0 };

for (const line of readLines(join(corpus, 'valid.txt'))) {
  stats.valid++;
  const err = lezerError(decode(line));
  if (err) { stats.validRejected++; found.push({ kind: 'valid', line, err }); }
}
for (const line of readLines(join(corpus, 'invalid.txt'))) {
  stats.invalid++;
  const err = lezerError(decode(line));
  if (!err) { stats.invalidAccepted++; found.push({ kind: 'invalid', line, err }); }
}

let unlisted = 0;
const seen = new Set();
for (const f of found) {
  const key = `${f.kind}\t${f.line}`;
  seen.add(key);
  const what = f.kind === 'valid'
    ? `lezer rejects a valid query (error node at offset ${f.err.from})`
    : 'lezer accepts an invalid query';
  if (known.has(key)) {
    if (verbose) console.log(`known   ${what}: ${f.line}\n        reason: ${known.get(key)}`);
    continue;
  }
  unlisted++;
  console.log(`UNLISTED ${what}: ${f.line}`);
}
let stale = 0;
for (const key of known.keys()) {
  if (!seen.has(key)) { stale++; console.log(`STALE   listed in known_differences.txt but lezer now agrees: ${key.replace('\t', ': ')}`); }
}

if (writeKnown) {
  const header = readFileSync(knownPath, 'utf8').split('\n').filter((l) => l.startsWith('#'));
  const rows = found.map((f) => `${f.kind}\t${known.get(`${f.kind}\t${f.line}`) ?? 'TODO reason'}\t${f.line}`);
  writeFileSync(knownPath, [...header, ...rows].join('\n') + '\n');
  console.log(`wrote ${rows.length} rows to ${knownPath}`);
}

console.log(`lezer-logql: ${stats.valid} valid queries, ${stats.validRejected} rejected by lezer; ` +
  `${stats.invalid} invalid queries, ${stats.invalidAccepted} accepted by lezer; ` +
  `${found.length - unlisted} listed in known_differences.txt, ${unlisted} unlisted, ${stale} stale`);
const failed = unlisted + stale;
console.log(`${stats.valid + stats.invalid - unlisted} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
