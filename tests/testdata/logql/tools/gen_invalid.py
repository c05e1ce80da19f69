#!/usr/bin/env python3
"""Writes invalid.txt, invalid.expected and invalid.notes from the table below.

Each entry: (query, where, message, approx)
  where   'EOF'              the error is at the end of input: col = len(line)+1
          '0:0'              Loki's ParseError without a position (validation, panics
                             recovered in ParseExprWithoutValidation)
          (text, n)          the error is at the n-th (0-based) occurrence of text:
                             col = 1 + its index in characters (text/scanner columns)
  message Loki's message (the part after `parse error at line L, col C: ` or
          `parse error : `)
  approx  '' when the line/col and message follow directly from lex.go/parser.go/
          ast.go; otherwise a short reason, written to invalid.notes
"""
import os

EMPTY = ('queries require at least one regexp or equality matcher that does not have '
         'an empty-compatible value. For instance, app=~".*" does not meet this requirement, '
         'but app=~".+" will')
RX = "regexp error text: assumes Prometheus's FastRegexMatcher parses the raw pattern (Prometheus >= 2.48); older ones compiled ^(?:...)$ and quote that"
YACC = 'yacc expected-token list not derivable without the generated tables'
T = []
def add(q, where, msg, approx='', line=1):
    T.append((q, where, msg, approx, line))

# --- selectors: structure -------------------------------------------------
add('{app="foo"', 'EOF', 'syntax error: unexpected $end, expecting } or ,')
add('app="foo"}', ('app', 0), 'syntax error: unexpected IDENTIFIER', YACC)
add('{app="foo"}}', ('}', 1), 'syntax error: unexpected }', YACC)
add('{{app="foo"}}', ('{', 1), 'syntax error: unexpected {, expecting IDENTIFIER or }', YACC)
add('{app="foo"} |= "x" }', ('}', 1), 'syntax error: unexpected }', YACC)
add('sum(count_over_time({app="foo"}[5m])', 'EOF', 'syntax error: unexpected $end', YACC)
add('{app="foo" # no closing brace}', 'EOF', 'syntax error: unexpected $end, expecting } or ,', 'the comment swallows the brace; col of $end and ' + YACC)
add('{app=foo}', ('foo', 0), 'syntax error: unexpected IDENTIFIER, expecting STRING', YACC)
add('{app="foo" job="bar"}', ('job', 0), 'syntax error: unexpected IDENTIFIER, expecting } or ,', YACC)
add('{app=="foo"}', ('==', 0), 'syntax error: unexpected ==, expecting = or =~ or !~ or !=', YACC, line=0)
add('{app~"foo"}', ('~', 0), 'syntax error: unexpected IDENTIFIER, expecting = or =~ or !~ or !=', 'lex.go turns the unknown rune ~ into IDENTIFIER; ' + YACC)
add('{"app"="foo"}', ('"app"', 0), 'syntax error: unexpected STRING, expecting IDENTIFIER or }', YACC)
add('{app="foo",}', ('}', 0), 'syntax error: unexpected }, expecting IDENTIFIER', YACC)
add('{app="foo",,}', (',', 1), 'syntax error: unexpected ,, expecting IDENTIFIER', YACC)
add('{app="foo"} {job="bar"}', ('{', 1), 'syntax error: unexpected {', YACC)
add('{app="foo"}[5m]', ('[', 0), 'syntax error: unexpected RANGE', 'no expecting list assumed (as for min({...}[5m]) in parser_test.go)', line=0)
add('{app="foo"} offset 5m', ('offset', 0), 'syntax error: unexpected offset', YACC)
# keywords (lex.go `tokens`) cannot be label names
for kw in ['json', 'by', 'or', 'offset', 'drop', 'keep', 'unwrap', 'bool', 'on', 'of', 'variants', 'without', 'logfmt', 'pattern', 'line_format']:
    add('{%s="x"}' % kw, (kw, 0), 'syntax error: unexpected %s, expecting IDENTIFIER or }' % kw, YACC)
add('{app="foo"} | json | by="x"', ('by', 0), 'syntax error: unexpected by', YACC)

