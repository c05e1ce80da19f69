// Command expbench times Go's exposition parsers (the peers of obsv's parser)
// on whole files held in memory, and prints one JSON line per (peer, file):
//
//	{"peer":"textparse-prom","desc":"...","file":"x.prom","bytes":N,"ns_per_op":...,"mb_per_s":...,"samples":N,"allocs_per_op":...,"bytes_alloc_per_op":...}
//
// MB is 10^6 bytes. Each measurement is a warm-up, then --reps repetitions of
// enough iterations to last at least --min-time; ns_per_op is the median
// repetition. A peer that rejects a file prints {"peer":...,"file":...,"error":"..."}.
//
// Peers (--only takes a comma-separated list of these ids):
//
//	textparse-prom   prometheus/prometheus model/textparse PromParser (text files)
//	textparse-om     prometheus/prometheus model/textparse OpenMetricsParser (OpenMetrics files)
//	expfmt           prometheus/common expfmt TextParser.TextToMetricFamilies (text files)
//	victoriametrics  VictoriaMetrics lib/protoparser/prometheus Rows.UnmarshalWithErrLogger (text files)
//
// The textparse peers do what Prometheus's scrape loop does on a first scrape
// (no series cache): Next() to the end, Type()/Help()/Unit() on metadata,
// Series() and Labels() (and the Exemplar() loop) on every sample.
//
// Usage:
//
//	go run ./cmd/expbench [--only ids] [--reps 5] [--min-time 1s] [--format auto|text|openmetrics] FILE...
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"
	"unsafe"

	vmprom "github.com/VictoriaMetrics/VictoriaMetrics/lib/protoparser/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/exemplar"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/textparse"
)

type format int

const (
	formatText format = iota
	formatOpenMetrics
)

// A peer parses a whole buffer and returns the number of samples it saw.
// newRun is called once per (peer, file) so that state a real user would
// keep across scrapes (symbol tables, row buffers) is kept across iterations.
type peer struct {
	id      string
	desc    string
	formats []format
	newRun  func() func(b []byte) (int, error)
}

func (p peer) supports(f format) bool {
	for _, x := range p.formats {
		if x == f {
			return true
		}
	}
	return false
}

// textparseRun drives a textparse.Parser the way scrape.scrapeLoop.append
// does on a cache miss.
func textparseRun(f format) func() func(b []byte) (int, error) {
	return func() func(b []byte) (int, error) {
		st := labels.NewSymbolTable()
		var (
			lset labels.Labels
			ex   exemplar.Exemplar
			sink float64
		)
		return func(b []byte) (int, error) {
			var p textparse.Parser
			if f == formatOpenMetrics {
				p = textparse.NewOpenMetricsParser(b, st)
			} else {
				p = textparse.NewPromParser(b, st, false)
			}
			n := 0
			for {
				et, err := p.Next()
				if err != nil {
					if errors.Is(err, io.EOF) {
						break
					}
					return n, err
				}
				switch et {
				case textparse.EntryType:
					p.Type()
				case textparse.EntryHelp:
					p.Help()
				case textparse.EntryUnit:
					p.Unit()
				case textparse.EntrySeries:
					_, _, v := p.Series()
					sink += v
					p.Labels(&lset)
					for p.Exemplar(&ex) {
					}
					n++
				}
			}
			_ = sink
			return n, nil
		}
	}
}

// expfmtSamples counts the samples of the families the way they were written
// in the text (a summary's quantiles plus _sum and _count, ...).
func expfmtSamples(mfs map[string]*dto.MetricFamily) int {
	n := 0
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			switch {
			case m.Summary != nil:
				n += len(m.Summary.GetQuantile()) + 2
			case m.Histogram != nil:
				n += len(m.Histogram.GetBucket()) + 2
			default:
				n++
			}
		}
	}
	return n
}

