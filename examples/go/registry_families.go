// Code generated from the counter's shape in registry.go (one block per
// family kind of include/obsv/c_api_registry.h); edit all blocks alike.

package obsv

/*
#include "obsv/c_api_registry.h"
*/
import "C"

import "runtime"

// ---------------------------------------------------------------------------
// Gauge

// GaugeFamily is an obsv_gauge_family.
type GaugeFamily struct {
	family
	p *C.obsv_gauge_family
}

// Gauge is a series handle; copy it freely.
type Gauge struct {
	h C.obsv_gauge
	r *Registry
}

func (x Gauge) ok() bool { return x.r != nil && !x.r.closed.Load() }

// WithLabelValues returns the series with these label values, created if
// absent. ErrInvalidArgument for the wrong arity, ErrLimitExceeded at MaxSeries.
func (f *GaugeFamily) WithLabelValues(values ...string) (Gauge, error) {
	if f.closed() {
		return Gauge{}, errRegistryClosed
	}
	var h C.obsv_gauge
	var cerr *C.obsv_error
	st := f.withValues(values, func(v *C.obsv_str, n C.size_t) C.obsv_status {
		return C.obsv_gauge_family_with_labels(f.p, v, n, &h, &cerr)
	})
	return Gauge{h, f.r}, takeError(st, cerr)
}

// Get is WithLabelValues without creating: ErrNotFound when absent.
func (f *GaugeFamily) Get(values ...string) (Gauge, error) {
	if f.closed() {
		return Gauge{}, errRegistryClosed
	}
	var h C.obsv_gauge
	var cerr *C.obsv_error
	st := f.withValues(values, func(v *C.obsv_str, n C.size_t) C.obsv_status {
		return C.obsv_gauge_family_get(f.p, v, n, &h, &cerr)
	})
	return Gauge{h, f.r}, takeError(st, cerr)
}

// Remove removes one series (ErrNotFound if absent).
func (f *GaugeFamily) Remove(values ...string) error {
	if f.closed() {
		return errRegistryClosed
	}
	return takeError(f.withValues(values, func(v *C.obsv_str, n C.size_t) C.obsv_status {
		return C.obsv_gauge_family_remove(f.p, v, n)
	}), nil)
}

// Clear removes every series.
func (f *GaugeFamily) Clear() {
	if !f.closed() {
		C.obsv_gauge_family_clear(f.p)
		runtime.KeepAlive(f.r)
	}
}

// Len is the number of series.
func (f *GaugeFamily) Len() int {
	if f.closed() {
		return 0
	}
	n := int(C.obsv_gauge_family_size(f.p))
	runtime.KeepAlive(f.r)
	return n
}

// ---------------------------------------------------------------------------
// Histogram

// HistogramFamily is an obsv_histogram_family.
type HistogramFamily struct {
	family
	p *C.obsv_histogram_family
}

// Histogram is a series handle; copy it freely.
type Histogram struct {
	h C.obsv_histogram
	r *Registry
}

func (x Histogram) ok() bool { return x.r != nil && !x.r.closed.Load() }

// WithLabelValues returns the series with these label values, created if
// absent. ErrInvalidArgument for the wrong arity, ErrLimitExceeded at MaxSeries.
func (f *HistogramFamily) WithLabelValues(values ...string) (Histogram, error) {
	if f.closed() {
		return Histogram{}, errRegistryClosed
	}
	var h C.obsv_histogram
	var cerr *C.obsv_error
	st := f.withValues(values, func(v *C.obsv_str, n C.size_t) C.obsv_status {
		return C.obsv_histogram_family_with_labels(f.p, v, n, &h, &cerr)
	})
	return Histogram{h, f.r}, takeError(st, cerr)
}

// Get is WithLabelValues without creating: ErrNotFound when absent.
func (f *HistogramFamily) Get(values ...string) (Histogram, error) {
	if f.closed() {
		return Histogram{}, errRegistryClosed
	}
	var h C.obsv_histogram
	var cerr *C.obsv_error
	st := f.withValues(values, func(v *C.obsv_str, n C.size_t) C.obsv_status {
		return C.obsv_histogram_family_get(f.p, v, n, &h, &cerr)
	})
	return Histogram{h, f.r}, takeError(st, cerr)
}

// Remove removes one series (ErrNotFound if absent).
func (f *HistogramFamily) Remove(values ...string) error {
	if f.closed() {
		return errRegistryClosed
	}
	return takeError(f.withValues(values, func(v *C.obsv_str, n C.size_t) C.obsv_status {
		return C.obsv_histogram_family_remove(f.p, v, n)
	}), nil)
}

// Clear removes every series.
func (f *HistogramFamily) Clear() {
	if !f.closed() {
		C.obsv_histogram_family_clear(f.p)
		runtime.KeepAlive(f.r)
	}
}

