// promql-proxy runs prom-label-proxy's PromQL enforcer (injectproxy, the
// reference for tenant scoping) and lists the selectors of queries, one
// query per input line (`\n` inside a query written as the two characters
// `\n`), one output line per query:
//
//	-enforce 'tenant="a"' [-error-on-replace]
//	    OK<TAB><String() of the enforced query>
//	    ERR<TAB><error>                  (Enforce's error, or its panic)
//	-selectors
//	    OK<TAB><JSON list of selectors>
//	    ERR<TAB><parse error>
//
// -literal reads each line as it is, for canonical one-line queries
// (String() output) whose string literals may hold the escape `\n`.
// -experimental enables Prometheus's experimental functions (info(), ...)
// in the parser, as `obsv promql --experimental` does.
//
// A selector is the JSON list of its matchers' String() (`__name__` as a
// matcher too), sorted; the list of selectors is sorted. Two queries that
// differ only in matcher order or in where the enforced matchers were put
// have the same list. Offsets, @ and ranges are not part of it: the scoping
// does not change them, and the printed query is compared on its own.
//
//	go run . -enforce 'tenant="a"' < ../../testdata/promql/valid.txt
//	go run . -selectors < ../../testdata/promql/valid.txt
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/prometheus-community/prom-label-proxy/injectproxy"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

type matcherList []string

func (m *matcherList) String() string     { return strings.Join(*m, ",") }
func (m *matcherList) Set(s string) error { *m = append(*m, s); return nil }

// enforce returns Enforce's output, turning a panic (injectproxy panics on
// node types it does not know) into an error.
func enforce(e *injectproxy.PromQLEnforcer, q string) (out string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return e.Enforce(q)
}

func selectors(q string) (string, error) {
	expr, err := parser.ParseExpr(q)
	if err != nil {
		return "", err
	}
	all := [][]string{}
	parser.Inspect(expr, func(node parser.Node, _ []parser.Node) error {
		if vs, ok := node.(*parser.VectorSelector); ok {
			ms := []string{}
			for _, m := range vs.LabelMatchers {
				ms = append(ms, m.String())
			}
			sort.Strings(ms)
			all = append(all, ms)
		}
		return nil
	})
	sort.Slice(all, func(i, j int) bool {
		return strings.Join(all[i], "\x00") < strings.Join(all[j], "\x00")
	})
	b, err := json.Marshal(all)
	return string(b), err
}

func main() {
	var enforced matcherList
	flag.Var(&enforced, "enforce", "an enforced matcher such as 'tenant=\"a\"'; repeatable")
	errorOnReplace := flag.Bool("error-on-replace", false, "prom-label-proxy's -error-on-replace")
	listSelectors := flag.Bool("selectors", false, "print the sorted selectors of each query")
	literal := flag.Bool("literal", false, "lines are queries as they are (`\\n` not turned into newlines)")
	experimental := flag.Bool("experimental", false, "allow Prometheus's experimental functions (info, ...)")
	flag.Parse()
	parser.EnableExperimentalFunctions = *experimental
	if len(enforced) == 0 && !*listSelectors || len(enforced) > 0 && *listSelectors {
		fmt.Fprintln(os.Stderr, "usage: promql-proxy -enforce 'l=\"v\"' [-error-on-replace] | -selectors  < queries")
		os.Exit(2)
	}
	var ms []*labels.Matcher
	for _, text := range enforced {
		sel, err := parser.ParseMetricSelector("{" + text + "}")
		if err != nil || len(sel) != 1 {
			fmt.Fprintf(os.Stderr, "promql-proxy: bad -enforce %q: %v\n", text, err)
			os.Exit(2)
		}
		ms = append(ms, sel[0])
	}
	enforcer := injectproxy.NewPromQLEnforcer(*errorOnReplace, ms...)

	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	for sc.Scan() {
		q := sc.Text()
		if !*literal {
			q = strings.ReplaceAll(q, `\n`, "\n")
		}
		var out string
		var err error
		if *listSelectors {
			out, err = selectors(q)
		} else {
			out, err = enforce(enforcer, q)
		}
		if err != nil {
			fmt.Fprintf(w, "ERR\t%s\n", strings.ReplaceAll(err.Error(), "\n", `\n`))
			continue
		}
		fmt.Fprintf(w, "OK\t%s\n", strings.ReplaceAll(out, "\n", `\n`))
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "promql-proxy:", err)
		os.Exit(2)
	}
}