var peers = []peer{
	{
		id:      "textparse-prom",
		desc:    "prometheus/textparse PromParser",
		formats: []format{formatText},
		newRun:  textparseRun(formatText),
	},
	{
		id:      "textparse-om",
		desc:    "prometheus/textparse OpenMetricsParser",
		formats: []format{formatOpenMetrics},
		newRun:  textparseRun(formatOpenMetrics),
	},
	{
		id:      "expfmt",
		desc:    "prometheus/common/expfmt TextParser",
		formats: []format{formatText},
		newRun: func() func(b []byte) (int, error) {
			// prometheus/common >= 0.63 needs an explicit name validation
			// scheme; UTF8Validation is Prometheus 3's default.
			p := expfmt.NewTextParser(model.UTF8Validation)
			return func(b []byte) (int, error) {
				mfs, err := p.TextToMetricFamilies(bytes.NewReader(b))
				if err != nil {
					return 0, err
				}
				return expfmtSamples(mfs), nil
			}
		},
	},
	{
		id:      "victoriametrics",
		desc:    "VictoriaMetrics lib/protoparser/prometheus Rows.Unmarshal",
		formats: []format{formatText},
		newRun: func() func(b []byte) (int, error) {
			var rows vmprom.Rows
			var firstErr string
			logErr := func(s string) {
				if firstErr == "" {
					firstErr = s
				}
			}
			return func(b []byte) (int, error) {
				// VictoriaMetrics parses strings; its scraper converts the
				// body without a copy the same way.
				rows.UnmarshalWithErrLogger(unsafeString(b), logErr)
				if firstErr != "" {
					return len(rows.Rows), errors.New(firstErr)
				}
				return len(rows.Rows), nil
			}
		},
	},
}

type result struct {
	Peer            string  `json:"peer"`
	Desc            string  `json:"desc"`
	File            string  `json:"file"`
	Bytes           int     `json:"bytes"`
	NsPerOp         float64 `json:"ns_per_op"`
	MBPerS          float64 `json:"mb_per_s"`
	Samples         int     `json:"samples"`
	AllocsPerOp     float64 `json:"allocs_per_op"`
	BytesAllocPerOp float64 `json:"bytes_alloc_per_op"`
}

type failure struct {
	Peer  string `json:"peer"`
	File  string `json:"file"`
	Error string `json:"error"`
}

// measure times run over b: a warm-up, then reps repetitions of at least
// minTime each; returns the median ns/op and the mean allocations per op.
func measure(run func([]byte) (int, error), b []byte, reps int, minTime time.Duration) (nsPerOp, allocs, allocBytes float64) {
	// Warm-up: at least one run and ~minTime/4 of work, which also sizes the
	// iteration count.
	iters := 0
	start := time.Now()
	for iters == 0 || time.Since(start) < minTime/4 {
		run(b)
		iters++
	}
	perOp := time.Since(start) / time.Duration(iters)
	n := int(minTime/perOp) + 1

	samples := make([]float64, 0, reps)
	var ms0, ms1 runtime.MemStats
	var totalOps int
	var totalAllocs, totalBytes uint64
	for r := 0; r < reps; r++ {
		runtime.GC()
		runtime.ReadMemStats(&ms0)
		t0 := time.Now()
		for i := 0; i < n; i++ {
			run(b)
		}
		elapsed := time.Since(t0)
		runtime.ReadMemStats(&ms1)
		samples = append(samples, float64(elapsed.Nanoseconds())/float64(n))
		totalOps += n
		totalAllocs += ms1.Mallocs - ms0.Mallocs
		totalBytes += ms1.TotalAlloc - ms0.TotalAlloc
		// Keep later repetitions near minTime if the machine got faster.
		if elapsed < minTime {
			n = int(float64(n)*float64(minTime)/float64(elapsed)) + 1
		}
	}
	sort.Float64s(samples)
	med := samples[len(samples)/2]
	if len(samples)%2 == 0 {
		med = (samples[len(samples)/2-1] + samples[len(samples)/2]) / 2
	}
	return med, float64(totalAllocs) / float64(totalOps), float64(totalBytes) / float64(totalOps)
}

