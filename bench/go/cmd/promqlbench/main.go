// Command promqlbench times Go's PromQL front ends (the peers of obsv's
// PromQL parser, printer and injector) on a table of queries held in memory,
// and prints one JSON line per peer:
//
//	{"peer":"prom-label-proxy","desc":"...","file":"q.txt","queries":N,"bytes":N,"ns_per_op":...,"ns_per_query":...,"cpu_ns_per_query":...,"mb_per_s":...,"allocs_per_query":...,"bytes_alloc_per_query":...}
//
// One op is one pass over the whole table; ns_per_query is ns_per_op divided
// by the number of queries, MB is 10^6 bytes of query text. Each measurement
// is a warm-up, then --reps repetitions of enough passes to last at least
// --min-time; ns_per_op is the median repetition (wall time). cpu_ns_per_query
// is the median repetition's process CPU time (user + system, every thread,
// so the garbage collector's work on other cores counts) per query: the
// figure to compare on a loaded machine, as Google Benchmark's cpu_time. A peer that rejects a query
// prints {"peer":...,"file":...,"line":N,"error":"..."} and is not timed.
//
// The table has one query per line; the two characters `\n` stand for a
// newline inside a query, and blank lines and lines starting with `#` are
// skipped (tests/testdata/promql/valid.txt's convention, plus comments).
//
// Peers (--only takes a comma-separated list of these ids):
//
//	prom-label-proxy     prom-label-proxy injectproxy PromQLEnforcer.Enforce: Prometheus
//	                     parser.ParseExpr, the enforcer (tenant="a", errorOnReplace=false),
//	                     String() (what prom-label-proxy does to every /api/v1/query)
//	prom-parse-string    prometheus/promql/parser ParseExpr + String()
//	prom-parse           prometheus/promql/parser ParseExpr
//	prom-prettify        prometheus/promql/parser ParseExpr + Prettify()
//	metricsql            VictoriaMetrics metricsql Parse + AppendString
//	metricsql-parse      VictoriaMetrics metricsql Parse
//
// With --print ID, the peer's output for each query is printed instead (one
// line each, newlines as `\n`), for checking the peers against obsv.
//
// Usage:
//
//	go run ./cmd/promqlbench [--only ids] [--reps 5] [--min-time 1s] FILE
//	go run ./cmd/promqlbench --print prom-label-proxy FILE
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/VictoriaMetrics/metricsql"
	"github.com/prometheus-community/prom-label-proxy/injectproxy"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// A peer turns one query into its output text (or "" when it only parses).
// newRun is called once per table, so state a long-running proxy would keep
// (the enforcer, an output buffer) is kept across queries.
type peer struct {
	id     string
	desc   string
	newRun func() func(q string) (string, error)
}

var peers = []peer{
	{
		id:   "prom-label-proxy",
		desc: "prom-label-proxy v0.11.1 PromQLEnforcer.Enforce (ParseExpr + enforce tenant=\"a\" + String())",
		newRun: func() func(string) (string, error) {
			m, err := labels.NewMatcher(labels.MatchEqual, "tenant", "a")
			if err != nil {
				panic(err)
			}
			e := injectproxy.NewPromQLEnforcer(false, m)
			return e.Enforce
		},
	},
	{
		id:   "prom-parse-string",
		desc: "prometheus/promql/parser ParseExpr + String()",
		newRun: func() func(string) (string, error) {
			return func(q string) (string, error) {
				expr, err := parser.ParseExpr(q)
				if err != nil {
					return "", err
				}
				return expr.String(), nil
			}
		},
	},
	{
		id:   "prom-parse",
		desc: "prometheus/promql/parser ParseExpr",
		newRun: func() func(string) (string, error) {
			return func(q string) (string, error) {
				_, err := parser.ParseExpr(q)
				return "", err
			}
		},
	},
	{
		id:   "prom-prettify",
		desc: "prometheus/promql/parser ParseExpr + Prettify()",
		newRun: func() func(string) (string, error) {
			return func(q string) (string, error) {
				expr, err := parser.ParseExpr(q)
				if err != nil {
					return "", err
				}
				return parser.Prettify(expr), nil
			}
		},
	},
	{
		id:   "metricsql",
		desc: "VictoriaMetrics metricsql v0.84.6 Parse + AppendString",
		newRun: func() func(string) (string, error) {
			var buf []byte
			return func(q string) (string, error) {
				expr, err := metricsql.Parse(q)
				if err != nil {
					return "", err
				}
				buf = expr.AppendString(buf[:0])
				// A caller keeps the text: it costs metricsql one string
				// copy, as String() would.
				return string(buf), nil
			}
		},
	},
	{
		id:   "metricsql-parse",
		desc: "VictoriaMetrics metricsql v0.84.6 Parse",
		newRun: func() func(string) (string, error) {
			return func(q string) (string, error) {
				_, err := metricsql.Parse(q)
				return "", err
			}
		},
	},
}

type result struct {
	Peer               string  `json:"peer"`
	Desc               string  `json:"desc"`
	File               string  `json:"file"`
	Queries            int     `json:"queries"`
	Bytes              int     `json:"bytes"`
	NsPerOp            float64 `json:"ns_per_op"`
	NsPerQuery         float64 `json:"ns_per_query"`
	CPUNsPerQuery      float64 `json:"cpu_ns_per_query"`
	MBPerS             float64 `json:"mb_per_s"`
	AllocsPerQuery     float64 `json:"allocs_per_query"`
	BytesAllocPerQuery float64 `json:"bytes_alloc_per_query"`
}

type failure struct {
	Peer  string `json:"peer"`
	File  string `json:"file"`
	Line  int    `json:"line"`
	Error string `json:"error"`
}

