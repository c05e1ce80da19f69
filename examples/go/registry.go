// The metrics registry (include/obsv/c_api_registry.h and
// c_api_registry_extras.h): families, series handles, collectors written in
// Go, the process collector, build info, request metrics and the HTTP
// exposition with format negotiation and gzip.
//
//	reg, _ := obsv.NewRegistry(nil)
//	defer reg.Close()
//	reqs, err := reg.Counter(obsv.MetricOpts{Name: "http_requests", Help: "Requests.", LabelNames: []string{"code"}})
//	ok, err := reqs.WithLabelValues("200") // resolve once, keep the handle
//	ok.Inc()
//	body, ctype, enc, err := reg.Expose(r.Header.Get("Accept"), r.Header.Get("Accept-Encoding"))
//
// Thread safety: the C ABI documents the registry, its families and handles
// as thread-safe, so every method here may be called from any goroutine,
// except Close, which must not overlap other uses of the registry.
//
// Lifetimes: families and handles keep their Registry reachable (so its
// finalizer cannot free it under them). After Close, handle updates are
// no-ops and family calls return ErrFailedPrecondition, as do calls on a
// family after Unregister of its name (which must not overlap them). A
// handle of a removed series keeps working (updates lost): by default for
// the registry's lifetime, as NewRegistry sets the C retire grace to
// "never"; with RegistryOptions.RetireGraceMs > 0 only for that long, after
// which using it is undefined behaviour (the C rule).
package obsv

/*
#include <stdlib.h>
#include <string.h>
#include "obsv/c_api_registry.h"
#include "obsv/c_api_registry_extras.h"

extern obsv_status obsvGoCollect(void* user_data, obsv_family_sink* sink);
extern void obsvGoDestroy(void* user_data);
*/
import "C"

import (
	"fmt"
	"runtime"
	"runtime/cgo"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// FormatProtobuf is delimited io.prometheus.client.MetricFamily protobuf:
// written by the registry only (the one format with native histograms).
const FormatProtobuf Format = C.OBSV_FORMAT_PROTOBUF

// RegistryOptions are obsv_registry_options; nil means the defaults.
type RegistryOptions struct {
	LegacyNamesOnly bool
	// How long removed series stay valid for handles still held. 0 (the
	// default here): until the registry is closed, so a Go handle can never
	// dangle. > 0: memory comes back sooner, but the caller must not use a
	// handle of a removed series past that grace.
	RetireGraceMs int64
}

// Registry is an obsv_registry. Safe for concurrent use; see the file comment.
type Registry struct {
	mu     sync.Mutex // guards p against Close, reqs and gone
	p      *C.obsv_registry
	closed atomic.Bool
	reqs   map[*RequestMetrics]struct{}
	// The live families by registered name (without _total/_info): their
	// flag is set by Unregister, after which the C family pointer is invalid.
	gone map[string]*atomic.Bool
}

// NewRegistry creates a registry; free it with Close (a finalizer does it
// otherwise).
func NewRegistry(opts *RegistryOptions) (*Registry, error) {
	var o C.obsv_registry_options
	C.obsv_registry_options_init(&o)
	o.retire_grace_ms = -1
	if opts != nil {
		o.legacy_names_only = cbool(opts.LegacyNamesOnly)
		if opts.RetireGraceMs > 0 {
			o.retire_grace_ms = C.int64_t(opts.RetireGraceMs)
		}
	}
	var p *C.obsv_registry
	var cerr *C.obsv_error
	if err := takeError(C.obsv_registry_new(&o, &p, &cerr), cerr); err != nil {
		return nil, err
	}
	r := &Registry{p: p, reqs: map[*RequestMetrics]struct{}{}, gone: map[string]*atomic.Bool{}}
	runtime.SetFinalizer(r, (*Registry).Close)
	return r, nil
}

// Close frees the registry, its request metrics and collectors (their Go
// callbacks are released). Idempotent. Must not overlap other uses.
func (r *Registry) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.p == nil {
		return nil
	}
	r.closed.Store(true)
	for m := range r.reqs {
		C.obsv_request_metrics_free(m.p)
		m.p = nil
	}
	r.reqs = nil
	for _, g := range r.gone {
		g.Store(true)
	}
	r.gone = nil
	C.obsv_registry_free(r.p)
	r.p = nil
	runtime.SetFinalizer(r, nil)
	return nil
}

var errRegistryClosed = &Error{Code: ErrFailedPrecondition, Message: "registry is closed"}

// ptr returns the C registry or nil after Close.
func (r *Registry) ptr() *C.obsv_registry {
	if r.closed.Load() {
		return nil
	}
	return r.p
}

// FamilyCount is the number of registered families (collectors' excluded).
func (r *Registry) FamilyCount() int {
	p := r.ptr()
	if p == nil {
		return 0
	}
	n := int(C.obsv_registry_family_count(p))
	runtime.KeepAlive(r)
	return n
}

// Unregister removes the family `name` (without _total/_info). Its family
// value must not be used afterwards.
func (r *Registry) Unregister(name string) error {
	p := r.ptr()
	if p == nil {
		return errRegistryClosed
	}
	cs := newCStrings(name)
	defer cs.free()
	var cerr *C.obsv_error
	st := C.obsv_registry_unregister(p, cs.strs[0].data, cs.strs[0].size, &cerr)
	runtime.KeepAlive(r)
	if st == C.OBSV_OK {
		r.mu.Lock()
		if g := r.gone[name]; g != nil {
			g.Store(true)
			delete(r.gone, name)
		}
		r.mu.Unlock()
	}
	return takeError(st, cerr)
}

