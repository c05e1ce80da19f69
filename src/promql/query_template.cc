// Query templates: `{{name}}` placeholders expanded with values escaped for
// the place they land, found by lexing the template (strings, matcher
// operators, braces, brackets, comments) rather than by text substitution.
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/str_cat.h"
#include "common/utf8.h"
#include "obsv/promql_template.h"
#include "promql/lexer.h"
#include "promql/scope_support.h"

namespace obsv::promql {
namespace {

using obsv::internal::StrCat;

bool IsNameStart(char c) { return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }
// Characters that would glue onto a value outside strings (identifiers,
// numbers, durations). In brackets ':' separates a subquery's range and step.
bool IsWordChar(char c, bool in_brackets) {
  return IsNameChar(c) || c == '.' || (c == ':' && !in_brackets);
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// An unsigned PromQL number: decimal with optional fraction and exponent,
// hexadecimal, Inf or NaN (any case). No sign: `x {{v}}` with v = "-1"
// would turn into a subtraction.
bool IsUnsignedNumber(std::string_view s) {
  std::string lower(s);
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "inf" || lower == "nan") return true;
  if (lower.size() > 2 && lower[0] == '0' && lower[1] == 'x') {
    for (size_t i = 2; i < lower.size(); ++i) {
      if (!IsHexDigit(lower[i])) return false;
    }
    return true;
  }
  size_t i = 0, digits = 0;
  while (i < s.size() && IsDigit(s[i])) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t exp_digits = 0;
    while (i < s.size() && IsDigit(s[i])) ++i, ++exp_digits;
    if (exp_digits == 0) return false;
  }
  return i == s.size();
}

bool IsDuration(std::string_view s) {
  int64_t ms;
  return internal::ParsePromDuration(s, &ms);
}

// Where a placeholder stands.
enum class Place : unsigned char {
  kString,        // inside a "..." / '...' / `...` string
  kRegexString,   // inside the string of a =~ or !~ matcher, or label_replace's regex
  kReplacement,   // inside label_replace's replacement: `$` is doubled
  kDuration,      // inside [...]
  kNumber,        // elsewhere: a number or a duration
};

class Expander {
 public:
  Expander(std::string_view tmpl, const std::unordered_map<std::string_view, const std::string*>& values)
      : t_(tmpl), values_(values) {}

  absl::Status Run() {
    bool in_braces = false, in_brackets = false, regex_op = false;
    // Open parentheses: the function called (or "") and the argument
    // index, to know label_replace()'s regex argument.
    struct Frame {
      std::string_view function;
      int arg = 0;
    };
    std::vector<Frame> parens;
    std::string_view last_word;  // the identifier just before, if any
    while (i_ < t_.size()) {
      char c = t_[i_];
      if (c == '{' && Peek(1) == '{') {
        Place place = in_brackets ? Place::kDuration : Place::kNumber;
        if (absl::Status s = Placeholder(in_braces ? nullptr : &place, 0); !s.ok()) return s;
        last_word = {};
        continue;
      }
      if (c == '#') {  // a comment, to the end of the line, left as written
        while (i_ < t_.size() && t_[i_] != '\n' && t_[i_] != '\r') out_.push_back(t_[i_++]);
        continue;
      }
      if (c == '"' || c == '\'' || c == '`') {
        Place place = Place::kString;
        if (in_braces) {
          if (regex_op) place = Place::kRegexString;
        } else if (!parens.empty() && parens.back().function == "label_replace") {
          if (parens.back().arg == 4) place = Place::kRegexString;
          if (parens.back().arg == 2) place = Place::kReplacement;
        }
        if (absl::Status s = String(c, place); !s.ok()) return s;
        regex_op = false;
        last_word = {};
        continue;
      }
      if (IsNameStart(c) && !in_braces) {
        size_t start = i_;
        while (i_ < t_.size() && (IsNameChar(t_[i_]) || t_[i_] == ':')) ++i_;
        last_word = t_.substr(start, i_ - start);
        out_.append(last_word.data(), last_word.size());
        continue;
      }
      if (in_braces) {
        if (c == '=' || c == '!') regex_op = Peek(1) == '~';
        if (c == ',') regex_op = false;
      } else if (c == '(') {
        parens.push_back(Frame{last_word, 0});
      } else if (c == ')') {
        if (!parens.empty()) parens.pop_back();
      } else if (c == ',') {
        if (!parens.empty()) ++parens.back().arg;
      }
      if (c == '{') in_braces = true, regex_op = false;
      if (c == '}') in_braces = false;
      if (c == '[') in_brackets = true;
      if (c == ']') in_brackets = false;
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') last_word = {};
      out_.push_back(c);
      ++i_;
    }
    return absl::OkStatus();
  }

  std::string Take() { return std::move(out_); }

 private:
  char Peek(size_t k) const { return i_ + k < t_.size() ? t_[i_ + k] : '\0'; }