# --- selectors: validation (parser.go validateMatchers) -------------------
for q in ['{}', '{a=""}', '{a=~".*"}', '{a!="x"}', '{a!~"x"}', '{a=~"x|"}', '{a="", b=~".*"}',
          '{name!~"mysql.+"}', '{name!~`mysql-\\d+`}', '{app!="foo", env!~"dev|staging"}',
          'count_over_time({a=""}[5m])', 'sum(rate({a=~".*"}[1m]))',
          'sum(count_over_time({app="x"}[1m])) / sum(count_over_time({a!="x"}[1m]))',
          '{a=~".*"} |= "error" | json']:
    add(q, '0:0', EMPTY)

# --- regexps compiled while parsing (mustNewMatcher -> labels.NewMatcher) ---
add('{app=~"(foo"}', '0:0', 'error parsing regexp: missing closing ): `(foo`', RX)
add('{app=~"[z-a]"}', '0:0', 'error parsing regexp: invalid character class range: `z-a`')
add('{app=~"a**"}', '0:0', 'error parsing regexp: invalid nested repetition operator: `**`')
add('{app=~"*"}', '0:0', 'error parsing regexp: missing argument to repetition operator: `*`')
add('{app="foo"} | json | a=~"(x"', '0:0', 'error parsing regexp: missing closing ): `(x`', RX)
add('{app="foo"} | json | drop a=~"[", b', '0:0', 'error parsing regexp: missing closing ]: `[`', RX)
add('{app="foo"} | regexp "foo"', '0:0', 'invalid regexp parser: at least one named capture must be supplied', 'message text of log.NewRegexpParser errMissingCapture')
add('{app="foo"} | regexp "(?P<a>"', '0:0', 'invalid regexp parser: error parsing regexp: missing closing ): `(?P<a>`')
add('{app="foo"} | pattern "foo"', '0:0', 'invalid pattern parser: at least one capture is required', 'message text of the pattern package')
add('{app="foo"} | pattern "<a><b>"', '0:0', 'invalid pattern parser: found consecutive capture: <a><b>', 'message text of the pattern package')
add('label_replace(rate({app="foo"}[5m]), "a", "b", "c", "(")', '0:0', 'invalid regex in label_replace: error parsing regexp: missing closing ): `^(?:()$`')

# --- strings (lexer) -------------------------------------------------------
add('{app="\\z"}', ('"', 0), 'invalid char escape')
add('{app="foo"} |= "\\q"', ('"', 2), 'invalid char escape')
add('{app="foo"} |= "\\x4"', ('"', 2), 'invalid char escape')
add('{app="foo}', ('"', 0), 'literal not terminated')
add('{app="foo"} |= "unterminated', ('"', 2), 'literal not terminated')
add('{app="foo"} |= `unterminated', ('`', 0), 'literal not terminated')
add('{app="foo"} | json | drop a="x', ('"', 2), 'literal not terminated')

# --- line filters ----------------------------------------------------------
add('{app="foo"} |= foo', ('foo', 1), 'syntax error: unexpected IDENTIFIER, expecting STRING or ip', YACC)
add('{app="foo"} |= "a" or', 'EOF', 'syntax error: unexpected $end, expecting STRING or ip', YACC)
add('{app="foo"} |= "a" or |= "b"', ('|=', 1), 'syntax error: unexpected |=, expecting STRING or ip', YACC, line=0)
add('{app="foo"} |= ip(1)', ('1', 0), 'syntax error: unexpected NUMBER, expecting STRING', YACC)
add('{app="foo"} |= "x" |~', 'EOF', 'syntax error: unexpected $end, expecting STRING or ip')
add('{app="foo"} !! "x"', ('!', 0), 'syntax error: unexpected IDENTIFIER', 'unknown rune lexed as IDENTIFIER; ' + YACC)

