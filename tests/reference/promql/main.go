// promql-oracle prints, for each line of its input (one query per line,
// `\n` inside a query written as the two characters `\n`), Prometheus's
// String() of the parsed query or its parse error:
//
//	OK<TAB><String()>
//	ERR<TAB><byte offset><TAB><error>
package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/prometheus/prometheus/promql/parser"
)

func main() {
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
		fmt.Fprintf(w, "OK\t%s\n", strings.ReplaceAll(expr.String(), "\n", `\n`))
	}
}
