// What the tenant-scoping rewriters of PromQL and LogQL share (internal):
// the enforced matcher set and its conflict policy, matchers for a set of
// allowed values, regex quoting, string escaping for a place in a query,
// and errors carrying a byte span. The languages differ in their ASTs and
// lexers only; the decisions are made here once, so that the two injectors
// cannot drift apart.
#ifndef OBSV_SRC_COMMON_SCOPE_CORE_H_
#define OBSV_SRC_COMMON_SCOPE_CORE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "obsv/scope_policy.h"

namespace obsv::internal {

// The operators of both languages' label matchers, in the same order as
// their MatchOp enums (converted with static_cast by the callers).
enum class ScopeOp : unsigned char { kEqual, kNotEqual, kRegexMatch, kRegexNoMatch };

struct ScopeMatcher {
  std::string name;
  ScopeOp op = ScopeOp::kEqual;
  std::string value;
};

// What the policy does with a user's matcher.
enum class ScopeDecision : unsigned char {
  kKeep,    // not on an enforced label, narrowing (kError), or kIntersect
  kDrop,    // identical to an enforced matcher, or kReplace
  kRefuse,  // kError: not allowed
};

// The enforced matchers, validated and with their regexes compiled
// (fully anchored `^(?s:re)$`, RE2 syntax: Prometheus 3's and Loki 3's
// labels.Matcher). Immutable after Create(); thread-safe.
class EnforcedSet {
 public:
  // Checks: at least one
  // matcher; names non-empty and valid UTF-8 (the caller checks its
  // language's own name rules first); values valid UTF-8; regexes compile;
  // at least one matcher rejects the empty value. InvalidArgument naming
  // the matcher ("enforced matcher 1: ...") otherwise.
  static absl::StatusOr<EnforcedSet> Create(std::vector<ScopeMatcher> enforced);

  const std::vector<ScopeMatcher>& matchers() const { return matchers_; }
  bool IsEnforcedName(std::string_view name) const;
  // Whether enforced matcher i accepts `value`.
  bool Matches(size_t i, std::string_view value) const;
  // The policy's decision on a user's matcher (any label).
  ScopeDecision Decide(ConflictPolicy policy, const ScopeMatcher& m) const;
  // "tenant=\"a\" and tenant!=\"b\"": the enforced matchers on `name`, for
  // messages; `format` prints one matcher in the caller's language.
  std::string EnforcedText(std::string_view name,
                           std::string (*format)(const ScopeMatcher&)) const;

 private:
  struct Compiled;
  std::vector<ScopeMatcher> matchers_;
  std::shared_ptr<const Compiled> compiled_;
};

// `label="v"` for one value, `label=~"v1|v2"` (QuoteMeta'd, sorted, unique)
// for several. Errors: no values, an empty or non-UTF-8 value. The caller
// checks the label name. Messages start "MatcherForValues: ".
absl::StatusOr<ScopeMatcher> ScopeMatcherForValues(std::string_view label,
                                                   const std::vector<std::string>& values);

// Go's regexp.QuoteMeta: a backslash before each of \.+*?()|[]{}^$.
void AppendRegexQuoteMeta(std::string_view s, std::string* out);

// Escapes `s` (valid UTF-8) for the inside of a Go-syntax string literal
// opened with `quote` (", ' or `), so that the lexer reads back exactly `s`
// and the string cannot end early. False if impossible (a backquote or a
// carriage return in a raw string).
bool AppendStringContent(std::string_view s, char quote, std::string* out);

// Errors with a span: a status of `code` whose message is "L:C: message"
// (line/column given by the caller, as its language's Parse() counts them)
// or "offset N: message" when has_position is false; SpanOfError() returns
// [start, end).
absl::Status SpannedError(absl::StatusCode code, bool has_position, uint32_t line,
                          uint32_t column, uint32_t start, uint32_t end, std::string_view message);
struct ByteSpan {
  uint32_t start = 0;
  uint32_t end = 0;
};
std::optional<ByteSpan> SpanOfError(const absl::Status& status);

// Prefixes the message of `status` with `prefix`, keeping code and payloads.
absl::Status PrefixError(const absl::Status& status, std::string_view prefix);

// A `{{name}}` / `{{ name }}` placeholder of a query template at t[i]
// ("{{"): false if malformed. On success *name is the name and *end the
// offset just past "}}"; on failure *end is where the scan stopped.
bool ScanPlaceholder(std::string_view t, size_t i, std::string_view* name, size_t* end);

// Copies the Go escape sequence at t[*i] ('\\') to *out, advancing *i past
// it, and says whether it decodes to a backslash (`\\`, `\x5c`, `\134`,
// `\u005c`, `\U0000005c`): a regex placeholder after an unpaired one would
// have its first character escaped by it.
bool CopyEscapeDecodesToBackslash(std::string_view t, size_t* i, std::string* out);

// `$` doubled: a literal for Go's Regexp.Expand (label_replace's replacement).
void AppendReplacementLiteral(std::string_view s, std::string* out);

}  // namespace obsv::internal

#endif  // OBSV_SRC_COMMON_SCOPE_CORE_H_
