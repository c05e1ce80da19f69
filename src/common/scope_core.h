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
#include <type_traits>
#include <unordered_map>
#include <utility>
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
  bool IsEnforcedName(std::string_view name) const {
    // Inline: the injector asks it of every matcher of every selector.
    for (const ScopeMatcher& e : matchers_) {
      if (e.name.size() == name.size() && std::string_view(e.name) == name) return true;
    }
    return false;
  }
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

// Applies `policy` to a selector's `matchers` (a language's LabelMatcher
// vector) and appends `enforced`: the kept matchers in order, then the
// enforced ones. On a refusal the matchers are left as they were and the
// refused one's index is returned.
template <typename Matcher>
std::optional<size_t> ScopeMatchers(const EnforcedSet& set, ConflictPolicy policy,
                                    const std::vector<Matcher>& enforced,
                                    std::vector<Matcher>* matchers);
// The same over any list of matchers: `append(list, matcher)` appends to a
// list (a fresh Matchers for the kept ones), `enforced` is any range of
// matchers of the list's type.
template <typename Matchers, typename Enforced, typename Append>
std::optional<size_t> ScopeMatchersWith(const EnforcedSet& set, ConflictPolicy policy,
                                        const Enforced& enforced, Matchers* matchers,
                                        Append append);

// Conversions between a language's LabelMatcher (fields name, op, value;
// its MatchOp lists =, !=, =~, !~ in ScopeOp's order) and ScopeMatcher.
template <typename Matcher>
ScopeMatcher ToScopeMatcher(const Matcher& m) {
  return ScopeMatcher{std::string(m.name), static_cast<ScopeOp>(static_cast<unsigned char>(m.op)),
                      std::string(m.value)};
}
template <typename Matcher>
Matcher FromScopeMatcher(ScopeMatcher m) {
  Matcher out;
  out.name = std::move(m.name);
  out.op = static_cast<decltype(out.op)>(static_cast<unsigned char>(m.op));
  out.value = std::move(m.value);
  return out;
}
// A language's matcher text (for EnforcedSet::EnforcedText()).
template <typename Matcher, std::string (*kText)(const Matcher&)>
std::string ScopeMatcherText(const ScopeMatcher& m) {
  return kText(FromScopeMatcher<Matcher>(m));
}

// The EnforcedSet of a language's enforced matchers: each name checked by
// `validate(what, name)` (an absl::Status; `what` is "enforced matcher i"),
// spans cleared, then EnforcedSet::Create().
template <typename Matcher, typename Validate>
absl::StatusOr<EnforcedSet> EnforcedSetOf(std::vector<Matcher>& enforced, Validate validate);

// `label="v"` for one value, `label=~"v1|v2"` (QuoteMeta'd, sorted, unique)
// for several. Errors: no values, an empty or non-UTF-8 value. The caller
// checks the label name. Messages start "MatcherForValues: ".
absl::StatusOr<ScopeMatcher> ScopeMatcherForValues(std::string_view label,
                                                   const std::vector<std::string>& values);

// The same as a language's matcher.
template <typename Matcher>
absl::StatusOr<Matcher> MatcherForValuesAs(std::string_view label,
                                           const std::vector<std::string>& values) {
  absl::StatusOr<ScopeMatcher> m = ScopeMatcherForValues(label, values);
  if (!m.ok()) return m.status();
  return FromScopeMatcher<Matcher>(*std::move(m));
}

template <typename M, typename = void>
struct HasSpan : std::false_type {};
template <typename M>
struct HasSpan<M, std::void_t<decltype(std::declval<M&>().span)>> : std::true_type {};

template <typename Matcher, typename Validate>
absl::StatusOr<EnforcedSet> EnforcedSetOf(std::vector<Matcher>& enforced, Validate validate) {
  std::vector<ScopeMatcher> scope;
  scope.reserve(enforced.size());
  for (size_t i = 0; i < enforced.size(); ++i) {
    absl::Status s = validate("enforced matcher " + std::to_string(i), enforced[i].name);
    if (!s.ok()) return s;
    if constexpr (HasSpan<Matcher>::value) enforced[i].span = {};
    scope.push_back(ToScopeMatcher(enforced[i]));
  }
  return EnforcedSet::Create(std::move(scope));
}

