package obsv

// The PromQL part of the C ABI (include/obsv/c_api_promql.h): parse, print
// (canonical and pretty), read the syntax tree, scope queries and series
// selectors to a tenant, and expand query templates.
//
// Scope a user's query to tenant "a" before relaying it:
//
//	inj, err := obsv.NewInjector([]obsv.Matcher{{Name: "tenant", Op: obsv.MatchEqual, Value: "a"}},
//		obsv.ConflictError)
//	if err != nil { ... }
//	defer inj.Close()
//	scoped, err := inj.InjectQuery(`sum(rate(x[5m]))`, nil) // sum(rate(x{tenant="a"}[5m]))
//	if err != nil {
//		// *obsv.Error: ErrPermissionDenied at the user's conflicting matcher,
//		// or a parse error ("1:14: parse error: ...") with its position.
//	}
//
// Every string the library returns is copied into Go memory; ParseQuery
// copies the whole tree into Go values and frees the C tree before it
// returns, so a *Query has no Close.

/*
#include "obsv/c_api_promql.h"

// Everything scalar about a node in one cgo call instead of fifteen.
typedef struct obsvgo_node_info {
  int kind;
  int type;
  uint32_t start, end;
  size_t children, matchers, labels, includes;
  obsv_str name;
  obsv_str str;
  double number;
  int without, on, is_bool, card;
  int64_t range_ms, step_ms, offset_ms;
} obsvgo_node_info;

static void obsvgo_node(const obsv_promql_node* n, obsvgo_node_info* out) {
  out->kind = (int)obsv_promql_node_kind_of(n);
  out->type = (int)obsv_promql_node_type(n);
  out->start = obsv_promql_node_start(n);
  out->end = obsv_promql_node_end(n);
  out->children = obsv_promql_node_child_count(n);
  out->matchers = obsv_promql_node_matcher_count(n);
  out->labels = obsv_promql_node_label_count(n);
  out->includes = obsv_promql_node_include_count(n);
  out->name = obsv_promql_node_name(n);
  out->str = obsv_promql_node_string(n);
  out->number = obsv_promql_node_number(n);
  out->without = obsv_promql_node_without(n);
  out->on = obsv_promql_node_on(n);
  out->is_bool = obsv_promql_node_bool(n);
  out->card = (int)obsv_promql_node_cardinality(n);
  out->range_ms = obsv_promql_node_range_ms(n);
  out->step_ms = obsv_promql_node_step_ms(n);
  out->offset_ms = obsv_promql_node_offset_ms(n);
}
*/
import "C"

import (
	"fmt"
	"runtime"
	"time"
)

// QueryFeature is syntax Prometheus gates behind --enable-feature.
type QueryFeature uint64

const (
	// FeatureExperimentalFunctions enables limitk, limit_ratio, info,
	// sort_by_label, mad_over_time, ... (promql-experimental-functions).
	FeatureExperimentalFunctions QueryFeature = C.OBSV_PROMQL_FEATURE_EXPERIMENTAL_FUNCTIONS
	// FeatureDurationExpressions enables arithmetic in ranges, steps and
	// offsets: x[5m + 1m] (promql-duration-expr).
	FeatureDurationExpressions QueryFeature = C.OBSV_PROMQL_FEATURE_DURATION_EXPRESSIONS
	// FeatureExtendedRangeSelectors enables `anchored` and `smoothed`
	// (promql-extended-range-selectors).
	FeatureExtendedRangeSelectors QueryFeature = C.OBSV_PROMQL_FEATURE_EXTENDED_RANGE_SELECTORS
)

// QueryOptions are the budgets of the PromQL parser for untrusted queries;
// see DefaultQueryOptions. Exceeding one is an ErrLimitExceeded. A nil
// *QueryOptions anywhere means the defaults.
type QueryOptions struct {
	MaxQueryBytes          uint32       // default 1 MiB
	MaxDepth               uint32       // height of the tree, default 256
	MaxNodes               uint32       // default 100000
	MaxSelectors           uint32       // default 10000
	MaxMatchersPerSelector uint32       // default 256
	Features               QueryFeature // OR of features; none by default
}

