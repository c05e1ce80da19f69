// Command regbench times the Go metrics registries that obsv::Registry is
// compared with (bench/registry_benchmark.cc is the C++ side), on the same
// operations with the same data, and prints one JSON line per (bench, peer):
//
//	{"bench":"counter_inc","peer":"client_golang","desc":"...","threads":1,"ns_per_op":6.1,"allocs_per_op":0,"bytes_alloc_per_op":0}
//
// ns_per_op is wall time divided by the operations of all goroutines
// together (Google Benchmark's real_time with ->Threads(n)), the median of
// --reps repetitions of at least --min-time each after a warm-up.
// Serialisation lines add "bytes" (output size); the memory line reports
// "bytes_per_series" (Go heap after GC, per counter series) instead of a time.
//
// Benches (--only takes a comma-separated list of these ids):
//
//	counter_inc            Inc() on a kept counter, 1 goroutine
//	counter_inc_2t         Inc() on one counter shared by 2 goroutines
//	gauge_set              Set(v) on a kept gauge
//	histogram_observe      Observe(v), 12 buckets (ExponentialBuckets(0.001, 2.5, 11) + +Inf)
//	histogram_observe_2t   the same histogram shared by 2 goroutines
//	native_histogram_observe     Observe(v) on a native histogram (factor 1.1, at most 160 buckets; client_golang only)
//	native_histogram_observe_2t  the same native histogram shared by 2 goroutines
//	lookup8                the existing series of 8 label values, among 1001
//	serialize_10k          text exposition of 10 000 counter series
//	serialize_100k         text exposition of 100 000 counter series
//	memory_per_series      heap bytes per counter series (100 000 series)
//
// Peers: client_golang (github.com/prometheus/client_golang/prometheus, text
// through prometheus/common/expfmt as promhttp does) and vm_metrics
// (github.com/VictoriaMetrics/metrics; metadata off, its default).
//
// Usage:
//
//	go run ./cmd/regbench [--only ids] [--peers client_golang,vm_metrics] [--reps 5] [--min-time 1s]
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	vm "github.com/VictoriaMetrics/metrics"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"
)

// The same data as bench/registry_benchmark.cc.
var (
	bounds      = prometheus.ExponentialBuckets(0.001, 2.5, 11)
	labelNames  = []string{"method", "code", "handler", "instance", "job", "region", "zone", "tier"}
	labelValues = []string{"GET", "200", "/api/v1/query", "10.0.0.1:9090", "prometheus", "eu-west-1", "eu-west-1a", "frontend"}
)

func pathLabel(i int) string { return "/api/v1/endpoint/" + strconv.Itoa(i%1000) }
func codeLabel(i int) string { return strconv.Itoa(200 + i/1000) }

// A body runs n operations on the calling goroutine; a new body is made per
// goroutine (its own loop state), all sharing the bench's metric.
type body func(n int)

type bench struct {
	id      string
	peer    string
	desc    string
	threads int
	// setup builds the metric(s) and returns a maker of per-goroutine bodies.
	setup func() func() body
	// size, if set, reports the output bytes of one op (serialisation).
	size func() int
	// memory, if set, replaces the timing: heap bytes per series.
	memory func() float64
}

// Keeps results alive so the compiler cannot drop the work.
var sink any

func clientGolangCounter() prometheus.Counter {
	reg := prometheus.NewRegistry()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "bench_c", Help: "c"})
	reg.MustRegister(c)
	return c
}

func clientGolangHistogram() prometheus.Histogram {
	reg := prometheus.NewRegistry()
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "bench_h", Help: "h", Buckets: bounds})
	reg.MustRegister(h)
	return h
}

// A native histogram only (no classic buckets), as
// BM_NativeHistogramObserve_Obsv: bucket factor 1.1 (schema 3), at most 160
// buckets, no reset.
func clientGolangNativeHistogram() prometheus.Histogram {
	reg := prometheus.NewRegistry()
	h := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "bench_nh", Help: "h",
		NativeHistogramBucketFactor: 1.1, NativeHistogramMaxBucketNumber: 160})
	reg.MustRegister(h)
	return h
}

func observeBody(observe func(float64)) func() body {
	return func() body {
		v := 0.0
		return func(n int) {
			for i := 0; i < n; i++ {
				observe(v)
				v += 0.013
				if v > 12 {
					v = 0
				}
			}
		}
	}
}

