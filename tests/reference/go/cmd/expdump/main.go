// Command expdump is the reference oracle of obsv's exposition parser: it runs
// Prometheus's own scrape parser (model/textparse, the code the Prometheus 3.x
// server uses on every scrape) over a file and prints every entry as one JSON
// object per line, in the format of `obsv dump --json`:
//
//	{"kind":"help","name":"x","text":"unescaped help"}
//	{"kind":"type","name":"x","type":"counter"}
//	{"kind":"unit","name":"x","unit":"seconds"}
//	{"kind":"comment","text":"..."}
//	{"kind":"sample","name":"x","labels":[["a","b"]],"value":"1.5","ts":1520879607789,"exemplar":null}
//	{"kind":"error","message":"..."}
//
// Usage:
//
//	expdump --format text|openmetrics FILE   (FILE "-" reads stdin)
//
// The parser is created through textparse.New with the Content-Type a target
// of that format answers with, and the options the scraper uses by default:
// classic histograms stay plain _bucket/_sum/_count series (no NHCB
// conversion) and OpenMetrics `_created` series are reported as samples
// (OpenMetricsSkipSTSeries off).
//
// Things textparse does that a comparison must know about:
//   - labels come back sorted by name, `__name__` removed here;
//   - the `le` label of a histogram and the `quantile` label of a summary are
//     rewritten in OpenMetrics float form ("1" -> "1.0"), keyed on the last
//     `# TYPE` seen;
//   - OpenMetrics timestamps (float seconds) are truncated to milliseconds;
//   - a parse error ends the parse: it is printed as an "error" entry and the
//     program exits 0. Exit status 2 is for usage and I/O errors only.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"

	"github.com/prometheus/prometheus/model/exemplar"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/textparse"
)

// Content-Types a scrape target of each format answers with.
var contentTypes = map[string]string{
	"text":        "text/plain; version=0.0.4; charset=utf-8",
	"openmetrics": "application/openmetrics-text; version=1.0.0; charset=utf-8",
}

// JSON shapes. Field order is the output order.
type helpEntry struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
	Text string `json:"text"`
}

type typeEntry struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
	Type string `json:"type"`
}

type unitEntry struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
	Unit string `json:"unit"`
}

type commentEntry struct {
	Kind string `json:"kind"`
	Text string `json:"text"`
}

type exemplarJSON struct {
	Labels [][2]string `json:"labels"`
	Value  string      `json:"value"`
	TS     *int64      `json:"ts"`
}

type sampleEntry struct {
	Kind     string        `json:"kind"`
	Name     string        `json:"name"`
	Labels   [][2]string   `json:"labels"`
	Value    string        `json:"value"`
	TS       *int64        `json:"ts"`
	Exemplar *exemplarJSON `json:"exemplar"`
}

type errorEntry struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
}

// formatValue prints a float as Go's strconv 'g' shortest form, with the
// exposition spellings of the special values.
func formatValue(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// labelPairs returns the labels without __name__, in textparse's (sorted)
// order, and the value of __name__. Never nil, so JSON shows [] not null.
func labelPairs(ls labels.Labels) (string, [][2]string) {
	name := ""
	out := make([][2]string, 0, ls.Len())
	ls.Range(func(l labels.Label) {
		if l.Name == labels.MetricName {
			name = l.Value
			return
		}
		out = append(out, [2]string{l.Name, l.Value})
	})
	return name, out
}

func normalizeType(t string) string {
	if t == "untyped" || t == "" {
		return "unknown"
	}
	return t
}

// dump parses b and writes its entries to w. A parse error is an entry, not a
// failure; the returned error is for write failures only.
func dump(b []byte, format string, w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)

	p, err := textparse.New(b, contentTypes[format], labels.NewSymbolTable(), textparse.ParserOptions{})
	if p == nil {
		return enc.Encode(errorEntry{"error", fmt.Sprintf("no parser: %v", err)})
	}

	var (
		ls labels.Labels
		ex exemplar.Exemplar
	)
	for {
		entry, err := p.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return enc.Encode(errorEntry{"error", err.Error()})
		}
		var out any
		switch entry {
		case textparse.EntryHelp:
			name, text := p.Help()
			out = helpEntry{"help", string(name), string(text)}
		case textparse.EntryType:
			name, typ := p.Type()
			out = typeEntry{"type", string(name), normalizeType(string(typ))}
		case textparse.EntryUnit:
			name, unit := p.Unit()
			out = unitEntry{"unit", string(name), string(unit)}
		case textparse.EntryComment:
			out = commentEntry{"comment", string(p.Comment())}
		case textparse.EntrySeries:
			_, ts, v := p.Series()
			p.Labels(&ls)
			name, pairs := labelPairs(ls)
			s := sampleEntry{Kind: "sample", Name: name, Labels: pairs, Value: formatValue(v)}
			if ts != nil {
				t := *ts
				s.TS = &t
			}
			// OpenMetrics allows one exemplar per sample; report the first.
			ex = exemplar.Exemplar{}
			if p.Exemplar(&ex) {
				_, epairs := labelPairs(ex.Labels)
				s.Exemplar = &exemplarJSON{Labels: epairs, Value: formatValue(ex.Value)}
				if ex.HasTs {
					t := ex.Ts
					s.Exemplar.TS = &t
				}
				for p.Exemplar(&ex) {
				}
			}
			out = s
		default:
			// Native histograms only come from the protobuf format.
			return enc.Encode(errorEntry{"error", fmt.Sprintf("unexpected entry kind %d", entry)})
		}
		if err := enc.Encode(out); err != nil {
			return err
		}
	}
}

func main() {
	format := flag.String("format", "text", "exposition format: text or openmetrics")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: expdump --format text|openmetrics FILE\n  FILE '-' reads stdin\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if _, ok := contentTypes[*format]; !ok || flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}

	var (
		b   []byte
		err error
	)
	if path := flag.Arg(0); path == "-" {
		b, err = io.ReadAll(os.Stdin)
	} else {
		b, err = os.ReadFile(path)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "expdump: %v\n", err)
		os.Exit(2)
	}

	w := bufio.NewWriterSize(os.Stdout, 1<<16)
	if err := dump(b, *format, w); err != nil {
		fmt.Fprintf(os.Stderr, "expdump: %v\n", err)
		os.Exit(2)
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintf(os.Stderr, "expdump: %v\n", err)
		os.Exit(2)
	}
}