// DefaultQueryOptions returns the library's defaults.
func DefaultQueryOptions() QueryOptions {
	var o C.obsv_promql_options
	C.obsv_promql_options_init(&o)
	return QueryOptions{
		MaxQueryBytes:          uint32(o.max_query_bytes),
		MaxDepth:               uint32(o.max_depth),
		MaxNodes:               uint32(o.max_nodes),
		MaxSelectors:           uint32(o.max_selectors),
		MaxMatchersPerSelector: uint32(o.max_matchers_per_selector),
		Features:               QueryFeature(o.features),
	}
}

// c returns the options as the C struct (Go memory without Go pointers,
// which C may read during a call); nil for nil, the library's defaults.
func (o *QueryOptions) c() *C.obsv_promql_options {
	if o == nil {
		return nil
	}
	return &C.obsv_promql_options{
		max_query_bytes:           C.uint32_t(o.MaxQueryBytes),
		max_depth:                 C.uint32_t(o.MaxDepth),
		max_nodes:                 C.uint32_t(o.MaxNodes),
		max_selectors:             C.uint32_t(o.MaxSelectors),
		max_matchers_per_selector: C.uint32_t(o.MaxMatchersPerSelector),
		features:                  C.uint64_t(o.Features),
	}
}

// FormatQuery parses query and returns Prometheus's canonical String() form
// of it, e.g. `sum by (job) (rate(x{a="1",b="2"}[5m]))`. Errors are
// *Error with the position; the message is Prometheus's ("1:7: parse
// error: ...").
func FormatQuery(query string, opts *QueryOptions) (string, error) {
	return callForString(func(out **C.char, n *C.size_t, cerr **C.obsv_error) C.obsv_status {
		return C.obsv_promql_format_query(cstr(query), C.size_t(len(query)), opts.c(), out, n, cerr)
	})
}

// PrettyQuery is FormatQuery with Prometheus's Prettify() layout: what does
// not fit in 100 columns is split over indented lines.
func PrettyQuery(query string, opts *QueryOptions) (string, error) {
	return callForString(func(out **C.char, n *C.size_t, cerr **C.obsv_error) C.obsv_status {
		return C.obsv_promql_pretty_query(cstr(query), C.size_t(len(query)), opts.c(), out, n, cerr)
	})
}

// NodeKind is the kind of a syntax tree node.
type NodeKind int

const (
	NodeNumber         NodeKind = C.OBSV_PROMQL_NUMBER          // 1, 0x1f, Inf, 5m as a number
	NodeString         NodeKind = C.OBSV_PROMQL_STRING          // "text"
	NodeVectorSelector NodeKind = C.OBSV_PROMQL_VECTOR_SELECTOR // name{matchers} offset d @ t
	NodeMatrixSelector NodeKind = C.OBSV_PROMQL_MATRIX_SELECTOR // selector[range]; child 0: the selector
	NodeSubquery       NodeKind = C.OBSV_PROMQL_SUBQUERY        // expr[range:step]; child 0: expr
	NodeCall           NodeKind = C.OBSV_PROMQL_CALL            // fn(args); children: the arguments
	NodeAggregate      NodeKind = C.OBSV_PROMQL_AGGREGATE       // op by (labels) (param, expr)
	NodeBinary         NodeKind = C.OBSV_PROMQL_BINARY          // lhs op rhs; children lhs, rhs
	NodeUnary          NodeKind = C.OBSV_PROMQL_UNARY           // -expr / +expr; child 0
	NodeParen          NodeKind = C.OBSV_PROMQL_PAREN           // (expr); child 0
)

func (k NodeKind) String() string {
	switch k {
	case NodeNumber:
		return "number"
	case NodeString:
		return "string"
	case NodeVectorSelector:
		return "vector_selector"
	case NodeMatrixSelector:
		return "matrix_selector"
	case NodeSubquery:
		return "subquery"
	case NodeCall:
		return "call"
	case NodeAggregate:
		return "aggregate"
	case NodeBinary:
		return "binary"
	case NodeUnary:
		return "unary"
	case NodeParen:
		return "paren"
	}
	return fmt.Sprintf("NodeKind(%d)", int(k))
}

// ValueType is the type a node evaluates to.
type ValueType int