func detectFormat(path string, b []byte, flagFormat string) format {
	switch flagFormat {
	case "text":
		return formatText
	case "openmetrics":
		return formatOpenMetrics
	}
	base := strings.ToLower(filepath.Base(path))
	if strings.HasSuffix(base, ".om.txt") || strings.HasSuffix(base, ".om") {
		return formatOpenMetrics
	}
	if bytes.HasSuffix(bytes.TrimRight(b, "\n"), []byte("# EOF")) {
		return formatOpenMetrics
	}
	return formatText
}

func main() {
	only := flag.String("only", "", "comma-separated peer ids to run (default: all); see --list")
	list := flag.Bool("list", false, "list the peers and exit")
	reps := flag.Int("reps", 5, "repetitions per measurement; the median is reported")
	minTime := flag.Duration("min-time", time.Second, "minimum duration of one repetition")
	total := flag.Bool("total", false, "also print one line per peer with file \"TOTAL\": the files' bytes, ns and samples added up")
	flagFormat := flag.String("format", "auto", "auto (by name: *.om.txt is OpenMetrics; else `# EOF` at the end), text or openmetrics")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: expbench [flags] FILE...\n")
		flag.PrintDefaults()
	}
	flag.Parse()

	if *list {
		for _, p := range peers {
			fmt.Printf("%-16s %s\n", p.id, p.desc)
		}
		return
	}
	if flag.NArg() == 0 || *reps < 1 || *minTime <= 0 {
		flag.Usage()
		os.Exit(2)
	}
	switch *flagFormat {
	case "auto", "text", "openmetrics":
	default:
		fmt.Fprintf(os.Stderr, "expbench: unknown --format %q\n", *flagFormat)
		os.Exit(2)
	}

	selected := peers
	if *only != "" {
		selected = nil
		for _, id := range strings.Split(*only, ",") {
			id = strings.TrimSpace(id)
			found := false
			for _, p := range peers {
				if p.id == id {
					selected = append(selected, p)
					found = true
				}
			}
			if !found {
				fmt.Fprintf(os.Stderr, "expbench: unknown peer %q (see --list)\n", id)
				os.Exit(2)
			}
		}
	}

	enc := json.NewEncoder(os.Stdout)
	totals := map[string]*result{}
	for _, path := range flag.Args() {
		b, err := os.ReadFile(path)
		if err != nil {
			fmt.Fprintf(os.Stderr, "expbench: %v\n", err)
			os.Exit(2)
		}
		f := detectFormat(path, b, *flagFormat)
		for _, p := range selected {
			if !p.supports(f) {
				continue
			}
			run := p.newRun()
			samples, err := run(b)
			if err != nil {
				enc.Encode(failure{p.id, path, err.Error()})
				continue
			}
			ns, allocs, allocBytes := measure(run, b, *reps, *minTime)
			t := totals[p.id]
			if t == nil {
				t = &result{Peer: p.id, Desc: p.desc, File: "TOTAL"}
				totals[p.id] = t
			}
			t.Bytes += len(b)
			t.NsPerOp += ns
			t.Samples += samples
			t.AllocsPerOp += allocs
			t.BytesAllocPerOp += allocBytes
			enc.Encode(result{
				Peer:            p.id,
				Desc:            p.desc,
				File:            path,
				Bytes:           len(b),
				NsPerOp:         round(ns, 0),
				MBPerS:          round(float64(len(b))/ns*1e3, 2),
				Samples:         samples,
				AllocsPerOp:     round(allocs, 1),
				BytesAllocPerOp: round(allocBytes, 0),
			})
		}
	}
	if *total {
		// One "op" of a total is one pass over every file.
		for _, p := range selected {
			if t := totals[p.id]; t != nil {
				t.MBPerS = round(float64(t.Bytes)/t.NsPerOp*1e3, 2)
				t.NsPerOp = round(t.NsPerOp, 0)
				t.AllocsPerOp = round(t.AllocsPerOp, 1)
				t.BytesAllocPerOp = round(t.BytesAllocPerOp, 0)
				enc.Encode(t)
			}
		}
	}
}

// unsafeString views b as a string without a copy; b is never modified.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func round(v float64, digits int) float64 {
	p := 1.0
	for i := 0; i < digits; i++ {
		p *= 10
	}
	return float64(int64(v*p+0.5)) / p
}
