// promql-oracle prints, for each line of its input (one query per line,
// `\n` inside a query written as the two characters `\n`), Prometheus's
// String() of the parsed query or its parse error:
//
//	OK<TAB><String()>
//	ERR<TAB><byte offset><TAB><error>
//
// With -pretty it prints parser.Prettify() instead of String(), its
// newlines written as the two characters `\n`:
//
//	OK<TAB><Prettify()>
//
//	go run . < ../../testdata/promql/valid.txt > ../../testdata/promql/valid.expected
//	go run . -pretty < ../../testdata/promql/valid.txt > ../../testdata/promql/valid.pretty.expected
//
// -features turns on Prometheus's feature-gated syntax, a comma-separated
// list of: experimental-functions (parser.EnableExperimentalFunctions),
// duration-expr (parser.ExperimentalDurationExpr), extended-range
// (parser.EnableExtendedRangeSelectors), or all.
//
//	go run . -features all < ../../testdata/promql/features.txt > ../../testdata/promql/features.on.expected
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/prometheus/prometheus/promql/parser"
)

func main() {
	pretty := flag.Bool("pretty", false, "print parser.Prettify() instead of String()")
	features := flag.String("features", "", "comma-separated: experimental-functions, duration-expr, extended-range, all")
	flag.Parse()
	for _, f := range strings.Split(*features, ",") {
		switch f {
		case "":
		case "experimental-functions":
			parser.EnableExperimentalFunctions = true
		case "duration-expr":
			parser.ExperimentalDurationExpr = true
		case "extended-range":
			parser.EnableExtendedRangeSelectors = true
		case "all":
			parser.EnableExperimentalFunctions = true
			parser.ExperimentalDurationExpr = true
			parser.EnableExtendedRangeSelectors = true
		default:
			fmt.Fprintf(os.Stderr, "unknown feature %q\n", f)
			os.Exit(2)
		}
	}
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	for sc.Scan() {
		q := strings.ReplaceAll(sc.Text(), `\n`, "\n")
		expr, err := parser.ParseExpr(q)
		if err != nil {
			off := -1
			var perrs parser.ParseErrors
			if errors.As(err, &perrs) && len(perrs) > 0 {
				off = int(perrs[0].PositionRange.Start)
			}
			fmt.Fprintf(w, "ERR\t%d\t%s\n", off, strings.ReplaceAll(err.Error(), "\n", `\n`))
			continue
		}
		out := expr.String()
		if *pretty {
			out = parser.Prettify(expr)
		}
		fmt.Fprintf(w, "OK\t%s\n", strings.ReplaceAll(out, "\n", `\n`))
	}
}