const (
	ValueNone   ValueType = C.OBSV_PROMQL_TYPE_NONE
	ValueScalar ValueType = C.OBSV_PROMQL_TYPE_SCALAR
	ValueVector ValueType = C.OBSV_PROMQL_TYPE_VECTOR // instant vector
	ValueMatrix ValueType = C.OBSV_PROMQL_TYPE_MATRIX // range vector
	ValueString ValueType = C.OBSV_PROMQL_TYPE_STRING
)

func (t ValueType) String() string {
	switch t {
	case ValueNone:
		return "none"
	case ValueScalar:
		return "scalar"
	case ValueVector:
		return "vector"
	case ValueMatrix:
		return "matrix"
	case ValueString:
		return "string"
	}
	return fmt.Sprintf("ValueType(%d)", int(t))
}

// MatchOp is the operator of a label matcher.
type MatchOp int

const (
	MatchEqual    MatchOp = C.OBSV_MATCH_EQUAL     // =
	MatchNotEqual MatchOp = C.OBSV_MATCH_NOT_EQUAL // !=
	MatchRegex    MatchOp = C.OBSV_MATCH_REGEX     // =~
	MatchNotRegex MatchOp = C.OBSV_MATCH_NOT_REGEX // !~
)

// String returns the operator as PromQL writes it: "=", "!=", "=~", "!~".
func (op MatchOp) String() string {
	switch op {
	case MatchEqual:
		return "="
	case MatchNotEqual:
		return "!="
	case MatchRegex:
		return "=~"
	case MatchNotRegex:
		return "!~"
	}
	return fmt.Sprintf("MatchOp(%d)", int(op))
}

// Matcher is a label matcher, unquoted and unescaped.
type Matcher struct {
	Name  string
	Op    MatchOp
	Value string
}

// String returns name, operator and value, the value quoted as Go quotes it
// (for messages; not PromQL's exact escaping).
func (m Matcher) String() string { return fmt.Sprintf("%s%s%q", m.Name, m.Op, m.Value) }

// Cardinality is the vector matching of a binary operation.
type Cardinality int

const (
	OneToOne   Cardinality = C.OBSV_PROMQL_ONE_TO_ONE
	ManyToOne  Cardinality = C.OBSV_PROMQL_MANY_TO_ONE  // group_left
	OneToMany  Cardinality = C.OBSV_PROMQL_ONE_TO_MANY  // group_right
	ManyToMany Cardinality = C.OBSV_PROMQL_MANY_TO_MANY // and, or, unless
)

// Node is a node of a parsed query, copied out of the C tree. Fields that do
// not apply to the node's kind are zero (see c_api_promql.h's accessors).
type Node struct {
	Kind NodeKind
	Type ValueType
	// Start and End are the byte range [Start, End) of the node in the
	// parsed query.
	Start, End int
	// Name is a selector's metric name ("" if none), a function's name, an
	// aggregation's operator ("sum", "topk"), a binary operator ("+",
	// "and"), or a unary one ("-", "+").
	Name string
	// Number is a number literal's value (durations in seconds).
	Number float64
	// Str is a string literal's unescaped value.
	Str string
	// Matchers are the matchers written inside a selector's braces (vector
	// selectors and matrix selectors alike), in source order.
	Matchers []Matcher
	// Labels are an aggregation's by/without labels or a binary
	// operation's on/ignoring labels; Include its group_left/group_right
	// labels.
	Labels, Include []string
	// Without: an aggregation with `without`. On: a binary operation with
	// `on` written. Bool: a comparison with `bool`.
	Without, On, Bool bool
	Card              Cardinality
	// Range is a matrix selector's or subquery's range, Step a subquery's
	// step (0 when omitted), Offset a selector's or subquery's offset
	// (negative for `offset -5m`). Millisecond resolution.
	Range, Step, Offset time.Duration
	// Children in source order; an aggregation's parameter comes first when
	// it has one.
	Children []*Node
}

// Walk calls fn for n and its descendants in depth-first pre-order; when fn
// returns false the node's children are skipped.
func (n *Node) Walk(fn func(*Node) bool) {
	if n == nil || !fn(n) {
		return
	}
	for _, c := range n.Children {
		c.Walk(fn)
	}
}

// Query is a parsed query: its tree and its canonical text.
type Query struct {
	Root      *Node
	canonical string
}

