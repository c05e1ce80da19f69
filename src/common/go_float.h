// Float formatting exactly as Go's strconv formats it, which is what every
// Prometheus exposition writer produces.
#ifndef OBSV_SRC_COMMON_GO_FLOAT_H_
#define OBSV_SRC_COMMON_GO_FLOAT_H_

#include <cstddef>

namespace obsv::internal {

// Writes strconv.FormatFloat(v, 'g', -1, 64) (with "+Inf", "-Inf", "NaN")
// into buf, which must hold kMaxGoFloatChars bytes. Returns the length.
inline constexpr size_t kMaxGoFloatChars = 40;
size_t FormatGoFloat(double v, char* buf);

// As FormatGoFloat, then ".0" when the result is a plain integer: the
// canonical OpenMetrics spelling ("1.0", "1e+06", "+Inf").
size_t FormatOpenMetricsFloat(double v, char* buf);

}  // namespace obsv::internal

#endif  // OBSV_SRC_COMMON_GO_FLOAT_H_
