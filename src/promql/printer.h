// Pieces of the canonical printer (printer.cc) that the pretty printer
// (pretty.cc) prints on their own, as Prometheus's ShortString() and
// getMatchingStr() do. Internal.
#ifndef OBSV_SRC_PROMQL_PRINTER_H_
#define OBSV_SRC_PROMQL_PRINTER_H_

#include <string>

#include "common/out.h"
#include "obsv/promql.h"

namespace obsv::promql::internal {

// The append cursor and Go formatting shared with LogQL (common/out.h).
using obsv::internal::Out;
using obsv::internal::QuoteTo;

// `sum by (job) ` / `topk without (a) ` / `sum`: the operator and grouping
// of an aggregation, without the parenthesised arguments
// (AggregateExpr.ShortString()).
void AppendAggregateHead(const Aggregate& a, std::string* out);

// ` bool on (a) group_left (b)`: what follows the operator of a binary
// expression (returnBool() + getMatchingStr()); empty for none.
void AppendBinaryModifiers(const Binary& b, std::string* out);

// `[5m:1m] @ 100.000 offset 1h`: the suffix of a subquery
// (getSubqueryTimeSuffix()).
void AppendSubquerySuffix(const Subquery& s, std::string* out);

}  // namespace obsv::promql::internal

#endif  // OBSV_SRC_PROMQL_PRINTER_H_