// String returns the canonical text of the query, as FormatQuery.
func (q *Query) String() string { return q.canonical }

// ParseQuery parses query and copies its syntax tree into Go values (one
// cgo call per node plus one per matcher, label and child); the C tree is
// freed before it returns.
func ParseQuery(query string, opts *QueryOptions) (*Query, error) {
	var (
		tree *C.obsv_promql_tree
		cerr *C.obsv_error
	)
	st := C.obsv_promql_parse(cstr(query), C.size_t(len(query)), opts.c(), &tree, &cerr)
	if err := takeError(st, cerr); err != nil {
		C.obsv_promql_tree_free(tree)
		return nil, err
	}
	defer C.obsv_promql_tree_free(tree)
	var (
		out *C.char
		n   C.size_t
	)
	if st := C.obsv_promql_tree_format(tree, &out, &n); st != C.OBSV_OK {
		return nil, &Error{Code: Status(st), Message: Status(st).String()}
	}
	return &Query{Root: copyNode(C.obsv_promql_tree_root(tree)), canonical: takeString(out, n)}, nil
}

// copyNode copies a C node and its subtree. The recursion is bounded by the
// parser's MaxDepth.
func copyNode(cn *C.obsv_promql_node) *Node {
	if cn == nil {
		return nil
	}
	var info C.obsvgo_node_info
	C.obsvgo_node(cn, &info)
	n := &Node{
		Kind:    NodeKind(info.kind),
		Type:    ValueType(info._type),
		Start:   int(info.start),
		End:     int(info.end),
		Name:    gostr(info.name),
		Number:  float64(info.number),
		Str:     gostr(info.str),
		Without: info.without != 0,
		On:      info.on != 0,
		Bool:    info.is_bool != 0,
		Card:    Cardinality(info.card),
		Range:   time.Duration(info.range_ms) * time.Millisecond,
		Step:    time.Duration(info.step_ms) * time.Millisecond,
		Offset:  time.Duration(info.offset_ms) * time.Millisecond,
	}
	if info.matchers > 0 {
		n.Matchers = make([]Matcher, 0, int(info.matchers))
		for i := C.size_t(0); i < info.matchers; i++ {
			var m C.obsv_matcher
			if C.obsv_promql_node_matcher(cn, i, &m) != 0 {
				n.Matchers = append(n.Matchers, Matcher{gostr(m.name), MatchOp(m.op), gostr(m.value)})
			}
		}
	}
	for i := C.size_t(0); i < info.labels; i++ {
		n.Labels = append(n.Labels, gostr(C.obsv_promql_node_label(cn, i)))
	}
	for i := C.size_t(0); i < info.includes; i++ {
		n.Include = append(n.Include, gostr(C.obsv_promql_node_include(cn, i)))
	}
	if info.children > 0 {
		n.Children = make([]*Node, 0, int(info.children))
		for i := C.size_t(0); i < info.children; i++ {
			n.Children = append(n.Children, copyNode(C.obsv_promql_node_child(cn, i)))
		}
	}
	return n
}

// ConflictPolicy says what an Injector does with a query that constrains an
// enforced label itself.
type ConflictPolicy int

const (
	// ConflictError refuses the query (ErrPermissionDenied).
	ConflictError ConflictPolicy = C.OBSV_CONFLICT_ERROR
	// ConflictReplace drops the user's matchers on enforced labels.
	ConflictReplace ConflictPolicy = C.OBSV_CONFLICT_REPLACE
	// ConflictIntersect keeps them, ANDed with the enforced ones.
	ConflictIntersect ConflictPolicy = C.OBSV_CONFLICT_INTERSECT
)

// Injector scopes queries and series selectors to enforced label matchers
// (a tenant), the way prom-label-proxy does, including the selectors it
// misses (aggregation parameters such as topk(scalar(x), ...)).
//
// Thread safety: an Injector is immutable and may be used by any number of
// goroutines at once; Close must not run concurrently with other calls.
// An Injector dropped without Close is freed by the garbage collector.
type Injector struct {
	h       *injectorHandle
	cleanup runtime.Cleanup
}

type injectorHandle struct{ p *C.obsv_promql_injector }

