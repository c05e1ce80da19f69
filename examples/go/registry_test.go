package obsv

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"
)

func newReg(t *testing.T) *Registry {
	t.Helper()
	r, err := NewRegistry(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func expose(t *testing.T, r *Registry, f Format) string {
	t.Helper()
	b, err := r.ExposeFormat(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func wantLines(t *testing.T, body string, lines ...string) {
	t.Helper()
	have := map[string]bool{}
	for _, l := range strings.Split(body, "\n") {
		have[l] = true
	}
	for _, l := range lines {
		if !have[l] {
			t.Errorf("missing line %q in:\n%s", l, body)
		}
	}
}

func TestRegistryEveryKind(t *testing.T) {
	r := newReg(t)
	c := must[*CounterFamily](t)(r.Counter(MetricOpts{Name: "http_requests", Help: "Requests.", LabelNames: []string{"method", "code"}}))
	get := must[Counter](t)(c.WithLabelValues("GET", "200"))
	get.Inc()
	get.IncBy(2)
	get.Add(0.5)
	if v := get.Value(); v != 3.5 {
		t.Errorf("counter value %v", v)
	}
	g := must[*GaugeFamily](t)(r.Gauge(MetricOpts{Name: "temperature", Help: "T."}))
	gh := must[Gauge](t)(g.WithLabelValues())
	gh.Set(20)
	gh.Inc()
	gh.Dec()
	gh.Add(1.5)
	h := must[*HistogramFamily](t)(r.Histogram(MetricOpts{Name: "latency_seconds", Help: "L."}, []float64{0.1, 1}))
	hh := must[Histogram](t)(h.WithLabelValues())
	hh.Observe(0.05)
	hh.Observe(0.5)
	hh.Observe(5)
	if n, s := hh.Read(); n != 3 || s != 5.55 {
		t.Errorf("histogram read %d %v", n, s)
	}
	s := must[*SummaryFamily](t)(r.Summary(MetricOpts{Name: "rpc_seconds", Help: "S."}, &SummaryOpts{Quantiles: []float64{0.5}}))
	sh := must[Summary](t)(s.WithLabelValues())
	sh.Observe(1)
	sh.Observe(3)
	info := must[*InfoFamily](t)(r.Info(MetricOpts{Name: "target", Help: "I.", LabelNames: []string{"env"}}))
	must[Info](t)(info.WithLabelValues("prod"))
	ss := must[*StatesetFamily](t)(r.Stateset(MetricOpts{Name: "mode", Help: "M."}, "a", "b"))
	st := must[Stateset](t)(ss.WithLabelValues())
	if err := st.SetOnly("b"); err != nil {
		t.Fatal(err)
	}
	if !st.Get("b") || st.Get("a") {
		t.Error("stateset get")
	}
	wantCode(t, st.Set("zzz", true), ErrNotFound)
	gg := must[*GaugeHistogramFamily](t)(r.GaugeHistogram(MetricOpts{Name: "queue_size", Help: "Q."}, []float64{10}))
	ggh := must[GaugeHistogram](t)(gg.WithLabelValues())
	ggh.Observe(3, 2)
	ggh.Observe(30, 1)
	if n, s := ggh.Read(); n != 3 || s != 36 {
		t.Errorf("gauge histogram read %d %v", n, s)
	}
	if r.FamilyCount() != 7 {
		t.Errorf("family count %d", r.FamilyCount())
	}

	text := expose(t, r, FormatText)
	wantLines(t, text,
		`http_requests_total{method="GET",code="200"} 3.5`,
		`temperature 21.5`,
		`latency_seconds_bucket{le="0.1"} 1`,
		`latency_seconds_bucket{le="1"} 2`,
		`latency_seconds_bucket{le="+Inf"} 3`,
		`latency_seconds_count 3`,
		`rpc_seconds_count 2`,
		`rpc_seconds_sum 4`,
		`target_info{env="prod"} 1`,
		`mode{mode="a"} 0`,
		`mode{mode="b"} 1`,
	)
	om := expose(t, r, FormatOpenMetrics)
	wantLines(t, om, `# TYPE queue_size gaugehistogram`, `queue_size_gcount 3`, `queue_size_gsum 36.0`,
		`queue_size_bucket{le="10.0"} 2`, `# EOF`)
}

func TestRegistryExemplars(t *testing.T) {
	r := newReg(t)
	c := must[*CounterFamily](t)(r.Counter(MetricOpts{Name: "jobs", Help: "J."}))
	ch := must[Counter](t)(c.WithLabelValues())
	if err := ch.IncWithExemplar(2, Label{"trace_id", "abc"}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, ch.AddWithExemplar(-1, Label{"trace_id", "x"}), ErrInvalidArgument)
	wantCode(t, ch.AddWithExemplar(1, Label{"a", "x"}, Label{"a", "y"}), ErrInvalidArgument)
	h := must[*HistogramFamily](t)(r.Histogram(MetricOpts{Name: "lat", Help: "L."}, []float64{1}))
	hh := must[Histogram](t)(h.WithLabelValues())
	if err := hh.ObserveWithExemplar(0.5, Label{"trace_id", "def"}); err != nil {
		t.Fatal(err)
	}
	om := expose(t, r, FormatOpenMetrics)
	if !strings.Contains(om, `jobs_total 2.0 # {trace_id="abc"} 2.0 `) || !strings.Contains(om, `lat_bucket{le="1.0"} 1 # {trace_id="def"} 0.5 `) {
		t.Errorf("exemplars missing:\n%s", om)
	}
	if strings.Contains(expose(t, r, FormatText), "trace_id") {
		t.Error("exemplar in text format")
	}
}

func TestRegistryNativeHistogram(t *testing.T) {
	r := newReg(t)
	h := must[*HistogramFamily](t)(r.NativeHistogram(MetricOpts{Name: "nh_seconds", Help: "N."}, nil, nil))
	hh := must[Histogram](t)(h.WithLabelValues())
	hh.Observe(0)
	hh.Observe(1.5)
	hh.Observe(-2)
	st, ok := hh.ReadNative()
	if !ok || st.Schema != 3 || st.ZeroCount != 1 || st.PositiveBuckets != 1 || st.NegativeBuckets != 1 {
		t.Errorf("native state %+v %v", st, ok)
	}
	_, err := r.NativeHistogram(MetricOpts{Name: "bad"}, &NativeHistogramOpts{BucketFactor: 0.5}, nil)
	wantCode(t, err, ErrInvalidArgument)
	snap, err := hh.ReadNativeBuckets()
	if err != nil || snap.Count != 3 || snap.ZeroCount != 1 || snap.Sum != -0.5 ||
		len(snap.Positive) != 1 || len(snap.Negative) != 1 || snap.Positive[0].Count != 1 ||
		snap.Negative[0].Count != 1 || snap.Positive[0].Index <= 0 {
		t.Errorf("native buckets %+v %v", snap, err)
	}
	c := must[*HistogramFamily](t)(r.Histogram(MetricOpts{Name: "classic"}, nil))
	classic := must[Histogram](t)(c.WithLabelValues())
	if _, ok := classic.ReadNative(); ok {
		t.Error("classic histogram reads as native")
	}
	_, err = classic.ReadNativeBuckets()
	wantCode(t, err, ErrInvalidArgument)
	wantLines(t, expose(t, r, FormatText), `nh_seconds_count 3`, `classic_bucket{le="0.005"} 0`)
	pb := expose(t, r, FormatProtobuf)
	if !strings.Contains(pb, "nh_seconds") {
		t.Error("protobuf lacks the family name")
	}
}

func TestRegistryErrors(t *testing.T) {
	r := newReg(t)
	c := must[*CounterFamily](t)(r.Counter(MetricOpts{Name: "c", LabelNames: []string{"a", "b"}}))
	_, err := c.WithLabelValues("x")
	wantCode(t, err, ErrInvalidArgument)
	var oe *Error
	if !errors.As(err, &oe) || oe.Message == "" {
		t.Errorf("error without message: %#v", err)
	}
	_, err = c.WithLabelValues("x", "\xff")
	wantCode(t, err, ErrInvalidArgument)
	_, err = r.Counter(MetricOpts{Name: "bad\xff"})
	wantCode(t, err, ErrInvalidArgument)
	_, err = r.Gauge(MetricOpts{Name: "g", LabelNames: []string{"__reserved"}})
	wantCode(t, err, ErrInvalidArgument)
	_, err = r.Gauge(MetricOpts{Name: "c"}) // another shape under that name
	wantCode(t, err, ErrInvalidArgument)
	_, err = c.Get("no", "such")
	wantCode(t, err, ErrNotFound)
	wantCode(t, c.Remove("no", "such"), ErrNotFound)
	wantCode(t, r.Unregister("nope"), ErrNotFound)

	lim := must[*GaugeFamily](t)(r.Gauge(MetricOpts{Name: "lim", LabelNames: []string{"k"}, MaxSeries: 1}))
	must[Gauge](t)(lim.WithLabelValues("1"))
	_, err = lim.WithLabelValues("2")
	wantCode(t, err, ErrLimitExceeded)
	of := must[*GaugeFamily](t)(r.Gauge(MetricOpts{Name: "of", LabelNames: []string{"k"}, MaxSeries: 1, OverflowSeries: true}))
	must[Gauge](t)(of.WithLabelValues("1"))
	must[Gauge](t)(of.WithLabelValues("2")).Set(7)
	wantLines(t, expose(t, r, FormatText), `of{k="__overflow__"} 7`)
}

func TestRegistryRemoveClearUnregister(t *testing.T) {
	r := newReg(t)
	g := must[*GaugeFamily](t)(r.Gauge(MetricOpts{Name: "g", LabelNames: []string{"k"}}))
	a := must[Gauge](t)(g.WithLabelValues("a"))
	a.Set(1)
	must[Gauge](t)(g.WithLabelValues("b")).Set(2)
	if g.Len() != 2 {
		t.Fatal(g.Len())
	}
	if err := g.Remove("a"); err != nil {
		t.Fatal(err)
	}
	a.Set(5) // a retired series (the grace is "never" by default): lost, not a crash
	body := expose(t, r, FormatText)
	if strings.Contains(body, `g{k="a"}`) || !strings.Contains(body, `g{k="b"} 2`) {
		t.Errorf("after remove:\n%s", body)
	}
	idle := must[*GaugeFamily](t)(r.Gauge(MetricOpts{Name: "idle", IdleTTLMs: 1}))
	must[Gauge](t)(idle.WithLabelValues())
	time.Sleep(5 * time.Millisecond)
	if n := r.ExpireIdle(); n != 1 || idle.Len() != 0 {
		t.Errorf("ExpireIdle = %d, Len = %d", n, idle.Len())
	}
	g.Clear()
	if g.Len() != 0 {
		t.Fatal(g.Len())
	}
	if err := r.Unregister("g"); err != nil {
		t.Fatal(err)
	}
	if _, err := g.WithLabelValues("a"); !errors.Is(err, &Error{Code: ErrFailedPrecondition}) {
		t.Errorf("family after Unregister: %v", err)
	}
	g2 := must[*GaugeFamily](t)(r.Gauge(MetricOpts{Name: "g", LabelNames: []string{"k"}}))
	must[Gauge](t)(g2.WithLabelValues("c")).Set(3)
	wantLines(t, expose(t, r, FormatText), `g{k="c"} 3`)
	c := must[*CounterFamily](t)(r.Counter(MetricOpts{Name: "n_total"}))
	if err := r.Unregister("n"); err != nil {
		t.Fatal(err)
	}
	if c.Len() != 0 {
		t.Error("counter family after Unregister")
	}
	if r.FamilyCount() != 2 {
		t.Fatal(r.FamilyCount())
	}
}

func TestRegistryCollector(t *testing.T) {
	r := newReg(t)
	calls := 0
	var mu sync.Mutex
	err := r.AddCollector("queue", 0, func(s *Sink) error {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if err := s.Begin("queue_depth", TypeGauge, "Depth.", ""); err != nil {
			return err
		}
		return s.Add("queue_depth", []Label{{"q", "main"}}, float64(n))
	})
	if err != nil {
		t.Fatal(err)
	}
	wantCode(t, r.AddCollector("queue", 0, func(*Sink) error { return nil }), ErrAlreadyExists)
	wantLines(t, expose(t, r, FormatText), `# HELP queue_depth Depth.`, `queue_depth{q="main"} 1`)
	wantLines(t, expose(t, r, FormatText), `queue_depth{q="main"} 2`)

	// A failing or panicking collector contributes nothing; the scrape goes on.
	if err := r.AddCollector("failing", 0, func(s *Sink) error {
		s.Begin("failing_metric", TypeGauge, "", "")
		s.Add("failing_metric", nil, 1)
		return fmt.Errorf("no")
	}); err != nil {
		t.Fatal(err)
	}
	if err := r.AddCollector("panicking", 0, func(s *Sink) error { panic("boom") }); err != nil {
		t.Fatal(err)
	}
	body := expose(t, r, FormatText)
	if strings.Contains(body, "failing_metric") || !strings.Contains(body, "queue_depth") {
		t.Errorf("failing collector:\n%s", body)
	}
	if err := r.RemoveCollector("queue"); err != nil {
		t.Fatal(err)
	}
	wantCode(t, r.RemoveCollector("queue"), ErrNotFound)
	if strings.Contains(expose(t, r, FormatText), "queue_depth") {
		t.Error("removed collector still collected")
	}
}

func TestRegistryExtras(t *testing.T) {
	r := newReg(t)
	if err := r.AddProcessCollector(nil); err != nil {
		t.Fatal(err)
	}
	wantCode(t, r.AddProcessCollector(nil), ErrAlreadyExists)
	if err := r.RegisterBuildInfo("myapp", BuildInfo{Version: "1.2.3", Revision: "abc", Branch: "main", BuildDate: "today", Compiler: "gc"}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, r.RegisterBuildInfo("my-app", BuildInfo{}), ErrInvalidArgument)
	m := must[*RequestMetrics](t)(r.NewRequestMetrics(RequestMetricsOpts{Prefix: "gw", Endpoint: "query"}))
	m.Observe("get", 200, 12*time.Millisecond, 5120)
	m.Observe("BREW", 418, time.Second, 0)
	_, err := r.NewRequestMetrics(RequestMetricsOpts{Endpoint: "bad-endpoint"})
	wantCode(t, err, ErrInvalidArgument)
	body := expose(t, r, FormatText)
	wantLines(t, body,
		`myapp_build_info{version="1.2.3",revision="abc",branch="main",build_date="today",compiler="gc"} 1`,
		`gw_query_request_total{method="GET",code="200"} 1`,
		`gw_query_request_total{method="OTHER",code="418"} 1`,
		`gw_query_request_duration_seconds_count{method="GET",code="200"} 1`,
	)
	if !strings.Contains(body, "\nprocess_cpu_seconds_total ") {
		t.Errorf("no process metrics:\n%s", body)
	}
	m.Close()
	m.Close()
	// A RequestMetrics left open is freed by the registry's Close.
	must[*RequestMetrics](t)(r.NewRequestMetrics(RequestMetricsOpts{Endpoint: "other"})).Observe("GET", 200, 0, 0)
}

func TestRegistryExposeHTTP(t *testing.T) {
	r := newReg(t)
	c := must[*CounterFamily](t)(r.Counter(MetricOpts{Name: "hits", Help: "H."}))
	must[Counter](t)(c.WithLabelValues()).Inc()

	e := must[Exposition](t)(r.Expose("", ""))
	if e.ContentEncoding != "" || !strings.HasPrefix(e.ContentType, "text/plain") || !strings.Contains(string(e.Body), "hits_total 1\n") {
		t.Errorf("plain: %q %q %q", e.ContentType, e.ContentEncoding, e.Body)
	}
	e = must[Exposition](t)(r.Expose("application/openmetrics-text; version=1.0.0", "gzip"))
	if e.ContentEncoding != "gzip" || !strings.HasPrefix(e.ContentType, "application/openmetrics-text") {
		t.Fatalf("gzip: %q %q", e.ContentType, e.ContentEncoding)
	}
	zr, err := gzip.NewReader(bytes.NewReader(e.Body))
	if err != nil {
		t.Fatal(err)
	}
	plain, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	wantLines(t, string(plain), "hits_total 1.0", "# EOF")

	const protoAccept = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"
	e = must[Exposition](t)(r.Expose(protoAccept, ""))
	if !strings.HasPrefix(e.ContentType, "application/vnd.google.protobuf") || !strings.Contains(string(e.Body), "hits_total") {
		t.Errorf("protobuf: %q %q", e.ContentType, e.Body)
	}
	if f, ct := NegotiateFormat(protoAccept); f != FormatProtobuf || ct != e.ContentType {
		t.Errorf("negotiate: %v %q", f, ct)
	}
}

func TestRegistryConcurrentIncrements(t *testing.T) {
	r := newReg(t)
	c := must[*CounterFamily](t)(r.Counter(MetricOpts{Name: "ops", LabelNames: []string{"w"}}))
	const goroutines, each = 8, 10000
	var wg sync.WaitGroup
	for i := 0; i < goroutines; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			shared, _ := c.WithLabelValues("shared")
			for j := 0; j < each; j++ {
				shared.Inc()
			}
			own, _ := c.WithLabelValues(fmt.Sprint(i % 2))
			own.IncBy(each)
		}(i)
	}
	wg.Wait()
	wantLines(t, expose(t, r, FormatText), fmt.Sprintf(`ops_total{w="shared"} %d`, goroutines*each),
		fmt.Sprintf(`ops_total{w="0"} %d`, goroutines/2*each))
}

func TestRegistryClose(t *testing.T) {
	r, err := NewRegistry(&RegistryOptions{LegacyNamesOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Counter(MetricOpts{Name: "dotted.name"})
	wantCode(t, err, ErrInvalidArgument)
	c := must[*CounterFamily](t)(r.Counter(MetricOpts{Name: "x"}))
	h := must[Counter](t)(c.WithLabelValues())
	r.AddCollector("c", 0, func(*Sink) error { return nil })
	r.Close()
	r.Close()
	h.Inc() // a no-op, not a crash
	if h.Value() != 0 || c.Len() != 0 {
		t.Error("values after Close")
	}
	_, err = c.WithLabelValues()
	wantCode(t, err, ErrFailedPrecondition)
	_, err = r.Expose("", "")
	wantCode(t, err, ErrFailedPrecondition)
}

func TestRegistryExposeInto(t *testing.T) {
	r := newReg(t)
	c := must[*CounterFamily](t)(r.Counter(MetricOpts{Name: "hits", Help: "H."}))
	must[Counter](t)(c.WithLabelValues()).Inc()
	want := expose(t, r, FormatText)

	// A nil buffer asks for the size.
	n, err := r.ExposeInto(FormatText, nil)
	if !errors.Is(err, &Error{Code: ErrBufferTooSmall}) || n != len(want) {
		t.Fatalf("size query: n=%d err=%v, want %d and ErrBufferTooSmall", n, err, len(want))
	}
	// Too small by one: untouched, and the size again.
	small := bytes.Repeat([]byte{'x'}, len(want)-1)
	n, err = r.ExposeInto(FormatText, small)
	if !errors.Is(err, &Error{Code: ErrBufferTooSmall}) || n != len(want) {
		t.Fatalf("small: n=%d err=%v", n, err)
	}
	if strings.Trim(string(small), "x") != "" {
		t.Errorf("a too-small buffer was written: %q", small)
	}
	// Exactly the size, and with room to spare.
	for _, extra := range []int{0, 100} {
		buf := make([]byte, len(want)+extra)
		n, err = r.ExposeInto(FormatText, buf)
		if err != nil || string(buf[:n]) != want {
			t.Errorf("extra %d: n=%d err=%v body %q, want %q", extra, n, err, buf[:n], want)
		}
	}
	// Every format, protobuf (binary, with NUL bytes) included.
	for _, f := range []Format{FormatOpenMetrics, FormatProtobuf} {
		buf := make([]byte, 4096)
		n, err = r.ExposeInto(f, buf)
		if err != nil || !bytes.Equal(buf[:n], []byte(expose(t, r, f))) {
			t.Errorf("format %v: n=%d err=%v", f, n, err)
		}
	}
	// A closed registry.
	r2 := must[*Registry](t)(NewRegistry(nil))
	r2.Close()
	if _, err := r2.ExposeInto(FormatText, make([]byte, 10)); err == nil {
		t.Error("ExposeInto on a closed registry: no error")
	}
}