// Len is the number of series.
func (f *HistogramFamily) Len() int {
	if f.closed() {
		return 0
	}
	n := int(C.obsv_histogram_family_size(f.p))
	runtime.KeepAlive(f.r)
	return n
}

// ---------------------------------------------------------------------------
// Summary

// SummaryFamily is an obsv_summary_family.
type SummaryFamily struct {
	family
	p *C.obsv_summary_family
}

// Summary is a series handle; copy it freely.
type Summary struct {
	h C.obsv_summary
	r *Registry
}

func (x Summary) ok() bool { return x.r != nil && !x.r.closed.Load() }

// WithLabelValues returns the series with these label values, created if
// absent. ErrInvalidArgument for the wrong arity, ErrLimitExceeded at MaxSeries.
func (f *SummaryFamily) WithLabelValues(values ...string) (Summary, error) {
	if f.closed() {
		return Summary{}, errRegistryClosed
	}
	var h C.obsv_summary
	var cerr *C.obsv_error
	st := f.withValues(values, func(v *C.obsv_str, n C.size_t) C.obsv_status {
		return C.obsv_summary_family_with_labels(f.p, v, n, &h, &cerr)
	})
	return Summary{h, f.r}, takeError(st, cerr)
}

// Get is WithLabelValues without creating: ErrNotFound when absent.
func (f *SummaryFamily) Get(values ...string) (Summary, error) {
	if f.closed() {
		return Summary{}, errRegistryClosed
	}
	var h C.obsv_summary
	var cerr *C.obsv_error
	st := f.withValues(values, func(v *C.obsv_str, n C.size_t) C.obsv_status {
		return C.obsv_summary_family_get(f.p, v, n, &h, &cerr)
	})
	return Summary{h, f.r}, takeError(st, cerr)
}

// Remove removes one series (ErrNotFound if absent).
func (f *SummaryFamily) Remove(values ...string) error {
	if f.closed() {
		return errRegistryClosed
	}
	return takeError(f.withValues(values, func(v *C.obsv_str, n C.size_t) C.obsv_status {
		return C.obsv_summary_family_remove(f.p, v, n)
	}), nil)
}

// Clear removes every series.
func (f *SummaryFamily) Clear() {
	if !f.closed() {
		C.obsv_summary_family_clear(f.p)
		runtime.KeepAlive(f.r)
	}
}

// Len is the number of series.
func (f *SummaryFamily) Len() int {
	if f.closed() {
		return 0
	}
	n := int(C.obsv_summary_family_size(f.p))
	runtime.KeepAlive(f.r)
	return n
}

// ---------------------------------------------------------------------------
// Info

// InfoFamily is an obsv_info_family.
type InfoFamily struct {
	family
	p *C.obsv_info_family
}

// Info is a series handle; copy it freely.
type Info struct {
	h C.obsv_info
	r *Registry
}

func (x Info) ok() bool { return x.r != nil && !x.r.closed.Load() }

// WithLabelValues returns the series with these label values, created if
// absent. ErrInvalidArgument for the wrong arity, ErrLimitExceeded at MaxSeries.
func (f *InfoFamily) WithLabelValues(values ...string) (Info, error) {
	if f.closed() {
		return Info{}, errRegistryClosed
	}
	var h C.obsv_info
	var cerr *C.obsv_error
	st := f.withValues(values, func(v *C.obsv_str, n C.size_t) C.obsv_status {
		return C.obsv_info_family_with_labels(f.p, v, n, &h, &cerr)
	})
	return Info{h, f.r}, takeError(st, cerr)
}

// Get is WithLabelValues without creating: ErrNotFound when absent.
func (f *InfoFamily) Get(values ...string) (Info, error) {
	if f.closed() {
		return Info{}, errRegistryClosed
	}
	var h C.obsv_info
	var cerr *C.obsv_error
	st := f.withValues(values, func(v *C.obsv_str, n C.size_t) C.obsv_status {
		return C.obsv_info_family_get(f.p, v, n, &h, &cerr)
	})
	return Info{h, f.r}, takeError(st, cerr)
}

// Remove removes one series (ErrNotFound if absent).
func (f *InfoFamily) Remove(values ...string) error {
	if f.closed() {
		return errRegistryClosed
	}
	return takeError(f.withValues(values, func(v *C.obsv_str, n C.size_t) C.obsv_status {
		return C.obsv_info_family_remove(f.p, v, n)
	}), nil)
}

// Clear removes every series.
func (f *InfoFamily) Clear() {
	if !f.closed() {
		C.obsv_info_family_clear(f.p)
		runtime.KeepAlive(f.r)
	}
}

// Len is the number of series.
func (f *InfoFamily) Len() int {
	if f.closed() {
		return 0
	}
	n := int(C.obsv_info_family_size(f.p))
	runtime.KeepAlive(f.r)
	return n
}

// ---------------------------------------------------------------------------
// Stateset

// StatesetFamily is an obsv_stateset_family.
type StatesetFamily struct {
	family
	p *C.obsv_stateset_family
}

