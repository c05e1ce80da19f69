// The LogQL printer's pieces (internal), shared with the dump and tests.
#ifndef OBSV_SRC_LOGQL_PRINTER_H_
#define OBSV_SRC_LOGQL_PRINTER_H_

#include <string>

#include "obsv/logql.h"

namespace obsv::logql::internal {

void AppendLogSelector(const LogSelectorExpr& e, std::string* out);
void AppendUnwrap(const UnwrapExpr& u, std::string* out);
void AppendLogRange(const LogRange& r, std::string* out);
void AppendLabelFilter(const LabelFilter& f, std::string* out);
void AppendStage(const Stage& s, std::string* out);
// fmt.Sprint(float64): strconv 'g' -1 with Go's +Inf/-Inf/NaN.
void AppendGoFloatG(double v, std::string* out);
// strconv.FormatFloat(v, 'f', -1, 64).
void AppendGoFloatF(double v, std::string* out);
// True if Loki keeps the regex of a `=~` label filter as a regexp (printing
// it in backquotes): its simplifier cannot reduce it to literal matches.
bool LabelRegexIsKeptAsRegexp(std::string_view re);

}  // namespace obsv::logql::internal

#endif  // OBSV_SRC_LOGQL_PRINTER_H_
