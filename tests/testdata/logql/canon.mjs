// canon.mjs — a transcription, in JavaScript, of the printing rules written
// down in README.md (themselves read from Loki v3's pkg/logql/syntax/ast.go,
// lex.go, syntax.y and pkg/logql/log/*.go). It is the tool that wrote
// valid.expected; it is NOT an oracle: where it and the README disagree the
// README (and Loki's code) wins. It accepts only the valid LogQL of the
// corpus and throws on anything else.
//
//   node tests/testdata/logql/canon.mjs tests/testdata/logql/valid.txt > valid.expected
//
// Input lines: one query a line; the two characters `\n` stand for a newline
// (the corpus never holds a literal backslash followed by `n`).

import { readFileSync, writeFileSync } from 'node:fs';

// CANON_TRACE=FILE: record every primitive conversion (kind, input, output) so
// that tools/gocheck can recompute each one with Go's own strconv/fmt/time.
const TRACE = process.env.CANON_TRACE ? [] : null;
function tr(kind, input, output, shown = output) { if (TRACE) TRACE.push([kind, String(input), String(shown)]); return output; }

// ---------------------------------------------------------------- lexer ----

// tokens (lex.go `tokens`): keywords whatever follows them, case-insensitive.
const KEYWORDS = new Set([
  'by', 'without', 'bool', 'label_replace', 'offset', 'on', 'ignoring',
  'group_left', 'group_right', 'or', 'and', 'unless', 'json', 'regexp',
  'logfmt', 'unpack', 'pattern', 'label_format', 'line_format', 'ip',
  'decolorize', 'drop', 'keep', 'variants', 'of', 'unwrap',
]);
// functionTokens (lex.go): keywords only when followed by `(` or by/without `(`.
const RANGE_OPS = ['count_over_time', 'rate', 'rate_counter', 'bytes_over_time',
  'bytes_rate', 'avg_over_time', 'sum_over_time', 'min_over_time', 'max_over_time',
  'stdvar_over_time', 'stddev_over_time', 'quantile_over_time', 'first_over_time',
  'last_over_time', 'absent_over_time'];
const VECTOR_OPS = ['sum', 'avg', 'max', 'min', 'count', 'stddev', 'stdvar',
  'bottomk', 'topk', 'sort', 'sort_desc', 'approx_topk'];
const FUNCTIONS = new Set([...RANGE_OPS, ...VECTOR_OPS, 'vector', 'label_replace',
  'bytes', 'duration', 'duration_seconds', 'ip']);
const TWO = new Set(['!=', '=~', '!~', '!>', '|=', '|~', '|>', '==', '>=', '<=']);
const ONE = new Set([',', '.', '{', '}', '=', '|', '(', ')', '[', ']', '+', '-', '*', '/', '%', '^', '>', '<']);

const isSpace = (c) => /\s/u.test(c);
const isIdentStart = (c) => /[\p{L}_]/u.test(c);
const isIdentPart = (c) => /[\p{L}\p{Nd}_]/u.test(c);
const isDigit = (c) => c >= '0' && c <= '9';

// Prometheus model.ParseDuration, then Go time.ParseDuration (lex.go parseDuration).
const MS = { y: 365n * 86400000n, w: 7n * 86400000n, d: 86400000n, h: 3600000n, m: 60000n, s: 1000n, ms: 1n };
function promDuration(s) {
  if (s === '0') return 0n;
  const re = /^(?:([0-9]+)y)?(?:([0-9]+)w)?(?:([0-9]+)d)?(?:([0-9]+)h)?(?:([0-9]+)m)?(?:([0-9]+)s)?(?:([0-9]+)ms)?$/;
  const m = re.exec(s);
  if (!m || s === '') return null;
  const units = ['y', 'w', 'd', 'h', 'm', 's', 'ms'];
  let ms = 0n;
  units.forEach((u, i) => { if (m[i + 1] !== undefined) ms += BigInt(m[i + 1]) * MS[u]; });
  return ms * 1000000n; // ns
}
const GO_UNITS = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
function goDuration(s) {
  let rest = s, neg = false;
  if (rest[0] === '-' || rest[0] === '+') { neg = rest[0] === '-'; rest = rest.slice(1); }
  if (rest === '0') return 0n;
  if (rest === '') return null;
  let total = 0;
  while (rest !== '') {
    const m = /^([0-9]*(?:\.[0-9]*)?)(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (!m || m[1] === '' || m[1] === '.') return null;
    total += parseFloat(m[1]) * GO_UNITS[m[2]];
    rest = rest.slice(m[0].length);
  }
  const ns = BigInt(Math.round(total));
  return tr('parsedur', s, neg ? -ns : ns);
}
function parseDuration(s) {
  const p = promDuration(s);
  if (p !== null) return p;
  return goDuration(s);
}
// humanize.ParseBytes
const BYTE_UNITS = { b: 1, '': 1, kb: 1e3, kib: 1024, k: 1e3, ki: 1024, mb: 1e6, mib: 1024 ** 2, m: 1e6, mi: 1024 ** 2,
  gb: 1e9, gib: 1024 ** 3, g: 1e9, gi: 1024 ** 3, tb: 1e12, tib: 1024 ** 4, t: 1e12, ti: 1024 ** 4,
  pb: 1e15, pib: 1024 ** 5, p: 1e15, pi: 1024 ** 5 };
function parseBytes(s) {
  const m = /^([0-9.]+)\s*([a-zA-Z]*)$/.exec(s);
  if (!m) return null;
  const mult = BYTE_UNITS[m[2].toLowerCase()];
  if (mult === undefined) return null;
  const f = parseFloat(m[1]);
  if (Number.isNaN(f)) return null;
  return Math.floor(f * mult);
}

function decodeGoString(tok) {
  if (tok[0] === '`') return tok.slice(1, -1);
  const body = tok.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') { out += c; continue; }
    const e = body[++i];
    const simple = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"' };
    if (e in simple) { out += simple[e]; continue; }
    if (e === 'x') { out += String.fromCharCode(parseInt(body.substr(i + 1, 2), 16)); i += 2; continue; }
    if (e === 'u') { out += String.fromCodePoint(parseInt(body.substr(i + 1, 4), 16)); i += 4; continue; }
    if (e === 'U') { out += String.fromCodePoint(parseInt(body.substr(i + 1, 8), 16)); i += 8; continue; }
    if (e >= '0' && e <= '7') { out += String.fromCharCode(parseInt(body.substr(i, 3), 8)); i += 2; continue; }
    throw new Error(`unknown escape \\${e}`);
  }
  return out;
}