# --- pipeline stages -------------------------------------------------------
add('{app="foo"} | "x"', ('"x"', 0), 'syntax error: unexpected STRING', YACC)
add('{app="foo"} | unknownstage', 'EOF', 'syntax error: unexpected $end', YACC)
add('{app="foo"} | json | | logfmt', ('|', 2), 'syntax error: unexpected |', YACC)
add('{app="foo"} | json | line_format', 'EOF', 'syntax error: unexpected $end, expecting STRING', YACC)
add('{app="foo"} | line_format {{.a}}', ('{', 1), 'syntax error: unexpected {, expecting STRING', YACC)
add('{app="foo"} | json | line_format "{{.a}}" "extra"', ('"extra"', 0), 'syntax error: unexpected STRING', YACC)
add('{app="foo"} | regexp', 'EOF', 'syntax error: unexpected $end, expecting STRING', YACC)
add('{app="foo"} | json | label_format a=', 'EOF', 'syntax error: unexpected $end, expecting IDENTIFIER or STRING', YACC)
add('{app="foo"} | label_format a=1', ('1', 0), 'syntax error: unexpected NUMBER, expecting IDENTIFIER or STRING', YACC)
add('{app="foo"} | drop', 'EOF', 'syntax error: unexpected $end, expecting IDENTIFIER', YACC)
add('{app="foo"} | keep a,', 'EOF', 'syntax error: unexpected $end, expecting IDENTIFIER', YACC)
add('{app="foo"} | logfmt --unknown', ('unknown', 0), 'syntax error: unexpected IDENTIFIER, expecting NUMBER', 'tryScanFlag fails, both `-` are SUB: `{...} | logfmt - -unknown` parses as a binary operation whose right leg starts the literal `- NUMBER`')
add('{app="foo"} | json --strict', ('--strict', 0), 'syntax error: unexpected PARSER_FLAG', 'token name of the flag token; ' + YACC, line=0)
add('{app="foo"} | json a=', 'EOF', 'syntax error: unexpected $end, expecting STRING', YACC)
add('{app="foo"} | json a="b" c="d"', ('c', 0), 'syntax error: unexpected IDENTIFIER', YACC)
add('{app="foo"} | decolorize "x"', ('"x"', 0), 'syntax error: unexpected STRING', YACC)
add('{app="foo"} | unwrap x', ('unwrap', 0), 'syntax error: unexpected unwrap', YACC)
add('sum({app="foo"} | json | unwrap x)', ('unwrap', 0), 'syntax error: unexpected unwrap', YACC)

# --- label filters ----------------------------------------------------------
add('{app="foo"} | json | a > "5"', ('"5"', 0), 'syntax error: unexpected STRING', YACC)
add('{app="foo"} | json | a =~ 5', ('5', 0), 'syntax error: unexpected NUMBER, expecting STRING', YACC)
add('{app="foo"} | logfmt | (a="1"', 'EOF', 'syntax error: unexpected $end', YACC)
add('{app="foo"} | logfmt | a="1")', (')', 0), 'syntax error: unexpected )', YACC)
add('{app="foo"} | logfmt | size > 10b', 'EOF', 'syntax error: unexpected $end', '`10b` is NUMBER then IDENTIFIER b (b is not a bytes rune), b starts a juxtaposed label filter; ' + YACC)
add('{app="foo"} | logfmt | size > 10KBB', 'EOF', 'syntax error: unexpected $end', 'humanize.ParseBytes rejects KBB, so NUMBER then IDENTIFIER; ' + YACC)
add('{app="foo"} | logfmt | d > 5mm', 'EOF', 'syntax error: unexpected $end', '5mm is no duration: NUMBER then IDENTIFIER; ' + YACC)
add('{app="foo"} | logfmt | a > 1 and', 'EOF', 'syntax error: unexpected $end, expecting IDENTIFIER or (', YACC)