func incBody(inc func()) func() body {
	return func() body {
		return func(n int) {
			for i := 0; i < n; i++ {
				inc()
			}
		}
	}
}

// clientGolangSeries registers `series` counter series the way the C++
// benchmark does (path, code; value i).
func clientGolangSeries(series int) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	vec := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "http_requests_total", Help: "Requests."},
		[]string{"path", "code"})
	reg.MustRegister(vec)
	for i := 0; i < series; i++ {
		vec.WithLabelValues(pathLabel(i), codeLabel(i)).Add(float64(i))
	}
	return reg
}

func vmSeries(series int) *vm.Set {
	s := vm.NewSet()
	for i := 0; i < series; i++ {
		name := `http_requests_total{path="` + pathLabel(i) + `",code="` + codeLabel(i) + `"}`
		s.NewCounter(name).Set(uint64(i))
	}
	return s
}

// clientGolangExpose is promhttp's handler minus HTTP: Gather, then the text
// encoder into a reused buffer.
func clientGolangExpose(reg *prometheus.Registry, buf *bytes.Buffer) {
	buf.Reset()
	mfs, err := reg.Gather()
	if err != nil {
		panic(err)
	}
	enc := expfmt.NewEncoder(buf, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			panic(err)
		}
	}
}

func serializeBenches(id string, series int) []bench {
	var cgBuf, vmBuf bytes.Buffer
	return []bench{
		{
			id: id, peer: "client_golang", threads: 1,
			desc: "Registry.Gather + expfmt text encoder",
			setup: func() func() body {
				reg := clientGolangSeries(series)
				return func() body {
					return func(n int) {
						for i := 0; i < n; i++ {
							clientGolangExpose(reg, &cgBuf)
						}
					}
				}
			},
			size: func() int { return cgBuf.Len() },
		},
		{
			id: id, peer: "vm_metrics", threads: 1,
			desc: "Set.WritePrometheus",
			setup: func() func() body {
				s := vmSeries(series)
				return func() body {
					return func(n int) {
						for i := 0; i < n; i++ {
							vmBuf.Reset()
							s.WritePrometheus(&vmBuf)
						}
					}
				}
			},
			size: func() int { return vmBuf.Len() },
		},
	}
}

func heapAfterGC() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

const memorySeries = 100000