// ExpireIdle removes series idle past their family's IdleTTLMs (every
// expose does this too) and returns how many.
func (r *Registry) ExpireIdle() int {
	p := r.ptr()
	if p == nil {
		return 0
	}
	n := int(C.obsv_registry_expire_idle(p))
	runtime.KeepAlive(r)
	return n
}

// cstrings is a block of C memory holding strings as obsv_str views (cgo
// forbids passing Go memory that holds Go pointers, such as an array of
// views of Go strings).
type cstrings struct {
	base unsafe.Pointer
	strs []C.obsv_str
}

func newCStrings(ss ...string) cstrings {
	n := len(ss)
	size := n * int(unsafe.Sizeof(C.obsv_str{}))
	for _, s := range ss {
		size += len(s)
	}
	if size == 0 {
		return cstrings{}
	}
	base := C.malloc(C.size_t(size))
	strs := unsafe.Slice((*C.obsv_str)(base), n)
	data := unsafe.Add(base, n*int(unsafe.Sizeof(C.obsv_str{})))
	for i, s := range ss {
		if len(s) > 0 {
			C.memcpy(data, unsafe.Pointer(unsafe.StringData(s)), C.size_t(len(s)))
		}
		strs[i] = C.obsv_str{data: (*C.char)(data), size: C.size_t(len(s))}
		data = unsafe.Add(data, len(s))
	}
	return cstrings{base: base, strs: strs}
}

func (c cstrings) free() { C.free(c.base) }

// first returns the array pointer (NULL when empty).
func (c cstrings) first() *C.obsv_str {
	if len(c.strs) == 0 {
		return nil
	}
	return &c.strs[0]
}

func (c cstrings) str(i int) C.obsv_str {
	if i >= len(c.strs) {
		return C.obsv_str{}
	}
	return c.strs[i]
}

// clabels copies labels into C memory as an obsv_label array.
type clabels struct {
	cs     cstrings
	labels *C.obsv_label
	n      int
}

func newCLabels(ls []Label) clabels {
	ss := make([]string, 0, 2*len(ls))
	for _, l := range ls {
		ss = append(ss, l.Name, l.Value)
	}
	cs := newCStrings(ss...)
	// obsv_label is two obsv_str: the name/value pairs are laid out as such.
	return clabels{cs: cs, labels: (*C.obsv_label)(unsafe.Pointer(cs.first())), n: len(ls)}
}

func (c clabels) free() { c.cs.free() }

// MetricOpts describe a family (obsv_metric_options). Strings and slices are
// copied.
type MetricOpts struct {
	Name, Help, Unit string
	LabelNames       []string
	ConstLabels      []Label
	MaxSeries        uint64
	// OverflowSeries: beyond MaxSeries, WithLabelValues returns an overflow
	// series labelled OverflowLabelValue ("__overflow__" if empty) instead
	// of failing with ErrLimitExceeded.
	OverflowSeries     bool
	OverflowLabelValue string
	IdleTTLMs          int64
}

// withOpts builds the C options in C memory and calls f with them.
func withOpts(o MetricOpts, f func(*C.obsv_metric_options)) {
	ss := append([]string{o.Name, o.Help, o.Unit, o.OverflowLabelValue}, o.LabelNames...)
	cs := newCStrings(ss...)
	defer cs.free()
	cl := newCLabels(o.ConstLabels)
	defer cl.free()
	copts := (*C.obsv_metric_options)(C.malloc(C.size_t(unsafe.Sizeof(C.obsv_metric_options{}))))
	defer C.free(unsafe.Pointer(copts))
	C.obsv_metric_options_init(copts)
	copts.name, copts.help, copts.unit = cs.str(0), cs.str(1), cs.str(2)
	copts.overflow_label_value = cs.str(3)
	if len(o.LabelNames) > 0 {
		copts.label_names = &cs.strs[4]
		copts.label_name_count = C.size_t(len(o.LabelNames))
	}
	copts.const_labels = cl.labels
	copts.const_label_count = C.size_t(cl.n)
	copts.max_series = C.uint64_t(o.MaxSeries)
	if o.OverflowSeries {
		copts.overflow = C.OBSV_OVERFLOW_SERIES
	}
	copts.idle_ttl_ms = C.int64_t(o.IdleTTLMs)
	f(copts)
}

// cdoubles copies a float64 slice into C memory; a nil slice gives NULL (the
// library's default buckets), an empty non-nil one a non-NULL empty array.
func cdoubles(v []float64) (*C.double, func()) {
	if v == nil {
		return nil, func() {}
	}
	p := (*C.double)(C.malloc(C.size_t(8 * (len(v) + 1))))
	copy(unsafe.Slice((*float64)(unsafe.Pointer(p)), len(v)), v)
	return p, func() { C.free(unsafe.Pointer(p)) }
}

// register runs a C registration call with the options and maps its status.
func (r *Registry) register(o MetricOpts, f func(*C.obsv_registry, *C.obsv_metric_options, **C.obsv_error) C.obsv_status) error {
	p := r.ptr()
	if p == nil {
		return errRegistryClosed
	}
	var err error
	withOpts(o, func(co *C.obsv_metric_options) {
		var cerr *C.obsv_error
		err = takeError(f(p, co, &cerr), cerr)
	})
	runtime.KeepAlive(r)
	return err
}

// family is what every family type shares: its registry and name.
type family struct {
	r    *Registry
	gone *atomic.Bool // set by Unregister
}

