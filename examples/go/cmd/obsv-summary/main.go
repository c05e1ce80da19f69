// Command obsv-summary parses an exposition with libobsv (through the cgo
// package github.com/obsv-dev/obsv/examples/go) and prints a summary: its
// families by type, series and samples.
//
// Usage:
//
//	obsv-summary [--format auto|text|openmetrics] [--strict] [--chunk N] [--json] FILE
//
// FILE "-" reads stdin. --chunk N feeds the parser N bytes at a time (the
// incremental API, as when reading a socket) instead of the whole body.
//
// Exit status: 0 on success, 1 on a parse error (printed with its line and
// column), 2 on usage or I/O errors.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	obsv "github.com/obsv-dev/obsv/examples/go"
)

// Summary is what the command reports.
type Summary struct {
	File      string         `json:"file"`
	Format    string         `json:"format"`
	Bytes     int            `json:"bytes"`
	Families  int            `json:"families"`
	ByType    map[string]int `json:"families_by_type"`
	Series    int            `json:"series"`  // distinct name + label set
	Samples   int            `json:"samples"` // sample lines
	WithTS    int            `json:"samples_with_timestamp"`
	Exemplars int            `json:"exemplars"`
}

// counter accumulates a summary from parser entries.
type counter struct {
	s        Summary
	types    map[string]obsv.MetricType // family -> declared type
	families map[string]struct{}
	series   map[string]struct{}
	key      strings.Builder
}

func newCounter() *counter {
	return &counter{
		types:    map[string]obsv.MetricType{},
		families: map[string]struct{}{},
		series:   map[string]struct{}{},
	}
}

// entry records the parser's current entry; it returns the parser's error
// for EntryError.
func (c *counter) entry(p *obsv.Parser, e obsv.Entry) error {
	switch e {
	case obsv.EntryError:
		return p.Error()
	case obsv.EntryType:
		c.types[p.FamilyName()] = p.Type()
		c.families[p.FamilyName()] = struct{}{}
	case obsv.EntryHelp, obsv.EntryUnit:
		c.families[p.FamilyName()] = struct{}{}
	case obsv.EntrySample:
		c.s.Samples++
		c.families[p.FamilyName()] = struct{}{}
		labels := p.Labels()
		sort.Slice(labels, func(i, j int) bool { return labels[i].Name < labels[j].Name })
		c.key.Reset()
		c.key.WriteString(p.MetricName())
		for _, l := range labels {
			c.key.WriteByte(0)
			c.key.WriteString(l.Name)
			c.key.WriteByte(0)
			c.key.WriteString(l.Value)
		}
		c.series[c.key.String()] = struct{}{}
		if _, _, ok := p.Timestamp(); ok {
			c.s.WithTS++
		}
		if _, ok := p.Exemplar(); ok {
			c.s.Exemplars++
		}
	}
	return nil
}

func (c *counter) finish() Summary {
	c.s.Families = len(c.families)
	c.s.Series = len(c.series)
	c.s.ByType = map[string]int{}
	for f := range c.families {
		t, ok := c.types[f]
		if !ok {
			t = obsv.TypeUnknown
		}
		c.s.ByType[t.String()]++
	}
	return c.s
}

// summarize parses body whole (chunk <= 0) or in chunks of that size.
func summarize(body []byte, opts obsv.Options, chunk int) (Summary, obsv.Format, error) {
	p, err := obsv.NewParser(&opts)
	if err != nil {
		return Summary{}, obsv.FormatAuto, err
	}
	defer p.Close()
	c := newCounter()

	if chunk <= 0 {
		if err := p.Reset(body); err != nil {
			return Summary{}, p.Format(), err
		}
		for e := p.Next(); e != obsv.EntryEnd; e = p.Next() {
			if err := c.entry(p, e); err != nil {
				return Summary{}, p.Format(), err
			}
		}
		return c.finish(), p.Format(), nil
	}

	drain := func() (bool, error) { // true at EntryEnd
		for {
			switch e := p.Next(); e {
			case obsv.EntryNeedMore:
				return false, nil
			case obsv.EntryEnd:
				return true, nil
			default:
				if err := c.entry(p, e); err != nil {
					return false, err
				}
			}
		}
	}
	for off := 0; off < len(body); off += chunk {
		end := min(off+chunk, len(body))
		if err := p.Feed(body[off:end]); err != nil {
			return Summary{}, p.Format(), err
		}
		if _, err := drain(); err != nil {
			return Summary{}, p.Format(), err
		}
	}
	if err := p.Finish(); err != nil {
		return Summary{}, p.Format(), err
	}
	if done, err := drain(); err != nil {
		return Summary{}, p.Format(), err
	} else if !done {
		return Summary{}, p.Format(), errors.New("obsv-summary: parser wants more input after Finish")
	}
	return c.finish(), p.Format(), nil
}

func main() {
	formatFlag := flag.String("format", "auto", "auto, text or openmetrics")
	strict := flag.Bool("strict", false, "apply the letter of the format's spec")
	chunk := flag.Int("chunk", 0, "feed the body in chunks of this many bytes (0: whole body)")
	asJSON := flag.Bool("json", false, "print the summary as JSON")
	flag.Usage = func() {
		fmt.Fprintf(os.Stderr, "usage: obsv-summary [flags] FILE\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	format, err := obsv.ParseFormat(*formatFlag)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	path := flag.Arg(0)
	var body []byte
	if path == "-" {
		body, err = io.ReadAll(os.Stdin)
	} else {
		body, err = os.ReadFile(path)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "obsv-summary: %v\n", err)
		os.Exit(2)
	}

	opts := obsv.DefaultOptions()
	opts.Format = format
	if format == obsv.FormatAuto && *chunk > 0 {
		// Fed in chunks, the parser would guess from the first chunk alone;
		// the whole file is at hand, so guess from all of it.
		opts.Format = obsv.DetectFormat(body)
	}
	opts.Strict = *strict
	s, used, err := summarize(body, opts, *chunk)
	if err != nil {
		var oe *obsv.Error
		if errors.As(err, &oe) && oe.Line > 0 {
			fmt.Fprintf(os.Stderr, "%s:%d:%d: %s: %s\n", path, oe.Line, oe.Column, oe.Code, oe.Message)
		} else {
			fmt.Fprintf(os.Stderr, "%s: %v\n", path, err)
		}
		os.Exit(1)
	}
	s.File, s.Format, s.Bytes = path, used.String(), len(body)

	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		enc.Encode(s)
		return
	}
	fmt.Printf("%s: %s, %d bytes (libobsv %s)\n", s.File, s.Format, s.Bytes, obsv.Version())
	fmt.Printf("families  %d\n", s.Families)
	types := make([]string, 0, len(s.ByType))
	for t := range s.ByType {
		types = append(types, t)
	}
	sort.Strings(types)
	for _, t := range types {
		fmt.Printf("  %-15s %d\n", t, s.ByType[t])
	}
	fmt.Printf("series    %d\n", s.Series)
	fmt.Printf("samples   %d (%d with a timestamp, %d with an exemplar)\n", s.Samples, s.WithTS, s.Exemplars)
}
