// Package obsv is a cgo wrapper of obsv's C ABI (include/obsv/c_api.h): a
// streaming parser of Prometheus text 0.0.4 and OpenMetrics 1.0 expositions,
// and a one-shot converter between the two; and of its PromQL part
// (include/obsv/c_api_promql.h, see promql.go): formatting, syntax trees,
// tenant scoping of queries and series selectors, query templates.
//
// Parse a body:
//
//	p, err := obsv.NewParser(nil) // defaults: detect the format, lenient
//	if err != nil { ... }
//	defer p.Close()
//	p.Reset(body)
//	for e := p.Next(); e != obsv.EntryEnd; e = p.Next() {
//		switch e {
//		case obsv.EntryError:
//			return p.Error() // *obsv.Error: code, line, column, offset
//		case obsv.EntrySample:
//			fmt.Println(p.MetricName(), p.Labels(), p.Value())
//		}
//	}
//
// Strings returned by the accessors are Go copies and stay valid forever; the
// bytes given to Reset and Feed are copied into C memory, so the caller may
// reuse its slice as soon as the call returns.
//
// Thread safety: a Parser must not be used from two goroutines at once;
// distinct Parsers are independent. An Injector may be shared by goroutines.
// Convert, Version and the PromQL functions are safe anywhere.
package obsv

/*
#include <stdlib.h>
#include "obsv/c_api.h"
*/
import "C"

import (
	"fmt"
	"unsafe"
)

// Version returns the version of the linked libobsv, e.g. "0.1.0".
func Version() string { return C.GoString(C.obsv_version()) }

// VersionNumber returns major*10000 + minor*100 + patch of the linked library.
func VersionNumber() int { return int(C.obsv_version_number()) }

// HeaderVersion and HeaderVersionNumber are the version of c_api.h this
// package was compiled with; they differ from Version() when the program runs
// against another libobsv.so than it was built with.
const (
	HeaderVersion       = C.OBSV_VERSION_STRING
	HeaderVersionNumber = C.OBSV_VERSION_NUMBER
)

// Format is an exposition format.
type Format int

const (
	FormatAuto        Format = C.OBSV_FORMAT_AUTO // detect from the content (parsing only)
	FormatText        Format = C.OBSV_FORMAT_TEXT // Prometheus text 0.0.4
	FormatOpenMetrics Format = C.OBSV_FORMAT_OPENMETRICS
)

func (f Format) String() string {
	switch f {
	case FormatAuto:
		return "auto"
	case FormatText:
		return "text"
	case FormatOpenMetrics:
		return "openmetrics"
	}
	return fmt.Sprintf("Format(%d)", int(f))
}

// ParseFormat maps "auto", "text" and "openmetrics" to a Format.
func ParseFormat(s string) (Format, error) {
	switch s {
	case "auto":
		return FormatAuto, nil
	case "text":
		return FormatText, nil
	case "openmetrics":
		return FormatOpenMetrics, nil
	}
	return FormatAuto, fmt.Errorf("obsv: unknown format %q (want auto, text or openmetrics)", s)
}

// FormatFromContentType returns the format a Content-Type header names (text
// for anything unknown).
func FormatFromContentType(contentType string) Format {
	if contentType == "" {
		return Format(C.obsv_format_from_content_type(nil, 0))
	}
	return Format(C.obsv_format_from_content_type(cstr(contentType), C.size_t(len(contentType))))
}

// DetectFormat guesses the format of a body from its content.
func DetectFormat(body []byte) Format {
	return Format(C.obsv_format_detect(cbytes(body), C.size_t(len(body))))
}

// ContentType returns the Content-Type to answer with; "" for FormatAuto.
func (f Format) ContentType() string {
	s := C.obsv_format_content_type(C.obsv_format(f))
	if s == nil {
		return ""
	}
	return C.GoString(s)
}

// MetricType is the type of a metric family.
type MetricType int

const (
	TypeUnknown        MetricType = C.OBSV_TYPE_UNKNOWN // `unknown` / `untyped`
	TypeCounter        MetricType = C.OBSV_TYPE_COUNTER
	TypeGauge          MetricType = C.OBSV_TYPE_GAUGE
	TypeHistogram      MetricType = C.OBSV_TYPE_HISTOGRAM
	TypeGaugeHistogram MetricType = C.OBSV_TYPE_GAUGE_HISTOGRAM
	TypeSummary        MetricType = C.OBSV_TYPE_SUMMARY
	TypeInfo           MetricType = C.OBSV_TYPE_INFO
	TypeStateset       MetricType = C.OBSV_TYPE_STATESET
)