func allBenches() []bench {
	bs := []bench{
		{
			id: "counter_inc", peer: "client_golang", threads: 1, desc: "Counter.Inc",
			setup: func() func() body { c := clientGolangCounter(); return incBody(c.Inc) },
		},
		{
			id: "counter_inc", peer: "vm_metrics", threads: 1, desc: "Counter.Inc",
			setup: func() func() body { c := vm.NewSet().NewCounter("bench_c"); return incBody(c.Inc) },
		},
		{
			id: "counter_inc_2t", peer: "client_golang", threads: 2, desc: "Counter.Inc, one counter, 2 goroutines",
			setup: func() func() body { c := clientGolangCounter(); return incBody(c.Inc) },
		},
		{
			id: "counter_inc_2t", peer: "vm_metrics", threads: 2, desc: "Counter.Inc, one counter, 2 goroutines",
			setup: func() func() body { c := vm.NewSet().NewCounter("bench_c"); return incBody(c.Inc) },
		},
		{
			id: "gauge_set", peer: "client_golang", threads: 1, desc: "Gauge.Set",
			setup: func() func() body {
				reg := prometheus.NewRegistry()
				g := prometheus.NewGauge(prometheus.GaugeOpts{Name: "bench_g", Help: "g"})
				reg.MustRegister(g)
				return func() body {
					return func(n int) {
						v := 0.0
						for i := 0; i < n; i++ {
							g.Set(v)
							v++
						}
					}
				}
			},
		},
		{
			id: "gauge_set", peer: "vm_metrics", threads: 1, desc: "Gauge.Set",
			setup: func() func() body {
				g := vm.NewSet().NewGauge("bench_g", nil)
				return func() body {
					return func(n int) {
						v := 0.0
						for i := 0; i < n; i++ {
							g.Set(v)
							v++
						}
					}
				}
			},
		},
	}
	for _, threads := range []int{1, 2} {
		id := "histogram_observe"
		if threads == 2 {
			id += "_2t"
		}
		bs = append(bs,
			bench{
				id: id, peer: "client_golang", threads: threads, desc: "Histogram.Observe, 12 buckets",
				setup: func() func() body { h := clientGolangHistogram(); return observeBody(h.Observe) },
			},
			bench{
				id: id, peer: "vm_metrics", threads: threads, desc: "PrometheusHistogram.Update, 12 buckets",
				setup: func() func() body {
					h := vm.NewSet().NewPrometheusHistogramExt("bench_h", bounds)
					return observeBody(h.Update)
				},
			},
			bench{
				id: "native_" + id, peer: "client_golang", threads: threads,
				desc:  "Histogram.Observe, native (factor 1.1, max 160 buckets)",
				setup: func() func() body { h := clientGolangNativeHistogram(); return observeBody(h.Observe) },
			})
	}
	bs = append(bs,
		bench{
			id: "lookup8", peer: "client_golang", threads: 1,
			desc: "CounterVec.WithLabelValues(8 values), 1001 series",
			setup: func() func() body {
				vec := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "bench_l", Help: "l"}, labelNames)
				prometheus.NewRegistry().MustRegister(vec)
				for i := 0; i < 1000; i++ {
					v := append([]string(nil), labelValues...)
					v[7] = strconv.Itoa(i)
					vec.WithLabelValues(v...)
				}
				vec.WithLabelValues(labelValues...)
				return func() body {
					return func(n int) {
						var c prometheus.Counter
						for i := 0; i < n; i++ {
							c = vec.WithLabelValues(labelValues...)
						}
						sink = c
					}
				}
			},
		},
		bench{
			id: "lookup8", peer: "vm_metrics", threads: 1,
			desc: "Set.GetOrCreateCounter(prebuilt name with 8 labels), 1001 series",
			setup: func() func() body {
				s := vm.NewSet()
				name := func(values []string) string {
					var b strings.Builder
					b.WriteString("bench_l{")
					for i, v := range values {
						if i > 0 {
							b.WriteByte(',')
						}
						b.WriteString(labelNames[i])
						b.WriteString(`="`)
						b.WriteString(v)
						b.WriteByte('"')
					}
					b.WriteByte('}')
					return b.String()
				}
				for i := 0; i < 1000; i++ {
					v := append([]string(nil), labelValues...)
					v[7] = strconv.Itoa(i)
					s.GetOrCreateCounter(name(v))
				}
				key := name(labelValues)
				s.GetOrCreateCounter(key)
				return func() body {
					return func(n int) {
						var c *vm.Counter
						for i := 0; i < n; i++ {
							c = s.GetOrCreateCounter(key)
						}
						sink = c
					}
				}
			},
		})
	bs = append(bs, serializeBenches("serialize_10k", 10000)...)
	bs = append(bs, serializeBenches("serialize_100k", 100000)...)
	bs = append(bs,
		bench{
			id: "memory_per_series", peer: "client_golang", threads: 1, desc: "heap per CounterVec child",
			memory: func() float64 {
				before := heapAfterGC()
				reg := clientGolangSeries(memorySeries)
				after := heapAfterGC()
				runtime.KeepAlive(reg)
				return float64(after-before) / memorySeries
			},
		},
		bench{
			id: "memory_per_series", peer: "vm_metrics", threads: 1, desc: "heap per Set counter",
			memory: func() float64 {
				before := heapAfterGC()
				s := vmSeries(memorySeries)
				after := heapAfterGC()
				runtime.KeepAlive(s)
				return float64(after-before) / memorySeries
			},
		})
	return bs
}

// run executes one repetition: `threads` goroutines, n ops each, started
// together; returns the wall time.
func run(makeBody func() body, threads, n int) time.Duration {
	if threads == 1 {
		b := makeBody()
		t0 := time.Now()
		b(n)
		return time.Since(t0)
	}
	bodies := make([]body, threads)
	for i := range bodies {
		bodies[i] = makeBody()
	}
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	ready.Add(threads)
	done.Add(threads)
	for _, b := range bodies {
		go func(b body) {
			ready.Done()
			<-start
			b(n)
			done.Done()
		}(b)
	}
	ready.Wait()
	t0 := time.Now()
	close(start)
	done.Wait()
	return time.Since(t0)
}

type result struct {
	Bench           string  `json:"bench"`
	Peer            string  `json:"peer"`
	Desc            string  `json:"desc"`
	Threads         int     `json:"threads"`
	NsPerOp         float64 `json:"ns_per_op,omitempty"`
	AllocsPerOp     float64 `json:"allocs_per_op"`
	BytesAllocPerOp float64 `json:"bytes_alloc_per_op"`
	Bytes           int     `json:"bytes,omitempty"`
	BytesPerSeries  float64 `json:"bytes_per_series,omitempty"`
}

