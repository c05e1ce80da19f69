// Number syntax of the exposition formats.
#ifndef OBSV_SRC_COMMON_NUMBER_PARSE_H_
#define OBSV_SRC_COMMON_NUMBER_PARSE_H_

#include <cstdint>
#include <string_view>

#include "obsv/metric_model.h"

namespace obsv::internal {

// Parses a sample value as Prometheus does (Go's strconv.ParseFloat without
// hex floats and underscores): [+-]digits[.digits][e[+-]digits], a leading or
// trailing '.', and case-insensitive [+-]Inf, [+-]Infinity, NaN. Returns
// false for anything else, including values out of float range.
bool ParseGoFloat(std::string_view s, double* out);

// True if the text is an integer literal that a double cannot hold exactly
// (more than 2^53 in magnitude): such values are kept as written.
bool IsInexactInteger(std::string_view s);

// Go's strconv.ParseInt(s, 10, 64): [+-]digits, no overflow.
bool ParseInt64(std::string_view s, int64_t* out);

// An OpenMetrics timestamp: decimal seconds, converted without going through
// a double when written without an exponent (so 1520879607.789 is exactly
// {1520879607789 ms, 0 ns}). Digits below the nanosecond are rounded.
bool ParseDecimalSeconds(std::string_view s, Timestamp* out);

}  // namespace obsv::internal

#endif  // OBSV_SRC_COMMON_NUMBER_PARSE_H_
