package obsv

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const textBody = `# HELP http_requests_total Requests, with a back\\slash\nand a newline.
# TYPE http_requests_total counter
http_requests_total{method="GET",path="/a \"q\" \\ \n"} 1027 1395066363000
http_requests_total{method="POST"} 3
# TYPE temp gauge
temp NaN
temp{room="São Paulo"} -3.25
`

// dumpEntry is one parser entry in a comparable form.
type dumpEntry struct {
	Kind   Entry
	Family string
	Text   string // help, unit, comment, or the type's name
	Sample *Sample
}

// drain reads entries until EntryEnd or EntryNeedMore (which is not
// recorded), failing the test on EntryError.
func drain(t *testing.T, p *Parser) (out []dumpEntry, last Entry) {
	t.Helper()
	for {
		e := p.Next()
		switch e {
		case EntryEnd, EntryNeedMore:
			return out, e
		case EntryError:
			t.Fatalf("parse error: %v", p.Error())
		case EntryHelp:
			out = append(out, dumpEntry{Kind: e, Family: p.FamilyName(), Text: p.Help()})
		case EntryType:
			out = append(out, dumpEntry{Kind: e, Family: p.FamilyName(), Text: p.Type().String()})
		case EntryUnit:
			out = append(out, dumpEntry{Kind: e, Family: p.FamilyName(), Text: p.Unit()})
		case EntryComment:
			out = append(out, dumpEntry{Kind: e, Text: p.Comment()})
		case EntrySample:
			s := p.Sample()
			out = append(out, dumpEntry{Kind: e, Family: s.Family, Sample: &s})
		default:
			t.Fatalf("unexpected entry %v", e)
		}
	}
}