# --- pairs taken from Loki v3's parser_test.go (exact) ---
add('{foo="bar}', ('"', 0), 'literal not terminated')
add('bool 1 > 1 > bool 1', ('bool', 0), 'syntax error: unexpected bool')
add('variants(count_over_time({a="b"}[5m])) of ({a="b"}[5m]) + 1', '0:0', 'unexpected type for left leg of binary operation (+): *syntax.MultiVariantExpr', "the %T of the variants node in Loki's binop leg check (ast.go mustNewBinOpExpr); the node type name is assumed")
add('1 + variants(count_over_time({a="b"}[5m])) of ({a="b"}[5m])', '0:0', 'unexpected type for right leg of binary operation (+): *syntax.MultiVariantExpr', "the %T of the variants node in Loki's binop leg check (ast.go mustNewBinOpExpr); the node type name is assumed")
add('count without (rate({namespace="apps"}[15s]))', ('rate', 0), 'syntax error: unexpected RATE, expecting IDENTIFIER or )')
add('count_over_time({foo!="bar"}[5m])', '0:0', EMPTY)
add('count_over_time({app!~"bar|baz"}[5m])', '0:0', EMPTY)
add('1 + count_over_time({app=~".*"}[5m])', '0:0', EMPTY)
add('1 + count_over_time({app=~".+"}[5m]) + count_over_time({app=~".*"}[5m]) + 1', '0:0', EMPTY)
add('{foo!~"bar|baz"}', '0:0', EMPTY)
add('{foo', 'EOF', 'syntax error: unexpected $end, expecting = or =~ or !~ or !=', YACC)
add('sum_over_time(50,{namespace="tns"} |= "level=error" | json |foo>=5,bar<25ms| unwrap latency [5m])', '0:0', 'parameter 50 not supported for operation sum_over_time')
add('quantile_over_time(foo,{namespace="tns"} |= "level=error" | json |foo>=5,bar<25ms| unwrap latency [5m])', ('foo', 0), 'syntax error: unexpected IDENTIFIER, expecting NUMBER or { or (')
add('vector(abc)', ('abc', 0), 'syntax error: unexpected IDENTIFIER, expecting NUMBER')
add('#{app="foo"} | json', 'EOF', 'syntax error: unexpected $end')
add('{foo="bar"} + {foo="bar"}', '0:0', 'unexpected type for left leg of binary operation (+): *syntax.MatchersExpr')
add('sum(count_over_time({foo="bar"}[5m])) by (foo) - {foo="bar"}', '0:0', 'unexpected type for right leg of binary operation (-): *syntax.MatchersExpr')
add('sum(count_over_time({foo="bar"}[5m])) by (foo) + 1 or 1', '0:0', 'unexpected literal for right leg of logical/set binary operation (or): 1.000000')
add('count_over_time({ foo = "bar" }[12m]) > { foo = "bar" }', '0:0', 'unexpected type for right leg of binary operation (>): *syntax.MatchersExpr')
add('sum_over_time({app="foo"} |= "bar" | json | latency >= 250ms or ( status_code < 500 and status_code > 200) | line_format "blip{{ .foo }}blop {{.status_code}}" | label_format foo=bar,status_code="buzz{{.bar}}"[5m])', '0:0', 'invalid aggregation sum_over_time without unwrap')
add('count_over_time({app="foo"} |= "foo" | json | unwrap foo [5m])', '0:0', 'invalid aggregation count_over_time with unwrap')
add('{foo="bar"', 'EOF', 'syntax error: unexpected $end, expecting } or ,')
add('{foo="bar"} |~', 'EOF', 'syntax error: unexpected $end, expecting STRING or ip')
add('{foo="bar"} "foo"', ('"foo"', 0), 'syntax error: unexpected STRING')
add('{foo="bar"} foo', ('foo', 1), 'syntax error: unexpected IDENTIFIER')
add('rate({ foo = "bar" }[5minutes])', ('[', 0), 'unknown unit "minutes" in duration "5minutes"', '', line=0)
add('min({ foo = "bar" }[5m])', ('[', 0), 'syntax error: unexpected RANGE', '', line=0)
add('stddev({ foo = "bar" })', (')', 0), 'syntax error: unexpected )')
add('bottomk(he,count_over_time({ foo = "bar" }[5h]))', ('he', 0), 'syntax error: unexpected IDENTIFIER')
add('{ foo = "bar" }|logfmt|addr>=ip("1.2.3.4")', ('ip', 0), 'syntax error: unexpected ip')
add('{ foo = "bar" }|logfmt|addr<ip("1.2.3.4")', ('ip', 0), 'syntax error: unexpected ip')
add('label_replace(rate({ foo = "bar" }[5m]),"")', (')', 1), 'syntax error: unexpected ), expecting ,')
add('label_replace(rate({ foo = "bar" }[5m]),"foo","$1","bar","^^^^x43\\\\q")', '0:0', 'invalid regex in label_replace: error parsing regexp: invalid escape sequence: `\\q`')
add('approx_topk(2, count_over_time({ foo = "bar" }[5h])) by (foo)', '0:0', 'grouping not allowed for approx_topk aggregation')
add('sum(3 ,count_over_time({ foo = "bar" }[5h]))', '0:0', 'unsupported parameter for operation sum(3,')
add('bottomk(1.2,count_over_time({ foo = "bar" }[5h]))', '0:0', 'invalid parameter bottomk(1.2,')
add('rate({ foo = "bar" }[5)', ('[', 0), "missing closing ']' in duration", '', line=0)
add('absent_over_time({ foo = "bar" }[5h]) by (foo)', '0:0', 'grouping not allowed for absent_over_time aggregation')

