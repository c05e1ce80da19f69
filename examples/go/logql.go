package obsv

// The LogQL part of the C ABI (include/obsv/c_api_logql.h): print Loki's
// canonical form, scope queries and the selectors of Loki's metadata
// endpoints to a tenant, and expand query templates.
//
// Scope a user's query to resource "r1" before relaying it to Loki:
//
//	inj, err := obsv.NewLogQLInjector([]obsv.Matcher{{Name: "resource_id", Op: obsv.MatchEqual, Value: "r1"}},
//		obsv.ConflictError, false)
//	if err != nil { ... }
//	defer inj.Close()
//	scoped, err := inj.InjectQuery(`{app="api"} |= "error"`, nil) // {app="api", resource_id="r1"} |= "error"
//
// The helpers (C memory blocks, strings) are query_common.go's, errors
// obsv.go's.

/*
#include <stdlib.h>
#include "obsv/c_api_logql.h"
*/
import "C"

import "runtime"

// LogQLOptions are the LogQL parser's budgets (obsv_logql_options). A nil
// *LogQLOptions means the defaults.
type LogQLOptions struct {
	MaxQueryBytes     uint32
	MaxDepth          uint32
	MaxNodes          uint32
	MaxSelectors      uint32
	MaxPipelineStages uint32
}

// DefaultLogQLOptions returns the library's defaults.
func DefaultLogQLOptions() LogQLOptions {
	var c C.obsv_logql_options
	C.obsv_logql_options_init(&c)
	return LogQLOptions{
		MaxQueryBytes:     uint32(c.max_query_bytes),
		MaxDepth:          uint32(c.max_depth),
		MaxNodes:          uint32(c.max_nodes),
		MaxSelectors:      uint32(c.max_selectors),
		MaxPipelineStages: uint32(c.max_pipeline_stages),
	}
}

func (o *LogQLOptions) c() *C.obsv_logql_options {
	if o == nil {
		return nil
	}
	return &C.obsv_logql_options{
		max_query_bytes:     C.uint32_t(o.MaxQueryBytes),
		max_depth:           C.uint32_t(o.MaxDepth),
		max_nodes:           C.uint32_t(o.MaxNodes),
		max_selectors:       C.uint32_t(o.MaxSelectors),
		max_pipeline_stages: C.uint32_t(o.MaxPipelineStages),
	}
}

// FormatLogQL parses query and returns Loki's canonical String() form (what
// /loki/api/v1/format_query prints for short queries). Errors are *Error
// with Loki's message ("parse error at line 1, col 7: ...") and the byte
// position.
func FormatLogQL(query string, opts *LogQLOptions) (string, error) {
	return callForString(func(out **C.char, n *C.size_t, cerr **C.obsv_error) C.obsv_status {
		return C.obsv_logql_format_query(cstr(query), C.size_t(len(query)), opts.c(), out, n, cerr)
	})
}

// LogQLInjector appends enforced matchers to every stream selector of a
// LogQL query. Thread safety as Injector's.
type LogQLInjector struct {
	h       *logqlInjectorHandle
	cleanup runtime.Cleanup
}

type logqlInjectorHandle struct{ p *C.obsv_logql_injector }

func newLogQLInjector(p *C.obsv_logql_injector) *LogQLInjector {
	inj := &LogQLInjector{h: &logqlInjectorHandle{p: p}}
	inj.cleanup = runtime.AddCleanup(inj, func(h *logqlInjectorHandle) { C.obsv_logql_injector_free(h.p) }, inj.h)
	return inj
}

func logqlFlags(refuseLabelWrites bool) C.uint32_t {
	if refuseLabelWrites {
		return C.OBSV_LOGQL_REFUSE_ENFORCED_LABEL_WRITES
	}
	return 0
}

// NewLogQLInjector creates an injector for matchers (copied; names must be
// identifiers). refuseLabelWrites also refuses pipelines that write or
// remove an enforced label (label_format, extraction names, drop/keep,
// label_replace). ErrInvalidArgument for an invalid set.
func NewLogQLInjector(matchers []Matcher, policy ConflictPolicy, refuseLabelWrites bool) (*LogQLInjector, error) {
	arr, b := cmatchers(matchers)
	defer b.free()
	var (
		p    *C.obsv_logql_injector
		cerr *C.obsv_error
	)
	st := C.obsv_logql_injector_new(arr, C.size_t(len(matchers)), C.obsv_conflict_policy(policy),
		logqlFlags(refuseLabelWrites), &p, &cerr)
	if err := takeError(st, cerr); err != nil {
		C.obsv_logql_injector_free(p)
		return nil, err
	}
	return newLogQLInjector(p), nil
}