func parseWhole(t *testing.T, opts *Options, body []byte) []dumpEntry {
	t.Helper()
	p, err := NewParser(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Reset(body); err != nil {
		t.Fatal(err)
	}
	out, last := drain(t, p)
	if last != EntryEnd {
		t.Fatalf("whole body ended with %v", last)
	}
	return out
}

func TestVersion(t *testing.T) {
	if Version() != HeaderVersion {
		t.Errorf("Version() = %q, header says %q", Version(), HeaderVersion)
	}
	if VersionNumber() != HeaderVersionNumber {
		t.Errorf("VersionNumber() = %d, header says %d", VersionNumber(), HeaderVersionNumber)
	}
}

func TestParseBody(t *testing.T) {
	opts := DefaultOptions()
	opts.Format = FormatText
	got := parseWhole(t, &opts, []byte(textBody))

	if len(got) != 7 {
		t.Fatalf("got %d entries, want 7: %+v", len(got), got)
	}
	if got[0].Kind != EntryHelp || got[0].Family != "http_requests_total" ||
		got[0].Text != "Requests, with a back\\slash\nand a newline." {
		t.Errorf("help: %+v", got[0])
	}
	if got[1].Kind != EntryType || got[1].Family != "http_requests_total" || got[1].Text != "counter" {
		t.Errorf("type: %+v", got[1])
	}

	s := got[2].Sample
	if s == nil {
		t.Fatalf("entry 2 is not a sample: %+v", got[2])
	}
	wantLabels := []Label{{"method", "GET"}, {"path", "/a \"q\" \\ \n"}}
	if s.Name != "http_requests_total" || s.Family != "http_requests_total" ||
		!reflect.DeepEqual(s.Labels, wantLabels) || s.Value != 1027 || s.ValueText != "1027" ||
		!s.HasTimestamp || s.TimestampMs != 1395066363000 || s.Nanos != 0 || s.Exemplar != nil {
		t.Errorf("sample 1: %+v", s)
	}
	if s := got[3].Sample; s == nil || s.HasTimestamp || s.Value != 3 || len(s.Labels) != 1 {
		t.Errorf("sample 2: %+v", got[3])
	}
	if got[4].Kind != EntryType || got[4].Text != "gauge" {
		t.Errorf("type temp: %+v", got[4])
	}
	if s := got[5].Sample; s == nil || !math.IsNaN(s.Value) || s.Family != "temp" {
		t.Errorf("NaN sample: %+v", got[5])
	}
	if s := got[6].Sample; s == nil || s.Value != -3.25 ||
		!reflect.DeepEqual(s.Labels, []Label{{"room", "São Paulo"}}) {
		t.Errorf("UTF-8 sample: %+v", got[6])
	}
}

func TestOpenMetricsExemplar(t *testing.T) {
	body := "# TYPE h_seconds histogram\n# UNIT h_seconds seconds\n" +
		"h_seconds_bucket{le=\"0.5\"} 2 # {trace_id=\"abc\"} 0.25 1520879607.789\n" +
		"h_seconds_bucket{le=\"+Inf\"} 3\nh_seconds_count 3\nh_seconds_sum 1.5\n# EOF\n"
	opts := DefaultOptions()
	opts.Format = FormatOpenMetrics
	opts.Strict = true
	got := parseWhole(t, &opts, []byte(body))
	if len(got) != 6 {
		t.Fatalf("got %d entries, want 6: %+v", len(got), got)
	}
	if got[1].Kind != EntryUnit || got[1].Text != "seconds" {
		t.Errorf("unit: %+v", got[1])
	}
	s := got[2].Sample
	if s == nil || s.Suffix != SuffixBucket || s.Family != "h_seconds" {
		t.Fatalf("bucket: %+v", got[2])
	}
	want := &Exemplar{Labels: []Label{{"trace_id", "abc"}}, Value: 0.25,
		HasTimestamp: true, TimestampMs: 1520879607789}
	if !reflect.DeepEqual(s.Exemplar, want) {
		t.Errorf("exemplar = %+v, want %+v", s.Exemplar, want)
	}
	if got[3].Sample.Exemplar != nil {
		t.Errorf("+Inf bucket has an exemplar: %+v", got[3].Sample.Exemplar)
	}
}

// Feeding a body in chunks of every size from 1 byte gives the same entries
// as the whole body, even when the caller overwrites its chunk buffer after
// each Feed (the package copies chunks into C memory).
func TestChunkedFeed(t *testing.T) {
	opts := DefaultOptions()
	opts.Format = FormatText
	body := []byte(textBody)
	want := parseWhole(t, &opts, body)

	// One parser for every size: Reset(nil) starts a new incremental body.
	p, err := NewParser(&opts)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	for size := 1; size <= len(body); size = size*2 + 1 {
		if err := p.Reset(nil); err != nil {
			t.Fatal(err)
		}
		var got []dumpEntry
		buf := make([]byte, size)
		for off := 0; off < len(body); off += size {
			n := copy(buf, body[off:])
			if err := p.Feed(buf[:n]); err != nil {
				t.Fatalf("size %d: Feed at %d: %v", size, off, err)
			}
			for i := range buf {
				buf[i] = 'X' // a caller reusing its read buffer
			}
			entries, last := drain(t, p)
			if last != EntryNeedMore {
				t.Fatalf("size %d: chunk at %d ended with %v, want need_more", size, off, last)
			}
			got = append(got, entries...)
		}
		if err := p.Finish(); err != nil {
			t.Fatalf("size %d: Finish: %v", size, err)
		}
		entries, last := drain(t, p)
		if last != EntryEnd {
			t.Fatalf("size %d: after Finish: %v", size, last)
		}
		got = append(got, entries...)
		if !equalEntries(got, want) {
			t.Errorf("size %d: chunked parse differs\n got %s\nwant %s", size, show(got), show(want))
		}
	}
}

func TestFeedBeforeDrainIsRefused(t *testing.T) {
	// With a known format (auto-detection holds the first bytes instead).
	p, err := NewParser(&Options{Format: FormatText, MaxBodyBytes: 1 << 20, MaxLineBytes: 1 << 16,
		MaxLabelsPerSeries: 64, MaxLabelNameBytes: 256, MaxLabelValueBytes: 1 << 12,
		MaxSeries: 1000, MaxFamilies: 1000})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Feed([]byte("a 1\nb 2\n")); err != nil {
		t.Fatal(err)
	}
	err = p.Feed([]byte("c 3\n"))
	// c_api.h: OBSV_ERR_FAILED_PRECONDITION "e.g. feeding before draining".
	var oe *Error
	if !errors.As(err, &oe) || oe.Code != ErrFailedPrecondition {
		t.Fatalf("second Feed before draining: %v, want failed_precondition", err)
	}
}

func TestErrorHasPosition(t *testing.T) {
	p, err := NewParser(&Options{Format: FormatText, MaxBodyBytes: 1 << 20, MaxLineBytes: 1 << 16,
		MaxLabelsPerSeries: 64, MaxLabelNameBytes: 256, MaxLabelValueBytes: 1 << 12,
		MaxSeries: 1000, MaxFamilies: 1000})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	body := "ok 1\nbad{a=\"b\" 2\n"
	if err := p.Reset([]byte(body)); err != nil {
		t.Fatal(err)
	}
	if e := p.Next(); e != EntrySample {
		t.Fatalf("first entry %v, want sample", e)
	}
	if e := p.Next(); e != EntryError {
		t.Fatalf("second entry %v, want error", e)
	}
	err = p.Error()
	var oe *Error
	if !errors.As(err, &oe) {
		t.Fatalf("Error() = %#v, want *Error", err)
	}
	// The missing `}` is noticed at the `2` where `,` or `}` belongs (line 2,
	// column 11, byte 15 of the body).
	if oe.Code != ErrSyntax || oe.Line != 2 || oe.Column != 11 || oe.Offset != 15 {
		t.Errorf("error = %+v (%v), want syntax at 2:11 offset 15", oe, oe)
	}
	if oe.Message == "" || !strings.Contains(oe.Error(), "2:11") {
		t.Errorf("error text %q", oe.Error())
	}
	if !errors.Is(err, &Error{Code: ErrSyntax}) {
		t.Errorf("errors.Is(err, ErrSyntax) is false for %v", err)
	}
	if e := p.Next(); e != EntryError {
		t.Errorf("after an error, Next() = %v, want error again", e)
	}
}

func TestConvertTextToOpenMetrics(t *testing.T) {
	in := "# HELP jobs_total Jobs.\n# TYPE jobs_total counter\njobs_total{kind=\"a\"} 3\n" +
		"# TYPE up gauge\nup 1\n"
	out, err := Convert([]byte(in), FormatText, FormatOpenMetrics, false)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, want := range []string{"# TYPE jobs counter\n", "# HELP jobs Jobs.\n",
		"jobs_total{kind=\"a\"} 3", "# TYPE up gauge\n", "up 1"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	if !strings.HasSuffix(s, "# EOF\n") {
		t.Errorf("output does not end with # EOF:\n%s", s)
	}
	// The output is valid, strict OpenMetrics with the same samples.
	opts := DefaultOptions()
	opts.Format = FormatOpenMetrics
	opts.Strict = true
	var names []string
	for _, e := range parseWhole(t, &opts, out) {
		if e.Sample != nil {
			names = append(names, e.Sample.Name)
		}
	}
	if !reflect.DeepEqual(names, []string{"jobs_total", "up"}) {
		t.Errorf("samples of the output: %v", names)
	}
	if DetectFormat(out) != FormatOpenMetrics {
		t.Errorf("DetectFormat(output) = %v", DetectFormat(out))
	}
}

func TestConvertError(t *testing.T) {
	_, err := Convert([]byte("x 1\ny{\n"), FormatText, FormatOpenMetrics, false)
	var oe *Error
	if !errors.As(err, &oe) || oe.Line != 2 || oe.Code == StatusOK {
		t.Fatalf("Convert of a broken body: %v", err)
	}
}

func TestFormats(t *testing.T) {
	if f := FormatFromContentType("application/openmetrics-text; version=1.0.0"); f != FormatOpenMetrics {
		t.Errorf("openmetrics content type -> %v", f)
	}
	if f := FormatFromContentType("text/plain; version=0.0.4"); f != FormatText {
		t.Errorf("text content type -> %v", f)
	}
	if f := FormatFromContentType(""); f != FormatText {
		t.Errorf("empty content type -> %v", f)
	}
	if ct := FormatOpenMetrics.ContentType(); !strings.HasPrefix(ct, "application/openmetrics-text") {
		t.Errorf("ContentType(openmetrics) = %q", ct)
	}
	if ct := FormatAuto.ContentType(); ct != "" {
		t.Errorf("ContentType(auto) = %q", ct)
	}
	if TypeHistogram.String() != "histogram" || TypeUnknown.String() != "unknown" {
		t.Errorf("type names: %v %v", TypeHistogram, TypeUnknown)
	}
	if ErrSyntax.String() != "syntax" {
		t.Errorf("status name: %v", ErrSyntax)
	}
}

func TestReuseAndClose(t *testing.T) {
	p, err := NewParser(nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, body := range []string{"a 1\n", "b{x=\"y\"} 2\nc 3\n", "", "a 1\n"} {
		if err := p.Reset([]byte(body)); err != nil {
			t.Fatal(err)
		}
		got, _ := drain(t, p)
		if want := strings.Count(body, "\n"); len(got) != want {
			t.Errorf("body %d: %d entries, want %d", i, len(got), want)
		}
	}
	p.Close()
	p.Close() // no-op
	if e := p.Next(); e != EntryError {
		t.Errorf("Next on a closed parser = %v", e)
	}
	if err := p.Reset([]byte("a 1\n")); err == nil {
		t.Error("Reset on a closed parser succeeded")
	}
}

// The corpus parses in both modes with the sample counts of its README.
func TestCorpus(t *testing.T) {
	want := map[string]int{
		"node_exporter.prom": 507, "prometheus.prom": 420, "alertmanager.prom": 281,
		"pushgateway.prom": 72, "prometheus_federate.prom": 1300, "client_golang.prom": 82,
		"client_golang.om.txt": 82, "python_client.prom": 64, "python_client.om.txt": 64,
		"vm_metrics.prom": 57, "prometheus_cpp.prom": 26,
	}
	dir := filepath.Join("..", "..", "tests", "testdata", "corpus")
	for name, n := range want {
		body, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		opts := DefaultOptions() // auto-detected format
		samples := 0
		for _, e := range parseWhole(t, &opts, body) {
			if e.Kind == EntrySample {
				samples++
			}
		}
		if samples != n {
			t.Errorf("%s: %d samples, want %d", name, samples, n)
		}
		wantFormat := FormatText
		if strings.HasSuffix(name, ".om.txt") {
			wantFormat = FormatOpenMetrics
		}
		if f := DetectFormat(body); f != wantFormat {
			t.Errorf("%s: DetectFormat = %v, want %v", name, f, wantFormat)
		}
	}
}

func equalEntries(a, b []dumpEntry) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Kind != y.Kind || x.Family != y.Family || x.Text != y.Text || (x.Sample == nil) != (y.Sample == nil) {
			return false
		}
		if x.Sample != nil {
			sx, sy := *x.Sample, *y.Sample
			// NaN != NaN: compare values by their bits.
			if math.Float64bits(sx.Value) != math.Float64bits(sy.Value) {
				return false
			}
			sx.Value, sy.Value = 0, 0
			if !reflect.DeepEqual(sx, sy) {
				return false
			}
		}
	}
	return true
}

func show(es []dumpEntry) string {
	var b bytes.Buffer
	for _, e := range es {
		b.WriteString("\n  ")
		if e.Sample != nil {
			b.WriteString(e.Sample.Name)
			for _, l := range e.Sample.Labels {
				b.WriteString(" " + l.Name + "=" + l.Value)
			}
			b.WriteString(" " + e.Sample.ValueText)
		} else {
			b.WriteString(e.Kind.String() + " " + e.Family + " " + e.Text)
		}
	}
	return b.String()
}

// BenchmarkParse parses a file whole, copying every sample's name and labels
// out as the Go caller would (one cgo call per accessor). The file is
// $OBSV_BENCH_FILE, or the corpus's prometheus.prom.
//
//	go test -run XXX -bench Parse -benchtime 3s
//	OBSV_BENCH_FILE=/tmp/synth_16m.prom go test -run XXX -bench Parse
func BenchmarkParse(b *testing.B) {
	path := os.Getenv("OBSV_BENCH_FILE")
	if path == "" {
		path = filepath.Join("..", "..", "tests", "testdata", "corpus", "prometheus.prom")
	}
	body, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	p, err := NewParser(nil)
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := p.Reset(body); err != nil {
			b.Fatal(err)
		}
		for e := p.Next(); e != EntryEnd; e = p.Next() {
			switch e {
			case EntryError:
				b.Fatal(p.Error())
			case EntrySample:
				_ = p.MetricName()
				_ = p.Labels()
				_ = p.Value()
			}
		}
	}
}