# --- the label-filter example of older Loki docs, with `20kb` ---
KB = 'older Loki docs example (`20kb`): lex.go tryScanBytes stops at the lower-case b (not a bytes rune), so `20k` is BYTES and `b` an IDENTIFIER starting a juxtaposed label filter; '
add('{app="foo"} | logfmt | duration >= 20ms or size == 20kb and method!~"2.."', ('and', 0), 'syntax error: unexpected and', KB + YACC)
add('{app="foo"} | logfmt | duration >= 20ms or size == 20kb | method!~"2.."', ('|', 2), 'syntax error: unexpected |', KB + YACC)
add('{app="foo"} | logfmt | duration >= 20ms or size == 20kb , method!~"2.."', (',', 0), 'syntax error: unexpected ,', KB + YACC)
add('{app="foo"} | logfmt | duration >= 20ms or size == 20kb  method!~"2.."', ('method', 0), 'syntax error: unexpected IDENTIFIER', KB + YACC)

# --- ranges, offsets (lexer) ---------------------------------------------------
add('count_over_time({app="foo"}[5x])', ('[', 0), 'unknown unit "x" in duration "5x"', '', line=0)
add('count_over_time({app="foo"}[1.5m])', ('[', 0), 'unknown unit "." in duration "1.5m"', 'the unit is the run of non-digits after the first digits, here "."', line=0)
add('count_over_time({app="foo"}[])', ('[', 0), 'empty duration string', '', line=0)
add('count_over_time({app="foo"}[5])', ('[', 0), 'not a valid duration string: "5"', '', line=0)
add('count_over_time({app="foo"}[-5m])', ('[', 0), 'not a valid duration string: "-5m"', '', line=0)
add('count_over_time({app="foo"}[5m)', ('[', 0), "missing closing ']' in duration", '', line=0)
add('count_over_time({app="foo"})', (')', 0), 'syntax error: unexpected )', 'after a selector in a range more than four tokens are expected (RANGE, |, line filter ops), so no list; as parser_test.go stddev({ foo = "bar" })')
add('rate({app="foo"})[5m]', (')', 0), 'syntax error: unexpected )', 'more than four tokens expected after the selector, so no list')
add('count_over_time({app="foo"}[5m] offset)', (')', 0), 'syntax error: unexpected ), expecting DURATION', YACC)
add('count_over_time({app="foo"}[5m] offset 5x)', ('5x', 0), 'syntax error: unexpected NUMBER, expecting DURATION', YACC)
add('count_over_time({app="foo"} offset 5m [5m])', ('offset', 0), 'syntax error: unexpected offset', YACC)

