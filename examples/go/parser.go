package obsv

/*
#include <stdlib.h>
#include <string.h>
#include "obsv/c_api.h"

// One cgo call for all the labels of a sample instead of two per label:
// fills out[2i], out[2i+1] with the views of label i (up to cap labels) and
// returns the label count.
static size_t obsvgo_labels(const obsv_parser* p, obsv_str* out, size_t cap) {
  size_t n = obsv_parser_label_count(p);
  for (size_t i = 0; i < n && i < cap; i++) {
    out[2 * i] = obsv_parser_label_name(p, i);
    out[2 * i + 1] = obsv_parser_label_value(p, i);
  }
  return n;
}
*/
import "C"

import (
	"runtime"
	"slices"
	"unsafe"
)

// Options are the parser's mode and budgets for untrusted input; see
// DefaultOptions for the library's defaults (documented in
// include/obsv/exposition_parser.h). Exceeding a budget is an ErrLimitExceeded.
type Options struct {
	Format             Format // FormatAuto detects it from the content
	Strict             bool   // false: accept what Prometheus's scraper accepts
	MaxBodyBytes       uint64
	MaxLineBytes       uint32
	MaxLabelsPerSeries uint32
	MaxLabelNameBytes  uint32
	MaxLabelValueBytes uint32
	MaxSeries          uint64 // sample lines
	MaxFamilies        uint32 // distinct family names
}

// DefaultOptions returns the library's defaults: auto-detected format,
// lenient mode, 1 GiB bodies, 1 MiB lines, ...
func DefaultOptions() Options {
	var o C.obsv_parser_options
	C.obsv_parser_options_init(&o)
	return Options{
		Format:             Format(o.format),
		Strict:             o.strict != 0,
		MaxBodyBytes:       uint64(o.max_body_bytes),
		MaxLineBytes:       uint32(o.max_line_bytes),
		MaxLabelsPerSeries: uint32(o.max_labels_per_series),
		MaxLabelNameBytes:  uint32(o.max_label_name_bytes),
		MaxLabelValueBytes: uint32(o.max_label_value_bytes),
		MaxSeries:          uint64(o.max_series),
		MaxFamilies:        uint32(o.max_families),
	}
}

func (o *Options) c() C.obsv_parser_options {
	return C.obsv_parser_options{
		format:                C.obsv_format(o.Format),
		strict:                cbool(o.Strict),
		max_body_bytes:        C.uint64_t(o.MaxBodyBytes),
		max_line_bytes:        C.uint32_t(o.MaxLineBytes),
		max_labels_per_series: C.uint32_t(o.MaxLabelsPerSeries),
		max_label_name_bytes:  C.uint32_t(o.MaxLabelNameBytes),
		max_label_value_bytes: C.uint32_t(o.MaxLabelValueBytes),
		max_series:            C.uint64_t(o.MaxSeries),
		max_families:          C.uint32_t(o.MaxFamilies),
	}
}

// Entry is what Parser.Next found.
type Entry int

const (
	EntryEnd      Entry = C.OBSV_ENTRY_END       // the body is done
	EntryNeedMore Entry = C.OBSV_ENTRY_NEED_MORE // Feed the next chunk, or Finish
	EntryHelp     Entry = C.OBSV_ENTRY_HELP
	EntryType     Entry = C.OBSV_ENTRY_TYPE
	EntryUnit     Entry = C.OBSV_ENTRY_UNIT
	EntrySample   Entry = C.OBSV_ENTRY_SAMPLE
	EntryComment  Entry = C.OBSV_ENTRY_COMMENT
	EntryError    Entry = C.OBSV_ENTRY_ERROR // see Parser.Error
)

func (e Entry) String() string {
	switch e {
	case EntryEnd:
		return "end"
	case EntryNeedMore:
		return "need_more"
	case EntryHelp:
		return "help"
	case EntryType:
		return "type"
	case EntryUnit:
		return "unit"
	case EntrySample:
		return "sample"
	case EntryComment:
		return "comment"
	case EntryError:
		return "error"
	}
	return "Entry(?)"
}

// Label is one name="value" pair, unescaped.
type Label struct {
	Name, Value string
}

// Exemplar is the exemplar of an OpenMetrics sample.
type Exemplar struct {
	Labels       []Label
	Value        float64
	HasTimestamp bool
	TimestampMs  int64
	Nanos        int32 // 0..999999 below TimestampMs
}