template <typename Matchers, typename Enforced, typename Append>
std::optional<size_t> ScopeMatchersWith(const EnforcedSet& set, ConflictPolicy policy,
                                        const Enforced& enforced, Matchers* matchers,
                                        Append append) {
  // Usually no matcher of the user's is on an enforced label: the enforced
  // ones are appended in place, nothing copied.
  bool conflict = false;
  for (const auto& m : *matchers) {
    if (set.IsEnforcedName(m.name)) {
      conflict = true;
      break;
    }
  }
  if (!conflict) {
    for (const auto& e : enforced) append(matchers, e);
    return std::nullopt;
  }
  std::vector<ScopeDecision> decisions;
  decisions.reserve(matchers->size());
  for (size_t i = 0; i < matchers->size(); ++i) {
    decisions.push_back(set.Decide(policy, ToScopeMatcher((*matchers)[i])));
    if (decisions.back() == ScopeDecision::kRefuse) return i;
  }
  Matchers kept;
  for (size_t i = 0; i < matchers->size(); ++i) {
    if (decisions[i] == ScopeDecision::kKeep) append(&kept, (*matchers)[i]);
  }
  for (const auto& e : enforced) append(&kept, e);
  *matchers = std::move(kept);
  return std::nullopt;
}

template <typename Matcher>
std::optional<size_t> ScopeMatchers(const EnforcedSet& set, ConflictPolicy policy,
                                    const std::vector<Matcher>& enforced,
                                    std::vector<Matcher>* matchers) {
  if (matchers->capacity() < matchers->size() + enforced.size()) {
    matchers->reserve(matchers->size() + enforced.size());
  }
  return ScopeMatchersWith(set, policy, enforced, matchers,
                           [](std::vector<Matcher>* list, const Matcher& m) { list->push_back(m); });
}

// Template values by name: views into the caller's TemplateValue vector
// (fields name, value). InvalidArgument for a name given twice;
// ResourceExhausted for a template over max_bytes.
using TemplateValueMap = std::unordered_map<std::string_view, const std::string*>;
absl::Status CheckTemplateSize(size_t size, uint32_t max_bytes);
template <typename Value>
absl::Status IndexTemplateValues(const std::vector<Value>& values, TemplateValueMap* out) {
  for (const Value& v : values) {
    if (!out->emplace(v.name, &v.value).second) {
      return absl::InvalidArgumentError("template value {{" + v.name + "}} given twice");
    }
  }
  return absl::OkStatus();
}

// The placeholder at t[i] ("{{") resolved against `values`: *name, *end
// (past "}}", or where the scan stopped) and *value. On failure returns the
// message (malformed, no value, value not UTF-8), for the span [i, *end).
std::optional<std::string> ResolvePlaceholder(std::string_view t, size_t i,
                                              const TemplateValueMap& values,
                                              std::string_view* name, size_t* end,
                                              const std::string** value);

// Whether a bare placeholder at [start, end) of `t` touches a neighbouring
// word (is_word(c)), the end of the previous placeholder, or the next `{{`:
// its value would glue onto them.
template <typename IsWord>
bool PlaceholderGlued(std::string_view t, size_t start, size_t end, size_t last_placeholder_end,
                      IsWord is_word) {
  bool before = start > 0 && (is_word(t[start - 1]) || start == last_placeholder_end);
  bool after = end < t.size() &&
               (is_word(t[end]) || (t[end] == '{' && end + 1 < t.size() && t[end + 1] == '{'));
  return before || after;
}

// The driver of both languages' ExpandTemplate(): size check, values by
// name, Expander(tmpl, map).Run() / Take(), then parse(out) (an
// absl::Status), whose error is prefixed "expanded template: ".
absl::Status PrefixError(const absl::Status& status, std::string_view prefix);
template <typename Expander, typename Value, typename ParseFn>
absl::StatusOr<std::string> ExpandTemplateWith(std::string_view tmpl,
                                               const std::vector<Value>& values,
                                               uint32_t max_bytes, ParseFn parse) {
  if (absl::Status s = CheckTemplateSize(tmpl.size(), max_bytes); !s.ok()) return s;
  TemplateValueMap by_name;
  if (absl::Status s = IndexTemplateValues(values, &by_name); !s.ok()) return s;
  Expander expander(tmpl, by_name);
  if (absl::Status s = expander.Run(); !s.ok()) return s;
  std::string out = expander.Take();
  if (absl::Status s = parse(out); !s.ok()) return PrefixError(s, "expanded template: ");
  return out;
}

// Where inside a string a placeholder stands.
enum class StringPlace : unsigned char { kPlain, kRegex, kReplacement };

// Appends `value` escaped for `place` and then for a string opened with
// `quote`. On failure returns the message (after "placeholder {{name}}").
std::optional<std::string> AppendStringPlaceholder(std::string_view value, StringPlace place,
                                                   char quote, int trailing_backslashes,
                                                   std::string* out);

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
