//go:build obsv_pkgconfig

package obsv

// With -tags obsv_pkgconfig, the flags come from the obsv.pc that
// `cmake --install` writes (set PKG_CONFIG_PATH=<prefix>/lib/pkgconfig).

// #cgo pkg-config: obsv
import "C"