// Sample is a copy of the parser's current sample (see Parser.Sample).
type Sample struct {
	Name         string // full name, e.g. "x_bucket"
	Family       string
	Suffix       Suffix
	Labels       []Label // in input order
	Value        float64
	ValueText    string
	HasTimestamp bool
	TimestampMs  int64
	Nanos        int32
	Exemplar     *Exemplar // nil when there is none
}

// cbuf is a malloc'd buffer that holds a copy of Go bytes for as long as the
// parser may read them (cgo forbids C keeping pointers to unpinned Go memory).
type cbuf struct {
	ptr unsafe.Pointer
	cap int
}

// fill copies b into the buffer, growing it if needed. Never leaves ptr NULL,
// so an empty body is a valid pointer of length 0.
func (c *cbuf) fill(b []byte) {
	if c.ptr == nil || c.cap < len(b) {
		C.free(c.ptr)
		n := len(b)
		if n == 0 {
			n = 1
		}
		c.ptr = C.malloc(C.size_t(n))
		if c.ptr == nil {
			panic("obsv: out of C memory")
		}
		c.cap = n
	}
	if len(b) > 0 {
		C.memcpy(c.ptr, unsafe.Pointer(&b[0]), C.size_t(len(b)))
	}
}

func (c *cbuf) free() {
	C.free(c.ptr)
	c.ptr, c.cap = nil, 0
}

// handle owns the C side of a Parser. It is separate from Parser so that a
// cleanup can free it when a Parser is dropped without Close.
type handle struct {
	p *C.obsv_parser
	// cur is the body (Reset) or chunk (Feed) the parser is reading; spare is
	// the buffer the next Feed copies into. They swap after a successful Feed,
	// when the parser has drained cur (it returned EntryNeedMore).
	cur, spare cbuf
	// views receives label views from obsvgo_labels: C memory, so that the
	// call passes no Go pointer (and cgocheck has nothing to scan).
	views    *C.obsv_str
	viewsCap int // in labels; views holds 2*viewsCap entries
}

// labelViews returns the views of the current sample's labels, valid until
// the parser's next call, in C memory owned by h.
func (h *handle) labelViews() []C.obsv_str {
	if h.views == nil {
		h.growViews(16)
	}
	n := int(C.obsvgo_labels(h.p, h.views, C.size_t(h.viewsCap)))
	if n > h.viewsCap {
		h.growViews(n)
		n = int(C.obsvgo_labels(h.p, h.views, C.size_t(h.viewsCap)))
	}
	return unsafe.Slice(h.views, 2*n)
}

func (h *handle) growViews(n int) {
	C.free(unsafe.Pointer(h.views))
	h.views = (*C.obsv_str)(C.malloc(C.size_t(2*n) * C.size_t(unsafe.Sizeof(C.obsv_str{}))))
	if h.views == nil {
		panic("obsv: out of C memory")
	}
	h.viewsCap = n
}

func (h *handle) free() {
	C.obsv_parser_free(h.p)
	h.p = nil
	h.cur.free()
	h.spare.free()
	C.free(unsafe.Pointer(h.views))
	h.views, h.viewsCap = nil, 0
}

// Parser is a streaming pull parser of one body at a time, reusable through
// Reset. Not safe for concurrent use. Close frees it; a Parser dropped
// without Close is freed by the garbage collector.
type Parser struct {
	h       *handle
	cleanup runtime.Cleanup
}

// NewParser creates a parser; opts nil means DefaultOptions().
func NewParser(opts *Options) (*Parser, error) {
	var (
		cp   *C.obsv_parser
		cerr *C.obsv_error
		st   C.obsv_status
	)
	if opts == nil {
		st = C.obsv_parser_new(nil, &cp, &cerr)
	} else {
		co := opts.c()
		st = C.obsv_parser_new(&co, &cp, &cerr)
	}
	if err := takeError(st, cerr); err != nil {
		C.obsv_parser_free(cp)
		return nil, err
	}
	p := &Parser{h: &handle{p: cp}}
	p.cleanup = runtime.AddCleanup(p, func(h *handle) { h.free() }, p.h)
	return p, nil
}

// Close frees the parser. Calling it again is a no-op.
func (p *Parser) Close() {
	if p.h == nil {
		return
	}
	p.cleanup.Stop()
	p.h.free()
	p.h = nil
}

// cp returns the C parser, nil once closed. Every method that calls C with
// it ends with runtime.KeepAlive(p) so the cleanup cannot free the parser
// during the call.
func (p *Parser) cp() *C.obsv_parser {
	if p.h == nil {
		return nil
	}
	return p.h.p
}