// String returns the library's name of the type ("counter", ...).
func (t MetricType) String() string {
	if s := C.obsv_metric_type_name(C.obsv_metric_type(t)); s != nil {
		return C.GoString(s)
	}
	return fmt.Sprintf("MetricType(%d)", int(t))
}

// Suffix is the role of a sample within its family, from its name's suffix.
type Suffix int

const (
	SuffixNone    Suffix = C.OBSV_SUFFIX_NONE
	SuffixTotal   Suffix = C.OBSV_SUFFIX_TOTAL
	SuffixCreated Suffix = C.OBSV_SUFFIX_CREATED
	SuffixBucket  Suffix = C.OBSV_SUFFIX_BUCKET
	SuffixCount   Suffix = C.OBSV_SUFFIX_COUNT
	SuffixSum     Suffix = C.OBSV_SUFFIX_SUM
	SuffixGCount  Suffix = C.OBSV_SUFFIX_GCOUNT
	SuffixGSum    Suffix = C.OBSV_SUFFIX_GSUM
	SuffixInfo    Suffix = C.OBSV_SUFFIX_INFO
)

func (s Suffix) String() string {
	switch s {
	case SuffixNone:
		return ""
	case SuffixTotal:
		return "_total"
	case SuffixCreated:
		return "_created"
	case SuffixBucket:
		return "_bucket"
	case SuffixCount:
		return "_count"
	case SuffixSum:
		return "_sum"
	case SuffixGCount:
		return "_gcount"
	case SuffixGSum:
		return "_gsum"
	case SuffixInfo:
		return "_info"
	}
	return fmt.Sprintf("Suffix(%d)", int(s))
}

// Status is a status code of the C ABI: 0 is OK, 1..99 parse error codes,
// 100 and up API-level failures.
type Status int

const (
	StatusOK                Status = C.OBSV_OK
	ErrSyntax               Status = C.OBSV_ERR_SYNTAX
	ErrInvalidName          Status = C.OBSV_ERR_INVALID_NAME
	ErrInvalidEscape        Status = C.OBSV_ERR_INVALID_ESCAPE
	ErrUnterminatedString   Status = C.OBSV_ERR_UNTERMINATED_STRING
	ErrDuplicateLabel       Status = C.OBSV_ERR_DUPLICATE_LABEL
	ErrInvalidValue         Status = C.OBSV_ERR_INVALID_VALUE
	ErrInvalidTimestamp     Status = C.OBSV_ERR_INVALID_TIMESTAMP
	ErrInvalidExemplar      Status = C.OBSV_ERR_INVALID_EXEMPLAR
	ErrInvalidMetadata      Status = C.OBSV_ERR_INVALID_METADATA
	ErrDuplicateMetadata    Status = C.OBSV_ERR_DUPLICATE_METADATA
	ErrInterleavedFamily    Status = C.OBSV_ERR_INTERLEAVED_FAMILY
	ErrMetadataAfterSamples Status = C.OBSV_ERR_METADATA_AFTER_SAMPLES
	ErrInvalidSuffix        Status = C.OBSV_ERR_INVALID_SUFFIX
	ErrInvalidHistogram     Status = C.OBSV_ERR_INVALID_HISTOGRAM
	ErrInvalidLabelValue    Status = C.OBSV_ERR_INVALID_LABEL_VALUE
	ErrMissingEOF           Status = C.OBSV_ERR_MISSING_EOF
	ErrContentAfterEOF      Status = C.OBSV_ERR_CONTENT_AFTER_EOF
	ErrBlankLine            Status = C.OBSV_ERR_BLANK_LINE
	ErrNULByte              Status = C.OBSV_ERR_NUL_BYTE
	ErrInvalidUTF8          Status = C.OBSV_ERR_INVALID_UTF8
	ErrLimitExceeded        Status = C.OBSV_ERR_LIMIT_EXCEEDED
	ErrUnexpectedEnd        Status = C.OBSV_ERR_UNEXPECTED_END
	ErrInvalidArgument      Status = C.OBSV_ERR_INVALID_ARGUMENT
	ErrOutOfMemory          Status = C.OBSV_ERR_OUT_OF_MEMORY
	ErrInternal             Status = C.OBSV_ERR_INTERNAL
	ErrFailedPrecondition   Status = C.OBSV_ERR_FAILED_PRECONDITION
	ErrPermissionDenied     Status = C.OBSV_ERR_PERMISSION_DENIED // a query refused by an Injector
	ErrNotFound             Status = C.OBSV_ERR_NOT_FOUND
	ErrAlreadyExists        Status = C.OBSV_ERR_ALREADY_EXISTS
	ErrBufferTooSmall       Status = C.OBSV_ERR_BUFFER_TOO_SMALL
)