function lex(src) {
  const toks = [];
  const chars = [...src];
  let i = 0;
  const peekNonSpace = (j) => { while (j < chars.length && isSpace(chars[j])) j++; return j; };
  const isFunctionAt = (j) => { // lex.go isFunction
    j = peekNonSpace(j);
    if (chars[j] === '(') return true;
    for (const w of ['by', 'without']) {
      const s = chars.slice(j, j + w.length).join('').toLowerCase();
      if (s === w) { const k = peekNonSpace(j + w.length); return chars[k] === '('; }
    }
    return false;
  };
  while (i < chars.length) {
    const c = chars[i];
    if (isSpace(c)) { i++; continue; }
    if (c === '#') { while (i < chars.length && chars[i] !== '\n') i++; continue; }
    if (c === '"' || c === '`') {
      let j = i + 1;
      while (j < chars.length && chars[j] !== c) { if (c === '"' && chars[j] === '\\') j++; j++; }
      if (j >= chars.length) throw new Error('unterminated string');
      const raw = chars.slice(i, j + 1).join('');
      toks.push({ t: 'STRING', v: (() => { const d = decodeGoString(raw); return tr('unquote', raw, d, JSON.stringify(d)); })() });
      i = j + 1; continue;
    }
    if (c === '[') {
      let j = i + 1; let s = '';
      while (j < chars.length && chars[j] !== ']') s += chars[j++];
      const d = promDuration(s);
      if (d === null) throw new Error(`bad range ${s}`);
      toks.push({ t: 'RANGE', v: d }); i = j + 1; continue;
    }
    if (isDigit(c) || (c === '.' && isDigit(chars[i + 1] || ''))) {
      let j = i; let s = '';
      while (j < chars.length && (isDigit(chars[j]) || chars[j] === '.')) s += chars[j++];
      if ((chars[j] === 'e' || chars[j] === 'E') && (isDigit(chars[j + 1] || '') || ((chars[j + 1] === '+' || chars[j + 1] === '-') && isDigit(chars[j + 2] || '')))) {
        s += chars[j++]; if (chars[j] === '+' || chars[j] === '-') s += chars[j++];
        while (j < chars.length && isDigit(chars[j])) s += chars[j++];
      }
      // tryScanDuration / tryScanBytes
      const tail = (pred) => { let k = j, t = ''; while (k < chars.length && !isSpace(chars[k]) && (/\p{N}/u.test(chars[k]) || pred(chars[k]) || chars[k] === '.')) t += chars[k++]; return [t, k]; };
      const [dt, dk] = tail((r) => 'nuµmshdwy'.includes(r));
      if (dt !== '') { const d = parseDuration(s + dt); if (d !== null) { toks.push({ t: 'DURATION', v: d }); i = dk; continue; } }
      const [bt, bk] = tail((r) => 'BikKMGTP'.includes(r));
      if (bt !== '') { const b = parseBytes(s + bt); if (b !== null) { toks.push({ t: 'BYTES', v: b }); i = bk; continue; } }
      toks.push({ t: 'NUMBER', v: s }); i = j; continue;
    }
    if (c === '-' && isDigit(chars[i + 1] || '')) { // lex.go: '-' then tryScanDuration
      let j = i + 1, s = '-';
      while (j < chars.length && !isSpace(chars[j]) && (/\p{N}/u.test(chars[j]) || 'nuµmshdwy'.includes(chars[j]) || chars[j] === '.')) s += chars[j++];
      const d = parseDuration(s);
      if (d !== null) { toks.push({ t: 'DURATION', v: d }); i = j; continue; }
    }
    if (c === '-' && chars[i + 1] === '-') {
      let j = i, s = '';
      while (j < chars.length && (/\p{L}/u.test(chars[j]) || chars[j] === '-')) s += chars[j++];
      if (s === '--strict' || s === '--keep-empty') { toks.push({ t: 'FLAG', v: s }); i = j; continue; }
    }
    if (isIdentStart(c)) {
      let j = i, s = '';
      while (j < chars.length && isIdentPart(chars[j])) s += chars[j++];
      const low = s.toLowerCase();
      if (FUNCTIONS.has(low)) {
        if (isFunctionAt(j)) toks.push({ t: 'KW', v: low });
        else toks.push({ t: 'IDENT', v: s });
      } else if (KEYWORDS.has(low)) toks.push({ t: 'KW', v: low });
      else toks.push({ t: 'IDENT', v: s });
      i = j; continue;
    }
    const two = c + (chars[i + 1] || '');
    if (TWO.has(two)) { toks.push({ t: 'OP', v: two }); i += 2; continue; }
    if (ONE.has(c)) { toks.push({ t: 'OP', v: c }); i++; continue; }
    throw new Error(`unexpected character ${c}`);
  }
  toks.push({ t: 'EOF' });
  return toks;
}

