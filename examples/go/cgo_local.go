//go:build !obsv_pkgconfig

package obsv

// Links against the library built in this repository (build/lib/libobsv.so,
// from `cmake --preset default && cmake --build build --target obsv`), with
// an rpath so tests and examples run without LD_LIBRARY_PATH.
//
// For an installed copy, either build with `-tags obsv_pkgconfig` (uses
// obsv.pc), or set CGO_CFLAGS=-I<prefix>/include and
// CGO_LDFLAGS="-L<prefix>/lib -Wl,-rpath,<prefix>/lib": the go command puts
// those before the flags below, so the installed copy is found first.

// #cgo CFLAGS: -I${SRCDIR}/../../include
// #cgo LDFLAGS: -L${SRCDIR}/../../build/lib -lobsv -Wl,-rpath,${SRCDIR}/../../build/lib
import "C"