func newInjector(p *C.obsv_promql_injector) *Injector {
	inj := &Injector{h: &injectorHandle{p: p}}
	inj.cleanup = runtime.AddCleanup(inj, func(h *injectorHandle) { C.obsv_promql_injector_free(h.p) }, inj.h)
	return inj
}

// NewInjector creates an injector that adds matchers to every selector.
// The matchers are copied. ErrInvalidArgument for an invalid set (empty,
// `__name__`, a regex RE2 refuses, no matcher that excludes the empty
// value, ...) or an unknown policy.
func NewInjector(matchers []Matcher, policy ConflictPolicy) (*Injector, error) {
	arr, b := cmatchers(matchers)
	defer b.free()
	var (
		p    *C.obsv_promql_injector
		cerr *C.obsv_error
	)
	st := C.obsv_promql_injector_new(arr, C.size_t(len(matchers)), C.obsv_conflict_policy(policy), &p, &cerr)
	if err := takeError(st, cerr); err != nil {
		C.obsv_promql_injector_free(p)
		return nil, err
	}
	return newInjector(p), nil
}

// NewInjectorForValues creates an injector that enforces label to one of
// values: label="v" for one value, label=~"v1|v2" (regex metacharacters
// escaped) for several. ErrInvalidArgument for no values.
func NewInjectorForValues(label string, values []string, policy ConflictPolicy) (*Injector, error) {
	views, b := cviews(values)
	defer b.free()
	var (
		p    *C.obsv_promql_injector
		cerr *C.obsv_error
	)
	st := C.obsv_promql_injector_new_for_values(cstr(label), C.size_t(len(label)), views,
		C.size_t(len(values)), C.obsv_conflict_policy(policy), &p, &cerr)
	if err := takeError(st, cerr); err != nil {
		C.obsv_promql_injector_free(p)
		return nil, err
	}
	return newInjector(p), nil
}

// Close frees the injector. Calling it again is a no-op.
func (inj *Injector) Close() {
	if inj.h == nil {
		return
	}
	inj.cleanup.Stop()
	C.obsv_promql_injector_free(inj.h.p)
	inj.h = nil
}

// InjectQuery parses query, scopes every selector and returns the canonical
// text. Errors: a parse error with its position, or ErrPermissionDenied at
// the user's conflicting matcher under ConflictError.
func (inj *Injector) InjectQuery(query string, opts *QueryOptions) (string, error) {
	if inj.h == nil {
		return "", errInjectorClosed
	}
	s, err := callForString(func(out **C.char, n *C.size_t, cerr **C.obsv_error) C.obsv_status {
		return C.obsv_promql_inject_query(inj.h.p, cstr(query), C.size_t(len(query)), opts.c(), out, n, cerr)
	})
	runtime.KeepAlive(inj)
	return s, err
}

// InjectSelectors scopes the match[] parameters of /api/v1/series,
// /api/v1/labels, /api/v1/label/<name>/values and /federate: each must be a
// series selector. With no match (match[] absent) the result is the single
// selector of the enforced matchers. Errors name the element ("match[1]:
// ...").
func (inj *Injector) InjectSelectors(match []string, opts *QueryOptions) ([]string, error) {
	if inj.h == nil {
		return nil, errInjectorClosed
	}
	views, b := cviews(match)
	defer b.free()
	out, err := callForStrings(func(list **C.obsv_string_list, cerr **C.obsv_error) C.obsv_status {
		return C.obsv_promql_inject_selectors(inj.h.p, views, C.size_t(len(match)), opts.c(), list, cerr)
	})
	runtime.KeepAlive(inj)
	return out, err
}

// ExpandTemplate expands the {{name}} placeholders of tmpl with values,
// each escaped for the place it lands (a label value, a regex, a duration,
// ...), and checks that the result parses. ErrInvalidArgument, positioned at
// the placeholder, for a missing value or one unfit for its place.
func ExpandTemplate(tmpl string, values map[string]string, opts *QueryOptions) (string, error) {
	tv := newTemplateValues(values)
	defer tv.free()
	return callForString(func(out **C.char, n *C.size_t, cerr **C.obsv_error) C.obsv_status {
		return C.obsv_promql_expand_template(cstr(tmpl), C.size_t(len(tmpl)), tv.names, tv.values, tv.count,
			opts.c(), out, n, cerr)
	})
}
