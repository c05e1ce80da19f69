#!/usr/bin/env python3
"""Writes tests/testdata/promql/random.txt: deterministic random PromQL for a
differential test against Prometheus's parser. Half the lines come from a
small grammar (selectors with every matcher kind and quoting, keywords used
as metric and label names, functions, aggregations with grouping before or
after, binary operators with bool/on/ignoring/group_*, offsets, @, ranges,
subqueries, unary signs, numbers in every notation), so most parse and
exercise Format() and Pretty(); the other half are random sequences of
PromQL tokens, so most fail and exercise the errors, which must match
Prometheus's message and position exactly.

Left out on purpose: UTF-8 label names inside on()/ignoring()/group_*()
(Prometheus v0.309.1 prints them unquoted, see kDivergences in
tests/promql/corpus_test.cc) and `offset NaN` (Prometheus accepts it and
prints an offset of -106751 days; obsv refuses it as out of range).

    python3 tests/reference/promql/gen_random.py
    # then regenerate random.expected and random.pretty.expected (../README.md)
"""
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "testdata", "promql", "random.txt")
R = random.Random(20261203)

NAMES = ['x', 'http_requests_total', 'foo:bar', 'up', 'sum', 'and', 'offset', 'by', 'le',
         'node_cpu_seconds_total', 'start', 'step', 'topk', 'unless', 'bool_x']
LABELS = ['job', 'le', 'a_b', '__name__', '"k8s.pod"', 'instance', 'or', 'by', 'offset']
PLAIN_LABELS = [l for l in LABELS if not l.startswith('"')]
VALUES = ['"a"', "'b'", '`c`', '"a\\"b"', '""', '"x.*"', '"\\u00e9"', '"\\x41"', "'\\''"]
FUNCTIONS = ['rate', 'irate', 'abs', 'histogram_quantile', 'label_replace', 'round', 'clamp',
             'vector', 'time', 'absent', 'sort', 'timestamp', 'predict_linear', 'deriv', 'ceil',
             'exp', 'sgn', 'quantile_over_time', 'avg_over_time', 'changes', 'label_join',
             'days_in_month', 'scalar', 'last_over_time', 'present_over_time', 'histogram_count',
             'absent_over_time', 'resets', 'clamp_min']
AGGREGATIONS = ['sum', 'avg', 'min', 'max', 'count', 'topk', 'bottomk', 'quantile',
                'count_values', 'stddev', 'stdvar', 'group']
BINARY = ['+', '-', '*', '/', '%', '^', '==', '!=', '>', '<', '>=', '<=', 'and', 'or',
          'unless', 'atan2']
DURATIONS = ['5m', '1h', '30s', '1d', '1w', '1y', '90s', '1h30m', '100ms', '0s', '2', '1.5',
             '1e2', '0x10']
NUMBERS = ['1', '-2.5', '0x1f', 'Inf', '-Inf', 'NaN', '1e-3', '.5', '5m', '"str"', '1_000',
           '0.1e+3']


def selector():
    name = R.choice(NAMES + [''])
    matchers = [R.choice(LABELS) + R.choice(['=', '!=', '=~', '!~']) + R.choice(VALUES)
                for _ in range(R.randint(0 if name else 1, 3))]
    text = name
    if matchers or not name:
        sep = ', ' if R.random() < .3 else ','
        text += '{' + sep.join(matchers) + (',' if R.random() < .1 else '') + '}'
    return text


def modifiers(text):
    if R.random() < .2:
        text += ' offset ' + R.choice(['', '-']) + R.choice(DURATIONS)
    if R.random() < .15:
        text += ' @ ' + R.choice(['100', '1e3', 'start()', 'end()', '-5', '1.5'])
    return text


def grouping(labels):
    return '(' + ', '.join(R.sample(labels, R.randint(0, 2))) + ')'


def expr(depth=0):
    r = R.random()
    if depth > 3 or r < .25:
        text = selector()
        if R.random() < .3:
            text += '[' + R.choice(DURATIONS) + ']'
        return modifiers(text)
    if r < .35:
        return R.choice(NUMBERS)
    if r < .5:
        args = [expr(depth + 1) for _ in range(R.randint(0, 3))]
        return R.choice(FUNCTIONS) + '(' + ', '.join(args) + ')'
    if r < .65:
        op = R.choice(AGGREGATIONS)
        group = ''
        if R.random() < .5:
            group = ' ' + R.choice(['by', 'without']) + ' ' + grouping(LABELS)
        args = [expr(depth + 1)]
        if op in ('topk', 'bottomk', 'quantile', 'count_values'):
            args.insert(0, R.choice(['5', '0.9', '"v"', 'scalar(x)']))
        if R.random() < .5:
            return op + group + ' (' + ', '.join(args) + ')'
        return op + '(' + ', '.join(args) + ')' + group
    if r < .85:
        modifier = ' bool' if R.random() < .2 else ''
        if R.random() < .3:
            modifier += ' ' + R.choice(['on', 'ignoring']) + grouping(PLAIN_LABELS)
            if R.random() < .4:
                modifier += ' ' + R.choice(['group_left', 'group_right']) + R.choice(
                    ['', '(job)', '()'])
        return expr(depth + 1) + ' ' + R.choice(BINARY) + modifier + ' ' + expr(depth + 1)
    if r < .92:
        return '(' + expr(depth + 1) + ')'
    if r < .96:
        return modifiers('(' + expr(depth + 1) + ')[' + R.choice(DURATIONS) + ':' +
                         R.choice(['', '1m']) + ']')
    return R.choice(['-', '+']) + expr(depth + 1)


TOKENS = ['sum', 'rate', '(', ')', '{', '}', '[5m]', '[1h:5m]', 'x', 'job', '=', '"a"', '!=',
          '=~', '!~', ',', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right',
          'bool', '+', '-', '*', '/', '%', '^', '==', '>', '<', 'and', 'or', 'unless', 'offset',
          '5m', '@', 'start()', 'end()', '1', '2.5', '0x1f', 'Inf', 'topk', 'count_values',
          'histogram_quantile', 'label_replace', 'abs', '-1', 'foo:bar', '"x.y"', '{"a.b"}',
          'atan2', 'step', 'limitk', 'min', 'avg', 'time()', 'vector', 'scalar', '[5m:]', '1e3',
          '.5', '__name__', 'le', 'quantile_over_time', '#c\n', 'anchored']


def token_soup():
    return ' '.join(R.choice(TOKENS) for _ in range(R.randint(1, 9)))


def main():
    lines = []
    while len(lines) < 3000:
        q = expr() if len(lines) % 2 == 0 else token_soup()
        if 'offset NaN' in q or 'offset -NaN' in q:
            continue
        lines.append(q.replace('\n', '\\n'))
    with open(OUT, 'w') as f:
        f.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    main()