var errClosed = &Error{Code: ErrInvalidArgument, Message: "obsv: parser is closed"}

// Reset starts over on a complete body. The body is copied: the caller may
// reuse it once Reset returns.
func (p *Parser) Reset(body []byte) error {
	if p.h == nil {
		return errClosed
	}
	p.h.cur.fill(body)
	st := C.obsv_parser_reset(p.h.p, (*C.char)(p.h.cur.ptr), C.size_t(len(body)))
	runtime.KeepAlive(p)
	return p.statusError(st)
}

// Feed gives the parser the next chunk of a body: the first one right after
// NewParser or Reset(nil) (which starts a new incremental body on a reused
// parser), later ones after Next returned EntryNeedMore for the previous
// chunk. The chunk is copied: the caller may reuse it once Feed returns. An error means the parser is in error (see Error) or was fed
// before being drained (ErrFailedPrecondition).
func (p *Parser) Feed(chunk []byte) error {
	if p.h == nil {
		return errClosed
	}
	h := p.h
	h.spare.fill(chunk)
	st := C.obsv_parser_feed(h.p, (*C.char)(h.spare.ptr), C.size_t(len(chunk)))
	runtime.KeepAlive(p)
	if st == C.OBSV_OK {
		// The parser now reads spare and is done with cur.
		h.cur, h.spare = h.spare, h.cur
		return nil
	}
	return p.statusError(st)
}

// Finish tells the parser no more chunks come; Next then runs to EntryEnd.
func (p *Parser) Finish() error {
	if p.h == nil {
		return errClosed
	}
	st := C.obsv_parser_finish(p.h.p)
	runtime.KeepAlive(p)
	return p.statusError(st)
}

// statusError turns a status into the parser's error (with its position) or,
// when the parser has none, into an *Error with the bare status.
func (p *Parser) statusError(st C.obsv_status) error {
	if st == C.OBSV_OK {
		return nil
	}
	if err := p.Error(); err != nil {
		if e := err.(*Error); e.Code == Status(st) {
			return e
		}
	}
	return &Error{Code: Status(st), Message: Status(st).String()}
}

// Next advances to the next entry. After EntryError, Error says why; after
// EntryEnd the body is done; after EntryNeedMore, Feed or Finish.
func (p *Parser) Next() Entry {
	if p.h == nil {
		return EntryError
	}
	e := Entry(C.obsv_parser_next(p.h.p))
	runtime.KeepAlive(p)
	return e
}

// Error returns the parser's current error as an *Error, or nil.
func (p *Parser) Error() error {
	if p.h == nil {
		return errClosed
	}
	e := C.obsv_parser_error(p.h.p)
	if e == nil {
		runtime.KeepAlive(p)
		return nil
	}
	err := copyError(e) // borrowed: copy, never free
	runtime.KeepAlive(p)
	return err
}

// Format returns the format in use, once known (FormatAuto before).
func (p *Parser) Format() Format {
	cp := p.cp()
	if cp == nil {
		return FormatAuto
	}
	f := Format(C.obsv_parser_format(cp))
	runtime.KeepAlive(p)
	return f
}

// The accessors below describe the current entry; each returns a Go copy.
// They return zero values for entries they do not apply to.

// Line returns the 1-based line of the current entry.
func (p *Parser) Line() int {
	cp := p.cp()
	if cp == nil {
		return 0
	}
	n := int(C.obsv_parser_line(cp))
	runtime.KeepAlive(p)
	return n
}

func (p *Parser) str(f func(*C.obsv_parser) C.obsv_str) string {
	cp := p.cp()
	if cp == nil {
		return ""
	}
	s := gostr(f(cp))
	runtime.KeepAlive(p)
	return s
}

// FamilyName returns the family of a HELP/TYPE/UNIT entry or of a sample.
func (p *Parser) FamilyName() string {
	return p.str(func(cp *C.obsv_parser) C.obsv_str { return C.obsv_parser_family_name(cp) })
}

// Help returns the unescaped text of a HELP entry.
func (p *Parser) Help() string {
	return p.str(func(cp *C.obsv_parser) C.obsv_str { return C.obsv_parser_help(cp) })
}

// Unit returns the unit of a UNIT entry.
func (p *Parser) Unit() string {
	return p.str(func(cp *C.obsv_parser) C.obsv_str { return C.obsv_parser_unit(cp) })
}