  absl::Status Error(Span span, std::string_view message) const {
    return internal::PositionedError(absl::StatusCode::kInvalidArgument, t_, span, message);
  }

  // A string opened by `quote` at i_; placeholders inside are escaped for
  // it and for `place` (kString, kRegexString or kReplacement).
  absl::Status String(char quote, Place place) {
    out_.push_back(t_[i_++]);
    // Backslashes at the end of the decoded text so far: a regex placeholder
    // after an unpaired one would have its first character escaped by it.
    int trailing_backslashes = 0;
    while (i_ < t_.size()) {
      char c = t_[i_];
      if (c == quote) {
        out_.push_back(c);
        ++i_;
        return absl::OkStatus();
      }
      if (c == '{' && Peek(1) == '{') {
        if (absl::Status s = Placeholder(&place, quote, trailing_backslashes); !s.ok()) return s;
        trailing_backslashes = 0;
        continue;
      }
      if (c == '\\' && quote != '`') {
        trailing_backslashes = DecodesToBackslash() ? trailing_backslashes + 1 : 0;
        continue;
      }
      trailing_backslashes = c == '\\' ? trailing_backslashes + 1 : 0;  // raw string
      out_.push_back(c);
      ++i_;
    }
    return absl::OkStatus();  // unterminated: Parse() reports it
  }

  bool DecodesToBackslash() { return obsv::internal::CopyEscapeDecodesToBackslash(t_, &i_, &out_); }

  // The placeholder at i_ ("{{"). `place` null: a place that takes no value.
  absl::Status Placeholder(const Place* place, char quote, int trailing_backslashes = 0) {
    size_t start = i_;
    std::string_view name;
    size_t j = 0;
    bool well_formed = obsv::internal::ScanPlaceholder(t_, i_, &name, &j);
    Span span{static_cast<uint32_t>(start), static_cast<uint32_t>(j)};
    if (!well_formed) {
      return Error(span, "malformed placeholder: expected {{name}} with name [A-Za-z_][A-Za-z0-9_]*");
    }
    std::string label = StrCat("placeholder {{", name, "}}");
    if (place == nullptr) {
      return Error(span, StrCat(label, " stands inside braces outside a string; only label "
                                       "values (strings) take placeholders there"));
    }
    const std::string* found = nullptr;
    if (std::optional<std::string> e =
            obsv::internal::ResolvePlaceholder(t_, start, values_, &name, &j, &found)) {
      return Error(span, *e);
    }
    const std::string& value = *found;
    switch (*place) {
      case Place::kString:
      case Place::kRegexString:
      case Place::kReplacement: {
        // Go's Regexp.Expand reads $1, ${name} in a replacement; $$ is a literal $.
        obsv::internal::StringPlace sp = *place == Place::kRegexString
                                             ? obsv::internal::StringPlace::kRegex
                                         : *place == Place::kReplacement
                                             ? obsv::internal::StringPlace::kReplacement
                                             : obsv::internal::StringPlace::kPlain;
        if (std::optional<std::string> e = obsv::internal::AppendStringPlaceholder(
                value, sp, quote, trailing_backslashes, &out_)) {
          return Error(span, StrCat(label, *e));
        }
        break;
      }
      case Place::kDuration:
      case Place::kNumber: {
        bool brackets = *place == Place::kDuration;
        if (obsv::internal::PlaceholderGlued(t_, start, j, last_placeholder_end_,
                                             [brackets](char c) { return IsWordChar(c, brackets); })) {
          return Error(span, StrCat(label, " must stand alone as a token outside strings"));
        }
        if (*place == Place::kDuration && !IsDuration(value)) {
          return Error(span, StrCat(label, ": value is not a valid duration (e.g. 5m, 1h30m)"));
        }
        if (*place == Place::kNumber && !IsUnsignedNumber(value) && !IsDuration(value)) {
          return Error(span, StrCat(label, ": value is not a valid unsigned number or duration"));
        }
        out_.append(value);
        break;
      }
    }
    i_ = j;
    last_placeholder_end_ = j;
    return absl::OkStatus();
  }

  std::string_view t_;
  const std::unordered_map<std::string_view, const std::string*>& values_;
  size_t i_ = 0;
  size_t last_placeholder_end_ = std::string_view::npos;
  std::string out_;
};

}  // namespace

absl::StatusOr<std::string> ExpandTemplate(std::string_view tmpl,
                                           const std::vector<TemplateValue>& values,
                                           const ParserOptions& parser_options) {
  return obsv::internal::ExpandTemplateWith<Expander>(
      tmpl, values, parser_options.max_query_bytes, [&parser_options](const std::string& out) {
        absl::StatusOr<ExprPtr> expr = Parse(out, parser_options);
        return expr.ok() ? absl::OkStatus() : expr.status();
      });
}

}  // namespace obsv::promql
