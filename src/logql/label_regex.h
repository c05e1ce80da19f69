// Regex helpers of the LogQL parser and printer (internal).
#ifndef OBSV_SRC_LOGQL_LABEL_REGEX_H_
#define OBSV_SRC_LOGQL_LABEL_REGEX_H_

#include <string_view>

namespace obsv::logql::internal {

// What the parser needs to know of a regex RE2 accepts.
struct RegexFacts {
  bool matches_empty = false;       // RE2::FullMatch("", re)
  bool has_named_capture = false;   // !re.NamedCapturingGroups().empty()
};

// A quick reading of the common regexes (literals, classes, groups,
// alternations, `* + ?`, flags, the usual escapes) that vouches for RE2
// (default options, as the parser builds them) accepting `re`, without
// compiling a program: true and *facts filled in if `re` is one of those
// shapes and RE2 accepts it; false when it cannot tell (counted
// repetitions, \p, \x, \Q, octal, POSIX classes, invalid UTF-8, anything
// RE2 would reject, very long or deeply nested patterns), and the caller
// asks RE2 itself, which also gives the error. tests/logql/lexer_test.cc
// checks it against RE2 on random patterns. Cost: one pass, no allocation.
bool QuickCheckRegex(std::string_view re, RegexFacts* facts);

// LabelRegexIsKeptAsRegexp (printer.h) always by building the regex's tree
// (the quick shapes it skips are checked against this in tests).
bool LabelRegexIsKeptAsRegexpByTree(std::string_view re);

}  // namespace obsv::logql::internal

#endif  // OBSV_SRC_LOGQL_LABEL_REGEX_H_
