#!/usr/bin/env python3
"""Writes valid.notes: the valid.txt lines whose expected output rests on a
rule that was derived by reasoning rather than confirmed by a Loki test pair
(README.md rule numbers), so a disagreement there is looked at first."""
import os
import re

here = os.path.dirname(os.path.abspath(__file__))
d = os.path.dirname(here)
src = open(os.path.join(d, 'valid.txt')).read().split('\n')[:-1]
exp = open(os.path.join(d, 'valid.expected')).read().split('\n')[:-1]
assert len(src) == len(exp)
out = ['# valid.txt line: the less certain rule its expected output rests on (README.md rule numbers)']
for i, (q, e) in enumerate(zip(src, exp), 1):
    why = []
    # a label-filter stage (not a drop/keep/label_format list) with `,` or juxtaposition
    for stage in re.split(r' \| ', e):
        if stage.startswith('( ') and ' , ' in stage and (' or ' in stage or stage.count(' , ') > 1):
            why.append('rule 26: `,`/`and`/`or` grouping from syntax.y precedences and yacc shift default')
            break
    if re.search(r'[A-Za-z_]=~`', e):
        why.append('rule 24: Go-regexp label filter printed between backticks (filter.go simplify modelled)')
    if re.search(r'\| [A-Za-z_]+ ?[<>=!]+ ?[^ |,()]+ [A-Za-z_]+ ?[<>=!]', q) and not re.search(r'\| [A-Za-z_]+ ?[<>=!]+ ?[^ |,()]+ (and|or) ', q):
        why.append('rule 25/26: juxtaposed label filters (an implicit and)')
    if e.startswith('variants('):
        why.append('rule 34: variants(...) of (...) printing, a recent Loki addition')
    if 'kB' in e or 'MB' in e or 'GB' in e or 'TB' in e or 'PB' in e:
        if re.search(r'[<>=]\d+(\.\d)?[kMGTP]B', e):
            why.append('rule 10: humanize.Bytes output (algorithm restated, not linked)')
    if why:
        out.append('%d: %s' % (i, '; '.join(dict.fromkeys(why))))
open(os.path.join(d, 'valid.notes'), 'w').write('\n'.join(out) + '\n')
print(len(out) - 1)