// -------------------------------------------------------------- printers ----

const printable = (ch) => ch === ' ' || /[\p{L}\p{M}\p{N}\p{P}\p{S}]/u.test(ch);
export function goQuote(s) { // strconv.Quote
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0);
    if (ch === '"' || ch === '\\') { out += '\\' + ch; continue; }
    if (cp < 0x80 && printable(ch)) { out += ch; continue; }
    const esc = { 7: '\\a', 8: '\\b', 12: '\\f', 10: '\\n', 13: '\\r', 9: '\\t', 11: '\\v' }[cp];
    if (esc) { out += esc; continue; }
    if (cp >= 0x80 && printable(ch)) { out += ch; continue; }
    if (cp < 0x80) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (cp < 0x10000) out += '\\u' + cp.toString(16).padStart(4, '0');
    else out += '\\U' + cp.toString(16).padStart(8, '0');
  }
  return tr('quote', JSON.stringify(s), out + '"');
}

// shortest round-trip digits and decimal exponent of a finite non-zero float
function digitsExp(x) {
  const [mant, e] = Math.abs(x).toExponential().split('e');
  return [mant.replace('.', ''), parseInt(e, 10)];
}
function fixedShortest(x) { return tr('fmtf', x, fixedShortest0(x)); }
function fixedShortest0(x) { // strconv.FormatFloat(x, 'f', -1, 64)
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [d, e] = digitsExp(x);
  let s;
  if (e >= d.length - 1) s = d + '0'.repeat(e - d.length + 1);
  else if (e >= 0) s = d.slice(0, e + 1) + '.' + d.slice(e + 1);
  else s = '0.' + '0'.repeat(-e - 1) + d;
  return (x < 0 ? '-' : '') + s;
}
export function goV(x) { return tr('sprint', x, goV0(x)); }
function goV0(x) { // fmt.Sprint(float64): %v == %g shortest: exponent if e < -4 || e >= 6 (strconv eprec 6)
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '+Inf';
  if (x === -Infinity) return '-Inf';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [d, e] = digitsExp(x);
  if (e < -4 || e >= 6) {
    const m = d.length > 1 ? d[0] + '.' + d.slice(1) : d;
    const es = (e < 0 ? '-' : '+') + String(Math.abs(e)).padStart(2, '0');
    return (x < 0 ? '-' : '') + m + 'e' + es;
  }
  return fixedShortest(x);
}
export function goDurationString(ns) { return tr('dur', ns, goDurationString0(ns)); }
function goDurationString0(ns) { // time.Duration.String()
  if (ns === 0n) return '0s';
  const neg = ns < 0n; let u = neg ? -ns : ns;
  let out;
  if (u < 1000000000n) {
    let unit, div;
    if (u < 1000n) { unit = 'ns'; div = 1n; } else if (u < 1000000n) { unit = 'µs'; div = 1000n; } else { unit = 'ms'; div = 1000000n; }
    out = fracStr(u, div) + unit;
  } else {
    const h = u / 3600000000000n; u %= 3600000000000n;
    const m = u / 60000000000n; u %= 60000000000n;
    const s = fracStr(u, 1000000000n) + 's';
    out = h > 0n ? `${h}h${m}m${s}` : (m > 0n ? `${m}m${s}` : s);
  }
  return (neg ? '-' : '') + out;
}
function fracStr(v, div) {
  const ip = v / div; let fp = v % div;
  if (fp === 0n) return String(ip);
  let fs = fp.toString().padStart(div.toString().length - 1, '0').replace(/0+$/, '');
  return `${ip}.${fs}`;
}
export function promDurationString(ns) { return tr('promdur', ns, promDurationString0(ns)); }
function promDurationString0(ns) { // model.Duration.String()
  let ms = ns / 1000000n;
  if (ms === 0n) return '0s';
  let r = '';
  const f = (unit, mult, exact) => {
    if (exact && ms % mult !== 0n) return;
    const v = ms / mult;
    if (v > 0n) { r += `${v}${unit}`; ms -= v * mult; }
  };
  f('y', MS.y, true); f('w', MS.w, true); f('d', MS.d, false); f('h', MS.h, false);
  f('m', MS.m, false); f('s', MS.s, false); f('ms', 1n, false);
  return r;
}
export function humanizeBytes(v) { return tr('hbytes', v, humanizeBytes0(v)); }
function humanizeBytes0(v) { // humanize.Bytes without spaces
  if (v < 10) return `${v}B`;
  const sizes = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  const e = Math.floor(Math.log(v) / Math.log(1000));
  const val = Math.floor(v / 1000 ** e * 10 + 0.5) / 10;
  return (val < 10 ? val.toFixed(1) : val.toFixed(0)) + sizes[e];
}

