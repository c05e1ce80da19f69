// The language-neutral half of tenant scoping (see scope_core.h).
#include "common/scope_core.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/types/optional.h"
#include "common/str_cat.h"
#include "common/utf8.h"
#include "re2/re2.h"

namespace obsv::internal {
namespace {

// The payload that carries an error's span: "start:end" in decimal.
constexpr char kSpanPayload[] = "type.obsv.dev/obsv.Span";

bool ParseU32(std::string_view s, uint32_t* out) {
  if (s.empty() || s.size() > 10) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > UINT32_MAX) return false;
  *out = static_cast<uint32_t>(v);
  return true;
}

std::string_view OpText(ScopeOp op) {
  switch (op) {
    case ScopeOp::kEqual: return "=";
    case ScopeOp::kNotEqual: return "!=";
    case ScopeOp::kRegexMatch: return "=~";
    case ScopeOp::kRegexNoMatch: return "!~";
  }
  return "";
}

}  // namespace

struct EnforcedSet::Compiled {
  // Parallel to matchers_: the anchored regex of =~ and !~, else null.
  std::vector<std::unique_ptr<RE2>> regexes;
};

absl::StatusOr<EnforcedSet> EnforcedSet::Create(std::vector<ScopeMatcher> enforced) {
  if (enforced.empty()) return absl::InvalidArgumentError("Injector: no enforced matchers");
  auto compiled = std::make_shared<Compiled>();
  for (size_t i = 0; i < enforced.size(); ++i) {
    const ScopeMatcher& e = enforced[i];
    std::string what = StrCat("enforced matcher ", i);
    if (e.name.empty()) return absl::InvalidArgumentError(StrCat(what, ": empty label name"));
    if (!IsValidUtf8(e.name)) {
      return absl::InvalidArgumentError(StrCat(what, ": label name is not valid UTF-8"));
    }
    if (!IsValidUtf8(e.value)) {
      return absl::InvalidArgumentError(StrCat(what, ": value is not valid UTF-8"));
    }
    std::unique_ptr<RE2> re;
    if (e.op == ScopeOp::kRegexMatch || e.op == ScopeOp::kRegexNoMatch) {
      RE2::Options opts;
      opts.set_log_errors(false);
      opts.set_encoding(RE2::Options::EncodingUTF8);
      re = std::make_unique<RE2>(StrCat("^(?s:", e.value, ")$"), opts);
      if (!re->ok()) {
        return absl::InvalidArgumentError(StrCat(what, ": invalid regex ", e.name, OpText(e.op),
                                                 "\"", e.value, "\": ", re->error()));
      }
    }
    compiled->regexes.push_back(std::move(re));
  }
  EnforcedSet set;
  set.matchers_ = std::move(enforced);
  set.compiled_ = std::move(compiled);
  bool excludes_empty = false;
  for (size_t i = 0; i < set.matchers_.size(); ++i) {
    if (!set.Matches(i, "")) excludes_empty = true;
  }
  if (!excludes_empty) {
    return absl::InvalidArgumentError(
        "Injector: every enforced matcher matches the empty value, so series without the "
        "label would pass; enforce at least one matcher that requires the label");
  }
  return set;
}

bool EnforcedSet::Matches(size_t i, std::string_view value) const {
  const ScopeMatcher& e = matchers_[i];
  switch (e.op) {
    case ScopeOp::kEqual: return value == e.value;
    case ScopeOp::kNotEqual: return value != e.value;
    case ScopeOp::kRegexMatch:
      return RE2::FullMatch(re2::StringPiece(value.data(), value.size()), *compiled_->regexes[i]);
    case ScopeOp::kRegexNoMatch:
      return !RE2::FullMatch(re2::StringPiece(value.data(), value.size()), *compiled_->regexes[i]);
  }
  return false;
}

