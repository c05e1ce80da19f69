package obsv

// What promql.go and logql.go share: the two C APIs take and return strings
// the same way (arrays of views built in C memory, library strings copied
// into Go and freed).

/*
#include <stdlib.h>
#include <string.h>
#include "obsv/c_api_promql.h"
*/
import "C"

import "unsafe"

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