// Would log.NewLabelFilter keep a Go regexp (regexpFilter) for `=~ re`?
// True when filter.go's simplify() cannot turn the parsed, simplified Go
// regexp into literal filters. Alternations of plain literals are modelled
// with Go regexp/syntax's factor() (round 1: common literal prefixes of
// adjacent alternatives, recursively; round 3: runs of single-rune literals
// become a char class; round 4: runs of empty matches collapse), then
// simplify/simplifyConcat/simplifyConcatAlternate. Other shapes: a literal,
// `(?i)literal`, `.*`, `.+`, `lit.*`, `.*lit`, `.*lit.*` simplify; shapes with
// classes, `..`, `\d`, repetitions, anchors, `$`, dots between letters stay
// regexps; anything else throws so that a human decides.
const LIT = '(?:[A-Za-z0-9_ :/=-]|\\\\\\.)';
function unescapeLit(x) { return x.replace(/\\\./g, '.'); }
function goFactor(alts) {
  const legs = [];
  let i = 0;
  while (i < alts.length) {
    let j = i + 1; let prefix = alts[i];
    while (j < alts.length && prefix !== '') {
      let k = 0;
      while (k < prefix.length && k < alts[j].length && prefix[k] === alts[j][k]) k++;
      if (k === 0) break;
      prefix = prefix.slice(0, k); j++;
    }
    if (j - i > 1) legs.push({ k: 'concat', subs: [{ k: 'lit', s: prefix }, goFactor(alts.slice(i, j).map((x) => x.slice(prefix.length)))] });
    else legs.push(alts[i] === '' ? { k: 'empty' } : { k: 'lit', s: alts[i] });
    i = j;
  }
  const merged = [];
  for (const l of legs) { // round 3 and 4
    const prev = merged[merged.length - 1];
    const cc = (x) => (x.k === 'lit' && [...x.s].length === 1) || x.k === 'cc';
    if (prev && cc(prev) && cc(l)) { merged[merged.length - 1] = { k: 'cc' }; continue; }
    if (prev && prev.k === 'empty' && l.k === 'empty') continue;
    merged.push(l);
  }
  return merged.length === 1 ? merged[0] : { k: 'alt', subs: merged };
}
function goSimplify(n) {
  if (n.k === 'lit' || n.k === 'empty') return true;
  if (n.k === 'alt') return n.subs.every(goSimplify);
  if (n.k === 'concat') return goSimplifyConcat(n, null);
  return false;
}
function goSimplifyConcat(n, base) {
  const subs = n.subs.filter((x) => x.k !== 'empty');
  if (subs.length > 3) return false;
  let literals = 0;
  for (const sub of subs) {
    if (sub.k === 'lit') { if (literals++ !== 0) return false; base = (base ?? '') + sub.s; continue; }
    if (sub.k === 'alt' && base !== null) {
      for (const a of sub.subs) {
        if (a.k === 'empty' || a.k === 'lit') continue;
        if (a.k === 'concat' && goSimplifyConcat(a, base)) continue;
        return false;
      }
      continue;
    }
    return false;
  }
  return base !== null;
}
export function labelRegexStaysRegexp(re) {
  const alt = new RegExp(`^\\(?(${LIT}+(?:\\|${LIT}*)+)\\)?$`);
  const m = alt.exec(re);
  if (m && re.includes('|')) return !goSimplify(goFactor(m[1].split('|').map(unescapeLit)));
  const simpleShapes = [
    /^$/, /^\.\*$/, /^\.\+$/,
    new RegExp(`^(?:\\(\\?i\\))?${LIT}+$`),
    new RegExp(`^(?:\\(\\?i\\))?\\.\\*${LIT}+(?:\\.\\*)?$`), new RegExp(`^(?:\\(\\?i\\))?${LIT}+\\.\\*$`),
  ];
  if (simpleShapes.some((r) => r.test(re))) return false;
  const regexpShapes = [/\$/, /[A-Za-z]\.[A-Za-z]/, /[\[\]]/, /\.\./, /\\d|\\w|\\s/, /[+?{]/, /^\^/, /\.\*.*\.\*.*\.\*/, /[a-z0-9]\.\*[a-z0-9]/i, /\d\./, /^\./];
  if (regexpShapes.some((r) => r.test(re))) return true;
  throw new Error(`label regexp ${re}: decide by hand whether filter.go simplifies it`);
}

// ---------------------------------------------------------------- parser ----

class P {
  constructor(src) { this.toks = lex(src); this.i = 0; }
  peek(k = 0) { return this.toks[this.i + k]; }
  next() { return this.toks[this.i++]; }
  is(t, v, k = 0) { const x = this.peek(k); return x.t === t && (v === undefined || x.v === v); }
  op(v, k = 0) { return this.is('OP', v, k); }
  kw(v, k = 0) { return this.is('KW', v, k); }
  expect(t, v) { const x = this.next(); if (x.t !== t || (v !== undefined && x.v !== v)) throw new Error(`expected ${t} ${v ?? ''} got ${x.t} ${x.v ?? ''}`); return x; }

  parseQuery() {
    const e = this.parseExpr(0);
    if (!this.is('EOF')) throw new Error(`trailing ${this.peek().t} ${this.peek().v}`);
    return e;
  }

  // binary operators, syntax.y precedence
  binPrec(tok) {
    if (tok.t === 'KW' && tok.v === 'or') return [1, 'or'];
    if (tok.t === 'KW' && (tok.v === 'and' || tok.v === 'unless')) return [2, tok.v];
    if (tok.t === 'OP') {
      if (['==', '!=', '>', '>=', '<', '<='].includes(tok.v)) return [3, tok.v];
      if (['+', '-'].includes(tok.v)) return [4, tok.v];
      if (['*', '/', '%'].includes(tok.v)) return [5, tok.v];
      if (tok.v === '^') return [6, tok.v];
    }
    return null;
  }
  parseExpr(minPrec) {
    let left = this.parseUnary();
    for (;;) {
      const bp = this.binPrec(this.peek());
      if (!bp || bp[0] < minPrec) break;
      this.next();
      const opts = this.parseBinOpModifier();
      const right = this.parseExpr(bp[1] === '^' ? bp[0] : bp[0] + 1);
      left = mkBinOp(bp[1], opts, left, right);
    }
    return left;
  }
  parseBinOpModifier() {
    const o = { bool: false, on: false, matching: null, card: 'one', include: null };
    if (this.kw('bool')) { this.next(); o.bool = true; }
    if (this.kw('on') || this.kw('ignoring')) {
      o.on = this.next().v === 'on';
      o.matching = this.parseLabelList();
      if (o.matching.length === 0) o.matching = null;
      if (this.kw('group_left') || this.kw('group_right')) {
        o.card = this.next().v === 'group_left' ? 'left' : 'right';
        if (this.op('(')) { const l = this.parseLabelList(); if (l.length) o.include = l; }
      }
    }
    return o;
  }
  parseLabelList() {
    this.expect('OP', '(');
    const out = [];
    while (!this.op(')')) {
      const x = this.next();
      if (x.t !== 'IDENT') throw new Error(`label expected, got ${x.t} ${x.v}`);
      out.push(x.v);
      if (this.op(',')) this.next(); else break;
    }
    this.expect('OP', ')');
    return out;
  }
  parseGrouping() {
    const without = this.next().v === 'without';
    const groups = this.parseLabelList();
    return { without, groups };
  }
  parseUnary() {
    const t = this.peek();
    if (t.t === 'NUMBER') { this.next(); return { k: 'lit', v: parseFloat(t.v) }; }
    if (t.t === 'OP' && (t.v === '-' || t.v === '+') && this.is('NUMBER', undefined, 1)) {
      this.next(); const n = parseFloat(this.next().v); return { k: 'lit', v: t.v === '-' ? -n : n };
    }
    if (t.t === 'OP' && t.v === '(') {
      this.next();
      const e = this.parseExpr(0);
      this.expect('OP', ')');
      return e;
    }
    if (t.t === 'OP' && t.v === '{') return this.parseLogExpr();
    if (t.t === 'KW') {
      if (RANGE_OPS.includes(t.v)) return this.parseRangeAgg();
      if (VECTOR_OPS.includes(t.v)) return this.parseVectorAgg();
      if (t.v === 'vector') { this.next(); this.expect('OP', '('); const n = this.expect('NUMBER').v; this.expect('OP', ')'); return { k: 'vector', v: parseFloat(n) }; }
      if (t.v === 'label_replace') return this.parseLabelReplace();
      if (t.v === 'variants') return this.parseVariants();
    }
    throw new Error(`unexpected ${t.t} ${t.v ?? ''}`);
  }
  parseLabelReplace() {
    this.next(); this.expect('OP', '(');
    const left = this.parseExpr(0);
    const s = [];
    for (let k = 0; k < 4; k++) { this.expect('OP', ','); s.push(this.expect('STRING').v); }
    this.expect('OP', ')');
    return { k: 'label_replace', left, s };
  }
  parseVariants() {
    this.next(); this.expect('OP', '(');
    const vs = [this.parseExpr(0)];
    while (this.op(',')) { this.next(); vs.push(this.parseExpr(0)); }
    this.expect('OP', ')'); this.expect('KW', 'of'); this.expect('OP', '(');
    const lr = this.parseLogRange();
    this.expect('OP', ')');
    return { k: 'variants', vs, lr };
  }
  parseVectorAgg() {
    const op = this.next().v;
    let grouping = null, param = null;
    if (this.kw('by') || this.kw('without')) grouping = this.parseGrouping();
    this.expect('OP', '(');
    if (this.is('NUMBER') && this.op(',', 1)) { param = this.next().v; this.next(); }
    const left = this.parseExpr(0);
    this.expect('OP', ')');
    if (!grouping && (this.kw('by') || this.kw('without'))) grouping = this.parseGrouping();
    if (['topk', 'bottomk', 'approx_topk'].includes(op)) {
      if (param === null) throw new Error('parameter required');
      if (!/^[0-9]+$/.test(param) || parseInt(param, 10) <= 0) throw new Error('bad k');
      if (op === 'approx_topk' && grouping) throw new Error('grouping not allowed');
    } else if (param !== null) throw new Error('unsupported parameter');
    if ((op === 'sort' || op === 'sort_desc') && grouping && grouping.groups.length) throw new Error('sort grouping');
    return { k: 'vagg', op, grouping, param: param === null ? 0 : parseInt(param, 10), left };
  }
  parseRangeAgg() {
    const op = this.next().v;
    this.expect('OP', '(');
    let param = null;
    if (this.is('NUMBER') && this.op(',', 1)) { param = parseFloat(this.next().v); this.next(); }
    const lr = this.parseLogRange();
    this.expect('OP', ')');
    let grouping = null;
    if (this.kw('by') || this.kw('without')) grouping = this.parseGrouping();
    if (param !== null && op !== 'quantile_over_time') throw new Error('param not supported');
    if (param === null && op === 'quantile_over_time') throw new Error('param required');
    if (grouping && !['avg_over_time', 'stddev_over_time', 'stdvar_over_time', 'quantile_over_time', 'max_over_time', 'min_over_time', 'first_over_time', 'last_over_time'].includes(op)) throw new Error('grouping not allowed');
    if (lr.unwrap) {
      if (!['avg_over_time', 'sum_over_time', 'max_over_time', 'min_over_time', 'stddev_over_time', 'stdvar_over_time', 'quantile_over_time', 'rate', 'rate_counter', 'absent_over_time', 'first_over_time', 'last_over_time'].includes(op)) throw new Error('with unwrap');
    } else if (!['bytes_over_time', 'bytes_rate', 'count_over_time', 'rate', 'absent_over_time'].includes(op)) throw new Error('without unwrap');
    return { k: 'ragg', op, param, lr, grouping };
  }
  // logRangeExpr: every ordering syntax.y allows, parentheses included.
  parseLogRange() {
    let paren = false;
    if (this.op('(')) { this.next(); paren = true; }
    if (paren && this.op('(')) { const lr = this.parseLogRange(); this.expect('OP', ')'); return lr; }
    const sel = this.parseSelector();
    let stages = this.parsePipeline();
    let unwrap = this.parseUnwrap();
    if (paren && this.op(')')) { this.next(); }
    const range = this.expect('RANGE').v;
    let offset = null;
    if (this.kw('offset')) { this.next(); offset = this.expect('DURATION').v; }
    if (!paren && stages.length === 0 && !unwrap) {
      stages = this.parsePipeline();
      unwrap = this.parseUnwrap();
    }
    if (paren && this.op(')') && false) this.next();
    return { sel, stages, unwrap, range, offset };
  }
  parseUnwrap() {
    if (!(this.op('|') && this.kw('unwrap', 1))) return null;
    this.next(); this.next();
    let conv = '', id;
    if (this.kw('bytes') || this.kw('duration') || this.kw('duration_seconds')) {
      conv = this.next().v; this.expect('OP', '('); id = this.expect('IDENT').v; this.expect('OP', ')');
    } else id = this.expect('IDENT').v;
    const post = [];
    while (this.op('|') && (this.is('IDENT', undefined, 1) || this.op('(', 1))) { this.next(); post.push(this.parseLabelFilter()); }
    return { id, conv, post };
  }
  parseLogExpr() {
    const sel = this.parseSelector();
    const stages = this.parsePipeline();
    if (this.op('|') && this.kw('unwrap', 1)) throw new Error('unwrap outside range');
    return { k: 'log', sel, stages };
  }
  parseSelector() {
    this.expect('OP', '{');
    const ms = [];
    while (!this.op('}')) {
      ms.push(this.parseMatcher());
      if (this.op(',')) this.next(); else break;
    }
    this.expect('OP', '}');
    if (ms.length === 0) throw new Error('empty selector');
    return ms;
  }
  parseMatcher() {
    const name = this.expect('IDENT').v;
    const op = this.next();
    if (op.t !== 'OP' || !['=', '!=', '=~', '!~'].includes(op.v)) throw new Error('matcher op');
    const v = this.expect('STRING').v;
    return { name, op: op.v, v };
  }
  parsePipeline() {
    const stages = [];
    for (;;) {
      const t = this.peek();
      if (t.t === 'OP' && ['|=', '!=', '|~', '!~', '|>', '!>'].includes(t.v)) {
        // consecutive line filters (lineFilters) print as a flat sequence
        stages.push(...this.parseLineFilter());
        continue;
      }
      if (t.t === 'OP' && t.v === '|') {
        const n = this.peek(1);
        if (n.t === 'KW' && n.v === 'unwrap') break;
        this.next();
        stages.push(this.parseStage());
        continue;
      }
      break;
    }
    return stages;
  }
  parseLineFilter() {
    const ty = this.next().v;
    const one = () => {
      if (this.kw('ip')) { this.next(); this.expect('OP', '('); const s = this.expect('STRING').v; this.expect('OP', ')'); return { ip: true, m: s }; }
      return { ip: false, m: this.expect('STRING').v };
    };
    const items = [one()];
    while (this.kw('or') && (this.is('STRING', undefined, 1) || this.kw('ip', 1))) { this.next(); items.push(one()); }
    const fmt = (x) => (x.ip ? `ip(${goQuote(x.m)})` : goQuote(x.m));
    if (['|=', '|~', '|>'].includes(ty)) return [{ k: 'raw', s: `${ty} ` + items.map(fmt).join(' or ') }];
    return items.map((x) => ({ k: 'raw', s: `${ty} ${fmt(x)}`, line: true }));
  }
  parseStage() {
    const t = this.peek();
    if (t.t === 'KW') {
      switch (t.v) {
        case 'json': {
          this.next();
          if (this.is('IDENT')) return { k: 'raw', s: '| json ' + this.parseExtractions() };
          return { k: 'raw', s: '| json' };
        }
        case 'logfmt': {
          this.next();
          const flags = new Set();
          while (this.is('FLAG')) flags.add(this.next().v);
          if (this.is('IDENT')) {
            let s = '| logfmt ';
            if (flags.has('--strict')) s += '--strict ';
            if (flags.has('--keep-empty')) s += '--keep-empty ';
            return { k: 'raw', s: s + this.parseExtractions() };
          }
          let s = '| logfmt';
          if (flags.has('--strict')) s += ' --strict';
          if (flags.has('--keep-empty')) s += ' --keep-empty';
          return { k: 'raw', s };
        }
        case 'regexp': this.next(); return { k: 'raw', s: '| regexp ' + goQuote(this.expect('STRING').v) };
        case 'pattern': this.next(); return { k: 'raw', s: '| pattern ' + goQuote(this.expect('STRING').v) };
        case 'unpack': this.next(); return { k: 'raw', s: '| unpack' };
        case 'decolorize': this.next(); return { k: 'raw', s: '| decolorize' };
        case 'line_format': this.next(); return { k: 'raw', s: '| line_format ' + goQuote(this.expect('STRING').v) };
        case 'label_format': {
          this.next();
          const parts = [];
          do {
            const name = this.expect('IDENT').v; this.expect('OP', '=');
            if (this.is('IDENT')) parts.push(`${name}=${this.next().v}`);
            else parts.push(`${name}=${goQuote(this.expect('STRING').v)}`);
          } while (this.op(',') && this.next());
          return { k: 'raw', s: '| label_format ' + parts.join(',') };
        }
        case 'drop': case 'keep': {
          this.next();
          const parts = [];
          do {
            if (this.is('IDENT') && this.is('OP', undefined, 1) && ['=', '!=', '=~', '!~'].includes(this.peek(1).v)) {
              const m = this.parseMatcher(); parts.push(`${m.name}${m.op}${goQuote(m.v)}`);
            } else parts.push(this.expect('IDENT').v);
          } while (this.op(',') && this.next());
          return { k: 'raw', s: `| ${t.v} ` + parts.join(',') };
        }
        default: throw new Error(`stage ${t.v}`);
      }
    }
    return { k: 'raw', s: '| ' + this.parseLabelFilter() };
  }
  parseExtractions() {
    const parts = [];
    do {
      const id = this.expect('IDENT').v;
      if (this.op('=')) { this.next(); parts.push(`${id}=${goQuote(this.expect('STRING').v)}`); } else parts.push(`${id}=${goQuote(id)}`);
    } while (this.op(',') && this.next());
    return parts.join(',');
  }
  // label filters: OR < AND; `,` and juxtaposition always shift (no precedence in syntax.y)
  parseLabelFilter(minPrec = 0) {
    let left = this.parseLFPrimary();
    for (;;) {
      if (this.op(',')) { this.next(); const r = this.parseLabelFilter(0); left = `( ${left} , ${r} )`; continue; }
      if (this.is('IDENT') || (this.op('(') && !this.is('RANGE'))) {
        if (this.op('(')) break; // not used in the corpus
        const r = this.parseLabelFilter(0); left = `( ${left} , ${r} )`; continue;
      }
      if (this.kw('and') && minPrec <= 2) { this.next(); const r = this.parseLabelFilter(3); left = `( ${left} , ${r} )`; continue; }
      if (this.kw('or') && minPrec <= 1) { this.next(); const r = this.parseLabelFilter(2); left = `( ${left} or ${r} )`; continue; }
      break;
    }
    return left;
  }
  parseLFPrimary() {
    if (this.op('(')) { this.next(); const f = this.parseLabelFilter(0); this.expect('OP', ')'); return f; }
    const name = this.expect('IDENT').v;
    const op = this.next();
    if (op.t !== 'OP') throw new Error('label filter op');
    const nx = this.peek();
    if (nx.t === 'KW' && nx.v === 'ip') {
      this.next(); this.expect('OP', '('); const s = this.expect('STRING').v; this.expect('OP', ')');
      if (op.v !== '=' && op.v !== '!=') throw new Error('ip op');
      return `${name}${op.v === '=' ? '=' : '!='}ip(${goQuote(s)})`;
    }
    if (nx.t === 'STRING') {
      this.next();
      if (!['=', '!=', '=~', '!~'].includes(op.v)) throw new Error('string filter op');
      if (op.v === '=~' && labelRegexStaysRegexp(nx.v)) {
        return `${name}=~` + (nx.v.includes('`') ? goQuote(nx.v) : '`' + nx.v + '`');
      }
      return `${name}${op.v}${goQuote(nx.v)}`;
    }
    const cmp = { '=': '==', '==': '==', '!=': '!=', '>': '>', '>=': '>=', '<': '<', '<=': '<=' }[op.v];
    if (!cmp) throw new Error('filter op ' + op.v);
    if (nx.t === 'DURATION') { this.next(); return `${name}${cmp}${goDurationString(nx.v)}`; }
    if (nx.t === 'BYTES') { this.next(); return `${name}${cmp}${humanizeBytes(nx.v)}`; }
    let sign = 1;
    if (nx.t === 'OP' && (nx.v === '-' || nx.v === '+')) { this.next(); if (nx.v === '-') sign = -1; }
    const n = this.expect('NUMBER').v;
    return `${name}${cmp}${fixedShortest(sign * parseFloat(n))}`;
  }
}

function mkBinOp(op, opts, l, r) {
  const isLit = (x) => x.k === 'lit';
  if (['or', 'and', 'unless'].includes(op) && (isLit(l) || isLit(r))) throw new Error('literal in logical op');
  if (l.k === 'log' || r.k === 'log') throw new Error('log expr in binop');
  if (isLit(l) && isLit(r)) {
    const a = l.v, b = r.v;
    const f = { '+': a + b, '-': a - b, '*': a * b, '/': b === 0 ? NaN : a / b, '%': b === 0 ? NaN : a % b, '^': a ** b,
      '==': +(a === b), '!=': +(a !== b), '>': +(a > b), '>=': +(a >= b), '<': +(a < b), '<=': +(a <= b) }[op];
    return { k: 'lit', v: f };
  }
  return { k: 'bin', op, opts, l, r };
}

function printSelector(ms) { return '{' + ms.map((m) => `${m.name}${m.op}${goQuote(m.v)}`).join(', ') + '}'; }
function printLog(sel, stages) {
  const s = printSelector(sel);
  return stages.length ? s + ' ' + stages.map((x) => x.s).join(' ') : s;
}
function printLogRange(lr) {
  let s = printLog(lr.sel, lr.stages);
  if (lr.unwrap) {
    const u = lr.unwrap;
    s += u.conv ? ` | unwrap ${u.conv}(${u.id})` : ` | unwrap ${u.id}`;
    for (const f of u.post) s += ` | ${f}`;
  }
  s += `[${promDurationString(lr.range)}]`;
  if (lr.offset !== null && lr.offset !== 0n) s += ` offset ${goDurationString(lr.offset)}`;
  return s;
}
function printGrouping(g) { return (g.without ? ' without ' : ' by ') + '(' + g.groups.join(',') + ')'; }
export function print(e) {
  switch (e.k) {
    case 'lit': return goV(e.v);
    case 'vector': return `vector(${tr('vecf', e.v, e.v.toFixed(6))})`;
    case 'log': return printLog(e.sel, e.stages);
    case 'ragg': {
      let s = e.op + '(';
      if (e.param !== null) s += fixedShortest(e.param) + ',';
      s += printLogRange(e.lr) + ')';
      if (e.grouping) s += printGrouping(e.grouping);
      return s;
    }
    case 'vagg': {
      let s = e.op;
      if (e.grouping && !(e.grouping.groups.length === 0 && !e.grouping.without)) s += printGrouping(e.grouping);
      const params = ['topk', 'bottomk', 'approx_topk'].includes(e.op) || e.param !== 0 ? [String(e.param), print(e.left)] : [print(e.left)];
      return s + '(' + params.join(',') + ')';
    }
    case 'bin': {
      let op = e.op;
      const o = e.opts;
      if (o.bool) op += ' bool';
      let group = o.card === 'left' ? 'group_left' : o.card === 'right' ? 'group_right' : '';
      if (o.include) group += ` (${o.include.join(',')})`;
      if (o.on || o.matching) op = `${op} ${o.on ? 'on' : 'ignoring'} (${(o.matching || []).join(',')}) ${group}`;
      return `(${print(e.l)} ${op} ${print(e.r)})`;
    }
    case 'label_replace': return `label_replace(${print(e.left)},${e.s.map(goQuote).join(',')})`;
    case 'variants': return `variants(${e.vs.map(print).join(', ')}) of (${printLogRange(e.lr)})`;
    default: throw new Error('print ' + e.k);
  }
}

// Loki's validation: a selector needs one matcher that does not match "".
function matchesEmpty(m) {
  if (m.op === '=') return m.v === '';
  if (m.op === '!=') return m.v !== '';
  const ci = m.v.startsWith('(?i)');
  const re = new RegExp('^(?:' + (ci ? m.v.slice(4) : m.v) + ')$', ci ? 'iu' : 'u');
  return m.op === '=~' ? re.test('') : !re.test('');
}
function validate(e) {
  const sels = [];
  const walk = (x) => {
    if (!x) return;
    if (x.k === 'log') sels.push(x.sel);
    if (x.k === 'ragg') sels.push(x.lr.sel);
    if (x.k === 'variants') { sels.push(x.lr.sel); x.vs.forEach(walk); }
    if (x.k === 'vagg' || x.k === 'label_replace') walk(x.left);
    if (x.k === 'bin') { walk(x.l); walk(x.r); }
  };
  walk(e);
  for (const s of sels) if (s.every(matchesEmpty)) throw new Error('all matchers match empty');
}

export function canonical(query) {
  const e = new P(query).parseQuery();
  validate(e);
  return print(e);
}

export const decodeLine = (line) => line.replaceAll('\\n', '\n');

if (import.meta.url === `file://${process.argv[1]}`) {
  const lines = readFileSync(process.argv[2], 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  let bad = 0;
  const out = [];
  lines.forEach((l, i) => {
    try { out.push(canonical(decodeLine(l))); } catch (err) { bad++; out.push(`!! ${err.message}`); process.stderr.write(`${i + 1}: ${err.message}: ${l}\n`); }
  });
  process.stdout.write(out.join('\n') + '\n');
  if (TRACE) writeFileSync(process.env.CANON_TRACE, TRACE.map((t) => t.join('\t')).join('\n') + '\n');
  process.exitCode = bad ? 1 : 0;
}