ScopeDecision EnforcedSet::Decide(ConflictPolicy policy, const ScopeMatcher& m) const {
  if (!IsEnforcedName(m.name)) return ScopeDecision::kKeep;
  bool identical = false;
  for (const ScopeMatcher& e : matchers_) {
    if (e.name == m.name && e.op == m.op && e.value == m.value) identical = true;
  }
  switch (policy) {
    case ConflictPolicy::kReplace:
      return ScopeDecision::kDrop;
    case ConflictPolicy::kIntersect:
      return identical ? ScopeDecision::kDrop : ScopeDecision::kKeep;
    case ConflictPolicy::kError: {
      if (identical) return ScopeDecision::kDrop;
      // `tenant="a"` under tenant=~"a|b": an equality every enforced
      // matcher on its label accepts narrows the query within the set.
      if (m.op != ScopeOp::kEqual) return ScopeDecision::kRefuse;
      for (size_t i = 0; i < matchers_.size(); ++i) {
        if (matchers_[i].name == m.name && !Matches(i, m.value)) return ScopeDecision::kRefuse;
      }
      return ScopeDecision::kKeep;
    }
  }
  return ScopeDecision::kRefuse;
}

std::string EnforcedSet::EnforcedText(std::string_view name,
                                      std::string (*format)(const ScopeMatcher&)) const {
  std::string out;
  for (const ScopeMatcher& e : matchers_) {
    if (e.name != name) continue;
    if (!out.empty()) out.append(" and ");
    out.append(format(e));
  }
  return out;
}

absl::StatusOr<ScopeMatcher> ScopeMatcherForValues(std::string_view label,
                                                   const std::vector<std::string>& values) {
  if (values.empty()) return absl::InvalidArgumentError("MatcherForValues: no allowed values");
  for (const std::string& v : values) {
    if (v.empty()) {
      return absl::InvalidArgumentError(
          "MatcherForValues: empty value (it would admit series without the label)");
    }
    if (!IsValidUtf8(v)) {
      return absl::InvalidArgumentError("MatcherForValues: value is not valid UTF-8");
    }
  }
  std::vector<std::string> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
  ScopeMatcher m;
  m.name = std::string(label);
  if (sorted.size() == 1) {
    m.op = ScopeOp::kEqual;
    m.value = std::move(sorted[0]);
    return m;
  }
  m.op = ScopeOp::kRegexMatch;
  for (size_t i = 0; i < sorted.size(); ++i) {
    if (i > 0) m.value.push_back('|');
    AppendRegexQuoteMeta(sorted[i], &m.value);
  }
  return m;
}

void AppendRegexQuoteMeta(std::string_view s, std::string* out) {
  static constexpr std::string_view kSpecial = "\\.+*?()|[]{}^$";
  for (char c : s) {
    if (kSpecial.find(c) != std::string_view::npos) out->push_back('\\');
    out->push_back(c);
  }
}

bool AppendStringContent(std::string_view s, char quote, std::string* out) {
  if (quote == '`') {
    // Raw strings have no escapes: the text goes in as it is, unless it
    // would end the string or lose a byte (Go drops \r from raw strings).
    if (s.find('`') != std::string_view::npos || s.find('\r') != std::string_view::npos) {
      return false;
    }
    out->append(s.data(), s.size());
    return true;
  }
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == quote || c == '\\') {
      out->push_back('\\');
      out->push_back(c);
    } else if (c == '\n') {
      out->append("\\n");
    } else if (c == '\r') {
      out->append("\\r");
    } else if (c == '\t') {
      out->append("\\t");
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      snprintf(buf, sizeof(buf), "\\x%02x", u);
      out->append(buf);
    } else {
      out->push_back(c);  // UTF-8 (validated by the caller) stands for itself
    }
  }
  return true;
}

absl::Status SpannedError(absl::StatusCode code, bool has_position, uint32_t line,
                          uint32_t column, uint32_t start, uint32_t end,
                          std::string_view message) {
  std::string text = has_position ? StrCat(line, ":", column, ": ", message)
                                  : StrCat("offset ", start, ": ", message);
  absl::Status status(code, text);
  status.SetPayload(kSpanPayload, absl::Cord(StrCat(start, ":", end)));
  return status;
}

std::optional<ByteSpan> SpanOfError(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kSpanPayload);
  if (!payload.has_value()) return std::nullopt;
  std::string text(*payload);
  size_t colon = text.find(':');
  if (colon == std::string::npos) return std::nullopt;
  ByteSpan span;
  if (!ParseU32(std::string_view(text).substr(0, colon), &span.start) ||
      !ParseU32(std::string_view(text).substr(colon + 1), &span.end)) {
    return std::nullopt;
  }
  return span;
}