// String returns the library's name of the status ("syntax", ...).
func (s Status) String() string {
	if n := C.obsv_status_name(C.obsv_status(s)); n != nil {
		return C.GoString(n)
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Error is a failure reported by the library: a parse error with its
// position, or an API-level failure (Line and Column 0).
type Error struct {
	Code    Status
	Line    uint32 // 1-based; 0 when the error has no position
	Column  uint32 // 1-based; 0 when the error has no position
	Offset  uint64 // byte offset in the body
	Message string
}

// Error returns "obsv: <code>: <message>"; the library's messages end with
// the position ("... at 2:11") when there is one.
func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("obsv: %d:%d: %s [%s]", e.Line, e.Column, e.Message, e.Code)
	}
	return fmt.Sprintf("obsv: %s: %s", e.Code, e.Message)
}

// Is makes errors.Is(err, &obsv.Error{Code: obsv.ErrSyntax}) match on the
// code alone.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Message == "" && t.Line == 0 && t.Column == 0 && t.Offset == 0
}

// copyError copies a C error into Go memory; it does not free it.
func copyError(e *C.obsv_error) *Error {
	return &Error{
		Code:    Status(C.obsv_error_code(e)),
		Line:    uint32(C.obsv_error_line(e)),
		Column:  uint32(C.obsv_error_column(e)),
		Offset:  uint64(C.obsv_error_offset(e)),
		Message: C.GoString(C.obsv_error_message(e)),
	}
}

// takeError converts the result of a call with an out_error parameter into a
// Go error, freeing the C error. A failure without details (out_error left
// NULL) still yields an *Error with the status.
func takeError(st C.obsv_status, e *C.obsv_error) error {
	if e != nil {
		defer C.obsv_error_free(e)
		if st == C.OBSV_OK {
			return nil // out_error must be NULL on success; be tolerant
		}
		return copyError(e)
	}
	if st == C.OBSV_OK {
		return nil
	}
	return &Error{Code: Status(st), Message: Status(st).String()}
}

// Convert parses input (inFormat may be FormatAuto) and writes it as
// outFormat. strict selects the parser's strict mode. The input is only read
// during the call.
func Convert(input []byte, inFormat, outFormat Format, strict bool) ([]byte, error) {
	var (
		out    *C.char
		outLen C.size_t
		cerr   *C.obsv_error
	)
	// C does not keep the input past the call, so a Go pointer is allowed.
	st := C.obsv_convert(cbytes(input), C.size_t(len(input)), C.obsv_format(inFormat),
		cbool(strict), C.obsv_format(outFormat), &out, &outLen, &cerr)
	if err := takeError(st, cerr); err != nil {
		C.obsv_string_free(out)
		return nil, err
	}
	defer C.obsv_string_free(out)
	if out == nil {
		return []byte{}, nil
	}
	b := make([]byte, int(outLen))
	copy(b, unsafe.Slice((*byte)(unsafe.Pointer(out)), int(outLen)))
	return b, nil
}

// cbytes returns a pointer to b's first byte for a call that does not keep
// it, or NULL for an empty slice.
func cbytes(b []byte) *C.char {
	if len(b) == 0 {
		return nil
	}
	return (*C.char)(unsafe.Pointer(&b[0]))
}

// cstr is cbytes for a string; C must not write through it.
func cstr(s string) *C.char {
	if len(s) == 0 {
		return nil
	}
	return (*C.char)(unsafe.Pointer(unsafe.StringData(s)))
}

func cbool(b bool) C.int {
	if b {
		return 1
	}
	return 0
}

func gostr(s C.obsv_str) string {
	if s.size == 0 || s.data == nil {
		return ""
	}
	// string([]byte) copies: the view dies at the parser's next call.
	return string(unsafe.Slice((*byte)(unsafe.Pointer(s.data)), int(s.size)))
}