// newFamily returns the family state for a registered name; registering a
// name again shares its flag (the C ABI returns the same family pointer).
// suffix is stripped as the registry does (_total, _info).
func (r *Registry) newFamily(name, suffix string) family {
	if suffix != "" {
		name = strings.TrimSuffix(name, suffix)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	g := r.gone[name]
	if g == nil {
		g = new(atomic.Bool)
		if r.gone != nil {
			r.gone[name] = g
		}
	}
	return family{r, g}
}

// withValues runs f with the label values as a C array.
func (f *family) withValues(values []string, call func(*C.obsv_str, C.size_t) C.obsv_status) C.obsv_status {
	cs := newCStrings(values...)
	defer cs.free()
	st := call(cs.first(), C.size_t(len(values)))
	runtime.KeepAlive(f.r)
	return st
}

func (f *family) closed() bool { return f.r.closed.Load() || f.gone.Load() }

// ---------------------------------------------------------------------------
// Counter

// CounterFamily is an obsv_counter_family.
type CounterFamily struct {
	family
	p *C.obsv_counter_family
}

// Counter is a series handle; copy it freely.
type Counter struct {
	h C.obsv_counter
	r *Registry
}

// Counter registers (or finds, if the shape matches) a counter family.
func (r *Registry) Counter(o MetricOpts) (*CounterFamily, error) {
	f := &CounterFamily{family: r.newFamily(o.Name, "_total")}
	err := r.register(o, func(p *C.obsv_registry, co *C.obsv_metric_options, e **C.obsv_error) C.obsv_status {
		return C.obsv_registry_counter(p, co, &f.p, e)
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// WithLabelValues returns the series with these label values, created if
// absent. ErrInvalidArgument for the wrong arity, ErrLimitExceeded at MaxSeries.
func (f *CounterFamily) WithLabelValues(values ...string) (Counter, error) {
	if f.closed() {
		return Counter{}, errRegistryClosed
	}
	var h C.obsv_counter
	var cerr *C.obsv_error
	st := f.withValues(values, func(v *C.obsv_str, n C.size_t) C.obsv_status {
		return C.obsv_counter_family_with_labels(f.p, v, n, &h, &cerr)
	})
	return Counter{h, f.r}, takeError(st, cerr)
}

// Get is WithLabelValues without creating: ErrNotFound when absent.
func (f *CounterFamily) Get(values ...string) (Counter, error) {
	if f.closed() {
		return Counter{}, errRegistryClosed
	}
	var h C.obsv_counter
	var cerr *C.obsv_error
	st := f.withValues(values, func(v *C.obsv_str, n C.size_t) C.obsv_status {
		return C.obsv_counter_family_get(f.p, v, n, &h, &cerr)
	})
	return Counter{h, f.r}, takeError(st, cerr)
}

// Remove removes one series (ErrNotFound if absent).
func (f *CounterFamily) Remove(values ...string) error {
	if f.closed() {
		return errRegistryClosed
	}
	return takeError(f.withValues(values, func(v *C.obsv_str, n C.size_t) C.obsv_status {
		return C.obsv_counter_family_remove(f.p, v, n)
	}), nil)
}

// Clear removes every series.
func (f *CounterFamily) Clear() {
	if !f.closed() {
		C.obsv_counter_family_clear(f.p)
		runtime.KeepAlive(f.r)
	}
}

// Len is the number of series.
func (f *CounterFamily) Len() int {
	if f.closed() {
		return 0
	}
	n := int(C.obsv_counter_family_size(f.p))
	runtime.KeepAlive(f.r)
	return n
}

func (c Counter) ok() bool { return c.r != nil && !c.r.closed.Load() }

// Inc adds 1.
func (c Counter) Inc() {
	if c.ok() {
		C.obsv_counter_inc(c.h)
		runtime.KeepAlive(c.r)
	}
}

// IncBy adds n exactly.
func (c Counter) IncBy(n uint64) {
	if c.ok() {
		C.obsv_counter_inc_by(c.h, C.uint64_t(n))
		runtime.KeepAlive(c.r)
	}
}

// Add adds v; negative or NaN v is ignored.
func (c Counter) Add(v float64) {
	if c.ok() {
		C.obsv_counter_add(c.h, C.double(v))
		runtime.KeepAlive(c.r)
	}
}

// Value is the current total.
func (c Counter) Value() float64 {
	if !c.ok() {
		return 0
	}
	v := float64(C.obsv_counter_value(c.h))
	runtime.KeepAlive(c.r)
	return v
}

// IncWithExemplar adds n and keeps labels as the series' exemplar.
func (c Counter) IncWithExemplar(n uint64, labels ...Label) error {
	if !c.ok() {
		return errRegistryClosed
	}
	cl := newCLabels(labels)
	defer cl.free()
	var cerr *C.obsv_error
	st := C.obsv_counter_inc_with_exemplar(c.h, C.uint64_t(n), cl.labels, C.size_t(cl.n), &cerr)
	runtime.KeepAlive(c.r)
	return takeError(st, cerr)
}

// AddWithExemplar adds v and keeps labels as the series' exemplar.
func (c Counter) AddWithExemplar(v float64, labels ...Label) error {
	if !c.ok() {
		return errRegistryClosed
	}
	cl := newCLabels(labels)
	defer cl.free()
	var cerr *C.obsv_error
	st := C.obsv_counter_add_with_exemplar(c.h, C.double(v), cl.labels, C.size_t(cl.n), &cerr)
	runtime.KeepAlive(c.r)
	return takeError(st, cerr)
}

// ---------------------------------------------------------------------------
// Registering the other kinds

// Gauge registers (or finds) a gauge family.
func (r *Registry) Gauge(o MetricOpts) (*GaugeFamily, error) {
	f := &GaugeFamily{family: r.newFamily(o.Name, "")}
	err := r.register(o, func(p *C.obsv_registry, co *C.obsv_metric_options, e **C.obsv_error) C.obsv_status {
		return C.obsv_registry_gauge(p, co, &f.p, e)
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Histogram registers a classic histogram family. buckets nil: the
// Prometheus defaults (.005 ... 10); empty non-nil: only +Inf.
func (r *Registry) Histogram(o MetricOpts, buckets []float64) (*HistogramFamily, error) {
	f := &HistogramFamily{family: r.newFamily(o.Name, "")}
	b, free := cdoubles(buckets)
	defer free()
	err := r.register(o, func(p *C.obsv_registry, co *C.obsv_metric_options, e **C.obsv_error) C.obsv_status {
		return C.obsv_registry_histogram(p, co, b, C.size_t(len(buckets)), &f.p, e)
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// NativeHistogramOpts are obsv_native_histogram_options; zero fields take
// the library's defaults (factor 1.1, zero threshold 2^-128, 160 buckets),
// except that ExactZero asks for a zero threshold of 0.
type NativeHistogramOpts struct {
	BucketFactor       float64
	ZeroThreshold      float64
	ExactZero          bool
	MaxBuckets         uint32
	NoBucketLimit      bool
	MinResetDurationMs int64
	MaxZeroThreshold   float64
}

// NativeHistogram registers a native (sparse, exponential) histogram
// family, written with its native buckets only in FormatProtobuf. buckets:
// classic buckets alongside (nil: none).
func (r *Registry) NativeHistogram(o MetricOpts, native *NativeHistogramOpts, buckets []float64) (*HistogramFamily, error) {
	f := &HistogramFamily{family: r.newFamily(o.Name, "")}
	no := (*C.obsv_native_histogram_options)(C.malloc(C.size_t(unsafe.Sizeof(C.obsv_native_histogram_options{}))))
	defer C.free(unsafe.Pointer(no))
	C.obsv_native_histogram_options_init(no)
	if native != nil {
		if native.BucketFactor != 0 {
			no.bucket_factor = C.double(native.BucketFactor)
		}
		if native.ZeroThreshold != 0 || native.ExactZero {
			no.zero_threshold = C.double(native.ZeroThreshold)
		}
		if native.MaxBuckets != 0 || native.NoBucketLimit {
			no.max_buckets = C.uint32_t(native.MaxBuckets)
		}
		no.min_reset_duration_ms = C.int64_t(native.MinResetDurationMs)
		no.max_zero_threshold = C.double(native.MaxZeroThreshold)
	}
	b, free := cdoubles(buckets)
	defer free()
	err := r.register(o, func(p *C.obsv_registry, co *C.obsv_metric_options, e **C.obsv_error) C.obsv_status {
		return C.obsv_registry_native_histogram(p, co, no, b, C.size_t(len(buckets)), &f.p, e)
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// GaugeHistogram registers an OpenMetrics gaugehistogram family; buckets
// as Histogram.
func (r *Registry) GaugeHistogram(o MetricOpts, buckets []float64) (*GaugeHistogramFamily, error) {
	f := &GaugeHistogramFamily{family: r.newFamily(o.Name, "")}
	b, free := cdoubles(buckets)
	defer free()
	err := r.register(o, func(p *C.obsv_registry, co *C.obsv_metric_options, e **C.obsv_error) C.obsv_status {
		return C.obsv_registry_gauge_histogram(p, co, b, C.size_t(len(buckets)), &f.p, e)
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// SummaryOpts are obsv_summary_options; zero fields take the defaults.
// Quantiles nil: 0.5, 0.9, 0.99; NoQuantiles: only _count and _sum.
type SummaryOpts struct {
	Quantiles           []float64
	NoQuantiles         bool
	MaxAgeMs            int64
	AgeBuckets          int32
	MaxSamplesPerBucket uint64
}

// Summary registers a summary family; opts nil: the defaults.
func (r *Registry) Summary(o MetricOpts, opts *SummaryOpts) (*SummaryFamily, error) {
	f := &SummaryFamily{family: r.newFamily(o.Name, "")}
	so := (*C.obsv_summary_options)(C.malloc(C.size_t(unsafe.Sizeof(C.obsv_summary_options{}))))
	defer C.free(unsafe.Pointer(so))
	C.obsv_summary_options_init(so)
	if opts != nil {
		q := opts.Quantiles
		if opts.NoQuantiles {
			q = []float64{}
		}
		qp, free := cdoubles(q)
		defer free()
		so.quantiles = qp
		so.quantile_count = C.size_t(len(q))
		if opts.MaxAgeMs != 0 {
			so.max_age_ms = C.int64_t(opts.MaxAgeMs)
		}
		if opts.AgeBuckets != 0 {
			so.age_buckets = C.int32_t(opts.AgeBuckets)
		}
		if opts.MaxSamplesPerBucket != 0 {
			so.max_samples_per_bucket = C.uint64_t(opts.MaxSamplesPerBucket)
		}
	}
	err := r.register(o, func(p *C.obsv_registry, co *C.obsv_metric_options, e **C.obsv_error) C.obsv_status {
		return C.obsv_registry_summary(p, co, so, &f.p, e)
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Info registers an info family (`<name>_info{...} 1`).
func (r *Registry) Info(o MetricOpts) (*InfoFamily, error) {
	f := &InfoFamily{family: r.newFamily(o.Name, "_info")}
	err := r.register(o, func(p *C.obsv_registry, co *C.obsv_metric_options, e **C.obsv_error) C.obsv_status {
		return C.obsv_registry_info(p, co, &f.p, e)
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// Stateset registers a stateset family with 1 to 64 states.
func (r *Registry) Stateset(o MetricOpts, states ...string) (*StatesetFamily, error) {
	f := &StatesetFamily{family: r.newFamily(o.Name, "")}
	cs := newCStrings(states...)
	defer cs.free()
	err := r.register(o, func(p *C.obsv_registry, co *C.obsv_metric_options, e **C.obsv_error) C.obsv_status {
		return C.obsv_registry_stateset(p, co, cs.first(), C.size_t(len(states)), &f.p, e)
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

// ---------------------------------------------------------------------------
// Updates

func (g Gauge) Set(v float64) {
	if g.ok() {
		C.obsv_gauge_set(g.h, C.double(v))
		runtime.KeepAlive(g.r)
	}
}
func (g Gauge) Inc() {
	if g.ok() {
		C.obsv_gauge_inc(g.h)
		runtime.KeepAlive(g.r)
	}
}
func (g Gauge) Dec() {
	if g.ok() {
		C.obsv_gauge_dec(g.h)
		runtime.KeepAlive(g.r)
	}
}
func (g Gauge) Add(v float64) {
	if g.ok() {
		C.obsv_gauge_add(g.h, C.double(v))
		runtime.KeepAlive(g.r)
	}
}

// SetToCurrentTime sets the gauge to the Unix time in seconds.
func (g Gauge) SetToCurrentTime() {
	if g.ok() {
		C.obsv_gauge_set_to_current_time(g.h)
		runtime.KeepAlive(g.r)
	}
}
func (g Gauge) Value() float64 {
	if !g.ok() {
		return 0
	}
	v := float64(C.obsv_gauge_value(g.h))
	runtime.KeepAlive(g.r)
	return v
}

// Observe records v (NaN goes to +Inf and makes the sum NaN).
func (h Histogram) Observe(v float64) {
	if h.ok() {
		C.obsv_histogram_observe(h.h, C.double(v))
		runtime.KeepAlive(h.r)
	}
}

// ObserveWithExemplar records v and keeps labels as the exemplar of v's bucket.
func (h Histogram) ObserveWithExemplar(v float64, labels ...Label) error {
	if !h.ok() {
		return errRegistryClosed
	}
	cl := newCLabels(labels)
	defer cl.free()
	var cerr *C.obsv_error
	st := C.obsv_histogram_observe_with_exemplar(h.h, C.double(v), cl.labels, C.size_t(cl.n), &cerr)
	runtime.KeepAlive(h.r)
	return takeError(st, cerr)
}

// Read returns a consistent count and sum.
func (h Histogram) Read() (count uint64, sum float64) {
	if !h.ok() {
		return 0, 0
	}
	var c C.uint64_t
	var s C.double
	C.obsv_histogram_read(h.h, &c, &s)
	runtime.KeepAlive(h.r)
	return uint64(c), float64(s)
}

// NativeState is a native histogram's state (Histogram.ReadNative).
type NativeState struct {
	Schema                           int32
	ZeroThreshold                    float64
	ZeroCount                        uint64
	PositiveBuckets, NegativeBuckets int // populated buckets
}

// ReadNative returns the native state; ok false for a classic histogram.
func (h Histogram) ReadNative() (st NativeState, ok bool) {
	if !h.ok() {
		return st, false
	}
	var schema C.int32_t
	var zt C.double
	var zc C.uint64_t
	var pos, neg C.size_t
	r := C.obsv_histogram_read_native(h.h, &schema, &zt, &zc, &pos, &neg)
	runtime.KeepAlive(h.r)
	if r == 0 {
		return st, false
	}
	return NativeState{int32(schema), float64(zt), uint64(zc), int(pos), int(neg)}, true
}

// Observe adds n (negative: removes) observations of v.
func (h GaugeHistogram) Observe(v float64, n int64) {
	if h.ok() {
		C.obsv_gauge_histogram_observe(h.h, C.double(v), C.int64_t(n))
		runtime.KeepAlive(h.r)
	}
}

// Read returns a consistent gcount and gsum.
func (h GaugeHistogram) Read() (gcount int64, gsum float64) {
	if !h.ok() {
		return 0, 0
	}
	var c C.int64_t
	var s C.double
	C.obsv_gauge_histogram_read(h.h, &c, &s)
	runtime.KeepAlive(h.r)
	return int64(c), float64(s)
}

// Observe records v (takes the series' mutex).
func (s Summary) Observe(v float64) {
	if s.ok() {
		C.obsv_summary_observe(s.h, C.double(v))
		runtime.KeepAlive(s.r)
	}
}

// Set sets one state on or off; ErrNotFound for an undeclared state.
func (s Stateset) Set(state string, on bool) error {
	if !s.ok() {
		return errRegistryClosed
	}
	cs := newCStrings(state)
	defer cs.free()
	st := C.obsv_stateset_set(s.h, cs.str(0).data, cs.str(0).size, cbool(on))
	runtime.KeepAlive(s.r)
	return takeError(st, nil)
}

// SetOnly sets state and clears every other one.
func (s Stateset) SetOnly(state string) error {
	if !s.ok() {
		return errRegistryClosed
	}
	cs := newCStrings(state)
	defer cs.free()
	st := C.obsv_stateset_set_only(s.h, cs.str(0).data, cs.str(0).size)
	runtime.KeepAlive(s.r)
	return takeError(st, nil)
}

// Get reports whether state is set.
func (s Stateset) Get(state string) bool {
	if !s.ok() {
		return false
	}
	cs := newCStrings(state)
	defer cs.free()
	v := C.obsv_stateset_get(s.h, cs.str(0).data, cs.str(0).size)
	runtime.KeepAlive(s.r)
	return v != 0
}

// ---------------------------------------------------------------------------
// Collectors: Go callbacks run at scrape time

// Sink is where a collector adds its families; valid only during the call.
type Sink struct{ p *C.obsv_family_sink }

// Begin starts a family; the samples added next belong to it. help "" means
// no HELP line.
func (s *Sink) Begin(name string, typ MetricType, help, unit string) error {
	cs := newCStrings(name, help, unit)
	defer cs.free()
	h := cs.str(1)
	if help == "" {
		h = C.obsv_str{}
	}
	return takeError(C.obsv_family_sink_begin(s.p, cs.str(0), C.obsv_metric_type(typ), h, cs.str(2)), nil)
}

// Add adds a sample (full sample name: "x_total", "x_bucket", ...) to the
// current family.
func (s *Sink) Add(name string, labels []Label, value float64) error {
	cs := newCStrings(name)
	defer cs.free()
	cl := newCLabels(labels)
	defer cl.free()
	return takeError(C.obsv_family_sink_add_value(s.p, cs.str(0), cl.labels, C.size_t(cl.n), C.double(value)), nil)
}

// CollectFunc produces families at scrape time, on the scraping goroutine,
// possibly concurrently with itself. Returning an error (or panicking: the
// panic is recovered) drops what it added to that scrape.
type CollectFunc func(s *Sink) error

//export obsvGoCollect
func obsvGoCollect(userData unsafe.Pointer, sink *C.obsv_family_sink) (st C.obsv_status) {
	defer func() {
		if recover() != nil {
			st = C.OBSV_ERR_INTERNAL
		}
	}()
	f := cgo.Handle(*(*C.uintptr_t)(userData)).Value().(CollectFunc)
	if err := f(&Sink{sink}); err != nil {
		if e, ok := err.(*Error); ok && e.Code != StatusOK {
			return C.obsv_status(e.Code)
		}
		return C.OBSV_ERR_INTERNAL
	}
	return C.OBSV_OK
}

//export obsvGoDestroy
func obsvGoDestroy(userData unsafe.Pointer) {
	cgo.Handle(*(*C.uintptr_t)(userData)).Delete()
	C.free(userData)
}

// AddCollector adds a collector under a unique name (ErrAlreadyExists
// otherwise). cacheTTLMs > 0 reuses its last result for that long. The
// registry holds f (through a runtime/cgo.Handle kept in C memory) until
// RemoveCollector or Close. A closure that references the registry keeps
// it reachable through the handle, so such a registry is only freed by
// Close, never by its finalizer.
func (r *Registry) AddCollector(name string, cacheTTLMs int64, f CollectFunc) error {
	p := r.ptr()
	if p == nil {
		return errRegistryClosed
	}
	cs := newCStrings(name)
	defer cs.free()
	// The handle travels as C memory holding its integer: no Go pointer is
	// stored by C, and no integer is disguised as a pointer.
	ud := (*C.uintptr_t)(C.malloc(C.size_t(unsafe.Sizeof(C.uintptr_t(0)))))
	h := cgo.NewHandle(f)
	*ud = C.uintptr_t(h)
	var cerr *C.obsv_error
	st := C.obsv_registry_add_collector(p, cs.str(0).data, cs.str(0).size,
		C.obsv_collect_fn(C.obsvGoCollect), unsafe.Pointer(ud),
		C.obsv_destroy_fn(C.obsvGoDestroy), C.int64_t(cacheTTLMs), &cerr)
	runtime.KeepAlive(r)
	if err := takeError(st, cerr); err != nil {
		h.Delete() // on failure the user data stays ours
		C.free(unsafe.Pointer(ud))
		return err
	}
	return nil
}

// RemoveCollector removes a collector (ErrNotFound if absent).
func (r *Registry) RemoveCollector(name string) error {
	p := r.ptr()
	if p == nil {
		return errRegistryClosed
	}
	cs := newCStrings(name)
	defer cs.free()
	var cerr *C.obsv_error
	st := C.obsv_registry_remove_collector(p, cs.str(0).data, cs.str(0).size, &cerr)
	runtime.KeepAlive(r)
	return takeError(st, cerr)
}

// ---------------------------------------------------------------------------
// Extras: process collector, build info, request metrics

// ProcessCollectorOpts are obsv_process_collector_options ("" fields: defaults).
type ProcessCollectorOpts struct {
	NamePrefix, ProcRoot, CollectorName string
	CacheTTLMs                          int64
}

// AddProcessCollector adds process_cpu_seconds_total and friends; opts nil:
// the defaults.
func (r *Registry) AddProcessCollector(opts *ProcessCollectorOpts) error {
	p := r.ptr()
	if p == nil {
		return errRegistryClosed
	}
	if opts == nil {
		opts = &ProcessCollectorOpts{}
	}
	cs := newCStrings(opts.NamePrefix, opts.ProcRoot, opts.CollectorName)
	defer cs.free()
	o := (*C.obsv_process_collector_options)(C.malloc(C.size_t(unsafe.Sizeof(C.obsv_process_collector_options{}))))
	defer C.free(unsafe.Pointer(o))
	C.obsv_process_collector_options_init(o)
	o.name_prefix, o.proc_root, o.collector_name = cs.str(0), cs.str(1), cs.str(2)
	o.cache_ttl_ms = C.int64_t(opts.CacheTTLMs)
	var cerr *C.obsv_error
	st := C.obsv_registry_add_process_collector(p, o, &cerr)
	runtime.KeepAlive(r)
	return takeError(st, cerr)
}

// BuildInfo is obsv_build_info; Compiler "" means libobsv's compiler.
type BuildInfo struct {
	Version, Revision, Branch, BuildDate, Compiler string
	ExtraLabels                                    []Label
}

// RegisterBuildInfo registers `<program>_build_info{version,...} 1`.
func (r *Registry) RegisterBuildInfo(program string, bi BuildInfo) error {
	p := r.ptr()
	if p == nil {
		return errRegistryClosed
	}
	cs := newCStrings(program, bi.Version, bi.Revision, bi.Branch, bi.BuildDate, bi.Compiler)
	defer cs.free()
	cl := newCLabels(bi.ExtraLabels)
	defer cl.free()
	o := (*C.obsv_build_info)(C.malloc(C.size_t(unsafe.Sizeof(C.obsv_build_info{}))))
	defer C.free(unsafe.Pointer(o))
	C.obsv_build_info_init(o)
	o.version, o.revision, o.branch, o.build_date, o.compiler = cs.str(1), cs.str(2), cs.str(3), cs.str(4), cs.str(5)
	o.extra_labels = cl.labels
	o.extra_label_count = C.size_t(cl.n)
	var cerr *C.obsv_error
	st := C.obsv_register_build_info(p, cs.str(0).data, cs.str(0).size, o, &cerr)
	runtime.KeepAlive(r)
	return takeError(st, cerr)
}

// RequestMetricsOpts are obsv_request_metrics_options (nil buckets: defaults).
type RequestMetricsOpts struct {
	Prefix, Endpoint             string
	DurationBuckets, SizeBuckets []float64
	ConstLabels                  []Label
}

// RequestMetrics is an obsv_request_metrics: <prefix>_<endpoint>_request_total,
// _request_duration_seconds and _response_sizes. Freed by Close, by the
// registry's Close, or by a finalizer.
type RequestMetrics struct {
	r *Registry
	p *C.obsv_request_metrics
}

// NewRequestMetrics registers the request families of one endpoint.
func (r *Registry) NewRequestMetrics(o RequestMetricsOpts) (*RequestMetrics, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.p == nil {
		return nil, errRegistryClosed
	}
	cs := newCStrings(o.Prefix, o.Endpoint)
	defer cs.free()
	cl := newCLabels(o.ConstLabels)
	defer cl.free()
	db, freeD := cdoubles(o.DurationBuckets)
	defer freeD()
	sb, freeS := cdoubles(o.SizeBuckets)
	defer freeS()
	co := (*C.obsv_request_metrics_options)(C.malloc(C.size_t(unsafe.Sizeof(C.obsv_request_metrics_options{}))))
	defer C.free(unsafe.Pointer(co))
	C.obsv_request_metrics_options_init(co)
	co.prefix, co.endpoint = cs.str(0), cs.str(1)
	co.duration_buckets, co.duration_bucket_count = db, C.size_t(len(o.DurationBuckets))
	co.size_buckets, co.size_bucket_count = sb, C.size_t(len(o.SizeBuckets))
	co.const_labels, co.const_label_count = cl.labels, C.size_t(cl.n)
	m := &RequestMetrics{r: r}
	var cerr *C.obsv_error
	if err := takeError(C.obsv_request_metrics_new(r.p, co, &m.p, &cerr), cerr); err != nil {
		return nil, err
	}
	r.reqs[m] = struct{}{}
	runtime.SetFinalizer(m, (*RequestMetrics).Close)
	return m, nil
}

// Observe records one finished request: method (unknown ones count as
// OTHER), status code, duration and response size in bytes.
func (m *RequestMetrics) Observe(method string, code int, duration time.Duration, bytes int) {
	if m.r.closed.Load() {
		return
	}
	var b [16]byte // methods are short: no allocation for them
	var mp *C.char
	n := copy(b[:], method)
	cs := cstrings{}
	if len(method) > len(b) {
		cs = newCStrings(method)
		defer cs.free()
		mp, n = cs.str(0).data, len(method)
	} else {
		mp = (*C.char)(unsafe.Pointer(&b[0]))
	}
	C.obsv_request_metrics_observe(m.p, mp, C.size_t(n), C.int(code), C.double(duration.Seconds()), C.double(bytes))
	runtime.KeepAlive(m)
}

// Close frees the handle; idempotent. Must not overlap Observe.
func (m *RequestMetrics) Close() error {
	m.r.mu.Lock()
	defer m.r.mu.Unlock()
	if m.p != nil {
		C.obsv_request_metrics_free(m.p)
		m.p = nil
		delete(m.r.reqs, m)
	}
	runtime.SetFinalizer(m, nil)
	return nil
}

// ---------------------------------------------------------------------------
// Exposition

// ExposeFormat writes the whole registry in format (text, OpenMetrics or
// protobuf).
func (r *Registry) ExposeFormat(f Format) ([]byte, error) {
	p := r.ptr()
	if p == nil {
		return nil, errRegistryClosed
	}
	var out *C.char
	var n C.size_t
	var cerr *C.obsv_error
	st := C.obsv_registry_expose(p, C.obsv_format(f), &out, &n, &cerr)
	runtime.KeepAlive(r)
	if err := takeError(st, cerr); err != nil {
		return nil, err
	}
	defer C.obsv_string_free(out)
	return C.GoBytes(unsafe.Pointer(out), C.int(n)), nil
}

// ExposeInto writes the whole registry in format f into buf, as
// ExposeFormat but into the caller's memory: the library renders into a
// per-thread scratch string it reuses, so a scrape loop that keeps its
// buffer allocates nothing in the steady state. It returns the number of
// bytes written (buf[:n]). If the exposition does not fit, buf is left
// untouched and ExposeInto returns the length it needs with an *Error
// whose Code is ErrBufferTooSmall; the registry keeps changing, so retry
// with some room to spare. A nil or empty buf asks for the size.
func (r *Registry) ExposeInto(f Format, buf []byte) (int, error) {
	p := r.ptr()
	if p == nil {
		return 0, errRegistryClosed
	}
	var needed C.size_t
	var cerr *C.obsv_error
	// C writes into buf only during the call and keeps no pointer to it.
	st := C.obsv_registry_expose_into(p, C.obsv_format(f), cbytes(buf), C.size_t(len(buf)), &needed, &cerr)
	runtime.KeepAlive(r)
	if err := takeError(st, cerr); err != nil {
		if st == C.OBSV_ERR_BUFFER_TOO_SMALL {
			return int(needed), err
		}
		return 0, err
	}
	return int(needed), nil
}

// Exposition is an HTTP /metrics response.
type Exposition struct {
	Body            []byte
	ContentType     string
	ContentEncoding string // "" or "gzip"
}

// Expose negotiates the format from an Accept header and the encoding from
// Accept-Encoding (either may be "") and writes the registry.
func (r *Registry) Expose(accept, acceptEncoding string) (Exposition, error) {
	p := r.ptr()
	if p == nil {
		return Exposition{}, errRegistryClosed
	}
	cs := newCStrings(accept, acceptEncoding)
	defer cs.free()
	var out *C.char
	var n C.size_t
	var ctype, cenc *C.char
	var cerr *C.obsv_error
	st := C.obsv_registry_expose_http(p, cs.str(0).data, cs.str(0).size, cs.str(1).data, cs.str(1).size,
		&out, &n, &ctype, &cenc, &cerr)
	runtime.KeepAlive(r)
	if err := takeError(st, cerr); err != nil {
		return Exposition{}, err
	}
	defer C.obsv_string_free(out)
	return Exposition{C.GoBytes(unsafe.Pointer(out), C.int(n)), C.GoString(ctype), C.GoString(cenc)}, nil
}

// NegotiateFormat picks the format and Content-Type for an Accept header.
func NegotiateFormat(accept string) (Format, string) {
	cs := newCStrings(accept)
	defer cs.free()
	var f C.obsv_format
	var ct *C.char
	C.obsv_negotiate_format(cs.str(0).data, cs.str(0).size, &f, &ct)
	return Format(f), C.GoString(ct)
}

var _ = fmt.Sprint

// NativeBucket is one bucket of a native histogram: its index at the
// histogram's schema (bucket i covers (2^((i-1)*2^-schema), 2^(i*2^-schema)]
// of |v|) and its count (> 0).
type NativeBucket struct {
	Index int32
	Count uint64
}

// NativeSnapshot is a native histogram series read whole, from one
// consistent snapshot: Count == ZeroCount + every bucket's count.
type NativeSnapshot struct {
	Schema             int32
	ZeroThreshold      float64
	ZeroCount          uint64
	Count              uint64
	Sum                float64
	Positive, Negative []NativeBucket // by ascending index
}

// ReadNativeBuckets reads the series with its buckets, as a scrape sees it
// (obsv_histogram_read_native_buckets); ErrInvalidArgument for a classic
// histogram or an empty handle.
func (h Histogram) ReadNativeBuckets() (NativeSnapshot, error) {
	var snap NativeSnapshot
	pos, neg := 16, 16
	if st, ok := h.ReadNative(); ok {
		pos, neg = st.PositiveBuckets+16, st.NegativeBuckets+16
	}
	// The series keeps changing between the size query and the read: retry
	// with what the read says it needs (a bucket limit bounds it).
	for {
		pb := make([]C.obsv_native_bucket, pos)
		nb := make([]C.obsv_native_bucket, neg)
		var state C.obsv_native_histogram_state
		var cerr *C.obsv_error
		// C writes into the slices only during the call (no Go pointers in them).
		st := C.obsv_histogram_read_native_buckets(h.h, &state, &pb[0], C.size_t(pos), &nb[0], C.size_t(neg), &cerr)
		runtime.KeepAlive(h.r)
		if st == C.OBSV_ERR_BUFFER_TOO_SMALL {
			C.obsv_error_free(cerr)
			pos, neg = int(state.positive_count)+16, int(state.negative_count)+16
			continue
		}
		if err := takeError(st, cerr); err != nil {
			return snap, err
		}
		snap = NativeSnapshot{
			Schema:        int32(state.schema),
			ZeroThreshold: float64(state.zero_threshold),
			ZeroCount:     uint64(state.zero_count),
			Count:         uint64(state.count),
			Sum:           float64(state.sum),
		}
		for _, b := range pb[:state.positive_count] {
			snap.Positive = append(snap.Positive, NativeBucket{int32(b.index), uint64(b.count)})
		}
		for _, b := range nb[:state.negative_count] {
			snap.Negative = append(snap.Negative, NativeBucket{int32(b.index), uint64(b.count)})
		}
		return snap, nil
	}
}