# --- range aggregations (ast.go newRangeAggregationExpr/validate) ---------
add('rate({app="foo"}[5m]) by (a)', '0:0', 'grouping not allowed for rate aggregation')
add('count_over_time({app="foo"}[5m]) by (a)', '0:0', 'grouping not allowed for count_over_time aggregation')
add('bytes_over_time({app="foo"}[5m]) without (a)', '0:0', 'grouping not allowed for bytes_over_time aggregation')
add('sum_over_time({app="foo"} | unwrap x [5m]) by (a)', '0:0', 'grouping not allowed for sum_over_time aggregation')
add('rate_counter({app="foo"} | unwrap x [5m]) by (a)', '0:0', 'grouping not allowed for rate_counter aggregation')
add('sum_over_time({app="foo"}[5m])', '0:0', 'invalid aggregation sum_over_time without unwrap')
add('avg_over_time({app="foo"} | json [5m])', '0:0', 'invalid aggregation avg_over_time without unwrap')
add('rate_counter({app="foo"}[5m])', '0:0', 'invalid aggregation rate_counter without unwrap')
add('count_over_time({app="foo"} | unwrap x [5m])', '0:0', 'invalid aggregation count_over_time with unwrap')
add('bytes_rate({app="foo"} | unwrap x [5m])', '0:0', 'invalid aggregation bytes_rate with unwrap')
add('count_over_time({app="foo"} | unwrap duration(x) [5m])', '0:0', 'invalid aggregation count_over_time with unwrap')
add('quantile_over_time({app="foo"} | unwrap x [5m])', '0:0', 'parameter required for operation quantile_over_time')
add('rate(0.5, {app="foo"}[5m])', '0:0', 'parameter 0.5 not supported for operation rate')
add('avg_over_time({app="foo"} | unwrap seconds(x) [5m])', ('(', 1), 'syntax error: unexpected (, expecting RANGE or |', '`seconds` is an IDENTIFIER, unwrapExpr is reduced; ' + YACC)
add('quantile_over_time(0.99, {app="foo"} | unwrap x [5m]) by (a) without (b)', ('without', 0), 'syntax error: unexpected without', YACC)

# --- vector aggregations (ast.go mustNewVectorAggregationExpr, parser.go) ----
add('topk(sum(rate({app="foo"}[5m])))', '0:0', 'parameter required for operation topk')
add('topk(5)', '0:0', 'parameter required for operation topk', 'assumes yacc reduces NUMBER to a literal metricExpr there')
add('topk(0, rate({app="foo"}[5m]))', '0:0', 'invalid parameter (must be greater than 0) topk(0')
add('bottomk by (a)(0,sum(rate({region="us-east1"}[5m])))', '0:0', 'invalid parameter (must be greater than 0) bottomk(0')
add('topk(1.5, rate({app="foo"}[5m]))', '0:0', 'invalid parameter topk(1.5,')
add('sum(5, rate({app="foo"}[5m]))', '0:0', 'unsupported parameter for operation sum(5,')
add('approx_topk by (a) (5, rate({app="foo"}[5m]))', '0:0', 'grouping not allowed for approx_topk aggregation')
add('sort(rate({app="foo"}[5m])) by (a)', '0:0', "sort and sort_desc doesn't allow grouping by ")
add('sort_desc by (a) (rate({app="foo"}[5m]))', '0:0', "sort and sort_desc doesn't allow grouping by ")
add('sum()', (')', 0), 'syntax error: unexpected )', YACC)
add('sum by (a,) (rate({app="foo"}[5m]))', (')', 0), 'syntax error: unexpected ), expecting IDENTIFIER', YACC)
add('sum by ("a") (rate({app="foo"}[5m]))', ('"a"', 0), 'syntax error: unexpected STRING, expecting IDENTIFIER or )')
add('sum by (a) rate({app="foo"}[5m])', ('rate', 0), 'syntax error: unexpected RATE, expecting (', YACC)
add('sum(rate({app="foo"}[5m])) by a', ('a', 2), 'syntax error: unexpected IDENTIFIER, expecting (', YACC)
add('sum by (a) (rate({a="b"}[5m])) by (b)', ('by', 1), 'syntax error: unexpected by', YACC)

