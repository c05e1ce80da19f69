// gocheck recomputes, with Go's own strconv, fmt and time packages, every
// primitive conversion canon.mjs made while writing valid.expected (string
// unquoting and quoting, float and duration formatting), so that the
// JavaScript transcription of those Go functions is checked value by value.
// model.Duration.String (prometheus/common) and humanize.Bytes (go-humanize)
// are not in the standard library: their algorithms are restated below.
// Standard library only; no Loki code.
//
//	CANON_TRACE=/tmp/trace.tsv node tests/testdata/logql/canon.mjs tests/testdata/logql/valid.txt >/dev/null
//	(cd tests/testdata/logql/tools/gocheck && go run . /tmp/trace.tsv)
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

func promDurationString(ms int64) string {
	if ms == 0 {
		return "0s"
	}
	r := ""
	f := func(unit string, mult int64, exact bool) {
		if exact && ms%mult != 0 {
			return
		}
		if v := ms / mult; v > 0 {
			r += fmt.Sprintf("%d%s", v, unit)
			ms -= v * mult
		}
	}
	f("y", 1000*60*60*24*365, true)
	f("w", 1000*60*60*24*7, true)
	f("d", 1000*60*60*24, false)
	f("h", 1000*60*60, false)
	f("m", 1000*60, false)
	f("s", 1000, false)
	f("ms", 1, false)
	return r
}

func humanizeBytes(s uint64) string {
	sizes := []string{"B", "kB", "MB", "GB", "TB", "PB", "EB"}
	if s < 10 {
		return fmt.Sprintf("%dB", s)
	}
	e := math.Floor(math.Log(float64(s)) / math.Log(1000))
	suffix := sizes[int(e)]
	val := math.Floor(float64(s)/math.Pow(1000, e)*10+0.5) / 10
	f := "%.0f%s"
	if val < 10 {
		f = "%.1f%s"
	}
	return fmt.Sprintf(f, val, suffix)
}

func compute(kind, in string) (string, error) {
	switch kind {
	case "unquote":
		s, err := strconv.Unquote(in)
		if err != nil {
			return "", err
		}
		b, _ := json.Marshal(s)
		return strings.NewReplacer(`\u003c`, "<", `\u003e`, ">", `\u0026`, "&").Replace(string(b)), nil
	case "quote":
		var s string
		if err := json.Unmarshal([]byte(in), &s); err != nil {
			return "", err
		}
		return strconv.Quote(s), nil
	case "fmtf", "sprint", "vecf":
		f, err := strconv.ParseFloat(in, 64)
		if err != nil {
			return "", err
		}
		switch kind {
		case "fmtf":
			return strconv.FormatFloat(f, 'f', -1, 64), nil
		case "sprint":
			return fmt.Sprint(f), nil
		}
		return fmt.Sprintf("%f", f), nil
	case "dur", "promdur":
		n, err := strconv.ParseInt(in, 10, 64)
		if err != nil {
			return "", err
		}
		if kind == "dur" {
			return time.Duration(n).String(), nil
		}
		return promDurationString(n / 1e6), nil
	case "parsedur":
		d, err := time.ParseDuration(in)
		if err != nil {
			return "", err
		}
		return strconv.FormatInt(int64(d), 10), nil
	case "hbytes":
		n, err := strconv.ParseUint(in, 10, 64)
		if err != nil {
			return "", err
		}
		return humanizeBytes(n), nil
	}
	return "", fmt.Errorf("unknown kind %q", kind)
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gocheck TRACE.tsv")
		os.Exit(2)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	ok, bad := 0, 0
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), "\t", 3)
		if len(parts) != 3 {
			continue
		}
		got, err := compute(parts[0], parts[1])
		if err != nil || got != parts[2] {
			bad++
			fmt.Printf("MISMATCH %s %s: canon.mjs %s, Go %s (%v)\n", parts[0], parts[1], parts[2], got, err)
			continue
		}
		ok++
	}
	fmt.Printf("%d passed, %d failed\n", ok, bad)
	if bad > 0 {
		os.Exit(1)
	}
}