absl::Status PrefixError(const absl::Status& status, std::string_view prefix) {
  absl::string_view old = status.message();
  std::string text(prefix);
  text.append(old.data(), old.size());
  absl::Status out(status.code(), text);
  status.ForEachPayload([&out](absl::string_view url, const absl::Cord& payload) {
    out.SetPayload(url, payload);
  });
  return out;
}

bool ScanPlaceholder(std::string_view t, size_t i, std::string_view* name, size_t* end) {
  auto is_start = [](char c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  };
  auto is_char = [&](char c) { return is_start(c) || (c >= '0' && c <= '9'); };
  size_t j = i + 2;
  while (j < t.size() && (t[j] == ' ' || t[j] == '\t')) ++j;
  size_t name_start = j;
  if (j < t.size() && is_start(t[j])) {
    while (j < t.size() && is_char(t[j])) ++j;
  }
  *name = t.substr(name_start, j - name_start);
  while (j < t.size() && (t[j] == ' ' || t[j] == '\t')) ++j;
  *end = j;
  if (name->empty() || j + 1 >= t.size() || t[j] != '}' || t[j + 1] != '}') return false;
  *end = j + 2;
  return true;
}

bool CopyEscapeDecodesToBackslash(std::string_view t, size_t* i, std::string* out) {
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  size_t start = (*i)++;
  char e = *i < t.size() ? t[(*i)++] : '\0';
  int digits = 0, base = 16;
  if (e == 'x') digits = 2;
  else if (e == 'u') digits = 4;
  else if (e == 'U') digits = 8;
  else if (e >= '0' && e <= '7') digits = 2, base = 8;
  uint32_t v = e == '\\' ? 0x5c : (base == 8 ? static_cast<uint32_t>(e - '0') : 0);
  for (int k = 0; k < digits && *i < t.size(); ++k) {
    char d = t[*i];
    int x = is_digit(d) ? d - '0' : (d >= 'a' && d <= 'f') ? d - 'a' + 10
                                  : (d >= 'A' && d <= 'F') ? d - 'A' + 10 : 99;
    if (x >= base) break;
    v = v * base + static_cast<uint32_t>(x);
    ++*i;
  }
  out->append(t.substr(start, *i - start));
  return (e == '\\' || digits > 0) && v == 0x5c;
}

absl::Status CheckTemplateSize(size_t size, uint32_t max_bytes) {
  if (size > max_bytes) {
    return absl::ResourceExhaustedError(
        StrCat("template of ", size, " bytes exceeds max_query_bytes"));
  }
  return absl::OkStatus();
}

std::optional<std::string> ResolvePlaceholder(std::string_view t, size_t i,
                                              const TemplateValueMap& values,
                                              std::string_view* name, size_t* end,
                                              const std::string** value) {
  if (!ScanPlaceholder(t, i, name, end)) {
    return std::string("malformed placeholder: expected {{name}} with name [A-Za-z_][A-Za-z0-9_]*");
  }
  auto it = values.find(*name);
  if (it == values.end()) return StrCat("placeholder {{", *name, "}} has no value");
  *value = it->second;
  return std::nullopt;
}

std::optional<std::string> AppendStringPlaceholder(std::string_view value, StringPlace place,
                                                   char quote, int trailing_backslashes,
                                                   std::string* out) {
  if (!IsValidUtf8(value)) return std::string(": value is not valid UTF-8");
  std::string text;
  switch (place) {
    case StringPlace::kRegex:
      if (trailing_backslashes % 2 == 1) {
        return std::string(" follows an unpaired backslash in a regex");
      }
      AppendRegexQuoteMeta(value, &text);
      break;
    case StringPlace::kReplacement:
      AppendReplacementLiteral(value, &text);
      break;
    case StringPlace::kPlain:
      text.assign(value.data(), value.size());
      break;
  }
  if (!AppendStringContent(text, quote, out)) {
    return std::string(": value cannot stand in a raw string (it holds a backquote or a carriage "
                       "return)");
  }
  return std::nullopt;
}

void AppendReplacementLiteral(std::string_view s, std::string* out) {
  for (char ch : s) {
    if (ch == '$') out->push_back('$');
    out->push_back(ch);
  }
}

}  // namespace obsv::internal