// Stateset is a series handle; copy it freely.
type Stateset struct {
	h C.obsv_stateset
	r *Registry
}

func (x Stateset) ok() bool { return x.r != nil && !x.r.closed.Load() }

// WithLabelValues returns the series with these label values, created if
// absent. ErrInvalidArgument for the wrong arity, ErrLimitExceeded at MaxSeries.
func (f *StatesetFamily) WithLabelValues(values ...string) (Stateset, error) {
	if f.closed() {
		return Stateset{}, errRegistryClosed
	}
	var h C.obsv_stateset
	var cerr *C.obsv_error
	st := f.withValues(values, func(v *C.obsv_str, n C.size_t) C.obsv_status {
		return C.obsv_stateset_family_with_labels(f.p, v, n, &h, &cerr)
	})
	return Stateset{h, f.r}, takeError(st, cerr)
}

// Get is WithLabelValues without creating: ErrNotFound when absent.
func (f *StatesetFamily) Get(values ...string) (Stateset, error) {
	if f.closed() {
		return Stateset{}, errRegistryClosed
	}
	var h C.obsv_stateset
	var cerr *C.obsv_error
	st := f.withValues(values, func(v *C.obsv_str, n C.size_t) C.obsv_status {
		return C.obsv_stateset_family_get(f.p, v, n, &h, &cerr)
	})
	return Stateset{h, f.r}, takeError(st, cerr)
}

// Remove removes one series (ErrNotFound if absent).
func (f *StatesetFamily) Remove(values ...string) error {
	if f.closed() {
		return errRegistryClosed
	}
	return takeError(f.withValues(values, func(v *C.obsv_str, n C.size_t) C.obsv_status {
		return C.obsv_stateset_family_remove(f.p, v, n)
	}), nil)
}

// Clear removes every series.
func (f *StatesetFamily) Clear() {
	if !f.closed() {
		C.obsv_stateset_family_clear(f.p)
		runtime.KeepAlive(f.r)
	}
}

// Len is the number of series.
func (f *StatesetFamily) Len() int {
	if f.closed() {
		return 0
	}
	n := int(C.obsv_stateset_family_size(f.p))
	runtime.KeepAlive(f.r)
	return n
}

// ---------------------------------------------------------------------------
// GaugeHistogram

// GaugeHistogramFamily is an obsv_gauge_histogram_family.
type GaugeHistogramFamily struct {
	family
	p *C.obsv_gauge_histogram_family
}

// GaugeHistogram is a series handle; copy it freely.
type GaugeHistogram struct {
	h C.obsv_gauge_histogram
	r *Registry
}

func (x GaugeHistogram) ok() bool { return x.r != nil && !x.r.closed.Load() }

// WithLabelValues returns the series with these label values, created if
// absent. ErrInvalidArgument for the wrong arity, ErrLimitExceeded at MaxSeries.
func (f *GaugeHistogramFamily) WithLabelValues(values ...string) (GaugeHistogram, error) {
	if f.closed() {
		return GaugeHistogram{}, errRegistryClosed
	}
	var h C.obsv_gauge_histogram
	var cerr *C.obsv_error
	st := f.withValues(values, func(v *C.obsv_str, n C.size_t) C.obsv_status {
		return C.obsv_gauge_histogram_family_with_labels(f.p, v, n, &h, &cerr)
	})
	return GaugeHistogram{h, f.r}, takeError(st, cerr)
}

// Get is WithLabelValues without creating: ErrNotFound when absent.
func (f *GaugeHistogramFamily) Get(values ...string) (GaugeHistogram, error) {
	if f.closed() {
		return GaugeHistogram{}, errRegistryClosed
	}
	var h C.obsv_gauge_histogram
	var cerr *C.obsv_error
	st := f.withValues(values, func(v *C.obsv_str, n C.size_t) C.obsv_status {
		return C.obsv_gauge_histogram_family_get(f.p, v, n, &h, &cerr)
	})
	return GaugeHistogram{h, f.r}, takeError(st, cerr)
}

// Remove removes one series (ErrNotFound if absent).
func (f *GaugeHistogramFamily) Remove(values ...string) error {
	if f.closed() {
		return errRegistryClosed
	}
	return takeError(f.withValues(values, func(v *C.obsv_str, n C.size_t) C.obsv_status {
		return C.obsv_gauge_histogram_family_remove(f.p, v, n)
	}), nil)
}

// Clear removes every series.
func (f *GaugeHistogramFamily) Clear() {
	if !f.closed() {
		C.obsv_gauge_histogram_family_clear(f.p)
		runtime.KeepAlive(f.r)
	}
}

// Len is the number of series.
func (f *GaugeHistogramFamily) Len() int {
	if f.closed() {
		return 0
	}
	n := int(C.obsv_gauge_histogram_family_size(f.p))
	runtime.KeepAlive(f.r)
	return n
}