// NewLogQLInjectorForValues enforces label to one of values (label="v" or
// label=~"v1|v2").
func NewLogQLInjectorForValues(label string, values []string, policy ConflictPolicy,
	refuseLabelWrites bool) (*LogQLInjector, error) {
	views, b := cviews(values)
	defer b.free()
	var (
		p    *C.obsv_logql_injector
		cerr *C.obsv_error
	)
	st := C.obsv_logql_injector_new_for_values(cstr(label), C.size_t(len(label)), views,
		C.size_t(len(values)), C.obsv_conflict_policy(policy), logqlFlags(refuseLabelWrites), &p, &cerr)
	if err := takeError(st, cerr); err != nil {
		C.obsv_logql_injector_free(p)
		return nil, err
	}
	return newLogQLInjector(p), nil
}

// Close frees the injector. Calling it again is a no-op.
func (inj *LogQLInjector) Close() {
	if inj.h == nil {
		return
	}
	inj.cleanup.Stop()
	C.obsv_logql_injector_free(inj.h.p)
	inj.h = nil
}

// InjectQuery parses query, scopes every stream selector and returns the
// canonical text. Errors: a parse error, or ErrPermissionDenied at the
// user's matcher or stage.
func (inj *LogQLInjector) InjectQuery(query string, opts *LogQLOptions) (string, error) {
	if inj.h == nil {
		return "", errInjectorClosed
	}
	s, err := callForString(func(out **C.char, n *C.size_t, cerr **C.obsv_error) C.obsv_status {
		return C.obsv_logql_inject_query(inj.h.p, cstr(query), C.size_t(len(query)), opts.c(), out, n, cerr)
	})
	runtime.KeepAlive(inj)
	return s, err
}

// InjectSelector scopes the query parameter of /loki/api/v1/labels,
// /label/<name>/values, /index/stats, /index/volume and /patterns: "" (absent)
// gives the enforced selector alone; allowPipeline accepts a log query.
func (inj *LogQLInjector) InjectSelector(query string, allowPipeline bool, opts *LogQLOptions) (string, error) {
	if inj.h == nil {
		return "", errInjectorClosed
	}
	s, err := callForString(func(out **C.char, n *C.size_t, cerr **C.obsv_error) C.obsv_status {
		return C.obsv_logql_inject_selector(inj.h.p, cstr(query), C.size_t(len(query)), cbool(allowPipeline),
			opts.c(), out, n, cerr)
	})
	runtime.KeepAlive(inj)
	return s, err
}

// InjectSelectors scopes the match[] parameters of /loki/api/v1/series; no
// match gives the enforced selector alone.
func (inj *LogQLInjector) InjectSelectors(match []string, opts *LogQLOptions) ([]string, error) {
	if inj.h == nil {
		return nil, errInjectorClosed
	}
	views, b := cviews(match)
	defer b.free()
	out, err := callForStrings(func(list **C.obsv_string_list, cerr **C.obsv_error) C.obsv_status {
		return C.obsv_logql_inject_selectors(inj.h.p, views, C.size_t(len(match)), opts.c(), list, cerr)
	})
	runtime.KeepAlive(inj)
	return out, err
}

// ExpandLogQLTemplate expands the {{name}} placeholders of tmpl, each value
// escaped for the place it lands, and checks that the result parses.
func ExpandLogQLTemplate(tmpl string, values map[string]string, opts *LogQLOptions) (string, error) {
	tv := newTemplateValues(values)
	defer tv.free()
	return callForString(func(out **C.char, n *C.size_t, cerr **C.obsv_error) C.obsv_status {
		return C.obsv_logql_expand_template(cstr(tmpl), C.size_t(len(tmpl)), tv.names, tv.values, tv.count,
			opts.c(), out, n, cerr)
	})
}