type query struct {
	line int
	text string
}

func loadQueries(path string) ([]query, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var qs []query
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		qs = append(qs, query{n, strings.ReplaceAll(line, `\n`, "\n")})
	}
	return qs, sc.Err()
}

var sink int

// pass runs one query after another over the table, as a proxy would.
func pass(run func(string) (string, error), qs []query) {
	for _, q := range qs {
		out, _ := run(q.text)
		sink += len(out)
	}
}

// measure times passes over qs: a warm-up, then reps repetitions of at least
// minTime each; returns the median ns per pass and the mean allocations per
// pass.
func measure(run func(string) (string, error), qs []query, reps int, minTime time.Duration) (nsPerOp, cpuNsPerOp, allocs, allocBytes float64) {
	iters := 0
	start := time.Now()
	for iters == 0 || time.Since(start) < minTime/4 {
		pass(run, qs)
		iters++
	}
	perOp := time.Since(start) / time.Duration(iters)
	n := int(minTime/perOp) + 1

	samples := make([]float64, 0, reps)
	cpuSamples := make([]float64, 0, reps)
	var ms0, ms1 runtime.MemStats
	var totalOps int
	var totalAllocs, totalBytes uint64
	for r := 0; r < reps; r++ {
		runtime.GC()
		runtime.ReadMemStats(&ms0)
		c0 := cpuTime()
		t0 := time.Now()
		for i := 0; i < n; i++ {
			pass(run, qs)
		}
		elapsed := time.Since(t0)
		cpuSamples = append(cpuSamples, float64(cpuTime()-c0)/float64(n))
		runtime.ReadMemStats(&ms1)
		samples = append(samples, float64(elapsed.Nanoseconds())/float64(n))
		totalOps += n
		totalAllocs += ms1.Mallocs - ms0.Mallocs
		totalBytes += ms1.TotalAlloc - ms0.TotalAlloc
		if elapsed < minTime {
			n = int(float64(n)*float64(minTime)/float64(elapsed)) + 1
		}
	}
	return median(samples), median(cpuSamples), float64(totalAllocs) / float64(totalOps), float64(totalBytes) / float64(totalOps)
}

func median(v []float64) float64 {
	sort.Float64s(v)
	if len(v)%2 == 0 {
		return (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return v[len(v)/2]
}

// cpuTime is the process's CPU time (user + system, all threads) in ns.
func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func main() {
	only := flag.String("only", "", "comma-separated peer ids to run (default: all); see --list")
	list := flag.Bool("list", false, "list the peers and exit")
	printID := flag.String("print", "", "print this peer's output for each query instead of timing")
	reps := flag.Int("reps", 5, "repetitions per measurement; the median is reported")
	minTime := flag.Duration("min-time", time.Second, "minimum duration of one repetition")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: promqlbench [flags] FILE\n")
		flag.PrintDefaults()
	}
	flag.Parse()

	if *list {
		for _, p := range peers {
			fmt.Printf("%-18s %s\n", p.id, p.desc)
		}
		return
	}
	if flag.NArg() != 1 || *reps < 1 || *minTime <= 0 {
		flag.Usage()
		os.Exit(2)
	}
	path := flag.Arg(0)
	qs, err := loadQueries(path)
	if err != nil || len(qs) == 0 {
		fmt.Fprintf(os.Stderr, "promqlbench: %s: %v (%d queries)\n", path, err, len(qs))
		os.Exit(2)
	}

	find := func(id string) peer {
		for _, p := range peers {
			if p.id == id {
				return p
			}
		}
		fmt.Fprintf(os.Stderr, "promqlbench: unknown peer %q (see --list)\n", id)
		os.Exit(2)
		return peer{}
	}

	if *printID != "" {
		run := find(*printID).newRun()
		w := bufio.NewWriter(os.Stdout)
		defer w.Flush()
		for _, q := range qs {
			out, err := run(q.text)
			if err != nil {
				fmt.Fprintf(w, "ERR\t%s\n", strings.ReplaceAll(err.Error(), "\n", `\n`))
				continue
			}
			fmt.Fprintf(w, "OK\t%s\n", strings.ReplaceAll(out, "\n", `\n`))
		}
		return
	}

	selected := peers
	if *only != "" {
		selected = nil
		for _, id := range strings.Split(*only, ",") {
			selected = append(selected, find(strings.TrimSpace(id)))
		}
	}

	total := 0
	for _, q := range qs {
		total += len(q.text)
	}
	enc := json.NewEncoder(os.Stdout)
	for _, p := range selected {
		run := p.newRun()
		failed := false
		for _, q := range qs {
			if _, err := run(q.text); err != nil {
				enc.Encode(failure{p.id, path, q.line, err.Error()})
				failed = true
			}
		}
		if failed {
			continue
		}
		ns, cpuNs, allocs, allocBytes := measure(run, qs, *reps, *minTime)
		n := float64(len(qs))
		enc.Encode(result{
			Peer:               p.id,
			Desc:               p.desc,
			File:               path,
			Queries:            len(qs),
			Bytes:              total,
			NsPerOp:            round(ns, 0),
			NsPerQuery:         round(ns/n, 1),
			CPUNsPerQuery:      round(cpuNs/n, 1),
			MBPerS:             round(float64(total)/ns*1e3, 2),
			AllocsPerQuery:     round(allocs/n, 1),
			BytesAllocPerQuery: round(allocBytes/n, 0),
		})
	}
}

func round(v float64, digits int) float64 {
	p := 1.0
	for i := 0; i < digits; i++ {
		p *= 10
	}
	return float64(int64(v*p+0.5)) / p
}