// Comment returns the text of a comment entry.
func (p *Parser) Comment() string {
	return p.str(func(cp *C.obsv_parser) C.obsv_str { return C.obsv_parser_comment(cp) })
}

// MetricName returns the full name of a sample, e.g. "x_bucket".
func (p *Parser) MetricName() string {
	return p.str(func(cp *C.obsv_parser) C.obsv_str { return C.obsv_parser_metric_name(cp) })
}

// ValueText returns the value of a sample as written.
func (p *Parser) ValueText() string {
	return p.str(func(cp *C.obsv_parser) C.obsv_str { return C.obsv_parser_value_text(cp) })
}

// Type returns the type of a TYPE entry or of a sample's family.
func (p *Parser) Type() MetricType {
	cp := p.cp()
	if cp == nil {
		return TypeUnknown
	}
	t := MetricType(C.obsv_parser_type(cp))
	runtime.KeepAlive(p)
	return t
}

// Suffix returns the role of a sample in its family.
func (p *Parser) Suffix() Suffix {
	cp := p.cp()
	if cp == nil {
		return SuffixNone
	}
	s := Suffix(C.obsv_parser_suffix(cp))
	runtime.KeepAlive(p)
	return s
}

// LabelCount returns the number of labels of a sample (without the name).
func (p *Parser) LabelCount() int {
	cp := p.cp()
	if cp == nil {
		return 0
	}
	n := int(C.obsv_parser_label_count(cp))
	runtime.KeepAlive(p)
	return n
}

// Labels returns the labels of a sample in input order, unescaped.
func (p *Parser) Labels() []Label {
	return p.AppendLabels(nil)
}

// AppendLabels appends the labels of a sample to dst, in input order, and
// returns the extended slice; reusing dst saves an allocation per sample.
func (p *Parser) AppendLabels(dst []Label) []Label {
	cp := p.cp()
	if cp == nil {
		return dst
	}
	views := p.h.labelViews()
	dst = slices.Grow(dst, len(views)/2)
	for i := 0; i+1 < len(views); i += 2 {
		dst = append(dst, Label{gostr(views[i]), gostr(views[i+1])})
	}
	runtime.KeepAlive(p)
	return dst
}

// Value returns the value of a sample.
func (p *Parser) Value() float64 {
	cp := p.cp()
	if cp == nil {
		return 0
	}
	v := float64(C.obsv_parser_value(cp))
	runtime.KeepAlive(p)
	return v
}

// Timestamp returns the timestamp of a sample in ms plus the nanoseconds
// below it, and whether it has one.
func (p *Parser) Timestamp() (ms int64, nanos int32, ok bool) {
	cp := p.cp()
	if cp == nil {
		return 0, 0, false
	}
	var cms C.int64_t
	var cns C.int32_t
	has := C.obsv_parser_timestamp(cp, &cms, &cns) != 0
	runtime.KeepAlive(p)
	if !has {
		return 0, 0, false
	}
	return int64(cms), int32(cns), true
}

// Exemplar returns the exemplar of an OpenMetrics sample, if it has one.
func (p *Parser) Exemplar() (*Exemplar, bool) {
	cp := p.cp()
	if cp == nil || C.obsv_parser_has_exemplar(cp) == 0 {
		runtime.KeepAlive(p)
		return nil, false
	}
	n := C.obsv_parser_exemplar_label_count(cp)
	ex := &Exemplar{Labels: make([]Label, int(n)), Value: float64(C.obsv_parser_exemplar_value(cp))}
	for i := C.size_t(0); i < n; i++ {
		ex.Labels[i] = Label{gostr(C.obsv_parser_exemplar_label_name(cp, i)),
			gostr(C.obsv_parser_exemplar_label_value(cp, i))}
	}
	var cms C.int64_t
	var cns C.int32_t
	if C.obsv_parser_exemplar_timestamp(cp, &cms, &cns) != 0 {
		ex.HasTimestamp, ex.TimestampMs, ex.Nanos = true, int64(cms), int32(cns)
	}
	runtime.KeepAlive(p)
	return ex, true
}

// Sample copies out the current sample in one go.
func (p *Parser) Sample() Sample {
	s := Sample{
		Name:      p.MetricName(),
		Family:    p.FamilyName(),
		Suffix:    p.Suffix(),
		Labels:    p.Labels(),
		Value:     p.Value(),
		ValueText: p.ValueText(),
	}
	s.TimestampMs, s.Nanos, s.HasTimestamp = p.Timestamp()
	s.Exemplar, _ = p.Exemplar()
	return s
}
