package obsv

// What promql.go and logql.go share: the PromQL and LogQL C APIs take
// matchers, strings and template values and return strings and string lists
// the same way, so only the C calls themselves differ between the two.
// Arrays of views are built in C memory; what the library returns is copied
// into Go and freed.

/*
#include <stdlib.h>
#include <string.h>
#include "obsv/c_api_promql.h"
*/
import "C"

import (
	"sort"
	"unsafe"
)

// takeString copies a string the library allocated and frees it.
func takeString(s *C.char, n C.size_t) string {
	if s == nil {
		return ""
	}
	defer C.obsv_string_free(s)
	return C.GoStringN(s, C.int(n))
}

// cblock is one malloc'd block holding string views and the bytes they
// point to: cgo forbids C memory holding Go pointers, so arrays of views
// are built entirely in C memory.
type cblock struct {
	base unsafe.Pointer
	off  uintptr // next free byte of the string area
}

// newCBlock allocates room for head bytes of structs followed by all of
// strs' bytes.
func newCBlock(head uintptr, strs []string) *cblock {
	size := head
	for _, s := range strs {
		size += uintptr(len(s))
	}
	if size == 0 {
		size = 1
	}
	p := C.malloc(C.size_t(size))
	if p == nil {
		panic("obsv: out of C memory")
	}
	return &cblock{base: p, off: head}
}

// str copies s into the block and returns a view of the copy.
func (b *cblock) str(s string) C.obsv_str {
	p := unsafe.Add(b.base, b.off)
	if len(s) > 0 {
		C.memcpy(p, unsafe.Pointer(unsafe.StringData(s)), C.size_t(len(s)))
	}
	b.off += uintptr(len(s))
	return C.obsv_str{data: (*C.char)(p), size: C.size_t(len(s))}
}

func (b *cblock) free() { C.free(b.base) }

// cviews returns a C array of views of copies of strs (NULL for none) and
// the block to free after the call.
func cviews(strs []string) (*C.obsv_str, *cblock) {
	size := unsafe.Sizeof(C.obsv_str{})
	b := newCBlock(uintptr(len(strs))*size, strs)
	if len(strs) == 0 {
		return nil, b
	}
	arr := unsafe.Slice((*C.obsv_str)(b.base), len(strs))
	for i, s := range strs {
		arr[i] = b.str(s)
	}
	return &arr[0], b
}

// errInjectorClosed is what a closed Injector or LogQLInjector answers.
var errInjectorClosed = &Error{Code: ErrInvalidArgument, Message: "obsv: injector is closed"}

// cmatchers returns a C array of copies of matchers (NULL for none) and the
// block to free after the call.
func cmatchers(matchers []Matcher) (*C.obsv_matcher, *cblock) {
	strs := make([]string, 0, 2*len(matchers))
	for _, m := range matchers {
		strs = append(strs, m.Name, m.Value)
	}
	b := newCBlock(uintptr(len(matchers))*unsafe.Sizeof(C.obsv_matcher{}), strs)
	if len(matchers) == 0 {
		return nil, b
	}
	ms := unsafe.Slice((*C.obsv_matcher)(b.base), len(matchers))
	for i, m := range matchers {
		ms[i] = C.obsv_matcher{name: b.str(m.Name), op: C.obsv_match_op(m.Op), value: b.str(m.Value)}
	}
	return &ms[0], b
}

// callForString makes call, which returns a library string through (out,
// n) or fails with an error through cerr, and copies the string into Go
// memory; the string and the error are freed either way.
func callForString(call func(out **C.char, n *C.size_t, cerr **C.obsv_error) C.obsv_status) (string, error) {
	var (
		out  *C.char
		n    C.size_t
		cerr *C.obsv_error
	)
	st := call(&out, &n, &cerr)
	if err := takeError(st, cerr); err != nil {
		C.obsv_string_free(out)
		return "", err
	}
	return takeString(out, n), nil
}

// callForStrings makes call, which returns a list of library strings or
// fails with an error through cerr, and copies the list into Go memory; the
// list and the error are freed either way.
func callForStrings(call func(list **C.obsv_string_list, cerr **C.obsv_error) C.obsv_status) ([]string, error) {
	var (
		list *C.obsv_string_list
		cerr *C.obsv_error
	)
	st := call(&list, &cerr)
	if err := takeError(st, cerr); err != nil {
		C.obsv_string_list_free(list)
		return nil, err
	}
	defer C.obsv_string_list_free(list)
	out := make([]string, int(C.obsv_string_list_size(list)))
	for i := range out {
		out[i] = gostr(C.obsv_string_list_get(list, C.size_t(i)))
	}
	return out, nil
}

// templateValues are a template's values as the expand calls take them: C
// arrays of the names and of their values, in the same order.
type templateValues struct {
	names, values *C.obsv_str
	count         C.size_t
	blocks        [2]*cblock
}

// newTemplateValues copies values into C memory, sorted by name so that the
// calls are deterministic; free them after the call.
func newTemplateValues(values map[string]string) *templateValues {
	names := make([]string, 0, len(values))
	for k := range values {
		names = append(names, k)
	}
	sort.Strings(names)
	vals := make([]string, len(names))
	for i, k := range names {
		vals[i] = values[k]
	}
	t := &templateValues{count: C.size_t(len(names))}
	t.names, t.blocks[0] = cviews(names)
	t.values, t.blocks[1] = cviews(vals)
	return t
}

func (t *templateValues) free() {
	for _, b := range t.blocks {
		b.free()
	}
}