// measure: a warm-up of ~minTime/4 that sizes the op count, then reps
// repetitions of at least minTime; the median ns per op (all goroutines'
// ops together) and the mean allocations per op.
func measure(b bench, reps int, minTime time.Duration) result {
	makeBody := b.setup()
	n := 1
	var warm time.Duration
	for warm < minTime/4 {
		d := run(makeBody, b.threads, n)
		warm += d
		if d < minTime/40 {
			n *= 4
		}
	}
	perOp := run(makeBody, b.threads, n) / time.Duration(n)
	if perOp <= 0 {
		perOp = 1
	}
	n = int(minTime/perOp) + 1

	samples := make([]float64, 0, reps)
	var ms0, ms1 runtime.MemStats
	var totalOps int
	var totalAllocs, totalBytes uint64
	for r := 0; r < reps; r++ {
		runtime.GC()
		runtime.ReadMemStats(&ms0)
		elapsed := run(makeBody, b.threads, n)
		runtime.ReadMemStats(&ms1)
		ops := n * b.threads
		samples = append(samples, float64(elapsed.Nanoseconds())/float64(ops))
		totalOps += ops
		totalAllocs += ms1.Mallocs - ms0.Mallocs
		totalBytes += ms1.TotalAlloc - ms0.TotalAlloc
		if elapsed < minTime {
			n = int(float64(n)*float64(minTime)/float64(elapsed)) + 1
		}
	}
	sort.Float64s(samples)
	med := samples[len(samples)/2]
	if len(samples)%2 == 0 {
		med = (samples[len(samples)/2-1] + samples[len(samples)/2]) / 2
	}
	res := result{
		Bench: b.id, Peer: b.peer, Desc: b.desc, Threads: b.threads,
		NsPerOp:         round(med, 2),
		AllocsPerOp:     round(float64(totalAllocs)/float64(totalOps), 2),
		BytesAllocPerOp: round(float64(totalBytes)/float64(totalOps), 1),
	}
	if b.size != nil {
		res.Bytes = b.size()
	}
	return res
}

func main() {
	only := flag.String("only", "", "comma-separated bench ids to run (default: all); see --list")
	peersFlag := flag.String("peers", "client_golang,vm_metrics", "comma-separated peers to run")
	list := flag.Bool("list", false, "list the benches and exit")
	reps := flag.Int("reps", 5, "repetitions per measurement; the median is reported")
	minTime := flag.Duration("min-time", time.Second, "minimum duration of one repetition")
	flag.Parse()

	benches := allBenches()
	if *list {
		for _, b := range benches {
			fmt.Printf("%-22s %-14s %s\n", b.id, b.peer, b.desc)
		}
		return
	}
	if *reps < 1 || *minTime <= 0 || flag.NArg() != 0 {
		flag.Usage()
		os.Exit(2)
	}
	want := func(list, id string) bool {
		if list == "" {
			return true
		}
		for _, x := range strings.Split(list, ",") {
			if strings.TrimSpace(x) == id {
				return true
			}
		}
		return false
	}
	known := map[string]bool{}
	for _, b := range benches {
		known[b.id] = true
		known[b.peer] = true
	}
	for _, l := range []string{*only, *peersFlag} {
		if l == "" {
			continue
		}
		for _, x := range strings.Split(l, ",") {
			if !known[strings.TrimSpace(x)] {
				fmt.Fprintf(os.Stderr, "regbench: unknown bench or peer %q (see --list)\n", x)
				os.Exit(2)
			}
		}
	}

	enc := json.NewEncoder(os.Stdout)
	for _, b := range benches {
		if !want(*only, b.id) || !want(*peersFlag, b.peer) {
			continue
		}
		if b.memory != nil {
			enc.Encode(result{Bench: b.id, Peer: b.peer, Desc: b.desc, Threads: 1,
				BytesPerSeries: round(b.memory(), 1)})
			continue
		}
		enc.Encode(measure(b, *reps, *minTime))
	}
	runtime.KeepAlive(sink)
}

func round(v float64, digits int) float64 {
	p := 1.0
	for i := 0; i < digits; i++ {
		p *= 10
	}
	return float64(int64(v*p+0.5)) / p
}