# --- unknown functions --------------------------------------------------------
for q in ['unknown_fn({app="foo"}[5m])', 'rate_over_time({app="foo"}[5m])',
          'histogram_quantile(0.9, rate({app="foo"}[5m]))', 'increase({app="foo"}[5m])',
          'count_over_time {app="foo"}[5m]', 'absent({app="foo"})']:
    add(q, (q.split('(')[0].split(' ')[0], 0), 'syntax error: unexpected IDENTIFIER', YACC)

# --- binary operations, literals, vector() ----------------------------------------
add('1 or 2', '0:0', 'unexpected literal for left leg of logical/set binary operation (or): 1.000000')
add('rate({app="foo"}[5m]) and 1', '0:0', 'unexpected literal for right leg of logical/set binary operation (and): 1.000000')
add('1 unless rate({app="foo"}[5m])', '0:0', 'unexpected literal for left leg of logical/set binary operation (unless): 1.000000')
add('{app="foo"} + 1', '0:0', 'unexpected type for left leg of binary operation (+): *syntax.MatchersExpr')
add('{app="foo"} |= "x" / {app="bar"}', '0:0', 'unexpected type for left leg of binary operation (/): *syntax.PipelineExpr')
add('1 + {app="foo"}', '0:0', 'unexpected type for right leg of binary operation (+): *syntax.MatchersExpr')
add('1 +', 'EOF', 'syntax error: unexpected $end', YACC)
add('(1 + 2', 'EOF', 'syntax error: unexpected $end', YACC)
add('((count_over_time({app="foo"}[5m]))', 'EOF', 'syntax error: unexpected $end', YACC)
add('count_over_time({app="foo"}[5m]))', (')', 1), 'syntax error: unexpected )', YACC)
add('sum(rate({a="b"}[5m])) > bool', 'EOF', 'syntax error: unexpected $end', YACC)
add('sum(rate({app="foo"}[5m])) bool 1', ('bool', 0), 'syntax error: unexpected bool', YACC)
add('count_over_time({app="foo"}[5m]) / on pod count_over_time({app="bar"}[5m])', ('pod', 0), 'syntax error: unexpected IDENTIFIER, expecting (', YACC)
add('count_over_time({app="foo"}[5m]) group_left count_over_time({app="bar"}[5m])', ('group_left', 0), 'syntax error: unexpected group_left', YACC)
add('vector("1")', ('"1"', 0), 'syntax error: unexpected STRING, expecting NUMBER')
add('vector(-1)', ('-', 0), 'syntax error: unexpected -, expecting NUMBER', YACC)
add('label_replace(rate({app="foo"}[5m]), "a", "b", "c")', (')', 1), 'syntax error: unexpected ), expecting ,', YACC)

# --- variants ---------------------------------------------------------------------
add('variants(count_over_time({a="b"}[1m])) of ({a="b"})', (')', 2), 'syntax error: unexpected )', 'more than four tokens expected after the selector, so no list')
add('variants() of ({a="b"}[1m])', (')', 0), 'syntax error: unexpected )', YACC)


def col_of(q, where, line):
    if where == 'EOF':
        return 1, len(q) + 1
    if where == '0:0':
        return 0, 0
    text, n = where
    i = -1
    for _ in range(n + 1):
        i = q.index(text, i + 1)
    return line, i + 1


here = os.path.dirname(os.path.abspath(__file__))
out = os.path.dirname(here)
with open(os.path.join(out, 'invalid.txt'), 'w') as fq, \
     open(os.path.join(out, 'invalid.expected'), 'w') as fe, \
     open(os.path.join(out, 'invalid.notes'), 'w') as fn:
    fn.write('# invalid.txt line: what is approximate and why (lines not listed are exact readings of Loki\'s code)\n')
    for i, (q, where, msg, approx, line) in enumerate(T, 1):
        assert '\n' not in q and '\\n' not in q
        line, col = col_of(q, where, line)
        fq.write(q + '\n')
        fe.write('%d:%d\t%s\n' % (line, col, msg))
        if approx:
            fn.write('%d: %s  # approx\n' % (i, approx))
print(len(T))
